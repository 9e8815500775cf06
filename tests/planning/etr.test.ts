import { beforeAll, describe, expect, it } from "vitest";
import { runIncidentWithEtrs, type EtrRound } from "../../src/incident/etr-tracking.js";
import { EtrBoard, type OutageArea } from "../../src/planning/etr.js";

const area = (over: Partial<OutageArea> = {}): OutageArea => ({
  id: "OUT-A",
  faults: [
    { asset: "A", crewId: "C1", crewStatus: "queued", position: 2, expectedRepairAt: 200, workStopForecast: false },
  ],
  nodes: ["N1", "N2"],
  customersOut: 500,
  criticalFacilities: [],
  start: 0,
  cause: "A: damaged",
  location: { x: 0, y: 0 },
  etr: 200,
  confidence: "medium",
  ...over,
});

describe("ETRs on the demo incident", () => {
  let rounds: EtrRound[];
  let board: EtrBoard;
  beforeAll(async () => {
    ({ rounds, board } = await runIncidentWithEtrs({
      scenario: "demo",
      config: { model: "offline" },
      incidentId: "etr-test",
    }));
  });

  it("estimates every outage area at every planning round, customers counted once", () => {
    expect(rounds.length).toBeGreaterThanOrEqual(3);
    const first = rounds[0];
    expect(first.at).toBe(0);
    // At minute 0: the five faults, each with its crew (the plan covers them all).
    expect(first.areas.map((a) => a.faults.map((f) => f.asset).join("+")).sort()).toEqual([
      "L-1A-1B",
      "L-2A-2B",
      "L-4A-4P",
      "P-WTP-SW",
      "TX-3B",
    ]);
    for (const a of first.areas) {
      expect(a.etr).not.toBeNull();
      expect(a.etr!).toBeGreaterThan(0);
      expect(["high", "medium", "low"]).toContain(a.confidence);
    }
    for (const r of rounds) {
      const nodes = r.areas.flatMap((a) => a.nodes);
      expect(new Set(nodes).size).toBe(nodes.length);
    }
  });

  it("gives the areas behind the faults hit by lightning a low confidence, and their ETR includes the hold", () => {
    const first = rounds[0].areas;
    const l2 = first.find((a) => a.id === "OUT-L-2A-2B")!;
    expect(l2.faults[0].workStopForecast).toBe(true);
    expect(l2.confidence).toBe("low");
    // Repair of L-2A-2B ends at 2:33 with its 60-minute lightning hold: the first ETR knew of the forecast.
    expect(l2.etr!).toBeGreaterThan(150);
    expect(l2.etr!).toBeLessThan(160);
  });

  it("keeps each area's ETRs with a reason for every change, and follows customers into a new area when new damage comes upstream", () => {
    for (const h of board.histories()) {
      expect(h.entries.length).toBeGreaterThan(0);
      for (const e of h.entries) expect(e.reason.length).toBeGreaterThan(10);
      for (let i = 1; i < h.entries.length; i++) {
        const [a, b] = [h.entries[i - 1], h.entries[i]];
        if (a.etr !== b.etr) expect(b.reason).toMatch(/ETR|customers|assessing/);
      }
    }
    // TX-3B was moved down PWR-2's list at minute 49: its ETR moved and the reason says so.
    const tx3b = board.get("OUT-TX-3B")!;
    const moved = tx3b.entries.find((e, i) => i > 0 && e.etr !== tx3b.entries[i - 1].etr)!;
    expect(moved.reason).toMatch(/TX-3B is now job \d in PWR-2's list \(was \d\)|TX-3B moved from/);
    // L-1A-1B's customers also lost their feeder head when L-SUBN-FDR1 broke at 3:47.
    const l1 = board.get("OUT-L-1A-1B")!;
    const last = l1.entries[l1.entries.length - 1];
    expect(last.mergedInto).toBe("OUT-L-SUBN-FDR1");
    expect(last.reason).toContain("L-SUBN-FDR1");
    expect(last.restoredAt).toBeUndefined();
  });
});

describe("EtrBoard", () => {
  it("goes on after a round trip through JSON as the board it was (what the service keeps in PostgreSQL)", () => {
    const b = new EtrBoard();
    b.update(0, [area({ etr: null, confidence: "none", faults: [{ ...area().faults[0], crewId: null }] })], "r1");
    b.update(10, [area(), area({ id: "OUT-B", nodes: ["N3"] })], "r2");
    const copy = EtrBoard.from(JSON.parse(JSON.stringify(b)));
    expect(copy.histories()).toEqual(b.histories());
    // The same next round on both: the same entries (a moved ETR, a restored area), the same board after.
    const next = [area({ etr: 300 })];
    expect(copy.update(20, next, "r3")).toEqual(b.update(20, next, "r3"));
    expect(copy.histories()).toEqual(b.histories());
    expect(copy.get("OUT-B")!.open).toBe(false);
    expect(copy.get("OUT-A")!.entries.map((e) => e.etr)).toEqual([null, 200, 300]);
  });

  it("republishes only when the ETR moves or its confidence changes, and says why", () => {
    const b = new EtrBoard();
    expect(b.update(0, [area()], "round 1")).toHaveLength(1);
    expect(b.update(10, [area({ etr: 202 })], "round 2")).toHaveLength(0);
    const [e] = b.update(
      20,
      [
        area({
          etr: 260,
          faults: [
            {
              asset: "A",
              crewId: "C2",
              crewStatus: "queued",
              position: 1,
              expectedRepairAt: 260,
              workStopForecast: false,
            },
          ],
        }),
      ],
      "round 3",
    );
    expect(e.reason).toBe("ETR T+03:20 -> T+04:20: A moved from C1 to C2 (round 3)");
    const [f] = b.update(
      30,
      [
        area({
          etr: 300,
          faults: [
            {
              asset: "A",
              crewId: "C2",
              crewStatus: "queued",
              position: 1,
              expectedRepairAt: 300,
              workStopForecast: false,
            },
          ],
        }),
      ],
      "round 4",
    );
    expect(f.reason).toBe(
      "ETR T+04:20 -> T+05:00: the crews' earlier work takes 40 min longer than estimated (round 4)",
    );
    b.update(40, [], "round 5");
    const h = b.get("OUT-A")!;
    expect(h.open).toBe(false);
    expect(h.entries.at(-1)!.restoredAt).toBe(40);
  });

  it("publishes no ETR while no crew has the fault, then the first one with the crew", () => {
    const b = new EtrBoard();
    const [a] = b.update(
      0,
      [
        area({
          etr: null,
          confidence: "none",
          faults: [
            {
              asset: "A",
              crewId: null,
              crewStatus: "unassigned",
              position: null,
              expectedRepairAt: null,
              workStopForecast: false,
            },
          ],
        }),
      ],
      "round 1",
    );
    expect(a.reason).toMatch(/^no crew assigned to A yet: assessing/);
    const [c] = b.update(5, [area()], "round 2");
    expect(c.reason).toMatch(/^ETR T\+03:20: A assigned to C1/);
  });
});
