/**
 * One writer per incident. A process takes the incident's lease before it runs (or resumes)
 * the incident, and checks it before each checkpoint write (`fencedSaver`); a second process
 * is told who holds it (pid, host, since) and gives up (`IncidentHeld`), or waits.
 *
 *   PostgreSQL  a session advisory lock, held on a dedicated connection for as long as the
 *               process runs the incident. A dead process's connection closes and the server
 *               frees its lock at once; a dead machine's is dropped by the server's TCP keepalive
 *               (set on the connection: about 25 s). The holder is written to `infra_incident_leases` (for
 *               the message); each check asks the server whether this connection still holds
 *               the lock.
 *   SQLite      a row in `infra_incident_leases` of the same file, taken in a `BEGIN IMMEDIATE`
 *               transaction (one writer at a time): a row whose process is gone (same host, pid
 *               not alive or started at another time) is taken over. Each check reads the row's
 *               token back.
 *   memory      a lease in this process only (nothing else can see the store).
 *
 * Checking is not enough: every write is fenced in its own transaction (`fencing.ts`): the
 * checkpoint writes (`fencedSaver`) and the sending of dispatches (`lease.dispatch`, which also
 * keeps the outbox of ids sent). A PostgreSQL lease is lost when its lock connection is
 * (network, server restart, a keepalive or idle timeout, pg_terminate_backend); a process that
 * was paused meanwhile finds, when it goes on, its next write refused.
 *
 * The interface is small so that other runners (a job queue's worker) take the same lease.
 *
 * Size: one lease per store kind (PostgreSQL, SQLite, memory), each with its fenced dispatch; the
 * write fence itself is in fencing.ts.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import {
  LEASE_KEEPALIVE_IDLE_SECONDS,
  LEASE_KEEPALIVE_INTERVAL_SECONDS,
  LEASE_KEEPALIVE_PROBES,
  LEASE_WAIT_POLL_MS,
} from "../limits.js";
import { type CheckpointSetting, redactUrl } from "./checkpointer.js";
import { pausePoint } from "./crash-points.js";
import {
  assertPgFence,
  assertSqliteFence,
  type DispatchSender,
  type LeaseFence,
  LeaseLost,
  type SqliteDb,
  sqliteWriteTransaction,
} from "./fencing.js";
import { newPgClient, type PgClient, withSetupLock } from "./pg.js";

export { type DispatchSender, fencedSaver, isLeaseLost, LeaseLost } from "./fencing.js";

export interface LeaseHolder {
  pid: number;
  host: string;
  /** ISO time the lease was taken. */
  since: string;
}

export interface IncidentLease {
  readonly incidentId: string;
  readonly holder: LeaseHolder;
  /** Throws LeaseLost when this process no longer holds the incident. */
  check(): Promise<void>;
  /**
   * Send dispatches: in one transaction that finds the lease still this process's (else
   * LeaseLost, nothing sent), the ids are added to the incident's outbox and `send` is called
   * with those not in it before (a replayed EXECUTION re-sends nothing already sent).
   */
  dispatch: DispatchSender;
  /** What a fenced write checks in its own transaction (fencedSaver). */
  readonly fence: LeaseFence;
  /** Give the incident back. Safe to call twice. */
  release(): Promise<void>;
}

export interface LeaseOptions {
  /** Wait for the holder to finish instead of failing (polls every LEASE_WAIT_POLL_MS); false by default. */
  wait?: boolean;
  /** Called once when waiting starts, with who holds the incident. */
  onWait?: (holder: LeaseHolder | null) => void;
  /** Stop waiting after this long (ms); default: no limit. */
  waitTimeoutMs?: number;
}

/** Another process runs the incident: the CLI says who, and exits 2. */
export class IncidentHeld extends Error {
  static readonly errorName = "IncidentHeld";
  constructor(
    readonly incidentId: string,
    readonly holder: LeaseHolder | null,
  ) {
    super(
      `incident "${incidentId}" is being run by another process (${describeHolder(holder)}); let it finish, or pass --wait to run after it`,
    );
    this.name = IncidentHeld.errorName;
  }
}
/** By class, or by name for an error that crossed a boundary (another copy of the module, a serialised error). */
export const isIncidentHeld = (e: unknown): e is IncidentHeld =>
  e instanceof IncidentHeld || (typeof e === "object" && e !== null && (e as Error).name === IncidentHeld.errorName);

export function describeHolder(h: LeaseHolder | null): string {
  return h ? `pid ${h.pid} on ${h.host}, since ${h.since}` : "holder unknown";
}

/** The store as the lease needs it: the setting, and the SQLite database handle when there is one. */
export interface LeaseStore {
  setting: CheckpointSetting;
  saver: BaseCheckpointSaver;
}

export async function acquireLease(
  store: LeaseStore,
  incidentId: string,
  options: LeaseOptions = {},
): Promise<IncidentLease> {
  const s = store.setting;
  const tryOnce =
    s.kind === "postgres"
      ? () => tryPostgresLease(s.url, s.schema, incidentId)
      : s.kind === "sqlite"
        ? async () => trySqliteLease((store.saver as unknown as { db: SqliteDb }).db, incidentId)
        : async () => tryMemoryLease(store.saver, incidentId);
  const started = Date.now();
  let told = false;
  for (;;) {
    const got = await tryOnce();
    if ("lease" in got) return got.lease;
    const timedOut = options.waitTimeoutMs !== undefined && Date.now() - started >= options.waitTimeoutMs;
    if (!options.wait || timedOut) throw new IncidentHeld(incidentId, got.holder);
    if (!told) {
      options.onWait?.(got.holder);
      told = true;
    }
    await new Promise((r) => setTimeout(r, LEASE_WAIT_POLL_MS));
  }
}

type Attempt = { lease: IncidentLease } | { holder: LeaseHolder | null };

function me(): LeaseHolder {
  return { pid: process.pid, host: hostname(), since: new Date().toISOString() };
}

// ------------------------------------------------------------------ PostgreSQL

/** Two 32-bit keys for pg_try_advisory_lock(int, int): a namespace and the hash of schema + incident. */
const PG_LEASE_NAMESPACE = 0x1ea5e;
function pgKey(schema: string | undefined, incidentId: string): number {
  let h = 0x811c9dc5;
  for (const ch of `${schema ?? "public"}/${incidentId}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return h | 0;
}

async function tryPostgresLease(url: string, schema: string | undefined, incidentId: string): Promise<Attempt> {
  const table = `${schema ? `"${schema}".` : ""}infra_incident_leases`;
  const outbox = `${schema ? `"${schema}".` : ""}infra_dispatch_outbox`;
  const client = await newPgClient(url);
  let dropped: string | null = null;
  client.on?.("error", (e: Error) => {
    dropped = redactUrl(e.message);
  });
  client.on?.("end", () => {
    dropped ??= "the lock connection closed";
  });
  try {
    // The server drops this connection (and frees the lock) soon after its machine goes silent, not after hours.
    await client.query(
      `SET tcp_keepalives_idle = ${LEASE_KEEPALIVE_IDLE_SECONDS}; SET tcp_keepalives_interval = ${LEASE_KEEPALIVE_INTERVAL_SECONDS}; SET tcp_keepalives_count = ${LEASE_KEEPALIVE_PROBES}`,
    );
    await withSetupLock(client, async () => {
      if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${table} (incident_id text PRIMARY KEY, pid integer NOT NULL, host text NOT NULL, since timestamptz NOT NULL, token text NOT NULL)`,
      );
      // The fencing epoch (raised by each new holder); tables made before it get the column.
      await client.query(`ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS epoch bigint NOT NULL DEFAULT 0`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${outbox} (incident_id text NOT NULL, dispatch_id text NOT NULL, epoch bigint NOT NULL, sent_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (incident_id, dispatch_id))`,
      );
    });
    const key = pgKey(schema, incidentId);
    const got = (await client.query(`SELECT pg_try_advisory_lock($1, $2) AS ok`, [PG_LEASE_NAMESPACE, key])) as {
      rows: { ok: boolean }[];
    };
    if (!got.rows[0]?.ok) {
      const row = (await client.query(`SELECT pid, host, since FROM ${table} WHERE incident_id = $1`, [
        incidentId,
      ])) as { rows: { pid: number; host: string; since: Date }[] };
      await client.end().catch(() => {});
      const r = row.rows[0];
      return { holder: r ? { pid: r.pid, host: r.host, since: new Date(r.since).toISOString() } : null };
    }
    const holder = me();
    const token = randomUUID();
    // A new epoch: a write of an earlier holder still in its transaction (the row FOR SHARE)
    // commits first; any later one finds this epoch and is refused.
    const up = (await client.query(
      `INSERT INTO ${table} AS l (incident_id, pid, host, since, token, epoch) VALUES ($1, $2, $3, $4, $5, 1)
       ON CONFLICT (incident_id) DO UPDATE SET pid = EXCLUDED.pid, host = EXCLUDED.host, since = EXCLUDED.since, token = EXCLUDED.token, epoch = l.epoch + 1
       RETURNING epoch`,
      [incidentId, holder.pid, holder.host, holder.since, token],
    )) as { rows: { epoch: string | number }[] };
    const fence: LeaseFence = { kind: "postgres", incidentId, table, token, epoch: Number(up.rows[0].epoch) };
    let released = false;
    // One thing at a time on the lock connection: a check never runs inside a dispatch's transaction.
    let queue: Promise<unknown> = Promise.resolve();
    const serial = <T>(work: () => Promise<T>): Promise<T> => {
      const next = queue.then(work, work);
      queue = next.catch(() => {});
      return next;
    };
    const lease: IncidentLease = {
      incidentId,
      holder,
      fence,
      dispatch: (ids, send) =>
        serial(async () => {
          if (released) throw new LeaseLost(incidentId, "it was released");
          pausePoint("dispatch");
          if (ids.length === 0) return;
          let sending = false;
          try {
            await client.query("BEGIN");
            try {
              await assertPgFence(client, fence);
              const r = (await client.query(
                `INSERT INTO ${outbox} (incident_id, dispatch_id, epoch) SELECT $1, unnest($2::text[]), $3
               ON CONFLICT DO NOTHING RETURNING dispatch_id`,
                [incidentId, [...ids], fence.epoch],
              )) as { rows: { dispatch_id: string }[] };
              const fresh = new Set(r.rows.map((row) => row.dispatch_id));
              sending = true;
              send(ids.filter((id) => fresh.has(id)));
              sending = false;
              await client.query("COMMIT");
            } catch (e) {
              await client.query("ROLLBACK").catch(() => {});
              throw e;
            }
          } catch (e) {
            if (sending || e instanceof LeaseLost) throw e;
            throw new LeaseLost(incidentId, redactUrl((e as Error).message));
          }
        }),
      check: () =>
        serial(async () => {
          if (released) throw new LeaseLost(incidentId, "it was released");
          if (dropped) throw new LeaseLost(incidentId, dropped);
          let held = false;
          try {
            const r = (await client.query(
              `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND classid::int = $1 AND objid::int = $2 AND objsubid = 2 AND granted`,
              [PG_LEASE_NAMESPACE, key],
            )) as { rows: { n: number }[] };
            held = (r.rows[0]?.n ?? 0) > 0;
          } catch (e) {
            throw new LeaseLost(incidentId, redactUrl((e as Error).message));
          }
          if (!held) throw new LeaseLost(incidentId, "the advisory lock is no longer held");
        }),
      async release() {
        if (released) return;
        released = true;
        await serial(async () => {
          try {
            await client.query(`DELETE FROM ${table} WHERE incident_id = $1 AND token = $2`, [incidentId, token]);
            await client.query(`SELECT pg_advisory_unlock($1, $2)`, [PG_LEASE_NAMESPACE, key]);
          } catch {
            // the connection is gone: the server has freed the lock already
          }
          await client.end().catch(() => {});
        });
      },
    };
    return { lease };
  } catch (e) {
    await client.end().catch(() => {});
    throw e;
  }
}

// ------------------------------------------------------------------ SQLite

/** Linux: the process's start time (clock ticks since boot), so that a reused pid is not taken for the holder. */
function processStart(pid: number): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19] ?? "";
  } catch {
    return "";
  }
}

function alive(pid: number, start: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ESRCH") return false;
  }
  return !start || processStart(pid) === "" || processStart(pid) === start;
}

function trySqliteLease(db: SqliteDb, incidentId: string): Attempt {
  db.exec(
    `CREATE TABLE IF NOT EXISTS infra_incident_leases (incident_id TEXT PRIMARY KEY, pid INTEGER NOT NULL, host TEXT NOT NULL, since TEXT NOT NULL, start TEXT NOT NULL, token TEXT NOT NULL)`,
  );
  db.exec(
    `CREATE TABLE IF NOT EXISTS infra_dispatch_outbox (incident_id TEXT NOT NULL, dispatch_id TEXT NOT NULL, sent_at TEXT NOT NULL, PRIMARY KEY (incident_id, dispatch_id))`,
  );
  const holder = me();
  const token = randomUUID();
  const start = processStart(process.pid);
  db.exec("BEGIN IMMEDIATE");
  try {
    const row = db
      .prepare(`SELECT pid, host, since, start FROM infra_incident_leases WHERE incident_id = ?`)
      .get(incidentId) as { pid: number; host: string; since: string; start: string } | undefined;
    // A holder on another host cannot be checked: it holds until it releases.
    if (row && (row.host !== holder.host || alive(row.pid, row.start))) {
      db.exec("COMMIT");
      return { holder: { pid: row.pid, host: row.host, since: row.since } };
    }
    db.prepare(
      `INSERT OR REPLACE INTO infra_incident_leases (incident_id, pid, host, since, start, token) VALUES (?, ?, ?, ?, ?, ?)`,
    ).run(incidentId, holder.pid, holder.host, holder.since, start, token);
    db.exec("COMMIT");
  } catch (e) {
    try {
      db.exec("ROLLBACK");
    } catch {
      /* no transaction left */
    }
    throw e;
  }
  let released = false;
  const fence: LeaseFence = { kind: "sqlite", incidentId, db, token };
  return {
    lease: {
      incidentId,
      holder,
      fence,
      async dispatch(ids, send) {
        if (released) throw new LeaseLost(incidentId, "it was released");
        pausePoint("dispatch");
        if (ids.length === 0) return;
        // One synchronous transaction: the lease check, the outbox, the send.
        sqliteWriteTransaction(db, () => {
          assertSqliteFence(fence);
          const add = db.prepare(
            `INSERT OR IGNORE INTO infra_dispatch_outbox (incident_id, dispatch_id, sent_at) VALUES (?, ?, ?)`,
          );
          const now = new Date().toISOString();
          send(ids.filter((id) => add.run(incidentId, id, now).changes === 1));
        })();
      },
      async check() {
        if (released) throw new LeaseLost(incidentId, "it was released");
        const r = db
          .prepare(`SELECT token, pid, host FROM infra_incident_leases WHERE incident_id = ?`)
          .get(incidentId) as { token: string; pid: number; host: string } | undefined;
        if (r?.token !== token)
          throw new LeaseLost(incidentId, r ? `taken over by pid ${r.pid} on ${r.host}` : "its record is gone");
      },
      async release() {
        if (released) return;
        released = true;
        try {
          db.prepare(`DELETE FROM infra_incident_leases WHERE incident_id = ? AND token = ?`).run(incidentId, token);
        } catch {
          // the file is closed or read-only: a dead holder's row is taken over anyway
        }
      },
    },
  };
}

// ------------------------------------------------------------------ memory

const memoryLeases = new WeakMap<object, Set<string>>();

function tryMemoryLease(saver: BaseCheckpointSaver, incidentId: string): Attempt {
  const held = memoryLeases.get(saver) ?? new Set<string>();
  memoryLeases.set(saver, held);
  const holder = me();
  if (held.has(incidentId)) return { holder };
  held.add(incidentId);
  let released = false;
  return {
    lease: {
      incidentId,
      holder,
      fence: { kind: "memory", incidentId },
      async dispatch(ids, send) {
        if (released) throw new LeaseLost(incidentId, "it was released");
        pausePoint("dispatch");
        send(ids);
      },
      async check() {
        if (released) throw new LeaseLost(incidentId, "it was released");
      },
      async release() {
        if (!released) {
          released = true;
          held.delete(incidentId);
        }
      },
    },
  };
}

export type { PgClient };
