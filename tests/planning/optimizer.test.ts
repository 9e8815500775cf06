import { describe, expect, it } from "vitest";
import { detectionOrderPlan, largestPopulationFirstPlan } from "../../src/planning/baselines.js";
import { evaluatePlan, proposeDispatchPlan } from "../../src/planning/optimizer.js";
import { World } from "../../src/world/simulator.js";
import { feederWithPump } from "../support/scenarios.js";

describe("dispatch optimizer", () => {
  it("repairs the root cause before the fault behind it", () => {
    const w = new World(
      feederWithPump({
        damage: [
          { asset: "L3", atMinutes: 0 },
          { asset: "L1", atMinutes: 0 },
        ],
      }),
    );
    const p = proposeDispatchPlan(w);
    expect(p.plan.assignments).toEqual([{ crewId: "C1", assetIds: ["L1", "L3"] }]);
    expect(w.validatePlan(p.plan).valid).toBe(true);
    expect(p.expected.jobs.map((j) => j.assetId)).toEqual(["L1", "L3"]);
    expect(p.plan.reasoning).toMatch(/C1: L1 -> L3/);
  });

  it("saves the hospital on its generator before a larger load when the generator would run out", () => {
    // H (50 people, criticality 10) hangs off C through L4 and gets a 2 h generator from C's power.
    const s = feederWithPump({
      nodes: [
        { id: "S", network: "power", type: "substation", x: 0, y: 0, role: "supply" },
        { id: "A", network: "power", type: "feeder", x: 1, y: 0, population: 100 },
        { id: "B", network: "power", type: "feeder", x: 2, y: 0, population: 600 },
        {
          id: "Hx",
          network: "health",
          type: "hospital",
          x: 1,
          y: -1,
          role: "supply",
          population: 200,
          criticality: 10,
        },
        { id: "W", network: "water", type: "pumping_station", x: 2, y: 1, role: "supply" },
        { id: "D", network: "water", type: "district", x: 3, y: 1, population: 10 },
      ],
      links: [
        { id: "L1", network: "power", from: "S", to: "A" },
        { id: "L2", network: "power", from: "A", to: "B" },
        { id: "P1", network: "water", from: "W", to: "D", type: "pipe" },
      ],
      networks: ["power", "water", "health"],
      dependencies: [
        { dependee: "A", depender: "Hx", bufferHours: 1.5 },
        { dependee: "B", depender: "W" },
      ],
      damage: [
        { asset: "L1", atMinutes: 0 },
        { asset: "B", atMinutes: 0 },
      ],
      repairMinutes: { line: 60, feeder: 60 },
    });
    const w = new World(s);
    const p = proposeDispatchPlan(w);
    expect(p.plan.assignments[0].assetIds[0]).toBe("L1");
    expect(p.expected.criticalFacilitiesLost).toEqual([]);
  });

  it("is never worse than the baselines on a mixed incident", () => {
    const w = new World(
      feederWithPump({
        damage: ["L1", "L3", "L4", "P1", "B"].map((asset) => ({ asset, atMinutes: 0 })),
        crews: [
          { id: "C1", x: 0, y: 0, skills: ["power"], capacityHours: 12, speedKmh: 30 },
          { id: "C2", x: 3, y: 1, skills: ["water", "power"], capacityHours: 12, speedKmh: 30 },
        ],
      }),
    );
    const p = proposeDispatchPlan(w);
    const horizon = w.now() + 24 * 60;
    const mine = evaluatePlan(w, p.plan, horizon);
    for (const base of [detectionOrderPlan(w), largestPopulationFirstPlan(w)]) {
      expect(mine).toBeLessThanOrEqual(evaluatePlan(w, base.plan, horizon));
    }
    expect(p.unassignable).toEqual([]);
    expect(p.plan.assignments.flatMap((a) => a.assetIds).sort()).toEqual(["B", "L1", "L3", "L4", "P1"]);
  });

  it("says which assets no crew can take", () => {
    const w = new World(
      feederWithPump({
        damage: [{ asset: "P1", atMinutes: 0 }],
        crews: [{ id: "C1", x: 0, y: 0, skills: ["power"], capacityHours: 8 }],
      }),
    );
    expect(w.workableUnassignedIds()).toEqual([]);
    expect(proposeDispatchPlan(w, { assets: ["P1"] }).unassignable).toEqual([
      { assetId: "P1", reason: expect.stringMatching(/no crew/) },
    ]);
  });
});
