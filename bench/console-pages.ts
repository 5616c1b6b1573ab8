import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { SYSTEM_ACTOR } from "@/lib/activity/log";
import { createSession, SESSION_COOKIE } from "@/lib/auth/session";
import { freePort } from "@/lib/db/embedded";
import { createOperator } from "@/lib/operators/operators";
import { quantile } from "./cluster";

/**
 * The console's pages over HTTP, as a signed-in operator's browser asks for them: the production
 * build served by the console's own server (lib/http/main.ts, what `unify serve` starts) in a
 * child process against the bench's database, each page's whole HTML timed. Needs `.next` (`npm
 * run build`): building is a minute of both cores, which a benchmark must not spend unasked.
 */
export const CONSOLE_PAGES = [
  { page: "Overview", path: "/" },
  { page: "phase page (Phase 2)", path: "/phases/2" },
  { page: "Validation", path: "/validation" },
  { page: "Analytics", path: "/analytics" },
] as const;
/** No session, no page render: the round trip through Next and one `SELECT 1`, the floor beside the pages. */
const FLOOR = { page: "GET /api/health (floor)", path: "/api/health" } as const;

export interface PageTimes {
  page: string;
  path: string;
  loads: number;
  p50: number;
  p95: number;
  max: number;
}

export type ConsolePages = { skipped: string } | { pages: PageTimes[]; floor: PageTimes };

const BUILD_ID = join(process.cwd(), ".next", "BUILD_ID");
const SERVER_ENTRY = join(process.cwd(), "lib", "http", "main.ts");

/** The console on `port`, its in-process worker off (the bench's runs are done; nothing may pick up jobs behind its back). */
async function startConsole(port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", SERVER_ENTRY, "127.0.0.1", String(port)], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    env: { ...process.env, NODE_ENV: "production", UNIFY_IN_PROCESS_WORKER: "0", NEXT_TELEMETRY_DISABLED: "1" },
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the console did not listen within 120 s")), 120_000);
    child.once("message", () => {
      clearTimeout(timer);
      resolve();
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the console exited (code ${code}) before it listened`));
    });
  });
  return child;
}

async function stopConsole(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

/** A session cookie of a new operator holding every role, as the login form would set it. */
async function signedInCookie(): Promise<string> {
  const operator = await createOperator(
    { email: "bench-operator@unify.local", name: "Bench", roles: ["admin", "lead", "analyst"], password: randomBytes(18).toString("base64url") },
    SYSTEM_ACTOR,
  );
  const { token } = await createSession(operator.id);
  return `${SESSION_COOKIE}=${token}`;
}

/** `loads` whole responses of one path one after another (after two to warm the route), each required to be the page itself (200, not the login redirect). */
async function timePage(baseUrl: string, target: { page: string; path: string }, cookie: string, loads: number): Promise<PageTimes> {
  const ms: number[] = [];
  for (let i = -2; i < loads; i++) {
    const started = performance.now();
    const response = await fetch(`${baseUrl}${target.path}`, { headers: { cookie }, redirect: "manual" });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`${target.path}: HTTP ${response.status}, expected the page`);
    if (i >= 0) ms.push(performance.now() - started);
  }
  return { ...target, loads, p50: quantile(ms, 0.5), p95: quantile(ms, 0.95), max: Math.max(...ms) };
}

export async function consolePagesOverHttp(loads: number): Promise<ConsolePages> {
  if (!existsSync(BUILD_ID)) return { skipped: "skipped: run `npm run build` first" };
  const cookie = await signedInCookie();
  const port = await freePort();
  const child = await startConsole(port);
  try {
    const baseUrl = `http://127.0.0.1:${port}`;
    const pages: PageTimes[] = [];
    for (const target of CONSOLE_PAGES) pages.push(await timePage(baseUrl, target, cookie, loads));
    return { pages, floor: await timePage(baseUrl, FLOOR, cookie, loads) };
  } finally {
    await stopConsole(child);
  }
}
