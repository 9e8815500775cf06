/**
 * A stand-in for the operations service's HTTP API (issue 15), in one process, for the
 * console's browser tests: the same routes and shapes (GET /v1/incidents, /v1/incidents/:id
 * with dispatches, plan history and the pending decision, /events as server-sent events,
 * POST /decision, bearer tokens with roles), plus the console's own (/v1/me, /view, /what-if,
 * /v1/outages). The incident runs the demo with requireApproval: each plan waits for a
 * decision posted here. No database, no job queue: it tests the page, not the service.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { OperatorDecisionSchema, OperatorPlanSchema } from "../../src/graph/approval.js";
import type { PlanRecord } from "../../src/graph/state.js";
import { SimulatorWorldProvider } from "../../src/graph/world-provider.js";
import { runIncidentWithEtrs } from "../../src/incident/etr-tracking.js";
import { isoFrom, outageFeed } from "../../src/incident/outage-feed.js";
import { EtrBoard } from "../../src/planning/etr.js";
import { consoleAsset } from "../../src/console/static.js";
import { incidentView, whatIf } from "../../src/console/views.js";
import { loadScenario } from "../../src/world/scenario/load.js";

interface Principal {
  name: string;
  role: "operator" | "viewer";
}
interface Event {
  seq: number;
  incidentId: string;
  at: string;
  kind: string;
  data: Record<string, unknown>;
}

export interface ConsoleApi {
  url: string;
  incidentId: string;
  tokens: { operator: string; viewer: string };
  close(): Promise<void>;
  decisions: unknown[];
}

export async function startConsoleApi(): Promise<ConsoleApi> {
  const tokens = { operator: "op-token-1234567890", viewer: "view-token-1234567890" };
  const principals = new Map<string, Principal>([
    [tokens.operator, { name: "alice.operator", role: "operator" }],
    [tokens.viewer, { name: "victor.viewer", role: "viewer" }],
  ]);
  const scenario = loadScenario("demo");
  const toIso = isoFrom(scenario.startTime);
  const incidentId = "incident-console-1";
  const openedAt = new Date().toISOString();
  const worlds = new SimulatorWorldProvider();
  const board = new EtrBoard();
  const events: Event[] = [];
  const listeners = new Set<(e: Event) => void>();
  const planHistory: PlanRecord[] = [];
  const audit: {
    at: string;
    actor: string;
    role: string;
    action: string;
    incidentId: string;
    detail: Record<string, unknown>;
  }[] = [];
  const triggers: { kind: string; at: number; message: string }[] = [];
  const decisions: unknown[] = [];
  let status = "running";
  let runs = 0;
  let pending: { request: Record<string, unknown>; answer: (v: unknown) => void } | null = null;
  const emit = (kind: string, data: Record<string, unknown>) => {
    const e = { seq: events.length + 1, incidentId, at: new Date().toISOString(), kind, data };
    events.push(e);
    for (const l of listeners) l(e);
  };
  emit("opened", { region: "demo", by: "test" });
  const world = () => worlds.peek(incidentId);

  const run = runIncidentWithEtrs({
    scenario: "demo",
    worlds,
    board,
    incidentId,
    config: { model: "offline", requireApproval: true },
    onTrigger: (t) => {
      runs++;
      triggers.push(t);
      emit("run_started", { reason: { kind: t.kind, message: t.message } });
    },
    onStep: (state, update) => {
      emit("step", {
        state,
        ...(update.failures
          ? { summary: `${(update.failures as { damaged?: unknown[] }).damaged?.length ?? 0} damaged` }
          : {}),
      });
      for (const p of update.planHistory ?? []) {
        planHistory.push(p);
        emit("plan", p as unknown as Record<string, unknown>);
      }
      if (state === "EXECUTION") {
        const w = world();
        const fresh = (w?.dispatches() ?? []).filter((d) => d.assignedAt === w!.now());
        if (fresh.length)
          emit("dispatch", {
            dispatches: fresh.map((d) => ({
              dispatchId: d.dispatchId,
              crewId: d.crewId,
              assetId: d.assetId,
              at: d.assignedAt,
            })),
          });
      }
      if (state === "FINAL") emit("run_ended", { status: update.status, reason: update.finalReason });
    },
    onInterrupt: (value) =>
      new Promise((resolve) => {
        status = "awaiting_decision";
        pending = { request: value as Record<string, unknown>, answer: resolve };
        emit("decision_requested", { request: value as Record<string, unknown> });
      }),
  }).then(
    () => {
      status = "resolved";
      emit("resolved", {});
    },
    (e) => {
      status = "error";
      emit("error", { message: String(e) });
    },
  );

  const send = (res: ServerResponse, code: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(code, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
    res.end(text);
  };
  const readJson = async (req: IncomingMessage) => {
    let s = "";
    for await (const c of req) s += c;
    return s ? JSON.parse(s) : {};
  };
  const figures = () => {
    const w = world();
    if (!w) return null;
    const m = w.metrics(),
      snap = w.detectFailures();
    return {
      worldMinute: w.now(),
      damaged: snap.damaged.length,
      outOfService: snap.outOfService.length,
      populationOut: snap.populationOut,
      criticalFacilitiesOut: snap.criticalFacilitiesOut,
      customerMinutesInterrupted: m.customerMinutesInterrupted,
      minutesToFullRestoration: m.minutesToFullRestoration,
      fullyRestored: w.isFullyRestored(),
    };
  };
  const summary = () => ({
    id: incidentId,
    region: "demo",
    scenario: "demo",
    status,
    title: "Storm over Millbrook",
    openedAt,
    closedAt: null,
    openedBy: "test",
    runs,
    alerts: triggers.length,
    dispatchCount: world()?.dispatchLog().length ?? 0,
    figures: figures(),
    pendingDecision: pending !== null,
  });

  const server: Server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const asset = req.method === "GET" ? consoleAsset(url.pathname) : undefined;
      if (asset) {
        res.writeHead(asset.status, asset.headers);
        res.end(asset.body);
        return;
      }
      if (url.pathname === "/favicon.ico") {
        res.writeHead(204);
        res.end();
        return;
      }
      const header = req.headers.authorization?.match(/^Bearer (.+)$/)?.[1];
      const who = principals.get(
        header ?? (url.pathname.endsWith("/events") ? (url.searchParams.get("access_token") ?? "") : ""),
      );
      if (!who) return send(res, 401, { error: "a valid bearer token is required" });
      const m = url.pathname.match(/^\/v1\/incidents\/([^/]+)(\/[a-z-]+)?$/);
      if (url.pathname === "/v1/me") return send(res, 200, who);
      if (url.pathname === "/v1/incidents") return send(res, 200, { incidents: [summary()] });
      if (url.pathname === "/v1/outages") {
        const w = world();
        return send(
          res,
          200,
          w
            ? { ...outageFeed(board, { incidentId, region: "demo", now: w.now(), toIso, coordinates: "lonlat" }) }
            : { generatedAt: new Date().toISOString(), outages: [] },
        );
      }
      if (!m || decodeURIComponent(m[1]) !== incidentId) return send(res, 404, { error: "no such incident" });
      const sub = m[2] ?? "";
      if (req.method === "GET" && sub === "") {
        return send(res, 200, {
          ...summary(),
          dispatches: (world()?.dispatchLog() ?? []).map((d) => ({
            dispatchId: d.dispatchId,
            crewId: d.crewId,
            assetId: d.assetId,
            at: d.at,
            createdAt: openedAt,
            deliveredAt: openedAt,
          })),
          planHistory,
          decisionRequest: pending?.request ?? null,
          alertList: [],
          decisions: audit,
          result: null,
        });
      }
      if (req.method === "GET" && sub === "/view") {
        const w = world();
        return w ? send(res, 200, incidentView(w)) : send(res, 404, { error: "no world yet" });
      }
      if (req.method === "GET" && sub === "/events") {
        res.writeHead(200, {
          "content-type": "text/event-stream; charset=utf-8",
          "cache-control": "no-store",
          connection: "keep-alive",
        });
        res.write(": connected\n\n");
        const write = (e: Event) => res.write(`id: ${e.seq}\nevent: ${e.kind}\ndata: ${JSON.stringify(e)}\n\n`);
        for (const e of events) write(e);
        listeners.add(write);
        req.on("close", () => listeners.delete(write));
        return;
      }
      if (req.method === "POST" && sub === "/what-if") {
        const body = await readJson(req);
        const plan = OperatorPlanSchema.safeParse(body.plan);
        if (!plan.success)
          return send(res, 400, { error: "invalid plan", issues: plan.error.issues.map((i) => i.message) });
        const w = world();
        return w ? send(res, 200, whatIf(w, plan.data)) : send(res, 409, { error: "no world yet" });
      }
      if (req.method === "POST" && sub === "/decision") {
        if (who.role !== "operator") return send(res, 403, { error: "a viewer cannot decide" });
        const parsed = OperatorDecisionSchema.safeParse(await readJson(req));
        if (!parsed.success)
          return send(res, 400, { error: "invalid decision", issues: parsed.error.issues.map((i) => i.message) });
        if (!pending) return send(res, 409, { error: "the incident is not waiting for a decision" });
        const p = pending;
        pending = null;
        status = "running";
        decisions.push(parsed.data);
        audit.push({
          at: new Date().toISOString(),
          actor: who.name,
          role: who.role,
          action: `decision.${parsed.data.decision}`,
          incidentId,
          detail: { decision: parsed.data, worldMinute: p.request.at, expectedEffect: p.request.expectedEffect },
        });
        emit("decision", {
          decision: parsed.data.decision,
          by: who.name,
          ...(parsed.data.decision === "reject" ? { reason: parsed.data.reason } : {}),
        });
        // Answer after the response: the graph resumes on its own.
        setTimeout(() => p.answer(parsed.data), 50);
        return send(res, 202, { accepted: true });
      }
      return send(res, 404, { error: "not found" });
    } catch (e) {
      send(res, 500, { error: (e as Error).message });
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    incidentId,
    tokens,
    decisions,
    close: async () => {
      // An incident waiting for a decision is left waiting: its promise is dropped with the server.
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      void run;
    },
  };
}
