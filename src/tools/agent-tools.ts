/**
 * The agent tools: what the planning model may call to gather facts, plus the optimizer's
 * recommendation. Each takes lists, so one turn of parallel calls can gather everything, and
 * answers compact JSON. Descriptions are written for the model.
 */
import { tool, type StructuredToolInterface } from "@langchain/core/tools";
import type { IncidentWorld } from "../graph/world-provider.js";
import {
  CrewAssetMatrixArgs, CrewIdsArgs, GetAvailableCrewsArgs, GetWeatherArgs, ProposeDispatchPlanArgs,
} from "./schemas.js";

export const AGENT_TOOL_NAMES = [
  "get_weather_at_location", "get_available_crews", "get_crew_location", "get_crew_remaining_capacity",
  "estimate_repair_time", "estimate_arrival_time", "propose_dispatch_plan",
] as const;

const MAX_PAIRS = 2_000;

/** Compact JSON: no whitespace, numbers rounded to 0.1. */
export function compact(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === "number" && !Number.isInteger(v) ? Math.round(v * 10) / 10 : v));
}

function pairs(crewIds: string[], assetIds: string[]) {
  if (crewIds.length * assetIds.length > MAX_PAIRS) {
    throw new Error(`too many pairs (${crewIds.length} crews x ${assetIds.length} assets); ask for at most ${MAX_PAIRS}, or call propose_dispatch_plan`);
  }
  return crewIds.flatMap((crewId) => assetIds.map((assetId) => ({ crewId, assetId })));
}

export function createAgentTools(world: IncidentWorld): StructuredToolInterface[] {
  const { agent } = world;
  return [
    tool(async ({ locations }) => compact(await agent.getWeather(locations)), {
      name: "get_weather_at_location",
      description: "Current weather at assets, crews or x,y points: condition, travel and repair time factors, whether outdoor work is stopped (lightning), and the minute conditions change.",
      schema: GetWeatherArgs,
    }),
    tool(async () => compact(await agent.getAvailableCrews()), {
      name: "get_available_crews",
      description: "Crews with shift capacity left: skills (networks they repair), position, status, current job and queue, capacity left after their queued work (hours), the minute they are free, and where.",
      schema: GetAvailableCrewsArgs,
    }),
    tool(async ({ crew_ids }) => compact(await agent.getCrewLocations(crew_ids)), {
      name: "get_crew_location",
      description: "Where each crew is now and what it is doing.",
      schema: CrewIdsArgs,
    }),
    tool(async ({ crew_ids }) => compact(await agent.getCrewRemainingCapacity(crew_ids)), {
      name: "get_crew_remaining_capacity",
      description: "Hours of shift capacity each crew has left after the work already queued, and the minute it is free.",
      schema: CrewIdsArgs,
    }),
    tool(async ({ crew_ids, asset_ids }) => compact(await agent.estimateRepairTimes(pairs(crew_ids, asset_ids))), {
      name: "estimate_repair_time",
      description: "Repair minutes for each crew on each asset (asset type and weather) and the minute it would be done if sent after its current queue. Errors say when a crew lacks the skill.",
      schema: CrewAssetMatrixArgs,
    }),
    tool(async ({ crew_ids, asset_ids }) => compact(await agent.estimateArrivalTimes(pairs(crew_ids, asset_ids))), {
      name: "estimate_arrival_time",
      description: "Travel minutes and arrival minute for each crew to each asset, after its current queue, with the weather's effect on travel.",
      schema: CrewAssetMatrixArgs,
    }),
    tool(async ({ asset_ids }) => {
      const p = world.proposeDispatchPlan(asset_ids);
      return compact({
        plan: p.plan.assignments.map((a) => ({ crew_id: a.crewId, asset_ids: a.assetIds })), reassign: Boolean(p.plan.reassign),
        reasoning: p.plan.reasoning, expected: p.expected, unassignable: p.unassignable, method: p.method,
      });
    }, {
      name: "propose_dispatch_plan",
      description: "The dispatch optimizer's recommended plan for the damaged assets no crew has (minimises criticality-weighted customer-minutes, using travel, repair, skills, capacity and what each repair restores), with its expected effect simulated ahead: customer-minutes, critical facilities that would still be lost, and each job's arrival and completion. It also re-orders work that is queued but not started (then `reassign` is true: pass it on to assign_repair_crew). You may adopt, change or ignore it.",
      schema: ProposeDispatchPlanArgs,
    }),
  ];
}
