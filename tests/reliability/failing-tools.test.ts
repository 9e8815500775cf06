/**
 * Repositories that throw or hang under the graph. A transient fault is retried with backoff
 * by the node's retry policy and the incident ends as if nothing happened (the recovered
 * fault stays in the run's errors); a lasting fault ends the run in FINAL with status
 * "error" and the fault in state, keeping the plan history and the dispatches made so far;
 * nothing escapes as an exception.
 */
import { describe, expect, it } from "vitest";
import { runIncident } from "../../src/incident/runner.js";
import type { NodeFaultPolicy } from "../../src/persistence/node-faults.js";
import { loadScenario } from "../../src/world/scenario/load.js";
import { InstrumentedWorldProvider, type RepositoryHook } from "./support/instrumented-worlds.js";
import { expandDispatchLog } from "../../src/world/dispatch-log.js";

const scenario = loadScenario("demo");
/**
 * Short backoff: the behaviour under test is the same as with production's seconds. The node timeouts stay far above
 * what a node does on the demo (milliseconds), so that a busy machine never times out a node that does not hang.
 */
const FAST: NodeFaultPolicy = {
  maxAttempts: 3,
  initialIntervalMs: 5,
  backoffFactor: 2,
  maxIntervalMs: 50,
  timeoutMs: 60_000,
  planningTimeoutMs: 120_000,
};
/**
 * For the hanging call: a timeout short enough to wait out three times, still hundreds of times what
 * INIT and FAILURE_DETECTION (which run before the hang, under the same timeout) take on the demo.
 */
const HANG_TIMEOUT_MS = 1_500;

class Outage extends Error {
  constructor(what: string) {
    super(`${what}: connection reset by peer`);
    this.name = "Outage";
  }
}

async function run(hook?: RepositoryHook, faultPolicy: NodeFaultPolicy = FAST) {
  const worlds = new InstrumentedWorldProvider(scenario, hook);
  const result = await runIncident({ scenario: "demo", worlds, faultPolicy, config: { model: "offline" } });
  return { result, worlds };
}

describe("failing tools and repositories", () => {
  it("a transient fault is retried with backoff; the incident ends exactly as a fault-free one", async () => {
    const clean = await run();
    let failures = 0;
    const { result, worlds } = await run((repo, method) => {
      if (repo === "system" && method === "estimateImpact" && failures < 2) {
        failures++;
        throw new Outage("network model service");
      }
    });
    expect(failures).toBe(2);
    expect(result.status).toBe("restored");
    expect(result.dispatches).toEqual(clean.result.dispatches);
    expect(result.metrics).toEqual(clean.result.metrics);
    // The node ran three times: twice failing, once through.
    expect(worlds.calls.filter((c) => c === "system.estimateImpact").length).toBe(
      clean.worlds.calls.filter((c) => c === "system.estimateImpact").length + 2,
    );
    expect(result.finalState.fatalError).toBeNull();
  });

  it("a transient fault while dispatching is retried without doubling a dispatch", async () => {
    const clean = await run();
    let failures = 0;
    const { result, worlds } = await run((repo, method) => {
      if (repo === "system" && method === "assignCrews" && failures < 1) {
        failures++;
        throw new Outage("dispatch gateway");
      }
    });
    expect(result.status).toBe("restored");
    expect(result.dispatches).toEqual(clean.result.dispatches);
    expect(new Set(worlds.applied).size).toBe(result.dispatches.length);
  });

  it("a lasting fault ends the run in FINAL with the error, keeping the plan and the dispatches made so far", async () => {
    let executions = 0;
    const { result, worlds } = await run((repo, method) => {
      if (repo === "system" && method === "assignCrews" && ++executions > 1) throw new Outage("dispatch gateway");
    });
    expect(result.status).toBe("error");
    const s = result.finalState;
    expect(s.statesVisited.at(-1)).toBe("FINAL");
    expect(s.fatalError).toMatch(
      /^EXECUTION failed after 3 attempts: Outage: dispatch gateway: connection reset by peer$/,
    );
    expect(result.reason).toBe(s.fatalError);
    // The first dispatches stand, on record; the plan that could not be sent is kept too.
    expect(expandDispatchLog(s.dispatchLog).length).toBeGreaterThan(0);
    expect(expandDispatchLog(s.dispatchLog).map((e) => e.dispatchId)).toEqual(worlds.applied);
    expect(result.dispatches.map((d) => d.dispatchId)).toEqual(worlds.applied);
    expect(s.proposedPlan).not.toBeNull();
    expect(s.planHistory.at(-1)?.plan).toEqual(s.proposedPlan);
  });

  it("a repository call that hangs times out, is retried, then ends the run with the timeout", async () => {
    const { result } = await run(
      (repo, method) => {
        if (repo === "system" && method === "estimateImpact") return new Promise<void>(() => {});
      },
      { ...FAST, timeoutMs: HANG_TIMEOUT_MS },
    );
    expect(result.status).toBe("error");
    expect(result.finalState.fatalError).toBe(
      `IMPACT_ANALYSIS failed after 3 attempts: NodeTimeout: IMPACT_ANALYSIS did not finish within ${HANG_TIMEOUT_MS} ms`,
    );
    expect(result.finalState.statesVisited.at(-1)).toBe("FINAL");
  });

  it("a permanent fault is not retried", async () => {
    let calls = 0;
    const { result } = await run((repo, method) => {
      if (repo === "system" && method === "detectFailures") {
        calls++;
        throw Object.assign(new Error("401 unauthorized"), { status: 401 });
      }
    });
    expect(calls).toBe(1);
    expect(result.status).toBe("error");
    expect(result.finalState.fatalError).toBe("FAILURE_DETECTION failed: 401 unauthorized");
  });

  it("an agent tool that fails during planning is reported to the model, not fatal", async () => {
    const { result } = await run((repo, method) => {
      if (repo === "agent" && method === "getWeather") throw new Outage("weather feed");
    });
    expect(result.status).toBe("restored");
    expect(result.finalState.fatalError).toBeNull();
    // The offline planner asks for the weather in every round: the failure reached it as an error result.
    const toolErrors = result.finalState.messages.filter(
      (m) => m.getType() === "tool" && String(m.content).includes("weather feed"),
    );
    expect(toolErrors.length).toBeGreaterThan(0);
    expect(String(toolErrors[0].content)).toMatch(
      /^Error: get_weather_at_location failed: .*weather feed: connection reset by peer/,
    );
  });
});
