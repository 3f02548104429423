//! The runs repository against a real Postgres: round trips, event order, batched
//! samples, and the watcher lease (exclusive under races, taken over on expiry,
//! fencing a server that lost it).

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use app::domain::checklist::{Checklist, ChecklistConfig, GpuObservation, OfferExpectation, Step};
use app::domain::status::DatabaseMode;
use server::db::Database;
use server::db::runs::{
    EventKind, InstanceInfo, KillPolicy, LaunchSpec, NewEvent, NewRun, PgRuns, RunStatus,
    RunsError, Sample,
};

use crate::helpers::fresh_database;

const TTL: Duration = Duration::from_secs(60);
/// A lease that is already expired when granted: lets tests take one over
/// without sleeping.
const EXPIRED: Duration = Duration::ZERO;

async fn repo() -> PgRuns {
    let pool = server::db::connect(fresh_database().await)
        .await
        .expect("connect to the fresh test database");
    let db = Database::from_pool(pool, DatabaseMode::Embedded)
        .await
        .expect("migrations apply to a fresh database");
    PgRuns::new(db.pool().clone())
}

fn launch() -> LaunchSpec {
    LaunchSpec {
        image: "pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime".into(),
        disk_gb: 40,
        env: BTreeMap::from([("HF_HOME".to_string(), "/workspace/hf".to_string())]),
        bootstrap: Some("pip install -r requirements.txt".into()),
        smoke_cmd: "python train.py --max_steps 50".into(),
        steps: 50,
        log_path: "/workspace/smoke.log".into(),
        expected_steps_per_sec: Some(3.2),
        budget_cap_micro_usd: 2_500_000,
        kill_policy: KillPolicy::Auto,
        full_steps: None,
        scenario: None,
        full_cmd: None,
    }
}

fn new_run(label: &str) -> NewRun {
    NewRun {
        label: label.into(),
        offer_id: 28_123_456,
        offer: serde_json::json!({"id": 28_123_456, "gpu_name": "RTX 4090", "num_gpus": 2, "dph_total": 0.71}),
        profile: Some(serde_json::json!({"params_b": 1.3, "mode": "finetune"})),
        launch: launch(),
    }
}

fn checklist() -> Checklist {
    let mut c = Checklist::new(
        ChecklistConfig::default(),
        Some(OfferExpectation {
            gpu_count: 2,
            gpu_name: "RTX 4090".into(),
            gpu_mem_mb: 24564,
        }),
        1_700_000_000_000,
    );
    c.observe_instance_status(1_700_000_090_000, "running", None);
    c.ssh_ok(1_700_000_100_000, "203.0.113.7", 41022);
    c
}

fn event(kind: EventKind, step: Option<Step>, message: &str) -> NewEvent {
    NewEvent {
        kind,
        step,
        message: message.into(),
        data: None,
        at_ms: None,
    }
}

#[tokio::test]
async fn a_run_round_trips_with_its_snapshots() {
    let runs = repo().await;
    let run = new_run("llama-1b smoke on 2x4090");
    let id = runs.create(&run).await.expect("created");
    let got = runs.get(id).await.expect("read").expect("exists");
    assert_eq!(got.id, id);
    assert_eq!(got.label, run.label);
    assert_eq!(got.status, RunStatus::Pending);
    assert_eq!(got.offer_id, run.offer_id);
    assert_eq!(got.offer, run.offer);
    assert_eq!(got.profile, run.profile);
    assert_eq!(got.launch_spec().expect("decodes"), run.launch);
    assert_eq!(got.budget_cap_micro_usd, 2_500_000);
    assert_eq!(got.kill_policy, KillPolicy::Auto);
    assert_eq!(got.log_offset, 0);
    assert_eq!((got.checklist.clone(), got.verdict.clone()), (None, None));
    assert!(got.is_live() && got.end_reason.is_none());
    assert!(got.created_at_ms > 1_600_000_000_000);
    assert!(got.updated_at_ms >= got.created_at_ms);
    assert!(runs.get(id + 1000).await.expect("read").is_none());

    let info = InstanceInfo {
        instance_id: 9_876_543,
        ssh_host: Some("203.0.113.7".into()),
        ssh_port: Some(41022),
        host_key_fingerprint: Some("SHA256:abc".into()),
    };
    assert!(runs.set_instance(id, &info).await.expect("saved"));
    assert!(
        runs.set_status(id, RunStatus::BringingUp, None)
            .await
            .expect("saved")
    );
    let got = runs.get(id).await.expect("read").expect("exists");
    assert_eq!(got.instance_id, Some(9_876_543));
    assert_eq!(got.ssh_host.as_deref(), Some("203.0.113.7"));
    assert_eq!(got.ssh_port, Some(41022));
    assert_eq!(got.host_key_fingerprint.as_deref(), Some("SHA256:abc"));
    assert_eq!(got.status, RunStatus::BringingUp);
    assert!(got.is_live());

    assert!(
        runs.set_status(
            id,
            RunStatus::Failed,
            Some("stuck in loading for more than 10 min")
        )
        .await
        .expect("saved")
    );
    let ended = runs.get(id).await.expect("read").expect("exists");
    assert_eq!(ended.status, RunStatus::Failed);
    assert_eq!(
        ended.end_reason.as_deref(),
        Some("stuck in loading for more than 10 min")
    );
    assert!(ended.ended_at_ms.is_some());
    // A final status is never overwritten.
    assert!(
        !runs
            .set_status(id, RunStatus::Running, None)
            .await
            .expect("ran")
    );
    assert!(
        !runs
            .set_status(id, RunStatus::Killed, Some("late"))
            .await
            .expect("ran")
    );
    let still = runs.get(id).await.expect("read").expect("exists");
    assert_eq!(still.status, RunStatus::Failed);
    assert_eq!(still.end_reason, ended.end_reason);
}

#[tokio::test]
async fn the_database_refuses_bad_money_and_unknown_enums() {
    let runs = repo().await;
    for cap in [0, -1] {
        let mut run = new_run("bad cap");
        run.launch.budget_cap_micro_usd = cap;
        assert!(
            matches!(runs.create(&run).await, Err(RunsError::Query(_))),
            "cap {cap} accepted"
        );
    }
    let mut run = new_run("");
    run.label = String::new();
    assert!(runs.create(&run).await.is_err(), "empty label accepted");
    let pool = &runs.0;
    for sql in [
        "INSERT INTO runs (label, offer_id, offer, launch) VALUES ('x', 1, '{}', '{\"budget_cap_micro_usd\": 1.5, \"kill_policy\": \"ask\"}')",
        "INSERT INTO runs (label, offer_id, offer, launch) VALUES ('x', 1, '{}', '{\"budget_cap_micro_usd\": 5, \"kill_policy\": \"maybe\"}')",
        "INSERT INTO runs (label, offer_id, offer, launch) VALUES ('x', 1, '{}', '{\"kill_policy\": \"ask\"}')",
        "INSERT INTO runs (label, status, offer_id, offer, launch) VALUES ('x', 'bogus', 1, '{}', '{\"budget_cap_micro_usd\": 5, \"kill_policy\": \"ask\"}')",
        // Final status without ended_at, and the reverse.
        "INSERT INTO runs (label, status, offer_id, offer, launch) VALUES ('x', 'failed', 1, '{}', '{\"budget_cap_micro_usd\": 5, \"kill_policy\": \"ask\"}')",
        "INSERT INTO runs (label, offer_id, offer, launch, ended_at) VALUES ('x', 1, '{}', '{\"budget_cap_micro_usd\": 5, \"kill_policy\": \"ask\"}', now())",
    ] {
        assert!(
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(pool)
                .await
                .is_err(),
            "accepted: {sql}"
        );
    }
    let id = runs.create(&new_run("ok")).await.expect("created");
    let bad_event =
        sqlx::query("INSERT INTO run_events (run_id, kind, message) VALUES ($1, 'gossip', 'x')")
            .bind(id)
            .execute(pool)
            .await;
    assert!(bad_event.is_err());
}

#[tokio::test]
async fn live_runs_are_listed_first() {
    let runs = repo().await;
    let first = runs.create(&new_run("first")).await.expect("created");
    let second = runs.create(&new_run("second")).await.expect("created");
    let third = runs.create(&new_run("third")).await.expect("created");
    runs.set_status(second, RunStatus::Succeeded, Some("kept"))
        .await
        .expect("saved");
    let listed: Vec<i64> = runs
        .list(10)
        .await
        .expect("listed")
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(listed, vec![third, first, second]);
    assert_eq!(runs.list(1).await.expect("listed").len(), 1);
    assert_eq!(runs.live_ids().await.expect("listed"), vec![first, third]);
}

#[tokio::test]
async fn events_come_back_in_the_order_they_were_appended() {
    let runs = repo().await;
    let id = runs.create(&new_run("events")).await.expect("created");
    let other = runs.create(&new_run("other")).await.expect("created");
    let batch = vec![
        NewEvent {
            data: Some(serde_json::json!({"seconds": 95.0})),
            ..event(
                EventKind::Checklist,
                Some(Step::InstanceRunning),
                "instance is running",
            )
        },
        NewEvent {
            at_ms: Some(1_700_000_000_123),
            ..event(
                EventKind::Checklist,
                Some(Step::SshReachable),
                "ssh 203.0.113.7:41022",
            )
        },
        event(
            EventKind::Rule,
            None,
            "throughput below 70% of expectation for 2 checks",
        ),
    ];
    let ids = runs.append_events(id, &batch).await.expect("appended");
    assert_eq!(ids.len(), 3);
    runs.append_event(other, &event(EventKind::Note, None, "someone else's"))
        .await
        .expect("appended");
    let last = runs
        .append_event(id, &event(EventKind::Action, None, "  "))
        .await
        .expect("appended");
    let long = "x".repeat(5000);
    runs.append_event(id, &event(EventKind::Alert, None, &long))
        .await
        .expect("a long message is cut, not lost");
    assert!(
        runs.append_events(id, &[])
            .await
            .expect("nothing")
            .is_empty()
    );

    let got = runs.events(id, 0, 100).await.expect("read");
    let kinds: Vec<EventKind> = got.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            EventKind::Checklist,
            EventKind::Checklist,
            EventKind::Rule,
            EventKind::Action,
            EventKind::Alert
        ]
    );
    assert!(got.windows(2).all(|w| w[0].id < w[1].id));
    assert_eq!(got[0].step, Some(Step::InstanceRunning));
    assert_eq!(got[0].message, "instance is running");
    assert_eq!(got[0].data, Some(serde_json::json!({"seconds": 95.0})));
    assert_eq!(got[1].at_ms, 1_700_000_000_123);
    assert_eq!(got[2].step, None);
    assert!(
        got[0].at_ms > 1_700_000_000_123,
        "default time is the database clock"
    );
    assert_eq!(got[3].id, last);
    assert_eq!(got[3].message, "(no message)");
    assert_eq!(got[4].message.chars().count(), 4000);
    // A checklist transition becomes an event with its reason and row.
    let mut c = checklist();
    let row = c
        .gpus_seen(
            1_700_000_101_000,
            GpuObservation {
                count: 1,
                name: "NVIDIA GeForce RTX 4090".into(),
                mem_mb: 24564,
                driver: None,
                cuda: None,
            },
        )
        .expect("a transition");
    let ev_id = runs
        .append_event(id, &NewEvent::checklist(&row, Some(1_700_000_101_000)))
        .await
        .expect("appended");
    let ev = runs.events(id, ev_id - 1, 1).await.expect("read");
    assert_eq!(ev[0].step, Some(Step::GpusVisible));
    assert!(
        ev[0]
            .message
            .starts_with("GPUs visible failed: offer promised 2 GPU(s), nvidia-smi sees 1"),
        "{}",
        ev[0].message
    );
    assert_eq!(
        ev[0].data.as_ref().and_then(|d| d.get("status")),
        Some(&serde_json::json!("failed"))
    );
    assert_eq!(ev[0].at_ms, 1_700_000_101_000);
    // Paging by id.
    let page = runs.events(id, ids[1], 2).await.expect("read");
    assert_eq!(
        page.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![ids[2], last]
    );
}

#[tokio::test]
async fn samples_are_written_in_one_batch() {
    let runs = repo().await;
    let id = runs.create(&new_run("samples")).await.expect("created");
    let t0 = 1_700_000_000_000_i64;
    let batch: Vec<Sample> = (0..500)
        .map(|i| Sample {
            at_ms: t0 + i * 2000,
            step: Some(i),
            steps_per_sec: Some(3.0 + i as f64 / 1000.0),
            gpu_util_pct: Some(95.5),
            gpu_mem_used_mb: Some(20_480.0),
            gpu_power_w: Some(420.0),
            loss: Some(2.5 - i as f64 / 1000.0),
            eval_loss: (i % 100 == 0).then_some(2.4),
            learning_rate: Some(3e-4),
            log_bytes: Some(i * 512),
        })
        .collect();
    assert_eq!(
        runs.insert_samples(id, &batch).await.expect("inserted"),
        500
    );
    assert_eq!(runs.insert_samples(id, &[]).await.expect("nothing"), 0);
    let latest = runs.samples(id, 10).await.expect("read");
    assert_eq!(latest.as_slice(), &batch[490..]);

    // Parser junk becomes NULL instead of failing the check's whole batch.
    let junk = Sample {
        at_ms: t0 + 10_000_000,
        step: Some(-1),
        steps_per_sec: Some(f64::NAN),
        gpu_util_pct: Some(250.0),
        gpu_mem_used_mb: Some(-5.0),
        gpu_power_w: Some(f64::INFINITY),
        loss: Some(f64::NAN),
        eval_loss: None,
        learning_rate: None,
        log_bytes: Some(-3),
    };
    assert_eq!(
        runs.insert_samples(id, std::slice::from_ref(&junk))
            .await
            .expect("inserted"),
        1
    );
    let last = runs.samples(id, 1).await.expect("read");
    assert_eq!(
        last,
        vec![Sample {
            at_ms: junk.at_ms,
            ..Sample::default()
        }]
    );
}

#[tokio::test]
async fn of_many_racing_servers_exactly_one_gets_the_lease() {
    let runs = repo().await;
    let id = runs.create(&new_run("race")).await.expect("created");
    let mut tasks = Vec::new();
    for n in 0..12 {
        let runs = runs.clone();
        tasks.push(tokio::spawn(async move {
            let holder = format!("server-{n}");
            let got = runs.try_acquire(id, &holder, TTL).await.expect("ran");
            (holder, got)
        }));
    }
    let mut winners = Vec::new();
    for task in tasks {
        let (holder, got) = task.await.expect("task");
        if got {
            winners.push(holder);
        }
    }
    assert_eq!(winners.len(), 1, "{winners:?}");
    let winner = &winners[0];
    let lease = runs.lease(id).await.expect("read").expect("held");
    assert_eq!(&lease.holder, winner);
    assert!(lease.expires_at_ms > lease.acquired_at_ms);

    // Only the holder renews or releases; acquiring again is a renewal.
    assert!(!runs.renew(id, "intruder", TTL).await.expect("ran"));
    assert!(!runs.release(id, "intruder").await.expect("ran"));
    assert!(!runs.try_acquire(id, "intruder", TTL).await.expect("ran"));
    assert!(runs.renew(id, winner, TTL).await.expect("ran"));
    assert!(runs.try_acquire(id, winner, TTL).await.expect("ran"));
    assert_eq!(
        runs.lease(id)
            .await
            .expect("read")
            .expect("held")
            .acquired_at_ms,
        lease.acquired_at_ms
    );
    assert!(runs.release(id, winner).await.expect("ran"));
    assert!(runs.lease(id).await.expect("read").is_none());
    assert!(
        runs.try_acquire(id, "intruder", TTL).await.expect("ran"),
        "free after release"
    );
}

#[tokio::test]
async fn an_expired_lease_is_taken_over_and_fences_the_old_holder() {
    let runs = repo().await;
    let id = runs.create(&new_run("takeover")).await.expect("created");
    assert!(runs.try_acquire(id, "old", EXPIRED).await.expect("ran"));
    assert!(runs.save_log_offset(id, "old", 100).await.is_ok());
    assert!(
        runs.try_acquire(id, "new", TTL).await.expect("ran"),
        "expired: taken over"
    );
    assert!(!runs.renew(id, "old", TTL).await.expect("ran"));
    assert!(matches!(
        runs.save_log_offset(id, "old", 999).await,
        Err(RunsError::LeaseLost { run_id }) if run_id == id
    ));
    assert!(matches!(
        runs.save_checklist(id, "old", &checklist()).await,
        Err(RunsError::LeaseLost { .. })
    ));
    assert!(matches!(
        runs.save_verdict(id, "old", &serde_json::json!({"verdict": "kill"}))
            .await,
        Err(RunsError::LeaseLost { .. })
    ));
    runs.save_log_offset(id, "new", 250)
        .await
        .expect("the holder writes");
    assert_eq!(
        runs.get(id)
            .await
            .expect("read")
            .expect("exists")
            .log_offset,
        250
    );
    // An ended run cannot be leased again.
    runs.set_status(id, RunStatus::Killed, Some("killed by alice"))
        .await
        .expect("saved");
    runs.release(id, "new").await.expect("ran");
    assert!(!runs.try_acquire(id, "new", TTL).await.expect("ran"));
}

#[tokio::test]
async fn claim_expired_takes_only_orphaned_live_runs() {
    let runs = repo().await;
    let held = runs.create(&new_run("held")).await.expect("created");
    let expired = runs.create(&new_run("expired")).await.expect("created");
    let fresh = runs
        .create(&new_run("fresh, not leased yet"))
        .await
        .expect("created");
    let ended = runs.create(&new_run("ended")).await.expect("created");
    assert!(runs.try_acquire(held, "a", TTL).await.expect("ran"));
    assert!(runs.try_acquire(expired, "a", EXPIRED).await.expect("ran"));
    assert!(runs.try_acquire(ended, "a", EXPIRED).await.expect("ran"));
    runs.set_status(ended, RunStatus::Succeeded, Some("done"))
        .await
        .expect("saved");

    assert_eq!(
        runs.claim_expired("b", TTL, 10).await.expect("ran"),
        vec![expired]
    );
    assert_eq!(
        runs.lease(expired)
            .await
            .expect("read")
            .expect("held")
            .holder,
        "b"
    );
    assert!(
        runs.claim_expired("c", TTL, 10)
            .await
            .expect("ran")
            .is_empty(),
        "nothing left"
    );
    // A run with no lease at all is an orphan once older than the ttl.
    assert_eq!(
        runs.claim_expired("c", EXPIRED, 10).await.expect("ran"),
        vec![fresh]
    );
    assert_eq!(
        runs.lease(held).await.expect("read").expect("held").holder,
        "a"
    );
    assert_eq!(
        runs.claim_expired("d", TTL, 0).await.expect("ran"),
        Vec::<i64>::new()
    );
}

#[tokio::test]
async fn concurrent_claimers_split_the_expired_runs_without_overlap() {
    let runs = repo().await;
    let mut all = BTreeSet::new();
    for n in 0..30 {
        let id = runs
            .create(&new_run(&format!("run {n}")))
            .await
            .expect("created");
        assert!(runs.try_acquire(id, "crashed", EXPIRED).await.expect("ran"));
        all.insert(id);
    }
    let mut tasks = Vec::new();
    for n in 0..4 {
        let runs = runs.clone();
        tasks.push(tokio::spawn(async move {
            let holder = format!("replica-{n}");
            let mut mine = Vec::new();
            // Small pages, several rounds: the claimers really interleave.
            for _ in 0..10 {
                mine.extend(runs.claim_expired(&holder, TTL, 4).await.expect("ran"));
            }
            (holder, mine)
        }));
    }
    let mut seen = BTreeSet::new();
    for task in tasks {
        let (holder, mine) = task.await.expect("task");
        for id in mine {
            assert!(seen.insert(id), "run {id} claimed twice");
            assert_eq!(
                runs.lease(id).await.expect("read").expect("held").holder,
                holder
            );
        }
    }
    assert_eq!(seen, all);
}

#[tokio::test]
async fn a_restarted_server_resumes_from_the_persisted_offset_and_checklist() {
    let runs = repo().await;
    let id = runs.create(&new_run("resume")).await.expect("created");
    assert!(
        runs.try_acquire(id, "server-1", EXPIRED)
            .await
            .expect("ran")
    );
    let state = checklist();
    runs.save_checklist(id, "server-1", &state)
        .await
        .expect("saved");
    runs.save_log_offset(id, "server-1", 123_456)
        .await
        .expect("saved");
    runs.save_verdict(id, "server-1", &serde_json::json!({"verdict": "keep"}))
        .await
        .expect("saved");
    // server-1 dies; server-2 finds the expired lease and resumes.
    assert_eq!(
        runs.claim_expired("server-2", TTL, 10).await.expect("ran"),
        vec![id]
    );
    let row = runs.get(id).await.expect("read").expect("exists");
    assert_eq!(row.log_offset, 123_456);
    assert_eq!(row.checklist_state().expect("decodes"), Some(state.clone()));
    assert_eq!(row.verdict, Some(serde_json::json!({"verdict": "keep"})));
    let rows = row
        .checklist_state()
        .expect("decodes")
        .expect("present")
        .to_json_rows();
    assert_eq!(rows.len(), 7);
    assert_eq!(rows[1].step, Step::SshReachable);
    // A rotated log sends the offset back; that is allowed.
    runs.save_log_offset(id, "server-2", 0)
        .await
        .expect("saved");
    assert_eq!(
        runs.get(id)
            .await
            .expect("read")
            .expect("exists")
            .log_offset,
        0
    );
}
