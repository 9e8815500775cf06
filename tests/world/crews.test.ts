import { describe, expect, it } from "vitest";
import { PlanRejected, World } from "../../src/world/simulator.js";
import { feederWithPump } from "../support/scenarios.js";

describe("crews", () => {
  it("refuses work outside a crew's skills, beyond its capacity, and on assets only out of service", () => {
    const w = new World(
      feederWithPump({
        damage: [
          { asset: "L2", atMinutes: 0 },
          { asset: "P1", atMinutes: 0 },
        ],
      }),
    );
    const skill = w.validatePlan({ assignments: [{ crewId: "C1", assetIds: ["P1"] }] });
    expect(skill.valid).toBe(false);
    expect(skill.errors[0]).toMatch(/C1 cannot repair water assets/);
    const outOnly = w.validatePlan({ assignments: [{ crewId: "C1", assetIds: ["C"] }] });
    expect(outOnly.errors[0]).toMatch(/C is only out of service, not damaged: .*L2/);
    const unknown = w.validatePlan({
      assignments: [
        { crewId: "X9", assetIds: ["L2"] },
        { crewId: "C1", assetIds: ["nope", "L2", "L2"] },
      ],
    });
    expect(unknown.errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/unknown crew "X9"/),
        expect.stringMatching(/unknown asset "nope"/),
        expect.stringMatching(/L2 is assigned twice/),
      ]),
    );
    expect(() => w.assignCrews({ assignments: [{ crewId: "C1", assetIds: ["C"] }] })).toThrow(PlanRejected);
    expect(w.dispatches()).toEqual([]);

    const tired = new World(
      feederWithPump({
        damage: [{ asset: "L2", atMinutes: 0 }],
        crews: [{ id: "C1", x: 0, y: 0, skills: ["power"], capacityHours: 0.5, speedKmh: 60 }],
      }),
    );
    expect(tired.validatePlan({ assignments: [{ crewId: "C1", assetIds: ["L2"] }] }).errors[0]).toMatch(
      /C1 lacks capacity/,
    );
  });

  it("does not let two crews take the same asset, unless queued work is reassigned", () => {
    const w = new World(
      feederWithPump({
        damage: [
          { asset: "L1", atMinutes: 0 },
          { asset: "L3", atMinutes: 0 },
        ],
        crews: [
          { id: "C1", x: 0, y: 0, skills: ["power"], capacityHours: 12, speedKmh: 60 },
          { id: "C3", x: 3, y: 0, skills: ["power"], capacityHours: 12, speedKmh: 60 },
        ],
      }),
    );
    w.assignCrews({ assignments: [{ crewId: "C1", assetIds: ["L1", "L3"] }] });
    expect(w.validatePlan({ assignments: [{ crewId: "C3", assetIds: ["L3"] }] }).errors[0]).toMatch(
      /already assigned to crew C1/,
    );
    expect(w.validatePlan({ assignments: [{ crewId: "C3", assetIds: ["L1"] }], reassign: true }).errors[0]).toMatch(
      /only queued work can be reassigned/,
    );
    w.assignCrews({ assignments: [{ crewId: "C3", assetIds: ["L3"] }], reassign: true });
    w.advanceTo(600);
    const byAsset = Object.fromEntries(
      w
        .dispatches()
        .filter((d) => d.status === "done")
        .map((d) => [d.assetId, d.crewId]),
    );
    expect(byAsset).toEqual({ L1: "C1", L3: "C3" });
  });

  it("holds outdoor work during lightning and resumes when it passes", () => {
    const w = new World(
      feederWithPump({
        damage: [{ asset: "L2", atMinutes: 0 }],
        weather: [{ condition: "lightning", fromMinutes: 0, toMinutes: 45 }],
      }),
    );
    w.assignCrews({ assignments: [{ crewId: "C1", assetIds: ["L2"] }] });
    w.advanceTo(10);
    expect(w.dispatches()[0].status).toBe("on_hold");
    w.advanceTo(1000);
    const d = w.dispatches()[0];
    expect(d.repairStartedAt).toBe(45);
    // lightning slows travel by 1.2: 1.5 km at 60 km/h = 1.8 min
    expect(d.arrivedAt).toBeCloseTo(1.8);
    expect(d.repairedAt).toBe(105);
  });

  it("works through its queue in order: travel, repair, then the next", () => {
    const w = new World(
      feederWithPump({
        damage: [
          { asset: "L1", atMinutes: 0 },
          { asset: "L3", atMinutes: 0 },
        ],
      }),
    );
    w.assignCrews({ assignments: [{ crewId: "C1", assetIds: ["L3", "L1"] }] });
    w.advanceTo(1000);
    const [l3, l1] = w.dispatches();
    expect(l3.assetId).toBe("L3");
    expect(l1.arrivedAt!).toBeGreaterThanOrEqual(l3.repairedAt!);
    expect(w.crewSummaries()[0].capacityLeftHours).toBeLessThan(12 - 2);
  });

  it("estimates travel, arrival and repair with the weather", () => {
    const w = new World(
      feederWithPump({
        damage: [{ asset: "L2", atMinutes: 0 }],
        weather: [{ condition: "storm", fromMinutes: 0, toMinutes: 600 }],
      }),
    );
    const [e] = w.estimateJobs([{ crewId: "C1", assetId: "L2" }]);
    expect(e.travelMinutes).toBeCloseTo(1.5 * 1.5);
    expect(e.repairMinutes).toBeCloseTo(60 * 1.5);
    expect(e.completionAt).toBeCloseTo(1.5 * 1.5 + 90);
    expect(e.weather).toBe("storm");
  });
});

describe("dispatch log, idempotence and determinism", () => {
  const stormy = () =>
    feederWithPump({
      damage: [
        { asset: "L1", atMinutes: 0 },
        { asset: "P1", atMinutes: 0 },
      ],
      weather: [{ condition: "storm", fromMinutes: 0, toMinutes: 600, damageRatePerHour: 0.6 }],
    });

  it("the same dispatch twice changes nothing", () => {
    const w = new World(stormy());
    const plan = {
      assignments: [
        { crewId: "C1", assetIds: ["L1"] },
        { crewId: "C2", assetIds: ["P1"] },
      ],
    };
    const first = w.assignCrews(plan);
    expect(first.applied).toHaveLength(2);
    const again = w.assignCrews(plan);
    expect(again.applied).toEqual([]);
    expect(again.alreadyApplied.sort()).toEqual(first.applied.map((e) => e.dispatchId).sort());
    expect(w.dispatches()).toHaveLength(2);
  });

  it("same seed, same trajectory; another seed draws other storm damage; replay rebuilds the same world", () => {
    const run = (seed: number) => {
      const w = new World(stormy(), { seed });
      w.assignCrews({
        assignments: [
          { crewId: "C1", assetIds: ["L1"] },
          { crewId: "C2", assetIds: ["P1"] },
        ],
      });
      for (let alerts = w.advanceUntilAlert(); alerts.length > 0; alerts = w.advanceUntilAlert()) {
        const waiting = w.workableUnassignedIds();
        const plan = waiting.map((id) => ({
          crewId: w.net.networkOf(w.net.index(id)!) === "water" ? "C2" : "C1",
          assetIds: [id],
        }));
        const merged = new Map<string, string[]>();
        for (const p of plan) merged.set(p.crewId, [...(merged.get(p.crewId) ?? []), ...p.assetIds]);
        if (merged.size > 0)
          w.assignCrews({ assignments: [...merged].map(([crewId, assetIds]) => ({ crewId, assetIds })) });
      }
      return w;
    };
    const a = run(7),
      b = run(7),
      c = run(8);
    expect(a.dispatches()).toEqual(b.dispatches());
    expect(a.metrics()).toEqual(b.metrics());
    expect(a.dispatches().length).toBeGreaterThan(2); // storm damage arrived
    expect(c.dispatches()).not.toEqual(a.dispatches());
    const rebuilt = World.replay(stormy(), a.dispatchLog(), a.now(), { seed: 7 });
    expect(rebuilt.dispatches()).toEqual(a.dispatches());
    expect(rebuilt.metrics()).toEqual(a.metrics());
  });

  it("reports GeoJSON with states and crews", () => {
    const w = new World(feederWithPump({ damage: [{ asset: "L2", atMinutes: 0 }] }));
    const g = w.toGeoJSON();
    const props = (id: string) => g.features.find((f) => f.properties.id === id)!.properties;
    expect(props("L2").state).toBe("damaged");
    expect(props("C").state).toBe("out_of_service");
    expect(props("A").state).toBe("working");
    expect(g.features.filter((f) => f.properties.kind === "crew")).toHaveLength(2);
    w.assignCrews({ assignments: [{ crewId: "C1", assetIds: ["L2"] }] });
    w.advanceTo(500);
    expect(w.toGeoJSON().features.find((f) => f.properties.id === "L2")!.properties.state).toBe("restored");
  });
});
