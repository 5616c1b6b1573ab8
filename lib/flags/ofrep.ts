import { createHash } from "node:crypto";
import { authenticateApiKey } from "./api-keys";
import { effectiveFlags } from "./store";

/**
 * The OpenFeature Remote Evaluation Protocol (../shared/specs/ofrep-openapi.yaml): single and bulk
 * evaluation of Unify's flags. Every flag is a boolean with no targeting, so the context is
 * accepted and not needed; the reason is STATIC and the variant says on or off.
 */
type Evaluation = {
  key: string;
  value: boolean;
  reason: "STATIC";
  variant: "on" | "off";
  metadata: Record<string, string | number | boolean>;
};

/**
 * Browser applications on other origins evaluate through the web provider: the key travels in a
 * header, never a cookie, so any origin may call, and the ETag must be readable.
 */
const CORS_HEADERS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "POST, OPTIONS",
  "Access-Control-Allow-Headers": "Authorization, X-API-Key, Content-Type, If-None-Match",
  "Access-Control-Expose-Headers": "ETag",
  "Access-Control-Max-Age": "600",
};

const JSON_HEADERS = { ...CORS_HEADERS, "Content-Type": "application/json", "Cache-Control": "no-store" };

/** OPTIONS: the CORS preflight of a browser's POST. */
export function ofrepPreflight(): Response {
  return new Response(null, { status: 204, headers: CORS_HEADERS });
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...headers } });
}

function unauthorized(): Response {
  return json(401, { errorDetails: "Send a Unify API key as Authorization: Bearer <key> or X-API-Key: <key> (Settings → API keys)" }, {
    "WWW-Authenticate": 'Bearer realm="unify-ofrep"',
  });
}

/** The request's context: a JSON object `{ context: {...} }`; an empty body counts as an empty context. */
async function readContext(request: Request): Promise<{ ok: true } | { ok: false; errorCode: "PARSE_ERROR" | "INVALID_CONTEXT"; errorDetails: string }> {
  const text = await request.text();
  if (text.trim() === "") return { ok: true };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, errorCode: "PARSE_ERROR", errorDetails: "The request body is not JSON" };
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { ok: false, errorCode: "PARSE_ERROR", errorDetails: "The request body must be a JSON object with a context" };
  }
  const context = (body as { context?: unknown }).context;
  if (context !== undefined && (typeof context !== "object" || context === null || Array.isArray(context))) {
    return { ok: false, errorCode: "INVALID_CONTEXT", errorDetails: "context must be an object" };
  }
  return { ok: true };
}

/** A retired flag is served with its final value, reason STATIC like every flag here, and `retired: true` in its metadata. */
function evaluation(key: string, flag: { value: boolean; source: string; phase: number | null }): Evaluation {
  const metadata: Evaluation["metadata"] = { source: flag.source };
  if (flag.source === "retired") metadata.retired = true;
  if (flag.phase !== null) metadata.phase = flag.phase;
  return { key, value: flag.value, reason: "STATIC", variant: flag.value ? "on" : "off", metadata };
}

/** POST /ofrep/v1/evaluate/flags/{key} */
export async function evaluateFlagRequest(request: Request, key: string): Promise<Response> {
  if (!(await authenticateApiKey(request.headers))) return unauthorized();
  const context = await readContext(request);
  if (!context.ok) return json(400, { key, errorCode: context.errorCode, errorDetails: context.errorDetails });
  const flag = (await effectiveFlags()).get(key);
  if (!flag) return json(404, { key, errorCode: "FLAG_NOT_FOUND", errorDetails: `Flag '${key}' was not found` });
  return json(200, evaluation(key, flag));
}

/**
 * The ETag of a bulk response: a strong sha256 of its exact bytes (flags sorted by key, so the
 * same state always gives the same bytes), as flagd and go-feature-flag do.
 */
export function etagOf(body: string): string {
  return `"${createHash("sha256").update(body).digest("hex")}"`;
}

/** `If-None-Match`: a list of tags, `*`, weak tags (`W/"…"`) and a proxy's compression suffix (`"…-gzip"`) all match. */
export function ifNoneMatchHits(header: string | null, etag: string): boolean {
  if (!header) return false;
  const bare = etag.slice(1, -1);
  return header.split(",").some((raw) => {
    const tag = raw.trim().replace(/^W\//, "");
    if (tag === "*") return true;
    const inner = tag.replace(/^"|"$/g, "").replace(/-(gzip|br|zstd|deflate)$/, "");
    return inner === bare;
  });
}

/** POST /ofrep/v1/evaluate/flags */
export async function evaluateFlagsBulkRequest(request: Request): Promise<Response> {
  if (!(await authenticateApiKey(request.headers))) return unauthorized();
  const context = await readContext(request);
  if (!context.ok) return json(400, { errorCode: context.errorCode, errorDetails: context.errorDetails });
  const flags = [...(await effectiveFlags())].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, f]) => evaluation(key, f));
  const body = JSON.stringify({ flags });
  const etag = etagOf(body);
  const headers = { ...CORS_HEADERS, ETag: etag, "Cache-Control": "no-cache" };
  if (ifNoneMatchHits(request.headers.get("if-none-match"), etag)) return new Response(null, { status: 304, headers });
  return new Response(body, { status: 200, headers: { "Content-Type": "application/json", ...headers } });
}
