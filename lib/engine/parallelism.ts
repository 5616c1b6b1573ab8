import { availableParallelism } from "node:os";
import type pg from "pg";
import { requireDatabaseUrl } from "@/lib/db/url";

/**
 * How many units of a step run at once: UNIFY_PARALLEL, or the database server's cores (the work
 * happens there, not in Node). PostgreSQL has no SQL function for its core count: a superuser
 * session reads /proc/cpuinfo through pg_read_file; otherwise a server on this machine counts this
 * machine's cores, and a remote one falls back to its max_parallel_workers setting.
 */
let cached: number | null = null;

export class ParallelismSettingError extends Error {
  override name = "ParallelismSettingError";
  readonly expected = true;
}

export function parallelSetting(): number | null {
  const raw = process.env.UNIFY_PARALLEL;
  if (raw === undefined || raw === "") return null;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new ParallelismSettingError(`UNIFY_PARALLEL must be a whole number from 1 to 64 (got "${raw}")`);
  return n;
}

function isLocalServer(): boolean {
  try {
    const host = new URL(requireDatabaseUrl()).hostname;
    return host === "" || host === "localhost" || host === "127.0.0.1" || host === "[::1]" || host.startsWith("/");
  } catch {
    return false;
  }
}

export async function serverCores(db: pg.ClientBase | pg.Pool): Promise<number> {
  if (cached !== null) return cached;
  try {
    // Asked only of a session allowed to read server files (PostgreSQL checks EXECUTE when it
    // prepares a statement, so even an unreached call would fail): a console running as an
    // ordinary role (docs/security.md) never raises an error here that aborts a caller's transaction.
    const { rows: allowed } = await db.query<{ ok: boolean }>(
      `SELECT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
              OR (pg_has_role(current_user, 'pg_read_server_files', 'USAGE')
                  AND has_function_privilege('pg_read_file(text, boolean)', 'EXECUTE')) AS ok`,
    );
    if (allowed[0]?.ok) {
      const { rows } = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM regexp_matches(pg_read_file('/proc/cpuinfo', true), '^processor\\s*:', 'gn')`,
      );
      if (rows[0] && rows[0].n > 0) return (cached = rows[0].n);
    }
  } catch {
    // Not Linux, or the file cannot be read: fall through.
  }
  if (isLocalServer()) return (cached = availableParallelism());
  const { rows } = await db.query<{ n: number }>(`SELECT current_setting('max_parallel_workers')::int AS n`);
  return (cached = Math.max(1, Math.min(16, rows[0]?.n ?? 1)));
}

export async function unitParallelism(db: pg.ClientBase | pg.Pool): Promise<number> {
  return parallelSetting() ?? (await serverCores(db));
}
