use leptos::prelude::*;

use crate::domain::run_view::RunView;

/// One run: checklist, live numbers, verdict, events, log tail.
#[server(endpoint = "runs/show")]
pub async fn get_run(id: i64) -> Result<RunView, ServerFnError> {
    crate::api::services()?
        .runs
        .show(id)
        .await
        .map_err(super::run_error)
}
