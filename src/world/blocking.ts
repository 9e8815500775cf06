/**
 * What blocks what, and what the weights are: facts a planner needs to check a plan.
 *
 * - `blockedBy`: for a damaged asset, the other damaged assets that must also be repaired for
 *   what it feeds to come back (a lateral behind a damaged feeder restores nobody until the
 *   feeder is done). Found with the world's own service function (repairs tried on a copy of
 *   the service state), so meshes and cross-network dependencies count as they do in the world.
 * - Backups: for each facility running on a generator or a tank, who loses service when the
 *   backup runs out, and when, if nothing is repaired before.
 * - Weights: population x criticality, the unit of the figure the planner minimises.
 */
import { BLOCKING_MAX_DAMAGED, BLOCKING_MAX_SERVICE_UPDATES, BLOCKING_SERVICE_WORK } from "../limits.js";
import type { World } from "./simulator.js";

export { BLOCKING_MAX_DAMAGED } from "../limits.js";

export interface RestoredFigure {
  population: number;
  weighted: number;
}

export interface BlockingFact {
  asset: string;
  /** The other damaged assets that must also be repaired for what this one feeds to come back (empty: none). */
  blockedBy: string[];
  /** What repairing it together with `blockedBy` brings back now. */
  restoresWithThem: RestoredFigure;
}

export interface BackupLoss {
  node: string;
  dependee: string;
  expiresAt: number;
  critical: boolean;
  /** The facility's own weight: population x criticality. */
  population: number;
  criticality: number;
  /** People (and weighted people) who lose service when this backup runs out, if nothing is repaired before. */
  populationLost: number;
  weightedLost: number;
  /** Other backups running out at the same minute: the loss is theirs together. */
  togetherWith?: string[];
}

/** What the planning context shows besides the failures: blocking, backups' losses, weights, the weather ahead. */
export interface PlanningFacts {
  blocking: Map<string, BlockingFact>;
  backups: BackupLoss[];
  weights: Record<string, { population: number; criticality: number; weight: number }>;
  /** The incident's weather ahead, in one line. */
  weather: string;
}

export interface BlockingOptions {
  /** Above this many damaged assets, blockedBy is not computed (each fact costs service updates per damaged asset). */
  maxDamaged?: number;
  /** The most service updates spent in one call; assets beyond it get no fact. */
  maxServiceUpdates?: number;
}

/** Every damaged asset now: those no crew has, and those a crew is on or has queued. */
export function damagedIds(world: World): string[] {
  const active = world
    .dispatches()
    .filter((d) => d.status !== "done" && d.status !== "cancelled" && d.status !== "reassigned")
    .map((d) => d.assetId);
  return [...new Set([...world.unassignedDamagedIds(), ...active])].sort();
}

/**
 * blockedBy and what a repair restores together with it, for each of `ids` (damaged assets,
 * most urgent first). Empty when the incident is too large to compute it within the budget.
 */
export function blockingFacts(world: World, ids: string[], options: BlockingOptions = {}): Map<string, BlockingFact> {
  const out = new Map<string, BlockingFact>();
  const damaged = damagedIds(world);
  if (damaged.length === 0 || damaged.length > (options.maxDamaged ?? BLOCKING_MAX_DAMAGED)) return out;
  // Each trial copies the service state: on a large network, fewer trials for the same work.
  let budget =
    options.maxServiceUpdates ??
    Math.min(BLOCKING_MAX_SERVICE_UPDATES, Math.floor(BLOCKING_SERVICE_WORK / Math.max(1, world.net.assetCount)));
  const index = (id: string) => world.net.index(id)!;
  const cache = new Map<string, RestoredFigure>();
  const restored = (set: readonly string[]): RestoredFigure => {
    const key = [...set].sort().join("|");
    let v = cache.get(key);
    if (!v) {
      budget--;
      v = set.length ? world.restoredIfRepaired(set.map(index)) : { population: 0, weighted: 0 };
      cache.set(key, v);
    }
    return v;
  };
  const gain = (a: string, others: readonly string[]) => {
    const withIt = restored([...others, a]);
    const without = restored(others);
    return { population: withIt.population - without.population, weighted: withIt.weighted - without.weighted };
  };
  const covers = (g: RestoredFigure, need: RestoredFigure) =>
    g.population >= need.population - 1e-6 && g.weighted >= need.weighted - 1e-6;
  const isDamaged = new Set(damaged);
  for (const a of ids) {
    if (!isDamaged.has(a)) continue;
    if (budget < 2 * damaged.length + 3) break;
    const others = damaged.filter((d) => d !== a);
    // What only it brings back, once everything else is repaired: what it feeds.
    const need = gain(a, others);
    const alone = restored([a]);
    if (covers(alone, need)) {
      out.set(a, { asset: a, blockedBy: [], restoresWithThem: alone });
      continue;
    }
    // Drop every other repair that is not needed for `a` to bring all of that back: a minimal set remains.
    let kept = others;
    for (const b of others) {
      const trial = kept.filter((k) => k !== b);
      if (covers(gain(a, trial), need)) kept = trial;
    }
    out.set(a, { asset: a, blockedBy: kept, restoresWithThem: restored([...kept, a]) });
  }
  return out;
}

/** Who loses service when each running backup runs out, if nothing is repaired before (earliest first). */
export function backupLosses(world: World): BackupLoss[] {
  const net = world.net;
  const service = world.serviceCopy();
  const running = [...service.buffersRunning()].sort((a, b) => a.expiresAt - b.expiresAt);
  const allNetworks = () => new Set(net.networks.map((_, i) => i));
  let before = service.populationOut();
  const out: BackupLoss[] = [];
  // One full update per distinct expiry minute: bounded by the same work as blocking; later backups get no figure.
  const maxGroups = Math.max(1, Math.floor(BLOCKING_SERVICE_WORK / Math.max(1, net.assetCount)));
  for (let i = 0, groups = 0; i < running.length && groups < maxGroups; groups++) {
    const t = running[i].expiresAt;
    const group = running.filter((b) => b.expiresAt === t);
    i += group.length;
    service.update(t, allNetworks());
    const after = service.populationOut();
    const lost = { population: after.population - before.population, weighted: after.weighted - before.weighted };
    before = after;
    const names = group.map((b) => net.assetIds[net.depDepender[b.dependency]]);
    for (const b of group) {
      const node = net.depDepender[b.dependency];
      out.push({
        node: net.assetIds[node],
        dependee: net.assetIds[net.depDependee[b.dependency]],
        expiresAt: t,
        critical: net.criticality[node] > 1,
        population: net.population[node],
        criticality: net.criticality[node],
        populationLost: Math.round(lost.population),
        weightedLost: Math.round(lost.weighted),
        ...(group.length > 1 ? { togetherWith: names.filter((n) => n !== net.assetIds[node]) } : {}),
      });
    }
  }
  return out;
}

/** Population, criticality and weight (population x criticality) of nodes, by id. */
export function nodeWeights(
  world: World,
  ids: readonly string[],
): Record<string, { population: number; criticality: number; weight: number }> {
  const out: Record<string, { population: number; criticality: number; weight: number }> = {};
  for (const id of ids) {
    const i = world.net.index(id);
    if (i === undefined || i >= world.net.nodeCount) continue;
    out[id] = {
      population: world.net.population[i],
      criticality: world.net.criticality[i],
      weight: world.net.population[i] * world.net.criticality[i],
    };
  }
  return out;
}
