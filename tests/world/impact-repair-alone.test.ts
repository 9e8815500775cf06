/**
 * The impact analysis computes each asset's "restored if repaired alone" in one state reused for
 * every asset (a copy, not a clone per asset): each figure must equal that asset's own trial on a
 * fresh clone, in any order, on meshed interdependent regions where repairs restore jointly.
 */
import { describe, expect, it } from "vitest";
import { generateRegion } from "../../src/world/scenario/generate.js";
import { World } from "../../src/world/simulator.js";

describe("restored if repaired alone, in the impact analysis", () => {
  it.each([3, 8])("equals a trial of each asset on its own (meshed region, seed %i)", (seed) => {
    const world = new World(generateRegion({ seed, nodes: 1_500, damagedAssets: 60, meshed: true }));
    const damaged = world.detectFailures().damaged.map((f) => f.id);
    expect(damaged.length).toBeGreaterThan(20);
    const reports = world.estimateImpact([...damaged].reverse());
    let restoring = 0;
    for (const r of reports) {
      const alone = world.restoredIfRepaired([world.net.index(r.asset)!]);
      expect(r.populationRestoredIfRepaired, r.asset).toBe(alone.population);
      expect(r.weightedRestoredIfRepaired, r.asset).toBeCloseTo(alone.weighted, 6);
      if (alone.population > 0) restoring++;
    }
    // Some repairs restore customers on their own, so the figures are not all zero.
    expect(restoring).toBeGreaterThan(0);
  });
});
