//! The search query object (API.md §2.2): parsing with Vast's numeric-string coercion,
//! matching, ordering, limits, and the pricing formulas that depend on the query
//! (`type`, `allocated_storage`).

use serde_json::{Map, Value, json};
use std::cmp::Ordering;

/// `type` of a search.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PriceType {
    OnDemand,
    /// Interruptible: GPU price is the current `min_bid`.
    Bid,
    /// Prepaid: `discounted_dph_total` applies `credit_discount_max`.
    Reserved,
}

/// Server default when the query has no `limit` (not documented by Vast; L).
pub const DEFAULT_LIMIT: usize = 64;
/// Largest `limit` honoured.
pub const MAX_LIMIT: usize = 10_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Eq,
    Neq,
    Gt,
    Gte,
    Lt,
    Lte,
    In,
    NotIn,
}

/// A filter value after coercion.
#[derive(Clone, Debug, PartialEq)]
pub enum FVal {
    Num(f64),
    Str(String),
    Bool(bool),
    Null,
    List(Vec<FVal>),
}

#[derive(Clone, Debug)]
pub struct Filter {
    pub field: String,
    pub op: Op,
    pub value: FVal,
}

/// A parsed query.
#[derive(Clone, Debug)]
pub struct Query {
    pub filters: Vec<Filter>,
    /// (field, descending)
    pub order: Vec<(String, bool)>,
    pub limit: usize,
    pub price_type: PriceType,
    pub storage_gb: f64,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Num,
    Bool,
    Str,
    Driver,
    Unknown,
}

const NUMERIC: &[&str] = &[
    "num_gpus",
    "gpu_ram",
    "gpu_total_ram",
    "cpu_ram",
    "cpu_cores",
    "cpu_cores_effective",
    "cpu_ghz",
    "disk_space",
    "disk_bw",
    "dlperf",
    "dlperf_per_dphtotal",
    "dph_total",
    "dph_base",
    "duration",
    "flops_per_dphtotal",
    "total_flops",
    "gpu_frac",
    "gpu_mem_bw",
    "gpu_max_power",
    "gpu_max_temp",
    "inet_up",
    "inet_down",
    "inet_up_cost",
    "inet_down_cost",
    "min_bid",
    "pci_gen",
    "pcie_bw",
    "reliability",
    "reliability2",
    "storage_cost",
    "storage_total_cost",
    "score",
    "compute_cap",
    "cuda_max_good",
    "direct_port_count",
    "bw_nvlink",
    "host_id",
    "machine_id",
    "id",
    "ask_contract_id",
    "bundle_id",
    "has_avx",
    "gpu_lanes",
    "vram_costperhour",
    "discounted_dph_total",
    "cluster_id",
    "geolocode",
    "hosting_type",
    "vericode",
    "start_date",
    "end_date",
    "credit_discount_max",
    "avail_vol_size",
    "dph_total_adj",
    "internet_up_cost_per_tb",
    "internet_down_cost_per_tb",
    "driver_vers",
    "reliability_mult",
];
const BOOLEAN: &[&str] = &[
    "verified",
    "external",
    "rentable",
    "rented",
    "datacenter",
    "static_ip",
    "gpu_display_active",
    "vms_enabled",
    "is_bid",
    "is_vm_deverified",
];
const STRING: &[&str] = &[
    "gpu_name",
    "gpu_arch",
    "cpu_arch",
    "cpu_name",
    "geolocation",
    "verification",
    "mobo_name",
    "os_version",
    "disk_name",
    "public_ipaddr",
    "resource_type",
];

/// CLI aliases (API.md §2.3), also accepted server-side.
fn canonical(field: &str) -> &str {
    match field {
        "cuda_vers" => "cuda_max_good",
        "display_active" => "gpu_display_active",
        "dlperf_usd" => "dlperf_per_dphtotal",
        "dph" => "dph_total",
        "flops_usd" => "flops_per_dphtotal",
        "ubuntu_version" => "os_version",
        f => f,
    }
}

fn kind(field: &str) -> Kind {
    if field == "driver_version" {
        Kind::Driver
    } else if NUMERIC.contains(&field) {
        Kind::Num
    } else if BOOLEAN.contains(&field) {
        Kind::Bool
    } else if STRING.contains(&field) {
        Kind::Str
    } else {
        Kind::Unknown
    }
}

/// `535.86.05` → 535086005 (3-digit padded parts).
pub fn driver_to_int(s: &str) -> Option<f64> {
    let mut acc: u64 = 0;
    let parts: Vec<&str> = s.trim().split('.').collect();
    if parts.is_empty() || parts.len() > 4 {
        return None;
    }
    for p in &parts {
        let n: u64 = p.trim().parse().ok()?;
        if n > 999 {
            return None;
        }
        acc = acc * 1000 + n;
    }
    // Normalise to 3 parts so "535.86" compares like "535.86.00".
    for _ in parts.len()..3 {
        acc *= 1000;
    }
    Some(acc as f64)
}

fn coerce(field: &str, k: Kind, v: &Value) -> Result<FVal, String> {
    let bad = |what: &str| Err(format!("invalid value {v} for {field}: {what}"));
    match v {
        Value::Null => Ok(FVal::Null),
        Value::Array(items) => items
            .iter()
            .map(|i| coerce(field, k, i))
            .collect::<Result<_, _>>()
            .map(FVal::List),
        Value::Object(_) => bad("expected a number, string, boolean, null or list"),
        _ => match k {
            Kind::Num => match v {
                Value::Number(n) => Ok(FVal::Num(n.as_f64().unwrap_or(0.0))),
                Value::String(s) => match s.trim().parse::<f64>() {
                    Ok(f) if f.is_finite() => Ok(FVal::Num(f)),
                    _ => bad("expected a number"),
                },
                Value::Bool(b) => Ok(FVal::Num(if *b { 1.0 } else { 0.0 })),
                _ => bad("expected a number"),
            },
            Kind::Driver => match v {
                Value::Number(n) => Ok(FVal::Num(n.as_f64().unwrap_or(0.0))),
                Value::String(s) => driver_to_int(s)
                    .or_else(|| s.trim().parse::<f64>().ok())
                    .map(FVal::Num)
                    .map_or_else(|| bad("expected a driver version like 535.86.05"), Ok),
                _ => bad("expected a driver version"),
            },
            Kind::Bool => match v {
                Value::Bool(b) => Ok(FVal::Bool(*b)),
                Value::String(s) => match s.trim() {
                    "true" | "True" | "1" => Ok(FVal::Bool(true)),
                    "false" | "False" | "0" => Ok(FVal::Bool(false)),
                    _ => bad("expected true or false"),
                },
                Value::Number(n) => Ok(FVal::Bool(n.as_f64().unwrap_or(0.0) != 0.0)),
                _ => bad("expected true or false"),
            },
            Kind::Str => match v {
                Value::String(s) => Ok(FVal::Str(s.clone())),
                Value::Number(n) => Ok(FVal::Str(n.to_string())),
                Value::Bool(b) => Ok(FVal::Str(b.to_string())),
                _ => bad("expected a string"),
            },
            Kind::Unknown => Ok(match v {
                Value::Number(n) => FVal::Num(n.as_f64().unwrap_or(0.0)),
                Value::String(s) => FVal::Str(s.clone()),
                Value::Bool(b) => FVal::Bool(*b),
                _ => FVal::Null,
            }),
        },
    }
}

fn number_of(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
        _ => None,
    }
}

/// Parses a query object. Errors are messages for a 400 `invalid_args`.
pub fn parse_query(q: &Map<String, Value>) -> Result<Query, String> {
    let mut out = Query {
        filters: Vec::new(),
        order: Vec::new(),
        limit: DEFAULT_LIMIT,
        price_type: PriceType::OnDemand,
        storage_gb: 8.0, // docs: server default 8 GB (the CLI always sends 5.0)
    };
    for (key, val) in q {
        match key.as_str() {
            "order" => {
                let items = match val {
                    Value::Array(a) => a.clone(),
                    Value::Null => Vec::new(),
                    Value::String(s) => vec![Value::String(s.clone())],
                    _ => {
                        return Err(
                            "order must be a list of [field, \"asc\"|\"desc\"] pairs".into()
                        );
                    }
                };
                for it in items {
                    let (f, d) = match &it {
                        Value::String(s) => (s.clone(), "asc".to_string()),
                        Value::Array(p) if !p.is_empty() && p.len() <= 2 => {
                            let f = p[0]
                                .as_str()
                                .ok_or("order field must be a string")?
                                .to_string();
                            let d = match p.get(1) {
                                None => "asc".to_string(),
                                Some(Value::String(s)) => s.to_lowercase(),
                                Some(_) => {
                                    return Err(
                                        "order direction must be \"asc\" or \"desc\"".into()
                                    );
                                }
                            };
                            (f, d)
                        }
                        _ => {
                            return Err(
                                "order must be a list of [field, \"asc\"|\"desc\"] pairs".into()
                            );
                        }
                    };
                    let desc = match d.as_str() {
                        "asc" => false,
                        "desc" => true,
                        _ => {
                            return Err(format!(
                                "order direction {d:?} must be \"asc\" or \"desc\""
                            ));
                        }
                    };
                    out.order.push((canonical(&f).to_string(), desc));
                }
            }
            "limit" => match val {
                Value::Null => {}
                v => {
                    let n = number_of(v).ok_or("limit must be an integer")?;
                    if n < 0.0 {
                        return Err("limit must not be negative".into());
                    }
                    out.limit = if n == 0.0 {
                        DEFAULT_LIMIT
                    } else {
                        (n as usize).min(MAX_LIMIT)
                    };
                }
            },
            "type" => {
                out.price_type = match val.as_str().map(str::trim) {
                    Some("on-demand") | Some("ondemand") | Some("on_demand") => PriceType::OnDemand,
                    Some("bid") | Some("interruptible") => PriceType::Bid,
                    Some("reserved") => PriceType::Reserved,
                    None if val.is_null() => PriceType::OnDemand,
                    _ => {
                        return Err(format!(
                            "type {val} must be one of on-demand, bid, reserved"
                        ));
                    }
                }
            }
            "allocated_storage" => match val {
                Value::Null => {}
                v => {
                    let gb = number_of(v).ok_or("allocated_storage must be a number of GB")?;
                    if gb < 0.0 {
                        return Err("allocated_storage must not be negative".into());
                    }
                    out.storage_gb = gb;
                }
            },
            "disable_bundling" | "select_cols" | "extra_ids" | "show_incompatible" => {}
            field => {
                let field = canonical(field);
                let ops = match val {
                    Value::Object(m) => m,
                    _ => {
                        return Err(format!(
                            "filter for {field} must be an object like {{\"eq\": value}}"
                        ));
                    }
                };
                let k = kind(field);
                for (op_s, v) in ops {
                    let op = match op_s.as_str() {
                        "eq" | "==" => Op::Eq,
                        "neq" | "ne" | "!=" => Op::Neq,
                        "gt" | ">" => Op::Gt,
                        "gte" | "ge" | ">=" => Op::Gte,
                        "lt" | "<" => Op::Lt,
                        "lte" | "le" | "<=" => Op::Lte,
                        "in" => Op::In,
                        "notin" | "nin" | "not in" => Op::NotIn,
                        other => return Err(format!("unknown operator {other:?} for {field}")),
                    };
                    let mut value = coerce(field, k, v)?;
                    if matches!(op, Op::In | Op::NotIn) {
                        if !matches!(value, FVal::List(_)) {
                            value = FVal::List(vec![value]);
                        }
                    } else if matches!(value, FVal::List(_)) {
                        return Err(format!(
                            "operator {op_s} for {field} takes a single value, not a list"
                        ));
                    }
                    out.filters.push(Filter {
                        field: field.to_string(),
                        op,
                        value,
                    });
                }
            }
        }
    }
    Ok(out)
}

/// Query-dependent price fields of one offer.
#[derive(Clone, Copy, Debug)]
pub struct Priced {
    pub dph_base: f64,
    pub storage_total_cost: f64,
    pub dph_total: f64,
    pub discounted_dph_total: f64,
    pub dph_total_adj: f64,
    pub dlperf_per_dphtotal: f64,
    pub flops_per_dphtotal: f64,
    pub duration: f64,
}

fn f(m: &Map<String, Value>, k: &str) -> f64 {
    m.get(k).and_then(Value::as_f64).unwrap_or(0.0)
}

/// API.md §2.4 formulas: storage_total_cost = storage_cost × GB / 720 (30-day month);
/// dph_total = GPU price + storage_total_cost; per-dollar figures divide by dph_total.
/// `dph_total_adj` adds 0.625 × (inet_up_cost + inet_down_cost) — inferred from both raw
/// captures (matches them to the last digit; Vast does not document it).
pub fn priced(m: &Map<String, Value>, storage_gb: f64, t: PriceType, now: f64) -> Priced {
    let base = f(m, "dph_base");
    let gpu = if t == PriceType::Bid {
        f(m, "min_bid")
    } else {
        base
    };
    let storage_total_cost = f(m, "storage_cost") * storage_gb / 720.0;
    let dph_total = gpu + storage_total_cost;
    let discounted = if t == PriceType::Reserved {
        gpu * (1.0 - f(m, "credit_discount_max")) + storage_total_cost
    } else {
        dph_total
    };
    let per = |x: f64| if dph_total > 0.0 { x / dph_total } else { 0.0 };
    Priced {
        dph_base: gpu,
        storage_total_cost,
        dph_total,
        discounted_dph_total: discounted,
        dph_total_adj: dph_total + 0.625 * (f(m, "inet_up_cost") + f(m, "inet_down_cost")),
        dlperf_per_dphtotal: per(f(m, "dlperf")),
        flops_per_dphtotal: per(f(m, "total_flops")),
        duration: f(m, "end_date") - now,
    }
}

/// Writes the priced fields (and the `search`/`instance` breakdowns) into an offer object.
pub fn apply_pricing(m: &mut Map<String, Value>, storage_gb: f64, t: PriceType, now: f64) {
    let p = priced(m, storage_gb, t, now);
    m.insert("dph_base".into(), json!(p.dph_base));
    m.insert("storage_total_cost".into(), json!(p.storage_total_cost));
    m.insert("dph_total".into(), json!(p.dph_total));
    m.insert("discounted_dph_total".into(), json!(p.discounted_dph_total));
    m.insert("dph_total_adj".into(), json!(p.dph_total_adj));
    m.insert("dlperf_per_dphtotal".into(), json!(p.dlperf_per_dphtotal));
    m.insert("flops_per_dphtotal".into(), json!(p.flops_per_dphtotal));
    m.insert("duration".into(), json!(p.duration));
    m.insert("is_bid".into(), json!(t == PriceType::Bid));
    m.insert(
        "search".into(),
        json!({
            "discountTotalHour": p.dph_total - p.discounted_dph_total,
            "discountedTotalPerHour": p.discounted_dph_total,
            "diskHour": p.storage_total_cost,
            "gpuCostPerHour": p.dph_base,
            "slaPremiumPerHour": 0.0,
            "totalHour": p.dph_total,
        }),
    );
    m.insert(
        "instance".into(),
        json!({
            "discountTotalHour": 0,
            "discountedTotalPerHour": p.storage_total_cost,
            "diskHour": p.storage_total_cost,
            "gpuCostPerHour": 0,
            "slaPremiumPerHour": 0,
            "totalHour": p.storage_total_cost,
        }),
    );
}

/// A field of an offer as seen by filters and ordering.
#[derive(Clone, Debug, PartialEq)]
enum V<'a> {
    Num(f64),
    Str(&'a str),
    Bool(bool),
    Null,
}

fn raw<'a>(v: Option<&'a Value>) -> V<'a> {
    match v {
        Some(Value::Number(n)) => V::Num(n.as_f64().unwrap_or(0.0)),
        Some(Value::String(s)) => V::Str(s),
        Some(Value::Bool(b)) => V::Bool(*b),
        _ => V::Null,
    }
}

struct View<'a> {
    m: &'a Map<String, Value>,
    q: &'a Query,
    now: f64,
    p: Option<Priced>,
}

impl<'a> View<'a> {
    fn priced(&mut self) -> Priced {
        if self.p.is_none() {
            self.p = Some(priced(
                self.m,
                self.q.storage_gb,
                self.q.price_type,
                self.now,
            ));
        }
        self.p
            .unwrap_or_else(|| priced(self.m, self.q.storage_gb, self.q.price_type, self.now))
    }

    fn get(&mut self, field: &str) -> V<'a> {
        let m = self.m;
        match field {
            "dph_total" => V::Num(self.priced().dph_total),
            "dph_base" => V::Num(self.priced().dph_base),
            "storage_total_cost" => V::Num(self.priced().storage_total_cost),
            "discounted_dph_total" => V::Num(self.priced().discounted_dph_total),
            "dph_total_adj" => V::Num(self.priced().dph_total_adj),
            "dlperf_per_dphtotal" => V::Num(self.priced().dlperf_per_dphtotal),
            "flops_per_dphtotal" => V::Num(self.priced().flops_per_dphtotal),
            "duration" => V::Num(self.priced().duration),
            "is_bid" => V::Bool(self.q.price_type == PriceType::Bid),
            // Filter-only names (API.md §2.2).
            "verified" => {
                V::Bool(m.get("verification").and_then(Value::as_str) == Some("verified"))
            }
            "external" => V::Bool(m.get("external").and_then(Value::as_bool).unwrap_or(false)),
            "datacenter" => V::Bool(m.get("hosting_type").and_then(Value::as_i64) == Some(1)),
            "driver_version" => raw(m.get("driver_vers")),
            f => raw(m.get(f)),
        }
    }
}

fn country(geo: &str) -> &str {
    geo.rsplit(',').next().unwrap_or("").trim()
}

fn is_cc(s: &str) -> bool {
    s.len() == 2 && s.chars().all(|c| c.is_ascii_uppercase())
}

fn equal(field: &str, v: &V, fv: &FVal) -> bool {
    match (v, fv) {
        (V::Null, FVal::Null) => true,
        (_, FVal::Null) | (V::Null, _) => false,
        (V::Num(a), FVal::Num(b)) => (a - b).abs() <= 1e-9 * b.abs().max(1.0),
        (V::Num(a), FVal::Str(s)) => s
            .trim()
            .parse::<f64>()
            .map(|b| (a - b).abs() <= 1e-9 * b.abs().max(1.0))
            .unwrap_or(false),
        (V::Num(a), FVal::Bool(b)) => (*a != 0.0) == *b,
        (V::Str(a), FVal::Str(b)) => {
            if field == "geolocation" && is_cc(b) {
                country(a) == b
            } else {
                a == b
            }
        }
        (V::Str(a), FVal::Num(b)) => a.trim().parse::<f64>().map(|x| x == *b).unwrap_or(false),
        (V::Bool(a), FVal::Bool(b)) => a == b,
        (V::Bool(a), FVal::Num(b)) => *a == (*b != 0.0),
        (V::Bool(a), FVal::Str(s)) => (*a && s == "true") || (!*a && s == "false"),
        _ => false,
    }
}

fn cmp(v: &V, fv: &FVal) -> Option<Ordering> {
    match (v, fv) {
        (V::Num(a), FVal::Num(b)) => a.partial_cmp(b),
        (V::Num(a), FVal::Str(s)) => s.trim().parse::<f64>().ok().and_then(|b| a.partial_cmp(&b)),
        (V::Str(a), FVal::Str(b)) => Some((*a).cmp(b.as_str())),
        (V::Str(a), FVal::Num(b)) => a.trim().parse::<f64>().ok().and_then(|x| x.partial_cmp(b)),
        (V::Bool(a), FVal::Bool(b)) => Some(a.cmp(b)),
        _ => None,
    }
}

fn matches(view: &mut View, fl: &Filter) -> bool {
    let v = view.get(&fl.field);
    match_value(&v, fl)
}

/// Filters over plain JSON objects (instance rows): no computed fields.
pub fn matches_raw(m: &Map<String, Value>, filters: &[Filter]) -> bool {
    filters
        .iter()
        .all(|fl| match_value(&raw(m.get(&fl.field)), fl))
}

fn match_value(v: &V, fl: &Filter) -> bool {
    let v = v.clone();
    match (&fl.op, &fl.value) {
        (Op::Eq, fv) => equal(&fl.field, &v, fv),
        (Op::Neq, fv) => !equal(&fl.field, &v, fv),
        (Op::In, FVal::List(items)) => items.iter().any(|fv| equal(&fl.field, &v, fv)),
        (Op::NotIn, FVal::List(items)) => !items.iter().any(|fv| equal(&fl.field, &v, fv)),
        (op, fv) => match cmp(&v, fv) {
            Some(o) => match op {
                Op::Gt => o == Ordering::Greater,
                Op::Gte => o != Ordering::Less,
                Op::Lt => o == Ordering::Less,
                Op::Lte => o != Ordering::Greater,
                _ => false,
            },
            None => false,
        },
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Key {
    Num(f64),
    Str(String),
    Null,
}

fn key_cmp(a: &Key, b: &Key, desc: bool) -> Ordering {
    // Nulls always last.
    let o = match (a, b) {
        (Key::Null, Key::Null) => return Ordering::Equal,
        (Key::Null, _) => return Ordering::Greater,
        (_, Key::Null) => return Ordering::Less,
        (Key::Num(x), Key::Num(y)) => x.total_cmp(y),
        (Key::Str(x), Key::Str(y)) => x.cmp(y),
        (Key::Num(_), Key::Str(_)) => Ordering::Less,
        (Key::Str(_), Key::Num(_)) => Ordering::Greater,
    };
    if desc { o.reverse() } else { o }
}

/// Runs a query over the offer book: filter, order (ties by id), limit, then prices the
/// returned copies for the query's `type` and `allocated_storage`.
pub fn search(offers: &[Map<String, Value>], q: &Query, now: f64) -> Vec<Map<String, Value>> {
    search_in(offers, None, q, now)
}

/// The `gpu_name` values a query is restricted to (`eq` or `in` with strings), if any —
/// lets the caller pass only those offers as candidates.
pub fn gpu_names_of(q: &Query) -> Option<Vec<String>> {
    q.filters
        .iter()
        .find_map(|f| match (f.field.as_str(), f.op, &f.value) {
            ("gpu_name", Op::Eq, FVal::Str(s)) => Some(vec![s.clone()]),
            ("gpu_name", Op::In, FVal::List(items))
                if items.iter().all(|i| matches!(i, FVal::Str(_))) =>
            {
                Some(
                    items
                        .iter()
                        .filter_map(|i| {
                            if let FVal::Str(s) = i {
                                Some(s.clone())
                            } else {
                                None
                            }
                        })
                        .collect(),
                )
            }
            _ => None,
        })
}

/// [`search`] over `candidates` (indices into `offers`) when given, else all offers.
pub fn search_in(
    offers: &[Map<String, Value>],
    candidates: Option<&[usize]>,
    q: &Query,
    now: f64,
) -> Vec<Map<String, Value>> {
    let mut hits: Vec<(Vec<Key>, u64, usize)> = Vec::new();
    let all: Vec<usize>;
    let idx: &[usize] = match candidates {
        Some(c) => c,
        None => {
            all = (0..offers.len()).collect();
            &all
        }
    };
    for &i in idx {
        let Some(m) = offers.get(i) else { continue };
        let mut view = View { m, q, now, p: None };
        if q.filters.iter().all(|fl| matches(&mut view, fl)) {
            let keys = q
                .order
                .iter()
                .map(|(f, _)| match view.get(f) {
                    V::Num(x) => Key::Num(x),
                    V::Str(s) => Key::Str(s.to_string()),
                    V::Bool(b) => Key::Num(if b { 1.0 } else { 0.0 }),
                    V::Null => Key::Null,
                })
                .collect();
            let id = m.get("id").and_then(Value::as_u64).unwrap_or(0);
            hits.push((keys, id, i));
        }
    }
    let order = &q.order;
    let by = |a: &(Vec<Key>, u64, usize), b: &(Vec<Key>, u64, usize)| {
        for (k, (_, desc)) in order.iter().enumerate() {
            let o = key_cmp(&a.0[k], &b.0[k], *desc);
            if o != Ordering::Equal {
                return o;
            }
        }
        a.1.cmp(&b.1)
    };
    if hits.len() > q.limit {
        hits.select_nth_unstable_by(q.limit, by);
        hits.truncate(q.limit);
    }
    hits.sort_by(by);
    hits.into_iter()
        .map(|(_, _, i)| {
            let mut m = offers[i].clone();
            apply_pricing(&mut m, q.storage_gb, q.price_type, now);
            m
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offer(id: u64, gpu: &str, n: u32, base: f64, extra: Value) -> Map<String, Value> {
        let mut m = json!({
            "id": id, "gpu_name": gpu, "num_gpus": n, "dph_base": base, "min_bid": base / 2.0,
            "storage_cost": 0.2, "dlperf": 100.0, "total_flops": 80.0, "end_date": 1000.0 + 86400.0 * id as f64,
            "verification": "verified", "external": null, "rentable": true, "reliability": 0.99,
            "geolocation": "Texas, US", "driver_vers": 535183001u64, "driver_version": "535.183.01",
            "gpu_ram": 24564, "score": id as f64, "credit_discount_max": 0.2, "hosting_type": 0,
            "inet_up_cost": 0.001, "inet_down_cost": 0.001
        })
        .as_object()
        .unwrap()
        .clone();
        if let Value::Object(e) = extra {
            m.extend(e);
        }
        m
    }

    fn book() -> Vec<Map<String, Value>> {
        vec![
            offer(1, "RTX 4090", 1, 0.4, json!({})),
            offer(
                2,
                "RTX 4090",
                2,
                0.8,
                json!({"geolocation": "Guangxi, CN", "reliability": 0.95}),
            ),
            offer(
                3,
                "RTX 3090",
                1,
                0.2,
                json!({"verification": "unverified", "rentable": false}),
            ),
            offer(
                4,
                "H100 SXM",
                8,
                16.0,
                json!({"hosting_type": 1, "driver_vers": 570133007u64, "gpu_ram": 81559}),
            ),
            offer(
                5,
                "A100 SXM4",
                1,
                1.0,
                json!({"geolocation": "Quebec, CA", "reliability": null}),
            ),
        ]
    }

    fn run(q: Value) -> Result<Vec<u64>, String> {
        let q = parse_query(q.as_object().unwrap())?;
        Ok(search(&book(), &q, 1000.0)
            .iter()
            .map(|m| m["id"].as_u64().unwrap())
            .collect())
    }

    #[test]
    fn cli_string_coercion_and_defaults() {
        let q = json!({"verified": {"eq": true}, "external": {"eq": false}, "rentable": {"eq": true},
            "gpu_ram": {"gte": 24000.0}, "num_gpus": {"eq": "1"}, "reliability": {"gt": "0.98"},
            "gpu_name": {"eq": "RTX 4090"}, "order": [["score", "desc"]], "type": "on-demand", "allocated_storage": 5.0});
        assert_eq!(run(q).unwrap(), vec![1]);
    }

    #[test]
    fn every_operator() {
        assert_eq!(
            run(json!({"num_gpus": {"neq": "1"}, "order": [["id","asc"]]})).unwrap(),
            vec![2, 4]
        );
        assert_eq!(
            run(json!({"num_gpus": {"gt": 1}, "order": [["id","asc"]]})).unwrap(),
            vec![2, 4]
        );
        assert_eq!(
            run(json!({"num_gpus": {"gte": "2", "lte": "2"}})).unwrap(),
            vec![2]
        );
        assert_eq!(
            run(json!({"num_gpus": {"lt": 2}, "order": [["id","asc"]]})).unwrap(),
            vec![1, 3, 5]
        );
        assert_eq!(
            run(json!({"gpu_name": {"in": ["RTX 4090", "RTX 3090"]}, "order": [["id","asc"]]}))
                .unwrap(),
            vec![1, 2, 3]
        );
        assert_eq!(
            run(json!({"gpu_name": {"notin": ["RTX 4090", "RTX 3090"]}, "order": [["id","asc"]]}))
                .unwrap(),
            vec![4, 5]
        );
        assert_eq!(run(json!({"reliability": {"eq": null}})).unwrap(), vec![5]);
        assert_eq!(
            run(json!({"geolocation": {"notin": ["CN", "VN"]}, "order": [["id","asc"]]})).unwrap(),
            vec![1, 3, 4, 5]
        );
        assert_eq!(
            run(json!({"geolocation": {"in": ["CA"]}})).unwrap(),
            vec![5]
        );
        assert_eq!(
            run(json!({"driver_version": {"gte": 570000000}})).unwrap(),
            vec![4]
        );
        assert_eq!(
            run(json!({"driver_version": {"gte": "570.0.0"}})).unwrap(),
            vec![4]
        );
        assert_eq!(run(json!({"datacenter": {"eq": true}})).unwrap(), vec![4]);
        assert_eq!(run(json!({"verified": {"eq": false}})).unwrap(), vec![3]);
        assert_eq!(
            run(json!({"cuda_vers": {"gte": "12.1"}})).unwrap(),
            Vec::<u64>::new()
        );
    }

    #[test]
    fn order_limit_and_pricing() {
        assert_eq!(
            run(json!({"order": [["dph_total", "asc"]], "limit": 2})).unwrap(),
            vec![3, 1]
        );
        assert_eq!(
            run(json!({"order": [["num_gpus", "desc"], ["dph_total", "asc"]], "limit": "3"}))
                .unwrap(),
            vec![4, 2, 3]
        );
        // Nulls last in both directions.
        assert_eq!(
            run(json!({"order": [["reliability", "asc"]]}))
                .unwrap()
                .last(),
            Some(&5)
        );
        assert_eq!(
            run(json!({"order": [["reliability", "desc"]]}))
                .unwrap()
                .last(),
            Some(&5)
        );
        let q = parse_query(
            json!({"id": {"eq": 1}, "allocated_storage": 36, "type": "bid"})
                .as_object()
                .unwrap(),
        )
        .unwrap();
        let r = search(&book(), &q, 1000.0);
        let o = &r[0];
        // storage 0.2 $/GB/month × 36 GB / 720 h = 0.01 $/h; bid uses min_bid 0.2.
        assert!((o["storage_total_cost"].as_f64().unwrap() - 0.01).abs() < 1e-12);
        assert!((o["dph_total"].as_f64().unwrap() - 0.21).abs() < 1e-12);
        assert_eq!(o["is_bid"], true);
        assert!((o["dlperf_per_dphtotal"].as_f64().unwrap() - 100.0 / 0.21).abs() < 1e-9);
        assert!((o["search"]["totalHour"].as_f64().unwrap() - 0.21).abs() < 1e-12);
        let q = parse_query(
            json!({"id": {"eq": 1}, "allocated_storage": 36, "type": "reserved"})
                .as_object()
                .unwrap(),
        )
        .unwrap();
        let o = &search(&book(), &q, 1000.0)[0];
        assert!((o["discounted_dph_total"].as_f64().unwrap() - (0.4 * 0.8 + 0.01)).abs() < 1e-12);
        // dph filter sees the priced value.
        assert_eq!(
            run(json!({"dph": {"lt": "0.41"}, "allocated_storage": 5.0, "order": [["id","asc"]]}))
                .unwrap(),
            vec![1, 3]
        );
        assert_eq!(
            run(json!({"dph": {"lt": "0.41"}, "allocated_storage": 100.0})).unwrap(),
            vec![3]
        );
    }

    #[test]
    fn bad_queries() {
        for q in [
            json!({"num_gpus": {"eq": "abc"}}),
            json!({"num_gpus": 1}),
            json!({"num_gpus": {"approx": 1}}),
            json!({"num_gpus": {"eq": [1, 2]}}),
            json!({"num_gpus": {"eq": {"x": 1}}}),
            json!({"order": "x", "limit": "many"}),
            json!({"order": [["x", "sideways"]]}),
            json!({"type": "spot"}),
            json!({"limit": -1}),
            json!({"allocated_storage": "big"}),
            json!({"verified": {"eq": "maybe"}}),
        ] {
            assert!(run(q.clone()).is_err(), "{q}");
        }
        // Unknown fields are accepted (no effect on offers lacking them except eq null).
        assert_eq!(
            run(json!({"no_such_field": {"eq": null}})).unwrap().len(),
            5
        );
    }

    #[test]
    fn driver_parse() {
        assert_eq!(driver_to_int("535.86.05"), Some(535086005.0));
        assert_eq!(driver_to_int("x"), None);
    }
}
