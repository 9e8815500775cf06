/** What an FSM step's update shows in the event stream: figures and outcomes, not the messages. */
import type { AgentState } from "../graph/state.js";

export function describeUpdate(u: Partial<AgentState>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (u.clock !== undefined) out.worldMinute = u.clock;
  if (u.failures) {
    out.failures = {
      damaged: u.failures.damagedCount,
      toPlan: u.failures.toPlanCount,
      waiting: u.failures.waitingCount,
      outOfService: u.failures.outOfServiceCount,
      populationOut: u.failures.populationOut,
      criticalFacilitiesOut: u.failures.criticalFacilitiesOut,
    };
  }
  if (u.impacts?.length)
    out.impacts = u.impacts
      .slice(0, 20)
      .map((i) => ({ asset: i.asset, severity: i.severity, populationOut: i.populationOut }));
  if (u.proposedPlan)
    out.proposedPlan = { assignments: u.proposedPlan.assignments.slice(0, 40), reasoning: u.proposedPlan.reasoning };
  if (u.executionResults?.length)
    out.execution = u.executionResults.map((e) => ({
      dispatched: e.dispatchedCount,
      alreadyApplied: e.alreadyApplied.length,
      error: e.error ?? null,
    }));
  if (u.newFailureCount !== undefined) out.newFailures = u.newFailureCount;
  if (u.status && u.status !== "running") out.status = u.status;
  if (u.finalReason) out.reason = u.finalReason;
  if (u.errors?.length) out.errors = u.errors.slice(0, 10);
  if (u.operatorRejection) out.operatorRejection = u.operatorRejection;
  return out;
}
