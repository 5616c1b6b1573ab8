import type { ChildProcess } from "node:child_process";

/**
 * Resolves once a spawned worker (stdout and stderr piped) prints that it waits for runs; rejects
 * with what it wrote to stderr if it exits first.
 */
export function waitUntilReady(worker: ChildProcess): Promise<void> {
  let errors = "";
  worker.stderr!.on("data", (chunk: Buffer) => {
    errors = (errors + chunk.toString()).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    let seen = "";
    const onExit = (code: number | null) => reject(new Error(`the worker exited (code ${code}) before it was ready: ${errors}`));
    worker.once("exit", onExit);
    worker.stdout!.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
      if (!seen.includes("unify worker: waiting for runs")) return;
      worker.off("exit", onExit);
      // Keep draining both pipes so a chatty worker never blocks on a full one.
      worker.stdout!.removeAllListeners("data");
      worker.stdout!.resume();
      resolve();
    });
  });
}
