-- Dress rehearsals: a phase's steps run on a sample of the legacy data (in one transaction that is
-- rolled back, so nothing of it stays), each step's rows/s, and the run time they predict at full size.
CREATE TABLE console.rehearsals (
  id                serial PRIMARY KEY,
  phase             integer NOT NULL CHECK (phase BETWEEN 1 AND 5),
  plan_checksum     text NOT NULL,
  sample_percent    double precision NOT NULL CHECK (sample_percent > 0 AND sample_percent <= 100),
  status            text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'succeeded', 'failed')),
  requested_by      text NOT NULL,
  started_at        timestamptz(6) NOT NULL DEFAULT now(),
  finished_at       timestamptz(6),
  audits_total      bigint,
  audits_sampled    bigint,
  -- Per step: id, title, sample and full rows, seconds on the sample, rows/s, predicted seconds.
  steps             jsonb,
  predicted_seconds double precision,
  error             text,
  CHECK ((status = 'running') = (finished_at IS NULL))
);
CREATE INDEX rehearsals_phase_idx ON console.rehearsals (phase, id DESC);
