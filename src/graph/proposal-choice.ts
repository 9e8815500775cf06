/**
 * What the planning model made of the optimizer's proposal in a round: adopted, changed or
 * ignored, and what its changes are expected to do (what-if figures, plan minus proposal,
 * over the same window). Recorded with the plan; the evaluation sums it up.
 */
import { classifyAgainstProposal } from "../planning/what-if.js";
import type { DispatchPlan } from "../world/types.js";
import type { ProposalComparison } from "./state.js";
import type { IncidentWorld } from "../planning/incident-world.js";

export function compareWithProposal(
  world: IncidentWorld,
  plan: DispatchPlan,
  adoptedId?: string,
): ProposalComparison | undefined {
  if (adoptedId)
    return { choice: "adopted", proposalId: adoptedId, weightedCustomerMinutesDelta: 0, customerMinutesDelta: 0 };
  if (!world.simulatePlan) return undefined;
  const latest = world.latestProposal?.();
  const choice = latest ? classifyAgainstProposal(plan, latest.plan) : "ignored";
  if (choice === "adopted")
    return {
      choice,
      ...(latest?.id ? { proposalId: latest.id } : {}),
      weightedCustomerMinutesDelta: 0,
      customerMinutesDelta: 0,
    };
  try {
    // Compared with the latest proposal at this minute (made now if the model asked for none).
    const w = world.simulatePlan(plan);
    const d = w.comparedWith?.difference;
    return {
      choice,
      ...(w.proposalId ? { proposalId: w.proposalId } : {}),
      ...(d
        ? { weightedCustomerMinutesDelta: d.weightedCustomerMinutes, customerMinutesDelta: d.customerMinutes }
        : {}),
    };
  } catch {
    return { choice };
  }
}
