import { describe, expect, it } from "vitest";
import { diffPlans, diffStatements } from "./plan-diff";

describe("diffStatements", () => {
  it("marks the lines that changed and keeps the ones that did not", () => {
    const lines = diffStatements(["SELECT 1\nFROM a"], ["SELECT 1\nFROM b"]);
    expect(lines).toEqual([
      { kind: "same", text: "SELECT 1" },
      { kind: "removed", text: "FROM a" },
      { kind: "added", text: "FROM b" },
    ]);
  });

  it("a statement added at the end shows as added lines after a blank separator", () => {
    const lines = diffStatements(["SELECT 1"], ["SELECT 1", "SELECT 2"]);
    expect(lines.filter((l) => l.kind === "added").map((l) => l.text)).toEqual(["", "SELECT 2"]);
    expect(lines.filter((l) => l.kind === "removed")).toEqual([]);
  });
});

describe("diffPlans", () => {
  const approved = [
    { id: "a", title: "Step A", statements: ["CREATE TABLE a ()"] },
    { id: "b", title: "Step B", statements: ["INSERT INTO b SELECT * FROM audit_one"] },
    { id: "c", title: "Step C", statements: ["DROP VIEW c"] },
  ];

  it("says per step whether it is the same, changed, added or removed, with counts of lines", () => {
    const current = [
      { id: "a", title: "Step A", statements: ["CREATE TABLE a ()"] },
      { id: "b", title: "Step B", statements: ["INSERT INTO b SELECT * FROM audit_one", "INSERT INTO b SELECT * FROM audit_two"] },
      { id: "d", title: "Step D", statements: ["SELECT 4"] },
    ];
    const diffs = diffPlans(approved, current);
    expect(diffs.map((d) => [d.id, d.change])).toEqual([
      ["a", "same"],
      ["b", "changed"],
      ["d", "added"],
      ["c", "removed"],
    ]);
    const b = diffs[1]!;
    expect(b.change === "changed" && [b.added, b.removed]).toEqual([2, 0]);
    const c = diffs[3]!;
    expect(c.change === "removed" && c.lines).toEqual([{ kind: "removed", text: "DROP VIEW c" }]);
  });

  it("an unchanged plan has no changed step", () => {
    expect(diffPlans(approved, approved).every((d) => d.change === "same")).toBe(true);
  });
});
