/**
 * What makes a synthetic region meshed and interdependent like a real city (generateRegion's
 * `meshed` option): more loops, dependencies that must ALL hold (a water source needs its power
 * feed and its mains; power substations and telecom sites need each other, on short buffers),
 * and earthquake-like damage clustered around epicentres, all at minute 0. Together these make
 * many customers come back only when several repairs, in different networks, are all done.
 */
import type { Scenario, ScenarioLink, ScenarioNode } from "./schema.js";

export interface MeshOptions {
  /** Links per node in every network (default: Shelby County's, per network; see MESH_LINKS_PER_NODE). */
  linksPerNode?: number;
  /** Damage clustered around epicentres (default true); otherwise uniform as in the plain generator. */
  clusteredDamage?: boolean;
}

export interface ResolvedMesh {
  linksPerNode: (network: string) => number;
  clusteredDamage: boolean;
}

/** Links per node of the Shelby County networks (arcs / nodes): power 93/75, water 71/49, gas 17/16, telecom 36/27. */
export const MESH_LINKS_PER_NODE: Record<string, number> = { power: 1.24, water: 1.45, gas: 1.06, telecom: 1.33 };
const DEFAULT_LINKS_PER_NODE = 1.3;

export function resolveMesh(meshed: boolean | MeshOptions | undefined): ResolvedMesh | null {
  if (!meshed) return null;
  const o = meshed === true ? {} : meshed;
  const fixed = o.linksPerNode;
  if (fixed !== undefined && !(fixed >= 1)) throw new RangeError(`linksPerNode must be at least 1, got ${fixed}`);
  return {
    linksPerNode: (network) => fixed ?? MESH_LINKS_PER_NODE[network] ?? DEFAULT_LINKS_PER_NODE,
    clusteredDamage: o.clusteredDamage ?? true,
  };
}

type Dependency = Scenario["dependencies"][number];

interface Region {
  networks: string[];
  nodes: ScenarioNode[];
  /** Station node indices per network (substations, pumping stations, cell sites, ...). */
  stations: number[][];
  /** Supply node indices per network. */
  supplies: number[][];
  nearestOf: (list: number[]) => (x: number, y: number) => number;
  pick: <T>(xs: readonly T[]) => T;
}

/**
 * Dependencies of a meshed region: every station of another network needs the nearest power
 * substation, every supply of another network too (a treatment plant, a gate station, a core
 * exchange), every power substation needs the nearest telecom site (SCADA) and every telecom
 * site needs power: mutual, on buffers of one to two hours, so that both must be repaired.
 */
export function meshDependencies(r: Region): Dependency[] {
  const deps: Dependency[] = [];
  const powerK = r.networks.indexOf("power");
  const telecomK = r.networks.indexOf("telecom");
  if (powerK < 0 || r.stations[powerK]!.length === 0) return deps;
  const nearestSubstation = r.nearestOf(r.stations[powerK]!);
  r.networks.forEach((net, k) => {
    if (k === powerK) return;
    for (const i of [...r.supplies[k]!, ...r.stations[k]!]) {
      const n = r.nodes[i]!;
      const bufferHours = net === "telecom" ? r.pick([1, 2]) : net === "gas" ? r.pick([0, 2]) : 0;
      deps.push({ dependee: r.nodes[nearestSubstation(n.x, n.y)]!.id, depender: n.id, bufferHours });
    }
  });
  if (telecomK >= 0 && r.stations[telecomK]!.length > 0) {
    const nearestSite = r.nearestOf(r.stations[telecomK]!);
    for (const i of r.stations[powerK]!) {
      const n = r.nodes[i]!;
      deps.push({ dependee: r.nodes[nearestSite(n.x, n.y)]!.id, depender: n.id, bufferHours: r.pick([1, 2]) });
    }
  }
  return deps;
}

/**
 * `count` assets damaged around epicentres (one per 25 damaged assets, at least one, at random
 * nodes of the region): each candidate's distance to the nearest epicentre, scaled by a random
 * factor, ranks it; the closest are damaged. Returns indices into `candidates`.
 */
export function clusteredDamage(
  candidates: { x: number; y: number }[],
  count: number,
  rand: () => number,
  epicentreFrom: { x: number; y: number }[],
): number[] {
  if (count <= 0 || candidates.length === 0) return [];
  const k = Math.max(1, Math.round(count / 25));
  const centres = Array.from({ length: k }, () => epicentreFrom[Math.floor(rand() * epicentreFrom.length)]!);
  const score = new Float64Array(candidates.length);
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[i]!;
    let d = Infinity;
    for (const e of centres) d = Math.min(d, Math.hypot(c.x - e.x, c.y - e.y));
    // Log-normal noise: near assets are likely, not certain, to fail; some far ones fail too.
    const u = 1 - rand();
    const gauss = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
    score[i] = (d + 0.05) * Math.exp(0.6 * gauss);
  }
  const order = Array.from({ length: candidates.length }, (_, i) => i).sort((a, b) => score[a]! - score[b]! || a - b);
  return order.slice(0, Math.min(count, candidates.length));
}

/** Midpoint of a link, where a crew works on it. */
export function linkMidpoint(
  l: ScenarioLink,
  nodeAt: (id: string) => { x: number; y: number },
): { x: number; y: number } {
  const a = nodeAt(l.from),
    b = nodeAt(l.to);
  return { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
}

/** The sentences that replace the plain generator's on links, dependencies and damage. */
export function meshAssumptions(
  mesh: ResolvedMesh,
  networks: string[],
): { links: string; dependencies: string; damage: string } {
  return {
    links: `Links form radial feeders grown outward from the supplies, plus loop links between near neighbours to ${networks.map((n) => `${mesh.linksPerNode(n)} links per node in ${n}`).join(", ")} (Shelby County's ratios by default).`,
    dependencies:
      "Every source and station of another network needs the nearest power substation (telecom on 1 to 2 hour batteries, gas on 0 or 2 hours, water on none); every power substation needs the nearest telecom site with a 1 to 2 hour buffer: a node works only while all its dependencies hold.",
    damage: mesh.clusteredDamage
      ? "The damage is an earthquake's: all at minute 0, clustered around epicentres (one per 25 damaged assets) at random nodes, the assets nearest an epicentre (with log-normal noise) damaged; supplies and critical facilities are never damaged directly."
      : "The damage is all at minute 0, uniform over links and nodes; supplies and critical facilities are never damaged directly.",
  };
}
