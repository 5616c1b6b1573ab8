import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type pg from "pg";

/**
 * The console's own schema, SQL-first: prisma/migrations/NNNN_name.sql, applied in order, each
 * in its own transaction, under one advisory lock so two starting processes never race, with a
 * checksum recorded per file so an edited migration is refused instead of silently skipped.
 */
export const MIGRATIONS_DIR = join(process.cwd(), "prisma", "migrations");
const MIGRATION_LOCK = 0x756e6966; // "unif"

export class MigrationChecksumError extends Error {
  override name = "MigrationChecksumError";
}

export interface MigrationFile {
  filename: string;
  sql: string;
  checksum: string;
}

export function readMigrations(dir = MIGRATIONS_DIR): MigrationFile[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((filename) => {
      const sql = readFileSync(join(dir, filename), "utf8");
      return { filename, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

export interface MigrationState {
  applied: string[];
  pending: string[];
}

async function ensureBookkeeping(client: pg.PoolClient): Promise<void> {
  await client.query(`CREATE SCHEMA IF NOT EXISTS console`);
  await client.query(`CREATE TABLE IF NOT EXISTS console.schema_migrations (
    filename text PRIMARY KEY,
    checksum text NOT NULL,
    applied_at timestamptz(6) NOT NULL DEFAULT now())`);
}

async function appliedChecksums(client: pg.PoolClient): Promise<Map<string, string>> {
  const { rows } = await client.query<{ filename: string; checksum: string }>(
    `SELECT filename, checksum FROM console.schema_migrations ORDER BY filename`,
  );
  return new Map(rows.map((r) => [r.filename, r.checksum]));
}

function verifyUnchanged(files: MigrationFile[], applied: Map<string, string>): void {
  for (const file of files) {
    const recorded = applied.get(file.filename);
    if (recorded && recorded !== file.checksum) {
      throw new MigrationChecksumError(
        `migration ${file.filename} was edited after it was applied (checksum ${recorded.slice(0, 12)}… ` +
          `in the database, ${file.checksum.slice(0, 12)}… on disk): add a new migration instead`,
      );
    }
  }
}

/** Applies pending migrations; returns the files it applied. */
export async function migrate(db: pg.Pool, dir = MIGRATIONS_DIR): Promise<string[]> {
  const files = readMigrations(dir);
  const client = await db.connect();
  try {
    await client.query(`SELECT pg_advisory_lock($1)`, [MIGRATION_LOCK]);
    try {
      await ensureBookkeeping(client);
      const applied = await appliedChecksums(client);
      verifyUnchanged(files, applied);
      const done: string[] = [];
      for (const file of files.filter((f) => !applied.has(f.filename))) {
        await client.query("BEGIN");
        try {
          await client.query(file.sql);
          await client.query(
            `INSERT INTO console.schema_migrations (filename, checksum) VALUES ($1, $2)`,
            [file.filename, file.checksum],
          );
          await client.query("COMMIT");
        } catch (error) {
          await client.query("ROLLBACK");
          throw new Error(`migration ${file.filename} failed: ${(error as Error).message}`);
        }
        done.push(file.filename);
      }
      return done;
    } finally {
      await client.query(`SELECT pg_advisory_unlock($1)`, [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}

export async function migrationState(db: pg.Pool, dir = MIGRATIONS_DIR): Promise<MigrationState> {
  const files = readMigrations(dir);
  const { rows } = await db.query<{ exists: boolean }>(
    `SELECT to_regclass('console.schema_migrations') IS NOT NULL AS exists`,
  );
  const applied = new Set<string>();
  if (rows[0]?.exists) {
    const result = await db.query<{ filename: string }>(`SELECT filename FROM console.schema_migrations`);
    for (const r of result.rows) applied.add(r.filename);
  }
  return {
    applied: files.filter((f) => applied.has(f.filename)).map((f) => f.filename),
    pending: files.filter((f) => !applied.has(f.filename)).map((f) => f.filename),
  };
}
