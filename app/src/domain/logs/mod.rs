//! Log intelligence: turn the raw bytes of a training log into progress,
//! throughput, loss and error facts. Pure (no IO), incremental, bounded in
//! memory, and total: any byte sequence is accepted without panicking.
//!
//! Pipeline: [`normalize`] (bytes -> clean lines, prefixes/timestamps
//! stripped) -> [`parse`] (per-format recognisers -> [`Event`]s) and
//! [`errors`] (tracebacks and kill-fast signatures) -> [`throughput`]
//! (step timing) -> [`LogAnalyzer::finish`] -> [`Analysis`].
//!
//! Reference for every format: `logs/FORMATS.md`; timing method:
//! `logs/EXPECTATIONS_AND_ETA.md`.

pub mod analyzer;
pub mod errors;
mod json_text;
pub mod normalize;
#[cfg(not(target_arch = "wasm32"))]
pub mod parallel;
pub mod parse;
mod prompt;
pub mod replay;
mod simd;
pub(crate) mod split;
mod text;
pub mod throughput;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

pub use analyzer::{
    Analysis, CheckpointStats, Clock, Eta, EvalStats, InputStats, LogAnalyzer, LossStats, Pauses,
    Rates, Reported,
};
pub use errors::{ErrorClass, LogError};
pub use normalize::{LineFlags, MAX_LINE_BYTES, NormLine, Normalizer};
pub use replay::{TimingError, TimingTrace, parse_timing_tsv, replay, replay_chunks, replay_into};
pub use throughput::{PauseKind, Percentiles};

/// The log format the analyzer locked onto.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Format {
    #[serde(rename = "hf_trainer")]
    HfTrainer,
    #[serde(rename = "tqdm")]
    Tqdm,
    #[serde(rename = "lightning")]
    Lightning,
    #[serde(rename = "nanogpt")]
    NanoGpt,
    #[serde(rename = "megatron")]
    Megatron,
    #[serde(rename = "torchtitan")]
    Torchtitan,
    #[serde(rename = "deepspeed")]
    DeepSpeed,
    #[serde(rename = "keras")]
    Keras,
    #[serde(rename = "unknown")]
    Unknown,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::HfTrainer => "hf_trainer",
            Format::Tqdm => "tqdm",
            Format::Lightning => "lightning",
            Format::NanoGpt => "nanogpt",
            Format::Megatron => "megatron",
            Format::Torchtitan => "torchtitan",
            Format::DeepSpeed => "deepspeed",
            Format::Keras => "keras",
            Format::Unknown => "unknown",
        }
    }
}

/// Which recogniser produced an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    Tqdm,
    HfDict,
    NanoGpt,
    LlamaC,
    ModdedNanoGpt,
    Megatron,
    Torchtitan,
    DeepSpeed,
    DeepSpeedTimer,
    Keras,
    RichBar,
    /// NeMo 2's `Training epoch 0, iteration 3/9 | ... | reduced_train_loss: 1.2`.
    Nemo,
    /// fairseq's `train_inner` / `valid` records (`num_updates=200`).
    Fairseq,
    /// detectron2's `iter: 19  total_loss: 76.49 ...` metric lines.
    Detectron2,
    /// stable-baselines3's log tables (`total_timesteps`, `train/loss`).
    StableBaselines,
    /// A metrics CSV (Keras's and Lightning's `CSVLogger`): a row per
    /// epoch or logged step under a header that names the columns.
    CsvMetrics,
    /// A hand-written loop's `step 50 ... loss=0.41` line.
    Generic,
    Marker,
    Error,
}

pub(crate) const N_SOURCES: usize = 19;

impl Source {
    /// Its name in the JSON (`stable_baselines`, `hf_dict`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Source::Tqdm => "tqdm",
            Source::HfDict => "hf_dict",
            Source::NanoGpt => "nano_gpt",
            Source::LlamaC => "llama_c",
            Source::ModdedNanoGpt => "modded_nano_gpt",
            Source::Megatron => "megatron",
            Source::Torchtitan => "torchtitan",
            Source::DeepSpeed => "deep_speed",
            Source::DeepSpeedTimer => "deep_speed_timer",
            Source::Keras => "keras",
            Source::RichBar => "rich_bar",
            Source::Nemo => "nemo",
            Source::Fairseq => "fairseq",
            Source::Detectron2 => "detectron2",
            Source::StableBaselines => "stable_baselines",
            Source::CsvMetrics => "csv_metrics",
            Source::Generic => "generic",
            Source::Marker => "marker",
            Source::Error => "error",
        }
    }
    pub(crate) fn idx(self) -> usize {
        self as usize
    }
    /// DeepSpeed's own engine lines (`step=`, `global_step=`).
    pub(crate) fn is_deepspeed(self) -> bool {
        matches!(self, Source::DeepSpeed | Source::DeepSpeedTimer)
    }
    /// Step lines that accompany a framework's own ones when both appear:
    /// DeepSpeed's engine, and the hand-written-loop shapes (Megatron-
    /// DeepSpeed also prints `steps: 12 loss: 2.3 iter time (s): ...`).
    pub(crate) fn is_secondary(self) -> bool {
        self.is_deepspeed() || self == Source::Generic
    }
    /// A training framework's own step lines (not tqdm, not DeepSpeed's
    /// engine, which runs under another framework as often as not).
    pub(crate) fn is_primary(self) -> bool {
        matches!(
            self,
            Source::NanoGpt
                | Source::LlamaC
                | Source::ModdedNanoGpt
                | Source::Megatron
                | Source::Torchtitan
                | Source::HfDict
                | Source::Nemo
                | Source::Fairseq
                | Source::Detectron2
                | Source::StableBaselines
                | Source::CsvMetrics
        )
    }
    pub fn format(self) -> Format {
        match self {
            Source::Tqdm => Format::Tqdm,
            Source::HfDict => Format::HfTrainer,
            Source::NanoGpt | Source::LlamaC | Source::ModdedNanoGpt => Format::NanoGpt,
            Source::Megatron => Format::Megatron,
            Source::Torchtitan => Format::Torchtitan,
            Source::DeepSpeed | Source::DeepSpeedTimer => Format::DeepSpeed,
            Source::Keras => Format::Keras,
            // NeMo runs on Lightning.
            Source::RichBar | Source::Nemo => Format::Lightning,
            // (None of these is in the stable list of formats.)
            Source::Fairseq
            | Source::Detectron2
            | Source::StableBaselines
            | Source::CsvMetrics
            | Source::Generic
            | Source::Marker
            | Source::Error => Format::Unknown,
        }
    }
    pub(crate) const ALL: [Source; N_SOURCES] = [
        Source::Tqdm,
        Source::HfDict,
        Source::NanoGpt,
        Source::LlamaC,
        Source::ModdedNanoGpt,
        Source::Megatron,
        Source::Torchtitan,
        Source::DeepSpeed,
        Source::DeepSpeedTimer,
        Source::Keras,
        Source::RichBar,
        Source::Nemo,
        Source::Fairseq,
        Source::Detectron2,
        Source::StableBaselines,
        Source::CsvMetrics,
        Source::Generic,
        Source::Marker,
        Source::Error,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Train,
    Eval,
    Checkpoint,
    Error,
    Info,
}

/// One fact from the log, uniform across formats. Rates are as the
/// framework printed them (`*_per_sec`, `rate`, `step_time_s`); the
/// analyzer's own measurements are in [`Analysis`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Arrival time or log timestamp (seconds), whichever clock the analyzer uses.
    pub time: Option<f64>,
    pub step: Option<u64>,
    pub total_steps: Option<u64>,
    pub epoch: Option<f64>,
    pub loss: Option<f64>,
    pub lr: Option<f64>,
    pub grad_norm: Option<f64>,
    /// Cumulative samples consumed, when the log says (Megatron, Lightning postfix).
    pub samples: Option<f64>,
    /// Cumulative tokens, when the log says (TRL `num_tokens`).
    pub tokens: Option<f64>,
    pub kind: EventKind,
    pub source: Source,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub val_loss: Option<f64>,
    /// Reported samples/s (DeepSpeed, Megatron NeoX, HF eval dicts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub samples_per_sec: Option<f64>,
    /// Reported tokens/s (torchtitan `tps`, per GPU).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tokens_per_sec: Option<f64>,
    /// Reported seconds per step (nanoGPT `time`, Megatron elapsed, Keras ms/step).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step_time_s: Option<f64>,
    /// Reported steps/s (a bar's displayed, smoothed rate).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate: Option<f64>,
    /// Reported runtime (HF `eval_runtime`, modded-nanogpt `train_time`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runtime_s: Option<f64>,
    /// Global batch size (Megatron).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl Event {
    pub fn new(kind: EventKind, source: Source) -> Self {
        Event {
            time: None,
            step: None,
            total_steps: None,
            epoch: None,
            loss: None,
            lr: None,
            grad_norm: None,
            samples: None,
            tokens: None,
            kind,
            source,
            val_loss: None,
            samples_per_sec: None,
            tokens_per_sec: None,
            step_time_s: None,
            rate: None,
            runtime_s: None,
            batch: None,
            message: None,
        }
    }
}
