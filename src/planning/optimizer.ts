/**
 * The dispatch optimizer: a deterministic planner for the world's problem, minimising
 * criticality-weighted customer-minutes interrupted (wCMI) and the critical facilities lost.
 *
 * 1. Construction (src/planning/construct.ts, joint.ts): several constructive plans, each asset
 *    list-scheduled to the crew that would finish it first: the previous ratio rule (marginal
 *    weights), the order by joint-restoration weights (each customer group's blocking set: the
 *    repairs it needs together), largest population first, detection order.
 * 2. A surrogate evaluator (surrogate.ts): each job's completion from the world's estimate
 *    (travel, weather, capacity), the completions replayed in time order through the world's
 *    service fixed point, weighted population out integrated to a horizon, with service states
 *    cached by repaired set, so that thousands of plans can be judged where a simulation affords
 *    hundreds.
 * 3. Improvement (improve.ts): iterated local search (relocate, swap, or-opt, ruin and
 *    recreate) from the best constructive plan, budgeted in counted work, never wall time.
 * 4. Verification: the search's plan, the best constructive one and the baselines' plans are
 *    each simulated once (evaluatePlan) and the best is kept: never worse than a baseline on the
 *    same world snapshot.
 *
 * It is the brain of the offline planner and the `propose_dispatch_plan` tool.
 * Size: about 460 lines once formatted: one planning round read top to bottom (setup, construction,
 *   search, verification, the proposal); its parts already live in construct, joint, surrogate, improve, effect.
 */
import {
  GROUP_GREEDY_SERVICE_WORK,
  OPTIMIZER_LARGE_INCIDENT_ASSETS,
  PARALLEL_SEARCH_MIN_ASSETS,
  SEARCH_SERVICE_WORK,
  VERIFY_SIMULATED_JOBS,
} from "../limits.js";
import { groupGreedyOrder } from "./group-greedy.js";
import type { World } from "../world/simulator.js";
import type { CrewAssignment, DispatchPlan } from "../world/types.js";
import type { FirstJob } from "./rejection-rules.js";
import {
  bestSlot,
  commit,
  crewSlots,
  detectionOrder,
  largestPopulationOrder,
  listScheduleOn,
  ratioOrder,
  ratioRule,
  type Slot,
  type Unassignable,
  weightFunction,
} from "./construct.js";
import { evaluatePlan, type ExpectedEffect, expectedEffect, planHorizon, planMakespan } from "./effect.js";
import { improve, type Lists, type SearchResult } from "./improve.js";
import { jointGroups, jointRatioOrder } from "./joint.js";
import { prepareParallelSearch, searchInParallel } from "./parallel-search.js";
import { queuesKept, roundBudget } from "./round-budget.js";
import { searchFingerprint } from "./search-fingerprint.js";
import { type CrewStart, Surrogate, type SurrogateSpent, spentBy } from "./surrogate.js";

export { evaluatePlan, expectedEffect, expectPlanEffect, type ExpectedEffect, type PlannedJob } from "./effect.js";

export interface OptimizerOptions {
  /** Improve the constructive plan by search (default true); false gives the ratio rule alone (the `ratio-rule` baseline). */
  localSearch?: boolean;
  /** Upper bound on the search's surrogate evaluations (default: scaled to the incident; see src/limits.ts). */
  maxEvaluations?: number;
  /** Only plan these assets (default: every damaged asset no crew has, that some crew can take). */
  assets?: string[];
  /**
   * Also re-plan work that is queued but not started (default true): new damage can then go
   * before it, and the plan carries `reassign`. Crews keep the job they are on.
   */
  replanQueued?: boolean;
  /**
   * Work an operator decided: these assets are not re-planned, and each crew's pinned list
   * stays first in its queue (before anything the optimizer adds).
   */
  pinned?: CrewAssignment[];
  /** Crews that get no work (an operator's "not crew C"): their queued work, when re-planned, goes to others. */
  excludeCrews?: string[];
  /** Assets to go first (an operator's "A first"): each pinned first to its crew, or the one that can finish it soonest. */
  first?: FirstJob[];
  /** Seed of the search (default 1): the same world and seed give the same plan. */
  seed?: number;
  /** Multiplies the search's budgets (evaluations and network work), e.g. 10 for a reference run (default 1). */
  budgetScale?: number;
  /**
   * Search the second start on the machine's other core when there is one and the round plans at
   * least PARALLEL_SEARCH_MIN_ASSETS assets (default true); false searches it after the first.
   * The plan is the same either way.
   */
  parallelSearch?: boolean;
}

export interface SearchSummary {
  /** The constructive plan the search whose plan was kept started from. */
  startedFrom: string;
  /** Every start searched, each with the full budget (two when the group greedy's plan was the best start). */
  searchedFrom: string[];
  /** Where the second start was searched: on the other core while the first was, or after it on this one. */
  secondStart?: "in parallel" | "after the first";
  /** Each candidate's wCMI by the surrogate, and by simulation when verified. */
  candidates: { name: string; surrogate?: number; simulated?: number }[];
  /** The candidate kept. */
  chosen: string;
  surrogateEvaluations: number;
  serviceUpdates: number;
  /** Nodes visited by those updates: the work the budget counts. */
  serviceWork: number;
  simulations: number;
  improvements: number;
  /** What ended the search: its budget in evaluations or in network work, convergence, or the wall-clock safety net. */
  stoppedBy: SearchResult["exhausted"] | "not run";
}

export interface DispatchProposal {
  /** Set by whoever keeps proposals, so that a planner can adopt one by reference. */
  id?: string;
  plan: DispatchPlan;
  expected: ExpectedEffect;
  unassignable: { assetId: string; reason: string }[];
  method:
    | "ratio-rule"
    | "ratio-rule+local-search"
    | "ratio-order"
    | "list-schedule"
    | "surrogate-search"
    | "constructive";
  evaluations: number;
  search?: SearchSummary;
  /** Set when the wall-clock safety net stopped the search (the plan is then not reproducible). */
  budgetExhausted?: "time";
  /** Set when a rejected plan was to be avoided and no other plan of the same work exists. */
  noAlternative?: true;
}

/**
 * Assets in a given order, each to the crew that can finish it first: what a dispatcher
 * without a planner does. The baselines (detection order, largest population first) use it.
 */
export function listSchedule(world: World, orderedAssets: string[]): DispatchProposal {
  const { assignments, unassignable } = listScheduleOn(world, crewSlots(world), orderedAssets);
  const plan: DispatchPlan = { assignments, reasoning: "list schedule in the given order" };
  return {
    plan,
    expected: expectedEffect(world, plan, planHorizon(world, plan)),
    unassignable,
    method: "list-schedule",
    evaluations: 0,
  };
}

/** The second start's search: what it spent (counted on its own surrogate) and where it ran. */
interface SecondSearch extends SurrogateSpent {
  where?: SearchSummary["secondStart"];
}

interface Setup {
  slots: Slot[];
  starts: CrewStart[];
  fixed: { asset: number; at: number }[];
  pinnedLists: Map<string, string[]>;
}

export function proposeDispatchPlan(world: World, options: OptimizerOptions = {}): DispatchProposal {
  if (options.excludeCrews?.length || options.first?.length)
    options = { ...options, pinned: firstPinned(world, options) };
  const pinnedIds = new Set((options.pinned ?? []).flatMap((a) => a.assetIds));
  const fresh = (options.assets ?? world.workableUnassignedIds()).filter((id) => !pinnedIds.has(id));
  const queuedNow = world
    .dispatches()
    .filter((d) => d.status === "queued" && !pinnedIds.has(d.assetId))
    .map((d) => d.assetId);
  // Re-planning queued work re-dispatches it: worth it on an incident of human size, not on thousands of jobs.
  const queued =
    options.replanQueued === false || fresh.length + queuedNow.length > OPTIMIZER_LARGE_INCIDENT_ASSETS
      ? []
      : queuedNow;
  const replan = queued.length > 0;
  const assets = [...new Set([...fresh, ...queued])];
  const setup = crewSetup(world, replan, options.pinned ?? []);
  if (options.excludeCrews?.length) excludeSlots(setup, options.excludeCrews);
  const reassign = replan || [...setup.pinnedLists.values()].some((l) => l.some((id) => isQueued(world, id)));
  const finish = (assignments: CrewAssignment[]): DispatchPlan => ({
    assignments: withPinned(assignments, setup),
    ...(reassign ? { reassign: true } : {}),
  });

  // 1. Construction. The ratio rule first: it is also what `localSearch: false` returns.
  const weightOf = weightFunction(world, assets);
  const large = assets.length > OPTIMIZER_LARGE_INCIDENT_ASSETS;
  const ratio = large
    ? ratioOrder(world, cloneSlots(setup.slots), assets, weightOf)
    : ratioRule(world, cloneSlots(setup.slots), assets, weightOf);
  const unassignable = ratio.unassignable;
  const ratioName = large ? "ratio-order" : "ratio-rule";
  const net = world.net;
  const jobs = assets.length + setup.fixed.length;
  // A replay of every job (each update visiting about one network) must fit a few times in the search's work budget.
  const affordable = assets.length > 1 && jobs * (net.nodeCount / net.networks.length) * 4 <= SEARCH_SERVICE_WORK;
  const toLists = (a: CrewAssignment[]): number[][] =>
    setup.starts.map((s) => (a.find((x) => x.crewId === s.crewId)?.assetIds ?? []).map((id) => net.index(id)!));
  const toAssignments = (l: Lists): CrewAssignment[] =>
    setup.starts
      .map((s, c) => ({ crewId: s.crewId, assetIds: l[c].map((i) => net.assetIds[i]) }))
      .filter((a) => a.assetIds.length > 0);
  if (options.localSearch === false || !affordable) {
    // Too large to search. One replay of each order through the surrogate may still be affordable
    // (counted: given up past its work cap): the ratio order, unless largest population first is better.
    let chosen = { name: ratioName, assignments: ratio.assignments };
    let judged: { name: string; surrogate: number }[] | null = null;
    if (options.localSearch !== false && assets.length > 1) {
      const placed = new Set(ratio.assignments.flatMap((a) => a.assetIds));
      const orders = [
        chosen,
        {
          name: "largest-population-first",
          assignments: listScheduleOn(
            world,
            cloneSlots(setup.slots),
            largestPopulationOrder(
              world,
              assets.filter((id) => placed.has(id)),
            ),
          ).assignments,
        },
      ];
      const horizon = Math.max(...orders.map((o) => planHorizon(world, finish(o.assignments))));
      const sur = new Surrogate(world, setup.starts, setup.fixed, horizon);
      judged = orders.map((o) => ({
        name: o.name,
        surrogate: sur.evaluateWithin(toLists(o.assignments), SEARCH_SERVICE_WORK / 2),
      }));
      if (judged[1].surrogate < judged[0].surrogate - 1e-6) chosen = orders[1];
    }
    const plan = finish(chosen.assignments);
    plan.reasoning = describePlan(plan, chosen.name, weightOf, null, judged);
    return {
      plan,
      expected: expectedEffect(world, plan, planHorizon(world, plan)),
      unassignable,
      method: chosen.name !== ratioName ? "constructive" : large ? "ratio-order" : "ratio-rule",
      evaluations: judged?.length ?? 0,
    };
  }
  const planned = new Set(ratio.assignments.flatMap((a) => a.assetIds));
  const plannable = assets.filter((id) => planned.has(id));
  // Below this size a search takes less than a worker's start: both starts are searched here.
  const parallel = options.parallelSearch !== false && plannable.length >= PARALLEL_SEARCH_MIN_ASSETS;
  const candidates: { name: string; assignments: CrewAssignment[] }[] = [
    { name: ratioName, assignments: ratio.assignments },
  ];
  const minutes = plannable.map((id) => world.repairMinutesFor(id));
  const joint = jointGroups(
    world,
    plannable.map((id) => net.index(id)!),
    setup.fixed.map((f) => f.asset),
    SEARCH_SERVICE_WORK / 4,
  );
  if (joint) {
    // A second start is searched only from a group greedy's plan: the worker starts now, while it is made.
    if (parallel) prepareParallelSearch();
    const jointOrder = jointRatioOrder(plannable, minutes, joint.groups);
    candidates.push({
      name: "joint-ratio",
      assignments: listScheduleOn(world, cloneSlots(setup.slots), jointOrder).assignments,
    });
    const position = new Map(plannable.map((id, p) => [id, p]));
    const greedy = groupGreedyOrder(
      world,
      plannable.map((id) => net.index(id)!),
      setup.fixed.map((f) => f.asset),
      minutes,
      joint.groups,
      jointOrder.map((id) => position.get(id)!),
      GROUP_GREEDY_SERVICE_WORK,
    );
    candidates.push({
      name: "group-greedy",
      assignments: listScheduleOn(
        world,
        cloneSlots(setup.slots),
        greedy.order.map((p) => plannable[p]),
      ).assignments,
    });
  }
  // A later round: the crews' queues as an earlier round's search left them, new work after.
  const warm = replan && pinnedIds.size === 0 ? queuesKept(world, plannable, weightOf) : null;
  if (warm) candidates.push({ name: "queues-kept", assignments: warm });
  candidates.push({
    name: "largest-population-first",
    assignments: listScheduleOn(world, cloneSlots(setup.slots), largestPopulationOrder(world, plannable)).assignments,
  });
  candidates.push({
    name: "detection-order",
    assignments: listScheduleOn(world, cloneSlots(setup.slots), detectionOrder(world, plannable)).assignments,
  });

  // 2. Surrogate: every candidate judged over one horizon, long enough for the slowest to finish.
  const horizon = Math.max(...candidates.map((c) => planHorizon(world, finish(c.assignments))));
  const sur = new Surrogate(world, setup.starts, setup.fixed, horizon);
  const scored = candidates.map((c) => {
    const lists = toLists(c.assignments);
    return { ...c, lists, surrogate: sur.evaluate(lists) };
  });
  const cheapest = <T extends { surrogate: number }>(list: T[]): T =>
    list.reduce((b, c) => (c.surrogate < b.surrogate - 1e-6 ? c : b));
  const start = cheapest(scored);

  // 3. Improvement, budgeted in work.
  const n = plannable.length;
  // Scaled to what is new when crews' queues hold work an earlier round searched (round-budget.ts).
  const budget = roundBudget(
    { planned: n, fresh: fresh.length, queued: queuedNow.length },
    options.budgetScale ?? 1,
    options.maxEvaluations,
  );
  // The group greedy's plan finishes sets: a deep local optimum the moves leave little, where a
  // looser ratio-order plan can reach a better one (Shelby d200: 25.4 G from the first, 23.6 G from
  // the second; d100: 11.4 G against 13.0 G). So from it, the best other start is searched too.
  const starts = [start];
  if (start.name === "group-greedy") {
    const others = scored.filter((c) => c.name !== "group-greedy");
    if (others.length > 0) starts.push(cheapest(others));
  }
  const searchStarted = performance.now();
  const seed = options.seed ?? 1;
  // The second start (when there is one) is searched on a fresh surrogate of its own, on the
  // machine's other core while this one searches the first when it can (parallel-search.ts):
  // the same plan either way.
  const second = starts.length > 1 ? starts[1] : null;
  const waitSecond =
    second && parallel
      ? searchInParallel({
          scenario: world.scenario,
          worldSeed: world.seed,
          log: [...world.dispatchLog()],
          clock: world.now(),
          starts: setup.starts.map((s) => ({ ...s, skills: [...s.skills] })),
          fixed: setup.fixed,
          horizon,
          lists: second.lists.map((l) => [...l]),
          budget,
          seed,
        })
      : null;
  let result: SearchResult = improve(sur, start.lists, budget, seed);
  let startedFrom = start.name;
  let secondWork: SecondSearch = { evaluations: 0, updates: 0, work: 0 };
  const reply = waitSecond?.() ?? null;
  if (second && result.exhausted !== "time") {
    const own = new Surrogate(world, setup.starts, setup.fixed, horizon);
    const print = searchFingerprint(own, second.lists);
    let r: SearchResult;
    if (reply && reply.fingerprint === print) {
      r = reply.result;
      secondWork = { ...reply.spent, where: "in parallel" };
    } else {
      const elapsed = performance.now() - searchStarted;
      r = improve(own, second.lists, { ...budget, wallClockMs: budget.wallClockMs - elapsed }, seed);
      secondWork = { ...spentBy(own), where: "after the first" };
    }
    if (r.cost < result.cost - 1e-6) {
      result = r;
      startedFrom = second.name;
    } else if (r.exhausted === "time") result = { ...result, exhausted: "time" };
  }
  const final = [
    ...scored.map((c) => ({ name: c.name, assignments: c.assignments, surrogate: c.surrogate })),
    { name: "surrogate-search", assignments: toAssignments(result.lists), surrogate: result.cost },
  ];

  // 4. Verification by simulation: the search's plan, the best constructive one, the baselines' plans.
  let chosen = final[final.length - 1];
  let simulations = 0;
  const summary: SearchSummary["candidates"] = final.map((c) => ({ name: c.name, surrogate: Math.round(c.surrogate) }));
  if (jobs + world.openJobCount() <= VERIFY_SIMULATED_JOBS) {
    const verify: { name: string; plan: DispatchPlan }[] = [
      { name: "surrogate-search", plan: finish(chosen.assignments) },
      { name: start.name, plan: finish(start.assignments) },
    ];
    if (pinnedIds.size === 0 && !options.excludeCrews?.length) {
      // The baselines exactly as they would dispatch (new assets only, after the crews' queues).
      const slotsNow = crewSlots(world);
      verify.push({
        name: "baseline:largest-population-first",
        plan: { assignments: listScheduleOn(world, slotsNow, largestPopulationOrder(world, fresh)).assignments },
      });
      verify.push({
        name: "baseline:detection-order",
        plan: { assignments: listScheduleOn(world, crewSlots(world), detectionOrder(world, fresh)).assignments },
      });
    }
    const h = Math.max(horizon, ...verify.map((v) => planHorizon(world, v.plan)));
    let bestCost = Infinity;
    let bestPlan = verify[0];
    for (const v of verify) {
      if (v.plan.assignments.every((a) => a.assetIds.length === 0)) continue;
      const cost = evaluatePlan(world, v.plan, h);
      simulations++;
      const row = summary.find((s) => s.name === v.name);
      if (row) row.simulated = Math.round(cost);
      else summary.push({ name: v.name, simulated: Math.round(cost) });
      if (cost < bestCost - 1e-6) {
        bestCost = cost;
        bestPlan = v;
      }
    }
    if (bestPlan.name !== "surrogate-search") {
      const plan = { ...bestPlan.plan };
      chosen = { name: bestPlan.name, assignments: stripPinned(plan.assignments, setup), surrogate: NaN };
      if (bestPlan.name.startsWith("baseline:"))
        return propose(
          world,
          plan,
          unassignable,
          sur,
          result,
          startedFrom,
          starts.map((x) => x.name),
          bestPlan.name,
          summary,
          simulations,
          weightOf,
          secondWork,
        );
    }
  }
  return propose(
    world,
    finish(chosen.assignments),
    unassignable,
    sur,
    result,
    startedFrom,
    starts.map((x) => x.name),
    chosen.name,
    summary,
    simulations,
    weightOf,
    secondWork,
  );
}

/**
 * The surrogate for plans of the workable assets on this world as it stands (queued work kept,
 * nothing pinned), over `horizon`: for measuring it against the simulator.
 */
export function surrogateFor(world: World, horizon: number): Surrogate {
  const setup = crewSetup(world, false, []);
  return new Surrogate(world, setup.starts, setup.fixed, horizon);
}

function propose(
  world: World,
  plan: DispatchPlan,
  unassignable: Unassignable[],
  sur: Surrogate,
  result: SearchResult,
  startedFrom: string,
  searchedFrom: string[],
  chosen: string,
  candidates: SearchSummary["candidates"],
  simulations: number,
  weightOf: ReturnType<typeof weightFunction>,
  second: SecondSearch,
): DispatchProposal {
  const search: SearchSummary = {
    startedFrom,
    searchedFrom,
    candidates,
    chosen,
    ...(second.where ? { secondStart: second.where } : {}),
    surrogateEvaluations: sur.evaluations + second.evaluations,
    serviceUpdates: sur.updates + second.updates,
    serviceWork: sur.work + second.work,
    simulations,
    improvements: result.improvements,
    stoppedBy: result.exhausted,
  };
  plan.reasoning = describePlan(plan, chosen, weightOf, search);
  return {
    plan,
    expected: expectedEffect(world, plan, planHorizon(world, plan)),
    unassignable,
    method: chosen === "surrogate-search" ? "surrogate-search" : "constructive",
    evaluations: sur.evaluations + second.evaluations + simulations,
    search,
    ...(result.exhausted === "time" ? { budgetExhausted: "time" as const } : {}),
  };
}

function isQueued(world: World, assetId: string): boolean {
  return world.dispatches().some((d) => d.assetId === assetId && d.status === "queued");
}

/**
 * Crews for the planner: where each starts its plannable work, after its current job (and its
 * queue, unless queued work is re-planned) and its pinned list; and the completions of that
 * work, which the surrogate replays too.
 */
function crewSetup(world: World, replan: boolean, pinned: CrewAssignment[]): Setup {
  const net = world.net;
  const slots = crewSlots(world, replan);
  const summaries = world.crewSummaries();
  const records = world.dispatches();
  const fixed: { asset: number; at: number }[] = [];
  const pinnedLists = new Map<string, string[]>();
  summaries.forEach((c, k) => {
    if (c.currentAsset) fixed.push({ asset: net.index(c.currentAsset)!, at: c.busyUntil });
    if (!replan) {
      let x = c.busyUntilLocation.x,
        y = c.busyUntilLocation.y,
        t = Math.max(c.busyUntil, world.now());
      for (const id of c.queue) {
        const est = world.estimateJobFrom(c.id, x, y, t, id);
        fixed.push({ asset: net.index(id)!, at: est.completionAt });
        ({ x, y } = world.assetLocation(id)!);
        t = est.completionAt;
      }
    }
    const mine = pinned.find((p) => p.crewId === c.id)?.assetIds ?? [];
    const list: string[] = [];
    for (const id of mine) {
      const rec = records.find(
        (d) => d.assetId === id && d.status !== "done" && d.status !== "cancelled" && d.status !== "reassigned",
      );
      if (rec && rec.status !== "queued") continue; // being worked: nothing to pin
      if (rec && !replan && rec.crewId === c.id) continue; // already in this crew's queue, ahead of new work
      const i = net.index(id);
      if (i === undefined || !world.isDamaged(id)) continue;
      const slot = slots[k];
      const est = world.estimateJobFrom(c.id, slot.x, slot.y, slot.freeAt, id);
      commit(world, slot, id, est);
      fixed.push({ asset: i, at: est.completionAt });
      list.push(id);
    }
    if (list.length > 0) pinnedLists.set(c.id, list);
  });
  const starts: CrewStart[] = slots.map((s) => ({
    crewId: s.crewId,
    skills: s.skills,
    x: s.x,
    y: s.y,
    t: s.freeAt,
    capacityMin: s.capacityMin,
  }));
  return { slots, starts, fixed, pinnedLists };
}

/**
 * The operator's "A first" as pins: each asset (not pinned already, still damaged, not being worked) goes first in
 * the list of the crew, not excluded, that can finish it soonest; pins of excluded crews are dropped.
 */
function firstPinned(world: World, options: OptimizerOptions): CrewAssignment[] {
  const excluded = new Set(options.excludeCrews ?? []);
  const pinned = (options.pinned ?? []).filter((p) => !excluded.has(p.crewId)).map((p) => ({ ...p }));
  const taken = new Set(pinned.flatMap((p) => p.assetIds));
  const slots = crewSlots(world).filter((s) => !excluded.has(s.crewId));
  const busy = new Set(
    world
      .dispatches()
      .filter(
        (d) => d.status !== "queued" && d.status !== "done" && d.status !== "cancelled" && d.status !== "reassigned",
      )
      .map((d) => d.assetId),
  );
  for (const { assetId: id, crewId } of [...(options.first ?? [])].reverse()) {
    if (taken.has(id) || busy.has(id) || !world.isDamaged(id)) continue;
    const best = bestSlot(
      world,
      slots.filter((s) => !crewId || s.crewId === crewId),
      id,
    );
    if (!best) continue;
    const mine = pinned.find((p) => p.crewId === best.slot.crewId);
    if (mine) mine.assetIds = [id, ...mine.assetIds];
    else pinned.unshift({ crewId: best.slot.crewId, assetIds: [id] });
    taken.add(id);
  }
  return pinned;
}

/** Excluded crews take nothing new: no skills, so neither construction nor search gives them work. */
function excludeSlots(setup: Setup, crews: readonly string[]): void {
  for (const s of setup.slots) if (crews.includes(s.crewId)) s.skills = new Set();
  for (const s of setup.starts) if (crews.includes(s.crewId)) s.skills = new Set();
}

function cloneSlots(slots: Slot[]): Slot[] {
  return slots.map((s) => ({ ...s }));
}

function withPinned(assignments: CrewAssignment[], setup: Setup): CrewAssignment[] {
  if (setup.pinnedLists.size === 0) return assignments;
  const out = setup.starts.map((s) => ({
    crewId: s.crewId,
    assetIds: [
      ...(setup.pinnedLists.get(s.crewId) ?? []),
      ...(assignments.find((a) => a.crewId === s.crewId)?.assetIds ?? []),
    ],
  }));
  return out.filter((a) => a.assetIds.length > 0);
}

function stripPinned(assignments: CrewAssignment[], setup: Setup): CrewAssignment[] {
  const pinned = new Set([...setup.pinnedLists.values()].flat());
  return assignments
    .map((a) => ({ crewId: a.crewId, assetIds: a.assetIds.filter((id) => !pinned.has(id)) }))
    .filter((a) => a.assetIds.length > 0);
}

/** What was done, in a sentence, and each crew's list. */
function describePlan(
  plan: DispatchPlan,
  chosen: string,
  weightOf: ReturnType<typeof weightFunction>,
  search: SearchSummary | null,
  judged: { name: string; surrogate: number }[] | null = null,
): string {
  const parts = plan.assignments.slice(0, 40).map((a) => {
    const first = a.assetIds[0];
    return `${a.crewId}: ${a.assetIds.slice(0, 12).join(" -> ")}${a.assetIds.length > 12 ? ` (+${a.assetIds.length - 12})` : ""} (first ${first}, weight ${Math.round(weightOf(first, []))})`;
  });
  let how: string;
  const replays = judged
    ? ` Judged by one replay each through the network's service: ${judged.map((j) => `${j.name} ${Number.isFinite(j.surrogate) ? Math.round(j.surrogate) : "not affordable"}`).join(", ")} weighted customer-minutes.`
    : "";
  if (!search && chosen === "largest-population-first") {
    how = `Largest population first (too large to search; it did better than the ratio order).${replays}`;
  } else if (!search) {
    how =
      chosen === "ratio-order"
        ? "Highest weighted population per repair minute first (one sort; no search at this size)."
        : "Highest weighted population restored per crew-minute first (ratio rule; no search).";
    how += replays;
  } else {
    const sims =
      search.simulations > 0 ? `, then ${search.simulations} candidate plans simulated and the best kept` : "";
    const what =
      chosen === "surrogate-search"
        ? `Plan found by local search from the ${search.startedFrom} plan${search.searchedFrom.length > 1 ? ` (searched from ${search.searchedFrom.join(" and ")}; this one did better)` : ""} (${search.surrogateEvaluations} plans judged by replaying repairs through the network's service${sims})`
        : `The ${chosen.replace("baseline:", "")} plan, kept because it did best (${search.surrogateEvaluations} plans judged by replaying repairs through the network's service${sims})`;
    how = `${what}.`;
  }
  return `${how} ${parts.join("; ")}${plan.assignments.length > 40 ? `; and ${plan.assignments.length - 40} more crews` : ""}.`;
}

export { planMakespan };
