//! Program output that reaches us inside JSON strings, read back as the
//! bytes the program wrote, incrementally (a read may end anywhere, inside
//! an escape or a key): Kaggle's downloaded kernel logs ([`KaggleRecords`])
//! and Jupyter notebooks ([`NotebookOutputs`]). [`super::split`] picks the
//! reader from the file's first bytes.

/// Inside a JSON string: an escape begun, across reads.
#[derive(Debug, Clone, Copy, Default)]
struct JsonString {
    backslash: bool,
    /// `\uXXXX`: the hex digits read and their value.
    unicode: Option<(u8, u32)>,
    /// A high surrogate waiting for its low half.
    high: Option<u32>,
}

const REPLACEMENT: &[u8] = "\u{FFFD}".as_bytes();

impl JsonString {
    /// One byte of the string's text, unescaped into `out`; false when it
    /// is the closing quote (the string is over; the state is clean again).
    fn byte(&mut self, b: u8, out: &mut Vec<u8>) -> bool {
        let mut buf = [0u8; 4];
        if let Some((n, v)) = self.unicode {
            self.unicode = None;
            match (b as char).to_digit(16) {
                Some(d) => {
                    if let Some(c) = self.unicode_digit(n, v * 16 + d) {
                        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                    }
                    return true;
                }
                // (Malformed: the escape ends before this byte.)
                None => {
                    self.high = None;
                    out.extend_from_slice(REPLACEMENT);
                }
            }
        }
        // (A high surrogate not followed by its low half's `\u`.)
        let low_may_follow = if self.backslash {
            b == b'u'
        } else {
            b == b'\\'
        };
        if self.high.is_some() && !low_may_follow {
            self.high = None;
            out.extend_from_slice(REPLACEMENT);
        }
        if self.backslash {
            self.backslash = false;
            match b {
                b'u' => self.unicode = Some((0, 0)),
                b'n' => out.push(b'\n'),
                b'r' => out.push(b'\r'),
                b't' => out.push(b'\t'),
                b'b' => out.push(0x08),
                b'f' => out.push(0x0c),
                other => out.push(other),
            }
            return true;
        }
        match b {
            b'\\' => self.backslash = true,
            b'"' => return false,
            _ => out.push(b),
        }
        true
    }

    /// The `\uXXXX` escape with `n` digits read before this one (`v` so
    /// far): the character once four are read and it is whole.
    fn unicode_digit(&mut self, n: u8, v: u32) -> Option<char> {
        if n < 3 {
            self.unicode = Some((n + 1, v));
            return None;
        }
        let c = match (self.high.take(), v) {
            (None, 0xD800..=0xDBFF) => {
                self.high = Some(v);
                return None;
            }
            (Some(h), 0xDC00..=0xDFFF) => char::decode_utf16([h as u16, v as u16])
                .next()
                .and_then(Result::ok),
            (_, v) => char::from_u32(v),
        };
        Some(c.unwrap_or(char::REPLACEMENT_CHARACTER))
    }
}

/// How a Kaggle log starts (see [`KaggleRecords`]).
pub(super) const KAGGLE_HEAD: &[u8] = b"[{\"stream_name\":";

/// Kaggle's downloaded kernel log: JSON records, `[{"stream_name":
/// "stderr","time":6.41,"data":"...\n"}` then `,{...}` a line each, the
/// program's output in their escaped `data` strings, and when it wrote
/// each (`time`: seconds since the kernel started). Where the reading
/// stands, across reads: how much of `"data":"` and of `"time":` was
/// matched, inside the data string, or inside the time's number.
#[derive(Debug, Clone, Default)]
pub(super) struct KaggleRecords {
    matched: usize,
    time_matched: usize,
    in_data: bool,
    string: JsonString,
    /// The time's number so far (`None`: not reading one).
    number: Option<Vec<u8>>,
    /// The latest record's time: that of the output being read.
    time: Option<f64>,
    /// Where in the output of [`Self::extract`] a record's data starts, and
    /// its time; taken by the caller after each read.
    pub(super) marks: Vec<(usize, f64)>,
}

impl KaggleRecords {
    const DATA_KEY: &'static [u8] = b"\"data\":\"";
    const TIME_KEY: &'static [u8] = b"\"time\":";
    /// Longest time number kept (`1234567.891011`, or a malformed one cut).
    const MAX_NUMBER: usize = 32;

    /// The program's output in `bytes` (the `data` strings, unescaped),
    /// each record's time in [`Self::marks`].
    pub(super) fn extract(&mut self, bytes: &[u8], out: &mut Vec<u8>) {
        for &b in bytes {
            if self.in_data {
                self.in_data = self.string.byte(b, out);
                continue;
            }
            if let Some(number) = &mut self.number {
                if b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-') {
                    if number.len() < Self::MAX_NUMBER {
                        number.push(b);
                    }
                    continue;
                }
                // (Space after the colon.)
                if number.is_empty() && b.is_ascii_whitespace() {
                    continue;
                }
                self.time = std::str::from_utf8(number)
                    .ok()
                    .and_then(|n| n.parse::<f64>().ok())
                    .filter(|t| t.is_finite() && *t >= 0.0)
                    .or(self.time);
                self.number = None;
            }
            if key_byte(&mut self.time_matched, b, Self::TIME_KEY) {
                self.number = Some(Vec::new());
            }
            if key_byte(&mut self.matched, b, Self::DATA_KEY) {
                self.in_data = true;
                if let Some(t) = self.time {
                    self.marks.push((out.len(), t));
                }
            }
        }
    }

    /// The time of the output that the next read continues (that of the
    /// record it is in), if the records told one.
    pub(super) fn time(&self) -> Option<f64> {
        self.time
    }
}

/// The next byte `b` of a key (`"data":"`) matched a byte at a time,
/// `matched` of its bytes so far: whether the key is now whole (then
/// matching starts over). (Each key's first byte, `"`, stands nowhere
/// else in it: a failed match can only restart there.)
fn key_byte(matched: &mut usize, b: u8, key: &[u8]) -> bool {
    *matched = if b == key[*matched] {
        *matched + 1
    } else {
        usize::from(b == key[0])
    };
    let whole = *matched == key.len();
    if whole {
        *matched = 0;
    }
    whole
}

/// Whether `head`, a file's first bytes, is or may become the start of a
/// Jupyter notebook (nbformat 4: `{`, then its first key, `"cells"`):
/// `Some(true)` when it is, `Some(false)` while it may still be (wait for
/// more), `None` when it is not.
pub(super) fn notebook_head(head: &[u8]) -> Option<bool> {
    const KEY: &[u8] = b"\"cells\"";
    let rest = head.strip_prefix(b"{")?;
    let rest = rest.trim_ascii_start();
    if rest.len() >= KEY.len() {
        return rest.starts_with(KEY).then_some(true);
    }
    KEY.starts_with(rest).then_some(false)
}

/// A Jupyter notebook (`.ipynb`, nbformat 4): the output its cells printed,
/// as the program wrote it. Its outputs' texts, in the file's order: a
/// stream's `text` (stdout and stderr as written, tqdm's carriage returns
/// and all), an error's `traceback` (a line each), a result's `text/plain`
/// (`TrainOutput(global_step=60, ...)`) and HTML as the page shows it (the
/// HF Trainer's progress and table of losses). Not the cells' source or
/// metadata.
#[derive(Debug, Clone, Default)]
pub(super) struct NotebookOutputs {
    /// Inside a string, and what it is.
    in_string: Option<Str>,
    string: JsonString,
    /// The start of the string being read as a possible key (a key is only
    /// known as one by the `:` after it).
    key: Vec<u8>,
    /// The string just closed, as a key, until what follows it says
    /// whether it was one.
    last_key: Option<Key>,
    /// After a key's `:`: its value is next.
    value_of: Option<Key>,
    /// Inside a wanted key's array of strings.
    array_of: Option<Wanted>,
    /// Arrays and objects open.
    depth: u32,
    /// Inside a cell's `outputs` array, opened at this depth.
    outputs_at: Option<u32>,
    /// An HTML string's text, unescaped, before it is read as HTML.
    html_bytes: Vec<u8>,
    html: HtmlText,
    /// The last byte written in an earlier read (whether a line is open
    /// where this read's output is still empty).
    last_out: Option<u8>,
}

/// The keys that matter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    /// A cell's outputs.
    Outputs,
    /// An output's text (only inside `outputs`).
    Out(Wanted),
}

/// The keys whose strings are output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wanted {
    /// A stream's text: written as is.
    Text,
    /// An error's traceback: a line each (they carry no `\n`).
    Traceback,
    /// A result's text: its lines, then a line end.
    Plain,
    /// A result's HTML, as the page shows it (see [`HtmlText`]).
    Html,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Str {
    /// Output: unescaped into the text.
    Output(Wanted),
    /// Anything else: only its head is kept, as a possible key.
    Other,
}

impl NotebookOutputs {
    /// Longest key kept to compare (`"text/plain"`).
    const MAX_KEY: usize = 10;

    /// The program's output in `bytes`.
    pub(super) fn extract(&mut self, bytes: &[u8], out: &mut Vec<u8>) {
        for &b in bytes {
            match self.in_string {
                Some(Str::Output(Wanted::Html)) => {
                    self.html_bytes.clear();
                    let more = self.string.byte(b, &mut self.html_bytes);
                    for &c in &self.html_bytes {
                        self.html.byte(c, out);
                    }
                    if !more {
                        self.in_string = None;
                        if self.array_of.is_none() {
                            self.end_html(out);
                        }
                    }
                }
                Some(Str::Output(w)) => {
                    if !self.string.byte(b, out) {
                        self.in_string = None;
                        if w == Wanted::Traceback {
                            out.push(b'\n');
                        }
                    }
                }
                Some(Str::Other) => self.other_string_byte(b),
                None => self.structure_byte(b, out),
            }
        }
        self.last_out = out.last().copied().or(self.last_out);
    }

    /// End the line the output is on, if one is open (wherever the read
    /// that wrote its start was cut).
    fn end_line(&self, out: &mut Vec<u8>) {
        if out
            .last()
            .copied()
            .or(self.last_out)
            .is_some_and(|c| c != b'\n')
        {
            out.push(b'\n');
        }
    }

    /// The end of one output's HTML.
    fn end_html(&mut self, out: &mut Vec<u8>) {
        self.html.end(out);
        self.end_line(out);
    }

    /// A byte of a string that is not output: kept while it may be a key
    /// (escapes and all: no key that matters has one).
    fn other_string_byte(&mut self, b: u8) {
        if self.string.backslash {
            self.string.backslash = false;
            self.key.push(b'\\');
            return;
        }
        match b {
            b'"' => {
                self.in_string = None;
                let inside = self.outputs_at.is_some();
                self.last_key = match self.key.as_slice() {
                    b"outputs" => Some(Key::Outputs),
                    b"text" if inside => Some(Key::Out(Wanted::Text)),
                    b"traceback" if inside => Some(Key::Out(Wanted::Traceback)),
                    b"text/plain" if inside => Some(Key::Out(Wanted::Plain)),
                    b"text/html" if inside => Some(Key::Out(Wanted::Html)),
                    _ => None,
                };
            }
            b'\\' => self.string.backslash = true,
            _ if self.key.len() <= Self::MAX_KEY => self.key.push(b),
            _ => {}
        }
    }

    /// A byte outside the strings.
    fn structure_byte(&mut self, b: u8, out: &mut Vec<u8>) {
        if b.is_ascii_whitespace() {
            return;
        }
        let last_key = self.last_key.take();
        let value_of = self.value_of.take();
        match b {
            b':' => self.value_of = last_key,
            b'"' => {
                let wanted = match value_of {
                    Some(Key::Out(w)) => Some(w),
                    _ => self.array_of,
                };
                self.string = JsonString::default();
                self.key.clear();
                self.in_string = Some(wanted.map_or(Str::Other, Str::Output));
            }
            b'[' | b'{' => {
                self.depth += 1;
                match value_of {
                    Some(Key::Outputs) if b == b'[' => self.outputs_at = Some(self.depth),
                    Some(Key::Out(w)) if b == b'[' => self.array_of = Some(w),
                    _ => {}
                }
            }
            b']' | b'}' => {
                if b == b']' {
                    match self.array_of.take() {
                        Some(Wanted::Plain) => self.end_line(out),
                        Some(Wanted::Html) => self.end_html(out),
                        _ => {}
                    }
                }
                if self.outputs_at == Some(self.depth) {
                    self.outputs_at = None;
                }
                self.depth = self.depth.saturating_sub(1);
            }
            _ => {}
        }
    }
}

/// HTML as text, the way a notebook's page shows it: tags dropped, a
/// table's cells tab-separated and each of its rows a line (the HF
/// Trainer's `Step  Training Loss` table, as a copy of the page gives it),
/// styles and scripts left out. A `<` that opens no tag is text (the
/// Trainer's progress label, `[3/129 01:55 < 4:02:20, ...]`).
#[derive(Debug, Clone, Default)]
struct HtmlText {
    /// A `<` just read: a tag's or text's.
    lt: bool,
    in_tag: bool,
    /// The tag's name so far, lowercase (a closing tag's with its `/`).
    tag: Vec<u8>,
    name_done: bool,
    /// Between a row's `<tr>` and `</tr>`: its line breaks are spaces.
    in_row: bool,
    /// Inside `<style>` or `<script>`.
    skip: bool,
}

impl HtmlText {
    /// Longest tag name kept (`/script`).
    const MAX_TAG: usize = 8;

    fn byte(&mut self, b: u8, out: &mut Vec<u8>) {
        if std::mem::take(&mut self.lt) {
            if b.is_ascii_alphabetic() || b == b'/' || b == b'!' {
                self.in_tag = true;
                self.tag.clear();
                self.name_done = false;
            } else {
                self.text(b'<', out);
            }
        }
        if self.in_tag {
            match b {
                b'>' => {
                    self.in_tag = false;
                    self.end_tag(out);
                }
                _ if self.name_done => {}
                _ if b.is_ascii_alphanumeric() || (b == b'/' && self.tag.is_empty()) => {
                    if self.tag.len() < Self::MAX_TAG {
                        self.tag.push(b.to_ascii_lowercase());
                    }
                }
                _ => self.name_done = true,
            }
            return;
        }
        if b == b'<' {
            self.lt = true;
            return;
        }
        self.text(b, out);
    }

    fn text(&mut self, b: u8, out: &mut Vec<u8>) {
        match b {
            _ if self.skip => {}
            b'\n' | b'\r' if self.in_row => out.push(b' '),
            _ => out.push(b),
        }
    }

    fn end_tag(&mut self, out: &mut Vec<u8>) {
        match self.tag.as_slice() {
            b"/td" | b"/th" => out.push(b'\t'),
            b"tr" => self.in_row = true,
            b"/tr" => {
                self.in_row = false;
                out.push(b'\n');
            }
            b"br" | b"/div" | b"/p" | b"/table" | b"/li" => out.push(b'\n'),
            b"style" | b"script" => self.skip = true,
            b"/style" | b"/script" => self.skip = false,
            _ => {}
        }
    }

    /// The end of one output's HTML (a `<` left pending is text); the
    /// next starts afresh.
    fn end(&mut self, out: &mut Vec<u8>) {
        if self.lt {
            out.push(b'<');
        }
        *self = HtmlText::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a reader makes of `bytes` in one read; the same in two reads
    /// cut at every place, each into a buffer of its own as the decoder
    /// gives them (checked).
    fn read_cut_anywhere<R: Default>(
        bytes: &[u8],
        extract: fn(&mut R, &[u8], &mut Vec<u8>),
    ) -> Vec<u8> {
        let mut whole = Vec::new();
        extract(&mut R::default(), bytes, &mut whole);
        for cut in 0..bytes.len() {
            let mut reader = R::default();
            let (mut first, mut second) = (Vec::new(), Vec::new());
            extract(&mut reader, &bytes[..cut], &mut first);
            extract(&mut reader, &bytes[cut..], &mut second);
            assert_eq!([first, second].concat(), whole, "cut at {cut}");
        }
        whole
    }

    #[test]
    fn kaggle_strings_unescape_whole_and_in_pieces() {
        let record =
            br#"{"stream_name":"stderr","time":1.5,"data":"a\"\\\r\u003c\ud83d\ude80\u0007b\n"}"#;
        let whole = read_cut_anywhere(record, KaggleRecords::extract);
        assert_eq!(whole, "a\"\\\r<🚀\u{7}b\n".as_bytes());
        // A lone surrogate, a malformed escape: replaced, nothing lost after.
        let mut out = Vec::new();
        KaggleRecords::default().extract(br#""data":"\ud83dx\uZZ""#, &mut out);
        assert_eq!(String::from_utf8_lossy(&out), "\u{FFFD}x\u{FFFD}ZZ");
    }

    #[test]
    fn kaggle_record_times_are_read_whole_and_in_pieces() {
        let log = br#"[{"stream_name":"stdout","time":6.41,"data":"a\n"}
,{"stream_name":"stderr","time": 12.5e1,"data":"\rb"}
,{"stream_name":"stderr","time":"bad","data":"c"}
,{"stream_name":"stderr","time":-3,"data":"d"}]"#;
        // (A time that is no number, or negative, leaves the last one.)
        let want = vec![(0, 6.41), (2, 125.0), (4, 125.0), (5, 125.0)];
        let read = |cut: usize| {
            let mut r = KaggleRecords::default();
            let mut out = Vec::new();
            r.extract(&log[..cut], &mut out);
            r.extract(&log[cut..], &mut out);
            let time = r.time();
            (out, r.marks, time)
        };
        for cut in 0..log.len() {
            let (out, marks, time) = read(cut);
            assert_eq!(out, b"a\n\rbcd", "cut at {cut}");
            assert_eq!(marks, want, "cut at {cut}");
            assert_eq!(time, Some(125.0), "cut at {cut}");
        }
    }

    /// A notebook as Jupyter writes it (nbformat 4, one-space indents):
    /// code, a stream with tqdm's frames, a result, an error.
    const NOTEBOOK: &str = r##"{
 "cells": [
  {
   "cell_type": "markdown",
   "metadata": {},
   "source": [
    "# text: not output\n"
   ]
  },
  {
   "cell_type": "code",
   "execution_count": 3,
   "metadata": {"text": "a key of the metadata's"},
   "outputs": [
    {
     "name": "stderr",
     "output_type": "stream",
     "text": [
      "\r  0%|          | 0/3 [00:00<?, ?it/s]\r 33%|███▎      | 1/3 [00:01<00:02,  1.00it/s]",
      "\r100%|██████████| 3/3 [00:03<00:00,  1.00it/s]\n"
     ]
    },
    {
     "data": {
      "text/html": ["<b>read</b> <i>as text</i>"],
      "text/plain": [
       "TrainOutput(global_step=3, training_loss=1.5,",
       " metrics={})"
      ]
     },
     "execution_count": 3,
     "metadata": {},
     "output_type": "execute_result"
    },
    {
     "data": {"text/html": "<p>one string</p>", "text/plain": ["a line\n"]},
     "execution_count": 3,
     "metadata": {},
     "output_type": "execute_result"
    },
    {
     "ename": "OutOfMemoryError",
     "evalue": "CUDA out of memory.",
     "output_type": "error",
     "traceback": [
      "\u001b[0;31m----\u001b[0m",
      "\u001b[0;31mOutOfMemoryError\u001b[0m: CUDA out of \"memory\"."
     ]
    }
   ],
   "source": [
    "print(\"text\")\n",
    "trainer.train()"
   ]
  }
 ],
 "metadata": {},
 "nbformat": 4,
 "nbformat_minor": 5
}
"##;

    #[test]
    fn notebook_outputs_are_read_whole_and_in_pieces() {
        let expected = "\r  0%|          | 0/3 [00:00<?, ?it/s]\r 33%|███▎      | 1/3 [00:01<00:02,  1.00it/s]\
                        \r100%|██████████| 3/3 [00:03<00:00,  1.00it/s]\n\
                        read as text\n\
                        TrainOutput(global_step=3, training_loss=1.5, metrics={})\n\
                        one string\n\
                        a line\n\
                        \u{1b}[0;31m----\u{1b}[0m\n\
                        \u{1b}[0;31mOutOfMemoryError\u{1b}[0m: CUDA out of \"memory\".\n";
        let bytes = NOTEBOOK.as_bytes();
        let whole = read_cut_anywhere(bytes, NotebookOutputs::extract);
        assert_eq!(String::from_utf8_lossy(&whole), expected);
    }

    proptest::proptest! {
        /// Any bytes after a notebook's head (a damaged or cut file): no
        /// panic, and the same text however the reads are cut.
        #[test]
        fn notebook_reading_is_total_and_cut_invariant(
            tail in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::sample::select(b"{}[]:,\"\\u0dD8t ".to_vec()),
                    proptest::prelude::any::<u8>(),
                ],
                0..300,
            ),
            cut in 0usize..400,
        ) {
            let mut bytes = b"{\n \"cells\": [{\"outputs\": [{\"text\": [\"".to_vec();
            bytes.extend_from_slice(&tail);
            let mut whole = Vec::new();
            NotebookOutputs::default().extract(&bytes, &mut whole);
            let cut = cut.min(bytes.len());
            let mut n = NotebookOutputs::default();
            let (mut first, mut second) = (Vec::new(), Vec::new());
            n.extract(&bytes[..cut], &mut first);
            n.extract(&bytes[cut..], &mut second);
            proptest::prop_assert_eq!([first, second].concat(), whole);
        }
    }

    #[test]
    fn html_reads_as_the_page_shows_it() {
        let page = "<div>\n  <progress value='3' max='129'></progress>\n  \
                    [ 3/129 01:55 < 4:02:20, 0.01 it/s, Epoch 0.02/1]\n</div>\
                    <style scoped>\n .dataframe tbody tr th { vertical-align: top; }\n</style>\
                    <table>\n <tr style=\"text-align: left;\">\n  <th>Step</th>\n  <th>Training Loss</th>\n </tr>\
                    \n <tr>\n  <td>1</td>\n  <td>2.5&#x27;</td>\n </tr>\n</table>a <b>b</b> <";
        let mut html = HtmlText::default();
        let mut out = Vec::new();
        for &b in page.as_bytes() {
            html.byte(b, &mut out);
        }
        html.end(&mut out);
        out.push(b'\n');
        assert_eq!(
            String::from_utf8_lossy(&out),
            "\n  \n  [ 3/129 01:55 < 4:02:20, 0.01 it/s, Epoch 0.02/1]\n\n\n    \
             Step\t   Training Loss\t  \n\n    1\t   2.5&#x27;\t  \n\n\na b <\n"
        );
    }

    #[test]
    fn notebook_heads() {
        assert_eq!(notebook_head(b"{\n \"cells\": ["), Some(true));
        assert_eq!(notebook_head(b"{\"cells\":[]}"), Some(true));
        assert_eq!(notebook_head(b"{\n \"cel"), Some(false));
        assert_eq!(notebook_head(b"{"), Some(false));
        assert_eq!(notebook_head(b"{ \n\t"), Some(false));
        // JSON lines of metrics, a dict: not notebooks.
        assert_eq!(notebook_head(b"{\"loss\": 2.5}"), None);
        assert_eq!(notebook_head(b"{'loss': 2.5}"), None);
        assert_eq!(notebook_head(b"step 1"), None);
        assert_eq!(notebook_head(b""), None);
    }
}
