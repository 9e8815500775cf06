/**
 * Small instances built for exact comparison: a radial power feeder, a hospital on a
 * generator, often a water network whose pump needs power; a handful of damaged assets, all
 * at minute 0, and two or three crews. No storm draws and no later damage: the whole incident
 * is known at the start, so one plan made then is optimal for the whole episode, and exact
 * search (./exact.ts) can find it. Seeded and deterministic (no Math.random).
 */
import { mulberry32 } from "../world/prng.js";
import { ScenarioSchema, type Scenario, type ScenarioInput } from "../world/scenario/schema.js";

export interface SmallCaseOptions {
  seed: number;
  /** Damaged assets, all at minute 0 (default 5 to 8, from the seed). */
  damagedAssets?: number;
  /** Crews (default 2 or 3, from the seed). */
  crews?: number;
}

type NodeInput = ScenarioInput["nodes"][number];
type LinkInput = NonNullable<ScenarioInput["links"]>[number];

export function generateSmallCase(options: SmallCaseOptions): Scenario {
  const rand = mulberry32((options.seed * 2654435761) ^ 0x51ca5e);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const round = (v: number) => Math.round(v * 1000) / 1000;
  const damagedCount = options.damagedAssets ?? int(5, 8);
  const crewCount = options.crews ?? int(2, 3);
  const side = 4 + rand() * 6;
  const withWater = rand() < 0.7;

  const nodes: NodeInput[] = [];
  const links: LinkInput[] = [];
  const dependencies: NonNullable<ScenarioInput["dependencies"]> = [];
  const point = () => ({ x: round(rand() * side), y: round(rand() * side) });

  // Power: a supply near the middle, a radial tree grown by attaching each node to the nearest one already on it.
  nodes.push({
    id: "P0",
    network: "power",
    type: "substation",
    role: "supply",
    x: round(side / 2),
    y: round(side / 2),
  });
  const powerCount = int(7, 11);
  const powerIds = ["P0"];
  for (let i = 1; i <= powerCount; i++) {
    const p = point();
    const type = rand() < 0.3 ? "transformer" : "feeder_node";
    nodes.push({
      id: `P${i}`,
      network: "power",
      type,
      x: p.x,
      y: p.y,
      population: Math.round(50 * Math.pow(60, rand())),
    });
    powerIds.push(`P${i}`);
  }
  growTree(nodes, links, powerIds, "power", "line", "L");
  if (rand() < 0.4) addLoop(nodes, links, powerIds, "power", "line", "L", rand);

  // A hospital on its generator, fed by a power node.
  const feeder = pick(powerIds.slice(1));
  const hospital = nodes.find((n) => n.id === feeder)!;
  nodes.push({
    id: "HOSP",
    network: "hospital",
    type: "hospital",
    role: "supply",
    x: round(hospital.x + 0.2),
    y: round(hospital.y + 0.2),
    population: int(150, 400),
    criticality: 10,
  });
  dependencies.push({ dependee: feeder, depender: "HOSP", bufferHours: pick([0.5, 1, 2, 3, 4]) });

  // Water: a treatment plant whose pumps need power, and districts on a radial main.
  if (withWater) {
    const w = point();
    nodes.push({ id: "W0", network: "water", type: "treatment_plant", role: "supply", x: w.x, y: w.y });
    const waterIds = ["W0"];
    for (let i = 1; i <= int(3, 5); i++) {
      const p = point();
      nodes.push({
        id: `W${i}`,
        network: "water",
        type: "district",
        x: p.x,
        y: p.y,
        population: Math.round(100 * Math.pow(20, rand())),
      });
      waterIds.push(`W${i}`);
    }
    growTree(nodes, links, waterIds, "water", "pipe", "M");
    dependencies.push({ dependee: pick(powerIds.slice(1)), depender: "W0", bufferHours: pick([0, 0, 1, 2]) });
  }

  // Damage: links and non-supply nodes of the networks crews can repair.
  const candidates = [
    ...links.map((l) => l.id),
    ...nodes.filter((n) => n.role !== "supply" && n.network !== "hospital").map((n) => n.id),
  ];
  shuffle(candidates, rand);
  const damage = candidates
    .slice(0, Math.min(damagedCount, candidates.length))
    .sort()
    .map((asset) => ({ asset, atMinutes: 0 }));

  // Crews: at least one per network with damage; others take power, some both.
  const needsWater = damage.some((d) => d.asset.startsWith("M") || d.asset.startsWith("W"));
  const crews: NonNullable<ScenarioInput["crews"]> = [];
  for (let c = 0; c < crewCount; c++) {
    const skills =
      c === 1 && needsWater
        ? rand() < 0.5
          ? ["water"]
          : ["power", "water"]
        : rand() < 0.25 && withWater
          ? ["power", "water"]
          : ["power"];
    const p = point();
    crews.push({ id: `crew-${c + 1}`, x: p.x, y: p.y, skills, capacityHours: 48, speedKmh: int(25, 60) });
  }

  const weather: NonNullable<ScenarioInput["weather"]> = [];
  if (rand() < 0.5) {
    const from = int(0, 4) * 30;
    weather.push({
      condition: "rain",
      fromMinutes: from,
      toMinutes: from + int(2, 6) * 60,
      area: { ...point(), radiusKm: round(side * 0.4) },
    });
  }
  if (rand() < 0.3) {
    const from = int(1, 6) * 30;
    weather.push({
      condition: "lightning",
      fromMinutes: from,
      toMinutes: from + int(1, 3) * 30,
      area: { ...point(), radiusKm: round(side * 0.3) },
    });
  }

  return ScenarioSchema.parse({
    name: `small-${options.seed}`,
    description: `Small exact-comparison case ${options.seed}: ${damage.length} damaged assets, ${crews.length} crews.`,
    coordinates: { kind: "xy", unit: "km" },
    seed: options.seed,
    networks: ["power", "hospital", ...(withWater ? ["water"] : [])],
    repairMinutes: {
      line: pick([60, 90, 120]),
      transformer: pick([120, 180, 240]),
      feeder_node: pick([90, 150]),
      pipe: pick([90, 120, 180]),
      district: 150,
    },
    nodes,
    links,
    dependencies,
    crews,
    weather,
    damage,
    assumptions: [
      "Generated by generateSmallCase: all damage at minute 0, no storm draws, so the incident is known at the start.",
    ],
  } satisfies ScenarioInput);
}

/** The standard suite of small cases: sizes 5 to 8 damaged assets, 2 or 3 crews. */
export function smallCaseSuite(count = 12, firstSeed = 1): Scenario[] {
  return Array.from({ length: count }, (_, i) =>
    generateSmallCase({ seed: firstSeed + i, damagedAssets: 5 + (i % 4), crews: 2 + (i % 2) }),
  );
}

function growTree(
  nodes: NodeInput[],
  links: LinkInput[],
  ids: string[],
  network: string,
  type: string,
  prefix: string,
): void {
  const at = (id: string) => nodes.find((n) => n.id === id)!;
  const root = at(ids[0]);
  const d = (a: NodeInput, b: NodeInput) => Math.hypot(a.x - b.x, a.y - b.y);
  const order = ids.slice(1).sort((a, b) => d(at(a), root) - d(at(b), root) || (a < b ? -1 : 1));
  const joined = [ids[0]];
  for (const id of order) {
    const n = at(id);
    const nearest = joined.reduce((best, j) => (d(at(j), n) < d(at(best), n) ? j : best));
    links.push({
      id: `${prefix}${links.filter((l) => l.network === network).length + 1}`,
      network,
      type,
      from: nearest,
      to: id,
    });
    joined.push(id);
  }
}

function addLoop(
  nodes: NodeInput[],
  links: LinkInput[],
  ids: string[],
  network: string,
  type: string,
  prefix: string,
  rand: () => number,
): void {
  const a = ids[1 + Math.floor(rand() * (ids.length - 1))];
  const b = ids[1 + Math.floor(rand() * (ids.length - 1))];
  if (a === b || links.some((l) => (l.from === a && l.to === b) || (l.from === b && l.to === a))) return;
  links.push({
    id: `${prefix}${links.filter((l) => l.network === network).length + 1}`,
    network,
    type,
    from: a,
    to: b,
  });
}

function shuffle<T>(xs: T[], rand: () => number): void {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
}
