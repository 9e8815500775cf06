/**
 * The service's routes. The contract (paths, shapes) is in src/service/schemas.ts and served
 * as OpenAPI at /v1/openapi.json.
 */
import type pg from "pg";
import type { Principal, TokenRegistry } from "./auth.js";
import type { ServiceConfig } from "./config.js";
import { ingestNotification, regionOf } from "./alerts.js";
import { HttpError, sendJson, type Route } from "./http.js";
import type { JobQueue } from "./jobs.js";
import { openApiDocument } from "./openapi.js";
import {
  AlertmanagerWebhook,
  CreateIncidentRequest,
  DecisionRequest,
  SetClockRequest,
  type IncidentDetail,
} from "./schemas.js";
import {
  addDecision,
  addEvent,
  audit,
  auditFor,
  eventsSince,
  getIncidentRow,
  incidentDispatches,
  listIncidents,
  openIncidentFor,
  setManualClock,
  summaryOf,
} from "./store.js";
import { streamEvents } from "./sse.js";

export interface ServiceContext {
  pool: pg.Pool;
  queue: JobQueue;
  config: ServiceConfig;
  tokens: TokenRegistry;
  /** Prometheus text of the world (the field), when this process serves it. */
  metrics?: () => Promise<string>;
  ready(): Promise<boolean>;
}

export function buildRoutes(s: ServiceContext): Route[] {
  return [
    { method: "GET", path: "/healthz", handler: ({ res }) => sendJson(res, 200, { ok: true }) },
    {
      method: "GET",
      path: "/readyz",
      handler: async ({ res }) => {
        const ok = await s.ready().catch(() => false);
        sendJson(res, ok ? 200 : 503, { ready: ok });
      },
    },
    {
      method: "GET",
      path: "/metrics",
      handler: async ({ res }) => {
        if (!s.metrics) throw new HttpError(404, "this process does not serve the world's metrics");
        const text = await s.metrics();
        res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
        res.end(text);
      },
    },
    { method: "GET", path: "/v1/openapi.json", handler: ({ res }) => sendJson(res, 200, openApiDocument()) },
    {
      method: "POST",
      path: "/v1/alerts/alertmanager",
      permission: "send-alerts",
      body: AlertmanagerWebhook,
      handler: async ({ res, body, principal }) => {
        let result;
        try {
          result = await ingestNotification(s.pool, s.queue, s.config, body as AlertmanagerWebhook, principal!);
        } catch (e) {
          // Whatever stopped it, nothing was stored: Alertmanager retries a 5xx, so say 503.
          console.error(`[alerts] notification not stored: ${(e as Error).message}`);
          throw new HttpError(503, "the notification could not be stored; nothing was kept, send it again");
        }
        sendJson(res, 200, result);
      },
    },
    {
      method: "GET",
      path: "/v1/alerts",
      permission: "read",
      handler: async ({ res, query }) => {
        const unmatched = query.get("unmatched") === "true";
        const r = await s.pool.query(
          `SELECT * FROM infra.alerts ${unmatched ? "WHERE incident_id IS NULL" : ""} ORDER BY received_at DESC LIMIT 500`,
        );
        sendJson(res, 200, { alerts: r.rows.map(alertOut) });
      },
    },
    {
      method: "GET",
      path: "/v1/incidents",
      permission: "read",
      handler: async ({ res }) => sendJson(res, 200, { incidents: await listIncidents(s.pool) }),
    },
    {
      method: "POST",
      path: "/v1/incidents",
      permission: "operate",
      body: CreateIncidentRequest,
      handler: async ({ res, body, principal }) => {
        const b = body as { region?: string; title?: string; note?: string };
        const region = b.region ? s.config.regions.find((r) => r.name === b.region) : regionOf({}, s.config);
        if (!region)
          throw new HttpError(
            400,
            b.region
              ? `no region "${b.region}" is served (served: ${s.config.regions.map((r) => r.name).join(", ")})`
              : "name the region: this service serves several",
          );
        const client = await s.pool.connect();
        try {
          await client.query("BEGIN");
          const inc = await openIncidentFor(client, region, `operator:${principal!.name}`, b.title);
          await audit(client, principal!, "incident.open", inc.id, {
            region: region.name,
            opened: inc.opened,
            ...(b.note ? { note: b.note } : {}),
          });
          const queued = await s.queue.enqueueRun(
            {
              incidentId: inc.id,
              reason: { kind: "operator", message: `opened by ${principal!.name}${b.note ? `: ${b.note}` : ""}` },
            },
            client,
          );
          await addEvent(client, inc.id, "run_queued", { reason: "operator", queued });
          await client.query("COMMIT");
          sendJson(res, inc.opened ? 201 : 200, { id: inc.id, opened: inc.opened, runQueued: queued });
        } catch (e) {
          await client.query("ROLLBACK").catch(() => {});
          throw e;
        } finally {
          client.release();
        }
      },
    },
    {
      method: "GET",
      path: "/v1/incidents/:id",
      permission: "read",
      handler: async ({ res, params }) => sendJson(res, 200, await incidentDetail(s.pool, params.id)),
    },
    {
      method: "GET",
      path: "/v1/incidents/:id/events",
      permission: "read",
      tokenInQuery: true,
      handler: async ({ req, res, params, query }) => {
        if (!(await getIncidentRow(s.pool, params.id))) throw new HttpError(404, `no incident ${params.id}`);
        const after = Number(req.headers["last-event-id"] ?? query.get("after") ?? 0);
        await streamEvents(s.pool, req, res, params.id, Number.isFinite(after) ? after : 0);
      },
    },
    {
      method: "POST",
      path: "/v1/incidents/:id/decision",
      permission: "operate",
      body: DecisionRequest,
      handler: async ({ res, params, body, principal }) =>
        sendJson(res, 202, await decide(s, params.id, body as DecisionRequest, principal!)),
    },
    {
      method: "POST",
      path: "/v1/world/:region/clock",
      permission: "operate",
      body: SetClockRequest,
      handler: async ({ res, params, body, principal }) => {
        if (s.config.clock !== "manual")
          throw new HttpError(409, "the world's clock is the wall clock (start with --clock manual to set it)");
        if (!s.config.regions.some((r) => r.name === params.region))
          throw new HttpError(404, `no region ${params.region}`);
        await setManualClock(s.pool, params.region, (body as { minutes: number }).minutes);
        await audit(s.pool, principal!, "world.clock", null, {
          region: params.region,
          minutes: (body as { minutes: number }).minutes,
        });
        sendJson(res, 200, { region: params.region, minutes: (body as { minutes: number }).minutes });
      },
    },
  ];
}

async function decide(s: ServiceContext, id: string, decision: DecisionRequest, who: Principal) {
  const client = await s.pool.connect();
  try {
    await client.query("BEGIN");
    const row = (await client.query(`SELECT * FROM infra.incidents WHERE id = $1 FOR UPDATE`, [id])).rows[0];
    if (!row) throw new HttpError(404, `no incident ${id}`);
    if (!row.decision_request) throw new HttpError(409, "the incident is not waiting for a decision");
    const pending = (
      await client.query(`SELECT id FROM infra.decisions WHERE incident_id = $1 AND applied_at IS NULL`, [id])
    ).rows[0];
    if (pending) throw new HttpError(409, "a decision on this plan is already being applied");
    const request = row.decision_request as { plan?: unknown; expectedEffect?: unknown; at?: number };
    const decisionId = await addDecision(client, id, decision, who.name);
    await audit(client, who, `decision.${decision.decision}`, id, {
      decision,
      worldMinute: request.at ?? null,
      proposedPlan: request.plan ?? null,
      expectedEffect: request.expectedEffect ?? null,
      decisionId,
    });
    await addEvent(client, id, "decision", {
      decision: decision.decision,
      by: who.name,
      ...(decision.decision === "reject" ? { reason: decision.reason } : {}),
    });
    const queued = await s.queue.enqueueRun(
      { incidentId: id, reason: { kind: "decision", message: `${decision.decision} by ${who.name}` } },
      client,
    );
    await client.query("COMMIT");
    return { accepted: true, decisionId, runQueued: queued };
  } catch (e) {
    await client.query("ROLLBACK").catch(() => {});
    throw e;
  } finally {
    client.release();
  }
}

function alertOut(a: Record<string, unknown>) {
  return {
    fingerprint: a.fingerprint,
    startsAt: a.starts_at,
    status: a.status,
    endsAt: a.ends_at ?? null,
    labels: a.labels,
    annotations: a.annotations,
    region: a.region ?? null,
    asset: a.asset ?? null,
    assetKnown: a.asset_known,
    reconciled: a.reconciled ?? null,
    receivedAt: (a.received_at as Date).toISOString(),
    incidentId: a.incident_id ?? null,
  };
}

export async function incidentDetail(pool: pg.Pool, id: string): Promise<IncidentDetail> {
  const row = await getIncidentRow(pool, id);
  if (!row) throw new HttpError(404, `no incident ${id}`);
  const [dispatches, plans, alerts, auditLog] = await Promise.all([
    incidentDispatches(pool, id),
    eventsSince(pool, id, 0, 10_000, ["plan"]),
    pool.query(`SELECT * FROM infra.alerts WHERE incident_id = $1 ORDER BY received_at`, [id]),
    auditFor(pool, id),
  ]);
  return {
    ...summaryOf({ ...row, alert_count: alerts.rowCount ?? 0, dispatch_count: dispatches.length }),
    dispatches,
    planHistory: plans.map((p) => p.data),
    decisionRequest: row.decision_request,
    alertList: alerts.rows.map(alertOut) as IncidentDetail["alertList"],
    decisions: auditLog.filter((a) => a.action.startsWith("decision.")),
    result: row.result,
  };
}
