/**
 * What every node needs besides state: the world provider and the model. Passed in when the
 * graph is built, so tests and scripts can hand in their own.
 */
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { createChatModel } from "../models/index.js";
import type { Configuration } from "./configuration.js";
import type { AgentState } from "./state.js";
import type { IncidentWorld, WorldProvider } from "../planning/incident-world.js";
import { defaultWorldProvider } from "./world-provider.js";
import type { DispatchSender } from "../persistence/fencing.js";

export interface GraphDeps {
  worlds: WorldProvider;
  /** A model instance, or a factory from the configuration (default: by the `model` setting). */
  model?: BaseChatModel | ((config: Configuration) => BaseChatModel);
  /**
   * How EXECUTION's dispatches leave the process: the incident lease's `dispatch` (fenced by the
   * lease, once per id through its outbox). Without one they are sent as they are.
   */
  sendDispatches?: DispatchSender;
}

export function resolveDeps(deps: Partial<GraphDeps> = {}): GraphDeps {
  return {
    worlds: deps.worlds ?? defaultWorldProvider,
    ...(deps.model ? { model: deps.model } : {}),
    ...(deps.sendDispatches ? { sendDispatches: deps.sendDispatches } : {}),
  };
}

export function threadIdOf(state: Pick<AgentState, "incidentId">, config?: LangGraphRunnableConfig): string {
  return (config?.configurable?.thread_id as string | undefined) ?? state.incidentId ?? "default";
}

export function worldFor(deps: GraphDeps, state: AgentState, config?: LangGraphRunnableConfig): IncidentWorld {
  return deps.worlds.get({
    threadId: threadIdOf(state, config),
    scenario: state.scenario,
    seed: state.seed,
    dispatchLog: state.dispatchLog,
    clock: state.clock,
  });
}

export function modelFor(deps: GraphDeps, config: Configuration): BaseChatModel {
  if (!deps.model) return createChatModel(config.model);
  return typeof deps.model === "function" ? deps.model(config) : deps.model;
}
