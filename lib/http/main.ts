import next from "next";
import { parseTrustedProxies } from "./client-address";
import { createConsoleServer } from "./server";

/**
 * The console's production server (started by `unify serve`): Next's request handler behind the
 * console's own HTTP server, which sets the client's address from the socket. Tells its parent
 * (over IPC) when it listens, so start-up prints the sign-in details after everything else.
 */
async function main(): Promise<void> {
  const [host = "127.0.0.1", rawPort = "3000"] = process.argv.slice(2);
  const port = Number.parseInt(rawPort, 10);
  const trusted = parseTrustedProxies(process.env.UNIFY_TRUSTED_PROXY);
  const app = next({ dev: false, dir: process.cwd(), hostname: host, port });
  await app.prepare();
  const server = createConsoleServer(app.getRequestHandler(), trusted);
  server.on("error", (error) => {
    console.error(`unify: cannot listen on ${host}:${port}: ${error.message}`);
    process.exit(1);
  });
  server.listen(port, host, () => process.send?.({ listening: true }));
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
    setTimeout(() => process.exit(0), 3000).unref();
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((error: unknown) => {
  console.error(`unify: the console could not start: ${(error as Error).message}`);
  process.exit(1);
});
