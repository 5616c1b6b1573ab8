"use client";

import { useRouter } from "next/navigation";
import { useEffect, useRef, type ReactNode } from "react";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { Td, Th } from "@/components/ui/table";
import type { RunProgress, StepProgress } from "@/lib/engine/progress";
import { undoTitle } from "@/lib/engine/undo-title";
import { formatCount, formatDuration, formatEta, formatRate, formatTime } from "./format";
import { ProgressBar } from "./progress-bar";
import { RunStepButton } from "./run-step-button";
import { StatusBadge } from "./status-badge";
import { useRunProgress } from "./use-run-progress";

export interface PlanStepView {
  id: string;
  title: string;
  statements: string[];
  estimatedRows: number;
  /** What the step's progress counts: rows, statements or tables. */
  unit: string;
}

function runHeading(run: RunProgress | undefined): string {
  if (!run) return "No run yet: this is the plan that will run, step by step.";
  const what = run.kind === "rollback" ? `Rollback #${run.id}` : run.onlyStep ? `Run #${run.id} (step ${run.onlyStep} only)` : `Run #${run.id}`;
  const when = run.finishedAt
    ? `finished ${formatTime(run.finishedAt)} after ${formatDuration(run.durationMs)}`
    : run.startedAt
      ? `started ${formatTime(run.startedAt)}`
      : `requested ${formatTime(run.requestedAt)}`;
  return `${what}, requested by ${run.requestedBy}; ${when}`;
}

function StepProgressCell({ step, unit, status }: { step: StepProgress | undefined; unit: string; status: string }) {
  if (!step || status === "pending") return <span className="text-slate-600">–</span>;
  const counted = step.rowsTotal !== null || step.rowsDone > 0;
  return (
    <div className="space-y-1">
      <ProgressBar
        done={status === "succeeded" ? 1 : step.rowsDone}
        total={status === "succeeded" ? 1 : step.rowsTotal}
        busy={status === "running"}
        label={`${step.stepId} progress`}
      />
      <p className="text-xs text-slate-600">
        {counted ? `${formatCount(step.rowsDone)} / ${step.rowsTotal === null ? "?" : formatCount(step.rowsTotal)} ${unit}` : status === "succeeded" ? "done" : "–"}
      </p>
    </div>
  );
}

/** A step's parallel units: each with the worker that claimed it, its own status, progress, rate, ETA and error. */
function UnitRows({ step, unit }: { step: StepProgress; unit: string }) {
  const running = step.units.filter((u) => u.status === "running").length;
  return (
    <div data-testid={`units-${step.stepId}`} className="mb-2 rounded-md border border-slate-200">
      <p className="border-b border-slate-200 bg-slate-50 px-3 py-1.5 text-xs font-medium text-slate-600">
        {step.units.length} units, {step.units.filter((u) => u.status === "succeeded").length} done{running ? `, ${running} running in parallel` : ""}
      </p>
      <ul className="divide-y divide-slate-100">
        {step.units.map((u) => (
          <li key={u.unitId} className="grid grid-cols-[minmax(0,1fr)_7rem_10rem_6rem_5rem] items-center gap-3 px-3 py-1.5 text-xs">
            <span className="flex min-w-0 items-baseline gap-2">
              <span className="truncate font-mono text-slate-700" title={u.unitId}>{u.unitId}</span>
              {u.worker && (
                <span data-testid="unit-worker" className="shrink truncate text-slate-500" title={`claimed by worker ${u.worker}`}>
                  on {u.worker}
                </span>
              )}
            </span>
            <span className="justify-self-start">
              <StatusBadge status={u.status} />
            </span>
            <span className="tabular-nums text-slate-600">
              {formatCount(u.rowsDone)} / {u.rowsTotal === null ? "?" : formatCount(u.rowsTotal)} {unit}
            </span>
            <span className="text-right tabular-nums text-slate-600">{formatRate(u.rowsPerSecond, unit)}</span>
            <span className="text-right tabular-nums text-slate-600">{formatEta(u.etaSeconds)}</span>
            {u.error && <span className="col-span-5 text-red-700">{u.error}</span>}
          </li>
        ))}
      </ul>
    </div>
  );
}

function StepRows({ index, step, undo, progress, runStatus, columns, action, sql, changed }: {
  index: number;
  /** The run shown is a rollback: the step is being (or was) undone. */
  undo: boolean;
  step: PlanStepView;
  progress: StepProgress | undefined;
  runStatus: string | null;
  columns: number;
  action: ReactNode;
  sql: ReactNode;
  changed: string | undefined;
}) {
  const statements = step.statements.length;
  // A step stays "running" in the engine while its run is paused or stopped; show the run's state.
  const status = progress?.status === "running" && runStatus !== "running" && runStatus ? runStatus : progress?.status ?? "pending";
  const working = status === "running";
  return (
    <>
      <tr data-testid={`step-${step.id}`} className="border-t border-slate-100 align-top">
        <Td className="text-slate-600">{index + 1}</Td>
        <Td>
          <p className="whitespace-normal font-medium text-slate-900">{undo && progress ? undoTitle(step.title) : step.title}</p>
          <p className="font-mono text-xs text-slate-600">{step.id}</p>
        </Td>
        <Td>{progress ? <StatusBadge status={status} /> : <span className="text-xs text-slate-600">–</span>}</Td>
        <Td>
          <StepProgressCell step={progress} unit={step.unit} status={status} />
        </Td>
        <Td className="text-right tabular-nums">{formatRate(working || status === "succeeded" ? progress?.rowsPerSecond : null, step.unit)}</Td>
        <Td className="text-right tabular-nums">{formatEta(working ? progress?.etaSeconds : null)}</Td>
        <Td className="text-right tabular-nums">{formatDuration(progress?.durationMs)}</Td>
        {action && <Td className="text-right">{action}</Td>}
      </tr>
      <tr>
        <td colSpan={columns} className="px-3 pb-3">
          {progress?.error && <p className="mb-2 text-xs text-red-700">{progress.error}</p>}
          {progress && progress.units.length > 0 && <UnitRows step={progress} unit={step.unit} />}
          <details data-testid={`sql-${step.id}`} data-sql className="rounded-md border border-slate-200 bg-slate-50">
            <summary className="cursor-pointer select-none px-3 py-1.5 text-xs font-medium text-slate-700 hover:text-slate-900">
              SQL of {step.id}: {statements} statement{statements === 1 ? "" : "s"}; they read or write about {formatCount(step.estimatedRows)} legacy rows
              {changed && <span className="ml-2 rounded bg-amber-50 px-1.5 py-0.5 font-medium text-amber-900 ring-1 ring-amber-200">{changed} since the last approved plan</span>}
            </summary>
            <div className="border-t border-slate-200 p-3">{sql}</div>
          </details>
        </td>
      </tr>
    </>
  );
}

/**
 * The phase's steps with the latest run's live progress: status, rows, rate, ETA, duration, and
 * each step's exact SQL. Polls while the run is active and refreshes the page when its status
 * changes, so the status, buttons and checks rendered on the server follow.
 */
export function LiveSteps({ phase, run, steps, canRunSteps, sql, changed }: {
  phase: number;
  run: RunProgress | null;
  steps: PlanStepView[];
  canRunSteps: boolean;
  /** Each step's SQL, rendered (highlighted) on the server. */
  sql: Record<string, ReactNode>;
  /** Steps whose SQL differs from the last approved plan: "changed" or "new step". */
  changed: Record<string, string>;
}) {
  const router = useRouter();
  const table = useRef<HTMLDivElement>(null);
  const openAll = (open: boolean) => table.current?.querySelectorAll<HTMLDetailsElement>("details[data-sql]").forEach((d) => (d.open = open));
  const { data, error } = useRunProgress(run);
  const status = data?.status ?? null;
  const seen = useRef(status);
  useEffect(() => {
    if (seen.current === status) return;
    seen.current = status;
    router.refresh();
  }, [status, router]);

  const active = status === "queued" || status === "running" || status === "paused";
  return (
    <Card
      title="Steps"
      description={runHeading(data)}
      actions={
        <div className="flex shrink-0 items-center gap-2">
          <Button variant="ghost" className="px-2 py-1 text-xs" onClick={() => openAll(true)}>
            Expand all SQL
          </Button>
          <Button variant="ghost" className="px-2 py-1 text-xs" onClick={() => openAll(false)}>
            Collapse all SQL
          </Button>
          {data && <StatusBadge status={data.status} />}
        </div>
      }
    >
      {error && (
        <p role="alert" className="mb-3 text-sm text-amber-700">
          Live updates paused: {error.message}
        </p>
      )}
      {data?.error && (
        <p role="alert" className="mb-3 rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">
          {data.error}
        </p>
      )}
      {/* Fixed layout: the columns keep their widths and long SQL scrolls inside its own box. */}
      <div ref={table} className="overflow-x-auto">
        <table aria-label="Steps" className="w-full min-w-[56rem] table-fixed text-sm">
          <thead className="bg-slate-50">
            <tr>
              <Th className="w-10">#</Th>
              <Th>Step</Th>
              <Th className="w-32">Status</Th>
              <Th className="w-52">Progress</Th>
              <Th className="w-24 text-right">Rate</Th>
              <Th className="w-20 text-right">ETA</Th>
              <Th className="w-24 text-right">Took</Th>
              {canRunSteps && (
                <Th className="relative w-28">
                  <span className="sr-only">Actions</span>
                </Th>
              )}
            </tr>
          </thead>
          <tbody>
            {steps.map((step, index) => (
              <StepRows
                key={step.id}
                index={index}
                step={step}
                undo={data?.kind === "rollback"}
                progress={data?.steps.find((s) => s.stepId === step.id)}
                runStatus={status}
                columns={canRunSteps ? 8 : 7}
                action={canRunSteps ? <RunStepButton phase={phase} stepId={step.id} disabled={active} /> : null}
                sql={sql[step.id]}
                changed={changed[step.id]}
              />
            ))}
          </tbody>
        </table>
      </div>
    </Card>
  );
}
