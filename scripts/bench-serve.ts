/**
 * `npm run bench:serve`: the service's figures, on the offline planner and the demo world,
 * against the PostgreSQL at INFRA_TEST_POSTGRES_URL (default 127.0.0.1:5432/test; a fresh
 * database per part, dropped after):
 *
 *   1. alert-to-first-dispatch latency (p50, p95) with 1, 2 and 4 workers: alerts for 12
 *      regions sent together, each timed from the POST to its first dispatch in the outbox;
 *   2. incidents completed per minute with 50 concurrent incidents (50 regions, 4 workers,
 *      the world at x6000 so that an incident lasts seconds);
 *   3. a burst of 1,000 alerts within a minute (plus 200 duplicate deliveries): all stored,
 *      deduplicated, none lost; peak memory of the process.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseServiceArgs } from "../src/service/config.js";
import { startService, type RunningService } from "../src/service/server.js";
import { freshDatabase, TOKEN_ENV, TOKENS, webhook } from "../tests/service/support.js";

const dir = mkdtempSync(join(tmpdir(), "bench-serve-"));
let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 50);

function regionsFile(n: number): string {
  const f = join(dir, `regions-${n}.json`);
  writeFileSync(
    f,
    JSON.stringify({ regions: Array.from({ length: n }, (_, i) => ({ name: `r${i + 1}`, scenario: "demo" })) }),
  );
  return f;
}

async function withService<T>(args: string[], fn: (svc: RunningService) => Promise<T>): Promise<T> {
  const db = await freshDatabase("svc_bench");
  const svc = await startService(
    { ...parseServiceArgs(["--port", "0", ...args], {}), databaseUrl: db.url },
    { env: TOKEN_ENV, log: () => {} },
  );
  try {
    return await fn(svc);
  } finally {
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

async function latency(workers: number, together = true) {
  const n = 12;
  return withService(
    ["--config", regionsFile(n), "--workers", String(workers), "--clock", "manual", "--no-watch"],
    async (svc) => {
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
      return { workers, together, incidents: n, dispatched: first.size, p50: pct(ms, 50), p95: pct(ms, 95) };
    },
  );
}

async function throughput() {
  const n = 50;
  return withService(["--config", regionsFile(n), "--workers", "4", "--speed", "6000"], async (svc) => {
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
      incidents: n,
      resolved,
      wallSeconds: Math.round(minutes * 600) / 10,
      perMinute: Math.round((resolved / minutes) * 10) / 10,
      doubledDispatches: Number(dup),
    };
  });
}

async function burst() {
  return withService(["--workers", "1", "--clock", "manual", "--no-watch"], async (svc) => {
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

console.log(`bench:serve on Node ${process.version}, ${new Date().toISOString()}`);
{
  const r = await latency(1, false);
  console.log(
    `alert-to-first-dispatch, 1 worker, one incident at a time (${r.incidents}): p50 ${Math.round(r.p50)} ms, p95 ${Math.round(r.p95)} ms`,
  );
}
for (const w of [1, 2, 4]) {
  const r = await latency(w);
  console.log(
    `alert-to-first-dispatch, ${r.workers} worker(s), ${r.incidents} incidents at once: p50 ${Math.round(r.p50)} ms, p95 ${Math.round(r.p95)} ms (${r.dispatched}/${r.incidents} dispatched)`,
  );
}
const t = await throughput();
console.log(
  `50 concurrent incidents, 4 workers, world x6000: ${t.resolved}/${t.incidents} resolved in ${t.wallSeconds} s = ${t.perMinute} incidents/minute; doubled dispatches ${t.doubledDispatches}`,
);
const b = await burst();
console.log(
  `burst: ${b.sent} deliveries (${b.unique} unique alerts + ${b.sent - b.unique} duplicates) in ${b.seconds} s; statuses ${JSON.stringify(b.statuses)}; stored ${b.alertsStored}, lost ${b.lost}; notifications stored ${b.notificationsStored}`,
);
console.log(
  `peak RSS of this process (service, field, workers, benchmark client): ${Math.round(peakRss / 1024 / 1024)} MB`,
);
clearInterval(sampler);
process.exit(0);
