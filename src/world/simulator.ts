/**
 * The world: a deterministic discrete-event simulation of utility networks, crews and weather.
 *
 * Events: a crew arrives, a repair completes, a lightning hold ends, a dependency's buffer
 * runs out (a delayed cascade), scheduled or storm damage appears. Between events nothing
 * changes, so outage figures are integrated exactly. Given the same scenario, seed and
 * dispatches at the same minutes, every run is identical; that is what lets the agent keep
 * only a dispatch log in its state and rebuild the world from it.
 *
 * Size: about 760 lines once formatted, for the event loop and the state it moves through time (clock, crews and their queues,
 * dispatches, damage, the integrated figures), which belong together. What only reads that state lives beside it:
 * outage-analysis.ts (feed paths, root causes, impact, severity), plan-validation.ts, crews.ts (crew timing),
 * geojson.ts, damage-schedule.ts. World keeps its public methods and delegates to them.
 */
import {
  type CrewState,
  type CrewTimingView,
  crewCanTake,
  crewSummary,
  estimateJob,
  noCrewCanTake,
  repairMinutes,
  travelMinutes,
  type UnworkableAsset,
} from "./crews.js";
import { buildDamageSchedule, type ScheduledDamage } from "./damage-schedule.js";
import { dispatchIdOf } from "./dispatch-log.js";
import { type GeoJsonFeatureCollection, networkGeoJson } from "./geojson.js";
import { CompiledNetwork } from "./network.js";
import {
  buildFeedTree,
  computeImpact,
  detectFailures,
  type FeedTree,
  feedPathLabels,
  type OutageView,
  restoredIfRepaired,
  rootCauses,
} from "./outage-analysis.js";
import { PlanRejected, validatePlan } from "./plan-validation.js";
import { round2 } from "../format.js";
import { WORLD_ALERT_HISTORY_MAX, WORLD_EVENTS_PER_ADVANCE } from "../limits.js";
import type { Scenario } from "./scenario/schema.js";
import { ServiceState } from "./service.js";
import type {
  Alert,
  CrewAssignment,
  CrewEstimate,
  CrewSummary,
  DispatchLogEntry,
  DispatchPlan,
  DispatchRecord,
  DispatchResult,
  EpisodeMetrics,
  FailureSnapshot,
  ImpactReport,
  PlanValidation,
  RestorationPoint,
  WeatherReport,
} from "./types.js";
import { WeatherTimeline } from "./weather.js";
import { WorkCounter } from "./work-budget.js";

// Split out of this file; re-exported so that code written against the simulator keeps its imports.
export type { CrewState } from "./crews.js";
export type { GeoJsonFeature, GeoJsonFeatureCollection } from "./geojson.js";
export { isPlanRejected, PlanRejected } from "./plan-validation.js";

export interface WorldOptions {
  /** Seed for storm damage draws; defaults to the scenario's seed. */
  seed?: number;
  /**
   * Whether damage scheduled for the future happens. Planning look-aheads run on a clone
   * without it: a planner must not know damage that has not happened yet.
   */
  futureDamage?: boolean;
}

export class World {
  readonly net: CompiledNetwork;
  readonly weather: WeatherTimeline;
  readonly seed: number;
  private service: ServiceState;
  private clock = 0;
  private readonly crews: CrewState[];
  private readonly crewById = new Map<string, CrewState>();
  private readonly records = new Map<string, DispatchRecord>();
  /** The active (not done, not cancelled) dispatch of each asset. */
  private readonly activeByAsset = new Map<number, DispatchRecord>();
  private readonly log: DispatchLogEntry[] = [];
  private readonly schedule: ScheduledDamage[];
  private nextDamage = 0;
  private readonly damagedAt: Float64Array;
  private readonly damageCause = new Map<number, string>();
  private readonly everDamaged: Uint8Array;
  private readonly outSince: Float64Array;
  // Figures, integrated between events.
  private lastT = 0;
  private cmi = 0;
  private weightedCmi = 0;
  private criticalOutMinutes = 0;
  private out = { population: 0, weighted: 0, criticalOut: 0, nodesOut: 0 };
  /** Damaged assets now: scanning them is cheaper than scanning every asset. */
  private damagedSet = new Set<number>();
  private readonly curve: RestorationPoint[] = [];
  private fullRestorationAt: number | null = null;
  private pendingAlerts: Alert[] = [];
  /** Damage and cascades so far, newest first: immutable links, so that clones share it for free. */
  private alertTrail: { alert: Alert; prev: World["alertTrail"]; n: number } | null = null;
  private eventsProcessed = 0;
  private impactCache: { version: number; reports: Map<string, ImpactReport> } = { version: -1, reports: new Map() };
  private feedTree: FeedTree | null = null;

  constructor(
    readonly scenario: Scenario,
    options: WorldOptions = {},
  ) {
    this.seed = options.seed ?? scenario.seed;
    this.net = new CompiledNetwork(scenario);
    this.weather = new WeatherTimeline(scenario.weather, this.net.distanceKm);
    this.service = new ServiceState(this.net);
    this.damagedAt = new Float64Array(this.net.assetCount).fill(NaN);
    this.everDamaged = new Uint8Array(this.net.assetCount);
    this.outSince = new Float64Array(this.net.nodeCount).fill(NaN);
    this.crews = scenario.crews.map((c, index) => ({
      id: c.id,
      index,
      skills: new Set(c.skills),
      speedKmh: c.speedKmh,
      x: c.x,
      y: c.y,
      capacityLeftMin: c.capacityHours * 60,
      queue: [],
      current: null,
    }));
    for (const c of this.crews) this.crewById.set(c.id, c);
    const future = options.futureDamage ?? true;
    this.schedule = buildDamageSchedule(scenario, this.net, this.weather, this.seed).filter((d) => future || d.at <= 0);
    this.service.recomputeAll(0);
    this.processEventsAt(0);
    this.out = this.service.populationOut();
    this.markOutSince(0, this.net.networks.keys());
    this.pendingAlerts = [];
    this.alertTrail = null;
    this.pushCurve(0);
  }

  /** Rebuild a world from its scenario, seed and dispatch log, at a given minute. */
  static replay(
    scenario: Scenario,
    log: readonly DispatchLogEntry[],
    clock: number,
    options: WorldOptions = {},
  ): World {
    const world = new World(scenario, options);
    world.appendLog(log);
    world.advanceTo(Math.max(clock, world.now()));
    return world;
  }

  /**
   * Replay more of a dispatch log onto this world: each minute's entries applied together once
   * the world stands at that minute (an entry earlier than the world's clock is applied now).
   */
  appendLog(log: readonly DispatchLogEntry[]): void {
    let i = 0;
    while (i < log.length) {
      const at = log[i].at;
      this.advanceTo(at);
      const batch: DispatchLogEntry[] = [];
      while (i < log.length && log[i].at === at) batch.push(log[i++]);
      this.applyLogEntries(batch);
    }
  }

  now(): number {
    return this.clock;
  }

  /**
   * An independent copy of the world as it stands. With `futureDamage: false` the copy
   * knows no damage beyond what has already happened: what a planner may look ahead with.
   */
  clone(options: { futureDamage?: boolean } = {}): World {
    const c = Object.create(World.prototype) as World;
    Object.assign(c, this);
    const m = c as unknown as Record<string, unknown>;
    const records = new Map<string, DispatchRecord>();
    for (const [id, r] of this.records) records.set(id, { ...r });
    const crews: CrewState[] = this.crews.map((k) => ({
      ...k,
      skills: k.skills,
      queue: k.queue.map((r) => records.get(r.dispatchId)!),
      current: k.current ? { ...k.current, record: records.get(k.current.record.dispatchId)! } : null,
    }));
    const activeByAsset = new Map<number, DispatchRecord>();
    for (const [a, r] of this.activeByAsset) activeByAsset.set(a, records.get(r.dispatchId)!);
    m.service = this.service.clone();
    m.records = records;
    m.crews = crews;
    m.crewById = new Map(crews.map((k) => [k.id, k]));
    m.activeByAsset = activeByAsset;
    m.log = this.log.slice();
    m.schedule = options.futureDamage === false ? this.schedule.slice(0, this.nextDamage) : this.schedule;
    m.damagedSet = new Set(this.damagedSet);
    m.damagedAt = this.damagedAt.slice();
    m.damageCause = new Map(this.damageCause);
    m.everDamaged = this.everDamaged.slice();
    m.outSince = this.outSince.slice();
    m.out = { ...this.out };
    m.curve = this.curve.slice();
    m.pendingAlerts = [];
    m.impactCache = { version: -1, reports: new Map() };
    return c;
  }

  /** Unrounded running totals, for planners comparing schedules. */
  runningTotals(): { customerMinutes: number; weightedCustomerMinutes: number; criticalOutMinutes: number } {
    return {
      customerMinutes: this.cmi,
      weightedCustomerMinutes: this.weightedCmi,
      criticalOutMinutes: this.criticalOutMinutes,
    };
  }

  /**
   * Estimate one job for a crew starting from (x, y) at minute `t`: travel with the forecast,
   * a lightning hold if work is stopped on arrival, then the repair.
   */
  estimateJobFrom(
    crewId: string,
    x: number,
    y: number,
    t: number,
    assetId: string,
  ): { travel: number; arrivalAt: number; startAt: number; repair: number; completionAt: number } {
    const c = this.crewById.get(crewId);
    const a = this.net.index(assetId);
    if (!c || a === undefined) throw new Error(`unknown crew or asset: ${crewId}, ${assetId}`);
    const travel = this.travelMinutes(x, y, a, c.speedKmh, t);
    const arrivalAt = t + travel;
    const startAt = this.weather.workResumesAt(this.net.x[a], this.net.y[a], arrivalAt);
    const repair = this.repairMinutes(a, startAt);
    const completionAt = this.weather.finishWork(this.net.x[a], this.net.y[a], startAt, repair).endsAt;
    return { travel, arrivalAt, startAt, repair, completionAt };
  }

  dispatchLog(): readonly DispatchLogEntry[] {
    return this.log;
  }

  dispatches(): DispatchRecord[] {
    return [...this.records.values()].map((r) => ({ ...r }));
  }

  // ---------------------------------------------------------------- time

  /** The minute of the next event, or null when nothing more will happen. */
  nextEventTime(): number | null {
    let t = Infinity;
    for (const c of this.crews) if (c.current) t = Math.min(t, c.current.endsAt);
    if (this.nextDamage < this.schedule.length) t = Math.min(t, this.schedule[this.nextDamage].at);
    for (const b of this.service.buffersRunning()) t = Math.min(t, b.expiresAt);
    return t === Infinity ? null : Math.max(t, this.clock);
  }

  /** Process every event up to and including minute `t`, then stand at `t`. */
  advanceTo(t: number): void {
    const budget = this.advanceBudget();
    for (let next = this.nextEventTime(); next !== null && next <= t; next = this.nextEventTime()) {
      budget.spend(1);
      this.processEventsAt(next);
    }
    this.integrateTo(Math.max(t, this.clock));
  }

  /** Event minutes one advance may process (a cascade that never settles stops with WorldWorkExceeded). */
  private advanceBudget(): WorkCounter {
    return new WorkCounter(
      "clock advance",
      WORLD_EVENTS_PER_ADVANCE,
      () => `event minutes from T+${Math.round(this.clock)} min`,
    );
  }

  /** Process the next event time; returns it, or null when nothing more will happen. */
  advanceToNextEvent(): number | null {
    const next = this.nextEventTime();
    if (next !== null) this.processEventsAt(next);
    return next;
  }

  /**
   * Let time pass until something a dispatcher must act on happens (new damage, a delayed
   * cascade, a crew freed while assets wait), or until `until`. Returns the alerts raised
   * at that minute, or [] when `until` came first or nothing more will happen.
   */
  advanceUntilAlert(until = Infinity, batchMinutes = 0): Alert[] {
    this.pendingAlerts = [];
    const budget = this.advanceBudget();
    for (;;) {
      budget.spend(1);
      const next = this.nextEventTime();
      if (next === null || next > until) {
        if (until !== Infinity) this.advanceTo(until);
        return [];
      }
      this.processEventsAt(next);
      if (this.pendingAlerts.length > 0) {
        // Batching: go on for `batchMinutes` and report every alert of that window together.
        if (batchMinutes > 0) this.advanceTo(Math.min(until, this.clock + batchMinutes));
        const alerts = this.pendingAlerts;
        this.pendingAlerts = [];
        return alerts;
      }
    }
  }

  /** Jobs crews hold: started or queued. Simulating ahead costs a service update per job. */
  openJobCount(): number {
    let n = 0;
    for (const c of this.crews) n += c.queue.length + (c.current ? 1 : 0);
    return n;
  }

  /** How many assets are damaged now. */
  damagedCount(): number {
    return this.damagedSet.size;
  }

  /** Nothing damaged, nothing out of service. */
  isFullyRestored(): boolean {
    return this.fullyRestoredNow();
  }

  /** Whether any future event could still change the network (pending damage, crews at work). */
  hasPendingEvents(): boolean {
    return this.nextEventTime() !== null;
  }

  private processEventsAt(t: number): void {
    this.eventsProcessed++;
    this.integrateTo(t);
    const dirty = new Set<number>();
    const newDamage: number[] = [];
    while (this.nextDamage < this.schedule.length && this.schedule[this.nextDamage].at <= t) {
      const d = this.schedule[this.nextDamage++];
      if (this.service.damaged[d.asset]) continue;
      this.damage(d.asset, t, d.cause, dirty);
      newDamage.push(d.asset);
    }
    const freed: CrewState[] = [];
    for (const crew of this.crews) {
      let guard = 0;
      while (crew.current && crew.current.endsAt <= t && guard++ < 10_000) {
        if (this.finishPhase(crew, t, dirty)) freed.push(crew);
      }
    }
    for (const b of this.service.buffersRunning()) {
      if (b.expiresAt <= t) dirty.add(this.net.assetNetwork[this.net.depDependee[b.dependency]]);
    }
    const before = this.out.population;
    let newlyOut: number[] = [];
    if (dirty.size > 0) {
      this.service.update(t, dirty);
      this.out = this.service.populationOut();
      newlyOut = this.markOutSince(t);
    }
    if (this.out.population !== before || dirty.size > 0) this.pushCurve(t);
    if (this.fullRestorationAt === null && this.fullyRestoredNow() && this.nextDamage >= this.schedule.length) {
      this.fullRestorationAt = t;
    } else if (!this.fullyRestoredNow()) {
      this.fullRestorationAt = null;
    }
    this.raiseAlerts(t, newDamage, newlyOut, freed);
  }

  /** The damage and delayed cascades that happened after minute 0, oldest first (at most WORLD_ALERT_HISTORY_MAX). */
  alertHistory(): Alert[] {
    const out: Alert[] = [];
    for (let l = this.alertTrail; l; l = l.prev) out.push(l.alert);
    return out.reverse();
  }

  private remember(alert: Alert): void {
    this.pendingAlerts.push(alert);
    const n = this.alertTrail?.n ?? 0;
    if (n < WORLD_ALERT_HISTORY_MAX) this.alertTrail = { alert, prev: this.alertTrail, n: n + 1 };
  }

  private raiseAlerts(t: number, newDamage: number[], newlyOut: number[], freed: CrewState[]): void {
    const ids = (a: number[]) => a.map((i) => this.net.assetIds[i]);
    if (newDamage.length > 0) {
      this.remember({
        kind: "damage",
        at: t,
        assets: ids(newDamage),
        message: `${newDamage.length} newly damaged asset(s)`,
      });
    }
    const cascade = newlyOut.filter((i) => !this.service.damaged[i]);
    if (cascade.length > 0 && newDamage.length === 0) {
      this.remember({
        kind: "cascade",
        at: t,
        assets: ids(cascade),
        message: `${cascade.length} asset(s) lost service (delayed cascade)`,
      });
    }
    if (freed.length > 0) {
      const waiting = this.unassignedDamaged();
      const useful = freed.filter((c) => waiting.some((a) => c.skills.has(this.net.networkOf(a))));
      if (useful.length > 0) {
        this.pendingAlerts.push({
          kind: "crew_free",
          at: t,
          assets: ids(waiting),
          message: `crew(s) ${useful.map((c) => c.id).join(", ")} free while ${waiting.length} damaged asset(s) wait`,
        });
      }
    }
  }

  private damage(asset: number, t: number, cause: string, dirty: Set<number>): void {
    dirty.add(this.service.setDamaged(asset, true));
    this.damagedSet.add(asset);
    this.damagedAt[asset] = t;
    this.everDamaged[asset] = 1;
    this.damageCause.set(asset, cause);
  }

  /** Ends the crew's current phase; returns true when the crew became idle. */
  private finishPhase(crew: CrewState, t: number, dirty: Set<number>): boolean {
    const cur = crew.current!;
    const net = this.net;
    if (cur.phase === "travelling") {
      crew.capacityLeftMin -= t - cur.startedAt;
      crew.x = net.x[cur.asset];
      crew.y = net.y[cur.asset];
      cur.record.arrivedAt = t;
      this.startRepairOrHold(crew, t);
      return false;
    }
    if (cur.phase === "on_hold") {
      this.startRepairOrHold(crew, t);
      return false;
    }
    crew.capacityLeftMin -= cur.workMinutes ?? t - cur.startedAt;
    dirty.add(this.service.setDamaged(cur.asset, false));
    this.damagedSet.delete(cur.asset);
    this.damagedAt[cur.asset] = NaN;
    cur.record.repairedAt = t;
    cur.record.status = "done";
    this.activeByAsset.delete(cur.asset);
    crew.current = null;
    this.startNext(crew, t);
    return crew.current === null;
  }

  private startRepairOrHold(crew: CrewState, t: number): void {
    const cur = crew.current!;
    const resume = this.weather.workResumesAt(crew.x, crew.y, t);
    if (resume > t) {
      Object.assign(cur, { phase: "on_hold", endsAt: resume, startedAt: t });
      cur.record.status = "on_hold";
      cur.record.heldMinutes = (cur.record.heldMinutes ?? 0) + (resume - t);
      return;
    }
    const minutes = this.repairMinutes(cur.asset, t);
    // Lightning that starts during the repair pauses it: the crew shelters, then goes on.
    const done = this.weather.finishWork(crew.x, crew.y, t, minutes);
    if (done.heldMinutes > 0) cur.record.heldMinutes = (cur.record.heldMinutes ?? 0) + done.heldMinutes;
    Object.assign(cur, { phase: "repairing", endsAt: done.endsAt, startedAt: t, workMinutes: minutes });
    cur.record.status = "repairing";
    cur.record.repairStartedAt = t;
  }

  private startNext(crew: CrewState, t: number): void {
    while (crew.queue.length > 0) {
      const record = crew.queue.shift()!;
      const asset = this.net.index(record.assetId)!;
      if (!this.service.damaged[asset]) {
        record.status = "cancelled";
        this.activeByAsset.delete(asset);
        continue;
      }
      const travel = this.travelMinutes(crew.x, crew.y, asset, crew.speedKmh, t);
      crew.current = { record, asset, phase: "travelling", endsAt: t + travel, startedAt: t };
      record.status = "travelling";
      return;
    }
  }

  private travelMinutes(fromX: number, fromY: number, asset: number, speedKmh: number, t: number): number {
    return travelMinutes(this.net, this.weather, fromX, fromY, asset, speedKmh, t);
  }

  private repairMinutes(asset: number, t: number): number {
    return repairMinutes(this.scenario, this.net, this.weather, asset, t);
  }

  private integrateTo(t: number): void {
    const dt = t - this.lastT;
    if (dt > 0) {
      this.cmi += this.out.population * dt;
      this.weightedCmi += this.out.weighted * dt;
      this.criticalOutMinutes += this.out.criticalOut * dt;
      this.lastT = t;
    }
    this.clock = Math.max(this.clock, t);
  }

  private pushCurve(t: number): void {
    const last = this.curve[this.curve.length - 1];
    const point = {
      t,
      populationOut: this.out.population,
      weightedOut: this.out.weighted,
      criticalOut: this.out.criticalOut,
    };
    if (last && last.t === t) this.curve[this.curve.length - 1] = point;
    else if (!last || last.populationOut !== point.populationOut || last.criticalOut !== point.criticalOut)
      this.curve.push(point);
  }

  /** Updates when each node went out of service; returns the nodes that just went out. */
  private markOutSince(t: number, networks: Iterable<number> = this.service.lastTraversed): number[] {
    const newlyOut: number[] = [];
    // By default only the networks the last update traversed: no other node can have changed.
    for (const n of networks) {
      for (const i of this.net.nodesByNetwork[n]) {
        if (this.service.inService[i]) this.outSince[i] = NaN;
        else if (Number.isNaN(this.outSince[i])) {
          this.outSince[i] = t;
          newlyOut.push(i);
        }
      }
    }
    return newlyOut.sort((a, b) => a - b);
  }

  private fullyRestoredNow(): boolean {
    return this.damagedSet.size === 0 && this.out.nodesOut === 0;
  }

  // ---------------------------------------------------------------- what the world reports

  /** Damaged assets that have no active dispatch. */
  private unassignedDamaged(): number[] {
    const out: number[] = [];
    for (const i of this.damagedSet) if (!this.activeByAsset.has(i)) out.push(i);
    return out.sort((a, b) => a - b);
  }

  /** Damaged assets (ids) that no crew is assigned to. */
  unassignedDamagedIds(): string[] {
    return this.unassignedDamaged().map((i) => this.net.assetIds[i]);
  }

  /** Damaged, unassigned assets that some crew could take now (skill and capacity left). */
  workableUnassignedIds(): string[] {
    return this.unassignedDamaged()
      .filter((a) => this.crews.some((c) => c.skills.has(this.net.networkOf(a)) && this.crewCanTake(c, [a])))
      .map((i) => this.net.assetIds[i]);
  }

  /** Damaged assets no crew has and none can take now (skills, shift capacity), each with why. */
  noCrewCanTake(): UnworkableAsset[] {
    return noCrewCanTake(this.timingView(), this.crews, this.unassignedDamaged());
  }

  detectFailures(): FailureSnapshot {
    return detectFailures(this.outageView());
  }

  /** Critical facilities out of service now (cheap: no causes computed). */
  criticalFacilitiesOut(): string[] {
    const out: string[] = [];
    for (const c of this.net.criticalNodes) if (!this.service.inService[c]) out.push(this.net.assetIds[c]);
    return out;
  }

  /** Impact of each asset (damaged or out of service). Unknown ids are reported as errors by the repository. */
  estimateImpact(ids: string[]): ImpactReport[] {
    // Impact changes only when events are processed: IMPACT_ANALYSIS and the optimizer asking
    // at the same minute share one computation.
    if (this.impactCache.version !== this.eventsProcessed)
      this.impactCache = { version: this.eventsProcessed, reports: new Map() };
    const missing = ids.filter((id) => !this.impactCache.reports.has(id));
    if (missing.length > 0)
      for (const r of computeImpact(this.outageView(), missing, ids.length)) this.impactCache.reports.set(r.asset, r);
    return ids.map((id) => this.impactCache.reports.get(id)!);
  }

  /** Whether an asset is damaged now (needs a crew). */
  isDamaged(assetId: string): boolean {
    const a = this.net.index(assetId);
    return a !== undefined && this.service.damaged[a] === 1;
  }

  /**
   * A copy of the service state as it stands (damage, service, dependencies and their buffers):
   * what a planner replays repairs through to judge many plans without simulating crews.
   */
  serviceSnapshot(): ServiceState {
    return this.service.clone();
  }

  /** A copy of the service state, for what-if questions asked in the world layer (src/world/blocking.ts). */
  serviceCopy(): ServiceState {
    return this.service.clone();
  }

  /** Population that repairing these assets (now, together) would bring back. */
  restoredIfRepaired(assets: number[]): { population: number; weighted: number } {
    return restoredIfRepaired(this.outageView(), assets);
  }

  /** What the impact and root-cause analysis reads (src/world/outage-analysis.ts). */
  private outageView(): OutageView {
    this.feedTree ??= buildFeedTree(this.net);
    return {
      net: this.net,
      service: this.service,
      tree: this.feedTree,
      clock: this.clock,
      out: this.out,
      activeByAsset: this.activeByAsset,
      damageCause: this.damageCause,
      damagedAt: this.damagedAt,
      outSince: this.outSince,
    };
  }

  // ---------------------------------------------------------------- crews

  crewSummaries(): CrewSummary[] {
    const v = this.timingView();
    return this.crews.map((c) => crewSummary(v, c));
  }

  hasCrew(id: string): boolean {
    return this.crewById.has(id);
  }

  /** What crew timing reads (src/world/crews.ts). */
  private timingView(): CrewTimingView {
    return { net: this.net, weather: this.weather, scenario: this.scenario, clock: this.clock };
  }

  private crewCanTake(c: CrewState, assets: number[]): boolean {
    return crewCanTake(this.timingView(), c, assets);
  }

  /** Estimates for sending each crew to each asset after the work it already has. */
  estimateJobs(pairs: { crewId: string; assetId: string }[]): CrewEstimate[] {
    const v = this.timingView();
    return pairs.map(({ crewId, assetId }) => estimateJob(v, crewId, this.crewById.get(crewId), assetId));
  }

  /** Repair minutes for an asset if work started now (base time by type × weather). */
  repairMinutesFor(assetId: string): number {
    const a = this.net.index(assetId);
    if (a === undefined) throw new Error(`unknown asset "${assetId}"`);
    return this.repairMinutes(a, this.clock);
  }

  weatherAt(x: number, y: number, label: string): WeatherReport {
    const w = this.weather.at(x, y, this.clock);
    return {
      location: label,
      x,
      y,
      condition: w.condition,
      travelFactor: w.travelFactor,
      repairFactor: w.repairFactor,
      stopsWork: w.stopsWork,
      changesAt: w.changesAt,
    };
  }

  assetLocation(id: string): { x: number; y: number } | undefined {
    const a = this.net.index(id);
    return a === undefined ? undefined : { x: this.net.x[a], y: this.net.y[a] };
  }

  // ---------------------------------------------------------------- dispatch

  /** Every reason the plan cannot be applied now; empty when it can (src/world/plan-validation.ts). */
  validatePlan(plan: DispatchPlan): PlanValidation {
    const { net, service } = this;
    return validatePlan(
      {
        ...this.timingView(),
        service,
        activeByAsset: this.activeByAsset,
        crewById: this.crewById,
        rootCauseIds: (a) =>
          rootCauses(net, service, a, feedPathLabels(net, service, (this.feedTree ??= buildFeedTree(net)))).map(
            (r) => net.assetIds[r],
          ),
      },
      plan,
    );
  }

  /** The deterministic id of a dispatch: the same decision at the same minute has the same id. */
  dispatchIdFor(crewId: string, assetId: string, at = this.clock): string {
    return dispatchIdOf(crewId, assetId, at);
  }

  /**
   * Validate and apply a plan. Idempotent: a dispatch whose id the world already holds is
   * skipped, so a replayed EXECUTION changes nothing. Throws if the plan is invalid.
   */
  assignCrews(plan: DispatchPlan): DispatchResult {
    const entries: DispatchLogEntry[] = [];
    const alreadyApplied: string[] = [];
    const fresh: CrewAssignment[] = [];
    for (const { crewId, assetIds } of plan.assignments ?? []) {
      const keep: string[] = [];
      for (const assetId of assetIds) {
        const id = this.dispatchIdFor(crewId, assetId);
        if (this.records.has(id)) alreadyApplied.push(id);
        else keep.push(assetId);
      }
      if (keep.length > 0) fresh.push({ crewId, assetIds: keep });
    }
    if (fresh.length === 0 && alreadyApplied.length > 0) return { applied: [], alreadyApplied };
    const check = this.validatePlan({ ...plan, assignments: fresh });
    if (!check.valid) throw new PlanRejected(check.errors);
    for (const { crewId, assetIds } of fresh) {
      for (const assetId of assetIds) {
        entries.push({
          dispatchId: this.dispatchIdFor(crewId, assetId),
          crewId,
          assetId,
          at: this.clock,
          ...(plan.reassign ? { reassign: true } : {}),
        });
      }
    }
    this.applyLogEntries(entries);
    return { applied: entries, alreadyApplied };
  }

  /** Apply already-validated dispatches (from a plan, or from a log being replayed). */
  private applyLogEntries(entries: DispatchLogEntry[]): void {
    const touched = new Set<CrewState>();
    for (const e of entries) {
      if (this.records.has(e.dispatchId)) continue;
      const crew = this.crewById.get(e.crewId)!;
      const a = this.net.index(e.assetId)!;
      const previous = this.activeByAsset.get(a);
      if (previous) {
        if (!e.reassign || previous.status !== "queued") continue;
        const owner = this.crewById.get(previous.crewId)!;
        owner.queue = owner.queue.filter((r) => r !== previous);
        previous.status = "reassigned";
      }
      const record: DispatchRecord = {
        dispatchId: e.dispatchId,
        crewId: e.crewId,
        assetId: e.assetId,
        assignedAt: e.at,
        status: "queued",
      };
      this.records.set(e.dispatchId, record);
      this.activeByAsset.set(a, record);
      crew.queue.push(record);
      this.log.push(e);
      touched.add(crew);
    }
    for (const crew of touched) if (!crew.current) this.startNext(crew, this.clock);
  }

  // ---------------------------------------------------------------- figures

  metrics(): EpisodeMetrics {
    return {
      customerMinutesInterrupted: Math.round(this.cmi),
      weightedCustomerMinutesInterrupted: Math.round(this.weightedCmi),
      saidiMinutes: this.net.totalPopulation > 0 ? round2(this.cmi / this.net.totalPopulation) : 0,
      criticalFacilityOutageHours: round2(this.criticalOutMinutes / 60),
      minutesToFullRestoration: this.fullRestorationAt,
      populationOutNow: this.out.population,
      totalPopulation: this.net.totalPopulation,
      restorationCurve: this.curve.slice(),
    };
  }

  /** The network's state as GeoJSON, for any GIS tool. Planar scenarios keep their x/y. */
  toGeoJSON(): GeoJsonFeatureCollection {
    return networkGeoJson({
      scenario: this.scenario,
      net: this.net,
      service: this.service,
      everDamaged: this.everDamaged,
      crews: this.crews,
      minute: this.clock,
    });
  }
}
