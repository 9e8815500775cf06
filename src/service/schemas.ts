/**
 * The service's HTTP contract as zod schemas: requests are validated with them, and the
 * OpenAPI document (/v1/openapi.json) is generated from them. Other tools (the operator
 * console) rely on these shapes: change them only by adding optional fields.
 */
import { z } from "zod";
import { OperatorDecisionSchema } from "../graph/approval.js";
import {
  SERVICE_MAX_ALERTS_PER_NOTIFICATION,
  SERVICE_MAX_LABEL_CHARS,
  SERVICE_MAX_LABELS_PER_ALERT,
} from "../limits.js";

// PostgreSQL text and jsonb refuse NUL characters and unpaired surrogates: refuse them at the
// door with a 400 rather than fail at storage with a 503 that Alertmanager would retry forever.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
export const storableText = (max = SERVICE_MAX_LABEL_CHARS) =>
  z
    .string()
    .max(max)
    .refine((s) => !s.includes("\u0000"), "contains a NUL character")
    .refine((s) => !LONE_SURROGATE.test(s), "contains an unpaired surrogate");
const labelName = z
  .string()
  .min(1)
  .max(256)
  .refine((s) => !s.includes("\u0000"), "contains a NUL character")
  .refine((s) => !LONE_SURROGATE.test(s), "contains an unpaired surrogate");
export const LabelSet = z
  .record(labelName, storableText())
  .refine(
    (r) => Object.keys(r).length <= SERVICE_MAX_LABELS_PER_ALERT,
    `at most ${SERVICE_MAX_LABELS_PER_ALERT} labels`,
  );

/** RFC 3339 time as Alertmanager writes it (nanoseconds allowed); "0001-01-01T00:00:00Z" means unset. */
const amTime = z
  .string()
  .max(64)
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/, "an RFC 3339 time")
  .refine((s) => !Number.isNaN(Date.parse(s.replace(/(\.\d{3})\d+/, "$1"))), "not a valid date");

export const AlertmanagerAlert = z.object({
  status: z.enum(["firing", "resolved"]),
  labels: LabelSet,
  annotations: LabelSet.default({}),
  startsAt: amTime,
  endsAt: amTime.optional(),
  generatorURL: storableText().optional(),
  fingerprint: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9_.:-]+$/, "letters, digits and _ . : - only"),
});
export type AlertmanagerAlert = z.infer<typeof AlertmanagerAlert>;

/** Alertmanager's webhook payload, version 4. */
export const AlertmanagerWebhook = z
  .object({
    version: z.literal("4"),
    groupKey: storableText(),
    truncatedAlerts: z.number().int().min(0).default(0),
    status: z.enum(["firing", "resolved"]),
    receiver: storableText(256),
    groupLabels: LabelSet.default({}),
    commonLabels: LabelSet.default({}),
    commonAnnotations: LabelSet.default({}),
    externalURL: storableText().default(""),
    alerts: z.array(AlertmanagerAlert).max(SERVICE_MAX_ALERTS_PER_NOTIFICATION),
  })
  .meta({ id: "AlertmanagerWebhook" });
export type AlertmanagerWebhook = z.infer<typeof AlertmanagerWebhook>;

export const AlertIngestResult = z
  .object({
    received: z.number().int(),
    new: z.number().int().describe("Alerts (fingerprint + startsAt) recorded for the first time."),
    resolved: z.number().int().describe("Alerts newly recorded as resolved."),
    duplicates: z.number().int(),
    unmatched: z.number().int().describe("Alerts whose labels name no served region: kept, shown at GET /v1/alerts."),
    unknownAssets: z
      .number()
      .int()
      .describe("Alerts naming an asset the region's network does not have: kept and shown on the incident."),
    incidents: z.array(z.object({ id: z.string(), opened: z.boolean(), runQueued: z.boolean() })),
  })
  .meta({ id: "AlertIngestResult" });
export type AlertIngestResult = z.infer<typeof AlertIngestResult>;

export const CreateIncidentRequest = z
  .object({
    region: storableText(256).optional().describe("A served region; optional when the service serves one."),
    title: storableText(500).optional(),
    note: storableText(4000).optional(),
  })
  .meta({ id: "CreateIncidentRequest" });

export const DecisionRequest = OperatorDecisionSchema.meta({ id: "DecisionRequest" });
export type DecisionRequest = z.infer<typeof DecisionRequest>;

export const INCIDENT_STATUSES = ["open", "running", "awaiting_decision", "monitoring", "resolved", "error"] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

export const Figures = z
  .object({
    worldMinute: z.number(),
    damaged: z.number().int(),
    outOfService: z.number().int(),
    populationOut: z.number(),
    criticalFacilitiesOut: z.array(z.string()),
    customerMinutesInterrupted: z.number(),
    minutesToFullRestoration: z.number().nullable(),
    fullyRestored: z.boolean(),
  })
  .meta({ id: "Figures" });
export type Figures = z.infer<typeof Figures>;

export const Dispatch = z
  .object({
    dispatchId: z.string(),
    crewId: z.string(),
    assetId: z.string(),
    at: z.number().describe("World minute of the dispatch."),
    createdAt: z.string(),
    deliveredAt: z.string().nullable(),
  })
  .meta({ id: "Dispatch" });
export type Dispatch = z.infer<typeof Dispatch>;

export const IncidentSummary = z
  .object({
    id: z.string(),
    region: z.string(),
    scenario: z.string(),
    status: z.enum(INCIDENT_STATUSES),
    title: z.string().nullable(),
    openedAt: z.string(),
    closedAt: z.string().nullable(),
    openedBy: z.string(),
    runs: z.number().int(),
    alerts: z.number().int(),
    dispatchCount: z.number().int(),
    figures: Figures.nullable(),
    pendingDecision: z.boolean(),
  })
  .meta({ id: "IncidentSummary" });
export type IncidentSummary = z.infer<typeof IncidentSummary>;

export const IncidentAlert = z.object({
  fingerprint: z.string(),
  startsAt: z.string(),
  status: z.enum(["firing", "resolved"]),
  endsAt: z.string().nullable(),
  labels: z.record(z.string(), z.string()),
  annotations: z.record(z.string(), z.string()),
  region: z.string().nullable(),
  asset: z.string().nullable(),
  assetKnown: z.boolean(),
  reconciled: z
    .string()
    .nullable()
    .describe("For a resolved alert: what the world said (asset working, or still damaged)."),
  receivedAt: z.string(),
});

export const AuditEntry = z.object({
  at: z.string(),
  actor: z.string(),
  role: z.string(),
  action: z.string(),
  incidentId: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
});

export const IncidentDetail = IncidentSummary.extend({
  dispatches: z.array(Dispatch),
  planHistory: z
    .array(z.record(z.string(), z.unknown()))
    .describe("Every plan proposed, with its source, validity, operator decision and expected effect."),
  pendingDecision: z.boolean(),
  decisionRequest: z
    .record(z.string(), z.unknown())
    .nullable()
    .describe("The approval request the graph is waiting on (plan, reasoning, expected effect, how to answer)."),
  alertList: z.array(IncidentAlert),
  decisions: z.array(AuditEntry),
  result: z.string().nullable(),
}).meta({ id: "IncidentDetail" });
export type IncidentDetail = z.infer<typeof IncidentDetail>;

export const IncidentList = z.object({ incidents: z.array(IncidentSummary) }).meta({ id: "IncidentList" });

export const EVENT_KINDS = [
  "opened",
  "alert",
  "run_queued",
  "run_started",
  "step",
  "plan",
  "dispatch",
  "decision_requested",
  "decision",
  "run_ended",
  "drained",
  "resolved",
  "error",
] as const;
export const IncidentEvent = z
  .object({
    seq: z.number().int(),
    incidentId: z.string(),
    at: z.string(),
    kind: z.enum(EVENT_KINDS),
    data: z.record(z.string(), z.unknown()),
  })
  .meta({ id: "IncidentEvent" });
export type IncidentEventKind = (typeof EVENT_KINDS)[number];

export const ErrorResponse = z
  .object({ error: z.string(), issues: z.array(z.string()).optional() })
  .meta({ id: "Error" });

export const SetClockRequest = z.object({ minutes: z.number().min(0).max(1e7) }).meta({ id: "SetClockRequest" });
