/**
 * Decision quality: a suite of scenarios, each run by several planners through the same
 * alert-driven episode, with the figures each achieved and their ratio to a reference (the
 * exact optimum on small cases, the best baseline on the others), and what each agent
 * decision cost (model calls, tool calls, tokens, per planning round).
 */
import { type Adoption, adoptionOf } from "./adoption.js";
import { performance } from "node:perf_hooks";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { SimulatorWorldProvider } from "../graph/world-provider.js";
import type { FsmState, RunCounters } from "../graph/state.js";
import { runIncident } from "../incident/runner.js";
import { baselinePlan, type BaselineName } from "../planning/baselines.js";
import { proposeDispatchPlan } from "../planning/optimizer.js";
import { generateRegion } from "../world/scenario/generate.js";
import { loadScenario } from "../world/scenario/load.js";
import type { Scenario } from "../world/scenario/schema.js";
import { World } from "../world/simulator.js";
import type { EpisodeMetrics } from "../world/types.js";
import { oneShotPlanner, runEpisode } from "./episode.js";
import { solveExact } from "./exact.js";
import { smallCaseSuite } from "./small-cases.js";

export const BASELINES: readonly BaselineName[] = ["detection-order", "largest-population-first", "ratio-rule"];

export interface SuiteCase {
  name: string;
  /** small: compared with the exact optimum; large: with the best baseline. */
  kind: "small" | "large";
  scenario: Scenario;
}

export interface SuiteOptions {
  /** How many small exact-comparison cases (default 12). */
  smallCases?: number;
  /** Node counts of the seeded synthetic regions (default 300, 1000). */
  syntheticSizes?: number[];
  /** Shipped scenarios to include (default demo, ieee123). */
  shipped?: string[];
}

export function buildSuite(options: SuiteOptions = {}): SuiteCase[] {
  const cases: SuiteCase[] = [];
  for (const s of smallCaseSuite(options.smallCases ?? 12)) cases.push({ name: s.name, kind: "small", scenario: s });
  for (const ref of options.shipped ?? ["demo", "ieee123"]) cases.push({ name: ref, kind: "large", scenario: loadScenario(ref) });
  for (const nodes of options.syntheticSizes ?? [300, 1000]) {
    const s = generateRegion({ seed: 11, nodes, name: `synthetic-${nodes}` });
    cases.push({ name: s.name, kind: "large", scenario: s });
  }
  return cases;
}

export interface Figures {
  customerMinutes: number;
  weightedCustomerMinutes: number;
  criticalFacilityHours: number;
  /** null when the episode did not restore the network. */
  minutesToFullRestoration: number | null;
}

export type Ratios = { [K in keyof Figures]: number | null };

/** What the agent's decisions cost (state.counters), in total and per planning round. */
export interface DecisionCost {
  planningRounds: number;
  modelCalls: number;
  toolCalls: number;
  promptTokens: number;
  completionTokens: number;
  invalidPlans: number;
  fallbacks: number;
  /** The most model calls any one planning round took (target: at most 3). */
  maxModelCallsPerRound: number;
  modelCallsPerRound: number;
  tokensPerRound: number;
}

export interface PlannerRun {
  planner: string;
  status: string;
  figures: Figures;
  /** Ratio of each figure to the reference planner's (lower is better; 1 = as good). */
  ratios?: Ratios;
  planningRounds: number;
  cost?: DecisionCost;
  /** Agents only: what the planning model made of the optimizer's proposals (src/evaluation/adoption.ts). */
  adoption?: Adoption;
  wallMs: number;
  /** For the optimum: search nodes and whether it is proven. */
  note?: string;
}

export interface CaseResult {
  case: string;
  kind: SuiteCase["kind"];
  nodes: number;
  damaged: number;
  crews: number;
  /** The planner the ratios are taken against. */
  reference: string;
  runs: PlannerRun[];
}

export interface PlannerSpec {
  name: string;
  /** "agent": runIncident with this model; "episode": a rule in the episode loop. */
  kind: "agent" | "episode";
  model?: string;
  chatModel?: BaseChatModel;
  baseline?: BaselineName | "optimizer";
}

/** The agent on the offline planner, on a configured model too (INFRA_MODEL=openai/...), the optimizer alone, and the baselines. */
export function defaultPlanners(env: NodeJS.ProcessEnv = process.env): PlannerSpec[] {
  const planners: PlannerSpec[] = [{ name: "agent (offline)", kind: "agent", model: "offline" }];
  if (env.INFRA_MODEL?.startsWith("openai/")) planners.push({ name: `agent (${env.INFRA_MODEL})`, kind: "agent", model: env.INFRA_MODEL });
  planners.push({ name: "optimizer (no graph)", kind: "episode", baseline: "optimizer" });
  for (const b of BASELINES) planners.push({ name: b, kind: "episode", baseline: b });
  return planners;
}

export interface EvaluateOptions {
  planners?: PlannerSpec[];
  /** Called when a planner finishes a case (progress on stderr). */
  onRun?: (c: SuiteCase, run: PlannerRun) => void;
}

export async function evaluateCase(c: SuiteCase, options: EvaluateOptions = {}): Promise<CaseResult> {
  const planners = options.planners ?? defaultPlanners();
  const runs: PlannerRun[] = [];
  const done = (run: PlannerRun) => { runs.push(run); options.onRun?.(c, run); };
  if (c.kind === "small") done(runOptimum(c.scenario));
  for (const p of planners) done(p.kind === "agent" ? await runAgent(c.scenario, p) : runRule(c.scenario, p));
  const reference = c.kind === "small" ? "optimum" : bestBaseline(runs);
  const ref = runs.find((r) => r.planner === reference)!;
  for (const r of runs) r.ratios = ratios(r.figures, ref.figures);
  return {
    case: c.name, kind: c.kind, nodes: c.scenario.nodes.length, damaged: c.scenario.damage.length, crews: c.scenario.crews.length,
    reference, runs,
  };
}

export async function evaluateSuite(cases: SuiteCase[], options: EvaluateOptions = {}): Promise<CaseResult[]> {
  const out: CaseResult[] = [];
  for (const c of cases) out.push(await evaluateCase(c, options));
  return out;
}

function runOptimum(scenario: Scenario): PlannerRun {
  const started = performance.now();
  const world = new World(scenario);
  const exact = solveExact(world);
  const episode = runEpisode(world, oneShotPlanner(exact.plan));
  return {
    planner: "optimum", status: episode.status, figures: figures(episode.metrics), planningRounds: 1,
    wallMs: performance.now() - started,
    note: `${exact.proven ? "proven" : "best found (node budget ran out)"}; ${exact.nodes} search nodes, ${exact.pruned} cut by the bound`,
  };
}

function runRule(scenario: Scenario, p: PlannerSpec): PlannerRun {
  const rule = p.baseline!;
  const episode = runEpisode(new World(scenario), (w) => (rule === "optimizer" ? proposeDispatchPlan(w) : baselinePlan(w, rule)).plan);
  return { planner: p.name, status: episode.status, figures: figures(episode.metrics), planningRounds: episode.planningRounds, wallMs: episode.wallMs };
}

async function runAgent(scenario: Scenario, p: PlannerSpec): Promise<PlannerRun> {
  const worlds = new SimulatorWorldProvider({ resolveScenario: (ref) => (ref === scenario.name ? scenario : loadScenario(ref)) });
  const rounds = new RoundTracker();
  const started = performance.now();
  const result = await runIncident({
    scenario: scenario.name, worlds, incidentId: `eval-${scenario.name}`,
    config: { model: p.model ?? "offline" },
    ...(p.chatModel ? { model: p.chatModel } : {}),
    onStep: (state, update) => rounds.step(state, update.counters),
  });
  return {
    planner: p.name, status: result.status, figures: figures(result.metrics), planningRounds: result.counters.planningRounds,
    cost: rounds.cost(result.counters), adoption: adoptionOf(result.finalState.planHistory), wallMs: performance.now() - started,
  };
}

/** Splits the agent's counters into planning rounds, from the updates REPAIR_PLANNING streams. */
export class RoundTracker {
  private readonly calls: number[] = [];
  step(state: FsmState, counters: Partial<RunCounters> | undefined): void {
    if (state !== "REPAIR_PLANNING" || !counters) return;
    if (counters.planningRounds || this.calls.length === 0) this.calls.push(0);
    this.calls[this.calls.length - 1] += counters.modelCalls ?? 0;
  }
  cost(total: RunCounters): DecisionCost {
    const rounds = Math.max(total.planningRounds, 1);
    return {
      planningRounds: total.planningRounds, modelCalls: total.modelCalls, toolCalls: total.toolCalls,
      promptTokens: total.promptTokens, completionTokens: total.completionTokens,
      invalidPlans: total.invalidPlans, fallbacks: total.fallbacks,
      maxModelCallsPerRound: Math.max(0, ...this.calls),
      modelCallsPerRound: round2(total.modelCalls / rounds),
      tokensPerRound: Math.round(total.totalTokens / rounds),
    };
  }
}

export function figures(m: EpisodeMetrics): Figures {
  return {
    customerMinutes: m.customerMinutesInterrupted,
    weightedCustomerMinutes: m.weightedCustomerMinutesInterrupted,
    criticalFacilityHours: m.criticalFacilityOutageHours,
    minutesToFullRestoration: m.minutesToFullRestoration === null ? null : round2(m.minutesToFullRestoration),
  };
}

/** Each figure over the reference's; 1 when both are zero; null when it cannot be said (no restoration, reference zero). */
export function ratios(f: Figures, ref: Figures): Ratios {
  const r = (a: number | null, b: number | null): number | null => {
    if (a === null || b === null) return null;
    if (b === 0) return a === 0 ? 1 : null;
    return Math.round((a / b) * 10_000) / 10_000;
  };
  return {
    customerMinutes: r(f.customerMinutes, ref.customerMinutes),
    weightedCustomerMinutes: r(f.weightedCustomerMinutes, ref.weightedCustomerMinutes),
    criticalFacilityHours: r(f.criticalFacilityHours, ref.criticalFacilityHours),
    minutesToFullRestoration: r(f.minutesToFullRestoration, ref.minutesToFullRestoration),
  };
}

/** The baseline with the least weighted customer-minutes (ties: the first listed). */
function bestBaseline(runs: PlannerRun[]): string {
  const baselines = runs.filter((r) => (BASELINES as readonly string[]).includes(r.planner));
  return baselines.reduce((best, r) => (r.figures.weightedCustomerMinutes < best.figures.weightedCustomerMinutes ? r : best)).planner;
}

// ---------------------------------------------------------------- summary and targets

export interface PlannerSummary {
  planner: string;
  /** Weighted-CMI ratio to the optimum over the small cases. */
  smallMedian: number | null;
  smallWorst: number | null;
  /** Weighted-CMI ratio to the best baseline, worst over the larger scenarios. */
  largeWorst: number | null;
}

export interface Target { name: string; value: number | null; limit: number; met: boolean }

export interface Summary {
  planners: PlannerSummary[];
  targets: Target[];
}

export function summarize(results: CaseResult[]): Summary {
  const names = [...new Set(results.flatMap((r) => r.runs.map((x) => x.planner)))];
  const ratioOf = (kind: SuiteCase["kind"], planner: string) => results
    .filter((r) => r.kind === kind)
    .map((r) => r.runs.find((x) => x.planner === planner)?.ratios?.weightedCustomerMinutes)
    .filter((v): v is number => typeof v === "number");
  const planners = names.map((planner): PlannerSummary => {
    const small = ratioOf("small", planner).sort((a, b) => a - b);
    const large = ratioOf("large", planner);
    return {
      planner,
      smallMedian: small.length ? median(small) : null,
      smallWorst: small.length ? small[small.length - 1] : null,
      largeWorst: large.length ? Math.max(...large) : null,
    };
  });
  const targets: Target[] = [];
  for (const p of planners.filter((x) => x.planner.startsWith("agent"))) {
    const costs = results.flatMap((r) => r.runs.filter((x) => x.planner === p.planner && x.cost).map((x) => x.cost!.maxModelCallsPerRound));
    const maxCalls = costs.length ? Math.max(...costs) : null;
    const add = (name: string, value: number | null, limit: number) => targets.push({ name: `${p.planner}: ${name}`, value, limit, met: value !== null && value <= limit + 1e-9 });
    if (p.smallMedian !== null) add("median small case within 2 % of the optimum (weighted CMI ratio)", p.smallMedian, 1.02);
    if (p.smallWorst !== null) add("worst small case within 10 % of the optimum", p.smallWorst, 1.1);
    if (p.largeWorst !== null) add("never worse than the best baseline on the larger scenarios (worst ratio)", p.largeWorst, 1);
    add("model calls in any planning round", maxCalls, 3);
  }
  return { planners, targets };
}

function median(sorted: number[]): number {
  const m = sorted.length >> 1;
  return sorted.length % 2 ? sorted[m] : Math.round(((sorted[m - 1] + sorted[m]) / 2) * 10_000) / 10_000;
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}
