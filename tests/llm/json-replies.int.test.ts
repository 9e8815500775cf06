/**
 * The JSON action protocol with the replies small local models really give: fenced, wrapped in
 * chatter, malformed, naming an unknown or a forbidden action, with bad arguments. Every case
 * ends in a valid dispatch or the optimizer's fallback, never a crash; every refusal goes back
 * to the model with its reason.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatorWorldProvider } from "../../src/graph/world-provider.js";
import { runIncident, type IncidentResult } from "../../src/incident/runner.js";
import {
  startOpenAIServer,
  textOf,
  type ChatRequest,
  type FakeOpenAIServer,
  type RecordedRequest,
} from "../support/openai-server.js";
import { MODEL, modelFor } from "./helpers.js";
import { afterFeedback, FEEDBACK, jsonPlanner, planner } from "./planner-rule.js";

let server: FakeOpenAIServer;
beforeAll(async () => {
  server = await startOpenAIServer(planner);
});
afterAll(async () => {
  await server?.close();
});

async function runJson(
  render: (json: string, req: ChatRequest) => string,
): Promise<{ result: IncidentResult; requests: RecordedRequest[] }> {
  server.respondWith(jsonPlanner(render));
  const from = server.requests.length;
  const result = await runIncident({
    scenario: "demo",
    worlds: new SimulatorWorldProvider(),
    model: modelFor(server),
    config: { model: MODEL, protocol: "json" },
  });
  return { result, requests: server.requests.slice(from) };
}

/** What the model was told after its bad answers. */
function feedback(requests: RecordedRequest[]): string[] {
  return [
    ...new Set(
      requests
        .flatMap((r) => r.body.messages)
        .filter((m) => m.role === "user" && FEEDBACK.test(textOf(m)))
        .map(textOf),
    ),
  ];
}

/** Misbehave once at the start of each planning round, then answer properly after the feedback. */
const onceThen = (bad: string) => (json: string, req: ChatRequest) => (afterFeedback(req) ? json : bad);

describe("tolerated replies: a valid dispatch with no invalid plan", () => {
  it.each([
    ["a code fence", (j: string) => "```json\n" + j + "\n```"],
    ["a bare fence", (j: string) => "```\n" + j + "\n```"],
    [
      "chatter before and after",
      (j: string) => `Sure! Looking at the incident, here is my next step:\n${j}\nLet me know the result.`,
    ],
    [
      "pretty-printed with a trailing comma",
      (j: string) => JSON.stringify(JSON.parse(j), null, 2).replace(/\n}$/, ",\n}"),
    ],
  ])("%s", async (_name, render) => {
    const { result } = await runJson(render);
    expect(result.status).toBe("restored");
    expect(result.counters.invalidPlans).toBe(0);
    expect(result.counters.fallbacks).toBe(0);
    expect(result.dispatches.length).toBeGreaterThan(0);
  });
});

describe("refused replies go back to the model with the reason, then it recovers", () => {
  it.each([
    [
      "malformed JSON",
      '{"thoughts": "crews first", "action": "get_available_crews", "arguments": {',
      /no JSON object could be read/,
    ],
    ["not JSON at all", "I think we should send crew C1 to the hospital feeder.", /no JSON object could be read/],
    [
      "an unknown action",
      JSON.stringify({ thoughts: "x", action: "call_the_mayor", arguments: {} }),
      /unknown action "call_the_mayor"\. Actions you may take: .*assign_repair_crew/,
    ],
    [
      "a forbidden action (detect_failure_nodes)",
      JSON.stringify({ thoughts: "x", action: "detect_failure_nodes", arguments: {} }),
      /"detect_failure_nodes" is not available to you; the system runs it/,
    ],
    [
      "a forbidden action (estimate_impact)",
      JSON.stringify({ thoughts: "x", action: "estimate_impact", arguments: { asset_ids: ["L1"] } }),
      /"estimate_impact" is not available to you/,
    ],
    ["no action field", JSON.stringify({ thoughts: "x", arguments: {} }), /no "action" string/],
    [
      "bad arguments",
      JSON.stringify({ thoughts: "x", action: "get_weather_at_location", arguments: { locations: "everywhere" } }),
      /bad arguments for get_weather_at_location: locations: /,
    ],
    [
      "an assignment that fails the schema",
      JSON.stringify({ thoughts: "x", action: "assign_repair_crew", arguments: { assignments: [] } }),
      /refused[\s\S]*assignments/,
    ],
  ])("%s", async (_name, bad, reason) => {
    const { result, requests } = await runJson(onceThen(bad));
    expect(result.status).toBe("restored");
    expect(result.counters.invalidPlans).toBeGreaterThan(0);
    expect(result.counters.fallbacks).toBe(0);
    expect(result.finalState.planHistory.filter((p) => p.valid).every((p) => p.source === "model")).toBe(true);
    expect(result.dispatches.length).toBeGreaterThan(0);
    const told = feedback(requests);
    expect(told.some((t) => reason.test(t))).toBe(true);
  });
});

describe("a model that never gives a usable answer", () => {
  it("ends in the optimizer's fallback plan, dispatched, after the allowed attempts", async () => {
    const { result, requests } = await runJson(() => "```json\n{ this is not json }\n```");
    expect(result.status).toBe("restored");
    expect(result.counters.fallbacks).toBeGreaterThan(0);
    expect(result.counters.invalidPlans).toBe(3 * result.counters.fallbacks); // maxPlanAttempts, per round
    expect(result.finalState.planHistory.every((p) => p.source === "fallback")).toBe(true);
    expect(result.dispatches.length).toBeGreaterThan(0);
    expect(new Set(result.dispatches.map((d) => d.dispatchId)).size).toBe(result.dispatches.length);
    expect(requests.length).toBe(result.counters.modelCalls);
  });
});
