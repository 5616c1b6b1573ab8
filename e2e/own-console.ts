import { execFile, spawn, type ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import { createServer } from "node:net";
import { promisify } from "node:util";
import { test as base } from "@playwright/test";
import { ADMIN, LEAD } from "./helpers";

/**
 * A console of the journey's own: same build, same demo data, its own database in `dataDir`. For
 * journeys that change the phases, so that what they find does not depend on the order in which
 * spec files run (phases.spec.ts begins from a phase nobody has approved).
 */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no free port"))));
    });
  });
}

async function waitForHealth(server: ChildProcess, url: string, within: number): Promise<void> {
  const until = Date.now() + within;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`the console exited with ${server.exitCode} before it was healthy`);
    try {
      if ((await fetch(`${url}/api/health`)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`the console on ${url} was not healthy within ${within / 1000} s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** The environment of a console of its own in `dataDir`, for the server and for CLI calls against its database. */
export function ownConsoleEnv(dataDir: string): NodeJS.ProcessEnv {
  return { ...process.env, UNIFY_DATA_DIR: dataDir, UNIFY_ADMIN_PASSWORD: ADMIN.password, UNIFY_DEMO_PASSWORD: LEAD.password, NEXT_TELEMETRY_DISABLED: "1" };
}

const run = promisify(execFile);

/**
 * Commands against the database of the console in `dataDir` (the CLI adopts the postmaster serving
 * it): `tsx` runs a script, `unify` the CLI, `bringToSucceeded` takes a phase through pre-flight,
 * approval with every warning acknowledged, and a run, as a lead and an admin would.
 */
export function ownConsoleCli(dataDir: string) {
  const env = ownConsoleEnv(dataDir);
  async function tsx(args: string[], password = ""): Promise<string> {
    const { stdout } = await run("node_modules/.bin/tsx", args, { env: { ...env, UNIFY_PASSWORD: password }, maxBuffer: 64 * 2 ** 20, timeout: 280_000 });
    return stdout;
  }
  const unify = (args: string[], password: string) => tsx(["lib/cli/main.ts", ...args], password);
  async function bringToSucceeded(phase: number): Promise<void> {
    await unify(["validate", String(phase), "--as", LEAD.email, "--kind", "preflight"], LEAD.password).catch((error: { stdout?: string }) => {
      // Exit 1 means a failing check; warnings are acknowledged below.
      if (!/warn|pass/.test(error.stdout ?? "")) throw error;
    });
    const plan = JSON.parse(await unify(["plan", String(phase), "--json"], LEAD.password)) as { checksum: string };
    await unify(["approve", String(phase), "--as", LEAD.email, "--checksum", plan.checksum, "--acknowledge-all"], LEAD.password);
    await unify(["run", String(phase), "--as", ADMIN.email], ADMIN.password);
  }
  return { tsx, unify, bringToSucceeded };
}

/** `test` whose pages talk to a console started once per worker on a free port. */
export function testWithOwnConsole(dataDir: string) {
  return base.extend<object, { consoleUrl: string }>({
    consoleUrl: [
      async ({}, provide) => {
        rmSync(dataDir, { recursive: true, force: true });
        const port = await freePort();
        const url = `http://127.0.0.1:${port}`;
        const server = spawn("node_modules/.bin/tsx", ["lib/cli/main.ts", "serve", "--demo", "--port", String(port)], {
          stdio: ["ignore", "ignore", "inherit"],
          env: ownConsoleEnv(dataDir),
        });
        try {
          await waitForHealth(server, url, 240_000);
          await provide(url);
        } finally {
          if (server.exitCode === null) {
            const exited = new Promise((resolve) => server.once("exit", resolve));
            server.kill("SIGTERM");
            await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
          }
        }
      },
      { scope: "worker", timeout: 300_000 },
    ],
    baseURL: async ({ consoleUrl }, provide) => provide(consoleUrl),
  });
}
