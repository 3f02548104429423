//! `vastai search offers` query language, identical to the official CLI (vastai 1.9.1).
//!
//! * [`Query::parse`] turns `gpu_ram>=24 num_gpus=1 gpu_name=RTX_4090` into [`Term`]s (the
//!   form on the Offers page edits them with [`Query::set_field`] and shows [`Query::render`]).
//! * [`build_search_body`] gives exactly the JSON object the real CLI POSTs to
//!   `/api/v0/bundles/` (same keys, value types and string coercions), and
//!   [`build_search_request`] also the method/path (`--new` uses `PUT /api/v0/search/asks/`)
//!   and the exact bytes ([`SearchRequest::body_text`]).
//! * [`SearchOptions::from_args`] reads the CLI's flags (`-o`, `-t/-b/-i/-r/-d`, `-n`, `--new`,
//!   `--limit`, `--storage`).
//!
//! Proof: `testdata/corpus.tsv` (queries + flags) and `testdata/cli_bodies.json` (what the real
//! CLI sent for each, captured on loopback by `scripts/vastai-query-diff.sh --write-fixture`);
//! the unit tests assert identical bodies — as JSON and byte for byte — and an error wherever the
//! CLI refused, with the CLI's own message where it printed one.

mod ast;
mod error;
pub mod fields;
mod pyfmt;

#[cfg(test)]
mod tests;

pub use ast::{Op, Query, Term, Value};
pub use error::{QueryError, QueryErrorKind};
pub use pyfmt::Json;

/// Pricing type sent as `"type"`.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum OfferType {
    /// `on-demand` (CLI default).
    OnDemand,
    /// `bid` — interruptible (`-b`, `-i`, `--type interruptible`).
    Bid,
    /// `reserved` (`-r`).
    Reserved,
    /// Any other string: the CLI passes it through unchanged.
    Other(String),
}

impl OfferType {
    /// From the `--type` value, as the CLI maps it (`interruptible` → `bid`).
    pub fn from_cli(s: &str) -> OfferType {
        match s {
            "on-demand" => OfferType::OnDemand,
            "bid" | "interruptible" => OfferType::Bid,
            "reserved" => OfferType::Reserved,
            other => OfferType::Other(other.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            OfferType::OnDemand => "on-demand",
            OfferType::Bid => "bid",
            OfferType::Reserved => "reserved",
            OfferType::Other(s) => s,
        }
    }
}

/// Sort direction of one `-o` key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Direction {
    Asc,
    Desc,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Asc => "asc",
            Direction::Desc => "desc",
        }
    }
}

/// The flags of `vastai search offers` besides the query.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SearchOptions {
    /// `-n/--no-default`: do not start from `verified=true external=false rentable=true`.
    pub no_default: bool,
    /// `-t/--type`, `-b`, `-i`, `-r`, `-d`.
    pub offer_type: OfferType,
    /// `-o/--order` as typed: comma list, `-` (prefix or suffix) = descending. Default `score-`.
    pub order: String,
    /// `--limit N`; `None` or `Some(0)` → no `limit` key (the CLI drops a zero limit).
    pub limit: Option<i64>,
    /// `--storage GB` → `allocated_storage` (default 5.0).
    pub storage_gb: f64,
    /// `--new`: `PUT /api/v0/search/asks/` with `{"select_cols": ["*"], "q": ...}`.
    pub new_endpoint: bool,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            no_default: false,
            offer_type: OfferType::OnDemand,
            order: "score-".to_string(),
            limit: None,
            storage_gb: 5.0,
            new_endpoint: false,
        }
    }
}

/// What the CLI would send.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchRequest {
    /// `POST` (or `PUT` with `--new`).
    pub method: &'static str,
    /// `/api/v0/bundles/` (or `/api/v0/search/asks/`).
    pub path: &'static str,
    /// The body with the CLI's key order.
    pub body: Json,
}

impl SearchRequest {
    /// The body as `serde_json::Value`.
    pub fn body_value(&self) -> serde_json::Value {
        self.body.to_value()
    }

    /// The exact bytes the CLI sends (Python `json.dumps` rendering).
    pub fn body_text(&self) -> String {
        self.body.dumps()
    }
}

/// `-o` text → `[[field, "asc"|"desc"], ...]`, exactly as the CLI reads it: items split on `,`
/// and trimmed, empties skipped; any `-` at either end → descending with `-`s trimmed; then any
/// `+` at either end → ascending with `+`s trimmed from the ORIGINAL item (so `+x-` is `x-` asc);
/// aliases applied.
pub fn parse_order(order: &str) -> Vec<(String, Direction)> {
    let mut out = Vec::new();
    for item in order.split(',') {
        let name =
            item.trim_matches(|c: char| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c));
        if name.is_empty() {
            continue;
        }
        let mut dir = Direction::Asc;
        let mut field = name;
        if name.trim_matches('-') != name {
            dir = Direction::Desc;
            field = name.trim_matches('-');
        }
        if name.trim_matches('+') != name {
            dir = Direction::Asc;
            field = name.trim_matches('+');
        }
        out.push((fields::canonical_field(field).to_string(), dir));
    }
    out
}

/// Render an order list back to `-o` text (`dph_total,score-`).
pub fn render_order(order: &[(String, Direction)]) -> String {
    order
        .iter()
        .map(|(f, d)| match d {
            Direction::Asc => f.clone(),
            Direction::Desc => format!("{f}-"),
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// The JSON body the real CLI sends for `vastai search offers '<query>' <opts>`.
pub fn build_search_body(
    query: &str,
    opts: &SearchOptions,
) -> Result<serde_json::Value, QueryError> {
    build_search_request(query, opts).map(|r| r.body_value())
}

/// Method, path and ordered body the real CLI sends.
pub fn build_search_request(
    query: &str,
    opts: &SearchOptions,
) -> Result<SearchRequest, QueryError> {
    let parsed = Query::parse(query)?;
    build_search_request_for(&parsed, opts)
}

/// Same as [`build_search_request`] for an already parsed (possibly edited) query.
pub fn build_search_request_for(
    query: &Query,
    opts: &SearchOptions,
) -> Result<SearchRequest, QueryError> {
    let mut body = query.filters(opts.no_default)?;
    let order = parse_order(&opts.order)
        .into_iter()
        .map(|(f, d)| Json::List(vec![Json::Str(f), Json::Str(d.as_str().to_string())]))
        .collect();
    Json::obj_set(&mut body, "order", Json::List(order));
    Json::obj_set(
        &mut body,
        "type",
        Json::Str(opts.offer_type.as_str().to_string()),
    );
    if let Some(limit) = opts.limit.filter(|l| *l != 0) {
        Json::obj_set(&mut body, "limit", Json::Int(limit));
    }
    if !opts.storage_gb.is_finite() {
        return Err(QueryError::new(
            QueryErrorKind::BadOption {
                option: "--storage".into(),
                problem: "must be a finite number".into(),
            },
            0,
        ));
    }
    Json::obj_set(&mut body, "allocated_storage", Json::Float(opts.storage_gb));
    Ok(if opts.new_endpoint {
        SearchRequest {
            method: "PUT",
            path: "/api/v0/search/asks/",
            body: Json::Obj(vec![
                (
                    "select_cols".to_string(),
                    Json::List(vec![Json::Str("*".to_string())]),
                ),
                ("q".to_string(), Json::Obj(body)),
            ]),
        }
    } else {
        SearchRequest {
            method: "POST",
            path: "/api/v0/bundles/",
            body: Json::Obj(body),
        }
    })
}

/// Parse `search offers` arguments as the CLI does: positional words are the query (joined with
/// spaces; they must be one contiguous run, as with argparse); flags `-t/--type X`, `-i/--interruptible`, `-b/--bid`, `-r/--reserved`,
/// `-d/--on-demand`, `-n/--no-default`, `--new`, `--limit N`, `--storage GB`, `-o/--order X`
/// (also `--opt=X`, `-oX`, unambiguous long prefixes, bundled short switches like `-nb`).
/// Returns the query text and the options.
pub fn parse_search_args(args: &[&str]) -> Result<(String, SearchOptions), QueryError> {
    const LONG: &[&str] = &[
        "--type",
        "--interruptible",
        "--bid",
        "--reserved",
        "--on-demand",
        "--no-default",
        "--new",
        "--limit",
        "--storage",
        "--order",
        // Global options: accepted (they do not change the body) so that abbreviations are
        // ambiguous exactly where argparse says so (`--re` = --reserved or --retry).
        "--url",
        "--retry",
        "--explain",
        "--raw",
        "--full",
        "--curl",
        "--api-key",
        "--no-color",
    ];
    // argparse: a word starting with '-' is an option unless it looks like a negative number.
    let negative_number = |v: &str| {
        let Some(rest) = v.strip_prefix('-') else {
            return false;
        };
        let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        match rest.split_once('.') {
            None => !rest.is_empty() && digits(rest),
            Some((a, b)) => digits(a) && !b.is_empty() && digits(b),
        }
    };
    let bad = |option: &str, problem: &str| {
        QueryError::new(
            QueryErrorKind::BadOption {
                option: option.to_string(),
                problem: problem.to_string(),
            },
            0,
        )
    };
    let mut opts = SearchOptions::default();
    let mut words: Vec<String> = Vec::new();
    let mut queue: std::collections::VecDeque<String> =
        args.iter().map(|a| a.to_string()).collect();
    let mut only_positional = false;
    // argparse takes the query words as ONE run; words after an option that followed them are
    // "unrecognized arguments".
    let mut run_closed = false;
    while let Some(a) = queue.pop_front() {
        if only_positional || a == "-" || !a.starts_with('-') || negative_number(&a) {
            if run_closed {
                return Err(bad(
                    &a,
                    "unrecognized argument (the query must be one run of words)",
                ));
            }
            words.push(a);
            continue;
        }
        if a == "--" {
            only_positional = true;
            continue;
        }
        if !words.is_empty() {
            run_closed = true;
        }
        // Split into option name and an attached value.
        let (name, attached): (String, Option<String>) = if let Some(long) = a.strip_prefix("--") {
            let (n, v) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            let full = format!("--{n}");
            let matches: Vec<&&str> = LONG.iter().filter(|l| l.starts_with(&full)).collect();
            let exact = LONG.iter().find(|l| **l == full);
            match (exact, matches.as_slice()) {
                (Some(e), _) => (e.to_string(), v),
                (None, [one]) => (one.to_string(), v),
                (None, []) => return Err(bad(&full, "unrecognized option")),
                (None, _) => return Err(bad(&full, "ambiguous option")),
            }
        } else {
            let mut cs = a[1..].chars();
            let c = cs.next().unwrap_or(' ');
            let rest: String = cs.collect();
            let long = match c {
                't' => "--type",
                'i' => "--interruptible",
                'b' => "--bid",
                'r' => "--reserved",
                'd' => "--on-demand",
                'n' => "--no-default",
                'o' => "--order",
                _ => return Err(bad(&a, "unrecognized option")),
            };
            if matches!(c, 't' | 'o') || rest.is_empty() {
                (long.to_string(), (!rest.is_empty()).then_some(rest))
            } else {
                // Bundled switches: `-nb` = `-n -b` (a value-taking letter takes the rest).
                queue.push_front(format!("-{rest}"));
                queue.push_front(format!("-{c}"));
                continue;
            }
        };
        let needs_value = matches!(
            name.as_str(),
            "--type" | "--limit" | "--storage" | "--order" | "--url" | "--retry" | "--api-key"
        );
        let value = if needs_value {
            match attached {
                Some(v) => v,
                None => match queue.front() {
                    Some(v) if !v.starts_with('-') || v == "-" || negative_number(v) => {
                        queue.pop_front().unwrap_or_default()
                    }
                    _ => return Err(bad(&name, "expected one argument")),
                },
            }
        } else {
            if attached.is_some() {
                return Err(bad(&name, "ignored explicit argument"));
            }
            String::new()
        };
        match name.as_str() {
            "--type" => opts.offer_type = OfferType::from_cli(&value),
            "--interruptible" | "--bid" => opts.offer_type = OfferType::Bid,
            "--reserved" => opts.offer_type = OfferType::Reserved,
            "--on-demand" => opts.offer_type = OfferType::OnDemand,
            "--no-default" => opts.no_default = true,
            "--new" => opts.new_endpoint = true,
            "--order" => opts.order = value,
            "--limit" => {
                let n = pyfmt::py_int(&value)
                    .and_then(|n| i64::try_from(n).ok())
                    .ok_or_else(|| bad("--limit", &format!("invalid int value: '{value}'")))?;
                opts.limit = Some(n);
            }
            "--url" | "--retry" | "--explain" | "--raw" | "--full" | "--curl" | "--api-key"
            | "--no-color" => {}
            "--storage" => {
                let x = pyfmt::py_float(&value)
                    .ok_or_else(|| bad("--storage", &format!("invalid float value: '{value}'")))?;
                opts.storage_gb = x;
            }
            _ => return Err(bad(&name, "unrecognized option")),
        }
    }
    Ok((words.join(" "), opts))
}

/// `parse_search_args` then [`build_search_request`]: what `canopy offers search ... --explain`
/// prints.
pub fn build_search_request_from_args(args: &[&str]) -> Result<SearchRequest, QueryError> {
    let (query, opts) = parse_search_args(args)?;
    build_search_request(&query, &opts)
}
