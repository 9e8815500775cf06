/**
 * What-if: what a plan is expected to do, simulated ahead on a copy of the world that knows no
 * future damage, and how that compares with another plan (the optimizer's latest proposal).
 * Dispatches nothing in the real world. It serves the `simulate_plan` agent tool, the approval
 * step (an operator's edited plan shows its effect before it is sent) and the public API.
 *
 * Both plans are judged over the same window: from now until the later of the two has nothing
 * left to happen (every job done, every backup run out), so the figures compare.
 */
import type { World } from "../world/simulator.js";
import type { DispatchPlan } from "../world/types.js";
import { WHAT_IF_MAX_MINUTES, WHAT_IF_SIMULATED_JOB_LIMIT } from "../limits.js";
import { expectPlanEffect } from "./optimizer.js";

export interface SimulatedJob {
  crewId: string;
  assetId: string;
  arrivalAt: number;
  completionAt: number;
  weatherHoldMinutes: number;
}

export interface PlanOutcome {
  /** From minute `from` to minute `to`: the window both plans are judged over. */
  from: number;
  to: number;
  customerMinutes: number;
  weightedCustomerMinutes: number;
  /** Critical facilities that lose service in the window, with the minute (and back at, if they come back). */
  criticalFacilitiesLost: { id: string; at: number; backAt?: number }[];
  jobs: SimulatedJob[];
  /** Minute every asset is back in service, if it is within the window. */
  fullRestorationAt: number | null;
  /** `simulated`: run on a copy of the world; `estimated`: a large incident, from job estimates (the optimizer's method). */
  basis: "simulated" | "estimated";
}

export interface WhatIf {
  /** Reasons the world would refuse the plan; when set, nothing else is. */
  errors?: string[];
  outcome?: PlanOutcome;
  /** The plan compared with: its outcome over the same window, and plan minus it (negative: the plan is better). */
  comparedWith?: {
    outcome: PlanOutcome;
    difference: {
      customerMinutes: number;
      weightedCustomerMinutes: number;
      criticalFacilitiesLostOnlyInPlan: string[];
      criticalFacilitiesSavedByPlan: string[];
    };
  };
}

interface Run {
  sim: World;
  start: { customerMinutes: number; weightedCustomerMinutes: number };
  lost: Map<string, { at: number; backAt?: number }>;
  jobs: Set<string>;
}

/** Simulate `plan` (and, when given, `compareTo`) from now on a copy of the world without future damage. */
export function simulatePlan(world: World, plan: DispatchPlan, compareTo?: DispatchPlan | null): WhatIf {
  const validation = world.validatePlan(plan);
  if (!validation.valid) return { errors: validation.errors };
  const jobs = plan.assignments.reduce((n, a) => n + a.assetIds.length, 0) + world.openJobCount();
  if (jobs > WHAT_IF_SIMULATED_JOB_LIMIT) return estimated(world, plan, compareTo);
  const mine = settle(world, plan);
  const other = compareTo && world.validatePlan(compareTo).valid ? settle(world, compareTo) : null;
  // A whole minute, so that the window can be read back and replayed exactly.
  const to = Math.ceil(Math.max(mine.sim.now(), other?.sim.now() ?? 0));
  const outcome = outcomeOf(world, mine, to);
  if (!other) return { outcome };
  const theirs = outcomeOf(world, other, to);
  return { outcome, comparedWith: { outcome: theirs, difference: difference(outcome, theirs) } };
}

function settle(world: World, plan: DispatchPlan): Run {
  const sim = world.clone({ futureDamage: false });
  const start = sim.runningTotals();
  const before = new Set(sim.criticalFacilitiesOut());
  if (plan.assignments.some((a) => a.assetIds.length > 0)) sim.assignCrews(plan);
  const lost = new Map<string, { at: number; backAt?: number }>();
  const cap = world.now() + WHAT_IF_MAX_MINUTES;
  for (let next = sim.nextEventTime(); next !== null && next <= cap; next = sim.nextEventTime()) {
    sim.advanceToNextEvent();
    const out = new Set(sim.criticalFacilitiesOut());
    for (const id of out) if (!before.has(id) && !lost.has(id)) lost.set(id, { at: sim.now() });
    for (const [id, l] of lost) if (!out.has(id) && l.backAt === undefined) l.backAt = sim.now();
  }
  return {
    sim,
    start,
    lost,
    jobs: new Set(plan.assignments.flatMap((a) => a.assetIds.map((id) => `${a.crewId}/${id}`))),
  };
}

function outcomeOf(world: World, run: Run, to: number): PlanOutcome {
  run.sim.advanceTo(to);
  const end = run.sim.runningTotals();
  const now = world.now();
  const restoredAt = run.sim.metrics().minutesToFullRestoration;
  return {
    from: round1(now),
    to: round1(to),
    customerMinutes: Math.round(end.customerMinutes - run.start.customerMinutes),
    weightedCustomerMinutes: Math.round(end.weightedCustomerMinutes - run.start.weightedCustomerMinutes),
    criticalFacilitiesLost: [...run.lost]
      .map(([id, l]) => ({ id, at: round1(l.at), ...(l.backAt !== undefined ? { backAt: round1(l.backAt) } : {}) }))
      .sort((a, b) => a.at - b.at || a.id.localeCompare(b.id)),
    jobs: run.sim
      .dispatches()
      .filter((d) => run.jobs.has(`${d.crewId}/${d.assetId}`) && d.assignedAt === now)
      .map((d) => ({
        crewId: d.crewId,
        assetId: d.assetId,
        arrivalAt: round1(d.arrivedAt ?? NaN),
        completionAt: round1(d.repairedAt ?? NaN),
        weatherHoldMinutes: round1(d.heldMinutes ?? 0),
      })),
    fullRestorationAt: restoredAt ?? null,
    basis: "simulated",
  };
}

function difference(a: PlanOutcome, b: PlanOutcome) {
  const lostA = new Set(a.criticalFacilitiesLost.map((l) => l.id));
  const lostB = new Set(b.criticalFacilitiesLost.map((l) => l.id));
  return {
    customerMinutes: a.customerMinutes - b.customerMinutes,
    weightedCustomerMinutes: a.weightedCustomerMinutes - b.weightedCustomerMinutes,
    criticalFacilitiesLostOnlyInPlan: [...lostA].filter((id) => !lostB.has(id)).sort(),
    criticalFacilitiesSavedByPlan: [...lostB].filter((id) => !lostA.has(id)).sort(),
  };
}

/** A large incident: the optimizer's estimate of each plan over the longer of their horizons. */
function estimated(world: World, plan: DispatchPlan, compareTo?: DispatchPlan | null): WhatIf {
  const toOutcome = (p: DispatchPlan): PlanOutcome => {
    const e = expectPlanEffect(world, p);
    return {
      from: round1(world.now()),
      to: round1(world.now() + e.horizonMinutes),
      customerMinutes: e.customerMinutes,
      weightedCustomerMinutes: e.weightedCustomerMinutes,
      criticalFacilitiesLost: e.criticalFacilitiesLost.map((id) => ({ id, at: NaN })),
      jobs: e.jobs.map((j) => ({ ...j, weatherHoldMinutes: NaN })),
      fullRestorationAt: null,
      basis: e.basis,
    };
  };
  const outcome = toOutcome(plan);
  if (!compareTo) return { outcome };
  const theirs = toOutcome(compareTo);
  return { outcome, comparedWith: { outcome: theirs, difference: difference(outcome, theirs) } };
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}

/** How a plan relates to a proposal: the same jobs in the same order per crew, mostly the same, or not. */
export function classifyAgainstProposal(plan: DispatchPlan, proposal: DispatchPlan): "adopted" | "changed" | "ignored" {
  const lists = (p: DispatchPlan) =>
    new Map(p.assignments.filter((a) => a.assetIds.length).map((a) => [a.crewId, a.assetIds.join(">")]));
  const mine = lists(plan),
    theirs = lists(proposal);
  if (mine.size === theirs.size && [...theirs].every(([crew, jobs]) => mine.get(crew) === jobs)) return "adopted";
  const pairs = (p: DispatchPlan) => new Set(p.assignments.flatMap((a) => a.assetIds.map((id) => `${a.crewId}/${id}`)));
  const proposed = pairs(proposal);
  const kept = [...pairs(plan)].filter((x) => proposed.has(x)).length;
  return proposed.size > 0 && kept * 2 >= proposed.size ? "changed" : "ignored";
}
