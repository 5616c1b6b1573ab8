-- Feature flags that send readers from the legacy schema to the unified one, their full history,
-- and the API keys applications use to read them over OFREP.
CREATE TABLE console.feature_flags (
  key         text PRIMARY KEY CHECK (key ~ '^[A-Z][A-Z0-9_]*$'),
  description text NOT NULL,
  -- The interlock: the flag may be turned on only while this phase has succeeded with a passing
  -- post-run validation. NULL for a flag that switches nothing a phase builds.
  phase       integer CHECK (phase BETWEEN 1 AND 5),
  enabled     boolean NOT NULL DEFAULT false,
  changed_by  text,
  changed_at  timestamptz(6),
  -- A retired flag stays in history and is no longer served as a switch.
  retired_at  timestamptz(6),
  created_at  timestamptz(6) NOT NULL DEFAULT now()
);

CREATE TABLE console.flag_history (
  id           bigserial PRIMARY KEY,
  flag_key     text NOT NULL REFERENCES console.feature_flags (key),
  at           timestamptz(6) NOT NULL DEFAULT now(),
  actor_id     integer,
  actor_email  text NOT NULL,
  from_enabled boolean NOT NULL,
  to_enabled   boolean NOT NULL,
  comment      text NOT NULL
);
CREATE INDEX flag_history_flag_idx ON console.flag_history (flag_key, id DESC);

-- History is evidence, like the activity log: no role may rewrite or delete it.
CREATE FUNCTION console.flag_history_is_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'console.flag_history is append-only (% refused)', TG_OP;
END;
$$;
CREATE TRIGGER flag_history_append_only
  BEFORE UPDATE OR DELETE OR TRUNCATE ON console.flag_history
  FOR EACH STATEMENT EXECUTE FUNCTION console.flag_history_is_append_only();

-- Only a sha256 of each key is kept (keys are 32 random bytes, so a slow hash adds nothing);
-- `prefix` lets a person recognise a key without it being usable.
CREATE TABLE console.api_keys (
  id           serial PRIMARY KEY,
  name         text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
  prefix       text NOT NULL,
  key_hash     text NOT NULL UNIQUE,
  created_by   text NOT NULL,
  created_at   timestamptz(6) NOT NULL DEFAULT now(),
  last_used_at timestamptz(6),
  revoked_at   timestamptz(6),
  revoked_by   text
);
-- A name names one live key; a revoked key keeps its name in the list.
CREATE UNIQUE INDEX api_keys_live_name_idx ON console.api_keys (name) WHERE revoked_at IS NULL;

INSERT INTO console.feature_flags (key, description, phase) VALUES
  ('USE_UNIFIED_EMPLOYEES_TABLE', 'Read employees from unified.employees instead of legacy users and people', 1),
  ('USE_UNIFIED_AUDITS_TABLE', 'Read audits from unified.audits instead of the legacy audit table of every scorecard', 2);
