-- The per-client limits (sign-in failures, anonymous refusals) count a client's recent entries:
-- an index that serves "this address, since then".
CREATE INDEX activity_log_ip_at_idx ON console.activity_log (ip, at);

-- pg-boss keeps its tables in the console's own schema from now on (lib/engine/queue.ts). The
-- `pgboss` schema earlier versions made is dropped when it is the console's: owned by this role
-- and holding no queue but the console's. A queued job in it is not lost: the worker's sweep
-- picks up every queued run and validation. Another application's `pgboss` is left alone.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'pgboss' AND nspowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)) THEN
    IF to_regclass('pgboss.queue') IS NULL THEN
      IF NOT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'pgboss') THEN
        DROP SCHEMA pgboss;
      END IF;
    ELSIF NOT EXISTS (SELECT 1 FROM pgboss.queue WHERE name NOT IN ('unify-phase-run', 'unify-validation') AND name NOT LIKE '\_\_pgboss\_\_%') THEN
      DROP SCHEMA pgboss CASCADE;
    ELSE
      RAISE NOTICE 'schema pgboss holds queues that are not the console''s: left in place';
    END IF;
  END IF;
END
$$;
