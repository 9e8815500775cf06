/** FAILURE_DETECTION: the system tool detect_failure_nodes; what it found goes to memory. */
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { createSystemTools } from "../../tools/system-tools.js";
import type { CrewSummary, FailureSnapshot } from "../../world/types.js";
import { worldFor, type GraphDeps } from "../runtime.js";
import type { AgentState, AgentUpdate, FailureMemory } from "../state.js";

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

/** Compact memory of a detection: damaged assets in full, out-of-service ones as counts. */
export function rememberFailures(s: FailureSnapshot, crews: CrewSummary[]): FailureMemory {
  const skills = new Set(crews.filter((c) => c.capacityLeftHours > 0).flatMap((c) => c.skills));
  const unassigned = s.damaged.filter((d) => !d.assignedCrew);
  const byNetwork: Record<string, number> = {};
  for (const o of s.outOfService) byNetwork[o.network] = (byNetwork[o.network] ?? 0) + 1;
  return {
    at: s.at,
    damaged: s.damaged.map(({ id, network, type, cause, since, assignedCrew, dispatchStatus }) => ({
      id, network, type, cause, since, ...(assignedCrew ? { assignedCrew, dispatchStatus } : {}),
    })),
    toPlan: unassigned.filter((d) => skills.has(d.network)).map((d) => d.id),
    waiting: unassigned.filter((d) => !skills.has(d.network)).map((d) => d.id),
    outOfServiceCount: s.outOfService.length,
    outOfServiceByNetwork: byNetwork,
    populationOut: s.populationOut,
    weightedPopulationOut: s.weightedPopulationOut,
    criticalFacilitiesOut: s.criticalFacilitiesOut,
    onBackup: s.onBackup,
  };
}
