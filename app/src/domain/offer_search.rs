//! The Offers page's search, as pure functions shared by the page (to fill the form and mark bad
//! fields while rendering) and the `search_offers` server function (which re-checks everything).
//!
//! * [`OffersForm`]: the page's fields exactly as typed (all text, straight from the URL query of
//!   a plain HTML `GET` form, so the page works with JavaScript off).
//! * [`OffersForm::check`] merges the filter fields into the vastai query with the query's own
//!   editing API, parses the run profile and the vastai options, and returns every problem as a
//!   [`FieldError`] beside the field it belongs to.
//! * [`build_view`] turns offers + gate + ranking into the serialisable table the page shows
//!   (sorted, one page of rows, verdict counts, the VRAM formula in words).
//!
//! The filter fields and the query box edit ONE query. A form carries both, so the server needs
//! to know which one the user changed: each filter has a hidden `was_*` twin holding the value
//! the page showed. A filter whose value differs from its twin was edited and rewrites its terms
//! in the query; otherwise the query text is kept exactly as typed.

use serde::{Deserialize, Serialize};

use crate::domain::gate::{Fit, Gate, GatePolicy};
use crate::domain::offer::Offer;
use crate::domain::profile::{Optimizer, Precision, RunMode, RunProfile};
use crate::domain::query::{OfferType, Query, QueryError, SearchOptions, build_search_request_for};
use crate::domain::rank::{NoMeasurements, RankOptions, Ranked, ThroughputUnit, rank};

/// Rows per page of the results table.
pub const PAGE_SIZE: usize = 25;
/// `--limit` sent when the field is blank: enough to rank the market, not the CLI's 64.
pub const DEFAULT_LIMIT: i64 = 1000;
/// Largest `--limit` the page accepts (the API honours up to 10,000; ranking more is pointless).
pub const MAX_LIMIT: i64 = 10_000;
/// Smoke-run length priced in the "expected smoke $" column.
pub const SMOKE_STEPS: u64 = 100;

/// Run modes as the form spells them, with their labels.
pub const MODES: &[(&str, RunMode)] = &[
    ("lora", RunMode::Lora),
    ("qlora", RunMode::QLora),
    ("full", RunMode::FullFineTune),
    ("inference", RunMode::Inference),
];
pub const PRECISIONS: &[(&str, Precision)] = &[
    ("bf16", Precision::Bf16),
    ("fp16", Precision::Fp16),
    ("fp32", Precision::Fp32),
    ("fp8", Precision::Fp8),
    ("4bit", Precision::Bit4),
];
pub const OPTIMIZERS: &[(&str, Optimizer)] = &[
    ("adamw", Optimizer::AdamW),
    ("adamw8bit", Optimizer::AdamW8bit),
    ("sgd", Optimizer::Sgd),
    ("sgd_momentum", Optimizer::SgdMomentum),
    ("lion", Optimizer::Lion),
    ("adafactor", Optimizer::Adafactor),
];
/// Offer types (`-t`) the form offers.
pub const OFFER_TYPES: &[(&str, &str)] = &[
    ("on-demand", "on-demand"),
    ("bid", "interruptible (bid)"),
    ("reserved", "reserved"),
];

/// The run-profile fields of the form, as typed. Blank means "the default".
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct ProfileFields {
    pub params_b: String,
    pub mode: String,
    pub precision: String,
    pub optimizer: String,
    pub seq_len: String,
    pub micro_batch: String,
    pub dataset_gb: String,
    pub checkpoints_kept: String,
    pub image_gb: String,
}

impl ProfileFields {
    /// URL/form names, in form order.
    pub const NAMES: [&'static str; 9] = [
        "params_b",
        "mode",
        "precision",
        "optimizer",
        "seq_len",
        "micro_batch",
        "dataset_gb",
        "checkpoints_kept",
        "image_gb",
    ];

    fn slot(&mut self, name: &str) -> Option<&mut String> {
        Some(match name {
            "params_b" => &mut self.params_b,
            "mode" => &mut self.mode,
            "precision" => &mut self.precision,
            "optimizer" => &mut self.optimizer,
            "seq_len" => &mut self.seq_len,
            "micro_batch" => &mut self.micro_batch,
            "dataset_gb" => &mut self.dataset_gb,
            "checkpoints_kept" => &mut self.checkpoints_kept,
            "image_gb" => &mut self.image_gb,
            _ => return None,
        })
    }

    /// `(name, value)` pairs, in form order.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut me = self.clone();
        Self::NAMES
            .iter()
            .map(|n| (*n, me.slot(n).map(std::mem::take).unwrap_or_default()))
            .collect()
    }

    /// The fields that describe `p` (the inverse of [`ProfileFields::parse`] for form fields).
    pub fn from_profile(p: &RunProfile) -> ProfileFields {
        ProfileFields {
            params_b: number_text(p.params_b),
            mode: code_of(MODES, p.mode),
            precision: code_of(PRECISIONS, p.precision),
            optimizer: code_of(OPTIMIZERS, p.optimizer),
            seq_len: p.seq_len.to_string(),
            micro_batch: p.micro_batch.to_string(),
            dataset_gb: number_text(p.dataset_gb),
            checkpoints_kept: p.checkpoints_kept.to_string(),
            image_gb: number_text(p.image_gb),
        }
    }

    /// The profile these fields describe (blank = default), for a run on `gpus` GPUs, or every
    /// problem found — parse errors and [`RunProfile::validate`]'s — keyed by form field.
    pub fn parse(&self, gpus: u32) -> Result<RunProfile, Vec<FieldError>> {
        let d = RunProfile::default();
        let mut errors = Vec::new();
        let params_b = parse_f64(&self.params_b, "params_b", d.params_b, &mut errors);
        let mode = parse_code(&self.mode, "mode", MODES, d.mode, &mut errors);
        let precision = parse_code(
            &self.precision,
            "precision",
            PRECISIONS,
            d.precision,
            &mut errors,
        );
        let optimizer = parse_code(
            &self.optimizer,
            "optimizer",
            OPTIMIZERS,
            d.optimizer,
            &mut errors,
        );
        let seq_len = parse_u32(&self.seq_len, "seq_len", d.seq_len, &mut errors);
        let micro_batch = parse_u32(&self.micro_batch, "micro_batch", d.micro_batch, &mut errors);
        let dataset_gb = parse_f64(&self.dataset_gb, "dataset_gb", d.dataset_gb, &mut errors);
        let checkpoints_kept = parse_u32(
            &self.checkpoints_kept,
            "checkpoints_kept",
            d.checkpoints_kept,
            &mut errors,
        );
        let image_gb = parse_f64(&self.image_gb, "image_gb", d.image_gb, &mut errors);
        let profile = RunProfile {
            params_b,
            mode,
            precision,
            optimizer,
            seq_len,
            micro_batch,
            dataset_gb,
            checkpoints_kept,
            image_gb,
            gpus,
            ..d
        };
        for e in profile.validate() {
            // A field that did not even parse already has its message.
            let field = match e.field.as_ref() {
                "gpus" => "num_gpus",
                f if Self::NAMES.contains(&f) => f,
                _ => "profile",
            };
            if !errors.iter().any(|x: &FieldError| x.field == field) {
                errors.push(FieldError::new(field, e.problem));
            }
        }
        if errors.is_empty() {
            Ok(profile)
        } else {
            Err(errors)
        }
    }
}

/// A form field that cannot be used, and why, in words.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FieldError {
    /// The form field's name (`params_b`, `min_vram`, `storage`, …; `profile` for the whole).
    pub field: String,
    pub message: String,
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl FieldError {
    pub fn new(field: &str, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.to_string(),
            message: message.into(),
        }
    }
}

/// The filter fields (the same values the query holds, one box each).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct Filters {
    /// GPU models, comma separated (`RTX 4090, RTX 3090`; `_` works as a space too).
    pub gpu: String,
    /// GB per GPU (`gpu_ram >=`).
    pub min_vram: String,
    /// $/h (`dph_total <=`).
    pub max_dph: String,
    /// 0–1 (`reliability >=`).
    pub min_rel: String,
    /// Exactly this many GPUs (`num_gpus =`).
    pub num_gpus: String,
}

impl Filters {
    pub const NAMES: [&'static str; 5] = ["gpu", "min_vram", "max_dph", "min_rel", "num_gpus"];

    fn slot(&mut self, name: &str) -> Option<&mut String> {
        Some(match name {
            "gpu" => &mut self.gpu,
            "min_vram" => &mut self.min_vram,
            "max_dph" => &mut self.max_dph,
            "min_rel" => &mut self.min_rel,
            "num_gpus" => &mut self.num_gpus,
            _ => return None,
        })
    }

    fn get(&self, name: &str) -> &str {
        match name {
            "gpu" => &self.gpu,
            "min_vram" => &self.min_vram,
            "max_dph" => &self.max_dph,
            "min_rel" => &self.min_rel,
            "num_gpus" => &self.num_gpus,
            _ => "",
        }
    }

    /// What the query constrains, one box each (blank where it does not).
    pub fn of_query(q: &Query) -> Filters {
        let num = |x: Option<f64>| x.map(number_text).unwrap_or_default();
        let (n_lo, n_hi) = q.bounds("num_gpus");
        Filters {
            gpu: q.one_of("gpu_name").join(", "),
            min_vram: num(q.bounds("gpu_ram").0),
            max_dph: num(q.bounds("dph_total").1),
            min_rel: num(q.bounds("reliability").0),
            num_gpus: if n_lo == n_hi {
                num(n_lo)
            } else {
                String::new()
            },
        }
    }
}

/// Table columns the results can be sorted by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SortKey {
    /// Verdict, then throughput per dollar (the ranking).
    #[default]
    Rank,
    Dph,
    PerDollar,
    DlPerf,
    Reliability,
    Vram,
    Gpus,
    Smoke,
}

impl SortKey {
    pub const ALL: [SortKey; 8] = [
        SortKey::Rank,
        SortKey::Dph,
        SortKey::PerDollar,
        SortKey::DlPerf,
        SortKey::Reliability,
        SortKey::Vram,
        SortKey::Gpus,
        SortKey::Smoke,
    ];

    pub fn code(self) -> &'static str {
        match self {
            SortKey::Rank => "rank",
            SortKey::Dph => "dph",
            SortKey::PerDollar => "per_dollar",
            SortKey::DlPerf => "dlperf",
            SortKey::Reliability => "reliability",
            SortKey::Vram => "vram",
            SortKey::Gpus => "gpus",
            SortKey::Smoke => "smoke",
        }
    }

    pub fn from_code(s: &str) -> Option<SortKey> {
        SortKey::ALL.into_iter().find(|k| k.code() == s.trim())
    }

    /// The direction a first click sorts in: cheapest / best first.
    pub fn default_desc(self) -> bool {
        matches!(
            self,
            SortKey::PerDollar
                | SortKey::DlPerf
                | SortKey::Reliability
                | SortKey::Vram
                | SortKey::Gpus
        )
    }
}

/// Everything on the Offers page's form, exactly as typed (all text; blank = default).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct OffersForm {
    /// The vastai query (`gpu_ram>=24 num_gpus=1`).
    pub q: String,
    /// `-o`: comma list, `-` suffix = descending (blank = `score-`).
    pub order: String,
    /// `-t`: `on-demand`, `bid`, `reserved` (blank = on-demand).
    pub offer_type: String,
    /// `--storage` GB (blank = what the profile needs on disk).
    pub storage: String,
    /// `--limit` (blank = [`DEFAULT_LIMIT`]).
    pub limit: String,
    pub filters: Filters,
    /// The filter values the page showed when the form was sent (see the module doc).
    pub was: Filters,
    pub profile: ProfileFields,
    /// [`SortKey::code`] (blank = rank).
    pub sort: String,
    /// `asc` / `desc` (blank = the column's natural direction).
    pub dir: String,
    /// 1-based (blank = 1).
    pub page: String,
}

impl OffersForm {
    /// From a URL query / form lookup (`get("q")`, `get("min_vram")`, `get("was_min_vram")`…).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> OffersForm {
        let text = |k: &str| get(k).unwrap_or_default();
        let mut form = OffersForm {
            q: text("q"),
            order: text("order"),
            offer_type: text("type"),
            storage: text("storage"),
            limit: text("limit"),
            sort: text("sort"),
            dir: text("dir"),
            page: text("page"),
            ..OffersForm::default()
        };
        for name in Filters::NAMES {
            if let Some(slot) = form.filters.slot(name) {
                *slot = text(name);
            }
            if let Some(slot) = form.was.slot(name) {
                *slot = text(&format!("was_{name}"));
            }
        }
        for name in ProfileFields::NAMES {
            if let Some(slot) = form.profile.slot(name) {
                *slot = text(name);
            }
        }
        form
    }

    /// URL query for this form with the query, options, profile and sort, but no filter fields
    /// (they are views of the query), no page and nothing blank: for links and sharing.
    pub fn canonical_pairs(&self, query_text: &str) -> Vec<(&'static str, String)> {
        let mut out = vec![
            ("q", query_text.to_string()),
            ("order", self.order.clone()),
            ("type", self.offer_type.clone()),
            ("storage", self.storage.clone()),
            ("limit", self.limit.clone()),
        ];
        out.extend(self.profile.pairs());
        out.push(("sort", self.sort.clone()));
        out.push(("dir", self.dir.clone()));
        out.retain(|(_, v)| !v.trim().is_empty());
        out
    }

    /// Merge filters into the query, parse options and profile: see [`Checked`].
    pub fn check(&self) -> Checked {
        let mut errors = Vec::new();
        let mut filters = self.filters.clone();
        let (query_text, query) = match Query::parse(&self.q) {
            Ok(mut q) => {
                let edited = self.apply_filters(&mut q, &mut errors);
                filters = Filters::of_query(&q);
                // Keep the user's own text unless a filter rewrote it.
                let text = if edited { q.render() } else { self.q.clone() };
                (text, Ok(q))
            }
            Err(e) => (self.q.clone(), Err(e)),
        };
        // The run uses the GPUs the query asks for (a num_gpus filter), else one.
        let gpus = match &query {
            Ok(q) => q
                .bounds("num_gpus")
                .0
                .filter(|n| n.is_finite() && *n >= 1.0)
                .map_or(1, |n| n.min(f64::from(u32::MAX)) as u32),
            Err(_) => 1,
        };
        let profile = match self.profile.parse(gpus) {
            Ok(p) => Some(p),
            Err(es) => {
                errors.extend(es);
                None
            }
        };
        let options = self.options(profile.as_ref(), &mut errors);
        // The query must also build a request (values checked per field, e.g. gpu_ram=abc).
        let query = match (query, &options) {
            (Ok(q), Some(opts)) => build_search_request_for(&q, opts).map(|_| q),
            (q, _) => q,
        };
        let sort = SortKey::from_code(&self.sort).unwrap_or_default();
        let desc = match self.dir.trim() {
            "desc" => true,
            "asc" => false,
            _ => sort.default_desc(),
        };
        let page = self
            .page
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|p| *p >= 1)
            .unwrap_or(1);
        Checked {
            query_text,
            query,
            filters,
            profile,
            options,
            errors,
            sort,
            desc,
            page,
        }
    }

    /// Rewrites the query's terms for every filter the user changed. True if any was applied.
    fn apply_filters(&self, q: &mut Query, errors: &mut Vec<FieldError>) -> bool {
        let mut edited = false;
        for name in Filters::NAMES {
            let now = self.filters.get(name).trim();
            if now == self.was.get(name).trim() {
                continue;
            }
            if name == "gpu" {
                let items: Vec<String> = now
                    .split(',')
                    .map(|s| s.trim().replace('_', " "))
                    .filter(|s| !s.is_empty())
                    .collect();
                let refs: Vec<&str> = items.iter().map(String::as_str).collect();
                q.set_one_of("gpu_name", &refs);
                edited = true;
                continue;
            }
            let value = if now.is_empty() {
                None
            } else {
                match now.parse::<f64>() {
                    Ok(x) if x.is_finite() && x >= 0.0 => Some(x),
                    _ => {
                        errors.push(FieldError::new(
                            name,
                            format!("'{now}' is not a number ≥ 0; the query was left as it was"),
                        ));
                        continue;
                    }
                }
            };
            match name {
                "min_vram" => {
                    let hi = q.bounds("gpu_ram").1;
                    q.set_bounds("gpu_ram", value, hi);
                }
                "max_dph" => {
                    let lo = q.bounds("dph_total").0;
                    q.set_bounds("dph_total", lo, value);
                }
                "min_rel" => {
                    if value.is_some_and(|x| x > 1.0) {
                        errors.push(FieldError::new(
                            name,
                            format!("reliability is between 0 and 1 (0.98 = 98 %), got {now}"),
                        ));
                        continue;
                    }
                    let hi = q.bounds("reliability").1;
                    q.set_bounds("reliability", value, hi);
                }
                "num_gpus" => {
                    if value.is_some_and(|x| x.fract() != 0.0 || x < 1.0) {
                        errors.push(FieldError::new(
                            name,
                            format!("number of GPUs is a whole number ≥ 1, got {now}"),
                        ));
                        continue;
                    }
                    q.set_bounds("num_gpus", value, value);
                }
                _ => continue,
            }
            edited = true;
        }
        edited
    }

    fn options(
        &self,
        profile: Option<&RunProfile>,
        errors: &mut Vec<FieldError>,
    ) -> Option<SearchOptions> {
        let before = errors.len();
        let mut opts = SearchOptions::default();
        let order = self.order.trim();
        if !order.is_empty() {
            opts.order = order.to_string();
        }
        match self.offer_type.trim() {
            "" => {}
            t if OFFER_TYPES.iter().any(|(c, _)| *c == t) => {
                opts.offer_type = OfferType::from_cli(t)
            }
            t => errors.push(FieldError::new(
                "type",
                format!("unknown offer type '{t}': on-demand, bid or reserved"),
            )),
        }
        let storage = self.storage.trim();
        if storage.is_empty() {
            // What the run needs on disk, so the prices include the right storage.
            if let Some(p) = profile {
                opts.storage_gb = p.disk().total_gb.ceil();
            }
        } else {
            match storage.parse::<f64>() {
                Ok(x) if x.is_finite() && x > 0.0 && x <= 100_000.0 => opts.storage_gb = x,
                _ => errors.push(FieldError::new(
                    "storage",
                    format!("storage is a number of GB between 0 and 100000, got '{storage}'"),
                )),
            }
        }
        let limit = self.limit.trim();
        if limit.is_empty() {
            opts.limit = Some(DEFAULT_LIMIT);
        } else {
            match limit.parse::<i64>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => opts.limit = Some(n),
                _ => errors.push(FieldError::new(
                    "limit",
                    format!("limit is a whole number from 1 to {MAX_LIMIT}, got '{limit}'"),
                )),
            }
        }
        (errors.len() == before).then_some(opts)
    }
}

/// The form, checked: what to show in each box and what is wrong where.
#[derive(Clone, Debug, PartialEq)]
pub struct Checked {
    /// The query text to show (the user's text, or rewritten by an edited filter).
    pub query_text: String,
    /// The parsed query, or the error with its position.
    pub query: Result<Query, QueryError>,
    /// What each filter box shows (derived from the query when it parses).
    pub filters: Filters,
    /// The run profile, when all its fields are usable.
    pub profile: Option<RunProfile>,
    /// The vastai options, when usable.
    pub options: Option<SearchOptions>,
    /// Problems of fields other than the query box.
    pub errors: Vec<FieldError>,
    pub sort: SortKey,
    pub desc: bool,
    pub page: usize,
}

/// A search ready to send: everything checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    pub query: Query,
    pub options: SearchOptions,
    pub profile: RunProfile,
    pub sort: SortKey,
    pub desc: bool,
    pub page: usize,
}

impl Checked {
    /// The message for a form field, if it has one.
    pub fn error_for(&self, field: &str) -> Option<String> {
        let msgs: Vec<&str> = self
            .errors
            .iter()
            .filter(|e| e.field == field)
            .map(|e| e.message.as_str())
            .collect();
        (!msgs.is_empty()).then(|| msgs.join("; "))
    }

    /// The query error in words, with its 1-based column.
    pub fn query_error(&self) -> Option<QueryErrorView> {
        self.query.as_ref().err().map(QueryErrorView::from)
    }

    /// The search to run, or why not (as the page should show it).
    pub fn plan(&self) -> Result<Plan, InvalidForm> {
        match (&self.query, &self.profile, &self.options) {
            (Ok(q), Some(p), Some(o)) if self.errors.is_empty() => Ok(Plan {
                query: q.clone(),
                options: o.clone(),
                profile: p.clone(),
                sort: self.sort,
                desc: self.desc,
                page: self.page,
            }),
            _ => Err(InvalidForm {
                query_error: self.query_error(),
                fields: self.errors.clone(),
            }),
        }
    }
}

impl Plan {
    /// The gate for this profile (default thresholds: reliability 0.98, 10 % VRAM headroom).
    pub fn gate(&self) -> Gate {
        Gate::new(self.profile.clone(), GatePolicy::default())
    }

    /// The `vastai search offers` command that sends the same body.
    pub fn cli_command(&self) -> String {
        let o = &self.options;
        let mut cmd = format!(
            "vastai search offers '{}' -o '{}' -t {} --storage {}",
            self.query.render(),
            o.order,
            o.offer_type.as_str(),
            number_text(o.storage_gb)
        );
        if let Some(l) = o.limit {
            cmd.push_str(&format!(" --limit {l}"));
        }
        cmd
    }
}

/// A query error as the page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct QueryErrorView {
    /// The error in words (it names the position: "… at 12").
    pub message: String,
    /// 1-based character column (0 for option errors, which have no position).
    pub column: usize,
    /// Stable machine name of the kind (`unknown_operator`, …).
    pub code: String,
}

impl From<&QueryError> for QueryErrorView {
    fn from(e: &QueryError) -> Self {
        QueryErrorView {
            message: e.to_string(),
            column: e.pos + 1,
            code: e.code().to_string(),
        }
    }
}

/// Why a form cannot be searched: the query error and the other fields' problems.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InvalidForm {
    pub query_error: Option<QueryErrorView>,
    pub fields: Vec<FieldError>,
}

/// What a search gives the page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum OffersOutcome {
    /// Something in the form is unusable; nothing was sent to the marketplace.
    Invalid(InvalidForm),
    /// The marketplace did not answer usefully.
    Unavailable {
        message: String,
        transient: bool,
    },
    Results(OffersView),
}

/// One reason of a verdict.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ReasonLine {
    pub fit: Fit,
    pub text: String,
}

/// One row of the results table, formatted for display.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OfferRow {
    pub id: u64,
    pub gpu: String,
    pub num_gpus: u32,
    /// "24 GiB" per GPU.
    pub vram: String,
    /// "$0.412/h" including storage for the run's disk.
    pub dph: String,
    pub dlperf: String,
    /// "99.5 %".
    pub reliability: String,
    pub location: String,
    pub fit: Fit,
    /// Problems first (tight / no), then the checks that passed.
    pub reasons: Vec<ReasonLine>,
    /// One line: "no: needs ≈ 61 GiB VRAM per GPU, has 24".
    pub summary: String,
    /// "212 DLPerf per $/h" or "9,000 steps per $".
    pub per_dollar: String,
    /// "$0.05" or "—" when throughput is not measured.
    pub smoke: String,
}

/// Offers per verdict.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct VerdictCounts {
    pub fits: usize,
    pub tight: usize,
    pub no: usize,
}

/// Where the shown rows are in the whole list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PageInfo {
    /// 1-based, clamped to the last page.
    pub page: usize,
    pub pages: usize,
    pub page_size: usize,
    /// 1-based index of the first row shown (0 when there are none).
    pub first: usize,
    pub last: usize,
}

/// The results table and what explains it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OffersView {
    pub rows: Vec<OfferRow>,
    pub counts: VerdictCounts,
    /// Offers the marketplace returned (all gated and ranked).
    pub total: usize,
    pub page: PageInfo,
    pub sort: SortKey,
    pub desc: bool,
    /// "≈ 15.8 GiB per GPU".
    pub vram_need: String,
    /// The VRAM formula in words, numbers filled in.
    pub vram_formula: String,
    pub disk_formula: String,
    pub ram_formula: String,
    /// The equivalent `vastai search offers …` command.
    pub cli_command: String,
    /// The exact JSON body sent.
    pub request_body: String,
    /// How throughput per $ and smoke $ were estimated (and why they may be blank).
    pub throughput_note: String,
}

/// Gates and ranks every offer (no measurements yet: specs only), then [`build_view`].
pub fn rank_and_view(offers: &[Offer], plan: &Plan) -> OffersView {
    let gate = plan.gate();
    let opts = RankOptions {
        bid: plan.options.offer_type == OfferType::Bid,
        ..RankOptions::for_gate(&gate, SMOKE_STEPS)
    };
    let ranked = rank(offers, Some(&gate), &NoMeasurements, &opts);
    build_view(offers, plan, ranked)
}

/// Sorts `ranked` (already in rank order) by `sort`, keeps one page, formats it.
pub fn build_view(offers: &[Offer], plan: &Plan, ranked: Vec<Ranked>) -> OffersView {
    let gate = plan.gate();
    let mut counts = VerdictCounts::default();
    for r in &ranked {
        match r.fit {
            Fit::Fits => counts.fits += 1,
            Fit::Tight => counts.tight += 1,
            Fit::No => counts.no += 1,
        }
    }
    let mut ranked = ranked;
    sort_ranked(&mut ranked, offers, plan.sort, plan.desc);
    let total = ranked.len();
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let page = plan.page.clamp(1, pages);
    let start = (page - 1) * PAGE_SIZE;
    let shown: Vec<&Ranked> = ranked.iter().skip(start).take(PAGE_SIZE).collect();
    let rows = shown
        .iter()
        .filter_map(|r| offers.get(r.index).map(|o| row(o, r, &gate)))
        .collect::<Vec<_>>();
    let info = PageInfo {
        page,
        pages,
        page_size: PAGE_SIZE,
        first: if rows.is_empty() { 0 } else { start + 1 },
        last: start + rows.len(),
    };
    let body = build_search_request_for(&plan.query, &plan.options)
        .map(|r| r.body_text())
        .unwrap_or_default();
    let measured = ranked.iter().any(|r| r.unit == ThroughputUnit::StepsPerSec);
    OffersView {
        rows,
        counts,
        total,
        page: info,
        sort: plan.sort,
        desc: plan.desc,
        vram_need: format!("≈ {:.1} GiB per GPU", gate.vram().total_gib),
        vram_formula: gate.vram().formula.clone(),
        disk_formula: gate.disk().formula.clone(),
        ram_formula: gate.cpu_ram().formula.clone(),
        cli_command: plan.cli_command(),
        request_body: body,
        throughput_note: if measured {
            format!("Throughput from the team's measurements; smoke $ prices {SMOKE_STEPS} steps.")
        } else {
            format!(
                "No measured step/s for this workload yet: throughput per $ is Vast's DLPerf per $/h (compare offers by it), and the cost of a {SMOKE_STEPS}-step smoke run is unknown until one run is measured."
            )
        },
    }
}

fn sort_ranked(ranked: &mut [Ranked], offers: &[Offer], key: SortKey, desc: bool) {
    if key == SortKey::Rank {
        if desc {
            ranked.reverse();
        }
        return;
    }
    let value = |r: &Ranked| -> Option<f64> {
        let o = offers.get(r.index)?;
        match key {
            SortKey::Rank => None,
            SortKey::Dph => r.dph,
            SortKey::PerDollar => (r.per_dollar > 0.0).then_some(r.per_dollar),
            SortKey::DlPerf => o.dlperf,
            SortKey::Reliability => o.reliability(),
            SortKey::Vram => o.gpu_ram_gib(),
            SortKey::Gpus => Some(f64::from(o.num_gpus)),
            SortKey::Smoke => r.smoke_cost,
        }
        .filter(|x| x.is_finite())
    };
    // Stable: ties keep the rank order. Unknown values last in both directions.
    ranked.sort_by(|a, b| match (value(a), value(b)) {
        (Some(x), Some(y)) if desc => y.total_cmp(&x),
        (Some(x), Some(y)) => x.total_cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
}

fn row(o: &Offer, r: &Ranked, gate: &Gate) -> OfferRow {
    let verdict = gate.check(o);
    let mut reasons: Vec<ReasonLine> = verdict
        .reasons
        .iter()
        .map(|x| ReasonLine {
            fit: x.fit,
            text: x.text.clone(),
        })
        .collect();
    // Problems first, worst first; the passed checks keep their order after them.
    reasons.sort_by_key(|x| std::cmp::Reverse(x.fit));
    let per_dollar = if r.per_dollar <= 0.0 {
        "—".to_string()
    } else {
        match r.unit {
            ThroughputUnit::StepsPerSec => {
                format!("{} steps per $", grouped(r.per_dollar * 3600.0))
            }
            ThroughputUnit::DlPerf => format!("{} DLPerf per $/h", grouped(r.per_dollar)),
        }
    };
    OfferRow {
        id: o.id,
        gpu: if o.gpu_name.is_empty() {
            "unknown GPU".to_string()
        } else {
            o.gpu_name.clone()
        },
        num_gpus: o.num_gpus,
        vram: o
            .gpu_ram_gib()
            .map_or("?".to_string(), |g| format!("{g:.0} GiB")),
        dph: r.dph.map_or("?".to_string(), |d| format!("${d:.3}/h")),
        dlperf: o.dlperf.map_or("?".to_string(), |d| format!("{d:.1}")),
        reliability: o
            .reliability()
            .map_or("?".to_string(), |x| format!("{:.1} %", x * 100.0)),
        location: if o.geolocation.is_empty() {
            "?".to_string()
        } else {
            o.geolocation.clone()
        },
        fit: verdict.fit,
        summary: verdict.summary(),
        reasons,
        per_dollar,
        smoke: r.smoke_cost.map_or("—".to_string(), |c| format!("${c:.2}")),
    }
}

/// `24` for 24.0, `0.98`, `1.5`: the shortest text that reads back to the same number.
pub fn number_text(x: f64) -> String {
    format!("{x}")
}

/// 12345.6 → "12,346".
fn grouped(x: f64) -> String {
    let n = x.round();
    if !n.is_finite() || n.abs() >= 1e15 {
        return format!("{x:.0}");
    }
    let digits = format!("{}", n.abs() as u64);
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0.0 { format!("-{out}") } else { out }
}

fn code_of<T: PartialEq>(list: &[(&'static str, T)], want: T) -> String {
    list.iter()
        .find(|(_, v)| *v == want)
        .map_or("", |(c, _)| *c)
        .to_string()
}

fn parse_f64(text: &str, field: &str, default: f64, errors: &mut Vec<FieldError>) -> f64 {
    let t = text.trim();
    if t.is_empty() {
        return default;
    }
    match t.parse::<f64>() {
        Ok(x) if x.is_finite() => x,
        _ => {
            errors.push(FieldError::new(field, format!("'{t}' is not a number")));
            default
        }
    }
}

fn parse_u32(text: &str, field: &str, default: u32, errors: &mut Vec<FieldError>) -> u32 {
    let t = text.trim();
    if t.is_empty() {
        return default;
    }
    match t.parse::<u32>() {
        Ok(x) => x,
        Err(_) => {
            errors.push(FieldError::new(
                field,
                format!("'{t}' is not a whole number ≥ 0"),
            ));
            default
        }
    }
}

fn parse_code<T: Copy>(
    text: &str,
    field: &str,
    list: &[(&str, T)],
    default: T,
    errors: &mut Vec<FieldError>,
) -> T {
    let t = text.trim();
    if t.is_empty() {
        return default;
    }
    match list.iter().find(|(c, _)| *c == t) {
        Some((_, v)) => *v,
        None => {
            let known: Vec<&str> = list.iter().map(|(c, _)| *c).collect();
            errors.push(FieldError::new(
                field,
                format!("unknown choice '{t}' (one of: {})", known.join(", ")),
            ));
            default
        }
    }
}

#[cfg(test)]
mod tests;
