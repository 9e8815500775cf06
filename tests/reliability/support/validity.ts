/**
 * Was every dispatch valid when it was made? Each batch of the dispatch log (one minute's
 * dispatches) is checked by the simulator's own validator against the world as it stood just
 * before: asset damaged and not already assigned (or queued and moved with reassign), crew
 * known, skilled and with capacity.
 */
import type { Scenario } from "../../../src/world/scenario/schema.js";
import { World } from "../../../src/world/simulator.js";
import type { DispatchLogEntry, DispatchPlan } from "../../../src/world/types.js";

export function invalidDispatches(scenario: Scenario, log: readonly DispatchLogEntry[], seed?: number): string[] {
  const problems: string[] = [];
  let i = 0;
  while (i < log.length) {
    const at = log[i].at;
    const batch: DispatchLogEntry[] = [];
    let j = i;
    while (j < log.length && log[j].at === at) batch.push(log[j++]);
    const before = World.replay(scenario, log.slice(0, i), at, seed === undefined ? {} : { seed });
    const byCrew = new Map<string, string[]>();
    for (const e of batch) byCrew.set(e.crewId, [...(byCrew.get(e.crewId) ?? []), e.assetId]);
    const plan: DispatchPlan = {
      assignments: [...byCrew].map(([crewId, assetIds]) => ({ crewId, assetIds })),
      reasoning: "check",
      ...(batch.some((e) => e.reassign) ? { reassign: true } : {}),
    };
    const v = before.validatePlan(plan);
    if (!v.valid) problems.push(`at minute ${at}: ${v.errors.join("; ")}`);
    i = j;
  }
  return problems;
}
