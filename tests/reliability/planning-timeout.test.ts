/**
 * A REPAIR_PLANNING attempt that runs out of time stops: its model call is aborted through the
 * AbortSignal it was given, and it calls neither the model nor the tools again, while the retry
 * plans in a conversation of its own.
 */
import type { BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import { describe, expect, it } from "vitest";
import { runIncident } from "../../src/incident/runner.js";
import { OfflinePlannerModel } from "../../src/models/offline-planner.js";
import type { NodeFaultPolicy } from "../../src/persistence/node-faults.js";

/** Far above what a planning attempt takes on the demo (milliseconds), so a busy machine times out only the hung call. */
const PLANNING_TIMEOUT_MS = 2_000;
const POLICY: NodeFaultPolicy = {
  maxAttempts: 3,
  initialIntervalMs: 5,
  backoffFactor: 2,
  maxIntervalMs: 50,
  timeoutMs: 60_000,
  planningTimeoutMs: PLANNING_TIMEOUT_MS,
};

interface Call {
  signal?: AbortSignal;
  abortedAtStart: boolean;
  settled: boolean;
}

interface Shared {
  honoursSignal: boolean;
  calls: Call[];
  release: () => void;
}

/** The offline planner, whose very first call hangs: until its signal is aborted, or (`honoursSignal` false) until released. */
class FirstCallHangs extends OfflinePlannerModel {
  constructor(
    readonly shared: Shared,
    boundTools: string[] | null = null,
  ) {
    super({ boundTools });
  }
  get calls() {
    return this.shared.calls;
  }
  release() {
    this.shared.release();
  }
  override bindTools(tools: Parameters<OfflinePlannerModel["bindTools"]>[0]): FirstCallHangs {
    return new FirstCallHangs(this.shared, super.bindTools(tools).boundTools);
  }
  override async _generate(messages: BaseMessage[], options?: this["ParsedCallOptions"]): Promise<ChatResult> {
    const call: Call = { signal: options?.signal, abortedAtStart: Boolean(options?.signal?.aborted), settled: false };
    const { shared } = this;
    shared.calls.push(call);
    try {
      if (shared.calls.length === 1) {
        await new Promise<void>((resolve, reject) => {
          shared.release = resolve;
          if (shared.honoursSignal)
            options?.signal?.addEventListener("abort", () => reject(options.signal?.reason), { once: true });
        });
      }
      return await super._generate(messages);
    } finally {
      call.settled = true;
    }
  }
}

const hanging = (honoursSignal: boolean) => new FirstCallHangs({ honoursSignal, calls: [], release: () => {} });

async function incidentWith(model: FirstCallHangs) {
  return runIncident({ scenario: "demo", model, faultPolicy: POLICY, config: { model: "offline" } });
}

describe("a timed-out planning attempt", () => {
  it("has its model call aborted, and the retry plans the incident", async () => {
    const model = hanging(true);
    const r = await incidentWith(model);
    expect(r.status).toBe("restored");
    const first = model.calls[0];
    expect(first.signal).toBeDefined();
    expect(first.signal!.aborted).toBe(true);
    expect(first.settled).toBe(true);
    // The retry's calls had live signals; the run says what was retried.
    expect(model.calls.slice(1).every((c) => !c.abortedAtStart)).toBe(true);
    expect(r.finalState.counters.fallbacks).toBe(0);
  });

  it("stops when its model call comes back late: no more model calls or tools from it", async () => {
    const model = hanging(false);
    const r = await incidentWith(model);
    expect(r.status).toBe("restored");
    const callsAfterIncident = model.calls.length;
    // The hung call comes back now, long after its attempt timed out.
    model.release();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(model.calls[0].settled).toBe(true);
    expect(model.calls.length).toBe(callsAfterIncident);
  });
});
