import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { issuesOf } from "../support/scenario-errors.js";
import { ScenarioError } from "../../src/world/scenario/issues.js";
import { listShippedScenarios, loadScenario, parseScenario } from "../../src/world/scenario/load.js";

/** A small valid scenario; tests change one thing at a time. */
function base(): any {
  return {
    name: "t",
    coordinates: { kind: "xy", unit: "km" },
    nodes: [
      { id: "S", network: "power", type: "substation", x: 0, y: 0, role: "supply" },
      { id: "A", network: "power", type: "bus", x: 1, y: 0, population: 100 },
      { id: "W", network: "water", type: "pumping_station", x: 1, y: 1, role: "supply" },
    ],
    links: [{ id: "L1", network: "power", from: "S", to: "A" }],
    dependencies: [{ dependee: "S", depender: "W", bufferHours: 4 }],
    crews: [{ id: "c1", x: 0, y: 0, skills: ["power"], capacityHours: 8 }],
    damage: [{ asset: "L1" }],
  };
}

describe("parseScenario", () => {
  it("accepts a valid scenario and fills defaults", () => {
    const s = parseScenario(base());
    expect(s.nodes[1]).toMatchObject({ role: "demand", criticality: 1, population: 100 });
    expect(s.links[0]!.type).toBe("line");
    expect(s.crews[0]!.speedKmh).toBe(40);
    expect(s.damage[0]!.atMinutes).toBe(0);
    expect(s.startTime).toBe("2026-01-01T00:00:00Z");
    expect(s.weather).toEqual([]);
  });

  it("names an unknown node in a link with its path", () => {
    const j = base();
    j.links[0].to = "nowhere";
    const issues = issuesOf(() => parseScenario(j, "demo.json"));
    expect(issues).toEqual([{ where: "demo.json: links[0].to", message: 'unknown node "nowhere"' }]);
  });

  it("names an unknown node in a dependency", () => {
    const j = base();
    j.dependencies.push({ dependee: "ghost", depender: "A" });
    const issues = issuesOf(() => parseScenario(j, "demo.json"));
    expect(issues).toEqual([{ where: "demo.json: dependencies[1].dependee", message: 'unknown node "ghost"' }]);
  });

  it("reports duplicate ids across nodes and links", () => {
    const j = base();
    j.links.push({ id: "A", network: "power", from: "S", to: "A" });
    const issues = issuesOf(() => parseScenario(j));
    expect(issues).toEqual([{ where: "scenario: links[1].id", message: 'duplicate id "A"' }]);
  });

  it("refuses a storm expected to cause more breaks than a world could draw, and takes a week-long one", () => {
    // Found by the scenario fuzzing: a storm of 0.8 breaks an hour until minute 1e308 ran the world out of memory.
    const storm = (toMinutes: number) => ({
      condition: "storm",
      fromMinutes: 30,
      toMinutes,
      damageRatePerHour: 0.8,
    });
    const j = base();
    j.weather = [storm(1e308)];
    const issues = issuesOf(() => parseScenario(j, "x.json"));
    expect(issues).toHaveLength(1);
    expect(issues[0]!.where).toBe("x.json: weather[0].damageRatePerHour");
    expect(issues[0]!.message).toMatch(/breaks over this period .*at most 100,000/);
    const week = base();
    week.weather = [storm(7 * 24 * 60)];
    expect(parseScenario(week).weather).toHaveLength(1);
  });

  it("rejects a negative population", () => {
    const j = base();
    j.nodes[1].population = -5;
    const issues = issuesOf(() => parseScenario(j, "x.json"));
    expect(issues).toHaveLength(1);
    expect(issues[0]!.where).toBe("x.json: nodes[1].population");
    expect(issues[0]!.message).toMatch(/>=\s*0/);
  });

  it("rejects a crew without skills", () => {
    const j = base();
    j.crews[0].skills = [];
    const issues = issuesOf(() => parseScenario(j));
    expect(issues).toEqual([
      { where: "scenario: crews[0].skills", message: expect.stringMatching(/at least one skill/) },
    ]);
  });

  it("rejects an unknown network when networks are declared", () => {
    const j = base();
    j.networks = ["power", "water"];
    j.crews[0].skills = ["power", "gas"];
    j.nodes.push({ id: "G", network: "gaz", type: "valve", x: 0, y: 0 });
    const issues = issuesOf(() => parseScenario(j));
    expect(issues).toEqual(
      expect.arrayContaining([
        { where: "scenario: nodes[3].network", message: 'unknown network "gaz"' },
        { where: "scenario: crews[0].skills[1]", message: 'unknown network "gas"' },
      ]),
    );
    expect(issues).toHaveLength(2);
  });

  it("rejects a link whose ends are in another network", () => {
    const j = base();
    j.links.push({ id: "L2", network: "power", from: "A", to: "W" });
    const issues = issuesOf(() => parseScenario(j));
    expect(issues).toEqual([
      { where: "scenario: links[1].to", message: 'node "W" is in network "water", not "power"' },
    ]);
  });

  it("lists every issue, one per line, in the message", () => {
    const j = base();
    j.links[0].from = "nope";
    j.damage.push({ asset: "L9" });
    let error: unknown;
    try {
      parseScenario(j, "demo.json");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScenarioError);
    expect((error as Error).message.split("\n")).toEqual([
      'demo.json: links[0].from: unknown node "nope"',
      'demo.json: damage[1].asset: unknown asset "L9"',
    ]);
  });

  it("explains bad coordinates and missing fields", () => {
    const j = base();
    j.coordinates = { kind: "xy", unit: "yards" };
    delete j.name;
    j.nodes[0].x = "12";
    const issues = issuesOf(() => parseScenario(j, "s.json"));
    expect(issues).toEqual(
      expect.arrayContaining([
        { where: "s.json: coordinates", message: expect.stringContaining('"lonlat"') },
        { where: "s.json: name", message: expect.stringMatching(/required/) },
        { where: "s.json: nodes[0].x", message: expect.stringMatching(/expected number, received string/) },
      ]),
    );
  });

  it("requires a supply node", () => {
    const j = base();
    for (const n of j.nodes) n.role = "demand";
    const issues = issuesOf(() => parseScenario(j));
    expect(issues).toEqual([{ where: "scenario: nodes", message: expect.stringMatching(/no supply node/) }]);
  });
});

describe("loadScenario", () => {
  const dir = mkdtempSync(join(tmpdir(), "scenario-load-"));

  it("loads a .json file by path", () => {
    const path = join(dir, "ok.json");
    writeFileSync(path, JSON.stringify(base()));
    expect(loadScenario(path).nodes).toHaveLength(3);
  });

  it("names the file in schema errors", () => {
    const j = base();
    j.links[0].from = "X";
    const path = join(dir, "mine.json");
    writeFileSync(path, JSON.stringify(j));
    expect(issuesOf(() => loadScenario(path))).toEqual([
      { where: "mine.json: links[0].from", message: 'unknown node "X"' },
    ]);
  });

  it("reports bad JSON with line and column", () => {
    const path = join(dir, "bad.json");
    writeFileSync(path, '{\n  "name": "t",\n  "nodes": [1 2]\n}\n');
    const issues = issuesOf(() => loadScenario(path));
    expect(issues).toHaveLength(1);
    expect(issues[0]!.where).toBe("bad.json:3:15");
    expect(issues[0]!.message).toMatch(/^invalid JSON/);
  });

  it("reports truncated JSON", () => {
    const path = join(dir, "cut.json");
    writeFileSync(path, '{\n  "name": "t",');
    const issues = issuesOf(() => loadScenario(path));
    expect(issues[0]!.where).toMatch(/^cut\.json(:\d+:\d+)?$/);
    expect(issues[0]!.message).toMatch(/^invalid JSON/);
  });

  it("reports a missing file or unknown name", () => {
    const issues = issuesOf(() => loadScenario(join(dir, "absent.json")));
    expect(issues[0]!.message).toMatch(/no such/);
    const byName = issuesOf(() => loadScenario("no-such-scenario"));
    expect(byName[0]).toMatchObject({ where: "no-such-scenario", message: expect.stringContaining("ieee123") });
  });

  it("lists the shipped scenarios", () => {
    expect(listShippedScenarios()).toContain("ieee123");
    expect(listShippedScenarios()).not.toContain("scenario.schema");
  });

  it("loads the shipped demo by name", () => {
    const s = loadScenario("demo");
    expect(s.name).toBe("demo");
    expect(new Set(s.nodes.map((n) => n.network))).toEqual(new Set(["power", "water", "hospital"]));
    expect(s.damage.length).toBeGreaterThan(0);
  });

  it("loads the shipped ieee123 feeder by name", () => {
    const s = loadScenario("ieee123");
    expect(s.name).toBe("ieee123");
    expect(s.coordinates).toEqual({ kind: "xy", unit: "ft" });
    expect(s.nodes).toHaveLength(130); // every bus an in-service edge touches
    expect(s.links).toHaveLength(129); // 131 edges minus the normally open Sw7 and Sw8
    const supplies = s.nodes.filter((n) => n.role === "supply");
    expect(supplies.map((n) => n.id)).toEqual(["150"]);
    expect(s.links.map((l) => l.id)).not.toContain("Sw7");
    expect(s.links.map((l) => l.id)).not.toContain("Sw8");
    expect(new Set(s.links.map((l) => l.type))).toEqual(new Set(["line", "switch", "regulator", "transformer"]));
    expect(s.nodes.reduce((a, n) => a + n.population, 0)).toBe(3490);
    expect(
      s.nodes
        .filter((n) => n.criticality > 1)
        .map((n) => n.id)
        .sort(),
    ).toEqual(["114", "48", "65", "76"]);
    expect(s.crews).toHaveLength(3);
    expect(s.damage.length).toBeGreaterThanOrEqual(8);
    expect(s.damage.length).toBeLessThanOrEqual(10);
    expect(s.repairMinutes).toMatchObject({
      line: expect.any(Number),
      switch: expect.any(Number),
      regulator: expect.any(Number),
      transformer: expect.any(Number),
    });
    expect(s.assumptions!.length).toBeGreaterThan(5);
    // L115 is 0.4 kft.
    expect(s.links.find((l) => l.id === "L115")!.lengthKm).toBeCloseTo(0.4 * 0.3048, 4);
  });
});
