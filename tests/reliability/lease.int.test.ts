/**
 * One writer per incident. On SQLite and on PostgreSQL: an incident whose lease another process
 * holds is refused by `--resume` (exit 2, naming the holder's pid, host and since), or waited for
 * with `--wait`; two `--resume` at once send every dispatch once; a process that lost its lease
 * cannot write a checkpoint. And the fencing: a holder stopped (SIGSTOP, as a GC pause or a
 * frozen VM) after its lease check, whose lease is lost and taken over meanwhile, finds its
 * write refused when it goes on (PostgreSQL), or is never taken over while alive (SQLite).
 */

import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openCheckpointer } from "../../src/persistence/checkpointer.js";
import { acquireLease, fencedSaver, isIncidentHeld, isLeaseLost } from "../../src/persistence/lease.js";
import { checkpoint } from "./support/checkpoints.js";
import { dropSchema, freshSchemaName, pgQuery, postgresSetting, requirePostgres } from "./support/postgres.js";
import { childEnv, isStopped, killAllChildren, ROOT, runTsx, startTsx } from "./support/processes.js";

const dir = mkdtempSync(join(tmpdir(), "lease-"));
const schema = freshSchemaName("reliability_lease");
const cli = (args: string[], extra: Record<string, string> = {}) => runTsx("src/cli/main.ts", args, childEnv(extra));
const sentIds = (file: string) =>
  existsSync(file)
    ? readFileSync(file, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => l.split(" ")[1])
    : [];

let expected: { dispatchId: string }[];
beforeAll(async () => {
  const plain = await cli(["--json"]);
  expect(plain.code, plain.stderr).toBe(0);
  expected = JSON.parse(plain.stdout).dispatches;
});
afterAll(async () => {
  killAllChildren();
  rmSync(dir, { recursive: true, force: true });
  await dropSchema(schema);
});

/** Run the CLI; call `then` once its stderr matches `pattern`. */
function runUntil(
  args: string[],
  pattern: RegExp,
  then: () => Promise<void>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
      cwd: ROOT,
      env: childEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "",
      stderr = "",
      fired = false;
    const guard = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.stdout!.on("data", (d) => (stdout += d));
    child.stderr!.on("data", (d) => {
      stderr += d;
      if (!fired && pattern.test(stderr)) {
        fired = true;
        then().catch(reject);
      }
    });
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr });
    });
  });
}

const stores: [string, () => string][] = [
  ["sqlite", () => `sqlite:${join(dir, "incidents.db")}`],
  ["postgres", () => postgresSetting(schema)],
];

/** An incident killed right after its first EXECUTION applied the plan (before the checkpoint). */
async function killedIncident(store: string, label: string): Promise<string> {
  const ledger = join(dir, `${label}.ledger`);
  writeFileSync(
    ledger,
    [
      "alert@0/1:INIT",
      "alert@0/2:FAILURE_DETECTION",
      "alert@0/3:IMPACT_ANALYSIS",
      "alert@0/4:REPAIR_PLANNING",
      "alert@0/5:EXECUTION",
    ].join("\n") + "\n",
  );
  const killed = await cli(["--json", "--checkpoint", store], {
    INFRA_CRASH_LEDGER: ledger,
    INFRA_DISPATCH_JOURNAL: join(dir, `${label}.journal`),
  });
  expect(killed.signal, killed.stderr).toBe("SIGKILL");
  return /^incident: (\S+)$/m.exec(killed.stderr)![1];
}

describe.concurrent.each(stores)("the incident lease on %s", (backend, setting) => {
  it("a held incident is refused with who holds it (exit 2), waited for with --wait", async () => {
    if (backend === "postgres") await requirePostgres();
    const id = await killedIncident(setting(), `${backend}-held`);
    const store = await openCheckpointer(setting());
    try {
      const lease = await acquireLease(store, id);
      const refused = await cli(["--json", "--checkpoint", setting(), "--resume", id]);
      expect(refused.code, refused.stderr).toBe(2);
      expect(refused.stderr).toContain(
        `incident "${id}" is being run by another process (pid ${process.pid} on ${hostname()}, since ${lease.holder.since})`,
      );
      expect(refused.stdout).toBe("");
      // A second lease in this process is refused too (the holder is alive).
      await expect(acquireLease(store, id)).rejects.toSatisfy(isIncidentHeld);
      // The waiting process says so; then the holder lets go.
      const done = await runUntil(["--json", "--checkpoint", setting(), "--resume", id, "--wait"], /^waiting: /m, () =>
        lease.release(),
      );
      expect(done.code, done.stderr).toBe(0);
      expect(done.stderr).toMatch(/waiting: incident ".*" is being run by pid \d+/);
      expect(JSON.parse(done.stdout).dispatches).toEqual(expected);
    } finally {
      await store.close();
    }
  });

  it("two --resume at once: every dispatch is sent once, the outcome is the uninterrupted one", async () => {
    if (backend === "postgres") await requirePostgres();
    const id = await killedIncident(setting(), `${backend}-two`);
    const journal = join(dir, `${backend}-two.journal`);
    const before = sentIds(journal).length;
    const [a, b] = await Promise.all(
      [0, 1].map(() =>
        cli(["--json", "--checkpoint", setting(), "--resume", id, "--wait"], { INFRA_DISPATCH_JOURNAL: journal }),
      ),
    );
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(JSON.parse(a.stdout).dispatches).toEqual(expected);
    expect(JSON.parse(b.stdout).dispatches).toEqual(expected);
    // After the kill, each dispatch left once: the killed process's own sends are re-sent (same id) by one resumer only.
    const after = sentIds(journal).slice(before);
    expect(after.length).toBe(new Set(after).size);
    console.log(`lease (${backend}): two resumers at once, ${after.length} dispatches sent after the kill, none twice`);
  });

  it("a process that lost its lease cannot write a checkpoint", async () => {
    if (backend === "postgres") await requirePostgres();
    const store = await openCheckpointer(setting());
    try {
      const lease = await acquireLease(store, `incident-lost-${backend}`);
      const saver = fencedSaver(store.saver, lease);
      await lease.check();
      await lease.release();
      await expect(
        saver.put(
          { configurable: { thread_id: `incident-lost-${backend}`, checkpoint_ns: "" } },
          {} as never,
          {} as never,
          {},
        ),
      ).rejects.toSatisfy(isLeaseLost);
    } finally {
      await store.close();
    }
  });
});

/** Wait (polling) until the process is stopped; fails after a minute. */
async function untilStopped(pid: number, done: Promise<unknown>): Promise<void> {
  let ended = false;
  void done.then(() => (ended = true));
  for (let i = 0; i < 600 && !ended; i++) {
    if (isStopped(pid)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`process ${pid} never stopped at its pause point${ended ? " (it ended)" : ""}`);
}

/** What the store holds for the incident: checkpoints and pending writes (counts), and the last checkpoint's id. */
async function storeState(id: string) {
  const [c] = await pgQuery<{ n: number; last: string }>(
    `SELECT count(*)::int AS n, max(checkpoint_id) AS last FROM "${schema}".checkpoints WHERE thread_id = $1`,
    [id],
  );
  const [w] = await pgQuery<{ n: number }>(
    `SELECT count(*)::int AS n FROM "${schema}".checkpoint_writes WHERE thread_id = $1`,
    [id],
  );
  return { checkpoints: c.n, last: c.last, writes: w.n };
}

describe("a holder paused past its lease (PostgreSQL: fencing)", () => {
  // `put`: stopped after its lease check, before a checkpoint write. `dispatch#2`: stopped before
  // its second EXECUTION's dispatches (the first is the replay of the one the kill interrupted).
  it.each(["put", "dispatch#2"])(
    "stopped at %s; its lease lost and taken over; resumed: its write is refused, nothing is sent twice",
    async (pause) => {
      await requirePostgres();
      const label = `pg-paused-${pause.replace("#", "")}`;
      const id = await killedIncident(postgresSetting(schema), label);
      const journal = join(dir, `${label}.journal`);
      const before = sentIds(journal).length;
      const args = ["--json", "--checkpoint", postgresSetting(schema), "--resume", id];
      // A resumes the incident and stops itself at the pause point, holding the lease.
      const a = startTsx("src/cli/main.ts", args, childEnv({ INFRA_PAUSE_AT: pause, INFRA_DISPATCH_JOURNAL: journal }));
      await untilStopped(a.pid, a.done);
      // While A is stopped its lease is lost: its lock connection is cut (as a network drop, a
      // server restart or a keepalive timeout would), and the server frees the lock.
      const cut = await pgQuery<{ ok: boolean }>(
        `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1`,
        [`infra-fail-mngr pid ${a.pid}`],
      );
      expect(cut.length).toBeGreaterThan(0);
      // B takes the incident over and finishes it.
      const b = await cli(args, { INFRA_DISPATCH_JOURNAL: journal });
      expect(b.code, b.stderr).toBe(0);
      expect(JSON.parse(b.stdout).dispatches).toEqual(expected);
      const afterB = await storeState(id);
      const sentAfterB = sentIds(journal).length;
      // A goes on where it stopped: its next write (the checkpoint, or the dispatch) is refused.
      process.kill(a.pid, "SIGCONT");
      const ra = await a.done;
      expect(ra.code, ra.stderr).not.toBe(0);
      expect(ra.stderr).toMatch(/lost the lease on incident/);
      expect(await storeState(id)).toEqual(afterB);
      // Nothing A did after it went on left the process, and no dispatch went out twice.
      expect(sentIds(journal).length).toBe(sentAfterB);
      const after = sentIds(journal).slice(before);
      expect(after.length).toBe(new Set(after).size);
      console.log(
        `fencing (${pause}): ${after.length} dispatches after the kill, none twice; the paused holder's write refused`,
      );
    },
  );
});

describe("a holder paused on SQLite", () => {
  it("is alive, so it is never taken over: a second --resume is refused while it is stopped", async () => {
    const setting = `sqlite:${join(dir, "paused.db")}`;
    const id = await killedIncident(setting, "sqlite-paused");
    const args = ["--json", "--checkpoint", setting, "--resume", id];
    const a = startTsx("src/cli/main.ts", args, childEnv({ INFRA_PAUSE_AT: "put" }));
    await untilStopped(a.pid, a.done);
    const b = await cli(args);
    expect(b.code, b.stderr).toBe(2);
    expect(b.stderr).toContain(`is being run by another process (pid ${a.pid}`);
    process.kill(a.pid, "SIGCONT");
    const ra = await a.done;
    expect(ra.code, ra.stderr).toBe(0);
    expect(JSON.parse(ra.stdout).dispatches).toEqual(expected);
  });
});

describe.concurrent.each(stores)("Ctrl-C and SIGTERM on %s", (backend, setting) => {
  it.each([
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const)("%s gives the lease back before the process exits (%i)", async (signal, code) => {
    if (backend === "postgres") await requirePostgres();
    // --approve with no answer keeps the incident open at its first plan.
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "src/cli/main.ts", "--checkpoint", setting(), "--approve"],
      { cwd: ROOT, env: childEnv(), stdio: ["pipe", "ignore", "pipe"] },
    );
    let stderr = "";
    const closed = new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
    child.stderr!.on("data", (d) => {
      stderr += d;
      if (/^model: /m.test(stderr) && !child.killed) child.kill(signal);
    });
    expect(await closed, JSON.stringify(stderr)).toBe(code);
    const id = /^incident: (\S+)$/m.exec(stderr)![1];
    expect(stderr).toContain(`interrupted: incident ${id} stopped`);
    const rows =
      backend === "postgres"
        ? await pgQuery(`SELECT * FROM "${schema}".infra_incident_leases WHERE incident_id = $1`, [id])
        : await sqliteRows(setting(), id);
    expect(rows).toEqual([]);
  });
});

/** The lease rows of an incident in a SQLite store (read through the checkpointer's own handle). */
async function sqliteRows(setting: string, id: string): Promise<unknown[]> {
  const store = await openCheckpointer(setting);
  try {
    const db = (store.saver as unknown as { db: { prepare(sql: string): { all(...a: unknown[]): unknown[] } } }).db;
    return db.prepare("SELECT * FROM infra_incident_leases WHERE incident_id = ?").all(id);
  } finally {
    await store.close();
  }
}

describe("the fence inside the write's own transaction (SQLite)", () => {
  it("a write whose lease check passed, but whose lease row changed before the write, is refused and leaves nothing", async () => {
    const store = await openCheckpointer(`sqlite:${join(dir, "fence.db")}`);
    try {
      const id = "incident-fence-sqlite";
      const lease = await acquireLease(store, id);
      // The check is made to pass: what is left to refuse the write is the fence in its transaction.
      const saver = fencedSaver(store.saver, { fence: lease.fence, check: async () => {} });
      const db = (
        store.saver as unknown as {
          db: { prepare(sql: string): { run(...a: unknown[]): unknown; get(...a: unknown[]): unknown } };
        }
      ).db;
      const count = () =>
        (db.prepare("SELECT count(*) AS n FROM checkpoints WHERE thread_id = ?").get(id) as { n: number }).n;
      const config = { configurable: { thread_id: id, checkpoint_ns: "" } };
      // Held: the write goes through the fence.
      await saver.put(config, checkpoint(1), { source: "input", step: -1, parents: {} } as never, {});
      expect(count()).toBe(1);
      // Taken over between the check and the write: the row holds another token.
      db.prepare("UPDATE infra_incident_leases SET token = 'another', pid = 1 WHERE incident_id = ?").run(id);
      await expect(
        saver.put(config, checkpoint(2), { source: "loop", step: 0, parents: {} } as never, {}),
      ).rejects.toSatisfy(isLeaseLost);
      expect(count()).toBe(1);
      // And nothing is dispatched through the lost lease.
      const sent: string[] = [];
      await expect(lease.dispatch(["A<-C1@0"], (ids) => sent.push(...ids))).rejects.toSatisfy(isLeaseLost);
      expect(sent).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it("dispatches go out once per id through the outbox", async () => {
    const store = await openCheckpointer(`sqlite:${join(dir, "outbox.db")}`);
    try {
      const lease = await acquireLease(store, "incident-outbox");
      const sent: string[] = [];
      await lease.dispatch(["a", "b"], (ids) => sent.push(...ids));
      await lease.dispatch(["b", "c"], (ids) => sent.push(...ids));
      expect(sent).toEqual(["a", "b", "c"]);
      await lease.release();
    } finally {
      await store.close();
    }
  });
});
