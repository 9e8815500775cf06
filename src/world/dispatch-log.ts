/**
 * The dispatch log in the compact form graph state keeps: consecutive dispatches of one crew at
 * one minute are one batch, and dispatch ids are derived, not stored. A city-sized incident sends
 * thousands of dispatches; as one object each (with its id) the log alone outgrew a checkpoint.
 * Expanding a batched log gives back exactly the entries, in their order.
 */
import type { DispatchLogEntry } from "./types.js";

export interface DispatchBatch {
  at: number;
  crewId: string;
  assetIds: string[];
  reassign?: boolean;
}

/** The id of a dispatch: which asset, which crew, at which minute (what makes it idempotent). */
export function dispatchIdOf(crewId: string, assetId: string, at: number): string {
  return `${assetId}<-${crewId}@${Math.round(at * 100) / 100}`;
}

function isBatch(x: DispatchLogEntry | DispatchBatch): x is DispatchBatch {
  return Array.isArray((x as DispatchBatch).assetIds);
}

/** Entries, from a batched log or from entries (returned as they are). */
export function expandDispatchLog(log: readonly (DispatchLogEntry | DispatchBatch)[]): DispatchLogEntry[] {
  const out: DispatchLogEntry[] = [];
  for (const x of log) {
    if (!isBatch(x)) {
      out.push(x);
      continue;
    }
    for (const assetId of x.assetIds) {
      out.push({
        dispatchId: dispatchIdOf(x.crewId, assetId, x.at),
        crewId: x.crewId,
        assetId,
        at: x.at,
        ...(x.reassign ? { reassign: true } : {}),
      });
    }
  }
  return out;
}

/** How many dispatches a log holds and the id of the last one, without expanding it. */
export function dispatchLogTail(log: readonly (DispatchLogEntry | DispatchBatch)[]): {
  size: number;
  lastId: string | null;
} {
  let size = 0;
  for (const x of log) size += isBatch(x) ? x.assetIds.length : 1;
  const last = log[log.length - 1];
  if (!last) return { size, lastId: null };
  return {
    size,
    lastId: isBatch(last)
      ? dispatchIdOf(last.crewId, last.assetIds[last.assetIds.length - 1], last.at)
      : last.dispatchId,
  };
}

/** Appends entries to a batched log (a new array; `log` is not changed). */
export function appendToBatches(log: readonly DispatchBatch[], entries: readonly DispatchLogEntry[]): DispatchBatch[] {
  const out = log.slice();
  // The last batch is copied before it grows, once: batches already in `log` stay as they were.
  let ownLast = false;
  for (const e of entries) {
    const last = out[out.length - 1];
    if (last && last.at === e.at && last.crewId === e.crewId && Boolean(last.reassign) === Boolean(e.reassign)) {
      if (!ownLast) {
        out[out.length - 1] = { ...last, assetIds: [...last.assetIds] };
        ownLast = true;
      }
      out[out.length - 1].assetIds.push(e.assetId);
    } else {
      ownLast = true;
      out.push({ at: e.at, crewId: e.crewId, assetIds: [e.assetId], ...(e.reassign ? { reassign: true } : {}) });
    }
  }
  return out;
}
