/**
 * A "best known" plan for a case too large for exact search: a long, seeded iterated local
 * search over the crews' ordered lists. Every candidate is judged by the project's own
 * simulator: the plan is sent at minute 0 to a copy of the world that knows no future damage and
 * run until nothing more happens; its cost is the weighted customer-minutes accrued (infinite
 * when the plan is refused or leaves the network unrestored).
 *
 * Moves: relocate one asset (to any capable crew, near the same point in time), swap two assets,
 * or-opt (move a run of 2 or 3), and swap neighbours in a list. First improvement on moves drawn
 * at random; when no move has helped for a while, perturb the best plan found (a few random
 * moves) and search on from there. Several restarts, each with its own seed, share the budget.
 * Deterministic: the same case, seed and budget give the same plan.
 */
import { performance } from "node:perf_hooks";
import { baselinePlan, type BaselineName } from "../planning/baselines.js";
import { proposeDispatchPlan } from "../planning/optimizer.js";
import { mulberry32 } from "../world/prng.js";
import type { World } from "../world/simulator.js";
import type { DispatchPlan } from "../world/types.js";

export interface BestKnownOptions {
  seed?: number;
  /** Simulated plans in all (default: see referenceBudget). */
  evaluations?: number;
  restarts?: number;
  /** Extra plans to start from (e.g. a stored reference, the agent's plan). */
  starts?: { name: string; plan: DispatchPlan }[];
  /** Called now and then with progress (evaluations done, best cost). */
  onProgress?: (done: number, best: number) => void;
}

export interface BestKnownResult {
  plan: DispatchPlan;
  weightedCustomerMinutes: number;
  evaluations: number;
  /** The start plans and their costs; the search began from the best of them. */
  starts: { name: string; weightedCustomerMinutes: number }[];
  restarts: number;
  seed: number;
  wallMs: number;
}

/**
 * The optimizer's cap on simulated evaluations per round when the references were first made
 * (src/planning/optimizer.ts at 6ee3103). The rewritten optimizer budgets cheaper surrogate
 * evaluations in work (src/limits.ts); the reference keeps this budget in full simulations, and
 * the evaluation takes whichever of the reference and the planners' runs is best.
 */
export const OPTIMIZER_EVALUATION_CAP = 400;
/** The reference search gets ten times that ... */
export const REFERENCE_EVALUATIONS = 10 * OPTIMIZER_EVALUATION_CAP;
/** ... capped at this many simulated jobs per case (a 1,000-asset plan simulates in about a second), and never below the optimizer's cap. */
export const REFERENCE_JOB_SIMULATIONS = 400_000;

export function referenceBudget(jobs: number): number {
  return Math.max(
    OPTIMIZER_EVALUATION_CAP,
    Math.min(REFERENCE_EVALUATIONS, Math.floor(REFERENCE_JOB_SIMULATIONS / Math.max(1, jobs))),
  );
}

/** Weighted customer-minutes of a plan sent now and run to the end, with no future damage. */
export function simulatePlanToEnd(world: World, plan: DispatchPlan): number {
  const sim = world.clone({ futureDamage: false });
  try {
    if (plan.assignments.some((a) => a.assetIds.length > 0)) sim.assignCrews(plan);
  } catch {
    return Infinity;
  }
  while (sim.advanceToNextEvent() !== null) {
    /* until nothing more happens */
  }
  return sim.isFullyRestored() ? sim.runningTotals().weightedCustomerMinutes : Infinity;
}

type Lists = string[][];

export function searchBestKnown(world: World, options: BestKnownOptions = {}): BestKnownResult {
  const started = performance.now();
  const seed = options.seed ?? 1;
  const assets = world.workableUnassignedIds();
  const budget = options.evaluations ?? referenceBudget(assets.length);
  const restarts = Math.max(1, options.restarts ?? 3);
  const crews = world.crewSummaries();
  const crewIds = crews.map((c) => c.id);
  const skills = crews.map((c) => new Set(c.skills));
  const networkOf = new Map(assets.map((a) => [a, world.net.networkOf(world.net.index(a)!)]));
  const capable = new Map(
    assets.map((a) => [a, crewIds.map((_, k) => k).filter((k) => skills[k]!.has(networkOf.get(a)!))]),
  );

  let evaluations = 0;
  const cost = (lists: Lists) => {
    evaluations++;
    return simulatePlanToEnd(world, toPlan(lists, crewIds));
  };
  const fromPlan = (p: DispatchPlan): Lists =>
    crewIds.map((id) => [...(p.assignments.find((a) => a.crewId === id)?.assetIds ?? [])]);

  const startPlans: { name: string; plan: DispatchPlan }[] = [
    { name: "optimizer", plan: proposeDispatchPlan(world).plan },
    ...(["detection-order", "largest-population-first", "ratio-rule"] as BaselineName[]).map((b) => ({
      name: b,
      plan: baselinePlan(world, b).plan,
    })),
    ...(options.starts ?? []),
  ];
  const starts = startPlans.map((s) => ({ name: s.name, lists: fromPlan(s.plan), cost: cost(fromPlan(s.plan)) }));
  starts.sort((a, b) => a.cost - b.cost);
  let best = { lists: clone(starts[0]!.lists), cost: starts[0]!.cost };
  const perRestart = Math.max(1, Math.floor((budget - evaluations) / restarts));

  for (let r = 0; r < restarts && evaluations < budget; r++) {
    const rand = mulberry32((seed * 2654435761 + r * 40503) >>> 0);
    const int = (n: number) => Math.floor(rand() * n);
    // Restart 0 searches on from the best start; the others from a perturbed copy of the best so far.
    let current = { lists: clone(best.lists), cost: best.cost };
    if (r > 0) {
      current.lists = perturb(current.lists, 3 + int(Math.max(1, Math.ceil(assets.length / 15))), rand);
      current.cost = cost(current.lists);
    }
    const stop = Math.min(budget, evaluations + perRestart);
    const patience = Math.max(60, 2 * assets.length);
    let stall = 0;
    while (evaluations < stop) {
      const candidate = move(current.lists, rand);
      if (!candidate) {
        stall++;
        if (stall > 10 * patience) break;
        continue;
      }
      const c = cost(candidate);
      if (c < current.cost - 1e-6) {
        current = { lists: candidate, cost: c };
        stall = 0;
        if (c < best.cost - 1e-6) best = { lists: clone(candidate), cost: c };
      } else if (++stall >= patience) {
        // Iterated local search: kick the best plan and search on from there.
        current = { lists: perturb(best.lists, 2 + int(4), rand), cost: Infinity };
        current.cost = cost(current.lists);
        stall = 0;
      }
      if (evaluations % 200 === 0) options.onProgress?.(evaluations, best.cost);
    }
  }

  return {
    plan: {
      ...toPlan(best.lists, crewIds),
      reasoning: `best known: iterated local search, seed ${seed}, ${evaluations} simulated plans`,
    },
    weightedCustomerMinutes: best.cost,
    evaluations,
    starts: starts.map((s) => ({ name: s.name, weightedCustomerMinutes: s.cost })),
    restarts,
    seed,
    wallMs: performance.now() - started,
  };

  function move(lists: Lists, rand: () => number): Lists | null {
    const int = (n: number) => Math.floor(rand() * n);
    const filled = lists.map((l, k) => (l.length ? k : -1)).filter((k) => k >= 0);
    if (filled.length === 0) return null;
    const a = filled[int(filled.length)]!;
    const i = int(lists[a]!.length);
    const asset = lists[a]![i]!;
    const kind = rand();
    const next = clone(lists);
    if (kind < 0.4) {
      // Relocate: to a capable crew, near the same relative point of its list.
      const targets = capable.get(asset)!;
      const b = targets[int(targets.length)]!;
      next[a]!.splice(i, 1);
      const len = next[b]!.length;
      const around = Math.round((i / Math.max(1, lists[a]!.length)) * len) + int(7) - 3;
      next[b]!.splice(Math.max(0, Math.min(len, around)), 0, asset);
    } else if (kind < 0.7) {
      // Swap with another asset a capable crew holds, at a nearby point of its list.
      const targets = capable.get(asset)!;
      const b = targets[int(targets.length)]!;
      if (next[b]!.length === 0) return null;
      const around = Math.round((i / Math.max(1, lists[a]!.length)) * next[b]!.length) + int(9) - 4;
      const j = Math.max(0, Math.min(next[b]!.length - 1, around));
      const other = next[b]![j]!;
      if (other === asset || !capable.get(other)!.includes(a)) return null;
      next[a]![i] = other;
      next[b]![j] = asset;
    } else if (kind < 0.85) {
      // Or-opt: move a run of 2 or 3 (same network, so the same crews can take it).
      const len = Math.min(2 + int(2), lists[a]!.length - i);
      if (len < 2) return null;
      const run = next[a]!.splice(i, len);
      const targets = capable.get(asset)!.filter((k) => run.every((x) => capable.get(x)!.includes(k)));
      const b = targets[int(targets.length)]!;
      const pos = int(next[b]!.length + 1);
      next[b]!.splice(pos, 0, ...run);
    } else {
      // Swap neighbours in a list.
      if (i + 1 >= next[a]!.length) return null;
      [next[a]![i], next[a]![i + 1]] = [next[a]![i + 1]!, next[a]![i]!];
    }
    return next;
  }

  function perturb(lists: Lists, moves: number, rand: () => number): Lists {
    let out = clone(lists);
    for (let k = 0; k < moves; k++) out = move(out, rand) ?? out;
    return out;
  }
}

function clone(lists: Lists): Lists {
  return lists.map((l) => [...l]);
}

function toPlan(lists: Lists, crewIds: string[]): DispatchPlan {
  return {
    assignments: crewIds.map((id, k) => ({ crewId: id, assetIds: lists[k]! })).filter((a) => a.assetIds.length > 0),
  };
}
