import { describe, expect, it } from "vitest";
import { describeDatabaseUrl, explainConnectionError, parseDatabaseUrl, withDatabase } from "./url";

describe("database URL", () => {
  it("rejects something that is not a URL with a one-line explanation", () => {
    expect(() => parseDatabaseUrl("not a url")).toThrow(/not a valid URL/);
  });
  it("rejects a non-PostgreSQL scheme", () => {
    expect(() => parseDatabaseUrl("mysql://x@localhost/db")).toThrow(/postgresql:\/\//);
  });
  it("rejects a URL without a database name", () => {
    expect(() => parseDatabaseUrl("postgresql://u:p@localhost:5432/")).toThrow(/names no database/);
  });
  it("switches database and never prints the password", () => {
    const url = withDatabase("postgresql://u:secret@localhost:5433/a", "b");
    expect(url).toBe("postgresql://u:secret@localhost:5433/b");
    expect(describeDatabaseUrl(url)).toBe("localhost:5433/b");
  });
  it("explains a refused connection without a stack trace", () => {
    const line = explainConnectionError({ code: "ECONNREFUSED" }, "postgresql://u:p@h:1/d");
    expect(line).toBe("cannot reach PostgreSQL at h:1/d: connection refused (is the server running?)");
  });
});
