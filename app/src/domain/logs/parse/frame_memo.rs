//! The splitting thread's memo of the last frame it parsed (see
//! [`FrameMemo`]): a bar's next frame read without a parse.

use super::super::simd::{MAY_BE_CELL, MAY_BE_DIGIT, only_numbers_changed};
use super::{RawFrame, bar_rate, bar_times, digits_back, find_bracket, finish_frame, plain_count};

/// The splitting thread's copy of the last frame it parsed in the usual
/// form (` 45%|████▌     | 450/1000 [00:55<01:07,  8.19it/s]`): a bar's
/// next frame is most often that line with only its numbers and its bar's
/// cells changed, the same width, and then only those numbers need
/// reading (nine frames in ten of the HF Trainer's traces).
///
/// Exactly [`parse_tqdm_bytes_into`]'s answer for such a line: that parse
/// decides on where the non-digit bytes are and what they are, and on
/// which bytes are digits; the digits' values only make the numbers (the
/// count, the times, the rate, which are read again here); it reads
/// nothing in the bar's cells but that they hold no `[`, `%` or digit.
/// The total is not among the numbers that may change (nor anything in
/// the description, the unit or the postfix): a line that changes it is
/// parsed whole. (Tested against the whole parse on changed frames.)
#[derive(Debug, Clone)]
pub(crate) struct FrameMemo {
    /// The line's length; 0 when there is none.
    len: usize,
    line: [u8; FrameMemo::MAX_LINE],
    /// What each byte of `line` may change to in a next frame: a digit of
    /// the percentage, the count, the times or the rate to a digit
    /// ([`MAY_BE_DIGIT`]), a bar cell to a cell ([`MAY_BE_CELL`]); 0:
    /// nothing.
    numbers: [u8; FrameMemo::MAX_LINE],
    /// Which memo this is (see [`RawFrame::memo`]): one more each time
    /// another line is remembered.
    generation: u32,
    raw: RawFrame,
    /// Where the `[` is, where the rate starts, and where the count ends.
    bracket: usize,
    rate_at: usize,
    count_end: usize,
}

impl Default for FrameMemo {
    fn default() -> Self {
        FrameMemo {
            len: 0,
            line: [0; FrameMemo::MAX_LINE],
            numbers: [0; FrameMemo::MAX_LINE],
            generation: 0,
            raw: RawFrame::default(),
            bracket: 0,
            rate_at: 0,
            count_end: 0,
        }
    }
}

impl FrameMemo {
    /// Longer frames are parsed whole.
    const MAX_LINE: usize = 128;

    /// `b`'s frame into `out` when `b` is the remembered line but for
    /// its numbers and cells; false (nothing written) otherwise. The line
    /// starts with a space, so [`super::super::normalize::no_log_prefix`] holds
    /// for it as for the remembered one (after the spaces that test reads
    /// the percentage: which of its bytes are digits, and the `%` and `|`
    /// after them).
    #[inline]
    pub(crate) fn next_frame(&self, b: &[u8], out: &mut RawFrame) -> bool {
        let len = self.len;
        if len == 0 || !only_numbers_changed(b, &self.line[..len], &self.numbers[..len]) {
            return false;
        }
        let (Some((elapsed, _)), Some((rate, _, _))) =
            (bar_times(&b[self.bracket + 1..]), bar_rate(b, self.rate_at))
        else {
            // (Not reached: the same bytes are digits as before.)
            return false;
        };
        let (n, _, _) = digits_back(b, self.count_end);
        *out = RawFrame {
            n: n as f64,
            elapsed_s: elapsed,
            rate: rate.unwrap_or(0.0),
            has_rate: rate.is_some(),
            ..self.raw
        };
        true
    }

    /// `b` was just parsed into `raw` by [`parse_tqdm_bytes_into`]:
    /// remember it if it is a frame of the usual form that starts with a
    /// space (the bar's percentage below 100%, no description).
    pub(crate) fn remember(&mut self, b: &[u8], raw: &mut RawFrame) {
        self.len = 0;
        if b.len() > Self::MAX_LINE || b.first() != Some(&b' ') || raw.cut || !raw.has_total {
            return;
        }
        // The parse's pieces, each in its usual form, at the first `[`.
        let mut pct = None;
        let Some(p) = find_bracket(b, 0, &mut pct) else {
            return;
        };
        if p < 2 || b[p - 1] != b' ' {
            return;
        }
        let Some((elapsed, used)) = bar_times(&b[p + 1..]) else {
            return;
        };
        let mut at = p + 1 + used;
        while at < b.len() && b[at] == b' ' {
            at += 1;
        }
        // (With these three in their usual form, the parse took them: it
        // returned the frame at its first `[`.)
        if bar_rate(b, at).is_none() || plain_count(&b[..p - 1]).is_none() {
            return;
        }
        debug_assert!({
            let mut again = RawFrame::default();
            finish_frame(b, p, pct, elapsed, true, p + 1 + used, &mut again) && again == *raw
        });
        // The count, `n` of `n/total`.
        let (_, start, _) = digits_back(b, p - 1);
        let slash = start - 1;
        let (_, n_start, _) = digits_back(b, slash);
        let mut numbers = [0u8; Self::MAX_LINE];
        // The bar between `%|` and `| ` before the count: its cells are
        // read by nothing (no `[`, `%` or digit may appear there).
        if let Some(q) = pct
            && b[q + 1] == b'|'
            && n_start >= q + 4
            && b[n_start - 2..n_start] == *b"| "
        {
            numbers[q + 2..n_start - 2].fill(MAY_BE_CELL);
        }
        let mut mark = |k: usize| numbers[k] = MAY_BE_DIGIT;
        (n_start..slash).for_each(&mut mark);
        // The percentage before the `%` (when the `%` opens the bar).
        if let Some(q) = pct {
            let mut k = q;
            while k > 0 && b[k - 1].is_ascii_digit() {
                k -= 1;
                mark(k);
            }
        }
        // The times, `MM:SS<MM:SS` (or `MM:SS<?`).
        for k in [1, 2, 4, 5] {
            mark(p + k);
        }
        if b[p + 7] != b'?' {
            for k in [7, 8, 10, 11] {
                mark(p + k);
            }
        }
        // The rate's digits.
        let mut k = at;
        while k < b.len() && (b[k].is_ascii_digit() || b[k] == b'.') {
            if b[k] != b'.' {
                mark(k);
            }
            k += 1;
        }
        self.line[..b.len()].copy_from_slice(b);
        self.len = b.len();
        self.numbers = numbers;
        self.generation = self.generation.wrapping_add(1).max(1);
        raw.memo = self.generation;
        self.raw = *raw;
        self.bracket = p;
        self.rate_at = at;
        self.count_end = slash;
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse_tqdm_bytes_into;
    use super::*;
    use crate::domain::logs::normalize::no_log_prefix;
    use proptest::prelude::*;

    /// A frame read from the memo is the frame a whole parse reads, and
    /// its line is no log prefix's (as the remembered one's).
    fn check(memo: &FrameMemo, line: &[u8]) -> Result<bool, TestCaseError> {
        let mut from_memo = RawFrame::default();
        if !memo.next_frame(line, &mut from_memo) {
            return Ok(false);
        }
        let mut parsed = RawFrame::default();
        prop_assert!(parse_tqdm_bytes_into(line, &mut parsed));
        prop_assert_eq!(
            RawFrame {
                memo: 0,
                ..from_memo
            },
            parsed
        );
        prop_assert!(no_log_prefix(line));
        Ok(true)
    }

    #[test]
    fn most_frames_of_the_traces_are_read_from_the_memo() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../server/data/traces/h200");
        for (trace, at_least) in [("hf_trainer", 0.9), ("hf_flat_loss", 0.85)] {
            let data = std::fs::read(format!("{dir}/{trace}.log")).expect("trace");
            let mut memo = FrameMemo::default();
            let (mut frames, mut hits) = (0, 0);
            for line in data.split(|&c| c == b'\r' || c == b'\n') {
                if check(&memo, line).expect("same frame") {
                    hits += 1;
                    frames += 1;
                    continue;
                }
                let mut raw = RawFrame::default();
                if parse_tqdm_bytes_into(line, &mut raw) {
                    frames += 1;
                    memo.remember(line, &mut raw);
                }
            }
            assert!(
                hits as f64 >= at_least * frames as f64,
                "{trace}: {hits} of {frames} frames from the memo"
            );
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        /// Any change to a remembered frame (mostly of its digits): either
        /// read as the whole parse reads it, or parsed whole.
        #[test]
        fn a_frame_from_the_memo_is_the_parsed_frame(
            base in prop_oneof![
                Just("  4%|▍         | 26/600 [00:05<01:08,  8.43it/s]"),
                Just(" 12%|█▏        | 98/800 [00:13<01:23,  1.37s/it]"),
                Just("  0%|          | 0/50 [00:00<?, ?it/s]"),
                Just(" 50%|#####     | 5/10 [00:01<00:01,  4.00it/s, loss=1.5]"),
                Just(" 33%|███▎      | 98/300 [00:13<00:23,  8.72it/s]"),
            ],
            edits in proptest::collection::vec(
                (any::<bool>(), any::<prop::sample::Index>(), prop_oneof![
                    6 => b'0'..=b'9',
                    1 => Just(b' '), 1 => Just(b'#'), 1 => Just(0xe2u8), 1 => Just(0x96u8),
                    1 => Just(b'['), 1 => Just(b'%'), 1 => Just(b'|'), 1 => Just(b'/'),
                    1 => Just(b'.'), 1 => Just(b'<'), 1 => Just(b'?'), 1 => any::<u8>(),
                ]),
                1..4,
            ),
        ) {
            let base = base.as_bytes();
            let mut raw = RawFrame::default();
            prop_assert!(parse_tqdm_bytes_into(base, &mut raw));
            let mut memo = FrameMemo::default();
            memo.remember(base, &mut raw);
            let digits: Vec<usize> = (0..base.len()).filter(|&k| base[k].is_ascii_digit()).collect();
            let mut line = base.to_vec();
            for (on_a_digit, at, c) in edits {
                // (Half the edits on a digit of the line: its numbers.)
                let k = if on_a_digit { digits[at.index(digits.len())] } else { at.index(line.len()) };
                line[k] = c;
            }
            check(&memo, &line)?;
        }
    }
}
