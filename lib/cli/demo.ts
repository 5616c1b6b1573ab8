import { pool } from "@/lib/db/pool";
import { existingLegacyTables, existingUnifiedTables, LegacySeedError, seedLegacy } from "@/lib/legacy/generator";
import { describeSeed } from "./legacy";

/**
 * Demo data for `npm start`: the default legacy database, seeded only when there is none yet
 * and the migration has not started; a database that already has legacy tables is left alone.
 */
export async function prepareDemo(): Promise<void> {
  if ((await existingLegacyTables(pool())).length || (await existingUnifiedTables(pool())).length) return;
  try {
    console.log(`unify: ${describeSeed(await seedLegacy(pool()))}`);
  } catch (error) {
    // Another process seeding at the same moment is not a reason to stop the console.
    if (!(error instanceof LegacySeedError)) throw error;
    console.log(`unify: demo legacy data not seeded: ${error.message}`);
  }
}
