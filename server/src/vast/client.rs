//! HTTP client for the Vast.ai REST API (works the same against the simulator).
//!
//! Retries follow CLI 1.9.1 (API.md §1): 429 honouring `Retry-After` when it is ≤ 60 s,
//! 502/503/504 and connection errors/timeouts with 0.15 s × 1.5^n backoff; the daily
//! `search_quota_exceeded` 429 is never retried. Creating an instance is not idempotent on
//! Vast, so [`VastClient::create_instance`] only retries what provably never reached the
//! server, and [`VastClient::create_idempotent`] uses a run label to find an instance that
//! an ambiguous failure may have created before it tries again.

use super::error::VastError;
use super::types::{
    ApiKey, CreateInstanceRequest, Instance, InstancePage, Offer, SearchQuery, SshKey, User,
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;

/// How hard to retry.
#[derive(Clone, Debug)]
pub struct RetryPolicy {
    /// Total attempts including the first (CLI default 3).
    pub max_attempts: u32,
    /// First backoff; multiplied by `backoff_factor` after each attempt.
    pub base_backoff: Duration,
    pub backoff_factor: f64,
    /// A `Retry-After` longer than this is not waited for (CLI: 60 s).
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_backoff: Duration::from_millis(150),
            backoff_factor: 1.5,
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..Default::default()
        }
    }
    fn backoff(&self, attempt: u32) -> Duration {
        self.base_backoff
            .mul_f64(self.backoff_factor.powi(attempt as i32))
    }
}

/// Client settings. `base_url` is `https://console.vast.ai` for the real service or
/// `http://127.0.0.1:PORT` for the simulator.
#[derive(Clone, Debug)]
pub struct VastClientConfig {
    pub base_url: String,
    pub api_key: Option<ApiKey>,
    pub retry: RetryPolicy,
    /// Per-request timeout (connect + response).
    pub request_timeout: Duration,
    pub connect_timeout: Duration,
    /// `request_logs`: how often and how long to poll the `result_url`
    /// (CLI: 30 × 0.3 s).
    pub log_poll_interval: Duration,
    pub log_poll_attempts: u32,
}

impl VastClientConfig {
    pub fn new(base_url: impl Into<String>, api_key: Option<ApiKey>) -> Self {
        VastClientConfig {
            base_url: base_url.into(),
            api_key,
            retry: RetryPolicy::default(),
            request_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            log_poll_interval: Duration::from_millis(300),
            log_poll_attempts: 30,
        }
    }
}

/// Outcome of [`VastClient::create_idempotent`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateOutcome {
    pub instance_id: u64,
    /// True when an instance with the label already existed (an earlier attempt, or an
    /// earlier process, created it) and no new one was rented.
    pub reused: bool,
}

/// Options of `logs` (API.md §7).
#[derive(Clone, Debug, Default)]
pub struct LogsRequest {
    pub tail: Option<u32>,
    pub filter: Option<String>,
    pub daemon_logs: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Retry {
    /// Idempotent: retry 429, 502/503/504, connection errors and timeouts.
    Safe,
    /// Not idempotent: retry only 429 and failures to connect (nothing was sent).
    NotIdempotent,
}

/// The Vast API client. Cheap to clone.
#[derive(Clone)]
pub struct VastClient {
    http: reqwest::Client,
    cfg: VastClientConfig,
}

impl std::fmt::Debug for VastClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VastClient")
            .field("base_url", &self.cfg.base_url)
            .field("api_key", &self.cfg.api_key)
            .finish()
    }
}

impl VastClient {
    /// A client with default retries and timeouts.
    pub fn new(base_url: impl Into<String>, api_key: Option<ApiKey>) -> Result<Self, VastError> {
        Self::with_config(VastClientConfig::new(base_url, api_key))
    }

    pub fn with_config(mut cfg: VastClientConfig) -> Result<Self, VastError> {
        let base = cfg.base_url.trim().trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(VastError::Config(format!(
                "base URL {base:?} must start with http:// or https://"
            )));
        }
        cfg.base_url = base;
        if cfg.api_key.as_ref().is_some_and(|k| k.is_empty()) {
            cfg.api_key = None;
        }
        let http = reqwest::Client::builder()
            .user_agent(concat!("canopy/", env!("CARGO_PKG_VERSION")))
            .timeout(cfg.request_timeout)
            .connect_timeout(cfg.connect_timeout)
            .build()
            .map_err(|e| VastError::Config(format!("cannot build HTTP client: {e}")))?;
        Ok(VastClient { http, cfg })
    }

    pub fn base_url(&self) -> &str {
        &self.cfg.base_url
    }

    pub fn has_api_key(&self) -> bool {
        self.cfg.api_key.is_some()
    }

    // ------------------------------------------------------------------ endpoints

    /// `POST /api/v0/bundles/` — works without a key.
    pub async fn search_offers(&self, query: &SearchQuery) -> Result<Vec<Offer>, VastError> {
        let v = self
            .call(
                Method::POST,
                "/api/v0/bundles/",
                &[],
                Some(query.to_json()),
                false,
                Retry::Safe,
                "search offers",
            )
            .await?;
        let offers = v
            .get("offers")
            .cloned()
            .ok_or_else(|| malformed("search offers", "no `offers` key in the reply"))?;
        serde_json::from_value(offers).map_err(|e| malformed("search offers", e))
    }

    /// `PUT /api/v0/asks/{offer_id}/` — rents the offer; returns the new instance id.
    /// Never retried after the request may have reached Vast; prefer
    /// [`VastClient::create_idempotent`].
    pub async fn create_instance(
        &self,
        offer_id: u64,
        req: &CreateInstanceRequest,
    ) -> Result<u64, VastError> {
        let body = serde_json::to_value(req).map_err(|e| VastError::Config(e.to_string()))?;
        let what = format!("offer {offer_id}");
        let v = self
            .call(
                Method::PUT,
                &format!("/api/v0/asks/{offer_id}/"),
                &[],
                Some(body),
                true,
                Retry::NotIdempotent,
                &what,
            )
            .await?;
        check_success(&v)?;
        v.get("new_contract")
            .and_then(as_u64)
            .ok_or_else(|| malformed("create instance", "no integer `new_contract` in the reply"))
    }

    /// Rents `offer_id` at most once for `label` (the run id): if an instance with this
    /// label exists it is returned; after an ambiguous failure (timeout, 5xx, broken
    /// connection) the label is looked up again before a new create is sent.
    pub async fn create_idempotent(
        &self,
        offer_id: u64,
        req: &CreateInstanceRequest,
        label: &str,
    ) -> Result<CreateOutcome, VastError> {
        if label.trim().is_empty() {
            return Err(VastError::Config(
                "create_idempotent needs a non-empty label".into(),
            ));
        }
        let mut req = req.clone();
        req.label = Some(label.to_string());
        if let Some(id) = self.lookup_label_settled(label).await? {
            return Ok(CreateOutcome {
                instance_id: id,
                reused: true,
            });
        }
        let attempts = self.cfg.retry.max_attempts.max(1);
        let mut last = None;
        for attempt in 0..attempts {
            match self.create_instance(offer_id, &req).await {
                Ok(id) => {
                    return Ok(CreateOutcome {
                        instance_id: id,
                        reused: false,
                    });
                }
                Err(e) if e.is_transient() => {
                    tracing::warn!(offer_id, label, attempt, error = %e, "create instance: ambiguous failure, checking the label before retrying");
                    tokio::time::sleep(self.cfg.retry.backoff(attempt)).await;
                    if let Some(id) = self.lookup_label_settled(label).await? {
                        return Ok(CreateOutcome {
                            instance_id: id,
                            reused: true,
                        });
                    }
                    last = Some(e);
                }
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or(VastError::Server {
            status: 0,
            msg: "create failed".into(),
        }))
    }

    /// Lowest-id instance with this exact label, retrying the lookup itself (never giving
    /// up on a transient lookup error by creating blindly).
    async fn lookup_label_settled(&self, label: &str) -> Result<Option<u64>, VastError> {
        let mut attempt = 0;
        loop {
            match self.find_by_label(label).await {
                Ok(found) => return Ok(found.iter().map(|i| i.id).min()),
                Err(e) if e.is_transient() && attempt + 1 < self.cfg.retry.max_attempts.max(1) => {
                    tokio::time::sleep(self.cfg.retry.backoff(attempt)).await;
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Instances whose label is exactly `label`.
    pub async fn find_by_label(&self, label: &str) -> Result<Vec<Instance>, VastError> {
        let found = self
            .list_instances_where(json!({"label": {"in": [label]}}))
            .await?;
        Ok(found
            .into_iter()
            .filter(|i| i.label.as_deref() == Some(label))
            .collect())
    }

    /// All of the account's instances (`GET /api/v1/instances/`, every page).
    pub async fn list_instances(&self) -> Result<Vec<Instance>, VastError> {
        self.list_instances_where(json!({})).await
    }

    /// All instances matching v1 `select_filters` (e.g. `{"actual_status": {"in": ["running"]}}`).
    pub async fn list_instances_where(&self, filters: Value) -> Result<Vec<Instance>, VastError> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..10_000 {
            let page = self
                .list_instances_page(&filters, 25, token.as_deref())
                .await?;
            out.extend(page.instances);
            match page.next_token {
                Some(t) if !t.is_empty() => token = Some(t),
                _ => return Ok(out),
            }
        }
        Err(malformed("list instances", "pagination did not end"))
    }

    /// One page of `GET /api/v1/instances/` (keyset pagination, ≤ 25 per page).
    pub async fn list_instances_page(
        &self,
        filters: &Value,
        limit: u32,
        after_token: Option<&str>,
    ) -> Result<InstancePage, VastError> {
        let mut q = vec![
            ("select_filters".to_string(), filters.to_string()),
            (
                "order_by".to_string(),
                r#"[{"col": "id", "dir": "asc"}]"#.to_string(),
            ),
            ("limit".to_string(), limit.to_string()),
        ];
        if let Some(t) = after_token {
            q.push(("after_token".to_string(), t.to_string()));
        }
        let v = self
            .call(
                Method::GET,
                "/api/v1/instances/",
                &q,
                None,
                true,
                Retry::Safe,
                "instance list",
            )
            .await?;
        check_success(&v)?;
        serde_json::from_value(v).map_err(|e| malformed("list instances", e))
    }

    /// `GET /api/v0/instances/{id}/?owner=me`; `Ok(None)` once it is gone.
    pub async fn show_instance(&self, id: u64) -> Result<Option<Instance>, VastError> {
        let q = [("owner".to_string(), "me".to_string())];
        let what = format!("instance {id}");
        let v = match self
            .call(
                Method::GET,
                &format!("/api/v0/instances/{id}/"),
                &q,
                None,
                true,
                Retry::Safe,
                &what,
            )
            .await
        {
            Err(VastError::NotFound { .. }) => return Ok(None),
            other => other?,
        };
        match v.get("instances") {
            None => Err(malformed(
                "show instance",
                "no `instances` key in the reply",
            )),
            Some(Value::Null) => Ok(None),
            Some(obj) => serde_json::from_value(obj.clone())
                .map(Some)
                .map_err(|e| malformed("show instance", e)),
        }
    }

    /// `DELETE /api/v0/instances/{id}/`. Destroying is final (the disk is deleted).
    pub async fn destroy_instance(&self, id: u64) -> Result<(), VastError> {
        self.manage(
            Method::DELETE,
            id,
            &format!("/api/v0/instances/{id}/"),
            json!({}),
        )
        .await
    }

    /// Stops the container; the disk (and its charge) stays.
    pub async fn stop_instance(&self, id: u64) -> Result<(), VastError> {
        self.manage(
            Method::PUT,
            id,
            &format!("/api/v0/instances/{id}/"),
            json!({"state": "stopped"}),
        )
        .await
    }

    pub async fn start_instance(&self, id: u64) -> Result<(), VastError> {
        self.manage(
            Method::PUT,
            id,
            &format!("/api/v0/instances/{id}/"),
            json!({"state": "running"}),
        )
        .await
    }

    pub async fn set_label(&self, id: u64, label: &str) -> Result<(), VastError> {
        self.manage(
            Method::PUT,
            id,
            &format!("/api/v0/instances/{id}/"),
            json!({"label": label}),
        )
        .await
    }

    /// `POST /api/v0/instances/{id}/ssh/` with the public key text.
    pub async fn attach_ssh_key(&self, id: u64, public_key: &str) -> Result<(), VastError> {
        self.manage(
            Method::POST,
            id,
            &format!("/api/v0/instances/{id}/ssh/"),
            json!({"ssh_key": public_key.trim()}),
        )
        .await
    }

    /// `POST /api/v0/ssh/`: registers a key on the account (new instances get it).
    pub async fn add_account_ssh_key(&self, public_key: &str) -> Result<SshKey, VastError> {
        let v = self
            .call(
                Method::POST,
                "/api/v0/ssh/",
                &[],
                Some(json!({"ssh_key": public_key.trim()})),
                true,
                Retry::Safe,
                "ssh key",
            )
            .await?;
        check_success(&v)?;
        let key = v.get("key").cloned().unwrap_or(Value::Null);
        serde_json::from_value(key).map_err(|e| malformed("create ssh key", e))
    }

    /// `GET /api/v0/ssh/`.
    pub async fn list_account_ssh_keys(&self) -> Result<Vec<SshKey>, VastError> {
        let v = self
            .call(
                Method::GET,
                "/api/v0/ssh/",
                &[],
                None,
                true,
                Retry::Safe,
                "ssh keys",
            )
            .await?;
        serde_json::from_value(v).map_err(|e| malformed("list ssh keys", e))
    }

    /// Container (or daemon) logs: `PUT /api/v0/instances/request_logs/{id}/`, then polls
    /// the returned `result_url` without auth until it is ready.
    pub async fn request_logs(&self, id: u64, opts: &LogsRequest) -> Result<String, VastError> {
        let mut body = serde_json::Map::new();
        if let Some(t) = opts.tail {
            body.insert("tail".into(), Value::String(t.to_string()));
        }
        if let Some(f) = &opts.filter {
            body.insert("filter".into(), Value::String(f.clone()));
        }
        if opts.daemon_logs {
            body.insert("daemon_logs".into(), Value::String("true".into()));
        }
        let what = format!("instance {id}");
        let v = self
            .call(
                Method::PUT,
                &format!("/api/v0/instances/request_logs/{id}/"),
                &[],
                Some(Value::Object(body)),
                true,
                Retry::Safe,
                &what,
            )
            .await?;
        check_success(&v)?;
        let url = v
            .get("result_url")
            .and_then(Value::as_str)
            .ok_or_else(|| malformed("request logs", "no `result_url` in the reply"))?
            .to_string();
        let mut last_status = None;
        for attempt in 0..self.cfg.log_poll_attempts.max(1) {
            if attempt > 0 {
                tokio::time::sleep(self.cfg.log_poll_interval).await;
            }
            match self.http.get(&url).send().await {
                Ok(resp) if resp.status().is_success() => {
                    return resp.text().await.map_err(|e| VastError::Connection {
                        url: url.clone(),
                        detail: e.to_string(),
                    });
                }
                Ok(resp) => last_status = Some(resp.status().as_u16()),
                Err(e) => tracing::debug!(error = %e, "log poll failed"),
            }
        }
        Err(VastError::Server {
            status: last_status.unwrap_or(0),
            msg: format!(
                "logs of instance {id} were not ready at {url} after {} polls",
                self.cfg.log_poll_attempts
            ),
        })
    }

    /// `GET /api/v0/users/current` — credit/balance of the account.
    pub async fn current_user(&self) -> Result<User, VastError> {
        let v = self
            .call(
                Method::GET,
                "/api/v0/users/current",
                &[],
                None,
                true,
                Retry::Safe,
                "user",
            )
            .await?;
        serde_json::from_value(v).map_err(|e| malformed("current user", e))
    }

    async fn manage(
        &self,
        method: Method,
        id: u64,
        path: &str,
        body: Value,
    ) -> Result<(), VastError> {
        let what = format!("instance {id}");
        let v = self
            .call(method, path, &[], Some(body), true, Retry::Safe, &what)
            .await?;
        check_success(&v)
    }

    // ------------------------------------------------------------------ transport

    #[allow(clippy::too_many_arguments)]
    async fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(String, String)],
        body: Option<Value>,
        needs_key: bool,
        retry: Retry,
        what: &str,
    ) -> Result<Value, VastError> {
        if needs_key && self.cfg.api_key.is_none() {
            return Err(VastError::MissingApiKey);
        }
        let mut url = format!("{}{}", self.cfg.base_url, path);
        if !query.is_empty() {
            url.push('?');
            let parts: Vec<String> = query
                .iter()
                .map(|(k, v)| format!("{}={}", url_encode(k), url_encode(v)))
                .collect();
            url.push_str(&parts.join("&"));
        }
        let policy = &self.cfg.retry;
        let attempts = policy.max_attempts.max(1);
        let mut attempt = 0u32;
        loop {
            let mut rb = self.http.request(method.clone(), &url);
            if let Some(k) = &self.cfg.api_key {
                rb = rb.bearer_auth(k.expose_secret());
            }
            if method != Method::GET {
                rb = rb.json(body.as_ref().unwrap_or(&json!({})));
            }
            let last = attempt + 1 >= attempts;
            let outcome = rb.send().await;
            let resp = match outcome {
                Ok(r) => r,
                Err(e) => {
                    let err = if e.is_timeout() {
                        VastError::Timeout {
                            url: redact_url(&url),
                        }
                    } else {
                        VastError::Connection {
                            url: redact_url(&url),
                            detail: error_chain(&e),
                        }
                    };
                    let retryable = match retry {
                        Retry::Safe => true,
                        Retry::NotIdempotent => e.is_connect(),
                    };
                    if retryable && !last {
                        tracing::debug!(%method, path, attempt, error = %err, "vast request failed, retrying");
                        tokio::time::sleep(policy.backoff(attempt)).await;
                        attempt += 1;
                        continue;
                    }
                    return Err(err);
                }
            };
            let status = resp.status();
            let headers = resp.headers().clone();
            let text = resp.text().await.unwrap_or_default();
            tracing::debug!(%method, path, status = status.as_u16(), attempt, "vast request");
            if status.is_success() {
                return serde_json::from_str(&text).map_err(|e| {
                    malformed(
                        &format!("{method} {path}"),
                        format!("{e}; body starts with {:?}", snippet(&text)),
                    )
                });
            }
            let (code, msg) = error_fields(&text);
            match status {
                StatusCode::TOO_MANY_REQUESTS => {
                    if code == "search_quota_exceeded" {
                        let resets_at = headers
                            .get("x-ratelimit-reset")
                            .and_then(|h| h.to_str().ok())
                            .and_then(|s| s.trim().parse::<f64>().ok())
                            .map(|f| f as u64);
                        return Err(VastError::SearchQuotaExceeded { resets_at, msg });
                    }
                    let retry_after = headers
                        .get("retry-after")
                        .and_then(|h| h.to_str().ok())
                        .and_then(|s| s.trim().parse::<f64>().ok())
                        .filter(|f| f.is_finite() && *f >= 0.0)
                        .map(Duration::from_secs_f64);
                    let too_long = retry_after.is_some_and(|d| d > policy.max_retry_after);
                    if last || too_long {
                        return Err(VastError::RateLimited { retry_after, msg });
                    }
                    let wait = retry_after.unwrap_or_else(|| policy.backoff(attempt));
                    tracing::info!(
                        path,
                        attempt,
                        wait_ms = wait.as_millis() as u64,
                        "vast rate limited, waiting"
                    );
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                    continue;
                }
                StatusCode::BAD_GATEWAY
                | StatusCode::SERVICE_UNAVAILABLE
                | StatusCode::GATEWAY_TIMEOUT
                    if retry == Retry::Safe && !last =>
                {
                    tokio::time::sleep(policy.backoff(attempt)).await;
                    attempt += 1;
                    continue;
                }
                _ => {}
            }
            return Err(map_status(status.as_u16(), code, msg, what));
        }
    }
}

fn map_status(status: u16, code: String, msg: String, what: &str) -> VastError {
    match status {
        401 => VastError::Unauthorized { msg },
        403 => VastError::Forbidden { code, msg },
        404 | 410 => VastError::NotFound {
            what: what.to_string(),
            code,
            msg,
        },
        429 => VastError::RateLimited {
            retry_after: None,
            msg,
        },
        400..=499 => VastError::BadRequest { status, code, msg },
        _ => VastError::Server { status, msg },
    }
}

/// `(error code, message)` from an error body; tolerant of the shapes Vast uses
/// (`msg`, `message`, `detail`, plain text).
fn error_fields(text: &str) -> (String, String) {
    if let Ok(v) = serde_json::from_str::<Value>(text) {
        let code = v
            .get("error")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let msg = ["msg", "message", "detail"]
            .iter()
            .find_map(|k| v.get(*k).and_then(Value::as_str))
            .map(str::to_string)
            .unwrap_or_else(|| {
                if code.is_empty() {
                    snippet(text)
                } else {
                    code.clone()
                }
            });
        return (code, msg);
    }
    let t = text.trim();
    if t.is_empty() || t.starts_with('<') {
        (String::new(), "(no detail message supplied)".into())
    } else {
        (String::new(), snippet(t))
    }
}

/// `{"success": false, ...}` on a 200 becomes an error.
fn check_success(v: &Value) -> Result<(), VastError> {
    match v.get("success") {
        Some(Value::Bool(false)) => {
            let code = v
                .get("error")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let msg = v
                .get("msg")
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or_else(|| snippet(&v.to_string()));
            Err(VastError::Refused { code, msg })
        }
        _ => Ok(()),
    }
}

fn as_u64(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| *f >= 0.0 && f.fract() == 0.0)
                .map(|f| f as u64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn malformed(context: &str, detail: impl std::fmt::Display) -> VastError {
    VastError::Malformed {
        context: context.to_string(),
        detail: detail.to_string(),
    }
}

fn snippet(s: &str) -> String {
    let s = s.trim();
    if s.chars().count() > 200 {
        format!("{}…", s.chars().take(200).collect::<String>())
    } else {
        s.to_string()
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(inner) = src {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        src = inner.source();
    }
    s
}

/// Drops any `api_key=` query value from a URL before it goes into an error or a log.
fn redact_url(url: &str) -> String {
    match url.find("api_key=") {
        Some(i) => {
            let end = url[i..].find('&').map(|j| i + j).unwrap_or(url.len());
            format!("{}api_key=<redacted>{}", &url[..i], &url[end..])
        }
        None => url.to_string(),
    }
}

/// Percent-encodes a query component (RFC 3986 unreserved characters stay).
pub(crate) fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_shapes() {
        assert_eq!(
            error_fields(r#"{"success":false,"error":"auth_error","msg":"Invalid user key"}"#),
            ("auth_error".into(), "Invalid user key".into())
        );
        assert_eq!(
            error_fields(r#"{"detail":"API requests too frequent endpoint threshold=1.0"}"#).1,
            "API requests too frequent endpoint threshold=1.0"
        );
        assert_eq!(
            error_fields("API requests too frequent").1,
            "API requests too frequent"
        );
        assert_eq!(error_fields("").1, "(no detail message supplied)");
    }

    #[test]
    fn encoding_and_redaction() {
        assert_eq!(url_encode(r#"{"a": 1}"#), "%7B%22a%22%3A%201%7D");
        assert_eq!(
            redact_url("http://x/a?api_key=SECRET&b=1"),
            "http://x/a?api_key=<redacted>&b=1"
        );
    }

    #[test]
    fn debug_hides_key() {
        let c = VastClient::new("http://127.0.0.1:1", Some(ApiKey::new("topsecret"))).unwrap();
        assert!(!format!("{c:?}").contains("topsecret"));
        assert!(VastClient::new("ftp://x", None).is_err());
        // TLS stack initialises (no request is sent).
        let real = VastClient::new(super::super::VAST_BASE_URL, None).unwrap();
        assert_eq!(real.base_url(), "https://console.vast.ai");
    }
}
