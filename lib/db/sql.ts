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
