import type { StepContext } from "./types";

export interface StatementCheckpoint {
  next: number;
}

/**
 * Runs a step's statements in order, each in its own transaction with the index of the next one
 * as checkpoint: a resumed run skips what already committed. Every statement must be idempotent,
 * so one that committed just before a crash may safely run again. Stops early on pause or cancel.
 */
export async function runStatements(ctx: StepContext<StatementCheckpoint>, statements: string[]): Promise<void> {
  await ctx.setTotal(statements.length);
  for (let i = ctx.checkpoint?.next ?? 0; i < statements.length; i++) {
    if (await ctx.interrupted()) return;
    await ctx.batch(async (db) => {
      await db.query(statements[i]!);
      return { checkpoint: { next: i + 1 }, rows: 1 };
    });
  }
}

/**
 * Like runStatements, but consecutive statements of one group (`groupOf`) run in one transaction:
 * fewer batches where statements belong together (tables, functions, triggers). The checkpoint is
 * still the index of the next statement to run.
 */
export async function runStatementGroups(ctx: StepContext<StatementCheckpoint>, statements: string[], groupOf: (sql: string) => string): Promise<void> {
  await ctx.setTotal(statements.length);
  let i = ctx.checkpoint?.next ?? 0;
  while (i < statements.length) {
    if (await ctx.interrupted()) return;
    let end = i + 1;
    while (end < statements.length && groupOf(statements[end]!) === groupOf(statements[i]!)) end++;
    const [from, to] = [i, end];
    await ctx.batch(async (db) => {
      for (const sql of statements.slice(from, to)) await db.query(sql);
      return { checkpoint: { next: to }, rows: to - from };
    });
    i = end;
  }
}
