use leptos::prelude::*;

/// Starts the full command on the same host (a finished smoke only), with
/// an optional budget cap in dollars.
#[server(endpoint = "runs/promote")]
pub async fn promote_run(id: i64, budget_usd: String) -> Result<(), ServerFnError> {
    let budget = crate::domain::actions::parse_budget(&budget_usd).map_err(ServerFnError::new)?;
    crate::api::services()?
        .runs
        .promote(id, "user", budget)
        .await
        .map_err(super::run_error)
}
