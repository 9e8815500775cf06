/**
 * Group greedy construction: it finishes the set of repairs that brings a group back, including the
 * one of two redundant mains that its blocking set leaves out, before a smaller single repair.
 */
import { describe, expect, it } from "vitest";
import { groupGreedyOrder } from "../../src/planning/group-greedy.js";
import { jointGroups, jointRatioOrder } from "../../src/planning/joint.js";
import { proposeDispatchPlan } from "../../src/planning/optimizer.js";
import { World } from "../../src/world/simulator.js";
import { pumpNeedingPower } from "../support/scenarios.js";

/**
 * Pumping station W needs power from A (line LP); district D (1,000 people) is reached from W by
 * either of two mains, WM1 (a pipe, 60 min) or WM2 (a trunk main, 180 min). Line LS alone restores
 * E (200 people). D's blocking set is {LP} alone (either main will do), so the joint ratio order
 * ranks both mains at nothing and puts LS before them; D comes back only with LP and one main.
 */
function pumpWithTwoMains() {
  return pumpNeedingPower(
    [
      { id: "WM1", type: "pipe" },
      { id: "WM2", type: "trunk" },
    ],
    { line: 60, pipe: 60, trunk: 180 },
  );
}

function orders(w: World, maxWork = 1e9) {
  const ids = ["LP", "LS", "WM1", "WM2"];
  const assets = ids.map((id) => w.net.index(id)!);
  const minutes = ids.map((id) => w.repairMinutesFor(id));
  const joint = jointGroups(w, assets, [], 1e9)!;
  const jointOrder = jointRatioOrder(ids, minutes, joint.groups);
  const greedy = groupGreedyOrder(
    w,
    assets,
    [],
    minutes,
    joint.groups,
    jointOrder.map((id) => ids.indexOf(id)),
    maxWork,
  );
  return { jointOrder, greedy: greedy.order.map((p) => ids[p]), result: greedy, joint };
}

describe("group greedy construction", () => {
  it("repairs the power feed and the shorter main together, before the single fault, and the redundant main last", () => {
    const w = new World(pumpWithTwoMains());
    const { jointOrder, greedy, joint } = orders(w);
    // The blocking set of D is the power feed alone: the mains are either-or.
    expect(joint.groups.map((g) => g.blockers.length)).toContain(1);
    expect(jointOrder.indexOf("LS")).toBeLessThan(jointOrder.indexOf("WM1")); // what the share rule does
    expect(new Set(greedy.slice(0, 2))).toEqual(new Set(["LP", "WM1"]));
    expect(greedy[2]).toBe("LS");
    expect(greedy[3]).toBe("WM2");
  });

  it("is the same order twice, counts its work, and past its work bound gives the fallback order", () => {
    const w = new World(pumpWithTwoMains());
    const a = orders(w);
    const b = orders(w);
    expect(b.greedy).toEqual(a.greedy);
    expect(a.result.work).toBeGreaterThan(0);
    expect(a.result.greedyPlaced).toBe(3); // WM2 brings nothing back: from the fallback
    const none = orders(w, 0);
    expect(none.result.greedyPlaced).toBe(0);
    expect(none.greedy).toEqual(none.jointOrder);
  });

  it("is one of the optimizer's constructive plans, and the proposal beats the joint ratio order's plan", () => {
    const w = new World(pumpWithTwoMains());
    const p = proposeDispatchPlan(w);
    const candidates = p.search?.candidates ?? [];
    const greedy = candidates.find((c) => c.name === "group-greedy");
    const joint = candidates.find((c) => c.name === "joint-ratio");
    expect(greedy).toBeDefined();
    expect(joint).toBeDefined();
    expect(greedy!.surrogate!).toBeLessThan(joint!.surrogate!);
    const order = p.plan.assignments[0].assetIds;
    expect(new Set(order.slice(0, 2))).toEqual(new Set(["LP", "WM1"]));
  });
});

describe("searching from the group greedy's plan", () => {
  it("also searches from the best other start, keeps the better, and decides the same twice", () => {
    const run = () => proposeDispatchPlan(new World(pumpWithTwoMains()));
    const a = run();
    expect(a.search?.searchedFrom[0]).toBe("group-greedy");
    expect(a.search?.searchedFrom).toHaveLength(2);
    expect(a.search?.searchedFrom).toContain(a.search?.startedFrom);
    expect(a.plan.reasoning).toMatch(/searched from group-greedy and /);
    const b = run();
    expect(b.plan.assignments).toEqual(a.plan.assignments);
    expect(b.search?.surrogateEvaluations).toBe(a.search?.surrogateEvaluations);
  });
});
