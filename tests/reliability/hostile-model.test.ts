/**
 * A model that answers with generated garbage (fast-check): unknown tools, tools it may not
 * use, wrong types, missing fields, huge arrays, ids that do not exist, negative and enormous
 * numbers, a crew sent twice, an asset only out of service, text instead of a call, empty
 * replies, broken JSON. Over the demo incident's first graph run, in both protocols:
 *   - nothing escapes the graph as an exception, and the run ends in FINAL, not in an error;
 *   - no invalid plan is ever applied (each dispatch checked by the validator against the
 *     world as it stood when it was made);
 *   - each planning round ends within its bounds: a valid plan, or the optimizer's fallback
 *     after maxPlanAttempts refusals;
 *   - every refused reply reached the model with a reason (in the next request it received),
 *     except the last of a round, after which the optimizer takes over.
 */
import { AIMessage, type BaseMessage, ToolMessage } from "@langchain/core/messages";
import { MemorySaver } from "@langchain/langgraph";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { buildGraph } from "../../src/graph/graph.js";
import type { AgentState } from "../../src/graph/state.js";
import { loadScenario } from "../../src/world/scenario/load.js";
import { ScriptedModel, type Recording } from "../support/scripted-model.js";
import { InstrumentedWorldProvider } from "./support/instrumented-worlds.js";
import { invalidDispatches } from "./support/validity.js";
import { expandDispatchLog } from "../../src/world/dispatch-log.js";

const scenario = loadScenario("demo");
const CREWS = scenario.crews.map((c) => c.id);
const DAMAGED = ["TX-3B", "L-1A-1B", "L-2A-2B", "L-4A-4P", "P-WTP-SW"];
const OUT_OF_SERVICE = ["TX-1B", "TX-2B", "PUMP-East", "WD-West"];
const WORKING = scenario.nodes
  .map((n) => n.id)
  .filter((id) => !DAMAGED.includes(id) && !OUT_OF_SERVICE.includes(id))
  .slice(0, 5);
const MAX_PLAN_ATTEMPTS = 3;
const MAX_MODEL_TURNS = 3;

type Reply = { kind: string; content?: string; calls?: { name: string; args: Record<string, unknown> }[] };

// --------------------------------------------------------------- garbage
const weirdString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom("", " ", "\u0000", "ツ💥", "'; DROP TABLE crews;--", "null", "__proto__"),
);
const anyId = fc.oneof(fc.constantFrom(...CREWS, ...DAMAGED, ...OUT_OF_SERVICE, ...WORKING), weirdString);
const weirdNumber = fc.oneof(
  fc.integer(),
  fc.constantFrom(-1, 0, 1e308, -1e308, Number.MAX_SAFE_INTEGER, 2 ** 53 + 1),
  fc.double(),
);
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  anyId,
  weirdNumber,
  fc.boolean(),
  fc.constant(null),
  fc.array(anyId, { maxLength: 4 }),
  fc.dictionary(weirdString, anyId, { maxKeys: 3 }),
);
const hugeArray = fc
  .integer({ min: 501, max: 3000 })
  .map((n) => Array.from({ length: n }, (_, i) => (i % 2 ? DAMAGED[i % DAMAGED.length] : `X-${i}`)));
const idList = fc.oneof(fc.array(anyId, { maxLength: 6 }), hugeArray, weirdNumber, fc.constant(null), anyId);

const assignment = fc.record({ crew_id: fc.oneof(anyId, weirdNumber), asset_ids: idList }, { requiredKeys: [] });
const assignArgs = fc.oneof(
  // plausible shape, hostile content: unknown ids, out-of-service assets, working assets, a crew twice
  fc.record(
    { assignments: fc.array(assignment, { maxLength: 4 }), reasoning: fc.oneof(weirdString, weirdNumber) },
    { requiredKeys: [] },
  ),
  fc.constantFrom(...CREWS).chain((crew) =>
    fc.constant({
      assignments: [
        { crew_id: crew, asset_ids: [DAMAGED[0]] },
        { crew_id: crew, asset_ids: [DAMAGED[1]] },
      ],
      reasoning: "same crew twice",
    }),
  ),
  fc
    .constantFrom(...OUT_OF_SERVICE)
    .map((a) => ({ assignments: [{ crew_id: CREWS[0], asset_ids: [a] }], reasoning: "only out of service" })),
  fc.constant({ assignments: [{ crew_id: "WTR-1", asset_ids: ["TX-3B"] }], reasoning: "wrong skill" }),
  fc.constant({ assignments: [{ crew_id: "PWR-1", asset_ids: ["TX-3B", "TX-3B"] }], reasoning: "asset twice" }),
  fc.dictionary(weirdString, anyValue, { maxKeys: 4 }),
);
const agentCall = fc.record({
  name: fc.constantFrom(
    "get_weather_at_location",
    "get_crew_location",
    "get_crew_remaining_capacity",
    "estimate_repair_time",
    "estimate_arrival_time",
    "propose_dispatch_plan",
    "get_available_crews",
  ),
  args: fc.oneof(
    fc.record({ locations: idList, crew_ids: idList, asset_ids: idList }, { requiredKeys: [] }),
    fc.dictionary(weirdString, anyValue, { maxKeys: 3 }),
  ),
});
const call = fc.oneof(
  {
    weight: 3,
    arbitrary: assignArgs.map((args) => ({ name: "assign_repair_crew", args: args as Record<string, unknown> })),
  },
  { weight: 2, arbitrary: agentCall as fc.Arbitrary<{ name: string; args: Record<string, unknown> }> },
  {
    weight: 1,
    arbitrary: fc.record({ name: fc.constantFrom("detect_failure_nodes", "estimate_impact"), args: fc.constant({}) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      name: fc.oneof(
        weirdString.filter((s) => s.length > 0),
        fc.constantFrom("send_all_crews", "shutdown_grid"),
      ),
      args: fc.dictionary(weirdString, anyValue, { maxKeys: 2 }),
    }),
  },
);

const toolsReply: fc.Arbitrary<Reply> = fc.oneof(
  { weight: 4, arbitrary: fc.array(call, { minLength: 1, maxLength: 4 }).map((calls) => ({ kind: "calls", calls })) },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }).map((content) => ({ kind: "text", content })) },
  { weight: 1, arbitrary: fc.constant({ kind: "empty", content: "" }) },
);
const jsonReply: fc.Arbitrary<Reply> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .tuple(call, fc.constantFrom("plain", "fenced", "chatty", "truncated", "no-action", "args-array"))
      .map(([c, style]) => {
        const body = JSON.stringify({ thoughts: "hmm", action: c.name, arguments: c.args });
        const content =
          style === "fenced"
            ? "```json\n" + body + "\n```"
            : style === "chatty"
              ? `Sure! Here you go: ${body} Hope that helps.`
              : style === "truncated"
                ? body.slice(0, Math.max(1, Math.floor(body.length / 2)))
                : style === "no-action"
                  ? JSON.stringify({ thoughts: "x", arguments: c.args })
                  : style === "args-array"
                    ? JSON.stringify({ action: c.name, arguments: [1, 2] })
                    : body;
        return {
          kind: style === "plain" || style === "fenced" || style === "chatty" ? "calls" : "broken-json",
          content,
        };
      }),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }).map((content) => ({ kind: "text", content })) },
  { weight: 1, arbitrary: fc.constant({ kind: "empty", content: "" }) },
);

// --------------------------------------------------------------- the run
const REASON =
  /did not contain|error|not available|unknown|refused|rejected|invalid|expected|required|must|too large|too many|no tool|empty|could not|cannot|not damaged|twice|lacks|no JSON|not a|needs/i;
let garbageReplies = 0;
const tried: Record<string, number> = {};

async function runWithGarbage(protocol: "tools" | "json", replies: Reply[]) {
  let next = 0;
  const recording: Recording = { boundTools: [], requests: [] };
  const model = new ScriptedModel(() => {
    // The script cycles: a model that never gets better must still be stopped by the bounds.
    const r = replies[next++ % replies.length];
    garbageReplies++;
    return r;
  }, recording);
  const worlds = new InstrumentedWorldProvider(scenario);
  const app = buildGraph({ worlds, model }).compile({ checkpointer: new MemorySaver() });
  const thread = `hostile-${protocol}-${garbageReplies}`;
  const config = {
    configurable: {
      thread_id: thread,
      scenario: "demo",
      model: "offline",
      protocol,
      maxPlanAttempts: MAX_PLAN_ATTEMPTS,
      maxModelTurns: MAX_MODEL_TURNS,
    },
    recursionLimit: 100,
  };
  const state = (await app.invoke(
    { trigger: { kind: "alert", at: 0, message: "failures reported" } },
    config,
  )) as AgentState;
  return { state, recording, applied: worlds.applied };
}

function checkProperties(protocol: "tools" | "json", state: AgentState, recording: Recording, applied: string[]) {
  // The run ended in FINAL, by the graph's own rules.
  expect(state.statesVisited.at(-1)).toBe("FINAL");
  expect(state.fatalError).toBeNull();
  expect(["stable", "waiting", "healthy"]).toContain(state.status);
  // No invalid plan applied.
  expect(invalidDispatches(scenario, expandDispatchLog(state.dispatchLog))).toEqual([]);
  expect(expandDispatchLog(state.dispatchLog).length).toBeGreaterThan(0);
  // Nothing reached the crews but through EXECUTION's record (no tool call of the model dispatches).
  expect(new Set(applied)).toEqual(new Set(expandDispatchLog(state.dispatchLog).map((e) => e.dispatchId)));
  // Bounded: every planning round ended with a valid plan from the model or the fallback.
  const c = state.counters;
  const validModelPlans = state.planHistory.filter((p) => p.source === "model" && p.valid).length;
  expect(c.planningRounds).toBe(validModelPlans + c.fallbacks);
  expect(c.invalidPlans).toBeLessThanOrEqual(c.planningRounds * MAX_PLAN_ATTEMPTS);
  expect(c.modelCalls).toBeLessThanOrEqual(c.planningRounds * MAX_PLAN_ATTEMPTS * MAX_MODEL_TURNS);
  expect(recording.requests.length).toBe(c.modelCalls);
  for (const p of state.planHistory) if (!p.valid) expect(p.errors.length).toBeGreaterThan(0);
  // Every reply was answered in the next request of its conversation, with a reason when refused;
  // only the last reply of a round may go unanswered (accepted, or the optimizer took over).
  const answered = answeredReplies(protocol, recording.requests);
  expect(recording.requests.length - answered).toBeLessThanOrEqual(c.planningRounds);
}

/** Count the model's replies that came back to it followed by an answer, checking each answer. */
function answeredReplies(protocol: "tools" | "json", requests: BaseMessage[][]): number {
  const seen = new Set<string>();
  for (const req of requests) {
    req.forEach((m, i) => {
      if (m.getType() !== "ai" || !m.id || seen.has(m.id)) return;
      seen.add(m.id);
      const after: BaseMessage[] = [];
      for (let j = i + 1; j < req.length && req[j].getType() !== "ai"; j++) after.push(req[j]);
      expect(after.length, `reply ${m.id} came back with no answer`).toBeGreaterThan(0);
      const text = after.map((a) => String(a.content)).join("\n");
      const ai = m as AIMessage;
      if (protocol === "tools" && ai.tool_calls?.length) {
        // Each call gets its own result; a refused call says why.
        for (const tc of ai.tool_calls) {
          const answer = after.find((a) => a instanceof ToolMessage && a.tool_call_id === tc.id) as
            | ToolMessage
            | undefined;
          if (tc.name !== "assign_repair_crew") expect(answer, `call ${tc.name} got no result`).toBeDefined();
          if (answer?.status === "error") expect(String(answer.content)).toMatch(REASON);
        }
      } else if (protocol === "tools" || !/"action"\s*:/.test(String(ai.content))) {
        expect(text).toMatch(REASON);
      }
    });
  }
  return seen.size;
}

afterAll(() => {
  console.log(
    `hostile model: ${garbageReplies} garbage replies tried (${Object.entries(tried)
      .map(([k, v]) => `${k}: ${v} runs`)
      .join(", ")}); no exception escaped, no invalid plan applied`,
  );
});

describe.each(["tools", "json"] as const)("a model that answers garbage (%s protocol)", (protocol) => {
  it("never crashes the graph, never gets an invalid plan applied, is told why, and is replaced by the optimizer", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(protocol === "tools" ? toolsReply : jsonReply, { minLength: 1, maxLength: 12 }),
        async (replies) => {
          tried[protocol] = (tried[protocol] ?? 0) + 1;
          const { state, recording, applied } = await runWithGarbage(protocol, replies);
          checkProperties(protocol, state, recording, applied);
        },
      ),
      { numRuns: 100 },
    );
  }, 300_000);
});
