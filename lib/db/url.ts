/** A configuration problem a person can fix; start-up prints its message as one line. */
export class DatabaseConfigError extends Error {
  override name = "DatabaseConfigError";
}

/** Validates a PostgreSQL connection URL and returns it normalised. */
export function parseDatabaseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new DatabaseConfigError(
      "DATABASE_URL is not a valid URL: expected postgresql://user:password@host:port/database",
    );
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
    throw new DatabaseConfigError(
      `DATABASE_URL must start with postgresql:// (got ${url.protocol}//)`,
    );
  }
  if (!url.hostname) throw new DatabaseConfigError("DATABASE_URL has no host");
  if (url.pathname.replace(/^\//, "") === "") {
    throw new DatabaseConfigError("DATABASE_URL names no database (the path after the host)");
  }
  return url;
}

/** The same URL pointing at another database on the same server. */
export function withDatabase(raw: string, database: string): string {
  const url = parseDatabaseUrl(raw);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

/** Host, port and database for messages; never the password. */
export function describeDatabaseUrl(raw: string): string {
  const url = parseDatabaseUrl(raw);
  return `${url.hostname}:${url.port || "5432"}/${decodeURIComponent(url.pathname.slice(1))}`;
}

export function requireDatabaseUrl(): string {
  const raw = process.env.DATABASE_URL;
  if (!raw) {
    throw new DatabaseConfigError(
      "DATABASE_URL is not set: start the console with `npm start`, or set DATABASE_URL",
    );
  }
  parseDatabaseUrl(raw);
  return raw;
}

/** Turns a connection failure into one line a person can act on. */
export function explainConnectionError(error: unknown, raw: string): string {
  const where = describeDatabaseUrl(raw);
  const e = error as { code?: string; message?: string };
  switch (e?.code) {
    case "ECONNREFUSED":
      return `cannot reach PostgreSQL at ${where}: connection refused (is the server running?)`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `cannot reach PostgreSQL at ${where}: host not found`;
    case "ETIMEDOUT":
      return `cannot reach PostgreSQL at ${where}: connection timed out`;
    case "28P01":
    case "28000":
      return `PostgreSQL at ${where} refused the credentials in DATABASE_URL`;
    case "3D000":
      return `PostgreSQL at ${where}: the database does not exist`;
    default:
      return `cannot use PostgreSQL at ${where}: ${e?.message ?? String(error)}`;
  }
}
