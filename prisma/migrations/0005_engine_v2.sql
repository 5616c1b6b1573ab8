-- Engine v2: a run carries the plan it executes (frozen at request time), steps may run in
-- parallel units with their own checkpoints, and an approval can be voided (by a rollback or by
-- the legacy database changing under a run).
ALTER TABLE console.phase_runs
  ADD COLUMN plan                  jsonb,
  ADD COLUMN discovery_fingerprint text;

ALTER TABLE console.approvals
  ADD COLUMN voided_at     timestamptz(6),
  ADD COLUMN voided_reason text,
  -- Each step's row estimate when the plan was decided: an approval goes stale when they move too far.
  ADD COLUMN estimates     jsonb;

CREATE TABLE console.unit_runs (
  run_id      integer NOT NULL,
  step_id     text NOT NULL,
  unit_id     text NOT NULL,
  position    integer NOT NULL,
  status      console.step_status NOT NULL DEFAULT 'pending',
  rows_done   bigint NOT NULL DEFAULT 0,
  rows_total  bigint,
  started_at  timestamptz(6),
  finished_at timestamptz(6),
  checkpoint  jsonb,
  error       text,
  -- The PostgreSQL session that last worked on the unit: evidence that units ran side by side.
  backend_pid integer,
  PRIMARY KEY (run_id, step_id, unit_id),
  FOREIGN KEY (run_id, step_id) REFERENCES console.step_runs (run_id, step_id) ON DELETE CASCADE
);
