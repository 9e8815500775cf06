/**
 * The simulator's world provider with its repositories instrumented: every dispatch the
 * system repository applies is recorded (wherever it was called from), and a hook may run
 * before any repository call, to fail it, slow it down or hang it.
 */
import { SimulatorWorldProvider } from "../../../src/graph/world-provider.js";
import type { SimulatedIncidentWorld, WorldKey } from "../../../src/planning/incident-world.js";
import type { AgentRepository, SystemRepository } from "../../../src/world/repositories.js";
import type { Scenario } from "../../../src/world/scenario/schema.js";
import type { DispatchResult } from "../../../src/world/types.js";

export type RepositoryHook = (repository: "system" | "agent", method: string, args: unknown[]) => void | Promise<void>;

export class InstrumentedWorldProvider extends SimulatorWorldProvider {
  /** Dispatch ids applied by the system repository, in order, from any caller. */
  readonly applied: string[] = [];
  /** Repository calls, as "system.detectFailures". */
  readonly calls: string[] = [];
  private readonly wrapped = new WeakSet<object>();

  constructor(
    scenario?: Scenario,
    private readonly hook?: RepositoryHook,
  ) {
    super(scenario ? { resolveScenario: () => scenario } : {});
  }

  override get(key: WorldKey): SimulatedIncidentWorld {
    const world = super.get(key);
    if (!this.wrapped.has(world)) {
      const w = world as { system: SystemRepository; agent: AgentRepository };
      w.system = this.instrument("system", w.system);
      w.agent = this.instrument("agent", w.agent);
      this.wrapped.add(world);
    }
    return world;
  }

  private instrument<T extends object>(repository: "system" | "agent", real: T): T {
    return new Proxy(real, {
      get: (target, prop, receiver) => {
        const value = Reflect.get(target, prop, receiver);
        if (typeof value !== "function" || typeof prop !== "string") return value;
        return (...args: unknown[]) => {
          this.calls.push(`${repository}.${prop}`);
          const call = () => {
            const out = (value as (...a: unknown[]) => unknown).apply(target, args);
            if (prop !== "assignCrews") return out;
            const record = (r: DispatchResult) => {
              for (const e of r.applied) this.applied.push(e.dispatchId);
              return r;
            };
            return out instanceof Promise ? out.then(record) : record(out as DispatchResult);
          };
          if (!this.hook) return call();
          const before = this.hook(repository, prop, args);
          return before instanceof Promise ? before.then(call) : call();
        };
      },
    });
  }
}
