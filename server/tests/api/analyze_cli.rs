//! `canopy analyze`: the real binary on real trace files.

use std::process::Command;

const TRACES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/traces/h200");

fn canopy(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_canopy"))
        .args(args)
        .output()
        .expect("canopy runs")
}

fn json(args: &[&str]) -> serde_json::Value {
    let out = canopy(args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

#[test]
fn a_plain_log_gives_the_stable_json_keys() {
    let log = format!("{TRACES}/hf_trainer.log");
    let v = json(&["analyze", &log, "--json"]);
    assert_eq!(v["format"], "hf_trainer");
    assert_eq!(v["last_step"], 600);
    assert_eq!(v["total_steps"], 600);
    assert!(v["steps_per_sec"].get("p50").is_some());
    assert!(v["pauses"].get("count").is_some());
    assert!(v["loss"]["first"].as_f64().is_some());
    assert_eq!(v["errors"].as_array().map(Vec::len), Some(0));
}

#[test]
fn a_timed_replay_measures_the_recorded_speed() {
    let log = format!("{TRACES}/hf_trainer.log");
    let timing = format!("{TRACES}/hf_trainer.timing.tsv");
    let v = json(&["analyze", &log, "--timing", &timing, "--json"]);
    let p50 = v["steps_per_sec"]["p50"].as_f64().expect("p50 measured");
    // The bar showed ~8.2-8.6 it/s during the run.
    assert!((7.5..9.5).contains(&p50), "p50 {p50}");
}

#[test]
fn an_oom_log_reports_a_fatal_memory_error() {
    let log = format!("{TRACES}/hf_oom.log");
    let v = json(&["analyze", &log, "--json"]);
    let errors = v["errors"].as_array().expect("errors");
    assert!(
        errors
            .iter()
            .any(|e| e["class"] == "memory" && e["fatal"] == true),
        "{errors:?}"
    );
}

#[test]
fn a_missing_file_is_a_clear_error() {
    let out = canopy(&["analyze", "/nonexistent/train.log"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cannot read /nonexistent/train.log"), "{err}");
}

#[test]
fn a_dash_reads_standard_input() {
    use std::io::Write;
    use std::process::Stdio;
    let log = std::fs::read(format!("{TRACES}/nanogpt.log")).expect("trace");
    let mut child = Command::new(env!("CARGO_BIN_EXE_canopy"))
        .args(["analyze", "-", "--json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("canopy runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&log)
        .expect("write the log");
    let out = child.wait_with_output().expect("canopy ends");
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    // The same as the file itself.
    let file = json(&["analyze", &format!("{TRACES}/nanogpt.log"), "--json"]);
    assert_eq!(v, file);
    assert_eq!(v["format"], "nanogpt");
}

#[test]
fn a_timing_files_exit_row_says_how_the_process_ended() {
    // Block-buffered stdout lost in a SIGKILL: the log stops mid-run and
    // only the recording's `# exit` row says why.
    let dir = std::env::temp_dir().join(format!("canopy-exit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let log: String = (1..=40)
        .map(|i| {
            format!(
                "iter {}: loss 4.{i:02}, time 312.10ms, mfu 37.95%\n",
                i * 10
            )
        })
        .collect();
    let log_path = dir.join("run.log");
    std::fs::write(&log_path, &log).expect("log written");
    let timing = format!(
        "# start_unix\t1795893352.819\n0.0\t0\n12.5\t{}\n# exit\t137\t14.0\n",
        log.len()
    );
    let timing_path = dir.join("run.timing.tsv");
    std::fs::write(&timing_path, timing).expect("timing written");
    let v = json(&[
        "analyze",
        log_path.to_str().expect("utf-8 path"),
        "--timing",
        timing_path.to_str().expect("utf-8 path"),
        "--json",
    ]);
    assert_eq!(v["last_step"], 400);
    let verdict = v["verdict"].as_str().expect("verdict");
    assert!(
        verdict.starts_with("fatal: process killed by SIGKILL"),
        "{verdict}"
    );
    assert_eq!(v["errors"][0]["class"], "killed");
    // Without the recording, the log alone says nothing of it.
    let v = json(&["analyze", log_path.to_str().expect("utf-8 path"), "--json"]);
    assert_eq!(v["verdict"], "progressing");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_notebook_is_read_through_its_cells_outputs() {
    // The real HF run, printed by `!python train.py` in a Jupyter cell (as
    // on a rented GPU's Jupyter launch) and saved in the notebook.
    let log = std::fs::read_to_string(format!("{TRACES}/hf_trainer.log")).expect("trace");
    let text: Vec<&str> = log.split_inclusive('\n').collect();
    let notebook = serde_json::json!({
        "cells": [{
            "cell_type": "code",
            "execution_count": 1,
            "metadata": {},
            "outputs": [{"name": "stderr", "output_type": "stream", "text": text}],
            "source": ["!python train.py"]
        }],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5
    });
    let dir = std::env::temp_dir().join(format!("canopy-notebook-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("run.ipynb");
    std::fs::write(
        &path,
        serde_json::to_string_pretty(&notebook).expect("JSON"),
    )
    .expect("write the notebook");
    let v = json(&["analyze", path.to_str().expect("a UTF-8 path"), "--json"]);
    let plain = json(&["analyze", &format!("{TRACES}/hf_trainer.log"), "--json"]);
    for key in [
        "format",
        "last_step",
        "total_steps",
        "loss",
        "errors",
        "verdict",
    ] {
        assert_eq!(v[key], plain[key], "{key}");
    }
    assert_eq!(
        v["notes"][0],
        "read as a Jupyter notebook: its cells' outputs (not their code)"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_kaggle_log_is_timed_by_its_records() {
    // The real HF run as Kaggle's downloaded kernel log would hold it: each
    // of the recorded reads a record, at the time it was read (Kaggle's
    // `time`: seconds since the kernel started). Its speed must be what the
    // same run gives replayed with its timing file.
    let log = std::fs::read(format!("{TRACES}/hf_trainer.log")).expect("trace");
    let timing =
        std::fs::read_to_string(format!("{TRACES}/hf_trainer.timing.tsv")).expect("timing");
    let mut records = Vec::new();
    let (mut at, mut held) = (0usize, Vec::new());
    for row in timing.lines().filter(|r| !r.starts_with('#')) {
        let mut cols = row.split('\t');
        let (Some(t), Some(n)) = (cols.next(), cols.next()) else {
            continue;
        };
        // (The bytes read so far, after the read at `t`.)
        let (t, upto): (f64, usize) = (t.parse().expect("time"), n.parse().expect("bytes"));
        held.extend_from_slice(&log[at..upto]);
        at = upto;
        // (A record holds whole characters: a read cut in one gives the
        // rest of it to the next record.)
        let whole = match std::str::from_utf8(&held) {
            Ok(_) => held.len(),
            Err(e) => e.valid_up_to(),
        };
        let data = String::from_utf8(held.drain(..whole).collect()).expect("UTF-8");
        let data = serde_json::to_string(&data).expect("JSON string");
        records.push(format!(
            "{{\"stream_name\":\"stderr\",\"time\":{t},\"data\":{data}}}"
        ));
    }
    assert_eq!(at, log.len(), "the timing file covers the log");
    let dir = std::env::temp_dir().join(format!("canopy-kaggle-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("kernel.log");
    std::fs::write(&path, format!("[{}]", records.join("\n,"))).expect("write the log");
    let v = json(&["analyze", path.to_str().expect("a UTF-8 path"), "--json"]);
    let timed = json(&[
        "analyze",
        &format!("{TRACES}/hf_trainer.log"),
        "--timing",
        &format!("{TRACES}/hf_trainer.timing.tsv"),
        "--json",
    ]);
    for key in [
        "format",
        "last_step",
        "total_steps",
        "steps_per_sec",
        "pauses",
        "loss",
    ] {
        assert_eq!(v[key], timed[key], "{key}");
    }
    assert!(v["steps_per_sec"]["p50"].as_f64().is_some(), "{v}");
    assert_eq!(
        v["notes"][0],
        "read as a Kaggle kernel log: the program's output in its JSON records, \
         timed by their `time` (seconds since the kernel started)"
    );
    std::fs::remove_dir_all(&dir).ok();
}
