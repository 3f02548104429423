//! The Offers page over HTTP, as a browser with JavaScript off sees it: every search is a
//! plain `GET /offers?…` rendered completely on the server.

use crate::helpers::{TestApp, spawn_app};

/// Just enough HTML unescaping to compare text the page put in attributes and cells.
fn unescape(html: &str) -> String {
    html.replace("&gt;", ">")
        .replace("&lt;", "<")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b))
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn offers_path(pairs: &[(&str, &str)]) -> String {
    let q: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect();
    format!("/offers?{}", q.join("&"))
}

async fn page(app: &TestApp, pairs: &[(&str, &str)]) -> String {
    let response = app.get(&offers_path(pairs)).await;
    assert_eq!(response.status(), 200, "{pairs:?}");
    unescape(&response.text().await.expect("a body"))
}

async fn post_form(app: &TestApp, path: &str, body: &str, accept: &str) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("accept", accept)
        .header("referer", app.url("/offers?q=num_gpus%3D1"))
        .body(body.to_string())
        .send()
        .await
        .expect("request to the test app")
}

/// The text of every element with `data-testid="{id}"`, in page order (up to its first
/// closing tag, without the hydration markers Leptos puts between text parts).
fn cells(html: &str, id: &str) -> Vec<String> {
    let marker = format!("data-testid=\"{id}\"");
    html.split(&marker)
        .skip(1)
        .filter_map(|rest| {
            let text = rest.split_once('>')?.1;
            let text = text.split("</").next()?;
            let mut out = String::new();
            let mut rest = text;
            while let Some(start) = rest.find("<!") {
                out.push_str(&rest[..start]);
                rest = rest[start..].split_once('>').map_or("", |(_, r)| r);
            }
            out.push_str(rest);
            Some(out)
        })
        .collect()
}

#[tokio::test]
async fn a_search_renders_gated_ranked_rows_on_the_server() {
    let app = spawn_app().await;
    let html = page(&app, &[("q", "num_gpus=1 gpu_ram>=20")]).await;
    let rows = html.matches("data-testid=\"offer-row\"").count();
    assert_eq!(rows, 25, "one full page of rows");
    let badges = cells(&html, "verdict-badge");
    assert_eq!(badges.len(), 25);
    assert!(
        badges
            .iter()
            .all(|b| ["fits", "tight", "no"].contains(&b.as_str()))
    );
    // Ranked: verdicts never get better further down the list.
    let order = |b: &str| ["fits", "tight", "no"].iter().position(|x| *x == b);
    let ranks: Vec<_> = badges.iter().map(|b| order(b)).collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{badges:?}");
    // Reasons in words behind each badge, the formula, counts, the launch link.
    assert!(html.contains("data-testid=\"verdict-reasons\""));
    assert!(html.contains("VRAM per GPU"), "reasons mention VRAM");
    assert!(html.contains("data-testid=\"vram-formula\""));
    assert!(html.contains("GiB per GPU"));
    assert!(html.contains("data-testid=\"verdict-counts\""));
    assert!(html.contains("href=\"/runs?launch="));
    assert!(html.contains("Page 1 of"));
    // The exact vastai request is shown, with the query's filters in it.
    assert!(html.contains("vastai search offers 'num_gpus=1 gpu_ram>=20'"));
    assert!(
        html.contains("\"gpu_ram\": {\"gte\": 20000.0}"),
        "body has the converted unit"
    );
}

#[tokio::test]
async fn a_bad_query_shows_its_position_beside_the_box_not_a_500() {
    let app = spawn_app().await;
    let html = page(&app, &[("q", "gpu_ram>=24 num_gpus=>2")]).await;
    let error = cells(&html, "query-error");
    assert_eq!(error.len(), 1, "one error under the query box");
    assert!(
        error[0].contains("unknown operator '=>' at 21"),
        "{error:?}"
    );
    // …and the box's text with that character marked.
    assert!(
        html.contains("num_gpus<mark>=<!></mark>>2"),
        "the caret marks column 21"
    );
    assert!(html.contains("data-testid=\"results-invalid\""));
    assert!(!html.contains("data-testid=\"offer-row\""));
    // The box keeps what was typed, so it can be fixed.
    assert!(html.contains("value=\"gpu_ram>=24 num_gpus=>2\""));
}

#[tokio::test]
async fn a_bad_profile_is_rejected_with_a_message_per_field() {
    let app = spawn_app().await;
    let html = page(
        &app,
        &[
            ("q", "num_gpus=1"),
            ("params_b", "seven"),
            ("seq_len", "0"),
            ("mode", "qlora"),
            ("precision", "bf16"),
        ],
    )
    .await;
    assert_eq!(
        cells(&html, "field-error-params_b"),
        vec!["'seven' is not a number"]
    );
    assert!(cells(&html, "field-error-seq_len")[0].contains("at least 1 token"));
    assert!(
        cells(&html, "field-error-precision")[0].contains("QLoRA loads the base model in 4-bit")
    );
    assert!(html.contains("aria-invalid=\"true\""));
    assert!(!html.contains("data-testid=\"offer-row\""));

    // The server function itself re-checks (a client cannot skip the page's checks).
    let response = post_form(
        &app,
        "/api/offers/search",
        "form[q]=num_gpus%3D1&form[profile][params_b]=-3",
        "application/json",
    )
    .await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.expect("json");
    let fields = &body["Invalid"]["fields"];
    assert_eq!(fields[0]["field"], "params_b", "{body}");
    assert!(
        fields[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("positive")),
        "{body}"
    );
}

#[tokio::test]
async fn filters_edit_the_same_query() {
    let app = spawn_app().await;
    // A filter changed from what the page showed (was_…) rewrites its terms in the query.
    let html = page(
        &app,
        &[
            ("q", "num_gpus=1 gpu_ram>=16"),
            ("min_vram", "40"),
            ("was_min_vram", "16"),
            ("gpu", "A100 SXM4, H100 SXM"),
            ("was_gpu", ""),
        ],
    )
    .await;
    assert!(
        html.contains("value=\"num_gpus=1 gpu_ram>=40 gpu_name in [A100_SXM4,H100_SXM]\""),
        "the query box shows the merged query"
    );
    for gpu in cells(&html, "offer-row-gpu") {
        assert!(gpu == "A100 SXM4" || gpu == "H100 SXM", "{gpu}");
    }
    // An unchanged filter leaves the typed query alone, and shows what the query says.
    let html = page(
        &app,
        &[
            ("q", "gpu_ram>=24  num_gpus=2"),
            ("min_vram", "16"),
            ("was_min_vram", "16"),
        ],
    )
    .await;
    assert!(html.contains("value=\"gpu_ram>=24  num_gpus=2\""));
    assert!(html.contains("name=\"min_vram\"") && html.contains("value=\"24\""));
}

#[tokio::test]
async fn columns_sort_and_pages_page_on_the_server() {
    let app = spawn_app().await;
    let html = page(
        &app,
        &[("q", "num_gpus=1"), ("sort", "dph"), ("dir", "asc")],
    )
    .await;
    let prices: Vec<f64> = cells(&html, "offer-dph")
        .iter()
        .filter_map(|p| {
            p.trim_start_matches('$')
                .trim_end_matches("/h")
                .parse()
                .ok()
        })
        .collect();
    assert_eq!(prices.len(), 25);
    assert!(prices.windows(2).all(|w| w[0] <= w[1]), "{prices:?}");
    assert!(html.contains("aria-sort=\"ascending\""));

    let page2 = page(
        &app,
        &[
            ("q", "num_gpus=1"),
            ("sort", "dph"),
            ("dir", "asc"),
            ("page", "2"),
        ],
    )
    .await;
    assert!(page2.contains("Page 2 of"));
    let prices2: Vec<f64> = cells(&page2, "offer-dph")
        .iter()
        .filter_map(|p| {
            p.trim_start_matches('$')
                .trim_end_matches("/h")
                .parse()
                .ok()
        })
        .collect();
    assert!(prices2.first() >= prices.last(), "page 2 continues page 1");
}

#[tokio::test]
async fn a_saved_profile_comes_back_as_a_pick() {
    let app = spawn_app().await;
    let html = page(&app, &[]).await;
    assert!(html.contains("None yet"));

    // As the page's form posts it with JavaScript on (JSON answer).
    let response = post_form(
        &app,
        "/api/profiles/save",
        "name=70B+QLoRA&profile[params_b]=70&profile[mode]=qlora&profile[precision]=4bit&profile[optimizer]=adamw8bit&profile[seq_len]=4096",
        "application/json",
    )
    .await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["Saved"]["name"], "70B QLoRA", "{body}");

    // With JavaScript off the browser is sent back to the page it came from.
    let response = post_form(
        &app,
        "/api/profiles/save",
        "name=small&profile[params_b]=1.2",
        "text/html",
    )
    .await;
    assert!(response.status().is_redirection(), "{}", response.status());
    assert!(
        response.headers()["location"]
            .to_str()
            .is_ok_and(|l| l.ends_with("/offers?q=num_gpus%3D1"))
    );

    // A bad profile is not saved.
    let response = post_form(
        &app,
        "/api/profiles/save",
        "name=bad&profile[seq_len]=0",
        "application/json",
    )
    .await;
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["Invalid"]["fields"][0]["field"], "seq_len", "{body}");

    let html = page(&app, &[("q", "num_gpus=1")]).await;
    let picks = cells(&html, "saved-profile");
    assert_eq!(picks, vec!["70B QLoRA", "small"]);
    // Picking keeps the query and brings the whole profile back.
    assert!(html.contains(
        "href=\"/offers?q=num_gpus%3D1&params_b=70&mode=qlora&precision=4bit&optimizer=adamw8bit&seq_len=4096"
    ));
    assert!(html.contains("70B QLoRA, 4-bit, 4096 tokens × 1"));

    // Saving under the same name replaces it.
    let response = post_form(
        &app,
        "/api/profiles/save",
        "name=small&profile[params_b]=3.2",
        "application/json",
    )
    .await;
    assert_eq!(response.status(), 200);
    let html = page(&app, &[]).await;
    assert_eq!(cells(&html, "saved-profile"), vec!["70B QLoRA", "small"]);
    assert!(html.contains("3.2B LoRA"));
}
