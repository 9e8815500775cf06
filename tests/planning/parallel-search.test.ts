/**
 * The second start searched on the other core (src/planning/parallel-search.ts): the same plan as
 * searched after the first on one core, on a first round and on a later one (the worker rebuilds
 * the world from its dispatch log); a job the worker cannot run is answered with nothing, and the
 * worker still serves the next; the fingerprint that guards against a world rebuilt differently
 * tells two worlds apart.
 */
import { availableParallelism } from "node:os";
import { describe, expect, it } from "vitest";
import { shelbyScenario } from "../../src/evaluation/shelby.js";
import { proposeDispatchPlan, surrogateFor } from "../../src/planning/optimizer.js";
import { searchInParallel } from "../../src/planning/parallel-search.js";
import { searchFingerprint } from "../../src/planning/search-fingerprint.js";
import { World } from "../../src/world/simulator.js";

const cores = availableParallelism();

/** Shelby d50 with 4 crews after each crew was sent to one job and three events passed: a later round. */
function laterRound(): World {
  const w = new World(shelbyScenario("d50", 4));
  const first = proposeDispatchPlan(w, { parallelSearch: false });
  w.assignCrews({
    assignments: first.plan.assignments.map((a) => ({ crewId: a.crewId, assetIds: a.assetIds.slice(0, 1) })),
  });
  for (let k = 0; k < 3; k++) w.advanceToNextEvent();
  return w;
}

describe("the second start on the other core", () => {
  it.each([
    ["a first round", () => new World(shelbyScenario("d50", 4))],
    ["a later round, with a dispatch log", laterRound],
  ])("on %s, makes the plan the search on one core makes", (_, make) => {
    const world = make();
    const parallel = proposeDispatchPlan(world.clone());
    const one = proposeDispatchPlan(world.clone(), { parallelSearch: false });
    expect(one.search?.searchedFrom).toHaveLength(2);
    expect(one.search?.secondStart).toBe("after the first");
    expect(parallel.search?.secondStart).toBe(cores >= 2 ? "in parallel" : "after the first");
    expect(parallel.plan.assignments).toEqual(one.plan.assignments);
    expect(parallel.search?.surrogateEvaluations).toBe(one.search?.surrogateEvaluations);
    expect(parallel.search?.serviceWork).toBe(one.search?.serviceWork);
  });

  it.runIf(cores >= 2)("answers a job it cannot run with nothing, and still serves the next", () => {
    const wait = searchInParallel(notAJob);
    expect(wait).not.toBeNull();
    expect(wait!()).toBeNull();
    const p = proposeDispatchPlan(new World(shelbyScenario("d50", 8)));
    expect(p.search?.secondStart).toBe("in parallel");
  });

  it.runIf(cores >= 2)("never takes a reply left unread (its caller threw) for the next job's", () => {
    expect(searchInParallel(notAJob)).not.toBeNull(); // its waiter is never called
    const world = new World(shelbyScenario("d50", 4));
    const parallel = proposeDispatchPlan(world.clone());
    expect(parallel.search?.secondStart).toBe("in parallel");
    expect(parallel.plan.assignments).toEqual(
      proposeDispatchPlan(world.clone(), { parallelSearch: false }).plan.assignments,
    );
  });
});

/** A job the worker cannot run: no scenario. */
const notAJob = {
  scenario: { name: "not a scenario" } as never,
  worldSeed: 1,
  log: [],
  clock: 0,
  starts: [],
  fixed: [],
  horizon: 1,
  lists: [],
  budget: { evaluations: 1, serviceWork: 1, wallClockMs: 1_000 },
  seed: 1,
};

describe("the search fingerprint", () => {
  it("is the same for the same world to the bit, and differs once a crew was dispatched", () => {
    const a = new World(shelbyScenario("d50", 4));
    const plan = proposeDispatchPlan(a, { localSearch: false }).plan;
    const lists = surrogateFor(a, 10_000).starts.map((s) =>
      (plan.assignments.find((x) => x.crewId === s.crewId)?.assetIds ?? []).map((id) => a.net.index(id)!),
    );
    const print = searchFingerprint(surrogateFor(a, 10_000), lists);
    expect(searchFingerprint(surrogateFor(new World(shelbyScenario("d50", 4)), 10_000), lists)).toBe(print);
    const b = new World(shelbyScenario("d50", 4));
    expect(print).toBeGreaterThan(0);
    const job = plan.assignments[0];
    b.assignCrews({ assignments: [{ crewId: job.crewId, assetIds: job.assetIds.slice(0, 1) }] });
    b.advanceToNextEvent();
    // The crew's first job is now under way: the rest of the plan, from where it will be.
    const busy = a.net.index(job.assetIds[0])!;
    const rest = lists.map((l) => l.filter((asset) => asset !== busy));
    expect(searchFingerprint(surrogateFor(b, 10_000), rest)).not.toBe(searchFingerprint(surrogateFor(a, 10_000), rest));
  });
});
