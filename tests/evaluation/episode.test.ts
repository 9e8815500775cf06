import { describe, expect, it } from "vitest";
import { oneShotPlanner, runEpisode } from "../../src/evaluation/episode.js";
import { generateSmallCase, smallCaseSuite } from "../../src/evaluation/small-cases.js";
import { baselinePlan } from "../../src/planning/baselines.js";
import { ScenarioSchema } from "../../src/world/scenario/schema.js";
import { World } from "../../src/world/simulator.js";
import { feederWithPump } from "../support/scenarios.js";

describe("episode loop", () => {
  it("plans at the start and again at the alert of later damage, until restored", () => {
    const world = new World(
      feederWithPump({
        damage: [
          { asset: "L1", atMinutes: 0 },
          { asset: "L3", atMinutes: 30 },
        ],
      }),
    );
    const seen: number[] = [];
    const r = runEpisode(world, (w) => {
      seen.push(w.now());
      return baselinePlan(w, "detection-order").plan;
    });
    expect(r.status).toBe("restored");
    expect(seen).toEqual([0, 30]);
    expect(r.planningRounds).toBe(2);
    expect(r.dispatches.find((d) => d.assetId === "L3")?.assignedAt).toBe(30);
    expect(r.metrics.minutesToFullRestoration).not.toBeNull();
  });

  it("reports assets no crew can repair as unrestorable", () => {
    const world = new World(
      feederWithPump({
        damage: [
          { asset: "L1", atMinutes: 0 },
          { asset: "P1", atMinutes: 0 },
        ],
        crews: [{ id: "C1", x: 0, y: 0, skills: ["power"], capacityHours: 12 }],
      }),
    );
    const r = runEpisode(world, (w) => baselinePlan(w, "ratio-rule").plan);
    expect(r.status).toBe("unrestorable");
  });

  it("a one-shot plan is sent once", () => {
    const world = new World(feederWithPump({ damage: [{ asset: "L1", atMinutes: 0 }] }));
    const r = runEpisode(world, oneShotPlanner({ assignments: [{ crewId: "C1", assetIds: ["L1"] }] }));
    expect(r.status).toBe("restored");
    expect(r.dispatches).toHaveLength(1);
  });
});

describe("small cases", () => {
  it("are deterministic, valid, known at the start and repairable", () => {
    expect(generateSmallCase({ seed: 7 })).toEqual(generateSmallCase({ seed: 7 }));
    expect(generateSmallCase({ seed: 7 })).not.toEqual(generateSmallCase({ seed: 8 }));
    for (const s of smallCaseSuite(8)) {
      expect(() => ScenarioSchema.parse(s)).not.toThrow();
      expect(s.damage.every((d) => d.atMinutes === 0)).toBe(true);
      expect(s.weather.every((w) => !w.damageRatePerHour)).toBe(true);
      const world = new World(s);
      expect(world.workableUnassignedIds().sort()).toEqual(s.damage.map((d) => d.asset).sort());
    }
  });

  it("have the sizes asked for", () => {
    const s = generateSmallCase({ seed: 3, damagedAssets: 6, crews: 3 });
    expect(s.damage).toHaveLength(6);
    expect(s.crews).toHaveLength(3);
  });
});
