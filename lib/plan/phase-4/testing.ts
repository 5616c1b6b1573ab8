import { pool } from "@/lib/db/pool";
import { phase4PostRunChecks } from "@/lib/validation/checks/phase-4";
import { planContext } from "../plan";

/** Tests only: Phase 4's post-run suite here; the findings that are not a pass. */
export async function runSuite(): Promise<{ name: string; actual: string }[]> {
  const ctx = await planContext(pool());
  const db = await pool().connect();
  try {
    const failures: { name: string; actual: string }[] = [];
    for (const check of phase4PostRunChecks(ctx)) {
      for (const r of await check.run(db, ctx)) if (r.status !== "pass") failures.push({ name: r.name, actual: r.actual });
    }
    return failures;
  } finally {
    db.release();
  }
}
