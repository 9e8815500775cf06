import { describe, expect, it } from "vitest";
import { markdownReport } from "../../src/evaluation/format.js";
import { generateSmallCase } from "../../src/evaluation/small-cases.js";
import { evaluateCase, ratios, RoundTracker } from "../../src/evaluation/suite.js";
import { summarize } from "../../src/evaluation/targets.js";
import { ZERO_COUNTERS } from "../../src/graph/state.js";

describe("evaluation suite", () => {
  it("runs every planner on a small case, with ratios to the optimum, and the agent's decision cost", async () => {
    const scenario = generateSmallCase({ seed: 4 });
    const result = await evaluateCase({ name: scenario.name, kind: "small", scenario });
    const names = result.runs.map((r) => r.planner);
    expect(names).toEqual([
      "optimum",
      "agent (offline)",
      "optimizer (no graph)",
      "detection-order",
      "largest-population-first",
      "ratio-rule",
    ]);
    expect(result.reference).toBe("optimum");
    for (const r of result.runs) {
      expect(r.status).toBe("restored");
      // The optimum is a lower bound on weighted customer-minutes for every planner.
      expect(r.ratios!.weightedCustomerMinutes!).toBeGreaterThanOrEqual(1 - 1e-9);
    }
    const agent = result.runs.find((r) => r.planner === "agent (offline)")!;
    expect(agent.cost!.modelCalls).toBeGreaterThan(0);
    expect(agent.cost!.maxModelCallsPerRound).toBeGreaterThan(0);
    expect(agent.cost!.planningRounds).toBe(agent.planningRounds);

    const summary = summarize([result]);
    expect(summary.planners.find((p) => p.planner === "optimum")!.smallWorst).toBe(1);
    expect(summary.targets.map((t) => t.name).join("\n")).toMatch(/within 2 %[\s\S]*within 10 %[\s\S]*model calls/);
    const md = markdownReport([result], summary, { date: "2026-01-01", node: "20", cores: 2, wallMs: 1 });
    expect(md).toContain("| small-4 (");
    expect(md).toContain("## Cost of a decision (agent)");
  });

  it("takes ratios figure by figure, and says when one cannot be taken", () => {
    const ref = {
      customerMinutes: 100,
      weightedCustomerMinutes: 200,
      criticalFacilityHours: 0,
      minutesToFullRestoration: 50,
    };
    expect(
      ratios(
        {
          customerMinutes: 150,
          weightedCustomerMinutes: 200,
          criticalFacilityHours: 0,
          minutesToFullRestoration: null,
        },
        ref,
      ),
    ).toEqual({
      customerMinutes: 1.5,
      weightedCustomerMinutes: 1,
      criticalFacilityHours: 1,
      minutesToFullRestoration: null,
    });
    expect(ratios({ ...ref, criticalFacilityHours: 2 }, ref).criticalFacilityHours).toBeNull();
  });

  it("splits model calls into planning rounds", () => {
    const t = new RoundTracker();
    t.step("REPAIR_PLANNING", { modelCalls: 3, planningRounds: 1 });
    t.step("EXECUTION", {});
    t.step("REPAIR_PLANNING", { modelCalls: 2, planningRounds: 1 });
    t.step("REPAIR_PLANNING", { modelCalls: 4 });
    const cost = t.cost({ ...ZERO_COUNTERS, modelCalls: 9, planningRounds: 2, totalTokens: 1000 });
    expect(cost.maxModelCallsPerRound).toBe(6);
    expect(cost.modelCallsPerRound).toBe(4.5);
    expect(cost.tokensPerRound).toBe(500);
  });
});
