/**
 * Where the graph finds its world. The graph knows the world only through this interface and
 * the repositories; the default provider runs the simulator, rebuilt deterministically from
 * (scenario, seed, dispatch log, clock) and cached per thread, so concurrent incidents stay
 * apart and a resumed or server-side run finds the same world.
 */
import { expectPlanEffect, proposeDispatchPlan, type DispatchProposal, type ExpectedEffect } from "../planning/optimizer.js";
import { SimulatedRepositories, type AgentRepository, type SystemRepository } from "../world/repositories.js";
import { dispatchLogTail, expandDispatchLog, type DispatchBatch } from "../world/dispatch-log.js";
import { loadScenario } from "../world/scenario/load.js";
import type { Scenario } from "../world/scenario/schema.js";
import { World } from "../world/simulator.js";
import { backupLosses, blockingFacts, nodeWeights, type PlanningFacts } from "../world/blocking.js";
import { weatherSummary } from "../world/weather.js";
import { simulatePlan, type WhatIf } from "../planning/what-if.js";
import type { Alert, DispatchLogEntry, DispatchPlan, DispatchRecord, EpisodeMetrics } from "../world/types.js";

/** The agent's view of one incident's world. */
export interface IncidentWorld {
  readonly system: SystemRepository;
  readonly agent: AgentRepository;
  now(): number;
  dispatchLog(): readonly DispatchLogEntry[];
  /** The optimizer's recommendation for the damaged assets no crew has. */
  proposeDispatchPlan(assetIds?: string[]): DispatchProposal;
  /** A proposal made earlier in this world, by the id it was given. */
  proposalById?(id: string): DispatchPlan | undefined;
  /** What a plan is expected to do, simulated ahead (when the world can tell). */
  expectPlan?(plan: DispatchPlan): ExpectedEffect | undefined;
  /**
   * What-if: the plan simulated ahead on a copy of the world with no future damage, compared
   * with the optimizer's latest proposal at this minute (made if there is none). Dispatches nothing.
   */
  simulatePlan?(plan: DispatchPlan): WhatIf & { proposalId?: string };
  /** The latest proposal made at the world's current minute, if any. */
  latestProposal?(): DispatchProposal | undefined;
  /** Facts for the planning context: what blocks each damaged asset, backups' losses, weights. */
  planningFacts?(ids: readonly string[]): PlanningFacts;
  /**
   * Let time pass: until something needs the dispatcher (new damage, a delayed cascade, a crew
   * freed while assets wait), or at most `maxMinutes` (Infinity: until the next alert).
   */
  waitForChange(maxMinutes: number): Alert[];
  metrics(): EpisodeMetrics;
  dispatches(): DispatchRecord[];
  /** The simulator behind it, when there is one (reports, GeoJSON). */
  readonly simulator?: World;
  /** Human names and notes of assets, as written in the scenario: free text, shown to the model as data. */
  assetLabels?(ids: readonly string[]): Record<string, { name?: string; note?: string }>;
}

export interface WorldKey {
  threadId: string;
  scenario: string;
  /** The damage schedule's seed; unset or null: the scenario's own. */
  seed?: number | null;
  /** As graph state keeps it (batched), or as entries. */
  dispatchLog: readonly (DispatchLogEntry | DispatchBatch)[];
  clock: number;
}

export interface WorldProvider {
  get(key: WorldKey): IncidentWorld;
}

/** Above this many damaged assets, alerts are batched over ALERT_BATCH_MINUTES before re-planning. */
export const LARGE_INCIDENT_DAMAGE = 150;
export const ALERT_BATCH_MINUTES = 30;

export class SimulatedIncidentWorld implements IncidentWorld {
  readonly system: SimulatedRepositories;
  readonly agent: SimulatedRepositories;
  constructor(readonly simulator: World) {
    this.system = this.agent = new SimulatedRepositories(simulator);
  }
  now() { return this.simulator.now(); }
  dispatchLog() { return this.simulator.dispatchLog(); }
  private readonly proposals = new Map<string, DispatchProposal>();
  private proposalCount = 0;
  proposeDispatchPlan(assetIds?: string[]) {
    const proposal = proposeDispatchPlan(this.simulator, assetIds ? { assets: assetIds } : {});
    proposal.id = `P${++this.proposalCount}@${Math.round(this.simulator.now())}`;
    this.proposals.set(proposal.id, proposal);
    // Only recent proposals can still be adopted: a plan is made against the world of its minute.
    if (this.proposals.size > 8) this.proposals.delete(this.proposals.keys().next().value!);
    return proposal;
  }
  proposalById(id: string) { return this.proposals.get(id)?.plan; }
  latestProposal() {
    const last = [...this.proposals.values()].pop();
    return last && last.id?.endsWith(`@${Math.round(this.simulator.now())}`) ? last : undefined;
  }
  simulatePlan(plan: DispatchPlan) {
    const proposal = this.latestProposal() ?? this.proposeDispatchPlan();
    return { ...simulatePlan(this.simulator, plan, proposal.plan), proposalId: proposal.id };
  }
  planningFacts(ids: readonly string[]): PlanningFacts {
    const backups = backupLosses(this.simulator);
    const snapshotIds = [...ids, ...backups.map((b) => b.node)];
    return {
      blocking: blockingFacts(this.simulator, [...ids]), backups,
      weights: nodeWeights(this.simulator, snapshotIds), weather: weatherSummary(this.simulator.weather, this.simulator.now()),
    };
  }
  expectPlan(plan: DispatchPlan) {
    // A proposal adopted as it is: its effect is already known.
    for (const p of this.proposals.values()) if (p.plan.assignments === plan.assignments) return p.expected;
    try { return expectPlanEffect(this.simulator, plan); } catch { return undefined; }
  }
  waitForChange(maxMinutes: number): Alert[] {
    // On a large incident, alerts a few minutes apart are planned together: a planning round
    // per storm fault would cost more than it saves.
    const batch = this.simulator.damagedCount() > LARGE_INCIDENT_DAMAGE ? ALERT_BATCH_MINUTES : 0;
    return this.simulator.advanceUntilAlert(this.simulator.now() + maxMinutes, batch);
  }
  metrics() { return this.simulator.metrics(); }
  dispatches() { return this.simulator.dispatches(); }
  assetLabels(ids: readonly string[]) {
    const wanted = new Set(ids);
    const out: Record<string, { name?: string; note?: string }> = {};
    for (const n of this.simulator.scenario.nodes) {
      if (wanted.has(n.id) && (n.name || n.note)) out[n.id] = { ...(n.name ? { name: n.name } : {}), ...(n.note ? { note: n.note } : {}) };
    }
    return out;
  }
}

export interface SimulatorProviderOptions {
  /** Turn a scenario reference into a scenario (default: shipped names, JSON files, CSV folders). */
  resolveScenario?: (ref: string) => Scenario;
  /** How many incidents' worlds to keep in memory. */
  maxCached?: number;
}

export class SimulatorWorldProvider implements WorldProvider {
  private readonly cache = new Map<string, { scenario: string; seed?: number; world: SimulatedIncidentWorld }>();
  private readonly scenarios = new Map<string, Scenario>();
  constructor(private readonly options: SimulatorProviderOptions = {}) {}

  scenario(ref: string): Scenario {
    let s = this.scenarios.get(ref);
    if (!s) {
      s = (this.options.resolveScenario ?? loadScenario)(ref);
      this.scenarios.set(ref, s);
    }
    return s;
  }

  get(key: WorldKey): SimulatedIncidentWorld {
    const seed = key.seed ?? undefined;
    const hit = this.cache.get(key.threadId);
    if (hit && hit.scenario === key.scenario && hit.seed === seed && inStep(hit.world.simulator, key)) {
      hit.world.simulator.advanceTo(key.clock);
      this.touch(key.threadId, hit);
      return hit.world;
    }
    const scenario = this.scenario(key.scenario);
    const world = new SimulatedIncidentWorld(World.replay(scenario, expandDispatchLog(key.dispatchLog), key.clock, seed === undefined ? {} : { seed }));
    this.touch(key.threadId, { scenario: key.scenario, seed, world });
    return world;
  }

  /** The cached world of an incident, if any, without rebuilding it. */
  peek(threadId: string): World | undefined {
    return this.cache.get(threadId)?.world.simulator;
  }

  /** Forget an incident's world (it will be rebuilt from state if asked for again). */
  evict(threadId: string): void {
    this.cache.delete(threadId);
  }

  private touch(threadId: string, entry: { scenario: string; seed?: number; world: SimulatedIncidentWorld }) {
    this.cache.delete(threadId);
    this.cache.set(threadId, entry);
    const max = this.options.maxCached ?? 64;
    while (this.cache.size > max) this.cache.delete(this.cache.keys().next().value!);
  }
}

/** The cached world matches the state: same dispatches, and not ahead of its clock. */
function inStep(world: World, key: WorldKey): boolean {
  // Every node asks for its world: compare the logs' sizes and last ids without expanding them.
  const log = world.dispatchLog();
  const wanted = dispatchLogTail(key.dispatchLog);
  if (log.length !== wanted.size || world.now() > key.clock) return false;
  return log.length === 0 || log[log.length - 1].dispatchId === wanted.lastId;
}

/** The process-wide default, used by the exported graph (CLI, Studio, scripts). */
export const defaultWorldProvider = new SimulatorWorldProvider();
