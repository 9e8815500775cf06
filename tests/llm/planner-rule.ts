/**
 * A tiny scripted planner for the fake OpenAI server. Each reply is decided from the request's
 * messages (never from a counter), in either protocol:
 * - tools (the request has `tools`): the context alone -> one turn of parallel fact calls;
 *   after their results -> assign_repair_crew with the optimizer's plan copied (or, when the
 *   proposal could not be had, a plan built from the damaged ids in the context);
 * - json (no `tools`): the same steps, one JSON action per reply.
 */
import type { ChatRequest, Reply, WireMessage } from "../support/openai-server.js";
import { textOf } from "../support/openai-server.js";

export interface Observation {
  tool: string;
  content: string;
  error: boolean;
}

/** The JSON data block of the context message. */
export function contextOf(req: ChatRequest): Record<string, any> {
  for (const m of req.messages) {
    const match = m.role === "user" ? /<data>\s*([\s\S]*?)\s*<\/data>/.exec(textOf(m)) : null;
    if (match) return JSON.parse(match[1]);
  }
  throw new Error("no context in the request");
}

/** Tool results since the last refusal or correction, from tool messages or "Result of X" messages. */
export function observationsSinceLastRefusal(messages: WireMessage[]): Observation[] {
  const names = new Map<string, string>();
  let out: Observation[] = [];
  for (const m of messages) {
    const text = textOf(m);
    if (m.role === "assistant") for (const c of m.tool_calls ?? []) names.set(c.id, c.function.name);
    if (m.role === "tool") {
      const tool = names.get(m.tool_call_id ?? "") ?? "?";
      if (tool === "assign_repair_crew" && /refused/.test(text)) {
        out = [];
        continue;
      }
      out.push({ tool, content: text, error: text.startsWith("Error") || /refused/.test(text) });
    }
    if (m.role === "user") {
      const result = /^Result of (\w+)( \(error\))?:\n(?:<data>\n)?([\s\S]*?)(?:\n<\/data>)?$/.exec(text);
      if (result?.[1] === "assign_repair_crew" && result[2]) {
        out = [];
        continue;
      }
      if (result) out.push({ tool: result[1], content: result[3], error: Boolean(result[2]) });
      else if (/did not contain a usable action|refused|Decide now/.test(text)) out = [];
    }
  }
  return out;
}

type Call = { name: string; arguments: Record<string, unknown> };

/** The planner's next calls for a request, in the order it would make them. */
export function nextCalls(req: ChatRequest): Call[] {
  const ctx = contextOf(req);
  const ids: string[] = (ctx.damaged_without_crew ?? []).map((d: { id: string }) => d.id);
  const seen = observationsSinceLastRefusal(req.messages);
  const ok = (tool: string) => seen.find((o) => o.tool === tool && !o.error);
  const tried = (tool: string) => seen.some((o) => o.tool === tool);
  const facts: Call[] = [];
  if (!tried("get_available_crews")) facts.push({ name: "get_available_crews", arguments: {} });
  if (!tried("get_weather_at_location"))
    facts.push({ name: "get_weather_at_location", arguments: { locations: ids.length ? ids.slice(0, 50) : ["0,0"] } });
  // A large incident is summarised in the context: ask the optimizer about the highest-impact assets shown.
  if (!tried("propose_dispatch_plan"))
    facts.push({
      name: "propose_dispatch_plan",
      arguments: ctx.more_damaged_without_crew ? { asset_ids: ids.slice(0, 20) } : {},
    });
  if (facts.length) return facts;
  const proposal = ok("propose_dispatch_plan");
  if (proposal) {
    const p = JSON.parse(proposal.content) as { plan: { crew_id: string; asset_ids: string[] }[]; reassign?: boolean };
    return [
      {
        name: "assign_repair_crew",
        arguments: {
          assignments: p.plan,
          reasoning: "Adopting the optimizer's plan: it restores the most weighted customers first.",
          ...(p.reassign ? { reassign: true } : {}),
        },
      },
    ];
  }
  return [
    {
      name: "assign_repair_crew",
      arguments: {
        assignments: byNetwork(ctx),
        reasoning:
          "The optimizer's plan was not available; each damaged asset goes to a crew with its skill, highest impact first.",
      },
    },
  ];
}

/** A plan from the context alone: each shown damaged asset, highest impact first, to a crew with the skill. */
function byNetwork(ctx: Record<string, any>): { crew_id: string; asset_ids: string[] }[] {
  const crews = (ctx.crews ?? []) as { id: string; skills: string[] }[];
  const plan = new Map<string, string[]>();
  const turn = new Map<string, number>();
  for (const d of (ctx.damaged_without_crew ?? []) as { id: string; network: string }[]) {
    const able = crews.filter((c) => c.skills.includes(d.network));
    if (!able.length) continue;
    const k = turn.get(d.network) ?? 0;
    turn.set(d.network, k + 1);
    const crew = able[k % able.length].id;
    plan.set(crew, [...(plan.get(crew) ?? []), d.id]);
  }
  return [...plan].map(([crew_id, asset_ids]) => ({ crew_id, asset_ids }));
}

/** Native tool calling: all the next calls in one turn. */
export function toolsPlanner(req: ChatRequest): Reply {
  return { toolCalls: nextCalls(req) };
}

/** The JSON action protocol: one action per reply, its text shaped by `render` (a fence, chatter...). */
export function jsonPlanner(
  render: (json: string, req: ChatRequest) => string = (j) => j,
): (req: ChatRequest) => Reply {
  return (req) => {
    const call = nextCalls(req)[0];
    const json = JSON.stringify({ thoughts: `next: ${call.name}`, action: call.name, arguments: call.arguments });
    return { content: render(json, req) };
  };
}

/** The planner for whichever protocol the request uses. */
export function planner(req: ChatRequest): Reply {
  return req.tools?.length ? toolsPlanner(req) : jsonPlanner()(req);
}

/** What the controller says after an unusable answer, a refused plan or a bad call (JSON protocol). */
export const FEEDBACK = /did not contain a usable action|refused|^Result of \w+ \(error\)/;

/** Did this request follow feedback about an unusable answer, a refused plan or a bad call? */
export function afterFeedback(req: ChatRequest): boolean {
  return req.messages.some((m) => m.role === "user" && FEEDBACK.test(textOf(m)));
}
