/**
 * What the operator console shows of one incident's world, computed on the server: the live
 * map, the restoration curve and the crew timeline as SVG (the report's drawings), the outage
 * areas with their ETRs, and the what-if of a plan (an operator's edit) next to the optimizer's
 * own proposal. Pure functions of the simulator; the service supplies the incident's world.
 */
import { type OperatorPlan } from "../graph/approval.js";
import { estimateOutageAreas, type OutageArea } from "../planning/etr.js";
import { expectPlanEffect, proposeDispatchPlan, type ExpectedEffect } from "../planning/optimizer.js";
import { toDispatchPlan } from "../tools/system-tools.js";
import { World } from "../world/simulator.js";
import type { DispatchPlan } from "../world/types.js";
import { backupDeadlines, curveMarksFor, renderCurveSvg } from "../report/draw/curve.js";
import { knownNetworks, mapLegend, mapModelFromWorld, renderMapSvg } from "../report/draw/map.js";
import { renderTimelineSvg, stopsFromWorld, timelineJobs } from "../report/draw/timeline.js";

export interface IncidentView {
  worldMinute: number;
  mapSvg: string;
  legendHtml: string;
  curveSvg: string;
  timelineSvg: string;
  areas: OutageArea[];
  crews: {
    id: string;
    status: string;
    currentAsset: string | null;
    queue: string[];
    x: number;
    y: number;
    freeAt: number;
  }[];
  backups: { node: string; expiresAt: number; minutesLeft: number; critical: boolean }[];
  populationOut: number;
  criticalFacilitiesOut: string[];
}

/** What the curve says of the world's damage and delayed cascades after minute 0 (World.alertHistory), naming the assets. */
export function curveTriggers(world: World): { kind: string; at: number; message: string }[] {
  const names = (ids: string[]) =>
    `${ids.slice(0, 4).join(", ")}${ids.length > 4 ? ` and ${ids.length - 4} more` : ""}`;
  return world.alertHistory().map((a) => ({
    kind: a.kind,
    at: a.at,
    message: a.kind === "damage" ? `new damage: ${names(a.assets)}` : `${names(a.assets)} lost service`,
  }));
}

/**
 * The console's picture of an incident now. The curve marks the world's own damage and delayed
 * cascades (not only those a run was triggered by: the field's world has them all, at their minute).
 */
export function incidentView(world: World): IncidentView {
  const map = mapModelFromWorld(world, { routes: "live" });
  const curve = world.metrics().restorationCurve;
  const replay = (t: number) =>
    World.replay(
      world.scenario,
      world.dispatchLog().filter((e) => e.at <= t),
      t,
      { seed: world.seed },
    );
  const deadlines = backupDeadlines(world, [world.now()], (t) => (t === world.now() ? world : replay(t)));
  const marks = curveMarksFor(world, curveTriggers(world), deadlines);
  marks.events.push({ at: world.now(), kind: "now", label: "now" });
  const snap = world.detectFailures();
  return {
    worldMinute: world.now(),
    mapSvg: renderMapSvg(map, { id: "live-map" }),
    legendHtml: mapLegend(
      knownNetworks(map),
      world.scenario.crews.map((c) => c.id),
    ),
    curveSvg: renderCurveSvg(curve, world.dispatches(), marks, "live-curve"),
    timelineSvg: renderTimelineSvg(
      timelineJobs(world.dispatches(), stopsFromWorld(world), world.now()),
      world.now(),
      "live-timeline",
      world.now(),
    ),
    areas: estimateOutageAreas(world),
    crews: world.crewSummaries().map((c) => ({
      id: c.id,
      status: c.status,
      currentAsset: c.currentAsset ?? null,
      queue: c.queue,
      x: c.x,
      y: c.y,
      freeAt: c.freeAt,
    })),
    backups: snap.onBackup.map((b) => ({
      node: b.node,
      expiresAt: b.expiresAt,
      minutesLeft: b.expiresAt - world.now(),
      critical: b.critical,
    })),
    populationOut: snap.populationOut,
    criticalFacilitiesOut: snap.criticalFacilitiesOut,
  };
}

export type EffectSummary = Pick<
  ExpectedEffect,
  "horizonMinutes" | "customerMinutes" | "weightedCustomerMinutes" | "criticalFacilitiesLost" | "jobs"
>;

export interface WhatIf {
  /** Reasons the world would refuse the plan now; empty when it can be sent. */
  errors: string[];
  expected: EffectSummary | null;
  optimizer: { plan: OperatorPlan; expected: EffectSummary };
}

/**
 * The expected effect of a plan an operator is editing, judged like the optimizer's own (the
 * same simulation ahead, no damage the world does not know of), and the optimizer's proposal
 * for the same minute. Queued work moved by the edit is allowed (`reassign`), as an operator's
 * edit is.
 */
export function whatIf(world: World, plan: OperatorPlan): WhatIf {
  const dispatch: DispatchPlan = {
    ...toDispatchPlan({ ...plan, reasoning: plan.reasoning ?? "operator edit" }),
    reassign: true,
  };
  const errors = world.validatePlan(dispatch).errors;
  const proposal = proposeDispatchPlan(world);
  const summary = (e: ExpectedEffect): EffectSummary => ({
    horizonMinutes: e.horizonMinutes,
    customerMinutes: e.customerMinutes,
    weightedCustomerMinutes: e.weightedCustomerMinutes,
    criticalFacilitiesLost: e.criticalFacilitiesLost,
    jobs: e.jobs,
  });
  let expected: EffectSummary | null = null;
  if (errors.length === 0) {
    try {
      expected = summary(expectPlanEffect(world, dispatch));
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  return {
    errors,
    expected,
    optimizer: {
      plan: {
        assignments: proposal.plan.assignments.map((a) => ({ crew_id: a.crewId, asset_ids: a.assetIds })),
        ...(proposal.plan.reasoning ? { reasoning: proposal.plan.reasoning } : {}),
      },
      expected: summary(proposal.expected),
    },
  };
}
