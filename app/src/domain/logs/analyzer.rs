//! The incremental analyzer: bytes in (with their arrival time), an
//! [`Analysis`] out whenever asked.
//!
//! All state is bounded: fixed-size per-source counters, a bounded set of
//! tqdm bars, short rings of recent events/losses/step times, and the
//! bounded error list. Nothing grows with the size of the log.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use super::errors::{self, ErrorClass, ErrorTracker, LogError};
use super::normalize::{LineFlags, decode_line, strip_prefixes, trim_end_fast, trim_start_fast};
use super::parse::RawFrame;
use super::parse::{self, HfDict, TqdmFrame};
use super::prompt::{self, Prompt};
use super::split::{LineFacts, LineScan, LineSplitter};
use super::text::{Find, starts_with_any};
use super::throughput::{PauseKind, StepTiming, TimingSummary};
use super::{Event, EventKind, Format, N_SOURCES, Source};

const MAX_BARS: usize = 16;
const RECENT_EVENTS: usize = 16;
const LOSS_HEAD: usize = 10;
const REPORTED_WINDOW: usize = 64;
const CADENCE_RING: usize = 16;
/// A run read live (arrival times) with no new step for this long, and for
/// far longer than its steps and pauses take, reads as silent (a hang).
const SILENT_MIN_S: f64 = 600.0;
/// A source locks the format after this many consistent step records.
const LOCK_RECORDS: u64 = 3;
/// New steps seen after an error (and a restart) that show the run went on past it.
const STEPS_AFTER_ERROR: usize = 3;
/// New steps of the training bar after an error that show the process (or
/// a relaunch) went on past it. (Other ranks' bars may draw a step or two
/// before a collective stalls them.)
const BAR_STEPS_AFTER_ERROR: usize = 10;
/// How many new steps there were, and the lines of the latest `N`.
#[derive(Debug, Clone, Copy)]
struct StepLines<const N: usize> {
    count: u64,
    lines: [u64; N],
}

impl<const N: usize> Default for StepLines<N> {
    fn default() -> Self {
        StepLines {
            count: 0,
            lines: [0; N],
        }
    }
}

impl<const N: usize> StepLines<N> {
    fn push(&mut self, line: u64) {
        self.lines[self.count as usize % N] = line;
        self.count += 1;
    }

    /// The latest `N` new steps all came after `line`. (The oldest of
    /// them is the slot written next.)
    fn all_after(&self, line: u64) -> bool {
        self.count >= N as u64 && self.lines[self.count as usize % N] > line
    }
}

/// Restart signs remembered.
const RESTARTS_KEPT: usize = 16;
/// Increasing records below the previous maximum that mean "the run restarted".
const RESTART_RECORDS: u64 = 8;
/// Lines within which two checkpoint messages are one save (a framework's
/// and DeepSpeed's engine's).
const CHECKPOINT_LINES: u64 = 40;
/// Lines within which one save's own messages follow each other
/// (`Saving current state to ...`, its files, `Saved state to ...`), no
/// step between them.
const SAVE_LINES: u64 = 10;
/// Frames read from one line (a paste that lost its carriage returns glues
/// them together; a line is at most [`super::MAX_LINE_BYTES`] long anyway).
const MAX_GLUED_FRAMES: usize = 4096;
/// Lines a wrapped metrics dict may span, and the narrowest console that
/// wraps (a wrapped piece is this long at least).
const MAX_WRAPPED_LINES: u8 = 4;
/// Keys of a dict `pprint` printed one a line, at most.
const MAX_PPRINT_LINES: u8 = 40;
const MIN_WRAP_WIDTH: usize = 79;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Clock {
    /// Arrival times handed to `push` (the watcher's reads).
    Arrival,
    /// Timestamps printed in the log's own line prefixes.
    LogTimestamps,
    /// The tqdm bar's elapsed field (1 s resolution).
    BarElapsed,
    None,
}

#[derive(Debug, Clone, Default)]
struct SourceState {
    records: u64,
    last_step: Option<u64>,
    out_of_order: u64,
    /// Consecutive increasing out-of-order records (restart detection).
    restart_run: u64,
    restart_probe: Option<u64>,
    /// The line of the first record of that climb.
    restart_line: u64,
    restarts: u64,
    timing: StepTiming,
    /// Its latest record came without a time (see `note_step`).
    last_untimed: bool,
    /// The line of its first record.
    first_line: u64,
    /// The line of its latest new step, and the steps between its last
    /// two (how often the log reports: every 50 iterations, every 10).
    last_line: u64,
    stride: u64,
}

impl SourceState {
    /// A new step series from now on (its records and restarts stay).
    fn start_over(&mut self) {
        self.last_step = None;
        self.timing = StepTiming::new();
        self.restart_run = 0;
        self.restart_probe = None;
    }
}

/// mmcv's `*.log.json` records' epoch and iteration as the run's step
/// (see [`parse::HfDict::Mmcv`]): their `iter` counts within the epoch in
/// an epoch-based run (it starts over as the epoch changes), over the run
/// in an iteration-based one (it goes on).
#[derive(Debug, Clone, Copy, Default)]
struct MmcvCount {
    /// The epoch of the latest training record.
    epoch: Option<u64>,
    /// Iterations of the epochs before it, in an epoch-based run.
    done: u64,
    /// The latest training record's iteration.
    last_iter: u64,
    /// The epoch's length as far as known: its validation's `iter` (the
    /// epoch's iterations), else the largest one logged.
    longest: u64,
    /// An epoch's length once known: its validation's `iter`, or the
    /// longest count of an epoch that ended.
    epoch_len: Option<u64>,
}

impl MmcvCount {
    fn step(&mut self, epoch: u64, iter: u64, train: bool) -> u64 {
        match self.epoch {
            // An earlier epoch: another run (its own count from 0).
            Some(cur) if train && epoch < cur => *self = MmcvCount::default(),
            // The count started over with the epoch (or stands still: an
            // epoch of fewer than two log intervals): an epoch-based run.
            // The epochs that ended ran as many iterations as their longest
            // count: their validation's, else their last logged one (short
            // of the epoch by less than the log interval).
            Some(cur) if train && epoch > cur && iter <= self.last_iter => {
                self.done = self
                    .done
                    .saturating_add(self.longest.saturating_mul(epoch - cur));
                self.epoch_len = Some(self.longest);
                self.longest = 0;
            }
            _ => {}
        }
        if train || self.epoch.is_none() {
            self.epoch = Some(epoch);
        }
        // (An iteration-based run's validation counts the run's iterations:
        // its plan gives the total first.)
        if !train && self.epoch == Some(epoch) {
            self.epoch_len = Some(iter);
        }
        if self.epoch == Some(epoch) {
            self.longest = self.longest.max(iter);
        }
        if train {
            self.last_iter = iter;
        }
        self.done.saturating_add(iter)
    }
}

/// Signs that a program's output arrives in bursts rather than as it
/// prints (its stdout block-buffered): reads of whole 4 KiB blocks, or
/// step lines a capture stamped with one time (`docker logs -t` stamps a
/// burst's lines alike).
#[derive(Debug, Clone, Default)]
struct Bursts {
    reads: u64,
    block_reads: u64,
    stamped: u64,
    stamped_alike: u64,
    /// The latest new training step a stamp came with, and the stamp.
    last_stamp: Option<(f64, u64)>,
    /// A stamp with a fraction was seen: the stamps are fine enough that
    /// two steps stamped alike were not printed apart.
    fine: bool,
}

impl Bursts {
    /// A training step's record, stamped `t`. (Only a new step counts:
    /// several lines of one step, or sources, share their stamp.)
    fn stamped_step(&mut self, t: f64, step: u64) {
        if self.last_stamp.is_some_and(|(_, s)| step <= s) {
            return;
        }
        self.stamped += 1;
        if self.last_stamp.is_some_and(|(at, _)| at == t) {
            self.stamped_alike += 1;
        }
        self.last_stamp = Some((t, step));
        self.fine |= t.fract() != 0.0;
    }

    fn block_buffered(&self, clock: Clock) -> bool {
        match clock {
            Clock::Arrival => self.block_reads >= 3 && self.block_reads * 5 >= self.reads * 3,
            Clock::LogTimestamps => {
                self.fine && self.stamped >= 20 && self.stamped_alike * 2 >= self.stamped
            }
            _ => false,
        }
    }
}

#[derive(Debug, Clone)]
struct Bar {
    key: String,
    /// Hash of the description as last printed (same-bar fast path:
    /// comparing strings per frame showed up in profiles).
    desc_hash: u64,
    is_epoch: bool,
    frames: u64,
    last_n: f64,
    total: Option<f64>,
    cursor_up: bool,
    /// Ran between two passes of the training bar: a hand-written loop's
    /// validation bar (`for batch in tqdm(val_loader)`), an eval from now on.
    interlude: bool,
    /// A training loss was read from it (postfix or description) while it
    /// was the training bar.
    had_loss: bool,
    /// Its latest displayed rate (items per second).
    rate: Option<f64>,
    /// A bar drawn right under a line that names its work, which is not
    /// training (lm-eval's `Building contexts for arc_easy on rank 0...`,
    /// AllenNLP's `Validating`): never the training bar.
    named_not_training: bool,
}

/// The latest epoch-and-batch line, while it is undecided whether its count
/// is the run's or its epoch's (see [`LogAnalyzer::epoch_batch_global`]).
#[derive(Debug, Clone, Copy)]
struct EpochCadence {
    epoch: u64,
    count: u64,
    /// Lines seen in this epoch.
    lines: u32,
    /// The count's latest increase within the epoch.
    step: u64,
}

/// See [`LogAnalyzer::study`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Study {
    trials_ended: u64,
    ended: bool,
}

/// How a step observation relates to its source's series (for its loss).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StepSeen {
    /// A step past the latest.
    New,
    /// The latest step again (a redraw, another micro-batch, another rank).
    Repeat,
    /// An older step, or a record that restarted the series.
    Other,
}

impl StepSeen {
    /// `fresh`: the series took the step; `repeat`: it was its latest before.
    fn of(fresh: bool, repeat: bool) -> Self {
        match (fresh, repeat) {
            (true, _) => StepSeen::New,
            (false, true) => StepSeen::Repeat,
            (false, false) => StepSeen::Other,
        }
    }
}

/// The tqdm step series of a finished training bar that another bar took
/// over from, kept in case the finished one comes back for its next pass
/// (then the other one was its validation bar, not the training bar).
#[derive(Debug, Clone)]
struct LeftBar {
    bar: usize,
    last_step: Option<u64>,
    timing: StepTiming,
    count: BarCount,
    source_total: Option<u64>,
    last_loss: Option<(Source, u64, u64)>,
}

/// An evaluation bar drawing between the training bar's frames.
#[derive(Debug, Clone, Copy)]
struct EvalBar {
    n: f64,
    total: Option<f64>,
    /// Lightning's own name for it (`Validating`, `Validation DataLoader 0`).
    lightning: bool,
    /// Validation batches the epoch bar had counted when it began (an
    /// epoch may validate more than once).
    base: u64,
}

/// What a stable-baselines3 table said so far.
#[derive(Debug, Clone, Copy, Default)]
struct Sb3Table {
    timesteps: Option<f64>,
    elapsed: Option<f64>,
    loss: Option<f64>,
    /// OpenAI's logger (`logger.dumpkvs()`: improved-diffusion,
    /// guided-diffusion, DiffuSeq) draws the same table with a `step` row.
    step: Option<f64>,
}

/// Where the training bar's count stands across its epochs and passes (the
/// bar restarts at 0 for each; the run's step keeps counting).
#[derive(Debug, Clone, Copy, Default)]
struct BarCount {
    /// The epoch number its description shows (`Epoch 3`), and the first
    /// one it showed.
    epoch_no: Option<u64>,
    first_epoch: Option<u64>,
    /// The bar names the epoch but its count ran on into the next one
    /// (SimpleTuner's `Epoch 4/10, Steps: 25%| 101/400`): one count over
    /// the whole run, not a pass per epoch.
    counts_on: bool,
    /// Steps of the epochs / passes before the current one.
    epoch_offset: u64,
    /// Times the bar ran to its total and started again.
    bar_passes: u64,
    /// Bar-elapsed seconds of the epochs before the current one.
    epoch_elapsed_offset: f64,
    /// The current pass's count and elapsed seconds so far.
    last_train_n: u64,
    /// Validation batches the bar counted in this pass (Lightning 1.x's
    /// epoch bar counts them too).
    val_n: u64,
    /// The number of epochs its description shows (`3/20`).
    epochs: Option<u64>,
    last_elapsed: f64,
    /// The total of the epoch bar's latest frame (its batches per epoch).
    pass_total: Option<f64>,
    /// Bar-elapsed seconds of other bars (a validation loop) drawn since
    /// the training bar's latest frame: time between two passes that the
    /// next pass's bar, starting again from 0, does not count.
    between_elapsed: f64,
    /// The other bar drawing now and its elapsed seconds so far.
    between_bar: Option<(usize, f64)>,
}

impl BarCount {
    /// The current pass is over: its count and time move to the offsets
    /// (with `unseen` steps of epochs the log did not show).
    fn next_pass(&mut self, unseen: u64) {
        self.epoch_offset = self
            .epoch_offset
            .saturating_add(self.last_train_n)
            .saturating_add(unseen);
        self.epoch_elapsed_offset += self.last_elapsed + self.between_seconds();
        self.last_train_n = 0;
        self.val_n = 0;
        self.last_elapsed = 0.0;
        self.training_frame();
    }

    /// A frame of another bar (`bar`) at `elapsed` seconds into it.
    fn other_bar(&mut self, bar: usize, elapsed: Option<f64>) {
        let Some(e) = elapsed.filter(|e| e.is_finite() && *e >= 0.0) else {
            return;
        };
        match self.between_bar {
            Some((b, prev)) if b == bar && e >= prev => {}
            // Another bar, or this one started again: the last one's time
            // is complete.
            Some((_, prev)) => self.between_elapsed += prev,
            None => {}
        }
        self.between_bar = Some((bar, e));
    }

    /// The other bars' seconds since the training bar's latest frame.
    fn between_seconds(&self) -> f64 {
        self.between_elapsed + self.between_bar.map_or(0.0, |(_, e)| e)
    }

    /// A training frame: a bar that keeps its clock across the other bars
    /// (Lightning redraws its epoch bar after validation, HF's bar runs
    /// on) already counted their time.
    fn training_frame(&mut self) {
        self.between_elapsed = 0.0;
        self.between_bar = None;
    }
}

/// Infinite gradient norms in a row (and no NaN) that say a run diverged
/// (see [`ZeroWatch::diverged`]): fp16's scaler halves its scale at each,
/// so past this many it has lowered it 256-fold and still overflows.
const INF_GRAD_RUN: u64 = 8;

/// A learning rate or gradient norm of exactly 0 in every logged step
/// means nothing is being trained (a scheduler stuck at 0, frozen
/// parameters): worth saying even though the loss prints fine.
#[derive(Debug, Clone, Copy, Default)]
struct ZeroWatch {
    lr_seen: u64,
    lr_zero: u64,
    grad_seen: u64,
    grad_zero: u64,
    /// Gradient norms that were NaN or infinite, and how many of the latest
    /// ones in a row were (fp16 training skips a single overflowing step).
    grad_nan: u64,
    grad_nan_run: u64,
    /// That run of non-finite norms had a NaN (not only infinities).
    grad_nan_run_nan: bool,
}

impl ZeroWatch {
    fn note(&mut self, ev: &Event) {
        if let Some(lr) = ev.lr {
            self.lr_seen += 1;
            self.lr_zero += u64::from(lr == 0.0);
        }
        if let Some(g) = ev.grad_norm {
            self.grad_seen += 1;
            self.grad_zero += u64::from(g == 0.0);
            if g.is_finite() {
                self.grad_nan_run = 0;
                self.grad_nan_run_nan = false;
            } else {
                self.grad_nan += 1;
                self.grad_nan_run += 1;
                self.grad_nan_run_nan |= g.is_nan();
            }
        }
    }

    /// The latest gradient norms are not finite: more than one skipped
    /// step, and a NaN among them. (An infinite norm is fp16's overflow,
    /// a step its loss scaler skips while it lowers the scale; a long run
    /// of them is a scale that cannot get low enough.)
    fn diverged(&self) -> bool {
        self.grad_nan_run >= 2 && (self.grad_nan_run_nan || self.grad_nan_run >= INF_GRAD_RUN)
    }

    /// What [`Self::diverged`] saw.
    fn divergence(&self) -> &'static str {
        if self.grad_nan_run_nan {
            "gradient norm is NaN"
        } else {
            "gradient norm is infinite in every recent step"
        }
    }

    /// Notes for every quantity that was 0 in all of at least 3 logs.
    fn notes(&self) -> Vec<String> {
        let mut v = Vec::new();
        if self.lr_seen >= 3 && self.lr_zero == self.lr_seen {
            v.push(format!(
                "warning: learning rate is 0 in all {} logged steps: the weights are not being updated (scheduler or warm-up misconfigured?)",
                self.lr_seen
            ));
        }
        if self.grad_seen >= 3 && self.grad_zero == self.grad_seen {
            v.push(format!(
                "warning: gradient norm is 0 in all {} logged steps: no gradient reaches the weights (frozen parameters, detached loss?)",
                self.grad_seen
            ));
        }
        if self.diverged() {
            v.push(format!(
                "warning: gradient norm was NaN or infinite in {} of {} logged steps (the run diverged; the loss it prints may look fine, e.g. 0.0)",
                self.grad_nan, self.grad_seen
            ));
        }
        v
    }
}

/// A prompt read as the log's last line (see [`LogAnalyzer::note_prompt`]).
#[derive(Debug, Clone)]
struct PromptSeen {
    line: u64,
    prompt: Prompt,
    text: String,
    time: Option<f64>,
}

/// See [`LogAnalyzer::steady_after`].
#[derive(Debug, Clone, Copy)]
struct Steady {
    /// The splitting thread's memo the frame came from.
    memo: u32,
    /// The frame's line.
    line: u64,
    /// The bar.
    bar: usize,
    flags: LineFlags,
    /// The bar is the training bar.
    training: bool,
}

#[derive(Debug, Clone, Default)]
struct LossTrack {
    first: Option<f64>,
    last: Option<f64>,
    min: Option<f64>,
    count: u64,
    nan_count: u64,
    /// Every value since the latest NaN was 0.0 (HF before 4.38 prints
    /// `'loss': 0.0` for the rest of a run that diverged).
    zero_since_nan: bool,
    head: Vec<f64>,
    tail: VecDeque<f64>,
}

impl LossTrack {
    fn push(&mut self, v: f64) {
        self.count += 1;
        if !v.is_finite() {
            self.nan_count += 1;
            self.last = Some(v);
            self.zero_since_nan = true;
            return;
        }
        if v != 0.0 {
            self.zero_since_nan = false;
        }
        if self.first.is_none() {
            self.first = Some(v);
        }
        self.last = Some(v);
        self.min = Some(self.min.map_or(v, |m| m.min(v)));
        if self.head.len() < LOSS_HEAD {
            self.head.push(v);
        }
        self.tail.push_back(v);
        if self.tail.len() > LOSS_HEAD {
            self.tail.pop_front();
        }
    }
    /// The value just pushed was redrawn with a newer one for the same step:
    /// replace it (the first value printed stays the first).
    fn amend_last(&mut self, v: f64) {
        let Some(old) = self.last else { return };
        if old.to_bits() == v.to_bits() {
            return;
        }
        self.last = Some(v);
        if !v.is_finite() {
            self.nan_count += 1;
            return;
        }
        if !old.is_finite() {
            self.min = Some(self.min.map_or(v, |m| m.min(v)));
            return;
        }
        self.min = Some(self.min.map_or(v, |m| m.min(v)));
        if (2..=LOSS_HEAD as u64).contains(&self.count)
            && let Some(h) = self.head.last_mut()
        {
            *h = v;
        }
        if let Some(t) = self.tail.back_mut() {
            *t = v;
        }
    }

    /// The latest finite losses that were exactly 0, in a row (at most
    /// [`LOSS_HEAD`]); none when the loss went NaN before them (HF's
    /// `'loss': 0.0` after a divergence, said on its own).
    fn zero_run(&self) -> usize {
        if self.zero_since_nan {
            return 0;
        }
        self.tail.iter().rev().take_while(|v| **v == 0.0).count()
    }

    /// A loss of 0 in the latest logged values: nothing is learned from
    /// them (Python prints a real loss that small as `1e-05`, not `0.0`;
    /// a loop's fixed decimals may round one to 0, which the note allows).
    fn zero_note(&self) -> Option<String> {
        let run = self.zero_run();
        (run >= ZERO_LOSS_RUN).then(|| {
            format!(
                "warning: loss is exactly 0 in the latest {run} logged values{}: nothing is being learned from them (labels all masked or ignored? a loss that underflows in fp16? or a memorised dataset, rounded when printed)",
                if self.count as usize == run { " (all of them)" } else { "" }
            )
        })
    }

    /// Relative change between the mean of the first and the latest losses.
    fn rel_change(&self) -> Option<f64> {
        if self.count < 4 {
            return None;
        }
        let k = (self.head.len().min(self.tail.len()) / 2).max(1);
        let a: f64 = self.head.iter().take(k).sum::<f64>() / k as f64;
        let b: f64 = self.tail.iter().rev().take(k).sum::<f64>() / k as f64;
        if a.abs() < 1e-12 {
            return None;
        }
        Some((b - a) / a.abs())
    }
}

/// DeepSpeed's optimizer skips a step whose fp16 gradients overflowed, and
/// lowers its loss scale; `skipped` of `step` steps: a warning when most
/// were skipped past the scale's first descent (from 2^16, a few dozen
/// skips at the start are normal): the weights are barely updated.
fn skipped_steps_warning(step: u64, skipped: u64) -> Option<String> {
    (step >= MIN_STEPS_FOR_SKIPPED && skipped * 2 >= step)
        .then(|| format!("DeepSpeed skipped {skipped} of {step} steps (fp16 overflow)"))
}

/// Steps before [`skipped_steps_warning`] reads DeepSpeed's skipped count.
const MIN_STEPS_FOR_SKIPPED: u64 = 100;

/// Latest losses of exactly 0 in a row that [`LossTrack::zero_note`] warns of.
const ZERO_LOSS_RUN: usize = 3;

/// What the readers of a few projects' own lines remember.
#[derive(Debug, Clone, Default)]
struct ProjectState {
    /// mmcv's `*.log.json` records, counted as the run's steps.
    mmcv: MmcvCount,
    /// DeepSpeed's latest `step=N, skipped=K` (see [`skipped_steps_warning`]).
    deepspeed_skipped: Option<(u64, u64)>,
    /// DARTS's epoch (its `epoch N lr X` line), and whether its `valid`
    /// records are under way (see [`parse::darts_step`]).
    darts_epoch: Option<u64>,
    darts_valid: bool,
    /// The line of a `Total params:` (Keras's summary ends with it).
    total_params_line: Option<u64>,
    /// PySlowFast printed iteration stats (its epoch summaries are not
    /// steps then), and its `val_*` stats are under way.
    slowfast_iters: bool,
    slowfast_val: bool,
    /// A Coqui TTS step whose loss line has not come yet (its evaluation's
    /// loss lines come after `> EVALUATION`, with no step).
    coqui_loss_due: bool,
    /// VITS's latest epoch head (`Train Epoch: 1 [0%]`) and its line.
    vits_epoch: Option<(u64, u64)>,
    /// The line of HF's `***** Running training *****`, and the plan under
    /// it (also in Unsloth's banner): `Num examples = 25,000`, `Num Epochs
    /// = 3`.
    hf_banner_line: Option<u64>,
    hf_examples: Option<u64>,
    hf_epochs: Option<u64>,
    /// Steps told from the epochs of HF dicts that have no step.
    epoch_steps: EpochSteps,
    /// The HF Trainer's table of losses in a notebook, under way, and the
    /// steps an epoch its progress label tells (for a table by epoch).
    hf_table: Option<parse::NotebookTable>,
    notebook_epoch_steps: Option<u64>,
    /// W&B's run summary is under way (`wandb: Run summary:`).
    wandb_summary: bool,
}

/// HF dicts without a step, and no logging interval known: the step is the
/// epoch (fractional) times the steps per epoch. transformers 4.x rounds
/// the epoch to two decimals, so its estimates are snapped to the interval
/// the dicts show, when it is a round number (`logging_steps` always is).
#[derive(Debug, Clone, Default)]
struct EpochSteps {
    /// The steps per epoch used (for the note).
    per_epoch: Option<f64>,
    last_estimate: Option<f64>,
    /// An epoch with more than two decimals was seen: the epochs are
    /// exact (transformers 5.x), the estimates need no snapping.
    exact: bool,
    /// The latest differences between consecutive estimates.
    gaps: VecDeque<f64>,
}

/// Gaps kept for [`EpochSteps::interval`].
const EPOCH_STEP_GAPS: usize = 8;

impl EpochSteps {
    /// The step at `epoch`, `per_epoch` steps an epoch.
    fn step_at(&mut self, epoch: f64, per_epoch: f64) -> u64 {
        let estimate = epoch * per_epoch;
        if let Some(prev) = self.last_estimate
            && estimate > prev
        {
            push_ring(&mut self.gaps, estimate - prev, EPOCH_STEP_GAPS);
        }
        self.last_estimate = Some(estimate);
        self.per_epoch = Some(per_epoch);
        let hundredths = epoch * 100.0;
        self.exact |= (hundredths - hundredths.round()).abs() > 1e-6;
        let step = match self.interval(per_epoch).filter(|_| !self.exact) {
            Some(every) => (estimate / every).round() * every,
            None => estimate.round(),
        };
        (step as u64).max(1)
    }

    /// The logging interval the gaps show: a round number within a fifth of
    /// their median, and wide enough that a two-decimal epoch (a hundredth
    /// of `per_epoch` steps) cannot put an estimate nearer another multiple.
    fn interval(&self, per_epoch: f64) -> Option<f64> {
        let mut gaps: Vec<f64> = self.gaps.iter().copied().collect();
        gaps.sort_by(f64::total_cmp);
        let median = *gaps.get(gaps.len() / 2)?;
        const ROUND: [f64; 19] = [
            1.0, 2.0, 5.0, 10.0, 20.0, 25.0, 50.0, 100.0, 200.0, 250.0, 500.0, 1000.0, 2000.0,
            2500.0, 5000.0, 10000.0, 20000.0, 25000.0, 50000.0,
        ];
        ROUND
            .into_iter()
            .find(|&r| (median / r - 1.0).abs() <= 0.2)
            .filter(|&r| 0.005 * per_epoch < r / 2.0)
            // (Under 100 steps an epoch the rounding is off by less than
            // half a step: the nearest step is the step.)
            .filter(|_| 0.005 * per_epoch >= 0.5)
    }
}

/// A loop's bare epoch header (`**** EPOCH 000 ****`, `Epoch: 3/100,`):
/// the loss lines under it are that epoch's.
#[derive(Debug, Clone, Copy)]
struct EpochHeader {
    number: u64,
    /// How many epochs it says there are, if it does.
    total: Option<u64>,
    line: u64,
}

/// Incremental log analyzer. See the module docs.
#[derive(Debug, Clone)]
pub struct LogAnalyzer {
    /// Bytes -> timed lines (the stateless half of the per-line work lives
    /// in [`LineFacts`]; see [`super::parallel`] for the two-thread split).
    front: LineSplitter,
    cur_time: Option<f64>,
    /// The latest time the log was read, new bytes or none (see
    /// [`Self::observe_time`]).
    observed_until: Option<f64>,
    lines: u64,
    truncated_lines: u64,
    redraw_lines: u64,
    clock: Clock,
    last_log_ts: Option<f64>,
    errors: ErrorTracker,
    /// Signs that the output arrives in bursts (see [`Bursts`]).
    bursts: Bursts,
    /// The latest line that opened a dict, and its text (see
    /// `on_metric_line`).
    prev_dict: (u64, String),
    /// The current line's dict, read ahead by the splitting thread (see
    /// [`Self::take_line`]): the text it read, by address and length (the
    /// line's bytes stay where they are while the line is analysed) ...
    read_ahead_text: Option<(usize, usize)>,
    /// ... and what it read. (Apart: only lines that open a dict write
    /// this, every line writes that.)
    read_ahead_dict: Option<HfDict>,
    /// How the process ended, when the recording knows (see
    /// [`Self::process_exited`]): its code, and when.
    exit: Option<(i32, Option<f64>)>,
    src: Vec<SourceState>,
    locked: Option<Source>,
    bars: Vec<Bar>,
    train_bar: Option<usize>,
    last_bar: Option<usize>,
    /// A bar's frame on the line before, read whole, left the state in
    /// which its next frame does only what [`LogAnalyzer::steady_frame`]
    /// does.
    steady: Option<Steady>,
    /// The line of the latest tqdm frame.
    last_frame_line: u64,
    left_bar: Option<LeftBar>,
    /// An eval / checkpoint bar episode is in progress (since the last
    /// training-bar frame).
    other_bar_active: (bool, bool),
    bar_count: BarCount,
    // hints
    hf_dicts: u64,
    hf_banner: bool,
    /// transformers' own logger or its trainer in a traceback was seen.
    hf_hint: bool,
    /// A bar named as Lightning names its own epoch bar (`Epoch 3:`): a
    /// hint of Lightning for reading bars, with [`Self::lightning_sign`]
    /// (see [`Self::lightning_hint`]), not enough to name the format.
    lightning_epoch_bar: bool,
    /// Bars named as Lightning names its other loops' (`Sanity Checking`,
    /// `Validation DataLoader 0`): a sign for the format, not for reading
    /// bars (a copied name is common there).
    lightning_loop_bars: bool,
    /// A sign of Lightning other than an epoch bar's name (its banner, its
    /// `v_num` postfix, its other loops' bars): `tqdm(loader,
    /// desc=f"Epoch {epoch}")` in a loop of one's own draws the same bar.
    lightning_sign: bool,
    /// Lightning's own lines as its trainer starts (`GPU available: True
    /// (cuda), used: True`): its format even before any step.
    lightning_banner: bool,
    /// A bar named as Lightning names its own (`Epoch 0:`) whose postfix
    /// counts `global_step=` without Lightning's `v_num` (NeMo's shows
    /// both): a loop that copied the name (Open-Sora's), not Lightning.
    lightning_name_copied: bool,
    rich_bar: bool,
    rich_followup: u8,
    /// Lightning's `Trainer.fit` stopped.
    fit_stopped: bool,
    /// New steps seen when the log said the run ended.
    finished_at: u64,
    /// The line of that end sign.
    finished_line: u64,
    /// Another bar drew a frame since the training bar's latest one.
    other_bar_between: bool,
    /// The start of a dict line a console wrapped, how many lines it has,
    /// and the line number of its latest piece.
    wrapped_dict: Option<(String, u8, u64)>,
    /// Logged learning rates and gradient norms that were exactly 0.
    zeros: ZeroWatch,
    /// Signs that the run (re)started (a training banner, torchelastic
    /// restarting its workers, a resume): (line number, new steps seen by then).
    restarts: VecDeque<(u64, u64)>,
    /// New step observations so far (any source).
    fresh: StepLines<STEPS_AFTER_ERROR>,
    /// New steps of the training bar.
    bar_steps: StepLines<BAR_STEPS_AFTER_ERROR>,
    /// A hand-written eval progress episode is under way.
    generic_eval: bool,
    /// Hand-written per-epoch summaries gave the steps: they are epochs.
    epoch_steps: bool,
    /// A hand-written line counted steps (not epochs).
    generic_counted_steps: bool,
    /// HF's `logging_steps`, when the script printed its arguments, and the
    /// dicts without a step since the run (re)started.
    logging_steps: Option<u64>,
    stepless_dicts: u64,
    /// The line where a loop announced an evaluation (see
    /// [`parse::announces_evaluation`]).
    eval_announced: Option<u64>,
    /// In the `key = value` lines under a TensorFlow script's `***** Eval
    /// results *****` (BERT's): the evaluation's, not training's.
    tf_eval_results: bool,
    /// The line of TensorFlow Model Garden's (Orbit's) latest `train |
    /// step: N | ... | output: ` whose metrics dict pprint put on the lines
    /// after it.
    orbit_output_line: Option<u64>,
    /// What the readers of a few projects' own lines remember (rarely
    /// touched: kept out of the way of the per-line state).
    projects: Box<ProjectState>,
    /// A line that was only a counter (`iter = 20`), and its line number:
    /// the loss may follow on the next line.
    pending_counter: Option<(u64, u64)>,
    /// HF's logging strategy is `steps` (its default; `epoch` or `no`
    /// otherwise), whether it also logs the first step, and the step a
    /// resumed run continued from.
    logging_per_step: bool,
    logging_first_step: bool,
    stepless_base: u64,
    /// fairseq's configuration was read since the run (re)started.
    fairseq_plan_read: bool,
    /// Keras printed `verbose=2` epoch lines: its steps are epochs.
    keras_epoch_steps: bool,
    /// Later `fit()` calls (the epoch count started again at 1).
    keras_fits: u64,
    /// The current epoch's bar reached its total (or its `verbose=2` line
    /// came): a bar of another length is an evaluation...
    keras_epoch_done: bool,
    /// ...whose bar is being drawn (one eval per episode).
    keras_eval_active: bool,
    /// Rich bar: (epoch, its latest count) and the steps of earlier epochs.
    rich_epoch: Option<(u64, u64)>,
    rich_offset: u64,
    /// Loss values from bare `Loss: x` lines (counted only while no
    /// recogniser has given a loss, so nothing is counted twice).
    bare_losses: u64,
    /// Ultralytics YOLO's loss columns, from its epoch table header (see
    /// [`parse::yolo_header`]), and whether a loss came from them.
    yolo_loss_columns: Option<u32>,
    /// The columns of the metrics CSV whose rows come now.
    csv_columns: Option<parse::CsvColumns>,
    /// The first epoch number of `epoch 1 [100/500]` lines (0 or 1).
    epoch_batch_base: Option<u64>,
    epoch_batch_from_zero: Option<bool>,
    /// Epoch-and-batch lines whose count went on across an epoch's change,
    /// in its cadence (`Epoch 1 | step 2400/20000` then `Epoch 2 | step
    /// 2500/20000`): the run's steps and total, not a batch of the epoch.
    epoch_batch_global: Option<bool>,
    /// Until that is decided: the latest such line (see [`EpochCadence`]).
    epoch_batch_last: Option<EpochCadence>,
    /// Epoch lines that say how many (`epoch=0/250`) counted from 0: the
    /// first one's number was 0.
    epochs_from_zero: Option<bool>,
    /// OpenCLIP's samples per step: the count on its first line, which
    /// it prints after the first step.
    openclip_batch: Option<u64>,
    yolo_losses: bool,
    /// Keras counts samples (`Train on N samples`), in batches of this many.
    keras_samples: bool,
    keras_batch: Option<u64>,
    /// The next bar line is an epoch's first (one batch of samples).
    keras_epoch_first_line: bool,
    /// The first `Epoch N/M` header's N (0: the loop counts from 0, and
    /// `M` is the last epoch's number), and whether the current header's
    /// epoch summary was read (see [`Self::on_phase_summary`]).
    epoch_header_first: Option<u64>,
    epoch_header_summary: bool,
    /// A bare `Epoch: 0002` header line came since the last hand-written
    /// step record, and the steps counted in the epochs before it: a loop
    /// whose step counter starts over each epoch counts on.
    epoch_header_since_step: bool,
    /// The latest bare epoch header.
    last_epoch_header: Option<EpochHeader>,
    /// The line of the latest hand-written step line read (see
    /// [`parse::generic_step`]).
    generic_step_line: u64,
    /// The most steps an epoch of a hand-written loop's counted (see
    /// `note_line_epoch`).
    generic_epoch_len: Option<u64>,
    /// The steps between its first two reports in one epoch.
    generic_raw_stride: Option<u64>,
    generic_step_offset: u64,
    generic_raw_last: Option<u64>,
    /// The epoch and step of the latest hand-written step line that printed
    /// its epoch (see [`Self::note_line_epoch`]).
    generic_line_epoch: Option<(u64, u64)>,
    /// WeNet 3's epoch and global step as that epoch started.
    wenet_epoch_start: Option<(u64, u64)>,
    /// The stable-baselines3 table being read, and whether the previous
    /// line was a row of one or its dashed border.
    sb3_table: Sb3Table,
    sb3_in_table: bool,
    /// Epochs a hand-written loop's per-epoch line says it will run
    /// (`Epoch 3/15 | trn_loss ...`).
    epochs_planned: Option<u64>,
    /// A bar over the epochs (`trange(epochs, desc="Epoch")`) was drawn at
    /// the top: a nested bar under it may count the training steps.
    outer_epoch_bar: bool,
    /// An image generation server (ComfyUI's `got prompt`): its sampling
    /// bars are no training.
    serving_images: bool,
    /// The latest line that names the work of the bare bar drawn under it
    /// as something other than training (see [`Bar::named_not_training`]).
    not_training_line: Option<u64>,
    /// The latest step of nerfstudio's table (it redraws its last rows
    /// under each new one: older rows come again).
    nerfstudio_step: Option<u64>,
    /// The trainer stopped because the loss blew up (NequIP's upper bound on
    /// the validation loss): a warning with its end.
    stopped_diverged: bool,
    /// The log's last line so far is a prompt the job waits at (see
    /// [`prompt`]): its line, what it waits for, its text and time.
    prompt: Option<Box<PromptSeen>>,
    /// MONAI's tutorial loops: the epoch its latest `epoch 3/100` line
    /// heads, and whether batch lines (`12/16, train_loss: 0.1240`) came
    /// under one (then they count the steps, not the epochs' summaries).
    monai_epoch: Option<(u64, u64)>,
    monai_batches: bool,
    /// NeMo-RL's step in progress and its total, from its latest banner.
    nemo_rl_step: Option<(u64, u64)>,
    /// A hyperparameter study (Optuna's `Trial 3 finished with value:`):
    /// how many trials ended, and whether the study said it ended
    /// (`Best trial:` after the latest). Each trial trains anew, so the end
    /// of one is not the run's.
    study: Option<Study>,
    /// Lines whose errors the program said it survives (see
    /// [`Self::errors_survived`]), as (first, last) line.
    survived: VecDeque<(u64, u64)>,
    /// Batches per epoch of epoch-and-batch lines (`Epoch [3][50/2439]`).
    batches_per_epoch: Option<u64>,
    /// ESPnet2's reports: the epoch, its last batch reported, and the
    /// batches of the epochs before it.
    espnet: Option<(u64, u64, u64)>,
    /// fastai's results table: the training loss's column, and whether its
    /// epochs count from 0 (known at its first row).
    fastai: Option<(usize, Option<bool>)>,
    /// The step whose TensorFlow loss dict was read (see
    /// [`parse::tf_total_loss`]).
    tf_loss_step: Option<u64>,
    /// spaCy's training table: how many loss columns its rows have.
    spacy_losses: Option<usize>,
    /// MiniMind-style lines count epochs from 0 (`Epoch:[0/2](100/4000)`).
    minimind_from_zero: bool,
    /// The evaluation bar that drew since the training bar last trained
    /// (see [`Self::on_bar_frame`], Lightning 1.x).
    eval_bar: Option<EvalBar>,
    /// The epoch bar was seen to count the validation batches too, in step
    /// with the validation bar (Lightning 1.x).
    val_on_epoch_bar: bool,
    /// Losses taken from hand-written step lines ([`Source::Generic`]).
    generic_losses: u64,
    /// The latest step loss: its source, its step and the loss count right
    /// after it (see [`Self::take_step_loss`]).
    last_loss: Option<(Source, u64, u64)>,
    keras_epoch: Option<u64>,
    keras_epochs_total: Option<u64>,
    keras_steps_per_epoch: Option<u64>,
    banner_total: Option<u64>,
    max_iters: Option<u64>,
    source_total: Option<u64>,
    samples_per_step: Option<f64>,
    tokens_per_step: Option<f64>,
    block_size: Option<f64>,
    current_step: Option<u64>,
    epoch: Option<f64>,
    // pauses
    /// Eval and checkpoint markers printed so far.
    marker_seq: (u64, u64),
    /// The line of the latest evaluation or checkpoint marker.
    marker_line: u64,
    eval_events: u64,
    eval_bar_episodes: u64,
    eval_steps: VecDeque<u64>,
    eval_runtime_sum: f64,
    eval_runtime_n: u64,
    last_eval_loss: Option<f64>,
    ckpt_count: u64,
    /// The line of the latest checkpoint marker.
    ckpt_line: Option<u64>,
    ckpt_steps: VecDeque<u64>,
    // loss & reported
    loss: LossTrack,
    bar_rate: Option<f64>,
    reported_step_times: VecDeque<f64>,
    reported_samples_per_sec: Option<f64>,
    reported_tokens_per_sec: Option<f64>,
    final_metrics: Option<(Option<f64>, Option<f64>, Option<f64>)>,
    finished: Option<String>,
    recent: VecDeque<Event>,
}

impl Default for LogAnalyzer {
    fn default() -> Self {
        Self::new()
    }
}

// ---------------------------------------------------------------------------
// Output

/// Step rates (steps/s). `p25`/`p50`/`p90` are percentiles of the recent
/// per-interval rate with warm-up and pauses excluded (p25 = a slow-ish
/// interval, p90 = a fast one); `overall` is first-to-last step over wall
/// time with every pause included. `null` where no timing exists.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Rates {
    pub p25: Option<f64>,
    pub p50: Option<f64>,
    pub p90: Option<f64>,
    pub overall: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Pauses {
    pub count: u64,
    /// Time lost to pauses beyond the normal step time.
    pub total_s: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct EvalStats {
    pub count: u64,
    /// Mean measured eval pause (beyond normal step time), or the reported
    /// eval runtime when no timing exists.
    pub mean_s: Option<f64>,
    /// Median steps between evals.
    pub every_steps: Option<u64>,
    pub reported_runtime_mean_s: Option<f64>,
    pub last_loss: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct CheckpointStats {
    pub count: u64,
    pub every_steps: Option<u64>,
    pub mean_pause_s: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct LossStats {
    pub first: Option<f64>,
    pub last: Option<f64>,
    pub min: Option<f64>,
    pub count: u64,
    pub nan_count: u64,
    /// (mean of latest few - mean of first few) / |mean of first few|.
    pub rel_change: Option<f64>,
}

/// What the framework itself printed about speed (smoothed or averaged:
/// informative, never used as the measurement).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Reported {
    /// Latest displayed bar rate (it/s) of the training bar.
    pub bar_rate: Option<f64>,
    /// Median reported per-step time over recent lines (nanoGPT, Megatron, Keras).
    pub step_time_s: Option<f64>,
    pub samples_per_sec: Option<f64>,
    pub tokens_per_sec: Option<f64>,
    /// HF final speed metrics (include eval and checkpoint time).
    pub train_runtime_s: Option<f64>,
    pub train_samples_per_sec: Option<f64>,
    pub train_steps_per_sec: Option<f64>,
}

/// Time to finish (EXPECTATIONS_AND_ETA.md §4): remaining steps at the
/// p25 / median / p90 step time, plus the remaining evals and checkpoints at
/// their measured pause cost. `None` without a total or without timing.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Eta {
    pub remaining_steps: Option<u64>,
    pub optimistic_s: Option<f64>,
    pub base_s: Option<f64>,
    pub pessimistic_s: Option<f64>,
    /// Evals / checkpoints still expected from the observed cadence.
    pub remaining_evals: Option<u64>,
    pub remaining_checkpoints: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct InputStats {
    pub bytes: u64,
    pub lines: u64,
    pub truncated_lines: u64,
    pub redraw_lines: u64,
}

/// The analyzer's answer. Serialises to the JSON the watcher stores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    pub format: Format,
    /// The recogniser whose lines gave the steps: finer than `format`
    /// (`fairseq`, `detectron2`, `stable_baselines`, `generic` for a
    /// hand-written loop's lines, `tqdm` for a progress bar).
    pub step_source: Option<Source>,
    /// One line: "progressing", "completed", "fatal: CUDA out of memory",
    /// "no training progress recognised"; with a qualifier in parentheses
    /// ("progressing (warning: loss is NaN)", "completed (then failed:
    /// Python exception: HTTPError)").
    pub verdict: String,
    pub finished: bool,
    pub last_step: Option<u64>,
    pub total_steps: Option<u64>,
    pub epoch: Option<f64>,
    pub steps_per_sec: Rates,
    /// Recent step time percentiles in seconds (p90 = pessimistic).
    pub step_time_s: super::Percentiles,
    pub samples_per_sec: Option<f64>,
    pub tokens_per_sec: Option<f64>,
    pub pauses: Pauses,
    pub eta: Eta,
    pub eval: EvalStats,
    pub checkpoints: CheckpointStats,
    pub loss: LossStats,
    pub reported: Reported,
    pub errors: Vec<LogError>,
    /// The error the verdict names: the run's own failure, where `errors`
    /// also holds the launchers' and wrappers' reports of it (torchrun's
    /// `ChildFailedError`, accelerate's `CalledProcessError`), which come
    /// after it. `None` when nothing fatal ended the run.
    #[serde(default)]
    pub fatal_error: Option<LogError>,
    pub warnings: u64,
    pub clock: Clock,
    /// Timed intervals seen / in the recent window.
    pub timing_intervals: u64,
    pub timing_window: usize,
    /// What could not be computed, and why; caveats.
    pub notes: Vec<String>,
    pub recent: Vec<Event>,
    pub input: InputStats,
}

/// Every metric recogniser tried after the first-byte tests needs one of these.
const METRIC_ANCHORS: [&[u8]; 4] = [b" | ", b"step=", b"SamplesPerSec=", "━".as_bytes()];

/// Every marker (banner, checkpoint, totals) contains one of these.
const MARKER_ANCHORS: [&[u8]; 35] = [
    b"*****",
    b"restart",
    b"Resum",
    b"Total ",
    b"aving ",
    b"tokens per iteration",
    b"Overriding: ",
    b"GPU available",
    b"LOCAL_RANK",
    b"Trainable params",
    b"Trainer.fit",
    b"saving model",
    b"checkpoint",
    b"max_iters",
    b"block_size",
    b"max_update",
    b"MAX_ITER: ",
    b"Starting training from iteration",
    b"Checkpoint global_step",
    b"Start running, host",
    b"Checkpoints will be saved to",
    b"Beginning experiment!",
    b"workflow: ",
    b"total steps ",
    b"logging_steps",
    b"logging_strategy",
    b"logging_first_step",
    b"Continuing training from global step",
    b"Epoch loaded: ",
    b"running training",
    b"optimization steps / ",
    b"Num examples = ",
    b"Num Epochs = ",
    b"max_steps",
    b"num_training_steps",
];

const METRIC_SET: parse::Anchors<4> = parse::Anchors::new(METRIC_ANCHORS);

/// The bit of `word` in [`MARKER_SET`]'s hits (evaluated at compile time:
/// a word that is not an anchor does not build).
const fn marker_bit(word: &[u8]) -> u64 {
    let mut i = 0;
    while i < MARKER_ANCHORS.len() {
        let a = MARKER_ANCHORS[i];
        if a.len() == word.len() {
            let mut k = 0;
            while k < a.len() && a[k] == word[k] {
                k += 1;
            }
            if k == a.len() {
                return 1 << i;
            }
        }
        i += 1;
    }
    panic!("not a marker anchor");
}
const MARKER_SET: parse::Anchors<35> = parse::Anchors::new(MARKER_ANCHORS);

/// Descriptions of inference bars that a loop may also give its training
/// bar (`Batches` with a `loss=` beside it): no training without a loss.
const INFERENCE_BAR_DESCS: [&str; 1] = ["Batches"];

const EXCLUDED_BAR_DESCS: [&str; 65] = [
    "Map",
    "Filter",
    "Tokeniz",
    "Loading",
    "Downloading",
    "Generating",
    "Fetching",
    "Resolving",
    "Running tokenizer",
    "Writing",
    "Saving",
    "Valid",
    "Sanity",
    "Eval",
    "Predict",
    "Testing",
    // Inference after training: test-time augmentation, predictions.
    "TTA",
    "Infer",
    "Inferenc",
    "inference",
    "predict",
    "Test",
    "eval",
    "val",
    "Processing",
    "Converting",
    // torchtune's `Packing dataset`, and other data preparation.
    "Packing",
    "Preprocess",
    "Caching",
    "Extracting",
    // Ultralytics' dataset check (`train: Scanning .../labels.cache...`).
    "Scanning",
    // Data loaders' own (Mixtera's `Deserializing Files`, `Merging loaded
    // results`).
    "Deserializ",
    "Merging",
    // vLLM beside an RL trainer: `Capturing CUDA graphs (decode, FULL)`,
    // `Processed prompts`, `Adding requests`.
    "Capturing",
    "Processed prompts",
    "Adding requests",
    // After training: pushing to the Hub, merging a LoRA, lm-eval's
    // requests; nanoGPT's `prepare.py`; A1111's image batches.
    "Upload",
    "Unloading",
    "Running loglikelihood",
    "Running generate_until",
    "writing",
    "Total progress",
    // lhotse's preparation under icefall and k2 recipes.
    "Dataset parts",
    "Computing features",
    // 🤗 Datasets' `Flattening the indices (num_proc=32)` (its first frame
    // counts `it`, like a training bar's).
    "Flattening",
    // XTuner V1 shards its model under a bar: `[FSDP Sharding]: 36/36`.
    "[FSDP",
    // Applio's (RVC's) pitch extraction before it trains.
    "F0 ",
    // Inference: faster-whisper's (sentence-transformers' `encode`, under
    // `Batches`, see `INFERENCE_BAR_DESCS`).
    "Transcribing",
    // slime's samples per rollout and its weight sync to the rollout engine.
    "Rollout generation",
    "Update weights",
    // A video model's dataset encoded to latents before training
    // (cogvideox-factory's `prepare_dataset.py`).
    "Encoding",
    // mergekit's merge of trained models (`Warmup loader cache`, then
    // `Executing graph`): no training.
    "Warmup loader",
    "Executing graph",
    // The HF Trainer's pass over the batches a resumed run already trained
    // on (its training bar is then drawn below it, a nested bar).
    "Skipping the first batches",
    // Quantizing a trained model: AutoAWQ's layers (`AWQ: 20/28`),
    // llm-compressor's calibration (`(1/33): Calibrating: 37/512`, after
    // `Preparing intermediates cache`, and `Propagating` its outputs),
    // GPTQModel's and auto-round's modules.
    "AWQ",
    "Calibrat",
    "Propagat",
    "Preparing intermediates",
    "Quantiz",
    // Datasets fetched and built before training: OGB's `Downloaded 1.38
    // GB`, TorchDrug's `Constructing molecules from SMILES`, VietOCR's
    // `Create train_hw_vi`.
    "Downloaded",
    "Constructing",
    "Create",
    // Inference: Chai-1's folding (`Trunk recycles`, `Diffusion steps`);
    // papermill running a notebook's cells (`Executing: 4/11 [.., s/cell]`).
    "Trunk recycles",
    "Diffusion steps",
    "Executing",
];

/// A bar that counts bytes (a download or an upload): `B`, or scaled
/// where tqdm could not (`?KB/s` before the first rate): `KB`, `kB`,
/// `MiB`, ...
fn is_byte_unit(unit: &str) -> bool {
    let u = unit.trim();
    let scaled = u.strip_suffix("iB").or_else(|| u.strip_suffix('B'));
    matches!(scaled, Some("" | "k" | "K" | "M" | "G" | "T"))
}

/// A bar's description that names an evaluation (`Validation`,
/// `Evaluating`, `eval`, `val: ...`; Ultralytics' validation table header).
fn names_an_eval(d: &str) -> bool {
    d.starts_with("Valid")
        || d.starts_with("Eval")
        || d.starts_with("eval")
        || d.starts_with("val")
        || (d.starts_with("Class") && d.contains("mAP50"))
}

fn is_excluded_desc(desc: &str) -> bool {
    // (Most training bars have no description: checked per frame.)
    if desc.is_empty() {
        return false;
    }
    let excluded = |d: &str| starts_with_any(d, &EXCLUDED_BAR_DESCS);
    excluded(desc)
        // Also after a one-word label (`train: Scanning ...`).
        || desc
            .split_once(": ")
            .is_some_and(|(label, rest)| !label.contains(' ') && excluded(rest))
        // An epoch's validation bar: `Epoch 15 (validation) acc=1.0`,
        // `Epoch 25/40 [Val]` (its name, before any metric: not `Epoch 3
        // loss=0.4 test_acc=0.87`).
        || (after_epoch_word(desc).is_some() && {
            let name = desc.split('=').next().unwrap_or(desc).to_ascii_lowercase();
            ["valid", "(val", "[val", "eval", "test"]
                .iter()
                .any(|w| name.contains(w))
        })
}

/// The training loss in (a line of) Orbit's metrics dict:
/// `'training_loss': 0.9685067` or NumPy 2's `'training_loss':
/// np.float32(0.9685067)`; RetinaNet's `'total_loss'`.
fn orbit_loss(s: &str) -> Option<f64> {
    ["'training_loss': ", "'train_loss': ", "'total_loss': "]
        .iter()
        .find_map(|k| {
            let r = &s[s.find(k)? + k.len()..];
            let r = r.strip_prefix("np.float32(").unwrap_or(r);
            parse::float_prefix(r).map(|x| x.0)
        })
}

/// The planned steps in MONAI's bar description, `Training (25 / 25000
/// Steps) (loss=3.35234)`.
fn monai_planned_steps(desc: &str) -> Option<u64> {
    let r = desc.strip_prefix("Training (")?;
    let (_, r) = r.split_once(" / ")?;
    let (total, used) = parse::uint_prefix(r).filter(|x| x.0 > 0)?;
    r[used..].starts_with(" Steps)").then_some(total)
}

/// A bar drawn again for each epoch (its description names the epoch), not
/// one over the epochs that names the epoch it is at (scvi-tools: `Epoch
/// 143/400: 36%| 143/400`, its total the epochs).
#[inline]
fn is_per_epoch_bar(desc: &str, total: Option<f64>) -> bool {
    // (Most bars have no description: checked per frame, inline.)
    !desc.is_empty() && described_per_epoch_bar(desc, total)
}

/// [`is_per_epoch_bar`] for a bar with a description.
fn described_per_epoch_bar(desc: &str, total: Option<f64>) -> bool {
    let Some(rest) = after_epoch_word(desc) else {
        return false;
    };
    // SimpleTuner's `Epoch 3/10, Steps`: the run's steps, under the name
    // of the epoch they are in.
    if epochs_and_after(rest.trim_start()).is_some_and(|(_, after)| {
        after
            .trim_start_matches([',', ' '])
            .eq_ignore_ascii_case("steps")
    }) {
        return false;
    }
    let over_epochs = total.is_some_and(|t| {
        rest.trim_start()
            .split_once('/')
            .and_then(|(_, of)| parse::uint_prefix(of))
            .is_some_and(|(of, _)| of as f64 == t)
    });
    !over_epochs
}

/// The text after a leading `Epoch` / `epoch` (Lightning's `Epoch 3:`,
/// hand-written loops' `epoch 3:`): the bar restarts every epoch.
/// Also Ultralytics YOLO's description, which is its epoch column first
/// (`455/500      4.22G     0.2567 ...`): then the whole description.
fn after_epoch_word(desc: &str) -> Option<&str> {
    // (llama-recipes: `Training Epoch: 1/3, step 99/100 completed (loss: ...)`.)
    // (Not `Train Epoch: 0 [652/661 (98%)] Loss: ...`, the PyTorch MNIST
    // example's line as a description: its own counter, read as such.)
    let desc = desc
        .strip_prefix("Training ")
        .filter(|d| d.starts_with("Epoch"))
        .unwrap_or(desc);
    let b = desc.as_bytes();
    if b.get(..5).is_some_and(|h| h.eq_ignore_ascii_case(b"epoch")) {
        // (The number may follow a sign: `Epoch=0 | Batch_id=149 | Loss=3.67`,
        // Tianshou's `Epoch #7`.)
        let rest = &desc[5..];
        return Some(
            rest.strip_prefix(['=', ':'])
                .or_else(|| rest.strip_prefix(" #"))
                .unwrap_or(rest),
        );
    }
    let digits = |from: usize| b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    // Chinese: `第 1/5 轮 训练` (round 1 of 5: an epoch), `第1轮`.
    if let Some(r) = desc.strip_prefix("第") {
        let at = b.len() - r.trim_start_matches(' ').len();
        let mut end = at + digits(at);
        if end > at && b.get(end) == Some(&b'/') && digits(end + 1) > 0 {
            end += 1 + digits(end + 1);
        }
        return (end > at && desc[end..].trim_start_matches(' ').starts_with('轮')).then_some(r);
    }
    let e = digits(0);
    if e > 0 && b.get(e) == Some(&b'/') {
        let n = digits(e + 1);
        if n > 0 && matches!(b.get(e + 1 + n), None | Some(b' ')) {
            return Some(desc);
        }
    }
    None
}

/// The number of epochs after the epoch number (`Epoch 3/10`, YOLO's
/// `3/500`), from what [`after_epoch_word`] returned.
fn epochs_of(after_word: &str) -> Option<u64> {
    epochs_and_after(after_word)
        .map(|(e, _)| e)
        .filter(|&e| e > 0)
}

/// `3/10, Steps` -> (10, ", Steps"): the number of epochs after the epoch
/// number, and the text after it.
fn epochs_and_after(after_word: &str) -> Option<(u64, &str)> {
    let (_, used) = parse::uint_prefix(after_word)?;
    let rest = after_word[used..].strip_prefix('/')?;
    let (epochs, used) = parse::uint_prefix(rest)?;
    Some((epochs, &rest[used..]))
}

fn bar_key(desc: &str, total: Option<f64>) -> (String, bool) {
    let is_epoch = is_per_epoch_bar(desc, total);
    // Numbers in the description change from frame to frame (`Epoch 9/10`
    // then `Epoch 10/10`, torchtune's `1|25|Loss: 1.23`), and so does the
    // padding of YOLO's number columns: one `#` per number, one space per run.
    // (A loss in it that turned NaN, `Training loss: nan:`, is still one:
    // the key of `Training loss: 3.80925:`.)
    let mut k = String::with_capacity(desc.len());
    let b = desc.as_bytes();
    let mut chars = desc.char_indices();
    while let Some((i, c)) = chars.next() {
        let word = b.get(i..i + 3).filter(|w| {
            (w.eq_ignore_ascii_case(b"nan") || w.eq_ignore_ascii_case(b"inf"))
                && (i == 0 || !b[i - 1].is_ascii_alphanumeric())
                && b.get(i + 3).is_none_or(|n| !n.is_ascii_alphanumeric())
        });
        if word.is_some() {
            chars.nth(1);
            k.push_str("#.#");
            continue;
        }
        let c = if c.is_ascii_digit() { '#' } else { c };
        if !((c == '#' || c == ' ') && k.ends_with(c)) {
            k.push(c);
        }
    }
    if !is_epoch {
        k.push('|');
        if let Some(t) = total {
            k.push_str(&format!("{t}"));
        }
    }
    (k, is_epoch)
}

/// FNV-1a with the length mixed in.
fn desc_hash(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ s.len() as u64;
    for &b in s.as_bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Median distance between successive event steps. With a single event at
/// step s > 0 the cadence is taken to be s (evals/saves at multiples of the
/// interval, the usual configuration).
fn median_u64(v: &VecDeque<u64>) -> Option<u64> {
    if v.len() == 1 {
        return v.front().copied().filter(|s| *s > 0);
    }
    if v.len() < 2 {
        return None;
    }
    let mut d: Vec<u64> = v
        .iter()
        .zip(v.iter().skip(1))
        .filter_map(|(a, b)| b.checked_sub(*a))
        .filter(|x| *x > 0)
        .collect();
    if d.is_empty() {
        return None;
    }
    d.sort_unstable();
    Some(d[d.len() / 2])
}

fn push_ring<T>(r: &mut VecDeque<T>, v: T, cap: usize) {
    r.push_back(v);
    if r.len() > cap {
        r.pop_front();
    }
}

impl LogAnalyzer {
    pub fn new() -> Self {
        LogAnalyzer {
            front: LineSplitter::default(),
            cur_time: None,
            observed_until: None,
            lines: 0,
            truncated_lines: 0,
            redraw_lines: 0,
            clock: Clock::None,
            last_log_ts: None,
            errors: ErrorTracker::new(),
            bursts: Bursts::default(),
            prev_dict: (0, String::new()),
            read_ahead_text: None,
            read_ahead_dict: None,
            exit: None,
            src: vec![SourceState::default(); N_SOURCES],
            locked: None,
            bars: Vec::new(),
            train_bar: None,
            last_bar: None,
            steady: None,
            last_frame_line: 0,
            left_bar: None,
            other_bar_active: (false, false),
            bar_count: BarCount::default(),
            hf_dicts: 0,
            hf_banner: false,
            hf_hint: false,
            lightning_epoch_bar: false,
            lightning_loop_bars: false,
            lightning_sign: false,
            lightning_banner: false,
            lightning_name_copied: false,
            rich_bar: false,
            rich_followup: 0,
            wrapped_dict: None,
            fit_stopped: false,
            finished_at: 0,
            finished_line: 0,
            other_bar_between: false,
            bare_losses: 0,
            yolo_loss_columns: None,
            csv_columns: None,
            epoch_batch_base: None,
            epoch_batch_from_zero: None,
            epoch_batch_global: None,
            epoch_batch_last: None,
            epochs_from_zero: None,
            openclip_batch: None,
            yolo_losses: false,
            keras_samples: false,
            keras_batch: None,
            keras_epoch_first_line: false,
            sb3_table: Sb3Table::default(),
            sb3_in_table: false,
            epochs_planned: None,
            outer_epoch_bar: false,
            serving_images: false,
            not_training_line: None,
            nerfstudio_step: None,
            stopped_diverged: false,
            prompt: None,
            monai_epoch: None,
            nemo_rl_step: None,
            monai_batches: false,
            study: None,
            survived: VecDeque::new(),
            batches_per_epoch: None,
            espnet: None,
            fastai: None,
            tf_loss_step: None,
            spacy_losses: None,
            minimind_from_zero: false,
            eval_bar: None,
            val_on_epoch_bar: false,
            generic_losses: 0,
            last_loss: None,
            rich_epoch: None,
            rich_offset: 0,
            zeros: ZeroWatch::default(),
            epoch_steps: false,
            generic_counted_steps: false,
            logging_steps: None,
            stepless_dicts: 0,
            eval_announced: None,
            tf_eval_results: false,
            orbit_output_line: None,
            projects: Box::default(),
            pending_counter: None,
            logging_per_step: true,
            logging_first_step: false,
            stepless_base: 0,
            fairseq_plan_read: false,
            keras_epoch_steps: false,
            keras_fits: 0,
            keras_epoch_done: false,
            keras_eval_active: false,
            restarts: VecDeque::new(),
            fresh: StepLines::default(),
            bar_steps: StepLines::default(),
            generic_eval: false,
            keras_epoch: None,
            keras_epochs_total: None,
            epoch_header_first: None,
            epoch_header_summary: false,
            epoch_header_since_step: false,
            last_epoch_header: None,
            generic_step_line: 0,
            generic_epoch_len: None,
            generic_raw_stride: None,
            generic_step_offset: 0,
            generic_raw_last: None,
            generic_line_epoch: None,
            wenet_epoch_start: None,
            keras_steps_per_epoch: None,
            banner_total: None,
            max_iters: None,
            source_total: None,
            samples_per_step: None,
            tokens_per_step: None,
            block_size: None,
            current_step: None,
            epoch: None,
            marker_seq: (0, 0),
            marker_line: 0,
            eval_events: 0,
            eval_bar_episodes: 0,
            eval_steps: VecDeque::new(),
            eval_runtime_sum: 0.0,
            eval_runtime_n: 0,
            last_eval_loss: None,
            ckpt_count: 0,
            ckpt_line: None,
            ckpt_steps: VecDeque::new(),
            loss: LossTrack::default(),
            bar_rate: None,
            reported_step_times: VecDeque::new(),
            reported_samples_per_sec: None,
            reported_tokens_per_sec: None,
            final_metrics: None,
            finished: None,
            recent: VecDeque::new(),
        }
    }

    /// Feed the next bytes of the log. `arrival_secs` is when they were read
    /// (any monotonic clock in seconds); `None` for a plain file, in which
    /// case timestamps printed in the log are used where they exist.
    pub fn push(&mut self, bytes: &[u8], arrival_secs: Option<f64>) {
        if arrival_secs.is_some() && !bytes.is_empty() {
            self.bursts.reads += 1;
            // (A block-buffered stdout writes whole 4 KiB blocks; a read the
            // watcher's cap cut is no sign of one.)
            if bytes.len().is_multiple_of(4096) && bytes.len() <= 64 * 1024 {
                self.bursts.block_reads += 1;
            }
        }
        let mut front = std::mem::take(&mut self.front);
        front.push(bytes, arrival_secs, |line, flags, t| {
            self.cur_time = t;
            self.on_line(line, flags, LineFacts::of(line));
        });
        self.front = front;
    }

    /// The log was read at `arrival_secs` (the clock of [`Self::push`]) and
    /// had nothing new: how long a run has been silent shows in the
    /// analysis (a hang).
    pub fn observe_time(&mut self, arrival_secs: f64) {
        if arrival_secs.is_finite() {
            self.observed_until = Some(
                self.observed_until
                    .map_or(arrival_secs, |t| t.max(arrival_secs)),
            );
        }
    }

    /// The process exited with `code` (known to a recording, the `# exit`
    /// row of a timing file). 0 ends a run that shows no error and no total
    /// it fell short of; another code is an error when the log shows none
    /// of its own (it explains the code).
    pub fn process_exited(&mut self, code: i32, time: Option<f64>) {
        self.exit = Some((code, time));
    }

    /// The analysis so far. Does not consume input state: the unfinished
    /// last line is analysed on a copy, so this can be called after every
    /// check.
    pub fn finish(&self) -> Analysis {
        let mut c = self.clone();
        let mut front = std::mem::take(&mut c.front);
        front.flush(|line, flags, t| {
            c.cur_time = t;
            c.on_line(line, flags, LineFacts::of(line));
        });
        // (Flushed: what is left of it is its count and how it read.)
        c.front = front;
        c.end_on_an_evaluation_bar();
        c.build()
    }

    /// The analysis so far of a log that is still being written (the
    /// watcher's, while the run's process runs): [`Self::finish`] without
    /// the last line while it has no end yet. It may be cut anywhere (a
    /// word, `Killed` or `Error` of a longer line; an exception line
    /// before its telling part; a download's frame before its unit), and
    /// the next read has it whole. (A bar's latest frame waits for the
    /// next redraw: one frame later.)
    pub fn finish_live(&self) -> Analysis {
        let mut c = self.clone();
        // (But a prompt waits on its line, unfinished: that line is read
        // for one, and for output after one.)
        let mut front = std::mem::take(&mut c.front);
        front.flush(|line, _, _| {
            if c.prompt.is_some() || prompt::may_be_prompt(line) {
                c.note_prompt(line, c.lines + 1);
            }
        });
        c.front = front;
        c.end_on_an_evaluation_bar();
        c.build()
    }

    /// The log ended on the bar that took over from a finished training
    /// bar, at the end of its first pass: a one-epoch loop's validation
    /// (shorter, no loss, where the training bar had one), which a next
    /// epoch would have shown by the training bar starting over (see
    /// [`Self::on_bar_frame`]).
    fn end_on_an_evaluation_bar(&mut self) {
        if let Some(tb) = self.train_bar
            && let Some(left) = &self.left_bar
            && let cur = &self.bars[tb]
            && let trained = &self.bars[left.bar]
            && let (Some(ct), Some(lt)) = (cur.total, trained.total)
            // (Its first pass, at its end now or cut on its way: rank 0's
            // validation when another rank's collective timed out.)
            && self.bar_count.bar_passes == 0
            && ct < lt
            && !cur.had_loss
            // (Only a loss says which one trained: a slow data bar before
            // a loss-less training bar looks the same otherwise.)
            && trained.had_loss
            && let Some(left) = self.left_bar.take()
        {
            self.return_to(left);
            self.mark(PauseKind::Eval);
            self.eval_bar_episodes += 1;
        }
    }

    /// Second stage of [`super::parallel`]: lines split (and their
    /// [`LineFacts`] found) on another thread by a [`LineSplitter`] that
    /// has seen `bytes` input bytes so far.
    /// `dict`: what [`parse::hf_dict`] makes of the text of `line` that
    /// starts at byte `.0` (the line's text with its leading spaces
    /// stepped over), read on the other thread; used if the line is read
    /// as a dict there.
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn take_line(
        &mut self,
        line: &[u8],
        flags: LineFlags,
        time: Option<f64>,
        facts: LineFacts,
        dict: Option<(usize, &Option<HfDict>)>,
    ) {
        self.cur_time = time;
        if let Some((from, dict)) = dict {
            self.read_ahead_text = Some((line[from..].as_ptr() as usize, line.len() - from));
            self.read_ahead_dict.clone_from(dict);
        }
        self.on_line(line, flags, facts);
        self.read_ahead_text = None;
    }

    /// Input bytes seen by the splitter that feeds [`Self::take_line`], and
    /// how it read them.
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn set_input(&mut self, bytes: u64, read_as: Option<&'static str>) {
        self.front.bytes = bytes;
        self.front.told_read_as = read_as;
    }

    // -----------------------------------------------------------------------
    // per line

    fn on_line(&mut self, line: &[u8], flags: LineFlags, facts: LineFacts) {
        self.lines += 1;
        if flags.truncated {
            self.truncated_lines += 1;
        }
        if flags.redraw {
            self.redraw_lines += 1;
        }
        match facts {
            LineFacts::Prefixed(scan) => {
                // (Most lines end with no prompt: see `may_be_prompt`.)
                if self.prompt.is_some() || prompt::may_be_prompt(line) {
                    self.note_prompt(line, self.lines);
                }
                self.errors.scan = LineScan::new(line, scan);
                self.on_body(&decode_line(line), flags);
            }
            LineFacts::Plain(scan) => {
                // (Most lines end with no prompt: see `may_be_prompt`.)
                if self.prompt.is_some() || prompt::may_be_prompt(line) {
                    self.note_prompt(line, self.lines);
                }
                self.errors.scan = LineScan::new(line, scan);
                // No prefix and no frame (the byte parser decides on ASCII
                // bytes only, so the decoded text has none either): what
                // `on_body` does after its frame test.
                let text = decode_line(line);
                let time = self.line_time(None);
                self.on_unframed(&text, "", None, time);
            }
            LineFacts::Frame(raw) => {
                if !self.steady_frame(raw, flags) && !self.bare_frame(line, flags, raw) {
                    self.on_body(&decode_line(line), flags);
                }
            }
        }
        // (The line's buffer is reused for other lines: forget it.)
        self.errors.scan = LineScan::default();
    }

    /// Whether `line` (line `line_no`, the last so far) is a prompt the job
    /// waits at (a line after it, but a blank one, says it is answered; a
    /// bar's frame after it does too, see `build`).
    #[inline(never)]
    fn note_prompt(&mut self, line: &[u8], line_no: u64) {
        if let Some(prompt) = prompt::input_prompt(line) {
            let text = decode_line(line);
            self.prompt = Some(Box::new(PromptSeen {
                line: line_no,
                prompt,
                text: errors::cap(text.trim(), 200),
                time: self.cur_time,
            }));
        } else if self.prompt.is_some() && !line.trim_ascii().is_empty() {
            self.prompt = None;
        }
    }

    /// The common case, a bare tqdm frame, straight from the line's bytes:
    /// no UTF-8 decoding of the whole line (the bar cells are multi-byte)
    /// and no prefix stripping. Does exactly what [`Self::on_body`] does
    /// for such a line; returns false (having done nothing) for any line it
    /// is not sure about, which then takes the general path.
    fn bare_frame(&mut self, b: &[u8], flags: LineFlags, raw: RawFrame) -> bool {
        // (A dict before the frame: the general path reads it.)
        if b.first() == Some(&b'{') {
            return false;
        }
        let end = raw.end().min(b.len());
        let rest = &b[end..];
        // Text glued after the frame: handled by the general path below,
        // which needs it as a `str`.
        let rest = if rest.iter().all(|&c| c == b' ' || c == b'\t') {
            None
        } else {
            match std::str::from_utf8(rest) {
                Ok(r) => Some(r),
                Err(_) => return false,
            }
        };
        let Some(frame) = raw.in_bytes(b) else {
            return false;
        };
        // From here on: `on_body` with depth 0, no prefix, no timestamp.
        let n_errors = self.errors.errors.len();
        self.errors.interrupt();
        if self.errors.errors.len() > n_errors {
            self.error_event(n_errors);
        }
        self.on_tqdm(&frame, flags, None);
        if let Some(rest) = rest
            && !rest.trim().is_empty()
        {
            self.on_body(rest, flags);
        }
        self.steady = self.steady_after(&frame, raw.memo, flags, rest.is_none());
        true
    }

    /// After a bare frame read whole (see [`Self::bare_frame`]): whether the
    /// state is the steady one of [`Self::steady_frame`] for the frames
    /// the splitting thread will read from the same memo (`memo`, 0 for
    /// none: the same bytes but for the digits of their numbers and the
    /// cells of their bar). `alone`: nothing after the frame on its line.
    fn steady_after(
        &self,
        f: &TqdmFrame<'_>,
        memo: u32,
        flags: LineFlags,
        alone: bool,
    ) -> Option<Steady> {
        // (Frames read whole on one thread have no memo: no steady state.)
        if memo == 0 {
            return None;
        }
        let bar = self.last_bar?;
        let total = f.total.filter(|t| *t >= 1.0)?;
        // (No description, the bar's own unit, no postfix: none of the
        // frame's words does anything; a total: no epoch bar.)
        let plain = alone
            && !flags.truncated
            && f.desc.is_empty()
            && f.unit == "it"
            && f.postfix.is_empty()
            && self.bars[bar].total == Some(total)
            && !self.errors.in_traceback();
        if !plain {
            return None;
        }
        let training = match self.train_bar? {
            tb if tb == bar => {
                if self.eval_bar.is_some() || self.other_bar_between {
                    return None;
                }
                true
            }
            // Another bar than the training bar, which none of its next
            // frames can make the training bar (see `on_bar_frame`): not the
            // banner's count, nor the training bar's count going further,
            // while the training bar has moved and is not done (or training
            // is over), and it is no evaluation's bar.
            tb => {
                let cur = &self.bars[tb];
                let this = &self.bars[bar];
                let banner_match = self.banner_total.is_some_and(|bt| {
                    total as u64 == bt && cur.total.map(|t| t as u64) != Some(bt)
                });
                let cur_done = cur.total.is_some_and(|t| cur.last_n >= t) && !cur.is_epoch;
                let after_training = self.end_sign_stands()
                    || (self.loss.count > 0 && cur.total.is_some_and(|ct| total >= ct));
                let settled = !banner_match
                    && (!cur_done || after_training)
                    && cur.last_n > 0.0
                    && cur.total != Some(total)
                    && self.left_bar.as_ref().is_none_or(|l| l.bar != bar)
                    // (No description names an evaluation.)
                    && !this.cursor_up
                    && !this.interlude;
                if !settled {
                    return None;
                }
                false
            }
        };
        Some(Steady {
            memo,
            line: self.lines,
            bar,
            flags,
            training,
        })
    }

    /// A bar's next frame, straight after its last one (which left the
    /// state steady, see [`Self::steady_after`]), read from the same memo:
    /// exactly what [`Self::bare_frame`] would do, without the tests whose
    /// answers the steady state fixes (the bar is the one before, and is or
    /// is not the training bar; it has no description, unit or postfix; no
    /// evaluation bar counts on it and no traceback is open; another bar
    /// cannot take over from the training bar). False (having done
    /// nothing) for any other frame, and for the one turn the training
    /// bar's frame can take: a bar that ran to its total starting over.
    #[inline]
    fn steady_frame(&mut self, raw: RawFrame, flags: LineFlags) -> bool {
        let Some(s) = self.steady else {
            return false;
        };
        let Some(total) = raw.total() else {
            return false;
        };
        if raw.memo != s.memo || s.line + 1 != self.lines || flags != s.flags {
            return false;
        }
        let n = (raw.n() as u64).saturating_sub(self.bar_count.val_n);
        if s.training && self.bar_count.last_train_n as f64 >= total && (n as f64) * 10.0 <= total {
            return false;
        }
        let elapsed = raw.elapsed_s();
        let rate = raw.rate();
        self.last_frame_line = self.lines;
        let b = &mut self.bars[s.bar];
        b.frames += 1;
        b.rate = rate.or(b.rate);
        if b.last_n < raw.n() {
            b.last_n = raw.n();
        }
        if s.training {
            self.other_bar_active = (false, false);
            let run_total = Some(total as u64);
            let (step, t, fresh, _) = self.count_bar_frame(n, elapsed, rate, run_total, true, None);
            if fresh {
                let mut ev = Event::new(EventKind::Train, Source::Tqdm);
                ev.time = t;
                ev.step = Some(step);
                ev.total_steps = run_total;
                ev.rate = rate;
                ev.epoch = self.epoch;
                self.bar_event(ev);
            }
        } else {
            self.other_bar_between = true;
            self.bar_count.other_bar(s.bar, elapsed);
        }
        self.steady = Some(Steady {
            line: self.lines,
            ..s
        });
        true
    }

    fn line_time(&self, ts: Option<f64>) -> Option<f64> {
        match self.clock {
            Clock::Arrival => self.cur_time,
            Clock::LogTimestamps => ts.or(self.last_log_ts),
            Clock::BarElapsed | Clock::None => None,
        }
    }

    /// Decide the clock at the first timed observation.
    fn time_for_step(&mut self, ts: Option<f64>, elapsed: Option<f64>) -> Option<f64> {
        if self.clock == Clock::None {
            if self.cur_time.is_some() {
                self.clock = Clock::Arrival;
            } else if ts.is_some() {
                self.clock = Clock::LogTimestamps;
            } else if elapsed.is_some() {
                self.clock = Clock::BarElapsed;
            }
        }
        match self.clock {
            Clock::Arrival => self.cur_time,
            Clock::LogTimestamps => ts,
            Clock::BarElapsed => elapsed.map(|e| e + self.bar_count.epoch_elapsed_offset),
            Clock::None => None,
        }
    }

    /// One line, or what follows a frame on it: frames glued together (a
    /// paste that lost its carriage returns: `0/90 [...]  1/90 [...]`) are
    /// each read, in order, then the text after the last one.
    fn on_body(&mut self, line: &str, flags: LineFlags) {
        let mut line = line;
        for _ in 0..MAX_GLUED_FRAMES {
            if line.starts_with("[transformers] ") {
                self.hf_hint = true;
            }
            let st = strip_prefixes(line);
            let body = st.body;
            if st.ts.is_some() {
                self.last_log_ts = st.ts;
            }
            let ts = st.ts;
            let time = self.line_time(st.ts);

            // tqdm frames are the most common line: try them first, cheaply.
            // A frame also ends any traceback block (a cut traceback must
            // not swallow the training output that follows it).
            if let Some(frame) = parse::parse_tqdm(body) {
                let n_errors = self.errors.errors.len();
                self.errors.interrupt();
                if self.errors.errors.len() > n_errors {
                    self.error_event(n_errors);
                }
                // A dict printed over the bar's line, the bar's tail left
                // after it (`{'loss': 0.27, 'epoch': 0.01}   | 0/3400 [00:00<?, ?it/s]`).
                if body.starts_with('{')
                    && let Some(close) = body.rfind('}')
                    && let Some(d) = parse::hf_dict(&body[..=close])
                {
                    self.on_hf_dict(d, ts, time);
                }
                let end = frame.end.min(body.len());
                self.on_tqdm(&frame, flags, ts);
                let rest = &body[end..];
                if rest.trim().is_empty() {
                    return;
                }
                line = rest;
                continue;
            }
            // `body` is what is left of `line` after its prefixes.
            let head = &line[..line.len() - body.len()];
            self.on_unframed(body, head, ts, time);
            return;
        }
    }

    /// A line body that is not a tqdm frame: a traceback line, an error
    /// signature, a metric line or a marker.
    /// `head`: the log prefix stripped from the line.
    fn on_unframed(&mut self, body: &str, head: &str, ts: Option<f64>, time: Option<f64>) {
        self.errors_survived(body);
        let in_traceback = self.errors.in_traceback();
        let n_errors = self.errors.errors.len();
        let consumed = self.errors.line_under(body, head, self.lines, time);
        if self.errors.errors.len() > n_errors {
            self.error_event(n_errors);
        }
        // Inside a traceback every other line belongs to it.
        if in_traceback {
            // (But a line that ended it and is no part of it is read: stdout
            // that a merged log put after stderr's header.)
            if !consumed && !self.errors.in_traceback() {
                self.on_metric_line(body, ts, time);
            }
            return;
        }
        if consumed {
            // A traceback glued after progress output (`... - loss: 1.59^CTraceback
            // (most recent call last):`): the progress still counts.
            if self.errors.in_traceback()
                && let Some(p) = body.find(errors::TRACEBACK_HEADER)
                && let before = body[..p].trim()
                && !before.is_empty()
                && !errors::is_exception_name(before)
            {
                self.on_metric_line(before.trim_end_matches("^C"), ts, time);
            }
            return;
        }
        self.on_metric_line(body, ts, time);
    }

    fn on_metric_line(&mut self, body: &str, ts: Option<f64>, time: Option<f64>) {
        let t = trim_start_fast(body);
        let Some(&c0) = t.as_bytes().first() else {
            return;
        };

        if self.rich_followup > 0 {
            self.rich_followup -= 1;
            // Continuation lines of the final rich bar: `train_loss: 0.014`.
            let mut words = t.split_whitespace();
            while let Some(w) = words.next() {
                let Some(key) = w.strip_suffix(':') else {
                    continue;
                };
                let Some(v) = words.next().and_then(parse::float_prefix).map(|x| x.0) else {
                    continue;
                };
                match key {
                    "train_loss" | "loss" => self.loss.push(v),
                    "val_loss" => self.last_eval_loss = Some(v),
                    _ => {}
                }
            }
        }

        // A `{'loss': ...}` dict that a console wrapped over lines (issue
        // pastes): joined again. Only full-width lines are pieces of one (a
        // shorter line without the closing brace is output of its own).
        if let Some((head, lines, at)) = self.wrapped_dict.take()
            // Only the very next line continues it.
            && at + 1 == self.lines
        {
            let pprinted = head.ends_with(',') && body.starts_with(" '");
            let joined = head + t.trim_end();
            if let Some(d) = parse::hf_dict(&joined) {
                self.on_hf_dict(d, ts, time);
                return;
            }
            if t.len() >= MIN_WRAP_WIDTH
                && !pprinted
                && !joined.ends_with('}')
                && lines < MAX_WRAPPED_LINES
                && joined.len() < 4096
            {
                self.wrapped_dict = Some((joined, lines + 1, self.lines));
                return;
            }
            // (Or `pprint`'s: a key a line, indented by one space; the
            // piece is read on its own too.)
            if pprinted && joined.ends_with(',') && lines < MAX_PPRINT_LINES && joined.len() < 4096
            {
                self.wrapped_dict = Some((joined, lines + 1, self.lines));
            }
        }
        // nerfstudio's table: a row per logged step, the latest rows drawn
        // again under each new one; its `Training Finished` panel at the end
        // (the viewer may keep the process alive after it).
        if c0.is_ascii_digit()
            && let Some((step, step_time)) = parse::nerfstudio_row(t)
        {
            if self.nerfstudio_step.is_none_or(|last| step > last) {
                self.nerfstudio_step = Some(step);
                let mut ev = Event::new(EventKind::Train, Source::Generic);
                ev.step = Some(step);
                ev.total_steps = self.max_iters;
                ev.step_time_s = Some(step_time);
                self.on_step_event(ev, ts, time);
            }
            return;
        }
        // Loops whose epochs are their steps: PyTorch-BigGraph's trainer,
        // rl_games' (Isaac Lab).
        let epochs = match c0 {
            b'[' | b'S' | b'F' => parse::pbg_epoch(t).map(|(e, of)| (e, Some(of))),
            b'f' => parse::rl_games_epoch(t),
            _ => None,
        };
        if let Some((epoch, of)) = epochs {
            let mut ev = Event::new(EventKind::Train, Source::Generic);
            ev.step = Some(epoch);
            ev.total_steps = of;
            ev.epoch = Some(epoch as f64);
            self.epoch_steps = true;
            self.on_step_event(ev, ts, time);
            return;
        }
        if matches!(c0, b'F' | b'S' | 0xE2 | b'b' | b'B' | b'e' | b't' | b'[')
            && let Some(ev) = parse::own_shape_step(t)
        {
            self.on_step_event(ev, ts, time);
            return;
        }
        // NeMo-RL's banner opens a step: the ones before it are done; its
        // timing summary (`• Total step time: 70.83s`) says this one is.
        if c0 == b'='
            && let Some((n, of)) = parse::nemo_rl_banner(t)
        {
            self.nemo_rl_step = Some((n, of));
            let mut ev = Event::new(EventKind::Train, Source::Generic);
            ev.step = Some(n.saturating_sub(1));
            ev.total_steps = Some(of);
            self.on_step_event(ev, ts, time);
            return;
        }
        if c0 == 0xE2
            && let Some((n, of)) = self.nemo_rl_step
            && t.starts_with("• Total step time: ")
        {
            let mut ev = Event::new(EventKind::Train, Source::Generic);
            ev.step = Some(n);
            ev.total_steps = Some(of);
            self.on_step_event(ev, ts, time);
            return;
        }
        // The RL post-training stacks' step lines (AReaL's, ROLL's,
        // slime's): before the epoch and step readers below, which take
        // AReaL's `Epoch 1/2 Step 83/116` for a step of its epoch.
        if (matches!(c0, b'E' | b'=' | b'[' | b's' | b'p' | b'S') || c0.is_ascii_digit())
            && let Some(ev) = parse::rl_stack_step(t)
        {
            self.on_step_event(ev, ts, time);
            return;
        }
        // MONAI's tutorial loops: `epoch 3/100` heads an epoch, `12/16,
        // train_loss: 0.1240` its batches, `epoch 3 average loss: 0.1220`
        // sums it up (its batches counted it already).
        if c0 == b'e' && t.starts_with("epoch ") {
            if let Some(head) = parse::monai_epoch_head(t) {
                self.monai_epoch = Some(head);
                return;
            }
            if self.monai_batches && t.contains(" average loss: ") {
                return;
            }
        }
        if c0.is_ascii_digit()
            && let Some((epoch, epochs)) = self.monai_epoch
            && let Some((batch, batches, loss)) = parse::monai_batch(t)
        {
            self.monai_batches = true;
            self.batches_per_epoch = Some(batches);
            self.epochs_planned = Some(epochs);
            let mut ev = Event::new(EventKind::Train, Source::Generic);
            ev.step = (epoch - 1)
                .checked_mul(batches)
                .and_then(|s| s.checked_add(batch));
            ev.epoch = Some(epoch as f64);
            ev.loss = Some(loss);
            self.on_step_event(ev, ts, time);
            return;
        }
        // Flair's epoch end (`EPOCH 10 done: loss 0.0561 - lr: 0.100000`):
        // all its batches ran (its progress lines stop short of the last).
        if c0 == b'E'
            && let Some(r) = t.strip_prefix("EPOCH ")
            && let Some((n, used)) = parse::uint_prefix(r)
            && r[used..].starts_with(" done: ")
            && let Some(per_epoch) = self.batches_per_epoch
        {
            let mut ev = Event::new(EventKind::Train, Source::Generic);
            ev.step = n.checked_mul(per_epoch);
            ev.epoch = Some(n as f64);
            self.on_step_event(ev, ts, time);
            return;
        }
        if c0 == 0xE2 && self.nerfstudio_step.is_some() && t.contains(" Training Finished ") {
            self.mark_finished("nerfstudio's Training Finished panel");
            return;
        }
        if c0 == b'{' {
            // The same dict again on the next line: every rank printing the
            // script's `print(trainer.evaluate())`, one result. (Its text
            // kept in a reused buffer: a copy costs less than a hash.)
            let again = self.prev_dict.0 + 1 == self.lines && self.prev_dict.1 == t;
            self.prev_dict.0 = self.lines;
            self.prev_dict.1.clear();
            self.prev_dict.1.push_str(t);
            if again {
                return;
            }
            // (Read ahead on the splitting thread when `t` is the line's
            // text: the same text, read the same way.)
            let dict = match self.read_ahead_text.take() {
                Some(read) if read == (t.as_ptr() as usize, t.len()) => self.read_ahead_dict.take(),
                _ => parse::hf_dict(t),
            };
            if let Some(d) = dict {
                self.on_hf_dict(d, ts, time);
                return;
            }
            if (t.starts_with("{'") || t.starts_with("{\""))
                && !t.ends_with('}')
                && (MIN_WRAP_WIDTH..4096).contains(&t.len())
            {
                self.wrapped_dict = Some((t.to_string(), 1, self.lines));
                return;
            }
            // `pprint` breaks a long dict after a comma, a key a line: the
            // pieces are gathered, and each is still read on its own (see
            // above).
            if t.starts_with("{'") && t.ends_with(',') && t.len() < 4096 {
                self.wrapped_dict = Some((t.to_string(), 1, self.lines));
            }
        }
        // What the HF Trainer's `train()` returns, as a notebook shows it:
        // `TrainOutput(global_step=1449, training_loss=0.38, metrics={...})`.
        if c0 == b'T'
            && let Some(r) = t.strip_prefix("TrainOutput(global_step=")
            && let Some((step, _)) = parse::uint_prefix(r)
        {
            self.hf_hint = true;
            self.step_if_ahead(Source::HfDict, step, None, None, ts, time);
            if let Some(open) = t.find_word("metrics={")
                && let Some(close) = t.rfind('}')
                && close > open
                && let Some(d) = parse::hf_dict(&t[open + "metrics=".len()..=close])
            {
                self.on_hf_dict(d, ts, time);
            }
            return;
        }
        // W&B's summary as a run ends (`wandb: Run summary:`, then one
        // `wandb:   train/global_step 1000` a line, up to an empty one).
        if c0 == b'w'
            && let Some(r) = t.strip_prefix("wandb:")
        {
            let r = r.trim();
            if r == "Run summary:" {
                self.projects.wandb_summary = true;
                return;
            }
            if self.projects.wandb_summary {
                match r.rsplit_once(' ') {
                    Some((key, value)) => {
                        self.on_wandb_summary(key.trim_end(), value, ts, time);
                        return;
                    }
                    None => self.projects.wandb_summary = false,
                }
            }
        }
        // The HF Trainer in a notebook: its progress label and its table of
        // losses, as text.
        if c0 == b'['
            && let Some(p) = parse::hf_notebook_progress(t)
        {
            self.on_notebook_progress(p, ts, time);
            return;
        }
        if let Some(table) = self.projects.hf_table {
            match parse::hf_notebook_row(t, table) {
                Some(row) => {
                    self.on_notebook_row(table, row, ts, time);
                    return;
                }
                None => self.projects.hf_table = None,
            }
        }
        if matches!(c0, b'S' | b'E')
            && let Some(table) = parse::hf_notebook_header(t)
        {
            self.projects.hf_table = Some(table);
            self.hf_hint = true;
            return;
        }
        // fastai's results table: a row per epoch under its header.
        if let Some((loss_col, from_zero)) = self.fastai
            && c0.is_ascii_digit()
            && let Some((epoch, loss)) = parse::fastai_row(t, loss_col)
        {
            let from_zero = from_zero.unwrap_or(epoch == 0);
            self.fastai = Some((loss_col, Some(from_zero)));
            let mut ev = Event::new(EventKind::Train, Source::Generic);
            ev.step = Some(epoch + u64::from(from_zero));
            ev.epoch = ev.step.map(|e| e as f64);
            ev.loss = loss;
            self.epoch_steps = true;
            self.on_step_event(ev, ts, time);
            return;
        }
        if c0 == b'e'
            && let Some(loss_col) = parse::fastai_header(t)
        {
            self.fastai = Some((loss_col, None));
            return;
        }
        if matches!(c0, b'i' | b's' | b'S' | b'v' | b'0'..=b'9')
            && let Some(ev) = parse::nanogpt(t)
        {
            self.on_step_event(ev, ts, time);
            return;
        }
        if c0.is_ascii_digit()
            && let Some(ev) = parse::xlm_step(t)
        {
            self.on_step_event(ev, ts, time);
            return;
        }
        if (c0 == b's' || c0 == b'v')
            && let Some(ev) = parse::torchtitan(t)
        {
            self.on_step_event(ev, ts, time);
            return;
        }
        // Marian, OpenNMT-py, the TensorFlow Object Detection API.
        let nmt_or_tf = match c0 {
            b'E' | b'[' => parse::marian_update(t),
            b'S' => parse::opennmt_step(t).or_else(|| parse::tf_od_step(t)),
            _ => None,
        };
        if let Some(ev) = nmt_or_tf {
            self.on_step_event(ev, ts, time);
            return;
        }
        // TensorFlow's Estimator says its rate between its step lines
        // (`global_step/sec: 8.12345`).
        if c0 == b'g'
            && let Some(r) = t.strip_prefix("global_step/sec: ")
            && let Some(v) = parse::whole_float(r.trim_end())
            && v > 0.0
        {
            push_ring(&mut self.reported_step_times, 1.0 / v, REPORTED_WINDOW);
            return;
        }
        // (Once per step, though TensorFlow prints the dict twice.)
        if c0 == b'\''
            && let Some(v) = parse::tf_total_loss(t)
        {
            if self.tf_loss_step != self.current_step {
                self.tf_loss_step = self.current_step;
                self.loss.push(v);
            }
            return;
        }
        if c0.is_ascii_digit() && self.on_espnet(t, ts, time) {
            return;
        }
        if c0.is_ascii_digit()
            && let Some((ev, elapsed)) = parse::catboost_iter(t)
        {
            // (Its time since the start is the clock, unless the log has
            // timestamps.)
            let ts = ts.or(elapsed.filter(|_| self.last_log_ts.is_none()));
            self.on_step_event(ev, ts, time);
            return;
        }
        // spaCy's training table: a row per evaluation under its header.
        if let Some(losses) = self.spacy_losses
            && c0.is_ascii_digit()
            && let Some((step, loss)) = parse::spacy_row(t, losses)
        {
            let mut ev = Event::new(EventKind::Train, Source::Generic);
            ev.step = Some(step);
            ev.loss = Some(loss);
            self.on_step_event(ev, ts, time);
            return;
        }
        if c0 == b'E'
            && let Some(losses) = parse::spacy_header(t)
        {
            self.spacy_losses = Some(losses);
            return;
        }
        // One pass decides whether any of the recognisers below can match.
        let anchored = METRIC_SET.any_in(t.as_bytes());
        if anchored
            && t.contains(" | ")
            && t.contains("iteration")
            && let Some(ev) = parse::megatron(t)
        {
            if let Some(b) = ev.batch {
                self.samples_per_step = Some(b);
            }
            self.on_step_event(ev, ts, time);
            return;
        }
        if anchored
            && (t.contains("step=") || t.contains("SamplesPerSec="))
            && let Some(ev) = parse::deepspeed(t)
        {
            if let (Source::DeepSpeed, Some(step), Some(skipped)) =
                (ev.source, ev.step, parse::float_after(t, "skipped="))
            {
                self.projects.deepspeed_skipped = Some((step, skipped as u64));
            }
            self.on_step_event(ev, ts, time);
            return;
        }
        // (Paddle's hapi draws Keras's bar with a `step ` in front.)
        let keras_line = if c0.is_ascii_digit() {
            Some(t)
        } else {
            // (Only after its `Epoch N/M` line: a hand-written `step
            // 100/1000 - loss: 0.52` keeps its total.)
            t.strip_prefix("step ")
                .filter(|_| self.keras_epoch.is_some())
                .map(str::trim_start)
                .filter(|r| r.starts_with(|c: char| c.is_ascii_digit()))
        };
        // (TF 2.0/2.1 say `Train for 1875 steps` when counting batches.)
        if c0 == b'T' && (t.starts_with("Train on ") || t.starts_with("Train for ")) {
            self.keras_samples = t.starts_with("Train on ") && t.contains(" samples");
            self.keras_batch = None;
            return;
        }
        if let Some(kt) = keras_line
            && let Some(mut ev) = parse::keras(kt)
        {
            // Keras 1/2 `fit` on arrays (`Train on 105377 samples`) counts
            // samples: its batches are the steps (the first line after an
            // `Epoch` line is one batch).
            if self.keras_samples
                && let (Some(n), Some(tot)) = (ev.step, ev.total_steps)
            {
                let first_of_epoch = std::mem::replace(&mut self.keras_epoch_first_line, false);
                if self.keras_batch.is_none() && first_of_epoch && n > 0 && n < tot {
                    self.keras_batch = Some(n);
                }
                if let Some(b) = self.keras_batch {
                    ev.step = Some(n.div_ceil(b));
                    ev.total_steps = Some(tot.div_ceil(b));
                }
            }
            let n = ev.step.unwrap_or(0);
            // The epoch's bar finished and no `Epoch` line came since: a
            // bar of another length is `model.evaluate()` (or predict).
            if self.keras_epoch_done
                && ev.total_steps.is_some()
                && ev.total_steps != self.keras_steps_per_epoch
            {
                if !std::mem::replace(&mut self.keras_eval_active, true) {
                    self.mark(PauseKind::Eval);
                    self.eval_event(None);
                }
                if ev.loss.is_some() {
                    self.last_eval_loss = ev.loss;
                }
                return;
            }
            if let Some(tot) = ev.total_steps {
                self.keras_steps_per_epoch = Some(tot);
                self.keras_epoch_done = n >= tot;
            }
            let spe = self.keras_steps_per_epoch.unwrap_or(0);
            let e = self.keras_epoch.unwrap_or(1).max(1);
            ev.step = Some((e - 1).saturating_mul(spe).saturating_add(n));
            ev.epoch = self.keras_epoch.map(|e| e as f64);
            ev.total_steps = match (self.keras_epochs_total, self.keras_steps_per_epoch) {
                (Some(a), Some(b)) => Some(a.saturating_mul(b)),
                _ => None,
            };
            self.on_step_event(ev, ts, time);
            return;
        }
        // `verbose=2`: one line per epoch, no batch count: the epochs are
        // the steps.
        if (c0.is_ascii_digit() || c0 == b'-')
            && let Some(e) = self.keras_epoch
            && let Some(mut ev) = parse::keras_epoch_summary(t)
        {
            ev.step = Some(e);
            ev.epoch = Some(e as f64);
            ev.total_steps = self.keras_epochs_total;
            self.keras_epoch_steps = true;
            // The epoch is over (a bar after it is an evaluation).
            self.keras_epoch_done = true;
            self.on_step_event(ev, ts, time);
            return;
        }
        // A metrics CSV (`CSVLogger`): its header, then a row per record.
        if let Some(cols) = self.csv_columns {
            match parse::csv_row(t, cols) {
                Some(ev) if ev.loss.is_none() && ev.val_loss.is_some() => {
                    // (Lightning's validation rows.)
                    self.last_eval_loss = ev.val_loss;
                    return;
                }
                Some(ev) => {
                    self.epoch_steps |= cols.steps_are_epochs();
                    self.on_step_event(ev, ts, time);
                    return;
                }
                None => self.csv_columns = None,
            }
        }
        if c0.is_ascii_alphabetic()
            && let Some(cols) = parse::csv_header(t)
        {
            self.csv_columns = Some(cols);
            return;
        }
        if c0 == b'E'
            && let Some(columns) = parse::yolo_header(t)
        {
            self.yolo_loss_columns = Some(columns);
            return;
        }
        // A YOLO epoch row cut before its bar (W&B's console capture keeps
        // the start of each redrawn line): one step per epoch, then.
        if c0.is_ascii_digit()
            && let Some(columns) = self.yolo_loss_columns
            && let Some(mut ev) = parse::yolo_row(t)
        {
            ev.loss = parse::yolo_row_loss(t.trim_end_matches(':'), columns);
            self.yolo_losses |= ev.loss.is_some();
            self.epoch_steps = true;
            self.on_step_event(ev, ts, time);
            return;
        }
        if c0 == b'E'
            && let Some(ev) = parse::litgpt(t)
        {
            self.on_step_event(ev, ts, time);
            return;
        }
        // Lightning's ModelCheckpoint (verbose): the steps of a run whose
        // progress bar is off.
        if c0 == b'E'
            && let Some(ev) = parse::lightning_checkpoint(t)
        {
            self.lightning_sign = true;
            self.on_step_event(ev, ts, time);
            if t.contains("saving model to") {
                self.checkpoint(time);
            }
            return;
        }
        // The TensorFlow 1.x examples: a line per epoch, the epochs are the
        // steps.
        if c0 == b'E'
            && let Some((e, cost)) = parse::tf_example_epoch(t)
        {
            let mut ev = Event::new(EventKind::Train, Source::Generic);
            ev.step = Some(e);
            ev.epoch = Some(e as f64);
            ev.loss = Some(cost);
            self.epoch_steps = true;
            self.on_step_event(ev, ts, time);
            return;
        }
        // FuxiCTR: an epoch done (its loss came on the line before, read
        // as a bare loss line): the epochs are the steps.
        if c0 == b'*'
            && let Some(e) = parse::epoch_end_rule(t)
        {
            let mut ev = Event::new(EventKind::Train, Source::Generic);
            ev.step = Some(e);
            ev.epoch = Some(e as f64);
            self.epoch_steps = true;
            self.on_step_event(ev, ts, time);
            return;
        }
        // nnU-Net v1 heads each epoch with `epoch:  46` (`print("epoch: ",
        // epoch)`) alone on a line, its `train loss : -0.8673` after it and
        // no step lines: the epochs are the steps.
        if c0 == b'e'
            && let Some(r) = t.strip_prefix("epoch:  ")
            && let r = trim_end_fast(r)
            && !r.is_empty()
            && r.len() <= 6
            && let Ok(n) = r.parse::<u64>()
        {
            let mut ev = Event::new(EventKind::Train, Source::Generic);
            ev.step = Some(n);
            ev.epoch = Some(n as f64);
            self.epoch_steps = true;
            self.on_step_event(ev, ts, time);
            return;
        }
        if matches!(c0, b'E' | b'e' | b'*' | b'#' | b'=' | b'-' | b'T')
            && let Some((e, total)) = parse::epoch_header(t)
        {
            // Back to an earlier epoch: another run (appended to the log),
            // counting from its start.
            if self.last_epoch_header.is_some_and(|h| e < h.number) {
                self.restart_source(Source::Generic);
                self.restarted();
            }
            self.last_epoch_header = Some(EpochHeader {
                number: e,
                total,
                line: self.lines,
            });
            self.epoch_header_since_step = true;
            // (Its count of epochs is the plan: a bar that starts over
            // under each header counts that many passes.)
            if total.is_some() {
                self.epochs_planned = total;
            }
            return;
        }
        if c0 == b'E'
            && let Some((e, tot)) = parse::keras_epoch(t)
        {
            // A tqdm bar counts under the headers, not Keras's own bar (a
            // loop of one's own that prints Keras's header; not an outer
            // bar around `fit()` calls, like hyperopt's over its trials).
            let tqdm_under_headers = self.src[Source::Tqdm.idx()].last_step.is_some()
                && self.src[Source::Keras.idx()].records == 0
                && self.train_bar.is_some();
            // `Epoch 1/N` after a later epoch: another `fit()` (a second
            // training phase, e.g. after unfreezing): follow the new one.
            if e <= 1 && self.keras_epoch.is_some_and(|p| p > 1) {
                let st = &mut self.src[Source::Keras.idx()];
                if st.last_step.is_some() {
                    st.start_over();
                    self.keras_fits += 1;
                    // An earlier fit's early stop did not end this one.
                    self.finished = None;
                    // (Its batch size may be another.)
                    self.keras_batch = None;
                }
                // Its passes count from the new run's start, even when its
                // total is the earlier run's.
                if tqdm_under_headers {
                    self.restart_source(Source::Tqdm);
                    self.bar_count = BarCount::default();
                    self.restarted();
                }
            }
            // The next epoch's header over a per-epoch tqdm bar: that bar's
            // pass is over, though its last frame may stop short of the
            // total (`293/294` at 100%: tqdm closed it between redraws).
            if self.keras_epoch.is_some_and(|p| e > p)
                && tqdm_under_headers
                && self.bar_count.last_train_n > 0
                && self.train_bar.is_some_and(|tb| !self.bars[tb].is_epoch)
            {
                self.bar_count.next_pass(0);
                self.bar_count.bar_passes += 1;
            }
            self.keras_epoch = Some(e);
            self.keras_epoch_first_line = true;
            self.keras_epochs_total = Some(tot);
            self.epoch_header_first.get_or_insert(e);
            self.epoch_header_summary = false;
            self.keras_epoch_done = false;
            self.keras_eval_active = false;
            self.epoch = Some(e as f64);
            return;
        }
        if anchored
            && t.contains('━')
            && t.contains('•')
            && let Some(parse::RichBar {
                epoch,
                n,
                total,
                rate,
                desc,
                loss,
                epochs,
                ..
            }) = parse::rich_bar(t)
        {
            self.rich_bar = true;
            self.lightning_sign = true;
            // Lightning's other loops draw their own bars.
            if desc.starts_with("Validation") {
                if !self.other_bar_active.0 {
                    self.other_bar_active.0 = true;
                    self.mark(PauseKind::Eval);
                    self.eval_bar_episodes += 1;
                }
                return;
            }
            if ["Sanity Checking", "Testing", "Predicting"]
                .iter()
                .any(|d| desc.starts_with(d))
            {
                return;
            }
            self.other_bar_active = (false, false);
            self.rich_followup = 3;
            if rate.is_some() {
                self.bar_rate = rate;
            }
            // The epoch bar restarts at 0 every epoch: keep a global count.
            let n = n as u64;
            if let Some(e) = epoch {
                match self.rich_epoch {
                    Some((prev, last_n)) if e > prev => {
                        self.rich_offset = self.rich_offset.saturating_add(last_n);
                    }
                    // First seen mid-run (a non-TTY log prints little): the
                    // epochs before had as many batches as this one.
                    None if e > 0 => {
                        self.rich_offset = total.map_or(0, |t| (t as u64).saturating_mul(e));
                    }
                    _ => {}
                }
                if self.rich_epoch.is_none_or(|(prev, _)| e >= prev) {
                    self.rich_epoch = Some((e, n));
                }
            }
            let mut ev = Event::new(EventKind::Train, Source::RichBar);
            ev.step = Some(
                n.saturating_add(self.rich_offset)
                    .saturating_add(self.bar_count.epoch_offset),
            );
            // The bar counts one epoch; `Epoch 3/29` says how many there are.
            ev.total_steps = match (total, epochs) {
                (Some(t), Some(e)) => (t as u64).checked_mul(e),
                _ => None,
            };
            ev.epoch = epoch.map(|e| e as f64);
            ev.rate = rate;
            ev.loss = loss;
            self.on_step_event(ev, ts, time);
            return;
        }
        // stable-baselines3: a table per rollout, its rows one per line,
        // between lines of dashes.
        let in_table = std::mem::replace(&mut self.sb3_in_table, false);
        if c0 == b'|'
            && in_table
            && let Some((key, value)) = parse::sb3_row(t)
        {
            self.sb3_in_table = true;
            let v = || parse::float_prefix(value).map(|x| x.0);
            let table = &mut self.sb3_table;
            match key {
                "total_timesteps" => table.timesteps = v(),
                "time_elapsed" => table.elapsed = v(),
                "loss" => table.loss = v(),
                // (guided-diffusion's classifier: `| train_loss | 4.97 |`.)
                "train_loss" if table.loss.is_none() => table.loss = v(),
                "step" => table.step = v(),
                _ => {}
            }
            return;
        }
        if c0 == b'-' && t.len() >= 10 && t.bytes().all(|c| c == b'-') {
            self.sb3_in_table = true;
            let table = std::mem::take(&mut self.sb3_table);
            if let Some(steps) = table.timesteps.or(table.step).filter(|v| *v >= 0.0) {
                let mut ev = Event::new(EventKind::Train, Source::StableBaselines);
                ev.step = Some(steps as u64);
                ev.loss = table.loss;
                // (`time_elapsed`: seconds since `learn()` began; the clock
                // unless the log has timestamps of its own.)
                let ts = ts.or(table.elapsed.filter(|_| self.last_log_ts.is_none()));
                self.on_step_event(ev, ts, time);
            }
            return;
        }
        if c0 == b'E' && t.starts_with("Eval num_timesteps=") {
            self.mark(PauseKind::Eval);
            self.eval_event(None);
            return;
        }
        if matches!(c0, b'e' | b'i')
            && let Some(ev) = parse::detectron2(t)
        {
            self.on_step_event(ev, ts, time);
            return;
        }
        if matches!(c0, b'e' | b'|')
            && t.contains("num_updates")
            && let Some(ev) = parse::fairseq(t)
        {
            self.on_step_event(ev, ts, time);
            return;
        }
        if c0 == b'|'
            && let Some((ev, batches)) = parse::fairseq_legacy(t, self.batches_per_epoch)
        {
            if ev.step.is_some() || ev.kind == EventKind::Eval {
                self.on_epoch_batch_event(ev, batches, ts, time);
            }
            return;
        }
        if c0 == b'|'
            && let Some((ev, batches)) = parse::torch_lm_example(t)
        {
            self.on_epoch_batch_event(ev, batches, ts, time);
            return;
        }
        // A script's arguments, printed as it starts (`Namespace(...)`,
        // YOLOX's `args: Namespace(...)`, MXNet's examples' `start with
        // arguments Namespace(...)`): a launch, and maybe its epochs.
        // (Not the end of the line's reading: the same print may carry
        // other settings, like fairseq's `max_update=`.)
        if matches!(c0, b'N' | b'a' | b's')
            && let Some(ns) = t
                .strip_prefix("args: ")
                .or_else(|| t.strip_prefix("start with arguments "))
                .or(Some(t))
            && ns.starts_with("Namespace(")
        {
            self.restarted();
            if let Some(n) = parse::namespace_epochs(ns) {
                self.epochs_planned = Some(n);
            }
        }
        if c0 == b'T'
            && let Some(ev) = parse::nemo(t)
        {
            self.on_step_event(ev, ts, time);
            return;
        }
        if matches!(c0, b'L' | b'l' | b'T' | b't' | b'[')
            && self.loss.count == self.bare_losses
            && let Some(v) = parse::loss_line(t)
        {
            self.loss.push(v);
            self.bare_losses += 1;
            return;
        }
        if c0 == b'E'
            && let Some((mut ev, batches)) = parse::minimind(t)
        {
            // Its epochs count from 1 (MiniMind) or from 0 (baby-llama2):
            // an epoch 0 says which.
            if ev.epoch == Some(0.0) {
                self.minimind_from_zero = true;
            } else if self.minimind_from_zero {
                ev.step = ev.step.map(|s| s.saturating_add(batches));
                ev.total_steps = None;
            }
            self.on_epoch_batch_event(ev, Some(batches), ts, time);
            return;
        }
        if c0 == b'T'
            && let Some(line) = parse::openclip(t)
        {
            self.on_openclip(line, ts, time);
            return;
        }
        // ColBERT's `[Mar 29, 16:21:59] 1016 5.2992`: its head's time is
        // the clock.
        if c0 == b'['
            && let Some((ev, at)) = parse::colbert_step(t)
        {
            let ts = ts.or(Some(at));
            self.on_step_event(ev, ts, time);
            return;
        }
        // StyleGAN's ticks (and EDM2's status lines): thousands of images
        // are the steps; the time since the start is the clock unless the
        // log has timestamps.
        if matches!(c0, b't' | b'S')
            && let Some((mut ev, elapsed)) = parse::stylegan_tick(t)
        {
            ev.total_steps = self.max_iters;
            let ts = ts.or(Some(elapsed).filter(|_| self.last_log_ts.is_none()));
            self.on_step_event(ev, ts, time);
            return;
        }
        if c0.is_ascii_digit()
            && let Some((step, loss)) = parse::deepxde_row(t)
        {
            let mut ev = Event::new(EventKind::Train, Source::Generic);
            ev.step = Some(step);
            ev.loss = Some(loss);
            self.on_step_event(ev, ts, time);
            return;
        }
        // NeMo-RL's loss, under its step's banner: `  • Loss: 0.0026`.
        if c0 == 0xE2
            && let Some(r) = t.strip_prefix("• Loss: ")
            && let Some((v, _)) = parse::float_prefix(r)
        {
            self.loss.push(v);
            return;
        }
        // NequIP's epoch summaries: its epochs are the steps.
        if c0 == b'!'
            && let Some(ev) = parse::nequip_summary(t)
        {
            if ev.kind == EventKind::Eval {
                self.mark(PauseKind::Eval);
                self.eval_event(self.current_step);
                self.last_eval_loss = ev.loss;
            } else {
                self.epoch_steps = true;
                self.on_step_event(ev, ts, time);
            }
            return;
        }
        if c0 == b'T'
            && let Some((epoch, batch, ev)) = parse::wenet_batch(t)
        {
            // A resumed run's first batches count on from the step its
            // epoch started at (`Epoch 3 Step 45120 TRAIN info ...`).
            if self.generic_line_epoch.is_none()
                && let Some((e, step)) = self.wenet_epoch_start
                && e == epoch
            {
                self.generic_step_offset = step;
            }
            self.note_line_epoch(epoch, batch);
            self.on_step_event(ev, ts, time);
            return;
        }
        // WeNet 3 as an epoch starts: `Epoch 3 Step 45120 TRAIN info lr
        // 7.4437e-04 rank 0` (the optimizer steps before it).
        if c0 == b'E'
            && let Some(r) = t.strip_prefix("Epoch ")
            && let Some(p) = r.find(" TRAIN info ")
            && let Some((epoch, used)) = parse::uint_prefix(&r[..p])
            && let Some(step) = r[used..p]
                .strip_prefix(" Step ")
                .and_then(|s| s.parse().ok())
        {
            self.wenet_epoch_start = Some((epoch, step));
            return;
        }
        // WeNet's cross-validation batches (`CV Batch 0/100 loss 9.90 ...`)
        // and result (`Epoch 4 Step 12000 CV info lr 2.7e-04 cv_loss 3.0189
        // rank 0 acc 0.872`; v2: `Epoch 0 CV info cv_loss 9.47`): an
        // evaluation, whose batches count no step.
        if c0 == b'C' && t.starts_with("CV Batch ") {
            return;
        }
        if c0 == b'E'
            && t.starts_with("Epoch ")
            && let Some(p) = t.find(" CV info ")
        {
            self.mark(PauseKind::Eval);
            self.eval_event(self.current_step);
            if let Some(v) = parse::float_after(&t[p..], "cv_loss ") {
                self.last_eval_loss = Some(v);
            }
            return;
        }
        if c0 == b'E'
            && let Some(ev) = parse::sockeye_batch(t)
        {
            self.on_step_event(ev, ts, time);
            return;
        }
        // MXNet's (GluonCV's) batch lines and epoch ends: their epochs are
        // the steps.
        if matches!(c0, b'E' | b'[')
            && let Some(ev) = parse::mxnet_batch(t).or_else(|| parse::mxnet_epoch_end(t))
        {
            self.epoch_steps = true;
            self.on_step_event(ev, ts, time);
            return;
        }
        // CleanRL, the MetricLogger over iterations, OpenMMLab's
        // iteration runners, Kaldi's chain training (behind its logger's
        // `[steps/nnet3/chain/train.py:529 - train - INFO ] `).
        let iterations = match c0 {
            b'g' => parse::cleanrl_step(t),
            b'T' => parse::metric_logger_iter(t),
            b'I' => parse::mm_iter(t).or_else(|| parse::kaldi_iter(t)),
            b'[' => parse::kaldi_iter(t),
            _ => None,
        };
        if let Some(ev) = iterations {
            self.on_step_event(ev, ts, time);
            return;
        }
        if matches!(c0, b'E' | b'T' | b'[' | b'V' | b'G' | b'S' | b'(' | b'e')
            && let Some((ev, batches)) = parse::epoch_indexed(t)
                .or_else(|| parse::flashy_line(t))
                .or_else(|| parse::pixart_step(t))
        {
            self.on_epoch_batch_event(ev, batches, ts, time);
            return;
        }
        // Lines that open with a bracket: BasicSR's `[name..][epoch: 1, iter:
        // 100, ...]`, XGBoost's and LightGBM's `[10]\t...`, Composer's
        // `[batch=12/1000]:`, CLU's metrics.
        if c0 == b'<'
            && let Some(ev) = parse::basicsr_v0(t)
        {
            self.on_step_event(ev, ts, time);
            return;
        }
        if c0 == b'['
            && let Some(ev) = parse::basicsr(t)
                .or_else(|| parse::boosting_round(t))
                .or_else(|| parse::bracket_step(t))
                .or_else(|| parse::clu_metrics(t))
        {
            self.on_step_event(ev, ts, time);
            return;
        }
        if c0 == b'T'
            && let Some((ev, steps_are_epochs)) = parse::swin_train(t)
        {
            self.epoch_steps |= steps_are_epochs;
            self.on_step_event(ev, ts, time);
            return;
        }
        if matches!(c0, b'T' | b't')
            && let Some(m) = parse::bracket_metric(t)
        {
            match m {
                parse::BracketMetric::Loss(v) => self.loss.push(v),
                parse::BracketMetric::TokensPerSec(v) => self.reported_tokens_per_sec = Some(v),
                parse::BracketMetric::SamplesPerSec(v) => {
                    self.reported_samples_per_sec = Some(v);
                }
            }
            return;
        }
        if self.on_marker(t, ts, time) {
            return;
        }
        if matches!(
            c0,
            b't' | b'v' | b'e' | b'j' | b'(' | b'0'
                ..=b'9' | b'-' | b'|' | b'>' | b'T' | b'[' | b'l' | b'='
        ) && self.on_project_line(c0, t, ts, time)
        {
            return;
        }
        // lm-eval (EleutherAI's harness) builds each task's requests under
        // a bare bar of its own: its logger names the work on the line above.
        // (AllenNLP's trainer says `Validating` over its validation bar.)
        // (parler-tts encodes its audio under a bare bar before it trains:
        // `*** Encode target audio with encodec ***`.)
        // (torchvision's datasets download under a bare bar counting bytes
        // as items: `Downloading https://.../train-images-idx3-ubyte.gz to
        // MNIST/raw/train-images-idx3-ubyte.gz`.)
        if (c0 == b'B' && t.starts_with("Building contexts for "))
            || (c0 == b'V' && trim_end_fast(t) == "Validating")
            || (c0 == b'*' && t.starts_with("*** Encode target audio with "))
            || (c0 == b'D' && t.starts_with("Downloading http") && t.contains(" to "))
            // (k-diffusion's FID statistics before it trains, and its demo
            // grid's sampler between steps.)
            || (c0 == b'C' && t.starts_with("Computing features for "))
            || (c0 == b'S' && trim_end_fast(t) == "Sampling...")
            // (NVIDIA Model Optimizer's calibration: `Inserted 675
            // quantizers`, then a bare bar over the calibration batches.)
            || (c0 == b'I' && t.starts_with("Inserted ") && trim_end_fast(t).ends_with(" quantizers"))
            // (A script announcing its data preparation, OGB's `Processing
            // graphs...`, `Converting graphs into PyG objects...`.)
            // (Not `Loading data...`: the training bar may come next.)
            // (Boltz: `Processing 4 inputs with 1 threads.`, however it ends.)
            || (c0 == b'P' && t.starts_with("Processing "))
            || (matches!(c0, b'P' | b'C' | b'T' | b'B' | b'E')
                && trim_end_fast(t).ends_with("...")
                && starts_with_any(
                    t,
                    &[
                    "Converting ",
                    "Preprocessing ",
                    "Tokenizing ",
                    "Building ",
                    "Extracting ",
                    "Encoding ",
                ],
            ))
        {
            self.not_training_line = Some(self.lines);
            return;
        }
        // Optuna's trials (its logger: `[I 2024-09-01 02:04:45,017] Trial 0
        // finished with value: 0.89 and parameters: {...}`), and the
        // study's summary that the example scripts print after them.
        // Ray Tune's trials (RLlib's training under it): an iteration done,
        // `Trial PPO_CartPole-v1_0b4f3_00000 finished iteration 3 at
        // 2024-03-02 11:20:37. Total running time: 33s`; the trial done,
        // `Trial ... completed after 12 iterations at ...`; the legacy
        // output's result, `  training_iteration: 3`.
        // (Ray Train's own, under `ray job submit`: `Training finished
        // iteration 3 at ...`, `Training completed after 10 iterations at ...`.)
        if c0 == b'T'
            && let Some((name, r)) = t
                .strip_prefix("Trial ")
                .and_then(|r| r.split_once(' '))
                .or_else(|| t.strip_prefix("Training ").map(|r| ("Training", r)))
            && !name.bytes().all(|c| c.is_ascii_digit())
            && let Some((n, completed)) = r
                .strip_prefix("finished iteration ")
                .map(|r| (r, false))
                .or_else(|| r.strip_prefix("completed after ").map(|r| (r, true)))
            && let Some((n, _)) = parse::uint_prefix(n)
        {
            self.on_plain_step(n, ts, time);
            if completed {
                self.mark_finished("Ray Tune's trial completed");
            }
            return;
        }
        // Determined's Core API: `report_training_metrics(steps_completed=
        // 100, metrics={'loss': 1.8857, 'lr': 0.0995})`, and its validation.
        if c0 == b'r'
            && let Some((r, eval)) = t
                .strip_prefix("report_training_metrics(steps_completed=")
                .map(|r| (r, false))
                .or_else(|| {
                    t.strip_prefix("report_validation_metrics(steps_completed=")
                        .map(|r| (r, true))
                })
            && let Some((n, _)) = parse::uint_prefix(r)
        {
            let loss = parse::float_after(r, "'loss': ");
            if eval {
                self.mark(PauseKind::Eval);
                self.eval_event(Some(n));
                self.last_eval_loss = loss.or(self.last_eval_loss);
            } else {
                let mut ev = Event::new(EventKind::Train, Source::Generic);
                ev.step = Some(n);
                ev.loss = loss;
                self.on_step_event(ev, ts, time);
            }
            return;
        }
        if c0 == b't'
            && let Some(r) = t.strip_prefix("training_iteration: ")
            && let Ok(n) = trim_end_fast(r).parse::<u64>()
        {
            self.on_plain_step(n, ts, time);
            return;
        }
        if c0 == b'T'
            && let Some(r) = t.strip_prefix("Trial ")
            && let Some((n, r)) = r.split_once(' ')
            && n.bytes().all(|c| c.is_ascii_digit())
            && (r.starts_with("finished with value")
                || r.starts_with("pruned")
                || r.starts_with("failed with value"))
        {
            let study = self.study.get_or_insert(Study {
                trials_ended: 0,
                ended: false,
            });
            study.trials_ended += 1;
            study.ended = false;
            return;
        }
        // Ray Tune's status (Ray 2.5 and later): `Trial status: 3 TERMINATED
        // | 4 RUNNING | 1 ERROR | 12 PENDING`; none running or pending: the
        // search ended.
        if c0 == b'T'
            && let Some(r) = t.strip_prefix("Trial status: ")
        {
            let mut ended = 0;
            let mut open = false;
            for part in r.split(" | ") {
                let Some((n, state)) = part.trim().split_once(' ') else {
                    continue;
                };
                let Ok(n) = n.parse::<u64>() else {
                    continue;
                };
                match state {
                    "TERMINATED" | "ERROR" => ended += n,
                    _ => open = true,
                }
            }
            self.study = Some(Study {
                trials_ended: ended,
                ended: !open,
            });
            return;
        }
        if let Some(study) = self.study.as_mut()
            && [
                "Best trial",
                "Best hyperparameters",
                "Best params",
                "Study statistics",
            ]
            .iter()
            .any(|h| t.starts_with(h))
        {
            study.ended = true;
        }
        // ComfyUI takes a prompt: what follows is image generation.
        if c0 == b'g' && t.trim_end() == "got prompt" {
            self.serving_images = true;
            return;
        }
        // rsl_rl (legged_gym, Isaac Lab): a boxed table per iteration,
        // headed `Learning iteration 13/1500` (centred), its losses on lines
        // of their own.
        if c0 == b'L'
            && let Some(r) = t.strip_prefix("Learning iteration ")
            && let Some((n, total)) = r.trim_end().split_once('/')
            && let (Ok(n), Ok(total)) = (n.parse::<u64>(), total.parse::<u64>())
            && n <= total
        {
            let mut ev = Event::new(EventKind::Train, Source::Generic);
            ev.step = Some(n);
            ev.total_steps = Some(total);
            self.on_step_event(ev, ts, time);
            return;
        }
        // A loop that prints in Chinese (`第 1 轮 | 第 20/3000 步 | 损失：3.0494`),
        // and its plan (`总训练步数：3000`, `每轮步数: 500, 总步数: 1500`): both
        // have `步` (step). (One search: lines of rich's tables also start
        // with a multi-byte character.)
        static STEP_CHAR: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
            std::sync::LazyLock::new(|| memchr::memmem::Finder::new("步".as_bytes()));
        if c0 >= 0xE0 && STEP_CHAR.find(t.as_bytes()).is_some() {
            if let Some(ev) = parse::chinese_step(t) {
                self.on_step_event(ev, ts, time);
                return;
            }
            if let Some(n) = ["总训练步数", "总步数"].iter().find_map(|k| {
                let r = &t[t.find(k)? + k.len()..];
                parse::uint_prefix(r.trim_start_matches([' ', ':', '：'])).map(|x| x.0)
            }) && n > 0
            {
                self.max_iters = Some(n);
                return;
            }
        }
        // TensorFlow Model Garden's controller (Orbit): `train | step:
        // 200 | steps/sec: 3.1 | output: {'training_loss': 0.96, ...}`, the
        // dict on the lines after it once pprint wraps it (four metrics or
        // more, or NumPy 2's `np.float32(0.96)`).
        if c0 == b't'
            && let Some(r) = t.strip_prefix("train | step:")
            && let Some((n, used)) = parse::uint_prefix(r)
        {
            let r = &r[used..];
            if let Some(out) = r.find("| output: ").map(|p| &r[p + "| output: ".len()..]) {
                let mut ev = Event::new(EventKind::Train, Source::Generic);
                ev.step = Some(n);
                ev.loss = orbit_loss(out);
                ev.lr = parse::float_after(out, "'learning_rate': ");
                if ev.loss.is_none() {
                    self.orbit_output_line = Some(self.lines);
                }
                self.on_step_event(ev, ts, time);
            }
            return;
        }
        if let Some(at) = self.orbit_output_line
            && self.lines <= at + 8
            && matches!(c0, b'{' | b'\'')
        {
            if let Some(v) = orbit_loss(t) {
                self.loss.push(v);
                self.orbit_output_line = None;
            }
            return;
        }
        // TensorFlow's Estimator saving (`Saving checkpoints for 343 into
        // /tmp/mrpc_output/model.ckpt.`): a checkpoint, at the run's step.
        if c0 == b'S'
            && let Some(r) = t.strip_prefix("Saving checkpoints for ")
            && let Some((n, used)) = parse::uint_prefix(r)
            && r[used..].starts_with(" into ")
        {
            if n > 0 {
                self.on_plain_step(n, ts, time);
            }
            self.checkpoint(time);
            return;
        }
        // TensorFlow's Estimator after an evaluation: `Saving dict for global
        // step 5000: accuracy = 0.85, ..., loss = 32.18443` (the
        // evaluation's loss); BERT's `***** Eval results *****`, then one
        // `  loss = 2.26` line per metric.
        if c0 == b'S'
            && let Some(r) = t.strip_prefix("Saving dict for global step ")
        {
            let step = parse::uint_prefix(r).map(|x| x.0);
            // (The step it evaluated at is the run's latest: the last
            // `step = ` line before it may be a logging interval behind.)
            if let Some(n) = step.filter(|n| *n > 0) {
                self.on_plain_step(n, ts, time);
            }
            self.mark(PauseKind::Eval);
            self.eval_event(step.or(self.current_step));
            if let Some(v) =
                parse::float_after(r, ", loss = ").or_else(|| parse::float_after(r, ": loss = "))
            {
                self.last_eval_loss = Some(v);
            }
            return;
        }
        if std::mem::take(&mut self.tf_eval_results)
            && let Some((key, value)) = t.split_once(" = ")
            && !key.contains(' ')
            && let Some(v) = parse::whole_float(trim_end_fast(value))
        {
            self.tf_eval_results = true;
            if key.ends_with("loss") {
                self.last_eval_loss = Some(v);
            }
            return;
        }
        if c0 == b'*' && trim_end_fast(t) == "***** Eval results *****" {
            self.tf_eval_results = true;
            self.mark(PauseKind::Eval);
            self.eval_event(self.current_step);
            return;
        }
        // A loop that says it evaluates now, in a line of its own
        // (`testing in eval mode……`, `Evaluating...`): its next metrics line
        // is the evaluation's, however it looks.
        if t.len() < 64 && parse::announces_evaluation(t) {
            self.eval_announced = Some(self.lines);
            return;
        }
        // A bar written as log lines (tqdm-loggable: Levanter, Marin),
        // behind whatever head its logger gave it.
        if let Some(frame) = parse::tqdm_logging(t) {
            self.on_tqdm(&frame, LineFlags::default(), ts);
            return;
        }
        // Last: a hand-written loop's `step ... loss ...` line.
        if t.len() < 16 * 1024
            && let Some((ev, count)) = parse::generic_step(t)
        {
            self.generic_step_line = self.lines;
            let step = ev.step;
            self.on_generic_step(ev, count, ts, time);
            // MaxText counts from 0: `completed step: 199` of `steps: 200`
            // is its last.
            if t.starts_with("completed step: ")
                && let Some(n) = step
                && self.max_iters == Some(n + 1)
            {
                self.mark_finished("MaxText completed its last step");
            }
        } else if let Some(step) = parse::bare_counter(t) {
            self.pending_counter = Some((step, self.lines));
        } else if let Some((step, at)) = self.pending_counter
            && self.lines - at <= 2
            && t.len() < 4096
            && let Some(loss) = parse::loss_in(t.as_bytes())
        {
            self.pending_counter = None;
            // The second line of a two-line record: the counter came on the
            // line before.
            let mut ev = Event::new(EventKind::Train, Source::Generic);
            ev.step = Some(step);
            ev.loss = Some(loss);
            self.generic_counted_steps = true;
            self.on_step_event(ev, ts, time);
        } else if let Some(EpochHeader {
            number: e,
            total,
            line: header_line,
        }) = self.last_epoch_header
            // (Not an epoch's summary after its own step lines: those count.)
            && self.generic_step_line < header_line
            && let Some(loss) = (t.len() < 80)
                .then(|| parse::header_loss_line(t))
                .flatten()
                // (Or the epoch's training metrics, when the header says how
                // many: ORB's `Epoch: 0/100,` then `train_metrics: {...,
                // 'loss': 2.146}`.)
                .or_else(|| {
                    (total.is_some() && t.len() < 4096 && t.starts_with("train"))
                        .then(|| parse::loss_in(t.as_bytes()))
                        .flatten()
                })
        {
            // A loss line alone under an epoch header (PointNet's `****
            // EPOCH 000 ****` then `mean loss: 0.0186`): the epochs are the
            // steps, the latest loss of each stands. (With how many, counted
            // from 0 or 1 as every epoch line is: see `on_generic_step`.)
            let mut ev = Event::new(EventKind::Train, Source::Generic);
            ev.step = Some(e);
            ev.total_steps = total;
            ev.epoch = Some(e as f64);
            ev.loss = Some(loss);
            self.epoch_steps = true;
            self.on_generic_step(ev, parse::GenericCount::Epochs, ts, time);
        } else if self.on_phase_summary(t, ts, time) {
        } else if t.len() < 4096
            && let Some(v) = parse::eval_only_loss(t)
        {
            // An evaluation's result line (`epoch 0: perplexity: 24.1
            // eval_loss: 3.18`): it ran before this line.
            self.eval_loss_reported(self.current_step, v);
        } else if t.len() < 4096
            && let Some(loss) = parse::metrics_loss(t)
        {
            // A loop's metrics with no counter (`LR: 0.0002, Acc: 50.0,
            // Loss: 0.9199`): the loss trend, without steps.
            self.loss.push(loss);
        }
    }

    /// A hand-written loop's `step ... loss ...` line (see
    /// [`parse::generic_step`]).
    fn on_generic_step(
        &mut self,
        mut ev: Event,
        count: parse::GenericCount,
        ts: Option<f64>,
        time: Option<f64>,
    ) {
        if self
            .eval_announced
            .take()
            .is_some_and(|at| self.lines - at <= 2)
        {
            self.mark(PauseKind::Eval);
            self.eval_event(self.current_step);
            if ev.loss.is_some() {
                self.last_eval_loss = ev.loss;
            }
            return;
        }
        // `epoch 1 [100/500]`: a loop whose first such line is epoch 1
        // counts its epochs from 1. One whose first batch is 0 numbers its
        // batches from 0 (`Batch 0010/0011` is its eleventh and last).
        if let parse::GenericCount::EpochBatch {
            epoch,
            batch,
            batches,
        } = count
        {
            if self.epoch_batch_global.is_none() {
                let (lines, step) = match self.epoch_batch_last {
                    // (Three lines of an epoch show its cadence; a sparse
                    // excerpt says nothing.)
                    Some(last) if epoch == last.epoch + 1 && last.lines >= 3 => {
                        let goes_on = batch > last.count && batch - last.count <= 2 * last.step;
                        self.epoch_batch_global = Some(goes_on);
                        (1, 0)
                    }
                    Some(last) if epoch == last.epoch && batch > last.count => {
                        (last.lines + 1, batch - last.count)
                    }
                    Some(last) if epoch == last.epoch => (last.lines + 1, last.step),
                    _ => (1, 0),
                };
                self.epoch_batch_last = Some(EpochCadence {
                    epoch,
                    count: batch,
                    lines,
                    step,
                });
            }
            if self.epoch_batch_global == Some(true) {
                ev.step = Some(batch);
                ev.total_steps = Some(batches);
                self.batches_per_epoch = None;
            } else {
                let base = *self.epoch_batch_base.get_or_insert(epoch.min(1));
                let batch_from_zero = *self.epoch_batch_from_zero.get_or_insert(batch == 0);
                self.batches_per_epoch = Some(batches);
                ev.step = epoch
                    .saturating_sub(base)
                    .checked_mul(batches)
                    .and_then(|d| d.checked_add(batch))
                    .map(|s| s + u64::from(batch_from_zero));
            }
        }
        // A batch counter that went back: the next epoch, `batches` on.
        if let parse::GenericCount::Batches { batches } = count
            && let Some(batch) = ev.step
        {
            if self.generic_raw_last.is_some_and(|last| batch < last) {
                self.generic_step_offset = self.generic_step_offset.saturating_add(batches);
            }
            self.batches_per_epoch = Some(batches);
        }
        let steps_are_epochs = count == parse::GenericCount::Epochs;
        if steps_are_epochs && ev.total_steps.is_some() {
            self.epochs_planned = ev.total_steps;
            // Counted from 0 (`epoch=0/250` .. `epoch=249/250`), the line
            // of epoch N says N + 1 are done. (Some print the last epoch's
            // number as the total, `[601/601]`: one more is planned.)
            if *self.epochs_from_zero.get_or_insert(ev.step == Some(0)) {
                ev.step = ev.step.map(|s| s + 1);
                ev.total_steps = ev.total_steps.max(ev.step);
                self.epochs_planned = ev.total_steps;
            }
        }
        // An epoch's summary (`[epoch 0/15] average loss: 0.833`) among
        // lines that count steps (`global step 50: loss: 0.808`): the
        // steps are those lines; the summary's average is not a step's
        // (its epochs' total stands).
        if steps_are_epochs && self.generic_counted_steps && !self.epoch_steps {
            return;
        }
        if let parse::GenericCount::StepsWithEpoch { epoch, epochs } = count
            && let Some(raw) = ev.step
        {
            self.note_line_epoch(epoch, raw);
            if let Some(n) = epochs.filter(|n| *n >= epoch && *n > 0) {
                self.epochs_planned = Some(n);
            }
        }
        self.generic_counted_steps |= matches!(
            count,
            parse::GenericCount::Steps
                | parse::GenericCount::StepsWithEpoch { .. }
                | parse::GenericCount::Batches { .. }
                | parse::GenericCount::EpochBatch { .. }
        );
        self.epoch_steps |= steps_are_epochs;
        self.on_step_event(ev, ts, time);
    }

    /// The lines of projects with a format of their own: DARTS, Darknet,
    /// Keras-GAN, the pix2pix / CycleGAN Visualizer, PySlowFast, Coqui TTS,
    /// VITS. Returns whether `t` was one. (Out of line: the per-line path
    /// stays small.)
    #[cold]
    #[inline(never)]
    fn on_project_line(&mut self, c0: u8, t: &str, ts: Option<f64>, time: Option<f64>) -> bool {
        match c0 {
            b't' | b'v' | b'e' => self.on_darts_line(t, ts, time),
            b'0'..=b'9' => {
                let Some(ev) = parse::darknet_iter(t).or_else(|| parse::keras_gan(t)) else {
                    return false;
                };
                self.on_generic_step(ev, parse::GenericCount::Steps, ts, time);
                true
            }
            b'(' => {
                let Some((ev, count)) = parse::gan_visualizer(t) else {
                    return false;
                };
                self.on_generic_step(ev, count, ts, time);
                true
            }
            b'j' => {
                let Some(stats) = parse::slowfast_stats(t) else {
                    return false;
                };
                self.on_slowfast_stats(stats, ts, time);
                true
            }
            b'-' | b'|' | b'>' => self.on_coqui_line(t, ts, time),
            b'T' | b'[' | b'l' | b'=' => self.on_vits_line(t, ts, time),
            _ => false,
        }
    }

    /// VITS's records (see [`parse::vits_epoch`]): an epoch head, and the
    /// loss list right under it. Returns whether `t` was one of its lines.
    fn on_vits_line(&mut self, t: &str, ts: Option<f64>, time: Option<f64>) -> bool {
        if let Some(epoch) = parse::vits_epoch(t) {
            self.projects.vits_epoch = Some((epoch, self.lines));
            return true;
        }
        // The end of an epoch (`====> Epoch: 60 [2024-11-03 21:20:59] |
        // (0:00:15.470914)` in RVC's, `====> Epoch: 60` in VITS's): heads
        // print only every few hundred steps, these every epoch.
        if let Some((epoch, _)) = t.strip_prefix("====> Epoch: ").and_then(parse::uint_prefix) {
            if self.epoch.is_none_or(|e| (epoch as f64) > e) {
                self.epoch = Some(epoch as f64);
            }
            return true;
        }
        let Some((epoch, line)) = self.projects.vits_epoch else {
            return false;
        };
        // RVC: `[step, lr]` under the head, its losses on the line after.
        if line + 1 == self.lines
            && let Some(step) = parse::rvc_step(t)
        {
            let mut ev = Event::new(EventKind::Train, Source::Generic);
            ev.step = Some(step);
            ev.epoch = Some(epoch as f64);
            self.on_generic_step(ev, parse::GenericCount::Steps, ts, time);
            return true;
        }
        if line + 2 == self.lines
            && let Some(loss) = parse::rvc_losses(t)
        {
            self.loss.push(loss);
            return true;
        }
        let Some((loss, step)) = (line + 1 == self.lines)
            .then(|| parse::vits_losses(t))
            .flatten()
        else {
            return false;
        };
        let mut ev = Event::new(EventKind::Train, Source::Generic);
        ev.step = Some(step);
        ev.epoch = Some(epoch as f64);
        ev.loss = Some(loss);
        self.on_generic_step(ev, parse::GenericCount::Steps, ts, time);
        true
    }

    /// The Coqui TTS trainer's records (see [`parse::coqui_step`]): a step
    /// head, then its losses a line each; the first `loss` (a GAN's
    /// generator `loss_1`) is the step's. Returns whether `t` was one of
    /// its lines.
    fn on_coqui_line(&mut self, t: &str, ts: Option<f64>, time: Option<f64>) -> bool {
        if let Some(step) = parse::coqui_step(t) {
            let mut ev = Event::new(EventKind::Train, Source::Generic);
            ev.step = Some(step);
            self.on_generic_step(ev, parse::GenericCount::Steps, ts, time);
            self.projects.coqui_loss_due = true;
            return true;
        }
        if t.trim_end() == "> EVALUATION" {
            self.projects.coqui_loss_due = false;
            self.mark(PauseKind::Eval);
            self.eval_event(self.current_step);
            return true;
        }
        if self.projects.coqui_loss_due
            && let Some(loss) = parse::coqui_loss(t)
        {
            self.projects.coqui_loss_due = false;
            self.loss.push(loss);
            return true;
        }
        false
    }

    /// PySlowFast's stats (see [`parse::slowfast_stats`]): its iterations
    /// within epochs are the steps; its epoch summaries are, when the log
    /// kept no iteration lines; `val_*` lines are evaluations.
    fn on_slowfast_stats(
        &mut self,
        stats: parse::SlowFastStats<'_>,
        ts: Option<f64>,
        time: Option<f64>,
    ) {
        let (epoch, epochs) = stats.epoch;
        if stats.kind.starts_with("val") {
            if !std::mem::replace(&mut self.projects.slowfast_val, true) {
                self.mark(PauseKind::Eval);
                self.eval_event(self.current_step);
            }
            if stats.loss.is_some() {
                self.last_eval_loss = stats.loss;
            }
            return;
        }
        self.projects.slowfast_val = false;
        let mut ev = Event::new(EventKind::Train, Source::Generic);
        ev.epoch = Some(epoch as f64);
        ev.loss = stats.loss;
        match (stats.kind, stats.iter) {
            ("train_iter", Some((batch, batches))) => {
                self.projects.slowfast_iters = true;
                ev.total_steps = epochs.checked_mul(batches);
                let count = parse::GenericCount::EpochBatch {
                    epoch,
                    batch,
                    batches,
                };
                self.on_generic_step(ev, count, ts, time);
            }
            ("train_epoch", _) if !self.projects.slowfast_iters => {
                ev.step = Some(epoch);
                ev.total_steps = Some(epochs);
                self.on_generic_step(ev, parse::GenericCount::Epochs, ts, time);
            }
            _ => {}
        }
    }

    /// DARTS's records (see [`parse::darts_step`]): its training steps
    /// count from 0 in each epoch (the epoch from its `epoch N lr X` line);
    /// a run of `valid` records is one evaluation. Returns whether `t` was
    /// one of its lines.
    fn on_darts_line(&mut self, t: &str, ts: Option<f64>, time: Option<f64>) -> bool {
        if let Some(epoch) = parse::darts_epoch(t) {
            self.projects.darts_epoch = Some(epoch);
            return true;
        }
        let Some((train, step, loss)) = parse::darts_step(t) else {
            return false;
        };
        if !train {
            if !std::mem::replace(&mut self.projects.darts_valid, true) {
                self.mark(PauseKind::Eval);
                self.eval_event(self.current_step);
            }
            self.last_eval_loss = Some(loss);
            return true;
        }
        self.projects.darts_valid = false;
        let epoch = self.projects.darts_epoch.unwrap_or(0);
        let mut ev = Event::new(EventKind::Train, Source::Generic);
        ev.step = Some(step);
        ev.epoch = Some(epoch as f64);
        ev.loss = Some(loss);
        self.on_generic_step(
            ev,
            parse::GenericCount::StepsWithEpoch {
                epoch,
                epochs: None,
            },
            ts,
            time,
        );
        true
    }

    /// The `train Loss: 0.4552 Acc: 0.0087` line under an `Epoch 3/24`
    /// header (the PyTorch transfer-learning tutorial's loop, and the many
    /// copied from it): that epoch's step, once per header. Returns whether
    /// it was one.
    fn on_phase_summary(&mut self, t: &str, ts: Option<f64>, time: Option<f64>) -> bool {
        let (Some(e), Some(last)) = (self.keras_epoch, self.keras_epochs_total) else {
            return false;
        };
        // (Stanford CS230's examples, and the projects built on them:
        // `Epoch 1/10` then `- Train metrics: accuracy: 0.404 ; loss: 1.633`.)
        let t = t.strip_prefix("- ").unwrap_or(t);
        if self.epoch_header_summary
            || self.src[Source::Keras.idx()].records > 0
            || !t.get(..5).is_some_and(|h| h.eq_ignore_ascii_case("train"))
        {
            return false;
        }
        let Some(loss) = parse::loss_in(t.as_bytes()) else {
            return false;
        };
        self.epoch_header_summary = true;
        // Counted from 0 (`Epoch 0/24`), the header shows the last epoch's
        // number: the epochs done and planned are one more.
        let from_zero = u64::from(self.epoch_header_first == Some(0));
        let mut ev = Event::new(EventKind::Train, Source::Generic);
        ev.step = Some(e + from_zero);
        ev.total_steps = Some(last + from_zero);
        ev.epoch = Some(e as f64);
        ev.loss = Some(loss);
        self.epoch_steps = true;
        self.epochs_planned = ev.total_steps;
        self.on_step_event(ev, ts, time);
        true
    }

    /// Returns whether `t` was a marker.
    fn on_marker(&mut self, t: &str, ts: Option<f64>, time: Option<f64>) -> bool {
        // (Once: lines padded to the terminal's width are common, and
        // `trim_end` decodes every char of the padding.)
        let trimmed = trim_end_fast(t);
        if self.on_end_line(trimmed) {
            return true;
        }
        // LTX-Video-Trainer's rich logger: a checkpoint and a validation at
        // a step (`💾 LoRA weights for step 500 saved in ...`, `🎥 Validation
        // samples for step 500 saved in ...`), its statistics as it ends
        // (`📊 Training Statistics:`), and its configuration table's step
        // count (`│ optimization.steps │ 2000 │`). (Its live panel prints
        // nothing into a pipe until it stops.)
        if t.as_bytes().first().is_some_and(|&c| c >= 0xE2)
            && let Some(m) = parse::ltxv_line(trimmed)
        {
            match m {
                parse::LtxvLine::Saved(step) => {
                    self.on_plain_step(step, ts, time);
                    self.checkpoint(time);
                }
                parse::LtxvLine::Validated(step) => {
                    self.mark(PauseKind::Eval);
                    self.eval_event(Some(step));
                }
                parse::LtxvLine::Statistics => self.mark_finished("training statistics printed"),
                parse::LtxvLine::Steps(n) => self.max_iters = Some(n),
            }
            return true;
        }
        // The plan as BasicSR, Caffe and Megatron-LM echo their options.
        // (A Megatron smoke run shorter than its `log_interval` prints no
        // iteration line: its plan, its checkpoint saves and its end line
        // tell the steps.)
        if let Some(n) = parse::planned_iters(t) {
            self.max_iters = Some(n);
            return true;
        }
        // BasicSR: its start and its end.
        if t.starts_with("Start training from epoch: ") {
            self.restart_source(Source::Generic);
            self.restarted();
            return true;
        }
        if trimmed == "End of training." {
            self.mark_finished("end of training");
            return true;
        }
        // CatBoost's `cv()`: `Training on fold [2/5]`, its rounds from 0
        // again (the fold before ended, not the run).
        if t.starts_with("Training on fold [") {
            self.restart_source(Source::Generic);
            self.restarted();
            self.finished = None;
            return true;
        }
        // StyleGAN's plan: `Training for 25000 kimg...`; BAGEL's
        // `Training for 5000 steps, starting at 1201...`.
        if let Some(r) = t.strip_prefix("Training for ")
            && let Some((n, used)) = parse::uint_prefix(r)
        {
            let r = &r[used..];
            if r.starts_with(" kimg") || r.starts_with(" steps") {
                self.max_iters = Some(n);
                return true;
            }
            // Open-Sora's: `Training for 5 epochs with 1200 steps per epoch`.
            if let Some(r) = r.strip_prefix(" epochs with ")
                && let Some((per_epoch, used)) = parse::uint_prefix(r)
                && r[used..].trim_end() == " steps per epoch"
            {
                self.epochs_planned = Some(n);
                self.batches_per_epoch = Some(per_epoch);
                self.max_iters = n.checked_mul(per_epoch);
                return true;
            }
        }
        // pix2pix's and CycleGAN's `End of epoch 3 / 3 \t Time Taken: 156
        // sec`: the last one ends the run.
        if let Some(r) = t.strip_prefix("End of epoch ")
            && let Some((n, used)) = parse::uint_prefix(r)
            && let Some(r) = r[used..].strip_prefix(" / ")
            && let Some((of, _)) = parse::uint_prefix(r)
            && n <= of
        {
            self.epochs_planned = Some(of);
            if n == of {
                self.mark_finished("end of the last epoch");
            }
            return true;
        }
        // autoresearch's summary once its time budget is spent: `---`, then
        // `val_bpb: 0.855121`, `training_seconds: 308.4`, `num_steps: 37`.
        if let Some(r) = t.strip_prefix("training_seconds:")
            && parse::float_prefix(r.trim()).is_some_and(|(_, n)| n == r.trim().len())
            && self.current_step.is_some()
        {
            self.mark_finished("summary after the training time budget");
            return true;
        }
        // submitit starting the job, again once it requeued it after a
        // preemption: `submitit INFO (2024-06-14 11:18:14,905) - Starting
        // with JobEnvironment(job_id=53401, ...)`.
        if t.starts_with("submitit ") && t.contains(" - Starting with JobEnvironment(") {
            self.restarted();
            return true;
        }
        // `nohup cmd >> train.log` writes this first, every launch.
        if trimmed == "nohup: ignoring input" {
            self.restarted();
            return true;
        }
        // A script's own `Starting training...` (`Starting training for 50
        // epochs`): a launch. (Not `Starting training epoch 3`.)
        if let Some(r) = t.strip_prefix("Starting training") {
            let r = r.trim_end();
            // MLX LM's LoRA trainer: `Starting training..., iters: 600`.
            if let Some((n, used)) = r.strip_prefix("..., iters: ").and_then(parse::uint_prefix)
                && used == r.len() - "..., iters: ".len()
            {
                self.restarted();
                self.max_iters = Some(n);
                return true;
            }
            let epochs = r
                .strip_prefix(" for ")
                .and_then(parse::uint_prefix)
                // (TimesFM's `Starting training for 5 epochs...`.)
                .filter(|&(_, used)| {
                    let rest = r[" for ".len() + used..].trim();
                    rest.strip_prefix("epochs")
                        .is_some_and(|e| matches!(e, "" | "." | "..."))
                })
                .map(|(n, _)| n);
            if epochs.is_some() || matches!(r, "" | "..." | "." | "!") {
                // (Its own plan, printed before it, stays: `Namespace(epochs=
                // 50)` then `Starting training...`.)
                let (plan, per_epoch) = (self.epochs_planned, self.batches_per_epoch);
                self.restarted();
                self.epochs_planned = epochs.or(plan);
                self.batches_per_epoch = per_epoch;
                return true;
            }
        }
        // HF: `Training completed. Do not forget ...`; torchtitan: `Training
        // completed`; hand-written loops: `Training done.`, `Training finished`.
        // (Not Ray Train's per-report `Training finished iteration 1 at ...`.)
        // (YOLOX: `Training of experiment is done and the best AP is 90.00`.)
        // (GaitSet: `Training COMPLETE`.)
        // (RVC: `Training is done. The program is closed.`)
        if let Some(r) = t
            .strip_prefix("Training of experiment is ")
            .or_else(|| t.strip_prefix("Training is "))
            // (text2vec: `Training model done. Saved to outputs/...`.)
            .or_else(|| t.strip_prefix("Training model "))
            .or_else(|| t.strip_prefix("Training "))
            // (TimesFM's `Finetuning completed!`.)
            .or_else(|| t.strip_prefix("Finetuning "))
            .or_else(|| t.strip_prefix("Fine-tuning "))
            && let Some(after) = [
                "completed",
                "complete",
                "done",
                "finished",
                "COMPLETED",
                "COMPLETE",
                "DONE",
                "FINISHED",
            ]
            .iter()
            .find_map(|w| r.strip_prefix(w))
            && (after.is_empty()
                || after.starts_with(['.', '!', ',', ':'])
                || [" in ", " in:", " after ", " successfully", " at ", " and "]
                    .iter()
                    .any(|w| after.starts_with(w)))
        {
            // (YOLOX says so whenever its loop exits, Ctrl-C included:
            // well short of its planned epochs, the run was stopped. Its
            // last printed iteration may be a few short of the total.)
            let stopped_short = t.starts_with("Training of experiment is ")
                && matches!((self.current_step, self.source_total),
                    (Some(s), Some(total)) if s.saturating_mul(100) < total.saturating_mul(99));
            if !stopped_short {
                self.mark_finished("training completed");
            }
            return true;
        }
        // The TensorFlow 1.x examples' last line.
        if trimmed == "Optimization Finished!" && self.current_step.is_some() {
            self.mark_finished("optimization finished");
            return true;
        }
        // TensorFlow's `retrain.py` tests the retrained model last.
        if t.starts_with("Final test accuracy = ") {
            self.mark_finished("final test after training");
            return true;
        }
        // TensorFlow's Estimator (`Loss for final step: 0.28.`); LightGBM
        // having run all its rounds (`Did not meet early stopping. Best
        // iteration is:`).
        if let Some(v) = t
            .strip_prefix("Loss for final step: ")
            .and_then(|r| parse::whole_float(trim_end_fast(r).trim_end_matches('.')))
        {
            self.loss.push(v);
        }
        if t.starts_with("Loss for final step: ")
            || t.starts_with("Did not meet early stopping. Best iteration is:")
        {
            self.mark_finished("training completed");
            return true;
        }
        // The PyTorch tutorial's loop (and its many copies); RecBole's
        // `Finished training, best eval result in epoch 31`; GluonTS's
        // trainer (`End model training`).
        if matches!(
            trimmed,
            "Finished Training" | "Finished training" | "Finished training." | "End model training"
        ) || (trimmed.ends_with(|c: char| c.is_ascii_digit())
            && trimmed.has("Finished training, best eval result in epoch "))
            // DLRM's MLPerf target (`Hit target accuracy AUC 0.802500 at
            // epoch 0.100 with batchsize 2048`): it stops there.
            || t.starts_with("Hit target accuracy ")
        {
            self.mark_finished("training completed");
            return true;
        }
        // Time-Series-Library: its test after training (`>>>>>>>testing :
        // long_term_forecast_ETTh1_96_96_PatchTST_...`), after all epochs
        // or an early stop (a bare `Early stopping` line).
        if (trimmed == "Early stopping" || t.starts_with(">>>>>>>testing : "))
            && self.current_step.is_some()
        {
            self.mark_finished("training completed (its test began)");
            return true;
        }
        // A bare `Done!` after training steps (DiT's last line). (Before
        // any step it ended something else, a download; and steps after
        // it take it back, as for every end sign.)
        if matches!(trimmed, "Done!" | "Done." | "Done" | "DONE") && self.current_step.is_some() {
            self.mark_finished("done after training");
            return true;
        }
        // End lines told by how they start or end (cheaper than another
        // keyword). Early stopping: hand-written loops' `Early stopping triggered.`,
        // `Early stopping at epoch 33` (not a patience counter's
        // `EarlyStopping counter: 3 out of 7`), Keras's `Epoch 00005: early
        // stopping`, Paddle's `Epoch 6: Early stopping.`.
        if starts_with_any(
            t,
            &[
                "Early stopping triggered",
                "Early stopping at epoch",
                "Early stopping at step",
                // PyKEEN's: `Stopping early at epoch 70. The best result 0.3012
                // occurred at epoch 40.`; docTR's patience.
                "Stopping early at epoch",
                "Training halted early",
                // XGBoost.
                "Stopping. Best iteration:",
                // LightGBM.
                "Early stopping, best iteration is:",
            ],
        ) || (t.starts_with("Epoch ")
            && [": early stopping", ": Early stopping."]
                .iter()
                .any(|e| t.ends_with(e)))
        {
            self.mark_finished("early stopping");
            return true;
        }
        // The patience counter past its patience (`EarlyStopping counter: 9
        // out of 8`). (At its patience some loops stop and others go on
        // once more: `7 out of 7` says nothing yet.)
        if let Some(r) = t.strip_prefix("EarlyStopping counter: ")
            && let Some((n, used)) = parse::uint_prefix(r)
            && let Some(r) = r[used..].strip_prefix(" out of ")
            && let Some((patience, _)) = parse::uint_prefix(r)
        {
            if n > patience {
                self.mark_finished("early stopping");
            }
            return true;
        }
        // A script's own end line in Chinese: `训练完成！` (training done),
        // `预训练完成` (pre-training done), `训练结束。` (training over).
        if matches!(
            trimmed.trim_end_matches(['！', '!', '。', '.', '~']),
            "训练完成" | "预训练完成" | "训练结束" | "模型训练完成" | "全部训练完成"
        ) {
            self.mark_finished("training completed");
            return true;
        }
        // The Swin Transformer logger's last line: `Training time 0:06:52`.
        // (Python's `str(timedelta)`: past a day, `1 day, 3:40:48`.)
        if let Some(r) = t.strip_prefix("Training time ")
            && let r = r
                .split_once(" day, ")
                .or_else(|| r.split_once(" days, "))
                .filter(|(d, _)| {
                    !d.is_empty() && d.len() <= 5 && d.bytes().all(|c| c.is_ascii_digit())
                })
                .map_or(r, |(_, hms)| hms)
            && r.len() <= 12
            && r.bytes().all(|c| c.is_ascii_digit() || c == b':')
            && r.contains(':')
        {
            self.mark_finished("training time printed");
            return true;
        }
        // timm's last line (`*** Best metric: 78.53 (epoch 2)`), and
        // detectron2's summary of the run (`Overall training speed: 298
        // iterations in 0:02:03 (0.4128 s / it)`, `Total training time:
        // 0:02:03 (0:00:00 on hooks)`).
        if t.starts_with("*** Best metric: ") {
            self.mark_finished("best metric printed");
            return true;
        }
        if t.starts_with("Overall training speed: ") || t.starts_with("Total training time: ") {
            self.mark_finished("training time printed");
            return true;
        }
        // A Ray job's end (`ray job submit` tails the job's log): `Job
        // 'raysubmit_T3JpUGHRiC9U18UE' succeeded`.
        if t.starts_with("Job '") && t.ends_with("' succeeded") {
            self.mark_finished("Ray job succeeded");
            return true;
        }
        // fairseq: `done training in 2590.1 seconds`.
        if t.starts_with("done training in ") && t.ends_with(" seconds") {
            self.mark_finished("training done");
            return true;
        }
        // The DeepSpeed launcher: `Process 67374 exits successfully.`
        if t.ends_with(" exits successfully.") && t.starts_with("Process ") {
            self.mark_finished("all processes exited successfully");
            return true;
        }
        // Ultralytics YOLO: `455 epochs completed in 2.401 hours.`
        if t.ends_with(" hours.")
            && t.as_bytes()[0].is_ascii_digit()
            && t.contains(" epochs completed in ")
        {
            self.mark_finished("epochs completed");
            return true;
        }
        // Megatron-LM's end (`[after training is done] datetime: ...`) and
        // Caffe's (`solver.cpp:296] Optimization Done.`).
        if t.starts_with("[after training is done]") {
            self.mark_finished("training done");
            return true;
        }
        if trimmed == "Optimization Done." {
            self.mark_finished("optimization done");
            return true;
        }
        // The script's process ended well: W&B's `wandb: Waiting for W&B
        // process to finish... (success).` (older clients say how it
        // exited), PyCharm's `Process finished with exit code 0` (in
        // Chinese: `进程已结束,退出代码0`, `进程已结束，退出代码为 0`), Slurm's
        // `seff`: `State: COMPLETED (exit code 0)`.
        if (t.starts_with("wandb: Waiting for W&B process to finish")
            && trimmed.ends_with("(success)."))
            || matches!(
                trimmed,
                "Process finished with exit code 0"
                    | "State: COMPLETED (exit code 0)"
                    | "进程已结束,退出代码0"
                    | "进程已结束，退出代码0"
                    | "进程已结束,退出代码为 0"
                    | "进程已结束，退出代码为 0"
            )
        {
            self.mark_finished("the process exited successfully");
            return true;
        }
        // Markers tested where they stand (their words' pairs are common
        // text, which would slow the one pass below): detectron2's
        // evaluator (`Start inference on 5000 batches`), timm's plan
        // (`Scheduled epochs: 300. LR stepped per epoch.`), mmengine's
        // configuration dump (`train_cfg = dict(max_epochs=12, ...)`).
        if t.starts_with("Start inference on ") {
            self.mark(PauseKind::Eval);
            self.eval_event(self.current_step);
            return true;
        }
        // The Time-Series-Library's settings table (`  Train Epochs:
        // 10          Batch Size: 32`).
        let indented = trim_start_fast(t);
        if indented.as_bytes().first() == Some(&b'T')
            && let Some(r) = indented.strip_prefix("Train Epochs:")
            && let Some((n, _)) = parse::uint_prefix(trim_start_fast(r)).filter(|x| x.0 > 0)
        {
            self.epochs_planned = Some(n);
            return true;
        }
        if let Some(n) = t
            .strip_prefix("Scheduled epochs: ")
            .and_then(parse::uint_prefix)
            .filter(|x| x.0 > 0)
        {
            self.epochs_planned = Some(n.0);
            return true;
        }
        // The MetricLogger family (DeiT, MAE, DINO, ConvNeXt, BEiT): `Start
        // training for 800 epochs`; super-gradients: `Started training for
        // 100 epochs (0/99)`.
        if let Some(r) = t
            .strip_prefix("Start training for ")
            .or_else(|| t.strip_prefix("Started training for "))
            && let Some((n, used)) = parse::uint_prefix(r).filter(|x| x.0 > 0)
            && r[used..].starts_with(" epochs")
        {
            self.epochs_planned = Some(n);
            return true;
        }
        // PixArt's configuration as it prints it (`num_epochs = 10`); Flair's
        // parameters (`- max_epochs: "10"`); AllenNLP's (`trainer.num_epochs = 5`).
        if let Some(r) = t
            .strip_prefix("num_epochs = ")
            .or_else(|| t.strip_prefix("trainer.num_epochs = "))
            .or_else(|| t.strip_prefix("- max_epochs: \""))
            && let Some((n, used)) = parse::uint_prefix(r)
            && n > 0
            && matches!(r[used..].trim_end(), "" | "\"")
        {
            self.epochs_planned = Some(n);
            return true;
        }
        // Marian's plan among its options: `[config] after: 300000u` (since
        // 1.11; in updates), `[config] after-batches: 300000` (older).
        if let Some(r) = t.strip_prefix("[config] after")
            && let Some(n) = r
                .strip_prefix(": ")
                .and_then(|v| v.trim_end().strip_suffix('u'))
                .or_else(|| r.strip_prefix("-batches: ").map(str::trim_end))
                .and_then(|v| v.parse::<u64>().ok())
                .filter(|n| *n > 0)
        {
            self.max_iters = Some(n);
            return true;
        }
        // PaddleOCR's plan: `train dataloader has 250 iters` (then `epoch:
        // [1/500], global_step: 10, ...`).
        if let Some(n) = t
            .strip_prefix("train dataloader has ")
            .and_then(|r| r.strip_suffix(" iters"))
            .and_then(|r| r.parse::<u64>().ok())
            .filter(|n| *n > 0)
        {
            self.batches_per_epoch = Some(n);
            return true;
        }
        // The plan as TensorFlow's Object Detection API sets it (`Maybe
        // overwriting train_steps: 25000`), BERT's run_classifier prints it
        // (`  Num steps = 343`) and Model Garden dumps it (`'train_steps':
        // 112590,`).
        // (Model Garden's ResNet: `Training 1 epochs, each epoch has 2000
        // steps, total steps: 2000; Eval 49 steps`.)
        if t.starts_with("Training ")
            && let Some(n) = parse::uint_after(t, ", total steps: ").filter(|n| *n > 0)
        {
            self.max_iters = Some(n);
            return true;
        }
        if let Some(n) = t
            .strip_prefix("Maybe overwriting train_steps: ")
            .or_else(|| t.strip_prefix("Num steps = "))
            .or_else(|| t.strip_prefix("'train_steps': "))
            .and_then(|r| trim_end_fast(r).trim_end_matches(',').parse::<u64>().ok())
            .filter(|n| *n > 0)
        {
            self.max_iters = Some(n);
            return true;
        }
        if let Some(r) = t.strip_prefix("train_cfg = dict(")
            && let Some(n) = parse::uint_after(r, "max_epochs=").filter(|n| *n > 0)
        {
            self.epochs_planned = Some(n);
            return true;
        }
        // (The same wrapped by its formatter: `train_cfg = dict(` then
        // `    max_epochs=100, type='EpochBasedTrainLoop', val_begin=1, ...`.)
        if indented.as_bytes().first() == Some(&b'm')
            && let Some(r) = indented.strip_prefix("max_epochs=")
            && r.contains("type='EpochBasedTrainLoop'")
            && let Some((n, _)) = parse::uint_prefix(r).filter(|x| x.0 > 0)
        {
            self.epochs_planned = Some(n);
            return true;
        }
        // RT-DETR's and D-FINE's configuration as their solver prints it
        // (`cfg:  {'task': 'detection', ..., 'epoches': 72, ...}`).
        if let Some(r) = t.strip_prefix("cfg:  {")
            && let Some(n) = parse::uint_after(r, "'epoches': ").filter(|n| *n > 0)
        {
            self.epochs_planned = Some(n);
            return true;
        }
        // One pass rejects the many lines that are no marker at all, and
        // tells which of the substring searches below can succeed.
        let hit = MARKER_SET.hits(t.as_bytes());
        if hit == 0 {
            return false;
        }
        let has = |bit: u64| hit & bit != 0;
        let (stars, total, saving, tokens, fit) = (
            has(const { marker_bit(b"*****") }),
            has(const { marker_bit(b"Total ") }),
            has(const { marker_bit(b"aving ") }),
            has(const { marker_bit(b"tokens per iteration") }),
            has(const { marker_bit(b"Trainer.fit") }),
        );
        // HF / accelerate banner (also where a restarted run begins)
        if stars && t.contains("***** Running training *****") {
            self.hf_banner = true;
            self.training_banner();
            self.projects.hf_banner_line = Some(self.lines);
            return true;
        }
        // kohya's sd-scripts: `running training / 学習開始`, then its plan,
        // `total optimization steps / 学習ステップ数: 109100`.
        if has(const { marker_bit(b"running training") }) && t.starts_with("running training") {
            self.training_banner();
            return true;
        }
        if has(const { marker_bit(b"optimization steps / ") })
            && let Some(r) = t.trim_start().strip_prefix("total optimization steps / ")
            && let Some((_, n)) = r.split_once(": ")
        {
            self.banner_total = parse::uint_prefix(n).map(|x| x.0);
            return true;
        }
        // torchelastic, or a run resumed from a checkpoint.
        if (has(const { marker_bit(b"restart") }) && t.contains("restart worker group"))
            || (has(const { marker_bit(b"Resum") })
                && (t.starts_with("Resuming") || t.contains("Resuming from")))
        {
            self.restarted();
            return true;
        }
        // HF's logging interval, from the arguments the script printed
        // (`--logging_steps 1`, `logging_steps: 1`, `logging_steps=10,`):
        // what a dict without a step stands for (see `on_hf_dict`).
        if has(const { marker_bit(b"logging_steps") })
            && let Some(n) = parse::logging_steps(t)
        {
            self.logging_steps = Some(n);
        }
        // (Logged per epoch, or not at all: the interval says nothing. The
        // first step logged too: one more dict, at step 1.)
        if has(const { marker_bit(b"logging_strategy") })
            && let Some(by_steps) = parse::logging_by_steps(t)
        {
            self.logging_per_step = by_steps;
        }
        if has(const { marker_bit(b"logging_first_step") })
            && let Some(first) = parse::logging_first_step(t)
        {
            self.logging_first_step = first;
        }
        // HF's resume: the dicts count on from there.
        if has(const { marker_bit(b"Continuing training from global step") })
            && let Some(n) = parse::uint_after(t, "Continuing training from global step ")
        {
            self.stepless_base = n;
            self.stepless_dicts = 0;
        }
        // torchtitan's plan: `Training starts at step 1, with local batch
        // size 8, ..., total steps 1000 (warmup 200)` (`Trainer is initialized
        // with ...` in some versions).
        if has(const { marker_bit(b"total steps ") })
            && (t.starts_with("Training starts at step")
                || t.starts_with("Trainer is initialized with"))
            && t.contains(", total steps ")
        {
            self.banner_total = parse::uint_after(t, ", total steps ");
            return true;
        }
        // verl's plan (`Total training steps: 1000`).
        if total && let Some(n) = parse::uint_after(t, "Total training steps: ") {
            self.banner_total = Some(n);
            return true;
        }
        const TOTAL: &str = "Total optimization steps = ";
        const BATCH: &str = "Total train batch size (w. parallel, distributed & accumulation) = ";
        if total && t.contains(TOTAL) {
            self.banner_total = parse::uint_after(t, TOTAL);
            return true;
        }
        if total && t.has(BATCH) {
            self.samples_per_step = parse::uint_after(t, BATCH).map(|b| b as f64);
            return true;
        }
        // HF's plan under its banner (an evaluation's banner has `Num
        // examples` too), or on Unsloth's banner line.
        if (has(const { marker_bit(b"Num examples = ") })
            || has(const { marker_bit(b"Num Epochs = ") }))
            && (self
                .projects
                .hf_banner_line
                .is_some_and(|b| self.lines - b <= 4)
                || t.contains("| Num Epochs = "))
        {
            if let Some(n) = parse::uint_after(t, "Num examples = ") {
                self.projects.hf_examples = Some(n);
            }
            if let Some(e) = parse::uint_after(t, "Num Epochs = ") {
                self.projects.hf_epochs = Some(e);
            }
        }
        // Unsloth's banner: `Num examples = 51,760 | Num Epochs = 1 | Total
        // steps = 60`, then `Total batch size (2 x 4 x 1) = 8`; in other
        // versions `Total batch size = 8 | Total steps = 80` on a line of
        // their own.
        if total
            && (t.contains("| Num Epochs = ") || t.contains("Total batch size = "))
            && t.contains("| Total steps = ")
        {
            self.banner_total = parse::uint_after(t, "| Total steps = ");
            if let Some(b) = parse::uint_after(t, "Total batch size = ") {
                self.samples_per_step = Some(b as f64);
            }
            return true;
        }
        if total
            && let Some(p) = t.find_word("| Total batch size (")
            && let Some(q) = t[p..].find_word(") = ")
        {
            self.samples_per_step =
                parse::uint_prefix(&t[p + q + ") = ".len()..]).map(|x| x.0 as f64);
            return true;
        }
        if stars && t.contains("***** Running Evaluation *****") {
            self.mark(PauseKind::Eval);
            return true;
        }
        // DeepSpeed's engine saving (`[Torch] Checkpoint global_step1971 is
        // about to be saved!`): the step it reached, which a run without a
        // progress bar (HF with `disable_tqdm`) shows nowhere else.
        if has(const { marker_bit(b"Checkpoint global_step") })
            && let Some(p) = t.find_word("Checkpoint global_step")
            && let r = &t[p + "Checkpoint global_step".len()..]
            && let Some((step, used)) = parse::uint_prefix(r)
            && r[used..].starts_with(" is about to be saved")
        {
            let mut ev = Event::new(EventKind::Checkpoint, Source::DeepSpeed);
            ev.step = Some(step);
            // (The framework above DeepSpeed usually said it saves just
            // before: `Saving model checkpoint to ...`: the same save.)
            if self
                .ckpt_line
                .is_none_or(|l| self.lines.saturating_sub(l) > CHECKPOINT_LINES)
            {
                self.checkpoint(time);
            }
            self.on_step_event(ev, ts, time);
            return true;
        }
        // Megatron: `saving checkpoint at iteration       2 to /ckpt in
        // torch_dist format`: that step was reached.
        if saving
            && let Some(r) = t.strip_prefix("saving checkpoint at iteration")
            && let Some((step, _)) = parse::uint_prefix(r)
        {
            self.checkpoint(time);
            let mut ev = Event::new(EventKind::Checkpoint, Source::Megatron);
            ev.step = Some(step);
            self.on_step_event(ev, ts, time);
            return true;
        }
        if t.starts_with("Saving model checkpoint to")
            || t.starts_with("saving checkpoint to")
            || (saving
                && (t.contains("saving checkpoint at iteration")
                    || t.contains(", saving model to")
                    || t.contains("Saving checkpoint at step")))
        {
            self.checkpoint(time);
            return true;
        }
        // Other trainers' saves (see `parse::announces_save`). One save may
        // say so in a few lines (accelerate's and the script's, a sharded
        // model's files): lines that close together are one.
        if (saving || has(const { marker_bit(b"checkpoint") })) && parse::announces_save(t) {
            let same_save = self
                .ckpt_line
                .is_some_and(|l| self.lines.saturating_sub(l) <= SAVE_LINES)
                && self.ckpt_steps.back().copied() == self.current_step;
            if !same_save {
                self.checkpoint(time);
            } else {
                self.ckpt_line = Some(self.lines);
            }
            return true;
        }
        // nanoGPT
        if tokens && let Some(p) = t.find_word("tokens per iteration will be: ") {
            self.tokens_per_step =
                parse::float_prefix_commas(&t[p + "tokens per iteration will be: ".len()..])
                    .map(|x| x.0);
            return true;
        }
        // detectron2's configuration dump (`SOLVER:` ... `  MAX_ITER: 2000`),
        // and its start (also of every further run in the same log).
        if has(const { marker_bit(b"MAX_ITER: ") })
            && let Some(r) = t.strip_prefix("MAX_ITER: ")
            && let Some((n, used)) = parse::uint_prefix(r)
            && used == r.len()
            && n > 0
        {
            self.max_iters = Some(n);
            return true;
        }
        // The start of training in detectron2, SpeechBrain (`Beginning
        // experiment!`), MMCV (`Start running, host:
        // user@node, work_dir: ...`) and MMEngine (its checkpoint hook's
        // `Checkpoints will be saved to ...`): every launch in the log.
        if has(const { marker_bit(b"Starting training from iteration") })
            || (has(const { marker_bit(b"Beginning experiment!") })
                && t.starts_with("Beginning experiment!"))
            || (has(const { marker_bit(b"Start running, host") })
                && t.starts_with("Start running, host"))
        {
            // detectron2 says where its counter starts: from there on the
            // steps are this launch's, below an earlier launch's or not.
            if t.contains("Starting training from iteration") {
                for src in Source::ALL {
                    self.restart_source(src);
                }
            }
            self.restarted();
            return true;
        }
        // SpeechBrain's test of the trained model, its recipes' last line
        // (`Epoch loaded: 12 - test loss: 1.53, test error_rate: 5.19e-01`).
        if has(const { marker_bit(b"Epoch loaded: ") })
            && t.starts_with("Epoch loaded: ")
            && t.contains(" - test ")
        {
            self.mark_finished("tested after training");
            return true;
        }
        if has(const { marker_bit(b"Checkpoints will be saved to") })
            && t.starts_with("Checkpoints will be saved to")
        {
            // (MMCV announced this run's epochs just before: they stay.)
            let plan = self.epochs_planned;
            self.restarted();
            self.epochs_planned = plan;
            return true;
        }
        // MMCV's runner: `workflow: [('train', 1)], max: 200 epochs` (or
        // `max: 320000 iters`).
        if let Some(r) = t.strip_prefix("workflow: ")
            && let Some(p) = r.find_word("], max: ")
            && let Some((n, used)) = parse::uint_prefix(&r[p + "], max: ".len()..])
            && n > 0
        {
            match &r[p + "], max: ".len() + used..] {
                " epochs" => self.epochs_planned = Some(n),
                " iters" => self.max_iters = Some(n),
                _ => {}
            }
            return true;
        }
        // fairseq's configuration: `'max_update': 400000` (Hydra's dict) or
        // `max_update=400000` (argparse's Namespace); 0 means no limit.
        // The run's comes first: a pretrained model's, printed as it loads
        // (wav2vec 2.0 fine-tuning), is not this run's plan.
        if has(const { marker_bit(b"max_update") }) && !self.fairseq_plan_read {
            // (Sockeye's Namespace: `max_updates=20000`.)
            let planned = ["'max_update': ", "max_update=", "max_updates="]
                .iter()
                .find_map(|pat| parse::uint_after(t, pat));
            if let Some(n) = planned {
                self.fairseq_plan_read = true;
                if n > 0 {
                    self.max_iters = Some(n);
                }
                return true;
            }
        }
        // A dump of the run's arguments that names its steps:
        // mistral-finetune's `args: TrainArgs(..., max_steps=300, ...)` and
        // `'max_steps': 300,`, HF's `max_steps=500,` (its default, -1, names
        // none).
        // (open-instruct's: `num_training_steps=200,`.)
        if (has(const { marker_bit(b"max_steps") })
            || has(const { marker_bit(b"num_training_steps") }))
            && self.max_iters.is_none()
        {
            let planned = [
                "'max_steps': ",
                "max_steps=",
                "max_steps: ",
                "num_training_steps=",
            ]
            .iter()
            .find_map(|pat| {
                let p = t.find(pat)?;
                let before = p.checked_sub(1).map(|i| t.as_bytes()[i]);
                if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_') {
                    return None;
                }
                parse::uint_prefix(&t[p + pat.len()..]).map(|(n, _)| n)
            });
            if let Some(n) = planned.filter(|&n| n > 0) {
                self.max_iters = Some(n);
            }
        }
        // nanoGPT's config printed as it was read (`max_iters = 5000`), or
        // overridden on the command line.
        if let Some(r) = t
            .strip_prefix("Overriding: max_iters = ")
            .or_else(|| t.strip_prefix("max_iters = "))
            // (A number, maybe a comment after it; not `2 * 1000`.)
            && let Some((n, used)) = parse::uint_prefix(r)
            && r[used..].trim_start().chars().next().is_none_or(|c| c == '#')
        {
            self.max_iters = Some(n);
            return true;
        }
        if let Some(r) = t.strip_prefix("Overriding: block_size = ") {
            self.block_size = parse::uint_prefix(r).map(|x| x.0 as f64);
            return true;
        }
        // Lightning
        // (Its rich model summary starts `Trainable params: 94.4 M`; Keras's
        // `model.summary()` ends `Total params:` then `Trainable params:`.)
        if t.starts_with("Total params:") {
            self.projects.total_params_line = Some(self.lines);
        }
        let keras_summary = self
            .projects
            .total_params_line
            .is_some_and(|at| self.lines - at <= 2);
        // (`LOCAL_RANK: 0 - CUDA_VISIBLE_DEVICES: [0]`; not a config
        // dump's `LOCAL_RANK: 0`.)
        if t.starts_with("GPU available: ")
            || (t.starts_with("LOCAL_RANK: ") && t.contains(" - CUDA_VISIBLE_DEVICES"))
        {
            self.lightning_sign = true;
            self.lightning_banner = true;
            return true;
        }
        if t.starts_with("Trainable params:") && !keras_summary {
            self.lightning_sign = true;
            return true;
        }
        if fit && t.contains("`Trainer.fit` stopped:") {
            self.lightning_sign = true;
            if let Some(n) = parse::uint_after(t, "max_steps=") {
                self.source_total = Some(n);
            } else if self.source_total.is_none()
                && let Some(epochs) = parse::uint_after(t, "max_epochs=")
                && let Some(per_epoch) = self.bar_count.pass_total.filter(|t| *t >= 1.0)
            {
                // (`max_epochs=3` reached: three epochs of the bar's batches.)
                self.source_total = (per_epoch as u64).checked_mul(epochs);
            }
            self.mark_finished("Trainer.fit stopped");
            self.fit_stopped = true;
            return true;
        }
        false
    }

    /// Record that the errors in `span` (lines) did not end the program. A
    /// span that overlaps the latest one joins it: a program that says so
    /// every few lines (Ray Tune's status) keeps its early errors covered.
    fn survived_span(&mut self, (from, to): (u64, u64)) {
        if let Some(last) = self.survived.back_mut()
            && from <= last.1
            && to >= last.0
        {
            *last = (last.0.min(from), last.1.max(to));
            return;
        }
        push_ring(&mut self.survived, (from, to), RESTARTS_KEPT);
    }

    /// A line that says the errors just before it did not end the program:
    /// torchrun's elastic agent restarting its workers (`Worker group
    /// FAILED. 2/3 attempts left; will restart worker group`), a loop that
    /// skips the batch that failed (`OOM at step 812 (seq len 8192),
    /// skipping batch`), Optuna's study going on after a trial failed
    /// (`Trial 9 failed with value None.`). (Suffix and prefix tests only:
    /// every line comes here.)
    fn errors_survived(&mut self, body: &str) {
        let t = trim_end_fast(body);
        // Ray Tune's status while the search goes on after a trial failed
        // (`Trial status: 3 TERMINATED | 4 RUNNING | 1 ERROR | 12 PENDING`;
        // before Ray 2.5, `== Status ==`).
        if body.starts_with("Trial status: ") || t == "== Status ==" {
            let lines = (self.lines.saturating_sub(400), self.lines);
            self.survived_span(lines);
            return;
        }
        let t = t.strip_suffix('.').unwrap_or(t);
        // (Their last letters: most lines end otherwise.)
        if !matches!(t.as_bytes().last(), Some(b'p' | b'h' | b'e' | b'l' | b']')) {
            return;
        }
        // AutoGluon says so before the traceback it prints (`Warning:
        // Exception caused NeuralNetTorch_BAG_L1 to fail during training...
        // Skipping this model.`), then fits the next model.
        if t.ends_with("Skipping this model") {
            let lines = (self.lines, self.lines + 120);
            self.survived_span(lines);
            return;
        }
        let span = if t.ends_with("will restart worker group") {
            200
        } else if t.starts_with("Trial ") && t.contains(" Complete [") {
            // Keras Tuner: a trial that failed (out of memory) ended, the
            // search goes on (`Trial 3 Complete [00h 00m 03s]`).
            200
        } else if t.ends_with("skipping batch")
            || t.ends_with("skipping this batch")
            || t.ends_with("skipping step")
        {
            30
        } else if t.ends_with(" failed with value None") && t.contains("Trial ") {
            200
        } else {
            return;
        };
        let lines = (self.lines.saturating_sub(span), self.lines);
        self.survived_span(lines);
    }

    /// Lines that say training stopped, as each trainer says it, and the
    /// losses some write in words of their own.
    fn on_end_line(&mut self, t: &str) -> bool {
        let Some(&c0) = t.as_bytes().first() else {
            return false;
        };
        let end = match c0 {
            // SageMaker's toolkit and its job status, as `estimator.fit()`
            // streams them: `Reporting training SUCCESS`, `Completed -
            // Training job completed`.
            b'R' if t.starts_with("Reporting training SUCCESS") => {
                Some("SageMaker reported the training a success")
            }
            b'C' if t.starts_with("Completed - Training job completed") => {
                Some("SageMaker's training job completed")
            }
            // Lightning's early stopping (it prints no `Trainer.fit`
            // stopped after it): `Monitored metric val_loss did not improve
            // in the last 3 records. Best score: 0.412. Signaling Trainer
            // to stop.`
            b'M' if t.starts_with("Monitored metric ")
                && t.ends_with("Signaling Trainer to stop.") =>
            {
                Some("Lightning's early stopping")
            }
            // TabNet: `Early stopping occurred at epoch 45 with best_epoch =
            // 35 ...`, `Stop training because you reached max_epochs = 50 ...`.
            b'E' if t.starts_with("Early stopping occurred at epoch ") => Some("early stopping"),
            b'S' if t.starts_with("Stop training because you reached max_epochs") => {
                Some("max_epochs reached")
            }
            // CatBoost: `Stopped by overfitting detector  (100 iterations
            // wait)`; `Shrink model to first 2411 iterations.` (to the best
            // one, once training ended).
            b'S' if t.starts_with("Stopped by overfitting detector") => {
                Some("CatBoost's overfitting detector stopped training")
            }
            b'S' if t.starts_with("Shrink model to first ") && t.ends_with(" iterations.") => {
                Some("CatBoost kept the model up to its best iteration")
            }
            // HugeCTR: `[HCTR][09:14:37.023][INFO][RK0][main]: Finish 10000
            // iterations with batchsize: 16384 in 29.09s.` (its head kept).
            b'[' | b'F'
                if (c0 == b'F' || t.starts_with("[HCTR]"))
                    && t.contains("Finish ")
                    && t.contains(" iterations with batchsize") =>
            {
                Some("HugeCTR finished its iterations")
            }
            // Colossal-AI's examples: `Saved final model checkpoint at epoch 2
            // at folder ...`.
            b'S' if t.starts_with("Saved final model checkpoint at ") => {
                Some("final model checkpoint saved")
            }
            // PaddlePaddle's launcher (`python -m paddle.distributed.launch`):
            // `LAUNCH INFO 2024-05-14 09:19:11,439 Pod completed`.
            b'L' if t.starts_with("LAUNCH INFO ") && t.ends_with(" Pod completed") => {
                Some("Paddle's launcher: pod completed")
            }
            // kohya's sd-scripts as they end (`model saved.`, maybe with
            // rich's `train_network.py:1729` after it); its bar may stop
            // short of its total on a resumed run.
            b'm' if t.strip_prefix("model saved.").is_some_and(|r| {
                let r = r.trim();
                r.is_empty() || r.contains(".py:")
            }) =>
            {
                Some("kohya's script saved the final model")
            }
            // Applio (RVC) as it ends: `Training has been successfully
            // completed with 60 epoch, 540 steps and 24.65 loss gen.`, or
            // its overtraining detector stopping the run: `Overtraining
            // detected at epoch 143 with smoothed loss_g 29.807 ...`.
            b'T' if t.starts_with("Training has been successfully completed") => {
                Some("training completed")
            }
            b'O' if t.starts_with("Overtraining detected at epoch ") => {
                Some("Applio's overtraining detector stopped training")
            }
            // (Its summary after that, `Lowest generator loss: 23.39 at
            // epoch 58, step 518`, is no training record.)
            b'L' if t.starts_with("Lowest generator loss: ") => {
                return true;
            }
            // spaCy's `spacy train` as it ends: `✔ Saved pipeline to output
            // directory`.
            0xE2 if t.starts_with("✔ Saved pipeline to output directory") => {
                Some("spaCy saved its pipeline")
            }
            // A script's own Chinese: `训练完成！` (training complete), `训练结束`.
            0xE8 if t.starts_with("训练完成") || t.starts_with("训练结束") => {
                Some("training complete")
            }
            // DeepXDE's `'train' took 62.509377 s` (after each optimiser's
            // run: an L-BFGS phase after Adam's takes it back).
            b'\'' if t.starts_with("'train' took ") => Some("DeepXDE's training took its time"),
            // prime-rl's `RL training finished!`; open-instruct's `finished
            // training`; ROLL's `pipeline complete!`; AReaL's `Training
            // completes! Total time elapsed 10469.24.`.
            // torchprime's `[__main__][INFO] - Finished training run`.
            _ if t.ends_with("RL training finished!")
                || t == "finished training"
                || t.ends_with(" - finished training")
                || t.ends_with("] pipeline complete!")
                || t.starts_with("Training completes!")
                || t == "Finished training run"
                || t.ends_with(" - Finished training run") =>
            {
                Some("training finished")
            }
            // llm-foundry's train script: `... INFO:
            // llmfoundry.command_utils.train: Done.` (older: `__main__: Done.`).
            _ if t.ends_with("llmfoundry.command_utils.train: Done.")
                || (t.ends_with(" __main__: Done.") && t.contains(": INFO: ")) =>
            {
                Some("llm-foundry's train script is done")
            }
            // rsl_rl's (Isaac Lab's) last line, `Training time: 238.03
            // seconds`; LitGPT's `Training time: 189.34s`.
            b'T' if t.strip_prefix("Training time: ").is_some_and(|r| {
                parse::float_prefix(r)
                    .is_some_and(|(_, used)| matches!(&r[used..], "s" | " seconds"))
            }) =>
            {
                Some("training time printed")
            }
            // Determined's trial as its process ended well: `... || INFO:
            // resources exited successfully with a zero exit code`.
            _ if t.ends_with("resources exited successfully with a zero exit code") => {
                Some("the trial's process exited successfully")
            }
            // rl-baselines3-zoo as it ends: `Saving to logs/sac/Pendulum-v1_1`.
            b'S' if t.starts_with("Saving to logs/") => Some("the zoo saved its agent"),
            // LitGPT's evaluation after its loop (`Final evaluation | val
            // loss: 0.912 | val ppl: 2.489`).
            b'F' if t.starts_with("Final evaluation | val loss") => {
                Some("LitGPT's final evaluation")
            }
            // NequIP's `! Stop training: Early stopping: LR is smaller than 1e-05`.
            // (Its upper bound on a loss, `! Stop training: Early stopping:
            // validation_loss is larger than 10000.0`: it diverged.)
            b'!' if t.starts_with("! Stop training: ") => {
                self.stopped_diverged |= t.contains(" is larger than ");
                Some("NequIP stopped training")
            }
            // icefall's `[train.py:1502] Done!` (its file and line before it;
            // a bare `Done!` is read below), after steps; GPT-SoVITS'
            // `training done`.
            b'[' if t.ends_with("] Done!") && self.current_step.is_some() => Some("done"),
            // Paxml's last timing, as its `main` returns.
            b'[' if t.starts_with("[PAX STATUS]: E2E time: Elapsed time for <_main>:")
                && self.current_step.is_some() =>
            {
                Some("Paxml's main returned")
            }
            b't' if t == "training done" => Some("training done"),
            // torchtune's checkpointer as the last epoch ends.
            b'S' if t == "Saving final epoch checkpoint." => Some("final epoch checkpoint saved"),
            // rl_games at its limit (`MAX EPOCHS NUM!`, `MAX FRAMES NUM!`);
            // LeRobot's `End of training`; TD-MPC2's `Training completed
            // successfully`; sample-factory's runner as it stops, `Collected
            // {0: 10065536}, FPS: 11952.4`.
            b'M' if t == "MAX EPOCHS NUM!" || t == "MAX FRAMES NUM!" => {
                Some("rl_games reached its limit")
            }
            b'E' if t == "End of training" => Some("training ended"),
            b'T' if t == "Training completed successfully" => Some("training completed"),
            b'C' if t.starts_with("Collected {") && t.contains("}, FPS: ") => {
                Some("sample-factory collected its frames")
            }
            // CGCNN's test of the best model after its epochs:
            // `---------Evaluate Model on Test Set---------------`.
            b'-' if t.trim_matches('-') == "Evaluate Model on Test Set" => {
                Some("training completed (its test began)")
            }
            // Lightning's `Trainer(max_time=...)` at its limit: `Time limit
            // reached. Elapsed time is 0:20:00. Signaling Trainer to stop.`
            b'T' if t.starts_with("Time limit reached. Elapsed time is ")
                && t.ends_with("Signaling Trainer to stop.") =>
            {
                Some("Lightning's time limit reached")
            }
            // The MetricLogger of DINOv2 and its kin, over the whole run (its
            // header is `Training`): `Training Total time: 0:15:55 (0.382000
            // s / it)`. (DeiT's and MAE's log each epoch, `Epoch: [3] Total
            // time: ...`: not the end.)
            b'T' if t.starts_with("Training Total time: ") && t.ends_with(" s / it)") => {
                Some("training time printed")
            }
            // big_vision's last note (`NOTE: Done!`, after its steps) and
            // ColBERT's (`[May 14, 09:22:44] #> Done with all triples!`: its
            // head stays, see `parse::colbert_step`).
            b'N' if t == "NOTE: Done!" && self.current_step.is_some() => Some("done"),
            b'[' | b'#' if t.ends_with("#> Done with all triples!") => {
                Some("all training triples done")
            }
            // DeepChem's `TIMING: model fitting took 95.695 s`.
            b'T' if t.starts_with("TIMING: model fitting took ") => Some("model fitting done"),
            // NVIDIA Modulus Sym: `[step:      10000] reached maximum
            // training steps, finished training!`.
            _ if t.ends_with("] reached maximum training steps, finished training!") => {
                Some("maximum training steps reached")
            }
            _ => None,
        };
        if let Some(why) = end {
            self.mark_finished(why);
            return true;
        }
        // Modulus Sym stops on a loss that is no number: `[step:       3400]
        // loss went to INFs/NaNs`.
        // DINOv2 checks its losses each step: `NaN detected`, then it raises.
        if t.ends_with("] loss went to INFs/NaNs") || t == "NaN detected" {
            self.loss.push(f64::NAN);
            return true;
        }
        // Chemprop (v1): `Loss = 9.9349e-01, PNorm = 34.1000, GNorm = 1.1233, lr_0 = ...`.
        if c0 == b'L'
            && let Some(r) = t.strip_prefix("Loss = ")
            && let Some((v, used)) = parse::float_prefix(r)
            && r[used..].starts_with(", PNorm = ")
        {
            self.loss.push(v);
            return true;
        }
        false
    }

    /// A source counted the run's steps, and it has ended: its end line
    /// stands, or its step reached the total.
    fn counted_to_its_end(&self) -> bool {
        self.current_step.is_some()
            && (self.end_sign_stands()
                || matches!((self.current_step, self.source_total), (Some(s), Some(t)) if t > 0 && s >= t))
    }

    /// Whether every bar but `idx` (one at least) finished, never moved or
    /// is named as no training.
    fn only_set_aside_bars_besides(&self, idx: usize) -> bool {
        self.bars.len() > 1
            && self.bars.iter().enumerate().all(|(i, b)| {
                i == idx
                    || is_excluded_desc(&b.key)
                    || b.named_not_training
                    || b.last_n <= 0.0
                    || b.total.is_some_and(|t| b.last_n >= t)
            })
    }

    /// The log said the run ended, and fewer than three new steps came
    /// after.
    fn end_sign_stands(&self) -> bool {
        self.finished.is_some() && self.fresh.count - self.finished_at < STEPS_AFTER_ERROR as u64
    }

    /// The log says the run ended (`why`). Three new steps after it say
    /// otherwise (checked when the analysis is built).
    fn mark_finished(&mut self, why: &str) {
        self.finished = Some(why.to_string());
        self.finished_at = self.fresh.count;
        self.finished_line = self.lines;
    }

    fn restarted(&mut self) {
        // A new run: Lightning's earlier fit having stopped says nothing of it.
        self.fit_stopped = false;
        self.stepless_dicts = 0;
        self.projects.epoch_steps = EpochSteps::default();
        self.projects.mmcv = MmcvCount::default();
        self.stepless_base = 0;
        self.fairseq_plan_read = false;
        self.generic_counted_steps = false;
        // (Its hand-written counters count from its own start.)
        self.generic_step_offset = 0;
        self.generic_epoch_len = None;
        self.generic_raw_stride = None;
        self.generic_raw_last = None;
        self.eval_bar = None;
        self.val_on_epoch_bar = false;
        self.epochs_planned = None;
        self.batches_per_epoch = None;
        self.epochs_from_zero = None;
        push_ring(
            &mut self.restarts,
            (self.lines, self.fresh.count),
            RESTARTS_KEPT,
        );
    }

    /// A trainer's banner as its loop starts: a bar that already ran to
    /// its end without a loss was the data preparation before it (kohya's
    /// latent caching, a tokenizer's pass), not training.
    fn training_banner(&mut self) {
        self.restarted();
        if let Some(tb) = self.train_bar
            && let bar = &self.bars[tb]
            && !bar.had_loss
            && bar.total.is_some_and(|t| bar.last_n >= t)
        {
            self.train_bar = None;
            self.last_bar = None;
            self.left_bar = None;
            self.bar_count = BarCount::default();
            self.src[Source::Tqdm.idx()].start_over();
        }
    }

    /// `src`'s counter starts over: a new run's (its records from now on).
    fn restart_source(&mut self, src: Source) {
        let st = &mut self.src[src.idx()];
        if st.last_step.is_some() {
            st.start_over();
            st.restarts += 1;
        }
    }

    /// An evaluation bar drew (see [`EvalBar`]).
    fn note_eval_bar(&mut self, f: &TqdmFrame<'_>) {
        let base = match self.eval_bar {
            Some(e) => e.base,
            None => self.bar_count.val_n,
        };
        self.eval_bar = Some(EvalBar {
            n: f.n,
            total: f.total,
            lightning: f.desc.starts_with("Validating")
                || f.desc.starts_with("Validation DataLoader"),
            base,
        });
    }

    /// A different bar is the training bar from now on: its counter is a new
    /// step series, so the tqdm source starts over.
    fn switch_train_bar(&mut self, idx: usize) {
        self.train_bar = Some(idx);
        self.left_bar = None;
        self.eval_bar = None;
        self.val_on_epoch_bar = false;
        if self.last_loss.is_some_and(|(s, _, _)| s == Source::Tqdm) {
            self.last_loss = None;
        }
        self.src[Source::Tqdm.idx()].start_over();
        self.bar_count = BarCount::default();
        if self.locked.is_none_or(|l| l == Source::Tqdm) {
            self.source_total = None;
        }
    }

    /// The loss a step observation of `src` carries. A repeat of the
    /// current step may carry its first loss (a bar
    /// that showed none when its count arrived, diffusers) or a newer one
    /// (torchtune writes it after the count moved on; LitGPT prints every
    /// micro-batch): the latest value stands, while no other loss came
    /// since. Older steps' repeats (other ranks) are ignored. A hand-written
    /// line's loss (often an epoch's sum) is not mixed into the losses a
    /// framework or a bar reports: only while every loss so far was such a
    /// line.
    fn take_step_loss(&mut self, src: Source, step: u64, seen: StepSeen, l: f64) {
        match seen {
            StepSeen::New => {}
            StepSeen::Other => return,
            StepSeen::Repeat => {
                if let Some((s, st, count)) = self.last_loss
                    && s == src
                    && st == step
                {
                    if count == self.loss.count {
                        self.loss.amend_last(l);
                    }
                    return;
                }
            }
        }
        if src == Source::Generic {
            if self.loss.count != self.bare_losses + self.generic_losses {
                return;
            }
            self.generic_losses += 1;
        }
        self.loss.push(l);
        self.last_loss = Some((src, step, self.loss.count));
    }

    /// The training bar's step series, to come back to (see [`LeftBar`]).
    fn left_bar(&self, bar: usize) -> LeftBar {
        LeftBar {
            bar,
            last_step: self.src[Source::Tqdm.idx()].last_step,
            timing: self.src[Source::Tqdm.idx()].timing.clone(),
            count: self.bar_count,
            last_loss: self.last_loss,
            source_total: self.source_total,
        }
    }

    /// A finished training bar came back for its next pass: it is the
    /// training bar again, with its step series as it was.
    fn return_to(&mut self, left: LeftBar) {
        self.train_bar = Some(left.bar);
        let st = &mut self.src[Source::Tqdm.idx()];
        st.last_step = left.last_step;
        st.timing = left.timing;
        st.restart_run = 0;
        st.restart_probe = None;
        self.bar_count = left.count;
        self.last_loss = left.last_loss;
        if self.locked.is_none_or(|l| l == Source::Tqdm) {
            self.source_total = left.source_total;
        }
    }

    /// A new distinct error was recorded at index `i`: add it to the timeline.
    fn error_event(&mut self, i: usize) {
        let Some(e) = self.errors.errors.get(i) else {
            return;
        };
        let mut ev = Event::new(EventKind::Error, Source::Error);
        ev.time = e.time;
        ev.step = self.current_step;
        ev.message = Some(format!("{}: {}", e.class.as_str(), e.label));
        push_ring(&mut self.recent, ev, RECENT_EVENTS);
    }

    fn mark(&mut self, kind: PauseKind) {
        self.marker_line = self.lines;
        match kind {
            PauseKind::Checkpoint => self.marker_seq.1 += 1,
            _ => self.marker_seq.0 += 1,
        }
    }

    fn checkpoint(&mut self, time: Option<f64>) {
        self.mark(PauseKind::Checkpoint);
        self.ckpt_count += 1;
        self.ckpt_line = Some(self.lines);
        if let Some(s) = self.current_step
            && self.ckpt_steps.back() != Some(&s)
        {
            push_ring(&mut self.ckpt_steps, s, CADENCE_RING);
        }
        let mut ev = Event::new(EventKind::Checkpoint, Source::Marker);
        ev.step = self.current_step;
        ev.time = time;
        push_ring(&mut self.recent, ev, RECENT_EVENTS);
    }

    /// A training step a summary or table reports (`TrainOutput`, W&B's run
    /// summary, a notebook's table), with its loss and epoch: counted when
    /// it is ahead of the step reached (those come after the progress, at
    /// its end). Whether it was.
    fn step_if_ahead(
        &mut self,
        src: Source,
        step: u64,
        loss: Option<f64>,
        epoch: Option<f64>,
        ts: Option<f64>,
        time: Option<f64>,
    ) -> bool {
        if self.current_step.is_some_and(|c| step <= c) {
            return false;
        }
        let mut ev = Event::new(EventKind::Train, src);
        ev.step = Some(step);
        ev.loss = loss;
        ev.epoch = epoch;
        self.on_step_event(ev, ts, time);
        true
    }

    /// A value of W&B's run summary: the last step and the last training
    /// loss the run logged (HF's `train/global_step`, `train/loss`;
    /// Lightning's `trainer/global_step`, verl's `training/global_step`, a
    /// script's own `step` and `loss`).
    fn on_wandb_summary(&mut self, key: &str, value: &str, ts: Option<f64>, time: Option<f64>) {
        let Some(v) = parse::whole_float(value).filter(|v| v.is_finite()) else {
            return;
        };
        match key {
            // (Not `_step`: W&B's count of its log calls.)
            "train/global_step"
            | "trainer/global_step"
            | "training/global_step"
            | "global_step"
            | "train/step"
            | "step"
                if v >= 0.0 && v.fract() == 0.0 =>
            {
                let step = v as u64;
                // (As the source that counted the steps, when it reads such
                // records; a bar's count is its own.)
                let src = match self.locked {
                    None if self.hf_dicts > 0 => Source::HfDict,
                    None => Source::Generic,
                    Some(s @ (Source::HfDict | Source::Generic)) => s,
                    Some(_) => return,
                };
                self.step_if_ahead(src, step, None, None, ts, time);
            }
            "train/loss" | "loss" | "train loss" | "training/loss" | "Training/loss"
                if self.loss.last != Some(v) =>
            {
                self.loss.push(v)
            }
            // (HF's `train_loss` there is the run's mean: only elsewhere, a
            // Lightning module's last logged value.)
            "train_loss" if self.final_metrics.is_none() && self.loss.last != Some(v) => {
                self.loss.push(v)
            }
            _ => {}
        }
    }

    /// The HF Trainer's progress label in a notebook: where training is
    /// (the label is redrawn in place, so a saved output has its last state).
    fn on_notebook_progress(
        &mut self,
        p: parse::NotebookProgress,
        ts: Option<f64>,
        time: Option<f64>,
    ) {
        self.hf_hint = true;
        if p.rate.is_some() {
            self.bar_rate = p.rate;
        }
        if let Some(e) = p.epochs.filter(|&e| e > 0 && p.total.is_multiple_of(e)) {
            self.projects.notebook_epoch_steps = Some(p.total / e);
        }
        let mut ev = Event::new(EventKind::Train, Source::HfDict);
        ev.step = Some(p.n);
        ev.total_steps = Some(p.total);
        ev.epoch = Some(p.epoch);
        ev.rate = p.rate;
        // (Its elapsed time is the clock, unless the log has timestamps.)
        let ts = ts.or(Some(p.elapsed_s).filter(|_| self.last_log_ts.is_none()));
        self.on_step_event(ev, ts, time);
    }

    /// A row of the HF Trainer's notebook table: an evaluation (when it
    /// has a validation loss), with the training loss logged by then. Its
    /// step counts when it is ahead of the progress label (which a saved
    /// output shows first, at its end).
    fn on_notebook_row(
        &mut self,
        table: parse::NotebookTable,
        (count, train_loss, val_loss): (u64, Option<f64>, Option<f64>),
        ts: Option<f64>,
        time: Option<f64>,
    ) {
        if val_loss.is_some() {
            self.last_eval_loss = val_loss;
        }
        // (A table by epoch with no label before it: the epochs are the steps.)
        let (step, epochs_are_steps) = match (table.by_step, self.projects.notebook_epoch_steps) {
            (true, _) => (Some(count), false),
            (false, Some(n)) => (n.checked_mul(count), false),
            (false, None) => (Some(count), true),
        };
        // (A table of training losses only, `Step  Training Loss`, has no
        // evaluations.)
        if val_loss.is_some() {
            self.eval_event(step);
        }
        let epoch = epochs_are_steps.then_some(count as f64);
        let ahead = step
            .is_some_and(|s| self.step_if_ahead(Source::HfDict, s, train_loss, epoch, ts, time));
        self.epoch_steps |= ahead && epochs_are_steps;
        if !ahead && let Some(l) = train_loss {
            self.loss.push(l);
        }
    }

    /// An evaluation's loss, reported after it ran (at `step`): one
    /// evaluation per new value (a loop may repeat its last one on every
    /// step line).
    fn eval_loss_reported(&mut self, step: Option<u64>, v: f64) {
        if self.last_eval_loss != Some(v) {
            self.eval_event(step);
        }
        self.last_eval_loss = Some(v);
    }

    fn eval_event(&mut self, step: Option<u64>) {
        self.eval_events += 1;
        self.eval_step(step);
    }

    /// The step an evaluation ran at, for the cadence (once per step).
    fn eval_step(&mut self, step: Option<u64>) {
        if let Some(s) = step
            && self.eval_steps.back() != Some(&s)
        {
            push_ring(&mut self.eval_steps, s, CADENCE_RING);
        }
    }

    fn on_hf_dict(&mut self, d: HfDict, ts: Option<f64>, time: Option<f64>) {
        match d {
            HfDict::Steps(ev) => {
                self.on_step_event(ev, ts, time);
                return;
            }
            HfDict::Epochs(ev) => {
                self.epoch_steps = true;
                self.on_step_event(ev, ts, time);
                return;
            }
            HfDict::Mmcv {
                epoch,
                iter,
                mut ev,
            } => {
                let train = ev.kind == EventKind::Train;
                ev.step = Some(self.projects.mmcv.step(epoch, iter, train));
                // (With the planned epochs, the run's total.)
                if let Some(n) = self.projects.mmcv.epoch_len {
                    self.batches_per_epoch = Some(n);
                }
                self.on_step_event(ev, ts, time);
                return;
            }
            HfDict::MmcvPlan { iters, epochs } => {
                if iters.is_some() {
                    self.max_iters = iters;
                }
                if epochs.is_some() {
                    self.epochs_planned = epochs;
                }
                return;
            }
            _ => {}
        }
        self.hf_dicts += 1;
        match d {
            HfDict::Steps(_)
            | HfDict::Epochs(_)
            | HfDict::Mmcv { .. }
            | HfDict::MmcvPlan { .. } => {}
            HfDict::Train(mut ev) => {
                ev.time = time;
                self.zeros.note(&ev);
                if ev.epoch.is_some() {
                    self.epoch = ev.epoch;
                }
                // Old TF trainer dicts carry the step (LLaMA-Factory's
                // `trainer_log.jsonl` its total too).
                if let Some(s) = ev.step.or_else(|| self.stepless_dict_step(ev.epoch)) {
                    if let Some(total) = ev.total_steps
                        && self.train_bar.is_none()
                    {
                        self.source_total = Some(total);
                    }
                    let t = self.time_for_step(ts, None);
                    self.note_step(Source::HfDict, s, t);
                    self.current_step = Some(s);
                    ev.step = Some(s);
                } else {
                    ev.step = self.current_step;
                    self.note_progress();
                    // Count for format locking without a step.
                    let st = &mut self.src[Source::HfDict.idx()];
                    st.records += 1;
                    if self.locked.is_none()
                        && st.records >= LOCK_RECORDS
                        && self.train_bar.is_none()
                    {
                        self.locked = Some(Source::HfDict);
                    }
                }
                if let Some(l) = ev.loss {
                    self.loss.push(l);
                }
                self.take_reported_speed(&ev);
                push_ring(&mut self.recent, ev, RECENT_EVENTS);
            }
            HfDict::Eval(mut ev) => {
                ev.time = time;
                ev.step = self.current_step;
                self.mark(PauseKind::Eval);
                self.eval_event(self.current_step);
                if let Some(r) = ev.runtime_s {
                    self.eval_runtime_sum += r;
                    self.eval_runtime_n += 1;
                }
                self.last_eval_loss = ev.loss;
                push_ring(&mut self.recent, ev, RECENT_EVENTS);
            }
            HfDict::Final {
                runtime_s,
                samples_per_sec,
                steps_per_sec,
                train_loss,
                epoch,
            } => {
                self.final_metrics = Some((runtime_s, samples_per_sec, steps_per_sec));
                self.mark_finished("final train metrics printed");
                // Every planned epoch ran (the summary's epoch is the
                // banner's): so did the steps after the last logged dict.
                // (Only where the dicts count the steps: a bar shows its
                // own last one. No time: they ran before this line.)
                if self.train_bar.is_none()
                    && let (Some(e), Some(planned), Some(total)) =
                        (epoch, self.projects.hf_epochs, self.banner_total)
                    && e >= planned as f64
                    && let Some(cur) = self.current_step
                    && cur < total
                    && self.src[Source::HfDict.idx()].last_step == Some(cur)
                {
                    self.note_step(Source::HfDict, total, None);
                    self.current_step = Some(total);
                }
                if epoch.is_some() {
                    self.epoch = epoch;
                }
                let mut ev = Event::new(EventKind::Info, Source::HfDict);
                ev.time = time;
                ev.step = self.current_step;
                ev.runtime_s = runtime_s;
                ev.samples_per_sec = samples_per_sec;
                ev.rate = steps_per_sec;
                ev.loss = train_loss;
                ev.message = Some("final train metrics".to_string());
                push_ring(&mut self.recent, ev, RECENT_EVENTS);
            }
        }
    }

    /// The step of an HF dict that has none, when no bar counts the steps:
    /// from a line of its own just before it (GraphRetro's `After 201
    /// steps, Global Step: 201`), or from the dicts so far when the script
    /// printed its `logging_steps` (stdout only: the trainer logs every
    /// `logging_steps` steps, after step 1's with `logging_first_step`).
    fn stepless_dict_step(&mut self, epoch: Option<f64>) -> Option<u64> {
        if self.train_bar.is_some() {
            return None;
        }
        if let Some((s, at)) = self.pending_counter
            && self.lines - at <= 2
        {
            self.pending_counter = None;
            return Some(s);
        }
        let Some(every) = self.logging_steps.filter(|_| self.logging_per_step) else {
            let epoch = epoch.filter(|e| e.is_finite() && *e > 0.0)?;
            let per_epoch = self.hf_steps_per_epoch()?;
            let step = self.projects.epoch_steps.step_at(epoch, per_epoch);
            // (Past the planned total: `max_steps` cut the epoch short and
            // the rounded epoch says too much.)
            return Some(step).filter(|&s| self.banner_total.is_none_or(|t| s <= t));
        };
        self.stepless_dicts += 1;
        let k = self.stepless_dicts;
        let s = if self.logging_first_step && every > 1 {
            if k == 1 {
                1
            } else {
                (k - 1).saturating_mul(every)
            }
        } else {
            k.saturating_mul(every)
        };
        Some(s.saturating_add(self.stepless_base))
    }

    /// HF's optimizer steps per epoch, from its banner: the examples over
    /// the samples per step, or the total steps over the epochs where the
    /// two agree (the total is exact; with `max_steps` set it is not the
    /// epochs' steps). (Without the examples, only over several epochs:
    /// with one, `max_steps` may have cut it.)
    fn hf_steps_per_epoch(&self) -> Option<f64> {
        let p = &self.projects;
        let by_samples = match (p.hf_examples, self.samples_per_step) {
            (Some(n), Some(b)) if n > 0 && b >= 1.0 => Some((n as f64 / b).ceil()),
            _ => None,
        };
        let by_total = match (self.banner_total, p.hf_epochs) {
            (Some(t), Some(e)) if e > 0 && t > 0 && t.is_multiple_of(e) => Some((t / e) as f64),
            _ => None,
        };
        match (by_total, by_samples) {
            (Some(a), Some(b)) if (a - b).abs() <= 0.05 * b => Some(a),
            (_, Some(b)) => Some(b),
            (Some(a), None) if p.hf_epochs.is_some_and(|e| e > 1) => Some(a),
            _ => None,
        }
    }

    /// OpenCLIP counts samples: the first line of a run (after its first
    /// step, at epoch 0) gives the samples per step, and with it the steps.
    fn on_openclip(&mut self, line: parse::OpenClipLine, ts: Option<f64>, time: Option<f64>) {
        if self.openclip_batch.is_none() && line.epoch == 0 && line.samples > 0 {
            self.openclip_batch = Some(line.samples);
        }
        let mut ev = Event::new(EventKind::Train, Source::Generic);
        ev.epoch = Some(line.epoch as f64);
        ev.loss = line.loss;
        match self.openclip_batch {
            Some(b) => {
                let per_epoch = line.epoch_samples.div_ceil(b);
                let step = line.samples.div_ceil(b);
                ev.step = line
                    .epoch
                    .checked_mul(per_epoch)
                    .and_then(|d| d.checked_add(step));
                self.batches_per_epoch = Some(per_epoch);
            }
            None => {
                // (A log that starts later: the epochs are the steps.)
                ev.step = Some(line.epoch);
                self.epoch_steps = true;
            }
        }
        self.on_step_event(ev, ts, time);
    }

    /// A step record of an epoch-and-batch line, which may say how many
    /// batches an epoch has (for the run total, with the epochs planned).
    fn on_epoch_batch_event(
        &mut self,
        ev: Event,
        batches: Option<u64>,
        ts: Option<f64>,
        time: Option<f64>,
    ) {
        if batches.is_some() {
            self.batches_per_epoch = batches;
        }
        self.on_step_event(ev, ts, time);
    }

    /// Step-bearing record from a line recogniser.
    /// A training step a line names, and nothing else about it (a plan's
    /// iteration, a checkpoint's step, an epoch head).
    /// Lightning's run, or a bar named as its epoch bar.
    fn lightning_hint(&self) -> bool {
        self.lightning_sign || self.lightning_epoch_bar
    }

    fn on_plain_step(&mut self, step: u64, ts: Option<f64>, time: Option<f64>) {
        let mut ev = Event::new(EventKind::Train, Source::Generic);
        ev.step = Some(step);
        self.on_step_event(ev, ts, time);
    }

    fn on_step_event(&mut self, mut ev: Event, ts: Option<f64>, time: Option<f64>) {
        ev.time = time;
        if let (Some(t), Some(step), EventKind::Train) = (ts, ev.step, ev.kind) {
            self.bursts.stamped_step(t, step);
        }
        // A speed the log printed as `nan` or `inf` (DeepSpeed's first
        // `RunningAvgSamplesPerSec=nan`) says nothing. (A loss or grad norm
        // that is NaN does: it stays.)
        for speed in [
            &mut ev.samples_per_sec,
            &mut ev.tokens_per_sec,
            &mut ev.step_time_s,
            &mut ev.rate,
        ] {
            *speed = speed.filter(|v| v.is_finite());
        }
        let src = ev.source;
        // A record that carries its evaluation's loss too (Keras's
        // `val_loss`, a metrics CSV's, a boosting round's validation set):
        // an evaluation ran before it, at its step. (Its time is not seen
        // apart: the record came after it.)
        if let Some(v) = ev.val_loss {
            // (At the step reached: a summary's own count may be of epochs
            // while a bar counts the steps.)
            self.eval_loss_reported(ev.step.max(self.current_step), v);
        }
        if ev.kind == EventKind::Eval {
            // Hand-written eval progress prints a line per batch
            // (`Test: [ 10/196]`): one eval per episode.
            if src == Source::Generic {
                if ev.loss.is_some() {
                    self.last_eval_loss = ev.loss;
                }
                if std::mem::replace(&mut self.generic_eval, true) {
                    return;
                }
            }
            self.mark(PauseKind::Eval);
            self.eval_event(ev.step);
            if ev.loss.is_some() {
                self.last_eval_loss = ev.loss;
            }
            // modded-nanogpt validation lines also report training progress.
            if src == Source::ModdedNanoGpt
                && let Some(step) = ev.step
            {
                if let Some(tot) = ev.total_steps {
                    self.source_total = Some(tot);
                }
                let t = self.time_for_step(ts, None);
                if self.note_step(src, step, t) {
                    self.current_step = Some(step);
                }
            }
            push_ring(&mut self.recent, ev, RECENT_EVENTS);
            return;
        }
        // Totals: Keras and the rich bar give per-epoch counts that only
        // stand for the run when nothing better is known.
        if let Some(tot) = ev.total_steps
            // A hand-written line's total only counts when nothing else
            // reports steps.
            && (src != Source::Generic
                || Source::ALL.iter().all(|s| {
                    *s == Source::Generic || self.src[s.idx()].last_step.is_none()
                }))
            && (!matches!(src, Source::Keras | Source::RichBar)
                || self.source_total.is_none()
                || src == Source::Keras)
        {
            self.source_total = Some(tot);
        }
        if src == Source::Generic {
            self.generic_eval = false;
            // A per-epoch counter that started over under a new epoch
            // header: the steps before count.
            if let Some(raw) = ev.step {
                let header = std::mem::replace(&mut self.epoch_header_since_step, false);
                if let Some(last) = self.generic_raw_last
                    && header
                    && raw < last
                {
                    self.generic_step_offset = self.generic_step_offset.saturating_add(last);
                }
                self.generic_raw_last = Some(raw);
                ev.step = Some(raw.saturating_add(self.generic_step_offset));
            }
        }
        let Some(step) = ev.step else { return };
        let t = self.time_for_step(ts, None);
        let repeat = self.src[src.idx()].last_step == Some(step);
        let fresh = self.note_step(src, step, t);
        if let Some(l) = ev.loss {
            self.take_step_loss(src, step, StepSeen::of(fresh, repeat), l);
        }
        if !fresh {
            // (A redraw of the same step may be the first to say its speed:
            // Keras's last frame of an epoch, `5s 2ms/step`, after its `ETA:
            // 0s` one.)
            if repeat {
                self.take_reported_speed(&ev);
            }
            return;
        }
        if self.locked.is_none_or(|l| l == src) {
            self.current_step = Some(step);
            if ev.epoch.is_some() {
                self.epoch = ev.epoch;
            }
        }
        self.take_reported_speed(&ev);
        self.zeros.note(&ev);
        push_ring(&mut self.recent, ev, RECENT_EVENTS);
    }

    /// The speed a record says the framework measured.
    fn take_reported_speed(&mut self, ev: &Event) {
        if let Some(st) = ev.step_time_s {
            push_ring(&mut self.reported_step_times, st, REPORTED_WINDOW);
        }
        if ev.samples_per_sec.is_some() {
            self.reported_samples_per_sec = ev.samples_per_sec;
        }
        if ev.tokens_per_sec.is_some() {
            self.reported_tokens_per_sec = ev.tokens_per_sec;
        }
    }

    /// A hand-written step line that printed its epoch (see
    /// [`parse::GenericCount::StepsWithEpoch`]), before its step is
    /// counted: its epoch went up and its step did not (`epoch: 2 step: 62,
    /// loss is 2.21`: MindSpore counts steps within the epoch), so the
    /// steps before count on, as under a new epoch header; its epoch and
    /// step both went back, so another run was appended to the log. (Each
    /// against the previous such line: a framework's epoch summary that
    /// repeats the step of the line before it is not a new start.)
    fn note_line_epoch(&mut self, epoch: u64, raw: u64) {
        if let Some((prev, prev_raw)) = self.generic_line_epoch {
            if epoch < prev && raw < prev_raw {
                // (A script's loop over its runs, the Time-Series-Library's
                // `--itr 2`, runs each on the plan it printed once; a run
                // that prints its own replaces it. Its epochs may count
                // fewer batches: another prediction length.)
                let plan = self.epochs_planned;
                self.restart_source(Source::Generic);
                self.restarted();
                self.epochs_planned = plan;
            } else if epoch > prev
                && raw <= prev_raw
                && let Some(last) = self.generic_raw_last
            {
                self.generic_step_offset = self.generic_step_offset.saturating_add(last);
                // How many an epoch counts, for a plan in epochs: when its
                // last count is off the loop's reporting grid (`iters: 200`
                // then the summary's `Steps: 265`), the epoch's end; one on
                // it (CycleGAN's `iters: 200`) may have more after it.
                if self
                    .generic_raw_stride
                    .is_some_and(|k| k > 1 && last % k != 0)
                {
                    self.generic_epoch_len = Some(self.generic_epoch_len.unwrap_or(0).max(last));
                }
                // (Counted once, also under a header.)
                self.epoch_header_since_step = false;
            }
        }
        if let Some((prev, prev_raw)) = self.generic_line_epoch
            && epoch == prev
            && raw > prev_raw
            && self.generic_raw_stride.is_none()
        {
            self.generic_raw_stride = Some(raw - prev_raw);
        }
        self.generic_line_epoch = Some((epoch, raw));
    }

    /// Record a step observation for `src`. Returns false for repeats
    /// (per-rank duplicates, bar redraws) and out-of-order records.
    fn note_step(&mut self, src: Source, step: u64, t: Option<f64>) -> bool {
        let seq = self.marker_seq;
        let lines = self.lines;
        let mut epochs_restarted = false;
        let st = &mut self.src[src.idx()];
        if let Some(last) = st.last_step {
            // Steps that are epochs do not go back to the first one within
            // a run: a k-fold loop's next fold (`Epoch 1 - avg_train_loss:
            // 0.70`), or a run appended to the log, has begun. (It may print
            // only a few epochs: no waiting for more records, and this
            // record is the new run's first.)
            let epochs_start_over = step < last
                && step <= 1
                && self.epoch_steps
                && matches!(src, Source::Generic | Source::CsvMetrics);
            if epochs_start_over {
                st.start_over();
                st.restarts += 1;
                epochs_restarted = true;
            } else if step < last {
                st.out_of_order += 1;
                // A run of increasing records below the old maximum is a
                // restarted run (same log appended), not stray ranks:
                // follow the new counter.
                // (A repeat of the latest record, a redraw or a second
                // line for the same step, neither confirms nor refutes it.)
                if st.restart_probe == Some(step) {
                    return false;
                }
                let climbing = st.restart_probe.is_some_and(|p| step > p);
                st.restart_run = if climbing { st.restart_run + 1 } else { 0 };
                if !climbing {
                    st.restart_line = lines;
                }
                st.restart_probe = Some(step);
                if st.restart_run >= RESTART_RECORDS {
                    st.start_over();
                    st.last_step = Some(step);
                    st.restarts += 1;
                    let from = st.restart_line;
                    self.counter_restarted(from);
                }
                return false;
            } else if step == last {
                // The same record again with a time, where the first copy
                // had none (TensorFlow logs each line twice: Python's
                // `INFO:tensorflow:` copy, then absl's with its time).
                if st.last_untimed
                    && let Some(t) = t
                {
                    st.timing.observe(t, step, seq);
                    st.last_untimed = false;
                }
                return false;
            }
        }
        st.restart_run = 0;
        st.restart_probe = None;
        if let Some(prev) = st.last_step.filter(|p| step > *p) {
            st.stride = step - prev;
        }
        st.last_step = Some(step);
        st.last_line = self.lines;
        if st.records == 0 {
            st.first_line = self.lines;
        }
        st.records += 1;
        if let Some(t) = t {
            st.timing.observe(t, step, seq);
        }
        st.last_untimed = t.is_none();
        let records = st.records;
        if epochs_restarted {
            self.counter_restarted(lines);
        }
        self.note_progress();
        if records >= LOCK_RECORDS {
            match self.locked {
                None => self.locked = Some(src),
                // DeepSpeed's engine lines accompany the framework that
                // drives it (Megatron-DeepSpeed, GPT-NeoX): that
                // framework's own step lines are the better source.
                Some(l) if l.is_secondary() && src.is_primary() => self.locked = Some(src),
                // Bars that ran to their end before a framework began to
                // count (data loading, preprocessing): the framework's
                // steps are the training.
                Some(Source::Tqdm) if self.bars_done_before(src) => self.locked = Some(src),
                // Bars of an earlier launch (appended logs, `nohup`): a
                // later launch that counts in other lines is the run now.
                // (Their total was that launch's.)
                Some(Source::Tqdm) if self.relaunched_before(src) => {
                    self.locked = Some(src);
                    self.source_total = None;
                }
                _ => {}
            }
        }
        true
    }

    /// Whether the training bar had run to its total, and no tqdm frame
    /// came, before `src` (a framework's own step lines, or Keras's) began.
    fn bars_done_before(&self, src: Source) -> bool {
        let first = self.src[src.idx()].first_line;
        (src.is_primary() || src == Source::Keras)
            && self.last_frame_line < first
            && self
                .train_bar
                .map(|tb| &self.bars[tb])
                .is_some_and(|b| b.total.is_some_and(|t| b.last_n >= t))
    }

    /// Whether a launch began after the last tqdm frame and before `src`'s
    /// first record.
    fn relaunched_before(&self, src: Source) -> bool {
        let first = self.src[src.idx()].first_line;
        self.restarts
            .iter()
            .any(|&(line, _)| self.last_frame_line < line && line <= first)
    }

    /// ESPnet2's epoch plan and batch reports (see [`parse::espnet_batches`]):
    /// its batches count from 1 in each epoch, so the steps are the batches
    /// of the epochs before plus the last of the range.
    fn on_espnet(&mut self, t: &str, ts: Option<f64>, time: Option<f64>) -> bool {
        if let Some((_, epochs)) = parse::espnet_epoch_started(t) {
            self.epochs_planned = Some(epochs);
            return true;
        }
        let Some((epoch, last, loss)) = parse::espnet_batches(t) else {
            return false;
        };
        let (offset, seen) = match self.espnet {
            Some((prev, prev_last, offset)) if epoch > prev => {
                // (The first epoch's count: the epochs are alike.)
                self.batches_per_epoch.get_or_insert(prev_last);
                (offset.saturating_add(prev_last), last)
            }
            Some((prev, prev_last, offset)) if epoch == prev => (offset, last.max(prev_last)),
            // A report of an earlier epoch: another run, counting anew.
            Some(_) => {
                self.restart_source(Source::Generic);
                (0, last)
            }
            None => (0, last),
        };
        self.espnet = Some((epoch, seen, offset));
        let mut ev = Event::new(EventKind::Train, Source::Generic);
        ev.step = Some(offset.saturating_add(last));
        ev.epoch = Some(epoch as f64);
        ev.loss = loss;
        self.on_step_event(ev, ts, time);
        true
    }

    /// A step counter started over at `line` with no launch line before it
    /// (`python train.py >> train.log` again, printing nothing first): a
    /// sign of a new launch for the errors before it (see `build`), and
    /// nothing more (what a launch line resets stays: the counter alone
    /// does not say that the plan changed).
    fn counter_restarted(&mut self, line: u64) {
        if self.restarts.back().is_none_or(|&(l, _)| l < line) {
            push_ring(&mut self.restarts, (line, self.fresh.count), RESTARTS_KEPT);
        }
    }

    /// Training went on at this line (a new step, or a logged training
    /// record that has no step).
    fn note_progress(&mut self) {
        self.fresh.push(self.lines);
    }

    fn on_tqdm(&mut self, f: &TqdmFrame<'_>, flags: LineFlags, ts: Option<f64>) {
        self.last_frame_line = self.lines;
        // open-instruct's bar over its learners for each step, `Running
        // training step 37: 100%| 4/4`: the description counts the steps,
        // the bar the workers.
        if let Some(r) = f.desc.strip_prefix("Running training step ")
            && let Ok(step) = r.parse::<u64>()
        {
            let mut ev = Event::new(EventKind::Train, Source::Generic);
            ev.step = Some(step);
            let time = self.line_time(ts);
            self.on_step_event(ev, ts, time);
            return;
        }
        // MONAI's tutorials name their epoch bar after the run's count:
        // `Training (25 / 25000 Steps) (loss=3.35234)`.
        if f.desc.len() > 20
            && let Some(total) = monai_planned_steps(f.desc)
        {
            self.max_iters = Some(total);
        }
        // Fast path: the same bar as the previous frame (no allocation).
        let h = desc_hash(f.desc);
        let cached = self.last_bar.filter(|&i| {
            let b = &self.bars[i];
            b.desc_hash == h && (b.is_epoch || b.total == f.total)
        });
        let is_epoch = is_per_epoch_bar(f.desc, f.total);
        // A bar without a total whose description is the loop's own
        // progress line (`tqdm(enumerate(loader))` has no length: `Train
        // Epoch: 0 [652/661 (98%)] Loss: 16.147352: : 652it [02:29,
        // 4.33it/s]`): that line counts the steps, as if printed alone.
        if f.total.is_none()
            && !is_epoch
            && f.desc.len() > 12
            && let Some((ev, count)) = parse::generic_step(f.desc)
        {
            let time = self.line_time(ts);
            self.on_generic_step(ev, count, ts, time);
        }
        let Some(idx) = cached.or_else(|| self.find_or_add_bar(f)) else {
            return;
        };
        self.last_bar = Some(idx);
        self.on_bar_frame(idx, is_epoch, f, flags, ts);
    }

    /// The training bar's frame at `n` (less the validation batches
    /// counted on it) after `elapsed` on its clock, its rate when in `it`,
    /// the run's total it implies, whether that is the bar's own total (no
    /// epoch bar's), and the line's timestamp: the step it counts, and
    /// when; whether that is a new step, and whether it repeats the last.
    /// (The steady path, [`Self::steady_frame`], shares it.)
    fn count_bar_frame(
        &mut self,
        n: u64,
        elapsed: Option<f64>,
        it_rate: Option<f64>,
        run_total: Option<u64>,
        bar_total: bool,
        ts: Option<f64>,
    ) -> (u64, Option<f64>, bool, bool) {
        // (Past `next_pass`, which took the other bars' time.)
        self.bar_count.training_frame();
        // (A frame behind the count is a stale redraw, like Lightning 1.x's
        // `Epoch 0: 0/102 [00:00<?]` between two epochs: its time is not
        // the pass's.)
        if n >= self.bar_count.last_train_n {
            self.bar_count.last_train_n = n;
            if let Some(e) = elapsed {
                self.bar_count.last_elapsed = e;
            }
        }
        if let Some(r) = it_rate {
            self.bar_rate = Some(r);
        }
        // (Not when another source counts the steps: nanoGPT's lines, then
        // an evaluation's bars. HF's dicts are the bar's own run.)
        let counts_the_run = self
            .locked
            .is_none_or(|l| matches!(l, Source::Tqdm | Source::HfDict));
        if counts_the_run && bar_total {
            // After a second pass the bar's total is one epoch's.
            self.source_total = if self.bar_count.bar_passes == 0 {
                run_total
            } else {
                None
            };
        } else if counts_the_run && run_total.is_some() {
            self.source_total = run_total;
        }
        let step = n.saturating_add(self.bar_count.epoch_offset);
        // Log timestamps on other lines set the clock (DeepSpeed's `step=0`
        // line as its engine starts, before HF's bar), but the training bar
        // has none: its elapsed field is the clock, or nothing is timed.
        if self.clock == Clock::LogTimestamps
            && ts.is_none()
            && elapsed.is_some()
            && self.locked.is_none_or(|l| l == Source::Tqdm)
            && !self.src[Source::Tqdm.idx()].timing.has_data()
        {
            self.clock = Clock::BarElapsed;
        }
        let t = self.time_for_step(ts, elapsed);
        let repeat = self.src[Source::Tqdm.idx()].last_step == Some(step);
        let fresh = self.note_step(Source::Tqdm, step, t);
        if fresh {
            self.bar_steps.push(self.lines);
        }
        if self.locked.is_none_or(|l| l == Source::Tqdm) {
            self.current_step = Some(step);
        }
        (step, t, fresh, repeat)
    }

    fn find_or_add_bar(&mut self, f: &TqdmFrame<'_>) -> Option<usize> {
        let (key, is_epoch) = bar_key(f.desc, f.total);
        let idx = match self.bars.iter().position(|b| b.key == key) {
            Some(i) => {
                // Same bar under another epoch number: remember the new desc.
                self.bars[i].desc_hash = desc_hash(f.desc);
                i
            }
            None => {
                // (Lightning's other loops' bars: `Sanity Checking DataLoader
                // 0:`, `Validation DataLoader 0:`.)
                self.lightning_loop_bars |=
                    f.desc.starts_with("Sanity Checking") || f.desc.contains(" DataLoader 0");
                if self.bars.len() >= MAX_BARS {
                    // Evict the least used bar that is not the training bar.
                    let victim = (0..self.bars.len())
                        .filter(|i| Some(*i) != self.train_bar)
                        .min_by_key(|i| self.bars[*i].frames);
                    match victim {
                        Some(v) => {
                            self.bars.remove(v);
                            self.last_bar = None;
                            self.left_bar = self.left_bar.take().and_then(|mut l| {
                                if l.bar == v {
                                    return None;
                                }
                                if l.bar > v {
                                    l.bar -= 1;
                                }
                                Some(l)
                            });
                            if let Some(tb) = self.train_bar
                                && tb > v
                            {
                                self.train_bar = Some(tb - 1);
                            }
                        }
                        None => return None,
                    }
                }
                self.bars.push(Bar {
                    key,
                    desc_hash: desc_hash(f.desc),
                    is_epoch,
                    frames: 0,
                    last_n: -1.0,
                    total: f.total,
                    cursor_up: false,
                    interlude: false,
                    had_loss: false,
                    rate: None,
                    named_not_training: self.not_training_line.is_some_and(|l| self.lines <= l + 2),
                });
                self.bars.len() - 1
            }
        };
        Some(idx)
    }

    fn on_bar_frame(
        &mut self,
        idx: usize,
        mut is_epoch: bool,
        f: &TqdmFrame<'_>,
        flags: LineFlags,
        ts: Option<f64>,
    ) {
        // AUTOMATIC1111's batch bar: its per-image bars are generation.
        if self.bars[idx].frames == 0 && f.desc == "Total progress" {
            self.serving_images = true;
        }
        {
            let b = &mut self.bars[idx];
            b.frames += 1;
            b.cursor_up |= flags.cursor_up;
            b.total = f.total.or(b.total);
            b.rate = f.rate.or(b.rate);
        }
        // The training bar that finished before this other bar took over,
        // starting its next pass once the other one finished: that one was
        // a validation loop between two epochs (shorter, no training loss).
        // Something must say the first one trains: its loss, or the other
        // one going faster per item (no backward pass). (A per-epoch data
        // preparation bar around a training bar looks the same otherwise;
        // it is the faster one.)
        if let Some(tb) = self.train_bar
            && tb != idx
            && self.left_bar.as_ref().is_some_and(|l| l.bar == idx)
            && let Some(t) = f.total
            && t >= 1.0
            && let cur = &self.bars[tb]
            && let this = &self.bars[idx]
            // Started over (near 0 in a terminal; later in a capture that
            // kept only some frames, like W&B's console log).
            && f.n < this.last_n
            && cur.total.is_some_and(|ct| cur.last_n >= ct && ct < t)
            && !cur.had_loss
            && (this.had_loss || matches!((cur.rate, this.rate), (Some(a), Some(b)) if a > b))
            && let Some(left) = self.left_bar.take()
        {
            self.return_to(left);
            if (f.n as u64) < self.bar_count.last_train_n {
                self.bar_count.next_pass(0);
                self.bar_count.bar_passes += 1;
            }
            self.bars[tb].interlude = true;
            self.mark(PauseKind::Eval);
            self.eval_bar_episodes += 1;
        }
        // Choose the training bar.
        // (Lazily: the common frame belongs to the training bar already.)
        // A byte counter (`269M/269M [00:29<00:00, 9.04MB/s]`: a download
        // or an upload) never is, nor a 🤗 Datasets `map` (`examples/s`,
        // `ba/s` before datasets 2), whatever its description says.
        // An outer loop's bar over the epochs, `trange(epochs, desc="Epoch")`
        // around an inner `Iteration` bar (the older HF example scripts):
        // it says how many epochs; the inner bar counts the steps.
        let outer_epochs = matches!(f.desc, "Epoch" | "Epochs" | "epoch" | "epochs");
        if outer_epochs && let Some(t) = f.total.filter(|t| *t >= 1.0) {
            self.epochs_planned = Some(t as u64);
            self.outer_epoch_bar |= !self.bars[idx].cursor_up;
        }
        // (The cheap tests first: most frames here are a nested bar's.)
        // (A nested bar, drawn with cursor moves, is an evaluation's unless
        // it shows a loss: then it is the inner bar of an outer epoch bar.)
        // (The first training bar may be a nested one without a loss under
        // an outer bar over the epochs: sentence-transformers' `fit()` and
        // hand-written loops, `Epoch` around `Iteration`.)
        // (Or under bars that are done, never moved or are no training: the
        // HF Trainer's training bar under its `Skipping the first batches`
        // bar, which a resumed run leaves open; an inner loop's bar under a
        // bar over the epochs without a description.)
        // (Lazily: only a nested bar's frame asks.)
        let nested_ok = || {
            let unmoved = self.train_bar.is_none_or(|tb| self.bars[tb].last_n <= 0.0);
            unmoved
                && !names_an_eval(f.desc)
                && ((self.train_bar.is_none() && self.outer_epoch_bar)
                    || self.only_set_aside_bars_besides(idx))
        };
        // (Lazily: the common frame is the training bar's, which needs neither.)
        let shows_loss = || !f.postfix.is_empty() && f.postfix.contains("loss");
        // (A bar without a total trains when it shows a loss: a loop over
        // a streaming dataset, `Training: 12341it [20:34, 10.07it/s,
        // loss=3.055]`.)
        let candidate = || {
            (!self.bars[idx].cursor_up || shows_loss() || nested_ok())
                && !self.bars[idx].named_not_training
                && !outer_epochs
                && (f.total.is_some() || is_epoch || shows_loss())
                // (Whisper's `frames`. Composer's own old bar counts `ba`
                // too, with its loss beside it.)
                && (f.unit == "it"
                    || !(is_byte_unit(f.unit)
                        || matches!(f.unit.trim(), "examples" | "seconds" | "frames")
                        || (f.unit.trim() == "ba" && !shows_loss())))
                // (A fractional count is no step count: faster-whisper's
                // transcription, `3612.48/3612.48 [..., 23.00seconds/s]`.)
                // (Whole when it survives the round trip through an integer.)
                && f.total.is_none_or(|t| (t as u64) as f64 == t)
                // (Nor is a bar over one item, OGB's `Processing graphs...`
                // `1/1`, a checkpoint's single shard, unless it counts the
                // epochs or shows a loss.)
                && f.total.is_none_or(|t| t >= 2.0 || is_epoch || shows_loss())
                && !is_excluded_desc(f.desc)
                && (!INFERENCE_BAR_DESCS.iter().any(|d| f.desc.starts_with(d)) || shows_loss())
        };
        match self.train_bar {
            Some(tb) if tb == idx => {}
            // A first bar after Lightning's fit returned (a sampling or
            // export loop) is not its training. (Other frameworks may draw
            // the training bar's last frame after their summary line.)
            // (Nor a first bar after training that another source counted
            // ran to its end: nanoGPT's, then lm-eval's; nor one of an
            // image generation server's, ComfyUI's per-prompt sampling.)
            None if candidate()
                && !self.fit_stopped
                && !self.serving_images
                && (shows_loss() || !self.counted_to_its_end()) =>
            {
                self.train_bar = Some(idx)
            }
            Some(tb) => {
                // Prefer the bar whose total matches the banner's step count;
                // otherwise move on when the current "training" bar has
                // finished (it was a preprocessing bar) and this one advances.
                let cur = &self.bars[tb];
                let tb_total = cur.total.map(|t| t as u64);
                let banner_match = matches!((self.banner_total, f.total), (Some(bt), Some(t)) if t as u64 == bt && tb_total != Some(bt));
                let cur_done = cur.total.is_some_and(|t| cur.last_n >= t) && !cur.is_epoch;
                let this = &self.bars[idx];
                // (An epoch bar may print once per epoch, like YOLO's rows
                // in a non-TTY log: it takes over from a finished data bar
                // at once.)
                // (Or it shows a loss: training from its first frame, whose
                // loss counts.)
                let advancing = (this.frames >= 3 && this.last_n > 0.0 && f.n > this.last_n)
                    || is_epoch
                    || shows_loss();
                // A bar that never left 0 while this one moves was not training.
                let cur_stuck = cur.last_n <= 0.0 && f.n > 0.0;
                // The same count under another description (text glued
                // before the bar, a renamed epoch bar) that got further.
                let same_count_ahead =
                    f.total.is_some() && f.total == cur.total && f.n > cur.last_n;
                // (Not after training: a bar after a trained one is an upload,
                // an evaluation, inference; unless it shows a loss itself. A
                // shorter one may be the epoch's validation, which the
                // switch below takes back.)
                let after_training = !shows_loss()
                    && (self.end_sign_stands()
                        || (self.loss.count > 0
                            && matches!((f.total, cur.total), (Some(t), Some(ct)) if t >= ct)));
                // (The candidate test last: most frames here are another
                // bar's that does not take over, and it is the dearer one.)
                if (banner_match
                    || (cur_done && advancing && !after_training)
                    || cur_stuck
                    || same_count_ahead)
                    && candidate()
                {
                    // Only a bar that finished may come back for a next pass.
                    let left = (!banner_match && !cur_stuck && !same_count_ahead)
                        .then(|| self.left_bar(tb));
                    self.switch_train_bar(idx);
                    self.left_bar = left;
                }
            }
            _ => {}
        }
        if self.train_bar != Some(idx) {
            self.other_bar_between = true;
            // (Not the bar over the epochs: its clock runs through them all.)
            if !outer_epochs {
                self.bar_count.other_bar(idx, f.elapsed_s);
            }
            // Another bar while training: an eval or a checkpoint writer.
            if self.train_bar.is_some() {
                let d = f.desc;
                // (Every keyword is at least five bytes: most descriptions
                // are empty or short and skip the searches.)
                let ckpt = d.len() >= 5
                    && (d.contains("Writing")
                        || d.contains("Saving")
                        || d.contains("shard")
                        || d.contains("checkpoint"));
                // HF's eval bar has no description but is nested (cursor-up).
                let eval = names_an_eval(d)
                    || (d.is_empty() && self.bars[idx].cursor_up)
                    || self.bars[idx].interlude;
                // One marker per episode (an episode ends at the next
                // training frame); a save right after an eval is its own.
                if ckpt && !self.other_bar_active.1 {
                    self.other_bar_active.1 = true;
                    self.checkpoint(self.line_time(ts));
                } else if eval && !ckpt && !self.other_bar_active.0 {
                    self.other_bar_active.0 = true;
                    self.mark(PauseKind::Eval);
                    self.eval_bar_episodes += 1;
                    // (Its cadence, when nothing else prints the evals.)
                    if self.eval_events == 0 {
                        self.eval_step(self.current_step);
                    }
                }
                if eval && !ckpt {
                    self.note_eval_bar(f);
                }
            } else if f.desc.starts_with("Validation") {
                // (A log that starts inside Lightning's validation.)
                self.note_eval_bar(f);
            }
            if self.bars[idx].last_n < f.n {
                self.bars[idx].last_n = f.n;
            }
            return;
        }
        if self.bars[idx].last_n < f.n {
            self.bars[idx].last_n = f.n;
        }
        // Lightning 1.x counts the validation batches on the epoch bar too
        // (its total is training plus validation batches): while the
        // validation bar runs, the epoch bar's advances in the same epoch
        // are not training steps (and the evaluation goes on).
        if let Some(ev_bar) = self.eval_bar {
            let same_epoch = || {
                after_epoch_word(f.desc)
                    .and_then(parse::uint_prefix)
                    .map(|x| x.0)
                    == self.bar_count.epoch_no
            };
            // Batches beyond the training count, and this validation's
            // share of them: validation batches while they fit in the
            // validation bar's total (after it, training again: a validation
            // in the middle of an epoch).
            let extra = f.n - self.bar_count.last_train_n as f64;
            let share = extra - ev_bar.base as f64;
            let unfinished = ev_bar.total.is_none_or(|t| ev_bar.n < t);
            // The first time, the epoch bar must be seen to move in step
            // with the validation bar: by as many batches (a hand-written
            // loop's epoch bar after its evaluation moves on by one), and
            // for a validation of a few batches only under Lightning's names.
            let in_step = (share - ev_bar.n).abs() <= (ev_bar.n / 10.0).max(2.0)
                && (unfinished || share == ev_bar.n)
                && (ev_bar.n >= 4.0 || (ev_bar.lightning && self.lightning_hint()));
            if is_epoch && self.bars[idx].frames == 1 && unfinished && f.n >= ev_bar.n {
                // The log starts inside a validation: what the validation
                // bar counted is the part of this count that is not training.
                self.val_on_epoch_bar = true;
                self.bar_count.val_n = ev_bar.n as u64;
            } else if is_epoch
                && share > 0.0
                && extra > self.bar_count.val_n as f64
                && ev_bar.total.is_none_or(|t| share <= t)
                && (self.val_on_epoch_bar || in_step)
                && same_epoch()
            {
                self.val_on_epoch_bar = true;
                self.bar_count.val_n = extra as u64;
                return;
            } else {
                self.eval_bar = None;
            }
        }
        self.other_bar_active = (false, false);
        // (A bar seen to count on across its epochs is no epoch bar.)
        is_epoch &= !self.bar_count.counts_on;
        // Lightning: the epoch bar restarts each epoch; keep a global step.
        if is_epoch {
            // Lightning's description is exactly `Epoch <n>`.
            let lightning_desc = f
                .desc
                .strip_prefix("Epoch ")
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|c| c.is_ascii_digit()));
            let epochs = after_epoch_word(f.desc).and_then(epochs_of);
            if let Some(e) = after_epoch_word(f.desc)
                .and_then(parse::uint_prefix)
                .map(|x| x.0)
            {
                match self.bar_count.epoch_no {
                    // Back at its first epoch: another training run in the
                    // same process (Ultralytics' `model.train()` called
                    // again for a second phase): its steps from now on.
                    // (And another number of epochs, another number of
                    // batches, or the first frame of the first epoch: a
                    // lagging rank's frame of an earlier epoch is not a new
                    // run.)
                    Some(prev)
                        if e < prev
                            && self.bar_count.first_epoch.is_some_and(|f| e <= f)
                            && epochs.is_some()
                            && (epochs != self.bar_count.epochs
                                || f.n <= 1.0
                                || (f.total.is_some()
                                    && self.bar_count.pass_total.is_some()
                                    && f.total != self.bar_count.pass_total)) =>
                    {
                        self.switch_train_bar(idx);
                        self.src[Source::Tqdm.idx()].restarts += 1;
                        self.restarted();
                        // The earlier run's end line does not end this one.
                        self.finished = None;
                    }
                    // A frame of an earlier epoch (a lagging rank's): stale.
                    Some(prev) if e < prev => return,
                    // The next epoch's first frame carries on from the
                    // last count, on the same clock, short of the total:
                    // the count runs over the whole run (the description
                    // only names the epoch it is in).
                    Some(prev)
                        if e == prev + 1
                            && self.bar_count.last_train_n > 0
                            && (0.0..=1.0)
                                .contains(&(f.n - self.bar_count.last_train_n as f64))
                            && f.total.is_some_and(|t| f.n < t)
                            && f.total == self.bar_count.pass_total
                            && f.elapsed_s
                                .is_some_and(|t| t >= self.bar_count.last_elapsed) =>
                    {
                        self.bar_count.counts_on = true;
                        is_epoch = false;
                    }
                    Some(prev) if e > prev => {
                        // Epochs the log does not show (cut out of a pasted
                        // log, or not printed) ran all their batches too.
                        let unseen = match f.total {
                            Some(t) if t >= 1.0 => (t as u64).saturating_mul(e - prev - 1),
                            _ => 0,
                        };
                        self.bar_count.next_pass(unseen);
                    }
                    // Lightning counts epochs from 0: a log that starts at
                    // `Epoch 49` (resumed, or only the tail kept) had 49
                    // epochs of this many batches before it. (`Epoch 1:`
                    // first is a hand-written loop counting from 1, unless
                    // something else says Lightning: its banner lines or
                    // the `v_num` in its bar.)
                    None if e > 0
                        && lightning_desc
                        && (e > 1 || self.lightning_hint() || f.postfix.contains("v_num")) =>
                    {
                        if let Some(t) = f.total {
                            self.bar_count.epoch_offset = (t as u64).saturating_mul(e);
                        }
                    }
                    // Tianshou counts its epochs from 1 (`Epoch #124`, a
                    // resumed run's first frame): the epochs before ran all
                    // their steps.
                    None if e > 1 && f.desc.starts_with("Epoch #") => {
                        if let Some(t) = f.total {
                            self.bar_count.epoch_offset = (t as u64).saturating_mul(e - 1);
                        }
                    }
                    _ => {}
                }
                if self.bar_count.epoch_no.is_none_or(|p| e >= p) {
                    self.bar_count.first_epoch.get_or_insert(e);
                    self.bar_count.epoch_no = Some(e);
                    self.bar_count.epochs = epochs;
                    self.bar_count.pass_total = f.total;
                    self.epoch = Some(e as f64);
                }
            }
            // Lightning writes `Epoch 3:`; hand-written loops `epoch 3:`.
            self.lightning_epoch_bar |= lightning_desc;
            self.lightning_name_copied |= lightning_desc
                && !self.lightning_name_copied
                && f.postfix.contains("global_step=")
                && !f.postfix.contains("v_num");
        }
        let n = if f.n.is_finite() && f.n >= 0.0 {
            // (Less the validation batches counted on it this epoch.)
            (f.n as u64).saturating_sub(self.bar_count.val_n)
        } else {
            0
        };
        // A bar that ran to its total and starts again near 0 is the
        // per-epoch bar of a hand-written loop (`for epoch ...: for b in
        // tqdm(loader)`): count on. (A restarted run starts over before it
        // finishes; a lagging rank is not near 0.) After another bar
        // (its validation loop), anywhere below the total: a capture that
        // kept only some frames (W&B's console log) may not show the start.
        // (Its elapsed time went back, and it is not in the last few
        // percent where a lagging rank's frame would be.)
        let other_between = std::mem::replace(&mut self.other_bar_between, false);
        let restarted_late = other_between
            && f.elapsed_s
                .is_some_and(|e| e + 1.0 <= self.bar_count.last_elapsed);
        if !is_epoch
            && let Some(t) = f.total
            && t >= 1.0
            && self.bar_count.last_train_n as f64 >= t
            && ((n as f64) * 10.0 <= t || (restarted_late && (n as f64) * 100.0 <= t * 95.0))
        {
            self.bar_count.next_pass(0);
            self.bar_count.bar_passes += 1;
        }
        // An epoch bar's total is one epoch's; `Epoch 3/10` says how many.
        let run_total = if is_epoch {
            match (f.total, after_epoch_word(f.desc).and_then(epochs_of)) {
                (Some(t), Some(epochs)) if t >= 1.0 => {
                    // Counted from 0 up to the number shown: YOLOv5's bare
                    // `0/2` rows (the third of three epochs is `2/2`), or a
                    // loop seen to reach the number shown from 0.
                    let from_zero = self.bar_count.first_epoch == Some(0)
                        && (f.desc.starts_with(|c: char| c.is_ascii_digit())
                            || self.bar_count.epoch_no.is_some_and(|e| e >= epochs));
                    Some((t as u64).saturating_mul(epochs.saturating_add(u64::from(from_zero))))
                }
                _ => None,
            }
        } else {
            f.total.map(|t| t as u64)
        };
        let it_rate = f.rate.filter(|_| f.unit == "it" || f.unit.is_empty());
        let (step, t, fresh, repeat) = self.count_bar_frame(
            n,
            f.elapsed_s,
            it_rate,
            run_total,
            !is_epoch && f.total.is_some(),
            ts,
        );
        // Postfix values (`loss=2.3, lr=1e-4`), parsed once per frame.
        if f.postfix.starts_with("v_num") || f.postfix.contains(", v_num") {
            // Lightning's (and NeMo's) bar postfix.
            self.lightning_sign = true;
        }
        let (postfix_loss, lr, samples) = if f.postfix.is_empty() {
            (None, None, None)
        } else {
            // The loss under the first of these names that has one.
            let [l0, l1, l2, l3, l4, l5, lr, samples] = parse::postfix_values(
                f.postfix,
                [
                    "loss",
                    "train_loss",
                    "train_loss_step",
                    "step_loss",
                    "reduced_train_loss",
                    "total_loss",
                    "lr",
                    "consumed_samples",
                ],
            );
            let loss = [l0, l1, l2, l3, l4, l5].into_iter().flatten().next();
            (
                loss.or_else(|| parse::postfix_train_loss(f.postfix)),
                lr,
                samples,
            )
        };
        // torchtune and some hand-written loops put the loss in the
        // description (`1|25|Loss: 1.2345`).
        let loss = postfix_loss.or_else(|| {
            if f.desc.len() <= 4 {
                return None;
            }
            // YOLO's rows: the loss columns its table header named.
            if is_epoch
                && let Some(columns) = self.yolo_loss_columns
                && let Some(l) = parse::yolo_row_loss(f.desc, columns)
            {
                self.yolo_losses = true;
                return Some(l);
            }
            parse::loss_in(f.desc.as_bytes())
        });
        if loss.is_some() {
            self.bars[idx].had_loss = true;
        }
        if let Some(l) = loss {
            self.take_step_loss(Source::Tqdm, step, StepSeen::of(fresh, repeat), l);
        }
        if fresh {
            let mut ev = Event::new(EventKind::Train, Source::Tqdm);
            ev.time = t;
            ev.step = Some(step);
            ev.total_steps = run_total;
            ev.rate = f.rate;
            ev.epoch = self.epoch;
            ev.loss = loss;
            ev.lr = lr;
            ev.samples = samples;
            self.bar_event(ev);
        }
    }

    /// A training bar's new step, `ev`, into the recent events.
    fn bar_event(&mut self, ev: Event) {
        // Bars are chatty: one ring slot holds the latest frame, updated in place.
        if let Some(last) = self.recent.back_mut()
            && last.source == Source::Tqdm
            && last.kind == EventKind::Train
        {
            *last = ev;
            return;
        }
        push_ring(&mut self.recent, ev, RECENT_EVENTS);
    }

    // -----------------------------------------------------------------------
    // output

    fn step_source(&self) -> Option<Source> {
        if let Some(l) = self.locked
            && self.src[l.idx()].last_step.is_some()
            // A framework's own lines win over accompanying ones even
            // before they are many (Megatron logs every N iterations).
            && !(l.is_secondary()
                && Source::ALL
                    .iter()
                    .any(|s| s.is_primary() && self.src[s.idx()].last_step.is_some()))
        {
            return Some(l);
        }
        // Best candidate: a framework's own step lines over DeepSpeed's
        // engine lines, then most records; specific recognisers win ties
        // over tqdm.
        Source::ALL
            .iter()
            .copied()
            .filter(|s| self.src[s.idx()].last_step.is_some())
            .max_by_key(|s| {
                (
                    s.is_primary(),
                    self.src[s.idx()].records,
                    *s != Source::Tqdm,
                )
            })
    }

    fn format(&self, step_src: Option<Source>, errors: &[LogError]) -> Format {
        let base = match step_src {
            Some(s) => s,
            None if self.hf_dicts > 0 => Source::HfDict,
            None if self.rich_bar => Source::RichBar,
            // (No step yet: the trainer's own banner says whose run it is.)
            None if self.hf_banner => return Format::HfTrainer,
            None if self.lightning_banner => return Format::Lightning,
            None => return Format::Unknown,
        };
        match base {
            Source::Tqdm | Source::HfDict => {
                let hf_in_traceback = || {
                    errors.iter().any(|e| {
                        e.traceback
                            .iter()
                            .any(|l| l.contains("transformers/trainer.py"))
                    })
                };
                // (The Trainer's bar has no description: a loop of one's
                // own, `Epoch 1 [ULTRA]:  43%|...`, only loaded a model
                // with transformers, which printed the `[transformers]` line.)
                let trainer_bar = || {
                    self.train_bar
                        .is_none_or(|i| self.bars[i].key.starts_with('|'))
                };
                if self.hf_dicts > 0 || (self.hf_hint && trainer_bar()) || hf_in_traceback() {
                    Format::HfTrainer
                } else if (self.lightning_sign || self.lightning_loop_bars)
                    && !self.lightning_name_copied
                {
                    Format::Lightning
                } else if self.hf_banner
                    && self
                        .train_bar
                        .is_some_and(|i| self.bars[i].key.starts_with('|'))
                {
                    Format::HfTrainer
                } else {
                    Format::Tqdm
                }
            }
            // The HF Trainer under DeepSpeed prints both.
            Source::DeepSpeed | Source::DeepSpeedTimer if self.hf_dicts > 0 => Format::HfTrainer,
            // A hand-written loop under DeepSpeed, or lines of a project's
            // own logger inside a Lightning or HF run.
            Source::Generic
                if Source::ALL
                    .iter()
                    .any(|s| s.is_deepspeed() && self.src[s.idx()].records > 0) =>
            {
                Format::DeepSpeed
            }
            Source::Generic if self.lightning_sign || self.lightning_loop_bars => Format::Lightning,
            Source::Generic if self.hf_dicts > 0 || self.hf_banner => Format::HfTrainer,
            s => s.format(),
        }
    }

    fn build(&self) -> Analysis {
        let step_src = self.step_source();
        let mut errors = self.errors.flushed();
        // (A bar's frame after the prompt: it was answered.)
        if let Some(p) = self
            .prompt
            .as_ref()
            .filter(|p| p.line > self.last_frame_line)
        {
            errors.push(LogError::fatal_at(
                p.prompt.class,
                p.prompt.label.to_string(),
                p.text.clone(),
                p.line,
                p.time,
            ));
        }
        let mut notes = self.zeros.notes();
        notes.extend(self.loss.zero_note());
        if let Some(what) = self.front.read_as() {
            notes.insert(0, format!("read as {what}"));
        }
        // Training that started again after a "fatal" error (an elastic
        // restart, a resumed run appended to the same log) means it did not
        // end the run. It takes a sign of the restart: steps alone can be
        // stdout flushed after a traceback written to stderr.
        {
            let went_on = |e: &LogError| {
                self.restarts.iter().any(|&(line, fresh_at)| {
                    line > e.last_line && self.fresh.count - fresh_at >= STEPS_AFTER_ERROR as u64
                })
            };
            // A failed `pip install` (or apt) is a process of its own: training seen
            // after it ran anyway (a notebook cell, a retried setup).
            // An exception line without its traceback that training went on
            // after (the first time it was printed) was caught and printed;
            // a launch that found its port taken was another process.
            let trained_after = |e: &LogError| {
                // (A logged traceback: training after the latest of them.)
                let since = if e.is_setup_step() || e.is_logged_traceback() || e.is_inline_command()
                {
                    e.last_line
                } else if e.is_bare_exception() || e.is_port_in_use() {
                    e.line
                } else {
                    return false;
                };
                self.fresh.all_after(since)
            };
            // The training bar went on well past it: a bar draws on stderr,
            // unbuffered, as tracebacks are written, so its frames after one
            // came after it (stdout's prints may be flushed after a
            // traceback, a bar's frames are not). The program caught it (a
            // loop that skips a batch that ran out of memory), or another
            // launch began (appended to the same log).
            let bar_went_on = |e: &LogError| self.bar_steps.all_after(e.last_line);
            // A traceback a logger wrote more than once: the program
            // caught it and went on (verl's rollout workers log the same
            // parse failure for every bad sample).
            let caught_again = |e: &LogError| e.is_logged_traceback() && e.count > 1;
            // A run that ended well after it (an HF run's `train_runtime`
            // summary, a `Training completed`): a later launch finished,
            // or the error was not the end. (Not an end sign that later
            // steps took back.)
            let finished_after =
                |e: &LogError| self.end_sign_stands() && self.finished_line > e.last_line;
            // The program said it goes on past it (see `errors_survived`).
            let said_it_goes_on = |e: &LogError| {
                self.survived
                    .iter()
                    .any(|&(from, to)| e.line >= from && e.last_line <= to)
            };
            for e in errors.iter_mut().filter(|e| {
                e.fatal
                    && (went_on(e)
                        || trained_after(e)
                        || bar_went_on(e)
                        || said_it_goes_on(e)
                        || caught_again(e)
                        || finished_after(e))
            }) {
                e.fatal = false;
                let note = format!(
                    "{}: training went on after it (a restart or a recovered error), so it did not end the run",
                    e.label
                );
                if !notes.contains(&note) {
                    notes.push(note);
                }
            }
            // A bare exception line like one printed earlier that the
            // program went on after (the same exception for another
            // sample): caught again.
            let survived: Vec<(String, u64)> = errors
                .iter()
                .filter(|e| !e.fatal && e.is_bare_exception())
                .map(|e| (e.label.clone(), e.line))
                .collect();
            for e in errors.iter_mut().filter(|e| {
                e.fatal
                    && e.is_bare_exception()
                    && survived.iter().any(|(l, at)| *l == e.label && *at < e.line)
            }) {
                e.fatal = false;
            }
        }
        // How the process ended, when the recording knows it: a failure
        // the log does not show (a SIGKILL from the OOM killer leaves no
        // line) is still one. (Not when the log shows its own: a fatal
        // error, or one after the run said it ended, which was judged
        // harmless there: AReaL's launcher raises on a job that completed.)
        if let Some((code, time)) = self.exit
            && !errors
                .iter()
                .any(|e| e.fatal || (self.end_sign_stands() && e.line > self.finished_line))
            && let Some(e) = errors::process_exit_error(code, self.lines + 1, time)
        {
            errors.push(e);
        }
        if (matches!(step_src, Some(Source::Generic | Source::CsvMetrics)) && self.epoch_steps)
            || (step_src == Some(Source::Keras) && self.keras_epoch_steps)
        {
            notes.push("the log reports once per epoch: its steps are epochs".to_string());
        }
        if step_src == Some(Source::Keras) && self.keras_fits > 0 {
            notes.push(format!(
                "Keras started {} more fit() run(s) after the first: steps and timing are the latest one's",
                self.keras_fits
            ));
        }
        let format = self.format(step_src, &errors);
        let last_step = step_src.and_then(|s| self.src[s.idx()].last_step);
        // A total far below the steps reached belongs to another counter (a
        // 2-item loading bar before DeepSpeed's engine counts 1,430 steps).
        // A per-epoch bar (a hand-written loop's) and its loop's own epoch
        // lines (`Epoch 3/15 | trn_loss ...`): that many epochs of its total.
        // The same for epoch-and-batch lines (`Epoch [3][50/2439]`) and
        // the epochs MMCV's runner announces (`max: 200 epochs`).
        let per_epoch_bars = || {
            let per_epoch = match step_src? {
                // (Or a bar named after its epoch, `Train epoch 3`, without
                // their number: super-gradients' under its `Started
                // training for 100 epochs`.)
                Source::Tqdm
                    if self.bar_count.bar_passes > 0
                        || self.train_bar.is_some_and(|tb| self.bars[tb].is_epoch) =>
                {
                    self.bars[self.train_bar?].total.filter(|t| *t >= 1.0)? as u64
                }
                // Epoch summaries under the loop's `Epoch 3/500` headers:
                // the epochs are the steps.
                Source::Generic if self.epoch_steps => {
                    return self.epochs_planned.or(self.keras_epochs_total);
                }
                Source::Generic => self.batches_per_epoch.or(self.generic_epoch_len)?,
                _ => return None,
            };
            self.epochs_planned?.checked_mul(per_epoch)
        };
        // (A hand-written loop's planned iterations over a bar's total when
        // the bar is not what counts the steps: a data bar's `1/1000`.)
        let (first, second) = match step_src {
            Some(Source::Generic) => (self.max_iters, self.source_total),
            _ => (self.source_total, self.max_iters),
        };
        let total_steps = self
            .banner_total
            .or(first)
            .or(second)
            .or_else(per_epoch_bars)
            .filter(|&t| last_step.is_none_or(|l| l <= t.saturating_mul(2)));
        let summary: TimingSummary = step_src
            .map(|s| self.src[s.idx()].timing.summary())
            .unwrap_or_default();

        let inv = |x: Option<f64>| x.filter(|v| *v > 0.0).map(|v| 1.0 / v);
        let steps_per_sec = Rates {
            p25: inv(summary.step_time_p75),
            p50: inv(summary.step_time.p50),
            p90: inv(summary.step_time_p10),
            overall: summary.overall_steps_per_sec,
        };
        let rate_for_derived = steps_per_sec.p50.or(steps_per_sec.overall);
        // nanoGPT: tokens per iteration / block size = sequences per step.
        let samples_per_step =
            self.samples_per_step
                .or(match (self.tokens_per_step, self.block_size) {
                    (Some(t), Some(b)) if b > 0.0 => Some(t / b),
                    _ => None,
                });
        let samples_per_sec = match (rate_for_derived, samples_per_step) {
            (Some(r), Some(b)) => Some(r * b),
            _ => self.reported_samples_per_sec,
        };
        let tokens_per_sec = match (rate_for_derived, self.tokens_per_step) {
            (Some(r), Some(t)) => Some(r * t),
            _ => self.reported_tokens_per_sec,
        };

        let reported_step_time = {
            // Median of reported per-step times, ignoring pause-inflated ones.
            let mut v: Vec<f64> = self
                .reported_step_times
                .iter()
                .copied()
                .filter(|x| x.is_finite() && *x > 0.0)
                .collect();
            v.sort_by(|a, b| a.total_cmp(b));
            if v.is_empty() {
                None
            } else {
                Some(v[v.len() / 2])
            }
        };

        let eval_count = if self.eval_events > 0 {
            self.eval_events
        } else {
            self.eval_bar_episodes
        };
        let reported_eval_mean = if self.eval_runtime_n > 0 {
            Some(self.eval_runtime_sum / self.eval_runtime_n as f64)
        } else {
            None
        };
        let eval = EvalStats {
            count: eval_count,
            mean_s: if summary.eval_pause_count > 0 {
                Some(summary.eval_pause_total_s / summary.eval_pause_count as f64)
            } else {
                reported_eval_mean
            },
            every_steps: median_u64(&self.eval_steps),
            reported_runtime_mean_s: reported_eval_mean,
            last_loss: self.last_eval_loss,
        };
        let checkpoints = CheckpointStats {
            count: self.ckpt_count,
            every_steps: median_u64(&self.ckpt_steps),
            mean_pause_s: if summary.ckpt_pause_count > 0 {
                Some(summary.ckpt_pause_total_s / summary.ckpt_pause_count as f64)
            } else {
                None
            },
        };

        let eta = eta(last_step, total_steps, &summary, &eval, &checkpoints);
        // torchrun's "a worker failed / exited with code 1" reports another
        // error: the worker's own exception, when the log has it, is the news.
        // And in a log of several launches, the latest launch's error. One
        // that ended an earlier launch is history (it stays in the list)
        // once the latest launch trained. (Once it ended well, the end
        // sign already took the fatal mark off what came before it.)
        let last_launch = self.restarts.back().map_or(0, |&(line, _)| line);
        let latest_went_on = self
            .restarts
            .back()
            .is_some_and(|&(_, fresh_at)| self.fresh.count > fresh_at);
        // (Source Python refused ran nothing: a later fatal error is a
        // later invocation's, and the news.)
        let refused_then_ran = |e: &LogError| {
            e.is_source_refused()
                && errors
                    .iter()
                    .any(|o| o.fatal && o.line > e.last_line && !o.is_source_refused())
        };
        // (A collective that failed after another fatal error of another
        // kind, the data running out on half the ranks, is its echo.)
        // (So is a kill after another fatal error, Slurm cancelling the
        // job step once one failed; not one that says memory ran out, which
        // explains the errors before it: Ray's `NODE_OUT_OF_MEMORY` under
        // the actor that died.)
        let echoes_another = |e: &LogError| {
            (e.class == ErrorClass::Distributed
                || (e.class == ErrorClass::Killed && !e.label.contains("memory")))
                && errors.iter().any(|o| {
                    o.fatal
                        && o.class != e.class
                        && o.class != ErrorClass::Killed
                        && o.line < e.line
                        && o.line >= last_launch
                })
        };
        let fatal = errors
            .iter()
            .filter(|e| e.fatal && !(latest_went_on && e.last_line < last_launch))
            .filter(|e| !refused_then_ran(e))
            .min_by_key(|e| {
                (
                    e.line < last_launch,
                    e.restates_another(),
                    echoes_another(e),
                    e.class,
                    e.line,
                )
            });

        let fatal_error = fatal.cloned();
        let study_goes_on = self.study.is_some_and(|s| !s.ended);
        // (A process that exited 0 ended its run, unless it fell short of a
        // known total: a loop that caught its error and returned.)
        let exited_well = matches!(self.exit, Some((0, _)))
            && fatal.is_none()
            && total_steps.is_none()
            && (last_step.is_some() || self.loss.count > 0);
        // The last step the log reports short of the total by less than
        // it reports between steps (mmdetection's `[40][750/760]`, logged
        // every 50; a 0-based loop's step 2999 of 3000), then an evaluation
        // or a checkpoint and no step after it: the plan ran out.
        let plan_ran_out = || {
            let (Some(s), Some(l), Some(t)) = (step_src, last_step, total_steps) else {
                return false;
            };
            let st = &self.src[s.idx()];
            l < t && t - l < st.stride && st.records >= 3 && self.marker_line > st.last_line
        };
        let finished = ((self.end_sign_stands()
            || exited_well
            || matches!((last_step, total_steps), (Some(l), Some(t)) if t > 0 && l >= t)
            || (fatal.is_none() && plan_ran_out()))
            && !study_goes_on)
            || self.study.is_some_and(|s| s.ended);
        if let Some(s) = self.study.filter(|_| study_goes_on) {
            notes.push(format!(
                "a hyperparameter study: {} trial(s) ended, and the log does not say the study did (its `Best trial:`); the steps are the latest trial's",
                s.trials_ended
            ));
        }
        // (A study's trials are progress, whatever else they print.)
        // (Lightning's fit that stopped trained, even with no bar or step
        // line in the log: `enable_progress_bar=False`.)
        // (A counter seen only at 0, a bar drawn at `0/117` and never
        // again, says the loop is about to start, not that it runs.)
        let progress = last_step.is_some_and(|s| s > 0)
            || self.fit_stopped
            || self.loss.count > 0
            || self.final_metrics.is_some()
            || self.study.is_some_and(|s| s.trials_ended > 0);
        // The run diverged: its latest loss, gradient norm or evaluation
        // loss is NaN or infinite (HF goes on printing `'loss': 0.0` after
        // that).
        // No new step for far longer than its steps and pauses take, on the
        // arrival clock, while the log was still being read: a hang.
        let silent_s = match (self.clock, self.observed_until, summary.last_time) {
            (Clock::Arrival, Some(now), Some(last)) if !finished && fatal.is_none() => {
                let pause = [
                    summary.step_time.p90.map(|p| 20.0 * p),
                    (summary.eval_pause_count > 0).then(|| {
                        3.0 * summary.eval_pause_total_s / summary.eval_pause_count as f64
                    }),
                    (summary.ckpt_pause_count > 0).then(|| {
                        3.0 * summary.ckpt_pause_total_s / summary.ckpt_pause_count as f64
                    }),
                ]
                .into_iter()
                .flatten()
                .fold(SILENT_MIN_S, f64::max);
                Some(now - last).filter(|s| *s >= pause)
            }
            _ => None,
        };
        let silent = silent_s.map(|s| format!("no new step for the last {:.0} min", s / 60.0));
        let skipped = self
            .projects
            .deepspeed_skipped
            .and_then(|(step, skipped)| skipped_steps_warning(step, skipped));
        let diverged = if self.loss.nan_count > 0
            && let Some(l) = self.loss.last.filter(|l| !l.is_finite())
        {
            Some(if l.is_nan() {
                "loss is NaN"
            } else {
                "loss is infinite"
            })
        } else if self.loss.zero_since_nan && self.loss.last == Some(0.0) {
            Some("loss went NaN, then 0.0")
        } else if self.zeros.diverged() {
            Some(self.zeros.divergence())
        } else if skipped.is_some() {
            skipped.as_deref()
        } else if self.last_eval_loss.is_some_and(|l| !l.is_finite()) {
            Some("evaluation loss is NaN")
        } else if self.stopped_diverged {
            Some("stopped: the loss grew past its upper bound")
        } else {
            silent.as_deref()
        };
        // The run said it ended, and then something failed (a sample
        // generated after training, an upload, a script's next line): the
        // training completed; what failed after it is still said.
        let after_the_end = fatal.filter(|f| self.end_sign_stands() && f.line > self.finished_line);
        let verdict = if let Some(f) = after_the_end {
            format!("completed (then failed: {})", f.label)
        } else if let Some(f) = fatal {
            // (An exception with no known signature right after the loss went
            // NaN: DINOv2's bare `raise AssertionError`. The NaN is the news.)
            let nan_last = self.loss.last.is_some_and(|l| !l.is_finite());
            match diverged.filter(|_| f.is_unknown_exception() && nan_last) {
                Some(what) => format!("fatal: {} (after: {what})", f.label),
                None => format!("fatal: {}", f.label),
            }
        } else if !progress {
            "no training progress recognised".to_string()
        } else if let (true, Some(what)) = (finished, diverged) {
            format!("completed (warning: {what})")
        } else if finished {
            "completed".to_string()
        } else if let Some(what) = diverged {
            format!("progressing (warning: {what})")
        } else if last_step.is_none() && self.study.is_none() {
            "progressing (loss reported, step unknown)".to_string()
        } else {
            "progressing".to_string()
        };

        if self.rich_bar {
            notes.push("Lightning rich progress bar: in a non-TTY log nothing streams until the run ends, so live throughput cannot come from this log; use GPU telemetry or checkpoint mtimes, or ask for TQDMProgressBar/CSVLogger".to_string());
        }
        if progress && self.bursts.block_buffered(self.clock) {
            notes.push("the output arrives in bursts: the program's stdout is block-buffered (as into a file or a pipe), so step times are measured over whole bursts; run Python with `-u` or `PYTHONUNBUFFERED=1` to see each step as it happens".to_string());
        }
        if progress && summary.intervals == 0 {
            match self.clock {
                Clock::None => notes.push(
                    "no arrival times and no timestamps in the log: step rate not measured"
                        .to_string(),
                ),
                _ => notes.push(
                    "fewer than two timed step observations: step rate not measured yet"
                        .to_string(),
                ),
            }
            if reported_step_time.is_some() || self.bar_rate.is_some() {
                notes.push(
                    "see `reported` for the framework's own (smoothed or averaged) speed"
                        .to_string(),
                );
            }
        }
        if summary.inseparable {
            notes.push("every timed interval contained an eval or checkpoint (checks too far apart?): step time includes them".to_string());
        }
        if self.clock == Clock::BarElapsed {
            notes.push("timing from the tqdm bar's elapsed field (1 s resolution)".to_string());
        }
        if summary.intervals > 0 && summary.window_intervals < 10 {
            notes.push(format!(
                "low confidence: only {} post-warm-up intervals",
                summary.window_intervals
            ));
        }
        // (With a batch size but no step rate, the timing notes say why.)
        if last_step.is_some() && samples_per_sec.is_none() && samples_per_step.is_none() {
            notes.push("samples/s unknown (no batch size in the log)".to_string());
        }
        if last_step.is_some() && total_steps.is_none() {
            notes.push("total steps unknown".to_string());
        }
        if self.errors.dropped > 0 {
            notes.push(format!(
                "{} further distinct errors not kept",
                self.errors.dropped
            ));
        }
        if self.truncated_lines > 0 {
            notes.push(format!(
                "{} over-long lines truncated to {} bytes",
                self.truncated_lines,
                super::MAX_LINE_BYTES
            ));
        }
        if let Some(per_epoch) = self.projects.epoch_steps.per_epoch
            && step_src == Some(Source::HfDict)
        {
            notes.push(format!(
                "steps estimated from the dicts' epochs ({per_epoch:.0} steps an epoch, from the trainer's banner)"
            ));
        }
        if self.yolo_losses {
            notes.push(
                "loss is the sum of the loss columns of YOLO's epoch table (box, cls, dfl, ...)"
                    .to_string(),
            );
        }
        if let Some(s) = step_src {
            let restarts = self.src[s.idx()].restarts;
            if restarts > 0 {
                notes.push(format!("step counter restarted {restarts} time(s) (a new run appended to the log?); timing restarted with it"));
            }
            let oo = self.src[s.idx()].out_of_order;
            if oo > 0 {
                notes.push(format!(
                    "{oo} out-of-order step records ignored (other ranks or a restarted run)"
                ));
            }
        }

        let (tr, ts, tst) = self.final_metrics.unwrap_or((None, None, None));
        Analysis {
            format,
            step_source: step_src,
            verdict,
            finished,
            last_step,
            total_steps,
            epoch: self.epoch,
            steps_per_sec,
            step_time_s: summary.step_time,
            samples_per_sec,
            tokens_per_sec,
            pauses: Pauses {
                count: summary.pause_count,
                total_s: summary.pause_total_s,
            },
            eta,
            eval,
            checkpoints,
            loss: LossStats {
                first: self.loss.first,
                last: self.loss.last,
                min: self.loss.min,
                count: self.loss.count,
                nan_count: self.loss.nan_count,
                rel_change: self.loss.rel_change(),
            },
            reported: Reported {
                bar_rate: self.bar_rate,
                step_time_s: reported_step_time,
                samples_per_sec: self.reported_samples_per_sec,
                tokens_per_sec: self.reported_tokens_per_sec,
                train_runtime_s: tr,
                train_samples_per_sec: ts,
                train_steps_per_sec: tst,
            },
            warnings: self.errors.warnings,
            errors,
            fatal_error,
            clock: self.clock,
            timing_intervals: summary.intervals,
            timing_window: summary.window_intervals,
            notes,
            recent: self.recent.iter().cloned().collect(),
            input: InputStats {
                bytes: self.front.bytes,
                lines: self.lines,
                truncated_lines: self.truncated_lines,
                redraw_lines: self.redraw_lines,
            },
        }
    }
}

/// Multiples of `every` in `(done, total]`.
fn remaining_multiples(done: u64, total: u64, every: Option<u64>) -> Option<u64> {
    let e = every.filter(|e| *e > 0)?;
    Some((total / e).saturating_sub(done / e))
}

fn eta(
    last: Option<u64>,
    total: Option<u64>,
    t: &TimingSummary,
    eval: &EvalStats,
    ckpt: &CheckpointStats,
) -> Eta {
    let (Some(last), Some(total)) = (last, total) else {
        return Eta::default();
    };
    let remaining = total.saturating_sub(last);
    let n_eval = remaining_multiples(last, total, eval.every_steps);
    let n_ckpt = remaining_multiples(last, total, ckpt.every_steps);
    // A save right after an eval is measured as part of the eval pause.
    let extra = n_eval.unwrap_or(0) as f64 * eval.mean_s.unwrap_or(0.0)
        + if eval.every_steps == ckpt.every_steps {
            0.0
        } else {
            n_ckpt.unwrap_or(0) as f64 * ckpt.mean_pause_s.unwrap_or(0.0)
        };
    let f = |st: Option<f64>| st.map(|st| remaining as f64 * st + extra);
    Eta {
        remaining_steps: Some(remaining),
        optimistic_s: f(t.step_time.p25),
        base_s: f(t.step_time.p50),
        pessimistic_s: f(t.step_time.p90),
        remaining_evals: n_eval,
        remaining_checkpoints: n_ckpt,
    }
}

fn fmt_opt(v: Option<f64>, digits: usize) -> String {
    match v {
        Some(x) if x.is_finite() => format!("{x:.digits$}"),
        Some(x) => format!("{x}"),
        None => "-".to_string(),
    }
}

impl Analysis {
    /// The format for people: its name, and for frameworks outside the
    /// format list whose lines gave the steps (`unknown (fairseq lines)`).
    pub fn format_label(&self) -> String {
        match self.step_source {
            Some(src) if self.format == Format::Unknown && src != Source::Generic => {
                format!("unknown ({} lines)", src.name())
            }
            _ => self.format.as_str().to_string(),
        }
    }

    /// Whether any fatal error was found.
    pub fn has_fatal(&self) -> bool {
        self.errors.iter().any(|e| e.fatal)
    }

    pub fn error_classes(&self) -> Vec<ErrorClass> {
        self.errors.iter().map(|e| e.class).collect()
    }

    /// Human-readable summary for the CLI.
    pub fn render_text(&self) -> String {
        let mut s = String::new();
        s.push_str(&format!("verdict:  {}\n", self.verdict));
        s.push_str(&format!("format:   {}\n", self.format_label()));
        let step = match (self.last_step, self.total_steps) {
            (Some(l), Some(t)) => format!(
                "{l}/{t} ({:.1}%)",
                if t > 0 {
                    100.0 * l as f64 / t as f64
                } else {
                    0.0
                }
            ),
            (Some(l), None) => format!("{l} (total unknown)"),
            (None, _) => "-".to_string(),
        };
        s.push_str(&format!("step:     {step}"));
        if let Some(e) = self.epoch {
            s.push_str(&format!("  epoch {e}"));
        }
        s.push('\n');
        let r = &self.steps_per_sec;
        s.push_str(&format!(
            "speed:    {} steps/s median (p25 {}, p90 {}), overall {} incl. pauses\n",
            fmt_opt(r.p50, 3),
            fmt_opt(r.p25, 3),
            fmt_opt(r.p90, 3),
            fmt_opt(r.overall, 3)
        ));
        if let Some(p50) = self.step_time_s.p50 {
            s.push_str(&format!(
                "step:     {:.1} ms median (p25 {} ms, p90 {} ms)\n",
                p50 * 1000.0,
                fmt_opt(self.step_time_s.p25.map(|x| x * 1000.0), 1),
                fmt_opt(self.step_time_s.p90.map(|x| x * 1000.0), 1)
            ));
        }
        if let (Some(b), Some(r)) = (self.eta.base_s, self.eta.remaining_steps)
            && r > 0
        {
            s.push_str(&format!(
                "eta:      {:.0} s ({} - {} s) for {r} steps\n",
                b,
                fmt_opt(self.eta.optimistic_s, 0),
                fmt_opt(self.eta.pessimistic_s, 0)
            ));
        }
        if self.samples_per_sec.is_some() || self.tokens_per_sec.is_some() {
            s.push_str(&format!(
                "data:     {} samples/s, {} tokens/s\n",
                fmt_opt(self.samples_per_sec, 1),
                fmt_opt(self.tokens_per_sec, 0)
            ));
        }
        s.push_str(&format!(
            "pauses:   {} ({:.1} s lost)",
            self.pauses.count, self.pauses.total_s
        ));
        if self.eval.count > 0 {
            s.push_str(&format!(
                "; eval x{} every {} steps, {} s each",
                self.eval.count,
                self.eval
                    .every_steps
                    .map_or("?".to_string(), |v| v.to_string()),
                fmt_opt(self.eval.mean_s, 2)
            ));
        }
        if self.checkpoints.count > 0 {
            s.push_str(&format!("; checkpoints x{}", self.checkpoints.count));
        }
        s.push('\n');
        s.push_str(&format!(
            "loss:     {} -> {} (min {}, {} values{})\n",
            fmt_opt(self.loss.first, 4),
            fmt_opt(self.loss.last, 4),
            fmt_opt(self.loss.min, 4),
            self.loss.count,
            if self.loss.nan_count > 0 {
                format!(", {} NaN", self.loss.nan_count)
            } else {
                String::new()
            }
        ));
        let rep = &self.reported;
        if rep.bar_rate.is_some() || rep.step_time_s.is_some() || rep.train_runtime_s.is_some() {
            s.push_str("reported:");
            if let Some(b) = rep.bar_rate {
                s.push_str(&format!(" bar {b:.2} it/s;"));
            }
            if let Some(t) = rep.step_time_s {
                s.push_str(&format!(" {:.1} ms/step;", t * 1000.0));
            }
            if let Some(t) = rep.train_runtime_s {
                s.push_str(&format!(
                    " train_runtime {t:.1} s, {} steps/s;",
                    fmt_opt(rep.train_steps_per_sec, 3)
                ));
            }
            s.push('\n');
        }
        for e in &self.errors {
            s.push_str(&format!(
                "{}:    [{}] {} x{}: {}\n",
                if e.fatal { "FATAL" } else { "warn " },
                e.class.as_str(),
                e.label,
                e.count,
                e.message
            ));
        }
        for n in &self.notes {
            s.push_str(&format!("note:     {n}\n"));
        }
        s
    }
}
