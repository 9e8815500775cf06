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
import { performance } from "node:perf_hooks";
import { availableParallelism } from "node:os";
import { pathToFileURL } from "node:url";
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from "node:worker_threads";
import { PARALLEL_SEARCH_WAIT_MARGIN_MS } from "../limits.js";
import type { SearchJob, SearchReply } from "./search-worker.js";

interface Helper {
  worker: Worker;
  port: MessagePort;
  /** The id of the last job whose reply was posted (0 before any), or -1 when the worker could not start. */
  flag: Int32Array;
  /** Ids given to jobs: a reply is matched to its job, so that one left unread (its caller threw) is never taken for another's. */
  nextId: number;
}

let helper: Helper | null | undefined;

/** The worker's entry: the TypeScript source through tsx's loader when this module runs from source. */
function entryCode(): string {
  const fromSource = import.meta.url.endsWith(".ts");
  const entry = new URL(fromSource ? "./search-worker.ts" : "./search-worker.js", import.meta.url).href;
  const failed = `(e) => { const { workerData } = require("node:worker_threads"); Atomics.store(workerData.flag, 0, -1); Atomics.notify(workerData.flag, 0); }`;
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
    helper = { worker, port: port1, flag, nextId: 1 };
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
 * a search needs it: the optimizer calls this when it makes a group greedy's plan, the only start
 * a second search comes from.
 */
export function prepareParallelSearch(): void {
  theHelper();
}

/**
 * Start `job` on the other core. Returns a function that waits for its reply (at most the search's
 * wall-clock cap and a margin) and gives it, or null when there is no worker, it failed, or it did
 * not answer in time (the worker is then stopped, and later rounds search on one core).
 */
export function searchInParallel(job: Omit<SearchJob, "id">): (() => Extract<SearchReply, { ok: true }> | null) | null {
  const h = theHelper();
  if (!h) return null;
  const id = h.nextId++;
  try {
    h.port.postMessage({ ...job, id } satisfies SearchJob);
  } catch {
    stop();
    return null;
  }
  return () => {
    if (helper !== h) return null;
    const deadline = performance.now() + job.budget.wallClockMs + PARALLEL_SEARCH_WAIT_MARGIN_MS;
    for (;;) {
      const done = Atomics.load(h.flag, 0);
      if (done === -1) break;
      if (done >= id) {
        // Replies come in job order: an older one (its caller never read it) is passed over.
        for (let m = receiveMessageOnPort(h.port); m; m = receiveMessageOnPort(h.port)) {
          const reply = m.message as SearchReply;
          if (reply.id === id) return reply.ok ? reply : null;
        }
        break;
      }
      const left = deadline - performance.now();
      if (left <= 0 || Atomics.wait(h.flag, 0, done, left) === "timed-out") break;
    }
    stop();
    return null;
  };
}
