import { describe, expect, it } from "vitest";
import { generateRegion } from "../../src/world/scenario/generate.js";
import { ScenarioSchema } from "../../src/world/scenario/schema.js";
import { World } from "../../src/world/simulator.js";

describe("generateRegion({ meshed: true })", () => {
  const options = { seed: 5, nodes: 400, damagedAssets: 40, crews: 4, meshed: true } as const;
  const s = generateRegion(options);

  it("is valid, deterministic, an earthquake (all damage at minute 0) and more meshed than a tree", () => {
    expect(ScenarioSchema.safeParse(s).success).toBe(true);
    expect(generateRegion(options)).toEqual(s);
    expect(s.damage.length).toBe(40);
    expect(s.damage.every((d) => d.atMinutes === 0)).toBe(true);
    const water = s.nodes.filter((n) => n.network === "water").length;
    expect(s.links.filter((l) => l.network === "water").length).toBeGreaterThan(1.3 * water);
  });

  it("has power and telecom depending on each other, and other networks' sources depending on power", () => {
    const net = new Map(s.nodes.map((n) => [n.id, n]));
    const pairs = new Set(s.dependencies.map((d) => `${net.get(d.dependee)!.network}>${net.get(d.depender)!.network}`));
    expect(pairs).toContain("power>telecom");
    expect(pairs).toContain("telecom>power");
    const sources = s.nodes.filter((n) => n.role === "supply" && n.network !== "power").map((n) => n.id);
    const dependers = new Set(s.dependencies.map((d) => d.depender));
    expect(sources.every((id) => dependers.has(id))).toBe(true);
  });

  it("has customers that come back only when two repairs are both done", () => {
    const w = new World(s);
    const ids = w.detectFailures().damaged.map((d) => w.net.index(d.id)!);
    const alone = new Map(ids.map((i) => [i, w.restoredIfRepaired([i]).population]));
    let best = { gain: 0, a: -1, b: -1, both: 0 };
    for (let x = 0; x < ids.length; x++) {
      for (let y = x + 1; y < ids.length; y++) {
        const both = w.restoredIfRepaired([ids[x]!, ids[y]!]).population;
        const gain = both - alone.get(ids[x]!)! - alone.get(ids[y]!)!;
        if (gain > best.gain) best = { gain, a: ids[x]!, b: ids[y]!, both };
      }
    }
    // Either repair alone restores fewer people than both, and the two alone add up to less than both together.
    expect(best.gain).toBeGreaterThan(0);
    expect(alone.get(best.a)!).toBeLessThan(best.both);
    expect(alone.get(best.b)!).toBeLessThan(best.both);
  });
});
