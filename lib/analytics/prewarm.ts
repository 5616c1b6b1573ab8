import pg from "pg";
import { closeWithPool } from "@/lib/db/pool";
import { requireDatabaseUrl } from "@/lib/db/url";
import { auditorsFromVectors } from "./auditor-vectors";
import type { AnalyticsFilters } from "./filters";
import { REFRESHED_CHANNEL } from "./refresh";
import { AUDITORS_PAGE, SETTLED_AUDITS } from "./sql";

/**
 * The auditors page's ranges decoded again when a refresh commits, so the first reader after it does not pay for it. A process
 * that has served the page listens on REFRESHED_CHANNEL (one session of its own, outside the pool, closed with it); each refresh
 * notifies it once it has committed its last batch, and the process then reads the default page of the ranges it served most
 * recently — their two months decoded, their summary made — as any request would (lib/analytics/auditor-vectors.ts), one after
 * another, beside the requests. At 10M audits a range read cold costs about 7 ms (p50), warm 1.5 ms. A notification that finds
 * nobody listening, a lost session or a failed read changes nothing: the next request reads what it needs.
 */

/** The ranges served lately, newest last, at most RECENT_RANGES (a department or team is a filter of the same months). */
const recent = new Map<string, { f: AnalyticsFilters; u: string }>();
const RECENT_RANGES = 8;

let listener: pg.Client | null = null;
let listening: Promise<boolean> = Promise.resolve(false);
let warming: Promise<void> | null = null;
let again = false;
let warmedCount = 0;

/** How many times this process has decoded its recent ranges again after a refresh (for tests). */
export function prewarms(): number {
  return warmedCount;
}

/** Whether this process's LISTEN is in place, once the session asked for it has answered (for tests). */
export function prewarmListening(): Promise<boolean> {
  return listening;
}

/** Remembers a range the auditors page served from the packed months, and makes sure this process listens for refreshes. */
export function servedRange(f: AnalyticsFilters, u: string): void {
  if (process.env.UNIFY_ANALYTICS_PREWARM === "0") return;
  const key = `${u} ${f.from ?? ""} ${f.to ?? ""}`;
  recent.delete(key);
  recent.set(key, { f: { from: f.from, to: f.to, scorecard: null, channel: null, department: null, team: null }, u });
  if (recent.size > RECENT_RANGES) recent.delete(recent.keys().next().value!);
  listen();
}

function listen(): void {
  if (listener) return;
  const client = new pg.Client({ connectionString: requireDatabaseUrl(), application_name: "unify analytics prewarm" });
  listener = client;
  let forget: () => void = () => undefined;
  const drop = () => {
    if (listener === client) listener = null;
    forget();
    client.end().catch(() => undefined);
  };
  // A session ended by the server (restart, a test's database dropped) is dropped; the next page served listens again.
  client.on("error", drop);
  client.on("end", drop);
  client.on("notification", () => void prewarm());
  forget = closeWithPool(async () => {
    if (listener === client) listener = null;
    await client.end();
  });
  listening = client
    .connect()
    .then(async () => {
      // Listening must not keep a process alive that has nothing else to do (a CLI command, a test).
      (client as unknown as { connection?: { stream?: { unref?: () => void } } }).connection?.stream?.unref?.();
      await client.query(`LISTEN ${REFRESHED_CHANNEL}`);
      return true;
    })
    .catch(() => {
      drop();
      return false;
    });
}

async function prewarm(): Promise<void> {
  if (warming) {
    again = true;
    return;
  }
  warming = (async () => {
    do {
      again = false;
      for (const { f, u } of [...recent.values()].reverse()) {
        try {
          await auditorsFromVectors(f, { sort: "audits", dir: "desc" }, { limit: AUDITORS_PAGE, offset: 0 }, SETTLED_AUDITS, u);
        } catch {
          // The next request of the range reads it (and reports what failed).
        }
      }
    } while (again);
    warmedCount++;
  })().finally(() => {
    warming = null;
  });
  await warming;
}
