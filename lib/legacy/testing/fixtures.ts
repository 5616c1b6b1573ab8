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
