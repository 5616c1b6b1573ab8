-- Leads' rule-wide decisions on Phase 1's merge ("for full_name, prefer users"). The merge step's
-- approved SQL reads the decisions in force as data, so deciding never changes the plan's
-- checksum; a single-row override (conflict_overrides) still beats a decision. A withdrawn or
-- replaced decision keeps its row, with who withdrew it and when.
CREATE TABLE console.conflict_rule_decisions (
  id           serial PRIMARY KEY,
  field        text NOT NULL,
  prefer       text NOT NULL CHECK (prefer IN ('users', 'people')),
  comment      text NOT NULL,
  decided_by   text NOT NULL,
  decided_at   timestamptz(6) NOT NULL DEFAULT now(),
  withdrawn_by text,
  withdrawn_at timestamptz(6),
  CHECK ((withdrawn_by IS NULL) = (withdrawn_at IS NULL))
);
-- At most one decision in force per field.
CREATE UNIQUE INDEX conflict_rule_decisions_in_force_idx ON console.conflict_rule_decisions (field) WHERE withdrawn_at IS NULL;
