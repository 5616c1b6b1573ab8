-- The console's own tables: operators, their sessions and the append-only activity log.
CREATE TYPE console.operator_role AS ENUM ('admin', 'lead', 'analyst');

CREATE TABLE console.operators (
  id            serial PRIMARY KEY,
  email         text NOT NULL UNIQUE CHECK (email = lower(btrim(email)) AND email LIKE '%_@_%'),
  name          text NOT NULL CHECK (btrim(name) <> ''),
  roles         console.operator_role[] NOT NULL CHECK (cardinality(roles) > 0),
  password_hash text NOT NULL,
  disabled_at   timestamptz(6),
  created_at    timestamptz(6) NOT NULL DEFAULT now(),
  updated_at    timestamptz(6) NOT NULL DEFAULT now()
);

CREATE TABLE console.sessions (
  id          text PRIMARY KEY,
  operator_id integer NOT NULL REFERENCES console.operators (id) ON DELETE CASCADE,
  created_at  timestamptz(6) NOT NULL DEFAULT now(),
  expires_at  timestamptz(6) NOT NULL,
  ip          text,
  user_agent  text
);
CREATE INDEX sessions_operator_id_idx ON console.sessions (operator_id);

CREATE TABLE console.activity_log (
  id          bigserial PRIMARY KEY,
  at          timestamptz(6) NOT NULL DEFAULT now(),
  actor_id    integer,
  actor_email text,
  action      text NOT NULL,
  target      text,
  outcome     text NOT NULL CHECK (outcome IN ('ok', 'denied', 'failed')),
  detail      jsonb,
  ip          text
);
CREATE INDEX activity_log_at_idx ON console.activity_log (at DESC);
CREATE INDEX activity_log_action_target_at_idx ON console.activity_log (action, target, at);

-- Append-only: history is evidence, so no role may rewrite or delete it.
CREATE FUNCTION console.activity_log_is_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'console.activity_log is append-only (% refused)', TG_OP;
END $$;
CREATE TRIGGER activity_log_append_only
  BEFORE UPDATE OR DELETE OR TRUNCATE ON console.activity_log
  FOR EACH STATEMENT EXECUTE FUNCTION console.activity_log_is_append_only();
