/**
 * REPAIR_PLANNING: the only state where a model is used. An inner loop: build the prompt with
 * context, call the model, run the agent tools it asked for (one turn's calls in parallel),
 * give it the results, call it again; until it calls assign_repair_crew. The plan is then
 * validated here; the "valid action?" router decides where it goes. After too many invalid
 * plans the optimizer's plan is used instead, and that is recorded.
 */
import {
  HumanMessage,
  RemoveMessage,
  SystemMessage,
  ToolMessage,
  type AIMessage,
  type BaseMessage,
} from "@langchain/core/messages";
import type { StructuredToolInterface } from "@langchain/core/tools";
import { REMOVE_ALL_MESSAGES, type LangGraphRunnableConfig } from "@langchain/langgraph";
import { MAX_REASONING_CHARS, REPLY_RESERVE_TOKENS, ROUND_BUDGET_SHARE } from "../../limits.js";
import { describeModelError, isModelOutage } from "../../models/index.js";
import { boundReply } from "../../models/reply-limits.js";
import type { ExpectedEffect } from "../../planning/optimizer.js";
import { buildContextMessage, buildSystemPrompt, toolJsonSchema } from "../../prompts/assemble.js";
import {
  DECIDE_NOW_MESSAGE,
  EXTRA_ASSIGN_MESSAGE,
  JSON_ASSIGN_RESULT,
  NO_ACTION_MESSAGE,
  NO_ASSIGN_REASON,
  NO_ASSIGNMENTS_REASON,
  OPERATOR_REJECTED_MESSAGE,
  PLAN_ACCEPTED_MESSAGE,
  REJECTED_PLAN_MESSAGE,
  RESPONSE_FORMAT_JSON,
  RESPONSE_FORMAT_TOOLS,
  SYSTEM_ONLY_ACTION,
  UNKNOWN_ACTION,
  UNKNOWN_PROPOSAL_REASON,
} from "../../prompts/repair-planning.js";
import { conversationTokens, estimateTokens, wireTokens, withinBudget } from "../../prompts/tokens.js";
import { AGENT_TOOL_NAMES, createAgentTools } from "../../tools/agent-tools.js";
import { AssignRepairCrewArgs } from "../../tools/schemas.js";
import { SYSTEM_TOOL_NAMES, createPlanSubmissionTool, toDispatchPlan } from "../../tools/system-tools.js";
import type { DispatchPlan } from "../../world/types.js";
import { ensureConfiguration, type Configuration } from "../configuration.js";
import { modelFor, worldFor, type GraphDeps } from "../runtime.js";
import { boundedEffect, recordPlan } from "../plan-record.js";
import type { AgentState, AgentUpdate, RunCounters } from "../state.js";
import { admitWithinBudget, jsonResultMessage, readJsonAction, readToolCalls, runTool } from "../tool-runner.js";
import type { IncidentWorld } from "../../planning/incident-world.js";
import { differentOrder, pinViolations, sameAssignments, type PlanConstraints } from "../../planning/constraints.js";
import { ruleViolations, rulesText } from "../../planning/rejection-rules.js";
import { operatorConstraints } from "../operator-pins.js";
import { compareWithProposal } from "../proposal-choice.js";

/**
 * The tools the planning model is bound to: the agent tools plus assign_repair_crew, which
 * only submits a plan (validated here; EXECUTION dispatches it).
 */
export function plannerTools(world: IncidentWorld, constraints: PlanConstraints = {}): StructuredToolInterface[] {
  return [...createAgentTools(world, constraints), createPlanSubmissionTool(world)];
}

/** Validation's errors, plus an operator's decisions: pinned work stays, a rejected plan is not sent again. */
async function validateDecided(
  world: IncidentWorld,
  plan: DispatchPlan,
  constraints: PlanConstraints,
): Promise<string[]> {
  const started = new Set(
    world
      .dispatches()
      .filter((d) => d.status !== "queued")
      .map((d) => d.assetId),
  );
  const errors = [
    ...(await world.system.validatePlan(plan)).errors,
    ...pinViolations(plan, constraints.pinned ?? []),
    ...ruleViolations(plan, constraints, started),
  ];
  // When no other order of the work exists the same plan goes back to the operator, with the planner's why, instead of looping.
  if (
    constraints.avoid &&
    sameAssignments(plan.assignments, constraints.avoid) &&
    differentOrder(constraints.avoid, constraints.pinned)
  ) {
    errors.push(
      "this is the plan the operator rejected: plan differently (call propose_dispatch_plan for an alternative)",
    );
  }
  return errors;
}

export function makeRepairPlanningNode(deps: GraphDeps) {
  return async function REPAIR_PLANNING(state: AgentState, config: LangGraphRunnableConfig): Promise<AgentUpdate> {
    const cfg = ensureConfiguration(config);
    // An operator's rejection (requireApproval) is told to the model once, below; then cleared.
    const base = {
      stepCount: state.stepCount + 1,
      statesVisited: ["REPAIR_PLANNING" as const],
      operatorRejection: null,
    };
    if (state.fatalError) return base;
    const world = worldFor(deps, state, config);
    const decided = await operatorConstraints(state, world);
    const c = decided.constraints;
    if (state.planAttempts >= cfg.maxPlanAttempts)
      return { ...base, ...decided.update, ...(await fallback(world, state, cfg, undefined, c)) };
    return { ...base, ...decided.update, ...(await planWithModel(deps, world, state, cfg, config, c)) };
  };
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 20).trimEnd()} ... (shortened)`;
}

async function fallback(
  world: IncidentWorld,
  state: AgentState,
  cfg: Configuration,
  outage?: string,
  constraints: PlanConstraints = {},
): Promise<AgentUpdate> {
  // A capped list is not the whole work: the world knows it all.
  const f = state.failures;
  // The operator's pins hold in the fallback too; a rejected plan it cannot avoid goes back to the operator (approval).
  const proposal = world.proposeDispatchPlan(
    f && f.toPlan.length === f.toPlanCount ? f.toPlan : undefined,
    constraints,
  );
  const plan: DispatchPlan = {
    ...proposal.plan,
    // assign_repair_crew takes at most 4,000 characters of reasoning; the optimizer's, on a large incident, is longer.
    reasoning: clip(
      `Fallback: the optimizer's plan, ${outage ? `the model being unavailable (${outage})` : `after ${state.planAttempts} invalid plan(s) from the planner (limit ${cfg.maxPlanAttempts})`}. ${proposal.plan.reasoning ?? ""}`.trim(),
      MAX_REASONING_CHARS,
    ),
  };
  const why = outage
    ? `model unavailable: ${outage}`
    : `${state.planAttempts} invalid plan(s) from the planner (limit ${cfg.maxPlanAttempts})`;
  const errors = (await world.system.validatePlan(plan)).errors;
  return {
    proposedPlan: plan,
    planSource: "fallback",
    planErrors: errors,
    expectedEffect: boundedEffect(proposal.expected),
    counters: { fallbacks: 1 },
    planHistory: [
      { ...recordPlan(state, { source: "fallback", plan, errors, expected: proposal.expected }), note: why },
    ],
    planOverrides: [
      { step: state.stepCount + 1, at: state.clock, kind: outage ? "model_outage" : "invalid_plans", reason: why },
    ],
    // (an empty list would clear the run's errors: only a non-empty one is written)
    ...(outage || errors.length
      ? {
          errors: [
            ...(outage ? [`FALLBACK: ${why}; the optimizer's plan is used`] : []),
            ...(errors.length ? [`fallback plan refused: ${errors.join("; ")}`] : []),
          ],
        }
      : {}),
  };
}

async function planWithModel(
  deps: GraphDeps,
  world: IncidentWorld,
  state: AgentState,
  cfg: Configuration,
  config: LangGraphRunnableConfig,
  constraints: PlanConstraints,
): Promise<AgentUpdate> {
  const counters: Partial<RunCounters> = {
    modelCalls: 0,
    toolCalls: 0,
    promptTokens: 0,
    completionTokens: 0,
    totalTokens: 0,
    invalidPlans: 0,
  };
  const tools = plannerTools(world, constraints);
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
  const toolSchemaTokens = json
    ? 0
    : estimateTokens(
        JSON.stringify(tools.map((t) => ({ name: t.name, description: t.description, parameters: toolJsonSchema(t) }))),
      );
  // After an operator's rejection the planner continues its conversation, with the reason.
  const fresh = (state.planAttempts === 0 && !state.operatorRejection) || state.messages.length === 0;
  if (fresh) {
    const system = new SystemMessage(buildSystemPrompt(tools, cfg.protocol));
    const crews = await world.agent.getAvailableCrews();
    const fixedTokens = wireTokens(String(system.content)) + toolSchemaTokens;
    // The context leaves part of the budget for the round: the tool results and replies to come.
    const roundTokens = Math.max(3_000, Math.round(cfg.contextBudgetTokens * ROUND_BUDGET_SHARE));
    const assetLabels = world.assetLabels?.(state.failures?.toPlan ?? []);
    // Blocking, backups' losses and weights, for the assets the memory keeps (the most urgent first).
    const facts = world.planningFacts?.([
      ...(state.failures?.toPlan ?? []),
      ...(state.failures?.damaged ?? []).filter((d) => d.assignedCrew).map((d) => d.id),
    ]);
    const ctx = buildContextMessage(
      {
        state,
        crews,
        historyWindow: cfg.historyWindow,
        ...(assetLabels ? { assetLabels } : {}),
        ...(facts ? { facts } : {}),
      },
      fixedTokens,
      cfg.contextBudgetTokens,
      roundTokens,
    );
    const human = new HumanMessage(ctx.text);
    if (state.messages.length) reset.push(new RemoveMessage({ id: REMOVE_ALL_MESSAGES }));
    added.push(system, human);
    conversation = [system, human];
    counters.planningRounds = 1;
  } else {
    conversation = [...state.messages];
  }
  const push = (...m: BaseMessage[]) => {
    added.push(...m);
    conversation.push(...m);
  };
  if (state.operatorRejection)
    push(
      new HumanMessage(
        OPERATOR_REJECTED_MESSAGE.replace("{reason}", state.operatorRejection) + rulesText(state.rejectionRules),
      ),
    );
  const runnable = json ? model : model.bindTools!(tools);

  const invalid = (errors: string[], plan: DispatchPlan | null, feedback: BaseMessage[]): AgentUpdate => {
    push(...feedback);
    return {
      messages: [...reset, ...added],
      proposedPlan: plan,
      planSource: "model",
      planErrors: errors,
      planAttempts: state.planAttempts + 1,
      counters: { ...counters, invalidPlans: 1 },
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
      ai = boundReply(
        (await runnable.invoke(
          withinBudget(conversation, cfg.contextBudgetTokens - toolSchemaTokens),
          config,
        )) as AIMessage,
      ).message;
      config.signal?.throwIfAborted();
    } catch (e) {
      if (config.signal?.aborted) throw config.signal.reason;
      // An outage (5xx, 429, no answer) after the model's retries: the optimizer plans, loudly
      // (recorded in planOverrides, shown in the summary and --json). A refusal (bad key) ends the run.
      if (isModelOutage(e)) {
        const planned = await fallback(world, state, cfg, describeModelError(e), constraints);
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
      return invalid([parsed.reason], null, [
        new HumanMessage(NO_ACTION_MESSAGE.replace("{reason}", parsed.reason).replace("{format}", format)),
      ]);
    }
    const calls = parsed.calls;
    const forbidden = calls.filter((c) => !byName.has(c.name));
    if (json && forbidden.length) {
      const c = forbidden[0];
      const reason = ((SYSTEM_TOOL_NAMES as readonly string[]).includes(c.name) ? SYSTEM_ONLY_ACTION : UNKNOWN_ACTION)
        .replace("{name}", c.name)
        .replace("{actions}", [...byName.keys()].join(", "));
      return invalid([reason], null, [
        new HumanMessage(NO_ACTION_MESSAGE.replace("{reason}", reason).replace("{format}", RESPONSE_FORMAT_JSON)),
      ]);
    }
    const assignCall = calls.find((c) => c.name === "assign_repair_crew");
    // Only the first assign_repair_crew of a turn is taken; another one is answered with an error
    // and never run (only EXECUTION dispatches, after validation).
    const extraAssigns = calls.filter((c) => c.name === "assign_repair_crew" && c !== assignCall);
    const factCalls = calls.filter((c) => c.name !== "assign_repair_crew");
    // Results share what is left of the budget, smallest first, keeping room for the next reply.
    const budgetLeft =
      cfg.contextBudgetTokens - toolSchemaTokens - REPLY_RESERVE_TOKENS - conversationTokens(conversation);
    const ran = await Promise.all(factCalls.map((c) => runTool(byName.get(c.name), c, config)));
    config.signal?.throwIfAborted();
    const results = admitWithinBudget(ran, budgetLeft, json);
    counters.toolCalls! += factCalls.length;
    push(...results.map((r) => (json ? jsonResultMessage(r) : r.message)));
    push(
      ...extraAssigns.map(
        (c) => new ToolMessage({ tool_call_id: c.id, name: c.name, status: "error", content: EXTRA_ASSIGN_MESSAGE }),
      ),
    );
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
      if (!adopted) errors = [UNKNOWN_PROPOSAL_REASON.replace("{id}", args.data.proposal_id)];
      else {
        plan = { ...adopted, reasoning: args.data.reasoning };
        errors = await validateDecided(world, plan, constraints);
      }
    } else if (!args.data.assignments) {
      errors = [NO_ASSIGNMENTS_REASON];
    } else {
      plan = toDispatchPlan(args.data);
      errors = await validateDecided(world, plan, constraints);
    }
    if (errors.length) {
      const text = REJECTED_PLAN_MESSAGE.replace("{reasons}", errors.map((e) => `- ${e}`).join("\n"));
      const feedback = json
        ? new HumanMessage(JSON_ASSIGN_RESULT.replace("{error}", " (error)").replace("{text}", text))
        : new ToolMessage({ tool_call_id: assignCall.id, name: "assign_repair_crew", status: "error", content: text });
      return invalid(errors, plan, [feedback]);
    }
    const ack = PLAN_ACCEPTED_MESSAGE;
    push(
      json
        ? new HumanMessage(JSON_ASSIGN_RESULT.replace("{error}", "").replace("{text}", ack))
        : new ToolMessage({ tool_call_id: assignCall.id, name: "assign_repair_crew", content: ack }),
    );
    const expected = world.expectPlan?.(plan!);
    // Adopted, changed or ignored: what the model made of the optimizer's proposal (for the evaluation).
    const vsProposal = compareWithProposal(world, plan!, args.success ? args.data.proposal_id : undefined);
    return {
      messages: [...reset, ...added],
      proposedPlan: plan,
      planSource: "model",
      planErrors: [],
      counters,
      expectedEffect: expected ? boundedEffect(expected) : null,
      planHistory: [
        recordPlan(state, {
          source: "model",
          plan: plan!,
          errors: [],
          expected,
          ...(vsProposal ? { vsProposal } : {}),
        }),
      ],
    };
  }
  const reason = NO_ASSIGN_REASON.replace("{turns}", String(cfg.maxModelTurns));
  return invalid([reason], null, [new HumanMessage(DECIDE_NOW_MESSAGE.replace("{reason}", reason))]);
}
