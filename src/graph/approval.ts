/**
 * Operator approval (human in the loop). With `requireApproval` on, EXECUTION first asks an
 * operator about the plan through LangGraph's `interrupt()`, and the run waits (in its
 * checkpoint) until it is resumed with one of:
 *
 *   { decision: "approve" }
 *   { decision: "reject", reason: string }
 *   { decision: "edit", plan: { assignments: [{ crew_id, asset_ids }], reasoning? } }
 *   { decision: "release", crew_ids?: string[] }
 *
 * A decision stands: an accepted edit pins its crews' work (every later proposal keeps it,
 * and a plan that moves it is refused) until an operator releases it or the world makes it
 * impossible (src/graph/operator-pins.ts); a rejected plan is not proposed again; a release
 * drops pins (of the crews given, or all) and sends the work back to planning without them.
 * An edit may move queued work: the operator means it, so it carries `reassign`.
 *   { decision: "preview", plan: { ... } }   (nothing applied: the question comes back with the
 *                                            plan's expected effect against the optimizer's proposal)
 *
 * `interrupt()` re-runs the node from its start on resume, so everything here before (and
 * between) the questions is free of side effects: building the request, parsing the answer,
 * validating an edit. The dispatch happens after, in EXECUTION. An answer that does not fit,
 * or an edited plan the world refuses, is not applied: the question is asked again, with
 * the reasons.
 */
import { MAX_REASONING_CHARS } from "../limits.js";
import { interrupt } from "@langchain/langgraph";
import { z } from "zod";
import { AssignRepairCrewArgs } from "../tools/schemas.js";
import { toDispatchPlan } from "../tools/system-tools.js";
import type { DispatchPlan } from "../world/types.js";
import type { ExpectedEffect } from "../planning/optimizer.js";
import type { WhatIf } from "../planning/what-if.js";
import type { AgentState, AgentUpdate, EffectFigures, OperatorDecisionRecord, PlanRecord } from "./state.js";
import { pinsAfterEdit, pinsAfterRelease } from "./operator-pins.js";
import type { IncidentWorld } from "../planning/incident-world.js";
import { parseRejection } from "../planning/rejection-rules.js";
import { boundedEffect, recordPlan } from "./plan-record.js";

/** A plan as the operator writes it: the shape of assign_repair_crew's arguments, reasoning optional. */
export const OperatorPlanSchema = AssignRepairCrewArgs.omit({ proposal_id: true }).extend({
  assignments: AssignRepairCrewArgs.shape.assignments.unwrap(),
  reasoning: z.string().max(MAX_REASONING_CHARS).optional(),
});

/** The resume value of an approval interrupt. */
export const OperatorDecisionSchema = z.discriminatedUnion("decision", [
  z.object({ decision: z.literal("approve") }),
  z.object({
    decision: z.literal("reject"),
    reason: z.string().trim().min(1, "give a reason: the planner is told it"),
  }),
  z.object({ decision: z.literal("edit"), plan: OperatorPlanSchema }),
  z.object({ decision: z.literal("release"), crew_ids: z.array(z.string().min(1)).max(500).optional() }),
  z.object({ decision: z.literal("preview"), plan: OperatorPlanSchema }),
]);
export type OperatorDecision = z.infer<typeof OperatorDecisionSchema>;
export type OperatorPlan = z.infer<typeof OperatorPlanSchema>;

/** What the operator is shown: the interrupt's value (plain JSON, for Studio, the SDK and the CLI). */
export interface ApprovalRequest {
  kind: "approve_dispatch_plan";
  incidentId: string | undefined;
  /** The world's clock, in minutes. */
  at: number;
  /** Who proposed the plan: the planning model, or the optimizer's fallback. */
  source: PlanRecord["source"] | null;
  /** The plan, in the shape an edit takes: each crew's assets in the order it repairs them. */
  plan: OperatorPlan;
  /** The proposer's reasoning. */
  reasoning: string | null;
  /** What the plan is expected to do, simulated ahead, and each job's arrival and completion. */
  expectedEffect: Pick<
    ExpectedEffect,
    "horizonMinutes" | "customerMinutes" | "weightedCustomerMinutes" | "criticalFacilitiesLost" | "jobs"
  > | null;
  /**
   * The optimizer's plan for the same minute and its expected effect, side by side with the
   * model's (set when the model proposed); `deviation` says why the deviation gate sent the
   * model's plan here (empty: within the margin). Edit with the optimizer's plan to use it.
   */
  optimizer?: { plan: OperatorPlan; expectedEffect: EffectFigures; deviation: string[] };
  /** Set when the previous answer was not applied: why, and the edited plan that was refused. */
  refused?: { answer: unknown; errors: string[] };
  /** Work earlier accepted edits pinned (each crew's assets, in order): released with `release`. */
  pinned?: OperatorPlan["assignments"];
  /** Set after a "preview" answer: that plan's what-if (src/planning/what-if.ts), against the optimizer's latest proposal. */
  preview?: { plan: OperatorPlan; whatIf: WhatIf & { proposalId?: string } };
  /** How to answer (the resume value). */
  answers: string[];
}

export const ANSWER_SHAPES = [
  `{"decision": "approve"}`,
  `{"decision": "reject", "reason": "<why; the planner is told>"}`,
  `{"decision": "edit", "plan": {"assignments": [{"crew_id": "C1", "asset_ids": ["A", "B"]}], "reasoning": "<optional>"}}  (pins that work until released)`,
  `{"decision": "release", "crew_ids": ["C1"]}  (drops earlier edits' pins: of these crews, or all without crew_ids; then re-plans)`,
  `{"decision": "preview", "plan": {"assignments": [...]}} (see an edited plan's expected effect first; nothing is sent)`,
];

/** How the approval ended: the plan to dispatch, or a rejection; plus what goes into state. */
export type ApprovalOutcome =
  | { approved: true; plan: DispatchPlan; update: AgentUpdate }
  | { approved: false; update: AgentUpdate };

/** Ask a question and get the operator's answer; `interrupt` in the graph, a stub in tests. */
export type AskOperator = (request: ApprovalRequest) => unknown;

export function toOperatorPlan(plan: DispatchPlan): OperatorPlan {
  return {
    assignments: plan.assignments.map((a) => ({ crew_id: a.crewId, asset_ids: [...a.assetIds] })),
    ...(plan.reasoning ? { reasoning: plan.reasoning } : {}),
    ...(plan.reassign ? { reassign: true } : {}),
  };
}

export function approvalRequest(
  state: AgentState,
  plan: DispatchPlan,
  refused?: ApprovalRequest["refused"],
  preview?: ApprovalRequest["preview"],
): ApprovalRequest {
  const e = state.expectedEffect;
  return {
    kind: "approve_dispatch_plan",
    incidentId: state.incidentId,
    at: state.clock,
    source: state.planSource,
    plan: toOperatorPlan(plan),
    reasoning: plan.reasoning ?? null,
    expectedEffect: e
      ? {
          horizonMinutes: e.horizonMinutes,
          customerMinutes: e.customerMinutes,
          weightedCustomerMinutes: e.weightedCustomerMinutes,
          criticalFacilitiesLost: e.criticalFacilitiesLost,
          jobs: e.jobs,
        }
      : null,
    ...(state.planComparison && state.planSource === "model"
      ? {
          optimizer: {
            plan: toOperatorPlan(state.planComparison.optimizerPlan),
            expectedEffect: state.planComparison.optimizerEffect,
            deviation: state.planComparison.verdict,
          },
        }
      : {}),
    ...(refused ? { refused } : {}),
    ...(state.operatorPins?.length
      ? { pinned: state.operatorPins.map((a) => ({ crew_id: a.crewId, asset_ids: [...a.assetIds] })) }
      : {}),
    ...(preview ? { preview } : {}),
    answers: ANSWER_SHAPES,
  };
}

/**
 * Ask the operator about the proposed plan until the answer can be applied. Nothing here
 * changes the world: the caller dispatches an approved plan.
 */
export async function seekApproval(
  state: AgentState,
  world: IncidentWorld,
  ask: AskOperator = interrupt,
): Promise<ApprovalOutcome> {
  const proposed = state.proposedPlan!;
  const records: PlanRecord[] = [];
  // Bounded like every plan record: an approved plan of thousands of jobs adds a small record.
  const record = (
    source: PlanRecord["source"],
    plan: DispatchPlan,
    errors: string[],
    operator: NonNullable<PlanRecord["operator"]>,
    expected?: ExpectedEffect | null,
  ): PlanRecord => recordPlan(state, { source, plan, errors, operator, expected });
  let refused: ApprovalRequest["refused"];
  let preview: ApprovalRequest["preview"];
  for (;;) {
    const answer = ask(approvalRequest(state, proposed, refused, preview));
    preview = undefined;
    const parsed = OperatorDecisionSchema.safeParse(answer);
    if (!parsed.success) {
      refused = { answer, errors: parsed.error.issues.map((i) => `${i.path.join(".") || "answer"}: ${i.message}`) };
      continue;
    }
    const decision = parsed.data;
    const source = state.planSource ?? "model";
    const decided = (
      d: Omit<OperatorDecisionRecord, "step" | "at">,
    ): Pick<AgentUpdate, "operatorDecisions" | "operatorDecisionCount"> => ({
      operatorDecisions: [{ step: state.stepCount + 1, at: state.clock, ...d }],
      operatorDecisionCount: 1,
    });
    const replan = {
      proposedPlan: null,
      planSource: null,
      planErrors: [],
      planAttempts: 0,
      expectedEffect: null,
    } satisfies AgentUpdate;
    if (decision.decision === "preview") {
      // A what-if on a copy of the world: nothing is applied, the question comes back with it.
      const whatIf = world.simulatePlan?.(
        toDispatchPlan({ ...decision.plan, reasoning: decision.plan.reasoning ?? "" }),
      );
      if (whatIf) preview = { plan: decision.plan, whatIf };
      else refused = { answer, errors: ["this world cannot simulate plans"] };
      continue;
    }
    if (decision.decision === "approve") {
      records.push(record(source, proposed, [], { decision: "approve" }, state.expectedEffect));
      return { approved: true, plan: proposed, update: { planHistory: records, ...decided({ decision: "approve" }) } };
    }
    if (decision.decision === "reject") {
      const reason = decision.reason.trim();
      const rules = parseRejection(reason, knownNames(world, proposed));
      const rejected = record(
        source,
        proposed,
        [`rejected by the operator: ${reason}`],
        { decision: "reject", reason },
        state.expectedEffect,
      );
      records.push(rejected);
      // Not an invalid plan: the planner gets a fresh set of attempts, so a rejection never
      // pushes it into the optimizer's fallback. The plan (bounded) is kept: the next must differ.
      return {
        approved: false,
        update: {
          planHistory: records,
          operatorRejection: reason,
          errors: [`plan rejected by the operator: ${reason}`],
          rejectedPlan: { assignments: rejected.plan.assignments },
          rejectionRules: rules.understood.length || rules.cannot.length ? rules : null,
          ...replan,
          ...decided({ decision: "reject", reason }),
        },
      };
    }
    if (decision.decision === "release") {
      const crews = decision.crew_ids?.length ? decision.crew_ids : undefined;
      const reason = `the operator released the pinned work of ${crews ? `crew(s) ${crews.join(", ")}` : "every crew"}: plan again, that work may now be re-planned`;
      return {
        approved: false,
        update: {
          operatorRejection: reason,
          operatorPins: pinsAfterRelease(state.operatorPins ?? [], crews),
          ...replan,
          ...decided({ decision: "release", ...(crews ? { crewIds: crews } : {}) }),
        },
      };
    }
    // The operator means to move queued work when the edit does: it carries reassign.
    const plan = toDispatchPlan({
      ...decision.plan,
      reassign: true,
      reasoning: decision.plan.reasoning ?? "Edited by the operator.",
    });
    const errors = (await world.system.validatePlan(plan)).errors;
    if (errors.length) {
      // The same refused answer twice in a row is recorded once: resuming a waiting run from
      // its checkpoint without a new answer (another process, null input) replays the last one.
      if (JSON.stringify(refused?.answer) !== JSON.stringify(answer))
        records.push(record("operator", plan, errors, { decision: "edit" }));
      refused = { answer, errors };
      continue;
    }
    const expected = world.expectPlan?.(plan) ?? null;
    records.push(record("operator", plan, [], { decision: "edit" }, expected));
    return {
      approved: true,
      plan,
      update: {
        planHistory: records,
        proposedPlan: plan,
        planSource: "operator",
        expectedEffect: expected ? boundedEffect(expected) : null,
        operatorPins: pinsAfterEdit(state.operatorPins ?? [], plan.assignments),
        ...decided({
          decision: "edit",
          crewIds: plan.assignments.map((a) => a.crewId),
          ...(decision.plan.reasoning ? { reason: decision.plan.reasoning } : {}),
        }),
      },
    };
  }
}

/** The crews and assets a rejection's reason may name: the world's, else those the plan and the dispatches name. */
function knownNames(world: IncidentWorld, plan: DispatchPlan): Parameters<typeof parseRejection>[1] {
  const sim = world.simulator;
  if (sim) {
    const crews = sim.crewSummaries();
    return {
      crews: crews.map((c) => c.id),
      assets: sim.net.assetIds,
      canTake: (crewId, assetId) =>
        crews.find((c) => c.id === crewId)?.skills.includes(sim.net.networkOf(sim.net.index(assetId)!)) ?? false,
    };
  }
  const d = world.dispatches();
  return {
    crews: [...plan.assignments.map((a) => a.crewId), ...d.map((r) => r.crewId)],
    assets: [...plan.assignments.flatMap((a) => a.assetIds), ...d.map((r) => r.assetId)],
  };
}

/** After EXECUTION: a rejected plan goes back to planning; otherwise time passes. Decided by code. */
export function afterExecution(s: Pick<AgentState, "operatorRejection">): "REPAIR_PLANNING" | "RESCHEDULING" {
  return s.operatorRejection ? "REPAIR_PLANNING" : "RESCHEDULING";
}

export const AFTER_EXECUTION_LABELS = { RESCHEDULING: "Dispatched", REPAIR_PLANNING: "Rejected by operator" } as const;
