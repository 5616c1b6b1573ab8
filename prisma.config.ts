import { defineConfig } from "prisma/config";

// The schema is SQL-first: prisma/migrations/*.sql are applied by lib/db/migrate.ts,
// and this file only tells the Prisma CLI where the schema is for `generate`.
export default defineConfig({
  schema: "prisma/schema.prisma",
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost/unify" },
});
