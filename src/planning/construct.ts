/**
 * Constructive plans: crews as the planner sees them, list scheduling (each asset in a given
 * order to the crew that would finish it first), the ratio rule of the previous optimizer
 * (kept: it is the `ratio-rule` baseline), and orders by joint-restoration weights.
 */
import { OPTIMIZER_MARGINAL_NETWORK_ASSETS, OPTIMIZER_MARGINAL_WEIGHT_ASSETS } from "../limits.js";
import type { World } from "../world/simulator.js";
import type { CrewAssignment } from "../world/types.js";

export interface Slot {
  crewId: string;
  skills: Set<string>;
  x: number;
  y: number;
  freeAt: number;
  capacityMin: number;
}
export type Est = ReturnType<World["estimateJobFrom"]>;
export type WeightOf = (asset: string, scheduled: readonly string[]) => number;
export interface Unassignable {
  assetId: string;
  reason: string;
}

/** Crews as the planner sees them: after their queue, or (re-planning queued work) after their current job. */
export function crewSlots(world: World, replan = false): Slot[] {
  return world.crewSummaries().map((c) => ({
    crewId: c.id,
    skills: new Set(c.skills),
    x: replan ? c.busyUntilLocation.x : c.freeAtLocation.x,
    y: replan ? c.busyUntilLocation.y : c.freeAtLocation.y,
    freeAt: Math.max(replan ? c.busyUntil : c.freeAt, world.now()),
    capacityMin: (c.capacityLeftHours + (replan ? c.queuedWorkHours : 0)) * 60,
  }));
}

/** The crew that would finish this asset first (ties: crew order). */
export function bestSlot(world: World, slots: Slot[], assetId: string): { slot: Slot; est: Est } | null {
  const network = world.net.networkOf(world.net.index(assetId)!);
  let best: { slot: Slot; est: Est } | null = null;
  for (const slot of slots) {
    if (!slot.skills.has(network)) continue;
    const est = world.estimateJobFrom(slot.crewId, slot.x, slot.y, slot.freeAt, assetId);
    if (est.travel + est.repair > slot.capacityMin + 1e-9) continue;
    if (!best || est.completionAt < best.est.completionAt - 1e-9) best = { slot, est };
  }
  return best;
}

export function commit(world: World, slot: Slot, assetId: string, est: Est): void {
  const loc = world.assetLocation(assetId)!;
  slot.x = loc.x;
  slot.y = loc.y;
  slot.freeAt = est.completionAt;
  slot.capacityMin -= est.travel + est.repair;
}

export function toAssignments(slots: Slot[], lists: Map<string, string[]>): CrewAssignment[] {
  return slots.filter((s) => lists.has(s.crewId)).map((s) => ({ crewId: s.crewId, assetIds: lists.get(s.crewId)! }));
}

/** Each asset in the given order to the crew that would finish it first. */
export function listScheduleOn(world: World, slots: Slot[], order: readonly string[]) {
  const lists = new Map<string, string[]>();
  const unassignable: Unassignable[] = [];
  for (const assetId of order) {
    const best = bestSlot(world, slots, assetId);
    if (!best) {
      unassignable.push({ assetId, reason: "no crew has the skill and the capacity left" });
      continue;
    }
    commit(world, best.slot, assetId, best.est);
    const list = lists.get(best.slot.crewId);
    if (list) list.push(assetId);
    else lists.set(best.slot.crewId, [assetId]);
  }
  return { assignments: toAssignments(slots, lists), unassignable };
}

/** Marginal weighted population restored by repairing `asset` after `scheduled`, plus backups it saves. */
export function weightFunction(world: World, assets: string[]): WeightOf {
  const net = world.net;
  const impacts = new Map(world.estimateImpact(assets).map((r) => [r.asset, r]));
  const backupWeight = (id: string) => {
    let w = 0;
    for (const b of impacts.get(id)?.backupsRunningOut ?? []) {
      const n = net.index(b.node)!;
      w += net.population[n] * net.criticality[n];
    }
    return w;
  };
  const epsilon = 1e-3;
  if (assets.length > OPTIMIZER_MARGINAL_WEIGHT_ASSETS || net.assetCount > OPTIMIZER_MARGINAL_NETWORK_ASSETS) {
    // Large incidents: the static attribution (population whose first fault this is).
    return (id) => (impacts.get(id)?.weightedPopulationOut ?? 0) + backupWeight(id) + epsilon;
  }
  const cache = new Map<string, number>();
  const restored = (ids: readonly string[]) => {
    const key = [...ids].sort().join("|");
    let v = cache.get(key);
    if (v === undefined) {
      v = world.restoredIfRepaired(ids.map((i) => net.index(i)!)).weighted;
      cache.set(key, v);
    }
    return v;
  };
  return (id, scheduled) => restored([...scheduled, id]) - restored(scheduled) + backupWeight(id) + epsilon;
}

/** The ratio rule for large incidents: sort once by weight per repair minute, then list scheduling. */
export function ratioOrder(world: World, slots: Slot[], assets: string[], weightOf: WeightOf) {
  const ratio = new Map(assets.map((id) => [id, weightOf(id, []) / Math.max(world.repairMinutesFor(id), 1)]));
  const order = [...assets].sort((a, b) => ratio.get(b)! - ratio.get(a)! || (a < b ? -1 : 1));
  return listScheduleOn(world, slots, order);
}

/**
 * The previous optimizer's ratio rule: repeatedly the asset with the most weight restored per
 * minute of crew time, on the crew that would finish it first (weights marginal, given what is
 * scheduled before). O(n^2 x crews) estimates: for incidents of human size.
 */
export function ratioRule(world: World, slots: Slot[], assets: string[], weightOf: WeightOf) {
  const remaining = [...assets].sort();
  const scheduled: string[] = [];
  const lists = new Map<string, string[]>();
  const unassignable: Unassignable[] = [];
  while (remaining.length > 0) {
    let best: { assetId: string; slot: Slot; est: Est; score: number } | null = null;
    for (const assetId of remaining) {
      const choice = bestSlot(world, slots, assetId);
      if (!choice) continue;
      const w = weightOf(assetId, scheduled);
      const minutes = Math.max(choice.est.completionAt - choice.slot.freeAt, 1e-6);
      const score = w / minutes;
      if (!best || score > best.score + 1e-12) best = { assetId, slot: choice.slot, est: choice.est, score };
    }
    if (!best) {
      for (const assetId of remaining)
        unassignable.push({ assetId, reason: "no crew has the skill and the capacity left" });
      break;
    }
    commit(world, best.slot, best.assetId, best.est);
    lists.set(best.slot.crewId, [...(lists.get(best.slot.crewId) ?? []), best.assetId]);
    scheduled.push(best.assetId);
    remaining.splice(remaining.indexOf(best.assetId), 1);
  }
  return { assignments: toAssignments(slots, lists), unassignable };
}

/** The assets in the order their failures were detected (what a naive dispatcher does). */
export function detectionOrder(world: World, assets: readonly string[]): string[] {
  const wanted = new Set(assets);
  return world
    .detectFailures()
    .damaged.filter((f) => wanted.has(f.id))
    .sort((a, b) => a.since - b.since)
    .map((f) => f.id);
}

/** The assets behind the most people out of service first. */
export function largestPopulationOrder(world: World, assets: readonly string[]): string[] {
  const impact = new Map(world.estimateImpact([...assets]).map((r) => [r.asset, r.populationOut]));
  return [...assets].sort((a, b) => impact.get(b)! - impact.get(a)! || (a < b ? -1 : 1));
}
