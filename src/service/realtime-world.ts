/**
 * The world in scaled real time, behind the graph's WorldProvider interface: a region's world
 * minute is (wall clock - the region's epoch) x speed (or a minute set by hand: --clock manual,
 * for tests). The world is the simulator rebuilt from the dispatch log, as in the CLI, but it
 * stands at the region's present: RESCHEDULING waits for the world's clock (a bounded wall
 * time) instead of advancing it. The clocks live in PostgreSQL, so every process on every
 * machine sees the same minute.
 */
import type pg from "pg";
import { REALTIME_RESCHEDULE_MAX_WAIT_MS } from "../limits.js";
import { dispatchLogTail, expandDispatchLog } from "../world/dispatch-log.js";
import { loadScenario } from "../world/scenario/load.js";
import type { Scenario } from "../world/scenario/schema.js";
import { World } from "../world/simulator.js";
import type { Alert, DispatchLogEntry, DispatchPlan } from "../world/types.js";
import type { PlanConstraints } from "../planning/constraints.js";
import {
  ALERT_BATCH_MINUTES,
  LARGE_INCIDENT_DAMAGE,
  SimulatedIncidentWorld,
  type IncidentWorld,
  type WorldKey,
  type WorldProvider,
} from "../graph/world-provider.js";
import { readClocks, type ClockRow } from "./store.js";

export class RegionClocks {
  private readonly rows = new Map<string, ClockRow>();
  constructor(private readonly pool: pg.Pool) {}

  async refresh(): Promise<void> {
    for (const r of await readClocks(this.pool)) this.rows.set(r.region, r);
  }

  /** The region's world minute now. */
  minutes(region: string): number {
    const r = this.rows.get(region);
    if (!r) throw new Error(`no world clock for region ${region}`);
    return r.manualMinutes ?? Math.max(0, ((Date.now() - r.epochMs) * r.speed) / 60_000);
  }

  /** Wall time (ms since 1970) of a world minute of the region: its clock's epoch plus the minutes at its speed (1 for a manual clock). */
  wallTimeOf(region: string, minute: number): number {
    const r = this.rows.get(region);
    if (!r) throw new Error(`no world clock for region ${region}`);
    return r.epochMs + (minute * 60_000) / (r.manualMinutes != null ? 1 : r.speed);
  }

  manual(region: string): boolean {
    return this.rows.get(region)?.manualMinutes != null;
  }
}

/** An incident's world standing at its region's present. */
export class RealTimeIncidentWorld implements IncidentWorld {
  constructor(
    private readonly inner: SimulatedIncidentWorld,
    private readonly clock: () => number,
    private readonly maxWaitMs: () => number,
  ) {}
  get system() {
    return this.inner.system;
  }
  get agent() {
    return this.inner.agent;
  }
  get simulator() {
    return this.inner.simulator;
  }
  now() {
    return this.inner.now();
  }
  dispatchLog() {
    return this.inner.dispatchLog();
  }
  proposeDispatchPlan(assetIds?: string[], constraints?: PlanConstraints) {
    return this.inner.proposeDispatchPlan(assetIds, constraints);
  }
  proposalById(id: string) {
    return this.inner.proposalById(id);
  }
  expectPlan(plan: DispatchPlan) {
    return this.inner.expectPlan(plan);
  }
  metrics() {
    return this.inner.metrics();
  }
  dispatches() {
    return this.inner.dispatches();
  }
  assetLabels(ids: readonly string[]) {
    return this.inner.assetLabels(ids);
  }

  /** Catch up with the region's clock. */
  catchUp(): void {
    const t = this.clock();
    if (t > this.inner.now()) this.inner.simulator.advanceTo(t);
  }

  async waitForChange(maxMinutes: number): Promise<Alert[]> {
    const until = this.inner.now() + maxMinutes;
    const deadline = Date.now() + this.maxWaitMs();
    const batch = this.inner.simulator.damagedCount() > LARGE_INCIDENT_DAMAGE ? ALERT_BATCH_MINUTES : 0;
    for (;;) {
      const alerts = this.inner.simulator.advanceUntilAlert(Math.min(this.clock(), until), batch);
      if (alerts.length || this.inner.now() >= until || Date.now() >= deadline) return alerts;
      await new Promise((r) => setTimeout(r, Math.min(100, Math.max(1, deadline - Date.now()))));
    }
  }
}

interface Binding {
  region: string;
  prior: DispatchLogEntry[];
}

export class RealTimeWorldProvider implements WorldProvider {
  private readonly cache = new Map<string, { key: string; world: RealTimeIncidentWorld }>();
  private readonly bindings = new Map<string, Binding>();
  private readonly scenarios = new Map<string, Scenario>();
  constructor(
    private readonly clocks: RegionClocks,
    private readonly options: { maxWaitMs?: number; resolveScenario?: (ref: string) => Scenario } = {},
  ) {}

  /** Tell the provider which region an incident is in, and the region's dispatches before it. */
  bind(threadId: string, region: string, prior: DispatchLogEntry[] = []): void {
    const old = this.bindings.get(threadId);
    if (old && (old.region !== region || old.prior.length !== prior.length)) this.cache.delete(threadId);
    this.bindings.set(threadId, { region, prior });
  }

  release(threadId: string): void {
    this.bindings.delete(threadId);
    this.cache.delete(threadId);
  }

  scenario(ref: string): Scenario {
    let s = this.scenarios.get(ref);
    if (!s) {
      s = (this.options.resolveScenario ?? loadScenario)(ref);
      this.scenarios.set(ref, s);
    }
    return s;
  }

  get(key: WorldKey): RealTimeIncidentWorld {
    const binding = this.bindings.get(key.threadId);
    if (!binding) throw new Error(`incident ${key.threadId} is not bound to a region in this worker`);
    const clock = () => Math.max(key.clock, this.clocks.minutes(binding.region));
    const maxWait = () =>
      this.clocks.manual(binding.region) ? 0 : (this.options.maxWaitMs ?? REALTIME_RESCHEDULE_MAX_WAIT_MS);
    const cacheKey = `${key.scenario}|${key.seed ?? ""}`;
    const hit = this.cache.get(key.threadId);
    if (hit && hit.key === cacheKey && inStep(hit.world.simulator, binding.prior, key)) {
      hit.world.catchUp();
      return hit.world;
    }
    const log = [...binding.prior, ...expandDispatchLog(key.dispatchLog)];
    const seed = key.seed ?? undefined;
    const sim = World.replay(this.scenario(key.scenario), log, clock(), seed === undefined ? {} : { seed });
    const world = new RealTimeIncidentWorld(
      new SimulatedIncidentWorld(sim),
      () => Math.max(key.clock, this.clocks.minutes(binding.region)),
      maxWait,
    );
    this.cache.set(key.threadId, { key: cacheKey, world });
    return world;
  }
}

/** The cached world has exactly the state's dispatches (after the region's earlier ones). */
function inStep(world: World, prior: readonly DispatchLogEntry[], key: WorldKey): boolean {
  const log = world.dispatchLog();
  const tail = dispatchLogTail(key.dispatchLog);
  if (log.length !== prior.length + tail.size) return false;
  if (tail.size === 0)
    return log.length === 0 || log[log.length - 1].dispatchId === prior[prior.length - 1]?.dispatchId;
  return log[log.length - 1].dispatchId === tail.lastId;
}
