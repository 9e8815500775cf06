/**
 * Heavy damage: most repairs land in dark regions (undamaged nodes out of service, cut off by damage
 * all round), where the revival search no longer revives dependencies (their dependee cannot come
 * back). The incremental update must still equal a computation from scratch after every repair, on
 * networks where that matters: a real city's interdependent networks and a meshed region whose power
 * and telecom need each other (cycles of dependencies that only come back together).
 */
import { describe, expect, it } from "vitest";
import { shelbyScenario } from "../../src/evaluation/shelby.js";
import { CompiledNetwork } from "../../src/world/network.js";
import { mulberry32 } from "../../src/world/prng.js";
import { generateRegion } from "../../src/world/scenario/generate.js";
import type { Scenario } from "../../src/world/scenario/schema.js";
import { ServiceState } from "../../src/world/service.js";

function repairsMatchScratch(scenario: Scenario, seed: number, damagedShare: number): { dark: number } {
  // Without buffers, service depends on the damaged set alone, so scratch and incremental must agree.
  const net = new CompiledNetwork({
    ...scenario,
    dependencies: scenario.dependencies.map((d) => ({ ...d, bufferHours: 0 })),
  });
  const random = mulberry32(seed);
  const damaged: number[] = [];
  for (let a = 0; a < net.assetCount; a++) if (random() < damagedShare) damaged.push(a);
  const live = new ServiceState(net);
  for (const a of damaged) live.setDamaged(a, true);
  live.recomputeAll(0);
  let dark = 0;
  for (let step = 1; damaged.length > 0; step++) {
    const [asset] = damaged.splice(Math.floor(random() * damaged.length), 1);
    const before = live.weightedOut();
    live.update(step, new Set([live.setDamaged(asset, false)]));
    if (live.weightedOut() === before) dark++;
    const scratch = new ServiceState(net);
    for (const a of damaged) scratch.setDamaged(a, true);
    scratch.recomputeAll(step);
    expect(Buffer.from(live.inService).equals(Buffer.from(scratch.inService)), `step ${step}`).toBe(true);
    expect(Buffer.from(live.depOk).equals(Buffer.from(scratch.depOk)), `step ${step}`).toBe(true);
    expect(live.weightedOut()).toBeCloseTo(scratch.weightedOut(), 3);
  }
  return { dark };
}

describe("service updates under heavy damage (dark regions)", () => {
  it.each([1, 2])("Shelby County, half its assets damaged, repaired one by one in a random order (seed %i)", (seed) => {
    const { dark } = repairsMatchScratch(shelbyScenario("d50", 4), seed, 0.5);
    // The case this is about: repairs that bring nothing back by themselves.
    expect(dark).toBeGreaterThan(20);
  });

  it.each([3, 4])("a meshed region whose power and telecom need each other, 40 % damaged (seed %i)", (seed) => {
    const scenario = generateRegion({ seed, nodes: 400, damagedAssets: 0, meshed: true });
    expect(scenario.dependencies.length).toBeGreaterThan(0);
    const { dark } = repairsMatchScratch(scenario, seed, 0.4);
    expect(dark).toBeGreaterThan(20);
  });
});
