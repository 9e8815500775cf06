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
  if (issue.code === "invalid_type" && /received undefined$/.test(issue.message)) {
    return `required (expected ${issue.expected})`;
  }
  return issue.message;
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

function loadJsonFile(path: string): Scenario {
  const file = basename(path);
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
