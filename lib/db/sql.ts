/**
 * Identifier quoting: every table, column or schema name that comes from data (a scorecard's
 * table, a field's column) goes through here, never through string concatenation.
 */
export function quoteIdent(name: string): string {
  if (typeof name !== "string" || name.length === 0) {
    throw new Error("An SQL identifier must be a non-empty string");
  }
  if (name.includes("\u0000")) throw new Error("An SQL identifier cannot contain a NUL byte");
  return `"${name.replace(/"/g, '""')}"`;
}

/** `schema.table`, each part quoted. */
export function qualified(schema: string, table: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(table)}`;
}

/** A string literal for the rare place a value cannot be a parameter (DDL comments, defaults). */
export function quoteLiteral(value: string): string {
  if (value.includes("\u0000")) throw new Error("An SQL literal cannot contain a NUL byte");
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * Data-derived text for a `-- comment` in generated SQL (a table name in a step's intent line): on
 * one line whatever it holds. Line breaks and every other control or separator character are
 * written as escapes (`\n`, `\u2028`), and `/*`, `*\/` are broken up, so the text can neither end the
 * comment nor open or close a block comment.
 */
export function sqlComment(text: string): string {
  if (text.includes("\u0000")) throw new Error("SQL comment text cannot contain a NUL byte");
  return text
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u0085]/g, (c) => {
      const named: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };
      return named[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
    })
    .replace(/\/\*/g, "/ *")
    .replace(/\*\//g, "* /");
}

/** PostgreSQL text cannot hold a NUL byte: input that carries one is refused at the boundary with this. */
export const NUL_MESSAGE = "Text cannot contain a NUL character";

export function hasNul(value: string): boolean {
  return value.includes("\u0000");
}
