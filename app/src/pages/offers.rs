//! Offers: paste a vastai query (or use the filters, which edit the same query), describe the
//! run, and see every offer through the pre-rent gate, ranked by throughput per dollar.
//!
//! The page is one plain `GET /offers` form: with JavaScript off, "Search" reloads the page with
//! the fields in the URL and the server renders the results. With JavaScript on, every edit
//! submits the same form 300 ms after the last keystroke, replacing the URL query, and the
//! results update in place. Either way the URL is the state (shareable, back button works), the
//! form is filled from it, and the results come from `search_offers` keyed on it.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Form;
use leptos_router::hooks::use_query_map;

use crate::api::offers::search_offers;
use crate::api::save_profile::{MAX_NAME_CHARS, SaveOutcome, SaveProfile};
use crate::api::saved_profiles::{SavedProfileView, list_profiles};
use crate::domain::gate::Fit;
use crate::domain::offer_search::{
    Checked, FieldError, MODES, OFFER_TYPES, OPTIMIZERS, OfferRow, OffersForm, OffersOutcome,
    OffersView, PRECISIONS, ProfileFields, SortKey,
};

/// Pause after the last keystroke before searching (JS on).
const DEBOUNCE_MS: u64 = 300;

#[component]
pub fn OffersPage() -> impl IntoView {
    let url = use_query_map();
    let form = Memo::new(move |_| url.with(|m| OffersForm::from_lookup(|k| m.get(k))));
    let checked = Memo::new(move |_| form.with(OffersForm::check));
    let results = Resource::new(move || form.get(), search_offers);
    let save = ServerAction::<SaveProfile>::new();
    let saved = Resource::new(move || save.version().get(), |_| list_profiles());

    view! {
        <Title text="Offers" />
        <h1>"Offers"</h1>
        <p class="lede">
            "Every offer through the pre-rent gate: VRAM fits the run mode, host RAM, disk for model + checkpoints, reliability — ranked by expected throughput per dollar."
        </p>
        <div class="offers-layout">
            <SearchForm form checked />
            <SavedProfiles form checked saved save />
            <section class="offers-results" aria-live="polite" data-testid="offers-results">
                <Transition fallback=|| view! { <p class="muted">"Searching…"</p> }>
                    {move || Suspend::new(async move {
                        let outcome = results.await;
                        let base = form.get_untracked();
                        let query_text = checked.with_untracked(|c| c.query_text.clone());
                        match outcome {
                            Ok(OffersOutcome::Results(v)) => {
                                view! { <Results view=v base query_text /> }.into_any()
                            }
                            Ok(OffersOutcome::Invalid(_)) => {
                                view! {
                                    <p class="card notice" role="alert" data-testid="results-invalid">
                                        "Nothing searched: fix the fields marked above."
                                    </p>
                                }
                                    .into_any()
                            }
                            Ok(OffersOutcome::Unavailable { message, transient }) => {
                                view! {
                                    <p class="card notice notice-bad" role="alert" data-testid="market-error">
                                        "The marketplace did not answer: " {message}
                                        {transient.then_some(" — this is usually brief; search again in a moment.")}
                                    </p>
                                }
                                    .into_any()
                            }
                            Err(e) => {
                                view! {
                                    <p class="card notice notice-bad" role="alert" data-testid="market-error">
                                        "Search failed: " {e.to_string()}
                                    </p>
                                }
                                    .into_any()
                            }
                        }
                    })}
                </Transition>
            </section>
        </div>
    }
}

/// The query box, the filters, the vastai options and the run profile: one GET form.
#[component]
fn SearchForm(form: Memo<OffersForm>, checked: Memo<Checked>) -> impl IntoView {
    // JS on: submit the (router-enhanced) form once typing pauses. Submitting through the
    // form keeps one path for both modes: the same fields, the same URL.
    let pending = StoredValue::new(None::<TimeoutHandle>);
    let on_edit = move |ev: leptos::ev::Event| {
        use leptos::wasm_bindgen::JsCast;
        let Some(form_el) = ev
            .target()
            .and_then(|t| t.dyn_into::<leptos::web_sys::Element>().ok())
            .and_then(|el| el.closest("form").ok().flatten())
            .and_then(|f| f.dyn_into::<leptos::web_sys::HtmlFormElement>().ok())
        else {
            return;
        };
        if let Some(handle) = pending.get_value() {
            handle.clear();
        }
        let handle = set_timeout_with_handle(
            move || {
                // A failed submit leaves the page as it is; the Search button still works.
                let _ = form_el.request_submit();
            },
            std::time::Duration::from_millis(DEBOUNCE_MS),
        )
        .ok();
        pending.set_value(handle);
    };

    // Set once hydrated (effects never run on the server): edits search by themselves from
    // then on. Tests wait for it before typing.
    let live = RwSignal::new(false);
    Effect::new(move |_| live.set(true));

    let shown = move |name: &'static str| move || checked.with(|c| filter_value(c, name));
    let raw = move |get: fn(&OffersForm) -> String| move || form.with(get);

    view! {
        <div class="offers-form" on:input=on_edit data-live=move || live.get().then_some("on")>
            <Form method="GET" action="/offers" replace=true noscroll=true>
                <fieldset class="card query-box">
                    <legend>"vastai query"</legend>
                    <label for="q">"Paste a " <code>"vastai search offers"</code> " query"</label>
                    <input
                        id="q"
                        name="q"
                        type="text"
                        autocomplete="off"
                        spellcheck="false"
                        placeholder="gpu_ram>=24 num_gpus=1 reliability>0.98"
                        data-testid="query-input"
                        aria-invalid=move || checked.with(|c| c.query.is_err()).to_string()
                        aria-describedby="q-error"
                        value=move || checked.with(|c| c.query_text.clone())
                        prop:value=move || checked.with(|c| c.query_text.clone())
                    />
                    <div id="q-error">
                        {move || {
                            checked
                                .with(|c| c.query_error().map(|e| (e, c.query_text.clone())))
                                .map(|(e, text)| {
                                    let caret = caret_parts(&text, e.column);
                                    view! {
                                        <p class="field-error" role="alert" data-testid="query-error">
                                            {e.message}
                                        </p>
                                        {caret
                                            .map(|(before, at, after)| {
                                                view! {
                                                    <p class="query-caret" data-testid="query-caret">
                                                        <code>{before}<mark>{at}</mark>{after}</code>
                                                    </p>
                                                }
                                            })}
                                    }
                                })
                        }}
                    </div>
                    <div class="filters">
                        <TextField name="gpu" label="GPU model(s)" hint="comma separated, e.g. RTX 4090, A100 SXM4" value=shown("gpu") checked />
                        <TextField name="min_vram" label="Min VRAM per GPU (GB)" hint="gpu_ram ≥" value=shown("min_vram") checked decimal=true />
                        <TextField name="max_dph" label="Max $/h" hint="dph_total ≤" value=shown("max_dph") checked decimal=true />
                        <TextField name="min_rel" label="Min reliability" hint="0–1, e.g. 0.98" value=shown("min_rel") checked decimal=true />
                        <TextField name="num_gpus" label="GPUs" hint="num_gpus =; the run uses them all" value=shown("num_gpus") checked decimal=true />
                    </div>
                    // What the filters showed: the server applies only the filters you changed.
                    {["gpu", "min_vram", "max_dph", "min_rel", "num_gpus"]
                        .into_iter()
                        .map(|name| {
                            view! {
                                <input type="hidden" name=format!("was_{name}") value=shown(name) />
                            }
                        })
                        .collect_view()}
                    <details class="vast-options">
                        <summary>"vastai options (order, type, storage, limit)"</summary>
                        <div class="filters">
                            <TextField name="order" label="Order (-o)" hint="comma list, - suffix = descending" placeholder="score-" value=raw(|f| f.order.clone()) checked />
                            <SelectField name="type" label="Type (-t)" choices=OFFER_TYPES.to_vec() value=raw(|f| f.offer_type.clone()) checked />
                            <TextField name="storage" label="Storage GB (--storage)" hint="blank: what the run needs on disk" placeholder="the run's disk" value=raw(|f| f.storage.clone()) checked decimal=true />
                            <TextField name="limit" label="Limit (--limit)" hint="offers fetched and ranked" placeholder="1000" value=raw(|f| f.limit.clone()) checked decimal=true />
                        </div>
                    </details>
                </fieldset>
                <fieldset class="card profile-box">
                    <legend>"The run"</legend>
                    {move || {
                        checked
                            .with(|c| c.error_for("profile"))
                            .map(|m| view! { <p class="field-error" role="alert">{m}</p> })
                    }}
                    <div class="filters">
                        <TextField name="params_b" label="Model size (B params)" hint="7 for a 7B model" placeholder="7" value=raw(|f| f.profile.params_b.clone()) checked decimal=true />
                        <SelectField name="mode" label="Run mode" choices=MODES.iter().map(|(c, m)| (*c, m.label())).collect() value=raw(|f| f.profile.mode.clone()) checked />
                        <SelectField name="precision" label="Precision" choices=PRECISIONS.iter().map(|(c, p)| (*c, p.label())).collect() value=raw(|f| f.profile.precision.clone()) checked />
                        <SelectField name="optimizer" label="Optimizer" choices=OPTIMIZERS.iter().map(|(c, o)| (*c, o.label())).collect() value=raw(|f| f.profile.optimizer.clone()) checked />
                        <TextField name="seq_len" label="Sequence length" hint="tokens" placeholder="2048" value=raw(|f| f.profile.seq_len.clone()) checked decimal=true />
                        <TextField name="micro_batch" label="Micro batch" hint="sequences per GPU per step" placeholder="1" value=raw(|f| f.profile.micro_batch.clone()) checked decimal=true />
                        <TextField name="dataset_gb" label="Dataset (GB)" hint="on disk" placeholder="1" value=raw(|f| f.profile.dataset_gb.clone()) checked decimal=true />
                        <TextField name="checkpoints_kept" label="Checkpoints kept" hint="at once, on disk" placeholder="2" value=raw(|f| f.profile.checkpoints_kept.clone()) checked decimal=true />
                        <TextField name="image_gb" label="Docker image (GB)" hint="pulled onto the disk" placeholder="15" value=raw(|f| f.profile.image_gb.clone()) checked decimal=true />
                    </div>
                </fieldset>
                <input type="hidden" name="sort" value=raw(|f| f.sort.clone()) />
                <input type="hidden" name="dir" value=raw(|f| f.dir.clone()) />
                <div class="form-actions">
                    <button type="submit" class="button primary" data-testid="search-button">"Search"</button>
                    <span class="muted">"Results update as you type."</span>
                </div>
            </Form>
        </div>
    }
}

/// The query split around the 1-based `column` an error points at (the end when it points past
/// the text), or `None` for errors without a position.
fn caret_parts(text: &str, column: usize) -> Option<(String, String, String)> {
    if column == 0 || text.is_empty() {
        return None;
    }
    let chars: Vec<char> = text.chars().collect();
    let at = (column - 1).min(chars.len());
    let before: String = chars[..at].iter().collect();
    let mark: String = chars.get(at).map_or(" ".to_string(), |c| c.to_string());
    let after: String = chars
        .get(at + 1..)
        .map_or(String::new(), |r| r.iter().collect());
    Some((before, mark, after))
}

/// What a filter box shows: from the query when it parses, else as typed.
fn filter_value(c: &Checked, name: &str) -> String {
    let f = &c.filters;
    match name {
        "gpu" => f.gpu.clone(),
        "min_vram" => f.min_vram.clone(),
        "max_dph" => f.max_dph.clone(),
        "min_rel" => f.min_rel.clone(),
        "num_gpus" => f.num_gpus.clone(),
        _ => String::new(),
    }
}

/// A labelled text box with its message beside it when the value is unusable.
#[component]
fn TextField<V>(
    name: &'static str,
    label: &'static str,
    hint: &'static str,
    value: V,
    checked: Memo<Checked>,
    #[prop(optional)] decimal: bool,
    /// Shown while blank: the value a blank field stands for.
    #[prop(optional)]
    placeholder: &'static str,
) -> impl IntoView
where
    V: Fn() -> String + Clone + Send + Sync + 'static,
{
    let error = move || checked.with(|c| c.error_for(name));
    let hint_id = format!("{name}-hint");
    view! {
        <div class="field" class:field-bad=move || error().is_some()>
            <label for=name>{label}</label>
            <input
                id=name
                name=name
                type="text"
                autocomplete="off"
                inputmode=decimal.then_some("decimal")
                placeholder=placeholder
                aria-describedby=hint_id.clone()
                aria-invalid=move || error().is_some().to_string()
                data-testid=format!("field-{name}")
                value=value.clone()
                prop:value=value
            />
            <small id=hint_id class="hint">{hint}</small>
            {move || {
                error()
                    .map(|m| {
                        view! {
                            <p class="field-error" role="alert" data-testid=format!("field-error-{name}")>
                                {m}
                            </p>
                        }
                    })
            }}
        </div>
    }
}

/// A labelled select; blank means the first choice (the default).
#[component]
fn SelectField<V>(
    name: &'static str,
    label: &'static str,
    choices: Vec<(&'static str, &'static str)>,
    value: V,
    checked: Memo<Checked>,
) -> impl IntoView
where
    V: Fn() -> String + Clone + Send + Sync + 'static,
{
    let error = move || checked.with(|c| c.error_for(name));
    let current = {
        let value = value.clone();
        let first = choices.first().map(|(c, _)| *c).unwrap_or_default();
        move || {
            let v = value();
            if v.trim().is_empty() {
                first.to_string()
            } else {
                v
            }
        }
    };
    view! {
        <div class="field" class:field-bad=move || error().is_some()>
            <label for=name>{label}</label>
            <select id=name name=name data-testid=format!("field-{name}") prop:value=current.clone()>
                {choices
                    .into_iter()
                    .map(|(code, text)| {
                        let current = current.clone();
                        view! {
                            <option value=code selected=move || current() == code>
                                {text}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            {move || {
                error()
                    .map(|m| {
                        view! {
                            <p class="field-error" role="alert" data-testid=format!("field-error-{name}")>
                                {m}
                            </p>
                        }
                    })
            }}
        </div>
    }
}

/// Saved profiles: pick one (a link, so it works without JS) or save the current one.
#[component]
fn SavedProfiles(
    form: Memo<OffersForm>,
    checked: Memo<Checked>,
    saved: Resource<Result<Vec<SavedProfileView>, ServerFnError>>,
    save: ServerAction<SaveProfile>,
) -> impl IntoView {
    let field = move |get: fn(&ProfileFields) -> String| move || form.with(|f| get(&f.profile));
    view! {
        <section class="card saved-profiles" data-testid="saved-profiles">
            <h2>"Saved profiles"</h2>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match saved.await {
                        Ok(list) if list.is_empty() => {
                            view! { <p class="muted">"None yet: describe the run above and save it here."</p> }.into_any()
                        }
                        Ok(list) => {
                            let base = form.get_untracked();
                            let query_text = checked.with_untracked(|c| c.query_text.clone());
                            view! {
                                <ul class="profile-list">
                                    {list
                                        .into_iter()
                                        .map(|p| {
                                            let mut f = base.clone();
                                            f.profile = p.fields.clone();
                                            let href = offers_href(&f.canonical_pairs(&query_text));
                                            view! {
                                                <li>
                                                    <a href=href data-testid="saved-profile">{p.name}</a>
                                                    " "
                                                    <span class="muted">{p.summary}</span>
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            }
                                .into_any()
                        }
                        Err(e) => view! { <p class="field-error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
            <ActionForm action=save>
                // The profile as the form above has it (the server checks it again).
                <input type="hidden" name="profile[params_b]" value=field(|p| p.params_b.clone()) />
                <input type="hidden" name="profile[mode]" value=field(|p| p.mode.clone()) />
                <input type="hidden" name="profile[precision]" value=field(|p| p.precision.clone()) />
                <input type="hidden" name="profile[optimizer]" value=field(|p| p.optimizer.clone()) />
                <input type="hidden" name="profile[seq_len]" value=field(|p| p.seq_len.clone()) />
                <input type="hidden" name="profile[micro_batch]" value=field(|p| p.micro_batch.clone()) />
                <input type="hidden" name="profile[dataset_gb]" value=field(|p| p.dataset_gb.clone()) />
                <input type="hidden" name="profile[checkpoints_kept]" value=field(|p| p.checkpoints_kept.clone()) />
                <input type="hidden" name="profile[image_gb]" value=field(|p| p.image_gb.clone()) />
                <div class="save-row">
                    <label for="profile-name">"Save the run above as"</label>
                    <input
                        id="profile-name"
                        name="name"
                        type="text"
                        required
                        maxlength=MAX_NAME_CHARS.to_string()
                        placeholder="7B LoRA, 2k context"
                        data-testid="profile-name"
                    />
                    <button
                        type="submit"
                        class="button"
                        data-testid="save-profile"
                        disabled=move || checked.with(|c| c.profile.is_none())
                    >
                        "Save"
                    </button>
                </div>
            </ActionForm>
            {move || {
                save.value()
                    .get()
                    .map(|r| match r {
                        Ok(SaveOutcome::Saved { name }) => {
                            view! { <p class="ok" role="status" data-testid="save-result">"Saved “" {name} "”."</p> }.into_any()
                        }
                        Ok(SaveOutcome::Invalid { fields }) => {
                            view! { <p class="field-error" role="alert" data-testid="save-result">{field_messages(&fields)}</p> }.into_any()
                        }
                        Err(e) => {
                            view! { <p class="field-error" role="alert" data-testid="save-result">{e.to_string()}</p> }.into_any()
                        }
                    })
            }}
        </section>
    }
}

fn field_messages(fields: &[FieldError]) -> String {
    fields
        .iter()
        .map(|f| format!("{}: {}", f.field, f.message))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The results: what the run needs, verdict counts, the table (cards on a phone), pages.
#[component]
fn Results(view: OffersView, base: OffersForm, query_text: String) -> impl IntoView {
    let v = view;
    // The launch link carries the search and run profile, so the run records
    // what it was chosen for.
    let profile_pairs = {
        let pairs = base.canonical_pairs(&query_text);
        pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&")
    };
    let link = {
        let base = base.clone();
        let query_text = query_text.clone();
        move |sort: SortKey, desc: bool, page: usize| {
            let mut f = base.clone();
            f.sort = sort.code().to_string();
            f.dir = if desc { "desc" } else { "asc" }.to_string();
            let mut pairs = f.canonical_pairs(&query_text);
            if page > 1 {
                pairs.push(("page", page.to_string()));
            }
            offers_href(&pairs)
        }
    };
    let header = {
        let link = link.clone();
        let (sort, desc) = (v.sort, v.desc);
        move |key: SortKey, label: &'static str| {
            let active = key == sort;
            // A second click on the sorted column flips it.
            let next_desc = if active { !desc } else { key.default_desc() };
            let arrow = match (active, desc) {
                (false, _) => "",
                (true, true) => " ▼",
                (true, false) => " ▲",
            };
            let aria_sort = match (active, desc) {
                (false, _) => "none",
                (true, true) => "descending",
                (true, false) => "ascending",
            };
            view! {
                <th scope="col" aria-sort=aria_sort>
                    <a href=link(key, next_desc, 1) data-testid=format!("sort-{}", key.code())>
                        {label}
                        {arrow}
                    </a>
                </th>
            }
        }
    };
    let pager = {
        let link = link.clone();
        let p = v.page;
        let (sort, desc) = (v.sort, v.desc);
        move || {
            view! {
                <nav class="pager" aria-label="Pages" data-testid="pager">
                    {(p.page > 1)
                        .then(|| view! { <a href=link(sort, desc, p.page - 1) rel="prev">"← Previous"</a> })}
                    <span>
                        {format!("Page {} of {} · offers {}–{} of {}", p.page, p.pages, p.first, p.last, v.total)}
                    </span>
                    {(p.page < p.pages)
                        .then(|| view! { <a href=link(sort, desc, p.page + 1) rel="next">"Next →"</a> })}
                </nav>
            }
        }
    };
    let c = v.counts;
    view! {
        <section class="card need" data-testid="vram-formula">
            <h2>"The run needs " {v.vram_need.clone()} " of VRAM"</h2>
            <p class="formula">{v.vram_formula.clone()}</p>
            <details>
                <summary>"Disk, host RAM and the search sent"</summary>
                <p class="formula">"Disk: " {v.disk_formula.clone()}</p>
                <p class="formula">"Host RAM: " {v.ram_formula.clone()}</p>
                <p class="formula"><code data-testid="cli-command">{v.cli_command.clone()}</code></p>
                <pre class="request-body">{v.request_body.clone()}</pre>
            </details>
        </section>
        <p class="counts" data-testid="verdict-counts">
            <span class="badge badge-fits">{c.fits} " fit"</span>
            <span class="badge badge-tight">{c.tight} " tight"</span>
            <span class="badge badge-no">{c.no} " no"</span>
            <span class="muted">{format!(" of {} offers", v.total)}</span>
        </p>
        {if v.rows.is_empty() {
            view! {
                <p class="card notice" data-testid="no-offers">
                    "No offers match this query. Loosen a filter or check the query for typos."
                </p>
            }
                .into_any()
        } else {
            view! {
                {pager()}
                <div class="table-wrap">
                <table class="offers-table" data-testid="offers-table">
                    <thead>
                        <tr>
                            {header(SortKey::Rank, "Verdict")}
                            <th scope="col">"GPU"</th>
                            {header(SortKey::Gpus, "GPUs")}
                            {header(SortKey::Vram, "VRAM")}
                            {header(SortKey::Dph, "$/h")}
                            {header(SortKey::DlPerf, "DLPerf")}
                            {header(SortKey::PerDollar, "Throughput/$")}
                            {header(SortKey::Smoke, "Smoke $")}
                            {header(SortKey::Reliability, "Reliability")}
                            <th scope="col">"Location"</th>
                            <th scope="col">
                                <span class="visually-hidden">"Action"</span>
                            </th>
                        </tr>
                    </thead>
                    <tbody>
                        {v
                            .rows
                            .into_iter()
                            .map(|r| view! { <Row row=r profile=profile_pairs.clone() /> })
                            .collect_view()}
                    </tbody>
                </table>
                </div>
                <p class="muted note">{v.throughput_note.clone()}</p>
                {pager()}
            }
                .into_any()
        }}
    }
}

#[component]
fn Row(row: OfferRow, profile: String) -> impl IntoView {
    let r = row;
    let launch_href = if profile.is_empty() {
        format!("/runs?launch={}", r.id)
    } else {
        format!("/runs?launch={}&{profile}", r.id)
    };
    let badge_class = format!("badge badge-{}", r.fit.label());
    let verdict_word = match r.fit {
        Fit::Fits => "fits",
        Fit::Tight => "tight",
        Fit::No => "no",
    };
    view! {
        <tr data-testid="offer-row" data-offer-id=r.id.to_string() data-fit=verdict_word>
            <td data-label="Verdict" class="cell-verdict">
                <details class="verdict">
                    <summary title=r.summary.clone()>
                        <span class=badge_class data-testid="verdict-badge">{verdict_word}</span>
                        <span class="visually-hidden">" — reasons"</span>
                    </summary>
                    <ul class="reasons" data-testid="verdict-reasons">
                        {r
                            .reasons
                            .into_iter()
                            .map(|x| {
                                view! {
                                    <li class=format!("reason reason-{}", x.fit.label())>
                                        <span class="reason-fit">{x.fit.label()}</span>
                                        " "
                                        {x.text}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                </details>
            </td>
            <td data-label="GPU" class="cell-gpu">
                <strong data-testid="offer-row-gpu">{r.gpu}</strong>
                <span class="muted">" #" {r.id}</span>
            </td>
            <td data-label="GPUs">{r.num_gpus}</td>
            <td data-label="VRAM">{r.vram}</td>
            <td data-label="$/h" data-testid="offer-dph">{r.dph}</td>
            <td data-label="DLPerf">{r.dlperf}</td>
            <td data-label="Throughput/$">{r.per_dollar}</td>
            <td data-label="Smoke $" title="Expected cost of the smoke run">{r.smoke}</td>
            <td data-label="Reliability">{r.reliability}</td>
            <td data-label="Location">{r.location}</td>
            <td class="cell-action">
                <a class="button" href=launch_href data-testid="launch-link">
                    "Launch smoke run"
                </a>
            </td>
        </tr>
    }
}

/// `/offers?k=v&…`, form-encoded.
fn offers_href(pairs: &[(&str, String)]) -> String {
    if pairs.is_empty() {
        return "/offers".to_string();
    }
    let query = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    format!("/offers?{query}")
}

/// `application/x-www-form-urlencoded` encoding of one key or value.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b))
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hrefs_are_form_encoded() {
        assert_eq!(
            offers_href(&[
                ("q", "gpu_name in [RTX_4090] gpu_ram>=24".into()),
                ("sort", "dph".into())
            ]),
            "/offers?q=gpu_name+in+%5BRTX_4090%5D+gpu_ram%3E%3D24&sort=dph"
        );
        assert_eq!(offers_href(&[]), "/offers");
        assert_eq!(encode("€"), "%E2%82%AC");
    }

    #[test]
    fn the_caret_marks_the_column_an_error_points_at() {
        let parts = |t: &str, c: usize| caret_parts(t, c);
        assert_eq!(
            parts("a=1 b=>2", 6),
            Some(("a=1 b".into(), "=".into(), ">2".into()))
        );
        assert_eq!(
            parts("a=", 3),
            Some(("a=".into(), " ".into(), String::new()))
        );
        assert_eq!(
            parts("é=>1", 2),
            Some(("é".into(), "=".into(), ">1".into()))
        );
        assert_eq!(parts("x", 0), None);
    }
}
