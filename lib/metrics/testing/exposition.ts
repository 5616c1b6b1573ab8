/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4), for tests: every line
 * is a # HELP, a # TYPE or a sample of a declared metric, label values are unescaped (\\, \", \n),
 * and anything else throws with the line.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  types: Map<string, string>;
  help: Map<string, string>;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function parseLabels(text: string, line: string): { labels: Record<string, string>; rest: string } {
  const labels: Record<string, string> = {};
  let i = 1; // after "{"
  while (text[i] !== "}") {
    const eq = text.indexOf("=", i);
    if (eq < 0) throw new Error(`no "=" in the labels of: ${line}`);
    const name = text.slice(i, eq);
    if (!LABEL_NAME.test(name)) throw new Error(`bad label name ${JSON.stringify(name)} in: ${line}`);
    if (text[eq + 1] !== '"') throw new Error(`label value not quoted in: ${line}`);
    let value = "";
    let j = eq + 2;
    for (;;) {
      const c = text[j];
      if (c === undefined) throw new Error(`unterminated label value in: ${line}`);
      if (c === '"') break;
      if (c === "\\") {
        const next = text[j + 1];
        if (next === "\\") value += "\\";
        else if (next === '"') value += '"';
        else if (next === "n") value += "\n";
        else throw new Error(`bad escape \\${next} in: ${line}`);
        j += 2;
        continue;
      }
      value += c;
      j++;
    }
    if (name in labels) throw new Error(`label ${name} twice in: ${line}`);
    labels[name] = value;
    i = j + 1;
    if (text[i] === ",") i++;
    else if (text[i] !== "}") throw new Error(`expected "," or "}" after a label in: ${line}`);
  }
  return { labels, rest: text.slice(i + 1) };
}

function parseValue(text: string, line: string): number {
  if (text === "NaN") return NaN;
  if (text === "+Inf") return Infinity;
  if (text === "-Inf") return -Infinity;
  if (!/^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`bad sample value ${JSON.stringify(text)} in: ${line}`);
  return Number(text);
}

export function parseExposition(body: string): Exposition {
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  const samples: Sample[] = [];
  const seen = new Set<string>();
  for (const line of body.split("\n")) {
    if (line === "") continue;
    const meta = line.match(/^# (HELP|TYPE) (\S+) (.*)$/);
    if (meta) {
      const [, what, name, text] = meta as unknown as [string, string, string, string];
      if (!NAME.test(name)) throw new Error(`bad metric name in: ${line}`);
      if (what === "TYPE") {
        if (!["counter", "gauge", "histogram", "summary", "untyped"].includes(text)) throw new Error(`bad type in: ${line}`);
        if (types.has(name)) throw new Error(`${name} typed twice`);
        types.set(name, text);
      } else help.set(name, text);
      continue;
    }
    if (line.startsWith("#")) throw new Error(`unexpected comment: ${line}`);
    const name = line.match(/^[a-zA-Z_:][a-zA-Z0-9_:]*/)?.[0];
    if (!name) throw new Error(`no metric name in: ${line}`);
    let rest = line.slice(name.length);
    let labels: Record<string, string> = {};
    if (rest.startsWith("{")) ({ labels, rest } = parseLabels(rest, line));
    if (!rest.startsWith(" ")) throw new Error(`no value after the labels in: ${line}`);
    const value = parseValue(rest.slice(1).trim(), line);
    if (!types.has(name)) throw new Error(`sample of an undeclared metric: ${line}`);
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seen.has(key)) throw new Error(`duplicate series: ${line}`);
    seen.add(key);
    samples.push({ name, labels, value });
  }
  return { types, help, samples };
}

/** The samples of one metric whose labels include the given ones. */
export function series(exposition: Exposition, name: string, labels: Record<string, string> = {}): Sample[] {
  return exposition.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

/** The one value of a metric with these labels; throws if there is none or more than one. */
export function value(exposition: Exposition, name: string, labels: Record<string, string> = {}): number {
  const found = series(exposition, name, labels);
  if (found.length !== 1) throw new Error(`${found.length} series of ${name} ${JSON.stringify(labels)}`);
  return found[0]!.value;
}
