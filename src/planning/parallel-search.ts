/**
 * A second search on the machine's other core: the optimizer searches from two starts when the
 * group greedy's plan is the best one (optimizer.ts), each with the full budget, and they do not
 * depend on each other. The second runs in one worker thread (search-worker.ts), kept for the
 * process and not holding it open, while the caller searches the first; the caller then waits for
 * it synchronously (planning stays a plain function call).
 *
 * It decides nothing: the worker rebuilds the world from its scenario and dispatch log and makes
 * the search the caller would make on a fresh surrogate, and its answer is used only when its
 * fingerprint equals the caller's (search-fingerprint.ts). Otherwise (one core, no worker, an
 * error, a world that does not rebuild the same) the caller searches the second start itself:
 * the same plan, later.
 */
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { pathToFileURL } from "node:url";
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from "node:worker_threads";
import { PARALLEL_SEARCH_WAIT_MARGIN_MS } from "../limits.js";
import type { SearchJob, SearchReply } from "./search-worker.js";

interface Helper {
  worker: Worker;
  port: MessagePort;
  /** 0 while a job runs, 1 when its reply is posted, 2 when the worker could not start. */
  flag: Int32Array;
}

let helper: Helper | null | undefined;

/** The worker's entry: the TypeScript source through tsx's loader when this module runs from source. */
function entryCode(): string {
  const fromSource = import.meta.url.endsWith(".ts");
  const entry = new URL(fromSource ? "./search-worker.ts" : "./search-worker.js", import.meta.url).href;
  const failed = `(e) => { const { workerData } = require("node:worker_threads"); Atomics.store(workerData.flag, 0, 2); Atomics.notify(workerData.flag, 0); }`;
  if (!fromSource) return `import(${JSON.stringify(entry)}).catch(${failed});`;
  // tsx's ESM entry (its CommonJS one registers hooks the worker cannot resolve).
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx/esm/api")).href.replace(/\.cjs$/, ".mjs");
  return `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); }).catch(${failed});`;
}

function theHelper(): Helper | null {
  if (helper !== undefined) return helper;
  helper = null;
  if (availableParallelism() < 2) return helper;
  try {
    const { port1, port2 } = new MessageChannel();
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const worker = new Worker(entryCode(), { eval: true, workerData: { port: port2, flag }, transferList: [port2] });
    worker.unref();
    port1.unref();
    worker.on("error", () => stop());
    helper = { worker, port: port1, flag };
  } catch {
    helper = null;
  }
  return helper;
}

function stop(): void {
  if (helper) void helper.worker.terminate();
  helper = null;
}

/**
 * Start the worker now (it loads the planner's modules, a few hundred ms) so that it is ready when
 * a search needs it: the optimizer calls this before it constructs its plans.
 */
export function prepareParallelSearch(): void {
  theHelper();
}

/**
 * Start `job` on the other core. Returns a function that waits for its reply (at most the search's
 * wall-clock cap and a margin) and gives it, or null when there is no worker, it failed, or it did
 * not answer in time (the worker is then stopped, and later rounds search on one core).
 */
export function searchInParallel(job: SearchJob): (() => Extract<SearchReply, { ok: true }> | null) | null {
  const h = theHelper();
  if (!h) return null;
  Atomics.store(h.flag, 0, 0);
  try {
    h.port.postMessage(job);
  } catch {
    stop();
    return null;
  }
  return () => {
    if (helper !== h) return null;
    const waited = Atomics.wait(h.flag, 0, 0, job.budget.wallClockMs + PARALLEL_SEARCH_WAIT_MARGIN_MS);
    const state = Atomics.load(h.flag, 0);
    if (waited === "timed-out" || state !== 1) {
      stop();
      return null;
    }
    const reply = receiveMessageOnPort(h.port)?.message as SearchReply | undefined;
    return reply?.ok ? reply : null;
  };
}
