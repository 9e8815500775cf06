/**
 * The optimum of a small instance, by exact search over every assignment of the damaged
 * assets to capable crews and every order per crew, judged by simulation (criticality-weighted
 * customer-minutes, to full restoration, on a copy of the world that knows no future damage).
 *
 * The search walks the same space as "one ordered list per crew", but in time order: whenever
 * a crew is free it either takes one of the remaining assets next or stops for good (its list
 * ends). A crew sent its next asset when it becomes free travels exactly as it would have with
 * the asset queued from the start (same departure minute, same weather), so every leaf is one
 * plan of the list space and every plan is one leaf. Walking in time order lets siblings share
 * the simulation of their common past (a clone per branch instead of a simulation per plan),
 * and gives a lower bound for pruning: the cost already accrued, plus the current outage held
 * until the earliest minute any repair could still complete (outage can only fall at a repair).
 *
 * The best plan is checked against `evaluatePlan` (src/planning/optimizer.ts): one simulation
 * of the whole list plan over a horizon past its full restoration must give the same cost.
 */
import { evaluatePlan, proposeDispatchPlan } from "../planning/optimizer.js";
import type { World } from "../world/simulator.js";
import type { DispatchPlan } from "../world/types.js";

export interface ExactOptions {
  /** Refuse larger instances (default 8 damaged assets, 3 crews): the search is exponential. */
  maxAssets?: number;
  maxCrews?: number;
  /** Stop after this many search nodes and report the best plan found as not proven (default 2,000,000). */
  maxNodes?: number;
  /** Start from this plan's cost (default: the optimizer's plan), so pruning bites at once. */
  incumbent?: DispatchPlan;
}

export interface ExactResult {
  plan: DispatchPlan;
  /** Weighted customer-minutes from now to full restoration under the plan. */
  weightedCustomerMinutes: number;
  /** Search nodes (simulation states) visited, complete plans reached, subtrees cut by the bound. */
  nodes: number;
  leaves: number;
  pruned: number;
  /** False when the node budget ran out: the plan is the best found, not proven optimal. */
  proven: boolean;
  /** evaluatePlan's cost of the plan over `horizon` (equal to the search's cost). */
  check: { horizon: number; weightedCustomerMinutes: number };
}

export class ExactSearchRefused extends Error {}

interface Branch {
  world: World;
  sequences: Map<string, string[]>;
  stopped: Set<string>;
}

export function solveExact(start: World, options: ExactOptions = {}): ExactResult {
  const world = start.clone({ futureDamage: false });
  const maxAssets = options.maxAssets ?? 8;
  const maxCrews = options.maxCrews ?? 3;
  const maxNodes = options.maxNodes ?? 2_000_000;
  const assets = world.unassignedDamagedIds();
  const crews = world.crewSummaries();
  if (assets.length > maxAssets || crews.length > maxCrews) {
    throw new ExactSearchRefused(
      `exact search is for small instances (at most ${maxAssets} damaged assets and ${maxCrews} crews), got ${assets.length} and ${crews.length}`,
    );
  }
  if (world.dispatches().some((d) => d.status !== "done" && d.status !== "cancelled" && d.status !== "reassigned")) {
    throw new ExactSearchRefused("exact search starts from a world with no dispatch under way");
  }
  const unrepairable = assets.filter(
    (a) => !crews.some((c) => world.validatePlan({ assignments: [{ crewId: c.id, assetIds: [a] }] }).valid),
  );
  if (unrepairable.length > 0) throw new ExactSearchRefused(`no crew can repair ${unrepairable.join(", ")}`);
  const crewIds = crews.map((c) => c.id);

  const incumbentPlan = options.incumbent ?? proposeDispatchPlan(world).plan;
  let best = { cost: fullCost(world, incumbentPlan), plan: incumbentPlan };
  const hint = new Map(incumbentPlan.assignments.map((a) => [a.crewId, a.assetIds]));
  let nodes = 0,
    leaves = 0,
    pruned = 0,
    proven = true;

  const visit = (b: Branch): void => {
    if (nodes >= maxNodes) {
      proven = false;
      return;
    }
    nodes++;
    const w = b.world;
    if (lowerBound(w, b.stopped) >= best.cost - 1e-9) {
      pruned++;
      return;
    }
    const remaining = w.unassignedDamagedIds();
    if (remaining.length === 0) {
      leaves++;
      runToEnd(w);
      const cost = w.runningTotals().weightedCustomerMinutes;
      if (cost < best.cost - 1e-9) best = { cost, plan: toPlan(b.sequences, crewIds) };
      return;
    }
    const free = w.crewSummaries().find((c) => c.status === "idle" && !b.stopped.has(c.id));
    if (!free) {
      // Every crew still working is busy: nothing to decide until the next event.
      if (w.advanceToNextEvent() === null) return; // no crew left for the remaining assets: not a plan
      visit(b);
      return;
    }
    const takeable = remaining.filter(
      (a) => w.validatePlan({ assignments: [{ crewId: free.id, assetIds: [a] }] }).valid,
    );
    // Try the incumbent's next choice for this crew first: good plans early make the bound cut more.
    const preferred = hint.get(free.id)?.[b.sequences.get(free.id)?.length ?? 0];
    takeable.sort((x, y) => (x === preferred ? -1 : y === preferred ? 1 : x < y ? -1 : x > y ? 1 : 0));
    for (const asset of takeable) {
      const child = w.clone({ futureDamage: false });
      child.assignCrews({ assignments: [{ crewId: free.id, assetIds: [asset] }] });
      const sequences = new Map(b.sequences);
      sequences.set(free.id, [...(sequences.get(free.id) ?? []), asset]);
      visit({ world: child, sequences, stopped: b.stopped });
    }
    // Or this crew's list ends here (it is never sent again).
    const stopped = new Set(b.stopped).add(free.id);
    if (crewIds.some((c) => !stopped.has(c)))
      visit({ world: w.clone({ futureDamage: false }), sequences: b.sequences, stopped });
  };

  visit({ world: world.clone({ futureDamage: false }), sequences: new Map(), stopped: new Set() });

  const horizon = restorationTime(world, best.plan) + 60;
  return {
    plan: {
      ...best.plan,
      reasoning: "exact search: the assignment and orders with the least weighted customer-minutes",
    },
    weightedCustomerMinutes: best.cost - world.runningTotals().weightedCustomerMinutes,
    nodes,
    leaves,
    pruned,
    proven,
    check: { horizon, weightedCustomerMinutes: evaluatePlan(world, best.plan, horizon) },
  };
}

/**
 * Accrued weighted customer-minutes, plus the current outage held until the earliest minute a
 * repair could complete: a crew at work finishes its job, a free crew needs at least the
 * shortest remaining job from where it stands.
 */
function lowerBound(w: World, stopped: ReadonlySet<string>): number {
  const now = w.now();
  let earliest = Infinity;
  const remaining = w.unassignedDamagedIds();
  for (const c of w.crewSummaries()) {
    // busyUntil is rounded to 0.01 min: step back past the rounding so the bound stays below the truth.
    if (c.status !== "idle") earliest = Math.min(earliest, Math.max(now, c.busyUntil - 0.01));
    else if (!stopped.has(c.id)) {
      for (const a of remaining) earliest = Math.min(earliest, w.estimateJobFrom(c.id, c.x, c.y, now, a).completionAt);
    }
  }
  const accrued = w.runningTotals().weightedCustomerMinutes;
  if (!Number.isFinite(earliest)) return accrued;
  return accrued + weightedOutNow(w) * Math.max(0, earliest - now);
}

function weightedOutNow(w: World): number {
  return w.detectFailures().weightedPopulationOut;
}

function runToEnd(w: World): void {
  while (w.advanceToNextEvent() !== null) {
    /* until nothing more happens */
  }
}

/** Weighted customer-minutes (running total) once the plan has run to its end. */
function fullCost(world: World, plan: DispatchPlan): number {
  const sim = world.clone({ futureDamage: false });
  try {
    if (plan.assignments.some((a) => a.assetIds.length > 0)) sim.assignCrews(plan);
  } catch {
    return Infinity;
  }
  runToEnd(sim);
  return sim.isFullyRestored() ? sim.runningTotals().weightedCustomerMinutes : Infinity;
}

function restorationTime(world: World, plan: DispatchPlan): number {
  const sim = world.clone({ futureDamage: false });
  if (plan.assignments.some((a) => a.assetIds.length > 0)) sim.assignCrews(plan);
  runToEnd(sim);
  return sim.metrics().minutesToFullRestoration ?? sim.now();
}

function toPlan(sequences: Map<string, string[]>, crewIds: string[]): DispatchPlan {
  return {
    assignments: crewIds
      .filter((id) => (sequences.get(id) ?? []).length > 0)
      .map((id) => ({ crewId: id, assetIds: [...sequences.get(id)!] })),
  };
}
