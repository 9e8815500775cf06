/**
 * The agent's working memory, as graph state. The world is not here: only ids, figures, the
 * plan history and the dispatch log, from which the simulated world is rebuilt
 * (src/graph/world-provider.ts). That keeps checkpoints small and lets a resumed or
 * server-side run find its world.
 */
import type { RejectionRules } from "../planning/rejection-rules.js";
import type { RunStatus } from "../memory/outcomes.js";
import { DEFAULT_MAX_STEPS } from "../limits.js";
import { Annotation, messagesStateReducer } from "@langchain/langgraph";
import type { BaseMessage } from "@langchain/core/messages";
import type { CrewAssignment, DispatchLogEntry, DispatchPlan } from "../world/types.js";
import { MAX_OPERATOR_DECISIONS_IN_STATE } from "../limits.js";
import { appendToBatches, expandDispatchLog, type DispatchBatch } from "../world/dispatch-log.js";
import type { ExpectedEffect } from "../planning/optimizer.js";
import type {
  ExecutionRecord,
  FailureMemory,
  ImpactMemory,
  IncidentTrigger,
  PlanRecord,
} from "../memory/agent-memory.js";

export const FSM_STATES = [
  "INIT",
  "FAILURE_DETECTION",
  "IMPACT_ANALYSIS",
  "REPAIR_PLANNING",
  "EXECUTION",
  "RESCHEDULING",
  "FINAL",
] as const;
export type FsmState = (typeof FSM_STATES)[number];

// The memory types live where the prompts can read them too (src/memory); re-exported for the graph's callers.
export type {
  ExecutionRecord,
  FailureMemory,
  ImpactMemory,
  IncidentTrigger,
  PlanRecord,
  ProposalChoice,
  ProposalComparison,
} from "../memory/agent-memory.js";
export { MAX_FAILURE_IDS_IN_STATE, MAX_IDS_PER_RECORD } from "../limits.js";

/** The figures of an expected effect, as they are compared and shown. */
export type EffectFigures = Pick<
  ExpectedEffect,
  "horizonMinutes" | "customerMinutes" | "weightedCustomerMinutes" | "criticalFacilitiesLost"
>;

/** The optimizer's plan took the place of the planner's: when, and why. */
export interface PlanOverride {
  step: number;
  at: number;
  kind: "model_outage" | "deviation" | "invalid_plans";
  reason: string;
}

/** The optimizer's plan for the same minute, next to the model's (the deviation gate). */
export interface PlanComparison {
  optimizerEffect: EffectFigures;
  optimizerPlan: DispatchPlan;
  /** Why the model's plan deviates (empty: within the margin). */
  verdict: string[];
}

/** An operator's decision, or a pin the world made impossible: shown in the summary and --json. */
export interface OperatorDecisionRecord {
  step: number;
  /** The world's clock, in minutes. */
  at: number;
  decision: "approve" | "reject" | "edit" | "release" | "pin_dropped";
  reason?: string;
  /** The crews it concerns (an edit's, a release's; none: all). */
  crewIds?: string[];
  note?: string;
}

export interface RunCounters {
  modelCalls: number;
  toolCalls: number;
  invalidPlans: number;
  fallbacks: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  planningRounds: number;
}

export const ZERO_COUNTERS: RunCounters = {
  modelCalls: 0,
  toolCalls: 0,
  invalidPlans: 0,
  fallbacks: 0,
  promptTokens: 0,
  completionTokens: 0,
  totalTokens: 0,
  planningRounds: 0,
};

const replace = <T>(fallback: () => T) => Annotation<T>({ reducer: (_a: T, b: T) => b, default: fallback });
const addCounters = (a: RunCounters, b: Partial<RunCounters>): RunCounters => {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k as keyof RunCounters] += v ?? 0;
  return out;
};

/** What a caller may send: all optional, so an empty input runs the configured scenario. */
export const InputAnnotation = Annotation.Root({
  /** Why the graph was triggered (an operator, a metrics alert); shown in traces and the log. */
  trigger: Annotation<IncidentTrigger | undefined>,
  /** Incident id; defaults to the thread id. */
  incidentId: Annotation<string | undefined>,
});

export const StateAnnotation = Annotation.Root({
  ...InputAnnotation.spec,
  // --- the incident (kept across runs on the same thread)
  scenario: replace<string>(() => ""),
  // null, not undefined, when unset: a reducer channel holding undefined is left out of the
  // checkpoint, and LangGraph then rebuilds it on every load by walking all the thread's
  // earlier checkpoints (quadratic in the incident's length).
  seed: replace<number | null>(() => null),
  /** The world's clock, in minutes since the incident's minute 0. */
  clock: replace<number>(() => 0),
  /** Every dispatch sent, in order: the world is rebuilt from it. Appended, never rewritten. */
  // Kept batched (src/world/dispatch-log.ts): nodes write entries, expandDispatchLog reads them back.
  dispatchLog: Annotation<DispatchBatch[], DispatchLogEntry[]>({
    reducer: (a, b) => {
      if (b.length === 0) return a;
      const seen = new Set(expandDispatchLog(a).map((e) => e.dispatchId));
      return appendToBatches(
        a,
        b.filter((e) => !seen.has(e.dispatchId)),
      );
    },
    default: () => [],
  }),
  /** The whole plan history of the incident; the prompt sees a window of it. */
  planHistory: Annotation<PlanRecord[]>({ reducer: (a, b) => [...a, ...b], default: () => [] }),
  counters: Annotation<RunCounters, Partial<RunCounters>>({
    reducer: addCounters,
    default: () => ({ ...ZERO_COUNTERS }),
  }),
  /** Every time the optimizer's plan replaced the planner's, with the reason (shown in the summary and --json). */
  planOverrides: Annotation<PlanOverride[]>({ reducer: (a, b) => [...a, ...b], default: () => [] }),
  /** Work an operator's accepted edit pinned to crews: every later proposal keeps it (src/planning/constraints.ts). */
  operatorPins: replace<CrewAssignment[]>(() => []),
  /** The last plan an operator rejected (bounded like a plan record): the next proposal must differ. Cleared by a dispatch. */
  rejectedPlan: replace<DispatchPlan | null>(() => null),
  /** What the operator's rejection reason says the next plan must do ("not crew C", "A first"; src/planning/rejection-rules.ts). Cleared by a dispatch. */
  rejectionRules: replace<RejectionRules | null>(() => null),
  /** Operator decisions, the last MAX_OPERATOR_DECISIONS_IN_STATE; `operatorDecisionCount` counts them all. */
  operatorDecisions: Annotation<OperatorDecisionRecord[]>({
    reducer: (a, b) => [...a, ...b].slice(-MAX_OPERATOR_DECISIONS_IN_STATE),
    default: () => [],
  }),
  operatorDecisionCount: Annotation<number>({ reducer: (a, b) => a + b, default: () => 0 }),
  // --- working memory of one run (reset by INIT)
  stepCount: replace<number>(() => 0),
  maxSteps: replace<number>(() => DEFAULT_MAX_STEPS),
  /** The FSM states this run went through, in order (INIT starts a new list). */
  statesVisited: Annotation<FsmState[]>({
    reducer: (a, b) => (b[0] === "INIT" ? [...b] : [...a, ...b]),
    default: () => [],
  }),
  failures: replace<FailureMemory | null>(() => null),
  impacts: replace<ImpactMemory[]>(() => []),
  impactSummary: replace<Record<string, number>>(() => ({})),
  messages: Annotation<BaseMessage[]>({ reducer: messagesStateReducer, default: () => [] }),
  /** The plan the model (or the fallback) proposed in the current round, and whether it holds. */
  proposedPlan: replace<DispatchPlan | null>(() => null),
  planSource: replace<PlanRecord["source"] | null>(() => null),
  planErrors: replace<string[]>(() => []),
  planAttempts: replace<number>(() => 0),
  expectedEffect: replace<ExpectedEffect | null>(() => null),
  /** The optimizer's plan and effect for the same minute, when the model proposed (the deviation gate). */
  planComparison: replace<PlanComparison | null>(() => null),
  executionResults: Annotation<ExecutionRecord[]>({
    reducer: (a, b) => (b.length === 0 ? [] : [...a, ...b]),
    default: () => [],
  }),
  /** Failures that appeared while time passed in RESCHEDULING (ids, capped). */
  newFailures: replace<string[]>(() => []),
  newFailureCount: replace<number>(() => 0),
  /** Damaged assets with no crew that a crew could now take, after time passed. */
  pendingWork: replace<number>(() => 0),
  errors: Annotation<string[]>({ reducer: (a, b) => (b.length === 0 ? [] : [...a, ...b]), default: () => [] }),
  /** A fault that ends the run (model unreachable, a tool that keeps failing). */
  fatalError: replace<string | null>(() => null),
  /** The operator's reason for rejecting the last plan: REPAIR_PLANNING tells the model, then clears it. */
  operatorRejection: replace<string | null>(() => null),
  status: replace<RunStatus>(() => "running"),
  finalReason: replace<string | null>(() => null),
  figures: replace<Record<string, unknown> | null>(() => null),
});

export type AgentState = typeof StateAnnotation.State;
export type AgentUpdate = typeof StateAnnotation.Update;
