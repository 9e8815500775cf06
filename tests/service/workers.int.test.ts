/**
 * Several workers on one PostgreSQL. The field (the world, its watcher) and the API run in this
 * process, with the world's clock held by the test (--clock manual): it advances the clock to
 * the world's next event only when nothing is queued or running, so every run sees the same
 * world minute and an incident's outcome is deterministic. Two worker processes take the runs.
 *
 * - Kill: one worker dies by SIGKILL at chosen points (after EXECUTION applied a plan but
 *   before its checkpoint; after a step was saved); pg-boss retries its job when its heartbeat
 *   lapses, the other worker resumes the graph from its checkpoint. The incident ends with the
 *   same dispatches and figures as an uninterrupted run: 0 lost, 0 doubled.
 * - Drain: SIGTERM while a run waits in RESCHEDULING (real clock): the worker stops at the
 *   superstep boundary, hands the incident back, exits 0; the other worker continues it.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseServiceArgs } from "../../src/service/config.js";
import { startService, type RunningService } from "../../src/service/server.js";
import { setManualClock } from "../../src/service/store.js";
import {
  api,
  freshDatabase,
  killChildren,
  startChild,
  TOKEN_ENV,
  TOKENS,
  waitFor,
  webhook,
  type Child,
} from "./support.js";

const WORKER = "src/service/worker-main.ts";
const dir = mkdtempSync(join(tmpdir(), "svc-workers-"));
const cleanups: (() => Promise<void>)[] = [];
const children: Child[] = [];
const track = (c: Child) => {
  children.push(c);
  return c;
};

afterAll(async () => {
  killChildren();
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

interface Outcome {
  dispatches: { dispatchId: string; crewId: string; assetId: string; at: number }[];
  figures: Record<string, unknown>;
  status: string;
}

async function setup(clock: "manual" | "real", speed = 60) {
  const db = await freshDatabase("svc_test_workers");
  const svc = await startService(
    {
      ...parseServiceArgs(
        [
          "--port",
          "0",
          "--workers",
          "0",
          "--clock",
          clock,
          "--speed",
          String(speed),
          ...(clock === "manual" ? ["--no-watch"] : []),
        ],
        {},
      ),
      databaseUrl: db.url,
    },
    { env: TOKEN_ENV, log: () => {}, queue: { superviseIntervalSeconds: 1 } },
  );
  cleanups.push(async () => {
    await svc.stop();
    await db.drop();
  });
  const worker = (env: Record<string, string> = {}) =>
    track(
      startChild(WORKER, ["--workers", "1", "--clock", clock, "--speed", String(speed)], {
        DATABASE_URL: db.url,
        INFRA_SUPERVISE_SECONDS: "1",
        ...env,
      }),
    );
  return { db, svc, worker };
}

const busy = async (svc: RunningService) =>
  Number(
    (
      await svc.db.pool.query(
        `SELECT (SELECT count(*) FROM pgboss.job WHERE name = 'incident-run' AND state IN ('created', 'retry', 'active'))
        + (SELECT count(*) FROM infra.dispatches WHERE delivered_at IS NULL) AS n`,
      )
    ).rows[0].n,
  );

/** Drive one incident to its end: the clock moves to the world's next event only when all is quiet. */
async function driveIncident(svc: RunningService, onPoll?: () => void): Promise<Outcome> {
  const field = svc.field!;
  const first = await api(svc.url, "POST", "/v1/alerts/alertmanager", {
    token: TOKENS.alert,
    body: webhook([{ region: "demo", asset: "L-4A-4P", fingerprint: "kill-1" }]),
  });
  expect(first.status).toBe(200);
  const id = first.json.incidents[0].id as string;
  for (let i = 0; i < 200; i++) {
    await waitFor(
      "the queue to go quiet",
      async () => {
        onPoll?.();
        return (await busy(svc)) === 0;
      },
      90_000,
      100,
    ).catch(async (e) => {
      const jobs = await svc.db.pool
        .query(
          `SELECT state, retry_count, started_on, heartbeat_on FROM pgboss.job WHERE name = 'incident-run' AND state <> 'completed'`,
        )
        .catch((x) => ({ rows: [String(x)] }));
      throw new Error(
        `${(e as Error).message}: jobs ${JSON.stringify(jobs.rows)}; workers: ${children.map((c) => c.output().slice(-600)).join("\n---\n")}`,
      );
    });
    await field.tick();
    if ((await busy(svc)) > 0) continue;
    const inc = (await api(svc.url, "GET", `/v1/incidents/${id}`, { token: TOKENS.viewer })).json;
    if (inc.status === "resolved") {
      return {
        status: inc.status,
        figures: inc.figures,
        dispatches: inc.dispatches.map((d: Outcome["dispatches"][number]) => ({
          dispatchId: d.dispatchId,
          crewId: d.crewId,
          assetId: d.assetId,
          at: d.at,
        })),
      };
    }
    const [rw] = await field.worlds();
    const next = rw.world.nextEventTime();
    if (next === null) throw new Error(`the world has no more events but incident ${id} is ${inc.status}`);
    await setManualClock(svc.db.pool, "demo", next);
  }
  throw new Error("the incident did not end");
}

describe("workers", () => {
  let baseline: Outcome;
  let trace: string[];

  it("an uninterrupted incident on two workers (the baseline)", async () => {
    const { svc, worker } = await setup("manual");
    const traceFile = join(dir, "baseline.trace");
    const a = worker({ INFRA_CRASH_TRACE: traceFile });
    const b = worker({ INFRA_CRASH_TRACE: traceFile });
    await waitFor(
      "workers up",
      async () => /worker\(s\) on/.test(a.output()) && /worker\(s\) on/.test(b.output()),
      60_000,
    );
    baseline = await driveIncident(svc);
    trace = readFileSync(traceFile, "utf8").split("\n").filter(Boolean);
    expect(baseline.dispatches.length).toBeGreaterThan(5);
    expect(baseline.figures.fullyRestored).toBe(true);
    expect(trace.some((p) => /^EXECUTION@.*:applied$/.test(p))).toBe(true);
    a.proc.kill("SIGTERM");
    b.proc.kill("SIGTERM");
    await Promise.all([a.exited, b.exited]);
  }, 180_000);

  // Known flake (seen once in three full runs on 2026-12-02, issue 15): after the kill, the run's job sat in
  // pg-boss's "retry" state with no worker taking it for 90 s. One retry here until that is understood.
  it("SIGKILL of a worker mid-incident loses nothing and doubles nothing", { retry: 1, timeout: 240_000 }, async () => {
    const { svc, worker } = await setup("manual");
    // The points to die at: the first plan applied but not yet saved, and a later saved step.
    const applied = trace.find((p) => /^EXECUTION@.*:applied$/.test(p))!;
    const later =
      trace.filter((p) => p.startsWith("svc/RESCHEDULING"))[1] ??
      trace.filter((p) => p.startsWith("svc/"))[trace.length >> 1];
    const ledger = join(dir, "kill.ledger");
    writeFileSync(ledger, `${trace.filter((p) => p !== applied && p !== later).join("\n")}\n`);
    let a: Child = worker({ INFRA_CRASH_LEDGER: ledger });
    let b: Child | undefined;
    let kills = 0;
    await waitFor("worker up", async () => /worker\(s\) on/.test(a.output()), 60_000);
    const outcome = await driveIncident(svc, () => {
      // A dead worker is replaced (with the same ledger); the second worker starts after the first death.
      if (a.proc.exitCode !== null || a.proc.signalCode !== null) {
        kills++;
        a = worker({ INFRA_CRASH_LEDGER: ledger });
        b ??= worker();
      }
    });
    // Deaths are also seen while the queue waits for the lapsed heartbeat.
    const died = readFileSync(ledger, "utf8")
      .split("\n")
      .filter((p) => p === applied || p === later);
    expect(died.length).toBeGreaterThanOrEqual(1);
    expect(kills).toBeGreaterThanOrEqual(1);
    expect(outcome.dispatches).toEqual(baseline.dispatches);
    expect(outcome.figures).toEqual(baseline.figures);
    const rows = await svc.db.pool.query(
      `SELECT count(*)::int AS n, count(DISTINCT dispatch_id)::int AS ids, count(*) FILTER (WHERE delivered_at IS NULL)::int AS undelivered FROM infra.dispatches`,
    );
    expect(rows.rows[0]).toEqual({ n: baseline.dispatches.length, ids: baseline.dispatches.length, undelivered: 0 });
    a.proc.kill("SIGTERM");
    b?.proc.kill("SIGTERM");
  });

  it("SIGTERM drains a worker at a superstep boundary; another continues the incident", async () => {
    const { svc, worker } = await setup("real", 60);
    const a = worker();
    await waitFor("worker up", async () => /worker\(s\) on/.test(a.output()), 60_000);
    const r = await api(svc.url, "POST", "/v1/alerts/alertmanager", {
      token: TOKENS.alert,
      body: webhook([{ region: "demo", asset: "L-4A-4P", fingerprint: "drain-1" }]),
    });
    const id = r.json.incidents[0].id as string;
    const kinds = async () =>
      (await svc.db.pool.query(`SELECT kind, data FROM infra.events WHERE incident_id = $1 ORDER BY seq`, [id]))
        .rows as { kind: string; data: Record<string, unknown> }[];
    // EXECUTION saved: RESCHEDULING now waits for the world's clock (up to 2 s of wall time).
    await waitFor(
      "the plan executed",
      async () => (await kinds()).some((e) => e.kind === "step" && e.data.state === "EXECUTION"),
      60_000,
      50,
    );
    a.proc.kill("SIGTERM");
    const exit = await a.exited;
    expect(exit.code).toBe(0);
    expect(a.output()).toMatch(/drained at a superstep boundary/);
    const ev = await kinds();
    expect(ev.map((e) => e.kind)).toContain("drained");
    expect(ev.some((e) => e.kind === "run_ended")).toBe(false);
    const b = worker();
    await waitFor(
      "the other worker to continue",
      async () => {
        const e = await kinds();
        const resumed = e.findIndex((x) => x.kind === "run_started" && x.data.resumed === true);
        return resumed >= 0 && e.slice(resumed).some((x) => x.kind === "run_ended");
      },
      60_000,
    );
    b.proc.kill("SIGTERM");
    await b.exited;
  }, 120_000);
});
