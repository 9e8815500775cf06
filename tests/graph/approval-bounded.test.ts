/** With operator approval on, a large incident's plan history stays as small as without it. */
import { MemorySaver } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import { MAX_IDS_PER_RECORD } from "../../src/graph/state.js";
import { MAX_EXPECTED_JOBS_IN_STATE } from "../../src/graph/plan-record.js";
import { SimulatorWorldProvider } from "../../src/graph/world-provider.js";
import { runIncident } from "../../src/incident/runner.js";
import { generateRegion } from "../../src/world/scenario/generate.js";

const ids = (r: { plan: { assignments: { assetIds: string[] }[] } }) =>
  r.plan.assignments.reduce((n, a) => n + a.assetIds.length, 0);

describe("approval on a large incident", () => {
  it("an approved plan of hundreds of jobs is recorded bounded, and the checkpoint stays small", async () => {
    const scenario = generateRegion({ seed: 3, nodes: 12_000, crews: 200 });
    const saver = new MemorySaver();
    let asked = 0;
    const r = await runIncident({
      scenario: "region",
      incidentId: "approval-large",
      checkpointer: saver,
      worlds: new SimulatorWorldProvider({ resolveScenario: () => scenario }),
      config: { model: "offline", requireApproval: true, maxSteps: 10 },
      maxRuns: 1,
      onInterrupt: async () => {
        asked++;
        return { decision: "approve" };
      },
    });
    expect(asked).toBeGreaterThan(0);
    const approved = r.finalState.planHistory.filter((h) => h.operator?.decision === "approve");
    expect(approved.length).toBeGreaterThan(0);
    for (const h of r.finalState.planHistory) expect(ids(h)).toBeLessThanOrEqual(MAX_IDS_PER_RECORD);
    // The plan was larger than a record keeps: the record says how many jobs it had.
    expect(approved[0].jobCount).toBeGreaterThan(MAX_IDS_PER_RECORD);
    // The operator's record is no larger than the planner's record of the same plan.
    const planned = r.finalState.planHistory.find((h) => h.source === "model" && !h.operator)!;
    expect(JSON.stringify(approved[0]).length).toBeLessThanOrEqual(JSON.stringify(planned).length + 100);
    // The whole checkpoint, plan history included, stays under the bound the README gives for a 100,000-node incident.
    const tuple = await saver.getTuple({ configurable: { thread_id: "approval-large" } });
    expect(JSON.stringify(tuple!.checkpoint.channel_values).length).toBeLessThan(256 * 1024);
    const effect = r.finalState.expectedEffect;
    if (effect) expect(effect.jobs.length).toBeLessThanOrEqual(MAX_EXPECTED_JOBS_IN_STATE);
  });
});
