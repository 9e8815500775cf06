/**
 * How urgent a damaged asset's repair is, in one place: what orders the failure list, the
 * impacts the graph keeps, and what the planning model is shown. An asset whose repair saves a
 * critical facility running on backup (a hospital on its generator) comes before any amount of
 * population; among the rest, the criticality-weighted population it keeps out of service.
 */
import type { ImpactReport } from "../world/types.js";

/** What urgency is judged on: from an impact report, or from the memory kept of one. */
export interface UrgencyFacts {
  weightedPopulationOut: number;
  /** Its repair restores a critical facility that is running on backup. */
  savesCriticalBackup?: boolean;
}

/** Added for a critical facility on backup: above any weighted population a network has. */
const CRITICAL_BACKUP_BOOST = 1e12;

export function urgency(f: UrgencyFacts): number {
  return f.weightedPopulationOut + (f.savesCriticalBackup ? CRITICAL_BACKUP_BOOST : 0);
}

/** Whether a report's asset restores a critical facility on backup. */
export function savesCriticalBackup(r: Pick<ImpactReport, "backupsRunningOut">): boolean {
  return r.backupsRunningOut.some((b) => b.critical);
}

/** The urgency facts of an impact report. */
export function urgencyOfReport(r: Pick<ImpactReport, "weightedPopulationOut" | "backupsRunningOut">): number {
  return urgency({ weightedPopulationOut: r.weightedPopulationOut, savesCriticalBackup: savesCriticalBackup(r) });
}

/** Most urgent first; ties by id, so the order is the same in every process. */
export function byUrgency<T>(urgencyOf: (item: T) => number, idOf: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => urgencyOf(b) - urgencyOf(a) || (idOf(a) < idOf(b) ? -1 : idOf(a) > idOf(b) ? 1 : 0);
}
