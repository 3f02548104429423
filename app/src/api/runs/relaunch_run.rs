use leptos::prelude::*;

use crate::domain::actions::RelaunchEdits;

/// Apply a hint: the same launch with the edited command / environment, as
/// a new run (the old one ends). Goes to the new run's page.
#[server(endpoint = "runs/relaunch")]
pub async fn relaunch_run(id: i64, edits: RelaunchEdits) -> Result<i64, ServerFnError> {
    let new_id = crate::api::services()?
        .runs
        .relaunch(id, "user", &edits)
        .await
        .map_err(super::run_error)?;
    leptos_axum::redirect(&format!("/runs/{new_id}"));
    Ok(new_id)
}
