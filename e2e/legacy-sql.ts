import { closeConnection, connectDatabase } from "@/lib/db/connect";
import { pool } from "@/lib/db/pool";

/**
 * Runs the SQL given as the one argument against the database of UNIFY_DATA_DIR (adopting the
 * postmaster a console of its own started): how a journey makes the legacy application's changes.
 */
async function main(): Promise<void> {
  const sql = process.argv[2];
  if (!sql) throw new Error("usage: tsx e2e/legacy-sql.ts '<sql>'");
  await connectDatabase({ adopt: false, migrate: false });
  try {
    await pool().query(sql);
  } finally {
    await closeConnection();
  }
}

main().catch((error: Error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});
