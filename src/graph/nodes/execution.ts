/** EXECUTION: the system tool assign_repair_crew applies the validated plan; the result goes to memory. */
import { isPlanRejected } from "../../world/plan-validation.js";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { createSystemTools, fromDispatchPlan } from "../../tools/system-tools.js";
import type { DispatchResult } from "../../world/types.js";
import { seekApproval } from "../approval.js";
import { ensureConfiguration } from "../configuration.js";
import { MAX_IDS_PER_RECORD } from "../../limits.js";
import type { AgentState, AgentUpdate } from "../state.js";
import { crashPoint, journalDispatches } from "../../persistence/crash-points.js";
import { worldFor, type GraphDeps } from "../runtime.js";

export function makeExecutionNode(deps: GraphDeps) {
  return async function EXECUTION(state: AgentState, config: LangGraphRunnableConfig): Promise<AgentUpdate> {
    const base = { stepCount: state.stepCount + 1, statesVisited: ["EXECUTION" as const] };
    const plan = state.proposedPlan;
    if (!plan) return { ...base, errors: ["EXECUTION without a plan"] };
    const world = worldFor(deps, state, config);
    // Operator approval (requireApproval) comes first: its interrupt() re-runs this node on
    // resume, so nothing above this line may change the world.
    const approval = ensureConfiguration(config).requireApproval ? await seekApproval(state, world) : null;
    if (approval && !approval.approved) return { ...base, ...approval.update };
    const decided = approval?.update ?? {};
    const tools = createSystemTools(world);
    try {
      // Idempotent: if this node is replayed after a crash, dispatches already applied are skipped.
      const raw = await tools.assign_repair_crew.invoke(fromDispatchPlan(approval?.plan ?? plan), config);
      const result = JSON.parse(String(raw)) as DispatchResult;
      // They leave the process fenced by the incident's lease (a process that lost it sends
      // nothing), and once per id (the lease's outbox: a replayed EXECUTION re-sends nothing).
      const ids = result.applied.map((e) => e.dispatchId);
      if (deps.sendDispatches) await deps.sendDispatches(ids, journalDispatches);
      else journalDispatches(ids);
      // Applied in this process's world but not yet checkpointed (test-only crash point).
      crashPoint(`EXECUTION@${world.now()}#${base.stepCount}:applied`);
      return {
        ...base,
        ...decided,
        clock: world.now(),
        dispatchLog: result.applied,
        executionResults: [
          {
            step: base.stepCount,
            at: world.now(),
            dispatched: result.applied.slice(0, MAX_IDS_PER_RECORD).map((e) => e.dispatchId),
            dispatchedCount: result.applied.length,
            alreadyApplied: result.alreadyApplied.slice(0, MAX_IDS_PER_RECORD),
          },
        ],
        // Dispatched: the operator's rejection has been answered.
        proposedPlan: null,
        planAttempts: 0,
        planErrors: [],
        rejectedPlan: null,
        rejectionRules: null,
      };
    } catch (e) {
      // Only a refusal of the plan is answered here; an outage goes to the node's retry policy
      // and, if it lasts, ends the run (src/persistence/node-faults.ts).
      if (!isPlanRejected(e)) throw e;
      const message = (e as Error).message;
      return {
        ...base,
        ...decided,
        executionResults: [
          {
            step: base.stepCount,
            at: world.now(),
            dispatched: [],
            dispatchedCount: 0,
            alreadyApplied: [],
            error: message,
          },
        ],
        errors: [`execution failed: ${message}`],
      };
    }
  };
}
