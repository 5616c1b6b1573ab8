import pg from "pg";
import { qualified, quoteIdent } from "@/lib/db/sql";
import {
  AUDIT_BASE_COLUMNS,
  CONTRACT_TABLE_NAMES,
  contractTable,
  createTableSql,
  FIELD_COLUMN_TYPE,
  legacySchema,
  type ColumnSpec,
} from "./contract";
import {
  assignmentsSql,
  auditSql,
  notificationsSql,
  organisation,
  peopleSql,
  PlannedScorecard,
  planScorecards,
  usersSql,
} from "./generator-sql";

/**
 * The demo legacy database: the contract's tables filled with set-based SQL, deterministically
 * (every value is a hash of the seed, a stream number and the row number, so the same seed gives
 * the same rows whatever the order or parallelism), with the mess real legacy data has.
 */

export const SEED_DEFAULTS = { audits: 50_000, scorecards: 12, seed: "unify" } as const;
export const SEED_LIMITS = { audits: 100_000_000, scorecards: 200, seedLength: 100, parallel: 8 } as const;

export interface SeedOptions {
  audits?: number;
  scorecards?: number;
  seed?: string;
  reset?: boolean;
  schema?: string;
  /** Sessions loading tables at once (only with a pool); 2 suits a 2-core server. */
  parallel?: number;
}

export interface SeedSummary {
  schema: string;
  seed: string;
  humans: number;
  scorecards: number;
  audits: number;
  tables: { table: string; rows: number }[];
  durationMs: number;
}

/** A refusal a person can act on; the CLI prints its message as one line. */
export class LegacySeedError extends Error {
  override name = "LegacySeedError";
  readonly expected = true;
}
export class LegacyTablesExistError extends LegacySeedError {
  override name = "LegacyTablesExistError";
}
export class UnifiedSchemaExistsError extends LegacySeedError {
  override name = "UnifiedSchemaExistsError";
}

type Queryable = pg.Pool | pg.PoolClient;
const SEED_LOCK = 0x6c656779; // "legy"

// --- running it ------------------------------------------------------------------------------

interface ValidOptions {
  audits: number;
  scorecards: number;
  seed: string;
  reset: boolean;
  schema: string;
  parallel: number;
}

function wholeNumber(name: string, value: number, max: number): number {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new LegacySeedError(`${name} must be a whole number from 1 to ${max.toLocaleString("en-US")} (got ${value})`);
  }
  return value;
}

function validate(options: SeedOptions): ValidOptions {
  const seed = options.seed ?? SEED_DEFAULTS.seed;
  if (seed.trim() === "" || seed.length > SEED_LIMITS.seedLength || seed.includes("\u0000")) {
    throw new LegacySeedError(`seed must be a non-empty text of at most ${SEED_LIMITS.seedLength} characters`);
  }
  const schema = options.schema ?? legacySchema();
  if (schema.trim() === "" || schema.includes("\u0000")) throw new LegacySeedError("schema must be a non-empty name");
  return {
    audits: wholeNumber("audits", options.audits ?? SEED_DEFAULTS.audits, SEED_LIMITS.audits),
    scorecards: wholeNumber("scorecards", options.scorecards ?? SEED_DEFAULTS.scorecards, SEED_LIMITS.scorecards),
    parallel: wholeNumber("parallel", options.parallel ?? 2, SEED_LIMITS.parallel),
    seed,
    schema,
    reset: options.reset ?? false,
  };
}

async function existingTables(db: Queryable, schema: string, names: string[]): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relname = ANY($2::text[]) AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
      ORDER BY 1`,
    [schema, names],
  );
  return rows.map((r) => r.name);
}

/** The contract tables present in the legacy schema: none means there is no legacy database. */
export async function existingLegacyTables(db: Queryable, schema: string = legacySchema()): Promise<string[]> {
  return existingTables(db, schema, [...CONTRACT_TABLE_NAMES]);
}

/** `unified.employees` / `unified.audits` when the migration has started. */
export async function existingUnifiedTables(db: Queryable): Promise<string[]> {
  return (await existingTables(db, "unified", ["employees", "audits"])).map((t) => `unified.${t}`);
}

async function registeredTables(db: Queryable, schema: string): Promise<string[]> {
  const { rowCount } = await db.query(
    `SELECT 1 FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'scorecards' AND column_name = 'table_name'`,
    [schema],
  );
  if (!rowCount) return [];
  const { rows } = await db.query<{ name: string }>(
    `SELECT DISTINCT table_name::text AS name FROM ${qualified(schema, "scorecards")} WHERE table_name IS NOT NULL`,
  );
  return rows.map((r) => r.name);
}

/** Refuses what must not be overwritten; with reset, drops the previous legacy tables. */
async function clearTheWay(client: pg.PoolClient, opts: ValidOptions, planned: string[]): Promise<void> {
  const unified = await existingUnifiedTables(client);
  if (unified.length) {
    throw new UnifiedSchemaExistsError(
      `the unified schema exists (${unified.join(", ")}): the migration has started from these legacy tables, so seeding them is refused`,
    );
  }
  const candidates = [...new Set([...CONTRACT_TABLE_NAMES, ...planned])];
  const present = await existingTables(client, opts.schema, candidates);
  if (present.length && !opts.reset) {
    throw new LegacyTablesExistError(
      `schema "${opts.schema}" already has legacy tables (${present.slice(0, 6).join(", ")}${present.length > 6 ? ", …" : ""}): pass --reset to replace them`,
    );
  }
  if (!opts.reset) return;
  const drop = [...new Set([...present, ...(await registeredTables(client, opts.schema))])];
  if (!drop.length) return;
  try {
    await client.query(`DROP TABLE IF EXISTS ${drop.map((t) => qualified(opts.schema, t)).join(", ")}`);
  } catch (error) {
    throw new LegacySeedError(`cannot reset schema "${opts.schema}": ${(error as Error).message}`);
  }
}

async function createTablesAndRegistry(client: pg.PoolClient, schema: string, cards: PlannedScorecard[]): Promise<void> {
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
  for (const name of CONTRACT_TABLE_NAMES) await client.query(createTableSql(schema, name, contractTable(name).columns));
  for (const card of cards) {
    const fields: ColumnSpec[] = card.fields.map((f) => ({ name: f.columnName, type: FIELD_COLUMN_TYPE }));
    await client.query(createTableSql(schema, card.table, [...AUDIT_BASE_COLUMNS, ...fields]));
  }
  await client.query(
    `INSERT INTO ${qualified(schema, "scorecards")} (id, name, table_name, channel, passing_score, created_at)
     SELECT k, name, table_name, channel, passing_score, timestamptz '2022-06-01 00:00:00+00' + k * interval '3 days'
       FROM unnest($1::text[], $2::text[], $3::text[], $4::numeric[]) WITH ORDINALITY AS s(name, table_name, channel, passing_score, k)`,
    [cards.map((c) => c.name), cards.map((c) => c.table), cards.map((c) => c.channel), cards.map((c) => c.passingScore)],
  );
  const fields = cards.flatMap((c, k) => c.fields.map((f, j) => ({ ...f, scorecardId: k + 1, position: j + 1 })));
  await client.query(
    `INSERT INTO ${qualified(schema, "scorecard_fields")} (id, scorecard_id, field_key, column_name, label, max_score, weight, position)
     SELECT row_number() OVER (ORDER BY scorecard_id, position), scorecard_id, field_key, column_name, label, max_score, weight, position
       FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::int[], $6::numeric[], $7::int[])
         AS f(scorecard_id, field_key, column_name, label, max_score, weight, position)`,
    [
      fields.map((f) => f.scorecardId),
      fields.map((f) => f.fieldKey),
      fields.map((f) => f.columnName),
      fields.map((f) => f.label),
      fields.map((f) => f.maxScore),
      fields.map((f) => f.weight),
      fields.map((f) => f.position),
    ],
  );
  for (const table of ["scorecards", "scorecard_fields"]) await addKey(client, qualified(schema, table));
}

interface LoadJob {
  table: string;
  /** Rough cost, to start the biggest tables first. */
  cost: number;
  sql: string;
  params: unknown[];
}

/** The primary key, and the id sequence moved past the ids the load wrote explicitly. */
async function addKey(client: pg.PoolClient, table: string): Promise<void> {
  await client.query(`ALTER TABLE ${table} ADD PRIMARY KEY (id)`);
  await client.query(`SELECT setval(pg_get_serial_sequence($1, 'id'), greatest(max(id), 1), max(id) IS NOT NULL) FROM ${table}`, [table]);
}

/** Loads one table, then adds its primary key and statistics: load first, index after. */
async function load(client: pg.PoolClient, schema: string, job: LoadJob): Promise<number> {
  const inserted = await client.query(job.sql, job.params);
  const table = qualified(schema, job.table);
  await addKey(client, table);
  await client.query(`VACUUM (ANALYZE) ${table}`);
  return inserted.rowCount ?? 0;
}

const SESSION_SETTINGS = ["synchronous_commit = off", "maintenance_work_mem = '256MB'", "work_mem = '64MB'"];

/** Runs the jobs on the given sessions at once, biggest first; the first failure stops new jobs. */
async function runJobs(clients: pg.PoolClient[], schema: string, jobs: LoadJob[]): Promise<Map<string, number>> {
  const queue = [...jobs].sort((a, b) => b.cost - a.cost);
  const rows = new Map<string, number>();
  let failure: unknown = null;
  await Promise.all(
    clients.map(async (client) => {
      for (const s of SESSION_SETTINGS) await client.query(`SET ${s}`);
      try {
        for (let job = queue.shift(); job && !failure; job = queue.shift()) {
          try {
            rows.set(job.table, await load(client, schema, job));
          } catch (error) {
            failure ??= error;
          }
        }
      } finally {
        for (const s of SESSION_SETTINGS) await client.query(`RESET ${s.split(" ")[0]}`).catch(() => undefined);
      }
    }),
  );
  if (failure) throw failure;
  return rows;
}

/**
 * Creates the legacy schema's tables and fills them. Refuses when legacy tables exist (unless
 * `reset`) and whenever the unified schema exists; two seeds at once get a clear refusal.
 */
export async function seedLegacy(db: Queryable, options: SeedOptions = {}): Promise<SeedSummary> {
  const opts = validate(options);
  const started = performance.now();
  const ownsClients = !("release" in db);
  const main = ownsClients ? await (db as pg.Pool).connect() : (db as pg.PoolClient);
  const clients = [main];
  try {
    const locked = await main.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock($1) AS ok`, [SEED_LOCK]);
    if (!locked.rows[0]?.ok) throw new LegacySeedError("another legacy seed is running on this database: wait for it to finish");
    try {
      const cards = planScorecards(opts.scorecards, opts.audits, opts.seed);
      const org = organisation(opts.audits);
      await main.query("BEGIN");
      try {
        await clearTheWay(main, opts, cards.map((c) => c.table));
        await createTablesAndRegistry(main, opts.schema, cards);
        await main.query("COMMIT");
      } catch (error) {
        await main.query("ROLLBACK");
        throw error;
      }
      const key = (await main.query<{ key: string }>(`SELECT hashtextextended($1, 0)::text AS key`, [opts.seed])).rows[0]!.key;
      const tables = cards.map((c) => c.table);
      const assignments = Math.max(50, Math.round(opts.audits / 20));
      const notifications = Math.max(100, Math.round(opts.audits / 10));
      const jobs: LoadJob[] = [
        { table: "users", cost: org.humans * 10, sql: usersSql(opts.schema, org), params: [key] },
        { table: "people", cost: org.humans * 10, sql: peopleSql(opts.schema, org), params: [key] },
        { table: "audit_assignments", cost: assignments * 8, sql: assignmentsSql(opts.schema, org, assignments), params: [key, tables] },
        {
          table: "notifications",
          cost: notifications * 8,
          sql: notificationsSql(opts.schema, org, notifications),
          params: [key, tables, cards.map((c) => c.audits)],
        },
        ...cards.map((card, k) => ({
          table: card.table,
          cost: card.audits * (10 + card.fields.length),
          sql: auditSql(opts.schema, org, card, k),
          params: [key],
        })),
      ];
      if (ownsClients) {
        for (let i = 1; i < opts.parallel; i++) clients.push(await (db as pg.Pool).connect());
      }
      const rows = await runJobs(clients, opts.schema, jobs);
      const registry = [
        { table: "scorecards", rows: cards.length },
        { table: "scorecard_fields", rows: cards.reduce((n, c) => n + c.fields.length, 0) },
      ];
      return {
        schema: opts.schema,
        seed: opts.seed,
        humans: org.humans,
        scorecards: cards.length,
        audits: opts.audits,
        tables: [...registry, ...jobs.map((j) => ({ table: j.table, rows: rows.get(j.table) ?? 0 }))],
        durationMs: Math.round(performance.now() - started),
      };
    } finally {
      await main.query(`SELECT pg_advisory_unlock($1)`, [SEED_LOCK]);
    }
  } finally {
    if (ownsClients) for (const c of clients) c.release();
  }
}
