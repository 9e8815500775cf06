/**
 * REPAIR_PLANNING: the only state where a model is used. An inner loop: build the prompt with
 * context, call the model, run the agent tools it asked for (one turn's calls in parallel),
 * give it the results, call it again; until it calls assign_repair_crew. The plan is then
 * validated here; the "valid action?" router decides where it goes. After too many invalid
 * plans the optimizer's plan is used instead, and that is recorded.
 */
import { errorText } from "../../format.js";
import { MAX_REASONING_CHARS } from "../../limits.js";
import { AIMessage, HumanMessage, RemoveMessage, SystemMessage, ToolMessage, type BaseMessage } from "@langchain/core/messages";
import type { StructuredToolInterface } from "@langchain/core/tools";
import { REMOVE_ALL_MESSAGES, type LangGraphRunnableConfig } from "@langchain/langgraph";
import { buildContextMessage, buildSystemPrompt, estimateTokens, toolJsonSchema, wireTokens } from "../../prompts/assemble.js";
import { describeModelError, isModelOutage } from "../../models/index.js";
import { scrub } from "../../observability/scrub.js";
import { boundReply } from "../../models/reply-limits.js";
import { NO_ACTION_MESSAGE, OPERATOR_REJECTED_MESSAGE, REJECTED_PLAN_MESSAGE, RESPONSE_FORMAT_JSON, RESPONSE_FORMAT_TOOLS } from "../../prompts/repair-planning.js";
import { AGENT_TOOL_NAMES, compact, createAgentTools } from "../../tools/agent-tools.js";
import { AssignRepairCrewArgs } from "../../tools/schemas.js";
import { SYSTEM_TOOL_NAMES, createAssignRepairCrewTool, toDispatchPlan } from "../../tools/system-tools.js";
import type { DispatchPlan } from "../../world/types.js";
import type { ExpectedEffect } from "../../planning/optimizer.js";
import { ensureConfiguration, type Configuration } from "../configuration.js";
import { parseJsonAction } from "../json-action.js";
import { modelFor, worldFor, type GraphDeps } from "../runtime.js";
import { boundedEffect, recordPlan } from "../plan-record.js";
import type { AgentState, AgentUpdate, RunCounters } from "../state.js";
import type { IncidentWorld } from "../../planning/incident-world.js";

/** The tools the planning model is bound to: the agent tools plus assign_repair_crew, nothing else. */
export function plannerTools(world: IncidentWorld): StructuredToolInterface[] {
  return [...createAgentTools(world), createAssignRepairCrewTool(world)];
}

interface Call { id: string; name: string; args: Record<string, unknown> }

export function makeRepairPlanningNode(deps: GraphDeps) {
  return async function REPAIR_PLANNING(state: AgentState, config: LangGraphRunnableConfig): Promise<AgentUpdate> {
    const cfg = ensureConfiguration(config);
    // An operator's rejection (requireApproval) is told to the model once, below; then cleared.
    const base = { stepCount: state.stepCount + 1, statesVisited: ["REPAIR_PLANNING" as const], operatorRejection: null };
    if (state.fatalError) return base;
    const world = worldFor(deps, state, config);
    if (state.planAttempts >= cfg.maxPlanAttempts) return { ...base, ...(await fallback(world, state, cfg)) };
    return { ...base, ...(await planWithModel(deps, world, state, cfg, config)) };
  };
}


function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 20).trimEnd()} ... (shortened)`;
}

async function fallback(world: IncidentWorld, state: AgentState, cfg: Configuration, outage?: string): Promise<AgentUpdate> {
  // A capped list is not the whole work: the world knows it all.
  const f = state.failures;
  const proposal = world.proposeDispatchPlan(f && f.toPlan.length === f.toPlanCount ? f.toPlan : undefined);
  const plan: DispatchPlan = {
    ...proposal.plan,
    // assign_repair_crew takes at most 4,000 characters of reasoning; the optimizer's, on a large incident, is longer.
    reasoning: clip(`Fallback: the optimizer's plan, ${outage ? `the model being unavailable (${outage})` : `after ${state.planAttempts} invalid plan(s) from the planner (limit ${cfg.maxPlanAttempts})`}. ${proposal.plan.reasoning ?? ""}`.trim(), MAX_REASONING_CHARS),
  };
  const why = outage ? `model unavailable: ${outage}` : `${state.planAttempts} invalid plan(s) from the planner (limit ${cfg.maxPlanAttempts})`;
  const errors = (await world.system.validatePlan(plan)).errors;
  return {
    proposedPlan: plan, planSource: "fallback", planErrors: errors, expectedEffect: boundedEffect(proposal.expected),
    counters: { fallbacks: 1 },
    planHistory: [{ ...recordPlan(state, { source: "fallback", plan, errors, expected: proposal.expected }), note: why }],
    planOverrides: [{ step: state.stepCount + 1, at: state.clock, kind: outage ? "model_outage" : "invalid_plans", reason: why }],
    // (an empty list would clear the run's errors: only a non-empty one is written)
    ...(outage || errors.length ? { errors: [...(outage ? [`FALLBACK: ${why}; the optimizer's plan is used`] : []), ...(errors.length ? [`fallback plan refused: ${errors.join("; ")}`] : [])] } : {}),
  };
}

async function planWithModel(deps: GraphDeps, world: IncidentWorld, state: AgentState, cfg: Configuration, config: LangGraphRunnableConfig): Promise<AgentUpdate> {
  const counters: Partial<RunCounters> = { modelCalls: 0, toolCalls: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0, invalidPlans: 0 };
  const tools = plannerTools(world);
  const byName = new Map(tools.map((t) => [t.name, t]));
  const json = cfg.protocol === "json";
  const added: BaseMessage[] = [];
  let conversation: BaseMessage[];
  const reset: BaseMessage[] = [];

  let model;
  try {
    model = modelFor(deps, cfg);
  } catch (e) {
    return { fatalError: `model unavailable: ${(e as Error).message}` };
  }
  // The tool schemas travel with every native tool-calling request: count them in the budget.
  const toolSchemaTokens = json ? 0 : estimateTokens(JSON.stringify(tools.map((t) => ({ name: t.name, description: t.description, parameters: toolJsonSchema(t) }))));
  // After an operator's rejection the planner continues its conversation, with the reason.
  const fresh = (state.planAttempts === 0 && !state.operatorRejection) || state.messages.length === 0;
  if (fresh) {
    const system = new SystemMessage(buildSystemPrompt(tools, cfg.protocol));
    const crews = await world.agent.getAvailableCrews();
    const fixedTokens = wireTokens(String(system.content)) + toolSchemaTokens;
    // The context leaves part of the budget for the round: the tool results and replies to come.
    const roundTokens = Math.max(3_000, Math.round(cfg.contextBudgetTokens * ROUND_SHARE));
    const assetLabels = world.assetLabels?.(state.failures?.toPlan ?? []);
    const ctx = buildContextMessage({ state, crews, historyWindow: cfg.historyWindow, ...(assetLabels ? { assetLabels } : {}) }, fixedTokens, cfg.contextBudgetTokens, roundTokens);
    const human = new HumanMessage(ctx.text);
    if (state.messages.length) reset.push(new RemoveMessage({ id: REMOVE_ALL_MESSAGES }));
    added.push(system, human);
    conversation = [system, human];
    counters.planningRounds = 1;
  } else {
    conversation = [...state.messages];
  }
  const push = (...m: BaseMessage[]) => { added.push(...m); conversation.push(...m); };
  if (state.operatorRejection) push(new HumanMessage(OPERATOR_REJECTED_MESSAGE.replace("{reason}", state.operatorRejection)));
  const runnable = json ? model : model.bindTools!(tools);

  const invalid = (errors: string[], plan: DispatchPlan | null, feedback: BaseMessage[]): AgentUpdate => {
    push(...feedback);
    return {
      messages: [...reset, ...added], proposedPlan: plan, planSource: "model", planErrors: errors,
      planAttempts: state.planAttempts + 1, counters: { ...counters, invalidPlans: 1 },
      ...(plan ? { planHistory: [recordPlan(state, { source: "model", plan, errors })] } : {}),
      errors: [`invalid plan (attempt ${state.planAttempts + 1}): ${errors.join("; ")}`],
    };
  };

  for (let turn = 0; turn < cfg.maxModelTurns; turn++) {
    let ai: AIMessage;
    try {
      // An attempt past its time limit (src/persistence/node-faults.ts) stops here: its retry has the conversation.
      config.signal?.throwIfAborted();
      // Bounded before it is kept: a 10 MB reply must not ride along in state and every later request.
      ai = boundReply((await runnable.invoke(withinBudget(conversation, cfg.contextBudgetTokens - toolSchemaTokens), config)) as AIMessage).message;
      config.signal?.throwIfAborted();
    } catch (e) {
      if (config.signal?.aborted) throw config.signal.reason;
      // An outage (5xx, 429, no answer) after the model's retries: the optimizer plans, loudly
      // (recorded in planOverrides, shown in the summary and --json). A refusal (bad key) ends the run.
      if (isModelOutage(e)) {
        const planned = await fallback(world, state, cfg, describeModelError(e));
        return { ...planned, messages: [...reset, ...added], counters: { ...counters, fallbacks: 1 } };
      }
      return { messages: [...reset, ...added], counters, fatalError: `model call failed: ${describeModelError(e)}` };
    }
    counters.modelCalls! += 1;
    const usage = ai.usage_metadata;
    if (usage) {
      counters.promptTokens! += usage.input_tokens ?? 0;
      counters.completionTokens! += usage.output_tokens ?? 0;
      counters.totalTokens! += usage.total_tokens ?? 0;
    }
    push(ai);

    const parsed = json ? readJsonAction(ai) : readToolCalls(ai);
    if (!parsed.ok) {
      const format = json ? RESPONSE_FORMAT_JSON : RESPONSE_FORMAT_TOOLS;
      return invalid([parsed.reason], null, [new HumanMessage(NO_ACTION_MESSAGE.replace("{reason}", parsed.reason).replace("{format}", format))]);
    }
    const calls = parsed.calls;
    const forbidden = calls.filter((c) => !byName.has(c.name));
    if (json && forbidden.length) {
      const c = forbidden[0];
      const reason = (SYSTEM_TOOL_NAMES as readonly string[]).includes(c.name)
        ? `"${c.name}" is not available to you; the system runs it. Actions you may take: ${[...byName.keys()].join(", ")}`
        : `unknown action "${c.name}". Actions you may take: ${[...byName.keys()].join(", ")}`;
      return invalid([reason], null, [new HumanMessage(NO_ACTION_MESSAGE.replace("{reason}", reason).replace("{format}", RESPONSE_FORMAT_JSON))]);
    }
    const assignCall = calls.find((c) => c.name === "assign_repair_crew");
    // Only the first assign_repair_crew of a turn is taken; another one is answered with an error
    // and never run (only EXECUTION dispatches, after validation).
    const extraAssigns = calls.filter((c) => c.name === "assign_repair_crew" && c !== assignCall);
    const factCalls = calls.filter((c) => c.name !== "assign_repair_crew");
    // Results share what is left of the budget, smallest first, keeping room for the next reply.
    const budgetLeft = cfg.contextBudgetTokens - toolSchemaTokens - REPLY_RESERVE_TOKENS - conversationTokens(conversation);
    const ran = await Promise.all(factCalls.map((c) => runTool(byName.get(c.name), c, config)));
    config.signal?.throwIfAborted();
    const results = admitWithinBudget(ran, budgetLeft, json);
    counters.toolCalls! += factCalls.length;
    push(...results.map((r) => (json ? jsonResultMessage(r) : r.message)));
    push(...extraAssigns.map((c) => new ToolMessage({ tool_call_id: c.id, name: c.name, status: "error", content: "Error: assign_repair_crew was called more than once in one turn; only the first call was taken." })));
    if (json && results.some((r) => r.badArguments)) {
      const bad = results.filter((r) => r.badArguments).map((r) => r.content);
      return invalid(bad, null, []);
    }
    if (!assignCall) continue;

    const args = AssignRepairCrewArgs.safeParse(assignCall.args);
    let plan: DispatchPlan | null = null;
    let errors: string[];
    if (!args.success) {
      errors = args.error.issues.map((i) => `${i.path.join(".") || "arguments"}: ${i.message}`);
    } else if (args.data.proposal_id) {
      // Adopting a proposal whole, by reference: the plan is the one the optimizer made.
      const adopted = world.proposalById?.(args.data.proposal_id);
      if (!adopted) errors = [`unknown proposal_id "${args.data.proposal_id}": call propose_dispatch_plan again, or list the assignments`];
      else {
        plan = { ...adopted, reasoning: args.data.reasoning };
        errors = (await world.system.validatePlan(plan)).errors;
      }
    } else if (!args.data.assignments) {
      errors = ["give the assignments, or the proposal_id of a proposal to adopt"];
    } else {
      plan = toDispatchPlan(args.data);
      errors = (await world.system.validatePlan(plan)).errors;
    }
    if (errors.length) {
      const text = REJECTED_PLAN_MESSAGE.replace("{reasons}", errors.map((e) => `- ${e}`).join("\n"));
      const feedback = json
        ? new HumanMessage(`Result of assign_repair_crew (error):\n${text}`)
        : new ToolMessage({ tool_call_id: assignCall.id, name: "assign_repair_crew", status: "error", content: text });
      return invalid(errors, plan, [feedback]);
    }
    const ack = "Plan validated; it goes to EXECUTION.";
    push(json ? new HumanMessage(`Result of assign_repair_crew:\n${ack}`) : new ToolMessage({ tool_call_id: assignCall.id, name: "assign_repair_crew", content: ack }));
    const expected = world.expectPlan?.(plan!);
    return {
      messages: [...reset, ...added], proposedPlan: plan, planSource: "model", planErrors: [], counters,
      expectedEffect: expected ? boundedEffect(expected) : null, planHistory: [recordPlan(state, { source: "model", plan: plan!, errors: [], expected })],
    };
  }
  const reason = `no assign_repair_crew after ${cfg.maxModelTurns} model turns`;
  return invalid([reason], null, [new HumanMessage(`${reason}. Decide now and call assign_repair_crew.`)]);
}

function readToolCalls(ai: AIMessage): { ok: true; calls: Call[] } | { ok: false; reason: string } {
  const calls = (ai.tool_calls ?? []).map((c, i) => ({ id: c.id ?? `call_${i}`, name: c.name, args: (c.args ?? {}) as Record<string, unknown> }));
  if (calls.length === 0) return { ok: false, reason: "it called no tool" };
  return { ok: true, calls };
}

function readJsonAction(ai: AIMessage): { ok: true; calls: Call[] } | { ok: false; reason: string } {
  const parsed = parseJsonAction(textOf(ai));
  if (!parsed.ok) return parsed;
  return { ok: true, calls: [{ id: `json_${ai.id ?? "0"}`, name: parsed.value.action, args: parsed.value.arguments }] };
}

interface ToolResult { call: Call; message: ToolMessage; content: string; error: boolean; badArguments: boolean }

/** The share of the request budget kept for one round's tool results and replies, after the context. */
const ROUND_SHARE = 0.4;
/** Room left for the model's next reply when tool results are admitted (estimated tokens). */
const REPLY_RESERVE_TOKENS = 1_000;
/** The most a refused result's error message takes. */
const REFUSAL_TOKENS = 120;

function failed(call: Call, content: string, badArguments = false): ToolResult {
  return { call, content, error: true, badArguments, message: new ToolMessage({ tool_call_id: call.id, name: call.name, status: "error", content }) };
}

/** Run one tool call; every failure comes back as an error result for the model, never a throw. */
async function runTool(t: StructuredToolInterface | undefined, call: Call, config: LangGraphRunnableConfig): Promise<ToolResult> {
  const fail = (content: string, badArguments = false) => failed(call, content, badArguments);
  if (!t) {
    const reason = (SYSTEM_TOOL_NAMES as readonly string[]).includes(call.name) ? `"${call.name}" is not available to you; the system runs it` : `unknown tool "${call.name}"`;
    return fail(`Error: ${reason}`);
  }
  const parsed = (t.schema as { safeParse?: (v: unknown) => { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } } }).safeParse?.(call.args);
  if (parsed && !parsed.success) {
    return fail(`Error: bad arguments for ${call.name}: ${parsed.error!.issues.map((i) => `${i.path.join(".") || "arguments"}: ${i.message}`).join("; ")}`, true);
  }
  try {
    const out = await t.invoke(call.args, config);
    const content = typeof out === "string" ? out : compact(out);
    return { call, content, error: false, badArguments: false, message: new ToolMessage({ tool_call_id: call.id, name: call.name, content }) };
  } catch (e) {
    return fail(`Error: ${call.name} failed: ${scrub(errorText(e))}`);
  }
}

/**
 * Keep the request under the budget: results are admitted smallest first while they fit in
 * `available` tokens; a result that does not fit is replaced by an error saying how to ask
 * for less. Results keep the order of the calls.
 */
function admitWithinBudget(results: ToolResult[], available: number, json: boolean): ToolResult[] {
  let left = available - results.length * REFUSAL_TOKENS;
  const size = (r: ToolResult) => messageTokens(json ? jsonResultMessage(r) : r.message);
  const bySize = results.map((r, i) => ({ i, tokens: size(r) })).sort((a, b) => a.tokens - b.tokens || a.i - b.i);
  const out = [...results];
  for (const { i, tokens } of bySize) {
    if (tokens <= left) { left -= tokens; continue; }
    const r = results[i];
    out[i] = failed(r.call, `Error: the result of ${r.call.name} (about ${tokens} tokens) does not fit in the context budget (about ${Math.max(0, left)} tokens left); ${askForLess(r.call.name)}`);
  }
  return out;
}

function askForLess(tool: string): string {
  if (tool === "propose_dispatch_plan") return "call it again with asset_ids: the few highest-impact assets from the context";
  if (tool === "get_available_crews") return "ask get_crew_location or get_crew_remaining_capacity about the crews you need";
  return "ask about fewer ids at a time";
}

/** A message's size as it travels in the request body (text JSON-escaped, tool calls, envelope). */
function messageTokens(m: BaseMessage): number {
  const calls = (m as AIMessage).tool_calls ?? [];
  const callTokens = calls.length
    ? estimateTokens(JSON.stringify(calls.map((c) => ({ id: c.id, type: "function", function: { name: c.name, arguments: JSON.stringify(c.args) } }))))
    : 0;
  const toolCallId = (m as ToolMessage).tool_call_id;
  return wireTokens(typeof m.content === "string" ? m.content : JSON.stringify(m.content)) + callTokens + (toolCallId ? estimateTokens(toolCallId) + 5 : 0);
}

function conversationTokens(messages: BaseMessage[]): number {
  return messages.reduce((n, m) => n + messageTokens(m), 0);
}

/**
 * The request actually sent: the whole conversation when it fits in `limit`; otherwise the
 * system prompt and context, then only the last turn (the last model reply and what answered
 * it), so a long planning round never outgrows the budget. State keeps the whole conversation.
 */
export function withinBudget(conversation: BaseMessage[], limit: number): BaseMessage[] {
  if (conversationTokens(conversation) <= limit) return conversation;
  let lastAi = -1;
  for (let i = conversation.length - 1; i >= 2; i--) if (conversation[i].getType() === "ai") { lastAi = i; break; }
  return lastAi < 0 ? conversation : [...conversation.slice(0, 2), ...conversation.slice(lastAi)];
}

function jsonResultMessage(r: ToolResult): HumanMessage {
  return new HumanMessage(`Result of ${r.call.name}${r.error ? " (error)" : ""}:\n<data>\n${r.content}\n</data>`);
}

function textOf(m: BaseMessage): string {
  const body = typeof m.content === "string" ? m.content : JSON.stringify(m.content);
  const calls = (m as AIMessage).tool_calls;
  return calls?.length ? body + JSON.stringify(calls) : body;
}

