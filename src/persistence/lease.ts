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
 * The interface is small so that other runners (a job queue's worker) take the same lease.
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
import { redactUrl, type CheckpointSetting } from "./checkpointer.js";
import { withSetupLock, newPgClient, type PgClient } from "./pg.js";

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
  constructor(
    readonly incidentId: string,
    readonly holder: LeaseHolder | null,
  ) {
    super(
      `incident "${incidentId}" is being run by another process (${describeHolder(holder)}); let it finish, or pass --wait to run after it`,
    );
    this.name = "IncidentHeld";
  }
}
export const isIncidentHeld = (e: unknown): e is IncidentHeld => (e as Error)?.name === "IncidentHeld";

/** This process lost the incident (its lock connection dropped, or another process took it over): it must stop writing. */
export class LeaseLost extends Error {
  constructor(
    readonly incidentId: string,
    why: string,
  ) {
    super(`lost the lease on incident "${incidentId}": ${why}; stopped before writing`);
    this.name = "LeaseLost";
  }
}
export const isLeaseLost = (e: unknown): e is LeaseLost => (e as Error)?.name === "LeaseLost";

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

/** The saver, with the lease checked before every write: a process that lost the incident cannot write to it. */
export function fencedSaver<T extends BaseCheckpointSaver>(saver: T, lease: IncidentLease): T {
  return new Proxy(saver, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if ((prop === "put" || prop === "putWrites") && typeof value === "function") {
        return async (...args: unknown[]) => {
          await lease.check();
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
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
    await client.query(
      `INSERT INTO ${table} (incident_id, pid, host, since, token) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (incident_id) DO UPDATE SET pid = EXCLUDED.pid, host = EXCLUDED.host, since = EXCLUDED.since, token = EXCLUDED.token`,
      [incidentId, holder.pid, holder.host, holder.since, token],
    );
    let released = false;
    const lease: IncidentLease = {
      incidentId,
      holder,
      async check() {
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
      },
      async release() {
        if (released) return;
        released = true;
        try {
          await client.query(`DELETE FROM ${table} WHERE incident_id = $1 AND token = $2`, [incidentId, token]);
          await client.query(`SELECT pg_advisory_unlock($1, $2)`, [PG_LEASE_NAMESPACE, key]);
        } catch {
          // the connection is gone: the server has freed the lock already
        }
        await client.end().catch(() => {});
      },
    };
    return { lease };
  } catch (e) {
    await client.end().catch(() => {});
    throw e;
  }
}

// ------------------------------------------------------------------ SQLite

/** The little of better-sqlite3 used here. */
interface SqliteDb {
  exec(sql: string): void;
  prepare(sql: string): { get(...a: unknown[]): unknown; run(...a: unknown[]): unknown };
}

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
  return {
    lease: {
      incidentId,
      holder,
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
