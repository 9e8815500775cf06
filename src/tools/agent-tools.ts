/**
 * The agent tools: what the planning model may call to gather facts, plus the optimizer's
 * recommendation. Each takes lists, so one turn of parallel calls can gather everything, and
 * answers compact JSON. Descriptions are written for the model.
 */
import { CREW_LIST_LIMIT, FULL_PLAN_LIMIT } from "../limits.js";
import { tool, type StructuredToolInterface } from "@langchain/core/tools";
import type { IncidentWorld } from "../planning/incident-world.js";
import type { PlanConstraints } from "../planning/constraints.js";
import type { CrewSummary, DispatchPlan } from "../world/types.js";
import {
  CrewAssetMatrixArgs,
  CrewIdsArgs,
  GetAvailableCrewsArgs,
  GetWeatherArgs,
  ProposeDispatchPlanArgs,
  SimulatePlanArgs,
} from "./schemas.js";
import { toDispatchPlan } from "./plan-input.js";
import type { QueuePosition } from "../world/estimates.js";
import type { PlanOutcome, WhatIf } from "../planning/what-if.js";

export const AGENT_TOOL_NAMES = [
  "get_weather_at_location",
  "get_available_crews",
  "get_crew_location",
  "get_crew_remaining_capacity",
  "estimate_repair_time",
  "estimate_arrival_time",
  "propose_dispatch_plan",
  "simulate_plan",
] as const;

const MAX_PAIRS = 2_000;
export { CREW_LIST_LIMIT } from "../limits.js";

/** Keys whose values are coordinates: kept to 5 decimals (about a metre in longitude/latitude). */
const COORDINATE_KEYS = new Set(["x", "y", "lon", "lat"]);

/**
 * Compact JSON: no whitespace; coordinates to 5 decimals, every other fraction (minutes,
 * hours, factors, km) to 0.1 — rounding a longitude to 0.1 would put a whole town on one point.
 */
export function compact(value: unknown): string {
  return JSON.stringify(value, (k, v) => {
    if (typeof v !== "number" || Number.isInteger(v)) return v;
    return COORDINATE_KEYS.has(k) ? Math.round(v * 1e5) / 1e5 : Math.round(v * 10) / 10;
  });
}

/** A crew at a glance: its queue as a count and the next few jobs, not every id. */
function summariseCrew(c: CrewSummary) {
  return {
    id: c.id,
    skills: c.skills,
    status: c.status,
    ...(c.currentAsset ? { current: c.currentAsset } : {}),
    queued: c.queue.length,
    next: c.queue.slice(0, 3),
    capacity_left_h: c.capacityLeftHours,
    free_at_minute: c.freeAt,
    free_at: c.freeAtLocation,
    speed_kmh: c.speedKmh,
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
    crews_total: crews.length,
    by_skill: bySkill,
    crews: soonest.map(summariseCrew),
    note: `${CREW_LIST_LIMIT} of ${crews.length} crews shown (free soonest); ask get_crew_location or get_crew_remaining_capacity with crew_ids for others`,
  };
}

/** A large plan at a glance: each crew's job count and first jobs, for at most CREW_LIST_LIMIT crews. */
function planSummary(assignments: DispatchPlan["assignments"]) {
  const shown = assignments.slice(0, CREW_LIST_LIMIT);
  const rest = assignments.slice(CREW_LIST_LIMIT);
  return {
    plan_summary: shown.map((a) => ({
      crew_id: a.crewId,
      jobs: a.assetIds.length,
      first: a.assetIds.slice(0, rest.length ? 2 : 3),
    })),
    ...(rest.length
      ? { more_crews: { crews: rest.length, jobs: rest.reduce((n, a) => n + a.assetIds.length, 0) } }
      : {}),
  };
}

function pairs(crewIds: string[], assetIds: string[], after?: QueuePosition) {
  if (crewIds.length * assetIds.length > MAX_PAIRS) {
    throw new Error(
      `too many pairs (${crewIds.length} crews x ${assetIds.length} assets); ask for at most ${MAX_PAIRS}, or call propose_dispatch_plan`,
    );
  }
  return crewIds.flatMap((crewId) =>
    assetIds.map((assetId) => ({ crewId, assetId, ...(after !== undefined ? { after } : {}) })),
  );
}

/** A what-if answer for the model: its plan's figures, and the difference to the optimizer's proposal. */
function whatIfResult(w: WhatIf & { proposalId?: string }) {
  if (w.errors)
    return { valid: false, errors: w.errors, note: "assign_repair_crew would refuse this plan for these reasons" };
  const o = w.outcome!;
  const view = (x: PlanOutcome) => ({
    window: `minute ${x.from} to ${x.to}`,
    weighted_customer_minutes: x.weightedCustomerMinutes,
    customer_minutes: x.customerMinutes,
    critical_facilities_lost: x.criticalFacilitiesLost,
    full_restoration_at: x.fullRestorationAt,
  });
  const jobs = o.jobs.slice(0, FULL_PLAN_LIMIT).map((j) => ({
    crew_id: j.crewId,
    asset_id: j.assetId,
    arrives: j.arrivalAt,
    weather_hold_min: j.weatherHoldMinutes,
    done: j.completionAt,
  }));
  return {
    valid: true,
    basis: o.basis,
    plan: view(o),
    jobs,
    ...(o.jobs.length > jobs.length ? { more_jobs: o.jobs.length - jobs.length } : {}),
    ...(w.comparedWith
      ? {
          proposal: { proposal_id: w.proposalId, ...view(w.comparedWith.outcome) },
          plan_minus_proposal: {
            weighted_customer_minutes: w.comparedWith.difference.weightedCustomerMinutes,
            customer_minutes: w.comparedWith.difference.customerMinutes,
            critical_lost_only_in_plan: w.comparedWith.difference.criticalFacilitiesLostOnlyInPlan,
            critical_saved_by_plan: w.comparedWith.difference.criticalFacilitiesSavedByPlan,
            note: "negative: your plan is better than the proposal; both over the same window, no future damage",
          },
        }
      : {}),
  };
}

/** `constraints`: an operator's decisions (pinned work, a rejected plan) that every proposal obeys. */
export function createAgentTools(world: IncidentWorld, constraints: PlanConstraints = {}): StructuredToolInterface[] {
  const { agent } = world;
  return [
    tool(async ({ locations }) => compact(await agent.getWeather(locations)), {
      name: "get_weather_at_location",
      description:
        "Weather at assets, crews or x,y points: the current condition, travel and repair time factors, whether outdoor work is stopped (lightning), the minute conditions change, and the forecast: every period ahead there (condition, from and to minute, whether it stops work).",
      schema: GetWeatherArgs,
    }),
    tool(async () => compact(crewList(await agent.getAvailableCrews())), {
      name: "get_available_crews",
      description:
        "Crews with shift capacity left: skills (networks they repair), position, status, current job and queue, capacity left after their queued work (hours), the minute they are free, and where.",
      schema: GetAvailableCrewsArgs,
    }),
    tool(async ({ crew_ids }) => compact(await agent.getCrewLocations(crew_ids)), {
      name: "get_crew_location",
      description: "Where each crew is now and what it is doing.",
      schema: CrewIdsArgs,
    }),
    tool(async ({ crew_ids }) => compact(await agent.getCrewRemainingCapacity(crew_ids)), {
      name: "get_crew_remaining_capacity",
      description:
        "Hours of shift capacity each crew has left after the work already queued, and the minute it is free.",
      schema: CrewIdsArgs,
    }),
    tool(
      async ({ crew_ids, asset_ids, after }) =>
        compact(await agent.estimateRepairTimes(pairs(crew_ids, asset_ids, after))),
      {
        name: "estimate_repair_time",
        description:
          "Each crew on each asset, as a timeline that adds up: departAt + travelMinutes = arrivalAt; arrivalAt + weatherHoldMinutes (lightning on arrival or during the repair) + repairMinutes = completionAt; weatherAtArrival is the weather there on arrival. `after` places the job in the crew's work; an asset the crew already has queued is estimated where it is, not as a second repair.",
        schema: CrewAssetMatrixArgs,
      },
    ),
    tool(
      async ({ crew_ids, asset_ids, after }) =>
        compact(await agent.estimateArrivalTimes(pairs(crew_ids, asset_ids, after))),
      {
        name: "estimate_arrival_time",
        description:
          "Departure, travel minutes, distance (km) and arrival minute of each crew at each asset, with the weather's effect on travel and the weather on arrival; `after` as for estimate_repair_time.",
        schema: CrewAssetMatrixArgs,
      },
    ),
    tool(
      async ({ asset_ids }) => {
        const p = world.proposeDispatchPlan(asset_ids, constraints);
        const jobs = p.plan.assignments.reduce((n, a) => n + a.assetIds.length, 0);
        // A large plan is summarised: the model adopts it by proposal_id instead of copying thousands of ids.
        const large = jobs > FULL_PLAN_LIMIT;
        return compact({
          proposal_id: p.id,
          ...(large
            ? {
                jobs,
                crews: p.plan.assignments.length,
                ...planSummary(p.plan.assignments),
                note: `${jobs} jobs: adopt with assign_repair_crew({proposal_id}) or list your own assignments`,
              }
            : { plan: p.plan.assignments.map((a) => ({ crew_id: a.crewId, asset_ids: a.assetIds })) }),
          reassign: Boolean(p.plan.reassign),
          reasoning: large ? undefined : p.plan.reasoning,
          expected: large ? { ...p.expected, jobs: undefined, job_count: p.expected.jobs.length } : p.expected,
          unassignable: p.unassignable.slice(0, 20),
          ...(p.unassignable.length > 20 ? { more_unassignable: p.unassignable.length - 20 } : {}),
          method: p.method,
          ...(constraints.pinned?.length
            ? { pinned_by_operator: constraints.pinned.map((a) => ({ crew_id: a.crewId, asset_ids: a.assetIds })) }
            : {}),
          ...(p.noAlternative
            ? {
                no_alternative:
                  "This is the plan the operator rejected: no other plan of this work exists. Say so in your reasoning and submit it; the operator decides.",
              }
            : {}),
        });
      },
      {
        name: "propose_dispatch_plan",
        description:
          "The dispatch optimizer's recommended plan for the damaged assets no crew has (minimises criticality-weighted customer-minutes, using travel, repair, skills, capacity and what each repair restores), with its expected effect simulated ahead: customer-minutes, critical facilities that would still be lost, and each job's arrival and completion. It also re-orders work that is queued but not started (then `reassign` is true: pass it on to assign_repair_crew). Work an operator pinned stays as decided (pinned_by_operator), and a plan the operator rejected is not proposed again. You may adopt, change or ignore it.",
        schema: ProposeDispatchPlanArgs,
      },
    ),
    tool(
      async (input) => {
        if (!world.simulatePlan) throw new Error("this world cannot simulate plans");
        const plan = input.proposal_id
          ? world.proposalById?.(input.proposal_id)
          : toDispatchPlan({ ...input, reasoning: input.reasoning ?? "" });
        if (!plan)
          throw new Error(
            `unknown proposal_id "${input.proposal_id}": call propose_dispatch_plan again, or list the assignments`,
          );
        return compact(whatIfResult(world.simulatePlan(plan)));
      },
      {
        name: "simulate_plan",
        description:
          "What-if, dispatching nothing: give a plan in the shape of assign_repair_crew (assignments, reassign) and get what it is expected to do, simulated ahead on a copy of the world with no future damage: weighted and plain customer-minutes from now, critical facilities lost and when, each job's arrival, weather hold and completion, and the difference to the optimizer's latest proposal over the same window (made if there is none). Use it to measure a change to the proposal before you assign it.",
        schema: SimulatePlanArgs,
      },
    ),
  ];
}
