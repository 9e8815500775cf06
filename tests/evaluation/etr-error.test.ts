import { describe, expect, it } from "vitest";
import { etrErrorForCase, etrErrorMarkdown, stats } from "../../src/evaluation/etr-error.js";
import { loadScenario } from "../../src/world/scenario/load.js";

describe("ETR error", () => {
  it("computes median, p90, the share restored before the ETR and the signed mean", () => {
    const s = (etr: number, actual: number) => ({ area: "a", at: 0, etr, actual, confidence: "high", first: true });
    const r = stats([s(100, 90), s(100, 110), s(100, 100), s(100, 160)]);
    expect(r).toEqual({
      samples: 4,
      medianAbsMinutes: 10,
      p90AbsMinutes: 60,
      restoredBeforeEtr: 0.5,
      meanSignedMinutes: -15,
    });
    expect(stats([]).medianAbsMinutes).toBeNull();
  });

  it("compares each area's ETRs with when its customers were back, on the demo", async () => {
    const { result, samples } = await etrErrorForCase("demo", loadScenario("demo"));
    expect(result.areas).toBeGreaterThanOrEqual(5);
    expect(result.first.samples).toBeGreaterThanOrEqual(5);
    for (const x of samples) {
      expect(x.actual).toBeGreaterThan(x.at);
      expect(x.etr).toBeGreaterThanOrEqual(x.at);
    }
    // The hospital's feeder L-2A-2B: given at minute 0, back at 2:33 (its lightning hold included in the ETR).
    const l2 = samples.find((x) => x.area === "OUT-L-2A-2B" && x.first)!;
    expect(Math.abs(l2.etr - l2.actual)).toBeLessThan(5);
    // TX-3B was pushed back by new damage: its first ETR was too early.
    const tx = samples.find((x) => x.area === "OUT-TX-3B" && x.first)!;
    expect(tx.actual - tx.etr).toBeGreaterThan(60);
    expect(etrErrorMarkdown([result])).toMatch(/\| demo \| \d+ \| first round \| \d+ \|/);
  });
});
