/**
 * Joint restoration: which repairs each customer group needs *together*.
 *
 * On a meshed, interdependent network a customer often comes back only when several faults are
 * all repaired (a pumping station needs its power feed and its water main; power and telecom
 * need each other), so what one repair brings back alone, or the first fault on a feed path,
 * says little. The blocking set of a node is the set of damaged assets without which it stays
 * out even when everything else is repaired: repair all but `a` and look who is still out.
 * Nodes with the same blocking set form one group; its weight (weighted population, and the
 * facilities on a backup that would run out) is shared by the repairs still missing from its set.
 *
 * This is the weighting of the "AND" part of restoration; redundancy ("OR": either of two
 * faults brings a node back) gives an empty blocking set, and is left to the surrogate search.
 */
import type { ServiceState } from "../world/service.js";
import type { World } from "../world/simulator.js";

export interface JointGroup {
  /** Positions (in the asset list given) of the repairs this group needs together. */
  blockers: number[];
  weight: number;
  /** The customer nodes of the group. */
  nodes: number[];
}

/** One service update per asset; null when that work (nodes visited) would pass `maxWork`. */
export function jointGroups(
  world: World,
  assets: readonly number[],
  alsoRepaired: readonly number[],
  maxWork: number,
): { groups: JointGroup[]; work: number } | null {
  const net = world.net;
  if (assets.length === 0) return null;
  let work = 0;
  const late = world.now() + 1e9; // every backup has run out: what lies behind a generator counts too
  const base = world.serviceSnapshot();
  // From the state now each time (not by damaging the all-repaired state): a dependee lost now
  // keeps the minute it was lost, so its backup has run out by `late`.
  const repairedExcept = (skip: number): ServiceState => {
    const s = base.clone();
    const dirty = new Set<number>();
    for (let p = 0; p < assets.length; p++)
      if (p !== skip && s.damaged[assets[p]]) dirty.add(s.setDamaged(assets[p], false));
    for (const a of alsoRepaired) if (s.damaged[a]) dirty.add(s.setDamaged(a, false));
    for (let k = 0; k < net.networks.length; k++) dirty.add(k);
    s.update(late, dirty);
    work += s.visits + net.nodeCount;
    return s;
  };
  const all = repairedExcept(-1);
  const blockersOf = new Map<number, number[]>();
  for (let p = 0; p < assets.length; p++) {
    if (work > maxWork) return null;
    const s = repairedExcept(p);
    for (let n = 0; n < net.nodeCount; n++) {
      if (!all.inService[n] || s.inService[n] || net.population[n] <= 0) continue;
      const b = blockersOf.get(n);
      if (b) b.push(p);
      else blockersOf.set(n, [p]);
    }
  }
  const byKey = new Map<string, JointGroup>();
  for (const [n, blockers] of blockersOf) {
    const key = blockers.join(",");
    const w = net.population[n] * net.criticality[n];
    const g = byKey.get(key);
    if (g) {
      g.weight += w;
      g.nodes.push(n);
    } else byKey.set(key, { blockers, weight: w, nodes: [n] });
  }
  return { groups: [...byKey.values()], work };
}

/**
 * An order of the assets by joint weight per repair minute: each asset's weight is the sum over
 * the groups it blocks of the group's weight divided by how many of its repairs are still
 * unscheduled; scheduling an asset raises the share of its partners (a greedy in the spirit of
 * Sidney's decomposition for weighted completion time under AND-precedence).
 */
export function jointRatioOrder(
  assets: readonly string[],
  minutes: readonly number[],
  groups: readonly JointGroup[],
): string[] {
  const n = assets.length;
  const remaining = groups.map((g) => g.blockers.length);
  const groupsOf: number[][] = Array.from({ length: n }, () => []);
  groups.forEach((g, k) => {
    for (const p of g.blockers) groupsOf[p].push(k);
  });
  const weight = new Float64Array(n);
  for (let p = 0; p < n; p++) for (const k of groupsOf[p]) weight[p] += groups[k].weight / remaining[k];
  const done = new Uint8Array(n);
  const order: string[] = [];
  for (let step = 0; step < n; step++) {
    let best = -1,
      bestScore = -Infinity;
    for (let p = 0; p < n; p++) {
      if (done[p]) continue;
      const score = (weight[p] + 1e-3) / Math.max(minutes[p], 1);
      if (score > bestScore + 1e-12 || (Math.abs(score - bestScore) <= 1e-12 && assets[p] < assets[best])) {
        best = p;
        bestScore = score;
      }
    }
    done[best] = 1;
    order.push(assets[best]);
    for (const k of groupsOf[best]) {
      const g = groups[k];
      const before = g.weight / remaining[k];
      remaining[k]--;
      if (remaining[k] === 0) continue;
      const after = g.weight / remaining[k];
      for (const q of g.blockers) if (!done[q]) weight[q] += after - before;
    }
  }
  return order;
}
