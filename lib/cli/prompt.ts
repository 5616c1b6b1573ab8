import { createInterface } from "node:readline";
import { CliUsageError } from "./output";

/** Reads a secret from the terminal without echoing it. */
export async function readSecret(question: string): Promise<string> {
  if (!process.stdin.isTTY) {
    throw new CliUsageError("no terminal to ask for a password: set UNIFY_PASSWORD");
  }
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  const mutable = rl as unknown as { _writeToOutput: (s: string) => void };
  let asked = false;
  mutable._writeToOutput = (s: string) => {
    if (!asked) {
      process.stdout.write(s);
      asked = true;
    }
  };
  try {
    return await new Promise<string>((resolve) => rl.question(question, resolve));
  } finally {
    rl.close();
    process.stdout.write("\n");
  }
}
