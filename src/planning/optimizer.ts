/**
 * The dispatch optimizer: a deterministic planner for the world's problem, minimising
 * criticality-weighted customer-minutes interrupted.
 *
 * 1. Ratio rule (Smith's rule extended to travel and to the network's structure): repeatedly
 *    take the asset with the most weighted population restored per minute of crew time, on the
 *    crew that would finish it first. The weight of an asset is its *marginal* restoration
 *    given what is already scheduled, so a root cause that brings a whole feeder back outranks
 *    a lateral behind it, and the lateral's value appears once its root is scheduled. Backups
 *    (a hospital on its generator) add the facility's weight to the asset that would save it.
 * 2. Local search: moves and swaps between and within crews' sequences, each plan judged by
 *    simulating it on a copy of the world that knows no future damage.
 *
 * It is the brain of the offline planner and the `propose_dispatch_plan` tool.
 */
import type { World } from "../world/simulator.js";
import type { CrewAssignment, DispatchPlan } from "../world/types.js";

export interface OptimizerOptions {
  /** Improve the ratio rule's plan by local search (default true). */
  localSearch?: boolean;
  /** Upper bound on simulated evaluations in local search; deterministic, unlike a time budget. */
  maxEvaluations?: number;
  /** Only plan these assets (default: every damaged asset no crew has, that some crew can take). */
  assets?: string[];
  /**
   * Also re-plan work that is queued but not started (default true): new damage can then go
   * before it, and the plan carries `reassign`. Crews keep the job they are on.
   */
  replanQueued?: boolean;
}

export interface PlannedJob {
  crewId: string;
  assetId: string;
  arrivalAt: number;
  completionAt: number;
}

export interface ExpectedEffect {
  /** Minutes simulated ahead to judge the plan (the same for every plan compared). */
  horizonMinutes: number;
  customerMinutes: number;
  weightedCustomerMinutes: number;
  /** Critical facilities that would lose service within the horizon (e.g. a generator running out). */
  criticalFacilitiesLost: string[];
  jobs: PlannedJob[];
  /** Set when `jobs` lists only the first ones (graph state keeps a bounded list): how many there are. */
  jobCount?: number;
  /** `simulated`: the plan was run on a copy of the world; `estimated`: large plans, from each job's estimate and the population attributed to its asset. */
  basis: "simulated" | "estimated";
}

export interface DispatchProposal {
  /** Set by whoever keeps proposals, so that a planner can adopt one by reference. */
  id?: string;
  plan: DispatchPlan;
  expected: ExpectedEffect;
  unassignable: { assetId: string; reason: string }[];
  method: "ratio-rule" | "ratio-rule+local-search" | "ratio-order" | "list-schedule";
  evaluations: number;
}

interface Slot { crewId: string; skills: Set<string>; x: number; y: number; freeAt: number; capacityMin: number }

const SMALL_NETWORK_ASSETS = 20_000;
/** Up to this many assets: marginal weights and local search (each step re-simulates the plan). */
const MARGINAL_WEIGHT_LIMIT = 60;
/** Beyond this many assets the ratio rule is applied as one sort, then list scheduling: O(n log n + n x crews). */
const LARGE_INCIDENT = 150;
/** The local search's default budget, in jobs simulated: 400 evaluations of up to 20 jobs each. */
const SEARCH_JOB_SIMULATIONS = 8_000;

export function proposeDispatchPlan(world: World, options: OptimizerOptions = {}): DispatchProposal {
  const fresh = options.assets ?? world.workableUnassignedIds();
  const queuedNow = world.dispatches().filter((d) => d.status === "queued").map((d) => d.assetId);
  // Re-planning queued work re-dispatches it: worth it on an incident of human size, not on thousands of jobs.
  const queued = options.replanQueued === false || fresh.length + queuedNow.length > LARGE_INCIDENT ? [] : queuedNow;
  const replan = queued.length > 0;
  const assets = [...new Set([...fresh, ...queued])];
  const weightOf = weightFunction(world, assets);
  const large = assets.length > LARGE_INCIDENT;
  const { assignments, unassignable } = large ? ratioOrder(world, assets, weightOf, replan) : ratioRule(world, assets, weightOf, replan);
  let plan: DispatchPlan = { assignments, ...(replan ? { reassign: true } : {}) };
  let evaluations = 0;
  const horizon = planHorizon(world, plan);
  // Each step of the search simulates every job the crews hold, not only the plan's: with more
  // than LARGE_INCIDENT of them, the search costs minutes for a gain within the noise.
  const jobsSimulated = fresh.length + world.openJobCount();
  const useSearch = (options.localSearch ?? true) && world.net.assetCount <= SMALL_NETWORK_ASSETS && assets.length > 1 && assets.length <= MARGINAL_WEIGHT_LIMIT
    && jobsSimulated <= LARGE_INCIDENT;
  if (useSearch) {
    // Each evaluation simulates every job the crews hold: the more jobs, the fewer evaluations.
    const budget = options.maxEvaluations ?? Math.max(20, Math.min(400, Math.floor(SEARCH_JOB_SIMULATIONS / jobsSimulated)));
    const result = localSearch(world, assignments, horizon, budget, replan);
    plan = { assignments: result.assignments, ...(replan ? { reassign: true } : {}) };
    evaluations = result.evaluations;
  }
  plan.reasoning = describePlan(world, plan, weightOf);
  return {
    plan, expected: expectedEffect(world, plan, horizon), unassignable,
    method: useSearch ? "ratio-rule+local-search" : large ? "ratio-order" : "ratio-rule", evaluations,
  };
}

/**
 * Assets in a given order, each to the crew that can finish it first: what a dispatcher
 * without a planner does. The baselines (detection order, largest population first) use it.
 */
export function listSchedule(world: World, orderedAssets: string[]): DispatchProposal {
  const slots = crewSlots(world);
  const unassignable: { assetId: string; reason: string }[] = [];
  const lists = new Map<string, string[]>();
  for (const assetId of orderedAssets) {
    const best = bestSlot(world, slots, assetId);
    if (!best) { unassignable.push({ assetId, reason: "no crew with the skill and capacity" }); continue; }
    commit(world, best.slot, assetId, best.est);
    lists.set(best.slot.crewId, [...(lists.get(best.slot.crewId) ?? []), assetId]);
  }
  const plan: DispatchPlan = { assignments: toAssignments(slots, lists), reasoning: "list schedule in the given order" };
  return { plan, expected: expectedEffect(world, plan, planHorizon(world, plan)), unassignable, method: "list-schedule", evaluations: 0 };
}

/** Simulate a plan on a copy of the world (no future damage) up to `horizon`; lower is better. */
export function evaluatePlan(world: World, plan: DispatchPlan, horizon: number): number {
  const sim = world.clone({ futureDamage: false });
  const before = sim.runningTotals().weightedCustomerMinutes;
  try {
    if (plan.assignments.some((a) => a.assetIds.length > 0)) sim.assignCrews(plan);
  } catch {
    return Infinity;
  }
  sim.advanceTo(horizon);
  return sim.runningTotals().weightedCustomerMinutes - before;
}

export function expectedEffect(world: World, plan: DispatchPlan, horizon: number): ExpectedEffect {
  // Simulating ahead repeats every repair the crews hold, not only the plan's: on an incident
  // with thousands of jobs queued, even a small plan is estimated.
  const size = plan.assignments.reduce((n, a) => n + a.assetIds.length, 0);
  if (size + world.openJobCount() > LARGE_INCIDENT) return estimatedEffect(world, plan, horizon);
  const sim = world.clone({ futureDamage: false });
  const before = sim.runningTotals();
  const criticalBefore = new Set(sim.criticalFacilitiesOut());
  const planned = new Set(plan.assignments.flatMap((a) => a.assetIds.map((id) => `${a.crewId}/${id}`)));
  if (plan.assignments.some((a) => a.assetIds.length > 0)) sim.assignCrews(plan);
  const lost = new Set<string>();
  for (;;) {
    const next = sim.nextEventTime();
    if (next === null || next > horizon) break;
    sim.advanceToNextEvent();
    for (const id of sim.criticalFacilitiesOut()) if (!criticalBefore.has(id)) lost.add(id);
  }
  sim.advanceTo(horizon);
  const after = sim.runningTotals();
  const jobs = sim.dispatches()
    .filter((d) => planned.has(`${d.crewId}/${d.assetId}`) && d.assignedAt === world.now())
    .map((d) => ({ crewId: d.crewId, assetId: d.assetId, arrivalAt: round1(d.arrivedAt ?? NaN), completionAt: round1(d.repairedAt ?? NaN) }));
  return {
    horizonMinutes: round1(horizon - world.now()),
    customerMinutes: Math.round(after.customerMinutes - before.customerMinutes),
    weightedCustomerMinutes: Math.round(after.weightedCustomerMinutes - before.weightedCustomerMinutes),
    criticalFacilitiesLost: [...lost].sort(),
    jobs, basis: "simulated",
  };
}

/**
 * A large plan's effect without simulating it (a simulation costs a service update per repair):
 * each job's completion from the crews' estimates; the population attributed to an asset is
 * out until its job completes; a facility on backup is lost if the job that feeds it ends late.
 */
function estimatedEffect(world: World, plan: DispatchPlan, horizon: number): ExpectedEffect {
  const now = world.now();
  const slots = crewSlots(world, Boolean(plan.reassign));
  const jobs: PlannedJob[] = [];
  for (const a of plan.assignments) {
    const slot = slots.find((s) => s.crewId === a.crewId);
    if (!slot) continue;
    for (const id of a.assetIds) {
      const est = world.estimateJobFrom(slot.crewId, slot.x, slot.y, slot.freeAt, id);
      commit(world, slot, id, est);
      jobs.push({ crewId: a.crewId, assetId: id, arrivalAt: round1(est.arrivalAt), completionAt: round1(est.completionAt) });
    }
  }
  const done = new Map(jobs.map((j) => [j.assetId, j.completionAt]));
  let cm = 0, wcm = 0;
  const lost = new Set<string>();
  for (const r of world.estimateImpact([...done.keys()])) {
    const minutes = Math.min(done.get(r.asset)!, horizon) - now;
    cm += r.populationOut * minutes;
    wcm += r.weightedPopulationOut * minutes;
    for (const b of r.backupsRunningOut) if (b.critical && done.get(r.asset)! > b.expiresAt) lost.add(b.node);
  }
  return {
    horizonMinutes: round1(horizon - now), customerMinutes: Math.round(cm), weightedCustomerMinutes: Math.round(wcm),
    criticalFacilitiesLost: [...lost].sort(), jobs, basis: "estimated",
  };
}

/** The expected effect of any plan (the model's, an operator's), judged like the optimizer's own. */
export function expectPlanEffect(world: World, plan: DispatchPlan): ExpectedEffect {
  return expectedEffect(world, plan, planHorizon(world, plan));
}

// ---------------------------------------------------------------- ratio rule

type WeightOf = (asset: string, scheduled: readonly string[]) => number;

/** Marginal weighted population restored by repairing `asset` after `scheduled`, plus backups it saves. */
function weightFunction(world: World, assets: string[]): WeightOf {
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
  if (assets.length > MARGINAL_WEIGHT_LIMIT || net.assetCount > SMALL_NETWORK_ASSETS) {
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

/** The ratio rule for large incidents: sort once by weight per repair minute, then each to the crew that finishes it first. */
function ratioOrder(world: World, assets: string[], weightOf: WeightOf, replan: boolean) {
  const slots = crewSlots(world, replan);
  const ratio = new Map(assets.map((id) => [id, weightOf(id, []) / Math.max(world.repairMinutesFor(id), 1)]));
  const order = [...assets].sort((a, b) => ratio.get(b)! - ratio.get(a)! || (a < b ? -1 : 1));
  const lists = new Map<string, string[]>();
  const unassignable: { assetId: string; reason: string }[] = [];
  for (const assetId of order) {
    const best = bestSlot(world, slots, assetId);
    if (!best) { unassignable.push({ assetId, reason: "no crew has the skill and the capacity left" }); continue; }
    commit(world, best.slot, assetId, best.est);
    const list = lists.get(best.slot.crewId);
    if (list) list.push(assetId); else lists.set(best.slot.crewId, [assetId]);
  }
  return { assignments: toAssignments(slots, lists), unassignable };
}

function ratioRule(world: World, assets: string[], weightOf: WeightOf, replan: boolean) {
  const slots = crewSlots(world, replan);
  const remaining = [...assets].sort();
  const scheduled: string[] = [];
  const lists = new Map<string, string[]>();
  const unassignable: { assetId: string; reason: string }[] = [];
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
      for (const assetId of remaining) unassignable.push({ assetId, reason: "no crew has the skill and the capacity left" });
      break;
    }
    commit(world, best.slot, best.assetId, best.est);
    lists.set(best.slot.crewId, [...(lists.get(best.slot.crewId) ?? []), best.assetId]);
    scheduled.push(best.assetId);
    remaining.splice(remaining.indexOf(best.assetId), 1);
  }
  return { assignments: toAssignments(slots, lists), unassignable };
}

type Est = ReturnType<World["estimateJobFrom"]>;

/** Crews as the planner sees them: after their queue, or (re-planning queued work) after their current job. */
function crewSlots(world: World, replan = false): Slot[] {
  return world.crewSummaries().map((c) => ({
    crewId: c.id, skills: new Set(c.skills),
    x: replan ? c.busyUntilLocation.x : c.freeAtLocation.x, y: replan ? c.busyUntilLocation.y : c.freeAtLocation.y,
    freeAt: Math.max(replan ? c.busyUntil : c.freeAt, world.now()),
    capacityMin: (c.capacityLeftHours + (replan ? c.queuedWorkHours : 0)) * 60,
  }));
}

/** The crew that would finish this asset first (ties: fewer minutes of work, then crew order). */
function bestSlot(world: World, slots: Slot[], assetId: string): { slot: Slot; est: Est } | null {
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

function commit(world: World, slot: Slot, assetId: string, est: Est): void {
  const loc = world.assetLocation(assetId)!;
  slot.x = loc.x;
  slot.y = loc.y;
  slot.freeAt = est.completionAt;
  slot.capacityMin -= est.travel + est.repair;
}

function toAssignments(slots: Slot[], lists: Map<string, string[]>): CrewAssignment[] {
  return slots.filter((s) => lists.has(s.crewId)).map((s) => ({ crewId: s.crewId, assetIds: lists.get(s.crewId)! }));
}

function planHorizon(world: World, plan: DispatchPlan): number {
  const slots = crewSlots(world, Boolean(plan.reassign));
  let end = world.now();
  for (const a of plan.assignments) {
    const slot = slots.find((s) => s.crewId === a.crewId)!;
    for (const id of a.assetIds) {
      const est = world.estimateJobFrom(slot.crewId, slot.x, slot.y, slot.freeAt, id);
      commit(world, slot, id, est);
    }
    end = Math.max(end, slot.freeAt);
  }
  for (const s of slots) end = Math.max(end, s.freeAt);
  // Judge every plan over the same window, long enough for a slower plan to finish.
  return world.now() + 2 * (end - world.now()) + 60;
}

// ---------------------------------------------------------------- local search

function localSearch(world: World, start: CrewAssignment[], horizon: number, budget: number, replan: boolean) {
  const skills = new Map(world.crewSummaries().map((c) => [c.id, new Set(c.skills)]));
  const crewIds = [...skills.keys()];
  let current = new Map(crewIds.map((id) => [id, [...(start.find((a) => a.crewId === id)?.assetIds ?? [])]]));
  const toPlan = (m: Map<string, string[]>): DispatchPlan => ({
    assignments: crewIds.filter((id) => m.get(id)!.length > 0).map((id) => ({ crewId: id, assetIds: m.get(id)! })),
    ...(replan ? { reassign: true } : {}),
  });
  let evaluations = 1;
  let bestCost = evaluatePlan(world, toPlan(current), horizon);
  const networkOf = (id: string) => world.net.networkOf(world.net.index(id)!);
  let improved = true;
  while (improved && evaluations < budget) {
    improved = false;
    for (const candidate of neighbours(current, crewIds, skills, networkOf)) {
      if (evaluations >= budget) break;
      evaluations++;
      const cost = evaluatePlan(world, toPlan(candidate), horizon);
      if (cost < bestCost - 1e-6) {
        bestCost = cost;
        current = candidate;
        improved = true;
        break;
      }
    }
  }
  return { assignments: toPlan(current).assignments, evaluations };
}

/** Swap neighbours within a sequence, move an asset to another crew, swap assets between crews. */
function* neighbours(plan: Map<string, string[]>, crewIds: string[], skills: Map<string, Set<string>>, networkOf: (id: string) => string) {
  const copy = () => new Map([...plan].map(([k, v]) => [k, [...v]]));
  for (const c of crewIds) {
    const seq = plan.get(c)!;
    for (let i = 0; i + 1 < seq.length; i++) {
      const m = copy();
      const s = m.get(c)!;
      [s[i], s[i + 1]] = [s[i + 1], s[i]];
      yield m;
    }
  }
  for (const from of crewIds) {
    const seq = plan.get(from)!;
    for (let i = 0; i < seq.length; i++) {
      for (const to of crewIds) {
        if (to === from || !skills.get(to)!.has(networkOf(seq[i]))) continue;
        const target = plan.get(to)!;
        for (const pos of new Set([0, Math.min(i, target.length), target.length])) {
          const m = copy();
          const [asset] = m.get(from)!.splice(i, 1);
          m.get(to)!.splice(pos, 0, asset);
          yield m;
        }
        for (let j = 0; j < target.length; j++) {
          if (!skills.get(from)!.has(networkOf(target[j]))) continue;
          const m = copy();
          const a = m.get(from)!, b = m.get(to)!;
          [a[i], b[j]] = [b[j], a[i]];
          yield m;
        }
      }
    }
  }
}

function describePlan(world: World, plan: DispatchPlan, weightOf: WeightOf): string {
  const parts = plan.assignments.map((a) => {
    const first = a.assetIds[0];
    return `${a.crewId}: ${a.assetIds.join(" -> ")} (first ${first}, weight ${Math.round(weightOf(first, []))})`;
  });
  return `Highest weighted population restored per crew-minute first, refined by simulating alternatives. ${parts.join("; ")}.`;
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}
