//! `canopy`: the server and its command line. Kept thin: parse, dispatch, report.

use std::process::ExitCode;

use clap::Parser;
use server::cli::Cli;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    server::telemetry::init(cli.verbose);
    match server::cli::run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // One line a person can act on; details went to the log already.
            eprintln!("canopy: {error}");
            ExitCode::FAILURE
        }
    }
}
