/** Operator approval in process (no server): the graph's interrupt, the chart, the terminal answers. */
import { Command, MemorySaver } from "@langchain/langgraph";
import type { BaseMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { describeRequest, parseAnswer } from "../../src/cli/approve.js";
import type { ApprovalRequest } from "../../src/graph/approval.js";
import { fsmChartMermaid } from "../../src/graph/chart.js";
import { buildGraph } from "../../src/graph/graph.js";
import { FSM_STATES, type AgentState } from "../../src/graph/state.js";
import { SimulatorWorldProvider } from "../../src/graph/world-provider.js";
import { runIncident } from "../../src/incident/runner.js";
import { OfflinePlannerModel } from "../../src/models/offline-planner.js";

let thread = 0;
function demoGraph(settings: Record<string, unknown> = {}) {
  const app = buildGraph({ worlds: new SimulatorWorldProvider(), model: new OfflinePlannerModel() }).compile({
    checkpointer: new MemorySaver(),
  });
  const config = {
    configurable: { thread_id: `approval-${++thread}`, scenario: "demo", requireApproval: true, ...settings },
    recursionLimit: 100,
  };
  const request = async () =>
    (await app.getState(config)).tasks.flatMap((t) => t.interrupts).map((i) => i.value as ApprovalRequest)[0];
  const values = async () => (await app.getState(config)).values as AgentState;
  return { app, config, request, values };
}
const text = (m: BaseMessage) => String(m.content);

describe("operator approval", () => {
  it("the chart keeps the seven states and three checks, and shows the rejection edge EXECUTION -> REPAIR_PLANNING", () => {
    const chart = fsmChartMermaid();
    for (const s of FSM_STATES) expect(chart).toMatch(new RegExp(`\\b${s}\\(${s}\\)`));
    expect(chart).toContain("EXECUTION -. &nbsp;Rejected by operator&nbsp; .-> REPAIR_PLANNING");
    expect(chart).toContain("EXECUTION -. &nbsp;Dispatched&nbsp; .-> RESCHEDULING");
  });

  it("is off by default: the incident runs with no question asked", async () => {
    const result = await runIncident({
      scenario: "demo",
      config: { model: "offline" },
      onInterrupt: () => {
        throw new Error("asked");
      },
    });
    expect(result.status).toBe("restored");
  });

  it("a rejection continues the planner's conversation with the reason; more rejections than maxPlanAttempts never fall back", async () => {
    const g = demoGraph({ maxPlanAttempts: 2 });
    await g.app.invoke({}, g.config);
    const before = (await g.values()).messages.length;
    expect(before).toBeGreaterThan(2);
    for (const reason of ["no: crews must wait for the lightning", "no again", "still no"]) {
      await g.app.invoke(new Command({ resume: { decision: "reject", reason } }), g.config);
      const v = await g.values();
      // The same conversation, grown: the system prompt and context first, the reason last among the operator's words.
      expect(v.messages.length).toBeGreaterThan(before);
      expect(v.messages[0].getType()).toBe("system");
      const humans = v.messages.filter((m) => m.getType() === "human").map(text);
      expect(humans.at(-1)).toContain(reason);
      expect(humans.at(-1)).toMatch(
        /^(\[feedback\] )?The operator rejected the proposed plan and nothing was dispatched/,
      );
      expect(v.operatorRejection).toBeNull();
      expect(v.dispatchLog).toEqual([]);
      expect(v.counters).toMatchObject({ invalidPlans: 0, fallbacks: 0, planningRounds: 1 });
      expect((await g.request()).source).toBe("model");
    }
    await g.app.invoke(new Command({ resume: { decision: "approve" } }), g.config);
    expect((await g.values()).dispatchLog.length).toBeGreaterThan(0);
  });

  it("a reject without a reason is not applied: the question comes back saying a reason is needed", async () => {
    const g = demoGraph();
    await g.app.invoke({}, g.config);
    await g.app.invoke(new Command({ resume: { decision: "reject", reason: "  " } }), g.config);
    const r = await g.request();
    expect(r.refused!.errors.join(" ")).toMatch(/reason/);
    expect((await g.values()).statesVisited.filter((s) => s === "REPAIR_PLANNING")).toHaveLength(1);
  });
});

describe("terminal answers (npm start -- --approve)", () => {
  it("reads a, r <reason> and e <json>, and says why other lines are not answers", () => {
    expect(parseAnswer("a")).toEqual({ decision: "approve" });
    expect(parseAnswer("  approve ")).toEqual({ decision: "approve" });
    expect(parseAnswer("r the hospital first, please")).toEqual({
      decision: "reject",
      reason: "the hospital first, please",
    });
    expect(parseAnswer("r")).toMatch(/needs a reason/);
    const plan = { assignments: [{ crew_id: "C1", asset_ids: ["A", "B"] }] };
    expect(parseAnswer(`e ${JSON.stringify(plan)}`)).toEqual({ decision: "edit", plan });
    expect(parseAnswer(`e ${JSON.stringify({ plan })}`)).toEqual({ decision: "edit", plan });
    expect(parseAnswer("e {oops")).toMatch(/not valid JSON/);
    expect(parseAnswer("yes")).toMatch(/not an answer/);
    expect(parseAnswer("   ")).toBeNull();
  });

  it("shows each crew's assets in order with arrival and completion, the reasoning and the expected effect", () => {
    const lines = describeRequest({
      kind: "approve_dispatch_plan",
      incidentId: "i",
      at: 65,
      source: "model",
      plan: { assignments: [{ crew_id: "C1", asset_ids: ["A", "B"] }], reasoning: "A feeds the hospital" },
      reasoning: "A feeds the hospital",
      expectedEffect: {
        horizonMinutes: 600,
        customerMinutes: 12_345,
        weightedCustomerMinutes: 23_456,
        criticalFacilitiesLost: [],
        jobs: [{ crewId: "C1", assetId: "A", arrivalAt: 70, completionAt: 130 }],
      },
      answers: [],
    }).join("\n");
    expect(lines).toMatch(/operator approval at T\+01:05: plan by model/);
    expect(lines).toContain("C1 -> A (arrive T+01:10, done T+02:10) > B");
    expect(lines).toContain("why: A feeds the hospital");
    expect(lines).toContain("12,345 customer-minutes, 23,456 weighted; critical facilities lost: none");
  });
});
