/**
 * Group greedy: a repair order built by completing, one set after another, the set of repairs
 * that brings the most weighted population back per crew-minute, each gain judged on the world's
 * own service state (meshes, cross-network dependencies, backups run out).
 *
 * Why: on interdependent networks (Shelby County) a customer group often comes back only when a
 * whole set is repaired, and the set is larger than its blocking set (joint.ts) wherever there is
 * redundancy: a water node fed by two broken mains needs one of them *and* the pump's power feed.
 * Ordering single repairs by a share of their groups' weight (jointRatioOrder) spreads the crews
 * over many half-finished sets; this one finishes sets. It is the constructive counterpart of
 * greedy set selection for weighted completion time (Sidney-style ratio of a set's gain to its
 * processing time), with the sets found by the simulator, not by a model of the network.
 *
 * Candidate sets, re-judged after every choice: each group's *sufficient set* (from everything
 * repaired, leave out the longest repairs first while the group stays in service: a cheap minimal
 * set), each group's blocking set, each single repair; when none brings anything back, the
 * sufficient set of the heaviest node still out. Counted in service-update visits, bounded by
 * `maxWork` (a state copy counted as one visit per asset): past it the rest of the order is `fallback` (the joint ratio order), so a run is
 * deterministic whatever the machine.
 */
import type { ServiceState } from "../world/service.js";
import type { World } from "../world/simulator.js";
import type { JointGroup } from "./joint.js";

export function groupGreedyOrder(
  world: World,
  assets: readonly number[],
  alsoRepaired: readonly number[],
  minutes: readonly number[],
  groups: readonly JointGroup[],
  fallback: readonly number[],
  maxWork: number,
): { order: number[]; work: number; greedyPlaced: number } {
  const net = world.net;
  const n = assets.length;
  // Each trial copies a whole service state: when one sufficient set's trials would not fit, do not start.
  if (n * net.assetCount > maxWork) return { order: [...fallback], work: 0, greedyPlaced: 0 };
  const late = world.now() + 1e9;
  const base = world.serviceSnapshot();
  const allNets = [...net.networks.keys()];
  for (const a of alsoRepaired) if (base.damaged[a]) base.setDamaged(a, false);
  base.update(late, allNets);
  const scratch = base.clone();
  let work = 0;
  const byLength = [...assets.keys()].sort((a, b) => minutes[b] - minutes[a] || a - b);
  const kept = base.clone();
  const spend = (s: { visits: number }, before: number) => {
    work += s.visits - before + net.assetCount;
  };
  let clock = late;
  const current = base.clone();
  const done = new Uint8Array(n);
  /**
   * A sufficient set for `nodes`: from `current` with every remaining repair done, leave out the
   * longest repairs first while the nodes stay in service.
   */
  const sufficientFor = (nodes: readonly number[]): number[] => {
    kept.copyFrom(current);
    let before = kept.visits;
    const dirty = new Set<number>();
    for (let p = 0; p < n; p++) if (!done[p]) dirty.add(kept.setDamaged(assets[p], false));
    kept.update(clock, dirty);
    spend(kept, before);
    const keep = new Uint8Array(n);
    for (let p = 0; p < n; p++) keep[p] = done[p] ? 0 : 1;
    for (const p of byLength) {
      if (!keep[p] || work > maxWork) continue;
      scratch.copyFrom(kept);
      before = scratch.visits;
      // A dependee lost now starts its backup: later updates let it (and any chain) run out.
      clock += 2e9;
      scratch.update(clock, [scratch.setDamaged(assets[p], true)]);
      clock = expireBackups(scratch, clock);
      spend(scratch, before);
      if (nodes.every((v) => scratch.inService[v])) {
        keep[p] = 0;
        kept.copyFrom(scratch);
      }
    }
    return [...keep.keys()].filter((p) => keep[p]);
  };
  const sufficient: number[][] = [];
  for (const g of groups) {
    if (work > maxWork) break;
    sufficient.push(sufficientFor(g.nodes));
  }
  // Nodes that need one of several repairs (no single blocker) are in no group: asked for when nothing else restores.
  const allRepaired = base.clone();
  for (const a of assets) allRepaired.setDamaged(a, false);
  allRepaired.update(late, allNets);
  const valueWith = (rest: readonly number[]): number => {
    scratch.copyFrom(current);
    const before = scratch.visits;
    const dirty = new Set<number>();
    for (const p of rest) dirty.add(scratch.setDamaged(assets[p], false));
    scratch.update(late, dirty);
    spend(scratch, before);
    return -scratch.weightedOut();
  };
  const order: number[] = [];
  const candidates: number[][] = [...sufficient, ...groups.map((g) => g.blockers), ...assets.map((_, p) => [p])];
  let value = -current.weightedOut();
  const asked = new Set<number>();
  while (order.length < n && work <= maxWork) {
    let best: number[] | null = null;
    let bestScore = 0;
    const seen = new Set<string>();
    for (const c of candidates) {
      const rest = c.filter((p) => !done[p]);
      if (rest.length === 0) continue;
      const key = rest.join(",");
      if (seen.has(key)) continue;
      seen.add(key);
      const gain = valueWith(rest) - value;
      if (gain <= 1e-9) continue;
      let m = 0;
      for (const p of rest) m += Math.max(minutes[p], 1);
      const score = gain / m;
      if (score > bestScore + 1e-12) {
        best = rest;
        bestScore = score;
      }
    }
    if (!best) {
      // The heaviest node still out that every remaining repair would bring back: its own sufficient set.
      let heaviest = -1;
      for (let v = 0; v < net.nodeCount; v++) {
        if (current.inService[v] || !allRepaired.inService[v] || asked.has(v)) continue;
        if (net.population[v] * net.criticality[v] <= 0) continue;
        if (
          heaviest < 0 ||
          net.population[v] * net.criticality[v] > net.population[heaviest] * net.criticality[heaviest]
        )
          heaviest = v;
      }
      if (heaviest < 0 || work > maxWork) break;
      asked.add(heaviest);
      const set = sufficientFor([heaviest]);
      if (set.length === 0) break;
      candidates.push(set);
      continue;
    }
    // Within a set: the longest repair first, so the set completes soonest on parallel crews.
    best.sort((a, b) => minutes[b] - minutes[a] || a - b);
    const dirty = new Set<number>();
    for (const p of best) {
      done[p] = 1;
      order.push(p);
      dirty.add(current.setDamaged(assets[p], false));
    }
    current.update(late, dirty);
    value = -current.weightedOut();
  }
  const greedyPlaced = order.length;
  for (const p of fallback) if (!done[p]) order.push(p);
  return { order, work, greedyPlaced };
}

/**
 * Let every backup running at `t` run out, and those that start when one does (chains), each a
 * long while after the last. Returns the clock it ended at.
 */
function expireBackups(state: ServiceState, t: number): number {
  const net = state.net;
  for (let guard = 0; guard <= net.depDependee.length; guard++) {
    const running = state.buffersRunning();
    if (running.length === 0) return t;
    const dirty = new Set<number>();
    for (const b of running) {
      t = Math.max(t, b.expiresAt);
      dirty.add(net.assetNetwork[net.depDependee[b.dependency]]);
    }
    state.update(t, dirty);
  }
  return t;
}
