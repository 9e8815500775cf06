/** What the evaluation reports per case and planner (plain JSON: `npm run eval -- --json`). */
import type { Adoption } from "./adoption.js";
import type { CaseFamily } from "./cases.js";

export interface Figures {
  customerMinutes: number;
  weightedCustomerMinutes: number;
  criticalFacilityHours: number;
  /** null when the episode did not restore the network. */
  minutesToFullRestoration: number | null;
}

export type Ratios = { [K in keyof Figures]: number | null };

/** What the agent's decisions cost (state.counters), in total and per planning round. */
export interface DecisionCost {
  planningRounds: number;
  modelCalls: number;
  toolCalls: number;
  promptTokens: number;
  completionTokens: number;
  invalidPlans: number;
  fallbacks: number;
  /** The most model calls any one planning round took (target: at most 3). */
  maxModelCallsPerRound: number;
  modelCallsPerRound: number;
  tokensPerRound: number;
}

export interface PlannerRun {
  planner: string;
  status: string;
  figures: Figures;
  /** Ratio of each figure to the reference planner's (lower is better; 1 = as good). */
  ratios?: Ratios;
  planningRounds: number;
  cost?: DecisionCost;
  /** Agents only: what the planning model made of the optimizer's proposals (src/evaluation/adoption.ts). */
  adoption?: Adoption;
  wallMs: number;
  /** For the optimum: search nodes and whether it is proven; for a stored reference: how it was found. */
  note?: string;
  /** Wall time of each planning round of a rule planner, in ms (median and max). */
  roundMs?: { median: number; max: number };
}

export interface CaseResult {
  case: string;
  kind: "small" | "large";
  nodes: number;
  damaged: number;
  crews: number;
  family: CaseFamily;
  referenceKind: ReferenceKind;
  /** The planner the ratios are taken against (for best-known cases: the least wCMI of the stored reference and every planner). */
  reference: string;
  /** Set when a planner did better than the stored best-known plan, or the stored plan is missing, stale or does not re-simulate to its figure. */
  referenceNote?: string;
  runs: PlannerRun[];
}

/** What a case's planners are compared with. */
export type ReferenceKind = "optimum" | "best-known" | "best-baseline";
