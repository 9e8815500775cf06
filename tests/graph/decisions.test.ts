/** An operator's decision stands (issue 15): pins from an accepted edit, a rejection the planner acts on, decisions counted. */
import { Command, MemorySaver } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import { parseAnswer } from "../../src/cli/approve.js";
import { summary } from "../../src/cli/format.js";
import type { ApprovalRequest } from "../../src/graph/approval.js";
import { buildGraph } from "../../src/graph/graph.js";
import type { AgentState } from "../../src/graph/state.js";
import { SimulatorWorldProvider } from "../../src/graph/world-provider.js";
import { runIncident } from "../../src/incident/runner.js";
import { OfflinePlannerModel } from "../../src/models/offline-planner.js";
import { differentOrder, livePins, pinViolations, sameAssignments } from "../../src/planning/constraints.js";
import type { DispatchRecord } from "../../src/world/types.js";
import { ScriptedModel } from "../support/scripted-model.js";
import { SimulatedIncidentWorld } from "../../src/planning/incident-world.js";
import { World } from "../../src/world/simulator.js";
import { loadScenario } from "../../src/world/scenario/load.js";

// On the demo the optimizer gives PWR-1 L-2A-2B > L-1A-1B and PWR-2 L-4A-4P > TX-3B; this edit
// loads TX-3B on PWR-1 instead, which the optimizer moves back to PWR-2 when it may.
const EDIT = {
  assignments: [
    { crew_id: "PWR-1", asset_ids: ["L-1A-1B", "L-2A-2B", "TX-3B"] },
    { crew_id: "PWR-2", asset_ids: ["L-4A-4P"] },
    { crew_id: "WTR-1", asset_ids: ["P-WTP-SW"] },
  ],
};

async function editThen(second: "approve" | "release") {
  const asked: ApprovalRequest[] = [];
  const result = await runIncident({
    scenario: "demo",
    config: { model: "offline", requireApproval: true },
    onInterrupt: async (v) => {
      asked.push(v as ApprovalRequest);
      if (asked.length === 1) return { decision: "edit", plan: EDIT };
      return asked.length === 2 && second === "release" ? { decision: "release" } : { decision: "approve" };
    },
  });
  const doneBy = (asset: string) => result.dispatches.find((d) => d.assetId === asset && d.status === "done")?.crewId;
  return { result, asked, doneBy };
}

describe("a decision stands", () => {
  it("an accepted edit survives the next alerts' re-plans; released, the optimizer re-plans that work", async () => {
    const kept = await editThen("approve");
    expect(kept.result.status).toBe("restored");
    expect(kept.asked.length).toBeGreaterThan(1);
    // The pins were passed on: every later request shows them, and the work stayed where the operator put it.
    expect(kept.asked[1].pinned?.find((p) => p.crew_id === "PWR-1")?.asset_ids).toContain("TX-3B");
    expect(kept.doneBy("TX-3B")).toBe("PWR-1");
    expect(kept.doneBy("L-2A-2B")).toBe("PWR-1");
    expect(kept.result.operatorDecisions.byKind).toMatchObject({ edit: 1 });
    expect(kept.result.operatorDecisions.byKind.approve).toBe(kept.asked.length - 1);
    expect(kept.result.operatorDecisions.list[0]).toMatchObject({
      decision: "edit",
      at: 0,
      crewIds: ["PWR-1", "PWR-2", "WTR-1"],
    });
    expect(kept.result.operatorDecisions.pinnedNow).toEqual([]);

    // The control: released at the next question, the same work is moved by the optimizer.
    const released = await editThen("release");
    expect(released.result.operatorDecisions.byKind).toMatchObject({ edit: 1, release: 1 });
    expect(released.result.operatorDecisions.list.find((d) => d.decision === "release")).toMatchObject({
      at: released.asked[1].at,
    });
    expect(released.doneBy("L-2A-2B")).toBe("PWR-2");
    const text = summary(released.result);
    expect(text).toMatch(/Operator decisions\s+\d+ \(1 edit, 1 release, \d+ approve\)/);
    expect(text).toMatch(/00:49 release/);
  });

  it("a rejection with a reason gets a different plan from the offline planner, and is recorded with its minute", async () => {
    const app = buildGraph({ worlds: new SimulatorWorldProvider(), model: new OfflinePlannerModel() }).compile({
      checkpointer: new MemorySaver(),
    });
    const config = {
      configurable: { thread_id: "decisions-reject", scenario: "demo", requireApproval: true },
      recursionLimit: 100,
    };
    const request = async () =>
      (await app.getState(config)).tasks.flatMap((t) => t.interrupts).map((i) => i.value as ApprovalRequest)[0];
    await app.invoke({}, config);
    const first = await request();
    await app.invoke(
      new Command({ resume: { decision: "reject", reason: "PWR-1 should take L-1A-1B first" } }),
      config,
    );
    const second = await request();
    const toPlan = (r: ApprovalRequest) =>
      r.plan.assignments.map((a) => ({ crewId: a.crew_id, assetIds: a.asset_ids }));
    expect(second.source).toBe("model");
    expect(sameAssignments(toPlan(second), toPlan(first))).toBe(false);
    expect(second.reasoning).toMatch(/operator rejected/);
    const v = (await app.getState(config)).values as AgentState;
    expect(v.rejectedPlan?.assignments).toEqual(toPlan(first));
    expect(v.counters.invalidPlans).toBe(0);
    expect(v.operatorDecisions).toEqual([
      expect.objectContaining({ decision: "reject", reason: "PWR-1 should take L-1A-1B first", at: 0 }),
    ]);
    // Approved: dispatched, and the rejection is answered.
    await app.invoke(new Command({ resume: { decision: "approve" } }), config);
    expect(((await app.getState(config)).values as AgentState).rejectedPlan).toBeNull();
  });
});

describe("a planner that repeats the rejected plan", () => {
  it("is refused with the reason; the optimizer's fallback then offers a different plan to the operator", async () => {
    const same = {
      assignments: [
        { crew_id: "PWR-1", asset_ids: ["L-2A-2B", "L-1A-1B"] },
        { crew_id: "PWR-2", asset_ids: ["L-4A-4P", "TX-3B"] },
        { crew_id: "WTR-1", asset_ids: ["P-WTP-SW"] },
      ],
    };
    const stubborn = new ScriptedModel(() => ({
      calls: [{ name: "assign_repair_crew", args: { ...same, reasoning: "always this" } }],
    }));
    const app = buildGraph({ worlds: new SimulatorWorldProvider(), model: stubborn }).compile({
      checkpointer: new MemorySaver(),
    });
    const config = {
      configurable: { thread_id: "decisions-stubborn", scenario: "demo", requireApproval: true, maxPlanAttempts: 2 },
      recursionLimit: 100,
    };
    const request = async () =>
      (await app.getState(config)).tasks.flatMap((t) => t.interrupts).map((i) => i.value as ApprovalRequest)[0];
    await app.invoke({}, config);
    expect((await request()).plan.assignments).toEqual(same.assignments);
    await app.invoke(new Command({ resume: { decision: "reject", reason: "not this one" } }), config);
    const next = await request();
    const v = (await app.getState(config)).values as AgentState;
    const refusals = v.planHistory.filter((h) => h.errors.some((e) => /the plan the operator rejected/.test(e)));
    expect(refusals).toHaveLength(2);
    expect(next.source).toBe("fallback");
    expect(next.plan.assignments).not.toEqual(same.assignments);
  });
});

describe("the rules behind it", () => {
  it("a plan that moves or reorders pinned work is refused, with the crew named", () => {
    const pinned = [{ crewId: "C1", assetIds: ["A", "B"] }];
    expect(pinViolations({ assignments: [{ crewId: "C1", assetIds: ["A", "B", "X"] }] }, pinned)).toEqual([]);
    expect(pinViolations({ assignments: [{ crewId: "C2", assetIds: ["X"] }] }, pinned)).toEqual([]);
    expect(pinViolations({ assignments: [{ crewId: "C2", assetIds: ["B"] }] }, pinned).join()).toMatch(
      /B is pinned to crew C1/,
    );
    expect(pinViolations({ assignments: [{ crewId: "C1", assetIds: ["B", "A"] }] }, pinned).join()).toMatch(
      /C1's pinned order is A > B/,
    );
  });

  it("pins drop when the world makes them impossible, and leave quietly when done", () => {
    const rec = (assetId: string, crewId: string, status: DispatchRecord["status"]): DispatchRecord => ({
      dispatchId: `${crewId}/${assetId}`,
      crewId,
      assetId,
      assignedAt: 0,
      status,
    });
    const check = livePins(
      [
        { crewId: "C1", assetIds: ["A", "B", "C", "D"] },
        { crewId: "GONE", assetIds: ["E"] },
      ],
      [rec("A", "C1", "done"), rec("B", "C1", "queued"), rec("C", "C1", "cancelled"), rec("D", "C2", "queued")],
      new Set(["C1", "C2"]),
    );
    expect(check.kept).toEqual([{ crewId: "C1", assetIds: ["B"] }]);
    expect(check.fulfilled).toBe(1);
    expect(check.dropped.map((d) => `${d.assetId}: ${d.why}`)).toEqual([
      "C: its dispatch to C1 was cancelled",
      "D: crew C2 has it now",
      "E: crew GONE is no longer available",
    ]);
  });

  it("the optimizer's proposal avoids a rejected plan, keeps pins, and says when there is no other plan", () => {
    const world = new SimulatedIncidentWorld(new World(loadScenario("demo")));
    const best = world.proposeDispatchPlan();
    const other = world.proposeDispatchPlan(undefined, { avoid: best.plan.assignments });
    expect(sameAssignments(other.plan.assignments, best.plan.assignments)).toBe(false);
    expect(other.noAlternative).toBeUndefined();
    const pinned = [{ crewId: "PWR-1", assetIds: ["L-1A-1B", "TX-3B"] }];
    const kept = world.proposeDispatchPlan(undefined, { pinned });
    expect(kept.plan.assignments.find((a) => a.crewId === "PWR-1")?.assetIds.slice(0, 2)).toEqual(["L-1A-1B", "TX-3B"]);
    expect(pinViolations(kept.plan, pinned)).toEqual([]);
    const single = world.proposeDispatchPlan(["TX-3B"]);
    const none = world.proposeDispatchPlan(["TX-3B"], { avoid: single.plan.assignments });
    expect(none.noAlternative).toBe(true);
    expect(none.plan.reasoning).toMatch(/No other plan/);
  });

  it("another order of the same work exists unless every crew has at most one free job", () => {
    expect(
      differentOrder([
        { crewId: "C1", assetIds: ["A"] },
        { crewId: "C2", assetIds: ["B", "C"] },
      ]),
    ).toEqual([
      { crewId: "C1", assetIds: ["A"] },
      { crewId: "C2", assetIds: ["C", "B"] },
    ]);
    expect(differentOrder([{ crewId: "C1", assetIds: ["A", "B"] }], [{ crewId: "C1", assetIds: ["A"] }])).toBeNull();
  });

  it("the terminal reads u [crew ...] as a release", () => {
    expect(parseAnswer("u")).toEqual({ decision: "release" });
    expect(parseAnswer("u PWR-1 PWR-2")).toEqual({ decision: "release", crew_ids: ["PWR-1", "PWR-2"] });
  });
});
