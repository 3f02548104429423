use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::offer_search::{FieldError, ProfileFields};

/// Longest profile name (the table's CHECK says the same).
pub const MAX_NAME_CHARS: usize = 120;

/// What saving a profile did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum SaveOutcome {
    Saved {
        name: String,
    },
    /// Nothing saved: these fields are unusable.
    Invalid {
        fields: Vec<FieldError>,
    },
}

/// Saves the Offers page's run profile under `name` (replacing one of that name). The fields
/// are checked exactly as the search checks them.
#[server(endpoint = "profiles/save")]
pub async fn save_profile(
    name: String,
    profile: ProfileFields,
) -> Result<SaveOutcome, ServerFnError> {
    let name = name.trim().to_string();
    let mut fields = Vec::new();
    if name.is_empty() {
        fields.push(FieldError::new("name", "give the profile a name"));
    } else if name.chars().count() > MAX_NAME_CHARS {
        fields.push(FieldError::new(
            "name",
            format!("a name has at most {MAX_NAME_CHARS} characters"),
        ));
    } else if name.chars().any(char::is_control) {
        fields.push(FieldError::new(
            "name",
            "a name cannot contain control characters",
        ));
    }
    // GPUs come from the query's num_gpus, not from the profile: save it for one.
    let parsed = profile.parse(1);
    let profile = match parsed {
        Ok(p) if fields.is_empty() => p,
        Ok(_) => return Ok(SaveOutcome::Invalid { fields }),
        Err(es) => {
            fields.extend(es);
            return Ok(SaveOutcome::Invalid { fields });
        }
    };
    super::services()?
        .profiles
        .save(&name, &profile)
        .await
        .map_err(|e| ServerFnError::new(e.to_string()))?;
    Ok(SaveOutcome::Saved { name })
}
