/**
 * The world: a deterministic discrete-event simulation of utility networks, crews and weather.
 *
 * Events: a crew arrives, a repair completes, a lightning hold ends, a dependency's buffer
 * runs out (a delayed cascade), scheduled or storm damage appears. Between events nothing
 * changes, so outage figures are integrated exactly. Given the same scenario, seed and
 * dispatches at the same minutes, every run is identical; that is what lets the agent keep
 * only a dispatch log in its state and rebuild the world from it.
 */
import { dispatchIdOf } from "./dispatch-log.js";
import { CompiledNetwork } from "./network.js";
import { mulberry32, poisson } from "./prng.js";
import type { Scenario } from "./scenario/schema.js";
import { ServiceState } from "./service.js";
import type {
  Alert, CrewAssignment, CrewEstimate, CrewSummary, DispatchLogEntry, DispatchPlan, DispatchRecord,
  DispatchResult, EpisodeMetrics, FailedAsset, FailureSnapshot, ImpactReport, PlanValidation,
  RestorationPoint, Severity, WeatherReport,
} from "./types.js";
import { WeatherTimeline } from "./weather.js";

export interface WorldOptions {
  /** Seed for storm damage draws; defaults to the scenario's seed. */
  seed?: number;
  /**
   * Whether damage scheduled for the future happens. Planning look-aheads run on a clone
   * without it: a planner must not know damage that has not happened yet.
   */
  futureDamage?: boolean;
}

type Phase = "travelling" | "on_hold" | "repairing";

interface CrewState {
  id: string;
  index: number;
  skills: Set<string>;
  speedKmh: number;
  x: number;
  y: number;
  capacityLeftMin: number;
  queue: DispatchRecord[];
  current: null | { record: DispatchRecord; asset: number; phase: Phase; endsAt: number; startedAt: number; workMinutes?: number };
}

interface ScheduledDamage { asset: number; at: number; cause: string }

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
  private eventsProcessed = 0;
  private impactCache: { version: number; reports: Map<string, ImpactReport> } = { version: -1, reports: new Map() };
  private feedTree: { order: Int32Array; parentNode: Int32Array; parentLink: Int32Array } | null = null;

  constructor(readonly scenario: Scenario, options: WorldOptions = {}) {
    this.seed = options.seed ?? scenario.seed;
    this.net = new CompiledNetwork(scenario);
    this.weather = new WeatherTimeline(scenario.weather, this.net.distanceKm);
    this.service = new ServiceState(this.net);
    this.damagedAt = new Float64Array(this.net.assetCount).fill(NaN);
    this.everDamaged = new Uint8Array(this.net.assetCount);
    this.outSince = new Float64Array(this.net.nodeCount).fill(NaN);
    this.crews = scenario.crews.map((c, index) => ({
      id: c.id, index, skills: new Set(c.skills), speedKmh: c.speedKmh, x: c.x, y: c.y,
      capacityLeftMin: c.capacityHours * 60, queue: [], current: null,
    }));
    for (const c of this.crews) this.crewById.set(c.id, c);
    const future = options.futureDamage ?? true;
    this.schedule = buildDamageSchedule(scenario, this.net, this.weather, this.seed).filter((d) => future || d.at <= 0);
    this.service.recomputeAll(0);
    this.processEventsAt(0);
    this.out = this.service.populationOut();
    this.markOutSince(0, this.net.networks.keys());
    this.pendingAlerts = [];
    this.pushCurve(0);
  }

  /** Rebuild a world from its scenario, seed and dispatch log, at a given minute. */
  static replay(scenario: Scenario, log: readonly DispatchLogEntry[], clock: number, options: WorldOptions = {}): World {
    const world = new World(scenario, options);
    let i = 0;
    while (i < log.length) {
      const at = log[i].at;
      world.advanceTo(at);
      const batch: DispatchLogEntry[] = [];
      while (i < log.length && log[i].at === at) batch.push(log[i++]);
      world.applyLogEntries(batch);
    }
    world.advanceTo(Math.max(clock, world.now()));
    return world;
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
      ...k, skills: k.skills, queue: k.queue.map((r) => records.get(r.dispatchId)!),
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
    return { customerMinutes: this.cmi, weightedCustomerMinutes: this.weightedCmi, criticalOutMinutes: this.criticalOutMinutes };
  }

  /**
   * Estimate one job for a crew starting from (x, y) at minute `t`: travel with the forecast,
   * a lightning hold if work is stopped on arrival, then the repair.
   */
  estimateJobFrom(crewId: string, x: number, y: number, t: number, assetId: string): { travel: number; arrivalAt: number; startAt: number; repair: number; completionAt: number } {
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
    for (let next = this.nextEventTime(); next !== null && next <= t; next = this.nextEventTime()) {
      this.processEventsAt(next);
    }
    this.integrateTo(Math.max(t, this.clock));
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
    for (;;) {
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

  /** How many assets are damaged now. */
  /** Jobs crews hold: started or queued. Simulating ahead costs a service update per job. */
  openJobCount(): number {
    let n = 0;
    for (const c of this.crews) n += c.queue.length + (c.current ? 1 : 0);
    return n;
  }

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

  private raiseAlerts(t: number, newDamage: number[], newlyOut: number[], freed: CrewState[]): void {
    const ids = (a: number[]) => a.map((i) => this.net.assetIds[i]);
    if (newDamage.length > 0) {
      this.pendingAlerts.push({ kind: "damage", at: t, assets: ids(newDamage), message: `${newDamage.length} newly damaged asset(s)` });
    }
    const cascade = newlyOut.filter((i) => !this.service.damaged[i]);
    if (cascade.length > 0 && newDamage.length === 0) {
      this.pendingAlerts.push({ kind: "cascade", at: t, assets: ids(cascade), message: `${cascade.length} asset(s) lost service (delayed cascade)` });
    }
    if (freed.length > 0) {
      const waiting = this.unassignedDamaged();
      const useful = freed.filter((c) => waiting.some((a) => c.skills.has(this.net.networkOf(a))));
      if (useful.length > 0) {
        this.pendingAlerts.push({
          kind: "crew_free", at: t, assets: ids(waiting),
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
      if (!this.service.damaged[asset]) { record.status = "cancelled"; this.activeByAsset.delete(asset); continue; }
      const travel = this.travelMinutes(crew.x, crew.y, asset, crew.speedKmh, t);
      crew.current = { record, asset, phase: "travelling", endsAt: t + travel, startedAt: t };
      record.status = "travelling";
      return;
    }
  }

  private travelMinutes(fromX: number, fromY: number, asset: number, speedKmh: number, t: number): number {
    const km = this.net.distanceKm(fromX, fromY, this.net.x[asset], this.net.y[asset]);
    if (km === 0) return 0;
    const factor = Math.max(this.weather.at(fromX, fromY, t).travelFactor, this.weather.at(this.net.x[asset], this.net.y[asset], t).travelFactor);
    return (km / speedKmh) * 60 * factor;
  }

  private baseRepairMinutes(asset: number): number {
    return this.scenario.repairMinutes[this.net.assetType[asset]] ?? this.scenario.defaultRepairMinutes;
  }

  private repairMinutes(asset: number, t: number): number {
    return this.baseRepairMinutes(asset) * this.weather.at(this.net.x[asset], this.net.y[asset], t).repairFactor;
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
    const point = { t, populationOut: this.out.population, weightedOut: this.out.weighted, criticalOut: this.out.criticalOut };
    if (last && last.t === t) this.curve[this.curve.length - 1] = point;
    else if (!last || last.populationOut !== point.populationOut || last.criticalOut !== point.criticalOut) this.curve.push(point);
  }

  /** Updates when each node went out of service; returns the nodes that just went out. */
  private markOutSince(t: number, networks: Iterable<number> = this.service.lastTraversed): number[] {
    const newlyOut: number[] = [];
    // By default only the networks the last update traversed: no other node can have changed.
    for (const n of networks) {
      for (const i of this.net.nodesByNetwork[n]) {
        if (this.service.inService[i]) this.outSince[i] = NaN;
        else if (Number.isNaN(this.outSince[i])) { this.outSince[i] = t; newlyOut.push(i); }
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

  detectFailures(): FailureSnapshot {
    const net = this.net;
    const labels = this.feedPathLabels();
    const damaged: FailedAsset[] = [];
    const outOfService: FailedAsset[] = [];
    for (let a = 0; a < net.assetCount; a++) {
      if (!this.service.damaged[a]) continue;
      const rec = this.activeByAsset.get(a);
      damaged.push({
        ...this.describe(a), state: "damaged", cause: this.damageCause.get(a) ?? "damaged",
        rootCauses: [net.assetIds[a]], since: this.damagedAt[a],
        ...(rec ? { assignedCrew: rec.crewId, dispatchStatus: rec.status } : {}),
      });
    }
    for (let i = 0; i < net.nodeCount; i++) {
      if (this.service.inService[i] || this.service.damaged[i]) continue;
      const roots = this.rootCauses(i, labels);
      outOfService.push({
        ...this.describe(i), state: "out_of_service", cause: this.outageCause(i, labels, roots),
        rootCauses: roots.map((r) => net.assetIds[r]), since: this.outSince[i],
      });
    }
    return {
      at: this.clock, damaged, outOfService,
      populationOut: this.out.population, weightedPopulationOut: this.out.weighted,
      criticalFacilitiesOut: [...net.criticalNodes].filter((c) => !this.service.inService[c]).map((c) => net.assetIds[c]),
      onBackup: this.service.buffersRunning().map((b) => ({
        node: net.assetIds[net.depDepender[b.dependency]], dependee: net.assetIds[net.depDependee[b.dependency]],
        expiresAt: b.expiresAt, critical: net.criticality[net.depDepender[b.dependency]] > 1,
      })),
    };
  }

  /** Critical facilities out of service now (cheap: no causes computed). */
  criticalFacilitiesOut(): string[] {
    const out: string[] = [];
    for (const c of this.net.criticalNodes) if (!this.service.inService[c]) out.push(this.net.assetIds[c]);
    return out;
  }

  private describe(a: number) {
    const net = this.net;
    const isNode = a < net.nodeCount;
    return {
      id: net.assetIds[a], kind: isNode ? ("node" as const) : ("link" as const), network: net.networkOf(a),
      type: net.assetType[a], population: isNode ? net.population[a] : 0, criticality: isNode ? net.criticality[a] : 1,
    };
  }

  /** Impact of each asset (damaged or out of service). Unknown ids are reported as errors by the repository. */
  estimateImpact(ids: string[]): ImpactReport[] {
    // Impact changes only when events are processed: IMPACT_ANALYSIS and the optimizer asking
    // at the same minute share one computation.
    if (this.impactCache.version !== this.eventsProcessed) this.impactCache = { version: this.eventsProcessed, reports: new Map() };
    const missing = ids.filter((id) => !this.impactCache.reports.has(id));
    if (missing.length > 0) for (const r of this.computeImpact(missing, ids.length)) this.impactCache.reports.set(r.asset, r);
    return ids.map((id) => this.impactCache.reports.get(id)!);
  }

  private computeImpact(ids: string[], askedFor: number): ImpactReport[] {
    const net = this.net;
    const labels = this.feedPathLabels();
    const attributed = new Map<number, { pop: number; weighted: number; critical: number[] }>();
    for (let i = 0; i < net.nodeCount; i++) {
      if (this.service.inService[i]) continue;
      for (const r of this.service.damaged[i] ? [i] : this.rootCauses(i, labels)) {
        const e = attributed.get(r) ?? { pop: 0, weighted: 0, critical: [] };
        e.pop += net.population[i];
        e.weighted += net.population[i] * net.criticality[i];
        if (net.criticality[i] > 1) e.critical.push(i);
        attributed.set(r, e);
      }
    }
    const backups = this.service.buffersRunning();
    return ids.map((id) => {
      const a = net.index(id);
      if (a === undefined) throw new Error(`unknown asset "${id}"`);
      const damagedNow = !!this.service.damaged[a];
      const roots = damagedNow ? [a] : a < net.nodeCount ? this.rootCauses(a, labels) : [];
      const own = attributed.get(a) ?? { pop: 0, weighted: 0, critical: [] };
      // Each repair-alone figure is a service update of its own. On large incidents, compute it
      // where population is attributed to the asset; elsewhere it is almost always 0.
      const exact = askedFor <= EXACT_RESTORE_LIMIT || (attributed.get(a)?.pop ?? 0) > 0;
      const restored = damagedNow && exact ? this.restoredIfRepaired([a]) : { population: 0, weighted: 0 };
      const backupsRunningOut = backups
        .filter((b) => {
          const dependee = net.depDependee[b.dependency];
          return dependee === a || (!this.service.damaged[dependee] && this.rootCauses(dependee, labels).includes(a));
        })
        .map((b) => ({ node: net.assetIds[net.depDepender[b.dependency]], expiresAt: b.expiresAt, critical: net.criticality[net.depDepender[b.dependency]] > 1 }));
      const criticalIds = own.critical.map((c) => net.assetIds[c]);
      const severity = severityOf(own.pop, criticalIds.length + backupsRunningOut.filter((b) => b.critical).length);
      return {
        asset: id, network: net.networkOf(a), state: damagedNow ? "damaged" : "out_of_service",
        populationOut: own.pop, weightedPopulationOut: own.weighted,
        populationRestoredIfRepaired: restored.population, weightedRestoredIfRepaired: restored.weighted,
        criticalFacilitiesAffected: criticalIds, backupsRunningOut, severity,
        ...(damagedNow ? {} : { rootCauses: roots.map((r) => net.assetIds[r]) }),
      };
    });
  }

  /** A copy of the service state, for what-if questions asked in the world layer (src/world/blocking.ts). */
  serviceCopy(): ServiceState {
    return this.service.clone();
  }

  /** Population that repairing these assets (now, together) would bring back. */
  restoredIfRepaired(assets: number[]): { population: number; weighted: number } {
    const trial = this.service.clone();
    const dirty = new Set<number>();
    for (const a of assets) dirty.add(trial.setDamaged(a, false));
    trial.update(this.clock, dirty);
    const after = trial.populationOut();
    return { population: this.out.population - after.population, weighted: this.out.weighted - after.weighted };
  }

  /**
   * For every node: the first failing element (damaged asset, or a node failing through a
   * dependency) on its primary feed path from a supply. The feed tree is the topology's BFS
   * tree, fixed for the scenario; in a meshed network it names the primary path's fault.
   */
  private feedPathLabels(): Int32Array {
    const tree = this.feedTree ?? (this.feedTree = buildFeedTree(this.net));
    const labels = new Int32Array(this.net.nodeCount).fill(-1);
    const { damaged, functional } = this.service;
    for (const u of tree.order) {
      const p = tree.parentNode[u];
      let label = p >= 0 ? labels[p] : -1;
      if (label < 0 && p >= 0 && damaged[tree.parentLink[u]]) label = tree.parentLink[u];
      if (label < 0 && (damaged[u] || !functional[u])) label = u;
      labels[u] = label;
    }
    return labels;
  }

  /** The damaged assets whose repair brings node `i` back (through dependencies too). */
  private rootCauses(i: number, labels: Int32Array, seen = new Set<number>()): number[] {
    if (seen.has(i)) return [];
    seen.add(i);
    const net = this.net;
    const label = labels[i];
    if (label < 0) return [];
    if (this.service.damaged[label]) return [label];
    // `label` is a node failing through a dependency: follow its failed dependencies.
    const out = new Set<number>();
    for (let k = net.depsOfStart[label]; k < net.depsOfStart[label + 1]; k++) {
      const d = net.depsOf[k];
      if (this.service.depOk[d]) continue;
      const dependee = net.depDependee[d];
      if (this.service.damaged[dependee]) out.add(dependee);
      else for (const r of this.rootCauses(dependee, labels, seen)) out.add(r);
    }
    return [...out];
  }

  private outageCause(i: number, labels: Int32Array, roots: number[]): string {
    const net = this.net;
    const label = labels[i];
    const names = roots.map((r) => net.assetIds[r]).join(", ") || "unknown";
    if (label === i) {
      const failed: string[] = [];
      for (let k = net.depsOfStart[i]; k < net.depsOfStart[i + 1]; k++) {
        const d = net.depsOf[k];
        if (!this.service.depOk[d]) failed.push(`${net.assetIds[net.depDependee[d]]} (${net.networkOf(net.depDependee[d])})`);
      }
      return `dependency out of service: ${failed.join(", ")}; root cause ${names}`;
    }
    if (label >= 0) return `no supply: upstream ${net.assetIds[label]} is ${this.service.damaged[label] ? "damaged" : "out of service"}; root cause ${names}`;
    return "no supply: disconnected";
  }

  // ---------------------------------------------------------------- crews

  crewSummaries(): CrewSummary[] {
    return this.crews.map((c) => {
      const tl = this.crewTimeline(c);
      return {
        id: c.id, skills: [...c.skills], x: c.x, y: c.y,
        status: c.current ? c.current.phase : "idle",
        ...(c.current ? { currentAsset: c.current.record.assetId } : {}),
        queue: c.queue.map((r) => r.assetId),
        capacityLeftHours: round2((c.capacityLeftMin - tl.committedMin) / 60),
        freeAt: round2(tl.freeAt), freeAtLocation: { x: tl.x, y: tl.y },
        busyUntil: round2(tl.busyUntil), busyUntilLocation: { x: tl.busyX, y: tl.busyY },
        queuedWorkHours: round2((tl.committedMin - this.crewTimeline(c, [], new Set(c.queue.map((r) => this.net.index(r.assetId)!))).committedMin) / 60),
        speedKmh: c.speedKmh,
      };
    });
  }

  hasCrew(id: string): boolean {
    return this.crewById.has(id);
  }

  /**
   * Where a crew will be, and when, once its current work and queue are done (estimated with
   * the weather forecast), and how many minutes of its capacity that work still uses.
   */
  private crewTimeline(c: CrewState, extra: number[] = [], without: ReadonlySet<number> = new Set()): { freeAt: number; x: number; y: number; committedMin: number; jobs: { asset: number; arrivalAt: number; completionAt: number; travel: number; repair: number }[]; busyUntil: number; busyX: number; busyY: number } {
    let t = this.clock, x = c.x, y = c.y, committed = 0;
    const jobs: { asset: number; arrivalAt: number; completionAt: number; travel: number; repair: number }[] = [];
    if (c.current) {
      const cur = c.current;
      if (cur.phase === "travelling") {
        committed += cur.endsAt - t;
        t = cur.endsAt;
        x = this.net.x[cur.asset]; y = this.net.y[cur.asset];
        t = this.weather.workResumesAt(x, y, t);
        const rep = this.repairMinutes(cur.asset, t);
        committed += rep; t = this.weather.finishWork(x, y, t, rep).endsAt;
      } else if (cur.phase === "on_hold") {
        t = cur.endsAt;
        const rep = this.repairMinutes(cur.asset, t);
        committed += rep; t = this.weather.finishWork(this.net.x[cur.asset], this.net.y[cur.asset], t, rep).endsAt;
      } else {
        committed += cur.endsAt - t;
        t = cur.endsAt;
      }
      x = this.net.x[cur.asset]; y = this.net.y[cur.asset];
    }
    const queued = c.queue.map((r) => this.net.index(r.assetId)!).filter((a) => !without.has(a));
    const busyUntil = t, busyX = x, busyY = y;
    const assets = [...queued, ...extra];
    assets.forEach((a, k) => {
      const travel = this.travelMinutes(x, y, a, c.speedKmh, t);
      const arrival = t + travel;
      const start = this.weather.workResumesAt(this.net.x[a], this.net.y[a], arrival);
      const repair = this.repairMinutes(a, start);
      committed += travel + repair;
      t = this.weather.finishWork(this.net.x[a], this.net.y[a], start, repair).endsAt;
      x = this.net.x[a]; y = this.net.y[a];
      if (k >= queued.length) jobs.push({ asset: a, arrivalAt: arrival, completionAt: t, travel, repair });
    });
    return { freeAt: t, x, y, committedMin: committed, jobs, busyUntil, busyX, busyY };
  }

  private crewCanTake(c: CrewState, assets: number[], without: ReadonlySet<number> = new Set()): boolean {
    return this.crewTimeline(c, assets, without).committedMin <= c.capacityLeftMin + 1e-9;
  }

  /** Estimates for sending each crew to each asset after the work it already has. */
  estimateJobs(pairs: { crewId: string; assetId: string }[]): CrewEstimate[] {
    return pairs.map(({ crewId, assetId }): CrewEstimate => {
      const c = this.crewById.get(crewId);
      const a = this.net.index(assetId);
      if (!c) return { crewId, assetId, error: `unknown crew "${crewId}"` };
      if (a === undefined) return { crewId, assetId, error: `unknown asset "${assetId}"` };
      const job = this.crewTimeline(c, [a]).jobs[0];
      const w = this.weather.at(this.net.x[a], this.net.y[a], job.arrivalAt);
      const skill = c.skills.has(this.net.networkOf(a)) ? {} : { error: `crew ${crewId} cannot repair ${this.net.networkOf(a)} assets` };
      return {
        crewId, assetId, travelMinutes: round2(job.travel), repairMinutes: round2(job.repair),
        arrivalAt: round2(job.arrivalAt), completionAt: round2(job.completionAt), weather: w.condition, ...skill,
      };
    });
  }

  /** Repair minutes for an asset if work started now (base time by type × weather). */
  repairMinutesFor(assetId: string): number {
    const a = this.net.index(assetId);
    if (a === undefined) throw new Error(`unknown asset "${assetId}"`);
    return this.repairMinutes(a, this.clock);
  }

  weatherAt(x: number, y: number, label: string): WeatherReport {
    const w = this.weather.at(x, y, this.clock);
    return { location: label, x, y, condition: w.condition, travelFactor: w.travelFactor, repairFactor: w.repairFactor, stopsWork: w.stopsWork, changesAt: w.changesAt };
  }

  assetLocation(id: string): { x: number; y: number } | undefined {
    const a = this.net.index(id);
    return a === undefined ? undefined : { x: this.net.x[a], y: this.net.y[a] };
  }

  // ---------------------------------------------------------------- dispatch

  /** Every reason the plan cannot be applied now; empty when it can. */
  validatePlan(plan: DispatchPlan): PlanValidation {
    const errors: string[] = [];
    const net = this.net;
    const seen = new Set<string>();
    const crewsSeen = new Set<string>();
    // Queued work the plan moves (reassign) no longer counts against its old crew's capacity.
    const moving = new Set<number>();
    if (plan.reassign) {
      for (const a of plan.assignments ?? []) for (const id of a.assetIds ?? []) {
        const i = net.index(id);
        if (i !== undefined && this.activeByAsset.get(i)?.status === "queued") moving.add(i);
      }
    }
    if (!plan.assignments || plan.assignments.length === 0 || plan.assignments.every((a) => a.assetIds.length === 0)) {
      errors.push("the plan assigns nothing: give at least one crew at least one damaged asset");
    }
    for (const { crewId, assetIds } of plan.assignments ?? []) {
      const crew = this.crewById.get(crewId);
      if (!crew) errors.push(`unknown crew "${crewId}"`);
      if (crewsSeen.has(crewId)) errors.push(`crew ${crewId} appears twice in the plan: give each crew one ordered list`);
      crewsSeen.add(crewId);
      const ok: number[] = [];
      for (const id of assetIds) {
        const a = net.index(id);
        if (a === undefined) { errors.push(`unknown asset "${id}"`); continue; }
        if (seen.has(id)) { errors.push(`asset ${id} is assigned twice in the plan`); continue; }
        seen.add(id);
        if (!this.service.damaged[a]) {
          if (a < net.nodeCount && !this.service.inService[a]) {
            const roots = this.rootCauses(a, this.feedPathLabels()).map((r) => net.assetIds[r]);
            errors.push(`asset ${id} is only out of service, not damaged: it needs no crew and comes back when ${roots.join(", ") || "its root cause"} is repaired`);
          } else errors.push(`asset ${id} is not damaged`);
          continue;
        }
        const active = this.activeByAsset.get(a);
        if (active) {
          const movable = plan.reassign && active.status === "queued";
          if (!movable) {
            errors.push(plan.reassign
              ? `asset ${id} is already ${active.status} by crew ${active.crewId}: only queued work can be reassigned`
              : `asset ${id} is already assigned to crew ${active.crewId} (${active.status}); set reassign to move queued work`);
            continue;
          }
        }
        if (!crew) continue;
        if (!crew.skills.has(net.networkOf(a))) { errors.push(`crew ${crewId} cannot repair ${net.networkOf(a)} assets (skills: ${[...crew.skills].join(", ")}): ${id}`); continue; }
        ok.push(a);
      }
      if (crew && ok.length > 0 && !this.crewCanTake(crew, ok, moving)) {
        const tl = this.crewTimeline(crew, ok, moving);
        errors.push(`crew ${crewId} lacks capacity: the work needs ${round2(tl.committedMin / 60)} h, it has ${round2(crew.capacityLeftMin / 60)} h left`);
      }
    }
    return { valid: errors.length === 0, errors };
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
        entries.push({ dispatchId: this.dispatchIdFor(crewId, assetId), crewId, assetId, at: this.clock, ...(plan.reassign ? { reassign: true } : {}) });
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
      const record: DispatchRecord = { dispatchId: e.dispatchId, crewId: e.crewId, assetId: e.assetId, assignedAt: e.at, status: "queued" };
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
    const net = this.net;
    const state = (a: number) =>
      this.service.damaged[a] ? "damaged"
        : a < net.nodeCount && !this.service.inService[a] ? "out_of_service"
          : this.everDamaged[a] ? "restored" : "working";
    const features: GeoJsonFeature[] = [];
    for (let i = 0; i < net.nodeCount; i++) {
      features.push({ type: "Feature", geometry: { type: "Point", coordinates: [net.x[i], net.y[i]] },
        properties: { id: net.assetIds[i], kind: "node", network: net.networkOf(i), type: net.assetType[i], state: state(i), population: net.population[i], criticality: net.criticality[i] } });
    }
    for (let j = 0; j < net.linkCount; j++) {
      const a = net.nodeCount + j, f = net.linkFrom[j], t = net.linkTo[j];
      const linkState = this.service.damaged[a] ? "damaged"
        : !this.service.inService[f] || !this.service.inService[t] ? "out_of_service"
          : this.everDamaged[a] ? "restored" : "working";
      features.push({ type: "Feature", geometry: { type: "LineString", coordinates: [[net.x[f], net.y[f]], [net.x[t], net.y[t]]] },
        properties: { id: net.assetIds[a], kind: "link", network: net.networkOf(a), type: net.assetType[a], state: linkState, lengthKm: round2(net.linkLengthKm[j]) } });
    }
    for (const c of this.crews) {
      features.push({ type: "Feature", geometry: { type: "Point", coordinates: [c.x, c.y] },
        properties: { id: c.id, kind: "crew", status: c.current ? c.current.phase : "idle", asset: c.current?.record.assetId ?? null, queue: c.queue.map((r) => r.assetId) } });
    }
    return { type: "FeatureCollection", properties: { scenario: this.scenario.name, minute: this.clock, coordinates: this.scenario.coordinates }, features };
  }
}

/** Up to this many assets asked at once, every repair-alone figure is simulated. */
const EXACT_RESTORE_LIMIT = 300;

export class PlanRejected extends Error {
  constructor(readonly errors: string[]) {
    super(`plan rejected: ${errors.join("; ")}`);
    this.name = "PlanRejected";
  }
}

export interface GeoJsonFeature {
  type: "Feature";
  geometry: { type: "Point"; coordinates: number[] } | { type: "LineString"; coordinates: number[][] };
  properties: Record<string, unknown>;
}
export interface GeoJsonFeatureCollection {
  type: "FeatureCollection";
  properties: Record<string, unknown>;
  features: GeoJsonFeature[];
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

function severityOf(population: number, critical: number): Severity {
  if (critical > 0 || population >= 10_000) return "critical";
  if (population >= 1_000) return "high";
  if (population >= 100) return "medium";
  return "low";
}

/** Multi-source BFS from every supply over the whole topology, ignoring damage. */
function buildFeedTree(net: CompiledNetwork) {
  const N = net.nodeCount;
  const order = new Int32Array(N);
  const parentNode = new Int32Array(N).fill(-1);
  const parentLink = new Int32Array(N).fill(-1);
  const seen = new Uint8Array(N);
  let head = 0, tail = 0;
  for (const supplies of net.suppliesByNetwork) for (const s of supplies) { seen[s] = 1; order[tail++] = s; }
  while (head < tail) {
    const u = order[head++];
    for (let k = net.adjStart[u]; k < net.adjStart[u + 1]; k++) {
      const v = net.adjNode[k];
      if (seen[v]) continue;
      seen[v] = 1;
      parentNode[v] = u;
      parentLink[v] = net.adjLink[k];
      order[tail++] = v;
    }
  }
  // Nodes no supply can ever reach still get a label (themselves).
  for (let i = 0; i < N; i++) if (!seen[i]) order[tail++] = i;
  return { order, parentNode, parentLink };
}

/** Scheduled damage from the scenario plus storm damage drawn from the seed. */
function buildDamageSchedule(s: Scenario, net: CompiledNetwork, weather: WeatherTimeline, seed: number): ScheduledDamage[] {
  const out: ScheduledDamage[] = s.damage.map((d) => ({ asset: net.index(d.asset)!, at: d.atMinutes, cause: d.atMinutes > 0 ? "damage reported" : "initial damage" }));
  const random = mulberry32(seed ^ 0x5eed);
  for (const p of s.weather) {
    if (!p.damageRatePerHour) continue;
    const count = poisson(random, (p.damageRatePerHour * (p.toMinutes - p.fromMinutes)) / 60);
    if (count === 0) continue;
    const candidates: number[] = [];
    for (let a = 0; a < net.assetCount; a++) {
      if (a < net.nodeCount && net.role[a] === 0) continue; // plants and gate stations are hardened
      if (weather.covers(p, net.x[a], net.y[a])) candidates.push(a);
    }
    for (let k = 0; k < count && candidates.length > 0; k++) {
      const at = Math.round(p.fromMinutes + random() * (p.toMinutes - p.fromMinutes));
      out.push({ asset: candidates[Math.floor(random() * candidates.length)], at, cause: `${p.condition} damage` });
    }
  }
  return out.sort((a, b) => a.at - b.at || a.asset - b.asset);
}
