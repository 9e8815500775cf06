import { describe, expect, it } from "vitest";
import { shelbyCrews, shelbyDamageCases, shelbyScenario } from "../../src/evaluation/shelby.js";
import { loadScenario } from "../../src/world/scenario/load.js";
import { ScenarioSchema } from "../../src/world/scenario/schema.js";
import { World } from "../../src/world/simulator.js";

describe("Shelby County scenario (npm run import:shelby)", () => {
  const s = loadScenario("shelby");

  it("loads and validates as a CSV folder, with four utility networks and hospitals", () => {
    expect(s.name).toBe("shelby");
    expect(new Set(s.nodes.map((n) => n.network))).toEqual(new Set(["power", "water", "gas", "telecom", "hospital"]));
    expect(s.nodes.length).toBe(167 + 5);
    expect(s.links.length).toBe(217);
    expect(s.assumptions?.length).toBeGreaterThan(5);
  });

  it("keeps the data's cross-network dependencies, both ways between power and telecom", () => {
    const net = new Map(s.nodes.map((n) => [n.id, n.network]));
    const pairs = new Set(s.dependencies.map((d) => `${net.get(d.dependee)}>${net.get(d.depender)}`));
    for (const p of [
      "power>water",
      "power>telecom",
      "telecom>power",
      "power>gas",
      "gas>power",
      "water>power",
      "power>hospital",
      "water>hospital",
    ])
      expect(pairs).toContain(p);
    expect(s.dependencies.filter((d) => net.get(d.dependee) !== net.get(d.depender)).length).toBe(73 + 10);
  });

  it("builds every damage case with 4, 8 and 12 crews, valid and deterministic", () => {
    const cases = shelbyDamageCases();
    expect(cases.map((c) => c.id)).toEqual(["d50", "d100", "d200"]);
    expect(cases.map((c) => c.assets.length)).toEqual([50, 101, 210]);
    for (const crews of [4, 8, 12]) {
      const sc = shelbyScenario("d50", crews);
      expect(ScenarioSchema.safeParse(sc).success).toBe(true);
      expect(sc.crews.length).toBe(crews);
      expect(new Set(sc.crews.flatMap((c) => c.skills))).toEqual(new Set(["power", "water", "gas", "telecom"]));
    }
    expect(shelbyCrews(8, s)).toEqual(s.crews); // crews.csv is the 8-crew roster
  });

  it("an earthquake case takes service out across networks, beyond the damaged assets themselves", () => {
    const w = new World(shelbyScenario("d100", 8));
    const f = w.detectFailures();
    expect(f.damaged.length).toBe(101);
    const outNetworks = new Set(f.outOfService.map((a) => a.network));
    expect(outNetworks.size).toBeGreaterThanOrEqual(2);
    expect(f.populationOut).toBeGreaterThan(0);
  });
});
