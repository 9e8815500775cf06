/** End-to-end cases with data made for each case, as in the original design. */
import { AIMessage, ToolMessage, type BaseMessage } from "@langchain/core/messages";
import { MemorySaver } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import { buildGraph } from "../../src/graph/graph.js";
import type { AgentState } from "../../src/graph/state.js";
import { SimulatorWorldProvider } from "../../src/graph/world-provider.js";
import { AGENT_TOOL_NAMES } from "../../src/tools/agent-tools.js";
import { OfflinePlannerModel } from "../../src/models/offline-planner.js";
import type { Scenario } from "../../src/world/scenario/schema.js";
import { feederWithPump } from "../support/scenarios.js";
import { contextOf, lastMessage, ScriptedModel, type Rule } from "../support/scripted-model.js";
import { expandDispatchLog } from "../../src/world/dispatch-log.js";

let thread = 0;
async function run(
  scenario: Scenario,
  model: ConstructorParameters<typeof ScriptedModel>[0] | OfflinePlannerModel = new OfflinePlannerModel(),
  settings: Record<string, unknown> = {},
) {
  const worlds = new SimulatorWorldProvider({ resolveScenario: () => scenario });
  const m = model instanceof OfflinePlannerModel ? model : new ScriptedModel(model);
  const app = buildGraph({ worlds, model: m }).compile({ checkpointer: new MemorySaver() });
  const config = { configurable: { thread_id: `t${++thread}`, scenario: "case", ...settings }, recursionLimit: 100 };
  const state = (await app.invoke({}, config)) as AgentState;
  const world = worlds.peek(config.configurable.thread_id)!;
  return { state, world, model: m, app, config };
}

/** Plans like a careful dispatcher: each damaged asset without a crew to the first crew with the skill. */
const planFromContext: Rule = (messages) => {
  const ctx = contextOf(messages);
  const crews = ctx.crews as { id: string; skills: string[] }[];
  const byCrew = new Map<string, string[]>();
  for (const d of ctx.damaged_without_crew as { id: string; network: string }[]) {
    const crew = crews.find((c) => c.skills.includes(d.network));
    if (crew) byCrew.set(crew.id, [...(byCrew.get(crew.id) ?? []), d.id]);
  }
  return {
    calls: [
      {
        name: "assign_repair_crew",
        args: {
          assignments: [...byCrew].map(([crew_id, asset_ids]) => ({ crew_id, asset_ids })),
          reasoning: "each asset to a crew with the skill",
        },
      },
    ],
  };
};

describe("the agent graph, end to end", () => {
  it("goes straight to FINAL on a healthy network, without calling a model", async () => {
    const calls: number[] = [];
    const { state } = await run(feederWithPump(), () => {
      calls.push(1);
      return {};
    });
    expect(state.statesVisited).toEqual(["INIT", "FAILURE_DETECTION", "FINAL"]);
    expect(state.status).toBe("healthy");
    expect(calls).toEqual([]);
  });

  it("one failure, one crew: facts and the optimizer's proposal in one parallel turn, then the dispatch (2 model calls)", async () => {
    const { state, world } = await run(feederWithPump({ damage: [{ asset: "L2", atMinutes: 0 }] }));
    expect(state.statesVisited.slice(0, 6)).toEqual([
      "INIT",
      "FAILURE_DETECTION",
      "IMPACT_ANALYSIS",
      "REPAIR_PLANNING",
      "EXECUTION",
      "RESCHEDULING",
    ]);
    expect(world.dispatches().map((d) => [d.crewId, d.assetId])).toEqual([["C1", "L2"]]);
    expect(expandDispatchLog(state.dispatchLog).map((e) => e.assetId)).toEqual(["L2"]);
    expect(state.counters.modelCalls).toBe(2);
    const ai = state.messages.filter((m) => m.getType() === "ai") as AIMessage[];
    expect(ai[0].tool_calls!.map((c) => c.name).sort()).toEqual([
      "get_available_crews",
      "get_weather_at_location",
      "propose_dispatch_plan",
    ]);
    expect(ai[1].tool_calls!.map((c) => c.name)).toEqual(["assign_repair_crew"]);
    // The offline planner adopts the proposal, and the record says so.
    expect(state.planHistory[0].vsProposal).toMatchObject({ choice: "adopted", weightedCustomerMinutesDelta: 0 });
    expect(state.planHistory[0].plan.reasoning).toMatch(/Plan: C1 L2/);
    expect(state.impacts[0]).toMatchObject({ asset: "L2", severity: "critical" });
  });

  it("binds the model to exactly the agent tools plus assign_repair_crew", async () => {
    const { model } = await run(feederWithPump({ damage: [{ asset: "L2", atMinutes: 0 }] }), planFromContext);
    const bound = (model as ScriptedModel).recording.boundTools;
    expect(bound.length).toBeGreaterThan(0);
    for (const names of bound) {
      expect([...names].sort()).toEqual([...AGENT_TOOL_NAMES, "assign_repair_crew"].sort());
      expect(names).not.toContain("detect_failure_nodes");
      expect(names).not.toContain("estimate_impact");
    }
  });

  it("more failures than crews: every workable asset gets a crew, in order", async () => {
    const { state, world } = await run(
      feederWithPump({ damage: ["L1", "L2", "L3", "L4"].map((asset) => ({ asset, atMinutes: 0 })) }),
    );
    expect(state.status).toBe("stable");
    const c1 = world.crewSummaries().find((c) => c.id === "C1")!;
    expect([c1.currentAsset, ...c1.queue]).toEqual(["L1", "L2", "L3", "L4"]);
  });

  it("a cascade found while time passes loops back through FAILURE_DETECTION", async () => {
    // The pump W keeps 15 minutes of water after B loses power; the crew needs longer than that.
    const s = feederWithPump({
      damage: [{ asset: "L1", atMinutes: 0 }],
      dependencies: [{ dependee: "B", depender: "W", bufferHours: 0.25 }],
      crews: [{ id: "C1", x: 30, y: 0, skills: ["power"], capacityHours: 12, speedKmh: 60 }],
    });
    const { state } = await run(s);
    const v = state.statesVisited;
    const i = v.indexOf("RESCHEDULING");
    expect(v[i + 1]).toBe("FAILURE_DETECTION");
    expect(v.at(-1)).toBe("FINAL");
    expect(state.status).toBe("stable");
  });

  it("new damage while time passes gets its own plan", async () => {
    const { state, world } = await run(
      feederWithPump({
        damage: [
          { asset: "L3", atMinutes: 0 },
          { asset: "P1", atMinutes: 20 },
        ],
      }),
    );
    expect(state.statesVisited.filter((s) => s === "REPAIR_PLANNING")).toHaveLength(2);
    expect(world.dispatches().map((d) => d.assetId)).toEqual(["L3", "P1"]);
  });

  it("an invalid plan goes back to the model with every reason, then a valid one is dispatched", async () => {
    const rule: Rule = (messages) => {
      const last = lastMessage(messages);
      if (last instanceof ToolMessage && last.status === "error") return planFromContext(messages);
      return {
        calls: [
          {
            name: "assign_repair_crew",
            args: {
              assignments: [
                { crew_id: "C1", asset_ids: ["C", "L2"] },
                { crew_id: "C9", asset_ids: ["L2"] },
              ],
              reasoning: "C is dark",
            },
          },
        ],
      };
    };
    const { state, world, model } = await run(feederWithPump({ damage: [{ asset: "L2", atMinutes: 0 }] }), rule);
    const requests = (model as ScriptedModel).recording.requests;
    const rejection = lastMessage(requests[1]) as ToolMessage;
    expect(rejection.status).toBe("error");
    expect(String(rejection.content)).toMatch(/C is only out of service, not damaged/);
    expect(String(rejection.content)).toMatch(/unknown crew "C9"/);
    expect(String(rejection.content)).toMatch(/L2 is assigned twice/);
    expect(state.planHistory.map((p) => p.valid)).toEqual([false, true]);
    expect(state.counters.invalidPlans).toBe(1);
    expect(world.dispatches().map((d) => d.assetId)).toEqual(["L2"]);
  });

  it("a model that never produces a valid plan ends in the optimizer's fallback, recorded as such", async () => {
    const seen: BaseMessage[][] = [];
    const rule: Rule = (messages) => {
      seen.push(messages);
      return {
        calls: [
          {
            name: "assign_repair_crew",
            args: { assignments: [{ crew_id: "C2", asset_ids: ["L2"] }], reasoning: "wrong crew" },
          },
        ],
      };
    };
    const { state, world } = await run(feederWithPump({ damage: [{ asset: "L2", atMinutes: 0 }] }), rule, {
      maxPlanAttempts: 3,
    });
    expect(seen).toHaveLength(3);
    expect(state.counters.invalidPlans).toBe(3);
    expect(state.counters.fallbacks).toBe(1);
    expect(state.planHistory.at(-1)!.source).toBe("fallback");
    expect(state.planHistory.at(-1)!.plan.reasoning).toMatch(/^Fallback/);
    expect(world.dispatches().map((d) => [d.crewId, d.assetId])).toEqual([["C1", "L2"]]);
  });

  it("text instead of a call counts as an invalid action and is answered with the reason", async () => {
    const rule: Rule = (messages) =>
      lastMessage(messages).getType() === "human" &&
      /did not contain a usable action/.test(String(lastMessage(messages).content))
        ? planFromContext(messages)
        : { content: "I think C1 should go." };
    const { state, world } = await run(feederWithPump({ damage: [{ asset: "L2", atMinutes: 0 }] }), rule);
    expect(state.counters.invalidPlans).toBe(1);
    expect(world.dispatches()).toHaveLength(1);
  });

  it("a plan can adopt the optimizer's proposal by its id; an unknown id is refused with the reason", async () => {
    const rule: Rule = (messages) => {
      const last = lastMessage(messages);
      if (last instanceof ToolMessage && last.name === "propose_dispatch_plan") {
        const id = JSON.parse(String(last.content)).proposal_id;
        return {
          calls: [{ name: "assign_repair_crew", args: { proposal_id: id, reasoning: "the optimizer's plan" } }],
        };
      }
      if (last instanceof ToolMessage && last.status === "error")
        return { calls: [{ name: "propose_dispatch_plan", args: {} }] };
      return { calls: [{ name: "assign_repair_crew", args: { proposal_id: "P99@0", reasoning: "guess" } }] };
    };
    const { state, world, model } = await run(
      feederWithPump({
        damage: [
          { asset: "L2", atMinutes: 0 },
          { asset: "P1", atMinutes: 0 },
        ],
      }),
      rule,
    );
    const refusal = (model as ScriptedModel).recording.requests[1].at(-1) as ToolMessage;
    expect(String(refusal.content)).toMatch(/unknown proposal_id "P99@0"/);
    expect(state.planHistory.at(-1)).toMatchObject({ source: "model", valid: true });
    expect(state.planHistory.at(-1)!.plan.reasoning).toBe("the optimizer's plan");
    expect(
      world
        .dispatches()
        .map((d) => [d.crewId, d.assetId])
        .sort(),
    ).toEqual([
      ["C1", "L2"],
      ["C2", "P1"],
    ]);
  });

  it("the step limit sends the run to FINAL with that reason", async () => {
    const { state, world } = await run(
      feederWithPump({ damage: [{ asset: "L2", atMinutes: 0 }] }),
      () => ({ calls: [{ name: "assign_repair_crew", args: { assignments: [], reasoning: "" } }] }),
      { maxSteps: 5, maxPlanAttempts: 10 },
    );
    expect(state.status).toBe("max_steps");
    expect(state.finalReason).toMatch(/limit 5/);
    expect(world.dispatches()).toEqual([]);
  });

  it("a model that cannot be reached (an outage): the optimizer plans, and the fallback is recorded with the reason", async () => {
    const { state, world } = await run(feederWithPump({ damage: [{ asset: "L2", atMinutes: 0 }] }), () => {
      throw new Error("connect ECONNREFUSED 127.0.0.1:9");
    });
    expect(state.status).not.toBe("error");
    expect(state.planOverrides[0]).toMatchObject({ kind: "model_outage" });
    expect(state.planOverrides[0].reason).toMatch(/model unavailable: .*ECONNREFUSED/);
    expect(state.planHistory[0]).toMatchObject({ source: "fallback", valid: true });
    expect(world.dispatches().map((d) => d.assetId)).toEqual(["L2"]);
  });

  it("a model that refuses the key ends the run in FINAL with the error, nothing dispatched", async () => {
    const { state, world } = await run(feederWithPump({ damage: [{ asset: "L2", atMinutes: 0 }] }), () => {
      throw Object.assign(new Error("401 Incorrect API key provided"), { status: 401 });
    });
    expect(state.status).toBe("error");
    expect(state.finalReason).toMatch(/model call failed: .*401/);
    expect(world.dispatches()).toEqual([]);
  });
});
