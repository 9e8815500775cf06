/**
 * Decision quality of one planning round, measured: the optimizer against the baselines on the
 * same world snapshot (minute 0), each plan judged by the simulator (evaluatePlan) over one
 * common horizon; optionally against a plain iterated local search started from the best of
 * them (relocate + swap over the crews' lists, every candidate simulated), and whole episodes.
 *
 *   npx tsx scripts/optimizer-quality.ts --nodes 3000 --seed 7 [--ils 60] [--episode]
 *   npx tsx scripts/optimizer-quality.ts --scenario ieee123
 *
 * Prints one JSON object per case on stdout.
 */
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { baselinePlan } from "../src/planning/baselines.js";
import { evaluatePlan, expectPlanEffect, proposeDispatchPlan } from "../src/planning/optimizer.js";
import { realCases } from "../src/evaluation/cases.js";
import { runEpisode } from "../src/evaluation/episode.js";
import { mulberry32 } from "../src/world/prng.js";
import { generateRegion } from "../src/world/scenario/generate.js";
import { loadScenario } from "../src/world/scenario/load.js";
import { World } from "../src/world/simulator.js";
import type { CrewAssignment, DispatchPlan } from "../src/world/types.js";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    nodes: { type: "string" },
    seed: { type: "string", default: "7" },
    scenario: { type: "string" },
    ils: { type: "string", default: "0" },
    long: { type: "boolean", default: false },
    episode: { type: "boolean", default: false },
    "skip-snapshot": { type: "boolean", default: false },
    case: { type: "string" },
  },
});
const scenario = values.case
  ? (realCases().find((c) => c.name === values.case)?.scenario ??
    (() => {
      throw new Error(
        `no case ${values.case}: ${realCases()
          .map((c) => c.name)
          .join(", ")}`,
      );
    })())
  : values.nodes
    ? generateRegion({
        seed: Number(values.seed),
        nodes: Number(values.nodes),
        name: `synthetic-${values.nodes}-s${values.seed}`,
      })
    : loadScenario(values.scenario ?? "demo");
const out: Record<string, unknown> = { case: scenario.name, crews: scenario.crews.length };
const rules = ["detection-order", "largest-population-first", "ratio-rule"] as const;

if (!values["skip-snapshot"]) {
  const world = new World(scenario);
  out.damagedWorkable = world.workableUnassignedIds().length;
  const t0 = performance.now();
  const opt = proposeDispatchPlan(world);
  const optMs = performance.now() - t0;
  const plans: Record<string, DispatchPlan> = { optimizer: opt.plan };
  for (const r of rules) plans[r] = baselinePlan(world, r).plan;
  const horizon = world.now() + Math.max(...Object.values(plans).map((p) => expectPlanEffect(world, p).horizonMinutes));
  const cost: Record<string, number> = {};
  for (const [k, p] of Object.entries(plans)) cost[k] = Math.round(evaluatePlan(world, p, horizon));
  Object.assign(out, {
    horizon: Math.round(horizon),
    optimizerMs: Math.round(optMs),
    method: opt.method,
    evaluations: opt.evaluations,
    wcmi: cost,
  });
  if (values.long) {
    // A long run of the optimizer itself (10x its budgets, three seeds): one of the references.
    let bestLong = Infinity;
    for (const seed of [1, 2, 3]) {
      const p = proposeDispatchPlan(world, { budgetScale: 10, seed } as Parameters<typeof proposeDispatchPlan>[1]);
      bestLong = Math.min(bestLong, evaluatePlan(world, p.plan, horizon));
    }
    out.long10x = Math.round(bestLong);
  }
  const ilsSec = Number(values.ils);
  if (ilsSec > 0) {
    const startName = Object.keys(cost).sort((a, b) => cost[a] - cost[b])[0];
    const ils = iteratedLocalSearch(
      world,
      plans[startName].assignments,
      horizon,
      ilsSec * 1000,
      Boolean(plans[startName].reassign),
    );
    out.ils = { from: startName, seconds: ilsSec, evaluations: ils.evaluations, wcmi: Math.round(ils.cost) };
    out.optimizerOverIls = Math.round((cost.optimizer / ils.cost) * 1000) / 1000;
  }
}
if (values.episode) {
  const ep: Record<string, unknown> = {};
  for (const name of ["optimizer", ...rules] as const) {
    const r = runEpisode(
      new World(scenario),
      (w) => (name === "optimizer" ? proposeDispatchPlan(w) : baselinePlan(w, name)).plan,
    );
    ep[name] = {
      status: r.status,
      wcmi: r.metrics.weightedCustomerMinutesInterrupted,
      rounds: r.planningRounds,
      planningMs: Math.round(r.planningMs),
    };
  }
  out.episode = ep;
}
process.stdout.write(`${JSON.stringify(out)}\n`);

/** Relocate and swap moves over the crews' lists, first improvement, with random restarts by perturbation. */
function iteratedLocalSearch(world: World, start: CrewAssignment[], horizon: number, ms: number, reassign: boolean) {
  const rand = mulberry32(12345);
  const skills = new Map(world.crewSummaries().map((c) => [c.id, new Set(c.skills)]));
  const crewIds = [...skills.keys()];
  const netOf = (id: string) => world.net.networkOf(world.net.index(id)!);
  const toPlan = (m: string[][]): DispatchPlan => ({
    assignments: crewIds.map((id, i) => ({ crewId: id, assetIds: m[i] })).filter((a) => a.assetIds.length > 0),
    ...(reassign ? { reassign: true } : {}),
  });
  const cur0 = crewIds.map((id) => [...(start.find((a) => a.crewId === id)?.assetIds ?? [])]);
  let best = cur0,
    bestCost = evaluatePlan(world, toPlan(cur0), horizon);
  let cur = best,
    curCost = bestCost,
    evaluations = 1,
    sinceImprove = 0;
  const end = performance.now() + ms;
  const randomMove = (m: string[][]): string[][] | null => {
    const c = m.map((l) => l.slice());
    const from = Math.floor(rand() * c.length);
    if (c[from].length === 0) return null;
    const i = Math.floor(rand() * c[from].length);
    const asset = c[from][i];
    const to = Math.floor(rand() * c.length);
    if (!skills.get(crewIds[to])!.has(netOf(asset))) return null;
    if (rand() < 0.5) {
      c[from].splice(i, 1);
      c[to].splice(Math.floor(rand() * (c[to].length + 1)), 0, asset);
    } else {
      if (c[to].length === 0) return null;
      const j = Math.floor(rand() * c[to].length);
      if (!skills.get(crewIds[from])!.has(netOf(c[to][j]))) return null;
      [c[from][i], c[to][j]] = [c[to][j], c[from][i]];
    }
    return c;
  };
  while (performance.now() < end) {
    const cand = randomMove(cur);
    if (!cand) continue;
    evaluations++;
    const cost = evaluatePlan(world, toPlan(cand), horizon);
    if (cost < curCost - 1e-6) {
      cur = cand;
      curCost = cost;
      sinceImprove = 0;
    } else sinceImprove++;
    if (curCost < bestCost - 1e-6) {
      best = cur;
      bestCost = curCost;
    }
    if (sinceImprove > 400) {
      // Perturb: a few random moves from the best.
      let p = best;
      for (let k = 0; k < 3; k++) p = randomMove(p) ?? p;
      cur = p;
      curCost = evaluatePlan(world, toPlan(p), horizon);
      evaluations++;
      sinceImprove = 0;
    }
  }
  return { cost: bestCost, evaluations };
}
