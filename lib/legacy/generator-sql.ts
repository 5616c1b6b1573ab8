import { qualified, quoteIdent, quoteLiteral } from "@/lib/db/sql";
import { AUDIT_BASE_COLUMNS } from "./contract";

/**
 * The SQL of the demo legacy database: what to generate (scorecards, fields, the organisation)
 * and the set-based INSERT … SELECT of each table. Every value is a hash of the seed, a stream
 * and the row number, so the same seed gives the same rows whatever the order or parallelism.
 */

// --- the deterministic random source -------------------------------------------------------

/** A uniform integer in [0, 2^31) from the seed ($1), a stream and a row number; portable across platforms. */
const rnd = (stream: number, row: string) => `(hashint8extended((${row})::bigint, $1::bigint # ${stream}) & 2147483647)`;
/** Per-mille test on bits of an already drawn value, so one hash serves several decisions. */
const bits = (value: string, shift: number, mask: number) => `((${value} >> ${shift}) & ${mask})`;
const list = (values: readonly string[]) => `ARRAY[${values.map(quoteLiteral).join(",")}]`;
const pick = (values: readonly string[], draw: string) => `(${list(values)})[(1 + (${draw}) % ${values.length})::int]`;

const FIRST = ["ava", "liam", "noah", "emma", "olivia", "mia", "lucas", "amara", "sofia", "mateo", "chloe", "ethan", "isla", "leo", "zara", "omar", "priya", "arjun", "fatima", "yusuf", "hana", "kenji", "mei", "diego", "lucia", "jonas", "freya", "nina", "tariq", "aisha", "grace", "owen", "ruby", "felix", "ines", "marco", "sara", "david", "anna", "kofi", "thandi", "rosa", "ivan", "elena", "maya", "sam", "julia", "ali", "nora", "max"];
const LAST = ["smith", "garcia", "nguyen", "patel", "kim", "johnson", "silva", "mueller", "kowalski", "okafor", "santos", "reyes", "cohen", "rossi", "novak", "dubois", "haddad", "tanaka", "singh", "murphy", "brown", "lopez", "walker", "khan", "ali", "jensen", "ferreira", "mendoza", "o'brien", "van dijk", "ivanova", "dlamini", "cruz", "bauer", "costa", "wright", "chen", "wong", "hughes", "baker", "ramos", "flores", "yilmaz", "sato", "park", "lee", "adams", "nowak", "torres", "evans"];
const DOMAIN = "acme-support.example";
const DEPARTMENTS = ["Customer Support", "Technical Support", "Billing", "Sales", "Retention", "Quality Assurance", "Back Office", "Social Care"];
const TEAMS = ["Falcon", "Otter", "Lynx", "Heron", "Badger", "Orca", "Fox", "Puma", "Kestrel", "Bison"];
const COUNTRIES = ["US", "US", "US", "GB", "IN", "PH", "PH", "ZA", "MX", "PL", "DE", "IE"];
const COMMENTS = ["Great empathy throughout", "Missed the verification step", "Resolved on first contact", "Hold procedure not followed", "Good tone, long handling time", "Escalated correctly", "Closing script incomplete", "Clear and accurate answer", "Customer left unsatisfied", "Spelling mistakes in reply", "Excellent product knowledge", "Follow-up promised but not logged"];

const LAST_IN_EMAIL = LAST.map((name) => name.replace(/[' ]/g, ""));

/** Canonical email of human h: first.last<h>@domain (h keeps it unique). */
function emailOf(h: string): string {
  return `(${pick(FIRST, rnd(1, h))} || '.' || ${pick(LAST_IN_EMAIL, rnd(2, h))} || (${h})::text || '@${DOMAIN}')`;
}
/** The same email in a different case or with stray spaces, as hand-typed data has it. */
const variant = (email: string, draw: string) =>
  `(CASE (${draw}) % 4 WHEN 0 THEN upper(${email}) WHEN 1 THEN ' ' || ${email} WHEN 2 THEN ${email} || '  ' ELSE initcap(${email}) END)`;

// --- the plan: scorecards, their fields, how many rows each table gets -----------------------

interface PlannedField {
  fieldKey: string;
  columnName: string;
  label: string;
  maxScore: number;
  weight: number;
}
export interface PlannedScorecard {
  name: string;
  table: string;
  channel: string;
  passingScore: number;
  fields: PlannedField[];
  audits: number;
}

/**
 * The twelfth scorecard's table is "Escalation Audit" and two of its columns are "select" and
 * "Ownership Taken": names that break any SQL built without quoting.
 */
const SCORECARDS: readonly [string, string, string][] = [
  ["Email Quality", "email_audit", "email"],
  ["Live Chat", "chat_audit", "chat"],
  ["Inbound Calls", "phone_audit", "phone"],
  ["Social Media", "social_audit", "social"],
  ["Billing Support", "billing_audit", "phone"],
  ["Technical Support", "tech_support_audit", "chat"],
  ["Sales Calls", "sales_audit", "phone"],
  ["Retention", "retention_audit", "phone"],
  ["Complaints", "complaints_audit", "email"],
  ["Onboarding", "onboarding_audit", "chat"],
  ["Back Office", "back_office_audit", "back_office"],
  ["Escalations", "Escalation Audit", "phone"],
];
const AWKWARD_COLUMNS = ["select", "Ownership Taken"];
const FIELD_KEYS = ["greeting", "verification", "empathy", "tone", "grammar", "spelling", "resolution", "accuracy", "compliance", "closing", "hold_procedure", "active_listening", "ownership", "product_knowledge", "process_adherence", "documentation", "escalation_handling", "response_time", "personalization", "call_control", "de_escalation", "upsell_attempt", "disclosures", "data_protection", "first_contact_resolution", "follow_up", "courtesy", "clarity", "troubleshooting", "expectation_setting", "probing", "summary", "tagging", "knowledge_base_use", "brand_voice", "security_questions", "refund_policy", "transfer_etiquette", "dead_air", "survey_invite"];
const MAX_SCORES = [1, 2, 3, 5, 5, 5, 10, 10];
const WEIGHTS = [0.5, 1, 1, 1, 1.5, 2];

/** A small seeded generator for the plan itself (a few hundred numbers, made in Node). */
function planRandom(seed: string): () => number {
  let h = 2166136261;
  for (const ch of seed) h = Math.imul(h ^ ch.codePointAt(0)!, 16777619);
  let state = h >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function planScorecards(count: number, audits: number, seed: string): PlannedScorecard[] {
  const random = planRandom(seed);
  const choose = <T>(values: readonly T[]) => values[Math.floor(random() * values.length)]!;
  const weights = Array.from({ length: count }, (_, k) => 1 / Math.pow(k + 1, 0.6));
  const total = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (w / total) * audits);
  const rows = exact.map(Math.floor);
  const byRemainder = exact.map((e, k) => [e - rows[k]!, k] as const).sort((a, b) => b[0] - a[0]);
  const missing = audits - rows.reduce((a, b) => a + b, 0);
  for (let i = 0; i < missing; i++) rows[byRemainder[i]![1]]! += 1;
  return Array.from({ length: count }, (_, k) => {
    const [name, table, channel] = SCORECARDS[k] ?? [`Scorecard ${k + 1}`, `scorecard_${k + 1}_audit`, choose(["email", "chat", "phone"])];
    const keys = [...FIELD_KEYS].sort(() => random() - 0.5).slice(0, 10 + Math.floor(random() * 21));
    const fields = keys.map((key, j) => ({
      fieldKey: key,
      columnName: table === "Escalation Audit" && j < AWKWARD_COLUMNS.length ? AWKWARD_COLUMNS[j]! : key,
      label: key.replace(/_/g, " ").replace(/^./, (c) => c.toUpperCase()),
      maxScore: choose(MAX_SCORES),
      weight: choose(WEIGHTS),
    }));
    return { name, table, channel, passingScore: choose([80, 85, 90]), fields, audits: rows[k]! };
  });
}

/** How many humans the organisation has: one per ~200 audits, 200 to 50,000. */
function humanCount(audits: number): number {
  return Math.max(200, Math.min(50_000, Math.ceil(audits / 200)));
}

// --- the statements ----------------------------------------------------------------------------

/** Humans 1..H: 1..staff lead and manage (the manager of h is h/8), then auditors, then agents. */
interface Org {
  humans: number;
  staff: number;
  auditors: number;
}

export function organisation(audits: number): Org {
  const humans = humanCount(audits);
  return { humans, staff: Math.ceil(humans / 8), auditors: Math.ceil(humans / 16) };
}

/**
 * Every human with the draws that decide their mess: `member` (~8% of all humans only in people,
 * ~5% only in users; staff always in both), `dis` (~7% names and ~3% active flags
 * disagree between users and people), `vu`/`vp` (per table: bits 0-9 ~3% email typed differently,
 * 10-11 how, 12 whether a duplicate keeps the same spelling, 13-22 ~1% duplicate row).
 */
function humansCte(org: Org): string {
  const agentsFrom = org.staff + org.auditors;
  return `humans AS (
    SELECT h, email, initcap(first) AS first, initcap(last) AS last,
           CASE WHEN h <= ${org.staff} THEN 'both'
                WHEN h > ${agentsFrom} AND member % 1000 < 100 THEN 'people'
                WHEN member % 1000 BETWEEN 100 AND 156 THEN 'users'
                ELSE 'both' END AS member,
           CASE WHEN h <= 3 THEN 'admin' WHEN h <= 7 THEN 'qa_manager' WHEN h <= ${org.staff} THEN 'team_lead'
                WHEN h <= ${agentsFrom} THEN 'auditor' ELSE 'agent' END AS role,
           dis % 1000 AS dis, vu, vp, r1, r2, r3, r4
      FROM (SELECT h, ${emailOf("h")} AS email, ${pick(FIRST, rnd(1, "h"))} AS first, ${pick(LAST, rnd(2, "h"))} AS last,
                   ${rnd(3, "h")} AS member, ${rnd(4, "h")} AS dis, ${rnd(5, "h")} AS vu, ${rnd(6, "h")} AS vp,
                   ${rnd(7, "h")} AS r1, ${rnd(8, "h")} AS r2, ${rnd(9, "h")} AS r3, ${rnd(10, "h")} AS r4
              FROM generate_series(1, ${literal(org.humans)}) h OFFSET 0) n)`;
}

const T0 = `timestamptz '2023-01-01 00:00:00+00'`;
const DAYS = 1096; // 2023-01-01 .. 2025-12-31
const seconds = (expr: string) => `(${expr}) * interval '1 second'`;

/** One table's email for a human: copy 2 is the duplicate row, typed the same or differently. */
const rowEmail = (draw: string) => `CASE WHEN copy = 2 AND ${bits(draw, 12, 1)} = 0 THEN email
                     WHEN copy = 2 OR ${bits(draw, 0, 1023)} < 31 THEN ${variant("email", bits(draw, 10, 3))}
                     ELSE email END`;

export function usersSql(schema: string, org: Org): string {
  return `WITH ${humansCte(org)}
    INSERT INTO ${qualified(schema, "users")} (id, email, password_hash, full_name, role, is_active, last_login_at, created_at)
    SELECT row_number() OVER (ORDER BY created_at, h, copy), email, password_hash, full_name, role, is_active, last_login_at, created_at
      FROM (SELECT h, copy, ${rowEmail("vu")} AS email,
                   '$2b$10$' || md5((r1 + copy)::text) || substr(md5((r2 + copy)::text), 1, 21) AS password_hash,
                   first || ' ' || last AS full_name,
                   CASE WHEN copy = 2 THEN 'agent' ELSE role END AS role,
                   copy = 1 AND dis NOT BETWEEN 70 AND 99 AND ${bits("r2", 0, 1023)} >= 20 AS is_active,
                   CASE WHEN copy = 2 OR ${bits("r2", 10, 1023)} < 100 THEN NULL
                        ELSE timestamptz '2025-12-31 23:00:00+00' - ${seconds(`r1 % (180 * 86400)`)} END AS last_login_at,
                   ${T0} - ${seconds(`(${bits("r2", 20, 2047)} * 86400 + r3 % 86400) * copy`)} AS created_at
              FROM humans CROSS JOIN generate_series(1, 2) copy
             WHERE member <> 'people' AND (copy = 1 OR ${bits("vu", 13, 1023)} < 10)) u`;
}

export function peopleSql(schema: string, org: Org): string {
  // The manager of h is h/8, except: 2 and 16 manage each other, 5 manages themself, and in a
  // large organisation 3 -> 192 -> 24 -> 3 is a longer cycle; 7 and ~0.5% point at a former manager.
  const managerOf = `(CASE WHEN h = 1 THEN NULL WHEN h = 2 THEN 16 WHEN h = 5 THEN 5
                           WHEN h = 3 AND ${org.staff} >= 192 THEN 192 WHEN h < 8 THEN 1 ELSE h / 8 END)`;
  const hireDay = `(r4 % 4700 + 40 * (copy - 1))`;
  return `WITH ${humansCte(org)}
    INSERT INTO ${qualified(schema, "people")} (id, email, name, department, team, country, manager_email, hire_date, status, created_at)
    SELECT row_number() OVER (ORDER BY created_at, h, copy), email, name, department, team, country,
           manager_email, hire_date, status, created_at
      FROM (SELECT h, copy, ${rowEmail("vp")} AS email,
                   CASE WHEN dis >= 70 OR copy = 2 THEN first || ' ' || last
                        WHEN ${bits("r2", 0, 3)} = 0 THEN substr(first, 1, 1) || '. ' || last
                        WHEN ${bits("r2", 0, 3)} = 1 THEN upper(last) || ', ' || first
                        ELSE first || ' ' || last || '-' || initcap(${pick(LAST, bits("r2", 2, 1023))}) END AS name,
                   ${pick(DEPARTMENTS, "(r1 >> 4) + copy")} AS department,
                   'Team ' || ${pick(TEAMS, "(r2 >> 12) + copy")} AS team,
                   ${pick(COUNTRIES, "r1 >> 16")} AS country,
                   CASE WHEN ${managerOf} IS NULL THEN NULL
                        WHEN h = 7 OR ${bits("r3", 0, 1023)} < 5 THEN 'former.manager' || (r3 % 97) || '@${DOMAIN}'
                        WHEN ${bits("r3", 10, 1023)} < 31 THEN ${variant(emailOf(managerOf), bits("r3", 20, 3))}
                        ELSE ${emailOf(managerOf)} END AS manager_email,
                   date '2012-01-01' + ${hireDay}::int AS hire_date,
                   CASE WHEN copy = 2 OR ${bits("r1", 24, 127)} < 5 THEN 'inactive'
                        WHEN ${bits("r1", 24, 127)} < 8 THEN 'on_leave' ELSE 'active' END AS status,
                   timestamptz '2012-01-01 00:00:00+00' + ${seconds(`${hireDay} * 86400 + r2 % 86400`)} AS created_at
              FROM humans CROSS JOIN generate_series(1, 2) copy
             WHERE member <> 'users' AND (copy = 1 OR ${bits("vp", 13, 1023)} < 10)) p`;
}

/**
 * A human's email as a row types it, from a draw: bits 0-9 below `outsiderPerMille` give an
 * outsider matching nobody, bits 10-19 ~3% a different spelling, bits 20-21 which one.
 */
function emailInRow(h: string, draw: string, outsiderPerMille: number, outsider: string): string {
  return `CASE WHEN ${bits(draw, 0, 1023)} < ${outsiderPerMille} THEN '${outsider}' || (${draw} % 997) || '@outsourced-qa.example'
               WHEN ${bits(draw, 10, 1023)} < 31 THEN ${variant(emailOf(h), bits(draw, 20, 3))}
               ELSE ${emailOf(h)} END`;
}

const pickAgent = (org: Org, draw: string) =>
  `(${org.staff + org.auditors + 1} + ${draw} % ${org.humans - org.staff - org.auditors})`;
const pickAuditor = (org: Org, draw: string) => `(${org.staff + 1} + ${draw} % ${org.auditors})`;

/** A number the generator chose itself, checked, written into the SQL so the planner folds it. */
function literal(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`not a finite number: ${n}`);
  return String(n);
}

/** One draw per row and field: ~1% NULL, else the best of three uniform tries (scores skew high). */
function scoreSql(j: number, field: PlannedField): string {
  const m = literal(field.maxScore + 1);
  const x = `x${j}`;
  return `CASE WHEN ${bits(x, 0, 1023)} < 10 THEN NULL
               ELSE greatest(${bits(x, 10, 127)} % ${m}, ${bits(x, 17, 127)} % ${m}, ${bits(x, 24, 127)} % ${m}) END`;
}

export function auditSql(schema: string, org: Org, card: PlannedScorecard, k: number): string {
  const stream = (s: number) => (k + 1) * 1000 + s;
  const f = card.fields;
  // total_score: weighted percentage over the fields scored (NULL = not applicable).
  const earned = f.map((field, j) => `coalesce(s${j} * ${literal(field.weight)}, 0)`).join(" + ") || "0";
  const possible = f.map((field, j) => `CASE WHEN s${j} IS NULL THEN 0 ELSE ${literal(field.maxScore * field.weight)} END`).join(" + ") || "0";
  const columns = [...AUDIT_BASE_COLUMNS.map((c) => c.name), ...f.map((x) => x.columnName)].map(quoteIdent);
  return `INSERT INTO ${qualified(schema, card.table)} (${columns.join(", ")})
    SELECT i, employee_email, auditor_email, audit_date, status,
           CASE WHEN status = 'draft' THEN NULL ELSE round((100.0 * (${earned}) / nullif(${possible}, 0))::numeric, 2) END,
           comments, created_at, updated_at${f.map((_, j) => `, s${j}`).join("")}
      FROM (SELECT i,
                   ${emailInRow("agent", "emess", 5, "contractor")} AS employee_email,
                   ${emailInRow("auditor", "amess", 2, "qa.vendor")} AS auditor_email,
                   date '2023-01-01' + (at / 86400)::int AS audit_date,
                   ${T0} + ${seconds("at")} AS created_at,
                   ${T0} + ${seconds(`at + CASE WHEN ${bits("state", 10, 3)} = 0 THEN ${bits("state", 12, 262143)} ELSE 0 END`)} AS updated_at,
                   CASE WHEN state % 1000 < 880 THEN 'completed' WHEN state % 1000 < 940 THEN 'reviewed'
                        WHEN state % 1000 < 970 THEN 'disputed' ELSE 'draft' END AS status,
                   CASE WHEN ${bits("extra", 0, 1023)} < 600 THEN NULL ELSE ${pick(COMMENTS, "extra >> 10")} END AS comments
                   ${f.map((field, j) => `, ${scoreSql(j, field)} AS s${j}`).join("")}
              FROM (SELECT i, ${pickAgent(org, rnd(stream(1), "i"))} AS agent, ${pickAuditor(org, rnd(stream(2), "i"))} AS auditor,
                           ${rnd(stream(3), "i")} AS emess, ${rnd(stream(4), "i")} AS amess,
                           ${rnd(stream(5), "i")} % ${DAYS * 86400} AS at, ${rnd(stream(6), "i")} AS state, ${rnd(stream(7), "i")} AS extra
                           ${f.map((_, j) => `, ${rnd(stream(100 + j), "i")} AS x${j}`).join("")}
                      FROM generate_series(1, ${literal(card.audits)}) i OFFSET 0) r
             OFFSET 0) a`;
}

/** ~1% name their scorecard's table in another case, ~0.5% a table that never existed. */
export function assignmentsSql(schema: string, org: Org, count: number): string {
  return `INSERT INTO ${qualified(schema, "audit_assignments")} (id, auditor_email, employee_email, scorecard_table, due_date, status, created_at)
    SELECT i, auditor_email, employee_email,
           CASE WHEN ${bits("state", 20, 1023)} < 10 THEN initcap(t.name)
                WHEN ${bits("state", 20, 1023)} < 15 THEN 'quality_audit_v1' ELSE t.name END,
           due_date, status, ((due_date - 7) + time '09:00') AT TIME ZONE 'UTC'
      FROM (SELECT i, state,
                   ${emailInRow("auditor", "amess", 2, "qa.vendor")} AS auditor_email,
                   ${emailInRow("agent", "emess", 5, "contractor")} AS employee_email,
                   date '2023-01-01' + (state % ${DAYS + 30})::int AS due_date,
                   CASE WHEN ${bits("state", 10, 1023)} < 150 THEN 'pending' WHEN ${bits("state", 10, 1023)} < 220 THEN 'overdue'
                        WHEN ${bits("state", 10, 1023)} < 250 THEN 'cancelled' ELSE 'completed' END AS status,
                   1 + ${bits("state", 22, 511)} % cardinality($2::text[]) AS k
              FROM (SELECT i, ${pickAgent(org, rnd(11, "i"))} AS agent, ${pickAuditor(org, rnd(12, "i"))} AS auditor,
                           ${rnd(13, "i")} AS emess, ${rnd(14, "i")} AS amess, ${rnd(15, "i")} AS state
                      FROM generate_series(1, ${literal(count)}) i OFFSET 0) r OFFSET 0) a
      JOIN unnest($2::text[]) WITH ORDINALITY AS t(name, k) USING (k)`;
}

/** Audit notifications point at an audit; ~1% at an id past the end, ~0.5% at a dropped table. */
export function notificationsSql(schema: string, org: Org, count: number): string {
  const aboutAudit = `type IN ('audit_completed', 'audit_disputed')`;
  return `INSERT INTO ${qualified(schema, "notifications")} (id, recipient_email, type, message, read_at, audit_table, audit_id, created_at)
    SELECT i, recipient_email, type,
           CASE type WHEN 'audit_completed' THEN 'Your ' || t.name || ' audit is ready to read'
                     WHEN 'audit_disputed' THEN 'A dispute on your ' || t.name || ' audit was answered'
                     WHEN 'assignment_due' THEN 'You have audits due this week'
                     ELSE 'Scheduled maintenance on Saturday 02:00-04:00 UTC' END,
           CASE WHEN ${bits("state", 10, 1023)} < 350 THEN NULL ELSE created_at + ${seconds(`${bits("state", 10, 1023)} * 397`)} END,
           CASE WHEN NOT ${aboutAudit} THEN NULL WHEN ${bits("extra", 0, 1023)} < 5 THEN 'deleted_audit' ELSE t.name END,
           CASE WHEN NOT ${aboutAudit} THEN NULL WHEN ${bits("extra", 10, 1023)} < 10 THEN t.n + 1 + extra % 1000
                ELSE 1 + (extra >> 4) % greatest(t.n, 1) END,
           created_at
      FROM (SELECT i, state, extra,
                   CASE WHEN state % 1000 < 450 THEN 'audit_completed' WHEN state % 1000 < 550 THEN 'audit_disputed'
                        WHEN state % 1000 < 800 THEN 'assignment_due' ELSE 'system' END AS type,
                   CASE WHEN state % 1000 BETWEEN 550 AND 799 THEN ${emailInRow("auditor", "amess", 2, "qa.vendor")}
                        ELSE ${emailInRow("agent", "emess", 5, "contractor")} END AS recipient_email,
                   ${T0} + ${seconds(`extra % ${DAYS * 86400}`)} AS created_at,
                   1 + ${bits("state", 22, 511)} % cardinality($2::text[]) AS k
              FROM (SELECT i, ${pickAgent(org, rnd(21, "i"))} AS agent, ${pickAuditor(org, rnd(22, "i"))} AS auditor,
                           ${rnd(23, "i")} AS emess, ${rnd(24, "i")} AS amess, ${rnd(25, "i")} AS state, ${rnd(26, "i")} AS extra
                      FROM generate_series(1, ${literal(count)}) i OFFSET 0) r OFFSET 0) a
      JOIN unnest($2::text[], $3::bigint[]) WITH ORDINALITY AS t(name, n, k) USING (k)`;
}

