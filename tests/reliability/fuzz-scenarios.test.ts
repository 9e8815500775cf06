/**
 * The scenario loader and the CSV import under fuzzing: thousands of generated files, from
 * the shipped scenarios mutated (truncated text, wrong types, huge and negative numbers,
 * unicode ids, duplicate ids, dangling references, missing fields, missing files, broken CSV
 * quoting) to plain noise. Each one either loads, into a scenario the simulator can run, or
 * is refused with a ScenarioError whose every issue names where (the file, and the place in
 * it); nothing else is ever thrown.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { ScenarioError } from "../../src/world/scenario/issues.js";
import { loadScenario } from "../../src/world/scenario/load.js";
import { World } from "../../src/world/simulator.js";

const root = new URL("../..", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "fuzz-scenarios-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const counts = { json: 0, csv: 0, loaded: 0, refused: 0 };
afterAll(() =>
  console.log(
    `scenario fuzzing: ${counts.json + counts.csv} files fuzzed (${counts.json} JSON files, ${counts.csv} CSV folders): ${counts.loaded} loaded and ran, ${counts.refused} refused with a ScenarioError naming where, 0 other outcomes`,
  ),
);

const demoText = readFileSync(join(root, "scenarios/demo.json"), "utf8");
const demo = JSON.parse(demoText) as Record<string, unknown>;
const csvDir = join(root, "scenarios/ieee123");
const csvBase = Object.fromEntries(readdirSync(csvDir).map((f) => [f, readFileSync(join(csvDir, f), "utf8")]));

// ------------------------------------------------------------------ values
const weirdString = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: "grapheme", maxLength: 8 }),
  fc.constantFrom("", " ", "ツ", "💥", "\u0000", "a\nb", '"', ",", "__proto__", "constructor", "NaN", "1e999", "-0"),
);
const weirdNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 1e308, -1e308, 1e-320, Number.MAX_SAFE_INTEGER, 2 ** 64),
);
const weirdValue: fc.Arbitrary<unknown> = fc.oneof(
  weirdString,
  weirdNumber,
  fc.boolean(),
  fc.constant(null),
  fc.constant([]),
  fc.constant({}),
  fc.array(weirdString, { maxLength: 3 }),
  fc.dictionary(weirdString, weirdString, { maxKeys: 2 }),
);

// ------------------------------------------------------------------ JSON mutations
type Json = Record<string, unknown> | unknown[];
/** Every container path in a JSON value (arrays and objects), for picking a place to break. */
function places(v: unknown, path: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (v && typeof v === "object") {
    out.push(path);
    for (const [k, child] of Object.entries(v)) places(child, [...path, Array.isArray(v) ? Number(k) : k], out);
  }
  return out;
}
const demoPlaces = places(demo);
/** The container at `path`, or the document itself when an earlier mutation removed it. */
function at(doc: Json, path: (string | number)[]): Json {
  let o: unknown = doc;
  for (const k of path) {
    const next = o && typeof o === "object" ? (o as Record<string, unknown>)[k as string] : undefined;
    if (!next || typeof next !== "object") return doc;
    o = next;
  }
  return o as Json;
}

const jsonMutation = fc.oneof(
  // a field set to a value of any type (wrong types, huge numbers, unicode)
  fc.record({ kind: fc.constant("set"), place: fc.nat(), key: fc.nat(), value: weirdValue }),
  // a required field removed
  fc.record({ kind: fc.constant("delete"), place: fc.nat(), key: fc.nat() }),
  // an element duplicated (duplicate ids)
  fc.record({ kind: fc.constant("duplicate"), place: fc.nat(), key: fc.nat() }),
  // a reference pointed at nothing
  fc.record({
    kind: fc.constant("dangle"),
    section: fc.constantFrom("links", "dependencies", "damage", "crews"),
    index: fc.nat(),
    value: weirdString,
  }),
  // an id made unicode or huge
  fc.record({
    kind: fc.constant("rename"),
    index: fc.nat(),
    value: fc.oneof(weirdString, fc.string({ minLength: 5000, maxLength: 20000 })),
  }),
);

function applyJsonMutation(doc: Record<string, unknown>, m: Record<string, unknown>): void {
  const container = at(doc, demoPlaces[((m.place as number) ?? 0) % demoPlaces.length]);
  const keys = Object.keys(container);
  const key = keys.length ? keys[((m.key as number) ?? 0) % keys.length] : "x";
  const c = container as Record<string, unknown>;
  switch (m.kind) {
    case "set":
      c[key] = m.value;
      break;
    case "delete":
      if (Array.isArray(container)) container.splice(Number(key), 1);
      else delete c[key];
      break;
    case "duplicate":
      if (Array.isArray(container) && container.length) container.push(structuredClone(container[Number(key)]));
      else c[`${key}`] = structuredClone(c[key]);
      break;
    case "dangle": {
      const list = doc[m.section as string] as Record<string, unknown>[] | undefined;
      if (!Array.isArray(list) || !list.length) break;
      const item = list[(m.index as number) % list.length];
      if (!item || typeof item !== "object") break;
      const field =
        m.section === "links"
          ? "from"
          : m.section === "dependencies"
            ? "dependee"
            : m.section === "damage"
              ? "asset"
              : "skills";
      item[field] = field === "skills" ? [m.value] : m.value;
      break;
    }
    case "rename": {
      // Earlier mutations may have replaced the list or its items: rename only what is still a node.
      const nodes = doc.nodes as Record<string, unknown>[] | undefined;
      const node = Array.isArray(nodes) && nodes.length ? nodes[(m.index as number) % nodes.length] : undefined;
      if (node && typeof node === "object") node.id = m.value;
      break;
    }
  }
}

const jsonFile = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.array(jsonMutation, { minLength: 1, maxLength: 4 }).map((ms) => {
      const doc = structuredClone(demo);
      for (const m of ms) applyJsonMutation(doc, m as Record<string, unknown>);
      return JSON.stringify(doc);
    }),
  },
  // truncated JSON
  { weight: 2, arbitrary: fc.nat({ max: demoText.length }).map((n) => demoText.slice(0, n)) },
  // noise: any JSON value, any text, a BOM, nothing
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? "null") },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.constantFrom("", "\ufeff", "\ufeff{}", "{", "[]", "null", '{"nodes": 1e999}'),
    ),
  },
);

// ------------------------------------------------------------------ CSV mutations
const csvFile = fc.constantFrom(
  "nodes.csv",
  "links.csv",
  "crews.csv",
  "damage.csv",
  "dependencies.csv",
  "scenario.json",
);
const csvMutation = fc.oneof(
  fc.record({
    kind: fc.constant("cell"),
    file: csvFile,
    line: fc.nat(),
    column: fc.nat(),
    value: fc.oneof(
      weirdString,
      weirdNumber.map(String),
      fc.constantFrom('"unbalanced', 'a"b', "1,2", "", "1e400", "-5"),
    ),
  }),
  fc.record({ kind: fc.constant("truncate"), file: csvFile, at: fc.nat() }),
  fc.record({ kind: fc.constant("duplicate-row"), file: csvFile, line: fc.nat() }),
  fc.record({ kind: fc.constant("drop-column"), file: csvFile, column: fc.nat() }),
  fc.record({ kind: fc.constant("delete-file"), file: csvFile }),
  fc.record({ kind: fc.constant("noise"), file: csvFile, text: fc.string({ maxLength: 300 }) }),
  fc.record({ kind: fc.constant("line-endings"), file: csvFile, bom: fc.boolean() }),
);

function applyCsvMutation(files: Record<string, string | undefined>, m: Record<string, unknown>): void {
  const name = m.file as string;
  const text = files[name];
  if (text === undefined) return;
  const lines = text.split("\n");
  switch (m.kind) {
    case "cell": {
      const i = (m.line as number) % lines.length;
      const cells = lines[i].split(",");
      cells[(m.column as number) % cells.length] = m.value as string;
      lines[i] = cells.join(",");
      files[name] = lines.join("\n");
      break;
    }
    case "truncate":
      files[name] = text.slice(0, (m.at as number) % (text.length + 1));
      break;
    case "duplicate-row": {
      const i = (m.line as number) % lines.length;
      lines.splice(i, 0, lines[i]);
      files[name] = lines.join("\n");
      break;
    }
    case "drop-column": {
      const k = m.column as number;
      files[name] = lines
        .map((l) => {
          const c = l.split(",");
          c.splice(k % Math.max(1, c.length), 1);
          return c.join(",");
        })
        .join("\n");
      break;
    }
    case "delete-file":
      files[name] = undefined;
      break;
    case "noise":
      files[name] = m.text as string;
      break;
    case "line-endings":
      files[name] = (m.bom ? "\ufeff" : "") + text.replace(/\n/g, "\r\n");
      break;
  }
}

// ------------------------------------------------------------------ the property
let serial = 0;
/** Load `ref`: a scenario the simulator runs, or a ScenarioError whose every issue starts with one of `places`. */
function expectLoadsOrNamedRefusal(ref: string, label: string, places: string[]): void {
  let scenario;
  try {
    scenario = loadScenario(ref);
  } catch (e) {
    if (!(e instanceof ScenarioError))
      throw new Error(`${label}: ${ref} threw ${(e as Error)?.name}: ${(e as Error)?.message}`);
    expect(e.issues.length).toBeGreaterThan(0);
    for (const issue of e.issues) {
      expect(
        places.some((p) => issue.where.startsWith(p)),
        `issue not naming its file: "${issue.where}: ${issue.message}"`,
      ).toBe(true);
      expect(issue.message).toMatch(/\S/);
    }
    counts.refused++;
    return;
  }
  // Loaded: the simulator runs it.
  const world = new World(scenario);
  world.detectFailures();
  world.advanceUntilAlert(24 * 60);
  world.metrics();
  counts.loaded++;
}

describe("scenario files under fuzzing", () => {
  it("JSON scenario files: each loads and runs, or is refused with a ScenarioError naming the file and the place", () => {
    fc.assert(
      fc.property(jsonFile, (text) => {
        const file = join(dir, `f${serial++}.json`);
        writeFileSync(file, text);
        counts.json++;
        expectLoadsOrNamedRefusal(file, "JSON", [`f${serial - 1}.json`]);
      }),
      { numRuns: 2500 },
    );
  }, 120_000);

  it("CSV scenario folders: each loads and runs, or is refused with a ScenarioError naming the file (and line)", () => {
    fc.assert(
      fc.property(fc.array(csvMutation, { minLength: 1, maxLength: 3 }), (ms) => {
        const files: Record<string, string | undefined> = { ...csvBase };
        for (const m of ms) applyCsvMutation(files, m as Record<string, unknown>);
        const folder = join(dir, `c${serial++}`);
        mkdirSync(folder);
        for (const [name, text] of Object.entries(files))
          if (text !== undefined) writeFileSync(join(folder, name), text);
        counts.csv++;
        expectLoadsOrNamedRefusal(folder, "CSV", [...Object.keys(csvBase), folder, `c${serial - 1}`]);
      }),
      { numRuns: 600 },
    );
  }, 120_000);
});
