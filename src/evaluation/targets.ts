/**
 * The evaluation's summary and the targets of issue 11, per planner and per case:
 * - small cases: median within 2 % of the exact optimum, worst within 10 %;
 * - cases up to about 200 damaged assets with a best-known reference: every one within 2 %
 *   of the reference, the median within 0.5 %;
 * - never worse than any baseline on any case (the ratio to the best baseline at most 1);
 * - at most 3 model calls in any planning round.
 * Reported, not asserted: `npm run eval` prints them with pass or fail.
 */
import type { BaselineName } from "../planning/baselines.js";
import type { CaseResult, PlannerRun } from "./results.js";

export const BASELINES: readonly BaselineName[] = ["detection-order", "largest-population-first", "ratio-rule"];

export function median(sorted: number[]): number {
  const m = sorted.length >> 1;
  return sorted.length % 2 ? sorted[m]! : Math.round(((sorted[m - 1]! + sorted[m]!) / 2) * 10_000) / 10_000;
}

/** "Up to 200 damaged assets": the Shelby d200 case has 210 (the union of whole Wu scenarios), and counts. */
export const TARGET_MAX_DAMAGED = 210;
export const WITHIN_BEST_KNOWN = 1.02;
export const MEDIAN_WITHIN_BEST_KNOWN = 1.005;

export interface PlannerSummary {
  planner: string;
  /** Weighted-CMI ratio to the optimum over the small cases. */
  smallMedian: number | null;
  smallWorst: number | null;
  /** Weighted-CMI ratio to the best known plan, over best-known cases up to TARGET_MAX_DAMAGED damaged assets. */
  bestKnownMedian: number | null;
  bestKnownWorst: number | null;
  /** Weighted-CMI ratio to the best baseline of the same case, worst over every case. */
  largeWorst: number | null;
}

export interface Target {
  name: string;
  value: number | null;
  limit: number;
  met: boolean;
}

export interface Summary {
  planners: PlannerSummary[];
  targets: Target[];
}

/** One row of the per-case targets table, for one agent. */
export interface CaseTarget {
  case: string;
  planner: string;
  damaged: number;
  /** Ratio to the case's reference (optimum or best known); null on best-baseline cases. */
  toReference: number | null;
  /** The limit that applies to toReference here (1.1 small, 1.02 best-known up to ~200 damaged), or null. */
  limit: number | null;
  /** Ratio to the best baseline of the case (must be at most 1). */
  toBestBaseline: number | null;
  met: boolean;
}

const wcmi = (r: PlannerRun | undefined) => r?.figures.weightedCustomerMinutes;

function toBestBaseline(c: CaseResult, planner: string): number | null {
  const own = wcmi(c.runs.find((r) => r.planner === planner));
  const baselines = c.runs
    .filter((r) => (BASELINES as readonly string[]).includes(r.planner))
    .map((r) => r.figures.weightedCustomerMinutes);
  if (own === undefined || baselines.length === 0) return null;
  const best = Math.min(...baselines);
  if (best === 0) return own === 0 ? 1 : null;
  return Math.round((own / best) * 10_000) / 10_000;
}

const inBestKnownTarget = (c: CaseResult) => c.referenceKind === "best-known" && c.damaged <= TARGET_MAX_DAMAGED;

export function caseTargets(results: CaseResult[], planners?: string[]): CaseTarget[] {
  const names =
    planners ?? [...new Set(results.flatMap((r) => r.runs.map((x) => x.planner)))].filter((p) => p.startsWith("agent"));
  const rows: CaseTarget[] = [];
  for (const c of results) {
    for (const planner of names) {
      const run = c.runs.find((r) => r.planner === planner);
      if (!run) continue;
      const toRef = c.referenceKind === "best-baseline" ? null : (run.ratios?.weightedCustomerMinutes ?? null);
      const limit = c.referenceKind === "optimum" ? 1.1 : inBestKnownTarget(c) ? WITHIN_BEST_KNOWN : null;
      const vsBase = toBestBaseline(c, planner);
      const met =
        (limit === null || (toRef !== null && toRef <= limit + 1e-9)) && vsBase !== null && vsBase <= 1 + 1e-9;
      rows.push({ case: c.case, planner, damaged: c.damaged, toReference: toRef, limit, toBestBaseline: vsBase, met });
    }
  }
  return rows;
}

export function summarize(results: CaseResult[]): Summary {
  const names = [...new Set(results.flatMap((r) => r.runs.map((x) => x.planner)))];
  const ratioOver = (keep: (c: CaseResult) => boolean, planner: string) =>
    results
      .filter(keep)
      .map((r) => r.runs.find((x) => x.planner === planner)?.ratios?.weightedCustomerMinutes)
      .filter((v): v is number => typeof v === "number")
      .sort((a, b) => a - b);
  const planners = names.map((planner): PlannerSummary => {
    const small = ratioOver((c) => c.kind === "small", planner);
    const known = ratioOver(inBestKnownTarget, planner);
    const vsBase = results.map((c) => toBestBaseline(c, planner)).filter((v): v is number => v !== null);
    return {
      planner,
      smallMedian: small.length ? median(small) : null,
      smallWorst: small.length ? small[small.length - 1]! : null,
      bestKnownMedian: known.length ? median(known) : null,
      bestKnownWorst: known.length ? known[known.length - 1]! : null,
      largeWorst: vsBase.length ? Math.max(...vsBase) : null,
    };
  });
  const targets: Target[] = [];
  for (const p of planners.filter((x) => x.planner.startsWith("agent"))) {
    const costs = results.flatMap((r) =>
      r.runs.filter((x) => x.planner === p.planner && x.cost).map((x) => x.cost!.maxModelCallsPerRound),
    );
    const maxCalls = costs.length ? Math.max(...costs) : null;
    const add = (name: string, value: number | null, limit: number) =>
      targets.push({ name: `${p.planner}: ${name}`, value, limit, met: value !== null && value <= limit + 1e-9 });
    if (p.smallMedian !== null)
      add("median small case within 2 % of the optimum (weighted CMI ratio)", p.smallMedian, 1.02);
    if (p.smallWorst !== null) add("worst small case within 10 % of the optimum", p.smallWorst, 1.1);
    if (p.bestKnownMedian !== null)
      add(
        `median case up to ${TARGET_MAX_DAMAGED} damaged within 0.5 % of the best known plan`,
        p.bestKnownMedian,
        MEDIAN_WITHIN_BEST_KNOWN,
      );
    if (p.bestKnownWorst !== null)
      add(
        `every case up to ${TARGET_MAX_DAMAGED} damaged within 2 % of the best known plan (worst ratio)`,
        p.bestKnownWorst,
        WITHIN_BEST_KNOWN,
      );
    if (p.largeWorst !== null)
      add("never worse than any baseline on any case (worst ratio to the best baseline)", p.largeWorst, 1);
    add("model calls in any planning round", maxCalls, 3);
  }
  return { planners, targets };
}
