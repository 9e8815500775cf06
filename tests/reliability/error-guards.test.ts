/** The typed errors' guards: true for the class, for the same error from another copy of the module or serialised, never for another error. */
import { describe, expect, it } from "vitest";
import { isReportPathError, ReportPathError } from "../../src/cli/report-file.js";
import { isLeaseLost, LeaseLost } from "../../src/persistence/fencing.js";
import { IncidentHeld, isIncidentHeld } from "../../src/persistence/lease.js";
import { isPlanRejected, PlanRejected } from "../../src/world/plan-validation.js";
import { isWorldWorkExceeded, WorldWorkExceeded } from "../../src/world/work-budget.js";

const guards = [
  {
    guard: isWorldWorkExceeded,
    error: new WorldWorkExceeded("service update", 10, "test"),
    name: WorldWorkExceeded.errorName,
  },
  { guard: isLeaseLost, error: new LeaseLost("inc-1", "test"), name: LeaseLost.errorName },
  { guard: isIncidentHeld, error: new IncidentHeld("inc-1", null), name: IncidentHeld.errorName },
  { guard: isReportPathError, error: new ReportPathError("test"), name: ReportPathError.errorName },
  { guard: isPlanRejected, error: new PlanRejected(["test"]), name: PlanRejected.errorName },
];

describe("error guards", () => {
  it.each(guards.map((g) => [g.name, g] as const))(
    "%s: its class and its serialised form, nothing else",
    (_name, g) => {
      expect(g.guard(g.error)).toBe(true);
      expect(g.error.name).toBe(g.name);
      // As it arrives from another copy of the module or from JSON: a plain object with the name.
      expect(g.guard(JSON.parse(JSON.stringify({ name: g.error.name, message: g.error.message })))).toBe(true);
      expect(g.guard(new Error(g.error.message))).toBe(false);
      expect(g.guard(undefined)).toBe(false);
      expect(g.guard(g.name)).toBe(false);
      for (const other of guards) if (other !== g) expect(g.guard(other.error)).toBe(false);
    },
  );
});
