/**
 * One writer per incident. On SQLite and on PostgreSQL: an incident whose lease another process
 * holds is refused by `--resume` (exit 2, naming the holder's pid, host and since), or waited for
 * with `--wait`; two `--resume` at once send every dispatch once; a process that lost its lease
 * cannot write a checkpoint.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { childEnv, killAllChildren, ROOT, runTsx } from "./support/processes.js";
import { dropSchema, freshSchemaName, postgresSetting, requirePostgres } from "./support/postgres.js";
import { openCheckpointer } from "../../src/persistence/checkpointer.js";
import { acquireLease, fencedSaver, isIncidentHeld, isLeaseLost } from "../../src/persistence/lease.js";

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
