//! The command line: `canopy [serve]` and the subcommands for scripts.

mod analyze;
mod offers;
mod runs;
mod sim;

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::config::{DatabaseConfig, MarketplaceConfig, default_data_dir};
use crate::error::CanopyError;
use crate::secret::Secret;
use crate::startup::{Application, RunOptions, ServeConfig};

#[derive(Parser, Debug)]
#[command(
    name = "canopy",
    version,
    about = "Run ML smoke runs on rented GPUs: gate offers, watch runs, decide fast.",
    long_about = "Canopy serves its web app by default (`canopy` = `canopy serve`).\n\
                  With no DATABASE_URL it runs a private PostgreSQL cluster; with no \
                  VAST_API_KEY it uses the built-in simulated marketplace."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub global: GlobalArgs,
    /// More log output (debug level for Canopy's own crates).
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

#[derive(Args, Debug, Clone)]
pub struct GlobalArgs {
    /// PostgreSQL URL (e.g. the team's shared database). Without it Canopy runs its own cluster.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<Secret>,
    /// Where the private cluster and other local state live.
    #[arg(long, env = "CANOPY_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// Vast.ai API key. Without it Canopy uses the simulated marketplace.
    #[arg(long, env = "VAST_API_KEY", global = true, hide_env_values = true)]
    pub vast_api_key: Option<Secret>,
    /// Use the simulated marketplace even when a key is set.
    /// (`CANOPY_SIM=1`, `true`, `yes` or `on` in the environment.)
    #[arg(long, env = "CANOPY_SIM", global = true, action = clap::ArgAction::SetTrue,
          value_parser = clap::builder::BoolishValueParser::new())]
    pub sim: bool,
    /// Base URL of a Vast-compatible API (e.g. a standalone `canopy sim`); default: the real
    /// Vast.ai with a key, else an in-process simulator.
    #[arg(long, env = "VAST_URL", global = true)]
    pub vast_url: Option<String>,
    /// Slack-compatible webhook URL for alerts (verdict changes, fatal errors).
    #[arg(
        long,
        env = "CANOPY_ALERT_WEBHOOK",
        global = true,
        hide_env_values = true
    )]
    pub alert_webhook: Option<Secret>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the web app (the default).
    Serve(ServeArgs),
    /// Run the Vast-compatible marketplace simulator on its own (the real `vastai` CLI can talk to it).
    Sim(sim::SimArgs),
    /// Search the marketplace with the `vastai search offers` query language.
    #[command(subcommand)]
    Offers(offers::OffersCommand),
    /// Smoke runs: launch, list, show, kill.
    #[command(subcommand)]
    Runs(runs::RunsCommand),
    /// Analyze a training log: format, steps, throughput, pauses, loss, errors, verdict.
    Analyze(analyze::AnalyzeArgs),
}

#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "CANOPY_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,
}

impl GlobalArgs {
    pub fn database(&self) -> DatabaseConfig {
        match &self.database_url {
            Some(url) if !url.expose().trim().is_empty() => DatabaseConfig::External(url.clone()),
            _ => DatabaseConfig::Embedded {
                data_dir: self.data_dir.clone().unwrap_or_else(default_data_dir),
            },
        }
    }

    pub fn marketplace(&self) -> MarketplaceConfig {
        MarketplaceConfig::choose(self.vast_api_key.clone(), self.sim)
    }

    pub fn run_options(&self) -> RunOptions {
        RunOptions {
            data_dir: Some(self.data_dir.clone().unwrap_or_else(default_data_dir)),
            vast_url: self.vast_url.clone().filter(|u| !u.trim().is_empty()),
            watch: None,
            alert_webhook: self.alert_webhook.clone(),
        }
    }
}

pub async fn run(cli: Cli) -> Result<(), CanopyError> {
    match cli.command {
        None => {
            let args = ServeArgs::parse_from_env();
            serve(&cli.global, args).await
        }
        Some(Command::Serve(args)) => serve(&cli.global, args).await,
        Some(Command::Sim(args)) => sim::run(args).await,
        Some(Command::Offers(command)) => offers::run(&cli.global, command).await,
        Some(Command::Analyze(args)) => analyze::run(args),
        Some(Command::Runs(command)) => runs::run(&cli.global, command).await,
    }
}

impl ServeArgs {
    /// `canopy` with no subcommand serves with the defaults (and `CANOPY_ADDR`).
    fn parse_from_env() -> Self {
        #[derive(Parser)]
        struct Only {
            #[command(flatten)]
            serve: ServeArgs,
        }
        Only::parse_from(["canopy"]).serve
    }
}

async fn serve(global: &GlobalArgs, args: ServeArgs) -> Result<(), CanopyError> {
    let config = ServeConfig {
        addr: args.addr,
        database: global.database(),
        marketplace: global.marketplace(),
        options: global.run_options(),
    };
    let app = Application::build(config).await?;
    tracing::info!("Canopy is serving on http://{}", app.local_addr());
    app.run_until(shutdown_signal()).await
}

/// Ctrl-C or SIGTERM: stop accepting, finish requests, stop the database.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn no_subcommand_means_serve() {
        let cli = Cli::try_parse_from(["canopy"]).unwrap();
        assert!(cli.command.is_none());
    }
}
