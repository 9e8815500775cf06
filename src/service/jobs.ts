/**
 * The job queue: pg-boss on the service's PostgreSQL. One queue of incident runs, policy
 * `stately` keyed by incident id: at most one run active per incident across every worker,
 * and at most one waiting behind it (a later trigger while one waits adds nothing: the waiting
 * run reads the incident's latest state when it starts). A worker that dies stops sending
 * heartbeats; pg-boss fails its job after RUN_HEARTBEAT_SECONDS and retries it elsewhere.
 */
import { PgBoss } from "pg-boss";
import type pg from "pg";
import { RUN_HEARTBEAT_SECONDS, RUN_RETRY_LIMIT } from "../limits.js";
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
    superviseIntervalSeconds: options.superviseIntervalSeconds ?? 5,
    // The service keeps its own history: no cron, no schedules.
    schedule: false,
  } as ConstructorParameters<typeof PgBoss>[0]);
  boss.on("error", (e: Error) => console.error(`[queue] ${e.message}`));
  await boss.start();
  const heartbeatSeconds = options.heartbeatSeconds ?? RUN_HEARTBEAT_SECONDS;
  const existing = await boss.getQueue(RUN_QUEUE);
  if (!existing) {
    await boss
      .createQueue(RUN_QUEUE, {
        policy: "stately",
        heartbeatSeconds,
        retryLimit: RUN_RETRY_LIMIT,
        retryDelay: 1,
        expireInSeconds: 3600,
      })
      .catch((e: Error) => {
        if (!/exists/i.test(e.message)) throw e;
      });
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
