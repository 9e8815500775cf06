/**
 * Every state channel is written into each checkpoint. A reducer channel that holds undefined
 * is left out, and LangGraph then rebuilds it on every load by walking all of the thread's
 * earlier checkpoints: loading state grows with the incident's length.
 */
import { MemorySaver } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import { InputAnnotation, StateAnnotation } from "../../src/graph/state.js";
import { runIncident } from "../../src/incident/runner.js";

describe("checkpoints", () => {
  it("hold every state channel, including an unset seed", async () => {
    const saver = new MemorySaver();
    // No seed configured: the scenario's own is used, and the channel must still be stored.
    await runIncident({ scenario: "demo", incidentId: "shape", checkpointer: saver, config: { model: "offline" } });
    const tuple = await saver.getTuple({ configurable: { thread_id: "shape" } });
    const stored = tuple!.checkpoint.channel_values;
    const inputOnly = new Set(Object.keys(InputAnnotation.spec));
    const missing = Object.keys(StateAnnotation.spec).filter((k) => !inputOnly.has(k) && !(k in stored));
    expect(missing).toEqual([]);
    expect(stored.seed).toBeNull();
  });
});
