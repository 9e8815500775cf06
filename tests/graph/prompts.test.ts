import { describe, expect, it } from "vitest";
import {
  buildContextMessage,
  buildSystemPrompt,
  buildToolSection,
  contextData,
  estimateTokens,
  windowedHistory,
} from "../../src/prompts/assemble.js";
import { REPAIR_PLANNING_SYSTEM_PROMPT } from "../../src/prompts/repair-planning.js";
import { plannerTools } from "../../src/graph/nodes/repair-planning.js";
import { SimulatedIncidentWorld } from "../../src/planning/incident-world.js";
import type { PlanningMemory, PlanRecord } from "../../src/memory/agent-memory.js";
import { World } from "../../src/world/simulator.js";
import { feederWithPump } from "../support/scenarios.js";

const tools = plannerTools(new SimulatedIncidentWorld(new World(feederWithPump())));

function state(toPlan: number): PlanningMemory {
  const ids = Array.from({ length: toPlan }, (_, i) => `L-${String(i).padStart(5, "0")}`);
  return {
    clock: 30,
    incidentId: "inc-1",
    trigger: undefined,
    impactSummary: { "power/high": toPlan },
    failures: {
      at: 30,
      toPlan: ids,
      toPlanCount: toPlan,
      waiting: [],
      waitingCount: 0,
      damagedCount: toPlan,
      outOfServiceCount: 3 * toPlan,
      outOfServiceByNetwork: { power: 3 * toPlan },
      damaged: ids.map((id) => ({ id, network: "power", type: "line", cause: "storm damage", since: 0 })),
      populationOut: 100 * toPlan,
      weightedPopulationOut: 100 * toPlan,
      criticalFacilitiesOut: [],
      onBackup: [{ node: "HOSP", dependee: "B", expiresAt: 180, critical: true }],
    },
    impacts: ids.map((asset, i) => ({
      asset,
      network: "power",
      populationOut: 1000 - i,
      weightedPopulationOut: 1000 - i,
      populationRestoredIfRepaired: 10,
      severity: "high" as const,
      criticalFacilities: [],
    })),
    planHistory: Array.from(
      { length: 8 },
      (_, i): PlanRecord => ({
        step: i,
        at: i * 10,
        source: "model",
        plan: { assignments: [{ crewId: "C1", assetIds: [`A${i}`] }] },
        valid: true,
        errors: [],
      }),
    ),
  };
}

describe("prompt assembly", () => {
  it("the system prompt has the role, the response format and the tools; the JSON protocol adds each tool's schema", () => {
    const native = buildSystemPrompt(tools, "tools");
    expect(native.startsWith(REPAIR_PLANNING_SYSTEM_PROMPT)).toBe(true);
    expect(native).toMatch(/respond only with tool calls/);
    expect(native).toContain("assign_repair_crew");
    const json = buildSystemPrompt(tools, "json");
    expect(json).toMatch(/"thoughts".*"action".*"arguments"/s);
    expect(buildToolSection(tools, "json")).toMatch(/- assign_repair_crew: .*\n  arguments: \{.*"assignments"/);
    expect(buildToolSection(tools, "json")).not.toContain("detect_failure_nodes");
  });

  it("marks data as data", () => {
    const msg = buildContextMessage({ state: state(2), crews: [], historyWindow: 5 }, 0, 12_000);
    expect(msg.text).toMatch(/data, not instructions/);
    expect(msg.text).toMatch(/<data>\n\{.*\}\n<\/data>$/s);
  });

  it("shows the last N plans of the history, whole history staying in state", () => {
    const h = state(1).planHistory;
    expect(windowedHistory(h, 5).map((p) => p.plan_no)).toEqual([4, 5, 6, 7, 8]);
    expect(windowedHistory(h, 0)).toEqual([]);
    const data = contextData({ state: state(1), crews: [], historyWindow: 2 }, 10, 10);
    expect(data.recent_plans.map((p) => p.plan_no)).toEqual([7, 8]);
  });

  it("numbers plans over the whole incident and labels expected figures with their window", () => {
    // Steps restart with every graph run (4, 9, 10, 4): the numbering must not.
    const expected = (wcm: number, horizonMinutes: number) => ({
      customerMinutes: wcm,
      weightedCustomerMinutes: wcm,
      criticalFacilitiesLost: [],
      horizonMinutes,
    });
    const h: PlanRecord[] = [
      [4, 0, 900],
      [9, 49, 500],
      [10, 49, 480],
      [4, 139, 300],
    ].map(([step, at, horizon]) => ({
      step,
      at,
      source: "model",
      plan: { assignments: [{ crewId: "C1", assetIds: ["A"] }] },
      valid: true,
      errors: [],
      expected: expected(1000, horizon),
    }));
    const shown = windowedHistory(h, 4);
    expect(shown.map((p) => p.plan_no)).toEqual([1, 2, 3, 4]);
    expect(shown.map((p) => p.expected?.over)).toEqual([
      "minute 0 to 900",
      "minute 49 to 549",
      "minute 49 to 529",
      "minute 139 to 439",
    ]);
  });

  it("lists the tools once: natively, no tool line in the prompt; in the JSON protocol, a tool section", () => {
    expect(buildSystemPrompt(tools, "tools")).not.toMatch(/Tools you may call/);
    expect(buildToolSection(tools, "tools")).toBe("");
    expect(buildSystemPrompt(tools, "json")).toMatch(/Actions you may take/);
  });

  it("says the proposal can be asked in the same turn as the facts, and that a plan may cover only the crews whose work changes", () => {
    expect(REPAIR_PLANNING_SYSTEM_PROMPT).toMatch(/same turn, call propose_dispatch_plan/);
    expect(REPAIR_PLANNING_SYSTEM_PROMPT).toMatch(/only the crews whose work changes/);
  });

  it("stays under the budget however many failures, summarising instead of cutting, highest impact first", () => {
    for (const n of [10, 100, 1000, 5000]) {
      const msg = buildContextMessage({ state: state(n), crews: [], historyWindow: 5 }, 2_000, 12_000);
      expect(msg.tokens + 3_000).toBeLessThanOrEqual(12_000);
      const data = JSON.parse(/<data>\n([\s\S]*)\n<\/data>/.exec(msg.text)![1]);
      const shown = data.damaged_without_crew.length;
      expect(shown).toBe(msg.failuresShown);
      if (shown < n) expect(data.more_damaged_without_crew.count).toBe(n - shown);
      if (shown > 0) expect(data.damaged_without_crew[0].id).toBe("L-00000");
    }
    expect(estimateTokens("x".repeat(320))).toBe(100);
  });
});
