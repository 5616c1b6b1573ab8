import { EngineError } from "@/lib/engine/errors";
import type { PlanContext, Queryable } from "../types";
import { compatViews, type CompatView } from "./objects";

/**
 * Phase 5's plan options, set by a lead before approving: which compatibility views old readers
 * no longer need (Phase 5 moves those out of the unified schema), and how long the archive is kept
 * (an admin may drop it only after that date). Both are written into the plan's statements, so
 * they are part of the checksum a lead approves: changing them voids the approval.
 */
export interface ViewChoice extends CompatView {
  keep: boolean;
  decidedBy: string | null;
  decidedAt: Date | null;
}

export interface ArchiveOptions {
  /** YYYY-MM-DD, or null while no lead has set it (Phase 5's pre-flight then fails). */
  retentionUntil: string | null;
  retentionSetBy: string | null;
  views: ViewChoice[];
}

export class ArchiveOptionsError extends EngineError {
  override name = "ArchiveOptionsError";
}

export async function archiveOptions(db: Queryable, ctx: PlanContext): Promise<ArchiveOptions> {
  const [{ rows: settings }, { rows: choices }] = await Promise.all([
    db.query<{ retention_until: string; set_by: string }>(`SELECT to_char(retention_until, 'YYYY-MM-DD') AS retention_until, set_by FROM console.archive_settings WHERE id = 1`),
    db.query<{ view_name: string; keep: boolean; decided_by: string; decided_at: Date }>(`SELECT view_name, keep, decided_by, decided_at FROM console.archive_view_choices`),
  ]);
  const chosen = new Map(choices.map((c) => [c.view_name, c]));
  return {
    retentionUntil: settings[0]?.retention_until ?? null,
    retentionSetBy: settings[0]?.set_by ?? null,
    views: compatViews(ctx).map((v) => {
      const choice = chosen.get(v.view);
      return { ...v, keep: choice?.keep ?? true, decidedBy: choice?.decided_by ?? null, decidedAt: choice?.decided_at ?? null };
    }),
  };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A calendar date as YYYY-MM-DD, refused unless it is a real date. */
export function parseRetentionDate(value: string): string {
  const text = value.trim();
  const parsed = new Date(`${text}T00:00:00Z`);
  if (!DATE.test(text) || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== text) {
    throw new ArchiveOptionsError(`"${value}" is not a date: write it as YYYY-MM-DD`);
  }
  return text;
}

export function today(): string {
  return new Date().toISOString().slice(0, 10);
}
