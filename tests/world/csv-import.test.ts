import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { issuesOf } from "../support/scenario-errors.js";
import { importCsvFolder, parseCsv } from "../../src/world/scenario/csv.js";
import { loadScenario } from "../../src/world/scenario/load.js";

const GOOD: Record<string, string> = {
  "scenario.json": JSON.stringify({
    name: "tiny",
    coordinates: { kind: "xy", unit: "km" },
    repairMinutes: { line: 90 },
  }),
  "nodes.csv": [
    "id,network,type,x,y,population,criticality,role,name,gis_objectid",
    "S,power,substation,0,0,,,supply,Main substation,1001",
    'A,power,bus,1.5,0,120,,,"Bus A, north",1002',
    'H,power,hospital,2,1,300,10,demand,"St. ""Mary"" hospital",1003',
    "P,water,pumping_station,2,2,0,,supply,,1004",
  ].join("\n"),
  "links.csv": ["id,network,from,to,type,length_km", "L1,power,S,A,,", "L2,power,A,H,cable,0.8"].join("\n"),
  "dependencies.csv": ["dependee,depender,buffer_hours", "H,P,", "A,P,6"].join("\n"),
  "crews.csv": ["id,x,y,skills,capacity_hours,speed_kmh", "c1,0,0,power; water,16,", "c2,1,1,power,8,55"].join("\n"),
  "damage.csv": ["asset,at_minutes", "L1,", "A,30"].join("\n"),
};

function folder(files: Record<string, string | undefined>): string {
  const dir = mkdtempSync(join(tmpdir(), "csv-import-"));
  for (const [name, text] of Object.entries(files)) if (text !== undefined) writeFileSync(join(dir, name), text);
  return dir;
}

describe("parseCsv", () => {
  it("handles quotes, escaped quotes, commas and newlines inside quotes, CRLF and a BOM", () => {
    const text = '\uFEFFa,b,c\r\n1,"x, y","say ""hi"""\r\n2,"two\r\nlines",z\r\n\r\n3,,\r\n';
    const { records, errors } = parseCsv(text);
    expect(errors).toEqual([]);
    expect(records).toEqual([
      { line: 1, fields: ["a", "b", "c"] },
      { line: 2, fields: ["1", "x, y", 'say "hi"'] },
      { line: 3, fields: ["2", "two\nlines", "z"] },
      { line: 6, fields: ["3", "", ""] },
    ]);
  });

  it("reports an unclosed quote with its line", () => {
    const { errors } = parseCsv('a,b\n1,"open\n2,3\n');
    expect(errors).toEqual([{ line: 2, message: expect.stringMatching(/not closed/) }]);
  });

  it("keeps a last record without a newline and quoted empty fields", () => {
    expect(parseCsv('a,b\n"",x').records).toEqual([
      { line: 1, fields: ["a", "b"] },
      { line: 2, fields: ["", "x"] },
    ]);
  });
});

describe("importCsvFolder", () => {
  it("imports a good folder, ignoring unknown columns and filling defaults for empty cells", () => {
    const s = importCsvFolder(folder(GOOD));
    expect(s.name).toBe("tiny");
    expect(s.coordinates).toEqual({ kind: "xy", unit: "km" });
    expect(s.repairMinutes).toEqual({ line: 90 });
    expect(s.nodes).toHaveLength(4);
    expect(s.nodes[0]).toEqual({
      id: "S",
      network: "power",
      type: "substation",
      x: 0,
      y: 0,
      population: 0,
      criticality: 1,
      role: "supply",
      name: "Main substation",
    });
    expect(s.nodes[1]).toMatchObject({
      id: "A",
      name: "Bus A, north",
      population: 120,
      role: "demand",
      criticality: 1,
    });
    expect(s.nodes[2]).toMatchObject({ name: 'St. "Mary" hospital', criticality: 10 });
    expect(s.nodes[0]).not.toHaveProperty("gis_objectid");
    expect(s.links).toEqual([
      { id: "L1", network: "power", type: "line", from: "S", to: "A" },
      { id: "L2", network: "power", type: "cable", from: "A", to: "H", lengthKm: 0.8 },
    ]);
    expect(s.dependencies).toEqual([
      { dependee: "H", depender: "P", bufferHours: 0 },
      { dependee: "A", depender: "P", bufferHours: 6 },
    ]);
    expect(s.crews[0]).toEqual({ id: "c1", x: 0, y: 0, skills: ["power", "water"], capacityHours: 16, speedKmh: 40 });
    expect(s.crews[1]!.speedKmh).toBe(55);
    expect(s.damage).toEqual([
      { asset: "L1", atMinutes: 0 },
      { asset: "A", atMinutes: 30 },
    ]);
  });

  it("is reachable through loadScenario with a folder path", () => {
    expect(loadScenario(folder(GOOD)).nodes).toHaveLength(4);
  });

  it("treats missing optional files as empty", () => {
    const s = importCsvFolder(folder({ "scenario.json": GOOD["scenario.json"], "nodes.csv": GOOD["nodes.csv"] }));
    expect(s.links).toEqual([]);
    expect(s.dependencies).toEqual([]);
    expect(s.crews).toEqual([]);
    expect(s.damage).toEqual([]);
  });

  it("matches column names ignoring case and underscores", () => {
    const s = importCsvFolder(folder({ ...GOOD, "links.csv": "ID,Network,From,To,LengthKm\nL1,power,S,A,2.5" }));
    expect(s.links[0]!.lengthKm).toBe(2.5);
  });

  it("requires nodes.csv and scenario.json", () => {
    const issues = issuesOf(() => importCsvFolder(folder({ "links.csv": GOOD["links.csv"] })));
    expect(issues.map((i) => i.where).sort()).toEqual(["nodes.csv", "scenario.json"]);
  });

  it("names the file and column when a required column is missing", () => {
    const issues = issuesOf(() => importCsvFolder(folder({ ...GOOD, "links.csv": "id,network,to\nL1,power,A" })));
    expect(issues).toEqual([{ where: "links.csv", message: 'required column "from" is missing from the header' }]);
  });

  it("names file:line:column for a cell that is not a number, and collects every such error", () => {
    const nodes = GOOD["nodes.csv"]!.replace("A,power,bus,1.5,0,120", "A,power,bus,1.5,0,lots").replace(
      "H,power,hospital,2,1",
      "H,power,hospital,2,north",
    );
    const crews = "id,x,y,skills,capacity_hours\nc1,0,0,power,";
    const issues = issuesOf(() => importCsvFolder(folder({ ...GOOD, "nodes.csv": nodes, "crews.csv": crews })));
    expect(issues).toEqual([
      { where: "nodes.csv:3:population", message: 'not a number: "lots"' },
      { where: "nodes.csv:4:y", message: 'not a number: "north"' },
      { where: "crews.csv:2:capacity_hours", message: "required value is empty" },
    ]);
  });

  it("maps schema errors back to file:line:column", () => {
    const links = ["id,network,from,to", "L1,power,S,A", "L2,power,A,Nowhere"].join("\n");
    const damage = "asset\nL1\nL7";
    const nodes = GOOD["nodes.csv"]!.replace("120,,,", "-3,,pump,");
    const issues = issuesOf(() =>
      importCsvFolder(folder({ ...GOOD, "links.csv": links, "damage.csv": damage, "nodes.csv": nodes })),
    );
    expect(issues).toEqual(
      expect.arrayContaining([
        { where: "nodes.csv:3:population", message: expect.stringMatching(/>=\s*0/) },
        { where: "nodes.csv:3:role", message: expect.stringMatching(/supply/) },
      ]),
    );
    // Reference checks run once the values themselves are valid.
    const issues2 = issuesOf(() => importCsvFolder(folder({ ...GOOD, "links.csv": links, "damage.csv": damage })));
    expect(issues2).toEqual([
      { where: "links.csv:3:to", message: 'unknown node "Nowhere"' },
      { where: "damage.csv:3:asset", message: 'unknown asset "L7"' },
    ]);
  });

  it("counts physical lines when a quoted field spans lines", () => {
    const nodes = [
      "id,network,type,x,y,role,note",
      'S,power,substation,0,0,supply,"two',
      'lines"',
      "A,power,bus,1,1,,",
      "B,power,bus,1,1,,",
    ].join("\n");
    const links = "id,network,from,to\nL1,power,S,A\nL1,power,A,B";
    const issues = issuesOf(() =>
      importCsvFolder(folder({ "scenario.json": GOOD["scenario.json"], "nodes.csv": nodes, "links.csv": links })),
    );
    expect(issues).toEqual([{ where: "links.csv:3:id", message: 'duplicate id "L1"' }]);
    const crews = 'id,x,y,skills,capacity_hours\n"c\n1",0,0,,8\nc2,0,0,power,8';
    const issues2 = issuesOf(() =>
      importCsvFolder(folder({ "scenario.json": GOOD["scenario.json"], "nodes.csv": nodes, "crews.csv": crews })),
    );
    expect(issues2).toEqual([{ where: "crews.csv:2:skills", message: "required value is empty" }]);
    const crews3 = 'id,x,y,skills,capacity_hours\n"c\n1",0,0,power,8\nc2,0,0,telecom,8';
    const issues3 = issuesOf(() =>
      importCsvFolder(folder({ "scenario.json": GOOD["scenario.json"], "nodes.csv": nodes, "crews.csv": crews3 })),
    );
    expect(issues3).toEqual([{ where: "crews.csv:4:skills", message: 'unknown network "telecom"' }]);
  });

  it("places scenario.json problems in scenario.json", () => {
    const meta = JSON.stringify({ name: "", coordinates: "lonlat", defaultRepairMinutes: -1 });
    const issues = issuesOf(() => importCsvFolder(folder({ ...GOOD, "scenario.json": meta })));
    expect(issues.map((i) => i.where).sort()).toEqual(["scenario.json: defaultRepairMinutes", "scenario.json: name"]);
    const bad = issuesOf(() => importCsvFolder(folder({ ...GOOD, "scenario.json": '{"name": "x",}' })));
    expect(bad[0]!.where).toMatch(/^scenario\.json/);
    expect(bad[0]!.message).toMatch(/invalid JSON/);
  });

  it("rejects a row with more fields than the header", () => {
    const issues = issuesOf(() => importCsvFolder(folder({ ...GOOD, "damage.csv": "asset,at_minutes\nL1,0,5" })));
    expect(issues).toEqual([
      { where: "damage.csv:2", message: expect.stringMatching(/3 fields but the header has 2/) },
    ]);
  });
});
