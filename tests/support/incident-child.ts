/**
 * A child process for the crash tests: runs (or resumes) one incident on the offline planner
 * with a given checkpoint store, and prints one JSON line with its outcome on stdout.
 *
 *   tsx tests/support/incident-child.ts --checkpoint SETTING --incident ID [--resume]
 *       [--scenario demo] [--seed N] [--radio FILE]
 *
 * --radio FILE stands for the crews' radios, the world outside the agent: each dispatch is
 * sent on its own (appended to FILE, synchronously, before the next one), with a crash point
 * between two dispatches. A process killed there has sent some dispatches that its
 * checkpoint does not know; the resumed EXECUTION sends them again with the same dispatch
 * ids, which the radio side recognises as duplicates.
 *
 * Crash points are armed by INFRA_CRASH_LEDGER / INFRA_CRASH_TRACE (src/persistence/crash-points.ts).
 */
import { appendFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { SimulatorWorldProvider } from "../../src/graph/world-provider.js";
import type { SimulatedIncidentWorld, WorldKey } from "../../src/planning/incident-world.js";
import { runIncident } from "../../src/incident/runner.js";
import { openCheckpointer } from "../../src/persistence/checkpointer.js";
import { crashPoint } from "../../src/persistence/crash-points.js";
import type { SystemRepository } from "../../src/world/repositories.js";
import type { DispatchLogEntry, DispatchPlan, DispatchResult } from "../../src/world/types.js";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    checkpoint: { type: "string", default: "memory" },
    incident: { type: "string" },
    resume: { type: "boolean", default: false },
    scenario: { type: "string", default: "demo" },
    seed: { type: "string" },
    radio: { type: "string" },
  },
});

/** The system repository as the crews' radios see it: one dispatch at a time. */
function radioSystem(real: SystemRepository, radioFile: string): SystemRepository {
  const system = Object.create(real) as SystemRepository;
  system.assignCrews = async (plan: DispatchPlan): Promise<DispatchResult> => {
    const singles = plan.assignments.flatMap((a) => a.assetIds.map((assetId) => ({ crewId: a.crewId, assetId })));
    const applied: DispatchLogEntry[] = [];
    const alreadyApplied: string[] = [];
    for (const [i, d] of singles.entries()) {
      const r = await real.assignCrews({
        assignments: [{ crewId: d.crewId, assetIds: [d.assetId] }],
        reasoning: plan.reasoning,
        ...(plan.reassign ? { reassign: true } : {}),
      });
      applied.push(...r.applied);
      alreadyApplied.push(...r.alreadyApplied);
      for (const e of r.applied)
        appendFileSync(radioFile, `${JSON.stringify({ pid: process.pid, dispatchId: e.dispatchId })}\n`);
      if (i < singles.length - 1)
        crashPoint(`radio:${r.applied[0]?.dispatchId ?? r.alreadyApplied[0]}:between-dispatches`);
    }
    return { applied, alreadyApplied };
  };
  return system;
}

class RadioWorldProvider extends SimulatorWorldProvider {
  private readonly wrapped = new WeakSet<object>();
  constructor(private readonly radioFile: string) {
    super();
  }
  override get(key: WorldKey): SimulatedIncidentWorld {
    const world = super.get(key);
    if (!this.wrapped.has(world)) {
      (world as { system: SystemRepository }).system = radioSystem(world.system, this.radioFile);
      this.wrapped.add(world);
    }
    return world;
  }
}

async function main() {
  if (!values.incident) throw new Error("--incident is required");
  const store = await openCheckpointer(values.checkpoint!);
  try {
    // A process killed before its first checkpoint was written left nothing to resume (and
    // had dispatched nothing): the incident starts again.
    const known =
      values.resume &&
      (await store.saver.getTuple({ configurable: { thread_id: values.incident, checkpoint_ns: "" } }));
    const result = await runIncident({
      incidentId: values.incident,
      scenario: values.scenario,
      checkpointer: store.saver,
      resume: Boolean(known),
      worlds: values.radio ? new RadioWorldProvider(values.radio) : new SimulatorWorldProvider(),
      config: {
        model: "offline",
        protocol: "tools",
        ...(values.seed !== undefined ? { seed: Number(values.seed) } : {}),
      },
    });
    const { restorationCurve: _curve, ...figures } = result.metrics;
    process.stdout.write(
      `${JSON.stringify({
        status: result.status,
        reason: result.reason,
        figures,
        dispatches: result.dispatches,
        dispatchLog: result.finalState.dispatchLog,
        counters: result.counters,
        plans: result.finalState.planHistory.map((p) => ({
          at: p.at,
          source: p.source,
          valid: p.valid,
          plan: p.plan.assignments,
        })),
      })}\n`,
    );
  } finally {
    await store.close();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`incident-child: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);
