/**
 * How good the estimated restoration times are: for each outage area, the ETR given at its
 * first planning round and at each later one, against the time its customers were actually
 * back (median and 90th-percentile absolute error in minutes, share restored before its ETR).
 * The agent (offline planner) runs each case once; the truth comes from replaying its world at
 * every repair completion (customers come back only then).
 */
import { SimulatorWorldProvider } from "../graph/world-provider.js";
import { runIncidentWithEtrs } from "../incident/etr-tracking.js";
import type { Scenario } from "../world/scenario/schema.js";
import { World } from "../world/simulator.js";

export interface EtrErrorStats {
  /** ETRs compared (areas with an ETR, not yet restored when it was given). */
  samples: number;
  medianAbsMinutes: number | null;
  p90AbsMinutes: number | null;
  /** Share restored at or before the ETR given. */
  restoredBeforeEtr: number | null;
  /** Mean signed error (ETR minus actual): above 0, ETRs are pessimistic. */
  meanSignedMinutes: number | null;
}

export interface EtrErrorResult {
  case: string;
  areas: number;
  /** Areas whose customers got no ETR at their first round (no crew yet). */
  firstWithoutEtr: number;
  first: EtrErrorStats;
  later: EtrErrorStats;
  byConfidence: Record<string, EtrErrorStats>;
}

export interface EtrSample {
  area: string;
  at: number;
  etr: number;
  actual: number;
  confidence: string;
  first: boolean;
}

export async function etrErrorForCase(
  name: string,
  scenario: Scenario,
): Promise<{ result: EtrErrorResult; samples: EtrSample[] }> {
  const worlds = new SimulatorWorldProvider({ resolveScenario: () => scenario });
  const { result, rounds } = await runIncidentWithEtrs({
    scenario: scenario.name,
    worlds,
    config: { model: "offline" },
    incidentId: `etr-eval-${name}`,
  });
  const world = result.world.simulator;
  const back = nodeBackTimes(world, new Set(rounds.flatMap((r) => r.areas.flatMap((a) => a.nodes))));
  const firstSeen = new Map<string, { at: number; nodes: string[] }>();
  const samples: EtrSample[] = [];
  let firstWithoutEtr = 0;
  for (const r of rounds) {
    for (const a of r.areas) {
      const first = !firstSeen.has(a.id);
      if (first) firstSeen.set(a.id, { at: r.at, nodes: a.nodes });
      // Actual: the first time after this round at which all the area's customers (as first seen) were back.
      const actual = restoredAfter(firstSeen.get(a.id)!.nodes, r.at, back);
      if (a.etr === null) {
        if (first) firstWithoutEtr++;
        continue;
      }
      if (actual === undefined || actual <= r.at) continue;
      samples.push({ area: a.id, at: r.at, etr: a.etr, actual, confidence: a.confidence, first });
    }
  }
  const byConfidence: Record<string, EtrErrorStats> = {};
  for (const c of ["high", "medium", "low"]) byConfidence[c] = stats(samples.filter((s) => s.confidence === c));
  return {
    result: {
      case: name,
      areas: firstSeen.size,
      firstWithoutEtr,
      first: stats(samples.filter((s) => s.first)),
      later: stats(samples.filter((s) => !s.first)),
      byConfidence,
    },
    samples,
  };
}

export async function evaluateEtrErrors(cases: { name: string; scenario: Scenario }[]): Promise<EtrErrorResult[]> {
  const out: EtrErrorResult[] = [];
  for (const c of cases) out.push((await etrErrorForCase(c.name, c.scenario)).result);
  return out;
}

/** For each watched node, the minutes (repair completions) at which it was in service, from replays of the incident. */
function nodeBackTimes(world: World, watched: Set<string>): Map<string, number[]> {
  const log = world.dispatchLog();
  const times = [
    ...new Set(world.dispatches().flatMap((d) => (d.repairedAt === undefined ? [] : [d.repairedAt]))),
  ].sort((a, b) => a - b);
  const inService = new Map<string, number[]>();
  for (const t of times) {
    const w = World.replay(
      world.scenario,
      log.filter((e) => e.at <= t),
      t + 0.01,
      { seed: world.seed },
    );
    for (const f of w.toGeoJSON().features) {
      const p = f.properties as { id: string; kind: string; state: string };
      if (p.kind !== "node" || !watched.has(p.id)) continue;
      if (p.state === "working" || p.state === "restored")
        (inService.get(p.id) ?? inService.set(p.id, []).get(p.id)!).push(t);
    }
  }
  return inService;
}

function restoredAfter(nodes: string[], after: number, back: Map<string, number[]>): number | undefined {
  // Candidate minutes: the repair completions after `after` at which every node was in service.
  const sets = nodes.map((n) => new Set(back.get(n) ?? []));
  const candidates = [...(back.get(nodes[0]) ?? [])].filter((t) => t > after).sort((a, b) => a - b);
  return candidates.find((t) => sets.every((s) => s.has(t)));
}

export function stats(samples: EtrSample[]): EtrErrorStats {
  if (samples.length === 0)
    return {
      samples: 0,
      medianAbsMinutes: null,
      p90AbsMinutes: null,
      restoredBeforeEtr: null,
      meanSignedMinutes: null,
    };
  const abs = samples.map((s) => Math.abs(s.etr - s.actual)).sort((a, b) => a - b);
  const q = (p: number) => abs[Math.min(abs.length - 1, Math.ceil(p * abs.length) - 1)];
  return {
    samples: samples.length,
    medianAbsMinutes: round1(
      abs.length % 2 ? abs[(abs.length - 1) / 2] : (abs[abs.length / 2 - 1] + abs[abs.length / 2]) / 2,
    ),
    p90AbsMinutes: round1(q(0.9)),
    restoredBeforeEtr: round3(samples.filter((s) => s.actual <= s.etr + 0.5).length / samples.length),
    meanSignedMinutes: round1(samples.reduce((n, s) => n + s.etr - s.actual, 0) / samples.length),
  };
}

/** A markdown table of the ETR errors, one row per case and kind (first round, later rounds). */
export function etrErrorMarkdown(rows: EtrErrorResult[]): string {
  const f = (v: number | null, pct = false) => (v === null ? "-" : pct ? `${Math.round(v * 100)} %` : String(v));
  const lines = [
    "## Estimated restoration times (ETR) against actual restoration",
    "",
    "| case | areas | ETRs given at | n | median abs error (min) | p90 abs error (min) | restored before its ETR | mean signed (min) |",
    "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const r of rows) {
    for (const [label, s] of [
      ["first round", r.first],
      ["later rounds", r.later],
    ] as const) {
      lines.push(
        `| ${r.case} | ${r.areas} | ${label} | ${s.samples} | ${f(s.medianAbsMinutes)} | ${f(s.p90AbsMinutes)} | ${f(s.restoredBeforeEtr, true)} | ${f(s.meanSignedMinutes)} |`,
      );
    }
  }
  const without = rows.reduce((n, r) => n + r.firstWithoutEtr, 0);
  if (without)
    lines.push(
      "",
      `${without} area(s) had no ETR at their first round (no crew had the fault yet: published as "assessing").`,
    );
  return lines.join("\n");
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}
function round3(v: number): number {
  return Math.round(v * 1000) / 1000;
}
