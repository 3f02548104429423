//! GPU host telemetry parsers (pure, no IO): `nvidia-smi --query-gpu`
//! CSV, `nvidia-smi dmon`, `df -B1`, and the watcher's batched probe output
//! (one SSH exec per check, split into `@@canopy:` sections).
//!
//! Every parser is total: garbage gives an `Err(TelemetryError)` (or a
//! per-row issue) with a clear message, never a panic. Reference:
//! `logs/FORMATS.md` §12 and the captures in `traces/h200/`.

use serde::{Deserialize, Serialize};

// ---------------------------------------------------------------------------
// errors

// Serialize only: `what` is a static tool name.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TelemetryError {
    /// No data at all.
    Empty { what: &'static str },
    /// Not the expected format (first offending line quoted, shortened).
    Garbage {
        what: &'static str,
        line: usize,
        text: String,
    },
    /// nvidia-smi itself reported a problem (driver not loaded, bad field).
    Tool { what: &'static str, message: String },
}

impl std::fmt::Display for TelemetryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TelemetryError::Empty { what } => write!(f, "{what}: no output"),
            TelemetryError::Garbage { what, line, text } => {
                write!(f, "{what}: unexpected output on line {line}: {text:?}")
            }
            TelemetryError::Tool { what, message } => write!(f, "{what}: {message}"),
        }
    }
}

impl std::error::Error for TelemetryError {}

fn short(s: &str) -> String {
    s.chars().take(120).collect()
}

/// Messages nvidia-smi prints instead of data.
fn tool_failure(text: &str) -> Option<String> {
    for pat in [
        "NVIDIA-SMI has failed",
        "is not a valid field to query",
        "No devices were found",
        "Failed to initialize NVML",
        "command not found",
        "No such file or directory",
        "Unable to determine the device handle",
    ] {
        if let Some(line) = text.lines().find(|l| l.contains(pat)) {
            return Some(short(line.trim()));
        }
    }
    None
}

// ---------------------------------------------------------------------------
// --query-gpu CSV

/// Columns of the H200 machine-facts capture (`query-gpu-noheader.csv`), in
/// order: what a simulated host's `nvidia-smi` knows beyond the 1 Hz samples.
pub const CAPTURE_QUERY_FIELDS: &[&str] = &[
    "timestamp",
    "name",
    "index",
    "uuid",
    "driver_version",
    "pci.bus_id",
    "pcie.link.gen.current",
    "pcie.link.width.current",
    "memory.total",
    "memory.used",
    "memory.free",
    "utilization.gpu",
    "utilization.memory",
    "temperature.gpu",
    "power.draw",
    "power.limit",
    "clocks.sm",
    "clocks.mem",
    "clocks.max.sm",
    "fan.speed",
    "pstate",
    "compute_cap",
    "ecc.errors.uncorrected.volatile.total",
];

/// The fields the watcher queries, in order. The probe script generator
/// builds `--query-gpu=` from this list and the parser maps by position.
pub const GPU_QUERY_FIELDS: &[&str] = &[
    "timestamp",
    "index",
    "name",
    "uuid",
    "utilization.gpu",
    "utilization.memory",
    "memory.used",
    "memory.total",
    "power.draw",
    "power.limit",
    "temperature.gpu",
    "clocks.sm",
    "pstate",
    "mig.mode.current",
];

/// `timestamp,index,...` for `--query-gpu=`.
pub fn gpu_query_arg(fields: &[&str]) -> String {
    fields.join(",")
}

/// One GPU at one poll. `None` = not reported (`[N/A]`, `[Not Supported]`,
/// `N/A`, or not queried).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct GpuSample {
    pub timestamp: Option<String>,
    pub index: Option<u32>,
    pub name: Option<String>,
    pub uuid: Option<String>,
    /// % of time a kernel ran (not SM occupancy). Missing on MIG GPUs.
    pub util_gpu: Option<f64>,
    pub util_mem: Option<f64>,
    pub mem_used_mib: Option<f64>,
    pub mem_total_mib: Option<f64>,
    pub mem_free_mib: Option<f64>,
    pub power_w: Option<f64>,
    pub power_limit_w: Option<f64>,
    pub temp_c: Option<f64>,
    pub sm_clock_mhz: Option<f64>,
    pub pstate: Option<String>,
    /// `mig.mode.current` == Enabled.
    pub mig: Option<bool>,
    pub fan_pct: Option<f64>,
}

/// Parsed `--query-gpu` output plus rows that did not fit.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct GpuPoll {
    pub gpus: Vec<GpuSample>,
    /// (line number, reason) for rows skipped.
    pub issues: Vec<(usize, String)>,
}

fn missing(v: &str) -> bool {
    let v = v.trim();
    v.is_empty() || v.starts_with('[') || v.eq_ignore_ascii_case("N/A") || v == "-"
}

/// A number, tolerating a unit suffix (`45 %`, `25229 MiB`, `80.46 W`).
fn num(v: &str) -> Option<f64> {
    if missing(v) {
        return None;
    }
    let t = v.trim();
    let end = t
        .find(|c: char| {
            !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E')
        })
        .unwrap_or(t.len());
    t[..end].parse::<f64>().ok().filter(|x| x.is_finite())
}

fn text(v: &str) -> Option<String> {
    if missing(v) {
        None
    } else {
        Some(v.trim().to_string())
    }
}

/// Header names come back different from the requested names
/// (`clocks.sm` -> `clocks.current.sm [MHz]`); strip the unit tag and
/// normalise aliases so a header row can be recognised and used.
fn canonical_field(h: &str) -> String {
    let h = h.trim();
    let h = h.split(" [").next().unwrap_or(h).trim();
    match h {
        "clocks.current.sm" => "clocks.sm".to_string(),
        "clocks.current.memory" => "clocks.mem".to_string(),
        "gpu_uuid" => "uuid".to_string(),
        "gpu_name" => "name".to_string(),
        other => other.to_string(),
    }
}

/// Parse `nvidia-smi --query-gpu=<fields> --format=csv[,noheader][,nounits]`
/// output. Columns are mapped by position to `fields` (the requested list);
/// if a header row is present it is used instead (and skipped).
pub fn parse_gpu_csv(out: &str, fields: &[&str]) -> Result<GpuPoll, TelemetryError> {
    const WHAT: &str = "nvidia-smi --query-gpu";
    if let Some(m) = tool_failure(out) {
        return Err(TelemetryError::Tool {
            what: WHAT,
            message: m,
        });
    }
    let mut cols: Vec<String> = fields.iter().map(|f| canonical_field(f)).collect();
    let mut poll = GpuPoll::default();
    let mut seen_rows = 0;
    let mut first_bad: Option<(usize, String)> = None;
    for (i, line) in out.lines().enumerate() {
        let line_no = i + 1;
        let l = line.trim_end_matches('\r');
        if l.trim().is_empty() {
            continue;
        }
        seen_rows += 1;
        let parts: Vec<&str> = l.split(", ").collect();
        // Header row: first cell is a known field name (maybe with a unit tag).
        let first = canonical_field(parts[0]);
        if poll.gpus.is_empty()
            && (first == cols.first().map(String::as_str).unwrap_or("")
                || GPU_QUERY_FIELDS.contains(&first.as_str())
                || parts[0].contains(" ["))
            && parts.iter().all(|p| {
                !p.trim().is_empty() && p.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            })
        {
            cols = parts.iter().map(|p| canonical_field(p)).collect();
            continue;
        }
        if parts.len() != cols.len() {
            let why = format!("{} values for {} fields", parts.len(), cols.len());
            if first_bad.is_none() {
                first_bad = Some((line_no, short(l)));
            }
            poll.issues.push((line_no, why));
            continue;
        }
        let mut g = GpuSample::default();
        let mut plausible = false;
        for (c, v) in cols.iter().zip(parts.iter()) {
            match c.as_str() {
                "timestamp" => g.timestamp = text(v),
                "index" => g.index = num(v).filter(|x| *x >= 0.0).map(|x| x as u32),
                "name" => g.name = text(v),
                "uuid" => g.uuid = text(v),
                "utilization.gpu" => g.util_gpu = num(v),
                "utilization.memory" => g.util_mem = num(v),
                "memory.used" => g.mem_used_mib = num(v),
                "memory.total" => g.mem_total_mib = num(v),
                "memory.free" => g.mem_free_mib = num(v),
                "power.draw" | "power.draw.average" => g.power_w = num(v),
                "power.limit" | "enforced.power.limit" => {
                    g.power_limit_w = g.power_limit_w.or(num(v))
                }
                "temperature.gpu" => g.temp_c = num(v),
                "clocks.sm" => g.sm_clock_mhz = num(v),
                "pstate" => g.pstate = text(v),
                "mig.mode.current" => g.mig = text(v).map(|m| m.eq_ignore_ascii_case("Enabled")),
                "fan.speed" => g.fan_pct = num(v),
                _ => {}
            }
            // A row is plausible when at least one value parses or is a
            // recognised "not available" marker.
            if num(v).is_some() || missing(v) {
                plausible = true;
            }
        }
        if !plausible {
            if first_bad.is_none() {
                first_bad = Some((line_no, short(l)));
            }
            poll.issues.push((line_no, "no numeric values".to_string()));
            continue;
        }
        poll.gpus.push(g);
    }
    if seen_rows == 0 {
        return Err(TelemetryError::Empty { what: WHAT });
    }
    if poll.gpus.is_empty() {
        let (line, text) = first_bad.unwrap_or((1, String::new()));
        return Err(TelemetryError::Garbage {
            what: WHAT,
            line,
            text,
        });
    }
    Ok(poll)
}

// ---------------------------------------------------------------------------
// --query-compute-apps

/// One process using a GPU (`--query-compute-apps=pid,process_name,used_memory`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ComputeApp {
    pub pid: Option<u32>,
    pub process_name: Option<String>,
    pub used_memory_mib: Option<f64>,
}

/// Parse `nvidia-smi --query-compute-apps=pid,process_name,used_memory
/// --format=csv[,noheader][,nounits]`. An idle GPU prints only the header
/// (or nothing with `noheader`): that is an empty list, not an error.
pub fn parse_compute_apps(out: &str) -> Result<Vec<ComputeApp>, TelemetryError> {
    const WHAT: &str = "nvidia-smi --query-compute-apps";
    if let Some(m) = tool_failure(out) {
        return Err(TelemetryError::Tool {
            what: WHAT,
            message: m,
        });
    }
    let mut apps = Vec::new();
    for (i, line) in out.lines().enumerate() {
        let l = line.trim();
        if l.is_empty() || (i == 0 && l.starts_with("pid")) {
            continue;
        }
        // The process name may itself contain ", ": pid first, memory last.
        let (Some((pid, rest)), Some(mem_at)) = (l.split_once(", "), l.rfind(", ")) else {
            return Err(TelemetryError::Garbage {
                what: WHAT,
                line: i + 1,
                text: short(l),
            });
        };
        let pid = pid.trim().parse::<u32>().ok();
        if pid.is_none() {
            return Err(TelemetryError::Garbage {
                what: WHAT,
                line: i + 1,
                text: short(l),
            });
        }
        let name_end = rest.len().saturating_sub(l.len() - mem_at);
        apps.push(ComputeApp {
            pid,
            process_name: rest.get(..name_end).and_then(text),
            used_memory_mib: num(&l[mem_at + 2..]),
        });
    }
    Ok(apps)
}

// ---------------------------------------------------------------------------
// dmon

/// One `nvidia-smi dmon` row; columns mapped by the header, `-` = `None`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct DmonSample {
    pub date: Option<String>,
    pub time: Option<String>,
    pub gpu: Option<u32>,
    pub power_w: Option<f64>,
    pub gpu_temp_c: Option<f64>,
    /// SM utilization % (works where `utilization.gpu` is N/A).
    pub sm_pct: Option<f64>,
    pub mem_pct: Option<f64>,
    pub fb_mb: Option<f64>,
    pub mem_clock_mhz: Option<f64>,
    pub sm_clock_mhz: Option<f64>,
    /// Every column by header name.
    pub values: Vec<(String, Option<f64>)>,
}

/// Parse `nvidia-smi dmon` output (any `-s` selection, optional `-o DT`).
/// The header may repeat (dmon reprints it periodically).
pub fn parse_dmon(out: &str) -> Result<Vec<DmonSample>, TelemetryError> {
    const WHAT: &str = "nvidia-smi dmon";
    if let Some(m) = tool_failure(out) {
        return Err(TelemetryError::Tool {
            what: WHAT,
            message: m,
        });
    }
    let mut header: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    let mut any = false;
    for (i, line) in out.lines().enumerate() {
        let l = line.trim();
        if l.is_empty() {
            continue;
        }
        any = true;
        if let Some(h) = l.strip_prefix('#') {
            let names: Vec<String> = h.split_whitespace().map(|s| s.to_string()).collect();
            // The names row contains `gpu`; the units row (`Idx W C ...`) does not.
            if names.iter().any(|n| n == "gpu") {
                header = Some(names);
            }
            continue;
        }
        let Some(h) = header.as_ref() else {
            return Err(TelemetryError::Garbage {
                what: WHAT,
                line: i + 1,
                text: short(l),
            });
        };
        let cells: Vec<&str> = l.split_whitespace().collect();
        if cells.len() != h.len() {
            continue; // torn row (output cut mid-line)
        }
        let mut s = DmonSample::default();
        for (name, cell) in h.iter().zip(cells.iter()) {
            let v = if *cell == "-" {
                None
            } else {
                cell.parse::<f64>().ok()
            };
            match name.as_str() {
                "Date" => s.date = Some(cell.to_string()),
                "Time" => s.time = Some(cell.to_string()),
                "gpu" => s.gpu = v.map(|x| x as u32),
                "pwr" => s.power_w = v,
                "gtemp" => s.gpu_temp_c = v,
                "sm" => s.sm_pct = v,
                "mem" => s.mem_pct = v,
                "fb" => s.fb_mb = v,
                "mclk" => s.mem_clock_mhz = v,
                "pclk" => s.sm_clock_mhz = v,
                _ => {}
            }
            if name != "Date" && name != "Time" {
                s.values.push((name.clone(), v));
            }
        }
        rows.push(s);
    }
    if !any {
        return Err(TelemetryError::Empty { what: WHAT });
    }
    if header.is_none() {
        return Err(TelemetryError::Garbage {
            what: WHAT,
            line: 1,
            text: short(out.lines().next().unwrap_or("")),
        });
    }
    Ok(rows)
}

// ---------------------------------------------------------------------------
// df -B1

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiskUsage {
    pub filesystem: String,
    pub total_bytes: u64,
    pub used_bytes: u64,
    pub avail_bytes: u64,
    pub mount: String,
}

/// Parse `df -B1 [paths]` output (also `-P`). A long filesystem name that
/// wraps onto its own line is joined with the next line.
pub fn parse_df(out: &str) -> Result<Vec<DiskUsage>, TelemetryError> {
    const WHAT: &str = "df -B1";
    let mut lines = out.lines().filter(|l| !l.trim().is_empty()).peekable();
    let Some(head) = lines.next() else {
        return Err(TelemetryError::Empty { what: WHAT });
    };
    if !head.starts_with("Filesystem") {
        if let Some(m) = tool_failure(out) {
            return Err(TelemetryError::Tool {
                what: WHAT,
                message: m,
            });
        }
        return Err(TelemetryError::Garbage {
            what: WHAT,
            line: 1,
            text: short(head),
        });
    }
    let mut out_v = Vec::new();
    let mut carry: Option<String> = None;
    for (i, l) in lines.enumerate() {
        let mut cells: Vec<&str> = l.split_whitespace().collect();
        let joined;
        if let Some(fs) = carry.take() {
            joined = format!("{fs} {l}");
            cells = joined.split_whitespace().collect();
        }
        if cells.len() == 1 {
            carry = Some(cells[0].to_string());
            continue;
        }
        if cells.len() < 6 {
            return Err(TelemetryError::Garbage {
                what: WHAT,
                line: i + 2,
                text: short(l),
            });
        }
        let p = |s: &str| s.parse::<u64>().ok();
        match (p(cells[1]), p(cells[2]), p(cells[3])) {
            (Some(t), Some(u), Some(a)) => out_v.push(DiskUsage {
                filesystem: cells[0].to_string(),
                total_bytes: t,
                used_bytes: u,
                avail_bytes: a,
                mount: cells[5..].join(" "),
            }),
            _ => {
                return Err(TelemetryError::Garbage {
                    what: WHAT,
                    line: i + 2,
                    text: short(l),
                });
            }
        }
    }
    if out_v.is_empty() {
        return Err(TelemetryError::Empty { what: WHAT });
    }
    Ok(out_v)
}

// ---------------------------------------------------------------------------
// batched probe output
//
// One SSH exec per check prints marked sections; every header is a line
// starting with `@@canopy:<name>`. Text sections run to the next header; the
// log section is length-framed because log bytes may contain anything
// (including a line that looks like a header). A prober could look like:
//
//     echo '@@canopy:time'; date +%s.%N
//     echo '@@canopy:gpu'; nvidia-smi --query-gpu=<GPU_QUERY_FIELDS> --format=csv,noheader,nounits 2>&1
//     if [ -f "$LOG" ]; then size=$(stat -c %s "$LOG"); off=<offset>; [ "$size" -lt "$off" ] && off=0
//       id=$(stat -c '%d:%i' "$LOG"); [ "$id" != "<previous id>" ] && off=0
//       len=$(( size - off )); [ "$len" -gt <cap> ] && len=<cap>
//       echo "@@canopy:log $off $len $size $id"; tail -c +$((off + 1)) "$LOG" | head -c "$len"; echo
//     else echo '@@canopy:log missing'; fi
//     echo '@@canopy:pid'; echo "pid=$PID"; kill -0 "$PID" 2>/dev/null && echo alive=1 || echo alive=0
//     [ -f exit_code ] && echo "exit_code=$(cat exit_code)"
//     echo '@@canopy:disk'; df -B1 "$WORKDIR"
//     echo '@@canopy:end'
//
// The log header may carry a fourth word, the file's identity
// (`<dev>:<inode>` from `stat -c '%d:%i'`, or `i<inode>` from `ls -di`):
// a rotated log (renamed away, a new file created at the path) has a new
// identity even when the new file has already grown past the old offset.
// Older probes print three words; they still parse (`file_id: None`).
//
// `parse_probe` reports `truncated_or_rotated` when the file is smaller than
// the offset asked for (or the prober restarted from 0), `short_read` when
// fewer bytes arrived than announced, and `complete` only if `end` was seen.

/// Every section header line starts with this marker, at the start of a line.
pub const SECTION_MARKER: &str = "@@canopy:";
/// `date +%s.%N` on the host: one line, unix seconds.
pub const SECTION_TIME: &str = "time";
/// `nvidia-smi --query-gpu=<GPU_QUERY_FIELDS> --format=csv,noheader,nounits`.
pub const SECTION_GPU: &str = "gpu";
/// New log bytes. Header: `@@canopy:log <offset> <len> <file_size> [<file_id>]`
/// followed by exactly `<len>` raw bytes (any content, any encoding) and a
/// `\n`. `<file_id>` (optional, one word) identifies the file (device and
/// inode), so a rotation is seen even when the new file is not smaller.
/// `@@canopy:log missing` when the file does not exist.
pub const SECTION_LOG: &str = "log";
/// Training process liveness: lines `pid=<n>`, `alive=<0|1>`, optional
/// `exit_code=<n>` (from the launcher's exit file).
pub const SECTION_PID: &str = "pid";
/// `df -B1 <workdir>` output.
pub const SECTION_DISK: &str = "disk";
/// `nvidia-smi dmon -c 1` output (optional; used when utilization is N/A).
pub const SECTION_DMON: &str = "dmon";
/// Last line of a complete probe; its absence means the output was cut.
pub const SECTION_END: &str = "end";

/// All section names, for the script generator.
pub const PROBE_SECTIONS: &[&str] = &[
    SECTION_TIME,
    SECTION_GPU,
    SECTION_LOG,
    SECTION_PID,
    SECTION_DISK,
    SECTION_DMON,
    SECTION_END,
];

/// Log section of a probe.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogChunk {
    /// Offset the bytes start at (the watcher's persisted offset).
    pub offset: u64,
    /// Current size of the log file on the host.
    pub file_size: u64,
    #[serde(skip)]
    pub bytes: Vec<u8>,
    /// The file is smaller than the offset we asked for: truncated or rotated.
    pub truncated_or_rotated: bool,
    /// Fewer bytes arrived than announced (output cut).
    pub short_read: bool,
    /// The file's identity on the host (`<dev>:<inode>`, or `i<inode>`),
    /// when the probe reported one. Opaque: only compared for equality.
    #[serde(default)]
    pub file_id: Option<String>,
}

impl LogChunk {
    /// The file at the log path is not the one `previous` identified: it
    /// was rotated or replaced. `false` when either identity is unknown
    /// (an older probe, a host without `stat`/`ls -i`): then only a file
    /// smaller than the offset reveals a reset.
    pub fn identity_changed(&self, previous: Option<&str>) -> bool {
        match (previous, self.file_id.as_deref()) {
            (Some(prev), Some(now)) => prev != now,
            _ => false,
        }
    }

    /// The log was truncated, rotated or replaced since the check that
    /// returned `previous_id`: the bytes start over at the new file's start.
    pub fn is_reset(&self, previous_id: Option<&str>) -> bool {
        self.truncated_or_rotated || self.identity_changed(previous_id)
    }
}

/// A file identity word as the probe prints it: `<dev>:<inode>` or
/// `i<inode>`, digits otherwise. Anything else is ignored (`None`).
fn file_id_word(w: &str) -> Option<String> {
    let ok = !w.is_empty()
        && w.len() <= 64
        && w.bytes().any(|b| b.is_ascii_digit())
        && w.bytes()
            .all(|b| b.is_ascii_digit() || b == b':' || b == b'i');
    ok.then(|| w.to_string())
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PidStatus {
    pub pid: Option<u32>,
    pub alive: Option<bool>,
    pub exit_code: Option<i32>,
}

/// A parsed probe. Each section parses independently: one bad section does
/// not hide the others.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Probe {
    pub host_time: Option<f64>,
    pub gpu: Option<Result<GpuPoll, TelemetryError>>,
    /// `None`: no log section; `Some(None)`: log file missing.
    pub log: Option<Option<LogChunk>>,
    pub pid: Option<PidStatus>,
    pub disk: Option<Result<Vec<DiskUsage>, TelemetryError>>,
    pub dmon: Option<Result<Vec<DmonSample>, TelemetryError>>,
    /// The `end` marker was seen (the output is complete).
    pub complete: bool,
    /// Sections with unknown names, and text outside any section.
    pub unknown: Vec<String>,
}

/// Parse a probe's stdout. `gpu_fields` is the list the script queried.
/// `requested_offset` is the log offset the watcher asked for (to detect
/// truncation/rotation).
pub fn parse_probe(out: &[u8], gpu_fields: &[&str], requested_offset: u64) -> Probe {
    let mut p = Probe::default();
    let marker = SECTION_MARKER.as_bytes();
    let mut i = 0usize;
    // Skip anything before the first marker (shell banners, motd).
    let mut cur: Option<(String, Vec<String>, usize)> = None; // name, args, body start
    let flush = |p: &mut Probe, name: &str, args: &[String], body: &[u8]| {
        let text = String::from_utf8_lossy(body);
        match name {
            SECTION_TIME => p.host_time = text.trim().parse::<f64>().ok().filter(|t| t.is_finite()),
            SECTION_GPU => p.gpu = Some(parse_gpu_csv(&text, gpu_fields)),
            SECTION_PID => p.pid = Some(parse_pid(&text)),
            SECTION_DISK => p.disk = Some(parse_df(&text)),
            SECTION_DMON => p.dmon = Some(parse_dmon(&text)),
            SECTION_END => p.complete = true,
            other => p
                .unknown
                .push(format!("section {other:?} ({} args)", args.len())),
        }
    };
    while i < out.len() {
        let at_line_start = i == 0 || out[i - 1] == b'\n';
        if at_line_start && out[i..].starts_with(marker) {
            // Close the previous section.
            if let Some((name, args, start)) = cur.take() {
                flush(&mut p, &name, &args, &out[start..i]);
            }
            let line_end = out[i..]
                .iter()
                .position(|&b| b == b'\n')
                .map(|e| i + e)
                .unwrap_or(out.len());
            let header = String::from_utf8_lossy(&out[i + marker.len()..line_end])
                .trim()
                .to_string();
            let mut words = header.split_whitespace().map(|s| s.to_string());
            let name = words.next().unwrap_or_default();
            let args: Vec<String> = words.collect();
            let body_start = (line_end + 1).min(out.len());
            if name == SECTION_LOG {
                // Length-framed: the log may contain anything, markers included.
                if args.first().map(String::as_str) == Some("missing") {
                    p.log = Some(None);
                    i = body_start;
                    continue;
                }
                let nums: Vec<u64> = args.iter().take(3).map_while(|a| a.parse().ok()).collect();
                if nums.len() == 3 {
                    let (offset, len, size) = (nums[0], nums[1], nums[2]);
                    let file_id = args.get(3).and_then(|w| file_id_word(w));
                    let avail = out.len() - body_start;
                    let take = (len.min(avail as u64)) as usize;
                    let bytes = out[body_start..body_start + take].to_vec();
                    p.log = Some(Some(LogChunk {
                        offset,
                        file_size: size,
                        bytes,
                        truncated_or_rotated: size < requested_offset || offset < requested_offset,
                        short_read: (take as u64) < len,
                        file_id,
                    }));
                    i = body_start + take;
                    // Skip the newline that ends the framed bytes.
                    if i < out.len() && out[i] == b'\n' {
                        i += 1;
                    }
                    continue;
                }
                p.unknown.push(format!("malformed log header {header:?}"));
                i = body_start;
                continue;
            }
            cur = Some((name, args, body_start));
            i = body_start;
            continue;
        }
        if cur.is_none() {
            // Text outside any section.
            let line_end = out[i..]
                .iter()
                .position(|&b| b == b'\n')
                .map(|e| i + e)
                .unwrap_or(out.len());
            let l = String::from_utf8_lossy(&out[i..line_end])
                .trim()
                .to_string();
            if !l.is_empty() && p.unknown.len() < 16 {
                p.unknown.push(short(&l));
            }
            i = line_end + 1;
            continue;
        }
        // Inside a section body: jump to the next line start.
        match out[i..].iter().position(|&b| b == b'\n') {
            Some(e) => i += e + 1,
            None => i = out.len(),
        }
    }
    if let Some((name, args, start)) = cur.take() {
        flush(&mut p, &name, &args, &out[start.min(out.len())..]);
    }
    p
}

fn parse_pid(text: &str) -> PidStatus {
    let mut s = PidStatus::default();
    for l in text.lines() {
        let Some((k, v)) = l.split_once('=') else {
            continue;
        };
        let v = v.trim();
        match k.trim() {
            "pid" => s.pid = v.parse().ok(),
            "alive" => {
                s.alive = match v {
                    "1" | "true" | "yes" => Some(true),
                    "0" | "false" | "no" => Some(false),
                    _ => None,
                }
            }
            "exit_code" => s.exit_code = v.parse().ok(),
            _ => {}
        }
    }
    s
}

// ---------------------------------------------------------------------------
// summary helpers

/// GPU busy-ness for rules: `utilization.gpu` when reported, otherwise the
/// dmon `sm` column (MIG, some vGPU setups), otherwise `None`.
pub fn effective_util(sample: &GpuSample, dmon: Option<&DmonSample>) -> Option<f64> {
    sample.util_gpu.or_else(|| dmon.and_then(|d| d.sm_pct))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRACES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../server/data/traces/h200");
    const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../server/data/logs/corpus");

    fn read(dir: &str, name: &str) -> String {
        std::fs::read_to_string(format!("{dir}/{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    const TRACE_FIELDS: &[&str] = &[
        "timestamp",
        "utilization.gpu",
        "utilization.memory",
        "memory.used",
        "memory.total",
        "temperature.gpu",
        "power.draw",
        "clocks.sm",
    ];

    #[test]
    fn trace_gpu_csv_busy_run() {
        let poll =
            parse_gpu_csv(&read(TRACES, "hf_trainer.gpu.csv"), TRACE_FIELDS).expect("parses");
        assert!(poll.issues.is_empty(), "{:?}", poll.issues);
        assert!(poll.gpus.len() > 60, "{}", poll.gpus.len());
        let first = &poll.gpus[0];
        assert_eq!(first.timestamp.as_deref(), Some("2026/11/28 18:09:55.548"));
        assert_eq!(first.util_gpu, Some(0.0));
        assert_eq!(first.mem_total_mib, Some(143771.0));
        assert_eq!(first.power_w, Some(80.24));
        assert_eq!(first.sm_clock_mhz, Some(345.0));
        // The healthy run sits near 90% utilization while training.
        let busy = poll
            .gpus
            .iter()
            .filter(|g| g.util_gpu.unwrap_or(0.0) >= 80.0)
            .count();
        assert!(busy > 40, "busy samples {busy}");
    }

    #[test]
    fn trace_gpu_csv_loader_bound_mostly_idle() {
        let poll =
            parse_gpu_csv(&read(TRACES, "loader_bound.gpu.csv"), TRACE_FIELDS).expect("parses");
        let n = poll.gpus.len();
        let idle = poll
            .gpus
            .iter()
            .filter(|g| g.util_gpu.unwrap_or(100.0) < 30.0)
            .count();
        assert!(idle * 2 > n, "idle {idle} of {n}");
    }

    #[test]
    fn trace_query_with_header_and_units() {
        let poll = parse_gpu_csv(&read(TRACES, "query-gpu.csv"), &[])
            .expect("header row gives the columns");
        assert_eq!(poll.gpus.len(), 1);
        let g = &poll.gpus[0];
        assert_eq!(g.name.as_deref(), Some("NVIDIA H200"));
        assert_eq!(g.index, Some(0));
        assert_eq!(g.mem_total_mib, Some(143771.0));
        assert_eq!(g.power_w, Some(80.46));
        assert_eq!(g.power_limit_w, Some(700.0));
        assert_eq!(g.sm_clock_mhz, Some(345.0));
        assert_eq!(g.fan_pct, None, "[N/A] fan");
        assert_eq!(g.pstate.as_deref(), Some("P0"));
    }

    #[test]
    fn trace_query_noheader_mapped_by_position() {
        let poll = parse_gpu_csv(
            &read(TRACES, "query-gpu-noheader.csv"),
            CAPTURE_QUERY_FIELDS,
        )
        .expect("parses");
        let g = &poll.gpus[0];
        assert_eq!(
            g.uuid.as_deref(),
            Some("GPU-609700ca-3e42-3022-5e98-9d8afe699b51")
        );
        assert_eq!(g.mem_free_mib, Some(143156.0));
        assert_eq!(g.temp_c, Some(37.0));
        assert_eq!(g.fan_pct, None);
    }

    #[test]
    fn corpus_na_and_not_supported() {
        let fields = [
            "memory.total",
            "memory.free",
            "memory.used",
            "temperature.gpu",
            "fan.speed",
            "utilization.gpu",
            "utilization.memory",
        ];
        for row in [
            "2004, 2004, 0, 44, [N/A], 0, 0",
            "2004, 2004, 0, 44, [Not Supported], 0, 0",
        ] {
            let poll = parse_gpu_csv(row, &fields).expect("parses");
            assert_eq!(poll.gpus[0].fan_pct, None);
            assert_eq!(poll.gpus[0].temp_c, Some(44.0));
            assert_eq!(poll.gpus[0].util_gpu, Some(0.0));
        }
        // bare N/A (driver 440) inside a long row with a spaced GPU name
        let corpus = read(CORPUS, "nvidia_smi.txt");
        let row = corpus
            .lines()
            .find(|l| l.starts_with("['200.00"))
            .expect("row in corpus");
        let row = row
            .trim_start_matches("['")
            .split("', ''")
            .next()
            .unwrap_or("");
        let f = [
            "power.limit",
            "power.min_limit",
            "power.max_limit",
            "memory.total",
            "vbios_version",
            "driver_version",
            "name",
            "uuid",
            "power.draw",
            "temperature.gpu",
            "temperature.memory",
            "clocks.sm",
            "clocks.max.sm",
            "clocks.mem",
            "fan.speed",
            "utilization.gpu",
            "utilization.memory",
            "x",
            "pstate",
        ];
        let poll = parse_gpu_csv(row, &f).expect("parses");
        let g = &poll.gpus[0];
        assert_eq!(g.name.as_deref(), Some("GeForce RTX 2080"));
        assert_eq!(g.power_w, Some(176.98));
        assert_eq!(g.util_gpu, Some(55.0));
        assert_eq!(g.pstate.as_deref(), Some("P2"));
        // single-field queries with a unit header and [Not Supported]
        let poll = parse_gpu_csv(
            "utilization.gpu [%]\n[Not Supported]\n",
            &["utilization.gpu"],
        )
        .expect("parses");
        assert_eq!(poll.gpus[0].util_gpu, None);
    }

    #[test]
    fn mig_util_missing_falls_back_to_dmon() {
        let poll = parse_gpu_csv("0, NVIDIA A100, GPU-abc, [N/A], [N/A], 1234, 81920, 250.5, 400.00, 40, 1410, P0, Enabled", &GPU_QUERY_FIELDS[1..]).expect("parses");
        let g = &poll.gpus[0];
        assert_eq!(g.mig, Some(true));
        assert_eq!(g.util_gpu, None);
        let d = parse_dmon("# gpu    pwr  gtemp  mtemp     sm    mem\n# Idx      W      C      C      %      %\n    0    250     40     38     77      -\n").expect("dmon");
        assert_eq!(effective_util(g, d.first()), Some(77.0));
        assert_eq!(d[0].mem_pct, None);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for bad in [
            "",
            "\n\n",
            "hello world",
            "\u{0}\u{1}binary\u{7f}",
            "1, 2",
            "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.",
        ] {
            let r = parse_gpu_csv(bad, GPU_QUERY_FIELDS);
            assert!(r.is_err(), "{bad:?} -> {r:?}");
            assert!(
                !r.err()
                    .map(|e| e.to_string())
                    .unwrap_or_default()
                    .is_empty()
            );
        }
        assert!(matches!(
            parse_gpu_csv(
                "Field \"x\" is not a valid field to query.",
                GPU_QUERY_FIELDS
            ),
            Err(TelemetryError::Tool { .. })
        ));
        assert!(parse_dmon("garbage\n").is_err());
        assert!(parse_dmon("").is_err());
        assert!(parse_df("nope").is_err());
        assert!(parse_df("").is_err());
        assert!(
            parse_df(
                "Filesystem 1B-blocks Used Available Use% Mounted on\n/dev/x abc def ghi 1% /\n"
            )
            .is_err()
        );
    }

    #[test]
    fn trace_compute_apps() {
        let apps = parse_compute_apps(&read(TRACES, "hf_trainer.apps.csv")).expect("apps");
        assert_eq!(
            apps,
            vec![ComputeApp {
                pid: Some(518),
                process_name: Some("python3".to_string()),
                used_memory_mib: Some(25220.0)
            }]
        );
        let idle = parse_compute_apps(&read(TRACES, "compute-apps-idle.csv")).expect("idle");
        assert!(idle.is_empty(), "header only = no processes");
        assert_eq!(parse_compute_apps("").map(|v| v.len()), Ok(0));
        let odd = parse_compute_apps("77, my, weird name, 12 MiB\n").expect("comma in name");
        assert_eq!(odd[0].process_name.as_deref(), Some("my, weird name"));
        assert_eq!(odd[0].used_memory_mib, Some(12.0));
        assert!(parse_compute_apps("garbage line\n").is_err());
    }

    #[test]
    fn trace_dmon_files() {
        let d = parse_dmon(&read(TRACES, "hf_trainer.dmon.txt")).expect("dmon");
        assert!(d.len() > 20);
        assert!(
            d.iter().any(|s| s.sm_pct.unwrap_or(0.0) > 50.0),
            "busy sm during training"
        );
        assert!(d[0].fb_mb.is_some(), "-s pucm has fb");
        let idle = parse_dmon(&read(TRACES, "dmon-idle.txt")).expect("dmon idle");
        assert_eq!(idle[0].sm_pct, Some(0.0));
        assert_eq!(idle[0].sm_clock_mhz, Some(345.0));
        assert_eq!(idle[0].fb_mb, None, "no fb column without -s m");
        let dt = parse_dmon("#Date       Time        gpu    pwr     sm\n#YYYYMMDD   HH:MM:SS    Idx      W      %\n 20261128   18:09:30      0     80      5\n").expect("-o DT");
        assert_eq!(dt[0].date.as_deref(), Some("20261128"));
        assert_eq!(dt[0].sm_pct, Some(5.0));
    }

    #[test]
    fn trace_df() {
        let sys = read(TRACES, "system.txt");
        let start = sys
            .find("Filesystem        1B-blocks")
            .expect("df -B1 in system.txt");
        let block: String = sys[start..].lines().take(2).collect::<Vec<_>>().join("\n");
        let d = parse_df(&block).expect("df");
        assert_eq!(d[0].filesystem, "/dev/vda");
        assert_eq!(d[0].total_bytes, 270553174016);
        assert_eq!(d[0].avail_bytes, 68702265344);
        assert_eq!(d[0].mount, "/");
        let wrapped = parse_df("Filesystem 1B-blocks Used Available Use% Mounted on\n/dev/mapper/very-long-volume-name\n 100 40 60 40% /data disk\n").expect("wrapped");
        assert_eq!(wrapped[0].filesystem, "/dev/mapper/very-long-volume-name");
        assert_eq!(wrapped[0].mount, "/data disk");
    }

    fn probe_bytes(log: &[u8], offset: u64, size: u64) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend_from_slice(b"motd noise\n@@canopy:time\n1795889395.584\n@@canopy:gpu\n");
        v.extend_from_slice(b"2026/11/28 18:09:55.548, 0, NVIDIA H200, GPU-1, 91, 40, 30000, 143771, 600.5, 700.00, 50, 1980, P0, Disabled\n");
        v.extend_from_slice(format!("@@canopy:log {offset} {} {size}\n", log.len()).as_bytes());
        v.extend_from_slice(log);
        v.extend_from_slice(b"\n@@canopy:pid\npid=4242\nalive=1\n@@canopy:disk\nFilesystem 1B-blocks Used Available Use% Mounted on\n/dev/vda 1000 400 600 40% /\n@@canopy:end\n");
        v
    }

    #[test]
    fn probe_round_trip_with_hostile_log_bytes() {
        // The log contains a fake marker, NULs, invalid UTF-8 and no newline.
        let log: &[u8] =
            b"step 1\n@@canopy:end\n\x00\xff\xfe\r 50%|#####| 5/10 [00:01<00:01, 4.00it/s]";
        let out = probe_bytes(log, 100, 100 + log.len() as u64);
        let p = parse_probe(&out, GPU_QUERY_FIELDS, 100);
        assert_eq!(p.host_time, Some(1795889395.584));
        let gpu = p.gpu.clone().expect("gpu section").expect("gpu parses");
        assert_eq!(gpu.gpus[0].util_gpu, Some(91.0));
        assert_eq!(gpu.gpus[0].mig, Some(false));
        let chunk = p.log.clone().flatten().expect("log chunk");
        assert_eq!(chunk.bytes, log);
        assert_eq!(chunk.offset, 100);
        assert!(!chunk.truncated_or_rotated && !chunk.short_read);
        assert_eq!(
            p.pid,
            Some(PidStatus {
                pid: Some(4242),
                alive: Some(true),
                exit_code: None
            })
        );
        assert_eq!(
            p.disk.clone().expect("disk").expect("df")[0].avail_bytes,
            600
        );
        assert!(p.complete);
        assert_eq!(p.unknown, vec!["motd noise".to_string()]);
    }

    #[test]
    fn probe_cut_short_and_rotated() {
        let log = b"0123456789";
        let out = probe_bytes(log, 0, 10);
        let cut = &out[..out.len() - 60];
        let p = parse_probe(cut, GPU_QUERY_FIELDS, 500);
        assert!(!p.complete);
        let chunk = p.log.clone().flatten().expect("log");
        assert!(
            chunk.truncated_or_rotated,
            "file smaller than the requested offset"
        );
        // Cut inside the framed log bytes.
        let idx = out.windows(10).position(|w| w == log).unwrap_or(0);
        let p2 = parse_probe(&out[..idx + 4], GPU_QUERY_FIELDS, 0);
        assert!(
            p2.log
                .clone()
                .flatten()
                .is_some_and(|c| c.short_read && c.bytes == b"0123")
        );
        let missing = parse_probe(b"@@canopy:log missing\n@@canopy:end\n", GPU_QUERY_FIELDS, 0);
        assert_eq!(missing.log, Some(None));
        assert!(missing.complete);
    }

    #[test]
    fn probe_log_identity_is_additive() {
        // New format: a fourth word identifies the file.
        let mut out = b"@@canopy:log 0 3 3 2049:131077\nabc\n@@canopy:end\n".to_vec();
        let p = parse_probe(&out, &[], 0);
        let c = p.log.clone().flatten().expect("chunk");
        assert_eq!(c.bytes, b"abc");
        assert_eq!(c.file_id.as_deref(), Some("2049:131077"));
        assert!(p.complete);
        // Same file: no reset; another file (rotated) at a larger size: reset
        // even though the size did not shrink below the offset.
        assert!(!c.identity_changed(Some("2049:131077")));
        assert!(!c.is_reset(Some("2049:131077")));
        assert!(c.identity_changed(Some("2049:99")));
        assert!(c.is_reset(Some("2049:99")));
        // Unknown on either side: only the size rule applies.
        assert!(!c.identity_changed(None));
        // The `ls -di` fallback form.
        out = b"@@canopy:log 5 2 7 i4242\nxy\n@@canopy:end\n".to_vec();
        let c = parse_probe(&out, &[], 5).log.flatten().expect("chunk");
        assert_eq!(c.file_id.as_deref(), Some("i4242"));
        assert!(!c.truncated_or_rotated);
        // Old format (three words) still parses, without an identity.
        let c = parse_probe(b"@@canopy:log 5 2 7\nxy\n@@canopy:end\n", &[], 5)
            .log
            .flatten()
            .expect("old format");
        assert_eq!(
            (c.offset, c.file_size, c.bytes.as_slice()),
            (5, 7, &b"xy"[..])
        );
        assert_eq!(c.file_id, None);
        assert!(!c.is_reset(Some("2049:1")), "no identity: size rule only");
        // An empty identity (trailing space from a host without stat) and
        // junk are ignored, the chunk itself still parses.
        for hdr in ["@@canopy:log 0 2 2 \n", "@@canopy:log 0 2 2 $(x)\n"] {
            let mut v = hdr.as_bytes().to_vec();
            v.extend_from_slice(b"xy\n@@canopy:end\n");
            let c = parse_probe(&v, &[], 0).log.flatten().expect("chunk");
            assert_eq!((c.bytes.as_slice(), c.file_id.clone()), (&b"xy"[..], None));
        }
        // A reset to offset 0 of a rotated file shows in both rules.
        let c = parse_probe(b"@@canopy:log 0 2 9 1:2\nxy\n", &[], 4)
            .log
            .flatten()
            .expect("chunk");
        assert!(c.truncated_or_rotated && c.is_reset(Some("1:1")));
        // The header's numbers are positional: a word out of place is malformed.
        let bad = parse_probe(b"@@canopy:log 0 x 2 2\nxy\n", &[], 0);
        assert_eq!(bad.log, None);
        assert!(bad.unknown.iter().any(|u| u.contains("malformed")));
    }

    #[test]
    fn section_names_are_stable() {
        // The prober script generator and the parser share these names.
        assert_eq!(
            PROBE_SECTIONS,
            &["time", "gpu", "log", "pid", "disk", "dmon", "end"]
        );
        assert_eq!(SECTION_MARKER, "@@canopy:");
        assert!(gpu_query_arg(GPU_QUERY_FIELDS).starts_with("timestamp,index,name,"));
    }

    proptest::proptest! {
        #[test]
        fn telemetry_parsers_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..600)) {
            let s = String::from_utf8_lossy(&bytes);
            let _ = parse_gpu_csv(&s, GPU_QUERY_FIELDS);
            let _ = parse_dmon(&s);
            let _ = parse_df(&s);
            let _ = parse_probe(&bytes, GPU_QUERY_FIELDS, 7);
            let _ = parse_compute_apps(&s);
        }

        #[test]
        fn probe_with_marker_prefix_never_panics(tail in proptest::collection::vec(proptest::num::u8::ANY, 0..300), n in 0u64..400) {
            let mut v = format!("@@canopy:log 0 {n} {n}\n").into_bytes();
            v.extend_from_slice(&tail);
            let p = parse_probe(&v, GPU_QUERY_FIELDS, 0);
            let c = p.log.flatten();
            proptest::prop_assert!(c.is_some());
        }
    }
}
