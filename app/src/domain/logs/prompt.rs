//! Interactive prompts a job waits at: a rented GPU's job has no one at
//! its terminal, so a log that ends at one (W&B asking how to log in, a
//! `breakpoint()` left in the code, `apt` asking for a yes) will never
//! move again, and the instance bills for nothing. The prompt is the
//! run's fatal error for as long as it is the log's last line.
//!
//! A prompt has no newline after it (the program waits on the same line),
//! so a live log holds it as its unfinished line: the analyzer reads that
//! line for a prompt too (see [`super::LogAnalyzer::finish_live`]).

use super::errors::ErrorClass::{self, Dependency, Runtime};

/// What a prompt waits for, and how to avoid it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Prompt {
    pub(crate) class: ErrorClass,
    pub(crate) label: &'static str,
}

/// Whether `line` may end with a prompt: a cheap test on its last bytes
/// (every prompt ends with one of these, and a space or two at most),
/// for every line the analyzer reads.
#[inline]
pub(crate) fn may_be_prompt(line: &[u8]) -> bool {
    let end = |i: usize| line.len().checked_sub(i).map(|j| line[j]);
    let last = match end(1) {
        Some(b' ' | b'\t') => match end(2) {
            Some(b' ' | b'\t') => end(3),
            c => c,
        },
        c => c,
    };
    matches!(last, Some(b':' | b']' | b'?' | b')' | b'>'))
}

/// The prompt `line` ends with, if any (its trailing spaces, which most
/// prompts leave for the answer, trimmed).
pub(crate) fn input_prompt(line: &[u8]) -> Option<Prompt> {
    if !may_be_prompt(line) {
        return None;
    }
    let t = line.trim_ascii();
    let p = |class, label| Some(Prompt { class, label });
    // (By the last byte: one or two tests a line.)
    match t.last() {
        Some(b':') => {
            if t.ends_with(b"Enter your choice:") && t.starts_with(b"wandb:") {
                return p(
                    Dependency,
                    "W&B waits at its login prompt (set WANDB_API_KEY, or WANDB_MODE=offline)",
                );
            }
            if t.ends_with(b"Enter your token (input will not be visible):") {
                return p(
                    Dependency,
                    "huggingface-cli login waits for a token (set HF_TOKEN instead)",
                );
            }
            if t.starts_with(b"Username for 'http") && t.ends_with(b"':") {
                return p(
                    Dependency,
                    "git waits for a username (a private repository over https: use a token in the URL, or SSH)",
                );
            }
            if t.starts_with(b"[sudo] password for ") {
                return p(Dependency, "sudo waits for a password");
            }
        }
        Some(b']') => {
            if t.ends_with(b"Do you wish to run the custom code? [y/N]") {
                return p(
                    Dependency,
                    "transformers waits to be allowed to run the model's own code (pass trust_remote_code=True)",
                );
            }
            if t.ends_with(b"Do you want to continue? [Y/n]") {
                return p(Dependency, "apt waits for a yes (use apt-get install -y)");
            }
        }
        Some(b')' | b'>') if t == b"(Pdb)" || t == b"ipdb>" => {
            return p(
                Runtime,
                "a debugger waits at its prompt (a breakpoint() left in the code?)",
            );
        }
        Some(b'?') if t.ends_with(b"Proceed ([y]/n)?") || t.ends_with(b"Proceed (Y/n)?") => {
            return p(Dependency, "pip or conda waits for a yes (pass -y)");
        }
        _ => {}
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompts_are_named_and_their_look_alikes_are_not() {
        for (line, class) in [
            (&b"wandb: Enter your choice: "[..], Dependency),
            (b"Do you wish to run the custom code? [y/N] ", Dependency),
            (b"(Pdb) ", Runtime),
            (b"ipdb> ", Runtime),
            (b"Do you want to continue? [Y/n] ", Dependency),
            (b"Proceed ([y]/n)? ", Dependency),
            (b"  Proceed (Y/n)? ", Dependency),
            (
                b"Enter your token (input will not be visible): ",
                Dependency,
            ),
            (b"Username for 'https://github.com': ", Dependency),
            (b"[sudo] password for root: ", Dependency),
        ] {
            assert_eq!(
                input_prompt(line).map(|p| p.class),
                Some(class),
                "{}",
                String::from_utf8_lossy(line)
            );
        }
        for line in [
            &b"Traceback (most recent call last):"[..],
            b"wandb: (1) Create a W&B account",
            b"(Pdb) p loss",
            b"Proceed (Y/n)? y",
            b"Epoch 1/10",
            b"",
            b"  ",
            b"wandb: Enter your choice:    ",
        ] {
            assert_eq!(
                input_prompt(line),
                None,
                "{}",
                String::from_utf8_lossy(line)
            );
        }
    }
}
