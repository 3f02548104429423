use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::run_view::ThroughputHint;

/// What the launch form offers besides the fields.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LaunchChoices {
    /// The simulated marketplace: the form shows the scenario picker.
    pub simulated: bool,
    pub scenarios: Vec<String>,
    /// Expected step/s from earlier runs on this offer's GPU model.
    pub expected: Option<ThroughputHint>,
}

#[server(endpoint = "runs/launch_options")]
pub async fn launch_options(offer_id: String) -> Result<LaunchChoices, ServerFnError> {
    let services = crate::api::services()?;
    let scenarios: Vec<String> = services
        .runs
        .scenarios()
        .into_iter()
        .map(str::to_string)
        .collect();
    // History is a convenience: a failed lookup leaves the field empty.
    let expected = match offer_id.trim().parse::<u64>() {
        Ok(id) => services.runs.throughput_history(id).await.ok().flatten(),
        Err(_) => None,
    };
    Ok(LaunchChoices {
        simulated: !scenarios.is_empty(),
        scenarios,
        expected,
    })
}
