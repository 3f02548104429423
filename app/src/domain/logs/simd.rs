//! Byte searches sixteen bytes at a time, for the searches that run on
//! every line of a log: where the line ends (and what bytes it holds that
//! need cleaning), where a tqdm frame's `[` is, and whether a frame is the
//! one before with only its numbers changed. SSE2 on x86-64 (part of
//! its baseline, so always there); a plain loop elsewhere (the browser's
//! wasm build, which reads a few KiB at a time).
//!
//! Each function answers exactly what its scalar definition (in the tests)
//! does; only the speed differs.

/// A bit per byte of a sixteen-byte block: which bytes equal `a`, which
/// equal `b`, and (when asked for, `SPECIAL`) which are below 0x20, DEL or
/// `#` (the bytes the normaliser looks at).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Block16 {
    pub a: u32,
    pub b: u32,
    pub special: u32,
}

#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn block16<const SPECIAL: bool>(bytes: &[u8; 16], a: u8, b: u8) -> Block16 {
    use std::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_loadu_si128, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8,
    };
    // SAFETY: SSE2 is part of the x86-64 baseline, so every x86-64 CPU has
    // these instructions; `bytes` is sixteen readable bytes, and
    // `_mm_loadu_si128` takes any alignment.
    unsafe {
        let v = _mm_loadu_si128(bytes.as_ptr().cast());
        let eq = |c: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(c as i8));
        let mask = |m| _mm_movemask_epi8(m) as u32 & 0xffff;
        let special = if SPECIAL {
            // Below 0x20: unchanged by the unsigned minimum with 0x1f.
            let low = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v);
            mask(_mm_or_si128(low, _mm_or_si128(eq(0x7f), eq(b'#'))))
        } else {
            0
        };
        Block16 {
            a: mask(eq(a)),
            b: mask(eq(b)),
            special,
        }
    }
}

#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn block16<const SPECIAL: bool>(bytes: &[u8; 16], a: u8, b: u8) -> Block16 {
    let mut m = Block16 {
        a: 0,
        b: 0,
        special: 0,
    };
    for (k, &c) in bytes.iter().enumerate() {
        m.a |= u32::from(c == a) << k;
        m.b |= u32::from(c == b) << k;
        m.special |= u32::from(SPECIAL && (c < 0x20 || c == 0x7f || c == b'#')) << k;
    }
    m
}

/// [`scan_line`]'s class: a byte below 0x20 (other than the line end) or DEL.
pub(crate) const HAS_CONTROL: u8 = 1;
/// [`scan_line`]'s class: a `#` (maybe an rsyslog octal escape).
pub(crate) const HAS_HASH: u8 = 2;

/// The first `\n` or `\r` in `b`, and the classes ([`HAS_CONTROL`],
/// [`HAS_HASH`]) of the bytes before it (of all of `b` when there is none).
#[inline]
pub(crate) fn scan_line(b: &[u8]) -> (Option<usize>, u8) {
    let mut class = 0;
    let mut i = 0;
    while let Some(blk) = b.get(i..i + 16) {
        let m = block16::<true>(blk.try_into().expect("sixteen bytes"), b'\n', b'\r');
        let eol = m.a | m.b;
        // The bytes before the line end (all of them when it is not here).
        let before = eol.wrapping_sub(1) & !eol & 0xffff;
        let special = m.special & before;
        if special != 0 {
            class |= classify(blk, special);
        }
        if eol != 0 {
            return (Some(i + eol.trailing_zeros() as usize), class);
        }
        i += 16;
    }
    for (k, &c) in b[i..].iter().enumerate() {
        match c {
            b'\n' | b'\r' => return (Some(i + k), class),
            0..=0x1f | 0x7f => class |= HAS_CONTROL,
            b'#' => class |= HAS_HASH,
            _ => {}
        }
    }
    (None, class)
}

/// The classes of the bytes of `blk` marked in `special` (rare: a line with
/// an escape sequence, a tab or a `#`).
#[cold]
fn classify(blk: &[u8], mut special: u32) -> u8 {
    let mut class = 0;
    while special != 0 {
        let k = special.trailing_zeros() as usize;
        special &= special - 1;
        class |= if blk[k] == b'#' {
            HAS_HASH
        } else {
            HAS_CONTROL
        };
    }
    class
}

/// The first `[` in `b`, and the last `%` before it (before the end when
/// there is no `[`).
#[inline]
pub(crate) fn bracket_and_pct(b: &[u8]) -> (Option<usize>, Option<usize>) {
    let mut pct = None;
    let mut i = 0;
    while let Some(blk) = b.get(i..i + 16) {
        let m = block16::<false>(blk.try_into().expect("sixteen bytes"), b'[', b'%');
        let before = m.a.wrapping_sub(1) & !m.a & 0xffff;
        let pcts = m.b & before;
        if pcts != 0 {
            pct = Some(i + 31 - pcts.leading_zeros() as usize);
        }
        if m.a != 0 {
            return (Some(i + m.a.trailing_zeros() as usize), pct);
        }
        i += 16;
    }
    for (k, &c) in b[i..].iter().enumerate() {
        match c {
            b'[' => return (Some(i + k), pct),
            b'%' => pct = Some(i + k),
            _ => {}
        }
    }
    (None, pct)
}

#[cfg(not(target_arch = "wasm32"))]
/// Where [`only_numbers_changed`] lets a byte change: to an ASCII digit.
pub(crate) const MAY_BE_DIGIT: u8 = 1;
#[cfg(not(target_arch = "wasm32"))]
/// Where [`only_numbers_changed`] lets a byte change: to a bar cell's
/// byte, a space, `#` or a byte of a multi-byte character.
pub(crate) const MAY_BE_CELL: u8 = 2;

/// Whether `new` is `old` but for bytes where `allowed` lets them change
/// ([`MAY_BE_DIGIT`], [`MAY_BE_CELL`]): the three are as long, and every
/// byte of `new` that differs from `old`'s is of the kind allowed there.
/// (A tqdm bar's next frame, where only its numbers and its bar moved: see
/// [`super::parse::FrameMemo`].)
#[cfg(not(target_arch = "wasm32"))]
#[inline]
pub(crate) fn only_numbers_changed(new: &[u8], old: &[u8], allowed: &[u8]) -> bool {
    let len = new.len();
    if len != old.len() || len != allowed.len() {
        return false;
    }
    if len < 16 {
        return (0..len).all(|k| new[k] == old[k] || may_change_to(allowed[k], new[k]));
    }
    // Sixteen bytes at a time; the last block overlaps the one before it
    // (a byte checked twice gets the same answer).
    let block = |at: usize| -> bool {
        let pick = |x: &[u8]| -> [u8; 16] { x[at..at + 16].try_into().expect("sixteen bytes") };
        block_only_numbers_changed(&pick(new), &pick(old), &pick(allowed))
    };
    let mut at = 0;
    while at + 16 < len {
        if !block(at) {
            return false;
        }
        at += 16;
    }
    block(len - 16)
}

#[cfg(not(target_arch = "wasm32"))]
/// Whether a byte where `allowed` says so may become `c`.
#[inline(always)]
fn may_change_to(allowed: u8, c: u8) -> bool {
    match allowed {
        MAY_BE_DIGIT => c.is_ascii_digit(),
        MAY_BE_CELL => c == b' ' || c == b'#' || c >= 0x80,
        _ => false,
    }
}

/// [`only_numbers_changed`] on one block.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn block_only_numbers_changed(a: &[u8; 16], b: &[u8; 16], allowed: &[u8; 16]) -> bool {
    use std::arch::x86_64::{
        _mm_and_si128, _mm_cmpeq_epi8, _mm_cmplt_epi8, _mm_loadu_si128, _mm_min_epu8,
        _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8, _mm_sub_epi8,
    };
    // SAFETY: SSE2 is part of the x86-64 baseline; the arrays are sixteen
    // readable bytes each, and `_mm_loadu_si128` takes any alignment.
    unsafe {
        let va = _mm_loadu_si128(a.as_ptr().cast());
        let vb = _mm_loadu_si128(b.as_ptr().cast());
        let ok = _mm_loadu_si128(allowed.as_ptr().cast());
        let eq = |v, c: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(c as i8));
        // A digit: `c - '0'` (wrapping) is at most 9, so unchanged by the
        // unsigned minimum with 9.
        let d = _mm_sub_epi8(va, _mm_set1_epi8(b'0' as i8));
        let digit = _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(9)), d);
        // A cell: a space, `#`, or 0x80 and above (negative as `i8`).
        let cell = _mm_or_si128(
            _mm_or_si128(eq(va, b' '), eq(va, b'#')),
            _mm_cmplt_epi8(va, _mm_set1_epi8(0)),
        );
        let fine = _mm_or_si128(
            _mm_cmpeq_epi8(va, vb),
            _mm_or_si128(
                _mm_and_si128(eq(ok, MAY_BE_DIGIT), digit),
                _mm_and_si128(eq(ok, MAY_BE_CELL), cell),
            ),
        );
        _mm_movemask_epi8(fine) == 0xffff
    }
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "wasm32")))]
#[inline(always)]
fn block_only_numbers_changed(a: &[u8; 16], b: &[u8; 16], allowed: &[u8; 16]) -> bool {
    (0..16).all(|k| a[k] == b[k] || may_change_to(allowed[k], a[k]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn scan_line_scalar(b: &[u8]) -> (Option<usize>, u8) {
        let mut class = 0;
        for (k, &c) in b.iter().enumerate() {
            match c {
                b'\n' | b'\r' => return (Some(k), class),
                0..=0x1f | 0x7f => class |= HAS_CONTROL,
                b'#' => class |= HAS_HASH,
                _ => {}
            }
        }
        (None, class)
    }

    fn bracket_and_pct_scalar(b: &[u8]) -> (Option<usize>, Option<usize>) {
        let open = b.iter().position(|&c| c == b'[');
        let pct = b[..open.unwrap_or(b.len())]
            .iter()
            .rposition(|&c| c == b'%');
        (open, pct)
    }

    /// Bytes drawn mostly from the ones the searches look for.
    fn log_bytes() -> impl Strategy<Value = Vec<u8>> {
        let byte = prop_oneof![
            4 => Just(b'a'),
            1 => Just(b'\n'),
            1 => Just(b'\r'),
            1 => Just(b'#'),
            1 => Just(0x1b),
            1 => Just(0x7f),
            1 => Just(b'['),
            1 => Just(b'%'),
            1 => Just(0xe2),
            1 => any::<u8>(),
        ];
        proptest::collection::vec(byte, 0..80)
    }

    fn only_numbers_changed_scalar(new: &[u8], old: &[u8], allowed: &[u8]) -> bool {
        new.len() == old.len()
            && new.len() == allowed.len()
            && (0..new.len()).all(|k| {
                new[k] == old[k]
                    || (allowed[k] == MAY_BE_DIGIT && new[k].is_ascii_digit())
                    || (allowed[k] == MAY_BE_CELL && matches!(new[k], b' ' | b'#' | 0x80..))
            })
    }

    /// A line and a copy of it with some bytes changed (mostly to digits).
    fn line_pair() -> impl Strategy<Value = (Vec<u8>, Vec<u8>, Vec<u8>)> {
        let byte = prop_oneof![4 => b'0'..=b'9', 1 => Just(b' '), 1 => Just(b'#'), 1 => Just(0xe2), 2 => any::<u8>()];
        (
            proptest::collection::vec(byte.clone(), 0..140),
            proptest::collection::vec((any::<prop::sample::Index>(), byte), 0..4),
            proptest::collection::vec(0u8..4, 140),
            any::<bool>(),
        )
            .prop_map(|(old, edits, kinds, grow)| {
                let allowed = kinds[..old.len()].to_vec();
                let mut new = old.clone();
                for (at, c) in edits {
                    if !new.is_empty() {
                        new[at.index(old.len())] = c;
                    }
                }
                if grow {
                    new.push(b'0');
                }
                (new, old, allowed)
            })
    }

    proptest! {
        #[test]
        fn scan_line_matches_its_definition(b in log_bytes()) {
            prop_assert_eq!(scan_line(&b), scan_line_scalar(&b));
        }

        #[test]
        fn bracket_and_pct_matches_its_definition(b in log_bytes()) {
            prop_assert_eq!(bracket_and_pct(&b), bracket_and_pct_scalar(&b));
        }

        #[test]
        fn only_numbers_changed_matches_its_definition((new, old, allowed) in line_pair()) {
            // (The allowed kinds are as long as `old`; `new` may be longer.)
            prop_assert_eq!(
                only_numbers_changed(&new, &old, &allowed),
                only_numbers_changed_scalar(&new, &old, &allowed)
            );
        }
    }

    #[test]
    fn frame_bracket_and_percentage() {
        let frame = " 33%|███▎      | 98/300 [00:13<00:23,  8.72it/s]".as_bytes();
        let (open, pct) = bracket_and_pct(frame);
        assert_eq!(frame[open.unwrap()], b'[');
        assert_eq!(pct, Some(3));
        assert_eq!(scan_line(b"0123456789abcdef0123\x1b[A#\r"), (Some(24), 3));
    }
}
