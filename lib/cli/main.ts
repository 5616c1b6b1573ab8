import { Command } from "commander";
import { closeConnection, connectDatabase } from "@/lib/db/connect";
import { registerAnalytics } from "./analytics";
import { registerArchive } from "./archive";
import { explainError } from "./output";
import { registerEngine } from "./engine";
import { registerFlags } from "./flags";
import { registerLegacy } from "./legacy";
import { registerOrphans } from "./orphans";
import { registerRehearse } from "./rehearse";
import { registerServe } from "./serve";
import { registerStatus } from "./status";
import { registerUsers } from "./users";

/** `unify`: the headless face of the same library code the console uses. */
const program = new Command("unify")
  .description("Unify — the migration console for the QA-audit database, from the terminal")
  .showHelpAfterError();

registerStatus(program);
registerUsers(program);
registerServe(program);
registerEngine(program);
registerRehearse(program);
registerLegacy(program);
registerOrphans(program);
registerFlags(program);
registerAnalytics(program);
registerArchive(program);
program
  .command("migrate")
  .description("apply the console's pending SQL migrations")
  .action(async () => {
    const { applied } = await connectDatabase();
    console.log(applied.length ? `applied ${applied.join(", ")}` : "nothing to apply");
  });

program
  .parseAsync(process.argv)
  .then(() => closeConnection())
  .catch(async (error: unknown) => {
    console.error(`unify: ${explainError(error)}`);
    await closeConnection().catch(() => undefined);
    process.exit(1);
  });
