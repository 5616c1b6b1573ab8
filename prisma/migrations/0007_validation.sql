-- Validation reports: a suite of checks run as a job (pre-flight before approval, post-run after a
-- phase and on demand), every check stored with its figures, status, duration and mismatch samples.
CREATE TABLE console.validation_runs (
  id            serial PRIMARY KEY,
  phase         integer NOT NULL CHECK (phase BETWEEN 1 AND 5),
  kind          text NOT NULL CHECK (kind IN ('preflight', 'post_run')),
  status        text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'finished', 'error')),
  verdict       text CHECK (verdict IN ('pass', 'warn', 'fail')),
  plan_checksum text,
  phase_run_id  integer REFERENCES console.phase_runs (id) ON DELETE SET NULL,
  requested_by  text NOT NULL,
  requested_at  timestamptz(6) NOT NULL DEFAULT now(),
  started_at    timestamptz(6),
  finished_at   timestamptz(6),
  heartbeat_at  timestamptz(6),
  error         text
);
CREATE INDEX validation_runs_phase_idx ON console.validation_runs (phase, kind, id DESC);
CREATE INDEX validation_runs_id_desc_idx ON console.validation_runs (id DESC);

CREATE TABLE console.validation_checks (
  run_id      integer NOT NULL REFERENCES console.validation_runs (id) ON DELETE CASCADE,
  check_id    text NOT NULL,
  position    integer NOT NULL,
  category    text NOT NULL CHECK (category IN ('counts', 'content', 'integrity', 'quality', 'step')),
  title       text NOT NULL,
  status      text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'pass', 'warn', 'fail', 'error')),
  -- Each result: name, status, expected, actual, detail, samples (both sides, differing columns).
  results     jsonb,
  started_at  timestamptz(6),
  finished_at timestamptz(6),
  duration_ms integer,
  PRIMARY KEY (run_id, check_id)
);

-- An approval is given on a pre-flight report: which one, and the warnings the lead acknowledged.
ALTER TABLE console.approvals
  ADD COLUMN preflight_validation_id integer REFERENCES console.validation_runs (id) ON DELETE SET NULL,
  ADD COLUMN acknowledged            jsonb;
