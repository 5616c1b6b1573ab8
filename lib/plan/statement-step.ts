import { runStatementGroups, runStatements, type StatementCheckpoint } from "./run-statements";
import type { PlanContext, Step } from "./types";

/** What a statement step states itself: its SQL from the plan context, its own verify and rollback. */
export type StatementStepSpec = Pick<Step<StatementCheckpoint>, "id" | "title" | "verify" | "rollback" | "scalesWith"> & {
  statements(ctx: PlanContext): string[] | Promise<string[]>;
  /** Consecutive statements with the same group run in one transaction (runStatementGroups); by default each is its own. */
  groupOf?: (sql: string) => string;
};

/**
 * A step of DDL and set-based statements with no rows to estimate: its plan is `statements`, run in
 * order, one transaction each (runStatements), its progress counted in statements.
 */
export function statementStep({ id, title, statements, verify, rollback, groupOf, scalesWith }: StatementStepSpec): Step<StatementCheckpoint> {
  return {
    id,
    title,
    unit: "statements",
    ...(scalesWith ? { scalesWith } : {}),
    async plan(ctx) {
      return { statements: await statements(ctx), estimatedRows: 0 };
    },
    run: (ctx) => (groupOf ? runStatementGroups(ctx, ctx.statements, groupOf) : runStatements(ctx, ctx.statements)),
    verify,
    rollback,
  };
}
