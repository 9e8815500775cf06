/**
 * The agent tools: what the planning model may call to gather facts, plus the optimizer's
 * recommendation. Each takes lists, so one turn of parallel calls can gather everything, and
 * answers compact JSON. Descriptions are written for the model.
 */
import { CREW_LIST_LIMIT, FULL_PLAN_LIMIT } from "../limits.js";
import { tool, type StructuredToolInterface } from "@langchain/core/tools";
import type { IncidentWorld } from "../planning/incident-world.js";
import type { CrewSummary, DispatchPlan } from "../world/types.js";
import {
  CrewAssetMatrixArgs, CrewIdsArgs, GetAvailableCrewsArgs, GetWeatherArgs, ProposeDispatchPlanArgs,
} from "./schemas.js";

export const AGENT_TOOL_NAMES = [
  "get_weather_at_location", "get_available_crews", "get_crew_location", "get_crew_remaining_capacity",
  "estimate_repair_time", "estimate_arrival_time", "propose_dispatch_plan",
] as const;

const MAX_PAIRS = 2_000;
export { CREW_LIST_LIMIT } from "../limits.js";

/** Compact JSON: no whitespace, numbers rounded to 0.1. */
export function compact(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === "number" && !Number.isInteger(v) ? Math.round(v * 10) / 10 : v));
}

/** A crew at a glance: its queue as a count and the next few jobs, not every id. */
function summariseCrew(c: CrewSummary) {
  return {
    id: c.id, skills: c.skills, status: c.status, ...(c.currentAsset ? { current: c.currentAsset } : {}),
    queued: c.queue.length, next: c.queue.slice(0, 3), capacity_left_h: c.capacityLeftHours,
    free_at_minute: c.freeAt, free_at: c.freeAtLocation, speed_kmh: c.speedKmh,
  };
}

/**
 * The crews with capacity left; beyond CREW_LIST_LIMIT, the crews free soonest, and totals per
 * skill for all of them.
 */
function crewList(crews: CrewSummary[]) {
  if (crews.length <= CREW_LIST_LIMIT) return crews.map(summariseCrew);
  const bySkill: Record<string, { crews: number; idle: number; capacity_left_h: number }> = {};
  for (const c of crews) {
    for (const s of c.skills) {
      const t = (bySkill[s] ??= { crews: 0, idle: 0, capacity_left_h: 0 });
      t.crews++;
      if (c.status === "idle") t.idle++;
      t.capacity_left_h += c.capacityLeftHours;
    }
  }
  const soonest = [...crews].sort((a, b) => a.freeAt - b.freeAt || a.id.localeCompare(b.id)).slice(0, CREW_LIST_LIMIT);
  return {
    crews_total: crews.length, by_skill: bySkill, crews: soonest.map(summariseCrew),
    note: `${CREW_LIST_LIMIT} of ${crews.length} crews shown (free soonest); ask get_crew_location or get_crew_remaining_capacity with crew_ids for others`,
  };
}

/** A large plan at a glance: each crew's job count and first jobs, for at most CREW_LIST_LIMIT crews. */
function planSummary(assignments: DispatchPlan["assignments"]) {
  const shown = assignments.slice(0, CREW_LIST_LIMIT);
  const rest = assignments.slice(CREW_LIST_LIMIT);
  return {
    plan_summary: shown.map((a) => ({ crew_id: a.crewId, jobs: a.assetIds.length, first: a.assetIds.slice(0, rest.length ? 2 : 3) })),
    ...(rest.length ? { more_crews: { crews: rest.length, jobs: rest.reduce((n, a) => n + a.assetIds.length, 0) } } : {}),
  };
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
    tool(async () => compact(crewList(await agent.getAvailableCrews())), {
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
      const jobs = p.plan.assignments.reduce((n, a) => n + a.assetIds.length, 0);
      // A large plan is summarised: the model adopts it by proposal_id instead of copying thousands of ids.
      const large = jobs > FULL_PLAN_LIMIT;
      return compact({
        proposal_id: p.id,
        ...(large
          ? { jobs, crews: p.plan.assignments.length, ...planSummary(p.plan.assignments), note: `${jobs} jobs: adopt with assign_repair_crew({proposal_id}) or list your own assignments` }
          : { plan: p.plan.assignments.map((a) => ({ crew_id: a.crewId, asset_ids: a.assetIds })) }),
        reassign: Boolean(p.plan.reassign), reasoning: large ? undefined : p.plan.reasoning,
        expected: large ? { ...p.expected, jobs: undefined, job_count: p.expected.jobs.length } : p.expected,
        unassignable: p.unassignable.slice(0, 20), ...(p.unassignable.length > 20 ? { more_unassignable: p.unassignable.length - 20 } : {}),
        method: p.method,
      });
    }, {
      name: "propose_dispatch_plan",
      description: "The dispatch optimizer's recommended plan for the damaged assets no crew has (minimises criticality-weighted customer-minutes, using travel, repair, skills, capacity and what each repair restores), with its expected effect simulated ahead: customer-minutes, critical facilities that would still be lost, and each job's arrival and completion. It also re-orders work that is queued but not started (then `reassign` is true: pass it on to assign_repair_crew). You may adopt, change or ignore it.",
      schema: ProposeDispatchPlanArgs,
    }),
  ];
}
