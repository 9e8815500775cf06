/**
 * End to end with the real Prometheus (2.42) and Alertmanager (0.25) from Debian: the service
 * runs the demo world in scaled real time; Prometheus scrapes its /metrics and evaluates the
 * shipped rules (deploy/prometheus/rules.yml); Alertmanager posts the alerts to the service with
 * a bearer token; an incident opens, plans, dispatches; the world repairs; the alerts resolve;
 * the incident ends. Every notification Alertmanager sent is stored, none failed, and no
 * dispatch was sent twice. The binaries must be installed (.ci/run installs them): without
 * them this test fails and says so.
 */
import { ensureDebianBinaries } from "../support/debian-packages.js";
import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { parseServiceArgs } from "../../src/service/config.js";
import { startService, type RunningService } from "../../src/service/server.js";
import { api, freshDatabase, TOKEN_ENV, TOKENS, waitFor } from "./support.js";

const PROMETHEUS = "/usr/bin/prometheus";
const ALERTMANAGER = "/usr/bin/prometheus-alertmanager";
const dir = mkdtempSync(join(tmpdir(), "svc-prom-"));
const procs: ChildProcess[] = [];
let db: Awaited<ReturnType<typeof freshDatabase>>;
let svc: RunningService;
let amUrl: string;

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });

function run(bin: string, args: string[]) {
  const p = spawn(bin, args, { detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  p.stdout!.on("data", (d) => (out += d));
  p.stderr!.on("data", (d) => (out += d));
  procs.push(p);
  return { p, out: () => out };
}

beforeAll(async () => {
  ensureDebianBinaries({ [PROMETHEUS]: "prometheus", [ALERTMANAGER]: "prometheus-alertmanager" });
  db = await freshDatabase("svc_test_prom");
  svc = await startService(
    { ...parseServiceArgs(["--port", "0", "--speed", "1200"], {}), databaseUrl: db.url },
    { env: TOKEN_ENV, log: () => {} },
  );
  const svcHost = new URL(svc.url).host;
  const [amPort, promPort] = [await freePort(), await freePort()];
  amUrl = `http://127.0.0.1:${amPort}`;
  writeFileSync(
    join(dir, "alertmanager.yml"),
    `route:
  receiver: infra
  group_by: ["region", "alertname"]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: infra
    webhook_configs:
      - url: ${svc.url}/v1/alerts/alertmanager
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials: ${TOKENS.alert}
`,
  );
  copyFileSync("deploy/prometheus/rules.yml", join(dir, "rules.yml"));
  writeFileSync(
    join(dir, "prometheus.yml"),
    `global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: ["rules.yml"]
scrape_configs:
  - job_name: infra
    static_configs: [{ targets: ["${svcHost}"] }]
alerting:
  alertmanagers: [{ static_configs: [{ targets: ["127.0.0.1:${amPort}"] }] }]
`,
  );
  run(ALERTMANAGER, [
    `--config.file=${join(dir, "alertmanager.yml")}`,
    `--storage.path=${join(dir, "am")}`,
    `--web.listen-address=127.0.0.1:${amPort}`,
    "--cluster.listen-address=",
  ]);
  run(PROMETHEUS, [
    `--config.file=${join(dir, "prometheus.yml")}`,
    `--storage.tsdb.path=${join(dir, "prom")}`,
    `--web.listen-address=127.0.0.1:${promPort}`,
  ]);
  await waitFor("Alertmanager ready", async () => (await fetch(`${amUrl}/-/ready`)).ok, 30_000, 200);
}, 900_000); // a fresh machine may first install Debian's packages (ensureDebianBinaries)

afterAll(async () => {
  for (const p of procs) {
    try {
      process.kill(-p.pid!, "SIGKILL");
    } catch {
      /* gone */
    }
  }
  await svc?.stop();
  await db?.drop();
});

it("alerts from Prometheus through Alertmanager open an incident that dispatches, repairs and ends", async () => {
  const incident = await waitFor(
    "an incident opened by an alert",
    async () => {
      const list = (await api(svc.url, "GET", "/v1/incidents", { token: TOKENS.viewer })).json.incidents;
      return list.find((i: { openedBy: string }) => i.openedBy.startsWith("alert:"));
    },
    60_000,
    250,
  );
  const done = await waitFor(
    "the incident to end",
    async () => {
      const d = (await api(svc.url, "GET", `/v1/incidents/${incident.id}`, { token: TOKENS.viewer })).json;
      return d.status === "resolved" ? d : undefined;
    },
    150_000,
    500,
  );
  expect(done.figures.fullyRestored).toBe(true);
  expect(done.dispatches.length).toBeGreaterThan(3);
  expect(done.dispatches.every((d: { deliveredAt: string | null }) => d.deliveredAt)).toBe(true);
  expect(done.alertList.some((a: { labels: { alertname: string } }) => a.labels.alertname === "AssetDamaged")).toBe(
    true,
  );
  // The alerts resolve (Prometheus stops firing, Alertmanager sends the resolution).
  await waitFor(
    "every AssetDamaged alert resolved",
    async () => {
      const r = await svc.db.pool.query(
        `SELECT count(*) FILTER (WHERE status = 'firing')::int AS firing, count(*)::int AS n FROM infra.alerts WHERE labels->>'alertname' = 'AssetDamaged'`,
      );
      return r.rows[0].n > 0 && r.rows[0].firing === 0;
    },
    60_000,
    500,
  );
  // Nothing lost: every webhook Alertmanager sent is stored, and none failed.
  const amMetrics = await (await fetch(`${amUrl}/metrics`)).text();
  const metric = (name: string) =>
    Number(new RegExp(`^${name}\\{integration="webhook"\\} (\\d+)`, "m").exec(amMetrics)?.[1] ?? NaN);
  const stored = Number((await svc.db.pool.query(`SELECT count(*) FROM infra.notifications`)).rows[0].count);
  expect(metric("alertmanager_notifications_failed_total")).toBe(0);
  expect(stored).toBe(metric("alertmanager_notifications_total"));
  const ids = await svc.db.pool.query(
    `SELECT count(*)::int AS n, count(DISTINCT (region, dispatch_id))::int AS d FROM infra.dispatches`,
  );
  expect(ids.rows[0].n).toBe(ids.rows[0].d);
}, 240_000);
