-- Phase 4's analytics: the refresh job's record (each refresh's start, end, duration, groups
-- recomputed and rows), its schedule, and the index review's EXPLAIN evidence.
CREATE TABLE console.analytics_refreshes (
  id                  serial PRIMARY KEY,
  mode                text NOT NULL CHECK (mode IN ('incremental', 'full')),
  reason              text NOT NULL CHECK (reason IN ('schedule', 'admin', 'cli')),
  requested_by        text NOT NULL,
  status              text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'succeeded', 'failed')),
  started_at          timestamptz(6) NOT NULL DEFAULT now(),
  finished_at         timestamptz(6),
  duration_ms         integer,
  batches             integer NOT NULL DEFAULT 0,
  changes             integer NOT NULL DEFAULT 0,
  statistics_groups   integer NOT NULL DEFAULT 0,
  auditor_months      integer NOT NULL DEFAULT 0,
  statistics_rows     bigint,
  performance_rows    bigint,
  error               text,
  CHECK ((status = 'running') = (finished_at IS NULL))
);
CREATE INDEX analytics_refreshes_started_at_idx ON console.analytics_refreshes (started_at DESC);

-- One row: how often the scheduled refresh runs (hourly unless an admin chose otherwise).
CREATE TABLE console.analytics_settings (
  id              boolean PRIMARY KEY DEFAULT true CHECK (id),
  refresh_minutes integer NOT NULL DEFAULT 60 CHECK (refresh_minutes IN (15, 30, 60, 120, 360, 720, 1440)),
  updated_by      text,
  updated_at      timestamptz(6)
);
INSERT INTO console.analytics_settings DEFAULT VALUES;

-- The index review: each main page query's EXPLAIN (ANALYZE, BUFFERS), kept for the phase page.
CREATE TABLE console.analytics_index_evidence (
  query          text PRIMARY KEY,
  title          text NOT NULL,
  sql            text NOT NULL,
  plan           text NOT NULL,
  expected_index text NOT NULL,
  uses_index     boolean NOT NULL,
  execution_ms   double precision NOT NULL,
  captured_at    timestamptz(6) NOT NULL DEFAULT now()
);
