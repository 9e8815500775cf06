/**
 * Loading scenarios: by shipped name (`demo`, `ieee123`), from a .json file or from a folder of CSVs.
 *
 * Every problem becomes a `ScenarioError` that lists all issues at once, each with a readable
 * place: `demo.json: links[3].from` for JSON, `nodes.csv:12:population` (file:line:column) for CSV.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { importCsvFolder } from "./csv.js";
import { checkFileSize, checkRowCounts, describeIssue, formatPath, jsonSyntaxIssue, ScenarioError } from "./issues.js";
import { ScenarioSchema, type Scenario } from "./schema.js";

// Where scenario errors are made and formatted; re-exported so that callers of the loader find them here too.
export {
  describeIssue,
  formatPath,
  isScenarioError,
  jsonSyntaxIssue,
  ScenarioError,
  type ScenarioIssue,
} from "./issues.js";

/** The repository root: this file is src/world/scenario/load.ts. */
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
/** Where shipped scenarios live. */
export const SCENARIOS_DIR = join(REPO_ROOT, "scenarios");

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
