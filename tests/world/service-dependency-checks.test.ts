/**
 * The service update checks only the dependencies that can have changed (those of nodes whose
 * service changed, those running on a buffer, revived ones, ones whose loss minute a planner set):
 * it must leave exactly the state that checking every dependency at every update leaves, with
 * buffers running and running out, repairs and damage, planners' loss minutes, and copies.
 */
import { describe, expect, it } from "vitest";
import { CompiledNetwork } from "../../src/world/network.js";
import { mulberry32 } from "../../src/world/prng.js";
import { generateRegion } from "../../src/world/scenario/generate.js";
import { ServiceState } from "../../src/world/service.js";
import { feederWithPump, scenario } from "../support/scenarios.js";

function expectSameState(a: ServiceState, b: ServiceState): void {
  expect(Buffer.from(a.inService).equals(Buffer.from(b.inService))).toBe(true);
  expect(Buffer.from(a.functional).equals(Buffer.from(b.functional))).toBe(true);
  expect(Buffer.from(a.depOk).equals(Buffer.from(b.depOk))).toBe(true);
  expect(Buffer.from(a.lostSince.buffer).equals(Buffer.from(b.lostSince.buffer))).toBe(true);
  expect(a.buffersRunning()).toEqual(b.buffersRunning());
  expect(a.populationOut()).toEqual(b.populationOut());
}

describe("dependency checks of the service update", () => {
  it("fail a revived dependency again when its dependee stays out past its buffer", () => {
    // S -L1- A -L2- B -L3- C (power); the pump W needs B, with a 1-hour backup.
    const net = new CompiledNetwork(
      feederWithPump({ dependencies: [{ dependee: "B", depender: "W", bufferHours: 1 }] }),
    );
    const id = (name: string) => net.assetIndex.get(name)!;
    const states = (["changed", "every"] as const).map((mode) => {
      const s = new ServiceState(net, undefined, { dependencyChecks: mode });
      s.recomputeAll(0);
      s.update(0, [s.setDamaged(id("L1"), true), s.setDamaged(id("L2"), true)]);
      expect(s.buffersRunning()).toEqual([{ dependency: 0, expiresAt: 60 }]);
      s.update(120, [net.assetNetwork[id("B")]]);
      expect(s.inService[id("D")]).toBe(0);
      // Repairing L2 revives the dependency (B is reachable from it), but B is still cut off by L1.
      s.update(200, [s.setDamaged(id("L2"), false)]);
      return s;
    });
    expectSameState(states[0], states[1]);
    expect(states[0].depOk[0]).toBe(0);
    expect(states[0].inService[id("D")]).toBe(0);
  });

  it.each([
    ["radial", 1, false],
    ["radial", 2, false],
    ["meshed", 3, true],
    ["meshed", 5, true],
    ["meshed", 6, true],
  ] as const)("leave the state that checking every dependency leaves (%s, seed %i)", (_shape, seed, meshed) => {
    const s = generateRegion({ seed, nodes: 1_500, damagedAssets: 0, meshed });
    // Backups of 1 to 8 hours on every dependency, so that many run and run out.
    const net = new CompiledNetwork({
      ...s,
      dependencies: s.dependencies.map((d, i) => ({ ...d, bufferHours: 1 + (i % 8) })),
    });
    // "changed": never the shortcut of a full pass, so every step tests the selection.
    let live = new ServiceState(net, undefined, { dependencyChecks: "changed" });
    const plain = new ServiceState(net, undefined, { dependencyChecks: "every" });
    live.recomputeAll(0);
    plain.recomputeAll(0);
    const random = mulberry32(seed);
    const damaged = new Set<number>();
    let now = 0;
    let buffersSeen = 0;
    for (let step = 0; step < 400; step++) {
      now += Math.floor(random() * 120);
      const dirty = new Set<number>();
      // Buffers that ran out by now: their dependee's network is updated, as the world does.
      for (const b of live.buffersRunning())
        if (b.expiresAt <= now) dirty.add(net.assetNetwork[net.depDependee[b.dependency]]);
      buffersSeen += live.buffersRunning().length;
      const r = random();
      if (r < 0.4 && damaged.size > 0) {
        const asset = [...damaged][Math.floor(random() * damaged.size)];
        damaged.delete(asset);
        dirty.add(live.setDamaged(asset, false));
        plain.setDamaged(asset, false);
      } else if (r < 0.8) {
        const asset = Math.floor(random() * net.assetCount);
        damaged.add(asset);
        dirty.add(live.setDamaged(asset, true));
        plain.setDamaged(asset, true);
      } else {
        // A planner's timeline says a dependee was lost at another minute than the state has it
        // (a backup that started later, one that ran out, one whose dependee is back in service).
        const running = live.buffersRunning();
        const d =
          running.length > 0 && random() < 0.5
            ? running[Math.floor(random() * running.length)].dependency
            : Math.floor(random() * net.depDependee.length);
        const minute = now - Math.floor(random() * 240);
        live.setLostSince(d, minute);
        plain.setLostSince(d, minute);
        if (random() < 0.5) dirty.add(net.assetNetwork[net.depDependee[d]]);
      }
      live.update(now, dirty);
      plain.update(now, dirty);
      expectSameState(live, plain);
      if (step % 50 === 25) {
        // A copy carries what is still to be checked.
        const copy = new ServiceState(net, undefined, { dependencyChecks: "changed" });
        copy.copyFrom(live);
        live = copy;
      }
    }
    expect(buffersSeen).toBeGreaterThan(0);
  });
  it("count the dependencies they look at: fewer than the plain rule on a large meshed region", () => {
    const s = generateRegion({ seed: 7, nodes: 6_000, damagedAssets: 0, meshed: true });
    const net = new CompiledNetwork(s);
    const live = new ServiceState(net);
    const plain = new ServiceState(net, undefined, { dependencyChecks: "every" });
    live.recomputeAll(0);
    plain.recomputeAll(0);
    const random = mulberry32(7);
    const assets = Array.from({ length: 200 }, () => Math.floor(random() * net.assetCount));
    for (const a of assets) {
      live.setDamaged(a, true);
      plain.setDamaged(a, true);
    }
    const all = net.networks.map((_, i) => i);
    live.update(1, all);
    plain.update(1, all);
    const [liveBefore, plainBefore] = [live.visits, plain.visits];
    assets.forEach((a, k) => {
      live.update(2 + k, [live.setDamaged(a, false)]);
      plain.update(2 + k, [plain.setDamaged(a, false)]);
    });
    expectSameState(live, plain);
    // Each repair's update costs what it restores, not the network's dependencies.
    expect(live.visits - liveBefore).toBeLessThan((plain.visits - plainBefore) / 2);
  });

  it("count a repair's revival search by what it looks at, not by every failed dependency elsewhere", () => {
    // Power S -L1- A feeds 30 gas sources through dependencies; water W -WL- D stands apart.
    const gas = Array.from({ length: 30 }, (_, k) => `G${k}`);
    const net = new CompiledNetwork(
      scenario({
        nodes: [
          { id: "S", network: "power", type: "substation", x: 0, y: 0, role: "supply" },
          { id: "A", network: "power", type: "feeder", x: 1, y: 0, population: 10 },
          { id: "W", network: "water", type: "pumping_station", x: 5, y: 5, role: "supply" },
          { id: "D", network: "water", type: "district", x: 6, y: 5, population: 100 },
          ...gas.map((id, k) => ({ id, network: "gas", type: "regulator", x: k, y: 2, role: "supply" as const })),
        ],
        links: [
          { id: "L1", network: "power", from: "S", to: "A" },
          { id: "WL", network: "water", from: "W", to: "D" },
        ],
        dependencies: gas.map((depender) => ({ dependee: "A", depender, bufferHours: 0 })),
      }),
    );
    const id = (name: string) => net.assetIndex.get(name)!;
    const repairCost = (powerLost: boolean): { visits: number; failed: number } => {
      const state = new ServiceState(net);
      state.recomputeAll(0);
      if (powerLost) state.update(1, [state.setDamaged(id("L1"), true)]);
      state.update(2, [state.setDamaged(id("WL"), true)]);
      const before = state.visits;
      state.update(3, [state.setDamaged(id("WL"), false)]);
      return { visits: state.visits - before, failed: state.depOk.reduce((n, ok) => n + (ok ? 0 : 1), 0) };
    };
    const quiet = repairCost(false);
    const busy = repairCost(true);
    expect(busy.failed).toBe(30);
    // The water repair costs the same whether or not the gas sources' dependencies failed.
    expect(busy.visits).toBe(quiet.visits);
  });
});
