/**
 * What an operator decided, as the optimizer and plan validation take it: work pinned to
 * crews (an accepted edit) and a rejected plan the next proposal must not repeat. Knows
 * nothing of the graph: the graph keeps these in state and passes them in.
 */
import type { CrewAssignment, DispatchPlan, DispatchRecord } from "../world/types.js";
import type { FirstJob } from "./rejection-rules.js";

export interface PlanConstraints {
  /** Each crew's assets in the order an operator decided. */
  pinned?: CrewAssignment[];
  /** A plan the operator rejected: a proposal with the same assignments is not offered again. */
  avoid?: CrewAssignment[];
  /** Crews the operator's rejection ruled out ("not crew C"): the next plan gives them no work. */
  excludeCrews?: string[];
  /** Assets the operator's rejection put first ("A first", "C should take A first"), in order. */
  first?: FirstJob[];
}

/** The constraints' part the optimizer takes as options (pins, excluded crews, assets first). */
export function optimizerOptionsOf(c: PlanConstraints): {
  pinned?: CrewAssignment[];
  excludeCrews?: string[];
  first?: FirstJob[];
} {
  return {
    ...(c.pinned?.length ? { pinned: c.pinned } : {}),
    ...(c.excludeCrews?.length ? { excludeCrews: c.excludeCrews } : {}),
    ...(c.first?.length ? { first: c.first } : {}),
  };
}

/** The same assignments (crew by crew, in order), whatever the reasoning or crew order. */
export function sameAssignments(a: readonly CrewAssignment[], b: readonly CrewAssignment[]): boolean {
  const key = (x: readonly CrewAssignment[]) =>
    JSON.stringify(
      x
        .filter((c) => c.assetIds.length > 0)
        .map((c) => [c.crewId, c.assetIds])
        .sort((p, q) => String(p[0]).localeCompare(String(q[0]))),
    );
  return key(a) === key(b);
}

/**
 * A different plan with the same work: the first crew with two jobs or more has its first two
 * swapped (the rejected plan's opening is what an operator sees first). Null when there is none.
 */
export function differentOrder(
  assignments: readonly CrewAssignment[],
  pinned: readonly CrewAssignment[] = [],
): CrewAssignment[] | null {
  const fixed = new Set(pinned.flatMap((p) => p.assetIds));
  for (let k = 0; k < assignments.length; k++) {
    const ids = assignments[k].assetIds;
    const free = ids.map((id, i) => ({ id, i })).filter((x) => !fixed.has(x.id));
    if (free.length < 2) continue;
    const swapped = [...ids];
    [swapped[free[0].i], swapped[free[1].i]] = [free[1].id, free[0].id];
    return assignments.map((a, j) =>
      j === k ? { crewId: a.crewId, assetIds: swapped } : { crewId: a.crewId, assetIds: [...a.assetIds] },
    );
  }
  return null;
}

/** Why a plan breaks a pin: a pinned asset sent to another crew, or pinned assets reordered. */
export function pinViolations(plan: DispatchPlan, pinned: readonly CrewAssignment[]): string[] {
  const errors: string[] = [];
  for (const pin of pinned) {
    for (const a of plan.assignments) {
      if (a.crewId === pin.crewId) continue;
      const moved = a.assetIds.filter((id) => pin.assetIds.includes(id));
      if (moved.length)
        errors.push(
          `${moved.join(", ")} ${moved.length > 1 ? "are" : "is"} pinned to crew ${pin.crewId} by an operator's decision: leave ${moved.length > 1 ? "them" : "it"} out of the plan, or list ${moved.length > 1 ? "them" : "it"} under ${pin.crewId}`,
        );
    }
    const mine =
      plan.assignments.find((a) => a.crewId === pin.crewId)?.assetIds.filter((id) => pin.assetIds.includes(id)) ?? [];
    const order = pin.assetIds.filter((id) => mine.includes(id));
    if (mine.join() !== order.join())
      errors.push(`crew ${pin.crewId}'s pinned order is ${pin.assetIds.join(" > ")} (an operator's decision): keep it`);
  }
  return errors;
}

export interface PinCheck {
  kept: CrewAssignment[];
  dropped: { crewId: string; assetId: string; why: string }[];
  fulfilled: number;
}

/**
 * Pins the world still allows. Work the pinned crew started or finished leaves its pin as done
 * (`fulfilled`); work the world made impossible (cancelled, another crew has it, the crew is gone)
 * leaves it with why (`dropped`). `crewIds` are the crews that exist.
 */
export function livePins(
  pinned: readonly CrewAssignment[],
  records: readonly DispatchRecord[],
  crewIds: ReadonlySet<string>,
): PinCheck {
  const active = new Map<string, DispatchRecord>();
  for (const r of records) if (r.status !== "reassigned") active.set(r.assetId, r);
  const kept: CrewAssignment[] = [];
  const dropped: PinCheck["dropped"] = [];
  let fulfilled = 0;
  for (const pin of pinned) {
    const ids: string[] = [];
    for (const id of pin.assetIds) {
      const r = active.get(id);
      const why = !crewIds.has(pin.crewId)
        ? `crew ${pin.crewId} is no longer available`
        : !r
          ? null
          : r.status === "cancelled"
            ? `its dispatch to ${r.crewId} was cancelled`
            : r.crewId !== pin.crewId
              ? `crew ${r.crewId} has it now`
              : null;
      if (why) dropped.push({ crewId: pin.crewId, assetId: id, why });
      else if (r && r.status !== "queued") fulfilled++;
      else ids.push(id);
    }
    if (ids.length) kept.push({ crewId: pin.crewId, assetIds: ids });
  }
  return { kept, dropped, fulfilled };
}
