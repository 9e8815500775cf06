/**
 * One incident from first alert to full restoration: the graph is triggered by the first
 * alert and runs to FINAL; the world goes on; every later alert (a delayed cascade, new storm
 * damage, a crew freed while assets wait) triggers the graph again on the same incident
 * thread, until the network is restored and nothing more will happen. The world's clock, not
 * the wall clock, drives it. Used by the CLI, the examples, the evaluation and the tests.
 */
import type { IncidentStatus } from "../memory/outcomes.js";
import { randomUUID } from "node:crypto";
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import { Command, MemorySaver } from "@langchain/langgraph";
import { GRAPH_RECURSION_LIMIT, type Configuration, DEFAULTS } from "../graph/configuration.js";
import { buildGraph } from "../graph/graph.js";
import type { GraphDeps } from "../graph/runtime.js";
import { livePins } from "../planning/constraints.js";
import type { AgentState, FsmState, OperatorDecisionRecord, RunCounters } from "../graph/state.js";
import { SimulatorWorldProvider } from "../graph/world-provider.js";
import type { SimulatedIncidentWorld } from "../planning/incident-world.js";
import type { DispatchRecord, EpisodeMetrics } from "../world/types.js";
import { incidentTraceConfig, tagStateRuns } from "../observability/tracing.js";
import { crashPoint } from "../persistence/crash-points.js";
import type { NodeFaultPolicy } from "../persistence/node-faults.js";
import { STEPS_FOR_ONE_DISPATCH } from "../limits.js";
import type { IncidentLease } from "../persistence/lease.js";

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
  /** The incident's lease: dispatches are sent through it (fenced, once per id). Pass `fencedSaver(saver, lease)` as the checkpointer. */
  lease?: Pick<IncidentLease, "dispatch">;
  /** Resume an incident whose thread is in the checkpointer (it continues from its last checkpoint). */
  resume?: boolean;
  /** Interrupt handler (operator approval): given the interrupt's value, returns the resume value. */
  onInterrupt?: (value: unknown) => Promise<unknown>;
  /** Retries, backoff and time limits of the graph's nodes (default: DEFAULT_NODE_FAULT_POLICY). */
  faultPolicy?: NodeFaultPolicy;
  /**
   * When checkpoints are written (LangGraph's durability). "sync" (the default): each step's
   * checkpoint is with the store before the next step starts, so a dispatch leaves the process
   * only after the plan that produced it is durable. "async" lets a store with a non-blocking
   * driver (PostgreSQL) fall behind the run: a kill then loses dispatches.
   */
  durability?: "sync" | "async";
}

export interface IncidentResult {
  incidentId: string;
  scenario: string;
  status: IncidentStatus;
  reason: string;
  runs: number;
  triggers: { kind: string; at: number; message: string }[];
  statesVisited: FsmState[];
  counters: RunCounters;
  /** The operator's decisions (requireApproval): how many, and the last ones kept in state, each at its minute. */
  operatorDecisions: {
    count: number;
    byKind: Record<string, number>;
    list: OperatorDecisionRecord[];
    pinnedNow: AgentState["operatorPins"];
  };
  metrics: EpisodeMetrics;
  dispatches: DispatchRecord[];
  finalState: AgentState;
  world: SimulatedIncidentWorld;
}

export async function runIncident(options: IncidentOptions = {}): Promise<IncidentResult> {
  const worlds = options.worlds ?? new SimulatorWorldProvider();
  const checkpointer = options.checkpointer ?? new MemorySaver();
  // Each FSM state's run is tagged state:<NAME> in traces.
  const app = tagStateRuns(
    buildGraph(
      {
        worlds,
        ...(options.model ? { model: options.model } : {}),
        ...(options.lease ? { sendDispatches: options.lease.dispatch } : {}),
      },
      options.faultPolicy,
    ).compile({
      checkpointer,
    }),
  );
  const incidentId = options.incidentId ?? `incident-${randomUUID().slice(0, 8)}`;
  const config = {
    configurable: {
      thread_id: incidentId,
      ...options.config,
      ...(options.scenario ? { scenario: options.scenario } : {}),
    },
    recursionLimit: GRAPH_RECURSION_LIMIT,
  };
  const triggers: IncidentResult["triggers"] = [];
  const statesVisited: FsmState[] = [];
  let runs = 0;
  let runsAtStepLimit = 0;
  let status: IncidentResult["status"] = "stable";
  let reason = "";

  let input: unknown = { trigger: { kind: "alert", at: 0, message: "failures reported" }, incidentId };
  // Whether a graph run is due before the world may go on (false: the last run had finished).
  let runDue = true;
  // The trigger of the current run, which names its crash points (the same in every process).
  let runTag = "alert@0";
  let resumedTrigger: IncidentResult["triggers"][number] | undefined;
  if (options.resume) {
    const snapshot = await app.getState(config);
    // A run that stopped mid-way goes on; so does one waiting for an operator (an interrupt asked
    // again in the same task shows under tasks, not under next), and one that died right after
    // its start (its input's writes are saved, its first step's checkpoint is not: a task with
    // a result, and nothing under next). A finished run leaves no task.
    const unfinished = snapshot.next.length > 0 || snapshot.tasks.length > 0;
    if (!snapshot.values?.scenario && !unfinished)
      throw new Error(`no incident "${incidentId}" in this checkpoint store`);
    const last = (snapshot.values as AgentState).trigger;
    if (last) runTag = `${last.kind}@${last.at}`;
    // Between runs (the last one finished), the world goes on to its next alert, exactly as
    // in a process that was never interrupted: no extra run at the checkpoint's clock.
    if (unfinished) input = null;
    else runDue = false;
    // The run that goes on is listed with the trigger that started it, marked as resumed.
    if (unfinished && last)
      resumedTrigger = { kind: last.kind, at: last.at ?? 0, message: `${last.message ?? ""} (resumed)`.trim() };
  }
  const maxRuns = options.maxRuns ?? 500;
  while (runs < maxRuns) {
    if (runDue) {
      runs++;
      if (input && typeof input === "object" && "trigger" in (input as object)) {
        const t = (input as { trigger: { kind: string; at: number; message: string } }).trigger;
        triggers.push(t);
        runTag = `${t.kind}@${t.at}`;
        options.onTrigger?.(t, runs);
      } else if (resumedTrigger) {
        triggers.push(resumedTrigger);
        options.onTrigger?.(resumedTrigger, runs);
        resumedTrigger = undefined;
      }
      // Traces: each graph run is named for the incident, with its trigger and simulated clock in metadata.
      const scenarioName = String(config.configurable.scenario ?? DEFAULTS.scenario);
      const trace = incidentTraceConfig({
        incidentId,
        scenario: scenarioName,
        run: runs,
        trigger: input ? triggers[triggers.length - 1] : undefined,
      });
      await streamRun(app, input, { ...config, ...trace }, runs, statesVisited, options);
    }
    runDue = true;
    const state = (await app.getState(config)).values as AgentState;
    if (state.status === "error") {
      status = state.status;
      reason = state.finalReason ?? "";
      break;
    }
    const world = worlds.get({
      threadId: incidentId,
      scenario: state.scenario,
      seed: state.seed,
      dispatchLog: state.dispatchLog,
      clock: state.clock,
    });
    if (state.status === "max_steps") {
      // The step limit bounds one graph run, not the incident: an incident that keeps producing
      // new damage (a long storm) goes on in a fresh run, at once if work is waiting.
      runsAtStepLimit++;
      if (runsAtStepLimit >= maxRuns / 2) {
        status = "max_steps";
        reason = `${runsAtStepLimit} runs hit the step limit: ${state.finalReason ?? ""}`;
        break;
      }
      // A run that dispatched nothing would do the same again from the same state: no new run.
      const dispatched = state.executionResults.reduce((n, r) => n + r.dispatchedCount, 0);
      if (dispatched === 0) {
        status = "max_steps";
        reason =
          `a run stopped at its step limit (${state.maxSteps}) before dispatching anything; ` +
          `a planning round and its dispatch take ${STEPS_FOR_ONE_DISPATCH} steps: ${state.finalReason ?? ""}`;
        break;
      }
      if (world.simulator.workableUnassignedIds().length > 0) {
        input = {
          trigger: {
            kind: "step_limit",
            at: world.now(),
            message: `the last run stopped at its step limit (${state.maxSteps}) with work left`,
          },
        };
        continue;
      }
    }
    // The graph has done what it can; let the world go on until the next alert.
    const alerts = world.waitForChange(Infinity);
    if (alerts.length === 0) {
      if (world.simulator.isFullyRestored()) {
        status = "restored";
        reason = "the network is fully restored";
      } else {
        const waiting = world.simulator.unassignedDamagedIds();
        status = waiting.length ? "unrestorable" : "stable";
        const why = new Map(world.simulator.noCrewCanTake().map((u) => [u.asset, u.reason]));
        const named = waiting
          .slice(0, 10)
          .map((id) => (why.has(id) ? `${id} (${why.get(id)})` : id))
          .join("; ");
        reason = waiting.length
          ? `${waiting.length} damaged asset(s) no crew can repair: ${named}`
          : (state.finalReason ?? "");
      }
      break;
    }
    input = { trigger: { kind: alerts[0].kind, at: world.now(), message: alerts.map((a) => a.message).join("; ") } };
    // The world moved on in memory only: a crash here must lose nothing (the resume re-derives it).
    crashPoint(`${runTag}/between-runs`);
  }
  const finalState = (await app.getState(config)).values as AgentState;
  const world = worlds.get({
    threadId: incidentId,
    scenario: finalState.scenario,
    seed: finalState.seed,
    dispatchLog: finalState.dispatchLog,
    clock: Math.max(finalState.clock, worldClock(worlds, incidentId)),
  });
  return {
    incidentId,
    scenario: finalState.scenario,
    status,
    reason,
    runs,
    triggers,
    statesVisited,
    counters: finalState.counters,
    operatorDecisions: decisionsOf(finalState, world),
    metrics: world.metrics(),
    dispatches: world.dispatches(),
    finalState,
    world,
  };
}

function decisionsOf(s: AgentState, world: SimulatedIncidentWorld): IncidentResult["operatorDecisions"] {
  const list = s.operatorDecisions ?? [];
  const byKind: Record<string, number> = {};
  for (const d of list) byKind[d.decision] = (byKind[d.decision] ?? 0) + 1;
  // Pins still standing at the end: work done or started since the last planning round is no longer pinned.
  const pinnedNow = livePins(
    s.operatorPins ?? [],
    world.dispatches(),
    new Set(world.simulator.crewSummaries().map((c) => c.id)),
  ).kept;
  return { count: s.operatorDecisionCount ?? list.length, byKind, list, pinnedNow };
}

function worldClock(worlds: SimulatorWorldProvider, threadId: string): number {
  return worlds.peek(threadId)?.now() ?? 0;
}

async function streamRun(
  app: ReturnType<ReturnType<typeof buildGraph>["compile"]>,
  input: unknown,
  config: Record<string, unknown>,
  run: number,
  statesVisited: FsmState[],
  options: IncidentOptions,
): Promise<void> {
  let next: unknown = input;
  for (;;) {
    let interrupted: unknown;
    const stream = await app.stream(
      next as never,
      { ...config, streamMode: "updates", durability: options.durability ?? "sync" } as never,
    );
    for await (const chunk of stream as AsyncIterable<Record<string, unknown>>) {
      for (const [name, update] of stepUpdates(chunk)) {
        if (name === "__interrupt__") {
          interrupted = (update as { value: unknown }[])[0]?.value;
          continue;
        }
        statesVisited.push(name as FsmState);
        options.onStep?.(name as FsmState, (update ?? {}) as Partial<AgentState>, run);
      }
    }
    if (interrupted === undefined) return;
    if (!options.onInterrupt)
      throw new Error(
        "the graph asked for operator approval but no one can answer (set onInterrupt, or turn requireApproval off)",
      );
    next = new Command({ resume: await options.onInterrupt(interrupted) });
  }
}

/**
 * The FSM steps in one "updates" chunk. LangGraph adds keys that are not states: `__metadata__`
 * (on writes replayed from a checkpoint, e.g. after a crash) is skipped; a node that wrote
 * several times comes as a list of updates, each one a step. `__interrupt__` is passed on.
 */
export function stepUpdates(chunk: Record<string, unknown>): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const [name, update] of Object.entries(chunk)) {
    if (name === "__interrupt__") {
      out.push([name, update]);
      continue;
    }
    if (name.startsWith("__")) continue;
    if (Array.isArray(update)) for (const u of update) out.push([name, u]);
    else out.push([name, update]);
  }
  return out;
}
