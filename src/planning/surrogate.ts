/**
 * The surrogate evaluator: the cost of a plan (crews' ordered lists) without simulating crews.
 *
 * 1. Each crew's jobs are timed with the world's own estimate (travel with the forecast, a
 *    lightning hold on arrival, repair slowed by weather, capacity): `World.estimateJobFrom`,
 *    the rule the simulator itself applies when no new damage comes.
 * 2. The completions, and the backups (generators, tanks) running out, are replayed in time
 *    order through the world's own service fixed point (`ServiceState`), which handles meshes,
 *    mutual dependencies (power and telecom) and joint restoration exactly.
 * 3. Weighted population out is integrated between events up to a fixed horizon: the same
 *    weighted customer-minutes `evaluatePlan` measures by simulation.
 *
 * What makes thousands of evaluations affordable: the service state after a set of repairs and
 * expired backups does not depend on the order they came in, so values are cached by that set
 * (a Zobrist hash, updated in O(1) per event). A move in the search changes a few crews' lists:
 * their timings are recomputed (others are cached by list identity), and the replay only pays a
 * service update where the set of repairs done by some minute is one it has not seen.
 *
 * Backups: those running now, and those a state of the replay starts (a dependee lost because
 * another backup ran out: chains, common on real interdependent networks), each run out at its
 * minute unless its dependee came back first; expired backups are part of the cache key.
 * Approximation: crews' current jobs end at the minute the crew summary gives (0.01 min).
 * Size: about 430 lines once formatted: the replay is one hot loop (events, cache, backups) kept
 *   in one function so that it allocates nothing per event; its cache is in state-cache.ts.
 */
import { SURROGATE_CACHE_ENTRIES } from "../limits.js";
import { mulberry32 } from "../world/prng.js";
import type { ServiceState } from "../world/service.js";
import type { World } from "../world/simulator.js";
import { StateCache } from "./state-cache.js";
import { truncate } from "../world/truncate.js";

/** A crew as the planner sees it: where and when its plannable work starts, and what it may still do. */
export interface CrewStart {
  crewId: string;
  skills: Set<string>;
  x: number;
  y: number;
  t: number;
  capacityMin: number;
}

export interface JobTiming {
  /** Completion minute of each job in the list's order. */
  completion: Float64Array;
  arrival: Float64Array;
  /** Minutes of travel + repair the list uses (capacity). */
  workMin: number;
  feasible: boolean;
}

interface Value {
  weighted: number;
  population: number;
  critical: Int32Array | null;
  running: Int32Array;
}

export interface SurrogateDetail {
  weighted: number;
  population: number;
  /** Critical facilities in service now that some event of the plan leaves out of service. */
  criticalLost: number[];
}

/** What a surrogate's evaluations cost: evaluations, service updates paid, nodes they visited. */
export interface SurrogateSpent {
  evaluations: number;
  updates: number;
  work: number;
}

export function spentBy(sur: Surrogate): SurrogateSpent {
  return { evaluations: sur.evaluations, updates: sur.updates, work: sur.work };
}

export class Surrogate {
  /** Service updates paid (cache misses). */
  updates = 0;
  /** Nodes visited by those updates: the unit of the search's work budget. */
  get work(): number {
    return this.working?.visits ?? 0;
  }
  private working: ServiceState | null = null;
  evaluations = 0;
  private readonly base: ServiceState;
  private readonly baseOut: Value;
  private readonly z1: Uint32Array;
  private readonly z2: Uint32Array;
  private readonly dz1: Uint32Array;
  private readonly dz2: Uint32Array;
  private readonly baseRunning: Map<number, number>;
  private readonly baseExpiries: { at: number; d: number }[];
  private readonly cache = new StateCache(SURROGATE_CACHE_ENTRIES);
  private readonly timings = new WeakMap<readonly number[], JobTiming>();
  private readonly fixed: { asset: number; at: number }[];
  private readonly fixedStream: { at: Float64Array; what: Int32Array };
  private readonly criticalInService: number[];
  private readonly assetNetwork: Int32Array;
  private readonly networkName: string[];
  /** Scratch of the replay's backups: expiry minute by dependency (NaN: not running), the running ones and where. */
  private readonly runAt: Float64Array;
  private readonly runList: Int32Array;
  private readonly runPos: Int32Array;
  private readonly inV: Int32Array;
  private vStamp = 0;
  /** Work (ServiceState.visits) past which a replay gives up (evaluateWithin). */
  private workLimit = Infinity;
  /** Replays `evaluateBelow` stopped early, their plan unable to come in under the bound. */
  cutShort = 0;
  /** The last floor computed (see `floorOf`): the set of repairs it is for, by hash, and its weighted population out. */
  private floorKey1 = 0;
  private floorKey2 = 0;
  private floorValue = Number.NaN;

  /**
   * @param starts crews, after the work the plan does not touch (current jobs, queued or pinned work kept)
   * @param fixed completions of that work, which the replay must count too
   */
  constructor(
    readonly world: World,
    readonly starts: CrewStart[],
    fixed: { asset: number; at: number }[],
    readonly horizon: number,
  ) {
    const net = world.net;
    this.base = world.serviceSnapshot();
    const out = this.base.populationOut();
    this.criticalInService = [...net.criticalNodes].filter((c) => this.base.inService[c]);
    this.baseOut = {
      weighted: out.weighted,
      population: out.population,
      critical: new Int32Array(0),
      running: Int32Array.from(this.base.buffersRunning().map((b) => b.dependency)),
    };
    const rand = mulberry32(0x5eed ^ net.assetCount);
    this.z1 = new Uint32Array(net.assetCount);
    this.z2 = new Uint32Array(net.assetCount);
    for (let i = 0; i < net.assetCount; i++) {
      this.z1[i] = (rand() * 2 ** 32) >>> 0;
      this.z2[i] = (rand() * 2 ** 32) >>> 0;
    }
    const D = net.depDependee.length;
    this.dz1 = new Uint32Array(D);
    this.dz2 = new Uint32Array(D);
    this.runAt = new Float64Array(D);
    this.runList = new Int32Array(D);
    this.runPos = new Int32Array(D);
    this.inV = new Int32Array(D);
    for (let d = 0; d < D; d++) {
      this.dz1[d] = (rand() * 2 ** 32) >>> 0;
      this.dz2[d] = (rand() * 2 ** 32) >>> 0;
    }
    this.baseRunning = new Map(this.base.buffersRunning().map((b) => [b.dependency, b.expiresAt]));
    this.baseExpiries = [...this.baseRunning].map(([d, at]) => ({ at, d })).sort((a, b) => a.at - b.at || a.d - b.d);
    const kept = fixed.filter((f) => this.base.damaged[f.asset]).sort((a, b) => a.at - b.at || a.asset - b.asset);
    this.fixed = kept;
    this.fixedStream = {
      at: Float64Array.from(kept.map((f) => f.at)),
      what: Int32Array.from(kept.map((f) => f.asset)),
    };
    this.assetNetwork = net.assetNetwork;
    this.networkName = net.networks;
  }

  /** The world's minute: where integration starts. */
  get now(): number {
    return this.world.now();
  }

  canDo(crew: number, asset: number): boolean {
    return this.starts[crew].skills.has(this.networkName[this.assetNetwork[asset]]);
  }

  /** Timing of one crew's list (cached by the list's identity: the search never mutates a list it evaluated). */
  timing(crew: number, list: readonly number[]): JobTiming {
    const hit = this.timings.get(list);
    if (hit) return hit;
    const s = this.starts[crew];
    const net = this.world.net;
    const completion = new Float64Array(list.length);
    const arrival = new Float64Array(list.length);
    let x = s.x,
      y = s.y,
      t = s.t,
      work = 0,
      feasible = true;
    for (let k = 0; k < list.length; k++) {
      const a = list[k];
      if (!s.skills.has(net.networkOf(a))) feasible = false;
      const est = this.world.estimateJobFrom(s.crewId, x, y, t, net.assetIds[a]);
      work += est.travel + est.repair;
      t = est.completionAt;
      x = net.x[a];
      y = net.y[a];
      completion[k] = t;
      arrival[k] = est.arrivalAt;
    }
    if (work > s.capacityMin + 1e-9) feasible = false;
    const timing = { completion, arrival, workMin: work, feasible };
    this.timings.set(list, timing);
    return timing;
  }

  /** Weighted customer-minutes from now to the horizon of the plan; Infinity when a list is infeasible. */
  evaluate(lists: readonly (readonly number[])[]): number {
    this.evaluations++;
    return this.replay(lists, false)?.weighted ?? Infinity;
  }

  /**
   * As `evaluate`, but given up (Infinity) once the service updates have visited `maxWork` more
   * nodes: for judging a few plans where one replay may not be affordable (counted, so deterministic).
   */
  evaluateWithin(lists: readonly (readonly number[])[], maxWork: number): number {
    this.evaluations++;
    this.workLimit = this.work + maxWork;
    try {
      return this.replay(lists, false)?.weighted ?? Infinity;
    } finally {
      this.workLimit = Infinity;
    }
  }

  /**
   * As `evaluate` when the plan costs less than `bound`; otherwise a value of at least `bound`
   * (a lower bound of its cost, or Infinity when infeasible), the replay stopped as soon as the
   * plan cannot come in under it. A search that only takes plans better than one it holds loses
   * nothing: the same plans are taken, most rejected ones cost a part of a replay.
   *
   * The bound: weighted population out never falls below the floor, its value with every repair
   * of the plan done and no backup run out (service only grows with repairs and only shrinks as
   * backups run out), so by minute t a plan has cost at least what it has so far plus the floor
   * until the horizon.
   */
  evaluateBelow(lists: readonly (readonly number[])[], bound: number): number {
    this.evaluations++;
    return this.replay(lists, false, bound)?.weighted ?? Infinity;
  }

  /** The same replay, with customer-minutes and critical facilities lost (for the expected effect). */
  detail(lists: readonly (readonly number[])[]): SurrogateDetail | null {
    return this.replay(lists, true);
  }

  /**
   * Weighted population out with the `n` repairs of `what` done and no backup run out: the least
   * any state of a replay of them can have. Computed once per set of repairs (the search permutes
   * one set), by its hash `h1`, `h2`.
   */
  private floorOf(what: Int32Array, n: number, h1: number, h2: number): number {
    if (h1 === this.floorKey1 && h2 === this.floorKey2 && !Number.isNaN(this.floorValue)) return this.floorValue;
    if (!this.working) this.working = this.base.clone();
    const working = this.working;
    working.copyFrom(this.base);
    const dirty = new Set<number>();
    for (let k = 0; k < n; k++) dirty.add(working.setDamaged(what[k], false));
    working.update(this.now, dirty);
    this.updates++;
    this.floorKey1 = h1;
    this.floorKey2 = h2;
    this.floorValue = working.weightedOut();
    return this.floorValue;
  }

  private replay(lists: readonly (readonly number[])[], full: boolean, bound = Infinity): SurrogateDetail | null {
    // Completions (fixed and planned), merged from streams each already in time order.
    let n = this.fixed.length;
    const timings: JobTiming[] = [];
    for (let c = 0; c < lists.length; c++) {
      const tm = this.timing(c, lists[c]);
      if (!tm.feasible) return null;
      timings.push(tm);
      n += lists[c].length;
    }
    const streams: { at: ArrayLike<number>; what: ArrayLike<number> }[] = [this.fixedStream];
    for (let c = 0; c < lists.length; c++)
      if (lists[c].length > 0) streams.push({ at: timings[c].completion, what: lists[c] });
    const at = new Float64Array(n);
    const what = new Int32Array(n);
    if (streams.length > 12) {
      // Many crews: one sort beats scanning every stream's head at each event.
      const order = new Int32Array(n),
        ta = new Float64Array(n),
        tw = new Int32Array(n);
      let k = 0;
      for (const st of streams)
        for (let j = 0; j < st.at.length; j++) {
          ta[k] = st.at[j];
          tw[k] = st.what[j];
          order[k] = k;
          k++;
        }
      order.sort((p, q) => ta[p] - ta[q] || tw[p] - tw[q]);
      for (let j = 0; j < n; j++) {
        at[j] = ta[order[j]];
        what[j] = tw[order[j]];
      }
    } else {
      const pos = new Int32Array(streams.length);
      for (let k = 0; k < n; k++) {
        let best = -1,
          bt = Infinity,
          bw = 0;
        for (let s = 0; s < streams.length; s++) {
          const p = pos[s];
          if (p >= streams[s].at.length) continue;
          const t = streams[s].at[p],
            w = streams[s].what[p];
          if (t < bt || (t === bt && w < bw)) {
            best = s;
            bt = t;
            bw = w;
          }
        }
        at[k] = bt;
        what[k] = bw;
        pos[best]++;
      }
    }
    const net = this.world.net;
    const bufferMinutes = net.depBufferMinutes;
    const now = this.now,
      horizon = this.horizon;
    // A bounded replay stops where what it has cost, plus the floor to the horizon, passes the
    // bound (by a margin far above the rounding of the sums, so that a plan under it is never cut).
    let floor = 0;
    const cutAt = bound + 1e-9 * Math.abs(bound);
    if (Number.isFinite(bound)) {
      let f1 = 0,
        f2 = 0;
      for (let k = 0; k < n; k++) {
        f1 ^= this.z1[what[k]];
        f2 ^= this.z2[what[k]];
      }
      floor = this.floorOf(what, n, f1, f2);
    }
    let h1 = 0,
      h2 = 0,
      prevT = now;
    // The state now: weighted population and population out, backups it runs.
    let curW = this.baseOut.weighted,
      curP = this.baseOut.population;
    let curRunning = this.baseOut.running;
    /** The running list the backups below were last matched to, and whether one ran out since. */
    let entered: Int32Array | null = null;
    let expiredSince = false;
    let weighted = 0,
      population = 0;
    let fresh = false;
    const pending: number[] = [];
    const dirty = new Set<number>();
    const lost = full ? new Set<number>() : null;
    // Backups running, and the minute each runs out (NaN: not running): those running now, and
    // those a state of the replay starts (a dependee lost because another backup ran out), as
    // the simulator has them. `runList` holds the running ones (unordered), `runPos` where.
    const runAt = this.runAt,
      runList = this.runList,
      runPos = this.runPos,
      inV = this.inV;
    runAt.fill(NaN);
    let runCount = 0;
    for (const [d, e] of this.baseRunning) {
      runAt[d] = e;
      runPos[d] = runCount;
      runList[runCount++] = d;
    }
    // Expiries in time order (then by dependency); stale ones (runAt changed) are skipped.
    const qAt: number[] = [],
      qD: number[] = [];
    for (const x of this.baseExpiries) {
      qAt.push(x.at);
      qD.push(x.d);
    }
    const expired: number[] = [];
    let i = 0,
      q = 0;
    while (i < n || q < qAt.length) {
      const ts = i < n ? Math.max(at[i], now) : Infinity;
      const tq = q < qAt.length ? Math.max(qAt[q], now) : Infinity;
      const t = Math.min(ts, tq);
      if (t > horizon) break;
      weighted += curW * (t - prevT);
      population += curP * (t - prevT);
      prevT = t;
      if (weighted + floor * (horizon - t) > cutAt) {
        this.cutShort++;
        return { weighted: weighted + floor * (horizon - t), population, criticalLost: [] };
      }
      // Every event of this minute, then one service state (the simulator does the same).
      let changed = false;
      while (q < qAt.length && Math.max(qAt[q], now) === t) {
        const e = qAt[q],
          d = qD[q];
        q++;
        if (runAt[d] !== e) continue; // its dependee came back first
        runAt[d] = NaN;
        const last = runList[--runCount];
        runList[runPos[d]] = last;
        runPos[last] = runPos[d];
        h1 ^= this.dz1[d];
        h2 ^= this.dz2[d];
        dirty.add(net.assetNetwork[net.depDependee[d]]);
        expired.push(d, e);
        expiredSince = true;
        changed = true;
      }
      while (i < n && Math.max(at[i], now) === t) {
        const w = what[i++];
        h1 ^= this.z1[w];
        h2 ^= this.z2[w];
        pending.push(w);
        changed = true;
      }
      if (!changed) continue;
      let v = this.cache.find(h1, h2);
      if (v < 0 || (full && this.cache.critical[v] === null)) {
        if (!this.working) this.working = this.base.clone();
        const working = this.working;
        if (!fresh) {
          working.copyFrom(this.base);
          fresh = true;
        }
        // The minute each backup started, as this replay has it (the working state may have
        // skipped the states in between, found in the cache).
        for (let k = 0; k < runCount; k++) {
          const d = runList[k];
          working.setLostSince(d, runAt[d] - bufferMinutes[d]);
        }
        for (let k = 0; k < expired.length; k += 2)
          working.setLostSince(expired[k], expired[k + 1] - bufferMinutes[expired[k]]);
        truncate(expired);
        for (const a of pending) dirty.add(working.setDamaged(a, false));
        truncate(pending);
        working.update(t, dirty);
        dirty.clear();
        this.updates++;
        if (working.visits > this.workLimit) return null;
        // The backups it runs: most states run the same as the one before, whose list is shared.
        const br = working.buffersRunning();
        let runningNow = curRunning;
        let same = br.length === curRunning.length;
        for (let k = 0; same && k < br.length; k++) same = br[k].dependency === curRunning[k];
        if (!same) {
          runningNow = new Int32Array(br.length);
          for (let k = 0; k < br.length; k++) runningNow[k] = br[k].dependency;
        }
        let critical: Int32Array | null = null;
        if (full) {
          const out: number[] = [];
          for (const c of this.criticalInService) if (!working.inService[c]) out.push(c);
          critical = Int32Array.from(out);
        }
        const w = working.weightedOut(),
          p = working.populationOutTotal();
        if (v >= 0 && this.cache.size < this.cache.capacity) {
          // Known, without its critical facilities: completed in place.
          this.cache.critical[v] = critical;
        } else {
          if (v >= 0) this.cache.clear();
          v = this.cache.add(h1, h2, w, p, runningNow, critical);
        }
      }
      const crit = this.cache.critical[v];
      if (lost && crit) for (const c of crit) lost.add(c);
      curW = this.cache.weighted[v];
      curP = this.cache.population[v];
      const vr = this.cache.running[v];
      curRunning = vr;
      // Backups this state runs start now unless already running; those it does not run stop.
      // Nothing to do when they are those of the list last matched and none ran out since.
      if (vr === entered && !expiredSince) continue;
      entered = vr;
      expiredSince = false;
      for (let k = 0; k < vr.length; k++) {
        const d = vr[k];
        if (!Number.isNaN(runAt[d])) continue; // running already
        const e = t + bufferMinutes[d];
        runAt[d] = e;
        runPos[d] = runCount;
        runList[runCount++] = d;
        let j = qAt.length;
        qAt.push(e);
        qD.push(d);
        while (j > q && (qAt[j - 1] > e || (qAt[j - 1] === e && qD[j - 1] > d))) {
          qAt[j] = qAt[j - 1];
          qD[j] = qD[j - 1];
          j--;
        }
        qAt[j] = e;
        qD[j] = d;
      }
      if (runCount > vr.length) {
        const stamp = ++this.vStamp;
        for (let k = 0; k < vr.length; k++) inV[vr[k]] = stamp;
        for (let k = 0; k < runCount; ) {
          const d = runList[k];
          if (inV[d] === stamp) {
            k++;
            continue;
          }
          runAt[d] = NaN;
          const last = runList[--runCount];
          runList[k] = last;
          runPos[last] = k;
        }
      }
    }
    if (horizon > prevT) {
      weighted += curW * (horizon - prevT);
      population += curP * (horizon - prevT);
    }
    return { weighted, population, criticalLost: lost ? [...lost].sort((a, b) => a - b) : [] };
  }
}
