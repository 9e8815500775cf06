/**
 * The seam between the agent and the world, as in the original design's Repository Pattern.
 * The simulator implements both; a utility would put its network model (SystemRepository)
 * and its crew management and weather feeds (AgentRepository) behind the same interfaces.
 * Everything returned is plain JSON; methods may be sync or async.
 */
import type {
  CrewEstimate,
  CrewSummary,
  DispatchPlan,
  DispatchResult,
  FailureSnapshot,
  ImpactReport,
  PlanValidation,
  WeatherReport,
} from "./types.js";
import type { World } from "./simulator.js";
import { estimateJobsAt, type EstimateRequest } from "./estimates.js";
import { forecastAt } from "./weather.js";

type MaybePromise<T> = T | Promise<T>;

/** What the state machine itself uses: detection, impact, and the one action that changes the world. */
export interface SystemRepository {
  /** The world's clock, in minutes since the incident's minute 0. */
  now(): MaybePromise<number>;
  detectFailures(): MaybePromise<FailureSnapshot>;
  estimateImpact(ids: string[]): MaybePromise<(ImpactReport | { asset: string; error: string })[]>;
  validatePlan(plan: DispatchPlan): MaybePromise<PlanValidation>;
  /** Validated and idempotent: the same dispatch twice changes nothing. Throws PlanRejected when invalid. */
  assignCrews(plan: DispatchPlan): MaybePromise<DispatchResult>;
}

/** What the planning model may ask about: weather and crews. Every method takes lists. */
export interface AgentRepository {
  getWeather(locations: string[]): MaybePromise<(WeatherReport | { location: string; error: string })[]>;
  getAvailableCrews(): MaybePromise<CrewSummary[]>;
  getCrewLocations(
    crewIds: string[],
  ): MaybePromise<({ crewId: string; x: number; y: number; status: string } | { crewId: string; error: string })[]>;
  getCrewRemainingCapacity(
    crewIds: string[],
  ): MaybePromise<
    ({ crewId: string; capacityLeftHours: number; freeAt: number } | { crewId: string; error: string })[]
  >;
  /** Estimates for each pair, at a position in the crew's work (`after`, default: after its queue; an asset it already holds: where it is). */
  estimateRepairTimes(pairs: EstimateRequest[]): MaybePromise<CrewEstimate[]>;
  estimateArrivalTimes(pairs: EstimateRequest[]): MaybePromise<CrewEstimate[]>;
}

/** Both repositories over one simulated world. */
export class SimulatedRepositories implements SystemRepository, AgentRepository {
  constructor(readonly world: World) {}

  now(): number {
    return this.world.now();
  }

  detectFailures(): FailureSnapshot {
    return this.world.detectFailures();
  }

  estimateImpact(ids: string[]) {
    const known = ids.filter((id) => this.world.net.index(id) !== undefined);
    const reports = new Map(this.world.estimateImpact(known).map((r) => [r.asset, r]));
    return ids.map((id) => reports.get(id) ?? { asset: id, error: `unknown asset "${id}"` });
  }

  validatePlan(plan: DispatchPlan): PlanValidation {
    return this.world.validatePlan(plan);
  }

  assignCrews(plan: DispatchPlan): DispatchResult {
    return this.world.assignCrews(plan);
  }

  getWeather(locations: string[]) {
    return locations.map((location) => {
      const at = this.world.assetLocation(location) ?? this.crewLocation(location) ?? parseXY(location);
      if (!at) return { location, error: `unknown location "${location}": give an asset id, a crew id, or "x,y"` };
      const forecast = forecastAt(this.world.weather, at.x, at.y, this.world.now()).map(
        ({ condition, from, to, stopsWork }) => ({ condition, from, to, stopsWork }),
      );
      return { ...this.world.weatherAt(at.x, at.y, location), forecast };
    });
  }

  getAvailableCrews(): CrewSummary[] {
    return this.world.crewSummaries().filter((c) => c.capacityLeftHours > 0);
  }

  getCrewLocations(crewIds: string[]) {
    const crews = new Map(this.world.crewSummaries().map((c) => [c.id, c]));
    return crewIds.map((crewId) => {
      const c = crews.get(crewId);
      return c ? { crewId, x: c.x, y: c.y, status: c.status } : { crewId, error: `unknown crew "${crewId}"` };
    });
  }

  getCrewRemainingCapacity(crewIds: string[]) {
    const crews = new Map(this.world.crewSummaries().map((c) => [c.id, c]));
    return crewIds.map((crewId) => {
      const c = crews.get(crewId);
      return c
        ? { crewId, capacityLeftHours: c.capacityLeftHours, freeAt: c.freeAt }
        : { crewId, error: `unknown crew "${crewId}"` };
    });
  }

  estimateRepairTimes(pairs: EstimateRequest[]): CrewEstimate[] {
    // The whole breakdown: travel, weather hold and repair add up to the completion minute.
    return estimateJobsAt(this.world, pairs);
  }

  estimateArrivalTimes(pairs: EstimateRequest[]): CrewEstimate[] {
    return estimateJobsAt(this.world, pairs).map(
      ({ repairMinutes: _r, completionAt: _c, weatherHoldMinutes: _h, ...rest }) => rest,
    );
  }

  private crewLocation(id: string) {
    const c = this.world.crewSummaries().find((s) => s.id === id);
    return c ? { x: c.x, y: c.y } : undefined;
  }
}

function parseXY(s: string): { x: number; y: number } | undefined {
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$/.exec(s);
  return m ? { x: Number(m[1]), y: Number(m[2]) } : undefined;
}
