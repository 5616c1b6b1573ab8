import type pg from "pg";
import type { PlanContext } from "@/lib/plan/types";
import type { Figures, RowSample } from "./table-diff";

export type ValidationKind = "preflight" | "post_run";
export type CheckCategory = "counts" | "content" | "integrity" | "quality" | "step";
export type ResultStatus = "pass" | "warn" | "fail";

/** One finding of a check: what was expected, what was found, and examples when they differ. */
export interface CheckResult {
  name: string;
  status: ResultStatus;
  expected: string;
  actual: string;
  detail: string;
  samples?: RowSample[];
  /**
   * The legacy table this result read as the source of truth, with its row count and checksum
   * (table-diff's form over every column) as read: the evidence Phase 5 compares the archive with.
   */
  figures?: { table: string } & Figures;
}

/**
 * A unit of validation work: it runs on its own session (the suite runs several at once) and
 * returns its findings. Checks read the legacy side as the source of truth and never reuse a
 * phase's load SQL.
 */
export interface ValidationCheck {
  id: string;
  title: string;
  category: CheckCategory;
  run(db: pg.ClientBase, ctx: PlanContext): Promise<CheckResult[]>;
}

export function worst(statuses: ResultStatus[]): ResultStatus {
  return statuses.includes("fail") ? "fail" : statuses.includes("warn") ? "warn" : "pass";
}

export const count = (n: number) => new Intl.NumberFormat("en-US").format(n);
