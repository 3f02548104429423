//! The prober: one SSH connection per host, one channel per command.
//!
//! Every operation is bounded: connecting by `connect_timeout`, a command by
//! its own timeout, its output by a byte cap. A host that fails is retried
//! with exponential backoff; while it backs off, calls for it return at once
//! (`SshError::BackingOff`) instead of queueing, so one dead host never slows
//! the others. Hosts share nothing but the map that finds their connection.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use app::domain::telemetry::{Probe, parse_probe};
use russh::keys::{PrivateKey, PrivateKeyWithHashAlg, PublicKeyOrCertificate};
use russh::{ChannelMsg, Disconnect, client};
use serde::Serialize;

use super::keys::{HostKeyPins, PinCheck, key_identity};
use super::script::{
    self, LAUNCHER_SCRIPT, LaunchPhase, ProbeSpec, kill_script, launch_script, probe_script,
    read_file_script, upload_script,
};

/// One host as the prober sees it. `id` is the pin / connection key (the
/// instance id); address changes for the same id replace the connection.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HostSpec {
    pub id: String,
    pub host: String,
    pub port: u16,
    pub user: String,
    /// Work dir for every script (`None` = `$HOME`).
    pub workdir: Option<String>,
    /// Paths must stay inside the work dir (relative, no `..`). Set for
    /// simulated hosts: their bash runs on Canopy's own machine, so a
    /// user-chosen log path like `/root/.ssh/id_ed25519` must not be read
    /// (or written) through them.
    pub confined: bool,
}

/// On a confined host, a user path must be relative and stay below the
/// work dir: no absolute path, no `..`, no `~` (which the quoting keeps
/// literal anyway, but a path that only works by accident is refused).
pub fn check_path(host: &HostSpec, path: &str) -> Result<(), SshError> {
    if !host.confined {
        return Ok(());
    }
    let refuse = |reason: &str| {
        Err(SshError::PathRefused {
            path: path.chars().take(200).collect(),
            reason: reason.to_string(),
        })
    };
    if host.workdir.is_some() {
        return refuse("a confined host has no custom work dir");
    }
    if path.is_empty() {
        return refuse("empty");
    }
    if path.starts_with('/') || path.starts_with('~') {
        return refuse("must be relative to the work dir");
    }
    if path.split('/').any(|c| c == "..") {
        return refuse("must not leave the work dir");
    }
    if path.contains('\0') {
        return refuse("contains NUL");
    }
    Ok(())
}

impl HostSpec {
    pub fn new(id: impl Into<String>, host: impl Into<String>, port: u16) -> Self {
        HostSpec {
            id: id.into(),
            host: host.into(),
            port,
            user: "root".to_string(),
            workdir: None,
            confined: false,
        }
    }
}

#[derive(Debug, Clone)]
pub struct ProberConfig {
    pub connect_timeout: Duration,
    /// Whole-check limit (open channel, run, read everything).
    pub check_timeout: Duration,
    /// Most stdout bytes kept from one command (probe output is the log cap
    /// plus a little text).
    pub output_cap: usize,
    pub backoff_initial: Duration,
    pub backoff_max: Duration,
    /// SSH keepalives detect a silently dead peer between checks.
    pub keepalive_interval: Option<Duration>,
}

impl Default for ProberConfig {
    fn default() -> Self {
        ProberConfig {
            connect_timeout: Duration::from_secs(10),
            check_timeout: Duration::from_secs(20),
            output_cap: (script::DEFAULT_LOG_CAP as usize) + 512 * 1024,
            backoff_initial: Duration::from_millis(500),
            backoff_max: Duration::from_secs(60),
            keepalive_interval: Some(Duration::from_secs(15)),
        }
    }
}

#[derive(Debug, Clone, thiserror::Error, Serialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SshError {
    #[error("cannot connect to {addr}: {reason}")]
    Connect { addr: String, reason: String },
    #[error("host key changed for {host_id}: pinned {pinned}, offered {offered}")]
    HostKeyChanged {
        host_id: String,
        pinned: String,
        offered: String,
    },
    #[error("authentication rejected for {user}@{addr}")]
    AuthRejected { user: String, addr: String },
    #[error("connection lost: {0}")]
    Disconnected(String),
    #[error("timed out after {secs:.1}s")]
    Timeout { secs: f64 },
    #[error("backing off after {failures} failures; next try in {retry_in_ms} ms ({last_error})")]
    BackingOff {
        failures: u32,
        retry_in_ms: u64,
        last_error: String,
    },
    #[error("remote command failed (exit {exit:?}): {stderr}")]
    Remote { exit: Option<u32>, stderr: String },
    #[error("ssh: {0}")]
    Protocol(String),
    #[error("path {path:?} refused: {reason}")]
    PathRefused { path: String, reason: String },
}

impl SshError {
    /// Errors after which the connection is not worth keeping.
    fn drops_connection(&self) -> bool {
        !matches!(
            self,
            SshError::Remote { .. } | SshError::BackingOff { .. } | SshError::PathRefused { .. }
        )
    }
}

/// Result of one command on a channel.
#[derive(Debug, Clone, Default)]
pub struct ExecOutput {
    pub stdout: Vec<u8>,
    /// Capped at 64 KiB.
    pub stderr: Vec<u8>,
    /// `None` when the server sent no exit status (killed by a signal).
    pub exit_status: Option<u32>,
    /// Output went past the cap; the channel was closed early.
    pub truncated: bool,
    pub elapsed: Duration,
}

impl ExecOutput {
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
}

/// How a check went, in one word the watcher can store and show.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CheckState {
    /// Every section arrived.
    Ok,
    /// Output was cut (no end marker): partial sections are still parsed.
    Incomplete,
    /// The check ran past its timeout.
    TimedOut,
    /// Not reached: connect/auth/host-key/backoff problems.
    Unreachable { error: SshError },
    /// Not attempted: the request itself was refused (a path outside a
    /// confined host's work dir).
    Refused { error: SshError },
}

/// One check of one host.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub host_id: String,
    pub state: CheckState,
    /// Parsed sections (absent when nothing came back).
    pub probe: Option<Probe>,
    /// Where the next check should read the log from. Unchanged when no log
    /// bytes arrived; restarts from the new file's start after rotation.
    pub next_offset: u64,
    /// Identity of the file `next_offset` belongs to (device:inode on the
    /// host; `None` when the host could not tell). Persist it with the
    /// offset and pass both back in the next [`ProbeSpec`].
    pub next_log_id: Option<String>,
    /// The log was truncated or replaced since the last check: the file is
    /// smaller than the offset, or it is another file (new identity).
    pub log_reset: bool,
    pub exit_status: Option<u32>,
    /// Up to 2 KiB of the script's stderr, for diagnostics.
    pub stderr: String,
    pub elapsed_ms: u64,
    pub output_bytes: usize,
}

/// What to start detached.
#[derive(Debug, Clone)]
pub struct LaunchSpec {
    /// The user's command, exactly as typed; it travels as ONE quoted word.
    pub command: String,
    pub log: String,
    pub pid_file: String,
    pub exit_file: String,
    pub phase: LaunchPhase,
}

struct ClientHandler {
    host_id: String,
    pins: Arc<dyn HostKeyPins>,
    changed: Arc<Mutex<Option<(String, String)>>>,
}

impl client::Handler for ClientHandler {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        key: &PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        // Certificates are not used by Vast hosts; refusing them keeps the
        // pin model to one thing: the host's own key.
        let PublicKeyOrCertificate::PublicKey { key, .. } = key else {
            return Ok(false);
        };
        let offered = key_identity(key);
        match self.pins.check_or_pin(&self.host_id, &offered) {
            PinCheck::PinnedNow | PinCheck::Matches => Ok(true),
            PinCheck::Changed { pinned, offered } => {
                if let Ok(mut slot) = self.changed.lock() {
                    *slot = Some((pinned, offered));
                }
                Ok(false)
            }
        }
    }
}

type Conn = Arc<client::Handle<ClientHandler>>;

#[derive(Default)]
struct ConnState {
    spec: Option<HostSpec>,
    conn: Option<Conn>,
    failures: u32,
    retry_at: Option<Instant>,
    last_error: Option<SshError>,
}

/// The SSH client side. Cheap to clone; clones share connections.
#[derive(Clone)]
pub struct Prober {
    inner: Arc<Inner>,
}

struct Inner {
    key: Arc<PrivateKey>,
    pins: Arc<dyn HostKeyPins>,
    cfg: ProberConfig,
    client_cfg: Arc<client::Config>,
    hosts: Mutex<HashMap<String, Arc<tokio::sync::Mutex<ConnState>>>>,
}

const STDERR_CAP: usize = 64 * 1024;

impl Prober {
    pub fn new(key: PrivateKey, pins: Arc<dyn HostKeyPins>, cfg: ProberConfig) -> Self {
        let client_cfg = client::Config {
            keepalive_interval: cfg.keepalive_interval,
            keepalive_max: 3,
            nodelay: true,
            ..Default::default()
        };
        Prober {
            inner: Arc::new(Inner {
                key: Arc::new(key),
                pins,
                cfg,
                client_cfg: Arc::new(client_cfg),
                hosts: Mutex::new(HashMap::new()),
            }),
        }
    }

    pub fn config(&self) -> &ProberConfig {
        &self.inner.cfg
    }

    fn slot(&self, id: &str) -> Arc<tokio::sync::Mutex<ConnState>> {
        let mut m = match self.inner.hosts.lock() {
            Ok(m) => m,
            Err(p) => p.into_inner(),
        };
        m.entry(id.to_string()).or_default().clone()
    }

    /// Close and forget a host's connection (instance destroyed).
    pub async fn forget(&self, id: &str) {
        let slot = {
            let mut m = match self.inner.hosts.lock() {
                Ok(m) => m,
                Err(p) => p.into_inner(),
            };
            m.remove(id)
        };
        if let Some(slot) = slot {
            let st = slot.lock().await;
            if let Some(c) = &st.conn {
                let _ = c.disconnect(Disconnect::ByApplication, "", "en").await;
            }
        }
    }

    /// Whether a live connection is held for the host (for tests/metrics).
    pub async fn is_connected(&self, id: &str) -> bool {
        let slot = self.slot(id);
        let st = slot.lock().await;
        st.conn.as_ref().is_some_and(|c| !c.is_closed())
    }

    /// Get the host's connection, (re)connecting if needed and allowed.
    async fn connection(&self, host: &HostSpec) -> Result<Conn, SshError> {
        let slot = self.slot(&host.id);
        let mut st = slot.lock().await;
        // Only the address and user identify a connection; the work dir and
        // confinement are per-script settings.
        let same = st
            .spec
            .as_ref()
            .is_some_and(|s| s.host == host.host && s.port == host.port && s.user == host.user);
        if !same {
            // New address for this instance (or first use): start over.
            if let Some(c) = st.conn.take() {
                let _ = c.disconnect(Disconnect::ByApplication, "", "en").await;
            }
            *st = ConnState {
                spec: Some(host.clone()),
                ..Default::default()
            };
        }
        if let Some(c) = &st.conn {
            if !c.is_closed() {
                return Ok(c.clone());
            }
            st.conn = None;
        }
        if let Some(at) = st.retry_at {
            let now = Instant::now();
            if now < at {
                return Err(SshError::BackingOff {
                    failures: st.failures,
                    retry_in_ms: (at - now).as_millis() as u64,
                    last_error: st
                        .last_error
                        .as_ref()
                        .map(|e| e.to_string())
                        .unwrap_or_default(),
                });
            }
        }
        match tokio::time::timeout(self.inner.cfg.connect_timeout, self.connect(host)).await {
            Ok(Ok(c)) => {
                if st.failures > 0 {
                    tracing::info!(host = %host.id, failures = st.failures, "ssh reconnected");
                }
                st.conn = Some(c.clone());
                st.failures = 0;
                st.retry_at = None;
                st.last_error = None;
                Ok(c)
            }
            Ok(Err(e)) => Err(self.note_failure(&mut st, e)),
            Err(_) => {
                let e = SshError::Connect {
                    addr: format!("{}:{}", host.host, host.port),
                    reason: format!(
                        "timed out after {:.1}s",
                        self.inner.cfg.connect_timeout.as_secs_f64()
                    ),
                };
                Err(self.note_failure(&mut st, e))
            }
        }
    }

    fn note_failure(&self, st: &mut ConnState, e: SshError) -> SshError {
        st.failures = st.failures.saturating_add(1);
        if matches!(e, SshError::HostKeyChanged { .. }) {
            tracing::warn!(error = %e, "refusing host with a changed key");
        } else {
            tracing::debug!(error = %e, failures = st.failures, "ssh connect failed");
        }
        let exp = st.failures.saturating_sub(1).min(16);
        let wait = self
            .inner
            .cfg
            .backoff_initial
            .saturating_mul(1u32 << exp)
            .min(self.inner.cfg.backoff_max);
        st.retry_at = Some(Instant::now() + wait);
        st.last_error = Some(e.clone());
        e
    }

    async fn mark_dead(&self, host: &HostSpec, failed: &Conn, e: &SshError) {
        if !e.drops_connection() {
            return;
        }
        let slot = self.slot(&host.id);
        let mut st = slot.lock().await;
        // Another check may already have replaced the connection that
        // failed here; only that one is dropped.
        if !st.conn.as_ref().is_some_and(|c| Arc::ptr_eq(c, failed)) {
            return;
        }
        if let Some(c) = st.conn.take() {
            // Best effort: the peer may be gone already.
            tokio::spawn(async move {
                let _ = c.disconnect(Disconnect::ByApplication, "", "en").await;
            });
        }
    }

    async fn connect(&self, host: &HostSpec) -> Result<Conn, SshError> {
        let addr = format!("{}:{}", host.host, host.port);
        let changed = Arc::new(Mutex::new(None));
        let handler = ClientHandler {
            host_id: host.id.clone(),
            pins: self.inner.pins.clone(),
            changed: changed.clone(),
        };
        let mut h = match client::connect(
            self.inner.client_cfg.clone(),
            (host.host.as_str(), host.port),
            handler,
        )
        .await
        {
            Ok(h) => h,
            Err(e) => {
                if let Some((pinned, offered)) = changed.lock().ok().and_then(|s| s.clone()) {
                    return Err(SshError::HostKeyChanged {
                        host_id: host.id.clone(),
                        pinned,
                        offered,
                    });
                }
                return Err(SshError::Connect {
                    addr,
                    reason: e.to_string(),
                });
            }
        };
        let hash = h
            .best_supported_rsa_hash()
            .await
            .map_err(|e| SshError::Protocol(e.to_string()))?
            .flatten();
        let auth = h
            .authenticate_publickey(
                host.user.clone(),
                PrivateKeyWithHashAlg::new(self.inner.key.clone(), hash),
            )
            .await
            .map_err(|e| SshError::Protocol(e.to_string()))?;
        if !auth.success() {
            return Err(SshError::AuthRejected {
                user: host.user.clone(),
                addr,
            });
        }
        Ok(Arc::new(h))
    }

    /// Run one command on its own channel. `stdin` is sent then EOF'd.
    pub async fn exec(
        &self,
        host: &HostSpec,
        command: &str,
        stdin: Option<&[u8]>,
        timeout: Duration,
        cap: usize,
    ) -> Result<ExecOutput, SshError> {
        let started = Instant::now();
        let deadline = tokio::time::Instant::now() + timeout;
        let conn = match tokio::time::timeout_at(deadline, self.connection(host)).await {
            Ok(r) => r?,
            Err(_) => {
                return Err(SshError::Timeout {
                    secs: timeout.as_secs_f64(),
                });
            }
        };
        let opened = tokio::time::timeout_at(deadline, conn.channel_open_session()).await;
        let mut ch = match opened {
            Ok(Ok(ch)) => ch,
            Ok(Err(e)) => {
                let err = SshError::Disconnected(e.to_string());
                self.mark_dead(host, &conn, &err).await;
                return Err(err);
            }
            Err(_) => {
                let err = SshError::Timeout {
                    secs: timeout.as_secs_f64(),
                };
                self.mark_dead(host, &conn, &err).await;
                return Err(err);
            }
        };
        let mut out = ExecOutput::default();
        let io = async {
            ch.exec(true, command.as_bytes())
                .await
                .map_err(|e| SshError::Disconnected(e.to_string()))?;
            if let Some(data) = stdin {
                ch.data(data)
                    .await
                    .map_err(|e| SshError::Disconnected(e.to_string()))?;
            }
            ch.eof()
                .await
                .map_err(|e| SshError::Disconnected(e.to_string()))?;
            let mut closed_cleanly = false;
            while let Some(msg) = ch.wait().await {
                match msg {
                    ChannelMsg::Data { data } => {
                        let room = cap.saturating_sub(out.stdout.len());
                        if data.len() > room {
                            out.stdout.extend_from_slice(&data[..room]);
                            out.truncated = true;
                            break;
                        }
                        out.stdout.extend_from_slice(&data);
                    }
                    ChannelMsg::ExtendedData { data, .. } => {
                        let room = STDERR_CAP.saturating_sub(out.stderr.len());
                        out.stderr.extend_from_slice(&data[..data.len().min(room)]);
                    }
                    ChannelMsg::ExitStatus { exit_status } => out.exit_status = Some(exit_status),
                    ChannelMsg::Close => {
                        closed_cleanly = true;
                        break;
                    }
                    _ => {}
                }
            }
            if !closed_cleanly && !out.truncated && out.exit_status.is_none() {
                // The channel's receiver ended without Close: the
                // connection itself went away mid-command.
                return Err(SshError::Disconnected(
                    "channel ended before the command finished".to_string(),
                ));
            }
            Ok::<(), SshError>(())
        };
        let res = tokio::time::timeout_at(deadline, io).await;
        out.elapsed = started.elapsed();
        match res {
            Ok(Ok(())) => {
                if out.truncated {
                    // Stop the remote side from producing more.
                    let _ = tokio::time::timeout(Duration::from_secs(1), ch.close()).await;
                }
                Ok(out)
            }
            Ok(Err(e)) => {
                self.mark_dead(host, &conn, &e).await;
                Err(e)
            }
            Err(_) => {
                // Closing the channel makes the server end the command (the
                // simulated host kills its process group; sshd closes its
                // pipes). The connection itself stays usable.
                let _ = tokio::time::timeout(Duration::from_secs(1), ch.close()).await;
                Err(SshError::Timeout {
                    secs: timeout.as_secs_f64(),
                })
            }
        }
    }

    /// One check: ONE exec of the batched probe script.
    pub async fn check(&self, host: &HostSpec, spec: &ProbeSpec) -> Check {
        let started = Instant::now();
        let mut spec = spec.clone();
        if spec.workdir.is_none() {
            spec.workdir = host.workdir.clone();
        }
        for p in [&spec.log_path, &spec.pid_file, &spec.exit_file]
            .into_iter()
            .flatten()
        {
            if let Err(e) = check_path(host, p) {
                return Check {
                    host_id: host.id.clone(),
                    state: CheckState::Refused { error: e },
                    probe: None,
                    next_offset: spec.log_offset,
                    next_log_id: spec.log_id.clone(),
                    log_reset: false,
                    exit_status: None,
                    stderr: String::new(),
                    elapsed_ms: 0,
                    output_bytes: 0,
                };
            }
        }
        let script = probe_script(&spec);
        let cap = self
            .inner
            .cfg
            .output_cap
            .max(spec.log_cap as usize + 64 * 1024);
        let res = self
            .exec(host, &script, None, self.inner.cfg.check_timeout, cap)
            .await;
        let mut check = Check {
            host_id: host.id.clone(),
            state: CheckState::Ok,
            probe: None,
            next_offset: spec.log_offset,
            next_log_id: spec.log_id.clone(),
            log_reset: false,
            exit_status: None,
            stderr: String::new(),
            elapsed_ms: 0,
            output_bytes: 0,
        };
        match res {
            Ok(out) => {
                let probe = parse_probe(&out.stdout, &spec.gpu_field_refs(), spec.log_offset);
                if let Some(Some(chunk)) = &probe.log {
                    check.next_offset = chunk.offset + chunk.bytes.len() as u64;
                    check.next_log_id = chunk.file_id.clone();
                    check.log_reset = chunk.is_reset(spec.log_id.as_deref());
                }
                check.state = if probe.complete {
                    CheckState::Ok
                } else {
                    CheckState::Incomplete
                };
                check.exit_status = out.exit_status;
                check.stderr =
                    String::from_utf8_lossy(&out.stderr[..out.stderr.len().min(2048)]).into_owned();
                check.output_bytes = out.stdout.len();
                check.probe = Some(probe);
            }
            Err(SshError::Timeout { .. }) => check.state = CheckState::TimedOut,
            Err(e) => check.state = CheckState::Unreachable { error: e },
        }
        check.elapsed_ms = started.elapsed().as_millis() as u64;
        check
    }

    async fn run_ok(
        &self,
        host: &HostSpec,
        script: &str,
        stdin: Option<&[u8]>,
        cap: usize,
    ) -> Result<ExecOutput, SshError> {
        let out = self
            .exec(host, script, stdin, self.inner.cfg.check_timeout, cap)
            .await?;
        if out.exit_status != Some(0) {
            return Err(SshError::Remote {
                exit: out.exit_status,
                stderr: out.stderr_text().chars().take(500).collect(),
            });
        }
        Ok(out)
    }

    /// Upload a small file (stdin of `cat`), atomically replaced.
    pub async fn upload(
        &self,
        host: &HostSpec,
        path: &str,
        data: &[u8],
        mode: u32,
    ) -> Result<(), SshError> {
        check_path(host, path)?;
        let script = upload_script(host.workdir.as_deref(), path, mode);
        self.run_ok(host, &script, Some(data), 4096)
            .await
            .map(|_| ())
    }

    /// Install Canopy's launcher on the host.
    pub async fn install_launcher(&self, host: &HostSpec) -> Result<(), SshError> {
        self.upload(
            host,
            &script::launcher_path(),
            LAUNCHER_SCRIPT.as_bytes(),
            0o755,
        )
        .await
    }

    /// Start a command detached through the launcher; returns its pid.
    pub async fn launch(&self, host: &HostSpec, spec: &LaunchSpec) -> Result<u32, SshError> {
        for p in [&spec.log, &spec.pid_file, &spec.exit_file] {
            check_path(host, p)?;
        }
        let script = launch_script(
            host.workdir.as_deref(),
            &spec.command,
            &spec.log,
            &spec.pid_file,
            &spec.exit_file,
            spec.phase,
        );
        let out = self.run_ok(host, &script, None, 4096).await?;
        out.stdout_text()
            .lines()
            .last()
            .and_then(|l| l.trim().parse().ok())
            .ok_or_else(|| SshError::Remote {
                exit: out.exit_status,
                stderr: format!("no pid printed: {:?}", out.stdout_text()),
            })
    }

    /// Stop the run in `pid_file` (TERM, then KILL after `grace_s`).
    /// Returns true when something was running.
    pub async fn kill(
        &self,
        host: &HostSpec,
        pid_file: &str,
        grace_s: u32,
    ) -> Result<bool, SshError> {
        check_path(host, pid_file)?;
        let script = kill_script(host.workdir.as_deref(), pid_file, grace_s);
        let out = self.run_ok(host, &script, None, 4096).await?;
        Ok(out.stdout_text().starts_with("stopped"))
    }

    /// Read at most `cap` bytes of a file.
    pub async fn read_file(
        &self,
        host: &HostSpec,
        path: &str,
        cap: u64,
    ) -> Result<Vec<u8>, SshError> {
        check_path(host, path)?;
        let script = read_file_script(host.workdir.as_deref(), path, cap);
        Ok(self
            .run_ok(host, &script, None, cap as usize + 1)
            .await?
            .stdout)
    }
}
