/** EXECUTION: the system tool assign_repair_crew applies the validated plan; the result goes to memory. */
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { createSystemTools, fromDispatchPlan } from "../../tools/system-tools.js";
import type { DispatchResult } from "../../world/types.js";
import { worldFor, type GraphDeps } from "../runtime.js";
import type { AgentState, AgentUpdate } from "../state.js";

export function makeExecutionNode(deps: GraphDeps) {
  return async function EXECUTION(state: AgentState, config: LangGraphRunnableConfig): Promise<AgentUpdate> {
    const base = { stepCount: state.stepCount + 1, statesVisited: ["EXECUTION" as const] };
    const plan = state.proposedPlan;
    if (!plan) return { ...base, errors: ["EXECUTION without a plan"] };
    const world = worldFor(deps, state, config);
    const tools = createSystemTools(world);
    try {
      // Idempotent: if this node is replayed after a crash, dispatches already applied are skipped.
      const raw = await tools.assign_repair_crew.invoke(fromDispatchPlan(plan), config);
      const result = JSON.parse(String(raw)) as DispatchResult;
      return {
        ...base, clock: world.now(),
        dispatchLog: result.applied,
        executionResults: [{ step: base.stepCount, at: world.now(), dispatched: result.applied.map((e) => e.dispatchId), alreadyApplied: result.alreadyApplied }],
        proposedPlan: null, planAttempts: 0, planErrors: [],
      };
    } catch (e) {
      const message = (e as Error).message;
      return { ...base, executionResults: [{ step: base.stepCount, at: world.now(), dispatched: [], alreadyApplied: [], error: message }], errors: [`execution failed: ${message}`] };
    }
  };
}
