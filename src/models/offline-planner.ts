/**
 * The offline planner: a deterministic, rule-based chat model that plays the LLM's part so the
 * product runs and is tested with no key and no network. It is NOT a language model.
 *
 * It decides every reply from the messages it receives (never from a counter kept between
 * calls): gather facts and ask propose_dispatch_plan in one turn of parallel tool calls, then
 * call assign_repair_crew with the optimizer's plan and reasoning built from the facts: two
 * model calls a round. After a refusal (recognised structurally: a tool error, or the
 * controller's FEEDBACK_MARKER) it asks for a fresh proposal. With no tools bound it answers in the JSON action
 * protocol, one action per turn.
 */
import {
  BaseChatModel,
  type BaseChatModelParams,
  type BindToolsInput,
} from "@langchain/core/language_models/chat_models";
import { AIMessage, type BaseMessage, type ToolMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import { createHash } from "node:crypto";
import { isFeedback } from "../prompts/markers.js";
import { estimateTokens } from "../prompts/tokens.js";

const FACT_TOOLS = ["get_available_crews", "get_weather_at_location"];
const JSON_RESULT_PREFIX = /^Result of (\w+)/;

interface Observation {
  tool: string;
  content: string;
  error: boolean;
  index: number;
}

export class OfflinePlannerModel extends BaseChatModel {
  readonly boundTools: string[] | null;

  constructor(fields: BaseChatModelParams & { boundTools?: string[] | null } = {}) {
    super(fields);
    this.boundTools = fields.boundTools ?? null;
  }

  static lc_name() {
    return "OfflinePlannerModel";
  }

  _llmType(): string {
    return "offline-planner";
  }

  override bindTools(tools: BindToolsInput[]): OfflinePlannerModel {
    const names = tools.map(
      (t) => (t as { name?: string }).name ?? (t as { function?: { name?: string } }).function?.name ?? "unknown",
    );
    return new OfflinePlannerModel({
      boundTools: names,
      callbacks: this.callbacks,
      tags: this.tags,
      metadata: this.metadata,
    });
  }

  async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    const decision = this.decide(messages);
    const jsonMode = this.boundTools === null;
    const id = `offline-${digest(messages)}`;
    const message = jsonMode
      ? new AIMessage({
          id,
          content: JSON.stringify({
            thoughts: decision.thoughts,
            action: decision.calls[0].name,
            arguments: decision.calls[0].args,
          }),
        })
      : new AIMessage({
          id,
          content: decision.thoughts,
          tool_calls: decision.calls.map((c, i) => ({
            id: `call_${id.slice(8, 20)}_${i}`,
            name: c.name,
            args: c.args,
            type: "tool_call" as const,
          })),
        });
    // Estimated, not measured: the same estimate as the context budget's (src/prompts/tokens.ts).
    const input = estimateTokens(messages.map(textOf).join(""));
    const output = estimateTokens(textOf(message) + JSON.stringify(message.tool_calls ?? []));
    const usage = { input_tokens: input, output_tokens: output, total_tokens: input + output };
    message.usage_metadata = usage;
    return { generations: [{ text: textOf(message), message }], llmOutput: { estimatedTokenUsage: usage } };
  }

  private decide(messages: BaseMessage[]): {
    thoughts: string;
    calls: { name: string; args: Record<string, unknown> }[];
  } {
    const context = readContext(messages);
    const observations = readObservations(messages);
    const lastRejection = lastIndexWhere(messages, isRejection);
    const allowed = (name: string) => this.boundTools === null || this.boundTools.includes(name);
    // Weather at the highest-impact sites; a rule-based planner needs no more than a sample.
    const toPlan = (context?.damaged_without_crew ?? []).map((d: { id: string }) => d.id).slice(0, 20);

    // A fact asked once is not asked again, even if it failed: the optimizer plans without it.
    const asked = (tool: string) => observations.some((o) => o.tool === tool);
    const missingFacts = FACT_TOOLS.filter((t) => allowed(t) && !asked(t));
    const proposal = [...observations].reverse().find((o) => o.tool === "propose_dispatch_plan" && !o.error);
    const needProposal = !proposal || proposal.index < lastRejection;
    if (missingFacts.length > 0 || needProposal) {
      const calls: { name: string; args: Record<string, unknown> }[] = missingFacts.map((name) => ({
        name,
        args: name === "get_weather_at_location" ? { locations: toPlan.length ? toPlan : ["0,0"] } : {},
      }));
      // The proposal does not need the facts: it is asked in the same turn (one turn, then the plan).
      if (needProposal) {
        // If the whole proposal did not fit, ask for the highest-impact assets only.
        const failed = observations.some(
          (o) => o.tool === "propose_dispatch_plan" && o.error && o.index > lastRejection,
        );
        calls.push({
          name: "propose_dispatch_plan",
          args: failed && toPlan.length ? { asset_ids: toPlan.slice(0, 10) } : {},
        });
      }
      const oneAtATime = this.boundTools === null ? calls.slice(0, 1) : calls;
      return {
        thoughts:
          "Gathering the facts (which crews can work, the weather at the damaged assets) and the optimizer's plan with its expected effect, in one turn.",
        calls: oneAtATime,
      };
    }
    const p = JSON.parse(proposal!.content) as Proposal;
    const reasoning = explain(p, observations, context);
    // A summarised (large) proposal is adopted by its id; a small one is copied out in full.
    const plan = p.plan ? { assignments: p.plan } : { proposal_id: p.proposal_id };
    return {
      thoughts: reasoning,
      calls: [{ name: "assign_repair_crew", args: { ...plan, reasoning, ...(p.reassign ? { reassign: true } : {}) } }],
    };
  }
}

interface Proposal {
  proposal_id?: string;
  plan?: { crew_id: string; asset_ids: string[] }[];
  plan_summary?: { crew_id: string; jobs: number; first: string[] }[];
  jobs?: number;
  crews?: number;
  reassign?: boolean;
  reasoning?: string;
  no_alternative?: string;
  expected?: { weightedCustomerMinutes?: number; criticalFacilitiesLost?: string[] };
}

function explain(p: Proposal, observations: Observation[], context: Record<string, any> | null): string {
  const parts: string[] = [];
  // After an operator's rejection the optimizer says how its plan differs, or that none can.
  if (p.no_alternative)
    parts.push(
      "The optimizer finds no other plan of this work than the one the operator rejected: it goes back to the operator, who decides.",
    );
  else if (p.reasoning && /operator rejected/.test(p.reasoning)) parts.push(p.reasoning.split(/(?<=\.) /)[0]);
  const weather = observations.find((o) => o.tool === "get_weather_at_location" && !o.error);
  if (weather) {
    const reports = safeJson(weather.content) as
      | { location: string; condition: string; stopsWork?: boolean; changesAt?: number }[]
      | null;
    const stopped = (reports ?? []).filter((r) => r.stopsWork);
    const bad = (reports ?? []).filter((r) => r.condition && r.condition !== "clear");
    if (stopped.length)
      parts.push(
        `Lightning stops work at ${stopped.map((r) => r.location).join(", ")} until minute ${Math.max(...stopped.map((r) => r.changesAt ?? 0))}.`,
      );
    else if (bad.length) parts.push(`${bad[0].condition} at ${bad.length} site(s) slows travel and repair.`);
  }
  const backups = (context?.on_backup ?? []) as { node: string; runs_out_at_minute: number; critical: boolean }[];
  const toPlan = (context?.damaged_without_crew ?? []) as { id: string; critical_facilities?: string[] }[];
  const planned = new Set(p.plan ? p.plan.flatMap((a) => a.asset_ids) : (p.plan_summary ?? []).flatMap((a) => a.first));
  for (const b of backups.filter((x) => x.critical)) {
    const saviour = toPlan.find((d) => d.critical_facilities?.includes(b.node) && planned.has(d.id));
    parts.push(
      saviour
        ? `${b.node} runs on backup until minute ${b.runs_out_at_minute}: ${saviour.id} restores its supply, so it goes early.`
        : `${b.node} runs on backup until minute ${b.runs_out_at_minute}; its supply already has a crew.`,
    );
  }
  parts.push(
    p.plan
      ? `Plan: ${p.plan.map((a) => `${a.crew_id} ${a.asset_ids.join(">")}`).join("; ")}.`
      : `Plan ${p.proposal_id}: ${p.jobs ?? (p.plan_summary ?? []).reduce((n, a) => n + a.jobs, 0)} jobs over ${p.crews ?? (p.plan_summary ?? []).length} crews.`,
  );
  if (p.expected) {
    const lost = p.expected.criticalFacilitiesLost ?? [];
    parts.push(
      `Optimizer expects ${p.expected.weightedCustomerMinutes ?? "?"} weighted customer-minutes; critical facilities still lost: ${lost.length ? lost.join(", ") : "none"}. Adopted as proposed.`,
    );
  }
  return parts.join(" ");
}

function readContext(messages: BaseMessage[]): Record<string, any> | null {
  for (const m of messages) {
    if (m.getType() !== "human") continue;
    const match = /<data>\s*([\s\S]*?)\s*<\/data>/.exec(textOf(m));
    if (match) {
      const data = safeJson(match[1]);
      if (data && typeof data === "object" && "damaged_without_crew" in data) return data as Record<string, any>;
    }
  }
  return null;
}

/** Tool results, from ToolMessages (native protocol) or "Result of X" messages (JSON protocol). */
function readObservations(messages: BaseMessage[]): Observation[] {
  const names = new Map<string, string>();
  const out: Observation[] = [];
  messages.forEach((m, index) => {
    if (m.getType() === "ai") for (const c of (m as AIMessage).tool_calls ?? []) if (c.id) names.set(c.id, c.name);
    if (m.getType() === "tool") {
      const t = m as ToolMessage;
      out.push({
        tool: t.name ?? names.get(t.tool_call_id) ?? "?",
        content: textOf(t),
        error: t.status === "error",
        index,
      });
    }
    if (m.getType() === "human") {
      const match = JSON_RESULT_PREFIX.exec(textOf(m));
      if (match) {
        const body = /<data>\s*([\s\S]*?)\s*<\/data>/.exec(textOf(m));
        out.push({
          tool: match[1],
          content: body ? body[1] : "",
          error: /\(error\)/.test(textOf(m).split("\n")[0]),
          index,
        });
      }
    }
  });
  return out;
}

/** A refused plan or other feedback: a tool error on assign_repair_crew, or a message with the controller's marker. */
function isRejection(m: BaseMessage): boolean {
  if (m.getType() === "tool")
    return (m as ToolMessage).status === "error" && (m as ToolMessage).name === "assign_repair_crew";
  if (m.getType() === "human") return isFeedback(textOf(m));
  return false;
}

function lastIndexWhere<T>(a: T[], f: (x: T) => boolean): number {
  for (let i = a.length - 1; i >= 0; i--) if (f(a[i])) return i;
  return -1;
}

function textOf(m: BaseMessage): string {
  return typeof m.content === "string" ? m.content : JSON.stringify(m.content);
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return null;
  }
}

function digest(messages: BaseMessage[]): string {
  const h = createHash("sha256");
  for (const m of messages)
    h.update(m.getType())
      .update(textOf(m))
      .update(JSON.stringify((m as AIMessage).tool_calls ?? []));
  return h.digest("hex").slice(0, 24);
}
