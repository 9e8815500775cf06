/**
 * What a node does when a tool or repository fails under it. A transient fault (a timeout, a
 * dropped connection) is retried with backoff by LangGraph's retry policy on the node; a
 * fault that lasts ends the run cleanly: the node returns `fatalError`, the routers send the
 * run to FINAL, and the incident keeps its plan history and the dispatches made so far. The
 * graph run itself never throws for it, so the checkpoint and the caller stay usable.
 *
 * Retrying a node is safe: nodes change the world only through idempotent dispatches, and a
 * world that moved ahead of the checkpointed clock is rebuilt from the state (world-provider).
 */

import { isGraphBubbleUp, type LangGraphRunnableConfig, type RetryPolicy } from "@langchain/langgraph";
import { errorText } from "../format.js";
import { scrub } from "../observability/scrub.js";
import { crashPoint } from "./crash-points.js";

export interface NodeFaultPolicy {
  /** Attempts of one node, the first included. */
  maxAttempts: number;
  initialIntervalMs: number;
  backoffFactor: number;
  maxIntervalMs: number;
  /** One attempt of a node that does not finish in this time fails (and is retried). */
  timeoutMs: number;
  /** REPAIR_PLANNING calls a model several times (each call has its own timeout): a longer bound. */
  planningTimeoutMs: number;
}

export const DEFAULT_NODE_FAULT_POLICY: NodeFaultPolicy = {
  maxAttempts: 3,
  initialIntervalMs: 500,
  backoffFactor: 2,
  maxIntervalMs: 10_000,
  timeoutMs: 120_000,
  planningTimeoutMs: 900_000,
};

/** A fault that retrying cannot cure: a bug or a refusal, not an outage. */
export class PermanentFault extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PermanentFault";
  }
}

export class NodeTimeout extends Error {
  constructor(node: string, ms: number) {
    super(`${node} did not finish within ${ms} ms`);
    this.name = "NodeTimeout";
  }
}

/** Whether a fault may pass if tried again. */
export function isTransient(e: unknown): boolean {
  if (isGraphBubbleUp(e as Error)) return false;
  const err = e as { name?: string; status?: number; response?: { status?: number }; transient?: boolean };
  if (err?.transient === false || e instanceof PermanentFault) return false;
  if (err?.transient === true || e instanceof NodeTimeout) return true;
  // Our own refusals (PlanRejected, ScenarioError) say `transient = false`; these come from zod and the runtime.
  if (["ZodError", "RangeError", "SyntaxError", "ReferenceError"].includes(err?.name ?? "")) return false;
  const status = err?.response?.status ?? err?.status;
  if (status && status >= 400 && status < 500 && status !== 408 && status !== 429) return false;
  return true;
}

/** LangGraph's retry policy for a node, from ours. The node itself decides when to stop (withFaultBarrier). */
export function retryPolicyFor(policy: NodeFaultPolicy): RetryPolicy {
  return {
    maxAttempts: policy.maxAttempts,
    initialInterval: policy.initialIntervalMs,
    backoffFactor: policy.backoffFactor,
    maxInterval: policy.maxIntervalMs,
    // LangGraph's jitter adds up to a whole second; ours is part of the interval.
    jitter: false,
    // Its warning goes to stdout, which --json keeps for the result: retries are reported in state instead.
    logWarning: false,
    retryOn: isTransient,
  };
}

type Node<S, U> = (state: S, config: LangGraphRunnableConfig) => Promise<U>;
type Update = Record<string, unknown>;

/**
 * Wrap a node: each attempt gets a time limit; a transient fault is thrown on to the retry
 * policy while attempts remain; the last attempt's fault, or a permanent one, becomes the
 * run's fatalError. Interrupts (operator approval) pass through untouched.
 */
export function withFaultBarrier<
  S extends { stepCount: number; trigger?: { kind: string; at?: number } },
  U extends object,
>(name: string, node: Node<S, U>, policy: NodeFaultPolicy, timeoutMs = policy.timeoutMs): Node<S, U> {
  const earlier = new Map<string, string[]>();
  return async function barrier(state: S, config: LangGraphRunnableConfig): Promise<U> {
    const info = (config as { executionInfo?: { nodeAttempt?: number; taskId?: string } }).executionInfo;
    const attempt = info?.nodeAttempt ?? 1;
    const key = info?.taskId ?? "";
    if (attempt === 1) earlier.delete(key);
    // A superstep boundary: the previous step's writes are with the checkpointer, this step
    // has not begun (test-only crash point, named by the run's trigger and the step).
    crashPoint(`${state.trigger?.kind ?? "run"}@${state.trigger?.at ?? 0}/${state.stepCount + 1}:${name}`);
    try {
      // Each attempt has its own signal, aborted when its time is up: the model call and the
      // tools under it stop, instead of going on beside the retry.
      const attempt = new AbortController();
      const signal = config.signal ? AbortSignal.any([config.signal, attempt.signal]) : attempt.signal;
      const update = await withTimeout(node(state, { ...config, signal }), timeoutMs, name, attempt);
      const faults = earlier.get(key);
      earlier.delete(key);
      // A recovered fault is kept in the run's errors: operators see what was retried.
      if (faults?.length)
        return {
          ...update,
          errors: [
            ...(((update as Update).errors as string[] | undefined) ?? []),
            ...faults.map((f) => `${name} retried after: ${f}`),
          ],
        } as U;
      return update;
    } catch (e) {
      if (isGraphBubbleUp(e as Error)) throw e;
      const message = describeFault(e);
      if (attempt < policy.maxAttempts && isTransient(e)) {
        earlier.set(key, [...(earlier.get(key) ?? []), message]);
        throw e;
      }
      earlier.delete(key);
      const fatal = `${name} failed${attempt > 1 ? ` after ${attempt} attempts` : ""}: ${message}`;
      const update: Update = {
        stepCount: state.stepCount + 1,
        statesVisited: [name],
        fatalError: fatal,
        errors: [fatal],
      };
      if (name === "FINAL") Object.assign(update, { status: "error", finalReason: fatal });
      return update as U;
    }
  };
}

function withTimeout<T>(work: Promise<T>, ms: number, node: string, attempt: AbortController): Promise<T> {
  if (!Number.isFinite(ms) || ms <= 0) return work;
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const timeout = new NodeTimeout(node, ms);
      attempt.abort(timeout);
      reject(timeout);
    }, ms);
  });
  // The abandoned attempt may still reject (aborted): nobody waits for it any more.
  work.catch(() => {});
  return Promise.race([work, limit]).finally(() => clearTimeout(timer));
}

/** A fault as one line, for state and the log (500 characters at most). */
function describeFault(e: unknown): string {
  // Scrubbed of secrets before it reaches state or a log.
  return scrub(errorText(e, { withStatus: false })).slice(0, 500);
}
