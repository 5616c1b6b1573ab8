import { request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { CLIENT_ADDRESS_HEADER, clientAddress, normaliseAddress, parseTrustedProxies, TrustedProxyConfigError } from "./client-address";
import { createConsoleServer } from "./server";

let server: Server | undefined;
afterEach(() => new Promise<void>((done) => (server ? server.close(() => done()) : done())));

/** Starts the console's server around a handler that answers with the headers Next would see. */
async function headersSeenBehind(trustedProxy: string | undefined, sent: Record<string, string>): Promise<Record<string, string>> {
  server = createConsoleServer((req, res) => res.end(JSON.stringify(req.headers)), parseTrustedProxies(trustedProxy));
  await new Promise<void>((ready) => server!.listen(0, "127.0.0.1", ready));
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, path: "/", headers: sent, agent: false }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () => resolve(JSON.parse(body) as Record<string, string>));
    });
    req.on("error", reject);
    req.end();
  });
}

const FORGED = { "x-forwarded-for": "6.6.6.6", "x-real-ip": "6.6.6.7", "x-unify-client-address": "6.6.6.8", "x-forwarded-proto": "https" };

describe("the console's HTTP server", () => {
  it("without a trusted proxy a forged X-Forwarded-For is ignored: the client is the socket's address", async () => {
    const seen = await headersSeenBehind(undefined, FORGED);
    expect(seen[CLIENT_ADDRESS_HEADER]).toBe("127.0.0.1");
    expect(seen["x-forwarded-for"]).toBeUndefined();
    expect(seen["x-real-ip"]).toBeUndefined();
    expect(seen["x-forwarded-proto"]).toBeUndefined();
  });

  it("a proxy list that does not name the peer changes nothing", async () => {
    const seen = await headersSeenBehind("10.0.0.0/8", FORGED);
    expect(seen[CLIENT_ADDRESS_HEADER]).toBe("127.0.0.1");
  });

  it("behind a trusted proxy the forwarded address is honoured, up to the first hop that is not a proxy", async () => {
    const seen = await headersSeenBehind("127.0.0.1, 10.0.0.0/8", { ...FORGED, "x-forwarded-for": "6.6.6.6, 203.0.113.5, 10.1.2.3" });
    expect(seen[CLIENT_ADDRESS_HEADER]).toBe("203.0.113.5");
    expect(seen["x-forwarded-proto"]).toBe("https");
  });
});

describe("client addresses", () => {
  const proxies = parseTrustedProxies("192.0.2.1, 10.0.0.0/8, 2001:db8::/32");

  it("read IPv4 in IPv6 form, ports and brackets as one address", () => {
    expect(normaliseAddress("::ffff:127.0.0.1")).toBe("127.0.0.1");
    expect(normaliseAddress("203.0.113.9:5123")).toBe("203.0.113.9");
    expect(normaliseAddress("[2001:DB8::1]:443")).toBe("2001:db8::1");
    expect(normaliseAddress("not an address")).toBeNull();
  });

  it("stop at a forwarded hop that is not an address and keep the last trusted one", () => {
    expect(clientAddress("::ffff:192.0.2.1", "<script>, 10.0.0.7", proxies)).toBe("10.0.0.7");
    expect(clientAddress("192.0.2.1", undefined, proxies)).toBe("192.0.2.1");
    expect(clientAddress("2001:db8::5", "198.51.100.4", proxies)).toBe("198.51.100.4");
    expect(clientAddress("198.51.100.9", "10.0.0.1", proxies)).toBe("198.51.100.9");
  });

  it("a mistyped UNIFY_TRUSTED_PROXY is refused with the entry named", () => {
    expect(parseTrustedProxies("")).toBeNull();
    expect(() => parseTrustedProxies("10.0.0.0/33")).toThrow(TrustedProxyConfigError);
    expect(() => parseTrustedProxies("10.0.0.1, proxy.internal")).toThrow('"proxy.internal" is not an IP address or CIDR range');
  });
});
