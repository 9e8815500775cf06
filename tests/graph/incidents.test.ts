/** Whole incidents on the shipped scenarios, on the offline planner. */
import { describe, expect, it } from "vitest";
import { runEpisode } from "../../src/evaluation/episode.js";
import { runIncident } from "../../src/incident/runner.js";
import { detectionOrderPlan } from "../../src/planning/baselines.js";
import { loadScenario } from "../../src/world/scenario/load.js";
import { World } from "../../src/world/simulator.js";

/** What a naive agent does: at the start and at every alert, dispatch in the order failures were detected. */
const detectionOrderEpisode = (name: string) =>
  runEpisode(new World(loadScenario(name)), (w) => detectionOrderPlan(w).plan);

describe.each(["demo", "ieee123"])("the %s scenario on the offline planner", (name) => {
  it("reaches full restoration, no worse than dispatching in detection order", async () => {
    const r = await runIncident({ scenario: name, config: { model: "offline" } });
    expect(r.status).toBe("restored");
    expect(r.world.simulator.isFullyRestored()).toBe(true);
    expect(r.metrics.minutesToFullRestoration).not.toBeNull();
    expect(r.counters.fallbacks).toBe(0);
    expect(r.counters.invalidPlans).toBe(0);
    // A round costs at most 3 model calls: facts, the optimizer's proposal, the plan.
    expect(r.counters.modelCalls).toBeLessThanOrEqual(3 * r.counters.planningRounds);
    // Every damaged asset repaired exactly once (re-planned queued work shows as reassigned).
    const done = r.dispatches.filter((d) => d.status === "done").map((d) => d.assetId);
    expect(new Set(done).size).toBe(done.length);
    expect(r.dispatches.every((d) => d.status === "done" || d.status === "reassigned")).toBe(true);
    const naive = detectionOrderEpisode(name).metrics;
    expect(naive.minutesToFullRestoration).not.toBeNull();
    expect(r.metrics.weightedCustomerMinutesInterrupted).toBeLessThanOrEqual(naive.weightedCustomerMinutesInterrupted);
    expect(r.metrics.customerMinutesInterrupted).toBeLessThanOrEqual(naive.customerMinutesInterrupted);
  });
});

it("the demo saves the hospital: it never loses service", async () => {
  const r = await runIncident({ scenario: "demo", config: { model: "offline" } });
  expect(r.metrics.criticalFacilityOutageHours).toBe(0);
  expect(r.triggers.map((t) => t.kind)).toContain("cascade");
  expect(r.triggers.map((t) => t.kind)).toContain("damage");
});
