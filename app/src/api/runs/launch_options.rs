use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What the launch form offers besides the fields.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LaunchChoices {
    /// The simulated marketplace: the form shows the scenario picker.
    pub simulated: bool,
    pub scenarios: Vec<String>,
}

#[server(endpoint = "runs/launch_options")]
pub async fn launch_options() -> Result<LaunchChoices, ServerFnError> {
    let services = crate::api::services()?;
    let scenarios: Vec<String> = services
        .runs
        .scenarios()
        .into_iter()
        .map(str::to_string)
        .collect();
    Ok(LaunchChoices {
        simulated: !scenarios.is_empty(),
        scenarios,
    })
}
