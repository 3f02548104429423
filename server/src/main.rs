//! `canopy`: the server and its command line. Kept thin: parse, dispatch, report.

use std::process::ExitCode;

use clap::Parser;
use server::cli::Cli;

#[tokio::main]
async fn main() -> ExitCode {
    // `canopy replay …` is the training process of a simulated GPU host: its stdout
    // and stderr ARE the run's log, so it bypasses clap's help and our tracing.
    let mut args = std::env::args().skip(1);
    if args.next().as_deref() == Some("replay") {
        let code = server::ssh::replay::run_cli(args).await;
        return ExitCode::from(u8::try_from(code).unwrap_or(1));
    }
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
