/**
 * Builds the shipped CSV-folder scenario scenarios/ieee123/ from the IEEE 123-node test feeder
 * (OpenDSS version, as CSV in <repo>/data/ieee123, with its licence; see its README.md).
 *
 *   npm run import:ieee123 [-- <source dir>]
 *
 * Everything the feeder does not say (people, critical customers, crews, damage, repair times) is
 * added here and written down, sentence by sentence, in scenario.json's `assumptions`.
 * The output is validated by importing it back before the script reports success.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { importCsvFolder, parseCsv } from "../src/world/scenario/csv.js";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SOURCE = resolve(process.argv[2] ?? join(REPO, "data", "ieee123"));
const OUT = join(REPO, "scenarios", "ieee123");

// ----- Choices (each one is repeated in the assumptions below) -----

const NETWORK = "power";
const SUPPLY_BUS = "150";
const KFT_TO_KM = 0.3048;
/** People per kW of spot load: about 0.4 customers per kW (2.5 kW diversified peak per customer) × 2.5 people per customer. */
const PEOPLE_PER_KW = 1.0;
const CUSTOMERS_PER_KW = 0.4;
const CRITICAL: Record<string, { type: string; name: string }> = {
  "48": { type: "hospital", name: "Hospital" },
  "76": { type: "water_treatment", name: "Water treatment plant" },
  "65": { type: "emergency_services", name: "Fire and EMS station" },
  "114": { type: "care_home", name: "Care home" },
};
const CRITICALITY = 10;
const REPAIR_MINUTES = { line: 240, switch: 120, regulator: 480, transformer: 720 };
const DEFAULT_REPAIR_MINUTES = 180;
/** Depots in feet, like the bus coordinates: by the substation (bus 150) and at the two far ends of the feeder (buses 450 and 300). */
const CREWS = [
  { id: "crew-1", name: "Crew A (substation depot)", x: 100, y: 1400, near: "150" },
  { id: "crew-2", name: "Crew B (depot by bus 450)", x: 5450, y: 2000, near: "450" },
  { id: "crew-3", name: "Crew C (depot by bus 300)", x: 3245, y: 4110, near: "300" },
];
const CREW_CAPACITY_HOURS = 16;
const CREW_SPEED_KMH = 30;
/** Damage at minute 0: one fault on the main trunk, eight on single-phase laterals. */
const TRUNK_FAULT = "L55";
const LATERAL_FAULTS = ["L20", "L29", "L42", "L59", "L70", "L85", "L103", "L112"];

// ----- Reading -----

/** The source files this script reads; a missing one ends it with one line, before anything is written. */
const SOURCE_FILES = ["bus_coords.csv", "lines.csv", "loads.csv"];
const missing = SOURCE_FILES.filter((f) => !existsSync(join(SOURCE, f)));
if (missing.length > 0) {
  console.error(
    `import:ieee123: ${missing.join(", ")} missing in ${SOURCE} (the feeder ships in data/ieee123; or give its folder: npm run import:ieee123 -- DIR)`,
  );
  process.exit(1);
}

function readTable(file: string): Record<string, string>[] {
  const text = readFileSync(join(SOURCE, file), "utf8");
  const { records, errors } = parseCsv(text);
  if (errors.length) throw new Error(`${file}: ${errors.map((e) => `line ${e.line}: ${e.message}`).join("; ")}`);
  const [header, ...rows] = records;
  if (!header) throw new Error(`${file}: empty`);
  const names = header.fields.map((h) => h.trim());
  return rows.map((r) => Object.fromEntries(names.map((h, i) => [h, (r.fields[i] ?? "").trim()])));
}

const coords = new Map(readTable("bus_coords.csv").map((r) => [r.bus!, { x: Number(r.x), y: Number(r.y) }]));
const edges = readTable("lines.csv");
const loads = readTable("loads.csv");

const kwByBus = new Map<string, number>();
const loadNamesByBus = new Map<string, string[]>();
for (const l of loads) {
  kwByBus.set(l.bus!, (kwByBus.get(l.bus!) ?? 0) + Number(l.kw));
  loadNamesByBus.set(l.bus!, [...(loadNamesByBus.get(l.bus!) ?? []), l.name!]);
}

// ----- Links -----

const openSwitches = edges.filter((e) => e.normally_open === "1").map((e) => e.name!);
const inService = edges.filter((e) => e.normally_open !== "1");
const linkRows = inService.map((e) => {
  const type = e.element_type!;
  let lengthKm: number;
  if (type === "regulator" || type === "transformer") lengthKm = 0;
  else {
    const length = Number(e.length);
    if (!Number.isFinite(length)) throw new Error(`lines.csv: ${e.name} has no length`);
    if (e.units && e.units !== "kft") throw new Error(`lines.csv: ${e.name} is in ${e.units}, expected kft`);
    // Switches carry 0.001 with no unit in the source; treated as kft like the lines.
    lengthKm = Math.round(length * KFT_TO_KM * 10000) / 10000;
  }
  return { id: e.name!, network: NETWORK, type, from: e.bus1!, to: e.bus2!, length_km: lengthKm };
});

// ----- Nodes: every bus that an in-service edge touches, in the order of bus_coords.csv -----

const used = new Set(linkRows.flatMap((l) => [l.from, l.to]));
for (const bus of used) if (!coords.has(bus)) throw new Error(`bus ${bus} has no coordinates`);
for (const bus of kwByBus.keys()) if (!used.has(bus)) throw new Error(`load bus ${bus} is not connected`);
const nodeRows = [...coords.keys()]
  .filter((b) => used.has(b))
  .map((bus) => {
    const { x, y } = coords.get(bus)!;
    const kw = kwByBus.get(bus);
    const critical = CRITICAL[bus];
    if (bus === SUPPLY_BUS) {
      return {
        id: bus,
        network: NETWORK,
        type: "substation",
        x,
        y,
        population: 0,
        criticality: 1,
        role: "supply",
        name: "Substation",
        note: "source bus of the feeder",
      };
    }
    if (kw === undefined) {
      if (critical) throw new Error(`critical bus ${bus} has no load`);
      return {
        id: bus,
        network: NETWORK,
        type: "bus",
        x,
        y,
        population: 0,
        criticality: 1,
        role: "transit",
        name: "",
        note: "",
      };
    }
    return {
      id: bus,
      network: NETWORK,
      type: critical?.type ?? "load_bus",
      x,
      y,
      population: Math.round(kw * PEOPLE_PER_KW),
      criticality: critical ? CRITICALITY : 1,
      role: "demand",
      name: critical ? `${critical.name} (bus ${bus})` : "",
      note: `${kw} kW: ${loadNamesByBus.get(bus)!.join(" ")}`,
    };
  });

// ----- Checks on the hand-picked sets -----

const linkIds = new Set(linkRows.map((l) => l.id));
for (const id of [TRUNK_FAULT, ...LATERAL_FAULTS])
  if (!linkIds.has(id)) throw new Error(`damage: no in-service link ${id}`);
for (const c of CREWS) if (!coords.has(c.near)) throw new Error(`crew ${c.id}: no bus ${c.near}`);
const totalKw = [...kwByBus.values()].reduce((a, b) => a + b, 0);
const totalPeople = nodeRows.reduce((a, n) => a + n.population, 0);

// ----- Writing -----

function csvCell(v: unknown): string {
  const s = v === undefined || v === null ? "" : String(v);
  return /[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
function writeCsv(file: string, columns: string[], rows: Record<string, unknown>[]): void {
  const lines = [columns.join(","), ...rows.map((r) => columns.map((c) => csvCell(r[c])).join(","))];
  writeFileSync(join(OUT, file), lines.join("\n") + "\n");
}

const criticalList = Object.entries(CRITICAL).map(
  ([bus, c]) => `bus ${bus} (${c.type.replace(/_/g, " ")}, ${kwByBus.get(bus)} kW)`,
);
const assumptions = [
  "Source: the IEEE 123-node test feeder, OpenDSS version (dss-extensions/electricdss-tst, BSD-3-Clause); only buses, lines, switches, regulators, the transformer and spot loads are used.",
  "The feeder is one network, power; bus 150 (the source bus) is the only supply, a substation.",
  "Coordinates are the feeder's schematic bus coordinates in feet, not a map; line lengths are the source lengths in kft converted at 1 kft = 0.3048 km.",
  `Every bus that an in-service line, switch, regulator or transformer touches is a node (${nodeRows.length} buses); buses with spot loads are demand nodes, the others transit nodes.`,
  `People per bus = spot load in kW × ${PEOPLE_PER_KW} (about ${CUSTOMERS_PER_KW} customers per kW, i.e. 2.5 kW diversified peak per customer, and 2.5 people per customer): ${totalKw} kW gives ${totalPeople} people, about ${Math.round(totalKw * CUSTOMERS_PER_KW)} customers.`,
  `Critical customers, criticality ${CRITICALITY}, chosen by us (the feeder flags none): ${criticalList.join("; ")}.`,
  `The normally open switches ${openSwitches.join(" and ")} are not in service and are left out of links, so the feeder is radial and cannot be back-fed.`,
  "The six closed switches are links of type switch; their source length of 0.001 (no unit given) is taken as kft.",
  "The four voltage regulators (one link per regulator bank, bus to its r-bus) and transformer XFM1 (61s to 610) are zero-length links of types regulator and transformer, so their repair times differ from lines.",
  `Repair times are typical values we chose: line ${REPAIR_MINUTES.line} min, switch ${REPAIR_MINUTES.switch} min, regulator ${REPAIR_MINUTES.regulator} min, transformer ${REPAIR_MINUTES.transformer} min, anything else ${DEFAULT_REPAIR_MINUTES} min.`,
  `Three crews with power skills, ${CREW_CAPACITY_HOURS} hours of capacity each and ${CREW_SPEED_KMH} km/h: one at a depot by the substation, and one at each far end of the feeder, by bus 450 (largest x) and by bus 300 (largest y); depot positions are 100 ft from those buses.`,
  `Damage at minute 0, chosen by us: a fault on the main trunk (${TRUNK_FAULT}, bus 54 to 57) and faults on eight single-phase laterals (${LATERAL_FAULTS.join(", ")}).`,
  "There are no dependencies: the scenario has a single network.",
];

mkdirSync(OUT, { recursive: true });
writeCsv(
  "nodes.csv",
  ["id", "network", "type", "x", "y", "population", "criticality", "role", "name", "note"],
  nodeRows,
);
writeCsv("links.csv", ["id", "network", "type", "from", "to", "length_km"], linkRows);
writeCsv("dependencies.csv", ["dependee", "depender", "buffer_hours"], []);
writeCsv(
  "crews.csv",
  ["id", "name", "x", "y", "skills", "capacity_hours", "speed_kmh"],
  CREWS.map((c) => ({ ...c, skills: NETWORK, capacity_hours: CREW_CAPACITY_HOURS, speed_kmh: CREW_SPEED_KMH })),
);
writeCsv(
  "damage.csv",
  ["asset", "at_minutes"],
  [TRUNK_FAULT, ...LATERAL_FAULTS].map((asset) => ({ asset, at_minutes: 0 })),
);
writeFileSync(
  join(OUT, "scenario.json"),
  JSON.stringify(
    {
      name: "ieee123",
      description:
        "IEEE 123-node test feeder (OpenDSS version) with people, critical customers, crews and a damage set added; see assumptions.",
      coordinates: { kind: "xy", unit: "ft" },
      startTime: "2026-01-01T06:00:00Z",
      seed: 123,
      networks: [NETWORK],
      repairMinutes: REPAIR_MINUTES,
      defaultRepairMinutes: DEFAULT_REPAIR_MINUTES,
      assumptions,
    },
    null,
    2,
  ) + "\n",
);

const s = importCsvFolder(OUT);
console.log(
  `wrote ${relative(process.cwd(), OUT) || "."}: ${s.nodes.length} nodes, ${s.links.length} links, ${s.crews.length} crews, ${s.damage.length} damaged, ${totalPeople} people`,
);
