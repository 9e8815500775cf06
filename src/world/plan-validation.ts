/**
 * Whether a dispatch plan can be applied now, with every reason it cannot: the schema's shape is checked by the tools,
 * the world's rules here (the asset is damaged and not already worked, the crew exists and has the skill and the
 * capacity, no asset or crew twice). `PlanRejected` is what applying an invalid plan throws.
 */
import { type CrewState, type CrewTimingView, crewCanTake, crewTimeline } from "./crews.js";
import type { CompiledNetwork } from "./network.js";
import { round2 } from "../format.js";
import type { ServiceState } from "./service.js";
import type { DispatchPlan, DispatchRecord, PlanValidation } from "./types.js";

/** A plan the world refused, with every reason. */
export class PlanRejected extends Error {
  static readonly errorName = "PlanRejected";
  /** Retrying cannot cure a refusal (src/persistence/node-faults.ts reads this). */
  readonly transient = false;
  constructor(readonly errors: string[]) {
    super(`plan rejected: ${errors.join("; ")}`);
    this.name = PlanRejected.errorName;
  }
}

/** By class, or by name for an error that crossed a boundary (another copy of the module, a serialised error). */
export function isPlanRejected(e: unknown): e is PlanRejected {
  return (
    e instanceof PlanRejected || (typeof e === "object" && e !== null && (e as Error).name === PlanRejected.errorName)
  );
}

/** What validation reads of the world. */
export interface PlanCheckView extends CrewTimingView {
  net: CompiledNetwork;
  service: ServiceState;
  activeByAsset: ReadonlyMap<number, DispatchRecord>;
  crewById: ReadonlyMap<string, CrewState>;
  /** The damaged assets whose repair brings node `a` back, by id. */
  rootCauseIds(a: number): string[];
}

/** Every reason the plan cannot be applied now; empty when it can. */
export function validatePlan(v: PlanCheckView, plan: DispatchPlan): PlanValidation {
  const errors: string[] = [];
  const { net, service } = v;
  const seen = new Set<string>();
  const crewsSeen = new Set<string>();
  // Queued work the plan moves (reassign) no longer counts against its old crew's capacity.
  const moving = new Set<number>();
  if (plan.reassign) {
    for (const a of plan.assignments ?? [])
      for (const id of a.assetIds ?? []) {
        const i = net.index(id);
        if (i !== undefined && v.activeByAsset.get(i)?.status === "queued") moving.add(i);
      }
  }
  if (!plan.assignments || plan.assignments.length === 0 || plan.assignments.every((a) => a.assetIds.length === 0)) {
    errors.push("the plan assigns nothing: give at least one crew at least one damaged asset");
  }
  for (const { crewId, assetIds } of plan.assignments ?? []) {
    const crew = v.crewById.get(crewId);
    if (!crew) errors.push(`unknown crew "${crewId}"`);
    if (crewsSeen.has(crewId)) errors.push(`crew ${crewId} appears twice in the plan: give each crew one ordered list`);
    crewsSeen.add(crewId);
    const ok: number[] = [];
    for (const id of assetIds) {
      const a = net.index(id);
      if (a === undefined) {
        errors.push(`unknown asset "${id}"`);
        continue;
      }
      if (seen.has(id)) {
        errors.push(`asset ${id} is assigned twice in the plan`);
        continue;
      }
      seen.add(id);
      if (!service.damaged[a]) {
        if (a < net.nodeCount && !service.inService[a]) {
          const roots = v.rootCauseIds(a);
          errors.push(
            `asset ${id} is only out of service, not damaged: it needs no crew and comes back when ${roots.join(", ") || "its root cause"} is repaired`,
          );
        } else errors.push(`asset ${id} is not damaged`);
        continue;
      }
      const active = v.activeByAsset.get(a);
      if (active) {
        const movable = plan.reassign && active.status === "queued";
        if (!movable) {
          errors.push(
            plan.reassign
              ? `asset ${id} is already ${active.status} by crew ${active.crewId}: only queued work can be reassigned`
              : `asset ${id} is already assigned to crew ${active.crewId} (${active.status}); set reassign to move queued work`,
          );
          continue;
        }
      }
      if (!crew) continue;
      if (!crew.skills.has(net.networkOf(a))) {
        errors.push(
          `crew ${crewId} cannot repair ${net.networkOf(a)} assets (skills: ${[...crew.skills].join(", ")}): ${id}`,
        );
        continue;
      }
      ok.push(a);
    }
    if (crew && ok.length > 0 && !crewCanTake(v, crew, ok, moving)) {
      const tl = crewTimeline(v, crew, ok, moving);
      errors.push(
        `crew ${crewId} lacks capacity: the work needs ${round2(tl.committedMin / 60)} h, it has ${round2(crew.capacityLeftMin / 60)} h left`,
      );
    }
  }
  return { valid: errors.length === 0, errors };
}
