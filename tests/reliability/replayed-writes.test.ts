/**
 * A step whose writes were saved but whose checkpoint was not (a process that died between the
 * two) is replayed by LangGraph on resume: its update chunk carries a `__metadata__` key next to
 * the state's name. The runner must not take it for an FSM state (it crashed the CLI's step log).
 */
import { MemorySaver } from "@langchain/langgraph";
import type { RunnableConfig } from "@langchain/core/runnables";
import type { Checkpoint, CheckpointMetadata } from "@langchain/langgraph-checkpoint";
import { describe, expect, it } from "vitest";
import { runIncident, stepUpdates } from "../../src/incident/runner.js";
import { FSM_STATES } from "../../src/graph/state.js";
import { describeStep } from "../../src/cli/format.js";

/** A store whose checkpoint writes fail from the n-th on, while task writes still land: a crash between the two. */
class DyingSaver extends MemorySaver {
  puts = 0;
  constructor(private failFrom: number) {
    super();
  }
  revive() {
    this.failFrom = Infinity;
  }
  override async put(
    config: RunnableConfig,
    checkpoint: Checkpoint,
    metadata: CheckpointMetadata,
  ): Promise<RunnableConfig> {
    if (++this.puts >= this.failFrom) throw new Error("the process died here");
    return super.put(config, checkpoint, metadata);
  }
}

describe("replayed writes on resume", () => {
  it("stepUpdates skips __metadata__ and splits a node's several updates", () => {
    const chunk = { EXECUTION: { stepCount: 5 }, __metadata__: { cached: true } };
    expect(stepUpdates(chunk)).toEqual([["EXECUTION", { stepCount: 5 }]]);
    expect(stepUpdates({ RESCHEDULING: [{ a: 1 }, { a: 2 }] })).toEqual([
      ["RESCHEDULING", { a: 1 }],
      ["RESCHEDULING", { a: 2 }],
    ]);
    expect(stepUpdates({ __interrupt__: [{ value: 1 }] })).toEqual([["__interrupt__", [{ value: 1 }]]]);
  });

  it("a resumed incident whose last step's writes are replayed reports only FSM states, and each can be described", async () => {
    // Die after the first few checkpoints: EXECUTION of the first plan has run, its checkpoint is lost.
    const saver = new DyingSaver(7);
    const incidentId = "incident-replayed";
    await expect(runIncident({ incidentId, checkpointer: saver, config: { model: "offline" } })).rejects.toThrow(
      /died/,
    );
    saver.revive();
    const names: string[] = [];
    const result = await runIncident({
      incidentId,
      checkpointer: saver,
      resume: true,
      config: { model: "offline" },
      onStep: (name, update) => {
        names.push(name);
        expect(Array.isArray(describeStep(name, update))).toBe(true);
      },
    });
    expect(result.status).toBe("restored");
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((n) => !(FSM_STATES as readonly string[]).includes(n))).toEqual([]);
  });
});
