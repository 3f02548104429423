use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::offer_search::ProfileFields;

/// A saved run profile as the Offers page lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedProfileView {
    pub name: String,
    /// The profile as form fields (to build the "use this profile" link).
    pub fields: ProfileFields,
    /// "7B LoRA, bf16, 2048 tokens × 1".
    pub summary: String,
}

/// Every saved run profile, by name.
#[server(endpoint = "profiles/list")]
pub async fn list_profiles() -> Result<Vec<SavedProfileView>, ServerFnError> {
    let saved = super::services()?
        .profiles
        .list()
        .await
        .map_err(|e| ServerFnError::new(e.to_string()))?;
    Ok(saved
        .into_iter()
        .map(|s| {
            let p = &s.profile;
            SavedProfileView {
                summary: format!(
                    "{}B {}, {}, {} tokens × {}",
                    p.params_b,
                    p.mode.label(),
                    p.precision.label(),
                    p.seq_len,
                    p.micro_batch
                ),
                fields: ProfileFields::from_profile(p),
                name: s.name,
            }
        })
        .collect())
}
