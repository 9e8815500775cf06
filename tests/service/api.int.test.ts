/**
 * The service's HTTP contract against a real PostgreSQL (a fresh database), with one worker in
 * the process and the world's clock held by the test (--clock manual, minute 0): tokens and
 * roles, store-first answers (401 and nothing stored; 400 with every reason; 413), idempotent
 * and out-of-order deliveries, unknown assets and regions kept, fuzzed bodies never a 500, an
 * alert that opens an incident that plans and dispatches through the outbox, and an operator's
 * decision through requireApproval.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseServiceArgs } from "../../src/service/config.js";
import { startService, type RunningService } from "../../src/service/server.js";
import { SERVICE_MAX_BODY_BYTES } from "../../src/limits.js";
import { api, freshDatabase, TOKEN_ENV, TOKENS, waitFor, webhook } from "./support.js";

let db: Awaited<ReturnType<typeof freshDatabase>>;
let svc: RunningService;
let base: string;
const notifications = async () =>
  Number((await svc.db.pool.query("SELECT count(*) FROM infra.notifications")).rows[0].count);
const alertRows = async () => Number((await svc.db.pool.query("SELECT count(*) FROM infra.alerts")).rows[0].count);

beforeAll(async () => {
  db = await freshDatabase("svc_test_api");
  const dir = mkdtempSync(join(tmpdir(), "svc-api-"));
  const file = join(dir, "regions.json");
  writeFileSync(
    file,
    JSON.stringify({ regions: [{ scenario: "demo" }, { name: "approval", scenario: "demo", requireApproval: true }] }),
  );
  const config = {
    ...parseServiceArgs(["--port", "0", "--config", file, "--clock", "manual", "--no-watch"], {}),
    databaseUrl: db.url,
  };
  svc = await startService(config, {
    env: TOKEN_ENV,
    log: process.env.SVC_TEST_LOG ? (l) => console.error(l) : () => {},
  });
  base = svc.url;
}, 60_000);

afterAll(async () => {
  await svc?.stop();
  await db?.drop();
});

describe("alerts in", () => {
  it("refuses a missing or wrong token with 401 and stores nothing; a viewer gets 403", async () => {
    const body = webhook([{ region: "demo", asset: "L-4A-4P" }]);
    expect((await api(base, "POST", "/v1/alerts/alertmanager", { body })).status).toBe(401);
    expect((await api(base, "POST", "/v1/alerts/alertmanager", { body, token: "not-a-token" })).status).toBe(401);
    expect((await api(base, "POST", "/v1/alerts/alertmanager", { body, token: TOKENS.viewer })).status).toBe(403);
    expect((await api(base, "GET", "/v1/incidents")).status).toBe(401);
    expect(await notifications()).toBe(0);
    expect(await alertRows()).toBe(0);
  });

  it("answers a malformed body with 400 and every reason, an oversized one with 413", async () => {
    const bad = await api(base, "POST", "/v1/alerts/alertmanager", {
      token: TOKENS.alert,
      body: { version: "3", alerts: [{ status: "burning" }] },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.issues.length).toBeGreaterThanOrEqual(4);
    expect(bad.json.issues.join("\n")).toMatch(/version/);
    expect(bad.json.issues.join("\n")).toMatch(/alerts\.0\.status/);
    expect((await api(base, "POST", "/v1/alerts/alertmanager", { token: TOKENS.alert, raw: "{not json" })).status).toBe(
      400,
    );
    const big = await api(base, "POST", "/v1/alerts/alertmanager", {
      token: TOKENS.alert,
      raw: `{"pad":"${"x".repeat(SERVICE_MAX_BODY_BYTES)}"}`,
    });
    expect(big.status).toBe(413);
    expect(await notifications()).toBe(0);
  });

  it("opens an incident from an alert, plans and dispatches through the outbox; a repeat changes nothing", async () => {
    const body = webhook([
      { region: "demo", asset: "L-4A-4P", fingerprint: "f-demo-1" },
      { region: "demo", asset: "NO-SUCH-ASSET", fingerprint: "f-demo-2" },
    ]);
    const first = await api(base, "POST", "/v1/alerts/alertmanager", { token: TOKENS.alert, body });
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ received: 2, new: 2, duplicates: 0, unknownAssets: 1 });
    expect(first.json.incidents).toHaveLength(1);
    const id = first.json.incidents[0].id as string;
    const detail = await waitFor("dispatches delivered", async () => {
      const d = (await api(base, "GET", `/v1/incidents/${id}`, { token: TOKENS.viewer })).json;
      return d.status === "monitoring" &&
        d.dispatches.length > 0 &&
        d.dispatches.every((x: { deliveredAt: string | null }) => x.deliveredAt)
        ? d
        : undefined;
    });
    expect(detail.planHistory.length).toBeGreaterThan(0);
    expect(new Set(detail.dispatches.map((d: { dispatchId: string }) => d.dispatchId)).size).toBe(
      detail.dispatches.length,
    );
    // The alert naming no known asset is kept and shown.
    expect(detail.alertList.find((a: { asset: string }) => a.asset === "NO-SUCH-ASSET")).toMatchObject({
      assetKnown: false,
    });
    const runs = detail.runs;
    const again = await api(base, "POST", "/v1/alerts/alertmanager", { token: TOKENS.alert, body });
    expect(again.json).toMatchObject({ new: 0, duplicates: 2 });
    expect(again.json.incidents).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await api(base, "GET", `/v1/incidents/${id}`, { token: TOKENS.viewer })).json.runs).toBe(runs);
    // The list: { incidents: [...] } whose items have id.
    const list = await api(base, "GET", "/v1/incidents", { token: TOKENS.viewer });
    expect(list.json.incidents.map((i: { id: string }) => i.id)).toContain(id);
  }, 60_000);

  it("records a resolution that arrives before its firing once, and keeps alerts for unserved regions", async () => {
    const resolved = webhook([
      { region: "demo", asset: "TX-3B", status: "resolved", fingerprint: "f-ooo", startsAt: "2026-12-02T04:10:00Z" },
    ]);
    const firing = webhook([
      { region: "demo", asset: "TX-3B", status: "firing", fingerprint: "f-ooo", startsAt: "2026-12-02T04:10:00Z" },
    ]);
    expect(
      (await api(base, "POST", "/v1/alerts/alertmanager", { token: TOKENS.alert, body: resolved })).json,
    ).toMatchObject({ new: 1, resolved: 1 });
    expect(
      (await api(base, "POST", "/v1/alerts/alertmanager", { token: TOKENS.alert, body: firing })).json,
    ).toMatchObject({ new: 0, duplicates: 1 });
    const row = (await svc.db.pool.query(`SELECT status FROM infra.alerts WHERE fingerprint = 'f-ooo'`)).rows;
    expect(row).toEqual([{ status: "resolved" }]);
    const elsewhere = await api(base, "POST", "/v1/alerts/alertmanager", {
      token: TOKENS.alert,
      body: webhook([{ region: "atlantis", asset: "X1", fingerprint: "f-atl" }]),
    });
    expect(elsewhere.json).toMatchObject({ new: 1, unmatched: 1, incidents: [] });
    const unmatched = await api(base, "GET", "/v1/alerts?unmatched=true", { token: TOKENS.viewer });
    expect(unmatched.json.alerts.map((a: { fingerprint: string }) => a.fingerprint)).toContain("f-atl");
  });

  it("answers fuzzed bodies with 200 or a clear 400, never a 5xx", async () => {
    const valid = webhook([{ region: "demo", asset: "L-4A-4P" }]);
    const nasty = fc.oneof(
      fc.string(),
      fc.constantFrom("\u0000", "a\ud800b", "\udc00", "x".repeat(5000), "", "Z\u0000"),
      fc.integer(),
      fc.constant(null),
      fc.object(),
    );
    const mutated = fc
      .record({
        field: fc.constantFrom(
          "version",
          "groupKey",
          "status",
          "receiver",
          "alerts",
          "commonLabels",
          "truncatedAlerts",
          "externalURL",
        ),
        value: nasty,
        label: nasty,
        fp: nasty,
        startsAt: nasty,
      })
      .map(({ field, value, label, fp, startsAt }) => {
        const b = structuredClone(valid) as Record<string, any>;
        b[field] = value;
        if (Array.isArray(b.alerts) && b.alerts[0]) {
          b.alerts[0].labels.asset = label;
          b.alerts[0].fingerprint = fp;
          b.alerts[0].startsAt = startsAt;
        }
        return b;
      });
    const bodies = fc.oneof(mutated, fc.anything());
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        const raw = JSON.stringify(body) ?? "null";
        const r = await api(base, "POST", "/v1/alerts/alertmanager", { token: TOKENS.alert, raw });
        expect([200, 400]).toContain(r.status);
      }),
      { numRuns: 60 },
    );
  }, 60_000);
});

describe("operators", () => {
  it("opens an incident by hand and answers its approval request; the decision is audited", async () => {
    const opened = await api(base, "POST", "/v1/incidents", {
      token: TOKENS.operator,
      body: { region: "approval", title: "by hand" },
    });
    expect(opened.status).toBe(201);
    const id = opened.json.id as string;
    expect(
      (await api(base, "POST", "/v1/incidents", { token: TOKENS.viewer, body: { region: "approval" } })).status,
    ).toBe(403);
    const waiting = await waitFor("an approval request", async () => {
      const d = (await api(base, "GET", `/v1/incidents/${id}`, { token: TOKENS.operator })).json;
      return d.status === "awaiting_decision" && d.decisionRequest ? d : undefined;
    });
    expect(waiting.decisionRequest.plan.assignments.length).toBeGreaterThan(0);
    expect(waiting.dispatches).toHaveLength(0);
    const noReason = await api(base, "POST", `/v1/incidents/${id}/decision`, {
      token: TOKENS.operator,
      body: { decision: "reject", reason: " " },
    });
    expect(noReason.status).toBe(400);
    expect(
      (await api(base, "POST", `/v1/incidents/${id}/decision`, { token: TOKENS.viewer, body: { decision: "approve" } }))
        .status,
    ).toBe(403);
    const ok = await api(base, "POST", `/v1/incidents/${id}/decision`, {
      token: TOKENS.operator,
      body: { decision: "approve" },
    });
    expect(ok.status).toBe(202);
    const done = await waitFor(
      "the approved plan dispatched",
      async () => {
        const d = (await api(base, "GET", `/v1/incidents/${id}`, { token: TOKENS.operator })).json;
        return d.dispatches.length > 0 ? d : undefined;
      },
      30_000,
    ).catch(async (e) => {
      const ev = await svc.db.pool.query(
        "SELECT kind, data FROM infra.events WHERE incident_id = $1 AND seq > (SELECT max(seq) FROM infra.events WHERE incident_id = $1 AND kind = $2) ORDER BY seq",
        [id, "decision"],
      );
      const jobs = await svc.db.pool.query(
        "SELECT singleton_key, state, retry_count, started_on, created_on FROM pgboss.job ORDER BY created_on",
      );
      throw new Error(`${e.message}: ${JSON.stringify(ev.rows)} ${JSON.stringify(jobs.rows)}`);
    });
    expect(done.decisions).toHaveLength(1);
    expect(done.decisions[0]).toMatchObject({ actor: "operator", role: "operator", action: "decision.approve" });
    expect(done.decisions[0].detail.expectedEffect).toBeTruthy();
    expect(done.planHistory.some((p: { operator?: { decision: string } }) => p.operator?.decision === "approve")).toBe(
      true,
    );
  }, 60_000);

  it("streams an incident's events (SSE), serves OpenAPI, health and readiness", async () => {
    const list = (await api(base, "GET", "/v1/incidents", { token: TOKENS.viewer })).json.incidents;
    const demo = list.find((i: { region: string }) => i.region === "demo");
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), 20_000);
    const res = await fetch(`${base}/v1/incidents/${demo.id}/events?access_token=${TOKENS.viewer}`, {
      signal: ctl.signal,
    });
    expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    let text = "";
    while (!/event: dispatch/.test(text)) text += new TextDecoder().decode((await reader.read()).value);
    ctl.abort();
    clearTimeout(timer);
    expect(text).toMatch(/event: opened/);
    expect(text).toMatch(/event: step/);
    const doc = (await api(base, "GET", "/v1/openapi.json")).json;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/v1/alerts/alertmanager",
        "/v1/incidents",
        "/v1/incidents/{id}",
        "/v1/incidents/{id}/events",
        "/v1/incidents/{id}/decision",
      ]),
    );
    expect(doc.paths["/v1/alerts/alertmanager"].post.requestBody.content["application/json"].schema.$ref).toBe(
      "#/components/schemas/AlertmanagerWebhook",
    );
    expect(doc.components.schemas.AlertmanagerWebhook.properties.alerts).toBeTruthy();
    expect(doc.components.schemas.IncidentDetail.properties.dispatches.type).toBe("array");
    expect((await api(base, "GET", "/healthz")).status).toBe(200);
    expect((await api(base, "GET", "/readyz")).status).toBe(200);
  });
});
