/**
 * Loading scenarios: by shipped name (`demo`, `ieee123`), from a .json file or from a folder of CSVs.
 *
 * Every problem becomes a `ScenarioError` that lists all issues at once, each with a readable
 * place: `demo.json: links[3].from` for JSON, `nodes.csv:12:population` (file:line:column) for CSV.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { z } from "zod";
import { importCsvFolder } from "./csv.js";
import { ScenarioSchema, type Scenario } from "./schema.js";
import { MAX_SCENARIO_FILE_BYTES, MAX_SCENARIO_NODES } from "../../limits.js";

export interface ScenarioIssue {
  /** Readable place: `demo.json: links[3].from` or `nodes.csv:12:population`. */
  where: string;
  message: string;
}

export class ScenarioError extends Error {
  readonly issues: ScenarioIssue[];
  constructor(issues: ScenarioIssue[]) {
    super(issues.map((i) => `${i.where}: ${i.message}`).join("\n"));
    this.name = "ScenarioError";
    this.issues = issues;
  }
}

/** The repository root: this file is src/world/scenario/load.ts. */
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
/** Where shipped scenarios live. */
export const SCENARIOS_DIR = join(REPO_ROOT, "scenarios");

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
    return issue.keys.map((k) => {
      const near = nearest(k, known);
      return `unknown key "${k}"${near ? ` (did you mean "${near}"?)` : known.length ? ` (known keys: ${known.join(", ")})` : ""}`;
    }).join("; ");
  }
  if (issue.code === "invalid_type" && /received undefined$/.test(issue.message)) {
    return `required (expected ${issue.expected})`;
  }
  return issue.message;
}

type Def = { type: string; shape?: Record<string, { _zod: { def: Def } }>; element?: { _zod: { def: Def } }; innerType?: { _zod: { def: Def } }; options?: { _zod: { def: Def } }[]; valueType?: { _zod: { def: Def } } };

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

/** The known key nearest to a misspelt one: within 2 edits, or differing only in case or a plural s. */
export function nearest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const d = k.toLowerCase() === key.toLowerCase() ? 0 : editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestD) { bestD = d; best = k; }
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

/** Validates a parsed JSON value; `source` names it in error places (e.g. `demo.json`). */
export function parseScenario(json: unknown, source = "scenario"): Scenario {
  const result = ScenarioSchema.safeParse(json);
  if (result.success) return result.data;
  throw new ScenarioError(
    result.error.issues.map((issue) => {
      const path = formatPath(issue.path);
      return { where: path ? `${source}: ${path}` : source, message: describeIssue(issue) };
    }),
  );
}

/** Names of the scenarios under `<repo>/scenarios`: `x.json` files and folders holding `nodes.csv`. */
export function listShippedScenarios(): string[] {
  if (!existsSync(SCENARIOS_DIR)) return [];
  const names: string[] = [];
  for (const entry of readdirSync(SCENARIOS_DIR, { withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith(".json") && !entry.name.endsWith(".schema.json")) {
      names.push(entry.name.slice(0, -".json".length));
    } else if (entry.isDirectory() && existsSync(join(SCENARIOS_DIR, entry.name, "nodes.csv"))) {
      names.push(entry.name);
    }
  }
  return names.sort();
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

/** A cap read from the environment (to raise it), or the default. */
export function scenarioLimit(name: "INFRA_MAX_SCENARIO_BYTES" | "INFRA_MAX_SCENARIO_NODES", fallback: number): number {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

/** Refuse a file too large to load before reading it. */
export function checkFileSize(path: string, where: string): void {
  const max = scenarioLimit("INFRA_MAX_SCENARIO_BYTES", MAX_SCENARIO_FILE_BYTES);
  let size: number;
  try { size = statSync(path).size; } catch { return; }
  if (size > max) {
    throw new ScenarioError([{ where, message: `file of ${size.toLocaleString("en-US")} bytes is over the limit of ${max.toLocaleString("en-US")} bytes (set INFRA_MAX_SCENARIO_BYTES to raise it)` }]);
  }
}

/** Refuse a scenario with more nodes or links than the limit, before validating or building it. */
export function checkRowCounts(counts: { what: string; where: string; count: number }[]): void {
  const max = scenarioLimit("INFRA_MAX_SCENARIO_NODES", MAX_SCENARIO_NODES);
  const over = counts.filter((c) => c.count > max);
  if (over.length) {
    throw new ScenarioError(over.map((c) => ({ where: c.where, message: `${c.count.toLocaleString("en-US")} ${c.what} is over the limit of ${max.toLocaleString("en-US")} (set INFRA_MAX_SCENARIO_NODES to raise it)` })));
  }
}

function loadJsonFile(path: string): Scenario {
  const file = basename(path);
  checkFileSize(path, file);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new ScenarioError([{ where: file, message: `cannot read ${path}: ${(err as Error).message}` }]);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ScenarioError([jsonSyntaxIssue(text, file, err)]);
  }
  const j = json as { nodes?: unknown; links?: unknown };
  checkRowCounts([
    { what: "nodes", where: `${file}: nodes`, count: Array.isArray(j?.nodes) ? j.nodes.length : 0 },
    { what: "links", where: `${file}: links`, count: Array.isArray(j?.links) ? j.links.length : 0 },
  ]);
  return parseScenario(json, file);
}

/**
 * Loads a scenario from
 *  (a) a shipped name: `demo` → `<repo>/scenarios/demo.json`, `ieee123` → `<repo>/scenarios/ieee123/`;
 *  (b) a path to a .json file;
 *  (c) a path to a folder of CSVs (see csv.ts and docs/scenario-format.md).
 * Relative paths are taken from the current directory; shipped names work from any directory.
 */
export function loadScenario(ref: string): Scenario {
  if (/^[\w.-]+$/.test(ref) && !ref.endsWith(".json")) {
    const json = join(SCENARIOS_DIR, `${ref}.json`);
    const folder = join(SCENARIOS_DIR, ref);
    if (existsSync(json) && statSync(json).isFile()) return loadJsonFile(json);
    if (existsSync(join(folder, "nodes.csv"))) return importCsvFolder(folder);
  }
  const path = resolve(ref);
  if (!existsSync(path)) {
    const shipped = listShippedScenarios();
    throw new ScenarioError([
      {
        where: ref,
        message: `no such shipped scenario, file or folder (shipped: ${shipped.length ? shipped.join(", ") : "none"})`,
      },
    ]);
  }
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (err) {
    throw new ScenarioError([{ where: ref, message: `cannot read: ${(err as Error).message}` }]);
  }
  return isDir ? importCsvFolder(path) : loadJsonFile(path);
}
