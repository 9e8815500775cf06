/**
 * The system tools: what the state machine itself calls. `detect_failure_nodes` and
 * `estimate_impact` are never offered to the model; `assign_repair_crew` is offered to it as
 * the terminal action of planning, but only EXECUTION applies it, after validation.
 */
import { tool, type StructuredToolInterface } from "@langchain/core/tools";
import { z } from "zod";
import type { IncidentWorld } from "../planning/incident-world.js";
import type { DispatchPlan } from "../world/types.js";
import { compact } from "./agent-tools.js";
import { AssignRepairCrewArgs } from "./schemas.js";
import { toDispatchPlan } from "./plan-input.js";

export { fromDispatchPlan, toDispatchPlan, type ExplicitPlanInput } from "./plan-input.js";

export const SYSTEM_TOOL_NAMES = ["detect_failure_nodes", "estimate_impact", "assign_repair_crew"] as const;

const ASSIGN_DESCRIPTION =
  "Submit your plan (it ends the planning round): for each crew whose work changes, the damaged assets it should repair, in order, and your reasoning. " +
  "Crews you leave out keep their work as it is. Only damaged assets need a crew; assets only out of service come back by themselves when their root cause is repaired. " +
  "The plan is validated (crew exists, has the skill and the capacity, asset damaged and not already assigned, no asset twice); " +
  "if it is refused you get every reason and may submit a corrected plan. Nothing is dispatched by this call: the system dispatches a validated plan afterwards (after the operator's approval, when required).";

/**
 * assign_repair_crew as the planning model sees it: it submits a plan and answers whether it is
 * valid; it never dispatches. Only EXECUTION applies a plan (createSystemTools), after
 * validation and, with requireApproval, after the operator.
 */
export function createPlanSubmissionTool(world: IncidentWorld): StructuredToolInterface {
  return tool(
    async (input) => {
      const plan = input.proposal_id ? world.proposalById?.(input.proposal_id) : toDispatchPlan(input);
      if (!plan)
        return compact({ valid: false, errors: [`unknown proposal_id "${input.proposal_id}"`], dispatched: false });
      const v = await world.system.validatePlan(plan);
      return compact({ valid: v.valid, errors: v.errors, dispatched: false });
    },
    { name: "assign_repair_crew", description: ASSIGN_DESCRIPTION, schema: AssignRepairCrewArgs },
  );
}

/** The system's assign_repair_crew: applies a plan (validated and idempotent). Only EXECUTION calls it. */
function createDispatchTool(world: IncidentWorld): StructuredToolInterface {
  return tool(async (input) => compact(await world.system.assignCrews(toDispatchPlan(input))), {
    name: "assign_repair_crew",
    description: "Dispatch crews: apply a validated plan. Called by the EXECUTION state only.",
    schema: AssignRepairCrewArgs,
  });
}

export function createSystemTools(world: IncidentWorld) {
  return {
    detect_failure_nodes: tool(async () => world.system.detectFailures(), {
      name: "detect_failure_nodes",
      description: "Scan the network: damaged assets and assets out of service, with causes.",
      schema: z.object({}),
    }),
    estimate_impact: tool(async ({ asset_ids }) => world.system.estimateImpact(asset_ids), {
      name: "estimate_impact",
      description:
        "Population and critical facilities affected by each failed asset, what its repair alone restores, and a severity class.",
      schema: z.object({ asset_ids: z.array(z.string()) }),
    }),
    assign_repair_crew: createDispatchTool(world),
  } satisfies Record<(typeof SYSTEM_TOOL_NAMES)[number], StructuredToolInterface>;
}
