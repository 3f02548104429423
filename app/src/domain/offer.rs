//! A Vast.ai offer as the Offers page, the gate and the ranking need it (API.md §2.4), read
//! leniently from the raw JSON the API / `vastai search offers --raw` returns: every field may be
//! missing, `null`, a number sent as a string, or of the wrong type — such a field becomes `None`
//! (or 0 / empty for ids and names) instead of failing the whole offer.
//!
//! Units are Vast's: RAM in MB (driver MiB-like: a "24 GB" card reports 24564), disk in GB,
//! bandwidth in Mbit/s, prices in $ (f64 dollars for display math; see [`to_micros`]).

use serde::{Deserialize, Deserializer, Serialize};

/// Hours in the month Vast uses for storage pricing ($/GB/month ÷ 720 = $/GB/h).
pub const HOURS_PER_MONTH: f64 = 720.0;

/// One offer. Field names follow the API.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Offer {
    /// Offer id (what `create instance` takes); same as `ask_contract_id`.
    #[serde(deserialize_with = "lenient_u64")]
    pub id: u64,
    #[serde(deserialize_with = "lenient_u64")]
    pub machine_id: u64,
    #[serde(deserialize_with = "lenient_u64")]
    pub host_id: u64,

    // --- GPUs ---
    #[serde(deserialize_with = "lenient_string")]
    pub gpu_name: String,
    #[serde(deserialize_with = "lenient_u32")]
    pub num_gpus: u32,
    /// MB per GPU.
    #[serde(deserialize_with = "lenient_f64")]
    pub gpu_ram: Option<f64>,
    /// MB over all GPUs of the offer.
    #[serde(deserialize_with = "lenient_f64")]
    pub gpu_total_ram: Option<f64>,
    #[serde(deserialize_with = "lenient_f64")]
    pub gpu_frac: Option<f64>,
    /// CUDA compute capability × 100 (890 = 8.9).
    #[serde(deserialize_with = "lenient_f64")]
    pub compute_cap: Option<f64>,
    /// GB/s.
    #[serde(deserialize_with = "lenient_f64")]
    pub gpu_mem_bw: Option<f64>,
    /// GB/s, 0 without NVLink.
    #[serde(deserialize_with = "lenient_f64")]
    pub bw_nvlink: Option<f64>,
    /// GB/s CPU↔GPU.
    #[serde(deserialize_with = "lenient_f64")]
    pub pcie_bw: Option<f64>,
    #[serde(deserialize_with = "lenient_string")]
    pub gpu_arch: String,

    // --- host ---
    #[serde(deserialize_with = "lenient_string")]
    pub cpu_name: String,
    #[serde(deserialize_with = "lenient_string")]
    pub cpu_arch: String,
    /// MB, whole machine.
    #[serde(deserialize_with = "lenient_f64")]
    pub cpu_ram: Option<f64>,
    #[serde(deserialize_with = "lenient_f64")]
    pub cpu_cores: Option<f64>,
    /// vCPUs you get (cpu_cores × gpu_frac).
    #[serde(deserialize_with = "lenient_f64")]
    pub cpu_cores_effective: Option<f64>,
    /// GB available for the container disk.
    #[serde(deserialize_with = "lenient_f64")]
    pub disk_space: Option<f64>,
    /// MB/s.
    #[serde(deserialize_with = "lenient_f64")]
    pub disk_bw: Option<f64>,
    /// Mbit/s.
    #[serde(deserialize_with = "lenient_f64")]
    pub inet_down: Option<f64>,
    /// Mbit/s.
    #[serde(deserialize_with = "lenient_f64")]
    pub inet_up: Option<f64>,
    #[serde(deserialize_with = "lenient_f64")]
    pub direct_port_count: Option<f64>,
    #[serde(deserialize_with = "lenient_string")]
    pub geolocation: String,
    #[serde(deserialize_with = "lenient_string")]
    pub os_version: String,
    #[serde(deserialize_with = "lenient_bool")]
    pub static_ip: Option<bool>,

    // --- software ---
    /// Max CUDA version the driver supports (12.2).
    #[serde(deserialize_with = "lenient_f64")]
    pub cuda_max_good: Option<f64>,
    /// `"535.183.01"`.
    #[serde(deserialize_with = "lenient_string")]
    pub driver_version: String,

    // --- prices ($) ---
    /// $/h including storage for the search's `allocated_storage`.
    #[serde(deserialize_with = "lenient_f64")]
    pub dph_total: Option<f64>,
    /// $/h for the GPUs only.
    #[serde(deserialize_with = "lenient_f64")]
    pub dph_base: Option<f64>,
    /// $/GB/month.
    #[serde(deserialize_with = "lenient_f64")]
    pub storage_cost: Option<f64>,
    /// $/h for the search's allocated storage.
    #[serde(deserialize_with = "lenient_f64")]
    pub storage_total_cost: Option<f64>,
    /// $/GB downloaded.
    #[serde(deserialize_with = "lenient_f64")]
    pub inet_down_cost: Option<f64>,
    /// $/GB uploaded.
    #[serde(deserialize_with = "lenient_f64")]
    pub inet_up_cost: Option<f64>,
    /// $/h current minimum interruptible bid.
    #[serde(deserialize_with = "lenient_f64")]
    pub min_bid: Option<f64>,
    #[serde(deserialize_with = "lenient_f64")]
    pub discounted_dph_total: Option<f64>,
    #[serde(deserialize_with = "lenient_bool")]
    pub is_bid: Option<bool>,

    // --- performance / trust ---
    #[serde(deserialize_with = "lenient_f64")]
    pub dlperf: Option<f64>,
    #[serde(deserialize_with = "lenient_f64")]
    pub dlperf_per_dphtotal: Option<f64>,
    /// TFLOPS over all GPUs.
    #[serde(deserialize_with = "lenient_f64")]
    pub total_flops: Option<f64>,
    #[serde(deserialize_with = "lenient_f64")]
    pub flops_per_dphtotal: Option<f64>,
    #[serde(deserialize_with = "lenient_f64")]
    pub score: Option<f64>,
    #[serde(deserialize_with = "lenient_f64")]
    pub reliability: Option<f64>,
    #[serde(deserialize_with = "lenient_f64")]
    pub reliability2: Option<f64>,
    /// `verified` / `unverified` / `deverified`.
    #[serde(deserialize_with = "lenient_string")]
    pub verification: String,
    #[serde(deserialize_with = "lenient_bool")]
    pub rentable: Option<bool>,
    /// The CALLER already rents GPUs on this machine.
    #[serde(deserialize_with = "lenient_bool")]
    pub rented: Option<bool>,
    /// Seconds the offer remains available.
    #[serde(deserialize_with = "lenient_f64")]
    pub duration: Option<f64>,
}

/// Why a list of offers could not be read.
#[derive(Clone, Debug, PartialEq)]
pub enum OfferError {
    /// Not JSON at all.
    Json(String),
    /// JSON, but neither a list nor `{"offers": [...]}`.
    Shape,
}

impl std::fmt::Display for OfferError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OfferError::Json(e) => write!(f, "offers are not valid JSON: {e}"),
            OfferError::Shape => write!(f, "expected a list of offers or {{\"offers\": [...]}}"),
        }
    }
}

impl std::error::Error for OfferError {}

/// Offers read from a search reply. `skipped` counts entries that were not objects.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ParsedOffers {
    pub offers: Vec<Offer>,
    pub skipped: usize,
}

/// Read `{"offers": [...]}` (API reply) or `[...]` (`--raw` output).
pub fn parse_offers(json: &str) -> Result<ParsedOffers, OfferError> {
    let v: serde_json::Value =
        serde_json::from_str(json).map_err(|e| OfferError::Json(e.to_string()))?;
    offers_from_value(v)
}

/// Same as [`parse_offers`] for an already parsed value.
pub fn offers_from_value(v: serde_json::Value) -> Result<ParsedOffers, OfferError> {
    let items = match v {
        serde_json::Value::Array(items) => items,
        serde_json::Value::Object(mut map) => match map.remove("offers") {
            Some(serde_json::Value::Array(items)) => items,
            _ => return Err(OfferError::Shape),
        },
        _ => return Err(OfferError::Shape),
    };
    let mut out = ParsedOffers {
        offers: Vec::with_capacity(items.len()),
        skipped: 0,
    };
    for item in items {
        match item {
            serde_json::Value::Object(_) => match Offer::deserialize(item) {
                Ok(o) => out.offers.push(o),
                Err(_) => out.skipped += 1,
            },
            _ => out.skipped += 1,
        }
    }
    Ok(out)
}

impl Offer {
    /// Reliability 0–1: `reliability2` when present, else `reliability`.
    pub fn reliability(&self) -> Option<f64> {
        self.reliability2.or(self.reliability)
    }

    /// GPUs, at least 1 for per-GPU math.
    pub fn gpus(&self) -> u32 {
        self.num_gpus.max(1)
    }

    /// VRAM per GPU in GiB. Vast's "MB" are MiB (a 24 GiB card reports 24564 → 23.99 GiB);
    /// the CLI's table divides by 1000 instead, which overstates it by 2.4 %.
    pub fn gpu_ram_gib(&self) -> Option<f64> {
        self.gpu_ram
            .or_else(|| self.gpu_total_ram.map(|t| t / f64::from(self.gpus())))
            .map(|mb| mb / 1024.0)
    }

    /// VRAM over all GPUs in GiB.
    pub fn gpu_total_ram_gib(&self) -> Option<f64> {
        self.gpu_total_ram
            .or_else(|| self.gpu_ram.map(|r| r * f64::from(self.gpus())))
            .map(|mb| mb / 1024.0)
    }

    /// Host RAM in GiB (whole machine; you get about `gpu_frac` of it).
    pub fn cpu_ram_gib(&self) -> Option<f64> {
        self.cpu_ram.map(|mb| mb / 1024.0)
    }

    pub fn is_verified(&self) -> bool {
        self.verification == "verified"
    }

    /// Country code from `"Region, CC"` (or the whole text when there is no comma).
    pub fn country_code(&self) -> &str {
        self.geolocation.rsplit(',').next().map_or("", str::trim)
    }

    /// Storage $/h for `disk_gb` GB: `storage_cost` ($/GB/month) × GB ÷ 720.
    pub fn storage_dph(&self, disk_gb: f64) -> f64 {
        self.storage_cost.unwrap_or(0.0) * disk_gb.max(0.0) / HOURS_PER_MONTH
    }

    /// Compute $/h (GPUs only). Falls back to `dph_total − storage_total_cost`.
    pub fn compute_dph(&self) -> Option<f64> {
        self.dph_base.or_else(|| {
            self.dph_total
                .map(|t| t - self.storage_total_cost.unwrap_or(0.0))
        })
    }

    /// $/h while running with `disk_gb` GB allocated: compute + storage (bandwidth extra).
    pub fn dph_with_storage(&self, disk_gb: f64) -> Option<f64> {
        self.compute_dph().map(|c| c + self.storage_dph(disk_gb))
    }

    /// $ to download `gb` GB into the instance (`inet_down_cost` $/GB).
    pub fn download_cost(&self, gb: f64) -> f64 {
        self.inet_down_cost.unwrap_or(0.0) * gb.max(0.0)
    }

    /// Seconds to download `gb` GB at the measured `inet_down` (Mbit/s), `None` if unknown/0.
    pub fn download_secs(&self, gb: f64) -> Option<f64> {
        let mbps = self.inet_down.filter(|m| *m > 0.0)?;
        Some(gb.max(0.0) * 8000.0 / mbps)
    }

    /// Parsed `cuda_max_good` as (major, minor), e.g. 12.2 → (12, 2).
    pub fn cuda_version(&self) -> Option<(u32, u32)> {
        self.cuda_max_good.and_then(cuda_from_f64)
    }
}

/// 12.2 → (12, 2); 12.10 is not representable as f64 text, Vast reports e.g. 12.9 / 13.2.
pub fn cuda_from_f64(v: f64) -> Option<(u32, u32)> {
    if !v.is_finite() || v < 0.0 {
        return None;
    }
    let text = format!("{v}");
    let (maj, min) = text.split_once('.').unwrap_or((text.as_str(), "0"));
    Some((maj.parse().ok()?, min.parse().ok()?))
}

/// Dollars → integer micro-dollars (rounded), for storing money.
pub fn to_micros(dollars: f64) -> i64 {
    if !dollars.is_finite() {
        return 0;
    }
    (dollars * 1_000_000.0)
        .round()
        .clamp(i64::MIN as f64, i64::MAX as f64) as i64
}

/// Integer micro-dollars → dollars (display math).
pub fn from_micros(micros: i64) -> f64 {
    micros as f64 / 1_000_000.0
}

// ---------------------------------------------------------------------------------------------
// Lenient field readers: accept numbers, numeric strings, bools; anything else → None/default.

fn lenient_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    let v = serde_json::Value::deserialize(d)?;
    Ok(value_f64(&v))
}

fn value_f64(v: &serde_json::Value) -> Option<f64> {
    match v {
        serde_json::Value::Number(n) => n.as_f64(),
        serde_json::Value::String(s) => s.trim().parse::<f64>().ok(),
        serde_json::Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
        _ => None,
    }
    .filter(|x| x.is_finite())
}

fn lenient_u64<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    let v = serde_json::Value::deserialize(d)?;
    Ok(match &v {
        serde_json::Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|x| *x >= 0.0 && x.fract() == 0.0)
                .map(|x| x as u64)
        }),
        serde_json::Value::String(s) => s.trim().parse::<u64>().ok(),
        _ => None,
    }
    .unwrap_or(0))
}

fn lenient_u32<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let n = lenient_u64(d)?;
    Ok(u32::try_from(n).unwrap_or(0))
}

fn lenient_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    let v = serde_json::Value::deserialize(d)?;
    Ok(match &v {
        serde_json::Value::Bool(b) => Some(*b),
        serde_json::Value::Number(n) => n.as_f64().map(|x| x != 0.0),
        serde_json::Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Some(true),
            "false" | "0" | "no" => Some(false),
            _ => None,
        },
        _ => None,
    })
}

fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let v = serde_json::Value::deserialize(d)?;
    Ok(match v {
        serde_json::Value::String(s) => s,
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::Bool(b) => b.to_string(),
        _ => String::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../server/data/vast");

    fn read(rel: &str) -> String {
        std::fs::read_to_string(format!("{DATA}/{rel}")).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    #[test]
    fn real_a100_offer() {
        let p = parse_offers(&read("raw_offer_2026_a100sxm4_jajajou.json")).unwrap();
        assert_eq!(p.skipped, 0);
        let o = &p.offers[0];
        assert_eq!(o.id, 39185351);
        assert_eq!(o.machine_id, 34447);
        assert_eq!(o.gpu_name, "A100 SXM4");
        assert_eq!(o.num_gpus, 1);
        assert_eq!(o.gpu_ram, Some(39936.0));
        assert_eq!(o.cuda_version(), Some((13, 2)));
        assert_eq!(o.driver_version, "595.58.03");
        assert_eq!(o.country_code(), "CA");
        assert!(o.is_verified());
        assert_eq!(o.rentable, Some(true));
        assert_eq!(o.reliability(), Some(0.9631111));
        // API.md: dph_total = dph_base + storage_cost × allocated GB / 720 (the search used 5 GB).
        let with5 = o.dph_with_storage(5.0).unwrap();
        assert!((with5 - o.dph_total.unwrap()).abs() < 1e-12, "{with5}");
        assert!((o.storage_dph(5.0) - o.storage_total_cost.unwrap()).abs() < 1e-15);
        // 100 GB instead: 0.26667 $/GB/month × 100 / 720 = 0.037 $/h on top of 0.6933.
        assert!(
            (o.dph_with_storage(100.0).unwrap()
                - (0.6933333333333334 + 0.2666666666666666 * 100.0 / 720.0))
                .abs()
                < 1e-12
        );
        // 20 GB at 413.9 Mbit/s: 20 × 8000 / 413.9 ≈ 386.6 s.
        assert!((o.download_secs(20.0).unwrap() - 386.566).abs() < 0.01);
        // Serialises (for server fns) and reads back unchanged.
        let back: Offer = serde_json::from_str(&serde_json::to_string(o).unwrap()).unwrap();
        assert_eq!(&back, o);
    }

    #[test]
    fn real_8x5090_offer() {
        let p = parse_offers(&read("palimon-vastai-tools/examplemachine.json")).unwrap();
        let o = &p.offers[0];
        assert_eq!(o.num_gpus, 8);
        assert_eq!(o.gpu_name, "RTX 5090");
        assert_eq!(o.gpu_total_ram_gib(), Some(260856.0 / 1024.0));
        assert_eq!(o.rentable, Some(false));
        assert!(
            (o.dlperf_per_dphtotal.unwrap() - o.dlperf.unwrap() / o.dph_total.unwrap()).abs()
                < 1e-9
        );
    }

    #[test]
    fn lenient_fields() {
        let p = parse_offers(
            r#"{"offers": [
                {"id": "42", "num_gpus": "2", "gpu_ram": "24564", "dph_total": null, "rentable": "true",
                 "gpu_name": 4090, "inet_down": "fast", "cuda_max_good": "12.4", "geolocation": null,
                 "gpu_total_ram": {"x": 1}, "reliability": 0.99},
                7,
                {}
            ]}"#,
        )
        .unwrap();
        assert_eq!(p.skipped, 1);
        let o = &p.offers[0];
        assert_eq!(o.id, 42);
        assert_eq!(o.num_gpus, 2);
        assert_eq!(o.gpu_ram, Some(24564.0));
        assert_eq!(o.gpu_total_ram_gib(), Some(2.0 * 24564.0 / 1024.0));
        assert_eq!(o.dph_total, None);
        assert_eq!(o.rentable, Some(true));
        assert_eq!(o.gpu_name, "4090");
        assert_eq!(o.inet_down, None);
        assert_eq!(o.cuda_version(), Some((12, 4)));
        assert_eq!(o.reliability(), Some(0.99));
        assert_eq!(p.offers[1], Offer::default());
        assert!(parse_offers("{").is_err());
        assert_eq!(parse_offers("{\"x\": 1}"), Err(OfferError::Shape));
        assert_eq!(to_micros(0.6951851851851852), 695185);
        assert_eq!(from_micros(695185), 0.695185);
    }
}
