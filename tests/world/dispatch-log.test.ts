/** The batched dispatch log gives back exactly the entries, in their order. */
import { describe, expect, it } from "vitest";
import { appendToBatches, dispatchLogTail, expandDispatchLog } from "../../src/world/dispatch-log.js";
import { proposeDispatchPlan } from "../../src/planning/optimizer.js";
import { loadScenario } from "../../src/world/scenario/load.js";
import { World } from "../../src/world/simulator.js";
import type { DispatchLogEntry } from "../../src/world/types.js";

describe("batched dispatch log", () => {
  it("round-trips a real incident's log, appended in pieces, and is smaller", () => {
    const world = new World(loadScenario("demo"));
    world.assignCrews(proposeDispatchPlan(world).plan);
    const log = world.dispatchLog();
    expect(log.length).toBeGreaterThan(1);
    let batches = appendToBatches([], log.slice(0, 1));
    batches = appendToBatches(batches, log.slice(1));
    expect(expandDispatchLog(batches)).toEqual(log);
    expect(JSON.stringify(batches).length).toBeLessThan(JSON.stringify(log).length);
  });

  it("keeps order and the reassign flag; does not change the log it appends to", () => {
    const e = (crewId: string, assetId: string, at: number, reassign = false): DispatchLogEntry => ({
      dispatchId: `${assetId}<-${crewId}@${at}`,
      crewId,
      assetId,
      at,
      ...(reassign ? { reassign: true } : {}),
    });
    const entries = [
      e("C1", "A", 0),
      e("C1", "B", 0),
      e("C2", "C", 0),
      e("C1", "D", 0),
      e("C1", "E", 12.5),
      e("C1", "F", 12.5, true),
    ];
    const first = appendToBatches([], entries.slice(0, 2));
    const frozen = JSON.stringify(first);
    const all = appendToBatches(first, entries.slice(2));
    expect(JSON.stringify(first)).toBe(frozen);
    expect(all).toHaveLength(5);
    expect(expandDispatchLog(all)).toEqual(entries);
    expect(expandDispatchLog(entries)).toEqual(entries);
    expect(dispatchLogTail(all)).toEqual({ size: entries.length, lastId: entries[entries.length - 1].dispatchId });
    expect(dispatchLogTail(entries)).toEqual(dispatchLogTail(all));
    expect(dispatchLogTail([])).toEqual({ size: 0, lastId: null });
  });
});
