//! The errors that stop the server from starting or a subcommand from finishing.
//! Each message is one line that says what to do.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::db::DbError;

#[derive(Debug, thiserror::Error)]
pub enum CanopyError {
    #[error(
        "address {addr} is already in use: stop the other server or pick another with --addr / CANOPY_ADDR"
    )]
    AddrInUse { addr: SocketAddr },
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error(
        "cannot use data directory {path}: {reason}; set CANOPY_DATA_DIR to a writable directory"
    )]
    DataDir { path: PathBuf, reason: String },
    #[error(transparent)]
    Database(#[from] DbError),
    #[error("{0}")]
    Input(String),
    #[error("marketplace simulator: {0}")]
    Simulator(String),
    #[error(transparent)]
    Vast(#[from] crate::vast::VastError),
    #[error("Canopy's SSH key: {0}")]
    Identity(String),
    #[error("{0}")]
    Run(#[from] app::ports::RunError),
    #[error("leptos configuration: {0}")]
    Leptos(String),
    #[error("server stopped: {0}")]
    Serve(std::io::Error),
}
