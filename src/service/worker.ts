/**
 * Workers: take incident runs from the queue and run the graph on the incident's thread, with
 * the PostgreSQL checkpointer and durability "sync" (a step is saved before the next begins).
 * One run per incident at a time: the queue's `stately` policy per incident, and the incident's
 * lease (src/persistence/lease.ts: an advisory lock on a dedicated connection, freed by the
 * database if the worker dies, checked before every checkpoint write). A killed worker's job is retried after its heartbeat lapses and the graph
 * resumes from its last checkpoint; on SIGTERM a run drains at the next superstep boundary
 * (LangGraph's RunControl) and the incident is handed back to the queue.
 */
import { hostname } from "node:os";
import { Command, GraphDrained, RunControl, isGraphDrained } from "@langchain/langgraph";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import { buildGraph } from "../graph/graph.js";
import { GRAPH_RECURSION_LIMIT } from "../graph/configuration.js";
import type { AgentState } from "../graph/state.js";
import { expandDispatchLog } from "../world/dispatch-log.js";
import type { DispatchLogEntry } from "../world/types.js";
import type { GraphDeps } from "../graph/runtime.js";
import type { ServiceConfig } from "./config.js";
import type { Database } from "./db.js";
import { figuresOf } from "./field.js";
import { RUN_QUEUE, type JobQueue, type RunRequest } from "./jobs.js";
import { RealTimeWorldProvider, RegionClocks } from "./realtime-world.js";
import {
  addEvent,
  deliverPending,
  getIncidentRow,
  markDecisionApplied,
  nextDecision,
  priorEntries,
  recordDispatches,
  setIncident,
} from "./store.js";
import { describeUpdate } from "./run-events.js";
import { crashPoint, journalDelivered } from "../persistence/crash-points.js";
import { acquireLease, describeHolder, fencedSaver, type IncidentLease } from "../persistence/lease.js";
import { RUN_LEASE_WAIT_MS } from "../limits.js";
import { scrubbedTracing } from "../observability/tracing.js";

export const CHECKPOINT_SCHEMA = "langgraph";

export interface Workers {
  id: string;
  /** Drain: runs stop at their next superstep boundary, their incidents go back to the queue. */
  stop(): Promise<void>;
}

export interface WorkerOptions {
  db: Database;
  queue: JobQueue;
  config: ServiceConfig;
  count: number;
  log: (line: string) => void;
  model?: GraphDeps["model"];
}

/** PostgresSaver.setup() is not safe to run from several processes at once: take turns. */
async function setupSaver(db: Database): Promise<PostgresSaver> {
  const saver = db.embedded
    ? new PostgresSaver(db.pool, undefined, { schema: CHECKPOINT_SCHEMA })
    : PostgresSaver.fromConnString(db.url, { schema: CHECKPOINT_SCHEMA });
  if (db.embedded) {
    await saver.setup();
    return saver;
  }
  const client = await db.pool.connect();
  try {
    await client.query("SELECT pg_advisory_lock(hashtext('infra-fail-mngr:checkpoint-setup'))");
    try {
      await saver.setup();
    } finally {
      await client.query("SELECT pg_advisory_unlock(hashtext('infra-fail-mngr:checkpoint-setup'))");
    }
  } finally {
    client.release();
  }
  return saver;
}

export async function startWorkers(o: WorkerOptions): Promise<Workers> {
  const { db, queue, config, log } = o;
  const id = `${hostname()}:${process.pid}`;
  const clocks = new RegionClocks(db.pool);
  await clocks.refresh();
  const saver = await setupSaver(db);
  const worlds = new RealTimeWorldProvider(clocks);
  const app = buildGraph({ worlds, ...(o.model ? { model: o.model } : {}) }).compile({ checkpointer: saver });
  type Graph = typeof app;
  const controls = new Set<RunControl>();
  let draining = false;

  async function runJob(req: RunRequest): Promise<void> {
    if (draining) throw new Error("this worker is draining");
    // The embedded database is one session with one connection: a lease (an advisory lock)
    // would not exclude anything there. One process, one queue.
    if (db.embedded) return runIncident(req, app);
    // One writer per incident: the incident's lease (a session advisory lock on a dedicated
    // connection, freed by the server if this process dies), checked before every checkpoint
    // write. Held elsewhere: the queue's policy lets one run at a time, so the holder is a worker
    // that died or lost the queue (its heartbeat lapsed) and whose connection the server has not
    // closed yet (a machine gone silent: the lease connection's keepalive, about 25 s). Wait for it
    // (the job's heartbeat goes on) rather than spend the job's retries; then the job is retried.
    const lease: IncidentLease = await acquireLease(
      { setting: { kind: "postgres", url: db.url, schema: CHECKPOINT_SCHEMA }, saver },
      req.incidentId,
      {
        wait: true,
        waitTimeoutMs: RUN_LEASE_WAIT_MS,
        onWait: (h) => log(`[worker ${id}] ${req.incidentId}: its lease is held (${describeHolder(h)}); waiting`),
      },
    );
    try {
      const fenced = buildGraph({
        worlds,
        ...(o.model ? { model: o.model } : {}),
        sendDispatches: lease.dispatch,
      }).compile({
        checkpointer: fencedSaver(saver, lease),
      });
      await runIncident(req, fenced);
    } finally {
      await lease.release().catch(() => {});
    }
  }

  async function runIncident(req: RunRequest, app: Graph): Promise<void> {
    const incidentId = req.incidentId;
    const inc = await getIncidentRow(db.pool, incidentId);
    if (!inc || inc.closed_at) return;
    const region = config.regions.find((r) => r.name === inc.region);
    if (!region) {
      await setIncident(db.pool, incidentId, {
        status: "error",
        result: `region ${inc.region} is not served by this worker's configuration`,
      });
      return;
    }
    await clocks.refresh();
    worlds.bind(incidentId, region.name, await priorEntries(db.pool, region.name, incidentId));
    const control = new RunControl();
    const config_ = {
      configurable: {
        ...region.options,
        thread_id: incidentId,
        scenario: region.scenario,
        requireApproval: region.requireApproval,
        ...(region.seed !== undefined ? { seed: region.seed } : {}),
      },
      recursionLimit: GRAPH_RECURSION_LIMIT,
      durability: "sync" as const,
      control,
      // Traces go to LangSmith scrubbed of secrets (a model's 401 may echo the key).
      ...scrubbedTracing(),
    };
    const snapshot = await app.getState(config_);
    const waitingForOperator = snapshot.tasks.some((t) => (t.interrupts?.length ?? 0) > 0);
    const unfinished = snapshot.next.length > 0 || snapshot.tasks.length > 0;
    const decision = await nextDecision(db.pool, incidentId);
    let input: unknown;
    if (waitingForOperator) {
      if (!decision) {
        // Nothing to answer it with yet: the incident keeps waiting (its request is shown).
        const value = snapshot.tasks.flatMap((t) => t.interrupts ?? [])[0]?.value ?? null;
        await setIncident(db.pool, incidentId, {
          status: "awaiting_decision",
          decision_request: value as Record<string, unknown>,
        });
        return;
      }
      input = new Command({ resume: decision.decision });
    } else if (unfinished) {
      input = null; // a run that died or drained goes on from its last checkpoint
    } else {
      if (decision) await markDecisionApplied(db.pool, decision.id); // nothing was waiting for it
      input = {
        trigger: {
          kind: req.reason.kind,
          at: Math.round(clocks.minutes(region.name) * 100) / 100,
          message: req.reason.message,
        },
        incidentId,
      };
    }
    await setIncident(db.pool, incidentId, {
      status: "running",
      addRun: true,
      ...(waitingForOperator ? { decision_request: null } : {}),
    });
    await addEvent(db.pool, incidentId, "run_started", {
      worker: id,
      reason: req.reason,
      resumed: input === null,
      ...(decision && waitingForOperator ? { decision: decision.id } : {}),
    });
    let interrupted: unknown;
    try {
      controls.add(control);
      const stream = await app.stream(input as never, { ...config_, streamMode: "updates" } as never);
      for await (const chunk of stream as AsyncIterable<Record<string, unknown>>) {
        for (const [name, update] of Object.entries(chunk)) {
          if (name === "__interrupt__") {
            interrupted = (update as { value: unknown }[])[0]?.value;
            continue;
          }
          const u = (update ?? {}) as Omit<Partial<AgentState>, "dispatchLog"> & { dispatchLog?: DispatchLogEntry[] };
          await addEvent(db.pool, incidentId, "step", { state: name, ...describeUpdate(u as Partial<AgentState>) });
          for (const plan of u.planHistory ?? [])
            await addEvent(db.pool, incidentId, "plan", plan as unknown as Record<string, unknown>);
          if (u.dispatchLog?.length) {
            // Into the outbox as soon as the step is saved; the reconciliation below catches a crash in between.
            const fresh = await recordDispatches(db.pool, incidentId, region.name, u.dispatchLog);
            if (fresh.length)
              await addEvent(db.pool, incidentId, "dispatch", {
                dispatches: u.dispatchLog.filter((e) => fresh.includes(e.dispatchId)),
              });
          }
          // Test-only: the step is checkpointed and its events and dispatches recorded.
          crashPoint(`svc/${name}#${u.stepCount ?? "-"}@${u.clock ?? "-"}`);
        }
      }
    } catch (e) {
      if (!isGraphDrained(e) && !(e instanceof GraphDrained)) throw e;
      await reconcileOutbox(app, incidentId, region.name);
      await setIncident(db.pool, incidentId, { status: "open" });
      await addEvent(db.pool, incidentId, "drained", { worker: id, reason: (e as Error).message });
      await queue.enqueueRun({ incidentId, reason: { kind: "handback", message: `drained by ${id}` } });
      log(`[worker ${id}] ${incidentId}: drained at a superstep boundary, handed back`);
      return;
    } finally {
      controls.delete(control);
    }
    if (decision && waitingForOperator) await markDecisionApplied(db.pool, decision.id);
    const state = (await app.getState(config_)).values as AgentState;
    await reconcileOutbox(app, incidentId, region.name, state);
    await storeFigures(incidentId, state);
    if (interrupted !== undefined) {
      await setIncident(db.pool, incidentId, {
        status: "awaiting_decision",
        decision_request: interrupted as Record<string, unknown>,
      });
      await addEvent(db.pool, incidentId, "decision_requested", { request: interrupted as Record<string, unknown> });
      return;
    }
    await setIncident(db.pool, incidentId, {
      status: state.status === "error" ? "error" : "monitoring",
      ...(state.status === "error" ? { result: state.finalReason ?? "error" } : {}),
    });
    await addEvent(db.pool, incidentId, "run_ended", {
      status: state.status,
      reason: state.finalReason,
      worldMinute: state.clock,
    });
  }

  /**
   * The incident's figures (people and critical facilities out, minutes so far) from its
   * checkpointed state's world, at the end of each run: the incident list has them without the
   * field's watcher (--no-watch), which otherwise keeps them up to date between runs.
   */
  async function storeFigures(incidentId: string, state: AgentState): Promise<void> {
    try {
      const world = worlds.get({
        threadId: incidentId,
        scenario: state.scenario,
        seed: state.seed,
        dispatchLog: state.dispatchLog ?? [],
        clock: state.clock,
      });
      await setIncident(db.pool, incidentId, { figures: figuresOf(world.simulator) });
    } catch (e) {
      log(`[worker ${id}] ${incidentId}: figures not stored: ${(e as Error).message}`);
    }
  }

  /** Every dispatch in the incident's checkpointed log is in the outbox (idempotent). */
  async function reconcileOutbox(app: Graph, incidentId: string, region: string, state?: AgentState): Promise<void> {
    const values = state ?? ((await app.getState({ configurable: { thread_id: incidentId } })).values as AgentState);
    const entries = expandDispatchLog(values.dispatchLog ?? []);
    const fresh = await recordDispatches(db.pool, incidentId, region, entries);
    if (fresh.length)
      await addEvent(db.pool, incidentId, "dispatch", {
        dispatches: entries.filter((e) => fresh.includes(e.dispatchId)),
        recovered: true,
      });
  }

  await queue.boss.work<RunRequest>(
    RUN_QUEUE,
    { localConcurrency: o.count, pollingIntervalSeconds: 0.5, batchSize: 1 },
    async (jobs) => {
      for (const job of jobs) {
        try {
          await runJob(job.data);
        } catch (e) {
          log(`[worker ${id}] ${job.data.incidentId}: ${(e as Error).message}`);
          throw e;
        }
      }
    },
  );

  // The deliverer: dispatches leave through the outbox, each delivered once (rows are locked).
  // The simulated field reads what was delivered; a utility's gateway would send it here. A
  // worker killed between sending and the commit leaves the rows undelivered: another sends them
  // again (at least once), so a gateway keys on the dispatch id. Tests journal what is sent.
  let delivering = false;
  const deliverer = setInterval(() => {
    if (delivering) return;
    delivering = true;
    deliverPending(db.pool, id, async (rows) => journalDelivered(rows.map((r) => r.dispatchId)))
      .catch((e) => log(`[deliver] ${(e as Error).message}`))
      .finally(() => {
        delivering = false;
      });
  }, 100);
  const clockTimer = setInterval(() => {
    clocks.refresh().catch(() => {});
  }, 250);

  return {
    id,
    async stop() {
      if (draining) return;
      draining = true;
      for (const c of controls) c.requestDrain("SIGTERM: the worker is stopping");
      await queue.boss.offWork(RUN_QUEUE, { wait: true }).catch(() => {});
      clearInterval(deliverer);
      clearInterval(clockTimer);
      if (!db.embedded) await saver.end().catch(() => {});
    },
  };
}
