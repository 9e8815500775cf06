/** A region with thousands of assets and hundreds of failures, on the offline planner, end to end. */
import { describe, expect, it } from "vitest";
import { MAX_FAILURE_IDS_IN_STATE } from "../../src/limits.js";
import { SimulatorWorldProvider } from "../../src/graph/world-provider.js";
import { runIncident } from "../../src/incident/runner.js";
import { generateRegion } from "../../src/world/scenario/generate.js";

describe("a large incident", () => {
  it("is restored, each round decided in 3 model calls with a summarised proposal adopted by id", async () => {
    const scenario = generateRegion({ seed: 5, nodes: 5_000 });
    const damaged = scenario.damage.length;
    expect(damaged).toBeGreaterThan(150);
    const seen: string[] = [];
    const r = await runIncident({
      scenario: "region",
      worlds: new SimulatorWorldProvider({ resolveScenario: () => scenario }),
      config: { model: "offline" },
      onStep: (name, u) => {
        if (name !== "REPAIR_PLANNING") return;
        for (const m of u.messages ?? [])
          if (m.getType() === "tool" && (m as { name?: string }).name === "propose_dispatch_plan")
            seen.push(String(m.content));
      },
    });
    expect(r.status).toBe("restored");
    expect(r.counters.invalidPlans).toBe(0);
    expect(r.counters.fallbacks).toBe(0);
    expect(r.counters.modelCalls).toBe(2 * r.counters.planningRounds);
    expect(seen.some((c) => c.includes('"plan_summary"') && c.includes('"proposal_id"'))).toBe(true);
    expect(new Set(r.dispatches.filter((d) => d.status === "done").map((d) => d.assetId)).size).toBeGreaterThanOrEqual(
      damaged,
    );
  });

  it("with two hundred crews, the first round dispatches every damaged asset a crew can take", async () => {
    // Two hundred crews' plan does not fit the context whole: the proposal is summarised so it
    // still does, and the planner adopts it by id instead of falling back to a handful of assets.
    const scenario = generateRegion({ seed: 3, nodes: 12_000, crews: 200 });
    let toPlan = -1;
    let firstDispatch = -1;
    let analysed: { kept: string[]; count: number; top: string } | null = null;
    await runIncident({
      scenario: "region",
      worlds: new SimulatorWorldProvider({ resolveScenario: () => scenario }),
      config: { model: "offline", maxSteps: 10 },
      maxRuns: 1,
      onStep: (name, u) => {
        if (name === "FAILURE_DETECTION" && toPlan < 0) toPlan = u.failures!.toPlanCount;
        if (name === "IMPACT_ANALYSIS" && !analysed)
          analysed = { kept: u.failures!.toPlan, count: u.failures!.toPlanCount, top: u.impacts![0].asset };
        if (name === "EXECUTION" && firstDispatch < 0) firstDispatch = u.executionResults![0].dispatchedCount;
      },
    });
    expect(toPlan).toBeGreaterThan(MAX_FAILURE_IDS_IN_STATE);
    expect(firstDispatch).toBe(toPlan);
    // The state keeps the most urgent ids (the highest impact first) and counts them all.
    expect(analysed!.count).toBe(toPlan);
    expect(analysed!.kept).toHaveLength(MAX_FAILURE_IDS_IN_STATE);
    expect(analysed!.kept[0]).toBe(analysed!.top);
  });
});
