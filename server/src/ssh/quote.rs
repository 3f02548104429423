//! POSIX shell quoting. Every value that is not Canopy's own constant text
//! (paths, user commands, scenario names) reaches a remote shell only
//! through [`shell_quote`], so no value can end a word or start a command.

/// Quote `s` as ONE word for any POSIX shell (sh, dash, bash, zsh in sh
/// mode). Single quotes stop every expansion; the only character they cannot
/// hold is `'` itself, which is written as `'\''` (close, escaped quote,
/// reopen). The empty string becomes `''` so it still counts as a word.
///
/// NUL cannot appear in a shell word or an exec argument at all, so it is
/// dropped rather than silently truncating the command at the remote end.
pub fn shell_quote(s: &str) -> String {
    let safe = !s.is_empty()
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'_' | b'-' | b'.' | b'/' | b',' | b':' | b'+' | b'@' | b'%'
                )
        });
    // `=` is not in the safe set: `A=b` as a first word is an assignment, not
    // a command. `~` is not either: it would expand to a home directory.
    if safe {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        match c {
            '\'' => out.push_str("'\\''"),
            '\0' => {}
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// Quote each word and join with spaces (an argv for a remote command line).
pub fn shell_join<S: AsRef<str>>(words: &[S]) -> String {
    words
        .iter()
        .map(|w| shell_quote(w.as_ref()))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Run `printf '%s\n' <quoted>` through a real shell and read the word back.
    fn round_trip(shell: &str, s: &str) -> String {
        let script = format!("printf '%s' {}", shell_quote(s));
        let out = std::process::Command::new(shell)
            .arg("-c")
            .arg(&script)
            .output()
            .unwrap_or_else(|e| panic!("{shell}: {e}"));
        assert!(out.status.success(), "{shell} failed on {script:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    const HOSTILE: &[&str] = &[
        "",
        " ",
        "plain",
        "two words",
        "it's",
        "'",
        "''",
        "\\'",
        "$(touch /tmp/canopy-quote-pwned)",
        "`touch /tmp/canopy-quote-pwned`",
        "; touch /tmp/canopy-quote-pwned",
        "a && touch /tmp/canopy-quote-pwned",
        "x | touch /tmp/canopy-quote-pwned",
        "$HOME ${PATH} $$ $? $1",
        "~/log.txt",
        "*",
        "glob?[a-z]",
        "new\nline",
        "tab\there",
        "-n",
        "--rm -rf /",
        "ünïcødé ✓",
        "\"double\" quotes",
        "back\\slash",
        "!history",
        "{a,b}",
        "#comment",
        "a>b<c",
        "\r\x1b[31mansi",
    ];

    #[test]
    fn quoting_round_trips_through_real_shells() {
        for shell in ["/bin/sh", "/bin/bash"] {
            if !std::path::Path::new(shell).exists() {
                continue;
            }
            for s in HOSTILE {
                assert_eq!(round_trip(shell, s), *s, "{shell}: {s:?}");
            }
        }
        assert!(
            !std::path::Path::new("/tmp/canopy-quote-pwned").exists(),
            "a quoted value executed"
        );
    }

    #[test]
    fn quoting_shapes() {
        assert_eq!(shell_quote(""), "''");
        assert_eq!(shell_quote("train.log"), "train.log");
        assert_eq!(
            shell_quote("/workspace/out-1/log.txt"),
            "/workspace/out-1/log.txt"
        );
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("~"), "'~'");
        assert_eq!(shell_quote("A=b"), "'A=b'");
        assert_eq!(shell_quote("nul\0byte"), "'nulbyte'");
        assert_eq!(shell_join(&["echo", "a b", "$x"]), "echo 'a b' '$x'");
    }

    #[test]
    fn joined_argv_is_one_word_per_item() {
        let words = ["printf", "%s|", "a b", "it's", "$(id)", ""];
        let out = std::process::Command::new("/bin/sh")
            .arg("-c")
            .arg(shell_join(&words))
            .output()
            .expect("sh runs");
        assert_eq!(String::from_utf8_lossy(&out.stdout), "a b|it's|$(id)||");
    }
}
