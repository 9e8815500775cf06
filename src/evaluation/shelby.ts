/**
 * The Shelby County (Memphis) cases of the evaluation: the network that `npm run import:shelby`
 * writes to scenarios/shelby/, with one of the damage cases of scenarios/shelby/damage-cases.csv
 * and a crew roster of 4, 8 or 12 crews. Deterministic: everything comes from shipped files.
 *
 * The roster is a utility's, fixed before the earthquake (it does not look at the damage): its
 * first n crews are the n-crew case. Crews start at their network's supply facilities.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseCsv, importCsvFolder } from "../world/scenario/csv.js";
import { SCENARIOS_DIR } from "../world/scenario/load.js";
import type { Scenario, ScenarioCrew } from "../world/scenario/schema.js";

export const SHELBY_DIR = join(SCENARIOS_DIR, "shelby");

/** Network of the k-th crew of the roster: a prefix of 4 has one per network, of 8 and 12 more where the damage usually is (water mains, telecom, substations). */
export const SHELBY_ROSTER: readonly string[] = [
  "power",
  "water",
  "gas",
  "telecom",
  "water",
  "telecom",
  "power",
  "water",
  "telecom",
  "gas",
  "power",
  "water",
];
export const SHELBY_CREW_CAPACITY_HOURS = 24 * 90;
export const SHELBY_CREW_SPEED_KMH = 40;

/** The first `count` crews of the roster; each network's crews take its supply facilities in turn as depots. */
export function shelbyCrews(count: number, scenario: Pick<Scenario, "nodes">): ScenarioCrew[] {
  if (!Number.isInteger(count) || count < 1 || count > SHELBY_ROSTER.length) {
    throw new RangeError(`Shelby crews: 1 to ${SHELBY_ROSTER.length}, got ${count}`);
  }
  const depots = new Map<string, { id: string; x: number; y: number }[]>();
  for (const n of scenario.nodes) {
    if (n.role !== "supply" || n.network === "hospital") continue;
    depots.set(n.network, [...(depots.get(n.network) ?? []), n]);
  }
  const used = new Map<string, number>();
  return SHELBY_ROSTER.slice(0, count).map((network) => {
    const list = depots.get(network);
    if (!list?.length) throw new Error(`Shelby crews: no supply node in network ${network} for a depot`);
    const i = used.get(network) ?? 0;
    used.set(network, i + 1);
    const depot = list[i % list.length]!;
    return {
      id: `${network}-crew-${i + 1}`,
      name: `${network} crew ${i + 1} (depot at ${depot.id})`,
      x: depot.x,
      y: depot.y,
      skills: [network],
      capacityHours: SHELBY_CREW_CAPACITY_HOURS,
      speedKmh: SHELBY_CREW_SPEED_KMH,
    };
  });
}

export interface ShelbyDamageCase {
  id: string;
  /** Where it comes from in the Wu set (e.g. "wu set 48 scenario 53"). */
  source: string;
  assets: string[];
}

/** The damage cases shipped in scenarios/shelby/damage-cases.csv (case, source, asset). */
export function shelbyDamageCases(dir = SHELBY_DIR): ShelbyDamageCase[] {
  const { records } = parseCsv(readFileSync(join(dir, "damage-cases.csv"), "utf8"));
  const [header, ...rows] = records;
  const col = (name: string) => header!.fields.findIndex((f) => f.trim() === name);
  const [ci, si, ai] = [col("case"), col("source"), col("asset")];
  const cases = new Map<string, ShelbyDamageCase>();
  for (const r of rows) {
    const id = r.fields[ci]!.trim();
    const c = cases.get(id) ?? { id, source: r.fields[si]!.trim(), assets: [] };
    c.assets.push(r.fields[ai]!.trim());
    cases.set(id, c);
  }
  return [...cases.values()];
}

/** The Shelby network with one damage case (all at minute 0: an earthquake) and the first `crews` crews of the roster. */
export function shelbyScenario(damageCase: string, crews: number, dir = SHELBY_DIR): Scenario {
  const base = importCsvFolder(dir);
  const c = shelbyDamageCases(dir).find((x) => x.id === damageCase);
  if (!c)
    throw new Error(
      `no Shelby damage case "${damageCase}" (have: ${shelbyDamageCases(dir)
        .map((x) => x.id)
        .join(", ")})`,
    );
  return {
    ...base,
    name: `shelby-${damageCase}-c${crews}`,
    description: `${base.description ?? "Shelby County"}; damage case ${c.id} (${c.source}, ${c.assets.length} assets), ${crews} crews.`,
    damage: c.assets.map((asset) => ({ asset, atMinutes: 0 })),
    crews: shelbyCrews(crews, base),
  };
}
