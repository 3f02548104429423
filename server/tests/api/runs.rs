//! Smoke runs end to end: launch through the server function, the watcher
//! follows the simulated H200 host over real SSH, the run JSON tells how it
//! went. The marketplace simulator is the test's own (faster clock), so it
//! outlives an app that is stopped and restarted.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use app::domain::run_view::RunView;
use serde_json::Value;
use server::market::simulator_with_host_backend;
use server::runs::WatchConfig;
use server::sim_hosts::HostBackend;
use server::startup::RunOptions;
use server::vast::{ApiKey, SearchQuery, SimConfig, SimHandle, VastClient};
use sqlx::postgres::PgConnectOptions;

use crate::helpers::{RunningApp, TestApp, fresh_database, spawn_app_on};

/// Simulated seconds per real second: a 45 s image pull takes ~4 s.
const SPEED: f64 = 12.0;
/// For the tests whose rules need many checks inside one smoke.
const RULES_SPEED: f64 = 5.0;

struct World {
    /// Simulated seconds per real second.
    speed: f64,
    sim: SimHandle,
    vast: VastClient,
    data_dir: PathBuf,
    db: PgConnectOptions,
}

impl World {
    async fn new(tag: &str) -> World {
        Self::with(tag, HostBackend::InProcess, SPEED).await
    }

    async fn with_backend(tag: &str, backend: HostBackend) -> World {
        Self::with(tag, backend, SPEED).await
    }

    /// The rules judge over several checks: scenarios that must fire one
    /// run at a slower clock, so a 100-step smoke spans enough checks even
    /// on a busy machine.
    async fn slower(tag: &str) -> World {
        Self::with(tag, HostBackend::InProcess, RULES_SPEED).await
    }

    async fn with(tag: &str, backend: HostBackend, speed: f64) -> World {
        let sim = simulator_with_host_backend(
            SimConfig {
                speed,
                ..SimConfig::default()
            },
            backend,
        )
        .expect("simulator")
        .spawn("127.0.0.1:0".parse().unwrap())
        .await
        .expect("simulator binds");
        let vast = VastClient::new(sim.base_url(), Some(ApiKey::new("test"))).unwrap();
        let data_dir =
            std::env::temp_dir().join(format!("canopy-runs-test-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&data_dir);
        World {
            speed,
            sim,
            vast,
            data_dir,
            db: fresh_database().await,
        }
    }

    fn options(&self) -> RunOptions {
        let mut watch = WatchConfig::scaled(self.speed);
        watch.cadence = Duration::from_millis(300);
        watch.idle_cadence = Duration::from_millis(500);
        watch.lease_ttl = Duration::from_secs(3);
        watch.supervise_every = Duration::from_millis(300);
        watch.idle_grace = Duration::from_secs(120);
        RunOptions {
            data_dir: Some(self.data_dir.clone()),
            vast_url: Some(self.sim.base_url()),
            watch: Some(watch),
            alert_webhook: None,
        }
    }

    async fn app(&self) -> RunningApp {
        spawn_app_on(self.db.clone(), self.options()).await
    }

    /// An H200 offer (the traces' GPU, so replay runs at recorded speed).
    async fn h200_offer(&self) -> u64 {
        let mut q = SearchQuery::default();
        q.0.insert("gpu_name".into(), serde_json::json!({"eq": "H200"}));
        q.0.insert("num_gpus".into(), serde_json::json!({"eq": 1}));
        let offers = self.vast.search_offers(&q).await.expect("search");
        offers.first().expect("an H200 offer").id
    }

    async fn instances_labelled(&self, label: &str) -> usize {
        self.vast.find_by_label(label).await.expect("list").len()
    }
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn post(app: &TestApp, path: &str, fields: &[(&str, String)]) -> Value {
    let body = fields
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let response = app
        .client
        .post(app.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", "application/json")
        .body(body)
        .send()
        .await
        .expect("request");
    let status = response.status();
    let text = response.text().await.expect("body");
    assert!(status.is_success(), "{path}: {status} {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}: {text}"))
}

async fn launch(app: &TestApp, fields: &[(&str, &str)]) -> Value {
    let fields: Vec<(String, String)> = fields
        .iter()
        .map(|(k, v)| (format!("input[{k}]"), v.to_string()))
        .collect();
    let fields: Vec<(&str, String)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    post(app, "/api/runs/launch", &fields).await
}

async fn launch_ok(app: &TestApp, offer: u64, scenario: &str, extra: &[(&str, &str)]) -> i64 {
    let offer = offer.to_string();
    let mut fields = vec![
        ("offer_id", offer.as_str()),
        ("image", "pytorch/pytorch:latest"),
        ("smoke_cmd", "python train.py --max_steps 50"),
        ("scenario", scenario),
    ];
    for (k, v) in extra {
        fields.retain(|(key, _)| key != k);
        fields.push((k, v));
    }
    let answer = launch(app, &fields).await;
    answer["Launched"]["run_id"]
        .as_i64()
        .unwrap_or_else(|| panic!("{scenario}: launch answered {answer}"))
}

async fn show(app: &TestApp, id: i64) -> RunView {
    let v = post(app, "/api/runs/show", &[("id", id.to_string())]).await;
    serde_json::from_value(v).expect("run view")
}

/// Polls the run until `done` holds (or fails with the last view).
async fn wait_for(
    app: &TestApp,
    id: i64,
    what: &str,
    limit: Duration,
    done: impl Fn(&RunView) -> bool,
) -> RunView {
    let start = Instant::now();
    loop {
        let view = show(app, id).await;
        if done(&view) {
            return view;
        }
        if start.elapsed() > limit {
            panic!(
                "run {id}: not {what} after {limit:?}: status {} phase {}\nchecklist {:#?}\nevents {:#?}",
                view.status, view.phase, view.checklist, view.events
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn settled(v: &RunView) -> bool {
    !v.is_live || v.phase == "awaiting_decision"
}

fn events_text(v: &RunView) -> String {
    v.events
        .iter()
        .map(|e| format!("[{}] {}", e.kind, e.message))
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_healthy_smoke_goes_from_offer_to_first_numbers_and_stops_at_its_steps() {
    let world = World::new("healthy").await;
    let app = world.app().await;
    let offer = world.h200_offer().await;
    let id = launch_ok(
        &app.app,
        offer,
        "healthy_hf",
        &[
            ("expected_steps_per_sec", "8"),
            ("bootstrap", "pip install -r requirements.txt"),
        ],
    )
    .await;
    let v = wait_for(&app.app, id, "settled", Duration::from_secs(90), settled).await;
    for row in &v.checklist {
        assert_eq!(
            serde_json::to_value(row.status).unwrap(),
            "passed",
            "{row:?}\n{}",
            events_text(&v)
        );
        assert!(row.seconds.is_some(), "{row:?}");
    }
    assert_eq!(v.phase, "awaiting_decision", "{}", events_text(&v));
    assert!(v.is_live, "the instance waits for promote / destroy");
    assert!(v.idle_deadline_ms.is_some());
    let live = &v.live;
    let p50 = live.steps_per_sec.p50.expect("step/s");
    // The recorded run trains at ~8.2 it/s on the H200 (simulated time is
    // SPEED× faster, and the watcher measures on its own clock).
    let per_sim_second = p50 / SPEED;
    assert!(
        (5.0..12.0).contains(&per_sim_second),
        "step/s {p50} = {per_sim_second} per simulated second"
    );
    assert!(live.gpu_util.p50.is_some_and(|u| u > 50.0), "{live:?}");
    assert!(live.gpu_mem_used_mb.is_some_and(|m| m > 1000.0), "{live:?}");
    assert!(live.transfer_mbps.is_some_and(|t| t > 0.0), "{live:?}");
    assert!(live.last_step.is_some_and(|s| s >= 50), "{live:?}");
    assert_eq!(live.format.as_deref(), Some("hf_trainer"));
    assert!(!v.log_tail.is_empty());
    let verdict = v.verdict.as_ref().expect("a verdict");
    assert_eq!(
        serde_json::to_value(verdict.decision).unwrap(),
        "keep",
        "{}",
        verdict.summary
    );
    let events = events_text(&v);
    for needle in [
        "rented instance",
        "Instance running passed",
        "SSH reachable passed",
        "GPUs visible passed",
        "Bootstrap done passed: bootstrap exited 0",
        "Smoke run started passed",
        "Progressing passed",
        "First live numbers passed",
        "Canopy stopped the process",
        "smoke finished",
    ] {
        assert!(events.contains(needle), "missing {needle:?} in\n{events}");
    }

    // The next launch form on an H200 is pre-filled from this run.
    let other = world.h200_offer().await;
    let choices = post(
        &app.app,
        "/api/runs/launch_options",
        &[("offer_id", other.to_string())],
    )
    .await;
    assert_eq!(choices["expected"]["runs"], 1, "{choices}");
    assert_eq!(choices["expected"]["gpu_name"], "H200");
    assert!(choices["expected"]["steps_per_sec"].as_f64().unwrap() > 0.0);

    // One tap: kill destroys the instance, verified gone.
    let killed = post(
        &app.app,
        "/api/runs/kill",
        &[("id", id.to_string()), ("why", "done looking".into())],
    )
    .await;
    assert_eq!(killed["status"], "killed");
    assert_eq!(
        world.instances_labelled(&format!("canopy-run-{id}")).await,
        0
    );
    app.stop().await;
}

impl World {
    /// `n` single-GPU offers, fastest GPUs first (replays run at the GPU's
    /// speed relative to the H200 they were recorded on).
    async fn fast_offers(&self, n: usize) -> Vec<u64> {
        let mut q = SearchQuery::default();
        q.0.insert("num_gpus".into(), serde_json::json!({"eq": 1}));
        q.0.insert("order".into(), serde_json::json!([["dlperf", "desc"]]));
        q.0.insert("limit".into(), serde_json::json!(n));
        let offers = self.vast.search_offers(&q).await.expect("search");
        assert!(offers.len() >= n, "only {} offers", offers.len());
        offers.iter().take(n).map(|o| o.id).collect()
    }
}

/// What a scenario must end with.
struct Expect {
    scenario: &'static str,
    /// The failed step (`None`: the whole checklist passes).
    failed: Option<(&'static str, &'static str)>,
    /// The verdict and a rule that must have fired (`None`: no check).
    decision: Option<&'static str>,
    fired: Option<&'static str>,
    event: Option<&'static str>,
}

const EXPECT: &[Expect] = &[
    // The throughput and utilisation rules need the recorded H200 speed:
    // these come first and get the fastest offers (H200s).
    Expect {
        scenario: "slow_host",
        failed: None,
        decision: Some("switch"),
        fired: Some("throughput_low"),
        event: None,
    },
    Expect {
        scenario: "input_bound",
        failed: None,
        decision: Some("optimize"),
        fired: Some("gpu_util_low"),
        event: None,
    },
    Expect {
        scenario: "healthy_hf",
        failed: None,
        decision: Some("keep"),
        fired: None,
        event: Some("Canopy stopped the process"),
    },
    Expect {
        scenario: "healthy_nanogpt",
        failed: None,
        decision: Some("keep"),
        fired: None,
        event: Some("Canopy stopped the process"),
    },
    Expect {
        scenario: "flat_loss",
        failed: None,
        decision: Some("optimize"),
        fired: Some("flat_loss"),
        event: None,
    },
    Expect {
        scenario: "oom",
        failed: Some(("progressing", "CUDA out of memory")),
        decision: Some("kill"),
        fired: Some("fatal_error"),
        event: Some("destroyed instance"),
    },
    Expect {
        scenario: "import_error",
        failed: Some(("progressing", "missing Python module")),
        decision: Some("kill"),
        fired: Some("fatal_error"),
        event: Some("destroyed instance"),
    },
    Expect {
        scenario: "pip_fail",
        failed: Some(("bootstrap_done", "dependency error")),
        decision: None,
        fired: None,
        event: Some("destroyed instance"),
    },
    // Lightning's rich bar writes nothing to a file until the end.
    Expect {
        scenario: "silent_bar",
        failed: Some(("progressing", "before the step counter increased")),
        decision: None,
        fired: None,
        event: Some("destroyed instance"),
    },
    Expect {
        scenario: "stuck_loading",
        failed: Some(("instance_running", "stuck in loading")),
        decision: None,
        fired: None,
        event: Some("destroyed instance"),
    },
    Expect {
        scenario: "host_offline",
        failed: Some(("", "host unreachable")),
        decision: None,
        fired: None,
        event: Some("destroyed instance"),
    },
    Expect {
        scenario: "ssh_drop",
        failed: None,
        decision: Some("keep"),
        fired: None,
        event: Some("reachable again"),
    },
    Expect {
        scenario: "log_rotated",
        failed: None,
        decision: Some("keep"),
        fired: None,
        event: None,
    },
];

/// Every scenario of the simulated hosts, launched at once on one server:
/// the checklist outcome, the verdict and the events each must produce, and
/// no instance left behind by a failed run.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scenario_ends_with_the_checklist_outcome_it_should() {
    let world = World::slower("scenarios").await;
    let mut options = world.options();
    if let Some(w) = options.watch.as_mut() {
        // The utilisation rule wants 10 samples inside its window: enough
        // checks even when the machine is busy with other tests.
        w.cadence = Duration::from_millis(200);
        w.assess.rules.util_window_s = 8.0;
    }
    let app = spawn_app_on(world.db.clone(), options).await;
    let names = server::ssh::Scenario::names();
    assert_eq!(EXPECT.len(), names.len(), "a case for every scenario");
    let offers = world.fast_offers(EXPECT.len()).await;
    // The recorded run does ~8.2 step/s; the simulated clock runs faster.
    let expected = format!("{}", 8.2 * world.speed);
    let mut runs = Vec::new();
    for (case, offer) in EXPECT.iter().zip(&offers) {
        assert!(names.contains(&case.scenario), "{}", case.scenario);
        let bootstrap = if case.scenario == "pip_fail" {
            "pip install -r requirements.txt"
        } else {
            ""
        };
        let id = launch_ok(
            &app.app,
            *offer,
            case.scenario,
            &[
                ("bootstrap", bootstrap),
                (
                    "expected_steps_per_sec",
                    // Only where the trace is the HF run the number describes.
                    if matches!(case.scenario, "slow_host" | "healthy_hf") {
                        expected.as_str()
                    } else {
                        ""
                    },
                ),
                ("smoke_steps", "100"),
            ],
        )
        .await;
        runs.push((case, id));
    }
    let mut failures = Vec::new();
    for (case, id) in &runs {
        let v = wait_for(&app.app, *id, "settled", Duration::from_secs(300), settled).await;
        let events = events_text(&v);
        let mut problems = Vec::new();
        let failed = v
            .checklist
            .iter()
            .find(|r| serde_json::to_value(r.status).unwrap() == "failed");
        match (case.failed, failed) {
            // Lost after bring-up passed: the run's end says why.
            (Some(("", text)), _) => {
                let reason = v.end_reason.clone().unwrap_or_default();
                if v.status != "failed" || !reason.contains(text) {
                    problems.push(format!(
                        "status {} reason {reason:?}, expected {text:?}",
                        v.status
                    ));
                }
                if world.instances_labelled(&format!("canopy-run-{id}")).await != 0 {
                    problems.push("instance left running after a failed run".into());
                }
            }
            (None, None) => {
                if v.phase != "awaiting_decision" {
                    problems.push(format!("phase {}", v.phase));
                }
                if world.instances_labelled(&format!("canopy-run-{id}")).await != 1 {
                    problems.push("instance not kept for a decision".into());
                }
            }
            (None, Some(row)) => problems.push(format!("failed at {:?}: {}", row.step, row.detail)),
            (Some((step, text)), Some(row)) => {
                let got = serde_json::to_value(row.step).unwrap();
                if !step.is_empty() && got != step {
                    problems.push(format!("failed at {got}, expected {step}"));
                }
                if !row.detail.contains(text) {
                    problems.push(format!("failure {:?} lacks {text:?}", row.detail));
                }
                if v.status != "failed" {
                    problems.push(format!("status {}", v.status));
                }
                if world.instances_labelled(&format!("canopy-run-{id}")).await != 0 {
                    problems.push("instance left running after a failed run".into());
                }
            }
            (Some((step, _)), None) => problems.push(format!("expected a failure at {step}")),
        }
        if let Some(d) = case.decision {
            let got = v
                .verdict
                .as_ref()
                .map(|x| serde_json::to_value(x.decision).unwrap());
            if got.as_ref().and_then(|g| g.as_str()) != Some(d) {
                problems.push(format!(
                    "decision {got:?}, expected {d}: {:?}",
                    v.verdict.as_ref().map(|x| &x.summary)
                ));
            }
        }
        if let Some(rule) = case.fired {
            let fired = v
                .verdict
                .as_ref()
                .and_then(|x| x.rule(rule))
                .is_some_and(|r| r.is_fired());
            if !fired {
                problems.push(format!("rule {rule} did not fire"));
            }
        }
        if let Some(e) = case.event
            && !events.contains(e)
        {
            problems.push(format!("no event with {e:?}"));
        }
        if !problems.is_empty() {
            failures.push(format!(
                "== {} (run {id}): {}\n{events}",
                case.scenario,
                problems.join("; ")
            ));
        }
    }
    app.stop().await;
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Stop the server mid-run, start another on the same database: it takes
/// the lease over, resumes reading the log at the persisted offset, and
/// finds the same instance (no second rental).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_server_resumes_the_run_without_rereading_or_renting_again() {
    use sqlx::{ConnectOptions, Row};

    let world = World::new("restart").await;
    let first = world.app().await;
    let offer = world.h200_offer().await;
    let id = launch_ok(&first.app, offer, "healthy_hf", &[("smoke_steps", "100")]).await;
    wait_for(&first.app, id, "training", Duration::from_secs(90), |v| {
        v.live.last_step.is_some_and(|s| s >= 5) && v.log_bytes_read > 0
    })
    .await;
    first.stop().await;

    let mut db = world.db.clone().connect().await.expect("db");
    let row = sqlx::query(
        "SELECT log_offset, instance_id, ended_at IS NULL AS live FROM runs WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&mut db)
    .await
    .expect("run row");
    let offset: i64 = row.get("log_offset");
    let instance: Option<i64> = row.get("instance_id");
    assert!(
        row.get::<bool, _>("live"),
        "stopping a server does not end its runs"
    );
    assert!(offset > 0);

    let second = world.app().await;
    let v = wait_for(&second.app, id, "settled", Duration::from_secs(90), settled).await;
    let events = events_text(&v);
    let takeover = v
        .events
        .iter()
        .find(|e| e.message.contains("took the run over"))
        .unwrap_or_else(|| panic!("no takeover event:\n{events}"));
    assert!(
        takeover
            .message
            .contains(&format!("at log offset {offset} ")),
        "resumed elsewhere than the persisted offset {offset}: {}",
        takeover.message
    );
    assert_eq!(v.phase, "awaiting_decision", "{events}");
    assert!(v.log_bytes_read >= offset);
    assert_eq!(v.instance_id, instance, "same instance");
    assert_eq!(
        world.instances_labelled(&format!("canopy-run-{id}")).await,
        1,
        "exactly one instance for the run"
    );
    assert_eq!(
        events.matches("rented instance").count(),
        1,
        "rented once:\n{events}"
    );
    second.stop().await;
}

/// Bad launch input is answered field by field and rents nothing; a hostile
/// command travels as one quoted word and never runs on Canopy's machine.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_launch_input_rents_nothing_and_commands_are_never_run_here() {
    let world = World::new("bad-input").await;
    let app = world.app().await;
    let offer = world.h200_offer().await.to_string();
    let answer = launch(
        &app.app,
        &[
            ("offer_id", offer.as_str()),
            ("image", "my image:latest"),
            ("smoke_cmd", ""),
            ("smoke_steps", "10000"),
            ("env", "not a var"),
            ("scenario", "no_such_scenario"),
        ],
    )
    .await;
    let fields: Vec<&str> = answer["Invalid"]["fields"]
        .as_array()
        .unwrap_or_else(|| panic!("{answer}"))
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    for f in ["image", "smoke_cmd", "smoke_steps", "env", "scenario"] {
        assert!(fields.contains(&f), "{f} not reported: {answer}");
    }
    let zero = launch(
        &app.app,
        &[
            ("offer_id", offer.as_str()),
            ("image", "pytorch/pytorch"),
            ("smoke_cmd", "python x.py"),
            ("smoke_steps", "0"),
        ],
    )
    .await;
    assert!(
        zero["Invalid"]["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("20")
    );
    let gone = launch(
        &app.app,
        &[
            ("offer_id", "999999999"),
            ("image", "pytorch/pytorch"),
            ("smoke_cmd", "python x.py"),
        ],
    )
    .await;
    assert!(
        gone["Invalid"]["fields"][0]["message"]
            .as_str()
            .unwrap()
            .contains("not available"),
        "{gone}"
    );
    assert!(
        world.vast.list_instances().await.unwrap().is_empty(),
        "nothing rented"
    );

    // Quotes, newlines, $(…) and ; — kept verbatim, run by nobody here.
    let marker = std::env::temp_dir().join(format!("canopy-pwned-{}", std::process::id()));
    let _ = std::fs::remove_file(&marker);
    let hostile = format!(
        "touch {m}; echo \"$(touch {m})\" '\n' `touch {m}`\ntouch {m}",
        m = marker.display()
    );
    let id = launch_ok(
        &app.app,
        offer.parse().unwrap(),
        "healthy_hf",
        &[
            ("smoke_cmd", hostile.as_str()),
            ("bootstrap", hostile.as_str()),
        ],
    )
    .await;
    let v = wait_for(&app.app, id, "training", Duration::from_secs(90), |v| {
        v.live.last_step.is_some_and(|s| s > 0) || !v.is_live
    })
    .await;
    assert_eq!(v.smoke_cmd, hostile, "stored verbatim");
    assert!(!marker.exists(), "a user command ran on Canopy's machine");
    app.stop().await;
}

/// The same flow with Debian's OpenSSH in front of every simulated host:
/// launcher upload, detached launch, batched probes and kill through a real
/// sshd and login shell.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_flow_works_against_real_sshd() {
    if !server::ssh::sshd::available() {
        eprintln!("SKIPPED: /usr/sbin/sshd not installed (make test installs openssh-server)");
        return;
    }
    let world = World::with_backend("sshd", HostBackend::Sshd).await;
    let app = world.app().await;
    let offer = world.h200_offer().await;
    let id = launch_ok(
        &app.app,
        offer,
        "healthy_nanogpt",
        &[("bootstrap", "pip install -r requirements.txt")],
    )
    .await;
    let v = wait_for(&app.app, id, "settled", Duration::from_secs(120), settled).await;
    let events = events_text(&v);
    for row in &v.checklist {
        assert!(
            matches!(
                serde_json::to_value(row.status).unwrap().as_str(),
                Some("passed")
            ),
            "{row:?}\n{events}"
        );
    }
    assert_eq!(v.phase, "awaiting_decision", "{events}");
    assert_eq!(v.live.format.as_deref(), Some("nanogpt"));
    assert!(v.live.steps_per_sec.p50.is_some(), "{:?}", v.live);
    let killed = post(
        &app.app,
        "/api/runs/kill",
        &[("id", id.to_string()), ("why", String::new())],
    )
    .await;
    assert_eq!(killed["status"], "killed");
    app.stop().await;
}

/// Alerts go to a Slack-compatible webhook, one per change: a fatal smoke
/// gives its kill verdict and its end, never one per check; a healthy one
/// gives none.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_reach_the_webhook_once_per_change() {
    use std::sync::{Arc, Mutex};

    let received: Arc<Mutex<Vec<Value>>> = Arc::default();
    let sink = received.clone();
    let hook = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |axum::Json(body): axum::Json<Value>| {
            let sink = sink.clone();
            async move {
                sink.lock().unwrap().push(body);
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook_addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, hook).await });

    let world = World::new("alerts").await;
    let mut options = world.options();
    options.alert_webhook = Some(server::secret::Secret::new(format!(
        "http://{hook_addr}/hook"
    )));
    let app = spawn_app_on(world.db.clone(), options).await;
    let offers = world.fast_offers(2).await;
    let oom = launch_ok(&app.app, offers[0], "oom", &[]).await;
    let healthy = launch_ok(&app.app, offers[1], "healthy_nanogpt", &[]).await;
    let v = wait_for(&app.app, oom, "ended", Duration::from_secs(90), |v| {
        !v.is_live
    })
    .await;
    wait_for(
        &app.app,
        healthy,
        "settled",
        Duration::from_secs(90),
        settled,
    )
    .await;
    // Let the queue drain, and give a storm the time to show itself.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let texts: Vec<String> = received
        .lock()
        .unwrap()
        .iter()
        .map(|b| b["text"].as_str().unwrap_or("").to_string())
        .collect();
    let in_app: Vec<&str> = v
        .events
        .iter()
        .filter(|e| e.kind == "alert")
        .map(|e| e.message.as_str())
        .collect();
    assert_eq!(
        texts.len(),
        in_app.len(),
        "webhook {texts:#?}\nin-app {in_app:#?}"
    );
    assert_eq!(texts.len(), 2, "kill verdict and the run's end: {texts:#?}");
    assert!(
        texts
            .iter()
            .all(|t| t.starts_with(&format!("Canopy run #{oom}"))),
        "{texts:#?}"
    );
    assert!(
        texts[0].contains("kill") && texts[0].contains("CUDA out of memory"),
        "{texts:#?}"
    );
    assert!(texts[1].contains("run failed"), "{texts:#?}");
    app.stop().await;
}

/// Promote: the full command starts on the same host, the rules stay
/// armed, and the run ends when the full run does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn promote_runs_the_full_command_on_the_same_host() {
    let world = World::new("promote").await;
    let app = world.app().await;
    let offer = world.h200_offer().await;
    let id = launch_ok(
        &app.app,
        offer,
        "healthy_nanogpt",
        &[("full_cmd", "python train.py")],
    )
    .await;
    let smoke = wait_for(&app.app, id, "settled", Duration::from_secs(90), settled).await;
    assert_eq!(smoke.phase, "awaiting_decision", "{}", events_text(&smoke));
    post(
        &app.app,
        "/api/runs/promote",
        &[("id", id.to_string()), ("budget_usd", "50".into())],
    )
    .await;
    let v = wait_for(&app.app, id, "ended", Duration::from_secs(90), |v| {
        !v.is_live
    })
    .await;
    let events = events_text(&v);
    assert_eq!(v.status, "succeeded", "{events}");
    assert_eq!(
        v.end_reason.as_deref(),
        Some("full run finished (exit 0)"),
        "{events}"
    );
    assert!(
        events.contains("promoted by user: full run started"),
        "{events}"
    );
    assert_eq!(v.instance_id, smoke.instance_id, "same host");
    // The full run replays the whole trace: more steps than the smoke's cap.
    assert!(
        v.live.last_step.unwrap_or(0) > smoke.live.last_step.unwrap_or(0),
        "{:?}",
        v.live
    );
    assert_eq!(
        world.instances_labelled(&format!("canopy-run-{id}")).await,
        0
    );
    // A second promote of an ended run is refused with a reason.
    let again = app
        .app
        .client
        .post(app.app.url("/api/runs/promote"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("id={id}&budget_usd="))
        .send()
        .await
        .unwrap();
    assert!(!again.status().is_success());
    assert!(again.text().await.unwrap().contains("cannot be promoted"));
    app.stop().await;
}

/// Under the automatic policy a switch verdict switches once: the same
/// launch on another host with the same GPUs, the old instance destroyed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_automatic_policy_switches_a_slow_host_once() {
    let world = World::slower("switch").await;
    let app = world.app().await;
    let offer = world.h200_offer().await;
    let expected = format!("{}", 8.2 * world.speed);
    let id = launch_ok(
        &app.app,
        offer,
        "slow_host",
        &[
            ("expected_steps_per_sec", expected.as_str()),
            ("kill_policy", "auto"),
            ("smoke_steps", "100"),
        ],
    )
    .await;
    let old = wait_for(&app.app, id, "switched", Duration::from_secs(90), |v| {
        !v.is_live
    })
    .await;
    let events = events_text(&old);
    assert_eq!(old.status, "killed", "{events}");
    let reason = old.end_reason.clone().unwrap_or_default();
    assert!(
        reason.contains("switch by canopy (automatic policy)"),
        "{reason}\n{events}"
    );
    let new_id: i64 = reason
        .rsplit('#')
        .next()
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no new run in {reason:?}"));
    assert_eq!(
        world.instances_labelled(&format!("canopy-run-{id}")).await,
        0
    );
    let new = wait_for(
        &app.app,
        new_id,
        "settled",
        Duration::from_secs(90),
        settled,
    )
    .await;
    let new_events = events_text(&new);
    assert!(
        new.label.contains(&format!("switch from #{id}")),
        "{}",
        new.label
    );
    assert_ne!(new.offer.offer_id, old.offer.offer_id);
    assert_eq!(new.offer.gpu_name, old.offer.gpu_name);
    // Still slow (same scenario), but it does not hop again by itself.
    assert!(new.is_live || new.status != "killed", "{new_events}");
    assert!(!new_events.contains("continued as run"), "{new_events}");
    post(
        &app.app,
        "/api/runs/kill",
        &[("id", new_id.to_string()), ("why", String::new())],
    )
    .await;
    app.stop().await;
}

/// Apply-hint after a dependency failure: a new run with the edited
/// environment; when it fails the same way, the repeated-failure rule fires
/// (the new run carries the old one's attempts).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_hint_relaunches_and_repeated_failures_are_caught() {
    let world = World::new("relaunch").await;
    let app = world.app().await;
    let offer = world.h200_offer().await;
    let id = launch_ok(&app.app, offer, "import_error", &[]).await;
    let first = wait_for(&app.app, id, "ended", Duration::from_secs(90), |v| {
        !v.is_live
    })
    .await;
    assert_eq!(first.status, "failed");
    let new_id = post(
        &app.app,
        "/api/runs/relaunch",
        &[
            ("id", id.to_string()),
            ("edits[smoke_cmd]", String::new()),
            ("edits[env]", "FLASH_ATTN=0".into()),
            ("edits[why]", "install the missing module".into()),
        ],
    )
    .await
    .as_i64()
    .expect("new run id");
    let second = wait_for(&app.app, new_id, "ended", Duration::from_secs(90), |v| {
        !v.is_live
    })
    .await;
    let verdict = second.verdict.as_ref().expect("verdict");
    let rule = verdict.rule("repeated_failures").expect("rule present");
    assert!(rule.is_fired(), "{:?}\n{}", rule, events_text(&second));
    let old = show(&app.app, id).await;
    assert!(events_text(&old).contains(&format!("continued as run #{new_id}")));
    assert!(events_text(&second).contains("apply hint (install the missing module) by user"));
    app.stop().await;
}
