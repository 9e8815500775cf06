/**
 * What the planning model is told, checked against the world: positions at useful precision,
 * the forecast, estimates that add up and can be asked at a queue position, what blocks what,
 * backups' losses, the current trigger, and a what-if tool that agrees with dispatching.
 */
import { describe, expect, it } from "vitest";
import { plannerTools } from "../../src/graph/nodes/repair-planning.js";
import { SimulatedIncidentWorld } from "../../src/graph/world-provider.js";
import { contextData } from "../../src/prompts/assemble.js";
import type { AgentState } from "../../src/graph/state.js";
import { compact } from "../../src/tools/agent-tools.js";
import { backupLosses, blockingFacts } from "../../src/world/blocking.js";
import { loadScenario } from "../../src/world/scenario/load.js";
import { World } from "../../src/world/simulator.js";
import { feederWithPump } from "../support/scenarios.js";

const toolsOf = (w: World) => new Map(plannerTools(new SimulatedIncidentWorld(w)).map((t) => [t.name, t]));
const call = async (w: World, name: string, args: Record<string, unknown>) =>
  JSON.parse(String(await toolsOf(w).get(name)!.invoke(args)));

describe("positions and the weather on the demo (longitude/latitude)", () => {
  const demo = () => new World(loadScenario("demo"));

  it("keeps coordinates at useful precision: the crews are not all on one point", async () => {
    const out = await call(demo(), "get_crew_location", { crew_ids: ["PWR-1", "PWR-2", "WTR-1"] });
    const points = new Set(out.map((c: { x: number; y: number }) => `${c.x},${c.y}`));
    expect(points.size).toBe(3);
    expect(compact({ x: -89.894512, y: 35.10181, minutes: 3.14159 })).toBe(
      '{"x":-89.89451,"y":35.10181,"minutes":3.1}',
    );
  });

  it("gives the forecast ahead, not only the next change: the storm and the lightning that stops work", async () => {
    const [r] = await call(demo(), "get_weather_at_location", { locations: ["L-2A-2B"] });
    expect(r.condition).toBe("clear");
    expect(r.forecast).toEqual([
      { condition: "storm", from: 30, to: 240, stopsWork: false },
      { condition: "lightning", from: 60, to: 120, stopsWork: true },
    ]);
  });

  it("breaks an estimate down so that it adds up, the weather labelled as at arrival", async () => {
    const [e] = await call(demo(), "estimate_repair_time", { crew_ids: ["PWR-1"], asset_ids: ["L-2A-2B"] });
    expect(e.departAt + e.travelMinutes).toBeCloseTo(e.arrivalAt, 0);
    expect(e.arrivalAt + e.weatherHoldMinutes + e.repairMinutes).toBeCloseTo(e.completionAt, 0);
    // The lightning from minute 60 to 120 holds the repair for an hour.
    expect(e.weatherHoldMinutes).toBeCloseTo(60, 0);
    expect(e.weatherAtArrival).toBe("clear");
    expect(e.weather).toBeUndefined();
  });
});

describe("estimates at a position in a crew's queue", () => {
  // C1 has L2 (current) then L3 queued; L1 and L4 are damaged too.
  const world = () => {
    const w = new World(feederWithPump({ damage: ["L1", "L2", "L3", "L4"].map((asset) => ({ asset, atMinutes: 0 })) }));
    w.assignCrews({ assignments: [{ crewId: "C1", assetIds: ["L1", "L2", "L3"] }] });
    return w;
  };

  it("puts a job right after the current one, before the queue, or at an index", async () => {
    const w = world();
    const [next] = await call(w, "estimate_repair_time", { crew_ids: ["C1"], asset_ids: ["L4"], after: "current_job" });
    const [last] = await call(w, "estimate_repair_time", { crew_ids: ["C1"], asset_ids: ["L4"] });
    const [second] = await call(w, "estimate_repair_time", { crew_ids: ["C1"], asset_ids: ["L4"], after: 1 });
    expect(next.completionAt).toBeLessThan(second.completionAt);
    expect(second.completionAt).toBeLessThan(last.completionAt);
    expect(next.delaysQueuedJobs).toBe(2);
    expect(last.delaysQueuedJobs).toBeUndefined();
    // After the current job: it sets off when the current job ends.
    const crew = w.crewSummaries().find((c) => c.id === "C1")!;
    expect(next.departAt).toBeCloseTo(crew.busyUntil, 1);
  });

  it("estimates an asset the crew already has queued where it is, not as a second repair", async () => {
    const w = world();
    const [queued] = await call(w, "estimate_repair_time", { crew_ids: ["C1"], asset_ids: ["L3"] });
    const crew = w.crewSummaries().find((c) => c.id === "C1")!;
    // L3 is the last of C1's jobs: it completes when the crew is free, not a repair later.
    expect(queued.completionAt).toBeCloseTo(crew.freeAt, 1);
    expect(queued.note).toMatch(/already queued with C1/);
  });
});

describe("what blocks what", () => {
  it("two repairs in series restore only together: the downstream one is blocked by the upstream one", () => {
    // S -L1- A -L2- B -L3- C -L4- H; L1 and L3 damaged: L3 alone brings back nobody.
    const w = new World(
      feederWithPump({
        damage: [
          { asset: "L1", atMinutes: 0 },
          { asset: "L3", atMinutes: 0 },
        ],
      }),
    );
    const facts = blockingFacts(w, ["L1", "L3"]);
    expect(facts.get("L3")!.blockedBy).toEqual(["L1"]);
    expect(w.restoredIfRepaired([w.net.index("L3")!]).population).toBe(0);
    // Together: C and the hospital on top of what L1 alone restores.
    expect(facts.get("L3")!.restoresWithThem.population).toBe(
      w.restoredIfRepaired([w.net.index("L1")!, w.net.index("L3")!]).population,
    );
    expect(facts.get("L3")!.restoresWithThem.population).toBe(850);
    // L1 alone brings back A, B and the pump's district; C and the hospital behind it need L3 as well.
    expect(w.restoredIfRepaired([w.net.index("L1")!]).population).toBe(700);
    expect(facts.get("L1")!.blockedBy).toEqual(["L3"]);
    // A lateral that restores everything it feeds by itself is blocked by nothing.
    const single = new World(feederWithPump({ damage: [{ asset: "L3", atMinutes: 0 }] }));
    expect(blockingFacts(single, ["L3"]).get("L3")).toEqual({
      asset: "L3",
      blockedBy: [],
      restoresWithThem: { population: 150, weighted: 600 },
    });
  });

  it("across networks: a pipe behind a pump whose power is down is blocked by the power line", () => {
    const w = new World(
      feederWithPump({
        damage: [
          { asset: "L2", atMinutes: 0 },
          { asset: "P1", atMinutes: 0 },
        ],
      }),
    );
    const facts = blockingFacts(w, ["L2", "P1"]);
    expect(facts.get("P1")!.blockedBy).toEqual(["L2"]);
    expect(facts.get("P1")!.restoresWithThem.population).toBe(100 + 100 + 50 + 500);
  });

  it("says who loses service when a backup runs out, and when", () => {
    const s = feederWithPump({ damage: [{ asset: "L2", atMinutes: 0 }] });
    s.dependencies[0].bufferHours = 2;
    const [loss] = backupLosses(new World(s));
    expect(loss).toMatchObject({ node: "W", dependee: "B", expiresAt: 120, populationLost: 500 });
  });

  it("shows blocked_by for assets with a crew too, weights and backups' losses in the context", () => {
    const w = new SimulatedIncidentWorld(new World(loadScenario("demo")));
    const ids = w.simulator.unassignedDamagedIds();
    const facts = w.planningFacts(ids);
    expect(facts.backups).toEqual([
      expect.objectContaining({
        node: "HOSP-StMary",
        expiresAt: 180,
        population: 300,
        criticality: 10,
        populationLost: 300,
        weightedLost: 3000,
      }),
    ]);
    expect(facts.weights["HOSP-StMary"]).toEqual({ population: 300, criticality: 10, weight: 3000 });
    expect([...facts.blocking.keys()].sort()).toEqual([...ids].sort());
    // At minute 100 the north pump is on its tank since TX-5A broke: 3,200 people lose water at minute 139.
    w.simulator.advanceTo(100);
    expect(w.planningFacts([]).backups.find((b) => b.node === "PUMP-North")).toMatchObject({
      expiresAt: 139,
      populationLost: 3200,
    });
    expect(facts.weather).toMatch(/storm from minute 30 to 240.*lightning from minute 60 to 120.*stops outdoor work/);
  });
});

describe("the trigger and what is new", () => {
  const base = (over: Partial<AgentState>) => ({
    clock: 49,
    incidentId: "i",
    impactSummary: {},
    impacts: [],
    trigger: { kind: "alert", at: 0, message: "failures reported" },
    failures: {
      at: 49,
      toPlan: ["TX-5A", "L-1A-1B"],
      toPlanCount: 2,
      waiting: [],
      waitingCount: 0,
      damagedCount: 3,
      outOfServiceCount: 0,
      outOfServiceByNetwork: {},
      damaged: [
        { id: "TX-5A", network: "power", type: "transformer", cause: "storm", since: 49 },
        { id: "L-1A-1B", network: "power", type: "line", cause: "storm", since: 0 },
        {
          id: "L-2A-2B",
          network: "power",
          type: "line",
          cause: "storm",
          since: 0,
          assignedCrew: "PWR-1",
          dispatchStatus: "repairing" as const,
        },
      ],
      populationOut: 0,
      weightedPopulationOut: 0,
      criticalFacilitiesOut: [],
      onBackup: [],
    },
    planHistory: [{ step: 4, at: 0, source: "model" as const, plan: { assignments: [] }, valid: true, errors: [] }],
    ...over,
  });

  it("is the current one: new failures found while time passed, not the run's first alert", () => {
    const data = contextData(
      { state: base({ newFailures: ["TX-5A"], newFailureCount: 1 }), crews: [], historyWindow: 3 },
      10,
      10,
    );
    expect(data.trigger).toMatchObject({ kind: "new_failures", at: 49, assets: ["TX-5A"] });
    expect(data.damaged_without_crew.find((d) => d.id === "TX-5A")).toMatchObject({ new: true });
    expect(data.damaged_without_crew.find((d) => d.id === "L-1A-1B")).not.toHaveProperty("new");
    expect(data.new_since_last_round).toEqual({ since_minute: 0, damaged: 1, ids: ["TX-5A"] });
  });

  it("is the run's trigger at the run's start, and a recheck later in the run with nothing new", () => {
    const data = contextData(
      { state: base({ trigger: { kind: "cascade", at: 139, message: "m" }, clock: 139 }), crews: [], historyWindow: 3 },
      10,
      10,
    );
    expect(data.trigger).toMatchObject({ kind: "cascade", at: 139 });
    const later = contextData(
      { state: base({ trigger: { kind: "cascade", at: 139, message: "m" }, clock: 200 }), crews: [], historyWindow: 3 },
      10,
      10,
    );
    expect(later.trigger).toMatchObject({ kind: "recheck", at: 200, run_started_by: { kind: "cascade", at: 139 } });
  });
});

describe("simulate_plan: a what-if that dispatches nothing", () => {
  it("its figures equal the outcome of dispatching that plan in a world with no further damage", async () => {
    const scenario = loadScenario("demo");
    const real = new World(scenario);
    const ids = real.unassignedDamagedIds();
    const power = ids.filter((id) => real.net.networkOf(real.net.index(id)!) === "power");
    const water = ids.filter((id) => real.net.networkOf(real.net.index(id)!) === "water");
    // Not the optimizer's plan: the power jobs in reverse order.
    const plan = {
      assignments: [
        { crew_id: "PWR-1", asset_ids: power.slice().reverse() },
        { crew_id: "WTR-1", asset_ids: water },
      ],
    };
    const out = await call(real, "simulate_plan", plan);
    expect(real.dispatchLog()).toHaveLength(0);

    const check = new World(scenario, { futureDamage: false });
    const before = check.runningTotals();
    check.assignCrews({ assignments: plan.assignments.map((a) => ({ crewId: a.crew_id, assetIds: a.asset_ids })) });
    const to = Number(/to ([\d.]+)/.exec(out.plan.window)![1]);
    check.advanceTo(to);
    const after = check.runningTotals();
    expect(out.plan.weighted_customer_minutes).toBe(
      Math.round(after.weightedCustomerMinutes - before.weightedCustomerMinutes),
    );
    expect(out.plan.customer_minutes).toBe(Math.round(after.customerMinutes - before.customerMinutes));
    const done = new Map(check.dispatches().map((d) => [d.assetId, d]));
    for (const j of out.jobs) {
      expect(j.arrives).toBeCloseTo(done.get(j.asset_id)!.arrivedAt!, 0);
      expect(j.done).toBeCloseTo(done.get(j.asset_id)!.repairedAt!, 0);
    }
    // Compared with the optimizer's proposal over the same window.
    expect(out.proposal.window).toBe(out.plan.window);
    expect(out.plan_minus_proposal.weighted_customer_minutes).toBe(
      out.plan.weighted_customer_minutes - out.proposal.weighted_customer_minutes,
    );
    expect(out.plan_minus_proposal.weighted_customer_minutes).toBeGreaterThan(0);
  });

  it("says why a plan would be refused", async () => {
    const w = new World(feederWithPump({ damage: [{ asset: "L2", atMinutes: 0 }] }));
    const out = await call(w, "simulate_plan", { assignments: [{ crew_id: "C2", asset_ids: ["L2"] }] });
    expect(out.valid).toBe(false);
    expect(out.errors.join(" ")).toMatch(/C2/);
  });
});

describe("assign_repair_crew as bound to the model", () => {
  it("never dispatches: it answers whether the plan is valid; only EXECUTION applies a plan", async () => {
    const w = new World(feederWithPump({ damage: [{ asset: "L2", atMinutes: 0 }] }));
    const out = await call(w, "assign_repair_crew", {
      assignments: [{ crew_id: "C1", asset_ids: ["L2"] }],
      reasoning: "r",
    });
    expect(out).toEqual({ valid: true, errors: [], dispatched: false });
    expect(w.dispatchLog()).toHaveLength(0);
    expect(w.dispatches()).toHaveLength(0);
  });
});
