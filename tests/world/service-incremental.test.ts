/** The incremental service update equals a computation from scratch, whatever the order of damage and repairs. */
import { describe, expect, it } from "vitest";
import { CompiledNetwork } from "../../src/world/network.js";
import { generateRegion } from "../../src/world/scenario/generate.js";
import { mulberry32 } from "../../src/world/prng.js";
import { ServiceState } from "../../src/world/service.js";

describe("incremental service updates", () => {
  it.each([1, 2, 3])("match a recomputation from scratch (seed %i)", (seed) => {
    const s = generateRegion({ seed, nodes: 2_000, damagedAssets: 0 });
    // Without buffers, service depends on the damaged set alone, so scratch and incremental must agree.
    const net = new CompiledNetwork({ ...s, dependencies: s.dependencies.map((d) => ({ ...d, bufferHours: 0 })) });
    expect(net.depDependee.length).toBeGreaterThan(0);
    const live = new ServiceState(net);
    live.recomputeAll(0);
    const random = mulberry32(seed);
    const damaged = new Set<number>();
    for (let step = 0; step < 300; step++) {
      const repair = damaged.size > 0 && random() < 0.45;
      const asset = repair ? [...damaged][Math.floor(random() * damaged.size)] : Math.floor(random() * net.assetCount);
      if (repair) damaged.delete(asset);
      else damaged.add(asset);
      live.update(step, new Set([live.setDamaged(asset, !repair)]));
      if (step % 10 === 0 || step > 290) {
        const scratch = new ServiceState(net);
        for (const a of damaged) scratch.setDamaged(a, true);
        scratch.recomputeAll(step);
        expect(Buffer.from(live.inService).equals(Buffer.from(scratch.inService))).toBe(true);
        expect(Buffer.from(live.depOk).equals(Buffer.from(scratch.depOk))).toBe(true);
      }
    }
  });
});
