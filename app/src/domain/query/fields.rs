//! Field tables of `vastai search offers` (vastai 1.9.1): recognised names, aliases and the unit
//! multipliers the CLI applies before sending. Written from the CLI's observed behaviour and
//! API.md §2.3.

/// Field names the CLI recognises for offers. Others are sent anyway, with a warning.
pub const KNOWN_FIELDS: &[&str] = &[
    "bw_nvlink",
    "cluster_id",
    "compute_cap",
    "cpu_arch",
    "cpu_cores",
    "cpu_cores_effective",
    "cpu_ghz",
    "cpu_ram",
    "cuda_max_good",
    "datacenter",
    "direct_port_count",
    "disk_bw",
    "disk_space",
    "dlperf",
    "dlperf_per_dphtotal",
    "dph_total",
    "driver_version",
    "duration",
    "external",
    "flops_per_dphtotal",
    "geolocation",
    "gpu_arch",
    "gpu_display_active",
    "gpu_frac",
    "gpu_max_power",
    "gpu_max_temp",
    "gpu_mem_bw",
    "gpu_name",
    "gpu_ram",
    "gpu_total_ram",
    "has_avx",
    "host_id",
    "id",
    "inet_down",
    "inet_down_cost",
    "inet_up",
    "inet_up_cost",
    "machine_id",
    "min_bid",
    "mobo_name",
    "num_gpus",
    "pci_gen",
    "pcie_bw",
    "reliability",
    "rentable",
    "rented",
    "static_ip",
    "storage_cost",
    "total_flops",
    "ubuntu_version",
    "verification",
    "verified",
    "vms_enabled",
];

/// `(alias, canonical)`: applied to query fields and to `-o` order fields.
pub const ALIASES: &[(&str, &str)] = &[
    ("cuda_vers", "cuda_max_good"),
    ("display_active", "gpu_display_active"),
    ("dlperf_usd", "dlperf_per_dphtotal"),
    ("dph", "dph_total"),
    ("flops_usd", "flops_per_dphtotal"),
];

/// `(field, multiplier)`: the user's number is multiplied and sent as a float.
/// RAM fields: GB → MB (×1000); duration: days → seconds.
pub const MULTIPLIERS: &[(&str, f64)] = &[
    ("cpu_ram", 1000.0),
    ("gpu_ram", 1000.0),
    ("gpu_total_ram", 1000.0),
    ("duration", 86400.0),
];

/// The default query (unless `-n`), in the CLI's key order.
pub const DEFAULT_QUERY: &[(&str, bool)] =
    &[("verified", true), ("external", false), ("rentable", true)];

/// Canonical name of a field or order key (aliases resolved).
pub fn canonical_field(name: &str) -> &str {
    ALIASES
        .iter()
        .find(|(a, _)| *a == name)
        .map_or(name, |(_, c)| c)
}

/// Whether the CLI knows this (canonical) field; unknown ones draw a warning only.
pub fn is_known_field(canonical: &str) -> bool {
    KNOWN_FIELDS.contains(&canonical)
}

/// Unit multiplier for a canonical field, if the CLI applies one.
pub fn multiplier(canonical: &str) -> Option<f64> {
    MULTIPLIERS
        .iter()
        .find(|(f, _)| *f == canonical)
        .map(|(_, m)| *m)
}
