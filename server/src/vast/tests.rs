//! Client ↔ simulator over real HTTP (axum on 127.0.0.1:0): every endpoint, fault knob,
//! scenario and bad input. The first test is the Rust twin of
//! `scripts/vastai-conformance.sh`.

use super::client::{LogsRequest, RetryPolicy, VastClient, VastClientConfig};
use super::error::VastError;
use super::sim::faults::{Endpoint, FaultKind, FaultRule, ScenarioSpec};
use super::sim::{HostProvider, SimConfig, SimHandle, Simulator, SshEndpoint};
use super::types::{ApiKey, CreateInstanceRequest, SearchQuery};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const KEY: &str = "test-key-123";
const T0: f64 = 1_795_000_000.0;

fn cfg() -> SimConfig {
    SimConfig {
        api_key: Some(KEY.into()),
        offers: Some(2_000),
        start_time: Some(T0),
        speed: 0.0, // frozen: tests move time with advance()
        log_ready_after_polls: 1,
        ..Default::default()
    }
}

fn fast_retry() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        base_backoff: Duration::from_millis(5),
        backoff_factor: 1.5,
        max_retry_after: Duration::from_secs(60),
    }
}

async fn start(cfg: SimConfig) -> (SimHandle, VastClient) {
    let sim = Simulator::new(cfg).expect("sim");
    let h = sim
        .spawn("127.0.0.1:0".parse().unwrap())
        .await
        .expect("bind");
    let mut c = VastClientConfig::new(h.base_url(), Some(ApiKey::new(KEY)));
    c.retry = fast_retry();
    c.log_poll_interval = Duration::from_millis(10);
    (h, VastClient::with_config(c).unwrap())
}

fn client_with(
    h: &SimHandle,
    key: Option<&str>,
    f: impl FnOnce(&mut VastClientConfig),
) -> VastClient {
    let mut c = VastClientConfig::new(h.base_url(), key.map(ApiKey::new));
    c.retry = fast_retry();
    c.log_poll_interval = Duration::from_millis(10);
    f(&mut c);
    VastClient::with_config(c).unwrap()
}

fn req(scenario: &str) -> CreateInstanceRequest {
    CreateInstanceRequest::new("pytorch/pytorch", 20.0)
        .env("CANOPY_SCENARIO", scenario)
        .env("-p 8080:8080", "1")
        .onstart("echo hi")
}

async fn rtx4090(c: &VastClient, n: u32) -> Vec<u64> {
    let q = SearchQuery::default()
        .filter("gpu_name", "eq", "RTX 4090")
        .filter("num_gpus", "eq", "1")
        .filter("reliability", "gt", "0.95")
        .order(&[("dph_total", false)])
        .limit(n);
    c.search_offers(&q)
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.id)
        .collect()
}

async fn raw(
    h: &SimHandle,
    method: &str,
    path: &str,
    body: Option<&str>,
    auth: Option<&str>,
) -> (u16, String, String) {
    let http = reqwest::Client::new();
    let url = format!("{}{}", h.base_url(), path);
    let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut rb = http.request(m, &url);
    if let Some(k) = auth {
        rb = rb.bearer_auth(k);
    }
    if let Some(b) = body {
        rb = rb
            .header("content-type", "application/json")
            .body(b.to_string());
    }
    let r = rb.send().await.unwrap();
    let st = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (st, ct, r.text().await.unwrap())
}

/// The conformance script's flow through our client: search → pick → create → show →
/// logs → destroy → show again.
#[tokio::test]
async fn conformance_flow() {
    let (h, c) = start(cfg()).await;
    let offers = c
        .search_offers(
            &SearchQuery::default()
                .filter("gpu_ram", "gte", 24000.0)
                .filter("num_gpus", "eq", "1")
                .filter("reliability", "gt", "0.98")
                .filter("gpu_name", "eq", "RTX 4090"),
        )
        .await
        .unwrap();
    assert!(!offers.is_empty());
    assert!(
        offers
            .iter()
            .all(|o| o.gpu_name == "RTX 4090" && o.num_gpus == 1 && o.reliability.unwrap() > 0.98)
    );
    let offer = offers[0].clone();
    let out = c
        .create_idempotent(offer.id, &req("healthy_hf"), "run-conf-1")
        .await
        .unwrap();
    assert!(!out.reused);
    let id = out.instance_id;
    let list = c.list_instances().await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].label.as_deref(), Some("run-conf-1"));
    assert!(
        list[0]
            .env_pairs()
            .contains(&("CANOPY_SCENARIO".into(), "healthy_hf".into()))
    );
    let shown = c.show_instance(id).await.unwrap().unwrap();
    assert_ne!(shown.actual_status.as_deref(), Some("running"));
    assert!(shown.start_date.is_some() && shown.extra_env.is_some());
    // The rented offer left the (default, rentable) search.
    let again = c
        .search_offers(&SearchQuery::default().filter("id", "eq", offer.id))
        .await
        .unwrap();
    assert!(again.is_empty());
    h.sim.advance(120.0);
    let shown = c.show_instance(id).await.unwrap().unwrap();
    assert_eq!(shown.actual_status.as_deref(), Some("running"));
    assert!(shown.status_msg.as_deref().unwrap().starts_with("success"));
    assert_eq!(shown.ssh_port, Some(0), "no host provider: no SSH");
    assert_eq!(shown.ssh_target(), None);
    let logs = c
        .request_logs(
            id,
            &LogsRequest {
                tail: Some(50),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(logs.contains("Pulling from pytorch/pytorch"), "{logs}");
    assert!(logs.contains("\nhi\n"), "onstart echo: {logs}");
    let filtered = c
        .request_logs(
            id,
            &LogsRequest {
                filter: Some("fs layer".into()),
                tail: Some(2),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(filtered.lines().count(), 2);
    let daemon = c
        .request_logs(
            id,
            &LogsRequest {
                daemon_logs: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(daemon.contains("[daemon]"));
    let user = c.current_user().await.unwrap();
    assert!(user.credit.unwrap() < 25.0);
    c.destroy_instance(id).await.unwrap();
    assert!(c.show_instance(id).await.unwrap().is_none());
    assert!(c.list_instances().await.unwrap().is_empty());
    let back = c
        .search_offers(&SearchQuery::default().filter("id", "eq", offer.id))
        .await
        .unwrap();
    assert_eq!(back.len(), 1);
}

#[tokio::test]
async fn auth_and_paths() {
    let (h, c) = start(cfg()).await;
    // Search is public; other endpoints need the key.
    let anon = client_with(&h, None, |_| {});
    assert!(
        !anon
            .search_offers(&SearchQuery::default().limit(3))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        anon.current_user().await,
        Err(VastError::MissingApiKey)
    ));
    let wrong = client_with(&h, Some("nope"), |_| {});
    match wrong.current_user().await {
        Err(e @ VastError::Unauthorized { .. }) => {
            assert!(e.to_string().contains("Invalid user key"))
        }
        other => panic!("{other:?}"),
    }
    assert!(c.current_user().await.is_ok());
    // Raw: both slash forms, api_key query param, exact content type, error body shape.
    for p in ["/api/v0/users/current", "/api/v0/users/current/"] {
        let (st, ct, _) = raw(&h, "GET", p, None, Some(KEY)).await;
        assert_eq!((st, ct.as_str()), (200, "application/json"), "{p}");
    }
    let (st, _, _) = raw(
        &h,
        "GET",
        &format!("/api/v0/users/current?api_key={KEY}"),
        None,
        None,
    )
    .await;
    assert_eq!(st, 200);
    let (st, ct, body) = raw(&h, "GET", "/api/v0/users/current", None, Some("bad")).await;
    assert_eq!((st, ct.as_str()), (401, "application/json"));
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap(),
        json!({"success": false, "error": "auth_error", "msg": "Invalid user key"})
    );
    let (st, _, _) = raw(&h, "GET", "/api/v0/users/current", None, None).await;
    assert_eq!(st, 401);
    for (m, p) in [("POST", "/api/v0/bundles"), ("POST", "/api/v0/bundles/")] {
        let (st, ct, body) = raw(&h, m, p, Some(r#"{"limit": 1}"#), None).await;
        assert_eq!((st, ct.as_str()), (200, "application/json"));
        assert_eq!(
            serde_json::from_str::<Value>(&body).unwrap()["offers"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
    }
    // Legacy GET ?q= and the experimental PUT /search/asks/.
    let q = super::client::url_encode(r#"{"gpu_name": {"eq": "H100 SXM"}, "limit": 2}"#);
    let (st, _, body) = raw(&h, "GET", &format!("/api/v0/bundles?q={q}"), None, None).await;
    assert_eq!(st, 200);
    let v: Value = serde_json::from_str(&body).unwrap();
    assert!(
        v["offers"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["gpu_name"] == "H100 SXM")
    );
    let (st, _, body) = raw(
        &h,
        "PUT",
        "/api/v0/search/asks/",
        Some(r#"{"select_cols": ["*"], "q": {"gpu_name": {"eq": "H200"}, "limit": 2}}"#),
        None,
    )
    .await;
    assert_eq!(st, 200);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["offers"][0]["gpu_name"],
        "H200"
    );
    // GPU names (no auth), unknown path, wrong method.
    let (st, _, body) = raw(&h, "GET", "/api/v0/gpu_names/unique/", None, None).await;
    assert_eq!(st, 200);
    assert!(body.contains("RTX 4090") && body.contains("H100 SXM"));
    let (st, ct, body) = raw(&h, "GET", "/api/v0/no/such/thing/", None, Some(KEY)).await;
    assert_eq!((st, ct.as_str()), (404, "application/json"));
    assert!(body.contains("\"success\":false"));
    let (st, _, _) = raw(&h, "PATCH", "/api/v0/instances/1/", Some("{}"), Some(KEY)).await;
    assert_eq!(st, 405);
    let (st, _, _) = raw(&h, "GET", "/api/v0/gpu_types/", None, None).await;
    assert_eq!(st, 200);
    // launch_instance picks the best matching rentable offer server-side.
    let (st, _, body) = raw(&h, "PUT", "/api/v0/launch_instance/", Some(r#"{"image": "pytorch/pytorch", "disk": 16.0, "q": {"gpu_name": {"eq": "H100 SXM"}, "num_gpus": {"eq": "1"}, "order": [["dph_total", "asc"]], "limit": 3}, "env": {}, "runtype": "ssh"}"#), Some(KEY)).await;
    assert_eq!(st, 200, "{body}");
    let id = serde_json::from_str::<Value>(&body).unwrap()["new_contract"]
        .as_u64()
        .unwrap();
    assert_eq!(
        c.show_instance(id)
            .await
            .unwrap()
            .unwrap()
            .gpu_name
            .as_deref(),
        Some("H100 SXM")
    );
    let (st, _, _) = raw(
        &h,
        "PUT",
        "/api/v0/launch_instance/",
        Some(r#"{"image": "x", "q": {"gpu_name": {"eq": "No Such GPU"}}}"#),
        Some(KEY),
    )
    .await;
    assert_eq!(st, 404);
}

#[tokio::test]
async fn bad_input_is_answered_like_vast() {
    let (h, c) = start(cfg()).await;
    // Malformed JSON / wrong shapes → 400 invalid_request, never a panic.
    for (m, p, b) in [
        ("POST", "/api/v0/bundles/", "{not json"),
        ("POST", "/api/v0/bundles/", "[1,2]"),
        ("PUT", "/api/v0/asks/123/", "{\"image\": "),
        ("PUT", "/api/v0/instances/1/", "\"stopped\""),
        ("DELETE", "/api/v0/instances/", "{{"),
        ("POST", "/api/v0/ssh/", "nope"),
    ] {
        let (st, ct, body) = raw(&h, m, p, Some(b), Some(KEY)).await;
        assert_eq!((st, ct.as_str()), (400, "application/json"), "{m} {p} {b}");
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["success"], false);
        assert_eq!(v["error"], "invalid_request");
    }
    // Wrong types in a search → 400 invalid_args → client BadRequest.
    let q = SearchQuery::empty().filter("num_gpus", "eq", "lots");
    match c.search_offers(&q).await {
        Err(VastError::BadRequest {
            status: 400, code, ..
        }) => assert_eq!(code, "invalid_args"),
        other => panic!("{other:?}"),
    }
    let mut bad = SearchQuery::empty();
    bad.0.insert("num_gpus".into(), json!(1));
    assert!(matches!(
        c.search_offers(&bad).await,
        Err(VastError::BadRequest { .. })
    ));
    // Unknown fields in a create are ignored (the CLI sends many); wrong types are not.
    let offers = rtx4090(&c, 3).await;
    let (st, _, body) = raw(
        &h,
        "PUT",
        &format!("/api/v0/asks/{}/", offers[0]),
        Some(r#"{"image": "ubuntu", "disk": 10, "whatever": [1], "runtype": "ssh"}"#),
        Some(KEY),
    )
    .await;
    assert_eq!(st, 200, "{body}");
    let (st, _, body) = raw(
        &h,
        "PUT",
        &format!("/api/v0/asks/{}/", offers[1]),
        Some(r#"{"image": "ubuntu", "disk": "big"}"#),
        Some(KEY),
    )
    .await;
    assert_eq!(st, 400, "{body}");
    let (st, _, _) = raw(
        &h,
        "PUT",
        &format!("/api/v0/asks/{}/", offers[1]),
        Some(r#"{"image": 5}"#),
        Some(KEY),
    )
    .await;
    assert_eq!(st, 400);
    let (st, _, _) = raw(
        &h,
        "PUT",
        &format!("/api/v0/asks/{}/", offers[1]),
        Some(r#"{"disk": 10}"#),
        Some(KEY),
    )
    .await;
    assert_eq!(st, 400, "image required");
    let mut r = req("healthy_hf");
    r.price = Some(0.000_01);
    assert!(matches!(
        c.create_instance(offers[1], &r).await,
        Err(VastError::BadRequest { .. })
    ));
    // Unknown / already rented offers → 404 no_such_ask → NotFound naming the offer.
    match c.create_instance(1, &req("healthy_hf")).await {
        Err(e @ VastError::NotFound { .. }) => assert!(e.to_string().contains("offer 1"), "{e}"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        c.create_instance(offers[0], &req("healthy_hf")).await,
        Err(VastError::NotFound { .. })
    ));
    // Unknown instance ids.
    assert!(c.show_instance(424_242_424).await.unwrap().is_none());
    assert!(matches!(
        c.destroy_instance(424_242_424).await,
        Err(VastError::NotFound { .. })
    ));
    assert!(matches!(
        c.stop_instance(424_242_424).await,
        Err(VastError::NotFound { .. })
    ));
    assert!(matches!(
        c.set_label(424_242_424, "x").await,
        Err(VastError::NotFound { .. })
    ));
    assert!(matches!(
        c.request_logs(424_242_424, &LogsRequest::default()).await,
        Err(VastError::NotFound { .. })
    ));
    assert!(matches!(
        c.attach_ssh_key(424_242_424, "ssh-ed25519 AAAA x").await,
        Err(VastError::NotFound { .. })
    ));
    let (st, _, body) = raw(&h, "GET", "/api/v0/instances/abc/", None, Some(KEY)).await;
    assert_eq!(st, 404);
    assert!(body.contains("invalid_id"));
    // Bad manage bodies.
    let id = c.list_instances().await.unwrap()[0].id;
    let (st, _, _) = raw(
        &h,
        "PUT",
        &format!("/api/v0/instances/{id}/"),
        Some(r#"{"state": "paused"}"#),
        Some(KEY),
    )
    .await;
    assert_eq!(st, 400);
    let long = "x".repeat(2000);
    match c.set_label(id, &long).await {
        Err(VastError::BadRequest { code, .. }) => assert_eq!(code, "label_too_long"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        c.attach_ssh_key(id, "not a key").await,
        Err(VastError::BadRequest { .. })
    ));
    // v1 listing: computed column filter, bad token, bad JSON.
    for q in [
        "select_filters=%7B%22dph_total%22%3A%7B%22lt%22%3A1%7D%7D",
        "after_token=zzzz",
        "select_filters=%7Bnot",
        "order_by=%5B%7B%22col%22%3A%22num_gpus%22%7D%5D",
    ] {
        let (st, _, body) = raw(
            &h,
            "GET",
            &format!("/api/v1/instances/?{q}"),
            None,
            Some(KEY),
        )
        .await;
        assert_eq!(st, 400, "{q}: {body}");
    }
    match c.list_instances_page(&json!({}), 25, Some("00")).await {
        Err(VastError::BadRequest { code, .. }) => assert_eq!(code, "invalid_token"),
        other => panic!("{other:?}"),
    }
    // Log download of an unknown token: S3-style 404.
    let (st, _, _) = raw(&h, "GET", "/_sim/instance_logs/nope.log", None, None).await;
    assert_eq!(st, 404);
}

#[tokio::test]
async fn manage_stop_start_label_keys() {
    let (h, c) = start(cfg()).await;
    let offer = rtx4090(&c, 1).await[0];
    let id = c
        .create_instance(offer, &req("fast_boot").label("a"))
        .await
        .unwrap();
    h.sim.advance(30.0);
    assert_eq!(
        c.show_instance(id)
            .await
            .unwrap()
            .unwrap()
            .actual_status
            .as_deref(),
        Some("running")
    );
    c.set_label(id, "b").await.unwrap();
    c.stop_instance(id).await.unwrap();
    let i = c.show_instance(id).await.unwrap().unwrap();
    assert_eq!(
        (
            i.actual_status.as_deref(),
            i.intended_status.as_deref(),
            i.label.as_deref()
        ),
        (Some("stopped"), Some("stopped"), Some("b"))
    );
    c.stop_instance(id).await.unwrap(); // idempotent
    c.start_instance(id).await.unwrap();
    assert_eq!(
        c.show_instance(id)
            .await
            .unwrap()
            .unwrap()
            .actual_status
            .as_deref(),
        Some("loading")
    );
    h.sim.advance(30.0);
    assert_eq!(
        c.show_instance(id)
            .await
            .unwrap()
            .unwrap()
            .actual_status
            .as_deref(),
        Some("running")
    );
    // SSH keys: account and instance.
    let k = c
        .add_account_ssh_key("ssh-ed25519 AAAAC3Nza test@x\n")
        .await
        .unwrap();
    assert_eq!(k.key, "ssh-ed25519 AAAAC3Nza test@x");
    assert_eq!(c.list_account_ssh_keys().await.unwrap().len(), 1);
    c.attach_ssh_key(id, "ssh-ed25519 BBBB other@y")
        .await
        .unwrap();
    let (st, _, body) = raw(
        &h,
        "GET",
        &format!("/api/v0/instances/{id}/ssh/"),
        None,
        Some(KEY),
    )
    .await;
    assert_eq!(st, 200);
    let v: Value = serde_json::from_str(&body).unwrap();
    assert!(v["ssh_keys"].as_str().unwrap().contains("BBBB"));
    // Reboot, bulk stop, bulk destroy.
    let (st, _, _) = raw(
        &h,
        "PUT",
        &format!("/api/v0/instances/reboot/{id}/"),
        Some("{}"),
        Some(KEY),
    )
    .await;
    assert_eq!(st, 200);
    let (st, _, _) = raw(
        &h,
        "PUT",
        "/api/v0/instances/",
        Some(&format!(r#"{{"state": "stopped", "ids": [{id}]}}"#)),
        Some(KEY),
    )
    .await;
    assert_eq!(st, 200);
    assert_eq!(
        c.show_instance(id)
            .await
            .unwrap()
            .unwrap()
            .actual_status
            .as_deref(),
        Some("stopped")
    );
    let (st, _, _) = raw(
        &h,
        "DELETE",
        "/api/v0/instances/",
        Some(&format!(r#"{{"instance_ids": [{id}, 5]}}"#)),
        Some(KEY),
    )
    .await;
    assert_eq!(st, 200);
    assert!(c.list_instances().await.unwrap().is_empty());
    // Legacy v0 list and filters.
    let (st, _, body) = raw(&h, "GET", "/api/v0/instances?owner=me", None, Some(KEY)).await;
    assert_eq!((st, body.as_str()), (200, r#"{"instances":[]}"#));
    let (st, _, _) = raw(&h, "GET", "/api/v0/instances/filters/", None, Some(KEY)).await;
    assert_eq!(st, 200);
}

#[tokio::test]
async fn v1_pagination_and_filters() {
    let (h, c) = start(SimConfig {
        initial_credit: 10_000.0,
        ..cfg()
    })
    .await;
    let offers = c
        .search_offers(
            &SearchQuery::default()
                .order(&[("dph_total", false)])
                .limit(30),
        )
        .await
        .unwrap();
    assert_eq!(offers.len(), 30);
    let mut ids = Vec::new();
    let mut evens = 0;
    for (i, o) in offers.iter().enumerate() {
        let label = if i % 3 == 0 { "even" } else { "odd" };
        match c
            .create_instance(o.id, &req("healthy_hf").label(label))
            .await
        {
            Ok(id) => {
                ids.push(id);
                evens += (i % 3 == 0) as usize;
            }
            Err(VastError::NotFound { .. }) => {} // an earlier rental on the same machine took its GPUs
            Err(e) => panic!("{e}"),
        }
    }
    assert!(ids.len() > 25, "need more than one page");
    let page = c.list_instances_page(&json!({}), 25, None).await.unwrap();
    assert_eq!(page.instances.len(), 25);
    assert_eq!(page.total_instances, Some(ids.len() as u64));
    assert!(page.next_token.is_some());
    let all = c.list_instances().await.unwrap();
    assert_eq!(
        all.iter().map(|i| i.id).collect::<Vec<_>>(),
        ids,
        "all pages, id order, no duplicates"
    );
    let even = c.find_by_label("even").await.unwrap();
    assert_eq!(even.len(), evens);
    let running = c
        .list_instances_where(json!({"actual_status": {"in": ["running"]}}))
        .await
        .unwrap();
    assert!(running.is_empty());
    h.sim.advance(600.0);
    let running = c
        .list_instances_where(json!({"actual_status": {"in": ["running"]}}))
        .await
        .unwrap();
    assert_eq!(running.len(), ids.len());
    // Keyset pagination survives deletions between pages.
    let p1 = c.list_instances_page(&json!({}), 10, None).await.unwrap();
    c.destroy_instance(p1.instances[9].id).await.unwrap();
    let p2 = c
        .list_instances_page(&json!({}), 10, p1.next_token.as_deref())
        .await
        .unwrap();
    assert_eq!(p2.instances[0].id, ids[10]);
    // label_counts, select_cols, limit clamp.
    let (_, _, body) = raw(
        &h,
        "GET",
        "/api/v1/instances/?limit=100&select_cols=%5B%22id%22%2C%22nope%22%5D",
        None,
        Some(KEY),
    )
    .await;
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v["instances"].as_array().unwrap().len(), 25);
    assert_eq!(v["instances"][0].as_object().unwrap().len(), 2);
    assert!(v["instances"][0]["nope"].is_null());
    assert_eq!(
        v["label_counts"]["even"],
        evens - (p1.instances[9].label.as_deref() == Some("even")) as usize
    );
    let (_, _, body) = raw(
        &h,
        "GET",
        "/api/v1/instances/?limit=0&select_filters=%7B%22label%22%3A%7B%22in%22%3A%5Bnull%5D%7D%7D",
        None,
        Some(KEY),
    )
    .await;
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["total_instances"],
        0
    );
}

#[tokio::test]
async fn retries_and_rate_limits() {
    let (h, c) = start(cfg()).await;
    // 429 storm with Retry-After: 1 → waited for, then success.
    h.sim.inject(
        FaultRule::new(
            Endpoint::User,
            FaultKind::RateLimited {
                retry_after_s: Some(1.0),
            },
        )
        .times(2),
    );
    let t = Instant::now();
    assert!(c.current_user().await.is_ok());
    assert!(t.elapsed() >= Duration::from_secs(2));
    // Retry-After above 60 s → not waited for; the error says when to come back.
    h.sim.inject(FaultRule::new(
        Endpoint::User,
        FaultKind::RateLimited {
            retry_after_s: Some(120.0),
        },
    ));
    match c.current_user().await {
        Err(e @ VastError::RateLimited { .. }) => {
            assert!(
                matches!(e, VastError::RateLimited { retry_after: Some(d), .. } if d == Duration::from_secs(120))
            );
            assert!(e.to_string().contains("retry after 120 s"));
        }
        other => panic!("{other:?}"),
    }
    // A storm longer than the retry budget (no Retry-After → backoff).
    h.sim.inject(
        FaultRule::new(
            Endpoint::Any,
            FaultKind::RateLimited {
                retry_after_s: None,
            },
        )
        .times(10),
    );
    assert!(matches!(
        c.list_instances().await,
        Err(VastError::RateLimited {
            retry_after: None,
            ..
        })
    ));
    h.sim.clear_faults();
    // Daily search quota: exactly one request, reset time surfaced.
    h.sim
        .inject(FaultRule::new(Endpoint::Search, FaultKind::SearchQuota).times(0));
    let before = h.sim.request_count();
    match c.search_offers(&SearchQuery::default()).await {
        Err(e @ VastError::SearchQuotaExceeded { .. }) => {
            let reset = ((T0 as u64) / 86_400 + 1) * 86_400;
            assert!(
                matches!(e, VastError::SearchQuotaExceeded { resets_at: Some(r), .. } if r == reset)
            );
            assert!(e.to_string().contains("UTC"), "{e}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(h.sim.request_count() - before, 1, "quota is not retried");
    h.sim.clear_faults();
    // 502/503/504 are retried; 500 is not.
    h.sim
        .inject(FaultRule::new(Endpoint::Search, FaultKind::ServerError { status: 503 }).times(2));
    assert!(
        c.search_offers(&SearchQuery::default().limit(1))
            .await
            .is_ok()
    );
    h.sim.inject(FaultRule::new(
        Endpoint::Search,
        FaultKind::ServerError { status: 500 },
    ));
    let before = h.sim.request_count();
    assert!(matches!(
        c.search_offers(&SearchQuery::default()).await,
        Err(VastError::Server { status: 500, .. })
    ));
    assert_eq!(h.sim.request_count() - before, 1);
    h.sim
        .inject(FaultRule::new(Endpoint::Any, FaultKind::ServerError { status: 502 }).times(0));
    assert!(matches!(
        c.current_user().await,
        Err(VastError::Server { status: 502, .. })
    ));
    h.sim.clear_faults();
    // Timeouts: the client gives up per request and retries idempotent calls.
    let quick = client_with(&h, Some(KEY), |c| {
        c.request_timeout = Duration::from_millis(300)
    });
    h.sim.inject(FaultRule::new(
        Endpoint::User,
        FaultKind::Timeout { secs: 1.0 },
    ));
    assert!(
        quick.current_user().await.is_ok(),
        "second attempt succeeds"
    );
    h.sim
        .inject(FaultRule::new(Endpoint::User, FaultKind::Timeout { secs: 1.0 }).times(0));
    assert!(matches!(
        quick.current_user().await,
        Err(VastError::Timeout { .. })
    ));
    h.sim.clear_faults();
    // Connection refused → Connection error naming the URL.
    let dead = VastClient::with_config(VastClientConfig {
        retry: fast_retry(),
        ..VastClientConfig::new("http://127.0.0.1:9", Some(ApiKey::new(KEY)))
    })
    .unwrap();
    match dead.current_user().await {
        Err(e @ VastError::Connection { .. }) => assert!(e.to_string().contains("127.0.0.1:9")),
        other => panic!("{other:?}"),
    }
    // Fault spec through the admin endpoint.
    let (st, _, _) = raw(
        &h,
        "POST",
        "/_sim/faults",
        Some(r#"{"spec": "user=503*1"}"#),
        None,
    )
    .await;
    assert_eq!(st, 200);
    let (_, _, body) = raw(&h, "GET", "/_sim/faults", None, None).await;
    assert!(body.contains("server_error"));
    let (st, _, _) = raw(&h, "DELETE", "/_sim/faults", None, None).await;
    assert_eq!(st, 200);
}

#[tokio::test]
async fn create_is_never_duplicated() {
    let (h, c) = start(cfg()).await;
    let offers = rtx4090(&c, 6).await;
    // Create succeeds server-side, then the reply is a 500.
    h.sim.inject(FaultRule::new(
        Endpoint::Create,
        FaultKind::CreateThenError { status: 500 },
    ));
    let out = c
        .create_idempotent(offers[0], &req("healthy_hf"), "run-a")
        .await
        .unwrap();
    assert!(out.reused, "found by label after the ambiguous failure");
    assert_eq!(c.find_by_label("run-a").await.unwrap().len(), 1);
    // Reply never arrives (client timeout).
    let quick = client_with(&h, Some(KEY), |c| {
        c.request_timeout = Duration::from_millis(300)
    });
    h.sim.inject(FaultRule::new(
        Endpoint::Create,
        FaultKind::CreateThenTimeout { secs: 1.0 },
    ));
    let out = quick
        .create_idempotent(offers[1], &req("healthy_hf"), "run-b")
        .await
        .unwrap();
    assert!(out.reused);
    assert_eq!(c.find_by_label("run-b").await.unwrap().len(), 1);
    // Scenario-driven create error.
    let out = c
        .create_idempotent(offers[2], &req("create_error"), "run-c")
        .await
        .unwrap();
    assert!(out.reused);
    // 503 before anything was created → retried, created once.
    h.sim.inject(FaultRule::new(
        Endpoint::Create,
        FaultKind::ServerError { status: 503 },
    ));
    let out = c
        .create_idempotent(offers[3], &req("healthy_hf"), "run-d")
        .await
        .unwrap();
    assert!(!out.reused);
    assert_eq!(c.find_by_label("run-d").await.unwrap().len(), 1);
    // Calling again with the same label never rents a second instance.
    let again = c
        .create_idempotent(offers[4], &req("healthy_hf"), "run-a")
        .await
        .unwrap();
    assert!(again.reused);
    assert_eq!(c.list_instances().await.unwrap().len(), 4);
    // Plain create_instance surfaces the ambiguous error instead of retrying.
    h.sim.inject(FaultRule::new(
        Endpoint::Create,
        FaultKind::CreateThenError { status: 502 },
    ));
    assert!(matches!(
        c.create_instance(offers[5], &req("healthy_hf")).await,
        Err(VastError::Server { status: 502, .. })
    ));
    assert_eq!(c.list_instances().await.unwrap().len(), 5);
    assert!(
        c.create_idempotent(offers[5], &req("x"), " ")
            .await
            .is_err()
    );
}

#[derive(Default)]
struct FakeHosts {
    calls: Mutex<Vec<String>>,
}

impl HostProvider for FakeHosts {
    fn provision(
        &self,
        id: u64,
        scenario: &str,
        keys: &[String],
        _hardware: &super::HostHardware,
    ) -> Result<SshEndpoint, String> {
        self.calls
            .lock()
            .unwrap()
            .push(format!("provision {id} {scenario} {}", keys.len()));
        Ok(SshEndpoint {
            host: "127.0.0.1".into(),
            port: 40_000 + (id % 1000) as u16,
        })
    }
    fn release(&self, id: u64) {
        self.calls.lock().unwrap().push(format!("release {id}"));
    }
    fn attach_key(&self, id: u64, _key: &str) {
        self.calls.lock().unwrap().push(format!("key {id}"));
    }
    fn logs(&self, _id: u64) -> Option<String> {
        Some("step 1 loss 2.0\nstep 2 loss 1.9\n".into())
    }
}

#[tokio::test]
async fn scenarios_and_host_provider() {
    let (h, c) = start(cfg()).await;
    let hosts = Arc::new(FakeHosts::default());
    h.sim.set_host_provider(hosts.clone());
    c.add_account_ssh_key("ssh-ed25519 AAAAacct me@x")
        .await
        .unwrap();
    let offers = rtx4090(&c, 5).await;
    let healthy = c
        .create_instance(offers[0], &req("healthy_hf"))
        .await
        .unwrap();
    let stuck = c
        .create_instance(offers[1], &req("stuck_loading"))
        .await
        .unwrap();
    let offline = c
        .create_instance(offers[2], &req("host_offline"))
        .await
        .unwrap();
    let exited = c
        .create_instance(offers[3], &req("container_exited"))
        .await
        .unwrap();
    // api_storm: the API throws 429s/503s at the instance endpoints; the client rides them out.
    let storm = c
        .create_instance(offers[4], &req("api_storm"))
        .await
        .unwrap();
    assert!(
        c.show_instance(storm).await.unwrap().is_some(),
        "3 × 429 with Retry-After 1 → 4th attempt"
    );
    assert_eq!(c.list_instances().await.unwrap().len(), 5);
    assert!(c.current_user().await.is_ok());
    c.destroy_instance(storm).await.unwrap();
    // Scenario from the label when no env names one.
    let by_label = c
        .create_instance(
            offers[4],
            &CreateInstanceRequest::new("img", 10.0).label("run-9 scenario=stuck_loading"),
        )
        .await
        .unwrap();
    h.sim.advance(100.0);
    let i = c.show_instance(healthy).await.unwrap().unwrap();
    assert_eq!(i.actual_status.as_deref(), Some("running"));
    let port = 40_000 + (healthy % 1000) as u16;
    assert_eq!(i.ssh_target(), Some(("127.0.0.1".into(), port)));
    assert_eq!(i.ssh_host.as_deref(), Some("127.0.0.1"));
    assert_eq!(
        i.ports.as_ref().unwrap()["22/tcp"][0]["HostPort"],
        json!(port.to_string())
    );
    assert!(
        hosts
            .calls
            .lock()
            .unwrap()
            .contains(&format!("provision {healthy} healthy_hf 1"))
    );
    let logs = c
        .request_logs(healthy, &LogsRequest::default())
        .await
        .unwrap();
    assert!(
        logs.contains("step 2 loss 1.9"),
        "provider logs win: {logs}"
    );
    c.attach_ssh_key(healthy, "ssh-ed25519 AAAAnew me@y")
        .await
        .unwrap();
    assert!(
        hosts
            .calls
            .lock()
            .unwrap()
            .contains(&format!("key {healthy}"))
    );
    let s = c.show_instance(stuck).await.unwrap().unwrap();
    assert_eq!(s.actual_status.as_deref(), Some("loading"));
    assert_eq!(
        c.show_instance(by_label)
            .await
            .unwrap()
            .unwrap()
            .actual_status
            .as_deref(),
        Some("loading")
    );
    let e = c.show_instance(exited).await.unwrap().unwrap();
    assert_eq!(e.actual_status.as_deref(), Some("exited"));
    assert!(e.status_msg.unwrap().contains("exit"));
    assert_eq!(
        c.show_instance(offline)
            .await
            .unwrap()
            .unwrap()
            .actual_status
            .as_deref(),
        Some("running")
    );
    h.sim.advance(10_000.0);
    assert_eq!(
        c.show_instance(stuck)
            .await
            .unwrap()
            .unwrap()
            .actual_status
            .as_deref(),
        Some("loading")
    );
    let o = c.show_instance(offline).await.unwrap().unwrap();
    assert_eq!(o.actual_status.as_deref(), Some("offline"));
    assert_eq!(o.ssh_target(), None);
    assert!(
        hosts
            .calls
            .lock()
            .unwrap()
            .contains(&format!("release {offline}"))
    );
    c.stop_instance(healthy).await.unwrap();
    assert!(
        hosts
            .calls
            .lock()
            .unwrap()
            .contains(&format!("release {healthy}"))
    );
    c.start_instance(healthy).await.unwrap();
    h.sim.advance(60.0);
    assert_eq!(
        c.show_instance(healthy)
            .await
            .unwrap()
            .unwrap()
            .actual_status
            .as_deref(),
        Some("running")
    );
    let provisions = hosts
        .calls
        .lock()
        .unwrap()
        .iter()
        .filter(|c| c.starts_with(&format!("provision {healthy}")))
        .count();
    assert_eq!(provisions, 2, "restart provisions again");
    c.destroy_instance(healthy).await.unwrap();
    let releases = hosts
        .calls
        .lock()
        .unwrap()
        .iter()
        .filter(|c| *c == &format!("release {healthy}"))
        .count();
    assert_eq!(releases, 2);
}

#[tokio::test]
async fn billing_follows_the_simulated_clock() {
    let mut conf = cfg();
    conf.scenario_overrides.insert(
        "instant".into(),
        ScenarioSpec {
            provision_s: 0.0,
            loading_s: 0.0,
            restart_s: 0.0,
            ..Default::default()
        },
    );
    let (h, c) = start(conf).await;
    let offer = c
        .search_offers(
            &SearchQuery::default()
                .filter("gpu_name", "eq", "RTX 4090")
                .filter("num_gpus", "eq", "1")
                .limit(1),
        )
        .await
        .unwrap()
        .remove(0);
    let id = c.create_instance(offer.id, &req("instant")).await.unwrap();
    let base = offer.dph_base.unwrap();
    let storage = offer.storage_cost.unwrap() * 20.0 / 720.0;
    let row = c.show_instance(id).await.unwrap().unwrap();
    assert!(
        (row.dph_total.unwrap() - (base + storage)).abs() < 1e-9,
        "instance dph_total prices its 20 GB"
    );
    h.sim.advance(3600.0);
    let cost = h.sim.instance_cost(id).unwrap();
    assert!(
        (cost - (base + storage)).abs() < 1e-6,
        "{cost} vs {}",
        base + storage
    );
    c.stop_instance(id).await.unwrap();
    h.sim.advance(3600.0);
    let cost2 = h.sim.instance_cost(id).unwrap();
    assert!(
        (cost2 - cost - storage).abs() < 1e-6,
        "stopped: storage only"
    );
    let user = c.current_user().await.unwrap();
    assert!((user.credit.unwrap() - (25.0 - cost2)).abs() < 1e-6);
    c.destroy_instance(id).await.unwrap();
    h.sim.advance(3600.0);
    assert!(
        (h.sim.spent() - cost2).abs() < 1e-6,
        "destroyed: billing ends"
    );
    // Running out of credit stops instances (disk keeps billing); new rentals are refused.
    let offer2 = rtx4090(&c, 1).await[0];
    let id2 = c.create_instance(offer2, &req("instant")).await.unwrap();
    h.sim.advance(3600.0 * 1000.0);
    let i = c.show_instance(id2).await.unwrap().unwrap();
    assert_eq!(i.actual_status.as_deref(), Some("stopped"));
    assert!(i.status_msg.unwrap().contains("credit"));
    let u = c.current_user().await.unwrap();
    assert_eq!(u.credit, Some(0.0));
    assert!(u.balance.unwrap() < 0.0);
    let offer3 = rtx4090(&c, 1).await[0];
    assert!(c.create_instance(offer3, &req("instant")).await.is_err());
    assert!(c.start_instance(id2).await.is_err());
}

#[tokio::test]
async fn speed_factor_runs_time_faster() {
    let (h, c) = start(SimConfig {
        speed: 200.0,
        start_time: None,
        ..cfg()
    })
    .await;
    let offer = rtx4090(&c, 1).await[0];
    let id = c.create_instance(offer, &req("healthy_hf")).await.unwrap();
    // Default boot ≈ 4 + 45 s (±25 %) of simulated time ≈ 0.3 s real at 200×.
    let t = Instant::now();
    loop {
        let i = c.show_instance(id).await.unwrap().unwrap();
        if i.actual_status.as_deref() == Some("running") {
            break;
        }
        assert!(t.elapsed() < Duration::from_secs(5), "did not boot at 200×");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (st, _, body) = raw(&h, "POST", "/_sim/speed", Some(r#"{"speed": 0}"#), None).await;
    assert_eq!(st, 200, "{body}");
    let (st, _, _) = raw(
        &h,
        "POST",
        "/_sim/advance",
        Some(r#"{"seconds": 60}"#),
        None,
    )
    .await;
    assert_eq!(st, 200);
    let (_, _, body) = raw(&h, "GET", "/_sim/state", None, None).await;
    assert!(body.contains("\"speed\":0.0"));
}

/// Not a benchmark: checks a 20,000-offer book builds and answers, and prints timings.
#[tokio::test]
async fn twenty_thousand_offers() {
    let t = Instant::now();
    let (h, c) = start(SimConfig {
        offers: Some(20_000),
        ..cfg()
    })
    .await;
    let build = t.elapsed();
    assert_eq!(h.sim.offer_count(), 20_000);
    let t = Instant::now();
    let got = c
        .search_offers(
            &SearchQuery::default()
                .filter("gpu_name", "in", json!(["H100 SXM", "H200"]))
                .order(&[("dph_total", false)])
                .limit(100),
        )
        .await
        .unwrap();
    eprintln!("20k offers: build {build:?}, one search {:?}", t.elapsed());
    assert_eq!(got.len(), 100);
    assert!(got.windows(2).all(|w| w[0].dph_total <= w[1].dph_total));
}

#[tokio::test]
async fn documented_rate_limits_when_enabled() {
    let (h, c) = start(SimConfig {
        rate_limits: true,
        ..cfg()
    })
    .await;
    let no_retry = client_with(&h, Some(KEY), |c| c.retry = RetryPolicy::none());
    assert!(no_retry.list_instances().await.is_ok());
    match no_retry.list_instances().await {
        Err(
            e @ VastError::RateLimited {
                retry_after: None, ..
            },
        ) => assert!(e.to_string().contains("threshold=1"), "{e}"),
        other => panic!("{other:?}"),
    }
    // The retrying client rides it out (1 s threshold, backoff up to ~1.2 s).
    let patient = client_with(&h, Some(KEY), |c| {
        c.retry = RetryPolicy {
            max_attempts: 8,
            base_backoff: Duration::from_millis(200),
            ..RetryPolicy::default()
        }
    });
    assert!(patient.list_instances().await.is_ok());
    // Limits are per identity: another key is not throttled by ours.
    let (st, _, _) = raw(
        &h,
        "GET",
        "/api/v1/instances/",
        None,
        Some("other-identity"),
    )
    .await;
    assert_eq!(
        st, 401,
        "throttle passed; then auth refuses the unknown key"
    );
    drop(c);
}
