/**
 * A seeded synthetic region: several utility networks over the same towns, on planar km coordinates.
 *
 * Deterministic (own PRNG, no Math.random): the same options give a deep-equal scenario. Fast enough
 * for 100,000 nodes (spatial grids, no all-pairs work). The result is already in the schema's output
 * shape with every default written out; it is NOT run through zod here (tests do that at small sizes).
 * Size: about 500 lines once formatted: one seeded pipeline (towns, networks, links, dependencies, crews,
 *   damage) whose steps share the PRNG and the spatial grids; meshing and grids are already in their own modules.
 */
import type { Scenario, ScenarioCrew, ScenarioLink, ScenarioNode } from "./schema.js";
import { mulberry32 } from "../prng.js";
import {
  clusteredDamage,
  linkMidpoint,
  meshAssumptions,
  meshDependencies,
  resolveMesh,
  type MeshOptions,
} from "./mesh.js";
import { Grid } from "./spatial-grid.js";

export interface GenerateOptions {
  seed: number;
  /** Total number of nodes over all networks. */
  nodes: number;
  /** Default: power, water, gas, telecom. */
  networks?: string[];
  /** Distinct damaged assets; default ~2% of all assets (nodes + links). */
  damagedAssets?: number;
  /** Default max(3, nodes / 500). */
  crews?: number;
  name?: string;
  /** If set, a six-hour storm over the whole region that damages this many assets per hour on average. */
  stormDamageRatePerHour?: number;
  /**
   * Meshed and interdependent like a real city (src/world/scenario/mesh.ts): more loops, power and
   * telecom needing each other, other networks' sources and stations needing power, damage
   * clustered around epicentres and all at minute 0 (an earthquake).
   */
  meshed?: boolean | MeshOptions;
}

export const DEFAULT_NETWORKS = ["power", "water", "gas", "telecom"] as const;

interface NetworkKinds {
  supply: string;
  station: string;
  junction: string;
  link: string;
  critical: string[];
}

const KINDS: Record<string, NetworkKinds> = {
  power: {
    supply: "transmission_substation",
    station: "substation",
    junction: "switch",
    link: "line",
    critical: ["hospital", "water_treatment", "emergency_services"],
  },
  water: {
    supply: "water_treatment_plant",
    station: "pumping_station",
    junction: "valve",
    link: "main",
    critical: ["hospital", "dialysis_center", "fire_station"],
  },
  gas: {
    supply: "gate_station",
    station: "compressor_station",
    junction: "valve",
    link: "pipe",
    critical: ["hospital", "care_home"],
  },
  telecom: {
    supply: "core_exchange",
    station: "cell_site",
    junction: "cabinet",
    link: "fiber",
    critical: ["emergency_call_center", "hospital"],
  },
};
const GENERIC_KINDS: NetworkKinds = {
  supply: "source",
  station: "station",
  junction: "junction",
  link: "line",
  critical: ["hospital"],
};

const REPAIR_MINUTES: Record<string, number> = {
  line: 180,
  main: 300,
  pipe: 240,
  fiber: 150,
  transmission_substation: 720,
  substation: 480,
  switch: 90,
  water_treatment_plant: 720,
  pumping_station: 360,
  valve: 120,
  gate_station: 600,
  compressor_station: 480,
  core_exchange: 600,
  cell_site: 240,
  cabinet: 90,
  source: 600,
  station: 360,
  junction: 120,
  service_area: 120,
};
const DEFAULT_REPAIR_MINUTES = 120;

const round3 = (v: number) => Math.round(v * 1000) / 1000;

interface Town {
  x: number;
  y: number;
  sigma: number;
  weight: number;
}

/** Generates a synthetic multi-network region. See GenerateOptions. */
export function generateRegion(opts: GenerateOptions): Scenario {
  const { seed } = opts;
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  const networks = [...new Set(opts.networks ?? DEFAULT_NETWORKS)];
  if (networks.length === 0 || networks.some((n) => n === "")) throw new RangeError("networks must be non-empty names");
  const total = Math.floor(opts.nodes);
  if (!(total >= 2 * networks.length)) {
    throw new RangeError(`nodes must be at least ${2 * networks.length} (2 per network), got ${opts.nodes}`);
  }

  const mesh = resolveMesh(opts.meshed);
  const rand = mulberry32(seed ^ 0x5eed1234);
  const randInt = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const gauss = () => {
    const u = 1 - rand();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
  };

  // Region and towns, shared by all networks so that they overlap like real ones.
  const side = round3(Math.max(4, Math.sqrt(total) * 0.5));
  const clamp = (v: number) => (v < 0 ? 0 : v > side ? side : v);
  const towns: Town[] = [];
  const townCount = Math.max(2, Math.round(Math.sqrt(total) / 6));
  let weightSum = 0;
  for (let t = 0; t < townCount; t++) {
    const weight = Math.exp(gauss() * 0.8);
    weightSum += weight;
    towns.push({
      x: side * (0.1 + 0.8 * rand()),
      y: side * (0.1 + 0.8 * rand()),
      sigma: side * (0.03 + 0.05 * rand()) * Math.sqrt(weight),
      weight,
    });
  }
  const pickTown = (): Town => {
    let w = rand() * weightSum;
    for (const t of towns) if ((w -= t.weight) <= 0) return t;
    return towns[towns.length - 1]!;
  };
  const xs = new Float64Array(total);
  const ys = new Float64Array(total);
  const place = (i: number, town: Town | null, spread: number) => {
    if (town) {
      xs[i] = round3(clamp(town.x + gauss() * town.sigma * spread));
      ys[i] = round3(clamp(town.y + gauss() * town.sigma * spread));
    } else {
      xs[i] = round3(side * rand());
      ys[i] = round3(side * rand());
    }
  };

  const nodes: ScenarioNode[] = new Array(total);
  const links: ScenarioLink[] = [];
  const nodeNetwork = new Uint8Array(total);
  const isSupply = new Uint8Array(total);
  const isCritical = new Uint8Array(total);
  /** Station node indices per network (substations, pumping stations, ...). */
  const stations: number[][] = networks.map(() => []);
  const linkCountStart: number[] = [];

  let base = 0;
  networks.forEach((net, k) => {
    const kinds = KINDS[net] ?? GENERIC_KINDS;
    const n = Math.floor(total / networks.length) + (k < total % networks.length ? 1 : 0);
    const supplies = n < 50 ? 1 : Math.max(2, Math.round(Math.sqrt(n) / 10));
    const critical = n < 10 ? 0 : Math.max(1, Math.round(n / 800));
    const transit = Math.round(n * 0.2);
    const stationCount = n < 5 ? 0 : Math.max(1, Math.round(transit / 3));
    // The rest are demand nodes; small networks lose transit first.
    const transitUsed = Math.min(transit, n - supplies - critical - 1);
    const stationUsed = Math.min(stationCount, transitUsed);

    for (let j = 0; j < n; j++) {
      const i = base + j;
      nodeNetwork[i] = k;
      let type: string;
      let role: ScenarioNode["role"];
      let population = 0;
      let criticality = 1;
      let name: string | undefined;
      if (j < supplies) {
        type = kinds.supply;
        role = "supply";
        isSupply[i] = 1;
        place(i, towns[(j + k) % towns.length]!, 1.5);
      } else if (j < supplies + stationUsed) {
        type = kinds.station;
        role = "transit";
        stations[k]!.push(i);
        place(i, pickTown(), 1.2);
      } else if (j < supplies + transitUsed) {
        type = kinds.junction;
        role = "transit";
        place(i, rand() < 0.85 ? pickTown() : null, 1);
      } else if (j < supplies + transitUsed + critical) {
        const c = j - supplies - transitUsed;
        type = kinds.critical[c % kinds.critical.length]!;
        role = "demand";
        isCritical[i] = 1;
        population = randInt(200, 3000);
        criticality = randInt(5, 20);
        name = `${type.replace(/_/g, " ")} ${Math.floor(c / kinds.critical.length) + 1}`;
        place(i, pickTown(), 0.5);
      } else {
        type = "service_area";
        role = "demand";
        // Log-uniform-ish between 50 and 5000 people.
        population = Math.round(50 * Math.pow(100, Math.pow(rand(), 1.5)));
        place(i, rand() < 0.8 ? pickTown() : null, 1);
      }
      const node: ScenarioNode = {
        id: `${net}-n${j + 1}`,
        network: net,
        type,
        x: xs[i]!,
        y: ys[i]!,
        population,
        criticality,
        role,
      };
      if (name !== undefined) node.name = name;
      nodes[i] = node;
    }

    // Radial tree: visit nodes by distance from the nearest supply; each joins the nearest node already connected.
    const supplyIdx: number[] = [];
    for (let j = 0; j < supplies; j++) supplyIdx.push(base + j);
    const order = new Uint32Array(n - supplies);
    const dist = new Float64Array(n);
    for (let j = supplies; j < n; j++) {
      const i = base + j;
      let d = Infinity;
      for (const s of supplyIdx) {
        const dx = xs[s]! - xs[i]!,
          dy = ys[s]! - ys[i]!;
        const dd = dx * dx + dy * dy;
        if (dd < d) d = dd;
      }
      dist[j] = d;
      order[j - supplies] = j;
    }
    order.sort((a, b) => dist[a]! - dist[b]! || a - b);
    const grid = new Grid(side, n, xs, ys);
    for (const s of supplyIdx) grid.insert(s);
    linkCountStart.push(links.length);
    const pairs = new Set<number>();
    const addLink = (a: number, b: number) => {
      const lo = a < b ? a : b,
        hi = a < b ? b : a;
      pairs.add(lo * total + hi);
      const dx = xs[a]! - xs[b]!,
        dy = ys[a]! - ys[b]!;
      links.push({
        id: `${net}-l${links.length - linkCountStart[k]! + 1}`,
        network: net,
        type: kinds.link,
        from: nodes[a]!.id,
        to: nodes[b]!.id,
        lengthKm: round3(Math.sqrt(dx * dx + dy * dy)),
      });
    };
    for (const j of order) {
      const i = base + j;
      addLink(grid.nearest(xs[i]!, ys[i]!), i);
      grid.insert(i);
    }
    // Loops: about 1.5 links per node overall, each between near neighbours not already linked.
    const target = Math.round(n * (mesh ? mesh.linksPerNode(net) : 1.5));
    let extra = target - (n - supplies);
    const budget = extra * 20 + 100;
    for (let tries = 0; extra > 0 && tries < budget; tries++) {
      const a = base + Math.floor(rand() * n);
      const b = grid.randomNear(a, rand);
      if (b < 0) continue;
      const lo = a < b ? a : b,
        hi = a < b ? b : a;
      if (pairs.has(lo * total + hi)) continue;
      addLink(a, b);
      extra--;
    }
    base += n;
  });

  // Dependencies: other networks' stations need power; some power substations need telecom (and telecom needs power: a cycle, buffered).
  const dependencies: Scenario["dependencies"] = [];
  const powerK = networks.indexOf("power");
  const telecomK = networks.indexOf("telecom");
  const gridOf = (list: number[]) => {
    const g = new Grid(side, list.length, xs, ys);
    for (const i of list) g.insert(i);
    return g;
  };
  if (mesh) {
    const supplies = networks.map((_, k) => nodes.flatMap((n, i) => (nodeNetwork[i] === k && isSupply[i] ? [i] : [])));
    const nearestOf = (list: number[]) => {
      const g = gridOf(list);
      return (x: number, y: number) => g.nearest(x, y);
    };
    dependencies.push(...meshDependencies({ networks, nodes, stations, supplies, nearestOf, pick }));
  } else if (powerK >= 0 && stations[powerK]!.length > 0) {
    const substations = gridOf(stations[powerK]!);
    networks.forEach((net, k) => {
      if (k === powerK) return;
      for (const i of stations[k]!) {
        let bufferHours = 0;
        if (net === "telecom")
          bufferHours = pick([2, 4, 8]); // batteries at every site
        else if (net === "water")
          bufferHours = rand() < 0.4 ? pick([2, 4, 8, 12]) : 0; // tanks, some generators
        else if (net === "gas") bufferHours = rand() < 0.5 ? pick([4, 8, 24]) : 0;
        else bufferHours = rand() < 0.3 ? pick([2, 4]) : 0;
        const s = substations.nearest(xs[i]!, ys[i]!);
        dependencies.push({ dependee: nodes[s]!.id, depender: nodes[i]!.id, bufferHours });
      }
    });
    if (telecomK >= 0 && stations[telecomK]!.length > 0) {
      const sites = gridOf(stations[telecomK]!);
      for (const i of stations[powerK]!) {
        if (rand() >= 0.5) continue;
        const t = sites.nearest(xs[i]!, ys[i]!);
        dependencies.push({ dependee: nodes[t]!.id, depender: nodes[i]!.id, bufferHours: pick([8, 12, 24]) });
      }
    }
  }

  // Damage: distinct assets, mostly links; never supplies or critical facilities themselves.
  const assetCount = total + links.length;
  const wanted = Math.max(0, Math.floor(opts.damagedAssets ?? Math.max(1, Math.round(0.02 * assetCount))));
  const nodePool: number[] = [];
  for (let i = 0; i < total; i++) if (!isSupply[i] && !isCritical[i]) nodePool.push(i);
  const count = Math.min(wanted, nodePool.length + links.length);
  let nodeDamage = Math.min(nodePool.length, Math.round(count * 0.15));
  let linkDamage = count - nodeDamage;
  if (linkDamage > links.length) {
    linkDamage = links.length;
    nodeDamage = count - linkDamage;
  }
  const sample = (poolSize: number, k: number): number[] => {
    if (k * 2 > poolSize) {
      // Partial Fisher–Yates.
      const arr = Array.from({ length: poolSize }, (_, i) => i);
      for (let i = 0; i < k; i++) {
        const j = i + Math.floor(rand() * (poolSize - i));
        [arr[i], arr[j]] = [arr[j]!, arr[i]!];
      }
      return arr.slice(0, k);
    }
    const seen = new Set<number>();
    const out: number[] = [];
    while (out.length < k) {
      const j = Math.floor(rand() * poolSize);
      if (!seen.has(j)) {
        seen.add(j);
        out.push(j);
      }
    }
    return out;
  };
  const nodeIdx = mesh ? new Map(nodes.map((n, i) => [n.id, i])) : null;
  const nodeAt = (id: string) => nodes[nodeIdx!.get(id)!]!;
  const damaged: { id: string; network: string; type: string }[] = mesh?.clusteredDamage
    ? clusteredDamage(
        [...links.map((l) => linkMidpoint(l, nodeAt)), ...nodePool.map((i) => ({ x: xs[i]!, y: ys[i]! }))],
        count,
        rand,
        nodes,
      )
        .map((j) => (j < links.length ? links[j]! : nodes[nodePool[j - links.length]!]!))
        .map((a) => ({ id: a.id, network: a.network, type: a.type }))
    : [
        ...sample(links.length, linkDamage).map((j) => ({
          id: links[j]!.id,
          network: links[j]!.network,
          type: links[j]!.type,
        })),
        ...sample(nodePool.length, nodeDamage).map((j) => {
          const node = nodes[nodePool[j]!]!;
          return { id: node.id, network: node.network, type: node.type };
        }),
      ];
  // Interleave deterministically, then a tenth (if there are ten or more) strike later, within the first six hours.
  for (let i = damaged.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [damaged[i], damaged[j]] = [damaged[j]!, damaged[i]!];
  }
  const later = count >= 10 && !mesh ? Math.floor(count / 10) : 0;
  const damage: Scenario["damage"] = damaged.map((d, i) => ({
    asset: d.id,
    atMinutes: i < count - later ? 0 : randInt(1, 24) * 15,
  }));
  damage.sort((a, b) => a.atMinutes - b.atMinutes);

  // Crews: every network gets crews (round-robin primary skill, or several skills each when there are
  // fewer crews than networks); about 30% get a second skill; depots at the largest towns.
  const crewCount = Math.max(1, Math.floor(opts.crews ?? Math.max(3, Math.round(total / 500))));
  const skillsOf: string[][] = [];
  for (let c = 0; c < crewCount; c++) {
    const own = new Set(
      crewCount >= networks.length ? [networks[c % networks.length]!] : networks.filter((_, k) => k % crewCount === c),
    );
    if (networks.length > 1 && rand() < 0.3) own.add(pick(networks));
    skillsOf.push(networks.filter((n) => own.has(n)));
  }
  // Capacity: at least a week, and at least twice the repair hours per skilled crew of the busiest network.
  const repairHoursByNet = new Map<string, number>();
  for (const d of damaged) {
    repairHoursByNet.set(
      d.network,
      (repairHoursByNet.get(d.network) ?? 0) + (REPAIR_MINUTES[d.type] ?? DEFAULT_REPAIR_MINUTES) / 60,
    );
  }
  let busiest = 0;
  for (const [net, hours] of repairHoursByNet) {
    const skilled = skillsOf.filter((sk) => sk.includes(net)).length;
    busiest = Math.max(busiest, hours / Math.max(1, skilled));
  }
  const capacityHours = Math.max(24 * 7, Math.ceil((busiest * 2) / 24) * 24);
  const sortedTowns = [...towns].sort((a, b) => b.weight - a.weight);
  const crews: ScenarioCrew[] = skillsOf.map((skills, c) => {
    const depot = sortedTowns[c % sortedTowns.length]!;
    return {
      id: `crew-${c + 1}`,
      x: round3(clamp(depot.x + (rand() - 0.5) * 0.5)),
      y: round3(clamp(depot.y + (rand() - 0.5) * 0.5)),
      skills,
      capacityHours,
      speedKmh: randInt(40, 60),
    };
  });

  const weather: Scenario["weather"] = [];
  if (opts.stormDamageRatePerHour !== undefined && opts.stormDamageRatePerHour > 0) {
    weather.push({
      condition: "storm",
      fromMinutes: 0,
      toMinutes: 360,
      damageRatePerHour: opts.stormDamageRatePerHour,
    });
  }

  const usedTypes = new Set<string>();
  for (const n of nodes) usedTypes.add(n.type);
  for (const l of links) usedTypes.add(l.type);
  const repairMinutes: Record<string, number> = {};
  for (const [type, minutes] of Object.entries(REPAIR_MINUTES)) if (usedTypes.has(type)) repairMinutes[type] = minutes;

  const meshText = mesh ? meshAssumptions(mesh, networks) : null;
  return {
    name: opts.name ?? `synthetic-${seed}-${total}`,
    description: `Synthetic ${mesh ? "meshed, interdependent " : ""}region of ${total} nodes and ${links.length} links over ${networks.length} networks (${networks.join(", ")}), ${side} km square, seed ${seed}.`,
    coordinates: { kind: "xy", unit: "km" },
    startTime: "2026-01-01T00:00:00Z",
    seed,
    networks,
    repairMinutes,
    defaultRepairMinutes: DEFAULT_REPAIR_MINUTES,
    nodes,
    links,
    dependencies,
    crews,
    weather,
    damage,
    assumptions: [
      `Generated by generateRegion with seed ${seed}: nothing here is a real place.`,
      `Nodes cluster around ${townCount} towns in a ${side} km square shared by all networks; about a fifth of demand and junction nodes are rural.`,
      "Each network has a few supply nodes, about 20% transit nodes (a third of them stations such as substations or pumping stations) and demand areas of 50 to 5000 people.",
      "Critical facilities (hospitals, water treatment, emergency services and similar) are demand nodes with criticality 5 to 20.",
      meshText?.links ??
        "Links form radial feeders grown outward from the supplies, each node joining the nearest node already connected, plus loop links between near neighbours to about 1.5 links per node.",
      meshText?.dependencies ??
        "Stations of other networks depend on the nearest power substation (telecom sites have battery buffers, some water and gas stations have tanks or generators); about half the power substations depend on the nearest telecom site with an 8 to 24 hour buffer.",
      meshText?.damage ??
        "About 2% of assets are damaged unless stated, mostly links; supplies and critical facilities are never damaged directly; a tenth of the damage arrives within the first six hours.",
      `Crews work from depots at the largest towns, with a primary network each and some with a second; each has ${capacityHours} hours of capacity.`,
    ],
  };
}
