//! A run profile (what the user is about to run) and what it needs from an offer: VRAM per GPU,
//! host RAM, disk, download time. Every estimate comes with its formula in words, numbers filled
//! in, so the Offers page can show why.
//!
//! Units: VRAM and host RAM in GiB (2^30 B — cards are binary, and Vast's "MB" are MiB);
//! disk and downloads in GB (10^9 B, as Vast's `disk_space`).
//!
//! The memory model (bytes per parameter), chosen to match common practice:
//!
//! | part | full fine-tune | LoRA | QLoRA | inference |
//! |---|---|---|---|---|
//! | weights | P × w | P × w (frozen) | P × 0.55 (NF4 + constants + unquantised embeddings) | P × w |
//! | grads | P × g | T × 4 | T × 4 | – |
//! | fp32 master copy | P × 4 if w < 4 | – (adapters are fp32) | – | – |
//! | optimizer | P × o | T × o | T × o | – |
//! | trainable adapter weights | – | T × 4 | T × 4 | – |
//!
//! w = 4 (fp32), 2 (bf16/fp16), 1 (fp8); g = w except fp8 → 2 (bf16 grads); o = 8 AdamW, 2
//! AdamW 8-bit, 4 SGD+momentum / Lion, 0 plain SGD, ~1 Adafactor (factored). T = trainable LoRA
//! parameters (default 0.5 % of P: rank 16 on all linear layers of a Llama-style model).
//!
//! Activations (training; Korthikanti et al. 2022 with flash attention, 16-bit): per layer
//! 34·s·b·h bytes; with gradient checkpointing only each layer's input (2·s·b·h) is kept plus one
//! layer recomputed. fp32 doubles it. Logits: s·b·V·4 B ×2 (fp32 logits + their gradient).
//! Inference: KV cache 2·L·s·b·h·2 B (16-bit) plus logits for one position. Plus 1 GiB CUDA
//! context / workspace per GPU.

use crate::domain::offer::Offer;

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;
const GB: f64 = 1e9;
/// CUDA context, cuBLAS workspace, allocator slack per GPU.
pub const CUDA_OVERHEAD_GIB: f64 = 1.0;

/// What the run does with the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum RunMode {
    /// All weights trained (also pre-training).
    FullFineTune,
    /// Frozen base + low-rank adapters.
    Lora,
    /// 4-bit frozen base + adapters (QLoRA).
    QLora,
    /// Forward only (generation / eval).
    Inference,
}

impl RunMode {
    pub fn label(self) -> &'static str {
        match self {
            RunMode::FullFineTune => "full fine-tune",
            RunMode::Lora => "LoRA",
            RunMode::QLora => "QLoRA",
            RunMode::Inference => "inference",
        }
    }
}

/// Precision of the (base) weights and compute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Precision {
    Fp32,
    /// bf16 mixed precision (fp16 is the same size).
    Bf16,
    Fp16,
    Fp8,
    /// 4-bit (NF4 / GPTQ / AWQ style) — frozen weights only: QLoRA or inference.
    Bit4,
}

impl Precision {
    /// Bytes per weight.
    pub fn weight_bytes(self) -> f64 {
        match self {
            Precision::Fp32 => 4.0,
            Precision::Bf16 | Precision::Fp16 => 2.0,
            Precision::Fp8 => 1.0,
            Precision::Bit4 => 0.55,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Precision::Fp32 => "fp32",
            Precision::Bf16 => "bf16",
            Precision::Fp16 => "fp16",
            Precision::Fp8 => "fp8",
            Precision::Bit4 => "4-bit",
        }
    }

    /// Bytes per activation / KV value.
    fn act_bytes(self) -> f64 {
        if self == Precision::Fp32 { 4.0 } else { 2.0 }
    }
}

/// Optimizer (its state bytes per trainable parameter).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Optimizer {
    AdamW,
    AdamW8bit,
    Sgd,
    SgdMomentum,
    Lion,
    Adafactor,
}

impl Optimizer {
    pub fn state_bytes(self) -> f64 {
        match self {
            Optimizer::AdamW => 8.0,
            Optimizer::AdamW8bit => 2.0,
            Optimizer::Sgd => 0.0,
            Optimizer::SgdMomentum | Optimizer::Lion => 4.0,
            Optimizer::Adafactor => 1.0,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Optimizer::AdamW => "AdamW",
            Optimizer::AdamW8bit => "8-bit AdamW",
            Optimizer::Sgd => "SGD",
            Optimizer::SgdMomentum => "SGD+momentum",
            Optimizer::Lion => "Lion",
            Optimizer::Adafactor => "Adafactor",
        }
    }
}

/// How the model is spread over the offer's GPUs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Parallelism {
    /// Every GPU holds a full copy (single GPU, DDP).
    Replicated,
    /// Weights, grads and optimizer states split over the GPUs (FSDP / ZeRO-3; tensor parallel
    /// for inference).
    Sharded,
}

/// Transformer shape used for activations / KV cache. Derived from the parameter count when not
/// given (Llama shapes for common sizes).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Arch {
    pub hidden: u32,
    pub layers: u32,
    pub vocab: u32,
}

impl Arch {
    /// Llama-family shape for `params_b` billion parameters.
    pub fn guess(params_b: f64) -> Arch {
        const KNOWN: &[(f64, u32, u32)] = &[
            (1.2, 2048, 16),
            (3.2, 3072, 28),
            (7.0, 4096, 32),
            (8.0, 4096, 32),
            (13.0, 5120, 40),
            (34.0, 8192, 48),
            (70.0, 8192, 80),
            (405.0, 16384, 126),
        ];
        for (p, h, l) in KNOWN {
            if (params_b - p).abs() <= 0.08 * p {
                return Arch {
                    hidden: *h,
                    layers: *l,
                    vocab: 32000,
                };
            }
        }
        // P ≈ 12·L·h² with L ≈ h/128.
        let p = params_b.max(0.001) * 1e9;
        let h = ((p * 128.0 / 12.0).cbrt() / 128.0).round().max(1.0) * 128.0;
        let l = (p / (12.0 * h * h)).round().max(1.0);
        Arch {
            hidden: h as u32,
            layers: l as u32,
            vocab: 32000,
        }
    }
}

/// The run being planned.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RunProfile {
    /// Model size in billions of parameters (7 for a 7B model).
    pub params_b: f64,
    pub mode: RunMode,
    /// Precision of the (base) weights and compute.
    pub precision: Precision,
    pub optimizer: Optimizer,
    /// Tokens per sequence.
    pub seq_len: u32,
    /// Sequences per GPU per step.
    pub micro_batch: u32,
    pub gradient_checkpointing: bool,
    pub parallelism: Parallelism,
    /// GPUs the run wants (the gate checks the offer has at least this many).
    pub gpus: u32,
    /// Trainable fraction for LoRA/QLoRA (0.005 = 0.5 %).
    pub lora_fraction: f64,
    /// Shape override; `None` → [`Arch::guess`].
    pub arch: Option<Arch>,
    /// Dataset on disk, GB.
    pub dataset_gb: f64,
    /// Checkpoints kept on disk at once.
    pub checkpoints_kept: u32,
    /// Whether checkpoints include optimizer state (HF Trainer does by default).
    pub save_optimizer_state: bool,
    /// Docker image size, GB (pulled onto the instance disk).
    pub image_gb: f64,
    /// CUDA the image needs, e.g. (12, 1); checked against the offer's `cuda_max_good`.
    pub required_cuda: Option<(u32, u32)>,
}

impl Default for RunProfile {
    fn default() -> Self {
        RunProfile {
            params_b: 7.0,
            mode: RunMode::Lora,
            precision: Precision::Bf16,
            optimizer: Optimizer::AdamW,
            seq_len: 2048,
            micro_batch: 1,
            gradient_checkpointing: true,
            parallelism: Parallelism::Replicated,
            gpus: 1,
            lora_fraction: 0.005,
            arch: None,
            dataset_gb: 1.0,
            checkpoints_kept: 2,
            save_optimizer_state: true,
            image_gb: 15.0,
            required_cuda: None,
        }
    }
}

/// A field of the profile that cannot be used, in words.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ProfileError {
    /// The field's name as in [`RunProfile`] (`params_b`, `seq_len`, …).
    pub field: std::borrow::Cow<'static, str>,
    pub problem: String,
}

impl std::fmt::Display for ProfileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.problem)
    }
}

impl std::error::Error for ProfileError {}

/// VRAM per GPU, by part, in GiB, with the formula in words.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct VramEstimate {
    pub weights_gib: f64,
    pub grads_gib: f64,
    pub master_gib: f64,
    pub optimizer_gib: f64,
    pub adapters_gib: f64,
    pub activations_gib: f64,
    pub kv_cache_gib: f64,
    pub overhead_gib: f64,
    pub total_gib: f64,
    /// Human text, numbers filled in.
    pub formula: String,
}

/// Disk needed, GB, with the parts.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DiskEstimate {
    pub image_gb: f64,
    pub model_gb: f64,
    pub dataset_gb: f64,
    pub checkpoints_gb: f64,
    pub scratch_gb: f64,
    pub total_gb: f64,
    pub formula: String,
}

/// Host RAM needed, GiB.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RamEstimate {
    pub total_gib: f64,
    pub formula: String,
}

fn fmt1(x: f64) -> String {
    format!("{x:.1}")
}

impl RunProfile {
    /// Every field problem at once (empty = usable).
    pub fn validate(&self) -> Vec<ProfileError> {
        let mut errs = Vec::new();
        let mut bad = |field: &'static str, problem: String| {
            errs.push(ProfileError {
                field: field.into(),
                problem,
            })
        };
        if !self.params_b.is_finite() || self.params_b <= 0.0 {
            bad(
                "params_b",
                format!(
                    "model size must be a positive number of billions, got {}",
                    self.params_b
                ),
            );
        } else if self.params_b > 2000.0 {
            bad(
                "params_b",
                format!(
                    "{}B parameters is not a plausible model size (max 2000B)",
                    self.params_b
                ),
            );
        }
        if self.seq_len == 0 {
            bad("seq_len", "sequence length must be at least 1 token".into());
        } else if self.seq_len > 1_048_576 {
            bad(
                "seq_len",
                format!(
                    "{} tokens is beyond any model's context (max 1,048,576)",
                    self.seq_len
                ),
            );
        }
        if self.micro_batch == 0 {
            bad("micro_batch", "micro batch must be at least 1".into());
        } else if self.micro_batch > 4096 {
            bad(
                "micro_batch",
                format!("micro batch {} is absurd (max 4096)", self.micro_batch),
            );
        }
        if self.gpus == 0 {
            bad("gpus", "a run needs at least 1 GPU".into());
        } else if self.gpus > 64 {
            bad(
                "gpus",
                format!(
                    "{} GPUs: Vast offers have at most 64 on one machine",
                    self.gpus
                ),
            );
        }
        if !self.dataset_gb.is_finite() || self.dataset_gb < 0.0 {
            bad(
                "dataset_gb",
                format!("dataset size cannot be negative, got {}", self.dataset_gb),
            );
        } else if self.dataset_gb > 100_000.0 {
            bad(
                "dataset_gb",
                format!(
                    "{} GB dataset does not fit any offer's disk",
                    self.dataset_gb
                ),
            );
        }
        if !self.image_gb.is_finite() || self.image_gb < 0.0 {
            bad(
                "image_gb",
                format!("image size cannot be negative, got {}", self.image_gb),
            );
        } else if self.image_gb > 500.0 {
            bad(
                "image_gb",
                format!(
                    "{} GB is not a plausible image size (max 500)",
                    self.image_gb
                ),
            );
        }
        if self.checkpoints_kept > 1000 {
            bad(
                "checkpoints_kept",
                format!(
                    "keeping {} checkpoints is absurd (max 1000)",
                    self.checkpoints_kept
                ),
            );
        }
        if matches!(self.mode, RunMode::Lora | RunMode::QLora)
            && (!self.lora_fraction.is_finite()
                || self.lora_fraction <= 0.0
                || self.lora_fraction > 1.0)
        {
            bad(
                "lora_fraction",
                format!(
                    "trainable fraction must be in (0, 1], got {}",
                    self.lora_fraction
                ),
            );
        }
        match (self.mode, self.precision) {
            (RunMode::FullFineTune | RunMode::Lora, Precision::Bit4) => bad(
                "precision",
                format!(
                    "4-bit weights cannot be trained directly; use QLoRA for a 4-bit base ({})",
                    self.mode.label()
                ),
            ),
            (RunMode::QLora, p) if p != Precision::Bit4 => bad(
                "precision",
                format!("QLoRA loads the base model in 4-bit, not {}", p.label()),
            ),
            _ => {}
        }
        if let Some(a) = self.arch
            && (a.hidden == 0 || a.layers == 0 || a.vocab == 0)
        {
            bad(
                "arch",
                "hidden size, layers and vocabulary must all be at least 1".into(),
            );
        }
        errs
    }

    /// Shape used for activations.
    pub fn arch(&self) -> Arch {
        self.arch.unwrap_or_else(|| Arch::guess(self.params_b))
    }

    fn trainable_params(&self) -> f64 {
        let p = self.params_b * 1e9;
        match self.mode {
            RunMode::FullFineTune => p,
            RunMode::Lora | RunMode::QLora => p * self.lora_fraction,
            RunMode::Inference => 0.0,
        }
    }

    /// VRAM per GPU on an offer with `offer_gpus` GPUs (sharding divides the model state).
    pub fn vram_per_gpu(&self, offer_gpus: u32) -> VramEstimate {
        let p = self.params_b.max(0.0) * 1e9;
        let t = self.trainable_params().max(0.0);
        let shard = match self.parallelism {
            Parallelism::Replicated => 1.0,
            Parallelism::Sharded => f64::from(offer_gpus.max(1)),
        };
        let w = self.precision.weight_bytes();
        let o = self.optimizer.state_bytes();
        let (wb, gb, mb, ob, ab, parts_text) = match self.mode {
            RunMode::FullFineTune => {
                let g = if self.precision == Precision::Fp8 {
                    2.0
                } else {
                    w
                };
                let m = if w < 4.0 { 4.0 } else { 0.0 };
                let text = format!(
                    "{}B params × ({} B {} weights + {} B grads{} + {} B {} state) = {} B/param",
                    fmt1(self.params_b),
                    w,
                    self.precision.label(),
                    g,
                    if m > 0.0 {
                        " + 4 B fp32 master copy"
                    } else {
                        ""
                    },
                    o,
                    self.optimizer.label(),
                    w + g + m + o
                );
                (p * w, p * g, p * m, p * o, 0.0, text)
            }
            RunMode::Lora | RunMode::QLora => {
                let text = format!(
                    "{}B params × {} B frozen {} weights + {}M trainable ({:.2} %) × (4 B fp32 adapter + 4 B grads + {} B {} state)",
                    fmt1(self.params_b),
                    w,
                    self.precision.label(),
                    fmt1(t / 1e6),
                    self.lora_fraction * 100.0,
                    o,
                    self.optimizer.label()
                );
                (p * w, t * 4.0, 0.0, t * o, t * 4.0, text)
            }
            RunMode::Inference => {
                let text = format!(
                    "{}B params × {} B {} weights",
                    fmt1(self.params_b),
                    w,
                    self.precision.label()
                );
                (p * w, 0.0, 0.0, 0.0, 0.0, text)
            }
        };
        let a = self.arch();
        let (s, b, h, l, v) = (
            f64::from(self.seq_len),
            f64::from(self.micro_batch),
            f64::from(a.hidden),
            f64::from(a.layers),
            f64::from(a.vocab),
        );
        let act_scale = self.precision.act_bytes() / 2.0;
        let (act, kv, act_text) = if self.mode == RunMode::Inference {
            let kv = 2.0 * l * s * b * h * self.precision.act_bytes().max(2.0) / shard;
            let logits = b * v * 4.0;
            (
                logits,
                kv,
                format!(
                    "KV cache 2 × {} layers × {} tokens × {} seq × {} hidden × 2 B = {} GiB",
                    l,
                    s,
                    b,
                    h,
                    fmt1(kv / GIB)
                ),
            )
        } else {
            let per_layer = 34.0 * s * b * h * act_scale;
            let layers_part = if self.gradient_checkpointing {
                l * 2.0 * s * b * h * act_scale + per_layer
            } else {
                l * per_layer
            };
            let logits = 2.0 * s * b * v * 4.0;
            let text = if self.gradient_checkpointing {
                format!(
                    "activations (checkpointing) {} layers × 2 B × {} tokens × {} seq × {} hidden + one layer × 34 B × same + logits {} tokens × {} vocab × 8 B = {} GiB",
                    l,
                    s,
                    b,
                    h,
                    s * b,
                    v,
                    fmt1((layers_part + logits) / GIB)
                )
            } else {
                format!(
                    "activations {} layers × 34 B × {} tokens × {} seq × {} hidden + logits {} tokens × {} vocab × 8 B = {} GiB",
                    l,
                    s,
                    b,
                    h,
                    s * b,
                    v,
                    fmt1((layers_part + logits) / GIB)
                )
            };
            (layers_part + logits, 0.0, text)
        };
        let weights_gib = wb / shard / GIB;
        let grads_gib = gb / shard / GIB;
        let master_gib = mb / shard / GIB;
        let optimizer_gib = ob / shard / GIB;
        let adapters_gib = ab / shard / GIB;
        let activations_gib = act / GIB;
        let kv_cache_gib = kv / GIB;
        let overhead_gib = CUDA_OVERHEAD_GIB;
        let state = weights_gib + grads_gib + master_gib + optimizer_gib + adapters_gib;
        let total_gib = state + activations_gib + kv_cache_gib + overhead_gib;
        let shard_text = if shard > 1.0 {
            format!(" ÷ {shard} GPUs (sharded)")
        } else {
            String::new()
        };
        let formula = format!(
            "{parts_text} = {} GiB{shard_text}; {act_text}; + {} GiB CUDA context ⇒ ≈ {} GiB per GPU",
            fmt1(state),
            fmt1(overhead_gib),
            fmt1(total_gib)
        );
        VramEstimate {
            weights_gib,
            grads_gib,
            master_gib,
            optimizer_gib,
            adapters_gib,
            activations_gib,
            kv_cache_gib,
            overhead_gib,
            total_gib,
            formula,
        }
    }

    /// Size of the model as downloaded (16-bit checkpoint, or fp32 for fp32 runs), GB.
    pub fn model_download_gb(&self) -> f64 {
        let bytes = if self.precision == Precision::Fp32 {
            4.0
        } else {
            2.0
        };
        self.params_b.max(0.0) * bytes
    }

    /// One saved checkpoint, GB.
    pub fn checkpoint_gb(&self) -> f64 {
        let p = self.params_b.max(0.0);
        let t_b = self.trainable_params().max(0.0) / 1e9;
        let o = self.optimizer.state_bytes();
        match self.mode {
            RunMode::Inference => 0.0,
            RunMode::FullFineTune => {
                let w = if self.precision == Precision::Fp32 {
                    4.0
                } else {
                    2.0
                };
                let extra = if self.save_optimizer_state {
                    o + if self.precision == Precision::Fp32 {
                        0.0
                    } else {
                        4.0
                    }
                } else {
                    0.0
                };
                p * (w + extra)
            }
            RunMode::Lora | RunMode::QLora => {
                t_b * (4.0 + if self.save_optimizer_state { o } else { 0.0 })
            }
        }
    }

    /// Disk needed on the instance, GB.
    pub fn disk(&self) -> DiskEstimate {
        let image_gb = self.image_gb.max(0.0);
        let model_gb = self.model_download_gb();
        let dataset_gb = self.dataset_gb.max(0.0);
        let ckpt = self.checkpoint_gb();
        let checkpoints_gb = ckpt * f64::from(self.checkpoints_kept);
        let base = image_gb + model_gb + dataset_gb + checkpoints_gb;
        let scratch_gb = 5.0 + 0.1 * base;
        let total_gb = base + scratch_gb;
        let formula = format!(
            "image {} GB + model {} GB + dataset {} GB + {} checkpoints × {} GB + scratch (5 GB + 10 %) {} GB ⇒ ≈ {} GB",
            fmt1(image_gb),
            fmt1(model_gb),
            fmt1(dataset_gb),
            self.checkpoints_kept,
            fmt1(ckpt),
            fmt1(scratch_gb),
            fmt1(total_gb)
        );
        DiskEstimate {
            image_gb,
            model_gb,
            dataset_gb,
            checkpoints_gb,
            scratch_gb,
            total_gb,
            formula,
        }
    }

    /// Host RAM needed, GiB: one 16-bit copy of the checkpoint while loading (a quarter for
    /// QLoRA, which quantises shard by shard) + 8 GiB for OS/Python/dataloader + 2 GiB per GPU.
    pub fn cpu_ram(&self, offer_gpus: u32) -> RamEstimate {
        let load = self.model_download_gb() * GB / GIB
            * if self.mode == RunMode::QLora {
                0.25
            } else {
                1.0
            };
        let gpus = f64::from(offer_gpus.max(1));
        let total_gib = load + 8.0 + 2.0 * gpus;
        let formula = format!(
            "checkpoint load {} GiB{} + 8 GiB system + 2 GiB × {} GPUs ⇒ ≈ {} GiB",
            fmt1(load),
            if self.mode == RunMode::QLora {
                " (¼, quantised shard by shard)"
            } else {
                ""
            },
            gpus,
            fmt1(total_gib)
        );
        RamEstimate { total_gib, formula }
    }

    /// Seconds to download model + dataset at the offer's `inet_down` (Mbit/s); `None` if unknown.
    pub fn download_secs(&self, offer: &Offer) -> Option<f64> {
        offer.download_secs(self.model_download_gb() + self.dataset_gb.max(0.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seven_b_full_bf16_adamw() {
        let p = RunProfile {
            mode: RunMode::FullFineTune,
            gradient_checkpointing: false,
            ..RunProfile::default()
        };
        assert!(p.validate().is_empty());
        let v = p.vram_per_gpu(1);
        // 7e9 × 16 B = 112e9 B = 104.3 GiB of model state.
        let state = v.weights_gib + v.grads_gib + v.master_gib + v.optimizer_gib;
        assert!((state - 104.31).abs() < 0.01, "{state}");
        // Activations: 32 × 34 × 2048 × 4096 B = 8.5 GiB, logits 2 × 2048 × 32000 × 4 B = 0.49 GiB.
        assert!(
            (v.activations_gib - 8.99).abs() < 0.01,
            "{}",
            v.activations_gib
        );
        assert!(v.formula.contains("7.0B params × (2 B bf16 weights + 2 B grads + 4 B fp32 master copy + 8 B AdamW state) = 16 B/param"), "{}", v.formula);
        assert!(v.formula.contains("≈ 114.3 GiB per GPU"), "{}", v.formula);
        // Sharded over 8 GPUs: 104.3 / 8 = 13.0 GiB state per GPU.
        let sharded = RunProfile {
            parallelism: Parallelism::Sharded,
            ..p.clone()
        }
        .vram_per_gpu(8);
        assert!(
            (sharded.total_gib - (104.31 / 8.0 + 8.99 + 1.0)).abs() < 0.02,
            "{}",
            sharded.total_gib
        );
    }

    #[test]
    fn validation_names_fields() {
        let p = RunProfile {
            params_b: -1.0,
            seq_len: 0,
            micro_batch: 0,
            gpus: 0,
            dataset_gb: -5.0,
            image_gb: f64::NAN,
            precision: Precision::Bit4,
            mode: RunMode::FullFineTune,
            ..RunProfile::default()
        };
        let errs = p.validate();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_ref()).collect();
        assert_eq!(
            fields,
            [
                "params_b",
                "seq_len",
                "micro_batch",
                "gpus",
                "dataset_gb",
                "image_gb",
                "precision"
            ]
        );
        let q = RunProfile {
            mode: RunMode::QLora,
            precision: Precision::Bf16,
            ..RunProfile::default()
        };
        assert_eq!(
            q.validate()[0].to_string(),
            "precision: QLoRA loads the base model in 4-bit, not bf16"
        );
        let huge = RunProfile {
            params_b: 1e6,
            ..RunProfile::default()
        };
        assert_eq!(huge.validate()[0].field, "params_b");
    }

    #[test]
    fn arch_guess() {
        assert_eq!(
            Arch::guess(7.0),
            Arch {
                hidden: 4096,
                layers: 32,
                vocab: 32000
            }
        );
        assert_eq!(Arch::guess(70.0).layers, 80);
        let g = Arch::guess(20.0);
        // 12 · L · h² should land near 20e9.
        let p = 12.0 * f64::from(g.layers) * f64::from(g.hidden).powi(2);
        assert!((p / 20e9 - 1.0).abs() < 0.2, "{g:?}");
    }

    #[test]
    fn disk_and_download() {
        let p = RunProfile {
            mode: RunMode::FullFineTune,
            dataset_gb: 2.0,
            checkpoints_kept: 2,
            image_gb: 15.0,
            ..RunProfile::default()
        };
        let d = p.disk();
        // checkpoint = 7 × (2 + 8 + 4) = 98 GB; total = 15 + 14 + 2 + 196 = 227, + 5 + 22.7 scratch.
        assert!((d.checkpoints_gb - 196.0).abs() < 1e-9);
        assert!((d.total_gb - 254.7).abs() < 1e-9, "{}", d.formula);
        let offer = Offer {
            inet_down: Some(800.0),
            ..Offer::default()
        };
        // (14 + 2) GB × 8000 / 800 Mbit/s = 160 s.
        assert_eq!(p.download_secs(&offer), Some(160.0));
    }
}
