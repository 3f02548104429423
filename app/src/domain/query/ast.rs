//! The query mini-language of `vastai search offers` (1.9.1): tokenising, per-term checks in the
//! CLI's order (so the first error is the one the CLI reports), the parsed terms the Offers form
//! edits, and rendering back to a query string.
//!
//! Tokens follow the CLI's grammar exactly: a term is
//! `FIELD [OP] [VALUE]` where FIELD is `[A-Za-z0-9_]+`; OP is either a run of `=<>!` (spaces
//! allowed before it) or a word operator with spaces on both sides (`gt gte lt lte eq neq noteq
//! not eq nin notin not in in`); VALUE is `[...]` (at least one char inside), `"..."` (non-empty)
//! or a run of non-space characters; spaces may follow each part. Any character not covered by a
//! term is "unconsumed text".

use super::error::{QueryError, QueryErrorKind};
use super::fields::{canonical_field, is_known_field, multiplier};
use super::pyfmt::{Json, py_float, py_int, str_repr, zfill};

/// Comparison operators (API names `eq neq gt gte lt lte in notin`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Op {
    Eq,
    Neq,
    Gt,
    Gte,
    Lt,
    Lte,
    In,
    NotIn,
}

impl Op {
    /// Operator spellings the CLI accepts (after trimming spaces).
    pub fn from_cli(s: &str) -> Option<Op> {
        Some(match s {
            "=" | "==" | "eq" => Op::Eq,
            "!=" | "neq" | "noteq" | "not eq" => Op::Neq,
            ">" | "gt" => Op::Gt,
            ">=" | "gte" => Op::Gte,
            "<" | "lt" => Op::Lt,
            "<=" | "lte" => Op::Lte,
            "in" => Op::In,
            "notin" | "not in" | "nin" => Op::NotIn,
            _ => return None,
        })
    }

    /// The key used in the API's operator object.
    pub fn api_name(self) -> &'static str {
        match self {
            Op::Eq => "eq",
            Op::Neq => "neq",
            Op::Gt => "gt",
            Op::Gte => "gte",
            Op::Lt => "lt",
            Op::Lte => "lte",
            Op::In => "in",
            Op::NotIn => "notin",
        }
    }

    /// How `render` writes the operator (word operators carry their spaces).
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Neq => "!=",
            Op::Gt => ">",
            Op::Gte => ">=",
            Op::Lt => "<",
            Op::Lte => "<=",
            Op::In => " in ",
            Op::NotIn => " notin ",
        }
    }

    pub fn is_list(self) -> bool {
        matches!(self, Op::In | Op::NotIn)
    }
}

/// A term's value after the CLI's text processing (`_` → space, surrounding `"` removed).
/// Its JSON type is decided by the field when the body is built (see [`Term::json_value`]).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Value {
    /// `any`, `*` or `?` with `=`: drop the field, including a default filter.
    Any,
    /// A single value as text: `"1"`, `"RTX 4090"`, `"true"`, `"24"` (gpu_ram, in GB).
    Text(String),
    /// `in` / `notin` items.
    List(Vec<String>),
    /// A dotted driver version, encoded the CLI's way (`535.86.05` → 535086005).
    Driver(i64),
}

impl Value {
    pub fn text(s: impl Into<String>) -> Value {
        Value::Text(s.into())
    }

    pub fn list<I: IntoIterator<Item = S>, S: Into<String>>(items: I) -> Value {
        Value::List(items.into_iter().map(Into::into).collect())
    }

    /// Encode `535.86.05` like the CLI (each part zero-padded to 3 digits, concatenated).
    pub fn driver(version: &str) -> Option<Value> {
        match numeric_version(version) {
            Some(n) if n > 0 => i64::try_from(n).ok().map(Value::Driver),
            _ => None,
        }
    }
}

/// One `field op value` comparison.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Term {
    /// The field as written (an alias such as `dph` stays `dph`; see [`Term::canonical_field`]).
    pub field: String,
    pub op: Op,
    pub value: Value,
    /// 0-based character offsets in the source text: term start, operator, value.
    /// All 0 for terms added by editing.
    pub pos: usize,
    pub op_pos: usize,
    pub value_pos: usize,
}

impl Term {
    pub fn new(field: impl Into<String>, op: Op, value: Value) -> Term {
        Term {
            field: field.into(),
            op,
            value,
            pos: 0,
            op_pos: 0,
            value_pos: 0,
        }
    }

    /// The API field name (aliases resolved: `dph` → `dph_total`).
    pub fn canonical_field(&self) -> &str {
        canonical_field(&self.field)
    }

    /// The JSON the CLI puts under `field.op`, or `None` for a wildcard (the field is removed).
    /// Unit fields become floats (×1000 for RAM, ×86400 for duration), `true/True/false/False`
    /// booleans, `None/null` null, dotted driver versions ints, everything else strings.
    pub fn json_value(&self) -> Result<Option<Json>, QueryErrorKind> {
        let field = self.canonical_field();
        // Terms built by editing may pair a list with `=` or a single text with `in`; treat them
        // as their rendering would parse back (`f=[a,b]` → text "a,b"; `f in [a]` → list).
        let value = match (&self.value, self.op.is_list()) {
            (Value::List(items), false) => Value::Text(items.join(",")),
            (Value::Text(t), true) => Value::List(vec![t.clone()]),
            (v, _) => v.clone(),
        };
        match &value {
            Value::Any => Ok(None),
            Value::Driver(n) => Ok(Some(Json::Int(*n))),
            Value::List(items) => {
                if multiplier(field).is_some() {
                    return Err(QueryErrorKind::ListOnUnitField {
                        field: field.to_string(),
                    });
                }
                Ok(Some(Json::List(
                    items.iter().map(|s| Json::Str(s.clone())).collect(),
                )))
            }
            Value::Text(t) => {
                if let Some(m) = multiplier(field) {
                    let x = py_float(t).ok_or_else(|| QueryErrorKind::NotANumber {
                        field: field.to_string(),
                        value: t.clone(),
                    })?;
                    let y = x * m;
                    if !y.is_finite() {
                        return Err(QueryErrorKind::NonFinite {
                            field: field.to_string(),
                        });
                    }
                    return Ok(Some(Json::Float(y)));
                }
                Ok(Some(match t.as_str() {
                    "true" | "True" => Json::Bool(true),
                    "false" | "False" => Json::Bool(false),
                    "None" | "null" => Json::Null,
                    _ => Json::Str(t.clone()),
                }))
            }
        }
    }

    /// The term as query text that parses back to the same term.
    pub fn render(&self) -> String {
        let mut out = self.field.clone();
        out.push_str(self.op.symbol());
        match &self.value {
            Value::Any => out.push_str("any"),
            Value::Driver(n) => {
                let n = *n;
                if n >= 0 {
                    out.push_str(&format!(
                        "{}.{}.{}",
                        n / 1_000_000,
                        (n / 1000) % 1000,
                        n % 1000
                    ));
                } else {
                    out.push_str(&n.to_string());
                }
            }
            Value::Text(t) if self.op.is_list() => {
                out.push_str(&render_list(std::slice::from_ref(t)))
            }
            Value::Text(t) => out.push_str(&render_scalar(t)),
            Value::List(items) => out.push_str(&render_list(items)),
        }
        out
    }
}

fn needs_quotes(t: &str) -> bool {
    t.is_empty()
        || matches!(t, "any" | "?" | "*")
        || t.starts_with([',', '[', ']', '"'])
        || t.ends_with([',', '[', ']', '"'])
}

fn render_scalar(t: &str) -> String {
    if needs_quotes(t) && !t.contains('"') {
        format!("\"{t}\"")
    } else {
        t.replace(' ', "_")
    }
}

fn render_list(items: &[String]) -> String {
    let parts: Vec<String> = items.iter().map(|i| i.replace(' ', "_")).collect();
    format!("[{}]", parts.join(","))
}

/// A parsed query: the terms in the order written.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Query {
    pub terms: Vec<Term>,
}

impl Query {
    /// Parse like `vastai search offers` does. The first error is the one the CLI reports
    /// (same check order), with the CLI's message in `cli_message`.
    pub fn parse(source: &str) -> Result<Query, QueryError> {
        let all: Vec<char> = source.chars().collect();
        let lead = all.iter().take_while(|c| is_py_space(**c)).count();
        let trail = all[lead..]
            .iter()
            .rev()
            .take_while(|c| is_py_space(**c))
            .count();
        let chars = &all[lead..all.len() - trail];

        // Tokenise with the CLI's findall semantics, then demand that the tokens cover everything.
        let mut raws = Vec::new();
        let mut p = 0;
        let mut first_gap: Option<usize> = None;
        while p < chars.len() {
            match match_term(chars, p) {
                Some(raw) => {
                    p = raw.end;
                    raws.push(raw);
                }
                None => {
                    first_gap.get_or_insert(p);
                    p += 1;
                }
            }
        }
        if let Some(gap) = first_gap {
            let joined: String = raws
                .iter()
                .flat_map(|r| chars[r.start..r.end].iter())
                .collect();
            let stripped: String = chars.iter().collect();
            let gap_end = raws
                .iter()
                .map(|r| r.start)
                .find(|s| *s > gap)
                .unwrap_or(chars.len());
            let text: String = chars[gap..gap_end].iter().collect();
            let msg = format!(
                "Unconsumed text. Did you forget to quote your query? {} != {}",
                str_repr(&joined),
                str_repr(&stripped)
            );
            return Err(QueryError::new(
                QueryErrorKind::UnconsumedText {
                    text: text.trim().to_string(),
                },
                lead + gap,
            )
            .with_cli(msg));
        }

        let mut terms = Vec::with_capacity(raws.len());
        for raw in &raws {
            terms.push(check_term(chars, raw, lead)?);
        }
        Ok(Query { terms })
    }

    /// Query text for these terms (space-separated), parseable back to the same terms.
    pub fn render(&self) -> String {
        self.terms
            .iter()
            .map(Term::render)
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Terms that constrain `field` (alias-aware: `dph` and `dph_total` are the same field).
    pub fn terms_for<'a>(&'a self, field: &'a str) -> impl Iterator<Item = &'a Term> + 'a {
        let want = canonical_field(field);
        self.terms
            .iter()
            .filter(move |t| t.canonical_field() == want)
    }

    /// Replace every term on `field` by `constraints` (in place of the first one, else at the
    /// end); an empty list removes the field's terms (a default filter then applies again —
    /// use `[(Op::Eq, Value::Any)]` to drop a default).
    pub fn set_field(&mut self, field: &str, constraints: Vec<(Op, Value)>) {
        let want = canonical_field(field).to_string();
        let at = self.terms.iter().position(|t| t.canonical_field() == want);
        self.terms.retain(|t| t.canonical_field() != want);
        let new: Vec<Term> = constraints
            .into_iter()
            .map(|(op, v)| Term::new(field, op, v))
            .collect();
        let at = at.unwrap_or(self.terms.len()).min(self.terms.len());
        self.terms.splice(at..at, new);
    }

    /// Remove every term on `field`.
    pub fn remove_field(&mut self, field: &str) {
        self.set_field(field, Vec::new());
    }

    /// Numeric range the form shows for `field`, in the user's units (GB for `gpu_ram`, days for
    /// `duration`): lower bound from `>`/`>=`/`=`, upper from `<`/`<=`/`=`; later terms win.
    /// Non-numeric values are ignored.
    pub fn bounds(&self, field: &str) -> (Option<f64>, Option<f64>) {
        let (mut lo, mut hi) = (None, None);
        for t in self.terms_for(field) {
            let x = match &t.value {
                Value::Text(s) => py_float(s),
                _ => None,
            };
            let Some(x) = x.filter(|x| x.is_finite()) else {
                continue;
            };
            match t.op {
                Op::Gt | Op::Gte => lo = Some(x),
                Op::Lt | Op::Lte => hi = Some(x),
                Op::Eq => {
                    lo = Some(x);
                    hi = Some(x);
                }
                _ => {}
            }
        }
        (lo, hi)
    }

    /// Constrain `field` to `min <= x <= max` (`None` = open end; both `None` removes the
    /// field's terms). Non-finite bounds are treated as open.
    pub fn set_bounds(&mut self, field: &str, min: Option<f64>, max: Option<f64>) {
        let num = |x: f64| Value::Text(format!("{x}"));
        let mut c = Vec::new();
        match (min.filter(|x| x.is_finite()), max.filter(|x| x.is_finite())) {
            (Some(a), Some(b)) if a == b => c.push((Op::Eq, num(a))),
            (a, b) => {
                if let Some(a) = a {
                    c.push((Op::Gte, num(a)));
                }
                if let Some(b) = b {
                    c.push((Op::Lte, num(b)));
                }
            }
        }
        self.set_field(field, c);
    }

    /// Accepted values of `field` from `=` / `in` terms (e.g. the GPU models picked).
    pub fn one_of(&self, field: &str) -> Vec<String> {
        let mut out = Vec::new();
        for t in self.terms_for(field) {
            match (&t.value, t.op) {
                (Value::Text(s), Op::Eq) => out = vec![s.clone()],
                (Value::List(items), Op::In) => out = items.clone(),
                _ => {}
            }
        }
        out
    }

    /// `field = item` for one item, `field in [items]` for several, nothing for none.
    pub fn set_one_of(&mut self, field: &str, items: &[&str]) {
        let items: Vec<String> = items
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        let c = match items.len() {
            0 => Vec::new(),
            1 => vec![(Op::Eq, Value::Text(items[0].clone()))],
            _ => vec![(Op::In, Value::List(items))],
        };
        self.set_field(field, c);
    }

    /// Fields the CLI would warn about ("Unrecognized field"), canonical names, in order.
    pub fn unknown_fields(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for t in &self.terms {
            let f = t.canonical_field();
            if !is_known_field(f) && !out.iter().any(|o| o == f) {
                out.push(f.to_string());
            }
        }
        out
    }

    /// The filter object the CLI builds: defaults (unless `no_default`), then each term merged
    /// in order (same field: operators accumulate, a repeated operator is overwritten; a wildcard
    /// removes the field). Insertion order as in the CLI.
    pub fn filters(&self, no_default: bool) -> Result<Vec<(String, Json)>, QueryError> {
        let mut res: Vec<(String, Vec<(String, Json)>)> = Vec::new();
        if !no_default {
            for (f, b) in super::fields::DEFAULT_QUERY {
                res.push((f.to_string(), vec![("eq".to_string(), Json::Bool(*b))]));
            }
        }
        for t in &self.terms {
            let field = t.canonical_field();
            let value = t
                .json_value()
                .map_err(|k| QueryError::new(k, t.value_pos))?;
            match value {
                None => res.retain(|(f, _)| f != field),
                Some(v) => {
                    let idx = match res.iter().position(|(f, _)| f == field) {
                        Some(i) => i,
                        None => {
                            res.push((field.to_string(), Vec::new()));
                            res.len() - 1
                        }
                    };
                    if let Some((_, ops)) = res.get_mut(idx) {
                        Json::obj_set(ops, t.op.api_name(), v);
                    }
                }
            }
        }
        Ok(res
            .into_iter()
            .map(|(f, ops)| (f, Json::Obj(ops)))
            .collect())
    }
}

/// Python `str.isspace` (close enough: Unicode White_Space plus the ASCII separators 0x1c–0x1f).
fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

fn is_field_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

struct RawTerm {
    start: usize,
    end: usize,
    field: (usize, usize),
    op: (usize, usize),
    value: Option<(usize, usize)>,
}

/// One match of the CLI's term pattern at `p` (regex semantics, first alternative wins).
fn match_term(s: &[char], p: usize) -> Option<RawTerm> {
    let n = s.len();
    let at = |i: usize| s.get(i).copied();
    let skip_spaces = |mut i: usize| {
        while at(i) == Some(' ') {
            i += 1;
        }
        i
    };

    let mut i = p;
    while at(i).is_some_and(is_field_char) {
        i += 1;
    }
    if i == p {
        return None;
    }
    let field = (p, i);

    // Operator: alternative 1 ` *[=><!]+`, else alternative 2 ` +WORD ` .
    let op_start = i;
    let mut op_end = i;
    let j = skip_spaces(i);
    let mut k = j;
    while at(k).is_some_and(|c| matches!(c, '=' | '>' | '<' | '!')) {
        k += 1;
    }
    if k > j {
        op_end = k;
    } else if j > i {
        const WORDS: &[&str] = &[
            "lte", "lt", "gte", "gt", "nin", "neq", "eq", "not eq", "noteq", "not in", "notin",
            "in",
        ];
        for w in WORDS {
            let wl = w.chars().count();
            let matches_word = j + wl < n
                && w.chars().enumerate().all(|(x, c)| at(j + x) == Some(c))
                && at(j + wl) == Some(' ');
            if matches_word {
                op_end = j + wl + 1;
                break;
            }
        }
    }
    i = op_end;
    let op = (op_start, op_end);

    i = skip_spaces(i);

    // Value: `\[[^\]]+\]` | `"[^"]+"` | `[^ ]+` (optional).
    let vstart = i;
    let mut vend = i;
    let closing = |open: char, close: char| -> Option<usize> {
        if at(vstart) != Some(open) {
            return None;
        }
        let k = (vstart + 1..n).find(|&k| s[k] == close)?;
        (k > vstart + 1).then_some(k + 1)
    };
    if let Some(e) = closing('[', ']').or_else(|| closing('"', '"')) {
        vend = e;
    } else {
        while at(vend).is_some_and(|c| c != ' ') {
            vend += 1;
        }
    }
    let value = (vend > vstart).then_some((vstart, vend));
    i = skip_spaces(vend);

    Some(RawTerm {
        start: p,
        end: i,
        field,
        op,
        value,
    })
}

/// Python `str.strip(chars)`.
fn strip_set<'a>(s: &'a str, set: &[char]) -> &'a str {
    s.trim_matches(|c| set.contains(&c))
}

/// The CLI's driver-version encoding; `None` where it prints "Invalid version string format".
fn numeric_version(v: &str) -> Option<i128> {
    let parts: Vec<&str> = v.split('.').collect();
    if parts.len() != 3 {
        return None;
    }
    let joined: String = parts.iter().map(|p| zfill(p, 3)).collect();
    py_int(&joined)
}

fn py_repr_value_tuple(field: &str, op: &str, value: &str) -> String {
    format!("({}, {}, {})", str_repr(field), str_repr(op), value)
}

/// Per-term checks in the CLI's order; produces the typed term or the CLI's error.
fn check_term(s: &[char], raw: &RawTerm, base: usize) -> Result<Term, QueryError> {
    let text = |(a, b): (usize, usize)| -> String { s[a..b].iter().collect() };
    let typed_field = text(raw.field);
    let field = canonical_field(&typed_field).to_string();
    let op_text_full = text(raw.op);
    let op_text = op_text_full.trim().to_string();
    let op_pos = base
        + raw.op.0
        + (op_text_full.chars().count() - op_text_full.trim_start().chars().count());
    let value_pos = base + raw.value.map_or(raw.op.1, |v| v.0);
    let value_raw = raw.value.map(text).unwrap_or_default();
    let v = strip_set(&value_raw, &[',', '[', ']']).to_string();

    // driver_version with a dot is converted first (before any other check).
    let driver: Option<Option<i128>> =
        (field == "driver_version" && v.contains('.')).then(|| numeric_version(&v));

    let Some(op) = Op::from_cli(&op_text) else {
        let msg = format!(
            "Unknown operator. Did you forget to quote your query? {}",
            str_repr(&op_text)
        );
        return Err(QueryError::new(
            QueryErrorKind::UnknownOperator { field, op: op_text },
            op_pos,
        )
        .with_cli(msg));
    };

    let blank = |shown: String| {
        let msg = format!(
            "Value cannot be blank. Did you forget to quote your query? {}",
            py_repr_value_tuple(&field, &op_text, &shown)
        );
        QueryError::new(
            QueryErrorKind::BlankValue {
                field: field.clone(),
            },
            value_pos,
        )
        .with_cli(msg)
    };

    if let Some(d) = driver {
        if op.is_list() {
            return Err(QueryError::new(
                QueryErrorKind::DriverVersionList,
                value_pos,
            ));
        }
        return match d {
            None => Err(blank("None".to_string())),
            Some(0) => Err(blank("0".to_string())),
            Some(n) => match i64::try_from(n) {
                Ok(n) => Ok(Term {
                    field: typed_field,
                    op,
                    value: Value::Driver(n),
                    pos: base + raw.start,
                    op_pos,
                    value_pos,
                }),
                Err(_) => Err(QueryError::new(
                    QueryErrorKind::DriverVersionTooLarge { value: v },
                    value_pos,
                )),
            },
        };
    }

    let clean = |x: &str| -> String { x.replace('_', " ").trim_matches('"').to_string() };

    let value = if op.is_list() {
        let items: Vec<&str> = v
            .split(',')
            .map(|x| x.trim_matches(is_py_space))
            .filter(|x| !x.is_empty())
            .collect();
        if items.is_empty() {
            return Err(blank("[]".to_string()));
        }
        if multiplier(&field).is_some() {
            return Err(QueryError::new(
                QueryErrorKind::ListOnUnitField { field },
                value_pos,
            ));
        }
        Value::List(items.into_iter().map(clean).collect())
    } else {
        if v.is_empty() {
            return Err(blank(str_repr("")));
        }
        if matches!(v.as_str(), "?" | "*" | "any") {
            if op != Op::Eq {
                return Err(QueryError::new(
                    QueryErrorKind::WildcardNeedsEquals { field },
                    value_pos,
                )
                .with_cli("Wildcard only makes sense with equals.".to_string()));
            }
            Value::Any
        } else {
            let t = clean(&v);
            if multiplier(&field).is_some() && py_float(&t).is_none() {
                let msg = format!("could not convert string to float: {}", str_repr(&t));
                return Err(QueryError::new(
                    QueryErrorKind::NotANumber { field, value: t },
                    value_pos,
                )
                .with_cli(msg));
            }
            Value::Text(t)
        }
    };
    Ok(Term {
        field: typed_field,
        op,
        value,
        pos: base + raw.start,
        op_pos,
        value_pos,
    })
}
