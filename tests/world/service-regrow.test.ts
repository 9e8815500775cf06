/**
 * Service updates that take back an optimistic revival without a full traversal (regrow) equal a
 * computation from scratch: batches of damage and repairs on meshed interdependent regions, where
 * power and telecom need each other and revivals are often refuted.
 */
import { describe, expect, it } from "vitest";
import { CompiledNetwork } from "../../src/world/network.js";
import { mulberry32 } from "../../src/world/prng.js";
import { generateRegion } from "../../src/world/scenario/generate.js";
import { ServiceState } from "../../src/world/service.js";

describe("service updates after refuted revivals", () => {
  it.each([4, 5, 6])("match a recomputation from scratch, batches of changes (meshed, seed %i)", (seed) => {
    const s = generateRegion({ seed, nodes: 1_500, damagedAssets: 0, meshed: true });
    const net = new CompiledNetwork({ ...s, dependencies: s.dependencies.map((d) => ({ ...d, bufferHours: 0 })) });
    expect(net.depDependee.length).toBeGreaterThan(0);
    const live = new ServiceState(net);
    live.recomputeAll(0);
    const random = mulberry32(seed);
    const damaged = new Set<number>();
    let restoredSome = false;
    for (let step = 1; step <= 250; step++) {
      // Mostly damage early, mostly repairs later: both directions, several changes per update.
      const repairShare = step < 80 ? 0.2 : 0.75;
      const dirty = new Set<number>();
      const changes = 1 + Math.floor(random() * 4);
      for (let k = 0; k < changes; k++) {
        const repair = damaged.size > 0 && random() < repairShare;
        const asset = repair
          ? [...damaged][Math.floor(random() * damaged.size)]
          : Math.floor(random() * net.assetCount);
        if (repair) damaged.delete(asset);
        else damaged.add(asset);
        dirty.add(live.setDamaged(asset, !repair));
      }
      const before = live.populationOut().population;
      live.update(step, dirty);
      if (live.populationOut().population < before) restoredSome = true;
      const scratch = new ServiceState(net);
      for (const a of damaged) scratch.setDamaged(a, true);
      scratch.recomputeAll(step);
      expect(Buffer.from(live.inService).equals(Buffer.from(scratch.inService))).toBe(true);
      expect(Buffer.from(live.depOk).equals(Buffer.from(scratch.depOk))).toBe(true);
      expect(Buffer.from(live.functional).equals(Buffer.from(scratch.functional))).toBe(true);
      expect(live.populationOut()).toEqual(scratch.populationOut());
    }
    expect(restoredSome).toBe(true);
  });

  it("a copy updated from a snapshot equals the original updated the same way", () => {
    const s = generateRegion({ seed: 9, nodes: 1_500, damagedAssets: 0, meshed: true });
    const net = new CompiledNetwork(s);
    const a = new ServiceState(net);
    a.recomputeAll(0);
    const random = mulberry32(9);
    const hits: number[] = [];
    for (let k = 0; k < 60; k++) hits.push(Math.floor(random() * net.assetCount));
    a.update(0, new Set(hits.map((h) => a.setDamaged(h, true))));
    const b = a.clone();
    const c = a.clone();
    c.copyFrom(a);
    for (const state of [a, b, c]) {
      const dirty = new Set<number>();
      for (const h of hits.slice(0, 40)) dirty.add(state.setDamaged(h, false));
      state.update(30, dirty);
    }
    for (const other of [b, c]) {
      expect(Buffer.from(other.inService).equals(Buffer.from(a.inService))).toBe(true);
      expect(other.buffersRunning()).toEqual(a.buffersRunning());
    }
  });
});
