//! A Vast.ai-compatible marketplace simulator (API.md §11 checklist).
//!
//! * In-process: `Simulator::new(cfg)?.router()` is an `axum::Router` (mount it on its own
//!   listener; it owns `/api/v0/*`, `/api/v1/*` and `/_sim/*`).
//! * Standalone: [`Simulator::serve`] / [`Simulator::spawn`] (what `canopy sim` runs).
//!
//! Every path works with and without a trailing slash; the key comes from
//! `Authorization: Bearer` or `?api_key=`; search, the GPU-name list and log downloads are
//! public. Replies are `Content-Type: application/json` exactly (the CLI compares the
//! string), errors `{"success": false, "error": code, "msg": text}`.
//!
//! Simulator-only endpoints (never on real Vast): `GET/POST/DELETE /_sim/faults`,
//! `POST /_sim/advance {"seconds": s}`, `POST /_sim/speed {"speed": x}`, `GET /_sim/state`,
//! and `GET /_sim/instance_logs/{token}.log` (the `result_url` of log requests).

// Handlers return early with ready-made error responses; boxing them buys nothing here.
#![allow(clippy::result_large_err)]

pub mod clock;
pub mod faults;
pub mod filter;
pub mod instances;
pub mod offers;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use clock::SimClock;
use faults::{Endpoint, FaultKind, FaultRule, ScenarioSpec, scenario_spec};
use instances::{Intended, Phase, SimInstance};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, Weak};

pub use offers::OfferSource;

/// Where a simulated host accepts SSH.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SshEndpoint {
    pub host: String,
    pub port: u16,
}

/// The hardware a rented offer promised, for the simulated host to present
/// (nvidia-smi name, count and memory) and to run at (replay speed).
#[derive(Clone, Debug, PartialEq)]
pub struct HostHardware {
    /// The offer's GPU model as Vast names it (`RTX 4090`).
    pub gpu_name: String,
    pub num_gpus: u32,
    /// MB per GPU.
    pub gpu_ram_mb: f64,
    /// Training speed relative to an H200 (the recorded traces' GPU), from
    /// the model's DL-perf.
    pub speed_vs_h200: f64,
}

impl HostHardware {
    /// From the offer as rented.
    pub fn from_offer(offer: &serde_json::Map<String, serde_json::Value>) -> HostHardware {
        let gpu_name = offer
            .get("gpu_name")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("H200")
            .to_string();
        let h200 = offers::gpu_spec("H200").map_or(1.0, |s| s.dlperf);
        let speed_vs_h200 = offers::gpu_spec(&gpu_name)
            .map(|s| s.dlperf / h200)
            .filter(|s| s.is_finite() && *s > 0.0)
            .unwrap_or(1.0)
            .clamp(0.05, 4.0);
        HostHardware {
            num_gpus: offer
                .get("num_gpus")
                .and_then(serde_json::Value::as_u64)
                .unwrap_or(1)
                .clamp(1, 64) as u32,
            gpu_ram_mb: offer
                .get("gpu_ram")
                .and_then(serde_json::Value::as_f64)
                .unwrap_or(143_771.0),
            gpu_name,
            speed_vs_h200,
        }
    }
}

/// Provides the SSH side of running instances (the lead's simulated GPU hosts implement
/// it). Called without any simulator lock held.
pub trait HostProvider: Send + Sync {
    /// The instance just reached `running` (first boot or restart): start a host for it.
    /// `Err` leaves the instance running without SSH (`ssh_port` 0).
    ///
    /// Called from inside the Tokio runtime (a request handler or the simulator's ticker):
    /// return quickly and never `block_on` — e.g. bind a `std::net::TcpListener` on
    /// 127.0.0.1:0 and `tokio::spawn` the server.
    fn provision(
        &self,
        instance_id: u64,
        scenario: &str,
        ssh_pubkeys: &[String],
        hardware: &HostHardware,
    ) -> Result<SshEndpoint, String>;
    /// Stop the host (instance stopped, destroyed, exited or its host went offline).
    fn release(&self, instance_id: u64);
    /// A key was attached to a running instance.
    fn attach_key(&self, _instance_id: u64, _ssh_pubkey: &str) {}
    /// Container logs, if the host has real ones (otherwise the simulator synthesises
    /// image-pull/boot lines).
    fn logs(&self, _instance_id: u64) -> Option<String> {
        None
    }
}

/// The default provider: no hosts. Instances still boot and run; they have `ssh_host` null,
/// `ssh_port` 0 and an empty `ports` map, so nothing can connect.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoHosts;

impl HostProvider for NoHosts {
    fn provision(
        &self,
        _: u64,
        _: &str,
        _: &[String],
        _: &HostHardware,
    ) -> Result<SshEndpoint, String> {
        Err("no simulated hosts configured".into())
    }
    fn release(&self, _: u64) {}
}

/// Simulator settings.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// The one accepted key; `None` accepts any non-empty key.
    pub api_key: Option<String>,
    /// Size of the offer book (`None` = captures + generated up to 3,000).
    pub offers: Option<usize>,
    pub seed: u64,
    pub offer_source: OfferSource,
    /// Simulated seconds per real second.
    pub speed: f64,
    /// Simulated epoch start (`None` = now).
    pub start_time: Option<f64>,
    /// Prepaid credit in USD.
    pub initial_credit: f64,
    /// Scenario when a create names none.
    pub default_scenario: String,
    /// Replace the built-in behaviour of scenario names (or add new ones).
    pub scenario_overrides: HashMap<String, ScenarioSpec>,
    pub faults: Vec<FaultRule>,
    /// How many GETs of a log `result_url` answer 404 before the text is there (S3 lag).
    pub log_ready_after_polls: u32,
    /// Enforce Vast's documented per-endpoint limits (API.md §1, real time, per key):
    /// search 10/min, create 1 per 4.5 s, v1 list 1/s, show 1 per 2 s, destroy 1 per 3 s,
    /// manage 1/s, ssh keys 1/s → 429 `API requests too frequent: endpoint threshold=…`
    /// (no Retry-After, as the docs say). Off by default; env `CANOPY_SIM_RATE_LIMITS=1`.
    pub rate_limits: bool,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            api_key: None,
            offers: None,
            seed: 42,
            offer_source: OfferSource::Embedded,
            speed: 1.0,
            start_time: None,
            initial_credit: 25.0,
            default_scenario: "healthy_hf".into(),
            scenario_overrides: HashMap::new(),
            faults: Vec::new(),
            log_ready_after_polls: 1,
            rate_limits: false,
        }
    }
}

impl SimConfig {
    /// Defaults plus environment: `CANOPY_SIM_SPEED` (e.g. 20), `CANOPY_SIM_FAULTS`
    /// (see [`faults::parse_fault_spec`]; bad specs are logged and ignored),
    /// `CANOPY_SIM_API_KEY`, `CANOPY_SIM_OFFERS`, `CANOPY_SIM_SEED`, `CANOPY_SCENARIO`
    /// (default scenario).
    pub fn from_env() -> Self {
        let mut c = SimConfig {
            speed: clock::speed_from_env(),
            ..Default::default()
        };
        let var = |k: &str| {
            std::env::var(k)
                .ok()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        };
        if let Some(spec) = var("CANOPY_SIM_FAULTS") {
            match faults::parse_fault_spec(&spec) {
                Ok(r) => c.faults = r,
                Err(e) => tracing::warn!("ignoring CANOPY_SIM_FAULTS: {e}"),
            }
        }
        c.api_key = var("CANOPY_SIM_API_KEY");
        if let Some(n) = var("CANOPY_SIM_OFFERS").and_then(|s| s.parse().ok()) {
            c.offers = Some(n);
        }
        if let Some(n) = var("CANOPY_SIM_SEED").and_then(|s| s.parse().ok()) {
            c.seed = n;
        }
        c.rate_limits = matches!(
            var("CANOPY_SIM_RATE_LIMITS").as_deref(),
            Some("1") | Some("true") | Some("yes")
        );
        if let Some(s) = var("CANOPY_SCENARIO") {
            c.default_scenario = s;
        }
        c
    }
}

struct LogBlob {
    text: String,
    polls_before_ready: u32,
}

struct AccountKey {
    id: u64,
    key: String,
    created_at: f64,
}

struct SimState {
    offers: Vec<Map<String, Value>>,
    by_id: HashMap<u64, usize>,
    by_machine: HashMap<u64, Vec<usize>>,
    /// Offer indices per `gpu_name` (most searches name the GPU).
    by_gpu: HashMap<String, Vec<usize>>,
    /// `rentable` as captured/generated (before our rentals).
    base_rentable: Vec<bool>,
    instances: BTreeMap<u64, SimInstance>,
    next_instance: u64,
    spent: f64,
    keys: Vec<AccountKey>,
    next_key: u64,
    faults: Vec<FaultRule>,
    logs: HashMap<String, LogBlob>,
    log_order: Vec<String>,
    next_token: u64,
    requests: u64,
    /// Rate limiting: recent calls per (endpoint, identity).
    recent: HashMap<(Endpoint, String), std::collections::VecDeque<std::time::Instant>>,
}

struct Inner {
    cfg: SimConfig,
    clock: SimClock,
    state: Mutex<SimState>,
    hosts: RwLock<Arc<dyn HostProvider>>,
    ticker: AtomicBool,
}

/// The simulator. Cheap to clone (shared state).
#[derive(Clone)]
pub struct Simulator {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Simulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulator")
            .field("speed", &self.inner.clock.speed())
            .finish()
    }
}

/// A running standalone simulator.
pub struct SimHandle {
    pub addr: SocketAddr,
    pub sim: Simulator,
    task: tokio::task::JoinHandle<()>,
}

impl SimHandle {
    /// `http://127.0.0.1:PORT` — the base URL for [`crate::vast::VastClient`] or `VAST_URL`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
    /// Stops serving.
    pub fn abort(&self) {
        self.task.abort();
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

type Resp = Response;

const USER_ID: u64 = 424_242;

fn lock(inner: &Inner) -> MutexGuard<'_, SimState> {
    inner.state.lock().unwrap_or_else(|p| p.into_inner())
}

/// A JSON reply with `Content-Type: application/json` exactly.
fn json_resp(status: StatusCode, v: &Value) -> Resp {
    let body = serde_json::to_vec(v).unwrap_or_else(|_| b"{}".to_vec());
    let mut r = (status, body).into_response();
    r.headers_mut()
        .insert("content-type", HeaderValue::from_static("application/json"));
    r
}

fn err(status: StatusCode, code: &str, msg: impl Into<String>) -> Resp {
    json_resp(
        status,
        &json!({"success": false, "error": code, "msg": msg.into()}),
    )
}

fn ok_success(msg: Option<String>) -> Resp {
    match msg {
        Some(m) => json_resp(StatusCode::OK, &json!({"success": true, "msg": m})),
        None => json_resp(StatusCode::OK, &json!({"success": true})),
    }
}

fn bad_json() -> Resp {
    err(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        "Invalid json body",
    )
}

fn auth_error() -> Resp {
    err(StatusCode::UNAUTHORIZED, "auth_error", "Invalid user key")
}

/// Percent-decoding for query strings (`+` is a space).
fn url_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let h = std::str::from_utf8(&b[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match h {
                    Some(v) => {
                        out.push(v);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn parse_query_string(q: Option<&str>) -> HashMap<String, String> {
    let mut m = HashMap::new();
    for part in q.unwrap_or("").split('&').filter(|s| !s.is_empty()) {
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        m.insert(url_decode(k), url_decode(v));
    }
    m
}

/// Body as a JSON object; empty body = `{}`.
fn body_object(body: &Bytes) -> Result<Map<String, Value>, Resp> {
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(bad_json()),
    }
}

fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<String> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect();
    String::from_utf8(bytes?).ok()
}

fn next_utc_midnight(t: f64) -> u64 {
    ((t.max(0.0) as u64) / 86_400 + 1) * 86_400
}

/// Columns v1 `select_filters` / `order_by` accept (stored columns; computed ones → 400).
const V1_COLUMNS: &[&str] = &[
    "id",
    "actual_status",
    "intended_status",
    "cur_state",
    "next_state",
    "label",
    "gpu_name",
    "verification",
    "machine_id",
    "host_id",
    "image_uuid",
    "template_id",
    "template_hash_id",
    "start_date",
    "status_msg",
];

/// Work for the host provider, done after the state lock is released.
enum HostAction {
    Provision {
        id: u64,
        scenario: String,
        keys: Vec<String>,
        hardware: HostHardware,
    },
    Release {
        id: u64,
    },
}

impl Simulator {
    /// Builds the offer book and an empty account.
    pub fn new(cfg: SimConfig) -> Result<Self, String> {
        let clock = match cfg.start_time {
            Some(t) => SimClock::starting_at(t, cfg.speed),
            None => SimClock::new(cfg.speed),
        };
        let offers = offers::build_offers(&cfg.offer_source, cfg.offers, cfg.seed, clock.now())?;
        let mut by_id = HashMap::new();
        let mut by_machine: HashMap<u64, Vec<usize>> = HashMap::new();
        let mut base_rentable = Vec::with_capacity(offers.len());
        let mut by_gpu: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, o) in offers.iter().enumerate() {
            if let Some(id) = o.get("id").and_then(Value::as_u64) {
                by_id.insert(id, i);
            }
            if let Some(mid) = o.get("machine_id").and_then(Value::as_u64) {
                by_machine.entry(mid).or_default().push(i);
            }
            base_rentable.push(o.get("rentable").and_then(Value::as_bool).unwrap_or(false));
            if let Some(g) = o.get("gpu_name").and_then(Value::as_str) {
                by_gpu.entry(g.to_string()).or_default().push(i);
            }
        }
        let state = SimState {
            offers,
            by_id,
            by_machine,
            by_gpu,
            base_rentable,
            instances: BTreeMap::new(),
            next_instance: 9_100_001,
            spent: 0.0,
            keys: Vec::new(),
            next_key: 1,
            faults: cfg.faults.clone(),
            logs: HashMap::new(),
            log_order: Vec::new(),
            next_token: 1,
            requests: 0,
            recent: HashMap::new(),
        };
        Ok(Simulator {
            inner: Arc::new(Inner {
                cfg,
                clock,
                state: Mutex::new(state),
                hosts: RwLock::new(Arc::new(NoHosts)),
                ticker: AtomicBool::new(false),
            }),
        })
    }

    /// Plugs in the simulated SSH hosts.
    pub fn set_host_provider(&self, p: Arc<dyn HostProvider>) {
        *self.inner.hosts.write().unwrap_or_else(|e| e.into_inner()) = p;
    }

    fn hosts(&self) -> Arc<dyn HostProvider> {
        self.inner
            .hosts
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn config(&self) -> &SimConfig {
        &self.inner.cfg
    }

    pub fn clock(&self) -> &SimClock {
        &self.inner.clock
    }

    /// Simulated now (epoch seconds).
    pub fn now(&self) -> f64 {
        self.inner.clock.now()
    }

    /// Jumps simulated time forward (boot delays elapse, billing accrues).
    pub fn advance(&self, secs: f64) {
        self.inner.clock.advance(secs);
        self.tick();
    }

    pub fn set_speed(&self, speed: f64) {
        self.inner.clock.set_speed(speed);
    }

    /// Adds a fault rule (applies to the next matching calls).
    pub fn inject(&self, rule: FaultRule) {
        lock(&self.inner).faults.push(rule);
    }

    pub fn clear_faults(&self) {
        lock(&self.inner).faults.clear();
    }

    pub fn offer_count(&self) -> usize {
        lock(&self.inner).offers.len()
    }

    /// Requests served so far (all endpoints).
    pub fn request_count(&self) -> u64 {
        lock(&self.inner).requests
    }

    /// Remaining prepaid credit, USD (after settling billing to now).
    pub fn credit(&self) -> f64 {
        self.tick();
        let s = lock(&self.inner);
        self.inner.cfg.initial_credit - s.spent
    }

    /// Total charged so far, USD.
    pub fn spent(&self) -> f64 {
        self.tick();
        lock(&self.inner).spent
    }

    /// The instance row as the API returns it, if it exists.
    pub fn instance_json(&self, id: u64) -> Option<Value> {
        self.tick();
        let now = self.now();
        lock(&self.inner).instances.get(&id).map(|i| i.to_json(now))
    }

    /// Dollars charged to one instance so far.
    pub fn instance_cost(&self, id: u64) -> Option<f64> {
        self.tick();
        lock(&self.inner).instances.get(&id).map(|i| i.cost)
    }

    /// Ids of live instances.
    pub fn instance_ids(&self) -> Vec<u64> {
        lock(&self.inner).instances.keys().copied().collect()
    }

    /// The raw offer by id (as stored: on-demand, 5 GB pricing).
    pub fn offer(&self, id: u64) -> Option<Value> {
        let s = lock(&self.inner);
        s.by_id
            .get(&id)
            .map(|i| Value::Object(s.offers[*i].clone()))
    }

    /// Settles billing, enforces credit, and moves instances between phases, calling the
    /// host provider for instances that came up or went away.
    pub fn tick(&self) {
        let now = self.now();
        let actions = {
            let mut s = lock(&self.inner);
            Self::tick_locked(&mut s, &self.inner.cfg, now)
        };
        self.run_host_actions(actions);
    }

    fn tick_locked(s: &mut SimState, cfg: &SimConfig, now: f64) -> Vec<HostAction> {
        let mut spent = 0.0;
        for inst in s.instances.values_mut() {
            spent += inst.settle(now);
        }
        s.spent += spent;
        // Out of credit: Vast stops the instances (the disk stays and keeps billing).
        if cfg.initial_credit - s.spent <= 0.0 {
            for inst in s.instances.values_mut() {
                if inst.intended == Intended::Running {
                    inst.intended = Intended::Stopped;
                    inst.stop_reason = Some("Instance stopped: account credit exhausted".into());
                }
            }
        }
        let mut actions = Vec::new();
        for inst in s.instances.values_mut() {
            let phase = inst.phase(now);
            if phase == Phase::Running && !inst.provisioned && !inst.provisioning {
                inst.provisioning = true;
                actions.push(HostAction::Provision {
                    id: inst.id,
                    scenario: inst.scenario.clone(),
                    keys: inst.ssh_keys.clone(),
                    hardware: HostHardware::from_offer(&inst.offer),
                });
            } else if phase != Phase::Running
                && (inst.provisioned || inst.ssh.is_some())
                && !inst.provisioning
            {
                inst.provisioned = false;
                inst.ssh = None;
                actions.push(HostAction::Release { id: inst.id });
            }
        }
        actions
    }

    fn run_host_actions(&self, actions: Vec<HostAction>) {
        if actions.is_empty() {
            return;
        }
        let hosts = self.hosts();
        for a in actions {
            match a {
                HostAction::Provision {
                    id,
                    scenario,
                    keys,
                    hardware,
                } => {
                    let r = hosts.provision(id, &scenario, &keys, &hardware);
                    let mut s = lock(&self.inner);
                    let mut release = false;
                    match s.instances.get_mut(&id) {
                        Some(inst) => {
                            inst.provisioning = false;
                            inst.provisioned = true;
                            match r {
                                Ok(ep) => inst.ssh = Some(ep),
                                Err(e) => tracing::debug!(instance = id, "no SSH host: {e}"),
                            }
                        }
                        None => release = r.is_ok(), // destroyed meanwhile
                    }
                    drop(s);
                    if release {
                        hosts.release(id);
                    }
                }
                HostAction::Release { id } => hosts.release(id),
            }
        }
    }

    /// Recomputes `rentable`/`rented` of the offers on one machine from the live rentals.
    fn refresh_machine(s: &mut SimState, machine_id: u64) {
        let Some(idxs) = s.by_machine.get(&machine_id).cloned() else {
            return;
        };
        let used: Vec<u64> = s
            .instances
            .values()
            .filter(|i| i.machine_id == machine_id)
            .flat_map(|i| i.gpu_ids.iter().copied())
            .collect();
        let ours = s.instances.values().any(|i| i.machine_id == machine_id);
        for i in idxs {
            let overlap = s.offers[i]
                .get("gpu_ids")
                .and_then(Value::as_array)
                .map(|g| {
                    g.iter()
                        .filter_map(Value::as_u64)
                        .any(|g| used.contains(&g))
                })
                .unwrap_or(false);
            let rentable = s.base_rentable[i] && !overlap;
            s.offers[i].insert("rentable".into(), json!(rentable));
            s.offers[i].insert("rented".into(), json!(ours));
        }
    }

    /// The axum router (all Vast paths plus `/_sim/*`). Spawns a small background ticker
    /// (if called inside a Tokio runtime) so boots and host releases happen on time even
    /// when nobody polls; it stops when the simulator is dropped.
    pub fn router(&self) -> Router {
        self.start_ticker();
        Router::new()
            .route("/api/v0/{*rest}", any(dispatch))
            .route("/api/v1/{*rest}", any(dispatch))
            .route("/_sim/{*rest}", any(dispatch))
            .with_state(self.clone())
    }

    fn start_ticker(&self) {
        if tokio::runtime::Handle::try_current().is_err()
            || self.inner.ticker.swap(true, Ordering::SeqCst)
        {
            return;
        }
        let weak: Weak<Inner> = Arc::downgrade(&self.inner);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(std::time::Duration::from_millis(250)).await;
                match weak.upgrade() {
                    Some(inner) => Simulator { inner }.tick(),
                    None => return,
                }
            }
        });
    }

    /// Binds `addr` and serves in the background (port 0 picks a free port).
    pub async fn spawn(&self, addr: SocketAddr) -> std::io::Result<SimHandle> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        let app = self.router();
        let task = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!("simulator server stopped: {e}");
            }
        });
        Ok(SimHandle {
            addr: local,
            sim: self.clone(),
            task,
        })
    }

    /// Binds `addr` and serves until Ctrl-C (what `canopy sim --addr` runs).
    pub async fn serve(&self, addr: SocketAddr) -> std::io::Result<()> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        tracing::info!(
            "Vast simulator listening on http://{} ({} offers, speed {}×)",
            listener.local_addr()?,
            self.offer_count(),
            self.inner.clock.speed()
        );
        axum::serve(listener, self.router())
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
    }

    // ---------------------------------------------------------------- request plumbing

    /// `Some(429)` when `identity` called `ep` too often (only with `cfg.rate_limits`).
    fn rate_limited(&self, ep: Endpoint, identity: &str) -> Option<Resp> {
        if !self.inner.cfg.rate_limits {
            return None;
        }
        // (calls allowed, per window seconds) from the docs' per-endpoint thresholds.
        let (n, window): (usize, f64) = match ep {
            Endpoint::Search => (10, 60.0),
            Endpoint::Create => (1, 4.5),
            Endpoint::ListInstances => (1, 1.0),
            Endpoint::ShowInstance => (1, 2.0),
            Endpoint::Destroy => (1, 3.0),
            Endpoint::ManageInstance | Endpoint::Ssh => (1, 1.0),
            _ => return None,
        };
        let now = std::time::Instant::now();
        let mut s = lock(&self.inner);
        let q = s.recent.entry((ep, identity.to_string())).or_default();
        while q
            .front()
            .is_some_and(|t| now.duration_since(*t).as_secs_f64() >= window)
        {
            q.pop_front();
        }
        if q.len() >= n {
            let threshold = window / n as f64;
            let mut r = (
                StatusCode::TOO_MANY_REQUESTS,
                format!("API requests too frequent: endpoint threshold={threshold}"),
            )
                .into_response();
            r.headers_mut()
                .insert("content-type", HeaderValue::from_static("text/plain"));
            return Some(r);
        }
        q.push_back(now);
        None
    }

    fn identity(headers: &HeaderMap, query: &HashMap<String, String>) -> String {
        headers
            .get("authorization")
            .and_then(|h| h.to_str().ok())
            .map(str::to_string)
            .or_else(|| query.get("api_key").cloned())
            .unwrap_or_else(|| "anonymous".into())
    }

    fn check_key(&self, headers: &HeaderMap, query: &HashMap<String, String>) -> bool {
        let from_header = headers
            .get("authorization")
            .and_then(|h| h.to_str().ok())
            .and_then(|h| {
                let h = h.trim();
                let (scheme, rest) = h.split_once(' ')?;
                scheme
                    .eq_ignore_ascii_case("bearer")
                    .then(|| rest.trim().to_string())
            });
        let key = from_header
            .or_else(|| query.get("api_key").cloned())
            .unwrap_or_default();
        if key.is_empty() {
            return false;
        }
        match &self.inner.cfg.api_key {
            Some(k) => *k == key,
            None => true,
        }
    }

    /// Takes the first fault rule for this endpoint (not the create-then-* kinds unless
    /// `create_phase`).
    fn take_fault(&self, ep: Endpoint, create_phase: bool) -> Option<FaultKind> {
        let mut s = lock(&self.inner);
        let pos = s.faults.iter().position(|r| {
            let late = matches!(
                r.kind,
                FaultKind::CreateThenError { .. } | FaultKind::CreateThenTimeout { .. }
            );
            r.endpoint.matches(ep) && late == create_phase && (!late || ep == Endpoint::Create)
        })?;
        let kind = s.faults[pos].kind.clone();
        if s.faults[pos].times == 1 {
            s.faults.remove(pos);
        } else if s.faults[pos].times > 1 {
            s.faults[pos].times -= 1;
        }
        Some(kind)
    }

    async fn apply_fault(&self, kind: FaultKind) -> Option<Resp> {
        match kind {
            FaultKind::RateLimited { retry_after_s } => {
                let mut r =
                    (StatusCode::TOO_MANY_REQUESTS, "API requests too frequent").into_response();
                r.headers_mut()
                    .insert("content-type", HeaderValue::from_static("text/plain"));
                if let Some(s) = retry_after_s.filter(|s| s.is_finite() && *s >= 0.0) {
                    let v = if s.fract() == 0.0 {
                        format!("{}", s as u64)
                    } else {
                        format!("{s}")
                    };
                    if let Ok(h) = HeaderValue::from_str(&v) {
                        r.headers_mut().insert("retry-after", h);
                    }
                }
                Some(r)
            }
            FaultKind::SearchQuota => {
                let mut r = err(
                    StatusCode::TOO_MANY_REQUESTS,
                    "search_quota_exceeded",
                    "Daily search quota exceeded",
                );
                let reset = next_utc_midnight(self.now());
                if let Ok(h) = HeaderValue::from_str(&reset.to_string()) {
                    r.headers_mut().insert("x-ratelimit-reset", h);
                }
                Some(r)
            }
            FaultKind::ServerError { status } => {
                let st = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                Some(err(st, "server_error", format!("simulated HTTP {status}")))
            }
            FaultKind::Timeout { secs } | FaultKind::CreateThenTimeout { secs } => {
                let secs = if secs.is_finite() {
                    secs.clamp(0.0, 3600.0)
                } else {
                    0.0
                };
                tokio::time::sleep(std::time::Duration::from_secs_f64(secs)).await;
                None
            }
            FaultKind::CreateThenError { status } => {
                let st = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                Some(err(
                    st,
                    "server_error",
                    format!("simulated HTTP {status} after the instance was created"),
                ))
            }
        }
    }

    // ---------------------------------------------------------------- handlers

    fn gpu_names(&self) -> Resp {
        let s = lock(&self.inner);
        let mut names: Vec<&str> = s
            .offers
            .iter()
            .filter_map(|o| o.get("gpu_name").and_then(Value::as_str))
            .collect();
        names.sort_unstable();
        names.dedup();
        json_resp(StatusCode::OK, &json!({"gpu_names": names}))
    }

    fn gpu_types(&self) -> Resp {
        let types: Vec<Value> = offers::GPU_SPECS
            .iter()
            .map(|g| json!({"canonical_name": g.name, "gpu_ram_mb": g.ram_mb, "compute_cap": g.compute_cap, "dlperf": g.dlperf, "total_flops": g.fp32_tflops}))
            .collect();
        json_resp(StatusCode::OK, &json!({"gpu_types": types}))
    }

    fn search(&self, q: &Map<String, Value>) -> Resp {
        let parsed = match filter::parse_query(q) {
            Ok(p) => p,
            Err(e) => return err(StatusCode::BAD_REQUEST, "invalid_args", e),
        };
        let now = self.now();
        let s = lock(&self.inner);
        let candidates: Option<Vec<usize>> = filter::gpu_names_of(&parsed).map(|names| {
            let mut c: Vec<usize> = names
                .iter()
                .filter_map(|n| s.by_gpu.get(n))
                .flatten()
                .copied()
                .collect();
            c.sort_unstable();
            c.dedup();
            c
        });
        let hits = filter::search_in(&s.offers, candidates.as_deref(), &parsed, now);
        drop(s);
        let body = json!({"offers": hits});
        json_resp(StatusCode::OK, &body)
    }

    fn user(&self) -> Resp {
        let s = lock(&self.inner);
        let remaining = self.inner.cfg.initial_credit - s.spent;
        let key = s.keys.first().map(|k| k.key.clone()).unwrap_or_default();
        json_resp(
            StatusCode::OK,
            &json!({
                "id": USER_ID, "username": "canopy-sim", "email": "sim@canopy.invalid", "fullname": "Canopy Simulator",
                "credit": remaining.max(0.0), "balance": remaining.min(0.0), "balance_threshold": 0.0,
                "balance_threshold_enabled": false, "ssh_key": key, "has_billing": true, "can_pay": true,
                "email_verified": true, "got_signup_credit": true, "host_agreement_accepted": false,
                "billed_expected": 0.0, "billed_verified": 0.0, "paid_expected": 0.0, "paid_verified": 0.0,
            }),
        )
    }

    async fn create(&self, offer_id: &str, body: &Bytes) -> Resp {
        let Ok(offer_id) = offer_id.parse::<u64>() else {
            return err(
                StatusCode::NOT_FOUND,
                "no_such_ask",
                format!("Instance type by id {offer_id} is not available."),
            );
        };
        let b = match body_object(body) {
            Ok(b) => b,
            Err(r) => return r,
        };
        // Validate the request (types as the CLI sends them; unknown keys are ignored).
        let image = match b.get("image") {
            Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
            None | Some(Value::Null)
                if b.get("template_hash_id").and_then(Value::as_str).is_some() =>
            {
                "vastai/base-image:latest".to_string()
            }
            Some(Value::String(_)) | None | Some(Value::Null) => {
                return err(StatusCode::BAD_REQUEST, "invalid_args", "image is required");
            }
            Some(_) => {
                return err(
                    StatusCode::BAD_REQUEST,
                    "invalid_args",
                    "image must be a string",
                );
            }
        };
        if image.len() > 1024 {
            return err(
                StatusCode::BAD_REQUEST,
                "invalid_args",
                "image name too long (max 1024)",
            );
        }
        let disk = match b.get("disk") {
            None | Some(Value::Null) => 8.0,
            Some(Value::Number(n)) => n.as_f64().unwrap_or(0.0),
            Some(Value::String(s)) => match s.trim().parse::<f64>() {
                Ok(f) => f,
                Err(_) => {
                    return err(
                        StatusCode::BAD_REQUEST,
                        "invalid_args",
                        "disk must be a number of GB",
                    );
                }
            },
            Some(_) => {
                return err(
                    StatusCode::BAD_REQUEST,
                    "invalid_args",
                    "disk must be a number of GB",
                );
            }
        };
        if !disk.is_finite() || disk <= 0.0 || disk > 100_000.0 {
            return err(
                StatusCode::BAD_REQUEST,
                "invalid_args",
                "disk must be between 1 and 100000 GB",
            );
        }
        let price = match b.get("price") {
            None | Some(Value::Null) => None,
            Some(v) => match v
                .as_f64()
                .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
            {
                Some(p) if (0.001..=128.0).contains(&p) => Some(p),
                _ => {
                    return err(
                        StatusCode::BAD_REQUEST,
                        "invalid_price",
                        "price must be between 0.001 and 128 $/h",
                    );
                }
            },
        };
        let env: Vec<(String, String)> = match b.get("env") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Object(m)) => m
                .iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        match v {
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        },
                    )
                })
                .collect(),
            Some(Value::String(s)) => parse_docker_env(s),
            Some(_) => {
                return err(
                    StatusCode::BAD_REQUEST,
                    "invalid_args",
                    "env must be an object of strings",
                );
            }
        };
        let str_opt = |k: &str| -> Result<Option<String>, Resp> {
            match b.get(k) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(err(
                    StatusCode::BAD_REQUEST,
                    "invalid_args",
                    format!("{k} must be a string"),
                )),
            }
        };
        let label = match str_opt("label") {
            Ok(l) => l,
            Err(r) => return r,
        };
        if label.as_ref().is_some_and(|l| l.len() > 256) {
            return err(
                StatusCode::BAD_REQUEST,
                "label_too_long",
                "label must be at most 256 characters",
            );
        }
        let onstart = match str_opt("onstart") {
            Ok(o) => o,
            Err(r) => return r,
        };
        let runtype = match str_opt("runtype") {
            Ok(r) => r.unwrap_or_else(|| "ssh".into()),
            Err(r) => return r,
        };
        let args = match b.get("args") {
            None | Some(Value::Null) => None,
            Some(Value::Array(a)) => Some(
                a.iter()
                    .map(|v| {
                        v.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| v.to_string())
                    })
                    .collect(),
            ),
            Some(_) => {
                return err(
                    StatusCode::BAD_REQUEST,
                    "invalid_args",
                    "args must be a list of strings",
                );
            }
        };
        // Scenario: env CANOPY_SCENARIO, then a `scenario=NAME` token in the label, then the default.
        let scenario = env
            .iter()
            .find(|(k, _)| k == "CANOPY_SCENARIO")
            .map(|(_, v)| v.trim().to_string())
            .or_else(|| {
                label.as_deref().and_then(|l| {
                    l.split(|c: char| c.is_whitespace() || c == ',' || c == ';')
                        .find_map(|t| {
                            t.strip_prefix("scenario=")
                                .or_else(|| t.strip_prefix("scenario:"))
                        })
                        .map(str::to_string)
                })
            })
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| self.inner.cfg.default_scenario.clone());
        let spec = self
            .inner
            .cfg
            .scenario_overrides
            .get(&scenario)
            .cloned()
            .unwrap_or_else(|| scenario_spec(&scenario));

        let now = self.now();
        let (id, create_error) = {
            let mut s = lock(&self.inner);
            let Some(&idx) = s.by_id.get(&offer_id) else {
                return json_resp(
                    StatusCode::NOT_FOUND,
                    &json!({"success": false, "error": "no_such_ask", "msg": format!("Instance type by id {offer_id} is not available."), "ask_id": offer_id}),
                );
            };
            if !s.offers[idx]
                .get("rentable")
                .and_then(Value::as_bool)
                .unwrap_or(false)
            {
                return json_resp(
                    StatusCode::NOT_FOUND,
                    &json!({"success": false, "error": "no_such_ask", "msg": format!("Instance type by id {offer_id} is not available."), "ask_id": offer_id}),
                );
            }
            if self.inner.cfg.initial_credit - s.spent <= 0.0 {
                return err(
                    StatusCode::PAYMENT_REQUIRED,
                    "insufficient_credit",
                    "Your account has no credit left; add credit to rent instances.",
                );
            }
            let offer = s.offers[idx].clone();
            if let Some(p) = price {
                let min_bid = offer.get("min_bid").and_then(Value::as_f64).unwrap_or(0.0);
                if p < min_bid {
                    return json_resp(
                        StatusCode::BAD_REQUEST,
                        &json!({"success": false, "error": "invalid_price", "msg": format!("Bid price {p} is below the current minimum bid {min_bid:.4} $/h."), "ask_id": offer_id}),
                    );
                }
            }
            let id = s.next_instance;
            s.next_instance += 1;
            let machine_id = offer.get("machine_id").and_then(Value::as_u64).unwrap_or(0);
            let gpu_ids = offer
                .get("gpu_ids")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_u64).collect())
                .unwrap_or_default();
            let keys: Vec<String> = s.keys.iter().map(|k| k.key.clone()).collect();
            let mut inst = SimInstance {
                id,
                offer_id,
                machine_id,
                offer,
                gpu_ids,
                label,
                image,
                env,
                onstart,
                args,
                disk_gb: disk,
                runtype,
                bid_price: price,
                scenario,
                spec: spec.clone(),
                created_at: now,
                null_until: now,
                loading_until: None,
                offline_at: None,
                intended: Intended::Running,
                stop_reason: None,
                billed_until: now,
                cost: 0.0,
                ssh: None,
                provisioning: false,
                provisioned: false,
                ssh_keys: keys,
                api_key: {
                    let mut r = offers::SplitMix64::new(self.inner.cfg.seed ^ id.rotate_left(17));
                    (0..4).map(|_| format!("{:016x}", r.next_u64())).collect()
                },
                ssh_idx: 1 + (id % 9) as u32,
            };
            inst.boot_at(now, false);
            s.instances.insert(id, inst);
            s.faults.extend(spec.api_faults.iter().cloned());
            Self::refresh_machine(&mut s, machine_id);
            (id, spec.create_error)
        };
        tracing::debug!(instance = id, offer_id, "simulator: instance created");
        if let Some(st) = create_error {
            let st = StatusCode::from_u16(st).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return err(
                st,
                "server_error",
                "Internal server error (the instance was created)",
            );
        }
        if let Some(kind) = self.take_fault(Endpoint::Create, true)
            && let Some(r) = self.apply_fault(kind).await
        {
            return r;
        }
        let api_key = lock(&self.inner)
            .instances
            .get(&id)
            .map(|i| i.api_key.clone())
            .unwrap_or_default();
        json_resp(
            StatusCode::OK,
            &json!({"success": true, "new_contract": id, "instance_api_key": api_key}),
        )
    }

    fn rows(&self) -> Vec<Value> {
        let now = self.now();
        let s = lock(&self.inner);
        s.instances.values().map(|i| i.to_json(now)).collect()
    }

    fn list_v1(&self, q: &HashMap<String, String>) -> Resp {
        let parse_json = |k: &str| -> Result<Option<Value>, Resp> {
            match q.get(k).map(|s| s.trim()).filter(|s| !s.is_empty()) {
                None => Ok(None),
                Some(s) => serde_json::from_str(s).map(Some).map_err(|_| {
                    err(
                        StatusCode::BAD_REQUEST,
                        "invalid_request",
                        format!("{k} must be JSON"),
                    )
                }),
            }
        };
        let filters = match parse_json("select_filters") {
            Ok(Some(Value::Object(m))) => m,
            Ok(None) => Map::new(),
            Ok(Some(_)) => {
                return err(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "select_filters must be a JSON object",
                );
            }
            Err(r) => return r,
        };
        for k in filters.keys() {
            if !V1_COLUMNS.contains(&k.as_str()) {
                return err(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    format!("Cannot filter on column {k:?}"),
                );
            }
        }
        let parsed = match filter::parse_query(&filters) {
            Ok(p) => p,
            Err(e) => return err(StatusCode::BAD_REQUEST, "invalid_request", e),
        };
        let mut order: Vec<(String, bool)> = Vec::new();
        match parse_json("order_by") {
            Ok(None) => {}
            Ok(Some(Value::Array(items))) => {
                for it in items {
                    let col = it.get("col").and_then(Value::as_str).unwrap_or("");
                    if !V1_COLUMNS.contains(&col) {
                        return err(
                            StatusCode::BAD_REQUEST,
                            "invalid_request",
                            format!("Cannot order by column {col:?}"),
                        );
                    }
                    let desc = match it.get("dir").and_then(Value::as_str).unwrap_or("asc") {
                        "asc" | "ASC" => false,
                        "desc" | "DESC" => true,
                        d => {
                            return err(
                                StatusCode::BAD_REQUEST,
                                "invalid_request",
                                format!("Bad order direction {d:?}"),
                            );
                        }
                    };
                    if col != "id" || order.iter().all(|(c, _)| c != "id") {
                        order.push((col.to_string(), desc));
                    }
                }
            }
            Ok(Some(_)) => {
                return err(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "order_by must be a JSON list",
                );
            }
            Err(r) => return r,
        }
        if order.iter().all(|(c, _)| c != "id") {
            order.push(("id".into(), false));
        }
        let limit = match q.get("limit").map(|s| s.trim()) {
            None | Some("") => 25,
            Some(s) => match s.parse::<i64>() {
                Ok(n) if n <= 0 => 5,
                Ok(n) => n.min(25) as usize,
                Err(_) => {
                    return err(
                        StatusCode::BAD_REQUEST,
                        "invalid_request",
                        "limit must be an integer",
                    );
                }
            },
        };
        let key_of = |row: &Value| -> Vec<Value> {
            order
                .iter()
                .map(|(c, _)| row.get(c).cloned().unwrap_or(Value::Null))
                .collect()
        };
        let cmp_keys = |a: &[Value], b: &[Value]| -> std::cmp::Ordering {
            for (i, (_, desc)) in order.iter().enumerate() {
                let o = cmp_json(&a[i], &b[i]);
                let o = if *desc { o.reverse() } else { o };
                if o != std::cmp::Ordering::Equal {
                    return o;
                }
            }
            std::cmp::Ordering::Equal
        };
        let after: Option<Vec<Value>> = match q
            .get("after_token")
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(t) => match unhex(t)
                .and_then(|s| serde_json::from_str::<Vec<Value>>(&s).ok())
                .filter(|v| v.len() == order.len())
            {
                Some(v) => Some(v),
                None => {
                    return err(
                        StatusCode::BAD_REQUEST,
                        "invalid_token",
                        "Invalid after_token",
                    );
                }
            },
        };
        let mut rows: Vec<Value> = self
            .rows()
            .into_iter()
            .filter(|r| {
                r.as_object()
                    .map(|m| filter::matches_raw(m, &parsed.filters))
                    .unwrap_or(false)
            })
            .collect();
        let total = rows.len();
        let mut label_counts: BTreeMap<String, u64> = BTreeMap::new();
        for r in &rows {
            *label_counts
                .entry(
                    r.get("label")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string(),
                )
                .or_default() += 1;
        }
        rows.sort_by(|a, b| cmp_keys(&key_of(a), &key_of(b)));
        if let Some(after) = &after {
            rows.retain(|r| cmp_keys(&key_of(r), after) == std::cmp::Ordering::Greater);
        }
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next_token = if more {
            rows.last()
                .map(|r| hex(&Value::Array(key_of(r)).to_string()))
        } else {
            None
        };
        // select_cols: default all; unknown names come back null.
        let cols: Option<Vec<String>> = match parse_json("select_cols") {
            Ok(Some(Value::Array(c))) => {
                let c: Vec<String> = c
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect();
                if c.iter().any(|x| x == "*") {
                    None
                } else {
                    Some(c)
                }
            }
            Ok(_) => None,
            Err(r) => return r,
        };
        if let Some(cols) = cols {
            rows = rows
                .into_iter()
                .map(|r| {
                    Value::Object(
                        cols.iter()
                            .map(|c| (c.clone(), r.get(c).cloned().unwrap_or(Value::Null)))
                            .collect(),
                    )
                })
                .collect();
        }
        json_resp(
            StatusCode::OK,
            &json!({"success": true, "instances_found": rows.len(), "total_instances": total, "label_counts": label_counts, "next_token": next_token, "instances": rows}),
        )
    }

    fn filters_values(&self) -> Resp {
        let mut seen = Vec::new();
        for r in self.rows() {
            let v = json!({"actual_status": r["actual_status"], "verification": r["verification"], "gpu_name": r["gpu_name"]});
            if !seen.contains(&v) {
                seen.push(v);
            }
        }
        json_resp(StatusCode::OK, &json!({"filters": seen}))
    }

    fn show(&self, id: u64) -> Resp {
        let now = self.now();
        let row = lock(&self.inner).instances.get(&id).map(|i| i.to_json(now));
        json_resp(
            StatusCode::OK,
            &json!({"instances": row.unwrap_or(Value::Null)}),
        )
    }

    fn no_such_instance(id: u64) -> Resp {
        err(
            StatusCode::NOT_FOUND,
            "no_such_instance",
            format!("Instance {id} not found."),
        )
    }

    fn manage(&self, id: u64, b: &Map<String, Value>) -> Resp {
        let now = self.now();
        let state = match b.get("state") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s == "running" || s == "stopped" => Some(s.clone()),
            Some(v) => {
                return err(
                    StatusCode::BAD_REQUEST,
                    "invalid_args",
                    format!("state must be \"running\" or \"stopped\", not {v}"),
                );
            }
        };
        let label = match b.get("label") {
            None => None,
            Some(Value::Null) => Some(None),
            Some(Value::String(s)) if s.len() <= 1024 => Some(Some(s.clone())),
            Some(Value::String(_)) => {
                return err(
                    StatusCode::BAD_REQUEST,
                    "label_too_long",
                    "label must be at most 1024 characters",
                );
            }
            Some(_) => {
                return err(
                    StatusCode::BAD_REQUEST,
                    "invalid_args",
                    "label must be a string",
                );
            }
        };
        if state.is_none() && label.is_none() {
            return err(
                StatusCode::BAD_REQUEST,
                "invalid_args",
                "expected \"state\" or \"label\"",
            );
        }
        let actions = {
            let mut s = lock(&self.inner);
            let cfg = &self.inner.cfg;
            let mut actions = Self::tick_locked(&mut s, cfg, now);
            let credit_left = cfg.initial_credit - s.spent;
            let Some(inst) = s.instances.get_mut(&id) else {
                return Self::no_such_instance(id);
            };
            if let Some(l) = label {
                inst.label = l;
            }
            match state.as_deref() {
                Some("stopped") if inst.intended == Intended::Running => {
                    inst.settle(now);
                    inst.intended = Intended::Stopped;
                    inst.stop_reason = None;
                    if inst.provisioned || inst.ssh.is_some() {
                        inst.provisioned = false;
                        inst.ssh = None;
                        actions.push(HostAction::Release { id });
                    }
                }
                Some("running") if inst.intended == Intended::Stopped => {
                    if credit_left <= 0.0 {
                        return err(
                            StatusCode::BAD_REQUEST,
                            "missing_billing",
                            "Your account has no credit left; add credit to start instances.",
                        );
                    }
                    inst.settle(now);
                    inst.intended = Intended::Running;
                    inst.stop_reason = None;
                    inst.boot_at(now, true);
                }
                _ => {}
            }
            actions
        };
        self.run_host_actions(actions);
        ok_success(None)
    }

    fn destroy(&self, ids: &[u64], strict: bool) -> Resp {
        let now = self.now();
        let mut released = Vec::new();
        {
            let mut s = lock(&self.inner);
            let actions = Self::tick_locked(&mut s, &self.inner.cfg, now);
            drop(s);
            self.run_host_actions(actions);
            let mut s = lock(&self.inner);
            for &id in ids {
                match s.instances.remove(&id) {
                    Some(mut inst) => {
                        let extra = inst.settle(now);
                        s.spent += extra;
                        // While a provision is in flight, its caller releases the host
                        // when it finds the instance gone (so release happens once).
                        if (inst.provisioned || inst.ssh.is_some()) && !inst.provisioning {
                            released.push(id);
                        }
                        Self::refresh_machine(&mut s, inst.machine_id);
                    }
                    None if strict => return Self::no_such_instance(id),
                    None => {}
                }
            }
        }
        let hosts = self.hosts();
        for id in released {
            hosts.release(id);
        }
        ok_success(None)
    }

    fn request_logs(&self, id: &str, b: &Map<String, Value>, headers: &HeaderMap) -> Resp {
        let invalid = || err(StatusCode::NOT_FOUND, "invalid_id", "Invalid instance id.");
        let Ok(id) = id.parse::<u64>() else {
            return invalid();
        };
        let tail = match b.get("tail") {
            None | Some(Value::Null) => None,
            Some(v) => match v
                .as_u64()
                .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
            {
                Some(n) => Some(n as usize),
                None => {
                    return err(
                        StatusCode::BAD_REQUEST,
                        "invalid_args",
                        "tail must be a number of lines",
                    );
                }
            },
        };
        let grep = match b.get("filter") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => {
                return err(
                    StatusCode::BAD_REQUEST,
                    "invalid_args",
                    "filter must be a string",
                );
            }
        };
        let daemon = match b.get("daemon_logs") {
            Some(Value::Bool(x)) => *x,
            Some(Value::String(s)) => s == "true" || s == "True" || s == "1",
            _ => false,
        };
        let now = self.now();
        let synth = {
            let s = lock(&self.inner);
            let Some(inst) = s.instances.get(&id) else {
                return invalid();
            };
            inst.synth_logs(now, daemon)
        };
        let text = if daemon {
            synth
        } else {
            self.hosts().logs(id).unwrap_or(synth)
        };
        let mut lines: Vec<&str> = text.lines().collect();
        if let Some(g) = &grep {
            lines.retain(|l| l.contains(g.as_str()));
        }
        if let Some(n) = tail {
            let skip = lines.len().saturating_sub(n);
            lines.drain(..skip);
        }
        let mut out = lines.join("\n");
        if !out.is_empty() {
            out.push('\n');
        }
        let host = headers
            .get("host")
            .and_then(|h| h.to_str().ok())
            .unwrap_or("127.0.0.1")
            .to_string();
        let mut s = lock(&self.inner);
        let token = format!(
            "{:016x}{:08x}",
            (s.next_token).wrapping_mul(0x9E37_79B9_7F4A_7C15),
            id as u32
        );
        s.next_token += 1;
        s.logs.insert(
            token.clone(),
            LogBlob {
                text: out,
                polls_before_ready: self.inner.cfg.log_ready_after_polls,
            },
        );
        s.log_order.push(token.clone());
        if s.log_order.len() > 500 {
            let old = s.log_order.remove(0);
            s.logs.remove(&old);
        }
        json_resp(
            StatusCode::OK,
            &json!({"success": true, "result_url": format!("http://{host}/_sim/instance_logs/{token}.log"), "msg": "Logs are being uploaded; poll result_url."}),
        )
    }

    fn log_download(&self, name: &str) -> Resp {
        let token = name.strip_suffix(".log").unwrap_or(name);
        let mut s = lock(&self.inner);
        let not_yet = || {
            let mut r = (StatusCode::NOT_FOUND, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>").into_response();
            r.headers_mut()
                .insert("content-type", HeaderValue::from_static("application/xml"));
            r
        };
        let Some(blob) = s.logs.get_mut(token) else {
            return not_yet();
        };
        if blob.polls_before_ready > 0 {
            blob.polls_before_ready -= 1;
            return not_yet();
        }
        let mut r = (StatusCode::OK, blob.text.clone()).into_response();
        r.headers_mut()
            .insert("content-type", HeaderValue::from_static("text/plain"));
        r
    }

    fn ssh_key_text(b: &Map<String, Value>) -> Result<String, Resp> {
        match b.get("ssh_key") {
            Some(Value::String(s)) => {
                let k = s.trim();
                let ok = ["ssh-", "ecdsa-", "sk-"].iter().any(|p| k.starts_with(p))
                    && k.split_whitespace().count() >= 2;
                if ok {
                    Ok(k.to_string())
                } else {
                    Err(err(
                        StatusCode::BAD_REQUEST,
                        "invalid_args",
                        "Invalid SSH public key",
                    ))
                }
            }
            _ => Err(err(
                StatusCode::BAD_REQUEST,
                "invalid_args",
                "ssh_key is required",
            )),
        }
    }

    fn iso(t: f64) -> String {
        let (y, mo, d, h, mi, se) = super::error::civil(t.max(0.0) as u64);
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{se:02}Z")
    }

    fn list_keys(&self) -> Resp {
        let s = lock(&self.inner);
        let v: Vec<Value> = s
            .keys
            .iter()
            .map(|k| json!({"id": k.id, "user_id": USER_ID, "key": k.key, "created_at": Self::iso(k.created_at), "deleted_at": null}))
            .collect();
        json_resp(StatusCode::OK, &Value::Array(v))
    }

    fn add_key(&self, b: &Map<String, Value>) -> Resp {
        let key = match Self::ssh_key_text(b) {
            Ok(k) => k,
            Err(r) => return r,
        };
        let now = self.now();
        let mut s = lock(&self.inner);
        let (id, created) = match s.keys.iter().find(|k| k.key == key) {
            Some(k) => (k.id, k.created_at),
            None => {
                let id = s.next_key;
                s.next_key += 1;
                s.keys.push(AccountKey {
                    id,
                    key: key.clone(),
                    created_at: now,
                });
                (id, now)
            }
        };
        json_resp(
            StatusCode::OK,
            &json!({"success": true, "key": {"id": id, "user_id": USER_ID, "public_key": key, "created_at": Self::iso(created), "deleted_at": null}}),
        )
    }

    fn delete_key(&self, id: &str) -> Resp {
        let Ok(id) = id.parse::<u64>() else {
            return err(StatusCode::NOT_FOUND, "not_found", "No such SSH key.");
        };
        let mut s = lock(&self.inner);
        let before = s.keys.len();
        s.keys.retain(|k| k.id != id);
        if s.keys.len() == before {
            return err(StatusCode::NOT_FOUND, "not_found", "No such SSH key.");
        }
        ok_success(None)
    }

    fn attach_key(&self, id: u64, b: &Map<String, Value>) -> Resp {
        let key = match Self::ssh_key_text(b) {
            Ok(k) => k,
            Err(r) => return r,
        };
        let notify = {
            let mut s = lock(&self.inner);
            let Some(inst) = s.instances.get_mut(&id) else {
                return Self::no_such_instance(id);
            };
            if !inst.ssh_keys.contains(&key) {
                inst.ssh_keys.push(key.clone());
            }
            inst.provisioned
        };
        if notify {
            self.hosts().attach_key(id, &key);
        }
        ok_success(Some(format!("SSH key attached to instance {id}.")))
    }

    fn instance_keys(&self, id: u64) -> Resp {
        let s = lock(&self.inner);
        let Some(inst) = s.instances.get(&id) else {
            return Self::no_such_instance(id);
        };
        let list: Vec<Value> = inst
            .ssh_keys
            .iter()
            .enumerate()
            .map(|(i, k)| json!({"id": i + 1, "public_key": k}))
            .collect();
        json_resp(
            StatusCode::OK,
            &json!({"success": true, "ssh_keys": Value::Array(list).to_string()}),
        )
    }

    fn sim_state(&self) -> Resp {
        let now = self.now();
        let s = lock(&self.inner);
        json_resp(
            StatusCode::OK,
            &json!({
                "now": now, "speed": self.inner.clock.speed(), "offers": s.offers.len(),
                "instances": s.instances.values().map(|i| json!({"id": i.id, "scenario": i.scenario, "phase": format!("{:?}", i.phase(now)), "cost": i.cost})).collect::<Vec<_>>(),
                "credit": self.inner.cfg.initial_credit - s.spent, "spent": s.spent, "faults": s.faults, "requests": s.requests,
            }),
        )
    }
}

/// Parses a docker-flag env string (`-e A=B -p 8080:8080`) into the CLI's pair form.
fn parse_docker_env(s: &str) -> Vec<(String, String)> {
    let toks: Vec<&str> = s.split_whitespace().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        match toks[i] {
            "-e" if i + 1 < toks.len() => {
                let (k, v) = toks[i + 1].split_once('=').unwrap_or((toks[i + 1], ""));
                out.push((k.to_string(), v.trim_matches('"').to_string()));
                i += 2;
            }
            f @ ("-p" | "-v" | "-n") if i + 1 < toks.len() => {
                out.push((format!("{f} {}", toks[i + 1]), "1".into()));
                i += 2;
            }
            "-h" => {
                out.push(("-h".into(), "1".into()));
                i += 1;
            }
            _ => i += 1,
        }
    }
    out
}

fn cmp_json(a: &Value, b: &Value) -> std::cmp::Ordering {
    use std::cmp::Ordering::*;
    match (a, b) {
        (Value::Null, Value::Null) => Equal,
        (Value::Null, _) => Greater,
        (_, Value::Null) => Less,
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .unwrap_or(0.0)
            .total_cmp(&y.as_f64().unwrap_or(0.0)),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Number(_), _) => Less,
        (_, Value::Number(_)) => Greater,
        _ => a.to_string().cmp(&b.to_string()),
    }
}

/// One handler for every path: routes by method and segments so both slash forms, Vast's
/// error bodies and its 404s are under our control.
async fn dispatch(
    State(sim): State<Simulator>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Resp {
    lock(&sim.inner).requests += 1;
    let path = uri.path().trim_matches('/').to_string();
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let query = parse_query_string(uri.query());
    let m = &method;

    // Simulator-only endpoints.
    if segs.first() == Some(&"_sim") {
        return sim_admin(&sim, m, &segs[1..], &body);
    }
    let (ver, rest) = match segs.as_slice() {
        ["api", v, rest @ ..] if *v == "v0" || *v == "v1" => (*v, rest),
        _ => return not_found(),
    };
    // (endpoint kind for faults, needs auth)
    let ep: Option<(Endpoint, bool)> = match (ver, m.as_str(), rest) {
        ("v0", "GET", ["gpu_names", "unique"]) | ("v0", "GET", ["gpu_types"]) => {
            Some((Endpoint::Any, false))
        }
        ("v0", "GET", ["users", "current"]) => Some((Endpoint::User, true)),
        ("v0", "POST", ["bundles"])
        | ("v0", "GET", ["bundles"])
        | ("v0", "PUT", ["search", "asks"]) => Some((Endpoint::Search, false)),
        ("v0", "PUT", ["asks", _]) | ("v0", "PUT", ["launch_instance"]) => {
            Some((Endpoint::Create, true))
        }
        ("v1", "GET", ["instances"])
        | ("v0", "GET", ["instances"])
        | ("v0", "GET", ["instances", "filters"]) => Some((Endpoint::ListInstances, true)),
        ("v0", "PUT", ["instances", "request_logs", _]) => Some((Endpoint::Logs, true)),
        ("v0", "PUT", ["instances", "reboot", _]) => Some((Endpoint::ManageInstance, true)),
        ("v0", "GET", ["instances", _]) => Some((Endpoint::ShowInstance, true)),
        ("v0", "PUT", ["instances", _]) | ("v0", "PUT", ["instances"]) => {
            Some((Endpoint::ManageInstance, true))
        }
        ("v0", "DELETE", ["instances", _]) | ("v0", "DELETE", ["instances"]) => {
            Some((Endpoint::Destroy, true))
        }
        ("v0", _, ["instances", _, "ssh", ..]) | ("v0", _, ["ssh", ..]) => {
            Some((Endpoint::Ssh, true))
        }
        _ => None,
    };
    let Some((ep, needs_auth)) = ep else {
        return if known_path(ver, rest) {
            err(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                format!("Method {m} not allowed for /{path}/"),
            )
        } else {
            not_found()
        };
    };
    // Gateway-level faults first (rate limits, 5xx, hangs), then auth. The GPU-name list
    // (fetched by the CLI at start-up) is never faulted.
    if ep != Endpoint::Any
        && let Some(kind) = sim.take_fault(ep, false)
        && let Some(r) = sim.apply_fault(kind).await
    {
        return r;
    }
    if let Some(r) = sim.rate_limited(ep, &Simulator::identity(&headers, &query)) {
        return r;
    }
    if needs_auth && !sim.check_key(&headers, &query) {
        return auth_error();
    }
    sim.tick();
    let obj = |b: &Bytes| body_object(b);
    let parse_id = |s: &str| s.parse::<u64>().ok();
    match (ver, m.as_str(), rest) {
        (_, "GET", ["gpu_names", "unique"]) => sim.gpu_names(),
        (_, "GET", ["gpu_types"]) => sim.gpu_types(),
        (_, "GET", ["users", "current"]) => sim.user(),
        (_, "POST", ["bundles"]) => match obj(&body) {
            Ok(q) => sim.search(&q),
            Err(r) => r,
        },
        (_, "GET", ["bundles"]) => match query.get("q").map(|s| s.trim()).filter(|s| !s.is_empty())
        {
            None => sim.search(&Map::new()),
            Some(q) => match serde_json::from_str::<Value>(q) {
                Ok(Value::Object(q)) => sim.search(&q),
                _ => err(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "q must be a JSON object",
                ),
            },
        },
        (_, "PUT", ["search", "asks"]) => match obj(&body) {
            Ok(b) => match b.get("q") {
                Some(Value::Object(q)) => sim.search(q),
                None | Some(Value::Null) => sim.search(&Map::new()),
                Some(_) => err(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "q must be a JSON object",
                ),
            },
            Err(r) => r,
        },
        (_, "PUT", ["asks", id]) => sim.create(id, &body).await,
        (_, "PUT", ["launch_instance"]) => sim.launch(&body).await,
        ("v1", "GET", ["instances"]) => sim.list_v1(&query),
        ("v0", "GET", ["instances"]) => {
            json_resp(StatusCode::OK, &json!({"instances": sim.rows()}))
        }
        (_, "GET", ["instances", "filters"]) => sim.filters_values(),
        (_, "PUT", ["instances", "request_logs", id]) => match obj(&body) {
            Ok(b) => sim.request_logs(id, &b, &headers),
            Err(r) => r,
        },
        (_, "PUT", ["instances", "reboot", id]) => match parse_id(id) {
            Some(id) => match obj(&body) {
                Ok(_) => sim.reboot(id),
                Err(r) => r,
            },
            None => invalid_id(),
        },
        (_, "GET", ["instances", id]) => match parse_id(id) {
            Some(id) => sim.show(id),
            None => invalid_id(),
        },
        (_, "PUT", ["instances", id]) => match (parse_id(id), obj(&body)) {
            (None, _) => invalid_id(),
            (_, Err(r)) => r,
            (Some(id), Ok(b)) => sim.manage(id, &b),
        },
        (_, "PUT", ["instances"]) => match obj(&body) {
            Ok(b) => {
                let ids: Vec<u64> = b
                    .get("ids")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().filter_map(Value::as_u64).collect())
                    .unwrap_or_default();
                if ids.is_empty() {
                    return err(
                        StatusCode::BAD_REQUEST,
                        "invalid_args",
                        "ids must be a non-empty list of instance ids",
                    );
                }
                let mut b2 = b.clone();
                b2.remove("ids");
                for id in ids {
                    let r = sim.manage(id, &b2);
                    if r.status() != StatusCode::OK {
                        return r;
                    }
                }
                ok_success(None)
            }
            Err(r) => r,
        },
        (_, "DELETE", ["instances", id]) => match (parse_id(id), obj(&body)) {
            (None, _) => invalid_id(),
            (_, Err(r)) => r,
            (Some(id), Ok(_)) => sim.destroy(&[id], true),
        },
        (_, "DELETE", ["instances"]) => match obj(&body) {
            Ok(b) => match b.get("instance_ids").and_then(Value::as_array) {
                Some(a) if a.iter().all(|v| v.as_u64().is_some()) => {
                    let ids: Vec<u64> = a.iter().filter_map(Value::as_u64).collect();
                    sim.destroy(&ids, false)
                }
                _ => err(
                    StatusCode::BAD_REQUEST,
                    "invalid_args",
                    "instance_ids must be a list of instance ids",
                ),
            },
            Err(r) => r,
        },
        (_, "POST", ["instances", id, "ssh"]) => match (parse_id(id), obj(&body)) {
            (None, _) => invalid_id(),
            (_, Err(r)) => r,
            (Some(id), Ok(b)) => sim.attach_key(id, &b),
        },
        (_, "GET", ["instances", id, "ssh"]) => match parse_id(id) {
            Some(id) => sim.instance_keys(id),
            None => invalid_id(),
        },
        (_, "DELETE", ["instances", id, "ssh", key]) => match parse_id(id) {
            Some(id) => sim.detach_key(id, key),
            None => invalid_id(),
        },
        (_, "GET", ["ssh"]) => sim.list_keys(),
        (_, "POST", ["ssh"]) => match obj(&body) {
            Ok(b) => sim.add_key(&b),
            Err(r) => r,
        },
        (_, "DELETE", ["ssh", id]) => sim.delete_key(id),
        _ => err(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            format!("Method {m} not allowed for /{path}/"),
        ),
    }
}

impl Simulator {
    fn reboot(&self, id: u64) -> Resp {
        let now = self.now();
        let actions = {
            let mut s = lock(&self.inner);
            let Some(inst) = s.instances.get_mut(&id) else {
                return Self::no_such_instance(id);
            };
            let mut a = Vec::new();
            if inst.intended == Intended::Running {
                inst.settle(now);
                if inst.provisioned || inst.ssh.is_some() {
                    inst.provisioned = false;
                    inst.ssh = None;
                    a.push(HostAction::Release { id });
                }
                inst.boot_at(now, true);
            }
            a
        };
        self.run_host_actions(actions);
        ok_success(None)
    }

    /// `PUT /api/v0/launch_instance/`: search with `q`, rent the best rentable offer.
    async fn launch(&self, body: &Bytes) -> Resp {
        let b = match body_object(body) {
            Ok(b) => b,
            Err(r) => return r,
        };
        let mut q = match b.get("q") {
            Some(Value::Object(q)) => q.clone(),
            _ => {
                return err(
                    StatusCode::BAD_REQUEST,
                    "invalid_args",
                    "q must be a search query object",
                );
            }
        };
        q.insert("rentable".into(), json!({"eq": true}));
        let parsed = match filter::parse_query(&q) {
            Ok(p) => p,
            Err(e) => return err(StatusCode::BAD_REQUEST, "invalid_args", e),
        };
        let now = self.now();
        let best = {
            let s = lock(&self.inner);
            filter::search(&s.offers, &parsed, now)
                .first()
                .and_then(|o| o.get("id").and_then(Value::as_u64))
        };
        let Some(offer_id) = best else {
            return err(
                StatusCode::NOT_FOUND,
                "no_such_ask",
                "No offers match the launch query.",
            );
        };
        let mut create = b.clone();
        create.remove("q");
        let body = Bytes::from(serde_json::to_vec(&Value::Object(create)).unwrap_or_default());
        self.create(&offer_id.to_string(), &body).await
    }

    fn detach_key(&self, id: u64, key: &str) -> Resp {
        let mut s = lock(&self.inner);
        let Some(inst) = s.instances.get_mut(&id) else {
            return Self::no_such_instance(id);
        };
        match key.parse::<usize>() {
            Ok(k) if k >= 1 && k <= inst.ssh_keys.len() => {
                inst.ssh_keys.remove(k - 1);
                ok_success(None)
            }
            _ => err(
                StatusCode::NOT_FOUND,
                "not_found",
                "No such SSH key on this instance.",
            ),
        }
    }
}

fn invalid_id() -> Resp {
    err(StatusCode::NOT_FOUND, "invalid_id", "Invalid instance id.")
}

fn not_found() -> Resp {
    err(
        StatusCode::NOT_FOUND,
        "not_found",
        "The requested URL was not found on the server.",
    )
}

fn known_path(ver: &str, rest: &[&str]) -> bool {
    matches!(
        (ver, rest),
        ("v0", ["gpu_names", "unique"])
            | ("v0", ["gpu_types"])
            | ("v0", ["users", "current"])
            | ("v0", ["bundles"])
            | ("v0", ["search", "asks"])
            | ("v0", ["asks", _])
            | ("v0", ["launch_instance"])
            | (_, ["instances", ..])
            | ("v0", ["ssh", ..])
    )
}

fn sim_admin(sim: &Simulator, m: &Method, rest: &[&str], body: &Bytes) -> Resp {
    match (m.as_str(), rest) {
        ("GET", ["instance_logs", name]) => sim.log_download(name),
        ("GET", ["state"]) => {
            sim.tick();
            sim.sim_state()
        }
        ("GET", ["faults"]) => {
            json_resp(StatusCode::OK, &json!({"faults": lock(&sim.inner).faults}))
        }
        ("DELETE", ["faults"]) => {
            sim.clear_faults();
            ok_success(None)
        }
        ("POST", ["faults"]) => {
            // A rule object, a list of rules, or {"spec": "search=429@1*3,..."}.
            let v: Value = match serde_json::from_slice(body) {
                Ok(v) => v,
                Err(_) => return bad_json(),
            };
            let rules: Result<Vec<FaultRule>, String> = match &v {
                Value::Object(o) if o.contains_key("spec") => {
                    faults::parse_fault_spec(o["spec"].as_str().unwrap_or(""))
                }
                Value::Array(_) => serde_json::from_value(v.clone()).map_err(|e| e.to_string()),
                _ => serde_json::from_value::<FaultRule>(v.clone())
                    .map(|r| vec![r])
                    .map_err(|e| e.to_string()),
            };
            match rules {
                Ok(rules) => {
                    let n = rules.len();
                    lock(&sim.inner).faults.extend(rules);
                    json_resp(StatusCode::OK, &json!({"success": true, "added": n}))
                }
                Err(e) => err(StatusCode::BAD_REQUEST, "invalid_args", e),
            }
        }
        ("POST", ["advance"]) => match serde_json::from_slice::<Value>(body)
            .ok()
            .and_then(|v| v.get("seconds").and_then(Value::as_f64))
        {
            Some(secs) if secs >= 0.0 => {
                sim.advance(secs);
                json_resp(StatusCode::OK, &json!({"success": true, "now": sim.now()}))
            }
            _ => err(
                StatusCode::BAD_REQUEST,
                "invalid_args",
                "expected {\"seconds\": non-negative number}",
            ),
        },
        ("POST", ["speed"]) => match serde_json::from_slice::<Value>(body)
            .ok()
            .and_then(|v| v.get("speed").and_then(Value::as_f64))
        {
            Some(x) if x >= 0.0 => {
                sim.set_speed(x);
                json_resp(
                    StatusCode::OK,
                    &json!({"success": true, "speed": sim.clock().speed()}),
                )
            }
            _ => err(
                StatusCode::BAD_REQUEST,
                "invalid_args",
                "expected {\"speed\": non-negative number}",
            ),
        },
        _ => not_found(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert_eq!(url_decode("%7B%22a%22%3A+1%7D"), "{\"a\": 1}");
        assert_eq!(url_decode("100%"), "100%");
        assert_eq!(unhex(&hex("[1,\"x\"]")).unwrap(), "[1,\"x\"]");
        assert!(unhex("zz").is_none());
        assert_eq!(
            parse_docker_env("-e FOO=bar -e TOKEN=\"a=b\" -p 8080:8080 -h"),
            vec![
                ("FOO".into(), "bar".into()),
                ("TOKEN".into(), "a=b".into()),
                ("-p 8080:8080".into(), "1".into()),
                ("-h".into(), "1".into())
            ]
        );
        assert_eq!(next_utc_midnight(86_400.5), 172_800);
    }
}
