import { createHash, randomBytes } from "node:crypto";
import { recordActivity } from "@/lib/activity/log";
import { authorize, type Principal } from "@/lib/auth/authorize";
import { pool } from "@/lib/db/pool";
import { prisma } from "@/lib/db/prisma";
import { hasNul, NUL_MESSAGE } from "@/lib/db/sql";
import { Prisma } from "@/lib/generated/prisma/client";
import { ApiKeyError } from "./errors";

/**
 * OFREP API keys: `unify_` and 43 characters of base64url (32 random bytes). Only a sha256 of the
 * key is stored — the key has 256 bits of entropy, so a slow password hash would add nothing but
 * latency to every evaluation — and the first characters, so a person can tell keys apart.
 */
const KEY_PREFIX = "unify_";

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

export interface ApiKeyView {
  id: number;
  name: string;
  prefix: string;
  createdBy: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  revokedBy: string | null;
}

const VIEW = { id: true, name: true, prefix: true, createdBy: true, createdAt: true, lastUsedAt: true, revokedAt: true, revokedBy: true } as const;

function checkName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) throw new ApiKeyError("Name the key after the application that will use it");
  if (trimmed.length > 100) throw new ApiKeyError("A key's name is at most 100 characters");
  if (hasNul(trimmed)) throw new ApiKeyError(NUL_MESSAGE);
  return trimmed;
}

/** Issues a key; the plain key is in the result only, never stored and never shown again. */
export async function createApiKey(input: { name: string; actor: Principal }): Promise<{ key: string; apiKey: ApiKeyView }> {
  await authorize(input.actor, "apikey.create", input.name);
  const name = checkName(input.name);
  const key = `${KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
  try {
    const apiKey = await prisma().apiKey.create({
      data: { name, prefix: key.slice(0, KEY_PREFIX.length + 6), keyHash: hashApiKey(key), createdBy: input.actor.email ?? "unknown" },
      select: VIEW,
    });
    await recordActivity({ actor: input.actor, action: "apikey.create", target: name, outcome: "ok", detail: { id: apiKey.id, prefix: apiKey.prefix } });
    return { key, apiKey };
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      throw new ApiKeyError(`A live key is already named "${name}": revoke it first or choose another name`);
    }
    throw error;
  }
}

export async function listApiKeys(): Promise<ApiKeyView[]> {
  return prisma().apiKey.findMany({ select: VIEW, orderBy: [{ revokedAt: { sort: "desc", nulls: "first" } }, { createdAt: "desc" }] });
}

/** Revokes the live key of that name; requests that send it get 401 from then on. */
export async function revokeApiKey(input: { name: string; actor: Principal }): Promise<ApiKeyView> {
  await authorize(input.actor, "apikey.revoke", input.name);
  const name = checkName(input.name);
  const live = await prisma().apiKey.findFirst({ where: { name, revokedAt: null } });
  if (!live) throw new ApiKeyError(`No live key is named "${name}"`);
  const revoked = await prisma().apiKey.update({ where: { id: live.id }, data: { revokedAt: new Date(), revokedBy: input.actor.email ?? "unknown" }, select: VIEW });
  await recordActivity({ actor: input.actor, action: "apikey.revoke", target: name, outcome: "ok", detail: { id: revoked.id, prefix: revoked.prefix } });
  return revoked;
}

/** The key a request carries: `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
export function presentedKey(headers: Headers): string | null {
  const auth = headers.get("authorization");
  const bearer = auth?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
  const key = bearer ?? headers.get("x-api-key")?.trim();
  return key ? key : null;
}

// The last use is recorded at most once a minute per key, so evaluations do not all write.
const LAST_USE_GRANULARITY = "1 minute";

/** The live key this request carries, or null; its last use is brought up to date. */
export async function authenticateApiKey(headers: Headers): Promise<{ id: number; name: string } | null> {
  const key = presentedKey(headers);
  if (!key || key.length > 200 || hasNul(key)) return null;
  const { rows } = await pool().query<{ id: number; name: string; stale: boolean }>(
    `SELECT id, name, (last_used_at IS NULL OR last_used_at < now() - $2::interval) AS stale
       FROM console.api_keys WHERE key_hash = $1 AND revoked_at IS NULL`,
    [hashApiKey(key), LAST_USE_GRANULARITY],
  );
  const found = rows[0];
  if (!found) return null;
  if (found.stale) await pool().query(`UPDATE console.api_keys SET last_used_at = now() WHERE id = $1`, [found.id]);
  return { id: found.id, name: found.name };
}
