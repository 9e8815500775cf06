/**
 * LangSmith tracing for incidents: turning it on is the LangSmith client's business
 * (LANGSMITH_TRACING=true, LANGSMITH_API_KEY, LANGSMITH_ENDPOINT, LANGSMITH_PROJECT); this
 * module makes the traces tell the story and keeps a bad endpoint from stalling the CLI.
 *
 * - `prepareTracing` checks, before anything runs, that the endpoint answers. The client
 *   would otherwise retry an unreachable endpoint for about a minute and a half before the
 *   process can exit; an unreachable endpoint gets a warning and tracing is off for the run.
 * - `flushTraces` sends what is still queued, with an upper bound on the wait.
 * - `incidentTraceConfig` names each graph run for its incident and puts the scenario,
 *   incident id, trigger and simulated clock in its metadata (inherited by every child run).
 * - `tagStateRuns` tags each FSM state's run (and the model and tool runs inside it)
 *   `state:<NAME>`, which LangGraph's addNode has no option for.
 * - Runs go to LangSmith through the scrubbing tracer (`trace-client.ts`), never through
 *   LangChain's default one: `scrubbedTracing` (used by `incidentTraceConfig` and the service's
 *   workers) puts it in the run's callbacks.
 */
import { clock } from "../format.js";
import { awaitAllCallbacks } from "@langchain/core/callbacks/promises";
import { Client } from "langsmith";
import type { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import { awaitScrubbedTraces, scrubbingTracer } from "./trace-client.js";

type Env = Record<string, string | undefined>;

/** The variables either SDK generation reads to switch tracing on; any of them "true" turns it on. */
const TRACING_SWITCHES = [
  "LANGSMITH_TRACING_V2",
  "LANGCHAIN_TRACING_V2",
  "LANGSMITH_TRACING",
  "LANGCHAIN_TRACING",
] as const;

export function tracingRequested(env: Env = process.env): boolean {
  return TRACING_SWITCHES.some((name) => env[name] === "true");
}

/** Where traces go: LANGSMITH_ENDPOINT (or LANGCHAIN_ENDPOINT), else the client's own default. */
export function langsmithEndpoint(env: Env = process.env): string {
  const fromEnv = env.LANGSMITH_ENDPOINT?.trim() || env.LANGCHAIN_ENDPOINT?.trim();
  return (fromEnv || Client.getDefaultClientConfig().apiUrl).replace(/\/+$/, "");
}

function apiKeyOf(env: Env): string | undefined {
  return env.LANGSMITH_API_KEY?.trim() || env.LANGCHAIN_API_KEY?.trim() || undefined;
}

/** Turn tracing off for the rest of this process (the LangChain callbacks read these on every run). */
export function disableTracing(env: Env = process.env): void {
  for (const name of TRACING_SWITCHES) if (env[name] !== undefined) env[name] = "false";
}

export interface TracingStatus {
  /** Tracing is on for this run. */
  enabled: boolean;
  endpoint?: string;
  /** Why tracing was turned off, or what may go wrong with it. */
  warnings: string[];
}

export interface PrepareTracingOptions {
  env?: Env;
  /** How long the endpoint's /info may take to answer (ms). */
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
}

/**
 * When tracing is requested, check that the endpoint answers GET /info within the timeout.
 * No answer, or an HTTP error, turns tracing off for this process, with a warning saying why.
 */
export async function prepareTracing(options: PrepareTracingOptions = {}): Promise<TracingStatus> {
  const env = options.env ?? process.env;
  if (!tracingRequested(env)) return { enabled: false, warnings: [] };
  const endpoint = langsmithEndpoint(env);
  const timeoutMs = options.timeoutMs ?? 2_000;
  const doFetch = options.fetchImpl ?? fetch;
  const warnings: string[] = [];
  try {
    // The same request the LangSmith client makes first, with the key it would send (to the same endpoint).
    const key = apiKeyOf(env);
    const headers: Record<string, string> = { accept: "application/json", ...(key ? { "x-api-key": key } : {}) };
    const res = await doFetch(`${endpoint}/info`, { method: "GET", headers, signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    // An HTTP error: not a LangSmith API that would take the traces (a wrong URL or a wrong key).
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
  } catch (e) {
    disableTracing(env);
    warnings.push(
      `LangSmith tracing is off for this run: GET ${endpoint}/info failed (${reasonOf(e, timeoutMs)}); check LANGSMITH_ENDPOINT and LANGSMITH_API_KEY`,
    );
    return { enabled: false, endpoint, warnings };
  }
  if (!apiKeyOf(env))
    warnings.push(
      "LANGSMITH_TRACING is true but LANGSMITH_API_KEY is not set: LangSmith will likely refuse the traces",
    );
  return { enabled: true, endpoint, warnings };
}

function reasonOf(e: unknown, timeoutMs: number): string {
  const err = e as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err.name === "TimeoutError" || err.name === "AbortError") return `no answer within ${timeoutMs / 1000} s`;
  return err.cause?.code ?? err.cause?.message ?? err.message ?? String(e);
}

/**
 * Wait for queued trace uploads, but no longer than `timeoutMs`: an endpoint that goes away
 * mid-run must not hold the process. Returns false if the wait was cut short.
 */
export async function flushTraces(timeoutMs = 10_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
    timer.unref();
  });
  try {
    const flushed = Promise.all([awaitAllCallbacks(), awaitScrubbedTraces()]).then(() => true as const);
    return await Promise.race([flushed, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** The simulated clock as T+HH:MM, minutes since the incident began. */
export const simulatedClock = clock;

export interface IncidentRunInfo {
  incidentId: string;
  scenario: string;
  /** 1 for the first graph run of the incident, 2 for the run the next alert triggers, ... */
  run: number;
  /** What started this graph run; absent when resuming mid-run. */
  trigger?: { kind: string; at: number; message?: string };
}

/**
 * Name, tags and metadata of one graph run of an incident, for the invoke/stream config; when
 * tracing is on (now: `disableTracing` may have turned it off), the scrubbing tracer as its
 * callbacks, so that nothing reaches LangSmith unscrubbed.
 */
export function incidentTraceConfig(
  info: IncidentRunInfo,
  env: Env = process.env,
): {
  runName: string;
  tags: string[];
  metadata: Record<string, unknown>;
  callbacks?: BaseCallbackHandler[];
} {
  const scenario = scenarioLabel(info.scenario);
  return {
    ...scrubbedTracing(env),
    runName: `incident ${info.incidentId} (${scenario})`,
    tags: ["incident", ...(info.trigger ? [`trigger:${info.trigger.kind}`] : [])],
    metadata: {
      incident_id: info.incidentId,
      scenario,
      graph_run: info.run,
      ...(info.trigger
        ? { trigger: info.trigger.kind, sim_clock_minutes: info.trigger.at, sim_clock: simulatedClock(info.trigger.at) }
        : {}),
    },
  };
}

/**
 * The callbacks for a traced graph run: the scrubbing tracer when tracing is on (now), none
 * otherwise. Every graph invocation of the product passes this (the CLI's runner through
 * incidentTraceConfig, the service's workers directly), so no run reaches LangSmith unscrubbed.
 */
export function scrubbedTracing(env: Env = process.env): { callbacks?: BaseCallbackHandler[] } {
  return tracingRequested(env) ? { callbacks: [scrubbingTracer()] } : {};
}

/** A scenario given as a path is shown by its file or folder name. */
export function scenarioLabel(scenario: string): string {
  const parts = scenario.split(/[\\/]/).filter(Boolean);
  return parts.length ? parts[parts.length - 1] : scenario;
}

/** The shape of a compiled graph this needs: its nodes, each with the tags its runs get. */
interface TaggableGraph {
  nodes: Record<string, { tags?: string[] }>;
}

/**
 * Tag every FSM state's run `state:<NAME>`. LangGraph gives a node's run the tags of its
 * compiled node, and its children inherit them, so the model and tool runs of
 * REPAIR_PLANNING carry `state:REPAIR_PLANNING` too. Idempotent; returns the graph.
 */
export function tagStateRuns<G extends TaggableGraph>(compiled: G): G {
  for (const [name, node] of Object.entries(compiled.nodes)) {
    if (name.startsWith("__")) continue; // LangGraph's own __start__ and error handlers
    const tag = `state:${name}`;
    if (!(node.tags ?? []).includes(tag)) node.tags = [...(node.tags ?? []), tag];
  }
  return compiled;
}
