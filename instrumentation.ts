/** In the embedded default (`npm start`), the console process also runs the migration worker. */
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs" && process.env.UNIFY_IN_PROCESS_WORKER === "1") {
    const { startWorker } = await import("./lib/engine/worker");
    await startWorker();
  }
}
