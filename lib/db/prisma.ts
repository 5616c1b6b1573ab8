import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { requireDatabaseUrl } from "./url";

/** The one Prisma client of the process, over node-postgres via the driver adapter. */
const globalForPrisma = globalThis as unknown as { unifyPrisma?: PrismaClient };

export function prisma(): PrismaClient {
  if (!globalForPrisma.unifyPrisma) {
    const adapter = new PrismaPg({ connectionString: requireDatabaseUrl(), max: 10 });
    globalForPrisma.unifyPrisma = new PrismaClient({ adapter });
  }
  return globalForPrisma.unifyPrisma;
}

export async function disconnectPrisma(): Promise<void> {
  const client = globalForPrisma.unifyPrisma;
  globalForPrisma.unifyPrisma = undefined;
  await client?.$disconnect();
}
