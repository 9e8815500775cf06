/**
 * Support for the service tests: a fresh PostgreSQL database per test file (svc_test_<random>,
 * dropped at the end), the service started in this process or as child processes, and small
 * HTTP helpers. A missing PostgreSQL fails the tests with a clear message.
 */
import { randomUUID } from "node:crypto";
import { spawn, type ChildProcess } from "node:child_process";
import pg from "pg";
import { POSTGRES_URL, requirePostgres } from "../reliability/support/postgres.js";
import { childEnv, ROOT } from "../reliability/support/processes.js";

export const TOKENS = {
  alert: "test-alert-token-000000000001",
  operator: "test-operator-token-0000000001",
  viewer: "test-viewer-token-00000000001",
};
export const TOKEN_ENV = {
  INFRA_ALERT_TOKEN: TOKENS.alert,
  INFRA_OPERATOR_TOKEN: TOKENS.operator,
  INFRA_VIEWER_TOKEN: TOKENS.viewer,
};

export async function freshDatabase(
  prefix = "svc_test",
): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  await requirePostgres();
  const name = `${prefix}_${randomUUID().replace(/-/g, "").slice(0, 10)}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const c = new pg.Client({ connectionString: POSTGRES_URL });
      try {
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } catch {
        /* the server is gone */
      } finally {
        await c.end().catch(() => {});
      }
    },
  };
}

export async function api(
  base: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; raw?: string } = {},
) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      "content-type": "application/json",
    },
    ...(options.raw !== undefined
      ? { body: options.raw }
      : options.body !== undefined
        ? { body: JSON.stringify(options.body) }
        : {}),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json: json as any };
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
  everyMs = 150,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
}

let seq = 0;
/** An Alertmanager v4 notification for some assets of a region. */
export function webhook(
  alerts: {
    asset?: string;
    region?: string;
    status?: "firing" | "resolved";
    fingerprint?: string;
    startsAt?: string;
    alertname?: string;
  }[],
) {
  const list = alerts.map((a) => ({
    status: a.status ?? "firing",
    labels: {
      alertname: a.alertname ?? "AssetDamaged",
      ...(a.region ? { region: a.region } : {}),
      ...(a.asset ? { asset: a.asset } : {}),
    },
    annotations: { summary: `${a.asset ?? "something"} is down` },
    startsAt: a.startsAt ?? "2026-12-02T04:00:00.000000001Z",
    endsAt: a.status === "resolved" ? "2026-12-02T05:00:00Z" : "0001-01-01T00:00:00Z",
    generatorURL: "http://prometheus/graph",
    fingerprint: a.fingerprint ?? `fp${(++seq).toString(16).padStart(8, "0")}`,
  }));
  return {
    version: "4",
    groupKey: `{}:{alertname="AssetDamaged"}`,
    truncatedAlerts: 0,
    status: list.some((a) => a.status === "firing") ? "firing" : "resolved",
    receiver: "infra-fail-mngr",
    groupLabels: { alertname: "AssetDamaged" },
    commonLabels: {},
    commonAnnotations: {},
    externalURL: "http://alertmanager",
    alerts: list,
  };
}

const live = new Set<ChildProcess>();

export interface Child {
  proc: ChildProcess;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `node --import tsx SCRIPT ...` in its own process group (no wrapper: a signal reaches the script). */
export function startChild(script: string, args: string[], env: Record<string, string | undefined>): Child {
  const proc = spawn(process.execPath, ["--import", "tsx", script, ...args], {
    cwd: ROOT,
    env: childEnv(env),
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  live.add(proc);
  let out = "";
  proc.stdout!.on("data", (d) => (out += d));
  proc.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on("close", (code, signal) => {
      live.delete(proc);
      resolve({ code, signal });
    }),
  );
  return { proc, output: () => out, exited };
}

/** The URL a child service printed ("listening on http://..."). */
export async function listeningUrl(child: Child, timeoutMs = 60_000): Promise<string> {
  return waitFor(
    "the service to listen",
    async () => {
      if (child.proc.exitCode !== null) throw new Error(`the service exited: ${child.output()}`);
      return /listening on (http:\/\/\S+)/.exec(child.output())?.[1];
    },
    timeoutMs,
    100,
  );
}

export function killChildren(): void {
  for (const c of live) {
    try {
      if (c.pid) process.kill(-c.pid, "SIGKILL");
    } catch {
      /* gone */
    }
  }
  live.clear();
}
