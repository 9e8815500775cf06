/**
 * Scenario problems: the error that lists every issue of a scenario at once, and how an issue's place and reason are
 * written (`demo.json: links[3].from`, `nodes.csv:12:population`). Shared by the JSON loader (load.ts) and the CSV
 * importer (csv.ts), which both import it and not each other.
 */
import { statSync } from "node:fs";
import type { z } from "zod";
import { MAX_SCENARIO_FILE_BYTES, MAX_SCENARIO_NODES } from "../../limits.js";
import { ScenarioSchema } from "./schema.js";

export interface ScenarioIssue {
  /** Readable place: `demo.json: links[3].from` or `nodes.csv:12:population`. */
  where: string;
  message: string;
}

export class ScenarioError extends Error {
  readonly issues: ScenarioIssue[];
  /** Retrying cannot cure a bad scenario (src/persistence/node-faults.ts reads this). */
  readonly transient = false;
  constructor(issues: ScenarioIssue[]) {
    super(issues.map((i) => `${i.where}: ${i.message}`).join("\n"));
    this.name = "ScenarioError";
    this.issues = issues;
  }
}

export function isScenarioError(e: unknown): e is ScenarioError {
  return e instanceof ScenarioError;
}

/** `["links", 3, "from"]` → `links[3].from`; keys that are not identifiers are quoted. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else if (typeof key === "string" && /^[A-Za-z_$][\w$]*$/.test(key)) out += out === "" ? key : `.${key}`;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

type ZodIssue = z.core.$ZodIssue;

/** A zod issue's message, made a little more telling where zod's own is vague. */
export function describeIssue(issue: ZodIssue): string {
  if (issue.code === "invalid_union") {
    if (issue.path.length === 1 && issue.path[0] === "coordinates") {
      return 'expected "lonlat" or {"kind":"xy","unit":"m"|"km"|"ft"|"kft"|"mi"}';
    }
    const alternatives = issue.errors
      .map((errs) => errs.map((e) => (e.path.length ? `${formatPath(e.path)}: ` : "") + e.message).join("; "))
      .filter((s) => s !== "");
    return alternatives.length ? `matches no allowed form (${alternatives.join(" | ")})` : issue.message;
  }
  if (issue.code === "unrecognized_keys") {
    const known = knownKeysAt(issue.path);
    return issue.keys
      .map((k) => {
        const near = nearest(k, known);
        return `unknown key "${k}"${near ? ` (did you mean "${near}"?)` : known.length ? ` (known keys: ${known.join(", ")})` : ""}`;
      })
      .join("; ");
  }
  if (issue.code === "invalid_type" && /received undefined$/.test(issue.message)) {
    return `required (expected ${issue.expected})`;
  }
  return issue.message;
}

/** Turns a JSON.parse message into a place and a reason, with line:column when the message gives a position. */
export function jsonSyntaxIssue(text: string, file: string, err: unknown): ScenarioIssue {
  const raw = err instanceof Error ? err.message : String(err);
  let line: number | undefined;
  let column: number | undefined;
  const lc = /\(?line (\d+) column (\d+)\)?/.exec(raw);
  const pos = /at position (\d+)/.exec(raw);
  if (lc) {
    line = Number(lc[1]);
    column = Number(lc[2]);
  } else if (pos) {
    const offset = Number(pos[1]);
    const before = text.slice(0, offset);
    line = before.split("\n").length;
    column = offset - before.lastIndexOf("\n");
  } else if (/Unexpected end of JSON input/.test(raw)) {
    const lines = text.split("\n");
    line = lines.length;
    column = (lines[lines.length - 1] ?? "").length + 1;
  }
  // Drop V8's echo of the input ( `"{...}" is not valid JSON` ) and the position we already report.
  const message = raw
    .replace(/, ".*" is not valid JSON$/s, "")
    .replace(/\s*\(line \d+ column \d+\)/, "")
    .replace(/\s*in JSON at position \d+/, "")
    .trim();
  return { where: line !== undefined ? `${file}:${line}:${column}` : file, message: `invalid JSON: ${message}` };
}

type Def = {
  type: string;
  shape?: Record<string, { _zod: { def: Def } }>;
  element?: { _zod: { def: Def } };
  innerType?: { _zod: { def: Def } };
  options?: { _zod: { def: Def } }[];
  valueType?: { _zod: { def: Def } };
};

/** The keys the scenario format allows for the object at `path` (empty if it cannot tell). */
export function knownKeysAt(path: readonly PropertyKey[]): string[] {
  let def = (ScenarioSchema as unknown as { _zod: { def: Def } })._zod.def;
  const unwrap = (d: Def): Def => (d.innerType ? unwrap(d.innerType._zod.def) : d);
  for (const key of path) {
    def = unwrap(def);
    if (def.type === "object" && typeof key === "string" && def.shape?.[key]) def = def.shape[key]._zod.def;
    else if (def.type === "array" && typeof key === "number" && def.element) def = def.element._zod.def;
    else if (def.type === "record" && def.valueType) def = def.valueType._zod.def;
    else return [];
  }
  def = unwrap(def);
  if (def.type === "union") def = def.options?.map((o) => unwrap(o._zod.def)).find((o) => o.type === "object") ?? def;
  return def.type === "object" ? Object.keys(def.shape ?? {}).filter((k) => k !== "$schema") : [];
}

/** The known key nearest to a misspelt one: within one edit per three letters (at most two), or differing only in case. */
export function nearest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = k.toLowerCase() === key.toLowerCase() ? 0 : editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return bestD <= Math.min(2, Math.max(1, Math.floor(key.length / 3))) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length];
}

/** A cap read from the environment (to raise it), or the default. */
export function scenarioLimit(name: "INFRA_MAX_SCENARIO_BYTES" | "INFRA_MAX_SCENARIO_NODES", fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

/** Refuse a file too large to load before reading it. */
export function checkFileSize(path: string, where: string): void {
  const max = scenarioLimit("INFRA_MAX_SCENARIO_BYTES", MAX_SCENARIO_FILE_BYTES);
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    return;
  }
  if (size > max) {
    throw new ScenarioError([
      {
        where,
        message: `file of ${size.toLocaleString("en-US")} bytes is over the limit of ${max.toLocaleString("en-US")} bytes (set INFRA_MAX_SCENARIO_BYTES to raise it)`,
      },
    ]);
  }
}

/** Refuse a scenario with more nodes, links or rows than the limit, before validating or building it. */
export function checkRowCounts(counts: { what: string; where: string; count: number }[]): void {
  const max = scenarioLimit("INFRA_MAX_SCENARIO_NODES", MAX_SCENARIO_NODES);
  const over = counts.filter((c) => c.count > max);
  if (over.length) {
    throw new ScenarioError(
      over.map((c) => ({
        where: c.where,
        message: `${c.count.toLocaleString("en-US")} ${c.what} is over the limit of ${max.toLocaleString("en-US")} (set INFRA_MAX_SCENARIO_NODES to raise it)`,
      })),
    );
  }
}
