/** How the CLI shows an incident: one line per FSM step as it happens, and a summary at the end. */
import { clock } from "../format.js";
import type { AIMessage, BaseMessage } from "@langchain/core/messages";
import type { AgentState, FsmState } from "../graph/state.js";
import type { IncidentResult } from "../incident/runner.js";

/**
 * What the population figures count: a person once per network that serves them (a resident of
 * a power and a water district is two customers), as utilities count customers. Scenarios do
 * not say which people a water district and a power district share, so unique people cannot be told.
 */
export const CUSTOMERS_NOTE = "customers: a person counts once per network serving them (power, water...)";

export { clock } from "../format.js";

const list = (ids: string[], max = 6) =>
  ids.length <= max ? ids.join(", ") : `${ids.slice(0, max).join(", ")} +${ids.length - max} more`;

/** One or a few lines describing what a state did. */
export function describeStep(name: FsmState, u: Partial<AgentState>): string[] {
  const head = name.padEnd(17);
  switch (name) {
    case "INIT":
      return [
        `${head} incident ${u.incidentId} on "${u.scenario}" at ${clock(u.clock ?? 0)}${u.fatalError ? ` - ${u.fatalError}` : ""}`,
      ];
    case "FAILURE_DETECTION": {
      const f = u.failures;
      if (!f) return [`${head} (skipped)`];
      const assigned = f.damagedCount - f.toPlanCount - f.waitingCount;
      return [
        `${head} ${clock(f.at)} tool detect_failure_nodes: ${f.damagedCount} damaged (${f.toPlanCount} need a crew, ${assigned} have one${f.waitingCount ? `, ${f.waitingCount} wait` : ""}), ${f.outOfServiceCount} out of service, ${f.populationOut.toLocaleString("en-US")} customers out`,
        ...(f.criticalFacilitiesOut.length
          ? [`${" ".repeat(18)}critical facilities out: ${list(f.criticalFacilitiesOut)}`]
          : []),
        ...f.onBackup
          .filter((b) => b.critical)
          .map((b) => `${" ".repeat(18)}${b.node} on backup until ${clock(b.expiresAt)}`),
      ];
    }
    case "IMPACT_ANALYSIS": {
      const top = (u.impacts ?? [])
        .slice(0, 3)
        .map(
          (i) =>
            `${i.asset} ${i.severity} (${i.populationOut.toLocaleString("en-US")} out${i.criticalFacilities.length ? `, ${i.criticalFacilities.join("/")}` : ""})`,
        );
      return [`${head} tool estimate_impact x${(u.impacts ?? []).length}: ${top.join("; ")}`];
    }
    case "REPAIR_PLANNING": {
      const lines: string[] = [];
      const calls = (u.messages ?? [])
        .filter((m: BaseMessage) => m.getType?.() === "ai")
        .map((m) => ((m as AIMessage).tool_calls ?? []).map((c) => c.name));
      const jsonActions = (u.messages ?? [])
        .filter((m: BaseMessage) => m.getType?.() === "ai" && !(m as AIMessage).tool_calls?.length)
        .map((m) => /"action"\s*:\s*"(\w+)"/.exec(String(m.content))?.[1])
        .filter(Boolean) as string[];
      const turns = calls.map((c, i) => (c.length ? c.join(" + ") : (jsonActions[i] ?? "(no action)")));
      if (turns.length) lines.push(`${head} model turns: ${turns.join(" | ")}`);
      if (u.planSource === "fallback")
        lines.push(
          `${head} FALLBACK to the optimizer's plan${u.planOverrides?.length ? `: ${u.planOverrides.map((o) => o.reason).join("; ")}` : ""}`,
        );
      if (u.planErrors?.length) lines.push(`${" ".repeat(18)}plan refused: ${u.planErrors.join("; ")}`);
      else if (u.proposedPlan) {
        lines.push(
          `${" ".repeat(18)}plan: ${u.proposedPlan.assignments.map((a) => `${a.crewId} -> ${a.assetIds.join(" > ")}`).join("; ")}`,
        );
        if (u.proposedPlan.reasoning) lines.push(`${" ".repeat(18)}why: ${u.proposedPlan.reasoning}`);
      }
      if (u.fatalError) lines.push(`${head} ${u.fatalError}`);
      return lines.length ? lines : [`${head} (no plan)`];
    }
    case "EXECUTION": {
      const r = u.executionResults?.[0];
      if (!r) return [`${head} ${u.errors?.join("; ") ?? ""}`];
      return [
        `${head} tool assign_repair_crew: ${r.dispatchedCount} dispatched${r.alreadyApplied.length ? `, ${r.alreadyApplied.length} already sent` : ""}${r.error ? ` - ${r.error}` : ""}`,
      ];
    }
    case "RESCHEDULING":
      return [
        `${head} time passes to ${clock(u.clock ?? 0)}: ${u.newFailureCount ? `${u.newFailureCount} new failure(s) (${list(u.newFailures ?? [])})` : "nothing new"}${u.pendingWork ? `, ${u.pendingWork} damaged asset(s) need a crew` : ""}`,
      ];
    case "FINAL":
      return [`${head} ${u.status}: ${u.finalReason}`];
  }
  return [];
}

/** `tokensEstimated`: the counts are estimates from text length (the offline planner calls no model), not a model's usage. */
export function summary(r: IncidentResult, options: { tokensEstimated?: boolean } = {}): string {
  const m = r.metrics;
  const lines: string[] = [];
  lines.push("", `Incident ${r.incidentId} on "${r.scenario}": ${r.status} - ${r.reason}`, "");
  const moved = r.dispatches.filter((d) => d.status === "reassigned").length;
  lines.push(
    `Dispatches${moved ? ` (${moved} queued job(s) were re-planned as new damage came in; the final ones are shown)` : ""}`,
  );
  const rows = r.dispatches
    .filter((d) => d.status !== "reassigned")
    .map((d) => [
      d.crewId,
      d.assetId,
      clock(d.assignedAt),
      d.arrivedAt !== undefined ? clock(d.arrivedAt) : "-",
      d.heldMinutes ? `${Math.round(d.heldMinutes)} min` : "",
      d.repairedAt !== undefined ? clock(d.repairedAt) : "-",
      d.status,
    ]);
  lines.push(...table(["crew", "asset", "assigned", "arrived", "lightning hold", "repaired", "status"], rows));
  lines.push("");
  lines.push(
    `Time to full restoration       ${m.minutesToFullRestoration === null ? "not restored" : `${clock(m.minutesToFullRestoration)} (${Math.round(m.minutesToFullRestoration)} min)`}`,
  );
  lines.push(
    `Customer-minutes interrupted   ${m.customerMinutesInterrupted.toLocaleString("en-US")} (SAIDI ${m.saidiMinutes} min over ${m.totalPopulation.toLocaleString("en-US")} customers)`,
  );
  lines.push(`                               ${CUSTOMERS_NOTE}`);
  lines.push(`  weighted by criticality      ${m.weightedCustomerMinutesInterrupted.toLocaleString("en-US")}`);
  lines.push(`Critical-facility outage       ${m.criticalFacilityOutageHours} h`);
  const c = r.counters;
  lines.push(
    `Planner                        ${c.modelCalls} model calls, ${c.toolCalls} tool calls, ${c.planningRounds} planning rounds, ${c.invalidPlans} invalid plans, ${c.fallbacks} fallbacks`,
  );
  const overrides = r.finalState.planOverrides ?? [];
  if (overrides.length) {
    lines.push(
      `FALLBACKS                      ${overrides.length} time(s) the optimizer's plan replaced the planner's:`,
    );
    for (const o of overrides.slice(0, 10)) lines.push(`  ${clock(o.at)} ${o.kind.replace("_", " ")}: ${o.reason}`);
    if (overrides.length > 10) lines.push(`  ... and ${overrides.length - 10} more (--json lists them all)`);
  }
  const d = r.operatorDecisions;
  if (d && d.count) {
    const kinds = Object.entries(d.byKind)
      .map(([k, n]) => `${n} ${k.replace("_", " ")}`)
      .join(", ");
    lines.push(
      `Operator decisions             ${d.count}${kinds ? ` (${kinds}${d.list.length < d.count ? `; the last ${d.list.length}` : ""})` : ""}:`,
    );
    for (const x of d.list.slice(-10))
      lines.push(
        `  ${clock(x.at)} ${x.decision.replace("_", " ")}${x.crewIds?.length ? ` ${x.crewIds.join(", ")}` : ""}${x.reason ? `: ${x.reason}` : ""}${x.note ? `: ${x.note}` : ""}`,
      );
    if (d.list.length > 10) lines.push(`  ... and ${d.list.length - 10} more (--json lists them)`);
    if (d.pinnedNow.length)
      lines.push(`  pinned now: ${d.pinnedNow.map((a) => `${a.crewId} -> ${a.assetIds.join(" > ")}`).join("; ")}`);
  }
  const tokens = `${c.promptTokens.toLocaleString("en-US")} prompt + ${c.completionTokens.toLocaleString("en-US")} completion = ${c.totalTokens.toLocaleString("en-US")}`;
  lines.push(
    `Tokens                         ${tokens}${options.tokensEstimated ? " (estimated from text length: the offline planner calls no model)" : ""}`,
  );
  lines.push(
    r.runs === 0
      ? "Graph runs                     0 in this process: the incident's last run had finished, and nothing more happened"
      : `Graph runs                     ${r.runs} (triggers: ${r.triggers.map((t) => `${t.kind}@${clock(t.at)}`).join(", ")})`,
  );
  return lines.join("\n");
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    "  " +
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join("  ")
      .trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)];
}
