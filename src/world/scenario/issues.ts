/**
 * Scenario problems: the error that lists every issue of a scenario at once, and how an issue's place and reason are
 * written (`demo.json: links[3].from`, `nodes.csv:12:population`). Shared by the JSON loader (load.ts) and the CSV
 * importer (csv.ts), which both import it and not each other.
 */
import type { z } from "zod";

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
