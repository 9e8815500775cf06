/** The step limit of one graph run, as an incident meets it (runIncident, as the CLI runs it). */
import { describe, expect, it } from "vitest";
import { runIncident } from "../../src/incident/runner.js";
import { STEPS_FOR_ONE_DISPATCH } from "../../src/limits.js";

describe("a step-limited incident", () => {
  it("a run stopped at its step limit before dispatching anything is not triggered again", async () => {
    // Too few steps for a planning round and its dispatch: the same run would repeat forever.
    const r = await runIncident({ scenario: "demo", config: { model: "offline", maxSteps: 5 }, maxRuns: 20 });
    expect(r.runs).toBe(1);
    expect(r.status).toBe("max_steps");
    expect(r.reason).toMatch(/before dispatching anything/);
    expect(r.dispatches).toEqual([]);
    // FINAL is within the limit, never past it.
    expect(r.statesVisited).toEqual(["INIT", "FAILURE_DETECTION", "IMPACT_ANALYSIS", "REPAIR_PLANNING", "FINAL"]);
    expect(r.finalState.finalReason).toMatch(/after 5 steps, FINAL included \(limit 5\)/);
  });

  it(`the smallest limit the CLI accepts (${STEPS_FOR_ONE_DISPATCH}) restores the demo town`, async () => {
    const r = await runIncident({ scenario: "demo", config: { model: "offline", maxSteps: STEPS_FOR_ONE_DISPATCH } });
    expect(r.status).toBe("restored");
    expect(r.dispatches.length).toBeGreaterThan(0);
    // Every run fits in its limit, FINAL included.
    const runs: string[][] = [];
    for (const s of r.statesVisited) s === "INIT" ? runs.push([s]) : runs.at(-1)!.push(s);
    for (const run of runs) expect(run.length).toBeLessThanOrEqual(STEPS_FOR_ONE_DISPATCH);
  });
});
