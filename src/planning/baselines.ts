/** Simple dispatch rules to measure the planner against. Each assigns assets in an order to the crew that finishes first. */
import type { World } from "../world/simulator.js";
import { detectionOrder, largestPopulationOrder } from "./construct.js";
import { listSchedule, proposeDispatchPlan, type DispatchProposal } from "./optimizer.js";

export type BaselineName = "detection-order" | "largest-population-first" | "ratio-rule";

/** What a naive agent does: dispatch in the order failures were detected. */
export function detectionOrderPlan(world: World): DispatchProposal {
  return listSchedule(world, detectionOrder(world, world.workableUnassignedIds()));
}

/** The asset behind the most people out of service first. */
export function largestPopulationFirstPlan(world: World): DispatchProposal {
  return listSchedule(world, largestPopulationOrder(world, world.workableUnassignedIds()));
}

export function baselinePlan(world: World, name: BaselineName): DispatchProposal {
  switch (name) {
    case "detection-order":
      return detectionOrderPlan(world);
    case "largest-population-first":
      return largestPopulationFirstPlan(world);
    case "ratio-rule":
      return proposeDispatchPlan(world, { localSearch: false });
  }
}
