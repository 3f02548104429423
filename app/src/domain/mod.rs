//! Pure domain logic: no IO, no clocks, no globals. Everything here compiles to
//! wasm too, so the browser can run the same rules the server does.

pub mod actions;
pub mod analysis;
pub mod checklist;
pub mod gate;
pub mod launch;
pub mod logs;
pub mod offer;
pub mod offer_search;
pub mod profile;
pub mod query;
pub mod rank;
pub mod run_view;
pub mod status;
pub mod telemetry;
