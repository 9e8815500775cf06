/** Joint restoration: a case where the single-repair rule is provably wrong, and the optimizer is not. */
import { describe, expect, it } from "vitest";
import { evaluatePlan, proposeDispatchPlan } from "../../src/planning/optimizer.js";
import { World } from "../../src/world/simulator.js";
import { pumpNeedingPower } from "../support/scenarios.js";

/**
 * Pumping station W needs power from A (line LP) and reaches district D (1,000 people) through
 * main WM: LP and WM only restore D together. Line LS alone restores E (200 people).
 * One crew, every repair 60 min, no travel to speak of. Single-repair marginals put LS first
 * (200 against 0 and 0): 1,200 x 60 + 1,000 x 60 + 1,000 x 60 = 192,000 customer-minutes.
 * LP and WM first: 1,200 x 60 + 1,200 x 60 + 200 x 60 = 156,000.
 */
function pumpNeedsPowerAndMain() {
  return pumpNeedingPower([{ id: "WM", type: "pipe" }], { line: 60, pipe: 60 });
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
