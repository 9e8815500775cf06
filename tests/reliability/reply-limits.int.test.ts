/**
 * Unbounded model replies. A server answers once with 10 MB of text, or with a tool call carrying
 * 100,000 asset ids, then plans normally. Requests ask for at most max_tokens; what the reply
 * brings into the conversation is bounded (with a note the model reads), so every later request
 * stays under the context budget and every checkpoint under 256 KB.
 */
import { MemorySaver } from "@langchain/langgraph";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatorWorldProvider } from "../../src/graph/world-provider.js";
import { runIncident } from "../../src/incident/runner.js";
import { estimateTokens } from "../../src/prompts/assemble.js";
import { DEFAULT_MODEL_MAX_TOKENS } from "../../src/limits.js";
import {
  startOpenAIServer,
  textOf,
  type ChatRequest,
  type FakeOpenAIServer,
  type Reply,
} from "../support/openai-server.js";
import { MODEL, modelFor } from "../llm/helpers.js";
import { planner } from "../llm/planner-rule.js";

const CHECKPOINT_BOUND = 256 * 1024;
const BUDGET = 12_000;
let server: FakeOpenAIServer;
beforeAll(async () => {
  server = await startOpenAIServer(planner);
});
afterAll(async () => {
  await server?.close();
});

/** The first request of the incident gets `huge`; every other one the planner's answer. */
function onceThen(huge: Reply) {
  let sent = false;
  return (req: ChatRequest): Reply => {
    if (!sent) {
      sent = true;
      return huge;
    }
    return planner(req);
  };
}

function largestCheckpoint(saver: MemorySaver, thread: string): number {
  let max = 0;
  for (const byId of Object.values(saver.storage[thread] ?? {}))
    for (const [checkpoint] of Object.values(byId)) max = Math.max(max, checkpoint.byteLength);
  return max;
}

describe("a model reply that is far too large", () => {
  it.each([
    ["10 MB of text", { content: "All crews to the hospital. ".repeat(400_000) }],
    [
      "a tool call with 100,000 asset ids",
      {
        toolCalls: [
          {
            name: "assign_repair_crew",
            arguments: {
              assignments: [{ crew_id: "PWR-1", asset_ids: Array.from({ length: 100_000 }, (_, i) => `ASSET-${i}`) }],
              reasoning: "everything",
            },
          },
        ],
      },
    ],
    [
      "a weather question about 100,000 places",
      {
        toolCalls: [
          {
            name: "get_weather_at_location",
            arguments: { locations: Array.from({ length: 100_000 }, (_, i) => `${i},${i}`) },
          },
        ],
      },
    ],
  ] as [string, Reply][])("%s: requests stay under the budget, checkpoints under 256 KB", async (_name, huge) => {
    server.respondWith(onceThen(huge));
    const first = server.requests.length;
    const saver = new MemorySaver();
    const result = await runIncident({
      incidentId: "huge",
      checkpointer: saver,
      scenario: "demo",
      worlds: new SimulatorWorldProvider(),
      model: modelFor(server),
      config: { model: MODEL, contextBudgetTokens: BUDGET },
    });
    const requests = server.requests.slice(first);
    expect(result.status).toBe("restored");
    expect(requests.length).toBeGreaterThan(2);
    for (const r of requests) expect(r.body.max_tokens ?? r.body.max_completion_tokens).toBe(DEFAULT_MODEL_MAX_TOKENS);
    const sizes = requests.map((r) => estimateTokens(r.raw));
    for (const size of sizes) expect(size).toBeLessThanOrEqual(BUDGET);
    // The model was told what was cut.
    const second = requests[1].body.messages.map(textOf).join("\n");
    expect(second).toMatch(/\[system note: .*(was cut|were dropped)/);
    const largest = largestCheckpoint(saver, "huge");
    expect(largest).toBeLessThan(CHECKPOINT_BOUND);
    console.log(
      `${_name}: ${requests.length} requests, largest ${Math.max(...sizes)} est. tokens (budget ${BUDGET}), largest checkpoint ${Math.round(largest / 1024)} KB`,
    );
  });
});
