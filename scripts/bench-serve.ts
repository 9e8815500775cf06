/**
 * `npm run bench:serve`: the service's figures, on the offline planner and the demo world,
 * against the PostgreSQL at INFRA_TEST_POSTGRES_URL (default 127.0.0.1:5432/test; a fresh
 * database per part, svc_bench_<random>, dropped after). The API and the field run in this
 * process; the workers are separate processes (`npm run worker`'s entry, one run at a time each):
 *
 *   1. alert-to-first-dispatch latency (p50, p95): one incident at a time on 1 worker process,
 *      then alerts for 12 regions sent together on 1, 2 and 4 worker processes, each timed from
 *      the POST to its first dispatch in the outbox;
 *   2. incidents completed per minute with 50 concurrent incidents (50 regions, the world at
 *      x6000 so that an incident lasts seconds) on 1, 2 and 4 worker processes;
 *   3. a burst of 1,000 alerts within a minute (plus 200 duplicate deliveries): all stored,
 *      deduplicated, none lost; peak memory of the process.
 *
 * Latency and throughput are wall-clock figures (that is what they are); beside each, the CPU
 * seconds the service and the worker processes used (user + sys, from /proc), and the machine's
 * load average when the part started: on a shared machine, read the wall figures with it.
 * BENCH_SERVE_PROCESSES=1,2 picks the worker-process counts.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg, cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseServiceArgs } from "../src/service/config.js";
import { startService, type RunningService } from "../src/service/server.js";
import {
  freshDatabase,
  startChild,
  TOKEN_ENV,
  TOKENS,
  waitFor,
  webhook,
  type Child,
} from "../tests/service/support.js";

const dir = mkdtempSync(join(tmpdir(), "bench-serve-"));
let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 50);
const PROCESS_COUNTS = (process.env.BENCH_SERVE_PROCESSES ?? "1,2,4").split(",").map(Number);

function regionsFile(n: number): string {
  const f = join(dir, `regions-${n}.json`);
  writeFileSync(
    f,
    JSON.stringify({ regions: Array.from({ length: n }, (_, i) => ({ name: `r${i + 1}`, scenario: "demo" })) }),
  );
  return f;
}

/** CPU seconds (user + sys) a live process has used, from /proc (clock ticks of 1/100 s on Linux). */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}
function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

interface Run {
  svc: RunningService;
  /** CPU seconds used so far by this process and the worker processes. */
  cpu(): number;
  /** Peak RSS of the worker processes, each (MB). */
  workerPeakMb(): number;
}

/** The service here (API, field, no workers) and `processes` worker processes, on a fresh database. */
async function withService<T>(args: string[], processes: number, fn: (run: Run) => Promise<T>): Promise<T> {
  const db = await freshDatabase("svc_bench");
  const svc = await startService(
    { ...parseServiceArgs(["--port", "0", ...args, "--workers", "0"], {}), databaseUrl: db.url },
    { env: TOKEN_ENV, log: () => {} },
  );
  const children: Child[] = [];
  let workerPeak = 0;
  const rssTimer = setInterval(() => {
    for (const c of children) if (c.proc.pid) workerPeak = Math.max(workerPeak, rssMb(c.proc.pid));
  }, 200);
  try {
    for (let i = 0; i < processes; i++)
      children.push(startChild("src/service/worker-main.ts", [...args, "--workers", "1"], { DATABASE_URL: db.url }));
    await waitFor(
      `${processes} worker process(es) up`,
      async () => {
        const dead = children.find((c) => c.proc.exitCode !== null);
        if (dead) throw new Error(`a worker exited: ${dead.output()}`);
        return children.every((c) => /worker\(s\) on/.test(c.output()));
      },
      120_000,
      100,
    );
    const base = process.cpuUsage();
    const childBase = children.map((c) => cpuSeconds(c.proc.pid!));
    const cpu = () => {
      const u = process.cpuUsage(base);
      return (u.user + u.system) / 1e6 + children.reduce((t, c, i) => t + cpuSeconds(c.proc.pid!) - childBase[i], 0);
    };
    return await fn({ svc, cpu, workerPeakMb: () => workerPeak });
  } finally {
    clearInterval(rssTimer);
    for (const c of children) c.proc.kill("SIGTERM");
    await Promise.all(children.map((c) => Promise.race([c.exited, sleep(35_000)])));
    for (const c of children) if (c.proc.exitCode === null && c.proc.pid) process.kill(c.proc.pid, "SIGKILL");
    await svc.stop();
    await db.drop();
  }
}

const post = (svc: RunningService, body: unknown) =>
  fetch(`${svc.url}/v1/alerts/alertmanager`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKENS.alert}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function latency(processes: number, together = true) {
  const n = 12;
  const load = loadavg()[0];
  return withService(
    ["--config", regionsFile(n), "--clock", "manual", "--no-watch"],
    processes,
    async ({ svc, cpu }) => {
      const sent = new Map<string, number>();
      const first = new Map<string, number>();
      const send = async (i: number) => {
        const t0 = performance.now();
        const r = await post(svc, webhook([{ region: `r${i + 1}`, asset: "L-4A-4P", fingerprint: `lat-${i}` }]));
        const j = (await r.json()) as { incidents: { id: string }[] };
        sent.set(j.incidents[0].id, t0);
        return j.incidents[0].id;
      };
      if (together) await Promise.all(Array.from({ length: n }, (_, i) => send(i)));
      else {
        // One at a time: the next alert after the previous incident's first dispatch.
        for (let i = 0; i < n; i++) {
          const id = await send(i);
          while (
            !(await svc.db.pool.query(`SELECT 1 FROM infra.dispatches WHERE incident_id = $1 LIMIT 1`, [id])).rowCount
          )
            await sleep(5);
          first.set(id, performance.now());
        }
      }
      const until = Date.now() + 120_000;
      while (first.size < n && Date.now() < until) {
        const rows = (await svc.db.pool.query(`SELECT DISTINCT incident_id FROM infra.dispatches`)).rows.map(
          (x) => x.incident_id as string,
        );
        const now = performance.now();
        for (const id of rows) if (!first.has(id)) first.set(id, now);
        await sleep(10);
      }
      const ms = [...first].map(([id, t]) => t - sent.get(id)!);
      return {
        processes,
        together,
        incidents: n,
        dispatched: first.size,
        p50: pct(ms, 50),
        p95: pct(ms, 95),
        cpuSeconds: cpu(),
        load,
      };
    },
  );
}

async function throughput(processes: number) {
  const n = 50;
  const load = loadavg()[0];
  return withService(["--config", regionsFile(n), "--speed", "6000"], processes, async ({ svc, cpu, workerPeakMb }) => {
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: n }, (_, i) =>
        post(svc, webhook([{ region: `r${i + 1}`, asset: "L-4A-4P", fingerprint: `tp-${i}` }])),
      ),
    );
    let resolved = 0;
    const until = Date.now() + 600_000;
    while (resolved < n && Date.now() < until) {
      resolved = Number(
        (await svc.db.pool.query(`SELECT count(*) FROM infra.incidents WHERE status = 'resolved'`)).rows[0].count,
      );
      await sleep(250);
    }
    const minutes = (performance.now() - t0) / 60_000;
    const dup = (
      await svc.db.pool.query(`SELECT count(*) - count(DISTINCT (region, dispatch_id)) AS d FROM infra.dispatches`)
    ).rows[0].d;
    return {
      processes,
      incidents: n,
      resolved,
      wallSeconds: Math.round(minutes * 600) / 10,
      perMinute: Math.round((resolved / minutes) * 10) / 10,
      doubledDispatches: Number(dup),
      cpuSeconds: cpu(),
      workerPeakMb: workerPeakMb(),
      load,
    };
  });
}

async function burst() {
  return withService(["--clock", "manual", "--no-watch"], 1, async ({ svc }) => {
    const unique = 1000,
      dups = 200,
      concurrency = 16;
    const bodies = Array.from({ length: unique }, (_, i) =>
      webhook([
        {
          region: "demo",
          asset: i % 3 ? "L-4A-4P" : `UNKNOWN-${i}`,
          fingerprint: `burst-${i}`,
          startsAt: "2026-12-02T05:00:00Z",
        },
      ]),
    );
    const all = [...bodies, ...bodies.slice(0, dups)];
    const statuses = new Map<number, number>();
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < all.length) {
          const r = await post(svc, all[next++]);
          await r.arrayBuffer();
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const stored = Number(
      (await svc.db.pool.query(`SELECT count(*) FROM infra.alerts WHERE fingerprint LIKE 'burst-%'`)).rows[0].count,
    );
    const notifications = Number((await svc.db.pool.query(`SELECT count(*) FROM infra.notifications`)).rows[0].count);
    return {
      sent: all.length,
      unique,
      seconds: Math.round(seconds * 10) / 10,
      statuses: Object.fromEntries(statuses),
      alertsStored: stored,
      lost: unique - stored,
      notificationsStored: notifications,
    };
  });
}

const r1 = (x: number) => Math.round(x * 10) / 10;
console.log(
  `bench:serve on Node ${process.version}, ${new Date().toISOString()}, ${cpus().length} cores; worker processes: ${PROCESS_COUNTS.join(", ")}`,
);
{
  const r = await latency(1, false);
  console.log(
    `alert-to-first-dispatch, 1 worker process, one incident at a time (${r.incidents}): p50 ${Math.round(r.p50)} ms, p95 ${Math.round(r.p95)} ms; CPU ${r1(r.cpuSeconds)} s; load ${r1(r.load)}`,
  );
}
for (const w of PROCESS_COUNTS) {
  const r = await latency(w);
  console.log(
    `alert-to-first-dispatch, ${r.processes} worker process(es), ${r.incidents} incidents at once: p50 ${Math.round(r.p50)} ms, p95 ${Math.round(r.p95)} ms (${r.dispatched}/${r.incidents} dispatched); CPU ${r1(r.cpuSeconds)} s; load ${r1(r.load)}`,
  );
}
for (const w of PROCESS_COUNTS) {
  const t = await throughput(w);
  console.log(
    `50 concurrent incidents, ${t.processes} worker process(es), world x6000: ${t.resolved}/${t.incidents} resolved in ${t.wallSeconds} s = ${t.perMinute} incidents/minute; doubled dispatches ${t.doubledDispatches}; CPU ${r1(t.cpuSeconds)} s (${r1(t.cpuSeconds / Math.max(1, t.resolved))} s per incident); peak RSS per worker process ${Math.round(t.workerPeakMb)} MB; load ${r1(t.load)}`,
  );
}
const b = await burst();
console.log(
  `burst: ${b.sent} deliveries (${b.unique} unique alerts + ${b.sent - b.unique} duplicates) in ${b.seconds} s; statuses ${JSON.stringify(b.statuses)}; stored ${b.alertsStored}, lost ${b.lost}; notifications stored ${b.notificationsStored}`,
);
console.log(`peak RSS of this process (service, field, benchmark client): ${Math.round(peakRss / 1024 / 1024)} MB`);
clearInterval(sampler);
process.exit(0);
