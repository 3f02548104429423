//! `canopy runs launch | list | show | kill`: smoke runs from scripts and CI.
//! The same service as the web app, against the same database.

use std::time::Duration;

use clap::{Args, Subcommand};

use app::domain::launch::LaunchInput;
use app::domain::run_view::{RunView, fmt_opt};
use app::ports::RunControl;

use crate::cli::GlobalArgs;
use crate::db::Database;
use crate::error::CanopyError;
use crate::market::VastMarketplace;
use crate::runs::RunService;
use crate::startup::build_runs;

#[derive(Subcommand, Debug)]
pub enum RunsCommand {
    /// Rent an offer and start a smoke run on it.
    Launch(Box<LaunchArgs>),
    /// Every run, live ones first.
    List(ListArgs),
    /// One run: checklist, live numbers, verdict, events.
    Show(ShowArgs),
    /// Stop a run and destroy its instance.
    Kill(KillArgs),
    /// Start the full command on the same host (a finished smoke only).
    Promote(PromoteArgs),
    /// The same launch on another host with the same GPUs (the old one is destroyed).
    Switch(ShowArgs),
    /// Apply a hint: relaunch with an edited command / environment as a new run.
    Relaunch(RelaunchArgs),
}

#[derive(Args, Debug)]
pub struct PromoteArgs {
    pub id: i64,
    /// Stop the full run when its spend reaches this many dollars.
    #[arg(long = "budget", default_value = "")]
    pub budget_usd: String,
}

#[derive(Args, Debug)]
pub struct RelaunchArgs {
    pub id: i64,
    #[arg(long = "smoke-cmd", default_value = "")]
    pub smoke_cmd: String,
    /// KEY=VALUE, repeatable.
    #[arg(long = "env")]
    pub env: Vec<String>,
    /// The hint applied (recorded with the action).
    #[arg(long, default_value = "edited by hand")]
    pub why: String,
}

#[derive(Args, Debug)]
pub struct LaunchArgs {
    /// The offer id (from `canopy offers search`).
    #[arg(long = "offer")]
    pub offer: String,
    #[arg(long)]
    pub image: String,
    /// The command that trains for a few steps (kept verbatim, one shell word).
    #[arg(long = "smoke-cmd")]
    pub smoke_cmd: String,
    /// 20-100 (default 50).
    #[arg(long = "smoke-steps", default_value = "")]
    pub smoke_steps: String,
    /// The training log on the host (default smoke.log in the work dir).
    #[arg(long = "log", default_value = "")]
    pub log: String,
    /// Commands run before the smoke (clone, install).
    #[arg(long, default_value = "")]
    pub bootstrap: String,
    /// KEY=VALUE, repeatable.
    #[arg(long = "env")]
    pub env: Vec<String>,
    #[arg(long = "disk", default_value = "")]
    pub disk_gb: String,
    #[arg(long = "expected-steps-per-sec", default_value = "")]
    pub expected_steps_per_sec: String,
    /// Budget cap for the smoke in dollars (default 5).
    #[arg(long = "budget", default_value = "")]
    pub budget_usd: String,
    /// ask (default) or auto.
    #[arg(long = "kill-policy", default_value = "")]
    pub kill_policy: String,
    #[arg(long, default_value = "")]
    pub label: String,
    /// Steps of the full run, for its ETA and cost.
    #[arg(long = "full-steps", default_value = "")]
    pub full_steps: String,
    /// The full run's command, started by `canopy runs promote` (default: the smoke command).
    #[arg(long = "full-cmd", default_value = "")]
    pub full_cmd: String,
    /// The simulated host's scenario (simulated marketplace only).
    #[arg(long, default_value = "")]
    pub scenario: String,
    /// Return when the smoke reaches a verdict (or the run ends).
    #[arg(long)]
    pub wait: bool,
    /// Print the run as JSON.
    #[arg(long)]
    pub json: bool,
    /// Give up waiting after this many seconds.
    #[arg(long = "timeout", default_value_t = 3600)]
    pub timeout_s: u64,
}

#[derive(Args, Debug)]
pub struct ListArgs {
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct ShowArgs {
    pub id: i64,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct KillArgs {
    pub id: i64,
    /// Recorded with the action.
    #[arg(long, default_value = "")]
    pub why: String,
}

pub async fn run(global: &GlobalArgs, command: RunsCommand) -> Result<(), CanopyError> {
    let database = Database::open(&global.database()).await?;
    let options = global.run_options();
    let market = VastMarketplace::start(&global.marketplace(), options.vast_url.as_deref())
        .await
        .map_err(CanopyError::Simulator)?;
    let in_process_sim = options.vast_url.is_none()
        && matches!(
            global.marketplace(),
            crate::config::MarketplaceConfig::Simulated
        );
    let runs = build_runs(&database, &market, &options)?;
    let result = match command {
        RunsCommand::Launch(args) => launch(&runs, *args, in_process_sim).await,
        RunsCommand::List(args) => list(&runs, args).await,
        RunsCommand::Show(args) => {
            let view = runs.show(args.id).await?;
            print_run(&view, args.json);
            Ok(())
        }
        RunsCommand::Promote(args) => {
            let budget =
                app::domain::actions::parse_budget(&args.budget_usd).map_err(CanopyError::Input)?;
            runs.promote(args.id, "cli", budget).await?;
            println!(
                "run {}: promote requested; its watcher starts the full run at the next check",
                args.id
            );
            Ok(())
        }
        RunsCommand::Switch(args) => {
            let new_id = runs.switch(args.id, "cli").await?;
            println!("run {} switched: continued as run {new_id}", args.id);
            Ok(())
        }
        RunsCommand::Relaunch(args) => {
            let edits = app::domain::actions::RelaunchEdits {
                smoke_cmd: args.smoke_cmd,
                env: args.env.join("\n"),
                why: args.why,
            };
            let new_id = runs.relaunch(args.id, "cli", &edits).await?;
            println!("run {} relaunched as run {new_id}", args.id);
            Ok(())
        }
        RunsCommand::Kill(args) => {
            let view = runs.kill(args.id, "cli", &args.why).await?;
            println!(
                "run {} {}: {}",
                view.id,
                view.status,
                view.end_reason.as_deref().unwrap_or("")
            );
            Ok(())
        }
    };
    runs.shutdown().await;
    drop(market);
    database.close().await;
    result
}

async fn launch(
    runs: &RunService,
    args: LaunchArgs,
    in_process_sim: bool,
) -> Result<(), CanopyError> {
    let input = LaunchInput {
        offer_id: args.offer,
        image: args.image,
        disk_gb: args.disk_gb,
        env: args.env.join("\n"),
        bootstrap: args.bootstrap,
        smoke_cmd: args.smoke_cmd,
        smoke_steps: args.smoke_steps,
        log_path: args.log,
        expected_steps_per_sec: args.expected_steps_per_sec,
        budget_usd: args.budget_usd,
        kill_policy: args.kill_policy,
        label: args.label,
        full_steps: args.full_steps,
        full_cmd: args.full_cmd,
        scenario: args.scenario,
        profile: String::new(),
    };
    // Watchers of this process (and runs orphaned by others) are followed
    // while the command runs.
    let supervisor = runs.start();
    let id = runs.launch(input).await?;
    let wait = args.wait || in_process_sim;
    if !args.wait && in_process_sim {
        eprintln!(
            "note: the built-in simulated marketplace lives in this command, so it waits for the \
             smoke's verdict (point VAST_URL at `canopy sim` to launch and return at once)"
        );
    }
    if !wait {
        supervisor.abort();
        let view = runs.show(id).await?;
        print_run(&view, args.json);
        return Ok(());
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(args.timeout_s);
    let mut view = runs.show(id).await?;
    let mut seen_events = 0;
    while view.is_live && view.phase != "awaiting_decision" {
        if !args.json {
            for e in view.events.iter().skip(seen_events) {
                eprintln!("[{}] {}", e.kind, e.message);
            }
            seen_events = view.events.len();
        }
        if tokio::time::Instant::now() > deadline {
            supervisor.abort();
            return Err(CanopyError::Input(format!(
                "run {id} did not reach a verdict within {} s (still {}); it goes on",
                args.timeout_s, view.status
            )));
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
        view = runs.show(id).await?;
    }
    supervisor.abort();
    if in_process_sim && view.is_live {
        runs.end_after_smoke(
            id,
            "smoke finished; the built-in simulator stops with this command, so its instance was destroyed",
        )
        .await?;
        // The verdict and numbers stay; the status now says how it ended.
        let ended = runs.show(id).await?;
        view.status = ended.status;
        view.end_reason = ended.end_reason;
        view.is_live = ended.is_live;
        view.events = ended.events;
    }
    print_run(&view, args.json);
    Ok(())
}

async fn list(runs: &RunService, args: ListArgs) -> Result<(), CanopyError> {
    let list = runs.list(200).await?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&list).unwrap_or_default()
        );
        return Ok(());
    }
    if list.is_empty() {
        println!("no runs yet");
        return Ok(());
    }
    println!(
        "{:>6}  {:<11}  {:<22}  {:>8}  {:>8}  {:>9}  {:<8}  LABEL",
        "ID", "STATUS", "GPU", "$/H", "SPENT", "STEP/S", "VERDICT"
    );
    for r in list {
        println!(
            "{:>6}  {:<11}  {:<22}  {:>8}  {:>8}  {:>9}  {:<8}  {}",
            r.id,
            r.status,
            r.offer.gpus(),
            fmt_opt(r.offer.dph_total, 3, ""),
            fmt_opt(r.spend_usd, 2, ""),
            fmt_opt(r.steps_per_sec, 2, ""),
            r.decision.as_deref().unwrap_or("—"),
            r.label
        );
    }
    Ok(())
}

fn print_run(view: &RunView, json: bool) {
    if json {
        println!("{}", serde_json::to_string_pretty(view).unwrap_or_default());
        return;
    }
    println!("run {} — {}", view.id, view.label);
    println!(
        "status {} ({}), {} at ${}/h, spent ${}",
        view.status,
        view.phase,
        view.offer.gpus(),
        fmt_opt(view.offer.dph_total, 3, ""),
        fmt_opt(view.spend_usd, 2, "")
    );
    if let Some(r) = &view.end_reason {
        println!("ended: {r}");
    }
    println!("checklist:");
    for row in &view.checklist {
        let status = serde_json::to_value(row.status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        println!(
            "  {:<8} {:<20} {:>7}  {}",
            status,
            row.step.label(),
            fmt_opt(row.seconds, 1, " s"),
            row.detail
        );
    }
    let l = &view.live;
    println!(
        "live: step {} — {} step/s (p25 {}, p90 {}), GPU util p50 {}, GPU memory {}, eval {} × {}, transfer {}",
        l.last_step.map_or("—".into(), |s| s.to_string()),
        fmt_opt(l.steps_per_sec.p50, 2, ""),
        fmt_opt(l.steps_per_sec.p25, 2, ""),
        fmt_opt(l.steps_per_sec.p90, 2, ""),
        fmt_opt(l.gpu_util.p50, 0, "%"),
        fmt_opt(l.gpu_mem_used_mb, 0, " MiB"),
        l.eval.count,
        fmt_opt(l.eval.mean_s, 1, " s"),
        fmt_opt(l.transfer_mbps, 1, " MB/s"),
    );
    match &view.verdict {
        Some(v) => println!("verdict: {}", v.summary),
        None => println!("verdict: none yet"),
    }
}
