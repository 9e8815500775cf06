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

/**
 * A pumping station W that needs power from A (line LP, from substation S) and feeds district D
 * (1,000 people) through the water mains given (each W to D); line LS alone restores E (200 people).
 * Everything is damaged at minute 0; one crew with both skills, no travel to speak of.
 */
export function pumpNeedingPower(
  mains: { id: string; type: string }[],
  repairMinutes: Record<string, number>,
): Scenario {
  return scenario({
    nodes: [
      { id: "S", network: "power", type: "substation", x: 0, y: 0, role: "supply" },
      { id: "A", network: "power", type: "feeder", x: 0.01, y: 0, role: "transit" },
      { id: "E", network: "power", type: "feeder", x: 0, y: 0.01, population: 200 },
      { id: "W", network: "water", type: "pumping_station", x: 0.01, y: 0.01, role: "supply" },
      { id: "D", network: "water", type: "district", x: 0.02, y: 0.01, population: 1000 },
    ],
    links: [
      { id: "LP", network: "power", from: "S", to: "A" },
      { id: "LS", network: "power", from: "S", to: "E" },
      ...mains.map((m) => ({ id: m.id, network: "water", from: "W", to: "D", type: m.type })),
    ],
    networks: ["power", "water"],
    dependencies: [{ dependee: "A", depender: "W" }],
    damage: ["LP", "LS", ...mains.map((m) => m.id)].map((asset) => ({ asset, atMinutes: 0 })),
    crews: [{ id: "C1", x: 0, y: 0, skills: ["power", "water"], capacityHours: 12, speedKmh: 6000 }],
    repairMinutes,
  });
}
