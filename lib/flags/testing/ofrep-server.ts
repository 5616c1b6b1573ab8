import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { OPTIONS as bulkOptions, POST as bulkPost } from "@/app/api/ofrep/v1/evaluate/flags/route";
import { POST as singlePost } from "@/app/api/ofrep/v1/evaluate/flags/[key]/route";

export interface Exchange {
  method: string;
  path: string;
  requestHeaders: Record<string, string>;
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/**
 * The OFREP route handlers behind a real HTTP server on loopback, at the paths the built app serves
 * them (the site root, as next.config.js rewrites): what the stock SDKs talk to in the tests.
 * Every exchange is recorded so a test can validate what was actually sent.
 */
export async function startOfrepServer(): Promise<{ baseUrl: string; exchanges: Exchange[]; close: () => Promise<void>; server: Server }> {
  const exchanges: Exchange[] = [];
  const server = createServer((req, res) => {
    handle(req, res, exchanges).catch((error: unknown) => {
      res.statusCode = 500;
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    baseUrl: `http://127.0.0.1:${port}`,
    exchanges,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, exchanges: Exchange[]) {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
  const request = new Request(url, { method: req.method, headers, body: ["GET", "HEAD", "OPTIONS"].includes(req.method ?? "") ? undefined : Buffer.concat(chunks) });
  const single = url.pathname.match(/^\/ofrep\/v1\/evaluate\/flags\/([^/]+)$/);
  let response: Response;
  if (url.pathname === "/ofrep/v1/evaluate/flags" && req.method === "POST") response = await bulkPost(request);
  else if (url.pathname === "/ofrep/v1/evaluate/flags" && req.method === "OPTIONS") response = bulkOptions();
  else if (single && req.method === "POST") response = await singlePost(request, { params: Promise.resolve({ key: decodeURIComponent(single[1]!) }) });
  else response = new Response("not found", { status: 404 });
  const text = await response.text();
  const responseHeaders: Record<string, string> = {};
  response.headers.forEach((v, k) => (responseHeaders[k] = v));
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON: kept as text.
  }
  exchanges.push({ method: req.method ?? "", path: url.pathname + url.search, requestHeaders: Object.fromEntries(headers), status: response.status, headers: responseHeaders, body });
  res.writeHead(response.status, responseHeaders);
  res.end(text);
}
