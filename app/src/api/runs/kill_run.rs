use leptos::prelude::*;

use crate::domain::run_view::RunView;

/// Stops the run and destroys its instance (verified gone); recorded as an
/// action by "user" with the reason given.
#[server(endpoint = "runs/kill")]
pub async fn kill_run(id: i64, why: String) -> Result<RunView, ServerFnError> {
    let why: String = why.chars().take(500).collect();
    crate::api::services()?
        .runs
        .kill(id, "user", &why)
        .await
        .map_err(super::run_error)
}
