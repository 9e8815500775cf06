/** FAILURE_DETECTION: the system tool detect_failure_nodes; what it found goes to memory. */
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { createSystemTools } from "../../tools/system-tools.js";
import type { CrewSummary, FailureSnapshot } from "../../world/types.js";
import { worldFor, type GraphDeps } from "../runtime.js";
import { MAX_FAILURE_IDS_IN_STATE, type AgentState, type AgentUpdate, type FailureMemory } from "../state.js";

export function makeFailureDetectionNode(deps: GraphDeps) {
  return async function FAILURE_DETECTION(state: AgentState, config: LangGraphRunnableConfig): Promise<AgentUpdate> {
    const step = { stepCount: state.stepCount + 1, statesVisited: ["FAILURE_DETECTION" as const] };
    if (state.fatalError) return step;
    const world = worldFor(deps, state, config);
    const tools = createSystemTools(world);
    const snapshot = (await tools.detect_failure_nodes.invoke({}, config)) as FailureSnapshot;
    const crews = await world.agent.getAvailableCrews();
    return { ...step, clock: world.now(), failures: rememberFailures(snapshot, crews) };
  };
}

/**
 * Compact memory of a detection: damaged assets (the work to plan first, then those waiting,
 * then those with a crew; capped at MAX_FAILURE_IDS_IN_STATE, with counts), out-of-service ones
 * as counts. `urgency` (from impacts, when known) decides which ids a capped list keeps.
 */
export function rememberFailures(s: FailureSnapshot, crews: CrewSummary[], urgency?: (id: string) => number): FailureMemory {
  const skills = new Set(crews.filter((c) => c.capacityLeftHours > 0).flatMap((c) => c.skills));
  const byUrgency = <T extends { id: string }>(list: T[]) => (urgency ? [...list].sort((a, b) => urgency(b.id) - urgency(a.id) || (a.id < b.id ? -1 : 1)) : list);
  const unassigned = s.damaged.filter((d) => !d.assignedCrew);
  const toPlan = byUrgency(unassigned.filter((d) => skills.has(d.network)));
  const waiting = byUrgency(unassigned.filter((d) => !skills.has(d.network)));
  const withCrew = s.damaged.filter((d) => d.assignedCrew);
  const byNetwork: Record<string, number> = {};
  for (const o of s.outOfService) byNetwork[o.network] = (byNetwork[o.network] ?? 0) + 1;
  const cap = MAX_FAILURE_IDS_IN_STATE;
  return {
    at: s.at,
    damaged: [...toPlan, ...waiting, ...withCrew].slice(0, cap).map(({ id, network, type, cause, since, assignedCrew, dispatchStatus }) => ({
      id, network, type, cause, since, ...(assignedCrew ? { assignedCrew, dispatchStatus } : {}),
    })),
    damagedCount: s.damaged.length,
    toPlan: toPlan.slice(0, cap).map((d) => d.id),
    toPlanCount: toPlan.length,
    waiting: waiting.slice(0, cap).map((d) => d.id),
    waitingCount: waiting.length,
    outOfServiceCount: s.outOfService.length,
    outOfServiceByNetwork: byNetwork,
    populationOut: s.populationOut,
    weightedPopulationOut: s.weightedPopulationOut,
    criticalFacilitiesOut: s.criticalFacilitiesOut,
    onBackup: s.onBackup,
  };
}
