-- Smoke runs, what happened to them, what was measured, and who watches them.
--
-- Timestamps are TIMESTAMPTZ; the server reads them as unix milliseconds so it
-- needs no date crate. Money is integer micro-dollars (BIGINT), never a float.

CREATE TABLE runs (
    id                   BIGSERIAL PRIMARY KEY,
    label                TEXT NOT NULL CHECK (length(label) BETWEEN 1 AND 200),
    status               TEXT NOT NULL DEFAULT 'pending' CHECK (status IN (
                             'pending', 'launching', 'bringing_up', 'running', 'stopping',
                             'succeeded', 'failed', 'killed', 'cancelled')),
    -- Vast's offer (ask contract) id and the offer as it was when launched: prices
    -- and hosts change, the run must keep what it was bought at.
    offer_id             BIGINT NOT NULL,
    offer                JSONB NOT NULL CHECK (jsonb_typeof(offer) = 'object'),
    profile              JSONB CHECK (profile IS NULL OR jsonb_typeof(profile) = 'object'),
    -- image, disk_gb, env, bootstrap, smoke_cmd, steps, log_path,
    -- expected_steps_per_sec, budget_cap_micro_usd, kill_policy. Env values may be
    -- read by anyone with database access: they are not the place for secrets.
    launch               JSONB NOT NULL CHECK (jsonb_typeof(launch) = 'object'),
    -- Derived from `launch` so the money cap and the policy are checked and
    -- queryable without a second copy that could disagree.
    budget_cap_micro_usd BIGINT GENERATED ALWAYS AS ((launch ->> 'budget_cap_micro_usd')::bigint) STORED
                         NOT NULL CHECK (budget_cap_micro_usd > 0),
    kill_policy          TEXT GENERATED ALWAYS AS (launch ->> 'kill_policy') STORED
                         NOT NULL CHECK (kill_policy IN ('ask', 'auto')),
    instance_id          BIGINT,
    ssh_host             TEXT,
    ssh_port             INTEGER CHECK (ssh_port BETWEEN 1 AND 65535),
    host_key_fingerprint TEXT,
    -- Bytes of the remote log already read: a restarted or second server resumes
    -- here instead of re-reading the log.
    log_offset           BIGINT NOT NULL DEFAULT 0 CHECK (log_offset >= 0),
    checklist            JSONB,
    verdict              JSONB,
    end_reason           TEXT,
    created_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    ended_at             TIMESTAMPTZ,
    -- A run is ended exactly when its status is final.
    CHECK ((ended_at IS NULL) = (status NOT IN ('succeeded', 'failed', 'killed', 'cancelled')))
);

-- The runs page lists live runs first, then recent ones; watchers scan live ones.
CREATE INDEX runs_live_idx ON runs (created_at DESC) WHERE ended_at IS NULL;
CREATE INDEX runs_recent_idx ON runs (created_at DESC, id DESC);

-- Every checklist step, rule firing, alert and action, with its reason.
CREATE TABLE run_events (
    id       BIGSERIAL PRIMARY KEY,
    run_id   BIGINT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    at       TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    kind     TEXT NOT NULL CHECK (kind IN (
                 'checklist', 'rule', 'alert', 'action', 'status', 'lease', 'note')),
    step     TEXT CHECK (step IN (
                 'instance_running', 'ssh_reachable', 'gpus_visible', 'bootstrap_done',
                 'smoke_started', 'progressing', 'first_numbers')),
    message  TEXT NOT NULL CHECK (length(message) BETWEEN 1 AND 4000),
    data     JSONB
);

-- A run's timeline, in insertion order, paged by id.
CREATE INDEX run_events_run_idx ON run_events (run_id, id);

-- Live numbers, written in batches (one statement per check).
CREATE TABLE run_samples (
    id               BIGSERIAL PRIMARY KEY,
    run_id           BIGINT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    at               TIMESTAMPTZ NOT NULL,
    step             BIGINT CHECK (step >= 0),
    steps_per_sec    DOUBLE PRECISION CHECK (steps_per_sec >= 0),
    gpu_util_pct     DOUBLE PRECISION CHECK (gpu_util_pct BETWEEN 0 AND 100),
    gpu_mem_used_mb  DOUBLE PRECISION CHECK (gpu_mem_used_mb >= 0),
    gpu_power_w      DOUBLE PRECISION CHECK (gpu_power_w >= 0),
    loss             DOUBLE PRECISION,
    eval_loss        DOUBLE PRECISION,
    learning_rate    DOUBLE PRECISION,
    log_bytes        BIGINT CHECK (log_bytes >= 0)
);

CREATE INDEX run_samples_run_idx ON run_samples (run_id, at, id);

-- Exactly one watcher per live run: the holder renews `expires_at` every check;
-- an expired row is taken over (see server/src/db/runs.rs for the statements).
CREATE TABLE run_leases (
    run_id       BIGINT PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
    holder       TEXT NOT NULL CHECK (length(holder) BETWEEN 1 AND 200),
    acquired_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at   TIMESTAMPTZ NOT NULL
);

CREATE INDEX run_leases_expiry_idx ON run_leases (expires_at);
