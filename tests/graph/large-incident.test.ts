/** A region with thousands of assets and hundreds of failures, on the offline planner, end to end. */
import { describe, expect, it } from "vitest";
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
      scenario: "region", worlds: new SimulatorWorldProvider({ resolveScenario: () => scenario }), config: { model: "offline" },
      onStep: (name, u) => {
        if (name !== "REPAIR_PLANNING") return;
        for (const m of u.messages ?? []) if (m.getType() === "tool" && (m as { name?: string }).name === "propose_dispatch_plan") seen.push(String(m.content));
      },
    });
    expect(r.status).toBe("restored");
    expect(r.counters.invalidPlans).toBe(0);
    expect(r.counters.fallbacks).toBe(0);
    expect(r.counters.modelCalls).toBe(3 * r.counters.planningRounds);
    expect(seen.some((c) => c.includes('"plan_summary"') && c.includes('"proposal_id"'))).toBe(true);
    expect(new Set(r.dispatches.filter((d) => d.status === "done").map((d) => d.assetId)).size).toBeGreaterThanOrEqual(damaged);
  });
});
