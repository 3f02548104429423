//! Gives every running instance of the simulated marketplace a simulated GPU
//! host: a russh server on 127.0.0.1 with its own sandbox, that replays the
//! instance's scenario from the recorded H200 traces. This is the marketplace
//! simulator's `HostProvider`, so `vastai show instance` (or Canopy's client)
//! reports a real SSH endpoint that accepts the attached keys.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::ssh::sshd::{SshdHarness, free_port};
use crate::ssh::{Sandbox, SandboxConfig, Scenario, SimHost, SimHostConfig};
use crate::vast::{HostHardware, HostProvider, SshEndpoint};

/// The recorded runs the hosts replay, unless `CANOPY_TRACES_DIR` says otherwise.
const DEFAULT_TRACES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/traces/h200");

/// Which SSH server stands in front of a simulated host's sandbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HostBackend {
    /// Canopy's in-process russh server (with the scenario's SSH faults).
    #[default]
    InProcess,
    /// Debian's OpenSSH server, one `sshd -D` per host (no SSH faults): the
    /// proof that the watcher works against a real sshd and login shell.
    Sshd,
}

impl HostBackend {
    /// `CANOPY_SIM_HOSTS=sshd` picks OpenSSH.
    pub fn from_env() -> Self {
        match std::env::var("CANOPY_SIM_HOSTS")
            .ok()
            .as_deref()
            .map(str::trim)
        {
            Some("sshd") => HostBackend::Sshd,
            _ => HostBackend::InProcess,
        }
    }
}

enum Host {
    InProcess(SimHost),
    /// Dropping `stop` stops sshd; the sandbox's replayers are stopped by hand.
    Sshd {
        sandbox: Sandbox,
        dir: PathBuf,
        _stop: tokio::sync::oneshot::Sender<()>,
    },
}

impl Host {
    fn sandbox(&self) -> &Sandbox {
        match self {
            Host::InProcess(h) => h.sandbox(),
            Host::Sshd { sandbox, .. } => sandbox,
        }
    }
}

pub struct SimHosts {
    base_dir: PathBuf,
    traces_dir: PathBuf,
    replayer: PathBuf,
    clock: f64,
    backend: HostBackend,
    /// Each host with the keys it accepts (kept here to add attached ones).
    hosts: Mutex<HashMap<u64, (Host, Vec<String>)>>,
}

impl SimHosts {
    /// Hosts whose sandboxes live under `base_dir`; `clock` speeds up replay
    /// (the simulator's `CANOPY_SIM_SPEED`).
    pub fn new(base_dir: PathBuf, clock: f64) -> Result<Self, String> {
        Self::with_backend(base_dir, clock, HostBackend::from_env())
    }

    pub fn with_backend(
        base_dir: PathBuf,
        clock: f64,
        backend: HostBackend,
    ) -> Result<Self, String> {
        let traces_dir = std::env::var_os("CANOPY_TRACES_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(DEFAULT_TRACES));
        if !traces_dir.join("hf_trainer.log").is_file() {
            return Err(format!(
                "simulated GPU hosts need the recorded traces: none in {} (set CANOPY_TRACES_DIR)",
                traces_dir.display()
            ));
        }
        Ok(Self {
            base_dir,
            traces_dir,
            replayer: replayer_path()?,
            clock,
            backend,
            hosts: Mutex::new(HashMap::new()),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, (Host, Vec<String>)>> {
        self.hosts.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The `canopy` executable, whose `replay` subcommand is the hosts' training
/// process: this process when it is `canopy`, else the `canopy` built beside it
/// (tests run from `target/<profile>/deps/`), else `CANOPY_REPLAY_BIN`.
fn replayer_path() -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os("CANOPY_REPLAY_BIN") {
        return Ok(PathBuf::from(path));
    }
    let exe = std::env::current_exe().map_err(|e| format!("cannot find the canopy binary: {e}"))?;
    if exe.file_name().is_some_and(|n| n == "canopy") {
        return Ok(exe);
    }
    exe.parent()
        .and_then(Path::parent)
        .map(|dir| dir.join("canopy"))
        .filter(|p| p.is_file())
        .ok_or_else(|| {
            "cannot find the canopy binary for simulated hosts (set CANOPY_REPLAY_BIN)".into()
        })
}

impl HostProvider for SimHosts {
    fn provision(
        &self,
        instance_id: u64,
        scenario: &str,
        ssh_pubkeys: &[String],
        hardware: &HostHardware,
    ) -> Result<SshEndpoint, String> {
        // Marketplace-only scenarios (stuck_loading, …) still get a healthy host.
        let scenario = Scenario::from_name(scenario).unwrap_or(Scenario::HealthyHf);
        let config = SimHostConfig::for_scenario(
            instance_id.to_string(),
            &self.base_dir,
            SandboxConfig {
                scenario,
                traces_dir: self.traces_dir.clone(),
                replayer: self.replayer.clone(),
                // The H200 recording plays slower on a slower GPU.
                gpu_speed: hardware.speed_vs_h200,
                clock: self.clock,
                hardware: Some(hardware.clone()),
            },
            ssh_pubkeys.to_vec(),
        );
        let (host, port) = match self.backend {
            HostBackend::InProcess => {
                let host = SimHost::start_now(config).map_err(|e| e.to_string())?;
                let port = host.port();
                (Host::InProcess(host), port)
            }
            HostBackend::Sshd => {
                let sandbox =
                    Sandbox::create(&config.base_dir, &config.instance_id, &config.sandbox)
                        .map_err(|e| e.to_string())?;
                let port = free_port().map_err(|e| e.to_string())?;
                let dir = sandbox.root.join("sshd");
                let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
                let (sb, d, keys) = (sandbox.clone(), dir.clone(), ssh_pubkeys.to_vec());
                // sshd takes a moment to start; the endpoint is known now and
                // a client retries until it answers, as with a real boot.
                tokio::spawn(async move {
                    match SshdHarness::start_on(&d, &sb, &keys, Some(port)).await {
                        Ok(sshd) => {
                            let _ = stopped.await;
                            sshd.stop().await;
                        }
                        Err(e) => tracing::warn!(instance_id, "simulated host's sshd: {e}"),
                    }
                });
                (
                    Host::Sshd {
                        sandbox,
                        dir,
                        _stop: stop,
                    },
                    port,
                )
            }
        };
        let endpoint = SshEndpoint {
            host: "127.0.0.1".into(),
            port,
        };
        // A restarted instance replaces its old host (dropping it stops it).
        if let Some((old, _)) = self
            .lock()
            .insert(instance_id, (host, ssh_pubkeys.to_vec()))
        {
            old.sandbox().stop_replayers();
        }
        Ok(endpoint)
    }

    fn release(&self, instance_id: u64) {
        let host = self.lock().remove(&instance_id);
        if let Some((host, _)) = host {
            let sandbox = host.sandbox().clone();
            drop(host);
            sandbox.stop_replayers();
            let _ = std::fs::remove_dir_all(&sandbox.root);
        }
    }

    fn attach_key(&self, instance_id: u64, ssh_pubkey: &str) {
        let mut hosts = self.lock();
        if let Some((host, keys)) = hosts.get_mut(&instance_id) {
            keys.push(ssh_pubkey.to_string());
            let result = match host {
                Host::InProcess(h) => h.set_authorized_keys(keys).map_err(|e| e.to_string()),
                Host::Sshd { dir, .. } => {
                    SshdHarness::set_authorized_keys(dir, keys).map_err(|e| e.to_string())
                }
            };
            if let Err(e) = result {
                tracing::warn!(instance_id, "cannot attach key to the simulated host: {e}");
            }
        }
    }
}
