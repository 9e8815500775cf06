/**
 * A real server misbehaves: rate limits, server errors, no answer at all. Retries are bounded
 * and back off; a server that never answers times out with a clear error and the run ends in
 * FINAL with that reason, with nothing dispatched twice, and the incident can be run again.
 */
import { MemorySaver } from "@langchain/langgraph";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatorWorldProvider } from "../../src/graph/world-provider.js";
import { runIncident } from "../../src/incident/runner.js";
import { startOpenAIServer, type ChatRequest, type FakeOpenAIServer, type Reply } from "../support/openai-server.js";
import { MODEL, modelFor } from "./helpers.js";
import { contextOf, planner } from "./planner-rule.js";
import { expandDispatchLog } from "../../src/world/dispatch-log.js";

let server: FakeOpenAIServer;
beforeAll(async () => {
  server = await startOpenAIServer(planner);
});
afterAll(async () => {
  await server?.close();
});

/** The planner, except that the server's request number `failing` gets an error reply. */
const failOnce =
  (failing: number, reply: Reply) =>
  (req: ChatRequest, index: number): Reply =>
    index === failing ? reply : planner(req);

describe("retries", () => {
  it.each([
    [
      "a 429 without Retry-After",
      {
        status: 429,
        error: { message: "Rate limit reached for requests", type: "requests", code: "rate_limit_exceeded" },
      },
    ],
    [
      "a 429 with Retry-After",
      {
        status: 429,
        error: { message: "Rate limit reached", code: "rate_limit_exceeded" },
        headers: { "retry-after": "1" },
      },
    ],
    ["a 503", { status: 503, error: { message: "The server is overloaded" } }],
  ] as [string, Reply][])("%s, then a success, is retried and the run goes on", async (_name, reply) => {
    const first = server.requests.length;
    server.respondWith(failOnce(first, reply));
    const started = Date.now();
    const result = await runIncident({
      scenario: "demo",
      worlds: new SimulatorWorldProvider(),
      model: modelFor(server, { OPENAI_MAX_RETRIES: "1" }),
      config: { model: MODEL },
    });
    const requests = server.requests.slice(first);
    expect(result.status).toBe("restored");
    expect(requests[0].answer?.status).toBe((reply as { status: number }).status);
    expect(requests[1].answer?.status).toBe(200);
    // The retry is the same request again.
    expect(requests[1].raw).toBe(requests[0].raw);
    expect(requests.length).toBe(result.counters.modelCalls + 1);
    // With backoff: the retry waits at least the minimum delay (1 s), not a busy loop.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });

  it("does not retry what would fail again (401), and ends in FINAL with the reason", async () => {
    const first = server.requests.length;
    server.respondWith(() => ({
      status: 401,
      error: { message: "Incorrect API key provided: sk-test", type: "invalid_request_error", code: "invalid_api_key" },
    }));
    const result = await runIncident({
      scenario: "demo",
      worlds: new SimulatorWorldProvider(),
      model: modelFor(server, { OPENAI_MAX_RETRIES: "3" }),
      config: { model: MODEL },
    });
    expect(server.requests.length - first).toBe(1);
    expect(result.status).toBe("error");
    expect(result.reason).toMatch(
      /^model call failed: .*status 401: Incorrect API key provided.*\(the server refused OPENAI_API_KEY\)$/,
    );
    expect(result.statesVisited[result.statesVisited.length - 1]).toBe("FINAL");
    expect(result.dispatches).toEqual([]);
  });

  it("gives up on the model after OPENAI_MAX_RETRIES on a server that keeps failing, and plans with the optimizer, recorded", async () => {
    const first = server.requests.length;
    server.respondWith(() => ({ status: 500, error: { message: "internal error" } }));
    const result = await runIncident({
      scenario: "demo",
      worlds: new SimulatorWorldProvider(),
      model: modelFor(server, { OPENAI_MAX_RETRIES: "1" }),
      config: { model: MODEL },
    });
    // Two tries per planning round; every round fell back.
    expect(server.requests.length - first).toBe(2 * result.finalState.planOverrides.length);
    expect(result.status).toBe("restored");
    expect(result.finalState.planOverrides[0].reason).toMatch(
      /model unavailable: .*status 500: internal error \(server error, after OPENAI_MAX_RETRIES retries\)/,
    );
  });
});

/**
 * The model call timeout in the test below. It applies to the answered requests too, so it stays far above what the
 * local server takes to answer (milliseconds) even on a busy machine; the silent ones wait it out twice.
 */
const MODEL_TIMEOUT_MS = 1_500;

describe("a server that never answers", () => {
  it("times out with a clear error; the optimizer plans the silent rounds (recorded); nothing is dispatched twice when the incident runs again", async () => {
    // The first planning round is answered; from the second one (crews already out) the server goes silent.
    const silentOnceCrewsAreOut = (req: ChatRequest): Reply =>
      (contextOf(req).damaged_with_crew ?? []).length > 0 ? { hang: true } : planner(req);
    server.respondWith(silentOnceCrewsAreOut);
    const first = server.requests.length;
    const worlds = new SimulatorWorldProvider();
    const checkpointer = new MemorySaver();
    const incidentId = "incident-timeout";
    const started = Date.now();
    const result = await runIncident({
      incidentId,
      checkpointer,
      scenario: "demo",
      worlds,
      model: modelFor(server, { OPENAI_TIMEOUT_MS: String(MODEL_TIMEOUT_MS), OPENAI_MAX_RETRIES: "1" }),
      config: { model: MODEL },
    });
    const elapsed = Date.now() - started;

    // The silent rounds were planned by the optimizer (a recorded fallback with the reason); the incident went on.
    expect(result.status).toBe("restored");
    expect(result.finalState.planOverrides.length).toBeGreaterThan(0);
    expect(result.finalState.planOverrides[0]).toMatchObject({
      kind: "model_outage",
      reason: "model unavailable: TimeoutError: Request timed out. (no answer within OPENAI_TIMEOUT_MS)",
    });
    expect(result.finalState.planHistory[0].source).toBe("model");
    expect(new Set(result.dispatches.map((d) => d.dispatchId)).size).toBe(result.dispatches.length);
    // One try and one retry of the silent request, each cut at the timeout (not the default minute: two of those
    // would take 120 s, so the bound below tells them apart however busy the machine is).
    const silent = server.requests.slice(first).filter((r) => !r.answer);
    expect(silent.length).toBe(2 * result.finalState.planOverrides.length);
    expect(silent[1].raw).toBe(silent[0].raw);
    expect(elapsed).toBeGreaterThanOrEqual(2 * MODEL_TIMEOUT_MS);
    expect(elapsed).toBeLessThan(60_000);

    // The server is back: the same incident (same thread, same checkpoints) is triggered again and
    // finishes from where it was; no dispatch is sent twice.
    server.respondWith(planner);
    const resumed = await runIncident({
      incidentId,
      checkpointer,
      worlds,
      model: modelFor(server),
      config: { model: MODEL },
    });
    expect(resumed.reason).toBe("the network is fully restored");
    expect(resumed.status).toBe("restored");
    const ids = expandDispatchLog(resumed.finalState.dispatchLog).map((e) => e.dispatchId);
    expect(new Set(ids).size).toBe(ids.length);
    const assets = resumed.dispatches.filter((d) => d.status !== "reassigned").map((d) => d.assetId);
    expect(new Set(assets).size).toBe(assets.length);
    for (const d of result.dispatches) expect(ids).toContain(d.dispatchId);
  });
});
