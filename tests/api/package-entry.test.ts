// Imports through the package's own name ("exports" in package.json), as a notebook or script outside src/ would.
import { describe, expect, it } from "vitest";
import * as api from "infra-fail-mngr";
import {
  evaluatePlan,
  expectPlanEffect,
  listSchedule,
  loadScenario,
  proposeDispatchPlan,
  runEpisode,
  World,
  type DispatchPlan,
} from "infra-fail-mngr";

describe("public API (src/index.ts via the package entry)", () => {
  it("exports what the README promises", () => {
    for (const name of [
      "loadScenario",
      "World",
      "proposeDispatchPlan",
      "evaluatePlan",
      "expectPlanEffect",
      "listSchedule",
      "baselinePlan",
      "detectionOrderPlan",
      "largestPopulationFirstPlan",
      "generateRegion",
      "buildGraph",
      "graph",
      "runIncident",
      "runEpisode",
    ])
      expect(typeof (api as Record<string, unknown>)[name], name).not.toBe("undefined");
  });

  it("plans a small scenario and judges the plan the same way twice", () => {
    const world = new World(loadScenario("ieee123"));
    const proposal = proposeDispatchPlan(world);
    const plan: DispatchPlan = proposal.plan;
    expect(plan.assignments.flatMap((a) => a.assetIds).sort()).toEqual(world.workableUnassignedIds().sort());
    const effect = expectPlanEffect(world, plan);
    const horizon = world.now() + effect.horizonMinutes;
    expect(Math.round(evaluatePlan(world, plan, horizon))).toBe(effect.weightedCustomerMinutes);
    // A list schedule in a given order is a plan too, judged the same way.
    const naive = listSchedule(world, world.workableUnassignedIds());
    expect(Number.isFinite(evaluatePlan(world, naive.plan, horizon))).toBe(true);
    const episode = runEpisode(new World(loadScenario("ieee123")), (w) => proposeDispatchPlan(w).plan);
    expect(episode.status).toBe("restored");
  });
});
