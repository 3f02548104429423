//! The prober against the simulated host (in-process russh server) and
//! against Debian's OpenSSH server, over the same sandbox and shims.
//!
//! The simulated launcher execs `canopy replay`; tests find that binary
//! next to the test executable (`target/<profile>/canopy`, built by
//! `cargo build --bins` / `cargo test`), or at `$CANOPY_REPLAY_BIN`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use app::domain::logs::{LogAnalyzer, parse_timing_tsv};
use app::domain::telemetry::GpuSample;

use super::keys::{MemoryPins, generate_keypair, parse_private_key};
use super::prober::{Check, CheckState, HostSpec, LaunchSpec, Prober, ProberConfig, SshError};
use super::replay::Scenario;
use super::script::{LaunchPhase, ProbeSpec};
use super::sim_host::{Faults, Sandbox, SandboxConfig, SimHost, SimHostConfig};
use super::sshd::{self, SshdHarness};

const TRACES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../server/data/traces/h200");

fn replayer_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("CANOPY_REPLAY_BIN") {
        return PathBuf::from(p);
    }
    // target/<profile>/deps/<test-exe> -> target/<profile>/canopy
    let exe = std::env::current_exe().expect("test exe path");
    let p = exe
        .parent()
        .and_then(Path::parent)
        .map(|d| d.join("canopy"))
        .expect("target dir");
    assert!(
        p.is_file(),
        "{} missing: build the `canopy` binary first (cargo build --bins)",
        p.display()
    );
    p
}

/// A per-test scratch dir, removed when the test passes (kept for a look
/// when it fails).
struct TestDir(PathBuf);

impl std::ops::Deref for TestDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TestDir {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

fn test_dir(tag: &str) -> TestDir {
    let d = std::env::temp_dir()
        .join("canopy-ssh-tests")
        .join(format!("{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("test dir");
    TestDir(d)
}

struct Client {
    prober: Prober,
    public: String,
}

fn client(cfg: ProberConfig) -> Client {
    let (pem, public) = generate_keypair().expect("keygen");
    let key = parse_private_key(&pem).expect("key");
    Client {
        prober: Prober::new(key, Arc::new(MemoryPins::new()), cfg),
        public,
    }
}

fn quick_cfg() -> ProberConfig {
    ProberConfig {
        connect_timeout: Duration::from_secs(5),
        check_timeout: Duration::from_secs(10),
        backoff_initial: Duration::from_millis(200),
        backoff_max: Duration::from_secs(2),
        ..Default::default()
    }
}

fn sandbox_cfg(scenario: Scenario, clock: f64) -> SandboxConfig {
    SandboxConfig {
        scenario,
        traces_dir: PathBuf::from(TRACES),
        replayer: replayer_bin(),
        gpu_speed: 1.0,
        clock,
        hardware: None,
    }
}

async fn sim(
    base: &Path,
    id: &str,
    scenario: Scenario,
    clock: f64,
    key: &str,
) -> (SimHost, HostSpec) {
    let host = SimHost::start(SimHostConfig {
        instance_id: id.to_string(),
        base_dir: base.to_path_buf(),
        sandbox: sandbox_cfg(scenario, clock),
        authorized_keys: vec![key.to_string()],
        faults: Faults::default(),
    })
    .await
    .expect("sim host starts");
    let mut spec = HostSpec::new(id, "127.0.0.1", host.port());
    spec.confined = true;
    (host, spec)
}

/// The same sandbox behind real sshd.
async fn real(
    base: &Path,
    id: &str,
    scenario: Scenario,
    clock: f64,
    key: &str,
) -> Option<(SshdHarness, Sandbox, HostSpec)> {
    if !sshd::available() {
        eprintln!("sshd not installed: skipping the real-server half");
        return None;
    }
    let sb = Sandbox::create(base, id, &sandbox_cfg(scenario, clock)).expect("sandbox");
    let h = SshdHarness::start(&base.join(format!("{id}-sshd")), &sb, &[key.to_string()])
        .await
        .expect("sshd starts");
    let mut spec = HostSpec::new(id, "127.0.0.1", h.port());
    spec.confined = true;
    Some((h, sb, spec))
}

fn gpu0(c: &Check) -> Option<GpuSample> {
    c.probe
        .as_ref()
        .and_then(|p| p.gpu.clone())
        .and_then(|g| g.ok())
        .and_then(|g| g.gpus.into_iter().next())
}

fn alive(c: &Check) -> Option<bool> {
    c.probe
        .as_ref()
        .and_then(|p| p.pid.as_ref())
        .and_then(|p| p.alive)
}

fn run_spec(offset: u64) -> ProbeSpec {
    run_spec_at(offset, None)
}

/// `run_spec` with the persisted log identity next to the offset.
fn run_spec_at(offset: u64, log_id: Option<String>) -> ProbeSpec {
    ProbeSpec {
        log_path: Some("run/train.log".into()),
        log_offset: offset,
        log_id,
        pid_file: Some("run/train.pid".into()),
        exit_file: Some("run/exit_code".into()),
        ..Default::default()
    }
}

fn smoke(cmd: &str) -> LaunchSpec {
    LaunchSpec {
        command: cmd.to_string(),
        log: "run/train.log".into(),
        pid_file: "run/train.pid".into(),
        exit_file: "run/exit_code".into(),
        phase: LaunchPhase::Smoke,
    }
}

/// Everything one watched run produced.
struct Watched {
    log: Vec<u8>,
    /// What arrived since the last reported log reset.
    since_reset: Vec<u8>,
    analyzer: LogAnalyzer,
    checks: usize,
    /// Checks that did not come back Ok (drops, timeouts).
    failed: usize,
    resets: usize,
    exit_code: Option<i32>,
    max_util: f64,
    last: Option<Check>,
    check_ms: Vec<u64>,
    /// Per check that came back with a log chunk: host time (recorded-run
    /// seconds), how long the check took (same unit), and the last step the
    /// analyzer had seen after it. Bounds what arrival-time quantization
    /// can do to a rate (see `arrival_slack`).
    marks: Vec<(f64, f64, Option<u64>)>,
}

/// Probe every `every` until the run's pid is dead, feeding the analyzer
/// with arrival times converted back to recorded-run seconds.
async fn watch(
    p: &Prober,
    host: &HostSpec,
    every: Duration,
    scale: f64,
    limit: Duration,
) -> Watched {
    let mut w = Watched {
        log: Vec::new(),
        since_reset: Vec::new(),
        analyzer: LogAnalyzer::new(),
        checks: 0,
        failed: 0,
        resets: 0,
        exit_code: None,
        max_util: 0.0,
        last: None,
        check_ms: Vec::new(),
        marks: Vec::new(),
    };
    let (mut offset, mut log_id) = (0, None);
    let started = Instant::now();
    let take = |w: &mut Watched, c: &Check| {
        if c.log_reset {
            w.resets += 1;
            w.since_reset.clear();
        }
        if let Some(Some(chunk)) = c.probe.as_ref().and_then(|p| p.log.as_ref()) {
            let t = c
                .probe
                .as_ref()
                .and_then(|p| p.host_time)
                .map(|t| t * scale);
            w.analyzer.push(&chunk.bytes, t);
            w.log.extend_from_slice(&chunk.bytes);
            w.since_reset.extend_from_slice(&chunk.bytes);
            if let Some(t) = t {
                let took = c.elapsed_ms as f64 / 1000.0 * scale;
                w.marks.push((t, took, w.analyzer.finish().last_step));
            }
        }
    };
    loop {
        let c = p.check(host, &run_spec_at(offset, log_id.clone())).await;
        w.checks += 1;
        w.check_ms.push(c.elapsed_ms);
        if c.state == CheckState::Ok {
            take(&mut w, &c);
            let probe = c.probe.as_ref().expect("probe");
            offset = c.next_offset;
            log_id = c.next_log_id.clone();
            if let Some(u) = gpu0(&c).and_then(|g| g.util_gpu) {
                w.max_util = w.max_util.max(u);
            }
            let pid = probe.pid.clone().unwrap_or_default();
            if pid.alive == Some(false) && pid.exit_code.is_some() {
                w.exit_code = pid.exit_code;
                // One more read: bytes written just before exit.
                let c2 = p.check(host, &run_spec_at(offset, log_id.clone())).await;
                take(&mut w, &c2);
                w.last = Some(c2);
                return w;
            }
        } else {
            w.failed += 1;
        }
        w.last = Some(c);
        assert!(started.elapsed() < limit, "run did not finish in {limit:?}");
        tokio::time::sleep(every).await;
    }
}

fn trace_log(name: &str) -> Vec<u8> {
    std::fs::read(format!("{TRACES}/{name}.log")).expect("trace log")
}

// ---------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn idle_probe_on_both_servers() {
    let base = test_dir("idle");
    let c = client(quick_cfg());
    let (sim_host, sim_spec) = sim(&base, "idle-sim", Scenario::HealthyHf, 1.0, &c.public).await;
    let real = real(&base, "idle-real", Scenario::HealthyHf, 1.0, &c.public).await;
    let mut specs = vec![("sim", sim_spec)];
    if let Some((_, _, s)) = &real {
        specs.push(("sshd", s.clone()));
    }
    for (what, spec) in &specs {
        let check = c.prober.check(spec, &run_spec(0)).await;
        assert_eq!(check.state, CheckState::Ok, "{what}: {check:?}");
        let g = gpu0(&check).unwrap_or_else(|| panic!("{what}: gpu {check:?}"));
        assert_eq!(g.name.as_deref(), Some("NVIDIA H200"), "{what}");
        assert_eq!(g.util_gpu, Some(0.0), "{what}: idle");
        assert_eq!(g.mem_total_mib, Some(143771.0));
        assert_eq!(g.power_limit_w, Some(700.0));
        assert_eq!(g.mig, None, "{what}: field the capture lacks is [N/A]");
        let p = check.probe.as_ref().expect("probe");
        assert!(p.host_time.is_some());
        assert_eq!(p.log, Some(None), "{what}: no log yet");
        assert!(
            p.disk.as_ref().is_some_and(|d| d.is_ok()),
            "{what}: {:?}",
            p.disk
        );
        assert_eq!(check.next_offset, 0);
        // dmon, for hosts where utilization.gpu is N/A.
        let with_dmon = c
            .prober
            .check(
                spec,
                &ProbeSpec {
                    dmon: true,
                    ..run_spec(0)
                },
            )
            .await;
        let d = with_dmon
            .probe
            .and_then(|p| p.dmon)
            .expect("dmon section")
            .expect("dmon parses");
        assert_eq!(
            (d[0].sm_pct, d[0].sm_clock_mhz),
            (Some(0.0), Some(345.0)),
            "{what}"
        );
        // Same connection reused for the next check.
        assert!(c.prober.is_connected(&spec.id).await);
        let out = c
            .prober
            .exec(
                spec,
                "nvidia-smi; echo \"$HOME\"; pwd",
                None,
                Duration::from_secs(5),
                1 << 16,
            )
            .await
            .expect("exec");
        let text = out.stdout_text();
        assert!(
            text.contains("No running processes found"),
            "{what}: {text}"
        );
        assert!(
            text.contains("/home\n"),
            "{what}: HOME/cwd is the sandbox: {text}"
        );
    }
    sim_host.stop().await;
    if let Some((h, _, _)) = real {
        h.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn healthy_hf_end_to_end_matches_offline_replay() {
    let base = test_dir("e2e");
    let c = client(quick_cfg());
    let clock = 10.0;
    let (host, spec) = sim(&base, "e2e", Scenario::HealthyHf, clock, &c.public).await;
    c.prober.install_launcher(&spec).await.expect("launcher");
    let pid = c
        .prober
        .launch(&spec, &smoke("python3 train.py --steps 600"))
        .await
        .expect("launch");
    assert!(pid > 1);
    let w = watch(
        &c.prober,
        &spec,
        Duration::from_millis(100),
        clock,
        Duration::from_secs(60),
    )
    .await;
    let recorded = trace_log("hf_trainer");
    assert_eq!(w.log, recorded, "byte-exact log through the probe");
    assert_eq!(w.exit_code, Some(0));
    assert!(w.max_util >= 80.0, "busy GPU seen: {}", w.max_util);
    // GPU idle again after the run.
    let after = c
        .prober
        .check(&spec, &run_spec(recorded.len() as u64))
        .await;
    assert_eq!(gpu0(&after).and_then(|g| g.util_gpu), Some(0.0));

    let live = w.analyzer.finish();
    let timing = parse_timing_tsv(
        &std::fs::read_to_string(format!("{TRACES}/hf_trainer.timing.tsv")).expect("tsv"),
    )
    .expect("timing");
    let offline = app::domain::logs::replay(&recorded, &timing);
    assert_eq!(live.last_step, offline.last_step);
    assert_eq!(live.last_step, Some(600));
    let (a, b) = (
        live.steps_per_sec.p50.expect("live rate"),
        offline.steps_per_sec.p50.expect("offline rate"),
    );
    eprintln!(
        "live p50 {a:.3} it/s, offline p50 {b:.3} it/s, overall {:?} vs {:?}; {} checks, median {} ms",
        live.steps_per_sec.overall,
        offline.steps_per_sec.overall,
        w.checks,
        median(&w.check_ms)
    );
    // The overall rate only depends on the first and last step times, so
    // it matches within what the check cadence allows (`arrival_slack`,
    // ~3-6% here, more when a loaded machine stretches checks) plus 1% for
    // the replayer's own timer jitter; the p50 of per-interval rates
    // depends on how the bytes were chunked (one chunk per check here, one
    // per read when recorded): ~3% off at ~1 recorded second per check,
    // ~5% when a loaded machine stretches checks to ~5 recorded seconds.
    let (x, y) = (
        live.steps_per_sec.overall.expect("live overall"),
        offline.steps_per_sec.overall.expect("offline overall"),
    );
    let slack = arrival_slack(&w);
    eprintln!("overall slack {:.1}%", slack * 100.0);
    assert!(
        slack < 0.25,
        "checks too sparse to judge a rate: {slack:.2}"
    );
    assert!(
        (x - y).abs() / y < 0.01 + slack,
        "overall {x} vs {y} (slack {slack:.3})"
    );
    assert!((a - b).abs() / b < 0.08, "p50 {a} vs {b}");
    host.stop().await;
}

/// How far arrival-time quantization can move an overall rate (first to
/// last step over arrival time), relative to it. A step that arrived with
/// check k was written after check k-1 read the log (after its host time)
/// and before check k read it (within check k's duration of its host
/// time), so each end of the measured span is off by at most one check
/// gap plus one check duration. Under load checks stretch and this grows;
/// unloaded it is a few percent.
fn arrival_slack(w: &Watched) -> f64 {
    let m = &w.marks;
    let last = m.iter().rev().find_map(|x| x.2).expect("steps seen");
    let f = m.iter().position(|x| x.2.is_some()).expect("first step");
    let l = m.iter().position(|x| x.2 == Some(last)).expect("last step");
    assert!(f > 0 && l > f, "steps spread over checks: {f} {l}");
    let (gap_f, gap_l) = (m[f].0 - m[f - 1].0, m[l].0 - m[l - 1].0);
    let span = m[l].0 - m[f].0;
    (gap_f + m[l].1).max(gap_l + m[f].1) / span
}

fn median(v: &[u64]) -> u64 {
    let mut v = v.to_vec();
    v.sort_unstable();
    v.get(v.len() / 2).copied().unwrap_or(0)
}

/// Short scenarios, all at once on separate hosts: exit codes, byte-exact
/// logs and what the analyzer concludes.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn scenarios_replay_through_the_prober() {
    let base = test_dir("scen");
    let c = client(quick_cfg());
    let clock = 25.0;
    let cases = [
        (Scenario::Oom, 1, "hf_oom"),
        (Scenario::ImportError, 1, "import_error"),
        (Scenario::PipFail, 1, "pip_fail"),
        (Scenario::HealthyNanogpt, 0, "nanogpt"),
        (Scenario::InputBound, 0, "loader_bound"),
        (Scenario::SilentBar, 0, "lightning"),
        (Scenario::FlatLoss, 0, "hf_flat_loss"),
    ];
    let mut jobs = Vec::new();
    for (sc, rc, trace) in cases {
        let (host, spec) = sim(&base, sc.name(), sc, clock, &c.public).await;
        let p = c.prober.clone();
        jobs.push(tokio::spawn(async move {
            p.install_launcher(&spec).await.expect("launcher");
            p.launch(&spec, &smoke("python3 train.py"))
                .await
                .expect("launch");
            let w = watch(
                &p,
                &spec,
                Duration::from_millis(150),
                clock,
                Duration::from_secs(60),
            )
            .await;
            host.stop().await;
            (sc, rc, trace, w)
        }));
    }
    for j in jobs {
        let (sc, rc, trace, w) = j.await.expect("job");
        assert_eq!(w.exit_code, Some(rc), "{sc}");
        assert_eq!(w.log, trace_log(trace), "{sc}: byte-exact");
        let a = w.analyzer.finish();
        match sc {
            Scenario::Oom => assert!(
                a.error_classes()
                    .contains(&app::domain::logs::ErrorClass::Memory),
                "{sc}: {:?}",
                a.errors
            ),
            Scenario::ImportError | Scenario::PipFail => assert!(
                a.has_fatal() || !a.errors.is_empty(),
                "{sc}: {:?}",
                a.verdict
            ),
            Scenario::HealthyNanogpt => assert_eq!(a.last_step, Some(400), "{sc}"),
            Scenario::InputBound => assert!(w.max_util < 100.0, "{sc}"),
            _ => {}
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn slow_host_and_log_rotation() {
    let base = test_dir("slowrot");
    let c = client(quick_cfg());
    let clock = 20.0;
    let (h1, s1) = sim(&base, "slow", Scenario::SlowHost, clock, &c.public).await;
    let (h2, s2) = sim(&base, "rot", Scenario::LogRotated, clock, &c.public).await;
    for s in [&s1, &s2] {
        c.prober.install_launcher(s).await.expect("launcher");
        c.prober
            .launch(s, &smoke("python3 train.py"))
            .await
            .expect("launch");
    }
    let (p1, p2) = (c.prober.clone(), c.prober.clone());
    let (w1, w2) = tokio::join!(
        watch(
            &p1,
            &s1,
            Duration::from_millis(200),
            clock,
            Duration::from_secs(60)
        ),
        watch(
            &p2,
            &s2,
            Duration::from_millis(100),
            clock,
            Duration::from_secs(60)
        ),
    );
    // Slow host: same log, half the throughput in recorded-run seconds.
    // Judged by the overall rate (first to last step over host arrival
    // time): it depends only on when the first and the last step arrived,
    // so a loaded machine that stretches checks moves it by at most one
    // check period out of ~8 s of run. The p50 of per-check intervals
    // depends on how the bytes were chunked (check cadence), so it is only
    // printed. The bounds hold a slow host (0.5x) and fail a healthy one.
    let timing = parse_timing_tsv(
        &std::fs::read_to_string(format!("{TRACES}/hf_trainer.timing.tsv")).expect("tsv"),
    )
    .expect("timing");
    let offline = app::domain::logs::replay(&trace_log("hf_trainer"), &timing);
    let slow = w1.analyzer.finish();
    assert_eq!(w1.log, trace_log("hf_trainer"), "slow host: byte-exact");
    let rate = |r: Option<f64>| r.filter(|x| x.is_finite() && *x > 0.0);
    let ratio = rate(slow.steps_per_sec.overall).expect("slow overall")
        / rate(offline.steps_per_sec.overall).expect("offline overall");
    eprintln!(
        "slow host: overall {ratio:.3}x, p50 {:.3}x; {} checks, median {} ms",
        slow.steps_per_sec.p50.unwrap_or(0.0) / offline.steps_per_sec.p50.unwrap_or(1.0),
        w1.checks,
        median(&w1.check_ms)
    );
    assert!(
        (0.3..0.7).contains(&ratio),
        "slow host at {ratio:.2}x of the recorded rate"
    );
    // Rotation: the prober noticed (the file's identity changed) and read
    // the whole new file from its start.
    assert!(w2.resets >= 1, "rotation seen");
    assert_eq!(w2.exit_code, Some(0));
    let rotated = std::fs::read(h2.sandbox().home.join("run/train.log.1")).expect("rotated file");
    let current = std::fs::read(h2.sandbox().home.join("run/train.log")).expect("log");
    assert_eq!(w2.since_reset, current, "the new file, from byte 0");
    let mut whole = rotated.clone();
    whole.extend_from_slice(&current);
    assert_eq!(whole, trace_log("hf_trainer"));
    h1.stop().await;
    h2.stop().await;
}

/// logrotate's create mode done by hand between two checks, with the new
/// file already longer than the old offset: only the file's identity shows
/// the rotation. Sim host and real sshd.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rotation_detected_when_new_file_outgrows_old_offset() {
    let base = test_dir("outgrow");
    let c = client(quick_cfg());
    let (host, sim_spec) = sim(&base, "outgrow-sim", Scenario::HealthyHf, 1.0, &c.public).await;
    let real = real(&base, "outgrow-real", Scenario::HealthyHf, 1.0, &c.public).await;
    let mut targets = vec![("sim", sim_spec, host.sandbox().home.clone())];
    if let Some((_, sb, s)) = &real {
        targets.push(("sshd", s.clone(), sb.home.clone()));
    }
    for (what, spec, home) in &targets {
        let log = home.join("run/train.log");
        std::fs::create_dir_all(home.join("run")).expect("run dir");
        let old: Vec<u8> = (0..1000u32).map(|i| b'a' + (i % 26) as u8).collect();
        std::fs::write(&log, &old).expect("old log");
        let first = c.prober.check(spec, &run_spec(0)).await;
        assert_eq!(first.state, CheckState::Ok, "{what}: {first:?}");
        assert!(!first.log_reset, "{what}");
        assert_eq!(first.next_offset, 1000, "{what}");
        let old_id = first.next_log_id.clone();
        assert!(
            old_id.as_deref().is_some_and(|i| !i.is_empty()),
            "{what}: identity reported: {first:?}"
        );
        // Same file, grown: no reset, identity unchanged.
        let mut grown = old.clone();
        grown.extend_from_slice(b"more\n");
        std::fs::write(&log, &grown).expect("append");
        let same = c
            .prober
            .check(spec, &run_spec_at(1000, old_id.clone()))
            .await;
        assert!(!same.log_reset, "{what}: {same:?}");
        assert_eq!(same.next_log_id, old_id, "{what}");
        assert_eq!(same.next_offset, 1005, "{what}");

        // Rotate: rename to .1, create a new file at the path, and let it
        // grow past the old offset before the next check.
        std::fs::rename(&log, home.join("run/train.log.1")).expect("rename");
        let new: Vec<u8> = (0..3000u32).map(|i| b'A' + (i % 26) as u8).collect();
        std::fs::write(&log, &new).expect("new log");
        // What the size rule alone does (an offset persisted without an
        // identity): no reset seen, wrong bytes from the middle of the new
        // file. This is the bug the identity fixes.
        let blind = c.prober.check(spec, &run_spec(1005)).await;
        assert!(!blind.log_reset, "{what}: size rule alone cannot see it");
        let rotated = c
            .prober
            .check(spec, &run_spec_at(1005, old_id.clone()))
            .await;
        assert_eq!(rotated.state, CheckState::Ok, "{what}: {rotated:?}");
        assert!(rotated.log_reset, "{what}: rotation seen: {rotated:?}");
        let chunk = rotated
            .probe
            .as_ref()
            .and_then(|p| p.log.clone())
            .flatten()
            .expect("chunk");
        assert_eq!(chunk.offset, 0, "{what}: re-read from 0");
        assert_eq!(chunk.file_size, 3000, "{what}");
        assert_eq!(chunk.bytes, new, "{what}: the new file, whole");
        assert_eq!(rotated.next_offset, 3000, "{what}");
        let new_id = rotated.next_log_id.clone();
        assert!(new_id.is_some() && new_id != old_id, "{what}: {new_id:?}");
        // Then the new file is followed normally.
        let mut more = new.clone();
        more.extend_from_slice(b"tail\n");
        std::fs::write(&log, &more).expect("append new");
        let next = c
            .prober
            .check(spec, &run_spec_at(3000, new_id.clone()))
            .await;
        assert!(!next.log_reset, "{what}: {next:?}");
        assert_eq!(
            next.probe.and_then(|p| p.log).flatten().map(|c| c.bytes),
            Some(b"tail\n".to_vec()),
            "{what}"
        );
        assert_eq!(next.next_log_id, new_id, "{what}");
        // Truncation in place (same identity, smaller): the size rule.
        std::fs::OpenOptions::new()
            .write(true)
            .open(&log)
            .and_then(|f| f.set_len(10))
            .expect("truncate");
        let cut = c
            .prober
            .check(spec, &run_spec_at(3005, new_id.clone()))
            .await;
        assert!(cut.log_reset, "{what}: {cut:?}");
        assert_eq!(cut.next_offset, 10, "{what}");
        assert_eq!(cut.next_log_id, new_id, "{what}");
        // A log that disappears keeps the persisted state.
        std::fs::remove_file(&log).expect("rm");
        let gone = c.prober.check(spec, &run_spec_at(10, new_id.clone())).await;
        assert_eq!(gone.probe.and_then(|p| p.log), Some(None), "{what}");
        assert_eq!((gone.next_offset, gone.next_log_id), (10, new_id), "{what}");
    }
    host.stop().await;
    if let Some((h, _, _)) = real {
        h.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hostile_smoke_command_never_runs_here() {
    let base = test_dir("hostile");
    let c = client(quick_cfg());
    let nonce = format!(
        "{}-{}",
        std::process::id(),
        Instant::now().elapsed().as_nanos()
    );
    let tmp_mark = PathBuf::from(format!("/tmp/pwned-{nonce}"));
    let hostile = format!(
        "touch {} ; touch pwned-in-sandbox; echo $(touch /tmp/pwned-sub-{nonce})",
        tmp_mark.display()
    );
    let (host, sim_spec) = sim(&base, "hostile-sim", Scenario::ImportError, 20.0, &c.public).await;
    let real = real(
        &base,
        "hostile-real",
        Scenario::ImportError,
        20.0,
        &c.public,
    )
    .await;
    let mut targets = vec![(sim_spec, host.sandbox().clone())];
    if let Some((_, sb, s)) = &real {
        targets.push((s.clone(), sb.clone()));
    }
    for (spec, sb) in &targets {
        c.prober.install_launcher(spec).await.expect("launcher");
        for phase in [LaunchPhase::Bootstrap, LaunchPhase::Smoke] {
            let mut l = smoke(&hostile);
            l.phase = phase;
            c.prober.launch(spec, &l).await.expect("launch");
            let w = watch(
                &c.prober,
                spec,
                Duration::from_millis(100),
                20.0,
                Duration::from_secs(30),
            )
            .await;
            if phase == LaunchPhase::Smoke {
                assert_eq!(
                    w.log,
                    trace_log("import_error"),
                    "the scenario played instead"
                );
            }
        }
        // Canopy's real launcher, if called directly, refuses too.
        let out = c
            .prober
            .exec(
                spec,
                &format!(
                    "cd \"$HOME\" && .canopy/bin/canopy-launch {}",
                    super::quote::shell_quote(&hostile)
                ),
                None,
                Duration::from_secs(5),
                4096,
            )
            .await
            .expect("exec");
        assert_eq!(out.exit_status, Some(97), "{}", out.stderr_text());
        assert!(!sb.home.join("pwned-in-sandbox").exists());
    }
    assert!(!tmp_mark.exists(), "hostile command ran on this machine");
    assert!(!Path::new(&format!("/tmp/pwned-sub-{nonce}")).exists());
    host.stop().await;
    if let Some((h, _, _)) = real {
        h.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_stops_the_run_and_gpu_goes_idle() {
    let base = test_dir("kill");
    let c = client(quick_cfg());
    // Clock 5: the trace's GPU memory use starts ~18 s in, 3.6 s here.
    let (host, sim_spec) = sim(&base, "kill-sim", Scenario::HealthyHf, 5.0, &c.public).await;
    let real = real(&base, "kill-real", Scenario::HealthyHf, 5.0, &c.public).await;
    let mut specs = vec![sim_spec];
    if let Some((_, _, s)) = &real {
        specs.push(s.clone());
    }
    for spec in &specs {
        c.prober.install_launcher(spec).await.expect("launcher");
        c.prober
            .launch(spec, &smoke("python3 train.py"))
            .await
            .expect("launch");
        let t0 = Instant::now();
        loop {
            let ch = c.prober.check(spec, &run_spec(0)).await;
            assert_eq!(alive(&ch), Some(true), "{ch:?}");
            if gpu0(&ch).and_then(|g| g.mem_used_mib).unwrap_or(0.0) > 0.0 {
                break;
            }
            assert!(t0.elapsed() < Duration::from_secs(15), "never busy");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        assert!(c.prober.kill(spec, "run/train.pid", 2).await.expect("kill"));
        let ch = c.prober.check(spec, &run_spec(0)).await;
        assert_eq!(alive(&ch), Some(false), "{ch:?}");
        let g = gpu0(&ch).expect("gpu");
        assert_eq!(
            (g.util_gpu, g.mem_used_mib),
            (Some(0.0), Some(0.0)),
            "idle after kill"
        );
        assert!(
            !c.prober
                .kill(spec, "run/train.pid", 1)
                .await
                .expect("kill again")
        );
    }
    host.stop().await;
    if let Some((h, _, _)) = real {
        h.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn upload_and_read_with_hostile_names() {
    let base = test_dir("files");
    let c = client(quick_cfg());
    let (host, sim_spec) = sim(&base, "files-sim", Scenario::HealthyHf, 1.0, &c.public).await;
    let real = real(&base, "files-real", Scenario::HealthyHf, 1.0, &c.public).await;
    let mut specs = vec![(sim_spec, host.sandbox().home.clone())];
    if let Some((_, sb, s)) = &real {
        specs.push((s.clone(), sb.home.clone()));
    }
    let name = "cfg dir/it's $(touch pwned) `x`.json";
    let data: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    for (spec, home) in &specs {
        c.prober
            .upload(spec, name, &data, 0o600)
            .await
            .expect("upload");
        assert_eq!(std::fs::read(home.join(name)).expect("on disk"), data);
        assert_eq!(
            c.prober.read_file(spec, name, 1 << 20).await.expect("read"),
            data
        );
        assert_eq!(
            c.prober
                .read_file(spec, name, 10)
                .await
                .expect("capped")
                .len(),
            10
        );
        assert!(matches!(
            c.prober.read_file(spec, "missing", 10).await,
            Err(SshError::Remote { exit: Some(3), .. })
        ));
        assert!(!home.join("pwned").exists());
    }
    host.stop().await;
    if let Some((h, _, _)) = real {
        h.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn host_key_pinned_and_change_refused() {
    let base = test_dir("pins");
    let c = client(quick_cfg());
    let (a, spec_a) = sim(&base, "pin-a", Scenario::HealthyHf, 1.0, &c.public).await;
    let (b, _) = sim(&base, "pin-b", Scenario::HealthyHf, 1.0, &c.public).await;
    assert_eq!(
        c.prober.check(&spec_a, &ProbeSpec::default()).await.state,
        CheckState::Ok
    );
    // Same instance id, another machine answering: refused.
    let mut moved = spec_a.clone();
    moved.port = b.port();
    let ch = c.prober.check(&moved, &ProbeSpec::default()).await;
    assert!(
        matches!(
            &ch.state,
            CheckState::Unreachable {
                error: SshError::HostKeyChanged { .. }
            }
        ),
        "{ch:?}"
    );
    // A key not attached to the instance is rejected.
    let stranger = client(quick_cfg());
    let ch = stranger.prober.check(&spec_a, &ProbeSpec::default()).await;
    assert!(
        matches!(
            &ch.state,
            CheckState::Unreachable {
                error: SshError::AuthRejected { .. }
            }
        ),
        "{ch:?}"
    );
    a.stop().await;
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn drops_offline_backoff_and_isolation() {
    let base = test_dir("faults");
    let c = client(quick_cfg());
    let (good, good_spec) = sim(&base, "good", Scenario::HealthyHf, 1.0, &c.public).await;
    let (flaky, flaky_spec) = sim(&base, "flaky", Scenario::SshDrop, 1.0, &c.public).await;
    let (dead, dead_spec) = sim(&base, "dead", Scenario::HostOffline, 1.0, &c.public).await;
    for s in [&good_spec, &flaky_spec, &dead_spec] {
        assert_eq!(
            c.prober.check(s, &ProbeSpec::default()).await.state,
            CheckState::Ok
        );
    }
    // ssh_drop: sessions dropped, refused for a while, then accepted again.
    flaky.set_refusing(true);
    flaky.drop_connections().await;
    dead.go_offline().await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let ch = c.prober.check(&flaky_spec, &ProbeSpec::default()).await;
    assert!(matches!(ch.state, CheckState::Unreachable { .. }), "{ch:?}");
    let ch = c.prober.check(&dead_spec, &ProbeSpec::default()).await;
    assert!(matches!(ch.state, CheckState::Unreachable { .. }), "{ch:?}");
    // Immediately again: backing off, answered at once.
    let t = Instant::now();
    let ch = c.prober.check(&dead_spec, &ProbeSpec::default()).await;
    assert!(
        matches!(
            &ch.state,
            CheckState::Unreachable {
                error: SshError::BackingOff { .. }
            }
        ),
        "{ch:?}"
    );
    assert!(t.elapsed() < Duration::from_millis(250));
    // The healthy host is unaffected meanwhile.
    let t = Instant::now();
    assert_eq!(
        c.prober
            .check(&good_spec, &ProbeSpec::default())
            .await
            .state,
        CheckState::Ok
    );
    assert!(t.elapsed() < Duration::from_secs(2));
    flaky.set_refusing(false);
    let t = Instant::now();
    loop {
        let ch = c.prober.check(&flaky_spec, &ProbeSpec::default()).await;
        if ch.state == CheckState::Ok {
            break;
        }
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "never reconnected: {ch:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(dead.is_offline());
    good.stop().await;
    flaky.stop().await;
    dead.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn scenario_faults_fire_on_schedule() {
    let base = test_dir("sched");
    let c = client(quick_cfg());
    // ssh_drop at clock 15: drop at 2 s, refused until ~2.67 s. Two
    // seconds leave room for the first connect on a loaded machine (it
    // must be up before the drop).
    let f = Faults::for_scenario(Scenario::SshDrop, 15.0);
    assert_eq!(f.drop_after, Some(Duration::from_secs(2)));
    let host = SimHost::start(SimHostConfig {
        instance_id: "sched".into(),
        base_dir: base.to_path_buf(),
        sandbox: sandbox_cfg(Scenario::SshDrop, 15.0),
        authorized_keys: vec![c.public.clone()],
        faults: f,
    })
    .await
    .expect("host");
    let spec = HostSpec::new("sched", "127.0.0.1", host.port());
    let t = Instant::now();
    let mut states = Vec::new();
    // Until back up and then seen up for a while (at least 4 s in: past
    // the refusal plus the backoff), or a generous deadline.
    let mut back_at = None;
    while t.elapsed() < Duration::from_secs(10) {
        let ok = c.prober.check(&spec, &ProbeSpec::default()).await.state == CheckState::Ok;
        if states.last() != Some(&ok) {
            states.push(ok);
            back_at = (states.len() == 3).then(Instant::now);
        }
        if back_at.is_some_and(|b| b.elapsed() > Duration::from_millis(500))
            && t.elapsed() > Duration::from_secs(4)
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(states, vec![true, false, true], "up, dropped, back");
    host.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bad_host_output_is_contained() {
    let base = test_dir("bad");
    let c = client(ProberConfig {
        check_timeout: Duration::from_secs(3),
        ..quick_cfg()
    });
    let (host, spec) = sim(&base, "bad", Scenario::HealthyHf, 1.0, &c.public).await;
    let (other, other_spec) = sim(&base, "other", Scenario::HealthyHf, 1.0, &c.public).await;
    let shims = host.sandbox().shims.clone();
    let home = host.sandbox().home.clone();
    let smi = shims.join("nvidia-smi");
    let set_smi = |body: &str| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::write(&smi, body).expect("shim");
        std::fs::set_permissions(&smi, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    };

    // Garbage CSV with binary bytes: the gpu section is an error, the rest parses.
    set_smi("#!/bin/sh\nprintf 'garbage,\\001\\377 here\\n@@canopy:end\\n'\n");
    std::fs::create_dir_all(home.join("run")).expect("run dir");
    let log: Vec<u8> =
        b"step 1\n@@canopy:end\n\x00\xff\xfe\r 50%|#####| 5/10 [00:01<00:01, 4.00it/s]".to_vec();
    std::fs::write(home.join("run/train.log"), &log).expect("log");
    let ch = c.prober.check(&spec, &run_spec(0)).await;
    let p = ch.probe.clone().expect("probe");
    assert!(matches!(p.gpu, Some(Err(_))), "{:?}", p.gpu);
    assert_eq!(
        p.log.clone().flatten().map(|c| c.bytes),
        Some(log.clone()),
        "binary bytes intact"
    );
    assert!(p.disk.as_ref().is_some_and(|d| d.is_ok()));
    assert_eq!(ch.next_offset, log.len() as u64);

    // No nvidia-smi at all.
    std::fs::remove_file(&smi).expect("rm shim");
    let ch = c.prober.check(&spec, &run_spec(0)).await;
    assert_eq!(ch.state, CheckState::Ok);
    let gpu = ch
        .probe
        .as_ref()
        .and_then(|p| p.gpu.clone())
        .expect("gpu section");
    assert!(gpu.is_err(), "{gpu:?}");

    // Hung nvidia-smi: the host-side tool timeout ends it, the check completes.
    set_smi("#!/bin/sh\nexec sleep 60\n");
    let t = Instant::now();
    let ch = c
        .prober
        .check(
            &spec,
            &ProbeSpec {
                tool_timeout_s: 1,
                ..run_spec(0)
            },
        )
        .await;
    assert_eq!(ch.state, CheckState::Ok, "{ch:?}");
    assert!(t.elapsed() < Duration::from_secs(3));

    // A command that hangs past the check timeout: timed out, other hosts
    // unaffected while it hangs, the connection still usable afterwards.
    let hang = {
        let p = c.prober.clone();
        let s = spec.clone();
        tokio::spawn(async move {
            p.exec(&s, "sleep 60", None, Duration::from_secs(2), 1024)
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    let t = Instant::now();
    assert_eq!(
        c.prober
            .check(&other_spec, &ProbeSpec::default())
            .await
            .state,
        CheckState::Ok
    );
    assert!(
        t.elapsed() < Duration::from_millis(1500),
        "other host slowed: {:?}",
        t.elapsed()
    );
    let r = hang.await.expect("join");
    assert!(matches!(r, Err(SshError::Timeout { .. })), "{r:?}");
    set_smi("#!/bin/sh\necho '2026/11/28 18:09:55.548, 0, NVIDIA H200'\n");
    let ok = c
        .prober
        .exec(&spec, "echo still-here", None, Duration::from_secs(3), 1024)
        .await;
    assert_eq!(
        ok.map(|o| o.stdout_text()).ok().as_deref(),
        Some("still-here\n")
    );

    // Log that shrinks: reset detected, reading restarts at 0.
    std::fs::write(home.join("run/train.log"), b"new\n").expect("shrink");
    let ch = c.prober.check(&spec, &run_spec(log.len() as u64)).await;
    assert!(ch.log_reset);
    assert_eq!(ch.next_offset, 4);

    // Capped reads: a 2.5 MiB log arrives in chunks of at most the cap.
    let big: Vec<u8> = (0..(5u32 << 19)).map(|i| (i % 251) as u8).collect();
    std::fs::write(home.join("run/train.log"), &big).expect("big");
    let mut off = 0;
    let mut got = Vec::new();
    let mut reads = 0;
    while off < big.len() as u64 {
        let ch = c.prober.check(&spec, &run_spec(off)).await;
        let chunk = ch.probe.and_then(|p| p.log).flatten().expect("chunk");
        assert!(chunk.bytes.len() as u64 <= super::script::DEFAULT_LOG_CAP);
        got.extend_from_slice(&chunk.bytes);
        off = ch.next_offset;
        reads += 1;
    }
    assert_eq!(reads, 3);
    assert_eq!(got, big);

    // Output flood: capped, channel closed, returns promptly.
    let t = Instant::now();
    let out = c
        .prober
        .exec(&spec, "yes flood", None, Duration::from_secs(5), 100_000)
        .await
        .expect("flood");
    assert!(out.truncated && out.stdout.len() == 100_000);
    assert!(t.elapsed() < Duration::from_secs(3));
    host.stop().await;
    other.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ssh_drop_mid_run_loses_nothing() {
    let base = test_dir("dropmid");
    let c = client(quick_cfg());
    let clock = 10.0;
    // Dropped 3 s in (30 recorded seconds), refused for 1 s.
    let host = SimHost::start(SimHostConfig {
        instance_id: "dropmid".into(),
        base_dir: base.to_path_buf(),
        sandbox: sandbox_cfg(Scenario::SshDrop, clock),
        authorized_keys: vec![c.public.clone()],
        faults: Faults::for_scenario(Scenario::SshDrop, clock),
    })
    .await
    .expect("host");
    let spec = HostSpec::new("dropmid", "127.0.0.1", host.port());
    c.prober.install_launcher(&spec).await.expect("launcher");
    c.prober
        .launch(&spec, &smoke("python3 train.py"))
        .await
        .expect("launch");
    let w = watch(
        &c.prober,
        &spec,
        Duration::from_millis(100),
        clock,
        Duration::from_secs(60),
    )
    .await;
    assert!(w.failed >= 1, "the drop was seen");
    assert_eq!(w.exit_code, Some(0), "the run itself survived the drop");
    assert_eq!(
        w.log,
        trace_log("hf_trainer"),
        "offsets carried across the reconnect"
    );
    assert_eq!(w.analyzer.finish().last_step, Some(600));
    host.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn host_offline_stays_down() {
    let base = test_dir("offline");
    let c = client(quick_cfg());
    let host = SimHost::start(SimHostConfig {
        instance_id: "offline".into(),
        base_dir: base.to_path_buf(),
        sandbox: sandbox_cfg(Scenario::HostOffline, 20.0),
        authorized_keys: vec![c.public.clone()],
        // Offline 2 s after start (40 recorded seconds at clock 20): room
        // for the first connect on a loaded machine.
        faults: Faults::for_scenario(Scenario::HostOffline, 20.0),
    })
    .await
    .expect("host");
    let spec = HostSpec::new("offline", "127.0.0.1", host.port());
    assert_eq!(
        c.prober.check(&spec, &ProbeSpec::default()).await.state,
        CheckState::Ok
    );
    let t = Instant::now();
    while !host.is_offline() {
        assert!(t.elapsed() < Duration::from_secs(8), "never went offline");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(2) {
        let ch = c.prober.check(&spec, &ProbeSpec::default()).await;
        assert!(matches!(ch.state, CheckState::Unreachable { .. }), "{ch:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    host.stop().await;
}

/// A whole recorded run through Debian's sshd and login shell; also prints
/// what a check costs there.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn real_sshd_replays_nanogpt_byte_exact() {
    let base = test_dir("sshd-e2e");
    let c = client(quick_cfg());
    let clock = 10.0;
    let Some((h, _sb, spec)) = real(
        &base,
        "sshd-e2e",
        Scenario::HealthyNanogpt,
        clock,
        &c.public,
    )
    .await
    else {
        return;
    };
    c.prober.install_launcher(&spec).await.expect("launcher");
    c.prober
        .launch(&spec, &smoke("python3 train.py"))
        .await
        .expect("launch");
    let w = watch(
        &c.prober,
        &spec,
        Duration::from_millis(100),
        clock,
        Duration::from_secs(60),
    )
    .await;
    assert_eq!(w.exit_code, Some(0));
    assert_eq!(w.log, trace_log("nanogpt"));
    assert_eq!(w.analyzer.finish().last_step, Some(400));
    assert!(w.max_util >= 80.0, "{}", w.max_util);
    eprintln!(
        "sshd: {} checks, median {} ms, max {} ms",
        w.checks,
        median(&w.check_ms),
        w.check_ms.iter().max().copied().unwrap_or(0)
    );
    assert_eq!(w.failed, 0, "sshd log: {}", h.log());
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn confined_host_refuses_paths_outside_the_sandbox() {
    let base = test_dir("confined");
    let c = client(quick_cfg());
    let (host, spec) = sim(&base, "confined", Scenario::HealthyHf, 1.0, &c.public).await;
    for bad in ["/etc/passwd", "../../etc/passwd", "run/../../x", "~/x", ""] {
        let ch = c
            .prober
            .check(
                &spec,
                &ProbeSpec {
                    log_path: Some(bad.to_string()),
                    ..run_spec(0)
                },
            )
            .await;
        assert!(
            matches!(ch.state, CheckState::Refused { .. }),
            "{bad:?}: {ch:?}"
        );
        assert!(matches!(
            c.prober.read_file(&spec, bad, 100).await,
            Err(SshError::PathRefused { .. })
        ));
        assert!(matches!(
            c.prober.upload(&spec, bad, b"x", 0o644).await,
            Err(SshError::PathRefused { .. })
        ));
        let mut l = smoke("x");
        l.log = bad.to_string();
        assert!(matches!(
            c.prober.launch(&spec, &l).await,
            Err(SshError::PathRefused { .. })
        ));
    }
    // A real host (not confined) may use absolute paths.
    let mut open = spec.clone();
    open.confined = false;
    assert!(super::prober::check_path(&open, "/workspace/train.log").is_ok());
    host.stop().await;
}

#[test]
fn sandbox_rejects_bad_ids_and_missing_replayer() {
    let base = test_dir("sbx");
    let cfg = sandbox_cfg(Scenario::HealthyHf, 1.0);
    for bad in ["", "../up", "a/b", "sp ace", "x$(id)"] {
        assert!(
            matches!(
                Sandbox::create(&base, bad, &cfg),
                Err(super::sim_host::SimHostError::BadId(_))
            ),
            "{bad:?}"
        );
    }
    let mut no_bin = cfg.clone();
    no_bin.replayer = base.join("no-such-canopy");
    assert!(matches!(
        Sandbox::create(&base, "ok", &no_bin),
        Err(super::sim_host::SimHostError::NoReplayer(_))
    ));
    let sb = Sandbox::create(&base, "ok", &cfg).expect("sandbox");
    assert!(sb.shims.join("nvidia-smi").is_file() && sb.shims.join("canopy-launch").is_file());
    assert!(sb.path_env().starts_with(&sb.shims.display().to_string()));
}

/// A port that accepts TCP but never speaks SSH (a wedged sshd): the
/// connect timeout ends it, and a healthy host is checked meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn silent_listener_times_out_without_blocking_others() {
    let base = test_dir("silent");
    let c = client(ProberConfig {
        connect_timeout: Duration::from_secs(2),
        ..quick_cfg()
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let hold = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = listener.accept().await {
            held.push(s); // never answer
        }
    });
    let (good, good_spec) = sim(&base, "silent-good", Scenario::HealthyHf, 1.0, &c.public).await;
    let silent = HostSpec::new("silent", "127.0.0.1", port);
    let p = c.prober.clone();
    let t = Instant::now();
    let stuck = tokio::spawn(async move { p.check(&silent, &ProbeSpec::default()).await });
    let ok = c.prober.check(&good_spec, &ProbeSpec::default()).await;
    assert_eq!(ok.state, CheckState::Ok);
    assert!(
        t.elapsed() < Duration::from_millis(1500),
        "good host waited: {:?}",
        t.elapsed()
    );
    let ch = stuck.await.expect("join");
    assert!(
        matches!(&ch.state, CheckState::Unreachable { error: SshError::Connect { reason, .. } } if reason.contains("timed out")),
        "{ch:?}"
    );
    assert!(t.elapsed() < Duration::from_secs(4));
    hold.abort();
    good.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_presents_the_offers_gpus_not_the_recorded_h200() {
    let base = test_dir("hardware");
    let c = client(quick_cfg());
    let mut sandbox = sandbox_cfg(Scenario::HealthyHf, 1.0);
    sandbox.hardware = Some(crate::vast::HostHardware {
        gpu_name: "RTX 4090".into(),
        num_gpus: 2,
        gpu_ram_mb: 24564.0,
        speed_vs_h200: 0.4,
    });
    let host = SimHost::start(SimHostConfig {
        instance_id: "hw".into(),
        base_dir: base.to_path_buf(),
        sandbox,
        authorized_keys: vec![c.public.clone()],
        faults: Faults::default(),
    })
    .await
    .expect("sim host starts");
    let mut spec = HostSpec::new("hw", "127.0.0.1", host.port());
    spec.confined = true;
    let check = c.prober.check(&spec, &run_spec(0)).await;
    let gpus = check
        .probe
        .as_ref()
        .and_then(|p| p.gpu.clone())
        .and_then(|g| g.ok())
        .map(|g| g.gpus)
        .unwrap_or_else(|| panic!("gpu section: {check:?}"));
    assert_eq!(gpus.len(), 2, "one row per GPU of the offer");
    for (i, g) in gpus.iter().enumerate() {
        assert_eq!(g.index, Some(i as u32));
        assert_eq!(g.name.as_deref(), Some("NVIDIA RTX 4090"));
        assert_eq!(g.mem_total_mib, Some(24564.0));
        assert!(g.mem_used_mib.unwrap() <= 24564.0);
    }
    let listing = c
        .prober
        .exec(&spec, "nvidia-smi -L", None, Duration::from_secs(5), 4096)
        .await
        .expect("nvidia-smi -L");
    assert_eq!(listing.stdout_text().lines().count(), 2);
    assert!(listing.stdout_text().contains("RTX 4090"));
}
