//! One watcher per live run: the bring-up checklist, the smoke run's live
//! numbers, the verdict, and the end of the run — checked over SSH every few
//! seconds by the server, so nobody polls by hand.
//!
//! Every check is: (maybe) one Vast API call, ONE SSH exec of the batched
//! probe, then ONE fenced `UPDATE` of the run row (checklist, watch state, log
//! offset, verdict), a batch of events, one sample row, and a publish on the
//! bus. The lease is renewed before each check; losing it stops the watcher
//! without another write (the fence refuses them anyway).

use std::sync::Arc;
use std::time::Duration;

use app::domain::actions::HostAction;
use app::domain::analysis::stats::{median, quantile_sorted};
use app::domain::analysis::{
    Attempt, AttemptKind, Check as HistoryCheck, Decision, FullTarget, GpuPoint, ProcessState,
    Progress, RunHistory, RunSpec, assess,
};
use app::domain::checklist::{
    BootstrapResult, Checklist, ChecklistRow, FirstNumbers, GpuObservation, OfferExpectation,
    Outcome, Step,
};
use app::domain::launch::KillPolicy;
use app::domain::logs::{LogAnalyzer, Normalizer};
use app::domain::run_view::{EvalNumbers, LiveNumbers, RatePercentiles, UtilStats};
use app::domain::telemetry::{GpuSample, Probe};

use super::RunsRuntime;
use super::alerts::Alert;
use super::state::{Launched, Phase, WatchState};
use crate::db::runs::{
    EventKind, InstanceInfo, LaunchSpec, NewEvent, RunRow, RunStatus, RunsError, Sample,
};
use crate::ssh::{CheckState, HostKeyPins, HostSpec, LaunchPhase, ProbeSpec, SshError};

const BOOTSTRAP_LOG: &str = ".canopy/bootstrap.log";
const BOOTSTRAP_PID: &str = ".canopy/bootstrap.pid";
const BOOTSTRAP_EXIT: &str = ".canopy/bootstrap.exit";
const SMOKE_PID: &str = ".canopy/smoke.pid";
const SMOKE_EXIT: &str = ".canopy/smoke.exit";
const FULL_PID: &str = ".canopy/full.pid";
const FULL_EXIT: &str = ".canopy/full.exit";
const TRANSFER_PROBE: &str = ".canopy/transfer-probe";
/// Bytes of the bootstrap log read back for its error class and tail.
const BOOTSTRAP_TAIL_BYTES: u64 = 64 * 1024;

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// What the loop does next.
enum Flow {
    Again(Duration),
    Stop,
}

/// Watches run `run_id` until it ends or the lease is lost. The caller holds
/// the lease already.
pub async fn watch(rt: Arc<RunsRuntime>, run_id: i64) {
    let mut watcher = match Watcher::load(rt.clone(), run_id).await {
        Ok(Some(w)) => w,
        Ok(None) => {
            let _ = rt.repo.release(run_id, &rt.holder).await;
            return;
        }
        Err(e) => {
            tracing::error!(run_id, "cannot resume the run: {e}");
            let _ = rt.repo.release(run_id, &rt.holder).await;
            return;
        }
    };
    loop {
        match rt.repo.renew(run_id, &rt.holder, rt.cfg.lease_ttl).await {
            Ok(true) => {}
            Ok(false) => {
                tracing::info!(run_id, "lease taken over; this server stops watching");
                return;
            }
            Err(e) => {
                // The database is unreachable: keep trying; the lease covers a
                // short outage, a long one hands the run to another server.
                tracing::warn!(run_id, "cannot renew the lease: {e}");
                tokio::time::sleep(rt.cfg.cadence).await;
                continue;
            }
        }
        match watcher.check_once().await {
            Ok(Flow::Again(wait)) => tokio::time::sleep(wait).await,
            Ok(Flow::Stop) => break,
            Err(RunsError::LeaseLost { .. }) => {
                tracing::info!(run_id, "lease lost during a check; stopping");
                return;
            }
            Err(e) => {
                tracing::warn!(run_id, "check failed: {e}");
                tokio::time::sleep(rt.cfg.cadence).await;
            }
        }
    }
    let _ = rt.repo.release(run_id, &rt.holder).await;
    rt.prober.forget(&watcher.host_id()).await;
    rt.bus.publish(run_id);
}

struct Watcher {
    rt: Arc<RunsRuntime>,
    run_id: i64,
    spec: LaunchSpec,
    offer: serde_json::Value,
    instance_id: Option<i64>,
    host: Option<HostSpec>,
    checklist: Checklist,
    state: WatchState,
    log_offset: u64,
    analyzer: LogAnalyzer,
    tail: Normalizer,
    /// Events and checklist transitions of the check under way.
    events: Vec<NewEvent>,
    status: RunStatus,
    /// Set by a step that ends the run (instance gone, SSH lost, smoke over).
    pending_end: Option<(RunStatus, String)>,
    end_reason: Option<String>,
    label: String,
    /// The run this one was switched or relaunched from.
    parent: Option<i64>,
    offer_id: u64,
    /// The status as last read from or written to the row.
    stored_status: RunStatus,
}

impl Watcher {
    async fn load(rt: Arc<RunsRuntime>, run_id: i64) -> Result<Option<Watcher>, RunsError> {
        let Some(row) = rt.repo.get(run_id).await? else {
            return Ok(None);
        };
        if !row.is_live() {
            return Ok(None);
        }
        let spec = row.launch_spec()?;
        let resumed = row.checklist.is_some();
        let checklist = match row.checklist_state()? {
            Some(c) => c,
            None => Checklist::new(
                rt.cfg.checklist.clone(),
                expectation(&row.offer),
                row.created_at_ms,
            ),
        };
        let mut state: WatchState = match &row.watch_state {
            Some(v) => serde_json::from_value(v.clone()).map_err(|e| RunsError::Decode {
                run_id,
                what: "watch state",
                detail: e.to_string(),
            })?,
            None => WatchState::default(),
        };
        if state.origin_ms == 0 {
            // A switched / relaunched run starts with its parent's attempts.
            let attempts = std::mem::take(&mut state.history.attempts);
            state.origin_ms = row.created_at_ms;
            state.history = RunHistory::new(run_spec(&row, &spec), 0.0);
            state.history.attempts = attempts;
        }
        let mut w = Watcher {
            host: None,
            instance_id: row.instance_id,
            rt,
            run_id,
            spec,
            offer: row.offer.clone(),
            checklist,
            state,
            log_offset: row.log_offset.max(0) as u64,
            analyzer: LogAnalyzer::new(),
            tail: Normalizer::new(),
            events: Vec::new(),
            status: row.status,
            pending_end: None,
            end_reason: None,
            label: row.label.clone(),
            parent: row.parent_run_id,
            offer_id: row.offer_id.max(0) as u64,
            stored_status: row.status,
        };
        w.host = w.host_spec(&row);
        if let (Some(host), Some(pin)) = (&w.host, &w.state.host_key) {
            // Re-pin what the previous holder saw: a changed host key stays refused.
            w.rt.pins.check_or_pin(&host.id, pin);
        }
        let message = if resumed {
            format!(
                "watcher {} took the run over at log offset {} ({} phase)",
                w.rt.holder,
                w.log_offset,
                w.state.phase.as_str()
            )
        } else {
            format!("watcher {} started", w.rt.holder)
        };
        w.event(EventKind::Lease, message, None);
        Ok(Some(w))
    }

    fn host_id(&self) -> String {
        self.instance_id.map(|i| i.to_string()).unwrap_or_default()
    }

    fn host_spec(&self, row: &RunRow) -> Option<HostSpec> {
        let (Some(id), Some(host), Some(port)) = (row.instance_id, &row.ssh_host, row.ssh_port)
        else {
            return None;
        };
        Some(HostSpec {
            confined: self.rt.simulated,
            ..HostSpec::new(id.to_string(), host.clone(), port)
        })
    }

    fn event(&mut self, kind: EventKind, message: String, data: Option<serde_json::Value>) {
        self.events.push(NewEvent {
            kind,
            step: None,
            message,
            data,
            at_ms: Some(now_ms()),
        });
    }

    fn transition(&mut self, row: Option<ChecklistRow>) {
        if let Some(row) = row {
            self.events.push(NewEvent::checklist(&row, Some(now_ms())));
        }
    }

    fn t_s(&self, ms: i64) -> f64 {
        (ms - self.state.origin_ms) as f64 / 1000.0
    }

    async fn check_once(&mut self) -> Result<Flow, RunsError> {
        // Someone (a person, the CLI, another server's action) may have ended it.
        let Some(row) = self.rt.repo.get(self.run_id).await? else {
            return Ok(Flow::Stop);
        };
        if !row.is_live() {
            self.state.phase = Phase::Ended;
            return Ok(Flow::Stop);
        }
        // Only final statuses are set by others (kill, switch): those stop
        // the watcher above.
        self.stored_status = row.status;
        let now = now_ms();
        if let Some(action) = self
            .rt
            .repo
            .take_action(self.run_id, &self.rt.holder)
            .await?
        {
            self.act(now, action).await;
        }
        let mut sample = None;
        if self.instance_id.is_none() {
            self.rent(now).await?;
        } else {
            match self.state.phase {
                Phase::BringUp => self.bring_up(now).await?,
                Phase::Smoke | Phase::Full => sample = self.watch_smoke(now).await,
                Phase::AwaitingDecision => self.await_decision(now).await?,
                Phase::Ended => {}
            }
        }
        let timed_out = self.checklist.tick(now);
        self.transition(timed_out);
        self.check_budget(now);

        // How the run ends, if it does now.
        let mut end: Option<(RunStatus, String)> = None;
        if let Outcome::Failed { step, reason } = self.checklist.outcome()
            && self.state.phase != Phase::Ended
        {
            end = Some((RunStatus::Failed, format!("{}: {reason}", step.label())));
        }
        if let Some(a) = &self.state.assessment
            && end.is_none()
            && a.verdict.decision == Decision::Kill
            && self.spec.kill_policy == KillPolicy::Auto
            && matches!(
                self.state.phase,
                Phase::Smoke | Phase::AwaitingDecision | Phase::Full
            )
        {
            end = Some((
                RunStatus::Killed,
                format!("killed automatically (policy: auto): {}", a.verdict.summary),
            ));
        }
        if let Some(a) = &self.state.assessment
            && end.is_none()
            && a.verdict.decision == Decision::Switch
            && self.spec.kill_policy == KillPolicy::Auto
            && matches!(self.state.phase, Phase::Smoke | Phase::AwaitingDecision)
            && self.pending_end.is_none()
            // One automatic switch per lineage: a run that is itself a
            // switch alerts instead of hopping from host to host.
            && self.parent.is_none()
        {
            // Acting is the policy; the switch itself ends this run.
            let summary = a.verdict.summary.clone();
            self.persist(None).await?;
            match super::actions::relaunch(&self.rt, self.run_id, "canopy (automatic policy)", None)
                .await
            {
                Ok(new_id) => {
                    tracing::info!(
                        run_id = self.run_id,
                        new_id,
                        "switched automatically: {summary}"
                    );
                    return Ok(Flow::Stop);
                }
                Err(e) => self.event(
                    EventKind::Alert,
                    format!("switch (automatic policy) failed: {e} — the run goes on"),
                    None,
                ),
            }
        }
        if let Some((status, reason)) = &self.pending_end {
            end = Some((*status, reason.clone()));
        }
        let flow = if let Some((status, reason)) = end {
            self.finish(status, &reason).await;
            Flow::Stop
        } else {
            let wait = match self.state.phase {
                Phase::AwaitingDecision => self.rt.cfg.idle_cadence,
                _ => self.rt.cfg.cadence,
            };
            Flow::Again(wait)
        };
        self.persist(sample).await?;
        Ok(flow)
    }
}

// ---- the steps ----

impl Watcher {
    /// No instance yet (the launching server died before renting, or renting
    /// failed transiently): rent it now. The label makes this idempotent.
    async fn rent(&mut self, now: i64) -> Result<(), RunsError> {
        match super::rent(&self.rt, self.run_id, self.offer_id, &self.spec).await {
            Ok(id) => {
                self.instance_id = Some(id as i64);
                self.rt
                    .repo
                    .set_instance(
                        self.run_id,
                        &InstanceInfo {
                            instance_id: id as i64,
                            ssh_host: None,
                            ssh_port: None,
                            host_key_fingerprint: None,
                        },
                    )
                    .await?;
                self.set_status(RunStatus::BringingUp);
                self.event(EventKind::Action, format!("rented instance {id}"), None);
            }
            Err(e) if e.is_transient() => {
                self.checklist.observe_instance_status(now, "renting", None);
                tracing::warn!(run_id = self.run_id, "renting failed, will retry: {e}");
            }
            Err(e) => {
                self.pending_end =
                    Some((RunStatus::Failed, format!("could not rent the offer: {e}")));
            }
        }
        Ok(())
    }

    fn set_status(&mut self, status: RunStatus) {
        if self.status != status && !self.status.is_final() {
            self.status = status;
        }
    }

    async fn bring_up(&mut self, now: i64) -> Result<(), RunsError> {
        match self.checklist.current() {
            Some(Step::InstanceRunning) => self.poll_instance(now).await?,
            Some(Step::SshReachable) | Some(Step::GpusVisible) => self.reach_host(now).await,
            Some(Step::BootstrapDone) => self.bootstrap(now).await,
            Some(Step::SmokeStarted) => self.start_smoke(now).await,
            Some(Step::Progressing) | Some(Step::FirstNumbers) | None => {
                self.state.phase = Phase::Smoke;
            }
        }
        Ok(())
    }

    /// Vast's view of the instance: status, and the SSH endpoint once running.
    async fn poll_instance(&mut self, now: i64) -> Result<(), RunsError> {
        let Some(id) = self.instance_id else {
            return Ok(());
        };
        match self.rt.vast.show_instance(id as u64).await {
            Ok(Some(inst)) => {
                let status = inst
                    .actual_status
                    .clone()
                    .unwrap_or_else(|| "scheduling".into());
                let change = self.checklist.observe_instance_status(
                    now,
                    &status,
                    inst.status_msg.as_deref(),
                );
                self.transition(change);
                if let Some((host, port)) = inst.ssh_target().filter(|t| t.1 != 0)
                    && status == "running"
                {
                    let info = InstanceInfo {
                        instance_id: id,
                        ssh_host: Some(host.clone()),
                        ssh_port: Some(port),
                        host_key_fingerprint: None,
                    };
                    self.rt.repo.set_instance(self.run_id, &info).await?;
                    self.host = Some(HostSpec {
                        confined: self.rt.simulated,
                        ..HostSpec::new(id.to_string(), host, port)
                    });
                }
            }
            Ok(None) => {
                let change = self.checklist.observe_instance_status(
                    now,
                    "destroyed",
                    Some("the instance no longer exists"),
                );
                self.transition(change);
            }
            Err(e) => {
                tracing::debug!(run_id = self.run_id, "show instance: {e}");
            }
        }
        Ok(())
    }

    /// SSH reachable and GPUs visible, from one probe.
    async fn reach_host(&mut self, now: i64) {
        let Some(host) = self.host.clone() else {
            // Running but no endpoint yet: ask Vast again.
            let _ = self.poll_instance(now).await;
            return;
        };
        let check = self.rt.prober.check(&host, &ProbeSpec::default()).await;
        self.remember_pin(&host);
        match &check.state {
            CheckState::Unreachable { error } => {
                let permanent = matches!(
                    error,
                    SshError::HostKeyChanged { .. } | SshError::AuthRejected { .. }
                );
                let change = self
                    .checklist
                    .ssh_failed(now, &error.to_string(), permanent);
                self.transition(change);
                return;
            }
            CheckState::Refused { error } => {
                let change = self.checklist.ssh_failed(now, &error.to_string(), true);
                self.transition(change);
                return;
            }
            CheckState::TimedOut => {
                let change = self.checklist.ssh_failed(now, "the check timed out", false);
                self.transition(change);
                return;
            }
            CheckState::Ok | CheckState::Incomplete => {}
        }
        if self.checklist.current() == Some(Step::SshReachable) {
            let change = self.checklist.ssh_ok(now, &host.host, host.port);
            self.transition(change);
            self.measure_transfer(&host).await;
        }
        if self.checklist.current() != Some(Step::GpusVisible) {
            return;
        }
        match check.probe.as_ref().and_then(|p| p.gpu.clone()) {
            Some(Ok(poll)) if !poll.gpus.is_empty() => {
                let first = &poll.gpus[0];
                let seen = GpuObservation {
                    count: poll.gpus.len() as u32,
                    name: first.name.clone().unwrap_or_default(),
                    mem_mb: first.mem_total_mib.unwrap_or(0.0).round() as u64,
                    driver: None,
                    cuda: None,
                };
                let change = self.checklist.gpus_seen(now, seen);
                self.transition(change);
            }
            Some(Ok(_)) => {
                let change = self.checklist.gpus_seen(
                    now,
                    GpuObservation {
                        count: 0,
                        name: String::new(),
                        mem_mb: 0,
                        driver: None,
                        cuda: None,
                    },
                );
                self.transition(change);
            }
            Some(Err(e)) => {
                let change = self.checklist.gpus_failed(now, &e.to_string());
                self.transition(change);
            }
            None => {
                let change = self.checklist.gpus_failed(now, "nvidia-smi did not answer");
                self.transition(change);
            }
        }
    }

    fn remember_pin(&mut self, host: &HostSpec) {
        if self.state.host_key.is_none()
            && let Some(pin) = self.rt.pins.get(&host.id)
        {
            self.state.host_key = Some(pin);
        }
    }

    /// A timed upload of a known size over the run's SSH connection: what
    /// Canopy can measure on any host without the host reaching the internet.
    async fn measure_transfer(&mut self, host: &HostSpec) {
        if self.state.transfer_mbps.is_some() || self.state.transfer_attempts >= 3 {
            return;
        }
        self.state.transfer_attempts += 1;
        let size = self.rt.cfg.transfer_probe_bytes;
        let data = pseudo_random_bytes(size);
        let started = std::time::Instant::now();
        match self
            .rt
            .prober
            .upload(host, TRANSFER_PROBE, &data, 0o600)
            .await
        {
            Ok(()) => {
                let secs = started.elapsed().as_secs_f64().max(1e-6);
                let mbps = size as f64 / 1e6 / secs;
                self.state.transfer_mbps = Some(mbps);
                self.state.transfer_method = Some(format!(
                    "timed {} MiB upload from Canopy to the host over SSH",
                    size / (1024 * 1024)
                ));
                // Leave no payload behind on the user's disk.
                let _ = self
                    .rt
                    .prober
                    .upload(host, TRANSFER_PROBE, b"", 0o600)
                    .await;
            }
            Err(e) => {
                tracing::warn!(run_id = self.run_id, "transfer probe failed: {e}");
            }
        }
    }

    /// Starts `command` detached through Canopy's launcher (installed once).
    async fn start_detached(
        &mut self,
        host: &HostSpec,
        command: String,
        files: (&str, &str, &str),
        phase: LaunchPhase,
        now: i64,
    ) -> Result<Launched, SshError> {
        let (log, pid_file, exit_file) = files;
        self.install_launcher(host).await?;
        let pid = self
            .rt
            .prober
            .launch(
                host,
                &crate::ssh::LaunchSpec {
                    command,
                    log: log.into(),
                    pid_file: pid_file.into(),
                    exit_file: exit_file.into(),
                    phase,
                },
            )
            .await?;
        Ok(Launched {
            pid,
            started_ms: now,
            log: log.into(),
            pid_file: pid_file.into(),
            exit_file: exit_file.into(),
        })
    }

    async fn install_launcher(&mut self, host: &HostSpec) -> Result<(), SshError> {
        if !self.state.launcher_installed {
            self.rt.prober.install_launcher(host).await?;
            self.state.launcher_installed = true;
        }
        Ok(())
    }

    async fn bootstrap(&mut self, now: i64) {
        let Some(host) = self.host.clone() else {
            return;
        };
        let Some(command) = self.spec.bootstrap.clone() else {
            let change = self.checklist.skip_bootstrap(now);
            self.transition(change);
            return;
        };
        let Some(launched) = self.state.bootstrap.clone() else {
            let files = (BOOTSTRAP_LOG, BOOTSTRAP_PID, BOOTSTRAP_EXIT);
            let started = self
                .start_detached(&host, command, files, LaunchPhase::Bootstrap, now)
                .await;
            match started {
                Ok(launched) => {
                    let pid = launched.pid;
                    self.state.bootstrap = Some(launched);
                    self.event(
                        EventKind::Note,
                        format!("bootstrap started as pid {pid}, output in {BOOTSTRAP_LOG}"),
                        None,
                    );
                }
                Err(e) => {
                    let change = self.checklist.bootstrap_finished(
                        now,
                        BootstrapResult {
                            exit_code: -1,
                            failing_command: None,
                            error_class: Some("ssh".into()),
                            error: Some(format!("could not start the bootstrap: {e}")),
                            output_tail: None,
                        },
                    );
                    self.transition(change);
                }
            }
            return;
        };
        let probe = ProbeSpec {
            pid_file: Some(launched.pid_file.clone()),
            exit_file: Some(launched.exit_file.clone()),
            ..ProbeSpec::default()
        };
        let check = self.rt.prober.check(&host, &probe).await;
        let Some(pid) = check.probe.as_ref().and_then(|p| p.pid.clone()) else {
            return;
        };
        let process = ProcessState::from_pid_status(&pid);
        let ProcessState::Exited { code } = process else {
            return;
        };
        let output = self
            .rt
            .prober
            .read_file(&host, BOOTSTRAP_LOG, BOOTSTRAP_TAIL_BYTES)
            .await
            .unwrap_or_default();
        let mut analyzer = LogAnalyzer::new();
        analyzer.push(&output, None);
        let analysis = analyzer.finish();
        let fatal = analysis.errors.iter().find(|e| e.fatal);
        let exit_code = code.unwrap_or(if fatal.is_some() { 1 } else { 0 });
        let text = String::from_utf8_lossy(&output).into_owned();
        let failing_command = (exit_code != 0)
            .then(|| failing_line(self.spec.bootstrap.as_deref().unwrap_or(""), &text))
            .flatten();
        self.state.history.attempts.push(Attempt::from_analysis(
            AttemptKind::Bootstrap,
            self.t_s(launched.started_ms),
            Some(self.t_s(now)),
            Some(exit_code),
            &analysis,
        ));
        let change = self.checklist.bootstrap_finished(
            now,
            BootstrapResult {
                exit_code,
                failing_command,
                error_class: fatal.map(|e| e.class.as_str().to_string()),
                error: fatal.map(|e| e.message.clone()),
                output_tail: Some(text),
            },
        );
        self.transition(change);
    }

    async fn start_smoke(&mut self, now: i64) {
        let Some(host) = self.host.clone() else {
            return;
        };
        let (command, log) = (self.spec.smoke_cmd.clone(), self.spec.log_path.clone());
        let started = self
            .start_detached(
                &host,
                command,
                (&log, SMOKE_PID, SMOKE_EXIT),
                LaunchPhase::Smoke,
                now,
            )
            .await;
        match started {
            Ok(launched) => {
                let pid = launched.pid;
                self.state.smoke = Some(launched);
                // A fresh log: read it from the start.
                self.log_offset = 0;
                self.state.log_id = None;
                self.state.history.setup_started_s = self
                    .checklist
                    .step(Step::SshReachable)
                    .started_ms
                    .map_or(0.0, |ms| self.t_s(ms));
                let change = self.checklist.smoke_started(now, pid, &self.spec.log_path);
                self.transition(change);
                self.state.phase = Phase::Smoke;
                self.set_status(RunStatus::Running);
            }
            Err(e) => {
                let change = self.checklist.smoke_failed(now, &e.to_string());
                self.transition(change);
            }
        }
    }

    /// One check of the running smoke: log bytes, GPUs, process.
    async fn watch_smoke(&mut self, now: i64) -> Option<Sample> {
        let host = self.host.clone()?;
        let smoke = self.state.smoke.clone()?;
        let probe = ProbeSpec {
            log_path: Some(self.spec.log_path.clone()),
            log_offset: self.log_offset,
            log_id: self.state.log_id.clone(),
            pid_file: Some(smoke.pid_file.clone()),
            exit_file: Some(smoke.exit_file.clone()),
            ..ProbeSpec::default()
        };
        let check = self.rt.prober.check(&host, &probe).await;
        match &check.state {
            CheckState::Unreachable { error } => {
                let since = *self.state.unreachable_since_ms.get_or_insert(now);
                let limit = self.rt.cfg.unreachable_limit;
                if now - since > limit.as_millis() as i64 {
                    self.pending_end = Some((
                        RunStatus::Failed,
                        format!("host unreachable for {} s: {error}", (now - since) / 1000),
                    ));
                }
                return None;
            }
            CheckState::Refused { error } => {
                self.pending_end = Some((RunStatus::Failed, error.to_string()));
                return None;
            }
            CheckState::TimedOut | CheckState::Ok | CheckState::Incomplete => {
                if let Some(since) = self.state.unreachable_since_ms.take() {
                    self.event(
                        EventKind::Note,
                        format!("host reachable again after {} s", (now - since) / 1000),
                        None,
                    );
                }
            }
        }
        if self.state.transfer_mbps.is_none() {
            self.measure_transfer(&host).await;
        }
        let probe = check.probe.as_ref()?;
        let t = self.t_s(now);
        if check.log_reset {
            self.event(
                EventKind::Note,
                "log truncated or rotated on the host: reading the new file from its start".into(),
                None,
            );
        }
        self.feed_log(probe, t);
        self.log_offset = check.next_offset;
        self.state.log_id = check.next_log_id.clone();

        let process = probe
            .pid
            .as_ref()
            .map(ProcessState::from_pid_status)
            .unwrap_or_default();
        // (While the process runs, its log's last line may be half written.)
        let analysis = if process == ProcessState::Running {
            self.analyzer.finish_live()
        } else {
            self.analyzer.finish()
        };
        let prev = self.state.history.latest().map(|c| c.progress.clone());
        let progress = Progress::from_analysis(&analysis, prev.as_ref());
        let gpus: Vec<GpuSample> = match probe.gpu.clone() {
            Some(Ok(poll)) => poll.gpus,
            _ => Vec::new(),
        };
        self.state.history.push(HistoryCheck {
            t_s: t,
            progress: progress.clone(),
            gpu: gpus.iter().map(|g| GpuPoint::from_sample(t, g)).collect(),
            process,
        });
        self.state.trim_history();
        self.fill_timing_from_checks();

        // Checklist: progressing, first numbers, exit.
        let fatal = progress.fatal_errors().next().map(|e| e.label.clone());
        let change = self
            .checklist
            .progress(now, analysis.last_step, fatal.as_deref());
        self.transition(change);
        self.update_live(now, &analysis);
        let numbers = FirstNumbers {
            steps_per_sec: self.state.live.steps_per_sec.p50,
            gpu_util_pct: (process == ProcessState::Running && progress.has_progress())
                .then_some(self.state.live.gpu_util.p50)
                .flatten(),
            gpu_mem_used_mb: self.state.live.gpu_mem_used_mb,
            eval_every_steps: analysis.eval.every_steps,
            eval_seconds: analysis.eval.mean_s,
            transfer_mb_per_sec: self.state.transfer_mbps,
        };
        let change = self.checklist.first_numbers(now, &numbers);
        self.transition(change);

        let assessment = assess(&self.state.history, &self.rt.cfg.assess);
        self.announce(&assessment);
        self.state.assessment = Some(assessment);

        if let ProcessState::Exited { code } = process {
            let class = progress
                .fatal_errors()
                .next()
                .map(|e| e.class.as_str().to_string());
            let change = self.checklist.smoke_exited(now, code, class.as_deref());
            self.transition(change);
            self.smoke_over(now, code, class);
        } else if self.state.phase == Phase::Smoke
            && self.checklist.is_finished()
            && self.checklist.outcome() == Outcome::Passed
            && self.smoke_steps_done(&analysis)
        {
            // The smoke has had its steps: stop it so the box does not keep
            // training (and billing) on a run nobody decided to keep.
            let step = analysis.last_step.unwrap_or(0);
            match self.rt.prober.kill(&host, &smoke.pid_file, 5).await {
                Ok(_) => {
                    self.state.stopped_at_step = Some(step);
                    self.event(
                        EventKind::Action,
                        format!(
                            "smoke reached its {} steps (step {step}): Canopy stopped the process",
                            self.spec.steps
                        ),
                        None,
                    );
                    self.smoke_over(now, Some(0), None);
                }
                Err(e) => tracing::warn!(run_id = self.run_id, "cannot stop the smoke: {e}"),
            }
        }

        let gpu_util = self.state.live.gpu_util.p50;
        Some(Sample {
            at_ms: now,
            step: analysis.last_step.map(|s| s as i64),
            steps_per_sec: self.state.live.steps_per_sec.p50,
            gpu_util_pct: gpus.first().and_then(|g| g.util_gpu).or(gpu_util),
            gpu_mem_used_mb: gpus.first().and_then(|g| g.mem_used_mib),
            gpu_power_w: gpus.first().and_then(|g| g.power_w),
            loss: analysis.loss.last,
            eval_loss: analysis.eval.last_loss,
            learning_rate: None,
            log_bytes: Some(self.log_offset as i64),
        })
    }

    /// A run too fast for per-line timing (all its lines arrive in a few
    /// checks) still gets rates: from step deltas between checks. They feed
    /// the rules and projections like the analyzer's would, marked by the
    /// interval count.
    fn fill_timing_from_checks(&mut self) {
        let (rates, intervals) = check_rates(&self.state.history);
        let Some(last) = self.state.history.checks.last_mut() else {
            return;
        };
        let p = &mut last.progress;
        if p.steps_per_sec.p50.is_some() || rates.p50.is_none() {
            return;
        }
        let inv = |r: Option<f64>| r.filter(|r| *r > 0.0).map(|r| 1.0 / r);
        p.steps_per_sec = app::domain::logs::Rates {
            p25: rates.p25,
            p50: rates.p50,
            p90: rates.p90,
            overall: rates.p50,
        };
        p.step_time_s = app::domain::logs::Percentiles {
            p25: inv(rates.p90),
            p50: inv(rates.p50),
            p90: inv(rates.p25),
        };
        p.timing_intervals = p.timing_intervals.max(intervals);
    }

    fn smoke_steps_done(&self, analysis: &app::domain::logs::Analysis) -> bool {
        let first = self.checklist.first_train_step.unwrap_or(0);
        analysis
            .last_step
            .is_some_and(|s| s.saturating_sub(first) >= u64::from(self.spec.steps))
    }

    /// The smoke process is gone (exited, or stopped by Canopy).
    fn smoke_over(&mut self, now: i64, code: Option<i32>, class: Option<String>) {
        if self.state.phase == Phase::Full {
            let class = class.map(|c| format!(" ({c} error)")).unwrap_or_default();
            self.pending_end = Some(match code {
                Some(0) => (
                    RunStatus::Succeeded,
                    "full run finished (exit 0)".to_string(),
                ),
                Some(c) => (
                    RunStatus::Failed,
                    format!("full run exited with {c}{class}"),
                ),
                None => (
                    RunStatus::Failed,
                    format!("full run ended with an unknown exit code{class}"),
                ),
            });
            return;
        }
        if self.state.phase != Phase::Smoke {
            return;
        }
        let ok = code == Some(0) && self.checklist.outcome() == Outcome::Passed;
        if ok {
            let grace = self.rt.cfg.idle_grace;
            self.state.phase = Phase::AwaitingDecision;
            self.state.idle_deadline_ms = Some(now + grace.as_millis() as i64);
            let decision = self
                .state
                .assessment
                .as_ref()
                .map(|a| a.verdict.summary.clone())
                .unwrap_or_else(|| "no verdict".into());
            self.event(
                EventKind::Status,
                format!(
                    "smoke finished ({decision}); the instance is kept {} s for a decision, then destroyed",
                    grace.as_secs()
                ),
                None,
            );
        } else if self.checklist.outcome() == Outcome::Passed {
            // Bring-up had passed, then the process died.
            let class = class.map(|c| format!(" ({c} error)")).unwrap_or_default();
            let code = code.map_or("an unknown code".into(), |c| c.to_string());
            self.pending_end = Some((
                RunStatus::Failed,
                format!("smoke exited with {code}{class} after its first numbers"),
            ));
        }
        // A checklist failure ends the run through the outcome check.
    }

    /// Log bytes into the analyzer (arrival time = this check) and the tail.
    fn feed_log(&mut self, probe: &Probe, t: f64) {
        let Some(Some(chunk)) = &probe.log else {
            return;
        };
        if chunk.bytes.is_empty() {
            // (Read, and silent since: how long shows in the analysis.)
            self.analyzer.observe_time(t);
            return;
        }
        self.analyzer.push(&chunk.bytes, Some(t));
        let mut lines = Vec::new();
        self.tail.push(&chunk.bytes, |line, flags| {
            // A redrawn bar frame is replaced by the next one: keep the last only.
            lines.push((line.to_string(), flags.redraw));
        });
        for (line, redraw) in lines {
            if redraw
                && let Some(last) = self.state.log_tail.last()
                && last.contains('|')
                && line.contains('|')
            {
                self.state.log_tail.pop();
            }
            self.state.push_tail(&line);
        }
    }

    fn update_live(&mut self, now: i64, a: &app::domain::logs::Analysis) {
        let util: Vec<f64> = self
            .state
            .history
            .checks
            .iter()
            .filter(|c| c.process == ProcessState::Running && c.progress.has_progress())
            .flat_map(|c| c.gpu.iter().filter_map(|g| g.util_pct))
            .collect();
        // Memory of the training process: the latest sample taken while it
        // was training (before the model loads the GPU is empty).
        let mem = self
            .state
            .history
            .checks
            .iter()
            .rev()
            .filter(|c| c.process == ProcessState::Running && c.progress.has_progress())
            .flat_map(|c| c.gpu.iter().filter_map(|g| g.mem_used_mib))
            .find(|m| *m > 0.0);
        self.state.live = LiveNumbers {
            // The analyzer's rates, or the check-delta ones filled in for a
            // run too fast for per-line timing (`fill_timing_from_checks`).
            steps_per_sec: self
                .state
                .history
                .latest()
                .map(|c| RatePercentiles {
                    p25: c.progress.steps_per_sec.p25,
                    p50: c.progress.steps_per_sec.p50,
                    p90: c.progress.steps_per_sec.p90,
                })
                .unwrap_or_default(),
            gpu_util: UtilStats { p50: median(&util) },
            gpu_mem_used_mb: mem.or(self.state.live.gpu_mem_used_mb),
            eval: EvalNumbers {
                count: a.eval.count,
                mean_s: a.eval.mean_s,
                every_steps: a.eval.every_steps,
            },
            transfer_mbps: self.state.transfer_mbps,
            transfer_method: self.state.transfer_method.clone(),
            last_step: a.last_step,
            total_steps: a.total_steps,
            loss_first: a.loss.first,
            loss_last: a.loss.last,
            format: Some(a.format_label()),
            at_ms: Some(now),
        };
    }

    /// A verdict change becomes one event (and one alert), never one per check.
    fn announce(&mut self, a: &app::domain::analysis::Assessment) {
        let decision = a.verdict.decision.as_str().to_string();
        if self.state.announced_decision.as_deref() == Some(decision.as_str()) {
            return;
        }
        let first = self.state.announced_decision.is_none();
        self.state.announced_decision = Some(decision.clone());
        if first && a.verdict.decision == Decision::Keep {
            // "keep" at the first check is the default, not news.
            return;
        }
        let data = serde_json::to_value(&a.verdict).ok();
        self.event(
            EventKind::Rule,
            format!("verdict: {}", a.verdict.summary),
            data,
        );
        let ask = self.spec.kill_policy == KillPolicy::Ask;
        if a.verdict.decision != Decision::Keep {
            let what = if ask && a.verdict.decision == Decision::Kill {
                " — waiting for a person (policy: ask me)"
            } else {
                ""
            };
            self.event(
                EventKind::Alert,
                format!("{}{what}", a.verdict.summary),
                None,
            );
        }
    }

    /// An action a person asked for (see `runs::actions`).
    async fn act(&mut self, now: i64, action: serde_json::Value) {
        let action: HostAction = match serde_json::from_value(action) {
            Ok(a) => a,
            Err(e) => {
                self.event(
                    EventKind::Note,
                    format!("unreadable action ignored: {e}"),
                    None,
                );
                return;
            }
        };
        match action {
            HostAction::Promote { who, budget_usd } => self.promote(now, &who, budget_usd).await,
        }
    }

    /// The full command on the same host, as a new attempt: the smoke's
    /// numbers become history, the log is read afresh, the rules stay armed.
    async fn promote(&mut self, now: i64, who: &str, budget_usd: Option<f64>) {
        let (Some(host), Phase::AwaitingDecision) = (self.host.clone(), self.state.phase) else {
            self.event(
                EventKind::Note,
                format!("promote by {who} ignored: the run is not waiting for a decision"),
                None,
            );
            return;
        };
        let command = self
            .spec
            .full_cmd
            .clone()
            .unwrap_or_else(|| self.spec.smoke_cmd.clone());
        let log = self.spec.log_path.clone();
        let launched = self
            .start_detached(
                &host,
                command,
                (&log, FULL_PID, FULL_EXIT),
                LaunchPhase::Smoke,
                now,
            )
            .await;
        match launched {
            Ok(launched) => {
                let pid = launched.pid;
                let analysis = self.analyzer.finish();
                let started = self
                    .state
                    .smoke
                    .as_ref()
                    .map_or(0.0, |l| self.t_s(l.started_ms));
                self.state.history.attempts.push(Attempt::from_analysis(
                    AttemptKind::Smoke,
                    started,
                    Some(self.t_s(now)),
                    Some(0),
                    &analysis,
                ));
                self.state.history.checks.clear();
                self.analyzer = LogAnalyzer::new();
                self.tail = Normalizer::new();
                self.log_offset = 0;
                self.state.log_id = None;
                self.state.smoke = Some(launched);
                self.state.phase = Phase::Full;
                self.state.idle_deadline_ms = None;
                self.state.full_budget_usd = budget_usd;
                self.state.announced_decision = None;
                self.set_status(RunStatus::Running);
                let budget =
                    budget_usd.map_or("no budget cap".to_string(), |b| format!("budget ${b:.2}"));
                self.event(
                    EventKind::Action,
                    format!(
                        "promoted by {who}: full run started as pid {pid} on the same host (early stop: kill-fast rules stay armed{}; {budget})",
                        if self.spec.kill_policy == KillPolicy::Auto {
                            ", a kill verdict stops it"
                        } else {
                            ", a kill verdict alerts"
                        }
                    ),
                    Some(serde_json::json!({"who": who, "budget_usd": budget_usd})),
                );
            }
            Err(e) => self.event(
                EventKind::Alert,
                format!("promote by {who} failed: {e}"),
                None,
            ),
        }
    }

    async fn await_decision(&mut self, now: i64) -> Result<(), RunsError> {
        if let Some(deadline) = self.state.idle_deadline_ms
            && now >= deadline
        {
            self.pending_end = Some((
                RunStatus::Succeeded,
                "smoke passed; the instance was destroyed after waiting idle for a decision".into(),
            ));
        }
        Ok(())
    }

    fn check_budget(&mut self, now: i64) {
        let Some(spent) = spend_usd(&self.offer, self.state.origin_ms, now) else {
            return;
        };
        let cap = match self.state.phase {
            Phase::Full => match self.state.full_budget_usd {
                Some(b) => b,
                None => return,
            },
            _ => self.spec.budget_usd(),
        };
        if spent >= cap && self.state.phase != Phase::Ended && self.pending_end.is_none() {
            self.pending_end = Some((
                RunStatus::Killed,
                format!("budget cap reached: ${spent:.2} of ${cap:.2} spent"),
            ));
        }
    }

    /// Ends the run: stop what runs, destroy the instance (verified gone),
    /// record why.
    async fn finish(&mut self, status: RunStatus, reason: &str) {
        let remaining = self.checklist.abort(now_ms(), reason);
        self.transition(remaining);
        if let Some(id) = self.instance_id {
            match super::destroy_verified(&self.rt, id as u64).await {
                Ok(()) => self.event(
                    EventKind::Action,
                    format!("destroyed instance {id} (verified gone)"),
                    Some(serde_json::json!({"who": "canopy", "why": reason})),
                ),
                Err(e) => self.event(
                    EventKind::Alert,
                    format!("could not destroy instance {id}: {e} — destroy it by hand"),
                    None,
                ),
            }
            self.rt.prober.forget(&id.to_string()).await;
        }
        self.state.phase = Phase::Ended;
        self.state.idle_deadline_ms = None;
        self.status = status;
        if status != RunStatus::Succeeded {
            // A run that ends badly is news even when the verdict said so.
            self.event(
                EventKind::Alert,
                format!("run {}: {reason}", status.as_str()),
                None,
            );
        }
        self.event(
            EventKind::Status,
            format!("run {}: {reason}", status.as_str()),
            None,
        );
        self.end_reason = Some(reason.to_string());
    }

    async fn persist(&mut self, sample: Option<Sample>) -> Result<(), RunsError> {
        let state = serde_json::to_value(&self.state).map_err(|source| RunsError::Encode {
            what: "watch state",
            source,
        })?;
        let verdict = self
            .state
            .assessment
            .as_ref()
            .and_then(|a| serde_json::to_value(&a.verdict).ok());
        self.rt
            .repo
            .save_check(
                self.run_id,
                &self.rt.holder,
                &self.checklist,
                &state,
                self.log_offset as i64,
                verdict.as_ref(),
            )
            .await?;
        if let Some(sample) = sample {
            self.rt.repo.insert_samples(self.run_id, &[sample]).await?;
        }
        let events = std::mem::take(&mut self.events);
        if !events.is_empty() {
            self.rt.repo.append_events(self.run_id, &events).await?;
            for e in events.iter().filter(|e| e.kind == EventKind::Alert) {
                self.rt.alerts.send(Alert {
                    run_id: self.run_id,
                    text: format!(
                        "Canopy run #{} ({}): {}",
                        self.run_id, self.label, e.message
                    ),
                });
            }
        }
        // Only on a change; `set_status` never overwrites a final status
        // (someone may have killed the run since this check read it).
        if self.status != self.stored_status {
            self.rt
                .repo
                .set_status(self.run_id, self.status, self.end_reason.as_deref())
                .await?;
            self.stored_status = self.status;
        }
        self.rt.bus.publish(self.run_id);
        Ok(())
    }
}

/// The bootstrap line that failed: the last command line whose text appears
/// in the output's error context, else the last non-empty line of the script.
fn failing_line(script: &str, output: &str) -> Option<String> {
    let lines: Vec<&str> = script
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    lines
        .iter()
        .rev()
        .find(|l| {
            let word = l.split_whitespace().next().unwrap_or("");
            !word.is_empty() && output.contains(word)
        })
        .or(lines.last())
        .map(|l| l.to_string())
}

/// Step rates between consecutive checks that both saw training: the
/// fallback when a run is too fast for the log analyzer's per-line timing
/// (a 50-step nanoGPT smoke takes about one 2 s check).
fn check_rates(h: &RunHistory) -> (RatePercentiles, u64) {
    let mut rates: Vec<f64> = h
        .checks
        .windows(2)
        .filter(|w| w[0].progress.has_progress() && w[1].progress.has_progress())
        .filter_map(|w| {
            let (a, b) = (w[0].progress.last_step?, w[1].progress.last_step?);
            let dt = w[1].t_s - w[0].t_s;
            (b > a && dt > 0.0).then(|| (b - a) as f64 / dt)
        })
        .collect();
    rates.sort_by(f64::total_cmp);
    let pick = |q| quantile_sorted(&rates, q);
    let p = RatePercentiles {
        p25: pick(0.25),
        p50: pick(0.5),
        p90: pick(0.9),
    };
    (p, rates.len() as u64)
}

/// Deterministic incompressible bytes (xorshift): SSH compression cannot
/// flatter the transfer number.
fn pseudo_random_bytes(n: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut out = Vec::with_capacity(n + 8);
    while out.len() < n {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(n);
    out
}

/// `dph_total` of the offer snapshot.
pub fn offer_price(offer: &serde_json::Value) -> Option<f64> {
    offer
        .get("dph_total")
        .and_then(serde_json::Value::as_f64)
        .filter(|p| p.is_finite() && *p >= 0.0)
}

/// Dollars at the offer's price from `from_ms` to `to_ms` (an estimate:
/// Vast bills storage from creation, so it is close to the invoice).
pub fn spend_usd(offer: &serde_json::Value, from_ms: i64, to_ms: i64) -> Option<f64> {
    offer_price(offer).map(|dph| dph * (to_ms - from_ms).max(0) as f64 / 3.6e6)
}

/// What the offer promised, for the GPUs-visible step.
pub fn expectation(offer: &serde_json::Value) -> Option<OfferExpectation> {
    let name = offer.get("gpu_name")?.as_str()?.to_string();
    Some(OfferExpectation {
        gpu_count: offer
            .get("num_gpus")
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0) as u32,
        gpu_name: name,
        gpu_mem_mb: offer
            .get("gpu_ram")
            .and_then(serde_json::Value::as_f64)
            .unwrap_or(0.0)
            .max(0.0) as u64,
    })
}

fn run_spec(row: &RunRow, spec: &LaunchSpec) -> RunSpec {
    RunSpec {
        usd_per_hour: offer_price(&row.offer).unwrap_or(f64::NAN),
        usd_per_gb: row
            .offer
            .get("inet_down_cost")
            .and_then(serde_json::Value::as_f64)
            .filter(|c| c.is_finite() && *c > 0.0),
        expected_steps_per_sec: spec.expected_steps_per_sec,
        smoke_steps: Some(u64::from(spec.steps)),
        smoke_transfer_gb: None,
        full: FullTarget {
            total_steps: spec.full_steps,
            ..FullTarget::default()
        },
    }
}
