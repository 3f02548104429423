//! Tests against the real corpus excerpts (`logs/corpus/*.txt`) and the
//! byte-exact H200 traces (`traces/h200/`), plus fuzzing of the normaliser,
//! the recognisers and the analyzer.
//!
//! Throughput references are computed from numbers the logs themselves
//! print (bar rates and elapsed fields, nanoGPT iteration times), never
//! hard-coded from our own output.

use super::normalize::{LineFlags, MAX_LINE_BYTES, Normalizer, strip_prefixes};
use super::*;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../server/data");

fn read_bytes(rel: &str) -> Vec<u8> {
    std::fs::read(format!("{DATA}/{rel}")).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn read_text(rel: &str) -> String {
    String::from_utf8_lossy(&read_bytes(rel)).into_owned()
}

/// Corpus fixture loader (SOURCES.md): split on `#@ source: `, drop `#@`
/// lines, keep everything else byte for byte.
fn corpus(file: &str) -> Vec<(String, String)> {
    let text = read_text(&format!("logs/corpus/{file}"));
    text.split("#@ source: ")
        .skip(1)
        .map(|part| {
            let mut lines = part.split('\n');
            let src = lines.next().unwrap_or("").to_string();
            let body: Vec<&str> = lines.filter(|l| !l.starts_with("#@")).collect();
            (src, body.join("\n"))
        })
        .collect()
}

fn analyze(text: &str) -> Analysis {
    let mut a = LogAnalyzer::new();
    a.push(text.as_bytes(), None);
    a.finish()
}

fn blocks(file: &str, expected: usize) -> Vec<(String, Analysis)> {
    let b = corpus(file);
    assert_eq!(b.len(), expected, "{file}: number of source blocks");
    b.into_iter()
        .map(|(src, body)| (src, analyze(&body)))
        .collect()
}

fn approx(a: Option<f64>, b: f64, rel: f64) -> bool {
    match a {
        Some(x) => ((x - b) / b).abs() <= rel,
        None => false,
    }
}

#[track_caller]
fn assert_approx(a: Option<f64>, b: f64, rel: f64, what: &str) {
    assert!(
        approx(a, b, rel),
        "{what}: got {a:?}, want {b} ±{:.1}%",
        rel * 100.0
    );
}

fn has_error(a: &Analysis, class: ErrorClass, fatal: bool) -> bool {
    a.errors
        .iter()
        .any(|e| e.class == class && e.fatal == fatal)
}

fn trace(name: &str) -> (Vec<u8>, TimingTrace) {
    let log = read_bytes(&format!("traces/h200/{name}.log"));
    let timing = parse_timing_tsv(&read_text(&format!("traces/h200/{name}.timing.tsv")))
        .expect("timing parses");
    (log, timing)
}

/// (step, displayed rate in steps/s, elapsed seconds) for every frame of a
/// tqdm bar with the given total, read straight from the raw log.
fn bar_frames(log: &[u8], total: u64) -> Vec<(u64, f64, f64)> {
    let text = String::from_utf8_lossy(log);
    let pat = format!("/{total} [");
    let mut out = Vec::new();
    for seg in text.split(['\r', '\n']) {
        let Some(p) = seg.find(&pat) else { continue };
        let head = &seg[..p];
        let n: u64 = match head.rsplit([' ', '|']).next().and_then(|x| x.parse().ok()) {
            Some(n) => n,
            None => continue,
        };
        let inner = &seg[p + pat.len()..];
        let Some(close) = inner.find(']') else {
            continue;
        };
        let inner = &inner[..close];
        let elapsed_s = inner.split('<').next().unwrap_or("");
        let parts: Vec<f64> = elapsed_s
            .split(':')
            .filter_map(|x| x.parse().ok())
            .collect();
        let elapsed = parts.iter().fold(0.0, |acc, v| acc * 60.0 + v);
        let rate_s = inner.split(", ").nth(1).unwrap_or("").trim();
        let rate = if let Some(v) = rate_s.strip_suffix("it/s") {
            v.trim().parse::<f64>().ok()
        } else if let Some(v) = rate_s.strip_suffix("s/it") {
            v.trim().parse::<f64>().ok().map(|x| 1.0 / x)
        } else {
            None
        };
        if let Some(r) = rate {
            out.push((n, r, elapsed));
        }
    }
    out
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    if v.is_empty() {
        return f64::NAN;
    }
    v[v.len() / 2]
}

// ---------------------------------------------------------------------------
// normaliser

fn lines_of(input: &[u8]) -> Vec<NormLine> {
    let mut n = Normalizer::new();
    let mut v = n.push_lines(input);
    v.extend(n.finish_lines());
    v
}

fn texts(input: &[u8]) -> Vec<String> {
    lines_of(input).into_iter().map(|l| l.text).collect()
}

#[test]
fn normalizer_splits_cr_and_crlf() {
    let l = lines_of(b"a\r\nb\rc\nd");
    assert_eq!(
        l.iter().map(|x| x.text.as_str()).collect::<Vec<_>>(),
        ["a", "b", "c", "d"]
    );
    assert!(!l[0].flags.redraw, "\\r\\n is one break");
    assert!(l[1].flags.redraw, "bare \\r is a redraw");
    assert!(!l[2].flags.redraw);
    // `\r` at a chunk edge followed by `\n` in the next chunk: still one break.
    let mut n = Normalizer::new();
    let mut v = n.push_lines(b"x\r");
    assert!(v.is_empty(), "undecided until the next byte");
    v.extend(n.push_lines(b"\ny"));
    v.extend(n.finish_lines());
    assert_eq!(v.len(), 2);
    assert!(!v[0].flags.redraw);
}

#[test]
fn normalizer_strips_ansi_backspace_nul_and_marks_cursor_up() {
    let l = lines_of(b"\x1b[31mred\x1b[39m \x1b[38;2;1;2;3mrgb\x1b[0m\x1b[A\n");
    assert_eq!(l[0].text, "red rgb");
    assert!(l[0].flags.cursor_up);
    // Backspaces inside a line erase; a trailing run (Keras 3 before `\r`)
    // only moves the cursor and keeps the frame.
    assert_eq!(texts(b"12/50 old\x08\x08\x08new\n"), ["12/50 new"]);
    assert_eq!(
        texts(b"1/5 frame\x08\x08\x08\x08\x08\x08\x08\x08\x08\r2/5 frame\n"),
        ["1/5 frame", "2/5 frame"]
    );
    assert_eq!(texts(b"a\x00b\x01c\n"), ["abc"]);
    // OSC hyperlink
    assert_eq!(texts(b"\x1b]8;;http://x\x07link\x1b]8;;\x07\n"), ["link"]);
    // backspace erases a whole UTF-8 character
    assert_eq!(texts("ab━\x08c\n".as_bytes()), ["abc"]);
}

#[test]
fn normalizer_invalid_utf8_is_lossy() {
    let t = texts(b"loss \xff\xfe 1.0\n");
    assert_eq!(t[0], "loss \u{fffd}\u{fffd} 1.0");
}

#[test]
fn normalizer_unescapes_rsyslog_octal() {
    let l = lines_of(
        b"[1,mpirank:0,algo-1]<stdout>:#015Epoch 0:  50% 1/2 [00:00<00:00,  6.54it/s]#033[A\n",
    );
    assert_eq!(l.len(), 2);
    assert_eq!(l[0].text, "[1,mpirank:0,algo-1]<stdout>:");
    assert_eq!(l[1].text, "Epoch 0:  50% 1/2 [00:00<00:00,  6.54it/s]");
    assert!(l[1].flags.cursor_up);
}

#[test]
fn normalizer_caps_long_lines_with_bounded_memory() {
    let mut n = Normalizer::new();
    let chunk = vec![b'x'; 1 << 20];
    let mut emitted = 0;
    for _ in 0..32 {
        n.push(&chunk, |_, _| emitted += 1);
        assert!(n.pending_bytes() <= MAX_LINE_BYTES);
    }
    assert_eq!(emitted, 0);
    let mut got: Vec<(usize, LineFlags)> = Vec::new();
    n.push(b"\nnext\n", |t, f| got.push((t.len(), f)));
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].0, MAX_LINE_BYTES);
    assert!(got[0].1.truncated);
    assert!(!got[1].1.truncated);
}

#[test]
fn long_line_inside_one_chunk_equals_split() {
    let mut data = vec![b'y'; 100_000];
    data.extend_from_slice(b"\rnext\r\nlast");
    let one = lines_of(&data);
    let mut n = Normalizer::new();
    let mut split = Vec::new();
    for c in data.chunks(30_001) {
        split.extend(n.push_lines(c));
    }
    split.extend(n.finish_lines());
    assert_eq!(one, split);
    assert_eq!(one.len(), 3);
    assert!(one[0].flags.truncated && one[0].flags.redraw);
    assert_eq!(one[0].text.len(), MAX_LINE_BYTES);
}

#[test]
fn prefixes_are_stripped_and_timestamps_kept() {
    let s = strip_prefixes(
        "[rank3]:[titan] 2025-06-16 22:30:50,322 - root - INFO - step: 200  loss:  6.1384",
    );
    assert_eq!(s.body, "step: 200  loss:  6.1384");
    assert_eq!(s.rank, Some(3));
    let ts = s.ts.expect("titan timestamp");
    // 2025-06-16 22:30:50.322 UTC
    assert!((ts - 1_750_113_050.322).abs() < 1e-3, "{ts}");
    let s = strip_prefixes(
        "[2022-03-11 02:06:58,985] [INFO] [logging.py:69:log_dist] [Rank 0] step=40, skipped=2",
    );
    assert_eq!(s.body, "[Rank 0] step=40, skipped=2");
    assert!(s.ts.is_some());
    let s = strip_prefixes(
        "[2023-09-17 13:15:13,336] [INFO] [axolotl.utils.dataloader._len_est:264] [PID:11100] [RANK:0] packing_efficiency_estimate: 0.77",
    );
    assert_eq!(s.body, "packing_efficiency_estimate: 0.77");
    let s = strip_prefixes(
        "[INFO|trainer.py:2414] 2025-03-06 12:04:09,915 >>   Number of trainable parameters = 7,615,616,512",
    );
    assert_eq!(s.body, "  Number of trainable parameters = 7,615,616,512");
    assert!(s.ts.is_some());
    let s = strip_prefixes(
        "07/02/2025 22:45:06 - INFO - __main__ - Steps:   0%|          | 0/3000 [00:00<?, ?it/s]",
    );
    assert_eq!(s.body, "Steps:   0%|          | 0/3000 [00:00<?, ?it/s]");
    let s = strip_prefixes("[default0]:iter 10: loss 9.7622, time 41.58ms, mfu 107.95%");
    assert_eq!(s.body, "iter 10: loss 9.7622, time 41.58ms, mfu 107.95%");
    assert_eq!(s.rank, Some(0));
    let s = strip_prefixes("0: iter 10: loss 9.7622, time 41.58ms");
    assert_eq!(s.body, "iter 10: loss 9.7622, time 41.58ms");
    let s =
        strip_prefixes("2023-03-22 09:30:39 iter 2920: loss 3.9883, time 1099.34ms, mfu 15.34%");
    assert_eq!(s.body, "iter 2920: loss 3.9883, time 1099.34ms, mfu 15.34%");
    let s =
        strip_prefixes(" [2024-04-06 03:02:12] iteration       71/     100 | consumed samples:");
    assert_eq!(s.body, "iteration       71/     100 | consumed samples:");
    let s = strip_prefixes("[transformers] `loss_type=None` was set");
    assert_eq!(s.body, "`loss_type=None` was set");
    let s = strip_prefixes(
        "[rank1]:[E626 06:24:44.903881913 ProcessGroupNCCL.cpp:616] [Rank 1] Watchdog caught",
    );
    assert_eq!(s.body, "[Rank 1] Watchdog caught");
    let s = strip_prefixes(
        "E0325 20:57:27.620000 2606 site-packages/torch/distributed/elastic/multiprocessing/api.py:869] failed (exitcode: -9)",
    );
    assert_eq!(s.body, "failed (exitcode: -9)");
    // `datefmt="%Y-%m-%d:%H:%M:%S"`, `%(levelname)-8s [%(filename)s:%(lineno)d]`
    // (lm-eval's logger, and many scripts copied from it).
    let s = strip_prefixes(
        "2024-05-01:12:00:07,123 INFO     [evaluator.py:517] Running loglikelihood requests",
    );
    assert_eq!(s.body, "Running loglikelihood requests");
    assert!(s.ts.is_some());
    assert_eq!(s.ts, strip_prefixes("2024-05-01 12:00:07,123 x").ts);
    // Optuna's logger: `[%(levelname)1.1s %(asctime)s] `.
    let s = strip_prefixes("[W 2024-09-01 02:42:57,017] Trial 9 failed with value None.");
    assert_eq!(s.body, "Trial 9 failed with value None.");
    assert!(s.ts.is_some());
    // Lines that merely start with digits are left alone.
    assert_eq!(
        strip_prefixes("490 | loss 5.7543").body,
        "490 | loss 5.7543"
    );
    assert_eq!(strip_prefixes("12:30 something").body, "12:30 something");
}

// ---------------------------------------------------------------------------
// recognisers

#[test]
fn tqdm_frame_variants() {
    let f = parse::parse_tqdm(" 50%|█████     | 4/8 [00:00<00:00, 30.65it/s]").expect("frame");
    assert_eq!(
        (f.n, f.total, f.rate, f.desc),
        (4.0, Some(8.0), Some(30.65), "")
    );
    let f = parse::parse_tqdm("train:   2%|▎         | 1/40 [00:02<01:27,  2.25s/it, loss=7.032]")
        .expect("s/it");
    assert_eq!(f.desc, "train");
    assert!(approx(f.rate, 1.0 / 2.25, 1e-9));
    assert_eq!(parse::postfix_value(f.postfix, "loss"), Some(7.032));
    let f = parse::parse_tqdm("Training: 0it [00:00, ?it/s]").expect("no total");
    assert_eq!((f.n, f.total, f.rate), (0.0, None, None));
    let f = parse::parse_tqdm(
        "Epoch 0:   6%|██   | 32040/500150 [6:28:43<94:39:17,  1.37it/s, loss=2.6, v_num=95nc]",
    )
    .expect("hours");
    assert_eq!(f.elapsed_s, Some((6 * 3600 + 28 * 60 + 43) as f64));
    let f = parse::parse_tqdm("  4%|█▎  | 1.20M/2.00M [00:01<00:01, 24.5ktok/s]").expect("SI");
    assert_eq!(f.total, Some(2.0e6));
    assert_eq!(f.rate, Some(24500.0));
    let f = parse::parse_tqdm("  2%|██▊    | 4/203 [00:37<30:55,  9.33s/i").expect("cut paste");
    assert_eq!(f.n, 4.0);
    let f =
        parse::parse_tqdm("100%██████████████████| 3000001/3000001 [03:33<00:00, 14061.26it/s]")
            .expect("no pipe");
    assert_eq!(f.n, 3000001.0);
    // Not bars
    assert!(parse::parse_tqdm("125/125 [==============================] - 7s 30ms/step").is_none());
    assert!(parse::parse_tqdm("[2022-03-11 02:06:58,985] [INFO] x").is_none());
    assert!(parse::parse_tqdm("Epoch 00002: val_loss improved [12:30").is_none());
}

#[test]
fn hf_dict_variants() {
    let d = parse::hf_dict(
        "{'loss': '10.45', 'grad_norm': '1.093', 'learning_rate': '0.00018', 'epoch': '0.01667'}",
    )
    .expect("5.x");
    let parse::HfDict::Train(ev) = d else {
        panic!("train dict")
    };
    assert_eq!(
        (ev.loss, ev.grad_norm, ev.lr, ev.epoch),
        (Some(10.45), Some(1.093), Some(0.00018), Some(0.01667))
    );
    let d = parse::hf_dict("{'loss': 2.119, 'grad_norm': 37.657958984375, 'learning_rate': 4.5833333333333334e-05, 'epoch': 0.25}   ").expect("4.x");
    let parse::HfDict::Train(ev) = d else {
        panic!("train dict")
    };
    assert_eq!(ev.lr, Some(4.5833333333333334e-05));
    let d = parse::hf_dict("{'loss': nan, 'grad_norm': tensor(3.5, device='cuda:0'), 'learning_rate': 1e-05, 'epoch': 0.5}").expect("nan/tensor");
    let parse::HfDict::Train(ev) = d else {
        panic!("train dict")
    };
    assert!(ev.loss.is_some_and(f64::is_nan));
    assert_eq!(ev.grad_norm, Some(3.5));
    // NumPy 2's scalars (a loop's own dict of means; TF's Object Detection
    // API under numpy 2).
    let d = parse::parse_py_dict("{'Loss/total_loss': np.float32(0.36564916), 'learning_rate': np.float64(0.079), 'step': np.int64(4800), 'x': 1.5}").expect("numpy 2");
    assert_eq!(
        d,
        vec![
            ("Loss/total_loss", 0.36564916),
            ("learning_rate", 0.079),
            ("step", 4800.0),
            ("x", 1.5)
        ]
    );
    assert!(
        matches!(parse::hf_dict("{'train_runtime': '1615', 'train_samples_per_second': '0.248', 'train_steps_per_second': '0.124', 'train_loss': '0.2751', 'epoch': '0.8'}"), Some(parse::HfDict::Final { runtime_s: Some(r), .. }) if r == 1615.0)
    );
    assert!(matches!(
        parse::hf_dict("{'eval_loss': '0.01576', 'eval_runtime': '1.075', 'epoch': '0.3333'}"),
        Some(parse::HfDict::Eval(_))
    ));
    assert!(parse::hf_dict("{not a dict").is_none());
    assert!(parse::hf_dict("{}").is_none());
}

#[test]
fn one_line_recognisers() {
    let e = parse::nanogpt("iter 10: loss 9.7622, time 41.58ms, mfu 107.95%").expect("nanogpt");
    assert_eq!((e.step, e.loss), (Some(10), Some(9.7622)));
    assert!(approx(e.step_time_s, 0.04158, 1e-9));
    let e = parse::nanogpt("step 100: train loss 1.4757, val loss 1.4804").expect("eval");
    assert_eq!(
        (e.kind, e.step, e.loss),
        (EventKind::Eval, Some(100), Some(1.4804))
    );
    let e = parse::nanogpt("500 | loss 6.0091 | lr 5.000000e-05 | 870067.53ms | mfu 0.19%")
        .expect("llama2.c");
    assert_eq!((e.step, e.lr), (Some(500), Some(5e-5)));
    assert!(approx(e.step_time_s, 870.06753, 1e-9));
    let e = parse::torchtitan("step:  3  loss:  4.9925  grad_norm:  2.6422  memory:  0.00GiB(0.00%)  tps: 30,768  tflops: 3.15  mfu: 0.32%").expect("titan");
    assert_eq!(
        (e.step, e.loss, e.grad_norm, e.tokens_per_sec),
        (Some(3), Some(4.9925), Some(2.6422), Some(30768.0))
    );
    let e = parse::deepspeed("[Rank 0] step=35, skipped=0, lr=[2.1731931451279077e-06, 2.1731931451279077e-06], mom=[[0.9, 0.95], [0.9, 0.95]]").expect("ds");
    assert_eq!(e.step, Some(35));
    assert!(parse::deepspeed("TrainOutput(global_step=200, training_loss=2.8)").is_none());
    let e = parse::keras("125/125 [==============================] - 7s 30ms/step - loss: 3.9305 - sparse_categorical_accuracy: 0.2280").expect("keras2");
    assert_eq!(
        (e.step, e.total_steps, e.loss),
        (Some(125), Some(125), Some(3.9305))
    );
    let e = parse::keras("  12/50 ━━━━━━━━━━━━━━━━━━━━ 3s 82ms/step - loss: 1.2345e-01")
        .expect("keras3");
    assert_eq!(e.loss, Some(0.12345));
    assert!(approx(e.step_time_s, 0.082, 1e-9));
    assert!(parse::keras("2004, 2004, 0, 44").is_none());
    assert_eq!(parse::keras_epoch("Epoch 3/200"), Some((3, 200)));
    let r = parse::rich_bar(
        "Epoch 1/1  ━━━━━━━━━━━━━━━━ 40/40 0:00:01 • 0:00:00 37.14it/s v_num: 0.000",
    )
    .expect("rich");
    assert_eq!(
        (r.epoch, r.n, r.total, r.elapsed_s, r.rate),
        (Some(1), 40.0, Some(40.0), Some(1.0), Some(37.14))
    );
}

#[test]
fn error_signatures() {
    use errors::classify_line;
    let c = |s: &str| classify_line(s).map(|x| (x.class, x.fatal));
    assert_eq!(
        c("torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 12.00 GiB."),
        Some((ErrorClass::Memory, true))
    );
    assert_eq!(
        c("RuntimeError: CUDA out of memory. Tried to allocate 12.50 MiB (GPU 0; ...)"),
        Some((ErrorClass::Memory, true))
    );
    assert_eq!(
        c("torch.AcceleratorError: CUDA error: device-side assert triggered"),
        Some((ErrorClass::Cuda, true))
    );
    assert_eq!(
        c("RuntimeError: CUDA error: an illegal memory access was encountered"),
        Some((ErrorClass::Cuda, true))
    );
    assert_eq!(
        c(
            "RuntimeError: Cannot re-initialize CUDA in forked subprocess. To use CUDA with multiprocessing, you must use the 'spawn' start method"
        ),
        Some((ErrorClass::Cuda, true))
    );
    assert_eq!(c("Killed"), Some((ErrorClass::Killed, true)));
    assert_eq!(
        c("./run.sh: line 3: 1234 Killed                  python train.py"),
        Some((ErrorClass::Killed, true))
    );
    assert_eq!(
        c("NCCL WARN Cuda failure 'out of memory'"),
        Some((ErrorClass::Distributed, false))
    );
    assert_eq!(
        c("WARNING: Retrying (Retry(total=4, connect=None)) after connection broken"),
        Some((ErrorClass::Dependency, false))
    );
    assert_eq!(
        c(
            "ImportError: libcudart.so.12: cannot open shared object file: No such file or directory"
        ),
        Some((ErrorClass::Dependency, true))
    );
    assert_eq!(
        c("RuntimeError: DataLoader worker (pid(s) 1234) exited unexpectedly"),
        Some((ErrorClass::Data, true))
    );
    // Informational lines that mention scary words are not errors.
    assert_eq!(
        c(
            "c39f5cf046aa:4533:4533 [0] NCCL INFO NET/Plugin : dlerror=libnccl-net.so: cannot open shared object file"
        ),
        None
    );
    assert_eq!(c("Killed process count: 0 (all good)"), None);
    assert_eq!(c("{'loss': '10.45'}"), None);
}

// ---------------------------------------------------------------------------
// corpus: every excerpt, with the facts it must yield

#[test]
fn corpus_hf_trainer() {
    let b = blocks("hf_trainer.txt", 10);
    let a = &b[0].1;
    assert_eq!(a.format, Format::HfTrainer);
    assert_eq!(
        (a.loss.first, a.loss.last, a.loss.count),
        (Some(2.119), Some(1.1649), 6)
    );
    assert_eq!(a.epoch, Some(1.5));
    let a = &b[1].1;
    assert_eq!(
        (a.loss.first, a.loss.last, a.loss.count, a.loss.min),
        (Some(1.5214), Some(0.6321), 7, Some(0.3751))
    );
    let a = &b[2].1;
    assert_eq!(
        (a.last_step, a.total_steps, a.format),
        (Some(40), Some(564), Format::HfTrainer)
    );
    assert_eq!(
        (a.loss.first, a.loss.last),
        (Some(18.6387), Some(10.455857))
    );
    let a = &b[3].1;
    assert_eq!(a.verdict, "no training progress recognised", "banner only");
    assert_eq!(a.total_steps, Some(196), "banner total with log prefix");
    let a = &b[4].1;
    assert_eq!(
        (a.last_step, a.total_steps, a.format),
        (Some(4), Some(203), Format::HfTrainer)
    );
    let a = &b[5].1;
    assert_eq!(a.format, Format::HfTrainer);
    assert_eq!(a.verdict, "completed");
    assert_eq!(
        (a.reported.train_runtime_s, a.reported.train_steps_per_sec),
        (Some(116.1914), Some(1.721))
    );
    assert_eq!(
        (a.loss.first, a.loss.last, a.loss.count),
        (Some(3.1898), Some(2.5744), 10)
    );
    let a = &b[6].1;
    assert_eq!(a.eval.count, 2);
    assert_eq!(a.eval.last_loss, Some(0.2768329977989197));
    assert_approx(
        a.eval.reported_runtime_mean_s,
        (12.5746 + 2.0719) / 2.0,
        1e-9,
        "eval runtime",
    );
    assert_eq!((a.loss.first, a.loss.last), (Some(1.1021), Some(1.0937)));
    let a = &b[7].1;
    assert_eq!(
        (a.last_step, a.total_steps, a.finished),
        (Some(1000), Some(1000), true)
    );
    assert_eq!(a.loss.last, Some(0.7423));
    assert!(
        a.errors.is_empty(),
        "INFO:root lines glued to bars are not errors: {:?}",
        a.errors
    );
    let a = &b[8].1;
    assert_eq!(
        (a.loss.first, a.loss.last, a.loss.count),
        (Some(3.41), Some(1.764), 3)
    );
    assert_eq!(a.reported.train_runtime_s, Some(36.27));
    let a = &b[9].1;
    assert_eq!(a.verdict, "completed");
    assert_eq!(
        (a.reported.train_runtime_s, a.reported.train_steps_per_sec),
        (Some(1615.0), Some(0.124))
    );
}

#[test]
fn corpus_tqdm() {
    let b = blocks("tqdm.txt", 4);
    let a = &b[0].1;
    assert_eq!(
        (a.format, a.last_step, a.total_steps, a.loss.last),
        (Format::Tqdm, Some(1), Some(3000), Some(0.396))
    );
    assert_eq!(a.clock, Clock::LogTimestamps);
    let a = &b[1].1;
    assert_eq!((a.last_step, a.total_steps), (Some(4), Some(203)));
    // bar elapsed clock: 2 steps between [00:12] and [00:37]
    assert_approx(
        a.steps_per_sec.overall,
        2.0 / 25.0,
        1e-9,
        "overall from bar elapsed",
    );
    let a = &b[2].1;
    assert_eq!(a.last_step, Some(3000001));
    assert!(has_error(a, ErrorClass::Killed, true));
    assert!(a.verdict.starts_with("fatal: "));
    let a = &b[3].1;
    assert_eq!(a.verdict, "no training progress recognised");
}

#[test]
fn corpus_lightning() {
    let b = blocks("lightning.txt", 7);
    let a = &b[0].1;
    assert_eq!((a.format, a.last_step), (Format::Lightning, Some(6)));
    assert_eq!(a.loss.first, Some(10.072));
    // Lightning 1.7's epoch bar counts the validation batches too (1016 =
    // 859 training + 157 validation): at 932 the validation bar shows 73,
    // so 859 training steps are done, and the frames after it are
    // validation.
    let a = &b[1].1;
    assert_eq!(
        (a.format, a.last_step, a.loss.last),
        (Format::Lightning, Some(859), Some(0.223))
    );
    assert_eq!(a.eval.count, 1, "validation bar between training frames");
    let a = &b[2].1;
    assert_eq!(
        (a.format, a.last_step, a.loss.first),
        (Format::Lightning, Some(1660), Some(0.158))
    );
    let a = &b[3].1;
    assert_eq!(a.last_step, Some(32040));
    assert!(
        has_error(a, ErrorClass::Distributed, true),
        "NCCL error glued after the bar"
    );
    assert_eq!(a.verdict, "fatal: NCCL collective timeout");
    let a = &b[4].1;
    assert_eq!(a.last_step, Some(3744), "epoch 1 continues the global step");
    assert_eq!(a.epoch, Some(1.0));
    // A Lightning 1.x epoch bar again: `1/2`, then its one validation
    // batch (`Validation DataLoader 0: 1/1`) makes it `2/2`: one training
    // step.
    let a = &b[5].1;
    assert_eq!(
        (a.format, a.last_step, a.loss.last),
        (Format::Lightning, Some(1), Some(2.29))
    );
    assert!(a.eval.count >= 1);
    let a = &b[6].1;
    assert_eq!(a.verdict, "no training progress recognised");
    assert!(a.errors.is_empty());
}

#[test]
fn corpus_nanogpt() {
    let b = blocks("nanogpt.txt", 7);
    let a = &b[0].1;
    assert_eq!(
        (a.format, a.last_step, a.loss.first, a.loss.last),
        (Format::NanoGpt, Some(240), Some(4.2648), Some(1.6524))
    );
    assert_eq!(a.eval.count, 1);
    assert_eq!(a.eval.last_loss, Some(1.7220));
    assert_approx(a.reported.step_time_s, 0.8946, 0.002, "reported ms/iter");
    assert!(a.steps_per_sec.p50.is_none(), "no clock in a plain excerpt");
    assert!(a.notes.iter().any(|n| n.contains("not measured")));
    let a = &b[1].1;
    assert_eq!((a.last_step, a.loss.count), (Some(1641), 11));
    assert_approx(a.reported.step_time_s, 0.5627, 0.002, "reported ms/iter");
    // User timestamps: measured with the log's own clock, eval pause found.
    let a = &b[2].1;
    assert_eq!((a.clock, a.last_step), (Clock::LogTimestamps, Some(3060)));
    assert_eq!(a.loss.nan_count, 6);
    assert!(a.verdict.contains("NaN"), "{}", a.verdict);
    assert_eq!(a.pauses.count, 1);
    // iter 3000 printed 35392 ms incl. eval+save; normal ~1.1 s per iter.
    assert_approx(Some(a.pauses.total_s), 35.392 - 1.1, 0.05, "pause cost");
    assert_approx(a.step_time_s.p50, 1.0975, 0.05, "1 s resolution timestamps");
    assert_eq!(a.checkpoints.count, 1);
    let a = &b[3].1;
    assert_eq!((a.last_step, a.loss.last), (Some(36299), Some(6.2880)));
    let a = &b[4].1;
    assert_eq!(
        (a.format, a.last_step, a.loss.last, a.eval.count),
        (Format::NanoGpt, Some(520), Some(5.6863), 1)
    );
    let a = &b[5].1;
    assert_eq!((a.last_step, a.loss.last), (Some(520), Some(4.6562)));
    let a = &b[6].1;
    assert_eq!(
        (a.format, a.last_step, a.total_steps, a.eval.count),
        (Format::NanoGpt, Some(625), Some(1480), 6)
    );
    assert_eq!(a.eval.every_steps, Some(125));
}

#[test]
fn corpus_megatron() {
    let b = blocks("megatron.txt", 3);
    let a = &b[0].1;
    assert_eq!(
        (a.format, a.last_step, a.total_steps, a.loss.first),
        (Format::Megatron, Some(73), Some(100), Some(1.818812))
    );
    assert_eq!(a.clock, Clock::LogTimestamps);
    // 2 iterations between 03:02:12 and 03:02:24
    assert_approx(a.steps_per_sec.overall, 2.0 / 12.0, 1e-9, "overall");
    assert_approx(
        a.samples_per_sec,
        128.0 * 2.0 / 12.0,
        1e-9,
        "global batch x steps/s",
    );
    let a = &b[1].1;
    assert_eq!(
        (a.last_step, a.total_steps, a.loss.first, a.loss.count),
        (Some(204), Some(250000), Some(2.504220), 8)
    );
    let a = &b[2].1;
    assert_eq!(
        (a.format, a.last_step, a.total_steps, a.loss.last),
        (Format::Megatron, Some(34), Some(10000), Some(11.18665))
    );
    assert_eq!(a.reported.samples_per_sec, Some(7.799));
}

#[test]
fn corpus_torchtitan() {
    let b = blocks("torchtitan.txt", 4);
    let a = &b[0].1;
    assert_eq!(
        (a.format, a.last_step, a.loss.first, a.loss.last),
        (Format::Torchtitan, Some(250), Some(6.1384), Some(5.8383))
    );
    assert_eq!(a.reported.tokens_per_sec, Some(5862.0));
    // 50 steps between 22:30:50.322 and 22:32:00.846
    assert_approx(a.steps_per_sec.overall, 50.0 / 70.524, 1e-6, "overall");
    let a = &b[1].1;
    assert_eq!(
        (a.last_step, a.loss.first, a.loss.last),
        (Some(10), Some(4.9925), Some(3.9119))
    );
    assert!(a.recent.iter().any(|e| e.grad_norm == Some(1.6558)));
    let a = &b[2].1;
    assert_eq!(
        (a.last_step, a.loss.count),
        (Some(5), 2),
        "seven per-rank copies of step 4 count once"
    );
    let a = &b[3].1;
    assert_eq!(
        (a.last_step, a.loss.count, a.loss.min),
        (Some(21), 8, Some(2.89959))
    );
}

#[test]
fn corpus_deepspeed() {
    let b = blocks("deepspeed.txt", 5);
    let a = &b[0].1;
    assert_eq!((a.format, a.last_step), (Format::DeepSpeed, Some(50)));
    assert_approx(
        a.reported.samples_per_sec,
        83.73838805358588,
        1e-9,
        "SamplesPerSec",
    );
    // GPT-NeoX under DeepSpeed: its own Megatron-style iteration lines
    // (FORMATS.md §5, with the total) win over DeepSpeed's engine lines.
    let a = &b[1].1;
    assert_eq!((a.format, a.last_step), (Format::Megatron, Some(34)));
    assert_eq!(a.total_steps, Some(10000));
    let a = &b[2].1;
    assert_eq!(a.last_step, Some(2498));
    let a = &b[3].1;
    assert_eq!(a.last_step, Some(4500));
    assert!(a.warnings >= 8, "overflow storm counted: {}", a.warnings);
    assert!(has_error(a, ErrorClass::Runtime, false) && !a.has_fatal());
    assert_eq!(a.verdict, "progressing");
    let a = &b[4].1;
    assert_eq!(a.last_step, Some(450));
    assert_approx(
        a.reported.samples_per_sec,
        7.458824487454903,
        1e-9,
        "old format",
    );
}

#[test]
fn corpus_keras() {
    let b = blocks("keras.txt", 6);
    let a = &b[0].1;
    assert_eq!(
        (a.format, a.last_step, a.total_steps),
        (Format::Keras, Some(1250), Some(25000))
    );
    assert_eq!((a.loss.first, a.loss.last), (Some(3.9305), Some(2.2068)));
    assert_approx(a.reported.step_time_s, 0.028, 1e-9, "ms/step");
    let a = &b[1].1;
    assert_eq!(
        (a.format, a.last_step, a.loss.count),
        (Format::Keras, Some(56 * 32), 0)
    );
    let a = &b[2].1;
    assert_eq!((a.last_step, a.loss.last), (Some(4 * 423), Some(1.1163)));
    assert_approx(a.reported.step_time_s, 0.439, 1e-9, "ms/step");
    let a = &b[3].1;
    assert_eq!(
        (a.last_step, a.eval.last_loss),
        (Some(3 * 6072), Some(0.4333))
    );
    let a = &b[4].1;
    assert_eq!((a.last_step, a.checkpoints.count), (Some(100), 1));
    let a = &b[5].1;
    assert_eq!(
        (a.last_step, a.total_steps, a.loss.last),
        (Some(694), None, Some(0.3081))
    );
}

#[test]
fn corpus_accelerate_and_axolotl() {
    let b = blocks("accelerate.txt", 2);
    let a = &b[0].1;
    assert_eq!(
        (a.format, a.last_step, a.total_steps, a.loss.last),
        (Format::Tqdm, Some(1), Some(3000), Some(0.396))
    );
    let a = &b[1].1;
    assert_eq!(a.verdict, "no training progress recognised");
    assert!(
        !a.has_fatal(),
        "traceback frames without an exception line: {:?}",
        a.errors
    );
    let b = blocks("axolotl.txt", 2);
    let a = &b[0].1;
    assert_eq!(
        (a.format, a.last_step, a.total_steps),
        (Format::HfTrainer, Some(284), Some(873))
    );
    assert_eq!((a.loss.first, a.loss.last), (Some(1.0226), Some(0.8635)));
    let a = &b[1].1;
    assert_eq!(a.verdict, "no training progress recognised");
    assert!(a.errors.is_empty());
}

#[test]
fn corpus_errors_cuda_oom() {
    let b = blocks("errors_cuda_oom.txt", 7);
    let sizes = [
        "22.00 MiB",
        "2.26 GiB",
        "12.50 MiB",
        "1.70 GiB",
        "10.08 GiB",
        "22.78 GiB",
        "1024.00 MiB",
    ];
    for ((src, a), size) in b.iter().zip(sizes) {
        assert!(
            has_error(a, ErrorClass::Memory, true),
            "{src}: {:?}",
            a.errors
        );
        assert_eq!(
            a.verdict,
            format!("fatal: CUDA out of memory (tried to allocate {size})"),
            "{src}"
        );
    }
}

#[test]
fn corpus_errors_deps_and_host() {
    let b = blocks("errors_deps_and_host.txt", 10);
    let want = [
        (
            ErrorClass::Dependency,
            "fatal: pip could not install flash-attn",
        ),
        (
            ErrorClass::Dependency,
            "fatal: pip could not install flash-attn==2.8.0.post1",
        ),
        (ErrorClass::Dependency, "fatal: pip package build failed"),
        (ErrorClass::Dependency, "fatal: pip package build failed"),
        (
            ErrorClass::Dependency,
            "fatal: CUDA_HOME not set (building a CUDA extension)",
        ),
        (
            ErrorClass::Killed,
            "fatal: process killed (host out of memory?)",
        ),
        (
            ErrorClass::Killed,
            "fatal: process killed (host out of memory?)",
        ),
        (
            ErrorClass::Killed,
            "fatal: process killed (host out of memory?)",
        ),
        (ErrorClass::Killed, "fatal: host OOM killer killed python"),
        (
            ErrorClass::Data,
            "fatal: DataLoader worker bus error (/dev/shm too small)",
        ),
    ];
    for ((src, a), (class, verdict)) in b.iter().zip(want) {
        assert!(has_error(a, class, true), "{src}: {:?}", a.errors);
        assert_eq!(a.verdict, verdict, "{src}");
    }
    // SpaTracker: the nested traceback's ModuleNotFoundError is captured.
    assert!(
        b[3].1
            .errors
            .iter()
            .any(|e| e.label == "missing Python module 'packaging'" && !e.traceback.is_empty())
    );
    // The dmesg excerpt names the killed process.
    assert!(
        b[7].1
            .errors
            .iter()
            .any(|e| e.label == "host OOM killer killed perl")
    );
}

#[test]
fn corpus_errors_distributed() {
    let b = blocks("errors_distributed.txt", 11);
    let want = [
        "fatal: NCCL collective timeout",
        "fatal: NCCL collective timeout",
        "fatal: NCCL watchdog aborted the process group",
        "fatal: NCCL collective timeout",
        "fatal: NCCL error",
        "fatal: NCCL error",
        "fatal: NCCL error",
        "fatal: worker killed by SIGKILL (likely host out of memory)",
        // FORMATS.md §11: exit code -9 is the host's OOM kill.
        "fatal: torchrun: worker killed by SIGKILL (exit code -9, likely host out of memory)",
        "fatal: torchrun: worker killed by SIGKILL (exit code -9, likely host out of memory)",
        "fatal: torchrun: worker exited with code 1",
    ];
    for ((src, a), verdict) in b.iter().zip(want) {
        assert_eq!(a.verdict, verdict, "{src}: {:?}", a.errors);
    }
    for (i, (_, a)) in b.iter().enumerate() {
        let class = if (7..=9).contains(&i) {
            ErrorClass::Killed
        } else {
            ErrorClass::Distributed
        };
        assert!(has_error(a, class, true), "block {i}");
    }
    // Per-rank copies of the same watchdog line collapse into one counted error.
    let e = &b[0].1.errors[0];
    assert_eq!((e.class, e.count), (ErrorClass::Distributed, 2));
}

#[test]
fn corpus_nvidia_smi_is_not_training() {
    for (src, a) in blocks("nvidia_smi.txt", 12) {
        assert_eq!(a.verdict, "no training progress recognised", "{src}");
        assert!(!a.has_fatal(), "{src}: {:?}", a.errors);
    }
}

// ---------------------------------------------------------------------------
// traces: replayed with their recorded arrival times

#[test]
fn timing_tsv_parses() {
    let (log, t) = trace("hf_trainer");
    assert_eq!(t.start_unix, Some(1795889395.584));
    assert_eq!(
        t.cmd.as_deref(),
        Some("python3 /workspace/smoke-tests/hf_smoke.py 16 600")
    );
    assert_eq!(t.exit, Some((0, 99.435)));
    assert_eq!(t.points.last().map(|p| p.1), Some(log.len() as u64));
    let joined: Vec<u8> = replay_chunks(&log, &t)
        .into_iter()
        .flat_map(|(_, c)| c.to_vec())
        .collect();
    assert_eq!(joined, log, "chunks reassemble the log");
    assert!(matches!(
        parse_timing_tsv("1.0\t5\nbad row\n"),
        Err(TimingError::BadRow { line: 2, .. })
    ));
    assert!(matches!(
        parse_timing_tsv("1.0\t5\n2.0\t3\n"),
        Err(TimingError::NotMonotonic { line: 2 })
    ));
    assert!(matches!(
        parse_timing_tsv("# cmd\tx\n"),
        Err(TimingError::Empty)
    ));
}

#[test]
fn trace_hf_trainer() {
    let (log, t) = trace("hf_trainer");
    let a = replay(&log, &t);
    assert_eq!(
        (a.format, a.last_step, a.total_steps, a.finished),
        (Format::HfTrainer, Some(600), Some(600), true)
    );
    assert_eq!(a.verdict, "completed");
    assert_eq!(
        (a.loss.first, a.loss.last, a.loss.count),
        (Some(10.45), Some(0.00531), 60)
    );
    assert_eq!((a.eval.count, a.eval.every_steps), (3, Some(200)));
    assert_eq!(a.eval.last_loss, Some(0.004019));
    assert_eq!(a.checkpoints.count, 2, "shard writer at 400 and at the end");
    assert_eq!(
        a.pauses.count, 2,
        "evals at 200 and 400 fall inside training"
    );
    assert!(a.errors.is_empty(), "{:?}", a.errors);
    assert_eq!(
        (a.reported.train_runtime_s, a.reported.train_steps_per_sec),
        (Some(79.43), Some(7.554))
    );

    // Recent median vs the bar's own displayed rates over the same window
    // (the last ~64 steps before the close redraw).
    let frames = bar_frames(&log, 600);
    let recent: Vec<f64> = frames
        .iter()
        .filter(|f| f.0 > 600 - 64 && f.0 < 600)
        .map(|f| f.1)
        .collect();
    let reference = median(recent);
    assert_approx(
        a.steps_per_sec.p50,
        reference,
        0.02,
        "p50 vs displayed it/s",
    );
    // Whole-run rate incl. pauses vs the bar's elapsed field: steps 1..600.
    let f1 = frames.iter().find(|f| f.0 == 1).copied().expect("frame 1");
    let f600 = frames
        .iter()
        .find(|f| f.0 == 600)
        .copied()
        .expect("frame 600");
    let overall_ref = 599.0 / (f600.2 - f1.2);
    assert_approx(
        a.steps_per_sec.overall,
        overall_ref,
        0.02,
        "overall vs bar elapsed",
    );
    // ~8.2-8.7 it/s: the healthy-run number of the README.
    assert!(a.steps_per_sec.p50.is_some_and(|r| (8.0..9.0).contains(&r)));
    // Eval pauses measured: the first eval alone reports 1.075 s of runtime.
    assert!(
        a.pauses.total_s > 1.075 && a.pauses.total_s < 6.0,
        "{}",
        a.pauses.total_s
    );
    assert_eq!(a.clock, Clock::Arrival);
}

#[test]
fn trace_hf_flat_loss() {
    let (log, t) = trace("hf_flat_loss");
    let a = replay(&log, &t);
    assert_eq!(
        (a.format, a.last_step, a.total_steps),
        (Format::HfTrainer, Some(300), Some(300))
    );
    assert_eq!((a.loss.first, a.loss.last), (Some(10.97), Some(10.97)));
    assert!(
        a.loss.rel_change.is_some_and(|r| r.abs() < 0.01),
        "flat loss: {:?}",
        a.loss.rel_change
    );
    let frames = bar_frames(&log, 300);
    let recent: Vec<f64> = frames
        .iter()
        .filter(|f| f.0 > 300 - 64 && f.0 < 300)
        .map(|f| f.1)
        .collect();
    assert_approx(
        a.steps_per_sec.p50,
        median(recent),
        0.02,
        "p50 vs displayed it/s",
    );
    assert_eq!(a.eval.count, 2);
}

#[test]
fn trace_nanogpt() {
    let (log, t) = trace("nanogpt");
    let a = replay(&log, &t);
    assert_eq!(
        (a.format, a.last_step, a.total_steps, a.verdict.as_str()),
        (Format::NanoGpt, Some(400), Some(400), "completed")
    );
    assert_eq!((a.loss.first, a.loss.last), (Some(10.9839), Some(0.0423)));
    assert_eq!(
        (a.eval.count, a.eval.every_steps, a.checkpoints.count),
        (5, Some(100), 4)
    );
    // Reference: the printed per-iteration times, outside evals and warm-up.
    let text = String::from_utf8_lossy(&log);
    let mut printed = Vec::new();
    let mut pause_ms = Vec::new();
    for l in text.lines() {
        if let Some(ev) = parse::nanogpt(l)
            && let (Some(step), Some(st)) = (ev.step, ev.step_time_s)
        {
            if step == 0 {
                continue;
            }
            if st > 1.0 {
                pause_ms.push(st);
            } else {
                printed.push(st);
            }
        }
    }
    let ref_step = median(printed.clone());
    assert!(
        (0.040..0.045).contains(&ref_step),
        "~42 ms/iter: {ref_step}"
    );
    assert_approx(
        a.step_time_s.p50,
        ref_step,
        0.02,
        "p50 step time vs printed ms/iter",
    );
    assert_approx(
        a.tokens_per_sec,
        16384.0 / a.step_time_s.p50.unwrap_or(1.0),
        1e-9,
        "tokens/s = tokens/iter / step time",
    );
    // Four eval+checkpoint pauses; their cost is what the printed pause
    // iterations took beyond a normal iteration.
    assert_eq!(a.pauses.count, 4);
    let ref_pause: f64 = pause_ms.iter().map(|p| p - ref_step).sum();
    assert_approx(
        Some(a.pauses.total_s),
        ref_pause,
        0.05,
        "pause total vs printed",
    );
    assert_approx(a.eval.mean_s, ref_pause / 4.0, 0.05, "eval pause mean");
}

#[test]
fn trace_loader_bound() {
    let (log, t) = trace("loader_bound");
    let a = replay(&log, &t);
    assert_eq!(
        (a.format, a.last_step, a.total_steps),
        (Format::Tqdm, Some(40), Some(40))
    );
    assert_eq!((a.loss.first, a.loss.last), (Some(7.032), Some(7.423)));
    // tqdm's close redraw prints the whole-run average (1.16 s/it).
    let frames = bar_frames(&log, 40);
    let closing = frames.last().expect("frames").1;
    assert_approx(
        a.steps_per_sec.overall,
        closing,
        0.02,
        "overall vs tqdm's closing average",
    );
    let p50 = a.step_time_s.p50.unwrap_or(0.0);
    assert!((1.0..1.3).contains(&p50), "~1.1 s/it input-bound: {p50}");
}

#[test]
fn trace_lightning_rich_bar_reports_honestly() {
    let (log, t) = trace("lightning");
    let chunks = replay_chunks(&log, &t);
    // Live: nothing but startup output until the very end.
    let mut an = LogAnalyzer::new();
    let n = chunks.len();
    for (i, (time, c)) in chunks.iter().enumerate() {
        an.push(c, Some(*time));
        if i + 3 < n {
            let mid = an.finish();
            assert_eq!(mid.verdict, "no training progress recognised", "chunk {i}");
        }
    }
    let a = an.finish();
    assert_eq!(
        (a.format, a.last_step, a.total_steps, a.finished),
        (Format::Lightning, Some(500), Some(500), true)
    );
    assert_eq!(
        a.steps_per_sec,
        Rates::default(),
        "no live timing can be measured"
    );
    assert!(a.notes.iter().any(|n| n.contains("rich progress bar")));
    assert_eq!(a.reported.bar_rate, Some(20.01));
    assert_eq!(a.loss.last, Some(0.014));
    assert_eq!(a.eval.last_loss, Some(0.011));
}

#[test]
fn trace_hf_oom() {
    let (log, t) = trace("hf_oom");
    let a = replay(&log, &t);
    assert!(
        a.verdict.starts_with("fatal: CUDA out of memory"),
        "{}",
        a.verdict
    );
    assert_eq!(
        a.format,
        Format::HfTrainer,
        "trainer.py frames in the traceback"
    );
    let e = a
        .errors
        .iter()
        .find(|e| e.class == ErrorClass::Memory)
        .expect("memory error");
    assert!(e.fatal);
    assert!(
        e.message
            .starts_with("torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 12.00 GiB")
    );
    assert!(
        e.traceback.len() > 20,
        "whole block captured: {}",
        e.traceback.len()
    );
    assert!(e.traceback[0].starts_with("Traceback (most recent call last)"));
    assert_eq!(a.errors.len(), 1, "{:?}", a.errors);
}

#[test]
fn trace_import_error_and_pip_fail() {
    let (log, t) = trace("import_error");
    let a = replay(&log, &t);
    assert_eq!(a.verdict, "fatal: missing Python module 'flash_attn'");
    assert!(has_error(&a, ErrorClass::Dependency, true));
    assert_eq!(a.errors[0].traceback.len(), 3);
    let (log, t) = trace("pip_fail");
    let a = replay(&log, &t);
    assert!(has_error(&a, ErrorClass::Dependency, true));
    assert_eq!(
        a.verdict,
        "fatal: pip could not install flash-attn-nonexistent-pkg"
    );
}

#[test]
fn traces_one_shot_equals_replay_except_timing() {
    for name in [
        "hf_trainer",
        "hf_flat_loss",
        "nanogpt",
        "loader_bound",
        "lightning",
        "hf_oom",
        "import_error",
        "pip_fail",
    ] {
        let (log, t) = trace(name);
        let live = replay(&log, &t);
        let mut an = LogAnalyzer::new();
        an.push(&log, None);
        let plain = an.finish();
        assert_eq!(
            (live.format, live.last_step, live.total_steps),
            (plain.format, plain.last_step, plain.total_steps),
            "{name}"
        );
        assert_eq!(
            (live.loss, live.verdict.clone()),
            (plain.loss, plain.verdict.clone()),
            "{name}"
        );
        assert_eq!(live.error_classes(), plain.error_classes(), "{name}");
        // finish() is repeatable and does not disturb the analyzer.
        assert_eq!(an.finish(), plain, "{name}");
    }
}

#[test]
fn plain_hf_log_uses_bar_elapsed_clock() {
    let (log, _) = trace("hf_trainer");
    let mut an = LogAnalyzer::new();
    an.push(&log, None);
    let a = an.finish();
    assert_eq!(a.clock, Clock::BarElapsed);
    assert!(a.notes.iter().any(|n| n.contains("1 s resolution")));
    let p50 = a.steps_per_sec.p50.unwrap_or(0.0);
    assert!((7.5..9.5).contains(&p50), "{p50}");
}

#[test]
fn a_plain_log_s_whole_second_clock_comes_close_to_the_timed_replay() {
    // The bar's elapsed field shows whole seconds: measured over ten-second
    // spans, with evals apart, the median comes within a few percent of what
    // the arrival times measure (one-second intervals were off by 7-15%).
    for (name, tolerance) in [
        ("hf_trainer", 0.03),
        ("hf_flat_loss", 0.03),
        ("loader_bound", 0.10),
    ] {
        let (log, timing) = trace(name);
        let timed = replay(&log, &timing).steps_per_sec.p50.expect("timed p50");
        let mut an = LogAnalyzer::new();
        an.push(&log, None);
        let plain = an.finish();
        assert_eq!(plain.clock, Clock::BarElapsed, "{name}");
        let p50 = plain.steps_per_sec.p50.expect("plain p50");
        assert!(
            (p50 / timed - 1.0).abs() <= tolerance,
            "{name}: plain {p50} vs timed {timed}"
        );
    }
}

#[test]
fn analysis_json_shape() {
    let (log, t) = trace("hf_trainer");
    let a = replay(&log, &t);
    // The UI side can read it back.
    let back: Analysis =
        serde_json::from_str(&serde_json::to_string(&a).expect("json")).expect("round trip");
    // (serde_json's default float parsing may differ in the last ulp.)
    assert_eq!(
        (back.format, back.last_step, back.total_steps, &back.verdict),
        (a.format, a.last_step, a.total_steps, &a.verdict)
    );
    assert_eq!(
        (back.recent.len(), back.errors.len(), back.eval.count),
        (a.recent.len(), a.errors.len(), a.eval.count)
    );
    assert_approx(
        back.steps_per_sec.p50,
        a.steps_per_sec.p50.unwrap_or(0.0),
        1e-12,
        "p50 round trip",
    );
    let v = serde_json::to_value(&a).expect("serialises");
    for key in [
        "format",
        "last_step",
        "total_steps",
        "steps_per_sec",
        "pauses",
        "loss",
        "errors",
        "verdict",
        "eval",
        "samples_per_sec",
        "tokens_per_sec",
        "recent",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["format"], "hf_trainer");
    for k in ["p25", "p50", "p90", "overall"] {
        assert!(v["steps_per_sec"][k].is_number(), "{k}");
    }
    assert!(v["pauses"]["count"].is_number() && v["pauses"]["total_s"].is_number());
    assert!(v["loss"]["first"].is_number() && v["loss"]["last"].is_number());
    let (log, t) = trace("hf_oom");
    let v = serde_json::to_value(replay(&log, &t)).expect("serialises");
    assert_eq!(v["errors"][0]["class"], "memory");
    assert_eq!(v["errors"][0]["fatal"], true);
    assert!(
        v["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("CUDA out of memory")
    );
    let v = serde_json::to_value(analyze("")).expect("serialises");
    assert!(v["total_steps"].is_null() && v["steps_per_sec"]["p50"].is_null());
    assert_eq!(v["format"], "unknown");
    let text = replay(&trace("nanogpt").0, &trace("nanogpt").1).render_text();
    assert!(
        text.contains("verdict:  completed")
            && text.contains("nanogpt")
            && text.contains("ms median")
    );
}

#[test]
fn keras3_stream_with_backspaces_and_redraws() {
    // Keras 3 progbar as described in FORMATS.md §9: every update erases the
    // previous frame with backspaces and redraws after `\r`, even in files.
    let mut log = Vec::new();
    for epoch in 1..=2u32 {
        log.extend_from_slice(format!("Epoch {epoch}/2\n").as_bytes());
        let mut prev = 0;
        for n in 1..=20u32 {
            let frame = format!(
                "{n:>2}/20 \u{2501}\u{2501}\u{2501}\u{2501}\u{2501} 1s 50ms/step - loss: {:.4}",
                3.0 - 0.05 * (n + 20 * (epoch - 1)) as f64
            );
            log.extend(std::iter::repeat_n(b'\x08', prev));
            log.push(b'\r');
            log.extend_from_slice(frame.as_bytes());
            prev = frame.chars().count();
        }
        log.push(b'\n');
    }
    let mut an = LogAnalyzer::new();
    for (i, c) in log.chunks(37).enumerate() {
        an.push(c, Some(i as f64 * 0.05));
    }
    let a = an.finish();
    assert_eq!(
        (a.format, a.last_step, a.total_steps),
        (Format::Keras, Some(40), Some(40))
    );
    assert_eq!(a.loss.last, Some(1.0));
    assert_approx(a.reported.step_time_s, 0.05, 1e-9, "ms/step");
    assert!(a.steps_per_sec.p50.is_some());
}

#[test]
fn preprocessing_bar_hands_over_to_the_training_bar() {
    let mut log = String::new();
    for n in (0..=500).step_by(100) {
        log.push_str(&format!(
            "\rComputing embeddings: {:3}%|#    | {n}/500 [00:0{}<00:00, 100.00it/s]",
            n / 5,
            n / 100
        ));
    }
    log.push('\n');
    for n in 0..=40 {
        log.push_str(&format!(
            "\r{:3}%|#    | {n}/40 [00:{:02}<00:00,  2.00it/s]",
            n * 100 / 40,
            n / 2
        ));
    }
    log.push('\n');
    let a = analyze(&log);
    assert_eq!((a.last_step, a.total_steps), (Some(40), Some(40)));
}

#[test]
fn coarse_checks_with_frequent_evals() {
    // A watcher reading every 25 steps while evals run every 10: every
    // interval contains an eval, so they cannot be told apart; the rate is
    // still reported (with the evals amortised) and the fact is noted.
    let mut an = LogAnalyzer::new();
    let mut t = 0.0;
    for check in 0..40u64 {
        let mut chunk = String::new();
        for step in check * 25 + 1..=(check + 1) * 25 {
            chunk.push_str(&format!("iter {step}: loss 1.0, time 100.00ms\n"));
            if step % 10 == 0 {
                chunk.push_str(&format!("step {step}: train loss 1.0, val loss 1.0\n"));
            }
        }
        t += 25.0 * 0.1 + 2.0 * 0.3; // 25 steps + ~2.5 evals of 0.3 s
        an.push(chunk.as_bytes(), Some(t));
    }
    let a = an.finish();
    assert_eq!(a.last_step, Some(1000));
    assert_approx(
        a.step_time_s.p50,
        (2.5 + 0.6) / 25.0,
        0.01,
        "amortised step time",
    );
    assert!(a.notes.iter().any(|n| n.contains("every timed interval")));
    // Fine-grained checks: the same run shows the evals as pauses.
    let mut an = LogAnalyzer::new();
    let mut t = 0.0;
    for step in 1..=200u64 {
        t += 0.1;
        if step > 1 && (step - 1) % 50 == 0 {
            t += 3.0; // the eval printed after the previous iteration ran
        }
        let mut line = format!("iter {step}: loss 1.0, time 100.00ms\n");
        if step % 50 == 0 {
            line.push_str(&format!("step {step}: train loss 1.0, val loss 1.0\n"));
        }
        an.push(line.as_bytes(), Some(t));
    }
    let a = an.finish();
    assert_approx(a.step_time_s.p50, 0.1, 0.01, "step time");
    assert_eq!(
        a.pauses.count, 3,
        "evals at 50, 100, 150 (200 is the last step)"
    );
    assert_approx(a.eval.mean_s, 3.0, 0.02, "eval pause");
    assert!(a.notes.iter().all(|n| !n.contains("every timed interval")));
}

#[test]
fn cut_traceback_does_not_swallow_progress() {
    let mut log =
        String::from("Traceback (most recent call last):\n  File \"x.py\", line 1, in <module>\n");
    for n in 1..=30 {
        log.push_str(&format!(
            "\r{:3}%|#    | {n}/30 [00:{:02}<00:00,  2.00it/s]",
            n * 100 / 30,
            n
        ));
    }
    let a = analyze(&log);
    assert_eq!(a.last_step, Some(30));
    assert!(!a.has_fatal(), "{:?}", a.errors);
    assert!(
        a.errors
            .iter()
            .any(|e| e.class == ErrorClass::Runtime && !e.fatal)
    );
}

#[test]
fn interleaved_rank_bars_are_not_a_restart() {
    // Two ranks draw the same bar, one a step behind the other.
    let mut log = String::new();
    for n in 1..=60 {
        for (rank, m) in [(0, n), (1, n - 1)] {
            log.push_str(&format!(
                "[rank{rank}]: {:3}%|#    | {m}/60 [00:{:02}<00:00,  2.00it/s]\n",
                m * 100 / 60,
                m / 2
            ));
        }
    }
    let a = analyze(&log);
    assert_eq!(a.last_step, Some(60));
    assert!(
        a.notes.iter().all(|n| !n.contains("counter restarted")),
        "{:?}",
        a.notes
    );
}

#[test]
fn restarted_run_is_followed() {
    let mut log = String::new();
    for i in 0..50 {
        log.push_str(&format!(
            "iter {}: loss {:.3}, time 10.00ms\n",
            i * 10,
            5.0 - i as f64 * 0.01
        ));
    }
    for i in 0..20 {
        log.push_str(&format!("iter {}: loss {:.3}, time 10.00ms\n", i * 10, 6.0));
    }
    let a = analyze(&log);
    assert_eq!(a.last_step, Some(190), "follows the new counter");
    assert!(a.notes.iter().any(|n| n.contains("counter restarted")));
    // A few stray lower records (other ranks) do not count as a restart.
    let mut log = String::new();
    for i in 0..50 {
        log.push_str(&format!("iter {}: loss 1.0, time 10.00ms\n", i * 10));
        if i % 10 == 0 {
            log.push_str("iter 5: loss 1.0, time 10.00ms\n");
        }
    }
    assert_eq!(analyze(&log).last_step, Some(490));
}

#[test]
fn eta_mid_run_matches_what_followed() {
    // Replay hf_trainer up to step ~300 and compare the ETA with the time
    // the run actually took from there to its last step.
    let (log, t) = trace("hf_trainer");
    let frames_at = |a: &Analysis| a.last_step.unwrap_or(0);
    let mut an = LogAnalyzer::new();
    let chunks = replay_chunks(&log, &t);
    let mut mid: Option<(Analysis, f64)> = None;
    let mut t600 = None;
    for (time, c) in &chunks {
        an.push(c, Some(*time));
        if mid.is_none() {
            let a = an.finish();
            if frames_at(&a) >= 300 {
                mid = Some((a, *time));
            }
        } else if t600.is_none() && an.finish().last_step == Some(600) {
            t600 = Some(*time);
        }
    }
    let (a, t_mid) = mid.expect("reached step 300");
    let actual = t600.expect("reached 600") - t_mid;
    let eta = a.eta;
    assert_eq!(eta.remaining_evals, Some(2), "evals at 400 and 600");
    let base = eta.base_s.expect("eta");
    assert!(
        (base - actual).abs() / actual < 0.10,
        "eta {base:.1} s vs actual {actual:.1} s"
    );
    assert!(eta.optimistic_s <= eta.base_s && eta.base_s <= eta.pessimistic_s);
}

#[test]
fn errors_show_up_in_recent_events() {
    let (log, t) = trace("pip_fail");
    let a = replay(&log, &t);
    assert!(a.recent.iter().any(|e| {
        e.kind == EventKind::Error
            && e.message
                .as_deref()
                .is_some_and(|m| m.starts_with("dependency: pip could not install"))
    }));
}

// ---------------------------------------------------------------------------
// shapes first met in real logs outside the corpus (lines written here in
// the same layout; see the closing note of the session that added them)

#[test]
fn python_logging_heads_with_a_logger_name_are_stripped() {
    let st = strip_prefixes("2024-10-03 16:44:28,481 - root - INFO - step:  1  loss: 10.8235");
    assert_eq!(st.body, "step:  1  loss: 10.8235");
    assert!(st.ts.is_some());
    // loguru's default head.
    let st = strip_prefixes(
        "2023-08-02 00:41:17.936 | INFO     | __main__:log_dist:54 - [Rank 0] Loss: 10.8766",
    );
    assert_eq!(st.body, "[Rank 0] Loss: 10.8766");
    // An indented rank tag (a re-indented or pasted log) is still a rank tag.
    let st = strip_prefixes(
        "    [rank0]:2025-02-13 11:33:35,026 - root - INFO - step:  1  loss: 12.2417",
    );
    assert_eq!((st.body, st.rank), ("step:  1  loss: 12.2417", Some(0)));
    // A message that merely contains " - " keeps its text.
    let st = strip_prefixes("2024-10-03 16:44:28,481 - INFO - a - b");
    assert_eq!(st.body, "a - b");
}

#[test]
fn torchtitan_under_a_plain_python_logging_head() {
    // Its plan first (the total), then the steps.
    let mut log = String::from(
        "2024-10-03 16:44:27,100 - root - INFO - Training starts at step 1, with local batch size 8, global batch size 8, sequence length 8192, total steps 10 (warmup 2)\n",
    );
    for (i, loss) in [10.8235, 10.659, 10.3083, 9.9934].iter().enumerate() {
        log += &format!(
            "2024-10-03 16:44:{:02},481 - root - INFO - step: {:2}  loss: {loss:7.4}  memory: 33.11GiB(74.54%)  wps: 1,954  mfu: 26.85%\n",
            28 + 4 * i,
            i + 1
        );
    }
    log += "2024-10-03 16:44:45,000 - root - INFO - Training completed\n";
    let a = analyze(&log);
    assert_eq!(
        (a.format, a.last_step, a.total_steps),
        (Format::Torchtitan, Some(4), Some(10))
    );
    assert_eq!((a.loss.first, a.loss.last), (Some(10.8235), Some(9.9934)));
    assert_eq!(a.verdict, "completed");
    assert_eq!(a.reported.tokens_per_sec, Some(1954.0));
    // Log timestamps give the step rate: one step per 4 s.
    assert_approx(a.steps_per_sec.p50, 0.25, 0.01, "rate from timestamps");
}

#[test]
fn llm_c_step_and_val_lines() {
    let a = analyze(
        "val loss 4.503414\n\
         step    1/74 | loss 4.283499 (+nanz)| norm 13.0082 (+nanz)| lr 3.00e-04 | 349.48 ms | -100.0% bf16 MFU | 11720 tok/s\n\
         step    2/74 | loss 4.101200 (+nanz)| norm 9.5000 (+nanz)| lr 3.00e-04 | 170.10 ms | -100.0% bf16 MFU | 24100 tok/s\n\
         step    3/74 | train loss 3.990000 | norm 5.1000 | lr 3.00e-04 | (168.70 ms | 24333 tok/s)\n",
    );
    assert_eq!(
        (a.format, a.last_step, a.total_steps),
        (Format::NanoGpt, Some(3), Some(74))
    );
    assert_eq!((a.loss.first, a.loss.last), (Some(4.283499), Some(3.99)));
    assert_eq!(a.eval.last_loss, Some(4.503414));
    assert_eq!(a.reported.tokens_per_sec, Some(24333.0));
    assert_approx(a.reported.step_time_s, 0.16870, 0.35, "reported step time");
}

#[test]
fn bare_loss_lines_give_the_loss_when_nothing_else_does() {
    let a = analyze(
        "[2023-08-02 00:41:17,935] [INFO] [logging.py:96:log_dist] [Rank 0] step=10, skipped=10, lr=[0.0001], mom=[(0.9, 0.999)]\n\
         2023-08-02 00:41:17.936 | INFO     | __main__:log_dist:54 - [Rank 0] Loss: 10.8766\n\
         [2023-08-02 00:41:19,935] [INFO] [logging.py:96:log_dist] [Rank 0] step=20, skipped=17, lr=[0.0001], mom=[(0.9, 0.999)]\n\
         2023-08-02 00:41:19.936 | INFO     | __main__:log_dist:54 - [Rank 0] Loss: 10.6658\n",
    );
    assert_eq!((a.format, a.last_step), (Format::DeepSpeed, Some(20)));
    assert_eq!((a.loss.first, a.loss.last), (Some(10.8766), Some(10.6658)));
    // Once a recogniser reports losses, bare lines are not counted again.
    let a = analyze(
        "iter 1: loss 2.0000, time 40.00ms, mfu 30.00%\nloss: 2.0\niter 2: loss 1.9000, time 40.00ms, mfu 30.00%\n",
    );
    assert_eq!(a.loss.count, 2);
    // Prose that mentions a loss is not a loss line.
    let a = analyze("loss: 2.0 after warm-up\nLoss went down\n");
    assert_eq!(a.loss.count, 0);
}

#[test]
fn a_download_bar_is_never_the_training_bar() {
    let a = analyze(
        "model.safetensors: 100%|##########| 269M/269M [00:29<00:00, 9.04MB/s]\n\
         Loading weights: 100%|##########| 272/272 [00:00<00:00, 2812.46it/s]\n\
         \r  0%|          | 0/3414 [00:00<?, ?it/s]\
         \r  0%|          | 1/3414 [00:01<1:00:00,  1.05s/it]\
         \r  0%|          | 2/3414 [00:02<40:00,  1.42it/s]\
         \r  0%|          | 3/3414 [00:02<38:00,  1.50it/s]\n",
    );
    assert_eq!((a.last_step, a.total_steps), (Some(3), Some(3414)));
}

#[test]
fn lowercase_epoch_bars_after_a_bar_stuck_at_zero() {
    let mut log =
        String::from("  0%|          | 0/153 [00:00<?, ?it/s]\n\nWarming up for 3 epochs\n");
    for (e, loss) in [(1, 0.471), (2, 0.373), (3, 0.364)] {
        log += &format!(
            "epoch {e}: 100%|##########| 153/153 [00:01<00:00, 131.88it/s, loss={loss}, metrics={{'acc': 0.79}}]\n"
        );
    }
    let a = analyze(&log);
    assert_eq!(a.format, Format::Tqdm, "a hand-written loop, not Lightning");
    assert_eq!(a.last_step, Some(3 * 153));
    assert_eq!((a.loss.first, a.loss.last), (Some(0.471), Some(0.364)));
    assert_eq!(a.total_steps, None, "153 is one epoch, not the run");
}

#[test]
fn an_ipython_traceback_is_one_error() {
    let a = analyze(
        "---------------------------------------------------------------------------\n\
         AcceleratorError                          Traceback (most recent call last)\n\
         Cell In[11], line 13\n\
         \x20    11 # 2. Calculate loss and accuracy\n\
         \x20    12 loss = loss_func(y_logits, y_train)\n\
         ---> 13 acc = accuracy_cal(y_pred, y_train)\n\
         \n\
         Cell In[8], line 2\n\
         \x20     1 def accuracy_cal(y_pred, y_true):\n\
         ----> 2     correct = torch.eq(y_true, y_pred).sum().item()\n\
         \n\
         AcceleratorError: CUDA error: device-side assert triggered\n\
         Compile with `TORCH_USE_CUDA_DSA` to enable device-side assertions.\n",
    );
    assert_eq!(a.errors.len(), 1, "{:?}", a.errors);
    assert_eq!(
        (a.errors[0].class, a.errors[0].fatal),
        (ErrorClass::Cuda, true)
    );
    assert!(
        a.errors[0]
            .traceback
            .iter()
            .any(|l| l.contains("Cell In[8]"))
    );
}

#[test]
fn progress_before_a_glued_ctrl_c_traceback_still_counts() {
    let a = analyze(
        "Epoch 1/3\n\
         151040/151241 [============================>.] - ETA: 0s - loss: 1.5913 - acc: 0.6019^CTraceback (most recent call last):\n\
         \x20 File \"main.py\", line 60, in <module>\n\
         \x20   callbacks=[csv_logger, checkpointer])\n\
         KeyboardInterrupt\n",
    );
    assert_eq!((a.format, a.last_step), (Format::Keras, Some(151040)));
    assert_eq!(a.loss.last, Some(1.5913));
    assert_eq!(a.errors.len(), 1, "{:?}", a.errors);
    assert_eq!(
        (a.errors[0].class, a.errors[0].fatal),
        (ErrorClass::Killed, true)
    );
    assert_eq!(a.verdict, "fatal: interrupted (Ctrl-C / SIGINT)");
}

#[test]
fn nemo_1_bars_behind_a_ray_prefix() {
    let mut log = String::from(
        "[NeMo I 2024-07-30 23:12:27 nemo_model_checkpoint:226] New .nemo model saved\n",
    );
    for (n, loss) in [(5, "11.00"), (10, "11.00"), (15, "10.60"), (20, "10.20")] {
        log += &format!(
            "(task, pid=6678) Epoch 0: :   0%|          | {n}/300000 [02:16<2281:40:05, v_num=0, reduced_train_loss={loss}, global_step={}.000, consumed_samples=960.0, train_step_timing in s=10.40]\n",
            n - 1
        );
    }
    let a = analyze(&log);
    assert_eq!((a.format, a.last_step), (Format::Lightning, Some(20)));
    assert_eq!((a.loss.first, a.loss.last), (Some(11.0), Some(10.2)));
    let st = strip_prefixes("[NeMo I 2024-07-30 23:12:27 nemo_model_checkpoint:226] saved");
    assert_eq!(st.body, "saved");
    assert!(st.ts.is_some());
    let st = strip_prefixes("(RayTrainWorker pid=12, ip=10.0.0.1) step 3");
    assert_eq!((st.body, st.rank), ("step 3", Some(12)));
}

#[test]
fn nemo_2_iteration_lines() {
    let mut log = String::new();
    for i in 0..10 {
        log += &format!(
            "Training epoch 0, iteration {i}/9 | lr: 2e-05 | global_batch_size: 1 | global_step: {i} | reduced_train_loss: {:.3} | train_step_timing in s: 0.35 | consumed_samples: {}\n",
            1.371 - 0.008 * i as f64,
            i + 1
        );
    }
    let a = analyze(&log);
    assert_eq!(
        (a.format, a.last_step, a.total_steps),
        (Format::Lightning, Some(10), Some(10))
    );
    assert_eq!(a.loss.first, Some(1.371));
    assert_eq!(a.verdict, "completed");
    assert_approx(a.reported.step_time_s, 0.35, 1e-9, "train_step_timing");
    // After a validation every line carries its loss: one evaluation per
    // new value, at the step it ran.
    let log: String = (0..10)
        .map(|i| {
            let val = match i {
                0..=3 => String::new(),
                4..=7 => " | val_loss: 9.812".to_string(),
                _ => " | val_loss: 9.5".to_string(),
            };
            format!(
                "Training epoch 0, iteration {i}/9 | global_step: {i} | reduced_train_loss: 8.5 | train_step_timing in s: 4.5{val}\n"
            )
        })
        .collect();
    let a = analyze(&log);
    assert_eq!(
        (a.eval.count, a.eval.every_steps, a.eval.last_loss),
        (2, Some(4), Some(9.5))
    );
}

#[test]
fn llm_c_logfile_lines() {
    let a = analyze(
        "s:0 tel:11.0092\ns:0 trl:11.0091 lr:0.000001 norm:15.37\ns:1 trl:10.9598 lr:0.000002 norm:15.24\ns:2 trl:10.9000 lr:0.000003 norm:15.00\n",
    );
    assert_eq!((a.format, a.last_step), (Format::NanoGpt, Some(2)));
    assert_eq!((a.loss.first, a.loss.last), (Some(11.0091), Some(10.9)));
    assert_eq!(a.eval.last_loss, Some(11.0092));
}

#[test]
fn hand_written_step_and_loss_lines() {
    for (log, last, total, first, lastl) in [
        (
            "step:0, loss:5.453125\nstep:10, loss:3.650390625\nstep:20, loss:3.546875\n",
            20,
            None,
            5.453125,
            3.546875,
        ),
        (
            "[step 50] avg_loss=0.0008 acc=0.4800\n[step 100] avg_loss=-0.0003 acc=0.5467\n",
            100,
            None,
            0.0008,
            -0.0003,
        ),
        (
            "Step 100/1000 | Loss: 2.31 | val_loss: 2.50\nStep 200/1000 | Loss: 2.11 | val_loss: 2.40\n",
            200,
            Some(1000),
            2.31,
            2.11,
        ),
        (
            "epoch 1 iter 20 train_loss 2.3 lr 1e-4\nepoch 1 iter 40 train_loss 2.2 lr 1e-4\n",
            40,
            None,
            2.3,
            2.2,
        ),
    ] {
        let a = analyze(log);
        assert_eq!(
            (a.format, a.last_step, a.total_steps),
            (Format::Unknown, Some(last), total),
            "{log}"
        );
        assert_eq!(
            (a.loss.first, a.loss.last),
            (Some(first), Some(lastl)),
            "{log}"
        );
        assert!(a.verdict.starts_with("progressing"), "{log}: {}", a.verdict);
    }
    // Under DeepSpeed, the run is a DeepSpeed one.
    let a = analyze(
        "[2024-09-15 00:13:21,397] [INFO] [logging.py:96:log_dist] [Rank 0] step=0, skipped=0, lr=[3e-05], mom=[(0.9, 0.999)]\nstep:0, loss:5.45\nstep:10, loss:3.65\nstep:20, loss:3.54\nstep:30, loss:3.50\n",
    );
    assert_eq!((a.format, a.last_step), (Format::DeepSpeed, Some(30)));
    // Not progress: a loss without a step, a validation loss, a config dump.
    for line in [
        "step size 10 (loss of precision)\n",
        "step 5: val_loss 2.0\n",
        "  loss_scale ........ 0  steps_per_print ....... 10\n",
        "steps: 10, losses: [1, 2]\n",
    ] {
        assert_eq!(analyze(line).last_step, None, "{line}");
    }
}

#[test]
fn ezpz_heads_are_stripped() {
    let st = strip_prefixes(
        "[2025-09-11 14:09:46,954794][I][components/metrics:437:log] step:  1  loss: 10.8595",
    );
    assert_eq!(st.body, "step:  1  loss: 10.8595");
    assert!(st.ts.is_some());
}

#[test]
fn crashes_and_stops_are_classified() {
    let c = |s: &str| errors::classify_line(s).map(|x| (x.class, x.fatal, x.label));
    assert_eq!(
        c("dev/runcpu.sh: line 56: 31902 Segmentation fault: 11  python -m train").map(|x| x.0),
        Some(ErrorClass::Runtime)
    );
    assert_eq!(
        c("Segmentation fault (core dumped)").map(|x| x.2),
        Some("process crashed (segmentation fault)".to_string())
    );
    assert_eq!(c("Aborted (core dumped)").map(|x| x.1), Some(true));
    // CPython's abort (pytorch/torchtitan#1066's `none_dealloc`), and
    // faulthandler's report of a crash.
    assert_eq!(
        c("Fatal Python error: none_dealloc: deallocating None"),
        Some((
            ErrorClass::Runtime,
            true,
            "Python interpreter crashed (Fatal Python error: none_dealloc: deallocating None)"
                .to_string()
        ))
    );
    assert_eq!(
        c("Fatal Python error: Segmentation fault").map(|x| x.2),
        Some("process crashed (segmentation fault)".to_string())
    );
    // torchelastic's agent stopped from outside, as torch 2.5+ and older
    // torch print it.
    assert_eq!(
        c(
            "W1229 16:43:25.650000 190834 site-packages/torch/distributed/elastic/agent/server/api.py:723] Received 1 death signal, shutting down workers"
        ),
        Some((
            ErrorClass::Killed,
            true,
            "torchrun stopped by SIGHUP (its terminal or session closed)".to_string()
        ))
    );
    assert_eq!(
        c("WARNING:torch.distributed.elastic.agent.server.api:Received Signals.SIGTERM death signal, shutting down workers").map(|x| (x.0, x.2)),
        Some((ErrorClass::Killed, "torchrun stopped by SIGTERM".to_string()))
    );
    assert_eq!(
        c("[rank2]:[E602 11:18:53.865680143 ProcessGroupNCCL.cpp:684] [Rank 2] Some NCCL operations have failed or timed out. Due to the asynchronous nature of CUDA kernels, subsequent GPU operations might run on corrupted/incomplete data.").map(|x| (x.0, x.1)),
        Some((ErrorClass::Distributed, true))
    );
    assert_eq!(
        c("slurmstepd: error: *** JOB 1809579 ON r8i3n1 CANCELLED AT 2021-05-31T22:02:47 DUE TO TIME LIMIT ***").map(|x| (x.0, x.2)),
        Some((ErrorClass::Killed, "job cancelled by Slurm (time limit)".to_string()))
    );
    assert_eq!(
        c("Main process received SIGTERM, exiting").map(|x| x.0),
        Some(ErrorClass::Killed)
    );
    assert_eq!(
        c("Main process received SIGINT, exiting").map(|x| x.0),
        Some(ErrorClass::Killed)
    );
    assert_eq!(c("RuntimeError: stack expects each tensor to be equal size, but got [3, 64] at entry 0 and [3, 60] at entry 1").map(|x| x.0), Some(ErrorClass::Data));
    // Words that only mention a signal or a crash in prose are not errors.
    assert_eq!(c("Registering handlers for SIGTERM and SIGINT"), None);
}

#[test]
fn nerfstudio_table_rows_count_its_steps() {
    // `ns-train`: its config (the plan), then the table, its latest rows
    // drawn again under a cursor move with each new one.
    let mut log = String::from(
        "TrainerConfig(\n    max_num_iterations=30000,\n    mixed_precision=True,\n)\n",
    );
    let row = |n: u32| {
        format!(
            "{n} ({:.2}%)          29.009 ms            14 m, 29 s           141.00 K              \x1b[0m\n",
            f64::from(n) / 300.0
        )
    };
    let mut shown: Vec<u32> = Vec::new();
    for n in (0..=200).step_by(10) {
        shown.push(n);
        if shown.len() > 3 {
            shown.remove(0);
        }
        log += &format!(
            "\r\x1b[{}A\x1b[1K\rStep (% Done)       Train Iter (time)    ETA (time)           Train Rays / Sec      \x1b[0m\n",
            shown.len() + 1
        );
        log += "----------------------------------------------------------------------------------- \x1b[0m\n";
        for &m in &shown {
            log += &row(m);
        }
    }
    let a = analyze(&log);
    assert_eq!((a.last_step, a.total_steps), (Some(200), Some(30000)));
    assert_eq!(a.verdict, "progressing");
    assert!(
        a.notes.iter().all(|n| !n.contains("restarted")),
        "{:?}",
        a.notes
    );
    // Its panel at the end (the viewer may go on serving after it).
    log += "\u{256d}\u{2500}\u{2500}\u{2500} \u{1f389} Training Finished \u{1f389} \u{2500}\u{2500}\u{2500}\u{256e}\n";
    assert_eq!(analyze(&log).verdict, "completed");
}

#[test]
fn audiocraft_and_sockeye_lines_count_their_steps() {
    // AudioCraft's flashy solver: epochs from 1, a batch within the epoch.
    let line = |stage: &str, e: u32, n: u32, of: u32, ce: f64| {
        format!(
            "[\x1b[36m05-14 09:{:02}:07\x1b[0m][\x1b[34mflashy.solver\x1b[0m][\x1b[32mINFO\x1b[0m] - {stage} | Epoch {e} | {n}/{of} | 2.03 it/sec | lr 1.00E-04 | grad_norm 2.869E-01 | ce {ce:.3} | ppl 56.474\n",
            n / 100
        )
    };
    let log = line("Train", 1, 200, 2000, 5.8)
        + &line("Train", 1, 2000, 2000, 4.9)
        + &line("Valid", 2, 40, 200, 4.2)
        + &line("Train", 2, 400, 2000, 4.5);
    let a = analyze(&log);
    assert_eq!(a.last_step, Some(2000 + 400));
    assert_eq!((a.loss.first, a.loss.last), (Some(5.8), Some(4.5)));
    // Sockeye: MXNet's line, the count the run's updates.
    let a = analyze(
        "[INFO:sockeye.utils] Arguments: Namespace(max_updates=20000, max_samples=None)\n\
         [INFO:sockeye.training] Epoch[0] Batch [50]\tSpeed: 1252.80 samples/sec 33782.16 tokens/sec 4.09 updates/sec\tperplexity=8517.835220\n\
         [INFO:sockeye.training] Epoch[1] Batch [4100]\tSpeed: 1228.01 samples/sec 33302.45 tokens/sec 4.07 updates/sec\tperplexity=80.753851\n",
    );
    assert_eq!((a.last_step, a.total_steps), (Some(4100), Some(20000)));
    assert_eq!(a.reported.samples_per_sec, Some(1228.01));
}

#[test]
fn image_and_video_trainers_say_their_plan_and_end() {
    // PixArt: the global step, then the epoch (not the epoch's number).
    let a = analyze(
        "2024-05-12 06:40:33,403 - PixArt - INFO - Step/Epoch [1/1][1/250]:total_eta: 0:37:37, epoch_eta:0:03:44, time_all:0.892, time_data:0.006, lr:4.000e-08, s:(512, 512), loss:0.1495, grad_norm:0.0531\n\
         2024-05-12 06:52:50,713 - PixArt - INFO - Step/Epoch [640/3][140/250]:total_eta: 0:29:47, epoch_eta:0:01:29, time_all:0.894, time_data:0.005, lr:2.000e-05, s:(512, 512), loss:0.1362, grad_norm:0.0593\n",
    );
    assert_eq!((a.last_step, a.epoch), (Some(640), Some(3.0)));
    assert_eq!(a.loss.last, Some(0.1362));
    // Open-Sora's plan.
    let a = analyze(
        "[2024-06-17 10:24:44] Training for 5 epochs with 1200 steps per epoch\n\
         Epoch 0:  50%|#####     | 600/1200 [15:00<15:00,  0.67it/s, loss=0.31, step=600]\n",
    );
    assert_eq!(a.total_steps, Some(6000), "{a:?}");
    // CycleGAN: its last epoch's end.
    let line = |e: u32, i: u32| {
        format!(
            "(epoch: {e}, iters: {i}, time: 0.094, data: 0.086) D_A: 0.263 G_A: 0.208 cycle_A: 1.422 idt_A: 0.571 \n"
        )
    };
    let log = line(1, 100)
        + &line(1, 200)
        + "End of epoch 1 / 2 \t Time Taken: 157 sec\n"
        + &line(2, 100)
        + &line(2, 200);
    assert_eq!(analyze(&log).verdict, "progressing");
    let a = analyze(&(log + "End of epoch 2 / 2 \t Time Taken: 156 sec\n"));
    assert_eq!(a.verdict, "completed");
}

#[test]
fn flair_says_its_epochs_and_their_end() {
    let iter = |e: u32, i: u32| {
        format!(
            "2024-05-14 09:21:36,057 epoch {e} - iter {i}/439 - loss 0.05102834 - time (sec): 19.95 - samples/sec: 275.85 - lr: 0.100000 - momentum: 0.000000\n"
        )
    };
    let done =
        |e: u32| format!("2024-05-14 09:22:07,186 EPOCH {e} done: loss 0.0561 - lr: 0.100000\n");
    let log = "2024-05-14 09:12:17,568 Parameters:\n2024-05-14 09:12:17,568  - learning_rate: \"0.100000\"\n2024-05-14 09:12:17,568  - max_epochs: \"2\"\n".to_string()
        + &iter(1, 215) + &iter(1, 430) + &done(1) + &iter(2, 215) + &iter(2, 430);
    let a = analyze(&log);
    assert_eq!((a.last_step, a.total_steps), (Some(439 + 430), Some(878)));
    assert_eq!(a.verdict, "progressing");
    let a = analyze(&(log + &done(2)));
    assert_eq!((a.last_step, a.verdict.as_str()), (Some(878), "completed"));
}

#[test]
fn monai_tutorial_loops_count_batches_under_their_epochs() {
    let mut log = String::new();
    for e in 1..=2 {
        log += &format!("----------\nepoch {e}/5\n");
        for i in 1..=16 {
            log += &format!("{i}/16, train_loss: {:.4}\n", 0.7 - 0.01 * f64::from(i));
        }
        log += &format!(
            "epoch {e} average loss: 0.6747\ncurrent epoch: {e} current mean dice: 0.3395\n"
        );
    }
    let a = analyze(&log);
    assert_eq!((a.last_step, a.total_steps), (Some(32), Some(80)));
    assert_eq!((a.loss.count, a.loss.last), (32, Some(0.54)));
    // (A line that merely reads `3/16, train_loss: ...` without its epoch
    // head is left alone.)
    assert_eq!(
        analyze("3/16, train_loss: 0.6\n4/16, train_loss: 0.5\n").last_step,
        None
    );
}

#[test]
fn scientific_and_tabular_trainers_say_their_end() {
    // Lightning's early stopping, glued after the last frame (it prints no
    // `Trainer.fit` stopped after it).
    let frame = |n: u32| {
        format!(
            "\rEpoch 0:  {:>2}% {n}/100 [00:{n:02}<00:10,  1.00it/s, loss=0.5, v_num=1]",
            n
        )
    };
    let mut log: String = (1..=40).map(frame).collect();
    assert_eq!(analyze(&(log.clone() + "\n")).verdict, "progressing");
    log += "Monitored metric val_loss did not improve in the last 3 records. Best score: 0.412. Signaling Trainer to stop.\n";
    assert_eq!(analyze(&log).verdict, "completed");
    // TabNet's, Modulus Sym's and DeepChem's end lines.
    let epochs = |n: u32| -> String {
        (0..n)
            .map(|e| {
                format!(
                    "epoch {e:<3}| loss: 0.{:04} | val_0_auc: 0.8 |  0:00:0{}s\n",
                    9000 - e * 10,
                    e % 10
                )
            })
            .collect()
    };
    for end in [
        "Early stopping occurred at epoch 45 with best_epoch = 35 and best_valid_auc = 0.92141",
        "Stop training because you reached max_epochs = 50 with best_epoch = 48 and best_val_0_accuracy = 0.86023",
    ] {
        assert_eq!(
            analyze(&(epochs(46) + end + "\n")).verdict,
            "completed",
            "{end}"
        );
    }
    let modulus = |n: u32| {
        format!(
            "[09:14:{:02}] - [step: {n:>10}] loss:  2.651e-01, time/iteration:  2.400e+01 ms\n",
            n / 100 % 60
        )
    };
    let run: String = (1..=30).map(|i| modulus(i * 100)).collect();
    let a = analyze(
        &(run.clone()
            + "[09:16:17] - [step:       3000] reached maximum training steps, finished training!\n"),
    );
    assert_eq!(a.verdict, "completed");
    let a = analyze(&(run + "[09:14:58] - [step:       3100] loss went to INFs/NaNs\n"));
    assert_eq!(a.verdict, "progressing (warning: loss is NaN)");
    // Chemprop's loss, in words of its own.
    let a = analyze(
        "Loss = 9.9349e-01, PNorm = 34.1000, GNorm = 1.1233, lr_0 = 1.5956e-04\nLoss = 3.7720e-01, PNorm = 34.2, GNorm = 0.9, lr_0 = 1e-04\n",
    );
    assert_eq!((a.loss.first, a.loss.last), (Some(0.99349), Some(0.3772)));
}

#[test]
fn paddle_mindspore_and_colossal_say_their_end_and_their_failures() {
    let c = |s: &str| errors::classify_line(s).map(|x| (x.class, x.fatal));
    assert_eq!(
        c(
            "Container rank 3 status failed cmd ['/usr/bin/python', '-u', 'run_finetune.py'] code -9 log log/workerlog.3"
        ),
        Some((ErrorClass::Killed, true))
    );
    assert_eq!(
        c(
            "Container rank 1 status failed cmd ['/usr/bin/python', '-u', 'train.py'] code 1 log log/workerlog.1"
        ),
        Some((ErrorClass::Distributed, true))
    );
    for oom in [
        "Device(id:0) memory isn't enough and alloc failed, kernel name: Default/network-TrainOneStepCell, alloc size: 822083584B.",
        "Out of Memory!!! Request memory size: 35185336320B, Memory Statistic:",
    ] {
        assert_eq!(c(oom), Some((ErrorClass::Memory, true)), "{oom}");
    }
    assert_eq!(
        c(
            "RuntimeError: (PreconditionNotMet) Cannot load cudnn shared library. Cannot invoke method cudnnGetVersion."
        ),
        Some((ErrorClass::Dependency, true))
    );
    // Their ends: Paddle's launcher, Colossal-AI's final save, text2vec's,
    // a script's own Chinese.
    let iters: String = (1..=5)
        .map(|i| format!("iter {}: loss 2.{i}, time 30.1ms\n", i * 10))
        .collect();
    for end in [
        "LAUNCH INFO 2024-05-14 09:19:11,439 Pod completed",
        "Saved final model checkpoint at epoch 2 at folder /root/Colossal-LLaMA/checkpoint_dir",
        "2024-05-14 09:14:04.244 | INFO     | text2vec.cosent_model:train_model:137 -  Training model done. Saved to outputs/STS-B-cosent.",
        "训练完成！最佳验证准确率：90.68%，总耗时 5.3 分钟。",
    ] {
        assert_eq!(
            analyze(&format!("{iters}{end}\n")).verdict,
            "completed",
            "{end}"
        );
    }
    assert_eq!(analyze(&iters).verdict, "progressing");
}

#[test]
fn allennlp_validation_bars_are_named_by_the_line_above() {
    let head = "2024-05-14 09:12:08,118 - INFO - allennlp.training.gradient_descent_trainer - ";
    let bar = |n: u32| -> String {
        [0, n / 2, n]
            .iter()
            .map(|k| format!("\raccuracy: 0.6534, batch_loss: 0.5222, loss: 0.5195 ||: {:>3}%|#####| {k}/{n} [00:{:02}<00:10,  9.02it/s]", k * 100 / n, k % 60))
            .collect::<String>()
            + "\n"
    };
    let mut log =
        "2024-05-14 09:12:08,118 - INFO - allennlp.common.params - trainer.num_epochs = 2\n"
            .to_string();
    for e in 0..2 {
        log += &format!("{head}Epoch {e}/1\n{head}Training\n");
        log += &bar(267);
        log += &format!("{head}Validating\n");
        log += &bar(35);
    }
    let a = analyze(&log);
    assert_eq!(
        (a.last_step, a.total_steps, a.verdict.as_str()),
        (Some(534), Some(534), "completed")
    );
}

#[test]
fn an_epoch_and_step_line_whose_count_goes_on_counts_the_run() {
    // `Epoch 2 | step 2500/20000`: the count went on past the epoch's
    // change, so it is the run's, and so is its total.
    let line = |e: u32, s: u32, of: u32| {
        format!(
            "Epoch {e} | step {s}/{of} | loss {:.4}\n",
            3.0 - f64::from(s) / 3000.0
        )
    };
    let global: String = (1..=44)
        .map(|k| line(if k < 25 { 1 } else { 2 }, k * 100, 20000))
        .collect();
    let a = analyze(&global);
    assert_eq!((a.last_step, a.total_steps), (Some(4400), Some(20000)));
    // (A count that starts over each epoch is a batch of the epoch.)
    let per_epoch: String = (1..=2)
        .flat_map(|e| (1..=25).map(move |k| line(e, k * 100, 2500)))
        .collect();
    assert_eq!(analyze(&per_epoch).last_step, Some(5000));
}

#[test]
fn speech_toolkits_lines_are_read() {
    // WeNet (v2): `TRAIN Batch 3/1100` is epoch 3, batch 1100; its CV
    // batches count no step.
    let mut log = String::new();
    for e in 0..2 {
        for b in (0..=1900).step_by(100) {
            log += &format!(
                "2024-05-14 09:12:14,238 DEBUG TRAIN Batch {e}/{b} loss 19.9 loss_att 17.0 loss_ctc 29.8 lr 0.00000008 rank 0\n"
            );
        }
        log += "2024-05-14 09:17:40,565 DEBUG CV Batch 0/100 loss 8.37 loss_att 7.53 loss_ctc 10.46 history loss 9.96 rank 0\n";
        log += &format!("2024-05-14 09:17:50,565 INFO Epoch {e} CV info cv_loss 9.47\n");
    }
    let a = analyze(&log);
    assert_eq!((a.last_step, a.eval.count), (Some(1900 + 1900), 2));
    assert_eq!(a.loss.last, Some(19.9));
    // Kaldi's chain training: its iterations, and a job that failed.
    let kaldi = |i: u32| {
        format!(
            "2024-05-14 09:23:29,818 [steps/nnet3/chain/train.py:529 - train - INFO ] Iter: {i}/282   Jobs: 2   Epoch: 0.00/10.0 (0.0% complete)   lr: 0.004000   \n"
        )
    };
    let a = analyze(&(kaldi(0) + &kaldi(121)));
    assert_eq!((a.last_step, a.total_steps), (Some(121), Some(282)));
    let a = analyze(
        &(kaldi(57) + "run.pl: job failed, log is in exp/chain/tdnn1a_sp/log/train.57.2.log\n"),
    );
    assert!(
        a.verdict.starts_with("fatal: a Kaldi job failed"),
        "{}",
        a.verdict
    );
    // Not training: lhotse's preparation bars, faster-whisper's
    // transcription (seconds of audio).
    for bar in [
        "\rDataset parts:  50%|#####     | 3/7 [03:18<03:18, 54.09s/it]\rDataset parts: 100%|##########| 7/7 [06:18<00:00, 54.09s/it]\n",
        "\rComputing features in batches:  60%|######    | 26329/43645 [01:12<00:46, 371.78it/s]\n",
        "\r 50%|#####     | 1806.24/3612.48 [01:18<01:18, 23.00seconds/s]\r100%|#########9| 3612.479999999999/3612.48 [02:37<00:00, 23.00seconds/s]\n",
    ] {
        assert_eq!(analyze(bar).last_step, None, "{bar}");
    }
    // icefall's and GPT-SoVITS' ends; a spawned worker killed.
    let iters: String = (1..=5)
        .map(|i| format!("iter {}: loss 2.{i}, time 30.1ms\n", i * 10))
        .collect();
    for end in [
        "2024-05-14 09:35:47,394 INFO [train.py:1502] Done!",
        "training done",
    ] {
        assert_eq!(
            analyze(&format!("{iters}{end}\n")).verdict,
            "completed",
            "{end}"
        );
    }
    assert_eq!(
        errors::classify_line("torch.multiprocessing.spawn.ProcessExitedException: process 0 terminated with signal SIGKILL").map(|x| x.class),
        Some(ErrorClass::Killed)
    );
}

#[test]
fn nequip_epoch_summaries_and_its_stops() {
    let epoch = |e: u32, loss: f64| {
        format!(
            "# Epoch batch         loss       loss_f\n      {e}   100         {loss:.2}         {loss:.2}\n\
               Train      #    Epoch      wal       LR         loss       loss_f\n\
             ! Train               {e}   {:.3}    0.005         {loss:.2}         {loss:.2}\n\
             ! Validation          {e}   {:.3}    0.005         {:.2}         {:.2}\n",
            24.0 * f64::from(e),
            24.0 * f64::from(e),
            loss * 0.9,
            loss * 0.9
        )
    };
    let log: String = (1..=4).map(|e| epoch(e, 8.0 - f64::from(e))).collect();
    let a = analyze(&log);
    assert_eq!(
        (a.last_step, a.eval.count, a.verdict.as_str()),
        (Some(4), 4, "progressing")
    );
    assert_eq!((a.loss.first, a.loss.last), (Some(7.0), Some(4.0)));
    let a = analyze(&(log.clone() + "! Stop training: Early stopping: LR is smaller than 1e-05\n"));
    assert_eq!(a.verdict, "completed");
    let a = analyze(
        &(log + "! Stop training: Early stopping: validation_loss is larger than 10000.0\n"),
    );
    assert_eq!(
        a.verdict,
        "completed (warning: stopped: the loss grew past its upper bound)"
    );
}

#[test]
fn deepxde_table_rows_and_its_phases() {
    let row = |s: u32, l: &str| {
        format!(
            "{s:<10}[{l}, 4.00e-01, 2.00e-01]    [1.08e-01, 4.00e-01, 2.00e-01]    [9.12e-01]    \n"
        )
    };
    let adam = "Training model...\nStep      Train loss                        Test loss                         Test metric   \n".to_string()
        + &row(0, "1.10e-01") + &row(1000, "7.38e-02") + &row(2000, "4.95e-02")
        + "Best model at step 2000:\n  train loss: 3.08e-04\n'train' took 62.509377 s\n\n";
    let a = analyze(&adam);
    assert_eq!((a.last_step, a.verdict.as_str()), (Some(2000), "completed"));
    assert!((a.loss.first.expect("a loss") - 0.71).abs() < 1e-9);
    // An L-BFGS phase after it: steps again, then its own end.
    let lbfgs = row(3000, "2.65e-06") + &row(4000, "2.59e-06") + &row(5000, "nan");
    let a = analyze(&(adam.clone() + &lbfgs));
    assert_eq!(
        (a.last_step, a.verdict.as_str()),
        (Some(5000), "progressing (warning: loss is NaN)")
    );
    // (A line that merely starts with a number and a list is no row.)
    assert_eq!(analyze("3 [1, 2]\n12 [0.5]\n").last_step, None);
}

#[test]
fn rl_post_training_stacks_steps_ends_and_failures() {
    // AReaL: its step lines, its end, and its launcher's exception on a job
    // that completed.
    let areal = |n: u32| {
        format!(
            "\x1b[92m20250920-09:{:02}:18.064 StatsLogger INFO: Epoch 1/2 Step {n}/116 Train step {n}/232 done.\x1b[0m\n",
            n % 60
        )
    };
    let log: String = (1..=3).map(areal).collect();
    let a = analyze(&log);
    assert_eq!((a.last_step, a.total_steps), (Some(3), Some(232)));
    let done = log
        + "Training completes! Total time elapsed 10469.24.\nTraceback (most recent call last):\n  File \"/w/areal/launcher/local.py\", line 400, in wait\n    raise JobException(\nareal.utils.launcher.JobException: Job gsm8k-grpo_trial0:trainer JobState.COMPLETED at node local\n";
    let a = analyze(&done);
    assert_eq!(a.verdict, "completed", "{:?}", a.errors);
    // NeMo-RL's banner and loss; ROLL's pipeline steps; slime's step dicts.
    // (The banner opens its step: the step's timing summary ends it.)
    let nemo = "========================= Step 46/500 =========================\n  • Loss: 0.0026\n\n⏱️  Timing:\n  • Total step time: 70.83s\n========================= Step 47/500 =========================\n  • Loss: -0.0048\n";
    let a = analyze(nemo);
    assert_eq!(
        (a.last_step, a.total_steps, a.loss.last),
        (Some(46), Some(500), Some(-0.0048))
    );
    let a = analyze(&format!("{nemo}  • Total step time: 75.41s\n"));
    assert_eq!(a.last_step, Some(47));
    let a = analyze(
        "max_steps: 500\n[2025-09-20 09:17:43] [rlvr_pipeline.py (560)] [INFO] [DRIVER 0 / 1][PID 40213] pipeline step 43 finished\n",
    );
    assert_eq!((a.last_step, a.total_steps), (Some(43), Some(500)));
    let a = analyze(
        "(MegatronTrainRayActor pid=18834) step 80: {'train/loss': -0.0003, 'train/pg_loss': 0.0059}\n(MegatronTrainRayActor pid=18834) step 81: {'train/loss': -0.0006, 'train/pg_loss': -0.0052}\n",
    );
    assert_eq!((a.last_step, a.loss.last), (Some(81), Some(-0.0006)));
    // open-instruct: its bar over the learners names the step.
    let bar = |n: u32| {
        format!(
            "\rRunning training step {n}:   0%|          | 0/4 [00:00<?, ?it/s]\rRunning training step {n}: 100%|##########| 4/4 [00:18<00:00,  4.50s/it]\n"
        )
    };
    let log = "│   │   num_training_steps=200,\n".to_string() + &bar(36) + &bar(37);
    let a = analyze(&log);
    assert_eq!((a.last_step, a.total_steps), (Some(37), Some(200)));
    // prime-rl's supervisor on a failed orchestrator; Ray's memory monitor;
    // vLLM's KV cache.
    let c = |s: &str| errors::classify_line(s).map(|x| (x.class, x.fatal));
    assert_eq!(
        c("Error: Orchestrator failed with exit code 1"),
        Some((ErrorClass::Runtime, true))
    );
    assert_eq!(
        c("Error: Orchestrator failed with exit code 137"),
        Some((ErrorClass::Killed, true))
    );
    assert_eq!(c("Error: Orchestrator failed with exit code 0"), None);
    assert_eq!(
        c(
            "ray.exceptions.OutOfMemoryError: Task was killed due to the node running low on memory."
        ),
        Some((ErrorClass::Killed, true))
    );
    assert_eq!(
        c(
            "ValueError: To serve at least one request with the models's max seq len (32768), (1.75 GiB KV cache is needed, which is larger than the available KV cache memory (1.32 GiB)."
        ),
        Some((ErrorClass::Memory, true))
    );
    // Not training: a dataset encoded to latents.
    assert_eq!(analyze("\rEncoding:  50%|#####     | 17/35 [01:43<01:43,  5.89s/it]\rEncoding: 100%|##########| 35/35 [03:26<00:00,  5.89s/it]\n").last_step, None);
}

#[test]
fn searches_over_trials_are_studies() {
    let oom = "Traceback (most recent call last):\n  File \"/w/train.py\", line 9, in train_cifar\n    loss.backward()\ntorch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB.\n";
    // Ray Tune: a trial errored, the search goes on; then it ends.
    let status = |t: u32, r: u32, e: u32, p: u32| {
        let mut parts = Vec::new();
        for (n, s) in [
            (t, "TERMINATED"),
            (r, "RUNNING"),
            (e, "ERROR"),
            (p, "PENDING"),
        ] {
            if n > 0 {
                parts.push(format!("{n} {s}"));
            }
        }
        format!("Trial status: {}\n", parts.join(" | "))
    };
    let mut log = status(0, 4, 0, 16)
        + "2024-05-14 09:16:53,918\tERROR tune_controller.py:1331 -- Trial task failed for trial train_cifar_3a7b2_00005\n"
        + oom;
    for _ in 0..12 {
        log += &status(2, 4, 1, 13);
    }
    let a = analyze(&log);
    assert_eq!(a.verdict, "progressing", "{:?}", a.errors);
    assert!(a.errors.iter().all(|e| !e.fatal));
    let a = analyze(&(log + &status(19, 0, 1, 0)));
    assert_eq!(a.verdict, "completed");
    // Optuna's trials alone (no step lines): a study, then its summary.
    let trials: String = (0..3)
        .map(|n| format!("[I 2024-09-01 02:0{n}:45,017] Trial {n} finished with value: 0.89 and parameters: {{'lr': 7.8e-05}}. Best is trial 0 with value: 0.89.\n"))
        .collect();
    assert_eq!(analyze(&trials).verdict, "progressing");
    assert_eq!(
        analyze(&(trials + "Best trial:\n  Value: 0.89\n")).verdict,
        "completed"
    );
}

#[test]
fn a_bar_over_the_epochs_that_names_its_epoch_counts_epochs() {
    // scvi-tools: `Epoch 143/400: 36%| 143/400`, the description and the
    // count both the epoch.
    let log: String = (1..=150)
        .map(|e| format!("\rEpoch {e}/400: {:>3}%|#         | {e}/400 [{:02}:{:02}<05:00,  1.31s/it, v_num=1, train_loss_step=1.2e+3]", e * 100 / 400, e / 60, e % 60))
        .collect::<String>()
        + "\n";
    let a = analyze(&log);
    assert_eq!((a.last_step, a.total_steps), (Some(150), Some(400)));
    // (Lightning's bar, drawn anew each epoch, still counts its batches.)
    let lightning: String = (0..3)
        .flat_map(|e| {
            (1..=10).map(move |n| {
                format!(
                    "\rEpoch {e}: {:>3}%| {n}/10 [00:{n:02}<00:10,  1.00it/s, loss=0.5, v_num=1]",
                    n * 10
                )
            })
        })
        .collect::<String>()
        + "\n";
    assert_eq!(analyze(&lightning).last_step, Some(30));
}

#[test]
fn a_dump_of_the_run_arguments_names_its_steps() {
    // mistral-finetune: its TrainArgs, then its step lines.
    let step = |n: u32, done: f64| {
        format!(
            "2024-05-14 09:13:10 (UTC) - 0:01:03 - train - INFO - step: {n:06} - done (%): {done:.1} - loss: 1.261 - lr: 4.0e-05 - peak_alloc_mem (GB): 41.3\n"
        )
    };
    let log = "args: TrainArgs(seq_len=32768, batch_size=1, max_norm=1.0, max_steps=300, log_freq=1, eval_max_steps=9)\n".to_string()
        + &step(10, 3.3)
        + &step(20, 6.7);
    let a = analyze(&log);
    assert_eq!((a.last_step, a.total_steps), (Some(20), Some(300)));
    // HF's default (-1) names none; nor does a longer name ending so.
    let a = analyze(
        &("max_steps=-1,\neval_max_steps=9\n".to_string() + &step(10, 3.3) + &step(20, 6.7)),
    );
    assert_eq!(a.total_steps, None);
}

#[test]
fn a_live_log_that_went_silent_says_so() {
    // nanoGPT's first half (to iter 200), read live, then read again and
    // again with nothing new.
    let (log, timing) = trace("nanogpt");
    let cut = log
        .windows(9)
        .position(|w| w == b"iter 200:")
        .and_then(|p| log[p..].iter().position(|&b| b == b'\n').map(|q| p + q + 1))
        .expect("iter 200 in the trace");
    let mut a = LogAnalyzer::new();
    let mut last_t = 0.0;
    for (t, chunk) in replay_chunks(&log[..cut], &timing) {
        a.push(chunk, Some(t));
        last_t = t;
    }
    assert_eq!(a.finish_live().verdict, "progressing");
    // Five minutes with nothing new: an evaluation, a checkpoint, not yet a hang.
    a.observe_time(last_t + 300.0);
    assert_eq!(a.finish_live().verdict, "progressing");
    a.observe_time(last_t + 1500.0);
    let now = a.finish_live();
    assert_eq!(
        now.verdict, "progressing (warning: no new step for the last 25 min)",
        "{:?}",
        now.notes
    );
    // A time from before changes nothing; new steps end the silence.
    a.observe_time(last_t);
    assert!(a.finish_live().verdict.contains("25 min"));
    let rest = &log[cut..];
    a.push(rest, Some(last_t + 1510.0));
    assert!(
        !a.finish().verdict.contains("warning"),
        "{}",
        a.finish().verdict
    );
}

#[test]
fn how_schedulers_and_launchers_say_a_job_died_is_read() {
    let c = |s: &str| errors::classify_line(s).map(|x| (x.class, x.fatal));
    let killed = Some((ErrorClass::Killed, true));
    // Slurm: the cgroup's OOM kills, srun's word on each task.
    for line in [
        "slurmstepd: error: Detected 1 oom_kill event in StepId=52001.0. Some of the step tasks have been OOM Killed.",
        "slurmstepd: error: Detected 1 oom-kill event(s) in StepId=7401930.0 cgroup. Some of your processes may have been killed by the cgroup out-of-memory handler.",
        "srun: error: node17: task 0: Out Of Memory",
        "srun: error: node17: task 0: Killed",
        "srun: error: node04: task 0: Exited with exit code 137",
        // systemd's account of a unit; a container's; a script's echo.
        "train.service: A process of this unit has been killed by the OOM killer.",
        "train.service: Failed with result 'oom-kill'.",
        "train.service: Main process exited, code=killed, status=9/KILL",
        "trainer-1 exited with code 137",
        "Process 2 exit with status code 137.",
        // Open MPI; submitit after a preemption.
        "mpirun noticed that process rank 0 with PID 0 on node gpu-node-4 exited on signal 9 (Killed).",
        "submitit INFO (2024-06-14 11:13:14,905) - Exiting gracefully after preemption/timeout.",
    ] {
        assert_eq!(c(line), killed, "{line}");
    }
    assert_eq!(
        c("srun: error: node02: task 1: Exited with exit code 1"),
        Some((ErrorClass::Runtime, true))
    );
    assert_eq!(
        c("srun: error: node02: task 1: Exited with exit code 0"),
        None
    );
    assert_eq!(
        c("mpirun detected that one or more processes exited with non-zero status, thus causing"),
        Some((ErrorClass::Runtime, true))
    );
    // Distributed: the rendezvous, Horovod's collectives.
    for line in [
        "torch.distributed.DistStoreError: Timed out after 901 seconds waiting for clients. 1/2 clients joined.",
        "horovod.common.exceptions.HorovodInternalError: ncclAllReduce failed: unhandled system error (run with NCCL_DEBUG=INFO for details)",
    ] {
        assert_eq!(c(line), Some((ErrorClass::Distributed, true)), "{line}");
    }
    // Marian's out of memory; a CUDA extension that did not build (raised,
    // not the warning that quotes it and falls back).
    assert_eq!(
        c(
            "[2024-05-01 12:00:00] Error: CUDA error 2 'out of memory' - /opt/marian/src/tensors/gpu/device.cu:32: cudaMalloc(&data_, size)"
        ),
        Some((ErrorClass::Memory, true))
    );
    assert_eq!(
        c(
            "RuntimeError: Error building extension 'bias_act_plugin': [1/3] /usr/local/cuda/bin/nvcc"
        ),
        Some((ErrorClass::Dependency, true))
    );
    assert_eq!(
        c("Error building extension 'bias_act_plugin': [1/3] /usr/local/cuda/bin/nvcc"),
        None
    );
    // Prose that names the same words is not an error.
    assert_eq!(
        c("Exit code 137 means the kernel killed it; see docs"),
        None
    );
}

#[test]
fn errors_a_program_printed_and_went_on_after_are_not_fatal() {
    let train = "iter 10: loss 2.5, time 30.1ms\niter 20: loss 2.4, time 30.2ms\niter 30: loss 2.3, time 30.2ms\niter 40: loss 2.2, time 30.2ms\n";
    let oom = "Traceback (most recent call last):\n  File \"/w/train.py\", line 9, in <module>\n    loss.backward()\ntorch.OutOfMemoryError: CUDA out of memory. Tried to allocate 1.50 GiB.\n";
    // visdom's client, its server not running: pix2pix goes on.
    let a = analyze(&format!(
        "{train}Exception in user code:\n------------------------------------------------------------\n\
         Traceback (most recent call last):\n  File \"/usr/lib/python3/site-packages/urllib3/connection.py\", line 174, in _new_conn\n    conn = connection.create_connection(\n\
         ConnectionRefusedError: [Errno 111] Connection refused\n{train}"
    ));
    assert_eq!(a.verdict, "progressing", "{:?}", a.errors);
    // AutoGluon skips the model that failed, then fits the next.
    let a = analyze(&format!(
        "{train}\tWarning: Exception caused NeuralNetTorch_BAG_L1 to fail during training... Skipping this model.\n{oom}\
         Fitting model: LightGBMXT_BAG_L1 ...\n{train}"
    ));
    assert!(a.errors.iter().all(|e| !e.fatal), "{:?}", a.errors);
    // Keras Tuner: a trial ran out of memory, the search goes on.
    let a = analyze(&format!(
        "{train}{oom}Trial 3 Complete [00h 00m 03s]\n\nSearch: Running Trial #4\n"
    ));
    assert!(a.errors.iter().all(|e| !e.fatal), "{:?}", a.errors);
    // (Without those lines the same out of memory ended the run.)
    assert!(
        analyze(&format!("{train}{oom}"))
            .verdict
            .starts_with("fatal: ")
    );
    // submitit requeued a preempted job, which started again and trains.
    let start = "submitit INFO (2024-06-14 11:18:14,905) - Starting with JobEnvironment(job_id=53401, hostname=learnfair0123, local_rank=0(8), node=0(4), global_rank=0(32))\n";
    let preempted = "submitit WARNING (2024-06-14 11:12:49,905) - Caught signal SIGUSR1 on learnfair0123: this job is preempted.\n\
                     submitit INFO (2024-06-14 11:13:14,905) - Requeued job 53401 (3 remaining timeouts)\n\
                     submitit INFO (2024-06-14 11:13:14,905) - Exiting gracefully after preemption/timeout.\n";
    let a = analyze(&format!("{start}{train}{preempted}"));
    assert_eq!(
        a.verdict,
        "fatal: job preempted or out of time (requeued by submitit)"
    );
    let resumed = "iter 50: loss 2.1, time 30.1ms\niter 60: loss 2.0, time 30.2ms\niter 70: loss 1.9, time 30.2ms\niter 80: loss 1.8, time 30.2ms\n";
    let a = analyze(&format!("{start}{train}{preempted}{start}{resumed}"));
    assert_eq!(a.verdict, "progressing", "{:?}", a.errors);
}

#[test]
fn an_exception_logged_at_warning_level_is_not_fatal() {
    let a = analyze(
        "[rank0]:W0618 21:57:02.561000 1489278 torch/_dynamo/convert_frame.py:1277] WON'T CONVERT forward\n\
         [rank0]:W0618 21:57:02.561000 1489278 torch/_dynamo/convert_frame.py:1277] torch._inductor.exc.InductorError: CalledProcessError: Command failed\n\
         Training epoch 0, iteration 0/1 | global_step: 0 | reduced_train_loss: 1.3\n\
         Training epoch 0, iteration 1/1 | global_step: 1 | reduced_train_loss: 1.2\n",
    );
    assert_eq!(a.errors.len(), 1);
    assert!(!a.errors[0].fatal);
    assert_eq!(a.verdict, "completed");
    let a = analyze(
        "2024-01-01 10:00:00,000 - trainer - WARNING - Traceback (most recent call last):\n  File \"x.py\", line 1, in f\nValueError: retrying\n",
    );
    assert!(!a.has_fatal(), "{:?}", a.errors);
}

#[test]
fn rich_and_wrapped_tracebacks_are_one_error_each() {
    let a = analyze(
        "╭──────── Traceback (most recent call last) ────────╮\n\
         │ /home/x/train.py:81 in <module>                    │\n\
         │ ❱  81 check_min_version(\"0.15.0.dev0\")              │\n\
         ╰────────────────────────────────────────────────────╯\n\
         ImportError: This example requires a source install of diffusers\n",
    );
    assert_eq!(a.errors.len(), 1, "{:?}", a.errors);
    assert_eq!(
        (a.errors[0].class, a.errors[0].fatal),
        (ErrorClass::Dependency, true)
    );
    // A console 80 columns wide cut the frame lines.
    let a = analyze(
        "Traceback (most recent call last):\n  File \"D:\\Coding Workspace\\fracture detection \nai\\train_single.py\", line 503, in <module>\n    main()\n  File \"C:\\Python310\\lib\\encodings\\cp1252.py\", line 1\n19, in encode\n    return codecs.charmap_encode(input,self.errors,encoding_table)[0]\nUnicodeEncodeError: 'charmap' codec can't encode character\n",
    );
    assert_eq!(a.errors.len(), 1, "{:?}", a.errors);
    assert!(
        a.errors[0].message.starts_with("UnicodeEncodeError"),
        "{:?}",
        a.errors
    );
}

#[test]
fn lightning_rich_bars_count_every_epoch() {
    let mut log =
        String::from("Sanity Checking ━━━━━━━━━━━━━━━━ 2/2 0:00:00 • 0:00:00 38.27it/s\n");
    for e in 0..3 {
        log += &format!(
            "Epoch {e}/29 ━━━━━━━━━━━━━━━━ 5809/5809 0:13:20 • 0:00:00 7.22it/s v_num: jba0 train/loss_step: {}.5 val/loss: 16.017\n",
            3 - e
        );
        log += "Validation ━━━━━━━━━━━━━━━━ 100/100 0:00:10 • 0:00:00 9.80it/s\n";
    }
    let a = analyze(&log);
    assert_eq!(
        (a.format, a.last_step, a.total_steps),
        (Format::Lightning, Some(3 * 5809), Some(30 * 5809))
    );
    assert_eq!((a.loss.first, a.loss.last), (Some(3.5), Some(1.5)));
    assert_eq!(a.eval.count, 3);
}

#[test]
fn utf16_logs_are_transcoded() {
    let text = "Epoch 1/2\n 1/49 ==================== 1:06 1s/step - accuracy: 0.0000e+00 - loss: 1.5527\r\n49/49 ==================== 12s 245ms/step - accuracy: 0.51 - loss: 1.2000 - val_loss: 1.1\r\nEpoch 2/2\n49/49 ==================== 12s 245ms/step - accuracy: 0.61 - loss: 0.9000 - val_loss: 1.0 😀\r\n";
    let want = analyze(text);
    assert_eq!((want.format, want.last_step), (Format::Keras, Some(98)));
    let mut le = vec![0xFF, 0xFE];
    let mut be = vec![0xFE, 0xFF];
    for u in text.encode_utf16() {
        le.extend_from_slice(&u.to_le_bytes());
        be.extend_from_slice(&u.to_be_bytes());
    }
    for bytes in [&le, &be] {
        // Whole, and cut at every odd place (a byte of a unit, a half of a
        // surrogate pair, inside the byte-order mark).
        for cut in [0, 1, 3, 7, bytes.len() - 3, bytes.len() - 1] {
            let mut a = LogAnalyzer::new();
            a.push(&bytes[..cut], None);
            a.push(&bytes[cut..], None);
            let got = a.finish();
            assert_eq!(
                (got.format, got.last_step, got.loss.last),
                (want.format, want.last_step, want.loss.last),
                "cut {cut}"
            );
            assert_eq!(
                got.notes.first().map(String::as_str),
                Some("read as UTF-16 text (a PowerShell redirect)")
            );
        }
    }
    // A UTF-8 byte-order mark does not hide the first line.
    let a = analyze(
        "\u{feff}iter 1: loss 2.0, time 40.0ms, mfu 1.0%\niter 2: loss 1.9, time 40.0ms, mfu 1.0%\n",
    );
    assert_eq!(a.last_step, Some(2));
    // An odd byte left at the end is one replacement character, no panic.
    let mut a = LogAnalyzer::new();
    a.push(&[0xFF, 0xFE, b'a', 0, b'\n', 0, b'b'], None);
    assert_eq!(a.finish().input.lines, 2);
}

#[test]
fn hf_trainer_under_deepspeed_is_hf() {
    let a = analyze(
        "[2025-02-20 20:25:29,316] [INFO] [logging.py:96:log_dist] [Rank 0] step=0, skipped=0, lr=[0.0], mom=[(0.9, 0.999)]\n{'loss': 0.6931, 'grad_norm': 1.2, 'learning_rate': 1e-06, 'epoch': 0.04}\n",
    );
    assert_eq!(a.format, Format::HfTrainer);
}

#[test]
fn a_zero_learning_rate_or_gradient_everywhere_is_flagged() {
    let mut log = String::new();
    for e in 1..=4 {
        log += &format!(
            "{{'loss': 12.1{e}, 'grad_norm': 0.0, 'learning_rate': 0.0, 'epoch': 0.0{e}}}\n"
        );
    }
    let a = analyze(&log);
    assert!(
        a.notes
            .iter()
            .any(|n| n.contains("learning rate is 0 in all 4")),
        "{:?}",
        a.notes
    );
    assert!(
        a.notes
            .iter()
            .any(|n| n.contains("gradient norm is 0 in all 4")),
        "{:?}",
        a.notes
    );
    // One non-zero value (warm-up starting at 0) is a normal run.
    let a = analyze(
        &(log + "{'loss': 12.0, 'grad_norm': 1.5, 'learning_rate': 1e-05, 'epoch': 0.05}\n"),
    );
    assert!(
        !a.notes.iter().any(|n| n.contains("is 0 in all")),
        "{:?}",
        a.notes
    );
}

#[test]
fn a_lightning_log_that_starts_at_a_later_epoch_counts_the_epochs_before() {
    let mut log = String::new();
    for n in [4, 8, 12] {
        log += &format!(
            "\rEpoch 49: {:3}%|###| {n}/12 [00:0{}<00:00,  4.93it/s, v_num=0, train_loss_step=0.197]",
            n * 100 / 12,
            n / 4
        );
    }
    let a = analyze(&(log + "\n"));
    assert_eq!(
        (a.format, a.last_step),
        (Format::Lightning, Some(49 * 12 + 12))
    );
    // A hand-written loop's `epoch 3:` bars count from wherever they start.
    let a = analyze(
        "epoch 3: 100%|###| 10/10 [00:01<00:00, 9.1it/s, loss=0.5]\nepoch 4: 100%|###| 10/10 [00:01<00:00, 9.1it/s, loss=0.4]\n",
    );
    assert_eq!(a.last_step, Some(20));
    // `Epoch 1:` first, with nothing else of Lightning's (its banner, the
    // `v_num` in its bar): a loop counting epochs from 1, none before.
    // (A real one, whose bar's total was too small: `14/14`, then `19it`.)
    let a = analyze(
        "Epoch 1:  93%|#| 13/14 [03:18<00:16, 16.23s/it, loss=100]\rEpoch 1: 100%|#| 14/14 [03:40<00:00, 17.64s/it, loss=102]\rEpoch 1: 19it [05:01, 16.40s/it, loss=86.7]\n\
         Epoch 2: 100%|#| 14/14 [03:40<00:00, 17.64s/it, loss=88]\rEpoch 2: 19it [05:01, 16.49s/it, loss=98.6]\n",
    );
    assert_eq!(a.last_step, Some(38));
    let a = analyze("Epoch 1: 100%|#| 14/14 [03:40<00:00, 17.64s/it, loss=102, v_num=3]\n");
    assert_eq!(a.last_step, Some(28), "Lightning's `Epoch 1` is its second");
}

#[test]
fn keras_training_after_finished_loading_bars_is_the_run() {
    // Images loaded under tqdm bars first, then `model.fit` (Keras 3 on a
    // console that draws its bar with `=`): the fit's batches are the steps.
    let mut log = String::new();
    for n in [0, 250, 504] {
        log += &format!(
            "{:3}%|#| {n}/504 [00:0{}<00:00, 106.12it/s]\r",
            n * 100 / 504,
            n / 250
        );
    }
    log += "\nEpoch 1/2\n";
    for (n, l) in [(1, "1.9219"), (2, "1.6620"), (3, "1.4897")] {
        log += &format!("{n}/3 ==================== 8s 27s/step - accuracy: 0.2344 - loss: {l}\n");
    }
    log += "Epoch 2/2\n";
    for (n, l) in [(1, "0.1690"), (2, "0.1852"), (3, "0.1916")] {
        log += &format!("{n}/3 ==================== 8s 27s/step - accuracy: 0.9 - loss: {l}\n");
    }
    let a = analyze(&log);
    assert_eq!(
        (a.format, a.last_step, a.total_steps),
        (Format::Keras, Some(6), Some(6))
    );
    // While a bar is unfinished, the bar stays the run's count.
    let a = analyze(&log.replacen("504/504", "500/504", 1));
    assert_eq!(a.format, Format::Tqdm);
}

#[test]
fn vision_epoch_and_batch_lines() {
    // PyTorch's ImageNet example (tab-separated), epochs from 0.
    let a = analyze(
        "Epoch: [0][ 0/37]\tTime  6.057 ( 6.057)\tData  2.280 ( 2.280)\tLoss 7.1222e+00 (7.1222e+00)\tAcc@1   0.00 (  0.00)\n\
         Epoch: [0][10/37]\tTime  0.861 ( 1.332)\tData  0.000 ( 0.211)\tLoss 1.2117e+01 (6.5338e+00)\tAcc@1  10.16 ( 12.78)\n\
         Test: [ 0/16]\tTime  2.730 ( 2.730)\tLoss 2.1307e+01 (2.1307e+01)\tAcc@1   0.00 (  0.00)\n\
         Epoch: [1][30/37]\tTime  0.861 ( 1.108)\tData  0.000 ( 0.114)\tLoss 2.2324e+00 (7.2883e+00)\tAcc@1  12.89 ( 12.20)\n",
    );
    assert_eq!(
        (a.format, a.last_step, a.epoch),
        (Format::Unknown, Some(37 + 30), Some(1.0))
    );
    // The median of the batch times it printed (0.861 each).
    assert_approx(a.reported.step_time_s, 0.861, 1e-9, "printed batch time");
    assert_eq!((a.loss.first, a.loss.last), (Some(7.1222), Some(2.2324)));
    assert_eq!(a.eval.count, 1);
    // timm.
    let a = analyze(
        "Train: 42 [6250/10009 ( 62%)]  Loss:  3.991073 (3.6682)  Time: 0.657s,  194.87/s  (3.209s,   39.89/s)  LR: 2.386e-04  Data: 0.016 (2.547)\n\
         Train: 42 [6300/10009 ( 63%)]  Loss:  4.052540 (3.6677)  Time: 0.655s,  195.35/s  (3.214s,   39.83/s)  LR: 2.386e-04  Data: 0.019 (2.552)\n\
         =>> PBS: job killed: walltime 604842 exceeded limit 604800\n",
    );
    assert_eq!(a.last_step, Some(42 * 10009 + 6300));
    assert_eq!(a.loss.last, Some(4.05254));
    assert_eq!(
        a.verdict,
        "fatal: job killed by the scheduler (walltime exceeded)"
    );
    // mmengine under its own yearless head, epochs from 1.
    let a = analyze(
        "01/08 08:55:39 - mmengine - INFO - Epoch(train)  [1][4/4]  lr: 1.0000e-02  eta: 0:00:46  time: 0.6172  grad_norm: 10.1857  loss: 1.1313\n\
         01/08 08:55:43 - mmengine - INFO - Epoch(val) [1][8/8]    mAP/overall: 0.0000  data_time: 0.0382  time: 0.0654\n\
         01/08 08:55:49 - mmengine - INFO - Epoch(train)  [2][4/4]  lr: 3.2500e-02  eta: 0:00:36  time: 0.5114  grad_norm: 9.0480  loss: 1.4848\n",
    );
    assert_eq!(
        (a.last_step, a.loss.last, a.eval.count),
        (Some(8), Some(1.4848), 1)
    );
    assert_eq!(
        a.clock,
        Clock::LogTimestamps,
        "the yearless head still gives times"
    );
}

#[test]
fn composer_batches() {
    let a = analyze(
        "[batch=1/20]:\n\t Train time/batch: 0\n\t Train loss/train/total: 0.0053\n[batch=20/20]:\n\t Train time/batch: 19\n\t Train loss/train/total: 0.0051\n",
    );
    assert_eq!(
        (a.last_step, a.total_steps, a.verdict.as_str()),
        (Some(20), Some(20), "completed")
    );
    assert_eq!((a.loss.first, a.loss.last), (Some(0.0053), Some(0.0051)));
    // Its throughput lines are its reported speed.
    let a = analyze(
        "[batch=1/20]:\n\t Train loss/train/total: 0.0053\n\t Train throughput/samples_per_sec: 156.7488\n\t Train throughput/tokens_per_sec: 321021.5424\n",
    );
    assert_eq!(
        (a.reported.samples_per_sec, a.reported.tokens_per_sec),
        (Some(156.7488), Some(321021.5424))
    );
}

#[test]
fn olmo_s_rich_console_head_and_its_throughput() {
    // OLMo on a terminal: rich's padded level and its logger tag before
    // the step head; one device's tokens/s among the metrics.
    let log: String = (1..=3)
        .map(|i| {
            format!(
                "[2024-04-17 09:42:{:02}] INFO     [olmo.train:816, rank=0] [step={i}/739328]\n    train/CrossEntropyLoss={:.2}\n    train/Perplexity=76,880\n    throughput/device/tokens_per_second=45,538\n",
                26 + i * 12,
                11.25 - f64::from(i) * 0.2
            )
        })
        .collect();
    let a = analyze(&log);
    assert_eq!((a.last_step, a.total_steps), (Some(3), Some(739328)));
    assert_eq!(a.loss.last, Some(10.65));
    assert_eq!(a.reported.tokens_per_sec, Some(45538.0));
    assert_eq!(a.clock, Clock::LogTimestamps);
}

#[test]
fn an_error_the_run_went_on_after_is_not_fatal() {
    let mut log = String::new();
    for i in 1..=3 {
        log += &format!("iter {i}: loss 3.0, time 40.00ms, mfu 1.00%\n");
    }
    log += "RuntimeError: NCCL error: unhandled system error\n[INFO] api: [default] Worker group FAILED. 3/3 attempts left; will restart worker group\n";
    // (torchrun says it restarts the workers: not the end, even before
    // they train again.)
    let a = analyze(&log);
    assert_eq!(a.verdict, "progressing", "{:?}", a.errors);
    let cut = log.find("[INFO] api:").expect("the restart line");
    assert_eq!(
        analyze(&log[..cut]).verdict,
        "fatal: NCCL error",
        "nothing after it yet"
    );
    for i in 4..=6 {
        log += &format!("iter {i}: loss 2.9, time 40.00ms, mfu 1.00%\n");
    }
    let a = analyze(&log);
    assert_eq!(a.verdict, "progressing");
    assert!(!a.errors[0].fatal);
    assert!(
        a.notes
            .iter()
            .any(|n| n.contains("training went on after it")),
        "{:?}",
        a.notes
    );
    // A later restart (nodes joining) with few steps after it changes nothing.
    log += "[INFO] api: [default] Detected 1 new nodes from group_rank=1; will restart worker group\niter 7: loss 2.8, time 40.00ms, mfu 1.00%\n";
    assert_eq!(analyze(&log).verdict, "progressing");
}

#[test]
fn an_oom_logged_as_a_warning_and_recovered_is_not_fatal() {
    let line = "2022-06-01 10:00:00 | WARNING | fairseq.trainer | OOM: Ran out of memory with exception: CUDA out of memory. Tried to allocate 3.36 GiB (GPU 0; 14.76 GiB total capacity)\n";
    let st = strip_prefixes(line.trim_end());
    assert!(st.body.starts_with("OOM: Ran out of memory"), "{}", st.body);
    let a = analyze(line);
    assert_eq!(
        (a.errors[0].class, a.errors[0].fatal),
        (ErrorClass::Memory, false)
    );
    // The same words in an uncaught exception are fatal.
    let a = analyze("torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 3.36 GiB\n");
    assert!(a.has_fatal());
}

#[test]
fn a_sigkill_at_the_end_of_a_long_exception_line() {
    let cmd = "x".repeat(700);
    let a = analyze(&format!(
        "Traceback (most recent call last):\n  File \"run.py\", line 3, in <module>\n    subprocess.run(cmd, check=True)\nsubprocess.CalledProcessError: Command '['/usr/bin/python3', '{cmd}']' died with <Signals.SIGKILL: 9>.\n"
    ));
    assert_eq!(
        a.verdict,
        "fatal: process killed by SIGKILL (likely host out of memory)"
    );
    assert_eq!(a.errors[0].class, ErrorClass::Killed);
}

/// Step lines of their own shape (DLRM, DAC's rich progress line,
/// parler-tts), and the ends of Time-Series-Library, RecBole and GluonTS.
#[test]
fn own_shape_step_lines_and_their_runs_ends() {
    let a = analyze(
        "Finished training it 1024/19253 of epoch 0, 11.66 ms/it, loss 0.133425\n\
         Finished training it 2048/19253 of epoch 0, 11.73 ms/it, loss 0.133021\n",
    );
    assert_eq!((a.last_step, a.total_steps), (Some(2048), Some(19253)));
    assert_eq!(a.loss.last, Some(0.133021));
    let a = analyze(
        "           ⠼ Iteration (train) 1001/250000                      0:12:51 / 45:50:52\n",
    );
    assert_eq!((a.last_step, a.total_steps), (Some(1001), Some(250000)));
    let a = analyze(
        "Step... (50 / 40000 | Loss: tensor(11.4952, device='cuda:0', grad_fn=<DivBackward0>), Learning Rate: 0.00019)\n",
    );
    assert_eq!(
        (a.last_step, a.total_steps, a.loss.last),
        (Some(50), Some(40000), Some(11.4952))
    );
    // parler-tts encodes its audio under a bare bar before it trains.
    let a = analyze(
        "03/11/2025 14:03:04 - INFO - __main__ - *** Encode target audio with encodec ***\n\n\
         \r  0%|          | 0/2009 [00:00<?, ?it/s]\r 36%|###6      | 730/2009 [07:32<13:30,  1.58it/s]",
    );
    assert_eq!(a.verdict, "no training progress recognised");
    // PyTorch-BigGraph: its epochs are the steps.
    let pbg = |e: u32, what: &str| {
        format!(
            "2024-05-14 09:12:11,218   [Trainer-0] {what} epoch {e} / 50, edge path 1 / 1, edge chunk 1 / 1\n"
        )
    };
    let a = analyze(&(pbg(16, "Finished") + &pbg(17, "Starting")));
    assert_eq!((a.last_step, a.total_steps), (Some(16), Some(50)));
    let tsl = "Epoch: 1, Steps: 264 | Train Loss: 0.4101 Vali Loss: 0.7002 Test Loss: 0.3969\n\
               \titers: 100, epoch: 2 | loss: 0.3912\n";
    for end in [
        "Early stopping\n",
        ">>>>>>>testing : long_term_forecast_ETTh1_96_96_PatchTST_ETTh1\n",
        "Finished training, best eval result in epoch 31\n",
        "INFO:gluonts.mx.trainer._base:End model training\n",
        "\x1b[32m14 May 09:21    INFO  Finished training, best eval result in epoch 31\x1b[0m\n",
        "Hit target accuracy AUC 0.802500 at epoch 0.100 with batchsize 2048\n",
    ] {
        let a = analyze(&format!("{tsl}{end}"));
        assert!(a.finished, "{end}: {}", a.verdict);
    }
}

/// EasyLM prints its metrics with `pprint`: a key a line, JAX arrays as
/// values.
#[test]
fn a_pprinted_metrics_dict_with_jax_arrays() {
    let dict = |loss: &str, step: u32| {
        format!(
            "{{'accuracy': Array(0.41, dtype=float32),\n 'gradient_norm': Array(1.4505259, dtype=float32),\n 'learning_rate': Array(0, dtype=float32),\n 'loss': Array({loss}, dtype=float32),\n 'param_norm': Array(2231.7, dtype=float32),\n 'step': {step}}}\n"
        )
    };
    let a = analyze(&(dict("2.2839155", 0) + &dict("2.276419", 50)));
    assert_eq!(
        (a.loss.first, a.loss.last),
        (Some(2.2839155), Some(2.276419))
    );
    assert_eq!(
        parse::parse_py_dict("{'loss': Array(2.5, dtype=float32), 'step': 3}"),
        Some(vec![("loss", 2.5), ("step", 3.0)])
    );
}

/// SAM 2's step line behind a bare `Train ` tag counts the steps across
/// epochs; DETR-family runs end with `Training time`, past a day too.
#[test]
fn sam2_train_epoch_lines_and_a_training_time_over_a_day() {
    let line = |e: u32, i: u32| {
        format!(
            "INFO 2025-05-11 09:14:56,920 train_utils.py: 271: Train Epoch: [{e}][{i:>3}/152] | Batch Time: 1.02 (1.10) | Data Time: 0.01 (0.02) | Mem (GB): 21.00 (21.00) | Time Elapsed: 00d 00h 02m | Losses/train_all_loss: 7.96e+00 (8.10e+00)\n"
        )
    };
    let a = analyze(&(line(0, 150) + &line(3, 140)));
    assert_eq!(a.last_step, Some(3 * 152 + 140));
    let done = "Epoch: [71]  [2080/2083]  eta: 0:00:01  lr: 0.000025  loss: 19.4 (19.6)  time: 0.66 data: 0.01  max mem: 9000\n\
                Training time 1 day, 3:40:48\n";
    assert!(analyze(done).finished);
    assert!(!analyze("Training time 1 day and more\n").finished);
}

/// H2O LLM Studio logs each bar frame as a line under its epoch headers
/// (`Training Epoch: 2 / 3`, spaces around the slash); mergekit's merge
/// (`Executing graph`) is no training.
#[test]
fn h2o_llm_studio_epochs_and_a_merge_that_is_not_training() {
    let frame = |n: u32, pct: u32| {
        format!(
            "2024-05-14 09:13:04,166 - INFO: train loss: 1.61: {pct:>3}%|#         | {n}/1210 [00:37<11:57,  1.60it/s]\n"
        )
    };
    let log = format!(
        "2024-05-14 09:12:26,718 - INFO: Training Epoch: 1 / 3\n{}{}\
         2024-05-14 09:26:16,741 - INFO: Training Epoch: 2 / 3\n{}{}",
        frame(605, 50),
        frame(1210, 100),
        frame(60, 5),
        frame(720, 60)
    );
    let a = analyze(&log);
    assert_eq!((a.last_step, a.total_steps), (Some(1930), Some(3630)));
    let a = analyze(
        "mergekit-yaml merge.yml ./merged-slerp --cuda\n\rWarmup loader cache: 100%|##########| 2/2 [00:00<00:00,  2.27it/s]\n\rExecuting graph:  50%|#####     | 625/1251 [00:40<00:40, 15.5it/s]\rExecuting graph: 100%|##########| 1251/1251 [01:21<00:00, 15.4it/s]\n",
    );
    assert_eq!(a.verdict, "no training progress recognised");
}

/// LTX-Video-Trainer piped through `tee`: its rich live panel prints
/// nothing until it stops, so its logger's save lines say where it is; its
/// statistics end it; its configuration table says the steps. Its final
/// panel, cut at 80 columns (`Training Step 2…`), is no step count.
#[test]
fn ltx_video_trainers_rich_logger_lines() {
    let table =
        "│ optimization.steps                   │ 2000                                  │\n";
    let saved = |n: u32| {
        format!(
            "INFO     🎥 Validation samples for step {n} saved in samples     trainer.py:787\n\
             INFO     💾 LoRA weights for step {n} saved in                   trainer.py:837\n\
             \x20        checkpoints/lora_weights_step_0{n}.safetensors                        \n"
        )
    };
    let running = format!("{table}{}{}", saved(250), saved(500));
    let a = analyze(&running);
    assert_eq!((a.last_step, a.total_steps), (Some(500), Some(2000)));
    assert_eq!(a.verdict, "progressing");
    assert_eq!((a.checkpoints.count, a.eval.count), (2, 2));
    let done = format!(
        "{running}{}╭──────────╮\n│ Training Step 2… ━━━ Loss: 0.1902 LR: 0.00e+00 Time/Step: 3.40s 2… ETA: 00:… │\n╰──────────╯\n\
         INFO     📊 Training Statistics:                                  trainer.py:806\n",
        saved(2000)
    );
    let a = analyze(&done);
    assert_eq!((a.last_step, a.total_steps), (Some(2000), Some(2000)));
    assert_eq!(a.verdict, "completed");
}

/// `accelerate launch` (or a script's `subprocess.run(..., check=True)`)
/// raises `CalledProcessError` when its child failed: the child's own
/// error, earlier in the same log, is the verdict.
#[test]
fn a_launchers_called_process_error_restates_its_childs_error() {
    let child = "Traceback (most recent call last):\n  File \"train.py\", line 9, in <module>\n    loss.backward()\n\
                 torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 1.21 GiB.\n";
    let launcher = "Traceback (most recent call last):\n  File \"/v/bin/accelerate\", line 8, in <module>\n    sys.exit(main())\n\
                    subprocess.CalledProcessError: Command '['/v/bin/python', 'train.py']' returned non-zero exit status 1.\n";
    let a = analyze(&format!("{child}{launcher}"));
    assert!(
        a.verdict.starts_with("fatal: CUDA out of memory"),
        "{}",
        a.verdict
    );
    // Alone, it is the news.
    let a = analyze(launcher);
    assert_eq!(a.verdict, "fatal: Python exception: CalledProcessError");
}

#[test]
fn megatron_deepspeed_per_step_lines_do_not_hide_the_iteration_lines() {
    let mut log = String::new();
    for i in 1..=4 {
        log += &format!("steps: {i} loss: 12.{i}360 iter time (s): 15.161 samples/sec: 1.055\n");
    }
    for i in [2, 4] {
        log += &format!(
            " iteration        {i}/     500 | consumed samples:           {} | elapsed time per iteration (ms): 15165.9 | learning rate: 3.000E-06 | global batch size:    16 | lm loss: 1.2{i}3599E+01 | loss scale: 1.0 |\n",
            i * 16
        );
    }
    let a = analyze(&log);
    assert_eq!(
        (a.format, a.last_step, a.total_steps),
        (Format::Megatron, Some(4), Some(500))
    );
}

#[test]
fn loguru_with_the_level_first() {
    let st = strip_prefixes(
        "INFO     | 2024-05-02 10:51:14 | autotrain.trainers.common:on_log:226 - {'loss': 1.6612, 'epoch': 0.02}",
    );
    assert_eq!(st.body, "{'loss': 1.6612, 'epoch': 0.02}");
    assert!(st.ts.is_some());
    let a = analyze(
        "INFO     | 2024-05-02 10:51:14 | autotrain.trainers.common:on_log:226 - {'loss': 1.6612, 'grad_norm': 0.56, 'learning_rate': 2.1e-06, 'epoch': 0.02}\n\
         INFO     | 2024-05-02 10:55:49 | autotrain.trainers.common:on_log:226 - {'loss': 1.5881, 'grad_norm': 0.77, 'learning_rate': 4.3e-06, 'epoch': 0.04}\n",
    );
    assert_eq!(
        (a.format, a.loss.first, a.loss.last),
        (Format::HfTrainer, Some(1.6612), Some(1.5881))
    );
    // Ordinary capitalised text is not a head.
    assert_eq!(
        strip_prefixes("NOTE | this is a table").body,
        "NOTE | this is a table"
    );
}

#[test]
fn the_worker_exception_is_the_verdict_not_torchrun_s_wrapper() {
    let a = analyze(
        "Traceback (most recent call last):\n  File \"train.py\", line 3, in <module>\n    main()\nRuntimeError: Cannot send a request, as the client has been closed.\n\
         E0419 15:18:06.000000 93700 torch/distributed/elastic/multiprocessing/api.py:874] failed (exitcode: 1) local_rank: 0 (pid: 93742) of binary: /venv/bin/python3\n\
         torch.distributed.elastic.multiprocessing.errors.ChildFailedError:\n",
    );
    assert!(
        a.errors.iter().any(|e| e.label.starts_with("torchrun: ")),
        "{:?}",
        a.errors
    );
    assert_eq!(a.verdict, "fatal: Python exception: RuntimeError");
}

#[test]
fn per_epoch_summaries_are_the_steps_when_nothing_else_is() {
    let mut log = String::from("2026-05-08 22:39:26 | INFO | [Training] Starting — 3 epochs max\n");
    for (e, l) in [(1, 1.8695), (2, 1.2), (3, 0.5128)] {
        log += &format!(
            "2026-05-08 22:{:02}:56 | INFO | Epoch [{e:03}/3] TrainLoss={l} TrainAcc=48.54% | ValLoss=1.3028 ValAcc=60.94% | LR=1.00e-04 | Time=480.3s\n",
            40 + 8 * e
        );
    }
    let a = analyze(&log);
    assert_eq!(
        (a.last_step, a.total_steps, a.verdict.as_str()),
        (Some(3), Some(3), "completed")
    );
    assert_eq!((a.loss.first, a.loss.last), (Some(1.8695), Some(0.5128)));
    assert!(
        a.notes.iter().any(|n| n.contains("its steps are epochs")),
        "{:?}",
        a.notes
    );
    // A validation summary is not progress.
    let a = analyze(
        "2022-07-19 07:16:01 | INFO | valid | epoch 006 | valid on 'valid' subset | loss 5.329 | ppl 40.2\n",
    );
    assert_eq!((a.last_step, a.loss.count), (None, 0));
    // `TS | LEVEL | message` without a logger name.
    assert_eq!(
        strip_prefixes("2026-05-08 22:39:24 | INFO | [Seed] All seeds set").body,
        "[Seed] All seeds set"
    );
}

#[test]
fn a_bar_that_runs_to_its_total_and_starts_again_is_per_epoch() {
    let mut log = String::new();
    for _epoch in 0..3 {
        for n in 0..=6 {
            log += &format!("\r{:3}%|#  | {n}/6 [00:0{n}<00:00,  2.50s/it]", n * 100 / 6);
        }
        log += "\nLoss:  1.5\n";
    }
    let a = analyze(&log);
    assert_eq!((a.last_step, a.total_steps), (Some(18), None));
    // A lagging rank's bar near the end is not a new pass.
    let a = analyze(
        "\r 98%|# | 590/600 [01:00<00:01, 9.8it/s]\r100%|##| 600/600 [01:01<00:00, 9.8it/s]\r 98%|# | 591/600 [01:00<00:01, 9.8it/s]\n",
    );
    assert_eq!(a.last_step, Some(600));
}

/// A hand-written loop: `for epoch ...: for b in tqdm(train): ...; for b in
/// tqdm(val): ...`, both bars anonymous; the training one shows the loss
/// (or nothing) in its postfix.
fn train_and_val_bars(epochs: u64, with_loss: bool) -> String {
    let mut log = String::new();
    for epoch in 0..epochs {
        for n in (0..=100).step_by(10) {
            let postfix = if with_loss {
                format!(", loss={:.3}", 2.0 - epoch as f64 * 0.5 - n as f64 / 1000.0)
            } else {
                String::new()
            };
            log += &format!(
                "\r{n:3}%|#    | {n}/100 [00:{:02}<00:10, 10.00it/s{postfix}]",
                n / 10
            );
        }
        log += "\n";
        for n in (0..=20).step_by(5) {
            log += &format!(
                "\r{:3}%|#    | {n}/20 [00:0{}<00:01, 30.00it/s]",
                n * 5,
                n / 5
            );
        }
        log += &format!(
            "\nepoch {epoch}: val_loss={:.3}\n",
            1.5 - epoch as f64 * 0.3
        );
    }
    log
}

#[test]
fn a_validation_bar_between_epochs_is_an_eval_not_the_training_bar() {
    let a = analyze(&train_and_val_bars(3, true));
    assert_eq!((a.last_step, a.total_steps), (Some(300), None));
    assert_eq!((a.loss.first, a.loss.last), (Some(2.0), Some(0.9)));
    assert_eq!(a.eval.count, 3);
    // Without a loss in the postfix, the same.
    let a = analyze(&train_and_val_bars(3, false));
    assert_eq!(a.last_step, Some(300));
    assert_eq!(a.eval.count, 3);
    // A longer bar after a finished shorter one is still taken over by it
    // (a preprocessing loop before training), and a pass of the first one
    // after the second finished does not take it back when the second
    // showed a training loss.
    let mut log = String::new();
    for n in (0..=50).step_by(10) {
        log += &format!(
            "\r{:3}%|#  | {n}/50 [00:0{}<00:01, 99.0it/s]",
            n * 2,
            n / 10
        );
    }
    for n in (0..=200).step_by(20) {
        log += &format!(
            "\r{:3}%|#  | {n}/200 [00:{:02}<00:10, 9.0it/s, loss=1.0]",
            n / 2,
            n / 20
        );
    }
    log += "\r  0%|   | 0/50 [00:00<?, ?it/s]\r 20%|#  | 10/50 [00:01<00:04, 9.0it/s]\n";
    let a = analyze(&log);
    assert_eq!((a.last_step, a.total_steps), (Some(200), Some(200)));
}

#[test]
fn epoch_bars_whose_number_gets_wider_and_epoch_sums_beside_them() {
    // A DDP script that prints each epoch's final frame and the epoch's
    // summed loss: `Epoch 10/10` is the same bar as `Epoch 9/10`, and the
    // sums are not training losses next to the bar's own.
    let mut log = String::new();
    for e in 1..=9 {
        log += &format!("Epoch {e}/10: 300it [07:2{e},  1.48s/it, loss=2.{e}]\n");
        log += &format!("[Epoch {}] Loss: 13{e}4.3089, Epoch Time: 444.65s\n", e - 1);
    }
    log += "Epoch 10/10: 241it [15:55, 181.19s/it, loss=5.09][rank0]:[E709 17:05:39.081662161 ProcessGroupNCCL.cpp:684] [Rank 0] Some NCCL operations have failed or timed out.\n";
    let a = analyze(&log);
    assert_eq!(a.last_step, Some(9 * 300 + 241));
    assert_eq!((a.loss.first, a.loss.last), (Some(2.1), Some(5.09)));
}

#[test]
fn a_loss_in_the_bar_description_and_redraws_that_update_it() {
    // torchtune: `epoch|step|Loss: x` in the description, written after
    // the count moved; the last redraw (same count) has the last loss.
    let mut log = String::from(
        "\rPacking dataset: 100%|##########| 51760/51760 [00:25<00:00, 2004.37it/s]\n",
    );
    log += "\r  0%|          | 0/4 [00:00<?, ?it/s]\r 25%|##5       | 1/4 [00:28<01:25, 28.53s/it]";
    let losses = [1.97, 2.01, 1.5, 1.25];
    for (k, l) in losses.iter().enumerate() {
        let (a, b) = (k + 1, (k + 2).min(4));
        log += &format!("\r1|{a}|Loss: {l}: 25%|##5       | {a}/4 [00:29<00:01, 1.00it/s]");
        log += &format!("\r1|{a}|Loss: {l}: 50%|#####     | {b}/4 [00:30<00:01, 1.00it/s]");
    }
    log += "\n";
    let a = analyze(&log);
    assert_eq!((a.last_step, a.total_steps), (Some(4), Some(4)));
    assert_eq!((a.loss.first, a.loss.last), (Some(1.97), Some(1.25)));
    // A postfix key in capitals (`Loss=`, 3D Gaussian splatting).
    let a = analyze(
        "Training progress:  40%|###9      | 19800/50000 [2:50:05<18:30:27,  2.21s/it, Loss=0.17935, distort=0.00569, Points=1500000]\n",
    );
    assert_eq!((a.last_step, a.loss.last), (Some(19800), Some(0.17935)));
}

#[test]
fn yolo_epoch_rows_count_every_epoch() {
    // Ultralytics prints one row per epoch whose description is its epoch
    // column; a pasted log may leave epochs out; the end line finishes it.
    let mut log = String::from(
        "      Epoch    GPU_mem   box_loss   cls_loss   dfl_loss  Instances       Size\n",
    );
    for (e, loss) in [
        (1, "1.093"),
        (2, "0.9392"),
        (452, "0.2503"),
        (453, "0.2577"),
    ] {
        log += &format!(
            "    {e:>3}/500      2.44G {loss:>10}      4.329      1.455          9        640: 100% 63/63 [00:21<00:00,  2.98it/s]\n"
        );
        log += "                 Class     Images  Instances      Box(P          R      mAP50  mAP50-95): 100% 2/2 [00:00<00:00,  3.11it/s]\n";
    }
    log += "\n453 epochs completed in 2.401 hours.\n";
    let a = analyze(&log);
    assert_eq!(
        (a.last_step, a.total_steps),
        (Some(453 * 63), Some(500 * 63))
    );
    assert!(a.finished, "{}", a.verdict);
}

#[test]
fn keras_verbose_2_epoch_lines_and_a_second_fit() {
    // Keras 1 (`224s - loss: ...`) with an early stop, then another fit()
    // whose epochs start again at 1.
    let mut log = String::from("Train on 40000 samples, validate on 10000 samples\n");
    for (e, l) in [(1, "3.5508"), (2, "1.0899"), (3, "0.7034")] {
        log += &format!(
            "Epoch {e}/50\n224s - loss: {l} - acc: 0.2966 - val_loss: 1.4529 - val_acc: 0.5808\n"
        );
    }
    log += "Epoch 00002: early stopping\n";
    let a = analyze(&log);
    assert_eq!((a.last_step, a.total_steps), (Some(3), Some(50)));
    assert_eq!((a.loss.first, a.loss.last), (Some(3.5508), Some(0.7034)));
    assert!(a.finished);
    assert!(
        a.notes.iter().any(|n| n.contains("its steps are epochs")),
        "{:?}",
        a.notes
    );
    log += "Epoch 1/10\n - 2s - loss: 0.0293 - acc: 0.9913 - val_loss: 0.0705\nEpoch 2/10\n - 2s - loss: 0.0213 - acc: 0.9938\n";
    let a = analyze(&log);
    assert_eq!((a.last_step, a.total_steps), (Some(2), Some(10)));
    assert_eq!(a.loss.last, Some(0.0213));
    assert!(!a.finished, "the early stop was the first fit's");
    assert!(
        a.notes.iter().any(|n| n.contains("more fit() run")),
        "{:?}",
        a.notes
    );
}

#[test]
fn lightning_checkpoint_lines_without_a_progress_bar() {
    let mut log = String::from("GPU available: True (cuda), used: True\n");
    for e in 0..20 {
        log += &format!(
            "Epoch {e}, global step {}: 'val_loss' reached 0.{:02} (best 0.{:02}), saving model to 'checkpoints/epoch={e}.ckpt' as top 1\n",
            e + 1,
            60 - e,
            60 - e
        );
    }
    log += "`Trainer.fit` stopped: `max_epochs=20` reached.\n";
    // A bar after the run finished (sampling) is not its training.
    log += "\rSachs, et al:  90%|#########  | 18/20 [00:00<00:00, 78.89it/s]\n";
    let a = analyze(&log);
    assert_eq!(a.format, Format::Lightning);
    assert_eq!(a.last_step, Some(20));
    assert!(a.finished);
    assert_eq!(a.checkpoints.count, 20);
}

#[test]
fn numpy_wrapped_metric_values() {
    // verl under NumPy 2: `actor/pg_loss:np.float64(0.0204)`.
    let mut log = String::new();
    for step in 1..=3 {
        log += &format!(
            "step:{step} - global_seqlen/min:158003 - actor/entropy:np.float64(0.22) - actor/pg_loss:np.float64(0.0{step}) - actor/kl_loss:np.float64(0.5)\n"
        );
    }
    let a = analyze(&log);
    assert_eq!(
        (a.last_step, a.loss.first, a.loss.last),
        (Some(3), Some(0.01), Some(0.03))
    );
}

#[test]
fn a_full_disk_is_named() {
    use errors::classify_line;
    let label = |s: &str| classify_line(s).map(|x| (x.class, x.label));
    assert_eq!(
        label("OSError: [Errno 28] No space left on device"),
        Some((
            ErrorClass::Runtime,
            "disk full (no space left on device)".to_string()
        ))
    );
    assert_eq!(
        label(
            r#"safetensors_rust.SafetensorError: Error while serializing: IoError(Os { code: 122, kind: FilesystemQuotaExceeded, message: "Disk quota exceeded" })"#
        ),
        Some((ErrorClass::Runtime, "disk quota exceeded".to_string()))
    );
}

#[test]
fn litgpt_iteration_and_validation_lines() {
    // `iter` counts micro-batches, `step` optimizer steps; each iteration
    // prints its own loss, the last one of a step stands.
    let mut log = String::new();
    for (iter, step, loss) in [
        (1, 0, "2.424"),
        (2, 0, "6.647"),
        (3, 1, "8.358"),
        (4, 1, "9.103"),
        (5, 2, "11.207"),
        (6, 2, "11.5"),
    ] {
        log += &format!(
            "Epoch 1 | iter {iter} step {step} | loss train: {loss}, val: n/a | iter time: 7818.10 ms\n"
        );
    }
    log += "Epoch 1 | iter 6          | val_loss: 8.068 | val_time: 79.794 s\n";
    let a = analyze(&log);
    assert_eq!(a.format, Format::NanoGpt);
    assert_eq!(a.last_step, Some(2));
    assert_eq!((a.loss.first, a.loss.last), (Some(2.424), Some(11.5)));
    assert_eq!((a.eval.count, a.eval.last_loss), (1, Some(8.068)));
}

#[test]
fn a_metrics_dict_wrapped_by_the_console_is_read() {
    let a = analyze(
        "{'loss': 0.41, 'learning_rate': 1e-05, 'epoch': 239.5}\n{'train_runtime': 11868.7058, 'train_samples_per_second': 69.022, 'train_steps_per_second': 0.27, 'train_loss': 0.2145603246986866, '\nepoch': 240.0}                    \n 60%|######    | 1920/3200 [3:17:48<2:11:52,  6.18s/it]\n",
    );
    assert!(a.finished, "{}", a.verdict);
    assert_eq!((a.last_step, a.total_steps), (Some(1920), Some(3200)));
    assert_eq!(a.reported.train_runtime_s, Some(11868.7058));
    // Something else starting with `{'` does not swallow what follows.
    let long = format!("{{'a': '{}', 'c'", "b".repeat(90));
    for head in ["{'a': 'b', 'c'", &long] {
        let a = analyze(&format!(
            "{head}\niter 10: loss 2.5, time 30.1ms\niter 20: loss 2.4, time 30.2ms\n"
        ));
        assert_eq!(a.last_step, Some(20), "{head}");
    }
}

#[test]
fn cuda_library_dependency_and_kill_signatures_from_issue_threads() {
    use errors::classify_line;
    let c = |s: &str| classify_line(s).map(|x| (x.class, x.fatal, x.label));
    let cuda = |label: &str| Some((ErrorClass::Cuda, true, label.to_string()));
    assert_eq!(
        c(
            "F0421 09:02:45.161278  7233 math_functions.cu:52] Check failed: status == CUBLAS_STATUS_SUCCESS (13 vs. 0)  CUBLAS_STATUS_EXECUTION_FAILED"
        ),
        cuda("CUDA library error (CUBLAS_STATUS_EXECUTION_FAILED)")
    );
    assert_eq!(
        c(
            "RuntimeError: cuDNN error: CUDNN_STATUS_NOT_SUPPORTED. This error may appear if you passed in a non-contiguous input."
        ),
        cuda("CUDA library error (CUDNN_STATUS_NOT_SUPPORTED)")
    );
    assert_eq!(
        c(
            r"Error no kernel image is available for execution on the device at line 167 in file D:\ai\tool\bitsandbytes\csrc\ops.cu"
        ),
        cuda("no CUDA kernel for this GPU (built for another architecture)")
    );
    // The message as Python printed its repr (`\n` escaped): the advice after it is cut.
    assert_eq!(
        c(
            r"RuntimeError: CUDA error: device-side assert triggered\nCUDA kernel errors might be asynchronously reported"
        ),
        cuda("CUDA error: device-side assert triggered")
    );
    assert_eq!(
        c(
            "ERROR: ResolutionImpossible: for help visit https://pip.pypa.io/en/latest/topics/dependency-resolution/"
        ),
        Some((
            ErrorClass::Dependency,
            true,
            "pip found conflicting package requirements".to_string()
        ))
    );
    assert_eq!(
        c("E0825 17:31:27.240000 139795859210880 torch/distributed/elastic/multiprocessing/api.py:826] failed (exitcode: -9) local_rank: 0 (pid: 8158) of binary: /usr/bin/python3").map(|x| x.0),
        Some(ErrorClass::Killed)
    );
    assert_eq!(
        c("E0825 api.py:826] failed (exitcode: 1) local_rank: 0 (pid: 8158) of binary: /usr/bin/python3").map(|x| x.0),
        Some(ErrorClass::Distributed)
    );
    // A worker a signal ended: the signal says what happened (NVIDIA/Megatron-LM#1874:
    // `pure virtual method called` at exit, then -6).
    for (code, class, label) in [
        (
            "-6",
            ErrorClass::Runtime,
            "torchrun: worker aborted (exit code -6, SIGABRT: a native crash)",
        ),
        (
            "-11",
            ErrorClass::Runtime,
            "torchrun: worker crashed (exit code -11, segmentation fault)",
        ),
        (
            "-15",
            ErrorClass::Killed,
            "torchrun: worker stopped by SIGTERM (exit code -15)",
        ),
    ] {
        assert_eq!(
            c(&format!(
                "E1019 08:21:39.599000 3036 torch/distributed/elastic/multiprocessing/api.py:874] failed (exitcode: {code}) local_rank: 0 (pid: 3042) of binary: /usr/bin/python"
            )),
            Some((class, true, label.to_string())),
            "{code}"
        );
    }
}

#[test]
fn python_logging_basic_config_heads_are_stripped() {
    let st = strip_prefixes("INFO:root:Evaluation Epoch 106 - Average Loss: 3.7166");
    assert_eq!(st.body, "Evaluation Epoch 106 - Average Loss: 3.7166");
    assert_eq!(
        strip_prefixes("WARNING:tensorflow:From x.py:12: ...").body,
        "From x.py:12: ..."
    );
    // pip's `ERROR: ...` and `WARNING: ...` are not such heads.
    assert_eq!(
        strip_prefixes("ERROR: No matching distribution found for x").body,
        "ERROR: No matching distribution found for x"
    );
    // Per-epoch summaries under that head: evaluation lines are not training.
    let mut log = String::new();
    for e in 0..3 {
        log += &format!("INFO:root:Epoch {e} - Average Loss: 4.{e}, Average Accuracy: 0.69\n");
        log += &format!(
            "INFO:root:Evaluation Epoch {e} - Average Loss: 3.9{e}, Average Accuracy: 0.53\n"
        );
    }
    let a = analyze(&log);
    assert_eq!(
        (a.last_step, a.loss.first, a.loss.last),
        (Some(2), Some(4.0), Some(4.2))
    );
}

#[test]
fn keras_evaluate_after_fit_is_an_eval() {
    let mut log = String::new();
    for e in 1..=2 {
        log += &format!(
            "Epoch {e}/2\n1875/1875 [==============================] - 4s 2ms/step - loss: 0.{e}948 - accuracy: 0.9142\n"
        );
    }
    log += "313/313 - 1s - loss: 0.0713 - accuracy: 0.9780 - 600ms/epoch - 2ms/step\n";
    let a = analyze(&log);
    assert_eq!((a.last_step, a.total_steps), (Some(3750), Some(3750)));
    assert_eq!((a.eval.count, a.eval.last_loss), (1, Some(0.0713)));
    assert_eq!(a.loss.last, Some(0.2948));
}

#[test]
fn a_bar_s_loss_at_a_step_it_already_showed() {
    // diffusers: the postfix gets its loss after the count appeared (and
    // once per micro-batch under gradient accumulation).
    let log = "\rSteps:   0%|          | 0/101 [00:00<?, ?it/s]\rSteps:   0%|          | 0/101 [00:03<?, ?it/s, lr=1e-5, step_loss=0.0799]\rSteps:   0%|          | 0/101 [00:04<?, ?it/s, lr=1e-5, step_loss=0.0609]\rSteps:   1%|          | 1/101 [00:04<08:00,  4.80s/it, lr=1e-5, step_loss=0.0609]\rSteps:   1%|          | 1/101 [00:05<08:00,  4.80s/it, lr=1e-5, step_loss=0.0456]\n";
    let a = analyze(log);
    assert_eq!(
        (a.loss.first, a.loss.last, a.loss.count),
        (Some(0.0799), Some(0.0456), 2)
    );
}

#[test]
fn the_cifar_tutorial_loss_lines_and_deepspeed_s_clean_exit() {
    let a = analyze(
        "[2024-09-23 10:11:01,021] [INFO] [logging.py:96:log_dist] [Rank 0] step=5990, skipped=3, lr=[0.001], mom=[[0.8, 0.999]]\n[2,  2400] loss: 1.209\n[2024-09-23 10:11:02,021] [INFO] [logging.py:96:log_dist] [Rank 0] step=6000, skipped=3, lr=[0.001], mom=[[0.8, 0.999]]\n[2,  2600] loss: 1.203\n[2024-09-23 10:11:09,910] [INFO] [launch.py:347:main] Process 67374 exits successfully.\n",
    );
    assert_eq!(
        (a.last_step, a.loss.first, a.loss.last),
        (Some(6000), Some(1.209), Some(1.203))
    );
    assert!(a.finished, "{}", a.verdict);
}

#[test]
fn many_frames_glued_on_one_line_are_all_read() {
    // A paste that lost its carriage returns: the last frame is the news.
    let mut line = String::new();
    for n in 0..=40 {
        line += &format!("  0%|          | {n}/29790 [00:{n:02}<88:20:56, 10.68s/it]");
    }
    let a = analyze(&(line + "\n"));
    assert_eq!((a.last_step, a.total_steps), (Some(40), Some(29790)));
}

#[test]
fn a_diverged_run_is_said_even_when_its_loss_prints_fine() {
    let a = analyze(
        "{'loss': 0.3141, 'grad_norm': 1.2, 'learning_rate': 1e-05, 'epoch': 0.1}\n{'eval_loss': nan, 'eval_runtime': 10.0, 'epoch': 4.41}\n{'loss': 0.0, 'grad_norm': nan, 'learning_rate': 1e-05, 'epoch': 4.5}\n{'loss': 0.0, 'grad_norm': nan, 'learning_rate': 1e-05, 'epoch': 4.6}\n{'train_runtime': 92000.0, 'train_samples_per_second': 1.0, 'train_steps_per_second': 0.15, 'train_loss': 0.05, 'epoch': 5.0}\n",
    );
    assert_eq!(a.verdict, "completed (warning: gradient norm is NaN)");
    assert!(
        a.notes.iter().any(|n| n.contains("gradient norm was NaN")),
        "{:?}",
        a.notes
    );
    let a = analyze(
        "{'loss': 0.3141, 'epoch': 0.1}\n{'eval_loss': nan, 'eval_runtime': 10.0, 'epoch': 4.41}\n",
    );
    assert_eq!(a.verdict, "progressing (warning: evaluation loss is NaN)");
}

#[test]
fn gpu_hardware_faults_are_cuda_errors_and_outrank_the_nccl_timeouts_after_them() {
    let a = analyze(
        " 41%|####      | 366/903 [5:15:39<6:53:09, 46.16s/it]HW Exception by GPU node-9 (Agent handle: 0x64ff272d8ab0) reason :GPU Hang\n[rank2]:[E1109 16:13:20.222288244 ProcessGroupNCCL.cpp:616] [Rank 2] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=500045, OpType=_REDUCE_SCATTER_BASE) ran for 600000 milliseconds before timing out.\n",
    );
    assert_eq!(a.verdict, "fatal: GPU hardware exception (GPU hang)");
    assert_eq!(a.last_step, Some(366));
    let c = errors::classify_line(
        "NVRM: Xid (PCI:0000:3b:00): 79, pid=1234, GPU has fallen off the bus.",
    );
    assert_eq!(c.map(|x| x.class), Some(ErrorClass::Cuda));
}

#[test]
fn an_epoch_summary_with_train_and_valid_losses_is_training() {
    let mut log = String::new();
    for (e, l) in [(1, "145.13359"), (2, "71.42647"), (3, "62.00600")] {
        log += &format!(
            "2025-07-07 13:55:26.649 INFO: Epoch [00{e}/300] - Train Loss: {l}, Valid Loss: 70.66399, LR: [0.001]\n"
        );
    }
    let a = analyze(&log);
    assert_eq!((a.last_step, a.total_steps), (Some(3), Some(300)));
    assert_eq!((a.loss.first, a.loss.last), (Some(145.13359), Some(62.006)));
}

#[test]
fn a_single_overflowing_fp16_step_is_not_divergence() {
    // GradScaler skips a step whose gradients overflowed; HF logs its norm.
    let mut log =
        String::from("{'loss': 2.0, 'grad_norm': nan, 'learning_rate': 1e-05, 'epoch': 0.01}\n");
    for k in 2..30 {
        log += &format!(
            "{{'loss': 1.{k}, 'grad_norm': 0.9, 'learning_rate': 1e-05, 'epoch': 0.{k}}}\n"
        );
    }
    log += "{'loss': 1.0, 'grad_norm': inf, 'learning_rate': 1e-05, 'epoch': 0.31}\n";
    let a = analyze(&log);
    assert!(!a.verdict.contains("warning"), "{}", a.verdict);
    assert!(
        !a.notes.iter().any(|n| n.contains("gradient norm was NaN")),
        "{:?}",
        a.notes
    );
}

#[test]
fn a_nan_that_arrives_as_a_redraw_of_the_step_is_said() {
    let a = analyze(
        "Epoch 1 | iter 5 step 2 | loss train: 2.100, val: n/a | iter time: 7818.10 ms\nEpoch 1 | iter 6 step 2 | loss train: nan, val: n/a | iter time: 7818.10 ms\n",
    );
    assert_eq!(a.verdict, "progressing (warning: loss is NaN)");
}

#[test]
fn review_cases_for_the_new_signatures() {
    use errors::classify_line;
    let c = |s: &str| classify_line(s).map(|x| (x.class, x.fatal));
    // PyTorch 2.3's cuDNN plan warning goes on running.
    assert_eq!(
        c(
            "/x/torch/nn/modules/conv.py:456: UserWarning: Plan failed with a cudnnException: CUDNN_BACKEND_EXECUTION_PLAN_DESCRIPTOR: cudnnFinalize Descriptor Failed cudnn_status: CUDNN_STATUS_NOT_SUPPORTED (Triggered internally at Conv_v8.cpp:919.)"
        ),
        None
    );
    // Allocation failures are memory, also inside a `CUDA error:` message.
    assert_eq!(
        c(
            "RuntimeError: CUDA error: CUBLAS_STATUS_ALLOC_FAILED when calling `cublasCreate(handle)`"
        ),
        Some((ErrorClass::Memory, true))
    );
    assert_eq!(
        c("Could not create cudnn handle: CUDNN_STATUS_ALLOC_FAILED"),
        Some((ErrorClass::Memory, true))
    );
    assert_eq!(
        c("F0421 math_functions.cu:52] Check failed: status == CUBLAS_STATUS_SUCCESS (13 vs. 0)  CUBLAS_STATUS_EXECUTION_FAILED").map(|x| x.0),
        Some(ErrorClass::Cuda)
    );
    // A DataLoader worker's shared memory, not the disk.
    assert_eq!(
        classify_line("RuntimeError: unable to write to file </torch_4059_1897185340_0>: No space left on device (28)").map(|x| (x.class, x.label)),
        Some((ErrorClass::Data, "DataLoader shared memory full (/dev/shm too small)".to_string()))
    );
}

#[test]
fn a_data_preparation_bar_around_each_epoch_stays_out_of_training() {
    // prep (fast, no loss) -> training (slower, no loss) -> prep again: the
    // training bar stays the training bar.
    let mut log = String::new();
    for _epoch in 0..3 {
        for n in (0..=5000).step_by(1000) {
            log += &format!(
                "\r{:3}%|#    | {n}/5000 [00:0{}<00:01, 2000.00it/s]",
                n / 50,
                n / 1000
            );
        }
        log += "\n";
        for n in (0..=300).step_by(30) {
            log += &format!(
                "\r{:3}%|#    | {n}/300 [00:{:02}<00:10, 3.00it/s]",
                n / 3,
                n / 30
            );
        }
        log += "\n";
    }
    let a = analyze(&log);
    assert_eq!(a.last_step, Some(900));
    assert_eq!(a.eval.count, 0);
}

#[test]
fn keras_verbose_2_then_evaluate() {
    let a = analyze(
        "Epoch 1/2\n - 2s - loss: 0.30 - acc: 0.91\nEpoch 2/2\n - 2s - loss: 0.10 - acc: 0.97\n10000/10000 [==============================] - 1s 64us/step\n",
    );
    assert_eq!((a.last_step, a.total_steps), (Some(2), Some(2)));
    assert_eq!(a.eval.count, 1);
}

#[test]
fn a_stale_wrapped_dict_head_does_not_swallow_later_lines() {
    let head = format!("{{'a': '{}', 'c'", "b".repeat(90));
    let long = format!(
        " iteration      100/    1000 | consumed samples: 800 | elapsed time per iteration (ms): 120.0 | learning rate: 1.0E-04 | lm loss: 2.3E+00 |{}",
        " ".repeat(10)
    );
    let a = analyze(&format!(
        "{head}\n\r 10%|#   | 10/100 [00:01<00:09, 9.0it/s]\n{long}\n"
    ));
    assert_eq!(a.format, Format::Megatron);
    assert_eq!(a.loss.last, Some(2.3));
}

#[test]
fn yolo_rows_after_a_dataset_scan_bar_and_yolov5_s_epochs_from_zero() {
    let row = |e: &str, n: u32, t: u32| {
        format!(
            "      {e}     0.958G       5.48      3.496      3.827      5.283      4.754      3.831        139        512: 100%|##########| {n}/{t} [00:19<00:00,  6.14it/s]\n"
        )
    };
    // YOLOv10: a long row (over 80 bytes before its percentage) after the
    // dataset scan bar, 1-based epochs.
    let mut log = String::from(
        "train: Scanning /data/yolo/train/labels.cache... 465 images, 0 backgrounds, 0 corrupt: 100%|##########| 465/465 [00:00<?, ?it/s]\n",
    );
    for e in 1..=3 {
        log += &row(&format!("{e}/3"), 117, 117);
        log += "                 Class     Images  Instances      Box(P          R      mAP50  mAP50-95): 100%|##########| 17/17 [00:00<00:00, 26.1it/s]\n";
    }
    let a = analyze(&log);
    assert_eq!((a.last_step, a.total_steps), (Some(3 * 117), Some(3 * 117)));
    // YOLOv5 counts from 0 up to epochs - 1: `2/2` is the third of three.
    let mut log = String::new();
    for e in 0..=2 {
        log += &row(&format!("{e}/2"), 8, 8);
    }
    let a = analyze(&log);
    assert_eq!((a.last_step, a.total_steps), (Some(24), Some(24)));
}

#[test]
fn swin_logger_lines_and_its_training_time_line() {
    let mut log = String::new();
    for e in 0..3 {
        log += &format!(
            "[2025-10-20 22:31:3{e} alexnet](main.py 190): INFO Train: [{e}/3]\tlr 0.000300\ttime 0.0160 (0.0068)\tloss 1.{e}509 (1.9676)\tAcc@1 37.500 (24.310)\tMem 161MB\n"
        );
        log += &format!(
            "[2025-10-20 22:31:3{e} alexnet](main.py 232): INFO Validate: \tTime 0.002 (0.009)\tLoss 1.8130 (1.5960)\tAcc@1 37.500 (39.300)\tMem 161MB\n"
        );
    }
    log += "[2025-10-20 22:38:18 alexnet](main.py 150): INFO Training time 0:06:52\n";
    let a = analyze(&log);
    assert_eq!((a.last_step, a.total_steps), (Some(3), Some(3)));
    assert_eq!((a.loss.first, a.loss.last), (Some(1.0509), Some(1.2509)));
    assert!(a.finished);
    // With the batch: `Train: [1/300][100/1251]`.
    let a = analyze(
        "[2025-10-20 22:31:30 swin](main.py 190): INFO Train: [1/300][100/1251]\teta 0:10:00 lr 0.000300\ttime 0.5 (0.5)\tloss 6.9012 (6.9100)\tgrad_norm 1.2\tmem 9000MB\n",
    );
    assert_eq!((a.last_step, a.total_steps), (Some(1351), Some(300 * 1251)));
}

#[test]
fn clu_metric_writer_lines_under_absl_heads() {
    let a = analyze(
        "I0103 20:09:51.218508 139972513848384 logging_writer.py:35] [10] img_sec_core_train=178.361047, train_loss=0.668317\nI0103 20:09:51.897993 139972513848384 train.py:201] Step: 10/10000 0.1%, img/sec/core: 178.4, ETA: 4.64h\nI0103 20:10:15.627524 139972513848384 logging_writer.py:35] [20] img_sec_core_train=21.143632, train_loss=0.540319\n",
    );
    assert_eq!(
        (a.last_step, a.loss.first, a.loss.last),
        (Some(20), Some(0.668317), Some(0.540319))
    );
    // A paste's own line numbers still go.
    assert_eq!(strip_prefixes("[80746] Epoch 3").body, "Epoch 3");
}

#[test]
fn an_epoch_s_validation_bar_and_metrics_in_a_long_description() {
    let a = analyze(
        "\rEpoch 15 acc/qa=1.000000 loss=0.046158 loss/qa=0.046158 time/data=0.008719 time/step=1.016501: 100%|##########| 1006/1006 [18:08<00:00,  1.08s/it]\n\rEpoch 15 (validation) validation/acc/qa=1.000000:   2%|#         | 20/1094 [00:41<11:04,  1.62it/s]\n",
    );
    // (Epochs before the log's first are not counted: nothing says whether
    // this loop counts them from 0 or from 1.)
    assert_eq!(a.last_step, Some(1006));
    assert_eq!(a.loss.last, Some(0.046158));
}

#[test]
fn a_capture_that_kept_only_late_frames_of_each_pass_counts_them() {
    // W&B's console log: each epoch shows the training bar's last frames,
    // then the validation bar's.
    let mut log = String::new();
    for _epoch in 0..4 {
        log += " 95%|#########5| 125/132 [00:28<00:01,  4.46it/s]\n100%|##########| 132/132 [00:30<00:00,  4.34it/s]\n";
        log += " 21%|##        | 6/29 [00:00<00:02,  9.68it/s]\n100%|##########| 29/29 [00:02<00:00, 10.78it/s]\n";
    }
    let a = analyze(&log);
    assert_eq!(a.last_step, Some(4 * 132));
}

#[test]
fn build_nanogpt_paddle_hapi_and_ray_worker_deaths() {
    // build-nanogpt.
    let a = analyze(
        "validation loss: 10.9499\nstep     0 | loss: 10.955003 | lr 8.3916e-07 | norm: 15.3438 | dt: 51661.39ms | tok/sec: 10148.55\nstep     1 | loss: 10.902684 | lr 1.6783e-06 | norm: 14.8648 | dt: 4738.40ms | tok/sec: 110646.69\n",
    );
    assert_eq!(a.format, Format::NanoGpt);
    assert_eq!(
        (a.last_step, a.loss.first, a.loss.last),
        (Some(1), Some(10.955003), Some(10.902684))
    );
    // `dt: 51661.39ms`, `dt: 4738.40ms`: seconds.
    assert!(
        a.reported
            .step_time_s
            .is_some_and(|s| (4.7..=51.7).contains(&s)),
        "{:?}",
        a.reported
    );
    // Paddle's hapi: Keras's layout with `step ` in front, and its eval.
    let mut log = String::new();
    for e in 1..=2 {
        log += &format!(
            "    Epoch {e}/2\n    step  10/20 - loss: 0.{e}637 - AUROC: 0.5273 - 3s/step\n    step  20/20 - loss: 0.{e}5 - AUROC: 0.6 - 3s/step\n"
        );
        log += "    Eval begin...\n    step 10/88 - loss: 0.2 - 1s/step\n    step 88/88 - loss: 0.19 - 1s/step\n";
    }
    let a = analyze(&log);
    assert_eq!(a.format, Format::Keras);
    assert_eq!((a.last_step, a.total_steps), (Some(40), Some(40)));
    assert_eq!((a.loss.first, a.loss.last), (Some(0.1637), Some(0.25)));
    assert_eq!(a.eval.count, 2);
    // Ray.
    // (Retryable: a warning as a logged line, fatal when it ends a traceback.)
    let c = errors::classify_line(
        "ray.exceptions.ActorUnavailableError: The actor 5f3c is unavailable: The actor is temporarily unavailable: RpcError",
    );
    assert_eq!(
        c.map(|x| (x.class, x.fatal)),
        Some((ErrorClass::Distributed, false))
    );
    let a = analyze(
        "Traceback (most recent call last):\n  File \"main.py\", line 3, in <module>\n    ray.get(refs)\nray.exceptions.ActorUnavailableError: The actor 5f3c is unavailable: RpcError\n",
    );
    assert_eq!(a.verdict, "fatal: a Ray worker died");
    let c = errors::classify_line(
        "ray.exceptions.ActorDiedError: The actor died unexpectedly before finishing this task.",
    );
    assert_eq!(
        c.map(|x| (x.class, x.fatal)),
        Some((ErrorClass::Distributed, true))
    );
}

#[test]
fn a_failed_pip_install_before_training_that_ran_is_not_fatal() {
    let pip = "ERROR: Could not find a version that satisfies the requirement flash-attn-nonexistent-pkg (from versions: none)\nERROR: No matching distribution found for flash-attn-nonexistent-pkg\n";
    let steps = "iter 10: loss 2.5, time 30.1ms\niter 20: loss 2.4, time 30.2ms\niter 30: loss 2.3, time 30.2ms\n";
    let a = analyze(&format!("{pip}{steps}"));
    assert_eq!(a.verdict, "progressing");
    assert!(a.errors.iter().all(|e| !e.fatal), "{:?}", a.errors);
    assert!(
        a.notes
            .iter()
            .any(|n| n.contains("training went on after it")),
        "{:?}",
        a.notes
    );
    // After the training it stays the news.
    let a = analyze(&format!("{steps}{pip}"));
    assert!(a.verdict.starts_with("fatal: pip"), "{}", a.verdict);
    // So does an import error before the steps (they may be stdout flushed
    // after the traceback).
    let a = analyze(&format!(
        "Traceback (most recent call last):\n  File \"train.py\", line 1, in <module>\n    import flash_attn\nModuleNotFoundError: No module named 'flash_attn'\n{steps}"
    ));
    assert!(a.verdict.starts_with("fatal:"), "{}", a.verdict);
}

#[test]
fn apt_uv_and_conda_failures_in_a_setup_script_are_dependency_failures() {
    let apt = "Reading package lists... Done\nBuilding dependency tree... Done\nE: Unable to locate package nvtop2\n";
    let a = analyze(apt);
    assert_eq!(
        a.verdict,
        "fatal: apt-get failed: Unable to locate package nvtop2"
    );
    assert!(
        has_error(&a, ErrorClass::Dependency, true),
        "{:?}",
        a.errors
    );
    // A setup script that went on to train: not what ended the run.
    let steps = "iter 10: loss 2.5, time 30.1ms\niter 20: loss 2.4, time 30.2ms\niter 30: loss 2.3, time 30.2ms\n";
    let a = analyze(&format!("{apt}{steps}"));
    assert_eq!(a.verdict, "progressing");
    for line in [
        "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 1234 (apt-get)",
        "E: Failed to fetch http://archive.ubuntu.com/ubuntu/pool/main/x.deb  404  Not Found",
        "E: Package 'python3.11' has no installation candidate",
    ] {
        assert_eq!(
            errors::classify_line(line).map(|x| (x.class, x.fatal)),
            Some((ErrorClass::Dependency, true)),
            "{line}"
        );
    }
    // Not any line that starts with `E: `.
    assert_eq!(errors::classify_line("E: 3, loss 0.2"), None);
    // uv's and conda's failures are installers' too.
    let label = |line: &str| {
        errors::classify_line(line)
            .filter(|x| x.class == ErrorClass::Dependency && x.fatal)
            .map(|x| x.label)
    };
    assert_eq!(
        label("  × No solution found when resolving dependencies:").as_deref(),
        Some("uv could not resolve the requirements")
    );
    assert_eq!(
        label("  × Failed to build `flash-attn==2.7.4.post1`").as_deref(),
        Some("uv package build failed: flash-attn==2.7.4.post1")
    );
    assert_eq!(
        label("error: Failed to fetch: `https://pypi.org/simple/torch/`").as_deref(),
        Some("uv could not download https://pypi.org/simple/torch/ (network?)")
    );
    assert_eq!(
        label(
            "PackagesNotFoundError: The following packages are not available from current channels:"
        )
        .as_deref(),
        Some("conda could not find the packages")
    );
    let a = analyze(&format!(
        "  × No solution found when resolving dependencies:\n{steps}"
    ));
    assert_eq!(a.verdict, "progressing");
}

#[test]
fn an_exception_line_printed_without_its_traceback_and_trained_past_was_handled() {
    // A callback's `print(f"Error: {e}")` before every logged dict (the HF
    // dicts carry no step: they are the progress).
    let mut log = String::new();
    for l in ["6.8247", "6.8605", "5.1622", "4.4394"] {
        log += &format!(
            "Error: 'eval_loss'\n{{'loss': {l}, 'learning_rate': 0.0004, 'epoch': 0.01}}\n"
        );
    }
    let a = analyze(&log);
    assert!(a.errors.iter().all(|e| !e.fatal), "{:?}", a.errors);
    assert_eq!(a.errors[0].count, 4);
    // The same line with nothing after it still ends the run, and so does
    // one with its traceback, whatever follows (stdout flushed late).
    let a = analyze("iter 10: loss 2.5, time 30.1ms\nRuntimeError: stuck\n");
    assert_eq!(a.verdict, "fatal: Python exception: RuntimeError");
    let steps = "iter 10: loss 2.5, time 30.1ms\niter 20: loss 2.4, time 30.2ms\niter 30: loss 2.3, time 30.2ms\n";
    let a = analyze(&format!(
        "Traceback (most recent call last):\n  File \"train.py\", line 9, in <module>\n    step()\nRuntimeError: stuck\n{steps}"
    ));
    assert!(a.verdict.starts_with("fatal:"), "{}", a.verdict);
}

#[test]
fn a_printed_dict_after_an_epoch_label_and_wandb_s_dropped_entries() {
    // Python logging of `f"Epoch {e}: {metrics}"`.
    let mut log = String::new();
    for (e, l) in [
        (0, "10.638753890991211"),
        (1, "10.666041374206543"),
        (2, "9.491987228393555"),
    ] {
        log += &format!(
            "2025-02-22 12:15:4{e},882 - titans_training - INFO - Epoch {e}: {{'loss': {l}}}\n"
        );
    }
    let a = analyze(&log);
    assert_eq!(
        (a.last_step, a.loss.first, a.loss.last),
        (Some(2), Some(10.638753890991211), Some(9.491987228393555))
    );
    // W&B dropped a dict logged at a step behind its own: not a step.
    let a = analyze(
        "wandb: WARNING (User provided step: 1 is less than current step: 125. Dropping entry: {'train/box_loss': 1.36994, 'train/cls_loss': 1.25855, '_timestamp': 1704863944.0449114}).\n",
    );
    assert_eq!((a.last_step, a.loss.last), (None, None));
}

#[test]
fn epoch_summaries_under_epoch_headers_count_against_the_headers_total() {
    let a = analyze(
        "Epoch 1/500\nLearning rate: 1.00e-06\n  Batch 1/218\n    Loss: 0.9969\nEpoch 1 - Train Loss: 0.2410, Val Loss: 0.1655\n\n\
         Epoch 2/500\n  Batch 1/218\n    Loss: 0.0930\nEpoch 2 - Train Loss: 0.0879, Val Loss: 0.0655\n\nEpoch 3/500\n",
    );
    assert_eq!((a.last_step, a.total_steps), (Some(2), Some(500)));
}

#[test]
fn loss_lines_without_a_counter_and_counters_with_an_index_word() {
    // CLIP-LoRA prints one metrics line per iteration, with no counter.
    let a = analyze(
        "LR: 0.000200, Acc: 50.0000, Loss: 0.9199\nLR: 0.000200, Acc: 50.0000, Loss: 0.7817\nLR: 0.000001, Acc: 100.0000, Loss: 0.0084\n",
    );
    assert_eq!(
        (a.last_step, a.loss.first, a.loss.last),
        (None, Some(0.9199), Some(0.0084))
    );
    assert_eq!(a.verdict, "progressing (loss reported, step unknown)");
    // A gradient norm says training too (CLoRA, under Python logging's
    // `[%(asctime)s] %(levelname)s: ` and a tag of its own).
    let a = analyze(
        "[2025-07-07 12:01:31,503] INFO: [INFO] Loading tokenizer\n\
         [2025-07-07 12:01:43,843] INFO: [INFO] loss: 2.9070, orth_loss: 0.0018, total_loss: 2.9088, grad_norm: 22.2500\n\
         [2025-07-07 12:01:55,328] INFO: [INFO] loss: 2.9850, orth_loss: 0.0018, total_loss: 2.9868, grad_norm: 25.6250\n",
    );
    assert_eq!(
        (a.last_step, a.loss.first, a.loss.last),
        (None, Some(2.9070), Some(2.9850))
    );
    // Or a loss named the training's, once per epoch (ContinualLM).
    let a = analyze(
        "train acc = 0.5478, training loss = 0.0449\ntrain acc = 0.9783, training loss = 0.0057\n",
    );
    assert_eq!((a.loss.first, a.loss.last), (Some(0.0449), Some(0.0057)));
    // Without a learning rate such a line is an evaluation's summary
    // (DeepSpeed-Chat's DPO before and after training).
    let a = analyze("chosen: 0.0, rejected: 0.0, loss: 0.693359375\n");
    assert_eq!(a.loss.last, None);
    // Prose that mentions a loss is not a metrics line.
    let a = analyze("Note: lr: 0.1 was too high, the loss: 5.0 kept rising\n");
    assert_eq!(a.loss.last, None);
    // An RL loop's updates count like steps.
    let a = analyze(
        "INFO:role_2.a2c:A2C Update 1: Policy Loss=0.2012, Value Loss=2.1778, Entropy=1.4189 [n-step=3]\n\
         INFO:role_2.a2c:A2C Update 2: Policy Loss=0.3641, Value Loss=2.5400, Entropy=1.4192 [n-step=3]\n",
    );
    assert_eq!((a.last_step, a.loss.last), (Some(2), Some(0.3641)));
    // `iteration index: 100` is the counter `iteration`.
    let a = analyze(
        "[2024-03-30 06:09:46,430][main.Trainner][INFO] - iteration index: 0, batch loss: 119.57241821289062\n\
         [2024-03-30 06:10:26,458][main.Trainner][INFO] - iteration index: 100, batch loss: 69.121826171875\n",
    );
    assert_eq!(
        (a.last_step, a.loss.last),
        (Some(100), Some(69.121826171875))
    );
}

#[test]
fn launches_told_by_their_arguments_and_yolox_s_end() {
    // YOLOX (loguru): every launch prints its arguments; early ones failed
    // before training, the last one trained to its end.
    let head = "2021-09-03 19:05:28.330 | INFO     | yolox.core.trainer:";
    let args = format!(
        "{head}before_train:126 - args: Namespace(batch_size=4, cache=False, ckpt='yolox_s.pth', devices=1)\n"
    );
    let crash = "Traceback (most recent call last):\n  File \"tools/train.py\", line 110, in <module>\n    main()\nFileNotFoundError: [Errno 2] No such file or directory: 'yolox_s.pth.tar'\n";
    let mut log = format!("{args}{crash}{args}");
    for it in [10, 20, 30, 40] {
        log += &format!(
            "{head}after_iter:246 - epoch: 300/300, iter: {it}/47, mem: 1756Mb, iter_time: 0.087s, total_loss: 1.1, iou_loss: 0.7\n"
        );
    }
    log += &format!(
        "{head}after_train:184 - Training of experiment is done and the best AP is 90.00\n"
    );
    let a = analyze(&log);
    assert_eq!(a.verdict, "completed");
    assert!(a.errors.iter().all(|e| !e.fatal), "{:?}", a.errors);
}

#[test]
fn a_script_s_starting_training_line_starts_a_launch() {
    let head = "2026-02-10 17:05:11,748 - trainer - INFO - ";
    let crash = "Traceback (most recent call last):\n  File \"train.py\", line 9, in <module>\n    main()\nRuntimeError: Given groups=1, weight of size [128, 4, 3, 3], expected input[16, 3, 32, 32] to have 4 channels\n";
    let mut log = format!(
        "{head}Starting training...\n{head}Starting training for 50 epochs\n{crash}{head}Starting training for 50 epochs\n"
    );
    for s in [100, 200, 300] {
        log += &format!("{head}global step {s}: loss=0.0{s}\n");
    }
    let a = analyze(&log);
    assert!(a.errors.iter().all(|e| !e.fatal), "{:?}", a.errors);
    // Per-epoch lines that say so are not launches.
    let a = analyze(&format!(
        "{crash}{head}Starting training epoch 3\n{head}global step 100: loss=0.5\n{head}global step 200: loss=0.4\n{head}global step 300: loss=0.3\n"
    ));
    assert!(a.verdict.starts_with("fatal:"), "{}", a.verdict);
}

#[test]
fn openclip_counts_samples_and_srun_pads_its_labels() {
    // `srun --label` among 16 tasks pads ` 0: `; OpenCLIP's date has a
    // comma; its first line (after the first step) gives the global batch.
    let line = |n: u32, pct: u32, loss: &str| {
        format!(
            " 0: 2025-01-24,14:23:39 | INFO | Train Epoch: 0 [{n:>7}/114688 ({pct}%)] Data (t): 1.985 Batch (t): 4.285, 955.782/s, 59.7364/s/gpu LR: 0.000000 Logit Scale: 14.286 Contrastive_loss: {loss} ({loss}) Loss: {loss} (8.3460)\n"
        )
    };
    let log = format!(
        " 0: Deserializing Files:  96%|#########5| 2089/2176 [00:00<00:00, 10606.34it/s]\r 0: Deserializing Files: 100%|##########| 2176/2176 [00:00<00:00, 9407.12it/s]\n{}{}",
        line(4096, 4, "8.3770"),
        line(114688, 100, "8.3149")
    );
    let a = analyze(&log);
    assert_eq!(
        (a.last_step, a.loss.first, a.loss.last),
        (Some(28), Some(8.377), Some(8.3149))
    );
}

#[test]
fn ultralytics_dataset_scans_are_not_training() {
    let scan = |split: &str, n: u32| {
        format!(
            "{split}: Scanning /work/datasets/yolo/labels/{split}.cache... {n} images, 1538 backgrounds, 0 corrupt: 100%|##########| {n}/{n} [00:00<?, ?it/s]\n"
        )
    };
    let log = scan("train", 19347)
        + &scan("val", 2000)
        + "  0%|          | 0/1210 [00:02<?, ?it/s]\ntorch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 20.00 MiB.\n";
    let a = analyze(&log);
    assert_eq!((a.last_step, a.total_steps), (Some(0), Some(1210)));
}

#[test]
fn phase_summaries_under_epoch_headers_and_batch_counters_after_an_epoch() {
    // The PyTorch transfer-learning tutorial's loop: `Epoch 0/24` (counting
    // from 0, the last epoch's number), then a line per phase.
    let mut log = String::new();
    for (e, l) in [(0, "0.4552"), (1, "0.4208"), (2, "0.4033")] {
        log += &format!(
            "Epoch {e}/2\n----------\ntrain Loss: {l} Reg: 0.0000 Acc: 0.0087\nval Loss: 0.9 Acc: 0.01\n"
        );
    }
    let a = analyze(&log);
    assert_eq!(
        (a.last_step, a.total_steps, a.loss.first, a.loss.last),
        (Some(3), Some(3), Some(0.4552), Some(0.4033))
    );
    // `epoch : 0 [3/21279] Train loss: ...,Valid loss: ...` (a per-batch
    // line with both losses): the batch is the step.
    let a = analyze(
        "epoch : 0 [0/21279] Train loss: 8.01477,Valid loss: 7.96785, time : 43.05 lr : 1\n\
         epoch : 0 [1/21279] Train loss: 7.90191,Valid loss: 7.95940, time : 10.63 lr : 1\n\
         epoch : 1 [2/21279] Train loss: 7.76160,Valid loss: 7.92126, time : 10.19 lr : 1\n",
    );
    // (Batches numbered from 0: batch 2 of epoch 1 is the 21,282nd.)
    assert_eq!((a.last_step, a.loss.last), (Some(21282), Some(7.7616)));
    // A config dump's `LOCAL_RANK: 0` is no sign of Lightning.
    let a = analyze(
        "LOCAL_RANK: 0\nEpoch[001/100], Step[0100/0196], Avg Loss: 1.0198, Avg Acc: 0.7605\n",
    );
    assert_ne!(a.format, Format::Lightning);
}

#[test]
fn an_nccl_error_caused_by_cuda_memory_is_memory() {
    let a = analyze(
        "[rank3]: Traceback (most recent call last):\n[rank3]:   File \"train.py\", line 117, in <module>\n[rank3]:     torch.distributed.barrier()\n\
         [rank3]: torch.distributed.DistBackendError: NCCL error in: ProcessGroupNCCL.cpp:3356, unhandled cuda error (run with NCCL_DEBUG=INFO for details)\n\
         [rank3]: ncclUnhandledCudaError: Call to CUDA function failed.\n[rank3]: Last error:\n[rank3]: Cuda failure 2 'out of memory'\n",
    );
    assert_eq!(a.verdict, "fatal: CUDA out of memory");
    // A tqdm postfix set as a string: `loss 6.0530`.
    let a = analyze("SFT:   3%|3| 10/375 [02:09<1:13:19, 12.05s/it, loss 6.0530]\n");
    assert_eq!(a.loss.last, Some(6.053));
}

#[test]
fn boosting_rounds_mindspore_and_per_epoch_counters_under_headers() {
    // XGBoost (R's trailing space) and LightGBM: rounds are steps; the
    // training set's metric is the loss, unless higher is better.
    let a = analyze(
        "[1]\ttrain-rmse:7.109038\tvalidation-rmse:7.104422 \n[2]\ttrain-rmse:7.045260\tvalidation-rmse:7.039940 \n",
    );
    assert_eq!(
        (a.last_step, a.loss.first, a.loss.last),
        (Some(2), Some(7.109038), Some(7.04526))
    );
    let a = analyze(
        "[0]\tvalidation_0-mlogloss:1.78590\tvalidation_0-merror:0.56129\n[1]\tvalidation_0-mlogloss:1.70779\tvalidation_0-merror:0.58710\nStopping. Best iteration:\n",
    );
    assert_eq!(
        (a.last_step, a.loss.last, a.verdict.as_str()),
        (Some(1), None, "completed")
    );
    let a = analyze(
        "[100]\ttraining's auc: 0.91\tvalid_0's auc: 0.83\n[200]\ttraining's auc: 0.93\tvalid_0's auc: 0.84\n",
    );
    assert_eq!((a.last_step, a.loss.last), (Some(200), None));
    // MindSpore's `loss is`.
    let a = analyze("epoch: 1 step: 100, loss is 0.52\nepoch: 1 step: 200, loss is 0.48\n");
    assert_eq!((a.last_step, a.loss.last), (Some(200), Some(0.48)));
    // A loop's `iter:0020` counter that starts over under each `Epoch:`
    // header counts on; an earlier epoch number starts another run.
    let mut log = String::new();
    for e in [1, 2, 1] {
        log += &format!("[2022-06-26 21:43:39,073]Epoch: {e:04}\n");
        for i in [20, 40] {
            log += &format!(
                "[2022-06-26 21:43:42,483]iter:{i:04} loss_train: 2.1153 acc_train: 0.3594 time: 0.1659s\n"
            );
        }
    }
    let a = analyze(&log);
    assert_eq!((a.last_step, a.loss.last), (Some(40), Some(2.1153)));
    let a = analyze(&log[..log.rfind("[2022-06-26 21:43:39,073]Epoch: 0001").unwrap()]);
    assert_eq!(a.last_step, Some(80));
}

#[test]
fn an_outer_epoch_bar_around_a_nested_iteration_bar() {
    // The older HF example scripts: `trange(epochs, desc="Epoch")` around
    // `tqdm(loader, desc="Iteration")`, drawn with cursor moves.
    let mut log = String::new();
    for e in 0..2 {
        log += &format!("Epoch: {:3}%|#| {e}/2 [00:0{e}<00:01, 1.00it/s]\n", e * 50);
        for n in [1, 2, 3, 4] {
            log += &format!(
                "\x1b[A\rIteration: {:3}%|#| {n}/4 [00:0{n}<00:00,  5.24it/s, loss=0.7{n}, global_step={}]",
                n * 25,
                e * 4 + n
            );
        }
        log += "\n";
    }
    log += "Evaluating:  50%|#| 1/2 [00:00<00:00, 11.0it/s]\n";
    let a = analyze(&log);
    assert_eq!(
        (a.last_step, a.total_steps, a.loss.last),
        (Some(8), Some(8), Some(0.74))
    );
    // PaddleNLP's Trainer counts `global_step: 10`; a summary of HF's
    // `TrainOutput(global_step=...)` is no step.
    let a = analyze(
        "[2022-08-31 15:38:22,994] [    INFO] - loss: 0.91882019, learning_rate: 2.97e-06, global_step: 10, interval_runtime: 2.0339, epoch: 0.5\n\
         [2022-08-31 15:38:24,994] [    INFO] - loss: 0.81882019, learning_rate: 2.97e-06, global_step: 20, interval_runtime: 2.0339, epoch: 1.0\n",
    );
    assert_eq!((a.last_step, a.loss.last), (Some(20), Some(0.81882019)));
    let a = analyze(
        "train_results= TrainOutput(global_step=2260, training_loss=0.0429, metrics={'train_runtime': 332.9})\nTraining complete in: 1:30:40.328945\n",
    );
    assert_eq!(
        (a.last_step, a.verdict.as_str()),
        (None, "no training progress recognised")
    );
}

#[test]
fn a_nested_bar_without_a_loss_under_an_outer_epoch_bar_counts_the_steps() {
    // sentence-transformers' `fit()` before 3.0 (and hand-written loops):
    // `trange(epochs, desc="Epoch")` around `tqdm(range(steps), desc=
    // "Iteration")`, which tqdm draws one row down: `\n\r<frame>\x1b[A`,
    // with no postfix. The outer bar's clock is no pause between epochs.
    let mut log = String::new();
    for e in 0..2 {
        log += &format!(
            "\rEpoch: {:3}%|#| {e}/2 [00:{:02}<00:08, 4.00s/it]",
            e * 50,
            e * 4
        );
        for n in 1..=4 {
            log += &format!(
                "\n\rIteration: {:3}%|#| {n}/4 [00:0{n}<00:0{},  1.00it/s]\x1b[A",
                n * 25,
                4 - n
            );
        }
    }
    log += "\rEpoch: 100%|#| 2/2 [00:08<00:00, 4.00s/it]\n";
    let a = analyze(&log);
    assert_eq!((a.last_step, a.total_steps), (Some(8), Some(8)));
    assert_eq!(a.pauses.count, 0);
    // (A nested bar that is an evaluation's is still not the training.)
    let a = analyze(&log.replace("Iteration", "Evaluating"));
    assert_eq!(a.last_step, None);
}

#[test]
fn an_exception_in_another_thread_does_not_end_the_run() {
    // YOLOv9's plotting thread, twice at once at the end: the run went on.
    let tb = |n: u32| {
        format!(
            "Exception in thread Thread-{n}:\nTraceback (most recent call last):\n  File \"/usr/lib/python3.8/threading.py\", line 932, in _bootstrap_inner\n    self.run()\n"
        )
    };
    let tail = "  File \"utils/plots.py\", line 86, in box_label\n    w, h = self.font.getsize(label)\nAttributeError: 'FreeTypeFont' object has no attribute 'getsize'\n";
    let log = format!(
        "      0/199      28.2G      1.286      3.106       1.43        400        640:   0%|          | 0/1 00:05{}{tail}{}{}{tail}    w, h = self.font.getsize(label)\nAttributeError: 'FreeTypeFont' object has no attribute 'getsize'\nResults saved to runs/train/exp17\n",
        tb(5),
        tb(208),
        tb(207)
    );
    let a = analyze(&log);
    assert!(a.errors.iter().all(|e| !e.fatal), "{:?}", a.errors);
    // A main-thread traceback that a worker thread's report interrupts
    // stays fatal.
    let a = analyze(
        "Traceback (most recent call last):\n  File \"train.py\", line 9, in <module>\nException in thread Thread-3:\n    main()\nRuntimeError: CUDA error: an illegal memory access was encountered\n",
    );
    assert!(a.verdict.starts_with("fatal:"), "{}", a.verdict);
    // The main thread's traceback stays fatal.
    let a = analyze(&format!(
        "Traceback (most recent call last):\n  File \"train.py\", line 9, in <module>\n    main()\n{}",
        &tail[tail.find("AttributeError").unwrap()..]
    ));
    assert!(a.verdict.starts_with("fatal:"), "{}", a.verdict);
}

#[test]
fn a_time_of_day_head_and_a_bracketed_step_counter() {
    let a = analyze(
        "[08:04:18] [INFO] [Step    500/159210] Train 9.6801 | Val~20% 9.6793\n\
         [08:06:43] [INFO] [Step   1000/159210] Train 9.6781 | Val~20% 9.6757\n\
         [08:09:10] [INFO] [Step   1500/159210] Train 9.6745 | Val~20% 9.6714\n",
    );
    assert_eq!(
        (a.last_step, a.total_steps, a.loss.last),
        (Some(1500), Some(159210), Some(9.6745))
    );
    // 1000 steps in 292 s: the time of day is the clock.
    let overall = a.steps_per_sec.overall.expect("timed");
    assert!((overall - 1000.0 / 292.0).abs() < 0.01, "{overall}");
}

#[test]
fn basicsr_runs_tsv_metrics_and_a_launch_that_found_its_port_taken() {
    let head = "2025-02-04 16:48:00,314 INFO: ";
    let line = |e: u32, i: u32, l: &str| {
        format!(
            "{head}[basel..][epoch:{e:3}, iter:{i:8}, lr:(2.999e-05,)] [eta: 2:37:00, time (data): 2.064 (0.521)] l_mos: {l} l_metric: 1.4853e-01\n"
        )
    };
    let mut log =
        format!("  train:\n    total_iter: 10000\n{head}Start training from epoch: 0, iter: 0\n");
    for (e, i, l) in [
        (1, 100, "2.6487e-03"),
        (3, 200, "3.8083e-03"),
        (99, 5500, "5.7636e-05"),
    ] {
        log += &line(e, i, l);
    }
    log += &format!("{head}End of training.\n");
    let a = analyze(&log);
    assert_eq!(
        (a.last_step, a.total_steps, a.loss.last, a.verdict.as_str()),
        (Some(5500), Some(10000), Some(5.7636e-5), "completed")
    );
    // A second run in the same file, and a third launch that could not
    // bind the port the second one holds: not the end of the log.
    log += &format!("{head}Start training from epoch: 0, iter: 0\n");
    log += "RuntimeError: The server socket has failed to listen on any local network address. port: 4321, useIpv6: 0, code: -98, name: EADDRINUSE, message: address already in use\n";
    for (e, i) in [(1, 100), (2, 200), (3, 300)] {
        log += &line(e, i, "8.1951e-03");
    }
    let a = analyze(&log);
    assert_eq!(
        (a.last_step, a.verdict.as_str()),
        (Some(300), "progressing")
    );
    assert!(a.errors.iter().all(|e| !e.fatal), "{:?}", a.errors);
    // A TSV of step and loss.
    let a = analyze("step\tloss\n10\t8.460716\n20\t7.688958\n");
    assert_eq!((a.last_step, a.loss.last), (Some(20), Some(7.688958)));
}

#[test]
fn review_epoch_batch_counters_from_one_and_a_plan_before_starting_training() {
    // `epoch 1 [100/500]` first: epochs counted from 1.
    let a = analyze(
        "Epoch 1 [100/500] loss: 0.52\nEpoch 1 [500/500] loss: 0.50\nEpoch 2 [100/500] loss: 0.41\n",
    );
    assert_eq!((a.last_step, a.loss.last), (Some(600), Some(0.41)));
    // From 0, as before.
    let a = analyze("epoch : 0 [3/21279] Train loss: 7.5\nepoch : 1 [2/21279] Train loss: 7.4\n");
    assert_eq!(a.last_step, Some(21281));
    // The script's arguments, then its own `Starting training...`: the
    // epochs it planned stay.
    let a = analyze(
        "Namespace(epochs=50, lr=0.001)\nStarting training...\nEpoch 1 - Train Loss: 0.5, Val Loss: 0.6\nEpoch 2 - Train Loss: 0.4, Val Loss: 0.5\n",
    );
    assert_eq!((a.last_step, a.total_steps), (Some(2), Some(50)));
}

#[test]
fn the_latest_launch_s_error_is_the_news() {
    // Launches appended by `nohup ... >>`: a missing module, then (with it
    // installed) a bad checkpoint path. The second is where the log stands.
    let tb = |exc: &str| {
        format!(
            "Traceback (most recent call last):\n  File \"train.py\", line 3, in <module>\n    main()\n{exc}\n"
        )
    };
    let log = format!(
        "nohup: ignoring input\n{}nohup: ignoring input\n{}",
        tb("ModuleNotFoundError: No module named 'datasets'"),
        tb("AssertionError: Provided path (ckpt) does not contain a LoRA weight.")
    );
    let a = analyze(&log);
    assert_eq!(a.verdict, "fatal: Python exception: AssertionError");
    // In one launch, the more telling class still wins.
    let a = analyze(&log.replacen("nohup: ignoring input\n", "", 2));
    assert_eq!(a.verdict, "fatal: missing Python module 'datasets'");
}

#[test]
fn metrics_csv_files_from_keras_and_lightning() {
    // Keras's CSVLogger (CRLF, as written on Windows): a row per epoch, from 0.
    let a = analyze(
        "epoch,accuracy,loss,lr,val_accuracy,val_loss\r\n\
         0,0.9847,0.05603187158703804,0.001,0.9850,0.05463637784123421\r\n\
         1,0.9869,0.04265831038355827,0.001,0.9858,0.04532903805375099\r\n\
         2,0.9874,0.03914767503738403,0.001,0.9860,0.04525943472981453\r\n",
    );
    assert_eq!(a.format_label(), "unknown (csv_metrics lines)");
    assert_eq!(
        (a.last_step, a.loss.first, a.loss.last),
        (
            Some(2),
            Some(0.05603187158703804),
            Some(0.03914767503738403)
        )
    );
    assert!(
        a.notes.iter().any(|n| n.contains("its steps are epochs")),
        "{:?}",
        a.notes
    );
    // Lightning's metrics.csv: the global step, and validation rows with
    // only their own cells filled.
    let a = analyze(
        "epoch,step,train_loss,val_loss\n0,49,2.31,\n0,99,1.95,\n0,99,,1.90\n1,149,1.62,\n",
    );
    assert_eq!((a.last_step, a.loss.last), (Some(149), Some(1.62)));
    assert!(!a.notes.iter().any(|n| n.contains("its steps are epochs")));
    // Prose with commas, and a header with no loss column, are no CSV.
    let a = analyze("epoch,accuracy\n0,0.5\n1,0.6\nLoading data, please wait\n");
    assert_eq!(a.last_step, None);
}

#[test]
fn rounded_counters_val_losses_named_before_and_padded_summaries() {
    // LeRobot: `step:1K` (the counter rounded to thousands).
    let mut log = String::new();
    for (step, loss) in [
        ("800", "1.467"),
        ("1K", "1.226"),
        ("1K", "1.019"),
        ("50K", "0.023"),
    ] {
        log += &format!(
            "INFO 2026-06-12 10:57:03 ot_train.py:357 step:{step} smpl:26K ep:81 epch:2.02 loss:{loss} grdn:38.686 lr:1.0e-05 updt_s:0.501 data_s:0.084\n"
        );
    }
    let a = analyze(&log);
    assert_eq!(
        (a.last_step, a.loss.first, a.loss.last),
        (Some(50_000), Some(1.467), Some(0.023))
    );
    // mlx_lm: a validation loss named by the word before it.
    let a = analyze(
        "Iter 1: Val loss 2.247, Val took 4.935s\nIter 10: Train loss 2.416, Learning Rate 1.000e-05, It/sec 3.374\nIter 20: Train loss 2.365, Learning Rate 1.000e-05, It/sec 2.583\n",
    );
    assert_eq!(
        (a.last_step, a.loss.first, a.loss.last),
        (Some(20), Some(2.416), Some(2.365))
    );
    // A padded per-epoch summary, then the loop's end line.
    let a = analyze(
        "  Train  loss=0.7598  acc=0.5269\n  Val    loss=0.8240  acc=0.5000\nTraining done. Best val acc: 0.5000\n",
    );
    assert_eq!((a.loss.first, a.loss.last), (Some(0.7598), Some(0.7598)));
    assert!(a.finished);
}

#[test]
fn a_total_far_below_the_steps_reached_is_another_counter_s() {
    let a = analyze(
        "  0%|          | 0/2 [00:00<?, ?it/s]100%|##########| 2/2 [00:00<00:00, 631.82it/s]\n[2023-05-01 10:00:00,000] [INFO] [logging.py:96:log_dist] [Rank 0] step=1420, skipped=14, lr=[0.0001], mom=[(0.9, 0.95)]\n[2023-05-01 10:00:10,000] [INFO] [logging.py:96:log_dist] [Rank 0] step=1430, skipped=14, lr=[0.0001], mom=[(0.9, 0.95)]\n",
    );
    assert_eq!((a.last_step, a.total_steps), (Some(1430), None));
}

#[test]
fn review_cases_from_the_second_review() {
    // Ray Train reports `Training finished iteration N` after every report.
    let a = analyze(
        "iter 1: loss 2.5, time 30.1ms\nTraining finished iteration 1 at 2024-11-21 19:15:46. Total running time: 4min 22s\niter 2: loss 2.4, time 30.2ms\n",
    );
    assert!(!a.finished, "{}", a.verdict);
    assert!(analyze("iter 1: loss 2.5, time 30.1ms\nTraining completed successfully!\n").finished);
    // Three new steps after an end line: it was not the end.
    let a = analyze(
        "iter 1: loss 2.5, time 30.1ms\nTraining done.\niter 2: loss 2.4, time 30.1ms\niter 3: loss 2.3, time 30.1ms\niter 4: loss 2.2, time 30.1ms\n",
    );
    assert!(!a.finished, "{}", a.verdict);
    // Metrics in an epoch bar's description are not its name.
    let a = analyze(
        "\rEpoch 3 loss=0.412 test_acc=0.87:  45%|####5     | 450/1000 [01:00<01:13,  7.50it/s]\n",
    );
    assert_eq!(a.last_step, Some(450));
    // A loss line with a counter after it is a step line.
    let a = analyze("loss=2.3010 step=100 lr=0.0003\nloss=2.2010 step=200 lr=0.0003\n");
    assert_eq!(a.last_step, Some(200));
    // `step N/M - loss:` without a Keras/Paddle epoch line keeps its total.
    let a =
        analyze("step 100/1000 - loss: 0.52 - lr: 1e-4\nstep 200/1000 - loss: 0.50 - lr: 1e-4\n");
    assert_eq!((a.last_step, a.total_steps), (Some(200), Some(1000)));
    // YOLOv5's first row already says epochs count from 0.
    let a = analyze(
        "        0/2      3.91G    0.04618    0.07209    0.01703        232        640: 100%|##########| 8/8 [00:09<00:00,  1.17s/it]\n        1/2      4.76G    0.04622    0.06891    0.01817        201        640: 100%|##########| 8/8 [00:02<00:00,  3.78it/s]\n",
    );
    assert_eq!((a.last_step, a.total_steps), (Some(16), Some(24)));
    assert!(!a.finished);
    // Rounded totals too.
    let a = analyze("step:3K/10K loss:0.5\nstep:4K/10K loss:0.4\n");
    assert_eq!((a.last_step, a.total_steps), (Some(4000), Some(10_000)));
    // NVIDIA's other `fallen off the bus` line.
    let c = errors::classify_line("NVRM: GPU 0000:3b:00.0: GPU has fallen off the bus.");
    assert_eq!(c.map(|x| x.class), Some(ErrorClass::Cuda));
}

#[test]
fn unusual_postfix_losses_and_unknown_length_bars() {
    let a = analyze(
        "Epoch 0:  31%|###  | 1224/3999 [1:07:30<2:33:02,  3.31s/it, v_num=29, train_intent_loss_step=1.410, train_total_loss=3.420]\n\
         Epoch 0:  31%|###  | 1225/3999 [1:07:35<2:33:02,  3.31s/it, v_num=29, train_intent_loss_step=1.110, train_total_loss=0.375]\n",
    );
    assert_eq!(
        (a.format, a.loss.first, a.loss.last),
        (Format::Lightning, Some(3.42), Some(0.375))
    );
    // Lightning's validation bar before it knows its length, with a log line glued after it.
    let a = analyze(
        "GPU available: True (cuda), used: True\nValidation: |          | 0/? [00:00<?, ?it/s][12/09/24 14:03:31] INFO   Epoch 0: v_loss 4.591e+00  loss 5.362e+00\n\
         Validation: |          | 0/? [00:00<?, ?it/s][12/09/24 14:07:00] INFO   Epoch 1: v_loss 4.035e+00  loss 4.258e+00\n",
    );
    assert_eq!((a.format, a.last_step), (Format::Lightning, Some(1)));
    assert_eq!(
        (a.loss.first, a.loss.last),
        (Some(5.362), Some(4.258)),
        "v_loss is a validation loss"
    );
}

#[test]
fn olmo_steps_under_a_tab_separated_head() {
    let mut log = String::new();
    for (n, l) in [(1, 2.998), (2, 2.99), (3, 2.956)] {
        log += &format!(
            "2025-12-12 11:05:0{n}.009\tquick-rain:0\tolmo.train:979\tINFO\t[step={n}/15000,epoch=0]\n    optim/total_grad_norm=0.2370\n    train/CrossEntropyLoss={l}\n    train/Perplexity=20.04\n"
        );
    }
    log += "torch.distributed.elastic.multiprocessing.api.SignalException: Process 9724 got signal: 15\n";
    let a = analyze(&log);
    assert_eq!((a.last_step, a.total_steps), (Some(3), Some(15000)));
    assert_eq!((a.loss.first, a.loss.last), (Some(2.998), Some(2.956)));
    assert_eq!(a.verdict, "fatal: stopped by SIGTERM");
    assert_eq!(a.errors[0].class, ErrorClass::Killed);
}

#[test]
fn metric_lines_with_many_losses_use_the_main_one() {
    // verl: one long line of `key:value` metrics per step, validation keys among them.
    let line = |n: u32, pg: f64| {
        format!(
            "step:{n} - global_seqlen/min:4127.000 - actor/kl_loss:0.001 - actor/entropy_loss:0.410 - actor/pg_loss:{pg} - val/test_score/kk:0.5 - timing_s/step:28.97{}\n",
            " - response_length/mean:512.0".repeat(60)
        )
    };
    let a = analyze(&(line(1, -0.375) + &line(2, -0.41)));
    assert_eq!(
        (a.format, a.last_step),
        (Format::Unknown, Some(2)),
        "not torchtitan"
    );
    assert_eq!((a.loss.first, a.loss.last), (Some(-0.375), Some(-0.41)));
}

#[test]
fn stdout_flushed_after_a_traceback_does_not_hide_the_crash() {
    // `python train.py > log 2>&1`: stderr's traceback is written at once,
    // block-buffered stdout (the last steps) when the interpreter exits.
    let mut log = String::new();
    for i in 1..=3 {
        log += &format!("iter {i}: loss 3.0, time 40.00ms, mfu 1.00%\n");
    }
    log += "Traceback (most recent call last):\n  File \"train.py\", line 9, in <module>\n    loss.backward()\ntorch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB\n";
    for i in 4..=9 {
        log += &format!("iter {i}: loss 2.9, time 40.00ms, mfu 1.00%\n");
    }
    let a = analyze(&log);
    assert_eq!(
        a.verdict,
        "fatal: CUDA out of memory (tried to allocate 2.00 GiB)"
    );
}

#[test]
fn epoch_and_step_counters_on_one_line() {
    let mut log = String::new();
    for e in 1..=2 {
        for s in [100, 200, 300] {
            log += &format!("Epoch [{e}/5], Step [{s}/300], Loss: 0.{e}{s}\n");
        }
    }
    let a = analyze(&log);
    assert_eq!(
        (a.last_step, a.total_steps, a.epoch),
        (Some(600), Some(1500), Some(2.0))
    );
    assert_eq!(
        a.verdict, "progressing",
        "one epoch done is not the run done"
    );
}

#[test]
fn a_cut_traceback_does_not_swallow_the_output_after_it() {
    let a = analyze(
        "Traceback (most recent call last):\n  File \"t.py\", line 1\niter 1: loss 3.0, time 1.00ms, mfu 1.00%\niter 2: loss 2.9, time 1.00ms, mfu 1.00%\niter 3: loss 2.8, time 1.00ms, mfu 1.00%\niter 4: loss 2.7, time 1.00ms, mfu 1.00%\n",
    );
    assert_eq!(a.last_step, Some(4));
}

#[test]
fn absurd_numbers_in_new_recognisers_do_not_panic() {
    let _ =
        analyze("Training epoch 0, iteration 3/9 | global_step: 1e20 | reduced_train_loss: 1.2\n");
    let _ = analyze(&format!("step 1 {}\n", "a loss: 1.0 ".repeat(1400)));
    let _ = analyze("Epoch [18446744073709551615/5], Step [18446744073709551615/300], Loss: 0.1\n");
    let _ = analyze("[step=18446744073709551615/18446744073709551615,epoch=0]\n");
}

#[test]
fn a_finished_run_with_a_nan_loss_says_so() {
    let mut log = String::new();
    for n in 1..=4 {
        log += &format!(
            "\rEpoch 0: {:3}%|#   | {n}/4 [00:0{n}<00:00,  4.14it/s, loss=nan, v_num=0]",
            n * 25
        );
    }
    log += "\n`Trainer.fit` stopped: `max_epochs=1` reached.\n";
    let a = analyze(&log);
    assert_eq!(a.verdict, "completed (warning: loss is NaN)");
    assert_eq!(a.loss.nan_count, 4);
}

// ---------------------------------------------------------------------------
// bad input

struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

#[test]
fn bad_input_gives_no_progress() {
    assert_eq!(analyze("").verdict, "no training progress recognised");
    let mut g = Lcg(7);
    let junk: Vec<u8> = (0..2_000_000).map(|_| g.next() as u8).collect();
    let mut an = LogAnalyzer::new();
    for c in junk.chunks(4093) {
        an.push(c, Some(1.0));
    }
    let a = an.finish();
    assert_eq!(a.verdict, "no training progress recognised");
    assert_eq!(a.format, Format::Unknown);
    // A huge single line (no newline at all), fed in pieces.
    let mut an = LogAnalyzer::new();
    let chunk = vec![b'a'; 1 << 20];
    for i in 0..48 {
        an.push(&chunk, Some(i as f64));
    }
    let a = an.finish();
    assert_eq!(a.input.truncated_lines, 1);
    assert_eq!(a.verdict, "no training progress recognised");
    // Mixed encodings: Latin-1 bytes inside otherwise valid metric lines.
    let mixed = b"caf\xe9 \xe8\niter 10: loss 2.5000, time 5.00ms\niter 20: loss 2.0000, time 5.00ms \xff\n";
    let a = analyze(&String::from_utf8_lossy(mixed));
    assert_eq!((a.last_step, a.loss.last), (Some(20), Some(2.0)));
}

#[test]
fn truncated_traces_never_panic() {
    let (log, _) = trace("hf_trainer");
    for cut in [1, 17, 100, 1000, 5001, 20000, 40000, log.len() - 3] {
        let a = analyze(&String::from_utf8_lossy(&log[..cut]));
        assert!(a.last_step.unwrap_or(0) <= 600);
    }
}

#[test]
fn memory_stays_bounded_on_long_input() {
    // 200 repetitions of the hf trace: the error list, event ring, bars and
    // windows must not grow.
    let (log, _) = trace("hf_trainer");
    let (oom, _) = trace("hf_oom");
    let mut an = LogAnalyzer::new();
    for i in 0..200 {
        an.push(&log, Some(i as f64));
        an.push(&oom, Some(i as f64 + 0.5));
    }
    let a = an.finish();
    assert!(a.errors.len() <= errors::MAX_ERRORS);
    assert!(a.recent.len() <= 16);
    assert!(a.timing_window <= throughput::WINDOW);
    assert!(
        a.errors.iter().any(|e| e.count >= 100),
        "repeats are counted, not stored"
    );
}

// ---------------------------------------------------------------------------
// the two-thread driver

/// `pieces` through [`parallel::analyze_two_threads`], each with the next of `times`.
fn analysis_two_threads(pieces: &[&[u8]], times: &[Option<f64>]) -> Analysis {
    let mut k = 0;
    parallel::analyze_two_threads(|buf| {
        let Some(p) = pieces.get(k) else {
            return Ok::<_, ()>(None);
        };
        buf.clear();
        buf.extend_from_slice(p);
        let t = times[k % times.len()];
        k += 1;
        Ok(Some(t))
    })
    .expect("no read error")
}

fn analysis_one_thread(pieces: &[&[u8]], times: &[Option<f64>]) -> Analysis {
    let mut a = LogAnalyzer::new();
    for (k, p) in pieces.iter().enumerate() {
        a.push(p, times[k % times.len()]);
    }
    a.finish()
}

/// An error anchor at the start of a line's body, behind a host tag (found
/// by the fragment fuzzer): the splitting thread's scan of the whole line
/// must not rule it out.
#[test]
fn two_threads_see_an_anchor_behind_a_prefix() {
    // (Or behind spaces: the error tracker reads the line from its first
    // printable byte.)
    for log in [
        &b"worker-0: E: Unable to locate package\n"[..],
        b"  E: Unable to locate package\n",
        b"\tE: Unable to locate package\n",
    ] {
        let one = analysis_one_thread(&[log], &[None]);
        let two = analysis_two_threads(&[log], &[None]);
        assert_eq!(
            two.fatal_error.as_ref().map(|e| e.class),
            Some(ErrorClass::Dependency),
            "{}",
            two.render_text()
        );
        assert_eq!(format!("{two:?}"), format!("{one:?}"));
    }
}

/// `log` in `size`-byte reads (no arrival times) analysed on two threads
/// and on one: the same analysis, which is returned.
fn same_on_two_threads(log: &[u8], size: usize, name: &str) -> Analysis {
    let pieces: Vec<&[u8]> = log.chunks(size).collect();
    let one = analysis_one_thread(&pieces, &[None]);
    assert_eq!(
        analysis_two_threads(&pieces, &[None]),
        one,
        "{name} in {size}-byte reads"
    );
    one
}

/// The two-thread driver is the same analysis as one analyzer fed the same
/// chunks: every trace, as a plain file (small and large reads) and
/// replayed with its recorded arrival times.
#[test]
fn two_threads_match_one_on_every_trace() {
    for name in [
        "hf_trainer",
        "hf_flat_loss",
        "hf_oom",
        "import_error",
        "lightning",
        "loader_bound",
        "nanogpt",
        "pip_fail",
    ] {
        let (log, timing) = trace(name);
        for size in [7, 4096, 1 << 20] {
            same_on_two_threads(&log, size, name);
        }
        let chunks = replay_chunks(&log, &timing);
        let pieces: Vec<&[u8]> = chunks.iter().map(|c| c.1).collect();
        let times: Vec<Option<f64>> = chunks.iter().map(|c| Some(c.0)).collect();
        let two = analysis_two_threads(&pieces, &times);
        assert_eq!(two, replay(&log, &timing), "{name} replayed");
        assert!(
            two.input.bytes == log.len() as u64,
            "{name}: every byte counted"
        );
    }
}

/// The dicts the splitting thread reads ahead (plain lines that open one)
/// give the analysis the analyzer's own reading gives: indented, after a
/// log prefix (not read ahead), repeated (read once), cut by a read,
/// wrapped over lines, invalid UTF-8, a frame glued after one, and a dict
/// that is no HF record.
#[test]
fn dicts_read_ahead_match_the_analyzers_own_reading() {
    let log: &[u8] = b"{'loss': 2.5, 'grad_norm': 1.1, 'learning_rate': 5e-05, 'epoch': 0.1}\n\
        \x20 {'loss': 2.25, 'grad_norm': 1.0, 'learning_rate': 4e-05, 'epoch': 0.2}\n\
        [INFO] {'loss': 2.0, 'learning_rate': 3e-05, 'epoch': 0.3}\n\
        {'loss': 1.75, 'learning_rate': 2e-05, 'epoch': 0.4}\n\
        {'loss': 1.75, 'learning_rate': 2e-05, 'epoch': 0.4}\n\
        {'loss': 1.5, 'grad_norm': \xff\xfe, 'epoch': 0.5}\n\
        {'loss': 1.25, 'epoch': 0.6}   | 6/10 [00:06<00:04,  1.00it/s]\n\
        {'eval_loss': 1.4, 'eval_runtime': 2.0, 'epoch': 0.6}\n\
        {'batch_size': 8, 'seed': 42}\n\
        {'loss': 1.0, 'grad_norm': 0.9, 'learning_rate': 1e-05,\n 'epoch': 0.7}\n\
        {'train_runtime': 10.0, 'train_samples_per_second': 8.0, 'train_steps_per_second': 1.0, 'train_loss': 1.6, 'epoch': 1.0}\n";
    for size in [5, 64, 4096] {
        let one = same_on_two_threads(log, size, "dicts");
        assert_eq!(one.format, Format::HfTrainer, "{size}-byte reads");
        assert_eq!(one.loss.last, Some(1.0), "{size}-byte reads");
    }
}

#[test]
fn two_threads_report_the_first_read_error_and_stop() {
    let mut calls = 0;
    let r = parallel::analyze_two_threads(|buf| {
        calls += 1;
        match calls {
            1 => {
                buf.clear();
                buf.extend_from_slice(b" 10%|#         | 1/10 [00:01<00:09,  1.00it/s]\r");
                Ok(Some(None))
            }
            _ => Err("disk on fire"),
        }
    });
    assert_eq!(r, Err("disk on fire"));
    assert_eq!(calls, 2, "no read after the error");
}

// ---------------------------------------------------------------------------
// fuzzing

use proptest::prelude::*;

/// The analysis of `pieces`, each pushed with the next of `times`, with the
/// input byte count left out (decoding changes it and nothing else).
fn analysis_without_byte_count(pieces: &[Vec<u8>], times: &[Option<f64>]) -> Analysis {
    let mut a = LogAnalyzer::new();
    for (i, c) in pieces.iter().enumerate() {
        a.push(c, times[i % times.len()]);
    }
    let mut r = a.finish();
    r.input.bytes = 0;
    r
}

/// `bytes` cut after each `\n`, raw and decoded with replacement piece by
/// piece (no character, valid or not, spans a `\n`).
fn raw_and_decoded(bytes: &[u8]) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let raw: Vec<Vec<u8>> = bytes
        .split_inclusive(|&b| b == b'\n')
        .map(<[u8]>::to_vec)
        .collect();
    let decoded = raw
        .iter()
        .map(|p| String::from_utf8_lossy(p).into_owned().into_bytes())
        .collect();
    (raw, decoded)
}

/// Lines are read from their raw bytes where possible (tqdm frames are
/// never decoded as a whole): invalid UTF-8 anywhere in a line must give
/// the same analysis as the decoded (U+FFFD) text.
#[test]
fn raw_frames_match_decoded_text() {
    let lines: [&[u8]; 10] = [
        b"\r  2%|\xe2\x96\x8f         | 11/600 [00:03<01:22,  7.10it/s]",
        b"\r  2%|\xff\xfe         | 12/600 [00:04<01:18,  7.49it/s]",
        b"\rtr\xffin:  12%|\xe2\x96\x88\xe2\x96        | 13/600 [00:05<00:35,  1.02s/it, loss=7.032]",
        b"\rtrain:  12%|#         | 14/600 [00:06<00:35,  1.02s/it, lo\xc3ss=7.5]",
        b"\r  3%|\xe2\x96\x8f         | 15/600 [00:07<01:22, 7.1\xe2it/s]",
        b"\r  3%|\xe2\x96\x8f         | 16/600 [00:08<01:22,  7.10it/s]\xf0\x9f oops",
        b"\r\xe2\x96 3%| | 17/600 [00:09<01:22,  7.10it/s] {'loss': 2.0, 'epoch': 0.1}",
        b"\n\xff[rank0]: 18/600 [00:10<01:22,  7.10it/s]",
        b"\n{'loss': '1.5\xff', 'grad_norm': 1.0, 'epoch': 0.2}",
        b"\nTraceback (most recent call last)\n  File \"\xff.py\", line 1\nRuntimeError: CUDA error: \xfe\n",
    ];
    let (raw, decoded) = raw_and_decoded(&lines.concat());
    for times in [vec![None], vec![Some(1.0), Some(2.0), Some(2.0), Some(3.5)]] {
        assert_eq!(
            analysis_without_byte_count(&raw, &times),
            analysis_without_byte_count(&decoded, &times)
        );
    }
}

fn log_bytes() -> impl Strategy<Value = Vec<u8>> {
    // Bias towards the bytes that matter to the normaliser.
    let byte = prop_oneof![
        4 => proptest::num::u8::ANY,
        2 => Just(b'\n'),
        2 => Just(b'\r'),
        1 => Just(0x1bu8),
        1 => Just(b'['),
        1 => Just(0x08u8),
        1 => Just(b'#'),
        1 => Just(b'0'),
        1 => Just(b'1'),
        1 => Just(b'5'),
        1 => Just(b'3'),
        1 => Just(b'A'),
    ];
    proptest::collection::vec(byte, 0..400)
}

/// Pieces of the lines the recognisers look for (keywords, separators,
/// numbers, multi-byte bar cells), for a fuzzer that builds lines a byte
/// fuzzer would practically never reach: recognisers slice strings after
/// keywords, and a keyword in an unexpected place must not panic.
const FRAGMENTS: [&str; 87] = [
    "Caught ",
    "Caught",
    "DataLoader worker process",
    " in DataLoader worker process",
    "AttributeError: module '",
    "numpy'",
    " has no attribute ",
    "epoch ",
    "| epoch ",
    "001",
    ":",
    " | ",
    "valid on ",
    "num_updates",
    "=",
    ", ",
    "loss",
    " loss ",
    "{\"",
    "\": \"",
    "\"}",
    "{'",
    "': ",
    "}",
    "[",
    "]",
    "][",
    "INFO",
    "] - ",
    "eta: ",
    "iter: ",
    "  ",
    "total_loss: ",
    "time: ",
    "MAX_ITER: ",
    "max_update",
    "'max_update': ",
    "Starting training from iteration",
    "Start running, host",
    "Checkpoints will be saved to",
    "Checkpoint global_step",
    " is about to be saved!",
    "Epoch",
    " GPU_mem ",
    "box_loss",
    "_om",
    "total",
    "Validating",
    "Validation DataLoader 0",
    "Epoch 0: ",
    " 12%|",
    "█",
    "▌",
    "| ",
    "3/20",
    "/",
    " [00:01<00:02, ",
    "3.5it/s",
    "s/it",
    ", loss=0.5",
    ", v_num=1]",
    "\r",
    "\n",
    "\x1b[A",
    "08/30 23:00:36",
    "2021-03-01 10:00:00",
    " | INFO | train_inner | ",
    "done training in ",
    " seconds",
    "Address already in use",
    "errno: 98",
    "socket",
    "examples/s",
    "ba/s",
    " 0",
    "9",
    "nan",
    "-1",
    "1e309",
    "é",
    "\u{FFFD}",
    "Traceback (most recent call last):",
    "  File \"x.py\", line 3, in f",
    "Error: ",
    "step ",
    "Training completed",
    "\t",
];

/// [`FRAGMENTS`] and every keyword the recognisers look for
/// (`fuzz_fragments.txt`).
fn all_fragments() -> &'static [String] {
    static ALL: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        let listed = include_str!("fuzz_fragments.txt")
            .lines()
            .filter(|l| !l.starts_with("#!") && !l.is_empty())
            .map(|l| l.replace("\\t", "\t"));
        FRAGMENTS
            .iter()
            .map(|f| f.to_string())
            .chain(listed)
            .collect()
    })
}

fn fragment_lines() -> impl Strategy<Value = Vec<u8>> {
    let n = all_fragments().len();
    proptest::collection::vec(0..n, 0..120).prop_map(|ix| {
        let all = all_fragments();
        ix.iter().flat_map(|&i| all[i].bytes()).collect()
    })
}

fn split_points(len: usize, cuts: &[usize]) -> Vec<usize> {
    let mut v: Vec<usize> = cuts
        .iter()
        .map(|c| if len == 0 { 0 } else { c % (len + 1) })
        .collect();
    v.push(0);
    v.push(len);
    v.sort_unstable();
    v.dedup();
    v
}

/// What [`parse::Anchors::hits`] must find: every word, at every position.
fn naive_hits(words: &[&[u8]], hay: &[u8]) -> u64 {
    words
        .iter()
        .enumerate()
        .filter(|(_, w)| hay.windows(w.len()).any(|x| x == **w))
        .fold(0, |m, (i, _)| m | 1 << i)
}

const TEST_WORDS: [&[u8]; 6] = [
    b"Error",
    b"rror:",
    b"NCCL",
    b"oom",
    b"\xe2\x94\x81x",
    b"Kill",
];
const TEST_SET: parse::Anchors<6> = parse::Anchors::new(TEST_WORDS);

#[test]
fn anchors_find_words_at_every_position() {
    // Every offset of every word, at the start, middle and end of the text,
    // overlapping each other.
    for w in TEST_WORDS {
        for pad in 0..8 {
            for tail in 0..4 {
                let mut hay = vec![b'.'; pad];
                hay.extend_from_slice(w);
                hay.extend(std::iter::repeat_n(b'-', tail));
                assert_eq!(
                    TEST_SET.hits(&hay),
                    naive_hits(&TEST_WORDS, &hay),
                    "{hay:?}"
                );
                assert!(TEST_SET.any_in(&hay));
            }
        }
    }
    let both = b"xxError: rror: NCCLoomKil";
    assert_eq!(TEST_SET.hits(both), 0b1111);
    assert!(!TEST_SET.any_in(b"Erro rror NCC oo Kil \xe2\x94\x81"));
    assert_eq!(TEST_SET.hits(b""), 0);
    assert_eq!(TEST_SET.hits(b"o"), 0);
}

#[test]
fn speeds_printed_as_nan_are_unknown() {
    // DeepSpeed's timer before it has a sample: `RunningAvgSamplesPerSec=nan`.
    let a = analyze(
        "epoch=0/micro_step=10/global_step=10, RunningAvgSamplesPerSec=nan, CurrSamplesPerSec=nan, MemAllocated=1.2GB\n",
    );
    assert_eq!(a.last_step, Some(10));
    assert_eq!(a.samples_per_sec, None);
    assert_eq!(a.reported.samples_per_sec, None);
    let a = analyze(
        "epoch=0/micro_step=10/global_step=10, RunningAvgSamplesPerSec=nan, CurrSamplesPerSec=nan\n\
         epoch=0/micro_step=20/global_step=20, RunningAvgSamplesPerSec=31.5, CurrSamplesPerSec=32.0\n",
    );
    assert_eq!(a.reported.samples_per_sec, Some(31.5));
}

/// One piece of a log of bars (see `bar_log`): a frame of one of three
/// bars (`n`, seconds, whether the rate shows as s/it), or another line.
#[derive(Debug, Clone)]
enum BarPiece {
    Frame(usize, u64, u64, bool),
    Line(&'static str),
}

/// Frames of three bars (the first two with the same total), the usual
/// tqdm form, mostly counting up, with other lines between them: what
/// the splitting thread's frame memo and the analyzer's steady path see.
fn bar_log() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        12 => (0usize..3, 0u64..130, 0u64..200, any::<bool>())
            .prop_map(|(b, n, t, slow)| BarPiece::Frame(b, n, t, slow)),
        1 => prop_oneof![
            Just("{'loss': 0.5, 'grad_norm': 1.0, 'learning_rate': 1e-4, 'epoch': 0.1}\n"),
            Just("\n"),
            Just("\x1b[A"),
            Just("Traceback (most recent call last):\n"),
            Just("  Total optimization steps = 120\n"),
            Just("Training completed. Do not forget to share your model\n"),
            Just("iter 10: loss 2.0000, time 40.00ms, mfu 10.00%\n"),
            Just("RuntimeError: CUDA error: an illegal memory access was encountered\n"),
            Just("Epoch 1: 100%|██████████| 40/40 [00:10<00:00,  4.00it/s, loss=1.5]\n"),
            Just("Evaluating:  50%|█████     | 5/10 [00:01<00:01,  4.00it/s]\x1b[A\r"),
        ]
        .prop_map(BarPiece::Line),
    ];
    proptest::collection::vec(piece, 0..60).prop_map(|pieces| {
        let totals = [120u64, 120, 40];
        let mut out = Vec::new();
        // (Mostly counting up: each bar's count goes on from its last.)
        let mut last = [0u64; 3];
        for p in pieces {
            match p {
                BarPiece::Frame(b, n, secs, slow) => {
                    let total = totals[b];
                    let n = if n < 100 {
                        (last[b] + n % 3).min(total)
                    } else {
                        n % (total + 1)
                    };
                    last[b] = n;
                    let pct = n * 100 / total;
                    let full = (n * 10 / total) as usize;
                    let bar: String = "█".repeat(full) + &" ".repeat(10 - full);
                    let rate = if slow {
                        format!("{:.2}s/it", 1.0 + (secs % 7) as f64 / 4.0)
                    } else {
                        format!("{:5.2}it/s", (secs % 13) as f64 / 3.0)
                    };
                    let left = total.saturating_sub(n);
                    out.extend_from_slice(
                        format!(
                            "\r{pct:3}%|{bar}| {n}/{total} [{:02}:{:02}<{:02}:{:02}, {rate}]",
                            secs / 60,
                            secs % 60,
                            left / 60 % 60,
                            left % 60
                        )
                        .as_bytes(),
                    );
                }
                BarPiece::Line(l) => out.extend_from_slice(l.as_bytes()),
            }
        }
        out
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn anchors_match_a_naive_search(hay in proptest::collection::vec(prop_oneof![
        Just(b'E'), Just(b'r'), Just(b'o'), Just(b':'), Just(b'N'), Just(b'C'), Just(b'L'),
        Just(b'K'), Just(b'i'), Just(b'l'), Just(0xe2u8), Just(0x94u8), Just(0x81u8), Just(b'x'), any::<u8>(),
    ], 0..64)) {
        prop_assert_eq!(TEST_SET.hits(&hay), naive_hits(&TEST_WORDS, &hay));
        prop_assert_eq!(TEST_SET.any_in(&hay), naive_hits(&TEST_WORDS, &hay) != 0);
    }

    #[test]
    fn normalizer_chunking_is_invisible(bytes in log_bytes(), cuts in proptest::collection::vec(0usize..1000, 0..8)) {
        let one = lines_of(&bytes);
        let pts = split_points(bytes.len(), &cuts);
        let mut n = Normalizer::new();
        let mut got = Vec::new();
        for w in pts.windows(2) {
            got.extend(n.push_lines(&bytes[w[0]..w[1]]));
        }
        got.extend(n.finish_lines());
        prop_assert_eq!(one, got);
    }

    #[test]
    fn analyzer_chunking_is_invisible_without_clock(bytes in log_bytes(), cuts in proptest::collection::vec(0usize..1000, 0..8)) {
        let mut a = LogAnalyzer::new();
        a.push(&bytes, None);
        let one = a.finish();
        let pts = split_points(bytes.len(), &cuts);
        let mut b = LogAnalyzer::new();
        for w in pts.windows(2) {
            b.push(&bytes[w[0]..w[1]], None);
        }
        prop_assert_eq!(one, b.finish());
    }

    #[test]
    fn analyzer_survives_lines_made_of_recogniser_fragments(bytes in fragment_lines(), cuts in proptest::collection::vec(0usize..2000, 0..4)) {
        let pts = split_points(bytes.len(), &cuts);
        let pieces: Vec<&[u8]> = pts.windows(2).map(|w| &bytes[w[0]..w[1]]).collect();
        let times = vec![Some(1.0), None, Some(2.0)];
        // No panic, and two threads still agree with one (compared as
        // text: a NaN loss is not equal to itself).
        prop_assert_eq!(
            format!("{:?}", analysis_two_threads(&pieces, &times)),
            format!("{:?}", analysis_one_thread(&pieces, &times))
        );
    }

    #[test]
    fn two_threads_match_one_on_any_bytes(bytes in log_bytes(), cuts in proptest::collection::vec(0usize..1000, 0..8), timed in any::<bool>()) {
        let pts = split_points(bytes.len(), &cuts);
        let pieces: Vec<&[u8]> = pts.windows(2).map(|w| &bytes[w[0]..w[1]]).collect();
        let times = if timed { vec![Some(1.0), Some(1.0), Some(2.5), None] } else { vec![None] };
        prop_assert_eq!(analysis_two_threads(&pieces, &times), analysis_one_thread(&pieces, &times));
    }

    /// The same on lines made of keywords (error anchors among them: the
    /// splitting thread's scan for them must change nothing).
    #[test]
    fn two_threads_match_one_on_recogniser_fragments(bytes in fragment_lines(), cuts in proptest::collection::vec(0usize..2000, 0..4)) {
        let pts = split_points(bytes.len(), &cuts);
        let pieces: Vec<&[u8]> = pts.windows(2).map(|w| &bytes[w[0]..w[1]]).collect();
        // (As text: a NaN loss is not equal to itself.)
        prop_assert_eq!(
            format!("{:?}", analysis_two_threads(&pieces, &[None])),
            format!("{:?}", analysis_one_thread(&pieces, &[None]))
        );
    }

    /// The same on bars' frames: the splitting thread reads most of them
    /// from its memo of the frame before, and the analyzer's thread
    /// counts most in its steady path (see `parse::FrameMemo`,
    /// `LogAnalyzer::steady_frame`); one thread does neither.
    #[test]
    fn two_threads_match_one_on_bar_frames(bytes in bar_log(), cuts in proptest::collection::vec(0usize..4000, 0..4), timed in any::<bool>()) {
        let pts = split_points(bytes.len(), &cuts);
        let pieces: Vec<&[u8]> = pts.windows(2).map(|w| &bytes[w[0]..w[1]]).collect();
        let times = if timed { vec![Some(1.0), Some(2.0), Some(2.5)] } else { vec![None] };
        prop_assert_eq!(
            format!("{:?}", analysis_two_threads(&pieces, &times)),
            format!("{:?}", analysis_one_thread(&pieces, &times))
        );
    }

    /// The one-pass reader of several postfix keys reads what the one-key
    /// reader reads, key by key.
    #[test]
    fn postfix_values_match_postfix_value(parts in proptest::collection::vec(prop_oneof![
        Just("loss"), Just("train_loss"), Just("lr"), Just("loss_scale"), Just("total_loss"),
        Just("="), Just(": "), Just(":"), Just(" "), Just(", "), Just(","), Just("1.5"),
        Just("2e-4"), Just("nan"), Just("x"), Just("v_num=0"),
    ], 0..12)) {
        let pf = parts.concat();
        let keys = ["loss", "train_loss", "total_loss", "lr", "consumed_samples"];
        let one_pass = parse::postfix_values(&pf, keys);
        let each = keys.map(|k| parse::postfix_value(&pf, k));
        // (As text: NaN is not equal to itself.)
        prop_assert_eq!(format!("{one_pass:?}"), format!("{each:?}"));
    }

    #[test]
    fn postfix_parts_are_split_as_str_split_does(s in "[a-z=, .0-9]{0,40}") {
        let ours: Vec<&str> = parse::split_comma_space(&s).collect();
        let std: Vec<&str> = s.split(", ").collect();
        prop_assert_eq!(ours, std);
    }


    #[test]
    fn utf16_chunking_is_invisible(bom in prop_oneof![Just(&b"\xFF\xFE"[..]), Just(&b"\xFE\xFF"[..]), Just(&b"\xEF\xBB\xBF"[..]), Just(&b"\xEF\xBB"[..])], bytes in log_bytes(), cuts in proptest::collection::vec(0usize..1000, 0..8)) {
        let bytes = [bom, &bytes].concat();
        let mut a = LogAnalyzer::new();
        a.push(&bytes, None);
        let one = a.finish();
        let pts = split_points(bytes.len(), &cuts);
        let mut b = LogAnalyzer::new();
        for w in pts.windows(2) {
            b.push(&bytes[w[0]..w[1]], None);
        }
        prop_assert_eq!(one, b.finish());
    }

    /// A notebook's head, then recognisers' keywords and JSON's pieces
    /// (outputs, escapes, HTML): the same analysis however it is cut.
    #[test]
    fn notebook_chunking_is_invisible(bytes in fragment_lines(), cuts in proptest::collection::vec(0usize..4000, 0..8)) {
        let bytes = [&b"{\n \"cells\": [{\"outputs\": [{\"text\": [\""[..], &bytes].concat();
        let pts = split_points(bytes.len(), &cuts);
        let pieces: Vec<&[u8]> = pts.windows(2).map(|w| &bytes[w[0]..w[1]]).collect();
        // (As text: a NaN loss is not equal to itself.)
        let whole = format!("{:?}", analysis_one_thread(&[&bytes], &[None]));
        prop_assert_eq!(format!("{:?}", analysis_one_thread(&pieces, &[None])), whole.clone());
        prop_assert_eq!(format!("{:?}", analysis_two_threads(&pieces, &[None])), whole);
    }

    #[test]
    fn trace_chunking_is_invisible(cuts in proptest::collection::vec(0usize..60000, 1..12)) {
        let (log, _) = trace("hf_trainer");
        let mut a = LogAnalyzer::new();
        a.push(&log, None);
        let one = a.finish();
        let pts = split_points(log.len(), &cuts);
        let mut b = LogAnalyzer::new();
        for w in pts.windows(2) {
            b.push(&log[w[0]..w[1]], None);
        }
        prop_assert_eq!(one, b.finish());
    }

    #[test]
    fn recognisers_never_panic(s in "\\PC{0,200}") {
        let _ = parse::parse_tqdm(&s);
        let _ = parse::hf_dict(&s);
        let _ = parse::parse_py_dict(&s);
        let _ = parse::nanogpt(&s);
        let _ = parse::megatron(&s);
        let _ = parse::torchtitan(&s);
        let _ = parse::deepspeed(&s);
        let _ = parse::keras(&s);
        let _ = parse::rich_bar(&s);
        let _ = parse::tqdm_logging(&s);
        let _ = strip_prefixes(&s);
        let _ = errors::classify_line(&s);
    }

    #[test]
    fn recognisers_never_panic_on_near_misses(prefix in prop_oneof![Just("iter "), Just("step:"), Just("{'loss': "), Just(" 50%|###| "), Just("[2024-01-01 00:00:00,1] "), Just(" iteration 5/ 9 | "), Just("12/"), Just("Epoch 1/"), Just("[rank1]:"), Just("640: 11% ━"), Just("x: 0% ─")], tail in "[ -~━─╸•█]{0,60}") {
        let s = format!("{prefix}{tail}");
        let mut a = LogAnalyzer::new();
        a.push(s.as_bytes(), Some(1.0));
        a.push(b"\n", Some(2.0));
        let _ = a.finish().render_text();
    }

    #[test]
    fn analyzer_handles_arbitrary_bytes_with_times(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..2000), t in proptest::collection::vec(-1e9f64..1e9, 1..5)) {
        let mut a = LogAnalyzer::new();
        for (i, c) in bytes.chunks(97).enumerate() {
            a.push(c, t.get(i % t.len()).copied());
        }
        let r = a.finish();
        let _ = serde_json::to_string(&r);
    }

    // (Runs of spaces longer than the eight bytes the space counters step
    // by, and shorter.)
    #[test]
    fn trim_start_fast_is_trim_start(s in "( {1,20}|[ \t\u{b}\u{3000}\u{a0}\u{85}a\u{e9}~]){0,12}") {
        prop_assert_eq!(super::normalize::trim_start_fast(&s), s.trim_start());
    }

    #[test]
    fn trim_end_fast_is_trim_end(s in "( {1,20}|[ \t\u{b}\u{3000}\u{a0}\u{85}a\u{e9}~]){0,12}") {
        prop_assert_eq!(super::normalize::trim_end_fast(&s), s.trim_end());
    }

    #[test]
    fn space_counts_are_the_spaces(s in "( {1,20}|[ \tab\u{e9}]){0,12}") {
        let b = s.as_bytes();
        let lead = b.iter().take_while(|&&c| c == b' ').count();
        let trail = b.iter().rev().take_while(|&&c| c == b' ').count();
        prop_assert_eq!(super::normalize::leading_spaces(b), lead);
        prop_assert_eq!(super::normalize::trailing_spaces(b), trail);
    }

    /// The word searches give std's answers, for words on either side of
    /// the 32 bytes where they change method (and cut inside a character).
    #[test]
    fn word_searches_are_finds(hay in "[ab\u{e9}\u{1F600}]{0,80}", word in "[ab\u{e9}\u{1F600}]{1,40}", cut in 0usize..80) {
        use super::text::Find;
        prop_assert_eq!(hay.find_word(&word), hay.find(&word));
        prop_assert_eq!(hay.has(&word), hay.contains(&word));
        // (A word that is there: a piece of the haystack.)
        let from = hay.char_indices().map(|(i, _)| i).nth(cut % (hay.chars().count() + 1)).unwrap_or(hay.len());
        let piece: String = hay[from..].chars().take(1 + cut % 37).collect();
        prop_assert_eq!(hay.find_word(&piece), hay.find(&piece));
        prop_assert_eq!(hay.has(&piece), hay.contains(&piece));
    }

    /// The fast path's promise: a line `no_log_prefix` lets through has no
    /// head that `strip_prefixes` would take off.
    #[test]
    fn no_log_prefix_means_strip_prefixes_keeps_the_line(parts in proptest::collection::vec(prop_oneof![
        Just(" "),
        Just("   "),
        Just("0"),
        Just("7"),
        Just(": "),
        Just("["),
        Just("]"),
        Just("[rank1]:"),
        Just("(pid=12) "),
        Just("2024-01-01 00:00:00,1 "),
        Just("01/02/2024 "),
        Just("05-10 16:00:28 "),
        Just("[core.py:58] "),
        Just("E0325 "),
        Just("INFO "),
        Just("W"),
        Just("I"),
        Just("loss 1.5"),
        Just("\u{3000}"),
    ], 0..8)) {
        let line = parts.concat();
        if super::normalize::no_log_prefix(line.as_bytes()) {
            let st = strip_prefixes(&line);
            prop_assert_eq!(st.body, line.as_str());
            prop_assert!(st.ts.is_none() && st.rank.is_none());
        }
    }

    #[test]
    fn raw_bytes_match_decoded_text(parts in proptest::collection::vec(prop_oneof![
        Just(&b"\r  2%|\xe2\x96\x8f         | "[..]),
        Just(&b"11/600 [00:03<01:22,  7.10it/s]"[..]),
        Just(&b"train:  12%|"[..]),
        Just(&b", loss=7.032]"[..]),
        Just(&b"\r"[..]),
        Just(&b"\n"[..]),
        Just(&b"\xff"[..]),
        Just(&b"\xe2\x96"[..]),
        Just(&b"\xc3"[..]),
        Just(&b"\x80"[..]),
        Just(&b" "[..]),
        Just(&b"{'loss': 1.5, 'epoch': 0.1}"[..]),
        Just(&b"iter 5: loss 2.0, time 3.0ms"[..]),
        Just(&b"[2024-01-01 00:00:00,1] "[..]),
        Just(&b"RuntimeError: x"[..]),
        Just(&b"3: "[..]),
    ], 0..40)) {
        // No ESC or backspace: those act on the bytes of a character.
        let (raw, decoded) = raw_and_decoded(&parts.concat());
        let times = [Some(1.0), Some(1.0), Some(2.5), None];
        prop_assert_eq!(
            analysis_without_byte_count(&raw, &times),
            analysis_without_byte_count(&decoded, &times)
        );
    }
}

// ---------------------------------------------------------------------------
// Round 14 of real logs (fairseq, detectron2, YOLO phases and losses,
// Lightning 1.x validation inside the epoch bar, MMCV relaunches).

#[test]
fn fairseq_simple_and_json_records_are_steps() {
    // The `simple` log format: train_inner every log_interval updates, an
    // epoch's averages (no loss: it is an average), validation.
    let inner = |t: &str, e: u32, n: u32, u: u32, loss: &str| {
        format!(
            "2021-03-01 {t} | INFO | train_inner | epoch {e:03}:    {n} / 479 loss={loss}, nll_loss=2.1, wps=58056.1, ups=0.5, wpb=116171, bsz=336.2, num_updates={u}, lr=3.125e-06, gnorm=1.2, loss_scale=128, train_wall=400, wall=410\n"
        )
    };
    let mut log = String::from(
        "2021-03-01 09:59:00 | INFO | fairseq_cli.train | {'_name': None, 'optimization': {'_name': None, 'max_epoch': 0, 'max_update': 400000, 'clip_norm': 0.0}}\n\
         2021-03-01 09:59:01 | INFO | fairseq.models.wav2vec.wav2vec2_asr | {'_name': None, 'optimization': {'_name': None, 'max_epoch': 0, 'max_update': 800000, 'clip_norm': 0.0}}\n",
    );
    // (The second is a pretrained model's, loaded: not this run's plan.)
    log += &inner("10:00:00", 1, 100, 100, "9.276");
    log += &inner("10:03:20", 1, 200, 200, "8.276");
    log += &inner("10:06:40", 1, 300, 300, "7.276");
    log += &inner("10:10:00", 1, 400, 400, "6.276");
    log += "2021-03-01 10:12:00 | INFO | valid | epoch 001 | valid on 'valid' subset | loss 6.389 | nll_loss 2 | ppl 4 | wps 169012 | num_updates 479\n";
    log += "2021-03-01 10:12:05 | INFO | train | epoch 001 | loss 7.864 | wps 55450.7 | ups 0.48 | num_updates 479 | lr 7.48e-06 | gnorm 1.1 | train_wall 950 | wall 1020\n";
    let a = analyze(&log);
    assert_eq!((a.last_step, a.total_steps), (Some(479), Some(400_000)));
    assert_eq!((a.loss.first, a.loss.last), (Some(9.276), Some(6.276)));
    assert_eq!(a.eval.count, 1);
    assert_eq!(a.eval.last_loss, Some(6.389));
    assert_eq!(a.format, Format::Unknown);
    assert!(!a.finished);
    let done = log.clone()
        + "2021-03-01 10:12:06 | INFO | fairseq_cli.train | done training in 1020.1 seconds\n";
    assert!(analyze(&done).finished);

    // The `json` format under Hydra's `[TS][logger][LEVEL] - ` head.
    let mut log = String::new();
    for (k, u) in [200, 400, 600].iter().enumerate() {
        log += &format!(
            "[2022-04-08 18:{:02}:05,372][train_inner][INFO] - {{\"epoch\": 1, \"update\": 0.416, \"loss\": \"{}\", \"ntokens\": \"116171\", \"wps\": \"58056.1\", \"ups\": \"0.5\", \"num_updates\": \"{u}\", \"lr\": \"3.125e-06\", \"gnorm\": \"1.1\"}}\n",
            10 + 7 * k,
            9.0 - k as f64
        );
    }
    // Timestamps from the Hydra head: 400 updates in 14 minutes.
    assert_approx(
        analyze(&log).steps_per_sec.overall,
        400.0 / 840.0,
        0.01,
        "fairseq rate",
    );
    log += "[2022-04-08 18:58:04,035][valid][INFO] - {\"epoch\": 1, \"valid_loss\": \"6.389\", \"valid_wps\": \"169012\", \"valid_num_updates\": \"640\"}\n";
    log += "[2022-04-08 18:58:06,786][train][INFO] - {\"epoch\": 1, \"train_loss\": \"7.864\", \"train_wps\": \"55450.7\", \"train_num_updates\": \"640\"}\n";
    let a = analyze(&log);
    assert_eq!(a.last_step, Some(640));
    assert_eq!((a.loss.first, a.loss.last), (Some(9.0), Some(7.0)));
    assert_eq!(a.eval.last_loss, Some(6.389));
    // Not an HF Trainer run for having dicts.
    assert_eq!(a.format, Format::Unknown);
}

/// mmcv's `*.log.json` (MMDetection, MMSegmentation before mmengine): a
/// record each log interval; `iter` counts within the epoch in an
/// epoch-based run, over the run in an iteration-based one.
#[test]
fn mmcv_json_records_count_the_run_s_iterations() {
    // The real records (PeixianChen/DFFT#4), after the environment record.
    let log = "\
{\"env_info\": \"sys.platform: linux\\nPython: 3.7.10\", \"config\": \"model = dict(type='RetinaNet')\\n\", \"seed\": 0, \"exp_name\": \"retinanet.py\"}
{\"mode\": \"train\", \"epoch\": 1, \"iter\": 50, \"lr\": 1e-05, \"memory\": 9810, \"data_time\": 1.92951, \"loss_cls\": 1.27158, \"loss_bbox\": 0.86464, \"loss\": 2.13622, \"time\": 2.63489}
{\"mode\": \"train\", \"epoch\": 1, \"iter\": 100, \"lr\": 2e-05, \"memory\": 10944, \"data_time\": 0.01538, \"loss_cls\": 1.02531, \"loss_bbox\": 0.78262, \"loss\": 1.80794, \"time\": 0.61618}
";
    let a = analyze(log);
    assert_eq!(a.last_step, Some(100), "{}", a.render_text());
    assert_ne!(a.format, Format::HfTrainer, "no HF Trainer dict");
    assert_approx(a.loss.last, 1.80794, 1e-9, "the record's loss");
    // Epoch-based: 7,330 iterations an epoch (its validation's count), the
    // count starting over each epoch.
    let record = |mode: &str, epoch: u64, iter: u64| {
        format!(
            "{{\"mode\": \"{mode}\", \"epoch\": {epoch}, \"iter\": {iter}, \"lr\": 0.01, \"memory\": 3546, \"data_time\": 0.01, \"loss\": 0.5, \"grad_norm\": 5.1, \"time\": 0.25}}\n"
        )
    };
    // (Its first record, the environment and the config as Python text,
    // plans 12 epochs.)
    let mut epochs = String::from(
        "{\"env_info\": \"sys.platform: linux\", \"config\": \"runner = dict(type='EpochBasedRunner', max_epochs=12)\\ncheckpoint_config = dict(interval=1)\\n\", \"seed\": 0}\n",
    );
    for e in 1..=3 {
        for i in (50..7330).step_by(50) {
            epochs += &record("train", e, i);
        }
        epochs += &format!(
            "{{\"mode\": \"val\", \"epoch\": {e}, \"iter\": 7330, \"lr\": 0.01, \"bbox_mAP\": 0.21}}\n"
        );
    }
    epochs += &record("train", 4, 50);
    let a = analyze(&epochs);
    assert_eq!(
        (a.last_step, a.total_steps),
        (Some(3 * 7330 + 50), Some(12 * 7330)),
        "{}",
        a.render_text()
    );
    assert_eq!(a.epoch, Some(4.0));
    assert_eq!(a.eval.count, 3);
    assert_eq!(a.reported.step_time_s, Some(0.25));
    assert!(
        !a.notes.iter().any(|n| n.contains("restarted")),
        "{:?}",
        a.notes
    );
    // Without validations, an epoch is as long as its last logged count.
    let unvalidated: String = epochs
        .lines()
        .filter(|l| !l.contains("\"val\""))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(analyze(&unvalidated).last_step, Some(3 * 7300 + 50));
    // Epochs of 60 iterations logged every 50: the count stands at 50.
    let short: String = (1..=3).map(|e| record("train", e, 50)).collect();
    assert_eq!(analyze(&short).last_step, Some(150));
    // Iteration-based (MMSegmentation): the count runs on as passes over
    // the data change the epoch.
    let mut iters = String::from(
        "{\"env_info\": \"sys.platform: linux\", \"config\": \"runner = dict(type='IterBasedRunner', max_iters=160000)\\n\", \"seed\": 0}\n",
    );
    for i in (50..=16000).step_by(50) {
        iters += &record("train", 1 + i / 5000, i);
    }
    iters += "{\"mode\": \"val\", \"epoch\": 4, \"iter\": 16000, \"lr\": 0.01, \"mIoU\": 0.41}\n";
    let a = analyze(&iters);
    assert_eq!(
        (a.last_step, a.total_steps),
        (Some(16000), Some(160_000)),
        "{}",
        a.render_text()
    );
    assert_eq!(a.eval.count, 1);
}

/// fairseq's oldest lines (2018, facebookresearch/fairseq#301): no update
/// count, the batch within the epoch; the epoch's end line is its average
/// (its `words/batch 906` no step), validation an evaluation.
#[test]
fn fairseq_legacy_lines_count_batches_across_epochs() {
    let log = "\
| epoch 010  2000 / 8223 loss=1.27 (1.50), wps=962, wpb=908, bsz=32, lr=0.001, clip=100%, gnorm=2.1427
| epoch 010  3000 / 8223 loss=1.28 (1.49), wps=962, wpb=908, bsz=32, lr=0.001, clip=100%, gnorm=2.1507
| epoch 010  8000 / 8223 loss=1.33 (1.45), wps=961, wpb=905, bsz=32, lr=0.001, clip=100%, gnorm=2.1133
| epoch 010 | train loss 1.44 | train ppl 2.72 | s/checkpoint    7747 | words/s    961 | words/batch    906 | bsz    32 | lr 0.001000 | clip 100% | gnorm 2.1113
| epoch 010 | valid on 'valid' subset  1000 / 1311 loss=1.60
| epoch 010 | valid on 'valid' subset | valid loss 1.94 | valid ppl 3.83
| epoch 011  1000 / 8223 loss=1.89 (1.38), wps=963, wpb=918, bsz=32, lr=0.001, clip=100%, gnorm=2.0860
";
    let a = analyze(log);
    // Epoch 11's batch 1000: ten whole epochs of 8,223 before it.
    assert_eq!(a.last_step, Some(10 * 8223 + 1000), "{}", a.render_text());
    assert_eq!(a.epoch, Some(11.0));
    assert_eq!(
        a.loss.count, 4,
        "the batches' losses, not the epoch's average"
    );
    assert_approx(a.loss.last, 1.89, 1e-9, "the last batch's loss");
    assert_eq!(a.eval.count, 1);
    assert_approx(a.eval.last_loss, 1.94, 1e-9, "validation loss");
    assert_approx(a.tokens_per_sec, 963.0, 1e-9, "wps");
    // The epoch's end alone, its batches unknown: no step, and no other
    // format's reading of it.
    let end = analyze(log.lines().nth(3).expect("the epoch's end"));
    assert_eq!(end.last_step, None, "{}", end.render_text());
}

#[test]
fn detectron2_iterations_count_from_zero_and_its_config_gives_the_total() {
    let line = |ts: &str, iter: u32, loss: &str| {
        format!(
            "[08/30 {ts}] d2.utils.events INFO:  eta: 0:14:11  iter: {iter}  total_loss: {loss}  loss_ce: 1.169  loss_mask: 1.163  time: 0.4259  last_time: 0.4296  data_time: 0.0289  last_data_time: 0.0025   lr: 4.762e-07  max_mem: 15533M\n"
        )
    };
    let mut log = String::from("SOLVER:\n  BASE_LR: 0.0001\n  MAX_ITER: 60\n");
    log += "[08/30 23:00:26] d2.engine.train_loop INFO: Starting training from iteration 0\n";
    log += &line("23:00:36", 19, "76.49");
    log += &line("23:00:45", 39, "50.1");
    log += &line("23:00:54", 59, "12.9");
    let a = analyze(&log);
    assert_eq!((a.last_step, a.total_steps), (Some(60), Some(60)));
    assert_eq!((a.loss.first, a.loss.last), (Some(76.49), Some(12.9)));
    assert!(a.finished, "{}", a.verdict);
    assert_approx(
        a.steps_per_sec.overall,
        40.0 / 18.0,
        0.01,
        "detectron2 rate",
    );
    // The console head `[08/30 23:00:36 d2.utils.events]: ` reads the same.
    let console = log.replace("] d2.utils.events INFO: ", " d2.utils.events]: ");
    assert_eq!(analyze(&console).last_step, Some(60));
}

#[test]
fn yolo_losses_sum_the_header_columns_and_a_second_train_call_is_a_new_run() {
    let header = "      Epoch    GPU_mem   box_loss   cls_loss   dfl_loss  Instances       Size\n";
    let row = |e: u32, of: u32, box_l: &str, n: u32| {
        format!(
            "{header}      {e:>2}/{of}      5.66G {box_l:>10}      1.357      1.213          6        640: 100%|##########| {n}/{n} [03:45<00:00,  7.12it/s]\n                 Class     Images  Instances      Box(P          R      mAP50  mAP50-95): 100%|##########| 34/34 [00:03<00:00, 10.01it/s]\n"
        )
    };
    let mut log = String::new();
    for e in 1..=3 {
        log += &row(e, 3, "0.7283", 1603);
    }
    log += "3 epochs completed in 0.168 hours.\n";
    // Phase 2: `model.train()` again, another batch size.
    for e in 1..=2 {
        log += &row(e, 4, "0.5000", 513);
    }
    let a = analyze(&log);
    assert_eq!((a.last_step, a.total_steps), (Some(2 * 513), Some(4 * 513)));
    assert!(!a.finished, "{}", a.verdict);
    assert_approx(a.loss.first, 0.7283 + 1.357 + 1.213, 1e-9, "first loss");
    assert_approx(a.loss.last, 0.5 + 1.357 + 1.213, 1e-9, "last loss");
    assert!(a.notes.iter().any(|n| n.contains("YOLO")), "{:?}", a.notes);

    // YOLOv10's two heads (`box_om` ... `dfl_oo`) and YOLOv5's `total`.
    assert_eq!(
        parse::yolo_header(
            "Epoch GPU_mem box_om cls_om dfl_om box_oo cls_oo dfl_oo Instances Size"
        ),
        Some(0b1111_1100)
    );
    assert_eq!(
        parse::yolo_header("Epoch gpu_mem box obj cls total labels img_size"),
        Some(1 << 5)
    );
    assert_eq!(parse::yolo_header("Epoch 3/10"), None);
    assert_eq!(
        parse::yolo_row_loss("1/3 1.2G 0.5 0.25 12 640", 0b1100),
        Some(0.75)
    );
    assert_eq!(parse::yolo_row_loss("1/3 1.2G 0.5", 0b1100), None);
}

#[test]
fn lightning_1x_epoch_bar_does_not_count_validation_batches() {
    // Lightning 1.x: the epoch bar's total is 9 training + 3 validation
    // batches, and it advances while the nested validation bar runs.
    let mut log = String::new();
    for e in 0..2 {
        for n in 0..=9 {
            log += &format!(
                "\rEpoch {e}:  {:>2}% {n}/12 [00:0{}<00:01,  2.00it/s, loss=1.{e}{n}, v_num=1]",
                n * 8,
                n / 2
            );
        }
        log += "\n\rValidating: 0it [00:00, ?it/s]\x1b[A";
        for v in 1..=3 {
            log += &format!(
                "\n\rValidating:  {:>2}% {v}/3 [00:0{v}<00:01,  1.00it/s]\x1b[A",
                v * 33
            );
            log += &format!(
                "\rEpoch {e}:  {:>2}% {}/12 [00:{}<00:00,  1.50it/s, loss=1.{e}9, v_num=1]",
                (9 + v) * 8,
                9 + v,
                5 + v
            );
        }
        log += &format!("\rEpoch {e}: 100% 12/12 [00:09<00:00,  1.30it/s, loss=1.{e}9, v_num=1]\n");
        log += &format!("\rEpoch {e}:   0% 0/12 [00:00<?, ?it/s, loss=1.{e}9, v_num=1]");
    }
    log += "\n";
    let a = analyze(&log);
    assert_eq!(a.format, Format::Lightning);
    assert_eq!(a.last_step, Some(18), "{}", a.render_text());
    // One evaluation per epoch, not one per interleaved frame.
    assert_eq!(a.eval.count, 2);
}

#[test]
fn a_launch_that_trained_after_earlier_failed_launches_clears_them() {
    // MMCV: each launch logs `Start running, host: ...`; the ones before
    // failed (port in use, a library mismatch).
    let mut log = String::from(
        "RuntimeError: The server socket has failed to listen on any local network address. The server socket has failed to bind to [::]:29500 (errno: 98 - Address already in use).\n",
    );
    log += "AttributeError: module 'numpy' has no attribute '_no_nep50_warning'\n";
    log += "2022-05-22 02:53:45,216 - mmseg - INFO - Start running, host: me@node, work_dir: /w\n";
    for (k, it) in [50, 100, 150, 200].iter().enumerate() {
        log += &format!(
            "2022-05-22 02:5{}:29,655 - mmseg - INFO - Iter [{it}/320000]\tlr: 9.799e-07, eta: 2 days, 11:45:59, time: 0.672, data_time: 0.012, memory: 7999, decode.loss_seg: 4.2275, loss: 6.0436\n",
            4 + k
        );
    }
    let a = analyze(&log);
    assert_eq!((a.last_step, a.total_steps), (Some(200), Some(320_000)));
    assert!(a.errors.iter().all(|e| !e.fatal), "{:?}", a.errors);
    assert_eq!(a.errors[0].class, ErrorClass::Distributed);
    assert_eq!(a.errors[1].class, ErrorClass::Dependency);
    assert_eq!(a.verdict, "progressing");
    // A project's own module missing an attribute is a bug, not a version.
    let own = analyze("AttributeError: module 'utils' has no attribute 'foo'\n");
    assert_eq!(own.errors[0].class, ErrorClass::Runtime);
}

#[test]
fn dataloader_worker_exceptions_are_data_errors_and_datasets_maps_are_not_training() {
    let log = "预处理音频: 100%|██████████| 19/19 [00:00<00:00, 23.32 examples/s]\n\
               \r  0%|          | 0/60 [00:00<?, ?it/s]\n\
               AttributeError: Caught AttributeError in DataLoader worker process 0.\n";
    let a = analyze(log);
    assert_eq!((a.last_step, a.total_steps), (Some(0), Some(60)));
    assert_eq!(a.errors[0].class, ErrorClass::Data);
    assert!(a.errors[0].fatal);
    // Degenerate spellings of the line are no panic.
    for line in [
        "Caught in DataLoader worker process 0.",
        "Caught  in DataLoader worker process",
        "RuntimeError: Caught in DataLoader worker process",
    ] {
        let _ = analyze(line);
    }
}

#[test]
fn deepspeed_checkpoint_names_the_step_of_a_run_without_a_bar() {
    let mut log = String::from(
        "[2025-02-16 00:29:01,869] [INFO] [logging.py:96:log_dist] [Rank 0] step=0, skipped=0, lr=[0.0], mom=[(0.9, 0.999)]\n",
    );
    for l in ["10.5", "9.9", "8.7"] {
        log += &format!(
            "{{'loss': {l}, 'grad_norm': 1.19, 'learning_rate': 3.9e-07, 'epoch': 0.0}}\n"
        );
    }
    log += "[2025-02-16 04:22:24,735] [INFO] [logging.py:96:log_dist] [Rank 0] [Torch] Checkpoint global_step1971 is about to be saved!\n";
    let a = analyze(&log);
    assert_eq!(a.last_step, Some(1971));
    assert_eq!(a.checkpoints.count, 1);
    assert_eq!(a.format, Format::HfTrainer);
}

#[test]
fn a_hand_written_loops_evaluation_inside_an_epoch_is_not_lightning_1x() {
    // `for step, batch in enumerate(tqdm(loader, desc=f"Epoch {e}"))` with
    // an evaluation every 5 steps drawing its own bar (run to its end, or
    // cut short by a `break`): the epoch bar only counts training steps.
    for eval_end in [10, 4] {
        let mut log = String::new();
        for n in 0..=12 {
            log += &format!(
                "\rEpoch 1/3:  {:>2}% {n}/20 [00:{n:02}<00:10,  1.00it/s, loss=0.{n:02}]",
                n * 5
            );
            if n == 5 || n == 10 {
                log += "\n";
                for v in 0..=eval_end {
                    log += &format!(
                        "\rEvaluating:  {:>2}% {v}/10 [00:0{}<00:01,  9.00it/s]",
                        v * 10,
                        v / 9
                    );
                }
                log += "\n";
            }
        }
        log += "\n";
        let a = analyze(&log);
        assert_eq!(
            a.last_step,
            Some(12),
            "eval to {eval_end}: {}",
            a.render_text()
        );
        assert_eq!(a.eval.count, 2);
    }
}

// ---------------------------------------------------------------------------
// Round 15 of real logs (stable-baselines3, Keras sample counts, inference
// bars after training, per-epoch bars with the loop's epoch lines, Ray jobs,
// SpeechBrain launches).

#[test]
fn stable_baselines3_tables_are_steps_with_their_loss() {
    let table = |it: u32, steps: u32, elapsed: u32, loss: Option<&str>| {
        let mut t = String::from(
            "-----------------------------------------\n| rollout/                |             |\n|    ep_rew_mean          | 123         |\n| time/                   |             |\n",
        );
        t += &format!(
            "|    fps                  | 1860        |\n|    iterations           | {it:<11} |\n|    time_elapsed         | {elapsed:<11} |\n|    total_timesteps      | {steps:<11} |\n"
        );
        if let Some(l) = loss {
            t += &format!(
                "| train/                  |             |\n|    loss                 | {l:<11} |\n|    n_updates            | 10          |\n"
            );
        }
        t + "-----------------------------------------\n"
    };
    let mut log = String::from("Using cpu device\nWrapping the env in a DummyVecEnv.\n");
    log += &table(1, 2048, 1, None);
    log += &table(2, 4096, 2, Some("24"));
    log += &table(3, 6144, 3, Some("26"));
    log += "Eval num_timesteps=6144, episode_reward=217.40 +/- 3.45\n";
    log += &table(4, 8192, 4, Some("0.0302"));
    let a = analyze(&log);
    assert_eq!(a.last_step, Some(8192));
    assert_eq!((a.loss.first, a.loss.last), (Some(24.0), Some(0.0302)));
    assert_eq!(a.eval.count, 1);
    // `time_elapsed` is the clock: 2048 timesteps a second.
    assert_approx(a.steps_per_sec.overall, 2048.0, 1e-9, "sb3 rate");
    assert!(!a.finished);
    assert!(analyze(&(log + "Training complete!\n")).finished);
    // Markdown-style rows of more than two columns are not its tables.
    assert_eq!(parse::sb3_row("| Name | Type | Params"), None);
    assert_eq!(parse::sb3_row("| 0 | model | Unet | 31.0 M |"), None);
    assert_eq!(
        parse::sb3_row("|    loss    | 0.5 |"),
        Some(("loss", "0.5"))
    );
}

#[test]
fn keras_counting_samples_reports_batches() {
    let mut log = String::from("Train on 1000 samples, validate on 100 samples\nEpoch 1/2\n");
    for n in [256, 512, 768] {
        log += &format!(" {n}/1000 [=======>......................] - ETA: 2s - loss: 0.5\n");
    }
    log += "1000/1000 [==============================] - 3s 3ms/step - loss: 0.4 - val_loss: 0.3\nEpoch 2/2\n";
    log += " 256/1000 [=======>......................] - ETA: 2s - loss: 0.35\n";
    let a = analyze(&log);
    // 4 batches of 256 per epoch.
    assert_eq!((a.last_step, a.total_steps), (Some(5), Some(8)));
}

#[test]
fn inference_bars_after_training_and_per_epoch_bars_with_the_loops_epoch_lines() {
    let mut log = String::new();
    for e in 1..=3 {
        for n in [0, 5, 10] {
            log += &format!(
                "\rTrain:  {:>2}% {n}/10 [00:0{}<00:02,  4.00it/s]",
                n * 10,
                n / 5
            );
        }
        log += "\n";
        for n in [0, 4] {
            log += &format!("\rValid:  {:>2}% {n}/4 [00:00<00:00, 9.00it/s]", n * 25);
        }
        log += &format!("\nEpoch {e}/3 | trn_loss: 0.{e}  | val_loss: 0.1{e} | lr: 2.00e-04\n");
    }
    for n in 0..=3 {
        log += &format!("\rTTA:  {:>2}% {n}/3 [00:{n}0<00:10, 30.00s/it]", n * 33);
    }
    log += "\nSubmission saved\n";
    let a = analyze(&log);
    assert_eq!(
        (a.last_step, a.total_steps),
        (Some(30), Some(30)),
        "{}",
        a.render_text()
    );
    assert!(a.finished);
}

#[test]
fn ray_jobs_and_speechbrain_launches() {
    let log = "step:1 - actor/pg_loss:0.019 - critic/vf_loss:0.053\n\
               \rTraining Progress:  50%|█████     | 1/2 [00:11<00:11, 11.00s/it]\
               \nstep:2 - actor/pg_loss:0.02 - critic/vf_loss:0.048\n\
               ------------------------------------------\n\
               Job 'raysubmit_T3JpUGHRiC9U18UE' succeeded\n\
               ------------------------------------------\n";
    assert!(analyze(log).finished);

    // SpeechBrain starts every launch with `Beginning experiment!`: an
    // earlier launch's crash does not end the one that trained after it.
    let head =
        |t: &str, name: &str| format!("2025-04-16 12:{t},474 - speechbrain.{name} - INFO - ");
    let mut log = head("15:43", "core") + "Beginning experiment!\n";
    log += "torch.OutOfMemoryError: HIP out of memory. Tried to allocate 294.00 MiB.\n";
    log += &(head("23:15", "core") + "Beginning experiment!\n");
    for e in 2..=5 {
        log += &head(&format!("3{e}:14"), "utils.train_logger");
        log += &format!("Epoch: {e}, lr: 1.00e-04 - train loss: 1.{e} - valid loss: 1.6\n");
    }
    let a = analyze(&log);
    assert_eq!(a.errors[0].class, ErrorClass::Memory);
    assert!(!a.errors[0].fatal, "{:?}", a.errors);
    assert_eq!(a.last_step, Some(5));
}

#[test]
fn round_15_framework_variants() {
    // Early Megatron-DeepSpeed's `lm-loss`.
    let line = |i: u32, l: &str| {
        format!(
            " iteration        {i}/    1000 | consumed samples:         1024 | elapsed time per iteration (ms): 159778.9 | learning rate: 1.875E-05 | global batch size:  1024 | lm-loss: {l} | loss scale: -1.0 | grad norm: 0.000 |\n"
        )
    };
    let a = analyze(&(line(1, "1.244238E+01") + &line(2, "7.747273E+00")));
    assert_eq!(
        (a.last_step, a.loss.first, a.loss.last),
        (Some(2), Some(12.44238), Some(7.747273))
    );

    // nanoGPT's config as read (`max_iters = 5000`): its total.
    let log = "max_iters = 20\nlr_decay_iters = 20 # make equal to max_iters usually\niter 10: loss 0.5, time 31.2ms, mfu 2.04%\niter 20: loss 0.2668, time 31249.25ms, mfu 2.04%\n";
    let a = analyze(log);
    assert_eq!((a.last_step, a.total_steps), (Some(20), Some(20)));
    assert!(a.finished);

    // torchvision's references / DeiT: `Epoch: [1]  [1250/1251]`.
    let a = analyze(
        "Epoch: [0]  [   0/1251]  eta: 4:54:33  lr: 0.000010  loss: 3.0572 (3.0572)  time: 14.1278  data: 1.4194  max mem: 58000\n\
         Epoch: [1]  [1250/1251]  eta: 0:00:03  lr: 0.000010  loss: 2.6565 (2.5483)  time: 3.2104  data: 0.0010  max mem: 99136\n",
    );
    assert_eq!(a.last_step, Some(1251 + 1250));
    assert_eq!(a.loss.last, Some(2.6565));
    // DINO's names the planned epochs: `Epoch: [14/100]  [ 810/1251]`.
    let a = analyze(
        "Epoch: [14/100]  [   0/1251]  eta: 0:12:55  loss: 4.247061 (4.367061)  lr: 0.000375 (0.000375)  wd: 0.040000 (0.040000)  time: 0.610253  data: 0.000512  max mem: 10234
         Epoch: [14/100]  [ 810/1251]  eta: 0:04:31  loss: 4.208794 (4.328794)  lr: 0.000375 (0.000375)  wd: 0.040000 (0.040000)  time: 0.618444  data: 0.000512  max mem: 10234
",
    );
    assert_eq!(
        (a.last_step, a.total_steps),
        (Some(14 * 1251 + 810), Some(100 * 1251))
    );

    // SetFit's `embedding_loss` dicts, the first one printed over the bar's
    // line with the bar's tail left after it.
    let a = analyze(
        "{'embedding_loss': 0.2744, 'learning_rate': 5.9e-08, 'epoch': 0.01}               | 0/3400 [00:00<?, ?it/s]\n\
         {'embedding_loss': 0.2109, 'learning_rate': 2.9e-06, 'epoch': 0.74}\n",
    );
    assert_eq!((a.loss.first, a.loss.last), (Some(0.2744), Some(0.2109)));
    assert_eq!(a.format, Format::HfTrainer);
}

#[test]
fn review_of_rounds_14_and_15() {
    // Lightning 1.x validating twice an epoch (`val_check_interval=0.5`):
    // 10 training + 2 x 3 validation batches on the epoch bar.
    let frame = |n: u32| {
        format!(
            "\rEpoch 0:  {:>2}% {n}/16 [00:{n:02}<00:10,  1.00it/s, loss=0.5, v_num=1]",
            n * 6
        )
    };
    let val = |v: u32| {
        format!(
            "\n\rValidating:  {:>2}% {v}/3 [00:0{v}<00:01,  1.00it/s]\x1b[A",
            v * 33
        )
    };
    let mut log = String::new();
    for n in 0..=5 {
        log += &frame(n);
    }
    for v in 1..=3 {
        log += &val(v);
        log += &frame(5 + v);
    }
    for n in 9..=13 {
        log += &frame(n);
    }
    for v in 1..=3 {
        log += &val(v);
        log += &frame(13 + v);
    }
    log += "\n";
    let a = analyze(&log);
    assert_eq!(a.last_step, Some(10), "{}", a.render_text());
    assert_eq!(a.eval.count, 2);

    // A hand-written loop's one-batch evaluation inside the epoch: not
    // Lightning's validation batches.
    let mut log = String::new();
    for n in 0..=8 {
        log += &format!(
            "\rEpoch 1/3:  {:>2}% {n}/20 [00:{n:02}<00:10,  1.00it/s, loss=0.{n}]",
            n * 5
        );
        if n == 5 {
            log += "\n\rEvaluating: 100% 1/1 [00:00<00:00,  9.00it/s]\n";
        }
    }
    assert_eq!(analyze(&(log + "\n")).last_step, Some(8));

    // An epoch number the bar count cannot read (`Epoch [1/10]`) and an
    // evaluation cut short: the steps stay the bar's.
    let mut log = String::new();
    for n in 0..=6 {
        log += &format!(
            "\rEpoch [1/10]:  {:>2}% {n}/1000 [00:{n:02}<00:10,  1.00it/s]",
            n
        );
        if n == 3 {
            log += "\n\rValidating:   5% 50/1000 [00:01<00:10, 50.00it/s]\n";
        }
    }
    assert_eq!(analyze(&(log + "\n")).last_step, Some(6));

    // HF under DeepSpeed: one save, two messages.
    let log = "{'loss': 1.0, 'learning_rate': 1e-05, 'epoch': 0.1}\n\
               Saving model checkpoint to out/checkpoint-500\n\
               [2025-02-16 04:22:24,735] [INFO] [logging.py:96:log_dist] [Rank 0] [Torch] Checkpoint global_step500 is about to be saved!\n";
    assert_eq!(analyze(log).checkpoints.count, 1);

    // A lagging rank's frame of the previous epoch is no new run.
    let mut log = String::new();
    for n in [0, 50, 100] {
        log += &format!(
            "\rEpoch 0: {:>3}%| {n}/100 [00:{:02}<00:10, 10.00it/s]",
            n,
            n / 10
        );
    }
    log +=
        "\rEpoch 1:   0%| 0/100 [00:00<?, ?it/s]\rEpoch 0: 100%| 100/100 [00:10<00:00, 10.00it/s]";
    log += "\rEpoch 1:  50%| 50/100 [00:05<00:05, 10.00it/s]\n";
    let a = analyze(&log);
    assert_eq!(a.last_step, Some(150));
    assert!(
        a.notes.iter().all(|n| !n.contains("restarted")),
        "{:?}",
        a.notes
    );

    // Keras: a second fit with another batch size learns it again.
    let mut log = String::from(
        "Train on 1000 samples\nEpoch 1/2\n 250/1000 [======>.......................] - ETA: 2s - loss: 0.5\n1000/1000 [==============================] - 3s - loss: 0.4\nEpoch 2/2\n 250/1000 [======>.......................] - ETA: 2s - loss: 0.35\n1000/1000 [==============================] - 3s - loss: 0.3\n",
    );
    log += "Train on 1000 samples\nEpoch 1/1\n 500/1000 [==============>...............] - ETA: 1s - loss: 0.3\n";
    assert_eq!(analyze(&log).last_step, Some(1));

    // A hand-written `iter: 100  loss: 2.3` line is not detectron2's.
    let a = analyze("iter: 100  loss: 2.3456  lr: 0.0001\niter: 200  loss: 2.1  lr: 0.0001\n");
    assert_eq!((a.last_step, a.loss.last), (Some(200), Some(2.1)));

    // A two-column row outside a dashed table is not stable-baselines3's.
    assert_eq!(analyze("|    total_timesteps | 2048 |\n").last_step, None);

    // nanoGPT's config with an expression is no total.
    assert_eq!(
        analyze("max_iters = 2 * 1000\niter 10: loss 0.5, time 31.2ms, mfu 2.04%\n").total_steps,
        None
    );
}

#[test]
fn round_16_shapes() {
    // LLaMA-Factory's own head: `[INFO|TS] logging.py:157 >> `.
    let a = analyze(
        "[INFO|2024-11-26 22:07:15] trainer.py:2321 >>   Total optimization steps = 17,000\n\
         [INFO|2024-11-26 22:09:01] logging.py:157 >> {'loss': 2.2818, 'learning_rate': 2.5e-06, 'epoch': 0.29}\n\
         [INFO|2024-11-26 22:10:54] logging.py:157 >> {'loss': 2.2647, 'learning_rate': 5.0e-06, 'epoch': 0.59}\n",
    );
    assert_eq!((a.loss.first, a.loss.last), (Some(2.2818), Some(2.2647)));
    assert_eq!(a.total_steps, Some(17_000));

    // deep-text-recognition-benchmark's `[100/200000] Train loss: ...`.
    let a = analyze(
        "[1/200000] Train loss: 0.00023, Valid loss: 0.00622, Elapsed_time: 3.53794\n\
         Current_accuracy : 96.083, Current_norm_ED  : 0.39\n\
         [100/200000] Train loss: 0.00414, Valid loss: 0.00665, Elapsed_time: 665.83799\n",
    );
    assert_eq!(
        (a.last_step, a.total_steps, a.loss.last),
        (Some(100), Some(200_000), Some(0.00414))
    );

    // MiniMind's `Epoch:[1/2](100/4000)` lines.
    let a = analyze(
        "Epoch:[1/2](1/9751), Reward: -2.3041, KL_ref: -0.0010, Actor Loss: 0.0100, Learning Rate: 0.00000030\n\
         Epoch:[2/2](3/9751), Reward: -1.4468, KL_ref: 0.0409, Actor Loss: 0.0065, Learning Rate: 0.00000030\n\
         Epoch:[2/2](4/9751) loss:3.2 lr:0.0001\n",
    );
    assert_eq!((a.last_step, a.total_steps), (Some(9755), Some(2 * 9751)));
    assert_eq!((a.loss.first, a.loss.last), (Some(0.01), Some(3.2)));

    // Paddle's EarlyStopping line ends the run.
    assert!(
        analyze("Epoch 6/10\nstep 614/614 - loss: 0.0490 - 1s/step\nEpoch 6: Early stopping.\n")
            .finished
    );

    // MMCV's runner announces its epochs; the epoch lines give the batches.
    let a = analyze(
        "2023-04-06 15:01:37,324 - mmhuman3d - INFO - workflow: [('train', 1)], max: 200 epochs\n\
         2023-04-06 15:01:38,324 - mmhuman3d - INFO - Checkpoints will be saved to /w by HardDiskBackend.\n\
         2023-04-06 15:16:07,887 - mmhuman3d - INFO - Epoch [1][50/2439]\tlr: 1.000e-04, eta: 98 days, 6:35:26, time: 17.408, data_time: 6.664, memory: 6954, loss: 0.2304\n",
    );
    assert_eq!((a.last_step, a.total_steps), (Some(50), Some(200 * 2439)));
}

#[test]
fn source_names_match_their_json() {
    for s in Source::ALL {
        assert_eq!(serde_json::to_value(s).unwrap(), s.name(), "{s:?}");
    }
    let a = analyze(
        "2021-03-01 10:00:00 | INFO | train_inner | epoch 001:    100 / 479 loss=9.276, num_updates=100, lr=3e-06\n",
    );
    assert_eq!(a.step_source, Some(Source::Fairseq));
    assert!(
        a.render_text()
            .contains("format:   unknown (fairseq lines)"),
        "{}",
        a.render_text()
    );
}

#[test]
fn a_one_epoch_loops_validation_bar_at_the_end_is_not_its_training() {
    // `for batch in tqdm(train)` then `for batch in tqdm(val)`, one epoch:
    // no next pass shows which bar trains; the last one is shorter, has no
    // loss and goes faster per item.
    let mut log = String::new();
    for n in 0..=50 {
        log += &format!(
            "\r{:>3}%|#####| {n}/50 [00:{:02}<00:10,  2.00it/s, loss={:.2}]",
            n * 2,
            n / 2,
            2.0 - n as f64 / 50.0
        );
    }
    log += "\n";
    for n in 0..=10 {
        log += &format!(
            "\r{:>3}%|#####| {n}/10 [00:0{}<00:01, 9.00it/s]",
            n * 10,
            n / 9
        );
    }
    log += "\n";
    let a = analyze(&log);
    assert_eq!(
        (a.last_step, a.total_steps),
        (Some(50), Some(50)),
        "{}",
        a.render_text()
    );
    assert_eq!(a.eval.count, 1);
    // A data-preparation bar before training keeps its place: the training
    // bar after it is the slower one.
    let mut log = String::new();
    for n in [0, 500, 1000] {
        log += &format!(
            "\r{:>3}%|#####| {n}/1000 [00:0{}<00:01, 900.00it/s]",
            n / 10,
            n / 500
        );
    }
    log += "\n";
    for n in 0..=20 {
        log += &format!(
            "\r{:>3}%|#####| {n}/20 [00:{:02}<00:10,  1.00it/s]",
            n * 5,
            n
        );
    }
    log += "\n";
    assert_eq!(analyze(&log).last_step, Some(20));
}

#[test]
fn pytorch_word_language_model_example_lines() {
    let mut log = String::from(
        "Namespace(batch_size=20, bptt=35, clip=0.25, cuda=True, data='./data/wikitext-2', epochs=2, lr=20, model='LSTM')\n",
    );
    for e in 1..=2 {
        for b in [200, 400] {
            log += &format!(
                "| epoch {e:>3} | {b:>5}/  500 batches | lr 20.00 | ms/batch 11.61 | loss  {:.2} | ppl   340.96\n",
                6.0 - e as f64 - b as f64 / 1000.0
            );
        }
        log += &format!(
            "-----\n| end of epoch {e:>3} | time: 35.58s | valid loss  5.5{e} | valid ppl   252.9\n-----\n"
        );
    }
    let a = analyze(&log);
    assert_eq!((a.last_step, a.total_steps), (Some(900), Some(1000)));
    assert_eq!((a.loss.first, a.loss.last), (Some(4.8), Some(3.6)));
    assert_eq!((a.eval.count, a.eval.last_loss), (2, Some(5.52)));
    assert_approx(a.reported.step_time_s, 0.01161, 1e-9, "ms/batch");
    assert_eq!(
        parse::namespace_epochs("Namespace(lr=1, num_epochs=3)"),
        Some(3)
    );
    assert_eq!(parse::namespace_epochs("Namespace(epochs=3.5)"), None);
}

#[test]
fn round_18_shapes() {
    // LAVIS's MetricLogger, epochs from 0.
    let a = analyze(
        "Train: data epoch: [0]  [   0/3511]  eta: 15:26:30  lr: 0.000000  loss: 2.8537  time: 15.8334  data: 0.0000  max mem: 21484\n\
         Train: data epoch: [9]  [3510/3511]  eta: 0:00:04  lr: 0.000001  loss: 0.0832  time: 4.0989  data: 0.0000  max mem: 25548\n",
    );
    assert_eq!(
        (a.last_step, a.loss.last),
        (Some(9 * 3511 + 3510), Some(0.0832))
    );

    // A hand-written early stop ends the run; a patience counter does not.
    let lines = "2025-09-06 03:00:18,613 - INFO - Epoch 32/50 - Train Loss: 0.1503 - Val Loss: 0.2\n\
                 2025-09-06 03:01:18,613 - INFO - Epoch 33/50 - Train Loss: 0.1493 - Val Loss: 0.2\n";
    assert!(!analyze(&(lines.to_string() + "EarlyStopping counter: 7 out of 7\n")).finished);
    assert!(
        analyze(
            &(lines.to_string() + "2025-09-06 03:03:18,613 - INFO - Early stopping triggered.\n")
        )
        .finished
    );

    // torch.save that could not write.
    let a = analyze(
        "RuntimeError: [enforce fail at inline_container.cc:764] . PytorchStreamWriter failed writing file data/247: file write failed\n",
    );
    assert_eq!(a.verdict, "fatal: checkpoint write failed (disk full?)");
}

#[test]
fn second_review_of_this_session() {
    // One bar's frames at the counts given, ended by a newline.
    let run = |desc: &str, counts: &[u32], t: u32, rate: &str, post: &str| {
        let mut s: String = counts
            .iter()
            .map(|&n| {
                format!(
                    "\r{desc}{:>3}%|#####| {n}/{t} [00:{:02}<00:10, {rate}it/s{post}]",
                    n * 100 / t,
                    n % 60
                )
            })
            .collect();
        s.push('\n');
        s
    };
    // A bar with a loss, then a per-epoch training bar without one that
    // starts its second pass: the end rule is for a first pass only.
    let log = run("", &[0, 200, 400], 400, "2.00", ", loss=1.0")
        + &run("", &[0, 50, 100, 0, 25, 50], 100, "10.00", "");
    assert_eq!(analyze(&log).last_step, Some(150));

    // A slow data bar without a loss, then a one-pass training bar without
    // one: nothing says the first trained.
    let log = run("", &[0, 2500, 5000], 5000, "2.00", "")
        + &run("", &[0, 100, 200, 300], 300, "8.00", "");
    assert_eq!(analyze(&log).last_step, Some(300));

    // An `Eval` bar is one evaluation, never training.
    let log = run("Train: ", &[0, 25, 50], 50, "2.00", ", loss=1.0")
        + &run("Eval: ", &[0, 5, 10], 10, "9.00", "");
    let a = analyze(&log);
    assert_eq!((a.last_step, a.eval.count), (Some(50), 1));

    // baby-llama2 counts MiniMind's epochs from 0.
    let a = analyze(
        "Epoch:[0/2](100/4000) loss:3.200 lr:0.0003000 epoch_Time:30.0min:\n\
         Epoch:[0/2](4000/4000) loss:3.000 lr:0.0003000 epoch_Time:1.0min:\n\
         Epoch:[1/2](100/4000) loss:2.900 lr:0.0003000 epoch_Time:30.0min:\n",
    );
    assert_eq!(a.last_step, Some(4100));

    // A hand-written per-epoch `[50/391] Train loss:` is not the OCR
    // benchmark's global counter.
    assert_eq!(parse::bracket_step("[50/391] Train loss: 0.91"), None);

    // torchvision's padded evaluation lines are evaluations.
    let a = analyze(
        "Epoch: [0]  [  10/1251]  eta: 1:26:30  lr: 0.000010  loss: 2.7759 (2.7459)  time: 4.1824\n\
         Test:  [  0/261]  eta: 0:10:00  loss: 0.9 (0.9)  acc1: 80.0 (80.0)\n",
    );
    assert_eq!(a.eval.count, 1);

    // A JSON dict whose `..num_updates` key is not fairseq's stays HF's.
    let a = analyze("{\"loss\": 0.5, \"step\": 10, \"total_num_updates\": 1000}\n");
    assert_eq!((a.last_step, a.loss.last), (Some(10), Some(0.5)));

    // A relaunch forgets the earlier run's planned epochs.
    let a = analyze(
        "Namespace(epochs=300, lr=0.1)\n\
         2023-04-06 15:00:00,000 - x - INFO - Start running, host: me@node, work_dir: /w\n\
         2023-04-06 15:16:07,887 - x - INFO - Epoch [1][50/2439]\tlr: 1.000e-04, time: 17.408, loss: 0.2304\n",
    );
    assert_eq!(a.total_steps, None);
}

#[test]
fn round_19_yolo_rows_cut_before_their_bar_and_a_rerun_with_two_lines_an_epoch() {
    // W&B's console capture keeps the start of each redrawn row, two lines
    // an epoch; the file holds an earlier run to epoch 12, then the one that
    // stopped early at 9.
    let header = "      Epoch    GPU_mem   box_loss   cls_loss   dfl_loss  Instances       Size\n";
    let mut log = String::from(header);
    let row = |e: u32, tail: &str| {
        format!(
            "     {e:>2}/500      9.29G      1.400      1.200      1.100        802        640:{tail}\n"
        )
    };
    for e in 1..=12 {
        log += &row(e, "");
        log += "                   all        107        938     0.0128      0.479      0.034     0.0147\n";
    }
    log += header;
    for e in 1..=9 {
        log += &row(e, "");
        log += &row(e, " 1");
    }
    let a = analyze(&log);
    assert_eq!(a.last_step, Some(9), "{}", a.render_text());
    assert_approx(a.loss.last, 1.4 + 1.2 + 1.1, 1e-9, "row loss");
    assert!(
        a.notes.iter().any(|n| n.contains("restarted")),
        "{:?}",
        a.notes
    );
    assert!(a.notes.iter().any(|n| n.contains("YOLO")), "{:?}", a.notes);
    // Only under a YOLO header, and only with the GPU memory column.
    assert!(parse::yolo_row("3/500 9.15G 1.9 2.4 1.4 245 640:").is_some());
    assert!(parse::yolo_row("3/500 loss 1.9").is_none());
    assert_eq!(analyze("  3/500      9.15G      1.907\n").last_step, None);
}

#[test]
fn an_ignored_exception_in_a_destructor_is_not_the_crash() {
    // A DataLoader worker's segfault during validation, with Python's
    // unraisable-exception report from a connection's destructor before it.
    let a = analyze(
        "Exception ignored in: <function _ConnectionBase.__del__ at 0x7071cf070f40>\n\
         Traceback (most recent call last):\n  \
           File \"/usr/lib/python3.11/multiprocessing/connection.py\", line 133, in __del__\n    \
             self._close()\n  \
           File \"/usr/lib/python3.11/multiprocessing/connection.py\", line 377, in _close\n    \
             _close(self._handle)\n\
         TypeError:         def _close(self, _close=_multiprocessing.closesocket):\n\
         \n\
         ERROR: Unexpected segmentation fault encountered in worker.\n\
         Traceback (most recent call last):\n  \
           File \"torch/utils/data/dataloader.py\", line 1243, in _try_get_data\n    \
             data = self._data_queue.get(timeout=timeout)\n\
         RuntimeError: DataLoader worker (pid 87726) is killed by signal: Segmentation fault. \n",
    );
    let fatal: Vec<_> = a.errors.iter().filter(|e| e.fatal).collect();
    assert_eq!(fatal.len(), 1, "{:?}", a.errors);
    assert_eq!(fatal[0].class, ErrorClass::Data);
    assert!(
        a.errors
            .iter()
            .any(|e| !e.fatal && e.message.starts_with("TypeError")),
        "{:?}",
        a.errors
    );
}

#[test]
fn a_wrapper_saying_there_was_no_out_of_memory_error_is_not_one() {
    let a = analyze(
        "Attempting to run the script... Output is being saved to run1.log\n\
         Script finished successfully without a CUDA out of memory error.\n\
         Loop terminated. Exiting.\n",
    );
    assert!(a.errors.is_empty(), "{:?}", a.errors);
    let a = analyze("torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB.\n");
    assert_eq!(a.errors[0].class, ErrorClass::Memory);
}

#[test]
fn a_later_launch_that_counts_steps_in_its_own_lines_replaces_an_earlier_launchs_bar() {
    // lmqg's grid search under `nohup`, appended: the first launch encoded
    // its data under a bar and ran out of memory; the second counts steps.
    let mut log = String::from(
        "nohup: ignoring input\n2023-08-25 09:10:55 INFO     encode all the data       : 75722\n",
    );
    for n in (0..=75722).step_by(7000).chain([75722]) {
        log.push_str(&format!(
            "{:3}%|#         | {n}/75722 [00:09<01:21, 832.06it/s]\r",
            n * 100 / 75722
        ));
    }
    log.push_str(
        "\ntorch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 96.00 MiB\n\
         \nnohup: ignoring input\n2023-08-25 09:21:12 INFO     start model training\n",
    );
    for (i, step) in (50..=400).step_by(50).enumerate() {
        log.push_str(&format!(
            "2023-08-25 09:{:02}:51 INFO     \t * (global step {step}: loss: 0.{}, lr: 0.001\n",
            25 + i * 4,
            80 - i
        ));
        if step == 200 {
            log.push_str(
                "2023-08-25 09:45:00 INFO     [epoch 0/15] average loss: 0.833, lr: 0.001\n",
            );
        }
    }
    let a = analyze(&log);
    assert_eq!((a.last_step, a.total_steps), (Some(400), None));
    assert_eq!((a.loss.first, a.loss.last), (Some(0.80), Some(0.73)));
    assert!(a.errors.iter().all(|e| !e.fatal), "{:?}", a.errors);
}

#[test]
fn epoch_summaries_among_lines_that_count_steps_are_not_steps() {
    // PaddleViT: two batch lines per epoch, then the epoch's summary.
    let mut log = String::new();
    for e in 1..=3 {
        for b in [0, 100] {
            log.push_str(&format!(
                "2022-05-06 09:4{e}:00,872 Epoch[{e:03}/100], Step[{b:04}/0196], Avg Loss: 0.9{e}{}, Avg Acc: 0.7930\n",
                b / 100
            ));
        }
        log.push_str(&format!(
            "2022-05-06 09:4{e}:48,645 ----- Epoch[{e:03}/100], Train Loss: 1.0238, Train Acc: 0.7581, time: 173.49\n"
        ));
    }
    let a = analyze(&log);
    assert_eq!(
        (a.last_step, a.total_steps),
        (Some(2 * 196 + 100), Some(19600))
    );
    assert_eq!(a.loss.last, Some(0.931));
}

#[test]
fn xlm_family_trainers_name_their_losses_after_the_tasks() {
    // Int2Int (SymbolicMathematics' trainer) under Slurm.
    let a = analyze(
        "INFO - 03/11/25 14:44:10 - 0:00:22 - ============ Starting epoch 0 ... ============\n\
         INFO - 03/11/25 14:44:34 - 0:00:46 -     200 -  267.19 equations/s -  4771.04 words/s - ARITHMETIC:  0.6156 - LR: 1.0000e-04\n\
         INFO - 03/11/25 14:44:55 - 0:01:07 -     400 -  302.85 equations/s -  5403.85 words/s - ARITHMETIC:  0.3730 - LR: 1.0000e-04\n\
         INFO - 03/11/25 14:45:16 - 0:01:28 -     600 -  299.68 equations/s -  5351.84 words/s - ARITHMETIC:  0.3304 - LR: 1.0000e-04\n\
         INFO - 03/11/25 14:45:37 - 0:01:49 -     800 -  303.87 equations/s -  5418.70 words/s - ARITHMETIC:  0.3168 - LR: 1.0000e-04\n",
    );
    assert_eq!(
        (a.last_step, a.loss.first, a.loss.last),
        (Some(800), Some(0.6156), Some(0.3168))
    );
    // 600 steps in 63 s, by the heads' clock.
    let overall = a.steps_per_sec.overall.expect("timed");
    assert!((overall - 600.0 / 63.0).abs() < 0.01, "{overall}");
    // XLM itself: several tasks, an empty field, the model's LR.
    let a = analyze(
        "INFO - 02/25/19 13:47:05 - 0:00:46 -      50 -  157.68 sent/s -  4961 words/s - MLM-en:  7.9346 - MLM-fr:  7.9416 -  - model LR: 1.0000e-04\n\
         INFO - 02/25/19 13:47:25 - 0:01:06 -     100 -  160.02 sent/s -  5012 words/s - MLM-en:  7.1021 - MLM-fr:  7.2001 -  - model LR: 1.0000e-04\n\
         INFO - 02/25/19 13:47:45 - 0:01:26 -     150 -  158.90 sent/s -  4987 words/s - MLM-en:  6.8811 - MLM-fr:  6.9002 -  - model LR: 1.0000e-04\n",
    );
    assert_eq!((a.last_step, a.loss.last), (Some(150), Some(6.8811)));
    // Its other lines are not steps.
    let a = analyze(
        "INFO - 03/11/25 14:44:10 - 0:00:23 - Initialized random generator for worker 4, with seed [4, 0, 42] (base seed=42).\n",
    );
    assert_eq!(a.last_step, None);
}

#[test]
fn an_absl_loops_bracketed_train_counter_before_a_metrics_dict() {
    let a = analyze(
        "I1216 14:22:57.913980 139628846601088 train.py:577] [Train 10/1882] {'grads_finite': 1.0, 'loss_scale': 1.0, 'train_loss': 0.0077463057823479176}\n\
         I1216 14:23:03.112304 139628846601088 train.py:577] [Train 20/1882] {'grads_finite': 1.0, 'loss_scale': 1.0, 'train_loss': 0.0061}\n\
         I1216 14:23:09.410011 139628846601088 train.py:577] [Train 30/1882] {'grads_finite': 1.0, 'loss_scale': 1.0, 'train_loss': 0.0052}\n",
    );
    assert_eq!(
        (a.last_step, a.total_steps, a.loss.first, a.loss.last),
        (
            Some(30),
            Some(1882),
            Some(0.0077463057823479176),
            Some(0.0052)
        )
    );
}

#[test]
fn tensorflows_resource_exhausted_oom_is_out_of_memory() {
    let a = analyze(
        "2019-05-09 14:49:11.318542: W tensorflow/core/framework/op_kernel.cc:1273] OP_REQUIRES failed at cudnn_pooling_gpu.cc:160 : Resource exhausted: OOM when allocating tensor with shape[2,64,400,112,112] and type float on /job:localhost/replica:0/task:0/device:GPU:0 by allocator GPU_0_bfc\n\
         Traceback (most recent call last):\n  File \"train.py\", line 80, in <module>\n    model.fit(x, y)\n\
         tensorflow.python.framework.errors_impl.ResourceExhaustedError: OOM when allocating tensor with shape[2,64,400,112,112] and type float on /job:localhost/replica:0/task:0/device:GPU:0 by allocator GPU_0_bfc\n",
    );
    let fatal: Vec<_> = a.errors.iter().filter(|e| e.fatal).collect();
    assert_eq!(fatal.len(), 1, "{:?}", a.errors);
    assert_eq!(fatal[0].class, ErrorClass::Memory);
}

#[test]
fn a_traceback_that_powershell_wrapped_between_path_and_line_number_stays_one() {
    let a = analyze(
        "Traceback (most recent call last):\n  \
         File \"C:\\Users\\M AJAY\\OneDrive\\Desktop\\ALL\\47.Acute_lymphoblastic_leukem\n\
         ia_Classification_Based_on_Convolutional_Neural_Network (1)\\AcuteLymphobla\n\
         sticLukemia1\\Code\\AcuteLymphoblasticLukemiaDetection\\train_model.py\", \n\
         line 304, in <module>\n    \
         print(f\"\\n\\u2713 Model saved to: {model_path}\")\n  \
         File \"C:\\Users\\M \n\
         AJAY\\AppData\\Local\\Programs\\Python\\Python311\\Lib\\encodings\\cp1252.py\", \n\
         line 19, in encode\n    \
         return codecs.charmap_encode(input,self.errors,encoding_table)[0]\n           \
         ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n\
         UnicodeEncodeError: 'charmap' codec can't encode character '\\u2713' in \n\
         position 2: character maps to <undefined>\n",
    );
    assert_eq!(a.errors.len(), 1, "{:?}", a.errors);
    assert!(a.errors[0].fatal && a.errors[0].message.starts_with("UnicodeEncodeError"));
}

#[test]
fn autoresearchs_summary_after_its_time_budget_ends_the_run() {
    let mut log = String::new();
    for (step, pct) in [(34, "90.9"), (35, "94.9"), (36, "98.8")] {
        log.push_str(&format!(
            "\rstep {step:05} ({pct}%) | loss: 2.9{step} | lrm: 0.03 | dt: 11889ms | tok/sec: 44,097 | mfu: 12.1% | epoch: 1 | remaining: 0s    "
        ));
    }
    log.push_str(
        "\r\nSaved checkpoint_pre_eval.pt\r\nEval completed with batch_size=8\r\n---\r\n\
         val_bpb:          0.855121\r\ntraining_seconds: 308.4\r\ntotal_seconds:    582.7\r\n\
         peak_vram_mb:     3464.3\r\nnum_steps:        37\r\n",
    );
    let a = analyze(&log);
    assert_eq!((a.last_step, a.loss.last), (Some(36), Some(2.936)));
    assert_eq!(a.verdict, "completed");
}

#[test]
fn a_loops_train_and_val_numbers_without_the_word_loss() {
    let a = analyze(
        "Epoch 1: Train=447479.91936  Val=442149.83827  MAE=824.50142\n\n\
         Epoch 2: Train=431387.97797  Val=426593.12271  MAE=779.86735\n\n\
         Epoch 3: Train=422279.55265  Val=422641.41035  MAE=768.81487\n",
    );
    assert_eq!(
        (a.last_step, a.loss.first, a.loss.last),
        (Some(3), Some(447479.91936), Some(422279.55265))
    );
    // Accuracies are not losses.
    let a =
        analyze("Epoch 1: Train acc: 0.91 Val acc: 0.88\nEpoch 2: Train acc: 0.93 Val acc: 0.90\n");
    assert_eq!(a.loss.last, None);
}

#[test]
fn epoch_and_batch_pairs_and_the_pytorch_tutorials_end() {
    // `print(f'[{epoch + 1}, {i + 1:5d}] loss: {running_loss / 2000:.3f}')`
    let a = analyze(
        "[1,  2000] loss: 2.203\n[1,  4000] loss: 1.870\n[1,  6000] loss: 1.682\n\
         [2,  2000] loss: 1.580\n[2,  4000] loss: 1.521\n[2,  6000] loss: 1.470\n\
         Finished Training\n",
    );
    // (How many mini-batches an epoch has it never says: no step.)
    assert_eq!(
        (a.last_step, a.loss.first, a.loss.last),
        (None, Some(2.203), Some(1.47))
    );
    assert_eq!(a.verdict, "completed");
    // I-JEPA's form says how many batches an epoch has.
    let a = analyze(
        "INFO:root:[1,     0/ 2562] loss: 0.471 masks: 68.0 44.0 [wd: 4.00e-02] [lr: 2.04e-04]\n\
         INFO:root:[1,    50/ 2562] loss: 0.433 masks: 68.0 44.0 [wd: 4.00e-02] [lr: 2.04e-04]\n\
         INFO:root:[2,     0/ 2562] loss: 0.401 masks: 68.0 44.0 [wd: 4.00e-02] [lr: 2.04e-04]\n",
    );
    // (Its batches count from 0: batch 0 of epoch 2 is the 2,563rd.)
    assert_eq!((a.last_step, a.loss.last), (Some(2563), Some(0.401)));
}

#[test]
fn mxnet_batch_lines_count_epochs_and_name_their_losses() {
    // GluonCV's SSD under a `%(filename)s[line:%(lineno)d] - %(levelname)s:` head.
    let a = analyze(
        "2020-08-31 14:53:06,644 - train_net.py[line:175] - INFO: [Epoch 0][Batch 0], Speed: 0.926 samples/sec, CrossEntropy=1.83e+00, SmoothL1=3.00e-03, val_AP=0.136\n\
         2020-08-31 14:53:31,142 - train_net.py[line:175] - INFO: [Epoch 0][Batch 50], Speed: 0.563 samples/sec, CrossEntropy=9.23e-01, SmoothL1=2.18e-03, val_AP=0.169\n\
         2020-08-31 14:53:54,413 - train_net.py[line:175] - INFO: [Epoch 1][Batch 0], Speed: 0.603 samples/sec, CrossEntropy=2.98e-02, SmoothL1=2.81e-03, val_AP=0.299\n\
         2020-08-31 14:54:18,001 - train_net.py[line:175] - INFO: [Epoch 1][Batch 50], Speed: 0.601 samples/sec, CrossEntropy=2.11e-02, SmoothL1=2.70e-03, val_AP=0.301\n\
         2020-08-31 14:54:41,871 - train_net.py[line:175] - INFO: [Epoch 2][Batch 0], Speed: 0.610 samples/sec, CrossEntropy=1.75e-02, SmoothL1=2.52e-03, val_AP=0.320\n",
    );
    assert_eq!(
        (a.last_step, a.loss.first, a.loss.last),
        (Some(2), Some(1.83), Some(0.0175))
    );
    // The Speedometer: no loss, the epochs still count.
    let a = analyze(
        "Epoch[0] Batch [0-100]\tSpeed: 5129.31 samples/sec\taccuracy=0.781250\n\
         Epoch[0] Train-accuracy=0.812500\nEpoch[0] Time cost=10.235\n\
         Epoch[1] Batch [0-100]\tSpeed: 5201.77 samples/sec\taccuracy=0.901250\n\
         Epoch[2] Batch [0-100]\tSpeed: 5188.02 samples/sec\taccuracy=0.931250\n",
    );
    assert_eq!(a.last_step, Some(2));
}

#[test]
fn step_lines_that_stdout_printed_after_stderrs_traceback_header_are_steps() {
    // wandb's output.log merged the two streams out of order.
    let a = analyze(
        "Epochs:   0%|          | 0/126 [00:53<?, ?it/s]\n\
         Traceback (most recent call last):\n\
         Step: 99 (0) | Loss: 1.26963 | Grad: 17.41233 | Lr: 1.110e-06\n\
         Step: 199 (0) | Loss: 0.61775 | Grad: 4.85339 | Lr: 2.221e-06\n\
         Step: 299 (0) | Loss: 0.25981 | Grad: 1.02414 | Lr: 3.332e-06\n\
         Generating samples at epoch 0\n  \
           File \"/home/u/d-flow/train.py\", line 164, in <module>\n    \
             gen_x = sample_images(model, shape, num_steps=2)\n\
         torch._dynamo.exc.TorchRuntimeError: Dynamo failed to run FX node with fake tensors\n",
    );
    assert_eq!(
        (a.last_step, a.loss.first, a.loss.last),
        (Some(299), Some(1.26963), Some(0.25981))
    );
    let fatal: Vec<_> = a.errors.iter().filter(|e| e.fatal).collect();
    assert_eq!(fatal.len(), 1, "{:?}", a.errors);
    assert!(
        fatal[0]
            .message
            .starts_with("torch._dynamo.exc.TorchRuntimeError")
    );
}

#[test]
fn mmengines_log_file_head_with_a_full_date() {
    let a = analyze(
        "2023/06/06 21:59:33 - mmengine - INFO - Epoch(train)   [1][100/137]  lr: 1.9051e-06  eta: 2:11:38  time: 0.1868  data_time: 0.0008  memory: 5806  loss: 3.5246\n\
         2023/06/06 22:00:02 - mmengine - INFO - Epoch(train)   [2][100/137]  lr: 4.4030e-06  eta: 2:09:50  time: 0.1877  data_time: 0.0008  memory: 5806  loss: 3.4712\n\
         2023/06/06 22:00:31 - mmengine - INFO - Epoch(train)   [3][100/137]  lr: 6.9010e-06  eta: 2:09:22  time: 0.1892  data_time: 0.0008  memory: 5806  loss: 3.4321\n",
    );
    assert_eq!(
        (a.last_step, a.loss.first, a.loss.last),
        (Some(2 * 137 + 100), Some(3.5246), Some(3.4321))
    );
    assert_eq!(a.clock, Clock::LogTimestamps);
}

#[test]
fn steps_that_start_over_each_epoch_without_a_total_count_on() {
    // MindSpore's LossMonitor in sink mode: the epoch's last step only.
    let a = analyze(
        "epoch: 1 step: 62, loss is 2.279783010482788\n\
         epoch: 2 step: 62, loss is 2.2144224643707275\n\
         epoch: 3 step: 62, loss is 1.6496938467025757\n",
    );
    assert_eq!(
        (a.last_step, a.loss.last),
        (Some(186), Some(1.6496938467025757))
    );
    // Per step, starting over each epoch.
    let a = analyze(
        "epoch: 1 step: 1, loss is 2.3\nepoch: 1 step: 2, loss is 2.2\nepoch: 1 step: 3, loss is 2.1\n\
         epoch: 2 step: 1, loss is 2.0\nepoch: 2 step: 2, loss is 1.9\n",
    );
    assert_eq!(a.last_step, Some(5));
    // An epoch's summary that repeats the global step of the line before.
    let a = analyze(
        "[Epoch 000][Step 0600/1200] global_step=600 train_loss=5.1\n\
         [Epoch 000][Step 1200/1200] global_step=1200 train_loss=4.2\n\
         [Epoch 000] global_step=1200  train_loss=4.1144 steps=1200\n\
         [Epoch 001][Step 0600/1200] global_step=1800 train_loss=3.9\n\
         [Epoch 001][Step 1200/1200] global_step=2400 train_loss=3.8\n\
         [Epoch 001] global_step=2400  train_loss=3.6968 steps=1200\n",
    );
    assert_eq!(a.last_step, Some(2400));
    // A global step with its epoch is left alone.
    let a = analyze(
        "epoch 1 step 100 loss 2.3\nepoch 1 step 200 loss 2.2\nepoch 2 step 300 loss 2.1\nepoch 2 step 400 loss 2.0\n",
    );
    assert_eq!(a.last_step, Some(400));
}

#[test]
fn hf_dicts_without_a_bar_count_steps_when_the_logging_interval_was_printed() {
    // stdout only (the bar went to stderr): the arguments say each dict is
    // `logging_steps` steps.
    let a = analyze(
        "[2024-01-07 17:45:11,718] [INFO] [launch.py:151:main] cmd = python train.py --logging_steps 2 --tf32 False\n\
         {'loss': 7.5859, 'learning_rate': 0.0, 'epoch': 0.0}\n\
         {'loss': 7.4512, 'learning_rate': 1e-05, 'epoch': 0.0}\n\
         {'loss': 7.1022, 'learning_rate': 2e-05, 'epoch': 0.0}\n",
    );
    assert_eq!((a.last_step, a.loss.last), (Some(6), Some(7.1022)));
    // Without it, a dict's step is not known.
    let a = analyze(
        "{'loss': 7.5859, 'learning_rate': 0.0, 'epoch': 0.0}\n{'loss': 7.4512, 'learning_rate': 1e-05, 'epoch': 0.0}\n",
    );
    assert_eq!(a.last_step, None);
    assert_eq!(parse::logging_steps("  logging_steps: 1      "), Some(1));
    assert_eq!(parse::logging_steps("logging_steps=0.01,"), None);
}

#[test]
fn an_epoch_bar_whose_description_writes_epoch_equals() {
    let mut log = String::new();
    for e in 0..3 {
        for n in [0, 150, 300, 341] {
            log += &format!(
                "Epoch={e} | Batch_id={} | Loss=1.{e}{n}: {:3}%|#         | {n}/341 [00:55<01:08,  2.78it/s]\r",
                n.max(1) - 1,
                n * 100 / 341
            );
        }
        log += "\n";
    }
    let a = analyze(&log);
    assert_eq!(a.last_step, Some(3 * 341));
}

#[test]
fn a_patience_counter_that_ran_out_and_an_end_line_in_chinese() {
    let steps = "Epoch [57/100], Iter [1040/1070] Loss: 1.3398, average_loss: 1.1431\n\
                 Epoch [57/100], Iter [1060/1070] Loss: 0.9867, average_loss: 1.1420\n";
    let a = analyze(&format!("{steps}EarlyStopping counter: 3 out of 8\n"));
    assert!(!a.finished, "{}", a.verdict);
    let a = analyze(&format!("{steps}EarlyStopping counter: 9 out of 8\n"));
    assert!(a.finished, "{}", a.verdict);
    let a = analyze(&format!(
        "{steps}[2026-06-15 17:28:57,662] INFO - 预训练完成！\n"
    ));
    assert!(a.finished, "{}", a.verdict);
}

/// A per-epoch bar whose description says its epoch in Chinese: `第 2/5 轮
/// 训练` (round 2 of 5): the steps count on across epochs, to five of them.
#[test]
fn a_per_epoch_bar_described_in_chinese() {
    let epoch = |e: u32| {
        format!(
            "第 {e}/5 轮 训练:   0%|          | 0/500 [00:00<?, ?it/s]\r第 {e}/5 轮 训练: 100%|██████████| 500/500 [01:01<00:00,  8.16it/s, 损失=0.45]\n"
        )
    };
    let a = analyze(&(epoch(1) + &epoch(2)));
    assert_eq!((a.last_step, a.total_steps), (Some(1000), Some(2500)));
    // (Not a step's number: `第 3 步`.)
    let a = analyze("第 3 步:  50%|█████     | 5/10 [00:01<00:01,  5.00it/s]\n");
    assert_eq!(a.total_steps, Some(10));
}

#[test]
fn stylegan_ticks_count_thousands_of_images() {
    let a = analyze(
        "Training for 25000 kimg...\n\n\
         tick 0     kimg 1360.0   time 1m 03s       sec/tick 11.4    sec/kimg 2847.53 maintenance 51.9   cpumem 4.25   gpumem 33.66  augment 0.430\n\
         tick 1     kimg 1364.0   time 34m 28s      sec/tick 867.7   sec/kimg 216.93  maintenance 1136.8 cpumem 4.99   gpumem 8.01   augment 0.440\n\
         tick 2     kimg 1368.0   time 49m 07s      sec/tick 879.5   sec/kimg 219.86  maintenance 0.0    cpumem 4.99   gpumem 7.96   augment 0.452\n\
         tick 3     kimg 1372.0   time 1h 03m 51s   sec/tick 883.4   sec/kimg 220.86  maintenance 0.0    cpumem 4.99   gpumem 8.00   augment 0.462\n",
    );
    assert_eq!((a.last_step, a.total_steps), (Some(1372), Some(25000)));
    // 12 kimg from 1m 03s to 1h 03m 51s, by the ticks' own clock.
    let overall = a.steps_per_sec.overall.expect("timed");
    assert!((overall - 12.0 / (3831.0 - 63.0)).abs() < 1e-6, "{overall}");
}

#[test]
fn review_of_round_27_and_28_shapes() {
    // An exception whose message names a `.py"` file is still the exception.
    let a = analyze(
        "Traceback (most recent call last):\n  File \"tools/train.py\", line 121, in <module>\n    main()\n\
         FileNotFoundError: file \"/work/configs/my_cfg.py\" does not exist\n",
    );
    assert!(a.verdict.starts_with("fatal:"), "{}", a.verdict);
    // A second run appended: its epochs and steps start over.
    let a = analyze(
        "epoch: 1 step: 1, loss is 2.3\nepoch: 1 step: 2, loss is 2.2\nepoch: 2 step: 1, loss is 2.1\nepoch: 2 step: 2, loss is 2.0\n\
         epoch: 1 step: 1, loss is 2.4\nepoch: 1 step: 2, loss is 2.3\nepoch: 2 step: 1, loss is 2.2\n",
    );
    assert_eq!(a.last_step, Some(3));
    // Logged per epoch: the dicts are not `logging_steps` apart.
    let dicts = "{'loss': 2.1, 'learning_rate': 1e-05, 'epoch': 1.0}\n{'loss': 1.9, 'learning_rate': 1e-05, 'epoch': 2.0}\n";
    let a = analyze(&format!(
        "logging_steps=500,\nlogging_strategy=epoch,\n{dicts}"
    ));
    assert_eq!(a.last_step, None);
    let a = analyze(&format!(
        "logging_first_step=True,\nlogging_steps=500,\nlogging_strategy=steps,\n{dicts}"
    ));
    assert_eq!(a.last_step, Some(500));
    // A loop's per-epoch `[Train 100/391]` is not a run's step and total.
    let a = analyze(
        "[Train 100/391] loss: 0.52\n[Train 200/391] loss: 0.50\n[Train 100/391] loss: 0.48\n",
    );
    assert_ne!(a.total_steps, Some(391));
    // Accuracies are not a loss.
    let a = analyze("Epoch 5: Train 91.2% Val 89.1%\nEpoch 6: Train 92.0% Val 89.5%\n");
    assert_eq!(a.loss.last, None);
}

#[test]
fn a_counter_line_and_its_loss_on_the_next_line() {
    // N2NMN's TF1 loop.
    let a = analyze(
        "iter = 20\n\tloss = 2.454092, accuracy (cur) = 0.296875, accuracy (avg) = 0.060196\n\
         iter = 40\n\tloss = 2.158724, accuracy (cur) = 0.312500, accuracy (avg) = 0.111336\n\
         iter = 60\n\tloss = 1.927430, accuracy (cur) = 0.328125, accuracy (avg) = 0.153262\n",
    );
    assert_eq!(
        (a.last_step, a.loss.first, a.loss.last),
        (Some(60), Some(2.454092), Some(1.92743))
    );
    // A counter alone is no step.
    assert_eq!(analyze("step 5\nsome other output\n").last_step, None);
}

#[test]
fn a_traceback_a_logger_wrote_that_training_went_on_after_is_not_fatal() {
    let tb = "(CursorLoopWorker pid=57714) ERROR:2026-03-26 21:59:41,526:Traceback (most recent call last):\n\
              (CursorLoopWorker pid=57714)   File \"agent_loop.py\", line 88, in run\n\
              (CursorLoopWorker pid=57714)     x, y = parse(out)\n\
              (CursorLoopWorker pid=57714) TypeError: cannot unpack non-iterable NoneType object\n";
    let steps = "(TaskRunner pid=38606) step:1 - actor/pg_loss:6.18e-10 - actor/grad_norm:0.91\n\
                 (TaskRunner pid=38606) step:2 - actor/pg_loss:3.85e-10 - actor/grad_norm:0.88\n\
                 (TaskRunner pid=38606) step:3 - actor/pg_loss:3.11e-10 - actor/grad_norm:0.87\n";
    let a = analyze(&format!("{tb}{steps}"));
    assert!(a.errors.iter().all(|e| !e.fatal), "{:?}", a.errors);
    // Logged, and then nothing: it may have been the end.
    let a = analyze(&format!("{steps}{tb}"));
    assert!(a.verdict.starts_with("fatal:"), "{}", a.verdict);
}

#[test]
fn no_gpu_and_lightnings_graceful_interrupt() {
    let a = analyze(
        "Traceback (most recent call last):\n  File \"t.py\", line 3, in <module>\n    torch.zeros(1).cuda()\n\
         RuntimeError: No CUDA GPUs are available\n",
    );
    assert_eq!(a.errors[0].class, ErrorClass::Cuda);
    let a = analyze(
        "[2025-03-01 10:00:00,000] [INFO] [runner.py:568:main] cmd = deepspeed train.py\n\
         RuntimeError: Unable to proceed, no GPU resources available\n",
    );
    assert_eq!(a.errors[0].class, ErrorClass::Cuda);
    let a = analyze(
        "Epoch 39, global step 40: 'valid_loss' was not in top 1\n\n\
         Detected KeyboardInterrupt, attempting graceful shutdown ...\n",
    );
    assert_eq!(
        (a.errors[0].class, a.errors[0].fatal),
        (ErrorClass::Killed, true)
    );
}

#[test]
fn a_bracketed_counter_without_a_separator() {
    let a = analyze(
        "[epoch0] trian_loss=315.74 train_maxp=0.50 valid_loss=301.18 valid_maxp=0.54 bps=53 *\n\
         [epoch1] trian_loss=272.44 train_maxp=0.62 valid_loss=266.15 valid_maxp=0.67 bps=68 *\n\
         [epoch2] trian_loss=244.86 train_maxp=0.70 valid_loss=244.30 valid_maxp=0.71 bps=68 *\n",
    );
    assert_eq!(
        (a.last_step, a.loss.first, a.loss.last),
        (Some(2), Some(315.74), Some(244.86))
    );
}

#[test]
fn paddles_tutorial_loop_with_its_batch_ids_and_array_losses() {
    let a = analyze(
        "epoch: 0, batch_id: 0, loss is: [2.3125851]\nepoch: 0, batch_id: 100, loss is: [0.6541]\n\
         epoch: 0, batch_id: 200, loss is: [0.4410]\nepoch: 1, batch_id: 0, loss is: [0.3921]\n\
         epoch: 1, batch_id: 100, loss is: [0.3302]\n",
    );
    assert_eq!(
        (a.last_step, a.loss.first, a.loss.last),
        (Some(300), Some(2.3125851), Some(0.3302))
    );
}

#[test]
fn the_line_after_a_loop_announces_its_evaluation_is_the_evaluations() {
    // Train and eval lines look the same; the line before tells.
    let a = analyze(
        "testing in eval mode……\nepoch: 0,  loss is: 2.504774796962738, acc is: 0.0708\n\
         epoch: 0,  loss is: 0.6285572392599923, acc is: 0.7797\n\
         testing in eval mode……\nepoch: 0,  loss is: 0.48661240488290786, acc is: 0.8352\n\
         Now continue training……\n\
         epoch: 1,  loss is: 0.3674923047727468, acc is: 0.8732\n\
         testing in eval mode……\nepoch: 1,  loss is: 0.575961934030056, acc is: 0.8035\n",
    );
    assert_eq!(
        (a.last_step, a.loss.first, a.loss.last),
        (Some(1), Some(0.6285572392599923), Some(0.3674923047727468))
    );
    assert_eq!(a.eval.last_loss, Some(0.575961934030056));
}

#[test]
fn mmcvs_total_loss_and_paddlevideos_val_steps() {
    let a = analyze(
        "2023-07-13 16:23:37,511 - mmhuman3d - INFO - Epoch [4][50/2439]\tlr_backbone: 1.000e-04, eta: 78 days, 19:48:26, time: 14.176, keypoints3d_loss: 0.2001, adv_loss: 0.2783, loss: 0.6171\n\
         2023-07-13 16:34:46,008 - mmhuman3d - INFO - Epoch [4][100/2439]\tlr_backbone: 1.000e-04, eta: 76 days, 13:52:45, time: 13.370, keypoints3d_loss: 0.2157, adv_loss: 0.2792, loss: 0.6474\n",
    );
    assert_eq!((a.loss.first, a.loss.last), (Some(0.6171), Some(0.6474)));
    let a = analyze(
        "[12/25 14:22:40] epoch:[  1/25 ] train step:0    loss: 4.97011 lr: 0.010000 top1: 0.01562\n\
         [12/25 14:24:53] epoch:[  1/25 ] train step:100  loss: 3.45068 lr: 0.010000 top1: 0.23438\n\
         [12/25 14:25:38] epoch:[  1/25 ] val step:0    loss: 2.69097 top1: 0.32812\n\
         [12/25 14:26:40] epoch:[  2/25 ] train step:0    loss: 2.97011 lr: 0.010000 top1: 0.31562\n\
         [12/25 14:28:53] epoch:[  2/25 ] train step:100  loss: 2.45068 lr: 0.010000 top1: 0.43438\n",
    );
    assert_eq!((a.last_step, a.loss.last), (Some(200), Some(2.45068)));
}

#[test]
fn a_loops_ep_and_batch_counters() {
    let a = analyze(
        "ep: 0, batch: 20, time: 9.17, ntokens: 485.20/513, loss: 10.984375\n\
         ep: 0, batch: 40, time: 9.02, ntokens: 490.10/513, loss: 9.871\n\
         ep: 0, batch: 60, time: 9.11, ntokens: 488.00/513, loss: 8.5\n",
    );
    assert_eq!(
        (a.last_step, a.loss.first, a.loss.last),
        (Some(60), Some(10.984375), Some(8.5))
    );
}

#[test]
fn colberts_batch_and_loss_after_its_message_head() {
    let a = analyze(
        "\t\t\t\t 0.5405381917953491 5.7164106369018555\n#>>>    5.09 5.08 \t\t|\t\t 0.009999999999999787\n\
         [Mar 29, 16:21:59] 0 6.256948947906494\nTrue\n\
         [Mar 29, 16:22:00] 1 6.257179573059082\nTrue\n\
         [Mar 29, 16:22:02] 2 6.101\nTrue\n\
         [Mar 29, 16:22:04] 3 6.0\n",
    );
    assert_eq!(
        (a.last_step, a.loss.first, a.loss.last),
        (Some(3), Some(6.256948947906494), Some(6.0))
    );
    let overall = a.steps_per_sec.overall.expect("timed by the heads");
    assert!((overall - 3.0 / 5.0).abs() < 1e-9, "{overall}");
    // Its other messages are not steps.
    assert_eq!(
        analyze("[Mar 29, 16:21:50] #> Loading model\n").last_step,
        None
    );
}

#[test]
fn a_loss_printed_as_total_and_a_step_line_before_a_metrics_dict() {
    let a = analyze(
        "[epoch: 1/200, iter: 0/489] total: 1.640443 \n[epoch: 1/200, iter: 25/489] total: 1.712007 \n\
         [epoch: 2/200, iter: 0/489] total: 1.5 \n",
    );
    assert_eq!(
        (a.last_step, a.loss.first, a.loss.last),
        (Some(489), Some(1.640443), Some(1.5))
    );
    // GraphRetro.
    let a = analyze(
        "After 1 steps, Global Step: 1\n\nTrain Metrics so far: {'loss': 5.6897, 'accuracy': 0.0}\n\n\
         After 201 steps, Global Step: 201\n\nTrain Metrics so far: {'loss': 2.2425, 'accuracy': 0.1364}\n\n\
         After 401 steps, Global Step: 401\n\nTrain Metrics so far: {'loss': 1.9807, 'accuracy': 0.1913}\n",
    );
    assert_eq!((a.last_step, a.loss.last), (Some(401), Some(1.9807)));
}

#[test]
fn pointnets_mean_loss_lines_under_its_epoch_headers() {
    let a = analyze(
        "**** EPOCH 000 ****\n---------\nmean loss: 0.018582\naccuracy: 0.062500\nmean loss: 2.301423\naccuracy: 0.340545\n\
         ---- EPOCH 000 EVALUATION ----\neval mean loss: 1.817910\neval accuracy: 0.62\n\
         **** EPOCH 001 ****\n---------\nmean loss: 1.412\naccuracy: 0.6\nmean loss: 1.301\naccuracy: 0.61\n",
    );
    assert_eq!((a.last_step, a.loss.last), (Some(1), Some(1.301)));
    assert_eq!(parse::header_loss_line("eval mean loss: 1.817910"), None);
}

#[test]
fn an_argparse_refusal_after_the_usage_block_is_fatal() {
    let a = analyze(
        "usage: Accelerate launch command [-h] [--config_file CONFIG_FILE] [--quiet]\n\
         \x20                                [--machine_rank MACHINE_RANK]\n\
         \x20                                training_script ...\n\
         Accelerate launch command: error: argument --machine_rank/--machine-rank: invalid int value: ''\n",
    );
    assert_eq!(a.errors.len(), 1);
    assert_eq!(a.errors[0].class, ErrorClass::Runtime);
    assert!(a.errors[0].fatal);
    assert!(
        a.verdict
            .starts_with("fatal: bad command line: argument --machine_rank"),
        "{}",
        a.verdict
    );
    let a = analyze("train.py: error: unrecognized arguments: --local-rank=0\n");
    assert!(
        a.verdict
            .starts_with("fatal: bad command line: unrecognized arguments")
    );
    // Prose about an error is not argparse's.
    let a = analyze("note: error: this is fine\nLoss: error: nothing\n");
    assert!(a.errors.is_empty());
}

#[test]
fn a_bracketed_counter_with_a_loss_and_a_learning_rate() {
    // A hand-written loop printing every 5 epochs of 200.
    let a = analyze(
        "[005/200] Loss=0.0379 | PSNR=29.16dB | lr=4.81e-05 | 190s\n\
         [010/200] Loss=0.0372 | PSNR=29.08dB | lr=4.28e-05 | 190s\n\
         [200/200] Loss=0.0328 | PSNR=29.67dB | lr=1.00e-06 | 190s  \u{2705} Best!\n",
    );
    assert_eq!(
        (a.last_step, a.total_steps, a.loss.first, a.loss.last),
        (Some(200), Some(200), Some(0.0379), Some(0.0328))
    );
    // Without a learning rate it is not taken for a step (a test set's
    // `[3/10] loss: 0.2` could be anything).
    let a = analyze("[3/10] loss: 0.2\n[4/10] loss: 0.1\n");
    assert_eq!(a.last_step, None);
}

#[test]
fn build_nanogpts_log_file() {
    let a = analyze(
        "0 train 2.689321\n1 train 2.757722\n250 val 2.2391\n250 hella 0.2955\n251 train 1.9\n",
    );
    assert_eq!(a.format, Format::NanoGpt);
    assert_eq!(
        (a.last_step, a.loss.first, a.loss.last),
        (Some(251), Some(2.689321), Some(1.9))
    );
    assert_eq!(a.eval.count, 1);
}

#[test]
fn epochs_starting_over_begin_the_next_fold() {
    // A Kaggle k-fold loop: one line per epoch, each fold from epoch 1.
    let a = analyze(
        "========== fold: 0 training ==========\n\
         Epoch 1 - avg_train_loss: 0.6962  avg_val_loss: 0.6354  time: 20s\n\
         Epoch 2 - avg_train_loss: 0.5000  avg_val_loss: 0.6300  time: 20s\n\
         Epoch 3 - avg_train_loss: 0.4000  avg_val_loss: 0.6200  time: 20s\n\
         ========== fold: 1 training ==========\n\
         Epoch 1 - avg_train_loss: 0.7000  avg_val_loss: 0.6354  time: 20s\n\
         Epoch 2 - avg_train_loss: 0.6318  avg_val_loss: 0.6369  time: 30s\n",
    );
    assert_eq!((a.last_step, a.loss.last), (Some(2), Some(0.6318)));
    assert_eq!(a.loss.count, 5);
    // An iteration counter that goes back to 1 is not a new fold, and a
    // line that reads as epoch 1 between iteration lines changes nothing
    // once `[ INFO ] ` is read as a level (mmdetection logged three ways).
    let a = analyze(
        "2022-02-09 20:28:32,418 - mmdet - INFO - Epoch [1][658/742]\tlr: 5.000e-05, eta: 2:15:01, time: 0.396, data_time: 0.159, memory: 4127, loss: 0.5\n\
         [ INFO ] Epoch [1][658/742]\tlr: 5.000e-05, eta: 2:15:01, time: 0.396, data_time: 0.159, memory: 4127, loss: 0.5\n\
         2022-02-09 20:28:32,811 - mmdet - INFO - Epoch [1][659/742]\tlr: 5.000e-05, eta: 2:15:02, time: 0.392, data_time: 0.159, memory: 4127, loss: 0.4\n",
    );
    assert_eq!(a.last_step, Some(659));
}

#[test]
fn a_gans_generator_loss_and_a_tf1_scripts_epoch_banners() {
    // A speech GAN: `loss_G` is the loss (a `loss_D` would be the critic's).
    let a = analyze(
        "step  705000 | phase 2 | loss_G -2.6541 | sep -2.7236 | phase_l 0.0944 | lr 1.32e-04 | rss 1283MB | 1.52s\n\
         step  705100 | phase 2 | loss_G -1.9000 | sep -2.0000 | phase_l 0.0944 | lr 1.32e-04 | rss 1283MB | 1.52s\n",
    );
    assert_eq!(
        (a.last_step, a.loss.first, a.loss.last),
        (Some(705100), Some(-2.6541), Some(-1.9))
    );
    assert_eq!(parse::loss_in(b"loss_D 0.5"), None);
    // A TF1 script's banner per epoch, its cross entropy under it.
    let a = analyze(
        "################### EPOCH 0 #####################\nTRAIN CROSS ENTROPY: 0.478496652367\nVALID CROSS ENTROPY: 0.531556963921\n\
         ################### EPOCH 1 #####################\nTRAIN CROSS ENTROPY: 0.3\nVALID CROSS ENTROPY: 0.5\n",
    );
    assert_eq!(
        (a.last_step, a.loss.first, a.loss.last),
        (Some(1), Some(0.478496652367), Some(0.3))
    );
    assert_eq!(parse::epoch_header("=== Epoch 3 ==="), Some((3, None)));
    assert_eq!(parse::epoch_header("Epoch: 0/100, "), Some((0, Some(100))));
    assert_eq!(
        parse::epoch_header("Train Epoch: 1/70 ..."),
        Some((1, Some(70)))
    );
    // (Keras's header is its own reader's.)
    assert_eq!(parse::epoch_header("Epoch 1/70"), None);
    assert_eq!(parse::epoch_header("---- EPOCH 000 EVALUATION ----"), None);
    // A sign is not a rule.
    assert_eq!(parse::epoch_header("-epoch 3"), None);
}

#[test]
fn apples_mps_out_of_memory_is_a_memory_error() {
    let a = analyze(
        "Traceback (most recent call last):\n  File \"finetune_granite.py\", line 200, in <module>\n    trainer.train()\n\
         RuntimeError: MPS backend out of memory (MPS allocated: 8.45 GiB, other allocations: 10.73 MiB, max allowed: 9.07 GiB). Tried to allocate 768.00 MiB on private pool.\n",
    );
    assert_eq!(a.errors[0].class, ErrorClass::Memory);
    assert_eq!(a.verdict, "fatal: out of memory (Apple MPS backend)");
}

#[test]
fn a_process_that_exited_well_ends_the_run() {
    for end in [
        "wandb: Waiting for W&B process to finish... (success).",
        "\x1b[34m\x1b[1mwandb\x1b[0m: Waiting for W&B process to finish, PID 1637153... \x1b[32m(success).\x1b[0m",
        "Process finished with exit code 0",
        "State: COMPLETED (exit code 0)",
    ] {
        let a = analyze(&format!("step 1, loss 2.0\nstep 2, loss 1.5\n{end}\n"));
        assert_eq!(a.verdict, "completed", "{end}");
    }
    let a = analyze(
        "step 1, loss 2.0\nstep 2, loss 1.5\nwandb: Waiting for W&B process to finish, PID 1... (failed 1). Press ctrl-c to abort syncing.\n",
    );
    assert_eq!(a.verdict, "progressing");
}

#[test]
fn deits_json_log_counts_epochs() {
    let a = analyze(
        "{\"train_lr\": 9.99999999999769e-07, \"train_loss\": 6.919728336438455, \"test_acc1\": 0.526, \"epoch\": 0, \"n_parameters\": 23448808}\n\
         {\"train_lr\": 1.000318694325789e-05, \"train_loss\": 4.34582535358819, \"test_acc1\": 65.036, \"epoch\": 1, \"n_parameters\": 23448808}\n",
    );
    assert_eq!(a.format, Format::Unknown);
    // (Epochs 0 and 1 done: two.)
    assert_eq!(
        (a.last_step, a.loss.first, a.loss.last),
        (Some(2), Some(6.919728336438455), Some(4.34582535358819))
    );
    assert!(a.notes.iter().any(|n| n.contains("its steps are epochs")));
}

#[test]
fn a_printed_configuration_is_not_an_evaluation() {
    // ST-GCN prints its whole configuration as a dict, `eval_interval` in it.
    let a = analyze(
        "[03.24.23|09:56:11] Parameters:\n{'work_dir': './output', 'num_epoch': 50, 'log_interval': 100, 'eval_interval': 5, 'base_lr': 0.1}\n",
    );
    assert_eq!((a.eval.count, a.format), (0, Format::Unknown));
}

#[test]
fn a_logger_name_before_the_level_and_a_bracketed_step_without_a_total() {
    // The semantic-segmentation codebases' `%(asctime)s %(name)s %(levelname)s:`.
    let a = analyze(
        "2023-10-02 23:08:57,029 semantic_segmentation INFO: Iters: 10/20000 || Lr: 0.019992 || Task Loss: 3.2864 || KD Loss: 1.6073|| Cost Time: 0:00:20\n\
         2023-10-02 23:09:05,029 semantic_segmentation INFO: Iters: 20/20000 || Lr: 0.019984 || Task Loss: 3.1000 || KD Loss: 1.6000|| Cost Time: 0:00:28\n",
    );
    assert_eq!(
        (a.last_step, a.total_steps, a.loss.first, a.loss.last),
        (Some(20), Some(20000), Some(3.2864), Some(3.1))
    );
    // Transformer-XL's TensorFlow loop (under absl's `INFO:tensorflow:`).
    let a = analyze(
        "INFO:tensorflow:[  5000] | gnorm  8.33 lr  0.000125 | loss  5.56\nINFO:tensorflow:[ 10000] | gnorm  8.01 lr  0.000250 | loss  5.55\n",
    );
    assert_eq!(
        (a.last_step, a.total_steps, a.loss.last),
        (Some(10000), None, Some(5.55))
    );
}

#[test]
fn threads_dying_together_and_a_spawned_workers_exception() {
    // Three tensorboardX writer threads interleave their tracebacks; then
    // `mp.spawn` reports the worker's exception.
    let a = analyze(
        "Exception in thread Thread-3:\nTraceback (most recent call last):\nException in thread Thread-2:\n\
         \x20 File \"/x/threading.py\", line 1016, in _bootstrap_inner\nTraceback (most recent call last):\n\
         \x20   self.run()\n  File \"/x/connection.py\", line 136, in _check_closed\n\
         \x20   raise OSError(\"handle is closed\")\nOSError: handle is closed\n\
         \x20   raise OSError(\"handle is closed\")\nOSError: handle is closed\n\
         \x20   self._check_closed()\n  File \"/x/connection.py\", line 136, in _check_closed\n\
         \x20   raise OSError(\"handle is closed\")\nOSError: handle is closed\n\
         Traceback (most recent call last):\n  File \"train.py\", line 74, in <module>\n\
         \x20   mp.spawn(main_worker, nprocs=1, args=(config,))\n\
         torch.multiprocessing.spawn.ProcessRaisedException: \n\n-- Process 0 terminated with the following error:\n\
         Traceback (most recent call last):\n  File \"/x/spawn.py\", line 69, in _wrap\n    fn(i, *args)\n\
         RuntimeError: permute(sparse_coo): number of dimensions in the tensor input does not match\n",
    );
    let oserror = a
        .errors
        .iter()
        .find(|e| e.message.starts_with("OSError"))
        .unwrap();
    assert!(!oserror.fatal);
    assert_eq!(a.verdict, "fatal: Python exception: RuntimeError");
}

#[test]
fn a_megatron_smoke_run_shorter_than_its_log_interval() {
    // No iteration line (log_interval 1000 > train_iters 3): the plan, the
    // checkpoint saves and the end line tell the run.
    let a = analyze(
        "------------------------ arguments ------------------------\n\
         \x20 log_interval .................................... 1000\n\
         \x20 train_iters ..................................... 3\n\
         -------------------- end of arguments ---------------------\n\
         [1724683625.658140] [sse-lg-112-41:96227:f]        vfs_fuse.c:281  UCX  ERROR inotify_add_watch(/tmp) failed: No space left on device\n\
         saving checkpoint at iteration       2 to /ckpt in torch_dist format\n\
         \x20 successfully saved checkpoint from iteration       2 to /ckpt\n\
         [after training is done] datetime: 2024-08-26 14:55:22 \n\
         saving checkpoint at iteration       3 to /ckpt in torch_dist format\n\
         \x20 successfully saved checkpoint from iteration       3 to /ckpt\n",
    );
    assert_eq!(a.format, Format::Megatron);
    assert_eq!((a.last_step, a.total_steps), (Some(3), Some(3)));
    assert_eq!(a.verdict, "completed");
    // UCX's inotify limit is not a full disk.
    assert!(a.errors.iter().all(|e| !e.fatal));
}

#[test]
fn a_batch_counter_alone_counts_on_across_epochs() {
    // Per-batch lines, the epoch's summary after them (a W&B sweep run).
    let mut log = String::new();
    for epoch in 1..=3 {
        for batch in (0..48).step_by(4) {
            log += &format!(
                "  Batch {batch:>4}/48 | Loss: 3.9{batch:02} | LR: 7.08e-06 | GradNorm: 1.554\n"
            );
        }
        log += &format!(
            "Epoch {epoch}/30: Train=2.25%, Val=4.07%, Best=4.07% (E1), Gap=-1.82%, LR=1.04e-04\n"
        );
    }
    let a = analyze(&log);
    assert_eq!((a.last_step, a.loss.last), (Some(2 * 48 + 44), Some(3.944)));
    // A new launch counts from its own start.
    log += "Starting training for 300 epochs\n";
    for batch in (0..=90).step_by(10) {
        log += &format!("  Batch {batch:>4}/672 | Loss: 0.8{batch:02}\n");
    }
    let a = analyze(&log);
    assert_eq!(a.last_step, Some(90));
    // A batch size is no counter.
    assert_eq!(analyze("batch: 32, loss: 0.5, lr: 0.1\n").last_step, None);
}

#[test]
fn caffes_plan_and_end() {
    let a = analyze(
        "max_iter: 20000\nI0821 09:21:09.451231  5405 solver.cpp:222] Iteration 0, loss = 2.6409\n\
         I0821 09:41:09.451231  5405 solver.cpp:222] Iteration 20000, loss = 0.0026\n\
         I0821 09:41:10.158893  5405 solver.cpp:296] Optimization Done.\n",
    );
    assert_eq!((a.last_step, a.total_steps), (Some(20000), Some(20000)));
    assert_eq!(a.verdict, "completed");
}

#[test]
fn a_download_bar_in_kilobytes_is_not_training() {
    let a = analyze(
        "  0%|          | 0/225063 [00:00<?, ?KB/s]\r100%|##########| 225063/225063 [00:09<00:00, 24000.00KB/s]\n\
         [07/01 14:45:44] ppdet.engine INFO: Epoch: [0] [  0/268] learning_rate: 0.000000 loss: 57.074520 eta: 21:19:53\n\
         [07/01 14:46:44] ppdet.engine INFO: Epoch: [0] [ 20/268] learning_rate: 0.000010 loss: 40.000000 eta: 21:19:53\n",
    );
    assert_eq!(a.format, Format::Unknown);
    assert_eq!(a.last_step, Some(20));
}

#[test]
fn a_bar_without_a_total_whose_description_is_the_progress_line() {
    // `tqdm(enumerate(loader))` has no length; Proxy-Anchor's loop writes
    // the PyTorch MNIST example's line into the bar's description.
    let a = analyze(
        "Train Epoch: 0 [1/661 (0%)] Loss: 18.932627: : 1it [00:01,  1.40s/it]\r\
         Train Epoch: 0 [652/661 (98%)] Loss: 16.147352: : 652it [02:29,  4.33it/s]\n\
         \x20 0%|          | 0/673 [00:00<?, ?it/s]\r100%|##########| 673/673 [00:20<00:00, 33.00it/s]\n\
         Train Epoch: 1 [10/661 (2%)] Loss: 15.000000: : 10it [00:29,  4.33it/s]\n",
    );
    assert_eq!(
        (a.last_step, a.loss.first, a.loss.last),
        (Some(1), Some(18.932627), Some(15.0))
    );
    // Its `%` is the description's, not a bar's percentage.
    let f = parse::parse_tqdm(
        "Train Epoch: 0 [652/661 (98%)] Loss: 16.147352: : 652it [02:29,  4.33it/s]",
    )
    .unwrap();
    assert_eq!(f.desc, "Train Epoch: 0 [652/661 (98%)] Loss: 16.147352");
    let f = parse::parse_tqdm(" 45%|####5     | 450/1000 [00:55<01:07,  8.15it/s]").unwrap();
    assert_eq!(f.desc, "");
}

#[test]
fn errors_a_worker_caught_again_and_again_are_not_fatal() {
    // verl's rollout workers log a traceback for every sample they cannot
    // parse, and print the same ValueError for others, while training goes on.
    let mut log = String::from("step:1 - actor/pg_loss:0.5 - training/global_step:1\n");
    for item in 0..2 {
        log += &format!(
            "ERROR:2026-03-26 21:59:41,526:Traceback (most recent call last):\n  File \"agent.py\", line 80, in run\n    action, x, y = extractor(text)\n\
             TypeError: cannot unpack non-iterable NoneType object\nERROR:2026-03-26 21:59:41,526:Error extracting action for item {item}\n"
        );
    }
    log += "ValueError: step 0 - extract action failed from: <think>first</think>\n";
    for s in 2..=5 {
        log += &format!("step:{s} - actor/pg_loss:0.5 - training/global_step:{s}\n");
    }
    log += "ValueError: step 1 - extract action failed from: <think>second</think>\n";
    let a = analyze(&log);
    assert!(a.errors.iter().all(|e| !e.fatal), "{:?}", a.errors);
    assert_eq!(a.verdict, "progressing");
}

#[test]
fn an_epoch_bar_named_val_in_brackets_is_an_evaluation() {
    // A resumed run validates first, then trains.
    let a = analyze(
        "Epoch 25/40 [Val]:   0%|          | 0/400 [00:00<?, ?it/s]\rEpoch 25/40 [Val]: 100%|##########| 400/400 [00:36<00:00, 11.11it/s, val_loss=2.1376]\n\
         Epoch 26/40 [Train]:   0%|          | 1/3600 [00:00<35:12,  1.70it/s, loss=0.1176, lr=2.00e-08]\r\
         Epoch 26/40 [Train]:  34%|###3      | 1206/3600 [06:14<12:32,  3.18it/s, loss=0.1142, lr=9.95e-06]\n",
    );
    assert_eq!(
        (a.last_step, a.loss.first, a.loss.last),
        (Some(1206), Some(0.1176), Some(0.1142))
    );
}

#[test]
fn uer_pys_steps_minimind_with_a_space_and_nanochats_data_epoch() {
    let a = analyze(
        "|     1000/  100000 steps| 14071.82 tokens/s| loss    5.53| acc: 0.188\n\
         validation loss:4.879089684688169\n\
         |   100000/  100000 steps| 14098.78 tokens/s| loss    1.78| acc: 0.620\n",
    );
    assert_eq!(
        (a.last_step, a.total_steps, a.loss.first, a.loss.last),
        (Some(100000), Some(100000), Some(5.53), Some(1.78))
    );
    let a = analyze(
        "Epoch: [1/1](9/16823) loss:7.617 lr:0.000549999647 epoch__Time:108.0min:\n\
         Epoch: [1/1](16819/16823) loss:2.037 lr:0.000050000070 epoch__Time:0.0min:\n",
    );
    assert_eq!((a.last_step, a.total_steps), (Some(16819), Some(16823)));
    // The run's step of its total, then the data's epoch: not per epoch.
    let a = analyze(
        "step 00001/01980 (0.05%) | loss: 10.395864 | lrm: 0.05 | dt: 433.35ms | epoch: 1 pq: 0 rg: 2 | total time: 0.00m\n\
         step 01979/01980 (99.95%) | loss: 4.579739 | lrm: 0.05 | dt: 473.94ms | epoch: 1 pq: 0 rg: 1235 | total time: 11.60m\n",
    );
    assert_eq!((a.last_step, a.total_steps), (Some(1979), Some(1980)));
}

#[test]
fn vllms_bars_beside_an_rl_trainer_are_not_training() {
    let a = analyze(
        "  0%|          | 0/500 [00:00<?, ?it/s]Generation worker process uses GPU 1\n\
         Capturing CUDA graphs (decode, FULL): 100%|##########| 35/35 [00:00<00:00, 39.02it/s]\n\
         Processed prompts: 100%|##########| 64/64 [00:03<00:00, 17.01it/s]\n\
         waiting for batch...\n",
    );
    assert_eq!((a.last_step, a.total_steps), (Some(0), Some(500)));
}

#[test]
fn an_import_error_whose_message_a_console_wrapped() {
    // PowerShell wraps at the window's width: the message is on the next lines.
    let a = analyze(
        "Traceback (most recent call last):\n  File \"src/train.py\", line 3, in <module>\n    import scipy.ndimage\nImportError: \nnumpy.core.multiarray \nfailed to import\n",
    );
    assert_eq!(a.errors[0].class, ErrorClass::Dependency);
    assert_eq!(a.verdict, "fatal: import failed");
}

#[test]
fn a_run_that_finished_after_an_error_was_not_ended_by_it() {
    // Sessions of HF runs pasted into one file: the first interrupted, a
    // later one printed its `train_runtime` summary.
    let a = analyze(
        " 34%|###4      | 213/620 [21:31<41:07,  6.06s/it]\nTraceback (most recent call last):\n  File \"train.py\", line 9, in <module>\n    trainer.train()\nKeyboardInterrupt\n\
         {'loss': '0.04271', 'grad_norm': '11.67', 'learning_rate': '1.25e-06', 'epoch': '5'}\n\
         {'train_runtime': '152.8', 'train_samples_per_second': '0.982', 'train_steps_per_second': '0.262', 'train_loss': '0.4022', 'epoch': '5'}\n",
    );
    assert_eq!(a.verdict, "completed");
    assert!(!a.errors[0].fatal);
    // An error after the end sign still ended the process: the training
    // completed, the verdict says what failed after it.
    let a = analyze(
        "{'train_runtime': '152.8', 'train_samples_per_second': '0.982', 'train_steps_per_second': '0.262', 'train_loss': '0.4022', 'epoch': '5'}\n\
         Traceback (most recent call last):\n  File \"train.py\", line 12, in <module>\n    trainer.predict(ds)\ntorch.OutOfMemoryError: CUDA out of memory. Tried to allocate 22.00 MiB.\n",
    );
    assert!(
        a.verdict
            .starts_with("completed (then failed: CUDA out of memory"),
        "{}",
        a.verdict
    );
    assert!(a.errors[0].fatal);
}

#[test]
fn gaitset_triplet_loss_metrics_and_its_upper_case_end_line() {
    // GaitSet prints no key named `loss`: its two triplet losses end in
    // `_metric`; its last line is `Training COMPLETE`.
    let a = analyze(
        "Training START\n\
         iter 100:, hard_loss_metric=0.43646878, full_loss_metric=0.19383493, full_loss_num=186494.12500000, mean_dist=0.18835674, lr=0.000100, hard or full='full'\n\
         iter 200:, hard_loss_metric=0.52700424, full_loss_metric=0.18912143, full_loss_num=132142.65625000, mean_dist=0.40090808, lr=0.000100, hard or full='full'\n\
         0:04:19.419558\n\
         Training COMPLETE\n",
    );
    assert_eq!(a.last_step, Some(200));
    assert_eq!(
        (a.loss.first, a.loss.last),
        (Some(0.43646878), Some(0.52700424))
    );
    assert!(a.finished, "{}", a.verdict);
}

#[test]
fn darts_search_records_under_its_twelve_hour_clock() {
    // DARTS's `%m/%d %I:%M:%S %p` head; its steps count from 0 in each
    // epoch, the epoch from `epoch N lr X`; `valid` records are an eval.
    let a = analyze(
        "05/31 12:32:51 PM gpu device = 0\n\
         05/31 12:32:56 PM epoch 0 lr 2.498816e-02\n\
         05/31 12:32:57 PM train 000 2.345704e+00 6.250000 54.687500\n\
         05/31 12:33:19 PM train 050 2.102168e+00 20.373775 72.855392\n\
         05/31 12:33:45 PM train 100 2.018906e+00 23.886139 77.289604\n\
         05/31 12:36:11 PM train_acc 31.303999\n\
         05/31 12:36:12 PM valid 000 1.711712e+00 28.125000 85.937500\n\
         05/31 12:36:15 PM valid 050 1.670156e+00 38.664219 88.848045\n\
         05/31 12:36:33 PM epoch 1 lr 2.495858e-02\n\
         05/31 12:36:34 PM train 000 1.733087e+00 35.937500 87.500000\n\
         05/31 01:00:00 PM train 050 1.601111e+00 40.000000 90.000000\n",
    );
    assert_eq!(a.last_step, Some(150));
    assert_eq!(a.epoch, Some(1.0));
    assert_eq!(
        (a.loss.first, a.loss.last),
        (Some(2.345704), Some(1.601111))
    );
    assert_eq!(a.eval.count, 1);
    assert_eq!(a.eval.last_loss, Some(1.670156));
    // 12 PM is noon and 01 PM the hour after: 150 steps in 1,623 s.
    let overall = a.steps_per_sec.overall.unwrap();
    assert!((overall - 150.0 / 1623.0).abs() < 1e-3, "{overall}");
}

#[test]
fn a_loop_of_its_own_that_loaded_a_transformers_model_is_not_the_trainer() {
    // transformers 5.x prints its load report with a `[transformers]` tag;
    // the training bar is the script's own (described), not the Trainer's.
    let a = analyze(
        "[transformers] BertModel LOAD REPORT from: /root/models/bert-base-chinese\n\
         Epoch 1 [ULTRA]:   0%|          | 1/2455 [00:00<10:00,  4.1it/s, loss=1.4215, lr=1.00e-07]\r\
         Epoch 1 [ULTRA]:   0%|          | 2/2455 [00:00<09:00,  4.5it/s, loss=1.3815, lr=1.00e-07]\r\
         Epoch 1 [ULTRA]:   0%|          | 3/2455 [00:00<09:00,  4.5it/s, loss=1.2815, lr=1.00e-07]",
    );
    assert_eq!(a.format, Format::Tqdm);
    assert_eq!(a.last_step, Some(3));
    // The Trainer's own bar has no description.
    let a = analyze(
        "[transformers] loading weights\n\
           0%|          | 1/100 [00:00<00:30,  3.3it/s]\r  2%|2         | 2/100 [00:00<00:30,  3.3it/s]\r  3%|3         | 3/100 [00:00<00:30,  3.3it/s]",
    );
    assert_eq!(a.format, Format::HfTrainer);
}

#[test]
fn a_tf1_step_line_with_its_loss_on_the_next_line() {
    let a = analyze(
        "start from 0\ncurrent step: 1th step\nbatch loss:4.0292044\ncurrent step: 2th step\nbatch loss:3.9197984\ncurrent step: 3th step\n",
    );
    assert_eq!(a.last_step, Some(2));
    assert_eq!(
        (a.loss.first, a.loss.last),
        (Some(4.0292044), Some(3.9197984))
    );
}

#[test]
fn cs230_epoch_headers_and_train_metrics_under_its_colon_head() {
    // Stanford CS230's examples: `%(asctime)s:%(levelname)s: %(message)s`,
    // `Epoch N/M` then `- Train metrics: ...` and `- Eval metrics: ...`.
    let a = analyze(
        "2018-07-30 14:22:55,814:INFO: Starting training for 10 epoch(s)\n\
         2018-07-30 14:22:56,703:INFO: Epoch 1/10\n\
         2018-07-30 14:23:37,508:INFO: - Train metrics: accuracy: 0.404 ; loss: 1.633\n\
         2018-07-30 14:23:38,806:INFO: - Eval metrics: accuracy: 0.510 ; loss: 1.255\n\
         2018-07-30 14:23:38,964:INFO: Epoch 2/10\n\
         2018-07-30 14:24:15,876:INFO: - Train metrics: accuracy: 0.564 ; loss: 1.142\n\
         2018-07-30 14:24:17,028:INFO: - Eval metrics: accuracy: 0.390 ; loss: 1.761\n",
    );
    assert_eq!((a.last_step, a.total_steps), (Some(2), Some(10)));
    assert_eq!((a.loss.first, a.loss.last), (Some(1.633), Some(1.142)));
    assert_eq!(
        strip_prefixes("2018-07-30 14:23:37,508:INFO: - Train metrics").body,
        "- Train metrics"
    );
}

#[test]
fn rl_progress_tables_padded_or_tab_separated() {
    // AWR's logger pads its columns with spaces (and ends lines in CRLF).
    let a = analyze(
        "Iteration                Wall_Time                Samples                  Train_Return             Critic_Loss              Actor_Loss               \r\n\
         0                        0.0003077587816450331    2157                     -187.8830984137871       0.00598417857046903      -0.6421777975753535      \r\n\
         50                       0.035201407339837815     108160                   -136.5218373987911       0.010453062561842112     -0.6512      \r\n",
    );
    assert_eq!(a.last_step, Some(50));
    assert_eq!(
        (a.loss.first, a.loss.last),
        (Some(0.00598417857046903), Some(0.010453062561842112))
    );
    // Spinning Up's `progress.txt`: tabs, capitalised names, epochs.
    let a = analyze(
        "Epoch\tAverageEpRet\tStdEpRet\tMaxEpRet\tMinEpRet\tEpLen\tTotalEnvInteracts\tLossPi\tLossV\tTime\n\
         0\t-170.2\t40.1\t-90.3\t-250.0\t200.0\t4000\t0.0123\t1234.5\t12.1\n\
         1\t-150.9\t38.7\t-80.1\t-230.4\t200.0\t8000\t0.0111\t1100.2\t24.0\n",
    );
    assert_eq!(a.last_step, Some(1));
    assert_eq!((a.loss.first, a.loss.last), (Some(0.0123), Some(0.0111)));
    // YOLO's padded epoch header is still YOLO's.
    assert!(
        parse::csv_header(
            "      Epoch    GPU_mem   box_loss   cls_loss   dfl_loss  Instances       Size"
        )
        .is_none()
    );
    // Prose with double spaces is no table.
    assert!(parse::csv_header("Training  loss went down").is_none());
}

#[test]
fn a_latest_launch_that_ended_well_outranks_an_earlier_launchs_crash() {
    // SpeechBrain: a launch crashed; the latest one loaded the checkpoint
    // and tested it (`Epoch loaded: ... - test loss:`, its recipes' end).
    let head =
        |t: &str, name: &str| format!("2025-04-02 20:{t},697 - speechbrain.{name} - INFO - ");
    let mut log = head("09:20", "core") + "Beginning experiment!\n";
    log += &head("10:00", "utils.train_logger");
    log += "Epoch: 12, lr: 3.87e-05 - train loss: 1.54 - valid loss: 1.64\n";
    log += "Traceback (most recent call last):\n  File \"train.py\", line 3, in <module>\n    brain.fit()\n";
    log += "torch.OutOfMemoryError: HIP out of memory. Tried to allocate 10.04 GiB.\n";
    log += &(head("44:30", "core") + "Beginning experiment!\n");
    log += &head("45:17", "utils.train_logger");
    log += "Epoch loaded: 12 - test loss: 1.53, test error_rate: 5.19e-01\n";
    let a = analyze(&log);
    assert_eq!(a.verdict, "completed");
    assert_eq!(a.errors[0].class, ErrorClass::Memory);

    // detectron2 relaunched from iteration 0 after an OOM in the first
    // launch's final evaluation: its steps are the latest launch's.
    let events = |iter: u32, loss: &str| {
        format!(
            "[12/22 22:34:19 d2.utils.events]:  eta: 0:00:44  iter: {iter}  total_loss: {loss}  time: 0.7  lr: 0.001  max_mem: 9000M\n"
        )
    };
    let mut log =
        String::from("[12/22 22:29:39 d2.engine.train_loop]: Starting training from iteration 0\n");
    for i in [19, 39, 59, 79, 99, 119, 139, 159, 179, 199] {
        log += &events(i, "7.1");
    }
    log += "Traceback (most recent call last):\n  File \"train_net.py\", line 9, in <module>\n    launch(main)\n";
    log += "torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 1.84 GiB\n";
    log += "[12/22 22:40:18 d2.engine.train_loop]: Starting training from iteration 0\n";
    for i in [19, 39, 59, 79, 99] {
        log += &events(i, "3.4");
    }
    let a = analyze(&log);
    assert_eq!(a.last_step, Some(100));
    assert!(!a.verdict.starts_with("fatal"), "{}", a.verdict);
}

#[test]
fn a_tqdm_bar_under_epoch_headers_counts_per_header_and_per_run() {
    // A loop of its own prints `Epoch N/M` and a `Training` bar per epoch
    // that tqdm sometimes closed one short of its total; then a second
    // pipeline with the same bar and total starts at `Epoch 1/M` again.
    let run = |loss: &str| {
        let mut s = String::new();
        for e in 1..=3 {
            s += &format!("Epoch {e}/3\n");
            for i in 0..=19 {
                s += &format!(
                    "Training: {:3}%|          | {i}/20 [00:0{}<00:00,  7.78it/s, loss={loss}]\r",
                    i * 5,
                    i / 4
                );
            }
            s += "\nValidating: 100%|##########| 5/5 [00:02<00:00,  7.29it/s]\n";
        }
        s
    };
    let a = analyze(&(String::from("--- Starting A ---\n") + &run("0.5")));
    assert_eq!(a.last_step, Some(57));
    let a = analyze(
        &(String::from("--- Starting A ---\n")
            + &run("0.5")
            + "--- Starting B ---\n"
            + &run("0.3")),
    );
    assert_eq!(a.last_step, Some(57));
    assert_eq!(a.loss.last, Some(0.3));
}

#[test]
fn after_source_python_refused_a_later_crash_is_the_news() {
    // One stderr file of two invocations: the first did not compile, the
    // second ran and died saving a checkpoint.
    let a = analyze(
        "Traceback (most recent call last):\n  File \"train.py\", line 2, in <module>\n    from neuroslm import brain\n  File \"neuroslm\\brain.py\", line 63\n    def step(self):\n                   ^\nIndentationError: unindent does not match any outer indentation level\n\
         Traceback (most recent call last):\n  File \"train.py\", line 88, in <module>\n    torch.save(state, path)\nRuntimeError: [enforce fail at inline_container.cc:664] . unexpected pos 64 vs 0\n",
    );
    assert_eq!(a.errors.len(), 2);
    // (`torch.save`'s short write: a full disk, mostly.)
    assert_eq!(a.verdict, "fatal: checkpoint write failed (disk full?)");
}

#[test]
fn a_right_aligned_step_counter_padded_with_spaces() {
    // `step {:6d}` and TF1's `Global Step: {:6d}`: the first lines carry the
    // widest padding.
    let a = analyze(
        "step      0 | train_loss 4.5821 | val_loss 4.5868 | lr 1.00e-05 | 0.6s\n\
         step   1000 | train_loss 1.7328 | val_loss 1.8110 | lr 9.82e-04 | 404.7s\n",
    );
    assert_eq!((a.loss.first, a.loss.count), (Some(4.5821), 2));
    let a = analyze(
        "Global Step:     10, accuracy:  10.9%, loss = 2.30 (611.0 examples/sec, 0.21 sec/batch)\n\
         Global Step:  10000, accuracy:  93.8%, loss = 0.25 (615.3 examples/sec, 0.21 sec/batch)\n",
    );
    assert_eq!((a.last_step, a.loss.first), (Some(10000), Some(2.30)));
}

#[test]
fn round_38_exits_retrain_and_lightning_1x_interrupts() {
    // TensorFlow's retrain.py: `Step N: Cross entropy = X`, then the test.
    let a = analyze(
        "2017-04-09 05:42:02.159946: Step 0: Train accuracy = 21.9%\n\
         2017-04-09 05:42:02.160018: Step 0: Cross entropy = 4.506233\n\
         2017-04-09 05:42:02.608604: Step 0: Validation accuracy = 5.0%\n\
         2017-04-09 05:42:04.880659: Step 10: Cross entropy = 4.464004\n\
         Final test accuracy = 92.0%\n",
    );
    assert_eq!(
        (a.last_step, a.loss.first, a.loss.last),
        (Some(10), Some(4.506233), Some(4.464004))
    );
    assert!(a.finished);

    // Lightning 1.x raised its Ctrl-C notice as a warning.
    let a = analyze(
        "Epoch 0:   2%|▏         | 87/5087 [01:40<1:36:11,  1.15s/it, loss=1.11, v_num=0]\n\
         /usr/local/lib/python3.10/dist-packages/pytorch_lightning/trainer/call.py:54: UserWarning: Detected KeyboardInterrupt, attempting graceful shutdown...\n\
           rank_zero_warn(\"Detected KeyboardInterrupt, attempting graceful shutdown...\")\n",
    );
    assert_eq!(a.verdict, "fatal: interrupted (Ctrl-C / SIGINT)");

    // YOLOX says its experiment is done whenever its loop exits: far short
    // of its epochs, it was stopped; a few iterations short, it finished.
    let yolox = |epoch: u32| {
        format!(
            "2022-06-06 02:06:17.718 | INFO     | yolox.core.trainer:after_iter:253 - epoch: {epoch}/300, iter: 150/174, mem: 7402Mb, iter_time: 0.398s, data_time: 0.001s, total_loss: 1.7, iou_loss: 1.1, l1_loss: 0.0, conf_loss: 0.4, cls_loss: 0.2, lr: 9.375e-03, size: 640, ETA: 1 day, 1:06:01\n\
             2022-06-06 02:06:20.100 | INFO     | yolox.core.trainer:after_train:189 - Training of experiment is done and the best AP is 58.41\n"
        )
    };
    assert!(!analyze(&yolox(93)).finished);
    assert!(analyze(&yolox(300)).finished);
}

#[test]
fn llama_factory_trainer_log_jsonl() {
    let a = analyze(
        "{\"current_steps\": 10, \"total_steps\": 20, \"loss\": 2.4977, \"learning_rate\": 5.77e-07, \"epoch\": 0.5, \"percentage\": 50.0, \"elapsed_time\": \"0:00:24\", \"remaining_time\": \"0:00:24\"}\n\
         {\"current_steps\": 20, \"total_steps\": 20, \"loss\": 0.1333, \"learning_rate\": 0.0, \"epoch\": 1.0, \"percentage\": 100.0, \"elapsed_time\": \"0:00:48\", \"remaining_time\": \"0:00:00\"}\n",
    );
    assert_eq!(a.format, Format::HfTrainer);
    assert_eq!((a.last_step, a.total_steps), (Some(20), Some(20)));
    assert_eq!((a.loss.first, a.loss.last), (Some(2.4977), Some(0.1333)));
    assert!(a.finished);
}

#[test]
fn a_collective_timeout_after_another_fatal_error_is_its_echo() {
    // Half the ranks ran out of data; the others then waited in a
    // collective until the NCCL watchdog gave up.
    let a = analyze(
        "[rank3]: Traceback (most recent call last):\n[rank3]:   File \"pretrain_gpt.py\", line 9, in get_batch\n[rank3]:     data = next(data_iterator)\n[rank3]: StopIteration\n\
         [rank1]:[E1031 05:42:10.1 ProcessGroupNCCL.cpp:616] [Rank 1] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=5, OpType=BROADCAST, NumelIn=1, NumelOut=1, Timeout(ms)=600000) ran for 600012 milliseconds before timing out.\n",
    );
    assert_eq!(a.verdict, "fatal: Python exception: StopIteration");
}

#[test]
fn newer_slurm_cancels_with_only_a_time_head() {
    let a = analyze(
        "  2%|▏         | 44/2133 [42:06<20:42:24, 35.68s/it]\r  2%|▏         | 45/2133 [42:47<21:36:58, 37.27s/it][2026-02-06T10:15:37.189] error: *** JOB 4523781 ON della-i23g1 CANCELLED AT 2026-02-06T10:15:37 DUE to SIGNAL Terminated ***\n",
    );
    assert_eq!(a.last_step, Some(45));
    assert_eq!(a.verdict, "fatal: job cancelled by Slurm");
}

#[test]
fn darknet_iterations_and_pyslowfast_json_stats() {
    // Darknet (pjreddie's and AlexeyAB's): `N:` is an iteration, not a rank.
    let a = analyze(
        "1000: 0.728614, 0.744907 avg, 0.001000 rate, 13.602742 seconds, 64000 images\n\
         2000: 0.307297, 0.369242 avg, 0.001000 rate, 14.573167 seconds, 128000 images\n \
         3000: 0.335637, 0.293046 avg loss, 0.001000 rate, 3.5 seconds, 192000 images, 12.3 hours left\n",
    );
    assert_eq!(
        (a.last_step, a.loss.first, a.loss.last),
        (Some(3000), Some(0.728614), Some(0.335637))
    );
    assert_eq!(strip_prefixes("3: epoch 1 loss 0.5").rank, Some(3));

    // PySlowFast: iteration stats count the steps; epoch summaries only
    // when the log kept none of them.
    let stats = |kind: &str, epoch: u32, iter: &str, loss: f64| {
        format!(
            "json_stats: {{\"RAM\": \"12.47/31.07G\", \"_type\": \"{kind}\", \"epoch\": \"{epoch}/400\", {iter}\"loss\": {loss}, \"lr\": 0.0000259500}}\n"
        )
    };
    let a =
        analyze(&(stats("train_epoch", 1, "", 2.74055) + &stats("train_epoch", 2, "", 2.52473)));
    assert_eq!((a.last_step, a.total_steps), (Some(2), Some(400)));
    let a = analyze(
        &(stats("train_iter", 1, "\"iter\": \"10/240\", ", 2.9)
            + &stats("train_iter", 1, "\"iter\": \"20/240\", ", 2.8)
            + &stats("train_epoch", 1, "", 2.74)
            + "json_stats: {\"_type\": \"val_epoch\", \"epoch\": \"1/400\", \"top1_err\": 25.1}\n"
            + &stats("train_iter", 2, "\"iter\": \"10/240\", ", 2.5)),
    );
    assert_eq!((a.last_step, a.total_steps), (Some(250), Some(96000)));
    assert_eq!(a.loss.last, Some(2.5));
    assert_eq!(a.eval.count, 1);
}

#[test]
fn a_dict_of_scores_and_a_loss_is_an_evaluation_result() {
    let a = analyze(
        "{'accuracy': 0.6944927536231884, 'f1': 0.8040163629602083, 'loss': 0.6804165244102478}\n",
    );
    assert_eq!(a.loss.count, 0);
    assert_eq!(a.eval.last_loss, Some(0.6804165244102478));
    // The Trainer's own dicts carry their epoch.
    let a = analyze("{'loss': 0.6804, 'accuracy': 0.69, 'epoch': 1.0}\n");
    assert_eq!(a.loss.last, Some(0.6804));
}

#[test]
fn paddleseg_global_iterations_and_a_bracketed_valid_line() {
    // PaddleSeg counts its iterations over the run beside the epoch.
    let line = |e: u32, i: u32, l: &str| {
        format!(
            "2021-11-24 22:00:48 [INFO]\t[TRAIN] epoch: {e}, iter: {i}/80000, loss: {l}, lr: 0.000050, batch_cost: 0.3812, reader_cost: 0.00035, ips: 20.9881 samples/sec | ETA 00:00:00\n"
        )
    };
    let a = analyze(&(line(1, 10, "6.8504") + &line(216, 80000, "0.1656")));
    assert_eq!((a.last_step, a.total_steps), (Some(80000), Some(80000)));
    // `[Epoch: 20] Valid acc: ... | loss:` is the evaluation's.
    let a = analyze(
        "2023.01.19 07:16:12 [Epoch: 20] Train acc: 0.9354 | loss: 3.6677\n\
         2023.01.19 07:16:20 [Epoch: 20] Valid acc: 0.8595 | loss: 8.9560\n",
    );
    assert_eq!(a.loss.last, Some(3.6677));
}

#[test]
fn epoch_bars_of_runs_appended_with_the_same_number_of_epochs() {
    // Four runs of a `Epoch N/5` bar in one Slurm log: each run's first
    // frame (`Epoch 1/5`, 0/N) starts its count.
    let run = |total: u32| {
        let mut s = String::new();
        for e in 1..=3 {
            for i in 0..=total {
                s += &format!(
                    "Epoch {e}/3: {:3}%|          | {i}/{total} [00:0{}<00:00,  1.20s/it, avg_loss=0.17]\r",
                    i * 100 / total,
                    i % 10
                );
            }
            s += &format!("\nEpoch {e} complete — avg loss: 0.1696\n");
        }
        s
    };
    let a = analyze(&(run(10) + "Job done\n" + &run(8)));
    assert_eq!((a.last_step, a.total_steps), (Some(24), Some(24)));
    // A non-TTY capture kept only each epoch's last frame: the new run's
    // other number of batches says so.
    let last_frames = |total: u32| {
        (1..=3)
            .map(|e| format!("Epoch {e}/3: 100%|##########| {total}/{total} [00:10<00:00,  1.20s/it, avg_loss=0.17]\n"))
            .collect::<String>()
    };
    let a = analyze(&(last_frames(10) + &last_frames(8)));
    assert_eq!(a.last_step, Some(24));
}

#[test]
fn deeplearning4j_score_iteration_listener() {
    let a = analyze(
        "06:38:16.402 [main] INFO org.deeplearning4j.optimize.listeners.ScoreIterationListener - Score at iteration 0 is 1.6235184989295723\n\
         06:39:50.616 [main] INFO org.deeplearning4j.optimize.listeners.ScoreIterationListener - Score at iteration 100 is 1.3935213258387884\n",
    );
    assert_eq!(
        (a.last_step, a.loss.first, a.loss.last),
        (
            Some(100),
            Some(1.6235184989295723),
            Some(1.3935213258387884)
        )
    );
}

#[test]
fn training_metrics_that_end_with_the_tests_are_training() {
    let a = analyze(
        "2024-01-08 14:14:39 - Epoch[1] Iter[616] Time:763.03, main_loss: 0.029494, sup hyper loss: 0.043472, test rmse: 0.0412\n\
         2024-01-08 14:28:43 - Epoch[2] Iter[1232] Time:843.99, main_loss: 0.012875, sup hyper loss: 0.006011, test rmse: 0.0301\n",
    );
    assert_eq!(a.last_step, Some(1232));
    assert!(a.loss.count >= 2);
    // A validation summary still is one.
    assert!(
        analyze("epoch 006 | valid on 'valid' subset | loss 5.329 | ppl 40.2\n")
            .loss
            .count
            == 0
    );
}

#[test]
fn full_width_colons_and_loss_at_step() {
    let a = analyze(
        "2021-07-19 15:22:30,954 - INFO - main.py - train - 73 - 【train】 epoch：0 step:0/7815 loss：2.465899\n\
         2021-07-19 15:22:40,954 - INFO - main.py - train - 73 - 【train】 epoch：0 step:1/7815 loss：2.265899\n",
    );
    // (A step of each epoch, counted from 0: two done.)
    assert_eq!((a.last_step, a.loss.first), (Some(2), Some(2.465899)));
    let a = analyze(
        "2017-08-18 02:43:53,914:\tLoss at step 1: 8.499695\n2017-08-18 02:43:54,914:\tLoss at step 2: 8.1\n",
    );
    assert_eq!(
        (a.last_step, a.loss.first, a.loss.last),
        (Some(2), Some(8.499695), Some(8.1))
    );
    let a = analyze("Minibatch loss at step 500: 1.234\nMinibatch accuracy: 60.2%\n");
    assert_eq!((a.last_step, a.loss.last), (Some(500), Some(1.234)));
}

#[test]
fn an_epoch_and_a_batch_of_how_many_count_batches() {
    // eriklindernoren's PyTorch-YOLOv3: the losses named as a group, the
    // total among them; the batch within the epoch, numbered from 0.
    let line = |b: u32, total: &str| {
        format!(
            "[Epoch 0/30, Batch {b}/7329] [Losses: x 0.272151, y 0.254906, w 4.818650, h 4.610126, conf 4.368177, cls 0.819295, total {total}, recall: 0.00000, precision: 0.00000]\n"
        )
    };
    let a = analyze(&(line(0, "15.143305") + &line(70, "8.151598")));
    assert_eq!((a.last_step, a.total_steps), (Some(71), Some(219870)));
    assert_eq!(
        (a.loss.first, a.loss.last),
        (Some(15.143305), Some(8.151598))
    );
    // Batch lines with per-epoch summaries that say the epochs' total.
    let mut log = String::new();
    for e in 1..=2 {
        for b in [31, 62] {
            log += &format!(
                "2026-05-01 04:25:30 | DEBUG | Epoch {e:02} | Batch {b}/62 | batch_loss=0.8740\n"
            );
        }
        log +=
            &format!("2026-05-01 04:26:30 | INFO | Epoch [{e}/2] train_loss=0.81 val_loss=0.9\n");
    }
    let a = analyze(&log);
    assert_eq!((a.last_step, a.total_steps), (Some(124), Some(124)));
    assert!(a.finished);
}

#[test]
fn gan_scripts_lines_and_a_keras_summary_is_no_lightning_hint() {
    // Keras-GAN: the iteration and the generator's loss; a Keras summary
    // before it (`Total params:` then `Trainable params:`) is not Lightning's.
    let a = analyze(
        "Total params: 1,234\nTrainable params: 1,234\nNon-trainable params: 0\n\
         0 [D loss: 0.692665, acc.: 51.56%] [G loss: 0.686900]\n\
         999 [D loss: 0.006885, acc.: 100.00%] [G loss: 0.001612]\n",
    );
    assert_eq!(
        (a.last_step, a.loss.first, a.loss.last),
        (Some(999), Some(0.6869), Some(0.001612))
    );
    assert_eq!(a.format, Format::Unknown);
    // The pix2pix / CycleGAN Visualizer: samples within each epoch.
    let a = analyze(
        "(epoch: 1, iters: 20, time: 14.412, data: 0.080) G_GAN: 2.436 G_L1: 54.115 D_real: 0.167 D_fake: 0.138 \n\
         (epoch: 1, iters: 40, time: 14.100, data: 0.002) G_GAN: 1.936 G_L1: 44.115 D_real: 0.367 D_fake: 0.238 \n\
         (epoch: 2, iters: 3, time: 17.249, data: 0.057) G_GAN: 1.042 G_L1: 18.963 D_real: 0.558 D_fake: 0.449 \n",
    );
    assert_eq!(a.last_step, Some(43));
    assert_eq!(a.epoch, Some(2.0));
}

#[test]
fn a_number_after_error_is_a_measure_not_an_exception() {
    let a = analyze(
        "Iteration: 16700\tError: 0.000100476\nError: 0.000099999\nAverage error is 0.000099999\n",
    );
    assert!(a.errors.is_empty(), "{:?}", a.errors);
    assert!(!analyze("ValueError: bad shape\n").errors.is_empty());
}

#[test]
fn openai_logger_tables() {
    // improved-diffusion / DiffuSeq: `logger.dumpkvs()` with `%g` values.
    let table = |loss: &str, step: &str| {
        format!(
            "------------------------\n| grad_norm | 36.1     |\n| loss      | {loss:<8} |\n| samples   | 6.4e+03  |\n| step      | {step:<8} |\n------------------------\n"
        )
    };
    let a = analyze(&(table("1.08", "0") + &table("0.205", "6.28e+03")));
    assert_eq!(
        (a.last_step, a.loss.first, a.loss.last),
        (Some(6280), Some(1.08), Some(0.205))
    );
}

#[test]
fn pycharms_exit_line_in_chinese_ends_the_run() {
    for end in ["进程已结束,退出代码0", "进程已结束，退出代码为 0\r"] {
        let a = analyze(&format!("epoch 1 step 10 loss: 0.0551\n{end}\n"));
        assert!(a.finished, "{end}");
    }
}

#[test]
fn a_loss_named_by_its_kind_and_a_plan_in_steps() {
    // BAGEL (a DiT-style logger): two losses named by kind after the word;
    // the first is the loss. Its plan: `Training for N steps`.
    let a = analyze(
        "Training for 5000 steps, starting at 1201...\n\
         [\x1b[34m2025-06-23 05:59:51\x1b[0m] (step=0001201) Train Loss mse: 0.1647, Train Loss ce: 0.4438, Train Steps/Sec: 0.02, \n\
         [\x1b[34m2025-06-23 06:00:41\x1b[0m] (step=0001202) Train Loss mse: 0.1880, Train Loss ce: 0.4092, Train Steps/Sec: 0.04, \n",
    );
    assert_eq!(
        (a.last_step, a.total_steps, a.loss.first, a.loss.last),
        (Some(1202), Some(5000), Some(0.1647), Some(0.188))
    );
    // StableGCN's epoch line: the loss as an average.
    let a = analyze(
        "TRAIN @Epoch: 1    >>>  || LOSS Avg: 0.19232\nTRAIN @Epoch: 30   >>>  || LOSS Avg: 0.09397\n",
    );
    assert_eq!((a.last_step, a.loss.last), (Some(30), Some(0.09397)));
    // (Only a loss kind: `loss something: 1` names no loss of this line.)
    assert_eq!(analyze("step 3 loss whatever: 2.5\n").last_step, None);
}

#[test]
fn counters_spelled_with_is() {
    // EAST's trainer: `Epoch is [e/E], mini-batch is [b/B]`.
    let a = analyze(
        "2021-05-03 03:53:27,049 [MainThread  ] [INFO ]  classify loss is 0.91680396, angle loss is 0.64980108, iou loss is 5.86592913\n\
         2021-05-03 03:53:27,794 [MainThread  ] [INFO ]  Epoch is [1/600], mini-batch is [1/1600], time consumption is 1.32521653, batch_loss is 13.28074360\n\
         2021-05-03 03:53:28,691 [MainThread  ] [INFO ]  Epoch is [1/600], mini-batch is [2/1600], time consumption is 0.89683270, batch_loss is 9.84017468\n",
    );
    assert_eq!(
        (a.last_step, a.total_steps, a.loss.first, a.loss.last),
        (Some(2), Some(960_000), Some(13.2807436), Some(9.84017468))
    );
}

#[test]
fn epoch_headers_that_say_how_many_then_the_epochs_loss() {
    // ShuffleFaceNet's logger (`%Y%m%d-%H:%M:%S` head): a header per
    // epoch, its loss (and time) on the next line; an evaluation's header
    // and score between them count nothing.
    let a = analyze(
        "20200204-19:54:00 Train Epoch: 1/70 ...\n20200204-20:09:01     total_loss: 24.7161 time: 15m 1s\n\
         20200204-20:53:10 Test Epoch: 1 ...\n20200204-20:54:19     ave: 87.3500\n\
         20200204-20:09:01 Train Epoch: 2/70 ...\n20200204-20:19:09     total_loss: 22.4334 time: 10m 8s\n",
    );
    assert_eq!(
        (a.last_step, a.total_steps, a.loss.first, a.loss.last),
        (Some(2), Some(70), Some(24.7161), Some(22.4334))
    );
    // ORB on MindSpore: `Epoch: 0/100,` then the epoch's metrics dict;
    // counted from 0, the line of epoch 99 says 100 are done.
    let epoch = |e: u32, loss: f64| {
        format!(
            "Epoch: {e}/100, \n train_metrics: {{'data_time': 3.69e-05, 'energy_mae': 1.46, 'loss': {loss}}}\n"
        )
    };
    let a = analyze(&(epoch(0, 2.146) + &epoch(1, 2.02) + &epoch(99, 0.1775)));
    assert_eq!(
        (a.last_step, a.total_steps, a.loss.first, a.loss.last),
        (Some(100), Some(100), Some(2.146), Some(0.1775))
    );
    // An epoch's summary after its own step lines is not another step.
    let a = analyze(
        "[2022-06-26 21:43:39,073]Epoch: 0001\n[2022-06-26 21:43:42,483]iter:0020 loss_train: 2.1153 acc_train: 0.3594 time: 0.1659s\n\
         [2022-06-26 21:43:45,687]iter:0040 loss_train: 1.7585 acc_train: 0.5625 time: 0.1675s\n[2022-06-26 21:44:04,145]this epoch:\n\
         loss= 1.5874 accuracy= 0.5614\n[2022-06-26 21:44:04,162]Epoch: 0002\n\
         [2022-06-26 21:44:07,242]iter:0020 loss_train: 1.1332 acc_train: 0.6875 time: 0.1688s\n",
    );
    assert_eq!((a.last_step, a.loss.last), (Some(60), Some(1.1332)));
}

#[test]
fn coqui_tts_records() {
    // The Coqui TTS trainer: a step head, then a loss a line; a GAN model's
    // generator total is `loss_1` (its `loss_0` is the discriminator's).
    // The evaluation's losses after `> EVALUATION` are not training's.
    let record = |step: u32, global: u32, disc: f64, generator: f64| {
        format!(
            "\x1b[1m   --> STEP: {step}/36 -- GLOBAL_STEP: {global}\x1b[0m\n     | > loss_disc: {disc}  (3.46002)\n     | > loss_0: {disc}  (3.46002)\n     | > loss_gen: 1.61938  (1.98766)\n     | > loss_1: {generator}  (35.54205)\n"
        )
    };
    let log = "\x1b[4m\x1b[1m > EPOCH: 0/1000\x1b[0m\n".to_string()
        + &record(24, 1_000_025, 3.01874, 26.92974)
        + "\x1b[1m > EVALUATION \x1b[0m\n     | > loss_1: 30.1  (30.1)\n"
        + &record(13, 1_000_050, 2.79921, 26.30906);
    let a = analyze(&log);
    assert_eq!(
        (a.last_step, a.loss.first, a.loss.last, a.loss.count),
        (Some(1_000_050), Some(26.92974), Some(26.30906), 2)
    );
    assert_eq!(
        parse::coqui_step("--> TIME: 2023-02-16 15:48:20 -- STEP: 24/406 -- GLOBAL_STEP: 25"),
        Some(25)
    );
    assert_eq!(
        parse::coqui_loss("| > loss: 0.52345  (0.56789)"),
        Some(0.52345)
    );
    assert_eq!(parse::coqui_loss("| > loss_0: 3.0  (3.4)"), None);
}

#[test]
fn an_rl_learner_counted_by_episode() {
    // IMPALA's learner: its losses, then the actors' episode count.
    let line = |v: f64, pg: f64, ep: u32| {
        format!(
            "2024-11-28 21:02:06,915 Learner INFO value loss: {v}, policy gradient loss: {pg}, batching time: 0.01, forward time: 0.02, backward time: 0.03, episode: {ep}\n"
        )
    };
    let a = analyze(&(line(29.16, 80.65, 972) + &line(0.0132, -1.83, 2000)));
    assert_eq!((a.last_step, a.loss.count), (Some(2000), 2));
    // (An epoch beside it counts instead.)
    assert_eq!(analyze("epoch 3 episode 7 loss: 0.5\n").last_step, Some(3));
}

#[test]
fn a_step_of_its_epoch_without_how_many_epochs() {
    // VoxelMorph: epochs from 1, `step: k/100` within each.
    let line = |e: u32, k: u32| {
        format!(
            "epoch: {e:04}  step: {k}/100   time: 8.04 sec  loss: -0.046448  (-0.046593, 0.000144)\n"
        )
    };
    let a = analyze(&(line(1, 1) + &line(1, 100) + &line(2, 1) + &line(100, 100)));
    assert_eq!(a.last_step, Some(10_000));
    // An Ignite loop's `Epoch[13] Iteration[400/3385]`, epochs from 1.
    let a = analyze(
        "Epoch[1] Iteration[50/3385] Loss: 0.456, Acc: 0.71\nEpoch[13] Iteration[400/3385] Loss: 0.206, Acc: 0.9\n",
    );
    assert_eq!(a.last_step, Some(12 * 3385 + 400));
}

#[test]
fn ms_swift_logging_jsonl_and_an_infinite_loss() {
    let a = analyze(
        "{\"loss\": 20.53074074, \"grad_norm\": 52.22467041, \"learning_rate\": 0.0001, \"epoch\": 0.00228768, \"global_step/max_steps\": \"1/438\", \"percentage\": \"0.23%\", \"elapsed_time\": \"6s\"}\n\
         {\"loss\": 3.94745, \"grad_norm\": 2.0992825, \"learning_rate\": 9.987e-05, \"epoch\": 0.02287675, \"global_step/max_steps\": \"10/438\", \"percentage\": \"2.28%\", \"elapsed_time\": \"51s\"}\n",
    );
    assert_eq!((a.last_step, a.total_steps), (Some(10), Some(438)));
    let a = analyze("step 1 loss: 3.5\nstep 2 loss: inf\n");
    assert!(a.verdict.contains("loss is infinite"), "{}", a.verdict);
}

#[test]
fn vits_loss_lists_under_their_epoch_heads() {
    // VITS / so-vits-svc (tab-separated logging): the losses, then the
    // global step and the learning rate; the first loss is the loss.
    let a = analyze(
        "2023-02-18 17:38:42,001\t32k\tINFO\tTrain Epoch: 1 [0%]\n\
         2023-02-18 17:38:42,002\t32k\tINFO\t[2.6858417987823486, 2.8425562381744385, 5.799555778503418, 63.61255645751953, 19.00187110900879, 0, 0.0001]\n\
         2023-02-18 18:38:42,001\t32k\tINFO\tTrain Epoch: 401 [0%]\n\
         2023-02-18 18:38:42,002\t32k\tINFO\t[2.4116227626800537, 2.3483774662017822, 5.391546726226807, 18.21904754638672, 0.7687338590621948, 20000, 9.507509276098694e-05]\n\
         2023-02-18 18:40:42,002\t32k\tINFO\t====> Epoch: 401\n",
    );
    assert_eq!(
        (a.last_step, a.epoch, a.loss.first, a.loss.last),
        (
            Some(20000),
            Some(401.0),
            Some(2.6858417987823486),
            Some(2.4116227626800537)
        )
    );
    // NaN from the first step: the run diverged.
    let a = analyze(
        "Train Epoch: 1 [0%]\n[nan, nan, nan, nan, 1.350276231765747, 134.32485961914062, 0, 0.0002]\n",
    );
    assert!(a.verdict.contains("loss is NaN"), "{}", a.verdict);
    // A list that is not under its head is no step.
    assert_eq!(analyze("[2.6, 2.8, 5.7, 0, 0.0001]\n").last_step, None);
}

#[test]
fn mxnet_epoch_ends_count_the_epochs_done() {
    // The Module API's epoch end (accuracy only, no loss), under the
    // example scripts' `start with arguments Namespace(...)`.
    let mut log =
        "INFO:root:start with arguments Namespace(batch_size=32, disp_batches=20, num_epochs=10)\n"
            .to_string();
    for e in 0..10 {
        log += &format!(
            "INFO:root:Epoch[{e}] Batch [20]\tSpeed: 142.33 samples/sec\taccuracy=0.562500\n\
             INFO:root:Epoch[{e}] Train-accuracy=0.929688\nINFO:root:Epoch[{e}] Time cost=5.119\n\
             INFO:root:Epoch[{e}] Validation-accuracy=0.948918\n"
        );
    }
    let a = analyze(&log);
    assert_eq!((a.last_step, a.total_steps), (Some(10), Some(10)));
    assert!(a.finished);
    // Gluon's `[Epoch N] training: ...`, and a loss as the training metric.
    let a =
        analyze("[Epoch 0] training: accuracy=0.010510\n[Epoch 1] training: accuracy=0.109313\n");
    assert_eq!(a.last_step, Some(2));
    let a = analyze("Epoch[149] Train-SmoothL1=1.666634\n");
    assert_eq!((a.last_step, a.loss.last), (Some(150), Some(1.666634)));
}

#[test]
fn a_bar_done_before_the_training_banner_was_data_preparation() {
    // kohya's sd-scripts: its latent caching bar (no description) runs to
    // its end, then the banner and the plan; the log stops before a step.
    let a = analyze(
        "100%|██████████| 1746/1746 [01:02<00:00, 27.93it/s]\n\
         running training / 学習開始\n  num epochs / epoch数: 100\n\
           total optimization steps / 学習ステップ数: 109100\n",
    );
    assert_eq!((a.last_step, a.total_steps), (None, Some(109100)));
    assert!(!a.finished);
    // Its training bar after the banner counts.
    let a = analyze(
        "100%|██████████| 1746/1746 [01:02<00:00, 27.93it/s]\nrunning training / 学習開始\n\
         steps:   1%|▏         | 1093/109100 [10:02<16:32:00,  1.81it/s, avr_loss=0.123]\n",
    );
    assert_eq!((a.last_step, a.total_steps), (Some(1093), Some(109100)));
}

#[test]
fn a_gans_loss_pair_reads_the_generators() {
    let a = analyze(
        "2025-11-12 05:00:59,186 - INFO - Epoch 1/150 - Loss D: 0.8014, Loss G: 1.0190\n\
         2025-11-12 05:34:59,186 - INFO - Epoch 150/150 - Loss D: 1.9022, Loss G: 0.1136\n",
    );
    assert_eq!(
        (a.last_step, a.total_steps, a.loss.first, a.loss.last),
        (Some(150), Some(150), Some(1.019), Some(0.1136))
    );
    assert_eq!(parse::loss_in(b"Loss D: 0.5"), None);
    assert_eq!(parse::loss_in(b"Loss D: 0.5, loss G: 1.25"), Some(1.25));
}

#[test]
fn the_official_ijepa_batch_of_its_epoch() {
    // `[epoch, batch]` with more after the loss, and no count of batches:
    // the next epoch's first line tells how many an epoch has.
    let line = |e: u32, i: u32, loss: f64| {
        format!(
            "INFO:root:[{e}, {i:5}] loss: {loss} masks: 68.4 44.2 [wd: 2.55e-01] [lr: 4.40e-04] [mem: 4.49e+04] (432.5 ms)\n"
        )
    };
    let a = analyze(&(line(133, 0, 0.181) + &line(133, 2490, 0.183) + &line(134, 10, 0.184)));
    assert_eq!(
        (a.last_step, a.loss.first, a.loss.last),
        (Some(2500), Some(0.181), Some(0.184))
    );
}

#[test]
fn a_bare_done_after_training_ends_the_run() {
    // DiT's logger: steps, then `Done!`.
    let a = analyze(
        "[\x1b[34m2025-08-22 00:30:04\x1b[0m] (step=0008270) Train Loss: 0.1940, Train Steps/Sec: 0.70\n\
         [\x1b[34m2025-08-22 00:31:04\x1b[0m] (step=0008280) Train Loss: 0.1931, Train Steps/Sec: 0.70\n\
         [\x1b[34m2025-08-22 00:36:04\x1b[0m] Done!\n",
    );
    assert!(a.finished, "{}", a.verdict);
    // Before any step it ended something else (a download); steps after
    // it take it back.
    assert!(!analyze("Done!\nstep 1 loss: 2.0\nstep 2 loss: 1.9\n").finished);
    let a =
        analyze("step 1 loss: 2.0\nDone.\nstep 2 loss: 1.9\nstep 3 loss: 1.8\nstep 4 loss: 1.7\n");
    assert!(!a.finished);
}

#[test]
fn epoch_lines_with_how_many_counted_from_zero() {
    // DGCNN: `epoch=0/250` .. `epoch=249/250`: 250 done of 250.
    let a = analyze(
        "epoch=0/250,total_loss=1.870129, 1 epoch time=62.19, left time=4.3\n\
         epoch=249/250,total_loss=0.082704, 1 epoch time=62.190013, left time=0.017275\n",
    );
    assert_eq!((a.last_step, a.total_steps), (Some(250), Some(250)));
    assert!(a.finished);
    // From 1, as most print them: the line of epoch N says N.
    let a = analyze("Epoch 1/150 - Loss: 0.80\nEpoch 2/150 - Loss: 0.70\n");
    assert_eq!((a.last_step, a.total_steps), (Some(2), Some(150)));
    // The last epoch's number as the total (`[601/601]` after `[0/601]`).
    let a = analyze("[Train] epoch [0/601], loss:40.5014\n[Train] epoch [601/601], loss:1.0497\n");
    assert_eq!((a.last_step, a.total_steps), (Some(602), Some(602)));
}

#[test]
fn a_loops_own_interrupted_by_user_message_stops_the_run() {
    let a = analyze(
        "Epoch 1/30 | Step 0/537 | Loss: 0.7471\n\
         21:58:02 | train                | INFO | Training interrupted by user\n",
    );
    assert_eq!(a.verdict, "fatal: interrupted (Ctrl-C / SIGINT)");
    let a = analyze(
        "iter 2710: loss 1.4731, time 45.36ms, mfu 12.40%\n\
         KeyboardInterrupt, saving checkpoint before exit\nsaving checkpoint to out-shakespeare-char\n",
    );
    assert_eq!(a.verdict, "fatal: interrupted (Ctrl-C / SIGINT)");
}

#[test]
fn a_run_appended_without_a_launch_line_takes_the_fatal_mark_off_the_one_before() {
    // `python train.py >> train.log` twice, no banner, no arguments printed:
    // the first launch ran out of memory at iteration 40, the second
    // counted from 0 again and trained past it.
    let oom = "Traceback (most recent call last):\n  File \"train.py\", line 300, in <module>\n    loss.backward()\ntorch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79.10 GiB of which 1.2 GiB is free.\n";
    let iters = |from: u32, to: u32| {
        (from..to)
            .map(|i| format!("iter {i}: loss 2.{i:02}, time 42.10ms, mfu 31.2%\n"))
            .collect::<String>()
    };
    let log = format!("{}{oom}{}", iters(0, 41), iters(0, 60));
    let a = analyze(&log);
    assert_eq!(a.last_step, Some(59), "{a:?}");
    assert!(a.errors.iter().all(|e| !e.fatal), "{:?}", a.errors);
    assert!(!a.verdict.starts_with("fatal:"), "{}", a.verdict);
    // The same crash in a single launch that never came back is fatal.
    let a = analyze(&format!("{}{oom}", iters(0, 41)));
    assert!(a.verdict.starts_with("fatal:"), "{}", a.verdict);
    // And so it stays when what follows only flushes the dead launch's
    // buffered output (its later steps, no counting again from 0).
    let a = analyze(&format!("{}{oom}{}", iters(0, 30), iters(30, 41)));
    assert!(a.verdict.starts_with("fatal:"), "{}", a.verdict);
}

#[test]
fn a_bar_appended_after_a_crash_that_counts_again_from_zero_is_a_new_launch() {
    let oom = "Traceback (most recent call last):\n  File \"train.py\", line 80, in <module>\n    trainer.train()\ntorch.OutOfMemoryError: CUDA out of memory. Tried to allocate 1.50 GiB.\n";
    let frames = |to: u32| {
        let mut s = String::new();
        for i in 0..=to {
            s += &format!(
                "\r{:3}%|          | {i}/500 [00:{:02}<01:00,  8.20it/s]",
                i * 100 / 500,
                i / 8
            );
        }
        s + "\n"
    };
    let a = analyze(&format!("{}{oom}{}", frames(40), frames(60)));
    assert_eq!(a.last_step, Some(60), "{a:?}");
    assert!(a.errors.iter().all(|e| !e.fatal), "{:?}", a.errors);
    let a = analyze(&format!("{}{oom}", frames(40)));
    assert!(a.verdict.starts_with("fatal:"), "{}", a.verdict);
}

#[test]
fn fuxictr_epochs_are_the_steps_and_its_train_loss_lines_the_losses() {
    // FuxiCTR (the BARS CTR benchmark's logs): `%(asctime)s P%(process)d
    // %(levelname)s %(message)s`, a `Train loss:` line and an `Epoch=N
    // end` rule per epoch, validation metrics before them.
    let head = |m: usize, s: usize| format!("2022-01-30 22:{m:02}:{s:02},425 P36916 INFO ");
    let mut log = format!(
        "{}Start training: 50 batches/epoch\n{}************ Epoch=1 start ************\n",
        head(35, 10),
        head(35, 11)
    );
    let losses = [0.406739, 0.282446, 0.255018, 0.229967, 0.209896];
    for (i, l) in losses.iter().enumerate() {
        let m = 36 + i;
        log += &format!(
            "{}[Metrics] AUC: 0.932984 - logloss: 0.305990\n",
            head(m, 40)
        );
        if i == 3 {
            log += &format!("{}Monitor(max) STOP: 0.955911 !\n", head(m, 40));
            log += &format!("{}Reduce learning rate on plateau: 0.000100\n", head(m, 40));
        } else {
            log += &format!("{}Save best model: monitor(max): 0.932984\n", head(m, 41));
        }
        log += &format!("{}--- 50/50 batches finished ---\n", head(m, 42));
        log += &format!("{}Train loss: {l}\n", head(m, 43));
        log += &format!(
            "{}************ Epoch={} end ************\n",
            head(m, 44),
            i + 1
        );
    }
    log += &format!(
        "{}Early stopping at epoch=5\n{}Training finished.\n{}****** Validation evaluation ******\n{}[Metrics] AUC: 0.982073 - logloss: 0.214431\n",
        head(41, 0),
        head(41, 0),
        head(41, 1),
        head(41, 2)
    );
    let a = analyze(&log);
    assert_eq!(a.last_step, Some(5), "{a:?}");
    assert_eq!(a.loss.first, Some(0.406739));
    assert_eq!(a.loss.last, Some(0.209896));
    assert_eq!(a.loss.count, 5);
    assert_eq!(a.verdict, "completed");
    assert!(a.errors.is_empty(), "{:?}", a.errors);
    assert!(
        a.notes.iter().any(|n| n.contains("its steps are epochs")),
        "{:?}",
        a.notes
    );
}

#[test]
fn a_level_word_after_the_timestamp_is_stripped_with_or_without_a_colon() {
    for line in [
        "2024-03-01 10:00:00,123 INFO Train loss: 0.52",
        "2024-03-01 10:00:00,123 INFO  Train loss: 0.52",
        "2024-03-01 10:00:00,123 root INFO Train loss: 0.52",
        "2024-03-01 10:00:00,123 P36916 INFO Train loss: 0.52",
        "2024-03-01 10:00:00,123 INFO: Train loss: 0.52",
        "2024-03-01 10:00:00,123 trainer INFO: Train loss: 0.52",
    ] {
        let st = strip_prefixes(line);
        assert_eq!(st.body, "Train loss: 0.52", "{line}");
        assert!(st.ts.is_some(), "{line}");
    }
    // (A message whose first word only looks like a level keeps it.)
    let st = strip_prefixes("2024-03-01 10:00:00,123 INFORMATION follows");
    assert_eq!(st.body, "INFORMATION follows");
}

#[test]
fn openmmlab_iteration_runners_count_their_iterations() {
    // mmengine's IterBasedTrainLoop (mmsegmentation 1.x, xtuner's LLM
    // fine-tuning): `Iter(train) [ N/M]`, two spaces between fields.
    let head = |s: u32| {
        format!(
            "01/29 21:{:02}:{:02} - mmengine - INFO - ",
            35 + s / 60,
            s % 60
        )
    };
    let mut log = String::new();
    for (k, it) in [10u32, 20, 30, 40, 50].iter().enumerate() {
        log += &format!(
            "{}Iter(train) [{it:>3}/720]  lr: 9.0001e-05  eta: 0:31:46  time: 2.7000  data_time: 0.0077  memory: 12762  loss: {:.4}  grad_norm: 0.9361\n",
            head(27 * k as u32),
            2.69 - 0.1 * k as f64
        );
    }
    log += &format!(
        "{}Iter(val) [ 5/13]    eta: 0:00:00  time: 0.0558  data_time: 0.0147  memory: 191\n",
        head(140)
    );
    let a = analyze(&log);
    assert_eq!((a.last_step, a.total_steps), (Some(50), Some(720)), "{a:?}");
    assert_eq!(a.loss.first, Some(2.69));
    assert_eq!(a.loss.last, Some(2.29));
    assert_eq!(a.verdict, "progressing");

    // mmcv 1.x's IterBasedRunner (mmsegmentation 0.x): `Iter [N/M]\t`,
    // its `loss` after the heads' own losses.
    let line = "Iter [50/80000]\tlr: 9.997e-03, eta: 12:10:49, time: 0.513, data_time: 0.019, memory: 3686, decode.loss_ce: 2.6397, decode.acc_seg: 22.7, aux.loss_ce: 1.1, loss: 3.7544";
    let ev = parse::mm_iter(line).expect("an mmcv iteration line");
    assert_eq!((ev.step, ev.total_steps), (Some(50), Some(80000)));
    assert_eq!(ev.loss, Some(3.7544));
    assert_eq!(ev.step_time_s, Some(0.513));
    // (MMOCR prints `data_time` before `time`.)
    let ev = parse::mm_iter("Iter(train) [5/7]  lr: 7.0000e-03  memory: 7730  data_time: 0.4496  loss: 17.8843  time: 1.8666")
        .expect("an mmengine iteration line");
    assert_eq!(ev.step_time_s, Some(1.8666));
    assert_eq!(
        parse::mm_iter("Iter(val) [500]\taAcc: 0.9, mIoU: 0.4").map(|e| e.kind),
        Some(EventKind::Eval)
    );
    assert_eq!(parse::mm_iter("Iterations: 500"), None);
    assert_eq!(parse::mm_iter("Iter [0/0]"), None);
}

#[test]
fn ms_swift_console_dicts_say_their_step_and_total() {
    // ms-swift prints its logs as Python dicts on the console (every value
    // quoted in recent versions), the step and the total in one string;
    // with the bar, a dict is glued after the frame that drew it.
    let dict = |step: u32, loss: f64| {
        format!(
            "{{'loss': '{loss}', 'grad_norm': '0.8901', 'learning_rate': '3.333e-05', 'token_acc': '0.921', 'epoch': '0.08602', 'global_step/max_steps': '{step}/60', 'elapsed_time': '43s', 'remaining_time': '41m 48s', 'memory(GiB)': '14.3', 'train_speed(s/it)': '42.51'}}"
        )
    };
    let mut log = String::from("[INFO:swift] rank: 0, local_rank: 0, world_size: 1\n");
    for (step, loss) in [(5u32, 0.3713), (10, 0.2992), (15, 0.25), (20, 0.21)] {
        log += &format!("{}\n", dict(step, loss));
    }
    let a = analyze(&log);
    assert_eq!((a.last_step, a.total_steps), (Some(20), Some(60)), "{a:?}");
    assert_eq!((a.loss.first, a.loss.last), (Some(0.3713), Some(0.21)));

    let mut log = String::new();
    for step in 0..=20u32 {
        log += &format!(
            "\rTrain: {:3}%|          | {step}/60 [00:{:02}<00:40, 1.00it/s]",
            step * 100 / 60,
            step
        );
        if step > 0 && step % 5 == 0 {
            log += &dict(step, 0.5 - f64::from(step) / 100.0);
            log += "\n";
        }
    }
    let a = analyze(&log);
    assert_eq!((a.last_step, a.total_steps), (Some(20), Some(60)), "{a:?}");
    assert_eq!(a.loss.last, Some(0.3));

    // Short dicts say it too, on the console and in `logging.jsonl`.
    for log in [
        "{'loss': '1.9', 'global_step/max_steps': '1/4'}\n{'loss': '1.7', 'global_step/max_steps': '2/4'}\n{'loss': '1.5', 'global_step/max_steps': '3/4'}\n",
        "{\"loss\": 1.9, \"global_step/max_steps\": \"1/4\"}\n{\"loss\": 1.7, \"global_step/max_steps\": \"2/4\"}\n{\"loss\": 1.5, \"global_step/max_steps\": \"3/4\"}\n",
    ] {
        let a = analyze(log);
        assert_eq!(
            (a.last_step, a.total_steps),
            (Some(3), Some(4)),
            "{log}: {a:?}"
        );
    }
}

#[test]
fn opennmt_reports_its_step_of_the_planned_steps_and_its_cross_entropy() {
    let mut log = String::from(
        "[2020-09-22 16:31:18,001 INFO] Start training loop and validate every 500 steps...\n",
    );
    for (k, (xent, ppl)) in [
        (8.80, 6659.24),
        (7.60, 1989.38),
        (7.23, 1374.93),
        (7.01, 1100.2),
    ]
    .iter()
    .enumerate()
    {
        let step = 50 * (k + 1);
        log += &format!(
            "[2020-09-22 16:31:{:02},717 INFO] Step {step}/ 1000; acc:   7.21; ppl: {ppl}; xent: {xent}; lr: 1.00000; 19307/19183 tok/s;      {} sec\n",
            24 + 6 * k,
            6 * (k + 1)
        );
    }
    let a = analyze(&log);
    assert_eq!(
        (a.last_step, a.total_steps),
        (Some(200), Some(1000)),
        "{a:?}"
    );
    assert_eq!((a.loss.first, a.loss.last), (Some(8.80), Some(7.01)));
    assert_eq!(a.verdict, "progressing");
    // (Without `xent`, the perplexity's log.)
    let ev =
        parse::opennmt_step("Step 50/  400; acc:  11.54; ppl: 1714.07; 662/656 tok/s;     86 sec")
            .expect("an OpenNMT step");
    assert!((ev.loss.unwrap() - 1714.07f64.ln()).abs() < 1e-9);
    assert_eq!(parse::opennmt_step("Step 5 of the recipe; stir"), None);
}

#[test]
fn espnet_batches_count_on_across_epochs_and_its_plan_gives_the_total() {
    // ESPnet2's trainer: `[host] TS (module:line) LEVEL: ` heads, batch
    // ranges counted from 1 in each epoch.
    let head = |m: u32| format!("[gpu-node] 2023-10-27 13:{m:02}:13,321 (trainer:753) INFO: ");
    let mut log = format!("{}1/3epoch started\n", head(0));
    let mut m = 1;
    for epoch in 1..=2u32 {
        if epoch > 1 {
            log += &format!(
                "{}{epoch}/3epoch started. Estimated time to finish: 8 minutes\n",
                head(m)
            );
        }
        for range in 0..3u32 {
            log += &format!(
                "{}{epoch}epoch:train:{}-{}batch: iter_time=1.924e-04, forward_time=0.040, loss_ctc=174.564, loss_att=145.106, acc=0.235, loss={}, backward_time=0.049, grad_norm=156.442, optim0_lr0=1.007e-05, train_time=0.127\n",
                head(m),
                range * 100 + 1,
                range * 100 + 100,
                160 - 10 * m
            );
            m += 1;
        }
    }
    let a = analyze(&log);
    assert_eq!(
        (a.last_step, a.total_steps),
        (Some(600), Some(900)),
        "{a:?}"
    );
    assert_eq!((a.loss.first, a.loss.last), (Some(150.0), Some(100.0)));
    let st = strip_prefixes(
        "[gpu-node:0/2] 2023-10-27 13:37:46,484 (trainer:753) INFO: 1epoch:train:1-4025batch: loss=1.0",
    );
    assert_eq!(st.body, "1epoch:train:1-4025batch: loss=1.0");
    assert!(st.ts.is_some());
}

#[test]
fn marian_updates_are_the_steps_and_its_cost_the_loss() {
    let mut log = String::from("[2021-05-26 23:12:33] Training started\n");
    for (k, cost) in [6.01253986, 4.39333200, 4.1, 3.9].iter().enumerate() {
        log += &format!(
            "[2021-05-26 23:{:02}:42] Ep. 1 : Up. {} : Sen. 15,203 : Cost {cost} * 414,436 after 414,436 : Time 609.91s : 679.50 words/s : L.r. 1.2500e-05\n",
            20 + 10 * k,
            500 * (k + 1)
        );
    }
    log += "[2021-05-26 23:59:33] [valid] Ep. 1 : Up. 2000 : ce-mean-words : 5.21277 : new best\n";
    let a = analyze(&log);
    assert_eq!(a.last_step, Some(2000), "{a:?}");
    assert_eq!((a.loss.first, a.loss.last), (Some(6.01253986), Some(3.9)));
    let ev = parse::marian_update("[valid] Ep. 1 : Up. 5000 : ce-mean-words : 5.21277 : new best")
        .unwrap();
    assert_eq!((ev.kind, ev.loss), (EventKind::Eval, Some(5.21277)));
}

#[test]
fn fastai_tables_count_epochs_from_their_first_row() {
    // fastai 2 (`fine_tune`: one frozen epoch, then a table of its own,
    // both from 0) and fastai 1 (from 1); rows padded, blank lines between.
    let v2 = "epoch     train_loss  valid_loss  error_rate  time    \n0         0.732300    0.141044    0.046512    00:12                 \nepoch     train_loss  valid_loss  error_rate  time    \n0         0.183334    0.021051    0.000000    00:09                 \n1         0.115255    0.011051    0.000000    00:09\n2         0.105255    0.011051    0.000000    00:09\n";
    let a = analyze(v2);
    assert_eq!(a.last_step, Some(3), "{a:?}");
    assert_eq!((a.loss.first, a.loss.last), (Some(0.7323), Some(0.105255)));
    let v1 = "epoch     train_loss  valid_loss  accuracy\n1         4.336932    3.600409    0.524499\n\nTotal time: 01:55\nepoch     train_loss  valid_loss  accuracy\n1         3.867303    3.446689    0.547847\n\n2         3.475966    3.257031    0.578702\n";
    let a = analyze(v1);
    assert_eq!(a.last_step, Some(2), "{a:?}");
    assert_eq!(a.loss.last, Some(3.475966));
    // A record that names its fields is not a header.
    assert_eq!(
        parse::fastai_header("epoch 1 iter 20 train_loss 2.3 lr 1e-4"),
        None
    );
    assert_eq!(parse::fastai_row("3 apples 0.5", 1), None);
}

#[test]
fn tensorflow_object_detection_steps_with_their_loss_line_or_dict_and_glog_times() {
    // TensorFlow prints each line twice: `INFO:tensorflow:` (no time), then
    // absl's glog copy with its time; the newer API puts the losses in a
    // dict on the lines after the step.
    let mut log = String::new();
    for k in 1..=5u32 {
        log += &format!(
            "INFO:tensorflow:Step {} per-step time 0.561s\nI0813 13:{:02}:28.326545 139687560058752 model_lib_v2.py:700] Step {} per-step time 0.561s\n",
            k * 100,
            k,
            k * 100
        );
        for head in [
            "INFO:tensorflow:",
            &format!("I0813 13:{k:02}:28.326872 139687560058752 model_lib_v2.py:701] "),
        ] {
            log += &format!(
                "{head}{{'Loss/classification_loss': 0.34123567,\n 'Loss/localization_loss': 0.0464548,\n 'Loss/total_loss': {}.25,\n 'learning_rate': 0.025333151}}\n",
                10 - k
            );
        }
    }
    let a = analyze(&log);
    assert_eq!(a.last_step, Some(500), "{a:?}");
    assert_eq!(
        (a.loss.first, a.loss.last, a.loss.count),
        (Some(9.25), Some(5.25), 5)
    );
    // 100 steps a minute, from the glog copies' times.
    let p50 = a.steps_per_sec.p50.expect("a step rate");
    assert!((p50 - 100.0 / 60.0).abs() < 1e-6, "{p50}");
    // Under NumPy 2 its values print as `np.float32(...)`.
    assert_eq!(
        parse::tf_total_loss(" 'Loss/total_loss': np.float32(0.36564916),"),
        Some(0.36564916)
    );
    let ev = parse::tf_od_step("Step 100 per-step time 0.640s loss=0.454").unwrap();
    assert_eq!(
        (ev.step, ev.loss, ev.step_time_s),
        (Some(100), Some(0.454), Some(0.640))
    );
    let st = strip_prefixes("I0813 13:07:28.326545 139687560058752 model_lib_v2.py:700] Step 900");
    assert_eq!(st.body, "Step 900");
    let st2 = strip_prefixes("I0813 13:08:29.826545 139687560058752 model_lib_v2.py:700] Step 900");
    assert!((st2.ts.unwrap() - st.ts.unwrap() - 61.5).abs() < 1e-6);
}

#[test]
fn nnunet_epochs_with_their_train_loss_lines() {
    // nnU-Net's `print_to_log_file`: `TS: message`, an epoch header (from
    // 0), the loss line with a space, the epoch's time.
    let mut log = String::new();
    for e in 0..4u32 {
        let m = 2 * e;
        log += &format!(
            "2026-08-26 17:{m:02}:11.123456: Epoch {e}\n2026-08-26 17:{m:02}:11.223456: Current learning rate: 0.00931\n2026-08-26 17:{:02}:11.323456: train_loss -0.{}412\n2026-08-26 17:{:02}:11.423456: val_loss -0.5883\n2026-08-26 17:{:02}:11.523456: Pseudo dice [np.float64(0.8123), np.float64(0.0)]\n2026-08-26 17:{:02}:11.623456: Epoch time: 120.0 s\n",
            m + 2,
            e + 3,
            m + 2,
            m + 2,
            m + 2
        );
    }
    let a = analyze(&log);
    // (Epochs counted from 0, as the log prints them.)
    assert_eq!(a.last_step, Some(3), "{a:?}");
    assert_eq!((a.loss.first, a.loss.last), (Some(-0.3412), Some(-0.6412)));
    assert!(
        a.notes.iter().any(|n| n.contains("its steps are epochs")),
        "{:?}",
        a.notes
    );
    let st = strip_prefixes("2026-08-26 17:03:11.123456: Epoch 12");
    assert_eq!(st.body, "Epoch 12");
}

#[test]
fn catboost_iterations_and_spacy_s_table() {
    let mut log = String::new();
    for i in 0..6u32 {
        log += &format!(
            "{i}:\tlearn: 0.5{}31\ttest: 0.6833\tbest: 0.6833 ({i})\ttotal: {}ms\tremaining: 1m 3s\n",
            9 - i,
            (i + 1) * 60
        );
    }
    let a = analyze(&log);
    assert_eq!(a.last_step, Some(5), "{a:?}");
    assert_eq!((a.loss.first, a.loss.last), (Some(0.5931), Some(0.5431)));
    // Its `total` time is the clock: an iteration every 60 ms.
    let p50 = a.steps_per_sec.p50.expect("a step rate");
    assert!((p50 - 1.0 / 0.06).abs() < 1e-6, "{p50}");
    let (ev, elapsed) =
        parse::catboost_iter("999:\tlearn: 0.1\ttotal: 1m 3s\tremaining: 0us").unwrap();
    assert_eq!((ev.step, elapsed), (Some(999), Some(63.0)));

    let spacy = "E    #       LOSS TOK2VEC  LOSS NER  ENTS_F  ENTS_P  ENTS_R  SCORE \n---  ------  ------------  --------  ------  ------  ------  ------\n  0       0          0.00     49.23    0.00    0.00    0.00    0.00\n  0     200         21.55   1948.77   51.93   56.18   48.28    0.52\n  1     400         38.04   1291.52   63.04   65.28   60.95    0.63\n";
    let a = analyze(spacy);
    assert_eq!(a.last_step, Some(400), "{a:?}");
    assert_eq!(a.loss.last, Some(38.04 + 1291.52));
}

#[test]
fn ai_toolkit_s_postfix_dinov2_s_iterations_and_its_head() {
    // ai-toolkit (Flux LoRAs): `lr: 1.0e-04 loss: 4.103e-01` in the postfix.
    let mut log = String::new();
    for n in 1..=30u32 {
        log += &format!(
            "\rmy_first_flux_lora_v1:   {}%|          | {n}/1000 [00:{:02}<1:42:04,  2.04s/it, lr: 1.0e-04 loss: {:.3e}]",
            n / 10,
            2 * n,
            0.5 - f64::from(n) / 100.0
        );
    }
    let a = analyze(&(log + "\n"));
    assert_eq!(
        (a.last_step, a.total_steps),
        (Some(30), Some(1000)),
        "{a:?}"
    );
    assert_eq!(a.loss.last, Some(0.2));
    assert_eq!(
        parse::postfix_value("lr: 1.0e-04 loss: 4.103e-01", "loss"),
        Some(0.4103)
    );
    assert_eq!(
        parse::postfix_value("lr: 1.0e-04 val_loss: 4.1e-01", "loss"),
        None
    );

    // DINOv2: its own head (a year in the date), the MetricLogger over
    // iterations; its four-decimal `lr: 0.0000` in a warm-up is no zero rate.
    let mut log = String::new();
    for k in 0..6u32 {
        log += &format!(
            "I20240504 13:{:02}:23 16157 dinov2 helpers.py:103] Training  [{:>5}/10000]  eta: 8:13:21  loss: {}.1147 (143.1147)  lr: 0.0000 (0.0000)  time: 2.960182  data: 2.449736  max mem: 2711\n",
            30 + k,
            10 * k,
            143 - k
        );
    }
    let a = analyze(&log);
    assert_eq!(
        (a.last_step, a.total_steps),
        (Some(50), Some(10000)),
        "{a:?}"
    );
    assert_eq!(
        (a.loss.first, a.loss.last),
        (Some(143.1147), Some(138.1147))
    );
    assert!(
        !a.notes.iter().any(|n| n.contains("learning rate is 0")),
        "{:?}",
        a.notes
    );
    // One iteration every 6 s, from the heads' times.
    let p50 = a.steps_per_sec.p50.expect("a step rate");
    assert!((p50 - 10.0 / 60.0).abs() < 1e-9, "{p50}");
}

#[test]
fn nanochat_steps_and_cleanrl_episodes() {
    // nanochat's base training line: the step of the planned steps, the
    // loss (its tokens per second and MFU beside).
    let mut log = String::new();
    for k in 1..=6u32 {
        log += &format!(
            "step {:05}/02520 ({:.2}%) | loss: {}.790014 | lrm: 1.00 | dt: 991.36ms | tok/sec: 528,855 | bf16_mfu: 40.62 | total time: {k}.05m | eta: 40.0m\n",
            10 * k,
            f64::from(10 * k) / 25.2,
            9 - k
        );
    }
    let a = analyze(&log);
    assert_eq!(
        (a.last_step, a.total_steps),
        (Some(60), Some(2520)),
        "{a:?}"
    );
    assert_eq!(
        (a.loss.first, a.loss.last),
        (Some(8.790014), Some(3.790014))
    );

    // CleanRL prints environment steps as episodes end, and no loss.
    let mut log = String::new();
    for k in 1..=6u32 {
        log += &format!(
            "global_step={}, episodic_return=[{}.]\nSPS: 1234\n",
            92 * k,
            10 + k
        );
    }
    let a = analyze(&log);
    assert_eq!(a.last_step, Some(552), "{a:?}");
    assert_eq!(a.verdict, "progressing");
    assert_eq!(parse::cleanrl_step("global_step=5 is the answer"), None);
}

#[test]
fn unsloth_s_banner_gives_the_total_steps_and_the_batch() {
    let banner = "==((====))==  Unsloth - 2x faster free finetuning | Num GPUs used = 1\n   \\\\   /|    Num examples = 51,760 | Num Epochs = 1 | Total steps = 60\nO^O/ \\_/ \\    Batch size per device = 2 | Gradient accumulation steps = 4\n\\        /    Data Parallel GPUs = 1 | Total batch size (2 x 4 x 1) = 8\n \"-____-\"     Trainable parameters = 41,943,040 of 8,072,204,288 (0.52% trained)\n";
    let mut log = banner.to_string();
    for k in 1..=6u32 {
        log += &format!(
            "{{'loss': 1.{}, 'grad_norm': 0.5, 'learning_rate': 0.0002, 'epoch': 0.0{k}}}\n",
            9 - k
        );
    }
    let a = analyze(&log);
    // (No bar and no logging interval: the step stays unknown, the total not.)
    assert_eq!(a.total_steps, Some(60), "{a:?}");
    let mut log = banner.to_string();
    for n in 1..=12u32 {
        log += &format!(
            "\r{:3}%|          | {n}/60 [00:{:02}<00:48,  1.00s/it]",
            n * 100 / 60,
            n
        );
    }
    let a = analyze(&(log + "\n"));
    assert_eq!((a.last_step, a.total_steps), (Some(12), Some(60)), "{a:?}");
    // Eight samples a step, one step a second.
    let sps = a.samples_per_sec.expect("samples/s");
    assert!((sps - 8.0).abs() < 1e-6, "{sps}");
}

#[test]
fn rvc_records_under_the_vits_epoch_head() {
    // RVC (voice conversion, VITS-based): the epoch head, `[global step,
    // lr]`, its losses on the next line, the epoch's end.
    let mut log = String::new();
    for e in 1..=4u32 {
        log += &format!(
            "INFO:voice:Train Epoch: {e} [{}%]\nINFO:voice:[{}, 9.99875e-05]\nINFO:voice:loss_disc={}.728, loss_gen=3.328, loss_fm=5.902,loss_mel=23.647, loss_kl=2.332\nINFO:voice:====> Epoch: {e} [2024-06-13 02:{:02}:38] | (0:13:28.865716)\n",
            (e * 47) % 100,
            (e - 1) * 200,
            5 - e,
            20 + e * 10
        );
    }
    let a = analyze(&log);
    assert_eq!(a.last_step, Some(600), "{a:?}");
    assert_eq!(
        (a.loss.first, a.loss.last, a.loss.count),
        (Some(4.728), Some(1.728), 4)
    );
    assert_eq!(parse::rvc_step("[200, 9.99875e-05]"), Some(200));
    assert_eq!(
        parse::rvc_step("[2.686, 2.843, 5.80, 63.61, 19.0, 0, 0.0001]"),
        None
    );
}

/// HF dicts without a step, no bar and no logging interval printed (a
/// script run with `disable_tqdm=True`, or a paste of the dicts alone): the
/// step is the epoch times the banner's steps per epoch, snapped to the
/// round interval the dicts show (transformers 4.x rounds the epoch to two
/// decimals).
#[test]
fn stepless_hf_dicts_count_steps_from_their_epochs() {
    let banner = "***** Running training *****\n  Num examples = 25,000\n  Num Epochs = 3\n  \
                  Instantaneous batch size per device = 16\n  \
                  Total train batch size (w. parallel, distributed & accumulation) = 32\n  \
                  Gradient Accumulation steps = 2\n  Total optimization steps = 2,346\n";
    // Every 50 steps of 782 an epoch, the epoch rounded as 4.x does.
    let dicts = |steps: &mut dyn Iterator<Item = u32>, round: bool| {
        let mut log = String::new();
        for s in steps {
            let e = f64::from(s) / 782.0;
            let e = if round {
                (e * 100.0).round() / 100.0
            } else {
                e
            };
            log += &format!(
                "{{'loss': {:.4}, 'learning_rate': 4e-05, 'epoch': {e}}}\n",
                1.0 / f64::from(s)
            );
        }
        log
    };
    let a = analyze(&(banner.to_string() + &dicts(&mut (1..=4).map(|k| 50 * k), true)));
    assert_eq!(
        (a.last_step, a.total_steps),
        (Some(200), Some(2346)),
        "{a:?}"
    );
    assert_eq!(a.verdict, "progressing");
    assert!(
        a.notes.iter().any(|n| n.contains("782 steps an epoch")),
        "{:?}",
        a.notes
    );
    // Into the third epoch, an evaluation's banner on the way (its `Num
    // examples` is not the training set's).
    let log = banner.to_string()
        + &dicts(&mut (1..=20).map(|k| 100 * k), true)
        + "***** Running Evaluation *****\n  Num examples = 1000\n  Batch size = 8\n"
        + &dicts(&mut (21..=23).map(|k| 100 * k), true);
    let a = analyze(&log);
    assert_eq!(a.last_step, Some(2300), "{a:?}");
    // transformers 5.x logs the epoch unrounded: no snapping needed.
    let a = analyze(&(banner.to_string() + &dicts(&mut [10, 20, 30, 37].into_iter(), false)));
    assert_eq!(a.last_step, Some(37), "{a:?}");
    // No examples count and a single epoch (`max_steps` may have cut it):
    // the steps per epoch are unknown, and so is the step.
    let short =
        "***** Running training *****\n  Num Epochs = 1\n  Total optimization steps = 500\n";
    let a = analyze(&(short.to_string() + &dicts(&mut [50, 100].into_iter(), true)));
    assert_eq!(a.last_step, None, "{a:?}");
    assert_eq!(a.verdict, "progressing (loss reported, step unknown)");
}

/// MLX LM's LoRA trainer states its iterations before it starts.
#[test]
fn mlx_lm_s_plan_gives_the_total() {
    let a = analyze(
        "Starting training..., iters: 600\n\
         Iter 1: Val loss 2.910, Val took 12.345s\n\
         Iter 10: Train loss 2.345, Learning Rate 1.000e-05, It/sec 0.512, Tokens/sec 456.789, Trained Tokens 8923, Peak mem 15.678 GB\n\
         Iter 20: Train loss 2.100, Learning Rate 1.000e-05, It/sec 0.520, Tokens/sec 460.000, Trained Tokens 17800, Peak mem 15.678 GB\n",
    );
    assert_eq!((a.last_step, a.total_steps), (Some(20), Some(600)), "{a:?}");
    assert_eq!((a.loss.first, a.loss.last), (Some(2.345), Some(2.1)));
}

/// TensorFlow's Estimator: its step lines, its rate between them and its
/// last line; LightGBM's rounds and its end.
#[test]
fn tf_estimator_and_lightgbm_logs() {
    let a = analyze(
        "INFO:tensorflow:Saving checkpoints for 0 into /tmp/model/model.ckpt.\n\
         INFO:tensorflow:loss = 2.3125, step = 0\n\
         INFO:tensorflow:global_step/sec: 8.0\n\
         INFO:tensorflow:loss = 0.51234, step = 100 (12.500 sec)\n\
         INFO:tensorflow:global_step/sec: 8.0\n\
         INFO:tensorflow:loss = 0.41234, step = 200 (12.500 sec)\n\
         INFO:tensorflow:Saving checkpoints for 200 into /tmp/model/model.ckpt.\n\
         INFO:tensorflow:Loss for final step: 0.2812.\n",
    );
    assert_eq!(a.last_step, Some(200), "{a:?}");
    assert!(a.finished, "{a:?}");
    assert_eq!(a.reported.step_time_s, Some(0.125), "{a:?}");
    let a = analyze(
        "[LightGBM] [Info] Total Bins 5100\n\
         Training until validation scores don't improve for 50 rounds\n\
         [100]\ttraining's binary_logloss: 0.412\tvalid_1's binary_logloss: 0.453\n\
         [200]\ttraining's binary_logloss: 0.351\tvalid_1's binary_logloss: 0.421\n\
         [300]\ttraining's binary_logloss: 0.312\tvalid_1's binary_logloss: 0.410\n\
         Early stopping, best iteration is:\n\
         [280]\ttraining's binary_logloss: 0.318\tvalid_1's binary_logloss: 0.409\n",
    );
    assert_eq!(
        (a.last_step, a.loss.last),
        (Some(300), Some(0.312)),
        "{a:?}"
    );
    assert!(a.finished, "{a:?}");
}

/// A run that said it ended, then failed (an upload after training, a
/// script's next line): its training completed, and the verdict says what
/// failed after it; the error stays fatal in the list.
#[test]
fn a_failure_after_the_end_is_said_after_completed() {
    let trained = "{'loss': 0.91, 'grad_norm': 1.2, 'learning_rate': 1e-05, 'epoch': 1.0}\n\
                   {'train_runtime': 375.4, 'train_samples_per_second': 19.1, 'train_steps_per_second': 2.4, 'train_loss': 0.95, 'epoch': 1.0}\n\
                   Training completed. Do not forget to share your model on huggingface.co/models =)\n";
    let upload = "Traceback (most recent call last):\n  File \"/w/train.py\", line 80, in <module>\n    trainer.push_to_hub()\n\
                  requests.exceptions.HTTPError: 401 Client Error: Unauthorized for url: https://huggingface.co/api/repos/create\n";
    let a = analyze(&format!("{trained}{upload}"));
    assert_eq!(
        a.verdict, "completed (then failed: Python exception: HTTPError)",
        "{:?}",
        a.errors
    );
    assert!(a.errors.iter().any(|e| e.fatal));
    // Before the end, it did not end the run (the run went on to its end).
    let a = analyze(&format!("{upload}{trained}"));
    assert_eq!(a.verdict, "completed");
    // Without an end, it is the end.
    let a = analyze(&format!("{}{upload}", trained.lines().next().unwrap_or("")));
    assert!(a.verdict.starts_with("fatal: "), "{}", a.verdict);
}

/// The HF Trainer in a notebook, its output copied as text: the progress
/// label (redrawn in place: its last state) and the table of losses, by
/// epoch or by step, with `No log` before the first logged loss.
#[test]
fn hf_trainer_notebook_output_as_text() {
    let banner = "***** Running training *****\n  Num examples = 3860\n  Num Epochs = 3\n  \
                  Instantaneous batch size per device = 8\n  Total optimization steps = 1449\n";
    let a = analyze(&format!(
        "{banner} [1449/1449 19:47, Epoch 3/3]\nEpoch  Training Loss  Validation Loss\n\
         1  No log  0.240059\n2  0.555900  0.210987\n3  0.208900  0.179072\n\
         Training completed. Do not forget to share your model on huggingface.co/models =)\n"
    ));
    assert_eq!(a.format, Format::HfTrainer);
    assert_eq!(
        (a.last_step, a.total_steps),
        (Some(1449), Some(1449)),
        "{a:?}"
    );
    assert_eq!((a.loss.first, a.loss.last), (Some(0.5559), Some(0.2089)));
    assert_eq!(
        (a.eval.count, a.eval.every_steps, a.eval.last_loss),
        (3, Some(483), Some(0.179072))
    );
    assert!(a.finished);
    // Still training, by step, tab-separated, with a metric column.
    let a = analyze(
        " [ 500/1000 05:00 < 05:00, 1.67 it/s, Epoch 1.50/3]\n\
         Step\tTraining Loss\tValidation Loss\tAccuracy\n\
         100\t2.123400\t2.000000\t0.51\n200\t1.923400\t1.900000\t0.55\n\
         300\t1.823400\t1.850000\t0.58\n",
    );
    assert_eq!(
        (a.last_step, a.total_steps),
        (Some(500), Some(1000)),
        "{a:?}"
    );
    assert_eq!(a.verdict, "progressing");
    assert_eq!(a.reported.bar_rate, Some(1.67));
    assert_eq!((a.loss.first, a.loss.last), (Some(2.1234), Some(1.8234)));
    assert_eq!(a.eval.every_steps, Some(100));
    // The table alone: its steps are the steps.
    let a = analyze(
        "Step  Training Loss  Validation Loss\n500  0.693100  0.690000\n1000  0.500000  0.480000\n",
    );
    assert_eq!((a.last_step, a.loss.last), (Some(1000), Some(0.5)), "{a:?}");
    // What `train()` returns, echoed by the notebook after its table.
    let a = analyze(
        "TrainOutput(global_step=1449, training_loss=0.3812, metrics={'train_runtime': 1187.5, \
         'train_samples_per_second': 9.75, 'train_steps_per_second': 1.22, 'train_loss': 0.3812, 'epoch': 3.0})\n",
    );
    assert_eq!(
        (a.format, a.last_step, a.finished),
        (Format::HfTrainer, Some(1449), true),
        "{a:?}"
    );
    assert_eq!(a.reported.train_runtime_s, Some(1187.5));
    // Unsloth's notebooks: training losses only, a row per step, under its
    // banner (this version puts the total steps beside the batch size).
    let banner = "   \\\\   /|    Num examples = 3,011 | Num Epochs = 1\n\
                  O^O/ \\_/ \\    Batch size per device = 2 | Gradient Accumulation steps = 4\n\
                  \\        /    Total batch size = 8 | Total steps = 80\n";
    let a = analyze(&format!(
        "{banner} [40/80 02:02 < 02:02, 0.33 it/s, Epoch 0.11/1]\n"
    ));
    assert_eq!((a.last_step, a.total_steps), (Some(40), Some(80)), "{a:?}");
    assert_eq!(
        a.notes.iter().find(|n| n.contains("no batch size")),
        None,
        "{:?}",
        a.notes
    );
    let a = analyze(&format!(
        "{banner}{{'loss': 1.2, 'learning_rate': 2e-4, 'epoch': 0.01}}\n"
    ));
    assert_eq!(a.total_steps, Some(80), "{a:?}");
    // Unsloth's notebooks: training losses only, a row per step.
    let rows: String = (1..=60u32)
        .map(|s| format!("{s}\t{:.6}\n", 2.0 - f64::from(s) / 100.0))
        .collect();
    let a = analyze(&format!(
        " [60/60 03:48, Epoch 0/1]\nStep\tTraining Loss\n{rows}"
    ));
    assert_eq!(
        (a.last_step, a.total_steps, a.eval.count),
        (Some(60), Some(60), 0),
        "{a:?}"
    );
    assert_eq!((a.loss.first, a.loss.last), (Some(1.99), Some(1.4)));
    // An evaluation's progress (no epoch) is not training's.
    assert_eq!(parse::hf_notebook_progress("[63/63 00:05]"), None);
    assert!(
        parse::hf_notebook_progress("[ 3/129 01:55 < 4:02:20, 0.01 it/s, Epoch 0.02/1]").is_some()
    );
}

/// W&B's run summary, printed as the run ends: the last step and the last
/// training loss logged (not its history's sparklines).
#[test]
fn wandb_s_run_summary_gives_the_last_step_and_loss() {
    let summary = "wandb: Run history:\nwandb:  train/global_step \u{2581}\u{2582}\u{2588}\n\
                   wandb:        train/loss \u{2588}\u{2582}\u{2581}\nwandb: \nwandb: Run summary:\n\
                   wandb:       train/epoch 3.0\nwandb: train/global_step 1000\nwandb:        train/loss 0.2013\n\
                   wandb:        train_loss 0.2812\nwandb: \nwandb: View run fresh-sun-1 at: https://wandb.ai/me/p/runs/abc\n";
    let log = format!(
        "{{'loss': 0.4123, 'learning_rate': 4.9e-05, 'epoch': 0.06}}\n\
         {{'train_runtime': 600.1, 'train_samples_per_second': 26.66, 'train_steps_per_second': 1.666, 'train_loss': 0.2812, 'epoch': 3.0}}\n{summary}"
    );
    let a = analyze(&log);
    assert_eq!(
        (a.format, a.last_step),
        (Format::HfTrainer, Some(1000)),
        "{a:?}"
    );
    assert_eq!((a.loss.first, a.loss.last), (Some(0.4123), Some(0.2013)));
    // A bar that counted the steps keeps its count.
    let bar: String = (1..=20u32)
        .map(|n| {
            format!(
                "\r{:3}%|          | {n}/20 [00:{:02}<00:00,  1.00it/s]",
                n * 5,
                n
            )
        })
        .collect();
    let a = analyze(&format!("{bar}\n{}", summary.replace("1000", "7")));
    assert_eq!(a.last_step, Some(20), "{a:?}");
    // A script's own keys, under Ray's prefix; W&B's `_step` is not a step.
    let a = analyze(
        "(TaskRunner pid=1) wandb: Run summary:\n(TaskRunner pid=1) wandb:  _step 113\n\
         (TaskRunner pid=1) wandb:   loss 0.51293\n(TaskRunner pid=1) wandb:   step 10000\n(TaskRunner pid=1) wandb: \n",
    );
    assert_eq!(
        (a.last_step, a.loss.last),
        (Some(10000), Some(0.51293)),
        "{a:?}"
    );
}

/// The TensorFlow 1.x examples (aymericdamien's and their copies): a cost
/// per epoch, then their last line.
#[test]
fn tensorflow_examples_epoch_cost_lines() {
    let a = analyze(
        "Epoch: 0001 cost= 0.123456789\nEpoch: 0002 cost= 0.100000000\n\
         Epoch: 0003 cost= 0.090000000 W= 0.25 b= 1.5\nOptimization Finished!\n",
    );
    assert_eq!((a.last_step, a.epoch), (Some(3), Some(3.0)), "{a:?}");
    assert_eq!((a.loss.first, a.loss.last), (Some(0.123456789), Some(0.09)));
    assert!(a.finished);
    assert_eq!(parse::tf_example_epoch("Epoch: 1 costs 2"), None);
}

/// llama-recipes' bar: a bar per epoch whose description says the epoch of
/// how many (`Training Epoch: 1/3, step 99/100 completed (loss: ...)`).
#[test]
fn llama_recipes_epoch_bars_count_on_to_the_run_total() {
    let mut log = String::new();
    for e in 1..=2u32 {
        log += &format!("\rTraining Epoch: {e}:   0%|          | 0/100 [00:00<?, ?it/s]");
        for n in 1..=100u32 {
            log += &format!(
                "\rTraining Epoch: {e}/3, step {}/100 completed (loss: {:.4}): {n:3}%|#         | {n}/100 [{:02}:{:02}<03:18,  2.00s/it]",
                n - 1,
                2.0 - f64::from(n) / 1000.0 - f64::from(e) / 10.0,
                n * 2 / 60,
                n * 2 % 60
            );
        }
        log += "\nMax CUDA memory allocated was 12 GB\n";
    }
    let a = analyze(&log);
    assert_eq!(
        (a.last_step, a.total_steps, a.epoch),
        (Some(200), Some(300), Some(2.0)),
        "{a:?}"
    );
    assert_eq!(a.loss.last, Some(1.7));
}

/// minGPT's demo trainer, of the nanoGPT family: its iteration time comes
/// before the step.
#[test]
fn mingpt_iteration_lines() {
    let a = analyze(
        "number of parameters: 85.11M\nrunning on device cuda\n\
         iter_dt 0.00ms; iter 0: train loss 10.83203\n\
         iter_dt 35.00ms; iter 100: train loss 6.12345\n\
         iter_dt 35.00ms; iter 200: train loss 5.01234\n",
    );
    assert_eq!(
        (a.format, a.last_step),
        (Format::NanoGpt, Some(200)),
        "{a:?}"
    );
    assert_eq!((a.loss.first, a.loss.last), (Some(10.83203), Some(5.01234)));
    assert_eq!(a.reported.step_time_s, Some(0.035));
}

#[test]
fn driver_download_and_checkpoint_failures_a_rented_host_meets() {
    use errors::classify_line;
    let c = |s: &str| classify_line(s).map(|x| (x.class, x.fatal, x.label));
    let fatal = |class, label: &str| Some((class, true, label.to_string()));
    assert_eq!(
        c("RuntimeError: CUDA error: out of memory"),
        fatal(ErrorClass::Memory, "CUDA out of memory")
    );
    assert_eq!(
        c(
            "RuntimeError: The NVIDIA driver on your system is too old (found version 11040). Please update your GPU driver"
        ),
        fatal(
            ErrorClass::Cuda,
            "NVIDIA driver too old for this PyTorch build (host driver vs image CUDA)"
        )
    );
    assert_eq!(
        c(
            "RuntimeError: Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU and installed a driver"
        ),
        fatal(ErrorClass::Cuda, "no NVIDIA driver found")
    );
    assert_eq!(
        c("AssertionError: Torch not compiled with CUDA enabled"),
        fatal(
            ErrorClass::Dependency,
            "PyTorch built without CUDA (a CPU-only wheel)"
        )
    );
    assert_eq!(
        c(
            "ValueError: Your setup doesn't support bf16/gpu. You need torch>=1.10, using Ampere GPU with cuda>=11.0"
        )
        .map(|x| x.0),
        Some(ErrorClass::Cuda)
    );
    for line in [
        "huggingface_hub.errors.GatedRepoError: 401 Client Error. (Request ID: Root=1-6751)",
        "huggingface_hub.errors.RepositoryNotFoundError: 404 Client Error. (Request ID: Root=1-6751)",
        "OSError: We couldn't connect to 'https://huggingface.co' to load this file, couldn't find it in the cached files",
        "requests.exceptions.ConnectionError: (MaxRetryError(\"HTTPSConnectionPool(host='huggingface.co', port=443): Max retries exceeded\"))",
        "safetensors_rust.SafetensorError: Error while deserializing header: HeaderTooLarge",
        "_pickle.UnpicklingError: invalid load key, 'v'.",
    ] {
        assert_eq!(
            c(line).map(|x| (x.0, x.1)),
            Some((ErrorClass::Data, true)),
            "{line}"
        );
    }
    assert_eq!(
        c("_pickle.UnpicklingError: Weights only load failed. This file can still be loaded")
            .map(|x| x.0),
        Some(ErrorClass::Dependency)
    );
    assert_eq!(
        c("wandb.errors.UsageError: api_key not configured (no-tty). call wandb.login(key=[your_api_key])")
            .map(|x| x.0),
        Some(ErrorClass::Dependency)
    );
    assert_eq!(
        c("FileNotFoundError: [Errno 2] No such file or directory: 'data/train.bin'"),
        fatal(ErrorClass::Data, "file not found: 'data/train.bin'")
    );
    // A loop that reports what it skipped: not the exception that ends it.
    assert_eq!(
        c("skipping shard 3: FileNotFoundError: [Errno 2] No such file or directory: 'x.bin'"),
        None
    );
}

#[test]
fn a_gpu_newer_than_the_build_and_services_that_refuse_are_named() {
    use errors::classify_line;
    let c = |s: &str| classify_line(s).map(|x| (x.class, x.fatal));
    // An RTX 5090 under a wheel built before Blackwell: torch's warning on
    // a line of its own says why, the first kernel's error ends the run.
    let a = analyze(
        "/usr/local/lib/python3.10/dist-packages/torch/cuda/__init__.py:230: UserWarning: \n         NVIDIA GeForce RTX 5090 with CUDA capability sm_120 is not compatible with the current PyTorch installation.\n         The current PyTorch install supports CUDA capabilities sm_50 sm_60 sm_70 sm_75 sm_80 sm_86 sm_90.\n         Traceback (most recent call last):\n  File \"train.py\", line 9, in <module>\n    model.cuda()\n         RuntimeError: CUDA error: no kernel image is available for execution on the device\n",
    );
    let named: Vec<_> = a.errors.iter().map(|e| (e.class, e.fatal)).collect();
    assert_eq!(
        named,
        [(ErrorClass::Dependency, false), (ErrorClass::Cuda, true)],
        "{:?}",
        a.errors
    );
    assert!(
        a.errors[0].label.contains("no kernels for this GPU"),
        "{:?}",
        a.errors
    );
    // Raised instead, it ends the run itself.
    assert_eq!(
        c(
            "RuntimeError: NVIDIA GeForce RTX 5070 Ti with CUDA capability sm_120 is not compatible with the current PyTorch installation"
        ),
        Some((ErrorClass::Dependency, true))
    );
    // Building flash-attn with a toolkit older than the GPU.
    assert_eq!(
        c("nvcc fatal   : Unsupported gpu architecture 'compute_120'"),
        Some((ErrorClass::Dependency, true))
    );
    // A Triton config for a bigger GPU's shared memory.
    assert_eq!(
        c(
            "triton.runtime.errors.OutOfResources: out of resource: shared memory, Required: 262144, Hardware limit: 232448. Reducing block sizes or `num_stages` may help."
        ),
        Some((ErrorClass::Cuda, true))
    );
    // The Hub's rate limit; W&B that cannot reach its server.
    assert_eq!(
        c(
            "huggingface_hub.errors.HfHubHTTPError: 429 Client Error: Too Many Requests for url: https://huggingface.co/api/models/gpt2"
        ),
        Some((ErrorClass::Data, true))
    );
    assert_eq!(
        c("wandb.errors.errors.CommError: Run initialization has timed out after 90.0 sec."),
        Some((ErrorClass::Dependency, true))
    );
    // TensorFlow's driver mismatch.
    assert_eq!(
        c(
            "tensorflow.python.framework.errors_impl.InternalError: cudaGetDevice() failed. Status: CUDA driver version is insufficient for CUDA runtime version"
        ),
        Some((ErrorClass::Cuda, true))
    );
    // Lightning on the CPU: said, and the run goes on.
    let a = analyze(
        "GPU available: True (cuda), used: False\nTPU available: False, using: 0 TPU cores\n\
         Epoch 0:  50%|#####     | 20/40 [00:10<00:10,  2.00it/s, v_num=0]\n",
    );
    assert_eq!(a.verdict, "progressing");
    assert!(has_error(&a, ErrorClass::Cuda, false), "{:?}", a.errors);
    let a = analyze(
        "GPU available: True (cuda), used: True\nEpoch 0:  50%|#####     | 20/40 [00:10<00:10,  2.00it/s, v_num=0]\n",
    );
    assert!(a.errors.is_empty(), "{:?}", a.errors);
}

#[test]
fn a_bar_that_shows_a_loss_takes_over_from_a_finished_one_at_its_first_frame() {
    // ai-toolkit: a caching bar without a description finishes, then the
    // training bar's first frame already shows the loss.
    let a = analyze(
        "\r  0%|          | 0/24 [00:00<?, ?it/s]\r100%|##########| 24/24 [00:00<00:00, 333.33it/s]\n\
         \rmy_lora:   0%|          | 0/2000 [00:00<?, ?it/s]\
         \rmy_lora:   0%|          | 3/2000 [00:03<42:00,  1.26s/it, lr: 1.0e-04 loss: 5.433e-01]\
         \rmy_lora:   0%|          | 4/2000 [00:04<42:00,  1.26s/it, lr: 1.0e-04 loss: 3.873e-01]\n",
    );
    assert_eq!(
        (a.last_step, a.total_steps, a.loss.first, a.loss.last),
        (Some(4), Some(2000), Some(0.5433), Some(0.3873))
    );
}

#[test]
fn a_finished_hf_run_without_a_bar_reached_its_total() {
    // `run_clm.py --disable_tqdm`: dicts every 50 of 870 steps, the last at
    // 850; the summary's epoch is the planned 3, so the last 20 ran too.
    let mut log = String::from(
        "05/11/2024 07:30:01 - INFO - __main__ - Training/evaluation parameters TrainingArguments(\n\
         disable_tqdm=True,\nlogging_steps=50,\nnum_train_epochs=3.0,\n)\n\
         05/11/2024 07:30:21 - INFO - transformers.trainer - ***** Running training *****\n\
         05/11/2024 07:30:21 - INFO - transformers.trainer -   Num examples = 2,318\n\
         05/11/2024 07:30:21 - INFO - transformers.trainer -   Num Epochs = 3\n\
         05/11/2024 07:30:21 - INFO - transformers.trainer -   Instantaneous batch size per device = 8\n\
         05/11/2024 07:30:21 - INFO - transformers.trainer -   Total train batch size (w. parallel, distributed & accumulation) = 8\n\
         05/11/2024 07:30:21 - INFO - transformers.trainer -   Total optimization steps = 870\n",
    );
    for k in 1..=17 {
        log += &format!(
            "{{'loss': 3.1, 'learning_rate': 1e-05, 'epoch': {:.2}}}\n",
            k as f64 * 50.0 / 290.0
        );
    }
    let done = "{'train_runtime': 207.1234, 'train_samples_per_second': 33.574, 'train_steps_per_second': 4.2, 'train_loss': 3.2379, 'epoch': 3.0}\n";
    let a = analyze(&(log.clone() + done));
    assert_eq!(
        (a.last_step, a.total_steps, a.verdict.as_str()),
        (Some(870), Some(870), "completed")
    );
    // Stopped early (`max_steps`, an early-stopping callback): not all of it.
    let a = analyze(&(log + &done.replace("'epoch': 3.0", "'epoch': 2.93")));
    assert_eq!(a.last_step, Some(850));
}

#[test]
fn an_error_the_training_bar_went_on_well_past_did_not_end_the_run() {
    let oom = "Traceback (most recent call last):\n  File \"train.py\", line 88, in <module>\n    loss.backward()\n\
               torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 3.91 GiB. GPU 0 has a total capacity of 23.64 GiB\n";
    let bar = |from: u32, to: u32| -> String {
        (from..=to)
            .map(|n| {
                format!(
                    "\r  0%|          | {n}/3000 [00:{:02}<10:00,  3.00it/s]",
                    n / 3 % 60
                )
            })
            .collect()
    };
    // A relaunch appended to the log after an OOM at its first step (no
    // counter that went back to say so): its bar runs on.
    let a = analyze(&format!("{oom}{}\n", bar(1, 30)));
    assert_eq!((a.verdict.as_str(), a.last_step), ("progressing", Some(30)));
    assert!(has_error(&a, ErrorClass::Memory, false), "{:?}", a.errors);
    // A loop that catches the OOM, says so, and skips the batch.
    let a = analyze(&format!(
        "{}\nOOM on batch 512, skipping: CUDA out of memory. Tried to allocate 2.00 GiB\n{}\n",
        bar(1, 500),
        bar(501, 520)
    ));
    assert_eq!(a.verdict, "progressing", "{:?}", a.errors);
    // Another rank's bar that draws a step or two before the collective
    // stalls it: the OOM ended the run.
    let a = analyze(&format!(
        "{}\n[rank1]: {oom}{}\n",
        bar(1, 100),
        bar(101, 102)
    ));
    assert_eq!(
        a.verdict,
        "fatal: CUDA out of memory (tried to allocate 3.91 GiB)"
    );
}

#[test]
fn a_loss_that_went_nan_then_zero_is_a_divergence() {
    // HF before 4.38 (no grad_norm in its dicts) prints 0.0 after the NaN.
    let a = analyze(
        "{'loss': 1.4352, 'learning_rate': 0.0002, 'epoch': 0.1}\n{'loss': nan, 'learning_rate': 0.00019, 'epoch': 0.2}\n\
         {'loss': 0.0, 'learning_rate': 0.00018, 'epoch': 0.3}\n{'loss': 0.0, 'learning_rate': 0.00017, 'epoch': 0.4}\n",
    );
    assert!(
        a.verdict.ends_with("(warning: loss went NaN, then 0.0)"),
        "{}",
        a.verdict
    );
    // (A loss that came back from the NaN is not.)
    let a = analyze(
        "{'loss': 1.4352, 'epoch': 0.1}\n{'loss': nan, 'epoch': 0.2}\n{'loss': 0.0, 'epoch': 0.3}\n{'loss': 1.2, 'epoch': 0.4}\n",
    );
    assert!(!a.verdict.contains("warning"), "{}", a.verdict);
}

#[test]
fn a_bar_without_a_total_that_shows_a_loss_counts_the_steps() {
    // A loop over a streaming dataset: tqdm knows no length.
    let log: String = (1..=40)
        .map(|n| {
            format!(
                "\rTraining: {}it [00:{:02}, 10.00it/s, loss=3.{:03}]",
                n * 10,
                n,
                100 - n
            )
        })
        .collect();
    let a = analyze(&log);
    assert_eq!(
        (a.format, a.last_step, a.total_steps, a.loss.last),
        (Format::Tqdm, Some(400), None, Some(3.06))
    );
    // (Without a loss it may be anything: reading files, tokenising.)
    let a = analyze(&log.replace(", loss=", ", n="));
    assert_eq!(a.last_step, None);
}

#[test]
fn what_follows_training_is_not_its_training() {
    let bar = |desc: &str, total: u32, rate: &str, post: &str| -> String {
        let mut s: String = [0, total / 2, total]
            .iter()
            .map(|n| {
                format!(
                    "\r{desc}{:>3}%|#####| {n}/{total} [00:{:02}<00:10, {rate}{post}]",
                    n * 100 / total,
                    n % 60
                )
            })
            .collect();
        s.push('\n');
        s
    };
    // HF's run, its summary, then pushing to the Hub (a slow bar).
    let hf = bar("", 600, "7.55it/s", "")
        + "{'loss': 0.5, 'learning_rate': 1e-05, 'epoch': 3.0}\n\
           {'train_runtime': 79.43, 'train_samples_per_second': 60.4, 'train_steps_per_second': 7.55, 'train_loss': 0.61, 'epoch': 3.0}\n";
    let a = analyze(&(hf.clone() + &bar("Upload 2 LFS files: ", 2, "600.00s/it", "")));
    assert_eq!(
        (a.last_step, a.total_steps, a.verdict.as_str()),
        (Some(600), Some(600), "completed")
    );
    // ... or a generation loop after the summary, without a name.
    let a = analyze(&(hf + &bar("", 200, "2.00it/s", "")));
    assert_eq!(a.last_step, Some(600));
    // A bar that showed the loss, then inference over more items, faster.
    let a =
        analyze(&(bar("", 1000, "8.20it/s", ", loss=0.282") + &bar("", 5000, "480.00it/s", "")));
    assert_eq!((a.last_step, a.total_steps), (Some(1000), Some(1000)));
    // nanoGPT to its max_iters, then lm-eval's bars.
    let a = analyze(
        &("Overriding: max_iters = 400\niter 0: loss 10.9, time 3000.00ms, mfu -100.00%\n\
           iter 200: loss 4.1, time 3010.00ms, mfu 89.00%\niter 400: loss 0.0423, time 3017.36ms, mfu 89.73%\n"
            .to_string()
            + &bar("", 2376, "1980.40it/s", "")
            + &bar("Running loglikelihood requests: ", 49672, "128.52it/s", "")),
    );
    assert_eq!(
        (a.last_step, a.total_steps, a.verdict.as_str()),
        (Some(400), Some(400), "completed")
    );
    // Image generation servers: ComfyUI's prompts, AUTOMATIC1111's batches.
    let a = analyze(
        &("got prompt\n".to_string()
            + &bar("", 20, "8.50it/s", "")
            + "Prompt executed in 2.61 seconds\n")
            .repeat(3),
    );
    assert_eq!(
        (a.last_step, a.verdict.as_str()),
        (None, "no training progress recognised")
    );
    let a = analyze(
        &(bar("Total progress: ", 40, "8.52it/s", "") + &bar("", 20, "8.52it/s", "")).repeat(2),
    );
    assert_eq!(a.last_step, None);
    // lm-eval alone: each task's requests built under a bare bar, named
    // by the logger's line above it, then the model's requests.
    let task = |name: &str, n| {
        format!(
            "2026-11-28:18:20:01 INFO     [api.task:434] Building contexts for {name} on rank 0...\n"
        ) + &bar("", n, "2234.12it/s", "")
    };
    let lm_eval = task("hellaswag", 10042)
        + &task("arc_easy", 2376)
        + "2026-11-28:18:20:01 INFO     [evaluator:517] Running loglikelihood requests\n"
        + &bar("Running loglikelihood requests: ", 49672, "128.52it/s", "");
    let a = analyze(&lm_eval);
    assert_eq!(
        (a.last_step, a.verdict.as_str()),
        (None, "no training progress recognised")
    );
    // (The same bare bar without that line above it is a loop's.)
    let a = analyze(&bar("", 2376, "8.40it/s", ""));
    assert_eq!(a.last_step, Some(2376));
}

#[test]
fn a_setup_step_that_failed_before_training_is_not_its_end() {
    let train = "iter 10: loss 2.5, time 30.1ms\niter 20: loss 2.4, time 30.2ms\niter 30: loss 2.3, time 30.2ms\niter 40: loss 2.2, time 30.2ms\n";
    // The build pip ran for flash-attn could not import torch: pip's.
    let pip = "  error: subprocess-exited-with-error\n  \n  × Getting requirements to build wheel did not run successfully.\n  │ exit code: 1\n  ╰─> [6 lines of output]\n      Traceback (most recent call last):\n        File \"<string>\", line 2, in <module>\n        File \"/tmp/pip-build-env/setup.py\", line 9, in <module>\n          import torch\n      ModuleNotFoundError: No module named 'torch'\n      [end of output]\n";
    let a = analyze(&format!("{pip}{train}"));
    assert_eq!(a.verdict, "progressing", "{:?}", a.errors);
    assert!(
        has_error(&a, ErrorClass::Dependency, false),
        "{:?}",
        a.errors
    );
    // (Nothing after it: it ended the setup.)
    assert!(analyze(pip).verdict.starts_with("fatal: "));
    // A `python -c "import flash_attn"` check.
    let check = "Traceback (most recent call last):\n  File \"<string>\", line 1, in <module>\nModuleNotFoundError: No module named 'flash_attn'\n";
    assert_eq!(analyze(&format!("{check}{train}")).verdict, "progressing");
    // An interactive session's traceback (`File "<stdin>"`): a heredoc's
    // check, or a doctest quoted in a sample the model wrote (XTuner's
    // `Sample output:`), training going on after it.
    let quoted = "05/14 09:30:39 - mmengine - INFO - Sample output:\n>>> sort_list(\"abc\")\nTraceback (most recent call last):\n  File \"<stdin>\", line 1, in <module>\n  File \"<stdin>\", line 3, in sort_list\nTypeError: input must be a list\n```<|im_end|>\n";
    let more = "iter 50: loss 2.1, time 30.1ms\niter 60: loss 2.0, time 30.2ms\niter 70: loss 1.9, time 30.2ms\n";
    assert_eq!(
        analyze(&format!("{train}{quoted}{more}")).verdict,
        "progressing"
    );
    assert!(
        analyze(&format!("{train}{quoted}"))
            .verdict
            .starts_with("fatal: ")
    );
    // git-lfs outside a repository: a tool's `Error: ...`, said.
    let a = analyze(
        "Error: Failed to call git rev-parse --git-dir: exit status 128 \nGit LFS initialized.\n",
    );
    assert_eq!(
        a.verdict, "no training progress recognised",
        "{:?}",
        a.errors
    );
    assert_eq!(a.errors.len(), 1);
}

#[test]
fn a_log_still_being_written_waits_for_its_last_line() {
    let live = |text: &str| {
        let mut a = LogAnalyzer::new();
        a.push(text.as_bytes(), None);
        (a.finish_live(), a.finish())
    };
    let train = "iter 10: loss 2.5, time 30.1ms\niter 20: loss 2.4, time 30.2ms\n";
    // A word of a longer line (`Killed worker 3, respawning`, git-lfs's
    // `Error: ...`), an exception line before its telling part.
    for tail in ["Killed", "Error", "RuntimeError: CUDA er"] {
        let (now, whole) = live(&format!("{train}{tail}"));
        assert_eq!(now.verdict, "progressing", "{tail}: {:?}", now.errors);
        assert_eq!(now.last_step, Some(20));
        // (A file that ends so is read to its end.)
        assert!(
            whole.verdict.starts_with("fatal") || !whole.errors.is_empty(),
            "{tail}"
        );
    }
    // A download's frame cut before its unit is no step.
    let (now, _) = live(
        "\rvocab.json:  50%|#####     | 520k/1.04M [00:00<00:00, 3.47MB/s]\rvocab.json: 100%|##########| 1.04M/1.04M [00:00<00:00, 3.47MB/",
    );
    assert_eq!(now.last_step, None);
    // A bar's latest frame counts once the next one starts.
    let (now, _) = live(
        "\r 10%|#         | 10/100 [00:01<00:09, 10.00it/s]\r 11%|#         | 11/100 [00:01<00:09, 10.00it/s]",
    );
    assert_eq!(now.last_step, Some(10));
}

#[test]
fn errors_the_program_says_it_goes_on_after_are_not_its_end() {
    let train = "iter 10: loss 2.5, time 30.1ms\niter 20: loss 2.4, time 30.2ms\n";
    // torchrun's elastic agent restarts the workers.
    let a = analyze(&format!(
        "{train}[2024-01-22 07:10:56,354] torch.distributed.elastic.multiprocessing.api: [ERROR] failed (exitcode: -9) local_rank: 3 (pid: 3314) of binary: /usr/bin/python3\n\
         [2024-01-22 07:10:56,354] torch.distributed.elastic.agent.server.api: [WARNING] [default] Worker group FAILED. 2/3 attempts left; will restart worker group\n"
    ));
    assert_eq!(a.verdict, "progressing", "{:?}", a.errors);
    // A loop that skips the batch that ran out of memory.
    let a = analyze(&format!(
        "{train}torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.31 GiB.\nOOM at step 812 (seq len 8192), skipping batch\n"
    ));
    assert_eq!(a.verdict, "progressing", "{:?}", a.errors);
    // Optuna's study after a trial failed.
    let a = analyze(&format!(
        "{train}[W 2024-09-01 02:42:57,010] Trial 9 failed with parameters: {{'lr': 0.001}} because of the following error: OutOfMemoryError('CUDA out of memory.').\n\
         Traceback (most recent call last):\n  File \"/usr/local/lib/python3.10/dist-packages/optuna/study/_optimize.py\", line 196, in _run_trial\n    value_or_values = func(trial)\n\
         torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 1.50 GiB.\n\
         [W 2024-09-01 02:42:57,017] Trial 9 failed with value None.\n"
    ));
    assert!(a.errors.iter().all(|e| !e.fatal), "{:?}", a.errors);
    // (Without such a line, the same OOM ended it.)
    let a = analyze(&format!(
        "{train}torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.31 GiB.\n"
    ));
    assert!(
        a.verdict.starts_with("fatal: CUDA out of memory"),
        "{}",
        a.verdict
    );
}

#[test]
fn a_trial_of_a_study_that_ended_is_not_the_end_of_the_study() {
    let trial = |n: u32| {
        (1..=3)
            .map(|e| {
                format!(
                    "trial {n} epoch {e}/3 train_loss=0.{} val_acc=0.88\n",
                    5 - e
                )
            })
            .collect::<String>()
            + &format!(
                "[I 2024-09-01 02:0{n}:45,017] Trial {n} finished with value: 0.89 and parameters: {{'lr': 7.8e-05}}. Best is trial 0 with value: 0.89.\n"
            )
    };
    let study: String = (0..3).map(trial).collect();
    let a = analyze(&study);
    assert_eq!(a.verdict, "progressing");
    assert!(
        a.notes.iter().any(|n| n.contains("3 trial(s) ended")),
        "{:?}",
        a.notes
    );
    // The study's summary, as Optuna's examples print it, ends it.
    let a = analyze(
        &(study
            + "Study statistics: \n  Number of finished trials:  3\nBest trial:\n  Value:  0.89\n"),
    );
    assert_eq!(a.verdict, "completed");
    // A pruned trial is an ended one too.
    let a = analyze(&format!(
        "{}[I 2024-09-01 02:09:00,000] Trial 1 pruned. \n",
        trial(0)
    ));
    assert!(a.notes.iter().any(|n| n.contains("2 trial(s) ended")));
}

#[test]
fn a_timestamped_engine_line_does_not_take_the_clock_from_the_bar() {
    // DeepSpeed under HF: its `step=0` line as the engine starts has a
    // timestamp, HF's bar does not: the bar's elapsed field is the clock.
    let mut log = String::from(
        "[2024-06-12 10:22:22,338] [INFO] [logging.py:96:log_dist] [Rank 0] step=0, skipped=0, lr=[0.0], mom=[(0.9, 0.999)]\n",
    );
    for n in 1..=12u32 {
        let e = n * 8;
        log += &format!(
            "\r  1%|          | {n}/1250 [{:02}:{:02}<2:45:00,  8.00s/it]",
            e / 60,
            e % 60
        );
    }
    let a = analyze(&log);
    assert_eq!(a.last_step, Some(12));
    assert_eq!(
        a.steps_per_sec.p50.map(|r| (r * 1000.0).round()),
        Some(125.0),
        "{:?}",
        a.notes
    );
}

#[test]
fn rsl_rl_counts_its_learning_iterations() {
    // legged_gym / Isaac Lab: one boxed table per iteration, its header
    // centred in bold, the losses on lines of their own.
    let mut log = String::new();
    for it in 11..=13 {
        log += &format!(
            "################################################################################\n\
             \x20                       \x1b[1m Learning iteration {it}/1500 \x1b[0m                        \n\n\
             \x20                      Computation: 45000 steps/s (collection: 1.203s, learning 0.301s)\n\
             \x20              Value function loss: 0.0123\n\
             \x20                   Surrogate loss: -0.0012\n\
             \x20                      Mean reward: 0.23\n"
        );
    }
    let a = analyze(&log);
    assert_eq!(
        (a.last_step, a.total_steps, a.verdict.as_str()),
        (Some(13), Some(1500), "progressing")
    );
}

#[test]
fn a_setup_scripts_git_and_shell_failures_are_named() {
    use errors::classify_line;
    let c = |s: &str| classify_line(s).map(|x| (x.class, x.fatal, x.label));
    for (line, label) in [
        (
            "git@github.com: Permission denied (publickey).",
            "git: no access to the repository (this host's SSH key is not authorised)",
        ),
        (
            "fatal: could not read Username for 'https://github.com': No such device or address",
            "git: the repository needs credentials (a private repository over https)",
        ),
        (
            "fatal: repository 'https://github.com/acme/llm-train.git/' not found",
            "git: repository not found",
        ),
        (
            "/bin/bash: line 1: python: command not found",
            "shell: command not found: python",
        ),
        (
            "python: can't open file '/workspace/train.py': [Errno 2] No such file or directory",
            "shell: script not found: '/workspace/train.py'",
        ),
        (
            "bash: scripts/train.sh: No such file or directory",
            "shell: no such file: scripts/train.sh",
        ),
        (
            "exec /usr/local/bin/python: exec format error",
            "shell: exec format error (the image is built for another CPU architecture)",
        ),
        // Libraries torch or another runtime cannot load.
        (
            "OSError: libcudnn.so.8: cannot open shared object file: No such file or directory",
            "missing shared library",
        ),
        (
            "OSError: /usr/local/lib/python3.10/dist-packages/torch/lib/../../nvidia/cublas/lib/libcublas.so.12: undefined symbol: cublasLtGetStatusString, version libcublasLt.so.12",
            "shared library mismatch (undefined symbol)",
        ),
        (
            "Could not load library libcudnn_ops_infer.so.8. Error: libcudnn_ops_infer.so.8: cannot open shared object file: No such file or directory",
            "missing shared library",
        ),
        // bash pads the signal's name to a column.
        (
            "/workspace/run.sh: line 7:   412 Aborted                 (core dumped) python prep_dataset.py",
            "process aborted (core dumped)",
        ),
    ] {
        let (_, fatal, got) = c(line).unwrap_or_else(|| panic!("{line}"));
        assert_eq!((fatal, got.as_str()), (true, label), "{line}");
    }
    // Others' lines that look alike go on: NCCL's plugin probe, git's
    // other messages, TensorFlow's optional libraries, click's `Aborted!`.
    for line in [
        "c39f5cf046aa:4533:4533 [0] NCCL INFO NET/Plugin : dlerror=libnccl-net.so: cannot open shared object file: No such file or directory No plugin found (libnccl-net.so), using internal implementation",
        "fatal: not a git repository (or any of the parent directories): .git",
        "Aborted!",
    ] {
        assert_eq!(c(line), None, "{line}");
    }
    // A clone that failed before a run that trained: not its end.
    let a = analyze(
        "fatal: could not read Username for 'https://github.com': No such device or address\n\
         step 10/100 loss 2.5\nstep 20/100 loss 2.4\nstep 30/100 loss 2.3\nstep 40/100 loss 2.2\nstep 50/100 loss 2.1\nstep 60/100 loss 2.0\n",
    );
    assert_eq!(a.verdict, "progressing", "{:?}", a.errors);
    // The GPU unusable on this host: said, as torch goes on on the CPU.
    let a = analyze(
        "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\n",
    );
    assert!(has_error(&a, ErrorClass::Cuda, false), "{:?}", a.errors);
    let a = analyze(
        "/usr/local/lib/python3.10/dist-packages/torch/cuda/__init__.py:128: UserWarning: CUDA initialization: CUDA unknown error - this may be due to an incorrectly set up environment, e.g. changing env variable CUDA_VISIBLE_DEVICES after program start. Setting the available devices to be zero.\n\
         step 10/100 loss 2.5\n",
    );
    assert!(has_error(&a, ErrorClass::Cuda, false), "{:?}", a.errors);
    assert_eq!(a.verdict, "progressing");
    // RVC's last line.
    let a = analyze(
        "2024-11-03 21:20:44,201\tkanade-v2\tINFO\tTrain Epoch: 60 [83%]\n\
         2024-11-03 21:20:44,202\tkanade-v2\tINFO\t[1200, 0.0001]\n\
         2024-11-03 21:20:44,203\tkanade-v2\tINFO\tloss_disc=3.712, loss_gen=3.104, loss_fm=9.310,loss_mel=17.203, loss_kl=1.020\n\
         2024-11-03 21:20:59,667\tkanade-v2\tINFO\t====> Epoch: 61 [2024-11-03 21:20:59] | (0:00:15.470914)\n\
         2024-11-03 21:20:59,677\tkanade-v2\tINFO\tTraining is done. The program is closed.\n",
    );
    assert_eq!(a.verdict, "completed");
    // (Its epoch's end line says which epoch it is: heads print only
    // every few hundred steps.)
    assert_eq!(a.epoch, Some(61.0));
}

#[test]
fn other_stacks_failures_are_named() {
    use errors::classify_line;
    let c = |s: &str| classify_line(s).map(|x| (x.class, x.fatal));
    for (line, class) in [
        // A checkpoint cut short, on resume.
        (
            "safetensors_rust.SafetensorError: Error while deserializing header: MetadataIncompleteBuffer",
            ErrorClass::Data,
        ),
        // JAX's out of memory; PaddlePaddle's, on its own line.
        (
            "jaxlib.xla_extension.XlaRuntimeError: RESOURCE_EXHAUSTED: Out of memory while trying to allocate 6580862976 bytes.",
            ErrorClass::Memory,
        ),
        (
            "Out of memory error on GPU 0. Cannot allocate 1.953125GB memory on GPU 0, 22.187500GB memory has been allocated and available memory is only 1.312500GB.",
            ErrorClass::Memory,
        ),
        (
            "lightgbm.basic.LightGBMError: GPU Tree Learner was not enabled in this build.",
            ErrorClass::Dependency,
        ),
        // transformers' wrapper of a failed import (flash-attn built for
        // another torch); flash-attn 2 on a GPU before Ampere.
        (
            "RuntimeError: Failed to import transformers.models.llama.modeling_llama because of the following error (look up to see its traceback):",
            ErrorClass::Dependency,
        ),
        (
            "RuntimeError: FlashAttention only supports Ampere GPUs or newer.",
            ErrorClass::Cuda,
        ),
    ] {
        assert_eq!(c(line), Some((class, true)), "{line}");
    }
    // bitsandbytes: its advice is no error; its message stands on the line
    // under an empty `RuntimeError: `.
    let a = analyze(
        "If you get `CUDA error: invalid device function` errors, the above might be the cause and the solution is to make sure only one ['libcudart.so'] in the paths that we search based on your env.\n\
         Traceback (most recent call last):\n  File \"train.py\", line 3, in <module>\n    import bitsandbytes\n\
         RuntimeError: \n        CUDA Setup failed despite GPU being available. Please run the following command to get more information:\n",
    );
    assert!(
        a.verdict.starts_with("fatal: bitsandbytes could not load"),
        "{} {:?}",
        a.verdict,
        a.errors
    );
    assert!(!has_error(&a, ErrorClass::Cuda, true), "{:?}", a.errors);
    // MAE's and DeiT's loop stops on a loss that is not finite (under its
    // time-of-day head, which is the clock); torchrun's report after it is
    // an echo.
    let a = analyze(
        "[03:11:09.313002] Start training for 800 epochs\n\
         [03:56:08.391585] Epoch: [2]  [1460/2502]  eta: 0:07:09  lr: 0.000019  loss: 0.9854 (0.9954)  time: 0.4193  data: 0.0003  max mem: 26143\n\
         [03:56:16.691585] Epoch: [2]  [1480/2502]  eta: 0:07:01  lr: 0.000019  loss: 0.9850 (0.9954)  time: 0.4150  data: 0.0003  max mem: 26143\n\
         [03:56:17.102000] Loss is nan, stopping training\n\
         torch.distributed.elastic.multiprocessing.errors.ChildFailedError: \n",
    );
    assert_eq!(
        (a.verdict.as_str(), a.last_step),
        (
            "fatal: the loss became nan and the loop stopped training",
            Some(2 * 2502 + 1480)
        )
    );
    assert_eq!(
        a.steps_per_sec.overall.map(|r| (r * 1000.0).round()),
        Some(2410.0)
    );
    // (Its plan: `Start training for 800 epochs`, of 2502 batches.)
    assert_eq!(a.total_steps, Some(800 * 2502));
}

#[test]
fn torch_warns_of_the_driver_and_trains_on() {
    // torch's warning at its first CUDA call: the run goes on (on the CPU),
    // and the warning says why it will be slow.
    let warn = "/usr/local/lib/python3.10/dist-packages/torch/cuda/__init__.py:118: UserWarning: CUDA initialization: \
                The NVIDIA driver on your system is too old (found version 11040). Please update your GPU driver by \
                downloading and installing a new version from the URL: http://www.nvidia.com/Download/index.aspx \
                (Triggered internally at ../c10/cuda/CUDAFunctions.cpp:108.)\n  return torch._C._cuda_getDeviceCount() > 0\n";
    let a = analyze(&format!(
        "{warn}iter 10: loss 2.5, time 30.1ms\niter 20: loss 2.4, time 30.2ms\n"
    ));
    assert_eq!(a.last_step, Some(20));
    assert!(
        a.errors
            .iter()
            .any(|e| e.class == ErrorClass::Cuda && !e.fatal),
        "{:?}",
        a.errors
    );
    assert!(!a.verdict.starts_with("fatal:"), "{}", a.verdict);
    // Error 804 (the image's CUDA needs a newer driver), then the raise.
    let a = analyze(
        "/usr/lib/python3/dist-packages/torch/cuda/__init__.py:138: UserWarning: CUDA initialization: Unexpected error \
         from cudaGetDeviceCount(). Did you run some cuda functions before calling NumCudaDevices() that might have \
         already set an error? Error 804: forward compatibility was attempted on non supported HW (Triggered internally \
         at ../c10/cuda/CUDAFunctions.cpp:108.)\n\
         Traceback (most recent call last):\n  File \"t.py\", line 3, in <module>\n\
         RuntimeError: No CUDA GPUs are available\n",
    );
    assert_eq!(
        a.errors
            .iter()
            .map(|e| (e.class, e.fatal))
            .collect::<Vec<_>>(),
        [(ErrorClass::Cuda, false), (ErrorClass::Cuda, true)]
    );
}

#[test]
fn syslog_and_journal_heads_give_the_clock() {
    // journalctl (the service's unit ran the training), moreutils' `ts`,
    // and journalctl's `-o short-iso`: the time of each line is its clock.
    for head in [
        |s: u32| format!("Jan 01 12:00:{s:02} gpu1 python[1234]: "),
        |s: u32| format!("Jan  1 12:00:{s:02}.250000 gpu1 train.sh[88]: "),
        |s: u32| format!("Jan 01 12:00:{s:02} "),
        |s: u32| format!("2024-01-01T12:00:{s:02}+0000 gpu1 python3[1234]: "),
    ] {
        let log: String = (1..=8)
            .map(|i| format!("{}iter {}: loss 2.{i}, time 30.1ms\n", head(i * 2), i * 10))
            .collect();
        let a = analyze(&log);
        assert_eq!(a.last_step, Some(80), "{log}");
        // Ten iterations every two seconds.
        assert_approx(a.steps_per_sec.p50, 5.0, 0.01, &log);
    }
    // The kernel's OOM killer in the same journal.
    let a = analyze(
        "Jan 01 12:00:00 gpu1 python[1234]: iter 10: loss 2.5, time 30.1ms\n\
         Jan 01 12:00:05 gpu1 kernel: Out of memory: Killed process 1234 (python) total-vm:123456kB\n",
    );
    assert!(has_error(&a, ErrorClass::Killed, true), "{:?}", a.errors);
    // A tag search that stops inside a character.
    let long_tag = format!("Jan 01 12:00:00 h a{}]: x", "é".repeat(60));
    assert!(normalize::strip_prefixes(&long_tag).ts.is_some());
    // Prose that starts like a month is not a head.
    let s = normalize::strip_prefixes("Mar 12 was the day the run finished: loss 2.5");
    assert_eq!(
        (s.body, s.ts),
        ("Mar 12 was the day the run finished: loss 2.5", None)
    );
}

#[test]
fn step_lines_report_their_own_speed_under_the_usual_names() {
    let reported = |log: &str| {
        let a = analyze(log);
        (
            a.reported.step_time_s.map(|x| (x * 1e4).round() / 1e4),
            a.reported.samples_per_sec,
            a.reported.tokens_per_sec,
        )
    };
    // YOLOX.
    let line = |i: u32, t: &str| {
        format!(
            "2021-07-20 12:00:{:02} | INFO     | yolox.core.trainer:245 - epoch: 1/300, iter: {}/3665, mem: 5432Mb, \
             iter_time: {t}s, data_time: 0.003s, total_loss: 15.3, iou_loss: 4.1, lr: 1.000e-05, size: 640, ETA: 6 days, 12:00:00\n",
            i * 5,
            i * 10
        )
    };
    let log = [line(1, "0.512"), line(2, "0.510"), line(3, "0.511")].concat();
    assert_eq!(reported(&log), (Some(0.511), None, None));
    // PaddleOCR: seconds with a spaced unit, and samples/s.
    let log: String = (1..=3)
        .map(|i| {
            format!(
                "[2024/01/01 12:00:{:02}] ppocr INFO: epoch: [1/500], global_step: {}, lr: 0.001000, loss: 1.2, \
                 avg_reader_cost: 0.10000 s, avg_batch_cost: 0.50000 s, avg_samples: 8.0, ips: 16.00000 samples/s, eta: 1 day, 2:03:04\n",
                i * 5,
                i * 10
            )
        })
        .collect();
    assert_eq!(reported(&log), (Some(0.5), Some(16.0), None));
    // LitGPT (milliseconds) and torchtune (tokens per second per GPU).
    let log: String = (1..=3)
        .map(|i| {
            format!(
                "Epoch 1 | iter {i} step {i} | loss train: 10.9, val: n/a | iter time: 234.56 ms\n"
            )
        })
        .collect();
    assert_eq!(reported(&log).0, Some(0.2346));
    let log: String = (1..=3)
        .map(|i| format!("Step {i} | loss:1.8912 lr:2e-05 tokens_per_second_per_gpu:2234.5 peak_memory_active:12.3\n"))
        .collect();
    assert_eq!(reported(&log), (None, None, Some(2234.5)));
    // DeepSpeed's `steps:` lines: the unit in parentheses; `samples/sec:`
    // is a key, not the unit of the number before it.
    let log: String = (1..=3)
        .map(|i| format!("steps: {i} loss: 2.0 iter time (s): 0.512 samples/sec: 62.500\n"))
        .collect();
    assert_eq!(reported(&log), (Some(0.512), Some(62.5), None));
    // A loop's `dt` with its unit, and MaxText's step lines.
    let log: String = (1..=3)
        .map(|i| format!("step {i} | loss 2.1 | dt 412.5ms | norm 0.9\n"))
        .collect();
    assert_eq!(reported(&log).0, Some(0.4125));
    let log: String = (1..=3)
        .map(|i| {
            format!(
                "completed step: {i}, seconds: 0.510, TFLOP/s/device: 234.7, Tokens/s/device: 8002.1, total_weights: 65536, loss: 9.911\n"
            )
        })
        .collect();
    assert_eq!(reported(&log), (Some(0.51), None, Some(8002.1)));
    // nanotron: metric prefixes glued to the values, a key that names
    // its unit.
    let log: String = (1..=3)
        .map(|i| {
            format!(
                "[default0]:11/28/2024 12:00:0{i} [INFO|DP=0|PP=0|TP=0|gpu-01]: iteration: {i} / 100 | consumed_tokens: 1.31M | elapsed_time_per_iteration_ms: 1.23K | tokens_per_sec: 1.07M | tokens_per_sec_per_gpu: 133K | global_batch_size: 128 | lm_loss: 10.1 | lr: 0.0003 | grad_norm: 1.23\n"
            )
        })
        .collect();
    assert_eq!(reported(&log), (Some(1.23), None, Some(1.07e6)));
    // MLX LM's rate and tokens.
    let log: String = (1..=3)
        .map(|i| {
            format!(
                "Iter {i}0: Train loss 2.786, Learning Rate 1.000e-05, It/sec 17.598, Tokens/sec 1728.137, Trained Tokens 6521, Peak mem 1.437 GB\n"
            )
        })
        .collect();
    let (step_time, samples, tokens) = reported(&log);
    assert_approx(step_time, 1.0 / 17.598, 1e-3, "It/sec");
    assert_eq!((samples, tokens), (None, Some(1728.137)));
    // Not a step time: the data loader's, or in minutes.
    let log: String = (1..=3)
        .map(|i| format!("step {i} loss 2.3 data_time: 0.2 step_time: 3 min\n"))
        .collect();
    assert_eq!(reported(&log).0, None);
}

#[test]
fn nanochat_and_autoresearch_step_lines_are_the_nanogpt_family() {
    let log: String = (0..6)
        .map(|i| {
            format!(
                "step {i:05}/01980 ({:.2}%) | loss: {:.6} | lrm: 1.00 | dt: {:.2}ms | tok/sec: 424,875 | bf16_mfu: 39.12 | epoch: 1 | total time: 0.00m\n",
                i as f64 / 19.8,
                10.9 - i as f64 * 0.1,
                1234.5 + i as f64
            )
        })
        .collect();
    let a = analyze(&log);
    assert_eq!(
        (a.format, a.last_step, a.total_steps),
        (Format::NanoGpt, Some(5), Some(1980))
    );
    assert_approx(a.loss.last, 10.4, 1e-9, "last loss");
    assert_approx(a.reported.tokens_per_sec, 424_875.0, 1e-9, "tok/sec");
    assert_approx(a.reported.step_time_s, 1.237, 0.01, "dt");
    // Its evaluations, by the step they ran at.
    let a = analyze(&format!(
        "{log}Step 00005 | Validation bpb: 1.1234\n{}",
        log.replace("step 0000", "step 0001")
    ));
    assert_eq!((a.eval.count, a.last_step), (1, Some(15)));
    // autoresearch: no total (it runs to a time budget).
    let a = analyze(
        "step 00191 (62.0%) | loss: 4.170000 | lrm: 0.66 | dt: 1001ms | tok/sec: 32,737 | mfu: 23.0% | epoch: 1 | remaining: 119s\n\
         step 00192 (62.3%) | loss: 4.168331 | lrm: 0.66 | dt: 1001ms | tok/sec: 32,737 | mfu: 23.0% | epoch: 1 | remaining: 118s\n\
         step 00193 (62.6%) | loss: 4.160000 | lrm: 0.66 | dt: 1000ms | tok/sec: 32,740 | mfu: 23.0% | epoch: 1 | remaining: 117s\n",
    );
    assert_eq!(
        (a.format, a.last_step, a.total_steps),
        (Format::NanoGpt, Some(193), None)
    );
}

/// Ultralytics 8.3's own bar (`ultralytics/utils/tqdm.py`) at `rate`
/// batches/s: `epochs` epochs of `batches`, each followed by a validation
/// bar of `val_s` seconds, as an interactive console writes it.
fn ultralytics_83_log(epochs: u32, batches: u32, rate: f64, val_s: u32) -> String {
    let time = |s: f64| {
        if s < 60.0 {
            format!("{s:.1}s")
        } else {
            format!("{}:{:02.0}", (s / 60.0) as u64, s % 60.0)
        }
    };
    let bar = |n: u32, t: u32| {
        let filled = (12 * n / t) as usize;
        format!("{}{}", "━".repeat(filled), "─".repeat(12 - filled))
    };
    let mut log = String::from(
        "Ultralytics 8.3.228 🚀 Python-3.12.3 torch-2.9.0+cu128 CUDA:0 (NVIDIA H200, 143771MiB)\n\
         Starting training for 4 epochs...\n\n",
    );
    for ep in 1..=epochs {
        log.push_str(
            "      Epoch    GPU_mem   box_loss   cls_loss   dfl_loss  Instances       Size\n",
        );
        for n in 1..=batches {
            let left = if n < batches {
                format!("<{}", time(f64::from(batches - n) / rate))
            } else {
                String::new()
            };
            log.push_str(&format!(
                "\r\x1b[K{ep:>11}/{epochs}      2.61G     {:.4}     0.4896     0.7991         16        640: {:.0}% {} {n}/{batches} {rate:.1}it/s {}{left}",
                1.2 / f64::from(ep),
                100.0 * f64::from(n) / f64::from(batches),
                bar(n, batches),
                time(f64::from(n) / rate),
            ));
        }
        log.push('\n');
        for k in 1..=val_s {
            log.push_str(&format!(
                "\r\x1b[K                 Class     Images  Instances      Box(P          R      mAP50  mAP50-95): {:.0}% {} {k}/{val_s} 1.0it/s {}",
                100.0 * f64::from(k) / f64::from(val_s),
                bar(k, val_s),
                time(f64::from(k)),
            ));
        }
        log.push_str("\n                   all       2048       2195      0.971      0.925      0.962      0.656\n\n");
    }
    log
}

#[test]
fn ultralytics_own_bar_counts_its_epochs_and_its_validations_are_evals() {
    /// n, total, rate, elapsed, description.
    type Seen<'a> = (f64, Option<f64>, Option<f64>, Option<f64>, &'a str);
    fn frame(s: &str) -> Option<Seen<'_>> {
        parse::parse_tqdm(s).map(|f| (f.n, f.total, f.rate, f.elapsed_s, f.desc))
    }
    assert_eq!(
        frame("   1/50   2.61G   0.256   16   640: 11% ━╸────────── 1/9 1.9it/s 0.2s<4.2s"),
        Some((
            1.0,
            Some(9.0),
            Some(1.9),
            Some(0.0),
            "1/50   2.61G   0.256   16   640"
        ))
    );
    // Its last frame, past a minute; an hour; a rate not known yet; a
    // scaled one.
    assert_eq!(
        frame("1/50 2.07G 1.149 32 640: 100% ━━━━━━━━━━━━ 6175/6175 4.1it/s 25:10").map(|f| f.3),
        Some(Some(1510.0))
    );
    assert_eq!(
        frame("x: 50% ━━━━━━────── 3000/6000 4.1it/s 1:02:03<1:02:03").map(|f| f.3),
        Some(Some(3723.0))
    );
    assert_eq!(
        frame("x: 0% ──────────── 0/9  0.0s").map(|f| f.2),
        Some(None)
    );
    assert_eq!(
        frame("x: 3% ──────────── 300/9000 1.5Kit/s 0.2s<5.8s").map(|f| f.2),
        Some(Some(1500.0))
    );
    // Not such bars: a download's bytes, a bar without a total, Keras 3's
    // and Lightning's rich bars.
    assert!(parse::parse_tqdm("yolo11n.pt: 100% ━━━━━━━━━━━━ 5.4/5.4MB 15.2MB/s 0.4s").is_none());
    assert!(parse::parse_tqdm("Scanning: ──────────── 25 1.2it/s 3.0s").is_none());
    assert!(parse::parse_tqdm("125/125 ━━━━━━━━━━━━━━━━━━━━ 7s 30ms/step - loss: 0.1").is_none());
    assert!(parse::parse_tqdm("Epoch 1/1  ━━━━ 40/40 0:00:01 • 0:00:00 37.14it/s").is_none());
    assert!(parse::parse_tqdm("x: 11% ━─ 1/9 1.9it/s 0.2s trailing words").is_none());

    // Four epochs of 235 batches at 3.76/s (62.5 s each), each followed by
    // 10 s of validation: the step count runs on across the epoch bars and
    // the validations are evals, timed between the epochs.
    let a = analyze(&ultralytics_83_log(4, 235, 3.76, 10));
    assert_eq!(
        (a.format, a.last_step, a.total_steps),
        (Format::Tqdm, Some(940), Some(940))
    );
    assert_approx(a.steps_per_sec.p50, 3.76, 0.05, "steps/s");
    assert_eq!((a.eval.count, a.eval.every_steps), (4, Some(235)));
    assert_approx(a.eval.mean_s, 10.0, 0.1, "eval pause");
    // (The fourth validation has no step after it to end its pause.)
    assert_eq!(a.pauses.count, 3);
    assert_approx(
        a.steps_per_sec.overall,
        940.0 / (4.0 * 62.5 + 30.0),
        0.03,
        "overall",
    );

    // Older Ultralytics draws tqdm's bars: its validation is an eval too.
    let mut log = String::new();
    for ep in 1..=3 {
        log.push_str(
            "      Epoch    GPU_mem   box_loss   cls_loss   dfl_loss  Instances       Size\n",
        );
        for n in 0..=24 {
            log.push_str(&format!(
                "\r        {ep}/3      20.5G      1.234     0.9     0.7664         58        640: {:3}%|#####     | {n}/24 [00:{:02}<00:00,  2.00it/s]",
                n * 100 / 24,
                n / 2
            ));
        }
        log.push_str("\n                 Class     Images  Instances      Box(P          R      mAP50  mAP50-95): 100%|##########| 2/2 [00:05<00:00,  0.4it/s]\n");
    }
    let a = analyze(&log);
    assert_eq!(
        (a.last_step, a.eval.count, a.eval.every_steps),
        (Some(72), 3, Some(24))
    );
    assert_approx(a.eval.mean_s, 5.0, 0.25, "eval pause");
}

#[test]
fn verl_s_step_lines_say_their_step_time_and_the_plan_its_total() {
    // verl (RL on Ray): one line per step of `key:value` pairs joined by
    // ` - `, under Ray's actor prefix; a step is a rollout and its update.
    let mut log = String::from("(TaskRunner pid=1271585) Total training steps: 100\n");
    for i in 1..=4 {
        log.push_str(&format!(
            "(TaskRunner pid=1271585) step:{i} - global_seqlen/min:12345 - actor/entropy:0.52 - actor/pg_loss:{:.3} - actor/grad_norm:0.31 - critic/score/mean:0.4 - timing_s/gen:30.1 - timing_s/update_actor:12.3 - timing_s/step:161.0777 - perf/total_num_tokens:133175 - perf/time_per_step:161.0777 - perf/throughput:413.3872 - training/global_step:{i} - training/epoch:0\n",
            0.01 * f64::from(i)
        ));
    }
    let a = analyze(&log);
    assert_eq!((a.last_step, a.total_steps), (Some(4), Some(100)));
    assert_approx(a.reported.step_time_s, 161.0777, 1e-9, "timing_s/step");
    assert_approx(a.reported.tokens_per_sec, 413.3872, 1e-9, "perf/throughput");
}

#[test]
fn basicsr_s_older_line_and_a_tagged_epoch_batch_line_count_steps() {
    // MMSR / ESRGAN / SPSR: `<epoch: E, iter: N, lr:X> l_...` with
    // thousands separators, behind their logger's head.
    let log: String = (0..4)
        .map(|i| {
            format!(
                "21-05-24 02:{:02}:29.657 - INFO: <epoch: {}, iter:   {},{:03}, lr:1.000e-04> l_g_pix: {:.4e} l_g_fea: 1.7363e+00 l_d_real: 3.5096e-04\n",
                11 + i * 3,
                30 + i,
                2 + (8 + i) / 10,
                (800 + i * 100) % 1000,
                3.2e-3 - f64::from(i) * 1e-4
            )
        })
        .collect();
    let st = strip_prefixes("21-05-24 02:11:29.657 - INFO: <epoch: 30, iter: 2,800> l_pix: 1");
    assert_eq!(st.body, "<epoch: 30, iter: 2,800> l_pix: 1");
    assert_approx(
        st.ts
            .map(|t| t - strip_prefixes("2021-05-24 02:11:29 x").ts.unwrap_or(0.0)),
        0.657,
        1e-6,
        "this century's 2021-05-24 02:11:29.657",
    );
    // (Not a date: month 13.)
    assert_eq!(strip_prefixes("21-13-24 02:11:29.657 - x").ts, None);
    let a = analyze(&log);
    assert_eq!(a.last_step, Some(3100));
    assert_approx(a.loss.last, 2.9e-3, 1e-9, "l_g_pix");
    assert_approx(a.loss.first, 3.2e-3, 1e-9, "first l_g_pix");
    // UCTransNet's `[Train] Epoch: [1][367/4899]`: its batch within the
    // epoch. (Whether epoch 1 is the first or the second, the line does
    // not say.)
    let log: String = (367..372)
        .map(|b| {
            format!(
                "   [Train] Epoch: [1][{b}/4899]  Loss:0.564 (Avg 0.5566) Dice:0.3038 (Avg 0.3144) LR 1.00e-03   (AvgTime 1.4)\n"
            )
        })
        .collect();
    let a = analyze(&log);
    assert_eq!(a.last_step.map(|s| s % 4899), Some(371));
    assert_eq!(a.loss.last, Some(0.564));
}

#[test]
fn saves_said_in_other_trainers_words_are_checkpoints() {
    let steps = |from: u32| -> String {
        (from..from + 3)
            .map(|i| format!("iter {i}: loss 2.5, time 30.1ms\n"))
            .collect()
    };
    // Each save between steps: one checkpoint each.
    for save in [
        "[01/15 10:01:30 fvcore.common.checkpoint]: Saving checkpoint to ./output/model_0000199.pth",
        "01/20 09:11:45 - mmengine - INFO - Saving checkpoint at 1 epochs",
        "[rank0]:[titan] 2025-04-01 00:16:10,900 - root - INFO - Saving the checkpoint (or staging if async is enabled).",
        "saving checkpoint: /content/output/mylora-000001.safetensors",
        "Saving LoRA weights to 'out/finetune/lora/final/lit_model.pth.lora'",
        "speechbrain.utils.checkpoints - Saved an end-of-epoch checkpoint in results/save/CKPT+2024-02-02+15-55-55+00",
        "INFO:torchtune.utils._logging:Model checkpoint of size 4.98 GiB saved to /tmp/epoch_0/model-00001-of-00002.safetensors",
        "[NeMo I 2025-05-22 20:09:30 nemo_logging:393] Scheduled async checkpoint save for /ckpt/step=24-last.ckpt",
        "Current checkpoints:",
    ] {
        let a = analyze(&format!(
            "{}{save}\n{}{save}\n{}",
            steps(1),
            steps(4),
            steps(7)
        ));
        assert_eq!(a.checkpoints.count, 2, "{save}");
        assert_eq!(a.checkpoints.every_steps, Some(3), "{save}");
    }
    // One save said in several lines (accelerate's, its files', the
    // script's; an async save scheduled, then finished): one checkpoint.
    let a = analyze(&format!(
        "{}01/15/2024 10:04:20 - INFO - accelerate.accelerator - Saving current state to out/checkpoint-500\n\
         01/15/2024 10:04:20 - INFO - accelerate.checkpointing - Model weights saved in out/checkpoint-500/model.safetensors\n\
         01/15/2024 10:04:20 - INFO - __main__ - Saved state to out/checkpoint-500\n\
         [NeMo I 2025-05-22 20:09:41 nemo_logging:393] Async checkpoint save for step 25 finalized successfully.\n{}",
        steps(1),
        steps(4)
    ));
    assert_eq!(a.checkpoints.count, 1);
    // Not saves: a plan, a load, a deletion.
    let a = analyze(&format!(
        "01/20 09:00:05 - mmengine - INFO - Checkpoints will be saved to /work_dirs/x.\n\
         [Checkpointer] Loading from detectron2://ImageNetPretrained/MSRA/R-50.pkl ...\n\
         speechbrain.utils.checkpoints - Deleted checkpoint in results/save/CKPT+2024\n{}",
        steps(1)
    ));
    assert_eq!(a.checkpoints.count, 0);
}

#[test]
fn more_trainers_report_their_own_speed() {
    // Megatron-DeepSpeed's tokens per GPU per second.
    let a = analyze(
        " iteration        1/  317892 | consumed samples:          768 | elapsed time per iteration (ms): 14287.5 | learning rate: 2.407E-04 | global batch size:   768 | lm loss: 1.077000E+01 | loss scale: 8192.0 | samples per second: 53.753 | tokens per gpu per second (tgs): 1146.733 |\n",
    );
    assert_eq!(a.reported.tokens_per_sec, Some(1146.733));
    // TRL's GRPO: the seconds of each step, in its dicts.
    let a = analyze(
        "{'loss': '-1.49e-08', 'grad_norm': '0.5612', 'learning_rate': '9.76e-07', 'num_tokens': '5400', 'reward': '0.255', 'kl': '0.0001', 'step_time': '8.586', 'epoch': '0.025'}\n",
    );
    assert_eq!(a.reported.step_time_s, Some(8.586));
    // torchvision's references and timm: images a second.
    let a = analyze(
        "Epoch: [0]  [1000/5005]  eta: 0:20:01  lr: 0.1  img/s: 106.5000  loss: 6.8401 (6.8901)  acc1: 3.7992 (2.5000)  time: 0.3004  data: 0.0021  max mem: 10350\n",
    );
    assert_eq!(a.reported.samples_per_sec, Some(106.5));
    let a = analyze(
        "Train: 0 [ 250/1251 ( 20%)]  Loss: 6.750 (6.84)  Time: 0.321s,  797.21/s  (0.330s,  775.76/s)  LR: 1.000e-03  Data: 0.005 (0.012)\n",
    );
    assert_eq!(
        (a.reported.samples_per_sec, a.reported.step_time_s),
        (Some(797.21), Some(0.321))
    );
}

/// OpenPCDet's logger in timm's style (open-mmlab/OpenPCDet#1229): the
/// epoch of the planned ones, the batch of the epoch's, and its own count
/// of the run's iterations (`Acc_iter`, from 1).
#[test]
fn openpcdet_timm_style_lines_are_steps_of_the_run() {
    let log = "\
2023-01-05 16:34:33,418   INFO  **********************Start training nuscenes_models/cbgs_voxel0075_res3d_centerpoint(timm_style)**********************
2023-01-05 16:34:37,748   INFO  Train:    1/3 ( 33%) [   0/323 (  0%)]  Loss: 516.7 (517.)  LR: 1.000e-04  Time cost: 00:04/21:46 [00:04/1:05:18]  Acc_iter 1           Data time: 0.87(0.87)  Forward time: 3.18(3.18)  Batch time: 4.04(4.04)
2023-01-05 16:34:49,377   INFO  Train:    1/3 ( 33%) [  49/323 ( 15%)]  Loss: 36.77 (81.7)  LR: 1.351e-04  Time cost: 00:15/01:25 [00:15/04:48]  Acc_iter 50          Data time: 0.00(0.02)  Forward time: 0.31(0.29)  Batch time: 0.31(0.31)
2023-01-05 16:35:00,786   INFO  Train:    1/3 ( 33%) [  99/323 ( 31%)]  Loss: 23.51 (54.8)  LR: 2.377e-04  Time cost: 00:27/01:00 [00:27/03:55]  Acc_iter 100         Data time: 0.00(0.01)  Forward time: 0.19(0.26)  Batch time: 0.20(0.27)
2023-01-05 16:35:11,175   INFO  Train:    1/3 ( 33%) [ 149/323 ( 46%)]  Loss: 28.79 (45.1)  LR: 3.910e-04  Time cost: 00:37/00:43 [00:37/03:24]  Acc_iter 150         Data time: 0.00(0.01)  Forward time: 0.14(0.24)  Batch time: 0.15(0.25)
";
    let a = analyze(log);
    assert_eq!(
        (a.last_step, a.total_steps),
        (Some(150), Some(3 * 323)),
        "{}",
        a.render_text()
    );
    assert_approx(a.loss.last, 28.79, 1e-9, "this batch's loss, not the mean");
    assert_eq!(a.clock, Clock::LogTimestamps);
    // 49, 50 and 50 iterations in 11.629, 11.409 and 10.389 s: overall
    // from the first line to the last; after the warm-up, the last.
    assert_approx(a.steps_per_sec.overall, 149.0 / 33.427, 0.001, "overall");
    assert_approx(a.steps_per_sec.p50, 50.0 / 10.389, 0.001, "steps/s");
    // The median of its printed batch times (4.04, 0.31, 0.20, 0.15), not
    // of its data times (0.87, then 0.00).
    assert_eq!(a.reported.step_time_s, Some(0.31));
}

#[test]
fn evaluations_reported_by_their_loss_are_counted() {
    // A per-epoch summary with both losses (SpeechBrain, hand-written
    // loops): one evaluation each, its loss the evaluation's.
    let log: String = (1..=3)
        .map(|e| {
            format!(
                "speechbrain.utils.train_logger - epoch: {e}, lr: 1.00e+00 - train loss: {:.2} - valid loss: {:.2}, valid CER: 25.00\n",
                2.0 - f64::from(e) * 0.5,
                1.95 - f64::from(e) * 0.4
            )
        })
        .collect();
    let a = analyze(&log);
    assert_eq!((a.eval.count, a.eval.last_loss), (3, Some(0.75)));
    assert_eq!(a.loss.last, Some(0.5));
    // An evaluation's result line alone (an accelerate `no_trainer`
    // script, LitGPT) between the steps.
    let steps = |from: u32| -> String {
        (from..from + 3)
            .map(|i| format!("iter {i}: loss 2.5, time 30.1ms\n"))
            .collect()
    };
    let a = analyze(&format!(
        "{}01/15/2025 10:07:56 - INFO - __main__ - epoch 0: perplexity: 24.1000 eval_loss: 3.1822\n{}iter 160: val loss 1.4523, val time: 2412.33 ms\n",
        steps(1),
        steps(4)
    ));
    assert_eq!(
        (a.eval.count, a.eval.every_steps, a.eval.last_loss),
        (2, Some(3), Some(1.4523))
    );
    assert_eq!(a.loss.last, Some(2.5));
    // A loop that repeats the last evaluation's loss on every step line:
    // one evaluation per new value.
    let log: String = (1..=6)
        .map(|i| {
            format!(
                "step {i} | loss {:.2} | val_loss {}\n",
                3.0 - f64::from(i) * 0.1,
                if i <= 3 { "2.90" } else { "2.50" }
            )
        })
        .collect();
    assert_eq!(analyze(&log).eval.count, 2);
    // detectron2's evaluator.
    let a = analyze(&format!(
        "{}[01/15 10:02:12 d2.evaluation.evaluator]: Start inference on 5000 batches\n",
        steps(1)
    ));
    assert_eq!((a.eval.count, a.eval.every_steps), (1, Some(3)));
    // Not a validation loss: an `interval loss`.
    assert_eq!(parse::val_loss_in("interval loss: 2.5"), None);
    assert_eq!(
        parse::val_loss_in("Train Loss: 0.5 | Val Loss: 0.4"),
        Some(0.4)
    );
}

#[test]
fn plans_and_ends_of_timm_detectron2_mmengine_and_lightning() {
    // timm: its plan of epochs times the batches its lines show; its
    // last line ends the run.
    let mut log = String::from("Scheduled epochs: 3. LR stepped per epoch.\n");
    for e in 0..3 {
        log += &format!(
            "Train: {e} [1250/1251 (100%)]  Loss: 6.750 (6.84)  Time: 0.321s,  797.21/s  (0.330s,  775.76/s)  LR: 1.000e-03  Data: 0.005 (0.012)\n"
        );
    }
    let a = analyze(&log);
    assert_eq!(
        (a.total_steps, a.verdict.as_str()),
        (Some(3753), "progressing")
    );
    let a = analyze(&format!("{log}*** Best metric: 78.53 (epoch 2)\n"));
    assert_eq!(a.verdict, "completed");
    // detectron2's summary of the run.
    let d2 = "[01/15 10:02:10 d2.utils.events]:  eta: 0:00:00  iter: 299  total_loss: 0.9  time: 0.4100  data_time: 0.0100  lr: 0.00025  max_mem: 3000M\n";
    let a = analyze(&format!(
        "{d2}[01/15 10:02:10 d2.engine.hooks]: Overall training speed: 298 iterations in 0:02:03 (0.4128 s / it)\n"
    ));
    assert_eq!(a.verdict, "completed");
    // mmengine's configuration dump plans the epochs.
    let a = analyze(
        "train_cfg = dict(max_epochs=12, type='EpochBasedTrainLoop', val_interval=1)\n\
         01/20 09:01:00 - mmengine - INFO - Epoch(train)  [1][ 50/663]  lr: 2.0e-02  eta: 1:30:00  time: 0.6  data_time: 0.01  loss: 1.23\n",
    );
    assert_eq!(a.total_steps, Some(12 * 663));
    // Lightning stopped at `max_epochs`: that many epochs of its bar.
    let mut log = String::new();
    for e in 0..3 {
        for n in [20, 40] {
            log += &format!(
                "\rEpoch {e}: {:3}%|#####     | {n}/40 [00:10<00:10,  2.00it/s, v_num=0]",
                n * 100 / 40
            );
        }
        log += "\n";
    }
    log += "`Trainer.fit` stopped: `max_epochs=3` reached.\n";
    let a = analyze(&log);
    assert_eq!(
        (a.last_step, a.total_steps, a.verdict.as_str()),
        (Some(120), Some(120), "completed")
    );
}

#[test]
fn tqdm_loggable_s_progress_lines_are_a_bar() {
    // Levanter off a terminal: tqdm-loggable logs its bar every so often.
    let mut log = String::from(
        "2026-03-09T02:28:49 - 0 - tqdm_loggable.tqdm_logging - tqdm_logging.py:139 - INFO :: Progress on:train -/18 rate:- remaining:? elapsed:00:00 postfix:-\n",
    );
    for i in 1..=6u32 {
        log += &format!(
            "2026-03-09T02:{:02}:{:02} - 0 - tqdm_loggable.tqdm_logging - tqdm_logging.py:139 - INFO :: Progress on:train {i}.0it/18.0it rate:34.5s/it remaining:09:12 elapsed:{:02}:{:02} postfix:loss={:.2}\n",
            29 + i * 35 / 60,
            (i * 35) % 60,
            i * 35 / 60,
            (i * 35) % 60,
            10.5 - f64::from(i) * 0.25
        );
        if i == 3 {
            log += "2026-03-09T02:31:00 - 0 - tqdm_loggable.tqdm_logging - tqdm_logging.py:139 - INFO :: Progress on:eval 4.00it/4.00it rate:2.0it/s remaining:00:00 elapsed:00:02 postfix:-\n";
        }
    }
    let a = analyze(&log);
    assert_eq!(
        (a.format, a.last_step, a.total_steps),
        (Format::Tqdm, Some(6), Some(18))
    );
    assert_eq!(a.loss.last, Some(9.0));
    assert_eq!((a.eval.count, a.eval.every_steps), (1, Some(3)));
    assert_approx(a.reported.bar_rate, 1.0 / 34.5, 1e-6, "s/it");
    // Counts with a metric prefix; the older versions' seconds.
    let f = parse::tqdm_logging(
        "Progress on:train 1.20kit/30.0kit rate:4.1it/s remaining:1:05:15 elapsed:31:40 postfix:-",
    )
    .map(|f| (f.n, f.total, f.elapsed_s, f.postfix));
    assert_eq!(f, Some((1200.0, Some(30000.0), Some(1900.0), "")));
    let f = parse::tqdm_logging("Progress on:Sample progress 1000.000000/60000.000000 rate:None it/s elapsed:0.0002 postfix:None")
        .map(|f| (f.desc, f.n, f.rate));
    assert_eq!(f, Some(("Sample progress", 1000.0, None)));
    assert!(parse::tqdm_logging("Progress on: the migration").is_none());
}

#[test]
fn keras_s_last_frame_of_an_epoch_says_its_speed_after_an_eta_frame() {
    // tf.keras with validation: a frame at the last batch with its ETA,
    // then the same batch's final frame with the epoch's time.
    let a = analyze(
        "Epoch 1/3\n\
         1875/1875 [==============================] - ETA: 0s - loss: 0.2950 - accuracy: 0.9150\n\
         1875/1875 [==============================] - 5s 2ms/step - loss: 0.2950 - accuracy: 0.9150 - val_loss: 0.2655 - val_accuracy: 0.9300\n",
    );
    assert_eq!(a.last_step, Some(1875));
    assert_eq!(a.reported.step_time_s, Some(0.002));
    assert_eq!((a.eval.count, a.eval.last_loss), (1, Some(0.2655)));
}

#[test]
fn the_deepspeed_launchers_exit_report() {
    // SIGKILL from outside (the host's OOM killer), after it killed the rest.
    let mut log = String::new();
    for step in 1..=4 {
        log += &format!("{{'loss': 1.5{step}, 'learning_rate': 8e-06, 'epoch': 0.01}}\n");
    }
    for pid in 5530..5533 {
        log += &format!(
            "[2024-05-14 09:20:32,204] [INFO] [launch.py:316:sigkill_handler] Killing subprocess {pid}\n"
        );
    }
    log += "[2024-05-14 09:20:32,204] [ERROR] [launch.py:328:sigkill_handler] ['/usr/bin/python3', '-u', 'train.py', '--local_rank=7', '--deepspeed', './zero3.json'] exits with return code = -9\n";
    let a = analyze(&log);
    assert!(
        a.verdict
            .starts_with("fatal: deepspeed launcher: worker killed by SIGKILL"),
        "{}",
        a.verdict
    );
    assert_eq!(a.errors[0].class, ErrorClass::Killed);
    // Another code restates the worker's own error, which the verdict names.
    let a = analyze(
        "Traceback (most recent call last):\n  File \"train.py\", line 3, in <module>\n    main()\n\
         torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB.\n\
         [2024-05-14 09:20:32,204] [ERROR] [launch.py:328:sigkill_handler] ['/usr/bin/python3', '-u', 'train.py', '--local_rank=0'] exits with return code = 1\n",
    );
    assert!(
        a.verdict.starts_with("fatal: CUDA out of memory"),
        "{}",
        a.verdict
    );
    assert_eq!(a.errors.len(), 2);
    // Ctrl-C; and a clean exit says nothing.
    let ctrl_c = "[2024-05-14 09:20:32,204] [ERROR] [launch.py:341:sigkill_handler] ['python', 'train.py'] exits with return code = -2\n";
    assert_eq!(
        analyze(ctrl_c).verdict,
        "fatal: interrupted (Ctrl-C / SIGINT)"
    );
    assert!(
        analyze("['python', 'train.py'] exits with return code = 0\n")
            .errors
            .is_empty()
    );
}

#[test]
fn llm_c_checks_that_exit() {
    // `cudaCheck` prints the CUDA error on the line after its own; Open
    // MPI's summary after it restates it.
    let tail = "--------------------------------------------------------------------------\n\
                mpirun detected that one or more processes exited with non-zero status, thus causing\n\
                the job to be terminated. The first process to do so was:\n\n  Process name: [[41232,1],3]\n  Exit code:    1\n";
    let a = analyze(&format!(
        "allocating 82441 MiB for activations\n[CUDA ERROR] at file train_gpt2.cu:382:\nout of memory\n{tail}"
    ));
    assert_eq!(a.verdict, "fatal: CUDA out of memory");
    assert_eq!(a.errors[0].class, ErrorClass::Memory);
    let a = analyze(&format!(
        "[CUDA ERROR] at file train_gpt2.cu:1033:\nan illegal memory access was encountered\n{tail}"
    ));
    assert!(
        a.verdict
            .starts_with("fatal: CUDA error: an illegal memory access"),
        "{}",
        a.verdict
    );
    // A checkpoint write that fell short: a full disk, mostly.
    let a = analyze(&format!(
        "step 5000/18865 | loss 3.802107 (+0.77z)| norm 0.2438 (+1.42z)| lr 5.21e-04 | 331.46 ms | 52.4% bf16 MFU | 1581971 tok/s\n\
         Error: File write error at llmc/utils.h:116\nError details:\n  File: llmc/utils.h\n  Line: 116\n\
         \x20 Expected elements: 124475904\n  Written elements: 98304000\n{tail}"
    ));
    assert_eq!(a.verdict, "fatal: file write failed (disk full?)");
    // (A bare `Error: ...` of another kind is still said, not the end.)
    assert!(!analyze("Error: could not reach wandb, retrying\n").errors[0].fatal);
}

#[test]
fn a_dataset_that_could_not_be_generated_is_a_data_error() {
    let a = analyze(
        "Traceback (most recent call last):\n  File \"json.py\", line 160, in _generate_tables\n    df = pandas_read_json(f)\n\
         ValueError: Trailing data\n\nDuring handling of the above exception, another exception occurred:\n\n\
         Traceback (most recent call last):\n  File \"builder.py\", line 1997, in _prepare_split_single\n    for _, table in generator:\n\
         pyarrow.lib.ArrowInvalid: JSON parse error: Missing a comma or '}' after an object member. in row 412331\n\n\
         The above exception was the direct cause of the following exception:\n\n\
         Traceback (most recent call last):\n  File \"builder.py\", line 2040, in _prepare_split_single\n\
         \x20   raise DatasetGenerationError(\"An error occurred while generating the dataset\") from e\n\
         datasets.exceptions.DatasetGenerationError: An error occurred while generating the dataset\n",
    );
    // (The parser's error says where: the verdict names it.)
    assert_eq!(
        a.verdict,
        "fatal: a JSON data file is malformed: JSON parse error: Missing a comma or '}' after an object member. in row 412331"
    );
    assert_eq!(a.errors[0].class, ErrorClass::Data);
    // (Without it, the wrapper says what it can.)
    let a = analyze(
        "Traceback (most recent call last):\n  File \"builder.py\", line 2040, in _prepare_split_single\n\
         \x20   raise DatasetGenerationError(\"An error occurred while generating the dataset\") from e\n\
         datasets.exceptions.DatasetGenerationError: An error occurred while generating the dataset\n",
    );
    assert_eq!(
        a.verdict,
        "fatal: dataset generation failed (a malformed data file?)"
    );
}

#[test]
fn dinov2s_end_and_its_nan_check() {
    let head = "I20240514 09:28:27 3127 dinov2 helpers.py:103] ";
    let step = |i: u64| {
        format!(
            "{head}Training  [{i:>4}/2500]  eta: 0:00:03  lr: 0.0008 (0.0008)  total_loss: 9.6073 (9.6415)  time: 0.382000  data: 0.0100  max mem: 31024\n"
        )
    };
    let mut log = step(2490) + &step(2499);
    log += "I20240514 09:28:30 3127 dinov2 helpers.py:131] Training Total time: 0:15:55 (0.382000 s / it)\n";
    let a = analyze(&log);
    assert_eq!((a.last_step, a.total_steps), (Some(2499), Some(2500)));
    assert_eq!(a.verdict, "completed");
    // Per-epoch loggers (DeiT, MAE) print the same line after each epoch.
    let epoch = "[03:56:08.391585] Epoch: [3] Total time: 0:05:12 (0.4055 s / it)\n";
    assert!(
        !analyze(&(step(10) + epoch))
            .verdict
            .starts_with("completed")
    );
    // Its NaN check, then a bare `raise AssertionError`: the NaN is the news.
    let log = step(2290)
        + "I20240514 09:27:14 3127 dinov2 train.py:265] NaN detected\n\
           Traceback (most recent call last):\n  File \"dinov2/train/train.py\", line 266, in do_train\n    raise AssertionError\nAssertionError\n";
    assert_eq!(
        analyze(&log).verdict,
        "fatal: Python exception: AssertionError (after: loss is NaN)"
    );
}

#[test]
fn big_vision_notes_and_colberts_plan_and_end() {
    let note = |t: &str| format!("I0514 09:44:49.077534 140061 utils.py:1087] NOTE: {t}\n");
    let metric = |step: u64| {
        format!("I0514 09:45:50.968321 140061 utils.py:1076] [{step}] training_loss = 9.1\n")
    };
    let log =
        note("Running for 3000 steps, that means 21.55 epochs") + &metric(2950) + &metric(3000);
    let a = analyze(&(log.clone() + &note("Steps:3000/3000 [100.0%]")));
    assert_eq!((a.last_step, a.total_steps), (Some(3000), Some(3000)));
    let a = analyze(&(metric(3350) + &note("Steps:3350/20000 [16.8%]")));
    assert_eq!((a.last_step, a.total_steps), (Some(3350), Some(20000)));
    assert_eq!(a.verdict, "progressing");
    // `NOTE: Done!` ends it (before any step it ends nothing).
    let a = analyze(&(metric(3350) + &note("Done!")));
    assert_eq!(a.verdict, "completed");
    assert!(!analyze(&note("Done!")).verdict.starts_with("completed"));

    // ColBERT: the plan in its schedule's message, the end in its last one.
    reads_then_ends(
        "#> LR will use 20000 warmup steps and linear decay over 400000 steps.\n\
         [May 14, 09:22:43] 2998 1.3316255112664168\n[May 14, 09:22:44] 2999 1.33\n",
        (2999, Some(400000)),
        "[May 14, 09:22:44] #> Done with all triples!\n",
    );
}

/// `log` reads as `last` of `total` steps, still going; with `end` after
/// it, as completed.
fn reads_then_ends(log: &str, (last, total): (u64, Option<u64>), end: &str) {
    let a = analyze(log);
    assert_eq!((a.last_step, a.total_steps), (Some(last), total), "{log}");
    assert!(!a.verdict.starts_with("completed"), "{}", a.verdict);
    assert_eq!(
        analyze(&format!("{log}{end}")).verdict,
        "completed",
        "{end}"
    );
}

#[test]
fn gpt_neox_marks_where_an_argument_came_from() {
    assert_eq!(
        parse::planned_iters(
            "train_iters ..................... 320000......................updated"
        ),
        Some(320000)
    );
    assert_eq!(
        parse::planned_iters("train_iters ..................... 5000......................default"),
        Some(5000)
    );
    assert_eq!(
        parse::planned_iters("train_iters ........ 320000 (tokens)"),
        None
    );
}

#[test]
fn a_bar_over_one_item_is_no_training_bar() {
    // OGB's preprocessing, then the model does not fit: no step ran, and
    // its `Done!` ends nothing.
    let log = "Processing graphs...\n\r  0%|          | 0/1 [00:00<?, ?it/s]\r100%|██████████| 1/1 [00:02<00:00,  2.41s/it]\n\
               Converting graphs into PyG objects...\n100%|██████████| 1/1 [00:00<00:00, 1418.43it/s]\nSaving...\nDone!\n\
               Traceback (most recent call last):\n  File \"gat.py\", line 118, in <module>\n    loss = train(epoch)\n\
               torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 31.51 GiB.\n";
    let a = analyze(log);
    assert_eq!(a.last_step, None);
    assert!(
        a.verdict.starts_with("fatal: CUDA out of memory"),
        "{}",
        a.verdict
    );
    // An epoch bar over one epoch, or a bar that shows a loss, still trains.
    let a = analyze("Epoch 0: 100%|██████████| 1/1 [00:01<00:00,  1.00it/s, loss=0.5]\n");
    assert_eq!(a.last_step, Some(1));
}

#[test]
fn deepmd_kits_two_trainers() {
    // TensorFlow's: a line per `disp_freq` batches behind its own head.
    let mut log = String::from(
        "DEEPMD INFO    start training at lr 1.00e-03 (== 1.00e-03), decay_step 5000\n",
    );
    for b in [1000, 2000, 3000] {
        log += &format!("DEEPMD INFO    batch {b:>7} training time 37.33 s, testing time 0.02 s\n");
    }
    let a = analyze(&log);
    assert_eq!(a.last_step, Some(3000));
    let a = analyze(&format!(
        "{log}DEEPMD INFO    saved checkpoint model.ckpt\nDEEPMD INFO    finished training\nDEEPMD INFO    wall time: 11249.885 s\n"
    ));
    assert_eq!(a.verdict, "completed");
    // PyTorch's: its plan, then a training, a validation and a time line
    // per batch, behind a timestamp.
    let head = |t: &str| format!("[2024-05-14 09:12:{t},318] DEEPMD INFO    ");
    let mut log = head("14") + "Start to train 1000000 steps.\n";
    for (b, t, rmse) in [(100, "20", "5.92e-01"), (200, "26", "5.90e-01")] {
        log += &format!(
            "{}Batch {b:>7}: trn: rmse = {rmse}, rmse_e = 1.08e-02, rmse_f = 5.38e-01, lr = 9.99e-04\n\
             {}Batch {b:>7}: val: rmse = 6.46e-01, rmse_e = 1.18e-02, rmse_f = 5.92e-01\n\
             {}Batch {b:>7}: total wall time = 6.16 s, eta = 16:56:33 at 2024-05-15 02:08\n",
            head(t),
            head(t),
            head(t)
        );
    }
    let a = analyze(&log);
    assert_eq!((a.last_step, a.total_steps), (Some(200), Some(1000000)));
    assert_eq!((a.loss.first, a.loss.last), (Some(0.592), Some(0.59)));
    assert_eq!(a.eval.last_loss, Some(0.646));
    assert!(a.steps_per_sec.overall.is_some(), "timed by its heads");
}

#[test]
fn proteinmpnns_epoch_line_counts_its_steps() {
    let a = analyze(
        "epoch: 36, step: 36000, time: 287.7, train: 5.301, valid: 5.1, train_acc: 0.46, valid_acc: 0.47\n\
         epoch: 37, step: 37000, time: 287.7, train: 5.217, valid: 5.012, train_acc: 0.469, valid_acc: 0.473\n",
    );
    assert_eq!((a.last_step, a.epoch), (Some(37000), Some(37.0)));
    // (Its `train:` is a perplexity, not the loss.)
    assert_eq!(a.loss.count, 0);
}

#[test]
fn reinforcement_learning_trainers_count_their_own_way() {
    // rl_games (Isaac Lab): its epochs are the steps; its frame rates are
    // not a step or a loss; `MAX EPOCHS NUM!` at its limit.
    let line = |e: u64| {
        format!(
            "fps step: 112291 fps step and policy inference: 105553 fps total: 71261 epoch: {e}/1500 frames: {}\n",
            e * 98304
        )
    };
    let a = analyze(&(line(1) + &line(2)));
    assert_eq!(
        (a.last_step, a.total_steps, a.loss.count),
        (Some(2), Some(1500), 0)
    );
    let a = analyze(&(line(1499) + &line(1500) + "MAX EPOCHS NUM!\n"));
    assert_eq!(a.verdict, "completed");
    // sample-factory: frames, behind its `[time][pid]` head; its plan; its end.
    let fps = |n: u64| {
        format!(
            "[2024-05-14 09:12:25,218][01337] Fps is (10 sec: 46139.5, 60 sec: 47794.2, 300 sec: 48176.5). Total num frames: {n}. Throughput: 0: 46139.5. Samples: {n}. Policy #0 lag: (min: 0.0, avg: 1.8, max: 5.0)\n"
        )
    };
    let log = "[2024-05-14 09:12:10,218][01337] train_for_env_steps=10000000\n".to_string()
        + &fps(230400)
        + &fps(475136);
    reads_then_ends(
        &log,
        (475136, Some(10000000)),
        "[2024-05-14 09:15:35,218][01337] Collected {0: 10065536}, FPS: 11952.4\n",
    );
    // TD-MPC2: environment steps with thousands separators; its plan in its
    // padded table; its end.
    let row = |e: u64| {
        format!(
            " train            E: {e:<20}  I: {:<20}  R: -19.2                 T: 0:00:52            \n",
            format!("{},000", e)
        )
    };
    reads_then_ends(
        &("  Steps:          1,000,000\n".to_string() + &row(611) + &row(612)),
        (612000, Some(1000000)),
        "Training completed successfully\n",
    );
    // (A progress line's `Steps: 5` is not a plan.)
    assert_eq!(parse::planned_iters("Steps: 5"), None);
    // DreamerV3: its step in brackets before its metrics (not a pasted
    // line number).
    let a = analyze(
        "[35220] train/loss/dyn 3.71 / train/loss/rep 3.71 / train/opt/grad_norm 45.14 / episode/score 105.78\n\
         [72060] train/loss/dyn 3.27 / train/loss/rep 3.27 / train/opt/grad_norm 46.49 / episode/score 227.17\n",
    );
    assert_eq!(a.last_step, Some(72060));
    // LeRobot: its file:line column (right-aligned, no colon after it),
    // its plan, its end.
    let head = "INFO 2024-05-14 10:31:15 ts/train.py:";
    let log = format!(
        "{head}153 cfg.steps=40000 (40K)\n{head}231 step:39K smpl:2M ep:20K epch:97.31 loss:0.030 grdn:9.569 lr:1.0e-05 updt_s:0.096 data_s:0.005\n\
         {head}231 step:40K smpl:3M ep:21K epch:99.81 loss:0.030 grdn:8.292 lr:1.0e-05 updt_s:0.097 data_s:0.005\n"
    );
    // (At its total: its plan's step count reached is its end anyway;
    // `End of training` says so before the last step's line.)
    let a = analyze(&log);
    assert_eq!((a.last_step, a.total_steps), (Some(40000), Some(40000)));
    reads_then_ends(
        &log.replace("cfg.steps=40000", "cfg.steps=100000"),
        (40000, Some(100000)),
        &format!("{head}241 Checkpoint policy after step 40000\n{head}286 End of training\n"),
    );
}

#[test]
fn cgcnns_test_after_its_epochs_ends_the_run() {
    let epoch = |e: u64| {
        format!(
            "Epoch: [{e}][0/12]\tTime 0.101 (0.101)\tData 0.050 (0.050)\tLoss 0.0019 (0.0019)\tMAE 0.048 (0.048)\n"
        )
    };
    let log = epoch(28) + &epoch(29) + " * MAE 0.048\n";
    assert!(!analyze(&log).verdict.starts_with("completed"));
    let a = analyze(&(log + "---------Evaluate Model on Test Set---------------\n"));
    assert_eq!(a.verdict, "completed");
}

#[test]
fn captured_by_docker_and_kubectl() {
    // `docker logs -t`: RFC 3339 with nanoseconds and `Z` before each line.
    let a = analyze(
        "2024-05-14T09:14:19.106479000Z {'loss': 2.0415, 'grad_norm': 0.33, 'learning_rate': 0.000182, 'epoch': 0.09}\n\
         2024-05-14T09:14:29.106479000Z {'loss': 2.0115, 'grad_norm': 0.33, 'learning_rate': 0.000182, 'epoch': 0.1}\n\
         2024-05-14T09:18:25.798439000Z Traceback (most recent call last):\n\
         2024-05-14T09:18:25.798439000Z   File \"train.py\", line 3, in <module>\n\
         2024-05-14T09:18:25.798439000Z torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 1.96 GiB.\n",
    );
    assert_eq!((a.loss.first, a.loss.last), (Some(2.0415), Some(2.0115)));
    assert!(
        a.verdict.starts_with("fatal: CUDA out of memory"),
        "{}",
        a.verdict
    );
    // `kubectl logs --prefix` names the pod and the container.
    let st = strip_prefixes(
        "[pod/gpt-pretrain-worker-1/pytorch] [rank12]: torch.OutOfMemoryError: CUDA out of memory.",
    );
    assert_eq!(
        (st.body, st.rank),
        (" torch.OutOfMemoryError: CUDA out of memory.", Some(12))
    );
    // (Not a bracketed text of another kind.)
    assert_eq!(strip_prefixes("[pod/a b] x").body, "[pod/a b] x");
}

#[test]
fn lightnings_time_limit_and_a_fit_without_a_bar() {
    let frame = |n: u64| {
        format!(
            "\rEpoch 6:  97%|█████████▋| {n}/1563 [02:46<00:05,  9.08it/s, v_num=0, train_loss=0.422]"
        )
    };
    let log = frame(1510)
        + &frame(1511)
        + "Time limit reached. Elapsed time is 0:20:00. Signaling Trainer to stop.\n"
        + &frame(1512)
        + "\n";
    assert_eq!(analyze(&log).verdict, "completed");
    // `enable_progress_bar=False`: the fit's end line says it trained.
    let a = analyze(
        "epoch 18: val_loss=0.3561 val_acc=0.9344\n`Trainer.fit` stopped: `max_epochs=20` reached.\n",
    );
    assert_eq!((a.verdict.as_str(), a.last_step), ("completed", None));
}

#[test]
fn a_resumed_hf_runs_bar_under_its_skipping_bar() {
    // The HF Trainer skips the batches it trained on under a bar it leaves
    // open; its training bar is drawn below it.
    let skip = |n: u64| {
        format!("\rSkipping the first batches:  2%|          | {n}/499 [00:00<00:05, 90.91it/s]")
    };
    let main = |n: u64| format!("\n\r 40%|████      | {n}/7503 [00:05<00:08,  3.12it/s]\x1b[A");
    let log = "\r  0%|          | 0/499 [00:00<?, ?it/s]".to_string()
        + &skip(0)
        + "\n\r  0%|          | 0/7503 [00:00<?, ?it/s]\x1b[A"
        + &skip(10)
        + &skip(499)
        + &main(3000)
        + &main(3001)
        + &main(3002);
    let a = analyze(&log);
    assert_eq!((a.last_step, a.total_steps), (Some(3002), Some(7503)));
}

#[test]
fn a_recorded_exit_status_says_how_the_process_ended() {
    let run = |log: &str, code: i32| {
        let mut a = LogAnalyzer::new();
        a.push(log.as_bytes(), None);
        a.process_exited(code, Some(120.0));
        a.finish()
    };
    let steps = "iter 10: loss 4.8, time 312.10ms, mfu 37.95%\niter 20: loss 4.7, time 312.50ms, mfu 37.95%\n";
    // The OOM killer leaves no line in the log; its status says it.
    let a = run(steps, 137);
    assert!(
        a.verdict.starts_with("fatal: process killed by SIGKILL"),
        "{}",
        a.verdict
    );
    assert_eq!(a.errors[0].class, ErrorClass::Killed);
    // Code 0 ends a run with no end line of its own and no total.
    assert_eq!(run(steps, 0).verdict, "completed");
    assert_eq!(
        run("step 10/100 loss 2.0\nstep 20/100 loss 1.9\n", 0).verdict,
        "progressing",
        "short of its total: it returned early"
    );
    // Nothing else to go on: not a training run.
    assert!(!run("Downloading model.safetensors\n", 0).finished);
    // The log's own error explains another code: it stays the verdict.
    let oom = format!(
        "{steps}Traceback (most recent call last):\n  File \"train.py\", line 3, in <module>\ntorch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB.\n"
    );
    let a = run(&oom, 1);
    assert!(
        a.verdict.starts_with("fatal: CUDA out of memory"),
        "{}",
        a.verdict
    );
    assert_eq!(a.errors.len(), 1);
    // A code with no error in the log is one.
    assert_eq!(
        run(steps, 2).verdict,
        "fatal: the process exited with code 2 (the log shows no error)"
    );
}

#[test]
fn output_that_arrives_in_bursts_is_said_to_be_block_buffered() {
    let says_bursts = |a: &Analysis| a.notes.iter().any(|n| n.contains("block-buffered"));
    let log: String = (1..=1000)
        .map(|i| {
            format!(
                "iter {i}: loss 4.{:03}, time 312.10ms, mfu 37.95%\n",
                1999 - i
            )
        })
        .collect();
    // Whole 8 KiB blocks, as a buffered stdout flushes them.
    let mut a = LogAnalyzer::new();
    for (k, block) in log.as_bytes().chunks(8192).enumerate() {
        a.push(block, Some(30.0 * (k + 1) as f64));
    }
    assert!(says_bursts(&a.finish()));
    // Reads of any size (the watcher's checks of an unbuffered program).
    let mut a = LogAnalyzer::new();
    for (k, block) in log.as_bytes().chunks(3001).enumerate() {
        a.push(block, Some(10.0 * (k + 1) as f64));
    }
    assert!(!says_bursts(&a.finish()));
    // `docker logs -t` stamps a burst's lines alike.
    let stamped = |per_burst: usize| -> String {
        log.lines()
            .take(120)
            .enumerate()
            .map(|(i, l)| {
                let burst = i / per_burst;
                format!(
                    "2024-05-14T09:{:02}:{:02}.345856000Z {l}\n",
                    10 + burst / 60,
                    burst % 60
                )
            })
            .collect()
    };
    assert!(says_bursts(&analyze(&stamped(40))));
    assert!(!says_bursts(&analyze(&stamped(1))));
}

#[test]
fn shell_job_reports_host_memory_and_fp16_overflows() {
    let steps = "step 3290 | loss 2.31\nstep 3300 | loss 2.30\n";
    // A spot instance reclaimed: bash reports the job SIGTERM stopped.
    for tail in [
        "run.sh: line 5:   311 Terminated              python train.py\n",
        "Terminated\n",
    ] {
        let a = analyze(&format!("{steps}{tail}"));
        assert_eq!(a.verdict, "fatal: stopped by SIGTERM", "{tail}");
        assert_eq!(a.errors[0].class, ErrorClass::Killed);
    }
    // Python's own out-of-memory: host RAM.
    let a = analyze(&format!(
        "{steps}Traceback (most recent call last):\n  File \"eval.py\", line 9, in <module>\n    all_logits.append(logits.float().cpu().numpy())\nMemoryError\n"
    ));
    assert_eq!(a.verdict, "fatal: host out of memory (MemoryError)");
    assert_eq!(a.errors[0].class, ErrorClass::Memory);
    // fp16's skipped steps (an infinite gradient norm, the loss falling)
    // are no divergence; a NaN norm, or a long run of infinite ones, is.
    let dicts = |norms: &[&str]| -> String {
        norms
            .iter()
            .enumerate()
            .map(|(i, g)| {
                format!(
                    "{{'loss': {:.4}, 'grad_norm': {g}, 'learning_rate': 1e-05, 'epoch': 0.{i}}}\n",
                    2.0 - i as f64 * 0.01
                )
            })
            .collect()
    };
    let a = analyze(&dicts(&["0.5", "inf", "0.4", "inf", "inf"]));
    assert!(!a.verdict.contains("warning"), "{}", a.verdict);
    let a = analyze(&dicts(&["0.5", "0.4", "inf", "nan"]));
    assert!(
        a.verdict.ends_with("(warning: gradient norm is NaN)"),
        "{}",
        a.verdict
    );
    let a = analyze(&dicts(&[
        "0.5", "inf", "inf", "inf", "inf", "inf", "inf", "inf", "inf",
    ]));
    assert!(
        a.verdict
            .ends_with("(warning: gradient norm is infinite in every recent step)"),
        "{}",
        a.verdict
    );
    // PaddlePaddle's GPU OOM is raised as a `MemoryError` too.
    assert_ne!(
        errors::classify_line("MemoryError: (ResourceExhausted) ").map(|s| s.label),
        Some("host out of memory (MemoryError)".to_string())
    );
}

#[test]
fn a_script_that_says_it_runs_on_the_cpu_is_warned_of() {
    for line in [
        "device: cpu",
        "Using cpu device",
        "Using device: cpu",
        // JAX falling back to the CPU.
        "W1104 16:20:05.901270 139881762088768 xla_bridge.py:895] An NVIDIA GPU may be present on this machine, but a CUDA-enabled jaxlib is not installed. Falling back to cpu.",
        "W0115 11:20:03.400083 140096733111104 xla_bridge.py:871] CUDA backend failed to initialize: Found cuDNN version 8600, but JAX was built against version 8904, which is newer. (Set TF_CPP_MIN_LOG_LEVEL=0 and rerun for more info.)",
    ] {
        let a = analyze(&format!("{line}\nstep 1 loss 2.0\nstep 2 loss 1.9\n"));
        assert_eq!(
            a.errors
                .iter()
                .map(|e| (e.class, e.fatal, e.label.as_str()))
                .collect::<Vec<_>>(),
            [(
                ErrorClass::Cuda,
                false,
                "no GPU used: training runs on the CPU"
            )],
            "{line}"
        );
    }
    // Not a line that only names the CPU among other things.
    assert!(
        analyze("Loading tokenizer on device: cpu\n")
            .errors
            .is_empty()
    );
    assert!(analyze("device: cuda:0\n").errors.is_empty());
}

#[test]
fn every_rank_printing_the_same_thing() {
    // Lightning's launcher kills its own processes after a worker died
    // (the shell says `Killed`): the worker's error is the news.
    let a = analyze(
        "[rank2]: Traceback (most recent call last):\n[rank2]:   File \"train.py\", line 9, in <module>\n\
         [rank2]: PIL.UnidentifiedImageError: cannot identify image file '/data/train/n04152593_22281.JPEG'\n\
         [2024-05-14 09:15:30,697][lightning.fabric.strategies.launchers.subprocess_script][INFO] - [rank: 2] Child process with PID 20417 terminated with code 1. Forcefully terminating all other processes to avoid zombies 🧟\n\
         Killed\n",
    );
    assert_eq!(a.verdict, "fatal: Python exception: UnidentifiedImageError");
    assert!(a.errors.iter().all(|e| e.fatal), "{:?}", a.errors);
    // (A `Killed` of its own stays the OOM killer's.)
    assert_eq!(
        analyze("step 10 loss 2.0\nKilled\n").verdict,
        "fatal: process killed (host out of memory?)"
    );
    // Eight ranks print the script's `print(trainer.evaluate())`: one
    // evaluation.
    let eval = "{'eval_loss': 1.0874261856079102, 'eval_runtime': 12.4107, 'eval_samples_per_second': 80.57, 'epoch': 3.0}\n";
    let a = analyze(&eval.repeat(8));
    assert_eq!(a.eval.count, 1);
}

/// The class and label of the error the verdict names.
fn cause(a: &Analysis) -> Option<(ErrorClass, &str)> {
    a.fatal_error.as_ref().map(|e| (e.class, e.label.as_str()))
}

#[test]
fn a_bar_that_names_the_epoch_but_counts_the_run() {
    // SimpleTuner: one bar over the run's steps, renamed as each epoch
    // begins (`Epoch 2/4, Steps: ... 101/400`).
    let mut log = String::new();
    for n in 0..=230u64 {
        let epoch = n / 100 + 1;
        log.push_str(&format!(
            "\rEpoch {epoch}/4, Steps: {:>3}%|#         | {n}/400 [{:02}:{:02}<10:00,  1.61s/it, lr=1e-4, step_loss=0.{:03}]",
            n * 100 / 400,
            n * 2 / 60,
            n * 2 % 60,
            500 - n
        ));
    }
    let a = analyze(&log);
    assert_eq!((a.last_step, a.total_steps), (Some(230), Some(400)));
    assert_eq!(a.verdict, "progressing");
    // A bar named `Epoch 2/10` alone whose count runs on from the epoch
    // before, on the same clock: the same count, not a pass per epoch.
    let mut log = String::new();
    for n in 0..=150u64 {
        let epoch = if n <= 100 { 1 } else { 2 };
        log.push_str(&format!(
            "\rEpoch {epoch}/10: {:>3}%|#         | {n}/1000 [00:{:02}<09:00,  2.00it/s]",
            n / 10,
            n / 2 % 60
        ));
    }
    let a = analyze(&log);
    assert_eq!((a.last_step, a.total_steps), (Some(150), Some(1000)));
    // (Lightning's per-epoch bar starts again from 0: its steps add up.)
    let mut log = String::new();
    for epoch in 0..2u64 {
        for n in 0..=50u64 {
            log.push_str(&format!(
                "\rEpoch {epoch}: {:>3}%|#         | {n}/50 [00:{:02}<00:10,  5.00it/s, v_num=0]",
                n * 2,
                n / 5
            ));
        }
    }
    assert_eq!(analyze(&log).last_step, Some(100));
}

#[test]
fn the_boosting_libraries_running_out_of_gpu_memory() {
    for line in [
        "xgboost.core.XGBoostError: [09:44:17] /workspace/src/common/device_helpers.cu:47: Memory allocation error on worker 0: std::bad_alloc: cudaErrorMemoryAllocation: out of memory",
        "lightgbm.basic.LightGBMError: [CUDA] out of memory /__w/1/s/lightgbm-python/src/io/cuda/cuda_column_data.cpp 73",
        "_catboost.CatBoostError: catboost/cuda/cuda_lib/cuda_base.h:281: CUDA error 2: out of memory",
        "MemoryError: std::bad_alloc: out_of_memory: CUDA error at: /opt/conda/include/rmm/mr/device/cuda_memory_resource.hpp:60: cudaErrorMemoryAllocation out of memory",
    ] {
        let a = analyze(&format!(
            "[10]\ttrain-rmse:0.52\tvalid-rmse:0.61\nTraceback (most recent call last):\n  File \"train.py\", line 3, in <module>\n    bst.fit(X, y)\n{line}\n"
        ));
        assert_eq!(
            cause(&a).map(|c| c.0),
            Some(ErrorClass::Memory),
            "{line}: {:?}",
            a.errors
        );
        assert!(!a.verdict.contains("host"), "{line}: {}", a.verdict);
    }
}

#[test]
fn cross_validation_rounds_and_the_boosters_ends() {
    // XGBoost's `cv()` (mean+std) and LightGBM's (`cv_agg's`).
    let a = analyze(
        "[0]\ttrain-logloss:0.61+0.001\ttest-logloss:0.62+0.002\n[25]\ttrain-logloss:0.41+0.001\ttest-logloss:0.45+0.002\n[50]\ttrain-logloss:0.31+0.001\ttest-logloss:0.39+0.002\n",
    );
    assert_eq!(a.last_step, Some(50));
    assert_approx(a.loss.last, 0.31, 1e-9, "XGBoost cv train loss");
    let a = analyze(
        "[50]\tcv_agg's train auc: 0.883466 + 0.00055576\tcv_agg's valid auc: 0.865589 + 0.00452992\n[100]\tcv_agg's train auc: 0.906812 + 0.000521306\tcv_agg's valid auc: 0.878371 + 0.00440805\n",
    );
    assert_eq!(a.last_step, Some(100));
    // CatBoost's ends: its overfitting detector, and the model cut to the
    // best iteration.
    let rows = "0:\tlearn: 0.6841083\ttest: 0.6843012\tbest: 0.6843012 (0)\ttotal: 40ms\tremaining: 37.4s\n200:\tlearn: 0.5424672\ttest: 0.5401354\tbest: 0.5401354 (200)\ttotal: 3.78s\tremaining: 33.6s\n";
    for end in [
        "Stopped by overfitting detector  (100 iterations wait)\n",
        "bestTest = 0.5401354\nbestIteration = 200\n\nShrink model to first 201 iterations.\n",
    ] {
        assert_eq!(
            analyze(&format!("{rows}{end}")).verdict,
            "completed",
            "{end}"
        );
    }
    assert_eq!(analyze(rows).verdict, "progressing");
    // `cv()` over folds: each fold counts from 0; the fold before ended,
    // not the run.
    let a = analyze(&format!(
        "Training on fold [0/5]\n{rows}Stopped by overfitting detector  (100 iterations wait)\nTraining on fold [1/5]\n{}",
        &rows[..rows.find('\n').unwrap() + 1]
    ));
    assert_eq!((a.last_step, a.verdict.as_str()), (Some(0), "progressing"));
    // HugeCTR's end.
    let a = analyze(
        "[HCTR][09:14:30.000][INFO][RK0][main]: Iter: 9000 Time(1000 iters): 2.91s Loss: 0.131 lr:0.001\n[HCTR][09:14:37.023][INFO][RK0][main]: Finish 10000 iterations with batchsize: 16384 in 29.09s.\n",
    );
    assert!(a.finished, "{a:?}");
}

#[test]
fn native_crashes_and_setup_failures_of_other_stacks() {
    let a = analyze(
        "step 10 loss 2.0\n/workspace/run_pretrain.sh: line 19:  2231 Floating point exception(core dumped) python -m train\n",
    );
    assert_eq!(
        cause(&a),
        Some((
            ErrorClass::Runtime,
            "process crashed (floating point exception: an integer division by zero?)"
        ))
    );
    for (line, class) in [
        (
            "/tmp/tmpa1b2/main.c:4:10: fatal error: Python.h: No such file or directory",
            ErrorClass::Dependency,
        ),
        (
            "ValueError: Fast download using 'hf_transfer' is enabled (HF_HUB_ENABLE_HF_TRANSFER=1) but 'hf_transfer' package is not available in your environment. Try `pip install hf_transfer`.",
            ErrorClass::Dependency,
        ),
        (
            "ConnectionError: Couldn't reach 'HuggingFaceH4/ultrachat_200k' on the Hub (ReadTimeout)",
            ErrorClass::Data,
        ),
        (
            "RuntimeError: An error occurred while downloading using `hf_transfer`. Consider disabling HF_HUB_ENABLE_HF_TRANSFER for better error handling.",
            ErrorClass::Data,
        ),
        (
            "RuntimeError: jaxlib version 0.4.31 is newer than and incompatible with jax version 0.4.30. Please update your jax and/or jaxlib packages.",
            ErrorClass::Dependency,
        ),
        (
            "jaxlib.xla_extension.XlaRuntimeError: INTERNAL: external/xla/xla/service/gpu/nccl_utils.cc:305: NCCL operation ncclCommInitRank(&comm, nranks, id, rank) failed: unhandled system error",
            ErrorClass::Distributed,
        ),
    ] {
        let s = errors::classify_line(line).unwrap_or_else(|| panic!("{line}"));
        assert_eq!((s.class, s.fatal), (class, true), "{line}");
    }
}

#[test]
fn a_traceback_a_wrapper_relays_under_its_own_log_head() {
    // fluxgym relays the trainer's output a line at a time under `[INFO]`:
    // the exception ended the trainer all the same.
    let a = analyze(
        "[2024-09-13 19:20:51] [INFO] steps:   0%|          | 0/3200 [00:09<?, ?it/s]\n\
         [2024-09-13 19:20:51] [INFO] Traceback (most recent call last):\n\
         [2024-09-13 19:20:51] [INFO] File \"/fluxgym/sd-scripts/flux_train_network.py\", line 519, in <module>\n\
         [2024-09-13 19:20:51] [INFO] trainer.train(args)\n\
         [2024-09-13 19:20:51] [INFO] torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 144.00 MiB. GPU 0 has a total capacity of 23.55 GiB of which 48.81 MiB is free.\n",
    );
    assert_eq!(
        cause(&a),
        Some((
            ErrorClass::Memory,
            "CUDA out of memory (tried to allocate 144.00 MiB)"
        ))
    );
    // (A logger's own traceback, its frames without the head, was handled.)
    let a = analyze(
        "2024-09-13 19:20:51,000 - INFO - Traceback (most recent call last):\n  File \"/app/retry.py\", line 5, in fetch\n    r.raise_for_status()\nrequests.exceptions.HTTPError: 503 Server Error\nstep 10 loss 2.0\n",
    );
    assert!(a.fatal_error.is_none(), "{:?}", a.errors);
}

#[test]
fn the_error_the_verdict_names_is_the_cause_not_the_launchers_report() {
    let a = analyze(
        "Traceback (most recent call last):\n  File \"train.py\", line 9, in <module>\n    loss.backward()\n\
         torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 1.26 GiB.\n\
         Traceback (most recent call last):\n  File \"/venv/bin/accelerate\", line 8, in <module>\n    sys.exit(main())\n\
         subprocess.CalledProcessError: Command '['/venv/bin/python', 'train.py']' returned non-zero exit status 1.\n",
    );
    let last_fatal = a.errors.iter().rev().find(|e| e.fatal).map(|e| e.class);
    assert_eq!(last_fatal, Some(ErrorClass::Runtime));
    assert_eq!(
        cause(&a),
        Some((
            ErrorClass::Memory,
            "CUDA out of memory (tried to allocate 1.26 GiB)"
        ))
    );
    assert!(analyze("step 1 loss 2.0\n").fatal_error.is_none());
}

#[test]
fn step_lines_of_the_jax_stacks() {
    // Paxml, and the Flax examples' `Finished training step N.` (a full
    // stop after the count); MaxText's plan in its config dump.
    let a = analyze(
        "I1115 22:43:01.462090 140262186301440 summary_utils.py:624] [PAX STATUS] step_i: 1300, training loss: 4.1211692\n\
         I1115 22:43:42.691440 140262186301440 summary_utils.py:624] [PAX STATUS] step_i: 1400, training loss: 4.0635997\n",
    );
    assert_eq!(a.last_step, Some(1400));
    assert_approx(a.loss.last, 4.0635997, 1e-9, "Paxml loss");
    let a = analyze(
        "I0325 14:00:29.655857 130295542103168 train.py:570] Finished training step 2. Batch size: 256, Loss: 10.43837, LR: 0.00000\n\
         I0325 14:00:29.997218 130295542103168 train.py:570] Finished training step 3. Batch size: 256, Loss: 10.40290, LR: 0.00000\n",
    );
    assert_eq!(a.last_step, Some(3));
    assert_approx(a.loss.last, 10.4029, 1e-9, "Flax loss");
    // (A decimal after the word is still no count.)
    assert_eq!(
        analyze("step 2.5 loss 1.0\nstep 3.5 loss 0.9\n").last_step,
        None
    );
    let a = analyze(
        "Config param steps: 200\ncompleted step: 10, seconds: 0.155, TFLOP/s/device: 733.871, loss: 10.126\ncompleted step: 11, seconds: 0.155, TFLOP/s/device: 733.871, loss: 10.02\n",
    );
    assert_eq!((a.last_step, a.total_steps), (Some(11), Some(200)));
    // ZipVoice's global count beside the epoch's batch.
    let a = analyze(
        "Epoch 6, batch 199, global_batch_idx: 1320, batch size: 48, loss[loss=0.07], tot_loss[loss=0.07], cur_lr: 1e-4\n\
         Epoch 7, batch 129, global_batch_idx: 1450, batch size: 48, loss[loss=0.06], tot_loss[loss=0.06], cur_lr: 1e-4\n",
    );
    assert_eq!(a.last_step, Some(1450));
}

#[test]
fn the_jax_stacks_plans_and_ends() {
    // MaxText counts from 0: its step `steps - 1` is its last.
    let mut log = String::from("Config param steps: 3\n");
    for n in 0..3 {
        log.push_str(&format!(
            "completed step: {n}, seconds: 0.155, TFLOP/s/device: 733.871, loss: 10.{n}\n"
        ));
    }
    let a = analyze(&log);
    assert_eq!((a.last_step, a.total_steps), (Some(2), Some(3)));
    assert_eq!(a.verdict, "completed");
    assert_eq!(
        analyze(&log[..log.rfind("completed").unwrap()]).verdict,
        "progressing"
    );
    // CLU's progress report says the plan.
    let a = analyze(
        "I0325 14:00:29.324011 130295542103168 local.py:41] Setting work unit notes: 4.9 steps/s, 9.9% (296/3000), ETA: 9m\n\
         I0325 14:00:29.655857 130295542103168 train.py:570] Finished training step 296. Batch size: 256, Loss: 4.43837, LR: 0.00080\n",
    );
    assert_eq!((a.last_step, a.total_steps), (Some(296), Some(3000)));
    // Paxml's end, and its coordination service losing a peer.
    let steps = "I1115 22:43:01.462090 140262186301440 summary_utils.py:624] [PAX STATUS] step_i: 500, training loss: 4.1211692\n";
    let a = analyze(&format!(
        "{steps}I1115 22:44:01.000000 140262186301440 py_utils.py:1058] [PAX STATUS]: E2E time: Elapsed time for <_main>: 684.95 seconds\n"
    ));
    assert_eq!(a.verdict, "completed");
    let a = analyze(&format!(
        "{steps}F1115 22:45:00.000000 140262186301440 client.h:75] Terminating process because the JAX distributed service detected fatal errors. This most likely indicates that another task died; see the other task logs for more details. Disable Python buffering, i.e. `python -u`, to be sure to see all the previous output. absl::Status: UNAVAILABLE: The following tasks are unhealthy (stopped sending heartbeats):\n"
    ));
    assert_eq!(cause(&a).map(|c| c.0), Some(ErrorClass::Distributed));
    // EasyLM's metrics, pprinted with NumPy values: the loop's loss, and
    // no HF Trainer.
    let frame = "\r 10%|█         | 200/2000 [01:00<09:00,  3.33it/s]";
    let a = analyze(&format!(
        "{}\n{{'learning_rate': array(0.0003, dtype=float32),\n 'loss': array(1.728779, dtype=float32),\n 'step': 200}}\n",
        frame.repeat(3)
    ));
    assert_approx(a.loss.last, 1.728779, 1e-9, "EasyLM loss");
    assert_ne!(a.format, Format::HfTrainer);
}

#[test]
fn tabular_and_image_data_the_learner_refuses() {
    for line in [
        "ValueError: DataFrame.dtypes for data must be int, float, bool or category. When categorical type is supplied, the experimental DMatrix parameter`enable_categorical` must be set to `True`.  Invalid columns:zip_code: object",
        "_catboost.CatBoostError: Invalid type for cat_feature[non-default value idx=12,feature_idx=3]=nan : cat_features must be integer or string, real number values and NaN values should be converted to string.",
        "ValueError: Unable to parse string \"2024-01-03 11:02:45\" at position 41",
        "nibabel.filebasedimages.ImageFileError: Cannot work out file type of \"/data/Task09_Spleen/imagesTr/._spleen_19.nii.gz\"",
    ] {
        let s = errors::classify_line(line).unwrap_or_else(|| panic!("{line}"));
        assert_eq!((s.class, s.fatal), (ErrorClass::Data, true), "{line}");
    }
    // HugeCTR's plan.
    let a = analyze(
        "[HCTR][09:14:07.934][INFO][RK0][main]: Use non-epoch mode with number of iterations: 10000\n\
         [HCTR][09:14:10.000][INFO][RK0][main]: Iter: 1000 Time(1000 iters): 2.91s Loss: 0.131 lr:0.001\n",
    );
    assert_eq!(a.total_steps, Some(10000));
}

#[test]
fn a_loop_seen_only_at_step_0_has_not_started() {
    // OpenRLHF stuck in its first rollout: its episode bar drawn at 0.
    let a = analyze(
        "(ActorModelRayActor pid=21044) \rEpisode [1/1]:   0%|          | 0/117 [00:00<?, ?it/s]\n",
    );
    assert_eq!(a.last_step, Some(0));
    assert_eq!(a.verdict, "no training progress recognised");
    // (Step 0 with its loss is a step done.)
    assert_eq!(
        analyze("iter 0: loss 10.9810, time 120.3ms\n").verdict,
        "progressing"
    );
    // vLLM's engine without room for its KV cache.
    let s = errors::classify_line(
        "ValueError: No available memory for the cache blocks. Try increasing `gpu_memory_utilization` when initializing the engine.",
    )
    .expect("vLLM");
    assert_eq!((s.class, s.fatal), (ErrorClass::Memory, true));
    // SAM 2's trainer names its loss by its group.
    let a = analyze(
        "Train Epoch: [3][ 40/500] | Batch Time: 1.20 (1.31) | Data Time: 0.01 (0.02) | Losses/train_all_loss: 1.88e+00 (2.03e+00)\n",
    );
    assert_eq!(a.last_step, Some(1540));
    assert_approx(a.loss.last, 1.88, 1e-9, "SAM 2 loss");
}

#[test]
fn a_loop_that_copies_lightnings_bar_name_is_not_lightning() {
    // Open-Sora: `Epoch 0: ... [..., loss=0.5, step=129, global_step=129]`.
    let mut log = String::new();
    for n in 130..=140u64 {
        log.push_str(&format!(
            "\rEpoch 0:   4%|▍         | {n}/3225 [16:07<6:17:58,  7.33s/it, loss=0.5, step={}, global_step={}]",
            n - 3,
            n - 3
        ));
    }
    let a = analyze(&log);
    assert_eq!(a.format, Format::Tqdm);
    assert_eq!(a.last_step, Some(140));
    // (Lightning's own, with its `v_num`.)
    let log = log.replace("step=", "x=").replace("global_x=", "v_num=");
    assert_eq!(analyze(&log).format, Format::Lightning);
}

#[test]
fn native_and_worker_failures_name_their_cause() {
    // An import in the dataset code (torchaudio's `load` without
    // torchcodec) failed in the worker: the environment's, not the data's.
    let s =
        errors::classify_line("ImportError: Caught ImportError in DataLoader worker process 0.")
            .expect("worker import");
    assert_eq!((s.class, s.fatal), (ErrorClass::Dependency, true));
    // (Any other exception there is the dataset code's.)
    let s = errors::classify_line("KeyError: Caught KeyError in DataLoader worker process 3.")
        .expect("worker key");
    assert_eq!(s.class, ErrorClass::Data);
    // decord cannot read a video of the data.
    let s = errors::classify_line("RuntimeError: Error reading /data/videos/clip_0042.mp4...")
        .expect("decord");
    assert_eq!((s.class, s.fatal), (ErrorClass::Data, true));
    // LightGBM's OpenCL learner with the GPU full: the C++ exception's
    // message is the cause the verdict names, not the abort after it.
    let a = analyze(
        "[LightGBM] [Info] Size of histogram bin entry: 8\n\
         terminate called after throwing an instance of 'boost::wrapexcept<boost::compute::opencl_error>'\n\
         \x20 what():  Memory Object Allocation Failure\n\
         Aborted (core dumped)\n",
    );
    assert_eq!(cause(&a).map(|c| c.0), Some(ErrorClass::Memory));
    let s = errors::classify_line("  what():  std::bad_alloc").expect("bad_alloc");
    assert_eq!(s.class, ErrorClass::Memory);
    // (Another message there is left to the abort.)
    assert!(
        errors::classify_line("  what():  basic_string::_M_construct null not valid").is_none()
    );
}

#[test]
fn a_dataset_download_bar_is_no_training() {
    // torchvision's MNIST counts bytes as items under a bare bar; the loop
    // prints its own lines.
    let mut log = String::new();
    for file in ["train-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte.gz"] {
        log.push_str(&format!(
            "Downloading https://ossci-datasets.s3.amazonaws.com/mnist/{file} to MNIST/raw/{file}\n\
             \r  0%|          | 0/1648877 [00:00<?, ?it/s]\
             \r 50%|█████     | 824438/1648877 [00:00<00:00, 32459450.76it/s]\
             \r100%|██████████| 1648877/1648877 [00:00<00:00, 33625367.32it/s]\n\
             Extracting MNIST/raw/{file} to MNIST/raw\n"
        ));
    }
    for step in [0, 30, 60] {
        log.push_str(&format!("step={step}, train_loss=2.30, test_loss=2.29\n"));
    }
    let a = analyze(&log);
    assert_eq!(a.last_step, Some(60));
    assert_ne!(a.format, Format::Tqdm);
}

#[test]
fn super_gradients_plans_its_epochs() {
    // `Started training for 3 epochs (0/2)`, then a bar per epoch named
    // after it (`Train epoch 0`): 3 epochs of 10 batches.
    let mut log =
        "[2024-06-11 10:11:13] INFO - sg_trainer.py - Started training for 3 epochs (0/2)\n"
            .to_string();
    for e in 0..2 {
        for n in [0, 5, 10] {
            log.push_str(&format!(
                "\rTrain epoch {e}:  {}%|          | {n}/10 [00:0{}<00:01,  5.00it/s, loss=1.{}]",
                n * 10,
                n / 5,
                9 - n / 5 - e
            ));
        }
        log.push('\n');
    }
    let a = analyze(&log);
    assert_eq!(a.last_step, Some(20));
    assert_eq!(a.total_steps, Some(30));
}

#[test]
fn plans_named_in_a_bar_or_a_config_dump() {
    // MONAI's tutorials: the run's count in the epoch bar's description.
    let mut log = String::new();
    for (pass, base) in [(0u64, 0u64), (1, 24)] {
        log.push_str("\rTraining (X / X Steps) (loss=X.X):   0%|          | 0/24 [00:00<?, ?it/s]");
        for n in 1..=24u64 {
            log.push_str(&format!(
                "\rTraining ({} / 25000 Steps) (loss=3.{pass}{n:02}): {:3}%|█         | {n}/24 [00:{n:02}<00:29,  1.27s/it]",
                base + n,
                n * 100 / 24
            ));
        }
        log.push('\n');
    }
    let a = analyze(&log);
    assert_eq!(a.last_step, Some(48));
    assert_eq!(a.total_steps, Some(25000));
    // RT-DETR's and D-FINE's solver: `'epoches'` in its configuration, then
    // the MetricLogger's lines over 7329 batches.
    let a = analyze(
        "cfg:  {'task': 'detection', 'epoches': 72, 'use_amp': True, 'print_freq': 100}\n\
         Epoch: [0]  [   0/7329]  eta: 1:45:44  lr: 0.000000  loss: 41.0583 (42.2900)\n\
         Epoch: [0]  [ 100/7329]  eta: 0:56:37  lr: 0.000005  loss: 39.0514 (40.2229)\n",
    );
    assert_eq!(a.total_steps, Some(72 * 7329));
}

#[test]
fn a_resumed_wenet3_run_counts_on_from_its_epochs_start() {
    let a = analyze(
        "2024-03-12 14:01:27,531 INFO Epoch 3 Step 45120 TRAIN info lr 7.4437e-04 rank 0\n\
         2024-03-12 14:02:00,108 DEBUG TRAIN | steps/sec 3.237| Batch 3/100 loss 5.254249 loss_att 4.907490 lr 7.4354e-04 rank 0\n\
         2024-03-12 14:02:31,218 DEBUG TRAIN | steps/sec 3.168| Batch 3/200 loss 3.557817 loss_att 3.244581 lr 7.4272e-04 rank 0\n",
    );
    assert_eq!(a.last_step, Some(45320));
    // (A run from its start counts from 0.)
    let a = analyze(
        "2024-03-12 14:01:27,531 INFO Epoch 0 Step 0 TRAIN info lr 7.4437e-04 rank 0\n\
         2024-03-12 14:02:00,108 DEBUG TRAIN | steps/sec 3.237| Batch 0/100 loss 5.254249 loss_att 4.907490 lr 7.4354e-04 rank 0\n",
    );
    assert_eq!(a.last_step, Some(100));
}

#[test]
fn a_trainers_banner_names_the_format_before_any_step() {
    // The HF Trainer stopped at W&B's prompt, no step taken.
    let a = analyze(
        "[INFO|trainer.py:2134] 2024-08-01 22:14:51,307 >> ***** Running training *****\n\
         [INFO|trainer.py:2142] 2024-08-01 22:14:51,307 >>   Total optimization steps = 1,250\n\
         wandb: (1) Create a W&B account\n\
         wandb: Enter your choice: \n",
    );
    assert_eq!(a.format, Format::HfTrainer);
    assert_eq!(a.last_step, None);
    // Lightning's, failing in its logger before the first batch.
    let a = analyze(
        "GPU available: True (cuda), used: True\n\
         LOCAL_RANK: 0 - CUDA_VISIBLE_DEVICES: [0]\n\
         wandb: ERROR api_key not configured (no-tty). call wandb.login(key=[your_api_key])\n",
    );
    assert_eq!(a.format, Format::Lightning);
    // (A model summary alone says nothing: torchinfo prints one too.)
    let a = analyze("Trainable params: 11,689,512\nNon-trainable params: 0\n");
    assert_eq!(a.format, Format::Unknown);
}

#[test]
fn matcha_names_its_loss_by_its_split() {
    let bar = "━".repeat(20);
    let a = analyze(&format!(
        "Epoch 41/-2 {bar} 220/391 0:00:47 • 0:00:36 4.68it/s v_num: 0 loss/train_step: 2.413 step: 16250.000 loss/val_step: 2.223\n"
    ));
    assert_approx(a.loss.last, 2.413, 1e-9, "Matcha loss");
}

#[test]
fn llm_pretraining_libraries_steps_losses_and_ends() {
    // Composer with its duration in epochs: the batch within each epoch.
    let a = analyze(
        "[epoch=1][batch=120/120]:\n\t Train time/batch: 119\n\t Train loss/train/total: 1.92\n\
         [epoch=2][batch=10/120]:\n\t Train time/batch: 129\n\t Train loss/train/total: 1.81\n\
         2024-09-03 09:00:07,618: rank0[23011][MainThread]: INFO: llmfoundry.command_utils.train: Done.\n",
    );
    assert_eq!(a.last_step, Some(130));
    assert_approx(a.loss.last, 1.81, 1e-9, "Composer loss");
    assert!(a.verdict.starts_with("completed"), "{}", a.verdict);
    // OLMo-core names its loss with a space.
    let a = analyze("[step=1071/239372,epoch=1]\n    train/CE loss=3.506\n    train/PPL=33.31\n");
    assert_eq!(a.last_step, Some(1071));
    assert_approx(a.loss.last, 3.506, 1e-9, "OLMo-core loss");
    // LitGPT's evaluation after its loop; torchprime's end line.
    for end in [
        "Final evaluation | val loss: 0.912 | val ppl: 2.489",
        "[2025-04-02 17:25:24,275][__main__][INFO] - Finished training run",
    ] {
        let a = analyze(&format!("iter 10: loss 2.1000, time 120.3ms\n{end}\n"));
        assert!(a.verdict.starts_with("completed"), "{end}: {}", a.verdict);
    }
}

#[test]
fn data_preparation_bars_of_datasets_are_no_plan() {
    // XTuner's dataset through 🤗 Datasets, then mmengine's iterations.
    let a = analyze(
        "\rFlattening the indices (num_proc=32):   0%|          | 0/9846 [00:00<?, ?it/s]\
         \rFlattening the indices (num_proc=32): 100%|██████████| 9846/9846 [00:01<00:00, 8950.91 examples/s]\n\
         03/14 10:24:21 - mmengine - INFO - Iter(train) [  10/7389]  lr: 3.0075e-06  eta: 13:45:13  time: 6.6453  data_time: 0.0162  memory: 15532  loss: 2.4348\n\
         03/14 10:25:29 - mmengine - INFO - Iter(train) [  20/7389]  lr: 6.0150e-06  eta: 13:44:05  time: 6.8038  data_time: 0.0108  memory: 15532  loss: 2.3674\n",
    );
    assert_eq!(a.last_step, Some(20));
    assert_eq!(a.total_steps, Some(7389));
}

#[test]
fn failures_that_name_the_data_or_the_host() {
    for line in [
        "AssertionError: train: No labels found in /data/coco/labels/train2017.cache, can not start training.",
        "AssertionError: Annotation ids in 'datasets/pcb/annotations/instances_train.json' are not unique!",
        "AssertionError: you should have at least 100 images in your folder. at least 10k images recommended",
        "Error: --data: Path must point to a directory or zip",
        "Error: Invalid value for '--outdir': Path 'x' does not exist.",
    ] {
        let s = errors::classify_line(line).unwrap_or_else(|| panic!("{line}"));
        assert_eq!((s.class, s.fatal), (ErrorClass::Data, true), "{line}");
    }
    // (Another assertion, another option, are the script's.)
    let s = errors::classify_line("Error: Missing option '--outdir'.").expect("click");
    assert_eq!((s.class, s.fatal), (ErrorClass::Runtime, true));
    assert_ne!(
        errors::classify_line("AssertionError: shapes do not match").map(|s| s.class),
        Some(ErrorClass::Data)
    );
    // A worker the OOM killer took.
    let s = errors::classify_line(
        "RuntimeError: DataLoader worker (pid 48211) is killed by signal: Killed.",
    )
    .expect("worker killed");
    assert_eq!((s.class, s.fatal), (ErrorClass::Killed, true));
}

#[test]
fn classic_nlp_toolkits_plans_ends_and_data_errors() {
    // Marian's plan among its options; its progress lines.
    let a = analyze(
        "[2023-03-02 11:20:01] [config] after: 300000u\n\
         [2023-03-02 11:29:26] Ep. 1 : Up. 1000 : Sen. 1,019,563 : Cost 6.48051831 * 31,326,224 @ 30,147 after 31,326,224 : Time 316.50s : 98977.25 words/s : gNorm 1.6515 : L.r. 1.8750e-05\n",
    );
    assert_eq!(a.last_step, Some(1000));
    assert_eq!(a.total_steps, Some(300_000));
    // Marian's missing vocabulary: the cause, then where it aborted.
    let a = analyze(
        "[2024-04-08 09:03:44] Error: SentencePiece vocabulary file model/vocab.fren.spm does not exist\n\
         [2024-04-08 09:03:44] Error: Aborted from virtual size_t marian::SentencePieceVocab::load(const string&, size_t) in /opt/marian/src/data/sentencepiece_vocab.cpp:284\n",
    );
    assert_eq!(cause(&a).map(|c| c.0), Some(ErrorClass::Data));
    // fairseq's sample too long for the model: an `Exception`, which no
    // anchor word holds, read as its traceback closes.
    let a = analyze(
        "Traceback (most recent call last):\n  File \"fairseq_cli/train.py\", line 557, in <module>\n    cli_main()\n\
         Exception: Size of sample #4185 is invalid (=(1187, 964)) since max_positions=(1024, 1024), skip this example with --skip-invalid-size-inputs-valid-test\n",
    );
    assert_eq!(cause(&a).map(|c| c.0), Some(ErrorClass::Data));
    for line in [
        "OSError: Please check path of your src vocab file!",
        "ValueError: [E024] Could not find an optimal move to supervise the parser.",
    ] {
        let s = errors::classify_line(line).unwrap_or_else(|| panic!("{line}"));
        assert_eq!((s.class, s.fatal), (ErrorClass::Data, true), "{line}");
    }
    // spaCy's end.
    let a = analyze(
        "E    #       LOSS TOK2VEC  LOSS NER  ENTS_F  ENTS_P  ENTS_R  SCORE \n\
         ---  ------  ------------  --------  ------  ------  ------  ------\n\
         \x20 0       0          0.00     49.67    0.00    0.00    0.00    0.00\n\
         \x20 0     200        150.18   2498.41   20.88   22.88   18.88    0.21\n\
         ✔ Saved pipeline to output directory\n",
    );
    assert!(a.verdict.starts_with("completed"), "{}", a.verdict);
}

#[test]
fn xtuner_v1_steps_over_its_sharding_bar() {
    let a = analyze(
        "\r[FSDP Sharding]:   0%|          | 0/36 [00:00<?, ?it/s]\
         \r[FSDP Sharding]: 100%|██████████| 36/36 [00:14<00:00,  2.50it/s]\n\
         [XTuner][RANK 0][2025-09-03 14:06:15][INFO] Step 1/5154 data_time: 0.0051 lr: 0.000000 time: 14.2000 total_loss: 2.000 reduced_llm_loss: 2.000 grad_norm: 2.332\n\
         [XTuner][RANK 0][2025-09-03 14:06:29][INFO] Step 2/5154 data_time: 0.0049 lr: 0.000001 time: 14.1000 total_loss: 1.950 reduced_llm_loss: 1.950 grad_norm: 2.120\n",
    );
    assert_eq!(a.last_step, Some(2));
    assert_eq!(a.total_steps, Some(5154));
    assert!(a.verdict.starts_with("progressing"), "{}", a.verdict);
    // bitsandbytes' C code out of GPU memory.
    let s = errors::classify_line(
        "Error out of memory at line 380 in file /mmfs1/bitsandbytes/csrc/pythonInterface.c",
    )
    .expect("bnb");
    assert_eq!((s.class, s.fatal), (ErrorClass::Memory, true));
}

#[test]
fn generative_research_loops() {
    // guided-diffusion's classifier: its loss is `train_loss`.
    let a = analyze(
        "-----------------------------\n\
         | grad_norm      | 2.2      |\n\
         | samples        | 377k     |\n\
         | step           | 1.47e+03 |\n\
         | train_loss     | 4.97     |\n\
         -----------------------------\n",
    );
    assert_eq!(a.last_step, Some(1470));
    assert_approx(a.loss.last, 4.97, 1e-9, "guided-diffusion classifier loss");
    // EDM2's status lines count thousands of images, like StyleGAN's ticks.
    let a = analyze(
        "Status: kimg 134348.8  time 2d 03h 47m   sec/tick 61.77    sec/kimg 0.471   maintenance 0.04\n\
         Status: kimg 134479.9  time 2d 03h 48m   sec/tick 61.20    sec/kimg 0.467   maintenance 0.04\n",
    );
    assert_eq!(a.last_step, Some(134_479));
    // VAR's MetricLogger behind its logger's head; its loss is `Lm`.
    let a = analyze(
        "[05-10 20:33:35] (ode/VAR/utils/misc.py, line 314)=> [Ep]: [   2/200]  [ 834/1668]  eta: 0:17:21  tlr: 3.8e-05  tnm: 0.32  Lm: 8.121 (8.131)  Lt: 7.950 (7.960)  time: 1.2503  data: 0.3486\n",
    );
    assert_eq!(a.last_step, Some(2 * 1668 + 834));
    assert_approx(a.loss.last, 8.121, 1e-9, "VAR loss");
    // kohya's script ends so (a resumed run's bar stops short of its total).
    let a = analyze(
        "\rsteps:  60%|██████    | 450/750 [10:01<06:40,  1.34s/it, avr_loss=0.0912]\n\
         saving checkpoint: /workspace/lora/output/ohwx.safetensors\n\
         2024-07-03 09:51:13 INFO     model saved.                  train_network.py:1729\n",
    );
    assert!(a.verdict.starts_with("completed"), "{}", a.verdict);
}

#[test]
fn kohya_nan_average_loss_warns_and_the_run_s_bar_still_counts() {
    // kohya-ss/sd-scripts#2137: LoRA training whose average loss was NaN
    // from its first step, its rich-style INFO lines (`epoch is
    // incremented`) and `epoch N/80` between the frames of the bar over the
    // whole run (80 epochs of 41 steps).
    let mut log = String::new();
    for e in 1..=5u64 {
        let n = 41 * e;
        let secs = [50, 100, 148, 197, 247][e as usize - 1];
        log.push_str(&format!(
            "2025-06-29 11:5{e}:32 INFO     epoch is incremented. current_epoch: {}, epoch: {e}          train_util.py:779\n\
             steps:   {}%|▋         | {n}/3280 [{:02}:{:02}<1:05:00,  1.22s/it, avr_loss=nan]\n\
             epoch {}/80\n\n",
            e - 1,
            n * 100 / 3280,
            secs / 60,
            secs % 60,
            e + 1
        ));
    }
    let a = analyze(&log);
    assert_eq!(a.format, Format::Tqdm);
    assert_eq!(a.last_step, Some(205));
    assert_eq!(a.total_steps, Some(3280));
    assert_eq!(a.loss.nan_count, 5);
    assert_eq!(a.verdict, "progressing (warning: loss is NaN)");
    assert!(a.errors.is_empty(), "{:?}", a.errors);
    // 41 steps in about 49 s, on the bar's clock.
    assert_approx(a.steps_per_sec.p50, 41.0 / 49.0, 0.02, "steps/s");
}

#[test]
fn k_diffusions_sampler_bars_are_no_training() {
    // Its demo grid sampled between steps under a nested bar of 50.
    let mut log = String::from(
        "\r  0%|          | 0/234 [00:00<?, ?it/s]\nEpoch: 0, step: 0, loss: 1.09227\n",
    );
    log.push_str("\r  0%|          | 0/234 [00:00<?, ?it/s]\nSampling...\n\r  0%|          | 0/234 [00:00<?, ?it/s]");
    for n in (0..=50).step_by(10) {
        log.push_str(&format!(
            "\n\r{:3}%|          | {n}/50 [00:0{}<00:03, 13.91it/s]\x1b[A",
            n * 2,
            n / 10
        ));
    }
    log.push('\n');
    for n in (2..=96).step_by(2) {
        log.push_str(&format!(
            "\r{:3}%|█         | {n}/234 [00:{:02}<00:08, 18.15it/s]",
            n * 100 / 234,
            n / 18
        ));
    }
    let a = analyze(&log);
    assert_eq!(a.last_step, Some(96));
    assert_eq!(a.total_steps, Some(234));
}

#[test]
fn applio_ends_and_prepares() {
    // Its pitch extraction before training is no training.
    let a = analyze(
        "\rF0 Extraction:   0%|          | 0/64 [00:00<?, ?it/s]\
         \rF0 Extraction: 100%|██████████| 64/64 [00:02<00:00, 22.07it/s]\n\
         Error: Pretrained model sample rate (48000 Hz) does not match dataset audio sample rate (40000 Hz).\n",
    );
    assert_eq!(a.last_step, None);
    assert_eq!(cause(&a).map(|c| c.0), Some(ErrorClass::Data));
    // Its end lines, after an epoch's bar.
    for end in [
        "Training has been successfully completed with 60 epoch, 540 steps and 24.65 loss gen.",
        "Overtraining detected at epoch 143 with smoothed loss_g 29.807 and loss_d 3.881",
    ] {
        let a = analyze(&format!(
            "\r 50%|█████     | 7/14 [00:03<00:03,  1.78it/s]\r100%|██████████| 14/14 [00:07<00:00,  1.77it/s]\n\
             \r  0%|          | 0/14 [00:00<?, ?it/s]\r 50%|█████     | 7/14 [00:03<00:03,  1.78it/s]\n{end}\n"
        ));
        assert!(a.verdict.starts_with("completed"), "{end}: {}", a.verdict);
    }
}

#[test]
fn vllm_heads_are_stripped_so_relayed_tracebacks_read() {
    let s = strip_prefixes(
        "(VllmWorker rank=0 pid=2445155) ERROR 05-10 16:00:28 [multiproc_executor.py:435] RuntimeError: NCCL error: unhandled system error",
    );
    assert_eq!(s.body, "RuntimeError: NCCL error: unhandled system error");
    assert!(s.ts.is_some());
    // A vLLM worker's traceback under its logger's heads: NCCL's failure
    // is the cause, not the engine's wrapper exception after it.
    let head = "(VllmWorker rank=0 pid=2445155) ERROR 05-10 16:00:28 [multiproc_executor.py:435]";
    let a = analyze(&format!(
        "{head} Traceback (most recent call last):\n\
         {head}   File \"/usr/local/lib/python3.12/dist-packages/vllm/distributed/device_communicators/pynccl.py\", line 99, in __init__\n\
         {head}     raise RuntimeError(f\"NCCL error: {{error_str}}\")\n\
         {head} RuntimeError: NCCL error: unhandled system error (run with NCCL_DEBUG=INFO for details)\n\
         ERROR 05-10 16:00:29 [core.py:396] Exception: WorkerProc initialization failed due to an exception in a background process. See stack trace for root cause.\n"
    ));
    assert_eq!(cause(&a).map(|c| c.0), Some(ErrorClass::Distributed));
}

#[test]
fn inference_bars_and_servers_failures() {
    // Whisper counts audio frames; sentence-transformers' `encode` and
    // faster-whisper name their bars: no training.
    for log in [
        "\r 46%|████▌     | 59769/130044 [00:12<00:15, 4598.66frames/s]\n",
        "\rBatches:  39%|███▊      | 121/313 [00:05<00:08, 22.1it/s]\n",
        "\rTranscribing:  37%|███▋      | 137/372 [01:02<01:47,  2.19it/s]\n",
    ] {
        let a = analyze(log);
        assert_eq!(a.last_step, None, "{log}");
    }
    // Composer's own old bar counts `ba` with its loss beside it.
    let a = analyze(
        "\rtrain                           12%|███       | 620/4800 [03:52<26:05,  2.67ba/s, loss/train/total=3.3147]\n",
    );
    assert_eq!(a.last_step, Some(620));
    assert_approx(a.loss.last, 3.3147, 1e-9, "Composer bar loss");
    for line in [
        "ggml_backend_cuda_buffer_type_alloc_buffer: allocating 54462.23 MiB on device 0: cudaMalloc failed: out of memory",
        "RuntimeError: Not enough memory. Please try to increase --mem-fraction-static.",
    ] {
        let s = errors::classify_line(line).unwrap_or_else(|| panic!("{line}"));
        assert_eq!((s.class, s.fatal), (ErrorClass::Memory, true), "{line}");
    }
    let s = errors::classify_line(
        "llmfoundry.utils.exceptions.NotEnoughDatasetSamplesError: Your dataset (name=/data/x, split=train) has 120 samples, but your minimum batch size is 128",
    )
    .expect("llm-foundry");
    assert_eq!(s.class, ErrorClass::Data);
}

#[test]
fn rl_libraries_iterations_epochs_and_ends() {
    // RLlib under Ray Tune: its iterations, and the trial's end.
    let a = analyze(
        "Trial PPO_CartPole-v1_0b4f3_00000 finished iteration 11 at 2024-03-02 11:21:51. Total running time: 1min 47s\n\
         Trial PPO_CartPole-v1_0b4f3_00000 finished iteration 12 at 2024-03-02 11:22:01. Total running time: 1min 57s\n\
         Trial PPO_CartPole-v1_0b4f3_00000 completed after 12 iterations at 2024-03-02 11:22:01. Total running time: 1min 57s\n",
    );
    assert_eq!(a.last_step, Some(12));
    assert!(a.verdict.starts_with("completed"), "{}", a.verdict);
    // Its legacy output's results.
    let a = analyze(
        "Result for PPO_CartPole-v1_5f0e1_00000:\n  timesteps_total: 4000\n  training_iteration: 1\n\
                     Result for PPO_CartPole-v1_5f0e1_00000:\n  timesteps_total: 8000\n  training_iteration: 2\n",
    );
    assert_eq!(a.last_step, Some(2));
    // Tianshou's bar counts within its epoch, `Epoch #124` from 1: a
    // resumed run's first frame has 123 epochs before it.
    let a = analyze(
        "\rEpoch #124:  50%|#####     | 2500/5000 [00:23<00:23, 104.86it/s, env_step=617500, loss/actor=-322.898]\
         \rEpoch #124:  55%|#####5    | 2750/5000 [00:26<00:21, 104.86it/s, env_step=617750, loss/actor=-320.711]",
    );
    assert_eq!(a.last_step, Some(617_750));
    // rsl_rl's last line; rl-baselines3-zoo's.
    for end in [
        "Training time: 238.03 seconds",
        "Saving to logs/sac/Pendulum-v1_1",
    ] {
        let a = analyze(&format!("iter 10: loss 2.1000, time 120.3ms\n{end}\n"));
        assert!(a.verdict.starts_with("completed"), "{end}: {}", a.verdict);
    }
}

#[test]
fn paddleocr_plans_its_epochs_of_batches() {
    let a = analyze(
        "[2024/11/05 03:10:06] ppocr INFO: train dataloader has 250 iters\n\
         [2024/11/05 03:10:06] ppocr INFO: valid dataloader has 16 iters\n\
         [2024/11/05 03:10:10] ppocr INFO: epoch: [1/500], global_step: 10, lr: 0.000004, acc: 0.020923, CTCLoss: 13.893348, loss: 16.803955, avg_reader_cost: 0.01200 s\n\
         [2024/11/05 03:10:14] ppocr INFO: epoch: [1/500], global_step: 20, lr: 0.000008, acc: 0.024619, CTCLoss: 13.787297, loss: 16.920172, avg_reader_cost: 0.01562 s\n",
    );
    assert_eq!(a.last_step, Some(20));
    assert_eq!(a.total_steps, Some(125_000));
    let s = strip_prefixes("[2024/11/05 03:10:06] ppocr INFO: train dataloader has 250 iters");
    assert_eq!(s.body, "train dataloader has 250 iters");
    // Values in the data that cannot be read.
    for line in [
        "RuntimeError: SMILES CC(=O)Nc1ccc(O)cc1)C is invalid! (RDKit returned None)",
        "ValueError: could not convert string to float: 'inactive'",
    ] {
        let s = errors::classify_line(line).unwrap_or_else(|| panic!("{line}"));
        assert_eq!((s.class, s.fatal), (ErrorClass::Data, true), "{line}");
    }
}

#[test]
fn determined_and_ray_train_runs() {
    // Determined's heads (container, rank, logger) and its Core API's
    // reports.
    let head = "[2024-03-15T16:29:43.877857Z] 5c902731 [rank=0] || INFO: [84] determined.core:";
    let a = analyze(&format!(
        "{head} report_training_metrics(steps_completed=100, metrics={{'loss': 1.8857728498999888, 'lr': 0.0995}})\n\
         {head} report_training_metrics(steps_completed=200, metrics={{'loss': 1.6921452092344424, 'lr': 0.099}})\n\
         [2024-03-15T16:32:00.000000Z] 5c902731 || INFO: resources exited successfully with a zero exit code\n"
    ));
    assert_eq!(a.last_step, Some(200));
    assert_approx(a.loss.last, 1.6921452092344424, 1e-12, "Determined loss");
    assert!(a.verdict.starts_with("completed"), "{}", a.verdict);
    let a = analyze(
        "[2025-01-14T13:05:16.323000Z] 0f3c88a1 || Traceback (most recent call last):\n\
         [2025-01-14T13:05:16.323000Z] 0f3c88a1 ||   File \"train.py\", line 3, in <module>\n\
         [2025-01-14T13:05:16.323000Z] 0f3c88a1 ||     import timm\n\
         [2025-01-14T13:05:16.323000Z] 0f3c88a1 || ModuleNotFoundError: No module named 'timm'\n",
    );
    assert_eq!(cause(&a).map(|c| c.0), Some(ErrorClass::Dependency));
    // Ray Train's own iterations and end.
    let a = analyze(
        "Training finished iteration 9 at 2024-06-16 22:32:20. Total running time: 6min 28s\n\
         Training finished iteration 10 at 2024-06-16 22:33:00. Total running time: 7min 8s\n\
         Training completed after 10 iterations at 2024-06-16 22:33:01. Total running time: 7min 9s\n",
    );
    assert_eq!(a.last_step, Some(10));
    assert!(a.verdict.starts_with("completed"), "{}", a.verdict);
    let s = errors::classify_line(
        "pyarrow.lib.ArrowInvalid: JSON parse error: Missing a closing quotation mark in string. in row 4117",
    )
    .expect("arrow");
    assert_eq!(s.class, ErrorClass::Data);
}

#[test]
fn tensorflow_stacks_plans_evals_and_causes() {
    // The Estimator: its evaluation's dict is no training loss; its last
    // training loss and checkpoint step end the run.
    let a = analyze(
        "INFO:tensorflow:loss = 30.5, step = 4900 (0.412 sec)\n\
         INFO:tensorflow:Saving checkpoints for 5000 into /tmp/census/model.ckpt.\n\
         INFO:tensorflow:Loss for final step: 30.118204.\n\
         INFO:tensorflow:Saving dict for global step 5000: accuracy = 0.85123146, auc = 0.9012874, global_step = 5000, loss = 32.18443\n",
    );
    assert_eq!(a.last_step, Some(5000));
    assert_approx(a.loss.last, 30.118204, 1e-9, "Estimator final loss");
    assert!(a.verdict.starts_with("completed"), "{}", a.verdict);
    // BERT's eval block after training.
    let a = analyze(
        "INFO:tensorflow:loss = 2.1834779, step = 10000 (1.2 sec)\n\
         INFO:tensorflow:***** Eval results *****\n\
         INFO:tensorflow:  global_step = 10000\n\
         INFO:tensorflow:  loss = 2.2610416\n",
    );
    assert_approx(a.loss.last, 2.1834779, 1e-9, "BERT training loss");
    // The plan as the Object Detection API sets it.
    let a = analyze(
        "INFO:tensorflow:Maybe overwriting train_steps: 25000\n\
         I0814 10:05:15.843806 136752204054528 model_lib_v2.py:705] Step 100 per-step time 0.512s\n\
         INFO:tensorflow:{'Loss/total_loss': 1.23, 'learning_rate': 0.01}\n",
    );
    assert_eq!(a.total_steps, Some(25000));
    // Model Garden's controller with its dict wrapped by pprint.
    let a = analyze(
        "train | step:    200 | steps/sec:    3.1 | output: \n    {'cls_accuracy': np.float32(0.33206433),\n     'learning_rate': np.float32(1.0866612e-06),\n     'training_loss': np.float32(0.9685067)}\n\
         train | step:    400 | steps/sec:   11.9 | output: \n    {'cls_accuracy': np.float32(0.3694147),\n     'learning_rate': np.float32(2.1733224e-06),\n     'training_loss': np.float32(0.9143487)}\n",
    );
    assert_eq!(a.last_step, Some(400));
    assert_approx(a.loss.last, 0.9143487, 1e-9, "Orbit loss");
    // TensorFlow 2.9+'s causes below its `Graph execution error:`.
    for (line, class) in [
        (
            "tensorflow.python.framework.errors_impl.ResourceExhaustedError: Graph execution error:",
            ErrorClass::Memory,
        ),
        ("DNN library is not found.", ErrorClass::Dependency),
        (
            "tensorflow.python.framework.errors_impl.UnknownError:  ncclCommInitRank failed: unhandled system error",
            ErrorClass::Distributed,
        ),
        ("\t [[{{node IteratorGetNext}}]]", ErrorClass::Data),
        (
            "RuntimeError: gpu_memory.h:592 cuMemSetAccess(...) failed with error CUDA_ERROR_OUT_OF_MEMORY",
            ErrorClass::Memory,
        ),
        (
            "json.decoder.JSONDecodeError: Expecting ',' delimiter: line 1 column 88 (char 87)",
            ErrorClass::Data,
        ),
        (
            "*** SIGABRT (@0x3e8000a8e9f) received by PID 691995 (TID 0x7f3a) from PID 691995; stack trace: ***",
            ErrorClass::Runtime,
        ),
        (
            "AssertionError: Colmap path data/backyard/colmap/sparse/0 does not exist.",
            ErrorClass::Data,
        ),
    ] {
        let s = errors::classify_line(line).unwrap_or_else(|| panic!("{line}"));
        assert_eq!((s.class, s.fatal), (class, true), "{line}");
    }
}

#[test]
fn a_kill_after_another_failure_is_its_echo() {
    // InternEvo: NCCL's watchdog, then Slurm cancelling the step.
    let a = analyze(
        "[E ProcessGroupNCCL.cpp:475] [Rank 3] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=3401, OpType=ALLREDUCE, NumelIn=1, NumelOut=1, Timeout(ms)=1800000) ran for 1800117 milliseconds before timing out.\n\
         slurmstepd: error: *** STEP 4523781.0 ON node-17 CANCELLED AT 2024-06-02T10:15:37 ***\n",
    );
    assert_eq!(cause(&a).map(|c| c.0), Some(ErrorClass::Distributed));
    // (A kill that says memory ran out explains what failed before it.)
    let a = analyze(
        "ray.exceptions.ActorDiedError: The actor died unexpectedly before finishing this task.\n\
         \tclass_name: WorkerDict\n\
         The actor is dead because its worker process has died. Worker exit type: NODE_OUT_OF_MEMORY Worker exit detail: Task was killed due to the node running low on memory.\n",
    );
    assert_ne!(cause(&a).map(|c| c.0), Some(ErrorClass::Distributed));
    // ModelScope's trainer counts its epochs' batches.
    let a = analyze(
        "2023-09-14 10:29:13,184 - modelscope - INFO - epoch [2][620/1073]\tlr: 1.994e-05, eta: 0:11:31, iter_time: 0.215, memory: 5121, loss: 0.6678\n",
    );
    assert_eq!(a.last_step, Some(1073 + 620));
}

#[test]
fn loops_that_print_in_chinese_or_count_micro_batches() {
    let a = analyze(
        "[2024-06-18 09:10:30] 总训练步数：3000，预热步数：100\n\
         [2024-06-18 09:10:40] 第 1 轮 | 第 20/3000 步 | 损失：3.0494 | 学习率：4.00e-06 | 速度：1.85 步/秒\n\
         [2024-06-18 09:10:51] 第 1 轮 | 第 40/3000 步 | 损失：2.9539 | 学习率：8.00e-06 | 速度：1.82 步/秒\n",
    );
    assert_eq!(a.last_step, Some(40));
    assert_eq!(a.total_steps, Some(3000));
    assert_approx(a.loss.last, 2.9539, 1e-9, "Chinese loss");
    // English counters, a Chinese loss (not the validation's).
    let a = analyze(
        "[Epoch 1/20] [Batch 300/469] 训练损失: 0.1489 验证损失: 0.2011\n\
         [Epoch 1/20] [Batch 400/469] 训练损失: 0.1391 验证损失: 0.2011\n",
    );
    assert_approx(a.loss.last, 0.1391, 1e-9, "训练损失");
    // A loop that counts micro-batches and optimizer steps: the latter.
    let a = analyze(
        "epoch 1 | iter 3200/12500 | global_step 800 | loss 2.3100 | lr 1.0e-04\n\
         epoch 1 | iter 3300/12500 | global_step 825 | loss 2.3000 | lr 1.0e-04\n",
    );
    assert_eq!(a.last_step, Some(825));
}

#[test]
fn common_loop_shapes_from_examples() {
    // PyTorch's DCGAN example: the epoch from 0, the batch within it.
    let a = analyze(
        "[2/5][900/1583]\tLoss_D: 0.8073\tLoss_G: 3.1272\tD(x): 0.7012\tD(G(z)): 0.2411 / 0.0712\n",
    );
    assert_eq!(a.last_step, Some(2 * 1583 + 900));
    assert_eq!(a.total_steps, Some(5 * 1583));
    // Bjarten's early-stopping example: its epochs of its plan.
    let a = analyze(
        "[ 27/100] train_loss: 0.12500 valid_loss: 0.15600\n[ 28/100] train_loss: 0.12271 valid_loss: 0.15533\n",
    );
    assert_eq!(a.last_step, Some(28));
    assert_approx(a.loss.last, 0.12271, 1e-9, "train_loss");
    // nnU-Net v1: `epoch:  46` heads each epoch.
    let a = analyze(
        "epoch:  45\n2021-05-18 23:42:34.316369: train loss : -0.8638\n\
         epoch:  46\n2021-05-18 23:44:34.316369: train loss : -0.8673\n",
    );
    assert_eq!(a.last_step, Some(46));
    // A loop's own bar named `Batches` trains when it shows its loss
    // (sentence-transformers' `encode` bar shows none).
    let a = analyze(
        "\rBatches:  57%|█████▋    | 230/400 [00:25<00:18,  9.09it/s, loss=0.5701]\
         \rBatches:  58%|█████▊    | 233/400 [00:25<00:18,  9.09it/s, loss=0.5664]",
    );
    assert_eq!(a.last_step, Some(233));
    let s = errors::classify_line("/usr/bin/ld: cannot find -lcuda: No such file or directory")
        .expect("ld");
    assert_eq!((s.class, s.fatal), (ErrorClass::Dependency, true));
}

#[test]
fn an_epoch_bar_alone_is_a_loops_own_and_lightning_shows_more() {
    let frames = |post: &str| -> String {
        [100, 200]
            .iter()
            .map(|n| {
                format!(
                    "\rEpoch 1:  {}%|##        | {n}/2048 [00:{:02}<01:48, 12.90it/s{post}]",
                    n * 100 / 2048,
                    n / 13
                )
            })
            .collect()
    };
    // `tqdm(loader, desc=f"Epoch {epoch}")` in a loop of one's own.
    assert_eq!(analyze(&frames("")).format, Format::Tqdm);
    assert_eq!(analyze(&frames(", loss=0.51")).format, Format::Tqdm);
    // Lightning's: its `v_num`, its banner, or its other loops' bars.
    assert_eq!(analyze(&frames(", v_num=3")).format, Format::Lightning);
    let banner = "GPU available: True (cuda), used: True\n".to_string();
    assert_eq!(analyze(&(banner + &frames(""))).format, Format::Lightning);
    let sanity = "\rSanity Checking DataLoader 0: 100%|##########| 2/2 [00:00<00:00,  9.10it/s]\n";
    assert_eq!(
        analyze(&(sanity.to_string() + &frames(""))).format,
        Format::Lightning
    );
}

#[test]
fn an_unknown_exception_raised_in_the_data_loading_code_is_the_datas() {
    let tb = |frames: &str, last: &str| {
        format!(
            "Traceback (most recent call last):\n  File \"train.py\", line 9, in <module>\n    main()\n{frames}{last}\n"
        )
    };
    let class = |text: &str| analyze(text).fatal_error.map(|e| (e.class, e.label));
    // mmdetection's COCO dataset reading its annotations.
    let mmdet = "  File \"/ws/mmdet/datasets/coco.py\", line 127, in parse_data_info\n    \
                 instance['bbox'] = ann['bbox']\n";
    assert_eq!(
        class(&tb(mmdet, "KeyError: 'bbox'")),
        Some((
            ErrorClass::Data,
            "Python exception: KeyError (in the data-loading code)".to_string()
        ))
    );
    // A dataset's `__getitem__` under the DataLoader (no worker processes).
    let getitem = "  File \"/x/torch/utils/data/_utils/fetch.py\", line 51, in fetch\n    \
                   data = [self.dataset[idx] for idx in possibly_batched_index]\n  \
                   File \"/x/finetune/data.py\", line 53, in __getitem__\n    \
                   n = len(pos) // len(negs)\n";
    assert_eq!(
        class(&tb(getitem, "ZeroDivisionError: division by zero")).map(|c| c.0),
        Some(ErrorClass::Data)
    );
    // The same exception raised in the model's code is not.
    let model = "  File \"/x/model.py\", line 40, in forward\n    return x / y\n";
    assert_eq!(
        class(&tb(model, "ZeroDivisionError: division by zero")).map(|c| c.0),
        Some(ErrorClass::Runtime)
    );
    // A signature's own reading stays first in a chain: the JSON parse
    // error over pandas' `ValueError` raised in the loader before it.
    let chain = tb(
        "  File \"/x/datasets/packaged_modules/json/json.py\", line 130, in _generate_tables\n    \
         df = pandas_read_json(f)\n",
        "ValueError: Trailing data",
    ) + "\nDuring handling of the above exception, another exception occurred:\n\n"
        + &tb(
            "  File \"/x/datasets/packaged_modules/json/json.py\", line 160, in _generate_tables\n    \
             raise e\n",
            "pyarrow.lib.ArrowInvalid: JSON parse error: Missing a name for object member. in row 18211",
        );
    let e = analyze(&chain).fatal_error.expect("fatal");
    assert!(
        e.label.starts_with("a JSON data file is malformed"),
        "{}",
        e.label
    );
}

#[test]
fn quantizing_and_engine_building_failures_name_their_causes() {
    let class = |line: &str| errors::classify_line(line).map(|s| (s.class, s.fatal));
    assert_eq!(
        class(
            "[04/17/2024-13:20:51] [TRT] [E] 2: [virtualMemoryBuffer.cpp::resizePhysical::140] Error Code 2: OutOfMemory (no further information)"
        ),
        Some((ErrorClass::Memory, true))
    );
    assert_eq!(
        class("AttributeError: 'NoneType' object has no attribute 'cquantize_blockwise_fp16_nf4'"),
        Some((ErrorClass::Dependency, true))
    );
    // (Not any attribute of a `None`.)
    assert_eq!(
        class("AttributeError: 'NoneType' object has no attribute 'config'"),
        None
    );
    assert_eq!(
        class(
            "Loading checkpoint shards:   0%|          | 0/2 [00:00<?, ?it/s]Error named symbol not found at line 74 in file /src/bitsandbytes/csrc/ops.cu"
        ),
        Some((ErrorClass::Cuda, true))
    );
    assert_eq!(
        class("&&&& FAILED TensorRT.trtexec [TensorRT v8601] # trtexec --onnx=yolov8s.onnx --fp16"),
        Some((ErrorClass::Runtime, true))
    );
    assert_eq!(
        class("sh: 1: sox: not found"),
        Some((ErrorClass::Dependency, true))
    );
    assert_eq!(
        class("OSError: sndfile library not found"),
        Some((ErrorClass::Dependency, true))
    );
    // An exception whose message is on the indented lines below it.
    let a = analyze(
        "Traceback (most recent call last):\n  File \"ft.py\", line 61, in <module>\n    model = load()\n\
         ValueError: \n                        Some modules are dispatched on the CPU or the disk. Make sure you have enough GPU RAM to fit\n\
         \x20                       the quantized model.\n",
    );
    assert_eq!(a.fatal_error.map(|e| e.class), Some(ErrorClass::Memory));
    // A DataLoader worker's exception whose cause is the environment's:
    // the cause, from the worker's own traceback below the report.
    let a = analyze(
        "Traceback (most recent call last):\n  File \"train.py\", line 9, in <module>\n    for b in loader:\n\
         RuntimeError: Caught RuntimeError in DataLoader worker process 0.\n\
         Original Traceback (most recent call last):\n  File \"/x/torch/utils/data/_utils/worker.py\", line 308, in _worker_loop\n    data = fetcher.fetch(index)\n\
         RuntimeError: Couldn't find appropriate backend to handle uri /data/a.flac and format None.\n",
    );
    assert_eq!(a.fatal_error.map(|e| e.class), Some(ErrorClass::Dependency));
    // ... and one in the dataset's code stays the data's.
    let a = analyze(
        "Traceback (most recent call last):\n  File \"train.py\", line 9, in <module>\n    for b in loader:\n\
         KeyError: Caught KeyError in DataLoader worker process 0.\n\
         Original Traceback (most recent call last):\n  File \"/x/ds.py\", line 30, in __getitem__\n    y = row['label']\n\
         KeyError: 'label'\n",
    );
    assert_eq!(a.fatal_error.map(|e| e.class), Some(ErrorClass::Data));
}

#[test]
fn quantization_bars_are_not_training() {
    let bar = |desc: &str, total: u32| -> String {
        (0..=total)
            .step_by(4)
            .map(|n| {
                format!(
                    "\r{desc}{:>3}%|#####| {n}/{total} [00:{:02}<00:10, 2.00it/s]",
                    n * 100 / total,
                    n / 2
                )
            })
            .collect::<String>()
            + "\n"
    };
    for desc in [
        "AWQ: ",
        "(1/33): Calibrating: ",
        "(1/33): Propagating: ",
        "Preparing intermediates cache: ",
    ] {
        let a = analyze(&bar(desc, 32));
        assert_eq!(a.last_step, None, "{desc}");
    }
    // Model Optimizer's bare calibration bar after it inserted its quantizers.
    let a = analyze(&("Inserted 675 quantizers\n".to_string() + &bar("", 8)));
    assert_eq!(a.last_step, None);
}

#[test]
fn pyslowfast_heads_mmengine_wrapped_plans_and_fast_reid_iterations() {
    // PySlowFast's logger head before its `json_stats:` lines.
    let a = analyze(
        "[08/12 10:20:30][INFO] logging.py:   99: json_stats: {\"_type\": \"train_iter\", \"dt\": 0.45989, \"epoch\": \"2/196\", \"iter\": \"10/3665\", \"loss\": 6.15522, \"lr\": 0.01001}\n\
         [08/12 10:20:35][INFO] logging.py:   99: json_stats: {\"_type\": \"train_iter\", \"dt\": 0.52862, \"epoch\": \"2/196\", \"iter\": \"20/3665\", \"loss\": 6.05766, \"lr\": 0.01001}\n",
    );
    assert_eq!(a.last_step, Some(3665 + 20));
    assert_eq!(a.total_steps, Some(196 * 3665));
    assert_approx(a.loss.last, 6.05766, 1e-9, "json_stats loss");
    assert_eq!(a.clock, Clock::LogTimestamps);
    // mmengine's configuration dump as its formatter wraps it.
    let a = analyze(
        "train_cfg = dict(\n    max_epochs=20, type='EpochBasedTrainLoop', val_begin=1, val_interval=1)\n\
         07/09 15:07:14 - mmengine - INFO - Epoch(train)  [20][299/299]  lr: 1.0000e-04  eta: 0:00:00  time: 0.3  data_time: 0.01  memory: 3000  loss: 0.0123\n",
    );
    assert_eq!(
        (a.last_step, a.total_steps),
        (Some(20 * 299), Some(20 * 299))
    );
    assert_eq!(a.verdict, "completed");
    // fast-reid's events writer: the epoch, then the run's iteration.
    let a = analyze(
        "[07/22 13:04:25 fastreid.utils.events]:  eta: 1:08:42  epoch/iter: 1/399  total_loss: 5.266  loss_cls: 4.854  time: 0.1729  data_time: 0.0010  lr: 9.78e-05  max_mem: 7023M\n",
    );
    assert_eq!(
        (a.last_step, a.total_steps, a.epoch),
        (Some(400), None, Some(1.0))
    );
}

#[test]
fn a_global_iteration_of_its_total_is_the_runs_count() {
    // MiniLLM's distillation: the epoch's own count, then the run's.
    let a = analyze(
        "train | epoch   3 | Iter:    784/  4460 | global iter:    784/  4460 | loss: 3.3202 | lr: 4.6284e-04\n\
         train | epoch   3 | Iter:    800/  4460 | global iter:    800/  4460 | loss: 3.3274 | lr: 4.6135e-04\n",
    );
    assert_eq!((a.last_step, a.total_steps), (Some(800), Some(4460)));
    // Its PPO stage: inner iterations and PPO epochs inside the run's count.
    let a = analyze(
        "train | data_epochs  0/10 | inner iter:   4/  8 | ppo epoch:  0/ 4 | global iter:    356/  5000| tot_loss: 4.6257 | rl_loss: 1.7588\n",
    );
    assert_eq!((a.last_step, a.total_steps), (Some(356), Some(5000)));
}

#[test]
fn the_plan_ran_out_when_its_last_report_is_within_a_stride_and_an_evaluation_followed() {
    let lines = |to: u64, step: u64| -> String {
        (1..=to / step)
            .map(|i| {
                format!(
                    "step {}/760 | loss {:.3}\n",
                    i * step,
                    2.0 - i as f64 * 0.01
                )
            })
            .collect()
    };
    // Logged every 50 steps: 750 is the last report of 760.
    let a = analyze(&(lines(750, 50) + "Saving checkpoint to ckpt_760.pth\n"));
    assert_eq!((a.last_step, a.total_steps), (Some(750), Some(760)));
    assert!(a.finished, "{}", a.verdict);
    // Without anything after it, the run may still be training.
    let a = analyze(&lines(750, 50));
    assert!(!a.finished, "{}", a.verdict);
    // Further from the end than the log reports: an evaluation on the way.
    let a = analyze(&(lines(700, 50) + "Saving checkpoint to ckpt_700.pth\n"));
    assert!(!a.finished, "{}", a.verdict);
}

#[test]
fn a_bar_whose_description_shows_its_loss_stays_one_bar_when_the_loss_turns_nan() {
    let frames: String = (1..=240u32)
        .step_by(8)
        .map(|n| {
            let loss = if n < 120 {
                "3.80925".to_string()
            } else {
                "nan".to_string()
            };
            format!(
                "\rTraining loss: {loss}: {:>3}%|##        | {n}/246 [00:{:02}<02:00,  1.90it/s]",
                n * 100 / 246,
                n / 4
            )
        })
        .collect();
    let a = analyze(&frames);
    assert_eq!(a.last_step, Some(233));
    assert!(a.verdict.contains("NaN"), "{}", a.verdict);
}

#[test]
fn the_time_series_librarys_plan_is_its_epochs_of_what_an_epoch_counted() {
    let epoch = |e: u32, steps: u32| -> String {
        format!(
            "\titers: 100, epoch: {e} | loss: 0.4410860\n\tspeed: 0.0707s/iter; left time: 105.8452s\n\
             \titers: 200, epoch: {e} | loss: 0.4319548\nEpoch: {e} cost time: 18.75\n\
             Epoch: {e}, Steps: {steps} | Train Loss: 0.4608251 Vali Loss: 0.6912827 Test Loss: 0.5737647\n"
        )
    };
    // Its settings table, then two epochs of 265 steps.
    let table = "Args in experiment:\n\x1b[1mBasic Config\x1b[0m\n  Train Epochs:       10                  Batch Size:         32                  \n";
    let a = analyze(&(table.to_string() + &epoch(1, 265) + &epoch(2, 265)));
    assert_eq!((a.last_step, a.total_steps), (Some(530), Some(2650)));
    // Informer's argparse dump; `--itr 2` runs again on the same plan.
    let ns = "Namespace(model='informer', data='ETTh1', train_epochs=6, batch_size=32, itr=2)\n";
    let a = analyze(
        &(ns.to_string() + &epoch(1, 266) + &epoch(2, 266) + &epoch(1, 266) + &epoch(2, 266)),
    );
    assert_eq!((a.last_step, a.total_steps), (Some(532), Some(6 * 266)));
}

#[test]
fn graph_learning_stacks_lines_and_failures() {
    let class = |line: &str| errors::classify_line(line).map(|s| (s.class, s.fatal));
    assert_eq!(
        class(
            "dgl._ffi.base.DGLError: [10:41:09] /opt/dgl/src/runtime/c_runtime_api.cc:82: Check failed: allow_missing: Device API cuda is not enabled. Please install the cuda version of dgl."
        ),
        Some((ErrorClass::Dependency, true))
    );
    assert_eq!(
        class(
            "FileNotFoundError: Cannot find DGL C++ graphbolt library at /x/dgl/graphbolt/libgraphbolt_pytorch_2.4.1.so"
        ),
        Some((ErrorClass::Dependency, true))
    );
    assert_eq!(
        class(
            "dgl._ffi.base.DGLError: [..] /opt/dgl/src/runtime/cuda/cuda_device_api.cc:103: Check failed: e == cudaSuccess || e == cudaErrorCudartUnloading: CUDA: out of memory"
        ),
        Some((ErrorClass::Memory, true))
    );
    assert_eq!(
        class(
            "dgl._ffi.base.DGLError: Failed to connect to server 0 after 1024 retries. Please check network or set DGL_DIST_MAX_TRY_TIMES"
        ),
        Some((ErrorClass::Distributed, true))
    );
    assert_eq!(
        class("RuntimeError: Ninja is required to load C++ extensions"),
        Some((ErrorClass::Dependency, true))
    );
    // Hydra's report alone is the fatal error; with the exception printed
    // under it, the exception is.
    let hydra = "Error executing job with overrides: ['model=moirai_small']\n";
    let a = analyze(
        &(hydra.to_string()
            + "Set the environment variable HYDRA_FULL_ERROR=1 for a complete stack trace.\n"),
    );
    assert_eq!(a.fatal_error.map(|e| e.class), Some(ErrorClass::Runtime));
    let a = analyze(
        &(hydra.to_string()
            + "Traceback (most recent call last):\n  File \"train.py\", line 9, in main\n    trainer.fit(model)\n\
               torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 1.17 GiB.\n"),
    );
    assert_eq!(a.fatal_error.map(|e| e.class), Some(ErrorClass::Memory));
    // DGL-KE's trainer processes.
    let a = analyze(
        "[proc 0][Train](1000/24000) average pos_loss: 0.4255146671064623\n\
         [proc 0][Train](1000/24000) average neg_loss: 0.5246948328279529\n\
         [proc 0][Train](1000/24000) average loss: 0.47510474996720764\n\
         [proc 0][Train](2000/24000) average loss: 0.31\n",
    );
    assert_eq!((a.last_step, a.total_steps), (Some(2000), Some(24000)));
    assert_approx(a.loss.last, 0.31, 1e-9, "DGL-KE loss");
    // PyKEEN's early stop ends the run.
    let bar: String = (0..=69)
        .step_by(5)
        .map(|n| format!("\rTraining epochs on cuda:0: {:>3}%|          | {n}/1000 [00:{:02}<10:00, 1.50epoch/s, loss=0.0123, prev_loss=0.0124]", n / 10, n / 2))
        .collect();
    let a = analyze(
        &(bar + "\nStopping early at epoch 70. The best result 0.3012 occurred at epoch 40.\n"),
    );
    assert_eq!(a.verdict, "completed");
    // OGB's dataset download is no training.
    let a = analyze("\rDownloaded 1.38 GB: 100%|##########| 1414/1414 [00:30<00:00, 46.1it/s]\n");
    assert_eq!(a.last_step, None);
}

#[test]
fn ocr_trainers_lines_and_a_validation_bar_cut_by_another_ranks_failure() {
    // deep-text-recognition-benchmark's 2019 lines.
    let a = analyze(
        "[2000/300000] Loss: 1.44307 elapsed_time: 1161.05953\n[4000/300000] Loss: 1.01 elapsed_time: 2300.1\n",
    );
    assert_eq!((a.last_step, a.total_steps), (Some(4000), Some(300000)));
    // docTR: a training bar with its loss to its end, then rank 0's bare
    // validation bar, cut when another rank's collective timed out.
    let train: String = (0..=4828)
        .step_by(400)
        .chain([4828])
        .map(|n| {
            format!(
                "\rTraining loss: 0.34: {:>3}%|#####     | {n}/4828 [{:02}:00<00:10,  4.40it/s]",
                n * 100 / 4828,
                n / 400
            )
        })
        .collect();
    let val: String = (0..=2790)
        .step_by(300)
        .map(|n| {
            format!(
                "\r{:>3}%|#####     | {n}/3220 [{:02}:00<04:37,  1.55it/s]",
                n * 100 / 3220,
                13 + n / 300
            )
        })
        .collect();
    let a = analyze(&(train + "\n" + &val));
    assert_eq!(a.last_step, Some(4828), "{}", a.render_text());
}

#[test]
fn code_errors_in_data_code_announced_preparation_and_timesfm_s_plan_and_end() {
    // An API that moved, raised in the dataset's module: the code's error.
    let a = analyze(
        "Traceback (most recent call last):\n  File \"train.py\", line 9, in <module>\n    train(opt)\n\
         \x20 File \"/x/easyocr/trainer/dataset.py\", line 88, in get_batch\n    image, text = data_loader_iter.next()\n\
         AttributeError: '_MultiProcessingDataLoaderIter' object has no attribute 'next'\n",
    );
    assert_eq!(a.fatal_error.map(|e| e.class), Some(ErrorClass::Runtime));
    // OGB announces its processing before a bare bar over the graphs.
    let a = analyze(
        "Processing graphs...\n\r100%|##########| 41127/41127 [00:00<00:00, 82934.35it/s]\nDone!\n",
    );
    assert_eq!(a.last_step, None);
    // TimesFM's fine-tuning: its plan and its end.
    let a = analyze(
        "INFO:timesfm.finetuning_torch:Starting training for 5 epochs...\n\
         [Epoch 4] Train Loss: 0.0091 | Val Loss: 0.0120\n[Epoch 5] Train Loss: 0.0081 | Val Loss: 0.0118\n\
         INFO:timesfm.finetuning_torch:Finetuning completed!\n",
    );
    assert_eq!(
        (a.last_step, a.total_steps, a.verdict.as_str()),
        (Some(5), Some(5), "completed")
    );
}

#[test]
fn bio_models_inference_and_managed_platforms_ends() {
    let class = |line: &str| errors::classify_line(line).map(|s| (s.class, s.fatal));
    // ESMFold skips a sequence too long for the GPU and goes on.
    assert_eq!(
        class("Failed (CUDA out of memory) on sequence sp|P10410|ECOLI_410 of length 2215."),
        Some((ErrorClass::Memory, false))
    );
    assert_eq!(
        class("MaxRuntimeExceeded - Job stopped due to max runtime"),
        Some((ErrorClass::Killed, true))
    );
    assert_eq!(
        class(
            "ERROR\tservice\tThe replica workerpool0-0 ran out-of-memory and exited with a non-zero status of 9(SIGKILL)."
        ),
        Some((ErrorClass::Killed, true))
    );
    assert_eq!(
        class("nbclient.exceptions.DeadKernelError: Kernel died"),
        Some((ErrorClass::Killed, true))
    );
    // FrameDiff's step lines.
    let a = analyze(
        "[30000]: total_loss=1.7612 rot_loss=0.7301 trans_loss=1.0311 steps/sec=2.11\n\
         [31000]: total_loss=1.7480 rot_loss=0.7294 trans_loss=1.0186 steps/sec=2.11\n",
    );
    assert_eq!(a.last_step, Some(31000));
    assert_approx(a.loss.last, 1.748, 1e-9, "total_loss");
    // Inference bars: Boltz's inputs, Chai-1's sampling, papermill's cells.
    for log in [
        "Processing 4 inputs with 1 threads.\n\r  0%|          | 0/4 [00:00<?, ?it/s]\r100%|##########| 4/4 [03:09<00:00, 47.2s/it]\n",
        "\rDiffusion steps: 100%|##########| 200/200 [00:20<00:00, 10.0it/s]\n",
        "\rExecuting:  36%|###6      | 4/11 [00:19<00:33,  4.85s/cell]\n",
    ] {
        assert_eq!(analyze(log).last_step, None, "{log}");
    }
    // SageMaker's ends as `estimator.fit()` streams them.
    let steps = "step 100/1000 | loss 0.5\nstep 200/1000 | loss 0.4\n";
    for end in [
        "Reporting training SUCCESS\n",
        "Completed - Training job completed\n",
    ] {
        assert_eq!(
            analyze(&(steps.to_string() + end)).verdict,
            "completed",
            "{end}"
        );
    }
}

/// A program's output as Kaggle's downloaded kernel log holds it: one JSON
/// record per write, escaped.
fn kaggle_records(writes: &[(&str, &str)]) -> String {
    let mut s = String::from("[");
    for (i, (stream, data)) in writes.iter().enumerate() {
        let mut esc = String::new();
        for c in data.chars() {
            match c {
                '"' => esc.push_str("\\\""),
                '\\' => esc.push_str("\\\\"),
                '\n' => esc.push_str("\\n"),
                '\r' => esc.push_str("\\r"),
                '<' => esc.push_str("\\u003c"),
                c if (c as u32) < 0x20 => esc.push_str(&format!("\\u{:04x}", c as u32)),
                // (Beyond the BMP as Python's `json` writes it: a pair.)
                c if (c as u32) > 0xFFFF => {
                    for u in c.encode_utf16(&mut [0; 2]) {
                        esc.push_str(&format!("\\u{u:04x}"));
                    }
                }
                c => esc.push(c),
            }
        }
        if i > 0 {
            s.push_str("\n,");
        }
        s.push_str(&format!(
            "{{\"stream_name\":\"{stream}\",\"time\":{}.5,\"data\":\"{esc}\"}}",
            i + 1
        ));
    }
    s.push_str("]\n");
    s
}

#[test]
fn kaggle_kernel_logs_are_read_through_their_json_records() {
    let bar = |n: u32| {
        format!(
            "\r{:>3}%|#####     | {n}/573 [02:09<03:52,  1.59it/s]",
            n * 100 / 573
        )
    };
    let writes = [
        ("stdout", "GPU 0: Tesla T4 (UUID: GPU-1)\n".to_string()),
        ("stderr", bar(200)),
        ("stderr", bar(400)),
        (
            "stdout",
            "{'loss': 0.4123, 'grad_norm': 1.5, 'learning_rate': 1e-05, 'epoch': 2.1}\n"
                .to_string(),
        ),
        ("stderr", bar(573) + "\n"),
        (
            "stderr",
            "\u{1b}[1m\u{2713} done \u{1f680}\u{1b}[0m\n".to_string(),
        ),
    ];
    let writes: Vec<(&str, &str)> = writes.iter().map(|(a, b)| (*a, b.as_str())).collect();
    let log = kaggle_records(&writes);
    let a = analyze(&log);
    assert_eq!(
        (a.last_step, a.total_steps),
        (Some(573), Some(573)),
        "{}",
        a.render_text()
    );
    assert_eq!(a.format, Format::HfTrainer);
    assert_approx(a.loss.last, 0.4123, 1e-9, "the dict's loss");
    assert_eq!(
        a.notes.first().map(String::as_str),
        Some(
            "read as a Kaggle kernel log: the program's output in its JSON records, \
             timed by their `time` (seconds since the kernel started)"
        )
    );
    assert_eq!(a.clock, Clock::Arrival, "the records' times: {:?}", a.notes);
    // The same in reads cut anywhere (inside an escape, a key, a number, a
    // surrogate).
    let bytes = log.as_bytes();
    for cut in [1, 7, 17, 40, 95, 150, 251, bytes.len() - 30] {
        let mut b = LogAnalyzer::new();
        b.push(&bytes[..cut], None);
        b.push(&bytes[cut..], None);
        assert_eq!(b.finish(), a, "cut at {cut}");
    }
    // A log that only looks like JSON is read as text.
    let a = analyze("[{\"step\": 10, \"loss\": 2.5}]\nstep 10/100 | loss 2.5\n");
    assert_eq!(a.last_step, Some(10));
}

/// Kaggle's records say when the program wrote each piece of output (in
/// seconds since the kernel started): the run's speed comes from them, as
/// from a timing file, however the file is read.
#[test]
fn kaggle_record_times_time_the_run() {
    // An HF Trainer at 4 steps/s (0.25 s a step), the bar redrawn each
    // step, a dict every 50 steps; then the same run's log without times.
    let total = 400u32;
    let mut log = String::from("[");
    let mut plain = String::new();
    let mut record = |time: f64, stream: &str, data: &str| {
        if log.len() > 1 {
            log.push_str("\n,");
        }
        let esc = data.replace('\n', "\\n").replace('\r', "\\r");
        log.push_str(&format!(
            "{{\"stream_name\":\"{stream}\",\"time\":{time:.3},\"data\":\"{esc}\"}}"
        ));
        plain.push_str(data);
    };
    record(3.2, "stdout", "Loading checkpoint shards...\n");
    for n in 1..=total {
        let t = 10.0 + 0.25 * f64::from(n);
        let frame = format!(
            "\r{:>3}%|###       | {n}/{total} [00:{:02}<01:10,  4.00it/s]",
            n * 100 / total,
            n / 4 % 60
        );
        record(t, "stderr", &frame);
        if n % 50 == 0 {
            let dict = format!(
                "{{'loss': '{:.4}', 'learning_rate': '1e-05', 'epoch': '0.5'}}\n",
                2.0 / f64::from(n)
            );
            record(t + 0.01, "stdout", &dict);
        }
    }
    record(111.0, "stderr", "\n");
    log.push_str("]\n");
    let a = analyze(&log);
    assert_eq!((a.last_step, a.total_steps), (Some(400), Some(400)));
    assert_eq!(a.clock, Clock::Arrival, "{}", a.render_text());
    let p50 = a
        .steps_per_sec
        .p50
        .expect("a step rate from the records' times");
    assert_approx(Some(p50), 4.0, 0.01, "median step rate");
    let overall = a.steps_per_sec.overall.expect("an overall rate");
    assert!((3.9..=4.01).contains(&overall), "overall {overall}");
    // One thread and two, in reads cut anywhere: the same analysis.
    let bytes = log.as_bytes();
    for cut in [1, 20, 33, 37, 500, bytes.len() / 2, bytes.len() - 3] {
        let mut b = LogAnalyzer::new();
        b.push(&bytes[..cut], None);
        b.push(&bytes[cut..], None);
        assert_eq!(
            format!("{:?}", b.finish()),
            format!("{a:?}"),
            "cut at {cut}"
        );
    }
    let two =
        crate::domain::logs::parallel::analyze_reader_two_threads(bytes).expect("read from memory");
    assert_eq!(format!("{two:?}"), format!("{a:?}"), "two threads");
    // Without the records, the bar's elapsed field is the only clock.
    let b = analyze(&plain);
    assert_eq!(b.last_step, Some(400));
    assert_eq!(b.clock, Clock::BarElapsed);
}

/// A notebook (nbformat 4, as Jupyter writes it: one-space indents, each
/// output's text split after its line ends) whose one code cell ran
/// `!python train.py` and printed `writes` (stream, text), then `error` as
/// an error output's traceback, if any.
fn notebook(writes: &[(&str, &str)], error: Option<&[&str]>) -> String {
    let lines = |text: &str| {
        let parts: Vec<&str> = text.split_inclusive('\n').collect();
        serde_json::Value::from(parts)
    };
    let mut outputs: Vec<serde_json::Value> = writes
        .iter()
        .map(|(name, text)| {
            serde_json::json!({"name": name, "output_type": "stream", "text": lines(text)})
        })
        .collect();
    if let Some(tb) = error {
        outputs.push(serde_json::json!({
            "ename": "OutOfMemoryError",
            "evalue": "CUDA out of memory.",
            "output_type": "error",
            "traceback": tb,
        }));
    }
    let nb = serde_json::json!({
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["# Fine-tune: step 1/2 loss 9.9\n"]},
            {
                "cell_type": "code",
                "execution_count": 4,
                "metadata": {"text": "step 999/1000 loss 0.1"},
                "outputs": outputs,
                "source": ["!python train.py --steps 500  # prints step 1/500 loss 9.9"],
            }
        ],
        "metadata": {"kernelspec": {"display_name": "Python 3", "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    });
    serde_json::to_string_pretty(&nb).expect("a notebook") + "\n"
}

/// A training run in a notebook on a rented GPU (Vast.ai's Jupyter
/// launch): `canopy analyze run.ipynb` reads what its cells printed, as if
/// it were the log: not the cells' code, markdown or metadata.
#[test]
fn notebooks_are_read_through_their_cells_outputs() {
    let steps = hf_steps_behind(|_| String::new());
    let (first, rest) = steps.split_at(steps.len() / 2);
    let tb = [
        "\u{1b}[0;31m---------------------------------------------------------------------------\u{1b}[0m",
        "\u{1b}[0;31mOutOfMemoryError\u{1b}[0m                          Traceback (most recent call last)",
        "Cell \u{1b}[0;32mIn[4], line 1\u{1b}[0m",
        "\u{1b}[0;31mOutOfMemoryError\u{1b}[0m: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 23.55 GiB of which 1.06 GiB is free.",
    ];
    let nb = notebook(&[("stdout", first), ("stderr", rest)], Some(&tb));
    let a = analyze(&nb);
    assert_eq!(a.format, Format::HfTrainer, "{}", a.render_text());
    assert_eq!((a.last_step, a.total_steps), (Some(250), Some(500)));
    assert_approx(a.loss.first, 2.9, 1e-9, "the first dict's loss");
    assert_approx(a.loss.last, 2.0, 1e-9, "the last dict's loss");
    assert_eq!(
        a.fatal_error.as_ref().map(|e| e.class),
        Some(ErrorClass::Memory),
        "{}",
        a.render_text()
    );
    assert_eq!(
        a.notes.first().map(String::as_str),
        Some("read as a Jupyter notebook: its cells' outputs (not their code)")
    );
    // Read in pieces cut anywhere, the same; on two threads, the same.
    let bytes = nb.as_bytes();
    for size in [7, 4096] {
        assert_eq!(same_on_two_threads(bytes, size, "the notebook"), a);
    }
    for cut in [1, 2, 5, 9, 13, 200, 777, bytes.len() / 2, bytes.len() - 3] {
        let mut b = LogAnalyzer::new();
        b.push(&bytes[..cut], None);
        b.push(&bytes[cut..], None);
        assert_eq!(b.finish(), a, "cut at {cut}");
    }
    // A notebook that printed nothing: nothing recognised (its source's
    // `step 1/500 loss 9.9` is code, not output).
    let a = analyze(&notebook(&[], None));
    assert_eq!(
        (a.last_step, a.loss.count),
        (None, 0),
        "{}",
        a.render_text()
    );
    // A log that opens like JSON but is none is read as text.
    let a = analyze("{\n  \"step\": 10, \"loss\": 2.5}\nstep 10/100 | loss 2.5\n");
    assert_eq!(a.last_step, Some(10));
}

/// The HF Trainer run in the notebook's kernel (`trainer.train()` in a
/// cell, Unsloth's and the HF course's notebooks): its progress and table
/// of losses are HTML, saved in their last state, then what `train()`
/// returned. Read as the page shows them.
#[test]
fn notebooks_show_the_hf_trainer_s_html_progress_as_text() {
    let rows: String = (1..=60u32)
        .map(|s| {
            format!(
                "    <tr>\n      <td>{s}</td>\n      <td>{:.6}</td>\n    </tr>\n",
                2.0 - f64::from(s) / 100.0
            )
        })
        .collect();
    let html = format!(
        "\n    <div>\n      \n      <progress value='60' max='60' style='width:300px; height:20px; vertical-align: middle;'></progress>\n      \
         [60/60 03:48, Epoch 1/1]\n    </div>\n    <table border=\"1\" class=\"dataframe\">\n  <thead>\n \
         <tr style=\"text-align: left;\">\n      <th>Step</th>\n      <th>Training Loss</th>\n    </tr>\n  </thead>\n  <tbody>\n\
         {rows}  </tbody>\n</table><p>"
    );
    let html: Vec<&str> = html.split_inclusive('\n').collect();
    let nb = serde_json::json!({
        "cells": [{
            "cell_type": "code",
            "execution_count": 7,
            "metadata": {},
            "outputs": [
                {
                    "data": {
                        "text/html": html,
                        "text/plain": ["<IPython.core.display.HTML object>"]
                    },
                    "metadata": {},
                    "output_type": "display_data"
                },
                {
                    "data": {"text/plain": [
                        "TrainOutput(global_step=60, training_loss=1.7, metrics={'train_runtime': 228.1, 'train_samples_per_second': 2.1, 'train_steps_per_second': 0.263, 'total_flos': 1e+16, 'train_loss': 1.7, 'epoch': 1.0})"
                    ]},
                    "execution_count": 7,
                    "metadata": {},
                    "output_type": "execute_result"
                }
            ],
            "source": ["trainer_stats = trainer.train()"]
        }],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 0
    });
    let a = analyze(&serde_json::to_string_pretty(&nb).expect("a notebook"));
    assert_eq!(a.format, Format::HfTrainer, "{}", a.render_text());
    assert_eq!(
        (a.last_step, a.total_steps),
        (Some(60), Some(60)),
        "{}",
        a.render_text()
    );
    assert_eq!((a.loss.first, a.loss.last), (Some(1.99), Some(1.4)));
    assert!(a.finished, "{}", a.render_text());
    assert_eq!(a.reported.train_runtime_s, Some(228.1));
}

/// Ten steps of an HF Trainer run, a dict and a bar frame each (the loss
/// from 2.9 down to 2.0; 250 of 500 steps), `head(k)` before both lines of
/// step `k`.
fn hf_steps_behind(head: impl Fn(u32) -> String) -> String {
    let mut log = String::new();
    for k in 1..=10u32 {
        let h = head(k);
        log.push_str(&format!(
            "{h}{{'loss': {:.3}, 'grad_norm': 1.2, 'learning_rate': 5e-05, 'epoch': {:.2}}}\n",
            3.0 - f64::from(k) * 0.1,
            f64::from(k) / 10.0
        ));
        log.push_str(&format!(
            "{h} {:>2}%|#         | {}/500 [00:{:02}<01:00,  5.00it/s]\n",
            k * 5,
            k * 25,
            k * 5
        ));
    }
    log
}

/// What [`hf_steps_behind`] and an OOM after it read as, whatever head
/// stands before their lines: the run's steps, its last loss, the fatal
/// memory error.
fn assert_hf_steps_then_oom(log: &str) {
    let a = analyze(log);
    assert_eq!(a.format, Format::HfTrainer, "{}", a.render_text());
    assert_eq!((a.last_step, a.total_steps), (Some(250), Some(500)));
    assert_approx(a.loss.last, 2.0, 1e-9, "the last dict's loss");
    assert_eq!(
        a.fatal_error.as_ref().map(|e| e.class),
        Some(ErrorClass::Memory)
    );
}

/// Each line's body once its heads are stripped.
fn assert_bodies(cases: &[(&str, &str)]) {
    for (line, body) in cases {
        assert_eq!(strip_prefixes(line).body, *body, "{line}");
    }
}

/// A Vertex AI job's log as `gcloud ai custom-jobs stream-logs` prints it:
/// severity, time with its UTC offset and replica, tab-separated, before
/// every line of the program's output; the service's own lines with an
/// empty column. The program's output is read as if bare, on the log's
/// clock.
#[test]
fn gcloud_stream_logs_heads_are_stripped() {
    let mut log = String::from(
        "INFO\t2024-03-05 10:00:00 +0000\tservice\t\tWaiting for job to be provisioned.\n\
         INFO\t2024-03-05 10:02:10 +0000\tservice\t\tJob is running.\n",
    );
    log += &hf_steps_behind(|k| {
        let (m, s) = (2 + k * 10 / 60, 10 + (k * 10) % 60);
        format!("INFO\t2024-03-05 10:{m:02}:{s:02} +0000\tworkerpool0-0\t")
    });
    log.push_str(
        "ERROR\t2024-03-05 10:04:00 +0000\tworkerpool0-0\tTraceback (most recent call last):\n\
         ERROR\t2024-03-05 10:04:00 +0000\tworkerpool0-0\t  File \"/root/train.py\", line 80, in <module>\n\
         ERROR\t2024-03-05 10:04:00 +0000\tworkerpool0-0\t    trainer.train()\n\
         ERROR\t2024-03-05 10:04:00 +0000\tworkerpool0-0\ttorch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79.15 GiB of which 1.06 GiB is free.\n",
    );
    let a = analyze(&log);
    assert_eq!(a.format, Format::HfTrainer, "{}", a.render_text());
    assert_eq!((a.last_step, a.total_steps), (Some(250), Some(500)));
    assert_approx(a.loss.first, 2.9, 1e-9, "first dict's loss");
    assert_approx(a.loss.last, 2.0, 1e-9, "last dict's loss");
    assert_eq!(a.clock, Clock::LogTimestamps);
    let oom = a.fatal_error.as_ref().expect("the OOM");
    assert_eq!(oom.class, ErrorClass::Memory);
    // The offset is the time zone's: the same run logged in another one
    // reads the same.
    let shifted = log.replace(" +0000\t", " -0700\t").replace("10:0", "03:0");
    assert_eq!(analyze(&shifted), a);
    // Not a head: a level word and a date without the replica's column.
    let s = strip_prefixes("INFO\t2024-03-05 10:00:00 +0000 hello");
    assert_eq!(s.ts, None);
}

/// DeepSpeed's multi-node launcher runs every node through pdsh, which
/// tags each line with its host (`worker-0: `, an address): the lines are
/// read behind the tag, and words before a colon that are no host stay
/// text.
#[test]
fn pdsh_host_tags_are_stripped() {
    let mut log = String::from(
        "[2024-05-01 12:00:00,000] [INFO] [runner.py:568:main] cmd = pdsh -S -f 1024 -w worker-0,worker-1 ...\n\
         worker-1: [2024-05-01 12:00:05,000] [INFO] [launch.py:145:main] WORLD INFO DICT: {'worker-0': [0], 'worker-1': [0]}\n",
    );
    log += &hf_steps_behind(|_| "worker-0: ".to_string());
    log.push_str(
        "10.0.0.6: torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79.15 GiB of which 1.06 GiB is free.\n",
    );
    assert_hf_steps_then_oom(&log);
    assert_bodies(&[
        ("worker-0: step 10", "step 10"),
        ("ip-172-31-5-10: step 10", "step 10"),
        ("node003: step 10", "step 10"),
        ("192.168.1.20: step 10", "step 10"),
        // Keys and words, not hosts.
        ("loss: 2.5", "loss: 2.5"),
        ("train_loss1: 2.5", "train_loss1: 2.5"),
        ("Epoch: 3", "Epoch: 3"),
        ("1.5.2: done", "1.5.2: done"),
        // A bar's one-word description.
        (
            "fold1: 100%|##########| 5/5 [00:01<00:00,  4.00it/s]",
            "fold1: 100%|##########| 5/5 [00:01<00:00,  4.00it/s]",
        ),
    ]);
}

/// `docker compose up` (and `docker compose logs`, `-t` adding each line's
/// time) tags every line of a service's output with its name and replica;
/// the output is read as if bare, a tqdm bar's frames after the first one
/// bare themselves (Compose reads whole lines: the frames of one line share
/// one tag).
#[test]
fn compose_service_tags_are_stripped() {
    let mut log = String::from(
        "trainer-1  | [transformers] Loading checkpoint shards: done\n\
         trainer-1  |\n",
    );
    log += &hf_steps_behind(|_| "trainer-1  | ".to_string());
    log.push_str(
        "trainer-1  | 2024-05-01T12:03:00.123456789Z torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB.\n\
         trainer-1 exited with code 1\n",
    );
    assert_hf_steps_then_oom(&log);
    let frames = "trainer-1  | \r  2%|2         | 10/500 [00:02<01:40,  4.90it/s]\r  2%|2         | 11/500 [00:02<01:39,  4.91it/s]\n";
    let a = analyze(frames);
    assert_eq!((a.last_step, a.total_steps), (Some(11), Some(500)));
    assert_bodies(&[
        ("trainer-1  | step 10", "step 10"),
        ("trainer_1  | step 10", "step 10"),
        ("llm-sft.worker-12 | step 10", "step 10"),
        ("trainer-1  |", ""),
        // Numbers and bars, not services: llama2.c's step lines, a table.
        (
            "100 | loss 2.3047 | lr 1.0e-04",
            "100 | loss 2.3047 | lr 1.0e-04",
        ),
        (
            "epoch 1 | loss 2.3 | ppl 9.9",
            "epoch 1 | loss 2.3 | ppl 9.9",
        ),
        ("train-1 |x", "train-1 |x"),
        ("trainer |  step 10", "trainer |  step 10"),
        ("trainer-1| step 10", "trainer-1| step 10"),
    ]);
}

/// A Kaggle notebook's log copied from its web view: the seconds since the
/// session started and the line's number before each line, tab-separated
/// (under a `Time  #  Log Message` header). The program's output is read as
/// if bare.
#[test]
fn kaggle_web_view_columns_are_stripped() {
    let mut log = String::from("Time\t#\tLog Message\n");
    log += &hf_steps_behind(|k| format!("{}.{}s\t{}\t", 60 + k * 7, k % 10, 2 * k));
    log.push_str(
        "131.0s\t21\ttorch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB.\n",
    );
    assert_hf_steps_then_oom(&log);
    // The column's time is the lines' clock: 25 steps every 7 s.
    let a = analyze(&log);
    assert_eq!(a.clock, Clock::LogTimestamps, "{}", a.render_text());
    assert_approx(a.steps_per_sec.p50, 25.0 / 7.0, 0.02, "steps/s");
    // ... and stays it where the program prints its own time as well.
    let own = log.replace("\t{'loss'", "\t2024-05-01 10:00:00,000 - INFO - {'loss'");
    let b = analyze(&own);
    assert_eq!(b.clock, Clock::LogTimestamps, "{}", b.render_text());
    assert_approx(
        b.steps_per_sec.p50,
        25.0 / 7.0,
        0.02,
        "steps/s beside the program's time",
    );
    let ts = |line: &str| strip_prefixes(line).ts;
    assert_eq!(ts("52.3s\t12\tstep 10"), Some(52.3));
    assert_eq!(
        ts("4413s\t1\t2024-05-01 10:00:00,000 - INFO - step 10"),
        Some(4413.0)
    );
    assert_bodies(&[
        ("52.3s\t12\tstep 10", "step 10"),
        ("4413s\t1\tstep 10", "step 10"),
        // A number with a unit, not the columns.
        ("52.3s\tstep 10", "52.3s\tstep 10"),
        ("52.3s 12 step 10", "52.3s 12 step 10"),
    ]);
}

#[test]
fn a_fatal_python_error_after_healthy_steps_ends_the_run() {
    // torchtitan's step lines on rank 0, then CPython's abort and its
    // thread dump (the shape of pytorch/torchtitan#1066).
    let mut log = String::new();
    for (step, loss) in [(3800, "4.7706"), (3810, "4.8125"), (3820, "4.7878")] {
        log += &format!(
            "[rank0]:[titan] 2025-04-07 10:00:{:02},000 - root - INFO - step: {step}  loss: {loss}  memory: 31.20GiB(39.40%)  tps: 60,991  tflops: 120.1  mfu: 4.81%\n",
            step % 60
        );
    }
    log += "[rank0]:Fatal Python error: none_dealloc: deallocating None\n\
            [rank0]:Python runtime state: initialized\n[rank0]:\n\
            [rank0]:Thread 0x00007f975c95b640 (most recent call first):\n\
            [rank0]:  <no Python frame>\n[rank0]:\n";
    let a = analyze(&log);
    assert_eq!(a.format, Format::Torchtitan);
    assert_eq!(a.last_step, Some(3820));
    assert_eq!(
        a.verdict,
        "fatal: Python interpreter crashed (Fatal Python error: none_dealloc: deallocating None)"
    );
    assert_eq!(a.errors.len(), 1, "{:?}", a.errors);
    assert_eq!(a.errors[0].class, ErrorClass::Runtime);
}

#[test]
fn torchrun_stopped_by_a_signal_glued_to_the_bar_is_killed() {
    // The agent's warning printed over the bar's last frame (the shape of
    // hiyouga/LLaMA-Factory#9695): the frame counts, the run was stopped.
    let mut log = String::new();
    for n in 1661..=1663 {
        log += &format!(" 58%|█████▊    | {n}/2840 [6:59:01<4:53:05, 14.92s/it]\r");
    }
    log += "\n{'loss': 0.0605, 'grad_norm': 0.6059, 'learning_rate': 4.38e-06, 'epoch': 23.42}\n";
    log += " 59%|█████▊    | 1664/2840 [6:59:46<4:51:53, 14.88s/it]W1229 16:43:25.650000 190834 /envs/lf/lib/python3.12/site-packages/torch/distributed/elastic/agent/server/api.py:723] Received 1 death signal, shutting down workers\n";
    let a = analyze(&log);
    assert_eq!(a.last_step, Some(1664));
    assert_eq!(a.total_steps, Some(2840));
    assert_eq!(
        a.verdict,
        "fatal: torchrun stopped by SIGHUP (its terminal or session closed)"
    );
    assert_eq!(a.errors[0].class, ErrorClass::Killed);
}

#[test]
fn a_loss_stuck_at_exactly_zero_is_warned_of() {
    // A fine-tune whose loss fell to exactly 0.0 within a few logs, its
    // gradient norm frozen (the shape of hiyouga/LLaMA-Factory#8261 and
    // shibing624/MedicalGPT#252): a note, the run still progressing.
    let mut log = String::new();
    for (i, loss) in ["3.5534", "0.0", "0.0", "0.0"].iter().enumerate() {
        log += &format!(
            "{{'loss': {loss}, 'grad_norm': 1.4142135381698608, 'learning_rate': 2e-06, 'epoch': 0.0{}}}\n",
            i + 1
        );
    }
    let a = analyze(&log);
    assert_eq!(a.verdict, "progressing (loss reported, step unknown)");
    let zero_note = |a: &Analysis| {
        a.notes
            .iter()
            .find(|n| n.starts_with("warning: loss is exactly 0"))
            .cloned()
    };
    let note = zero_note(&a).expect("a note on the zero loss");
    assert!(note.contains("in the latest 3 logged values: "), "{note}");
    // Every value 0 (and nothing else wrong): said so.
    let a = analyze(&log.replacen("3.5534", "0.0", 1));
    assert!(zero_note(&a).is_some_and(|n| n.contains("latest 4 logged values (all of them)")));
    // Two zeros are not yet a pattern; a loss that moves again ends it; a
    // small loss is not 0; the 0.0 HF prints after a NaN is said otherwise.
    for other in [
        log.replacen("0.0,", "0.0012,", 1),
        log.clone() + "{'loss': 0.0021, 'epoch': 0.05}\n",
        log.replace("'loss': 0.0,", "'loss': 1e-05,"),
        log.replacen("3.5534", "nan", 1),
    ] {
        assert_eq!(zero_note(&analyze(&other)), None, "{other}");
    }
}

#[test]
fn killed_glued_to_a_keras_progress_line_ends_the_run() {
    // The shell's `Killed` where Keras' bar had no newline (the shape of
    // keras-team/keras#3476): a second fit, killed part way.
    let log = "Epoch 1/1\n\
               296960/296960 [==============================] - 641s - loss: 2.3065 - val_loss: 3.8720\n\
               Epoch 1/1\n\
               163840/296960 [===============>..............] - ETA: 370s - loss: 2.1402\r\
               165376/296960 [===============>..............] - ETA: 365s - loss: 2.1371Killed\n";
    let a = analyze(log);
    assert_eq!(a.format, Format::Keras);
    assert_eq!(a.verdict, "fatal: process killed (host out of memory?)");
    assert_eq!(a.errors[0].line, 5);
    // The word at the end of prose is not a kill.
    for line in [
        "the supervisor reported that all workers were Killed",
        "Killed]",
    ] {
        let c = errors::classify_line(line).map(|s| s.label);
        assert_ne!(
            c.as_deref(),
            Some("process killed (host out of memory?)"),
            "{line}"
        );
    }
}

#[test]
fn keras_terminate_on_nan_stops_the_run() {
    // The callback's words glued to the bar it cut short, the loss printed
    // as `inf` after (the shape of a MobileNet-SSD Keras 2 run).
    let log = "Epoch 1/10\n\
               \x20 3/234 [..............................] - ETA: 33:37:24 - loss: 44.4110Batch 3: Invalid loss, terminating training\n\
               \x20 4/234 [..............................] - ETA: 25:09:00 - loss: inf \n";
    let a = analyze(log);
    assert_eq!(a.format, Format::Keras);
    assert_eq!(
        a.verdict,
        "fatal: the loss became NaN or infinite and Keras' TerminateOnNaN stopped training"
    );
    assert_eq!(a.errors[0].class, ErrorClass::Runtime);
}

#[test]
fn deepspeed_skipping_most_steps_is_a_warning() {
    // fp16 overflowing at nearly every step: DeepSpeed's own count says the
    // weights are barely updated, whatever the loss prints (the shape of
    // huggingface/transformers#14531: `step=2000, skipped=1995`, loss 0.0).
    let ds = |step: u64, skipped: u64| {
        format!(
            "[2021-11-26 03:07:16,494] [INFO] [logging.py:69:log_dist] [Rank 0] step={step}, skipped={skipped}, lr=[0.001, 0.001], mom=[0.0, 0.0]\n"
        )
    };
    let log = ds(1000, 995) + &ds(2000, 1995);
    let a = analyze(&log);
    assert_eq!(a.last_step, Some(2000));
    assert_eq!(
        a.verdict,
        "progressing (warning: DeepSpeed skipped 1995 of 2000 steps (fp16 overflow))"
    );
    // The loss scale's first descent at the start skips a few dozen: fine;
    // and a few skips later on too.
    for log in [ds(20, 17), ds(100, 20) + &ds(2000, 31)] {
        assert_eq!(analyze(&log).verdict, "progressing", "{log}");
    }
}

#[test]
fn a_log_that_ends_at_a_prompt_waits_forever() {
    // W&B's login prompt, with no one at the terminal: the run's end.
    let banner = "[INFO|trainer.py:2134] 2024-08-01 22:14:51,307 >> ***** Running training *****\n\
                  wandb: (1) Create a W&B account\n\
                  wandb: (2) Use an existing W&B account\n\
                  wandb: (3) Don't visualize my results\n";
    let a = analyze(&format!("{banner}wandb: Enter your choice: "));
    assert_eq!(
        a.verdict,
        "fatal: W&B waits at its login prompt (set WANDB_API_KEY, or WANDB_MODE=offline)"
    );
    assert_eq!(
        (a.errors[0].class, a.errors[0].line),
        (ErrorClass::Dependency, 5)
    );
    assert_eq!(a.errors[0].message, "wandb: Enter your choice:");
    // Answered: the next line says so, and the prompt is no error.
    let a = analyze(&format!(
        "{banner}wandb: Enter your choice: 3\nwandb: You chose \"Don't visualize my results\"\n"
    ));
    assert!(a.errors.is_empty(), "{:?}", a.errors);
    let a = analyze(&format!(
        "{banner}wandb: Enter your choice: \nTraining...\n"
    ));
    assert!(a.errors.is_empty(), "{:?}", a.errors);
    // (A bar's frame after it says so too, on one thread or two, where the
    // splitting thread reads most frames from the one before.)
    let mut log = String::from("(Pdb) \n");
    for n in 1..=9 {
        log += &format!(
            "\r {n}0%|{:<10}| {n}/10 [00:0{n}<00:09,  1.00it/s]",
            "#".repeat(n)
        );
    }
    let a = same_on_two_threads(log.as_bytes(), 4096, "a prompt, then a bar");
    assert!(a.errors.is_empty(), "{:?}", a.errors);
    assert_eq!(a.last_step, Some(9));

    // Live: a breakpoint() left in a loop stops it at pdb's prompt, which
    // has no newline: the unfinished line is read for a prompt.
    let mut live = LogAnalyzer::new();
    let mut log = String::new();
    for i in 1..=3 {
        log += &format!("iter {i}: loss 2.{i}000, time 40.00ms, mfu 30.00%\n");
    }
    live.push(log.as_bytes(), Some(1.0));
    live.push(
        b"> /root/train.py(212)<module>()\n-> loss.backward()\n(Pdb) ",
        Some(2.0),
    );
    let a = live.finish_live();
    assert_eq!(
        a.verdict,
        "fatal: a debugger waits at its prompt (a breakpoint() left in the code?)"
    );
    assert_eq!((a.last_step, a.errors[0].line), (Some(3), 6));
    // (Output after a prompt, unfinished yet, says it was answered.)
    let mut answered = LogAnalyzer::new();
    answered.push(b"wandb: Enter your choice: \nwandb: You ch", Some(1.0));
    assert!(answered.finish_live().errors.is_empty());
    // (Any other unfinished line is still left for the next read.)
    let mut cut = LogAnalyzer::new();
    cut.push(
        b"iter 1: loss 2.1000, time 40.00ms, mfu 30.00%\nKill",
        Some(1.0),
    );
    assert!(cut.finish_live().errors.is_empty());
    // Continued (`c`), the loop goes on: no error.
    live.push(
        b"c\niter 4: loss 2.0000, time 40.00ms, mfu 30.00%\n",
        Some(3.0),
    );
    let a = live.finish_live();
    assert!(a.errors.is_empty(), "{:?}", a.errors);
    assert_eq!(a.last_step, Some(4));
}
