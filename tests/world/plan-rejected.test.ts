/** Refusals are typed errors with guards, and retrying them is known to be useless. */
import { describe, expect, it } from "vitest";
import { clock, errorText, round1, round2 } from "../../src/format.js";
import { isTransient } from "../../src/persistence/node-faults.js";
import { isScenarioError, ScenarioError } from "../../src/world/scenario/issues.js";
import { isPlanRejected, PlanRejected } from "../../src/world/plan-validation.js";

describe("typed refusals", () => {
  it("isPlanRejected recognises the class, and the name of one that crossed a boundary; nothing else", () => {
    const e = new PlanRejected(['unknown crew "X"']);
    expect(isPlanRejected(e)).toBe(true);
    expect(e.message).toBe('plan rejected: unknown crew "X"');
    expect(isPlanRejected(Object.assign(new Error("plan rejected: x"), { name: "PlanRejected" }))).toBe(true);
    expect(isPlanRejected(new Error("plan rejected"))).toBe(false);
    expect(isPlanRejected(null)).toBe(false);
    expect(isPlanRejected("PlanRejected")).toBe(false);
  });

  it("a refusal is not retried; an outage is", () => {
    expect(isTransient(new PlanRejected(["x"]))).toBe(false);
    expect(isTransient(new ScenarioError([{ where: "a.json", message: "bad" }]))).toBe(false);
    expect(isScenarioError(new ScenarioError([]))).toBe(true);
    expect(isTransient(Object.assign(new Error("connection reset"), { code: "ECONNRESET" }))).toBe(true);
  });
});

describe("formatters written once", () => {
  it("clock, rounding and error text", () => {
    expect(clock(0)).toBe("T+00:00");
    expect(clock(610)).toBe("T+10:10");
    expect(clock(59.6)).toBe("T+01:00");
    expect(clock(Number.NaN)).toBe("-");
    expect(round1(2.25)).toBe(2.3);
    expect(round2(3.14159)).toBe(3.14);
    expect(errorText(Object.assign(new Error("Rate limit"), { name: "RateLimitError", status: 429 }))).toBe(
      "RateLimitError: status 429: Rate limit",
    );
    expect(errorText(Object.assign(new Error("401 unauthorized"), { status: 401 }), { withStatus: false })).toBe(
      "401 unauthorized",
    );
    expect(errorText("plain", { maxChars: 3 })).toBe("pla");
  });
});
