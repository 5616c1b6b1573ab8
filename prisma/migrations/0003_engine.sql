-- The migration engine's own state: runs of phases, their steps with checkpoints, run logs,
-- approvals of plan checksums, and leads' overrides of merge-conflict choices.
CREATE TYPE console.run_kind AS ENUM ('run', 'rollback');
CREATE TYPE console.run_status AS ENUM ('queued', 'running', 'paused', 'succeeded', 'failed', 'cancelled', 'rolled_back');
CREATE TYPE console.step_status AS ENUM ('pending', 'running', 'succeeded', 'failed', 'skipped');

CREATE TABLE console.phase_runs (
  id               serial PRIMARY KEY,
  phase            integer NOT NULL CHECK (phase BETWEEN 1 AND 5),
  kind             console.run_kind NOT NULL,
  status           console.run_status NOT NULL DEFAULT 'queued',
  plan_checksum    text NOT NULL,
  only_step        text,
  requested_by     text NOT NULL,
  requested_at     timestamptz(6) NOT NULL DEFAULT now(),
  started_at       timestamptz(6),
  finished_at      timestamptz(6),
  heartbeat_at     timestamptz(6),
  pause_requested  boolean NOT NULL DEFAULT false,
  cancel_requested boolean NOT NULL DEFAULT false,
  error            text,
  verification     jsonb
);
-- One runner at a time: at most one run that is queued, running or paused, across all phases.
CREATE UNIQUE INDEX phase_runs_one_active ON console.phase_runs ((true))
  WHERE status IN ('queued', 'running', 'paused');
CREATE INDEX phase_runs_phase_idx ON console.phase_runs (phase, id DESC);

CREATE TABLE console.step_runs (
  run_id       integer NOT NULL REFERENCES console.phase_runs (id) ON DELETE CASCADE,
  step_id      text NOT NULL,
  position     integer NOT NULL,
  title        text NOT NULL,
  status       console.step_status NOT NULL DEFAULT 'pending',
  rows_done    bigint NOT NULL DEFAULT 0,
  rows_total   bigint,
  started_at   timestamptz(6),
  finished_at  timestamptz(6),
  checkpoint   jsonb,
  error        text,
  PRIMARY KEY (run_id, step_id)
);

CREATE TABLE console.run_log (
  id      bigserial PRIMARY KEY,
  run_id  integer NOT NULL REFERENCES console.phase_runs (id) ON DELETE CASCADE,
  at      timestamptz(6) NOT NULL DEFAULT now(),
  level   text NOT NULL CHECK (level IN ('info', 'warn', 'error')),
  step_id text,
  message text NOT NULL
);
CREATE INDEX run_log_run_idx ON console.run_log (run_id, id);

CREATE TABLE console.approvals (
  id            serial PRIMARY KEY,
  phase         integer NOT NULL CHECK (phase BETWEEN 1 AND 5),
  plan_checksum text NOT NULL,
  decision      text NOT NULL CHECK (decision IN ('approved', 'rejected')),
  comment       text NOT NULL DEFAULT '',
  decided_by    text NOT NULL,
  decided_at    timestamptz(6) NOT NULL DEFAULT now(),
  preflight     jsonb
);
CREATE INDEX approvals_phase_idx ON console.approvals (phase, id DESC);

CREATE TABLE console.conflict_overrides (
  email_normalized text NOT NULL,
  field            text NOT NULL,
  value            text,
  comment          text NOT NULL DEFAULT '',
  decided_by       text NOT NULL,
  decided_at       timestamptz(6) NOT NULL DEFAULT now(),
  PRIMARY KEY (email_normalized, field)
);
