import { describe, expect, it } from "vitest";
import { ExactSearchRefused, solveExact } from "../../src/evaluation/exact.js";
import { generateSmallCase } from "../../src/evaluation/small-cases.js";
import { baselinePlan } from "../../src/planning/baselines.js";
import { evaluatePlan, proposeDispatchPlan } from "../../src/planning/optimizer.js";
import { World } from "../../src/world/simulator.js";
import type { DispatchPlan } from "../../src/world/types.js";
import { feederWithPump } from "../support/scenarios.js";

/** Every assignment of assets to capable crews and every order per crew, as list plans. */
function allPlans(world: World): DispatchPlan[] {
  const assets = world.unassignedDamagedIds();
  const crews = world.crewSummaries();
  const plans: DispatchPlan[] = [];
  const place = (i: number, lists: Map<string, string[]>) => {
    if (i === assets.length) {
      plans.push({
        assignments: [...lists].filter(([, l]) => l.length).map(([crewId, l]) => ({ crewId, assetIds: [...l] })),
      });
      return;
    }
    for (const c of crews) {
      if (!world.validatePlan({ assignments: [{ crewId: c.id, assetIds: [assets[i]] }] }).valid) continue;
      const list = lists.get(c.id)!;
      for (let pos = 0; pos <= list.length; pos++) {
        list.splice(pos, 0, assets[i]);
        place(i + 1, lists);
        list.splice(pos, 1);
      }
    }
  };
  place(0, new Map(crews.map((c) => [c.id, []])));
  return plans;
}

describe("exact search", () => {
  it("finds the same optimum as brute force over every list plan", () => {
    for (const seed of [3, 9]) {
      const world = new World(generateSmallCase({ seed, damagedAssets: 4, crews: 2 }));
      const exact = solveExact(world);
      const horizon = 20_000;
      const costs = allPlans(world).map((p) => evaluatePlan(world, p, horizon));
      expect(costs.length).toBeGreaterThan(24);
      expect(exact.proven).toBe(true);
      expect(exact.weightedCustomerMinutes).toBeCloseTo(Math.min(...costs), 3);
    }
  });

  it("agrees with evaluatePlan on its plan and is never beaten by the optimizer or a baseline", () => {
    for (const seed of [1, 2, 4]) {
      const world = new World(generateSmallCase({ seed, damagedAssets: 6 }));
      const exact = solveExact(world);
      expect(exact.check.weightedCustomerMinutes).toBeCloseTo(exact.weightedCustomerMinutes, 3);
      const horizon = exact.check.horizon * 4;
      const others = [
        proposeDispatchPlan(world).plan,
        baselinePlan(world, "detection-order").plan,
        baselinePlan(world, "largest-population-first").plan,
      ];
      for (const p of others)
        expect(evaluatePlan(world, p, horizon)).toBeGreaterThanOrEqual(exact.weightedCustomerMinutes - 1e-6);
    }
  });

  it("puts the root cause before the fault behind it", () => {
    const world = new World(
      feederWithPump({
        damage: [
          { asset: "L3", atMinutes: 0 },
          { asset: "L1", atMinutes: 0 },
        ],
      }),
    );
    expect(solveExact(world).plan.assignments).toEqual([{ crewId: "C1", assetIds: ["L1", "L3"] }]);
  });

  it("refuses instances too large for exhaustive search", () => {
    const world = new World(generateSmallCase({ seed: 5, damagedAssets: 8, crews: 3 }));
    expect(() => solveExact(world, { maxAssets: 6 })).toThrow(ExactSearchRefused);
  });

  it("reports a best-found plan, not proven, when the node budget runs out", () => {
    const world = new World(generateSmallCase({ seed: 4, damagedAssets: 8, crews: 3 }));
    const r = solveExact(world, { maxNodes: 50 });
    expect(r.proven).toBe(false);
    expect(r.nodes).toBe(50);
    expect(world.validatePlan(r.plan).valid).toBe(true);
  });
});
