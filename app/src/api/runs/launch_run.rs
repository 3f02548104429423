use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::launch::{FieldError, LaunchInput};

/// What a launch did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum LaunchOutcome {
    /// Rented and handed to a watcher.
    Launched { run_id: i64 },
    /// Nothing rented: these fields need fixing.
    Invalid { fields: Vec<FieldError> },
    /// The offer could not be rented (the run is recorded as failed).
    Failed { message: String },
}

/// Validates the launch form, rents the offer (once per run, by label) and
/// starts the watcher. Bad fields are an answer, not an error.
#[server(endpoint = "runs/launch")]
pub async fn launch_run(input: LaunchInput) -> Result<LaunchOutcome, ServerFnError> {
    use crate::ports::RunError;
    match crate::api::services()?.runs.launch(input).await {
        Ok(run_id) => {
            // Straight to the Run page (a 302 without JS; the router follows it with JS).
            leptos_axum::redirect(&format!("/runs/{run_id}"));
            Ok(LaunchOutcome::Launched { run_id })
        }
        Err(RunError::Invalid(fields)) => Ok(LaunchOutcome::Invalid { fields }),
        Err(e) => Ok(LaunchOutcome::Failed {
            message: e.to_string(),
        }),
    }
}
