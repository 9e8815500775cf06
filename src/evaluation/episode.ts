/**
 * The episode loop every rule-based planner is judged in: plan at the start and at every
 * alert the world raises (new damage, a delayed cascade, a crew freed while assets wait),
 * dispatch, let the world run to its next alert, until nothing more happens.
 *
 * The agent (src/incident/runner.ts) is driven the same way: its graph runs at the first
 * alert and at each later one, on the same scenario and seed, so the figures compare.
 * Domain only: nothing here knows the graph.
 */
import type { EpisodeStatus } from "../memory/outcomes.js";
import { performance } from "node:perf_hooks";
import type { World } from "../world/simulator.js";
import type { DispatchPlan, DispatchRecord, EpisodeMetrics } from "../world/types.js";

/** Given the world as it stands, the dispatches to send now (null or empty: none). */
export type EpisodePlanner = (world: World) => DispatchPlan | null;

export type { EpisodeStatus } from "../memory/outcomes.js";

export interface EpisodeResult {
  status: EpisodeStatus;
  metrics: EpisodeMetrics;
  dispatches: DispatchRecord[];
  /** Times the planner was asked for a plan. */
  planningRounds: number;
  /** Plans the world refused (a baseline must never produce one; counted, not thrown). */
  rejectedPlans: number;
  /** Wall time spent inside the planner, in milliseconds. */
  planningMs: number;
  wallMs: number;
}

export interface EpisodeOptions {
  /** Safety bound on planning rounds. */
  maxRounds?: number;
}

export function runEpisode(world: World, planner: EpisodePlanner, options: EpisodeOptions = {}): EpisodeResult {
  const started = performance.now();
  const maxRounds = options.maxRounds ?? 10_000;
  let planningRounds = 0;
  let rejectedPlans = 0;
  let planningMs = 0;
  let status: EpisodeStatus = "stable";
  for (;;) {
    if (world.workableUnassignedIds().length > 0) {
      if (planningRounds >= maxRounds) {
        status = "max_rounds";
        break;
      }
      planningRounds++;
      const t0 = performance.now();
      const plan = planner(world);
      planningMs += performance.now() - t0;
      if (plan && plan.assignments.some((a) => a.assetIds.length > 0)) {
        try {
          world.assignCrews(plan);
        } catch {
          rejectedPlans++;
        }
      }
    }
    const alerts = world.advanceUntilAlert();
    if (alerts.length === 0) break;
  }
  if (status !== "max_rounds") {
    status = world.isFullyRestored() ? "restored" : world.unassignedDamagedIds().length > 0 ? "unrestorable" : "stable";
  }
  return {
    status,
    metrics: world.metrics(),
    dispatches: world.dispatches(),
    planningRounds,
    rejectedPlans,
    planningMs,
    wallMs: performance.now() - started,
  };
}

/** A planner that sends one fixed plan at the start and nothing afterwards (an offline optimum). */
export function oneShotPlanner(plan: DispatchPlan): EpisodePlanner {
  let sent = false;
  return () => {
    if (sent) return null;
    sent = true;
    return plan;
  };
}
