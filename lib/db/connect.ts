import { resolve } from "node:path";
import pg from "pg";
import { startEmbeddedPostgres, type EmbeddedCluster } from "./embedded";
import { migrate } from "./migrate";
import { closePool, pool } from "./pool";
import { disconnectPrisma } from "./prisma";
import { quoteIdent } from "./sql";
import { DatabaseConfigError, explainConnectionError, parseDatabaseUrl } from "./url";

export const EMBEDDED_DATABASE = "unify";

export function dataRoot(): string {
  return resolve(process.env.UNIFY_DATA_DIR || ".data");
}

export interface Connection {
  url: string;
  embedded: EmbeddedCluster | null;
  /** The SQL migrations this start applied. */
  applied: string[];
}

async function assertReachable(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
  } catch (error) {
    throw new DatabaseConfigError(explainConnectionError(error, url));
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function ensureDatabase(serverUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [name]);
    if (!rowCount) await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
  } finally {
    await client.end();
  }
}

/**
 * Resolves the database the console runs on — DATABASE_URL when set, otherwise the embedded
 * server under `.data/` — checks it answers, applies pending migrations and exports
 * DATABASE_URL so every later `pool()`/`prisma()` and child process uses it.
 */
export async function connectDatabase(options: { adopt?: boolean; migrate?: boolean } = {}): Promise<Connection> {
  let embedded: EmbeddedCluster | null = null;
  let url = process.env.DATABASE_URL;
  if (url) {
    parseDatabaseUrl(url);
  } else {
    embedded = await startEmbeddedPostgres({ root: dataRoot(), adopt: options.adopt });
    await ensureDatabase(embedded.url("postgres"), EMBEDDED_DATABASE);
    url = embedded.url(EMBEDDED_DATABASE);
    process.env.DATABASE_URL = url;
  }
  await assertReachable(url);
  // A read-only command (legacy discover) leaves the database exactly as it found it.
  const applied = options.migrate === false ? [] : await migrate(pool());
  current = { url, embedded, applied };
  return current;
}

let current: Connection | null = null;

/** Closes this process's connections, and the embedded server if this process started it. */
export async function closeConnection(): Promise<void> {
  const connection = current;
  current = null;
  await disconnectPrisma().catch(() => undefined);
  await closePool().catch(() => undefined);
  await connection?.embedded?.stop();
}
