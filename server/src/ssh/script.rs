//! The POSIX-sh scripts Canopy runs on a host. Each is ONE exec request.
//!
//! Every value that is not Canopy's own text goes through [`shell_quote`];
//! numbers are formatted from integers. The probe's section names come from
//! `app::domain::telemetry` so the generator and the parser cannot drift.

use app::domain::telemetry::{
    GPU_QUERY_FIELDS, SECTION_DISK, SECTION_DMON, SECTION_END, SECTION_GPU, SECTION_LOG,
    SECTION_MARKER, SECTION_PID, SECTION_TIME, gpu_query_arg,
};

use super::quote::shell_quote;

/// Where Canopy's launcher lives, relative to the work dir.
pub const LAUNCHER_DIR: &str = ".canopy/bin";
pub const LAUNCHER_NAME: &str = "canopy-launch";

/// Default cap on new log bytes per check.
pub const DEFAULT_LOG_CAP: u64 = 1 << 20;

/// Caps on the text sections, so a misbehaving tool cannot flood a check.
const TOOL_OUTPUT_CAP: u64 = 64 * 1024;

/// What one check asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbeSpec {
    /// Work dir on the host; `None` = `$HOME`. Relative paths below are
    /// relative to it.
    pub workdir: Option<String>,
    /// The training log (`None`: no log section).
    pub log_path: Option<String>,
    /// Log offset already seen (persisted by the watcher).
    pub log_offset: u64,
    /// Identity of the file `log_offset` belongs to (`LogChunk::file_id`
    /// of the previous check, persisted next to the offset). When the file
    /// at `log_path` has another identity it was rotated or replaced, and
    /// the probe reads the new file from 0 whatever its size.
    pub log_id: Option<String>,
    /// Most new log bytes to return in one check.
    pub log_cap: u64,
    /// File holding the training pid (written at launch).
    pub pid_file: Option<String>,
    /// File the launcher writes the exit code to.
    pub exit_file: Option<String>,
    /// `--query-gpu` fields, in order.
    pub gpu_fields: Vec<String>,
    /// Also run `nvidia-smi dmon -c 1` (where utilization.gpu is N/A).
    pub dmon: bool,
    /// Seconds each host tool (nvidia-smi, df) may run before `timeout`
    /// kills it: a wedged driver or a dead mount must not hang the check.
    pub tool_timeout_s: u32,
}

impl Default for ProbeSpec {
    fn default() -> Self {
        ProbeSpec {
            workdir: None,
            log_path: None,
            log_offset: 0,
            log_id: None,
            log_cap: DEFAULT_LOG_CAP,
            pid_file: None,
            exit_file: None,
            gpu_fields: GPU_QUERY_FIELDS.iter().map(|s| s.to_string()).collect(),
            dmon: false,
            tool_timeout_s: 5,
        }
    }
}

impl ProbeSpec {
    pub fn gpu_field_refs(&self) -> Vec<&str> {
        self.gpu_fields.iter().map(String::as_str).collect()
    }
}

/// Quote a path for use as a command argument: a leading `-` would read as
/// an option to `tail`, `head`, `mkdir`… (and `cd -` as "previous dir"), so
/// such a path is written `./-…`.
fn qpath(p: &str) -> String {
    if p.starts_with('-') {
        shell_quote(&format!("./{p}"))
    } else {
        shell_quote(p)
    }
}

fn header(name: &str) -> String {
    // Marker and names are constants without quotes or shell metacharacters.
    format!("echo '{SECTION_MARKER}{name}'\n")
}

/// `cd` into the work dir; a failure is reported and the script stops (every
/// relative path below would otherwise point somewhere else).
fn prologue(workdir: Option<&str>) -> String {
    let cd = match workdir {
        Some(w) => format!("cd {} || exit 111\n", qpath(w)),
        None => "cd \"$HOME\" 2>/dev/null || cd / || exit 111\n".to_string(),
    };
    format!(
        "LC_ALL=C; export LC_ALL\n{cd}\
         # A zombie still answers kill -0; hosts whose PID 1 does not reap\n\
         # (containers) would report a dead run as alive.\n\
         canopy_alive() {{ kill -0 \"$1\" 2>/dev/null || return 1; \
         s=$(sed -n 's/^.*) \\(.\\).*/\\1/p' \"/proc/$1/stat\" 2>/dev/null); [ \"$s\" != Z ]; }}\n"
    )
}

/// The batched check script. Output: `@@canopy:` sections as
/// `app::domain::telemetry::parse_probe` expects.
pub fn probe_script(spec: &ProbeSpec) -> String {
    let mut s = prologue(spec.workdir.as_deref());
    let t = spec.tool_timeout_s.max(1);
    // `timeout` is coreutils; busybox has it too. Without it tools run bare
    // and the prober's own per-check timeout is the only guard.
    s.push_str(&format!(
        "T=''; command -v timeout >/dev/null 2>&1 && T='timeout -k 1 {t}'\n"
    ));
    s.push_str(&header(SECTION_TIME));
    s.push_str("date +%s.%N\n");

    s.push_str(&header(SECTION_GPU));
    let fields = gpu_query_arg(&spec.gpu_field_refs());
    s.push_str(&format!(
        "$T nvidia-smi --query-gpu={} --format=csv,noheader,nounits 2>&1 | head -c {TOOL_OUTPUT_CAP}; echo\n",
        shell_quote(&fields)
    ));

    if let Some(log) = &spec.log_path {
        // The chunk goes to a temp file first and its real length is what the
        // header announces: the file may shrink or grow between `wc` and the
        // read, and a wrong length would swallow the following sections.
        //
        // The file's identity (device:inode; `ls -di` where `stat -c` is
        // missing) is taken before and after the read. A different identity
        // than the one the offset belongs to means rotation: read from 0. A
        // rotation DURING the read (identity changed between the two) makes
        // the bytes suspect: try again, and after three tries announce no
        // bytes (the next check sees the new identity and starts over).
        s.push_str(&format!(
            "canopy_fid() {{ i=$(stat -L -c '%d:%i' -- \"$1\" 2>/dev/null) || \
             i=$(ls -diL -- \"$1\" 2>/dev/null | sed -n '1s/^ *\\([0-9][0-9]*\\).*/i\\1/p'); \
             printf '%s' \"$i\" | tr -cd '0-9:i'; }}\n\
             L={}; O0={}; C={}; E={}\n\
             if [ -f \"$L\" ]; then\n\
             F=$(mktemp 2>/dev/null || echo \"${{TMPDIR:-/tmp}}/canopy-probe.$$\")\n\
             trap 'rm -f \"$F\"' EXIT\n\
             n=0\n\
             while :; do\n\
             I=$(canopy_fid \"$L\"); O=$O0\n\
             [ -n \"$E\" ] && [ -n \"$I\" ] && [ \"$I\" != \"$E\" ] && O=0\n\
             Z=$(wc -c < \"$L\" 2>/dev/null | tr -d ' '); Z=${{Z:-0}}\n\
             [ \"$Z\" -lt \"$O\" ] && O=0\n\
             tail -c +$((O + 1)) \"$L\" 2>/dev/null | head -c \"$C\" > \"$F\"\n\
             [ \"$(canopy_fid \"$L\")\" = \"$I\" ] && break\n\
             n=$((n + 1)); if [ $n -ge 3 ]; then : > \"$F\"; break; fi\n\
             done\n\
             N=$(wc -c < \"$F\" | tr -d ' ')\n\
             echo \"{SECTION_MARKER}{SECTION_LOG} $O $N $Z $I\"; cat \"$F\"; echo; rm -f \"$F\"\n\
             else echo '{SECTION_MARKER}{SECTION_LOG} missing'; fi\n",
            qpath(log),
            spec.log_offset,
            spec.log_cap.max(1),
            shell_quote(spec.log_id.as_deref().unwrap_or("")),
        ));
    }

    if spec.pid_file.is_some() || spec.exit_file.is_some() {
        s.push_str(&header(SECTION_PID));
        if let Some(pf) = &spec.pid_file {
            s.push_str(&format!(
                "PF={}\n\
                 if [ -f \"$PF\" ]; then P=$(head -c 32 \"$PF\" | tr -cd '0-9'); echo \"pid=$P\"\n\
                 if [ -n \"$P\" ] && canopy_alive \"$P\"; then echo alive=1; else echo alive=0; fi; fi\n",
                qpath(pf)
            ));
        }
        if let Some(ef) = &spec.exit_file {
            s.push_str(&format!(
                "EF={}; [ -f \"$EF\" ] && echo \"exit_code=$(head -c 16 \"$EF\" | tr -cd '0-9-')\"\n",
                qpath(ef)
            ));
        }
    }

    s.push_str(&header(SECTION_DISK));
    s.push_str(&format!("$T df -B1 . 2>&1 | head -c {TOOL_OUTPUT_CAP}\n"));

    if spec.dmon {
        s.push_str(&header(SECTION_DMON));
        s.push_str(&format!(
            "$T nvidia-smi dmon -c 1 2>&1 | head -c {TOOL_OUTPUT_CAP}\n"
        ));
    }
    s.push_str(&header(SECTION_END));
    s
}

/// Canopy's launcher, uploaded to `<workdir>/.canopy/bin/canopy-launch` on a
/// real host. It runs the user's command and records its exit code.
///
/// It refuses to run when `CANOPY_SIMULATED_HOST` is set: on a simulated
/// host the launcher on PATH is the scenario replayer, and this guard makes
/// sure that even a PATH mistake cannot run a user command on the machine
/// Canopy itself runs on.
pub const LAUNCHER_SCRIPT: &str = r#"#!/bin/sh
# canopy-launch: run the user's command (one shell word), record its exit code.
if [ -n "${CANOPY_SIMULATED_HOST:-}" ]; then
  echo "canopy-launch: simulated host; refusing to run a user command" >&2
  exit 97
fi
# `--`: a command starting with "-" is still the command, not an option.
if command -v bash >/dev/null 2>&1; then bash -c -- "$1"; else sh -c -- "$1"; fi
rc=$?
if [ -n "${CANOPY_EXIT_FILE:-}" ]; then echo "$rc" > "$CANOPY_EXIT_FILE"; fi
exit $rc
"#;

/// Which step a launched command belongs to; the simulated launcher plays
/// the scenario's output for that step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LaunchPhase {
    Bootstrap,
    Smoke,
}

impl LaunchPhase {
    /// The launcher's phase argument (what `canopy replay --phase` reads back);
    /// empty means the smoke run.
    pub fn from_name(name: &str) -> Option<LaunchPhase> {
        match name {
            "bootstrap" => Some(LaunchPhase::Bootstrap),
            "smoke" | "" => Some(LaunchPhase::Smoke),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            LaunchPhase::Bootstrap => "bootstrap",
            LaunchPhase::Smoke => "smoke",
        }
    }
}

/// Start `user_cmd` detached through the launcher: its own session (so a
/// kill of the process group takes its children), output to `log`, pid to
/// `pid_file`. Prints the pid.
///
/// The launcher is looked up on PATH with Canopy's own bin dir LAST: on a
/// simulated host the shims dir comes first and its `canopy-launch` is the
/// replayer.
pub fn launch_script(
    workdir: Option<&str>,
    user_cmd: &str,
    log: &str,
    pid_file: &str,
    exit_file: &str,
    phase: LaunchPhase,
) -> String {
    let mut s = prologue(workdir);
    s.push_str(&format!(
        "PATH=\"$PATH:$PWD/{LAUNCHER_DIR}\"; export PATH\n\
         command -v {LAUNCHER_NAME} >/dev/null 2>&1 || {{ echo 'canopy-launch not installed' >&2; exit 112; }}\n\
         CANOPY_EXIT_FILE={ef}; CANOPY_PHASE={ph}; export CANOPY_EXIT_FILE CANOPY_PHASE\n\
         rm -f \"$CANOPY_EXIT_FILE\"\n\
         mkdir -p \"$(dirname {log})\" \"$(dirname {pf})\"\n\
         S=''; command -v setsid >/dev/null 2>&1 && S=setsid\n\
         $S nohup {LAUNCHER_NAME} {cmd} > {log} 2>&1 < /dev/null &\n\
         echo $! > {pf}\n\
         echo $!\n",
        ef = qpath(exit_file),
        ph = phase.as_str(),
        log = qpath(log),
        pf = qpath(pid_file),
        cmd = shell_quote(user_cmd),
    ));
    s
}

/// Stop the run whose pid is in `pid_file`: TERM to its process group, wait
/// up to `grace_s`, then KILL. Prints `stopped <pid>` or `not running`.
pub fn kill_script(workdir: Option<&str>, pid_file: &str, grace_s: u32) -> String {
    let mut s = prologue(workdir);
    let tenths = grace_s.saturating_mul(10);
    s.push_str(&format!(
        "PF={pf}\n\
         [ -f \"$PF\" ] || {{ echo 'not running'; exit 0; }}\n\
         P=$(head -c 32 \"$PF\" | tr -cd '0-9')\n\
         if [ -z \"$P\" ] || ! canopy_alive \"$P\"; then echo 'not running'; exit 0; fi\n\
         kill -TERM -- \"-$P\" 2>/dev/null || kill -TERM \"$P\" 2>/dev/null\n\
         i=0; while canopy_alive \"$P\" && [ $i -lt {tenths} ]; do sleep 0.1; i=$((i + 1)); done\n\
         if canopy_alive \"$P\"; then kill -KILL -- \"-$P\" 2>/dev/null || kill -KILL \"$P\" 2>/dev/null; fi\n\
         echo \"stopped $P\"\n",
        pf = qpath(pid_file),
    ));
    s
}

/// Print at most `cap` bytes of a file; exit 3 if it is missing.
pub fn read_file_script(workdir: Option<&str>, path: &str, cap: u64) -> String {
    let mut s = prologue(workdir);
    s.push_str(&format!(
        "F={}; [ -f \"$F\" ] || {{ echo 'no such file' >&2; exit 3; }}\nhead -c {} \"$F\"\n",
        qpath(path),
        cap
    ));
    s
}

/// Write stdin to `path` (via a temp file and rename, so a reader never
/// sees half a file), then chmod.
pub fn upload_script(workdir: Option<&str>, path: &str, mode: u32) -> String {
    let mut s = prologue(workdir);
    s.push_str(&format!(
        "F={p}; mkdir -p \"$(dirname \"$F\")\" || exit 4\n\
         cat > \"$F.canopy-tmp\" || exit 5\n\
         chmod {mode:o} \"$F.canopy-tmp\" && mv -f \"$F.canopy-tmp\" \"$F\" || exit 6\n\
         echo ok\n",
        p = qpath(path),
    ));
    s
}

/// Install the launcher (an upload of [`LAUNCHER_SCRIPT`]).
pub fn launcher_path() -> String {
    format!("{LAUNCHER_DIR}/{LAUNCHER_NAME}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::telemetry::parse_probe;

    fn run_sh(script: &str, dir: &std::path::Path, path_prefix: &str) -> Vec<u8> {
        let out = std::process::Command::new("/bin/sh")
            .arg("-c")
            .arg(script)
            .env("HOME", dir)
            .env("PATH", format!("{path_prefix}/usr/local/bin:/usr/bin:/bin"))
            .output()
            .expect("sh runs");
        out.stdout
    }

    fn tmpdir(tag: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!(
            "canopy-script-{tag}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).expect("tmp");
        d
    }

    #[test]
    fn probe_reads_from_offset_with_cap_and_hostile_name() {
        let d = tmpdir("probe");
        let name = "we'ird $(touch pwned) log.txt";
        let log: Vec<u8> = (0..=255u8).cycle().take(5000).collect();
        std::fs::write(d.join(name), &log).expect("log");
        std::fs::write(d.join("pid"), format!("{}\n", std::process::id())).expect("pid");
        let spec = ProbeSpec {
            log_path: Some(name.to_string()),
            log_offset: 1000,
            log_cap: 1500,
            pid_file: Some("pid".into()),
            exit_file: Some("exit".into()),
            ..Default::default()
        };
        let out = run_sh(&probe_script(&spec), &d, "");
        let p = parse_probe(&out, &spec.gpu_field_refs(), 1000);
        let c = p.log.clone().flatten().expect("log chunk");
        assert_eq!(c.offset, 1000);
        assert_eq!(c.file_size, 5000);
        assert_eq!(c.bytes, &log[1000..2500]);
        assert!(!c.short_read && !c.truncated_or_rotated);
        assert_eq!(p.pid.as_ref().and_then(|x| x.alive), Some(true));
        assert!(p.complete);
        assert!(p.host_time.is_some());
        // No nvidia-smi on this machine: the section is an error, not a hang.
        assert!(matches!(p.gpu, Some(Err(_))), "{:?}", p.gpu);
        assert!(p.disk.as_ref().is_some_and(|d| d.is_ok()), "{:?}", p.disk);
        assert!(!d.join("pwned").exists());
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn dash_paths_are_not_options() {
        let d = tmpdir("dash");
        std::fs::write(d.join("-n.log"), b"dash log").expect("log");
        let spec = ProbeSpec {
            log_path: Some("-n.log".into()),
            ..Default::default()
        };
        let p = parse_probe(&run_sh(&probe_script(&spec), &d, ""), &[], 0);
        assert_eq!(p.log.flatten().map(|c| c.bytes), Some(b"dash log".to_vec()));
        let out = run_sh(&read_file_script(None, "-n.log", 100), &d, "");
        assert_eq!(out, b"dash log");
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn probe_detects_truncation_and_missing() {
        let d = tmpdir("trunc");
        std::fs::write(d.join("l"), b"short").expect("log");
        let spec = ProbeSpec {
            log_path: Some("l".into()),
            log_offset: 100,
            ..Default::default()
        };
        let p = parse_probe(&run_sh(&probe_script(&spec), &d, ""), &[], 100);
        let c = p.log.clone().flatten().expect("chunk");
        assert!(c.truncated_or_rotated);
        assert_eq!(c.offset, 0);
        assert_eq!(c.bytes, b"short");
        let spec = ProbeSpec {
            log_path: Some("nope".into()),
            ..Default::default()
        };
        let p = parse_probe(&run_sh(&probe_script(&spec), &d, ""), &[], 0);
        assert_eq!(p.log, Some(None));
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn probe_reports_identity_and_reads_a_rotated_file_from_zero() {
        let d = tmpdir("ident");
        std::fs::write(d.join("l"), vec![b'o'; 100]).expect("log");
        let spec = ProbeSpec {
            log_path: Some("l".into()),
            log_offset: 40,
            ..Default::default()
        };
        let p = parse_probe(&run_sh(&probe_script(&spec), &d, ""), &[], 40);
        let c = p.log.clone().flatten().expect("chunk");
        let id = c.file_id.clone().expect("identity printed");
        {
            use std::os::unix::fs::MetadataExt;
            let m = std::fs::metadata(d.join("l")).expect("meta");
            assert_eq!(id, format!("{}:{}", m.dev(), m.ino()));
        }
        assert_eq!((c.offset, c.bytes.len()), (40, 60));
        // Same identity: read on from the offset.
        let spec = ProbeSpec {
            log_offset: 100,
            log_id: Some(id.clone()),
            ..spec
        };
        std::fs::write(d.join("l"), vec![b'o'; 150]).expect("grow");
        let c = parse_probe(&run_sh(&probe_script(&spec), &d, ""), &[], 100)
            .log
            .flatten()
            .expect("chunk");
        assert_eq!((c.offset, c.bytes.len()), (100, 50));
        assert!(!c.is_reset(Some(&id)));
        // Rotated (rename + create) and already bigger than the offset:
        // the new identity makes the script read from 0.
        std::fs::rename(d.join("l"), d.join("l.1")).expect("rotate");
        std::fs::write(d.join("l"), vec![b'n'; 300]).expect("new");
        let c = parse_probe(&run_sh(&probe_script(&spec), &d, ""), &[], 100)
            .log
            .flatten()
            .expect("chunk");
        assert_eq!(c.offset, 0);
        assert_eq!(c.bytes, vec![b'n'; 300]);
        assert!(c.is_reset(Some(&id)));
        assert_ne!(c.file_id.as_deref(), Some(id.as_str()));
        // A hostile persisted identity is only data.
        let spec = ProbeSpec {
            log_id: Some("x'; touch pwned; '".into()),
            ..spec
        };
        let c = parse_probe(&run_sh(&probe_script(&spec), &d, ""), &[], 100)
            .log
            .flatten()
            .expect("chunk");
        assert_eq!(c.offset, 0);
        assert!(!d.join("pwned").exists());
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn launcher_refuses_on_simulated_host() {
        let d = tmpdir("launcher");
        let f = d.join("canopy-launch");
        std::fs::write(&f, LAUNCHER_SCRIPT).expect("write");
        let out = std::process::Command::new("/bin/sh")
            .arg(&f)
            .arg("touch pwned")
            .current_dir(&d)
            .env("CANOPY_SIMULATED_HOST", "1")
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(97));
        assert!(!d.join("pwned").exists());
        // On a real host it runs the command (one word, any shape) and
        // records the exit code.
        let out = std::process::Command::new("/bin/sh")
            .arg(&f)
            .args(["-x 2>/dev/null; echo \"it's $((1 + 1))\"; exit 3"])
            .current_dir(&d)
            .env_remove("CANOPY_SIMULATED_HOST")
            .env("CANOPY_EXIT_FILE", d.join("exit"))
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(3));
        assert_eq!(String::from_utf8_lossy(&out.stdout), "it's 2\n");
        assert_eq!(
            std::fs::read_to_string(d.join("exit")).ok().as_deref(),
            Some("3\n")
        );
        let _ = std::fs::remove_dir_all(&d);
    }
}
