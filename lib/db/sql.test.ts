import { describe, expect, it } from "vitest";
import { qualified, quoteIdent, quoteLiteral } from "./sql";

describe("quoteIdent", () => {
  it("wraps a plain name in double quotes", () => {
    expect(quoteIdent("email_audit")).toBe('"email_audit"');
  });
  it("doubles embedded double quotes so a name cannot close the identifier", () => {
    expect(quoteIdent('a"; DROP TABLE users; --')).toBe('"a""; DROP TABLE users; --"');
  });
  it("keeps spaces, case and reserved words intact", () => {
    expect(qualified("public", "Email Audit")).toBe('"public"."Email Audit"');
    expect(quoteIdent("select")).toBe('"select"');
  });
  it("refuses empty names and NUL bytes", () => {
    expect(() => quoteIdent("")).toThrow(/non-empty/);
    expect(() => quoteIdent("a\u0000b")).toThrow(/NUL/);
  });
  it("doubles single quotes in literals", () => {
    expect(quoteLiteral("O'Brien")).toBe("'O''Brien'");
  });
});
