/**
 * Prompt assembly for REPAIR_PLANNING: a system prompt, a response-format section, a tool
 * section, and a context section built from memory under a size budget. Large incidents are
 * summarised (the highest-impact failures in full, the rest as counts), never cut mid-JSON.
 */
import { round1 } from "../format.js";
import { MAX_CREWS_IN_CONTEXT, MAX_FAILURES_IN_CONTEXT } from "../limits.js";
import type { StructuredToolInterface } from "@langchain/core/tools";
import { z } from "zod";
import type { PlanningMemory, PlanRecord } from "../memory/agent-memory.js";
import type { CrewSummary } from "../world/types.js";
import { byUrgency, urgency } from "../planning/urgency.js";
import { CONTEXT_INTRO, REPAIR_PLANNING_SYSTEM_PROMPT, RESPONSE_FORMAT_JSON, RESPONSE_FORMAT_TOOLS } from "./repair-planning.js";

/** Tokens estimated without a tokenizer: ~3.2 characters a token, conservative for JSON-heavy text. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 3.2);
}

/**
 * A message's size in the request body: its text travels as a JSON string, so quotes and
 * newlines are escaped (compact JSON inside a message grows by about a sixth), plus the
 * message's envelope ({"role": ..., "content": ...}).
 */
export function wireTokens(text: string): number {
  return estimateTokens(JSON.stringify(text)) + 8;
}

export type Protocol = "tools" | "json";

export function toolJsonSchema(t: StructuredToolInterface): unknown {
  const schema = t.schema as z.ZodType;
  try {
    const { $schema: _drop, ...rest } = z.toJSONSchema(schema) as Record<string, unknown>;
    return rest;
  } catch {
    return {};
  }
}

/** The tool section: names and descriptions, and for the JSON protocol each one's argument schema. */
export function buildToolSection(tools: StructuredToolInterface[], protocol: Protocol): string {
  if (protocol === "tools") {
    return `Tools you may call: ${tools.map((t) => t.name).join(", ")}.`;
  }
  const lines = tools.map((t) => `- ${t.name}: ${t.description}\n  arguments: ${JSON.stringify(toolJsonSchema(t))}`);
  return `Actions you may take (the value of "action"), with their arguments as JSON Schema:\n${lines.join("\n")}`;
}

export function buildSystemPrompt(tools: StructuredToolInterface[], protocol: Protocol): string {
  return [REPAIR_PLANNING_SYSTEM_PROMPT, protocol === "json" ? RESPONSE_FORMAT_JSON : RESPONSE_FORMAT_TOOLS, buildToolSection(tools, protocol)].join("\n\n");
}

/** The last `window` planning steps, compactly. */
export function windowedHistory(history: PlanRecord[], window: number) {
  if (window <= 0) return [];
  return history.slice(-window).map((h) => ({
    step: h.step, minute: round1(h.at), source: h.source, valid: h.valid,
    plan: h.plan.assignments.map((a) => `${a.crewId}: ${a.assetIds.join(" > ")}`),
    ...(h.errors.length ? { errors: h.errors.slice(0, 5) } : {}),
    ...(h.expected ? { expected_weighted_customer_minutes: h.expected.weightedCustomerMinutes } : {}),
  }));
}

export interface ContextInput {
  state: PlanningMemory;
  crews: CrewSummary[];
  historyWindow: number;
  /** Names and notes of assets from the scenario: free text written by people, passed as data only. */
  assetLabels?: Record<string, { name?: string; note?: string }>;
}

/** The context as data, showing at most `maxFailures` failures and `maxCrews` crews in full. */
export function contextData(input: ContextInput, maxFailures: number, maxCrews: number) {
  const { state, crews } = input;
  const f = state.failures;
  const impacts = new Map(state.impacts.map((i) => [i.asset, i]));
  // The memory's order where no impact is kept (it is the most urgent first already), the impacts' otherwise: one measure.
  const rank = new Map((f?.toPlan ?? []).map((id, i) => [id, i]));
  const urgencyOf = (id: string) => { const i = impacts.get(id); return i ? urgency(i) : -1 - (rank.get(id) ?? 0); };
  const toPlan = (f?.toPlan ?? []).slice().sort(byUrgency(urgencyOf, (id) => id));
  const damagedById = new Map((f?.damaged ?? []).map((d) => [d.id, d]));
  const shown = toPlan.slice(0, maxFailures).map((id) => {
    const d = damagedById.get(id);
    const i = impacts.get(id);
    const label = input.assetLabels?.[id];
    return {
      id, ...(label?.name ? { name: label.name.slice(0, 200) } : {}), ...(label?.note ? { note: label.note.slice(0, 500) } : {}),
      network: d?.network, type: d?.type, cause: d?.cause,
      ...(i ? { severity: i.severity, population_out: i.populationOut, restores_if_repaired_alone: i.populationRestoredIfRepaired, critical_facilities: i.criticalFacilities, ...(i.backupExpiresAt !== undefined ? { backup_runs_out_at_minute: i.backupExpiresAt } : {}) } : {}),
    };
  });
  const hidden = toPlan.slice(maxFailures);
  const hiddenCounts: Record<string, number> = {};
  for (const id of hidden) {
    const key = `${damagedById.get(id)?.network ?? "?"}/${impacts.get(id)?.severity ?? "unknown"}`;
    hiddenCounts[key] = (hiddenCounts[key] ?? 0) + 1;
  }
  // Beyond the ids the memory keeps (the most urgent): counted, not classified.
  const notKept = Math.max(0, (f?.toPlanCount ?? toPlan.length) - toPlan.length);
  const withCrews = (f?.damaged ?? []).filter((d) => d.assignedCrew);
  // What the lists do not show: beyond maxFailures, or beyond the ids the memory keeps.
  const moreWithCrew = (f ? f.damagedCount - f.toPlanCount - f.waitingCount : 0) - Math.min(withCrews.length, maxFailures);
  const moreWaiting = (f?.waitingCount ?? 0) - Math.min(f?.waiting.length ?? 0, maxFailures);
  const backups = (f?.onBackup ?? []).slice().sort((a, b) => Number(b.critical) - Number(a.critical) || a.expiresAt - b.expiresAt);
  return {
    incident: state.incidentId, minute: round1(state.clock),
    ...(state.trigger ? { trigger: state.trigger } : {}),
    population_out: f?.populationOut ?? 0,
    weighted_population_out: f?.weightedPopulationOut ?? 0,
    // A large incident can have hundreds of these too: the most urgent in full, the rest counted.
    critical_facilities_out: (f?.criticalFacilitiesOut ?? []).slice(0, maxFailures),
    ...((f?.criticalFacilitiesOut.length ?? 0) > maxFailures ? { more_critical_facilities_out: f!.criticalFacilitiesOut.length - maxFailures } : {}),
    on_backup: backups.slice(0, maxFailures).map((b) => ({ node: b.node, needs: b.dependee, runs_out_at_minute: b.expiresAt, critical: b.critical })),
    ...(backups.length > maxFailures ? { more_on_backup: backups.length - maxFailures } : {}),
    damaged_without_crew: shown,
    ...(hidden.length + notKept ? { more_damaged_without_crew: { count: hidden.length + notKept, by_network_and_severity: hiddenCounts, ...(notKept ? { not_classified: notKept } : {}), note: "not listed: plan the ones shown; the rest are shown in later rounds, as these get crews" } } : {}),
    damaged_with_crew: withCrews.slice(0, maxFailures).map((d) => ({ id: d.id, crew: d.assignedCrew, status: d.dispatchStatus })),
    ...(moreWithCrew > 0 ? { more_damaged_with_crew: moreWithCrew } : {}),
    waiting_no_crew_can_take: (f?.waiting ?? []).slice(0, maxFailures),
    ...(moreWaiting > 0 ? { more_waiting: moreWaiting } : {}),
    out_of_service: { count: f?.outOfServiceCount ?? 0, by_network: f?.outOfServiceByNetwork ?? {}, note: "out of service only: no crew needed" },
    impact_summary: state.impactSummary,
    crews: crews.slice(0, maxCrews).map((c) => ({ id: c.id, skills: c.skills, status: c.status, queue: c.queue.length, free_at_minute: c.freeAt, capacity_left_h: c.capacityLeftHours })),
    ...(crews.length > maxCrews ? { more_crews: crews.length - maxCrews } : {}),
    recent_plans: windowedHistory(state.planHistory, input.historyWindow),
  };
}

export function renderContext(data: unknown): string {
  return `${CONTEXT_INTRO}\n<data>\n${JSON.stringify(data)}\n</data>`;
}

/**
 * The context message, shrunk until system + tools + context fit in `budgetTokens` (leaving
 * room for the conversation of one round: `reserveTokens`).
 */
export function buildContextMessage(input: ContextInput, fixedTokens: number, budgetTokens: number, reserveTokens = 3_000): { text: string; tokens: number; failuresShown: number } {
  let maxFailures = MAX_FAILURES_IN_CONTEXT;
  let maxCrews = MAX_CREWS_IN_CONTEXT;
  for (;;) {
    const text = renderContext(contextData(input, maxFailures, maxCrews));
    const tokens = fixedTokens + wireTokens(text);
    if (tokens + reserveTokens <= budgetTokens || (maxFailures === 0 && maxCrews === 0)) {
      return { text, tokens, failuresShown: Math.min(maxFailures, input.state.failures?.toPlan.length ?? 0) };
    }
    // Shrink the failures first, but keep a dozen of them (what the model is there to plan) while crews can give way.
    if (maxFailures > 12) maxFailures = Math.floor(maxFailures / 2);
    else if (maxCrews > 6) maxCrews = Math.floor(maxCrews / 2);
    else if (maxFailures > 0) maxFailures = Math.floor(maxFailures / 2);
    else maxCrews = Math.floor(maxCrews / 2);
  }
}

