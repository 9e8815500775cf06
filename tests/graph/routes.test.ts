import { describe, expect, it } from "vitest";
import { failuresFound, newFailures, stoppedAtStepLimit, validAction } from "../../src/graph/routes.js";
import type { AgentState } from "../../src/graph/state.js";

const base = {
  fatalError: null,
  stepCount: 3,
  maxSteps: 60,
  failures: null,
  proposedPlan: null,
  planErrors: [],
  planSource: null,
  newFailureCount: 0,
  pendingWork: 0,
} as unknown as AgentState;
const failures = (toPlan: string[]) => ({
  at: 0,
  damaged: [],
  damagedCount: toPlan.length,
  toPlan,
  toPlanCount: toPlan.length,
  waiting: [],
  waitingCount: 0,
  outOfServiceCount: 0,
  outOfServiceByNetwork: {},
  populationOut: 0,
  weightedPopulationOut: 0,
  criticalFacilitiesOut: [],
  onBackup: [],
});
const plan = { assignments: [{ crewId: "C1", assetIds: ["L1"] }] };

describe("failures found?", () => {
  it("goes to IMPACT_ANALYSIS when damaged assets need a crew, to FINAL otherwise", () => {
    expect(failuresFound({ ...base, failures: failures(["L1"]) })).toBe("IMPACT_ANALYSIS");
    expect(failuresFound({ ...base, failures: failures([]) })).toBe("FINAL");
    expect(failuresFound(base)).toBe("FINAL");
  });
  it("stops at the step limit and on a fault", () => {
    expect(failuresFound({ ...base, failures: failures(["L1"]), stepCount: 60 })).toBe("FINAL");
    expect(failuresFound({ ...base, failures: failures(["L1"]), fatalError: "x" })).toBe("FINAL");
  });
});

describe("valid action?", () => {
  it("sends a validated plan to EXECUTION and an invalid one back into planning", () => {
    expect(validAction({ ...base, proposedPlan: plan, planSource: "model" })).toBe("EXECUTION");
    expect(validAction({ ...base, proposedPlan: plan, planSource: "model", planErrors: ["bad"] })).toBe(
      "REPAIR_PLANNING",
    );
    expect(validAction({ ...base, planSource: "model", planErrors: ["no action"] })).toBe("REPAIR_PLANNING");
  });
  it("ends when even the fallback plan is refused, at the step limit, and on a fault", () => {
    expect(validAction({ ...base, proposedPlan: plan, planSource: "fallback", planErrors: ["bad"] })).toBe("FINAL");
    expect(validAction({ ...base, proposedPlan: plan, planSource: "model", stepCount: 61 })).toBe("FINAL");
    expect(validAction({ ...base, fatalError: "model call failed" })).toBe("FINAL");
  });
});

describe("new failures?", () => {
  it("loops back to FAILURE_DETECTION on a cascade or work a crew can now take; stable goes to FINAL", () => {
    expect(newFailures({ ...base, newFailureCount: 2 })).toBe("FAILURE_DETECTION");
    expect(newFailures({ ...base, pendingWork: 1 })).toBe("FAILURE_DETECTION");
    expect(newFailures(base)).toBe("FINAL");
    expect(newFailures({ ...base, newFailureCount: 2, stepCount: 60 })).toBe("FINAL");
  });
});

describe("the step limit", () => {
  // A route is taken only if FINAL still fits after the steps it commits to: FINAL is never past the limit.
  it("leaves room for FINAL after the plain edges (IMPACT_ANALYSIS -> REPAIR_PLANNING, EXECUTION -> RESCHEDULING)", () => {
    const work = { ...base, failures: failures(["L1"]), maxSteps: 7 };
    expect(failuresFound({ ...work, stepCount: 4 })).toBe("IMPACT_ANALYSIS"); // IA 5, RP 6, FINAL 7
    expect(failuresFound({ ...work, stepCount: 5 })).toBe("FINAL");
    expect(validAction({ ...work, proposedPlan: plan, planSource: "model", stepCount: 4 })).toBe("EXECUTION"); // EX 5, RS 6, FINAL 7
    expect(validAction({ ...work, proposedPlan: plan, planSource: "model", stepCount: 5 })).toBe("FINAL");
    expect(validAction({ ...work, planSource: "model", planErrors: ["x"], stepCount: 5 })).toBe("REPAIR_PLANNING"); // RP 6, FINAL 7
    expect(newFailures({ ...work, newFailureCount: 1, stepCount: 5 })).toBe("FAILURE_DETECTION"); // FD 6, FINAL 7
    expect(newFailures({ ...work, newFailureCount: 1, stepCount: 6 })).toBe("FINAL");
  });

  it("tells a run stopped with work left from one that had nothing more to do", () => {
    const work = { ...base, failures: failures(["L1"]), maxSteps: 7, stepCount: 6 };
    expect(stoppedAtStepLimit({ ...work, newFailureCount: 1 }, "RESCHEDULING")).toBe(true);
    expect(stoppedAtStepLimit(work, "RESCHEDULING")).toBe(false);
    expect(stoppedAtStepLimit(work, "FAILURE_DETECTION")).toBe(true);
    expect(stoppedAtStepLimit({ ...work, fatalError: "x" }, "FAILURE_DETECTION")).toBe(false);
  });
});
