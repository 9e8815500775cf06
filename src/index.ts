/**
 * The public API of infra-fail-mngr, for notebooks, scripts and evaluation code outside src/:
 * `import { loadScenario, World, proposeDispatchPlan } from "infra-fail-mngr"` (package.json
 * "exports" points here; the package resolves itself by name inside this repository).
 *
 * Small on purpose: what a user needs to load a scenario, simulate it, plan and judge plans,
 * and run the agent. Everything else in src/ is internal and may move. This file sits at the top
 * of the import layers: it re-exports from all of them and nothing in src/ imports it.
 */

// The world: scenarios and the simulator.
export { loadScenario, parseScenario, listShippedScenarios, ScenarioError } from "./world/scenario/load.js";
export { generateRegion, type GenerateOptions } from "./world/scenario/generate.js";
export type { MeshOptions } from "./world/scenario/mesh.js";
export { ScenarioSchema } from "./world/scenario/schema.js";
export type { Scenario, ScenarioInput, ScenarioNode, ScenarioLink, ScenarioCrew } from "./world/scenario/schema.js";
export { WorldWorkExceeded, isWorldWorkExceeded } from "./world/work-budget.js";
export { World, PlanRejected, type WorldOptions } from "./world/simulator.js";
export type {
  Alert,
  CrewAssignment,
  CrewSummary,
  DispatchPlan,
  DispatchRecord,
  EpisodeMetrics,
  FailedAsset,
  FailureSnapshot,
  ImpactReport,
} from "./world/types.js";

// Planning: the optimizer, plan judging, the baselines.
export {
  evaluatePlan,
  expectPlanEffect,
  listSchedule,
  proposeDispatchPlan,
  type DispatchProposal,
  type ExpectedEffect,
  type OptimizerOptions,
} from "./planning/optimizer.js";
export {
  baselinePlan,
  detectionOrderPlan,
  largestPopulationFirstPlan,
  type BaselineName,
} from "./planning/baselines.js";
export { simulatePlan, classifyAgainstProposal, type PlanOutcome, type WhatIf } from "./planning/what-if.js";
export { blockingFacts, backupLosses, type BlockingFact, type BackupLoss } from "./world/blocking.js";

// The agent: the LangGraph graph and a whole incident.
export { buildGraph, graph } from "./graph/graph.js";
export type { AgentState, FsmState } from "./graph/state.js";
export { runIncident, type IncidentOptions, type IncidentResult } from "./incident/runner.js";

// Evaluation: the episode every rule planner is judged in, and the evaluation's cases.
export { runEpisode, oneShotPlanner, type EpisodePlanner, type EpisodeResult } from "./evaluation/episode.js";
export { simulatePlanToEnd } from "./evaluation/best-known.js";
export { shelbyScenario } from "./evaluation/shelby.js";
export { ieee123DamageSet, meshedCase } from "./evaluation/cases.js";
