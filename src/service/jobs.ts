/**
 * The job queue: pg-boss on the service's PostgreSQL. One queue of incident runs, policy
 * `stately` keyed by incident id: at most one run active per incident across every worker,
 * and at most one waiting behind it (a later trigger while one waits adds nothing: the waiting
 * run reads the incident's latest state when it starts). A worker that dies stops sending
 * heartbeats; pg-boss fails its job after RUN_HEARTBEAT_SECONDS and retries it elsewhere.
 *
 * Takeover depends on three pg-boss timers besides the heartbeat, all set here (their defaults
 * made a killed worker's run wait up to three minutes). A monitor pass (every
 * RUN_QUEUE_MONITOR_SECONDS, across all processes) first records which singleton keys have an
 * active job (`queue.singletons_active`), then fails the jobs whose heartbeat lapsed. Every
 * fetch skips the keys in that list as each process last read it (every RUN_QUEUE_CACHE_SECONDS).
 * So a job failed by one pass stays unfetchable until the next pass has dropped its incident from
 * the list and the workers have re-read it. Worst case after a SIGKILL, in docs/operations.md.
 */
import { PgBoss } from "pg-boss";
import type pg from "pg";
import {
  RUN_HEARTBEAT_SECONDS,
  RUN_JOB_KEEP_SECONDS,
  RUN_QUEUE_CACHE_SECONDS,
  RUN_QUEUE_MAINTENANCE_SECONDS,
  RUN_QUEUE_MONITOR_SECONDS,
  RUN_QUEUE_SUPERVISE_SECONDS,
  RUN_RETRY_LIMIT,
} from "../limits.js";
import type { Queryable } from "./store.js";

export const RUN_QUEUE = "incident-run";
export const BOSS_SCHEMA = "pgboss";

export type RunReasonKind = "alert" | "world" | "operator" | "decision" | "handback";
export interface RunRequest {
  incidentId: string;
  reason: { kind: RunReasonKind; message: string };
}

export interface JobQueue {
  boss: PgBoss;
  /** Queue a run of an incident; false when one is already waiting. Inside `db`'s transaction when given. */
  enqueueRun(req: RunRequest, db?: Queryable): Promise<boolean>;
  stop(): Promise<void>;
}

export interface QueueOptions {
  /** How often pg-boss looks for jobs whose worker went silent (seconds). */
  superviseIntervalSeconds?: number;
  heartbeatSeconds?: number;
}

/** `shared`: run pg-boss over this pool instead of its own connections (the embedded database). */
export async function startQueue(url: string, options: QueueOptions = {}, shared?: pg.Pool): Promise<JobQueue> {
  const boss = new PgBoss({
    ...(shared
      ? { db: { executeSql: (text: string, values?: unknown[]) => shared.query(text, values as unknown[]) } }
      : { connectionString: url, max: 4 }),
    schema: BOSS_SCHEMA,
    superviseIntervalSeconds: options.superviseIntervalSeconds ?? RUN_QUEUE_SUPERVISE_SECONDS,
    monitorIntervalSeconds: RUN_QUEUE_MONITOR_SECONDS,
    queueCacheIntervalSeconds: RUN_QUEUE_CACHE_SECONDS,
    maintenanceIntervalSeconds: RUN_QUEUE_MAINTENANCE_SECONDS,
    // The service keeps its own history: no cron, no schedules.
    schedule: false,
  } as ConstructorParameters<typeof PgBoss>[0]);
  boss.on("error", (e: Error) => console.error(`[queue] ${e.message}`));
  await boss.start();
  const heartbeatSeconds = options.heartbeatSeconds ?? RUN_HEARTBEAT_SECONDS;
  const settings = {
    heartbeatSeconds,
    retryLimit: RUN_RETRY_LIMIT,
    retryDelay: 1,
    expireInSeconds: 3600,
    deleteAfterSeconds: RUN_JOB_KEEP_SECONDS,
  };
  const existing = await boss.getQueue(RUN_QUEUE);
  if (!existing) {
    await boss.createQueue(RUN_QUEUE, { policy: "stately", ...settings }).catch((e: Error) => {
      if (!/exists/i.test(e.message)) throw e;
    });
  } else if (
    existing.heartbeatSeconds !== settings.heartbeatSeconds ||
    existing.deleteAfterSeconds !== settings.deleteAfterSeconds
  ) {
    // A queue made by an earlier version keeps its settings until told.
    await boss.updateQueue(RUN_QUEUE, settings);
  }
  return {
    boss,
    async enqueueRun(req, db) {
      const id = await boss.send(RUN_QUEUE, req as unknown as object, {
        singletonKey: req.incidentId,
        retryLimit: RUN_RETRY_LIMIT,
        retryDelay: 1,
        ...(db
          ? {
              db: {
                executeSql: (text: string, values?: unknown[]) => (db as pg.Pool).query(text, values as unknown[]),
              },
            }
          : {}),
      });
      return id !== null;
    },
    stop: () => boss.stop({ graceful: true, timeout: 10_000 }),
  };
}
