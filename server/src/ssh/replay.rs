//! The scenario replayer behind `canopy replay`: on a simulated GPU host it
//! stands in for the user's training run.
//!
//! It writes a recorded log (`traces/h200/NAME.log`) to its stdout (which
//! the launcher redirected to the run's log file) at the recorded offsets and
//! times (`NAME.timing.tsv`), time-scaled by `gpu_speed * clock`, and
//! publishes the matching `nvidia-smi` sample (`NAME.gpu.csv`) to a file the
//! `nvidia-smi` shim reads. When it ends (or is killed) the shim falls back to
//! idle values. Killing its pid stops it, as on a real host.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use app::domain::logs::{TimingTrace, parse_timing_tsv};
use app::domain::telemetry::CAPTURE_QUERY_FIELDS;

use crate::ssh::script::LaunchPhase;

/// Columns of every `NAME.gpu.csv` capture (see the traces README).
pub const TRACE_GPU_FIELDS: &[&str] = &[
    "timestamp",
    "utilization.gpu",
    "utilization.memory",
    "memory.used",
    "memory.total",
    "temperature.gpu",
    "power.draw",
    "clocks.sm",
];

/// Files in a simulated host's state dir (shared with the shims).
pub const GPU_CURRENT: &str = "gpu-current.tsv";
pub const GPU_IDLE: &str = "gpu-idle.tsv";
pub const SMI_CURRENT: &str = "smi-current.txt";
pub const SMI_IDLE: &str = "smi-idle.txt";
pub const SMI_LIST: &str = "nvidia-smi-L.txt";
/// The offer's GPU name / count / memory, overriding the recorded H200.
pub const GPU_HARDWARE: &str = "gpu-hardware.tsv";
/// One file per running replayer (name = pid), so the host can stop them.
pub const REPLAYERS_DIR: &str = "replayers";

#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    #[error("unknown scenario {0:?} (known: {known})", known = Scenario::names().join(", "))]
    UnknownScenario(String),
    #[error("cannot read trace file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("bad trace {path}: {reason}")]
    Trace { path: PathBuf, reason: String },
    #[error("cannot write {what}: {source}")]
    Write {
        what: String,
        source: std::io::Error,
    },
    #[error("bad argument: {0}")]
    Args(String),
}

/// Named situations a test or the demo can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scenario {
    HealthyHf,
    HealthyNanogpt,
    InputBound,
    Oom,
    ImportError,
    PipFail,
    SilentBar,
    SlowHost,
    FlatLoss,
    StuckLoading,
    HostOffline,
    SshDrop,
    LogRotated,
}

impl Scenario {
    pub const ALL: [Scenario; 13] = [
        Scenario::HealthyHf,
        Scenario::HealthyNanogpt,
        Scenario::InputBound,
        Scenario::Oom,
        Scenario::ImportError,
        Scenario::PipFail,
        Scenario::SilentBar,
        Scenario::SlowHost,
        Scenario::FlatLoss,
        Scenario::StuckLoading,
        Scenario::HostOffline,
        Scenario::SshDrop,
        Scenario::LogRotated,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Scenario::HealthyHf => "healthy_hf",
            Scenario::HealthyNanogpt => "healthy_nanogpt",
            Scenario::InputBound => "input_bound",
            Scenario::Oom => "oom",
            Scenario::ImportError => "import_error",
            Scenario::PipFail => "pip_fail",
            Scenario::SilentBar => "silent_bar",
            Scenario::SlowHost => "slow_host",
            Scenario::FlatLoss => "flat_loss",
            Scenario::StuckLoading => "stuck_loading",
            Scenario::HostOffline => "host_offline",
            Scenario::SshDrop => "ssh_drop",
            Scenario::LogRotated => "log_rotated",
        }
    }

    pub fn names() -> Vec<&'static str> {
        Self::ALL.iter().map(|s| s.name()).collect()
    }

    pub fn from_name(name: &str) -> Result<Scenario, ReplayError> {
        Self::ALL
            .into_iter()
            .find(|s| s.name() == name)
            .ok_or_else(|| ReplayError::UnknownScenario(name.to_string()))
    }

    /// The recorded run the smoke step replays.
    pub fn trace(self) -> &'static str {
        match self {
            Scenario::HealthyNanogpt => "nanogpt",
            Scenario::InputBound => "loader_bound",
            Scenario::Oom => "hf_oom",
            Scenario::ImportError => "import_error",
            Scenario::PipFail => "pip_fail",
            Scenario::SilentBar => "lightning",
            Scenario::FlatLoss => "hf_flat_loss",
            Scenario::HealthyHf
            | Scenario::SlowHost
            | Scenario::StuckLoading
            | Scenario::HostOffline
            | Scenario::SshDrop
            | Scenario::LogRotated => "hf_trainer",
        }
    }

    /// Extra slowdown on top of the offer's GPU speed: the slow host runs at
    /// half speed, below the 70% expectation line.
    pub fn speed_factor(self) -> f64 {
        match self {
            Scenario::SlowHost => 0.5,
            _ => 1.0,
        }
    }

    /// Only the marketplace simulator acts on these (the host itself is
    /// healthy or never reached).
    pub fn marketplace_only(self) -> bool {
        matches!(self, Scenario::StuckLoading)
    }

    /// Fraction of the run after which the log is rotated (log_rotated).
    pub fn rotate_at(self) -> Option<f64> {
        match self {
            Scenario::LogRotated => Some(0.5),
            _ => None,
        }
    }
}

impl std::fmt::Display for Scenario {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Scenario {
    type Err = ReplayError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Scenario::from_name(s)
    }
}

#[derive(Debug, Clone)]
pub struct ReplayOptions {
    pub scenario: Scenario,
    /// Directory with the `traces/h200` captures.
    pub traces_dir: PathBuf,
    /// The simulated host's state dir (GPU sample files the shim reads).
    pub state_dir: PathBuf,
    /// Which launched step the replayer plays.
    pub phase: LaunchPhase,
    /// GPU speed relative to an H200 (0.5 = half as fast: everything takes
    /// twice as long).
    pub gpu_speed: f64,
    /// Simulation clock (10 = ten times faster than real time).
    pub clock: f64,
    /// Where to write the exit code when done (the launcher's exit file).
    pub exit_file: Option<PathBuf>,
}

impl ReplayOptions {
    /// Wall seconds per recorded second.
    pub fn time_scale(&self) -> f64 {
        let s = self.gpu_speed * self.clock * self.scenario.speed_factor();
        if s.is_finite() && s > 0.0 {
            1.0 / s
        } else {
            1.0
        }
    }
}

/// Command-line form of [`ReplayOptions`], for `canopy replay`:
///
/// ```text
/// canopy replay --scenario NAME --traces DIR --state-dir DIR
///               [--phase bootstrap|smoke] [--gpu-speed F] [--clock F]
///               [--exit-file PATH]
/// ```
///
/// The lead wires these as a clap subcommand; [`ReplayArgs::parse`] is the
/// dependency-free parser the simulator's launcher shim relies on.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayArgs {
    pub scenario: String,
    pub traces: PathBuf,
    pub state_dir: PathBuf,
    pub phase: String,
    pub gpu_speed: f64,
    pub clock: f64,
    pub exit_file: Option<PathBuf>,
}

impl ReplayArgs {
    /// Parse `--key value` pairs (the words after `replay`).
    pub fn parse<I: IntoIterator<Item = String>>(args: I) -> Result<ReplayArgs, ReplayError> {
        let mut it = args.into_iter();
        let mut scenario = None;
        let mut traces = None;
        let mut state_dir = None;
        let mut phase = String::from("smoke");
        let mut gpu_speed = 1.0;
        let mut clock = 1.0;
        let mut exit_file = None;
        let num = |k: &str, v: &str| -> Result<f64, ReplayError> {
            v.parse::<f64>()
                .ok()
                .filter(|x| x.is_finite() && *x > 0.0)
                .ok_or_else(|| ReplayError::Args(format!("{k} needs a positive number, got {v:?}")))
        };
        while let Some(k) = it.next() {
            let v = it
                .next()
                .ok_or_else(|| ReplayError::Args(format!("{k} needs a value")))?;
            match k.as_str() {
                "--scenario" => scenario = Some(v),
                "--traces" => traces = Some(PathBuf::from(v)),
                "--state-dir" => state_dir = Some(PathBuf::from(v)),
                "--phase" => phase = v,
                "--gpu-speed" => gpu_speed = num(&k, &v)?,
                "--clock" => clock = num(&k, &v)?,
                "--exit-file" => exit_file = (!v.is_empty()).then(|| PathBuf::from(v)),
                other => return Err(ReplayError::Args(format!("unknown option {other:?}"))),
            }
        }
        Ok(ReplayArgs {
            scenario: scenario.ok_or_else(|| ReplayError::Args("--scenario is required".into()))?,
            traces: traces.ok_or_else(|| ReplayError::Args("--traces is required".into()))?,
            state_dir: state_dir
                .ok_or_else(|| ReplayError::Args("--state-dir is required".into()))?,
            phase,
            gpu_speed,
            clock,
            exit_file,
        })
    }

    pub fn into_options(self) -> Result<ReplayOptions, ReplayError> {
        Ok(ReplayOptions {
            scenario: Scenario::from_name(&self.scenario)?,
            traces_dir: self.traces,
            state_dir: self.state_dir,
            phase: LaunchPhase::from_name(&self.phase)
                .ok_or_else(|| ReplayError::Args(format!("unknown phase {:?}", self.phase)))?,
            gpu_speed: self.gpu_speed,
            clock: self.clock,
            exit_file: self.exit_file,
        })
    }
}

/// Entry for `canopy replay …`: parse, run, return the process exit code.
/// Errors go to stderr (which is the run's log on a simulated host).
pub async fn run_cli<I: IntoIterator<Item = String>>(args: I) -> i32 {
    let opts = match ReplayArgs::parse(args).and_then(ReplayArgs::into_options) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("canopy replay: {e}");
            return 2;
        }
    };
    match replay(&opts).await {
        Ok(rc) => rc,
        Err(e) => {
            eprintln!("canopy replay: {e}");
            if let Some(f) = &opts.exit_file {
                let _ = std::fs::write(f, "70\n");
            }
            70
        }
    }
}

fn read(path: PathBuf) -> Result<Vec<u8>, ReplayError> {
    std::fs::read(&path).map_err(|source| ReplayError::Read { path, source })
}

/// One recorded GPU sample: seconds since the run started, raw CSV values.
#[derive(Debug, Clone, PartialEq)]
pub struct GpuRow {
    pub t: f64,
    pub values: Vec<(String, String)>,
}

/// `YYYY/MM/DD HH:MM:SS.mmm` -> seconds of the day.
fn seconds_of_day(ts: &str) -> Option<f64> {
    let time = ts.trim().split(' ').nth(1)?;
    let mut p = time.split(':');
    let h: f64 = p.next()?.parse().ok()?;
    let m: f64 = p.next()?.parse().ok()?;
    let s: f64 = p.next()?.parse().ok()?;
    Some(h * 3600.0 + m * 60.0 + s)
}

/// Parse `NAME.gpu.csv`, timing each row against the run's `start_unix`
/// (the captures are UTC, like `start_unix`).
pub fn parse_gpu_trace(text: &str, start_unix: Option<f64>) -> Vec<GpuRow> {
    let start_sod = start_unix.map(|s| s.rem_euclid(86_400.0));
    let mut rows = Vec::new();
    let mut first: Option<f64> = None;
    for line in text.lines() {
        let cells: Vec<&str> = line.split(", ").collect();
        if cells.len() != TRACE_GPU_FIELDS.len() {
            continue;
        }
        let Some(sod) = seconds_of_day(cells[0]) else {
            continue;
        };
        let base = *start_sod.as_ref().unwrap_or(first.get_or_insert(sod));
        let mut t = sod - base;
        if t < -43_200.0 {
            t += 86_400.0; // crossed midnight
        }
        rows.push(GpuRow {
            t: t.max(0.0),
            values: TRACE_GPU_FIELDS
                .iter()
                .zip(cells.iter())
                .skip(1) // the shim prints the current time as timestamp
                .map(|(k, v)| (k.to_string(), v.trim().to_string()))
                .collect(),
        });
    }
    rows
}

/// Static facts of the captured machine (name, uuid, driver, limits) and
/// its idle readings, from `query-gpu-noheader.csv`.
pub fn gpu_facts(traces_dir: &Path) -> Result<BTreeMap<String, String>, ReplayError> {
    let path = traces_dir.join("query-gpu-noheader.csv");
    let text = String::from_utf8_lossy(&read(path.clone())?).into_owned();
    let line = text.lines().next().unwrap_or("");
    let cells: Vec<&str> = line.split(", ").collect();
    if cells.len() != CAPTURE_QUERY_FIELDS.len() {
        return Err(ReplayError::Trace {
            path,
            reason: format!(
                "{} values for {} fields",
                cells.len(),
                CAPTURE_QUERY_FIELDS.len()
            ),
        });
    }
    let mut m: BTreeMap<String, String> = CAPTURE_QUERY_FIELDS
        .iter()
        .zip(cells.iter())
        .skip(1)
        .map(|(k, v)| (k.to_string(), v.trim().to_string()))
        .collect();
    // Aliases nvidia-smi accepts for the same values.
    for (alias, of) in [
        ("gpu_name", "name"),
        ("gpu_uuid", "uuid"),
        ("clocks.current.sm", "clocks.sm"),
        ("clocks.current.memory", "clocks.mem"),
        ("enforced.power.limit", "power.limit"),
        ("power.draw.instant", "power.draw"),
    ] {
        if let Some(v) = m.get(of).cloned() {
            m.insert(alias.to_string(), v);
        }
    }
    m.insert("count".into(), "1".into());
    Ok(m)
}

/// Merge a recorded sample into the machine facts.
pub fn sample_values(
    facts: &BTreeMap<String, String>,
    row: Option<&GpuRow>,
) -> BTreeMap<String, String> {
    let mut m = facts.clone();
    if let Some(r) = row {
        for (k, v) in &r.values {
            m.insert(k.clone(), v.clone());
        }
    }
    if let (Some(t), Some(u)) = (
        m.get("memory.total").and_then(|v| v.parse::<u64>().ok()),
        m.get("memory.used").and_then(|v| v.parse::<u64>().ok()),
    ) {
        m.insert("memory.free".into(), t.saturating_sub(u).to_string());
    }
    if let Some(v) = m.get("clocks.sm").cloned() {
        m.insert("clocks.current.sm".into(), v);
    }
    if let Some(v) = m.get("power.draw").cloned() {
        m.insert("power.draw.instant".into(), v);
    }
    m
}

/// The TSV the `nvidia-smi` shim reads: `field<TAB>value` lines.
pub fn sample_tsv(values: &BTreeMap<String, String>, pid: Option<u32>) -> String {
    let mut s = String::new();
    if let Some(p) = pid {
        s.push_str(&format!("pid\t{p}\n"));
    }
    for (k, v) in values {
        // Values come from our own captures; tabs/newlines would break the
        // format, so they are flattened rather than trusted.
        let v = v.replace(['\t', '\n', '\r'], " ");
        s.push_str(&format!("{k}\t{v}\n"));
    }
    s
}

fn get<'a>(m: &'a BTreeMap<String, String>, k: &str, dflt: &'a str) -> &'a str {
    m.get(k).map(String::as_str).unwrap_or(dflt)
}

/// Plain `nvidia-smi` table (without the date line, which the shim prints),
/// laid out like the H200 capture in `nvidia-smi.txt`.
pub fn render_smi_table(m: &BTreeMap<String, String>, process: Option<(u32, &str)>) -> String {
    let driver = get(m, "driver_version", "580.159.04");
    let name = get(m, "name", "NVIDIA H200");
    let bus = get(m, "pci.bus_id", "00000000:00:06.0");
    let temp = get(m, "temperature.gpu", "0");
    let pstate = get(m, "pstate", "P0");
    let power = get(m, "power.draw", "0")
        .parse::<f64>()
        .map(|p| p.round() as i64)
        .unwrap_or(0);
    let limit = get(m, "power.limit", "700")
        .parse::<f64>()
        .map(|p| p.round() as i64)
        .unwrap_or(700);
    let used = get(m, "memory.used", "0");
    let total = get(m, "memory.total", "143771");
    let util = get(m, "utilization.gpu", "0");
    let sep = "+-----------------------------------------+------------------------+----------------------+";
    let mut s = String::new();
    s.push_str("+-----------------------------------------------------------------------------------------+\n");
    s.push_str(&format!(
        "| NVIDIA-SMI {driver:<23}Driver Version: {driver:<15}CUDA Version: 13.0     |\n"
    ));
    s.push_str(sep);
    s.push('\n');
    s.push_str("| GPU  Name                 Persistence-M | Bus-Id          Disp.A | Volatile Uncorr. ECC |\n");
    s.push_str("| Fan  Temp   Perf          Pwr:Usage/Cap |           Memory-Usage | GPU-Util  Compute M. |\n");
    s.push_str("|                                         |                        |               MIG M. |\n");
    s.push_str("|=========================================+========================+======================|\n");
    s.push_str(&format!(
        "|   0  {name:<31}On  |   {bus:<16} Off |                    0 |\n"
    ));
    s.push_str(&format!(
        "| N/A   {temp:>2}C    {pstate:<2}{power:>15}W / {limit:>4}W |{used:>8}MiB / {total:>6}MiB |{util:>7}%      Default |\n"
    ));
    s.push_str("|                                         |                        |             Disabled |\n");
    s.push_str(sep);
    s.push_str("\n\n");
    s.push_str("+-----------------------------------------------------------------------------------------+\n");
    s.push_str("| Processes:                                                                              |\n");
    s.push_str("|  GPU   GI   CI              PID   Type   Process name                        GPU Memory |\n");
    s.push_str("|        ID   ID                                                               Usage      |\n");
    s.push_str("|=========================================================================================|\n");
    match process {
        Some((pid, pname)) => s.push_str(&format!(
            "|    0   N/A  N/A      {pid:>10}      C   {pname:<32}{used:>11}MiB |\n"
        )),
        None => s.push_str("|  No running processes found                                                             |\n"),
    }
    s.push_str("+-----------------------------------------------------------------------------------------+\n");
    s
}

/// Write a file so a concurrent reader sees the old or the new content,
/// never half of one.
pub fn write_atomic(path: &Path, data: &[u8]) -> Result<(), ReplayError> {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, data)
        .and_then(|_| std::fs::rename(&tmp, path))
        .map_err(|source| ReplayError::Write {
            what: path.display().to_string(),
            source,
        })
}

/// Where the log bytes go.
enum Sink {
    Stdout(std::io::Stdout),
    File(std::fs::File),
}

impl Sink {
    fn write_all(&mut self, b: &[u8]) -> std::io::Result<()> {
        match self {
            Sink::Stdout(s) => {
                let mut l = s.lock();
                l.write_all(b)?;
                l.flush()
            }
            Sink::File(f) => f.write_all(b),
        }
    }
}

/// Rotate the log like logrotate's create mode: move it to `<log>.1` and
/// continue in a fresh file at the old path. The log is our stdout, so its
/// path comes from `/proc/self/fd/1`.
fn rotate(sink: &mut Sink) -> std::io::Result<()> {
    let path = std::fs::read_link("/proc/self/fd/1")?;
    if !path.is_file() {
        return Ok(()); // a pipe or terminal: nothing to rotate
    }
    let mut rotated = path.clone().into_os_string();
    rotated.push(".1");
    std::fs::rename(&path, &rotated)?;
    *sink = Sink::File(
        std::fs::OpenOptions::new()
            .create(true)
            .truncate(true)
            .write(true)
            .open(&path)?,
    );
    Ok(())
}

/// What a healthy bootstrap prints (pip finding everything installed).
const BOOTSTRAP_OK: &[&str] = &[
    "Requirement already satisfied: torch in /usr/local/lib/python3.12/dist-packages (2.11.0+cu130)\n",
    "Requirement already satisfied: transformers in /usr/local/lib/python3.12/dist-packages (5.17.0)\n",
    "Requirement already satisfied: datasets in /usr/local/lib/python3.12/dist-packages (4.4.1)\n",
    "Requirement already satisfied: lightning in /usr/local/lib/python3.12/dist-packages (2.6.6)\n",
];

/// Replay the scenario to stdout; returns the exit code to exit with.
pub async fn replay(opts: &ReplayOptions) -> Result<i32, ReplayError> {
    let mut sink = Sink::Stdout(std::io::stdout());
    let pid = std::process::id();
    let marker = opts.state_dir.join(REPLAYERS_DIR).join(pid.to_string());
    if let Some(parent) = marker.parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    let _ = std::fs::write(&marker, opts.scenario.name());
    let rc = replay_inner(opts, &mut sink, pid).await;
    // Idle again: the shim also checks our pid, so a kill -9 that skips
    // this still reads as idle.
    let _ = std::fs::remove_file(opts.state_dir.join(GPU_CURRENT));
    let _ = std::fs::remove_file(opts.state_dir.join(SMI_CURRENT));
    let _ = std::fs::remove_file(&marker);
    let code = match &rc {
        Ok(c) => *c,
        Err(_) => 70,
    };
    if let Some(f) = &opts.exit_file {
        std::fs::write(f, format!("{code}\n")).map_err(|source| ReplayError::Write {
            what: f.display().to_string(),
            source,
        })?;
    }
    rc
}

async fn replay_inner(opts: &ReplayOptions, sink: &mut Sink, pid: u32) -> Result<i32, ReplayError> {
    let scale = opts.time_scale();
    let wall = |t: f64| Duration::from_secs_f64((t * scale).max(0.0));
    let w = |sink: &mut Sink, b: &[u8]| {
        sink.write_all(b).map_err(|source| ReplayError::Write {
            what: "log".into(),
            source,
        })
    };
    if opts.phase == LaunchPhase::Bootstrap && opts.scenario != Scenario::PipFail {
        for line in BOOTSTRAP_OK {
            w(sink, line.as_bytes())?;
            tokio::time::sleep(wall(0.3)).await;
        }
        return Ok(0);
    }
    let name = opts.scenario.trace();
    let dir = &opts.traces_dir;
    let log = read(dir.join(format!("{name}.log")))?;
    let timing_path = dir.join(format!("{name}.timing.tsv"));
    let timing: TimingTrace =
        parse_timing_tsv(&String::from_utf8_lossy(&read(timing_path.clone())?)).map_err(|e| {
            ReplayError::Trace {
                path: timing_path,
                reason: e.to_string(),
            }
        })?;
    let gpu_text = read(dir.join(format!("{name}.gpu.csv")))?;
    let rows = parse_gpu_trace(&String::from_utf8_lossy(&gpu_text), timing.start_unix);
    let facts = gpu_facts(dir)?;
    let (rc, end_t) = timing
        .exit
        .unwrap_or((0, timing.points.last().map(|p| p.0).unwrap_or(0.0)));
    let rotate_t = opts.scenario.rotate_at().map(|f| f * end_t);
    let proc_name = "python3";

    // One merged timeline: (time, event). Log points keep file order.
    enum Ev<'a> {
        Log(u64),
        Gpu(&'a GpuRow),
        Rotate,
    }
    let mut evs: Vec<(f64, Ev)> = Vec::new();
    for &(t, off) in &timing.points {
        evs.push((t, Ev::Log(off)));
    }
    for r in &rows {
        evs.push((r.t, Ev::Gpu(r)));
    }
    if let Some(t) = rotate_t {
        evs.push((t, Ev::Rotate));
    }
    // Stable: equal times keep log-before-gpu insertion order.
    evs.sort_by(|a, b| a.0.total_cmp(&b.0));

    let start = tokio::time::Instant::now();
    let mut written = 0usize;
    for (t, ev) in evs {
        tokio::time::sleep_until(start + wall(t)).await;
        match ev {
            Ev::Log(off) => {
                let end = (off as usize).min(log.len());
                if end > written {
                    w(sink, &log[written..end])?;
                    written = end;
                }
            }
            Ev::Gpu(row) => {
                let v = sample_values(&facts, Some(row));
                let busy = v
                    .get("memory.used")
                    .and_then(|x| x.parse::<f64>().ok())
                    .unwrap_or(0.0)
                    > 0.0;
                // The table first: the shim picks the table once it sees
                // the TSV, so both describe the same moment.
                write_atomic(
                    &opts.state_dir.join(SMI_CURRENT),
                    render_smi_table(&v, busy.then_some((pid, proc_name))).as_bytes(),
                )?;
                write_atomic(
                    &opts.state_dir.join(GPU_CURRENT),
                    sample_tsv(&v, Some(pid)).as_bytes(),
                )?;
            }
            Ev::Rotate => {
                // Not every sink can be rotated (stdout to a pipe); the run
                // goes on either way.
                let _ = rotate(sink);
            }
        }
    }
    if written < log.len() {
        w(sink, &log[written..])?;
    }
    tokio::time::sleep_until(start + wall(end_t)).await;
    Ok(rc)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRACES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../server/data/traces/h200");

    #[test]
    fn every_scenario_has_its_trace_files() {
        for s in Scenario::ALL {
            assert_eq!(Scenario::from_name(s.name()).ok(), Some(s));
            for ext in ["log", "timing.tsv", "gpu.csv"] {
                let p = Path::new(TRACES).join(format!("{}.{ext}", s.trace()));
                assert!(p.is_file(), "{}", p.display());
            }
        }
        assert!(Scenario::from_name("nope").is_err());
    }

    #[test]
    fn gpu_trace_rows_are_timed_from_start() {
        let tr = parse_timing_tsv(
            &std::fs::read_to_string(format!("{TRACES}/hf_trainer.timing.tsv")).expect("tsv"),
        )
        .expect("parses");
        let rows = parse_gpu_trace(
            &std::fs::read_to_string(format!("{TRACES}/hf_trainer.gpu.csv")).expect("csv"),
            tr.start_unix,
        );
        assert!(rows.len() > 90);
        assert!(rows[0].t < 1.0, "{}", rows[0].t);
        let last = rows.last().map(|r| r.t).unwrap_or(0.0);
        assert!((95.0..105.0).contains(&last), "{last}");
        assert_eq!(rows[0].values[0], ("utilization.gpu".into(), "0".into()));
    }

    #[test]
    fn facts_and_table() {
        let f = gpu_facts(Path::new(TRACES)).expect("facts");
        assert_eq!(f.get("name").map(String::as_str), Some("NVIDIA H200"));
        assert_eq!(f.get("power.limit").map(String::as_str), Some("700.00"));
        let row = GpuRow {
            t: 0.0,
            values: vec![
                ("utilization.gpu".into(), "91".into()),
                ("memory.used".into(), "25229".into()),
                ("power.draw".into(), "564.2".into()),
                ("temperature.gpu".into(), "54".into()),
            ],
        };
        let v = sample_values(&f, Some(&row));
        assert_eq!(v.get("memory.free").map(String::as_str), Some("118542"));
        let table = render_smi_table(&v, Some((518, "python3")));
        let captured =
            std::fs::read_to_string(format!("{TRACES}/hf_trainer.smi-busy.txt")).expect("capture");
        // Same layout as the real busy table, line for line (the date line
        // is the shim's).
        for (ours, real) in table.lines().zip(captured.lines().skip(1)) {
            assert_eq!(ours.len(), real.len(), "\n{ours}\n{real}");
        }
        assert!(
            table.contains("|   25229MiB / 143771MiB |     91%      Default |"),
            "{table}"
        );
        assert!(table.contains("564W /  700W"), "{table}");
    }

    #[test]
    fn args_parse_and_reject() {
        let a = ReplayArgs::parse(
            [
                "--scenario",
                "oom",
                "--traces",
                "/t",
                "--state-dir",
                "/s",
                "--clock",
                "20",
                "--exit-file",
                "",
            ]
            .map(String::from),
        )
        .expect("parses");
        assert_eq!(a.clock, 20.0);
        assert_eq!(a.exit_file, None);
        let o = a.into_options().expect("valid");
        assert_eq!(o.scenario, Scenario::Oom);
        assert!((o.time_scale() - 0.05).abs() < 1e-9);
        assert!(ReplayArgs::parse(["--clock".to_string(), "-1".to_string()]).is_err());
        assert!(ReplayArgs::parse(["--bogus".to_string(), "x".to_string()]).is_err());
        assert!(ReplayArgs::parse(["--scenario".to_string()]).is_err());
    }
}
