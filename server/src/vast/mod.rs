//! Vast.ai marketplace: the HTTP client Canopy uses against the real API, and a
//! Vast-compatible simulator (`sim`) that speaks the same wire protocol so that every test,
//! the demo and the real `vastai` CLI can run against it offline.
//!
//! Wire facts (paths, auth, string-coerced filter values, pricing formulas, error bodies)
//! follow `shared/vast/API.md` and `shared/vast/CLI-TRANSCRIPT.md`; section numbers in
//! comments (e.g. "API.md §2.2") point there.
//!
//! This module tree is self-contained: it references no other server module.

// The server binary wires this API in gradually (sim now, real client later); in a binary
// crate unused `pub` items warn, so silence that here rather than in every file.

pub mod client;
pub mod error;
pub mod sim;
pub mod types;

#[cfg(test)]
mod tests;

pub use client::{CreateOutcome, LogsRequest, RetryPolicy, VastClient, VastClientConfig};

pub use error::VastError;

pub use sim::{HostHardware, HostProvider, NoHosts, SimConfig, SimHandle, Simulator, SshEndpoint};

pub use types::{
    ApiKey, CreateInstanceRequest, Instance, InstancePage, Offer, SearchQuery, SshKey, User,
};

/// Base URL of the real Vast.ai API (the CLI's default; `VAST_URL` overrides it there).
pub const VAST_BASE_URL: &str = "https://console.vast.ai";
