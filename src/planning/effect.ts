/**
 * What a plan is expected to do: simulated on a copy of the world that knows no future damage
 * (`evaluatePlan`, `expectedEffect`), or, for plans too large to simulate, estimated.
 */
import { round1 } from "../format.js";
import { EXPECTED_EFFECT_SIMULATED_JOBS } from "../limits.js";
import type { World } from "../world/simulator.js";
import type { DispatchPlan } from "../world/types.js";
import { commit, crewSlots } from "./construct.js";

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
  if (size + world.openJobCount() > EXPECTED_EFFECT_SIMULATED_JOBS) return estimatedEffect(world, plan, horizon);
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
  const jobs = sim
    .dispatches()
    .filter((d) => planned.has(`${d.crewId}/${d.assetId}`) && d.assignedAt === world.now())
    .map((d) => ({
      crewId: d.crewId,
      assetId: d.assetId,
      arrivalAt: round1(d.arrivedAt ?? NaN),
      completionAt: round1(d.repairedAt ?? NaN),
    }));
  return {
    horizonMinutes: round1(horizon - world.now()),
    customerMinutes: Math.round(after.customerMinutes - before.customerMinutes),
    weightedCustomerMinutes: Math.round(after.weightedCustomerMinutes - before.weightedCustomerMinutes),
    criticalFacilitiesLost: [...lost].sort(),
    jobs,
    basis: "simulated",
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
      jobs.push({
        crewId: a.crewId,
        assetId: id,
        arrivalAt: round1(est.arrivalAt),
        completionAt: round1(est.completionAt),
      });
    }
  }
  const done = new Map(jobs.map((j) => [j.assetId, j.completionAt]));
  let cm = 0,
    wcm = 0;
  const lost = new Set<string>();
  for (const r of world.estimateImpact([...done.keys()])) {
    const minutes = Math.min(done.get(r.asset)!, horizon) - now;
    cm += r.populationOut * minutes;
    wcm += r.weightedPopulationOut * minutes;
    for (const b of r.backupsRunningOut) if (b.critical && done.get(r.asset)! > b.expiresAt) lost.add(b.node);
  }
  return {
    horizonMinutes: round1(horizon - now),
    customerMinutes: Math.round(cm),
    weightedCustomerMinutes: Math.round(wcm),
    criticalFacilitiesLost: [...lost].sort(),
    jobs,
    basis: "estimated",
  };
}

/** The expected effect of any plan (the model's, an operator's), judged like the optimizer's own. */
export function expectPlanEffect(world: World, plan: DispatchPlan): ExpectedEffect {
  return expectedEffect(world, plan, planHorizon(world, plan));
}

/** The minute a plan's work ends (estimated), with the crews' other work. */
export function planMakespan(world: World, plan: DispatchPlan): number {
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
  return end;
}

/** Judge every plan over the same window, long enough for a slower plan to finish. */
export function planHorizon(world: World, plan: DispatchPlan): number {
  return world.now() + 2 * (planMakespan(world, plan) - world.now()) + 60;
}

export { round1 } from "../format.js";
