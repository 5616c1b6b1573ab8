import { keysetBackfill, keysetBoundStatement, type KeysetCheckpoint } from "@/lib/plan/keyset-backfill";
import type { PhaseDefinition, Step } from "@/lib/plan/types";

/**
 * A synthetic phase for engine tests: one step with one unit per target table, each copying
 * `synth.src` in keyset batches, slowed by `synth.knobs.sleep_ms` per batch; a unit fails at the
 * batch holding `synth.knobs.fail_at` when its unit id equals `synth.knobs.fail_unit`. Knobs are
 * read by the statements at run time, so a test can change them while the run goes on.
 */
export const SYNTH_UNITS = ["a", "b", "c"];
export const SYNTH_BATCH = 100;

export const SYNTH_FIXTURE = `
CREATE SCHEMA synth;
CREATE TABLE synth.src (id bigint PRIMARY KEY, v integer NOT NULL);
INSERT INTO synth.src SELECT g, g * 7 FROM generate_series(1, 1000) g;
CREATE TABLE synth.knobs (sleep_ms integer NOT NULL, fail_unit text, fail_at bigint);
INSERT INTO synth.knobs VALUES (0, NULL, NULL);
${SYNTH_UNITS.map((u) => `CREATE TABLE synth.dst_${u} (id bigint PRIMARY KEY, v integer NOT NULL, at timestamptz NOT NULL, pid integer NOT NULL);`).join("\n")}
`;

function batchStatement(unit: string): string {
  return `-- Copy one key range of synth.src into synth.dst_${unit}.
INSERT INTO synth.dst_${unit} (id, v, at, pid)
SELECT s.id, s.v / CASE WHEN k.fail_unit = '${unit}' AND s.id >= k.fail_at THEN 0 ELSE 1 END, clock_timestamp(), pg_backend_pid()
  FROM synth.knobs k CROSS JOIN LATERAL (SELECT pg_sleep(k.sleep_ms / 1000.0)) slow, synth.src s
 WHERE ($1::bigint IS NULL OR s.id > $1::bigint) AND s.id <= $2::bigint
ON CONFLICT (id) DO NOTHING`;
}

const copy: Step<KeysetCheckpoint> = {
  id: "copy",
  title: "Copy synth.src into every target",
  unit: "rows",
  async plan() {
    const source = { schema: "synth", table: "src", key: "id" };
    const units = SYNTH_UNITS.map((u) => ({ id: u, title: `dst_${u}`, statements: [keysetBoundStatement(source), batchStatement(u)], estimatedRows: 1000 }));
    return { statements: units.flatMap((u) => u.statements), estimatedRows: 3000, units };
  },
  run: (ctx) => keysetBackfill(ctx, { source: { schema: "synth", table: "src", key: "id" }, batchSize: SYNTH_BATCH }),
  async verify() {
    return [];
  },
  async rollback(ctx) {
    for (const u of SYNTH_UNITS) await ctx.db.query(`TRUNCATE synth.dst_${u}`);
  },
};

export const syntheticPhase: PhaseDefinition = {
  number: 1,
  title: "Synthetic",
  steps: () => [copy],
  preflight: async () => [],
};
