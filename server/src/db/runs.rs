//! Runs, their events and samples, and the watcher lease, over Postgres.
//!
//! Runtime-checked queries (`sqlx::query*`), proven by `server/tests/api/runs_repo.rs`
//! against a real database. JSONB travels as text (`$n::jsonb`, `col::text`) and
//! timestamps as unix milliseconds, so sqlx needs neither its JSON nor a date feature.
//!
//! The lease: one row per watched run in `run_leases`. A holder (one id per server
//! process, e.g. `host:pid:random`) acquires it, renews it every check and releases
//! it when the run ends; a lease whose `expires_at` has passed is taken over by
//! whoever asks next, so a crashed server's runs resume elsewhere. Writes of watch
//! state (offset, checklist, verdict) are fenced by the lease: a server that lost
//! it cannot overwrite what the new holder wrote.

use std::collections::BTreeMap;
use std::time::Duration;

use app::domain::checklist::{Checklist, ChecklistRow, Step, StepStatus};
use serde::{Deserialize, Serialize};
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};

#[derive(Debug, thiserror::Error)]
pub enum RunsError {
    #[error("database query failed: {0}")]
    Query(#[from] sqlx::Error),
    #[error("cannot encode {what} as JSON: {source}")]
    Encode {
        what: &'static str,
        source: serde_json::Error,
    },
    #[error("run {run_id}: stored {what} is not readable: {detail}")]
    Decode {
        run_id: i64,
        what: &'static str,
        detail: String,
    },
    /// The caller's lease on the run expired and another holder took it over (or
    /// the run ended): stop watching it.
    #[error("run {run_id}: this server no longer holds the watcher lease")]
    LeaseLost { run_id: i64 },
}

/// Where a run is in its life. The last four are final (the run has `ended_at`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Pending,
    Launching,
    BringingUp,
    Running,
    Stopping,
    Succeeded,
    Failed,
    Killed,
    Cancelled,
}

impl RunStatus {
    pub const ALL: [RunStatus; 9] = [
        RunStatus::Pending,
        RunStatus::Launching,
        RunStatus::BringingUp,
        RunStatus::Running,
        RunStatus::Stopping,
        RunStatus::Succeeded,
        RunStatus::Failed,
        RunStatus::Killed,
        RunStatus::Cancelled,
    ];

    /// The value in `runs.status` (the migration's CHECK lists the same words).
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Pending => "pending",
            RunStatus::Launching => "launching",
            RunStatus::BringingUp => "bringing_up",
            RunStatus::Running => "running",
            RunStatus::Stopping => "stopping",
            RunStatus::Succeeded => "succeeded",
            RunStatus::Failed => "failed",
            RunStatus::Killed => "killed",
            RunStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    pub fn is_final(self) -> bool {
        matches!(
            self,
            RunStatus::Succeeded | RunStatus::Failed | RunStatus::Killed | RunStatus::Cancelled
        )
    }
}

pub use app::domain::launch::KillPolicy;

/// How the run is launched, stored as `runs.launch` (JSONB).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LaunchSpec {
    pub image: String,
    pub disk_gb: u32,
    /// Readable by anyone with database access: references to secrets, not secrets.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    pub bootstrap: Option<String>,
    pub smoke_cmd: String,
    pub steps: u32,
    pub log_path: String,
    pub expected_steps_per_sec: Option<f64>,
    /// Integer micro-dollars (1 USD = 1_000_000); the database rejects ≤ 0.
    pub budget_cap_micro_usd: i64,
    #[serde(default)]
    pub kill_policy: KillPolicy,
    /// Steps of the full run (for its projection), when given.
    #[serde(default)]
    pub full_steps: Option<u64>,
    /// The simulated host's scenario (simulated marketplace only).
    #[serde(default)]
    pub scenario: Option<String>,
    /// The full run's command for "promote" (`None`: the smoke command).
    #[serde(default)]
    pub full_cmd: Option<String>,
}

impl LaunchSpec {
    /// The stored form of a validated launch.
    pub fn from_plan(plan: &app::domain::launch::LaunchPlan) -> Self {
        LaunchSpec {
            image: plan.image.clone(),
            disk_gb: plan.disk_gb,
            env: plan.env.clone(),
            bootstrap: plan.bootstrap.clone(),
            smoke_cmd: plan.smoke_cmd.clone(),
            steps: plan.smoke_steps,
            log_path: plan.log_path.clone(),
            expected_steps_per_sec: plan.expected_steps_per_sec,
            budget_cap_micro_usd: (plan.budget_usd * 1e6).round().max(1.0) as i64,
            kill_policy: plan.kill_policy,
            full_steps: plan.full_steps,
            scenario: plan.scenario.clone(),
            full_cmd: plan.full_cmd.clone(),
        }
    }

    pub fn budget_usd(&self) -> f64 {
        self.budget_cap_micro_usd as f64 / 1e6
    }
}

/// A run to create.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRun {
    pub label: String,
    pub offer_id: i64,
    /// The offer as Vast returned it (a JSON object).
    pub offer: serde_json::Value,
    pub profile: Option<serde_json::Value>,
    pub launch: LaunchSpec,
}

/// A stored run. JSON columns stay `Value`s so an old or newer row always reads;
/// the typed accessors say when one does not decode.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRow {
    pub id: i64,
    pub label: String,
    pub status: RunStatus,
    pub offer_id: i64,
    pub offer: serde_json::Value,
    pub profile: Option<serde_json::Value>,
    pub launch: serde_json::Value,
    pub budget_cap_micro_usd: i64,
    pub kill_policy: KillPolicy,
    pub instance_id: Option<i64>,
    pub ssh_host: Option<String>,
    pub ssh_port: Option<u16>,
    pub host_key_fingerprint: Option<String>,
    pub log_offset: i64,
    pub checklist: Option<serde_json::Value>,
    pub verdict: Option<serde_json::Value>,
    /// The watcher's own state (see `runs::state::WatchState`).
    pub watch_state: Option<serde_json::Value>,
    pub end_reason: Option<String>,
    /// The run this one was switched or relaunched from.
    pub parent_run_id: Option<i64>,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
    pub ended_at_ms: Option<i64>,
}

impl RunRow {
    pub fn launch_spec(&self) -> Result<LaunchSpec, RunsError> {
        serde_json::from_value(self.launch.clone()).map_err(|e| RunsError::Decode {
            run_id: self.id,
            what: "launch spec",
            detail: e.to_string(),
        })
    }

    pub fn checklist_state(&self) -> Result<Option<Checklist>, RunsError> {
        self.checklist
            .clone()
            .map(serde_json::from_value)
            .transpose()
            .map_err(|e| RunsError::Decode {
                run_id: self.id,
                what: "checklist",
                detail: e.to_string(),
            })
    }

    pub fn is_live(&self) -> bool {
        self.ended_at_ms.is_none()
    }
}

/// Where the run's instance can be reached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceInfo {
    pub instance_id: i64,
    pub ssh_host: Option<String>,
    pub ssh_port: Option<u16>,
    pub host_key_fingerprint: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Checklist,
    Rule,
    Alert,
    Action,
    Status,
    Lease,
    Note,
}

impl EventKind {
    pub const ALL: [EventKind; 7] = [
        EventKind::Checklist,
        EventKind::Rule,
        EventKind::Alert,
        EventKind::Action,
        EventKind::Status,
        EventKind::Lease,
        EventKind::Note,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Checklist => "checklist",
            EventKind::Rule => "rule",
            EventKind::Alert => "alert",
            EventKind::Action => "action",
            EventKind::Status => "status",
            EventKind::Lease => "lease",
            EventKind::Note => "note",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// An event to append; `message` is the reason in words (1..=4000 chars, longer
/// ones are cut), `data` any JSON detail.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub kind: EventKind,
    pub step: Option<Step>,
    pub message: String,
    pub data: Option<serde_json::Value>,
    /// When it happened; None = the database clock at insert.
    pub at_ms: Option<i64>,
}

impl NewEvent {
    /// The event row for a checklist transition: "GPUs visible failed: …", with
    /// the step's row (status, seconds, detail) as data.
    pub fn checklist(row: &ChecklistRow, at_ms: Option<i64>) -> Self {
        let status = match row.status {
            StepStatus::Pending => "pending",
            StepStatus::Passed => "passed",
            StepStatus::Failed => "failed",
            StepStatus::Skipped => "skipped",
        };
        let mut message = format!("{} {status}", row.step.label());
        if !row.detail.is_empty() {
            message.push_str(": ");
            message.push_str(&row.detail);
        }
        Self {
            kind: EventKind::Checklist,
            step: Some(row.step),
            message,
            data: serde_json::to_value(row).ok(),
            at_ms,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct RunEvent {
    pub id: i64,
    pub run_id: i64,
    pub at_ms: i64,
    pub kind: EventKind,
    pub step: Option<Step>,
    pub message: String,
    pub data: Option<serde_json::Value>,
}

/// One live sample. Non-finite numbers are stored as NULL (a parser's NaN is "unknown").
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Sample {
    pub at_ms: i64,
    pub step: Option<i64>,
    pub steps_per_sec: Option<f64>,
    pub gpu_util_pct: Option<f64>,
    pub gpu_mem_used_mb: Option<f64>,
    pub gpu_power_w: Option<f64>,
    pub loss: Option<f64>,
    pub eval_loss: Option<f64>,
    pub learning_rate: Option<f64>,
    pub log_bytes: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    pub run_id: i64,
    pub holder: String,
    pub acquired_at_ms: i64,
    pub expires_at_ms: i64,
}

/// Leases longer than this are clamped: a lease is a heartbeat, not a reservation.
pub const MAX_LEASE_TTL: Duration = Duration::from_secs(24 * 3600);
const MAX_MESSAGE_CHARS: usize = 4000;

/// `SELECT <every run column> FROM runs <tail>` as one literal (sqlx 0.9 takes
/// static SQL; JSONB read as text, timestamps as unix milliseconds).
macro_rules! select_runs {
    ($tail:literal) => {
        concat!(
            "SELECT id, label, status, offer_id, offer::text AS offer, profile::text AS profile, ",
            "launch::text AS launch, budget_cap_micro_usd, kill_policy, instance_id, ssh_host, ",
            "ssh_port, host_key_fingerprint, log_offset, checklist::text AS checklist, ",
            "verdict::text AS verdict, watch_state::text AS watch_state, end_reason, parent_run_id, ",
            "(extract(epoch FROM created_at) * 1000)::bigint AS created_at_ms, ",
            "(extract(epoch FROM updated_at) * 1000)::bigint AS updated_at_ms, ",
            "(extract(epoch FROM ended_at) * 1000)::bigint AS ended_at_ms ",
            "FROM runs ",
            $tail
        )
    };
}

/// The repository. Cheap to clone (the pool is an `Arc`).
#[derive(Clone)]
pub struct PgRuns(pub PgPool);

impl PgRuns {
    pub fn new(pool: PgPool) -> Self {
        Self(pool)
    }

    // ---- runs ----

    pub async fn create(&self, run: &NewRun) -> Result<i64, RunsError> {
        let launch = encode("launch spec", &run.launch)?;
        let offer = encode("offer", &run.offer)?;
        let profile = run
            .profile
            .as_ref()
            .map(|p| encode("profile", p))
            .transpose()?;
        let id = sqlx::query_scalar::<_, i64>(
            "INSERT INTO runs (label, offer_id, offer, profile, launch) \
             VALUES ($1, $2, $3::jsonb, $4::jsonb, $5::jsonb) RETURNING id",
        )
        .bind(&run.label)
        .bind(run.offer_id)
        .bind(offer)
        .bind(profile)
        .bind(launch)
        .fetch_one(&self.0)
        .await?;
        Ok(id)
    }

    pub async fn get(&self, id: i64) -> Result<Option<RunRow>, RunsError> {
        let row = sqlx::query(select_runs!("WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.0)
            .await?;
        row.as_ref().map(run_from_row).transpose()
    }

    /// Live runs first (newest first), then ended ones (most recently ended first).
    pub async fn list(&self, limit: i64) -> Result<Vec<RunRow>, RunsError> {
        let rows = sqlx::query(select_runs!(
            "ORDER BY (ended_at IS NULL) DESC, COALESCE(ended_at, created_at) DESC, id DESC LIMIT $1"
        ))
        .bind(limit.max(0))
        .fetch_all(&self.0)
        .await?;
        rows.iter().map(run_from_row).collect()
    }

    /// Ids of runs not yet ended, oldest first (what watchers look after).
    pub async fn live_ids(&self) -> Result<Vec<i64>, RunsError> {
        Ok(
            sqlx::query_scalar::<_, i64>("SELECT id FROM runs WHERE ended_at IS NULL ORDER BY id")
                .fetch_all(&self.0)
                .await?,
        )
    }

    /// Moves the run to `status`; a final status also sets `ended_at` and the
    /// reason. Returns false (and changes nothing) if the run had already ended:
    /// a final status is never overwritten, so a late watcher cannot revive a
    /// run someone killed.
    pub async fn set_status(
        &self,
        id: i64,
        status: RunStatus,
        end_reason: Option<&str>,
    ) -> Result<bool, RunsError> {
        let done = sqlx::query(
            "UPDATE runs SET status = $2, \
               end_reason = CASE WHEN $3 THEN $4 ELSE end_reason END, \
               ended_at = CASE WHEN $3 THEN now() ELSE NULL END, \
               updated_at = now() \
             WHERE id = $1 AND ended_at IS NULL",
        )
        .bind(id)
        .bind(status.as_str())
        .bind(status.is_final())
        .bind(end_reason)
        .execute(&self.0)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn set_instance(&self, id: i64, info: &InstanceInfo) -> Result<bool, RunsError> {
        let done = sqlx::query(
            "UPDATE runs SET instance_id = $2, ssh_host = $3, ssh_port = $4, \
               host_key_fingerprint = $5, updated_at = now() WHERE id = $1",
        )
        .bind(id)
        .bind(info.instance_id)
        .bind(info.ssh_host.as_deref())
        .bind(info.ssh_port.map(i32::from))
        .bind(info.host_key_fingerprint.as_deref())
        .execute(&self.0)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Saves the checklist state (the whole machine, so a takeover resumes it).
    /// Fenced: fails with `LeaseLost` unless `holder` holds the run's lease.
    pub async fn save_checklist(
        &self,
        id: i64,
        holder: &str,
        checklist: &Checklist,
    ) -> Result<(), RunsError> {
        let json = encode("checklist", checklist)?;
        self.set_fenced(id, holder, "checklist = $3::jsonb", json)
            .await
    }

    /// Saves how far the remote log was read. Any value ≥ 0 is accepted: after a
    /// rotation or truncation the offset goes back. Fenced like `save_checklist`.
    pub async fn save_log_offset(
        &self,
        id: i64,
        holder: &str,
        offset: i64,
    ) -> Result<(), RunsError> {
        self.set_fenced(id, holder, "log_offset = $3", offset).await
    }

    /// Saves the latest verdict (recomputed every check). Fenced like `save_checklist`.
    pub async fn save_verdict<T: Serialize>(
        &self,
        id: i64,
        holder: &str,
        verdict: &T,
    ) -> Result<(), RunsError> {
        let json = encode("verdict", verdict)?;
        self.set_fenced(id, holder, "verdict = $3::jsonb", json)
            .await
    }

    /// Asks the run's watcher to do something on the host (promote). Only for
    /// a live run; replaces an action not yet taken. False if the run ended.
    pub async fn request_action(
        &self,
        id: i64,
        action: &serde_json::Value,
    ) -> Result<bool, RunsError> {
        let json = encode("requested action", action)?;
        let done = sqlx::query(
            "UPDATE runs SET requested_action = $2::jsonb, updated_at = now() \
             WHERE id = $1 AND ended_at IS NULL",
        )
        .bind(id)
        .bind(json)
        .execute(&self.0)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// The watcher takes the requested action (at most once): returns it and
    /// clears it, fenced by the lease.
    pub async fn take_action(
        &self,
        id: i64,
        holder: &str,
    ) -> Result<Option<serde_json::Value>, RunsError> {
        let text = sqlx::query_scalar::<_, Option<String>>(
            "WITH old AS (SELECT requested_action FROM runs WHERE id = $1 FOR UPDATE) \
             UPDATE runs SET requested_action = NULL, updated_at = now() FROM old \
             WHERE runs.id = $1 AND old.requested_action IS NOT NULL AND EXISTS \
               (SELECT 1 FROM run_leases WHERE run_id = $1 AND holder = $2) \
             RETURNING old.requested_action::text",
        )
        .bind(id)
        .bind(holder)
        .fetch_optional(&self.0)
        .await?
        .flatten();
        decode_json(id, "requested action", text)
    }

    /// A run created from another (switch, relaunch): its lineage and the
    /// watch state it starts from (earlier attempts, for the rules).
    pub async fn link_parent(
        &self,
        id: i64,
        parent: i64,
        watch_state: &serde_json::Value,
    ) -> Result<(), RunsError> {
        let json = encode("watch state", watch_state)?;
        sqlx::query(
            "UPDATE runs SET parent_run_id = $2, \
               watch_state = COALESCE(watch_state, $3::jsonb), updated_at = now() WHERE id = $1",
        )
        .bind(id)
        .bind(parent)
        .bind(json)
        .execute(&self.0)
        .await?;
        Ok(())
    }

    /// Everything a check changed, in one fenced statement: the checklist, the
    /// watcher's state, the log offset and the verdict (`None` keeps it).
    pub async fn save_check(
        &self,
        id: i64,
        holder: &str,
        checklist: &Checklist,
        watch_state: &serde_json::Value,
        log_offset: i64,
        verdict: Option<&serde_json::Value>,
    ) -> Result<(), RunsError> {
        let checklist = encode("checklist", checklist)?;
        let watch_state = encode("watch state", watch_state)?;
        let verdict = verdict.map(|v| encode("verdict", v)).transpose()?;
        let done = sqlx::query(
            "UPDATE runs SET checklist = $3::jsonb, watch_state = $4::jsonb, log_offset = $5, \
               verdict = COALESCE($6::jsonb, verdict), updated_at = now() \
             WHERE id = $1 AND EXISTS \
               (SELECT 1 FROM run_leases WHERE run_id = $1 AND holder = $2)",
        )
        .bind(id)
        .bind(holder)
        .bind(checklist)
        .bind(watch_state)
        .bind(log_offset.max(0))
        .bind(verdict)
        .execute(&self.0)
        .await?;
        fenced(id, done.rows_affected())
    }

    /// One `UPDATE runs SET <assignment>` that only lands while `holder` holds the
    /// run's lease (the fence every watcher write goes through). `assignment` is a
    /// constant of this file, never input; `$3` is `value`.
    async fn set_fenced<V>(
        &self,
        id: i64,
        holder: &str,
        assignment: &'static str,
        value: V,
    ) -> Result<(), RunsError>
    where
        V: for<'q> sqlx::Encode<'q, sqlx::Postgres> + sqlx::Type<sqlx::Postgres> + Send,
    {
        let sql = format!(
            "UPDATE runs SET {assignment}, updated_at = now() \
             WHERE id = $1 AND EXISTS \
               (SELECT 1 FROM run_leases WHERE run_id = $1 AND holder = $2)"
        );
        let done = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .bind(holder)
            .bind(value)
            .execute(&self.0)
            .await?;
        fenced(id, done.rows_affected())
    }

    // ---- events ----

    pub async fn append_event(&self, run_id: i64, event: &NewEvent) -> Result<i64, RunsError> {
        let ids = self
            .append_events(run_id, std::slice::from_ref(event))
            .await?;
        ids.into_iter().next().ok_or_else(|| RunsError::Decode {
            run_id,
            what: "event id",
            detail: "the insert returned no id".into(),
        })
    }

    /// Appends events in one statement, in the given order; returns their ids.
    pub async fn append_events(
        &self,
        run_id: i64,
        events: &[NewEvent],
    ) -> Result<Vec<i64>, RunsError> {
        if events.is_empty() {
            return Ok(Vec::new());
        }
        let mut ats = Vec::with_capacity(events.len());
        let mut kinds = Vec::with_capacity(events.len());
        let mut steps = Vec::with_capacity(events.len());
        let mut messages = Vec::with_capacity(events.len());
        let mut datas = Vec::with_capacity(events.len());
        for event in events {
            ats.push(event.at_ms);
            kinds.push(event.kind.as_str());
            steps.push(event.step.map(Step::as_str));
            messages.push(message_text(&event.message));
            datas.push(
                event
                    .data
                    .as_ref()
                    .map(|d| encode("event data", d))
                    .transpose()?,
            );
        }
        // WITH ORDINALITY + ORDER BY: ids follow the slice order.
        let mut ids = sqlx::query_scalar::<_, i64>(
            "INSERT INTO run_events (run_id, at, kind, step, message, data) \
             SELECT $1, COALESCE(to_timestamp(e.at_ms / 1000.0), clock_timestamp()), \
                    e.kind, e.step, e.message, e.data::jsonb \
             FROM UNNEST($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[]) \
                  WITH ORDINALITY AS e(at_ms, kind, step, message, data, n) \
             ORDER BY e.n \
             RETURNING id",
        )
        .bind(run_id)
        .bind(ats)
        .bind(kinds)
        .bind(steps)
        .bind(messages)
        .bind(datas)
        .fetch_all(&self.0)
        .await?;
        // RETURNING order is not guaranteed; ids were drawn in slice order.
        ids.sort_unstable();
        Ok(ids)
    }

    /// The run's events after `after_id` (0 = from the start), oldest first.
    pub async fn events(
        &self,
        run_id: i64,
        after_id: i64,
        limit: i64,
    ) -> Result<Vec<RunEvent>, RunsError> {
        let rows = sqlx::query(
            "SELECT id, run_id, (extract(epoch FROM at) * 1000)::bigint AS at_ms, kind, step, \
                    message, data::text AS data \
             FROM run_events WHERE run_id = $1 AND id > $2 ORDER BY id LIMIT $3",
        )
        .bind(run_id)
        .bind(after_id)
        .bind(limit.max(0))
        .fetch_all(&self.0)
        .await?;
        rows.iter().map(event_from_row).collect()
    }

    /// The latest `limit` alerts of every run, newest first (the in-app list).
    pub async fn recent_alerts(&self, limit: i64) -> Result<Vec<RunEvent>, RunsError> {
        let rows = sqlx::query(
            "SELECT id, run_id, (extract(epoch FROM at) * 1000)::bigint AS at_ms, \
                    kind, step, message, data::text AS data \
             FROM run_events WHERE kind = 'alert' ORDER BY id DESC LIMIT $1",
        )
        .bind(limit.max(0))
        .fetch_all(&self.0)
        .await?;
        rows.iter().map(event_from_row).collect()
    }

    /// The latest `limit` events of a run, oldest first.
    pub async fn recent_events(&self, run_id: i64, limit: i64) -> Result<Vec<RunEvent>, RunsError> {
        let rows = sqlx::query(
            "SELECT * FROM (SELECT id, run_id, (extract(epoch FROM at) * 1000)::bigint AS at_ms, \
                    kind, step, message, data::text AS data \
             FROM run_events WHERE run_id = $1 ORDER BY id DESC LIMIT $2) recent ORDER BY id",
        )
        .bind(run_id)
        .bind(limit.max(0))
        .fetch_all(&self.0)
        .await?;
        rows.iter().map(event_from_row).collect()
    }

    // ---- samples ----

    /// Inserts a check's samples in one statement (UNNEST of column arrays).
    pub async fn insert_samples(&self, run_id: i64, samples: &[Sample]) -> Result<u64, RunsError> {
        if samples.is_empty() {
            return Ok(0);
        }
        let n = samples.len();
        let mut at = Vec::with_capacity(n);
        let mut step = Vec::with_capacity(n);
        let mut sps = Vec::with_capacity(n);
        let mut util = Vec::with_capacity(n);
        let mut mem = Vec::with_capacity(n);
        let mut power = Vec::with_capacity(n);
        let mut loss = Vec::with_capacity(n);
        let mut eval_loss = Vec::with_capacity(n);
        let mut lr = Vec::with_capacity(n);
        let mut log_bytes = Vec::with_capacity(n);
        for s in samples {
            at.push(s.at_ms);
            // Out-of-range values are unknowns from a parser, not reasons to lose the batch.
            step.push(s.step.filter(|v| *v >= 0));
            sps.push(non_negative(s.steps_per_sec));
            util.push(finite(s.gpu_util_pct).filter(|v| (0.0..=100.0).contains(v)));
            mem.push(non_negative(s.gpu_mem_used_mb));
            power.push(non_negative(s.gpu_power_w));
            loss.push(finite(s.loss));
            eval_loss.push(finite(s.eval_loss));
            lr.push(finite(s.learning_rate));
            log_bytes.push(s.log_bytes.filter(|v| *v >= 0));
        }
        let done = sqlx::query(
            "INSERT INTO run_samples (run_id, at, step, steps_per_sec, gpu_util_pct, \
               gpu_mem_used_mb, gpu_power_w, loss, eval_loss, learning_rate, log_bytes) \
             SELECT $1, to_timestamp(s.at_ms / 1000.0), s.step, s.sps, s.util, s.mem, s.power, \
                    s.loss, s.eval_loss, s.lr, s.log_bytes \
             FROM UNNEST($2::bigint[], $3::bigint[], $4::float8[], $5::float8[], $6::float8[], \
                         $7::float8[], $8::float8[], $9::float8[], $10::float8[], $11::bigint[]) \
                  AS s(at_ms, step, sps, util, mem, power, loss, eval_loss, lr, log_bytes)",
        )
        .bind(run_id)
        .bind(at)
        .bind(step)
        .bind(sps)
        .bind(util)
        .bind(mem)
        .bind(power)
        .bind(loss)
        .bind(eval_loss)
        .bind(lr)
        .bind(log_bytes)
        .execute(&self.0)
        .await?;
        Ok(done.rows_affected())
    }

    /// The run's latest `limit` samples, in time order.
    pub async fn samples(&self, run_id: i64, limit: i64) -> Result<Vec<Sample>, RunsError> {
        let rows = sqlx::query(
            "SELECT * FROM ( \
               SELECT id, (extract(epoch FROM at) * 1000)::bigint AS at_ms, step, steps_per_sec, \
                      gpu_util_pct, gpu_mem_used_mb, gpu_power_w, loss, eval_loss, \
                      learning_rate, log_bytes \
               FROM run_samples WHERE run_id = $1 ORDER BY at DESC, id DESC LIMIT $2 \
             ) latest ORDER BY at_ms, id",
        )
        .bind(run_id)
        .bind(limit.max(0))
        .fetch_all(&self.0)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Sample {
                    at_ms: r.try_get("at_ms")?,
                    step: r.try_get("step")?,
                    steps_per_sec: r.try_get("steps_per_sec")?,
                    gpu_util_pct: r.try_get("gpu_util_pct")?,
                    gpu_mem_used_mb: r.try_get("gpu_mem_used_mb")?,
                    gpu_power_w: r.try_get("gpu_power_w")?,
                    loss: r.try_get("loss")?,
                    eval_loss: r.try_get("eval_loss")?,
                    learning_rate: r.try_get("learning_rate")?,
                    log_bytes: r.try_get("log_bytes")?,
                })
            })
            .collect()
    }

    // ---- the watcher lease ----

    /// Takes the run's lease if nobody holds it, it has expired, or `holder`
    /// already has it (then it is renewed). Never for an ended run. True = held.
    pub async fn try_acquire(
        &self,
        run_id: i64,
        holder: &str,
        ttl: Duration,
    ) -> Result<bool, RunsError> {
        // ON CONFLICT locks the existing row and re-checks the WHERE against its
        // latest version, so of two racing servers exactly one gets the lease.
        let got = sqlx::query_scalar::<_, i64>(
            "INSERT INTO run_leases (run_id, holder, expires_at) \
             SELECT r.id, $2, now() + make_interval(secs => $3) \
             FROM runs r WHERE r.id = $1 AND r.ended_at IS NULL \
             ON CONFLICT (run_id) DO UPDATE SET \
               holder = EXCLUDED.holder, \
               expires_at = EXCLUDED.expires_at, \
               acquired_at = CASE WHEN run_leases.holder = EXCLUDED.holder \
                                  THEN run_leases.acquired_at ELSE now() END \
             WHERE run_leases.holder = EXCLUDED.holder OR run_leases.expires_at <= now() \
             RETURNING run_id",
        )
        .bind(run_id)
        .bind(holder)
        .bind(ttl_secs(ttl))
        .fetch_optional(&self.0)
        .await?;
        Ok(got.is_some())
    }

    /// Extends `holder`'s lease. False when it is not the holder any more (taken
    /// over or released): the caller must stop watching. An expired lease nobody
    /// took over is still the holder's, so a slow check does not lose the run.
    pub async fn renew(&self, run_id: i64, holder: &str, ttl: Duration) -> Result<bool, RunsError> {
        let done = sqlx::query(
            "UPDATE run_leases SET expires_at = now() + make_interval(secs => $3) \
             WHERE run_id = $1 AND holder = $2",
        )
        .bind(run_id)
        .bind(holder)
        .bind(ttl_secs(ttl))
        .execute(&self.0)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Gives the lease up (run ended, server shutting down). False if not held.
    pub async fn release(&self, run_id: i64, holder: &str) -> Result<bool, RunsError> {
        let done = sqlx::query("DELETE FROM run_leases WHERE run_id = $1 AND holder = $2")
            .bind(run_id)
            .bind(holder)
            .execute(&self.0)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Takes over up to `limit` live runs whose lease has expired, or that never
    /// got one within `ttl` of being created (their launcher died); returns their
    /// ids. Concurrent callers skip each other's rows (`FOR UPDATE SKIP LOCKED`),
    /// and the upsert re-checks expiry, so a run is never held by two servers.
    pub async fn claim_expired(
        &self,
        holder: &str,
        ttl: Duration,
        limit: i64,
    ) -> Result<Vec<i64>, RunsError> {
        let mut ids = sqlx::query_scalar::<_, i64>(
            "WITH candidates AS ( \
               SELECT r.id FROM runs r LEFT JOIN run_leases l ON l.run_id = r.id \
               WHERE r.ended_at IS NULL \
                 AND (l.expires_at <= now() \
                      OR (l.run_id IS NULL \
                          AND r.created_at <= now() - make_interval(secs => $2))) \
               ORDER BY r.id LIMIT $3 \
               FOR UPDATE OF r SKIP LOCKED \
             ) \
             INSERT INTO run_leases (run_id, holder, expires_at) \
             SELECT id, $1, now() + make_interval(secs => $2) FROM candidates \
             ON CONFLICT (run_id) DO UPDATE SET \
               holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at, acquired_at = now() \
             WHERE run_leases.expires_at <= now() \
             RETURNING run_id",
        )
        .bind(holder)
        .bind(ttl_secs(ttl))
        .bind(limit.max(0))
        .fetch_all(&self.0)
        .await?;
        ids.sort_unstable();
        Ok(ids)
    }

    pub async fn lease(&self, run_id: i64) -> Result<Option<Lease>, RunsError> {
        let row = sqlx::query(
            "SELECT run_id, holder, \
                    (extract(epoch FROM acquired_at) * 1000)::bigint AS acquired_at_ms, \
                    (extract(epoch FROM expires_at) * 1000)::bigint AS expires_at_ms \
             FROM run_leases WHERE run_id = $1",
        )
        .bind(run_id)
        .fetch_optional(&self.0)
        .await?;
        row.map(|r| {
            Ok(Lease {
                run_id: r.try_get("run_id")?,
                holder: r.try_get("holder")?,
                acquired_at_ms: r.try_get("acquired_at_ms")?,
                expires_at_ms: r.try_get("expires_at_ms")?,
            })
        })
        .transpose()
    }
}

fn encode<T: Serialize + ?Sized>(what: &'static str, value: &T) -> Result<String, RunsError> {
    serde_json::to_string(value).map_err(|source| RunsError::Encode { what, source })
}

fn decode_json(
    run_id: i64,
    what: &'static str,
    text: Option<String>,
) -> Result<Option<serde_json::Value>, RunsError> {
    text.map(|t| {
        serde_json::from_str(&t).map_err(|e| RunsError::Decode {
            run_id,
            what,
            detail: e.to_string(),
        })
    })
    .transpose()
}

fn run_from_row(r: &PgRow) -> Result<RunRow, RunsError> {
    let id: i64 = r.try_get("id")?;
    let bad = |what: &'static str, detail: String| RunsError::Decode {
        run_id: id,
        what,
        detail,
    };
    let status: String = r.try_get("status")?;
    let kill_policy: String = r.try_get("kill_policy")?;
    let ssh_port: Option<i32> = r.try_get("ssh_port")?;
    Ok(RunRow {
        id,
        label: r.try_get("label")?,
        status: RunStatus::parse(&status).ok_or_else(|| bad("status", status.clone()))?,
        offer_id: r.try_get("offer_id")?,
        offer: decode_json(id, "offer", r.try_get("offer")?)?.unwrap_or_default(),
        profile: decode_json(id, "profile", r.try_get("profile")?)?,
        launch: decode_json(id, "launch spec", r.try_get("launch")?)?.unwrap_or_default(),
        budget_cap_micro_usd: r.try_get("budget_cap_micro_usd")?,
        kill_policy: match kill_policy.as_str() {
            "ask" => KillPolicy::Ask,
            "auto" => KillPolicy::Auto,
            other => return Err(bad("kill policy", other.to_string())),
        },
        instance_id: r.try_get("instance_id")?,
        ssh_host: r.try_get("ssh_host")?,
        ssh_port: ssh_port
            .map(|p| u16::try_from(p).map_err(|_| bad("ssh port", p.to_string())))
            .transpose()?,
        host_key_fingerprint: r.try_get("host_key_fingerprint")?,
        log_offset: r.try_get("log_offset")?,
        checklist: decode_json(id, "checklist", r.try_get("checklist")?)?,
        verdict: decode_json(id, "verdict", r.try_get("verdict")?)?,
        watch_state: decode_json(id, "watch state", r.try_get("watch_state")?)?,
        end_reason: r.try_get("end_reason")?,
        parent_run_id: r.try_get("parent_run_id")?,
        created_at_ms: r.try_get("created_at_ms")?,
        updated_at_ms: r.try_get("updated_at_ms")?,
        ended_at_ms: r.try_get("ended_at_ms")?,
    })
}

fn event_from_row(r: &PgRow) -> Result<RunEvent, RunsError> {
    let run_id: i64 = r.try_get("run_id")?;
    let kind: String = r.try_get("kind")?;
    let step: Option<String> = r.try_get("step")?;
    let bad = |what: &'static str, detail: String| RunsError::Decode {
        run_id,
        what,
        detail,
    };
    Ok(RunEvent {
        id: r.try_get("id")?,
        run_id,
        at_ms: r.try_get("at_ms")?,
        kind: EventKind::parse(&kind).ok_or_else(|| bad("event kind", kind.clone()))?,
        step: step
            .map(|s| {
                Step::ALL
                    .into_iter()
                    .find(|st| st.as_str() == s)
                    .ok_or_else(|| bad("event step", s.clone()))
            })
            .transpose()?,
        message: r.try_get("message")?,
        data: decode_json(run_id, "event data", r.try_get("data")?)?,
    })
}

fn fenced(run_id: i64, rows: u64) -> Result<(), RunsError> {
    if rows == 1 {
        Ok(())
    } else {
        Err(RunsError::LeaseLost { run_id })
    }
}

fn ttl_secs(ttl: Duration) -> f64 {
    ttl.min(MAX_LEASE_TTL).as_secs_f64()
}

/// Messages must be 1..=4000 characters (the table's CHECK); an empty reason is
/// a bug upstream, but losing the event would be worse.
fn message_text(message: &str) -> String {
    let trimmed = message.trim();
    if trimmed.is_empty() {
        return "(no message)".into();
    }
    trimmed.chars().take(MAX_MESSAGE_CHARS).collect()
}

fn finite(v: Option<f64>) -> Option<f64> {
    v.filter(|x| x.is_finite())
}

fn non_negative(v: Option<f64>) -> Option<f64> {
    finite(v).filter(|x| *x >= 0.0)
}
