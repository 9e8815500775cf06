/**
 * Two incidents on one SQLite file (two processes, two connections): a fenced write reads the
 * lease row and then writes. In a deferred transaction another connection's commit between the
 * two makes the write fail with SQLITE_BUSY_SNAPSHOT, which no busy timeout retries (seen in CI:
 * a CLI run stopped with "database is locked" while another incident wrote the same file). The
 * fenced transactions take the write lock at BEGIN (IMMEDIATE): the other writer waits instead.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openCheckpointer } from "../../src/persistence/checkpointer.js";
import type { LeaseFence, SqliteDb } from "../../src/persistence/fencing.js";
import { acquireLease, fencedSaver } from "../../src/persistence/lease.js";
import { checkpoint } from "./support/checkpoints.js";

const dir = mkdtempSync(join(tmpdir(), "sqlite-lock-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The fence's database, with `between` run right after each lease check (inside the write's transaction). */
function withWriteAfterLeaseCheck(db: SqliteDb, between: () => void): SqliteDb {
  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop === "prepare")
        return (sql: string) => {
          const stmt = target.prepare(sql);
          if (!/FROM infra_incident_leases/.test(sql)) return stmt;
          return new Proxy(stmt, {
            get(s, p) {
              if (p === "get")
                return (...a: unknown[]) => {
                  const row = s.get(...a);
                  between();
                  return row;
                };
              const v = Reflect.get(s, p);
              return typeof v === "function" ? v.bind(s) : v;
            },
          });
        };
      const value = Reflect.get(target, prop, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

describe("fenced SQLite writes beside another incident's writer on the same file", () => {
  it.each(["put", "putWrites"] as const)(
    "%s: another connection cannot commit between the lease check and the write; the write succeeds",
    async (method) => {
      const file = join(dir, `${method}.db`);
      const mine = await openCheckpointer(`sqlite:${file}`);
      const other = await openCheckpointer(`sqlite:${file}`);
      try {
        const id = `incident-${method}`;
        const lease = await acquireLease(mine, id);
        const otherDb = (other.saver as unknown as { db: SqliteDb }).db;
        otherDb.exec("PRAGMA busy_timeout = 0");
        const otherWrites: string[] = [];
        const fence = lease.fence as LeaseFence & { kind: "sqlite" };
        const spied = withWriteAfterLeaseCheck(fence.db, () => {
          try {
            otherDb.prepare("INSERT OR REPLACE INTO infra_dispatch_outbox VALUES ('other', ?, 'now')").run(method);
            otherWrites.push("committed");
          } catch (e) {
            otherWrites.push(String((e as { code?: string }).code));
          }
        });
        const saver = fencedSaver(mine.saver, { fence: { ...fence, db: spied }, check: async () => {} });
        const config = { configurable: { thread_id: id, checkpoint_ns: "" } };
        const meta = { source: "input", step: -1, parents: {} } as never;
        if (method === "put") await saver.put(config, checkpoint(1), meta, {});
        else {
          await mine.saver.put(config, checkpoint(1), meta, {});
          await saver.putWrites(
            { configurable: { ...config.configurable, checkpoint_id: `00000000-0000-0000-0000-000000000001` } },
            [["status", "ok"]],
            "task-1",
          );
        }
        // The write went through; the other writer was held off (busy), not let in under its snapshot.
        expect(otherWrites.length).toBeGreaterThan(0);
        expect(otherWrites.every((w) => w === "SQLITE_BUSY")).toBe(true);
        const db = (mine.saver as unknown as { db: SqliteDb }).db;
        const table = method === "put" ? "checkpoints" : "writes";
        expect((db.prepare(`SELECT count(*) AS n FROM ${table} WHERE thread_id = ?`).get(id) as { n: number }).n).toBe(
          1,
        );
      } finally {
        await other.close();
        await mine.close();
      }
    },
  );
});
