use leptos::prelude::*;

use crate::domain::status::SystemStatus;

/// Marketplace mode, database health and version, for the banner and Settings.
#[server(endpoint = "system_status")]
pub async fn get_system_status() -> Result<SystemStatus, ServerFnError> {
    Ok(super::services()?.status().await)
}
