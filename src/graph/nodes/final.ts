/** FINAL: why the run ended, and the incident's figures so far. */
import type { RunOutcome } from "../../memory/outcomes.js";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { stoppedAtStepLimit } from "../routes.js";
import { worldFor, type GraphDeps } from "../runtime.js";
import type { AgentState, AgentUpdate } from "../state.js";

export function finalStatus(state: AgentState): { status: RunOutcome; reason: string } {
  const f = state.failures;
  if (state.fatalError) return { status: "error", reason: state.fatalError };
  if (stoppedAtStepLimit(state, state.statesVisited.at(-1))) {
    return {
      status: "max_steps",
      reason: `stopped with work left after ${state.stepCount + 1} steps, FINAL included (limit ${state.maxSteps})`,
    };
  }
  if (state.planSource === "fallback" && state.planErrors.length)
    return { status: "error", reason: `no valid plan, not even the optimizer's: ${state.planErrors.join("; ")}` };
  if (!f || (f.damagedCount === 0 && f.outOfServiceCount === 0))
    return { status: "healthy", reason: "no failures: the network is healthy" };
  if (f.toPlanCount === 0 && f.waitingReasons?.length) {
    // Not a planner's error: no crew can take the work (skills, or a shift too short for the trip and the repair).
    const named = f.waitingReasons
      .slice(0, 5)
      .map((w) => `${w.asset} (${w.reason})`)
      .join("; ");
    const more = f.waitingCount - Math.min(5, f.waitingReasons.length);
    return {
      status: "no_crew_can_work",
      reason: `${f.waitingCount} damaged asset(s) no crew can take: ${named}${more > 0 ? `; and ${more} more` : ""}`,
    };
  }
  if (f.toPlanCount === 0 && f.waitingCount > 0)
    return {
      status: "waiting",
      reason: `${f.waitingCount} damaged asset(s) wait for a crew that can take them: ${f.waiting.slice(0, 10).join(", ")}`,
    };
  return {
    status: "stable",
    reason: `every damaged asset that can be worked has a crew (${f.damagedCount} damaged, ${f.outOfServiceCount} out of service)`,
  };
}

export function makeFinalNode(deps: GraphDeps) {
  return async function FINAL(state: AgentState, config: LangGraphRunnableConfig): Promise<AgentUpdate> {
    const { status, reason } = finalStatus(state);
    let figures: Record<string, unknown> | null = null;
    try {
      const { restorationCurve: _curve, ...m } = worldFor(deps, state, config).metrics();
      figures = m;
    } catch {
      figures = null;
    }
    return { stepCount: state.stepCount + 1, statesVisited: ["FINAL"], status, finalReason: reason, figures };
  };
}
