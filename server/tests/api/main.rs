//! The server's one integration-test binary: every test spawns the whole app on
//! port 0 against a fresh database of its own.

mod helpers;

mod analyze_cli;
mod health;
mod offers;
mod pages;
mod runs;
mod runs_repo;
mod sim_hosts;
mod startup_errors;
