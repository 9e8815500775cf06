/**
 * The improvement phase: an iterated local search over the crews' ordered lists, every
 * candidate judged by the surrogate (src/planning/surrogate.ts).
 *
 * Moves: relocate one job (to another crew or another place in its own list), swap two jobs,
 * or-opt (move a run of 2 or 3 consecutive jobs), and ruin and recreate (remove k related jobs,
 * close in time or place, and reinsert each at the best of a few positions per crew). Acceptance
 * is record-to-record: a ruin-and-recreate result up to a threshold worse than the best is kept
 * as the new current plan, the threshold shrinking to zero as the budget is used (after Dueck's
 * record-to-record travel and the ruin-and-recreate of Schrimpf et al.). Deterministic: a seeded
 * PRNG and a budget in counted work (evaluations, service updates), never in wall time, except
 * a safety cap that is reported when it fires.
 */
import { performance } from "node:perf_hooks";
import { mulberry32 } from "../world/prng.js";
import type { Surrogate } from "./surrogate.js";

export type Lists = readonly (readonly number[])[];

export interface SearchBudget {
  evaluations: number;
  /** Nodes visited by service updates (ServiceState.visits). */
  serviceWork: number;
  wallClockMs: number;
}

export interface SearchResult {
  lists: Lists;
  cost: number;
  evaluations: number;
  updates: number;
  improvements: number;
  exhausted: "evaluations" | "work" | "time" | "converged";
}

export function improve(sur: Surrogate, start: Lists, budget: SearchBudget, seed: number): SearchResult {
  const rand = mulberry32(seed);
  const crews = start.length;
  const evalStart = sur.evaluations,
    updStart = sur.updates,
    workStart = sur.work;
  const deadline = performance.now() + budget.wallClockMs;
  let exhausted: SearchResult["exhausted"] = "converged";
  const spent = () => sur.evaluations - evalStart;
  const out = (): boolean => {
    if (spent() >= budget.evaluations) {
      exhausted = "evaluations";
      return true;
    }
    if (sur.work - workStart >= budget.serviceWork) {
      exhausted = "work";
      return true;
    }
    if ((spent() & 15) === 0 && performance.now() > deadline) {
      exhausted = "time";
      return true;
    }
    return false;
  };
  const total = start.reduce((n, l) => n + l.length, 0);
  let cur: Lists = start.map((l) => l.slice());
  let curCost = sur.evaluate(cur);
  let best = cur,
    bestCost = curCost,
    improvements = 0;
  if (total < 2 || !Number.isFinite(curCost))
    return {
      lists: best,
      cost: bestCost,
      evaluations: spent(),
      updates: sur.updates - updStart,
      improvements,
      exhausted,
    };
  const pick = (n: number) => Math.floor(rand() * n);
  const nonEmpty = (l: Lists) => {
    const c: number[] = [];
    l.forEach((x, i) => {
      if (x.length > 0) c.push(i);
    });
    return c;
  };
  const replace = (l: Lists, changes: [number, number[]][]): Lists => {
    const next = l.slice();
    for (const [c, v] of changes) next[c] = v;
    return next;
  };

  /** One random neighbour of `l` (relocate, swap or or-opt), or null when the draw is not feasible. */
  const neighbour = (l: Lists): Lists | null => {
    const from = nonEmpty(l);
    const A = from[pick(from.length)];
    const la = l[A];
    const i = pick(la.length);
    const B = pick(crews);
    const lb = l[B];
    const r = rand();
    if (r < 0.45) {
      // relocate
      if (!sur.canDo(B, la[i])) return null;
      if (A === B) {
        const s = la.slice();
        const [x] = s.splice(i, 1);
        const j = pick(s.length + 1);
        if (j === i) return null;
        s.splice(j, 0, x);
        return replace(l, [[A, s]]);
      }
      const sa = la.slice();
      const [x] = sa.splice(i, 1);
      const sb = lb.slice();
      sb.splice(pick(sb.length + 1), 0, x);
      return replace(l, [
        [A, sa],
        [B, sb],
      ]);
    }
    if (r < 0.85) {
      // swap
      if (lb.length === 0) return null;
      const j = pick(lb.length);
      if (A === B) {
        if (i === j) return null;
        const s = la.slice();
        [s[i], s[j]] = [s[j], s[i]];
        return replace(l, [[A, s]]);
      }
      if (!sur.canDo(B, la[i]) || !sur.canDo(A, lb[j])) return null;
      const sa = la.slice(),
        sb = lb.slice();
      [sa[i], sb[j]] = [sb[j], sa[i]];
      return replace(l, [
        [A, sa],
        [B, sb],
      ]);
    }
    // or-opt: a run of 2-3 jobs moved elsewhere
    const len = 2 + pick(2);
    if (i + len > la.length) return null;
    const seg = la.slice(i, i + len);
    if (!seg.every((x) => sur.canDo(B, x))) return null;
    const sa = la.slice();
    sa.splice(i, len);
    if (A === B) {
      sa.splice(pick(sa.length + 1), 0, ...seg);
      return replace(l, [[A, sa]]);
    }
    const sb = lb.slice();
    sb.splice(pick(sb.length + 1), 0, ...seg);
    return replace(l, [
      [A, sa],
      [B, sb],
    ]);
  };

  /** Remove k related jobs (nearest in completion time to a random one) and reinsert each greedily. */
  const ruinRecreate = (l: Lists): { lists: Lists; cost: number } | null => {
    const jobs: { crew: number; pos: number; asset: number; at: number }[] = [];
    l.forEach((list, c) => {
      const t = sur.timing(c, list);
      for (const [p, a] of list.entries()) jobs.push({ crew: c, pos: p, asset: a, at: t.completion[p] });
    });
    const seedJob = jobs[pick(jobs.length)];
    const net = sur.world.net;
    const byTime = rand() < 0.5;
    const key = (j: typeof seedJob) =>
      byTime
        ? Math.abs(j.at - seedJob.at)
        : net.distanceKm(net.x[j.asset], net.y[j.asset], net.x[seedJob.asset], net.y[seedJob.asset]);
    const k = Math.min(jobs.length, 2 + pick(Math.min(6, Math.max(1, Math.floor(jobs.length / 4)))));
    const removed = [...jobs].sort((p, q) => key(p) - key(q) || p.asset - q.asset).slice(0, k);
    const gone = new Set(removed.map((j) => j.asset));
    let lists: Lists = l.map((list) => list.filter((a) => !gone.has(a)));
    let cost = Infinity;
    for (let a = removed.length - 1; a > 0; a--) {
      const b = pick(a + 1);
      [removed[a], removed[b]] = [removed[b], removed[a]];
    }
    for (const j of removed) {
      let bestHere: { lists: Lists; cost: number } | null = null;
      for (let c = 0; c < crews; c++) {
        if (!sur.canDo(c, j.asset)) continue;
        const list = lists[c];
        for (const p of insertionPositions(list.length, c === j.crew ? j.pos : -1, rand)) {
          if (out()) break;
          const s = list.slice();
          s.splice(p, 0, j.asset);
          const cand = replace(lists, [[c, s]]);
          const v: number = bestHere ? sur.evaluateBelow(cand, bestHere.cost) : sur.evaluate(cand);
          if (!bestHere || v < bestHere.cost) bestHere = { lists: cand, cost: v };
        }
      }
      if (!bestHere || !Number.isFinite(bestHere.cost)) return null;
      lists = bestHere.lists;
      cost = bestHere.cost;
    }
    return { lists, cost };
  };

  // Descent by random neighbours; when it stalls, ruin and recreate from the current plan.
  let stall = 0;
  const stallLimit = Math.max(30, Math.min(400, 4 * total));
  let misses = 0;
  while (!out()) {
    const cand = neighbour(cur);
    if (!cand) {
      if (++misses > 2_000) break;
      continue;
    }
    misses = 0;
    const v = sur.evaluateBelow(cand, curCost - 1e-6);
    if (v < curCost - 1e-6) {
      cur = cand;
      curCost = v;
      stall = 0;
    } else stall++;
    if (curCost < bestCost - 1e-6) {
      best = cur;
      bestCost = curCost;
      improvements++;
    }
    if (stall >= stallLimit) {
      stall = 0;
      const rr = ruinRecreate(cur);
      if (!rr) continue;
      const used = Math.min(1, spent() / Math.max(1, budget.evaluations));
      const threshold = 0.01 * (1 - used);
      if (rr.cost < bestCost * (1 + threshold)) {
        cur = rr.lists;
        curCost = rr.cost;
      } else {
        cur = best;
        curCost = bestCost;
      }
      if (curCost < bestCost - 1e-6) {
        best = cur;
        bestCost = curCost;
        improvements++;
      }
    }
  }
  return {
    lists: best,
    cost: bestCost,
    evaluations: spent(),
    updates: sur.updates - updStart,
    improvements,
    exhausted,
  };
}

/** Up to 8 insertion positions in a list of `len`: both ends, evenly spread ones, and around `near`. */
function insertionPositions(len: number, near: number, rand: () => number): number[] {
  const out = new Set<number>([0, len]);
  const spread = Math.min(len, 4);
  for (let k = 1; k < spread; k++) out.add(Math.floor((k * len) / spread));
  if (near >= 0)
    for (const d of [-1, 0, 1]) {
      const p = near + d;
      if (p >= 0 && p <= len) out.add(p);
    }
  out.add(Math.floor(rand() * (len + 1)));
  return [...out].sort((a, b) => a - b);
}
