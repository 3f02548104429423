//! Server functions for smoke runs, one per file. Each maps the `RunControl`
//! port's errors to what the page shows.

pub mod get_run;
pub mod kill_run;
pub mod launch_options;
pub mod launch_run;
pub mod list_alerts;
pub mod list_runs;
pub mod promote_run;
pub mod relaunch_run;
pub mod switch_run;

#[cfg(feature = "ssr")]
pub(crate) fn run_error(e: crate::ports::RunError) -> leptos::prelude::ServerFnError {
    leptos::prelude::ServerFnError::new(e.to_string())
}
