import hljs from "highlight.js/lib/core";
import pgsql from "highlight.js/lib/languages/pgsql";
import { CopyButton } from "@/components/ui/copy-button";
import type { StepDiff } from "@/lib/plan/plan-diff";

hljs.registerLanguage("pgsql", pgsql);

/**
 * One statement, highlighted on the server (highlight.js's PostgreSQL grammar: no highlighter in
 * the browser bundle). highlight.js escapes the text it is given, so its HTML is safe to insert.
 */
export function SqlCode({ sql }: { sql: string }) {
  const html = hljs.highlight(sql, { language: "pgsql", ignoreIllegals: true }).value;
  return (
    <pre className="sql-code">
      <code dangerouslySetInnerHTML={{ __html: html }} />
    </pre>
  );
}

const PARAMETER = /\$\d+/;

/** A step's statements, each with a copy button; a note on placeholders when they have any. */
export function StepSql({ stepId, statements }: { stepId: string; statements: string[] }) {
  return (
    <div className="space-y-3">
      {statements.some((s) => PARAMETER.test(s)) && (
        <p className="rounded-md border border-slate-200 bg-surface px-3 py-2 text-xs text-slate-700">
          <code className="font-mono">$1</code>, <code className="font-mono">$2</code> are parameters the engine binds for each batch, never text
          spliced into the SQL. In a keyset batch <code className="font-mono">$1</code> is the last key already committed (NULL for the first batch)
          and <code className="font-mono">$2</code> the last key of the batch (or, to find that key, the batch size); in a bucketed step{" "}
          <code className="font-mono">$1</code> is the bucket and <code className="font-mono">$2</code> the number of buckets. Each
          statement&apos;s first comment says which.
        </p>
      )}
      {statements.map((sql, i) => (
        <div key={i}>
          <div className="mb-1 flex items-center justify-between gap-2">
            <span className="text-xs font-medium text-slate-600">
              Statement {i + 1} of {statements.length}
            </span>
            <CopyButton text={sql} label={`Copy statement ${i + 1} of ${stepId}`} />
          </div>
          <SqlCode sql={sql} />
        </div>
      ))}
    </div>
  );
}

/** A step's SQL, approved plan → current plan, as lines with + and − (not by colour alone). */
export function SqlDiff({ diff }: { diff: Extract<StepDiff, { lines: unknown }> }) {
  return (
    <pre className="sql-diff" aria-label={`Changes to the SQL of ${diff.id}`}>
      {diff.lines.map((line, i) => (
        <span key={i} className={`sql-diff-line sql-diff-${line.kind}`}>
          <span aria-hidden="true" className="sql-diff-sign">{line.kind === "added" ? "+" : line.kind === "removed" ? "−" : " "}</span>
          <span className="sr-only">{line.kind === "added" ? "added: " : line.kind === "removed" ? "removed: " : ""}</span>
          {line.text || " "}
          {"\n"}
        </span>
      ))}
    </pre>
  );
}
