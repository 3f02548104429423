-- The watcher's own state for a run (phase, launched processes, the rule
-- history, live numbers, log tail), saved every check with the checklist so a
-- server that takes the lease over resumes the run where it stood.
ALTER TABLE runs
    ADD COLUMN watch_state JSONB
        CHECK (watch_state IS NULL OR jsonb_typeof(watch_state) = 'object');
