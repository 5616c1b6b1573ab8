import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { CLIENT_ADDRESS_HEADER, clientAddress, FORWARDING_HEADERS, type TrustedProxies } from "./client-address";

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => unknown;

/**
 * The console's HTTP server around Next's request handler: every request reaches Next with the
 * client's address in CLIENT_ADDRESS_HEADER, taken from the socket (or through a trusted proxy),
 * never from the client — any `x-unify-*` header the client sent is dropped, and so are its
 * forwarding headers unless the peer is a trusted proxy.
 */
export function createConsoleServer(handle: RequestHandler, trusted: TrustedProxies | null): Server {
  return createServer((req, res) => {
    const peer = req.socket.remoteAddress;
    const viaTrustedProxy = Boolean(peer && trusted?.contains(peer));
    const address = clientAddress(peer, req.headers["x-forwarded-for"], trusted);
    for (const name of Object.keys(req.headers)) {
      if (name.startsWith("x-unify-") || (!viaTrustedProxy && (FORWARDING_HEADERS as readonly string[]).includes(name))) delete req.headers[name];
    }
    if (address) req.headers[CLIENT_ADDRESS_HEADER] = address;
    void Promise.resolve(handle(req, res)).catch((error: unknown) => {
      console.error(`unify: request failed: ${(error as Error).message}`);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
}
