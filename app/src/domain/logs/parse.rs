//! Per-line recognisers for the training-log formats in FORMATS.md.
//!
//! Each recogniser looks at one normalised, prefix-stripped line body and
//! either returns a typed record or `None`. They are hand-written matchers
//! (no regex crate: smaller wasm, and a cheap first-byte test rejects most
//! lines before any real work). None of them panics on any input.

use super::normalize::trim_start_fast;
use super::text::{Find, starts_with_any};
use super::{Event, EventKind, Source};

// The splitting thread's memo of the frame before (not built for the
// browser, which reads on one thread).
#[cfg(not(target_arch = "wasm32"))]
mod frame_memo;
#[cfg(not(target_arch = "wasm32"))]
pub(crate) use frame_memo::FrameMemo;

// ---------------------------------------------------------------------------
// multi-keyword prefilter

/// A keyword set for [`Anchors::any_in`] / [`Anchors::hits`]: a bitmap of
/// the byte pairs that open the words or follow their first byte, and
/// tables of the words' first, second and third bytes.
pub(crate) struct Anchors<const N: usize> {
    words: [&'static [u8]; N],
    /// Bit `b1 * 256 + b2`: some word starts with `b1 b2`, or has them as
    /// its second and third bytes.
    pairs: [u8; 8192],
    first: [u64; 256],
    second: [u64; 256],
    third: [u64; 256],
}

impl<const N: usize> Anchors<N> {
    /// At most 64 words, each at least three bytes long (checked when the
    /// constant is built).
    pub(crate) const fn new(words: [&'static [u8]; N]) -> Self {
        assert!(N <= 64, "at most 64 anchor words");
        let mut pairs = [0u8; 8192];
        let mut first = [0u64; 256];
        let mut second = [0u64; 256];
        let mut third = [0u64; 256];
        let mut i = 0;
        while i < N {
            let w = words[i];
            assert!(w.len() >= 3, "anchor words have three bytes or more");
            let p = pair_index(w[0], w[1]);
            pairs[p >> 3] |= 1 << (p & 7);
            let p = pair_index(w[1], w[2]);
            pairs[p >> 3] |= 1 << (p & 7);
            first[w[0] as usize] |= 1 << i;
            second[w[1] as usize] |= 1 << i;
            third[w[2] as usize] |= 1 << i;
            i += 1;
        }
        Anchors {
            words,
            pairs,
            first,
            second,
            third,
        }
    }

    /// The words (as a bitmask) that start at `k`, leaving out `skip`.
    #[inline]
    fn words_at(&self, hay: &[u8], k: usize, skip: u64) -> u64 {
        let Some(&[a, b, c]) = hay.get(k..k + 3) else {
            return 0;
        };
        let mut m =
            self.first[a as usize] & self.second[b as usize] & self.third[c as usize] & !skip;
        let mut found = 0;
        while m != 0 {
            let j = m.trailing_zeros() as usize;
            m &= m - 1;
            if hay[k..].starts_with(self.words[j]) {
                found |= 1 << j;
            }
        }
        found
    }

    /// Every word found in `hay` (as a bitmask), until `enough` says stop.
    /// One bitmap test per two bytes: a word at an even position shows as
    /// its first two bytes there, one at an odd position as its second and
    /// third bytes at the even position after it (every word has three).
    #[inline]
    fn scan(&self, hay: &[u8], enough: impl Fn(u64) -> bool) -> u64 {
        let mut hit = 0;
        for (half, pair) in hay.chunks_exact(2).enumerate() {
            let p = pair_index(pair[0], pair[1]);
            if self.pairs[p >> 3] & (1 << (p & 7)) == 0 {
                continue;
            }
            let i = half * 2;
            if i > 0 {
                hit |= self.words_at(hay, i - 1, hit);
            }
            hit |= self.words_at(hay, i, hit);
            if enough(hit) {
                break;
            }
        }
        hit
    }

    /// Whether `hay` contains any of the words, in one pass: a position is a
    /// candidate only when its bytes fit one word, which prose rarely does.
    pub(crate) fn any_in(&self, hay: &[u8]) -> bool {
        self.scan(hay, |hit| hit != 0) != 0
    }

    /// Bitmask of the words (by index) that occur in `hay`.
    pub(crate) fn hits(&self, hay: &[u8]) -> u64 {
        self.scan(hay, |_| false)
    }
}

const fn pair_index(b1: u8, b2: u8) -> usize {
    (b1 as usize) << 8 | b2 as usize
}

// ---------------------------------------------------------------------------
// number helpers

/// Parse a float at the start of `s` (after optional spaces): digits, `.`,
/// exponent, sign, `nan`, `inf`. Returns the value and bytes consumed
/// (including the leading spaces).
pub fn float_prefix(s: &str) -> Option<(f64, usize)> {
    float_prefix_bytes(s.as_bytes())
}

/// `s` is a number and nothing else (after optional spaces).
pub fn whole_float(s: &str) -> Option<f64> {
    float_prefix(s)
        .filter(|(_, used)| *used == s.len())
        .map(|x| x.0)
}

/// Exact powers of ten, for decimals of at most 15 digits.
const POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// The fast path of [`float_prefix_bytes`]: an unsigned decimal of at most
/// 15 digits without exponent (counts, rates, most metrics) at `b[i..]`,
/// computed exactly as the general path would; `None` for anything else.
/// Returns the value and where it ends.
#[inline(always)]
fn unsigned_decimal(b: &[u8], mut i: usize) -> Option<(f64, usize)> {
    if !b.get(i).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let mut mant: u64 = 0;
    let mut nd = 0usize;
    let mut frac = 0usize;
    while let Some(&c) = b.get(i)
        && c.is_ascii_digit()
        && nd < 15
    {
        mant = mant * 10 + (c - b'0') as u64;
        nd += 1;
        i += 1;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        while let Some(&c) = b.get(i)
            && c.is_ascii_digit()
            && nd < 15
        {
            mant = mant * 10 + (c - b'0') as u64;
            nd += 1;
            frac += 1;
            i += 1;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E' | b'0'..=b'9')) {
        return None;
    }
    Some((mant as f64 / POW10[frac], i))
}

/// [`float_prefix`] on bytes (everything it looks at is ASCII).
pub(crate) fn float_prefix_bytes(b: &[u8]) -> Option<(f64, usize)> {
    let mut i = 0;
    while i < b.len() && b[i] == b' ' {
        i += 1;
    }
    if let Some(fast) = unsigned_decimal(b, i) {
        return Some(fast);
    }
    let start = i;
    let neg = b.get(i) == Some(&b'-');
    if i < b.len() && (b[i] == b'-' || b[i] == b'+') {
        i += 1;
    }
    if b.get(i).is_some_and(|c| c.is_ascii_alphabetic()) {
        let w = b.get(i..i + 3)?;
        let w = [
            w[0].to_ascii_lowercase(),
            w[1].to_ascii_lowercase(),
            w[2].to_ascii_lowercase(),
        ];
        if &w == b"nan" {
            return Some((f64::NAN, i + 3));
        }
        if &w == b"inf" {
            let mut end = i + 3;
            if b.get(end..end + 5)
                .is_some_and(|x| x.eq_ignore_ascii_case(b"inity"))
            {
                end += 5;
            }
            return Some((
                if neg {
                    f64::NEG_INFINITY
                } else {
                    f64::INFINITY
                },
                end,
            ));
        }
        return None;
    }
    // One pass: accumulate the mantissa while finding the end; plain
    // decimals (the common case) never reach the general parser.
    let mut mant: u64 = 0;
    let mut ndigits = 0usize;
    let mut frac = 0usize;
    while i < b.len() && b[i].is_ascii_digit() {
        mant = mant.wrapping_mul(10).wrapping_add((b[i] - b'0') as u64);
        ndigits += 1;
        i += 1;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            mant = mant.wrapping_mul(10).wrapping_add((b[i] - b'0') as u64);
            ndigits += 1;
            frac += 1;
            i += 1;
        }
    }
    if ndigits == 0 {
        return None;
    }
    let mut simple = ndigits <= 15;
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let mut j = i + 1;
        if j < b.len() && (b[j] == b'-' || b[j] == b'+') {
            j += 1;
        }
        let ds = j;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        if j > ds {
            i = j;
            simple = false;
        }
    }
    let v = if simple {
        // Exact integer / exact power of ten: correctly rounded.
        let v = mant as f64 / POW10[frac];
        if neg { -v } else { v }
    } else {
        // Only ASCII sign/digits/point/exponent bytes: always valid UTF-8.
        std::str::from_utf8(&b[start..i]).ok()?.parse().ok()?
    };
    Some((v, i))
}

/// Like [`float_prefix`] but accepts thousands separators (`16,384`).
pub fn float_prefix_commas(s: &str) -> Option<(f64, usize)> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && b[i] == b' ' {
        i += 1;
    }
    let start = i;
    while i < b.len()
        && (b[i].is_ascii_digit()
            || (b[i] == b',' && i > start && i + 1 < b.len() && b[i + 1].is_ascii_digit()))
    {
        i += 1;
    }
    if i == start {
        return float_prefix(s);
    }
    let mut end = i;
    if i < b.len() && b[i] == b'.' {
        end += 1;
        while end < b.len() && b[end].is_ascii_digit() {
            end += 1;
        }
    }
    let cleaned: String = s[start..end].chars().filter(|c| *c != ',').collect();
    Some((cleaned.parse().ok()?, end))
}

/// Unsigned integer at the start (after spaces), with optional `,` groups.
/// The number of the field `key` in text of fields separated by `sep`,
/// its value after `kv` (`loss=9.2` in fairseq's `, `-separated fields,
/// `total_loss: 76.5` in detectron2's double-spaced ones). A longer key
/// that starts the same (`loss_scale=128`) is another field.
fn field_value(text: &str, sep: &str, key: &str, kv: &str) -> Option<f64> {
    text.split(sep).find_map(|field| {
        let v = field.trim().strip_prefix(key)?.strip_prefix(kv)?;
        float_prefix(v).map(|x| x.0)
    })
}

/// `N/M` at the start of `s` (spaces allowed before each number, as
/// [`uint_prefix`] reads them): the two numbers and the rest.
fn slash_pair(s: &str) -> Option<(u64, u64, &str)> {
    let (n, used) = uint_prefix(s)?;
    let r = s[used..].strip_prefix('/')?;
    let (m, used) = uint_prefix(r)?;
    Some((n, m, &r[used..]))
}

pub fn uint_prefix(s: &str) -> Option<(u64, usize)> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() && b[i] == b' ' {
        i += 1;
    }
    let start = i;
    let mut v: u64 = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() {
            v = v.checked_mul(10)?.checked_add((c - b'0') as u64)?;
        } else if c == b',' && i > start && b.get(i + 1).is_some_and(|d| d.is_ascii_digit()) {
        } else {
            break;
        }
        i += 1;
    }
    if i == start { None } else { Some((v, i)) }
}

/// Value after `key` somewhere in `s` (first occurrence), parsed as a float.
pub fn float_after(s: &str, key: &str) -> Option<f64> {
    let p = s.find_word(key)?;
    float_prefix(&s[p + key.len()..]).map(|(v, _)| v)
}

/// Count after `key` somewhere in `s` (first occurrence): [`uint_prefix`]'s
/// digits, thousands commas allowed.
pub fn uint_after(s: &str, key: &str) -> Option<u64> {
    let p = s.find_word(key)?;
    uint_prefix(&s[p + key.len()..]).map(|(v, _)| v)
}

/// `[H:]MM:SS` (hours unbounded) -> seconds. Returns value and length.
pub fn duration_prefix(s: &str) -> Option<(f64, usize)> {
    duration_prefix_bytes(s.as_bytes())
}

fn duration_prefix_bytes(b: &[u8]) -> Option<(f64, usize)> {
    // Fast path: exactly `MM:SS` (what every bar prints below an hour).
    if let Some(&[m1, m2, b':', s1, s2]) = b.get(..5)
        && [m1, m2, s1, s2].iter().all(u8::is_ascii_digit)
        && !matches!(b.get(5), Some(b':' | b'0'..=b'9'))
    {
        let d = |c: u8| (c - b'0') as u64;
        return Some((((d(m1) * 10 + d(m2)) * 60 + d(s1) * 10 + d(s2)) as f64, 5));
    }
    // Horner in base 60: `M:S` = M*60+S, `H:M:S` = H*3600+M*60+S (parts
    // have at most 9 digits, so nothing overflows).
    let mut secs: u64 = 0;
    let mut np = 0;
    let mut i = 0;
    loop {
        let st = i;
        let mut v = 0u64;
        while i - st < 9
            && let Some(&c) = b.get(i)
            && c.is_ascii_digit()
        {
            v = v * 10 + (c - b'0') as u64;
            i += 1;
        }
        if i == st {
            return None;
        }
        secs = secs * 60 + v;
        np += 1;
        if np < 3 && b.get(i) == Some(&b':') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
            i += 1;
            continue;
        }
        break;
    }
    if np < 2 {
        return None;
    }
    Some((secs as f64, i))
}

/// A duration written with its unit, `7654.43 ms` / `0.52s`, in seconds.
fn seconds_with_unit(s: &str) -> Option<f64> {
    let (v, used) = float_prefix(s)?;
    let unit = s[used..].trim_start();
    if unit.starts_with("ms") {
        Some(v / 1000.0)
    } else {
        unit.starts_with('s').then_some(v)
    }
}

/// Number with an optional SI suffix (tqdm `unit_scale`): `1.20M` -> 1.2e6.
fn si_number(s: &[u8]) -> Option<f64> {
    let (v, used) = float_prefix_bytes(s)?;
    let mult = s.get(used).and_then(|&c| metric_prefix(c)).unwrap_or(1.0);
    Some(v * mult)
}

/// The factor of a metric prefix letter (`k`/`K`, `M`, `G`, `T`).
fn metric_prefix(c: u8) -> Option<f64> {
    match c {
        b'k' | b'K' => Some(1e3),
        b'M' => Some(1e6),
        b'G' => Some(1e9),
        b'T' => Some(1e12),
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// tqdm

/// One tqdm frame.
#[derive(Debug, Clone, PartialEq)]
pub struct TqdmFrame<'a> {
    pub desc: &'a str,
    pub n: f64,
    pub total: Option<f64>,
    pub elapsed_s: Option<f64>,
    /// Units per second as displayed (an EMA: used only as a fallback).
    pub rate: Option<f64>,
    pub unit: &'a str,
    pub postfix: &'a str,
    /// Byte index just past the closing `]` (or the line end when cut).
    pub end: usize,
}

/// A tqdm frame as byte ranges into the line (see [`parse_tqdm_bytes`]).
/// Compact (64 bytes, and as much in a [`super::split::LineFacts`]): the
/// two-thread pipeline hands one over per line, and the analyzer thread's
/// time went partly into reading them.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct RawFrame {
    n: f64,
    /// Meaningful when `has_total`.
    total: f64,
    elapsed_s: f64,
    /// Meaningful when `has_rate`.
    rate: f64,
    /// End of the text before the count (the description, untrimmed).
    pre_end: u32,
    end: u32,
    /// Meaningful unless `cut`.
    unit: (u32, u32),
    postfix: (u32, u32),
    has_total: bool,
    has_rate: bool,
    /// A cut line (`[00:12<16:46` and nothing after): unit `it`, no
    /// postfix.
    cut: bool,
    /// Not 0: the frame is, or was read from, the line that the splitting
    /// thread's [`FrameMemo`] of this number remembered; two frames with the
    /// same number have the same bytes but for the digits of their numbers
    /// and the cells of their bar (the same description, total, unit and
    /// postfix).
    pub(crate) memo: u32,
}

impl RawFrame {
    /// (Every offset is at most the line's length, which the caller checked
    /// fits in a `u32`.)
    #[allow(clippy::too_many_arguments)]
    fn new(
        pre_end: usize,
        n: f64,
        total: Option<f64>,
        elapsed_s: f64,
        rate: Option<f64>,
        unit: Option<(usize, usize)>,
        postfix: (usize, usize),
        end: usize,
    ) -> RawFrame {
        let pair = |(a, b): (usize, usize)| (a as u32, b as u32);
        RawFrame {
            n,
            total: total.unwrap_or(0.0),
            elapsed_s,
            rate: rate.unwrap_or(0.0),
            pre_end: pre_end as u32,
            end: end as u32,
            unit: pair(unit.unwrap_or((0, 0))),
            postfix: pair(postfix),
            has_total: total.is_some(),
            has_rate: rate.is_some(),
            cut: unit.is_none(),
            memo: 0,
        }
    }

    /// Where the frame ends in its line.
    pub(crate) fn end(&self) -> usize {
        self.end as usize
    }

    pub(crate) fn total(&self) -> Option<f64> {
        self.has_total.then_some(self.total)
    }

    pub(crate) fn rate(&self) -> Option<f64> {
        self.has_rate.then_some(self.rate)
    }

    /// The count shown (`n` of `n/total`).
    pub(crate) fn n(&self) -> f64 {
        self.n
    }

    pub(crate) fn elapsed_s(&self) -> Option<f64> {
        Some(self.elapsed_s)
    }

    /// The unit's and the postfix's ranges; `None` for a cut line.
    fn unit_and_postfix(&self) -> Option<((usize, usize), (usize, usize))> {
        let wide = |(a, b): (u32, u32)| (a as usize, b as usize);
        (!self.cut).then(|| (wide(self.unit), wide(self.postfix)))
    }

    /// The frame with string fields. `s` must be the line the frame was
    /// parsed from; every range boundary sits next to an ASCII byte, so the
    /// slices are char boundaries of a `str` (and `None` only on misuse).
    fn in_str(self, s: &str) -> Option<TqdmFrame<'_>> {
        let (unit, postfix) = match self.unit_and_postfix() {
            Some(((a, b), (c, d))) => (s.get(a..b)?, s.get(c..d)?),
            None => ("it", ""),
        };
        Some(TqdmFrame {
            desc: bar_desc(s.get(..self.pre_end as usize)?),
            n: self.n,
            total: self.total(),
            elapsed_s: Some(self.elapsed_s),
            rate: self.rate(),
            unit,
            postfix,
            end: self.end(),
        })
    }

    /// The frame with string fields from raw bytes: `None` when one of the
    /// pieces is not valid UTF-8 (the caller then decodes the whole line).
    #[inline]
    pub(crate) fn in_bytes(self, b: &[u8]) -> Option<TqdmFrame<'_>> {
        // Most pieces are empty (no description, no postfix).
        let text = |r: (usize, usize)| match b.get(r.0..r.1)? {
            [] => Some(""),
            b"it" => Some("it"),
            x => std::str::from_utf8(x).ok(),
        };
        let (unit, postfix) = match self.unit_and_postfix() {
            Some((u, p)) => (text(u)?, text(p)?),
            None => ("it", ""),
        };
        // (Most bars have no description: only the space before their
        // percentage, which `bar_desc` would trim away.)
        let pre = b.get(..self.pre_end as usize)?;
        let desc = if pre.iter().all(|&c| c == b' ') {
            ""
        } else {
            bar_desc(std::str::from_utf8(pre).ok()?)
        };
        Some(TqdmFrame {
            desc,
            n: self.n,
            total: self.total(),
            elapsed_s: Some(self.elapsed_s),
            rate: self.rate(),
            unit,
            postfix,
            end: self.end(),
        })
    }
}

/// A bar that tqdm-loggable writes as log lines, as Levanter and Marin do
/// off a terminal: `Progress on:train 19.0it/70.0it rate:76.8s/it
/// remaining:1:05:15 elapsed:31:40 postfix:loss=15.5` (its counts with
/// their unit, `1.20kit`; `-` where unknown; older versions print the
/// elapsed seconds, `elapsed:0.0002`).
pub fn tqdm_logging(s: &str) -> Option<TqdmFrame<'_>> {
    static MARK: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"Progress on:"));
    // (A line without its capital, most prose, is done in one fast scan.)
    memchr::memchr(b'P', s.as_bytes())?;
    let at = MARK.find(s.as_bytes())? + MARK.needle().len();
    let r = &s[at..];
    let rate_at = r.find_word(" rate:")?;
    let (name, count) = r[..rate_at].rsplit_once(' ').unwrap_or(("", &r[..rate_at]));
    let (n, total) = count.split_once('/')?;
    let number = |x: &str| (x != "-").then(|| si_number(x.as_bytes())).flatten();
    let n = number(n).filter(|v| v.is_finite() && *v >= 0.0)?;
    let total = number(total).filter(|v| v.is_finite() && *v >= 1.0);
    let rest = &r[rate_at + " rate:".len()..];
    let rate_tok = rest.split(' ').next().unwrap_or("");
    let rate = float_prefix(rate_tok).and_then(|(v, used)| {
        let unit = &rate_tok[used..];
        if unit.starts_with("s/") {
            (v > 0.0).then(|| 1.0 / v)
        } else {
            unit.ends_with("/s").then_some(v)
        }
    });
    let elapsed_s = rest.find_word(" elapsed:").and_then(|q| {
        let e = &rest[q + " elapsed:".len()..];
        duration_prefix(e).or_else(|| float_prefix(e)).map(|x| x.0)
    });
    let postfix = rest
        .find_word(" postfix:")
        .map(|q| rest[q + " postfix:".len()..].trim_end())
        .filter(|p| *p != "-" && *p != "None")
        .unwrap_or("");
    Some(TqdmFrame {
        desc: name.trim(),
        n,
        total,
        elapsed_s,
        rate,
        unit: "it",
        postfix,
        end: s.len(),
    })
}

/// Find and parse the first tqdm frame in `s`.
pub fn parse_tqdm(s: &str) -> Option<TqdmFrame<'_>> {
    parse_tqdm_bytes(s.as_bytes())?.in_str(s)
}

/// [`parse_tqdm`] on bytes. Every decision looks at ASCII bytes only, so the
/// result for a line's raw bytes equals the result for its (lossily)
/// decoded text wherever the returned pieces are valid UTF-8.
#[inline]
pub(crate) fn parse_tqdm_bytes(b: &[u8]) -> Option<RawFrame> {
    let mut frame = RawFrame::default();
    parse_tqdm_bytes_into(b, &mut frame).then_some(frame)
}

/// [`parse_tqdm_bytes`] into `out` (left as it was when false): the
/// splitting thread parses straight into the record it hands over, where a
/// returned frame would be copied there with wide loads of the narrow
/// stores that built it, which stall.
#[inline]
pub(crate) fn parse_tqdm_bytes_into(b: &[u8], out: &mut RawFrame) -> bool {
    // (Lines are capped far below this; `RawFrame` keeps `u32` offsets.)
    if u32::try_from(b.len()).is_err() {
        return false;
    }
    let mut from = 0;
    // The last `%` before the `[` (where the description ends), found on
    // the way to it.
    let mut pct = None;
    while let Some(p) = find_bracket(b, from, &mut pct) {
        from = p + 1;
        if p < 2 || b[p - 1] != b' ' {
            continue;
        }
        let inner = &b[p + 1..];
        // (Most frames: see `bar_times`.)
        if let Some((elapsed, used)) = bar_times(inner) {
            if finish_frame(b, p, pct, elapsed, true, p + 1 + used, out) {
                return true;
            }
            continue;
        }
        let Some((elapsed, used)) = duration_prefix_bytes(inner) else {
            continue;
        };
        let mut rest = &inner[used..];
        let has_total_form = rest.first() == Some(&b'<');
        if has_total_form {
            // remaining: duration or '?'
            rest = &rest[1..];
            if let Some(r) = rest.strip_prefix(b"?") {
                rest = r;
            } else if let Some((_, u)) = duration_prefix_bytes(rest) {
                rest = &rest[u..];
            } else {
                continue;
            }
        }
        let Some(r) = rest.strip_prefix(b",") else {
            // Cut line (paste width): `[00:12<16:46` with nothing after.
            if !rest.is_empty() {
                continue;
            }
            let Some(tok) = count_token(b, p - 1, pct) else {
                continue;
            };
            *out = RawFrame::new(
                tok.2,
                tok.0,
                tok.1,
                elapsed,
                None,
                None,
                (b.len(), b.len()),
                b.len(),
            );
            return true;
        };
        if finish_frame(b, p, pct, elapsed, has_total_form, b.len() - r.len(), out) {
            return true;
        }
    }
    // No bracketed frame. (`pct` is now the line's last `%`: one followed by
    // a bar character may open Ultralytics' own bar.)
    match pct {
        Some(p) if b.get(p + 1) == Some(&b' ') && b.get(p + 2) == Some(&0xE2) => {
            parse_ultralytics_bar_into(b, p, out)
        }
        _ => false,
    }
}

/// The times of the usual frame, `MM:SS<MM:SS,` or `MM:SS<?,` (every bar
/// below an hour), at the start of `inner` (after the `[`): the elapsed
/// seconds and the bytes up to and including the comma. Exactly what the
/// general path in [`parse_tqdm_bytes_into`] reads there; `None` for any
/// other form (which that path then reads).
#[inline(always)]
fn bar_times(inner: &[u8]) -> Option<(f64, usize)> {
    let &[m1, m2, b':', s1, s2, b'<', r0, ..] = inner else {
        return None;
    };
    let d = |c: u8| c.wrapping_sub(b'0');
    if d(m1) > 9 || d(m2) > 9 || d(s1) > 9 || d(s2) > 9 {
        return None;
    }
    let used = if r0 == b'?' {
        7
    } else {
        match inner.get(6..12)? {
            &[a, b, b':', c, e, b','] if [a, b, c, e].iter().all(|&x| d(x) <= 9) => 11,
            _ => return None,
        }
    };
    if inner.get(used) != Some(&b',') {
        return None;
    }
    let secs =
        (u64::from(d(m1)) * 10 + u64::from(d(m2))) * 60 + u64::from(d(s1)) * 10 + u64::from(d(s2));
    Some((secs as f64, used + 1))
}

/// The usual rate, a plain decimal and `it/s` or `s/it` before the `]` or
/// the postfix's comma: what [`parse_rate`] reads there, read directly;
/// `None` for any other form.
#[inline(always)]
fn bar_rate(b: &[u8], at: usize) -> Option<(Option<f64>, (usize, usize), usize)> {
    let (v, r0) = unsigned_decimal(b, at)?;
    let (unit, tail) = b.get(r0..r0 + 5)?.split_at(4);
    if tail[0] != b']' && tail[0] != b',' {
        return None;
    }
    match unit {
        b"it/s" => Some((Some(v), (r0, r0 + 2), r0 + 4)),
        b"s/it" => Some(((v > 0.0).then(|| 1.0 / v), (r0 + 2, r0 + 4), r0 + 4)),
        _ => None,
    }
}

/// The rest of a frame whose `[` is at `p` and whose times (`elapsed`,
/// with a remaining time when `has_total_form`) end at `at`, after their
/// comma: the rate, the postfix and the count before the bracket, into
/// `out`. False when the count is not one.
#[inline(always)]
fn finish_frame(
    b: &[u8],
    p: usize,
    pct: Option<usize>,
    elapsed: f64,
    has_total_form: bool,
    mut at: usize,
    out: &mut RawFrame,
) -> bool {
    while at < b.len() && b[at] == b' ' {
        at += 1;
    }
    let (rate, unit, after_rate) = match bar_rate(b, at) {
        Some(fast) => fast,
        None => parse_rate(b, at),
    };
    // Postfix runs to the closing `]`; a line cut before it keeps the rest.
    let (mut pf, end) = match find_byte(&b[after_rate..], |c| c == b']') {
        Some(close) => ((after_rate, after_rate + close), after_rate + close + 1),
        None => ((after_rate, b.len()), b.len()),
    };
    if b[pf.0..pf.1].starts_with(b", ") {
        pf.0 += 2;
    }
    let Some((n, total, pre_end)) = count_token(b, p - 1, pct) else {
        return false;
    };
    if has_total_form != total.is_some() && total.is_some() {
        // `n/total` must come with `elapsed<remaining`.
        return false;
    }
    *out = RawFrame::new(pre_end, n, total, elapsed, rate, Some(unit), pf, end);
    true
}

/// Ultralytics' own bar (8.3.x, in place of tqdm), rich's style without
/// brackets: `DESC: 11% ━╸────────── 1/9 1.9it/s 0.2s<4.2s`. The rate is
/// left out while unknown, scaled with a capital `K`/`M`/`G` when large;
/// elapsed and remaining read `12.3s`, `1:05` or `1:02:03`. `pct` is the
/// `%` after the percentage. Reads the frame into `out` (left as it was
/// when false).
#[cold]
#[inline(never)]
fn parse_ultralytics_bar_into(b: &[u8], pct: usize, out: &mut RawFrame) -> bool {
    const BAR_CHARS: [&[u8]; 3] = ["━".as_bytes(), "─".as_bytes(), "╸".as_bytes()];
    let mut i = pct + 2;
    while let Some(c) = BAR_CHARS.iter().find(|c| b[i..].starts_with(c)) {
        i += c.len();
    }
    if i == pct + 2 || b.get(i) != Some(&b' ') {
        return false;
    }
    let token_end =
        |from: usize| from + find_byte(&b[from..], |c| c == b' ').unwrap_or(b.len() - from);
    // `n/total`: plain counts (a byte count, `5.4/5.4MB`, is a download).
    let count = (i + 1, token_end(i + 1));
    let Some(slash) = find_byte(&b[count.0..count.1], |c| c == b'/') else {
        return false;
    };
    let whole = |r: &[u8]| float_prefix_bytes(r).filter(|&(_, used)| used == r.len());
    let (Some((n, _)), Some((total, _))) = (
        whole(&b[count.0..count.0 + slash]),
        whole(&b[count.0 + slash + 1..count.1]),
    ) else {
        return false;
    };
    let mut at = count.1 + 1;
    // The rate, when shown: `6.5it/s`, `1.2Kit/s`.
    let mut rate = None;
    let mut unit = None;
    let tok = (at, token_end(at));
    if let Some(r) = b.get(tok.0..tok.1)
        && r.ends_with(b"/s")
        && let Some((v, used)) = float_prefix_bytes(r)
    {
        let u = &r[used..r.len() - 2];
        let (mult, skip) = match u.first().and_then(|&c| metric_prefix(c)) {
            Some(m) if u.len() > 1 => (m, 1),
            _ => (1.0, 0),
        };
        rate = Some(v * mult);
        unit = Some((tok.0 + used + skip, tok.1 - 2));
        at = tok.1 + 1;
    }
    // (No rate leaves two spaces.)
    while b.get(at) == Some(&b' ') {
        at += 1;
    }
    let Some(rest) = b.get(at..) else {
        return false;
    };
    let Some((elapsed, used)) = ultralytics_time(rest) else {
        return false;
    };
    let mut after = &rest[used..];
    if let Some(r) = after.strip_prefix(b"<") {
        let Some((_, u)) = ultralytics_time(r) else {
            return false;
        };
        after = &r[u..];
    }
    if !after.iter().all(|&c| c == b' ') {
        return false;
    }
    let mut pre_end = pct;
    while pre_end > 0 && (b[pre_end - 1].is_ascii_digit() || b[pre_end - 1] == b'.') {
        pre_end -= 1;
    }
    if pre_end == pct || n < 0.0 || total < 0.0 {
        return false;
    }
    // (Whole seconds: past a minute the bar shows no fraction, and one clock
    // must not change its resolution halfway through a run.)
    let elapsed = elapsed.floor();
    *out = RawFrame::new(
        pre_end,
        n,
        Some(total),
        elapsed,
        rate,
        unit,
        (b.len(), b.len()),
        b.len(),
    );
    true
}

/// An Ultralytics bar's time: `12.3s` below a minute, else `M:SS` or
/// `H:MM:SS`. Returns (seconds, bytes used).
fn ultralytics_time(b: &[u8]) -> Option<(f64, usize)> {
    if let Some((v, used)) = float_prefix_bytes(b)
        && b.get(used) == Some(&b's')
        && b.first().is_some_and(u8::is_ascii_digit)
    {
        return Some((v, used + 1));
    }
    duration_prefix_bytes(b)
}

/// The first `[` in `b` from `from`; on the way, `pct` becomes the last
/// `%` before it (or before the end, when there is no `[`), in one pass
/// sixteen bytes at a time (a frame's `[` comes after its bar, 50 bytes or
/// more in; two `memchr` calls cost more in setup on lines this short).
fn find_bracket(b: &[u8], from: usize, pct: &mut Option<usize>) -> Option<usize> {
    let (open, last_pct) = super::simd::bracket_and_pct(&b[from..]);
    if let Some(k) = last_pct {
        *pct = Some(from + k);
    }
    open.map(|k| from + k)
}

/// Byte-level search for an ASCII byte class (the result is a char
/// boundary because the matched byte is ASCII). Cheaper than `str::find`
/// with a char pattern, which showed up in profiles of the bar path.
fn find_byte(s: &[u8], pred: impl Fn(u8) -> bool) -> Option<usize> {
    s.iter().position(|&b| pred(b))
}

fn rfind_byte(s: &[u8], pred: impl Fn(u8) -> bool) -> Option<usize> {
    s.iter().rposition(|&b| pred(b))
}

/// Parse `  4.00it/s`, `5.01s/it`, `?it/s`, `24.5ktok/s` starting at
/// `b[at..]`. Returns (units per second, unit range, index of the rest).
fn parse_rate(b: &[u8], at: usize) -> (Option<f64>, (usize, usize), usize) {
    let s = &b[at..];
    let delim = |c: u8| c == b',' || c == b']';
    if s.first() == Some(&b'?') {
        let r0 = at + 1;
        let end = r0 + find_byte(&b[r0..], delim).unwrap_or(b.len() - r0);
        let mut ue = end;
        while ue - r0 >= 2 && &b[ue - 2..ue] == b"/s" {
            ue -= 2;
        }
        return (None, (r0, ue), end);
    }
    let Some((v, used)) = float_prefix_bytes(s) else {
        let end = at + find_byte(s, delim).unwrap_or(s.len());
        // No rate at all, the postfix right after the times (NeMo:
        // `[33:46<16886:15:22, v_num=0, reduced_train_loss=11.00]`).
        if b[at..end].contains(&b'=') {
            return (None, (at, at), at);
        }
        return (None, (at, at), end);
    };
    let r0 = at + used;
    let end = r0 + find_byte(&b[r0..], delim).unwrap_or(b.len() - r0);
    let tok = &b[r0..end];
    if tok.starts_with(b"s/") {
        let rate = if v > 0.0 { Some(1.0 / v) } else { None };
        return (rate, (r0 + 2, end), end);
    }
    if tok.ends_with(b"/s") {
        let u = &tok[..tok.len() - 2];
        let (mult, skip) = match u.first() {
            Some(b'k') if u.len() > 1 => (1e3, 1),
            Some(b'M') if u.len() > 1 => (1e6, 1),
            Some(b'G') if u.len() > 1 => (1e9, 1),
            _ => (1.0, 0),
        };
        return (Some(v * mult), (r0 + skip, end - 2), end);
    }
    (None, (r0, r0), end)
}

/// Parse the `n/total` (or `n<unit>`) token that ends at byte `end`
/// (exclusive, the space before `[`). Returns n, total and the end of the
/// text before the percentage / bar (the description, see [`bar_desc`]).
/// `pct`: the last `%` before `end` (none is in a count token).
fn count_token(s: &[u8], end: usize, pct: Option<usize>) -> Option<(f64, Option<f64>, usize)> {
    let head = s.get(..end)?;
    if let Some((n, total, start)) = plain_count(head) {
        return Some((n, Some(total), desc_end(head, start, pct)));
    }
    let start = rfind_byte(head, |b| b == b' ' || b == b'|')
        .map(|i| i + 1)
        .unwrap_or(0);
    let tok = &head[start..];
    if tok.is_empty() {
        return None;
    }
    let (n, total) = match find_byte(tok, |b| b == b'/') {
        Some(sl) => {
            let n = si_number(&tok[..sl])?;
            // Lightning's validation bar before it knows its length: `0/?`.
            if &tok[sl + 1..] == b"?" {
                (n, None)
            } else {
                (n, Some(si_number(&tok[sl + 1..])?))
            }
        }
        None => {
            let (n, used) = float_prefix_bytes(tok)?;
            // `0it`, `12.5kB`: unit letters follow the number.
            if !tok[used..].iter().all(|c| c.is_ascii_alphabetic()) {
                return None;
            }
            (n, None)
        }
    };
    if n.is_nan() || n < 0.0 || total.is_some_and(|t| t.is_nan() || t < 0.0) {
        return None;
    }
    Some((n, total, desc_end(head, start, pct)))
}

/// The common count token, `<digits>/<digits>` (at most 15 digits each)
/// after a space or `|`, read backwards from the end of `head`: returns
/// (n, total, token start). Exactly what the general path in
/// [`count_token`] computes for such a token; `None` for anything else.
fn plain_count(head: &[u8]) -> Option<(f64, f64, usize)> {
    let (total, i, nt) = digits_back(head, head.len());
    if nt == 0 || i == 0 || head[i - 1] != b'/' {
        return None;
    }
    let (n, start, nn) = digits_back(head, i - 1);
    if nn == 0 || (start > 0 && head[start - 1] != b' ' && head[start - 1] != b'|') {
        return None;
    }
    Some((n as f64, total as f64, start))
}

/// The decimal digits (at most 15) that end `head[..end]`: their value,
/// where they start, and how many there are.
// (Inlined: returned through memory, the tuple's fields are read back
// wider than they were written, which stalls store-to-load forwarding on
// every frame.)
#[inline(always)]
fn digits_back(head: &[u8], end: usize) -> (u64, usize, usize) {
    let mut v: u64 = 0;
    let mut scale: u64 = 1;
    let mut n = 0;
    for &c in head[..end].iter().rev().take(15) {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        v += u64::from(d) * scale;
        scale *= 10;
        n += 1;
    }
    (v, end - n, n)
}

/// End of the description: the text before the count token at `start`,
/// without the percentage. (The bar's percentage is followed by the bar,
/// `45%|`; a `%` in the description of a bar without a total is its own:
/// `Train Epoch: 0 [652/661 (98%)] Loss: 16.1: : 652it`.)
fn desc_end(head: &[u8], start: usize, pct: Option<usize>) -> usize {
    let mut pre = start;
    if let Some(pct) = pct.filter(|&p| p < start && head.get(p + 1) == Some(&b'|')) {
        let mut k = pct;
        while k > 0 && (head[k - 1].is_ascii_digit() || head[k - 1] == b' ' || head[k - 1] == b'.')
        {
            k -= 1;
        }
        pre = k;
    }
    pre
}

/// The bar description from the text before its percentage.
fn bar_desc(pre: &str) -> &str {
    // (`desc: ` before the bar; a bar without a total can show `desc: : `.)
    let desc = pre.trim().trim_end_matches([':', ' ']);
    // Bars glued after other output keep only the part after the last `]`
    // or the last sentence; descriptions are short. Except epoch rows:
    // YOLO's (`1/100  0.958G  5.48  3.496 ...`, eight losses) and those
    // that carry the epoch's metrics (Jacinle: `Epoch 15 acc/qa=1.0
    // loss=0.046 time/data=0.008 ...`).
    if desc.len() <= 80 {
        desc
    } else {
        long_bar_desc(desc)
    }
}

/// [`bar_desc`] for a description over 80 bytes (rare: kept out of the
/// per-frame path).
#[cold]
fn long_bar_desc(desc: &str) -> &str {
    let b = desc.as_bytes();
    let d = b.iter().take_while(|c| c.is_ascii_digit()).count();
    let epoch_row =
        (d > 0 && b.get(d) == Some(&b'/') && b.get(d + 1).is_some_and(u8::is_ascii_digit))
            || b.get(..6)
                .is_some_and(|h| h.eq_ignore_ascii_case(b"epoch "));
    if epoch_row && desc.len() <= 240 {
        desc
    } else if let Some(p) = desc.find_word("Scanning ")
        && p <= 16
    {
        // Ultralytics' dataset check, long with its path and counts
        // (`train: Scanning /data/labels.cache... 19347 images, ...`):
        // its name, which says it is not training.
        &desc[..p + "Scanning".len()]
    } else {
        ""
    }
}

/// The first training loss in a postfix whose key is none of the usual
/// ones: `train_total_loss=0.375`, `train_intent_loss_step=1.1` (any key
/// ending in `loss` or `loss_step`, not a validation one).
/// A `total` one first (`train_total_loss` over `train_intent_loss_step`).
pub fn postfix_train_loss(postfix: &str) -> Option<f64> {
    let losses = || {
        postfix.split(", ").filter_map(|part| {
            let (k, v) = part.trim().split_once('=')?;
            // `Loss=0.179` (3D Gaussian splatting) as well as `loss=`.
            let lower = k.to_ascii_lowercase();
            let base = lower.strip_suffix("_step").unwrap_or(&lower);
            let eval = ["val", "eval", "test", "valid"]
                .iter()
                .any(|p| lower.starts_with(p));
            let v = float_prefix(v)?.0;
            // (Composer's bar: `loss/train/total=3.3147`.)
            let loss = base.ends_with("loss") || base.starts_with("loss/train");
            (loss && !eval).then_some((lower.contains("total"), v))
        })
    };
    losses()
        .find(|(total, _)| *total)
        .or_else(|| losses().next())
        .map(|(_, v)| v)
}

/// `s.split(", ")` without building a substring searcher per call (the
/// postfix of every frame is split several times).
pub(crate) fn split_comma_space(s: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(s);
    std::iter::from_fn(move || {
        let r = rest?;
        let b = r.as_bytes();
        let mut from = 0;
        while let Some(p) = b[from..].iter().position(|&c| c == b',') {
            let at = from + p;
            if b.get(at + 1) == Some(&b' ') {
                rest = Some(&r[at + 2..]);
                return Some(&r[..at]);
            }
            from = at + 1;
        }
        rest = None;
        Some(r)
    })
}

/// `k=v` from a tqdm postfix (also `k: v` and `k v`, from a postfix set
/// as a string: `set_postfix_str(f"loss {l:.4f}")`; and `k: v` pairs
/// after one another, ai-toolkit's `lr: 1.0e-04 loss: 4.103e-01`).
pub fn postfix_value(postfix: &str, key: &str) -> Option<f64> {
    for part in split_comma_space(postfix) {
        let part = part.trim();
        if let Some(v) = part.strip_prefix(key).and_then(|r| {
            r.strip_prefix('=')
                .or_else(|| r.strip_prefix(": "))
                .or_else(|| r.strip_prefix(' '))
        }) {
            return float_prefix(v).map(|x| x.0);
        }
    }
    // (Rare: only when no part starts with the key, and with a colon.)
    if !postfix.bytes().any(|c| c == b':') {
        return None;
    }
    postfix_colon_value(postfix, key)
}

/// [`postfix_value`] for each of `keys`, in one pass over the parts (a bar
/// draws a frame per step, and the analyzer reads several keys of each).
pub(crate) fn postfix_values<const N: usize>(postfix: &str, keys: [&str; N]) -> [Option<f64>; N] {
    let mut out = [None; N];
    let mut seen = [false; N];
    for part in split_comma_space(postfix) {
        let part = part.trim();
        // No key holds a separator: a key that a part starts with ends at
        // the part's first one.
        let Some(end) = part.bytes().position(|c| matches!(c, b'=' | b':' | b' ')) else {
            continue;
        };
        let rest = &part[end..];
        let Some(v) = rest
            .strip_prefix('=')
            .or_else(|| rest.strip_prefix(": "))
            .or_else(|| rest.strip_prefix(' '))
        else {
            continue;
        };
        let key = &part[..end];
        if let Some(i) = keys.iter().position(|k| *k == key)
            && !seen[i]
        {
            seen[i] = true;
            out[i] = float_prefix(v).map(|x| x.0);
        }
    }
    if postfix.bytes().any(|c| c == b':') {
        for (i, key) in keys.iter().enumerate() {
            if !seen[i] {
                out[i] = postfix_colon_value(postfix, key);
            }
        }
    }
    out
}

/// `key: v` after a space anywhere in the postfix (ai-toolkit's
/// `lr: 1.0e-04 loss: 4.103e-01`).
fn postfix_colon_value(postfix: &str, key: &str) -> Option<f64> {
    for (i, _) in postfix.match_indices(key) {
        if postfix[..i].ends_with(' ')
            && let Some(v) = postfix[i + key.len()..].strip_prefix(": ")
            && let Some((v, _)) = float_prefix(v)
        {
            return Some(v);
        }
    }
    None
}

// ---------------------------------------------------------------------------
// HF Trainer dict lines

/// A parsed `{'k': v, ...}` line: keys with numeric values (strings that
/// look like numbers are numbers; transformers 5.x quotes them).
pub fn parse_py_dict(s: &str) -> Option<Vec<(&str, f64)>> {
    // HF logs print a handful of keys: one allocation for the common case.
    let mut out = Vec::with_capacity(8);
    py_dict_entries(s, |key, v| out.push((key, v)))?;
    Some(out)
}

/// [`parse_py_dict`]'s entries, in order, each handed to `each` (no list
/// built); `None` where [`parse_py_dict`] is `None` (`each` may have seen
/// some entries by then).
fn py_dict_entries<'a>(s: &'a str, mut each: impl FnMut(&'a str, f64)) -> Option<()> {
    let t = s.trim();
    let t = t.strip_prefix('{')?.strip_suffix('}')?;
    if !t.starts_with('\'') && !t.starts_with('"') {
        return None;
    }
    let mut any = false;
    let mut rest = t;
    loop {
        let skip = rest
            .bytes()
            .position(|c| c != b' ' && c != b',')
            .unwrap_or(rest.len());
        rest = &rest[skip..];
        if rest.is_empty() {
            break;
        }
        let q = rest.as_bytes()[0];
        if q != b'\'' && q != b'"' {
            return any.then_some(());
        }
        // The quote is ASCII: a byte search finds the same place as a
        // char search (and beats `memchr` on short keys).
        let close = rest.as_bytes()[1..].iter().position(|&c| c == q)? + 1;
        let key = &rest[1..close];
        rest = trim_start_fast(&rest[close + 1..]);
        rest = trim_start_fast(rest.strip_prefix(':')?);
        // value: quoted string, tensor(...), number, or other repr up to ','.
        let (val, used) = if rest.starts_with('\'') || rest.starts_with('"') {
            let vq = rest.as_bytes()[0];
            let vc = rest.as_bytes()[1..].iter().position(|&c| c == vq)? + 1;
            (
                float_prefix(&rest[1..vc])
                    .filter(|(_, u)| *u == vc - 1)
                    .map(|x| x.0),
                vc + 1,
            )
        } else if let Some(r) = rest.strip_prefix("tensor(") {
            let close = r.find(')').map(|c| c + 8).unwrap_or(rest.len());
            (float_prefix(r).map(|x| x.0), close)
        } else if let Some(r) = rest
            .strip_prefix("Array(")
            .or_else(|| rest.strip_prefix("array("))
        {
            // JAX's arrays: `Array(2.2839155, dtype=float32)`; NumPy's,
            // `array(1.728779, dtype=float32)` (EasyLM's metrics).
            let close = r.find(')').map(|c| c + 7).unwrap_or(rest.len());
            (float_prefix(r).map(|x| x.0), close)
        } else if let Some(r) = rest.strip_prefix("np.")
            && let Some(open) = r.as_bytes()[..r.len().min(12)]
                .iter()
                .position(|&c| c == b'(')
            && r[..open].bytes().all(|c| c.is_ascii_alphanumeric())
        {
            // NumPy 2's scalars: `np.float32(0.36564916)`.
            let inner = &r[open + 1..];
            let close = inner
                .find(')')
                .map(|c| 3 + open + 1 + c + 1)
                .unwrap_or(rest.len());
            (float_prefix(inner).map(|x| x.0), close)
        } else {
            let end = value_end(rest);
            (float_prefix(&rest[..end]).map(|x| x.0), end)
        };
        if let Some(v) = val {
            any = true;
            each(key, v);
        }
        rest = rest.get(used..).unwrap_or("");
    }
    Some(())
}

/// End of an unquoted value: the next `,` at bracket depth 0.
fn value_end(s: &str) -> usize {
    let mut depth = 0i32;
    for (i, c) in s.char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            ',' if depth <= 0 => return i,
            _ => {}
        }
    }
    s.len()
}

/// The keys of an HF dict that [`hf_dict`] reads by name.
#[derive(Default)]
struct KnownKeys {
    epoch: Option<f64>,
    step: Option<f64>,
    total_steps: Option<f64>,
    loss: Option<f64>,
    embedding_loss: Option<f64>,
    learning_rate: Option<f64>,
    grad_norm: Option<f64>,
    num_tokens: Option<f64>,
    train_runtime: Option<f64>,
    train_samples_per_second: Option<f64>,
    train_steps_per_second: Option<f64>,
    train_loss: Option<f64>,
    step_time: Option<f64>,
}

/// What an HF dict line means.
#[derive(Debug, Clone, PartialEq)]
pub enum HfDict {
    Train(Event),
    Eval(Event),
    /// A dict that carries its own step counter (fairseq's `json` log
    /// format): a step line like any other, not HF's.
    Steps(Event),
    /// One JSON object per epoch, the epoch its step (the `log.txt` of
    /// DeiT and the many repositories after it: MAE, DINO, ConvNeXt, BEiT).
    Epochs(Event),
    /// A record of mmcv's `*.log.json` (see [`mmcv_record`]): its epoch
    /// and iteration, which the analyzer turns into the run's step.
    Mmcv {
        epoch: u64,
        iter: u64,
        ev: Event,
    },
    /// The plan in the first record of mmcv's `*.log.json` (its config):
    /// an iteration-based runner's iterations, an epoch-based one's epochs.
    MmcvPlan {
        iters: Option<u64>,
        epochs: Option<u64>,
    },
    /// Final speed metrics (`train_runtime`, ...).
    Final {
        runtime_s: Option<f64>,
        samples_per_sec: Option<f64>,
        steps_per_sec: Option<f64>,
        train_loss: Option<f64>,
        epoch: Option<f64>,
    },
}

pub fn hf_dict(s: &str) -> Option<HfDict> {
    let b = s.trim_start().as_bytes();
    if b.first() != Some(&b'{') {
        return None;
    }
    // JSON's double quotes: a project's own log (the HF Trainer prints
    // Python dicts).
    let json = b.get(1) == Some(&b'"');
    if json && b.starts_with(b"{\"mode\": ") {
        return mmcv_record(s);
    }
    if json && b.starts_with(b"{\"env_info\": ") {
        return mmcv_plan(s);
    }
    // One pass over the entries picks the keys read below (the first of
    // each) and what the others add up to.
    let mut known = KnownKeys::default();
    let mut others = OtherKeys::default();
    py_dict_entries(s, |key, v| {
        let slot = match key {
            "epoch" => &mut known.epoch,
            "step" => &mut known.step,
            // LLaMA-Factory's `trainer_log.jsonl`: `{"current_steps": 10,
            // "total_steps": 8660, "loss": 2.4977, ...}`.
            "current_steps" => &mut known.step,
            "total_steps" => &mut known.total_steps,
            "loss" => &mut known.loss,
            "embedding_loss" => &mut known.embedding_loss,
            "learning_rate" => &mut known.learning_rate,
            "grad_norm" => &mut known.grad_norm,
            "num_tokens" => &mut known.num_tokens,
            "train_runtime" => &mut known.train_runtime,
            "train_samples_per_second" => &mut known.train_samples_per_second,
            "train_steps_per_second" => &mut known.train_steps_per_second,
            "train_loss" => &mut known.train_loss,
            // TRL's GRPO (seconds per step, its generation included).
            "step_time" => &mut known.step_time,
            "train_lr" => &mut others.train_lr,
            _ => {
                others.see(key, v);
                return;
            }
        };
        slot.get_or_insert(v);
    })?;
    // fairseq's `json` log format: the same metrics as its text lines,
    // with the record's name in front of each key but the inner ones.
    // (HF never prints this key.)
    if json
        && others.num_updates
        && let Some(record) = fairseq_json(s)
    {
        return record;
    }
    // DeiT's `log.txt`: `{"train_lr": 1e-06, "train_loss": 6.9197, "test_acc1":
    // 0.526, ..., "epoch": 0, "n_parameters": 23448808}` (JSON; an HF
    // summary has `train_runtime`, an HF step `loss`). Written as each
    // epoch ends, from 0: the record of epoch N says N + 1 are done.
    if json
        && known.train_runtime.is_none()
        && known.loss.is_none()
        && let (Some(epoch), Some(loss)) = (known.epoch, known.train_loss)
        && epoch >= 0.0
        && epoch.fract() == 0.0
    {
        let mut ev = Event::new(EventKind::Train, Source::Generic);
        ev.step = Some(epoch as u64 + 1);
        ev.epoch = Some(epoch);
        ev.loss = Some(loss);
        ev.lr = others.train_lr;
        return Some(HfDict::Epochs(ev));
    }
    if known.train_runtime.is_some() {
        return Some(HfDict::Final {
            runtime_s: known.train_runtime,
            samples_per_sec: known.train_samples_per_second,
            steps_per_sec: known.train_steps_per_second,
            train_loss: known.train_loss,
            epoch: known.epoch,
        });
    }
    let mut ev = Event::new(EventKind::Train, Source::HfDict);
    ev.epoch = known.epoch;
    ev.step = known.step.filter(|v| *v >= 0.0).map(|v| v as u64);
    ev.total_steps = known.total_steps.filter(|v| *v >= 1.0).map(|v| v as u64);
    // ms-swift: both in one string, `"global_step/max_steps": "430/438"` in
    // its `logging.jsonl`, `'global_step/max_steps': '5/16'` on the console.
    // (The Trainer's dicts have no `/`: one byte scan spares them the search.)
    let (swift_key, quote) = if json {
        ("\"global_step/max_steps\": \"", '"')
    } else {
        ("'global_step/max_steps': '", '\'')
    };
    if ev.step.is_none()
        && s.as_bytes().contains(&b'/')
        && let Some(p) = s.find(swift_key)
        && let r = &s[p + swift_key.len()..]
        && let Some((step, used)) = uint_prefix(r)
        && let Some(r) = r[used..].strip_prefix('/')
        && let Some((total, used)) = uint_prefix(r)
        && r[used..].starts_with(quote)
    {
        ev.step = Some(step);
        ev.total_steps = Some(total).filter(|t| *t >= 1);
    }
    // A result dict of an evaluation, `{'accuracy': 0.69, 'f1': 0.80,
    // 'loss': 0.68}` (ColossalAI's GLUE example): scores beside the loss
    // and nothing of training (the Trainer's always has its epoch).
    let scores_only = known.epoch.is_none()
        && known.step.is_none()
        && known.learning_rate.is_none()
        && known.grad_norm.is_none()
        && others.scores;
    if scores_only && let Some(l) = known.loss {
        ev.kind = EventKind::Eval;
        ev.loss = Some(l);
        return Some(HfDict::Eval(ev));
    }
    // (SetFit's embedding phase logs `embedding_loss`.)
    if let Some(l) = known.loss.or(known.embedding_loss) {
        ev.loss = Some(l);
        ev.lr = known.learning_rate;
        ev.grad_norm = known.grad_norm;
        ev.tokens = known.num_tokens;
        ev.step_time_s = known.step_time.filter(|v| v.is_finite() && *v > 0.0);
        // NumPy values (EasyLM's `pprint` of its metrics, `'loss':
        // array(1.72, dtype=float32)`): a loop's own record, not the HF
        // Trainer's, whose values are plain numbers.
        // (A byte search first: most dicts have no parenthesis at all.)
        if memchr::memchr(b'(', s.as_bytes()).is_some() && s.contains(": array(") {
            ev.source = Source::Generic;
            return Some(HfDict::Steps(ev));
        }
        return Some(HfDict::Train(ev));
    }
    // eval dicts: eval_loss or eval_<name>_loss, eval_runtime (see
    // `OtherKeys::see`).
    if others.eval {
        ev.loss = others.eval_loss;
        ev.runtime_s = others.eval_runtime_s;
        ev.samples_per_sec = others.eval_samples_per_sec;
        ev.kind = EventKind::Eval;
        return Some(HfDict::Eval(ev));
    }
    None
}

/// What [`hf_dict`] learns from the keys it does not read by name, in the
/// one pass over the entries.
#[derive(Default)]
struct OtherKeys {
    /// DeiT's learning rate.
    train_lr: Option<f64>,
    /// A key that ends in `num_updates` (fairseq's records).
    num_updates: bool,
    /// A score of an evaluation (`accuracy`, `f1`, ...).
    scores: bool,
    /// An evaluation's key: `eval_loss` or `eval_<name>_loss`,
    /// `eval_runtime`, `eval_..._per_second`. (Not a printed
    /// configuration's `'eval_interval': 5`, `'eval_steps': 500`.)
    eval: bool,
    /// The first `eval_..loss`.
    eval_loss: Option<f64>,
    /// The sum of the `eval_..runtime`s.
    eval_runtime_s: Option<f64>,
    /// The first `eval_..samples_per_second`.
    eval_samples_per_sec: Option<f64>,
}

impl OtherKeys {
    fn see(&mut self, key: &str, v: f64) {
        self.num_updates |= key.ends_with("num_updates");
        self.scores |= matches!(
            key,
            "accuracy" | "acc" | "f1" | "precision" | "recall" | "auc" | "perplexity"
        );
        if let Some(r) = key.strip_prefix("eval_") {
            self.eval |= ["loss", "runtime", "_per_second"]
                .iter()
                .any(|w| r.ends_with(w));
            if r.ends_with("loss") && self.eval_loss.is_none() {
                self.eval_loss = Some(v);
            }
            if r.ends_with("runtime") {
                self.eval_runtime_s = Some(self.eval_runtime_s.unwrap_or(0.0) + v);
            }
            if r.ends_with("samples_per_second") && self.eval_samples_per_sec.is_none() {
                self.eval_samples_per_sec = Some(v);
            }
        }
    }
}

/// A record of mmcv's `*.log.json` (MMDetection, MMSegmentation and the
/// other OpenMMLab 1.x codebases): `{"mode": "train", "epoch": 1, "iter":
/// 50, "lr": 0.02, "memory": 3546, "data_time": 0.05, "loss_rpn_cls":
/// 0.61, ..., "loss": 2.13, "grad_norm": 10.3, "time": 0.55}` every log
/// interval (`time`: seconds an iteration), `{"mode": "val", "epoch": 1,
/// "iter": 7330, "lr": 0.02, "bbox_mAP": 0.214, ...}` after an evaluation.
/// `iter` counts within the epoch in an epoch-based run, over the run in
/// an iteration-based one; the analyzer tells which.
fn mmcv_record(s: &str) -> Option<HfDict> {
    let t = s.trim_start();
    let train = if t.starts_with("{\"mode\": \"train\"") {
        true
    } else if t.starts_with("{\"mode\": \"val\"") {
        false
    } else {
        return None;
    };
    let (mut epoch, mut iter, mut loss, mut lr, mut grad_norm, mut time) =
        (None, None, None, None, None, None);
    py_dict_entries(t, |key, v| {
        let slot = match key {
            "epoch" => &mut epoch,
            "iter" => &mut iter,
            "loss" => &mut loss,
            "lr" => &mut lr,
            "grad_norm" => &mut grad_norm,
            "time" => &mut time,
            _ => return,
        };
        slot.get_or_insert(v);
    })?;
    let whole = |v: f64| (v >= 0.0 && v.fract() == 0.0 && v < 1e15).then_some(v as u64);
    let (epoch, iter) = (whole(epoch?)?, whole(iter?)?);
    let mut ev = Event::new(
        if train {
            EventKind::Train
        } else {
            EventKind::Eval
        },
        Source::Generic,
    );
    ev.epoch = Some(epoch as f64);
    ev.loss = loss;
    if train {
        ev.lr = lr;
        ev.grad_norm = grad_norm;
        ev.step_time_s = time.filter(|v| v.is_finite() && *v > 0.0);
    }
    Some(HfDict::Mmcv { epoch, iter, ev })
}

/// The plan in the first record of mmcv's `*.log.json`, the run's config
/// as its Python text: `runner = dict(type='IterBasedRunner',
/// max_iters=160000)`, `runner = dict(type='EpochBasedRunner',
/// max_epochs=12)`, MMDetection 1.x's `total_epochs = 12`.
fn mmcv_plan(s: &str) -> Option<HfDict> {
    let config = &s[s.find("\"config\": \"")?..];
    let iters = uint_after(config, "max_iters=").filter(|n| *n > 0);
    let epochs = uint_after(config, "max_epochs=")
        .or_else(|| uint_after(config, "total_epochs = "))
        .filter(|n| *n > 0);
    (iters.is_some() || epochs.is_some()).then_some(HfDict::MmcvPlan { iters, epochs })
}

/// A fairseq `json` record (`{"epoch": 1, "num_updates": 120, ...}`, the
/// train and valid summaries with their record's name in front of each
/// key): `None` when `s` is not one (another key that ends so,
/// `total_num_updates`), else what [`hf_dict`] makes of it.
#[cold]
fn fairseq_json(s: &str) -> Option<Option<HfDict>> {
    let kv = parse_py_dict(s)?;
    let get = |k: &str| kv.iter().find(|(key, _)| *key == k).map(|x| x.1);
    let (key, _) = kv.iter().find(|(k, _)| k.ends_with("num_updates"))?;
    let (prefix, kind) = match key.strip_suffix("num_updates") {
        Some("") => ("", FairseqRecord::Inner),
        Some("train_") => ("train_", FairseqRecord::EpochEnd),
        Some("valid_") => ("valid_", FairseqRecord::Valid),
        _ => return None,
    };
    let prefixed = |k: &str| {
        kv.iter()
            .find(|(key, _)| key.strip_prefix(prefix) == Some(k))
            .map(|x| x.1)
    };
    Some(fairseq_event(kind, get("epoch"), prefixed).map(HfDict::Steps))
}

// ---------------------------------------------------------------------------
// nanoGPT family

/// `iter N: loss X, time Yms[, mfu Z%]`, `step N: train loss X, val loss Y`,
/// llama2.c `N | loss X | lr Y | Zms | mfu W%`, build-nanogpt's log file
/// `N train X` / `N val Y`, modded-nanogpt
/// `step:N/T [val_loss:X ][train_loss:X ]train_time:Yms step_avg:Zms`,
/// nanochat `step 00001/01980 (0.05%) | loss: X | ... | dt: Yms | ...`.
pub fn nanogpt(s: &str) -> Option<Event> {
    let t = s.trim_start();
    let b = t.as_bytes();
    let first = *b.first()?;
    if first == b'i'
        && let Some(r) = t.strip_prefix("iter_dt ")
    {
        // minGPT's trainer demo: `iter_dt 35.12ms; iter 100: train loss
        // 6.12345` (the time of the iteration before; 0 for the first).
        let (ms, used) = float_prefix(r)?;
        let r = r[used..].strip_prefix("ms; iter ")?;
        let (step, used) = uint_prefix(r)?;
        let (loss, _) = float_prefix(r[used..].strip_prefix(": train loss ")?)?;
        let mut ev = Event::new(EventKind::Train, Source::NanoGpt);
        ev.step = Some(step);
        ev.loss = Some(loss);
        ev.step_time_s = Some(ms / 1000.0).filter(|&s| s > 0.0);
        return Some(ev);
    }
    if first == b'i' {
        let r = t.strip_prefix("iter ")?;
        let (step, used) = uint_prefix(r)?;
        let r = r[used..].strip_prefix(": loss ")?;
        let (loss, used) = float_prefix(r)?;
        let r = &r[used..];
        let mut ev = Event::new(EventKind::Train, Source::NanoGpt);
        ev.step = Some(step);
        ev.loss = Some(loss);
        // (Right after the loss, as nanoGPT prints it: no substring search.)
        let time_at = match r.strip_prefix(", time ") {
            Some(_) => Some(2),
            None => r.find_word("time "),
        };
        if let Some(p) = time_at
            && let Some((ms, _)) = float_prefix(&r[p + 5..])
        {
            ev.step_time_s = Some(ms / 1000.0);
        }
        return Some(ev);
    }
    if first == b'S' {
        // nanochat's evaluations: `Step 00250 | Validation bpb: 0.8123`,
        // `Step 02000 | CORE metric: 0.2112` (bits per byte and a score:
        // not a loss to set beside the training loss).
        let r = t.strip_prefix("Step ")?;
        let (step, used) = uint_prefix(r)?;
        let r = r[used..].strip_prefix(" | ")?;
        if !(r.starts_with("Validation bpb: ") || r.starts_with("CORE metric: ")) {
            return None;
        }
        let mut ev = Event::new(EventKind::Eval, Source::NanoGpt);
        ev.step = Some(step);
        return Some(ev);
    }
    if first == b'v' {
        // llm.c: `val loss 4.503414` on a line of its own.
        let (loss, used) = float_prefix(t.strip_prefix("val loss ")?)?;
        if !t["val loss ".len() + used..].trim().is_empty() {
            return None;
        }
        let mut ev = Event::new(EventKind::Eval, Source::NanoGpt);
        ev.loss = Some(loss);
        return Some(ev);
    }
    if first == b's' {
        // llm.c's logfile (`-o`): `s:120 trl:3.2217 lr:0.0006 norm:0.31`, `s:250 tel:3.27`.
        if let Some(r) = t.strip_prefix("s:") {
            let (step, used) = uint_prefix(r)?;
            let r = &r[used..];
            let (kind, r) = if let Some(r) = r.strip_prefix(" trl:") {
                (EventKind::Train, r)
            } else {
                (EventKind::Eval, r.strip_prefix(" tel:")?)
            };
            let (loss, _) = float_prefix(r)?;
            let mut ev = Event::new(kind, Source::NanoGpt);
            ev.step = Some(step);
            ev.loss = Some(loss);
            ev.lr = float_after(r, " lr:");
            ev.grad_norm = float_after(r, " norm:");
            return Some(ev);
        }
        if let Some(r) = t.strip_prefix("step ") {
            let (step, used) = uint_prefix(r)?;
            if let Some(r) = r[used..].strip_prefix('/') {
                let (total, n) = uint_prefix(r)?;
                return llmc(step, r).or_else(|| nanochat(step, Some(total), &r[n..]));
            }
            if r[used..].starts_with(" (") {
                return nanochat(step, None, &r[used..]);
            }
            // build-nanogpt: `step     0 | loss: 10.955003 | lr 8.39e-07 |
            // norm: 15.34 | dt: 51661.39ms | tok/sec: 10148.55`.
            if let Some(r) = r[used..].strip_prefix(" | loss: ") {
                let (loss, _) = float_prefix(r)?;
                let mut ev = Event::new(EventKind::Train, Source::NanoGpt);
                ev.step = Some(step);
                ev.loss = Some(loss);
                ev.grad_norm = float_after(r, "| norm: ");
                ev.step_time_s = r
                    .find_word("| dt: ")
                    .and_then(|p| seconds_with_unit(&r[p + 6..]));
                ev.tokens_per_sec = float_after(r, "| tok/sec: ");
                return Some(ev);
            }
            let r = r[used..].strip_prefix(": train loss ")?;
            let (train, used) = float_prefix(r)?;
            let mut ev = Event::new(EventKind::Eval, Source::NanoGpt);
            ev.step = Some(step);
            ev.loss = r[used..]
                .find_word("val loss ")
                .and_then(|p| float_prefix(&r[used + p + 9..]))
                .map(|x| x.0)
                .or(Some(train));
            return Some(ev);
        }
        if let Some(r) = t.strip_prefix("step:") {
            let (step, used) = uint_prefix(r)?;
            let r = r[used..].strip_prefix('/')?;
            let (total, used) = uint_prefix(r)?;
            let r = &r[used..];
            if !r.contains("train_time:") {
                return None;
            }
            let val = float_after(r, "val_loss:");
            let mut ev = Event::new(
                if val.is_some() {
                    EventKind::Eval
                } else {
                    EventKind::Train
                },
                Source::ModdedNanoGpt,
            );
            ev.step = Some(step);
            ev.total_steps = Some(total);
            ev.loss = val.or_else(|| float_after(r, "train_loss:"));
            ev.runtime_s = float_after(r, "train_time:").map(|ms| ms / 1000.0);
            ev.step_time_s = float_after(r, "step_avg:")
                .filter(|v| v.is_finite())
                .map(|ms| ms / 1000.0);
            return Some(ev);
        }
        return None;
    }
    if first.is_ascii_digit() {
        let (step, used) = uint_prefix(t)?;
        // build-nanogpt's log file: `0 train 2.689321`, `250 val 2.2391`
        // (and `250 hella 0.2955`, an accuracy), nothing else on the line.
        if let Some((kind, r)) = t[used..]
            .strip_prefix(" train ")
            .map(|r| (EventKind::Train, r))
            .or_else(|| {
                t[used..]
                    .strip_prefix(" val ")
                    .map(|r| (EventKind::Eval, r))
            })
            && let Some((loss, n)) = float_prefix(r)
            && r[n..].trim_end().is_empty()
        {
            let mut ev = Event::new(kind, Source::NanoGpt);
            ev.step = Some(step);
            ev.loss = Some(loss);
            return Some(ev);
        }
        // llama2.c
        let r = t[used..].strip_prefix(" | loss ")?;
        let (loss, used) = float_prefix(r)?;
        let r = &r[used..];
        let mut ev = Event::new(EventKind::Train, Source::LlamaC);
        ev.step = Some(step);
        ev.loss = Some(loss);
        ev.lr = float_after(r, "| lr ");
        // `| 8060.78ms |`: the field ending in "ms".
        for f in r.split('|') {
            let f = f.trim();
            if let Some(ms) = f.strip_suffix("ms")
                && let Ok(v) = ms.parse::<f64>()
            {
                ev.step_time_s = Some(v / 1000.0);
            }
        }
        return Some(ev);
    }
    None
}

/// nanochat's step line (and autoresearch's, which runs to a time budget
/// and prints no total), after `step <n>[/<total>]`: ` (0.05%) | loss:
/// 10.397663 | lrm: 1.00 | dt: 1234.56ms | tok/sec: 424,875 | bf16_mfu:
/// 39.12 | epoch: 1 | total time: 0.00m`. The loss is its smoothed one.
fn nanochat(step: u64, total: Option<u64>, r: &str) -> Option<Event> {
    let r = r.strip_prefix(" (")?;
    let (_, used) = float_prefix(r)?;
    let r = r[used..].strip_prefix("%)")?.trim_start();
    let (loss, _) = float_prefix(r.strip_prefix("| loss: ")?)?;
    let mut ev = Event::new(EventKind::Train, Source::NanoGpt);
    ev.step = Some(step);
    ev.total_steps = total;
    ev.loss = Some(loss);
    ev.step_time_s = r
        .find_word("| dt: ")
        .and_then(|p| seconds_with_unit(&r[p + "| dt: ".len()..]));
    ev.tokens_per_sec = ["| tok/sec: ", "| tok/s: "].iter().find_map(|k| {
        let p = r.find(k)?;
        float_prefix_commas(&r[p + k.len()..]).map(|x| x.0)
    });
    Some(ev)
}

/// llm.c's `train_gpt2` step line, after `step <n>/`:
/// `74 | loss 4.283499 (+nanz)| norm 13.0082 (+nanz)| lr 3.00e-04 | 349.48 ms | -100.0% bf16 MFU | 11720 tok/s`
/// (newer builds: `| train loss 3.36 | ... | (168.70 ms | 24333 tok/s)`).
fn llmc(step: u64, r: &str) -> Option<Event> {
    let (total, used) = uint_prefix(r)?;
    let r = &r[used..];
    if !r.starts_with(" |") {
        return None;
    }
    let loss = float_after(r, "| loss ").or_else(|| float_after(r, "| train loss "))?;
    let mut ev = Event::new(EventKind::Train, Source::NanoGpt);
    ev.step = Some(step);
    ev.total_steps = Some(total);
    ev.loss = Some(loss);
    ev.grad_norm = float_after(r, "| norm ");
    ev.lr = float_after(r, "| lr ");
    for f in r.split('|') {
        let f = f.trim().trim_matches(|c| c == '(' || c == ')').trim();
        if let Some(ms) = f.strip_suffix(" ms") {
            ev.step_time_s = ms.trim().parse::<f64>().ok().map(|v| v / 1000.0);
        } else if let Some(tok) = f.strip_suffix(" tok/s") {
            ev.tokens_per_sec = tok.trim().parse::<f64>().ok();
        }
    }
    Some(ev)
}

// ---------------------------------------------------------------------------
// Megatron

pub fn megatron(s: &str) -> Option<Event> {
    if !s.contains(" | ") {
        return None;
    }
    let t = s.trim_start();
    if let Some(r) = t.strip_prefix("validation loss at iteration ") {
        let (step, _) = uint_prefix(r)?;
        let mut ev = Event::new(EventKind::Eval, Source::Megatron);
        ev.step = Some(step);
        ev.loss = r
            .find_word("loss value:")
            .and_then(|p| float_prefix(&r[p + 11..]))
            .map(|x| x.0);
        return Some(ev);
    }
    let ip = t.find_word("iteration ")?;
    if ip > 40 || !t.contains("elapsed time per iteration (ms):") {
        return None;
    }
    let mut ev = Event::new(EventKind::Train, Source::Megatron);
    for field in t.split('|') {
        let f = field.trim();
        let Some(colon) = f.find(':') else {
            if let Some(r) = f.strip_prefix("iteration") {
                let (step, used) = uint_prefix(r.trim_start())?;
                ev.step = Some(step);
                let rr = r.trim_start()[used..].trim_start();
                if let Some(tot) = rr.strip_prefix('/') {
                    ev.total_steps = uint_prefix(tot.trim_start()).map(|x| x.0);
                }
            }
            continue;
        };
        let key = f[..colon].trim();
        let val = f[colon + 1..].trim();
        let num = || float_prefix(val).map(|x| x.0);
        match key {
            "consumed samples" => ev.samples = num(),
            "elapsed time per iteration (ms)" => ev.step_time_s = num().map(|v| v / 1000.0),
            "learning rate" => ev.lr = num(),
            "global batch size" => ev.batch = num(),
            "grad norm" => ev.grad_norm = num(),
            "samples/sec" => ev.samples_per_sec = num(),
            // Megatron-DeepSpeed's, one GPU's.
            "tokens per gpu per second (tgs)" => ev.tokens_per_sec = num(),
            "loss scale" | "number of skipped iterations" | "number of nan iterations" => {}
            // (`lm loss`, `lm_loss`, early Megatron-DeepSpeed's `lm-loss`.)
            k if (k.ends_with(" loss")
                || k.ends_with("_loss")
                || k.ends_with("-loss")
                || k == "loss")
                && ev.loss.is_none() =>
            {
                ev.loss = num()
            }
            _ => {}
        }
    }
    ev.step?;
    if ev.samples_per_sec.is_none()
        && let (Some(bs), Some(st)) = (ev.batch, ev.step_time_s)
        && st > 0.0
    {
        ev.samples_per_sec = Some(bs / st);
    }
    Some(ev)
}

// ---------------------------------------------------------------------------
// torchtitan

pub fn torchtitan(s: &str) -> Option<Event> {
    let t = s.trim_start();
    let (kind, r) = if let Some(r) = t.strip_prefix("step:") {
        (EventKind::Train, r)
    } else if let Some(r) = t.strip_prefix("validate step:") {
        (EventKind::Eval, r)
    } else {
        return None;
    };
    let (step, used) = uint_prefix(r)?;
    let r = &r[used..];
    // torchtitan prints the loss right after the step (`step: 10  loss: 9.88`);
    // `step:1 - actor/pg_loss:-0.37 - ...` (verl) is another format.
    if !r.starts_with(' ') || !r.trim_start().starts_with("loss:") {
        return None;
    }
    let lp = r.find_word("loss:")?;
    let mut ev = Event::new(kind, Source::Torchtitan);
    ev.step = Some(step);
    ev.loss = float_prefix(&r[lp + 5..]).map(|x| x.0);
    ev.grad_norm = float_after(r, "grad_norm:");
    for key in ["tps:", "wps:"] {
        if let Some(p) = r.find(key) {
            ev.tokens_per_sec = float_prefix_commas(&r[p + key.len()..]).map(|x| x.0);
            break;
        }
    }
    Some(ev)
}

// ---------------------------------------------------------------------------
// DeepSpeed

pub fn deepspeed(s: &str) -> Option<Event> {
    if let Some(p) = s.find_word("step=") {
        // `[Rank 0] step=40, skipped=2, lr=[5e-05], mom=[...]`
        if s[p..].contains("skipped=") && (p == 0 || s.as_bytes()[p - 1] == b' ') {
            let (step, _) = uint_prefix(&s[p + 5..])?;
            let mut ev = Event::new(EventKind::Train, Source::DeepSpeed);
            ev.step = Some(step);
            ev.lr = s
                .find_word("lr=[")
                .and_then(|q| float_prefix(&s[q + 4..]))
                .map(|x| x.0);
            return Some(ev);
        }
    }
    if let (Some(p), true) = (s.find_word("global_step="), s.contains("SamplesPerSec=")) {
        // `epoch=0/micro_step=34/global_step=34, RunningAvgSamplesPerSec=...`
        let (step, _) = uint_prefix(&s[p + 12..])?;
        let mut ev = Event::new(EventKind::Train, Source::DeepSpeedTimer);
        ev.step = Some(step);
        ev.samples_per_sec = float_after(s, "RunningAvgSamplesPerSec=")
            .or_else(|| float_after(s, "CurrSamplesPerSec="));
        return Some(ev);
    }
    if let Some(p) = s
        .find_word(", SamplesPerSec=")
        .or_else(|| s.find_word(", RunningAvgSamplesPerSec="))
    {
        // old: `0/450, SamplesPerSec=7.45`
        let head = s[..p].trim();
        let tok = head.rsplit(' ').next()?;
        let sl = tok.find('/')?;
        let (step, _) = uint_prefix(&tok[sl + 1..])?;
        let mut ev = Event::new(EventKind::Train, Source::DeepSpeedTimer);
        ev.step = Some(step);
        let r = &s[p + 2..];
        ev.samples_per_sec = float_after(r, "=");
        return Some(ev);
    }
    None
}

// ---------------------------------------------------------------------------
// Keras

/// Keras progbar line: `125/125 [====] - 7s 30ms/step - loss: 3.93`, Keras 3
/// `125/125 ━━━ 7s 30ms/step - loss: ...`, `694/Unknown - 8s ...`. Returns
/// the event (step = n within the epoch) and the epoch total if known.
pub fn keras(s: &str) -> Option<Event> {
    let t = s.trim_start();
    if !t.as_bytes().first()?.is_ascii_digit() {
        return None;
    }
    let (n, used) = uint_prefix(t)?;
    let r = t[used..].strip_prefix('/')?;
    let (total, r) = if let Some(r2) = r.strip_prefix("Unknown") {
        (None, r2)
    } else {
        let (tot, u) = uint_prefix(r)?;
        (Some(tot), &r[u..])
    };
    let r1 = r.trim_start();
    let is_bar = r1.starts_with('[') && r1[1..].starts_with(['=', '.', '>', ']']);
    // Keras 3 draws `━`; on a console that cannot encode it (Windows
    // cp1252), `=`.
    let is_k3 = r1.starts_with('━') || r1.starts_with('─') || r1.starts_with('=');
    let is_v2 = r1.starts_with("- ");
    if !(is_bar || is_k3 || is_v2) || !r.starts_with(' ') {
        return None;
    }
    let mut ev = Event::new(EventKind::Train, Source::Keras);
    ev.step = Some(n);
    ev.total_steps = total;
    // `30ms/step`, `1s/step`, `500us/step`
    if let Some(p) = r1.find_word("/step") {
        let head = &r1[..p];
        let start = head.rfind(' ').map(|i| i + 1).unwrap_or(0);
        let tok = &head[start..];
        let (v, u) = float_prefix(tok).unwrap_or((f64::NAN, 0));
        let scale = match &tok[u.min(tok.len())..] {
            "ms" => 1e-3,
            "us" | "µs" => 1e-6,
            "s" => 1.0,
            _ => f64::NAN,
        };
        if (v * scale).is_finite() {
            ev.step_time_s = Some(v * scale);
        }
    }
    for part in r1.split(" - ") {
        // (The first part keeps its dash: `10/614 - loss: 0.16`, Paddle.)
        let part = part.trim().trim_start_matches("- ");
        if let Some(v) = part.strip_prefix("loss:") {
            ev.loss = float_prefix(v).map(|x| x.0);
        } else if let Some(v) = part.strip_prefix("val_loss:") {
            ev.val_loss = float_prefix(v).map(|x| x.0);
        }
    }
    Some(ev)
}

/// Keras's `verbose=2` epoch line, which has no batch count: Keras 1
/// `224s - loss: 3.5508 - acc: 0.2966 - val_loss: 1.4529`, Keras 2.0-2.2
/// ` - 2s - loss: 0.3 - acc: 0.9`. The step is the epoch (from the
/// `Epoch 3/50` line before it), which the caller knows.
pub fn keras_epoch_summary(s: &str) -> Option<Event> {
    let t = s.trim_start();
    let t = t.strip_prefix("- ").unwrap_or(t);
    let (_, used) = float_prefix(t)?;
    let r = t[used..]
        .strip_prefix("ms - ")
        .or_else(|| t[used..].strip_prefix("s - "))?;
    let mut ev = Event::new(EventKind::Train, Source::Keras);
    for part in r.split(" - ") {
        let part = part.trim();
        if let Some(v) = part.strip_prefix("loss:") {
            ev.loss = float_prefix(v).map(|x| x.0);
        } else if let Some(v) = part.strip_prefix("val_loss:") {
            ev.val_loss = float_prefix(v).map(|x| x.0);
        }
    }
    ev.loss.is_some().then_some(ev)
}

/// Lightning's ModelCheckpoint line: `Epoch 19, global step 20: 'val_loss'
/// reached 0.05733 (best 0.05733), saving model to '...' as top 1` (or
/// `... was not in top 1`). A hand-written-loop-level source: a progress
/// bar, when there is one, counts more often.
pub fn lightning_checkpoint(s: &str) -> Option<Event> {
    let r = s.trim_start().strip_prefix("Epoch ")?;
    let (epoch, used) = uint_prefix(r)?;
    let r = r[used..].strip_prefix(", global step ")?;
    let (step, used) = uint_prefix(r)?;
    r[used..].strip_prefix(':')?;
    let mut ev = Event::new(EventKind::Train, Source::Generic);
    ev.step = Some(step);
    ev.epoch = Some(epoch as f64);
    Some(ev)
}

/// LitGPT (a nanoGPT descendant): `Epoch 1 | iter 4 step 1 | loss train:
/// 9.103, val: n/a | iter time: 7654.43 ms (step)`; `iter` counts
/// micro-batches, `step` optimizer steps (the step reported). Its eval
/// line: `Epoch 3 | iter 340 | val_loss: 8.068 | val_time: 79.794 s`.
pub fn litgpt(s: &str) -> Option<Event> {
    let r = s.trim_start().strip_prefix("Epoch ")?;
    let (epoch, used) = uint_prefix(r)?;
    let r = r[used..].strip_prefix(" | iter ")?;
    let (iter, used) = uint_prefix(r)?;
    let r = &r[used..];
    if let Some(r) = r.strip_prefix(" step ") {
        let (step, used) = uint_prefix(r)?;
        let r = r[used..].strip_prefix(" | loss train: ")?;
        let (loss, used) = float_prefix(r)?;
        let r = &r[used..];
        let mut ev = Event::new(EventKind::Train, Source::NanoGpt);
        ev.step = Some(step);
        ev.epoch = Some(epoch as f64);
        ev.loss = Some(loss);
        // The time is one micro-batch's: a step's only without accumulation.
        if iter == step
            && let Some(p) = r.find_word("iter time: ")
        {
            ev.step_time_s = seconds_with_unit(&r[p + 11..]);
        }
        return Some(ev);
    }
    let r = r.trim_start().strip_prefix("| val_loss: ")?;
    let mut ev = Event::new(EventKind::Eval, Source::NanoGpt);
    ev.loss = Some(float_prefix(r)?.0);
    ev.epoch = Some(epoch as f64);
    Some(ev)
}

/// What a fairseq metrics record is, by its logger (`train_inner`,
/// `train`, `valid`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FairseqRecord {
    /// Every `log_interval` updates: the step, the loss of those updates.
    Inner,
    /// An epoch's averages: the step reached (the loss is an average over
    /// the epoch, not mixed into the per-step series).
    EpochEnd,
    Valid,
}

/// The event of one fairseq metrics record; `get` looks a metric up by its
/// name without the record's prefix (`valid_loss` -> `loss`).
fn fairseq_event(
    kind: FairseqRecord,
    epoch: Option<f64>,
    get: impl Fn(&str) -> Option<f64>,
) -> Option<Event> {
    let step = get("num_updates").filter(|v| *v >= 0.0)? as u64;
    let mut ev = Event::new(
        if kind == FairseqRecord::Valid {
            EventKind::Eval
        } else {
            EventKind::Train
        },
        Source::Fairseq,
    );
    ev.step = Some(step);
    ev.epoch = epoch;
    if kind != FairseqRecord::EpochEnd {
        ev.loss = get("loss");
    }
    if kind == FairseqRecord::Inner {
        ev.lr = get("lr");
        ev.grad_norm = get("gnorm");
        // `ups`: updates per second; `wps`: target words (tokens) per second.
        ev.rate = get("ups");
        ev.tokens_per_sec = get("wps");
    }
    Some(ev)
}

/// fairseq's progress lines in its `simple` log format (and the older
/// `| `-led one): `epoch 001:    200 / 479 loss=9.276, ..., num_updates=200,
/// lr=3.1e-06, gnorm=1.2, ...` every `log_interval` updates, `epoch 001 |
/// loss 7.864 | ... | num_updates 479 | ...` at an epoch's end and `epoch
/// 001 | valid on 'valid' subset | loss 6.389 | ... | num_updates 479`.
/// The JSON format's dicts go through [`hf_dict`].
pub fn fairseq(s: &str) -> Option<Event> {
    let t = s.strip_prefix("| ").unwrap_or(s);
    let r = t.strip_prefix("epoch ")?;
    if !r.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let (epoch, used) = uint_prefix(r)?;
    let r = &r[used..];
    let epoch = Some(epoch as f64);
    if let Some(r) = r.strip_prefix(':') {
        // `   200 / 479 loss=...`: the update within the epoch, then k=v.
        let (_, used) = uint_prefix(r)?;
        let r = r[used..].trim_start().strip_prefix('/')?;
        let (_, used) = uint_prefix(r)?;
        let kv = &r[used..];
        let get = |key: &str| field_value(kv, ", ", key, "=");
        return fairseq_event(FairseqRecord::Inner, epoch, get);
    }
    let r = r.strip_prefix(" | ")?;
    let kind = if r.starts_with("valid on ") {
        FairseqRecord::Valid
    } else {
        FairseqRecord::EpochEnd
    };
    let get = |key: &str| field_value(r, " | ", key, " ");
    fairseq_event(kind, epoch, get)
}

/// fairseq's oldest progress lines (2018, before it printed its update
/// count): `| epoch 010  2000 / 8223 loss=1.27 (1.50), wps=962, wpb=908,
/// bsz=32, lr=0.001, clip=100%, gnorm=2.1427` (the batch in the epoch, of
/// the epoch's batches; epochs from 1), and as the epoch ends `| epoch 010
/// | train loss 1.44 | train ppl 2.72 | s/checkpoint 7747 | words/s 961 |
/// ...` (the epoch's average: no loss of a step) and `| epoch 010 | valid
/// on 'valid' subset | valid loss 1.94 | valid ppl 3.83`. With the
/// batches per epoch when the line says them; `per_epoch`: as known, for
/// the step an epoch's end reaches (none without it).
pub fn fairseq_legacy(s: &str, per_epoch: Option<u64>) -> Option<(Event, Option<u64>)> {
    let r = s.strip_prefix("| epoch ")?;
    if !r.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let (epoch, used) = uint_prefix(r)?;
    let r = &r[used..];
    if let Some(r) = r.strip_prefix(" | ") {
        let field = |key: &str| field_value(r, " | ", key, " ");
        if r.starts_with("valid on ") {
            let mut ev = Event::new(EventKind::Eval, Source::Fairseq);
            ev.epoch = Some(epoch as f64);
            ev.loss = Some(field("valid loss")?);
            return Some((ev, None));
        }
        field("train loss")?;
        let mut ev = Event::new(EventKind::Train, Source::Fairseq);
        ev.epoch = Some(epoch as f64);
        // (Unknown without its batches: the line is still this, not a
        // step count of another format's, `words/batch 906`.)
        ev.step = per_epoch.and_then(|n| epoch.checked_mul(n));
        ev.tokens_per_sec = field("words/s");
        return Some((ev, None));
    }
    // `  2000 / 8223 loss=...`: two spaces, the batch, ` / `, the batches.
    let r = r.strip_prefix("  ")?;
    let (batch, used) = uint_prefix(r)?;
    let r = r[used..].strip_prefix(" / ")?;
    let (batches, used) = uint_prefix(r)?;
    let kv = r[used..].strip_prefix(' ')?;
    if !kv.starts_with("loss=") {
        return None;
    }
    let get = |key: &str| field_value(kv, ", ", key, "=");
    let mut ev = Event::new(EventKind::Train, Source::Fairseq);
    ev.epoch = Some(epoch as f64);
    ev.step = epoch
        .checked_sub(1)?
        .checked_mul(batches)?
        .checked_add(batch);
    ev.loss = Some(get("loss")?);
    ev.lr = get("lr");
    ev.grad_norm = get("gnorm");
    ev.tokens_per_sec = get("wps");
    Some((ev, Some(batches)))
}

/// The columns of a metrics CSV that [`csv_row`] reads (by position).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsvColumns {
    /// `,`, a tab (a TSV), or a space: columns padded with spaces.
    sep: char,
    fields: usize,
    /// `step` (Lightning's global step), else `epoch` (Keras's, from 0).
    step: usize,
    steps_are_epochs: bool,
    epoch: Option<usize>,
    loss: Option<usize>,
    val_loss: Option<usize>,
}

/// OpenCLIP's training line, `Train Epoch: 0 [  4096/114688 (4%)] Data
/// (t): 1.985 Batch (t): 4.285, ... Loss: 8.3770 (8.3770)`: the epoch, the
/// samples seen in it and the epoch's samples, and the loss (its current
/// value, before the running mean in parentheses).
pub struct OpenClipLine {
    pub epoch: u64,
    pub samples: u64,
    pub epoch_samples: u64,
    pub loss: Option<f64>,
}

pub fn openclip(s: &str) -> Option<OpenClipLine> {
    let r = s.strip_prefix("Train Epoch: ")?;
    if !s.contains(" Data (t): ") || !s.contains(" Batch (t): ") {
        return None;
    }
    let (epoch, used) = uint_prefix(r)?;
    let r = r[used..].strip_prefix(" [")?.trim_start();
    let (samples, used) = uint_prefix(r)?;
    let (epoch_samples, _) = uint_prefix(r[used..].strip_prefix('/')?)?;
    if epoch_samples == 0 || samples > epoch_samples {
        return None;
    }
    Some(OpenClipLine {
        epoch,
        samples,
        epoch_samples,
        loss: s
            .rfind(" Loss: ")
            .and_then(|p| float_prefix(&s[p + " Loss: ".len()..]))
            .map(|x| x.0),
    })
}

/// A gradient-boosting library's evaluation line: XGBoost's
/// `[10]\ttrain-rmse:0.52\tvalid-rmse:0.61` (the sklearn API names its sets
/// `validation_0`; R's adds a trailing space) and LightGBM's
/// `[100]\ttraining's l2: 0.5\tvalid_0's l2: 0.6`. The round is the step;
/// the training set's metric is the loss and the first other set's is the
/// evaluation loss, for metrics where lower is better (not `auc`, `map`,
/// `ndcg`).
pub fn boosting_round(s: &str) -> Option<Event> {
    let r = s.strip_prefix('[')?;
    let (round, used) = uint_prefix(r)?;
    let r = r[used..].strip_prefix("]\t")?;
    let mut ev = Event::new(EventKind::Train, Source::Generic);
    ev.step = Some(round);
    for pair in r.trim_end().split('\t') {
        let (name, value) = pair.split_once(':')?;
        let (set, metric) = name.split_once("'s ").or_else(|| name.split_once('-'))?;
        // LightGBM's `cv()`: `cv_agg's valid auc: 0.8656 + 0.0045`, the
        // set's name before the metric's.
        let (set, metric) = match set {
            "cv_agg" => metric.split_once(' ')?,
            _ => (set, metric),
        };
        let value = value.trim_start();
        let (v, used) = float_prefix(value)?;
        // (A cross-validation's mean and its deviation over the folds:
        // XGBoost's `0.97133+0.00033`, LightGBM's `0.9591 + 0.0005`.)
        let deviation = value[used..]
            .trim_start()
            .strip_prefix('+')
            .map(str::trim_start)
            .and_then(|d| float_prefix(d).filter(|(_, u)| *u == d.len()));
        if (used != value.len() && deviation.is_none()) || set.is_empty() || set.contains(' ') {
            return None;
        }
        let higher_is_better = ["auc", "map", "ndcg", "aucpr", "pre"]
            .iter()
            .any(|m| metric.starts_with(m));
        if higher_is_better {
            continue;
        }
        if set.starts_with("train") {
            ev.loss.get_or_insert(v);
        } else {
            ev.val_loss.get_or_insert(v);
        }
    }
    Some(ev)
}

/// A line that is only an epoch's number, `Epoch: 0002`, `epoch 3`,
/// `EPOCH 3:` (a loop's header before its per-epoch lines), maybe between
/// rules of `*`, `#`, `=` or `-`; with how many after a colon or under
/// `Train`: `Epoch: 0/100,`, `Train Epoch: 1/70 ...` (the second value).
/// Not Keras's `Epoch 3/10`, which its own reader takes.
pub fn epoch_header(s: &str) -> Option<(u64, Option<u64>)> {
    let t = super::normalize::trim_end_fast(s);
    let t = t.strip_suffix("...").unwrap_or(t).trim_end();
    let t = t.trim_end_matches([':', ',']);
    // (H2O LLM Studio: `Training Epoch: 2 / 3`.)
    let (t, train) = match t
        .strip_prefix("Train ")
        .or_else(|| t.strip_prefix("Training "))
    {
        Some(r) => (r, true),
        None => (t, false),
    };
    // (PointNet and the many scripts after it: `**** EPOCH 000 ****`; a
    // TF1 script's `################### EPOCH 0 #####################`.)
    let t = match t.as_bytes().first() {
        Some(&c @ (b'*' | b'#' | b'=' | b'-')) => {
            let rule = c as char;
            let inner = t.trim_start_matches(rule).trim_end_matches(rule);
            // (At least three, and spaces inside: a rule, not a sign.)
            if t.len() - inner.len() < 6 || !inner.starts_with(' ') || !inner.ends_with(' ') {
                return None;
            }
            inner.trim()
        }
        _ => t,
    };
    let r = ["Epoch", "epoch", "EPOCH"]
        .iter()
        .find_map(|w| t.strip_prefix(w))?;
    let colon = r.starts_with(':');
    let r = r.strip_prefix(':').unwrap_or(r).trim_start();
    let (n, used) = uint_prefix(r)?;
    if used == 0 {
        return None;
    }
    if used == r.len() {
        return Some((n, None));
    }
    let rest = r[used..].trim_start_matches(' ').strip_prefix('/')?;
    let (total, used_t) = uint_prefix(rest)?;
    (used_t == rest.len() && (colon || train)).then_some((n, Some(total)))
}

/// The TensorFlow 1.x examples' epoch line (and their many copies),
/// `Epoch: 0001 cost= 0.123456789` (a linear regression's adds `W= ... b=
/// ...`): the epoch and its mean cost, the loss.
pub fn tf_example_epoch(s: &str) -> Option<(u64, f64)> {
    let r = s.strip_prefix("Epoch: ")?;
    let (epoch, used) = uint_prefix(r)?;
    let r = r[used..].strip_prefix(" cost= ")?;
    let (cost, _) = float_prefix(r.trim_start())?;
    Some((epoch, cost))
}

/// FuxiCTR's (and the BARS benchmark's) line after each epoch,
/// `************ Epoch=3 end ************` (after its `Train loss:` line):
/// the epoch that is done.
pub fn epoch_end_rule(s: &str) -> Option<u64> {
    let t = s.trim_end();
    let inner = t.trim_start_matches('*').trim_end_matches('*');
    // (A rule on each side, with spaces inside.)
    if t.len() - inner.len() < 6 || !t.starts_with("***") || !t.ends_with("***") {
        return None;
    }
    let r = inner.trim().strip_prefix("Epoch=")?.strip_suffix(" end")?;
    let (n, used) = uint_prefix(r)?;
    (used == r.len()).then_some(n)
}

/// BasicSR's training line (Real-ESRGAN, GFPGAN and the many restoration
/// models built on it): `[train_x4..][epoch:  1, iter:     100, lr:(2.999e-05,)]
/// [eta: 2:37:00, time (data): 2.064 (0.521)] l_pix: 2.6487e-03 ...`: the
/// iteration (counted over the run) and the first `l_` loss.
pub fn basicsr(s: &str) -> Option<Event> {
    let p = s.find_word("][epoch:")?;
    if !s.starts_with('[') || p > 80 {
        return None;
    }
    let r = s[p + "][epoch:".len()..].trim_start();
    let (epoch, used) = uint_prefix(r)?;
    let r = r[used..].strip_prefix(", iter:")?.trim_start();
    let (iter, used) = uint_prefix(r.trim_start_matches(' '))?;
    let r = &r[used..];
    let mut ev = Event::new(EventKind::Train, Source::Generic);
    ev.step = Some(iter);
    ev.epoch = Some(epoch as f64);
    ev.loss = r
        .find_word("] l_")
        .and_then(|q| r[q + 2..].split_once(": "))
        .and_then(|(_, v)| float_prefix(v))
        .map(|x| x.0);
    Some(ev)
}

/// A line that says a checkpoint is being (or was just) saved, in the
/// words trainers use: fvcore's (detectron2) `Saving checkpoint to
/// ./output/model_0000199.pth`, mmengine's `Saving checkpoint at 1 epochs`,
/// torchtitan's `Saving the checkpoint (or staging if async is enabled).`,
/// kohya's `saving checkpoint: ...`, accelerate's `Saving current state to
/// ...`, LitGPT's `Saving LoRA weights to ...`, SpeechBrain's `Saved an
/// end-of-epoch checkpoint in ...`, torchtune's `Model checkpoint of size
/// 4.98 GiB saved to ...`, NeMo's `Scheduled async checkpoint save for
/// ...`, timm's `Current checkpoints:` list. Not a plan (`Checkpoints will
/// be saved to`), a load, a deletion, or the end of an async save already
/// counted when it was scheduled.
pub fn announces_save(t: &str) -> bool {
    if starts_with_any(t, &["Saving ", "saving ", "Saved ", "saved "]) {
        return t.contains("checkpoint")
            || t.contains("Checkpoint")
            || t.contains(" state to ")
            || t.contains(" weights to ");
    }
    t == "Current checkpoints:"
        || (t.contains("checkpoint")
            && (t.contains(" saved to ")
                || (t.contains("checkpoint save for ") && !t.contains("finalized"))))
}

/// BasicSR's older line, and the restoration code it grew from (MMSR,
/// ESRGAN's and SPSR's `codes/`): `<epoch: 30, iter:   2,800,
/// lr:1.000e-04> l_g_pix: 3.2022e-03 l_g_fea: 1.7363e+00 ...` (the
/// iteration with thousands separators): the iteration and the first `l_`
/// loss.
pub fn basicsr_v0(s: &str) -> Option<Event> {
    let r = s.strip_prefix("<epoch:")?.trim_start();
    let (epoch, used) = uint_prefix(r)?;
    let r = r[used..].strip_prefix(", iter:")?.trim_start();
    let (iter, used) = float_prefix_commas(r)?;
    let close = r.find('>')?;
    if used > close || iter < 0.0 || iter.fract() != 0.0 {
        return None;
    }
    let mut ev = Event::new(EventKind::Train, Source::Generic);
    ev.step = Some(iter as u64);
    ev.epoch = Some(epoch as f64);
    let head = &r[..close];
    ev.lr = head
        .find_word("lr:")
        .and_then(|q| float_prefix(&head[q + "lr:".len()..]))
        .map(|x| x.0);
    ev.loss = r[close + 1..]
        .trim_start()
        .strip_prefix("l_")
        .and_then(|l| l.split_once(": "))
        .and_then(|(_, v)| float_prefix(v))
        .map(|x| x.0);
    Some(ev)
}

/// The header of a metrics CSV (`epoch,accuracy,loss,val_loss` from Keras's
/// `CSVLogger`, `epoch,step,train_loss,val_loss` from Lightning's): names
/// only, with a step or epoch column and a loss column (or the same as a
/// TSV: `step\tloss`).
pub fn csv_header(s: &str) -> Option<CsvColumns> {
    let s = super::normalize::trim_end_fast(s);
    // (Prose fails at its first space, before anything is split: a table
    // padded with spaces has runs of them, and no comma or tab.)
    let padded = s.contains("  ") && !s.contains([',', '\t']);
    if !s.bytes().all(|c| {
        c.is_ascii_alphanumeric()
            || matches!(c, b'_' | b'/' | b'.' | b'-' | b',' | b'\t')
            || (padded && c == b' ')
    }) {
        return None;
    }
    let sep = if s.contains(',') {
        ','
    } else if s.contains('\t') {
        '\t'
    } else if padded && yolo_header(s).is_none() {
        ' '
    } else {
        return None;
    };
    let names: Vec<&str> = if sep == ' ' {
        s.split_whitespace().collect()
    } else {
        s.split(sep).collect()
    };
    let name_like = |n: &&str| n.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_');
    if names.len() > 256 || names.len() < 2 || !names.iter().all(name_like) {
        return None;
    }
    // (Spinning Up's `progress.txt` and the RL loggers after it capitalise:
    // `Epoch`, `Iteration`.)
    let col = |wanted: &[&str]| {
        wanted
            .iter()
            .find_map(|w| names.iter().position(|n| n.eq_ignore_ascii_case(w)))
    };
    let epoch = col(&["epoch"]);
    let (step, steps_are_epochs) = match col(&[
        "step",
        "global_step",
        "trainer/global_step",
        "iteration",
        "iter",
    ]) {
        Some(c) => (c, false),
        None => (epoch?, true),
    };
    let held_out = |n: &str| {
        let n = n.to_ascii_lowercase();
        ["val", "valid", "test", "eval"]
            .iter()
            .any(|w| n.starts_with(w))
    };
    let loss = col(&[
        "train_loss",
        "loss",
        "train_loss_step",
        "train/loss",
        "train_loss_epoch",
    ])
    // Else the first column named as a loss (an RL learner's
    // `Critic_Loss`, Spinning Up's `LossPi`).
    .or_else(|| {
        names.iter().position(|n| {
            let lower = n.to_ascii_lowercase();
            (lower.ends_with("loss") || lower.starts_with("loss")) && !held_out(n)
        })
    });
    let val_loss = col(&["val_loss", "valid_loss", "val/loss", "val_loss_epoch"]);
    loss?;
    Some(CsvColumns {
        sep,
        fields: names.len(),
        step,
        steps_are_epochs,
        epoch,
        loss,
        val_loss,
    })
}

/// A row under [`csv_header`]: the step (or epoch) and the losses it has
/// (Lightning leaves the cells a row did not log empty).
pub fn csv_row(s: &str, cols: CsvColumns) -> Option<Event> {
    let cells: Vec<&str> = if cols.sep == ' ' {
        s.split_whitespace().collect()
    } else {
        s.trim_end().split(cols.sep).collect()
    };
    if cells.len() != cols.fields {
        return None;
    }
    let number = |i: usize| -> Option<Option<f64>> {
        let c = cells[i].trim();
        if c.is_empty() {
            return Some(None);
        }
        whole_float(c).map(Some)
    };
    // Every cell empty or a number: a row, not text that has commas.
    for i in 0..cells.len() {
        number(i)?;
    }
    let step = number(cols.step)??;
    if !(step >= 0.0 && step.fract() == 0.0) {
        return None;
    }
    let mut ev = Event::new(EventKind::Train, Source::CsvMetrics);
    ev.step = Some(step as u64);
    ev.epoch = cols.epoch.and_then(|c| number(c).flatten());
    ev.loss = cols.loss.and_then(|c| number(c).flatten());
    ev.val_loss = cols.val_loss.and_then(|c| number(c).flatten());
    Some(ev)
}

impl CsvColumns {
    /// Whether the rows count epochs (no step column).
    pub fn steps_are_epochs(self) -> bool {
        self.steps_are_epochs
    }
}

/// Ultralytics YOLO's epoch table header (`Epoch GPU_mem box_loss cls_loss
/// dfl_loss Instances Size`; YOLOv5's `Epoch gpu_mem box obj cls total
/// labels img_size`; YOLOv10's `box_om ... dfl_oo`): a bit per loss
/// column, by word position. A `total` column stands for all of them.
pub fn yolo_header(s: &str) -> Option<u32> {
    let mut words = s.split_whitespace();
    if words.next() != Some("Epoch") || !words.next()?.eq_ignore_ascii_case("gpu_mem") {
        return None;
    }
    let mut mask = 0u32;
    for (i, w) in s.split_whitespace().enumerate().take(26).skip(2) {
        if w == "total" {
            return Some(1 << i);
        }
        // (YOLOv10 trains two heads: `box_om` ... one-to-many, `box_oo` ...)
        if w == "loss"
            || ["_loss", "_om", "_oo"].iter().any(|x| w.ends_with(x))
            || matches!(w, "box" | "obj" | "cls" | "seg")
        {
            mask |= 1 << i;
        }
    }
    (mask != 0).then_some(mask)
}

/// A YOLO epoch row without its bar (`  3/500   9.15G   1.907   2.473
/// 1.457   245   640:`): the epoch and the epochs, as a step record of
/// epochs. The second column is the GPU memory (`9.15G`).
pub fn yolo_row(s: &str) -> Option<Event> {
    let mut words = s.split_whitespace();
    let (epoch, epochs, rest) = slash_pair(words.next()?)?;
    let mem = words.next()?;
    if !rest.is_empty() || !mem.ends_with('G') || float_prefix(&mem[..mem.len() - 1]).is_none() {
        return None;
    }
    let mut ev = Event::new(EventKind::Train, Source::Generic);
    ev.step = Some(epoch);
    ev.total_steps = Some(epochs);
    ev.epoch = Some(epoch as f64);
    Some(ev)
}

/// The loss of a YOLO epoch row (`3/20  5.87G  0.6079  1.062  1.101  9
/// 640`): the sum of the columns [`yolo_header`] marked. `None` unless
/// every one of them is a number.
pub fn yolo_row_loss(desc: &str, columns: u32) -> Option<f64> {
    let mut sum = 0.0;
    let mut seen = 0u32;
    for (i, w) in desc.split_whitespace().enumerate().take(26) {
        if columns & (1 << i) != 0 {
            sum += w
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() || v.is_nan())?;
            seen |= 1 << i;
        }
    }
    (seen == columns).then_some(sum)
}

/// detectron2's metric lines (`d2.utils.events`, every 20 iterations):
/// `eta: 0:14:11  iter: 19  total_loss: 76.49  loss_ce: 1.169 ...  time:
/// 0.4259  last_time: 0.43  data_time: 0.0031  last_data_time: 0.003  lr:
/// 0.0001  max_mem: 15533M`. `iter` counts from 0: the step reported is
/// iterations done (`iter: 1999` of `MAX_ITER: 2000` is the last).
pub fn detectron2(s: &str) -> Option<Event> {
    let mut t = s.trim_start();
    if let Some(r) = t.strip_prefix("eta: ") {
        t = r[r.find_word("  ")?..].trim_start();
    }
    // (fast-reid's events writer: `epoch/iter: 36/7473`, the epoch and the
    // run's iteration.)
    let (epoch, r) = match t.strip_prefix("epoch/iter: ") {
        Some(r) => {
            let (e, used) = uint_prefix(r)?;
            (Some(e), r[used..].strip_prefix('/')?)
        }
        None => (None, t.strip_prefix("iter: ")?),
    };
    let (iter, used) = uint_prefix(r)?;
    let r = &r[used..];
    if !r.starts_with("  ") {
        return None;
    }
    // Keys are two spaces apart: `  name: value`.
    let get = |key: &str| field_value(r, "  ", key, ": ");
    // (Its events writer always prints `total_loss`; a hand-written
    // `iter: 100  loss: 2.3` line is not detectron2's.)
    let mut ev = Event::new(EventKind::Train, Source::Detectron2);
    ev.step = Some(iter.saturating_add(1));
    ev.epoch = epoch.map(|e| e as f64);
    ev.loss = Some(get("total_loss")?);
    ev.step_time_s = get("time");
    ev.lr = get("lr");
    Some(ev)
}

/// One row of a stable-baselines3 log table (`|    total_timesteps | 2048 |`,
/// `| rollout/ |  |`): the key and its value (empty for a section row).
pub fn sb3_row(s: &str) -> Option<(&str, &str)> {
    let inner = s.trim_end().strip_prefix('|')?.strip_suffix('|')?;
    let (key, value) = inner.split_once('|')?;
    if value.contains('|') {
        return None;
    }
    let key = key.trim();
    (!key.is_empty() && !key.contains(' ')).then_some((key, value.trim()))
}

/// PyTorch's `word_language_model` example (and its Transformer
/// tutorial): `| epoch   1 |   200/ 2983 batches | lr 20.00 | ms/batch
/// 11.61 | loss  5.83 | ppl   340.96`, and `| end of epoch   1 | time:
/// 35.58s | valid loss  5.53 | valid ppl   252.9` (an evaluation). Epochs
/// count from 1. Also returns the batches per epoch, where the line says.
pub fn torch_lm_example(s: &str) -> Option<(Event, Option<u64>)> {
    let t = s.trim_start();
    let field = |r: &str, key: &str| field_value(r, " | ", key, " ");
    if let Some(r) = t.strip_prefix("| end of epoch ") {
        let (epoch, _) = uint_prefix(r)?;
        let mut ev = Event::new(EventKind::Eval, Source::Generic);
        ev.epoch = Some(epoch as f64);
        ev.loss = Some(field(r, "valid loss")?);
        return Some((ev, None));
    }
    let r = t.strip_prefix("| epoch ")?;
    let (epoch, used) = uint_prefix(r)?;
    let (batch, batches, r) = slash_pair(r[used..].strip_prefix(" | ")?)?;
    let r = r.strip_prefix(" batches")?;
    let mut ev = Event::new(EventKind::Train, Source::Generic);
    ev.epoch = Some(epoch as f64);
    ev.step = epoch
        .checked_sub(1)?
        .checked_mul(batches)?
        .checked_add(batch);
    ev.loss = field(r, "loss");
    ev.lr = field(r, "lr");
    ev.step_time_s = field(r, "ms/batch").map(|ms| ms / 1000.0);
    Some((ev, Some(batches)))
}

/// The epochs a script's argparse `Namespace(...)` print says it will run
/// (`epochs=5`, `num_epochs=5`, `max_epochs=5`, `n_epochs=5`,
/// `num_train_epochs=5`; the Time-Series-Library's and Informer's
/// `train_epochs=10`, `total_epochs`, `max_epoch`).
pub fn namespace_epochs(s: &str) -> Option<u64> {
    let inner = s.trim_start().strip_prefix("Namespace(")?;
    inner.split(", ").find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        if !matches!(
            k,
            "epochs"
                | "num_epochs"
                | "max_epochs"
                | "n_epochs"
                | "num_train_epochs"
                | "train_epochs"
                | "total_epochs"
                | "max_epoch"
        ) {
            return None;
        }
        let v = v.trim_end_matches(')');
        let (n, used) = uint_prefix(v)?;
        (used == v.len() && n > 0).then_some(n)
    })
}

/// NeMo 2 (Megatron strategy) progress:
/// `Training epoch 0, iteration 3/9 | lr: 6e-05 | global_batch_size: 1 | global_step: 3 | reduced_train_loss: 1.26 | train_step_timing in s: 0.35 | consumed_samples: 4`.
/// `iteration` and `global_step` count from 0 and the number after `/` is
/// the last iteration: the step reported is the number of steps done
/// (like a progress bar's count), so `iteration 9/9` is 10 of 10.
pub fn nemo(s: &str) -> Option<Event> {
    let r = s.trim_start().strip_prefix("Training epoch ")?;
    let (epoch, used) = uint_prefix(r)?;
    let r = r[used..].strip_prefix(", iteration ")?;
    let (iteration, used) = uint_prefix(r)?;
    let r = &r[used..];
    let (last, used) = uint_prefix(r.strip_prefix('/')?)?;
    let r = &r[1 + used..];
    let mut ev = Event::new(EventKind::Train, Source::Nemo);
    ev.epoch = Some(epoch as f64);
    ev.step = iteration.checked_add(1);
    ev.total_steps = last.checked_add(1);
    for field in r.split('|') {
        let Some((key, val)) = field.split_once(':') else {
            continue;
        };
        let num = || float_prefix(val.trim()).map(|x| x.0);
        match key.trim() {
            "global_step" => ev.step = num().map(|v| (v as u64).saturating_add(1)).or(ev.step),
            "reduced_train_loss" | "train_loss" | "loss" => ev.loss = num(),
            "lr" => ev.lr = num(),
            "global_batch_size" => ev.batch = num(),
            "consumed_samples" => ev.samples = num(),
            "train_step_timing in s" => ev.step_time_s = num(),
            // The last validation's, on every line after it (counted once
            // per new value).
            "val_loss" => ev.val_loss = num(),
            _ => {}
        }
    }
    Some(ev)
}

/// MiniMind's `Epoch:[1/2](100/4000) loss:3.2 ...` (and its RL trainers'
/// `Epoch:[1/1](1/9751), Reward: -2.3, ..., Actor Loss: 0.0000, ...`), with
/// the batches per epoch. Epochs are taken from 1; baby-llama2 prints the
/// same from 0, which the analyzer tells by an epoch 0 (an epoch 0 line's
/// step is its batch either way).
pub fn minimind(s: &str) -> Option<(Event, u64)> {
    // (Some copies print a space: `Epoch: [1/1](9/16823) loss:7.617`.)
    let r = s.trim_start().strip_prefix("Epoch:")?;
    let r = r.strip_prefix(' ').unwrap_or(r).strip_prefix('[')?;
    let (epoch, epochs, r) = slash_pair(r)?;
    let (batch, batches, r) = slash_pair(r.strip_prefix("](")?)?;
    let r = r.strip_prefix(')')?;
    let mut ev = Event::new(EventKind::Train, Source::Generic);
    ev.epoch = Some(epoch as f64);
    ev.step = epoch
        .saturating_sub(1)
        .checked_mul(batches)?
        .checked_add(batch);
    ev.total_steps = epochs.checked_mul(batches);
    ev.loss = loss_field(r);
    Some((ev, batches))
}

/// The epoch-and-batch lines most vision code prints (none of them a
/// format of its own in the report: they come out as `unknown` with
/// progress). The step is a global batch count, `(epoch - first) * batches
/// + batch`:
/// - PyTorch's ImageNet example: `Epoch: [0][ 10/5005]\tTime ... Loss 6.9077e+00 (6.9078e+00)`,
///   torchvision's references and DeiT: `Epoch: [0]  [  10/1251]  eta: ...  loss: 2.77 (2.74)`;
/// - timm: `Train: 0 [  50/1251 (  4%)]  Loss: 6.899 (6.91)  Time: ...`,
///   and OpenPCDet's lines in its style, `Train:    1/3 ( 33%) [  49/323 (
///   15%)]  Loss: ...  Acc_iter 50` (the run's iterations counted for it);
/// - mmengine / mmcv: `Epoch(train)  [1][ 50/1000]  lr: ...  loss: 1.23`,
///   `Epoch [1][50/742]\tlr: 1e-02, ..., loss: 1.2` (epochs from 1);
/// - their eval lines (`Test: [ 10/196]`, `Epoch(val) [1][8/8]`) are evals.
///
/// Also returns the batches per epoch, where the line says.
pub fn epoch_indexed(s: &str) -> Option<(Event, Option<u64>)> {
    let t = s.trim_start();
    // (VAR's logger heads its lines with where they come from: `(ode/VAR/
    // utils/misc.py, line 314)=> [Ep]: [   2/200]  [ 834/1668]  ...  Lm:
    // 7.880 (7.890)`, its loss the mean one, `Lm`.)
    let (t, var) = match t
        .strip_prefix('(')
        .and_then(|r| r.split_once(")=> "))
        .filter(|(head, _)| head.contains(", line "))
    {
        Some((_, r)) => (r.strip_prefix("[Ep]: [")?, true),
        None => (t, false),
    };
    // (Behind a tag: `[Train] Epoch: [1][367/4899]  Loss:0.564 (Avg 0.55)`.)
    // (Or a bare word: SAM 2's `Train Epoch: [0][  0/152] | Batch Time: ...`.)
    let t = t
        .strip_prefix("[Train] ")
        .or_else(|| t.strip_prefix("[train] "))
        .or_else(|| {
            t.strip_prefix("Train ")
                .filter(|r| r.starts_with("Epoch: ["))
        })
        .unwrap_or(t);
    let eval = |t: &str| {
        let mut ev = Event::new(EventKind::Eval, Source::Generic);
        ev.loss = loss_field(t);
        Some((ev, None))
    };
    // (torchvision's and DeiT's MetricLogger pad it: `Test:  [  0/261]`.)
    let test = t
        .strip_prefix("Test:")
        .is_some_and(|r| r.starts_with(' ') && r.trim_start_matches(' ').starts_with('['));
    if test || t.starts_with("Epoch(val)") || t.starts_with("Epoch(test)") {
        return eval(t);
    }
    let (r, first_epoch, timm) = if var {
        (t, 0, false)
    } else if let Some(r) = t.strip_prefix("Epoch: [") {
        (r, 0, false)
    } else if let Some(r) = t.strip_prefix("Epoch(train)") {
        (r.trim_start().strip_prefix('[')?, 1, false)
    } else if let Some(r) = t
        .strip_prefix("Epoch [")
        // (ModelScope's trainer: `epoch [2][620/1073]\tlr: 1.000e-05, ...`.)
        .or_else(|| t.strip_prefix("epoch ["))
    {
        (r, 1, false)
    } else if let Some(r) = t.strip_prefix("Train: data epoch: [") {
        // LAVIS's MetricLogger: `Train: data epoch: [9]  [3510/3511]`.
        (r, 0, false)
    } else if let Some(r) = t.strip_prefix("Train: ") {
        (r, 0, true)
    } else {
        return None;
    };
    let (epoch, used) = uint_prefix(r)?;
    let mut r = &r[used..];
    // (DINO's names the planned epochs too: `Epoch: [14/100]  [ 810/1251]`.)
    let mut epochs = None;
    let mut first_epoch = first_epoch;
    if !timm
        && let Some(rest) = r.strip_prefix('/')
        && let Some((n, used)) = uint_prefix(rest)
    {
        epochs = Some(n);
        r = &rest[used..];
    }
    // (OpenPCDet's logger in timm's style: the epoch of the planned ones,
    // from 1, and its share: `Train:    1/3 ( 33%) [  49/323 ( 15%)]  Loss:
    // 36.77 (81.7)  LR: 1.351e-04  Time cost: ...  Acc_iter 50  ...`.)
    if timm && let Some(rest) = r.strip_prefix('/') {
        let (n, used) = uint_prefix(rest)?;
        let rest = rest[used..].strip_prefix(" (")?;
        let close = rest.find(')')?;
        if !rest[..close].ends_with('%') {
            return None;
        }
        (epochs, first_epoch) = (Some(n), 1);
        r = &rest[close + 1..];
    }
    // (torchvision's references and DeiT put spaces between the two:
    // `Epoch: [0]  [  10/1251]  eta: ...  loss: 2.7759 (2.7459)`.)
    let r = if timm {
        r.strip_prefix(" [")?
    } else {
        r.strip_prefix(']')?
            .trim_start_matches(' ')
            .strip_prefix('[')?
    };
    let (batch, used) = uint_prefix(r)?;
    let r = r[used..].strip_prefix('/')?;
    let (batches, used) = uint_prefix(r)?;
    let r = &r[used..];
    if !(r.starts_with(']') || (timm && r.starts_with(" ("))) {
        return None;
    }
    let mut ev = Event::new(EventKind::Train, Source::Generic);
    ev.epoch = Some(epoch as f64);
    ev.step = epoch
        .checked_sub(first_epoch)?
        .checked_mul(batches)?
        .checked_add(batch);
    ev.total_steps = epochs
        .filter(|&n| n > epoch.saturating_sub(first_epoch))
        .and_then(|n| n.checked_mul(batches));
    // (SAM 2's trainer names its loss by its group, `Losses/train_all_loss:
    // 1.88e+00 (2.03e+00)`.)
    ev.loss = loss_field(r).or_else(|| loss_in(r.as_bytes()));
    if var {
        ev.loss = float_after(r, "Lm: ");
    }
    // (OpenPCDet's count of the run's iterations, from 1: resumed runs
    // included.)
    if timm && let Some(n) = uint_after(r, "  Acc_iter ") {
        ev.step = Some(n);
    }
    // This batch's time, as printed: `Time  0.861 ( 1.332)`, `Time: 0.657s`,
    // `time: 0.5114`, OpenPCDet's `Batch time: 0.31(0.31)` (after its `Data
    // time: 0.00`).
    ev.step_time_s = ["Batch time: ", "Time  ", "Time: ", "time: "]
        .iter()
        .find_map(|k| float_after(r, k))
        .filter(|v| v.is_finite() && *v > 0.0);
    ev.lr = float_after(r, "lr: ").or_else(|| float_after(r, "LR: "));
    ev.grad_norm = float_after(r, "grad_norm: ");
    // Images a second: torchvision's `img/s: 106.5`, timm's `Time: 0.321s,
    // 797.21/s` (this batch's, before the running average in brackets).
    ev.samples_per_sec = float_after(r, "img/s: ")
        .or_else(|| {
            let p = r.find_word("Time: ")?;
            let q = r[p..].find_word("s, ")?;
            let v = float_prefix(&r[p + q + 3..])?;
            r[p + q + 3 + v.1..].starts_with("/s").then_some(v.0)
        })
        .filter(|v| v.is_finite() && *v > 0.0);
    Some((ev, Some(batches)))
}

/// flashy's (AudioCraft's) progress lines: `Train | Epoch 3 | 200/2000 |
/// 2.03 it/sec | lr 1.00E-04 | grad_norm 2.869E-01 | ce 4.034 | ppl 56.474`,
/// epochs from 1, the batch within the epoch; `Valid | Epoch 2 | 40/200 |
/// ...` (also `Evaluate`, `Generate`) are evaluations. The loss is `loss`,
/// or MusicGen's cross-entropy `ce`. Also returns the batches per epoch.
pub fn flashy_line(t: &str) -> Option<(Event, Option<u64>)> {
    let (stage, r) = ["Train", "Valid", "Evaluate", "Generate"]
        .iter()
        .find_map(|s| Some((*s, t.strip_prefix(s)?.strip_prefix(" | Epoch ")?)))?;
    let kind = if stage == "Train" {
        EventKind::Train
    } else {
        EventKind::Eval
    };
    let (epoch, used) = uint_prefix(r)?;
    let r = r[used..].strip_prefix(" | ")?;
    let (batch, batches, r) = slash_pair(r)?;
    let mut ev = Event::new(kind, Source::Generic);
    let field = |name: &str| {
        r.split(" | ")
            .find_map(|f| f.strip_prefix(name)?.strip_prefix(' '))
            .and_then(|v| float_prefix(v.trim()))
            .map(|(v, _)| v)
    };
    ev.loss = field("loss").or_else(|| field("ce"));
    if kind == EventKind::Eval {
        return Some((ev, None));
    }
    ev.epoch = Some(epoch as f64);
    ev.step = epoch
        .checked_sub(1)?
        .checked_mul(batches)?
        .checked_add(batch);
    ev.lr = field("lr");
    ev.grad_norm = field("grad_norm");
    Some((ev, Some(batches)))
}

/// PixArt's line: `Step/Epoch [640/3][140/250]:total_eta: 0:29:47, ...,
/// loss:0.1362, grad_norm:0.0531`: the global step, the epoch (from 1),
/// the batch within it. Also returns the batches per epoch.
pub fn pixart_step(t: &str) -> Option<(Event, Option<u64>)> {
    let r = t.strip_prefix("Step/Epoch [")?;
    let (step, epoch, r) = slash_pair(r)?;
    let r = r.strip_prefix("][")?;
    let (_, batches, r) = slash_pair(r)?;
    r.strip_prefix("]:")?;
    let mut ev = Event::new(EventKind::Train, Source::Generic);
    ev.step = Some(step);
    ev.epoch = Some(epoch as f64);
    let field = |name: &str| {
        r.split([',', ' '])
            .find_map(|f| f.strip_prefix(name))
            .and_then(|v| v.parse::<f64>().ok())
    };
    ev.loss = field("loss:");
    ev.lr = field("lr:");
    ev.grad_norm = field("grad_norm:");
    Some((ev, Some(batches)))
}

/// MONAI's tutorial loops: `epoch 3/100`, the line that heads each epoch.
pub fn monai_epoch_head(t: &str) -> Option<(u64, u64)> {
    let (n, of, r) = slash_pair(t.strip_prefix("epoch ")?)?;
    (r.trim_end().is_empty() && n >= 1 && n <= of).then_some((n, of))
}

/// MONAI's tutorial loops: `12/16, train_loss: 0.1240`, a batch of the
/// epoch (from 1) and its loss.
pub fn monai_batch(t: &str) -> Option<(u64, u64, f64)> {
    let (i, n, r) = slash_pair(t)?;
    let r = r.strip_prefix(", train_loss: ")?;
    let (loss, used) = float_prefix(r)?;
    (used == r.trim_end().len() && i >= 1 && i <= n).then_some((i, n, loss))
}

/// Kaldi's nnet3 / chain training script: `Iter: 121/282   Jobs: 3
/// Epoch: 3.18/10.0 (31.8% complete)   lr: 0.002` (behind its logger's
/// `[steps/nnet3/chain/train.py:529 - train - INFO ] `).
pub fn kaldi_iter(t: &str) -> Option<Event> {
    let r = match t.strip_prefix("Iter: ") {
        Some(r) => r,
        None => &t[t.find_word("INFO ] Iter: ")? + "INFO ] Iter: ".len()..],
    };
    let (iter, iters, r) = slash_pair(r)?;
    if !r.trim_start().starts_with("Jobs: ") || iter > iters {
        return None;
    }
    let mut ev = Event::new(EventKind::Train, Source::Generic);
    ev.step = Some(iter);
    ev.total_steps = Some(iters);
    ev.lr = float_after(r, "lr: ");
    Some(ev)
}

/// WeNet's training lines: `TRAIN Batch 3/1100 loss 18.462492 loss_att
/// ... lr 0.00000800 rank 0` (v2), `TRAIN | steps/sec 1.163| Batch 0/7000
/// loss ...` (v3): the epoch, then the batch within it. Returns the epoch,
/// the batch and the event (its step the batch).
pub fn wenet_batch(t: &str) -> Option<(u64, u64, Event)> {
    let r = t.strip_prefix("TRAIN ")?;
    let r = match r.strip_prefix("Batch ") {
        Some(r) => r,
        None => {
            let r = r.strip_prefix("| steps/sec ")?;
            &r[r.find("| Batch ")? + "| Batch ".len()..]
        }
    };
    let (epoch, batch, r) = slash_pair(r)?;
    let r = r.strip_prefix(" loss ")?;
    let mut ev = Event::new(EventKind::Train, Source::Generic);
    ev.step = Some(batch);
    ev.epoch = Some(epoch as f64);
    ev.loss = float_prefix(r).map(|x| x.0);
    ev.lr = float_after(r, " lr ");
    Some((epoch, batch, ev))
}

/// NequIP's (and Allegro's) epoch summary rows, under their `  Train      #
/// Epoch      wal       LR         loss ...` header: `! Train    12
/// 27.180    0.005    7.58 ...` (the epoch, the wall clock, the learning
/// rate, the loss), `! Validation ...`, `! Initial Validation ...`.
/// Returns the event: a training one (its step the epoch) or an
/// evaluation.
pub fn nequip_summary(t: &str) -> Option<Event> {
    let (kind, r) = if let Some(r) = t.strip_prefix("! Train ") {
        (EventKind::Train, r)
    } else if let Some(r) = t
        .strip_prefix("! Validation ")
        .or_else(|| t.strip_prefix("! Initial Validation "))
    {
        (EventKind::Eval, r)
    } else {
        return None;
    };
    let mut cols = r.split_whitespace();
    let epoch: u64 = cols.next()?.parse().ok()?;
    let _wall: f64 = cols.next()?.parse().ok()?;
    let lr: f64 = cols.next()?.parse().ok()?;
    let loss: f64 = cols.next()?.parse().ok()?;
    let mut ev = Event::new(kind, Source::Generic);
    ev.loss = Some(loss);
    if kind == EventKind::Train {
        ev.step = Some(epoch);
        ev.epoch = Some(epoch as f64);
        ev.lr = Some(lr);
    }
    Some(ev)
}

/// DeepXDE's table rows, under `Step      Train loss    Test loss
/// Test metric`: `1000      [7.38e-02, 1.80e-01]    [7.23e-02, 1.80e-01]
/// [6.15e-01]`: the step and the training loss (the sum of its terms, as
/// DeepXDE minimises it; NaN when one is).
pub fn deepxde_row(t: &str) -> Option<(u64, f64)> {
    let (step, used) = uint_prefix(t)?;
    let r = &t[used..];
    let pad = r.len() - r.trim_start().len();
    let r = r.trim_start().strip_prefix('[')?;
    let close = r.find(']')?;
    if pad < 2 || !r[close + 1..].trim_start().starts_with('[') {
        return None;
    }
    let mut sum = 0.0;
    for term in r[..close].split(", ") {
        let (v, used) = float_prefix(term.trim())?;
        if used != term.trim().len() {
            return None;
        }
        sum += v;
    }
    Some((step, sum))
}

/// PyTorch-BigGraph's trainer, its epochs the steps: `Starting epoch 17 /
/// 50, edge path 1 / 1, edge chunk 1 / 1` (16 done) and `Finished epoch
/// 17 / 50, edge path 1 / 1, ...` (17 done), behind its `[Trainer-0] `
/// tag. Returns the epochs done and planned.
pub fn pbg_epoch(t: &str) -> Option<(u64, u64)> {
    let t = match t.strip_prefix("[Trainer-") {
        Some(r) => r.split_once("] ")?.1,
        None => t,
    };
    let (r, done) = match t.strip_prefix("Starting epoch ") {
        Some(r) => (r, false),
        None => (t.strip_prefix("Finished epoch ")?, true),
    };
    let (e, used) = uint_prefix(r)?;
    let r = r[used..].strip_prefix(" / ")?;
    let (of, used) = uint_prefix(r)?;
    r[used..].starts_with(", edge path ").then_some(())?;
    Some((if done { e } else { e.saturating_sub(1) }, of))
}

/// rl_games' line per epoch (Isaac Lab, IsaacGymEnvs), its epochs the
/// steps: `fps step: 112291 fps step and policy inference: 105553 fps
/// total: 71261 epoch: 1/1500 frames: 98304`. Returns the epoch and the
/// planned epochs (none when unlimited, `-1`).
pub fn rl_games_epoch(t: &str) -> Option<(u64, Option<u64>)> {
    let r = t.strip_prefix("fps step: ")?;
    let p = r.find(" epoch: ")?;
    let r = &r[p + 8..];
    let (n, used) = uint_prefix(r)?;
    let r = r[used..].strip_prefix('/')?;
    Some((n, uint_prefix(r).map(|x| x.0).filter(|&m| m > 0)))
}

/// Step lines with their own shapes: DLRM's `Finished training it
/// 1024/19253 of epoch 0, 11.66 ms/it, loss 0.133425`; the rich progress
/// line of DAC's trainer (audiotools), `⠼ Iteration (train) 1001/250000
/// 0:12:51 / 45:50:52`; parler-tts's `Step... (50 / 40000 | Loss:
/// tensor(11.4952, device='cuda:0', grad_fn=<DivBackward0>), Learning Rate:
/// 0.00019)`.
pub fn own_shape_step(t: &str) -> Option<Event> {
    let mut ev = Event::new(EventKind::Train, Source::Generic);
    // DeePMD-kit: TensorFlow's trainer, `batch    1000 training time 41.09
    // s, testing time 0.02 s` (the time of its last `disp_freq` batches);
    // PyTorch's, `Batch   48000: trn: rmse = 1.55e-01, rmse_e = ..., lr =
    // 9.52e-04` (then its `val:` and `total wall time` lines for the batch).
    if let Some(r) = t.strip_prefix("batch ") {
        let (n, used) = uint_prefix(r)?;
        r[used..].starts_with(" training time ").then_some(())?;
        ev.step = Some(n);
        return Some(ev);
    }
    if let Some(r) = t.strip_prefix("Batch ") {
        let (n, used) = uint_prefix(r)?;
        let r = r[used..].strip_prefix(": ")?;
        let (kind, r) = if let Some(r) = r.strip_prefix("trn: ") {
            (EventKind::Train, r)
        } else {
            (EventKind::Eval, r.strip_prefix("val: ")?)
        };
        let mut ev = Event::new(kind, Source::Generic);
        ev.step = Some(n);
        ev.loss = r
            .strip_prefix("rmse = ")
            .and_then(float_prefix)
            .map(|x| x.0);
        ev.lr = float_after(r, ", lr = ");
        return Some(ev);
    }
    // sample-factory's runner, its frames the steps: `Fps is (10 sec:
    // 46139.5, 60 sec: 45980.1, 300 sec: 45873.9). Total num frames:
    // 230400. Throughput: ...`.
    if t.starts_with("Fps is (")
        && let Some(p) = t.find(". Total num frames: ")
    {
        ev.step = Some(uint_prefix(&t[p + 20..])?.0);
        return Some(ev);
    }
    // TD-MPC2's console, its environment steps the steps: ` train   E: 612
    // I: 612,000   R: 296.1   T: 0:52:10` (each field padded; its `eval`
    // rows are evaluations).
    if let Some(r) = t.strip_prefix("train ")
        && let r = r.trim_start()
        && let Some(r) = r.strip_prefix("E: ")
        && let Some(p) = r.find(" I: ")
    {
        ev.step = Some(uint_prefix(&r[p + 4..])?.0);
        return Some(ev);
    }
    // DreamerV3's console (plain): `[72060] train/loss/dyn 3.27 /
    // train/loss/rep 3.27 / ... / episode/score 227.17`.
    if let Some(r) = t.strip_prefix('[') {
        let (n, used) = uint_prefix(r)?;
        let r = r[used..].strip_prefix("] ")?;
        super::normalize::slash_keyed_metrics(r).then_some(())?;
        ev.step = Some(n);
        return Some(ev);
    }
    // ProteinMPNN: `epoch: 37, step: 37000, time: 287.7, train: 5.217,
    // valid: 5.012, train_acc: 0.469, valid_acc: 0.473` (once an epoch;
    // its `train:` is a perplexity, not the loss).
    if let Some(r) = t.strip_prefix("epoch: ") {
        let (epoch, used) = uint_prefix(r)?;
        let r = r[used..].strip_prefix(", step: ")?;
        let (n, used) = uint_prefix(r)?;
        r[used..].starts_with(", time: ").then_some(())?;
        ev.step = Some(n);
        ev.epoch = Some(epoch as f64);
        return Some(ev);
    }
    if let Some(r) = t.strip_prefix("Finished training it ") {
        let (n, of, r) = slash_pair(r)?;
        let r = r.strip_prefix(" of epoch ")?;
        let (epoch, used) = uint_prefix(r)?;
        let r = &r[used..];
        ev.step = Some(n);
        ev.total_steps = Some(of);
        ev.epoch = Some(epoch as f64);
        ev.step_time_s = r
            .strip_prefix(", ")
            .and_then(float_prefix)
            .filter(|_| r.contains(" ms/it"))
            .map(|(ms, _)| ms / 1000.0);
        ev.loss = float_after(r, ", loss ");
        return Some(ev);
    }
    if let Some(p) = t.find_word("Iteration (train) ")
        && p <= 8
    {
        let (n, of, _) = slash_pair(&t[p + "Iteration (train) ".len()..])?;
        ev.step = Some(n);
        ev.total_steps = Some(of);
        return Some(ev);
    }
    let r = t.strip_prefix("Step... (")?;
    let (n, used) = uint_prefix(r)?;
    let r = r[used..].strip_prefix(" / ")?;
    let (of, used) = uint_prefix(r)?;
    let r = r[used..].strip_prefix(" | Loss: ")?;
    let r = r.strip_prefix("tensor(").unwrap_or(r);
    ev.step = Some(n);
    ev.total_steps = Some(of);
    ev.loss = float_prefix(r).map(|x| x.0);
    Some(ev)
}

/// A line of LTX-Video-Trainer's rich logger (see [`ltxv_line`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LtxvLine {
    /// `💾 LoRA weights for step 500 saved in ...`.
    Saved(u64),
    /// `🎥 Validation samples for step 500 saved in ...`.
    Validated(u64),
    /// `📊 Training Statistics:`, as the run ends.
    Statistics,
    /// Its configuration table's `│ optimization.steps │ 2000 │`.
    Steps(u64),
}

/// LTX-Video-Trainer's lines that say where it is (after its level column,
/// which the normaliser strips; its source column, `trainer.py:837`,
/// trails).
pub fn ltxv_line(t: &str) -> Option<LtxvLine> {
    let step_saved = |r: &str| {
        let r = r.strip_prefix(" for step ")?;
        let (n, used) = uint_prefix(r)?;
        r[used..].starts_with(" saved in").then_some(n)
    };
    if let Some(r) = t.strip_prefix("💾 ") {
        let p = r.find(" weights")?;
        return step_saved(&r[p + " weights".len()..]).map(LtxvLine::Saved);
    }
    if let Some(r) = t.strip_prefix("🎥 Validation samples") {
        return step_saved(r).map(LtxvLine::Validated);
    }
    if t.starts_with("📊 Training Statistics:") {
        return Some(LtxvLine::Statistics);
    }
    let r = t.strip_prefix("│ optimization.steps ")?;
    let (_, value) = r.split_once('│')?;
    let value = value.trim().trim_end_matches('│').trim();
    value.parse().ok().map(LtxvLine::Steps)
}

/// NeMo-RL's banner as a step starts, `========= Step 47/500 =========`:
/// the step and the total.
pub fn nemo_rl_banner(t: &str) -> Option<(u64, u64)> {
    let r = t.strip_prefix("==")?;
    let r = r.trim_start_matches('=').strip_prefix(" Step ")?;
    let (n, of, r) = slash_pair(r)?;
    r.strip_prefix(" ==")?;
    Some((n, of))
}

/// The step lines of 2025's RL post-training stacks: AReaL's `Epoch 1/2
/// Step 83/116 Train step 83/232 done.`, ROLL's `pipeline step 43
/// finished`, slime's `step 81: {'train/loss': -0.0003, ...}` (its loss the
/// dict's `train/loss`). (NeMo-RL's: [`nemo_rl_banner`].)
pub fn rl_stack_step(t: &str) -> Option<Event> {
    let mut ev = Event::new(EventKind::Train, Source::Generic);
    // (The cheap end test first: most lines come here.)
    if t.ends_with(" done.")
        && let Some(p) = t.find_word("Train step ")
    {
        let (n, of, _) = slash_pair(&t[p + "Train step ".len()..])?;
        ev.step = Some(n);
        ev.total_steps = Some(of);
        return Some(ev);
    }
    if t.ends_with(" finished")
        && let Some(p) = t.find_word("pipeline step ")
    {
        let (n, used) = uint_prefix(&t[p + "pipeline step ".len()..])?;
        (&t[p + "pipeline step ".len() + used..] == " finished").then_some(())?;
        ev.step = Some(n);
        return Some(ev);
    }
    let r = t.strip_prefix("step ")?;
    let (n, used) = uint_prefix(r)?;
    let r = r[used..].strip_prefix(": {")?;
    if !r.starts_with("'train/") {
        return None;
    }
    ev.step = Some(n);
    ev.loss = float_after(r, "'train/loss': ");
    Some(ev)
}

/// Sockeye's speedometer (MXNet's line, but the count is the run's updates,
/// not a batch within the epoch): `Epoch[0] Batch [50]\tSpeed: 1240.17
/// samples/sec 33553.90 tokens/sec 4.10 updates/sec\tperplexity=8517.8`.
pub fn sockeye_batch(t: &str) -> Option<Event> {
    let r = t.strip_prefix("Epoch[")?;
    let (epoch, used) = uint_prefix(r)?;
    let r = r[used..].strip_prefix("] Batch [")?;
    let (updates, used) = uint_prefix(r)?;
    let r = r[used..].strip_prefix("]\tSpeed: ")?;
    if !r.contains(" updates/sec") {
        return None;
    }
    let mut ev = Event::new(EventKind::Train, Source::Generic);
    ev.step = Some(updates);
    ev.epoch = Some(epoch as f64);
    let before = |unit: &str| {
        let p = r.find(unit)?;
        let v = r[..p].rsplit(' ').next()?;
        v.parse::<f64>().ok()
    };
    ev.samples_per_sec = before(" samples/sec");
    ev.tokens_per_sec = before(" tokens/sec");
    Some(ev)
}

/// CleanRL's line as an episode ends, `global_step=92,
/// episodic_return=[23.]` (its environment steps; a reinforcement learner
/// prints no loss here).
pub fn cleanrl_step(s: &str) -> Option<Event> {
    let r = s.strip_prefix("global_step=")?;
    let (step, used) = uint_prefix(r)?;
    r[used..].strip_prefix(", episodic_return=")?;
    let mut ev = Event::new(EventKind::Train, Source::Generic);
    ev.step = Some(step);
    Some(ev)
}

/// The MetricLogger's line over iterations (DINOv2's `Training  [
/// 10/10000]  eta: 8:13:21  loss: 143.1147 (143.1147)  lr: 0.0005
/// (0.0005)  time: 2.960182  ...`): the iteration, the planned total, the
/// loss (the latest, before the running mean in brackets).
pub fn metric_logger_iter(s: &str) -> Option<Event> {
    let r = s.strip_prefix("Training")?.trim_start_matches(' ');
    let (iter, iters, r) = slash_pair(r.strip_prefix('[')?)?;
    let r = r.strip_prefix(']')?;
    if iters == 0 {
        return None;
    }
    let mut ev = Event::new(EventKind::Train, Source::Generic);
    ev.step = Some(iter);
    ev.total_steps = Some(iters);
    ev.loss = loss_field(r).or_else(|| float_after(r, "total_loss: "));
    // (Printed with four decimals: a warm-up's small rates show as
    // `0.0000`, which says nothing of a rate that is really zero.)
    ev.lr = float_after(r, "lr: ").filter(|v| *v != 0.0);
    ev.step_time_s = time_field(r);
    Some(ev)
}

/// The seconds after `time: ` where that is a word of its own (not
/// `data_time: `, which some loggers print first); positive and finite.
fn time_field(r: &str) -> Option<f64> {
    r.match_indices("time: ")
        .find(|&(i, _)| !r[..i].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_'))
        .and_then(|(i, _)| float_prefix(&r[i + "time: ".len()..]))
        .map(|x| x.0)
        .filter(|v| v.is_finite() && *v > 0.0)
}

/// OpenMMLab's iteration-based runners (mmsegmentation, xtuner's LLM
/// fine-tuning, mmdet3d): mmengine's `Iter(train) [  50/20000]  lr: ...
/// time: 0.2934  ...  loss: 2.5882` and mmcv 1.x's `Iter [50/80000]\tlr:
/// ..., time: 0.513, ..., loss: 3.7544`: the iteration and how many are
/// planned. Their `Iter(val)` / `Iter(test)` lines are evaluations.
pub fn mm_iter(s: &str) -> Option<Event> {
    let t = s.trim_start();
    let r = t.strip_prefix("Iter")?;
    let (kind, r) = if let Some(r) = r.strip_prefix("(train)") {
        (EventKind::Train, r.trim_start())
    } else if let Some(r) = r.strip_prefix("(val)").or_else(|| r.strip_prefix("(test)")) {
        if !r.trim_start().starts_with('[') {
            return None;
        }
        let mut ev = Event::new(EventKind::Eval, Source::Generic);
        ev.loss = loss_field(r);
        return Some(ev);
    } else {
        (EventKind::Train, r.strip_prefix(' ')?)
    };
    let (iter, iters, r) = slash_pair(r.strip_prefix('[')?)?;
    let r = r.strip_prefix(']')?;
    if iters == 0 {
        return None;
    }
    let mut ev = Event::new(kind, Source::Generic);
    ev.step = Some(iter);
    ev.total_steps = Some(iters);
    ev.loss = loss_field(r);
    ev.lr = float_after(r, "lr: ");
    ev.grad_norm = float_after(r, "grad_norm: ");
    // (The mean over the logging interval, as printed.)
    ev.step_time_s = time_field(r);
    ev.tokens_per_sec = float_after(r, "tokens_per_sec: ").filter(|v| v.is_finite());
    Some(ev)
}

/// The training loss named in Chinese (`训练损失: 0.1489`, `损失：3.05`), not
/// a validation's or a test's (`验证损失`, `测试损失`, `评估损失`).
fn chinese_loss(s: &str) -> Option<f64> {
    const WORD: &str = "损失";
    // (Most lines have no such word: a scan without a searcher's set-up.)
    if !s.contains(WORD) {
        return None;
    }
    let word = WORD.as_bytes();
    memchr::memmem::find_iter(s.as_bytes(), word).find_map(|at| {
        let before = &s[..at];
        if ["验证", "测试", "评估", "验证集"]
            .iter()
            .any(|w| before.ends_with(w))
        {
            return None;
        }
        let r = s[at + word.len()..].trim_start_matches([' ', ':', '：', '=']);
        float_prefix(r).map(|x| x.0)
    })
}

/// A hand-written loop's line in Chinese: `第 1 轮 | 第 20/3000 步 | 损失：3.0494
/// | 学习率：4.00e-06` (round, step of the total, loss, learning rate; the
/// colons full-width or not). The step (`第 N 步`, maybe of a total) and the
/// loss must both be there.
pub fn chinese_step(t: &str) -> Option<Event> {
    let value = |key: &str| {
        let r = &t[t.find(key)? + key.len()..];
        let r = r.trim_start_matches([' ', ':', '：']);
        float_prefix(r).map(|x| x.0)
    };
    let loss = value("损失")?;
    // `第 20/3000 步`: the `第` whose number ends in `步`.
    let (step, total) = t.match_indices('第').find_map(|(i, _)| {
        let r = t[i + '第'.len_utf8()..].trim_start_matches(' ');
        let (n, used) = uint_prefix(r)?;
        let (total, rest) = match r[used..].strip_prefix('/') {
            Some(x) => {
                let (m, u) = uint_prefix(x)?;
                (Some(m), &x[u..])
            }
            None => (None, &r[used..]),
        };
        rest.trim_start_matches(' ')
            .starts_with('步')
            .then_some((n, total))
    })?;
    let mut ev = Event::new(EventKind::Train, Source::Generic);
    ev.step = Some(step);
    ev.total_steps = total.filter(|m| *m > 0);
    ev.loss = Some(loss);
    ev.lr = value("学习率");
    Some(ev)
}

/// OpenNMT-py's training report: `Step 50/ 1000; acc:   7.21; ppl:
/// 6659.24; xent: 8.80; lr: 1.00000; 19307/19183 tok/s;      6 sec`: the
/// step, the planned steps and the cross-entropy (its loss).
pub fn opennmt_step(s: &str) -> Option<Event> {
    let r = s.trim_start().strip_prefix("Step ")?;
    let (step, total, r) = slash_pair(r)?;
    let r = r.strip_prefix(';')?;
    if !r.contains("; ppl: ") {
        return None;
    }
    let mut ev = Event::new(EventKind::Train, Source::Generic);
    ev.step = Some(step);
    ev.total_steps = Some(total).filter(|t| *t >= 1);
    ev.loss = float_after(r, "xent: ")
        // (Older versions print only the perplexity: its log is the loss.)
        .or_else(|| float_after(r, "ppl: ").filter(|p| *p > 0.0).map(f64::ln));
    ev.lr = float_after(r, "lr: ");
    Some(ev)
}

/// The TensorFlow Object Detection API's report every 100 steps, `Step 900
/// per-step time 0.561s` (older versions add ` loss=0.454`); newer ones
/// print their losses in a dict on the lines after it (see
/// [`tf_total_loss`]).
pub fn tf_od_step(s: &str) -> Option<Event> {
    let r = s.strip_prefix("Step ")?;
    let (step, used) = uint_prefix(r)?;
    let r = r[used..].strip_prefix(" per-step time ")?;
    let (secs, used) = float_prefix(r)?;
    let r = r[used..].strip_prefix('s')?;
    let mut ev = Event::new(EventKind::Train, Source::Generic);
    ev.step = Some(step);
    ev.step_time_s = Some(secs).filter(|v| v.is_finite() && *v > 0.0);
    ev.loss = r
        .trim_start()
        .strip_prefix("loss=")
        .and_then(float_prefix)
        .map(|x| x.0);
    Some(ev)
}

/// That dict's total, ` 'Loss/total_loss': 0.6363265,` (a line of its own;
/// under NumPy 2, ` 'Loss/total_loss': np.float32(0.36564916),`).
pub fn tf_total_loss(s: &str) -> Option<f64> {
    let r = s.trim_start().strip_prefix("'Loss/total_loss': ")?;
    let r = r
        .strip_prefix("np.float32(")
        .or_else(|| r.strip_prefix("np.float64("))
        .unwrap_or(r);
    float_prefix(r).map(|x| x.0)
}

/// CatBoost's report per iteration, `0:\tlearn: 0.6869192\ttest:
/// 0.6869487\tbest: 0.6869487 (0)\ttotal: 57.7ms\tremaining: 57.6s`: the
/// iteration (as printed, like XGBoost's rounds), the training metric as
/// the loss, the test one as the evaluation's, and the time since the
/// start (`total`).
pub fn catboost_iter(s: &str) -> Option<(Event, Option<f64>)> {
    let (iter, used) = uint_prefix(s)?;
    let r = s[used..].strip_prefix(":\tlearn: ")?;
    let (learn, used) = float_prefix(r)?;
    let r = &r[used..];
    let mut ev = Event::new(EventKind::Train, Source::Generic);
    ev.step = Some(iter);
    ev.loss = Some(learn);
    ev.val_loss = r
        .strip_prefix("\ttest: ")
        .and_then(float_prefix)
        .map(|x| x.0);
    let elapsed = r
        .find_word("\ttotal: ")
        .map(|p| &r[p + "\ttotal: ".len()..])
        .and_then(|t| catboost_duration(t.split('\t').next().unwrap_or(t)));
    Some((ev, elapsed))
}

/// CatBoost's durations: `57.7ms`, `1.23s`, `1m 3s`, `2h 1m 3s`.
fn catboost_duration(s: &str) -> Option<f64> {
    let mut total = 0.0;
    let mut any = false;
    for part in s.split_whitespace() {
        let (v, used) = float_prefix(part)?;
        let scale = match &part[used..] {
            "ms" => 0.001,
            "s" => 1.0,
            "m" | "min" => 60.0,
            "h" => 3600.0,
            "d" => 86400.0,
            _ => return None,
        };
        total += v * scale;
        any = true;
    }
    any.then_some(total)
}

/// spaCy's training table: its header, `E    #       LOSS TOK2VEC  LOSS
/// NER  ENTS_F  ...  SCORE`, says how many loss columns follow the epoch
/// and the step.
pub fn spacy_header(s: &str) -> Option<usize> {
    let mut words = s.split_whitespace();
    if words.next()? != "E" || words.next()? != "#" {
        return None;
    }
    let losses = s.split_whitespace().filter(|w| *w == "LOSS").count();
    (losses > 0).then_some(losses)
}

/// A row of that table, `  0     200         21.55   1948.77   51.93 ...`:
/// the step and the sum of its losses.
pub fn spacy_row(s: &str, losses: usize) -> Option<(u64, f64)> {
    let mut words = s.split_whitespace();
    words.next()?.parse::<u64>().ok()?;
    let step = words.next()?.parse::<u64>().ok()?;
    let mut sum = 0.0;
    for _ in 0..losses {
        sum += words.next()?.parse::<f64>().ok()?;
    }
    words
        .all(|w| w.parse::<f64>().is_ok())
        .then_some((step, sum))
}

/// The HF Trainer's progress in a notebook (`NotebookProgressCallback`,
/// as text where a notebook's output was copied or saved): `[1449/1449
/// 19:47, Epoch 3/3]`, `[ 3/129 01:55 < 4:02:20, 0.01 it/s, Epoch 0.02/1]`.
/// Only the training bar's, which says its epoch (an evaluation's, `[63/63
/// 00:05]`, does not).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NotebookProgress {
    pub n: u64,
    pub total: u64,
    pub elapsed_s: f64,
    pub rate: Option<f64>,
    pub epoch: f64,
    /// The epochs planned (`Epoch 0.02/1`).
    pub epochs: Option<u64>,
}

pub fn hf_notebook_progress(s: &str) -> Option<NotebookProgress> {
    let inner = s.trim_end().strip_prefix('[')?.strip_suffix(']')?;
    let (count, rest) = inner.trim_start().split_once(' ')?;
    let (n, total) = count.split_once('/')?;
    let whole = |x: &str| {
        uint_prefix(x)
            .filter(|&(_, used)| used == x.len() && !x.contains(','))
            .map(|(v, _)| v)
    };
    let (n, total) = (whole(n)?, whole(total)?);
    let mut parts = rest.split(", ");
    let elapsed = parts.next()?.split(" < ").next()?;
    let elapsed_s = duration_prefix(elapsed)
        .filter(|&(_, used)| used == elapsed.len())?
        .0;
    let mut rate = None;
    let mut epoch = None;
    let mut epochs = None;
    for part in parts {
        if let Some(r) = part.strip_suffix(" it/s") {
            rate = whole_float(r);
        } else if let Some(e) = part.strip_prefix("Epoch ") {
            let (e, of) = e.split_once('/')?;
            epoch = whole_float(e);
            epochs = uint_prefix(of).filter(|&(_, u)| u == of.len()).map(|x| x.0);
        } else {
            return None;
        }
    }
    Some(NotebookProgress {
        n,
        total,
        elapsed_s,
        rate,
        epoch: epoch?,
        epochs,
    })
}

/// The table of training and validation losses the HF Trainer draws in a
/// notebook, one row per evaluation, as text: `Step  Training Loss
/// Validation Loss  Accuracy` (or `Epoch ...`) over `500  0.693100
/// 0.690000  0.51` (`No log` where no training loss was logged yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotebookTable {
    /// The first column counts steps (else epochs).
    pub by_step: bool,
    pub train_loss: usize,
    pub val_loss: Option<usize>,
}

pub fn hf_notebook_header(s: &str) -> Option<NotebookTable> {
    let s = s.trim();
    let by_step = if s.starts_with("Step") {
        true
    } else if s.starts_with("Epoch") {
        false
    } else {
        return None;
    };
    if !s.contains("Training Loss") {
        return None;
    }
    // Cells are tab- or space-separated, and the names have spaces: a
    // two-word name is one cell.
    let words: Vec<&str> = s.split_whitespace().collect();
    if !matches!(words.first(), Some(&("Step" | "Epoch"))) {
        return None;
    }
    let (mut cell, mut i) = (0, 0);
    let (mut train_loss, mut val_loss) = (None, None);
    while i < words.len() {
        let next = words.get(i + 1).copied();
        match (words[i], next) {
            ("Training", Some("Loss")) => train_loss = train_loss.or(Some(cell)),
            ("Validation", Some("Loss")) => val_loss = val_loss.or(Some(cell)),
            _ => {}
        }
        let two_words = matches!(
            (words[i], next),
            ("Training" | "Validation", Some("Loss")) | ("Gen", Some("Len"))
        );
        i += if two_words { 2 } else { 1 };
        cell += 1;
    }
    Some(NotebookTable {
        by_step,
        train_loss: train_loss?,
        val_loss,
    })
}

/// A row of that table: the step (or epoch), the training loss and the
/// validation loss. Every cell is a number or `No log`.
pub fn hf_notebook_row(s: &str, table: NotebookTable) -> Option<(u64, Option<f64>, Option<f64>)> {
    let mut words = s.split_whitespace();
    let first = words.next()?;
    let (count, used) = uint_prefix(first)?;
    if used != first.len() || first.contains(',') {
        return None;
    }
    let mut cells: Vec<Option<f64>> = vec![None];
    while let Some(w) = words.next() {
        if w == "No" {
            (words.next()? == "log").then_some(())?;
            cells.push(None);
        } else {
            cells.push(Some(whole_float(w)?));
        }
    }
    let cell = |i: usize| cells.get(i).copied().flatten();
    (cells.len() > table.train_loss)
        .then(|| (count, cell(table.train_loss), table.val_loss.and_then(cell)))
}

/// fastai's results table on a console: its header, `epoch     train_loss
/// valid_loss  accuracy  time`, says which column is the training loss
/// (its index among the words).
pub fn fastai_header(s: &str) -> Option<usize> {
    let mut words = s.split_whitespace();
    if words.next()? != "epoch" {
        return None;
    }
    // (Names only: `epoch 1 iter 20 train_loss 2.3` is a record.)
    let name = |w: &str| {
        w.starts_with(|c: char| c.is_ascii_alphabetic())
            && w.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
    };
    let mut col = None;
    for (i, w) in words.enumerate() {
        if !name(w) {
            return None;
        }
        if w == "train_loss" && col.is_none() {
            col = Some(i + 1);
        }
    }
    col
}

/// A row of that table, `0         0.732300    0.141044    0.046512    00:12`:
/// the epoch as printed (from 0 in fastai 2, from 1 in fastai 1) and the
/// training loss. Every cell is a number, `#na#` or a time.
pub fn fastai_row(s: &str, loss_col: usize) -> Option<(u64, Option<f64>)> {
    let mut words = s.split_whitespace();
    let epoch = words.next()?.parse::<u64>().ok()?;
    let mut loss = None;
    let mut cells = 1;
    for (i, w) in words.enumerate() {
        let v = w.parse::<f64>().ok();
        let cell =
            v.is_some() || w == "#na#" || duration_prefix(w).is_some_and(|(_, u)| u == w.len());
        if !cell {
            return None;
        }
        if i + 1 == loss_col {
            loss = v;
        }
        cells += 1;
    }
    (cells > loss_col).then_some((epoch, loss))
}

/// Marian NMT's report: `Ep. 1 : Up. 500 : Sen. 15,203 : Cost 6.01253986 *
/// 414,436 after 414,436 : Time 609.91s : 679.50 words/s : L.r. 1.25e-05`
/// (the updates are the steps, the cost the loss); its validations,
/// `[valid] Ep. 1 : Up. 5000 : ce-mean-words : 5.21277 : new best`, are
/// evaluations (a cross-entropy their loss).
pub fn marian_update(s: &str) -> Option<Event> {
    let t = s.trim_start();
    let (kind, r) = match t.strip_prefix("[valid] ") {
        Some(r) => (EventKind::Eval, r),
        None => (EventKind::Train, t),
    };
    let r = r.strip_prefix("Ep. ")?;
    let (epoch, used) = uint_prefix(r)?;
    let r = r[used..].strip_prefix(" : Up. ")?;
    let (update, used) = uint_prefix(r)?;
    let r = r[used..].strip_prefix(" : ")?;
    let mut ev = Event::new(kind, Source::Generic);
    ev.epoch = Some(epoch as f64);
    if kind == EventKind::Eval {
        let (metric, value) = r.split_once(" : ")?;
        if metric.starts_with("ce-") || metric == "cross-entropy" {
            ev.loss = float_prefix(value).map(|x| x.0);
        }
        return Some(ev);
    }
    ev.step = Some(update);
    ev.loss = float_after(r, "Cost ");
    ev.lr = float_after(r, "L.r. ");
    Some(ev)
}

/// ESPnet2's report every `log_interval` batches:
/// `1epoch:train:1-4025batch: iter_time=1.924e-04, ..., loss=153.944, ...`.
/// Returns the epoch, the last batch of the range (counted from 1 within
/// the epoch), and the loss.
pub fn espnet_batches(s: &str) -> Option<(u64, u64, Option<f64>)> {
    let t = s.trim_start();
    let (epoch, used) = uint_prefix(t)?;
    let r = t[used..].strip_prefix("epoch:train:")?;
    let (_, used) = uint_prefix(r)?;
    let r = r[used..].strip_prefix('-')?;
    let (last, used) = uint_prefix(r)?;
    let r = r[used..].strip_prefix("batch:")?;
    if epoch == 0 {
        return None;
    }
    Some((epoch, last, loss_field(r)))
}

/// ESPnet2's `2/30epoch started`: the epoch and how many are planned.
pub fn espnet_epoch_started(s: &str) -> Option<(u64, u64)> {
    let (e, total, r) = slash_pair(s)?;
    r.starts_with("epoch started").then_some((e, total))
}

/// ColBERT's training line, `[Mar 29, 16:21:59] 1016 5.299243152939811`:
/// its `print_message` head (month, day, time of day), the batch index and
/// the loss, nothing else. Returns the event and the time in seconds (a
/// leap year's, as for other heads without a year).
pub fn colbert_step(s: &str) -> Option<(Event, f64)> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let r = s.trim_start().strip_prefix('[')?;
    let month = MONTHS.iter().position(|m| r.starts_with(m))? as i64 + 1;
    let r = r.get(3..)?.strip_prefix(' ')?;
    let (day, used) = uint_prefix(r)?;
    let r = r[used..].strip_prefix(", ")?;
    let clock = r.get(..8)?.as_bytes();
    let two = |i: usize| -> Option<i64> {
        let (a, b) = (clock[i], clock[i + 1]);
        (a.is_ascii_digit() && b.is_ascii_digit())
            .then(|| i64::from(a - b'0') * 10 + i64::from(b - b'0'))
    };
    if clock[2] != b':' || clock[5] != b':' || !(1..=31).contains(&day) {
        return None;
    }
    let (h, m, sec) = (two(0)?, two(3)?, two(6)?);
    let rest = r[8..].strip_prefix("] ")?;
    // Exactly two numbers.
    let (step_tok, loss_tok) = rest.trim_end().split_once(' ')?;
    let (step, used) = uint_prefix(step_tok)?;
    let (loss, n) = float_prefix(loss_tok)?;
    if used != step_tok.len() || n != loss_tok.len() {
        return None;
    }
    // (In 2000, a leap year, like the other heads without a year.)
    let days = super::normalize::days_from_civil(2000, month, day as i64);
    let secs = days * 86400 + h * 3600 + m * 60 + sec;
    let mut ev = Event::new(EventKind::Train, Source::Generic);
    ev.step = Some(step);
    ev.loss = Some(loss);
    Some((ev, secs as f64))
}

/// A short line of its own that says an evaluation begins, with no numbers:
/// `testing in eval mode……`, `Evaluating...`, `Running validation`.
pub fn announces_evaluation(t: &str) -> bool {
    let t = t.trim();
    if t.bytes().any(|c| c.is_ascii_digit()) {
        return false;
    }
    let lower = t.to_ascii_lowercase();
    lower.contains("eval mode")
        || [
            "evaluating",
            "validating",
            "running validation",
            "running evaluation",
            "testing...",
        ]
        .iter()
        .any(|w| lower.starts_with(w))
}

/// A line that is only a (mean) training loss, `mean loss: 0.018582` or
/// `loss = 0.5` (PointNet's `log_string` lines under its epoch headers),
/// `TRAIN CROSS ENTROPY: 0.4784`, `total_loss: 24.7161 time: 15m 1s`
/// (ShuffleFaceNet's; the time after it is ignored).
/// Not an evaluation's (`eval mean loss: 1.81`).
pub fn header_loss_line(s: &str) -> Option<f64> {
    let t = s.trim();
    // nnU-Net's `train_loss -0.6412` (a space between).
    if let Some(r) = t.strip_prefix("train_loss ")
        && let Some((v, used)) = float_prefix(r.trim_start())
        && used == r.trim_start().len()
    {
        return Some(v);
    }
    let t = t
        .strip_prefix("mean ")
        .or_else(|| t.strip_prefix("train mean "))
        .or_else(|| t.strip_prefix("train "))
        .or_else(|| t.strip_prefix("TRAIN "))
        .or_else(|| t.strip_prefix("total_"))
        .unwrap_or(t);
    // (A TF1 script's `TRAIN CROSS ENTROPY: 0.4784`.)
    let r = t
        .strip_prefix("loss")
        .or_else(|| t.strip_prefix("CROSS ENTROPY"))?
        .trim_start();
    let r = r.strip_prefix([':', '='])?.trim_start();
    // (And the epoch's time after it: `total_loss: 24.7161 time: 15m 1s`.)
    let (v, used) = float_prefix(r)?;
    (used == r.len() || r[used..].starts_with(' ')).then_some(v)
}

/// A loss printed as its function's name: TensorFlow's `retrain.py` (the
/// image-retraining tutorial and its many copies), `Step 10: Cross entropy
/// = 4.464004`.
fn cross_entropy_in(s: &str) -> Option<f64> {
    // (A substring search first: most lines that get here have no loss.)
    let p = s.find_word("ross entropy")?;
    let b = s.as_bytes();
    if p == 0 || !matches!(b[p - 1], b'C' | b'c') {
        return None;
    }
    let r = &b[p + "ross entropy".len()..];
    let skip = r
        .iter()
        .take_while(|c| matches!(c, b' ' | b'=' | b':'))
        .count();
    if skip == 0 {
        return None;
    }
    float_prefix_bytes(&r[skip..]).map(|x| x.0)
}

/// One record of DARTS and the architecture searches built on it (PC-DARTS,
/// P-DARTS, GDAS, DrNAS, ...): `train 050 2.102168e+00 20.373775
/// 72.855392` (`logging.info('train %03d %e %f %f', step, loss, top1,
/// top5)`), and the same for `valid`. The step counts from 0 in each
/// epoch. Returns (training?, step, loss).
pub fn darts_step(t: &str) -> Option<(bool, u64, f64)> {
    let (train, r) = match t.strip_prefix("train ") {
        Some(r) => (true, r),
        None => (false, t.strip_prefix("valid ")?),
    };
    let mut words = r.trim_end().split(' ');
    let step = words.next()?;
    if step.is_empty() || step.len() > 9 || !step.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let loss = whole_float(words.next()?)?;
    // Then the top-1 and top-5 accuracies, and nothing else.
    whole_float(words.next()?)?;
    whole_float(words.next()?)?;
    if words.next().is_some() {
        return None;
    }
    Some((train, step.parse().ok()?, loss))
}

/// Darknet's training line (pjreddie's and AlexeyAB's YOLO trainers):
/// `1000: 0.728614, 0.744907 avg, 0.001000 rate, 13.602742 seconds, 64000
/// images` (AlexeyAB: `avg loss`, then `, 12.3 hours left`). The
/// iteration, its loss and its seconds.
pub fn darknet_iter(t: &str) -> Option<Event> {
    let t = t.trim_start();
    let (step, used) = uint_prefix(t)?;
    let r = t[used..].strip_prefix(": ")?;
    let (loss, used) = float_prefix(r)?;
    let r = r[used..].strip_prefix(", ")?;
    let (_avg, used) = float_prefix(r)?;
    let r = r[used..].strip_prefix(" avg")?;
    let r = r.strip_prefix(" loss").unwrap_or(r).strip_prefix(", ")?;
    let (_rate, used) = float_prefix(r)?;
    let r = r[used..].strip_prefix(" rate, ")?;
    let (secs, used) = float_prefix(r)?;
    r[used..].strip_prefix(" seconds, ")?;
    let mut ev = Event::new(EventKind::Train, Source::Generic);
    ev.step = Some(step);
    ev.loss = Some(loss);
    ev.step_time_s = Some(secs);
    Some(ev)
}

/// The pix2pix / CycleGAN Visualizer's line (junyanz's
/// pytorch-CycleGAN-and-pix2pix and its many forks): `(epoch: 1, iters: 20,
/// time: 14.412, data: 0.080) G_GAN: 2.436 G_L1: 54.115 D_real: 0.167
/// D_fake: 0.138`. Its step is the samples seen in the epoch (a counter
/// that starts over each epoch); its losses are a GAN's several, none of
/// them the run's loss.
pub fn gan_visualizer(t: &str) -> Option<(Event, GenericCount)> {
    let r = t.trim_start().strip_prefix("(epoch: ")?;
    let (epoch, used) = uint_prefix(r)?;
    let r = r[used..].strip_prefix(", iters: ")?;
    let (iters, used) = uint_prefix(r)?;
    r[used..].strip_prefix(", time: ")?;
    let mut ev = Event::new(EventKind::Train, Source::Generic);
    ev.step = Some(iters);
    ev.epoch = Some(epoch as f64);
    Some((
        ev,
        GenericCount::StepsWithEpoch {
            epoch,
            epochs: None,
        },
    ))
}

/// Keras-GAN's line (eriklindernoren's Keras-GAN and the scripts after it):
/// `999 [D loss: 0.006885, acc.: 100.00%] [G loss: 0.001612]`. The
/// iteration and the generator's loss.
pub fn keras_gan(t: &str) -> Option<Event> {
    let (step, used) = uint_prefix(t)?;
    let r = t[used..].strip_prefix(" [D loss: ")?;
    let p = r.find_word("] [G loss: ")?;
    let (g, _) = float_prefix(&r[p + 11..])?;
    let mut ev = Event::new(EventKind::Train, Source::Generic);
    ev.step = Some(step);
    ev.loss = Some(g);
    Some(ev)
}

/// PySlowFast's stats lines, `json_stats: {"_type": "train_iter", "epoch":
/// "1/400", "iter": "10/240", "loss": 2.74, ...}` (`train_epoch` and
/// `val_*` summaries alike): the type, the epoch and epochs, the
/// iteration and iterations in an epoch when given, and the loss.
pub struct SlowFastStats<'a> {
    pub kind: &'a str,
    pub epoch: (u64, u64),
    pub iter: Option<(u64, u64)>,
    pub loss: Option<f64>,
}

pub fn slowfast_stats(t: &str) -> Option<SlowFastStats<'_>> {
    let r = t.trim_start().strip_prefix("json_stats: {")?;
    let quoted = |key: &str| {
        let p = r.find(key)?;
        let v = r[p + key.len()..].strip_prefix('"')?;
        v.split_once('"').map(|x| x.0)
    };
    let pair = |v: &str| {
        let (a, b) = v.split_once('/')?;
        Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
    };
    let kind = quoted("\"_type\": ")?;
    let epoch = pair(quoted("\"epoch\": ")?)?;
    let iter = quoted("\"iter\": ").and_then(pair);
    let loss = r
        .find_word("\"loss\": ")
        .and_then(|p| float_prefix(&r[p + 8..]))
        .map(|x| x.0);
    Some(SlowFastStats {
        kind,
        epoch,
        iter,
        loss,
    })
}

/// DARTS's epoch line, `epoch 11 lr 2.471316e-02`: the epoch.
pub fn darts_epoch(t: &str) -> Option<u64> {
    let r = t.strip_prefix("epoch ")?;
    let (epoch, r) = r.split_once(' ')?;
    whole_float(r.strip_prefix("lr ")?.trim_end())?;
    epoch.parse().ok()
}

/// A line that is only a counter, the first line of a two-line record
/// (`iter = 20` then `\tloss = 2.454092, accuracy (cur) = 0.29`): `iter`,
/// `iteration`, `step` or `global_step`, a `=` or `:` or nothing, a number.
pub fn bare_counter(s: &str) -> Option<u64> {
    let t = s.trim();
    // A TF1 script's `current step: 58036th step` (then `batch loss:0.0047`).
    if let Some(r) = t.strip_prefix("current step: ")
        && let Some((n, used)) = uint_prefix(r)
        && ["th step", "st step", "nd step", "rd step"].contains(&&r[used..])
    {
        return Some(n);
    }
    if !t.ends_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    // GraphRetro's `After 201 steps, Global Step: 201` (its metrics dict
    // follows two lines down).
    if let Some(r) = t.strip_prefix("After ")
        && let Some(p) = r.find_word(" steps, Global Step: ")
        && let Some((n, used)) = uint_prefix(&r[p + 21..])
        && p + 21 + used == r.len()
    {
        return Some(n);
    }
    // (Cheap first: it starts with a counter's letter.)
    if !t.starts_with(['i', 'I', 's', 'S', 'g', 'G']) {
        return None;
    }
    let word = t
        .bytes()
        .take_while(|c| c.is_ascii_alphabetic() || *c == b'_')
        .count();
    if !["iter", "iteration", "step", "global_step"]
        .iter()
        .any(|w| t[..word].eq_ignore_ascii_case(w))
    {
        return None;
    }
    let r = t[word..].trim_start();
    let r = r.strip_prefix(['=', ':']).unwrap_or(r).trim_start();
    let (n, used) = uint_prefix(r)?;
    (used == r.len()).then_some(n)
}

/// What follows `key` where a script printed its arguments: `--key 1`,
/// `key: 1`, `key=10,`, `"key": 5` (the rest of the line after the
/// separators).
fn setting_value<'a>(s: &'a str, key: &str) -> Option<&'a str> {
    let p = s.find(key)?;
    Some(s[p + key.len()..].trim_start_matches([' ', '=', ':', '"', '\'']))
}

/// HF's `logging_steps` (see [`setting_value`]). Not a ratio (`0.01`) or
/// zero.
pub fn logging_steps(s: &str) -> Option<u64> {
    let r = setting_value(s, "logging_steps")?;
    let (n, used) = uint_prefix(r)?;
    let next = r[used..].chars().next();
    (n > 0 && !matches!(next, Some('.' | '0'..='9' | 'e'))).then_some(n)
}

/// HF's `logging_strategy` (see [`setting_value`]): whether it is `steps`
/// (`epoch` and `no` are the others; `IntervalStrategy.EPOCH` as a repr).
pub fn logging_by_steps(s: &str) -> Option<bool> {
    let v = setting_value(s, "logging_strategy")?.to_ascii_lowercase();
    let v = v.strip_prefix("intervalstrategy.").unwrap_or(&v);
    Some(!(v.starts_with("epoch") || v.starts_with("no")))
}

/// HF's `logging_first_step` (see [`setting_value`]).
pub fn logging_first_step(s: &str) -> Option<bool> {
    let v = setting_value(s, "logging_first_step")?;
    Some(v.get(..4).is_some_and(|w| w.eq_ignore_ascii_case("true")))
}

/// StyleGAN2-ADA's (and StyleGAN3's) progress line: `tick 3     kimg 1372.0
/// time 1h 03m 51s   sec/tick 883.4   sec/kimg 220.86 ...`. Its steps are
/// thousands of images shown (kimg, whole); the time since the start, in
/// seconds, comes second. No loss is printed (it goes to a stats file).
/// EDM2 prints the same without the tick: `Status: kimg 134348.8  time 2d
/// 03h 47m   sec/tick 61.77 ...`.
pub fn stylegan_tick(s: &str) -> Option<(Event, f64)> {
    let mut w = s.split_whitespace();
    match w.next()? {
        "tick" => {
            uint_prefix(w.next()?)?;
        }
        "Status:" => {}
        _ => return None,
    }
    if w.next()? != "kimg" {
        return None;
    }
    let (kimg, _) = float_prefix(w.next()?)?;
    if w.next()? != "time" {
        return None;
    }
    // `1h 03m 51s`, `34m 28s`, `1m 03s`, `2d 01h 00m`: up to the next word.
    let mut secs = 0.0;
    let mut parts = 0;
    for part in w.by_ref() {
        let Some((v, used)) = float_prefix(part) else {
            break;
        };
        let unit = match &part[used..] {
            "d" => 86400.0,
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            _ => return None,
        };
        secs += v * unit;
        parts += 1;
        if part.ends_with('s') {
            break;
        }
    }
    if parts == 0 || kimg.is_nan() || kimg < 0.0 {
        return None;
    }
    let mut ev = Event::new(EventKind::Train, Source::Generic);
    ev.step = Some(kimg as u64);
    Some((ev, secs))
}

/// MXNet's progress lines: GluonCV's `[Epoch 0][Batch 49], Speed: 101.2
/// samples/sec, CrossEntropy=1.83e+00, SmoothL1=3.00e-03` and the
/// Speedometer's `Epoch[0] Batch [100]\tSpeed: 123.45 samples/sec\taccuracy=0.12`.
/// Neither says how many batches an epoch has: the epochs are the steps.
/// The loss is the first metric named as one (`ObjLoss`, `CrossEntropy`,
/// `SmoothL1`, `ce`, `nll`).
pub fn mxnet_batch(s: &str) -> Option<Event> {
    let t = s.trim_start();
    let (epoch, rest) = if let Some(r) = t.strip_prefix("[Epoch ") {
        let (e, u) = uint_prefix(r)?;
        let r = r[u..]
            .strip_prefix(']')?
            .trim_start()
            .strip_prefix("[Batch ")?;
        let (_, u) = uint_prefix(r)?;
        (e, r[u..].strip_prefix(']')?)
    } else {
        let r = t.strip_prefix("Epoch[")?;
        let (e, u) = uint_prefix(r)?;
        let r = r[u..]
            .strip_prefix(']')?
            .trim_start()
            .strip_prefix("Batch")?
            .trim_start()
            .strip_prefix('[')?;
        // `[100]`, or `[0-100]` (newer MXNet).
        let close = r.find(']')?;
        let range = &r[..close];
        if range.is_empty() || !range.bytes().all(|c| c.is_ascii_digit() || c == b'-') {
            return None;
        }
        (e, &r[close + 1..])
    };
    let mut ev = Event::new(EventKind::Train, Source::Generic);
    ev.step = Some(epoch);
    ev.epoch = Some(epoch as f64);
    for field in rest.split([',', '\t']).map(str::trim) {
        if let Some(r) = field.strip_prefix("Speed: ") {
            if let Some((v, u)) = float_prefix(r)
                && r[u..].trim_start().starts_with("samples/sec")
            {
                ev.samples_per_sec = Some(v);
            }
            continue;
        }
        let Some((name, value)) = field.split_once('=') else {
            continue;
        };
        let name = name.trim().to_ascii_lowercase();
        if ev.loss.is_none() && mxnet_metric_is_loss(&name) && !name.starts_with("val") {
            ev.loss = float_prefix(value.trim()).map(|x| x.0);
        }
    }
    Some(ev)
}

/// Whether an MXNet metric's name (lower case) names a loss: `ObjLoss`,
/// `CrossEntropy`, `SmoothL1`, `ce`, `nll` (not `accuracy`).
fn mxnet_metric_is_loss(name: &str) -> bool {
    ["loss", "crossentropy", "cross-entropy", "smoothl1"]
        .iter()
        .any(|w| name.contains(w))
        || matches!(name, "ce" | "nll")
}

/// MXNet's line at an epoch's end: the Module API's `Epoch[9]
/// Train-accuracy=0.996` and `Epoch[9] Time cost=5.119`, Gluon scripts'
/// `[Epoch 0] training: accuracy=0.0105`. Epoch N (from 0) is done: N + 1
/// epochs, the step (its batch lines say N while it runs). The training
/// metric is the loss when it is one (`Train-SmoothL1=1.67`).
pub fn mxnet_epoch_end(s: &str) -> Option<Event> {
    let t = s.trim_start();
    let (epoch, rest) = if let Some(r) = t.strip_prefix("Epoch[") {
        let (e, u) = uint_prefix(r)?;
        let r = r[u..].strip_prefix("] ")?;
        (
            e,
            r.strip_prefix("Train-")
                .or_else(|| r.strip_prefix("Time cost=").map(|_| ""))?,
        )
    } else {
        let r = t.strip_prefix("[Epoch ")?;
        let (e, u) = uint_prefix(r)?;
        (e, r[u..].strip_prefix("] training: ")?)
    };
    let mut ev = Event::new(EventKind::Train, Source::Generic);
    ev.step = epoch.checked_add(1);
    ev.epoch = Some(epoch as f64);
    if let Some((name, value)) = rest.split_once('=') {
        let name = name.trim().to_ascii_lowercase();
        if mxnet_metric_is_loss(&name) {
            ev.loss = float_prefix(value.trim()).map(|x| x.0);
        }
    }
    Some(ev)
}

/// The step line of XLM's trainer, which Facebook research code shares
/// (XLM, SymbolicMathematics, TransCoder, Int2Int), after its head: `
/// 200 -  267.19 equations/s -  4771.04 words/s - ARITHMETIC:  0.6156 -
/// LR: 1.0000e-04`. Its losses are named after the tasks (`MLM-en:`,
/// `FWD-PRIM:`): the first one is the loss. Needs a speed and a learning
/// rate among the fields (its shape, not any `N - ...` line).
pub fn xlm_step(s: &str) -> Option<Event> {
    let t = s.trim_start();
    let (step, used) = uint_prefix(t)?;
    let fields = t[used..].strip_prefix(" - ")?;
    let (mut speeds, mut lr, mut loss) = (0, false, None);
    for f in fields.split(" - ").map(str::trim) {
        if f.is_empty() {
            // (XLM: `MLM-de:  8.0111 -  - model LR: 1.0000e-04`.)
            continue;
        }
        if f.ends_with("/s") && float_prefix(f).is_some() {
            speeds += 1;
            continue;
        }
        let (name, value) = f.rsplit_once(':')?;
        let value = value.trim();
        let (v, n) = float_prefix(value)?;
        if n != value.len() || name.is_empty() {
            return None;
        }
        if name.ends_with("LR") || name.ends_with("lr") {
            lr = true;
        } else if loss.is_none() {
            loss = Some(v);
        }
    }
    if speeds == 0 || !lr {
        return None;
    }
    let mut ev = Event::new(EventKind::Train, Source::Generic);
    ev.step = Some(step);
    ev.loss = loss;
    Some(ev)
}

/// MosaicML Composer's console logger: a `[batch=12/1000]:` head, then one
/// `\t Train <metric>: <value>` line per metric (the loss is
/// `Train loss/train/total`, see [`bracket_metric`]).
/// OLMo's is the same shape: `[step=12/15000,epoch=0]`, then
/// `    train/CrossEntropyLoss=2.998` lines.
pub fn bracket_step(s: &str) -> Option<Event> {
    // (One record shape for all of them.)
    let train_record = |step: u64, total: Option<u64>, loss: Option<f64>| {
        let mut ev = Event::new(EventKind::Train, Source::Generic);
        ev.step = Some(step);
        ev.total_steps = total;
        ev.loss = loss;
        ev
    };
    let t = s.trim_start();
    // deep-text-recognition-benchmark: `[100/200000] Train loss: 0.00414,
    // Valid loss: 0.00665, Elapsed_time: 665.8`.
    if let Some(r) = t.strip_prefix('[')
        && r.starts_with(|c: char| c.is_ascii_digit())
        && let Some((n, total, r)) = slash_pair(r)
        && let Some(r) = r
            .strip_prefix("] Train loss: ")
            // (Its 2019 code: `[2000/300000] Loss: 1.44307 elapsed_time:
            // 1161.05953`.)
            .or_else(|| r.strip_prefix("] Loss: "))
        // (Its shape: not a hand-written per-epoch `[50/391] Train loss:`.)
        && (r.contains(", Valid loss: ") || r.contains("Elapsed_time") || r.contains(" elapsed_time: "))
    {
        return Some(train_record(n, Some(total), float_prefix(r).map(|x| x.0)));
    }
    // FrameDiff's and FoldFlow's (se3_diffusion) step lines after Hydra's
    // head: `[31000]: total_loss=1.7480 rot_loss=0.7294 ... steps/sec=2.11`.
    if let Some(r) = t.strip_prefix('[')
        && let Some((n, used)) = uint_prefix(r)
        && let Some(r) = r[used..].strip_prefix("]: total_loss=")
        && let Some((loss, _)) = float_prefix(r)
    {
        return Some(train_record(n, None, Some(loss)));
    }
    // DGL-KE's trainer processes: `[proc 0][Train](1000/24000) average
    // loss: 0.4751` (after its `pos_loss` and `neg_loss` lines).
    if let Some(r) = t.strip_prefix("[proc ")
        && let Some((_, r)) = r.split_once("][Train](")
        && let Some((n, total, r)) = slash_pair(r)
        && let Some(r) = r.strip_prefix(") average loss: ")
    {
        return Some(train_record(n, Some(total), float_prefix(r).map(|x| x.0)));
    }
    // A hand-written loop's `[005/200] Loss=0.0379 | PSNR=29.16dB |
    // lr=4.81e-05 | 190s`, Transformer-XL's `[  5000] | gnorm  8.33 lr
    // 0.000125 | loss  5.56`: the counter alone in brackets (maybe of a
    // total), then a loss and a learning rate (which say training).
    if let Some(r) = t.strip_prefix('[')
        && let r = r.trim_start_matches(' ')
        && r.starts_with(|c: char| c.is_ascii_digit())
        && let Some((n, used)) = uint_prefix(r)
        && let (total, r) = match slash_pair(r) {
            Some((_, total, rest)) => (Some(total), rest),
            None => (None, &r[used..]),
        }
        && let Some(r) = r.strip_prefix("] ")
        // (Or it names the training loss first: Bjarten's early-stopping
        // example, `[ 28/100] train_loss: 0.12271 valid_loss: 0.15533`.)
        && (names_lr(r.as_bytes()) || r.starts_with("train_loss: "))
        && let Some(loss) = loss_in(r.as_bytes())
    {
        return Some(train_record(n, total, Some(loss)));
    }
    // PyTorch's DCGAN example (and the GANs copied from it): `[2/5][900/
    // 1583]\tLoss_D: 0.8073\tLoss_G: 3.1272\tD(x): ...`, the epoch from 0
    // and the batch within it.
    if let Some(r) = t.strip_prefix('[')
        && let Some((epoch, epochs, r)) = slash_pair(r)
        && let Some(r) = r.strip_prefix("][")
        && let Some((batch, batches, r)) = slash_pair(r)
        && let Some(r) = r.strip_prefix(']')
        && r.trim_start().starts_with("Loss_D")
        && batches > 0
    {
        let mut ev = Event::new(EventKind::Train, Source::Generic);
        ev.step = epoch.checked_mul(batches)?.checked_add(batch);
        ev.total_steps = epochs.checked_mul(batches);
        ev.epoch = Some(epoch as f64);
        ev.loss = loss_in(r.as_bytes());
        return Some(ev);
    }
    // A loop's `[Step   500/159210] Train 9.6801 | Val 9.6793` (the number
    // after `Train` is its loss) or `[Step 500/1000] loss: 2.1`, or
    // `[Train 10/1882] {'grads_finite': 1.0, 'train_loss': 0.0077}`.
    if let Some(r) = t
        .strip_prefix("[Step ")
        .or_else(|| t.strip_prefix("[step "))
        .or_else(|| t.strip_prefix("[Train "))
        && let Some((n, total, rest)) = slash_pair(r.trim_start())
        && let Some(rest) = rest.strip_prefix(']')
        // (`[Train 100/391] loss: 0.52` is a loop's batch within its epoch:
        // only the absl loop's dict after it says a global step.)
        && (!t.starts_with("[Train ") || rest.trim_start().starts_with('{'))
    {
        let mut ev = Event::new(EventKind::Train, Source::Generic);
        ev.step = Some(n);
        ev.total_steps = Some(total);
        ev.loss = loss_in(rest.as_bytes()).or_else(|| {
            rest.trim_start()
                .strip_prefix("Train ")
                .and_then(float_prefix)
                .map(|x| x.0)
        });
        return Some(ev);
    }
    // Composer with its duration in epochs: `[epoch=2][batch=120/120]:`,
    // the batch within the epoch (both counted from 1).
    if let Some(r) = t.strip_prefix("[epoch=")
        && let Some((epoch, used)) = uint_prefix(r)
        && let Some(r) = r[used..].strip_prefix("][batch=")
        && let Some((n, per_epoch, r)) = slash_pair(r)
        && r.starts_with("]:")
        && epoch >= 1
    {
        let mut ev = Event::new(EventKind::Train, Source::Generic);
        ev.step = Some((epoch - 1).saturating_mul(per_epoch).saturating_add(n));
        ev.epoch = Some(epoch as f64);
        return Some(ev);
    }
    let r = t
        .strip_prefix("[batch=")
        .or_else(|| t.strip_prefix("[step="))?;
    let (n, used) = uint_prefix(r)?;
    let r = r[used..].strip_prefix('/')?;
    let (total, used) = uint_prefix(r)?;
    if !(r[used..].starts_with("]:")
        || r[used..].starts_with(']')
        || r[used..].starts_with(",epoch="))
    {
        return None;
    }
    let mut ev = Event::new(EventKind::Train, Source::Generic);
    ev.step = Some(n);
    ev.total_steps = Some(total);
    Some(ev)
}

/// The Swin Transformer logger's `Train: [3/300][100/1251]\tlr ...\tloss
/// 1.75 (1.96)` (epoch counted from 0, batch), or one line per epoch
/// `Train: [3/50]\t...` (then the steps are epochs: returns true).
pub fn swin_train(s: &str) -> Option<(Event, bool)> {
    let r = s.trim_start().strip_prefix("Train: [")?;
    let (epoch, used) = uint_prefix(r)?;
    let r = r[used..].strip_prefix('/')?;
    let (epochs, used) = uint_prefix(r)?;
    let r = r[used..].strip_prefix(']')?;
    let mut ev = Event::new(EventKind::Train, Source::Generic);
    ev.epoch = Some(epoch as f64);
    ev.loss = Some(loss_in(r.as_bytes())?);
    let batch = r.strip_prefix('[').and_then(|b| {
        let (i, used) = uint_prefix(b)?;
        let b = b[used..].strip_prefix('/')?;
        let (per_epoch, used) = uint_prefix(b)?;
        b[used..].starts_with(']').then_some((i, per_epoch))
    });
    match batch {
        Some((i, per_epoch)) => {
            ev.step = epoch.checked_mul(per_epoch)?.checked_add(i);
            ev.total_steps = epochs.checked_mul(per_epoch);
            Some((ev, false))
        }
        None => {
            // Printed as the epoch ends: epochs done.
            ev.step = Some(epoch.saturating_add(1));
            ev.total_steps = Some(epochs);
            Some((ev, true))
        }
    }
}

/// VITS's epoch head (and so-vits-svc's, Bert-VITS2's), `Train Epoch: 1
/// [0%]`: its losses follow on the next line (see [`vits_losses`]).
pub fn vits_epoch(t: &str) -> Option<u64> {
    let r = t.strip_prefix("Train Epoch: ")?;
    let (epoch, used) = uint_prefix(r)?;
    let r = r[used..].strip_prefix(" [")?;
    let (_, used) = uint_prefix(r)?;
    (r[used..].trim_end() == "%]").then_some(epoch)
}

/// VITS's loss list under its epoch head, `[2.686, 2.843, 5.80, 63.61,
/// 19.0, 0, 0.0001]`: the losses (NaN printed `nan`), then the global step
/// and the learning rate. Returns the first loss and the step.
pub fn vits_losses(t: &str) -> Option<(f64, u64)> {
    let inner = t.trim_end().strip_prefix('[')?.strip_suffix(']')?;
    let cells: Vec<&str> = inner.split(", ").collect();
    // (At least two losses before the step and the rate.)
    let [first, _, .., step_cell, lr] = cells[..] else {
        return None;
    };
    let (step, used) = uint_prefix(step_cell)?;
    if used == 0 || used != step_cell.len() || whole_float(lr).is_none() {
        return None;
    }
    let loss = if first == "nan" {
        f64::NAN
    } else {
        whole_float(first)?
    };
    Some((loss, step))
}

/// RVC's (Retrieval-based Voice Conversion) record under the VITS epoch
/// head: `[200, 9.99875e-05]`, the global step and the learning rate, its
/// losses on the next line (see [`rvc_losses`]).
pub fn rvc_step(t: &str) -> Option<u64> {
    let inner = t.trim_end().strip_prefix('[')?.strip_suffix(']')?;
    let (step, lr) = inner.split_once(", ")?;
    let (n, used) = uint_prefix(step)?;
    (used == step.len() && whole_float(lr).is_some()).then_some(n)
}

/// That record's losses, `loss_disc=3.728, loss_gen=3.328, loss_fm=5.902,
/// loss_mel=23.647, loss_kl=2.332`: the first (as for VITS's list).
pub fn rvc_losses(t: &str) -> Option<f64> {
    let r = t.strip_prefix("loss_disc=")?;
    let v = r.split(',').next()?.trim();
    whole_float(v)
}

/// The Coqui TTS trainer's step head, `--> STEP: 24/36 -- GLOBAL_STEP:
/// 1000025` (newer versions put `TIME: ... -- ` first): the run's step
/// (its losses follow on `| > loss: 0.52  (0.56)` lines).
pub fn coqui_step(t: &str) -> Option<u64> {
    const GLOBAL: &str = "GLOBAL_STEP: ";
    let r = t.strip_prefix("--> ")?;
    let p = r.find(GLOBAL)?;
    if !r[..p].contains("STEP: ") {
        return None;
    }
    let r = &r[p + GLOBAL.len()..];
    let (n, used) = uint_prefix(r)?;
    r[used..].trim_end().is_empty().then_some(n)
}

/// A Coqui TTS record's loss line, `| > loss: 0.52345  (0.56789)` (the
/// running average in parentheses), or a GAN model's generator total
/// `| > loss_1: 26.92974  (35.54205)` (its `loss_0` is the
/// discriminator's).
pub fn coqui_loss(t: &str) -> Option<f64> {
    let r = t.strip_prefix("| > loss")?;
    let r = r.strip_prefix(':').or_else(|| r.strip_prefix("_1:"))?;
    float_prefix(r.trim_start()).map(|x| x.0)
}

/// CLU's metric writer (JAX / Flax `vit_jax`, big_vision): `[10]
/// img_sec_core_train=178.36, train_loss=0.668317`.
pub fn clu_metrics(s: &str) -> Option<Event> {
    let r = s.trim_start().strip_prefix('[')?;
    let (step, used) = uint_prefix(r)?;
    let r = r[used..].strip_prefix("] ")?;
    if !r.contains('=') {
        return None;
    }
    let mut ev = Event::new(EventKind::Train, Source::Generic);
    ev.step = Some(step);
    ev.loss = Some(loss_in(r.as_bytes())?);
    Some(ev)
}

/// One of the metric lines under a [`bracket_step`] head.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BracketMetric {
    Loss(f64),
    TokensPerSec(f64),
    SamplesPerSec(f64),
}

/// Composer's `Train loss/train/total: 2.31`, `Train
/// throughput/tokens_per_sec: 321021.5`, `Train
/// throughput/samples_per_sec: 156.7`; OLMo's `train/CrossEntropyLoss=2.998`,
/// `throughput/device/tokens_per_second=45,538` (one device's).
pub fn bracket_metric(s: &str) -> Option<BracketMetric> {
    let t = s.trim_start();
    let value = |r: &str| float_prefix_commas(r.trim_start()).map(|x| x.0);
    if let Some(r) = t.strip_prefix("Train ") {
        if let Some(r) = r.strip_prefix("loss/train/total:") {
            return value(r).map(BracketMetric::Loss);
        }
        if let Some(r) = r.strip_prefix("throughput/tokens_per_sec:") {
            return value(r).map(BracketMetric::TokensPerSec);
        }
        if let Some(r) = r.strip_prefix("throughput/samples_per_sec:") {
            return value(r).map(BracketMetric::SamplesPerSec);
        }
        return None;
    }
    // (OLMo-core's: `train/CE loss=3.506`.)
    if let Some(r) = t
        .strip_prefix("train/CrossEntropyLoss=")
        .or_else(|| t.strip_prefix("train/CE loss="))
    {
        return value(r).map(BracketMetric::Loss);
    }
    if let Some(r) = t.strip_prefix("throughput/device/tokens_per_second=") {
        return value(r).map(BracketMetric::TokensPerSec);
    }
    None
}

/// `Loss 6.9e+00 (6.9e+00)`, `Loss:  6.94 (6.95)`, `loss: 1.23`: the value
/// for this batch (the one in parentheses is a running average).
/// The key is a word of its own: not `keypoints3d_loss: 0.2001` before
/// MMCV's total `loss: 0.6171`.
fn loss_field(r: &str) -> Option<f64> {
    ["Loss: ", "Loss ", "loss: ", "loss=", "loss:", "Loss:"]
        .iter()
        .find_map(|k| {
            r.match_indices(k)
                .filter(|&(i, _)| {
                    !r[..i].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '/')
                })
                .find_map(|(i, _)| float_prefix(&r[i + k.len()..]).map(|(v, _)| v))
        })
}

/// The validation loss a line reports beside (or instead of) the training
/// loss, under the usual names in any case: SpeechBrain's `train loss:
/// 1.90 - valid loss: 1.71`, `Train Loss: 0.5 | Val Loss: 0.4`,
/// `val_loss=0.41`, an accelerate script's `epoch 0: perplexity: 24.1
/// eval_loss: 3.18`, LitGPT's `iter 160: val loss 1.4523`.
pub fn val_loss_in(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    // (Every name ends in `loss`: a line without one, most prose, is done
    // in one fast scan.)
    if !s.contains("oss") {
        return None;
    }
    let lower_is = |at: usize, word: &[u8]| {
        b.get(at..at + word.len())
            .is_some_and(|x| x.eq_ignore_ascii_case(word))
    };
    // Each `val` (found by its `v`, in any case: most lines have none),
    // and the key it opens (or ends, in `eval`).
    for v in memchr::memchr2_iter(b'v', b'V', b) {
        if !lower_is(v, b"val") {
            continue;
        }
        let (start, keys): (usize, &[&[u8]]) = if v > 0 && b[v - 1] | 0x20 == b'e' {
            (v - 1, &[b"eval loss", b"eval_loss"])
        } else {
            (
                v,
                &[
                    b"validation loss",
                    b"valid loss",
                    b"val loss",
                    b"val_loss",
                    b"valid_loss",
                ],
            )
        };
        // A word of its own (not `interval loss`).
        if start > 0 && b[start - 1].is_ascii_alphanumeric() {
            continue;
        }
        let Some(key) = keys.iter().find(|k| lower_is(start, k)) else {
            continue;
        };
        let mut at = start + key.len();
        while b.get(at).is_some_and(|c| matches!(c, b' ' | b':' | b'=')) {
            at += 1;
        }
        if let Some((value, _)) = float_prefix_bytes(&b[at..]) {
            return Some(value);
        }
    }
    None
}

/// A line that reports an evaluation's loss and no training loss, outside
/// any known format (see [`val_loss_in`]).
pub fn eval_only_loss(s: &str) -> Option<f64> {
    let v = val_loss_in(s)?;
    let lower = s.to_ascii_lowercase();
    let trains = ["train loss", "training loss", "train_loss", "loss train"]
        .iter()
        .any(|w| lower.contains(w));
    (!trains).then_some(v)
}

/// A hand-written loop's progress line: a step counter and a loss on one
/// line, in the usual spellings: `step:10, loss:3.65`, `[step 50]
/// avg_loss=0.0008 acc=0.48`, `Step 100/1000 | Loss: 2.31`, `epoch 1 iter
/// 20 loss 2.3`. The loss key ends in `loss` (`train_loss`, `avg_loss`) and
/// is not a validation loss.
/// The second value says what its counter counts.
pub fn generic_step(s: &str) -> Option<(Event, GenericCount)> {
    let (mut ev, count) = generic_step_record(s)?;
    reported_speed(s, &mut ev);
    Some((ev, count))
}

/// The framework's own speed in a step line, under the names loops and
/// lesser-known trainers give it: a step time (`iter_time: 0.512s`,
/// `iter time: 234.56 ms`, `avg_batch_cost: 0.50000 s`), samples/s (`ips:
/// 16.0 samples/s`, `img/s: 540.2`) and tokens/s (`1524101 tok/s`,
/// `tokens_per_second_per_gpu:2234.5`). Fills only what `ev` lacks.
fn reported_speed(s: &str, ev: &mut Event) {
    // `key`, maybe its unit in parentheses (DeepSpeed's `iter time (s):
    // 0.512`), then `:`, `=` or spaces, then the value: the value and its
    // unit (the parenthesised one, or the text after the value).
    let after_key = |key: &str| {
        s.match_indices(key)
            .filter(|&(i, _)| {
                !s[..i].ends_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
                    && !s[i + key.len()..]
                        .starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
            })
            .find_map(|(i, _)| {
                let r = s[i + key.len()..].trim_start();
                let (paren_unit, r) = match r.strip_prefix('(') {
                    Some(x) => {
                        let close = x.find(')')?;
                        (Some(&x[..close]), &x[close + 1..])
                    }
                    None => (None, r),
                };
                let r = r.trim_start_matches([' ', ':', '=']);
                let (v, mut used) = float_prefix(r)?;
                // A metric prefix glued to the value (nanotron's
                // `tokens_per_sec: 1.07M`, `..._ms: 1.23K`), not a unit's
                // first letter.
                let rest = &r.as_bytes()[used..];
                let scale = match rest.first() {
                    Some(&c) if !rest.get(1).is_some_and(u8::is_ascii_alphabetic) => {
                        metric_prefix(c).unwrap_or(1.0)
                    }
                    _ => 1.0,
                };
                if scale != 1.0 {
                    used += 1;
                }
                let v = v * scale;
                // (A key that says its unit: `elapsed_time_per_iteration_ms`.)
                let unit = paren_unit.unwrap_or_else(|| {
                    if key.ends_with("_ms") {
                        "ms"
                    } else {
                        r[used..].trim_start()
                    }
                });
                (v.is_finite() && v > 0.0).then_some((v, unit))
            })
    };
    // (Each group of names below only where one of their words is: most
    // step lines name none, and a search per name costs.)
    // (`str::contains` of a short word is a vector scan with no set-up;
    // `memmem::find` would build a searcher on every call.)
    let holds = |w: &str| s.contains(w);
    if ev.step_time_s.is_none() && (holds("tim") || holds("cost") || holds("dt")) {
        ev.step_time_s = [
            "iter_time",
            "iter time",
            "iteration time",
            "step_time",
            "step time",
            "time/iter",
            "time/step",
            "time_per_iter",
            "time_per_step",
            // nanotron's.
            "elapsed_time_per_iteration_ms",
            // verl's (RL: a step is a rollout and its update).
            "timing_s/step",
            "batch_time",
            "avg_batch_cost",
            // (Only with its unit: loops print `dt` in ms or in s.)
            "dt",
        ]
        .iter()
        .find_map(|k| {
            let (v, unit) = after_key(k)?;
            let word = &unit[..unit
                .find(|c: char| !c.is_ascii_alphabetic())
                .unwrap_or(unit.len())];
            match word {
                "ms" => Some(v / 1000.0),
                "s" | "sec" | "secs" => Some(v),
                "" if *k != "dt" => Some(v),
                // (Another unit: minutes, microseconds.)
                _ => None,
            }
        });
    }
    // MLX LM's rate: `Iter 70: Train loss 2.786, ..., It/sec 17.598,
    // Tokens/sec 1728.137, ...`.
    if ev.step_time_s.is_none() && holds("It/sec") {
        ev.step_time_s = after_key("It/sec").map(|(v, _)| 1.0 / v);
    }
    // MaxText: `completed step: 3, seconds: 0.510, TFLOP/s/device: ...,
    // Tokens/s/device: 8002.1, total_weights: 65536, loss: 9.911`.
    if let Some(r) = s.trim_start().strip_prefix("completed step: ") {
        if ev.step_time_s.is_none() {
            ev.step_time_s = float_after(r, ", seconds: ").filter(|v| v.is_finite() && *v > 0.0);
        }
        if ev.tokens_per_sec.is_none() {
            ev.tokens_per_sec = float_after(r, ", Tokens/s/device: ");
        }
    }
    // The number before a unit: `16.0 samples/s`, `1524101 tok/s`. (Not
    // before a key: `iter time (s): 0.512 samples/sec: 62.500`.)
    let before_unit = |units: &[&str]| {
        units.iter().find_map(|u| {
            s.match_indices(u).find_map(|(i, _)| {
                let after = s[i + u.len()..].trim_start_matches(|c: char| c.is_ascii_alphabetic());
                if after.trim_start().starts_with([':', '=']) {
                    return None;
                }
                let head = s[..i].trim_end();
                let tok = head.rsplit([' ', '(', '|', ',']).next()?;
                whole_float(tok).filter(|v| v.is_finite() && *v > 0.0)
            })
        })
    };
    if ev.samples_per_sec.is_none() && (holds("sampl") || holds("img/") || holds("images/")) {
        ev.samples_per_sec = before_unit(&[" samples/s", " samples/sec", " img/s", " images/s"])
            .or_else(|| {
                ["samples_per_second", "samples/sec", "samples/s", "img/s"]
                    .iter()
                    .find_map(|k| after_key(k).map(|x| x.0))
            });
    }
    if ev.tokens_per_sec.is_none() && (holds("tok") || holds("Tok") || holds("throughput")) {
        ev.tokens_per_sec = before_unit(&[" tok/s", " tokens/s", " tokens/sec"]).or_else(|| {
            [
                "tokens_per_second_per_gpu",
                "tokens_per_second",
                "tokens_per_sec",
                "tokens/s",
                "tok/s",
                // MLX LM's.
                "Tokens/sec",
                // verl's, per GPU.
                "perf/throughput",
            ]
            .iter()
            .find_map(|k| after_key(k).map(|x| x.0))
        });
    }
}

/// [`generic_step`] without the reported speed.
fn generic_step_record(s: &str) -> Option<(Event, GenericCount)> {
    let b = s.as_bytes();
    // Most lines that get here are prose without a loss: one cheap pass first.
    // (Where the word `loss` first stands, in any case: see `evalish`.)
    let lower = |c: u8| c | 0x20;
    let loss_at = memchr::memchr2_iter(b'l', b'L', b).find(|&i| {
        b.get(i + 1..i + 4)
            .is_some_and(|w| lower(w[0]) == b'o' && lower(w[1]) == b's' && lower(w[2]) == b's')
    });
    let named = loss_at.is_some();
    let unnamed = if named {
        None
    } else {
        unnamed_loss(s, false)
            .or_else(|| cross_entropy_in(s))
            .or_else(|| chinese_loss(s))
    };
    if !named && unnamed.is_none() {
        return None;
    }
    // A validation summary (`epoch 006 | valid on 'valid' subset | loss
    // 5.329`, `Validation loss: 2.3 at step 100`) is not training progress;
    // a line of metrics that has `val/...` keys among them still is.
    // (A summary with both, `Epoch [001/300] - Train Loss: 145.1, Valid
    // Loss: 70.7`, is training progress.)
    // (Where the first such field starts: a line of training metrics may
    // end with the test's, `Epoch[1] Iter[616] ..., main_loss: 0.029,
    // ..., test rmse: 0.05`.)
    let field_starts = |words: &[&str]| {
        s.split(['|', ','])
            .flat_map(|f| f.split(" - "))
            .find(|field| {
                let f = field.trim_start().as_bytes();
                words.iter().any(|w| {
                    f.get(..w.len())
                        .is_some_and(|h| h.eq_ignore_ascii_case(w.as_bytes()))
                })
            })
            .map(|field| field.as_ptr() as usize - s.as_ptr() as usize)
    };
    let first_loss = loss_at.unwrap_or(0);
    // W&B's warning that it dropped a logged dict (`User provided step: 1
    // is less than current step: 125. Dropping entry: {'train/loss': ...}`):
    // neither number is a step of this record.
    if s.contains("Dropping entry: {") {
        return None;
    }
    // HF's `TrainOutput(global_step=2260, training_loss=0.04, ...)`: the
    // summary printed after `train()`, not a step of its own.
    if s.contains("TrainOutput(global_step=") {
        return None;
    }
    // (Or the counter says so: PaddleVideo's `epoch:[ 25/25 ] val step:0
    // loss: 2.69`.)
    let evalish = field_starts(&[
        "valid ",
        "validation",
        "eval ",
        "evaluat",
        "test ",
        "testing",
    ])
    .is_some_and(|at| at <= first_loss)
        || [
            " val step",
            " valid step",
            " eval step",
            " test step",
            // After a bracketed counter: `[Epoch: 20] Valid acc: 0.86 | loss: 8.96`.
            "] Valid ",
            "] Val ",
            "] Test ",
            "] Eval ",
        ]
        .iter()
        .any(|w| s.contains(w));
    // (A field of its own, or anywhere: `epoch : 0 [3/21279] Train loss:
    // 7.57548,Valid loss: 7.62940`.)
    let trains = || {
        let lower = s.to_ascii_lowercase();
        ["train loss", "training loss", "train_loss"]
            .iter()
            .any(|w| lower.contains(w))
    };
    if evalish && !trains() {
        return None;
    }
    // (Named only as a group, `[Losses: x 0.27, ..., total 15.14, ...]`
    // (eriklindernoren's PyTorch-YOLOv3): the total is the loss.)
    let loss = loss_in(b).or(unnamed).or_else(|| {
        (named && s.contains("total "))
            .then(|| unnamed_loss(s, true))
            .flatten()
    })?;
    let mut ev = Event::new(EventKind::Train, Source::Generic);
    ev.loss = Some(loss);
    ev.val_loss = val_loss_in(s).filter(|v| *v != loss);
    // (`A2C Update 12: Policy Loss=...`: an RL loop's updates.)
    // (PaddleNLP's Trainer: `loss: 0.9188, ..., global_step: 10, ...`.)
    // (A loop that counts its micro-batches and its optimizer steps names
    // the second `global_step`: `iter 3200/12500 | global_step 1962`.)
    // (MiniLLM's `epoch   3 | Iter:    800/  4460 | global iter:    800/
    // 4460` and `inner iter:   4/  8 | ppo epoch:  0/ 4 | global iter:
    // 356/  5000`: the run's count, of the run's total.)
    let global = counter_in(b, &["global_step", "global iter"]);
    if let Some((step, total @ Some(_))) = global {
        ev.step = Some(step);
        ev.total_steps = total;
        ev.epoch = counter_in(b, &["epoch"]).map(|(e, _)| e as f64);
        return Some((ev, GenericCount::Steps));
    }
    match global.or_else(|| {
        counter_in(
            b,
            &[
                "iteration",
                // (Paxml's `[PAX STATUS] step_i: 1400, training loss: 4.06`;
                // before `step`, which the first match would take.)
                "step_i",
                "steps",
                "step",
                "iters",
                "iter",
                "update",
                "global_step",
                // (ZipVoice's `Epoch 7, batch 129, global_batch_idx: 1450`.)
                "global_batch_idx",
            ],
        )
    }) {
        Some((step, total)) => {
            ev.step = Some(step);
            ev.total_steps = total;
            // (Without a total, whether the steps start over each epoch
            // only the next epoch's line tells: the analyzer reads it.)
            if total.is_none()
                && let Some((epoch, epochs)) = counter_in(b, &["epoch"])
            {
                ev.epoch = Some(epoch as f64);
                return Some((ev, GenericCount::StepsWithEpoch { epoch, epochs }));
            }
            // `Epoch [2/5], Step [100/600], Loss: 0.23`: the step counter
            // restarts every epoch; with its total known, count on. (Not
            // nanochat's `step 00001/01980 (0.05%) | loss: ... | epoch: 1`:
            // a data epoch after the run's step of its total.)
            let find = |w: &[u8]| b.windows(w.len()).position(|x| x.eq_ignore_ascii_case(w));
            // (PaddleSeg's `[TRAIN] epoch: 216, iter: 80000/80000, loss:
            // 0.1656`: its iterations are the run's, of its planned total.)
            if let Some(per_epoch) = total
                && !s.contains("[TRAIN] epoch: ")
                && let Some((epoch, epochs)) = counter_in(b, &["epoch"])
                && (epochs.is_some()
                    || find(b"epoch").is_some_and(|e| {
                        [&b"step"[..], b"iter", b"update"]
                            .iter()
                            .filter_map(|w| find(w))
                            .all(|s| e < s)
                    }))
            {
                ev.epoch = Some(epoch as f64);
                // Without how many epochs, whether they count from 0 or 1
                // (VoxelMorph's `epoch: 0001  step: 1/100`) only the log's
                // first such line tells: the analyzer makes the step.
                if epochs.is_none() && step <= per_epoch {
                    ev.total_steps = None;
                    let count = GenericCount::EpochBatch {
                        epoch,
                        batch: step,
                        batches: per_epoch,
                    };
                    return Some((ev, count));
                }
                // Printed with a total (`2/5`) epochs count from 1, as people print them.
                let first = u64::from(epochs.is_some());
                ev.step = epoch
                    .checked_sub(first)
                    .and_then(|e| e.checked_mul(per_epoch))
                    .and_then(|d| d.checked_add(step));
                ev.total_steps = epochs.and_then(|n| n.checked_mul(per_epoch));
            }
        }
        None => {
            // UER-py / TencentPretrain: `|     1000/  100000 steps| 14071.82
            // tokens/s| loss    5.53| acc: 0.188` (the word after its count).
            if let Some((step, total)) = count_before_steps(s) {
                ev.step = Some(step);
                ev.total_steps = Some(total);
                return Some((ev, GenericCount::Steps));
            }
            let epoch_counter = counter_in(b, &["epoch"]);
            // An RL learner's updates counted by episode (IMPALA's `value
            // loss: 29.17, policy gradient loss: 80.66, ..., episode: 972`).
            if epoch_counter.is_none()
                && let Some((episode, total)) = counter_in(b, &["episode"])
            {
                ev.step = Some(episode);
                ev.total_steps = total;
                return Some((ev, GenericCount::Steps));
            }
            let batch_in_epoch = |mut ev: Event, epoch: u64, batch: u64, batches: u64| {
                ev.epoch = Some(epoch as f64);
                let count = GenericCount::EpochBatch {
                    epoch,
                    batch,
                    batches,
                };
                Some((ev, count))
            };
            // I-JEPA's `[1,    50/ 2562] loss: 0.433 ...`: epoch, then the
            // batch within it of how many. (The PyTorch tutorial's `[1,
            // 2000] loss: 0.693` never says how many: [`loss_line`] reads
            // its loss.) The official I-JEPA, `[169,  1300] loss: 0.198
            // masks: 68.4 44.2 [wd: ...]`, does not either: the batch within
            // its epoch (how many, the next epoch's first line tells).
            match epoch_batch_pair(b) {
                Some((epoch, batch, Some(batches))) if batch <= batches => {
                    return batch_in_epoch(ev, epoch, batch, batches);
                }
                Some((epoch, batch, None)) => {
                    ev.step = Some(batch);
                    ev.epoch = Some(epoch as f64);
                    return Some((
                        ev,
                        GenericCount::StepsWithEpoch {
                            epoch,
                            epochs: None,
                        },
                    ));
                }
                _ => {}
            }
            // A per-epoch summary (`Epoch [001/30] TrainLoss=1.87 ...`):
            // its epochs are the only steps the log has.
            let Some((epoch, total)) = epoch_counter
                .or_else(|| counter_in(b, &["ep"]).filter(|_| counter_in(b, &["batch"]).is_some()))
            else {
                let (batch, Some(batches)) = counter_in(b, &["batch"])? else {
                    return None;
                };
                if batch > batches {
                    return None;
                }
                ev.step = Some(batch);
                return Some((ev, GenericCount::Batches { batches }));
            };
            ev.epoch = Some(epoch as f64);
            // Paddle's tutorials: `epoch: 0, batch_id: 100, loss is:
            // [0.23]`, a loop's `ep: 0, batch: 20, ..., loss: 10.98`: the
            // batch within the epoch (how many, the next epoch's line
            // tells: see [`GenericCount::StepsWithEpoch`]).
            if total.is_none()
                && let Some((batch, None)) = counter_in(b, &["batch_id", "batch"])
            {
                ev.step = Some(batch);
                return Some((
                    ev,
                    GenericCount::StepsWithEpoch {
                        epoch,
                        epochs: None,
                    },
                ));
            }
            // A batch counter in brackets after it (`epoch : 0 [3/21279]
            // Train loss: ...`; not MMCV's `Epoch [1][659/742]`, which
            // [`epoch_indexed`] reads): the step within the epoch. Whether
            // the epochs count from 0 or 1 only the log's first such line
            // tells: the analyzer makes the step.
            if total.is_none()
                && !s.contains("][")
                && let Some((batch, batches)) = bracket_pair(b)
                && batch <= batches
            {
                return batch_in_epoch(ev, epoch, batch, batches);
            }
            // `[Epoch 0/30, Batch 70/7329] [Losses: ...]`: the batch within
            // the epoch, of how many.
            if let Some((batch, Some(batches))) = counter_in(b, &["batch"])
                && batch <= batches
            {
                ev.total_steps = total.and_then(|n| n.checked_mul(batches));
                return batch_in_epoch(ev, epoch, batch, batches);
            }
            ev.step = Some(epoch);
            ev.total_steps = total;
            return Some((ev, GenericCount::Epochs));
        }
    }
    Some((ev, GenericCount::Steps))
}

/// `[1,  2000]` or `[1,    50/ 2562]` opening a line: (epoch, batch, and
/// the batches in an epoch when given).
fn epoch_batch_pair(b: &[u8]) -> Option<(u64, u64, Option<u64>)> {
    let r = b.strip_prefix(b"[")?;
    let e = digits(r);
    if e == 0 || e > 9 || r.get(e) != Some(&b',') {
        return None;
    }
    let spaces = |mut j: usize| {
        while r.get(j) == Some(&b' ') {
            j += 1;
        }
        j
    };
    let mut j = spaces(e + 1);
    let i = digits(&r[j..]);
    if i == 0 || i > 12 {
        return None;
    }
    let batch = parse_digits(&r[j..j + i]);
    j += i;
    let mut batches = None;
    if r.get(j) == Some(&b'/') {
        j = spaces(j + 1);
        let n = digits(&r[j..]);
        if n == 0 || n > 12 {
            return None;
        }
        batches = Some(parse_digits(&r[j..j + n]));
        j += n;
    }
    (r.get(j) == Some(&b']')).then(|| (parse_digits(&r[..e]), batch, batches))
}

/// A loss on a line that never says "loss": a `Train`/`Val` pair (see
/// [`train_val_loss`]) or a `total` (`[epoch: 16/200, iter: 325/489]
/// total: 1.192899`, the key a word of its own, then `:` or `=`). One
/// byte pass finds where either word could start (this runs on every line
/// that names no loss).
fn unnamed_loss(s: &str, spaced_total: bool) -> Option<f64> {
    let b = s.as_bytes();
    let word_start = |i: usize| i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_');
    // (Each word's first letter, found by a vector search.)
    for i in memchr::memchr3_iter(b'T', b't', b'S', b) {
        match b[i] {
            b'T' if b[i + 1..].starts_with(b"rain") && word_start(i) => {
                if let Some(v) = train_val_loss(&s[i..]) {
                    return Some(v);
                }
            }
            b't' if b[i + 1..].starts_with(b"otal") && word_start(i) => {
                // (`total 15.14` only where the line names its losses.)
                let after = &s[i + 5..];
                let r = after.strip_prefix([':', '=']).or_else(|| {
                    after
                        .strip_prefix(' ')
                        .filter(|r| spaced_total && r.starts_with(|c: char| c.is_ascii_digit()))
                });
                if let Some(r) = r
                    && let Some((v, _)) = float_prefix(r.trim_start())
                {
                    return Some(v);
                }
            }
            // Deeplearning4j's ScoreIterationListener: `Score at iteration
            // 100 is 1.3935213258387884` (the score is the loss).
            b'S' if b[i + 1..].starts_with(b"core at iteration ") && word_start(i) => {
                let r = &s[i + 19..];
                let (_, used) = uint_prefix(r)?;
                let (v, used2) = float_prefix(r[used..].strip_prefix(" is ")?)?;
                return (used2 > 0).then_some(v);
            }
            _ => {}
        }
    }
    None
}

/// A loss a loop prints without naming it, as a pair with the validation
/// one: `Train=447479.91936  Val=442149.83827  MAE=824.50142` at the start
/// of `s` (the number after `Train`, when a number after `Val` follows).
fn train_val_loss(s: &str) -> Option<f64> {
    fn number_after(r: &str) -> Option<(f64, &str)> {
        let r = r
            .strip_prefix('=')
            .or_else(|| r.strip_prefix(':'))
            .or_else(|| r.strip_prefix(' '))?
            .trim_start();
        float_prefix(r).map(|(v, used)| (v, &r[used..]))
    }
    let (v, rest) = number_after(s.strip_prefix("Train")?)?;
    let q = rest.find_word("Val")?;
    let after = &rest[q + 3..];
    let (_, val_rest) = number_after(after.strip_prefix("id").unwrap_or(after))?;
    // (Not accuracies: `Train 91.2% Val 89.1%`.)
    (!rest.starts_with('%') && !val_rest.starts_with('%')).then_some(v)
}

/// `N/ M steps|`: a count of its total, the word after it.
fn count_before_steps(s: &str) -> Option<(u64, u64)> {
    let p = s.find_word(" steps|")?;
    let (left, right) = s[..p].rsplit_once('/')?;
    let total = right.trim_start().parse::<u64>().ok()?;
    let left = left.trim_end();
    let digits = left.len() - left.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 || digits > 12 {
        return None;
    }
    let step = left[left.len() - digits..].parse::<u64>().ok()?;
    (step <= total).then_some((step, total))
}

/// What a [`generic_step`] line's counter counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GenericCount {
    /// Steps (the event's `step`).
    Steps,
    /// Epochs: a per-epoch summary (the event's `step` is the epoch).
    Epochs,
    /// Steps printed with their epoch and without a total (`epoch: 2 step:
    /// 62, loss is 2.21`): global, or starting over each epoch (MindSpore),
    /// which only the next epoch's line tells.
    /// `epochs`: how many the line says there are (PaddleOCR's `epoch:
    /// [1/500], global_step: 10`).
    StepsWithEpoch { epoch: u64, epochs: Option<u64> },
    /// A batch counter of a total alone (`  Batch   12/48 | Loss: 3.91 |
    /// LR: ...`, the epoch's summary printed after its batches): the
    /// event's `step` is the batch, and each time it goes back an epoch
    /// of `batches` has passed.
    Batches { batches: u64 },
    /// A batch within an epoch (the event has no `step` yet).
    EpochBatch {
        epoch: u64,
        batch: u64,
        batches: u64,
    },
}

/// The first `[i/n]` (digits only) in `b`.
fn bracket_pair(b: &[u8]) -> Option<(u64, u64)> {
    let mut from = 0;
    while let Some(p) = b[from..].iter().position(|&c| c == b'[') {
        let at = from + p + 1;
        from = at;
        let i = digits(&b[at..]);
        if i == 0 || i > 12 || b.get(at + i) != Some(&b'/') {
            continue;
        }
        let n = digits(&b[at + i + 1..]);
        if n == 0 || n > 12 || b.get(at + i + 1 + n) != Some(&b']') {
            continue;
        }
        return Some((
            parse_digits(&b[at..at + i]),
            parse_digits(&b[at + i + 1..at + i + 1 + n]),
        ));
    }
    None
}

/// A configuration line, as a framework echoes it, that gives the run's
/// planned iterations: BasicSR's `total_iter: 400000`, Caffe's `max_iter:
/// 20000`, Megatron-LM's `  train_iters ......... 3` (a whole line).
pub fn planned_iters(t: &str) -> Option<u64> {
    // (By the first byte: most lines that get here are none of these, and
    // a prefix compare each costs.)
    let whole = |r: &str| {
        let (n, used) = uint_prefix(r)?;
        (used == r.len() && n > 0).then_some(n)
    };
    match t.as_bytes().first()? {
        // sample-factory's `train_for_env_steps=10000000` (its
        // configuration, a line a key).
        b't' if t.starts_with("train_for_env_steps=") => return whole(&t[20..]),
        // LeRobot's `cfg.steps=40000 (40K)`.
        // (MaxText's config dump, a line a key: `Config param steps: 200`.)
        b'C' => return whole(t.strip_prefix("Config param steps: ")?),
        b'c' => {
            let r = t.strip_prefix("cfg.steps=")?;
            let (n, used) = uint_prefix(r)?;
            return (r[used..].starts_with(" (") && n > 0).then_some(n);
        }
        // TD-MPC2's table, `  Steps:          1,000,000` (padded: not a
        // progress line's `Steps: 5`); DeePMD-kit's (PyTorch) `Start to
        // train 1000000 steps.`
        b'S' => {
            if let Some(r) = t.strip_prefix("Steps:    ") {
                return whole(r);
            }
            // CLU's `ReportProgress` (the Flax examples): `Setting work unit
            // notes: 4.9 steps/s, 9.9% (296/3000), ETA: 9m`.
            if let Some(r) = t.strip_prefix("Setting work unit notes: ") {
                let r = &r[r.find("% (")? + 3..];
                let (_, used) = uint_prefix(r)?;
                let r = r[used..].strip_prefix('/')?;
                let (n, used) = uint_prefix(r)?;
                return (r[used..].starts_with(')') && n > 0).then_some(n);
            }
            let r = t.strip_prefix("Start to train ")?;
            let (n, used) = uint_prefix(r)?;
            return (&r[used..] == " steps." && n > 0).then_some(n);
        }
        // big_vision's notes: its plan (`NOTE: Running for 3000 steps, that
        // means 21.55 epochs`) and its progress (`NOTE: Steps:3350/20000
        // [16.8%]`).
        b'N' => {
            if let Some(r) = t.strip_prefix("NOTE: Running for ") {
                let (n, used) = uint_prefix(r)?;
                return (r[used..].starts_with(" steps") && n > 0).then_some(n);
            }
            let r = t.strip_prefix("NOTE: Steps:")?;
            let (_, used) = uint_prefix(r)?;
            let (n, _) = uint_prefix(r[used..].strip_prefix('/')?)?;
            return (n > 0).then_some(n);
        }
        // ColBERT's schedule: `#> LR will use 20000 warmup steps and linear
        // decay over 400000 steps.`
        b'#' => {
            let r = t.strip_prefix("#> LR will use ")?;
            let p = r.find(" linear decay over ")?;
            let (n, _) = uint_prefix(&r[p + 19..])?;
            return (n > 0).then_some(n);
        }
        // HugeCTR's plan: `[HCTR][09:14:07.934][INFO][RK0][main]: Use
        // non-epoch mode with number of iterations: 10000`.
        b'[' => {
            let key = "]: Use non-epoch mode with number of iterations: ";
            if !t.starts_with("[HCTR]") {
                return None;
            }
            let p = memchr::memmem::find(t.as_bytes(), key.as_bytes())?;
            return whole(&t[p + key.len()..]);
        }
        b't' | b'm' => {}
        _ => return None,
    }
    // (nerfstudio's config as `ns-train` prints it: `    max_num_iterations=30000,`.)
    let r = [
        "total_iter: ",
        "max_iter: ",
        "train_iters ",
        "max_num_iterations=",
    ]
    .iter()
    .find_map(|k| t.strip_prefix(k))?;
    let r = r.trim_start_matches('.').trim().trim_end_matches(',');
    let (n, used) = uint_prefix(r)?;
    // (GPT-NeoX says where the value came from: `  train_iters
    // ........ 320000......................updated`.)
    let rest = r[used..].trim_start_matches('.');
    ((rest.is_empty() || rest == "updated" || rest == "default") && n > 0).then_some(n)
}

/// A row of nerfstudio's table (`ns-train`'s local writer): `6000 (20.00%)
/// 28.512 ms            11 m, 24 s           143.00 K`, under `Step (% Done)
/// Train Iter (time)    ETA (time) ...`. Returns the step and the time of
/// an iteration (`ms`, or `s` past a second), in seconds.
pub fn nerfstudio_row(t: &str) -> Option<(u64, f64)> {
    let (step, used) = uint_prefix(t)?;
    let r = t[used..].strip_prefix(" (")?;
    let (_, used) = float_prefix(r)?;
    let r = r[used..].strip_prefix("%)")?;
    let r = r.trim_start_matches(' ');
    let (v, used) = float_prefix(r)?;
    let r = &r[used..];
    let secs = if r.starts_with(" ms ") {
        v / 1000.0
    } else if r.starts_with(" s ") {
        v
    } else {
        return None;
    };
    (secs.is_finite() && secs > 0.0).then_some((step, secs))
}

/// Whether `b` has `lr` as a word or `learning`, in any case.
fn names_lr(b: &[u8]) -> bool {
    let word_end = |i: usize| {
        !b.get(i)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
    };
    // (Each `l`, in either case, found by a vector search.)
    memchr::memchr2_iter(b'l', b'L', b).any(|i| {
        (i == 0 || word_end(i - 1))
            && b.get(i + 1).is_some_and(|c| {
                ((c | 0x20) == b'r' && word_end(i + 2))
                    || ((c | 0x20) == b'e'
                        && b.get(i..i + 8)
                            .is_some_and(|w| w.eq_ignore_ascii_case(b"learning")))
            })
    })
}

/// Field names that make a metrics line a training step's (see
/// [`metrics_loss`]).
const TRAINING_FIELDS: [&str; 9] = [
    "lr",
    "learning rate",
    "learning_rate",
    "grad_norm",
    "grad norm",
    "train loss",
    "training loss",
    "train_loss",
    "training_loss",
];

/// The training loss of a line made only of metrics, `Name: number` or
/// `Name=number` fields between commas or pipes, a learning rate and a
/// training loss among them (`LR: 0.000200, Acc: 50.0000, Loss: 0.9199`):
/// the learning rate (or a gradient norm, or a loss named the training's)
/// tells a training step from an evaluation's summary
/// (`chosen: 0.0, rejected: 0.0, loss: 0.693`). Prose, and lines with a
/// counter (see [`generic_step`]), are not read here.
pub fn metrics_loss(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    if !b.first()?.is_ascii_alphabetic() {
        return None;
    }
    // (One cheap pass first: most lines that get here name no learning
    // rate.)
    let names_lr = names_lr(b);
    // A gradient norm says training as surely as a learning rate (CLoRA:
    // `loss: 2.9070, orth_loss: 0.0018, total_loss: 2.9088, grad_norm: 22.25`).
    let names_grad_norm = || {
        b.windows(9)
            .any(|w| w.eq_ignore_ascii_case(b"grad_norm") || w.eq_ignore_ascii_case(b"grad norm"))
    };
    // Or the loss says it is the training's (`train acc = 0.5478, training
    // loss = 0.0449`, once per epoch).
    let names_train = || b.windows(5).any(|w| w.eq_ignore_ascii_case(b"train"));
    if !names_lr && !names_grad_norm() && !names_train() {
        return None;
    }
    let mut fields = 0;
    // A field that says training: a learning rate, a gradient norm, or the
    // loss named the training's.
    let mut says_training = false;
    for field in s.split([',', '|']) {
        let field = field.trim();
        let (name, value) = field.split_once(':').or_else(|| field.split_once('='))?;
        let name = name.trim_end();
        let value = value.trim_start();
        let name_ok = !name.is_empty()
            && name
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'/' | b' ' | b'-'))
            && name.split(' ').count() <= 3;
        let value_ok = float_prefix(value)
            .is_some_and(|(_, used)| value[used..].trim_end().trim_end_matches('%').is_empty());
        if !name_ok || !value_ok {
            return None;
        }
        fields += 1;
        says_training |= TRAINING_FIELDS.iter().any(|k| name.eq_ignore_ascii_case(k));
    }
    if fields < 2 || !says_training {
        return None;
    }
    loss_in(b)
}

/// One of `words` (any case: `step`, `iteration`, `epoch`, `batch_id`, ...)
/// as a word, then `:`/`=`/`#`/spaces (or nothing, inside brackets:
/// `[epoch0]`) and an integer, maybe `/total`.
fn counter_in(b: &[u8], words: &[&str]) -> Option<(u64, Option<u64>)> {
    let mut i = 0;
    while i + 4 <= b.len() {
        // Every counter word starts with `s`, `i`, `e`, `u`, `g` or `b`.
        if !matches!(b[i] | 0x20, b's' | b'i' | b'e' | b'u' | b'g' | b'b') {
            i += 1;
            continue;
        }
        let w = &b[i..];
        let word = words.iter().find(|k| {
            w.get(..k.len())
                .is_some_and(|h| h.eq_ignore_ascii_case(k.as_bytes()))
        });
        let boundary = i == 0 || !b[i - 1].is_ascii_alphanumeric() && b[i - 1] != b'_';
        if let Some(k) = word
            && boundary
        {
            let mut j = i + k.len();
            // `iteration index: 100`, `step idx=5`, EAST's `Epoch is
            // [1/600], mini-batch is [1/1600]`.
            for name in [&b" index"[..], b" idx", b" is"] {
                if b.get(j..j + name.len())
                    .is_some_and(|h| h.eq_ignore_ascii_case(name))
                {
                    j += name.len();
                    break;
                }
            }
            // (Spaces also pad a right-aligned counter: `step      0 |`.)
            let (mut seps, mut spaces) = (0, 0);
            while j < b.len() {
                match b[j] {
                    b' ' if spaces < 12 => spaces += 1,
                    b':' | b'=' | b'#' | b'[' if seps < 4 => seps += 1,
                    // A full-width colon (`epoch：0`, Chinese logs).
                    0xEF if seps < 4 && fullwidth_colon_at(b, j) => {
                        seps += 1;
                        j += FULLWIDTH_COLON.len() - 1;
                    }
                    _ => break,
                }
                j += 1;
            }
            let seps = seps + spaces;
            let d = digits(&b[j..]);
            // (`[epoch0] trian_loss=315.74`: no separator, in brackets.)
            let bracketed = i > 0 && b[i - 1] == b'[' && b.get(j + d) == Some(&b']');
            if (seps > 0 || bracketed) && d > 0 && d <= 12 {
                let mut step = parse_digits(&b[j..j + d]);
                let mut k2 = j + d;
                // LeRobot rounds its counter: `step:1K`, `step:50K`.
                let scale = match b.get(k2) {
                    Some(b'K') => 1_000,
                    Some(b'M') => 1_000_000,
                    _ => 1,
                };
                if scale > 1 && !b.get(k2 + 1).is_some_and(|c| c.is_ascii_alphanumeric()) {
                    step = step.saturating_mul(scale);
                    k2 += 1;
                } else if b
                    .get(k2)
                    // (A decimal is no count; a sentence's full stop after
                    // one is: Flax's `Finished training step 12. Batch
                    // size: 256, Loss: 10.06`.)
                    .is_some_and(|c| {
                        c.is_ascii_alphabetic()
                            || (*c == b'.' && b.get(k2 + 1).is_none_or(|n| *n != b' '))
                    })
                    // (A number cut by an ellipsis, `Step 2…` in a narrow
                    // panel, is no count.)
                    || b[k2..].starts_with("…".as_bytes())
                {
                    i += 1;
                    continue;
                }
                while b.get(k2) == Some(&b' ') {
                    k2 += 1;
                }
                let mut total = None;
                if b.get(k2) == Some(&b'/') {
                    let mut t = k2 + 1;
                    while b.get(t) == Some(&b' ') {
                        t += 1;
                    }
                    let dt = digits(&b[t.min(b.len())..]);
                    if dt > 0 && dt <= 12 {
                        let scale = match b.get(t + dt) {
                            Some(b'K') => 1_000,
                            Some(b'M') => 1_000_000,
                            _ => 1,
                        };
                        total = Some(parse_digits(&b[t..t + dt]).saturating_mul(scale));
                    }
                }
                return Some((step, total));
            }
        }
        i += 1;
    }
    None
}

/// `：` (U+FF1A), the colon Chinese logs write after a key.
const FULLWIDTH_COLON: &[u8] = "：".as_bytes();

fn fullwidth_colon_at(b: &[u8], j: usize) -> bool {
    b.get(j..j + FULLWIDTH_COLON.len()) == Some(FULLWIDTH_COLON)
}

/// A `...loss` key (not a validation one) and the number after it; of
/// several, the main one (`loss`, `train_loss`, `pg_loss` before
/// `kl_loss` or `entropy_loss`).
pub(crate) fn loss_in(b: &[u8]) -> Option<f64> {
    let mut best: Option<(u8, f64)> = None;
    let mut from = 0;
    while let Some(p) = b[from..]
        .windows(4)
        .position(|w| w.eq_ignore_ascii_case(b"loss"))
    {
        let at = from + p;
        from = at + 4;
        let mut end = at + 4;
        // (`loss_train: 2.1153`: the training loss named the other way.)
        if b.get(end..end + 6)
            .is_some_and(|k| k.eq_ignore_ascii_case(b"_train"))
        {
            end += 6;
        } else if b.get(end..end + 7) == Some(b"_metric") {
            // GaitSet's triplet losses, `hard_loss_metric=0.436`.
            end += 7;
        } else if b.get(end..end + 2) == Some(b"_G") {
            // A GAN's generator loss, `loss_G -2.6541` (its `loss_D` is the
            // discriminator's).
            end += 2;
        }
        // The key must end here (not `loss_scale`, `losses`).
        if b.get(end)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
        {
            continue;
        }
        // (Keys are short: the scan back is bounded, so a line of
        // `loss/loss/...` stays linear.)
        let mut start = at;
        while start > 0
            && at - start < 64
            && (b[start - 1].is_ascii_alphanumeric() || matches!(b[start - 1], b'_' | b'/'))
        {
            start -= 1;
        }
        let key = &b[start..end];
        let lower = |k: &[u8], w: &str| {
            k.len() >= w.len() && k[..w.len()].eq_ignore_ascii_case(w.as_bytes())
        };
        if ["val", "v_", "eval", "test", "valid", "dev"]
            .iter()
            .any(|w| lower(key, w))
        {
            continue;
        }
        // The word before names it too: `Iter 1: Val loss 2.247` (mlx_lm),
        // `Val    loss=0.82`.
        let mut w_end = start;
        while w_end > 0 && b[w_end - 1] == b' ' {
            w_end -= 1;
        }
        let mut w_start = w_end;
        while w_start > 0 && b[w_start - 1].is_ascii_alphabetic() {
            w_start -= 1;
        }
        if w_end < start
            && ["val", "valid", "validation", "eval", "test", "dev"]
                .iter()
                .any(|w| b[w_start..w_end].eq_ignore_ascii_case(w.as_bytes()))
        {
            continue;
        }
        let mut j = end;
        // MindSpore: `epoch: 1 step: 100, loss is 0.52`; Paddle's
        // tutorials: `loss is: [0.23]`.
        let is = b.get(j..j + 4) == Some(b" is ") || b.get(j..j + 4) == Some(b" is:");
        if is {
            j += 3;
        }
        // TensorFlow's old tutorials (and the loops copied from them):
        // `Minibatch loss at step 500: 1.23`, `Loss at step 1: 8.49`.
        if let Some(r) = b.get(j..)
            && r.get(..9)
                .is_some_and(|h| h.eq_ignore_ascii_case(b" at step "))
        {
            let d = digits(&r[9..]);
            if d > 0 && r.get(9 + d) == Some(&b':') {
                j += 9 + d;
            }
        }
        // The loss named by its kind after the word (BAGEL's `Train Loss
        // mse: 0.1647, Train Loss ce: 0.4438`): the first kind is the loss.
        // (Or as an average: StableGCN's `|| LOSS Avg: 0.09397`.)
        if !is && b.get(j) == Some(&b' ') {
            for kind in [
                &b"mse"[..],
                b"Avg",
                b"avg",
                b"ce",
                b"nll",
                b"bce",
                b"kl",
                b"l1",
                b"l2",
                b"ctc",
            ] {
                if b.get(j + 1..j + 1 + kind.len()) == Some(kind)
                    && b.get(j + 1 + kind.len()) == Some(&b':')
                {
                    j += 1 + kind.len();
                    break;
                }
            }
        }
        // A GAN's pair, `Loss D: 0.81, Loss G: 0.71`: the generator's is
        // the loss (as `loss_G` above), not the discriminator's.
        if !is && b.get(j) == Some(&b' ') && b.get(j + 2) == Some(&b':') {
            match b.get(j + 1) {
                Some(b'D') => continue,
                Some(b'G') => j += 2,
                _ => {}
            }
        }
        // A quoted key, as a printed dict has it (`Epoch 3: {'loss': 1.25}`).
        let quote = match b.get(j) {
            Some(&q @ (b'\'' | b'"')) if start > 0 && b[start - 1] == q => {
                j += 1;
                Some(q)
            }
            _ => None,
        };
        let mut seps = 0;
        while j < b.len() && seps < 4 {
            match b[j] {
                b' ' | b':' | b'=' => j += 1,
                // A full-width colon (`loss：2.4659`, Chinese logs).
                0xEF if fullwidth_colon_at(b, j) => j += FULLWIDTH_COLON.len(),
                _ => break,
            }
            seps += 1;
        }
        if seps == 0 {
            continue;
        }
        // (And its value quoted the same way: transformers 5.x.)
        if quote.is_some() && b.get(j) == quote.as_ref() {
            j += 1;
        }
        // (A one-element array after `is`: `loss is: [0.23]`.)
        if is
            && b.get(j) == Some(&b'[')
            && let Some((_, used)) = float_prefix_bytes(&b[j + 1..])
            && b.get(j + 1 + used) == Some(&b']')
        {
            j += 1;
        }
        // NumPy 2 prints its scalars wrapped (verl: `actor/pg_loss:np.float64(0.02)`),
        // and JAX its arrays (EasyLM: `'loss': Array(2.28, dtype=float32),`).
        if let Some(w) = [&b"np.float64("[..], b"np.float32(", b"tensor(", b"Array("]
            .iter()
            .find(|w| b[j..].starts_with(w))
        {
            j += w.len();
        }
        if let Some((v, used)) = float_prefix_bytes(&b[j..])
            && !b.get(j + used).is_some_and(|c| c.is_ascii_alphanumeric())
        {
            let name = key.rsplit(|&c| c == b'/').next().unwrap_or(key);
            let has = |w: &str| {
                name.windows(w.len())
                    .any(|x| x.eq_ignore_ascii_case(w.as_bytes()))
            };
            let rank = if name.eq_ignore_ascii_case(b"loss")
                || has("train_loss")
                || has("loss_train")
                || has("total")
            {
                0
            } else if has("kl") || has("entropy") || has("aux") || has("reg") {
                2
            } else {
                1
            };
            if best.is_none_or(|(r, _)| rank < r) {
                best = Some((rank, v));
            }
            if rank == 0 {
                break;
            }
        }
    }
    best.map(|(_, v)| v)
}

fn digits(b: &[u8]) -> usize {
    b.iter().take_while(|c| c.is_ascii_digit()).count()
}

fn parse_digits(b: &[u8]) -> u64 {
    b.iter().fold(0u64, |v, &c| {
        v.saturating_mul(10).saturating_add((c - b'0') as u64)
    })
}

/// A line that is a loss value (perhaps with other `k=v` metrics after it,
/// not counters), as hand-written loops print it:
/// `Loss: 10.8766`, `[Rank 0] loss = 2.31`, `train loss: 0.52`, and the
/// PyTorch CIFAR-10 tutorial's `[2,  2400] loss: 1.209` (epoch, batch).
pub fn loss_line(s: &str) -> Option<f64> {
    let mut t = s.trim();
    if let Some(r) = t.strip_prefix('[')
        && let Some((e, used)) = uint_prefix(r)
        && let Some(r) = r[used..].strip_prefix(',')
        && let Some((_, used)) = uint_prefix(r)
        && let Some(r) = r[used..].strip_prefix("] ")
        && e < 1_000_000
    {
        t = r;
    }
    // DeepSpeed's `log_dist` tag.
    if let Some(r) = t
        .strip_prefix("[Rank ")
        .or_else(|| t.strip_prefix("[rank "))
    {
        let close = r.find_word("] ")?;
        t = &r[close + 2..];
    }
    // `Train  loss=0.76  acc=0.53` (an epoch summary, padded).
    for head in ["training", "train"] {
        if let Some(h) = t.get(..head.len())
            && h.eq_ignore_ascii_case(head)
            && t[head.len()..].starts_with(' ')
        {
            let r = t[head.len()..].trim_start();
            if r.get(..4).is_some_and(|w| w.eq_ignore_ascii_case("loss")) {
                t = r;
            }
            break;
        }
    }
    // (The matched head is ASCII, so slicing after it is on a char boundary.)
    let word = ["train_loss", "loss"].into_iter().find(|w| {
        t.as_bytes()
            .get(..w.len())
            .is_some_and(|h| h.eq_ignore_ascii_case(w.as_bytes()))
    })?;
    let r = t[word.len()..].trim_start();
    let r = r.strip_prefix(':').or_else(|| r.strip_prefix('='))?;
    let (v, used) = float_prefix(r.trim_start())?;
    // Nothing after it, or only other `name=value` metrics (not a counter:
    // `loss=2.30 step=100` is a step line).
    let rest = r.trim_start()[used..].trim();
    let metrics_only = rest.split_whitespace().all(|kv| {
        kv.split_once('=').is_some_and(|(k, v)| {
            let k = k.to_ascii_lowercase();
            !k.is_empty()
                && float_prefix(v).is_some()
                && !["step", "iter", "epoch", "batch", "global_step", "iteration"]
                    .contains(&k.as_str())
        })
    });
    metrics_only.then_some(v)
}

/// `Epoch 3/200` (Keras epoch header). Returns (epoch, total epochs).
pub fn keras_epoch(s: &str) -> Option<(u64, u64)> {
    let r = s.trim().strip_prefix("Epoch ")?;
    let (e, u) = uint_prefix(r)?;
    let r = r[u..].strip_prefix('/')?;
    let (t, u2) = uint_prefix(r)?;
    if u2 != r.len() {
        return None;
    }
    Some((e, t))
}

// ---------------------------------------------------------------------------
// Lightning rich progress bar

/// One frame of Lightning's rich progress bar.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RichBar<'a> {
    /// The text before the bar: `Epoch 3/29`, `Validation`, `Sanity Checking`.
    pub desc: &'a str,
    pub epoch: Option<u64>,
    /// Epochs in the run, from `Epoch 3/29` (the last index is 29).
    pub epochs: Option<u64>,
    pub n: f64,
    pub total: Option<f64>,
    pub elapsed_s: Option<f64>,
    /// Displayed it/s (Lightning's average).
    pub rate: Option<f64>,
    /// The training loss among the metrics after the rate
    /// (`v_num: 0 train/loss_step: 1.328 val/loss: 16.0`).
    pub loss: Option<f64>,
}

/// `Epoch 1/1  ━━━━ 40/40 0:00:01 • 0:00:00 37.14it/s v_num: 0.000`.
pub fn rich_bar(s: &str) -> Option<RichBar<'_>> {
    let bar = s.find('━')?;
    if !s.contains('•') {
        return None;
    }
    let head = s[..bar].trim();
    let epoch_part = head.strip_prefix("Epoch ").and_then(uint_prefix);
    let epoch = epoch_part.map(|x| x.0);
    let epochs = epoch_part
        .and_then(|(_, used)| head["Epoch ".len() + used..].strip_prefix('/'))
        .and_then(uint_prefix)
        .and_then(|(last, _)| last.checked_add(1));
    let mut it = s[bar..]
        .trim_start_matches(['━', '╺', '╸', '─', ' '])
        .split_whitespace();
    let tok = it.next()?;
    let sl = tok.find('/')?;
    let n = float_prefix(&tok[..sl])?.0;
    let total = float_prefix(&tok[sl + 1..]).map(|x| x.0);
    let elapsed_s = it.next().and_then(duration_prefix).map(|x| x.0);
    let mut rate = None;
    let mut loss = None;
    let mut key = None;
    for w in it {
        if let Some(v) = w.strip_suffix("it/s") {
            rate = v.parse::<f64>().ok();
        } else if let Some(k) = w.strip_suffix(':') {
            key = Some(k);
            continue;
        } else if let Some(k) = key
            && loss.is_none()
            && matches!(
                k,
                "loss"
                    | "train_loss"
                    | "train_loss_step"
                    | "train/loss"
                    | "train/loss_step"
                    | "loss_step"
                    // (Matcha-TTS's.)
                    | "loss/train_step"
            )
        {
            loss = float_prefix(w).map(|x| x.0);
        }
        key = None;
    }
    Some(RichBar {
        desc: head,
        epoch,
        epochs,
        n,
        total,
        elapsed_s,
        rate,
        loss,
    })
}
