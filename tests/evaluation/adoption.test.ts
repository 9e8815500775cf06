/** The evaluation's view of a planning model: adopted, changed or ignored the proposal, and the what-if effect of its changes. */
import type { BaseMessage, ToolMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { adoptionOf, adoptionSection } from "../../src/evaluation/adoption.js";
import { SimulatorWorldProvider } from "../../src/graph/world-provider.js";
import { runIncident } from "../../src/incident/runner.js";
import { feederWithPump } from "../support/scenarios.js";
import { ScriptedModel } from "../support/scripted-model.js";

const scenario = () =>
  feederWithPump({
    damage: [
      { asset: "L1", atMinutes: 0 },
      { asset: "L3", atMinutes: 0 },
    ],
  });
const run = (model?: ScriptedModel) =>
  runIncident({
    scenario: "case",
    worlds: new SimulatorWorldProvider({ resolveScenario: () => scenario() }),
    maxRuns: 1,
    config: { model: "offline" },
    ...(model ? { model } : {}),
  });

describe("adoption of the optimizer's proposals", () => {
  it("is 100 % with the offline planner", async () => {
    const r = await run();
    const a = adoptionOf(r.finalState.planHistory);
    expect(a.plans).toBeGreaterThan(0);
    expect(a).toMatchObject({
      adopted: a.plans,
      changed: 0,
      ignored: 0,
      adoptionRate: 1,
      weightedCustomerMinutesDelta: 0,
    });
    expect(adoptionSection([{ scenario: "case", planner: "agent (offline)", adoption: a }]).join("\n")).toMatch(
      /\| case \| agent \(offline\) \| \d+ \| \d+ \| 0 \| 0 \| 100 % \| 0 \|/,
    );
  });

  it("counts a model that reorders the proposal as a change, with what its change cost (what-if)", async () => {
    // Asks for the proposal, then sends C1's jobs in reverse order: L3 first restores nobody.
    const model = new ScriptedModel((messages: BaseMessage[]) => {
      const result = messages.find(
        (m) => m.getType() === "tool" && (m as ToolMessage).name === "propose_dispatch_plan",
      );
      if (!result) return { calls: [{ name: "propose_dispatch_plan", args: {} }] };
      const p = JSON.parse(String(result.content)) as { plan: { crew_id: string; asset_ids: string[] }[] };
      const assignments = p.plan.map((a) => ({ crew_id: a.crew_id, asset_ids: [...a.asset_ids].reverse() }));
      return { calls: [{ name: "assign_repair_crew", args: { assignments, reasoning: "my own order" } }] };
    });
    const r = await run(model);
    const first = r.finalState.planHistory.find((h) => h.source === "model")!;
    expect(first.plan.assignments[0].assetIds).toEqual(["L3", "L1"]);
    expect(first.vsProposal).toMatchObject({ choice: "changed" });
    expect(first.vsProposal!.weightedCustomerMinutesDelta).toBeGreaterThan(0);
    const a = adoptionOf(r.finalState.planHistory);
    expect(a.changed).toBeGreaterThanOrEqual(1);
    expect(a.weightedCustomerMinutesDelta).toBeGreaterThan(0);
    expect(a.betterThanProposal).toBe(0);
  });
});
