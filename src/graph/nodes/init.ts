/** INIT: reset the working memory of a run; the incident (dispatch log, plan history, clock) carries over. */
import { RemoveMessage } from "@langchain/core/messages";
import { REMOVE_ALL_MESSAGES, type LangGraphRunnableConfig } from "@langchain/langgraph";
import { ensureConfiguration } from "../configuration.js";
import { worldFor, type GraphDeps } from "../runtime.js";
import type { AgentState, AgentUpdate } from "../state.js";

export function makeInitNode(deps: GraphDeps) {
  return async function INIT(state: AgentState, config: LangGraphRunnableConfig): Promise<AgentUpdate> {
    const cfg = ensureConfiguration(config);
    // The first run of an incident fixes its scenario and seed; later runs keep them.
    const scenario = state.scenario || cfg.scenario;
    const seed = (state.scenario ? state.seed : cfg.seed) ?? null;
    const incidentId =
      state.incidentId ?? (config.configurable?.thread_id as string | undefined) ?? `incident-${scenario}`;
    const clock = Math.max(state.clock, state.trigger?.at ?? 0);
    const reset: AgentUpdate = {
      incidentId,
      scenario,
      seed,
      stepCount: 1,
      maxSteps: cfg.maxSteps,
      statesVisited: ["INIT"],
      failures: null,
      impacts: [],
      impactSummary: {},
      proposedPlan: null,
      planSource: null,
      planErrors: [],
      planAttempts: 0,
      expectedEffect: null,
      executionResults: [],
      newFailures: [],
      newFailureCount: 0,
      pendingWork: 0,
      errors: [],
      fatalError: null,
      status: "running",
      finalReason: null,
      figures: null,
      operatorRejection: null,
      messages: state.messages.length ? [new RemoveMessage({ id: REMOVE_ALL_MESSAGES })] : [],
    };
    try {
      const world = worldFor(deps, { ...state, scenario, seed, incidentId, clock } as AgentState, config);
      return { ...reset, clock: world.now() };
    } catch (e) {
      return { ...reset, clock, fatalError: `cannot load the world: ${(e as Error).message}` };
    }
  };
}
