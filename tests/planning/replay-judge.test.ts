/**
 * Too large to search (one replay of every job would not fit a few times in the work budget):
 * the optimizer judges the ratio order and largest population first by one surrogate replay
 * each and keeps the better. On a 40,000-node region with 1,800 damaged assets, the plan kept is
 * the one of the two that the simulator also finds better, and the proposal says it was judged.
 */
import { describe, expect, it } from "vitest";
import { baselinePlan } from "../../src/planning/baselines.js";
import { planHorizon } from "../../src/planning/effect.js";
import { evaluatePlan, proposeDispatchPlan } from "../../src/planning/optimizer.js";
import { generateRegion } from "../../src/world/scenario/generate.js";
import { World } from "../../src/world/simulator.js";

describe("the replay judge of plans too large to search", () => {
  it("keeps whichever of the ratio order and largest population first the simulator finds better", () => {
    const world = new World(generateRegion({ seed: 7, nodes: 40_000 }));
    const proposal = proposeDispatchPlan(world);
    expect(["ratio-order", "constructive"]).toContain(proposal.method);
    expect(proposal.evaluations).toBe(2);
    const ratio = proposeDispatchPlan(world, { localSearch: false }).plan;
    const lpf = baselinePlan(world, "largest-population-first").plan;
    const horizon = Math.max(planHorizon(world, ratio), planHorizon(world, lpf));
    const costs = { "ratio-order": evaluatePlan(world, ratio, horizon), lpf: evaluatePlan(world, lpf, horizon) };
    expect(costs["ratio-order"]).not.toBe(costs.lpf);
    const better = costs.lpf < costs["ratio-order"] ? lpf : ratio;
    expect(proposal.method).toBe(better === lpf ? "constructive" : "ratio-order");
    expect(proposal.plan.assignments).toEqual(better.assignments);
    expect(proposal.plan.reasoning).toMatch(/Judged by one replay each/);
    // Deterministic: the same world plans the same.
    expect(proposeDispatchPlan(world).plan.assignments).toEqual(proposal.plan.assignments);
  }, 120_000);
});
