/** FAILURE_DETECTION: the system tool detect_failure_nodes; what it found goes to memory. */
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { createSystemTools } from "../../tools/system-tools.js";
import { rememberFailures } from "../../memory/agent-memory.js";
import type { FailureSnapshot } from "../../world/types.js";
import { worldFor, type GraphDeps } from "../runtime.js";
import type { AgentState, AgentUpdate } from "../state.js";

// Moved to src/memory (nodes do not import each other); re-exported for callers of this module.
export { rememberFailures } from "../../memory/agent-memory.js";

export function makeFailureDetectionNode(deps: GraphDeps) {
  return async function FAILURE_DETECTION(state: AgentState, config: LangGraphRunnableConfig): Promise<AgentUpdate> {
    const step = { stepCount: state.stepCount + 1, statesVisited: ["FAILURE_DETECTION" as const] };
    if (state.fatalError) return step;
    const world = worldFor(deps, state, config);
    const tools = createSystemTools(world);
    const snapshot = (await tools.detect_failure_nodes.invoke({}, config)) as FailureSnapshot;
    const crews = await world.agent.getAvailableCrews();
    return {
      ...step,
      clock: world.now(),
      failures: rememberFailures(snapshot, crews, undefined, world.noCrewCanTake?.()),
    };
  };
}
