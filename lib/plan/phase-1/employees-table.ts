import { quoteIdent } from "@/lib/db/sql";
import { relationExists } from "../catalog";
import { statementStep } from "../statement-step";
import type { PlanContext } from "../types";

/** Creates `employees` (one row per human) and `merge_conflicts` (every disagreement, reviewable). */
function statements(ctx: PlanContext): string[] {
  const u = quoteIdent(ctx.unifiedSchema);
  return [
    `-- One row per human, matched across users and people by normalised email; legacy ids kept.
CREATE TABLE IF NOT EXISTS ${u}.employees (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email            text NOT NULL,
  email_normalized text NOT NULL UNIQUE CHECK (email_normalized = lower(btrim(email_normalized))),
  full_name        text,
  role_id          integer REFERENCES ${u}.roles (id),
  department_id    integer REFERENCES ${u}.departments (id),
  team_id          integer REFERENCES ${u}.teams (id),
  country_id       integer REFERENCES ${u}.countries (id),
  manager_id       bigint REFERENCES ${u}.employees (id),
  manager_email    text,
  hire_date        date,
  status           text,
  is_active        boolean NOT NULL,
  password_hash    text,
  last_login_at    timestamptz,
  legacy_user_id   integer,
  legacy_person_id integer,
  source           text NOT NULL CHECK (source IN ('both', 'users', 'people', 'referenced')),
  created_at       timestamptz,
  updated_at       timestamptz NOT NULL DEFAULT now(),
  deleted_at       timestamptz
)`,
    `-- Every disagreement the merge settled and every legacy row it did not carry over, with both values and the rule's choice.
CREATE TABLE IF NOT EXISTS ${u}.merge_conflicts (
  id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email_normalized   text,
  field              text NOT NULL,
  chosen_value       text,
  chosen_source      text,
  alternative_value  text,
  alternative_source text NOT NULL,
  rule               text NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  UNIQUE NULLS NOT DISTINCT (email_normalized, field, alternative_source)
)`,
    `-- The distinct humans each audit, assignment and notification table names, recorded by the referenced-humans step.
CREATE TABLE IF NOT EXISTS ${u}.referenced_emails (
  source_table     text NOT NULL,
  email_normalized text NOT NULL,
  email            text NOT NULL,
  PRIMARY KEY (source_table, email_normalized)
)`,
    `-- Reports of a manager are found by index: the org chart reads it, and deleting an employee checks it.\nCREATE INDEX IF NOT EXISTS employees_manager_id_idx ON ${u}.employees (manager_id)`,
    `-- Live sync finds the reports who name a human as their manager.\nCREATE INDEX IF NOT EXISTS employees_manager_email_idx ON ${u}.employees (manager_email)`,
    `-- Conflicts are reviewed by field and by person, a page at a time in this order.\nCREATE INDEX IF NOT EXISTS merge_conflicts_field_idx ON ${u}.merge_conflicts (field, email_normalized, alternative_source)`,
  ];
}

export const employeesTable = statementStep({
  id: "employees-table",
  title: "Create the employees, merge_conflicts and referenced_emails tables",
  statements,
  async verify(ctx) {
    const present = (await relationExists(ctx.db, ctx.unifiedSchema, "employees")) &&
      (await relationExists(ctx.db, ctx.unifiedSchema, "merge_conflicts"));
    return [{ name: "employees and merge_conflicts exist", status: present ? "pass" : "fail", detail: present ? "both tables present" : "missing" }];
  },
  async rollback(ctx) {
    const u = quoteIdent(ctx.unifiedSchema);
    await ctx.db.query(`DROP TABLE IF EXISTS ${u}.referenced_emails, ${u}.merge_conflicts, ${u}.employees`);
  },
});
