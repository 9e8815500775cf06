/**
 * What the plan history keeps of a plan, however it was made (the model, the fallback, an
 * operator's decision): bounded, so the history grows by a small record a round, never by a
 * whole plan of thousands of jobs. What was sent is in the dispatch log.
 */
import { MAX_EXPECTED_JOBS_IN_STATE } from "../limits.js";
import type { ExpectedEffect } from "../planning/optimizer.js";
import type { DispatchPlan } from "../world/types.js";
import { MAX_IDS_PER_RECORD, type AgentState, type PlanRecord } from "./state.js";

export { MAX_EXPECTED_JOBS_IN_STATE } from "../limits.js";

/** An expected effect as graph state keeps it: the first jobs, and their count. */
export function boundedEffect(e: ExpectedEffect): ExpectedEffect {
  if (e.jobs.length <= MAX_EXPECTED_JOBS_IN_STATE) return e;
  return { ...e, jobs: e.jobs.slice(0, MAX_EXPECTED_JOBS_IN_STATE), jobCount: e.jobs.length };
}

export interface PlanRecordInput {
  source: PlanRecord["source"];
  plan: DispatchPlan;
  errors: string[];
  expected?:
    | (Pick<ExpectedEffect, "customerMinutes" | "weightedCustomerMinutes" | "criticalFacilitiesLost"> & {
        horizonMinutes?: number;
      })
    | null;
  operator?: PlanRecord["operator"];
  /** What the plan made of the optimizer's proposal (src/graph/proposal-choice.ts). */
  vsProposal?: PlanRecord["vsProposal"];
}

/** The record of a plan decided in the step after `state`'s: each crew's first jobs (a large plan), and the totals of its effect. */
export function recordPlan(state: Pick<AgentState, "stepCount" | "clock">, r: PlanRecordInput): PlanRecord {
  const jobs = r.plan.assignments.reduce((n, a) => n + a.assetIds.length, 0);
  const perCrew = Math.max(1, Math.floor(MAX_IDS_PER_RECORD / Math.max(1, r.plan.assignments.length)));
  const kept =
    jobs <= MAX_IDS_PER_RECORD
      ? r.plan
      : { ...r.plan, assignments: r.plan.assignments.map((a) => ({ ...a, assetIds: a.assetIds.slice(0, perCrew) })) };
  const e = r.expected;
  return {
    step: state.stepCount + 1,
    at: state.clock,
    source: r.source,
    plan: kept,
    ...(kept !== r.plan ? { jobCount: jobs } : {}),
    valid: r.errors.length === 0,
    errors: r.errors,
    // The horizon labels the figures: plans compare only over the same window.
    ...(e
      ? {
          expected: {
            customerMinutes: e.customerMinutes,
            weightedCustomerMinutes: e.weightedCustomerMinutes,
            criticalFacilitiesLost: e.criticalFacilitiesLost,
            ...(e.horizonMinutes !== undefined ? { horizonMinutes: e.horizonMinutes } : {}),
          },
        }
      : {}),
    ...(r.operator ? { operator: r.operator } : {}),
    ...(r.vsProposal ? { vsProposal: r.vsProposal } : {}),
  };
}
