/**
 * The three checks of the original flow chart, as pure routers: each reads state only and
 * returns the name of the next node. Transitions are decided here, by code, never by the model.
 */
import type { AgentState } from "./state.js";

type RouteState = Pick<AgentState, "fatalError" | "stepCount" | "maxSteps" | "failures" | "proposedPlan" | "planErrors" | "planSource" | "newFailureCount" | "pendingWork">;

const stop = (s: RouteState) => Boolean(s.fatalError) || s.stepCount >= s.maxSteps;

/** Failures found? Damaged assets no crew has, that a crew can take: analyse them. Otherwise FINAL. */
export function failuresFound(s: RouteState): "IMPACT_ANALYSIS" | "FINAL" {
  if (stop(s)) return "FINAL";
  return (s.failures?.toPlanCount ?? 0) > 0 ? "IMPACT_ANALYSIS" : "FINAL";
}

/** Valid action? A validated plan goes to EXECUTION; an invalid one back into planning with its reasons. */
export function validAction(s: RouteState): "EXECUTION" | "REPAIR_PLANNING" | "FINAL" {
  if (stop(s)) return "FINAL";
  if (s.proposedPlan && s.planErrors.length === 0) return "EXECUTION";
  if (s.planSource === "fallback") return "FINAL";
  return "REPAIR_PLANNING";
}

/** New failures? A cascade, new damage, or damage a crew could now take: detect again. Otherwise stable. */
export function newFailures(s: RouteState): "FAILURE_DETECTION" | "FINAL" {
  if (stop(s)) return "FINAL";
  return s.newFailureCount > 0 || s.pendingWork > 0 ? "FAILURE_DETECTION" : "FINAL";
}

/** Edge labels for the chart, as in the original design's flow chart. */
export const CHECK_LABELS = {
  failuresFound: { IMPACT_ANALYSIS: "Failures found? Yes", FINAL: "Failures found? No (healthy)" },
  validAction: { EXECUTION: "Valid action", REPAIR_PLANNING: "Invalid / error", FINAL: "Step limit or fault" },
  newFailures: { FAILURE_DETECTION: "New failures? Yes (cascade)", FINAL: "New failures? No (stable)" },
} as const;
