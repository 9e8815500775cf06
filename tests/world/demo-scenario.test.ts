/**
 * The shipped demo scenario (scenarios/demo.json), the one `npm start` runs: it must load, start
 * with the failures the demo talks about, cascade when nobody acts, and be fully restorable by a
 * simple policy, while putting the hospital's feed first does visibly better.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ScenarioSchema, type Scenario } from "../../src/world/scenario/schema.js";
import { World } from "../../src/world/simulator.js";
import type { Alert } from "../../src/world/types.js";

const DEMO = new URL("../../scenarios/demo.json", import.meta.url);
const demo: Scenario = ScenarioSchema.parse(JSON.parse(readFileSync(DEMO, "utf8")));

const HOSPITAL = "HOSP-StMary";
const HOSPITAL_FEED_FAULT = "L-2A-2B";
const DAY = 24 * 60;

/**
 * A simple dispatcher: at the start and after every alert, each damaged asset nobody is assigned
 * to goes to the next crew (round robin) that has the skill and the capacity. `first` moves some
 * assets to the front of the list; otherwise assets go in the order the world lists them.
 */
function runGreedy(first: string[] = []): { world: World; alerts: Alert[] } {
  const world = new World(demo);
  const crews = demo.crews;
  let next = 0;
  const assign = () => {
    const damaged = world.detectFailures().damaged.filter((d) => !d.assignedCrew);
    damaged.sort((a, b) => Number(first.includes(b.id)) - Number(first.includes(a.id)));
    for (const asset of damaged) {
      for (let k = 0; k < crews.length; k++) {
        const crew = crews[(next + k) % crews.length];
        if (!crew.skills.includes(asset.network)) continue;
        const plan = { assignments: [{ crewId: crew.id, assetIds: [asset.id] }] };
        if (!world.validatePlan(plan).valid) continue;
        world.assignCrews(plan);
        next = (next + k + 1) % crews.length;
        break;
      }
    }
  };
  assign();
  const alerts: Alert[] = [];
  for (let guard = 0; guard < 1000; guard++) {
    const raised = world.advanceUntilAlert();
    if (raised.length === 0) break;
    alerts.push(...raised);
    assign();
  }
  return { world, alerts };
}

describe("the demo scenario", () => {
  it("is a small lon/lat town over power, water and a hospital, with three crews and a storm", () => {
    expect(demo.coordinates).toBe("lonlat");
    expect(demo.networks).toEqual(["power", "water", "hospital"]);
    expect(demo.nodes.length).toBeGreaterThanOrEqual(30);
    expect(demo.nodes.length).toBeLessThanOrEqual(60);
    expect(demo.crews).toHaveLength(3);
    const world = new World(demo);
    const powerPeople = demo.nodes.filter((n) => n.network === "power").reduce((s, n) => s + n.population, 0);
    expect(powerPeople).toBeGreaterThanOrEqual(10_000);
    expect(powerPeople).toBeLessThanOrEqual(20_000);
    expect(world.net.totalPopulation).toBeGreaterThan(powerPeople);
    const hospital = demo.nodes.find((n) => n.id === HOSPITAL)!;
    expect(hospital).toMatchObject({ type: "hospital", criticality: 10, population: 300 });
    expect(demo.dependencies).toContainEqual({ dependee: "TX-2H", depender: HOSPITAL, bufferHours: 3 });
    expect(demo.weather.map((w) => w.condition)).toEqual(["storm", "lightning"]);
    expect(demo.assumptions?.length).toBeGreaterThan(0);
  });

  it("starts with five faults, the east pumps down through their power, and the hospital on its generator", () => {
    const snap = new World(demo).detectFailures();
    expect(snap.damaged.map((d) => d.id).sort()).toEqual(["L-1A-1B", "L-2A-2B", "L-4A-4P", "P-WTP-SW", "TX-3B"]);
    const out = new Map(snap.outOfService.map((f) => [f.id, f]));
    expect(out.get("PUMP-East")?.cause).toMatch(/dependency out of service: TX-4P/);
    for (const district of ["WD-East", "WD-Southeast"]) {
      expect(out.get(district)?.rootCauses).toEqual(["L-4A-4P"]);
    }
    expect(out.get("TX-2H")?.rootCauses).toEqual([HOSPITAL_FEED_FAULT]);
    expect(out.has(HOSPITAL)).toBe(false);
    expect(snap.criticalFacilitiesOut).toEqual([]);
    expect(snap.onBackup).toEqual([{ node: HOSPITAL, dependee: "TX-2H", expiresAt: 180, critical: true }]);
  });

  it("left alone, the storm adds damage and the hospital's generator runs out at minute 180", () => {
    const world = new World(demo);
    const alerts: Alert[] = [];
    for (let guard = 0; guard < 100; guard++) {
      const raised = world.advanceUntilAlert();
      if (raised.length === 0) break;
      alerts.push(...raised);
    }
    const hospitalCascade = alerts.find((a) => a.kind === "cascade" && a.assets.includes(HOSPITAL));
    expect(hospitalCascade?.at).toBe(180);
    const stormDamage = alerts.filter((a) => a.kind === "damage" && a.at > 30 && a.at < 240 && a.at !== 150);
    expect(stormDamage.length).toBeGreaterThan(0);
    expect(alerts.some((a) => a.kind === "damage" && a.at === 150 && a.assets.includes("P-JC-DT"))).toBe(true);
    expect(world.detectFailures().criticalFacilitiesOut).toEqual([HOSPITAL]);
  });

  it("a naive round-robin dispatcher restores everything within a day, with a lightning hold on the way", () => {
    const { world } = runGreedy();
    expect(world.isFullyRestored()).toBe(true);
    expect(world.hasPendingEvents()).toBe(false);
    const m = world.metrics();
    expect(m.minutesToFullRestoration).not.toBeNull();
    expect(m.minutesToFullRestoration!).toBeLessThanOrEqual(DAY);
    const held = world
      .dispatches()
      .filter((r) => r.arrivedAt !== undefined && r.repairStartedAt !== undefined && r.repairStartedAt > r.arrivedAt);
    expect(held.length).toBeGreaterThan(0);
    for (const r of held) expect(r.repairStartedAt).toBe(120); // the lightning period ends at minute 120
    // Listed order sends no one to the hospital's feed first: its generator runs out.
    expect(m.criticalFacilityOutageHours).toBeGreaterThan(0);
  });

  it("sending a power crew to the hospital's feed first saves the hospital and customer-minutes", () => {
    const naive = runGreedy().world.metrics();
    const { world, alerts } = runGreedy([HOSPITAL_FEED_FAULT]);
    const good = world.metrics();
    expect(world.isFullyRestored()).toBe(true);
    expect(world.hasPendingEvents()).toBe(false);
    expect(alerts.some((a) => a.kind === "cascade" && a.assets.includes(HOSPITAL))).toBe(false);
    expect(good.criticalFacilityOutageHours).toBe(0);
    const feed = world.dispatches().find((r) => r.assetId === HOSPITAL_FEED_FAULT)!;
    expect(feed.repairedAt!).toBeLessThan(180);
    expect(good.customerMinutesInterrupted).toBeLessThan(naive.customerMinutesInterrupted);
    expect(good.weightedCustomerMinutesInterrupted).toBeLessThan(naive.weightedCustomerMinutesInterrupted);
  });

  it("is deterministic", () => {
    expect(runGreedy().world.metrics()).toEqual(runGreedy().world.metrics());
  });
});
