//! The analysis of a whole file on two cores, for `canopy analyze` on big
//! logs: one thread splits the bytes into lines and finds each line's
//! [`LineFacts`] (the stateless half of the work, tqdm frames parsed), the
//! other runs the analyzer's state machine on them. The result is exactly
//! [`LogAnalyzer::push`] over the same chunks followed by
//! [`LogAnalyzer::finish`]; the tests check that on every trace.
//!
//! The watcher does not use this: it feeds a few KiB per check, where a
//! second thread would only add latency.

use std::sync::mpsc::sync_channel;

use super::analyzer::{Analysis, LogAnalyzer};
use super::normalize::LineFlags;
use super::split::{LineFacts, LineSplitter};

/// Batches in flight between the threads (bounds memory: a few MiB).
const IN_FLIGHT: usize = 4;

/// Where a line's bytes are.
#[derive(Clone, Copy)]
enum At {
    /// In the batch's read buffer (most lines, when streaming).
    Chunk,
    /// In the caller's whole input (most lines, for bytes in memory).
    Input,
    /// In the batch's `copied` (cleaned or joined across reads).
    Copied,
}

struct LineRec {
    start: usize,
    end: usize,
    at: At,
    flags: LineFlags,
    time: Option<f64>,
    facts: LineFacts,
}

/// The lines completed while splitting one piece of input, referenced where
/// they lie (the read buffer travels with the batch) rather than copied.
#[derive(Default)]
struct Batch {
    chunk: Vec<u8>,
    copied: Vec<u8>,
    lines: Vec<LineRec>,
    /// Input bytes the splitter had seen when this batch was sent.
    input_bytes: u64,
}

impl Batch {
    fn line<'a>(&'a self, input: &'a [u8], rec: &LineRec) -> &'a [u8] {
        let from = match rec.at {
            At::Chunk => &self.chunk,
            At::Input => input,
            At::Copied => &self.copied,
        };
        &from[rec.start..rec.end]
    }

    fn clear(&mut self) {
        self.copied.clear();
        self.lines.clear();
    }
}

/// Record `line` in `lines`: where it lies in `within` (tagged `at`), or
/// copied into `copied` when it lies elsewhere.
fn add_line(
    within: (&[u8], At),
    copied: &mut Vec<u8>,
    lines: &mut Vec<LineRec>,
    line: &[u8],
    flags: LineFlags,
    time: Option<f64>,
) {
    let (buf, tag) = within;
    let offset = (line.as_ptr() as usize).wrapping_sub(buf.as_ptr() as usize);
    let (start, at) = if offset <= buf.len() && line.len() <= buf.len() - offset {
        (offset, tag)
    } else {
        copied.extend_from_slice(line);
        (copied.len() - line.len(), At::Copied)
    };
    lines.push(LineRec {
        start,
        end: start + line.len(),
        at,
        flags,
        time,
        facts: LineFacts::of(line),
    });
}

/// What the front gets next.
enum Piece<'a> {
    /// A read, now in the batch's buffer, with its arrival time.
    Read(Option<f64>),
    /// The next part of the caller's input.
    Borrowed(&'a [u8]),
    End,
}

/// Analyse a stream on two threads. `next` fills the buffer it is given
/// with the next chunk (replacing its contents) and returns
/// `Ok(Some(arrival))` (the chunk's arrival time, `None` for a plain file),
/// or `Ok(None)` at the end; its first error stops the analysis and is
/// returned. `next` runs on the calling thread.
pub fn analyze_two_threads<E>(
    mut next: impl FnMut(&mut Vec<u8>) -> Result<Option<Option<f64>>, E>,
) -> Result<Analysis, E> {
    drive(&[], |buf| {
        Ok(match next(buf)? {
            Some(arrival) => Piece::Read(arrival),
            None => Piece::End,
        })
    })
}

/// [`analyze_two_threads`] over bytes already in memory (a mapped file, no
/// arrival times): lines are read where they lie, never copied.
pub fn analyze_bytes_two_threads(input: &[u8]) -> Analysis {
    analyze_windows(input, WINDOW)
}

/// [`analyze_bytes_two_threads`], splitting `input` `window` bytes at a time.
pub(crate) fn analyze_windows(input: &[u8], window: usize) -> Analysis {
    let mut pieces = input.chunks(window.max(1));
    let read = drive::<std::convert::Infallible>(input, |_| {
        Ok(pieces.next().map_or(Piece::End, Piece::Borrowed))
    });
    match read {
        Ok(a) => a,
        Err(never) => match never {},
    }
}

/// Bytes of in-memory input split per batch.
const WINDOW: usize = 256 * 1024;

/// The two threads. `next` gives the front its next piece (a read into
/// the buffer it is handed, or a part of `input`).
fn drive<'i, E>(
    input: &'i [u8],
    mut next: impl FnMut(&mut Vec<u8>) -> Result<Piece<'i>, E>,
) -> Result<Analysis, E> {
    std::thread::scope(|scope| {
        let (full_tx, full_rx) = sync_channel::<Batch>(IN_FLIGHT);
        let (empty_tx, empty_rx) = sync_channel::<Batch>(IN_FLIGHT + 2);
        let back = scope.spawn(move || {
            let mut analyzer = LogAnalyzer::new();
            for mut batch in full_rx {
                for rec in &batch.lines {
                    let line = batch.line(input, rec);
                    analyzer.take_line(line, rec.flags, rec.time, rec.facts);
                }
                analyzer.set_input_bytes(batch.input_bytes);
                batch.clear();
                // Give the buffers back; when the front has enough, drop them.
                let _ = empty_tx.try_send(batch);
            }
            analyzer.finish()
        });

        let mut split = LineSplitter::default();
        let mut outcome = Ok(());
        loop {
            let mut batch = empty_rx.try_recv().unwrap_or_default();
            let Batch {
                chunk,
                copied,
                lines,
                ..
            } = &mut batch;
            match next(chunk) {
                Err(e) => {
                    outcome = Err(e);
                    break;
                }
                Ok(Piece::End) => {
                    split.flush(|line, flags, time| {
                        add_line((&[], At::Copied), copied, lines, line, flags, time)
                    });
                    batch.input_bytes = split.bytes;
                    let _ = full_tx.send(batch);
                    break;
                }
                Ok(Piece::Read(arrival)) => {
                    split.push(chunk, arrival, |line, flags, time| {
                        add_line((chunk, At::Chunk), copied, lines, line, flags, time)
                    });
                }
                Ok(Piece::Borrowed(part)) => {
                    split.push(part, None, |line, flags, time| {
                        add_line((input, At::Input), copied, lines, line, flags, time)
                    });
                }
            }
            batch.input_bytes = split.bytes;
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
