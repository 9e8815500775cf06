/**
 * The second start's search, in a worker thread (src/planning/parallel-search.ts starts it): the
 * world rebuilt from its scenario and dispatch log (as a resumed incident rebuilds it), the
 * surrogate made as the optimizer makes it, the same search. A fingerprint of what the search
 * sees (the start plan's cost and timings) is sent back, so that the caller can tell a world
 * rebuilt differently and search itself instead.
 */
import { type MessagePort, workerData } from "node:worker_threads";
import type { Scenario } from "../world/scenario/schema.js";
import { World } from "../world/simulator.js";
import type { DispatchLogEntry } from "../world/types.js";
import { improve, type SearchBudget, type SearchResult } from "./improve.js";
import { searchFingerprint } from "./search-fingerprint.js";
import { type CrewStart, Surrogate, type SurrogateSpent, spentBy } from "./surrogate.js";

export interface SearchJob {
  /** Given by the caller; the reply carries it back. */
  id: number;
  scenario: Scenario;
  worldSeed: number;
  log: DispatchLogEntry[];
  clock: number;
  starts: (Omit<CrewStart, "skills"> & { skills: string[] })[];
  fixed: { asset: number; at: number }[];
  horizon: number;
  lists: number[][];
  budget: SearchBudget;
  seed: number;
}

export type SearchReply =
  | {
      id: number;
      ok: true;
      fingerprint: number;
      result: SearchResult;
      spent: SurrogateSpent;
    }
  | { id: number; ok: false; error: string };

const { port, flag } = workerData as { port: MessagePort; flag: Int32Array };

port.on("message", (job: SearchJob) => {
  let reply: SearchReply;
  try {
    const world = World.replay(job.scenario, job.log, job.clock, { seed: job.worldSeed });
    const starts: CrewStart[] = job.starts.map((s) => ({ ...s, skills: new Set(s.skills) }));
    const sur = new Surrogate(world, starts, job.fixed, job.horizon);
    const fingerprint = searchFingerprint(sur, job.lists);
    const result = improve(sur, job.lists, job.budget, job.seed);
    reply = { id: job.id, ok: true, fingerprint, result, spent: spentBy(sur) };
  } catch (e) {
    reply = { id: job.id, ok: false, error: e instanceof Error ? e.message : String(e) };
  }
  port.postMessage(reply);
  Atomics.store(flag, 0, job.id);
  Atomics.notify(flag, 0);
});
