//! The `canopy` server: configuration, the axum app, and the adapters behind the
//! ports that the `app` crate declares (Postgres, Vast, SSH).

pub mod cli;
pub mod config;
pub mod db;
pub mod error;
pub mod http;
pub mod market;
pub mod runs;
pub mod secret;
pub mod sim_hosts;
pub mod ssh;
pub mod startup;
pub mod telemetry;
pub mod vast;
