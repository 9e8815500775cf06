/** The evaluation as markdown: a summary with the targets, the figures per case and planner, and the cost of the agent's decisions. */
import { round2 } from "../format.js";
import { adoptionSection } from "./adoption.js";
import { BEST_KNOWN, type CaseResult } from "./suite.js";
import { caseTargets, type Summary, TARGET_MAX_DAMAGED, WITHIN_BEST_KNOWN } from "./targets.js";

export function markdownReport(
  results: CaseResult[],
  summary: Summary,
  meta: { date: string; node: string; cores: number; wallMs: number },
): string {
  const out: string[] = [];
  out.push(
    `# Decision quality (${meta.date}, Node ${meta.node}, ${meta.cores} cores, ${(meta.wallMs / 1000).toFixed(1)} s)`,
    "",
  );
  out.push(
    "Weighted customer-minutes interrupted (wCMI) as a ratio to the reference: the exact optimum on small cases, the best known plan on the ieee123 damage sets, Shelby County and meshed cases (all damage known at minute 0; the reference is the least of the stored best-known plan, re-simulated, and every planner's run), the best baseline on demo and the plain synthetic regions. Lower is better; 1.000 is as good as the reference.",
    "",
  );
  out.push(
    ...table(
      [
        "planner",
        "small: median",
        "small: worst",
        `best known (<= ${TARGET_MAX_DAMAGED} dmg): median`,
        "best known: worst",
        "vs best baseline: worst",
      ],
      summary.planners.map((p) => [
        p.planner,
        fmtRatio(p.smallMedian),
        fmtRatio(p.smallWorst),
        fmtRatio(p.bestKnownMedian),
        fmtRatio(p.bestKnownWorst),
        fmtRatio(p.largeWorst),
      ]),
    ),
    "",
  );
  out.push("## Targets (reported, not asserted)", "");
  out.push(
    ...table(
      ["target", "value", "limit", "met"],
      summary.targets.map((t) => [
        t.name,
        t.value === null ? "-" : String(t.value),
        String(t.limit),
        t.met ? "yes" : "NO",
      ]),
    ),
    "",
  );

  out.push("## Cases", "");
  out.push(
    "Per case: the reference's wCMI and each planner's ratio to it; critical-facility hours (agent / optimizer / reference); the optimizer's planning time per round (median / max, ms, in the optimizer-alone episode).",
    "",
  );
  const planners = [...new Set(results.flatMap((r) => r.runs.map((x) => x.planner)))].filter(
    (p) => p !== "optimum" && p !== BEST_KNOWN,
  );
  const caseRows = results.map((r) => {
    const ref = r.runs.find((x) => x.planner === r.reference)!;
    const crit = (name: string) => {
      const x = r.runs.find((y) => y.planner === name);
      return x ? String(round2(x.figures.criticalFacilityHours)) : "-";
    };
    const opt = r.runs.find((x) => x.planner === "optimizer (no graph)");
    const kind =
      r.referenceKind === "best-known"
        ? r.reference === BEST_KNOWN
          ? "best known"
          : `best known: ${r.reference}`
        : r.reference;
    return [
      r.case,
      String(r.damaged),
      String(r.crews),
      kind,
      int(ref.figures.weightedCustomerMinutes),
      ...planners.map((p) => fmtRatio(r.runs.find((x) => x.planner === p)?.ratios?.weightedCustomerMinutes)),
      `${crit("agent (offline)")} / ${crit("optimizer (no graph)")} / ${crit(r.reference)}`,
      opt?.roundMs ? `${opt.roundMs.median} / ${opt.roundMs.max}` : "-",
      r.referenceNote ?? "",
    ];
  });
  out.push(
    ...table(
      [
        "case",
        "dmg",
        "crews",
        "reference",
        "ref wCMI",
        ...planners.map((p) => `${p} x`),
        "crit h (agent/opt/ref)",
        "opt ms/round",
        "note",
      ],
      caseRows,
    ),
    "",
  );

  out.push("## Targets per case", "");
  out.push(
    `Agent's wCMI over the reference (limit 1.1 on small cases, ${WITHIN_BEST_KNOWN} on best-known cases up to ${TARGET_MAX_DAMAGED} damaged assets, none elsewhere) and over the best baseline of the case (limit 1: never worse than any baseline).`,
    "",
  );
  out.push(
    ...table(
      ["case", "planner", "dmg", "x reference", "limit", "x best baseline", "met"],
      caseTargets(results).map((t) => [
        t.case,
        t.planner,
        String(t.damaged),
        fmtRatio(t.toReference),
        t.limit === null ? "-" : String(t.limit),
        fmtRatio(t.toBestBaseline),
        t.met ? "yes" : "NO",
      ]),
    ),
    "",
  );

  out.push("## Figures per scenario and planner", "");
  out.push(
    "CMI: customer-minutes interrupted; wCMI: weighted by criticality; crit h: critical-facility outage hours; restore: minutes to full restoration. Ratios (x) are to the reference named in the scenario column.",
    "",
  );
  const rows: string[][] = [];
  for (const r of results) {
    for (const run of r.runs) {
      const f = run.figures,
        x = run.ratios;
      rows.push([
        `${r.case} (${r.damaged} listed dmg, ${r.crews} crews; ref ${r.reference})`,
        run.planner,
        run.status,
        int(f.customerMinutes),
        int(f.weightedCustomerMinutes),
        String(f.criticalFacilityHours),
        f.minutesToFullRestoration === null ? "-" : int(f.minutesToFullRestoration),
        fmtRatio(x?.weightedCustomerMinutes),
        fmtRatio(x?.customerMinutes),
        fmtRatio(x?.criticalFacilityHours),
        fmtRatio(x?.minutesToFullRestoration),
        String(run.planningRounds),
        `${Math.round(run.wallMs)}`,
      ]);
    }
  }
  out.push(
    ...table(
      [
        "scenario",
        "planner",
        "status",
        "CMI",
        "wCMI",
        "crit h",
        "restore min",
        "wCMI x",
        "CMI x",
        "crit x",
        "restore x",
        "rounds",
        "ms",
      ],
      rows,
    ),
    "",
  );

  out.push("## Cost of a decision (agent)", "");
  out.push(
    "Per incident; model calls per planning round (mean, max). Tokens are estimated on the offline planner (characters / 3.2).",
    "",
  );
  const costRows: string[][] = [];
  for (const r of results) {
    for (const run of r.runs.filter((x) => x.cost)) {
      const c = run.cost!;
      costRows.push([
        r.case,
        run.planner,
        String(c.planningRounds),
        String(c.modelCalls),
        `${c.modelCallsPerRound} / ${c.maxModelCallsPerRound}`,
        String(c.toolCalls),
        int(c.promptTokens),
        int(c.completionTokens),
        int(c.tokensPerRound),
        String(c.invalidPlans),
        String(c.fallbacks),
      ]);
    }
  }
  out.push(
    ...table(
      [
        "scenario",
        "planner",
        "rounds",
        "model calls",
        "calls/round (mean / max)",
        "tool calls",
        "prompt tok",
        "completion tok",
        "tok/round",
        "invalid",
        "fallbacks",
      ],
      costRows,
    ),
    "",
  );
  out.push(
    ...adoptionSection(
      results.flatMap((r) =>
        r.runs.filter((x) => x.adoption).map((x) => ({ scenario: r.case, planner: x.planner, adoption: x.adoption! })),
      ),
    ),
  );
  const optimum = results.flatMap((r) =>
    r.runs
      .filter((x) => x.planner === "optimum" && x.note)
      .map((x) => `- ${r.case}: ${x.note}, ${Math.round(x.wallMs)} ms`),
  );
  if (optimum.length) out.push("## Exact search", "", ...optimum, "");
  const known = results.flatMap((r) =>
    r.runs
      .filter((x) => x.planner === BEST_KNOWN && x.note)
      .map((x) => `- ${r.case}: ${x.note}; re-simulated in ${Math.round(x.wallMs)} ms`),
  );
  if (known.length) out.push("## Best-known plans (stored in evaluation/references)", "", ...known, "");
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
