/**
 * Job estimates at a position in a crew's work: after its current job, after its whole queue,
 * or at an index of the queue, with the figures broken down so that they add up
 * (departure + travel = arrival; arrival + weather hold + repair = completion). An asset the
 * crew already holds is estimated where it is, never as a second repair.
 * Built on the world's own job estimate (`World.estimateJobFrom`), so it agrees with dispatch.
 */
import type { World } from "./simulator.js";
import type { CrewEstimate, CrewSummary } from "./types.js";

/** Where the job would go: after the current job, after the whole queue (default), or before queue entry `n` (0 = first). */
export type QueuePosition = "current_job" | "queue" | number;

export interface EstimateRequest {
  crewId: string;
  assetId: string;
  after?: QueuePosition;
}

export function estimateJobsAt(world: World, requests: EstimateRequest[]): CrewEstimate[] {
  const crews = new Map(world.crewSummaries().map((c) => [c.id, c]));
  const holder = new Map<string, { crew: string; current: boolean }>();
  for (const c of crews.values()) {
    if (c.currentAsset) holder.set(c.currentAsset, { crew: c.id, current: true });
    for (const a of c.queue) holder.set(a, { crew: c.id, current: false });
  }
  return requests.map((r) => estimateOne(world, crews.get(r.crewId), r, holder.get(r.assetId)));
}

function estimateOne(
  world: World,
  crew: CrewSummary | undefined,
  r: EstimateRequest,
  held: { crew: string; current: boolean } | undefined,
): CrewEstimate {
  const { crewId, assetId } = r;
  if (!crew) return { crewId, assetId, error: `unknown crew "${crewId}"` };
  const at = world.assetLocation(assetId);
  if (!at) return { crewId, assetId, error: `unknown asset "${assetId}"` };
  const network = world.net.networkOf(world.net.index(assetId)!);
  if (!crew.skills.includes(network))
    return { crewId, assetId, error: `crew ${crewId} cannot repair ${network} assets` };
  if (held?.current) {
    return {
      crewId: held.crew,
      assetId,
      completionAt: round2(crew.id === held.crew ? crew.busyUntil : NaN),
      note: `already being worked by ${held.crew} (its current job)`,
    };
  }
  // An asset already in this crew's queue is estimated where it stands, unless asked elsewhere.
  const ownIndex = held && held.crew === crewId ? crew.queue.indexOf(assetId) : -1;
  const queue = crew.queue.filter((a) => a !== assetId);
  const after = r.after ?? (ownIndex >= 0 ? ownIndex : "queue");
  const before =
    after === "current_job"
      ? 0
      : after === "queue"
        ? queue.length
        : Math.max(0, Math.min(queue.length, Math.floor(after)));
  // Walk the jobs ahead of it, as the crew would do them.
  let t = crew.busyUntil,
    x = crew.busyUntilLocation.x,
    y = crew.busyUntilLocation.y;
  for (const a of queue.slice(0, before)) {
    const e = world.estimateJobFrom(crewId, x, y, t, a);
    t = e.completionAt;
    ({ x, y } = world.assetLocation(a)!);
  }
  const e = world.estimateJobFrom(crewId, x, y, t, assetId);
  const held_ = e.completionAt - e.arrivalAt - e.repair;
  const weather = world.weather.at(at.x, at.y, e.arrivalAt);
  const later = queue.slice(before);
  return {
    crewId,
    assetId,
    position:
      before === queue.length
        ? queue.length
          ? `after its queue (${queue.length} job(s))`
          : "after its current job"
        : `before ${queue[before]} (queue position ${before + 1} of ${queue.length + 1})`,
    departAt: round2(t),
    travelMinutes: round2(e.travel),
    distanceKm: round2(world.net.distanceKm(x, y, at.x, at.y)),
    arrivalAt: round2(e.arrivalAt),
    weatherHoldMinutes: round2(held_),
    repairMinutes: round2(e.repair),
    completionAt: round2(e.completionAt),
    weatherAtArrival: weather.condition,
    ...(ownIndex >= 0
      ? { note: `already queued with ${crewId} (position ${ownIndex + 1}); estimated there, not as a second repair` }
      : {}),
    ...(held && held.crew !== crewId ? { note: `queued with ${held.crew}: moving it needs reassign` } : {}),
    ...(later.length ? { delaysQueuedJobs: later.length } : {}),
  };
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}
