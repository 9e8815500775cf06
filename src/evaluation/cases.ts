/**
 * The evaluation's case families beyond the small exact cases: ieee123 with several seeded
 * damage sets, the Shelby County earthquake cases (damage size x crews), and meshed,
 * interdependent synthetic regions at 100, 300 and 1,000 damaged assets. Every case is
 * deterministic and known whole at minute 0 except the shipped demo (a storm).
 */
import { mulberry32 } from "../world/prng.js";
import { generateRegion } from "../world/scenario/generate.js";
import { loadScenario } from "../world/scenario/load.js";
import type { Scenario } from "../world/scenario/schema.js";
import { shelbyScenario } from "./shelby.js";

/** Case families of `npm run eval`. */
export type CaseFamily = "small" | "shipped" | "ieee123" | "shelby" | "meshed";

export interface EvalCase {
  name: string;
  family: CaseFamily;
  scenario: Scenario;
}

/** ieee123 damage sets: seed and number of faulted links (all at minute 0). */
export const IEEE123_DAMAGE_SETS: readonly { seed: number; faults: number }[] = [
  { seed: 1, faults: 6 },
  { seed: 2, faults: 12 },
  { seed: 3, faults: 20 },
];

/** Shift capacity of the ieee123 crews in the damage sets (the shipped 16 h cannot repair 20 faults with 3 crews). */
export const IEEE123_SET_CREW_HOURS = 72;

/** The ieee123 feeder with `faults` links drawn from `seed` (instead of its hand-picked set). */
export function ieee123DamageSet(seed: number, faults: number, base: Scenario = loadScenario("ieee123")): Scenario {
  const rand = mulberry32((seed * 2654435761) ^ 0x123);
  const pool = base.links.map((l) => l.id);
  for (let i = 0; i < Math.min(faults, pool.length); i++) {
    const j = i + Math.floor(rand() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return {
    ...base,
    name: `ieee123-s${seed}-f${faults}`,
    description: `${base.description ?? "ieee123"}; damage set ${seed}: ${faults} links drawn from the seed; crews with ${IEEE123_SET_CREW_HOURS} h of capacity so that every set can be restored.`,
    damage: pool.slice(0, faults).map((asset) => ({ asset, atMinutes: 0 })),
    crews: base.crews.map((c) => ({ ...c, capacityHours: Math.max(c.capacityHours, IEEE123_SET_CREW_HOURS) })),
    weather: [],
  };
}

export const SHELBY_DAMAGE_CASES = ["d50", "d100", "d200"] as const;
export const SHELBY_CREW_COUNTS = [4, 8, 12] as const;

/** Meshed synthetic regions: damaged assets, nodes (a damaged asset per 10 nodes, about 4 % of assets) and crews. */
export const MESHED_CASES: readonly { damaged: number; nodes: number; crews: number }[] = [
  { damaged: 100, nodes: 1000, crews: 8 },
  { damaged: 300, nodes: 3000, crews: 16 },
  { damaged: 1000, nodes: 10000, crews: 40 },
];
export const MESHED_SEED = 21;

export function meshedCase(damaged: number, nodes: number, crews: number, seed = MESHED_SEED): Scenario {
  return generateRegion({ seed, nodes, damagedAssets: damaged, crews, meshed: true, name: `meshed-${damaged}` });
}

export interface RealCaseOptions {
  /** Default all three sets. */
  ieee123Sets?: readonly { seed: number; faults: number }[];
  /** Default d50, d100, d200. */
  shelbyDamage?: readonly string[];
  /** Default 4, 8, 12. */
  shelbyCrews?: readonly number[];
  /** Damaged-asset counts of the meshed cases to include (default 100, 300, 1000). */
  meshedDamaged?: readonly number[];
}

export function realCases(o: RealCaseOptions = {}): EvalCase[] {
  const out: EvalCase[] = [];
  const ieee = loadScenario("ieee123");
  for (const d of o.ieee123Sets ?? IEEE123_DAMAGE_SETS) {
    const s = ieee123DamageSet(d.seed, d.faults, ieee);
    out.push({ name: s.name, family: "ieee123", scenario: s });
  }
  for (const dmg of o.shelbyDamage ?? SHELBY_DAMAGE_CASES) {
    for (const crews of o.shelbyCrews ?? SHELBY_CREW_COUNTS) {
      const s = shelbyScenario(dmg, crews);
      out.push({ name: s.name, family: "shelby", scenario: s });
    }
  }
  const wanted = new Set(o.meshedDamaged ?? MESHED_CASES.map((m) => m.damaged));
  for (const m of MESHED_CASES.filter((x) => wanted.has(x.damaged))) {
    out.push({ name: `meshed-${m.damaged}`, family: "meshed", scenario: meshedCase(m.damaged, m.nodes, m.crews) });
  }
  return out;
}
