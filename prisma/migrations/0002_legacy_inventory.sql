-- Source inventory snapshots: counts over the legacy tables, computed in one pass and cached
-- with the time they were computed, so the Source page stays fast at 10M audits.
CREATE TABLE console.inventory_snapshots (
  id            serial PRIMARY KEY,
  computed_at   timestamptz(6) NOT NULL DEFAULT now(),
  duration_ms   integer NOT NULL CHECK (duration_ms >= 0),
  legacy_schema text NOT NULL,
  data          jsonb NOT NULL
);
CREATE INDEX inventory_snapshots_legacy_schema_computed_at_idx
  ON console.inventory_snapshots (legacy_schema, computed_at DESC);
