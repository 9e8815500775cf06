/** What the world reports. Plain JSON-friendly objects: they cross into tools, prompts and state. */

export type AssetKind = "node" | "link";
export type Severity = "critical" | "high" | "medium" | "low";

/** An asset that is not working: damaged (needs a crew) or out of service (comes back by itself). */
export interface FailedAsset {
  id: string;
  kind: AssetKind;
  network: string;
  type: string;
  state: "damaged" | "out_of_service";
  /** Human explanation of why it is not working. */
  cause: string;
  /** The damaged assets whose repair brings this one back (itself, for a damaged asset). */
  rootCauses: string[];
  /** Minute at which it stopped working. */
  since: number;
  population: number;
  criticality: number;
  /** For damaged assets: the crew assigned to it, if any. */
  assignedCrew?: string;
  dispatchStatus?: DispatchStatus;
}

export interface FailureSnapshot {
  at: number;
  damaged: FailedAsset[];
  outOfService: FailedAsset[];
  populationOut: number;
  weightedPopulationOut: number;
  criticalFacilitiesOut: string[];
  /** Critical or buffered nodes still working on a backup (generator, tank), and when it runs out. */
  onBackup: { node: string; dependee: string; expiresAt: number; critical: boolean }[];
}

export interface ImpactReport {
  asset: string;
  network: string;
  state: "damaged" | "out_of_service";
  /** Population now out of service whose root cause is this asset. */
  populationOut: number;
  weightedPopulationOut: number;
  /** Population that repairing this asset alone would bring back now. */
  populationRestoredIfRepaired: number;
  weightedRestoredIfRepaired: number;
  criticalFacilitiesAffected: string[];
  /** Nodes on backup because of this asset, with the minute their backup runs out. */
  backupsRunningOut: { node: string; expiresAt: number; critical: boolean }[];
  severity: Severity;
  /** For an asset only out of service: the damaged assets whose repair brings it back. */
  rootCauses?: string[];
}

/** `reassigned`: queued work a later plan moved (to another crew, or to another place in the order). */
export type DispatchStatus = "queued" | "travelling" | "on_hold" | "repairing" | "done" | "cancelled" | "reassigned";

export interface DispatchRecord {
  dispatchId: string;
  crewId: string;
  assetId: string;
  assignedAt: number;
  arrivedAt?: number;
  repairStartedAt?: number;
  repairedAt?: number;
  /** Minutes the crew was held by weather that stops work (on arrival, or pausing the repair). */
  heldMinutes?: number;
  status: DispatchStatus;
}

/** One crew's part of a plan: the assets it should repair, in order. */
export interface CrewAssignment {
  crewId: string;
  assetIds: string[];
}

export interface DispatchPlan {
  assignments: CrewAssignment[];
  /** The planner's short reasoning; kept in memory and traces. */
  reasoning?: string;
  /** Allow moving assets that are queued (not started) with another crew. */
  reassign?: boolean;
}

export interface PlanValidation {
  valid: boolean;
  errors: string[];
}

/** What the graph keeps of a dispatch so the world can be rebuilt: small, and replayable. */
export interface DispatchLogEntry {
  dispatchId: string;
  crewId: string;
  assetId: string;
  at: number;
  reassign?: boolean;
}

export interface DispatchResult {
  applied: DispatchLogEntry[];
  /** Dispatch ids that were already in the world (a replay): nothing changed for them. */
  alreadyApplied: string[];
}

export interface CrewSummary {
  id: string;
  skills: string[];
  x: number;
  y: number;
  status: "idle" | "travelling" | "on_hold" | "repairing";
  currentAsset?: string;
  queue: string[];
  capacityLeftHours: number;
  /** Minute at which it finishes its current work (estimated). */
  freeAt: number;
  /** Where it will be when its current work is done. */
  freeAtLocation: { x: number; y: number };
  /** When and where its current job (not its queue) ends. */
  busyUntil: number;
  busyUntilLocation: { x: number; y: number };
  /** Hours of work queued but not started (a plan with reassign may reorder it). */
  queuedWorkHours: number;
  speedKmh: number;
}

export interface CrewEstimate {
  crewId: string;
  assetId: string;
  /** Where in the crew's work the job was estimated (after its queue, before a queued job). */
  position?: string;
  /** Minute the crew sets off for it (its earlier work done). */
  departAt?: number;
  /** Minutes of travel from where the crew will be when it starts this job. */
  travelMinutes?: number;
  distanceKm?: number;
  /** Minute of the clock at which it would arrive / finish. */
  arrivalAt?: number;
  /** Minutes held by weather that stops work (on arrival, or pausing the repair): arrival + hold + repair = completion. */
  weatherHoldMinutes?: number;
  repairMinutes?: number;
  completionAt?: number;
  /** The weather at the asset when the crew arrives. */
  weatherAtArrival?: string;
  /** @deprecated the weather at arrival, as World.estimateJobs gives it. */
  weather?: string;
  /** Queued jobs of this crew that would start later because of it. */
  delaysQueuedJobs?: number;
  note?: string;
  error?: string;
}

export interface WeatherReport {
  location: string;
  x: number;
  y: number;
  condition: string;
  travelFactor: number;
  repairFactor: number;
  stopsWork: boolean;
  changesAt: number | null;
  /** The periods ahead at this place (including the current one), in order. */
  forecast?: { condition: string; from: number; to: number; stopsWork: boolean }[];
}

export type AlertKind = "damage" | "cascade" | "crew_free";

export interface Alert {
  kind: AlertKind;
  at: number;
  assets: string[];
  message: string;
}

export interface RestorationPoint {
  t: number;
  populationOut: number;
  weightedOut: number;
  criticalOut: number;
}

export interface EpisodeMetrics {
  /** Customer-minutes interrupted: population out of service × minutes. */
  customerMinutesInterrupted: number;
  /** The same, weighted by criticality. */
  weightedCustomerMinutesInterrupted: number;
  /** SAIDI-like: CMI divided by the total population served, in minutes. */
  saidiMinutes: number;
  criticalFacilityOutageHours: number;
  /** Minutes from start until nothing is damaged or out of service; null while not restored. */
  minutesToFullRestoration: number | null;
  populationOutNow: number;
  totalPopulation: number;
  restorationCurve: RestorationPoint[];
}
