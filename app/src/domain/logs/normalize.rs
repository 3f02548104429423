//! Byte-stream normalisation: raw log bytes in, clean text lines out.
//!
//! Works incrementally (the watcher hands us whatever bytes arrived since the
//! last check), so every piece of state that spans chunks lives in
//! [`Normalizer`]: the unfinished last line and a `\r` whose meaning depends
//! on the next byte (`\r\n` is one break, a bare `\r` is a tqdm redraw).
//! Memory is bounded: a line longer than [`MAX_LINE_BYTES`] keeps its head
//! and is marked truncated; the rest of it is dropped as it streams past.

use super::simd::{HAS_CONTROL, HAS_HASH, scan_line};
use super::text::Find;

/// Longest line kept, in raw bytes. Longer lines keep their first
/// `MAX_LINE_BYTES` bytes (enough for any metric line; a 1 GB line of junk
/// must not cost 1 GB of memory).
pub const MAX_LINE_BYTES: usize = 64 * 1024;

/// What happened to a line on its way through the normaliser.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LineFlags {
    /// Ended by a bare `\r`: the next segment redraws over it (tqdm/Keras frame).
    pub redraw: bool,
    /// Longer than [`MAX_LINE_BYTES`]; only the head was kept.
    pub truncated: bool,
    /// Contained a cursor-up (`ESC[A`): a nested bar (eval bar, shard writer).
    pub cursor_up: bool,
}

/// One normalised line (owned form, for tests and simple callers).
#[derive(Debug, Clone, PartialEq)]
pub struct NormLine {
    pub text: String,
    pub flags: LineFlags,
}

/// Incremental bytes -> lines splitter and cleaner.
#[derive(Debug, Default, Clone)]
pub struct Normalizer {
    /// Raw bytes of the unfinished line (at most `MAX_LINE_BYTES`).
    raw: Vec<u8>,
    /// The unfinished line already overflowed the cap.
    truncated: bool,
    /// The previous chunk ended in `\r`; the line in `raw` waits to learn
    /// whether a `\n` follows.
    pending_cr: bool,
    /// Scratch buffers reused across lines so the hot path does not allocate.
    clean: Vec<u8>,
}

impl Normalizer {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feed bytes; `emit` is called once per completed line.
    pub fn push<F: FnMut(&str, LineFlags)>(&mut self, bytes: &[u8], mut emit: F) {
        self.push_raw(bytes, |b, f| emit_text(b, f, &mut emit));
    }

    /// [`Normalizer::push`] without the UTF-8 decoding: lines come out as
    /// cleaned bytes (decode them with [`decode_line`]). The analyzer's
    /// fast paths read the common lines straight from the bytes.
    pub(crate) fn push_raw<F: FnMut(&[u8], LineFlags)>(&mut self, bytes: &[u8], mut emit: F) {
        let mut i = 0;
        if self.pending_cr && !bytes.is_empty() {
            self.pending_cr = false;
            if bytes[0] == b'\n' {
                self.end_line(false, &mut emit);
                i = 1;
            } else {
                self.end_line(true, &mut emit);
            }
        }
        while i < bytes.len() {
            let rest = &bytes[i..];
            // One pass finds the line end and whether the line has control
            // bytes or a `#` (the two things `end_line_from` looks for).
            let (eol, class) = scan_line(rest);
            match eol {
                None => {
                    self.append(rest);
                    break;
                }
                Some(p) => {
                    let term = rest[p];
                    let next = i + p + 1;
                    // `\r` as the chunk's last byte: undecided until the
                    // next chunk (or finish), so the line must be held.
                    let undecided = term == b'\r' && next == bytes.len();
                    if self.raw.is_empty() && !self.truncated && !undecided {
                        // Common case: the whole line is inside this chunk;
                        // no copy into the carry-over buffer.
                        let line = &rest[..p];
                        let truncated = line.len() > MAX_LINE_BYTES;
                        let line = &line[..line.len().min(MAX_LINE_BYTES)];
                        let (redraw, skip) = match term {
                            b'\n' => (false, 0),
                            _ if bytes[next] == b'\n' => (false, 1),
                            _ => (true, 0),
                        };
                        if truncated {
                            // The classes were taken over the whole line.
                            self.end_line_from(line, redraw, truncated, &mut emit);
                        } else {
                            self.end_line_classified(line, redraw, false, class, &mut emit);
                        }
                        i = next + skip;
                        continue;
                    }
                    self.append(&rest[..p]);
                    i = next;
                    if term == b'\n' {
                        self.end_line(false, &mut emit);
                    } else if undecided {
                        self.pending_cr = true;
                    } else if bytes[i] == b'\n' {
                        i += 1;
                        self.end_line(false, &mut emit);
                    } else {
                        self.end_line(true, &mut emit);
                    }
                }
            }
        }
    }

    /// Flush the unfinished last line (end of stream). The normaliser can be
    /// reused afterwards.
    pub fn finish<F: FnMut(&str, LineFlags)>(&mut self, mut emit: F) {
        self.finish_raw(|b, f| emit_text(b, f, &mut emit));
    }

    /// [`Normalizer::finish`] with raw lines (see [`Normalizer::push_raw`]).
    pub(crate) fn finish_raw<F: FnMut(&[u8], LineFlags)>(&mut self, mut emit: F) {
        if self.pending_cr {
            self.pending_cr = false;
            self.end_line(true, &mut emit);
        } else if !self.raw.is_empty() || self.truncated {
            self.end_line(false, &mut emit);
        }
    }

    /// Bytes held for the unfinished line.
    pub fn pending_bytes(&self) -> usize {
        self.raw.len()
    }

    /// A complete line is held because the chunk ended in `\r`.
    pub fn holds_cr(&self) -> bool {
        self.pending_cr
    }

    /// Convenience: owned lines for one chunk.
    pub fn push_lines(&mut self, bytes: &[u8]) -> Vec<NormLine> {
        let mut v = Vec::new();
        self.push(bytes, |t, f| {
            v.push(NormLine {
                text: t.to_string(),
                flags: f,
            })
        });
        v
    }

    /// Convenience: owned lines for the flushed tail.
    pub fn finish_lines(&mut self) -> Vec<NormLine> {
        let mut v = Vec::new();
        self.finish(|t, f| {
            v.push(NormLine {
                text: t.to_string(),
                flags: f,
            })
        });
        v
    }

    fn append(&mut self, b: &[u8]) {
        let room = MAX_LINE_BYTES.saturating_sub(self.raw.len());
        if b.len() > room {
            self.raw.extend_from_slice(&b[..room]);
            self.truncated = true;
        } else {
            self.raw.extend_from_slice(b);
        }
    }

    /// Complete the line held in the carry-over buffer.
    fn end_line<F: FnMut(&[u8], LineFlags)>(&mut self, redraw: bool, emit: &mut F) {
        let truncated = std::mem::take(&mut self.truncated);
        let raw = std::mem::take(&mut self.raw);
        self.end_line_from(&raw, redraw, truncated, emit);
        // Keep the allocation for the next line.
        self.raw = raw;
        self.raw.clear();
    }

    fn end_line_from<F: FnMut(&[u8], LineFlags)>(
        &mut self,
        raw: &[u8],
        redraw: bool,
        truncated: bool,
        emit: &mut F,
    ) {
        let hash = raw.iter().fold(false, |acc, &b| acc | (b == b'#'));
        if hash && has_octal_escape(raw) {
            self.end_line_escaped(raw, redraw, truncated, emit);
        } else {
            self.emit_segment(raw, redraw, truncated, emit);
        }
    }

    /// [`Self::end_line_from`] with the line's [`scan_line`] classes.
    fn end_line_classified<F: FnMut(&[u8], LineFlags)>(
        &mut self,
        raw: &[u8],
        redraw: bool,
        truncated: bool,
        class: u8,
        emit: &mut F,
    ) {
        if class & HAS_HASH != 0 && has_octal_escape(raw) {
            self.end_line_escaped(raw, redraw, truncated, emit);
        } else {
            let needs_clean = class & HAS_CONTROL != 0;
            self.emit_clean(raw, redraw, truncated, needs_clean, emit);
        }
    }

    fn end_line_escaped<F: FnMut(&[u8], LineFlags)>(
        &mut self,
        raw: &[u8],
        redraw: bool,
        truncated: bool,
        emit: &mut F,
    ) {
        // rsyslog/SageMaker escape control bytes as `#015` (CR) and `#033`
        // (ESC); un-escape and re-split so those logs look like any other.
        let unescaped = unescape_octal(raw);
        let parts: Vec<&[u8]> = unescaped.split(|&b| b == b'\r').collect();
        let n = parts.len();
        for (k, part) in parts.into_iter().enumerate() {
            let last = k + 1 == n;
            let r = if last { redraw } else { true };
            self.emit_segment(part, r, truncated && last, emit);
        }
    }

    fn emit_segment<F: FnMut(&[u8], LineFlags)>(
        &mut self,
        seg: &[u8],
        redraw: bool,
        truncated: bool,
        emit: &mut F,
    ) {
        // Branch-free fold (vectorises); tabs take the slow path, which keeps them.
        let needs_clean = seg
            .iter()
            .fold(false, |acc, &b| acc | (b < 0x20) | (b == 0x7f));
        self.emit_clean(seg, redraw, truncated, needs_clean, emit);
    }

    /// [`Self::emit_segment`] once it is known whether `seg` has control
    /// bytes (below 0x20, tab included, or DEL).
    fn emit_clean<F: FnMut(&[u8], LineFlags)>(
        &mut self,
        seg: &[u8],
        redraw: bool,
        truncated: bool,
        needs_clean: bool,
        emit: &mut F,
    ) {
        let mut flags = LineFlags {
            redraw,
            truncated,
            cursor_up: false,
        };
        let bytes: &[u8] = if needs_clean {
            self.clean.clear();
            flags.cursor_up = clean_controls(seg, &mut self.clean);
            &self.clean
        } else {
            seg
        };
        // A redraw frame that is only padding (tqdm.write clearing the bar)
        // carries no information.
        if redraw && bytes.iter().all(|b| *b == b' ' || *b == b'\t') {
            return;
        }
        emit(bytes, flags);
    }
}

/// A cleaned line as text: UTF-8 with replacement (FORMATS.md §0.1).
pub(crate) fn decode_line(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// How many ASCII spaces `b` starts with, eight bytes a step: tqdm blanks
/// its line with a terminal's width of them, and the per-line readers each
/// step over them (a byte a step cost a tenth of all the work on such
/// lines).
#[inline]
pub(crate) fn leading_spaces(b: &[u8]) -> usize {
    const SPACES: u64 = u64::from_ne_bytes([b' '; 8]);
    let mut i = 0;
    while let Some(w) = b.get(i..i + 8) {
        let other = u64::from_le_bytes(w.try_into().expect("eight bytes")) ^ SPACES;
        if other != 0 {
            // (Little-endian: the first byte is the lowest.)
            return i + (other.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    i + b[i..].iter().take_while(|&&c| c == b' ').count()
}

/// How many ASCII spaces `b` ends with (see [`leading_spaces`]).
#[inline]
pub(crate) fn trailing_spaces(b: &[u8]) -> usize {
    const SPACES: u64 = u64::from_ne_bytes([b' '; 8]);
    let mut end = b.len();
    while end >= 8 {
        let w = &b[end - 8..end];
        let other = u64::from_le_bytes(w.try_into().expect("eight bytes")) ^ SPACES;
        if other != 0 {
            // (The last byte is the highest.)
            return b.len() - end + (other.leading_zeros() / 8) as usize;
        }
        end -= 8;
    }
    b.len() - end + b[..end].iter().rev().take_while(|&&c| c == b' ').count()
}

/// `s.trim_start()`, stepping over ASCII spaces first: `trim_start`
/// decodes every char to test it for Unicode whitespace, which showed in
/// profiles of tqdm's lines of blanks. (Only for the per-line calls: on
/// the short, unpadded strings elsewhere the extra pass costs more than it
/// saves; replacing every trim made the traces 7–10% slower.)
#[inline]
pub(crate) fn trim_start_fast(s: &str) -> &str {
    let spaces = leading_spaces(s.as_bytes());
    let rest = &s[spaces..];
    // (Printable ASCII next, as it nearly always is: nothing more to trim.)
    match rest.as_bytes().first() {
        Some(&c) if c > b' ' && c < 0x80 => rest,
        _ => rest.trim_start(),
    }
}

/// `s.trim_end()`, stepping over trailing ASCII spaces first (see
/// [`trim_start_fast`]): rich and tqdm pad lines to the terminal's width.
#[inline]
pub(crate) fn trim_end_fast(s: &str) -> &str {
    let spaces = trailing_spaces(s.as_bytes());
    let rest = &s[..s.len() - spaces];
    match rest.as_bytes().last() {
        Some(&c) if c > b' ' && c < 0x80 => rest,
        _ => rest.trim_end(),
    }
}

fn emit_text<F: FnMut(&str, LineFlags)>(bytes: &[u8], flags: LineFlags, emit: &mut F) {
    emit(&decode_line(bytes), flags)
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// First occurrence of `needle`, eight bytes at a time (SWAR zero-byte test).
pub fn find_byte(b: &[u8], needle: u8) -> Option<usize> {
    let mut i = 0;
    while i + 8 <= b.len() {
        let mut w = [0u8; 8];
        w.copy_from_slice(&b[i..i + 8]);
        let x = u64::from_le_bytes(w) ^ (LO * needle as u64);
        if x.wrapping_sub(LO) & !x & HI != 0 {
            break;
        }
        i += 8;
    }
    b[i..].iter().position(|&c| c == needle).map(|p| p + i)
}

fn has_octal_escape(raw: &[u8]) -> bool {
    // `#` is rare; memchr-speed search for it before comparing windows.
    let mut from = 0;
    while let Some(p) = raw[from..].iter().position(|&b| b == b'#') {
        let i = from + p;
        if raw.len() >= i + 4
            && raw[i + 1] == b'0'
            && (&raw[i + 2..i + 4] == b"15" || &raw[i + 2..i + 4] == b"33")
        {
            return true;
        }
        from = i + 1;
    }
    false
}

fn unescape_octal(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'#' && i + 4 <= raw.len() {
            match &raw[i..i + 4] {
                b"#015" => {
                    out.push(b'\r');
                    i += 4;
                    continue;
                }
                b"#033" => {
                    out.push(0x1b);
                    i += 4;
                    continue;
                }
                _ => {}
            }
        }
        out.push(raw[i]);
        i += 1;
    }
    out
}

/// Remove ANSI CSI/OSC sequences, apply backspaces, drop other control
/// bytes (NUL included). Returns whether a cursor-up (`ESC[<n>A`) was seen.
fn clean_controls(seg: &[u8], out: &mut Vec<u8>) -> bool {
    let mut cursor_up = false;
    let mut i = 0;
    while i < seg.len() {
        let b = seg[i];
        match b {
            0x1b => {
                i += 1;
                if i >= seg.len() {
                    break;
                }
                match seg[i] {
                    b'[' => {
                        // CSI: parameter/intermediate bytes then one final byte.
                        i += 1;
                        while i < seg.len() && (0x20..=0x3f).contains(&seg[i]) {
                            i += 1;
                        }
                        if i < seg.len() {
                            if seg[i] == b'A' {
                                cursor_up = true;
                            }
                            i += 1;
                        }
                    }
                    b']' => {
                        // OSC: until BEL or ESC '\'.
                        i += 1;
                        while i < seg.len() {
                            if seg[i] == 0x07 {
                                i += 1;
                                break;
                            }
                            if seg[i] == 0x1b && i + 1 < seg.len() && seg[i + 1] == b'\\' {
                                i += 2;
                                break;
                            }
                            i += 1;
                        }
                    }
                    _ => i += 1, // two-byte escape (charset selection etc.)
                }
            }
            0x08 => {
                let run = seg[i..].iter().take_while(|&&c| c == 0x08).count();
                if i + run == seg.len() {
                    // Keras 3 writes `\b` * width before every `\r`: a trailing
                    // run only moves the cursor back for the redraw, so the
                    // frame it follows is kept (FORMATS.md §0.3).
                    i += run;
                    continue;
                }
                // Inside a line a backspace erases one character (a whole
                // UTF-8 sequence), as a terminal shows it.
                for _ in 0..run {
                    while let Some(last) = out.pop() {
                        if last & 0xC0 != 0x80 {
                            break;
                        }
                    }
                }
                i += run;
            }
            b'\t' => {
                out.push(b);
                i += 1;
            }
            0..=0x1f | 0x7f => i += 1,
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    cursor_up
}

/// A line body with its log prefixes removed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stripped<'a> {
    pub body: &'a str,
    /// Unix seconds from a logging timestamp in the prefix, if any.
    pub ts: Option<f64>,
    /// Rank from `[rankN]:` / `[defaultN]:` / `N: ` prefixes.
    pub rank: Option<u32>,
}

/// Strip known logging / launcher prefixes, repeatedly (FORMATS.md §0.5).
pub fn strip_prefixes(line: &str) -> Stripped<'_> {
    let mut s = line;
    let mut ts = None;
    let mut rank = None;
    // A Kaggle web view's columns stand before every line: their time is
    // the line's (the program's own timestamps after it, on another clock,
    // on some lines only, are not).
    let kaggle = kaggle_view_head(line.as_bytes());
    if let Some((n, t)) = kaggle {
        s = &line[n..];
        ts = Some(t);
    }
    for _ in 0..6 {
        let before = s.len();
        if let Some((rest, r)) = strip_rank(s, s.len() == line.len()) {
            rank = rank.or(Some(r));
            s = rest;
        }
        if let Some((rest, t)) = strip_log_head(s) {
            if t.is_some() && kaggle.is_none() {
                ts = t;
            }
            s = rest;
        }
        if s.len() == before {
            break;
        }
    }
    Stripped { body: s, ts, rank }
}

/// Conservative byte test: true only when [`strip_prefixes`] would return
/// the line unchanged, without a timestamp or rank (false may still mean
/// "unchanged"). Looks at the first few bytes only; any invalid UTF-8 there
/// makes it answer as for the decoded text, since every head it rules out
/// starts with ASCII bytes.
pub(crate) fn no_log_prefix(b: &[u8]) -> bool {
    let Some(&c0) = b.first() else {
        return false;
    };
    if c0.is_ascii_uppercase()
        && (level_first_len(b).is_some()
            || deepmd_head_len(b).is_some()
            || basic_config_len(b).is_some()
            || xlm_head(b).is_some()
            || level_then_date(b).is_some()
            || gcloud_stream_head(b).is_some()
            || rich_level_column_len(b).is_some()
            || syslog_time(b).is_some()
            || compose_service_len(b).is_some())
    {
        return false;
    }
    match c0 {
        b'[' => return false,
        // Ray's `(task, pid=6678) `.
        b'(' => return !b[..b.len().min(120)].windows(4).any(|w| w == b"pid="),
        // `3: ` rank tags.
        b'0'..=b'9' if b.get(digits_len(b)) == Some(&b':') => return false,
        // (An address: pdsh's host tag.)
        b'0'..=b'9' if pdsh_host_len(b).is_some() => return false,
        b'0'..=b'9' if kaggle_view_head(b).is_some() => return false,
        b' ' | b'0'..=b'9' | b'E' | b'W' | b'I' => {}
        b'a'..=b'z' => {
            return logger_name_len(b).is_none()
                && pdsh_host_len(b).is_none()
                && compose_service_len(b).is_none();
        }
        // No head starts with any other byte.
        _ => return true,
    }
    let lead = leading_spaces(b);
    let t = &b[lead..];
    let Some(&t0) = t.first() else {
        // Only spaces (tqdm's blanking of its line between redraws): no
        // head is made of spaces alone.
        return true;
    };
    let digit = |i: usize| t.get(i).is_some_and(u8::is_ascii_digit);
    !(t0 == b'['
        // ISO date `YYYY-`
        || (digit(0) && digit(1) && digit(2) && digit(3))
        // `srun --label`'s padded ` 0: `
        || (lead <= 3 && digit(0) && t.get(digits_len(t)) == Some(&b':'))
        // US date `MM/DD/YYYY`
        || t.get(2) == Some(&b'/')
        // `YY-MM-DD`
        || (digit(0) && digit(1) && t.get(2) == Some(&b'-'))
        // glog `E0325 `
        || (matches!(t0, b'E' | b'W' | b'I') && digit(1)))
}

/// A dotted logger name and ` - ` opening the line (`%(name)s -
/// %(message)s`, SpeechBrain's console: `speechbrain.utils.checkpoints -
/// Saved an end-of-epoch checkpoint in ...`): its length with the dash.
fn logger_name_len(b: &[u8]) -> Option<usize> {
    let mut dots = 0;
    let mut i = 0;
    while let Some(&c) = b.get(i).filter(|_| i < 80) {
        match c {
            b'a'..=b'z' | b'0'..=b'9' | b'_' => {}
            b'.' if i > 0 && b[i - 1] != b'.' => dots += 1,
            _ => break,
        }
        i += 1;
    }
    (dots > 0 && b[i - 1] != b'.' && b[i..].starts_with(b" - ")).then_some(i + 3)
}

/// pdsh's host tag, which DeepSpeed's multi-node launcher puts before every
/// line of every node (`worker-0: `, `ip-172-31-5-10: `, `node003: `,
/// `10.0.0.5: `): its length with the `: `. A host has a digit (a bare
/// word before a colon is a key, `loss: 2.5`) and no `_`
/// (`train_loss1: ...`); a named one has a `-` or is a cluster's usual
/// name and number: a tqdm bar's own one-word description, `fold1: 100%|`,
/// `ep3: 45%|`, is none. An address is four numbers.
fn pdsh_host_len(b: &[u8]) -> Option<usize> {
    let n = b
        .iter()
        .take(64)
        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'-' || **c == b'.')
        .count();
    if !(2..=63).contains(&n) || b.get(n..n + 2) != Some(b": ".as_slice()) {
        return None;
    }
    let host = &b[..n];
    let has_digit = host.iter().any(u8::is_ascii_digit);
    let numbered = |name: &[u8]| {
        host.strip_prefix(name)
            .is_some_and(|d| !d.is_empty() && d.iter().all(u8::is_ascii_digit))
    };
    let named = host[0].is_ascii_alphabetic()
        && has_digit
        && (host.contains(&b'-')
            || [b"node".as_slice(), b"worker", b"host", b"nid"]
                .into_iter()
                .any(numbered));
    let address = host.split(|&c| c == b'.').count() == 4
        && host
            .split(|&c| c == b'.')
            .all(|p| (1..=3).contains(&p.len()) && p.iter().all(u8::is_ascii_digit));
    (named || address).then_some(n + 2)
}

/// Docker Compose's tag before each line of a service's output (`docker
/// compose up` and `logs`: `trainer-1  | `, Compose v1's `trainer_1  | `,
/// the name padded to the longest one's): its length with the bar and the
/// space after it. The name starts with a letter and ends in the replica's
/// number after a `-` or `_`; a line of numbers and bars (llama2.c's `100 |
/// loss 2.3047 | lr ...`, a table's row) has none.
fn compose_service_len(b: &[u8]) -> Option<usize> {
    if !b.first()?.is_ascii_alphabetic() {
        return None;
    }
    let n = b
        .iter()
        .take(64)
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
        .count();
    let digits = b[..n]
        .iter()
        .rev()
        .take_while(|c| c.is_ascii_digit())
        .count();
    if digits == 0 || digits == n || !matches!(b[n - digits - 1], b'-' | b'_') {
        return None;
    }
    let at = n + b[n..].iter().take_while(|&&c| c == b' ').count();
    match b.get(at..)? {
        _ if at == n => None,
        [b'|', b' ', ..] => Some(at + 2),
        // (An empty line of the service's.)
        [b'|'] => Some(at + 1),
        _ => None,
    }
}

/// The columns before each line of a Kaggle notebook's log as its web view
/// shows it and a copy of it pastes (`52.3s\t12\t`: the seconds since the
/// session started and the line's number, tab-separated): their length,
/// and the time.
fn kaggle_view_head(b: &[u8]) -> Option<(usize, f64)> {
    let mut i = digits_len(b);
    if b.get(i) == Some(&b'.') {
        i += 1 + digits_len(&b[i + 1..]);
    }
    if i == 0 || b.get(i..i + 2) != Some(b"s\t".as_slice()) {
        return None;
    }
    let secs = std::str::from_utf8(&b[..i]).ok()?.parse::<f64>().ok()?;
    i += 2;
    let n = digits_len(&b[i..]);
    (n > 0 && b.get(i + n) == Some(&b'\t')).then_some((i + n + 1, secs))
}

fn digits_len(b: &[u8]) -> usize {
    b.iter().take_while(|c| c.is_ascii_digit()).count()
}

fn parse_u32(b: &[u8]) -> Option<u32> {
    if b.is_empty() || b.len() > 9 {
        return None;
    }
    let mut v: u32 = 0;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + (c - b'0') as u32;
    }
    Some(v)
}

/// Determined's task log line after its time: the container's id and the
/// rank (`5c902731 [rank=0] || `, or `0f3c88a1 || ` outside the trial),
/// then maybe the trial's logger head, `INFO: [84] determined.core: `
/// (level, pid, logger). The rest.
fn strip_determined_head(s: &str) -> Option<&str> {
    let (id, r) = s.split_once(' ')?;
    if id.len() != 8 || !id.bytes().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let r = match r.strip_prefix("[rank=") {
        Some(x) => &x[x.find("] ")? + 2..],
        None => r,
    };
    let r = r.strip_prefix("|| ")?;
    let Some(r) = LEVELS
        .iter()
        .find_map(|l| r.strip_prefix(l)?.strip_prefix(": "))
    else {
        return Some(r);
    };
    let Some(after_pid) = r.strip_prefix('[').and_then(|x| {
        let close = x.find("] ")?;
        x[..close]
            .bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| &x[close + 2..])
    }) else {
        return Some(r);
    };
    match after_pid.split_once(": ") {
        Some((name, rest)) if !name.is_empty() && name.len() <= 60 && !name.contains(' ') => {
            Some(rest)
        }
        _ => Some(after_pid),
    }
}

/// `[rank3]:`, `[default0]:`, `3: ` (torchrun `--tee`), MPI
/// `[1,mpirank:0,algo-1]<stdout>:` and a paste's `[80746] ` line numbers.
/// `at_start`: `s` is the start of what is being stripped (a line, or the
/// text after a frame on it), where a paste's line number would be; after
/// a log head, `[10] ` is the line's own (CLU's step).
fn strip_rank(s: &str, at_start: bool) -> Option<(&str, u32)> {
    // An indented `[rankN]:` (a pasted or re-indented log) is still one.
    let indented = s.trim_start_matches(' ');
    let s = if indented.len() < s.len()
        && (indented.starts_with("[rank") || indented.starts_with("[default"))
    {
        indented
    } else {
        s
    };
    // Ray: `(pid=6678) `, `(task, pid=6678) `, `(RayTrainWorker pid=12, ip=10.0.0.1) `.
    if s.starts_with('(')
        && let Some(close) = s.as_bytes()[..s.len().min(121)]
            .windows(2)
            .position(|w| w == b") ")
        && close < 120
        && let Some(p) = s[..close].find_word("pid=")
    {
        let d = &s.as_bytes()[p + 4..close];
        let n = digits_len(d);
        if n > 0 {
            return Some((&s[close + 2..], parse_u32(&d[..n]).unwrap_or(0)));
        }
    }
    let b = s.as_bytes();
    match b.first() {
        Some(b'[') | Some(b'0'..=b'9') => {}
        Some(b' ') if at_start => {}
        _ => return None,
    }
    for tag in ["[rank", "[default"] {
        if let Some(rest) = s.strip_prefix(tag) {
            let n = digits_len(rest.as_bytes());
            if n > 0 && rest.as_bytes().get(n) == Some(&b']') {
                let r = parse_u32(&rest.as_bytes()[..n]).unwrap_or(0);
                let after = &rest[n + 1..];
                let after = after.strip_prefix(':').unwrap_or(after);
                return Some((after, r));
            }
        }
    }
    if !b.is_empty() && b[0] == b'[' {
        // MPI: `[1,mpirank:0,algo-1]<stdout>:`
        if let Some(close) = s.find_word("]<std") {
            let tail = &s[close + 1..];
            for t in ["<stdout>:", "<stderr>:"] {
                if let Some(rest) = tail.strip_prefix(t) {
                    let r = s[..close]
                        .find_word("mpirank:")
                        .and_then(|p| {
                            let d = &s.as_bytes()[p + 8..close];
                            parse_u32(&d[..digits_len(d)])
                        })
                        .unwrap_or(0);
                    return Some((rest, r));
                }
            }
        }
        // `[80746] ` paste line numbers (only digits inside); not
        // DreamerV3's step before its metrics, `[72060] train/loss/dyn 3.27
        // / train/loss/rep 3.27 / ...`.
        let n = digits_len(&b[1..]);
        if at_start
            && n > 0
            && b.get(n + 1) == Some(&b']')
            && b.get(n + 2) == Some(&b' ')
            && !slash_keyed_metrics(&s[n + 3..])
        {
            let r = parse_u32(&b[1..n + 1]).unwrap_or(0);
            return Some((&s[n + 3..], r));
        }
    }
    // `0: ` style rank prefix (1-4 digits, then ": "; `srun --label` pads
    // it to the widest task number: ` 0: ` among 16 tasks).
    let pad = if at_start {
        b.iter().take(3).take_while(|&&c| c == b' ').count()
    } else {
        0
    };
    let n = digits_len(&b[pad..]);
    if (1..=4).contains(&n)
        && b.get(pad + n) == Some(&b':')
        && b.get(pad + n + 1) == Some(&b' ')
        && !darknet_record(&b[pad + n + 2..])
    {
        // Not `12:34` (time) since a space follows the colon.
        let r = parse_u32(&b[pad..pad + n]).unwrap_or(0);
        return Some((&s[pad + n + 2..], r));
    }
    None
}

/// DreamerV3's metrics after its step: `train/loss/dyn 3.27 / ...` (a
/// key with slashes, then ` / ` between the pairs). (Its step reader,
/// `parse::own_shape_step`, asks the same.)
pub(crate) fn slash_keyed_metrics(r: &str) -> bool {
    r.split(' ').next().is_some_and(|key| key.contains('/')) && r.contains(" / ")
}

/// What Darknet prints after its iteration, `0.728614, 0.744907 avg, ...`
/// (`1000: ` heads it: an iteration, not a rank).
fn darknet_record(r: &[u8]) -> bool {
    r.first().is_some_and(u8::is_ascii_digit)
        && r[..r.len().min(40)]
            .windows(6)
            .any(|w| w == b" avg, " || w == b" avg l")
}

/// Days since 1970-01-01 for a civil date (Howard Hinnant's algorithm).
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn num(b: &[u8], at: usize, len: usize) -> Option<i64> {
    let s = b.get(at..at + len)?;
    if !s.iter().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some(s.iter().fold(0i64, |a, c| a * 10 + (c - b'0') as i64))
}

/// `YYYY-MM-DD HH:MM:SS` (or `T` separator) with optional `,mmm`/`.ffffff`
/// fraction. Returns (unix seconds, bytes consumed).
pub fn parse_iso_datetime(s: &str) -> Option<(f64, usize)> {
    let b = s.as_bytes();
    if b.len() < 19 {
        return None;
    }
    let (y, mo, d) = (num(b, 0, 4)?, num(b, 5, 2)?, num(b, 8, 2)?);
    // (OpenCLIP's date format joins the two with a comma; mmengine's
    // writes `2023/06/06 21:59:33`; lm-eval's and many a script's
    // `datefmt="%Y-%m-%d:%H:%M:%S"` a colon.)
    if !matches!(b[4], b'-' | b'/') || b[7] != b[4] || !matches!(b[10], b' ' | b'T' | b',' | b':') {
        return None;
    }
    let (h, mi, se) = (num(b, 11, 2)?, num(b, 14, 2)?, num(b, 17, 2)?);
    if b[13] != b':' || b[16] != b':' || !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return None;
    }
    Some(with_fraction(b, civil_secs(y, mo, d, h, mi, se), 19))
}

/// `secs` and the bytes of `b` up to `at`, or past the fraction there
/// (`,mmm`, `.ffffff`) with it added.
fn with_fraction(b: &[u8], secs: f64, at: usize) -> (f64, usize) {
    if b.len() > at + 1 && (b[at] == b',' || b[at] == b'.') {
        let (frac, n) = second_fraction(&b[at + 1..]);
        if n > 0 {
            return (secs + frac, at + 1 + n);
        }
    }
    (secs, at)
}

/// Unix seconds of a UTC date and time of day.
fn civil_secs(y: i64, mo: i64, d: i64, h: i64, mi: i64, se: i64) -> f64 {
    (days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se) as f64
}

/// `YYYYMMDD-HH:MM:SS` (`%Y%m%d-%H:%M:%S`, a face-recognition trainer's
/// logger, ShuffleFaceNet's).
fn parse_compact_datetime(s: &str) -> Option<(f64, usize)> {
    let b = s.as_bytes();
    if b.len() < 17 || b[8] != b'-' || b[11] != b':' || b[14] != b':' {
        return None;
    }
    let (y, mo, d) = (num(b, 0, 4)?, num(b, 4, 2)?, num(b, 6, 2)?);
    let (h, mi, se) = (num(b, 9, 2)?, num(b, 12, 2)?, num(b, 15, 2)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    // (With its fraction: AReaL's `20250920-09:14:18.064 `.)
    Some(with_fraction(b, civil_secs(y, mo, d, h, mi, se), 17))
}

/// `YY-MM-DD HH:MM:SS[.mmm]` (`datefmt='%y-%m-%d %H:%M:%S'`: MMSR's and
/// the older BasicSR's logger, `21-05-24 02:11:29.657 - INFO: `), in
/// this century.
fn parse_short_year_datetime(s: &str) -> Option<(f64, usize)> {
    let b = s.as_bytes();
    if b.len() < 17
        || b[2] != b'-'
        || b[5] != b'-'
        || b[8] != b' '
        || b[11] != b':'
        || b[14] != b':'
    {
        return None;
    }
    let (y, mo, d) = (num(b, 0, 2)?, num(b, 3, 2)?, num(b, 6, 2)?);
    let (h, mi, se) = (num(b, 9, 2)?, num(b, 12, 2)?, num(b, 15, 2)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    Some(with_fraction(b, civil_secs(2000 + y, mo, d, h, mi, se), 17))
}

/// `MM/DD/YYYY HH:MM:SS` (accelerate/diffusers logging).
fn parse_us_datetime(s: &str) -> Option<(f64, usize)> {
    let b = s.as_bytes();
    if b.len() < 19 || b[2] != b'/' || b[5] != b'/' || b[10] != b' ' {
        return None;
    }
    let (mo, d, y) = (num(b, 0, 2)?, num(b, 3, 2)?, num(b, 6, 4)?);
    let (h, mi, se) = (num(b, 11, 2)?, num(b, 14, 2)?, num(b, 17, 2)?);
    if b[13] != b':' || b[16] != b':' || !(1..=12).contains(&mo) {
        return None;
    }
    Some((civil_secs(y, mo, d, h, mi, se), 19))
}

const LEVELS: [&str; 6] = ["INFO", "WARNING", "ERROR", "DEBUG", "CRITICAL", "WARN"];

/// One logging head at the start of `s`; returns the rest and the timestamp.
fn strip_log_head(s: &str) -> Option<(&str, Option<f64>)> {
    let b = s.as_bytes();
    // Every head starts with `[`, a space, a digit or a glog level letter.
    match b.first() {
        Some(b'[') | Some(b' ') | Some(b'0'..=b'9') | Some(b'E') | Some(b'W') | Some(b'I') => {}
        Some(c) if c.is_ascii_uppercase() => {}
        Some(b'a'..=b'z') => {
            if let Some(n) = compose_service_len(b) {
                return Some((&s[n..], None));
            }
            if let Some(n) = pdsh_host_len(b) {
                return Some((&s[n..], None));
            }
            let n = logger_name_len(b)?;
            return Some((strip_level_word(&s[n..]), None));
        }
        _ => return None,
    }
    if b[0].is_ascii_digit()
        && let Some(n) = pdsh_host_len(b)
    {
        return Some((&s[n..], None));
    }
    if let Some(n) = compose_service_len(b) {
        return Some((&s[n..], None));
    }
    if let Some(n) = deepmd_head_len(b) {
        return Some((&s[n..], None));
    }
    if let Some(head) = strip_level_first(s) {
        return Some(head);
    }
    if let Some((n, ts)) = level_then_date(b) {
        return Some((strip_file_line_tag(&s[n..]), Some(ts)));
    }
    if let Some((n, ts)) = gcloud_stream_head(b) {
        return Some((&s[n..], Some(ts)));
    }
    if let Some(n) = rich_level_column_len(b) {
        return Some((&s[n..], None));
    }
    if let Some((ts, used)) = syslog_time(b) {
        return Some((strip_syslog_tag(&s[used..]), Some(ts)));
    }
    if let Some(n) = basic_config_len(b) {
        return Some((&s[n..], None));
    }
    if let Some((n, ts)) = xlm_head(b) {
        return Some((&s[n..], Some(ts)));
    }
    // `[titan] TS - name - LEVEL - `
    if let Some(rest) = s.strip_prefix("[titan] ") {
        let (ts, used) = parse_iso_datetime(rest)
            .map(|(t, u)| (Some(t), u))
            .unwrap_or((None, 0));
        let tail = &rest[used..];
        // Skip ` - name - LEVEL - `.
        for lvl in LEVELS {
            let pat = format!(" - {lvl} - ");
            if let Some(p) = tail.find(&pat)
                && p < 80
            {
                return Some((&tail[p + pat.len()..], ts));
            }
        }
        return Some((tail.trim_start(), ts));
    }
    if let Some(rest) = s.strip_prefix("[transformers] ") {
        return Some((rest, None));
    }
    // Bare or leading-space ISO timestamp: `2023-03-22 09:30:39 ` (ts),
    // Megatron ` [2024-04-06 03:02:12] `.
    let lead = s.len() - s.trim_start_matches(' ').len();
    let t = &s[lead..];
    if let Some((ts, used)) = parse_iso_datetime(t)
        .or_else(|| parse_compact_datetime(t))
        .or_else(|| parse_short_year_datetime(t))
    {
        let mut rest = &t[used..];
        // UTC's `Z` (`docker logs -t`, `kubectl logs --timestamps`:
        // `2024-05-14T09:14:19.106479000Z `); a `+02:00` style zone after
        // an ISO dmesg timestamp; journalctl's `-o short-iso` writes `+0000`.
        if let Some(r) = rest.strip_prefix('Z') {
            rest = r;
        } else if rest.starts_with('+') || rest.starts_with('-') {
            let z = rest.as_bytes();
            if z.len() >= 6 && z[3] == b':' {
                rest = rest.get(6..).unwrap_or(rest);
            } else if z.len() >= 5 && z[1..5].iter().all(u8::is_ascii_digit) {
                rest = rest.get(5..).unwrap_or(rest);
            }
        }
        // journalctl's `host tag[pid]: ` after its time.
        if let Some(r) = rest.strip_prefix(' ') {
            let tagged = strip_syslog_tag(r);
            if tagged.len() < r.len() {
                return Some((tagged, Some(ts)));
            }
        }
        if let Some(body) = strip_loguru(rest) {
            return Some((body, Some(ts)));
        }
        // Tab-separated (OLMo): `TS\thost:0\tolmo.train:979\tINFO\tmessage`.
        if rest.starts_with('\t') {
            let mut at = 0;
            for field in rest.split('\t').take(6) {
                at += field.len() + 1;
                if LEVELS.contains(&field) {
                    return Some((rest.get(at..).unwrap_or(""), Some(ts)));
                }
            }
        }
        let rest = rest.strip_prefix(" - ").unwrap_or(rest);
        // `%(asctime)s:%(levelname)s: %(message)s` (Stanford CS230's
        // examples); nnU-Net's `TS: message`.
        let rest = match rest.strip_prefix(':') {
            Some(r) if LEVELS.iter().any(|l| r.starts_with(l)) => r,
            Some(r) if r.starts_with(' ') => r,
            _ => rest,
        };
        return Some((strip_level_word(rest.trim_start_matches(' ')), Some(ts)));
    }
    if t.starts_with('[') {
        if let Some(head) = strip_detectron2_head(t) {
            return Some(head);
        }
        // `kubectl logs --prefix`: `[pod/gpt-worker-1/pytorch] ` (the pod
        // and the container).
        if let Some(r) = t.strip_prefix("[pod/")
            && let Some(close) = r.as_bytes()[..r.len().min(200)]
                .windows(2)
                .position(|w| w == b"] ")
            && r[..close].bytes().filter(|&c| c == b'/').count() == 1
            && !r[..close].contains(' ')
        {
            return Some((&r[close + 2..], None));
        }
        // `[2024-...]` (DeepSpeed, axolotl, Megatron), `[INFO 2020-...]`,
        // `[INFO|trainer.py:1156] 2021-06-05 ... >> `, glog `[E321 02:07:08.408 file.cc:607] `.
        let inner_end = t.find(']')?;
        let inner = &t[1..inner_end];
        let after = t[inner_end + 1..].trim_start_matches(' ');
        // NeMo: `[NeMo I 2024-07-30 23:12:27 nemo_model_checkpoint:226] `.
        if let Some(r) = inner.strip_prefix("NeMo ")
            && let Some(r) = r.get(2..)
        {
            return Some((after, parse_iso_datetime(r).map(|x| x.0)));
        }
        // Optuna's `[%(levelname)1.1s %(asctime)s] `: `[I 2024-09-01 02:04:45,017] `.
        if let &[b'I' | b'W' | b'E' | b'D' | b'C', b' ', ..] = inner.as_bytes()
            && let Some((ts, used)) = parse_iso_datetime(&inner[2..])
            && used + 2 == inner.len()
        {
            return Some((after, Some(ts)));
        }
        if let Some((ts, _)) = parse_iso_datetime(inner) {
            // (sample-factory glues its process id on: `[%(asctime)s][%(process)05d] `.)
            let after = match t[inner_end + 1..].strip_prefix('[') {
                Some(r)
                    if r.as_bytes().get(5) == Some(&b']')
                        && r.as_bytes()[..5].iter().all(u8::is_ascii_digit) =>
                {
                    r[6..].trim_start_matches(' ')
                }
                _ => after,
            };
            // (Then maybe a bare level: `[2026-06-15 17:28:57,394] INFO - `,
            // or `[%(asctime)s] %(levelname)s: ` and a tag of the script's
            // own (CLoRA: `[2025-07-07 12:01:43,843] INFO: [INFO] loss: `).)
            let rest = strip_bracket_tags(after);
            // (DeePMD-kit 3: `[%(asctime)s] DEEPMD INFO    `.)
            let rest = deepmd_head_len(rest.as_bytes()).map_or(rest, |n| &rest[n..]);
            // (Determined's task logs: `5c902731 [rank=0] || INFO: [84]
            // determined.core: `.)
            let rest = strip_determined_head(rest).unwrap_or(rest);
            // (PaddleOCR's and PaddleDetection's: `[2024/11/05 03:10:06]
            // ppocr INFO: `, the logger's name before its level.)
            let rest = rest
                .split_once(' ')
                .filter(|(name, _)| {
                    !name.is_empty()
                        && name.len() <= 40
                        && name
                            .bytes()
                            .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'.')
                })
                .and_then(|(_, r)| {
                    LEVELS
                        .iter()
                        .find_map(|l| r.strip_prefix(l)?.strip_prefix(": "))
                })
                .unwrap_or(rest);
            let rest = LEVELS
                .iter()
                .find_map(|l| {
                    let r = rest.strip_prefix(l)?;
                    r.strip_prefix(" - ")
                        .or_else(|| r.strip_prefix(": "))
                        .or_else(|| rich_level_rest(l, r))
                })
                .map(strip_bracket_tags)
                .unwrap_or(rest);
            return Some((rest, Some(ts)));
        }
        // A time of day alone, `[08:04:18] [INFO] `, maybe with its
        // fraction (MAE's and DeiT's `[03:56:08.391585] `): seconds since
        // midnight (differences hold within a day).
        if let Some(&[h1, h2, b':', m1, m2, b':', s1, s2]) = inner.as_bytes().get(..8)
            && [h1, h2, m1, m2, s1, s2].iter().all(u8::is_ascii_digit)
        {
            let d = |a: u8, b: u8| f64::from((a - b'0') * 10 + (b - b'0'));
            let secs = d(h1, h2) * 3600.0 + d(m1, m2) * 60.0 + d(s1, s2);
            let (secs, used) = with_fraction(inner.as_bytes(), secs, 8);
            if used == inner.len() {
                return Some((strip_bracket_tags(after), Some(secs)));
            }
        }
        // flashy's (AudioCraft's): `[05-14 09:48:05][flashy.solver][INFO] - `,
        // the month and day without a year.
        let ib = inner.as_bytes();
        if let &[_, _, b'-', _, _, b' ', _, _, b':', _, _, b':', _, _] = ib
            && let (Some(mo), Some(d), Some(h), Some(mi), Some(se)) = (
                num(ib, 0, 2),
                num(ib, 3, 2),
                num(ib, 6, 2),
                num(ib, 9, 2),
                num(ib, 12, 2),
            )
            && let Some(secs) = leap_year_secs(mo, d, (h, mi, se))
        {
            return Some((strip_bracket_tags(after), Some(secs)));
        }
        for lvl in LEVELS {
            if let Some(r) = inner.strip_prefix(lvl) {
                // Sockeye's `[INFO:sockeye.training] `: the level, then the logger.
                if let Some(name) = r.strip_prefix(':')
                    && !name.is_empty()
                    && !name.contains(' ')
                {
                    return Some((after, None));
                }
                if let Some(r2) = r.strip_prefix(' ')
                    && let Some((ts, _)) = parse_iso_datetime(r2)
                {
                    return Some((after, Some(ts)));
                }
                // LLaMA-Factory: `[INFO|2024-11-26 22:09:01] logging.py:157 >> `.
                if let Some(r2) = r.strip_prefix('|')
                    && let Some((ts, _)) = parse_iso_datetime(r2)
                {
                    let rest = match after.find_word(" >> ") {
                        Some(p) if p <= 60 && !after[..p].contains(' ') => &after[p + 4..],
                        _ => after,
                    };
                    return Some((rest, Some(ts)));
                }
                if r.starts_with('|') {
                    // HF examples: `[INFO|trainer.py:N] TS >> `
                    if let Some((ts, used)) = parse_iso_datetime(after) {
                        let rest = after[used..].trim_start_matches(' ');
                        let rest = rest
                            .strip_prefix(">> ")
                            .or_else(|| rest.strip_prefix(">>"))
                            .unwrap_or(rest);
                        return Some((rest, Some(ts)));
                    }
                    return Some((after, None));
                }
            }
        }
        // A padded level alone: `[ INFO ] ` (a script's own logger).
        if LEVELS.contains(&inner.trim()) && inner.starts_with(' ') {
            return Some((after, None));
        }
        // glog inside brackets: `[E321 02:07:08.408271257 ProcessGroupNCCL.cpp:607]`
        // or the old `[E ProcessGroupNCCL.cpp:458]`.
        let ib = inner.as_bytes();
        if !ib.is_empty() && matches!(ib[0], b'E' | b'W' | b'I') && inner.contains(".cpp:") {
            return Some((after, None));
        }
        // ESPnet: the host, the time, then `(module:line) LEVEL: ` (a name
        // and a level, as `strip_level_word` reads them):
        // `[hostname] 2023-10-27 13:37:46,484 (trainer:753) INFO: `.
        if !inner.is_empty()
            && inner.len() <= 80
            && !inner.contains(' ')
            && let Some((ts, used)) = parse_iso_datetime(after)
        {
            let rest = strip_level_word(after[used..].trim_start_matches(' '));
            return Some((rest, Some(ts)));
        }
        return None;
    }
    // Unbracketed glog (absl, TensorFlow, JAX): `E0325 20:57:27.620000 2606
    // path/api.py:869] `; its month, day and time of day are the clock.
    let tb = t.as_bytes();
    // DINOv2's glog-like head, with the year: `I20240504 13:34:23 16157
    // dinov2 helpers.py:103] `.
    if tb.len() > 20
        && matches!(tb[0], b'E' | b'W' | b'I' | b'D')
        && digits_len(&tb[1..]) == 8
        && tb[9] == b' '
        && tb[12] == b':'
        && tb[15] == b':'
        && let Some(p) = t.find_word("] ")
        && p < 160
        && let (Some(y), Some(mo), Some(d)) = (num(tb, 1, 4), num(tb, 5, 2), num(tb, 7, 2))
        && let (Some(h), Some(mi), Some(se)) = (num(tb, 10, 2), num(tb, 13, 2), num(tb, 16, 2))
        && (1..=12).contains(&mo)
        && (1..=31).contains(&d)
    {
        return Some((&t[p + 2..], Some(civil_secs(y, mo, d, h, mi, se))));
    }
    if tb.len() > 15
        && matches!(tb[0], b'E' | b'W' | b'I')
        && digits_len(&tb[1..]) == 4
        && tb[5] == b' '
        && tb.get(8) == Some(&b':')
        && let Some(p) = t.find_word("] ")
        && p < 160
    {
        return Some((&t[p + 2..], glog_time(tb)));
    }
    if let Some(head) = strip_month_day_head(t) {
        return Some(head);
    }
    // accelerate: `07/02/2025 22:45:06 - INFO - __main__ - `
    if let Some((ts, used)) = parse_us_datetime(t) {
        let mut rest = t[used..].trim_start_matches(' ');
        rest = rest.strip_prefix("- ").unwrap_or(rest);
        for lvl in LEVELS {
            if let Some(r) = rest.strip_prefix(lvl) {
                let r = r.strip_prefix(" - ").unwrap_or(r);
                // Logger name up to the next " - " (or end: an empty message).
                let body = match r.find_word(" - ") {
                    Some(p) => &r[p + 3..],
                    None => match r.find_word(" -") {
                        Some(p) if p + 2 == r.len() => "",
                        _ => r,
                    },
                };
                return Some((body, Some(ts)));
            }
        }
        return Some((rest, Some(ts)));
    }
    None
}

/// DeePMD-kit's head, `DEEPMD INFO    ` (`%(app_name)s %(levelname)-7s
/// `): its length.
fn deepmd_head_len(b: &[u8]) -> Option<usize> {
    // (The first byte alone first: the splitting thread asks of every line
    // that starts with a capital.)
    if b.first() != Some(&b'D') {
        return None;
    }
    let r = b.strip_prefix(b"DEEPMD ")?;
    let level = LEVELS.iter().find(|l| r.starts_with(l.as_bytes()))?;
    let n = 7 + level.len();
    let spaces = b[n..].iter().take_while(|&&c| c == b' ').count();
    (spaces > 0).then_some(n + spaces)
}

/// loguru with the level first (AutoTrain): `INFO     | 2024-05-02 10:51:14 | `
/// then the usual `module:function:226 - `. Returns the head's length.
fn level_first_len(b: &[u8]) -> Option<usize> {
    let word = b.iter().take_while(|c| c.is_ascii_uppercase()).count();
    if !(4..=8).contains(&word) {
        return None;
    }
    let mut i = word;
    while b.get(i) == Some(&b' ') {
        i += 1;
    }
    (b.get(i..i + 2) == Some(b"| ")).then_some(i + 2)
}

/// `%(levelname)s %(asctime)s ` (SAM 2's logger: `INFO 2025-05-11
/// 09:14:56,920 train_utils.py: 271: ...`): the head's length and the
/// timestamp.
fn level_then_date(b: &[u8]) -> Option<(usize, f64)> {
    let word = b.iter().take_while(|c| c.is_ascii_uppercase()).count();
    if !LEVELS.iter().any(|l| l.as_bytes() == &b[..word]) || b.get(word) != Some(&b' ') {
        return None;
    }
    let r = std::str::from_utf8(&b[word + 1..b.len().min(word + 40)]).ok()?;
    // (vLLM's: the month and day without a year, `INFO 05-10 16:00:28
    // [core.py:58] `; its file tag is read after the head.)
    let (ts, used) = parse_iso_datetime(r).or_else(|| {
        let d = r.as_bytes();
        (d.len() >= 14 && d[2] == b'-' && d[5] == b' ' && d[8] == b':' && d[11] == b':')
            .then(|| {
                leap_year_secs(
                    num(d, 0, 2)?,
                    num(d, 3, 2)?,
                    (num(d, 6, 2)?, num(d, 9, 2)?, num(d, 12, 2)?),
                )
            })
            .flatten()
            .map(|ts| (ts, 14))
    })?;
    (b.get(word + 1 + used) == Some(&b' ')).then_some((word + 2 + used, ts))
}

/// A Vertex AI job's log as `gcloud ai custom-jobs stream-logs` (and the
/// older `gcloud ai-platform jobs stream-logs`) prints it: Cloud Logging's
/// severity, the time with its UTC offset, the replica, tab-separated
/// (`INFO\t2024-03-05 10:00:01 +0000\tworkerpool0-0\t{'loss': ...}`;
/// the service's own lines `service` with an empty column after it). The
/// head's length and the time (UTC).
fn gcloud_stream_head(b: &[u8]) -> Option<(usize, f64)> {
    let word = b.iter().take_while(|c| c.is_ascii_uppercase()).count();
    if !matches!(
        &b[..word],
        b"DEFAULT" | b"DEBUG" | b"INFO" | b"NOTICE" | b"WARNING" | b"ERROR" | b"CRITICAL"
    ) || b.get(word) != Some(&b'\t')
    {
        return None;
    }
    // (The date and its offset are ASCII: only they are decoded.)
    let date = b.get(word + 1..word + 20)?;
    let (ts, used) = parse_iso_datetime(std::str::from_utf8(date).ok()?)?;
    let at = word + 1 + used;
    let offset = b.get(at..at + 6)?;
    if offset[0] != b' ' || !matches!(offset[1], b'+' | b'-') {
        return None;
    }
    let east = (num(offset, 2, 2)? * 60 + num(offset, 4, 2)?) as f64 * 60.0;
    let utc = if offset[1] == b'+' {
        ts - east
    } else {
        ts + east
    };
    let mut i = at + 6;
    if b.get(i) != Some(&b'\t') {
        return None;
    }
    i += 1;
    let replica = b[i..]
        .iter()
        .take(64)
        .take_while(|&&c| c != b'\t' && c != b' ')
        .count();
    if replica == 0 || b.get(i + replica) != Some(&b'\t') {
        return None;
    }
    i += replica;
    i += b[i..].iter().take_while(|&&c| c == b'\t').count();
    Some((i, utc))
}

/// rich's level column with no time before it (`RichHandler(show_time=
/// False)`, LTX-Video-Trainer's logger): `INFO     ` (nine wide), then the
/// message. Its length.
fn rich_level_column_len(b: &[u8]) -> Option<usize> {
    let word = b.iter().take_while(|c| c.is_ascii_uppercase()).count();
    let pad = b[word..].iter().take_while(|&&c| c == b' ').count();
    (word + pad == 9 && pad > 0 && b.len() > 9 && LEVELS.iter().any(|l| l.as_bytes() == &b[..word]))
        .then_some(9)
}

/// After a head, `%(filename)s:%(lineno)4d: ` (SAM 2's `train_utils.py:
/// 271: `), when it is there.
fn strip_file_line_tag(s: &str) -> &str {
    // (vLLM's is bracketed: `[multiproc_executor.py:435] `.)
    if let Some(r) = s.strip_prefix('[')
        && let Some(close) = r.as_bytes()[..r.len().min(80)]
            .iter()
            .position(|&c| c == b']')
        && let Some((name, line)) = r[..close].rsplit_once(".py:")
        && !name.is_empty()
        && !name.contains(' ')
        && !line.is_empty()
        && line.bytes().all(|c| c.is_ascii_digit())
        && let Some(rest) = r[close + 1..].strip_prefix(' ')
    {
        return rest;
    }
    // (LeRobot's is right-aligned in 15 columns, then a space:
    // `ts/train.py:231 step:2K ...`, `    train.py:98 ...`.)
    let t = s.trim_start_matches(' ');
    let Some(p) = t.find(".py:") else {
        return s;
    };
    let name = &t[..p];
    if p == 0 || p > 60 || name.contains(' ') {
        return s;
    }
    let r = t[p + 4..].trim_start_matches(' ');
    let digits = r.bytes().take_while(u8::is_ascii_digit).count();
    match r[digits..]
        .strip_prefix(": ")
        .or_else(|| r[digits..].strip_prefix(' '))
    {
        Some(rest) if digits > 0 => rest,
        _ => s,
    }
}

/// The head of XLM's logger, which Facebook research trainers share
/// (XLM, SymbolicMathematics, TransCoder, Int2Int): `INFO - 03/11/25
/// 14:44:34 - 0:00:46 - ` (level, `%x %X` date and time, time since the
/// start). Returns the head's length and the timestamp.
fn xlm_head(b: &[u8]) -> Option<(usize, f64)> {
    let word = b.iter().take_while(|c| c.is_ascii_uppercase()).count();
    if !LEVELS.iter().any(|l| l.as_bytes() == &b[..word]) {
        return None;
    }
    let at = word + 3;
    let r = b.get(at..)?;
    if !b[word..].starts_with(b" - ")
        || r.len() < 20
        || r[2] != b'/'
        || r[5] != b'/'
        || r[8] != b' '
        || r[11] != b':'
        || r[14] != b':'
        || &r[17..20] != b" - "
    {
        return None;
    }
    let (mo, d, y) = (num(r, 0, 2)?, num(r, 3, 2)?, num(r, 6, 2)?);
    let (h, mi, se) = (num(r, 9, 2)?, num(r, 12, 2)?, num(r, 15, 2)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return None;
    }
    // The time since the start, as Python prints a timedelta: `0:00:46`,
    // `1 day, 2:03:04`.
    let e = &r[20..];
    let p = e[..e.len().min(24)].windows(3).position(|w| w == b" - ")?;
    let elapsed = &e[..p];
    let timedelta = elapsed.last().is_some_and(u8::is_ascii_digit)
        && elapsed.iter().all(|c| {
            c.is_ascii_digit() || matches!(c, b':' | b',' | b' ' | b'd' | b'a' | b'y' | b's')
        });
    if !timedelta {
        return None;
    }
    let ts = (days_from_civil(2000 + y, mo, d) * 86400 + h * 3600 + mi * 60 + se) as f64;
    Some((at + 20 + p + 3, ts))
}

/// Python's `logging.basicConfig()` default head, `LEVEL:logger.name:`
/// (`INFO:root:`, `WARNING:tensorflow:`, `INFO:torchtune.utils._logging:`).
/// Returns the head's length.
fn basic_config_len(b: &[u8]) -> Option<usize> {
    let word = b.iter().take_while(|c| c.is_ascii_uppercase()).count();
    if !LEVELS.iter().any(|l| l.as_bytes() == &b[..word]) || b.get(word) != Some(&b':') {
        return None;
    }
    let name = b[word + 1..]
        .iter()
        .take(120)
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
        .count();
    let end = word + 1 + name;
    (name > 0 && b.get(end) == Some(&b':')).then_some(end + 1)
}

fn strip_level_first(s: &str) -> Option<(&str, Option<f64>)> {
    let level = &s[..s.bytes().take_while(|c| c.is_ascii_uppercase()).count()];
    if !LEVELS.contains(&level) && !matches!(level, "SUCCESS" | "TRACE") {
        return None;
    }
    let r = &s[level_first_len(s.as_bytes())?..];
    let (ts, used) = parse_iso_datetime(r)?;
    let r = r[used..].strip_prefix(" | ")?;
    let p = r.find_word(" - ")?;
    (p <= 120 && !r[..p].contains(' ')).then(|| (&r[p + 3..], Some(ts)))
}

/// loguru's default head after the timestamp:
/// ` | INFO     | module:function:42 - `.
fn strip_loguru(s: &str) -> Option<&str> {
    let r = s.strip_prefix(" | ")?;
    let lvl = LEVELS
        .iter()
        .chain(&["SUCCESS", "TRACE"])
        .find(|l| r.starts_with(**l))?;
    let r = r[lvl.len()..].trim_start_matches(' ').strip_prefix("| ")?;
    // loguru: `module:function:42 - `; fairseq: `fairseq.trainer | `; or
    // no logger name at all (`TS | INFO | message`).
    match r
        .find_word(" - ")
        .into_iter()
        .chain(r.find_word(" | "))
        .min()
    {
        Some(p) if p <= 120 && !r[..p].contains(' ') => Some(&r[p + 3..]),
        _ => Some(r),
    }
}

/// mmengine / mmcv: `01/08 08:55:39 - mmengine - INFO - ` (no year: the
/// timestamp is taken in a leap year, so differences within a run hold).
///
/// Also DARTS's `%m/%d %I:%M:%S %p` head, `05/31 02:32:57 PM ` (the
/// architecture searches built on it keep its logging setup).
fn strip_month_day_head(t: &str) -> Option<(&str, Option<f64>)> {
    let ts = month_day_time(t.as_bytes())?;
    let meridiem = [(" AM ", 0.0), (" PM ", 12.0)]
        .into_iter()
        .find_map(|(m, add)| Some((t[14..].strip_prefix(m)?, add)));
    if let Some((rest, add)) = meridiem {
        // A 12-hour clock: 12 AM is midnight, 12 PM noon.
        let hour = num(t.as_bytes(), 6, 2)? as f64;
        if !(1.0..=12.0).contains(&hour) {
            return None;
        }
        let hour24 = hour % 12.0 + add;
        return Some((rest, Some(ts + (hour24 - hour) * 3600.0)));
    }
    let rest = t[14..].strip_prefix(" - ")?;
    Some((strip_level_word(rest), Some(ts)))
}

/// A glog head's time, `I0325 20:57:27.620000`, as seconds in a leap year
/// (like [`month_day_time`]), with its fraction.
fn glog_time(b: &[u8]) -> Option<f64> {
    if b.len() < 14 || b[8] != b':' || b[11] != b':' {
        return None;
    }
    let whole = leap_year_secs(
        num(b, 1, 2)?,
        num(b, 3, 2)?,
        (num(b, 6, 2)?, num(b, 9, 2)?, num(b, 12, 2)?),
    )?;
    let frac = match b.get(14) {
        Some(b'.') => second_fraction(&b[15..]).0,
        _ => 0.0,
    };
    Some(whole + frac)
}

/// A fraction of a second: the digits at the start of `b` (after its `.`
/// or `,`), as seconds (from the first nine) and how many digits there are.
fn second_fraction(b: &[u8]) -> (f64, usize) {
    let n = digits_len(b);
    let kept = &b[..n.min(9)];
    let v = kept.iter().fold(0u64, |v, &c| v * 10 + u64::from(c - b'0'));
    (v as f64 / 10f64.powi(kept.len() as i32), n)
}

/// The syslog time, `Jan  1 12:00:00` or `Jan 01 12:00:00.123456`, and
/// the space after it, at the start of `b` (journalctl, syslog, moreutils'
/// `ts`): seconds in a leap year (see [`strip_month_day_head`]) and the
/// head's length.
fn syslog_time(b: &[u8]) -> Option<(f64, usize)> {
    const MONTHS: [&[u8; 3]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    // (The cheap shape test first: most lines that start with a capital
    // are prose.)
    if b.len() < 16 || b[3] != b' ' || b[6] != b' ' || b[9] != b':' || b[12] != b':' {
        return None;
    }
    let mo = MONTHS.iter().position(|m| b[..3] == m[..])? as i64 + 1;
    let day = match b[4] {
        b' ' => num(b, 5, 1)?,
        _ => num(b, 4, 2)?,
    };
    let whole = leap_year_secs(mo, day, (num(b, 7, 2)?, num(b, 10, 2)?, num(b, 13, 2)?))?;
    let (frac, end) = match b[15] {
        b'.' => {
            let (frac, n) = second_fraction(&b[16..]);
            (frac, 16 + n)
        }
        _ => (0.0, 15),
    };
    (b.get(end) == Some(&b' ')).then_some((whole + frac, end + 1))
}

/// After a syslog time, journald's and syslog's `host tag[pid]: ` (or a
/// kernel line's `host kernel: `); anything else is the message itself
/// (moreutils' `ts` adds the time only).
fn strip_syslog_tag(rest: &str) -> &str {
    let Some((host, after)) = rest.split_once(' ') else {
        return rest;
    };
    if host.is_empty() || host.len() > 64 {
        return rest;
    }
    if let Some(r) = after.strip_prefix("kernel: ") {
        return r;
    }
    // (Bytes: the first 80 may end inside a character.)
    let head = &after.as_bytes()[..after.len().min(80)];
    let Some(colon) = head.windows(3).position(|w| w == b"]: ") else {
        return rest;
    };
    let tag = &after[..colon];
    match tag.split_once('[') {
        Some((name, pid))
            if !name.is_empty()
                && !name.contains(' ')
                && !pid.is_empty()
                && pid.bytes().all(|c| c.is_ascii_digit()) =>
        {
            &after[colon + 3..]
        }
        _ => rest,
    }
}

/// `MM/DD HH:MM:SS` (14 bytes) at the start of `b`, as seconds in a leap
/// year (see [`strip_month_day_head`]).
fn month_day_time(b: &[u8]) -> Option<f64> {
    if b.len() < 14 || b[2] != b'/' || b[5] != b' ' || b[8] != b':' || b[11] != b':' {
        return None;
    }
    leap_year_secs(
        num(b, 0, 2)?,
        num(b, 3, 2)?,
        (num(b, 6, 2)?, num(b, 9, 2)?, num(b, 12, 2)?),
    )
}

/// A month, day and time of day as seconds in a leap year (heads that
/// print no year: differences hold within a run); `None` for a field out
/// of range.
fn leap_year_secs(mo: i64, d: i64, (h, mi, se): (i64, i64, i64)) -> Option<f64> {
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    Some((days_from_civil(2000, mo, d) * 86400 + h * 3600 + mi * 60 + se) as f64)
}

/// detectron2's heads: `[08/30 23:00:36] d2.utils.events INFO: ` (its log
/// file) and `[08/30 23:00:36 d2.utils.events]: ` (its console).
fn strip_detectron2_head(t: &str) -> Option<(&str, Option<f64>)> {
    let r = t.strip_prefix('[')?;
    let ts = month_day_time(r.as_bytes())?;
    let r = &r[14..];
    // PySlowFast's `[08/12 10:20:30][INFO] logging.py:   99: ` (the line
    // number padded to four).
    if let Some(r) = r.strip_prefix("][") {
        let r = LEVELS
            .iter()
            .find_map(|l| r.strip_prefix(l)?.strip_prefix("] "))?;
        let (file, rest) = r.split_once(": ")?;
        let rest = rest.trim_start_matches(' ');
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let rest = rest[digits..].strip_prefix(": ")?;
        return (digits > 0 && file.ends_with(".py") && !file.contains(' '))
            .then_some((rest, Some(ts)));
    }
    if let Some(r) = r.strip_prefix("] ") {
        // `name LEVEL: `
        let (name, rest) = r.split_once(' ')?;
        let rest = LEVELS
            .iter()
            .find_map(|l| rest.strip_prefix(l)?.strip_prefix(": "))?;
        return (!name.is_empty() && name.len() <= 80).then_some((rest.trim_start(), Some(ts)));
    }
    let r = r.strip_prefix(' ')?;
    let close = r.as_bytes()[..r.len().min(81)]
        .iter()
        .position(|&c| c == b']')?;
    let rest = r[close + 1..].strip_prefix(": ")?;
    (!r[..close].contains(' ')).then_some((rest.trim_start(), Some(ts)))
}

fn strip_level_word(s: &str) -> &str {
    for lvl in LEVELS {
        // (BasicSR's `%(asctime)s %(levelname)s: %(message)s`; the plain
        // `%(asctime)s %(levelname)s %(message)s`.)
        // (`%(levelname)-8s [%(filename)s:%(lineno)d] `, lm-eval's: a
        // column as wide as rich's, and a tag as OLMo's.)
        if let Some(r) = s.strip_prefix(lvl)
            && let Some(r) = r
                .strip_prefix(" - ")
                .or_else(|| r.strip_prefix(": "))
                .or_else(|| r.starts_with(' ').then(|| rich_level_rest(lvl, r))?)
                .or_else(|| r.strip_prefix(' ').map(|r| r.trim_start_matches(' ')))
        {
            return r;
        }
    }
    // `%(asctime)s %(name)s %(levelname)s: %(message)s` (the semantic
    // segmentation codebases: `semantic_segmentation INFO: Iters: 10/20000`),
    // and without the colon (FuxiCTR's process id in the name's place:
    // `P36916 INFO Train loss: 0.406739`).
    if let Some(p) = s.find(' ')
        && (1..=60).contains(&p)
    {
        let r = &s[p + 1..];
        for lvl in LEVELS {
            if let Some(r) = r.strip_prefix(lvl)
                && let Some(r) = r
                    .strip_prefix(": ")
                    .or_else(|| r.strip_prefix(' ').map(|r| r.trim_start_matches(' ')))
            {
                return r;
            }
        }
    }
    // Python's `%(asctime)s - %(name)s - %(levelname)s - %(message)s`:
    // a one-word logger name, then the level. (Or the file and line, a
    // common recipe: `train_net.py[line:175] - INFO: `.)
    if let Some(p) = s.find_word(" - ")
        && p <= 60
        && !s[..p].contains(' ')
    {
        let r = &s[p + 3..];
        for lvl in LEVELS {
            if let Some(r) = r.strip_prefix(lvl)
                && let Some(r) = r.strip_prefix(" - ").or_else(|| r.strip_prefix(": "))
            {
                return r;
            }
        }
    }
    s
}

/// After a `[timestamp]` head: drop `[LEVEL] `, `[file.py:12:func] `,
/// `[PID:1] `, `[RANK:0] ` tags (DeepSpeed, axolotl).
/// After `level`, the rest of rich's padded level column (`INFO     `:
/// eight wide and a space) and the logger tag OLMo puts after it
/// (`[olmo.train:816, rank=0] `).
fn rich_level_rest<'a>(level: &str, r: &'a str) -> Option<&'a str> {
    let body = r.trim_start_matches(' ');
    if level.len() + (r.len() - body.len()) != 9 {
        return None;
    }
    if let Some(tag) = body.strip_prefix('[')
        && let Some(end) = tag.as_bytes()[..tag.len().min(80)]
            .iter()
            .position(|&c| c == b']')
        && tag[..end].contains(':')
        && let Some(after) = tag[end + 1..].strip_prefix(' ')
    {
        return Some(after);
    }
    Some(body)
}

fn strip_bracket_tags(mut s: &str) -> &str {
    // The Swin Transformer logger: `[TS name](main.py 190): INFO `.
    if let Some(r) = s.strip_prefix('(')
        && let Some(close) = r.as_bytes()[..r.len().min(80)]
            .windows(3)
            .position(|w| w == b"): ")
        && let Some((file, line)) = r[..close].split_once(' ')
        && file.ends_with(".py")
        && !line.is_empty()
        && line.bytes().all(|c| c.is_ascii_digit())
    {
        let rest = &r[close + 3..];
        return LEVELS
            .iter()
            .find_map(|l| rest.strip_prefix(l).and_then(|x| x.strip_prefix(' ')))
            .unwrap_or(rest);
    }
    // Hydra's `[TS][logger.name][LEVEL] - ` (fairseq-hydra, NeMo 1).
    if let Some(r) = s.strip_prefix('[')
        && let Some(end) = r.as_bytes()[..r.len().min(80)]
            .iter()
            .position(|&c| c == b']')
        && !r[..end].is_empty()
        && !r[..end].contains(' ')
        && let Some(r) = r[end + 1..].strip_prefix('[')
        && let Some(r) = LEVELS
            .iter()
            .find_map(|l| r.strip_prefix(l)?.strip_prefix(']'))
    {
        return r.strip_prefix(" - ").unwrap_or(r);
    }
    for _ in 0..4 {
        if !s.starts_with('[') {
            break;
        }
        let Some(end) = s.find(']') else { break };
        let inner = &s[1..end];
        // ezpz: `[I][components/metrics:437:log]`.
        let code_place = !inner.contains(' ')
            && (inner.contains(".py:")
                || inner
                    .split(':')
                    .nth(1)
                    .is_some_and(|l| !l.is_empty() && l.bytes().all(|c| c.is_ascii_digit())));
        let is_tag = LEVELS.contains(&inner)
            || matches!(inner, "I" | "W" | "E" | "D" | "C")
            || inner.starts_with("PID:")
            || inner.starts_with("RANK:")
            || code_place
            || inner.starts_with("axolotl.");
        if !is_tag {
            break;
        }
        s = s[end + 1..].trim_start_matches(' ');
    }
    s
}
