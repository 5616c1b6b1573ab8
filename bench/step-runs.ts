import { pool } from "@/lib/db/pool";

/** One step of a finished run as the engine recorded it in console.step_runs and console.unit_runs. */
export interface StepRunTimes {
  step: string;
  seconds: number;
  /**
   * The rows the step counted when its progress is in rows; otherwise the rows its frozen plan says
   * it reads (an index build's table, a statement step's source), so rows/s stays comparable.
   */
  rows: number;
  unit: string | null;
  /** Its parallel units; 0 for a step without. */
  units: number;
}

export async function stepRuns(runId: number): Promise<StepRunTimes[]> {
  const { rows } = await pool().query<{ step: string; seconds: number; rows_done: number; unit: string | null; estimated: number; units: number }>(
    `SELECT s.step_id AS step, extract(epoch FROM s.finished_at - s.started_at)::float8 AS seconds, s.rows_done::float8 AS rows_done,
            p.planned ->> 'unit' AS unit, COALESCE((p.planned ->> 'estimatedRows')::float8, 0) AS estimated,
            (SELECT count(*)::int FROM console.unit_runs u WHERE u.run_id = s.run_id AND u.step_id = s.step_id) AS units
       FROM console.step_runs s
       JOIN console.phase_runs r ON r.id = s.run_id
       LEFT JOIN LATERAL (SELECT x AS planned FROM jsonb_array_elements(r.plan -> 'steps') x WHERE x ->> 'id' = s.step_id) p ON true
      WHERE s.run_id = $1
      ORDER BY s.position`,
    [runId],
  );
  return rows.map((r) => ({ step: r.step, seconds: r.seconds ?? 0, rows: r.unit === "rows" ? r.rows_done : r.estimated, unit: r.unit, units: r.units }));
}
