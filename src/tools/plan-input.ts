/** A plan as the model writes it (assign_repair_crew's arguments) and as the world takes it. */
import type { DispatchPlan } from "../world/types.js";
import type { AssignRepairCrewInput } from "./schemas.js";

export function toDispatchPlan(input: AssignRepairCrewInput): DispatchPlan {
  return {
    assignments: (input.assignments ?? []).map((a) => ({ crewId: a.crew_id, assetIds: a.asset_ids })),
    reasoning: input.reasoning,
    ...(input.reassign ? { reassign: true } : {}),
  };
}

/** A plan as assign_repair_crew arguments, with its assignments spelled out. */
export type ExplicitPlanInput = AssignRepairCrewInput & {
  assignments: NonNullable<AssignRepairCrewInput["assignments"]>;
};

export function fromDispatchPlan(plan: DispatchPlan): ExplicitPlanInput {
  return {
    assignments: plan.assignments.map((a) => ({ crew_id: a.crewId, asset_ids: a.assetIds })),
    reasoning: plan.reasoning ?? "",
    ...(plan.reassign ? { reassign: true } : {}),
  };
}
