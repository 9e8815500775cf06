/**
 * Operator approval through the dev server, as Studio or any SDK client does it: the run stops
 * before EXECUTION with the plan, and is resumed with `command: { resume }`: approve, reject
 * with a reason, or edit (an invalid edit is refused with reasons and the question asked again).
 */
import { Client } from "@langchain/langgraph-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApprovalRequest, OperatorDecision } from "../../src/graph/approval.js";
import { startDevServer, type DevServer } from "../support/dev-server.js";
import { expandDispatchLog } from "../../src/world/dispatch-log.js";

let server: DevServer | undefined;
let client: Client;
let assistantId: string;
const approvalOn = { configurable: { requireApproval: true } };

beforeAll(async () => {
  server = await startDevServer();
  client = new Client({ apiUrl: server.url });
  assistantId = (await client.assistants.search({ graphId: "infra_failure_manager" }))[0].assistant_id;
});
afterAll(async () => {
  await server?.stop();
});

type Values = Record<string, any>;

/** The thread's pending approval request, if it waits for one. */
async function pending(
  threadId: string,
): Promise<{ request: ApprovalRequest | undefined; values: Values; next: string[] }> {
  const state = await client.threads.getState<Values>(threadId);
  const request = state.tasks.flatMap((t) => t.interrupts ?? []).map((i) => i.value as ApprovalRequest)[0];
  return { request, values: state.values, next: state.next };
}

async function resume(threadId: string, assistant: string, answer: OperatorDecision | Record<string, unknown>) {
  await client.runs.wait(threadId, assistant, { command: { resume: answer } });
}

/** Approve every further plan until the run ends; returns how many were approved. */
async function approveAll(threadId: string, assistant: string): Promise<number> {
  let n = 0;
  for (let p = await pending(threadId); p.request; p = await pending(threadId)) {
    await resume(threadId, assistant, { decision: "approve" });
    if (++n > 20) throw new Error("too many approvals");
  }
  return n;
}

describe("operator approval through the SDK (requireApproval)", () => {
  it("stops before EXECUTION with the plan, its order, expected effect and reasoning; approve dispatches it", async () => {
    const thread = await client.threads.create();
    const result = (await client.runs.wait(thread.thread_id, assistantId, { input: {}, config: approvalOn })) as Values;
    expect(result.__interrupt__).toBeDefined();
    const { request, values, next } = await pending(thread.thread_id);
    expect(next).toEqual(["EXECUTION"]);
    expect(values.dispatchLog).toEqual([]);
    expect(request).toMatchObject({
      kind: "approve_dispatch_plan",
      source: "model",
      at: 0,
      incidentId: thread.thread_id,
    });
    expect(request!.plan.assignments.length).toBeGreaterThan(0);
    expect(request!.plan.assignments[0]).toEqual({ crew_id: expect.any(String), asset_ids: expect.any(Array) });
    expect(request!.reasoning).toMatch(/HOSP-StMary/);
    expect(request!.expectedEffect!.weightedCustomerMinutes).toBeGreaterThan(0);
    expect(request!.expectedEffect!.jobs.length).toBe(request!.plan.assignments.flatMap((a) => a.asset_ids).length);
    expect(request!.answers.join("\n")).toMatch(/"decision": "approve"/);

    await resume(thread.thread_id, assistantId, { decision: "approve" });
    const after = await pending(thread.thread_id);
    const sent = expandDispatchLog(after.values.dispatchLog)
      .filter((e: Values) => e.at === 0)
      .map((e: Values) => `${e.assetId}<-${e.crewId}`);
    expect(sent.sort()).toEqual(
      request!.plan.assignments.flatMap((a) => a.asset_ids.map((id) => `${id}<-${a.crew_id}`)).sort(),
    );
    expect(after.values.planHistory).toContainEqual(
      expect.objectContaining({ source: "model", valid: true, operator: { decision: "approve" } }),
    );
    await approveAll(thread.thread_id, assistantId);
    const done = await pending(thread.thread_id);
    expect(done.next).toEqual([]);
    expect(done.values.statesVisited.at(-1)).toBe("FINAL");
  });

  it("reject (approval on for the assistant): nothing is dispatched, the planner is told the reason and plans again, no fallback", async () => {
    const strict = await client.assistants.create({
      graphId: "infra_failure_manager",
      config: approvalOn,
      name: "operator approves",
    });
    const thread = await client.threads.create();
    await client.runs.wait(thread.thread_id, strict.assistant_id, { input: {} });
    expect((await pending(thread.thread_id)).request).toBeDefined();

    const reasons = ["send the water crew to the treatment plant first", "still no", "and again no"];
    for (const reason of reasons) await resume(thread.thread_id, strict.assistant_id, { decision: "reject", reason });
    const { request, values } = await pending(thread.thread_id);
    expect(request).toBeDefined();
    expect(values.dispatchLog).toEqual([]);
    // Each rejection went back to REPAIR_PLANNING, whose conversation carries the reason.
    const humans = values.messages.filter((m: Values) => m.type === "human").map((m: Values) => String(m.content));
    for (const reason of reasons)
      expect(
        humans.some((t: string) => t.includes("The operator rejected the proposed plan") && t.includes(reason)),
      ).toBe(true);
    expect(values.statesVisited.filter((s: string) => s === "REPAIR_PLANNING").length).toBe(reasons.length + 1);
    const rejected = values.planHistory.filter((h: Values) => h.operator?.decision === "reject");
    expect(rejected.map((h: Values) => h.operator.reason)).toEqual(reasons);
    // More rejections than maxPlanAttempts (3), and still the model plans: no invalid plans, no fallback.
    expect(values.counters).toMatchObject({ invalidPlans: 0, fallbacks: 0 });
    expect(request!.source).toBe("model");

    await approveAll(thread.thread_id, strict.assistant_id);
    expect((await pending(thread.thread_id)).values.dispatchLog.length).toBeGreaterThan(0);
  });

  it("edit: an invalid plan is refused with reasons and asked again; a valid one is dispatched as the operator's", async () => {
    const thread = await client.threads.create();
    await client.runs.wait(thread.thread_id, assistantId, { input: {}, config: approvalOn });
    const first = (await pending(thread.thread_id)).request!;

    // An answer of the wrong shape, then a plan the world refuses (a water crew on a power line).
    await resume(thread.thread_id, assistantId, { decision: "maybe" });
    let p = await pending(thread.thread_id);
    expect(p.request!.refused!.errors.join(" ")).toMatch(/decision/);
    await resume(thread.thread_id, assistantId, {
      decision: "edit",
      plan: { assignments: [{ crew_id: "WTR-1", asset_ids: ["L-2A-2B"] }] },
    });
    p = await pending(thread.thread_id);
    // Asked again in the same EXECUTION task (LangGraph then lists it under tasks, not `next`).
    expect((await client.threads.get(thread.thread_id)).status).toBe("interrupted");
    expect(p.values.dispatchLog).toEqual([]);
    expect(p.request!.refused!.errors.join(" ")).toMatch(/WTR-1 cannot repair power/);
    expect(p.request!.plan).toEqual(first.plan);

    const edited = {
      assignments: [{ crew_id: "PWR-1", asset_ids: ["L-2A-2B"] }],
      reasoning: "the hospital feeder alone, now",
    };
    await resume(thread.thread_id, assistantId, { decision: "edit", plan: edited });
    p = await pending(thread.thread_id);
    expect(
      expandDispatchLog(p.values.dispatchLog)
        .filter((e: Values) => e.at === 0)
        .map((e: Values) => e.dispatchId),
    ).toEqual(["L-2A-2B<-PWR-1@0"]);
    const byOperator = p.values.planHistory.filter((h: Values) => h.source === "operator");
    expect(byOperator.map((h: Values) => [h.valid, h.plan.assignments])).toEqual([
      [false, [{ crewId: "WTR-1", assetIds: ["L-2A-2B"] }]],
      [true, [{ crewId: "PWR-1", assetIds: ["L-2A-2B"] }]],
    ]);
    expect(byOperator[1]).toMatchObject({ operator: { decision: "edit" }, plan: { reasoning: edited.reasoning } });
    expect(p.values.counters).toMatchObject({ invalidPlans: 0, fallbacks: 0 });
    await approveAll(thread.thread_id, assistantId);
  });
});
