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
