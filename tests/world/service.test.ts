import { describe, expect, it } from "vitest";
import { World } from "../../src/world/simulator.js";
import { feederWithPump, scenario } from "../support/scenarios.js";

const out = (w: World) =>
  w
    .detectFailures()
    .outOfService.map((f) => f.id)
    .sort();
const damaged = (w: World) =>
  w
    .detectFailures()
    .damaged.map((f) => f.id)
    .sort();

describe("service on a radial feeder", () => {
  it("a line fault cuts everything downstream, and its repair restores it", () => {
    const w = new World(feederWithPump({ damage: [{ asset: "L2", atMinutes: 0 }] }));
    expect(damaged(w)).toEqual(["L2"]);
    expect(out(w)).toEqual(["B", "C", "D", "H", "W"]);
    const snap = w.detectFailures();
    const c = snap.outOfService.find((f) => f.id === "C")!;
    expect(c.rootCauses).toEqual(["L2"]);
    expect(c.cause).toMatch(/upstream L2/);
    const d = snap.outOfService.find((f) => f.id === "D")!;
    expect(d.rootCauses).toEqual(["L2"]);
    expect(snap.populationOut).toBe(100 + 100 + 500 + 50);
    w.assignCrews({ assignments: [{ crewId: "C1", assetIds: ["L2"] }] });
    w.advanceTo(1000);
    expect(out(w)).toEqual([]);
    expect(w.isFullyRestored()).toBe(true);
    const rec = w.dispatches()[0];
    expect(rec.status).toBe("done");
    // travel 1.5 km at 60 km/h = 1.5 min, then a 60-minute line repair
    expect(rec.arrivedAt).toBeCloseTo(1.5);
    expect(rec.repairedAt).toBeCloseTo(61.5);
    expect(w.metrics().minutesToFullRestoration).toBeCloseTo(61.5);
    expect(w.metrics().customerMinutesInterrupted).toBeCloseTo(750 * 61.5, -1);
  });

  it("a dependency takes the pump's water demand out with the power it needs", () => {
    const w = new World(feederWithPump({ damage: [{ asset: "L3", atMinutes: 0 }] }));
    expect(out(w)).toEqual(["C", "H"]);
    const w2 = new World(feederWithPump({ damage: [{ asset: "B", atMinutes: 0 }] }));
    expect(out(w2)).toEqual(["C", "D", "H", "W"]);
    const pump = w2.detectFailures().outOfService.find((f) => f.id === "W")!;
    expect(pump.cause).toMatch(/dependency out of service: B/);
    expect(pump.rootCauses).toEqual(["B"]);
  });

  it("a buffer keeps the depender working for its hours, then fails it, unless power returns first", () => {
    const base = feederWithPump({
      dependencies: [{ dependee: "B", depender: "W", bufferHours: 2 }],
      damage: [{ asset: "L2", atMinutes: 0 }],
    });
    const w = new World(base);
    expect(out(w)).not.toContain("W");
    expect(w.detectFailures().onBackup).toEqual([{ node: "W", dependee: "B", expiresAt: 120, critical: false }]);
    const alerts = w.advanceUntilAlert();
    expect(alerts[0]).toMatchObject({ kind: "cascade", at: 120 });
    expect(alerts[0].assets.sort()).toEqual(["D", "W"]);
    expect(out(w)).toContain("W");

    const saved = new World(base);
    saved.assignCrews({ assignments: [{ crewId: "C1", assetIds: ["L2"] }] });
    expect(saved.advanceUntilAlert()).toEqual([]);
    expect(saved.isFullyRestored()).toBe(true);
    expect(saved.metrics().restorationCurve.some((p) => p.populationOut >= 500)).toBe(false);
  });

  it("a dependency cycle holds up when healthy, and both come back when the root is repaired", () => {
    const s = scenario({
      nodes: [
        { id: "P0", network: "power", type: "plant", x: 0, y: 0, role: "supply" },
        { id: "P1", network: "power", type: "substation", x: 1, y: 0, population: 10 },
        { id: "T0", network: "telecom", type: "exchange", x: 0, y: 1, role: "supply" },
        { id: "T1", network: "telecom", type: "tower", x: 1, y: 1, population: 10 },
      ],
      links: [
        { id: "PL", network: "power", from: "P0", to: "P1" },
        { id: "TL", network: "telecom", from: "T0", to: "T1" },
      ],
      dependencies: [
        { dependee: "P1", depender: "T0" },
        { dependee: "T1", depender: "P1" },
      ],
      crews: [{ id: "K", x: 0, y: 0, skills: ["power", "telecom"], capacityHours: 8 }],
    });
    const healthy = new World(s);
    expect(out(healthy)).toEqual([]);
    const broken = new World({ ...s, damage: [{ asset: "PL", atMinutes: 0 }] });
    expect(out(broken)).toEqual(["P1", "T0", "T1"]);
    expect(broken.detectFailures().outOfService.find((f) => f.id === "T1")!.rootCauses).toEqual(["PL"]);
    broken.assignCrews({ assignments: [{ crewId: "K", assetIds: ["PL"] }] });
    broken.advanceTo(500);
    expect(out(broken)).toEqual([]);
  });
});

describe("impact", () => {
  it("attributes the population to its root cause and says what a repair alone restores", () => {
    const w = new World(
      feederWithPump({
        damage: [
          { asset: "L1", atMinutes: 0 },
          { asset: "L3", atMinutes: 0 },
        ],
      }),
    );
    const [l1, l3] = w.estimateImpact(["L1", "L3"]);
    // L1 is the first fault on the feed path of everything behind it: A, B, C, H, and D through the pump.
    expect(l1.populationOut).toBe(850);
    expect(l1.populationRestoredIfRepaired).toBe(700);
    expect(l3.populationRestoredIfRepaired).toBe(0); // nothing comes back while L1 is down
    expect(l1.severity).toBe("critical");
    expect(l1.criticalFacilitiesAffected).toEqual(["H"]);
    const h = w.estimateImpact(["H"])[0];
    expect(h.state).toBe("out_of_service");
    expect(h.rootCauses).toEqual(["L1"]);
  });
});
