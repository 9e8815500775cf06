/**
 * RESCHEDULING: time passes, then detect_failure_nodes again. When damaged assets wait for a
 * crew, time passes until the next event that changes that; otherwise for at most
 * `recheckMinutes`, or until something new happens (damage, a delayed cascade).
 */
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { createSystemTools } from "../../tools/system-tools.js";
import { rememberFailures } from "../../memory/agent-memory.js";
import type { FailureSnapshot } from "../../world/types.js";
import { ensureConfiguration } from "../configuration.js";
import { worldFor, type GraphDeps } from "../runtime.js";
import { MAX_NEW_FAILURE_IDS_IN_STATE } from "../../limits.js";
import type { AgentState, AgentUpdate } from "../state.js";

export function makeReschedulingNode(deps: GraphDeps) {
  return async function RESCHEDULING(state: AgentState, config: LangGraphRunnableConfig): Promise<AgentUpdate> {
    const cfg = ensureConfiguration(config);
    const base = { stepCount: state.stepCount + 1, statesVisited: ["RESCHEDULING" as const] };
    const world = worldFor(deps, state, config);
    const tools = createSystemTools(world);
    const before = (await tools.detect_failure_nodes.invoke({}, config)) as FailureSnapshot;
    const waiting = before.damaged.some((d) => !d.assignedCrew);
    await world.waitForChange(waiting ? Infinity : cfg.recheckMinutes);
    const after = (await tools.detect_failure_nodes.invoke({}, config)) as FailureSnapshot;
    const known = new Set([...before.damaged, ...before.outOfService].map((f) => f.id));
    const fresh = [...after.damaged, ...after.outOfService].map((f) => f.id).filter((id) => !known.has(id));
    const memory = rememberFailures(after, await world.agent.getAvailableCrews(), undefined, world.noCrewCanTake?.());
    return {
      ...base,
      clock: world.now(),
      failures: memory,
      newFailures: fresh.slice(0, MAX_NEW_FAILURE_IDS_IN_STATE),
      newFailureCount: fresh.length,
      pendingWork: memory.toPlanCount,
    };
  };
}
