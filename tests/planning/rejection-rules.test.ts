/** An operator's rejection reason, read into what the optimizer obeys (issue 15: "a rejection's reason reaches the planner as a constraint"). */
import { Command, MemorySaver } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import type { ApprovalRequest } from "../../src/graph/approval.js";
import { buildGraph } from "../../src/graph/graph.js";
import type { AgentState } from "../../src/graph/state.js";
import { SimulatorWorldProvider } from "../../src/graph/world-provider.js";
import { OfflinePlannerModel } from "../../src/models/offline-planner.js";
import { proposeDispatchPlan } from "../../src/planning/optimizer.js";
import { parseRejection, ruleViolations } from "../../src/planning/rejection-rules.js";
import { loadScenario } from "../../src/world/scenario/load.js";
import { World } from "../../src/world/simulator.js";

const demo = () => new World(loadScenario("demo"));
const known = (w: World) => ({ crews: w.crewSummaries().map((c) => c.id), assets: w.net.assetIds });

describe("reading a rejection", () => {
  it("reads the simple forms, and says what it cannot do or does not know", () => {
    const r = parseRejection(
      "Not crew PWR-2, l-1a-1b first; PWR-1 should take TX-3B first and not before 14:00. Not crew ZZZ. Mind the school",
      known(demo()),
    );
    expect(r.excludeCrews).toEqual(["PWR-2"]);
    expect(r.first).toEqual([{ assetId: "L-1A-1B" }, { assetId: "TX-3B", crewId: "PWR-1" }]);
    expect(r.understood).toHaveLength(3);
    expect(r.cannot).toEqual([
      expect.stringMatching(/not before 14:00.*cannot hold a dispatch back/),
      expect.stringMatching(/no crew ZZZ/),
    ]);
    expect(parseRejection("this plan looks wrong", known(demo()))).toMatchObject({ understood: [], cannot: [] });
  });

  it("refuses a crew that cannot do the job it is asked to do first", () => {
    const r = parseRejection("WTR-1 should take L-4A-4P first", {
      ...known(demo()),
      canTake: (crew) => crew !== "WTR-1",
    });
    expect(r.first).toEqual([]);
    expect(r.cannot).toEqual([expect.stringMatching(/WTR-1 cannot repair L-4A-4P/)]);
  });
});

describe("the optimizer obeys them", () => {
  it("gives an excluded crew nothing, and its work to the others", () => {
    const w = demo();
    const normal = proposeDispatchPlan(w).plan;
    expect(normal.assignments.find((a) => a.crewId === "PWR-2")?.assetIds.length).toBeGreaterThan(0);
    const plan = proposeDispatchPlan(w, { excludeCrews: ["PWR-2"] }).plan;
    expect(plan.assignments.find((a) => a.crewId === "PWR-2")?.assetIds ?? []).toEqual([]);
    const power = (p: typeof plan) =>
      p.assignments
        .filter((a) => a.crewId.startsWith("PWR"))
        .flatMap((a) => a.assetIds)
        .sort();
    expect(power(plan)).toEqual(power(normal));
    expect(ruleViolations(plan, { excludeCrews: ["PWR-2"] }, new Set())).toEqual([]);
    expect(ruleViolations(normal, { excludeCrews: ["PWR-2"] }, new Set())).toEqual([
      expect.stringMatching(/ruled out crew PWR-2/),
    ]);
  });

  it("puts an asset first, on the crew asked for or the soonest, and keeps it first", () => {
    const w = demo();
    const normal = proposeDispatchPlan(w).plan;
    const firsts = normal.assignments.map((a) => a.assetIds[0]);
    const later = normal.assignments.flatMap((a) => a.assetIds.slice(1))[0];
    expect(firsts).not.toContain(later);
    const plan = proposeDispatchPlan(w, { first: [{ assetId: later }] }).plan;
    expect(plan.assignments.map((a) => a.assetIds[0])).toContain(later);
    expect(ruleViolations(plan, { first: [{ assetId: later }] }, new Set())).toEqual([]);
    expect(ruleViolations(normal, { first: [{ assetId: later }] }, new Set())).toEqual([
      expect.stringMatching(new RegExp(`${later} first`)),
    ]);
    const on = proposeDispatchPlan(w, { first: [{ assetId: "TX-3B", crewId: "PWR-1" }] }).plan;
    expect(on.assignments.find((a) => a.crewId === "PWR-1")?.assetIds[0]).toBe("TX-3B");
  });
});

describe("in the graph", () => {
  it("a rejection saying 'not crew PWR-2' gets a plan without PWR-2; the planner is told; a dispatch ends it", async () => {
    const app = buildGraph({ worlds: new SimulatorWorldProvider(), model: new OfflinePlannerModel() }).compile({
      checkpointer: new MemorySaver(),
    });
    const config = {
      configurable: { thread_id: "rejection-rules", scenario: "demo", requireApproval: true },
      recursionLimit: 100,
    };
    const request = async () =>
      (await app.getState(config)).tasks.flatMap((t) => t.interrupts).map((i) => i.value as ApprovalRequest)[0];
    await app.invoke({}, config);
    const first = await request();
    expect(first.plan.assignments.find((a) => a.crew_id === "PWR-2")?.asset_ids.length).toBeGreaterThan(0);
    await app.invoke(
      new Command({ resume: { decision: "reject", reason: "not crew PWR-2; not before 06:00" } }),
      config,
    );
    const second = await request();
    expect(second.plan.assignments.find((a) => a.crew_id === "PWR-2")?.asset_ids ?? []).toEqual([]);
    const v = (await app.getState(config)).values as AgentState;
    expect(v.rejectionRules?.excludeCrews).toEqual(["PWR-2"]);
    const told = v.messages.map((m) => String(m.content)).find((c) => /Read from the reason/.test(c));
    expect(told).toMatch(/crew PWR-2 gets no work/);
    expect(told).toMatch(/not possible: "not before 06:00"/);
    await app.invoke(new Command({ resume: { decision: "approve" } }), config);
    const after = (await app.getState(config)).values as AgentState;
    expect(after.rejectionRules).toBeNull();
    expect(after.dispatchLog.length).toBeGreaterThan(0);
  });
});
