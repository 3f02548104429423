//! Simulated instances: lifecycle (null → loading → running / stuck / exited / offline),
//! stop/start, billing per second of simulated time, and the JSON row Vast returns
//! (API.md §4.4).
//!
//! Billing (documented assumptions, L): the GPU price (`dph_base`, or the bid price for
//! interruptible instances) accrues from the moment the container is up (end of `loading`)
//! while the user wants it running and the host is online; an exited container keeps its
//! GPUs reserved and is billed; storage (`storage_cost` × disk GB / 720 per hour) accrues
//! from creation until destroy, including while stopped (API.md §5).

use super::SshEndpoint;
use super::faults::{BootOutcome, ScenarioSpec};
use serde_json::{Map, Value, json};

/// What the user asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Intended {
    Running,
    Stopped,
}

/// One simulated instance.
#[derive(Clone, Debug)]
pub struct SimInstance {
    pub id: u64,
    pub offer_id: u64,
    pub machine_id: u64,
    /// The offer as it was rented (on-demand pricing for 5 GB; billing uses `dph_base`).
    pub offer: Map<String, Value>,
    pub gpu_ids: Vec<u64>,
    pub label: Option<String>,
    pub image: String,
    pub env: Vec<(String, String)>,
    pub onstart: Option<String>,
    pub args: Option<Vec<String>>,
    pub disk_gb: f64,
    pub runtype: String,
    pub bid_price: Option<f64>,
    pub scenario: String,
    pub spec: ScenarioSpec,
    pub created_at: f64,
    /// End of the `actual_status: null` phase of the current boot.
    pub null_until: f64,
    /// End of `loading`; `None` while stuck.
    pub loading_until: Option<f64>,
    /// Host disconnect time (host_offline scenario).
    pub offline_at: Option<f64>,
    pub intended: Intended,
    /// Why it was stopped, if not by the user.
    pub stop_reason: Option<String>,
    pub billed_until: f64,
    /// Dollars charged so far.
    pub cost: f64,
    pub ssh: Option<SshEndpoint>,
    /// Provisioning in flight (a request is calling the host provider).
    pub provisioning: bool,
    pub provisioned: bool,
    pub ssh_keys: Vec<String>,
    pub api_key: String,
    pub ssh_idx: u32,
}

/// Observable phase at a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Scheduling,
    Loading,
    Running,
    Exited,
    Offline,
    Stopped,
}

impl SimInstance {
    /// Seconds of deterministic jitter (±25 %) for this instance's boot.
    fn jitter(id: u64) -> f64 {
        let mut r = super::offers::SplitMix64::new(id ^ 0xB007);
        0.75 + 0.5 * r.f64()
    }

    /// Sets the boot timeline starting at `t` (create, or a restart).
    pub fn boot_at(&mut self, t: f64, restart: bool) {
        let j = Self::jitter(self.id);
        self.null_until = t + if restart {
            0.0
        } else {
            self.spec.provision_s * j
        };
        let load = if restart {
            self.spec.restart_s
        } else {
            self.spec.loading_s * j
        };
        self.loading_until = match self.spec.outcome {
            BootOutcome::StuckLoading => None,
            _ => Some(self.null_until + load),
        };
        self.offline_at = match (
            &self.spec.outcome,
            self.loading_until,
            self.spec.offline_after_s,
        ) {
            (BootOutcome::Running, Some(up), Some(after)) => Some(up + after),
            _ => None,
        };
    }

    pub fn phase(&self, t: f64) -> Phase {
        if self.intended == Intended::Stopped {
            return Phase::Stopped;
        }
        if t < self.null_until {
            return Phase::Scheduling;
        }
        let Some(up) = self.loading_until else {
            return Phase::Loading;
        };
        if t < up {
            return Phase::Loading;
        }
        match self.spec.outcome {
            BootOutcome::Exited { .. } => Phase::Exited,
            _ => match self.offline_at {
                Some(off) if t >= off => Phase::Offline,
                _ => Phase::Running,
            },
        }
    }

    /// $/h for the GPUs.
    pub fn gpu_rate(&self) -> f64 {
        self.bid_price.unwrap_or_else(|| {
            self.offer
                .get("dph_base")
                .and_then(Value::as_f64)
                .unwrap_or(0.0)
        })
    }

    /// $/h for the disk.
    pub fn storage_rate(&self) -> f64 {
        self.offer
            .get("storage_cost")
            .and_then(Value::as_f64)
            .unwrap_or(0.0)
            * self.disk_gb
            / 720.0
    }

    /// Charges everything up to `t`; returns the amount added.
    pub fn settle(&mut self, t: f64) -> f64 {
        let a = self.billed_until;
        if t <= a {
            return 0.0;
        }
        let mut cost = self.storage_rate() * (t - a) / 3600.0;
        if self.intended == Intended::Running
            && let Some(from) = self.loading_until
        {
            let to = self.offline_at.unwrap_or(f64::INFINITY);
            let lo = a.max(from);
            let hi = t.min(to);
            if hi > lo {
                cost += self.gpu_rate() * (hi - lo) / 3600.0;
            }
        }
        self.billed_until = t;
        self.cost += cost;
        cost
    }

    fn status_strings(&self, t: f64) -> (Value, &'static str, Value) {
        let phase = self.phase(t);
        // While the host provider is being asked, report loading (not yet reachable).
        let phase = if phase == Phase::Running && self.provisioning {
            Phase::Loading
        } else {
            phase
        };
        match phase {
            Phase::Scheduling => (Value::Null, "running", Value::Null),
            Phase::Loading => {
                let since = (t - self.null_until).max(0.0);
                let msg = if since < 8.0 {
                    format!("Pulling image {}", self.image)
                } else if self.loading_until.is_none() {
                    format!(
                        "{}: Downloading layers ({} s, still pulling)",
                        self.image,
                        since.round()
                    )
                } else {
                    format!("{}: Extracting layers / starting container", self.image)
                };
                (json!("loading"), "running", json!(msg))
            }
            Phase::Running => (
                json!("running"),
                "running",
                json!(format!("success, running {}/ssh", self.image)),
            ),
            Phase::Exited => {
                let msg = match &self.spec.outcome {
                    BootOutcome::Exited { msg } => msg.clone(),
                    _ => "exited".into(),
                };
                (json!("exited"), "running", json!(msg))
            }
            Phase::Offline => (
                json!("offline"),
                "running",
                json!("Host is offline: lost contact with the machine"),
            ),
            Phase::Stopped => (
                json!("stopped"),
                "stopped",
                json!(
                    self.stop_reason
                        .clone()
                        .unwrap_or_else(|| "Instance stopped by user".into())
                ),
            ),
        }
    }

    /// The instance row as Vast returns it.
    pub fn to_json(&self, t: f64) -> Value {
        let o = &self.offer;
        let mut m = Map::new();
        for k in [
            "machine_id",
            "host_id",
            "bundle_id",
            "num_gpus",
            "gpu_name",
            "gpu_arch",
            "gpu_ram",
            "gpu_frac",
            "gpu_lanes",
            "gpu_mem_bw",
            "bw_nvlink",
            "cpu_name",
            "cpu_arch",
            "cpu_cores",
            "cpu_cores_effective",
            "cpu_ram",
            "cpu_ghz",
            "disk_name",
            "disk_bw",
            "inet_up",
            "inet_down",
            "inet_up_cost",
            "inet_down_cost",
            "storage_cost",
            "dlperf",
            "total_flops",
            "score",
            "verification",
            "geolocation",
            "static_ip",
            "hosting_type",
            "external",
            "mobo_name",
            "os_version",
            "pci_gen",
            "pcie_bw",
            "logo",
            "webpage",
            "min_bid",
            "driver_version",
            "cuda_max_good",
            "compute_cap",
            "credit_discount_max",
            "has_avx",
            "vms_enabled",
            "rentable",
            "end_date",
        ] {
            m.insert(k.to_string(), o.get(k).cloned().unwrap_or(Value::Null));
        }
        m.insert(
            "gpu_totalram".into(),
            o.get("gpu_total_ram").cloned().unwrap_or(Value::Null),
        );
        m.insert(
            "reliability2".into(),
            o.get("reliability").cloned().unwrap_or(Value::Null),
        );
        let geo = o.get("geolocation").and_then(Value::as_str).unwrap_or("");
        m.insert(
            "country_code".into(),
            json!(geo.rsplit(',').next().unwrap_or("").trim()),
        );
        let (actual, cur, msg) = self.status_strings(t);
        let phase = self.phase(t);
        let running = actual == json!("running");
        let gpu_rate = self.gpu_rate();
        let storage = self.storage_rate();
        let dph_total = gpu_rate + storage;
        m.insert("id".into(), json!(self.id));
        m.insert("actual_status".into(), actual);
        m.insert(
            "intended_status".into(),
            json!(if self.intended == Intended::Running {
                "running"
            } else {
                "stopped"
            }),
        );
        m.insert("cur_state".into(), json!(cur));
        m.insert("next_state".into(), json!(cur));
        m.insert("status_msg".into(), msg);
        m.insert(
            "label".into(),
            self.label.clone().map(Value::String).unwrap_or(Value::Null),
        );
        m.insert("image_uuid".into(), json!(self.image));
        m.insert(
            "image_args".into(),
            json!(self.args.clone().unwrap_or_default()),
        );
        m.insert("image_runtype".into(), json!(self.runtype));
        m.insert(
            "extra_env".into(),
            json!(
                self.env
                    .iter()
                    .map(|(k, v)| vec![k.clone(), v.clone()])
                    .collect::<Vec<_>>()
            ),
        );
        m.insert(
            "onstart".into(),
            self.onstart
                .clone()
                .map(Value::String)
                .unwrap_or(Value::Null),
        );
        m.insert(
            "jupyter_token".into(),
            json!(format!(
                "{:016x}",
                self.id.wrapping_mul(0x9E37_79B9_7F4A_7C15)
            )),
        );
        m.insert("template_id".into(), Value::Null);
        m.insert("template_hash_id".into(), Value::Null);
        m.insert("template_name".into(), Value::Null);
        // SSH: only once running and only if the host provider gave an endpoint. Both the
        // proxy fields and the direct 22/tcp mapping point at it. For jupyter runtypes the
        // CLI adds 1 to ssh_port, so the proxy port is published one lower.
        let ep = if running { self.ssh.as_ref() } else { None };
        let jupyter = self.runtype.contains("jupyter");
        match ep {
            Some(e) => {
                m.insert("ssh_host".into(), json!(e.host));
                m.insert(
                    "ssh_port".into(),
                    json!(if jupyter {
                        e.port.saturating_sub(1)
                    } else {
                        e.port
                    }),
                );
                m.insert("public_ipaddr".into(), json!(e.host));
                let mut ports =
                    json!({"22/tcp": [{"HostIp": "0.0.0.0", "HostPort": e.port.to_string()}]});
                if jupyter {
                    ports["8080/tcp"] = json!([{"HostIp": "0.0.0.0", "HostPort": e.port.saturating_add(1).to_string()}]);
                }
                m.insert("ports".into(), ports);
                m.insert("machine_dir_ssh_port".into(), json!(e.port));
            }
            None => {
                m.insert("ssh_host".into(), Value::Null);
                m.insert("ssh_port".into(), json!(0));
                m.insert(
                    "public_ipaddr".into(),
                    o.get("public_ipaddr").cloned().unwrap_or(Value::Null),
                );
                m.insert(
                    "ports".into(),
                    if running { json!({}) } else { Value::Null },
                );
                m.insert("machine_dir_ssh_port".into(), json!(0));
            }
        }
        m.insert("ssh_idx".into(), json!(self.ssh_idx.to_string()));
        m.insert("local_ipaddrs".into(), json!("172.17.0.2\n"));
        m.insert("direct_port_start".into(), json!(-1));
        m.insert("direct_port_end".into(), json!(-1));
        m.insert(
            "direct_port_count".into(),
            o.get("direct_port_count").cloned().unwrap_or(json!(0)),
        );
        m.insert("start_date".into(), json!(self.created_at));
        m.insert("duration".into(), json!((t - self.created_at).max(0.0)));
        let up = self.loading_until.filter(|u| {
            matches!(phase, Phase::Running | Phase::Offline | Phase::Exited) && t >= *u
        });
        m.insert(
            "uptime_mins".into(),
            up.map(|u| json!(((t - u) / 60.0).max(0.0)))
                .unwrap_or(Value::Null),
        );
        m.insert(
            "gpu_util".into(),
            if running { json!(0.0) } else { Value::Null },
        );
        m.insert(
            "gpu_temp".into(),
            if running { json!(38.0) } else { Value::Null },
        );
        m.insert(
            "cpu_util".into(),
            if running { json!(0.01) } else { json!(0.0) },
        );
        m.insert(
            "mem_usage".into(),
            if running { json!(0.35) } else { Value::Null },
        );
        m.insert(
            "mem_limit".into(),
            json!(
                o.get("cpu_ram").and_then(Value::as_f64).unwrap_or(0.0) / 1000.0
                    * o.get("gpu_frac").and_then(Value::as_f64).unwrap_or(1.0)
            ),
        );
        m.insert("vmem_usage".into(), Value::Null);
        m.insert("disk_space".into(), json!(self.disk_gb));
        let used = if matches!(phase, Phase::Scheduling) {
            -1.0
        } else {
            (self.disk_gb * 0.12).min(8.5)
        };
        m.insert("disk_usage".into(), json!(used));
        m.insert(
            "disk_util".into(),
            json!(if used < 0.0 {
                -1.0
            } else {
                used / self.disk_gb.max(1e-9)
            }),
        );
        m.insert("dph_base".into(), json!(gpu_rate));
        m.insert("storage_total_cost".into(), json!(storage));
        m.insert("dph_total".into(), json!(dph_total));
        m.insert(
            "vram_costperhour".into(),
            o.get("vram_costperhour").cloned().unwrap_or(Value::Null),
        );
        m.insert("is_bid".into(), json!(self.bid_price.is_some()));
        m.insert("search".into(), json!({"gpuCostPerHour": gpu_rate, "diskHour": storage, "totalHour": dph_total, "discountTotalHour": 0, "discountedTotalPerHour": dph_total}));
        m.insert("instance".into(), json!({"gpuCostPerHour": 0, "diskHour": storage, "totalHour": storage, "discountTotalHour": 0, "discountedTotalPerHour": storage}));
        let dl = o.get("dlperf").and_then(Value::as_f64).unwrap_or(0.0);
        let tf = o.get("total_flops").and_then(Value::as_f64).unwrap_or(0.0);
        m.insert(
            "dlperf_per_dphtotal".into(),
            json!(if dph_total > 0.0 { dl / dph_total } else { 0.0 }),
        );
        m.insert(
            "flops_per_dphtotal".into(),
            json!(if dph_total > 0.0 { tf / dph_total } else { 0.0 }),
        );
        m.insert("credit_balance".into(), Value::Null);
        m.insert("credit_discount".into(), Value::Null);
        m.insert(
            "client_run_time".into(),
            json!((t - self.created_at).max(0.0) / 3600.0),
        );
        m.insert(
            "host_run_time".into(),
            json!((t - self.created_at).max(0.0) / 3600.0),
        );
        m.insert("time_remaining".into(), json!(""));
        m.insert("time_remaining_isbid".into(), json!(""));
        m.insert("volume_info".into(), json!([]));
        m.insert("inet_up_billed".into(), Value::Null);
        m.insert("inet_down_billed".into(), Value::Null);
        Value::Object(m)
    }

    /// Synthesised container (or daemon) log for this instance at `t`.
    pub fn synth_logs(&self, t: f64, daemon: bool) -> String {
        let mut lines = Vec::new();
        let ts = |s: f64| {
            let (y, mo, d, h, mi, se) = super::super::error::civil(s.max(0.0) as u64);
            format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{se:02}Z")
        };
        let phase = self.phase(t);
        if daemon {
            lines.push(format!(
                "{} [daemon] create container for instance {} on machine {}",
                ts(self.created_at),
                self.id,
                self.machine_id
            ));
            lines.push(format!(
                "{} [daemon] pulling {}",
                ts(self.null_until),
                self.image
            ));
            if let Some(up) = self.loading_until.filter(|u| t >= *u) {
                lines.push(format!("{} [daemon] container started", ts(up)));
            }
            if phase == Phase::Offline {
                lines.push(format!(
                    "{} [daemon] lost heartbeat from host",
                    ts(self.offline_at.unwrap_or(t))
                ));
            }
            return lines.join("\n") + "\n";
        }
        if phase == Phase::Scheduling {
            return String::new();
        }
        let (repo, tag) = match self.image.rsplit_once(':') {
            Some((r, tg)) if !tg.contains('/') => (r.to_string(), tg.to_string()),
            _ => (self.image.clone(), "latest".to_string()),
        };
        lines.push(format!(
            "{} {tag}: Pulling from {repo}",
            ts(self.null_until)
        ));
        for (i, layer) in [
            "a1b2c3d4e5f6",
            "0f1e2d3c4b5a",
            "9a8b7c6d5e4f",
            "1234abcd5678",
        ]
        .iter()
        .enumerate()
        {
            lines.push(format!(
                "{} {layer}: Pulling fs layer",
                ts(self.null_until + i as f64)
            ));
        }
        match self.loading_until {
            None => {
                let mut s = self.null_until + 5.0;
                while s < t && lines.len() < 200 {
                    lines.push(format!(
                        "{} a1b2c3d4e5f6: Downloading  1.{}GB/6.2GB",
                        ts(s),
                        (s as u64) % 10
                    ));
                    s += 30.0;
                }
            }
            Some(up) if t < up => {
                lines.push(format!(
                    "{} a1b2c3d4e5f6: Download complete",
                    ts(self.null_until + 3.0)
                ));
                lines.push(format!(
                    "{} a1b2c3d4e5f6: Extracting",
                    ts(self.null_until + 4.0)
                ));
            }
            Some(up) => {
                lines.push(format!(
                    "{} Digest: sha256:{:064x}",
                    ts(up - 2.0),
                    self.id as u128 * 0x1F2E3D4C5B6A7988
                ));
                lines.push(format!(
                    "{} Status: Downloaded newer image for {}",
                    ts(up - 1.0),
                    self.image
                ));
                lines.push(format!(
                    "{} Starting container with runtype {}",
                    ts(up),
                    self.runtype
                ));
                if let BootOutcome::Exited { msg } = &self.spec.outcome {
                    lines.push(format!("{} {msg}", ts(up)));
                } else {
                    if let Some(on) = &self.onstart {
                        for l in on.lines().take(20) {
                            if let Some(rest) = l.trim().strip_prefix("echo ") {
                                lines
                                    .push(rest.trim_matches(|c| c == '"' || c == '\'').to_string());
                            }
                        }
                    }
                    lines.push(format!(
                        "{} sshd: Server listening on 0.0.0.0 port 22.",
                        ts(up + 1.0)
                    ));
                }
            }
        }
        lines.join("\n") + "\n"
    }
}

#[cfg(test)]
mod tests {
    use super::super::faults::scenario_spec;
    use super::*;

    fn inst(scenario: &str) -> SimInstance {
        let offer =
            json!({"dph_base": 3.6, "storage_cost": 0.72, "gpu_total_ram": 24564, "num_gpus": 1})
                .as_object()
                .unwrap()
                .clone();
        let mut i = SimInstance {
            id: 1,
            offer_id: 1,
            machine_id: 1,
            offer,
            gpu_ids: vec![],
            label: None,
            image: "pytorch/pytorch".into(),
            env: vec![],
            onstart: Some("echo hi".into()),
            args: None,
            disk_gb: 10.0,
            runtype: "ssh".into(),
            bid_price: None,
            scenario: scenario.into(),
            spec: scenario_spec(scenario),
            created_at: 0.0,
            null_until: 0.0,
            loading_until: None,
            offline_at: None,
            intended: Intended::Running,
            stop_reason: None,
            billed_until: 0.0,
            cost: 0.0,
            ssh: None,
            provisioning: false,
            provisioned: false,
            ssh_keys: vec![],
            api_key: String::new(),
            ssh_idx: 1,
        };
        i.spec.provision_s = 10.0;
        i.spec.loading_s = 100.0;
        i.boot_at(0.0, false);
        i
    }

    #[test]
    fn lifecycle_and_billing() {
        let mut i = inst("healthy_hf");
        let up = i.loading_until.unwrap();
        assert_eq!(i.phase(1.0), Phase::Scheduling);
        assert_eq!(i.phase(up - 1.0), Phase::Loading);
        assert_eq!(i.phase(up), Phase::Running);
        // storage: 0.72 $/GB/month × 10 GB / 720 = 0.01 $/h
        i.settle(up);
        assert!((i.cost - 0.01 * up / 3600.0).abs() < 1e-12);
        i.settle(up + 3600.0);
        assert!((i.cost - 0.01 * (up + 3600.0) / 3600.0 - 3.6).abs() < 1e-9);
        i.intended = Intended::Stopped;
        let before = i.cost;
        i.settle(up + 7200.0);
        assert!(
            (i.cost - before - 0.01).abs() < 1e-12,
            "stopped: storage only"
        );
        let row = i.to_json(up + 7200.0);
        assert_eq!(row["actual_status"], "stopped");
        assert!(row["start_date"].is_number() && row["extra_env"].is_array());
    }

    #[test]
    fn scenarios() {
        let i = inst("stuck_loading");
        assert_eq!(i.phase(1e6), Phase::Loading);
        assert!(i.synth_logs(500.0, false).contains("Downloading"));
        let mut i = inst("host_offline");
        let off = i.offline_at.unwrap();
        assert_eq!(i.phase(off + 1.0), Phase::Offline);
        i.settle(off + 3600.0);
        let gpu_hours = (off - i.loading_until.unwrap()) / 3600.0;
        assert!((i.cost - (0.01 * (off + 3600.0) / 3600.0 + 3.6 * gpu_hours)).abs() < 1e-9);
        let i = inst("container_exited");
        assert_eq!(i.phase(1e6), Phase::Exited);
        assert_eq!(i.to_json(1e6)["actual_status"], "exited");
    }
}
