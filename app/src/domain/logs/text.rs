//! Word searches in the short lines of a log. std's `str::find` sets up a
//! Two-Way searcher on every call (several hundred instructions, more than
//! the search itself on a line of a hundred bytes), and so does `contains`
//! for a word over 32 bytes; `contains` of a shorter word is a vector scan
//! with no setup. Most searches in a log miss, so [`Find::find_word`]
//! checks with `contains` first and pays for the searcher only on a hit.

/// Cheaper `find` and `contains` of a word, same results.
pub(crate) trait Find {
    /// `self.find(word)`.
    fn find_word(&self, word: &str) -> Option<usize>;
    /// `self.contains(word)`.
    fn has(&self, word: &str) -> bool;
}

/// The longest word std's `contains` scans without a searcher.
const VECTOR_WORD: usize = 32;

impl Find for str {
    #[inline]
    fn find_word(&self, word: &str) -> Option<usize> {
        if self.has(word) {
            self.find(word)
        } else {
            None
        }
    }

    #[inline]
    fn has(&self, word: &str) -> bool {
        if word.len() <= VECTOR_WORD {
            return self.contains(word);
        }
        // Its head first (the whole word is only where its head is).
        let mut cut = VECTOR_WORD;
        while !word.is_char_boundary(cut) {
            cut -= 1;
        }
        self.contains(&word[..cut]) && self.contains(word)
    }
}

/// Whether `s` starts with one of `words`. Each word's first byte is
/// compared inline before the rest: most lines start with none of them,
/// and a list's `starts_with` is a call to `memcmp` per word.
#[inline]
pub(crate) fn starts_with_any(s: &str, words: &[&str]) -> bool {
    let b = s.as_bytes();
    words.iter().any(|w| {
        let w = w.as_bytes();
        match w.first() {
            Some(c) => b.first() == Some(c) && b.starts_with(w),
            None => true,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::starts_with_any;

    #[test]
    fn starts_with_any_is_starts_with_of_any_word() {
        let words = ["Early stopping", "Stopping early", "E"];
        for s in [
            "",
            "E",
            "Early stopping at 3",
            "Stopping early",
            "Stop",
            "early",
            "xE",
        ] {
            assert_eq!(
                starts_with_any(s, &words),
                words.iter().any(|w| s.starts_with(w)),
                "{s:?}"
            );
        }
        assert!(starts_with_any("", &[""]));
        assert!(starts_with_any("abc", &["", "x"]));
        assert!(!starts_with_any("abc", &[]));
    }
}
