//! Smoke runs end to end: launch through the server function, the watcher
//! follows the simulated H200 host over real SSH, the run JSON tells how it
//! went. The marketplace simulator is the test's own (faster clock), so it
//! outlives an app that is stopped and restarted.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use app::domain::run_view::RunView;
use serde_json::Value;
use server::market::simulator_with_hosts;
use server::runs::WatchConfig;
use server::startup::RunOptions;
use server::vast::{ApiKey, SearchQuery, SimConfig, SimHandle, VastClient};
use sqlx::postgres::PgConnectOptions;

use crate::helpers::{RunningApp, TestApp, fresh_database, spawn_app_on};

/// Simulated seconds per real second: a 45 s image pull takes ~4 s.
const SPEED: f64 = 12.0;

struct World {
    sim: SimHandle,
    vast: VastClient,
    data_dir: PathBuf,
    db: PgConnectOptions,
}

impl World {
    async fn new(tag: &str) -> World {
        let sim = simulator_with_hosts(SimConfig {
            speed: SPEED,
            ..SimConfig::default()
        })
        .expect("simulator")
        .spawn("127.0.0.1:0".parse().unwrap())
        .await
        .expect("simulator binds");
        let vast = VastClient::new(sim.base_url(), Some(ApiKey::new("test"))).unwrap();
        let data_dir =
            std::env::temp_dir().join(format!("canopy-runs-test-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&data_dir);
        World {
            sim,
            vast,
            data_dir,
            db: fresh_database().await,
        }
    }

    fn options(&self) -> RunOptions {
        let mut watch = WatchConfig::scaled(SPEED);
        watch.cadence = Duration::from_millis(300);
        watch.idle_cadence = Duration::from_millis(500);
        watch.lease_ttl = Duration::from_secs(3);
        watch.supervise_every = Duration::from_millis(300);
        watch.idle_grace = Duration::from_secs(120);
        RunOptions {
            data_dir: Some(self.data_dir.clone()),
            vast_url: Some(self.sim.base_url()),
            watch: Some(watch),
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
    fields.extend_from_slice(extra);
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

fn step_status(v: &RunView, step: &str) -> String {
    v.checklist
        .iter()
        .find(|r| serde_json::to_value(r.step).unwrap() == step)
        .map(|r| {
            serde_json::to_value(r.status)
                .unwrap()
                .as_str()
                .unwrap()
                .to_string()
        })
        .unwrap_or_else(|| panic!("no {step} row"))
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
