/**
 * The three checks of the original flow chart, as pure routers: each reads state only and
 * returns the name of the next node. Transitions are decided here, by code, never by the model.
 */
import type { AgentState, FsmState } from "./state.js";

type RouteState = Pick<
  AgentState,
  | "fatalError"
  | "stepCount"
  | "maxSteps"
  | "failures"
  | "proposedPlan"
  | "planErrors"
  | "planSource"
  | "newFailureCount"
  | "pendingWork"
>;

/**
 * Steps a route commits the run to before the next check can stop it: the target, and the node
 * after it on a plain edge (IMPACT_ANALYSIS -> REPAIR_PLANNING; EXECUTION -> RESCHEDULING, or
 * REPAIR_PLANNING after a rejection). A route is taken only if FINAL still fits in maxSteps
 * after them, so a run never takes more steps than its limit.
 */
const STEPS_BEFORE_NEXT_CHECK = { FAILURE_DETECTION: 1, IMPACT_ANALYSIS: 2, REPAIR_PLANNING: 1, EXECUTION: 2 } as const;
type Onward = keyof typeof STEPS_BEFORE_NEXT_CHECK;

const fits = (s: RouteState, next: Onward) => s.stepCount + STEPS_BEFORE_NEXT_CHECK[next] + 1 <= s.maxSteps;

/** What each check would choose with no step limit and no fault. */
const INTENT = {
  FAILURE_DETECTION: (s: RouteState): "IMPACT_ANALYSIS" | "FINAL" =>
    (s.failures?.toPlanCount ?? 0) > 0 ? "IMPACT_ANALYSIS" : "FINAL",
  REPAIR_PLANNING: (s: RouteState): "EXECUTION" | "REPAIR_PLANNING" | "FINAL" => {
    if (s.proposedPlan && s.planErrors.length === 0) return "EXECUTION";
    return s.planSource === "fallback" ? "FINAL" : "REPAIR_PLANNING";
  },
  RESCHEDULING: (s: RouteState): "FAILURE_DETECTION" | "FINAL" =>
    s.newFailureCount > 0 || s.pendingWork > 0 ? "FAILURE_DETECTION" : "FINAL",
} as const;

function guarded<N extends Onward>(s: RouteState, next: N | "FINAL"): N | "FINAL" {
  if (next === "FINAL" || s.fatalError || !fits(s, next)) return "FINAL";
  return next;
}

/** Failures found? Damaged assets no crew has, that a crew can take: analyse them. Otherwise FINAL. */
export function failuresFound(s: RouteState): "IMPACT_ANALYSIS" | "FINAL" {
  return guarded(s, INTENT.FAILURE_DETECTION(s));
}

/** Valid action? A validated plan goes to EXECUTION; an invalid one back into planning with its reasons. */
export function validAction(s: RouteState): "EXECUTION" | "REPAIR_PLANNING" | "FINAL" {
  return guarded(s, INTENT.REPAIR_PLANNING(s));
}

/** New failures? A cascade, new damage, or damage a crew could now take: detect again. Otherwise stable. */
export function newFailures(s: RouteState): "FAILURE_DETECTION" | "FINAL" {
  return guarded(s, INTENT.RESCHEDULING(s));
}

/**
 * Whether the step limit ended the run: the check after the last state would have gone on.
 * `last` is the state FINAL came from.
 */
export function stoppedAtStepLimit(s: RouteState, last: FsmState | undefined): boolean {
  if (s.fatalError || !last || !(last in INTENT)) return false;
  return INTENT[last as keyof typeof INTENT](s) !== "FINAL";
}

/** Edge labels for the chart, as in the original design's flow chart. */
export const CHECK_LABELS = {
  failuresFound: { IMPACT_ANALYSIS: "Failures found? Yes", FINAL: "Failures found? No (healthy)" },
  validAction: { EXECUTION: "Valid action", REPAIR_PLANNING: "Invalid / error", FINAL: "Step limit or fault" },
  newFailures: { FAILURE_DETECTION: "New failures? Yes (cascade)", FINAL: "New failures? No (stable)" },
} as const;
