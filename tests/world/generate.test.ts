import { describe, expect, it } from "vitest";
import { generateRegion } from "../../src/world/scenario/generate.js";
import { mulberry32 } from "../../src/world/prng.js";
import { ScenarioSchema, type Scenario } from "../../src/world/scenario/schema.js";

/** Nodes not reachable from a supply of their own network, over all links. */
function unreachable(s: Scenario): string[] {
  const adj = new Map<string, string[]>();
  for (const n of s.nodes) adj.set(n.id, []);
  for (const l of s.links) {
    adj.get(l.from)!.push(l.to);
    adj.get(l.to)!.push(l.from);
  }
  const seen = new Set(s.nodes.filter((n) => n.role === "supply").map((n) => n.id));
  const queue = [...seen];
  while (queue.length)
    for (const m of adj.get(queue.pop()!)!)
      if (!seen.has(m)) {
        seen.add(m);
        queue.push(m);
      }
  return s.nodes.filter((n) => !seen.has(n.id)).map((n) => n.id);
}

describe("mulberry32", () => {
  it("is deterministic and in [0, 1)", () => {
    const a = mulberry32(42),
      b = mulberry32(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(new Set(xs).size).toBeGreaterThan(990);
  });
});

describe("generateRegion", () => {
  it("is deterministic: the same options give a deep-equal scenario, another seed a different one", () => {
    const a = generateRegion({ seed: 11, nodes: 2000 });
    const b = generateRegion({ seed: 11, nodes: 2000 });
    expect(b).toEqual(a);
    const c = generateRegion({ seed: 12, nodes: 2000 });
    expect(c.nodes.map((n) => [n.x, n.y])).not.toEqual(a.nodes.map((n) => [n.x, n.y]));
  });

  it("passes ScenarioSchema at 500 nodes with every default already written out", () => {
    const s = generateRegion({ seed: 1, nodes: 500 });
    const r = ScenarioSchema.safeParse(s);
    expect(r.success ? [] : r.error.issues).toEqual([]);
    expect(r.data).toEqual(s);
    expect(s.coordinates).toEqual({ kind: "xy", unit: "km" });
  });

  it("has the requested counts and shape", () => {
    const s = generateRegion({ seed: 5, nodes: 4000 });
    expect(s.nodes).toHaveLength(4000);
    expect(s.links.length).toBeGreaterThan(4000 * 1.45);
    expect(s.links.length).toBeLessThan(4000 * 1.55);
    expect(s.networks).toEqual(["power", "water", "gas", "telecom"]);
    const assets = s.nodes.length + s.links.length;
    expect(s.damage.length).toBe(Math.round(0.02 * assets));
    expect(new Set(s.damage.map((d) => d.asset)).size).toBe(s.damage.length);
    const linkIds = new Set(s.links.map((l) => l.id));
    expect(s.damage.filter((d) => linkIds.has(d.asset)).length).toBeGreaterThan(s.damage.length * 0.7);
    expect(s.damage.filter((d) => d.atMinutes === 0).length).toBeGreaterThan(s.damage.length * 0.8);
    expect(s.crews).toHaveLength(8);
    for (const net of s.networks!) {
      const nodes = s.nodes.filter((n) => n.network === net);
      expect(nodes.filter((n) => n.role === "supply").length).toBeGreaterThanOrEqual(1);
      expect(nodes.filter((n) => n.role === "transit").length).toBeGreaterThan(0);
      expect(nodes.some((n) => n.criticality >= 5)).toBe(true);
      expect(s.crews.some((c) => c.skills.includes(net))).toBe(true);
    }
    for (const n of s.nodes) {
      if (n.role === "demand") expect(n.population).toBeGreaterThanOrEqual(50);
      if (n.role === "demand") expect(n.population).toBeLessThanOrEqual(5000);
      if (n.criticality > 1) expect(n.criticality).toBeGreaterThanOrEqual(5);
      expect(n.criticality).toBeLessThanOrEqual(20);
    }
    for (const c of s.crews) {
      expect(c.speedKmh).toBeGreaterThanOrEqual(40);
      expect(c.speedKmh).toBeLessThanOrEqual(60);
      expect(c.capacityHours).toBeGreaterThanOrEqual(24 * 7);
    }
    expect(unreachable(s)).toEqual([]);
  });

  it("builds the cross-network dependencies, including a buffered power–telecom cycle", () => {
    const s = generateRegion({ seed: 9, nodes: 4000 });
    const byId = new Map(s.nodes.map((n) => [n.id, n]));
    const pairs = s.dependencies.map((d) => ({ ...d, from: byId.get(d.dependee)!, to: byId.get(d.depender)! }));
    const water = pairs.filter((p) => p.to.type === "pumping_station");
    expect(water.length).toBeGreaterThan(0);
    expect(water.every((p) => p.from.type === "substation")).toBe(true);
    expect(water.some((p) => p.bufferHours > 0) && water.some((p) => p.bufferHours === 0)).toBe(true);
    expect(pairs.some((p) => p.to.network === "gas" && p.from.network === "power")).toBe(true);
    const powerOnTelecom = pairs.filter((p) => p.to.network === "power" && p.from.network === "telecom");
    const telecomOnPower = pairs.filter((p) => p.to.network === "telecom" && p.from.network === "power");
    expect(powerOnTelecom.length).toBeGreaterThan(0);
    expect(telecomOnPower.length).toBeGreaterThan(0);
    expect([...powerOnTelecom, ...telecomOnPower].every((p) => p.bufferHours > 0)).toBe(true);
  });

  it("mixes single- and multi-skill crews", () => {
    const s = generateRegion({ seed: 2, nodes: 10000 });
    expect(s.crews).toHaveLength(20);
    expect(s.crews.some((c) => c.skills.length === 1)).toBe(true);
    expect(s.crews.some((c) => c.skills.length > 1)).toBe(true);
  });

  it("honours custom networks, crews, damage count and storm", () => {
    const s = generateRegion({
      seed: 3,
      nodes: 300,
      networks: ["power", "district_heat"],
      crews: 1,
      damagedAssets: 7,
      name: "small",
      stormDamageRatePerHour: 2,
    });
    expect(s.name).toBe("small");
    expect(s.networks).toEqual(["power", "district_heat"]);
    expect(s.crews).toHaveLength(1);
    expect(s.crews[0]!.skills).toEqual(["power", "district_heat"]);
    expect(s.damage).toHaveLength(7);
    expect(s.weather).toEqual([{ condition: "storm", fromMinutes: 0, toMinutes: 360, damageRatePerHour: 2 }]);
    expect(ScenarioSchema.safeParse(s).success).toBe(true);
  });

  it("has only valid references, and the schema catches a broken one", () => {
    const s = generateRegion({ seed: 4, nodes: 600 });
    expect(ScenarioSchema.safeParse(s).success).toBe(true);
    const broken = structuredClone(s);
    broken.links[10]!.to = "power-n999999";
    broken.dependencies[0]!.depender = "nobody";
    broken.damage[0]!.asset = "gone";
    const r = ScenarioSchema.safeParse(broken);
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join("."))).toEqual([
      "links.10.to",
      "dependencies.0.depender",
      "damage.0.asset",
    ]);
  });

  it("rejects impossible options", () => {
    expect(() => generateRegion({ seed: 1, nodes: 3 })).toThrow(RangeError);
    expect(() => generateRegion({ seed: 1.5, nodes: 100 })).toThrow(RangeError);
  });

  // Its speed is measured by `npm run bench:world`, not asserted here.
  it("generates 100,000 nodes and about 150,000 links", () => {
    const s = generateRegion({ seed: 2026, nodes: 100_000 });
    expect(s.nodes).toHaveLength(100_000);
    expect(s.links.length).toBeGreaterThan(145_000);
    expect(s.links.length).toBeLessThanOrEqual(150_000);
    expect(new Set(s.nodes.map((n) => n.id)).size).toBe(100_000);
  });
});
