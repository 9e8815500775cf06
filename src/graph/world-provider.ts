/**
 * Where the graph finds its world. The graph knows the world only through `IncidentWorld`
 * (src/planning/incident-world.ts) and the repositories; the default provider runs the simulator, rebuilt deterministically from
 * (scenario, seed, dispatch log, clock) and cached per thread, so concurrent incidents stay
 * apart and a resumed or server-side run finds the same world.
 */
import { SimulatedIncidentWorld, type WorldKey, type WorldProvider } from "../planning/incident-world.js";
import { dispatchLogTail, expandDispatchLog } from "../world/dispatch-log.js";
import { loadScenario } from "../world/scenario/load.js";
import type { Scenario } from "../world/scenario/schema.js";
import { World } from "../world/simulator.js";

// The interfaces and the simulator adapter live below the tools now; re-exported for code written against this module.
export {
  SimulatedIncidentWorld,
  type IncidentWorld,
  type WorldKey,
  type WorldProvider,
} from "../planning/incident-world.js";
export { ALERT_BATCH_MINUTES, LARGE_INCIDENT_DAMAGE } from "../limits.js";

export interface SimulatorProviderOptions {
  /** Turn a scenario reference into a scenario (default: shipped names, JSON files, CSV folders). */
  resolveScenario?: (ref: string) => Scenario;
  /** How many incidents' worlds to keep in memory. */
  maxCached?: number;
}

export class SimulatorWorldProvider implements WorldProvider {
  private readonly cache = new Map<string, { scenario: string; seed?: number; world: SimulatedIncidentWorld }>();
  private readonly scenarios = new Map<string, Scenario>();
  constructor(private readonly options: SimulatorProviderOptions = {}) {}

  scenario(ref: string): Scenario {
    let s = this.scenarios.get(ref);
    if (!s) {
      s = (this.options.resolveScenario ?? loadScenario)(ref);
      this.scenarios.set(ref, s);
    }
    return s;
  }

  get(key: WorldKey): SimulatedIncidentWorld {
    const seed = key.seed ?? undefined;
    const hit = this.cache.get(key.threadId);
    if (hit && hit.scenario === key.scenario && hit.seed === seed && inStep(hit.world.simulator, key)) {
      hit.world.simulator.advanceTo(key.clock);
      this.touch(key.threadId, hit);
      return hit.world;
    }
    const scenario = this.scenario(key.scenario);
    const world = new SimulatedIncidentWorld(
      World.replay(scenario, expandDispatchLog(key.dispatchLog), key.clock, seed === undefined ? {} : { seed }),
    );
    this.touch(key.threadId, { scenario: key.scenario, seed, world });
    return world;
  }

  /** The cached world of an incident, if any, without rebuilding it. */
  peek(threadId: string): World | undefined {
    return this.cache.get(threadId)?.world.simulator;
  }

  /** Forget an incident's world (it will be rebuilt from state if asked for again). */
  evict(threadId: string): void {
    this.cache.delete(threadId);
  }

  private touch(threadId: string, entry: { scenario: string; seed?: number; world: SimulatedIncidentWorld }) {
    this.cache.delete(threadId);
    this.cache.set(threadId, entry);
    const max = this.options.maxCached ?? 64;
    while (this.cache.size > max) this.cache.delete(this.cache.keys().next().value!);
  }
}

/** The cached world matches the state: same dispatches, and not ahead of its clock. */
function inStep(world: World, key: WorldKey): boolean {
  // Every node asks for its world: compare the logs' sizes and last ids without expanding them.
  const log = world.dispatchLog();
  const wanted = dispatchLogTail(key.dispatchLog);
  if (log.length !== wanted.size || world.now() > key.clock) return false;
  return log.length === 0 || log[log.length - 1].dispatchId === wanted.lastId;
}

/** The process-wide default, used by the exported graph (CLI, Studio, scripts). */
export const defaultWorldProvider = new SimulatorWorldProvider();
