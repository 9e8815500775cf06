/**
 * Crews that cannot take the work (a shift too short for the trip and the repair, a depot on
 * another continent) are not a planner's error: the run ends in its own outcome, naming the
 * assets and why, and the incident's figures stay true (time passes, outage is counted).
 */
import { describe, expect, it } from "vitest";
import { SimulatorWorldProvider } from "../../src/graph/world-provider.js";
import { runIncident } from "../../src/incident/runner.js";
import { loadScenario } from "../../src/world/scenario/load.js";
import type { Scenario } from "../../src/world/scenario/schema.js";

async function run(change: (s: Scenario) => Scenario) {
  const scenario = change(loadScenario("demo"));
  return runIncident({
    scenario: "changed",
    worlds: new SimulatorWorldProvider({ resolveScenario: () => scenario }),
    config: { model: "offline" },
  });
}

describe("no crew can take the work", () => {
  it("shifts of 0.01 h: FINAL no_crew_can_work names each asset and why; no planning, no error, the outage counted", async () => {
    const r = await run((s) => ({ ...s, crews: s.crews.map((c) => ({ ...c, capacityHours: 0.01 })) }));
    const first = r.finalState.statesVisited;
    expect(first.at(-1)).toBe("FINAL");
    expect(first).not.toContain("REPAIR_PLANNING");
    expect(r.finalState.status).toBe("no_crew_can_work");
    expect(r.finalState.finalReason).toMatch(
      /damaged asset\(s\) no crew can take: \S+ \(no power crew has the shift left: PWR-\d would need [\d.]+ h, has 0\.01 h\)/,
    );
    expect(r.status).toBe("unrestorable");
    expect(r.reason).toMatch(/L-2A-2B \(no power crew has the shift left/);
    expect(r.counters).toMatchObject({ modelCalls: 0, fallbacks: 0, invalidPlans: 0 });
    expect(r.dispatches).toEqual([]);
    // Time went on, and the people out of service count.
    expect(r.metrics.customerMinutesInterrupted).toBeGreaterThan(0);
  });

  it("a depot 13,000 km away reads the same way", async () => {
    const r = await run((s) => ({ ...s, crews: s.crews.map((c) => ({ ...c, x: c.x + 120, y: -c.y })) }));
    expect(r.status).toBe("unrestorable");
    expect(r.reason).toMatch(/no (power|water) crew has the shift left: \S+ would need \d[\d.]* h/);
    expect(r.metrics.customerMinutesInterrupted).toBeGreaterThan(0);
  });
});
