import { diffLines } from "diff";

/** A plan's steps as an approval keeps them: what the lead read. */
export type ApprovedStep = {
  id: string;
  title: string;
  statements: string[];
};

export interface DiffLine {
  kind: "added" | "removed" | "same";
  text: string;
}

export type StepDiff =
  | { id: string; title: string; change: "same" }
  | { id: string; title: string; change: "added" | "removed" | "changed"; lines: DiffLine[]; added: number; removed: number };

// Statements are joined the way a person reads them in the plan: one blank line between them.
const joined = (statements: readonly string[]) => (statements.length ? statements.map((s) => s.trimEnd()).join("\n\n") + "\n" : "");

/** A line diff of one step's SQL, old → new. */
export function diffStatements(before: readonly string[], after: readonly string[]): DiffLine[] {
  return diffLines(joined(before), joined(after)).flatMap((part) =>
    part.value
      .replace(/\n$/, "")
      .split("\n")
      .map((text) => ({ kind: part.added ? ("added" as const) : part.removed ? ("removed" as const) : ("same" as const), text })),
  );
}

/**
 * The current plan's steps against the last approved plan's, in the current plan's order, then
 * the steps the approved plan had and the current one dropped.
 */
export function diffPlans(approved: readonly ApprovedStep[], current: readonly ApprovedStep[]): StepDiff[] {
  const before = new Map(approved.map((s) => [s.id, s]));
  const counted = (id: string, title: string, change: "added" | "removed" | "changed", lines: DiffLine[]): StepDiff => ({
    id,
    title,
    change,
    lines,
    added: lines.filter((l) => l.kind === "added").length,
    removed: lines.filter((l) => l.kind === "removed").length,
  });
  const diffs: StepDiff[] = current.map((step) => {
    const old = before.get(step.id);
    if (!old) return counted(step.id, step.title, "added", diffStatements([], step.statements));
    const lines = diffStatements(old.statements, step.statements);
    return lines.some((l) => l.kind !== "same") ? counted(step.id, step.title, "changed", lines) : { id: step.id, title: step.title, change: "same" };
  });
  const kept = new Set(current.map((s) => s.id));
  for (const old of approved) {
    if (!kept.has(old.id)) diffs.push(counted(old.id, old.title, "removed", diffStatements(old.statements, [])));
  }
  return diffs;
}
