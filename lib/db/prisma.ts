import { createHash } from "node:crypto";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { requireDatabaseUrl } from "./url";

/** The one Prisma client of the process, over node-postgres via the driver adapter. */
const globalForPrisma = globalThis as unknown as { unifyPrisma?: PrismaClient };

/**
 * The mark of a statement kept prepared on each connection (see `prepared`): the analytics pages' hottest queries, which
 * PostgreSQL then parses once per connection and, once its plan cache judges a generic plan as good, plans once too (at 10M
 * audits, planning was half a millisecond of the auditors page's 2.4 ms naming query).
 */
const PREPARED = "/* prepared */ ";

/**
 * SQL to be kept prepared: a name derived from its text (node-postgres refuses one name for two texts, so the text decides it).
 * Only for a statement whose text is one of a few shapes (a connection keeps every one it has seen until it closes) and whose
 * relations keep their columns while the process runs.
 */
export const prepared = (sql: string) => `${PREPARED}${sql}`;

function statementName(query: { sql: string }): string {
  // Unnamed (node-postgres's default) unless marked: the name is what makes pg keep the statement.
  if (!query.sql.startsWith(PREPARED)) return undefined as unknown as string;
  return `unify_${createHash("sha256").update(query.sql).digest("hex").slice(0, 40)}`;
}

export function prisma(): PrismaClient {
  if (!globalForPrisma.unifyPrisma) {
    const adapter = new PrismaPg({ connectionString: requireDatabaseUrl(), max: 10 }, { statementNameGenerator: statementName });
    globalForPrisma.unifyPrisma = new PrismaClient({ adapter });
  }
  return globalForPrisma.unifyPrisma;
}

export async function disconnectPrisma(): Promise<void> {
  const client = globalForPrisma.unifyPrisma;
  globalForPrisma.unifyPrisma = undefined;
  await client?.$disconnect();
}
