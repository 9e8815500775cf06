/**
 * An operator's decisions as graph state keeps them, turned into what the planner obeys: the
 * pins the world still allows (the others dropped, with a recorded note) and the rejected plan.
 */
import { MAX_PINNED_ASSETS } from "../limits.js";
import { livePins, type PlanConstraints } from "../planning/constraints.js";
import type { IncidentWorld } from "../planning/incident-world.js";
import type { CrewAssignment } from "../world/types.js";
import type { AgentState, AgentUpdate, OperatorDecisionRecord } from "./state.js";

/** The constraints for this round, and the state update when pins dropped. */
export async function operatorConstraints(
  state: Pick<AgentState, "operatorPins" | "rejectedPlan" | "rejectionRules" | "stepCount" | "clock">,
  world: IncidentWorld,
): Promise<{ constraints: PlanConstraints; update: AgentUpdate }> {
  const avoid = state.rejectedPlan?.assignments;
  const r = state.rejectionRules;
  const ruled: PlanConstraints = {
    ...(avoid ? { avoid } : {}),
    ...(r?.excludeCrews.length ? { excludeCrews: r.excludeCrews } : {}),
    ...(r?.first.length ? { first: r.first } : {}),
  };
  if (!state.operatorPins.length) return { constraints: ruled, update: {} };
  // A crew the world no longer knows cannot keep its pins (a queue it cannot finish is the world's to cancel).
  const located = await world.agent.getCrewLocations(state.operatorPins.map((p) => p.crewId));
  const crews = new Set(located.filter((c) => !("error" in c)).map((c) => c.crewId));
  const { kept, dropped, fulfilled } = livePins(state.operatorPins, world.dispatches(), crews);
  const constraints: PlanConstraints = { ...(kept.length ? { pinned: kept } : {}), ...ruled };
  if (!dropped.length) return { constraints, update: fulfilled ? { operatorPins: kept } : {} };
  const notes: OperatorDecisionRecord[] = dropped.map((d) => ({
    step: state.stepCount + 1,
    at: state.clock,
    decision: "pin_dropped",
    crewIds: [d.crewId],
    note: `${d.assetId} no longer pinned to ${d.crewId}: ${d.why}`,
  }));
  return { constraints, update: { operatorPins: kept, operatorDecisions: notes, operatorDecisionCount: notes.length } };
}

/** An accepted edit's pins, over the earlier ones: the crews it lists get its lists; bounded. */
export function pinsAfterEdit(previous: readonly CrewAssignment[], edit: readonly CrewAssignment[]): CrewAssignment[] {
  const edited = new Set(edit.map((a) => a.crewId));
  const all = [...previous.filter((p) => !edited.has(p.crewId)), ...edit.filter((a) => a.assetIds.length)];
  let left = MAX_PINNED_ASSETS;
  const out: CrewAssignment[] = [];
  for (const a of all) {
    if (left <= 0) break;
    const ids = a.assetIds.slice(0, left);
    left -= ids.length;
    out.push({ crewId: a.crewId, assetIds: ids });
  }
  return out;
}

/** Pins left after a release of `crewIds` (none: all). */
export function pinsAfterRelease(previous: readonly CrewAssignment[], crewIds?: readonly string[]): CrewAssignment[] {
  return crewIds?.length ? previous.filter((p) => !crewIds.includes(p.crewId)) : [];
}
