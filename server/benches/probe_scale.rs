//! What one check costs the server, and how many hosts one server process
//! probes at a 5 s cadence within 25% of one core (issue goal: 1,000).
//!
//! The hosts' side is kept out of the measurement: a separate process (this
//! binary with `--canned-host`) runs one russh server that answers every exec
//! with the bytes a real simulated host returned for a real probe (captured
//! first: an H200 host with 4 KiB of the HF trace's log, GPU, pid and disk
//! sections). So the numbers are the prober's own work — SSH crypto,
//! channel, the 2.6 KB script out, ~5 KB back, parsing — per check, the way
//! the server pays it for every real host. Each host is its own SSH
//! connection (the prober keys connections by host id).
//!
//! 1. divan: `one_check` — wall time of one check on an open connection.
//! 2. printed: CPU (getrusage, this process only) and bytes (/proc/self/io)
//!    per check, and the CPU share of one core for N hosts at 5 s cadence.
//!
//! Run: `cargo bench -p server --bench probe_scale` (about three minutes).

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use russh::keys::PrivateKey;
use russh::keys::ssh_key::private::Ed25519Keypair;
use russh::server::{Auth, Msg, Session};
use russh::{Channel, ChannelId};
use server::ssh::script::probe_script;
use server::ssh::{
    Faults, HostSpec, MemoryPins, ProbeSpec, Prober, ProberConfig, Sandbox, SandboxConfig,
    Scenario, SimHost, SimHostConfig, generate_keypair, parse_private_key,
};

const TRACES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/traces/h200");
const CADENCE: Duration = Duration::from_secs(5);

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--canned-host") {
        canned_host(PathBuf::from(&args[i + 1]));
        return;
    }
    divan::main();
    scale();
}

// ---- the hosts' process ----

struct Canned {
    reply: Arc<Vec<u8>>,
}

impl russh::server::Handler for Canned {
    type Error = russh::Error;

    async fn auth_publickey(
        &mut self,
        _user: &str,
        _key: russh::server::VerifiedPublicKey<'_>,
    ) -> Result<Auth, Self::Error> {
        Ok(Auth::Accept)
    }

    async fn channel_open_session(
        &mut self,
        _channel: Channel<Msg>,
        reply: russh::server::ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        reply.accept().await;
        Ok(())
    }

    async fn exec_request(
        &mut self,
        channel: ChannelId,
        _data: &[u8],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_success(channel)?;
        session.data(
            channel,
            russh::keys::ssh_encoding::bytes::Bytes::from(self.reply.as_ref().clone()),
        )?;
        session.exit_status_request(channel, 0)?;
        session.eof(channel)?;
        session.close(channel)?;
        Ok(())
    }
}

/// Serves the canned reply on 127.0.0.1; prints the port, runs until stdin closes.
fn canned_host(reply: PathBuf) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        let reply = Arc::new(std::fs::read(reply).expect("canned reply"));
        let mut seed = [7u8; 32];
        seed[0] = 1;
        let key = PrivateKey::from(Ed25519Keypair::from_seed(&seed));
        let cfg = Arc::new(russh::server::Config {
            keys: vec![key],
            nodelay: true,
            inactivity_timeout: Some(Duration::from_secs(3600)),
            methods: russh::MethodSet::from(&[russh::MethodKind::PublicKey][..]),
            ..Default::default()
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        println!("{}", listener.local_addr().expect("addr").port());
        std::io::stdout().flush().ok();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let cfg = cfg.clone();
                let handler = Canned {
                    reply: reply.clone(),
                };
                tokio::spawn(async move {
                    if let Ok(session) = russh::server::run_stream(cfg, stream, handler).await {
                        let _ = session.await;
                    }
                });
            }
        });
        // Until the parent goes away.
        tokio::task::spawn_blocking(|| {
            let mut line = String::new();
            let _ = std::io::stdin().read_line(&mut line);
        })
        .await
        .ok();
    });
}

// ---- the server's side ----

struct Fixture {
    runtime: tokio::runtime::Runtime,
    prober: Prober,
    port: u16,
    spec: ProbeSpec,
    /// One warm connection for the per-check benchmark.
    warm: HostSpec,
    reply_len: usize,
    _child: std::process::Child,
}

fn probe_spec() -> ProbeSpec {
    ProbeSpec {
        log_path: Some("smoke.log".into()),
        log_cap: 4096,
        pid_file: Some(".canopy/smoke.pid".into()),
        exit_file: Some(".canopy/smoke.exit".into()),
        ..ProbeSpec::default()
    }
}

/// A real probe's output from a real simulated host.
async fn capture_reply(dir: &std::path::Path) -> Vec<u8> {
    let (pem, public) = generate_keypair().expect("keygen");
    let prober = Prober::new(
        parse_private_key(&pem).expect("key"),
        Arc::new(MemoryPins::new()),
        ProberConfig::default(),
    );
    let replayer = PathBuf::from(env!("CARGO_BIN_EXE_canopy"));
    let host = SimHost::start(SimHostConfig {
        instance_id: "capture".into(),
        base_dir: dir.to_path_buf(),
        sandbox: SandboxConfig {
            scenario: Scenario::HealthyHf,
            traces_dir: PathBuf::from(TRACES),
            replayer,
            gpu_speed: 1.0,
            clock: 1.0,
            hardware: None,
        },
        authorized_keys: vec![public],
        faults: Faults::default(),
    })
    .await
    .expect("sim host");
    let sandbox: &Sandbox = host.sandbox();
    let log = std::fs::read(format!("{TRACES}/hf_trainer.log")).expect("trace");
    std::fs::write(
        sandbox.home.join("smoke.log"),
        &log[..log.len().min(64 * 1024)],
    )
    .expect("log");
    std::fs::create_dir_all(sandbox.home.join(".canopy")).ok();
    std::fs::write(sandbox.home.join(".canopy/smoke.pid"), "1\n").ok();
    let spec = HostSpec {
        confined: true,
        ..HostSpec::new("capture", "127.0.0.1", host.port())
    };
    let out = prober
        .exec(
            &spec,
            &probe_script(&probe_spec()),
            None,
            Duration::from_secs(20),
            1 << 20,
        )
        .await
        .expect("probe");
    assert!(
        out.stdout.len() > 4096,
        "a full probe: {}",
        out.stdout_text()
    );
    out.stdout
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let dir = std::env::temp_dir().join(format!("canopy-probe-scale-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("dir");
        let reply = runtime.block_on(capture_reply(&dir));
        let reply_path = dir.join("reply.bin");
        std::fs::write(&reply_path, &reply).expect("reply");
        let mut child = std::process::Command::new(std::env::current_exe().expect("exe"))
            .arg("--canned-host")
            .arg(&reply_path)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("hosts process");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("port");
        let port: u16 = line.trim().parse().expect("a port");
        let (pem, _) = generate_keypair().expect("keygen");
        let prober = Prober::new(
            parse_private_key(&pem).expect("key"),
            Arc::new(MemoryPins::new()),
            ProberConfig::default(),
        );
        let warm = HostSpec::new("warm", "127.0.0.1", port);
        let spec = probe_spec();
        runtime.block_on(async {
            let c = prober.check(&warm, &spec).await;
            assert!(c.probe.as_ref().is_some_and(|p| p.complete), "{c:?}");
        });
        Fixture {
            runtime,
            prober,
            port,
            spec,
            warm,
            reply_len: reply.len(),
            _child: child,
        }
    })
}

#[divan::bench(sample_count = 200)]
fn one_check(bencher: divan::Bencher) {
    let f = fixture();
    bencher.bench_local(|| {
        f.runtime
            .block_on(async { f.prober.check(&f.warm, &f.spec).await })
    });
}

fn cpu_seconds() -> f64 {
    // SAFETY: getrusage fills the struct we pass; no other memory involved.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut u) };
    let t = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
    t(u.ru_utime) + t(u.ru_stime)
}

/// Bytes sent over loopback so far (both directions of every connection:
/// both ends are on `lo`; TCP/IP headers included) from /proc/net/dev.
/// Sockets do not show in /proc/self/io, which counts file reads only.
fn loopback_bytes() -> u64 {
    std::fs::read_to_string("/proc/net/dev")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.trim_start().strip_prefix("lo:"))
        .and_then(|rest| rest.split_whitespace().nth(8).and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

/// N hosts, each checked every 5 s (staggered), for `window`.
fn scale() {
    let f = fixture();
    println!(
        "\nprobe scale: one server process, hosts checked every 5 s, 60 s windows; payload per check: {} B script out, {} B reply in",
        probe_script(&f.spec).len(),
        f.reply_len
    );
    for n in [250usize, 500, 1000, 1500] {
        let hosts: Vec<HostSpec> = (0..n)
            .map(|i| HostSpec::new(format!("h{n}-{i}"), "127.0.0.1", f.port))
            .collect();
        // Connect everyone first: connection set-up is not the steady state.
        f.runtime.block_on(async {
            let mut set = tokio::task::JoinSet::new();
            for h in hosts.clone() {
                let (p, s) = (f.prober.clone(), f.spec.clone());
                set.spawn(async move { p.check(&h, &s).await });
            }
            while set.join_next().await.is_some() {}
        });
        let checks = Arc::new(AtomicU64::new(0));
        let failed = Arc::new(AtomicU64::new(0));
        let window = Duration::from_secs(60);
        let (cpu0, lo0, t0) = (cpu_seconds(), loopback_bytes(), Instant::now());
        f.runtime.block_on(async {
            let mut set = tokio::task::JoinSet::new();
            for (i, h) in hosts.iter().cloned().enumerate() {
                let (p, s) = (f.prober.clone(), f.spec.clone());
                let (checks, failed) = (checks.clone(), failed.clone());
                let offset = CADENCE.mul_f64(i as f64 / n as f64);
                set.spawn(async move {
                    let start = tokio::time::Instant::now() + offset;
                    let end = tokio::time::Instant::now() + window;
                    let mut next = start;
                    while next < end {
                        tokio::time::sleep_until(next).await;
                        let c = p.check(&h, &s).await;
                        if c.probe.as_ref().is_some_and(|p| p.complete) {
                            checks.fetch_add(1, Ordering::Relaxed);
                        } else {
                            failed.fetch_add(1, Ordering::Relaxed);
                        }
                        next += CADENCE;
                    }
                });
            }
            while set.join_next().await.is_some() {}
        });
        let wall = t0.elapsed().as_secs_f64();
        let cpu = cpu_seconds() - cpu0;
        let lo = loopback_bytes().saturating_sub(lo0);
        let done = checks.load(Ordering::Relaxed).max(1);
        println!(
            "{n:>5} hosts: {done} checks ({} failed) in {wall:.1} s — {:.1}% of one core, {:.0} µs CPU and {:.0} B on the wire per check",
            failed.load(Ordering::Relaxed),
            100.0 * cpu / wall,
            1e6 * cpu / done as f64,
            lo as f64 / done as f64,
        );
        for h in &hosts {
            f.runtime.block_on(f.prober.forget(&h.id));
        }
    }
}
