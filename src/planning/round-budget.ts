/**
 * The search's budget for one planning round, in counted work (never wall time: a resumed
 * incident must decide exactly as one that never stopped, and everything here comes from the
 * world's dispatch state, which the incident's checkpoint and log hold).
 *
 * A first round (nothing queued) gets the full budget: SEARCH_EVALUATIONS_PER_ASSET per asset
 * planned, between SEARCH_MIN_EVALUATIONS and SEARCH_MAX_EVALUATIONS, and SEARCH_SERVICE_WORK
 * nodes visited. A later round, where crews' queues hold work an earlier round already searched,
 * only has to place what is new: its budget is the full one scaled by the new work's share
 * (new assets / (new + queued)), and never below SEARCH_ROUND_MIN_EVALUATIONS (nor above the full
 * budget). The search then starts from the crews' queues as they are, with the new assets
 * placed after them by the ratio rule (optimizer.ts, candidate "queues-kept").
 */
import {
  SEARCH_EVALUATIONS_PER_ASSET,
  SEARCH_MAX_EVALUATIONS,
  SEARCH_MIN_EVALUATIONS,
  SEARCH_ROUND_MIN_EVALUATIONS,
  SEARCH_SERVICE_WORK,
  SEARCH_WALL_CLOCK_CAP_MS,
} from "../limits.js";
import type { World } from "../world/simulator.js";
import type { CrewAssignment } from "../world/types.js";
import { crewSlots, ratioRule, type WeightOf } from "./construct.js";
import type { SearchBudget } from "./improve.js";

export interface RoundWork {
  /** Assets the search plans (new and, when re-planned, queued). */
  planned: number;
  /** New assets: damaged, no crew has them. */
  fresh: number;
  /** Queued jobs (not started, not pinned) that crews hold from an earlier round, re-planned or kept. */
  queued: number;
}

export interface RoundBudget extends SearchBudget {
  /** Share of the full budget given (1 on a first round). */
  share: number;
}

/** The new work's share of the round: 1 when nothing is queued. */
export function newWorkShare(work: RoundWork): number {
  if (work.queued <= 0) return 1;
  return work.fresh / (work.fresh + work.queued);
}

export function roundBudget(work: RoundWork, scale = 1, maxEvaluations?: number): RoundBudget {
  const full = Math.round(
    scale *
      Math.max(SEARCH_MIN_EVALUATIONS, Math.min(SEARCH_MAX_EVALUATIONS, SEARCH_EVALUATIONS_PER_ASSET * work.planned)),
  );
  const share = newWorkShare(work);
  const evaluations =
    share >= 1
      ? full
      : Math.min(full, Math.max(Math.round(scale * SEARCH_ROUND_MIN_EVALUATIONS), Math.ceil(full * share)));
  const used = evaluations / full;
  return {
    evaluations: maxEvaluations ?? evaluations,
    serviceWork: scale * SEARCH_SERVICE_WORK * (maxEvaluations === undefined ? used : 1),
    wallClockMs: scale * SEARCH_WALL_CLOCK_CAP_MS,
    share: maxEvaluations === undefined ? used : 1,
  };
}

/**
 * A later round's warm start: each crew's queue as it stands (the assets of it being planned, in
 * its order), then the new assets by the ratio rule after the queues. Null when that does not
 * place exactly the assets planned (a crew's capacity, a skill).
 */
export function queuesKept(world: World, planned: readonly string[], weightOf: WeightOf): CrewAssignment[] | null {
  const want = new Set(planned);
  const summaries = world.crewSummaries();
  const lists = summaries.map((c) => c.queue.filter((id) => want.has(id)));
  const queued = new Set(lists.flat());
  if (queued.size === 0) return null;
  const newOnes = planned.filter((id) => !queued.has(id));
  const after = ratioRule(world, crewSlots(world), newOnes, weightOf);
  if (after.unassignable.length > 0) return null;
  for (const a of after.assignments) lists[summaries.findIndex((c) => c.id === a.crewId)].push(...a.assetIds);
  if (lists.reduce((n, l) => n + l.length, 0) !== want.size) return null;
  return summaries.map((c, k) => ({ crewId: c.id, assetIds: lists[k] })).filter((a) => a.assetIds.length > 0);
}
