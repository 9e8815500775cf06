/** IMPACT_ANALYSIS: the system tool estimate_impact for each failure; severity logged to memory. */
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { createSystemTools } from "../../tools/system-tools.js";
import { type ImpactMemory, rememberFailures } from "../../memory/agent-memory.js";
import type { ImpactReport } from "../../world/types.js";
import { byUrgency, savesCriticalBackup, urgencyOfReport } from "../../planning/urgency.js";
import { worldFor, type GraphDeps } from "../runtime.js";
import { MAX_IMPACTS_IN_STATE } from "../../limits.js";
import type { AgentState, AgentUpdate } from "../state.js";

export { MAX_IMPACTS_IN_STATE } from "../../limits.js";

export function makeImpactAnalysisNode(deps: GraphDeps) {
  return async function IMPACT_ANALYSIS(state: AgentState, config: LangGraphRunnableConfig): Promise<AgentUpdate> {
    const world = worldFor(deps, state, config);
    const tools = createSystemTools(world);
    // A capped failure memory names only some of the damaged assets: the world, at the same
    // minute, gives them all (the same ones FAILURE_DETECTION saw).
    const capped = state.failures !== null && state.failures.damaged.length < state.failures.damagedCount;
    const snapshot = capped ? await world.system.detectFailures() : null;
    const ids = (snapshot?.damaged ?? state.failures?.damaged ?? []).map((d) => d.id);
    const reports = (
      (await tools.estimate_impact.invoke({ asset_ids: ids }, config)) as (
        | ImpactReport
        | { asset: string; error: string }
      )[]
    ).filter((r): r is ImpactReport => !("error" in r));
    // The memory keeps the most urgent ones, by one measure (src/planning/urgency.ts): the failure
    // list, the impacts kept and the model's context are all in this order.
    const urgencies = new Map(reports.map((r) => [r.asset, urgencyOfReport(r)]));
    const failures = snapshot
      ? rememberFailures(
          snapshot,
          await world.agent.getAvailableCrews(),
          (id) => urgencies.get(id) ?? 0,
          world.noCrewCanTake?.(),
        )
      : undefined;
    const summary: Record<string, number> = {};
    for (const r of reports) summary[`${r.network}/${r.severity}`] = (summary[`${r.network}/${r.severity}`] ?? 0) + 1;
    const impacts: ImpactMemory[] = reports
      .sort(
        byUrgency(
          (r) => urgencies.get(r.asset) ?? 0,
          (r) => r.asset,
        ),
      )
      .slice(0, MAX_IMPACTS_IN_STATE)
      .map((r) => ({
        asset: r.asset,
        network: r.network,
        populationOut: r.populationOut,
        weightedPopulationOut: r.weightedPopulationOut,
        populationRestoredIfRepaired: r.populationRestoredIfRepaired,
        severity: r.severity,
        criticalFacilities: [
          ...r.criticalFacilitiesAffected,
          ...r.backupsRunningOut.filter((b) => b.critical).map((b) => b.node),
        ],
        ...(savesCriticalBackup(r) ? { savesCriticalBackup: true } : {}),
        ...(r.backupsRunningOut.length
          ? { backupExpiresAt: Math.min(...r.backupsRunningOut.map((b) => b.expiresAt)) }
          : {}),
      }));
    return {
      stepCount: state.stepCount + 1,
      statesVisited: ["IMPACT_ANALYSIS"],
      impacts,
      impactSummary: summary,
      ...(failures ? { failures } : {}),
      planAttempts: 0,
      planErrors: [],
      proposedPlan: null,
      planSource: null,
    };
  };
}
