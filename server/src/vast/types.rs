//! Wire types shared by the client and the simulator.
//!
//! Offer and instance objects carry ~100 keys, most of which Canopy never reads; the typed
//! structs name the fields we use and keep everything else in `extra`, so nothing is lost
//! when an object is passed on (e.g. to the UI or a history row).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::fmt;

/// A Vast API key. It never appears in `Debug`/`Display` output or logs; the only way to
/// read it is [`ApiKey::expose_secret`], used when building the `Authorization` header.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key; surrounding whitespace (e.g. from a key file) is trimmed.
    pub fn new(key: impl Into<String>) -> Self {
        ApiKey(key.into().trim().to_string())
    }
    /// The raw key text. Do not log it.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// One marketplace offer (API.md §2.4). Units as Vast sends them: RAM in MB, disk in GB,
/// prices in $/h, `storage_cost` in $/GB/month, bandwidth in Mbit/s.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Offer {
    pub id: u64,
    #[serde(default)]
    pub machine_id: Option<u64>,
    #[serde(default)]
    pub host_id: Option<u64>,
    #[serde(default)]
    pub gpu_name: String,
    #[serde(default)]
    pub num_gpus: u32,
    /// MB per GPU.
    #[serde(default)]
    pub gpu_ram: Option<f64>,
    #[serde(default)]
    pub dph_base: Option<f64>,
    /// $/h including storage for the search's `allocated_storage`.
    #[serde(default)]
    pub dph_total: Option<f64>,
    #[serde(default)]
    pub storage_cost: Option<f64>,
    #[serde(default)]
    pub min_bid: Option<f64>,
    #[serde(default)]
    pub dlperf: Option<f64>,
    #[serde(default)]
    pub total_flops: Option<f64>,
    #[serde(default)]
    pub reliability: Option<f64>,
    #[serde(default)]
    pub disk_space: Option<f64>,
    #[serde(default)]
    pub cpu_ram: Option<f64>,
    #[serde(default)]
    pub cpu_cores_effective: Option<f64>,
    #[serde(default)]
    pub inet_down: Option<f64>,
    #[serde(default)]
    pub inet_up: Option<f64>,
    #[serde(default)]
    pub cuda_max_good: Option<f64>,
    #[serde(default)]
    pub geolocation: Option<String>,
    #[serde(default)]
    pub verification: Option<String>,
    #[serde(default)]
    pub rentable: Option<bool>,
    /// Every other key of the raw offer, untouched.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One instance as returned by `GET /api/v1/instances/` or `GET /api/v0/instances/{id}/`
/// (API.md §4.4). Status fields are strings because Vast adds values over time.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Instance {
    pub id: u64,
    #[serde(default)]
    pub machine_id: Option<u64>,
    /// `null` (provisioning), `loading`, `running`, `stopped`, `exited`, `offline`, ...
    #[serde(default)]
    pub actual_status: Option<String>,
    #[serde(default)]
    pub intended_status: Option<String>,
    #[serde(default)]
    pub cur_state: Option<String>,
    #[serde(default)]
    pub status_msg: Option<String>,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub image_uuid: Option<String>,
    #[serde(default)]
    pub gpu_name: Option<String>,
    #[serde(default)]
    pub num_gpus: Option<u32>,
    #[serde(default)]
    pub ssh_host: Option<String>,
    #[serde(default)]
    pub ssh_port: Option<u16>,
    #[serde(default)]
    pub public_ipaddr: Option<String>,
    /// Docker port map, e.g. `{"22/tcp": [{"HostIp": "0.0.0.0", "HostPort": "40022"}]}`.
    #[serde(default)]
    pub ports: Option<Value>,
    #[serde(default)]
    pub image_runtype: Option<String>,
    /// Epoch seconds when rented.
    #[serde(default)]
    pub start_date: Option<f64>,
    #[serde(default)]
    pub dph_total: Option<f64>,
    #[serde(default)]
    pub disk_space: Option<f64>,
    /// `[[key, value], ...]` as sent at create time.
    #[serde(default)]
    pub extra_env: Option<Value>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Instance {
    /// How to reach the instance over SSH, following the CLI's `ssh-url` rule (API.md §4.4):
    /// a direct `22/tcp` mapping on `public_ipaddr` wins; otherwise the proxy
    /// `ssh_host:ssh_port` (+1 for jupyter runtypes). `None` while no port is known.
    pub fn ssh_target(&self) -> Option<(String, u16)> {
        if let (Some(ip), Some(ports)) = (&self.public_ipaddr, &self.ports) {
            let hp = ports
                .get("22/tcp")
                .and_then(|v| v.get(0))
                .and_then(|m| m.get("HostPort"));
            let port = match hp {
                Some(Value::String(s)) => s.trim().parse::<u16>().ok(),
                Some(Value::Number(n)) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
                _ => None,
            };
            if let Some(p) = port.filter(|p| *p != 0) {
                return Some((ip.trim().to_string(), p));
            }
        }
        let host = self.ssh_host.clone().filter(|h| !h.is_empty())?;
        let mut port = self.ssh_port.filter(|p| *p != 0)?;
        if self
            .image_runtype
            .as_deref()
            .unwrap_or("")
            .contains("jupyter")
        {
            port = port.checked_add(1)?;
        }
        Some((host, port))
    }

    /// `extra_env` as a list of pairs (tolerates the dict form the CLI prints).
    pub fn env_pairs(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        match &self.extra_env {
            Some(Value::Array(items)) => {
                for it in items {
                    if let Some([k, v]) = it.as_array().map(|a| a.as_slice()) {
                        out.push((json_str(k), json_str(v)));
                    }
                }
            }
            Some(Value::Object(m)) => {
                for (k, v) in m {
                    out.push((k.clone(), json_str(v)));
                }
            }
            _ => {}
        }
        out
    }
}

fn json_str(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// One page of `GET /api/v1/instances/`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InstancePage {
    #[serde(default)]
    pub instances: Vec<Instance>,
    #[serde(default)]
    pub next_token: Option<String>,
    #[serde(default)]
    pub total_instances: Option<u64>,
    #[serde(default)]
    pub instances_found: Option<u64>,
    #[serde(default)]
    pub label_counts: Option<BTreeMap<String, u64>>,
}

/// Body of `PUT /api/v0/asks/{offer_id}/` (API.md §3). Every key is sent, `null` when unset,
/// exactly like CLI 1.9.1 does.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CreateInstanceRequest {
    pub client_id: String,
    pub image: String,
    /// Env vars and docker options: `{"FOO": "bar", "-p 8080:8080": "1"}`.
    pub env: BTreeMap<String, String>,
    /// Bid price in $/h (interruptible); `None` = on-demand.
    pub price: Option<f64>,
    /// Container disk in GB.
    pub disk: f64,
    pub label: Option<String>,
    pub extra: Option<String>,
    pub onstart: Option<String>,
    pub image_login: Option<String>,
    pub python_utf8: bool,
    pub lang_utf8: bool,
    pub use_jupyter_lab: bool,
    pub jupyter_dir: Option<String>,
    pub force: bool,
    pub cancel_unavail: bool,
    pub template_hash_id: Option<String>,
    pub user: Option<String>,
    /// `ssh`, `ssh_proxy`, `ssh_direc ssh_proxy`, `jupyter_proxy ssh_proxy`, `args`, ...
    pub runtype: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub args: Option<Vec<String>>,
}

impl CreateInstanceRequest {
    /// An on-demand SSH instance (`--ssh --direct`) with `disk_gb` of container disk.
    pub fn new(image: impl Into<String>, disk_gb: f64) -> Self {
        CreateInstanceRequest {
            client_id: "me".into(),
            image: image.into(),
            env: BTreeMap::new(),
            price: None,
            disk: disk_gb,
            label: None,
            extra: None,
            onstart: None,
            image_login: None,
            python_utf8: false,
            lang_utf8: false,
            use_jupyter_lab: false,
            jupyter_dir: None,
            force: false,
            cancel_unavail: true,
            template_hash_id: None,
            user: None,
            runtype: "ssh_direc ssh_proxy".into(),
            args: None,
        }
    }
    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.insert(key.into(), value.into());
        self
    }
    pub fn onstart(mut self, script: impl Into<String>) -> Self {
        self.onstart = Some(script.into());
        self
    }
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }
}

/// A search query object (API.md §2.2): filters plus the control keys. Build it with the
/// helpers or pass any JSON object through [`SearchQuery::from_json`].
#[derive(Clone, Debug, PartialEq)]
pub struct SearchQuery(pub Map<String, Value>);

impl Default for SearchQuery {
    /// The CLI's default query: verified, not external, rentable, best score first,
    /// on-demand pricing, 5 GB storage (API.md §2.2).
    fn default() -> Self {
        let mut m = Map::new();
        m.insert("verified".into(), serde_json::json!({"eq": true}));
        m.insert("external".into(), serde_json::json!({"eq": false}));
        m.insert("rentable".into(), serde_json::json!({"eq": true}));
        m.insert("order".into(), serde_json::json!([["score", "desc"]]));
        m.insert("type".into(), Value::String("on-demand".into()));
        m.insert("allocated_storage".into(), serde_json::json!(5.0));
        SearchQuery(m)
    }
}

impl SearchQuery {
    /// An empty query (no defaults), like the CLI's `-n`.
    pub fn empty() -> Self {
        SearchQuery(Map::new())
    }
    pub fn from_json(v: Value) -> Option<Self> {
        match v {
            Value::Object(m) => Some(SearchQuery(m)),
            _ => None,
        }
    }
    /// Adds `field op value`; several operators on one field are ANDed.
    pub fn filter(mut self, field: &str, op: &str, value: impl Into<Value>) -> Self {
        let entry = self
            .0
            .entry(field.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if !entry.is_object() {
            *entry = Value::Object(Map::new());
        }
        if let Some(m) = entry.as_object_mut() {
            m.insert(op.to_string(), value.into());
        }
        self
    }
    /// Sort keys in priority order, e.g. `[("dph_total", false)]` for ascending price.
    pub fn order(mut self, keys: &[(&str, bool)]) -> Self {
        let v: Vec<Value> = keys
            .iter()
            .map(|(f, desc)| serde_json::json!([f, if *desc { "desc" } else { "asc" }]))
            .collect();
        self.0.insert("order".into(), Value::Array(v));
        self
    }
    pub fn limit(mut self, n: u32) -> Self {
        self.0.insert("limit".into(), Value::from(n));
        self
    }
    /// `on-demand`, `bid` or `reserved`.
    pub fn offer_type(mut self, t: &str) -> Self {
        self.0.insert("type".into(), Value::String(t.into()));
        self
    }
    /// Disk GB priced into `dph_total`.
    pub fn allocated_storage(mut self, gb: f64) -> Self {
        self.0
            .insert("allocated_storage".into(), serde_json::json!(gb));
        self
    }
    pub fn to_json(&self) -> Value {
        Value::Object(self.0.clone())
    }
}

/// `GET /api/v0/users/current` (API.md §8). `credit` is the spendable prepaid credit.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct User {
    #[serde(default)]
    pub id: Option<u64>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub credit: Option<f64>,
    #[serde(default)]
    pub balance: Option<f64>,
    #[serde(default)]
    pub ssh_key: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An account SSH key (`GET /api/v0/ssh/`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SshKey {
    #[serde(default)]
    pub id: u64,
    /// The public key text (`key` in listings, `public_key` in the create reply).
    #[serde(default, alias = "public_key")]
    pub key: String,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_key_never_printed() {
        let k = ApiKey::new(" secret-123 \n");
        assert_eq!(k.expose_secret(), "secret-123");
        assert!(!format!("{k:?} {k}").contains("secret"));
    }

    #[test]
    fn ssh_target_rules() {
        let mut i: Instance = serde_json::from_value(serde_json::json!({
            "id": 1, "ssh_host": "ssh5.vast.ai", "ssh_port": 10562,
            "image_runtype": "jupyter_direc ssh_direc ssh_proxy"
        }))
        .unwrap();
        assert_eq!(i.ssh_target(), Some(("ssh5.vast.ai".into(), 10563)));
        i.public_ipaddr = Some("1.2.3.4".into());
        i.ports = Some(serde_json::json!({"22/tcp": [{"HostIp": "0.0.0.0", "HostPort": "40022"}]}));
        assert_eq!(i.ssh_target(), Some(("1.2.3.4".into(), 40022)));
    }

    #[test]
    fn create_request_sends_every_key() {
        let v = serde_json::to_value(CreateInstanceRequest::new("pytorch/pytorch", 20.0)).unwrap();
        for k in [
            "client_id",
            "image",
            "env",
            "price",
            "disk",
            "label",
            "onstart",
            "runtype",
        ] {
            assert!(v.get(k).is_some(), "{k}");
        }
        assert!(v.get("args").is_none());
    }
}
