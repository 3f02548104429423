//! The analysis of a whole file on two cores, for `canopy analyze` on big
//! logs: one thread splits the bytes into lines and finds each line's
//! [`LineFacts`] (the stateless half of the work, tqdm frames parsed, most
//! of them read from the frame before: see [`FrameMemo`]) and reads the
//! dicts of plain lines ahead ([`read_ahead`]), the other runs the
//! analyzer's state machine on them (a bar's frames after the first in a
//! steady path that their memo allows). The result is exactly
//! [`LogAnalyzer::push`] over the same chunks followed by
//! [`LogAnalyzer::finish`]; the tests check that on every trace.
//!
//! The watcher does not use this: it feeds a few KiB per check, where a
//! second thread would only add latency.

use std::sync::mpsc::sync_channel;

use super::analyzer::{Analysis, LogAnalyzer};
use super::normalize::{LineFlags, leading_spaces};
use super::parse::{FrameMemo, HfDict, hf_dict};
use super::split::{ErrorScan, LineFacts, LineSplitter};

/// Batches in flight between the threads (bounds memory: a few MiB).
const IN_FLIGHT: usize = 4;

/// One line of a batch. Kept small (88 bytes): the analyzer thread reads
/// one per line, after the other core wrote it.
struct LineRec {
    start: usize,
    /// At most [`super::normalize::MAX_LINE_BYTES`].
    len: u32,
    /// The line lies in the batch's read buffer (most lines), not in
    /// `copied` (cleaned or joined across reads by the normaliser).
    in_chunk: bool,
    flags: LineFlags,
    /// Arrival time; NaN when unknown (known times are finite).
    time: f64,
    facts: LineFacts,
}

// (Size matters here: see `LineRec`.)
const _: () = assert!(std::mem::size_of::<LineRec>() <= 88);

/// The lines completed while splitting one piece of input, referenced where
/// they lie (the read buffer travels with the batch) rather than copied.
#[derive(Default)]
struct Batch {
    chunk: Vec<u8>,
    copied: Vec<u8>,
    lines: Vec<LineRec>,
    /// The dicts read ahead (see [`read_ahead`]), in line order.
    dicts: Vec<DictAhead>,
    /// Input bytes the splitter had seen when this batch was sent.
    input_bytes: u64,
    /// How the splitter read them (see [`LineSplitter::read_as`]).
    read_as: Option<&'static str>,
}

impl Batch {
    fn line(&self, rec: &LineRec) -> &[u8] {
        let from = if rec.in_chunk {
            &self.chunk
        } else {
            &self.copied
        };
        &from[rec.start..rec.start + rec.len as usize]
    }

    fn clear(&mut self) {
        self.copied.clear();
        self.lines.clear();
        self.dicts.clear();
    }

    /// The front thread's work on the read in `chunk` (arrived at
    /// `arrival`): its completed lines, with their facts.
    fn split_read(&mut self, split: &mut Splitting, arrival: Option<f64>) {
        let Batch {
            chunk,
            copied,
            lines,
            dicts,
            ..
        } = self;
        let Splitting { split, memo } = split;
        split.push(chunk, arrival, |line, flags, time| {
            add_line(chunk, copied, lines, dicts, memo, line, flags, time)
        });
        self.input_bytes = split.bytes;
        self.read_as = split.read_as();
    }

    /// End of input: the unfinished last line, if any.
    fn split_end(&mut self, split: &mut Splitting) {
        let Batch {
            copied,
            lines,
            dicts,
            ..
        } = self;
        let Splitting { split, memo } = split;
        split.flush(|line, flags, time| {
            add_line(&[], copied, lines, dicts, memo, line, flags, time)
        });
        self.input_bytes = split.bytes;
        self.read_as = split.read_as();
    }

    /// The back thread's work on this batch.
    fn analyze(&self, analyzer: &mut LogAnalyzer) {
        let mut dicts = self.dicts.iter().peekable();
        for (i, rec) in self.lines.iter().enumerate() {
            let time = Some(rec.time).filter(|t| !t.is_nan());
            let dict = dicts.next_if(|d| d.line == i).map(|d| (d.from, &d.dict));
            analyzer.take_line(self.line(rec), rec.flags, time, rec.facts, dict);
        }
        analyzer.set_input(self.input_bytes, self.read_as);
    }
}

/// The front thread's state: the splitter, and the last frame it parsed
/// in the usual form (see [`FrameMemo`]).
#[derive(Default)]
struct Splitting {
    split: LineSplitter,
    memo: FrameMemo,
}

/// Record `line` in `lines`: where it lies in `chunk`, or copied into
/// `copied` when it lies elsewhere.
#[allow(clippy::too_many_arguments)]
fn add_line(
    chunk: &[u8],
    copied: &mut Vec<u8>,
    lines: &mut Vec<LineRec>,
    dicts: &mut Vec<DictAhead>,
    memo: &mut FrameMemo,
    line: &[u8],
    flags: LineFlags,
    time: Option<f64>,
) {
    let offset = (line.as_ptr() as usize).wrapping_sub(chunk.as_ptr() as usize);
    let (start, in_chunk) = if offset <= chunk.len() && line.len() <= chunk.len() - offset {
        (offset, true)
    } else {
        copied.extend_from_slice(line);
        (copied.len() - line.len(), false)
    };
    debug_assert!(line.len() <= super::normalize::MAX_LINE_BYTES);
    lines.push(LineRec {
        start,
        len: line.len() as u32,
        in_chunk,
        flags,
        time: time.unwrap_or(f64::NAN),
        facts: LineFacts::Plain(ErrorScan::Unscanned),
    });
    // (Found in place: see `LineFacts::scan_into`.)
    if let Some(rec) = lines.last_mut() {
        LineFacts::scan_into(line, &mut rec.facts, memo);
        if let LineFacts::Plain(_) = rec.facts
            && let Some((from, dict)) = read_ahead(line)
        {
            dicts.push(DictAhead {
                line: lines.len() - 1,
                from,
                dict,
            });
        }
    }
}

/// A dict read ahead: the line's index in its batch, where the text read
/// starts in it, and what [`hf_dict`] made of the text.
struct DictAhead {
    line: usize,
    from: usize,
    dict: Option<HfDict>,
}

/// A plain line (no prefix, no frame) that opens a dict: what
/// [`hf_dict`] makes of it, read here so that the analyzer's thread need
/// not (the HF Trainer's log lines, a tenth of its work on the traces).
/// The text is the analyzer's: the line decoded, its leading spaces
/// stepped over (all the trimming there is before a `{`); where it starts
/// in the line, and the dict.
fn read_ahead(line: &[u8]) -> Option<(usize, Option<HfDict>)> {
    // (A cheap test first: most lines open no dict.)
    let from = leading_spaces(line);
    if line.get(from) != Some(&b'{') {
        return None;
    }
    // (Only text the analyzer reads in place: valid UTF-8.)
    let text = std::str::from_utf8(line).ok()?;
    Some((from, hf_dict(&text[from..])))
}

/// Each half of the two-thread pipeline on its own, for benchmarks
/// (`benches/log_pipeline.rs`): which thread limits the pair, and what a
/// change costs each, measured without the other thread's noise.
#[doc(hidden)]
pub mod halves {
    use super::{Batch, LogAnalyzer, READ_CHUNK, Splitting};

    /// The front thread's output for a whole input, kept in memory (its
    /// buffers reused from one [`split`] to the next, as the pipeline
    /// recycles its batches).
    #[derive(Default)]
    pub struct SplitInput(Vec<Batch>);

    /// The front thread's work: `bytes` in [`READ_CHUNK`] reads (copied into
    /// the batches, as reads from a file are), split into lines with their
    /// facts, into `out`.
    pub fn split(bytes: &[u8], out: &mut SplitInput) {
        let mut split = Splitting::default();
        let pieces = bytes.chunks(READ_CHUNK);
        out.0.resize_with(pieces.len() + 1, Batch::default);
        for (piece, batch) in pieces.zip(&mut out.0) {
            batch.clear();
            batch.chunk.clear();
            batch.chunk.extend_from_slice(piece);
            batch.split_read(&mut split, None);
        }
        let last = out.0.last_mut().expect("one batch more than pieces");
        last.clear();
        last.chunk.clear();
        last.split_end(&mut split);
    }

    /// The back thread's work over a split input; the line count.
    pub fn analyze(input: &SplitInput) -> u64 {
        let mut analyzer = LogAnalyzer::new();
        for batch in &input.0 {
            batch.analyze(&mut analyzer);
        }
        analyzer.finish().input.lines
    }
}

/// Bytes per read in [`analyze_reader_two_threads`]: big enough to be
/// fast, small enough to keep memory flat.
pub const READ_CHUNK: usize = 256 * 1024;

/// [`analyze_two_threads`] over a reader (a plain file: no arrival times),
/// [`READ_CHUNK`] bytes a read; its first error stops the analysis.
pub fn analyze_reader_two_threads(mut reader: impl std::io::Read) -> std::io::Result<Analysis> {
    analyze_two_threads(|buf| {
        buf.resize(READ_CHUNK, 0);
        let n = loop {
            match reader.read(buf) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                r => break r?,
            }
        };
        buf.truncate(n);
        Ok((n > 0).then_some(None))
    })
}

/// Analyse a stream on two threads. `next` fills the buffer it is given
/// with the next chunk (replacing its contents) and returns
/// `Ok(Some(arrival))` (the chunk's arrival time, `None` for a plain file),
/// or `Ok(None)` at the end; its first error stops the analysis and is
/// returned. `next` runs on the calling thread.
pub fn analyze_two_threads<E>(
    mut next: impl FnMut(&mut Vec<u8>) -> Result<Option<Option<f64>>, E>,
) -> Result<Analysis, E> {
    std::thread::scope(|scope| {
        let (full_tx, full_rx) = sync_channel::<Batch>(IN_FLIGHT);
        let (empty_tx, empty_rx) = sync_channel::<Batch>(IN_FLIGHT + 2);
        let back = scope.spawn(move || {
            let mut analyzer = LogAnalyzer::new();
            for mut batch in full_rx {
                batch.analyze(&mut analyzer);
                batch.clear();
                // Give the buffers back; when the front has enough, drop them.
                let _ = empty_tx.try_send(batch);
            }
            analyzer.finish()
        });

        let mut split = Splitting::default();
        let mut outcome = Ok(());
        loop {
            let mut batch = empty_rx.try_recv().unwrap_or_default();
            match next(&mut batch.chunk) {
                Err(e) => {
                    outcome = Err(e);
                    break;
                }
                Ok(None) => {
                    batch.split_end(&mut split);
                    let _ = full_tx.send(batch);
                    break;
                }
                Ok(Some(arrival)) => batch.split_read(&mut split, arrival),
            }
            if full_tx.send(batch).is_err() {
                // The analyzer thread is gone (it panicked): stop reading;
                // `join` below reports it.
                break;
            }
        }
        drop(full_tx);
        let analysis = match back.join() {
            Ok(a) => a,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        outcome.map(|()| analysis)
    })
}
