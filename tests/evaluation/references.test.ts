import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { searchBestKnown, simulatePlanToEnd } from "../../src/evaluation/best-known.js";
import { ieee123DamageSet } from "../../src/evaluation/cases.js";
import { readReference, resimulateReference, scenarioFingerprint } from "../../src/evaluation/references.js";
import { shelbyScenario } from "../../src/evaluation/shelby.js";
import { generateSmallCase } from "../../src/evaluation/small-cases.js";
import { evaluateCase, refreshReference } from "../../src/evaluation/suite.js";
import { World } from "../../src/world/simulator.js";

describe("best-known references", () => {
  it("the committed reference files re-simulate to their stored figures", () => {
    for (const scenario of [ieee123DamageSet(1, 6), shelbyScenario("d50", 8)]) {
      const file = readReference(scenario.name);
      expect(file, scenario.name).not.toBeNull();
      const r = resimulateReference(scenario, file!);
      expect(r.fresh).toBe(true);
      expect(r.status).toBe("restored");
      expect(r.matches).toBe(true);
      expect(r.weightedCustomerMinutes).toBeCloseTo(file!.weightedCustomerMinutes, 3);
    }
  });

  it("a changed case makes its reference stale", () => {
    const s = ieee123DamageSet(1, 6);
    const other = { ...s, damage: s.damage.slice(1) };
    expect(scenarioFingerprint(other)).not.toBe(scenarioFingerprint(s));
    expect(resimulateReference(other, readReference(s.name)!).fresh).toBe(false);
  });

  it("the search is deterministic and never worse than the plans it starts from", () => {
    const world = new World(generateSmallCase({ seed: 3 }));
    const a = searchBestKnown(world, { seed: 7, evaluations: 80 });
    const b = searchBestKnown(world, { seed: 7, evaluations: 80 });
    expect(b.plan).toEqual(a.plan);
    expect(a.weightedCustomerMinutes).toBeLessThanOrEqual(Math.min(...a.starts.map((s) => s.weightedCustomerMinutes)));
    expect(simulatePlanToEnd(world, a.plan)).toBe(a.weightedCustomerMinutes);
  });

  it("a refreshed reference is used as the case's reference, and the table says when a planner beats it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "refs-"));
    const scenario = ieee123DamageSet(2, 5);
    const c = { name: scenario.name, kind: "large" as const, family: "ieee123" as const, scenario };
    const ref = refreshReference(c, { referencesDir: dir, evaluations: 60 });
    const result = await evaluateCase(c, {
      referencesDir: dir,
      planners: [{ name: "detection-order", kind: "episode", baseline: "detection-order" }],
    });
    expect(result.referenceKind).toBe("best-known");
    const stored = result.runs.find((r) => r.planner === "best known")!;
    expect(stored.figures.weightedCustomerMinutes).toBeCloseTo(ref.weightedCustomerMinutes, 3);
    const best = Math.min(...result.runs.map((r) => r.figures.weightedCustomerMinutes));
    expect(result.runs.find((r) => r.planner === result.reference)!.figures.weightedCustomerMinutes).toBe(best);
    if (result.reference !== "best known") expect(result.referenceNote).toMatch(/beats the stored best-known plan/);
  });
});
