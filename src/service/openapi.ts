/** The OpenAPI 3.1 document of the service, generated from its zod schemas (z.toJSONSchema). */
import { z } from "zod";
import {
  AlertIngestResult,
  AlertmanagerWebhook,
  CreateIncidentRequest,
  DecisionRequest,
  ErrorResponse,
  IncidentDetail,
  IncidentEvent,
  IncidentList,
  SetClockRequest,
} from "./schemas.js";

// Named schemas (.meta({ id })) go to components.schemas, referenced from the paths.
const components: Record<string, unknown> = {};
function schemaOf(schema: z.ZodType, io: "input" | "output" = "output"): unknown {
  const raw = JSON.parse(
    JSON.stringify(z.toJSONSchema(schema, { io, unrepresentable: "any" })).replaceAll(
      "#/$defs/",
      "#/components/schemas/",
    ),
  ) as Record<string, unknown>;
  const defs = (raw.$defs ?? {}) as Record<string, unknown>;
  for (const [name, def] of Object.entries(defs)) components[name] ??= def;
  delete raw.$defs;
  delete raw.$schema;
  return raw;
}
const json = (schema: z.ZodType, io: "input" | "output" = "output") => ({
  "application/json": { schema: schemaOf(schema, io) },
});
const errors = (...codes: number[]) =>
  Object.fromEntries(
    codes.map((c) => [String(c), { description: DESCRIPTIONS[c] ?? "error", content: json(ErrorResponse) }]),
  );
const DESCRIPTIONS: Record<number, string> = {
  400: "malformed request: every reason is listed in issues",
  401: "no or unknown bearer token: nothing was stored",
  403: "the token's role may not do this",
  404: "not found",
  409: "not in a state for this",
  413: "body too large",
  503: "storage unavailable: nothing was stored, send it again",
};
const secured = (...roles: string[]) => ({ security: [{ bearer: [] }], "x-roles": roles });

let cached: unknown;

export function openApiDocument(): unknown {
  cached ??= {
    openapi: "3.1.0",
    info: {
      title: "infra-fail-mngr service",
      version: "1",
      description: "Alerts in (Alertmanager webhooks), incidents run on workers, operators decide.",
    },
    components: {
      schemas: components,
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          description:
            "INFRA_ALERT_TOKEN (alert-sender), INFRA_OPERATOR_TOKEN (operator), INFRA_VIEWER_TOKEN (viewer), or a tokens file",
        },
      },
    },
    paths: {
      "/v1/alerts/alertmanager": {
        post: {
          summary: "Alertmanager webhook (version 4): stored, then answered",
          ...secured("alert-sender"),
          requestBody: { required: true, content: json(AlertmanagerWebhook, "input") },
          responses: {
            200: { description: "stored (durable)", content: json(AlertIngestResult) },
            ...errors(400, 401, 403, 413, 503),
          },
        },
      },
      "/v1/incidents": {
        get: {
          summary: "Incidents, newest first",
          ...secured("viewer", "operator"),
          responses: { 200: { description: "incidents", content: json(IncidentList) }, ...errors(401) },
        },
        post: {
          summary: "Open an incident by hand (or get the region's open one)",
          ...secured("operator"),
          requestBody: { content: json(CreateIncidentRequest, "input") },
          responses: {
            201: { description: "opened" },
            200: { description: "the region already had one open" },
            ...errors(400, 401, 403),
          },
        },
      },
      "/v1/incidents/{id}": {
        get: {
          summary: "An incident: status, figures, dispatches, plan history, pending decision",
          ...secured("viewer", "operator"),
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
          responses: { 200: { description: "the incident", content: json(IncidentDetail) }, ...errors(401, 404) },
        },
      },
      "/v1/incidents/{id}/events": {
        get: {
          summary:
            "Server-sent events: FSM steps, plans, dispatches, decisions (Last-Event-ID or ?after= resumes; ?access_token= for EventSource)",
          ...secured("viewer", "operator"),
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
          responses: {
            200: {
              description: "text/event-stream of IncidentEvent",
              content: { "text/event-stream": { schema: schemaOf(IncidentEvent) } },
            },
            ...errors(401, 404),
          },
        },
      },
      "/v1/incidents/{id}/decision": {
        post: {
          summary:
            "Approve, reject (with a reason), edit (pins the edited work) the pending plan, or release pinned work",
          ...secured("operator"),
          parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
          requestBody: { required: true, content: json(DecisionRequest, "input") },
          responses: {
            202: { description: "recorded; the graph resumes with it" },
            ...errors(400, 401, 403, 404, 409),
          },
        },
      },
      "/v1/alerts": {
        get: {
          summary: "Recent alerts (?unmatched=true: those no served region claims)",
          ...secured("viewer", "operator"),
          responses: { 200: { description: "alerts" } },
        },
      },
      "/v1/world/{region}/clock": {
        post: {
          summary: "Set a region's world minute (only with --clock manual; tests)",
          ...secured("operator"),
          requestBody: { content: json(SetClockRequest, "input") },
          responses: { 200: { description: "set" }, ...errors(409) },
        },
      },
      "/metrics": {
        get: {
          summary: "The world's state in Prometheus text format",
          responses: { 200: { description: "text/plain" } },
        },
      },
      "/healthz": { get: { summary: "The process is up", responses: { 200: { description: "ok" } } } },
      "/readyz": {
        get: {
          summary: "The database and the queue answer",
          responses: { 200: { description: "ready" }, 503: { description: "not ready" } },
        },
      },
    },
  };
  return cached;
}
