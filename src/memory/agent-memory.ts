/**
 * The agent's working memory of an incident, as the graph keeps it in state and the prompts show it to the model:
 * what a detection found, the impacts, the plan and execution records. Plain data (ids, counts, figures), capped by
 * the limits in src/limits.ts; the world holds everything else. The graph (state, nodes) and the prompts both import
 * this module; it imports neither.
 */
import { MAX_FAILURE_IDS_IN_STATE, MAX_WAITING_REASONS_IN_STATE } from "../limits.js";
import type { ExpectedEffect } from "../planning/optimizer.js";
import type { UnworkableAsset } from "../world/crews.js";
import type { CrewSummary, DispatchPlan, FailedAsset, FailureSnapshot, ImpactReport } from "../world/types.js";

/** Why the graph was triggered (an operator, a metrics alert); shown in traces and the log. */
export interface IncidentTrigger {
  kind: string;
  at?: number;
  message?: string;
}

/** What a detection found, compactly: damaged assets in full, out-of-service ones as counts. */
export interface FailureMemory {
  at: number;
  /** Damaged assets, work to plan first (at most MAX_FAILURE_IDS_IN_STATE; `damagedCount` has them all). */
  damaged: Pick<FailedAsset, "id" | "network" | "type" | "cause" | "since" | "assignedCrew" | "dispatchStatus">[];
  damagedCount: number;
  /** Damaged assets with no crew that some crew can take: the work to plan (the most urgent, if capped). */
  toPlan: string[];
  toPlanCount: number;
  /** Damaged assets no crew can take now (skills, capacity). */
  waiting: string[];
  waitingCount: number;
  /** Why no crew can take the first waiting assets, when the world says (at most MAX_WAITING_REASONS_IN_STATE). */
  waitingReasons?: UnworkableAsset[];
  outOfServiceCount: number;
  outOfServiceByNetwork: Record<string, number>;
  populationOut: number;
  weightedPopulationOut: number;
  criticalFacilitiesOut: string[];
  onBackup: { node: string; dependee: string; expiresAt: number; critical: boolean }[];
}

export type ImpactMemory = Pick<
  ImpactReport,
  "asset" | "network" | "populationOut" | "weightedPopulationOut" | "populationRestoredIfRepaired" | "severity"
> & {
  criticalFacilities: string[];
  backupExpiresAt?: number;
  /** Its repair restores a critical facility running on backup: it comes first (src/planning/urgency.ts). */
  savesCriticalBackup?: boolean;
};

/** adopted: the proposal as it is; changed: the proposal with changes; ignored: a plan of its own, or no proposal asked. */
export type ProposalChoice = "adopted" | "changed" | "ignored";

export interface ProposalComparison {
  choice: ProposalChoice;
  proposalId?: string;
  /** What-if figures, plan minus proposal over the same window (negative: the plan is better); unset when not comparable. */
  weightedCustomerMinutesDelta?: number;
  customerMinutesDelta?: number;
}

export interface PlanRecord {
  step: number;
  at: number;
  source: "model" | "fallback" | "operator";
  plan: DispatchPlan;
  valid: boolean;
  errors: string[];
  /** Set when `plan` lists only each crew's first jobs (a large plan; the dispatch log has them all). */
  jobCount?: number;
  /** Expected figures from the plan's minute `at` over `horizonMinutes` (plans compare only over the same window). */
  expected?: Pick<ExpectedEffect, "customerMinutes" | "weightedCustomerMinutes" | "criticalFacilitiesLost"> & {
    horizonMinutes?: number;
  };
  /** How the plan relates to the optimizer's latest proposal of its round, judged by what-if figures. */
  vsProposal?: ProposalComparison;
  /** Set when an operator decided on the plan (requireApproval): approve, reject (with the reason), or edit. */
  operator?: { decision: "approve" | "reject" | "edit"; reason?: string };
  /** Why this plan was used instead of the planner's (a model outage, the deviation gate). */
  note?: string;
}

export interface ExecutionRecord {
  step: number;
  at: number;
  /** Dispatch ids sent (the first MAX_IDS_PER_RECORD; the dispatch log has them all). */
  dispatched: string[];
  dispatchedCount: number;
  alreadyApplied: string[];
  error?: string;
}

/** What the planning prompt is built from: the part of the graph's state it reads. */
export interface PlanningMemory {
  clock: number;
  failures: FailureMemory | null;
  impacts: ImpactMemory[];
  impactSummary: Record<string, number>;
  planHistory: PlanRecord[];
  incidentId?: string;
  trigger?: IncidentTrigger;
}

/**
 * Compact memory of a detection: damaged assets (the work to plan first, then those waiting,
 * then those with a crew; capped at MAX_FAILURE_IDS_IN_STATE, with counts), out-of-service ones
 * as counts. `urgency` (from impacts, when known) decides which ids a capped list keeps.
 */
export function rememberFailures(
  s: FailureSnapshot,
  crews: CrewSummary[],
  urgency?: (id: string) => number,
  unworkable: readonly UnworkableAsset[] = [],
): FailureMemory {
  const skills = new Set(crews.filter((c) => c.capacityLeftHours > 0).flatMap((c) => c.skills));
  // What the world says no crew can take (a shift too short for the trip and the repair) is not work to plan.
  const cannot = new Map(unworkable.map((u) => [u.asset, u.reason]));
  const workable = (d: { id: string; network: string }) => skills.has(d.network) && !cannot.has(d.id);
  const byUrgency = <T extends { id: string }>(list: T[]) =>
    urgency ? [...list].sort((a, b) => urgency(b.id) - urgency(a.id) || (a.id < b.id ? -1 : 1)) : list;
  const unassigned = s.damaged.filter((d) => !d.assignedCrew);
  const toPlan = byUrgency(unassigned.filter(workable));
  const waiting = byUrgency(unassigned.filter((d) => !workable(d)));
  const withCrew = s.damaged.filter((d) => d.assignedCrew);
  const byNetwork: Record<string, number> = {};
  for (const o of s.outOfService) byNetwork[o.network] = (byNetwork[o.network] ?? 0) + 1;
  const cap = MAX_FAILURE_IDS_IN_STATE;
  return {
    at: s.at,
    damaged: [...toPlan, ...waiting, ...withCrew]
      .slice(0, cap)
      .map(({ id, network, type, cause, since, assignedCrew, dispatchStatus }) => ({
        id,
        network,
        type,
        cause,
        since,
        ...(assignedCrew ? { assignedCrew, dispatchStatus } : {}),
      })),
    damagedCount: s.damaged.length,
    toPlan: toPlan.slice(0, cap).map((d) => d.id),
    toPlanCount: toPlan.length,
    waiting: waiting.slice(0, cap).map((d) => d.id),
    waitingCount: waiting.length,
    ...(cannot.size
      ? {
          waitingReasons: waiting
            .slice(0, MAX_WAITING_REASONS_IN_STATE)
            .filter((d) => cannot.has(d.id))
            .map((d) => ({ asset: d.id, reason: cannot.get(d.id)! })),
        }
      : {}),
    outOfServiceCount: s.outOfService.length,
    outOfServiceByNetwork: byNetwork,
    populationOut: s.populationOut,
    weightedPopulationOut: s.weightedPopulationOut,
    criticalFacilitiesOut: s.criticalFacilitiesOut,
    onBackup: s.onBackup,
  };
}
