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

/// Lines are handed over in batches of about this many bytes.
const BATCH_BYTES: usize = 256 * 1024;
/// Batches in flight between the threads (bounds memory: a few MiB).
const IN_FLIGHT: usize = 4;

struct LineRec {
    start: usize,
    end: usize,
    flags: LineFlags,
    time: Option<f64>,
    facts: LineFacts,
}

/// Lines copied out of the reader's buffer, with what was learned of them.
#[derive(Default)]
struct Batch {
    bytes: Vec<u8>,
    lines: Vec<LineRec>,
    /// Input bytes the splitter had seen when this batch was sent.
    input_bytes: u64,
}

impl Batch {
    fn add(&mut self, line: &[u8], flags: LineFlags, time: Option<f64>) {
        let start = self.bytes.len();
        self.bytes.extend_from_slice(line);
        self.lines.push(LineRec {
            start,
            end: self.bytes.len(),
            flags,
            time,
            facts: LineFacts::of(line),
        });
    }

    fn clear(&mut self) {
        self.bytes.clear();
        self.lines.clear();
    }
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
                for rec in &batch.lines {
                    let line = &batch.bytes[rec.start..rec.end];
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
        let mut buf = Vec::new();
        let mut batch = Batch::default();
        let mut outcome = Ok(());
        loop {
            match next(&mut buf) {
                Err(e) => {
                    outcome = Err(e);
                    break;
                }
                Ok(None) => break,
                Ok(Some(arrival)) => {
                    split.push(&buf, arrival, |line, flags, time| {
                        batch.add(line, flags, time)
                    });
                    if batch.bytes.len() >= BATCH_BYTES {
                        batch.input_bytes = split.bytes;
                        let fresh = empty_rx.try_recv().unwrap_or_default();
                        if full_tx.send(std::mem::replace(&mut batch, fresh)).is_err() {
                            // The analyzer thread is gone (it panicked):
                            // stop reading; `join` below reports it.
                            break;
                        }
                    }
                }
            }
        }
        if outcome.is_ok() {
            split.flush(|line, flags, time| batch.add(line, flags, time));
            batch.input_bytes = split.bytes;
            let _ = full_tx.send(batch);
        }
        drop(full_tx);
        let analysis = match back.join() {
            Ok(a) => a,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        outcome.map(|()| analysis)
    })
}
