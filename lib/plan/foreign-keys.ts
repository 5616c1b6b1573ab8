/**
 * The statements that (re)add a foreign key without a scan (`NOT VALID`; VALIDATE comes later and
 * does not block writers), run in one transaction (`foreignKeyGroup`): first the referenced table is
 * locked, then the referencing one altered — the order live sync's writers take the two (a trigger
 * writes the row referred to, an audit or an employee, before the rows that refer to it), so a
 * legacy writer and this step can never deadlock. Without the lock, ALTER TABLE took the
 * referencing table first and then waited for the referenced one, which a writer held while it
 * waited for the referencing one: PostgreSQL broke the deadlock by failing one of them, sometimes
 * the legacy application's write. The DROP first lets the group run again after a crash.
 */
export function foreignKeyStatements(u: string, fk: { table: string; name: string; column: string; references: string }, intent: string): string[] {
  return [
    `-- ${intent} (${fk.name}): ${fk.references} is locked first, in live sync's order, then the key added without a scan.\nLOCK TABLE ${u}.${fk.references} IN SHARE ROW EXCLUSIVE MODE`,
    `ALTER TABLE ${u}.${fk.table} DROP CONSTRAINT IF EXISTS ${fk.name}`,
    `ALTER TABLE ${u}.${fk.table} ADD CONSTRAINT ${fk.name} FOREIGN KEY (${fk.column}) REFERENCES ${u}.${fk.references} (id) NOT VALID`,
  ];
}

/**
 * The transaction a step statement belongs to: a foreign key's lock, drop and add share one (named
 * by the constraint); every other statement is its own. For runStatementGroups.
 */
export function foreignKeyGroup(sql: string): string {
  const named = /\((\w+_fkey)\): .* is locked first|DROP CONSTRAINT IF EXISTS (\w+_fkey)$|ADD CONSTRAINT (\w+_fkey) FOREIGN KEY/m.exec(sql);
  return named ? `fk:${named[1] ?? named[2] ?? named[3]}` : sql;
}
