/**
 * A later planning round's budget is scaled to what is new, starts from the crews' queues, and
 * stays deterministic (a world rebuilt from its log plans the same).
 */
import { describe, expect, it } from "vitest";
import {
  SEARCH_EVALUATIONS_PER_ASSET,
  SEARCH_MIN_EVALUATIONS,
  SEARCH_ROUND_MIN_EVALUATIONS,
} from "../../src/limits.js";
import { evaluatePlan, proposeDispatchPlan } from "../../src/planning/optimizer.js";
import { roundBudget } from "../../src/planning/round-budget.js";
import { generateRegion } from "../../src/world/scenario/generate.js";
import { World } from "../../src/world/simulator.js";

describe("round budget", () => {
  it("is the full budget on a first round and the new work's share of it later, within its floor", () => {
    // Few enough assets that the per-asset budget is below the floor.
    const few = Math.floor(SEARCH_MIN_EVALUATIONS / SEARCH_EVALUATIONS_PER_ASSET) - 1;
    const first = roundBudget({ planned: few, fresh: few, queued: 0 });
    expect(first.evaluations).toBe(SEARCH_MIN_EVALUATIONS);
    expect(first.share).toBe(1);
    const later = roundBudget({ planned: 105, fresh: 5, queued: 100 });
    const full = roundBudget({ planned: 105, fresh: 105, queued: 0 });
    expect(later.evaluations).toBeLessThan(full.evaluations);
    expect(later.evaluations).toBeGreaterThanOrEqual(SEARCH_ROUND_MIN_EVALUATIONS);
    expect(later.serviceWork).toBeLessThan(full.serviceWork);
    const mostlyNew = roundBudget({ planned: 300, fresh: 290, queued: 10 });
    expect(mostlyNew.evaluations).toBeLessThanOrEqual(roundBudget({ planned: 300, fresh: 300, queued: 0 }).evaluations);
    expect(mostlyNew.evaluations).toBeGreaterThan(later.evaluations);
    expect(roundBudget({ planned: 5, fresh: 5, queued: 400 }, 10).evaluations).toBe(10 * SEARCH_ROUND_MIN_EVALUATIONS);
    expect(roundBudget({ planned: 50, fresh: 1, queued: 49 }, 1, 777).evaluations).toBe(777);
  });

  it("a later round searches less, from the crews' queues, no worse than keeping them, and the same after a rebuild", () => {
    const s = generateRegion({ seed: 6, nodes: 600 });
    const live = new World(s);
    const firstRound = proposeDispatchPlan(live);
    live.assignCrews(firstRound.plan);
    live.advanceTo(45);
    const queued = live.dispatches().filter((d) => d.status === "queued").length;
    expect(queued).toBeGreaterThan(0);
    const later = proposeDispatchPlan(live);
    expect(later.search?.surrogateEvaluations).toBeLessThan(firstRound.search!.surrogateEvaluations);
    const kept = later.search?.candidates.find((c) => c.name === "queues-kept");
    expect(kept?.surrogate).toBeDefined();
    // Never worse than the queues as they stand (by the surrogate the search minimises).
    const searched = later.search?.candidates.find((c) => c.name === "surrogate-search");
    expect(searched!.surrogate!).toBeLessThanOrEqual(kept!.surrogate!);
    const rebuilt = World.replay(s, live.dispatchLog(), live.now());
    const again = proposeDispatchPlan(rebuilt);
    expect(again.plan).toEqual(later.plan);
    expect(again.search?.surrogateEvaluations).toBe(later.search?.surrogateEvaluations);
    // The plan kept is at least as good, simulated, as the crews' queues unchanged.
    const horizon = live.now() + 3 * 24 * 60;
    const unchanged = evaluatePlan(live, { assignments: [] }, horizon);
    expect(evaluatePlan(live, later.plan, horizon)).toBeLessThanOrEqual(unchanged + 1e-6);
  });
});
