//! The stateless front half of the analyzer: bytes -> timed lines
//! ([`LineSplitter`]) and what can be learned from one line on its own
//! ([`LineFacts`]). [`super::LogAnalyzer::push`] runs both inline; the
//! two-thread driver in [`super::parallel`] runs them on a second core.

use std::borrow::Cow;

use super::json_text::{KAGGLE_HEAD, KaggleRecords, NotebookOutputs, notebook_head};
use super::normalize::{LineFlags, Normalizer, no_log_prefix};
#[cfg(not(target_arch = "wasm32"))]
use super::parse::FrameMemo;
use super::parse::{RawFrame, parse_tqdm_bytes_into};

/// Normaliser plus the arrival-time bookkeeping: each line gets the arrival
/// time of the read that completed it, except that a line made only of
/// bytes that arrived earlier keeps their time (tqdm writes `\r` *before*
/// each frame, so a frame is terminated by the next one).
#[derive(Debug, Clone, Default)]
pub(crate) struct LineSplitter {
    decoder: Decoder,
    norm: Normalizer,
    /// Arrival time of the bytes of the unfinished line.
    pending_time: Option<f64>,
    /// Input bytes seen.
    pub(crate) bytes: u64,
    /// How the input was read, as told by the splitter on another thread
    /// (see [`Self::read_as`]).
    pub(crate) told_read_as: Option<&'static str>,
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
        let time_before = self.decoder.kaggle.time();
        let decoded = self.decoder.decode(bytes);
        if self.decoder.encoding != Encoding::KaggleJson {
            self.push_decoded(&decoded, arrival_secs, emit);
            return;
        }
        // A Kaggle log's records say when the program wrote their output:
        // that is each line's time (a timing file's reads of a downloaded
        // log could only be later). Each record's output is pushed as if
        // it arrived at its time; what this read continues, at the time of
        // the record it is in.
        let marks = std::mem::take(&mut self.decoder.kaggle.marks);
        let (mut from, mut time) = (0, time_before.or(arrival_secs));
        for (at, t) in marks {
            if at > from {
                self.push_decoded(&decoded[from..at], time, &mut emit);
            }
            (from, time) = (at, Some(t));
        }
        if from < decoded.len() {
            self.push_decoded(&decoded[from..], time, &mut emit);
        }
    }

    /// [`Self::push`] after decoding.
    fn push_decoded<F: FnMut(&[u8], LineFlags, Option<f64>)>(
        &mut self,
        bytes: &[u8],
        arrival_secs: Option<f64>,
        mut emit: F,
    ) {
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

    /// What the input was, where it was not plain text (how its bytes
    /// were read): for a note in the analysis.
    pub(crate) fn read_as(&self) -> Option<&'static str> {
        self.told_read_as.or(match self.decoder.encoding {
            Encoding::Utf16Le | Encoding::Utf16Be => Some("UTF-16 text (a PowerShell redirect)"),
            Encoding::KaggleJson if self.decoder.kaggle.time().is_some() => Some(
                "a Kaggle kernel log: the program's output in its JSON records, \
                 timed by their `time` (seconds since the kernel started)",
            ),
            Encoding::KaggleJson => {
                Some("a Kaggle kernel log: the program's output in its JSON records")
            }
            Encoding::Notebook => Some("a Jupyter notebook: its cells' outputs (not their code)"),
            Encoding::Undecided | Encoding::Utf8 => None,
        })
    }

    /// End of input: emit the unfinished last line, if any.
    pub(crate) fn flush<F: FnMut(&[u8], LineFlags, Option<f64>)>(&mut self, mut emit: F) {
        let tail = self.decoder.finish();
        if !tail.is_empty() {
            let t = self.pending_time;
            self.push_decoded(&tail, t, &mut emit);
        }
        let t = self.pending_time;
        self.norm.finish_raw(|line, flags| emit(line, flags, t));
    }
}

/// The stream's encoding, from its first bytes: a UTF-16 byte-order mark
/// (PowerShell's `>` writes UTF-16LE) switches to transcoding; a UTF-8 one
/// is dropped; a Kaggle kernel log's or a notebook's JSON is read for the
/// program's output in it (see [`super::json_text`]); anything else is
/// taken as UTF-8 (invalid bytes are replaced later, line by line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Encoding {
    #[default]
    Undecided,
    Utf8,
    Utf16Le,
    Utf16Be,
    /// Kaggle's downloaded kernel log: JSON records, `[{"stream_name":
    /// "stderr","time":6.41,"data":"...\n"}` then `,{...}` a line each,
    /// the program's output in their escaped `data` strings.
    KaggleJson,
    /// A Jupyter notebook (`.ipynb`): its cells' outputs.
    Notebook,
}

#[derive(Debug, Clone, Default)]
struct Decoder {
    encoding: Encoding,
    /// Bytes held over: the start of a possible byte-order mark, or in
    /// UTF-16 an odd byte or a high surrogate waiting for its pair.
    held: Vec<u8>,
    kaggle: KaggleRecords,
    notebook: NotebookOutputs,
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
const UTF16LE_BOM: &[u8] = b"\xFF\xFE";
const UTF16BE_BOM: &[u8] = b"\xFE\xFF";

impl Decoder {
    /// `bytes` as UTF-8 (borrowed unless transcoded or held bytes join them).
    fn decode<'a>(&mut self, bytes: &'a [u8]) -> Cow<'a, [u8]> {
        match self.encoding {
            Encoding::Utf8 => Cow::Borrowed(bytes),
            Encoding::Undecided => {
                self.held.extend_from_slice(bytes);
                let h = &self.held;
                let maybe_bom = [UTF8_BOM, UTF16LE_BOM, UTF16BE_BOM, KAGGLE_HEAD]
                    .iter()
                    .any(|bom| h.len() < bom.len() && bom.starts_with(h));
                if maybe_bom {
                    return Cow::Borrowed(&[]);
                }
                match notebook_head(h) {
                    Some(false) => return Cow::Borrowed(&[]),
                    Some(true) => {
                        let held = std::mem::take(&mut self.held);
                        self.encoding = Encoding::Notebook;
                        return Cow::Owned(self.json_output(&held));
                    }
                    None => {}
                }
                let held = std::mem::take(&mut self.held);
                if held.starts_with(KAGGLE_HEAD) {
                    self.encoding = Encoding::KaggleJson;
                    return Cow::Owned(self.json_output(&held));
                }
                if let Some(rest) = held.strip_prefix(UTF8_BOM) {
                    self.encoding = Encoding::Utf8;
                    Cow::Owned(rest.to_vec())
                } else if let Some(rest) = held.strip_prefix(UTF16LE_BOM) {
                    self.encoding = Encoding::Utf16Le;
                    Cow::Owned(self.utf16(rest))
                } else if let Some(rest) = held.strip_prefix(UTF16BE_BOM) {
                    self.encoding = Encoding::Utf16Be;
                    Cow::Owned(self.utf16(rest))
                } else {
                    self.encoding = Encoding::Utf8;
                    Cow::Owned(held)
                }
            }
            Encoding::Utf16Le | Encoding::Utf16Be => Cow::Owned(self.utf16(bytes)),
            Encoding::KaggleJson | Encoding::Notebook => Cow::Owned(self.json_output(bytes)),
        }
    }

    /// The program's output in a read of a log held in JSON (Kaggle's
    /// records, a notebook's outputs), by the reader of this encoding.
    fn json_output(&mut self, bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(bytes.len());
        match self.encoding {
            Encoding::KaggleJson => self.kaggle.extract(bytes, &mut out),
            Encoding::Notebook => self.notebook.extract(bytes, &mut out),
            // (Not JSON: as it is.)
            Encoding::Undecided | Encoding::Utf8 | Encoding::Utf16Le | Encoding::Utf16Be => {
                out.extend_from_slice(bytes)
            }
        }
        out
    }

    /// Transcode UTF-16 to UTF-8, holding an odd trailing byte and a
    /// trailing high surrogate for the next read. Unpaired surrogates
    /// become U+FFFD.
    fn utf16(&mut self, bytes: &[u8]) -> Vec<u8> {
        let mut input = std::mem::take(&mut self.held);
        input.extend_from_slice(bytes);
        let unit = |p: &[u8]| match self.encoding {
            Encoding::Utf16Be => u16::from_be_bytes([p[0], p[1]]),
            _ => u16::from_le_bytes([p[0], p[1]]),
        };
        let mut whole = input.len() / 2 * 2;
        if whole >= 2 && (0xD800..0xDC00).contains(&unit(&input[whole - 2..whole])) {
            whole -= 2;
        }
        let units = input[..whole].chunks_exact(2).map(unit);
        let mut out = Vec::with_capacity(whole);
        let mut buf = [0u8; 4];
        for c in char::decode_utf16(units) {
            let c = c.unwrap_or(char::REPLACEMENT_CHARACTER);
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
        self.held = input[whole..].to_vec();
        out
    }

    /// End of input: what is still held, as UTF-8.
    fn finish(&mut self) -> Vec<u8> {
        let held = std::mem::take(&mut self.held);
        match self.encoding {
            // A lone odd byte or high surrogate.
            Encoding::Utf16Le | Encoding::Utf16Be if !held.is_empty() => {
                "\u{FFFD}".as_bytes().to_vec()
            }
            Encoding::Utf16Le | Encoding::Utf16Be | Encoding::KaggleJson | Encoding::Notebook => {
                Vec::new()
            }
            // The start of a byte-order mark that never finished.
            Encoding::Undecided | Encoding::Utf8 => held,
        }
    }
}

/// What one cleaned line is, decided from its bytes alone (no analyzer
/// state), so this part of the work can run ahead on another thread.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum LineFacts {
    /// Starts with something that may be a log prefix (timestamp, rank,
    /// level): the general path strips it first.
    Prefixed(ErrorScan),
    /// No prefix, and a tqdm frame.
    Frame(RawFrame),
    /// No prefix and no frame.
    Plain(ErrorScan),
}

impl LineFacts {
    /// The facts the analyzer needs (on its own thread: nothing more).
    pub(crate) fn of(line: &[u8]) -> LineFacts {
        let mut facts = LineFacts::Plain(ErrorScan::Unscanned);
        Self::find_into(line, &mut facts, |_| ErrorScan::Unscanned);
        facts
    }

    /// [`Self::of`] plus the scan for error anchors, for the two-thread
    /// pipeline (whose splitting thread has time to spare and whose analyzer
    /// thread is the one that limits it), written into `out` where it lies:
    /// the splitting thread's record.
    /// `memo`: the last frame of the usual form (see [`FrameMemo`]): a
    /// line that is that frame with other numbers is read from it.
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn scan_into(line: &[u8], out: &mut LineFacts, memo: &mut FrameMemo) {
        *out = LineFacts::Frame(RawFrame::default());
        if let LineFacts::Frame(raw) = out
            && memo.next_frame(line, raw)
        {
            return;
        }
        Self::find_into(line, out, |line| match scanned_text(line) {
            Some(t) if !super::errors::has_anchor_bytes(t) => ErrorScan::NoAnchor {
                from: (line.len() - t.len()) as u32,
            },
            _ => ErrorScan::Unscanned,
        });
        if let LineFacts::Frame(raw) = out {
            memo.remember(line, raw);
        }
    }

    /// The facts of `line` into `out`, a frame parsed in place (see
    /// [`super::parse::parse_tqdm_bytes_into`]).
    #[inline]
    fn find_into(line: &[u8], out: &mut LineFacts, scan: impl Fn(&[u8]) -> ErrorScan) {
        if !no_log_prefix(line) {
            // (Not scanned: the error tracker reads the body after the
            // prefix, never the line's text, so a scan would go unused.)
            *out = LineFacts::Prefixed(ErrorScan::Unscanned);
            return;
        }
        *out = LineFacts::Frame(RawFrame::default());
        if let LineFacts::Frame(raw) = out
            && parse_tqdm_bytes_into(line, raw)
        {
            return;
        }
        *out = LineFacts::Plain(scan(line));
    }
}

/// The text of a plain line that the error tracker tests for anchors when
/// it reads the line whole: from its first non-space character (see
/// [`super::normalize::trim_start_fast`]). `None` where that starts with a
/// Unicode space (not worked out here: the tracker scans such a line).
#[cfg(not(target_arch = "wasm32"))]
fn scanned_text(line: &[u8]) -> Option<&[u8]> {
    // (The ASCII bytes `char::is_whitespace` takes.)
    let skip = line
        .iter()
        .take_while(|&&c| matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'))
        .count();
    let t = &line[skip..];
    match t.first() {
        Some(&c) if c >= 0x80 => {
            let width = match c {
                0xF0.. => 4,
                0xE0.. => 3,
                _ => 2,
            };
            let first = std::str::from_utf8(t.get(..width)?).ok()?.chars().next()?;
            (!first.is_whitespace()).then_some(t)
        }
        _ => Some(t),
    }
}

/// What the splitting thread learned of a line's error anchors
/// ([`super::errors::has_anchor`]) in the text the error tracker tests
/// ([`scanned_text`]): it skips its own scan of that same text. (Of no
/// other piece: some anchors are tied to where the text starts or ends,
/// `E: ` of apt's errors, and a piece may start or end elsewhere.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum ErrorScan {
    /// Not looked at, or holds one: scan to know.
    #[default]
    Unscanned,
    /// The line's text from byte `from` on holds none.
    // (Only the two-thread pipeline, not built for the browser, scans.)
    #[cfg_attr(target_arch = "wasm32", allow(dead_code))]
    NoAnchor { from: u32 },
}

/// The text of the line being read that the splitting thread scanned, by
/// address, with its [`ErrorScan`]: whether that text lacks anchors is
/// known without a scan.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct LineScan {
    start: usize,
    end: usize,
    scan: ErrorScan,
}

impl LineScan {
    pub(crate) fn new(line: &[u8], scan: ErrorScan) -> LineScan {
        let scanned = match scan {
            ErrorScan::NoAnchor { from } => line.get(from as usize..).unwrap_or(line),
            ErrorScan::Unscanned => line,
        };
        let start = scanned.as_ptr() as usize;
        LineScan {
            start,
            end: start + scanned.len(),
            scan,
        }
    }

    /// `text` is known to hold no error anchor: it is the text the
    /// splitting thread scanned. (False: scan to know.)
    #[inline]
    pub(crate) fn lacks_anchor(&self, text: &[u8]) -> bool {
        let at = text.as_ptr() as usize;
        matches!(self.scan, ErrorScan::NoAnchor { .. })
            && at == self.start
            && at + text.len() == self.end
    }
}
