use leptos::prelude::*;

/// The same launch on another host with the same GPUs; the old instance is
/// destroyed. Goes to the new run's page.
#[server(endpoint = "runs/switch")]
pub async fn switch_run(id: i64) -> Result<i64, ServerFnError> {
    let new_id = crate::api::services()?
        .runs
        .switch(id, "user")
        .await
        .map_err(super::run_error)?;
    leptos_axum::redirect(&format!("/runs/{new_id}"));
    Ok(new_id)
}
