//! The stateless front half of the analyzer: bytes -> timed lines
//! ([`LineSplitter`]) and what can be learned from one line on its own
//! ([`LineFacts`]). [`super::LogAnalyzer::push`] runs both inline; the
//! two-thread driver in [`super::parallel`] runs them on a second core.

use super::normalize::{LineFlags, Normalizer, no_log_prefix};
use super::parse::{RawFrame, parse_tqdm_bytes};

/// Normaliser plus the arrival-time bookkeeping: each line gets the arrival
/// time of the read that completed it, except that a line made only of
/// bytes that arrived earlier keeps their time (tqdm writes `\r` *before*
/// each frame, so a frame is terminated by the next one).
#[derive(Debug, Clone, Default)]
pub(crate) struct LineSplitter {
    norm: Normalizer,
    /// Arrival time of the bytes of the unfinished line.
    pending_time: Option<f64>,
    /// Input bytes seen.
    pub(crate) bytes: u64,
}

impl LineSplitter {
    /// Split `bytes` (read at `arrival_secs`, if known); `emit` gets each
    /// completed line with its flags and time.
    pub(crate) fn push<F: FnMut(&[u8], LineFlags, Option<f64>)>(
        &mut self,
        bytes: &[u8],
        arrival_secs: Option<f64>,
        mut emit: F,
    ) {
        self.bytes += bytes.len() as u64;
        let arrival = arrival_secs.filter(|t| t.is_finite());
        let held_cr = self.norm.holds_cr();
        let carried = self.norm.pending_bytes() > 0 || held_cr;
        let first_term = bytes.iter().position(|&b| b == b'\n' || b == b'\r');
        let first_time = if carried && (held_cr || first_term == Some(0)) {
            self.pending_time.or(arrival)
        } else {
            arrival
        };
        let mut first = true;
        self.norm.push_raw(bytes, |line, flags| {
            let t = if first { first_time } else { arrival };
            first = false;
            emit(line, flags, t);
        });
        let tail_has_content = match bytes.iter().rposition(|&b| b == b'\n' || b == b'\r') {
            Some(p) => p + 1 < bytes.len() || bytes[p] == b'\r',
            None => !bytes.is_empty(),
        };
        if tail_has_content {
            self.pending_time = arrival;
        }
    }

    /// End of input: emit the unfinished last line, if any.
    pub(crate) fn flush<F: FnMut(&[u8], LineFlags, Option<f64>)>(&mut self, mut emit: F) {
        let t = self.pending_time;
        self.norm.finish_raw(|line, flags| emit(line, flags, t));
    }
}

/// What one cleaned line is, decided from its bytes alone (no analyzer
/// state), so this part of the work can run ahead on another thread.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum LineFacts {
    /// Starts with something that may be a log prefix (timestamp, rank,
    /// level): the general path strips it first.
    Prefixed,
    /// No prefix, and a tqdm frame.
    Frame(RawFrame),
    /// No prefix and no frame.
    Plain,
}

impl LineFacts {
    pub(crate) fn of(line: &[u8]) -> LineFacts {
        if !no_log_prefix(line) {
            return LineFacts::Prefixed;
        }
        match parse_tqdm_bytes(line) {
            Some(raw) => LineFacts::Frame(raw),
            None => LineFacts::Plain,
        }
    }
}
