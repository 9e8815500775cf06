/**
 * The graph's settings, read from `config.configurable`. Studio shows this schema as the
 * assistant's editable configuration; scripts pass the same keys.
 */
import type { Protocol } from "../prompts/assemble.js";
import { Annotation, type LangGraphRunnableConfig } from "@langchain/langgraph";
import { DEFAULT_MAX_STEPS, MAX_STEPS_CEILING, MIN_STEPS_PER_RUN } from "../limits.js";

export const ConfigurationSchema = Annotation.Root({
  /** `offline` (the built-in rule-based planner) or `openai/<model>` (OpenAI or any OpenAI-compatible server). */
  model: Annotation<string>,
  /** How the model answers: native tool calls, or the JSON action object in plain text. */
  protocol: Annotation<Protocol>,
  /** Shipped scenario name (demo, ieee123), a scenario JSON file, or a CSV folder. */
  scenario: Annotation<string>,
  /** Seed of the simulated world's random draws (storm damage); the scenario's own seed if unset. */
  seed: Annotation<number | undefined>,
  /** FSM steps one run may take, FINAL included; a run that would need more ends in FINAL with status max_steps. */
  maxSteps: Annotation<number>,
  /** How many past planning steps the prompt shows (the whole history stays in state). */
  historyWindow: Annotation<number>,
  /** Invalid plans the model may submit in one round before the optimizer's plan is used. */
  maxPlanAttempts: Annotation<number>,
  /** Model turns allowed in one planning attempt before it counts as invalid. */
  maxModelTurns: Annotation<number>,
  /** Upper bound on one request's size, in estimated tokens. */
  contextBudgetTokens: Annotation<number>,
  /** How long RESCHEDULING lets time pass, at most, before checking again (minutes). */
  recheckMinutes: Annotation<number>,
  /** Stop before EXECUTION and ask an operator to approve, reject or edit the plan. */
  requireApproval: Annotation<boolean>,
  /**
   * The deviation gate: a model plan expected to cost more than this many percent weighted
   * customer-minutes over the optimizer's plan (or to lose a critical facility it saves) goes
   * to the operator (requireApproval) or is replaced by the optimizer's plan.
   */
  deviationMarginPercent: Annotation<number>,
});

export type Configuration = typeof ConfigurationSchema.State;

export const DEFAULTS: Configuration = {
  // The offline planner unless INFRA_MODEL names another: a key in the environment is not a choice of model.
  model: process.env.INFRA_MODEL || "offline",
  protocol: "tools",
  scenario: "demo",
  seed: undefined,
  maxSteps: DEFAULT_MAX_STEPS,
  historyWindow: 5,
  maxPlanAttempts: 3,
  maxModelTurns: 6,
  contextBudgetTokens: 12_000,
  recheckMinutes: 60,
  requireApproval: false,
  deviationMarginPercent: 5,
};

export function ensureConfiguration(config?: LangGraphRunnableConfig): Configuration {
  const c = (config?.configurable ?? {}) as Partial<Configuration>;
  const pick = <K extends keyof Configuration>(k: K): Configuration[K] => (c[k] ?? DEFAULTS[k]) as Configuration[K];
  return {
    model: pick("model"),
    protocol: pick("protocol"),
    scenario: pick("scenario"),
    seed: pick("seed"),
    maxSteps: clampMaxSteps(pick("maxSteps")),
    historyWindow: pick("historyWindow"),
    maxPlanAttempts: pick("maxPlanAttempts"),
    maxModelTurns: pick("maxModelTurns"),
    contextBudgetTokens: pick("contextBudgetTokens"),
    recheckMinutes: pick("recheckMinutes"),
    requireApproval: pick("requireApproval"),
    deviationMarginPercent: pick("deviationMarginPercent"),
  };
}

/** `maxSteps` within what a run can honour: at least INIT, FAILURE_DETECTION and FINAL; at most the ceiling. */
export function clampMaxSteps(maxSteps: number): number {
  if (!Number.isFinite(maxSteps)) return MAX_STEPS_CEILING;
  return Math.min(MAX_STEPS_CEILING, Math.max(MIN_STEPS_PER_RUN, Math.floor(maxSteps)));
}

/**
 * The graph's recursion limit: above any step limit a run can be given (every step is one
 * superstep, plus slack), so a run always ends in FINAL by its routers, never by
 * GraphRecursionError, whatever `maxSteps` says.
 */
export const GRAPH_RECURSION_LIMIT = MAX_STEPS_CEILING + 5;
