import { ZodError } from "zod";

/** Errors a person can act on are printed as one line; anything else is a bug and keeps its stack. */
const EXPECTED = new Set([
  "DatabaseConfigError",
  "EmbeddedPostgresError",
  "MigrationChecksumError",
  "OperatorError",
  "CliUsageError",
  "WrongCredentialsError",
  "LoginRateLimitedError",
]);

export class CliUsageError extends Error {
  override name = "CliUsageError";
}

export function explainError(error: unknown): string {
  if (error instanceof ZodError) return error.issues.map((i) => i.message).join("; ");
  if (error instanceof Error && (EXPECTED.has(error.name) || (error as { expected?: boolean }).expected)) {
    return error.message;
  }
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

export function printTable(rows: Record<string, unknown>[]): void {
  if (rows.length === 0) {
    console.log("(none)");
    return;
  }
  const keys = Object.keys(rows[0]!);
  const cells = rows.map((r) => keys.map((k) => formatCell(r[k])));
  const widths = keys.map((k, i) => Math.max(k.length, ...cells.map((c) => c[i]!.length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join("  ").trimEnd();
  console.log(line(keys));
  console.log(line(widths.map((w) => "-".repeat(w))));
  for (const c of cells) console.log(line(c));
}

function formatCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.join(",");
  return String(value);
}
