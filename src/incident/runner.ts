/**
 * One incident from first alert to full restoration: the graph is triggered by the first
 * alert and runs to FINAL; the world goes on; every later alert (a delayed cascade, new storm
 * damage, a crew freed while assets wait) triggers the graph again on the same incident
 * thread, until the network is restored and nothing more will happen. The world's clock, not
 * the wall clock, drives it. Used by the CLI, the examples, the evaluation and the tests.
 */
import { randomUUID } from "node:crypto";
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import { Command, MemorySaver } from "@langchain/langgraph";
import { recursionLimitFor, type Configuration, DEFAULTS } from "../graph/configuration.js";
import { buildGraph } from "../graph/graph.js";
import type { GraphDeps } from "../graph/runtime.js";
import type { AgentState, FsmState, RunCounters } from "../graph/state.js";
import { SimulatorWorldProvider, type SimulatedIncidentWorld } from "../graph/world-provider.js";
import type { DispatchRecord, EpisodeMetrics } from "../world/types.js";

export interface IncidentOptions {
  scenario?: string;
  /** Settings as in the graph's configuration; unset ones take their defaults. */
  config?: Partial<Configuration>;
  incidentId?: string;
  checkpointer?: BaseCheckpointSaver;
  worlds?: SimulatorWorldProvider;
  model?: GraphDeps["model"];
  /** Called with each FSM step as it happens: the state's name and its update. */
  onStep?: (state: FsmState, update: Partial<AgentState>, run: number) => void;
  /** Called when a graph run starts, with what triggered it. */
  onTrigger?: (trigger: { kind: string; at: number; message: string }, run: number) => void;
  /** Safety bound on graph runs in one incident. */
  maxRuns?: number;
  /** Resume an incident whose thread is in the checkpointer (it continues from its last checkpoint). */
  resume?: boolean;
  /** Interrupt handler (operator approval): given the interrupt's value, returns the resume value. */
  onInterrupt?: (value: unknown) => Promise<unknown>;
}

export interface IncidentResult {
  incidentId: string;
  scenario: string;
  status: "restored" | "stable" | "error" | "max_steps" | "unrestorable" | "waiting";
  reason: string;
  runs: number;
  triggers: { kind: string; at: number; message: string }[];
  statesVisited: FsmState[];
  counters: RunCounters;
  metrics: EpisodeMetrics;
  dispatches: DispatchRecord[];
  finalState: AgentState;
  world: SimulatedIncidentWorld;
}

export async function runIncident(options: IncidentOptions = {}): Promise<IncidentResult> {
  const worlds = options.worlds ?? new SimulatorWorldProvider();
  const checkpointer = options.checkpointer ?? new MemorySaver();
  const app = buildGraph({ worlds, ...(options.model ? { model: options.model } : {}) }).compile({ checkpointer });
  const incidentId = options.incidentId ?? `incident-${randomUUID().slice(0, 8)}`;
  const maxSteps = options.config?.maxSteps ?? DEFAULTS.maxSteps;
  const config = {
    configurable: { thread_id: incidentId, ...options.config, ...(options.scenario ? { scenario: options.scenario } : {}) },
    recursionLimit: recursionLimitFor(maxSteps),
  };
  const triggers: IncidentResult["triggers"] = [];
  const statesVisited: FsmState[] = [];
  let runs = 0;
  let status: IncidentResult["status"] = "stable";
  let reason = "";

  let input: unknown = { trigger: { kind: "alert", at: 0, message: "failures reported" }, incidentId };
  if (options.resume) {
    const snapshot = await app.getState(config);
    if (!snapshot.values?.scenario) throw new Error(`no incident "${incidentId}" in this checkpoint store`);
    input = snapshot.next.length > 0 ? null : { trigger: { kind: "resume", at: snapshot.values.clock, message: "resumed" } };
  }
  const maxRuns = options.maxRuns ?? 500;
  while (runs < maxRuns) {
    runs++;
    if (input && typeof input === "object" && "trigger" in (input as object)) {
      const t = (input as { trigger: { kind: string; at: number; message: string } }).trigger;
      triggers.push(t);
      options.onTrigger?.(t, runs);
    }
    await streamRun(app, input, config, runs, statesVisited, options);
    const state = (await app.getState(config)).values as AgentState;
    const world = worlds.get({ threadId: incidentId, scenario: state.scenario, seed: state.seed, dispatchLog: state.dispatchLog, clock: state.clock });
    if (state.status === "error" || state.status === "max_steps") {
      status = state.status;
      reason = state.finalReason ?? "";
      break;
    }
    // The graph has done what it can; let the world go on until the next alert.
    const alerts = world.simulator.advanceUntilAlert();
    if (alerts.length === 0) {
      if (world.simulator.isFullyRestored()) { status = "restored"; reason = "the network is fully restored"; }
      else {
        const waiting = world.simulator.unassignedDamagedIds();
        status = waiting.length ? "unrestorable" : "stable";
        reason = waiting.length ? `${waiting.length} damaged asset(s) no crew can repair: ${waiting.slice(0, 10).join(", ")}` : state.finalReason ?? "";
      }
      break;
    }
    input = { trigger: { kind: alerts[0].kind, at: world.now(), message: alerts.map((a) => a.message).join("; ") } };
  }
  const finalState = (await app.getState(config)).values as AgentState;
  const world = worlds.get({ threadId: incidentId, scenario: finalState.scenario, seed: finalState.seed, dispatchLog: finalState.dispatchLog, clock: Math.max(finalState.clock, worldClock(worlds, incidentId)) });
  return {
    incidentId, scenario: finalState.scenario, status, reason, runs, triggers, statesVisited,
    counters: finalState.counters, metrics: world.metrics(), dispatches: world.dispatches(), finalState, world,
  };
}

function worldClock(worlds: SimulatorWorldProvider, threadId: string): number {
  return worlds.peek(threadId)?.now() ?? 0;
}

async function streamRun(
  app: ReturnType<ReturnType<typeof buildGraph>["compile"]>, input: unknown, config: Record<string, unknown>, run: number,
  statesVisited: FsmState[], options: IncidentOptions,
): Promise<void> {
  let next: unknown = input;
  for (;;) {
    let interrupted: unknown = undefined;
    const stream = await app.stream(next as never, { ...config, streamMode: "updates" } as never);
    for await (const chunk of stream as AsyncIterable<Record<string, unknown>>) {
      for (const [name, update] of Object.entries(chunk)) {
        if (name === "__interrupt__") {
          interrupted = (update as { value: unknown }[])[0]?.value;
          continue;
        }
        statesVisited.push(name as FsmState);
        options.onStep?.(name as FsmState, (update ?? {}) as Partial<AgentState>, run);
      }
    }
    if (interrupted === undefined) return;
    if (!options.onInterrupt) throw new Error("the graph asked for operator approval but no one can answer (set onInterrupt, or turn requireApproval off)");
    next = new Command({ resume: await options.onInterrupt(interrupted) });
  }
}
