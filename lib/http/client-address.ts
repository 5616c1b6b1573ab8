import { BlockList, isIP } from "node:net";

/**
 * Who is calling: the console's HTTP server (lib/http/server.ts) answers that from the socket,
 * not from what the client says. `X-Forwarded-For` is believed only when the socket's peer is a
 * proxy named in UNIFY_TRUSTED_PROXY, and then only up to the first hop that is not one.
 */
export const CLIENT_ADDRESS_HEADER = "x-unify-client-address";

/** Headers a client could set to claim another address or scheme; dropped unless a trusted proxy set them. */
export const FORWARDING_HEADERS = ["x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port", "x-real-ip", "forwarded"] as const;

export class TrustedProxyConfigError extends Error {
  override name = "TrustedProxyConfigError";
  readonly expected = true;
}

export interface TrustedProxies {
  contains(address: string): boolean;
}

/** An address as the socket or a proxy writes it, as one comparable form: no brackets, port, zone or IPv4-in-IPv6 prefix. */
export function normaliseAddress(raw: string): string | null {
  let a = raw.trim();
  const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(a);
  if (v4WithPort) a = v4WithPort[1]!;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(a);
  if (bracketed) a = bracketed[1]!;
  a = a.replace(/%.*$/, "");
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(a);
  if (mapped) a = mapped[1]!;
  return isIP(a) ? a.toLowerCase() : null;
}

/** UNIFY_TRUSTED_PROXY: comma-separated addresses and CIDR ranges (`10.0.0.5, 10.1.0.0/16, ::1`); unset or empty trusts none. */
export function parseTrustedProxies(raw: string | undefined): TrustedProxies | null {
  const entries = (raw ?? "").split(",").map((e) => e.trim()).filter(Boolean);
  if (entries.length === 0) return null;
  const list = new BlockList();
  for (const entry of entries) {
    const [address, prefix, extra] = entry.split("/");
    const ip = address ? normaliseAddress(address) : null;
    const family = ip ? (isIP(ip) === 6 ? "ipv6" : "ipv4") : null;
    const bits = prefix === undefined ? null : Number(prefix);
    const max = family === "ipv6" ? 128 : 32;
    if (!ip || !family || extra !== undefined || (bits !== null && (!Number.isInteger(bits) || bits < 0 || bits > max || prefix === ""))) {
      throw new TrustedProxyConfigError(`UNIFY_TRUSTED_PROXY: "${entry}" is not an IP address or CIDR range (e.g. 10.0.0.5 or 10.0.0.0/8)`);
    }
    if (bits === null) list.addAddress(ip, family);
    else list.addSubnet(ip, bits, family);
  }
  return {
    contains(address: string) {
      const ip = normaliseAddress(address);
      return ip !== null && list.check(ip, isIP(ip) === 6 ? "ipv6" : "ipv4");
    },
  };
}

/**
 * The client's address: the socket's peer, or — when that peer is a trusted proxy — the nearest
 * hop of its `X-Forwarded-For` that is not itself a trusted proxy (hops further left were written
 * by whoever called the proxy, and prove nothing).
 */
export function clientAddress(peer: string | undefined, forwardedFor: string | string[] | undefined, trusted: TrustedProxies | null): string | null {
  const socket = peer ? normaliseAddress(peer) : null;
  if (!socket || !trusted?.contains(socket)) return socket;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : (forwardedFor ?? "")).split(",").map((h) => h.trim()).filter(Boolean);
  let client = socket;
  for (const hop of hops.reverse()) {
    const ip = normaliseAddress(hop);
    if (!ip) break;
    client = ip;
    if (!trusted.contains(ip)) break;
  }
  return client;
}
