/**
 * Crew timing: how long travel and repairs take with the weather, and where a crew will be, and when, once the work it
 * holds is done. The World owns the crews' state and moves it through time; these read it.
 */
import type { CompiledNetwork } from "./network.js";
import { round2 } from "../format.js";
import type { Scenario } from "./scenario/schema.js";
import type { CrewEstimate, CrewSummary, DispatchRecord } from "./types.js";
import type { WeatherTimeline } from "./weather.js";

export type Phase = "travelling" | "on_hold" | "repairing";

export interface CrewState {
  id: string;
  index: number;
  skills: Set<string>;
  speedKmh: number;
  x: number;
  y: number;
  capacityLeftMin: number;
  queue: DispatchRecord[];
  current: null | {
    record: DispatchRecord;
    asset: number;
    phase: Phase;
    endsAt: number;
    startedAt: number;
    workMinutes?: number;
  };
}

/** What crew timing reads of the world. */
export interface CrewTimingView {
  net: CompiledNetwork;
  weather: WeatherTimeline;
  scenario: Scenario;
  clock: number;
}

export interface CrewTimeline {
  freeAt: number;
  x: number;
  y: number;
  committedMin: number;
  jobs: { asset: number; arrivalAt: number; completionAt: number; travel: number; repair: number }[];
  busyUntil: number;
  busyX: number;
  busyY: number;
}

export function travelMinutes(
  net: CompiledNetwork,
  weather: WeatherTimeline,
  fromX: number,
  fromY: number,
  asset: number,
  speedKmh: number,
  t: number,
): number {
  const km = net.distanceKm(fromX, fromY, net.x[asset], net.y[asset]);
  if (km === 0) return 0;
  const factor = Math.max(
    weather.at(fromX, fromY, t).travelFactor,
    weather.at(net.x[asset], net.y[asset], t).travelFactor,
  );
  return (km / speedKmh) * 60 * factor;
}

/** Repair minutes of an asset started at minute `t`: base time by type × the weather's repair factor. */
export function repairMinutes(
  scenario: Scenario,
  net: CompiledNetwork,
  weather: WeatherTimeline,
  asset: number,
  t: number,
): number {
  const base = scenario.repairMinutes[net.assetType[asset]] ?? scenario.defaultRepairMinutes;
  return base * weather.at(net.x[asset], net.y[asset], t).repairFactor;
}

/**
 * Where a crew will be, and when, once its current work and queue are done (estimated with
 * the weather forecast), and how many minutes of its capacity that work still uses.
 */
export function crewTimeline(
  v: CrewTimingView,
  c: CrewState,
  extra: number[] = [],
  without: ReadonlySet<number> = new Set(),
): CrewTimeline {
  const { net, weather } = v;
  const repair = (a: number, at: number) => repairMinutes(v.scenario, net, weather, a, at);
  let t = v.clock,
    x = c.x,
    y = c.y,
    committed = 0;
  const jobs: CrewTimeline["jobs"] = [];
  if (c.current) {
    const cur = c.current;
    if (cur.phase === "travelling") {
      committed += cur.endsAt - t;
      t = cur.endsAt;
      x = net.x[cur.asset];
      y = net.y[cur.asset];
      t = weather.workResumesAt(x, y, t);
      const rep = repair(cur.asset, t);
      committed += rep;
      t = weather.finishWork(x, y, t, rep).endsAt;
    } else if (cur.phase === "on_hold") {
      t = cur.endsAt;
      const rep = repair(cur.asset, t);
      committed += rep;
      t = weather.finishWork(net.x[cur.asset], net.y[cur.asset], t, rep).endsAt;
    } else {
      committed += cur.endsAt - t;
      t = cur.endsAt;
    }
    x = net.x[cur.asset];
    y = net.y[cur.asset];
  }
  const queued = c.queue.map((r) => net.index(r.assetId)!).filter((a) => !without.has(a));
  const busyUntil = t,
    busyX = x,
    busyY = y;
  const assets = [...queued, ...extra];
  assets.forEach((a, k) => {
    const travel = travelMinutes(net, weather, x, y, a, c.speedKmh, t);
    const arrival = t + travel;
    const start = weather.workResumesAt(net.x[a], net.y[a], arrival);
    const rep = repair(a, start);
    committed += travel + rep;
    t = weather.finishWork(net.x[a], net.y[a], start, rep).endsAt;
    x = net.x[a];
    y = net.y[a];
    if (k >= queued.length) jobs.push({ asset: a, arrivalAt: arrival, completionAt: t, travel, repair: rep });
  });
  return { freeAt: t, x, y, committedMin: committed, jobs, busyUntil, busyX, busyY };
}

/** Whether the crew's capacity left covers its work plus `assets` (without the queued work in `without`). */
export function crewCanTake(
  v: CrewTimingView,
  c: CrewState,
  assets: number[],
  without: ReadonlySet<number> = new Set(),
): boolean {
  return crewTimeline(v, c, assets, without).committedMin <= c.capacityLeftMin + 1e-9;
}

export function crewSummary(v: CrewTimingView, c: CrewState): CrewSummary {
  const tl = crewTimeline(v, c);
  return {
    id: c.id,
    skills: [...c.skills],
    x: c.x,
    y: c.y,
    status: c.current ? c.current.phase : "idle",
    ...(c.current ? { currentAsset: c.current.record.assetId } : {}),
    queue: c.queue.map((r) => r.assetId),
    capacityLeftHours: round2((c.capacityLeftMin - tl.committedMin) / 60),
    freeAt: round2(tl.freeAt),
    freeAtLocation: { x: tl.x, y: tl.y },
    busyUntil: round2(tl.busyUntil),
    busyUntilLocation: { x: tl.busyX, y: tl.busyY },
    queuedWorkHours: round2(
      (tl.committedMin - crewTimeline(v, c, [], new Set(c.queue.map((r) => v.net.index(r.assetId)!))).committedMin) /
        60,
    ),
    speedKmh: c.speedKmh,
  };
}

/** The estimate for sending crew `c` (or an unknown one) to asset `assetId` after the work it already has. */
export function estimateJob(
  v: CrewTimingView,
  crewId: string,
  c: CrewState | undefined,
  assetId: string,
): CrewEstimate {
  const a = v.net.index(assetId);
  if (!c) return { crewId, assetId, error: `unknown crew "${crewId}"` };
  if (a === undefined) return { crewId, assetId, error: `unknown asset "${assetId}"` };
  const job = crewTimeline(v, c, [a]).jobs[0];
  const w = v.weather.at(v.net.x[a], v.net.y[a], job.arrivalAt);
  const skill = c.skills.has(v.net.networkOf(a))
    ? {}
    : { error: `crew ${crewId} cannot repair ${v.net.networkOf(a)} assets` };
  return {
    crewId,
    assetId,
    travelMinutes: round2(job.travel),
    repairMinutes: round2(job.repair),
    arrivalAt: round2(job.arrivalAt),
    completionAt: round2(job.completionAt),
    weather: w.condition,
    ...skill,
  };
}

/** A damaged asset no crew can take now, and why. */
export interface UnworkableAsset {
  asset: string;
  reason: string;
}

/**
 * Of `assets` (damaged, no crew), those no crew can take now, each with why: no crew has the
 * skill, or none has the shift capacity left for its work, the travel and the repair. Each
 * crew's own work is timed once; an asset some crew can take costs one job's timing per crew.
 */
export function noCrewCanTake(
  v: CrewTimingView,
  crews: readonly CrewState[],
  assets: readonly number[],
): UnworkableAsset[] {
  const bases = new Map<CrewState, CrewTimeline>();
  const base = (c: CrewState) => {
    let b = bases.get(c);
    if (!b) bases.set(c, (b = crewTimeline(v, c)));
    return b;
  };
  const out: UnworkableAsset[] = [];
  for (const a of assets) {
    const network = v.net.networkOf(a);
    const asset = v.net.assetIds[a];
    const skilled = crews.filter((c) => c.skills.has(network));
    if (skilled.length === 0) {
      out.push({ asset, reason: `no crew repairs ${network} assets` });
      continue;
    }
    let closest: { crew: CrewState; need: number } | null = null;
    for (const c of skilled) {
      const need = base(c).committedMin + oneMoreJobMinutes(v, c, base(c), a);
      if (need <= c.capacityLeftMin + 1e-9) {
        closest = null;
        break;
      }
      if (!closest || need - c.capacityLeftMin < closest.need - closest.crew.capacityLeftMin)
        closest = { crew: c, need };
    }
    if (closest) {
      const { crew, need } = closest;
      // The crew closest to fitting it: what its queued work, the trip and the repair would take, against its shift left.
      out.push({
        asset,
        reason: `no ${network} crew has the shift left: ${crew.id} would need ${round2(need / 60)} h, has ${round2(crew.capacityLeftMin / 60)} h`,
      });
    }
  }
  return out;
}

/** Capacity minutes one more job at the end of a crew's timeline takes: the travel and the repair (as crewTimeline counts them). */
function oneMoreJobMinutes(v: CrewTimingView, c: CrewState, after: CrewTimeline, a: number): number {
  const travel = travelMinutes(v.net, v.weather, after.x, after.y, a, c.speedKmh, after.freeAt);
  const start = v.weather.workResumesAt(v.net.x[a], v.net.y[a], after.freeAt + travel);
  return travel + repairMinutes(v.scenario, v.net, v.weather, a, start);
}
