use leptos::prelude::*;

use crate::domain::run_view::RunSummary;

/// Every run, live ones first (newest first), then ended ones.
#[server(endpoint = "runs/list")]
pub async fn list_runs() -> Result<Vec<RunSummary>, ServerFnError> {
    crate::api::services()?
        .runs
        .list(200)
        .await
        .map_err(super::run_error)
}
