/**
 * The legacy contract's tables, empty, with one scorecard table `email_audit` that has one score
 * column `greeting`: the start of every hand-built legacy fixture.
 */
export const LEGACY_TABLES_DDL = `
CREATE TABLE users (id serial PRIMARY KEY, email text, password_hash text, full_name text, role text, is_active boolean, last_login_at timestamptz, created_at timestamptz);
CREATE TABLE people (id serial PRIMARY KEY, email text, name text, department text, team text, country text, manager_email text, hire_date date, status text, created_at timestamptz);
CREATE TABLE scorecards (id serial PRIMARY KEY, name text, table_name text, channel text, passing_score numeric, created_at timestamptz);
CREATE TABLE scorecard_fields (id serial PRIMARY KEY, scorecard_id int, field_key text, column_name text, label text, max_score int, weight numeric, position int);
CREATE TABLE email_audit (id bigserial PRIMARY KEY, employee_email text, auditor_email text, audit_date date, status text, total_score numeric, comments text, created_at timestamptz, updated_at timestamptz, greeting integer);
CREATE TABLE audit_assignments (id serial PRIMARY KEY, auditor_email text, employee_email text, scorecard_table text, due_date date, status text, created_at timestamptz);
CREATE TABLE notifications (id serial PRIMARY KEY, recipient_email text, type text, message text, read_at timestamptz, audit_table text, audit_id bigint, created_at timestamptz);
`;

/**
 * Hand-built legacy data: users Ana and Bob, Ana in people, two scorecards (one table named with a
 * space and a column named `select`) with their audits, two assignments and two notifications.
 */
export const TWO_SCORECARDS_LEGACY = `
${LEGACY_TABLES_DDL}
INSERT INTO users (id, email, password_hash, full_name, role, is_active, created_at) VALUES
  (1, 'Ana@Example.com', 'h1', 'Ana Silva', 'Agent', true, '2024-01-01'),
  (2, 'bob@example.com', 'h2', 'Bob Stone', 'Supervisor', true, '2024-01-01');
INSERT INTO people (id, email, name, department, team, country, manager_email, hire_date, status, created_at) VALUES
  (1, 'ana@example.com', 'Ana Silva', 'Support', 'Tier 1', 'Portugal', 'bob@example.com', '2020-01-01', 'active', '2023-01-01');
CREATE TABLE "Email Audit" (id bigserial PRIMARY KEY, employee_email text, auditor_email text, audit_date date, status text, total_score numeric,
  comments text, created_at timestamptz, updated_at timestamptz, "select" integer);
INSERT INTO scorecards (id, name, table_name, channel, passing_score) VALUES (1, 'Email', 'email_audit', 'Email', 80), (2, 'New', 'Email Audit', 'Email', 50);
INSERT INTO scorecard_fields (scorecard_id, field_key, column_name, label, max_score, weight, position) VALUES
  (1, 'greeting', 'greeting', 'Greeting', 5, 1, 1), (2, 'select', 'select', 'Select', 5, 1, 1);
INSERT INTO email_audit (id, employee_email, auditor_email, audit_date, status, total_score, greeting) VALUES
  (1, 'ana@example.com', 'bob@example.com', '2024-03-01', 'done', 90, 5),
  (2, ' ANA@example.com', 'bob@example.com', '2024-03-02', 'done', 70, 3);
INSERT INTO "Email Audit" (id, employee_email, auditor_email, audit_date, status, total_score, "select") VALUES
  (5, 'bob@example.com', 'ana@example.com', '2024-04-01', 'done', 60, 4);
INSERT INTO audit_assignments (id, auditor_email, employee_email, scorecard_table, due_date, status, created_at) VALUES
  (1, 'bob@example.com', 'Ana@Example.com ', 'email_audit', '2024-05-01', 'open', '2024-04-01 09:00+00'),
  (2, 'bob@example.com', 'ana@example.com', 'Email Audit', '2024-05-02', 'done', '2024-04-01 09:00+00');
INSERT INTO notifications (id, recipient_email, type, message, read_at, audit_table, audit_id, created_at) VALUES
  (1, 'ana@example.com', 'audit', 'your audit', '2024-03-02 10:00+00', 'email_audit', 1, '2024-03-01 10:00+00'),
  (2, 'Bob@Example.com', 'audit', 'new audit', NULL, 'Email Audit', 5, '2024-04-01 10:00+00');
`;

/**
 * `copies` more of every users and people row, with new ids and new emails (`copy1-…`): the
 * legacy identity tables grow to 1 + copies times their rows. One statement per table, each
 * reading the table's largest id once.
 */
export function copyIdentityRowsSql(copies: number): string {
  const columns = {
    users: "email, password_hash, full_name, role, is_active, created_at, last_login_at",
    people: "email, name, department, team, country, manager_email, hire_date, status, created_at",
  };
  return Object.entries(columns)
    .map(
      ([table, list]) =>
        `INSERT INTO ${table} (id, ${list})
       SELECT id + copy * t.top, ${list.replace("email", "'copy' || copy || '-' || coalesce(email, id::text)")}
         FROM ${table}, (SELECT max(id) AS top FROM ${table}) t, generate_series(1, ${Number(copies)}) copy;`,
    )
    .join("\n");
}
