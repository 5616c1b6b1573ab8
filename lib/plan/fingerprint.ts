import { createHash } from "node:crypto";
import type { LegacyDiscovery } from "@/lib/legacy/discovery";

/**
 * A discovery's fingerprint: sha256 over what the plan is built from (schema, usable scorecards
 * with their fields, conforming tables, anomalies). Row counts are not part of it, so a legacy
 * application that keeps writing rows does not change it; a new, dropped or altered table does.
 */
export function discoveryFingerprint(discovery: LegacyDiscovery): string {
  return createHash("sha256").update(JSON.stringify(canonicalDiscovery(discovery))).digest("hex");
}

/** The discovery as plain, ordered JSON: what a run stores and what a fingerprint hashes. */
export function canonicalDiscovery(discovery: LegacyDiscovery) {
  return {
    schema: discovery.schema,
    scorecards: [...discovery.scorecards]
      .sort((a, b) => a.id - b.id)
      .map((s) => ({
        id: s.id,
        name: s.name,
        tableName: s.tableName,
        channel: s.channel,
        passingScore: s.passingScore,
        fields: [...s.fields]
          .sort((a, b) => a.id - b.id)
          .map((f) => ({ id: f.id, fieldKey: f.fieldKey, columnName: f.columnName, label: f.label, maxScore: f.maxScore, weight: f.weight, position: f.position })),
      })),
    conformingTables: [...discovery.conformingTables].sort(),
    anomalies: discovery.anomalies.map((a) => `${a.severity}:${a.code}:${a.table ?? ""}:${a.column ?? ""}`).sort(),
  };
}

export type CanonicalDiscovery = ReturnType<typeof canonicalDiscovery>;

/** What changed between the discovery a plan was built from and the database now, for a person. */
export function describeDiscoveryChange(before: CanonicalDiscovery, after: CanonicalDiscovery): string[] {
  const changes: string[] = [];
  if (before.schema !== after.schema) changes.push(`the legacy schema is now "${after.schema}" (was "${before.schema}")`);
  const old = new Map(before.scorecards.map((s) => [s.id, s]));
  const now = new Map(after.scorecards.map((s) => [s.id, s]));
  for (const [id, s] of now) {
    const was = old.get(id);
    if (!was) changes.push(`scorecard ${id} (table ${JSON.stringify(s.tableName)}) is new`);
    else if (JSON.stringify(was) !== JSON.stringify(s)) changes.push(`scorecard ${id} (table ${JSON.stringify(s.tableName)}) changed`);
  }
  for (const [id, s] of old) if (!now.has(id)) changes.push(`scorecard ${id} (table ${JSON.stringify(s.tableName)}) is gone or no longer usable`);
  const tablesBefore = new Set(before.conformingTables);
  const tablesAfter = new Set(after.conformingTables);
  for (const t of tablesAfter) if (!tablesBefore.has(t)) changes.push(`table ${t} now follows the contract`);
  for (const t of tablesBefore) if (!tablesAfter.has(t)) changes.push(`table ${t} no longer follows the contract`);
  const anomaliesBefore = new Set(before.anomalies);
  const added = after.anomalies.filter((a) => !anomaliesBefore.has(a));
  const anomaliesAfter = new Set(after.anomalies);
  const removed = before.anomalies.filter((a) => !anomaliesAfter.has(a));
  if (added.length) changes.push(`new anomalies: ${added.join(", ")}`);
  if (removed.length) changes.push(`anomalies gone: ${removed.join(", ")}`);
  if (!changes.length) changes.push("the discovery differs");
  return changes;
}
