import { describe, expect, it } from "vitest";
import { withTestDatabase } from "@/lib/db/testing/database";
import { cliAgainst } from "./testing";

const db = withTestDatabase();
const unify = cliAgainst(db);

describe("the unify CLI", () => {
  it("status --json reports the database, migrations and operator count", async () => {
    const { code, stdout } = await unify(["status", "--json"]);
    expect(code).toBe(0);
    const status = JSON.parse(stdout);
    expect(status).toMatchObject({ embedded: false, operators: 0, migrations: { pending: [] } });
    expect(status.migrations.applied).toContain("0001_console.sql");
  });

  it("users add, list and disable drive the same operator code as the console", { timeout: 180_000 }, async () => {
    const add = await unify(["users", "add", "--email", "Cli@Example.com", "--role", "lead,analyst"], { UNIFY_PASSWORD: "cli password 1" });
    expect(add.stdout).toContain("created cli@example.com (lead, analyst)");
    await unify(["users", "add", "--email", "boss@example.com", "--role", "admin"], { UNIFY_PASSWORD: "boss password 1" });
    const list = JSON.parse((await unify(["users", "list", "--json"])).stdout);
    expect(list.map((o: { email: string }) => o.email)).toEqual(["boss@example.com", "cli@example.com"]);
    // Once an admin exists, changes need one: signed in with the console's own check.
    const anonymous = await unify(["users", "add", "--email", "late@example.com", "--role", "analyst"], { UNIFY_PASSWORD: "late password 1" });
    expect(anonymous.stderr.trim()).toBe("unify: an admin exists: say who you are with --as <admin email>");
    const notAdmin = await unify(["users", "disable", "boss@example.com", "--as", "cli@example.com"], { UNIFY_PASSWORD: "cli password 1" });
    expect(notAdmin.stderr.trim()).toBe("unify: Only an admin can do this (operator.disable)");
    const wrong = await unify(["users", "disable", "cli@example.com", "--as", "boss@example.com"], { UNIFY_PASSWORD: "not it" });
    expect(wrong.stderr.trim()).toBe("unify: Email or password is incorrect");
    const disabled = await unify(["users", "disable", "cli@example.com", "--as", "boss@example.com"], { UNIFY_PASSWORD: "boss password 1" });
    expect(disabled.stdout).toContain("disabled cli@example.com");
    const added = await unify(["users", "add", "--email", "late@example.com", "--role", "analyst", "--as", "boss@example.com"], {
      UNIFY_PASSWORD: "boss password 1",
      UNIFY_NEW_PASSWORD: "late password 1",
    });
    expect(added.stdout).toContain("created late@example.com (analyst)");
  });

  it("bad input gets one clear line and a non-zero exit, never a stack trace", async () => {
    const badRole = await unify(["users", "add", "--email", "x@example.com", "--role", "owner"], { UNIFY_PASSWORD: "x password 12" });
    expect(badRole.code).not.toBe(0);
    expect(badRole.stderr.trim()).toBe('unify: --role takes admin, lead, analyst (comma-separated); got "owner"');
    const badUrl = await unify(["status"], { DATABASE_URL: "mysql://nope" });
    expect(badUrl.stderr.trim()).toBe("unify: DATABASE_URL must start with postgresql:// (got mysql://)");
    const unreachable = await unify(["status"], { DATABASE_URL: "postgresql://u:p@127.0.0.1:1/x" });
    expect(unreachable.stderr.trim()).toBe(
      "unify: cannot reach PostgreSQL at 127.0.0.1:1/x: connection refused (is the server running?)",
    );
  });
});
