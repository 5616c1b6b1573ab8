/**
 * An environment variable named like a flag (USE_UNIFIED_AUDITS_TABLE=on) overrides the database
 * for an application that cannot reach the console, and for the console itself: OFREP, the adapter
 * and the Flags page all read the override. Anything but the words below is reported as invalid
 * and ignored.
 */
const ON = new Set(["1", "true", "on", "yes"]);
const OFF = new Set(["0", "false", "off", "no"]);

export type EnvOverride = { set: false } | { set: true; raw: string; value: boolean | null };

export function envOverride(key: string, env: NodeJS.ProcessEnv = process.env): EnvOverride {
  const raw = env[key];
  if (raw === undefined || raw.trim() === "") return { set: false };
  const word = raw.trim().toLowerCase();
  return { set: true, raw, value: ON.has(word) ? true : OFF.has(word) ? false : null };
}
