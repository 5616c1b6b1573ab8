-- Phase 5 (Cleanup): the options a lead sets before approving its plan, the archive each run makes
-- (what moved where, what was removed, so the rollback restores it exactly) and its manifest.

-- Which compatibility views old readers still need. A view without a row here is kept; a lead
-- marks a view unneeded before approving, and Phase 5 then moves it out of the unified schema.
CREATE TABLE console.archive_view_choices (
  view_name  text PRIMARY KEY CHECK (length(view_name) BETWEEN 1 AND 63),
  keep       boolean NOT NULL,
  decided_by text NOT NULL,
  decided_at timestamptz(6) NOT NULL DEFAULT now()
);

-- How long the archive is kept: an admin may drop it only after this date. One row.
CREATE TABLE console.archive_settings (
  id              smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  retention_until date NOT NULL,
  set_by          text NOT NULL,
  set_at          timestamptz(6) NOT NULL DEFAULT now()
);

-- One archive per Phase 5 run: archiving (the run started), archived (the tables moved),
-- restored (rolled back), dropped (an admin dropped it after the retention date).
CREATE TABLE console.archives (
  run_id          integer PRIMARY KEY REFERENCES console.phase_runs (id),
  home_schema     text NOT NULL,
  archive_schema  text NOT NULL,
  status          text NOT NULL DEFAULT 'archiving' CHECK (status IN ('archiving', 'archived', 'restored', 'dropped')),
  archived_by     text NOT NULL,
  retention_until date NOT NULL,
  started_at      timestamptz(6) NOT NULL DEFAULT now(),
  archived_at     timestamptz(6),
  restored_at     timestamptz(6),
  dropped_at      timestamptz(6),
  dropped_by      text
);
-- At most one archive in place (or being made) at a time.
CREATE UNIQUE INDEX archives_current_idx ON console.archives ((true)) WHERE status IN ('archiving', 'archived');

-- What an archive holds and what it removed: the tables and views it moved (a table with its row
-- count and checksum: the manifest) and the definitions of the triggers and functions it dropped.
CREATE TABLE console.archive_objects (
  run_id      integer NOT NULL REFERENCES console.archives (run_id),
  kind        text NOT NULL CHECK (kind IN ('table', 'view', 'trigger', 'function')),
  name        text NOT NULL,
  position    integer NOT NULL,
  -- Where the object lives when Phase 5 has not run (a trigger: the schema of its table).
  home_schema text NOT NULL,
  -- A trigger's table.
  table_name  text,
  -- CREATE statement of a dropped trigger or function, exactly as the catalog gave it.
  definition  text,
  row_count   bigint,
  checksum    text,
  bytes       bigint,
  counted_at  timestamptz(6),
  PRIMARY KEY (run_id, kind, name)
);

-- A retired flag's history says so: the row of its retirement, not a toggle.
ALTER TABLE console.flag_history ADD COLUMN event text NOT NULL DEFAULT 'toggle' CHECK (event IN ('toggle', 'retire'));
