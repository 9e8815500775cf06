/**
 * The agent's view of one incident's world, as the tools, the prompts and the graph's nodes see it: the two
 * repositories, the clock, and the dispatch optimizer's proposals. Below the tools (they are built on it), above
 * the world and the optimizer (it joins them). `SimulatedIncidentWorld` is the simulator behind it; a utility's
 * systems would implement the same interface. Which world an incident gets is the graph's business
 * (src/graph/world-provider.ts caches them per thread).
 */
import { ALERT_BATCH_MINUTES, LARGE_INCIDENT_DAMAGE } from "../limits.js";
import { type AgentRepository, SimulatedRepositories, type SystemRepository } from "../world/repositories.js";
import type { UnworkableAsset } from "../world/crews.js";
import type { DispatchBatch } from "../world/dispatch-log.js";
import type { World } from "../world/simulator.js";
import type { Alert, DispatchLogEntry, DispatchPlan, DispatchRecord, EpisodeMetrics } from "../world/types.js";
import { backupLosses, blockingFacts, nodeWeights, type PlanningFacts } from "../world/blocking.js";
import { weatherSummary } from "../world/weather.js";
import { type DispatchProposal, type ExpectedEffect, expectPlanEffect, proposeDispatchPlan } from "./optimizer.js";
import { differentOrder, optimizerOptionsOf, type PlanConstraints, sameAssignments } from "./constraints.js";
import { simulatePlan, type WhatIf } from "./what-if.js";

/** The agent's view of one incident's world. */
export interface IncidentWorld {
  readonly system: SystemRepository;
  readonly agent: AgentRepository;
  now(): number;
  dispatchLog(): readonly DispatchLogEntry[];
  /**
   * The optimizer's recommendation for the damaged assets no crew has; with `constraints`, an
   * operator's pinned work stays as decided and a rejected plan is not offered again.
   */
  proposeDispatchPlan(assetIds?: string[], constraints?: PlanConstraints): DispatchProposal;
  /** A proposal made earlier in this world, by the id it was given. */
  proposalById?(id: string): DispatchPlan | undefined;
  /** What a plan is expected to do, simulated ahead (when the world can tell). */
  expectPlan?(plan: DispatchPlan): ExpectedEffect | undefined;
  /** A recent proposal whose assignments are the plan's (a planner that adopted the optimizer's plan). */
  recentProposalFor?(plan: DispatchPlan): DispatchProposal | undefined;
  /**
   * What-if: the plan simulated ahead on a copy of the world with no future damage, compared
   * with the optimizer's latest proposal at this minute (made if there is none). Dispatches nothing.
   */
  simulatePlan?(plan: DispatchPlan): WhatIf & { proposalId?: string };
  /** The latest proposal made at the world's current minute, if any. */
  latestProposal?(): DispatchProposal | undefined;
  /** Facts for the planning context: what blocks each damaged asset, backups' losses, weights, the weather ahead. */
  planningFacts?(ids: readonly string[]): PlanningFacts;
  /**
   * Let time pass: until something needs the dispatcher (new damage, a delayed cascade, a crew
   * freed while assets wait), or at most `maxMinutes` (Infinity: until the next alert).
   * The simulator advances its own clock at once; a world in real time (the service) waits
   * for its clock instead, for a bounded wall time, and may return before anything happened.
   */
  waitForChange(maxMinutes: number): Alert[] | Promise<Alert[]>;
  metrics(): EpisodeMetrics;
  dispatches(): DispatchRecord[];
  /** The simulator behind it, when there is one (reports, GeoJSON). */
  readonly simulator?: World;
  /** Damaged assets no crew has and none can take now (skills, shift capacity), each with why. */
  noCrewCanTake?(): UnworkableAsset[];
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

export class SimulatedIncidentWorld implements IncidentWorld {
  readonly system: SimulatedRepositories;
  readonly agent: SimulatedRepositories;
  constructor(readonly simulator: World) {
    this.system = this.agent = new SimulatedRepositories(simulator);
  }
  now() {
    return this.simulator.now();
  }
  dispatchLog() {
    return this.simulator.dispatchLog();
  }
  private readonly proposals = new Map<string, DispatchProposal>();
  private proposalCount = 0;
  proposeDispatchPlan(assetIds?: string[], constraints: PlanConstraints = {}) {
    const decided = optimizerOptionsOf(constraints);
    let proposal = proposeDispatchPlan(this.simulator, { ...(assetIds ? { assets: assetIds } : {}), ...decided });
    if (constraints.avoid?.length && sameAssignments(proposal.plan.assignments, constraints.avoid))
      proposal = this.otherThan(proposal, constraints, assetIds);
    const obeyed = [
      ...(constraints.excludeCrews ?? []).map((c) => `crew ${c} gets no work`),
      ...(constraints.first ?? []).map((f) => `${f.assetId} first${f.crewId ? ` on crew ${f.crewId}` : ""}`),
    ];
    if (obeyed.length)
      proposal = {
        ...proposal,
        plan: {
          ...proposal.plan,
          reasoning:
            `As the operator rejected the last plan asking: ${obeyed.join("; ")}. ${proposal.plan.reasoning ?? ""}`.trim(),
        },
      };
    proposal.id = `P${++this.proposalCount}@${Math.round(this.simulator.now())}`;
    this.proposals.set(proposal.id, proposal);
    // Only recent proposals can still be adopted: a plan is made against the world of its minute.
    if (this.proposals.size > 8) this.proposals.delete(this.proposals.keys().next().value!);
    return proposal;
  }
  /** The rejected plan came out again: another seed of the search, else its first two jobs swapped, else say there is none. */
  private otherThan(rejected: DispatchProposal, constraints: PlanConstraints, assetIds?: string[]): DispatchProposal {
    for (const seed of [2, 3]) {
      const p = proposeDispatchPlan(this.simulator, {
        ...(assetIds ? { assets: assetIds } : {}),
        ...optimizerOptionsOf(constraints),
        seed,
      });
      if (!sameAssignments(p.plan.assignments, constraints.avoid!))
        return {
          ...p,
          plan: {
            ...p.plan,
            reasoning:
              `Differs from the plan the operator rejected (search seed ${seed}). ${p.plan.reasoning ?? ""}`.trim(),
          },
        };
    }
    const swapped = differentOrder(rejected.plan.assignments, constraints.pinned);
    if (!swapped) {
      return {
        ...rejected,
        plan: {
          ...rejected.plan,
          reasoning:
            `No other plan: every crew has at most one job that is not pinned, so the work can only be planned as the operator rejected it. ${rejected.plan.reasoning ?? ""}`.trim(),
        },
        noAlternative: true,
      };
    }
    const plan: DispatchPlan = {
      ...rejected.plan,
      assignments: swapped,
      reasoning:
        "The optimizer's best plan was the one the operator rejected: this one swaps the first two jobs of a crew.",
    };
    return {
      ...rejected,
      plan,
      expected: expectPlanEffect(this.simulator, plan),
      method: "constructive",
      search: undefined,
    };
  }
  proposalById(id: string) {
    return this.proposals.get(id)?.plan;
  }
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
    return {
      blocking: blockingFacts(this.simulator, [...ids]),
      backups,
      weights: nodeWeights(this.simulator, [
        ...ids,
        ...backups.map((b) => b.node),
        ...this.simulator.criticalFacilitiesOut(),
      ]),
      weather: weatherSummary(this.simulator.weather, this.simulator.now()),
    };
  }
  recentProposalFor(plan: DispatchPlan) {
    const key = JSON.stringify(plan.assignments);
    for (const p of this.proposals.values())
      if (p.plan.assignments === plan.assignments || JSON.stringify(p.plan.assignments) === key) return p;
    return undefined;
  }
  noCrewCanTake() {
    return this.simulator.noCrewCanTake();
  }
  expectPlan(plan: DispatchPlan) {
    // A proposal adopted as it is: its effect is already known.
    for (const p of this.proposals.values()) if (p.plan.assignments === plan.assignments) return p.expected;
    try {
      return expectPlanEffect(this.simulator, plan);
    } catch {
      return undefined;
    }
  }
  waitForChange(maxMinutes: number): Alert[] {
    // On a large incident, alerts a few minutes apart are planned together: a planning round
    // per storm fault would cost more than it saves.
    const batch = this.simulator.damagedCount() > LARGE_INCIDENT_DAMAGE ? ALERT_BATCH_MINUTES : 0;
    return this.simulator.advanceUntilAlert(this.simulator.now() + maxMinutes, batch);
  }
  metrics() {
    return this.simulator.metrics();
  }
  dispatches() {
    return this.simulator.dispatches();
  }
  assetLabels(ids: readonly string[]) {
    const wanted = new Set(ids);
    const out: Record<string, { name?: string; note?: string }> = {};
    for (const n of this.simulator.scenario.nodes) {
      if (wanted.has(n.id) && (n.name || n.note))
        out[n.id] = { ...(n.name ? { name: n.name } : {}), ...(n.note ? { note: n.note } : {}) };
    }
    return out;
  }
}
