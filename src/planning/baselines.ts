/** Simple dispatch rules to measure the planner against. Each assigns assets in an order to the crew that finishes first. */
import type { World } from "../world/simulator.js";
import { listSchedule, proposeDispatchPlan, type DispatchProposal } from "./optimizer.js";

export type BaselineName = "detection-order" | "largest-population-first" | "ratio-rule";

/** What a naive agent does: dispatch in the order failures were detected. */
export function detectionOrderPlan(world: World): DispatchProposal {
  const workable = new Set(world.workableUnassignedIds());
  const order = world.detectFailures().damaged
    .filter((f) => workable.has(f.id))
    .sort((a, b) => a.since - b.since)
    .map((f) => f.id);
  return listSchedule(world, order);
}

/** The asset behind the most people out of service first. */
export function largestPopulationFirstPlan(world: World): DispatchProposal {
  const workable = world.workableUnassignedIds();
  const impact = new Map(world.estimateImpact(workable).map((r) => [r.asset, r.populationOut]));
  const order = [...workable].sort((a, b) => impact.get(b)! - impact.get(a)! || (a < b ? -1 : 1));
  return listSchedule(world, order);
}

export function baselinePlan(world: World, name: BaselineName): DispatchProposal {
  switch (name) {
    case "detection-order": return detectionOrderPlan(world);
    case "largest-population-first": return largestPopulationFirstPlan(world);
    case "ratio-rule": return proposeDispatchPlan(world, { localSearch: false });
  }
}
