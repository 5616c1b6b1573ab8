import type pg from "pg";
import { phase1 } from "@/lib/plan/phase-1";
import { phase2 } from "@/lib/plan/phase-2";
import { phase3 } from "@/lib/plan/phase-3";
import { phase4 } from "@/lib/plan/phase-4";
import { namedLegacyTables } from "@/lib/plan/phase-5/objects";
import type { PhaseDefinition, PlanContext } from "@/lib/plan/types";
import { relationFigures, type Figures } from "../table-diff";
import { count, type CheckResult, type ValidationCheck } from "../types";
import { stepChecks } from "./common";

/**
 * The final validation: the post-run suite of every earlier phase — their steps' own checks and
 * their independent checks — as one suite, run before a lead approves Phase 5 (its pre-flight)
 * and at any time later (it reads the legacy tables wherever they are: at home, or in the archive).
 *
 * Phase 5's own post-run suite does not read the unified side again: the move is a catalog change
 * that touches no unified row. It proves, table by table, that each archived table holds exactly
 * the rows the final validation compared with the unified side — same count, same checksum over
 * every column (table-diff's form, read again in the archive, independently of the manifest). A
 * table written after that final validation is compared with its read-back on the unified side
 * again, as the final validation compares it; a table nothing else compares fails.
 */
const EARLIER: PhaseDefinition[] = [phase1, phase2, phase3, phase4];

export function finalValidationChecks(ctx: PlanContext): ValidationCheck[] {
  return EARLIER.flatMap((definition) =>
    [...stepChecks(definition.steps(ctx)), ...(definition.validation?.postRun(ctx) ?? [])].map((check) => ({
      ...check,
      id: `phase-${definition.number}:${check.id}`,
      title: `Phase ${definition.number} · ${check.title}`,
    })),
  );
}

/** The final validation's checks that compare `table` row by row with its read-back on the unified side. */
function readBackChecks(checks: ValidationCheck[], table: string): ValidationCheck[] {
  return checks.filter((c) => EARLIER.some((d) => c.id === `phase-${d.number}:content:${table}`));
}

async function exists(db: pg.ClientBase, schema: string, table: string): Promise<boolean> {
  const { rows } = await db.query(
    `SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')`,
    [schema, table],
  );
  return rows.length > 0;
}

const described = (f: Figures) => `${count(f.rows)} rows, checksum ${f.checksum}`;

/**
 * A legacy table no read-back check covers (the registry, a table discovery reported but no phase
 * migrated): its figures are recorded with the final validation, so Phase 5 can prove the archive
 * holds the same rows.
 */
function figuresCheck(table: string): ValidationCheck {
  return {
    id: `figures:${table}`,
    title: `${table}: its rows and checksum as the final validation read them`,
    category: "content",
    async run(db, ctx) {
      if (!(await exists(db, ctx.legacySchema, table))) return [{ name: `${table}: not a table of ${ctx.legacySchema}`, status: "pass", expected: "", actual: "", detail: "nothing to archive" }];
      const figures = await relationFigures(db, { schema: ctx.legacySchema, name: table });
      return [{ name: `${table}: rows and checksum recorded`, status: "pass", expected: "", actual: described(figures), detail: `read in ${ctx.legacySchema}: Phase 5 compares its archive with these figures`, figures: { table, ...figures } }];
    },
  };
}

export function phase5PreflightChecks(ctx: PlanContext): ValidationCheck[] {
  const final = finalValidationChecks(ctx);
  const recorded = namedLegacyTables(ctx).filter((table) => readBackChecks(final, table).length === 0);
  return [...final, ...recorded.map(figuresCheck)];
}

interface Evidence extends Figures {
  validationId: number;
  finishedAt: Date;
  /** The check that read it: a read-back (compared with the unified side) or the figures alone. */
  checkId: string;
}

/** The figures of `table` in the newest final validation that passed (the one a Phase 5 run may start on). */
async function evidenceFor(db: pg.ClientBase, table: string): Promise<Evidence | null> {
  const { rows } = await db.query<{ id: number; finished_at: Date; check_id: string; rows: string; checksum: string }>(
    `SELECT r.id, r.finished_at, c.check_id, f.result->'figures'->>'rows' AS rows, f.result->'figures'->>'checksum' AS checksum
       FROM console.validation_runs r
       JOIN console.validation_checks c ON c.run_id = r.id
      CROSS JOIN LATERAL jsonb_array_elements(c.results) AS f(result)
      WHERE r.id = (SELECT id FROM console.validation_runs
                     WHERE phase = 5 AND kind = 'preflight' AND status = 'finished' AND verdict IN ('pass', 'warn')
                     ORDER BY id DESC LIMIT 1)
        AND f.result->'figures'->>'table' = $1 AND f.result->>'status' = 'pass'
      ORDER BY c.position LIMIT 1`,
    [table],
  );
  const r = rows[0];
  return r ? { validationId: r.id, finishedAt: r.finished_at, checkId: r.check_id, rows: Number(r.rows), checksum: r.checksum } : null;
}

function archivedTableCheck(table: string, readBacks: ValidationCheck[]): ValidationCheck {
  return {
    id: `archive:${table}`,
    title: `${table}: the archive holds exactly the rows the final validation compared`,
    category: "content",
    async run(db, ctx): Promise<CheckResult[]> {
      const evidence = await evidenceFor(db, table);
      const name = `${table}: the archive holds exactly the rows final validation #${evidence?.validationId ?? "?"} compared`;
      if (!(await exists(db, ctx.legacySchema, table))) {
        return [{
          name,
          status: evidence ? "fail" : "pass",
          expected: evidence ? described(evidence) : "",
          actual: `no table ${table} in ${ctx.legacySchema}`,
          detail: evidence ? "the final validation read it: it must be archived" : "not a table of this database: nothing to archive",
        }];
      }
      const now = await relationFigures(db, { schema: ctx.legacySchema, name: table });
      const same = evidence !== null && evidence.rows === now.rows && evidence.checksum === now.checksum;
      if (same) {
        const how = evidence.checkId.includes(":content:") ? "found them equal to their read-back on the unified side" : "recorded them";
        return [{ name, status: "pass", expected: described(evidence), actual: described(now), detail: `final validation #${evidence.validationId} (${evidence.finishedAt.toISOString()}) ${how}; read again in ${ctx.legacySchema}`, figures: { table, ...now } }];
      }
      const why = evidence ? `written since final validation #${evidence.validationId} (${described(evidence)})` : "no passing final validation recorded its figures";
      if (!readBacks.length) {
        return [{ name, status: "fail", expected: evidence ? described(evidence) : "the figures of a passing final validation", actual: described(now), detail: `${why}, and nothing else compares it: roll Phase 5 back, run the final validation again and have a lead approve` }];
      }
      const compared: CheckResult[] = [];
      for (const check of readBacks) compared.push(...(await check.run(db, ctx)));
      return [
        { name, status: "warn", expected: evidence ? described(evidence) : "", actual: described(now), detail: `${why}: compared again with its read-back on the unified side (below)` },
        ...compared,
      ];
    },
  };
}

export function phase5PostRunChecks(ctx: PlanContext): ValidationCheck[] {
  const final = finalValidationChecks(ctx);
  return namedLegacyTables(ctx).map((table) => archivedTableCheck(table, readBackChecks(final, table)));
}
