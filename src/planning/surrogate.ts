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
 */
import { SURROGATE_CACHE_ENTRIES } from "../limits.js";
import { mulberry32 } from "../world/prng.js";
import type { ServiceState } from "../world/service.js";
import type { World } from "../world/simulator.js";

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
  private readonly cache = new Map<number, Value>();
  private readonly timings = new WeakMap<readonly number[], JobTiming>();
  private readonly fixed: { asset: number; at: number }[];
  private readonly fixedStream: { at: Float64Array; what: Int32Array };
  private readonly criticalInService: number[];
  private readonly assetNetwork: Int32Array;
  private readonly networkName: string[];

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

  /** The same replay, with customer-minutes and critical facilities lost (for the expected effect). */
  detail(lists: readonly (readonly number[])[]): SurrogateDetail | null {
    return this.replay(lists, true);
  }

  private replay(lists: readonly (readonly number[])[], full: boolean): SurrogateDetail | null {
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
    const now = this.now,
      horizon = this.horizon;
    let h1 = 0,
      h2 = 0,
      prevT = now;
    let cur: Value = this.baseOut;
    let weighted = 0,
      population = 0;
    let fresh = false;
    const pending: number[] = [];
    const dirty = new Set<number>();
    const lost = full ? new Set<number>() : null;
    // Backups running, and the minute each runs out: those running now, and those a state of the
    // replay starts (a dependee lost because another backup ran out), as the simulator has them.
    const running = new Map<number, number>(this.baseRunning);
    const queue: { at: number; d: number }[] = this.baseExpiries.slice();
    const expired: number[] = [];
    const enter = (v: Value, t: number) => {
      for (const d of v.running) {
        if (running.has(d)) continue;
        const e = t + net.depBufferMinutes[d];
        running.set(d, e);
        let k = queue.length;
        queue.push({ at: e, d });
        while (k > q && (queue[k - 1].at > e || (queue[k - 1].at === e && queue[k - 1].d > d))) {
          queue[k] = queue[k - 1];
          k--;
        }
        queue[k] = { at: e, d };
      }
      if (running.size > v.running.length) {
        const still = new Set(v.running);
        for (const d of [...running.keys()]) if (!still.has(d)) running.delete(d);
      }
    };
    let i = 0,
      q = 0;
    while (i < n || q < queue.length) {
      const ts = i < n ? Math.max(at[i], now) : Infinity;
      const tq = q < queue.length ? Math.max(queue[q].at, now) : Infinity;
      const t = Math.min(ts, tq);
      if (t > horizon) break;
      weighted += cur.weighted * (t - prevT);
      population += cur.population * (t - prevT);
      prevT = t;
      // Every event of this minute, then one service state (the simulator does the same).
      let changed = false;
      while (q < queue.length && Math.max(queue[q].at, now) === t) {
        const { at: e, d } = queue[q++];
        if (running.get(d) !== e) continue; // its dependee came back first
        running.delete(d);
        h1 ^= this.dz1[d];
        h2 ^= this.dz2[d];
        dirty.add(net.assetNetwork[net.depDependee[d]]);
        expired.push(d, e);
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
      const key = (h1 >>> 0) * 2097152 + ((h2 >>> 0) & 0x1fffff);
      let v = this.cache.get(key);
      if (v === undefined || (full && v.critical === null)) {
        if (!this.working) this.working = this.base.clone();
        const working = this.working;
        if (!fresh) {
          working.copyFrom(this.base);
          fresh = true;
        }
        // The minute each backup started, as this replay has it (the working state may have
        // skipped the states in between, found in the cache).
        for (const [d, e] of running) working.lostSince[d] = e - net.depBufferMinutes[d];
        for (let k = 0; k < expired.length; k += 2)
          working.lostSince[expired[k]] = expired[k + 1] - net.depBufferMinutes[expired[k]];
        expired.length = 0;
        for (const a of pending) dirty.add(working.setDamaged(a, false));
        pending.length = 0;
        working.update(t, dirty);
        dirty.clear();
        this.updates++;
        const o = working.populationOut();
        const ws = working;
        v = {
          weighted: o.weighted,
          population: o.population,
          critical: full ? Int32Array.from(this.criticalInService.filter((c) => !ws.inService[c])) : null,
          running: Int32Array.from(working.buffersRunning().map((b) => b.dependency)),
        };
        if (this.cache.size >= SURROGATE_CACHE_ENTRIES) this.cache.clear();
        this.cache.set(key, v);
      }
      if (lost && v.critical) for (const c of v.critical) lost.add(c);
      enter(v, t);
      cur = v;
    }
    if (horizon > prevT) {
      weighted += cur.weighted * (horizon - prevT);
      population += cur.population * (horizon - prevT);
    }
    return { weighted, population, criticalLost: lost ? [...lost].sort((a, b) => a - b) : [] };
  }
}
