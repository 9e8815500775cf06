/**
 * A world rebuilt from a dispatch log that grows at its end (the field's deliveries), without
 * replaying the whole log each time: the log's prefix is replayed once onto a `frontier` world
 * that stands at the minute of its last entry; new entries are appended to it; the world shown
 * (`at(minute)`) is a copy of the frontier advanced to that minute. Equal to World.replay of
 * the whole log (tests/world/incremental-replay.test.ts). An entry that cannot be appended (out
 * of minute order, or at the minute of the last entry already applied, where World.replay would
 * have applied both together) is refused: the caller replays from scratch.
 */
import type { Scenario } from "./scenario/schema.js";
import { World, type WorldOptions } from "./simulator.js";
import type { DispatchLogEntry } from "./types.js";

export class IncrementalReplay {
  private frontier: World;
  private lastAt = Number.NEGATIVE_INFINITY;
  private view: World | undefined;
  private count = 0;

  constructor(scenario: Scenario, options: WorldOptions = {}, log: readonly DispatchLogEntry[] = []) {
    this.frontier = World.replay(scenario, log, 0, options);
    this.count = log.length;
    this.lastAt = log.reduce((m, e) => Math.max(m, e.at), Number.NEGATIVE_INFINITY);
  }

  /** Entries applied so far (the log's length). */
  get applied(): number {
    return this.count;
  }

  /** Append entries that follow the log; false, changing nothing, when they cannot be (replay from scratch). */
  append(entries: readonly DispatchLogEntry[]): boolean {
    if (!entries.length) return true;
    if (entries[0].at <= this.lastAt || entries[0].at < this.frontier.now()) return false;
    for (let i = 1; i < entries.length; i++) if (entries[i].at < entries[i - 1].at) return false;
    this.frontier.appendLog(entries);
    this.lastAt = entries[entries.length - 1].at;
    this.count += entries.length;
    this.view = undefined;
    return true;
  }

  /** The world at `minute` (at least the last entry's minute); advanced in place between appends. */
  at(minute: number): World {
    if (!this.view || this.view.now() > minute) this.view = this.frontier.clone();
    this.view.advanceTo(Math.max(minute, this.view.now()));
    return this.view;
  }
}
