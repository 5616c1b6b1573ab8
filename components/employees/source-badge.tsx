import { Badge } from "@/components/ui/badge";

/** Which schema answered (inline: it sits in a card's description line), how long it took, and the flag that chose it. */
export function SourceLine({ what, answered }: { what: string; answered: { source: "legacy" | "unified"; durationMs: number; flag: { key: string; from: string } } }) {
  return (
    <span className="mt-1 flex flex-wrap items-center gap-2 text-sm text-slate-600" data-testid={`source-${what}`}>
      <Badge tone={answered.source === "unified" ? "success" : "neutral"}>{answered.source === "unified" ? "unified schema" : "legacy tables"}</Badge>
      <span>
        answered in <span className="font-medium text-slate-900">{answered.durationMs.toLocaleString("en-US", { maximumFractionDigits: 1 })} ms</span>, chosen by{" "}
        <span className="font-mono text-xs">{answered.flag.key}</span>
        {answered.flag.from === "environment" ? " (set by the environment)" : ""}
      </span>
    </span>
  );
}
