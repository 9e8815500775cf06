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
import type { PlanningFacts } from "../world/blocking.js";
import { byUrgency, urgency } from "../planning/urgency.js";
import {
  CONTEXT_INTRO,
  REPAIR_PLANNING_SYSTEM_PROMPT,
  RESPONSE_FORMAT_JSON,
  RESPONSE_FORMAT_TOOLS,
} from "./repair-planning.js";
import { wireTokens } from "./tokens.js";

export { estimateTokens, wireTokens } from "./tokens.js";

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

/**
 * The tool section of the JSON protocol: each action's name, description and argument schema.
 * Empty for native tool calling: the tools travel in the request, a list here would repeat them.
 */
export function buildToolSection(tools: StructuredToolInterface[], protocol: Protocol): string {
  if (protocol === "tools") return "";
  // A schema shared by several tools is written once (with the last of them, the terminal action
  // among them): the budget is better spent on the incident. Only `required` may differ.
  const shapes = tools.map((t) => {
    const { required, ...rest } = toolJsonSchema(t) as { required?: string[] };
    return {
      full: JSON.stringify(toolJsonSchema(t)),
      shape: JSON.stringify(rest),
      required: JSON.stringify(required ?? []),
    };
  });
  const lines = tools.map((t, i) => {
    const later = shapes.findIndex((x, j) => j > i && x.shape === shapes[i].shape);
    const other = later >= 0 ? shapes[later] : null;
    const args = !other
      ? shapes[i].full
      : `the same as ${tools[later].name}${other.required === shapes[i].required ? "" : ` (required: ${shapes[i].required})`}`;
    return `- ${t.name}: ${t.description}\n  arguments: ${args}`;
  });
  return `Actions you may take (the value of "action"), with their arguments as JSON Schema:\n${lines.join("\n")}`;
}

export function buildSystemPrompt(tools: StructuredToolInterface[], protocol: Protocol): string {
  return [
    REPAIR_PLANNING_SYSTEM_PROMPT,
    protocol === "json" ? RESPONSE_FORMAT_JSON : RESPONSE_FORMAT_TOOLS,
    buildToolSection(tools, protocol),
  ]
    .filter(Boolean)
    .join("\n\n");
}

/**
 * The last `window` plans, compactly. `plan_no` counts plans over the whole incident (graph
 * runs restart their step counts); expected figures say the window they were simulated over.
 */
export function windowedHistory(history: PlanRecord[], window: number) {
  if (window <= 0) return [];
  const first = Math.max(0, history.length - window);
  return history.slice(first).map((h, i) => ({
    plan_no: first + i + 1,
    minute: round1(h.at),
    source: h.source,
    valid: h.valid,
    plan: h.plan.assignments.map((a) => `${a.crewId}: ${a.assetIds.join(" > ")}`),
    ...(h.errors.length ? { errors: h.errors.slice(0, 5) } : {}),
    ...(h.expected
      ? {
          expected: {
            weighted_customer_minutes: h.expected.weightedCustomerMinutes,
            customer_minutes: h.expected.customerMinutes,
            over:
              h.expected.horizonMinutes !== undefined
                ? `minute ${round1(h.at)} to ${round1(h.at + h.expected.horizonMinutes)}`
                : "horizon not recorded",
          },
        }
      : {}),
  }));
}

export interface ContextInput {
  state: PlanningMemory & { newFailures?: string[]; newFailureCount?: number };
  /** From the world: what blocks what, backups' losses, weights, the weather ahead. */
  facts?: PlanningFacts;
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
  const facts = input.facts;
  // Damage found since the last planning round (of any graph run of the incident) is marked new.
  const lastRound = state.planHistory.length ? state.planHistory[state.planHistory.length - 1].at : null;
  const isNew = (d?: { since: number }) => lastRound !== null && d !== undefined && d.since > lastRound;
  const weight = (id: string) => facts?.weights[id];
  const facility = (id: string) => (weight(id) ? { id, ...weight(id) } : id);
  const blocking = (id: string) => {
    const b = facts?.blocking.get(id);
    // Only when something blocks it: an empty list on every asset would cost the budget for nothing.
    return b?.blockedBy.length
      ? {
          blocked_by: b.blockedBy,
          restores_with_them: b.restoresWithThem.population,
          weighted_restores_with_them: Math.round(b.restoresWithThem.weighted),
        }
      : {};
  };
  // The memory's order where no impact is kept (it is the most urgent first already), the impacts' otherwise: one measure.
  const rank = new Map((f?.toPlan ?? []).map((id, i) => [id, i]));
  const urgencyOf = (id: string) => {
    const i = impacts.get(id);
    return i ? urgency(i) : -1 - (rank.get(id) ?? 0);
  };
  const toPlan = (f?.toPlan ?? []).slice().sort(byUrgency(urgencyOf, (id) => id));
  const damagedById = new Map((f?.damaged ?? []).map((d) => [d.id, d]));
  const shown = toPlan.slice(0, maxFailures).map((id) => {
    const d = damagedById.get(id);
    const i = impacts.get(id);
    const label = input.assetLabels?.[id];
    return {
      id,
      ...(label?.name ? { name: label.name.slice(0, 200) } : {}),
      ...(label?.note ? { note: label.note.slice(0, 500) } : {}),
      network: d?.network,
      type: d?.type,
      cause: d?.cause,
      ...(isNew(d) ? { new: true } : {}),
      ...(i
        ? {
            severity: i.severity,
            population_out: i.populationOut,
            // Weight = population x criticality; said when it differs from the population.
            ...(i.weightedPopulationOut !== i.populationOut
              ? { weighted_population_out: i.weightedPopulationOut }
              : {}),
            restores_if_repaired_alone: i.populationRestoredIfRepaired,
            critical_facilities: i.criticalFacilities.map(facility),
            ...(i.backupExpiresAt !== undefined ? { backup_runs_out_at_minute: i.backupExpiresAt } : {}),
          }
        : {}),
      ...blocking(id),
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
  const moreWithCrew =
    (f ? f.damagedCount - f.toPlanCount - f.waitingCount : 0) - Math.min(withCrews.length, maxFailures);
  const moreWaiting = (f?.waitingCount ?? 0) - Math.min(f?.waiting.length ?? 0, maxFailures);
  const backups = (f?.onBackup ?? [])
    .slice()
    .sort((a, b) => Number(b.critical) - Number(a.critical) || a.expiresAt - b.expiresAt);
  const losses = new Map((facts?.backups ?? []).map((b) => [`${b.node}/${b.dependee}`, b]));
  const fresh = (f?.damaged ?? []).filter((d) => isNew(d)).map((d) => d.id);
  // The trigger of this round: new failures found while time passed in this run, else the run's own.
  const trigger = state.newFailureCount
    ? {
        kind: "new_failures",
        at: round1(state.clock),
        message: `${state.newFailureCount} new failure(s) found while time passed`,
        assets: (state.newFailures ?? []).slice(0, 10),
        ...(state.trigger ? { run_started_by: state.trigger } : {}),
      }
    : state.trigger && state.clock > (state.trigger.at ?? 0) + 0.05
      ? // Later in the run with nothing new: work waits for a crew (one was freed, or capacity changed).
        {
          kind: "recheck",
          at: round1(state.clock),
          message: "time passed since the run's trigger; damaged assets wait for a crew",
          run_started_by: state.trigger,
        }
      : state.trigger;
  return {
    incident: state.incidentId,
    minute: round1(state.clock),
    ...(trigger ? { trigger } : {}),
    ...(facts?.weather ? { weather_ahead: facts.weather } : {}),
    ...(lastRound !== null
      ? { new_since_last_round: { since_minute: round1(lastRound), damaged: fresh.length, ids: fresh.slice(0, 10) } }
      : {}),
    population_out: f?.populationOut ?? 0,
    weighted_population_out: f?.weightedPopulationOut ?? 0,
    // A large incident can have hundreds of these too: the most urgent in full, the rest counted.
    critical_facilities_out: (f?.criticalFacilitiesOut ?? []).slice(0, maxFailures).map(facility),
    ...((f?.criticalFacilitiesOut.length ?? 0) > maxFailures
      ? { more_critical_facilities_out: f!.criticalFacilitiesOut.length - maxFailures }
      : {}),
    // The most urgent few (critical first, earliest to run out): each is a sentence's worth of facts.
    on_backup: backups.slice(0, Math.min(maxFailures, MAX_BACKUPS_SHOWN)).map((b) => {
      const l = losses.get(`${b.node}/${b.dependee}`);
      const w = weight(b.node);
      return {
        node: b.node,
        needs: b.dependee,
        runs_out_at_minute: b.expiresAt,
        critical: b.critical,
        ...(w && w.criticality !== 1 ? { weight: w.weight } : {}),
        // Who loses service at that minute if the supply is not back by then.
        ...(l
          ? {
              people_lost_then: l.populationLost,
              ...(l.weightedLost !== l.populationLost ? { weighted_lost_then: l.weightedLost } : {}),
              ...(l.togetherWith ? { together_with_backups: l.togetherWith.length } : {}),
            }
          : {}),
      };
    }),
    ...(backups.length > Math.min(maxFailures, MAX_BACKUPS_SHOWN)
      ? { more_on_backup: backups.length - Math.min(maxFailures, MAX_BACKUPS_SHOWN) }
      : {}),
    damaged_without_crew: shown,
    ...(hidden.length + notKept
      ? {
          more_damaged_without_crew: {
            count: hidden.length + notKept,
            by_network_and_severity: hiddenCounts,
            ...(notKept ? { not_classified: notKept } : {}),
            note: "not listed: plan the ones shown; the rest are shown in later rounds, as these get crews",
          },
        }
      : {}),
    damaged_with_crew: withCrews.slice(0, maxFailures).map((d) => ({
      id: d.id,
      crew: d.assignedCrew,
      status: d.dispatchStatus,
      ...(isNew(d) ? { new: true } : {}),
      ...blocking(d.id),
    })),
    ...(moreWithCrew > 0 ? { more_damaged_with_crew: moreWithCrew } : {}),
    waiting_no_crew_can_take: (f?.waiting ?? []).slice(0, maxFailures),
    ...(moreWaiting > 0 ? { more_waiting: moreWaiting } : {}),
    out_of_service: {
      count: f?.outOfServiceCount ?? 0,
      by_network: f?.outOfServiceByNetwork ?? {},
      note: "out of service only: no crew needed",
    },
    impact_summary: state.impactSummary,
    crews: crews.slice(0, maxCrews).map((c) => ({
      id: c.id,
      skills: c.skills,
      status: c.status,
      queue: c.queue.length,
      free_at_minute: c.freeAt,
      capacity_left_h: c.capacityLeftHours,
    })),
    ...(crews.length > maxCrews ? { more_crews: crews.length - maxCrews } : {}),
    recent_plans: windowedHistory(state.planHistory, input.historyWindow),
  };
}

/** Facilities on backup shown in full; the rest are counted. */
const MAX_BACKUPS_SHOWN = 10;

export function renderContext(data: unknown): string {
  return `${CONTEXT_INTRO}\n<data>\n${JSON.stringify(data)}\n</data>`;
}

/**
 * The context message, shrunk until system + tools + context fit in `budgetTokens` (leaving
 * room for the conversation of one round: `reserveTokens`).
 */
export function buildContextMessage(
  input: ContextInput,
  fixedTokens: number,
  budgetTokens: number,
  reserveTokens = 3_000,
): { text: string; tokens: number; failuresShown: number } {
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
