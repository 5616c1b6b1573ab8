import { quoteIdent } from "@/lib/db/sql";
import { countRows } from "../catalog";
import { runStatements, type StatementCheckpoint } from "../run-statements";
import type { PlanContext, Step } from "../types";

/** users_compat and people_compat return the legacy shapes from employees, for old readers. */
function statements(ctx: PlanContext): string[] {
  const u = quoteIdent(ctx.unifiedSchema);
  return [
    `-- The legacy users shape, read from employees (one row per carried-over login).
CREATE OR REPLACE VIEW ${u}.users_compat AS
SELECT e.legacy_user_id AS id, e.email, e.password_hash, e.full_name, r.name AS role,
       e.is_active, e.last_login_at, e.created_at
  FROM ${u}.employees e
  LEFT JOIN ${u}.roles r ON r.id = e.role_id
 WHERE e.legacy_user_id IS NOT NULL AND e.deleted_at IS NULL`,
    `-- The legacy people shape, read from employees (one row per carried-over directory entry).
CREATE OR REPLACE VIEW ${u}.people_compat AS
SELECT e.legacy_person_id AS id, e.email, e.full_name AS name, d.name AS department, t.name AS team,
       c.name AS country, coalesce(m.email, e.manager_email) AS manager_email, e.hire_date, e.status, e.created_at
  FROM ${u}.employees e
  LEFT JOIN ${u}.departments d ON d.id = e.department_id
  LEFT JOIN ${u}.teams t ON t.id = e.team_id
  LEFT JOIN ${u}.countries c ON c.id = e.country_id
  LEFT JOIN ${u}.employees m ON m.id = e.manager_id
 WHERE e.legacy_person_id IS NOT NULL AND e.deleted_at IS NULL`,
  ];
}

export const compatViews: Step<StatementCheckpoint> = {
  id: "compat-views",
  title: "Create the users_compat and people_compat views",
  unit: "statements",
  async plan(ctx) {
    return { statements: statements(ctx), estimatedRows: 0 };
  },
  run: (ctx) => runStatements(ctx, ctx.statements),
  async verify(ctx) {
    const u = quoteIdent(ctx.unifiedSchema);
    const users = await countRows(ctx.db, `SELECT count(*) AS n FROM ${u}.users_compat`);
    const people = await countRows(ctx.db, `SELECT count(*) AS n FROM ${u}.people_compat`);
    const withLogin = await countRows(ctx.db, `SELECT count(*) AS n FROM ${u}.employees WHERE legacy_user_id IS NOT NULL`);
    const inDirectory = await countRows(ctx.db, `SELECT count(*) AS n FROM ${u}.employees WHERE legacy_person_id IS NOT NULL`);
    return [
      { name: "users_compat returns every carried-over login", status: users === withLogin ? "pass" : "fail", detail: `${users} of ${withLogin}` },
      { name: "people_compat returns every carried-over directory entry", status: people === inDirectory ? "pass" : "fail", detail: `${people} of ${inDirectory}` },
    ];
  },
  async rollback(ctx) {
    const u = quoteIdent(ctx.unifiedSchema);
    await ctx.db.query(`DROP VIEW IF EXISTS ${u}.people_compat, ${u}.users_compat`);
  },
};
