/**
 * The deviation gate: a model cannot make things worse unseen. A valid plan from the model is
 * compared with the optimizer's plan for the same minute (both simulated ahead on a copy of
 * the world). A plan worse by more than `deviationMarginPercent` weighted customer-minutes, or
 * one that loses a critical facility the optimizer's plan saves:
 *
 *   - with operator approval on, goes to the operator, who is shown both effects side by side;
 *   - otherwise is replaced by the optimizer's plan, the reason recorded in the plan history,
 *     in `planOverrides` and in the summary.
 *
 * Validation (is the plan allowed?) happens before, in REPAIR_PLANNING; this asks whether it is
 * good enough. It wraps the planning node and changes nothing when the plan holds up.
 */
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import type { DispatchPlan } from "../world/types.js";
import type { ExpectedEffect } from "../planning/optimizer.js";
import { ensureConfiguration } from "./configuration.js";
import { worldFor, type GraphDeps } from "./runtime.js";
import type { AgentState, AgentUpdate, EffectFigures, PlanOverride, PlanRecord } from "./state.js";

export interface DeviationVerdict {
  deviates: boolean;
  /** Why the plan is held back (empty when it is not). */
  reasons: string[];
  /** Weighted customer-minutes of the model's plan over the optimizer's, in percent (positive: worse). */
  worsePercent: number;
  model: EffectFigures;
  optimizer: EffectFigures;
}

export const figuresOf = (
  e: Pick<ExpectedEffect, "horizonMinutes" | "customerMinutes" | "weightedCustomerMinutes" | "criticalFacilitiesLost">,
): EffectFigures => ({
  horizonMinutes: e.horizonMinutes,
  customerMinutes: e.customerMinutes,
  weightedCustomerMinutes: e.weightedCustomerMinutes,
  criticalFacilitiesLost: [...e.criticalFacilitiesLost],
});

/** Compare two expected effects. Pure. */
export function judgeDeviation(
  model: EffectFigures,
  optimizer: EffectFigures,
  marginPercent: number,
): DeviationVerdict {
  const base = Math.max(optimizer.weightedCustomerMinutes, 1);
  const worsePercent =
    Math.round(((model.weightedCustomerMinutes - optimizer.weightedCustomerMinutes) / base) * 1000) / 10;
  const reasons: string[] = [];
  if (worsePercent > marginPercent) {
    reasons.push(
      `${worsePercent}% more weighted customer-minutes than the optimizer's plan (${Math.round(model.weightedCustomerMinutes).toLocaleString("en-US")} against ${Math.round(optimizer.weightedCustomerMinutes).toLocaleString("en-US")}; margin ${marginPercent}%)`,
    );
  }
  const saved = new Set(optimizer.criticalFacilitiesLost);
  const lost = model.criticalFacilitiesLost.filter((f) => !saved.has(f));
  if (lost.length)
    reasons.push(
      `loses critical facilit${lost.length > 1 ? "ies" : "y"} ${lost.join(", ")} that the optimizer's plan saves`,
    );
  return { deviates: reasons.length > 0, reasons, worsePercent, model, optimizer };
}

type Node = (state: AgentState, config: LangGraphRunnableConfig) => Promise<AgentUpdate>;

/** Wrap REPAIR_PLANNING: a model plan that passed validation is judged against the optimizer's. */
export function withDeviationGate(node: Node, deps: GraphDeps): Node {
  return async function REPAIR_PLANNING(state, config) {
    const update = await node(state, config);
    // Read as plain values: the planning node never writes Overwrite markers.
    const u = update as Partial<AgentState>;
    const plan = u.proposedPlan;
    if (!plan || u.planSource !== "model" || (u.planErrors?.length ?? 0) > 0 || u.fatalError)
      return plan ? { ...update, planComparison: null } : update;
    const cfg = ensureConfiguration(config);
    const world = worldFor(deps, state, config);
    const modelEffect = u.expectedEffect ?? world.expectPlan?.(plan) ?? null;
    if (!modelEffect) return update;
    // Like for like: the optimizer's plan for the same assets judges the model's customer-minutes
    // (a model may plan part of the work now and the rest next round); the optimizer's plan for
    // all the work judges critical facilities (leaving the hospital's feeder out is a deviation).
    const f = state.failures;
    const all = f && f.toPlan.length === f.toPlanCount ? f.toPlan : undefined;
    const planned = [...new Set(plan.assignments.flatMap((a) => a.assetIds))];
    const workLeft = all
      ? all.filter((a) => !planned.includes(a)).length
      : Math.max(0, (f?.toPlanCount ?? 0) - planned.length);
    // A plan that is a recent proposal of the optimizer's needs no second optimizer run (large incidents adopt one whole).
    const adopted = world.recentProposalFor?.(plan);
    if (adopted && workLeft === 0)
      return {
        ...update,
        planComparison: {
          optimizerEffect: figuresOf(adopted.expected),
          optimizerPlan: boundedPlan(adopted.plan),
          verdict: [],
        },
      };
    // The optimizer's side obeys the operator's decisions too (pins; not the rejected plan again).
    const decided = {
      ...(state.operatorPins?.length ? { pinned: state.operatorPins } : {}),
      ...(state.rejectedPlan ? { avoid: state.rejectedPlan.assignments } : {}),
      ...(state.rejectionRules?.excludeCrews.length ? { excludeCrews: state.rejectionRules.excludeCrews } : {}),
      ...(state.rejectionRules?.first.length ? { first: state.rejectionRules.first } : {}),
    };
    const same = adopted ?? world.proposeDispatchPlan(planned, decided);
    const proposal = workLeft > 0 ? world.proposeDispatchPlan(all, decided) : same;
    const verdict = judgeDeviation(
      figuresOf(modelEffect),
      {
        ...figuresOf(same.expected),
        criticalFacilitiesLost: proposal.expected.criticalFacilitiesLost.filter((x) =>
          same.expected.criticalFacilitiesLost.includes(x),
        ),
      },
      cfg.deviationMarginPercent,
    );
    const comparison = {
      optimizerEffect: verdict.optimizer,
      optimizerPlan: boundedPlan(proposal.plan),
      verdict: verdict.deviates ? verdict.reasons : [],
    };
    if (!verdict.deviates) return { ...update, planComparison: comparison };
    const reason = `deviation gate: the model's plan ${verdict.reasons.join("; and ")}`;
    if (cfg.requireApproval) {
      // The operator decides, with both effects in front of them (src/graph/approval.ts).
      return {
        ...update,
        planComparison: comparison,
        errors: [...(u.errors ?? []), `${reason}: sent to the operator`],
      };
    }
    const validation = await world.system.validatePlan(proposal.plan);
    if (validation.errors.length) {
      return {
        ...update,
        planComparison: comparison,
        errors: [
          ...(u.errors ?? []),
          `${reason}; the optimizer's plan is refused too (${validation.errors.join("; ")}): the model's plan stands`,
        ],
      };
    }
    const replacement: DispatchPlan = {
      ...proposal.plan,
      reasoning: clip(`Replaced by the deviation gate: ${reason}. ${proposal.plan.reasoning ?? ""}`),
    };
    const record: PlanRecord = {
      step: state.stepCount + 1,
      at: state.clock,
      source: "fallback",
      plan: boundedPlan(replacement),
      valid: true,
      errors: [],
      expected: {
        customerMinutes: proposal.expected.customerMinutes,
        weightedCustomerMinutes: proposal.expected.weightedCustomerMinutes,
        criticalFacilitiesLost: proposal.expected.criticalFacilitiesLost,
      },
      note: reason,
    };
    const override: PlanOverride = { step: state.stepCount + 1, at: state.clock, kind: "deviation", reason };
    return {
      ...update,
      proposedPlan: replacement,
      planSource: "fallback",
      expectedEffect: bounded(proposal.expected),
      planHistory: [...(u.planHistory ?? []), record],
      planOverrides: [override],
      counters: {
        ...(update.counters ?? {}),
        fallbacks: ((update.counters as { fallbacks?: number } | undefined)?.fallbacks ?? 0) + 1,
      },
      planComparison: comparison,
      errors: [...(u.errors ?? []), reason],
    };
  };
}

const MAX_JOBS_KEPT = 100;
const MAX_PLAN_IDS_KEPT = 200;
function bounded(e: ExpectedEffect): ExpectedEffect {
  return e.jobs.length <= MAX_JOBS_KEPT ? e : { ...e, jobs: e.jobs.slice(0, MAX_JOBS_KEPT), jobCount: e.jobs.length };
}
/** Large plans are kept as each crew's first jobs in state (the full plan is dispatched from proposedPlan). */
function boundedPlan(plan: DispatchPlan): DispatchPlan {
  const jobs = plan.assignments.reduce((n, a) => n + a.assetIds.length, 0);
  if (jobs <= MAX_PLAN_IDS_KEPT) return plan;
  const perCrew = Math.max(1, Math.floor(MAX_PLAN_IDS_KEPT / Math.max(1, plan.assignments.length)));
  return { ...plan, assignments: plan.assignments.map((a) => ({ ...a, assetIds: a.assetIds.slice(0, perCrew) })) };
}
function clip(text: string): string {
  return text.length <= 4000 ? text : `${text.slice(0, 3980).trimEnd()} ... (shortened)`;
}
