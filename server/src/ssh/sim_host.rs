//! A simulated GPU host: an SSH server on 127.0.0.1 (russh) that accepts
//! only the instance's attached public keys and runs each exec request with
//! a real `bash -c` in a per-instance sandbox (cwd = HOME = sandbox), with a
//! shims dir first on PATH:
//!
//! - `nvidia-smi` answers from the replayer's current sample (idle values
//!   when no replay runs);
//! - `canopy-launch` is the scenario replayer (`canopy replay …`): the
//!   user's bootstrap/smoke command is never executed on this machine, the
//!   recorded output of the scenario plays instead.
//!
//! Only Canopy's own scripts (probe, launch, kill, read, upload) run in the
//! sandbox's bash. `CANOPY_SIMULATED_HOST=1` is set for every exec, which
//! makes Canopy's real launcher refuse to run, should it ever be found first.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use russh::keys::PrivateKey;
use russh::keys::ssh_key::private::Ed25519Keypair;
use russh::server::{Auth, Msg, Session};
use russh::{Channel, ChannelId, ChannelMsg, Disconnect};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::keys::{key_identity, public_key_line};
use super::quote::shell_quote;
use super::replay::{
    GPU_HARDWARE, GPU_IDLE, REPLAYERS_DIR, SMI_IDLE, SMI_LIST, Scenario, gpu_facts,
    render_smi_table, sample_tsv, sample_values, write_atomic,
};

#[derive(Debug, thiserror::Error)]
pub enum SimHostError {
    #[error("instance id {0:?} is not usable as a directory name")]
    BadId(String),
    #[error("sandbox {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("trace data: {0}")]
    Replay(#[from] super::replay::ReplayError),
    #[error("bad authorized key {0:?}")]
    BadKey(String),
    #[error("host key: {0}")]
    HostKey(String),
    #[error("replayer {0} is not an executable file (the `canopy` binary)")]
    NoReplayer(PathBuf),
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> SimHostError + '_ {
    move |source| SimHostError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// How the sandbox's launcher runs the replayer.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    pub scenario: Scenario,
    pub traces_dir: PathBuf,
    /// The `canopy` executable (its `replay` subcommand is the launcher).
    pub replayer: PathBuf,
    /// GPU speed relative to an H200.
    pub gpu_speed: f64,
    /// Simulation clock factor.
    pub clock: f64,
    /// The offer's GPUs, presented by `nvidia-smi` instead of the recorded
    /// H200 (`None`: the H200 as recorded).
    pub hardware: Option<crate::vast::HostHardware>,
}

/// Directories of one simulated instance:
/// `<base>/<id>/home` (HOME and cwd), `<base>/<id>/shims` (first on PATH),
/// `<base>/<id>/state` (GPU samples shared by replayer and shim).
#[derive(Debug, Clone)]
pub struct Sandbox {
    pub root: PathBuf,
    pub home: PathBuf,
    pub shims: PathBuf,
    pub state: PathBuf,
}

impl Sandbox {
    /// Create (or reuse) the instance's sandbox and install the shims.
    pub fn create(
        base: &Path,
        instance_id: &str,
        cfg: &SandboxConfig,
    ) -> Result<Sandbox, SimHostError> {
        let ok_id = !instance_id.is_empty()
            && instance_id.len() <= 64
            && instance_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !ok_id {
            return Err(SimHostError::BadId(instance_id.to_string()));
        }
        // Caught here rather than as a 127 in the run's log much later.
        if !cfg.replayer.is_file() {
            return Err(SimHostError::NoReplayer(cfg.replayer.clone()));
        }
        let root = base.join(instance_id);
        let sb = Sandbox {
            home: root.join("home"),
            shims: root.join("shims"),
            state: root.join("state"),
            root,
        };
        for d in [
            &sb.home,
            &sb.shims,
            &sb.state,
            &sb.state.join(REPLAYERS_DIR),
        ] {
            std::fs::create_dir_all(d).map_err(io_err(d))?;
        }
        let facts = gpu_facts(&cfg.traces_dir)?;
        let idle = sample_values(&facts, None);
        write_atomic(&sb.state.join(GPU_IDLE), sample_tsv(&idle, None).as_bytes())?;
        write_atomic(
            &sb.state.join(SMI_IDLE),
            render_smi_table(&idle, None).as_bytes(),
        )?;
        let list = cfg.traces_dir.join("nvidia-smi-L.txt");
        let mut list_text = std::fs::read(&list).map_err(io_err(&list))?;
        if let Some(hw) = &cfg.hardware {
            let (overrides, listing) = hardware_overrides(hw);
            write_atomic(&sb.state.join(GPU_HARDWARE), overrides.as_bytes())?;
            list_text = listing.into_bytes();
        }
        write_atomic(&sb.state.join(SMI_LIST), &list_text)?;
        sb.write_shim("nvidia-smi", &nvidia_smi_shim(&sb.state))?;
        sb.write_shim("canopy-launch", &launcher_shim(&sb.state, cfg))?;
        Ok(sb)
    }

    fn write_shim(&self, name: &str, body: &str) -> Result<(), SimHostError> {
        use std::os::unix::fs::PermissionsExt;
        let p = self.shims.join(name);
        write_atomic(&p, body.as_bytes())?;
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).map_err(io_err(&p))
    }

    /// PATH for commands on this host: shims first.
    pub fn path_env(&self) -> String {
        format!(
            "{}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            self.shims.display()
        )
    }

    /// Stop every replayer still running for this sandbox (host stopped or
    /// instance destroyed). Only pids whose command line is a replay are
    /// signalled, so a recycled pid is never hit.
    pub fn stop_replayers(&self) {
        let dir = self.state.join(REPLAYERS_DIR);
        let Ok(rd) = std::fs::read_dir(&dir) else {
            return;
        };
        for e in rd.flatten() {
            let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<i32>().ok()) else {
                continue;
            };
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            let is_replay = cmdline.split(|b| *b == 0).any(|w| w == b"replay");
            if pid > 1 && is_replay {
                // SAFETY: kill(2) with a positive pid we just verified is
                // one of our replayers; no memory is involved.
                unsafe {
                    libc::kill(pid, libc::SIGKILL);
                }
            }
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// The offer's GPUs as `field<TAB>value` lines the shim reads after the
/// recorded sample (later lines win), and the matching `nvidia-smi -L`.
/// The plain table keeps the recorded H200 layout; the prober reads the CSV.
fn hardware_overrides(hw: &crate::vast::HostHardware) -> (String, String) {
    let clean = |s: &str| s.replace(['\t', '\n', '\r'], " ");
    let name = format!("NVIDIA {}", clean(hw.gpu_name.trim()));
    let total = hw.gpu_ram_mb.max(1.0).round() as u64;
    let tsv = format!(
        "name\t{name}\ngpu_name\t{name}\nmemory.total\t{total}\ncount\t{}\n",
        hw.num_gpus.max(1)
    );
    let listing = (0..hw.num_gpus.max(1))
        .map(|i| format!("GPU {i}: {name} (UUID: GPU-canopy-sim-{i:04})\n"))
        .collect();
    (tsv, listing)
}

/// POSIX-sh `nvidia-smi` stand-in. Answers `--query-gpu=a,b,… --format=csv[…]`
/// with fields in the asked order (`[N/A]` for what the capture lacks), `-L`,
/// and the plain table. The sample is the replayer's while its pid is alive
/// (zombies count as dead), idle otherwise.
fn nvidia_smi_shim(state: &Path) -> String {
    let d = shell_quote(&state.display().to_string());
    format!(
        r##"#!/bin/sh
# nvidia-smi on a Canopy simulated host (answers from the replayed trace).
D={d}
F="$D/{GPU_IDLE}"; TBL="$D/{SMI_IDLE}"
HW=/dev/null; [ -f "$D/{GPU_HARDWARE}" ] && HW="$D/{GPU_HARDWARE}"
if [ -f "$D/gpu-current.tsv" ]; then
  P=$(awk -F'\t' '$1=="pid"{{print $2; exit}}' "$D/gpu-current.tsv" 2>/dev/null)
  if [ -n "$P" ] && kill -0 "$P" 2>/dev/null && [ "$(sed -n 's/^.*) \(.\).*/\1/p' "/proc/$P/stat" 2>/dev/null)" != Z ]; then
    F="$D/gpu-current.tsv"; [ -f "$D/smi-current.txt" ] && TBL="$D/smi-current.txt"
  fi
fi
if [ "${{1:-}}" = dmon ]; then
  # `nvidia-smi dmon [-s …] [-c N]`: N rows of the current sample at once
  # (the real tool waits a second between rows; a probe asks for one).
  shift; N=1; SEL=puc
  while [ $# -gt 0 ]; do
    case "$1" in -c) N="${{2:-1}}"; shift ;; -s) SEL="${{2:-puc}}"; shift ;; esac
    shift
  done
  case "$N" in ''|*[!0-9]*) N=1 ;; esac
  awk -F'\t' -v n="$N" -v sel="$SEL" '
    {{ v[$1] = $2 }}
    END {{
      m = index(sel, "m") > 0
      printf "# gpu    pwr  gtemp  mtemp     sm    mem    enc    dec    jpg    ofa   mclk   pclk"
      if (m) printf "     fb   bar1   ccpm"
      printf " \n# Idx      W      C      C      %%      %%      %%      %%      %%      %%    MHz    MHz"
      if (m) printf "     MB     MB     MB"
      printf " \n"
      for (r = 0; r < n; r++) {{
        printf "%5d %6d %6d %6d %6d %6d %6d %6d %6d %6d %6d %6d", 0, v["power.draw"] + 0.5, v["temperature.gpu"], v["temperature.gpu"], v["utilization.gpu"], v["utilization.memory"], 0, 0, 0, 0, v["clocks.mem"], v["clocks.sm"]
        if (m) printf " %6d %6d %6d", v["memory.used"], 1, 0
        printf " \n"
      }}
    }}' "$F"
  exit 0
fi
Q=''; FMT=''; HAVE_Q=0
for a in "$@"; do
  case "$a" in
    --query-gpu=*) Q="${{a#--query-gpu=}}"; HAVE_Q=1 ;;
    --format=*) FMT="${{a#--format=}}" ;;
    -L|--list-gpus) cat "$D/{SMI_LIST}"; exit 0 ;;
    -h|--help) echo "NVIDIA System Management Interface (Canopy simulated host)"; exit 0 ;;
    *) echo "Invalid combination of input arguments. Please run 'nvidia-smi -h' for help." >&2; exit 2 ;;
  esac
done
if [ "$HAVE_Q" = 1 ]; then
  case "$FMT" in
    csv*) ;;
    *) echo "Invalid combination of input arguments. Please run 'nvidia-smi -h' for help." >&2; exit 2 ;;
  esac
  NOW=$(date '+%Y/%m/%d %H:%M:%S.%3N')
  awk -F'\t' -v q="$Q" -v fmt="$FMT" -v now="$NOW" '
    function unit(k) {{
      if (k ~ /^utilization\./ || k == "fan.speed") return "%"
      if (k ~ /^memory\./) return "MiB"
      if (k ~ /^power\./ || k == "enforced.power.limit") return "W"
      if (k ~ /^clocks\./) return "MHz"
      return ""
    }}
    {{ v[$1] = $2 }}
    END {{
      n = split(q, f, ",")
      nounits = index(fmt, "nounits") > 0
      gpus = ("count" in v) ? v["count"] + 0 : 1
      if (gpus < 1) gpus = 1
      if (("memory.total" in v) && ("memory.used" in v) && v["memory.used"] + 0 > v["memory.total"] + 0) v["memory.used"] = v["memory.total"]
      if (("memory.total" in v) && ("memory.used" in v)) v["memory.free"] = v["memory.total"] - v["memory.used"]
      if (index(fmt, "noheader") == 0) {{
        line = ""
        for (i = 1; i <= n; i++) {{
          h = f[i]; u = unit(h)
          if (u != "") h = h " [" u "]"
          line = line (i > 1 ? ", " : "") h
        }}
        print line
      }}
      for (g = 0; g < gpus; g++) {{
        line = ""
        for (i = 1; i <= n; i++) {{
          k = f[i]
          if (k == "timestamp") x = now
          else if (k == "index") x = g
          else if (k in v) x = v[k]
          else x = "[N/A]"
          if (!nounits && x != "[N/A]" && unit(k) != "") x = x " " unit(k)
          line = line (i > 1 ? ", " : "") x
        }}
        print line
      }}
    }}' "$F" "$HW"
  exit 0
fi
date '+%a %b %d %H:%M:%S %Y       '
cat "$TBL"
"##
    )
}

/// `canopy-launch` on a simulated host: the user's command ("$1") is
/// ignored; the scenario replayer plays the recorded output instead.
fn launcher_shim(state: &Path, cfg: &SandboxConfig) -> String {
    let q = |p: &Path| shell_quote(&p.display().to_string());
    format!(
        r#"#!/bin/sh
# canopy-launch on a Canopy simulated host. The user's command is NOT run on
# this machine: the scenario's recorded output plays in its place.
exec {exe} replay --scenario {sc} --traces {tr} --state-dir {st} --gpu-speed {speed} --clock {clock} --phase "${{CANOPY_PHASE:-smoke}}" --exit-file "${{CANOPY_EXIT_FILE:-}}"
"#,
        exe = q(&cfg.replayer),
        sc = shell_quote(cfg.scenario.name()),
        tr = q(&cfg.traces_dir),
        st = q(state),
        speed = cfg.gpu_speed,
        clock = cfg.clock,
    )
}

/// Scenario-driven connection faults, measured from host start.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Faults {
    /// host_offline: stop accepting and drop every session after this long.
    pub offline_after: Option<Duration>,
    /// ssh_drop: drop every session after this long, refuse new ones for
    /// `drop_for`, then accept again.
    pub drop_after: Option<Duration>,
    pub drop_for: Duration,
}

impl Faults {
    /// Defaults for a scenario: timings are recorded-run seconds divided by
    /// the sim clock (host_offline at 40 s, ssh_drop at 30 s for 10 s).
    pub fn for_scenario(s: Scenario, clock: f64) -> Faults {
        let c = if clock.is_finite() && clock > 0.0 {
            clock
        } else {
            1.0
        };
        let d = |secs: f64| Duration::from_secs_f64(secs / c);
        match s {
            Scenario::HostOffline => Faults {
                offline_after: Some(d(40.0)),
                ..Default::default()
            },
            Scenario::SshDrop => Faults {
                drop_after: Some(d(30.0)),
                drop_for: d(10.0),
                ..Default::default()
            },
            _ => Faults::default(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct SimHostConfig {
    pub instance_id: String,
    /// Parent of all instance sandboxes.
    pub base_dir: PathBuf,
    pub sandbox: SandboxConfig,
    /// Public keys (`ssh-ed25519 AAAA…` lines) attached to the instance.
    pub authorized_keys: Vec<String>,
    pub faults: Faults,
}

impl SimHostConfig {
    /// A host for `sandbox.scenario` with that scenario's default faults.
    pub fn for_scenario(
        instance_id: impl Into<String>,
        base_dir: impl Into<PathBuf>,
        sandbox: SandboxConfig,
        authorized_keys: Vec<String>,
    ) -> SimHostConfig {
        let faults = Faults::for_scenario(sandbox.scenario, sandbox.clock);
        SimHostConfig {
            instance_id: instance_id.into(),
            base_dir: base_dir.into(),
            sandbox,
            authorized_keys,
            faults,
        }
    }
}

struct Shared {
    sandbox: Sandbox,
    authorized: Mutex<Vec<String>>,
    offline: AtomicBool,
    refusing: AtomicBool,
    sessions: Mutex<Vec<russh::server::Handle>>,
    /// Process groups of running exec commands, killed on stop.
    running: Mutex<HashMap<u32, ()>>,
}

/// A running simulated host.
pub struct SimHost {
    addr: std::net::SocketAddr,
    host_key_line: String,
    shared: Arc<Shared>,
    tasks: Vec<JoinHandle<()>>,
}

fn random_host_key() -> Result<PrivateKey, SimHostError> {
    use std::io::Read;
    let mut seed = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut seed))
        .map_err(|e| SimHostError::HostKey(e.to_string()))?;
    Ok(PrivateKey::from(Ed25519Keypair::from_seed(&seed)))
}

fn parse_authorized(lines: &[String]) -> Result<Vec<String>, SimHostError> {
    lines
        .iter()
        .map(|l| {
            russh::keys::PublicKey::from_openssh(l.trim())
                .map(|k| key_identity(&k))
                .map_err(|_| SimHostError::BadKey(l.chars().take(40).collect()))
        })
        .collect()
}

impl SimHost {
    /// Create the sandbox and start serving on 127.0.0.1:0.
    pub async fn start(cfg: SimHostConfig) -> Result<SimHost, SimHostError> {
        Self::start_now(cfg)
    }

    /// [`SimHost::start`] without awaiting: binds a std listener and spawns the
    /// server, so a synchronous caller (the marketplace simulator's
    /// `HostProvider`) can hand out the port at once. Needs a Tokio runtime.
    pub fn start_now(cfg: SimHostConfig) -> Result<SimHost, SimHostError> {
        let sandbox = Sandbox::create(&cfg.base_dir, &cfg.instance_id, &cfg.sandbox)?;
        let key = random_host_key()?;
        let host_key_line =
            public_key_line(key.public_key()).map_err(|e| SimHostError::HostKey(e.to_string()))?;
        let server_cfg = Arc::new(russh::server::Config {
            keys: vec![key],
            // Constant-time rejection matters against real attackers; here
            // it would only slow the tests that prove rejection.
            auth_rejection_time: Duration::from_millis(20),
            auth_rejection_time_initial: Some(Duration::ZERO),
            inactivity_timeout: Some(Duration::from_secs(3600)),
            nodelay: true,
            methods: russh::MethodSet::from(&[russh::MethodKind::PublicKey][..]),
            ..Default::default()
        });
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0))
            .and_then(|l| l.set_nonblocking(true).map(|()| l))
            .and_then(TcpListener::from_std)
            .map_err(io_err(Path::new("127.0.0.1:0")))?;
        let addr = listener
            .local_addr()
            .map_err(io_err(Path::new("127.0.0.1:0")))?;
        let shared = Arc::new(Shared {
            sandbox,
            authorized: Mutex::new(parse_authorized(&cfg.authorized_keys)?),
            offline: AtomicBool::new(false),
            refusing: AtomicBool::new(false),
            sessions: Mutex::new(Vec::new()),
            running: Mutex::new(HashMap::new()),
        });
        let mut tasks = Vec::new();
        let sh = shared.clone();
        tasks.push(tokio::spawn(async move {
            loop {
                let Ok((stream, _peer)) = listener.accept().await else {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                };
                if sh.offline.load(Ordering::SeqCst) || sh.refusing.load(Ordering::SeqCst) {
                    // Connection accepted and dropped: the client sees the
                    // peer close before the SSH banner, like a dead sshd.
                    drop(stream);
                    continue;
                }
                let _ = stream.set_nodelay(true);
                let handler = SimHandler {
                    shared: sh.clone(),
                    channels: HashMap::new(),
                };
                let cfg = server_cfg.clone();
                let sh2 = sh.clone();
                tokio::spawn(async move {
                    if let Ok(sess) = russh::server::run_stream(cfg, stream, handler).await {
                        if let Ok(mut v) = sh2.sessions.lock() {
                            v.push(sess.handle());
                        }
                        let _ = sess.await;
                    }
                });
            }
        }));
        let faults = cfg.faults.clone();
        if faults.offline_after.is_some() || faults.drop_after.is_some() {
            let sh = shared.clone();
            tasks.push(tokio::spawn(async move {
                if let Some(after) = faults.drop_after {
                    tokio::time::sleep(after).await;
                    sh.refusing.store(true, Ordering::SeqCst);
                    drop_sessions(&sh).await;
                    tokio::time::sleep(faults.drop_for).await;
                    sh.refusing.store(false, Ordering::SeqCst);
                }
                if let Some(after) = faults.offline_after {
                    // Measured from start, like drop_after.
                    let spent = faults
                        .drop_after
                        .map(|d| d + faults.drop_for)
                        .unwrap_or_default();
                    tokio::time::sleep(after.saturating_sub(spent)).await;
                    sh.offline.store(true, Ordering::SeqCst);
                    drop_sessions(&sh).await;
                }
            }));
        }
        Ok(SimHost {
            addr,
            host_key_line,
            shared,
            tasks,
        })
    }

    pub fn addr(&self) -> std::net::SocketAddr {
        self.addr
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn sandbox(&self) -> &Sandbox {
        &self.shared.sandbox
    }

    /// The host's public key line (`ssh-ed25519 AAAA…`).
    pub fn host_public_key(&self) -> &str {
        &self.host_key_line
    }

    /// Replace the attached keys (the user attached another key).
    pub fn set_authorized_keys(&self, keys: &[String]) -> Result<(), SimHostError> {
        let parsed = parse_authorized(keys)?;
        if let Ok(mut a) = self.shared.authorized.lock() {
            *a = parsed;
        }
        Ok(())
    }

    /// Drop every SSH session now (the host keeps accepting).
    pub async fn drop_connections(&self) {
        drop_sessions(&self.shared).await;
    }

    /// Refuse (or accept again) new connections.
    pub fn set_refusing(&self, refusing: bool) {
        self.shared.refusing.store(refusing, Ordering::SeqCst);
    }

    /// Take the host offline for good (drops sessions, refuses new ones).
    pub async fn go_offline(&self) {
        self.shared.offline.store(true, Ordering::SeqCst);
        drop_sessions(&self.shared).await;
    }

    pub fn is_offline(&self) -> bool {
        self.shared.offline.load(Ordering::SeqCst)
    }

    /// Stop serving, end running commands and replayers. The sandbox stays
    /// on disk (the caller owns `base_dir`).
    pub async fn stop(mut self) {
        self.shutdown().await;
    }

    async fn shutdown(&mut self) {
        for t in self.tasks.drain(..) {
            t.abort();
        }
        self.shared.offline.store(true, Ordering::SeqCst);
        drop_sessions(&self.shared).await;
        kill_running(&self.shared);
        self.shared.sandbox.stop_replayers();
    }
}

impl Drop for SimHost {
    fn drop(&mut self) {
        for t in self.tasks.drain(..) {
            t.abort();
        }
        kill_running(&self.shared);
        self.shared.sandbox.stop_replayers();
    }
}

fn kill_running(shared: &Shared) {
    let pgids: Vec<u32> = shared
        .running
        .lock()
        .map(|m| m.keys().copied().collect())
        .unwrap_or_default();
    for pg in pgids {
        kill_group(pg);
    }
}

fn kill_group(pgid: u32) {
    if pgid > 1 {
        // SAFETY: kill(2) on a process group we created for one exec
        // request (process_group(0) at spawn); no memory is involved.
        unsafe {
            libc::kill(-(pgid as i32), libc::SIGKILL);
        }
    }
}

async fn drop_sessions(shared: &Shared) {
    let handles: Vec<russh::server::Handle> = shared
        .sessions
        .lock()
        .map(|mut v| std::mem::take(&mut *v))
        .unwrap_or_default();
    for h in handles {
        let _ = tokio::time::timeout(
            Duration::from_secs(1),
            h.disconnect(
                Disconnect::ByApplication,
                "simulated drop".into(),
                "en".into(),
            ),
        )
        .await;
    }
}

struct SimHandler {
    shared: Arc<Shared>,
    channels: HashMap<ChannelId, Channel<Msg>>,
}

impl SimHandler {
    /// Accept only keys attached to this instance (checked at the offer and
    /// again after the signature).
    fn auth_for(&self, id: &str) -> Auth {
        let attached = self
            .shared
            .authorized
            .lock()
            .map(|a| a.iter().any(|k| k == id))
            .unwrap_or(false);
        if attached {
            Auth::Accept
        } else {
            Auth::reject()
        }
    }
}

impl russh::server::Handler for SimHandler {
    type Error = russh::Error;

    async fn auth_publickey_offered(
        &mut self,
        _user: &str,
        offer: russh::server::PublicKeyOffer<'_>,
    ) -> Result<Auth, Self::Error> {
        let id = key_identity(offer.public_key);
        Ok(self.auth_for(&id))
    }

    async fn auth_publickey(
        &mut self,
        _user: &str,
        key: russh::server::VerifiedPublicKey<'_>,
    ) -> Result<Auth, Self::Error> {
        // Checked again after the signature: the offer alone proves nothing.
        let id = key_identity(key.public_key);
        Ok(self.auth_for(&id))
    }

    async fn channel_open_session(
        &mut self,
        channel: Channel<Msg>,
        reply: russh::server::ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.channels.insert(channel.id(), channel);
        reply.accept().await;
        Ok(())
    }

    async fn exec_request(
        &mut self,
        channel: ChannelId,
        data: &[u8],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        let Some(ch) = self.channels.remove(&channel) else {
            session.channel_failure(channel)?;
            return Ok(());
        };
        session.channel_success(channel)?;
        let shared = self.shared.clone();
        let command = data.to_vec();
        tokio::spawn(run_exec(shared, ch, command));
        Ok(())
    }

    async fn shell_request(
        &mut self,
        channel: ChannelId,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        // Canopy never asks for a shell; only exec requests are served.
        session.channel_failure(channel)?;
        Ok(())
    }

    async fn channel_close(
        &mut self,
        channel: ChannelId,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        self.channels.remove(&channel);
        Ok(())
    }
}

/// Run one exec request: `bash -c <command>` in the sandbox, stdin from the
/// channel, stdout/stderr back, then exit status, EOF, close. If the client
/// closes the channel first (its timeout), the command's process group is
/// killed; detached runs (`setsid`) are in their own session and survive.
async fn run_exec(shared: Arc<Shared>, ch: Channel<Msg>, command: Vec<u8>) {
    let sb = &shared.sandbox;
    let spawned = tokio::process::Command::new("/bin/bash")
        .arg("-c")
        .arg(OsStr::from_bytes(&command))
        .current_dir(&sb.home)
        .env_clear()
        .env("HOME", &sb.home)
        .env("PATH", sb.path_env())
        .env("USER", "root")
        .env("LOGNAME", "root")
        .env("SHELL", "/bin/bash")
        .env("LANG", "C.UTF-8")
        .env("CANOPY_SIMULATED_HOST", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .process_group(0)
        .kill_on_drop(true)
        .spawn();
    let (mut rx, tx) = ch.split();
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) => {
            let msg = format!("simulated host: cannot start bash: {e}\n");
            let _ = tx.extended_data(1, msg.as_bytes()).await;
            let _ = tx.exit_status(127).await;
            let _ = tx.eof().await;
            let _ = tx.close().await;
            return;
        }
    };
    let pgid = child.id().unwrap_or(0);
    if let Ok(mut m) = shared.running.lock() {
        m.insert(pgid, ());
    }
    let mut stdin = child.stdin.take();
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();

    // The input side only reports a client-side close; the decision to
    // kill is taken below, and only while the command still runs (killing
    // the group after it ended could hit a detached child that has not yet
    // called setsid).
    let (close_tx, mut close_rx) = tokio::sync::oneshot::channel::<()>();
    let input = tokio::spawn(async move {
        while let Some(msg) = rx.wait().await {
            match msg {
                ChannelMsg::Data { data } => {
                    if let Some(s) = stdin.as_mut()
                        && s.write_all(&data).await.is_err()
                    {
                        stdin = None;
                    }
                }
                ChannelMsg::Eof => stdin = None,
                ChannelMsg::Close => break,
                _ => {}
            }
        }
        let _ = close_tx.send(());
    });

    let out = async {
        if let Some(mut o) = stdout {
            let mut buf = vec![0u8; 32 * 1024];
            loop {
                match o.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        if tx.data(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                }
            }
        }
    };
    let err = async {
        if let Some(mut e) = stderr {
            let mut buf = vec![0u8; 8 * 1024];
            loop {
                match e.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        if tx.extended_data(1, &buf[..n]).await.is_err() {
                            break;
                        }
                    }
                }
            }
        }
    };
    let work = async {
        tokio::join!(out, err);
        child.wait().await
    };
    tokio::pin!(work);
    let mut closed = false;
    let status = tokio::select! {
        st = &mut work => st,
        r = &mut close_rx => {
            if r.is_ok() {
                // Client gave up (its timeout): end the command.
                closed = true;
                kill_group(pgid);
            }
            // The output side may be stuck on a channel window the client
            // will never open again; the process is dead either way.
            match tokio::time::timeout(Duration::from_secs(2), &mut work).await {
                Ok(st) => st,
                Err(_) => Err(std::io::Error::other("output side stuck after close")),
            }
        }
    };
    input.abort();
    if let Ok(mut m) = shared.running.lock() {
        m.remove(&pgid);
    }
    if !closed {
        let code = match status {
            Ok(s) => s
                .code()
                .map(|c| c as u32)
                .unwrap_or_else(|| 128 + s.signal().unwrap_or(9) as u32),
            Err(_) => 255,
        };
        let _ = tx.exit_status(code).await;
        let _ = tx.eof().await;
        let _ = tx.close().await;
    }
}
