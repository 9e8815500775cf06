/**
 * Fencing: a write of an incident's checkpoint, and the sending of its dispatches, happen only in
 * a transaction that proves, in the same transaction, that this process still holds the
 * incident's lease. Checking the lease and then writing leaves a window (a process paused by GC
 * or SIGSTOP after its check, whose lease is then lost and taken over, would still write once);
 * a check inside the write's own transaction does not.
 *
 *   PostgreSQL  each lease has a token and an epoch (raised by every new holder) in its row of
 *               `infra_incident_leases`. The checkpointer's transaction (`BEGIN` on its pool
 *               connection) first reads that row `FOR SHARE` and goes on only if token and epoch
 *               are this lease's: a new holder's epoch raise waits for the write to commit, and a
 *               write after it sees the new epoch and is refused. Dispatches: the same check, then
 *               the ids go into `infra_dispatch_outbox`, then those not there before are sent,
 *               then COMMIT: an id is sent once, by the lease's holder.
 *   SQLite      the write (one synchronous statement, in a transaction) first reads the lease
 *               row's token; the outbox is a table of the same file, filled in the same
 *               synchronous transaction as the send. Every such transaction is `BEGIN IMMEDIATE`
 *               (the saver's own `transaction()` too): one that reads the lease and then writes
 *               would otherwise fail with SQLITE_BUSY_SNAPSHOT when another process (another
 *               incident on the same file) wrote in between, which no busy timeout retries.
 */
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import { pausePoint } from "./crash-points.js";
import type { PgClient } from "./pg.js";

/** This process lost the incident (its lock connection dropped, or another process took it over): it must stop writing. */
export class LeaseLost extends Error {
  static readonly errorName = "LeaseLost";
  /** Retrying cannot cure it: the run stops (the fault barrier does not retry it). */
  readonly transient = false;
  constructor(
    readonly incidentId: string,
    why: string,
  ) {
    super(`lost the lease on incident "${incidentId}": ${why}; stopped before writing`);
    this.name = LeaseLost.errorName;
  }
}
/** By class, or by name for an error that crossed a boundary (another copy of the module, a serialised error). */
export const isLeaseLost = (e: unknown): e is LeaseLost =>
  e instanceof LeaseLost || (typeof e === "object" && e !== null && (e as Error).name === LeaseLost.errorName);

/** A better-sqlite3 transaction function, with its BEGIN variants. */
export type SqliteTransaction<A extends unknown[], R> = ((...a: A) => R) & {
  deferred: (...a: A) => R;
  immediate: (...a: A) => R;
  exclusive: (...a: A) => R;
};

/** The little of better-sqlite3 used here. */
export interface SqliteDb {
  exec(sql: string): void;
  prepare(sql: string): { get(...a: unknown[]): unknown; run(...a: unknown[]): { changes: number } };
  transaction<A extends unknown[], R>(fn: (...a: A) => R): SqliteTransaction<A, R>;
}

/**
 * `fn` in a transaction that takes the write lock at its BEGIN (IMMEDIATE): it waits for another
 * writer (the busy timeout) instead of failing with SQLITE_BUSY_SNAPSHOT after its first read.
 * Inside an open transaction it is a savepoint, as every better-sqlite3 transaction is.
 */
export function sqliteWriteTransaction<A extends unknown[], R>(db: SqliteDb, fn: (...a: A) => R): (...a: A) => R {
  return db.transaction(fn).immediate;
}

/** What a write must find in the lease row, and where. */
export type LeaseFence =
  | { kind: "postgres"; incidentId: string; table: string; token: string; epoch: number }
  | { kind: "sqlite"; incidentId: string; db: SqliteDb; token: string }
  | { kind: "memory"; incidentId: string };

/** Inside an open PostgreSQL transaction: the lease row is this lease's (locked FOR SHARE until the transaction ends), or LeaseLost. */
export async function assertPgFence(client: Pick<PgClient, "query">, f: LeaseFence & { kind: "postgres" }) {
  const r = (await client.query(`SELECT token, epoch, pid, host FROM ${f.table} WHERE incident_id = $1 FOR SHARE`, [
    f.incidentId,
  ])) as { rows: { token: string; epoch: string | number; pid: number; host: string }[] };
  const row = r.rows[0];
  if (row?.token === f.token && Number(row.epoch) === f.epoch) return;
  throw new LeaseLost(
    f.incidentId,
    row
      ? `taken over by pid ${row.pid} on ${row.host} (lease epoch ${row.epoch}, this process had ${f.epoch})`
      : "its record is gone (released or taken over)",
  );
}

/** Synchronous, for use inside a SQLite transaction: the lease row holds this lease's token, or LeaseLost. */
export function assertSqliteFence(f: LeaseFence & { kind: "sqlite" }): void {
  const r = f.db
    .prepare(`SELECT token, pid, host FROM infra_incident_leases WHERE incident_id = ?`)
    .get(f.incidentId) as { token: string; pid: number; host: string } | undefined;
  if (r?.token !== f.token)
    throw new LeaseLost(f.incidentId, r ? `taken over by pid ${r.pid} on ${r.host}` : "its record is gone");
}

/** What fencedSaver needs of a lease. */
export interface FencedLease {
  readonly fence: LeaseFence;
  check(): Promise<void>;
}

/**
 * The saver, with every write fenced: the lease is checked first (a lost lock is seen early),
 * and then again inside the write's own transaction (PostgreSQL, SQLite), so a process that lost
 * the incident after its check still cannot write.
 */
export function fencedSaver<T extends BaseCheckpointSaver>(saver: T, lease: FencedLease): T {
  const writer = fencedWriter(saver, lease.fence);
  return new Proxy(saver, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if ((prop === "put" || prop === "putWrites") && typeof value === "function") {
        return async (...args: unknown[]) => {
          await lease.check();
          pausePoint("put");
          return (value as (...a: unknown[]) => unknown).apply(writer, args);
        };
      }
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * The saver as its put/putWrites see it (`this`), with its connection fenced: PostgreSQL, a pool
 * whose connections check the lease right after each `BEGIN`; SQLite, a database whose INSERTs
 * run in a transaction that checks the lease first. Everything else is the saver's own.
 */
function fencedWriter<T extends BaseCheckpointSaver>(saver: T, f: LeaseFence): T {
  if (f.kind === "postgres") {
    const pool = (saver as unknown as { pool?: PgPool }).pool;
    if (!pool) return saver;
    const fencedPool = {
      query: (...a: unknown[]) => pool.query(...a),
      connect: async () => {
        const client = await pool.connect();
        return new Proxy(client, {
          get(target, prop, receiver) {
            if (prop === "query")
              return async (sql: unknown, ...rest: unknown[]) => {
                const r = await target.query(sql, ...rest);
                if (typeof sql === "string" && sql.trim().toUpperCase() === "BEGIN") await assertPgFence(target, f);
                return r;
              };
            const value = Reflect.get(target, prop, receiver);
            return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
          },
        });
      },
    };
    return Object.create(saver, { pool: { value: fencedPool } }) as T;
  }
  if (f.kind === "sqlite") {
    const db = f.db;
    const fencedDb = new Proxy(db, {
      get(target, prop, receiver) {
        // The saver's own transactions (putWrites) read the lease inside: they BEGIN IMMEDIATE too.
        if (prop === "transaction")
          return <A extends unknown[], R>(fn: (...a: A) => R) => {
            const t = target.transaction(fn);
            const { deferred, immediate, exclusive } = t;
            return Object.assign((...a: A) => immediate(...a), { deferred, immediate, exclusive });
          };
        if (prop === "prepare")
          return (sql: string) => {
            const stmt = target.prepare(sql);
            if (!/^\s*INSERT/i.test(sql)) return stmt;
            return new Proxy(stmt, {
              get(s, p, r) {
                if (p === "run")
                  return (...a: unknown[]) =>
                    sqliteWriteTransaction(target, () => {
                      assertSqliteFence(f);
                      return s.run(...a);
                    })();
                const v = Reflect.get(s, p, r);
                return typeof v === "function" ? (v as (...x: unknown[]) => unknown).bind(s) : v;
              },
            });
          };
        const value = Reflect.get(target, prop, receiver);
        return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    return Object.create(saver, { db: { value: fencedDb } }) as T;
  }
  return saver;
}

interface PgPool {
  query(...a: unknown[]): Promise<unknown>;
  connect(): Promise<{ query(...a: unknown[]): Promise<unknown>; release(): void }>;
}

/** Sends the ids not sent before (the outbox's), fenced by the lease; `send` is synchronous. */
export type DispatchSender = (ids: readonly string[], send: (fresh: readonly string[]) => void) => Promise<void>;
