"use client";

import { useEffect, useRef } from "react";
import { Card } from "@/components/ui/card";
import type { RunProgress } from "@/lib/engine/progress";
import { useRunProgress } from "./use-run-progress";

const LEVEL_COLOUR: Record<string, string> = { info: "text-terminal-fg", warn: "text-amber-300", error: "text-red-300" };

/** The latest run's log, following new lines as they arrive. */
export function LiveLog({ run, className = "" }: { run: RunProgress | null; className?: string }) {
  const { data } = useRunProgress(run);
  const log = data?.log ?? [];
  const end = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const box = end.current?.parentElement;
    if (box) box.scrollTop = box.scrollHeight;
  }, [log.length]);
  return (
    <Card title="Run log" description={data ? `${data.kind === "rollback" ? "Rollback" : "Run"} #${data.id}, newest last (UTC)` : undefined} className={className}>
      {log.length ? (
        // Focusable, so a keyboard can scroll the log too.
        <div tabIndex={0} className="max-h-80 overflow-y-auto rounded-md bg-terminal p-3 font-mono text-xs leading-5" role="log" aria-label="Run log">
          {log.map((entry) => (
            <p key={entry.id} className={LEVEL_COLOUR[entry.level] ?? "text-terminal-fg"}>
              <span className="text-terminal-dim">{entry.at.slice(11, 19)}</span>{" "}
              {entry.stepId && <span className="text-sky-300">[{entry.stepId}] </span>}
              {entry.message}
            </p>
          ))}
          <div ref={end} />
        </div>
      ) : (
        <p className="text-sm text-slate-600">Nothing logged yet: the log fills as soon as a run starts.</p>
      )}
    </Card>
  );
}
