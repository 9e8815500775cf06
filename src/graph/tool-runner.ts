/**
 * The planning loop's tool runner: reads the calls out of a model reply (native tool calls or
 * the JSON action protocol), runs agent tools, turns every failure into an error result for
 * the model (never a throw), and admits results within what is left of the request budget.
 */
import { errorText } from "../format.js";
import { HumanMessage, ToolMessage, type AIMessage, type BaseMessage } from "@langchain/core/messages";
import type { StructuredToolInterface } from "@langchain/core/tools";
import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { JSON_RESULT_MESSAGE } from "../prompts/repair-planning.js";
import { messageTokens } from "../prompts/tokens.js";
import { scrub } from "../observability/scrub.js";
import { compact } from "../tools/agent-tools.js";
import { SYSTEM_TOOL_NAMES } from "../tools/system-tools.js";
import { TOOL_REFUSAL_TOKENS } from "../limits.js";
import { parseJsonAction } from "./json-action.js";

export interface Call {
  id: string;
  name: string;
  args: Record<string, unknown>;
}

export interface ToolResult {
  call: Call;
  message: ToolMessage;
  content: string;
  error: boolean;
  badArguments: boolean;
}

export type ReadCalls = { ok: true; calls: Call[] } | { ok: false; reason: string };

export function readToolCalls(ai: AIMessage): ReadCalls {
  const calls = (ai.tool_calls ?? []).map((c, i) => ({
    id: c.id ?? `call_${i}`,
    name: c.name,
    args: (c.args ?? {}) as Record<string, unknown>,
  }));
  if (calls.length === 0) return { ok: false, reason: "it called no tool" };
  return { ok: true, calls };
}

export function readJsonAction(ai: AIMessage): ReadCalls {
  const parsed = parseJsonAction(textOf(ai));
  if (!parsed.ok) return parsed;
  return { ok: true, calls: [{ id: `json_${ai.id ?? "0"}`, name: parsed.value.action, args: parsed.value.arguments }] };
}

export function failed(call: Call, content: string, badArguments = false): ToolResult {
  return {
    call,
    content,
    error: true,
    badArguments,
    message: new ToolMessage({ tool_call_id: call.id, name: call.name, status: "error", content }),
  };
}

/** Run one tool call; every failure comes back as an error result for the model, never a throw. */
export async function runTool(
  t: StructuredToolInterface | undefined,
  call: Call,
  config: LangGraphRunnableConfig,
): Promise<ToolResult> {
  const fail = (content: string, badArguments = false) => failed(call, content, badArguments);
  if (!t) {
    const reason = (SYSTEM_TOOL_NAMES as readonly string[]).includes(call.name)
      ? `"${call.name}" is not available to you; the system runs it`
      : `unknown tool "${call.name}"`;
    return fail(`Error: ${reason}`);
  }
  const parsed = (
    t.schema as {
      safeParse?: (v: unknown) => { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } };
    }
  ).safeParse?.(call.args);
  if (parsed && !parsed.success) {
    return fail(
      `Error: bad arguments for ${call.name}: ${parsed.error!.issues.map((i) => `${i.path.join(".") || "arguments"}: ${i.message}`).join("; ")}`,
      true,
    );
  }
  try {
    const out = await t.invoke(call.args, config);
    const content = typeof out === "string" ? out : compact(out);
    return {
      call,
      content,
      error: false,
      badArguments: false,
      message: new ToolMessage({ tool_call_id: call.id, name: call.name, content }),
    };
  } catch (e) {
    return fail(`Error: ${call.name} failed: ${describeError(e)}`);
  }
}

/**
 * Keep the request under the budget: results are admitted smallest first while they fit in
 * `available` tokens; a result that does not fit is replaced by an error saying how to ask
 * for less. Results keep the order of the calls.
 */
export function admitWithinBudget(results: ToolResult[], available: number, json: boolean): ToolResult[] {
  let left = available - results.length * TOOL_REFUSAL_TOKENS;
  const size = (r: ToolResult) => messageTokens(json ? jsonResultMessage(r) : r.message);
  const bySize = results.map((r, i) => ({ i, tokens: size(r) })).sort((a, b) => a.tokens - b.tokens || a.i - b.i);
  const out = [...results];
  for (const { i, tokens } of bySize) {
    if (tokens <= left) {
      left -= tokens;
      continue;
    }
    const r = results[i];
    out[i] = failed(
      r.call,
      `Error: the result of ${r.call.name} (about ${tokens} tokens) does not fit in the context budget (about ${Math.max(0, left)} tokens left); ${askForLess(r.call.name)}`,
    );
  }
  return out;
}

function askForLess(tool: string): string {
  if (tool === "propose_dispatch_plan")
    return "call it again with asset_ids: the few highest-impact assets from the context";
  if (tool === "get_available_crews")
    return "ask get_crew_location or get_crew_remaining_capacity about the crews you need";
  return "ask about fewer ids at a time";
}

/** A tool result as the JSON protocol sends it: a user message, the content marked as data. */
export function jsonResultMessage(r: ToolResult): HumanMessage {
  return new HumanMessage(
    JSON_RESULT_MESSAGE.replace("{tool}", r.call.name)
      .replace("{error}", r.error ? " (error)" : "")
      .replace("{content}", r.content),
  );
}

export function textOf(m: BaseMessage): string {
  const body = typeof m.content === "string" ? m.content : JSON.stringify(m.content);
  const calls = (m as AIMessage).tool_calls;
  return calls?.length ? body + JSON.stringify(calls) : body;
}

function describeError(e: unknown): string {
  // Scrubbed: an error message may carry a key or a URL with credentials (src/observability/scrub.ts).
  return scrub(errorText(e));
}
