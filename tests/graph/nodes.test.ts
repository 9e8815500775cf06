/** Each node on its own, against a simulated world. */
import { describe, expect, it } from "vitest";
import { StateAnnotation, type AgentState } from "../../src/graph/state.js";
import { makeInitNode } from "../../src/graph/nodes/init.js";
import { makeFailureDetectionNode } from "../../src/graph/nodes/failure-detection.js";
import { makeImpactAnalysisNode } from "../../src/graph/nodes/impact-analysis.js";
import { makeExecutionNode } from "../../src/graph/nodes/execution.js";
import { makeReschedulingNode } from "../../src/graph/nodes/rescheduling.js";
import { finalStatus } from "../../src/graph/nodes/final.js";
import { SimulatorWorldProvider } from "../../src/graph/world-provider.js";
import { feederWithPump } from "../support/scenarios.js";
import { expandDispatchLog } from "../../src/world/dispatch-log.js";

function fresh(over: Partial<AgentState> = {}): AgentState {
  const defaults = Object.fromEntries(
    Object.entries(StateAnnotation.spec).map(([k, ch]) => [
      k,
      (ch as unknown as { default?: () => unknown }).default?.() ?? (ch as { ValueType?: unknown }).ValueType,
    ]),
  );
  return {
    ...defaults,
    counters: {
      modelCalls: 0,
      toolCalls: 0,
      invalidPlans: 0,
      fallbacks: 0,
      promptTokens: 0,
      completionTokens: 0,
      totalTokens: 0,
      planningRounds: 0,
    },
    dispatchLog: [],
    planHistory: [],
    messages: [],
    errors: [],
    statesVisited: [],
    executionResults: [],
    impacts: [],
    scenario: "case",
    clock: 0,
    stepCount: 1,
    maxSteps: 60,
    incidentId: "i1",
    ...over,
  } as AgentState;
}
const config = { configurable: { thread_id: "n1" } };
/** A node's update, read as plain values (no reducer overwrite wrappers are used by these nodes). */
const values = async (update: Promise<unknown>) => (await update) as Partial<AgentState>;

describe("nodes", () => {
  const scenario = feederWithPump({
    damage: [
      { asset: "L2", atMinutes: 0 },
      { asset: "P1", atMinutes: 30 },
    ],
  });
  const deps = () => ({ worlds: new SimulatorWorldProvider({ resolveScenario: () => scenario }) });

  it("INIT resets the run's working memory but keeps the incident", async () => {
    const out = await makeInitNode(deps())(
      fresh({ stepCount: 9, errors: ["old"], dispatchLog: [], trigger: { kind: "alert", at: 12 } }),
      { configurable: { thread_id: "n1", scenario: "case", maxSteps: 7 } },
    );
    expect(out).toMatchObject({
      stepCount: 1,
      maxSteps: 7,
      errors: [],
      statesVisited: ["INIT"],
      clock: 12,
      scenario: "case",
      fatalError: null,
    });
  });

  it("INIT reports a world it cannot load as a fault, not a crash", async () => {
    const bad = {
      worlds: new SimulatorWorldProvider({
        resolveScenario: () => {
          throw new Error("no such scenario");
        },
      }),
    };
    const out = await values(
      makeInitNode(bad)(fresh({ scenario: "" }), { configurable: { thread_id: "n2", scenario: "nope" } }),
    );
    expect(out.fatalError).toMatch(/no such scenario/);
  });

  it("FAILURE_DETECTION keeps damaged assets in full and out-of-service ones as counts", async () => {
    const out = await makeFailureDetectionNode(deps())(fresh(), config);
    expect(out.failures).toMatchObject({
      toPlan: ["L2"],
      waiting: [],
      outOfServiceCount: 5,
      outOfServiceByNetwork: { power: 3, water: 2 },
      populationOut: 750,
    });
    expect(out.statesVisited).toEqual(["FAILURE_DETECTION"]);
  });

  it("IMPACT_ANALYSIS logs each failure's impact and severity", async () => {
    const d = deps();
    const detected = await values(makeFailureDetectionNode(d)(fresh(), config));
    const out = await values(makeImpactAnalysisNode(d)(fresh({ failures: detected.failures! }), config));
    expect(out.impacts).toEqual([
      expect.objectContaining({
        asset: "L2",
        populationOut: 750,
        populationRestoredIfRepaired: 750,
        severity: "critical",
        criticalFacilities: ["H"],
      }),
    ]);
    expect(out.impactSummary).toEqual({ "power/critical": 1 });
  });

  it("EXECUTION applies the plan; a replay of the step (after a crash) leaves the same single dispatch", async () => {
    const d = deps();
    const plan = { assignments: [{ crewId: "C1", assetIds: ["L2"] }], reasoning: "r" };
    const first = await values(makeExecutionNode(d)(fresh({ proposedPlan: plan }), config));
    expect(expandDispatchLog(first.dispatchLog!).map((e) => e.dispatchId)).toEqual(["L2<-C1@0"]);
    // Replayed with the checkpoint from before it ran: the world is rebuilt from that state,
    // and the same decision at the same minute carries the same dispatch id.
    const again = await values(makeExecutionNode(d)(fresh({ proposedPlan: plan }), config));
    expect(expandDispatchLog(again.dispatchLog!).map((e) => e.dispatchId)).toEqual(["L2<-C1@0"]);
    const world = d.worlds.get({ threadId: "n1", scenario: "case", dispatchLog: again.dispatchLog!, clock: 0 });
    expect(world.dispatches().map((r) => r.dispatchId)).toEqual(["L2<-C1@0"]);
    // And the same plan applied twice to one world changes nothing the second time.
    expect(world.system.assignCrews(plan)).toEqual({ applied: [], alreadyApplied: ["L2<-C1@0"] });
  });

  it("RESCHEDULING lets time pass and reports what is new", async () => {
    const d = deps();
    const plan = { assignments: [{ crewId: "C1", assetIds: ["L2"] }] };
    const exec = await values(makeExecutionNode(d)(fresh({ proposedPlan: plan }), config));
    const out = await values(
      makeReschedulingNode(d)(fresh({ dispatchLog: exec.dispatchLog! }), {
        configurable: { thread_id: "n1", recheckMinutes: 60 },
      }),
    );
    expect(out.clock).toBe(30);
    expect(out.newFailures).toEqual(["P1"]);
    expect(out.pendingWork).toBe(1);
  });

  it("FINAL says why the run ended", () => {
    expect(finalStatus(fresh({ fatalError: "boom" })).status).toBe("error");
    // The step limit, when the check after the last state would have gone on (here: new damage).
    const limited = finalStatus(fresh({ stepCount: 59, statesVisited: ["RESCHEDULING"], newFailureCount: 1 }));
    expect(limited).toEqual({
      status: "max_steps",
      reason: "stopped with work left after 60 steps, FINAL included (limit 60)",
    });
    expect(
      finalStatus(fresh({ stepCount: 59, statesVisited: ["RESCHEDULING"], newFailureCount: 0, failures: null })).status,
    ).toBe("healthy");
    expect(finalStatus(fresh({ failures: null })).status).toBe("healthy");
  });
});
