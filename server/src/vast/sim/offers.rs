//! The simulator's offer book: the real captured offers turned back into raw-offer shape,
//! plus a deterministic generator that scales them to any count.
//!
//! Sources (see `server/data/vast/SOURCES.md`):
//! * `offers_palimon_merged.csv` — 1,418 rows (one junk row is skipped) flattened by their
//!   author from `vastai search offers --raw`. The transforms are undone here where they can
//!   be: `PricePerHour` was `search.gpuCostPerHour ÷ num_gpus × 0.75`, so
//!   `dph_base = PricePerHour ÷ 0.75 × num_gpus` (the CSV rounded it to cents, so prices are
//!   ±1.5 %); `RAM` was bucketed GB, `Storage` TB, `*CostPerTB` = $/GB × 1024, `VRAM_GB` =
//!   `gpu_ram` ÷ 1024 (mapped back to the exact MB values Vast reports where known).
//! * Two complete raw offers (an 8× RTX 5090 from 2025 and an A100 SXM4 from 2026) are used
//!   as they are (dates shifted to "now", IPs replaced) and define the field set.
//!
//! Fields the CSV lacks are DERIVED, deterministically from the machine id, and marked
//! "derived" below: GPU performance (`dlperf`, `total_flops`, `gpu_mem_bw`, `compute_cap`,
//! power, NVLink) from a per-model table of approximate public figures; driver/CUDA from
//! the versions seen in captures; `reliability` skewed high (0.87–0.999) like the market;
//! `verification` (85 % verified — the CSV's column is always empty); `geolocation` from a
//! weighted list of common host regions (the CSV's column is always empty); `min_bid` 45–90 %
//! of `dph_base` (the two raw offers show 49 % and 87 %); `score` = dlperf_per_dphtotal^0.75
//! × dlperf^0.25 × reliability^9 (fitted to the two raw offers — Vast's formula is not
//! published); listing dates. IP addresses are always from the TEST-NET ranges
//! (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24), so nothing ever connects to a real host.
//!
//! The generator adds offers for GPUs people train on that the captures lack (H100, H200,
//! A100, L40S, RTX 3090/5090, ...). Host hardware (CPU, RAM, disk, network, storage price) is
//! resampled from captured rows of the same class (server-grade rows for datacenter GPUs).
//! Prices: models present in the captures resample their own captured price per GPU (±10 %
//! log-normal jitter); other models use a price ratio to the RTX 4090 (approximate public
//! market relations, L) anchored at the captured RTX 4090 median, times a dispersion factor
//! resampled from the captured RTX 4090 prices (price ÷ median), so the spread matches the
//! real market's shape.

use serde_json::{Map, Value, json};
use std::collections::HashMap;

const EMBEDDED_CSV: &str = include_str!("../../../data/vast/offers_palimon_merged.csv");
const EMBEDDED_RAW_5090: &str =
    include_str!("../../../data/vast/palimon-vastai-tools/examplemachine.json");
const EMBEDDED_RAW_A100: &str =
    include_str!("../../../data/vast/raw_offer_2026_a100sxm4_jajajou.json");

/// SplitMix64: tiny, fast, deterministic PRNG (fine for test data, not for secrets).
#[derive(Clone, Debug)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.f64()
    }
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }
    /// Approximately standard normal (sum of 4 uniforms, rescaled).
    pub fn normal(&mut self) -> f64 {
        let s: f64 = (0..4).map(|_| self.f64()).sum();
        (s - 2.0) * (3.0f64).sqrt()
    }
    pub fn weighted<'a, T>(&mut self, items: &'a [(T, f64)]) -> &'a T {
        let total: f64 = items.iter().map(|(_, w)| *w).sum();
        let mut x = self.f64() * total;
        for (it, w) in items {
            if x < *w {
                return it;
            }
            x -= *w;
        }
        &items[items.len() - 1].0
    }
}

/// A stream seeded from a key, so derived values don't depend on iteration order.
fn rng_for(seed: u64, key: u64) -> SplitMix64 {
    let mut r = SplitMix64::new(seed ^ key.wrapping_mul(0xA24B_AED4_963E_E407));
    r.next_u64();
    r
}

/// Approximate public figures per GPU model (derived data, L). `price_vs_4090` is the
/// market price ratio used only for models absent from the captures.
#[derive(Clone, Copy, Debug)]
pub struct GpuSpec {
    pub name: &'static str,
    /// MB per GPU as Vast reports it (alternatives in `ram_alt`).
    pub ram_mb: u32,
    pub ram_alt: &'static [(u32, f64)],
    pub fp32_tflops: f64,
    /// Vast DL-perf of one GPU.
    pub dlperf: f64,
    pub mem_bw: f64,
    pub max_power: f64,
    pub compute_cap: u32,
    pub nvlink: f64,
    pub price_vs_4090: f64,
    pub datacenter: bool,
    /// Weight in the generated mix.
    pub weight: f64,
}

macro_rules! g {
    ($n:expr, $ram:expr, $alt:expr, $tf:expr, $dl:expr, $bw:expr, $pw:expr, $cc:expr, $nv:expr, $pr:expr, $dc:expr, $w:expr) => {
        GpuSpec {
            name: $n,
            ram_mb: $ram,
            ram_alt: $alt,
            fp32_tflops: $tf,
            dlperf: $dl,
            mem_bw: $bw,
            max_power: $pw,
            compute_cap: $cc,
            nvlink: $nv,
            price_vs_4090: $pr,
            datacenter: $dc,
            weight: $w,
        }
    };
}

/// The per-model table (derived, approximate).
pub const GPU_SPECS: &[GpuSpec] = &[
    g!(
        "RTX 4090",
        24564,
        &[],
        82.6,
        106.0,
        1008.0,
        450.0,
        890,
        0.0,
        1.0,
        false,
        20.0
    ),
    g!(
        "RTX 3090",
        24576,
        &[],
        35.6,
        56.0,
        936.0,
        350.0,
        860,
        0.0,
        0.5,
        false,
        12.0
    ),
    g!(
        "RTX 5090",
        32607,
        &[],
        104.8,
        96.0,
        1792.0,
        575.0,
        1200,
        0.0,
        1.6,
        false,
        10.0
    ),
    g!(
        "H100 SXM",
        81559,
        &[],
        67.0,
        230.0,
        3350.0,
        700.0,
        900,
        900.0,
        5.0,
        true,
        8.0
    ),
    g!(
        "H100 PCIE",
        81559,
        &[],
        51.0,
        170.0,
        2000.0,
        350.0,
        900,
        0.0,
        4.0,
        true,
        3.0
    ),
    g!(
        "H100 NVL",
        95830,
        &[],
        60.0,
        200.0,
        3900.0,
        400.0,
        900,
        600.0,
        4.5,
        true,
        2.0
    ),
    g!(
        "H200",
        143771,
        &[],
        67.0,
        260.0,
        4800.0,
        700.0,
        900,
        900.0,
        7.0,
        true,
        4.0
    ),
    g!(
        "A100 SXM4",
        81920,
        &[(40960, 0.2), (39936, 0.1)],
        19.5,
        92.0,
        2039.0,
        400.0,
        800,
        300.0,
        2.6,
        true,
        6.0
    ),
    g!(
        "A100 PCIE",
        81920,
        &[(40960, 0.4)],
        19.5,
        80.0,
        1935.0,
        300.0,
        800,
        0.0,
        2.0,
        true,
        4.0
    ),
    g!(
        "L40S",
        46068,
        &[],
        91.6,
        112.0,
        864.0,
        350.0,
        890,
        0.0,
        1.8,
        true,
        5.0
    ),
    g!(
        "L40",
        46068,
        &[],
        90.5,
        100.0,
        864.0,
        300.0,
        890,
        0.0,
        1.6,
        true,
        2.0
    ),
    g!(
        "A40",
        46068,
        &[],
        37.4,
        60.0,
        696.0,
        300.0,
        860,
        0.0,
        1.1,
        true,
        2.0
    ),
    g!(
        "RTX A6000",
        49140,
        &[],
        38.7,
        60.0,
        768.0,
        300.0,
        860,
        0.0,
        0.9,
        false,
        4.0
    ),
    g!(
        "RTX 6000Ada",
        49140,
        &[],
        91.1,
        110.0,
        960.0,
        300.0,
        890,
        0.0,
        1.3,
        false,
        4.0
    ),
    g!(
        "RTX PRO 6000 WS",
        97887,
        &[],
        125.0,
        150.0,
        1792.0,
        600.0,
        1200,
        0.0,
        2.0,
        false,
        4.0
    ),
    g!(
        "RTX PRO 5000",
        48937,
        &[],
        74.0,
        95.0,
        1344.0,
        300.0,
        1200,
        0.0,
        1.4,
        false,
        1.0
    ),
    g!(
        "RTX 5000Ada",
        32757,
        &[],
        65.3,
        80.0,
        576.0,
        250.0,
        890,
        0.0,
        0.8,
        false,
        1.0
    ),
    g!(
        "RTX A5000",
        24564,
        &[],
        27.8,
        45.0,
        768.0,
        230.0,
        860,
        0.0,
        0.5,
        false,
        3.0
    ),
    g!(
        "RTX A4000",
        16376,
        &[],
        19.2,
        30.0,
        448.0,
        140.0,
        860,
        0.0,
        0.35,
        false,
        2.0
    ),
    g!(
        "RTX 5080",
        16303,
        &[],
        56.3,
        70.0,
        960.0,
        360.0,
        1200,
        0.0,
        0.7,
        false,
        3.0
    ),
    g!(
        "RTX 5060 Ti",
        16311,
        &[],
        23.7,
        35.0,
        448.0,
        180.0,
        1200,
        0.0,
        0.3,
        false,
        3.0
    ),
    g!(
        "RTX 4080S",
        16376,
        &[],
        52.2,
        70.0,
        736.0,
        320.0,
        890,
        0.0,
        0.5,
        false,
        2.0
    ),
    g!(
        "RTX 4060 Ti",
        16380,
        &[],
        22.1,
        30.0,
        288.0,
        165.0,
        890,
        0.0,
        0.3,
        false,
        2.0
    ),
    g!(
        "RTX 3060",
        12288,
        &[],
        12.7,
        20.0,
        360.0,
        170.0,
        860,
        0.0,
        0.2,
        false,
        2.0
    ),
    g!(
        "RTX 2080 Ti",
        11264,
        &[],
        13.4,
        25.0,
        616.0,
        250.0,
        750,
        0.0,
        0.3,
        false,
        1.0
    ),
    g!(
        "Tesla V100",
        32768,
        &[(16384, 0.5)],
        15.7,
        40.0,
        900.0,
        300.0,
        700,
        300.0,
        0.6,
        true,
        2.0
    ),
    g!(
        "Q RTX 8000",
        49152,
        &[(46080, 0.4)],
        16.3,
        30.0,
        672.0,
        260.0,
        750,
        0.0,
        0.4,
        false,
        1.0
    ),
    g!(
        "A10",
        23028,
        &[],
        31.2,
        40.0,
        600.0,
        150.0,
        860,
        0.0,
        0.5,
        true,
        1.0
    ),
    g!(
        "L4",
        23034,
        &[],
        30.3,
        35.0,
        300.0,
        72.0,
        890,
        0.0,
        0.6,
        true,
        1.0
    ),
    g!(
        "B200",
        183359,
        &[],
        80.0,
        400.0,
        8000.0,
        1000.0,
        1000,
        1800.0,
        10.0,
        true,
        1.0
    ),
];

pub fn gpu_spec(name: &str) -> Option<&'static GpuSpec> {
    GPU_SPECS.iter().find(|s| s.name == name)
}

/// Exact MB values Vast reports for common cards (gpu_models.csv), used to undo `VRAM_GB`.
const KNOWN_RAM_MB: &[u32] = &[
    24564, 24576, 49140, 32607, 16376, 46068, 49152, 46080, 81559, 81920, 40960, 39936, 143771,
    95830, 12288, 11264, 16380, 23028, 32768, 16384,
];

fn ram_from_gib(gib: f64) -> u32 {
    for k in KNOWN_RAM_MB {
        if ((*k as f64) / 1024.0 - gib).abs() < 0.006 {
            return *k;
        }
    }
    (gib * 1024.0).round().max(0.0) as u32
}

/// (driver, CUDA) pairs seen in captures; Blackwell needs ≥ 570.
const DRIVERS: &[(&str, f64, bool)] = &[
    ("535.183.01", 12.2, false),
    ("550.127.05", 12.4, false),
    ("560.35.03", 12.6, false),
    ("565.57.01", 12.7, false),
    ("570.133.07", 12.8, true),
    ("575.64.03", 12.9, true),
    ("580.82.07", 13.0, true),
    ("590.44.01", 13.1, true),
    ("595.58.03", 13.2, true),
];

const REGIONS: &[(&str, f64)] = &[
    ("Texas, US", 8.0),
    ("California, US", 6.0),
    ("Virginia, US", 3.0),
    ("Oregon, US", 2.0),
    ("Utah, US", 2.0),
    ("Georgia, US", 2.0),
    ("New York, US", 2.0),
    (", US", 3.0),
    ("Quebec, CA", 4.0),
    ("Ontario, CA", 2.0),
    ("Alberta, CA", 1.0),
    ("Czechia, CZ", 3.0),
    ("Germany, DE", 3.0),
    ("Netherlands, NL", 2.0),
    ("Sweden, SE", 3.0),
    ("Norway, NO", 2.0),
    ("Finland, FI", 2.0),
    ("Poland, PL", 2.0),
    ("Romania, RO", 1.0),
    ("Bulgaria, BG", 2.0),
    ("Spain, ES", 1.0),
    ("France, FR", 1.0),
    ("United Kingdom, GB", 2.0),
    ("Italy, IT", 1.0),
    ("Taiwan, TW", 3.0),
    ("Japan, JP", 2.0),
    ("Korea, KR", 2.0),
    ("Guangxi, CN", 2.0),
    ("Hong Kong, HK", 2.0),
    ("Vietnam, VN", 2.0),
    ("Australia, AU", 1.0),
    ("Brazil, BR", 1.0),
];

const DISKS: &[&str] = &[
    "Samsung SSD 990 PRO 4TB",
    "SAMSUNG MZQL23T8HCLS-00A07",
    "Micron_7450_MTFDKCC3T8TFR",
    "KIOXIA KCD8XPUG3T84",
    "WD_BLACK SN850X 4000GB",
    "INTEL SSDPE2KX040T8",
    "Lexar SSD NM710 2TB",
    "MEMBLAZE P7940DT0768Y00",
    "Samsung SSD 980 PRO 2TB",
    "",
];

/// A captured row with the CSV's transforms undone.
#[derive(Clone, Debug)]
struct CsvOffer {
    rented_file: bool,
    machine_id: u64,
    gpu_name: String,
    num_gpus: u32,
    price_per_gpu: f64,
    cpu_name: String,
    cpu_cores: u32,
    cpu_cores_effective: f64,
    ram_gb_bucket: f64,
    disk_tb: f64,
    pcie_bw: f64,
    disk_bw: f64,
    inet_down: f64,
    inet_up: f64,
    inet_down_per_tb: f64,
    inet_up_per_tb: f64,
    storage_cost: f64,
    mobo: String,
    vram_gib: f64,
}

/// Minimal CSV: comma-separated, optional double quotes with `""` escapes, BOM tolerated.
pub fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut in_q = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if in_q {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    field.push('"');
                    chars.next();
                } else {
                    in_q = false;
                }
            } else {
                field.push(c);
            }
            continue;
        }
        match c {
            '"' => in_q = true,
            ',' => row.push(std::mem::take(&mut field)),
            '\r' => {}
            '\n' => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            _ => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

fn parse_captured_csv(text: &str) -> Vec<CsvOffer> {
    let rows = parse_csv(text);
    let Some(header) = rows.first() else {
        return Vec::new();
    };
    let col: HashMap<&str, usize> = header
        .iter()
        .enumerate()
        .map(|(i, h)| (h.trim(), i))
        .collect();
    let get = |r: &Vec<String>, k: &str| -> String {
        col.get(k)
            .and_then(|i| r.get(*i))
            .map(|s| s.to_string())
            .unwrap_or_default()
    };
    let num = |r: &Vec<String>, k: &str| -> f64 {
        get(r, k)
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .unwrap_or(0.0)
    };
    let mut out = Vec::new();
    for r in rows.iter().skip(1) {
        let n = num(r, "NumGPUs");
        let price = num(r, "PricePerHour");
        let gpu = get(r, "GPU");
        // The junk row (empty query result) has 0 GPUs and NaN price.
        if n < 1.0 || price <= 0.0 || gpu.trim().is_empty() {
            continue;
        }
        out.push(CsvOffer {
            rented_file: get(r, "file_state") == "rented",
            machine_id: num(r, "MachineID") as u64,
            gpu_name: gpu.trim().to_string(),
            num_gpus: n as u32,
            price_per_gpu: price / 0.75,
            cpu_name: get(r, "CPU"),
            cpu_cores: num(r, "CPUCores") as u32,
            cpu_cores_effective: num(r, "CPUCoresEffective"),
            ram_gb_bucket: num(r, "RAM"),
            disk_tb: num(r, "Storage"),
            pcie_bw: num(r, "PCIE"),
            disk_bw: num(r, "DiskBW"),
            inet_down: num(r, "InetDown"),
            inet_up: num(r, "InetUp"),
            inet_down_per_tb: num(r, "InternetDownCostPerTB"),
            inet_up_per_tb: num(r, "InternetUpCostPerTB"),
            storage_cost: num(r, "StorageCost"),
            mobo: get(r, "MoboName"),
            vram_gib: num(r, "VRAM_GB"),
        });
    }
    out
}

/// Where the captured data comes from.
#[derive(Clone, Debug, Default)]
pub enum OfferSource {
    /// The copies compiled into the binary.
    #[default]
    Embedded,
    /// A directory laid out like `server/data/vast/`.
    Dir(std::path::PathBuf),
}

struct Captures {
    csv: Vec<CsvOffer>,
    raw: Vec<Map<String, Value>>,
}

fn load_captures(src: &OfferSource) -> Result<Captures, String> {
    let (csv, raws) = match src {
        OfferSource::Embedded => (
            EMBEDDED_CSV.to_string(),
            vec![EMBEDDED_RAW_5090.to_string(), EMBEDDED_RAW_A100.to_string()],
        ),
        OfferSource::Dir(d) => {
            let read = |p: &str| {
                std::fs::read_to_string(d.join(p))
                    .map_err(|e| format!("{}: {e}", d.join(p).display()))
            };
            (
                read("offers_palimon_merged.csv")?,
                vec![
                    read("palimon-vastai-tools/examplemachine.json")?,
                    read("raw_offer_2026_a100sxm4_jajajou.json")?,
                ],
            )
        }
    };
    let mut raw = Vec::new();
    for t in raws {
        let v: Value = serde_json::from_str(t.trim_start_matches('\u{feff}'))
            .map_err(|e| format!("raw offer JSON: {e}"))?;
        if let Value::Array(items) = v {
            raw.extend(items.into_iter().filter_map(|o| match o {
                Value::Object(m) => Some(m),
                _ => None,
            }));
        }
    }
    Ok(Captures {
        csv: parse_captured_csv(&csv),
        raw,
    })
}

/// Everything needed to write one raw offer.
struct Seed<'a> {
    id: u64,
    machine_id: u64,
    spec: Option<&'static GpuSpec>,
    gpu_name: &'a str,
    num_gpus: u32,
    machine_gpus: u32,
    gpu_ram_mb: u32,
    dph_base: f64,
    storage_cost: f64,
    cpu_name: &'a str,
    cpu_cores: u32,
    cpu_ram_mb: u64,
    disk_gb: f64,
    pcie_bw: f64,
    disk_bw: f64,
    inet_down: f64,
    inet_up: f64,
    inet_down_cost: f64,
    inet_up_cost: f64,
    mobo: &'a str,
    rentable: bool,
    datacenter: bool,
}

fn round_to(x: f64, dp: i32) -> f64 {
    let p = 10f64.powi(dp);
    (x * p).round() / p
}

fn test_net_ip(r: &mut SplitMix64) -> String {
    let nets = ["192.0.2", "198.51.100", "203.0.113"];
    format!("{}.{}", nets[r.below(3) as usize], 1 + r.below(254))
}

fn build(seed: &Seed, now: f64, rseed: u64) -> Map<String, Value> {
    // Everything derived comes from a stream keyed by the offer id.
    let mut r = rng_for(rseed, seed.id);
    let spec = seed.spec;
    let n = seed.num_gpus.max(1) as f64;
    let blackwell = spec.map(|s| s.compute_cap >= 1000).unwrap_or(false);
    let drivers: Vec<&(&str, f64, bool)> = DRIVERS.iter().filter(|d| d.2 || !blackwell).collect();
    let (driver, cuda, _) = *drivers[r.below(drivers.len() as u64) as usize];
    let driver_vers: u64 = driver
        .split('.')
        .fold(0u64, |acc, p| acc * 1000 + p.parse::<u64>().unwrap_or(0));
    // derived: performance from the model table, scaled for multi-GPU and host quality.
    let per_gpu_dl = spec.map(|s| s.dlperf).unwrap_or(40.0);
    let scale = 0.96f64.powf(n.log2());
    let dlperf = per_gpu_dl * n * scale * r.range(0.88, 1.04);
    let total_flops = spec.map(|s| s.fp32_tflops).unwrap_or(20.0) * n * r.range(0.82, 1.0);
    let reliability = round_to(1.0 - 10f64.powf(r.range(-3.0, -0.9)), 7);
    let verification = *r.weighted(&[
        ("verified", 85.0),
        ("unverified", 13.0),
        ("deverified", 2.0),
    ]);
    let (geo, _) = REGIONS[{
        let total: f64 = REGIONS.iter().map(|(_, w)| w).sum();
        let mut x = r.f64() * total;
        let mut idx = 0;
        for (i, (_, w)) in REGIONS.iter().enumerate() {
            if x < *w {
                idx = i;
                break;
            }
            x -= w;
        }
        idx
    }];
    let pci_gen = if seed.pcie_bw > 30.0 {
        5.0
    } else if seed.pcie_bw > 14.0 {
        4.0
    } else {
        3.0
    };
    let gen_bw = match pci_gen as u32 {
        5 => 50.0,
        4 => 25.0,
        _ => 12.5,
    };
    let lanes = if seed.pcie_bw >= gen_bw * 0.6 {
        16
    } else if seed.pcie_bw >= gen_bw * 0.3 {
        8
    } else {
        4
    };
    let gpu_base = 100_000 + seed.machine_id * 16;
    let gpu_ids: Vec<u64> = (0..seed.num_gpus as u64).map(|i| gpu_base + i).collect();
    let start_date = now - r.range(86_400.0, 200.0 * 86_400.0);
    let end_date = (now + r.range(3.0 * 86_400.0, 180.0 * 86_400.0)).round();
    let credit_discount_max = *r.weighted(&[
        (0.0, 40.0),
        (0.05, 20.0),
        (0.1, 15.0),
        (0.2, 15.0),
        (0.4, 10.0),
    ]);
    let min_bid = round_to(seed.dph_base * r.range(0.45, 0.9), 6);
    let host_id = {
        let mut hr = rng_for(rseed ^ 0x5157, seed.machine_id);
        1000 + hr.below(300_000)
    };
    let mut m = Map::new();
    let ins = |m: &mut Map<String, Value>, k: &str, v: Value| {
        m.insert(k.to_string(), v);
    };
    ins(&mut m, "id", json!(seed.id));
    ins(&mut m, "ask_contract_id", json!(seed.id));
    ins(
        &mut m,
        "bundle_id",
        json!(1_500_000_000u64 + (seed.id * 7919) % 400_000_000),
    );
    ins(&mut m, "bundled_results", Value::Null);
    ins(&mut m, "machine_id", json!(seed.machine_id));
    ins(&mut m, "host_id", json!(host_id));
    ins(&mut m, "num_gpus", json!(seed.num_gpus));
    ins(&mut m, "gpu_name", json!(seed.gpu_name));
    ins(&mut m, "gpu_ram", json!(seed.gpu_ram_mb));
    ins(
        &mut m,
        "gpu_total_ram",
        json!(seed.gpu_ram_mb as u64 * seed.num_gpus as u64),
    );
    ins(
        &mut m,
        "gpu_frac",
        json!(round_to(n / seed.machine_gpus.max(seed.num_gpus) as f64, 7)),
    );
    ins(&mut m, "gpu_ids", json!(gpu_ids));
    ins(&mut m, "gpu_arch", json!("nvidia"));
    ins(&mut m, "gpu_lanes", json!(lanes));
    ins(
        &mut m,
        "gpu_mem_bw",
        json!(round_to(
            spec.map(|s| s.mem_bw).unwrap_or(600.0) * r.range(0.8, 0.95),
            1
        )),
    );
    ins(
        &mut m,
        "gpu_max_power",
        json!(spec.map(|s| s.max_power).unwrap_or(250.0)),
    );
    ins(
        &mut m,
        "gpu_max_temp",
        json!(round_to(r.range(83.0, 97.0), 0)),
    );
    ins(
        &mut m,
        "gpu_display_active",
        json!(!seed.datacenter && r.f64() < 0.08),
    );
    ins(
        &mut m,
        "bw_nvlink",
        json!(if seed.num_gpus > 1
            || spec
                .map(|s| s.nvlink > 0.0 && s.datacenter)
                .unwrap_or(false)
        {
            spec.map(|s| s.nvlink).unwrap_or(0.0)
        } else {
            0.0
        }),
    );
    ins(
        &mut m,
        "compute_cap",
        json!(spec.map(|s| s.compute_cap).unwrap_or(860)),
    );
    ins(&mut m, "cuda_max_good", json!(cuda));
    ins(&mut m, "driver_version", json!(driver));
    ins(&mut m, "driver_vers", json!(driver_vers));
    ins(&mut m, "cpu_name", json!(seed.cpu_name));
    ins(&mut m, "cpu_arch", json!("amd64"));
    ins(&mut m, "cpu_cores", json!(seed.cpu_cores));
    ins(
        &mut m,
        "cpu_cores_effective",
        json!(round_to(
            seed.cpu_cores as f64 * n / seed.machine_gpus.max(seed.num_gpus) as f64,
            2
        )),
    );
    ins(&mut m, "cpu_ghz", json!(round_to(r.range(2.0, 3.9), 1)));
    ins(&mut m, "cpu_ram", json!(seed.cpu_ram_mb));
    ins(&mut m, "has_avx", json!(1));
    ins(
        &mut m,
        "mobo_name",
        if seed.mobo.is_empty() {
            Value::Null
        } else {
            json!(seed.mobo)
        },
    );
    ins(
        &mut m,
        "os_version",
        json!(*r.weighted(&[("22.04", 55.0), ("24.04", 35.0), ("20.04", 10.0)])),
    );
    ins(&mut m, "disk_space", json!(round_to(seed.disk_gb, 3)));
    ins(&mut m, "disk_bw", json!(round_to(seed.disk_bw, 1)));
    ins(
        &mut m,
        "disk_name",
        json!(DISKS[r.below(DISKS.len() as u64) as usize]),
    );
    ins(&mut m, "pci_gen", json!(pci_gen));
    ins(&mut m, "pcie_bw", json!(seed.pcie_bw));
    ins(&mut m, "inet_up", json!(seed.inet_up));
    ins(&mut m, "inet_down", json!(seed.inet_down));
    ins(&mut m, "inet_up_cost", json!(seed.inet_up_cost));
    ins(&mut m, "inet_down_cost", json!(seed.inet_down_cost));
    ins(
        &mut m,
        "internet_up_cost_per_tb",
        json!(seed.inet_up_cost * 1024.0),
    );
    ins(
        &mut m,
        "internet_down_cost_per_tb",
        json!(seed.inet_down_cost * 1024.0),
    );
    ins(
        &mut m,
        "direct_port_count",
        json!(if r.f64() < 0.05 {
            0
        } else {
            10 + r.below(2000)
        }),
    );
    ins(&mut m, "public_ipaddr", json!(test_net_ip(&mut r)));
    ins(&mut m, "static_ip", json!(r.f64() < 0.4));
    ins(&mut m, "geolocation", json!(geo));
    ins(&mut m, "geolocode", json!(r.below(2_000_000_000)));
    ins(
        &mut m,
        "hosting_type",
        json!(if seed.datacenter { 1 } else { 0 }),
    );
    ins(&mut m, "hostname", Value::Null);
    ins(&mut m, "webpage", Value::Null);
    ins(&mut m, "logo", json!("/static/logos/vastai_small2.png"));
    ins(&mut m, "dph_base", json!(seed.dph_base));
    ins(&mut m, "storage_cost", json!(seed.storage_cost));
    ins(&mut m, "credit_discount_max", json!(credit_discount_max));
    ins(&mut m, "discount_rate", json!(0.0));
    ins(&mut m, "discounted_hourly", json!(0.0));
    ins(&mut m, "min_bid", json!(min_bid));
    ins(&mut m, "is_bid", json!(false));
    ins(
        &mut m,
        "vram_costperhour",
        json!(seed.dph_base / (seed.gpu_ram_mb as f64 * n / 1024.0).max(1e-9)),
    );
    ins(&mut m, "dlperf", json!(dlperf));
    ins(&mut m, "total_flops", json!(total_flops));
    ins(&mut m, "reliability", json!(reliability));
    ins(&mut m, "reliability2", json!(reliability));
    ins(
        &mut m,
        "reliability_mult",
        json!(round_to(reliability.powi(9), 7)),
    );
    ins(&mut m, "expected_reliability", json!(0.0));
    ins(&mut m, "target_reliability", json!(0.0));
    ins(&mut m, "verification", json!(verification));
    ins(
        &mut m,
        "vericode",
        json!(if verification == "verified" { 1 } else { 0 }),
    );
    ins(&mut m, "rentable", json!(seed.rentable));
    ins(&mut m, "rented", json!(false));
    ins(&mut m, "external", Value::Null);
    ins(&mut m, "vms_enabled", json!(r.f64() < 0.2));
    ins(&mut m, "is_vm_deverified", json!(false));
    ins(&mut m, "resource_type", json!("gpu"));
    ins(&mut m, "start_date", json!(start_date));
    ins(&mut m, "end_date", json!(end_date));
    ins(&mut m, "time_remaining", json!(""));
    ins(&mut m, "time_remaining_isbid", json!(""));
    ins(&mut m, "cluster_id", Value::Null);
    ins(&mut m, "avail_vol_ask_id", json!(seed.id + 2));
    ins(
        &mut m,
        "avail_vol_dph",
        json!(seed.storage_cost / 720.0 * r.range(0.8, 1.4)),
    );
    ins(
        &mut m,
        "avail_vol_size",
        json!(round_to(seed.disk_gb * r.range(0.3, 0.6), 0)),
    );
    ins(&mut m, "nw_disk_min_bw", Value::Null);
    ins(&mut m, "nw_disk_max_bw", Value::Null);
    ins(&mut m, "nw_disk_avg_bw", Value::Null);
    ins(&mut m, "rn", json!(1));
    ins(&mut m, "sla_broker_rate", Value::Null);
    ins(&mut m, "sla_r_claim", json!(0.0));
    ins(&mut m, "sla_sigma_x", Value::Null);
    // Priced fields for the CLI default (5 GB, on-demand); recomputed per search.
    super::filter::apply_pricing(&mut m, 5.0, super::filter::PriceType::OnDemand, now);
    let dpd = m
        .get("dlperf_per_dphtotal")
        .and_then(Value::as_f64)
        .unwrap_or(0.0);
    let score = dpd.max(0.0).powf(0.75) * dlperf.max(0.0).powf(0.25) * reliability.powi(9);
    m.insert("score".into(), json!(score));
    m
}

/// Raw captures used as they are, with listing dates moved relative to `now` and the IP
/// replaced by a TEST-NET address.
fn adopt_raw(mut m: Map<String, Value>, now: f64, rseed: u64) -> Map<String, Value> {
    let id = m.get("id").and_then(Value::as_u64).unwrap_or(0);
    let mut r = rng_for(rseed, id);
    let dur = m
        .get("duration")
        .and_then(Value::as_f64)
        .unwrap_or(30.0 * 86_400.0)
        .abs();
    m.insert("end_date".into(), json!((now + dur).round()));
    m.insert(
        "start_date".into(),
        json!(now - r.range(86_400.0, 60.0 * 86_400.0)),
    );
    m.insert("public_ipaddr".into(), json!(test_net_ip(&mut r)));
    super::filter::apply_pricing(&mut m, 5.0, super::filter::PriceType::OnDemand, now);
    m
}

fn from_csv(c: &CsvOffer, id: u64, machine_gpus: u32, now: f64, rseed: u64) -> Map<String, Value> {
    let mut r = rng_for(rseed ^ 0xC5C5, c.machine_id);
    let spec = gpu_spec(&c.gpu_name);
    // RAM was bucketed upward to GB; real values sit a little below the bucket.
    let cpu_ram_mb = (c.ram_gb_bucket * 1024.0 * r.range(0.94, 0.995)).round() as u64;
    let seed = Seed {
        id,
        machine_id: c.machine_id,
        spec,
        gpu_name: &c.gpu_name,
        num_gpus: c.num_gpus,
        machine_gpus,
        gpu_ram_mb: ram_from_gib(c.vram_gib),
        dph_base: c.price_per_gpu * c.num_gpus as f64,
        storage_cost: c.storage_cost,
        cpu_name: &c.cpu_name,
        cpu_cores: c.cpu_cores,
        cpu_ram_mb,
        disk_gb: c.disk_tb * 1024.0,
        pcie_bw: c.pcie_bw,
        disk_bw: c.disk_bw,
        inet_down: c.inet_down,
        inet_up: c.inet_up,
        inet_down_cost: c.inet_down_per_tb / 1024.0,
        inet_up_cost: c.inet_up_per_tb / 1024.0,
        mobo: &c.mobo,
        rentable: !c.rented_file,
        // derived: server-class boards/CPUs with many GPUs look like datacenter hosts.
        datacenter: machine_gpus >= 8 && c.cpu_name.contains("EPYC"),
    };
    let mut m = build(&seed, now, rseed);
    // The CSV's effective vCPUs are real; keep them.
    if c.cpu_cores_effective > 0.0 {
        m.insert("cpu_cores_effective".into(), json!(c.cpu_cores_effective));
    }
    m
}

/// Builds the offer book: all captures (or a deterministic sample of `count` of them), then
/// generated offers up to `count`. `count = None` means captures plus enough generated
/// offers to reach [`DEFAULT_OFFER_COUNT`].
pub fn build_offers(
    src: &OfferSource,
    count: Option<usize>,
    seed: u64,
    now: f64,
) -> Result<Vec<Map<String, Value>>, String> {
    let caps = load_captures(src)?;
    let target = count.unwrap_or(DEFAULT_OFFER_COUNT);
    // GPUs per machine = the largest offer seen on it.
    let mut machine_gpus: HashMap<u64, u32> = HashMap::new();
    for c in &caps.csv {
        let e = machine_gpus.entry(c.machine_id).or_insert(0);
        *e = (*e).max(c.num_gpus);
    }
    let mut offers: Vec<Map<String, Value>> = Vec::new();
    for m in &caps.raw {
        offers.push(adopt_raw(m.clone(), now, seed));
    }
    for (i, c) in caps.csv.iter().enumerate() {
        let id = 28_000_000 + i as u64 * 97 + (c.machine_id % 89);
        offers.push(from_csv(
            c,
            id,
            machine_gpus
                .get(&c.machine_id)
                .copied()
                .unwrap_or(c.num_gpus),
            now,
            seed,
        ));
    }
    if target < offers.len() {
        // Deterministic sample, keeping the captured order.
        let mut r = SplitMix64::new(seed ^ 0x5A5A);
        let mut keyed: Vec<(u64, usize)> = (0..offers.len()).map(|i| (r.next_u64(), i)).collect();
        keyed.sort_unstable();
        let mut keep: Vec<usize> = keyed.into_iter().take(target).map(|(_, i)| i).collect();
        keep.sort_unstable();
        let mut it = offers.into_iter().enumerate();
        let mut out = Vec::with_capacity(target);
        let mut k = keep.into_iter().peekable();
        for (i, o) in it.by_ref() {
            if k.peek() == Some(&i) {
                out.push(o);
                k.next();
            }
        }
        return Ok(out);
    }
    let extra = target - offers.len();
    if caps.csv.is_empty() {
        // No host templates to resample from: the captures are all there is.
        return Ok(offers);
    }
    offers.extend(generate(&caps.csv, extra, seed, now));
    Ok(offers)
}

/// Default size of the offer book: the captures plus generated offers for the models they
/// lack.
pub const DEFAULT_OFFER_COUNT: usize = 3_000;

fn generate(csv: &[CsvOffer], count: usize, seed: u64, now: f64) -> Vec<Map<String, Value>> {
    let mut r = SplitMix64::new(seed);
    let weights: Vec<(&'static GpuSpec, f64)> = GPU_SPECS.iter().map(|s| (s, s.weight)).collect();
    let mut by_model: HashMap<&str, Vec<&CsvOffer>> = HashMap::new();
    for c in csv {
        by_model.entry(c.gpu_name.as_str()).or_default().push(c);
    }
    // Server-grade host templates for datacenter GPUs, all rows for the rest.
    let servers: Vec<&CsvOffer> = csv
        .iter()
        .filter(|c| c.cpu_cores >= 64 && c.ram_gb_bucket >= 256.0 && c.num_gpus >= 4)
        .collect();
    let all: Vec<&CsvOffer> = csv.iter().collect();
    let median_4090 = {
        let mut p: Vec<f64> = by_model
            .get("RTX 4090")
            .map(|v| v.iter().map(|c| c.price_per_gpu).collect())
            .unwrap_or_default();
        p.sort_by(|a, b| a.total_cmp(b));
        p.get(p.len() / 2).copied().unwrap_or(0.5)
    };
    let spread_4090: Vec<f64> = by_model
        .get("RTX 4090")
        .map(|v| v.iter().map(|c| c.price_per_gpu / median_4090).collect())
        .unwrap_or_else(|| vec![1.0]);
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let spec = *r.weighted(&weights);
        let own = by_model.get(spec.name).filter(|v| !v.is_empty());
        let num_gpus: u32 = if spec.datacenter {
            *r.weighted(&[(1, 25.0), (2, 15.0), (4, 20.0), (8, 40.0)])
        } else {
            *r.weighted(&[(1, 35.0), (2, 25.0), (4, 22.0), (8, 15.0), (6, 3.0)])
        };
        let machine_gpus = if r.f64() < 0.5 {
            num_gpus
        } else {
            (num_gpus * 2).min(8).max(num_gpus)
        };
        let pool: &Vec<&CsvOffer> = if spec.datacenter && !servers.is_empty() {
            &servers
        } else {
            own.unwrap_or(&all)
        };
        let host = pool[r.below(pool.len() as u64) as usize];
        let price_per_gpu = match own {
            Some(v) => v[r.below(v.len() as u64) as usize].price_per_gpu * (0.1 * r.normal()).exp(),
            None => {
                spec.price_vs_4090
                    * median_4090
                    * spread_4090[r.below(spread_4090.len() as u64) as usize]
                    * (0.05 * r.normal()).exp()
            }
        };
        let gpu_ram_mb = {
            let mut ram = spec.ram_mb;
            let x = r.f64();
            let mut acc = 0.0;
            for (alt, p) in spec.ram_alt {
                acc += p;
                if x < acc {
                    ram = *alt;
                    break;
                }
            }
            if let (Some(v), true) = (own, spec.ram_alt.is_empty()) {
                ram_from_gib(v[r.below(v.len() as u64) as usize].vram_gib)
            } else {
                ram
            }
        };
        // Host resources scale with the share of the machine.
        let cores = ((host.cpu_cores.max(8) as f64)
            * (machine_gpus as f64 / host.num_gpus.max(1) as f64).clamp(0.5, 4.0))
        .round() as u32;
        let ram_gb = (host.ram_gb_bucket.max(32.0)
            * (machine_gpus as f64 / host.num_gpus.max(1) as f64).clamp(0.5, 4.0))
        .max(32.0);
        let id = 32_000_000 + i as u64 * 41 + r.below(37);
        let machine_id = 60_000 + i as u64 * 3 + r.below(3);
        let seed_s = Seed {
            id,
            machine_id,
            spec: Some(spec),
            gpu_name: spec.name,
            num_gpus,
            machine_gpus,
            gpu_ram_mb,
            dph_base: (price_per_gpu * num_gpus as f64 * 1e6).round() / 1e6,
            storage_cost: host.storage_cost.max(0.05),
            cpu_name: &host.cpu_name,
            cpu_cores: cores.max(4),
            cpu_ram_mb: (ram_gb * 1024.0 * r.range(0.94, 0.995)).round() as u64,
            disk_gb: (host.disk_tb * 1024.0 * r.range(0.6, 1.4)).max(50.0),
            pcie_bw: if spec.datacenter {
                round_to(r.range(22.0, 55.0), 1)
            } else {
                host.pcie_bw
            },
            disk_bw: host.disk_bw.max(300.0),
            inet_down: host.inet_down.max(50.0),
            inet_up: host.inet_up.max(20.0),
            inet_down_cost: host.inet_down_per_tb / 1024.0,
            inet_up_cost: host.inet_up_per_tb / 1024.0,
            mobo: &host.mobo,
            rentable: r.f64() < 0.6,
            datacenter: spec.datacenter && r.f64() < 0.7,
        };
        out.push(build(&seed_s, now, seed ^ 0x6E6E));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captures_convert() {
        let offers = build_offers(&OfferSource::Embedded, Some(1419), 7, 1.8e9).unwrap();
        assert_eq!(offers.len(), 1419, "1,417 CSV rows + 2 raw offers");
        let ids: std::collections::HashSet<u64> =
            offers.iter().map(|o| o["id"].as_u64().unwrap()).collect();
        assert_eq!(ids.len(), offers.len(), "ids unique");
        let a100 = offers
            .iter()
            .find(|o| o["gpu_name"] == "A100 SXM4")
            .unwrap();
        assert!((a100["dph_total"].as_f64().unwrap() - 0.6951851851851852).abs() < 1e-12);
        let n4090 = offers
            .iter()
            .filter(|o| o["gpu_name"] == "RTX 4090")
            .count();
        assert_eq!(n4090, 674);
        let first = &offers[2];
        assert_eq!(first["gpu_name"], "Q RTX 8000");
        // 0.18 $/GPU/h host revenue / 0.75 = 0.24 $/h renter price.
        assert!((first["dph_base"].as_f64().unwrap() - 0.24).abs() < 1e-9);
        assert_eq!(first["gpu_ram"], 46080, "45.00 GiB");
        assert_eq!(first["rentable"], false);
        assert!(
            first["public_ipaddr"]
                .as_str()
                .unwrap()
                .starts_with("192.0.2.")
                || first["public_ipaddr"]
                    .as_str()
                    .unwrap()
                    .starts_with("198.51.100.")
                || first["public_ipaddr"]
                    .as_str()
                    .unwrap()
                    .starts_with("203.0.113.")
        );
        // Same key set as the newest raw capture.
        let raw: Vec<Value> = serde_json::from_str(EMBEDDED_RAW_A100).unwrap();
        for k in raw[0].as_object().unwrap().keys() {
            assert!(first.contains_key(k), "missing {k}");
        }
    }

    #[test]
    fn generator_is_deterministic_and_covers_training_gpus() {
        let a = build_offers(&OfferSource::Embedded, Some(6000), 42, 1.8e9).unwrap();
        let b = build_offers(&OfferSource::Embedded, Some(6000), 42, 1.8e9).unwrap();
        assert_eq!(a, b);
        for g in [
            "H100 SXM",
            "H100 PCIE",
            "H200",
            "A100 SXM4",
            "A100 PCIE",
            "L40S",
            "RTX 3090",
            "RTX 5090",
        ] {
            assert!(
                a.iter()
                    .any(|o| o["gpu_name"] == g && o["rentable"] == true),
                "{g}"
            );
        }
        let h100: Vec<f64> = a
            .iter()
            .filter(|o| o["gpu_name"] == "H100 SXM")
            .map(|o| o["dph_base"].as_f64().unwrap() / o["num_gpus"].as_f64().unwrap())
            .collect();
        let r4090: Vec<f64> = a
            .iter()
            .filter(|o| o["gpu_name"] == "RTX 4090")
            .map(|o| o["dph_base"].as_f64().unwrap() / o["num_gpus"].as_f64().unwrap())
            .collect();
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        assert!(mean(&h100) > 3.0 * mean(&r4090));
        let small = build_offers(&OfferSource::Embedded, Some(100), 1, 1.8e9).unwrap();
        assert_eq!(small.len(), 100);
    }

    #[test]
    fn csv_quotes() {
        let rows = parse_csv("a,b\n\"x,y\",\"he said \"\"hi\"\"\"\n");
        assert_eq!(
            rows[1],
            vec!["x,y".to_string(), "he said \"hi\"".to_string()]
        );
    }

    #[test]
    fn loads_from_dir() {
        let dir =
            std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../server/data/vast"));
        let offers = build_offers(&OfferSource::Dir(dir), Some(1419), 7, 1.8e9).unwrap();
        assert_eq!(offers.len(), 1419);
    }
}
