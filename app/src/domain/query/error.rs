//! Query errors as values: what went wrong, where (character column), and — where the real CLI
//! refuses the same input with a message — that message, word for word.

use std::fmt;

/// A query or option the CLI would refuse (or crash on). `pos` is a 0-based character offset into
/// the query string as given (before trimming); `Display` shows it 1-based as "at N".
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct QueryError {
    pub kind: QueryErrorKind,
    /// 0-based character offset in the query text (0 for option errors).
    pub pos: usize,
    /// The CLI's own message for this input (`Error:  <msg>`), when it prints one.
    /// `None` where the CLI crashes with a traceback instead.
    pub cli_message: Option<String>,
}

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum QueryErrorKind {
    /// Characters the grammar cannot consume (e.g. `&`, a lone `[`).
    UnconsumedText { text: String },
    /// Missing or unknown operator (`=>`, `<>`, `!`, or none at all).
    UnknownOperator { field: String, op: String },
    /// Empty value (`num_gpus=`, `in []`), or a driver version that encodes to nothing.
    BlankValue { field: String },
    /// `any`/`*`/`?` with an operator other than `=`.
    WildcardNeedsEquals { field: String },
    /// A unit-converted field (gpu_ram, cpu_ram, gpu_total_ram, duration) given a non-number.
    NotANumber { field: String, value: String },
    /// A unit-converted field used with `in`/`notin` (the CLI crashes: TypeError).
    ListOnUnitField { field: String },
    /// `driver_version in [...]` with dotted versions (the CLI crashes: AttributeError).
    DriverVersionList,
    /// A number that overflows to infinity/NaN (the CLI crashes when encoding JSON).
    NonFinite { field: String },
    /// A driver version too large to encode.
    DriverVersionTooLarge { value: String },
    /// A bad command-line option (`--limit x`, unknown flag, missing argument).
    BadOption { option: String, problem: String },
}

impl QueryError {
    pub(crate) fn new(kind: QueryErrorKind, pos: usize) -> Self {
        QueryError {
            kind,
            pos,
            cli_message: None,
        }
    }

    pub(crate) fn with_cli(mut self, msg: String) -> Self {
        self.cli_message = Some(msg);
        self
    }

    /// Short machine-readable name of the kind (stable, for UI/telemetry).
    pub fn code(&self) -> &'static str {
        match self.kind {
            QueryErrorKind::UnconsumedText { .. } => "unconsumed_text",
            QueryErrorKind::UnknownOperator { .. } => "unknown_operator",
            QueryErrorKind::BlankValue { .. } => "blank_value",
            QueryErrorKind::WildcardNeedsEquals { .. } => "wildcard_needs_equals",
            QueryErrorKind::NotANumber { .. } => "not_a_number",
            QueryErrorKind::ListOnUnitField { .. } => "list_on_unit_field",
            QueryErrorKind::DriverVersionList => "driver_version_list",
            QueryErrorKind::NonFinite { .. } => "non_finite",
            QueryErrorKind::DriverVersionTooLarge { .. } => "driver_version_too_large",
            QueryErrorKind::BadOption { .. } => "bad_option",
        }
    }
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = self.pos + 1;
        match &self.kind {
            QueryErrorKind::UnconsumedText { text } => {
                write!(
                    f,
                    "unexpected text '{text}' at {at} (did you forget to quote the query?)"
                )
            }
            QueryErrorKind::UnknownOperator { field, op } if op.is_empty() => {
                write!(f, "missing operator after '{field}' at {at}")
            }
            QueryErrorKind::UnknownOperator { op, .. } => {
                write!(f, "unknown operator '{op}' at {at}")
            }
            QueryErrorKind::BlankValue { field } => write!(f, "empty value for '{field}' at {at}"),
            QueryErrorKind::WildcardNeedsEquals { field } => {
                write!(f, "'{field}': any/*/? only works with '=' (at {at})")
            }
            QueryErrorKind::NotANumber { field, value } => {
                write!(f, "'{field}' needs a number, got '{value}' at {at}")
            }
            QueryErrorKind::ListOnUnitField { field } => {
                write!(f, "'{field}' cannot take a list (in/notin) at {at}")
            }
            QueryErrorKind::DriverVersionList => {
                write!(
                    f,
                    "driver_version cannot take a list of dotted versions at {at}"
                )
            }
            QueryErrorKind::NonFinite { field } => {
                write!(f, "'{field}': number out of range at {at}")
            }
            QueryErrorKind::DriverVersionTooLarge { value } => {
                write!(f, "driver version '{value}' is too large at {at}")
            }
            QueryErrorKind::BadOption { option, problem } => {
                write!(f, "option {option}: {problem}")
            }
        }
    }
}

impl std::error::Error for QueryError {}
