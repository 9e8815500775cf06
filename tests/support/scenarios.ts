/** Small hand-written scenarios for tests: a radial power feeder, a water network fed by a pump. */
import { ScenarioSchema, type Scenario, type ScenarioInput } from "../../src/world/scenario/schema.js";

export function scenario(input: Partial<ScenarioInput> & Pick<ScenarioInput, "nodes">): Scenario {
  return ScenarioSchema.parse({ name: "test", coordinates: { kind: "xy", unit: "km" }, ...input });
}

/**
 * S -L1- A -L2- B -L3- C   (power, radial; S supply, A/B/C demand 100 people each)
 * W (water supply, a pumping station) depends on B; W -P1- D (water demand, 500 people)
 */
export function feederWithPump(extra: Partial<ScenarioInput> = {}): Scenario {
  return scenario({
    nodes: [
      { id: "S", network: "power", type: "substation", x: 0, y: 0, role: "supply" },
      { id: "A", network: "power", type: "feeder", x: 1, y: 0, population: 100 },
      { id: "B", network: "power", type: "feeder", x: 2, y: 0, population: 100 },
      { id: "C", network: "power", type: "feeder", x: 3, y: 0, population: 100 },
      { id: "W", network: "water", type: "pumping_station", x: 2, y: 1, role: "supply" },
      { id: "D", network: "water", type: "district", x: 3, y: 1, population: 500 },
      { id: "H", network: "power", type: "hospital", x: 3, y: -1, population: 50, criticality: 10 },
    ],
    links: [
      { id: "L1", network: "power", from: "S", to: "A" },
      { id: "L2", network: "power", from: "A", to: "B" },
      { id: "L3", network: "power", from: "B", to: "C" },
      { id: "L4", network: "power", from: "C", to: "H" },
      { id: "P1", network: "water", from: "W", to: "D", type: "pipe" },
    ],
    dependencies: [{ dependee: "B", depender: "W" }],
    crews: [
      { id: "C1", x: 0, y: 0, skills: ["power"], capacityHours: 12, speedKmh: 60 },
      { id: "C2", x: 0, y: 0, skills: ["water"], capacityHours: 12, speedKmh: 60 },
    ],
    repairMinutes: { line: 60, pipe: 90 },
    ...extra,
  });
}
