/** The evaluation as markdown: a summary with the targets, the figures per case and planner, and the cost of the agent's decisions. */
import { adoptionSection } from "./adoption.js";
import type { CaseResult, Summary } from "./suite.js";

export function markdownReport(results: CaseResult[], summary: Summary, meta: { date: string; node: string; cores: number; wallMs: number }): string {
  const out: string[] = [];
  out.push(`# Decision quality (${meta.date}, Node ${meta.node}, ${meta.cores} cores, ${(meta.wallMs / 1000).toFixed(1)} s)`, "");
  out.push("Weighted customer-minutes interrupted (CMI) as a ratio to the reference: the exact optimum on small cases, the best baseline on the larger scenarios. Lower is better; 1.000 is as good as the reference.", "");
  out.push(...table(
    ["planner", "small: median", "small: worst", "larger: worst"],
    summary.planners.map((p) => [p.planner, fmtRatio(p.smallMedian), fmtRatio(p.smallWorst), fmtRatio(p.largeWorst)]),
  ), "");
  out.push("## Targets (reported, not asserted)", "");
  out.push(...table(["target", "value", "limit", "met"], summary.targets.map((t) => [t.name, t.value === null ? "-" : String(t.value), String(t.limit), t.met ? "yes" : "NO"])), "");

  out.push("## Figures per scenario and planner", "");
  out.push("CMI: customer-minutes interrupted; wCMI: weighted by criticality; crit h: critical-facility outage hours; restore: minutes to full restoration. Ratios (x) are to the reference named in the scenario column.", "");
  const rows: string[][] = [];
  for (const r of results) {
    for (const run of r.runs) {
      const f = run.figures, x = run.ratios;
      rows.push([
        `${r.case} (${r.damaged} listed dmg, ${r.crews} crews; ref ${r.reference})`, run.planner, run.status,
        int(f.customerMinutes), int(f.weightedCustomerMinutes), String(f.criticalFacilityHours), f.minutesToFullRestoration === null ? "-" : int(f.minutesToFullRestoration),
        fmtRatio(x?.weightedCustomerMinutes), fmtRatio(x?.customerMinutes), fmtRatio(x?.criticalFacilityHours), fmtRatio(x?.minutesToFullRestoration),
        String(run.planningRounds), `${Math.round(run.wallMs)}`,
      ]);
    }
  }
  out.push(...table(["scenario", "planner", "status", "CMI", "wCMI", "crit h", "restore min", "wCMI x", "CMI x", "crit x", "restore x", "rounds", "ms"], rows), "");

  out.push("## Cost of a decision (agent)", "");
  out.push("Per incident; model calls per planning round (mean, max). Tokens are estimated on the offline planner (characters / 3.2).", "");
  const costRows: string[][] = [];
  for (const r of results) {
    for (const run of r.runs.filter((x) => x.cost)) {
      const c = run.cost!;
      costRows.push([r.case, run.planner, String(c.planningRounds), String(c.modelCalls), `${c.modelCallsPerRound} / ${c.maxModelCallsPerRound}`, String(c.toolCalls), int(c.promptTokens), int(c.completionTokens), int(c.tokensPerRound), String(c.invalidPlans), String(c.fallbacks)]);
    }
  }
  out.push(...table(["scenario", "planner", "rounds", "model calls", "calls/round (mean / max)", "tool calls", "prompt tok", "completion tok", "tok/round", "invalid", "fallbacks"], costRows), "");
  out.push(...adoptionSection(results.flatMap((r) => r.runs.filter((x) => x.adoption).map((x) => ({ scenario: r.case, planner: x.planner, adoption: x.adoption! })))));
  const optimum = results.flatMap((r) => r.runs.filter((x) => x.planner === "optimum" && x.note).map((x) => `- ${r.case}: ${x.note}, ${Math.round(x.wallMs)} ms`));
  if (optimum.length) out.push("## Exact search", "", ...optimum, "");
  return out.join("\n");
}

function table(header: string[], rows: string[][]): string[] {
  const line = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, "\\|")).join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)];
}

function fmtRatio(v: number | null | undefined): string {
  return v === null || v === undefined ? "-" : v.toFixed(3);
}

function int(v: number): string {
  return Math.round(v).toLocaleString("en-US");
}
