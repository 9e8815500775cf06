/**
 * Scenario files are checked before they are trusted: an unknown key is refused with its path
 * (and the key it probably meant), a file too large, too many nodes or rows, or a field too long
 * is refused with a clear message; the caps are raised by environment variables.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { loadScenario, ScenarioError, SCENARIOS_DIR } from "../../src/world/scenario/load.js";
import { MAX_SCENARIO_NODES } from "../../src/limits.js";

const dir = mkdtempSync(join(tmpdir(), "scenario-limits-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  delete process.env.INFRA_MAX_SCENARIO_BYTES;
  delete process.env.INFRA_MAX_SCENARIO_NODES;
});

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return (e as Error).message;
  }
  throw new Error("the scenario was accepted");
}

const demo = () =>
  JSON.parse(readFileSync(join(SCENARIOS_DIR, "demo.json"), "utf8")) as Record<string, unknown> & {
    dependencies: Record<string, unknown>[];
    nodes: Record<string, unknown>[];
  };

describe("unknown keys in a scenario", () => {
  it("a misspelt bufferHours is refused with its path and what it meant (it used to drop the hospital's generator)", () => {
    const s = demo();
    const i = s.dependencies.findIndex((d) => d.bufferHours === 3);
    s.dependencies[i].bufferHour = s.dependencies[i].bufferHours;
    delete s.dependencies[i].bufferHours;
    const file = join(dir, "typo.json");
    writeFileSync(file, JSON.stringify(s));
    expect(refusal(() => loadScenario(file))).toBe(
      `typo.json: dependencies[${i}]: unknown key "bufferHour" (did you mean "bufferHours"?)`,
    );
  });

  it("at the top level and in nested objects; keys far from any known one list the known keys; $schema is allowed", () => {
    const s = demo();
    s.$schema = "./scenario.schema.json";
    s.crew = [];
    (s.nodes[0] as Record<string, unknown>).colour = "red";
    const file = join(dir, "unknown.json");
    writeFileSync(file, JSON.stringify(s));
    const message = refusal(() => loadScenario(file));
    expect(message).toContain(`unknown.json: unknown key "crew" (did you mean "crews"?)`);
    expect(message).toMatch(
      /unknown\.json: nodes\[0\]: unknown key "colour" \(known keys: id, network, type, name, x, y, population, criticality, role, note\)/,
    );
  });

  it("a misspelt CSV column is refused with what it meant", () => {
    const folder = join(dir, "csv-typo");
    cpSync(join(SCENARIOS_DIR, "ieee123"), folder, { recursive: true });
    const deps = readFileSync(join(folder, "dependencies.csv"), "utf8").split("\n");
    deps[0] = deps[0].replace("buffer_hours", "bufer_hours");
    writeFileSync(join(folder, "dependencies.csv"), deps.join("\n"));
    expect(refusal(() => loadScenario(folder))).toMatch(
      /dependencies\.csv:1: unknown column "bufer_hours" \(did you mean "buffer_hours"\?\)/,
    );
  });
});

describe("size caps", () => {
  it(`a 1,000,000-node JSON is refused with a clear message (cap ${MAX_SCENARIO_NODES.toLocaleString("en-US")}), before anything is built`, () => {
    const nodes = Array.from(
      { length: 1_000_000 },
      (_, i) => `{"id":"n${i}","network":"power","type":"bus","x":${i % 1000},"y":${Math.floor(i / 1000)}}`,
    );
    const file = join(dir, "million.json");
    writeFileSync(file, `{"name":"million","coordinates":"lonlat","nodes":[${nodes.join(",")}]}`);
    const started = Date.now();
    expect(refusal(() => loadScenario(file))).toBe(
      `million.json: nodes: 1,000,000 nodes is over the limit of ${MAX_SCENARIO_NODES.toLocaleString("en-US")} (set INFRA_MAX_SCENARIO_NODES to raise it)`,
    );
    // Refused after parsing only (no validation, no world): it does not hang.
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  it("caps on bytes and on nodes are configurable, and a file under them loads", () => {
    const file = join(dir, "demo.json");
    writeFileSync(file, readFileSync(join(SCENARIOS_DIR, "demo.json")));
    process.env.INFRA_MAX_SCENARIO_BYTES = "1000";
    expect(refusal(() => loadScenario(file))).toMatch(
      /^demo\.json: file of [\d,]+ bytes is over the limit of 1,000 bytes \(set INFRA_MAX_SCENARIO_BYTES to raise it\)$/,
    );
    process.env.INFRA_MAX_SCENARIO_BYTES = String(10 * 1024 * 1024);
    process.env.INFRA_MAX_SCENARIO_NODES = "10";
    expect(refusal(() => loadScenario(file))).toMatch(/nodes: 36 nodes is over the limit of 10/);
    process.env.INFRA_MAX_SCENARIO_NODES = "100";
    expect(loadScenario(file).nodes.length).toBe(36);
  });

  it("CSV: rows, file bytes and cell length are capped", () => {
    const folder = join(dir, "csv-big");
    cpSync(join(SCENARIOS_DIR, "ieee123"), folder, { recursive: true });
    process.env.INFRA_MAX_SCENARIO_NODES = "50";
    expect(refusal(() => loadScenario(folder))).toMatch(/nodes\.csv: \d+ rows is over the limit of 50/);
    delete process.env.INFRA_MAX_SCENARIO_NODES;
    process.env.INFRA_MAX_SCENARIO_BYTES = "3000";
    expect(refusal(() => loadScenario(folder))).toMatch(
      /nodes\.csv: file of [\d,]+ bytes is over the limit of 3,000 bytes/,
    );
    delete process.env.INFRA_MAX_SCENARIO_BYTES;
    const lines = readFileSync(join(folder, "nodes.csv"), "utf8").split("\n");
    lines[1] = `${lines[1].replace(/,[^,]*$/, "")},${"x".repeat(5_000)}`;
    writeFileSync(join(folder, "nodes.csv"), lines.join("\n"));
    expect(refusal(() => loadScenario(folder))).toMatch(
      /nodes\.csv:2:note: value of 5,000 characters is over the limit of 2,000/,
    );
  });

  it("a free-text field in JSON is capped", () => {
    const s = demo();
    s.nodes[0].note = "y".repeat(10_000);
    const file = join(dir, "long-note.json");
    writeFileSync(file, JSON.stringify(s));
    expect(refusal(() => loadScenario(file))).toMatch(/long-note\.json: nodes\[0\]\.note: .*2000/);
  });
});
