//! Error signatures (FORMATS.md §11): Python tracebacks captured as blocks,
//! and one-line signatures (CUDA OOM, NCCL, torchrun, `Killed`, pip, ...)
//! classified into a small set of classes with a fatal/warning split.
//!
//! Bounded: at most [`MAX_ERRORS`] distinct errors are kept (repeats only bump
//! a counter), a traceback keeps at most [`MAX_TB_LINES`] lines.

use serde::{Deserialize, Serialize};

use super::normalize::trim_start_fast;
use super::split::LineScan;
use super::text::Find;

pub const MAX_ERRORS: usize = 32;
pub const MAX_TB_LINES: usize = 60;
const MAX_MSG: usize = 400;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Hash)]
#[serde(rename_all = "snake_case")]
pub enum ErrorClass {
    Memory,
    Cuda,
    Killed,
    Data,
    Dependency,
    Distributed,
    Runtime,
}

impl ErrorClass {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorClass::Memory => "memory",
            ErrorClass::Cuda => "cuda",
            ErrorClass::Killed => "killed",
            ErrorClass::Data => "data",
            ErrorClass::Dependency => "dependency",
            ErrorClass::Distributed => "distributed",
            ErrorClass::Runtime => "runtime",
        }
    }
    /// Lower is more specific (a likelier root cause when several fire).
    fn priority(self) -> u8 {
        self as u8
    }
}

/// One distinct error seen in the log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogError {
    pub class: ErrorClass,
    pub fatal: bool,
    /// Short human summary, e.g. "CUDA out of memory".
    pub label: String,
    /// The line that identified it (exception line for tracebacks).
    pub message: String,
    pub count: u64,
    /// Line number (1-based, in normalised lines) of the first sighting.
    pub line: u64,
    /// Line number of the latest sighting.
    #[serde(skip)]
    pub last_line: u64,
    pub time: Option<f64>,
    /// The traceback block, when there was one (bounded).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub traceback: Vec<String>,
    /// Printed in the output of a build pip ran (see `is_setup_step`).
    #[serde(skip)]
    pub(crate) in_pip_output: bool,
}

impl LogError {
    /// A fatal error that the analyzer, not the error tracker, found at
    /// `line` (how the process ended, a prompt it waits at): seen once,
    /// no traceback.
    pub(crate) fn fatal_at(
        class: ErrorClass,
        label: String,
        message: String,
        line: u64,
        time: Option<f64>,
    ) -> LogError {
        LogError {
            class,
            fatal: true,
            label,
            message,
            count: 1,
            line,
            last_line: line,
            time,
            traceback: Vec::new(),
            in_pip_output: false,
        }
    }

    /// torchrun's or the DeepSpeed launcher's "a worker failed / exited
    /// with code 1", Open MPI's "a rank exited with an error",
    /// `torch.multiprocessing.spawn`'s `ProcessRaisedException` (its
    /// message is the worker's traceback), or a `CalledProcessError` (what
    /// `accelerate launch` and a script's `subprocess.run(..., check=True)`
    /// raise when the child failed): the news, when the log has it, is the
    /// child's own exception.
    pub fn restates_another(&self) -> bool {
        self.label.starts_with(LAUNCHER)
            || self.label.starts_with(DEEPSPEED_LAUNCHER)
            || self.label.starts_with(LIGHTNING_LAUNCHER)
            || self.label == MPI_RANK_FAILED
            || self.label.ends_with(": ProcessRaisedException")
            || self.label.ends_with(": CalledProcessError")
            || self.label == HYDRA_JOB_FAILED
    }

    /// An uncaught exception with no known signature (labelled by its
    /// name alone).
    pub(crate) fn is_unknown_exception(&self) -> bool {
        self.label.starts_with(EXCEPTION_LABEL)
    }

    /// Python refused the source (`SyntaxError`, `IndentationError`,
    /// `TabError`): the process ran nothing, so whatever the log shows
    /// after it is another invocation's.
    pub(crate) fn is_source_refused(&self) -> bool {
        let m = self.message.trim_start();
        ["SyntaxError", "IndentationError", "TabError"]
            .iter()
            .any(|w| m.starts_with(w))
    }

    /// A failed `pip install` or `apt-get install` (or a `git clone`, a
    /// command a setup script could not run, an error in the output of a
    /// build pip ran): a process of its own, done before whatever the log
    /// shows after it (a notebook goes on to train, a setup script goes on
    /// past a package it could not get).
    pub(crate) fn is_setup_step(&self) -> bool {
        self.in_pip_output
            || [PIP, APT, UV, CONDA, GIT, SHELL].iter().any(|head| {
                self.label
                    .strip_prefix(head)
                    .is_some_and(|r| r.starts_with([' ', ':']))
            })
    }

    /// A launch that could not bind its rendezvous port: another run (often
    /// the one this log goes on with) holds it.
    pub(crate) fn is_port_in_use(&self) -> bool {
        self.label == PORT_IN_USE
    }

    /// A traceback a logger wrote (`logger.exception(...)`: its header after
    /// the logger's head, `ERROR:2026-03-26 21:59:41,526:Traceback (most
    /// recent call last):`): caught, unless the program ended there.
    pub(crate) fn is_logged_traceback(&self) -> bool {
        self.traceback.first().is_some_and(|first| {
            first.find(TRACEBACK_HEADER).is_some_and(|p| {
                let head = &first[..p];
                ["ERROR", "WARNING", "INFO", "CRITICAL"]
                    .iter()
                    .any(|l| head.contains(l))
            })
        })
    }

    /// A traceback of `python -c "..."` (its outermost frame `File
    /// "<string>"`): a one-line check of its own (`python -c "import
    /// flash_attn"` in a setup script), not the training process. Or of
    /// code read from standard input (`File "<stdin>"`): `python - <<EOF`
    /// in a setup script, or an interactive session quoted in a sample the
    /// model wrote (a doctest in XTuner's `Sample output:`).
    pub(crate) fn is_inline_command(&self) -> bool {
        self.traceback
            .iter()
            .map(|l| l.trim_start())
            .find(|l| l.starts_with("File \""))
            .is_some_and(|l| {
                l.starts_with("File \"<string>\"") || l.starts_with("File \"<stdin>\"")
            })
    }

    /// An exception line printed on its own, without a traceback: what a
    /// handler prints (`print(f"Error: {e}")`), since an exception that
    /// ends Python prints its traceback; or an excerpt that cut it off.
    pub(crate) fn is_bare_exception(&self) -> bool {
        self.traceback.is_empty() && self.label.starts_with(EXCEPTION_LABEL)
    }
}

/// A one-line signature match.
#[derive(Debug, Clone, PartialEq)]
pub struct Signature {
    pub class: ErrorClass,
    pub fatal: bool,
    pub label: String,
}

fn sig(class: ErrorClass, fatal: bool, label: impl Into<String>) -> Option<Signature> {
    Some(Signature {
        class,
        fatal,
        label: label.into(),
    })
}

/// A process's exit status as a launcher or a shell reports it (137 is
/// 128 + SIGKILL's 9).
fn exit_code(code: &str) -> Option<Signature> {
    match code.trim().trim_end_matches('.') {
        "0" => None,
        "137" => sig(
            ErrorClass::Killed,
            true,
            "exited with code 137 (SIGKILL, likely host out of memory)",
        ),
        c => sig(
            ErrorClass::Runtime,
            true,
            format!("a task exited with code {}", cap(c, 8)),
        ),
    }
}

fn quoted_after<'a>(s: &'a str, key: &str) -> Option<&'a str> {
    let p = s.find(key)? + key.len();
    let r = &s[p..];
    let r = r.trim_start();
    let q = r.chars().next()?;
    if q == '\'' || q == '"' {
        let end = r[1..].find(q)? + 1;
        Some(&r[1..end])
    } else {
        let end = r
            .find(|c: char| c.is_whitespace() || c == ',' || c == '(')
            .unwrap_or(r.len());
        Some(r[..end].trim_end_matches('.'))
    }
}

/// How torchelastic's agent ends the line that says it got a signal and
/// stops its workers (see `classify_anchored`).
const DEATH_SIGNAL: &str = " death signal, shutting down workers";

/// How Keras' `TerminateOnNaN` callback ends the line it stops training
/// with (see `classify_anchored`).
const KERAS_TERMINATE_ON_NAN: &str = ": Invalid loss, terminating training";

/// Anchor words: every signature in [`classify_line`] contains at least one
/// of them, so a line without any is rejected after one cheap pass instead
/// of ~40 substring searches (the analyzer sees millions of lines).
const ANCHORS: [&[u8]; 56] = [
    b"Error",
    // (The DeepSpeed launcher's `... exits with return code = -9`.)
    b"exits with return",
    b"error",
    b"ERROR",
    b"memory",
    b"Kill",
    b"oom-kill",
    b"NCCL",
    b"nccl",
    b"Watchdog",
    b"watchdog",
    b"exitcode",
    b"SIGKILL",
    b"DataLoader",
    b"CUDA_HOME",
    b"Retrying",
    b"OVERFLOW",
    b"device-side",
    b"CUBLAS",
    b"Failed",
    b"Duplicate GPU",
    b"distribution",
    b"satisfies",
    b"Traceback",
    b"c10::",
    b"failed",
    b"ChildFailed",
    b"Accelerator",
    b"KeyboardInterrupt",
    b"Segmentation fault",
    b"core dumped",
    b"CANCELLED",
    b"SIGTERM",
    // (bash's `Terminated`: a job SIGTERM stopped.)
    b"Terminated",
    b"SIGINT",
    b"by user",
    b"stack expects",
    b"walltime",
    b"SignalException",
    // (Not an error by itself: the next line's traceback is another
    // thread's, see `thread_pending`.)
    b"Exception in thread",
    // (Python's unraisable-exception report, `Exception ignored in:
    // <function _ConnectionBase.__del__ ...>`: the traceback after it was
    // printed and ignored.)
    b"Exception ignored",
    // (Rare first byte pairs: these scan every line.)
    b"HW Exception",
    b"Xid",
    b"NVRM",
    b"CUDNN",
    // (torch's warning that it goes on without the GPU names no error.)
    b"NVIDIA driver",
    // (Nor do torch's warning that it has no kernels for this GPU and
    // nvcc's refusal of one.)
    b"PyTorch install",
    b"gpu architecture",
    // uv's solver. (apt's errors and conda's `ResolvePackageNotFound:`
    // open their lines: see `has_anchor_bytes`.)
    "× No".as_bytes(),
    // (TensorFlow's driver mismatch.)
    b"CUDA driver version",
    // (Python that cannot open the script: `can't open file ...: [Errno 2]`.)
    b"[Errno",
    // (systemd's `killed by the OOM killer`.)
    b"OOM killer",
    // (visdom's `Exception in user code:` over a traceback it handled.)
    b"Exception in user",
    // (AReaL's launcher's exception on a job that completed.)
    b"JobState",
    // (JAX's fallback to the CPU: `a CUDA-enabled jaxlib is not installed`.)
    b"CUDA-enabled",
    // (SageMaker's job status, after its own timestamp.)
    b"MaxRuntimeExceeded",
];
// (Each word's first two byte pairs make a scan stop to look: none may
// start with pairs common in text, `us`, `Re`, `: `; see `Anchors`.)

/// Words of an `AssertionError`'s message that say it is about the data.
const DATA_ASSERTION_WORDS: [&str; 8] = [
    "No labels found",
    "Annotation ids",
    "images in your folder",
    "annotation file",
    "Dataset not found",
    "dataset is empty",
    // (nerfstudio's `Colmap path data/backyard/colmap/sparse/0 does not
    // exist.`; 3D Gaussian Splatting's `Could not recognize scene type!`.)
    "does not exist",
    "Could not recognize scene type",
];

/// What apt's errors (`E: ...`) are about, one of these words: not any
/// line that happens to start with `E: `.
const APT_FAILURE_WORDS: [&str; 7] = [
    "package",
    "Package",
    "lock",
    "fetch",
    "dpkg",
    "was not found",
    "Unmet dependencies",
];

/// Libraries whose missing attributes mean a version mismatch.
const KNOWN_LIBRARIES: [&str; 22] = [
    "numpy",
    "torch",
    "torchvision",
    "torchaudio",
    "transformers",
    "tensorflow",
    "keras",
    "jax",
    "scipy",
    "pandas",
    "PIL",
    "cv2",
    "sklearn",
    "accelerate",
    "deepspeed",
    "peft",
    "datasets",
    "triton",
    "google",
    "mmcv",
    "timm",
    "pytorch_lightning",
];

const ANCHOR_SET: super::parse::Anchors<56> = super::parse::Anchors::new(ANCHORS);

/// Whether `s` contains any anchor word (see [`ANCHORS`]).
pub fn has_anchor(s: &str) -> bool {
    has_anchor_bytes(s.as_bytes())
}

/// [`has_anchor`] on bytes.
pub(crate) fn has_anchor_bytes(b: &[u8]) -> bool {
    // (Anchors whose pairs are common text, tested where they stand:
    // apt's errors, conda's, Lightning's summary of a run on the CPU.)
    ANCHOR_SET.any_in(b)
        || b.starts_with(b"E: ")
        // (git's, and a shell's in a setup script.)
        || b.starts_with(b"fatal: ")
        || ends_with_anchor(b)
        || b.starts_with(b"ResolvePackageNotFound")
        // (Open MPI's account of a rank that failed; submitit's of a
        // preempted job.)
        || b.starts_with(b"mpirun ")
        // (A C++ exception's message under `terminate called after
        // throwing an instance of ...`; TensorFlow's causes under its
        // `Graph execution error:`, glog's crash report, the linker's: see
        // `classify_anchored`.)
        || {
            let t = b.trim_ascii_start();
            t.starts_with(b"what():") || t.starts_with(b"[[")
        }
        || b.starts_with(b"DNN library")
        || b.starts_with(b"*** SIG")
        || b.starts_with(b"&&&& FAILED")
        || b.starts_with(b"/usr/bin/ld: cannot find")
        || (b.starts_with(b"GPU available: ")
            && memchr::memmem::find(b, b", used: False").is_some())
}

/// The anchors of [`has_anchor_bytes`] that end their lines, told apart by
/// the line's last byte first (most lines end with none of them).
#[inline]
fn ends_with_anchor(b: &[u8]) -> bool {
    let ends = |s: &[u8]| b.ends_with(s);
    match b.last() {
        // (git's; SIGKILL's exit status as a container reports it;
        // submitit's preempted job.)
        Some(b'.') => {
            ends(b"(publickey).") || ends(b"code 137.") || ends(b"after preemption/timeout.")
        }
        // (A shell's, in a setup script: bash's and dash's.)
        Some(b'd') => {
            ends(b": command not found") || (b.starts_with(b"sh: ") && ends(b": not found"))
        }
        Some(b'y') => ends(b": No such file or directory"),
        // (SIGKILL's exit status, as a script reports it; systemd's unit
        // killed by it.)
        Some(b'7') => ends(b"code 137"),
        Some(b'L') => ends(b"status=9/KILL"),
        // (torchelastic's agent stopped by a signal; Keras' TerminateOnNaN:
        // see `classify_anchored`.)
        Some(b's') => ends(DEATH_SIGNAL.as_bytes()),
        Some(b'g') => ends(KERAS_TERMINATE_ON_NAN.as_bytes()),
        _ => false,
    }
}

/// Whether the words before byte `p` of `t` deny what follows: a wrapper
/// script's `Script finished successfully without a CUDA out of memory
/// error.`, `no CUDA out of memory this time`.
fn negated_before(t: &str, p: usize) -> bool {
    let before = t[..p].trim_end();
    let before = before
        .strip_suffix(" a")
        .or_else(|| before.strip_suffix(" an"))
        .unwrap_or(before);
    let word = before.rsplit(' ').next().unwrap_or("");
    ["without", "no", "not", "never"]
        .iter()
        .any(|w| word.eq_ignore_ascii_case(w))
}

/// Classify one line body against the signature table (FORMATS.md §11).
pub fn classify_line(s: &str) -> Option<Signature> {
    if !has_anchor(s) {
        return None;
    }
    classify_anchored(s)
}

/// [`classify_line`] for a line already known to contain an anchor.
fn classify_anchored(s: &str) -> Option<Signature> {
    let t = s.trim();
    // (Or advice about one: bitsandbytes' `If you get \`CUDA error: invalid
    // device function\` errors, the above might be the cause ...`.)
    if t.len() < 6 || t.starts_with("If you ") {
        return None;
    }
    use ErrorClass::*;
    // apt in the image's setup script (`E: Unable to locate package nvtop`,
    // `E: Could not get lock /var/lib/dpkg/lock-frontend`): first, as its
    // words (`Failed to fetch`) would read as others' below.
    if let Some(what) = t.strip_prefix("E: ")
        && APT_FAILURE_WORDS.iter().any(|w| what.contains(w))
    {
        return sig(Dependency, true, format!("{APT} failed: {}", cap(what, 80)));
    }
    if let Some(s) = setup_shell_failure(t) {
        return Some(s);
    }
    // cuBLAS / cuDNN failures, one status for both checks below. Not their
    // warnings: PyTorch 2.3 prints `UserWarning: Plan failed with a
    // cudnnException: ... cudnn_status: CUDNN_STATUS_NOT_SUPPORTED` on many
    // conv models and goes on.
    let library = (!t.contains("Warning"))
        .then(|| library_status(t))
        .flatten();
    // Ray's memory monitor killed a task or an actor: the host's RAM, not
    // the GPU's (`ray.exceptions.OutOfMemoryError: Task was killed due to
    // the node running low on memory.`; `Worker exit detail: ...`).
    if t.contains("low on memory") && t.contains("was killed due to the node") {
        return sig(
            Killed,
            true,
            "Ray killed a task: the node ran low on memory (host RAM)",
        );
    }
    // vLLM cannot fit one request of the model's length in its KV cache
    // (`...KV cache is needed, which is larger than the available KV cache
    // memory (1.32 GiB)`; older: `...is larger than the maximum number of
    // tokens that can be stored in KV cache`).
    if t.contains("KV cache")
        && (t.has("larger than the available KV cache memory")
            || t.has("tokens that can be stored in KV cache"))
    {
        return sig(
            Memory,
            true,
            "vLLM's KV cache cannot hold one request of the model's length (lower max_model_len or raise gpu_memory_utilization)",
        );
    }
    // Hydra's own report of a job that failed (`Error executing job with
    // overrides: [...]`): the exception under it, when printed, is the news.
    if t.starts_with("Error executing job with overrides") {
        return sig(Runtime, true, HYDRA_JOB_FAILED);
    }
    // Audio, graph and quantization libraries' and platforms' own failures: one pass says
    // whether any can be here.
    if LIBRARY_ANCHORS.any_in(t.as_bytes())
        && let Some(found) = library_failure(t)
    {
        return Some(found);
    }
    // TensorRT's trtexec: `&&&& FAILED TensorRT.trtexec [TensorRT v8601] #
    // trtexec --onnx=...` (its `[E]` lines above say why).
    if t.starts_with("&&&& FAILED ") {
        return sig(Runtime, true, "TensorRT's trtexec failed");
    }
    // memory
    // (NCCL names the CUDA error under its own: `Cuda failure 2 'out of
    // memory'`.)
    if t.find_word("CUDA out of memory")
        .is_some_and(|p| !negated_before(t, p))
        || t.contains("OutOfMemoryError")
        || t.contains("HIP out of memory")
        // (At context creation or in a kernel launch, the GPU already
        // full: `RuntimeError: CUDA error: out of memory`.)
        || t.contains("CUDA error: out of memory")
        || (t.starts_with("Cuda failure") && t.contains("'out of memory'"))
        // (Marian: `Error: CUDA error 2 'out of memory' - .../device.cu:32:
        // cudaMalloc(&data_, size)`.)
        || (t.contains("CUDA error 2 'out of memory'"))
        // (MindSpore, in the block under its bare `RuntimeError: `: `Device(id:0)
        // memory isn't enough and alloc failed, kernel name: ...`; on Ascend,
        // `Out of Memory!!! Request memory size: 35185336320B, ...`.)
        || (t.starts_with("Device(id:") && t.has(" memory isn't enough and alloc failed"))
        || t.starts_with("Out of Memory!!! Request memory size")
        // The GPU learners of the boosting libraries: CatBoost's `CUDA error
        // 2: out of memory`, LightGBM's `[CUDA] out of memory`, XGBoost's
        // (and RAPIDS') `std::bad_alloc: cudaErrorMemoryAllocation: out of
        // memory`.
        || t.contains("CUDA error 2: out of memory")
        || t.contains("[CUDA] out of memory")
        || t.contains("cudaErrorMemoryAllocation")
        // (bitsandbytes' C code: `Error out of memory at line 380 in file
        // /.../csrc/pythonInterface.c`.)
        || t.starts_with("Error out of memory at line ")
        // (The driver API's name, tiny-cuda-nn's `cuMemSetAccess(...)
        // failed with error CUDA_ERROR_OUT_OF_MEMORY`.)
        || t.contains("CUDA_ERROR_OUT_OF_MEMORY")
        // (TensorFlow 2.9+ names the cause lines below its `Graph
        // execution error:`: `OOM when allocating tensor with shape[...]`.)
        || t.starts_with("OOM when allocating tensor")
        // (llama.cpp's (ggml's) loader: `ggml_backend_cuda_buffer_type_
        // alloc_buffer: allocating 54462.23 MiB on device 0: cudaMalloc
        // failed: out of memory`.)
        || t.contains("cudaMalloc failed: out of memory")
        // (SGLang's check as it starts: `RuntimeError: Not enough memory.
        // Please try to increase --mem-fraction-static.`)
        || t.contains("Not enough memory. Please try to increase --mem-fraction-static")
    {
        // `Tried to allocate 12.00 GiB.` -> "12.00 GiB"
        let what = t.find_word("Tried to allocate ").map(|p| {
            let words: Vec<&str> = t[p + 18..].split_whitespace().take(2).collect();
            words.join(" ").trim_end_matches('.').to_string()
        });
        return sig(
            Memory,
            true,
            match what {
                Some(w) => format!("CUDA out of memory (tried to allocate {w})"),
                None => "CUDA out of memory".to_string(),
            },
        );
    }
    // A native library's allocation failed and its exception ended the
    // process (`terminate called after throwing an instance of
    // 'boost::wrapexcept<boost::compute::opencl_error>'`, then this line,
    // then `Aborted (core dumped)`): LightGBM's OpenCL learner with the GPU
    // full, `std::bad_alloc` from C++ code with the host full.
    if let Some(what) = t.strip_prefix("what():") {
        let what = what.trim();
        if what.contains("Memory Object Allocation Failure")
            || what.contains("CL_MEM_OBJECT_ALLOCATION_FAILURE")
            || what.contains("CL_OUT_OF_RESOURCES")
        {
            return sig(Memory, true, "GPU out of memory (OpenCL allocation failed)");
        }
        if what == "std::bad_alloc" {
            return sig(
                Memory,
                true,
                "host out of memory (std::bad_alloc in native code)",
            );
        }
    }
    // Python ran out of host memory (a loop gathering every output on the
    // CPU): `MemoryError`, bare or with a message. (Not PaddlePaddle's GPU
    // OOM, which it raises as `MemoryError: (ResourceExhausted) `.)
    // (Nor RAPIDS' GPU allocator's, raised as `MemoryError: std::bad_alloc:
    // out_of_memory: CUDA error at: ...`.)
    if t.starts_with("MemoryError: ") && t.contains("CUDA error") {
        return sig(Memory, true, "CUDA out of memory (RAPIDS memory manager)");
    }
    if t == "MemoryError" || (t.starts_with("MemoryError: ") && !t.contains("(ResourceExhausted)"))
    {
        return sig(Memory, true, "host out of memory (MemoryError)");
    }
    // Apple's GPU (`RuntimeError: MPS backend out of memory (MPS allocated:
    // 8.45 GiB, ...). Tried to allocate 768.00 MiB on private pool.`).
    if t.contains("MPS backend out of memory") {
        return sig(Memory, true, "out of memory (Apple MPS backend)");
    }
    // TensorFlow's (`...errors_impl.ResourceExhaustedError: OOM when
    // allocating tensor with shape[2,64,400,112,112] ...`).
    // (2.9+ names only `Graph execution error:` on the exception's line,
    // the tensor further down: the exception's name says it.)
    if t.contains("ResourceExhaustedError")
        && (t.contains("OOM when allocating") || t.ends_with("Graph execution error:"))
    {
        return sig(
            Memory,
            true,
            "out of memory (TensorFlow: OOM when allocating a tensor)",
        );
    }
    // (Before the `CUDA error: ` branch below: `CUDA error:
    // CUBLAS_STATUS_ALLOC_FAILED when calling cublasCreate(handle)`.)
    if let Some(status) = library
        && status.ends_with("_ALLOC_FAILED")
    {
        return sig(Memory, true, format!("CUDA out of memory ({status})"));
    }
    // distributed (before generic CUDA: NCCL messages mention CUDA)
    if t.has("Watchdog caught collective operation timeout") {
        return sig(Distributed, true, "NCCL collective timeout");
    }
    // (What the watchdog prints after the timeout, the one line left where
    // a paste cut the first: `[Rank 2] Some NCCL operations have failed or
    // timed out. Due to the asynchronous nature of CUDA kernels, ...`.)
    if t.has("Some NCCL operations have failed or timed out") {
        return sig(Distributed, true, "NCCL collective failed or timed out");
    }
    if t.has("Process group watchdog thread terminated") || t.contains("c10::DistBackendError") {
        return sig(Distributed, true, "NCCL watchdog aborted the process group");
    }
    // JAX's coordination service lost a peer: `Terminating process because
    // the JAX distributed service detected fatal errors. ... stopped
    // sending heartbeats`.
    if t.contains("distributed service detected fatal errors") {
        return sig(
            Distributed,
            true,
            "JAX distributed service: a peer process failed or stopped",
        );
    }
    if t.contains("DistBackendError")
        || t.contains("NCCL error")
        || t.contains("ncclSystemError")
        || t.contains("ncclInvalidUsage")
        || t.contains("ncclUnhandledCudaError")
        || t.contains("ncclInternalError")
        // (XLA's: `XlaRuntimeError: INTERNAL: ... NCCL operation
        // ncclCommInitRank(&comm, nranks, id, rank) failed: unhandled system
        // error`.)
        || (t.contains("NCCL operation ") && t.contains(" failed"))
    {
        return sig(Distributed, true, "NCCL error");
    }
    // c10d's rendezvous store could not bind its port (errno 98): another
    // run on the node still holds it.
    // (torch 2.x: `The server socket has failed to listen on any local
    // network address. port: 4321, ... name: EADDRINUSE`.)
    if (t.contains("Address already in use") && (t.contains("socket") || t.contains("errno: 98")))
        || (t.contains("EADDRINUSE") && t.contains("socket"))
    {
        return sig(Distributed, true, PORT_IN_USE);
    }
    // Horovod's collectives (`horovod.common.exceptions.HorovodInternalError:
    // ncclAllReduce failed: unhandled system error`).
    if t.contains("HorovodInternalError") {
        return sig(
            Distributed,
            true,
            if t.contains("nccl") {
                "NCCL error"
            } else {
                "Horovod collective failed"
            },
        );
    }
    // The rendezvous store waited for the other nodes in vain
    // (`torch.distributed.DistStoreError: Timed out after 901 seconds
    // waiting for clients. 1/2 clients joined.`), or could not reach them.
    if let Some(p) = t.find_word("Dist")
        && (t[p..].starts_with("DistStoreError") || t[p..].starts_with("DistNetworkError"))
    {
        return sig(
            Distributed,
            true,
            if t.contains("Timed out") {
                "rendezvous timed out (the other nodes never joined)"
            } else {
                "rendezvous failed (nodes could not reach each other)"
            },
        );
    }
    if t.contains("ChildFailedError")
        && !t.starts_with("raise ")
        && !t.starts_with("from ")
        && !t.starts_with("import ")
    {
        return sig(
            Distributed,
            true,
            format!("{LAUNCHER} a worker process failed"),
        );
    }
    if t.contains("failed (exitcode: ") && t.contains("local_rank") {
        let code = t
            .find_word("exitcode: ")
            .and_then(|p| t[p + 10..].split(')').next())
            .unwrap_or("?");
        return launcher_exit(code);
    }
    if let Some(r) = t.strip_prefix("exitcode") {
        // torchrun failure summary row: `exitcode  : -9 (pid: 14750)`.
        let r = r.trim_start();
        if let Some(code) = r
            .strip_prefix(':')
            .map(str::trim_start)
            .and_then(|c| c.split_whitespace().next())
            && r.contains("(pid:")
            && code != "0"
        {
            return launcher_exit(code);
        }
    }
    if t.has("Signal 9 (SIGKILL) received by PID") {
        return sig(
            Killed,
            true,
            "worker killed by SIGKILL (likely host out of memory)",
        );
    }
    if t.contains("NCCL WARN") || t.contains("Duplicate GPU detected") {
        return sig(Distributed, false, "NCCL warning");
    }
    // cuda
    if t.contains("torch.AcceleratorError")
        || t.contains("CUDA error: ")
        || t.contains("device-side assert triggered")
        || t.has("an illegal memory access was encountered")
    {
        // The message ends at the first (possibly escaped, `\n`) line
        // break: the advice after it is the same for every CUDA error.
        let detail = t.find_word("CUDA error: ").map(|p| {
            let d = &t[p + 12..];
            let d = d.split("\\n").next().unwrap_or(d);
            d.trim_end_matches('.').to_string()
        });
        return sig(
            Cuda,
            true,
            match detail {
                Some(d) if !d.is_empty() => format!("CUDA error: {}", cap(&d, 80)),
                _ => "CUDA error".to_string(),
            },
        );
    }
    // cuBLAS / cuDNN failures other than allocation (memory, above).
    if let Some(status) = library {
        return sig(Cuda, true, format!("CUDA library error ({status})"));
    }
    if t.contains("cuDNN error") {
        return sig(Cuda, true, "cuDNN error");
    }
    // The GPU itself failed: ROCm's `HW Exception by GPU node-9 (...) reason
    // :GPU Hang`, NVIDIA's Xid 79 `GPU has fallen off the bus`.
    if t.contains("GPU Hang") && t.contains("HW Exception") {
        return sig(Cuda, true, "GPU hardware exception (GPU hang)");
    }
    if (t.contains("Xid") || t.contains("NVRM")) && t.contains("fallen off the bus") {
        return sig(Cuda, true, "GPU fell off the bus (hardware fault)");
    }
    // No GPU visible to the process (a driver or `CUDA_VISIBLE_DEVICES`
    // problem, or a node without one): torch's `No CUDA GPUs are
    // available`, DeepSpeed's launcher `Unable to proceed, no GPU resources
    // available`.
    if t.contains("No CUDA GPUs are available") || t.contains("no GPU resources available") {
        return sig(Cuda, true, "no GPU visible to the process");
    }
    // CUDA touched before a `fork` (a notebook's cell before accelerate's
    // `notebook_launcher`, a DataLoader worker that calls CUDA):
    // `RuntimeError: Cannot re-initialize CUDA in forked subprocess. To use
    // CUDA with multiprocessing, you must use the 'spawn' start method`.
    if t.has("Cannot re-initialize CUDA in forked subprocess") {
        return sig(
            Cuda,
            true,
            "CUDA used before a fork (use the 'spawn' start method; in a notebook, touch no CUDA before the launcher)",
        );
    }
    // Built for another GPU generation (or a CUDA mismatch).
    if t.has("no kernel image is available for execution on the device") {
        return sig(
            Cuda,
            true,
            "no CUDA kernel for this GPU (built for another architecture)",
        );
    }
    // The host's driver, the image's builds, the downloads a run needs:
    // one pass says whether any of those signatures can be here.
    if SETUP_ANCHORS.any_in(t.as_bytes())
        && let Some(found) = setup_failure(t)
    {
        return Some(found);
    }
    // data loader
    // An exception in the dataset or collate code, re-raised by the main
    // process: `AttributeError: Caught AttributeError in DataLoader worker
    // process 0.`
    if let Some(p) = t.find_word("Caught ")
        && let rest = &t[p + "Caught ".len()..]
        && let Some(q) = rest.find_word(" in DataLoader worker process")
    {
        let what = &rest[..q];
        // (An import in the dataset code that failed, like torchaudio's
        // `load` without torchcodec: the environment's fault, not the data's.)
        if matches!(what, "ImportError" | "ModuleNotFoundError") {
            return sig(
                Dependency,
                true,
                format!("{what} in a DataLoader worker (a module the dataset code imports)"),
            );
        }
        return sig(
            Data,
            true,
            format!(
                "{} in a DataLoader worker (dataset or collate code)",
                cap(what, 60)
            ),
        );
    }
    // A corrupt JSON Lines file under 🤗 Datasets (`pyarrow.lib.
    // ArrowInvalid: JSON parse error: Missing a closing quotation mark in
    // string. in row 4117`): where it is, before the wrapper below.
    if let Some(p) = t.find("ArrowInvalid: JSON parse error: ") {
        return sig(
            Data,
            true,
            format!(
                "a JSON data file is malformed: {}",
                cap(&t[p + "ArrowInvalid: ".len()..], 100)
            ),
        );
    }
    // 🤗 datasets could not build the dataset from its files (a malformed
    // JSON line, a CSV row of another width): `datasets.exceptions.
    // DatasetGenerationError: An error occurred while generating the
    // dataset`, after the parser's own exception in the chain.
    if t.has("DatasetGenerationError: ") && !t.starts_with("raise ") {
        return sig(
            Data,
            true,
            "dataset generation failed (a malformed data file?)",
        );
    }
    // An assertion about the data failing as training starts (YOLOv5's
    // `AssertionError: train: No labels found in .../train2017.cache, can
    // not start training.`, detectron2's `Annotation ids in '...json' are
    // not unique!`, denoising-diffusion-pytorch's `you should have at least
    // 100 images in your folder`).
    if let Some(msg) = t.strip_prefix("AssertionError: ")
        && DATA_ASSERTION_WORDS.iter().any(|w| msg.contains(w))
    {
        return sig(
            Data,
            true,
            format!("the data failed a check: {}", cap(msg, 100)),
        );
    }
    if t.has("stack expects each tensor to be equal size") {
        return sig(Data, true, "batch of unequal tensor sizes (collate)");
    }
    if t.contains("DataLoader worker (pid")
        && (t.contains("is killed by signal") || t.contains("exited unexpectedly"))
    {
        if t.contains("Bus error") {
            return sig(
                Data,
                true,
                "DataLoader worker died (bus error: /dev/shm too small)",
            );
        }
        // (SIGKILL: the kernel's OOM killer picked a worker, the host's
        // memory full.)
        if t.contains("is killed by signal: Killed") {
            return sig(
                Killed,
                true,
                "DataLoader worker killed (SIGKILL: host out of memory?)",
            );
        }
        return sig(Data, true, "DataLoader worker died");
    }
    if t.has("Unexpected bus error encountered in worker") {
        return sig(
            Data,
            true,
            "DataLoader worker bus error (/dev/shm too small)",
        );
    }
    // A DataLoader worker's shared memory (`unable to write to file
    // </torch_4059_...>: No space left on device (28)`): /dev/shm, not the disk.
    if t.contains("No space left on device") && (t.contains("</torch_") || t.contains("/dev/shm")) {
        return sig(
            Data,
            true,
            "DataLoader shared memory full (/dev/shm too small)",
        );
    }
    // Ray: a worker (actor) or a node died under the job.
    if t.contains("ray.exceptions.")
        && [
            "ActorUnavailableError",
            "ActorDiedError",
            "RayActorError",
            "NodeDiedError",
            "WorkerCrashedError",
        ]
        .iter()
        .any(|w| t.contains(w))
    {
        // (ActorUnavailableError is retryable: fatal when uncaught, i.e.
        // as a traceback's exception line, not as a logged line.)
        return sig(
            Distributed,
            !t.contains("ActorUnavailableError"),
            "a Ray worker died",
        );
    }
    // The disk filled up (a checkpoint save, a dataset cache); the line
    // names the error (`OSError: [Errno 28] ...`, `write error: ...`).
    if t.contains("No space left on device") {
        // (UCX's `inotify_add_watch(/tmp) failed: No space left on device`
        // is the inotify watch limit, and UCX goes on without the watch.)
        if t.contains("inotify") {
            return sig(
                Runtime,
                false,
                "inotify watch limit reached (not a full disk)",
            );
        }
        return sig(Runtime, true, "disk full (no space left on device)");
    }
    // A path the run needs is missing (the dataset, a checkpoint to resume
    // from): `FileNotFoundError: [Errno 2] No such file or directory:
    // 'data/train.bin'`. (As the exception line only, maybe under its
    // module's name: a line that mentions one it caught goes on.)
    if let Some(p) = t.find_word("FileNotFoundError: ")
        && (p == 0 || t[..p].ends_with('.'))
        && !t[..p].contains(' ')
    {
        let rest = &t[p + "FileNotFoundError: ".len()..];
        let path = rest
            .rfind(": ")
            .map(|q| rest[q + 2..].trim())
            .filter(|x| x.len() > 2 && (x.starts_with('\'') || x.starts_with('"')));
        return sig(
            Data,
            true,
            match path {
                Some(x) => format!("file not found: {}", cap(x, 100)),
                None => "file not found".to_string(),
            },
        );
    }
    // decord cannot open a video in the data (a cut download, an unknown
    // codec): `RuntimeError: Error reading /data/videos/clip_0042.mp4...`.
    if let Some(p) = t.find_word("RuntimeError: Error reading ")
        && (p == 0 || t[..p].ends_with('.'))
        && !t[..p].contains(' ')
    {
        return sig(
            Data,
            true,
            "a video in the data cannot be read (corrupt, or a codec decord lacks)",
        );
    }
    if t.contains("Disk quota exceeded") || t.contains("FilesystemQuotaExceeded") {
        return sig(Runtime, true, "disk quota exceeded");
    }
    // `torch.save` could not write (`RuntimeError: [enforce fail at
    // inline_container.cc:603] . unexpected pos 1234 vs 1120` after
    // `PytorchStreamWriter failed writing file data/12: file write failed`):
    // almost always a full disk.
    if t.has("PytorchStreamWriter failed writing file")
        || (t.contains("inline_container.cc") && t.contains("unexpected pos "))
    {
        return sig(Runtime, true, "checkpoint write failed (disk full?)");
    }
    // argparse refusing the command line (`accelerate launch` run with an
    // empty `--machine_rank=$NODE_RANK`): `prog: error: argument
    // --machine_rank/--machine-rank: invalid int value: ''`, after the usage
    // block. Nothing ran.
    if let Some(p) = t.find_word(": error: ")
        && p > 0
        && [
            "argument ",
            "unrecognized arguments: ",
            "the following arguments are required: ",
        ]
        .iter()
        .any(|w| t[p + 9..].starts_with(w))
    {
        return sig(
            Runtime,
            true,
            format!("bad command line: {}", cap(&t[p + 9..], 120)),
        );
    }
    // torch.compile's (Triton's) build linking against the driver's
    // library, which the image does not expose: `/usr/bin/ld: cannot find
    // -lcuda: No such file or directory`.
    if t.contains("cannot find -lcuda") {
        return sig(
            Dependency,
            true,
            "the linker cannot find libcuda (torch.compile's build: the driver's libcuda.so not on the link path)",
        );
    }
    // TensorFlow's causes under its `Graph execution error:` (2.9+): cuDNN
    // missing or of another version (`DNN library is not found.`), NCCL
    // that could not start (`ncclCommInitRank failed: unhandled system
    // error`), the input pipeline's failure (`[[IteratorGetNext]]`, after
    // `Field 4 in record 0 is not a valid float: N/A`).
    if t.starts_with("DNN library is not found") {
        return sig(
            Dependency,
            true,
            "cuDNN not found or of another version than TensorFlow was built with",
        );
    }
    if t.contains("ncclCommInitRank failed") {
        return sig(Distributed, true, "NCCL could not start its communicator");
    }
    if t.starts_with("[[") && t.contains("IteratorGetNext") {
        return sig(
            Data,
            true,
            "the input pipeline (tf.data) failed on the data",
        );
    }
    // A JSON file that does not parse (a JSON Lines dataset, mostly):
    // `json.decoder.JSONDecodeError: Expecting ',' delimiter: line 1 column
    // 88 (char 87)`; PaddleSeg's file list: `ValueError: File list format
    // incorrect!`.
    if t.contains("JSONDecodeError: ") || t.contains("File list format incorrect") {
        return sig(
            Data,
            true,
            format!("a data file cannot be parsed: {}", cap(t, 100)),
        );
    }
    // A native crash reported by glog's handler (COLMAP): `*** SIGABRT
    // (@0x3e8000a8e9f) received by PID 691995 (TID ...); stack trace: ***`.
    if let Some(r) = t.strip_prefix("*** SIG")
        && r.contains(" received by PID ")
    {
        let name = r.split(' ').next().unwrap_or("");
        return sig(
            Runtime,
            true,
            format!("process crashed (SIG{})", cap(name, 8)),
        );
    }
    // A program's own `Error: ` lines that say what failed (a bare one in
    // general is said, not the end: see `ErrorTracker::line_under`).
    // Marian's: the cause (`Error: SentencePiece vocabulary file
    // model/vocab.spm does not exist`), then where it aborted (`Error:
    // Aborted from virtual size_t marian::SentencePieceVocab::load(...)`).
    if let Some(msg) = t.strip_prefix("Error: ") {
        if msg.ends_with(" does not exist") {
            return sig(Data, true, format!("file not found: {}", cap(msg, 100)));
        }
        if msg.starts_with("Aborted from ") {
            return sig(Runtime, true, "the program aborted (see the error before)");
        }
        // Applio's check before it trains: `Error: Pretrained model sample
        // rate (48000 Hz) does not match dataset audio sample rate (40000
        // Hz).`
        if msg.contains("sample rate") && msg.contains("does not match") {
            return sig(
                Data,
                true,
                "the audio's sample rate does not match the pretrained model's",
            );
        }
        // Click refusing an option (after its usage line, or raised by the
        // script as a `ClickException`: EDM's `Error: --data: Path must
        // point to a directory or zip`). A path that is not there is the
        // data's.
        if msg.starts_with("--")
            || msg.starts_with("Invalid value for '--")
            || msg.starts_with("Missing option '--")
            || msg.starts_with("No such option: --")
        {
            let path = ["Path ", "path ", "does not exist", "directory"]
                .iter()
                .any(|w| msg.contains(w));
            return sig(
                if path { Data } else { Runtime },
                true,
                format!("bad command line: {}", cap(msg, 120)),
            );
        }
    }
    // A molecule in the data RDKit cannot parse (chemprop: `RuntimeError:
    // SMILES CC(=O)Nc1ccc(O)cc1)C is invalid! (RDKit returned None)`); a
    // label or feature column holding text (`ValueError: could not convert
    // string to float: 'inactive'`).
    if (t.contains("SMILES ") && t.contains(" is invalid"))
        || t.contains("could not convert string to float")
    {
        return sig(
            Data,
            true,
            format!("a value in the data cannot be read: {}", cap(t, 100)),
        );
    }
    // Inputs the toolkit refuses: fairseq's `Exception: Size of sample #4185
    // is invalid (=(1187, 964)) since max_positions=(1024, 1024)`,
    // OpenNMT-py's `OSError: Please check path of your src vocab file!`,
    // spaCy's annotations it cannot learn from (`ValueError: [E024] Could
    // not find an optimal move to supervise the parser`).
    // (The first is an `Exception`, anchored by no word: read as its
    // traceback closes.)
    // (llm-foundry: `NotEnoughDatasetSamplesError: Your dataset (name=...,
    // split=train) has 120 samples, but your minimum batch size is 128`.)
    if (t.contains("Size of sample #") && t.contains(" is invalid"))
        || t.contains("Please check path of your ")
        || t.contains("NotEnoughDatasetSamplesError")
        || t.contains("[E024] Could not find an optimal move")
    {
        return sig(
            Data,
            true,
            format!("the data does not fit the toolkit: {}", cap(t, 100)),
        );
    }
    // CPython's own abort, a thread dump after it (`Fatal Python error:
    // none_dealloc: deallocating None`; faulthandler's `Fatal Python error:
    // Segmentation fault`): the interpreter stops there.
    if let Some(what) = t.strip_prefix("Fatal Python error: ") {
        let what = what.trim();
        return sig(
            Runtime,
            true,
            if what.starts_with("Segmentation fault") {
                "process crashed (segmentation fault)".to_string()
            } else if what.starts_with("Aborted") {
                "process aborted (Fatal Python error)".to_string()
            } else {
                format!(
                    "Python interpreter crashed (Fatal Python error: {})",
                    cap(what, 80)
                )
            },
        );
    }
    // Keras' `TerminateOnNaN` callback, glued to the progress line it cut
    // short: `3/234 [....] - ETA: 33:37:24 - loss: 44.4110Batch 3: Invalid
    // loss, terminating training`.
    if t.ends_with(KERAS_TERMINATE_ON_NAN) {
        return sig(
            Runtime,
            true,
            "the loss became NaN or infinite and Keras' TerminateOnNaN stopped training",
        );
    }
    // The process crashed in native code. (bash pads the signal's name to
    // a column: `./run.sh: line 7:   412 Aborted                 (core
    // dumped) python prep.py`.)
    for (what, core, label) in [
        (
            "Segmentation fault",
            false,
            "process crashed (segmentation fault)",
        ),
        ("Bus error", true, "process crashed (bus error)"),
        (
            "Floating point exception",
            true,
            "process crashed (floating point exception: an integer division by zero?)",
        ),
        ("Aborted", true, "process aborted (core dumped)"),
        (
            "Illegal instruction",
            true,
            "process crashed (illegal instruction)",
        ),
    ] {
        let reported = |p: usize| {
            !core
                || t[p + what.len()..]
                    .trim_start()
                    .starts_with("(core dumped)")
        };
        if (t.starts_with(what) && reported(0))
            || (t.contains(": line ") && t.find_word(what).is_some_and(reported))
        {
            return sig(Runtime, true, label);
        }
    }
    // Slurm / the launcher stopped the job. (Newer Slurm heads the line
    // with its time only: `[2026-02-06T10:15:37.189] error: *** JOB 4523781
    // ON della-i23g1 CANCELLED AT ... DUE to SIGNAL Terminated ***`.)
    if t.contains("CANCELLED")
        && (t.contains("slurmstepd")
            || ((t.contains("*** JOB ") || t.contains("*** STEP "))
                && t.contains(" CANCELLED AT ")))
    {
        return sig(
            Killed,
            true,
            if t.contains("TIME LIMIT") {
                "job cancelled by Slurm (time limit)"
            } else {
                "job cancelled by Slurm"
            },
        );
    }
    // bash's report of a job SIGTERM stopped (a spot instance reclaimed, a
    // `timeout`): `./run.sh: line 5:   311 Terminated              python
    // train.py`, or `Terminated` alone.
    if t == "Terminated" || (t.contains(": line ") && t.find_word(" Terminated ").is_some()) {
        return sig(Killed, true, "stopped by SIGTERM");
    }
    if t.contains("received SIGTERM") || t.contains("Received SIGTERM") {
        return sig(Killed, true, "stopped by SIGTERM");
    }
    if t.contains("received SIGINT") || t.contains("Received SIGINT") {
        return sig(Killed, true, "interrupted (SIGINT)");
    }
    if t.contains("walltime") && t.contains("exceeded") {
        return sig(
            Killed,
            true,
            "job killed by the scheduler (walltime exceeded)",
        );
    }
    // torchelastic forwarding a signal to its workers.
    if t.contains("SignalException") && t.contains("got signal") {
        let n = t.rsplit("got signal:").next().map(str::trim).unwrap_or("");
        return sig(Killed, true, stopped_by_signal(n));
    }
    // torchelastic's agent itself got a signal and stops its workers
    // (`api.py:723] Received 1 death signal, shutting down workers`; older
    // torch names it: `Received Signals.SIGTERM death signal`): the job was
    // stopped from outside (the scheduler, a closed terminal).
    if let Some(r) = t.strip_suffix(DEATH_SIGNAL)
        && let Some(p) = r.rfind("Received ")
    {
        let n = r[p + "Received ".len()..].trim_start_matches("Signals.");
        return sig(Killed, true, format!("torchrun {}", stopped_by_signal(n)));
    }
    // (torch.multiprocessing.spawn: `ProcessExitedException: process 0
    // terminated with signal SIGKILL`.)
    if t.contains("Signals.SIGKILL") || t.contains("terminated with signal SIGKILL") {
        return sig(
            Killed,
            true,
            "process killed by SIGKILL (likely host out of memory)",
        );
    }
    // Ctrl-C / SIGINT: somebody (or a scheduler) stopped the run.
    // (Lightning: `Detected KeyboardInterrupt, attempting graceful shutdown ...`,
    // which Lightning 1.x raised as a warning: `.../trainer/call.py:54:
    // UserWarning: Detected KeyboardInterrupt, ...`.)
    if t == "KeyboardInterrupt"
        || t.starts_with("KeyboardInterrupt:")
        || t.starts_with("Detected KeyboardInterrupt, attempting graceful shutdown")
        || (t.ends_with("attempting graceful shutdown...")
            && t.has(": UserWarning: Detected KeyboardInterrupt"))
        // (A loop's own `except KeyboardInterrupt:` message: `Training
        // interrupted by user`; nanoGPT forks' `KeyboardInterrupt, saving
        // checkpoint before exit`.)
        || (t.len() < 120
            && (t.contains("nterrupted by user") || t.starts_with("KeyboardInterrupt, ")))
    {
        return sig(Killed, true, "interrupted (Ctrl-C / SIGINT)");
    }
    // host OOM killer
    // (Or glued to the progress line it cut short, where the terminal had
    // no newline: Keras' `165376/296960 [====>....] - ETA: 365s - loss:
    // 2.1371Killed`.)
    if t == "Killed"
        || (t.ends_with("Killed") && t.len() < 24)
        || t.strip_suffix("Killed")
            .and_then(|r| r.bytes().last())
            .is_some_and(|c| c.is_ascii_digit() || c == b']')
    {
        return sig(Killed, true, "process killed (host out of memory?)");
    }
    if t.contains(" Killed ") && t.contains(": line ") {
        return sig(Killed, true, "process killed (host out of memory?)");
    }
    if t.contains("Out of memory: Kill")
        || t.contains("invoked oom-killer")
        || t.contains("oom-kill:")
    {
        let comm = t
            .find('(')
            .and_then(|p| t[p + 1..].split(')').next())
            .filter(|c| c.len() < 40);
        return sig(
            Killed,
            true,
            match comm {
                Some(c) if t.contains("Out of memory") => format!("host OOM killer killed {c}"),
                _ => "host OOM killer fired".to_string(),
            },
        );
    }
    // PaddlePaddle's launcher on a worker that died: `Container rank 3 status
    // failed cmd ['/usr/bin/python', ...] code -9 log log/workerlog.3`.
    if let Some(r) = t.strip_prefix("Container rank ")
        && r.contains(" status failed cmd ")
        && let Some(p) = r.rfind("] code ")
    {
        let code = r[p + 7..].split(' ').next().unwrap_or("");
        return match code {
            "-9" => sig(
                Killed,
                true,
                "a worker was killed by SIGKILL (likely host out of memory)",
            ),
            c => sig(
                Distributed,
                true,
                format!(
                    "Paddle's launcher: a worker process failed (code {})",
                    cap(c, 8)
                ),
            ),
        };
    }
    // Kaldi's recipes: a job of the training script failed (`run.pl: job
    // failed, log is in exp/chain/tdnn1a_sp/log/train.57.2.log`), and its
    // waiter says so (`background_command_waiter - ERROR ] Command exited
    // with status 1: run.pl ...`).
    if let Some(r) = t
        .strip_prefix("run.pl: job failed, log is in ")
        .or_else(|| t.strip_prefix("queue.pl: job failed, log is in "))
    {
        return sig(
            Runtime,
            true,
            format!("a Kaldi job failed (its log: {})", cap(r.trim(), 80)),
        );
    }
    if t.has("background_command_waiter - ERROR ] Command exited with status ") {
        return sig(Runtime, true, "a Kaldi job failed");
    }
    // Slurm's step daemon counting the kernel's kills in the job's cgroup
    // (`slurmstepd: error: Detected 1 oom_kill event in StepId=52001.0. Some
    // of the step tasks have been OOM Killed.`; older: `oom-kill event(s)`).
    if let Some(p) = t.find_word("kill event")
        && p >= 4
        && matches!(&t.as_bytes()[p - 4..p], b"oom_" | b"oom-")
    {
        return sig(
            Killed,
            true,
            "host OOM killer killed the job's tasks (Slurm)",
        );
    }
    // srun's word on how a task ended (`srun: error: node17: task 0: Out Of
    // Memory`, `...: task 0: Killed`, `...: task 1: Exited with exit code 137`).
    if let Some(r) = t.strip_prefix("srun: error: ")
        && let Some(p) = r.find(": task ")
        && let Some((_, how)) = r[p + 7..].split_once(": ")
    {
        let how = how.trim_end();
        if how == "Out Of Memory" {
            return sig(Killed, true, "host OOM killer killed a task (Slurm)");
        }
        if how == "Killed" {
            return sig(Killed, true, "a task was killed (Slurm)");
        }
        if let Some(code) = how.strip_prefix("Exited with exit code ") {
            return exit_code(code);
        }
    }
    // systemd's account of a unit (`journalctl -u train`): `train.service: A
    // process of this unit has been killed by the OOM killer.`, `Failed with
    // result 'oom-kill'.`, `Main process exited, code=killed, status=9/KILL`.
    if t.contains("killed by the OOM killer") || t.contains("with result 'oom-kill'") {
        return sig(Killed, true, "host OOM killer fired");
    }
    if t.ends_with("Main process exited, code=killed, status=9/KILL") {
        return sig(
            Killed,
            true,
            "killed by SIGKILL (likely host out of memory)",
        );
    }
    // A container or a wrapper script reporting SIGKILL's exit status
    // (`trainer-1 exited with code 137`, `train.py exited with code 137`).
    // (Horovod's `Process 2 exit with status code 137.`.)
    if t.trim_end_matches('.').ends_with("code 137") && t.contains("exit") {
        return exit_code("137");
    }
    // Open MPI: `mpirun noticed that process rank 0 with PID 0 on node
    // gpu-node-4 exited on signal 9 (Killed).`, `mpirun detected that one or
    // more processes exited with non-zero status, thus causing`.
    if let Some(r) = t.strip_prefix("mpirun noticed that process rank ")
        && let Some(p) = r.find("exited on signal ")
    {
        let signal = r[p + 17..].split(' ').next().unwrap_or("");
        return match signal {
            "9" => sig(
                Killed,
                true,
                "an MPI rank was killed by SIGKILL (likely host out of memory)",
            ),
            "11" => sig(Runtime, true, "an MPI rank crashed (segmentation fault)"),
            n => sig(
                Killed,
                true,
                format!("an MPI rank died on signal {}", cap(n, 8)),
            ),
        };
    }
    if t.starts_with("mpirun detected that one or more processes exited with non-zero status") {
        return sig(Runtime, true, MPI_RANK_FAILED);
    }
    // The DeepSpeed launcher as it stops the other workers: `['/usr/bin/python3',
    // '-u', 'train.py', '--local_rank=7', ...] exits with return code = -9`
    // (after its `Killing subprocess 5530` lines).
    if t.starts_with('[')
        && let Some(p) = t.find("] exits with return code = ")
    {
        return deepspeed_launcher_exit(t[p + 27..].trim());
    }
    // llm.c's checks of its file writes and allocations, which exit:
    // `Error: File write error at llmc/utils.h:116` (then `Expected
    // elements: ...`, `Written elements: ...`: a full disk, mostly).
    if let Some(r) = t.strip_prefix("Error: ") {
        if r.starts_with("File write error at ") {
            return sig(Runtime, true, "file write failed (disk full?)");
        }
        if r.starts_with("Memory allocation failed at ") {
            return sig(Memory, true, "host memory allocation failed");
        }
    }
    // submitit's handler once the scheduler preempted the job (or its time
    // ran out): it requeued the job and exits.
    if t.ends_with("Exiting gracefully after preemption/timeout.") {
        return sig(
            Killed,
            true,
            "job preempted or out of time (requeued by submitit)",
        );
    }
    // AReaL's local launcher raises once the trainer's process is gone, also
    // after a clean finish (`areal.utils.launcher.JobException: Job
    // gsm8k-grpo_trial0:trainer JobState.COMPLETED at node local`).
    if t.contains("JobException") && t.contains("JobState.COMPLETED") {
        return sig(Runtime, false, AREAL_JOB_COMPLETED);
    }
    // A supervisor on the process it ran (prime-rl: `Error: Orchestrator
    // failed with exit code 1`).
    // (SIGKILL's 137 reads as the other reports of it do.)
    if let Some(p) = t.find_word(" failed with exit code ")
        && !t.starts_with("error: command ")
    {
        let code = t[p + " failed with exit code ".len()..]
            .split(|c: char| !c.is_ascii_digit() && c != '-')
            .next()
            .unwrap_or("");
        if code == "137" {
            return exit_code(code);
        }
        if !code.is_empty() && code != "0" {
            let what = t[..p].rsplit([' ', ':']).next().filter(|w| !w.is_empty());
            return sig(
                Runtime,
                true,
                format!(
                    "{} failed (exit code {})",
                    cap(what.unwrap_or("a process"), 40),
                    cap(code, 8)
                ),
            );
        }
    }
    // A CUDA extension compiled at first use (`torch.utils.cpp_extension.load`):
    // nvcc or the host compiler failed. (Raised: `RuntimeError: Error building
    // extension 'bias_act_plugin': ...`; StyleGAN2-ADA's warning that quotes
    // it and falls back to slow kernels is not.)
    if let Some(p) = t.find_word("Error: Error building extension '") {
        let name = quoted_after(&t[p + 7..], "extension").unwrap_or("?");
        return sig(
            Dependency,
            true,
            format!("could not build the CUDA extension '{}'", cap(name, 40)),
        );
    }
    if let Some(m) = t.find_word("ModuleNotFoundError: No module named") {
        let name = quoted_after(&t[m..], "named").unwrap_or("?");
        return sig(Dependency, true, format!("missing Python module '{name}'"));
    }
    // A library without the attribute the code expects: a version
    // mismatch (`AttributeError: module 'numpy' has no attribute
    // '_no_nep50_warning'`). (A project's own module is a bug, not this.)
    if let Some(p) = t.find_word("AttributeError: module '")
        && let Some(name) = quoted_after(&t[p..], "module")
        && KNOWN_LIBRARIES.contains(&name.split('.').next().unwrap_or(name))
        && t[p..].contains("has no attribute")
    {
        return sig(
            Dependency,
            true,
            format!("{} version mismatch (missing attribute)", cap(name, 40)),
        );
    }
    // (`ImportError:` alone: a console that wrapped the message onto the
    // next lines, PowerShell's.)
    if t.starts_with("ImportError:") || t.contains(" ImportError: ") {
        if t.contains("cannot open shared object file") {
            return sig(Dependency, true, MISSING_LIBRARY);
        }
        let name = quoted_after(t, "cannot import name").map(|n| format!("cannot import '{n}'"));
        return sig(
            Dependency,
            true,
            name.unwrap_or_else(|| "import failed".to_string()),
        );
    }
    // A library that cannot be loaded outside Python's import: torch's own
    // (`OSError: libcudnn.so.8: cannot open shared object file`, `OSError:
    // .../libcublas.so.12: undefined symbol: ...`), or cuDNN's loader under
    // another runtime (faster-whisper's CTranslate2: `Could not load
    // library libcudnn_ops_infer.so.8. Error: ...`, then an abort). (Not
    // NCCL's plugin probe, nor TensorFlow's `Could not load dynamic
    // library`: both go on without it.)
    if (t.starts_with("OSError: ")
        && (t.contains("cannot open shared object file") || t.contains("undefined symbol")))
        || (t.starts_with("Could not load library ")
            && t.contains("cannot open shared object file"))
        // (PaddlePaddle: `RuntimeError: (PreconditionNotMet) Cannot load cudnn
        // shared library. Cannot invoke method cudnnGetVersion.`)
        || (t.has("(PreconditionNotMet) Cannot load ") && t.contains(" shared library"))
    {
        let what = if t.contains("undefined symbol") {
            "shared library mismatch (undefined symbol)"
        } else {
            MISSING_LIBRARY
        };
        return sig(Dependency, true, what);
    }
    // pip's resolver: `ERROR: ResolutionImpossible: ...`, `ERROR: Cannot
    // install a and b because these package versions have conflicting
    // dependencies.`
    if t.contains("ResolutionImpossible")
        || (t.contains("Cannot install") && t.contains("conflicting dependencies"))
    {
        return sig(
            Dependency,
            true,
            format!("{PIP} found conflicting package requirements"),
        );
    }
    if t.has("No matching distribution found for") {
        let pkg = t
            .split("found for")
            .nth(1)
            .map(|p| p.trim().trim_end_matches('.'))
            .unwrap_or("?");
        return sig(
            Dependency,
            true,
            format!("{PIP} could not install {}", cap(pkg, 80)),
        );
    }
    if t.has("Could not find a version that satisfies the requirement") {
        let pkg = t
            .split("requirement")
            .nth(1)
            .and_then(|p| p.split_whitespace().next())
            .unwrap_or("?");
        return sig(Dependency, true, format!("{PIP} could not install {pkg}"));
    }
    if t.has("error: subprocess-exited-with-error")
        || t.contains("Failed building wheel for")
        || t.has("error: metadata-generation-failed")
        || t.has("Failed to build installable wheels")
    {
        return sig(Dependency, true, format!("{PIP} package build failed"));
    }
    // uv: `× No solution found when resolving dependencies:` (`error: ...`
    // before 0.4), `× Failed to build `flash-attn==2.7.4``, `error: Failed
    // to fetch: `https://pypi.org/simple/torch/``.
    let uv = t.strip_prefix("× ").or_else(|| t.strip_prefix("error: "));
    if let Some(r) = uv {
        if r.starts_with("No solution found when resolving dependencies") {
            return sig(
                Dependency,
                true,
                format!("{UV} could not resolve the requirements"),
            );
        }
        if let Some(what) = r
            .strip_prefix("Failed to build `")
            .or_else(|| r.strip_prefix("Failed to build: `"))
        {
            let what = what.split('`').next().unwrap_or(what);
            return sig(
                Dependency,
                true,
                format!("{UV} package build failed: {}", cap(what, 80)),
            );
        }
        if let Some(url) = r.strip_prefix("Failed to fetch: `") {
            let url = url.split('`').next().unwrap_or(url);
            return sig(
                Dependency,
                true,
                format!("{UV} could not download {} (network?)", cap(url, 80)),
            );
        }
    }
    // conda's solver.
    if t.starts_with("PackagesNotFoundError:") || t.starts_with("ResolvePackageNotFound") {
        return sig(
            Dependency,
            true,
            format!("{CONDA} could not find the packages"),
        );
    }
    if t.starts_with("UnsatisfiableError:") {
        return sig(
            Dependency,
            true,
            format!("{CONDA} found conflicting package requirements"),
        );
    }
    if t.has("CUDA_HOME environment variable is not set") {
        return sig(
            Dependency,
            true,
            "CUDA_HOME not set (building a CUDA extension)",
        );
    }
    if t.contains("WARNING: Retrying (Retry(") {
        return sig(Dependency, false, "pip retrying (network?)");
    }
    // divergence warnings
    if t.contains("OVERFLOW!") && t.contains("Skipping step") {
        return sig(Runtime, false, "fp16 loss-scale overflow (step skipped)");
    }
    // (Last: its known messages have their own signatures above.)
    // A CUDA call that failed in a library's own check, which exits
    // (bitsandbytes' `Error named symbol not found at line 74 in file
    // /.../csrc/ops.cu`), printed after a bar's frame on the same line.
    if [".cu", ".cuh", ".cpp"].iter().any(|x| t.ends_with(x))
        && let Some(p) = t.find("Error ")
        && let rest = &t[p + "Error ".len()..]
        && let Some(at) = rest.find(" at line ")
        && rest[at..].contains(" in file ")
    {
        return sig(
            Cuda,
            true,
            format!("CUDA error in a native library: {}", cap(&rest[..at], 60)),
        );
    }
    None
}

/// Words of which every [`setup_failure`] signature holds one.
/// Words of [`library_failure`]'s signatures (see [`Anchors`]).
const LIBRARY_ANCHORS: super::parse::Anchors<15> = super::parse::Anchors::new([
    b"appropriate backend",
    b"sndfile",
    b"AudioLoadingError",
    b"version of dgl",
    b"graphbolt",
    b"Ninja",
    b"CUDA: out",
    b"DGL_DIST",
    b"Error Code 2",
    b"GPU RAM",
    b"NoneType",
    b"Failed (CUDA",
    b"MaxRuntimeExceeded",
    b"out-of-memory and",
    b"DeadKernelError",
]);

/// Failures of the libraries under a training job (audio decoding, DGL,
/// quantization and engine builds, ESMFold) and of the platforms running it
/// (SageMaker, Vertex AI, a notebook runner), told by their own messages.
fn library_failure(t: &str) -> Option<Signature> {
    use ErrorClass::*;
    // torchaudio with no backend to decode audio (`RuntimeError: Couldn't
    // find appropriate backend to handle uri x.flac and format None.`): no
    // FFmpeg, sox or soundfile in the environment.
    if t.contains("Couldn't find appropriate backend to handle uri") {
        return sig(
            Dependency,
            true,
            "torchaudio has no audio backend (install soundfile or FFmpeg)",
        );
    }
    // soundfile without libsndfile (`OSError: sndfile library not found`).
    if t.contains("sndfile library not found") {
        return sig(
            Dependency,
            true,
            "libsndfile is not installed (soundfile cannot load it)",
        );
    }
    // lhotse could not read an audio file (`lhotse.audio.AudioLoadingError:
    // Reading audio from '...flac' failed`): a corrupt or unsupported file.
    if t.contains("AudioLoadingError: ") {
        return sig(Data, true, "an audio file could not be read");
    }
    // DGL without its CUDA build (`DGLError: [..] Device API cuda is not
    // enabled. Please install the cuda version of dgl.`), without its
    // GraphBolt library for this torch (`Cannot find DGL C++ graphbolt
    // library at .../libgraphbolt_pytorch_2.4.1.so`); a C++ extension
    // built at import without ninja.
    if t.contains("Please install the cuda version of dgl")
        || t.contains("Cannot find DGL C++ graphbolt library")
        || t.contains("Ninja is required to load C++ extensions")
    {
        let what = if t.contains("graphbolt") {
            "DGL's GraphBolt library is missing for this torch version"
        } else if t.contains("Ninja") {
            "ninja is not installed (needed to build a C++ extension)"
        } else {
            "DGL is installed without CUDA support"
        };
        return sig(Dependency, true, what);
    }
    // DGL's allocator (`DGLError: [..] .../cuda_device_api.cc:103: Check
    // failed: e == cudaSuccess || e == cudaErrorCudartUnloading: CUDA: out
    // of memory`).
    if t.contains("CUDA: out of memory") {
        return sig(Memory, true, "CUDA out of memory (DGL)");
    }
    // DistDGL's client that never reached its servers (`DGLError: Failed to
    // connect to server 0 after 1024 retries. Please check network or set
    // DGL_DIST_MAX_TRY_TIMES`).
    if t.contains("Failed to connect to server") && t.contains("DGL_DIST") {
        return sig(Distributed, true, "DistDGL could not reach its servers");
    }
    // TensorRT's builder out of GPU memory (`[TRT] [E] 2: [virtualMemory
    // Buffer.cpp::resizePhysical::140] Error Code 2: OutOfMemory (no further
    // information)`): the engine build fails after it.
    if t.contains("Error Code 2: OutOfMemory") {
        return sig(
            Memory,
            true,
            "TensorRT ran out of GPU memory building the engine",
        );
    }
    // transformers' refusal to quantize a model that does not fit
    // (`ValueError: Some modules are dispatched on the CPU or the disk. Make
    // sure you have enough GPU RAM to fit the quantized model.`).
    if t.contains("Make sure you have enough GPU RAM") {
        return sig(
            Memory,
            true,
            "the quantized model does not fit in GPU memory (modules dispatched to the CPU or disk)",
        );
    }
    // bitsandbytes without its CUDA library: its native handle is `None`
    // (`AttributeError: 'NoneType' object has no attribute
    // 'cquantize_blockwise_fp16_nf4'`), and a warning said why.
    // ESMFold's `fold.py` skips a sequence too long for the GPU and goes
    // on: `Failed (CUDA out of memory) on sequence sp|P10410 of length 2215.`
    if t.contains("Failed (CUDA out of memory) on sequence") {
        return sig(
            Memory,
            false,
            "a sequence did not fit in GPU memory and was skipped",
        );
    }
    // Managed platforms that stopped the job: SageMaker's `MaxRuntimeExceeded
    // - Job stopped due to max runtime`; Vertex AI's `The replica
    // workerpool0-0 ran out-of-memory and exited with a non-zero status of
    // 9(SIGKILL)`; a notebook runner whose kernel died (`nbclient.exceptions.
    // DeadKernelError: Kernel died`, most often the host's memory).
    if t.contains("MaxRuntimeExceeded - ") {
        return sig(Killed, true, "SageMaker stopped the job at its max runtime");
    }
    if t.contains("ran out-of-memory and exited") {
        return sig(
            Killed,
            true,
            "the platform killed the replica: out of host memory",
        );
    }
    if t.contains("DeadKernelError: Kernel died") {
        return sig(
            Killed,
            true,
            "the notebook's kernel died (out of host memory?)",
        );
    }
    if let Some(p) = t.find("'NoneType' object has no attribute 'c")
        && let attr = &t[p + "'NoneType' object has no attribute '".len()..]
        && ["quantize", "adam", "blockwise", "_ptr", "bit_"]
            .iter()
            .any(|w| attr.split('\'').next().unwrap_or("").contains(w))
    {
        return sig(
            Dependency,
            true,
            "bitsandbytes has no GPU library (an install without CUDA support)",
        );
    }
    None
}

const SETUP_ANCHORS: super::parse::Anchors<38> = super::parse::Anchors::new([
    b"NVIDIA driver",
    b"Error 80",
    b"bf16/gpu",
    b"not compiled with CUDA",
    b"GatedRepo",
    b"gated repo",
    b"RepositoryNotFound",
    b"huggingface.co",
    b"HeaderTooLarge",
    b"Unpickling",
    b"api_key",
    b"wandb",
    b"PyTorch install",
    b"gpu architecture",
    b"OutOfResources",
    b"429 Client",
    b"CUDA driver version",
    b"GPU available",
    b"deserializing header",
    b"RESOURCE_EXHAUSTED",
    b"memory error on GPU",
    b"CUDA Setup failed",
    b"Tree Learner",
    b"communicate with the NVIDIA",
    b"CUDA initialization",
    b"Failed to import transformers",
    b"FlashAttention only",
    // (Each word's first two byte pairs are rare in text: see `Anchors`.)
    b"CUDA-enabled",
    b"CUDA backend failed",
    b"jaxlib version",
    b"Python.h",
    b"hf_transfer",
    b"Hub (",
    b"DataFrame.dtypes",
    b"Invalid type",
    b"Unable to parse",
    b"ImageFileError",
    b"`gpu_memory",
]);

/// The loops of MAE, DeiT, DINO and DETR (their `MetricLogger` family) end
/// so when the loss is not finite: `Loss is nan, stopping training`, then
/// `sys.exit(1)`.
fn loss_stopped_training(t: &str) -> Option<Signature> {
    let value = t
        .strip_prefix("Loss is ")?
        .strip_suffix(", stopping training")?;
    sig(
        ErrorClass::Runtime,
        true,
        format!(
            "the loss became {} and the loop stopped training",
            cap(value, 24)
        ),
    )
}

/// What a setup script's shell says went wrong before any training: git
/// without access to the repository, a command or a script that is not
/// there, a binary built for another CPU.
fn setup_shell_failure(t: &str) -> Option<Signature> {
    use ErrorClass::Dependency;
    // `git@github.com: Permission denied (publickey).`
    if t.ends_with("Permission denied (publickey).") {
        return sig(
            Dependency,
            true,
            format!("{GIT}: no access to the repository (this host's SSH key is not authorised)"),
        );
    }
    if let Some(r) = t.strip_prefix("fatal: ") {
        let what = if r.starts_with("could not read Username for ") {
            "the repository needs credentials (a private repository over https)"
        } else if r.starts_with("repository '") && r.ends_with("' not found") {
            "repository not found"
        } else if r.starts_with("Could not read from remote repository") {
            "cannot read from the remote repository"
        } else {
            return None;
        };
        return sig(Dependency, true, format!("{GIT}: {what}"));
    }
    // bash's `/bin/bash: line 1: python: command not found`; dash's
    // (`sh`'s) `sh: 1: sox: not found`.
    if let Some(head) = t.strip_suffix(": command not found").or_else(|| {
        t.strip_prefix("sh: ")
            .filter(|r| r.starts_with(|c: char| c.is_ascii_digit()))
            .and_then(|_| t.strip_suffix(": not found"))
    }) {
        let command = head.rsplit(": ").next().unwrap_or(head).trim();
        return sig(
            Dependency,
            true,
            format!("{SHELL}: command not found: {}", cap(command, 60)),
        );
    }
    // Python without its script: `python: can't open file
    // '/workspace/train.py': [Errno 2] No such file or directory`.
    if let Some(p) = t.find_word(": can't open file '")
        && t.ends_with("No such file or directory")
    {
        let path = t[p + ": can't open file ".len()..]
            .split(": [Errno")
            .next()
            .unwrap_or("");
        return sig(
            Dependency,
            true,
            format!("{SHELL}: script not found: {}", cap(path, 80)),
        );
    }
    // A shell that cannot find what it was told to run: `bash:
    // scripts/train.sh: No such file or directory`, `./run.sh: line 3:
    // ./train.sh: No such file or directory`.
    if let Some(head) = t.strip_suffix(": No such file or directory")
        && (t.starts_with("bash: ")
            || t.starts_with("sh: ")
            || t.starts_with("/bin/bash: ")
            || t.contains(": line "))
    {
        let path = head.rsplit(": ").next().unwrap_or(head).trim();
        return sig(
            Dependency,
            true,
            format!("{SHELL}: no such file: {}", cap(path, 80)),
        );
    }
    // `exec /usr/local/bin/python: exec format error`.
    if t.ends_with(": exec format error") {
        return sig(
            Dependency,
            true,
            format!("{SHELL}: exec format error (the image is built for another CPU architecture)"),
        );
    }
    None
}

/// Whether a setup failure's line ends the run.
#[derive(Clone, Copy)]
enum Ends {
    Run,
    /// Unless the line is a warning's (holds `Warning`): said, and the
    /// run goes on without what it names.
    RunUnlessWarning,
    /// Only raised (an exception's line, `RuntimeError: ...`): else a
    /// warning printed on lines of its own, and the error it leads to (if
    /// any) comes later.
    WhenRaised,
}

/// What a rented host's setup gets wrong, as (words the line holds, all
/// of them; class; whether it ends the run; label).
const SETUP_FAILURES: &[(&[&str], ErrorClass, Ends, &str)] = {
    use Ends::*;
    use ErrorClass::*;
    &[
        // The driver and the image do not match (on a rented host, the
        // image's CUDA is newer than the host's driver). torch says so as a
        // warning at its first CUDA call and goes on without the GPU
        // (`UserWarning: CUDA initialization: The NVIDIA driver on your
        // system is too old (found version 11040)`, or `... Error 804:
        // forward compatibility was attempted on non supported HW`), or
        // raises it.
        (
            &["NVIDIA driver on your system is too old"],
            Cuda,
            RunUnlessWarning,
            "NVIDIA driver too old for this PyTorch build (host driver vs image CUDA)",
        ),
        (
            &["Error 804: forward compatibility was attempted on non supported HW"],
            Cuda,
            RunUnlessWarning,
            "CUDA unusable: the image's CUDA does not match the host's driver",
        ),
        (
            &["Error 803: system has unsupported display driver"],
            Cuda,
            RunUnlessWarning,
            "CUDA unusable: the image's CUDA does not match the host's driver",
        ),
        // TensorFlow's (and older CUDA runtimes') way of saying the same:
        // `InternalError: cudaGetDevice() failed. Status: CUDA driver
        // version is insufficient for CUDA runtime version`.
        (
            &["CUDA driver version is insufficient for CUDA runtime version"],
            Cuda,
            RunUnlessWarning,
            "NVIDIA driver too old for this build's CUDA runtime (host driver vs image CUDA)",
        ),
        // Lightning's device summary: no GPU, or one it was told not to
        // use (`GPU available: True (cuda), used: False`). Training goes on,
        // on the CPU.
        (
            &["GPU available: ", ", used: False"],
            Cuda,
            WhenRaised,
            NO_GPU_USED,
        ),
        (
            &["Found no NVIDIA driver on your system"],
            Cuda,
            RunUnlessWarning,
            "no NVIDIA driver found",
        ),
        // 🤗 Transformers' bf16 check: no GPU visible, or one older than Ampere.
        (
            &["doesn't support bf16/gpu"],
            Cuda,
            Run,
            "bf16 unsupported here (no GPU visible, or a GPU older than Ampere)",
        ),
        // A CPU-only PyTorch wheel on a GPU host.
        (
            &["Torch not compiled with CUDA enabled"],
            Dependency,
            Run,
            "PyTorch built without CUDA (a CPU-only wheel)",
        ),
        // The model or dataset download: the Hub refused it (a gated or
        // private repository without a token, a wrong name) or could not
        // be reached.
        (
            &["GatedRepoError"],
            Data,
            Run,
            "Hugging Face gated repo: no access (accept its terms, set HF_TOKEN)",
        ),
        (
            &["Cannot access gated repo"],
            Data,
            Run,
            "Hugging Face gated repo: no access (accept its terms, set HF_TOKEN)",
        ),
        (
            &["RepositoryNotFoundError"],
            Data,
            Run,
            "Hugging Face repo not found (wrong name, or private without HF_TOKEN)",
        ),
        (
            &["couldn't connect to 'https://huggingface.co'"],
            Data,
            Run,
            HUB_UNREACHABLE,
        ),
        (
            &["ConnectionError", "huggingface.co"],
            Data,
            Run,
            HUB_UNREACHABLE,
        ),
        (
            &["MaxRetryError", "huggingface.co"],
            Data,
            Run,
            HUB_UNREACHABLE,
        ),
        // A weights file that is not one: a Git LFS pointer checked out
        // without `git lfs pull`, or a download cut short.
        (
            &["SafetensorError", "HeaderTooLarge"],
            Data,
            Run,
            "safetensors file is not one (a Git LFS pointer, or a cut download?)",
        ),
        (
            &["UnpicklingError", "invalid load key"],
            Data,
            Run,
            "checkpoint file is not a checkpoint (a Git LFS pointer, or a cut download?)",
        ),
        // torch 2.6 made `torch.load(weights_only=True)` the default: older
        // checkpoints with pickled objects are refused.
        (
            &["UnpicklingError", "Weights only load failed"],
            Dependency,
            Run,
            "torch.load refused the checkpoint (weights_only, the default since torch 2.6)",
        ),
        // W&B without an API key on a headless host.
        (
            &["api_key not configured"],
            Dependency,
            Run,
            "W&B not logged in (set WANDB_API_KEY, or WANDB_MODE=offline)",
        ),
        (
            &["wandb", "initialization has timed out"],
            Dependency,
            Run,
            "W&B could not start: init timed out (network; or WANDB_MODE=offline)",
        ),
        // A GPU newer than the PyTorch wheel (an RTX 5090's sm_120 under a
        // wheel built before Blackwell): torch warns on lines of its own,
        // and the first kernel fails ("no kernel image").
        (
            &["is not compatible with the current PyTorch install"],
            Dependency,
            WhenRaised,
            "this PyTorch build has no kernels for this GPU's architecture (install a newer wheel)",
        ),
        // The same for a CUDA extension built on the host (flash-attn,
        // apex): the image's toolkit predates the GPU.
        (
            &["nvcc fatal", "Unsupported gpu architecture"],
            Dependency,
            Run,
            "CUDA toolkit too old for this GPU's architecture (building an extension)",
        ),
        // A Triton kernel tuned for a GPU with more shared memory per block
        // (an H100 config on a consumer card).
        (
            &["OutOfResources", "out of resource: shared memory"],
            Cuda,
            Run,
            "Triton kernel needs more shared memory than this GPU has",
        ),
        (
            &["429 Client Error", "huggingface.co"],
            Data,
            Run,
            "Hugging Face Hub rate limit (429: too many requests; set HF_TOKEN, or retry later)",
        ),
        // A weights file cut short (a download or a save that did not
        // finish: `Error while deserializing header: MetadataIncompleteBuffer`).
        (
            &["SafetensorError", "deserializing header"],
            Data,
            Run,
            "safetensors file is damaged or cut short (an unfinished download or save?)",
        ),
        // JAX / XLA (`XlaRuntimeError: RESOURCE_EXHAUSTED: Out of memory
        // while trying to allocate 6580862976 bytes.`).
        (
            &["RESOURCE_EXHAUSTED", "Out of memory"],
            Memory,
            Run,
            "out of memory (JAX/XLA: RESOURCE_EXHAUSTED)",
        ),
        // PaddlePaddle's, on a line of its own under `ResourceExhaustedError: `
        // (`Out of memory error on GPU 0. Cannot allocate 1.953125GB ...`).
        (
            &["Out of memory error on GPU"],
            Memory,
            Run,
            "out of memory (PaddlePaddle)",
        ),
        // bitsandbytes could not load its CUDA library, on the line under
        // `RuntimeError: ` (`CUDA Setup failed despite GPU being available.`).
        (
            &["CUDA Setup failed despite GPU being available"],
            Dependency,
            Run,
            "bitsandbytes could not load its CUDA library (its build vs the image's CUDA)",
        ),
        // The GPU unusable on this host: nvidia-smi cannot reach the driver
        // (`NVIDIA-SMI has failed because it couldn't communicate with the
        // NVIDIA driver.`), torch's first CUDA call fails (`UserWarning: CUDA
        // initialization: CUDA unknown error - this may be due to an
        // incorrectly set up environment`). Training may go on, on the CPU.
        (
            &["couldn't communicate with the NVIDIA driver"],
            Cuda,
            WhenRaised,
            "the NVIDIA driver is unreachable (nvidia-smi failed): the GPU is unusable on this host",
        ),
        (
            &["CUDA initialization: CUDA unknown error"],
            Cuda,
            RunUnlessWarning,
            "CUDA unusable on this host (unknown error at initialization; torch goes on without the GPU)",
        ),
        // transformers' lazy import of a model failed; the cause is on the
        // next line (`RuntimeError: Failed to import
        // transformers.models.llama.modeling_llama because of the following
        // error (look up to see its traceback):`, then flash-attn's
        // `undefined symbol: _ZN3c104cuda9SetDeviceEi`).
        (
            &[
                "Failed to import transformers.",
                "because of the following error",
            ],
            Dependency,
            Run,
            "transformers could not import a model's module (a package built for another torch or CUDA? see the line under it)",
        ),
        // flash-attn 2 on a V100, T4 or RTX 20xx.
        (
            &["FlashAttention only supports Ampere GPUs or newer"],
            Cuda,
            Run,
            "FlashAttention needs an Ampere or newer GPU (turn it off, or rent a newer GPU)",
        ),
        // JAX without its CUDA plugin, or with one that cannot start (a
        // cuDNN or driver it was not built for): it warns and runs on the
        // CPU.
        (
            &["a CUDA-enabled jaxlib is not installed"],
            Cuda,
            WhenRaised,
            NO_GPU_USED,
        ),
        (
            &["CUDA backend failed to initialize"],
            Cuda,
            WhenRaised,
            NO_GPU_USED,
        ),
        (
            &["jaxlib version", "incompatible with jax version"],
            Dependency,
            Run,
            "jax and jaxlib versions do not match (install them together)",
        ),
        // A C extension built at run time (Triton's, inductor's) without
        // Python's headers: the image lacks python3-dev.
        (
            &["fatal error: Python.h: No such file"],
            Dependency,
            Run,
            "Python.h missing: a C extension cannot be built (install python3-dev)",
        ),
        // `HF_HUB_ENABLE_HF_TRANSFER=1` without the package.
        (
            &["'hf_transfer' package is not available"],
            Dependency,
            Run,
            "hf_transfer is not installed (pip install hf_transfer, or unset HF_HUB_ENABLE_HF_TRANSFER)",
        ),
        (
            &["An error occurred while downloading using", "hf_transfer"],
            Data,
            Run,
            "download through hf_transfer failed (network or disk? unset HF_HUB_ENABLE_HF_TRANSFER for the underlying error)",
        ),
        // nibabel cannot read a scan (MONAI's `LoadImaged`: a macOS `._`
        // file, a cut download): `ImageFileError: Cannot work out file type
        // of ".../._spleen_19.nii.gz"`.
        (
            &["ImageFileError"],
            Data,
            WhenRaised,
            "an image file in the data cannot be read (corrupt, or not an image)",
        ),
        // vLLM's engine found no room left for its KV cache (the model,
        // or the trainer beside it, took the GPU): `ValueError: No
        // available memory for the cache blocks. Try increasing
        // `gpu_memory_utilization` ...`.
        (
            &[
                "No available memory for the cache blocks",
                "`gpu_memory_utilization`",
            ],
            Memory,
            Run,
            "vLLM: no GPU memory left for the KV cache (raise gpu_memory_utilization, or free the GPU)",
        ),
        // Tabular data the learner refuses: XGBoost's `ValueError:
        // DataFrame.dtypes for data must be int, float, bool or category`,
        // CatBoost's `Invalid type for cat_feature[...]=nan`, pandas'
        // `Unable to parse string "..." at position 41`.
        (
            &["DataFrame.dtypes for data must be"],
            Data,
            WhenRaised,
            "the data has columns of a type the learner refuses (object/string columns?)",
        ),
        (
            &["Invalid type for cat_feature"],
            Data,
            WhenRaised,
            "a categorical feature holds values of the wrong type (NaN or floats?)",
        ),
        (
            &["Unable to parse string", "at position"],
            Data,
            WhenRaised,
            "a value in the data cannot be parsed as a number",
        ),
        // 🤗 Datasets could not reach the Hub: `ConnectionError: Couldn't
        // reach 'HuggingFaceH4/ultrachat_200k' on the Hub (ReadTimeout)`.
        (
            &["Couldn't reach '", "on the Hub ("],
            Data,
            Run,
            HUB_UNREACHABLE,
        ),
        // pip's LightGBM has no GPU learner (`LightGBMError: GPU Tree
        // Learner was not enabled in this build.`).
        (
            &["GPU Tree Learner was not enabled"],
            Dependency,
            Run,
            "LightGBM built without GPU support (build with -DUSE_GPU=1, or train on the CPU)",
        ),
    ]
};

const HUB_UNREACHABLE: &str =
    "cannot reach the Hugging Face Hub (network, or offline mode without a cache)";

/// The first of [`SETUP_FAILURES`] that `t` holds.
fn setup_failure(t: &str) -> Option<Signature> {
    let warning = t.contains("Warning");
    SETUP_FAILURES
        .iter()
        .find(|(words, ..)| words.iter().all(|w| t.has(w)))
        .and_then(|&(_, class, ends, label)| {
            let fatal = match ends {
                Ends::Run => true,
                Ends::RunUnlessWarning => !warning,
                Ends::WhenRaised => t.contains("Error: "),
            };
            sig(class, fatal, label)
        })
}

pub(crate) fn cap(s: &str, n: usize) -> String {
    if s.len() <= n {
        return s.to_string();
    }
    let mut end = n;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

fn indent_of(s: &str) -> usize {
    s.len() - s.trim_start_matches([' ', '\t']).len()
}

/// `Name: message` or bare `Name` where Name is a dotted identifier that ends
/// like an exception type.
/// A log head at warning level or below: `W0618 21:57:02.561 ... file.py:1277] `,
/// `- WARNING - `, `[INFO]`, `| WARNING  |`, ezpz's `[W]`.
fn is_quiet_level(head: &str) -> bool {
    head.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| {
        matches!(w, "WARNING" | "WARN" | "INFO" | "DEBUG" | "W" | "I" | "D")
            || (w.len() == 5
                && matches!(w.as_bytes()[0], b'W' | b'I')
                && w[1..].bytes().all(|c| c.is_ascii_digit()))
    })
}

/// `Name`, `pkg.Name: message`: what a traceback's last line looks like
/// (any exception class, custom ones too), as opposed to a wrapped piece
/// of a frame line (`19, in encode`).
fn exception_shaped(t: &str) -> bool {
    let name_end = t
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        .unwrap_or(t.len());
    t.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && (name_end == t.len() || t[name_end..].starts_with(':'))
}

/// `Step: 99 (0) | Loss: ...`, `Epoch: 3 ...`: a counter's name where an
/// exception's would be, then a number. No exception is named so.
fn progress_shaped(t: &str) -> bool {
    let Some((name, rest)) = t.split_once(": ") else {
        return false;
    };
    [
        "step",
        "steps",
        "iter",
        "iteration",
        "epoch",
        "batch",
        "global_step",
    ]
    .iter()
    .any(|w| name.eq_ignore_ascii_case(w))
        && rest.starts_with(|c: char| c.is_ascii_digit())
}

/// A log head at warning level: `W0618 ...]`, `- WARNING -`, `| WARNING |`, `[WARN]`.
fn is_warning_level(head: &str) -> bool {
    head.split(|c: char| !c.is_ascii_alphanumeric()).any(|w| {
        matches!(w, "WARNING" | "WARN" | "W")
            || (w.len() == 5 && w.starts_with('W') && w[1..].bytes().all(|c| c.is_ascii_digit()))
    })
}

/// Unindented non-exception lines a traceback takes in a row (pieces of
/// frame lines a narrow console wrapped).
const MAX_LOOSE_LINES: u8 = 2;

/// Label head of the errors in which torchrun reports that a worker failed:
/// they restate another error (the worker's own), see [`LogError::restates_another`].
const LAUNCHER: &str = "torchrun:";

/// Label of a run that trains on the CPU (on a rented GPU: money spent on
/// nothing).
const NO_GPU_USED: &str = "no GPU used: training runs on the CPU";

/// A whole line by which a script says it runs on the CPU.
fn is_cpu_device_line(t: &str) -> bool {
    [
        "device: cpu",
        "using device: cpu",
        "using cpu device",
        "device = cpu",
    ]
    .iter()
    .any(|w| t.eq_ignore_ascii_case(w))
}

/// Label head of Lightning's launcher's reports (see [`LAUNCHER`]).
const LIGHTNING_LAUNCHER: &str = "Lightning's launcher:";

/// Label head of the DeepSpeed launcher's reports (see [`LAUNCHER`]).
const DEEPSPEED_LAUNCHER: &str = "deepspeed launcher:";

/// Label of Open MPI's summary that a rank failed (it restates the rank's
/// own error, see [`LogError::restates_another`]).
const MPI_RANK_FAILED: &str = "an MPI rank exited with an error";
/// Hydra's report of a failed job (see `restates_another`).
const HYDRA_JOB_FAILED: &str = "Hydra: the job failed (a configuration or instantiation error?)";

/// Label of a launch that found its rendezvous port taken.
const PORT_IN_USE: &str = "rendezvous port already in use (another run on this node?)";

/// Label head of an exception without a known signature.
const EXCEPTION_LABEL: &str = "Python exception: ";

/// Label of a shared library that cannot be loaded.
const MISSING_LIBRARY: &str = "missing shared library";
/// AReaL's launcher raising on a job that completed (see [`classify_line`]):
/// not fatal even as a traceback's exception.
const AREAL_JOB_COMPLETED: &str = "AReaL's launcher: the trainer's job completed";

/// Label heads of the installers' failures (see [`LogError::is_setup_step`]).
const PIP: &str = "pip";
const APT: &str = "apt-get";
const UV: &str = "uv";
const CONDA: &str = "conda";
/// Label heads of a setup script's other failures: git's, and a shell's.
const GIT: &str = "git";
const SHELL: &str = "shell";

/// How Python starts a traceback.
pub(crate) const TRACEBACK_HEADER: &str = "Traceback (most recent call last)";

/// `AcceleratorError`, `torch.OutOfMemoryError`: IPython prints the
/// exception's name before its traceback header.
pub(crate) fn is_exception_name(head: &str) -> bool {
    !head.contains(' ') && looks_like_exception_line(head)
}

fn looks_like_exception_line(t: &str) -> bool {
    let name_end = t
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
        .unwrap_or(t.len());
    if name_end == 0 {
        return false;
    }
    let name = &t[..name_end];
    let rest = &t[name_end..];
    let typed = name.ends_with("Error")
        || name.ends_with("Exception")
        || name.ends_with("Exit")
        || name.ends_with("Interrupt")
        || name.ends_with("Warning")
        || name.ends_with("Failure");
    typed && (rest.is_empty() || rest.starts_with(':'))
}

/// `Error: 0.000099999`: a number after the name is a measure (a hand-made
/// network's error), not an exception's message.
fn metric_named_error(t: &str) -> bool {
    t.split_once(": ")
        .is_some_and(|(_, v)| super::parse::whole_float(v.trim()).is_some())
}

#[derive(Debug, Clone, Default)]
struct TbState {
    /// An exception in another thread than the main one.
    thread: bool,
    indent: usize,
    lines: Vec<String>,
    /// Exception lines seen in this (possibly chained) block.
    /// (capped message, its class: judged on the whole line, whose telling
    /// part may come after the cap, e.g. `... died with <Signals.SIGKILL: 9>.`)
    /// (And whether it was raised in data-loading code, see [`is_data_frame`].)
    exceptions: Vec<(String, Option<Signature>, bool)>,
    /// A frame of data-loading code (see [`is_data_frame`]) since the last
    /// exception line.
    data_frame: bool,
    /// The last exception's message is on the indented lines below it.
    message_below: bool,
    /// The block's final line was seen; waiting for a chain marker.
    after_final: bool,
    first_line: u64,
    time: Option<f64>,
    /// Printed under a warning/info log head (`W0618 ... convert_frame.py:1277]`,
    /// `WARNING - `): a logged, handled exception, not the end of the run.
    logged: bool,
    /// Its frame lines came under a log head too: a wrapper relays another
    /// process's output a line at a time (fluxgym's `[INFO] File "..."`),
    /// so the head's level says nothing about how the program fared.
    relayed: bool,
    /// Unindented lines taken as wrapped pieces of frame lines in a row;
    /// past a few, the traceback was cut and ordinary output goes on.
    loose_lines: u8,
    /// IPython/Jupyter layout (`NameError    Traceback (most recent call
    /// last)`, then `Cell In[3], line 2` and numbered source lines, none of
    /// them indented like Python's): only an exception line ends it.
    ipython: bool,
    /// Printed in the output of a build pip ran.
    in_pip: bool,
}

/// Tracks tracebacks across lines and collects errors.
#[derive(Debug, Clone, Default)]
pub struct ErrorTracker {
    tb: Option<TbState>,
    /// The previous line was Python's `Exception in thread Thread-5:`: the
    /// traceback after it ended that thread, not the program.
    thread_pending: bool,
    /// The previous line was Python's `Exception ignored in: <function
    /// ...>`: the traceback after it was printed and ignored (a failure in
    /// a destructor or at exit), not raised.
    ignored_pending: bool,
    /// The line where a thread's traceback closed: two threads' tracebacks
    /// printed at once leave the second one's exception line right after.
    thread_tb_closed: Option<u64>,
    /// The line being read, by address, and whether the splitting thread
    /// found it free of anchors (set by the analyzer for each line).
    pub(crate) scan: LineScan,
    /// The line being read.
    line_no: u64,
    pub errors: Vec<LogError>,
    /// Errors dropped because the list was full.
    pub dropped: u64,
    pub warnings: u64,
    /// Lines left of the output of a build pip ran, which pip shows under
    /// `╰─> [6 lines of output]` (see `line_under`).
    pip_output: u32,
    /// The previous line was llm.c's `[CUDA ERROR] at file train_gpt2.cu:382:`:
    /// this one is the error (`out of memory`).
    cuda_check_pending: bool,
    /// The line where Lightning's launcher said it kills its processes
    /// after a worker died (see `line_under`).
    reaped_at: Option<u64>,
}

impl ErrorTracker {
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether a traceback block is open (the caller then skips metric parsing).
    pub fn in_traceback(&self) -> bool {
        self.tb.as_ref().is_some_and(|t| !t.after_final)
    }

    /// Feed one prefix-stripped line body. Returns true if the line was
    /// consumed as part of a traceback.
    pub fn line(&mut self, body: &str, line_no: u64, time: Option<f64>) -> bool {
        self.line_under(body, "", line_no, time)
    }

    /// [`Self::line`] for a line whose log prefix `log_head` was stripped
    /// (its level matters when a traceback starts).
    pub(crate) fn line_under(
        &mut self,
        body: &str,
        log_head: &str,
        line_no: u64,
        time: Option<f64>,
    ) -> bool {
        self.line_no = line_no;
        let trimmed = trim_start_fast(body);
        // The output of a build pip ran, up to `[end of output]`: the
        // build's own errors (`ModuleNotFoundError: No module named
        // 'torch'` in flash-attn's setup) are the installer's, a process
        // of its own (see `LogError::is_setup_step`).
        if self.pip_output > 0 {
            self.pip_output -= 1;
            if trimmed.starts_with("[end of output]") {
                self.pip_output = 0;
            }
        } else if let Some(r) = trimmed.strip_prefix("╰─> [")
            && let Some(n) = r.trim_end().strip_suffix(" lines of output]")
            && let Ok(n) = n.parse::<u32>()
        {
            // (Its lines and the `[end of output]` after them.)
            self.pip_output = n.saturating_add(1);
            return true;
        }
        // llm.c's `cudaCheck` prints the error on the line after its own:
        // `[CUDA ERROR] at file train_gpt2.cu:382:`, `out of memory`; then
        // the program exits.
        if std::mem::take(&mut self.cuda_check_pending) && self.tb.is_none() {
            let message = format!("CUDA error: {}", cap(trimmed, MAX_MSG));
            let s = classify_line(&message)
                .filter(|s| s.fatal)
                .or_else(|| sig(ErrorClass::Cuda, true, cap(&message, 80)));
            if let Some(s) = s {
                self.record(s, &message, line_no, time, Vec::new(), false);
            }
            return true;
        }
        // A script's own word that it runs on the CPU: `device: cpu`,
        // `Using device: cpu`, the PyTorch quickstart's `Using cpu device`.
        // (Whole short lines only: a tokenizer on the CPU is normal.)
        if trimmed.len() <= 20 && is_cpu_device_line(trimmed.trim_end()) {
            if let Some(s) = sig(ErrorClass::Cuda, false, NO_GPU_USED) {
                self.record_line(s, trimmed, line_no, time);
            }
            return false;
        }
        // Lightning's launcher after a worker died: `[rank: 2] Child process
        // with PID 20417 terminated with code 1. Forcefully terminating all
        // other processes to avoid zombies 🧟`, then it kills its own
        // processes (the shell's `Killed`): the worker's error is the news.
        if matches!(trimmed.as_bytes().first(), Some(b'[' | b'C'))
            && let Some(p) = trimmed.find("Child process with PID ")
            && trimmed[p..].contains(" Forcefully terminating all other processes")
        {
            self.reaped_at = Some(line_no);
            if let Some(s) = sig(
                ErrorClass::Distributed,
                true,
                format!("{LIGHTNING_LAUNCHER} a worker process failed"),
            ) {
                self.record_line(s, trimmed, line_no, time);
            }
            return false;
        }
        if trimmed.as_bytes().first() == Some(&b'[') && trimmed.starts_with("[CUDA ERROR] at file ")
        {
            self.cuda_check_pending = true;
            return true;
        }
        if let Some(tb) = self.tb.as_mut() {
            let ind = indent_of(body);
            if tb.after_final {
                if trimmed.is_empty() {
                    return true;
                }
                // (The DataLoader's report of a worker's exception carries the
                // worker's own traceback: `Original Traceback (most recent
                // call last):` below its line. One chain, so the cause's
                // signature can win over the report's.)
                if trimmed.starts_with("During handling of the above exception")
                    || trimmed.starts_with("The above exception was the direct cause")
                    || trimmed.starts_with("Original Traceback (most recent call last)")
                {
                    push_capped(&mut tb.lines, trimmed);
                    tb.after_final = false;
                    return true;
                }
                // An exception whose message starts on the next lines, indented
                // (transformers' `raise ValueError("""\n    Some modules are
                // dispatched ...""")` prints `ValueError: ` alone): its text.
                if indent_of(body) > tb.indent
                    && let Some((ex, sig, _)) = tb.exceptions.last_mut()
                    && (tb.message_below || ex.trim_end().ends_with(':'))
                {
                    tb.message_below = true;
                    push_capped(&mut tb.lines, trimmed);
                    *ex = cap(&format!("{} {trimmed}", ex.trim_end()), MAX_MSG);
                    *sig = classify_line(ex);
                    return true;
                }
                self.close_tb();
                return self.line_under(body, log_head, line_no, time);
            }
            if trimmed.starts_with(TRACEBACK_HEADER) {
                push_capped(&mut tb.lines, trimmed);
                return true;
            }
            // Another thread's traceback interleaved with this thread's
            // (not with the main thread's, which stays what it is).
            if tb.thread && trimmed.starts_with("Exception in thread ") {
                push_capped(&mut tb.lines, trimmed);
                return true;
            }
            if trimmed.is_empty() {
                return true;
            }
            if tb.ipython && !(ind == 0 && looks_like_exception_line(trimmed)) {
                push_capped(&mut tb.lines, body);
                return true;
            }
            if ind > tb.indent
                || trimmed.starts_with("File \"")
                || trimmed.starts_with("^")
                || trimmed.starts_with('~')
                // rich's boxed traceback (`╭─ Traceback ─╮`, `│ ... │`, `╰──╯`)
                || trimmed.starts_with(['│', '╰', '╭'])
                // A frame line wrapped by a narrow console (`...detection\n
                // ai\train.py", line 503, in <module>`), also between the
                // path and the line number (PowerShell: `...\train_model.py", \n
                // line 304, in <module>`).
                || trimmed.contains("\", line ")
                || trimmed.trim_end().ends_with(".py\",")
                || (trimmed.starts_with("line ") && trimmed.contains(", in "))
            {
                tb.loose_lines = 0;
                if trimmed.starts_with("File \"") {
                    tb.relayed |= !log_head.is_empty();
                    tb.data_frame |= is_data_frame(trimmed);
                }
                push_capped(&mut tb.lines, body.get(tb.indent..).unwrap_or(trimmed));
                return true;
            }
            // Training output that stdout printed after stderr's header
            // (merged out of order: `Traceback (most recent call last):`,
            // then `Step: 99 (0) | Loss: 1.26963`): not this traceback's.
            if progress_shaped(trimmed) {
                self.close_tb();
                return self.line_under(body, log_head, line_no, time);
            }
            if !exception_shaped(trimmed) {
                // A piece of a wrapped frame line (`19, in encode`), unless
                // there are several in a row: then the traceback was cut
                // and this is ordinary output again.
                if tb.loose_lines < MAX_LOOSE_LINES {
                    tb.loose_lines += 1;
                    push_capped(&mut tb.lines, trimmed);
                    return true;
                }
                self.close_tb();
                return self.line_under(body, log_head, line_no, time);
            }
            // At (or left of) the block's indentation: the exception line.
            push_capped(&mut tb.lines, trimmed);
            if tb.exceptions.len() < 8 {
                let in_data = std::mem::replace(&mut tb.data_frame, false);
                tb.exceptions
                    .push((cap(trimmed, MAX_MSG), classify_line(trimmed), in_data));
            }
            tb.after_final = true;
            tb.message_below = false;
            return true;
        }
        // Other threads' frames printed at the same time as a thread's
        // traceback, after it closed (three threads dying together
        // interleave their tracebacks line by line): still theirs, and so
        // is the exception line they end with.
        if let Some(l) = self.thread_tb_closed
            && line_no.saturating_sub(l) <= 3
            && (indent_of(body) > 0 || trimmed.starts_with("File \""))
        {
            self.thread_tb_closed = Some(line_no);
        }
        // One anchor pass decides whether any of the checks below can match
        // (every anchor starts and ends with a non-space, so the trimmed
        // line has the same anchors as the body).
        let anchored = !self.scan.lacks_anchor(trimmed.as_bytes()) && has_anchor(trimmed);
        let in_thread = std::mem::replace(
            &mut self.thread_pending,
            anchored && trimmed.contains("Exception in thread "),
        );
        let ignored = std::mem::replace(
            &mut self.ignored_pending,
            anchored
                && (trimmed.starts_with("Exception ignored in")
                    || trimmed.starts_with("Exception in user code")),
        );
        // (visdom's banner, `Exception in user code:`, has a rule of dashes
        // under it before the traceback it printed and went on after.)
        if ignored && !trimmed.is_empty() && trimmed.bytes().all(|c| c == b'-') {
            self.ignored_pending = true;
        }
        if !anchored && !trimmed.starts_with(|c: char| c.is_ascii_uppercase()) {
            return false;
        }
        if anchored && let Some(p) = body.find(TRACEBACK_HEADER) {
            // Also after a glued prefix (tqdm frame remainder, rank tag).
            let ind = if p == indent_of(body) { p } else { 0 };
            let head = body[..p].trim();
            let ipython = !head.is_empty() && is_exception_name(head);
            // (An exception in another thread, an ignored one, or one
            // logged at a quiet level did not end the program.)
            let logged = is_quiet_level(log_head) || in_thread || ignored;
            self.tb = Some(TbState {
                thread: in_thread,
                indent: ind,
                lines: vec![trimmed.to_string()],
                exceptions: Vec::new(),
                data_frame: false,
                message_below: false,
                after_final: false,
                first_line: line_no,
                time,
                logged,
                relayed: false,
                loose_lines: 0,
                ipython,
                in_pip: self.pip_output > 0,
            });
            return true;
        }
        let sig = if anchored {
            classify_anchored(trimmed)
        } else {
            loss_stopped_training(trimmed)
        };
        if let Some(mut s) = sig {
            // (The shell's `Killed` right after Lightning's launcher said it
            // kills its processes: its doing, not the OOM killer's.)
            if s.class == ErrorClass::Killed
                && self
                    .reaped_at
                    .is_some_and(|l| line_no.saturating_sub(l) <= 3)
            {
                s.label =
                    format!("{LIGHTNING_LAUNCHER} it killed its processes after a worker failed");
            }
            // Logged as a warning (fairseq's `| WARNING | fairseq.trainer |
            // OOM: Ran out of memory ...`, then it skips the batch): the
            // program handled it.
            // (But torchelastic logs its own stop as a warning.)
            if s.fatal && is_warning_level(log_head) && !trimmed.ends_with(DEATH_SIGNAL) {
                s.fatal = false;
            }
            self.record_line(s, trimmed, line_no, time);
        } else if looks_like_exception_line(trimmed)
            && indent_of(body) == 0
            && !trimmed.contains("Warning")
            // (A metric named so, a C network's `Error: 0.000099999`.)
            && !metric_named_error(trimmed)
        {
            // A bare exception line without its traceback (excerpts, or a
            // traceback cut by the log window).
            let label = exception_label(trimmed);
            // (Right after a thread's traceback: the other thread's
            // exception line, printed at the same time.)
            let threads = self
                .thread_tb_closed
                .is_some_and(|l| line_no.saturating_sub(l) <= 3);
            // (A bare `Error: ...` names no exception: a command-line tool's
            // message, git-lfs's `Error: Failed to call git rev-parse
            // --git-dir: exit status 128`, or a script's `print(f"Error:
            // {e}")` of one it caught. Said, not the end.)
            let named = !trimmed.starts_with("Error: ");
            self.record(
                Signature {
                    class: ErrorClass::Runtime,
                    // Under a warning head it was logged and handled.
                    fatal: !is_quiet_level(log_head) && !threads && named,
                    label,
                },
                trimmed,
                line_no,
                time,
                Vec::new(),
                self.pip_output > 0,
            );
        }
        false
    }

    /// A line that cannot belong to a traceback arrived (a progress bar):
    /// close the open block. Without its exception line it is recorded as a
    /// warning, and training output is no longer swallowed by it.
    pub fn interrupt(&mut self) {
        if self.tb.is_some() {
            self.close_tb();
        }
    }

    /// End of input: close an open traceback (callable repeatedly; works on a clone).
    pub fn flushed(&self) -> Vec<LogError> {
        let mut c = self.clone();
        c.close_tb();
        c.errors
    }

    fn close_tb(&mut self) {
        let Some(tb) = self.tb.take() else { return };
        if tb.thread {
            self.thread_tb_closed = Some(self.line_no);
        }
        // Classify every exception line in the chain; keep the most specific.
        let mut best: Option<(Signature, String, (u8, u8, bool))> = None;
        for (ex, sig, in_data) in &tb.exceptions {
            // (Not an error in the code itself, wherever it was raised: an
            // API that moved, `'_MultiProcessingDataLoaderIter' object has
            // no attribute 'next'`.)
            let in_data = *in_data && !is_code_error(ex);
            // (An exception line without an anchor, `Exception: Size of
            // sample #4185 is invalid ...`: the whole table once, for the
            // few signatures that need none.)
            // (One no signature knows, raised in the code that loads the
            // data, `KeyError: 'bbox'` in a dataset's `parse_data_info`, is
            // the data's.)
            let known = sig.clone().or_else(|| classify_anchored(ex));
            let guessed = known.is_none();
            let s = known.unwrap_or_else(|| Signature {
                class: if in_data {
                    ErrorClass::Data
                } else {
                    ErrorClass::Runtime
                },
                fatal: true,
                label: if in_data {
                    format!("{} (in the data-loading code)", exception_label(ex))
                } else {
                    exception_label(ex)
                },
            });
            // The most telling first: a signature's own reading (the more
            // specific class first); then the DataLoader's report of a
            // worker's exception, whose cause below it may be a signature
            // of another class (torchaudio without a backend); then a class
            // taken from where the exception was raised (the chain's
            // `ArrowInvalid: JSON parse error` over pandas' `ValueError:
            // Trailing data` in the loader); then any other exception.
            let tier = if s.class == ErrorClass::Runtime {
                3
            } else if guessed {
                2
            } else if ex.contains(" in DataLoader worker process") {
                1
            } else {
                0
            };
            let key = (tier, s.class.priority(), guessed);
            if best.as_ref().is_none_or(|(_, _, b)| key < *b) {
                best = Some((s, ex.clone(), key));
            }
        }
        let (s, msg) = match best {
            // An uncaught exception ends the process (or the subprocess it
            // was printed for): fatal.
            // (Not the exception AReaL's launcher raises on a job that
            // completed.)
            Some((s, m, _)) => (
                Signature {
                    fatal: (!tb.logged || (tb.relayed && !tb.thread))
                        && s.label != AREAL_JOB_COMPLETED,
                    ..s
                },
                m,
            ),
            // Still open when the input ended: the exception line may be in
            // the next read, so this is not (yet) a verdict.
            None => (
                Signature {
                    class: ErrorClass::Runtime,
                    fatal: false,
                    label: "Python traceback without an exception line (yet)".to_string(),
                },
                tb.lines.last().cloned().unwrap_or_default(),
            ),
        };
        self.record(s, &msg, tb.first_line, tb.time, tb.lines, tb.in_pip);
    }

    /// Record the error a line alone shows (no traceback), counting it
    /// among the warnings unless it is fatal.
    fn record_line(&mut self, s: Signature, line: &str, line_no: u64, time: Option<f64>) {
        if !s.fatal {
            self.warnings += 1;
        }
        self.record(s, line, line_no, time, Vec::new(), self.pip_output > 0);
    }

    fn record(
        &mut self,
        s: Signature,
        message: &str,
        line: u64,
        time: Option<f64>,
        traceback: Vec<String>,
        in_pip_output: bool,
    ) {
        let key = dedupe_key(message);
        if let Some(e) = self
            .errors
            .iter_mut()
            .find(|e| e.class == s.class && dedupe_key(&e.message) == key)
        {
            e.count += 1;
            e.last_line = line;
            // Logged once as a warning and later uncaught: fatal.
            e.fatal |= s.fatal;
            if e.traceback.is_empty() && !traceback.is_empty() {
                e.traceback = traceback;
            }
            return;
        }
        if self.errors.len() >= MAX_ERRORS {
            self.dropped += 1;
            return;
        }
        self.errors.push(LogError {
            class: s.class,
            fatal: s.fatal,
            label: s.label,
            message: cap(message, MAX_MSG),
            count: 1,
            line,
            last_line: line,
            time,
            traceback,
            in_pip_output,
        });
    }
}

/// A traceback frame (`File "/x/mmdet/datasets/coco.py", line 127, in
/// parse_data_info`) in the code that loads the training data: a dataset's
/// module or methods, a DataLoader fetching a batch, a collate function.
fn is_data_frame(frame: &str) -> bool {
    // (Most frames name no data: one search says so.)
    let func_named = DATA_FUNCTIONS.iter().any(|f| frame.ends_with(f));
    let b = frame.as_bytes();
    if !func_named && !memchr::memchr_iter(b'd', b).any(|i| b[i..].starts_with(b"data")) {
        return false;
    }
    let Some(rest) = frame.strip_prefix("File \"") else {
        return false;
    };
    let Some(q) = rest.find('"') else {
        return false;
    };
    let (path, tail) = rest.split_at(q);
    let file = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let func = tail.rsplit(", in ").next().unwrap_or("").trim();
    path.contains("/torch/utils/data/")
        || path.contains("/datasets/")
        || path.contains("/dataset/")
        || path.contains("/dataloading/")
        || file.contains("dataset")
        || file.contains("data_loader")
        || file.contains("dataloader")
        || file == "data.py"
        || DATA_FUNCTIONS.contains(&func)
}

/// Functions that load or batch the data, wherever they stand
/// (`load_data_list` names `data` itself: see [`is_data_frame`]).
const DATA_FUNCTIONS: [&str; 5] = [
    "__getitem__",
    "__getitems__",
    "collate_fn",
    "load_data_list",
    "load_annotations",
];

/// An exception that says the code is wrong, not its input.
fn is_code_error(line: &str) -> bool {
    matches!(
        exception_name(line),
        "AttributeError"
            | "NameError"
            | "UnboundLocalError"
            | "NotImplementedError"
            | "ImportError"
            | "ModuleNotFoundError"
            | "SyntaxError"
    )
}

fn push_capped(v: &mut Vec<String>, s: &str) {
    if v.len() < MAX_TB_LINES {
        v.push(cap(s, 300));
    } else if v.len() == MAX_TB_LINES {
        v.push("…".to_string());
    }
}

/// Rank numbers and pids differ between otherwise identical per-rank lines.
fn dedupe_key(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len().min(200));
    let mut prev_digit = false;
    for c in msg.chars().take(200) {
        if c.is_ascii_digit() {
            if !prev_digit {
                out.push('#');
            }
            prev_digit = true;
        } else {
            out.push(c);
            prev_digit = false;
        }
    }
    out
}

/// The status that failed among the `CUBLAS_STATUS_*` / `CUDNN_STATUS_*`
/// named in `t` (glog writes `status == CUBLAS_STATUS_SUCCESS (13 vs. 0)
/// CUBLAS_STATUS_EXECUTION_FAILED`): the last one that is not a success.
fn library_status(t: &str) -> Option<&str> {
    ["CUBLAS_STATUS_", "CUDNN_STATUS_"]
        .iter()
        .flat_map(|p| t.match_indices(p))
        .map(|(at, _)| {
            let len = t[at..]
                .bytes()
                .take_while(|c| c.is_ascii_uppercase() || *c == b'_')
                .count();
            (at, &t[at..at + len])
        })
        .filter(|(_, s)| !s.ends_with("_SUCCESS"))
        .max_by_key(|(at, _)| *at)
        .map(|(_, s)| s)
}

/// The error of a process that exited with `code` (a shell's status, 128 +
/// the signal's number for a signal; or minus the signal's number) after
/// line `line`, when the recording knows it and the log shows no error of
/// its own; `None` for 0.
pub(crate) fn process_exit_error(code: i32, line: u64, time: Option<f64>) -> Option<LogError> {
    use ErrorClass::{Killed, Runtime};
    let (class, label) = match code {
        0 => return None,
        137 | -9 => (
            Killed,
            format!("process killed by SIGKILL (exit status {code}, likely host out of memory)"),
        ),
        143 | -15 => (
            Killed,
            format!("process stopped by SIGTERM (exit status {code})"),
        ),
        130 | -2 => (Killed, "interrupted (Ctrl-C / SIGINT)".to_string()),
        c => (
            Runtime,
            format!("the process exited with code {c} (the log shows no error)"),
        ),
    };
    Some(LogError::fatal_at(
        class,
        label,
        format!("exit status {code}"),
        line,
        time,
    ))
}

/// torchrun's report that a worker exited with `code`: `-9` is SIGKILL
/// from outside (the host's OOM killer, mostly), not the worker's error.
fn launcher_exit(code: &str) -> Option<Signature> {
    launcher_exit_of(LAUNCHER, code)
}

/// [`launcher_exit`] for the DeepSpeed launcher's report.
fn deepspeed_launcher_exit(code: &str) -> Option<Signature> {
    match code {
        "0" => None,
        // (SIGINT: the user stopped it.)
        "-2" => sig(ErrorClass::Killed, true, "interrupted (Ctrl-C / SIGINT)"),
        "-15" => sig(
            ErrorClass::Killed,
            true,
            format!("{DEEPSPEED_LAUNCHER} workers stopped by SIGTERM"),
        ),
        c => launcher_exit_of(DEEPSPEED_LAUNCHER, &cap(c, 8)),
    }
}

/// What stopped a process that got signal `n` (its number or its name, as
/// torchelastic reports the signals it got or forwarded).
fn stopped_by_signal(n: &str) -> String {
    match n {
        "15" | "SIGTERM" => "stopped by SIGTERM".to_string(),
        "1" | "SIGHUP" => "stopped by SIGHUP (its terminal or session closed)".to_string(),
        "2" | "SIGINT" => "interrupted (SIGINT)".to_string(),
        "9" | "SIGKILL" => "killed by SIGKILL".to_string(),
        other => format!("stopped by signal {}", cap(other, 12)),
    }
}

/// A launcher's report of a worker's exit `code`: minus a signal's number
/// for a worker a signal ended, which says more than the launcher (a
/// worker killed or stopped from outside, or crashed in native code: the
/// `pure virtual method called` abort at a torchrun job's exit).
fn launcher_exit_of(launcher: &str, code: &str) -> Option<Signature> {
    use ErrorClass::{Killed, Runtime};
    let by_signal = match code.trim() {
        "-9" => Some((
            Killed,
            "killed by SIGKILL (exit code -9, likely host out of memory)",
        )),
        "-15" => Some((Killed, "stopped by SIGTERM (exit code -15)")),
        "-1" => Some((Killed, "stopped by SIGHUP (exit code -1)")),
        "-2" => Some((Killed, "interrupted (exit code -2, SIGINT)")),
        "-6" => Some((Runtime, "aborted (exit code -6, SIGABRT: a native crash)")),
        "-11" => Some((Runtime, "crashed (exit code -11, segmentation fault)")),
        "-7" => Some((
            Runtime,
            "crashed (exit code -7, bus error: shared memory too small?)",
        )),
        _ => None,
    };
    if let Some((class, what)) = by_signal {
        return sig(class, true, format!("{launcher} worker {what}"));
    }
    sig(
        ErrorClass::Distributed,
        true,
        format!("{launcher} worker exited with code {code}"),
    )
}

fn exception_label(line: &str) -> String {
    format!("{EXCEPTION_LABEL}{}", cap(exception_name(line), 60))
}

/// An exception line's class name without its module
/// (`torch.OutOfMemoryError: ...` -> `OutOfMemoryError`).
fn exception_name(line: &str) -> &str {
    let name = line.split(':').next().unwrap_or(line).trim();
    name.rsplit('.').next().unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setup_failure_holds_one_of_its_anchors() {
        // (Else the one-pass prefilter would hide it.)
        for (words, _, _, label) in SETUP_FAILURES {
            let line = words.join(" ");
            assert!(SETUP_ANCHORS.any_in(line.as_bytes()), "{label}");
        }
    }
}
