import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres, type EmbeddedCluster } from "../embedded";

declare module "vitest" {
  export interface ProvidedContext {
    /** A URL to a database on the test server from which each test file creates its own. */
    serverUrl: string;
  }
}

let cluster: EmbeddedCluster | undefined;
let root: string | undefined;

/** One PostgreSQL server for the run (embedded, or DATABASE_URL's); one database per test file. */
export async function setup(project: TestProject) {
  if (process.env.DATABASE_URL) {
    project.provide("serverUrl", process.env.DATABASE_URL);
    return;
  }
  root = mkdtempSync(join(tmpdir(), "unify-test-pg-"));
  cluster = await startEmbeddedPostgres({ root, fast: true });
  project.provide("serverUrl", cluster.url("postgres"));
}

export async function teardown() {
  await cluster?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
}
