/**
 * Stored "best known" plans: evaluation/references/<case>.json, one per case too large for exact
 * search. `npm run eval` re-simulates each stored plan (so the figure it prints is checked, not
 * trusted) and `npm run eval -- --refresh-references` searches again (long) and rewrites them.
 *
 * A fingerprint of the scenario (everything but its names and prose) is stored with the plan: a
 * reference made for another version of the case is reported stale, never used silently.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Scenario } from "../world/scenario/schema.js";
import { World } from "../world/simulator.js";
import type { DispatchPlan } from "../world/types.js";
import { oneShotPlanner, runEpisode } from "./episode.js";

/** <repo>/evaluation/references (this file is src/evaluation/references.ts). */
export const REFERENCES_DIR = join(
  resolve(dirname(fileURLToPath(import.meta.url)), "../.."),
  "evaluation",
  "references",
);

export interface ReferenceFile {
  case: string;
  fingerprint: string;
  plan: Pick<DispatchPlan, "assignments">;
  /** Its figures when it was found (the eval re-simulates and compares). */
  weightedCustomerMinutes: number;
  customerMinutes: number;
  criticalFacilityHours: number;
  found: {
    method: string;
    seed: number;
    restarts: number;
    evaluations: number;
    budget: number;
    /** The plans the search started from, with their weighted customer-minutes. */
    starts: { name: string; weightedCustomerMinutes: number }[];
    wallSeconds: number;
    date: string;
    node: string;
  };
}

export class ReferenceMismatch extends Error {}
export const isReferenceMismatch = (e: unknown): e is ReferenceMismatch => e instanceof ReferenceMismatch;

/** Hash of what decides a plan's cost: networks, dependencies, crews, damage, repair times, weather. */
export function scenarioFingerprint(s: Scenario): string {
  const { name: _n, description: _d, assumptions: _a, ...rest } = s;
  return createHash("sha256").update(JSON.stringify(rest)).digest("hex").slice(0, 16);
}

export function referencePath(caseName: string, dir = REFERENCES_DIR): string {
  return join(dir, `${caseName}.json`);
}

export function readReference(caseName: string, dir = REFERENCES_DIR): ReferenceFile | null {
  const path = referencePath(caseName, dir);
  if (!existsSync(path)) return null;
  return JSON.parse(readFileSync(path, "utf8")) as ReferenceFile;
}

export function writeReference(ref: ReferenceFile, dir = REFERENCES_DIR): void {
  mkdirSync(dir, { recursive: true });
  const plan = { assignments: ref.plan.assignments.map((a) => ({ crewId: a.crewId, assetIds: a.assetIds })) };
  writeFileSync(referencePath(ref.case, dir), `${JSON.stringify({ ...ref, plan }, null, 1)}\n`);
}

export interface ResimulatedReference {
  file: ReferenceFile;
  status: string;
  weightedCustomerMinutes: number;
  customerMinutes: number;
  criticalFacilityHours: number;
  minutesToFullRestoration: number | null;
  /** False when the scenario changed since the reference was found. */
  fresh: boolean;
  /** True when re-simulating gives the stored weighted customer-minutes (relative 1e-9). */
  matches: boolean;
}

/**
 * The stored plan sent at minute 0 and run through the same episode loop as the planners
 * (nothing is left to plan afterwards: every damaged asset is in it).
 */
export function resimulateReference(scenario: Scenario, file: ReferenceFile): ResimulatedReference {
  const episode = runEpisode(new World(scenario), oneShotPlanner({ assignments: file.plan.assignments }));
  const m = episode.metrics;
  const w = m.weightedCustomerMinutesInterrupted;
  return {
    file,
    status: episode.status,
    weightedCustomerMinutes: w,
    customerMinutes: m.customerMinutesInterrupted,
    criticalFacilityHours: m.criticalFacilityOutageHours,
    minutesToFullRestoration: m.minutesToFullRestoration,
    fresh: file.fingerprint === scenarioFingerprint(scenario),
    matches: Math.abs(w - file.weightedCustomerMinutes) <= 1e-9 * Math.max(1, Math.abs(file.weightedCustomerMinutes)),
  };
}
