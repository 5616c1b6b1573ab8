import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { connectDatabase } from "@/lib/db/connect";
import { closePool } from "@/lib/db/pool";
import { disconnectPrisma } from "@/lib/db/prisma";
import { describeDatabaseUrl } from "@/lib/db/url";
import { parseTrustedProxies } from "@/lib/http/client-address";
import { ensureFirstOperators, signInLines } from "@/lib/operators/bootstrap";
import { prepareDemo } from "./demo";
import { CliUsageError } from "./output";

const NEXT_BIN = join(process.cwd(), "node_modules", ".bin", "next");
/** The console's own HTTP server around Next (it sets the client's address from the socket). */
const SERVER_ENTRY = join(process.cwd(), "lib", "http", "main.ts");

/** The newest modification time under the folders the build is made from. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "generated" || entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds when there is no production build, or when the sources changed since it was made. */
function buildIfStale(): void {
  const buildId = join(process.cwd(), ".next", "BUILD_ID");
  if (existsSync(buildId)) {
    const sources = ["app", "components", "lib", "public"].filter((d) => existsSync(d)).map((d) => newestSource(d));
    if (Math.max(...sources) <= statSync(buildId).mtimeMs) return;
    console.log("unify: the sources changed since the last build, rebuilding…");
  } else {
    console.log("unify: no production build yet, building (about a minute)…");
  }
  const result = spawnSync(NEXT_BIN, ["build"], { stdio: "inherit", env: { NEXT_TELEMETRY_DISABLED: "1", ...process.env } });
  if (result.status !== 0) throw new CliUsageError("the production build failed (see above)");
}

export function registerServe(program: Command): void {
  program
    .command("serve")
    .description("start the console (embedded PostgreSQL unless DATABASE_URL is set)")
    .option("--demo", "create demo operators and demo legacy data on an empty database")
    .option("--port <port>", "HTTP port", process.env.PORT ?? "3000")
    .option("--host <host>", "interface to listen on", "127.0.0.1")
    .action(async (opts: { demo?: boolean; port: string; host: string }) => {
      const port = Number.parseInt(opts.port, 10);
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw new CliUsageError(`--port: not a port: ${opts.port}`);
      // A mistyped proxy list stops the start here, before anything is built.
      parseTrustedProxies(process.env.UNIFY_TRUSTED_PROXY);
      const connection = await connectDatabase({ adopt: true });
      console.log(
        `unify: database ${describeDatabaseUrl(connection.url)}${connection.embedded ? " (embedded, data in .data/)" : ""}`,
      );
      const created = await ensureFirstOperators({ demo: Boolean(opts.demo) });
      if (opts.demo) await prepareDemo();
      await disconnectPrisma();
      await closePool();
      buildIfStale();

      const child = spawn(process.execPath, ["--import", "tsx", SERVER_ENTRY, opts.host, String(port)], {
        stdio: ["inherit", "inherit", "inherit", "ipc"],
        env: { ...process.env, NODE_ENV: "production", UNIFY_IN_PROCESS_WORKER: process.env.UNIFY_IN_PROCESS_WORKER ?? "1" },
      });
      // The sign-in details come last, after the build's and the server's own output.
      child.once("message", () => {
        for (const line of signInLines(`http://localhost:${port}`, created)) console.log(line);
      });
      let stopping = false;
      const shutdown = async (code: number) => {
        if (stopping) return;
        stopping = true;
        if (child.exitCode === null) child.kill("SIGTERM");
        await connection.embedded?.stop().catch(() => undefined);
        process.exit(code);
      };
      process.on("SIGINT", () => void shutdown(0));
      process.on("SIGTERM", () => void shutdown(0));
      child.on("exit", (code) => void shutdown(code ?? 0));
      await new Promise(() => undefined);
    });
}
