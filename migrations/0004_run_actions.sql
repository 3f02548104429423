-- Actions a person (or Canopy, under the automatic policy) asked for that the
-- run's watcher carries out on the host (promote to the full run); and the run
-- a switch or a relaunch came from.
ALTER TABLE runs
    ADD COLUMN requested_action JSONB
        CHECK (requested_action IS NULL OR jsonb_typeof(requested_action) = 'object'),
    ADD COLUMN parent_run_id BIGINT REFERENCES runs (id) ON DELETE SET NULL;
