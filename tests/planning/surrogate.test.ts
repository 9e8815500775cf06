/**
 * The surrogate evaluator against the simulator, and the optimizer's determinism and options.
 *
 * Tolerance: with no damage to come (the simulator's look-ahead copy knows none either), the
 * surrogate times each job with the very estimate the simulator applies, and replays the same
 * repairs at the same minutes through the same service fixed point; only the order of
 * floating-point sums differs. 1e-9 of the total is far above that and far below any
 * difference between two plans that matters.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluatePlan, proposeDispatchPlan, surrogateFor } from "../../src/planning/optimizer.js";
import { generateRegion } from "../../src/world/scenario/generate.js";
import { mulberry32 } from "../../src/world/prng.js";
import { World } from "../../src/world/simulator.js";
import type { DispatchPlan } from "../../src/world/types.js";
import { feederWithPump } from "../support/scenarios.js";

const close = (a: number, b: number, rel: number) => Math.abs(a - b) <= rel * Math.max(1, Math.abs(a), Math.abs(b));

/**
 * `rel`: 1e-9 at minute 0. Mid-incident the crews' current jobs end at the minute the crew
 * summary gives, rounded to 0.01 min: each can shift the later ones by up to 0.005 min, i.e.
 * a few weighted customer-minutes against hundreds of thousands; 1e-5 bounds that.
 */
function randomPlanCheck(world: World, runs: number, rel = 1e-9) {
  const assets = world.workableUnassignedIds();
  const crews = world.crewSummaries();
  const net = world.net;
  const horizon = world.now() + 3 * 24 * 60;
  const sur = surrogateFor(world, horizon);
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.nat()), {
        minLength: assets.length,
        maxLength: assets.length,
      }),
      (draws) => {
        // A random order, each asset to a random crew that has the skill.
        const order = assets
          .map((id, i) => ({ id, key: draws[i][0], pick: draws[i][1] }))
          .sort((a, b) => a.key - b.key || (a.id < b.id ? -1 : 1));
        const lists = crews.map(() => [] as number[]);
        for (const o of order) {
          const able = crews
            .map((c, k) => (c.skills.includes(net.networkOf(net.index(o.id)!)) ? k : -1))
            .filter((k) => k >= 0);
          if (able.length === 0) continue;
          lists[able[o.pick % able.length]].push(net.index(o.id)!);
        }
        const plan: DispatchPlan = {
          assignments: crews
            .map((c, k) => ({ crewId: c.id, assetIds: lists[k].map((i) => net.assetIds[i]) }))
            .filter((a) => a.assetIds.length > 0),
        };
        const simulated = evaluatePlan(world, plan, horizon);
        const surrogate = sur.evaluate(lists);
        expect(Number.isFinite(simulated)).toBe(Number.isFinite(surrogate));
        if (Number.isFinite(simulated))
          expect(close(surrogate, simulated, rel), `${surrogate} vs ${simulated}`).toBe(true);
      },
    ),
    { numRuns: runs, seed: 42 },
  );
}

describe("surrogate evaluator", () => {
  it("equals the simulator's weighted customer-minutes on random plans (interdependent region)", () => {
    randomPlanCheck(new World(generateRegion({ seed: 4, nodes: 400 })), 40);
  });

  it("equals the simulator's on random plans of a meshed region (power and telecom need each other)", () => {
    randomPlanCheck(new World(generateRegion({ seed: 5, nodes: 400, meshed: true })), 30);
  });

  it("equals the simulator's mid-incident, with crews on jobs and work queued", () => {
    const s = generateRegion({ seed: 4, nodes: 400 });
    const w = new World(s);
    const first = w.workableUnassignedIds();
    const crews = w.crewSummaries();
    const net = w.net;
    // Each crew takes two assets it can do; 50 minutes pass: some travel, some repair, some queued.
    const assignments = crews.map((c) => ({
      crewId: c.id,
      assetIds: first.filter((id) => c.skills.includes(net.networkOf(net.index(id)!))).slice(0, 2),
    }));
    const taken = new Set<string>();
    for (const a of assignments) {
      a.assetIds = a.assetIds.filter((id) => !taken.has(id));
      for (const id of a.assetIds) taken.add(id);
    }
    w.assignCrews({ assignments: assignments.filter((a) => a.assetIds.length > 0) });
    w.advanceTo(50);
    expect(w.openJobCount()).toBeGreaterThan(0);
    randomPlanCheck(w, 20, 1e-5);
  });

  it("counts a hospital's generator running out like the simulator", () => {
    const w = new World(
      feederWithPump({ damage: ["L1", "L3", "L4", "P1", "B"].map((asset) => ({ asset, atMinutes: 0 })) }),
    );
    expect(w.detectFailures().onBackup.length + w.detectFailures().outOfService.length).toBeGreaterThan(0);
    randomPlanCheck(w, 30);
  });
});

describe("optimizer", () => {
  it("makes the same plan twice from the same world, and from the world rebuilt from its log", () => {
    const s = generateRegion({ seed: 6, nodes: 600 });
    const a = proposeDispatchPlan(new World(s));
    const b = proposeDispatchPlan(new World(s));
    expect(b.plan).toEqual(a.plan);
    expect(b.evaluations).toBe(a.evaluations);
    // Mid-incident: dispatch, let time pass, rebuild from the log, plan again.
    const live = new World(s);
    live.assignCrews({
      assignments: a.plan.assignments.map((x) => ({ crewId: x.crewId, assetIds: x.assetIds.slice(0, 1) })),
    });
    live.advanceTo(45);
    const rebuilt = World.replay(s, live.dispatchLog(), live.now());
    expect(proposeDispatchPlan(rebuilt).plan).toEqual(proposeDispatchPlan(live).plan);
    expect(a.search?.stoppedBy).not.toBe("time");
  });

  it("leaves pinned work where the operator put it, first in its crew's queue", () => {
    const w = new World(
      feederWithPump({
        damage: ["L1", "L3", "L4", "P1", "B"].map((asset) => ({ asset, atMinutes: 0 })),
        crews: [
          { id: "C1", x: 0, y: 0, skills: ["power"], capacityHours: 12, speedKmh: 30 },
          { id: "C2", x: 3, y: 1, skills: ["water", "power"], capacityHours: 12, speedKmh: 30 },
        ],
      }),
    );
    const p = proposeDispatchPlan(w, { pinned: [{ crewId: "C2", assetIds: ["L4", "L3"] }] });
    const c2 = p.plan.assignments.find((a) => a.crewId === "C2")!;
    expect(c2.assetIds.slice(0, 2)).toEqual(["L4", "L3"]);
    expect(p.plan.assignments.flatMap((a) => a.assetIds).sort()).toEqual(["B", "L1", "L3", "L4", "P1"]);
    expect(p.plan.assignments.find((a) => a.crewId === "C1")?.assetIds ?? []).not.toContain("L3");
    expect(w.validatePlan(p.plan).valid).toBe(true);
  });

  it("says what it did: no search claimed when none ran", () => {
    const w = new World(
      feederWithPump({
        damage: [
          { asset: "L3", atMinutes: 0 },
          { asset: "L1", atMinutes: 0 },
        ],
      }),
    );
    const ratio = proposeDispatchPlan(w, { localSearch: false });
    expect(ratio.plan.reasoning).not.toMatch(/simulat|refined/i);
    expect(ratio.plan.reasoning).toMatch(/no search/);
    const full = proposeDispatchPlan(w);
    expect(full.plan.reasoning).toMatch(/\d+ plans judged/);
  });
});

/**
 * A bounded evaluation (the search's: only a plan under the bound is taken) gives the plan's cost
 * exactly when it is under the bound, and a value of at least the bound otherwise, having stopped
 * its replay early for some of them. Plans: one crew's list turned around, pairs of jobs swapped.
 */
function boundedCheck(world: World) {
  const horizon = world.now() + 3 * 24 * 60;
  const sur = surrogateFor(world, horizon);
  const net = world.net;
  const crews = world.crewSummaries();
  const lists = crews.map(() => [] as number[]);
  world.workableUnassignedIds().forEach((id, i) => {
    const able = crews.map((c, k) => (c.skills.includes(net.networkOf(net.index(id)!)) ? k : -1)).filter((k) => k >= 0);
    if (able.length > 0) lists[able[i % able.length]].push(net.index(id)!);
  });
  const random = mulberry32(9);
  const plans: number[][][] = [];
  for (let k = 0; k < 60; k++) {
    const p = lists.map((l) => l.slice());
    const c = Math.floor(random() * p.length);
    const l = p[c];
    if (l.length < 2) continue;
    const i = Math.floor(random() * l.length),
      j = Math.floor(random() * l.length);
    [l[i], l[j]] = [l[j], l[i]];
    plans.push(p);
  }
  const exact = plans.map((p) => sur.evaluate(p));
  const base = sur.evaluate(lists);
  for (const [k, p] of plans.entries()) {
    const cost = exact[k];
    // The bound as the search sets it: the cost of the plan it holds (here the plan before the swap).
    const bounded = sur.evaluateBelow(p, base);
    if (cost < base) expect(bounded).toBe(cost);
    else expect(bounded).toBeGreaterThanOrEqual(base);
    // Just above its own cost, a plan is never cut short; at it, never under it.
    expect(sur.evaluateBelow(p, cost * (1 + 1e-7) + 1)).toBe(cost);
    expect(sur.evaluateBelow(p, cost)).toBeGreaterThanOrEqual(cost);
  }
  return { cut: sur.cutShort, worse: exact.filter((c) => c >= base).length };
}

describe("bounded evaluation", () => {
  it("is exact under the bound and never under it above (meshed region, power and telecom need each other)", () => {
    const { cut, worse } = boundedCheck(new World(generateRegion({ seed: 5, nodes: 400, meshed: true })));
    expect(worse).toBeGreaterThan(0);
    expect(cut).toBeGreaterThan(0);
  });

  it("is exact under the bound and never under it above (Shelby County, backups in chains)", async () => {
    const { shelbyScenario } = await import("../../src/evaluation/shelby.js");
    const { cut } = boundedCheck(new World(shelbyScenario("d50", 4)));
    expect(cut).toBeGreaterThan(0);
  });
});

describe("surrogate on a real interdependent network", () => {
  it("equals the simulator on Shelby County after an earthquake (backups in chains)", async () => {
    const { shelbyScenario } = await import("../../src/evaluation/shelby.js");
    randomPlanCheck(new World(shelbyScenario("d50", 4)), 8);
  });
});
