/**
 * Importing a scenario from a folder of CSV files, the way utilities export from GIS.
 *
 *   nodes.csv         id, network, type, x, y, [population], [criticality], [role], [name], [note]   (required file)
 *   links.csv         id, network, from, to, [type], [length_km]
 *   dependencies.csv  dependee, depender, [buffer_hours]
 *   crews.csv         id, x, y, skills (separated by ";"), capacity_hours, [speed_kmh], [name]
 *   damage.csv        asset, [at_minutes]
 *   scenario.json     name, coordinates, and optionally everything else that is not a table
 *
 * Column names are matched ignoring case, spaces and underscores (`length_km`, `lengthKm`, `Length KM`);
 * unknown columns are ignored; empty optional cells take the schema default. All problems are collected
 * and thrown as one ScenarioError, each placed as `file:line:column` (line numbers are the file's own,
 * counting the header as line 1).
 *
 * The format is documented in docs/scenario-format.md.
 * Size: about 430 lines once formatted: one importer, a table reader per file and the column matching they share.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  checkFileSize,
  checkRowCounts,
  describeIssue,
  formatPath,
  jsonSyntaxIssue,
  nearest,
  ScenarioError,
  type ScenarioIssue,
} from "./issues.js";
import { MAX_CSV_CELL_CHARS } from "../../limits.js";
import { ScenarioSchema, type Scenario } from "./schema.js";

// ---------------------------------------------------------------------------------------------
// RFC 4180 CSV
// ---------------------------------------------------------------------------------------------

export interface CsvRecord {
  /** Line (1-based) on which the record starts. */
  line: number;
  fields: string[];
}

export interface CsvParseResult {
  records: CsvRecord[];
  errors: { line: number; message: string }[];
}

/**
 * Parses CSV text: comma separated, fields optionally in double quotes (a quote inside is doubled),
 * commas and line breaks allowed inside quotes, LF or CRLF (or lone CR) line ends, a leading BOM ignored.
 * Blank lines are skipped. Unquoted fields are returned as written (the caller trims).
 */
export function parseCsv(text: string): CsvParseResult {
  const records: CsvRecord[] = [];
  const errors: { line: number; message: string }[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const n = text.length;
  let line = 1;
  let fields: string[] = [];
  let field = "";
  let recordLine = 1;
  let fieldStarted = false; // whether the current record has any content yet

  const endField = () => {
    fields.push(field);
    field = "";
  };
  const endRecord = () => {
    endField();
    if (fieldStarted || fields.length > 1) records.push({ line: recordLine, fields });
    fields = [];
    fieldStarted = false;
  };

  while (i < n) {
    const c = text[i]!;
    if (c === '"' && field === "") {
      // Quoted field (a quote in the middle of an unquoted field is taken literally).
      fieldStarted = true;
      const openLine = line;
      i++;
      let closed = false;
      while (i < n) {
        const d = text[i]!;
        if (d === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          closed = true;
          i++;
          break;
        }
        if (d === "\r") {
          // CRLF or lone CR inside quotes: keep as a single "\n".
          field += "\n";
          line++;
          i += text[i + 1] === "\n" ? 2 : 1;
          continue;
        }
        if (d === "\n") line++;
        field += d;
        i++;
      }
      if (!closed) {
        errors.push({ line: openLine, message: 'quoted field is not closed (missing ")' });
        endRecord();
        return { records, errors };
      }
      // After the closing quote only a separator, line end or end of text may follow.
      const next = text[i];
      if (next !== undefined && next !== "," && next !== "\n" && next !== "\r") {
        errors.push({
          line,
          message: `unexpected text after a closing quote: ${JSON.stringify(text.slice(i, i + 10))}`,
        });
        while (i < n && text[i] !== "," && text[i] !== "\n" && text[i] !== "\r") field += text[i++];
      }
      continue;
    }
    if (c === ",") {
      fieldStarted = true;
      endField();
      i++;
      continue;
    }
    if (c === "\n" || c === "\r") {
      endRecord();
      i += c === "\r" && text[i + 1] === "\n" ? 2 : 1;
      line++;
      recordLine = line;
      continue;
    }
    if (c !== " " && c !== "\t") fieldStarted = true;
    field += c;
    i++;
  }
  if (field !== "" || fields.length > 0 || fieldStarted) endRecord();
  return { records, errors };
}

// ---------------------------------------------------------------------------------------------
// Tables
// ---------------------------------------------------------------------------------------------

type ColumnKind = "string" | "number" | "list";

interface ColumnSpec {
  /** Column name as documented (and as used in error places). */
  column: string;
  /** Scenario field it fills. */
  field: string;
  kind: ColumnKind;
  required: boolean;
}

interface TableSpec {
  file: string;
  key: "nodes" | "links" | "dependencies" | "crews" | "damage";
  columns: ColumnSpec[];
}

const col = (column: string, field: string, kind: ColumnKind, required: boolean): ColumnSpec => ({
  column,
  field,
  kind,
  required,
});

export const CSV_TABLES: readonly TableSpec[] = [
  {
    file: "nodes.csv",
    key: "nodes",
    columns: [
      col("id", "id", "string", true),
      col("network", "network", "string", true),
      col("type", "type", "string", true),
      col("x", "x", "number", true),
      col("y", "y", "number", true),
      col("population", "population", "number", false),
      col("criticality", "criticality", "number", false),
      col("role", "role", "string", false),
      col("name", "name", "string", false),
      col("note", "note", "string", false),
    ],
  },
  {
    file: "links.csv",
    key: "links",
    columns: [
      col("id", "id", "string", true),
      col("network", "network", "string", true),
      col("from", "from", "string", true),
      col("to", "to", "string", true),
      col("type", "type", "string", false),
      col("length_km", "lengthKm", "number", false),
    ],
  },
  {
    file: "dependencies.csv",
    key: "dependencies",
    columns: [
      col("dependee", "dependee", "string", true),
      col("depender", "depender", "string", true),
      col("buffer_hours", "bufferHours", "number", false),
    ],
  },
  {
    file: "crews.csv",
    key: "crews",
    columns: [
      col("id", "id", "string", true),
      col("x", "x", "number", true),
      col("y", "y", "number", true),
      col("skills", "skills", "list", true),
      col("capacity_hours", "capacityHours", "number", true),
      col("speed_kmh", "speedKmh", "number", false),
      col("name", "name", "string", false),
    ],
  },
  {
    file: "damage.csv",
    key: "damage",
    columns: [col("asset", "asset", "string", true), col("at_minutes", "atMinutes", "number", false)],
  },
];

/** Keys scenario.json may hold (everything that is not a table). */
const SCENARIO_JSON_KEYS = new Set([
  "name",
  "description",
  "coordinates",
  "startTime",
  "seed",
  "networks",
  "repairMinutes",
  "defaultRepairMinutes",
  "weather",
  "assumptions",
]);

const normalizeHeader = (h: string) =>
  h
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, "");

const NUMBER_RE = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

interface TableResult {
  rows: Record<string, unknown>[];
  /** Line of each row, parallel to rows. */
  lines: number[];
}

function readTable(dir: string, spec: TableSpec, issues: ScenarioIssue[], required: boolean): TableResult {
  const path = join(dir, spec.file);
  const empty: TableResult = { rows: [], lines: [] };
  if (!existsSync(path)) {
    if (required) issues.push({ where: spec.file, message: `missing: the folder needs a ${spec.file}` });
    return empty;
  }
  checkFileSize(path, spec.file);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    issues.push({ where: spec.file, message: `cannot read: ${(err as Error).message}` });
    return empty;
  }
  const parsed = parseCsv(text);
  checkRowCounts([{ what: "rows", where: spec.file, count: Math.max(0, parsed.records.length - 1) }]);
  for (const e of parsed.errors) issues.push({ where: `${spec.file}:${e.line}`, message: e.message });
  const [header, ...records] = parsed.records;
  if (!header) {
    if (required) issues.push({ where: spec.file, message: "empty: expected a header line and at least one row" });
    return empty;
  }

  // Column index by normalized name; duplicates are an error, and so is a misspelt column (its
  // values would otherwise be dropped silently).
  const indexOf = new Map<string, number>();
  const knownColumns = spec.columns.map((c) => c.column);
  const known = new Set(knownColumns.map(normalizeHeader));
  header.fields.forEach((h, idx) => {
    const key = normalizeHeader(h);
    if (key === "") return;
    if (!known.has(key)) {
      // Extra columns (a comment, a source id) are ignored; one that is a near miss of a known column is refused.
      const near = nearest(h.trim(), knownColumns);
      if (near)
        issues.push({
          where: `${spec.file}:${header.line}`,
          message: `unknown column "${h.trim()}" (did you mean "${near}"?)`,
        });
      return;
    }
    if (indexOf.has(key))
      issues.push({ where: `${spec.file}:${header.line}`, message: `column "${h.trim()}" appears twice` });
    else indexOf.set(key, idx);
  });
  const columns: { spec: ColumnSpec; index: number }[] = [];
  let missingColumn = false;
  for (const c of spec.columns) {
    const idx = indexOf.get(normalizeHeader(c.column));
    if (idx === undefined) {
      if (c.required) {
        issues.push({ where: spec.file, message: `required column "${c.column}" is missing from the header` });
        missingColumn = true;
      }
      continue;
    }
    columns.push({ spec: c, index: idx });
  }
  if (missingColumn) return empty;

  const out: TableResult = { rows: [], lines: [] };
  for (const rec of records) {
    if (rec.fields.length > header.fields.length) {
      issues.push({
        where: `${spec.file}:${rec.line}`,
        message: `${rec.fields.length} fields but the header has ${header.fields.length} (an unquoted comma?)`,
      });
      continue;
    }
    const row: Record<string, unknown> = {};
    for (const { spec: c, index } of columns) {
      const cell = (rec.fields[index] ?? "").trim();
      const where = `${spec.file}:${rec.line}:${c.column}`;
      if (cell.length > MAX_CSV_CELL_CHARS) {
        issues.push({
          where,
          message: `value of ${cell.length.toLocaleString("en-US")} characters is over the limit of ${MAX_CSV_CELL_CHARS.toLocaleString("en-US")}`,
        });
        continue;
      }
      if (cell === "") {
        if (c.required) issues.push({ where, message: "required value is empty" });
        continue;
      }
      if (c.kind === "number") {
        if (!NUMBER_RE.test(cell)) issues.push({ where, message: `not a number: ${JSON.stringify(cell)}` });
        else row[c.field] = Number(cell);
      } else if (c.kind === "list") {
        row[c.field] = cell
          .split(";")
          .map((s) => s.trim())
          .filter((s) => s !== "");
      } else {
        row[c.field] = cell;
      }
    }
    out.rows.push(row);
    out.lines.push(rec.line);
  }
  return out;
}

function readScenarioJson(dir: string, issues: ScenarioIssue[]): Record<string, unknown> {
  const file = "scenario.json";
  const path = join(dir, file);
  if (!existsSync(path)) {
    issues.push({
      where: file,
      message: 'missing: the folder needs a scenario.json with at least "name" and "coordinates"',
    });
    return {};
  }
  checkFileSize(path, file);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    issues.push({ where: file, message: `cannot read: ${(err as Error).message}` });
    return {};
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    issues.push(jsonSyntaxIssue(text, file, err));
    return {};
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    issues.push({ where: file, message: "expected a JSON object" });
    return {};
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(json)) {
    if (SCENARIO_JSON_KEYS.has(k)) out[k] = v;
    else if (CSV_TABLES.some((t) => t.key === k))
      issues.push({ where: `${file}: ${k}`, message: `belongs in ${k}.csv, not in scenario.json` });
    // Other unknown keys are ignored, like unknown CSV columns.
  }
  return out;
}

/** Maps a schema issue path back to the file (and line and column) it came from. */
function placeOf(path: readonly PropertyKey[], lines: Map<string, number[]>): string {
  const [head, index, field] = path;
  const table = CSV_TABLES.find((t) => t.key === head);
  if (!table) return path.length ? `scenario.json: ${formatPath(path)}` : "scenario.json";
  if (typeof index !== "number") return table.file;
  const line = lines.get(table.key)?.[index];
  if (line === undefined) return `${table.file}: ${formatPath(path)}`;
  const column = table.columns.find((c) => c.field === field)?.column;
  return column ? `${table.file}:${line}:${column}` : `${table.file}:${line}`;
}

/** Reads a CSV-folder scenario (see the file comment and docs/scenario-format.md). */
export function importCsvFolder(dir: string): Scenario {
  if (!existsSync(dir)) throw new ScenarioError([{ where: dir, message: "no such folder" }]);
  const issues: ScenarioIssue[] = [];
  const meta = readScenarioJson(dir, issues);
  const lines = new Map<string, number[]>();
  const tables: Record<string, unknown[]> = {};
  for (const spec of CSV_TABLES) {
    const t = readTable(dir, spec, issues, spec.key === "nodes");
    tables[spec.key] = t.rows;
    lines.set(spec.key, t.lines);
  }
  if (issues.length) throw new ScenarioError(issues);

  const result = ScenarioSchema.safeParse({ ...meta, ...tables });
  if (result.success) return result.data;
  throw new ScenarioError(
    result.error.issues.map((issue) => ({ where: placeOf(issue.path, lines), message: describeIssue(issue) })),
  );
}
