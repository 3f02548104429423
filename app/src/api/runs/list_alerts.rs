use leptos::prelude::*;

use crate::domain::run_view::AlertView;

/// The in-app alert list: verdict changes and fatal errors of every run,
/// newest first (the same alerts the webhook gets).
#[server(endpoint = "runs/alerts")]
pub async fn list_alerts() -> Result<Vec<AlertView>, ServerFnError> {
    crate::api::services()?
        .runs
        .alerts(30)
        .await
        .map_err(super::run_error)
}
