/** The tracing helpers, without a network: the endpoint check is given its fetch. */
import { describe, expect, it, vi } from "vitest";
import { buildGraph, graph } from "../../src/graph/graph.js";
import {
  flushTraces,
  incidentTraceConfig,
  langsmithEndpoint,
  prepareTracing,
  scenarioLabel,
  simulatedClock,
  tagStateRuns,
  tracingRequested,
} from "../../src/observability/tracing.js";

const answering = (status: number) => vi.fn(async () => new Response("{}", { status })) as unknown as typeof fetch;
const refusing = vi.fn(async () => {
  throw new TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } });
}) as unknown as typeof fetch;

describe("prepareTracing", () => {
  it("does nothing, and asks no one, when tracing is not requested", async () => {
    const fetchImpl = answering(200);
    const env = { LANGSMITH_TRACING: "false", LANGSMITH_ENDPOINT: "http://127.0.0.1:1" };
    expect(await prepareTracing({ env, fetchImpl })).toEqual({ enabled: false, warnings: [] });
    expect(fetchImpl).not.toHaveBeenCalled();
  });

  it("keeps tracing on when the endpoint's /info answers", async () => {
    const fetchImpl = answering(200);
    const env = { LANGSMITH_TRACING: "true", LANGSMITH_ENDPOINT: "http://127.0.0.1:5555/", LANGSMITH_API_KEY: "k" };
    const status = await prepareTracing({ env, fetchImpl });
    expect(status).toEqual({ enabled: true, endpoint: "http://127.0.0.1:5555", warnings: [] });
    const [url, init] = vi.mocked(fetchImpl).mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("http://127.0.0.1:5555/info");
    expect(init.headers).toMatchObject({ "x-api-key": "k" }); // as the LangSmith client sends it
    expect(env.LANGSMITH_TRACING).toBe("true");
  });

  it("warns when no API key is set, but keeps tracing on (a local server may not need one)", async () => {
    const env = { LANGCHAIN_TRACING_V2: "true", LANGCHAIN_ENDPOINT: "http://127.0.0.1:5555" };
    const status = await prepareTracing({ env, fetchImpl: answering(200) });
    expect(status.enabled).toBe(true);
    expect(status.warnings.join()).toMatch(/LANGSMITH_API_KEY is not set/);
  });

  it("turns tracing off for the process when the endpoint refuses, saying why", async () => {
    const env: Record<string, string | undefined> = {
      LANGSMITH_TRACING: "true",
      LANGCHAIN_TRACING_V2: "true",
      LANGSMITH_ENDPOINT: "http://127.0.0.1:5555",
      LANGSMITH_API_KEY: "k",
    };
    const status = await prepareTracing({ env, fetchImpl: refusing });
    expect(status.enabled).toBe(false);
    expect(status.warnings[0]).toMatch(/tracing is off.*http:\/\/127\.0\.0\.1:5555\/info.*ECONNREFUSED/);
    expect(env.LANGSMITH_TRACING).toBe("false");
    expect(env.LANGCHAIN_TRACING_V2).toBe("false");
    expect(tracingRequested(env)).toBe(false);
  });

  it("turns tracing off when something that is not LangSmith answers", async () => {
    const env = { LANGSMITH_TRACING: "true", LANGSMITH_ENDPOINT: "http://127.0.0.1:5555", LANGSMITH_API_KEY: "k" };
    const status = await prepareTracing({ env, fetchImpl: answering(404) });
    expect(status.enabled).toBe(false);
    expect(status.warnings[0]).toMatch(/HTTP 404/);
  });

  it("gives up on an endpoint that does not answer within the timeout", async () => {
    const hanging = ((_url: string, init?: RequestInit) =>
      new Promise((_resolve, reject) => {
        init?.signal?.addEventListener("abort", () => reject(init.signal!.reason));
      })) as typeof fetch;
    const env = { LANGSMITH_TRACING: "true", LANGSMITH_ENDPOINT: "http://127.0.0.1:5555", LANGSMITH_API_KEY: "k" };
    const status = await prepareTracing({ env, fetchImpl: hanging, timeoutMs: 50 });
    expect(status.enabled).toBe(false);
    expect(status.warnings[0]).toMatch(/no answer within 0\.05 s/);
  });
});

describe("trace naming", () => {
  it("falls back to the client's default endpoint", () => {
    expect(langsmithEndpoint({})).toMatch(/^https:\/\//);
    expect(langsmithEndpoint({ LANGCHAIN_ENDPOINT: "http://h:1//" })).toBe("http://h:1");
  });

  it("names a graph run for its incident and puts the trigger and simulated clock in metadata", () => {
    const c = incidentTraceConfig({
      incidentId: "incident-1",
      scenario: "scenarios/storm/",
      run: 2,
      trigger: { kind: "cascade", at: 135 },
    });
    expect(c.runName).toBe("incident incident-1 (storm)");
    expect(c.tags).toEqual(["incident", "trigger:cascade"]);
    expect(c.metadata).toEqual({
      incident_id: "incident-1",
      scenario: "storm",
      graph_run: 2,
      trigger: "cascade",
      sim_clock_minutes: 135,
      sim_clock: "T+02:15",
    });
    expect(incidentTraceConfig({ incidentId: "i", scenario: "demo", run: 1 }).metadata).toEqual({
      incident_id: "i",
      scenario: "demo",
      graph_run: 1,
    });
    expect(scenarioLabel("C:\\data\\grid.json")).toBe("grid.json");
    expect(simulatedClock(1501)).toBe("T+25:01");
  });

  it("tags each FSM state's node, once, and leaves LangGraph's own nodes alone", () => {
    const app = tagStateRuns(tagStateRuns(buildGraph().compile()));
    const tags = Object.fromEntries(Object.entries(app.nodes).map(([name, node]) => [name, node.tags ?? []]));
    for (const state of [
      "INIT",
      "FAILURE_DETECTION",
      "IMPACT_ANALYSIS",
      "REPAIR_PLANNING",
      "EXECUTION",
      "RESCHEDULING",
      "FINAL",
    ]) {
      expect(tags[state]).toEqual([`state:${state}`]);
    }
    expect(tags.__start__.some((t) => t.startsWith("state:"))).toBe(false);
    // The graph the dev server and LangGraph Studio load is tagged too.
    expect(graph.nodes.REPAIR_PLANNING.tags).toContain("state:REPAIR_PLANNING");
  });

  it("flushTraces returns once nothing is queued", async () => {
    expect(await flushTraces(5_000)).toBe(true);
  });
});
