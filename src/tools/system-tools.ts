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
import { AssignRepairCrewArgs, type AssignRepairCrewInput } from "./schemas.js";

export const SYSTEM_TOOL_NAMES = ["detect_failure_nodes", "estimate_impact", "assign_repair_crew"] as const;

export function toDispatchPlan(input: AssignRepairCrewInput): DispatchPlan {
  return {
    assignments: (input.assignments ?? []).map((a) => ({ crewId: a.crew_id, assetIds: a.asset_ids })),
    reasoning: input.reasoning,
    ...(input.reassign ? { reassign: true } : {}),
  };
}

/** A plan as assign_repair_crew arguments, with its assignments spelled out. */
export type ExplicitPlanInput = AssignRepairCrewInput & { assignments: NonNullable<AssignRepairCrewInput["assignments"]> };

export function fromDispatchPlan(plan: DispatchPlan): ExplicitPlanInput {
  return {
    assignments: plan.assignments.map((a) => ({ crew_id: a.crewId, asset_ids: a.assetIds })),
    reasoning: plan.reasoning ?? "",
    ...(plan.reassign ? { reassign: true } : {}),
  };
}

const ASSIGN_DESCRIPTION =
  "Dispatch crews: for each crew, the damaged assets it should repair, in order, and your reasoning. " +
  "Only damaged assets need a crew; assets only out of service come back by themselves when their root cause is repaired. " +
  "The plan is validated (crew exists, has the skill and the capacity, asset damaged and not already assigned, no asset twice); " +
  "if it is refused you get every reason and may submit a corrected plan.";

/** The terminal action as the model sees it. Calling it ends the planning round. */
export function createAssignRepairCrewTool(world: IncidentWorld): StructuredToolInterface {
  return tool(async (input) => compact(await world.system.assignCrews(toDispatchPlan(input))), {
    name: "assign_repair_crew",
    description: ASSIGN_DESCRIPTION,
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
      description: "Population and critical facilities affected by each failed asset, what its repair alone restores, and a severity class.",
      schema: z.object({ asset_ids: z.array(z.string()) }),
    }),
    assign_repair_crew: createAssignRepairCrewTool(world),
  } satisfies Record<(typeof SYSTEM_TOOL_NAMES)[number], StructuredToolInterface>;
}
