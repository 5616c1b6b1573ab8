import { describe, expect, it } from "vitest";
import { qualified, quoteIdent, quoteLiteral, sqlComment } from "./sql";

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

describe("sqlComment", () => {
  it("keeps comment text on one line and unable to open or close a block comment", () => {
    const text = sqlComment("evil\n; DROP TABLE people; --\r\u2028*/ /* \t\u0007");
    expect(text).toBe("evil\\n; DROP TABLE people; --\\r\\u2028* / / * \\t\\u0007");
    expect(text).not.toMatch(/[\n\r\u2028\u2029]/);
  });
  it("leaves ordinary and unicode names as they are, and refuses NUL bytes", () => {
    expect(sqlComment("审计_ü")).toBe("审计_ü");
    expect(() => sqlComment("a\u0000")).toThrow("NUL");
  });
});
