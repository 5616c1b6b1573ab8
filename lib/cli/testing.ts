import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const TSX = join(process.cwd(), "node_modules", ".bin", "tsx");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * `unify …` as a person types it, against a test's database (`withTestDatabase()`): its exit code
 * and both streams, whether it succeeded or not. `env` adds to the environment (passwords).
 */
export function cliAgainst(db: { url: () => string }) {
  return async function unify(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
    try {
      const { stdout, stderr } = await run(TSX, ["lib/cli/main.ts", ...args], { env: { ...process.env, DATABASE_URL: db.url(), ...env } });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };
}
