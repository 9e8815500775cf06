/**
 * Builds the shipped CSV-folder scenario scenarios/shelby/ from the Shelby County (Memphis)
 * interdependent networks of the INDP data (MIT licence; copied with its README and LICENSE into
 * data/shelby/, from which this script reads by default).
 *
 *   npm run import:shelby [-- <source dir>]
 *
 * Writes nodes, links, dependencies, crews (8 of the roster) and damage (case d100) as a utility's
 * GIS would export them, plus damage-cases.csv (every damage case the evaluation uses) and a
 * README. Everything the data does not say is chosen here and written down in scenario.json's
 * `assumptions`. Deterministic; the output is validated by importing it back.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  shelbyCrews,
  SHELBY_CREW_CAPACITY_HOURS,
  SHELBY_CREW_SPEED_KMH,
  SHELBY_ROSTER,
} from "../src/evaluation/shelby.js";
import { greatCircleKm } from "../src/world/geo.js";
import { importCsvFolder, parseCsv } from "../src/world/scenario/csv.js";
import type { ScenarioNode } from "../src/world/scenario/schema.js";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SOURCE = resolve(process.argv[2] ?? join(REPO, "data", "shelby"));
const OUT = join(REPO, "scenarios", "shelby");

// ----- Choices (each one is repeated in the assumptions below) -----

const LAYERS = [
  { file: "Power", network: "power", prefix: "P" },
  { file: "Water", network: "water", prefix: "W" },
  { file: "Gas", network: "gas", prefix: "G" },
  { file: "Telecommunication", network: "telecom", prefix: "T" },
] as const;
type Layer = (typeof LAYERS)[number];
const NETWORK_OF: Record<string, Layer> = Object.fromEntries(LAYERS.map((l) => [l.file, l]));

/** Asset types as the data names them, made unique across networks (a gas and a power gate station repair differently). */
function nodeType(layer: Layer, raw: string): string {
  const t = raw
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_|_$/g, "");
  if (t === "gate_station") return `${layer.network}_gate_station`;
  if (t === "other") return `${layer.network}_node`;
  if (t === "intersections_point") return "intersection_point";
  if (/^\d/.test(t)) return `substation_${t.replace(/_substation$/, "")}`;
  return t;
}
const arcType = (raw: string) =>
  raw
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_");

/** Typical repair times (minutes) chosen by us: the data gives repair costs (q, f), not durations. */
const REPAIR_MINUTES: Record<string, number> = {
  power_gate_station: 1440,
  substation_23kv: 720,
  substation_12kv: 480,
  intersection_point: 240,
  transmission_line: 360,
  pumping_station: 720,
  storage_tank: 720,
  distribution_node: 360,
  water_pipe: 480,
  gas_gate_station: 720,
  regulator_station: 480,
  gas_node: 360,
  gas_pipe: 480,
  fiber_or_microwave_node: 360,
  splice_capsules: 180,
  fiber_optic_cable: 240,
  microwave: 120,
};
const DEFAULT_REPAIR_MINUTES = 360;

/** Dependency buffers (hours) by (dependee network -> depender network), chosen by us: the data gives none. */
const BUFFER_HOURS: Record<string, number> = {
  "power>water": 0, // pumps stop with their feed; tanks are handled below
  "power>telecom": 4, // battery plant at every telecom node
  "telecom>power": 8, // SCADA lost: substations can be run by hand for a shift
  "power>gas": 2, // regulator stations: small battery / UPS for controls
  "gas>power": 0, // gas-fired generation at the gate station
  "water>power": 0, // cooling water
};
const TANK_BUFFER_HOURS = 4; // a storage tank keeps supplying for a while after its pumps lose power

/** Major hospitals (approximate locations, chosen by us; the data has no facilities). */
const HOSPITALS = [
  { id: "H-RegionalOne", name: "Regional One Health (trauma center)", x: -90.0329, y: 35.1416 },
  { id: "H-MethodistUniv", name: "Methodist University Hospital", x: -90.0215, y: 35.1369 },
  { id: "H-BaptistMemphis", name: "Baptist Memorial Hospital-Memphis", x: -89.8626, y: 35.104 },
  { id: "H-MethodistGermantown", name: "Methodist Le Bonheur Germantown", x: -89.8017, y: 35.096 },
  { id: "H-MethodistNorth", name: "Methodist North Hospital", x: -89.939, y: 35.22 },
];
const HOSPITAL_PEOPLE = 1000;
const HOSPITAL_CRITICALITY = 10;
const HOSPITAL_POWER_BUFFER_HOURS = 6; // on-site generators
const HOSPITAL_WATER_BUFFER_HOURS = 12; // on-site storage

/** Damage cases from the Wu set: one scenario near 50 and the largest (101); a compound case of the largest scenarios' union to reach about 200. */
const SINGLE_CASES = [
  { id: "d50", set: "14", scenario: "88" },
  { id: "d100", set: "48", scenario: "53" },
];
const COMPOUND_TARGET = 200;
const DEFAULT_CASE = "d100";
const DEFAULT_CREWS = 8;

// ----- Reading -----

function readTable(file: string): Record<string, string>[] {
  const text = readFileSync(join(SOURCE, file), "utf8");
  const { records, errors } = parseCsv(text);
  if (errors.length) throw new Error(`${file}: ${errors.map((e) => `line ${e.line}: ${e.message}`).join("; ")}`);
  const [header, ...rows] = records;
  if (!header) throw new Error(`${file}: empty`);
  const names = header.fields.map((h) => h.trim());
  return rows.map((r) => Object.fromEntries(names.map((h, i) => [h, (r.fields[i] ?? "").trim()])));
}

const nodeRows: Record<string, unknown>[] = [];
const linkRows: Record<string, unknown>[] = [];
const nodesById = new Map<string, ScenarioNode>();
const arcIdByEnds = new Map<string, string>();
const peopleByNetwork: Record<string, number> = {};
for (const layer of LAYERS) {
  const nodes = readTable(`Extended_Shelby_County/${layer.file}Nodes.csv`);
  // Telecom is the one layer whose signs are the other way round: node 9 alone has a negative value.
  const supplyWhenPositive = layer.network !== "telecom";
  for (const r of nodes) {
    const demand = Number(r.Demand);
    const type = nodeType(layer, r["Node Type"]!);
    const people = r.population === "N/A" || r.population === "" ? 0 : Number(r.population);
    const role = demand === 0 ? "transit" : demand > 0 === supplyWhenPositive ? "supply" : "demand";
    const node: ScenarioNode = {
      id: `${layer.prefix}${r.ID}`,
      network: layer.network,
      type,
      x: Number(r.X),
      y: Number(r.Y),
      population: role === "demand" ? people : 0,
      criticality: 1,
      role,
      note: `INDP ${layer.file} node ${r.ID}: ${r["Node Type"]}, value ${r.Demand}${role !== "demand" && people ? `, population column ${people}` : ""}`,
    };
    nodesById.set(node.id, node);
    nodeRows.push({ ...node, name: "" });
    peopleByNetwork[layer.network] = (peopleByNetwork[layer.network] ?? 0) + node.population;
  }
  for (const r of readTable(`Extended_Shelby_County/${layer.file}Arcs.csv`)) {
    const id = `${layer.prefix}A${r.ID}`;
    const from = `${layer.prefix}${r["Start Node"]}`,
      to = `${layer.prefix}${r["End Node"]}`;
    if (!nodesById.has(from) || !nodesById.has(to)) throw new Error(`${layer.file} arc ${r.ID}: unknown end`);
    linkRows.push({
      id,
      network: layer.network,
      type: arcType(r["Arc Type"]!),
      from,
      to,
      length_km: Number(r["Length (km)"]),
    });
    arcIdByEnds.set(`${layer.file}:${r["Start Node"]}-${r["End Node"]}`, id);
    arcIdByEnds.set(`${layer.file}:${r["End Node"]}-${r["Start Node"]}`, id);
  }
}

// ----- Dependencies -----

const depRows: { dependee: string; depender: string; buffer_hours: number }[] = [];
const depCounts: Record<string, number> = {};
for (const r of readTable("Extended_Shelby_County/Interdep.csv")) {
  const a = NETWORK_OF[r["Dependee Network"]!],
    b = NETWORK_OF[r["Depender Network"]!];
  if (!a || !b) throw new Error(`Interdep: unknown network in ${JSON.stringify(r)}`);
  const dependee = `${a.prefix}${r["Dependee Node"]}`,
    depender = `${b.prefix}${r["Depender Node"]}`;
  if (!nodesById.has(dependee) || !nodesById.has(depender))
    throw new Error(`Interdep: unknown node ${dependee} or ${depender}`);
  const key = `${a.network}>${b.network}`;
  let buffer = BUFFER_HOURS[key];
  if (buffer === undefined) throw new Error(`no buffer chosen for ${key}`);
  if (nodesById.get(depender)!.type === "storage_tank") buffer = TANK_BUFFER_HOURS;
  depRows.push({ dependee, depender, buffer_hours: buffer });
  depCounts[key] = (depCounts[key] ?? 0) + 1;
}

// ----- Hospitals: a one-node network each, needing the nearest substation and the nearest water distribution node -----

const nearest = (network: string, pred: (n: ScenarioNode) => boolean, x: number, y: number) => {
  let best: ScenarioNode | null = null,
    bestD = Infinity;
  for (const n of nodesById.values()) {
    if (n.network !== network || !pred(n)) continue;
    const d = greatCircleKm(x, y, n.x, n.y);
    if (d < bestD) {
      bestD = d;
      best = n;
    }
  }
  return best!;
};
const hospitalNotes: string[] = [];
for (const h of HOSPITALS) {
  nodeRows.push({
    id: h.id,
    network: "hospital",
    type: "hospital",
    x: h.x,
    y: h.y,
    population: HOSPITAL_PEOPLE,
    criticality: HOSPITAL_CRITICALITY,
    role: "supply",
    name: h.name,
    note: "",
  });
  const sub = nearest("power", (n) => n.type.startsWith("substation_"), h.x, h.y);
  const water = nearest("water", (n) => n.type === "distribution_node", h.x, h.y);
  depRows.push({ dependee: sub.id, depender: h.id, buffer_hours: HOSPITAL_POWER_BUFFER_HOURS });
  depRows.push({ dependee: water.id, depender: h.id, buffer_hours: HOSPITAL_WATER_BUFFER_HOURS });
  hospitalNotes.push(`${h.name} (${h.id}: power from ${sub.id}, water from ${water.id})`);
}

// ----- Damage cases from the Wu set -----

const wu = readTable("derived/wu_damage_scenarios_long.csv");
const byScenario = new Map<string, string[]>();
for (const r of wu) {
  const layer = NETWORK_OF[r.network!];
  if (!layer) throw new Error(`Wu: unknown network ${r.network}`);
  const id =
    r.element === "node"
      ? `${layer.prefix}${r.node_or_start}`
      : arcIdByEnds.get(`${r.network}:${r.node_or_start}-${r.end}`);
  if (!id || (r.element === "node" && !nodesById.has(id))) throw new Error(`Wu: no asset for ${JSON.stringify(r)}`);
  const key = `${r.set}/${r.scenario}`;
  byScenario.set(key, [...(byScenario.get(key) ?? []), id]);
}
const damageCases: { id: string; source: string; assets: string[] }[] = SINGLE_CASES.map((c) => {
  const assets = [...new Set(byScenario.get(`${c.set}/${c.scenario}`) ?? [])];
  if (assets.length === 0) throw new Error(`Wu: no scenario ${c.set}/${c.scenario}`);
  return { id: c.id, source: `Wu set ${c.set} scenario ${c.scenario}`, assets };
});
{
  // The largest scenarios first (ties by set and scenario), until their union reaches the target.
  const ranked = [...byScenario.entries()].sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1));
  const union = new Set<string>();
  const used: string[] = [];
  for (const [key, assets] of ranked) {
    if (union.size >= COMPOUND_TARGET) break;
    used.push(key);
    for (const a of assets) union.add(a);
  }
  damageCases.push({
    id: "d200",
    source: `union of Wu scenarios ${used.join(", ")} (a compound case, not one of Wu's)`,
    assets: [...union],
  });
}
const defaultCase = damageCases.find((c) => c.id === DEFAULT_CASE)!;

// ----- Checks -----

const tractPeople = readTable("Extended_Shelby_County/Population.csv")
  .slice(1)
  .reduce((s, r) => s + Number(r.HD01_VD01), 0);
if (!Number.isFinite(tractPeople) || tractPeople <= 0) throw new Error("Population.csv: no tract totals");

// ----- Writing -----

function csvCell(v: unknown): string {
  const s = v === undefined || v === null ? "" : String(v);
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
function writeCsv(file: string, columns: string[], rows: Record<string, unknown>[]): void {
  const lines = [columns.join(","), ...rows.map((r) => columns.map((c) => csvCell(r[c])).join(","))];
  writeFileSync(join(OUT, file), lines.join("\n") + "\n");
}

const fmt = (v: number) => Math.round(v).toLocaleString("en-US");
const assumptions = [
  "Source: the Shelby County (Memphis, TN) interdependent networks of the INDP data (htalebiyan/Dec2py, MIT licence; Extended_Shelby_County), copied with its licence into data/shelby/. Four networks: power (75 nodes, 93 arcs), water (49, 71), gas (16, 17), telecom (27, 36); arcs are bidirectional links.",
  "Coordinates are the data's longitudes and latitudes; link lengths are the data's Length (km).",
  "Roles from the data's signed Demand value: in power, water and gas a positive value is a supply (power and gas gate stations, water pumping stations and storage tanks) and a negative one a demand node; zero-valued nodes (power intersection points, telecom splice capsules) are transit nodes. In telecom the signs are the other way round (node 9 alone is negative): node 9 is taken as the core (the supply) and the other fiber or microwave nodes as demand.",
  `People per demand node = the data's population column (census-tract population served, which the authors derived from Population.csv): power ${fmt(peopleByNetwork.power!)}, water ${fmt(peopleByNetwork.water!)}, gas ${fmt(peopleByNetwork.gas!)}, telecom ${fmt(peopleByNetwork.telecom!)} people; Population.csv's ${fmt(tractPeople)} over its tracts agrees within ${((100 * Math.abs(tractPeople - peopleByNetwork.power!)) / tractPeople).toFixed(1)} %. Each network counts its own customers, so a person without power and water counts twice. Supply nodes carry no people.`,
  `Critical facilities, chosen by us (the data has none): ${HOSPITALS.length} major hospitals at approximate locations, each a one-node network "hospital" of ${HOSPITAL_PEOPLE} people with criticality ${HOSPITAL_CRITICALITY}, needing the nearest power substation (generator buffer ${HOSPITAL_POWER_BUFFER_HOURS} h) and the nearest water distribution node (storage buffer ${HOSPITAL_WATER_BUFFER_HOURS} h): ${hospitalNotes.join("; ")}.`,
  `Cross-network dependencies are the data's Interdep.csv (${Object.entries(depCounts)
    .map(([k, v]) => `${k.replace(">", " to ")} ${v}`)
    .join(
      ", ",
    )}); a depender works only while every dependee it has is in service. Buffers chosen by us (the data gives none): power to water 0 h (pumps stop), except storage tanks ${TANK_BUFFER_HOURS} h; power to telecom ${BUFFER_HOURS["power>telecom"]} h (batteries); telecom to power ${BUFFER_HOURS["telecom>power"]} h (substations run by hand without SCADA); power to gas ${BUFFER_HOURS["power>gas"]} h; gas to power and water to power 0 h.`,
  `Repair times are typical values we chose (the data's q and f are repair costs, not durations), in minutes: ${Object.entries(
    REPAIR_MINUTES,
  )
    .map(([k, v]) => `${k} ${v}`)
    .join(", ")}; anything else ${DEFAULT_REPAIR_MINUTES}.`,
  `Crews: a roster of ${SHELBY_ROSTER.length} single-network crews fixed before the earthquake (${SHELBY_ROSTER.join(", ")}); an n-crew case takes its first n (4: one per network; 8: power 2, water 3, gas 1, telecom 2; 12: power 3, water 4, gas 2, telecom 3). Each network's crews start at its supply facilities in turn; ${SHELBY_CREW_SPEED_KMH} km/h; ${SHELBY_CREW_CAPACITY_HOURS} hours of capacity, so capacity never binds. crews.csv holds the ${DEFAULT_CREWS}-crew case.`,
  `Damage: earthquake scenarios of the Wu set (all at minute 0), in damage-cases.csv: ${damageCases.map((c) => `${c.id}, ${c.assets.length} assets, ${c.source}`).join("; ")}. damage.csv holds case ${DEFAULT_CASE}. The Wu set damages no power lines.`,
];

mkdirSync(OUT, { recursive: true });
writeCsv(
  "nodes.csv",
  ["id", "network", "type", "x", "y", "population", "criticality", "role", "name", "note"],
  nodeRows,
);
writeCsv("links.csv", ["id", "network", "type", "from", "to", "length_km"], linkRows);
writeCsv("dependencies.csv", ["dependee", "depender", "buffer_hours"], depRows);
writeCsv(
  "damage.csv",
  ["asset", "at_minutes"],
  defaultCase.assets.map((asset) => ({ asset, at_minutes: 0 })),
);
writeCsv(
  "damage-cases.csv",
  ["case", "source", "asset"],
  damageCases.flatMap((c) => c.assets.map((asset) => ({ case: c.id, source: c.source, asset }))),
);
const crews = shelbyCrews(DEFAULT_CREWS, { nodes: [...nodesById.values()] });
writeCsv(
  "crews.csv",
  ["id", "name", "x", "y", "skills", "capacity_hours", "speed_kmh"],
  crews.map((c) => ({ ...c, skills: c.skills.join(";"), capacity_hours: c.capacityHours, speed_kmh: c.speedKmh })),
);
writeFileSync(
  join(OUT, "scenario.json"),
  JSON.stringify(
    {
      name: "shelby",
      description:
        "Shelby County (Memphis, TN) interdependent power, water, gas and telecom networks (INDP data) after an earthquake of the Wu set; see assumptions.",
      coordinates: "lonlat",
      startTime: "2026-01-01T06:00:00Z",
      seed: 901,
      networks: ["power", "water", "gas", "telecom", "hospital"],
      repairMinutes: REPAIR_MINUTES,
      defaultRepairMinutes: DEFAULT_REPAIR_MINUTES,
      assumptions,
    },
    null,
    2,
  ) + "\n",
);
writeFileSync(
  join(OUT, "README.md"),
  [
    "# shelby: Memphis after an earthquake",
    "",
    "Generated by `npm run import:shelby` (scripts/import-shelby.ts) from `data/shelby/` (INDP data, MIT licence, see",
    "`data/shelby/README.md` and `data/shelby/LICENSE`). Do not edit by hand: change the script and run it again.",
    "",
    "`npm start -- --scenario scenarios/shelby` runs the default case (damage case d100, 8 crews). The evaluation",
    "(`npm run eval`) builds every case from these files with `shelbyScenario(case, crews)` (src/evaluation/shelby.ts):",
    "the damage of one row group of `damage-cases.csv` and the first 4, 8 or 12 crews of the roster.",
    "",
    "## What was added to the data",
    "",
    ...assumptions.map((a) => `- ${a}`),
    "",
  ].join("\n"),
);

const s = importCsvFolder(OUT);
console.log(
  `wrote ${relative(process.cwd(), OUT) || "."}: ${s.nodes.length} nodes, ${s.links.length} links, ${s.dependencies.length} dependencies, ${s.crews.length} crews, ` +
    `damage cases ${damageCases.map((c) => `${c.id} (${c.assets.length})`).join(", ")}`,
);
