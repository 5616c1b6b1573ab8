-- Several workers share the units of a step: each unit is claimed with a session advisory lock on
-- (UNIT_LOCK_NAMESPACE, claim_key), so a dead worker's claims free themselves with its sessions.
ALTER TABLE console.unit_runs ADD COLUMN claim_key integer GENERATED ALWAYS AS IDENTITY UNIQUE;
-- The worker (UNIFY_WORKER_NAME, else host:pid) that last claimed the unit, beside its backend pid.
ALTER TABLE console.unit_runs ADD COLUMN worker text;
