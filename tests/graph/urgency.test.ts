/**
 * One measure of urgency for the failure list, the impacts kept in state and the model's
 * context: on a large incident, the feed of a hospital running on its generator is never
 * dropped for assets that merely have more people behind them.
 */
import type { BaseMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import type { AgentState } from "../../src/graph/state.js";
import { SimulatorWorldProvider } from "../../src/graph/world-provider.js";
import { runIncident } from "../../src/incident/runner.js";
import { MAX_FAILURE_IDS_IN_STATE } from "../../src/limits.js";
import { byUrgency, urgency } from "../../src/planning/urgency.js";
import { scenario } from "../support/scenarios.js";

/** 250 damaged feeders of 100 people each, and the hospital's feed: 10 people, the hospital on a 3-hour generator. */
function feedersAndHospital() {
  const n = 250;
  return scenario({
    nodes: [
      { id: "S", network: "power", type: "substation", x: 0, y: 0, role: "supply" },
      ...Array.from({ length: n }, (_, i) => ({
        id: `F${String(i).padStart(3, "0")}`,
        network: "power",
        type: "feeder",
        x: 1 + (i % 20),
        y: Math.floor(i / 20),
        population: 100,
      })),
      { id: "PH", network: "power", type: "feeder", x: 30, y: 30, population: 10 },
      {
        id: "H",
        network: "hospital",
        type: "hospital",
        x: 30,
        y: 31,
        role: "supply",
        population: 300,
        criticality: 10,
      },
    ],
    links: [
      ...Array.from({ length: n }, (_, i) => ({
        id: `L${String(i).padStart(3, "0")}`,
        network: "power",
        from: "S",
        to: `F${String(i).padStart(3, "0")}`,
      })),
      { id: "ZH", network: "power", from: "S", to: "PH" },
    ],
    dependencies: [{ dependee: "PH", depender: "H", bufferHours: 3 }],
    crews: [1, 2, 3].map((k) => ({ id: `C${k}`, x: 0, y: 0, skills: ["power"], capacityHours: 12, speedKmh: 60 })),
    repairMinutes: { line: 60 },
    damage: [
      ...Array.from({ length: n }, (_, i) => ({ asset: `L${String(i).padStart(3, "0")}`, atMinutes: 0 })),
      { asset: "ZH", atMinutes: 0 },
    ],
  });
}

describe("urgency", () => {
  it("a critical facility on backup outranks any population; ties go by id", () => {
    const list = [
      { id: "b", weightedPopulationOut: 5_000_000 },
      { id: "a", weightedPopulationOut: 10, savesCriticalBackup: true },
      { id: "c", weightedPopulationOut: 5_000_000 },
    ];
    expect(
      list
        .sort(
          byUrgency(
            (x) => urgency(x),
            (x) => x.id,
          ),
        )
        .map((x) => x.id),
    ).toEqual(["a", "b", "c"]);
  });

  it("on a large incident, the hospital's feed is kept in the failures, in the impacts and first in what the model is shown", async () => {
    let analysed: Partial<AgentState> | undefined;
    let context = "";
    await runIncident({
      scenario: "feeders",
      worlds: new SimulatorWorldProvider({ resolveScenario: () => feedersAndHospital() }),
      config: { model: "offline", maxSteps: 7 },
      maxRuns: 1,
      onStep: (name, u) => {
        if (name === "IMPACT_ANALYSIS" && !analysed) analysed = u;
        if (name === "REPAIR_PLANNING" && !context)
          context = String((u.messages ?? []).find((m: BaseMessage) => m.getType() === "human")?.content ?? "");
      },
    });
    const f = analysed!.failures!;
    expect(f.toPlanCount).toBeGreaterThan(MAX_FAILURE_IDS_IN_STATE);
    expect(f.toPlan[0]).toBe("ZH");
    // The impacts kept in state (fewer than the failures): the hospital's feed first, marked.
    expect(analysed!.impacts!.length).toBeLessThan(f.toPlanCount);
    expect(analysed!.impacts![0]).toMatchObject({ asset: "ZH", savesCriticalBackup: true });
    // What the model is shown: the same order.
    const data = JSON.parse(/<data>\n([\s\S]*)\n<\/data>/.exec(context)![1]);
    expect(data.damaged_without_crew[0].id).toBe("ZH");
    expect(
      data.damaged_without_crew[0].critical_facilities.map((c: { id: string } | string) =>
        typeof c === "string" ? c : c.id,
      ),
    ).toContain("H");
  });
});
