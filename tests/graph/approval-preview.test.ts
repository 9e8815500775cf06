/** An operator previews an edited plan's what-if at the approval step; nothing is applied until a decision. */
import { describe, expect, it } from "vitest";
import { seekApproval, type ApprovalRequest } from "../../src/graph/approval.js";
import type { AgentState } from "../../src/graph/state.js";
import { SimulatedIncidentWorld } from "../../src/graph/world-provider.js";
import { simulatePlan } from "../../src/planning/what-if.js";
import { World } from "../../src/world/simulator.js";
import { feederWithPump } from "../support/scenarios.js";

describe("approval: preview an edited plan", () => {
  it("answers a preview with the plan's what-if against the optimizer's proposal, dispatching nothing", async () => {
    const world = new SimulatedIncidentWorld(
      new World(
        feederWithPump({
          damage: [
            { asset: "L1", atMinutes: 0 },
            { asset: "L3", atMinutes: 0 },
          ],
        }),
      ),
    );
    const proposed = world.proposeDispatchPlan().plan;
    const state = {
      proposedPlan: proposed,
      stepCount: 5,
      clock: 0,
      planSource: "model",
      expectedEffect: null,
      incidentId: "i",
    } as unknown as AgentState;
    const edited = { assignments: [{ crew_id: "C1", asset_ids: ["L3", "L1"] }] };
    const asked: ApprovalRequest[] = [];
    const answers = [{ decision: "preview", plan: edited }, { decision: "approve" }];
    const outcome = await seekApproval(state, world, (r) => {
      asked.push(r);
      return answers[asked.length - 1];
    });
    expect(outcome.approved).toBe(true);
    expect(asked).toHaveLength(2);
    const preview = asked[1].preview!;
    expect(preview.plan).toEqual(edited);
    // The same figures as the what-if function itself, and worse than the proposal (L3 first restores nobody).
    const direct = simulatePlan(world.simulator, { assignments: [{ crewId: "C1", assetIds: ["L3", "L1"] }] }, proposed);
    expect(preview.whatIf.outcome).toEqual(direct.outcome);
    expect(preview.whatIf.comparedWith!.difference.weightedCustomerMinutes).toBeGreaterThan(0);
    expect(world.dispatchLog()).toHaveLength(0);
  });
});
