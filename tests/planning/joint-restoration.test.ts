/** Joint restoration: a case where the single-repair rule is provably wrong, and the optimizer is not. */
import { describe, expect, it } from "vitest";
import { evaluatePlan, proposeDispatchPlan } from "../../src/planning/optimizer.js";
import { World } from "../../src/world/simulator.js";
import { scenario } from "../support/scenarios.js";

/**
 * Pumping station W needs power from A (line LP) and reaches district D (1,000 people) through
 * main WM: LP and WM only restore D together. Line LS alone restores E (200 people).
 * One crew, every repair 60 min, no travel to speak of. Single-repair marginals put LS first
 * (200 against 0 and 0): 1,200 x 60 + 1,000 x 60 + 1,000 x 60 = 192,000 customer-minutes.
 * LP and WM first: 1,200 x 60 + 1,200 x 60 + 200 x 60 = 156,000.
 */
function pumpNeedsPowerAndMain() {
  return scenario({
    nodes: [
      { id: "S", network: "power", type: "substation", x: 0, y: 0, role: "supply" },
      { id: "A", network: "power", type: "feeder", x: 0.01, y: 0, role: "transit" },
      { id: "E", network: "power", type: "feeder", x: 0, y: 0.01, population: 200 },
      { id: "W", network: "water", type: "pumping_station", x: 0.01, y: 0.01, role: "supply" },
      { id: "D", network: "water", type: "district", x: 0.02, y: 0.01, population: 1000 },
    ],
    links: [
      { id: "LP", network: "power", from: "S", to: "A" },
      { id: "LS", network: "power", from: "S", to: "E" },
      { id: "WM", network: "water", from: "W", to: "D", type: "pipe" },
    ],
    networks: ["power", "water"],
    dependencies: [{ dependee: "A", depender: "W" }],
    damage: ["LP", "LS", "WM"].map((asset) => ({ asset, atMinutes: 0 })),
    crews: [{ id: "C1", x: 0, y: 0, skills: ["power", "water"], capacityHours: 12, speedKmh: 6000 }],
    repairMinutes: { line: 60, pipe: 60 },
  });
}

describe("joint restoration", () => {
  it("repairs the two faults that restore the large group together before the single fault", () => {
    const w = new World(pumpNeedsPowerAndMain());
    const single = proposeDispatchPlan(w, { localSearch: false });
    expect(single.plan.assignments[0].assetIds[0]).toBe("LS"); // the single-repair rule's choice
    const p = proposeDispatchPlan(w);
    const order = p.plan.assignments[0].assetIds;
    expect(order[2]).toBe("LS");
    expect(new Set(order.slice(0, 2))).toEqual(new Set(["LP", "WM"]));
    const horizon = w.now() + 600;
    const mine = evaluatePlan(w, p.plan, horizon);
    const theirs = evaluatePlan(w, single.plan, horizon);
    expect(Math.round(theirs)).toBe(192_000);
    expect(Math.round(mine)).toBe(156_000);
    expect(p.plan.reasoning).toMatch(/plans judged by replaying repairs/);
  });
});
