/** The field's incremental replay of a growing dispatch log is the same world as replaying the whole log. */
import { describe, expect, it } from "vitest";
import { proposeDispatchPlan } from "../../src/planning/optimizer.js";
import { IncrementalReplay } from "../../src/world/incremental-replay.js";
import { loadScenario } from "../../src/world/scenario/load.js";
import { World } from "../../src/world/simulator.js";
import type { DispatchLogEntry } from "../../src/world/types.js";

/** What the field reads of a world (figures, metrics, the watcher's triggers). */
function seen(w: World) {
  const f = w.detectFailures();
  return {
    now: w.now(),
    damaged: f.damaged.map((a) => a.id),
    outOfService: f.outOfService.map((a) => a.id),
    populationOut: f.populationOut,
    critical: f.criticalFacilitiesOut,
    metrics: w.metrics(),
    crews: w.crewSummaries(),
    restored: w.isFullyRestored(),
    next: w.nextEventTime(),
    workable: w.workableUnassignedIds(),
    alerts: w.alertHistory(),
  };
}

/** A whole incident on the optimizer: plan, apply, go to the next event; the log by minute. */
function incident(scenario: ReturnType<typeof loadScenario>): { log: readonly DispatchLogEntry[]; end: number } {
  const world = new World(scenario);
  for (let i = 0; i < 60 && !world.isFullyRestored(); i++) {
    if (world.workableUnassignedIds().length) world.assignCrews(proposeDispatchPlan(world).plan);
    const next = world.nextEventTime();
    if (next === null) break;
    world.advanceTo(next);
  }
  return { log: world.dispatchLog(), end: world.now() };
}

describe("incremental replay", () => {
  const scenario = loadScenario("demo");
  const { log, end } = incident(scenario);
  const minutes = [...new Set(log.map((e) => e.at))];

  it("delivery by delivery, equals a full replay of what was delivered, at each minute looked at", () => {
    expect(minutes.length).toBeGreaterThan(3);
    const inc = new IncrementalReplay(scenario);
    for (const [i, m] of minutes.entries()) {
      const batch = log.filter((e) => e.at === m);
      expect(inc.append(batch)).toBe(true);
      const upTo = log.filter((e) => e.at <= m);
      // Looked at on delivery, and again later (the field's watcher between deliveries).
      const later = i + 1 < minutes.length ? (m + minutes[i + 1]) / 2 : end + 30;
      for (const t of [m, later]) expect(seen(inc.at(t))).toEqual(seen(World.replay(scenario, upTo, t)));
    }
    expect(inc.applied).toBe(log.length);
    expect(inc.at(end).isFullyRestored()).toBe(true);
  });

  it("starts from a delivered prefix, and refuses what it cannot append (the field then replays it all)", () => {
    const half = log.filter((e) => e.at <= minutes[1]);
    const inc = new IncrementalReplay(scenario, {}, half);
    expect(inc.applied).toBe(half.length);
    const t = minutes[1] + 5;
    expect(seen(inc.at(t))).toEqual(seen(World.replay(scenario, half, t)));
    // The same minute as the last applied (a full replay applies them together), or an earlier one.
    const again = { ...half[half.length - 1], dispatchId: "x", assetId: half[0].assetId };
    expect(inc.append([again])).toBe(false);
    expect(inc.append([{ ...again, at: minutes[0] }])).toBe(false);
    // Out of minute order within a delivery.
    const rest = log.filter((e) => e.at > minutes[1]);
    expect(inc.append([...rest].reverse())).toBe(rest.length < 2 || rest[0].at === rest[rest.length - 1].at);
    expect(inc.applied).toBe(half.length);
    expect(inc.append(rest)).toBe(true);
    expect(seen(inc.at(end + 30))).toEqual(seen(World.replay(scenario, log, end + 30)));
  });
});
