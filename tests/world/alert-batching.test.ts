import { describe, expect, it } from "vitest";
import { World } from "../../src/world/simulator.js";
import { feederWithPump } from "../support/scenarios.js";

describe("alerts", () => {
  const s = feederWithPump({
    damage: [
      { asset: "L3", atMinutes: 10 },
      { asset: "P1", atMinutes: 25 },
      { asset: "L1", atMinutes: 70 },
    ],
  });

  it("stop time at the first thing a dispatcher must act on", () => {
    const w = new World(s);
    expect(w.advanceUntilAlert().map((a) => [a.kind, a.at, a.assets])).toEqual([["damage", 10, ["L3"]]]);
    expect(w.now()).toBe(10);
  });

  it("can be batched: everything within the window is reported together, at its end", () => {
    const w = new World(s);
    const alerts = w.advanceUntilAlert(Infinity, 30);
    expect(alerts.map((a) => a.assets[0])).toEqual(["L3", "P1"]);
    expect(w.now()).toBe(40);
    expect(w.advanceUntilAlert(Infinity, 30).map((a) => [a.at, a.assets[0]])).toEqual([[70, "L1"]]);
  });
});
