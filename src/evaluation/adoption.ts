/**
 * What a planning model made of the optimizer's proposals: how often it adopted one, changed
 * it or ignored it, and what its changes are expected to have done to weighted customer-
 * minutes (what-if figures of its plan against the proposal's, over the same window, recorded
 * with each plan: PlanRecord.vsProposal). With the offline planner this is 100 % adoption; with
 * a real model (INFRA_MODEL) it shows what the model adds, or costs.
 */
import type { PlanRecord } from "../memory/agent-memory.js";

export interface Adoption {
  /** The model's valid plans that were compared with a proposal. */
  plans: number;
  adopted: number;
  changed: number;
  ignored: number;
  /** adopted / plans, 0 to 1 (null with no plans). */
  adoptionRate: number | null;
  /** Sum over changed and ignored plans of (plan minus proposal) weighted customer-minutes, what-if; negative: the model did better. */
  weightedCustomerMinutesDelta: number;
  /** Changed or ignored plans whose what-if was better than the proposal's. */
  betterThanProposal: number;
}

export function adoptionOf(history: readonly PlanRecord[]): Adoption {
  const judged = history.filter((h) => h.source === "model" && h.valid && h.vsProposal);
  const count = (c: string) => judged.filter((h) => h.vsProposal!.choice === c).length;
  const deviations = judged.filter((h) => h.vsProposal!.choice !== "adopted");
  const adopted = count("adopted");
  return {
    plans: judged.length,
    adopted,
    changed: count("changed"),
    ignored: count("ignored"),
    adoptionRate: judged.length ? adopted / judged.length : null,
    weightedCustomerMinutesDelta: deviations.reduce((n, h) => n + (h.vsProposal!.weightedCustomerMinutesDelta ?? 0), 0),
    betterThanProposal: deviations.filter((h) => (h.vsProposal!.weightedCustomerMinutesDelta ?? 0) < 0).length,
  };
}

/** The markdown section: one row per scenario and agent planner. */
export function adoptionSection(rows: { scenario: string; planner: string; adoption: Adoption }[]): string[] {
  if (rows.length === 0) return [];
  const pct = (v: number | null) => (v === null ? "-" : `${Math.round(v * 100)} %`);
  const signed = (v: number) => `${v > 0 ? "+" : ""}${Math.round(v).toLocaleString("en-US")}`;
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [
    "## What the planning model made of the optimizer's proposals",
    "",
    "Per incident: the model's valid plans, how many adopted the latest proposal as it was, changed it (at least half its jobs kept) or ignored it, and the what-if effect of its changes on weighted CMI (its plan minus the proposal, both simulated over the same window with no future damage; negative: better than the proposal).",
    "",
    line([
      "scenario",
      "planner",
      "plans",
      "adopted",
      "changed",
      "ignored",
      "adoption",
      "wCMI effect of changes",
      "changes better",
    ]),
    line(["---", "---", "---", "---", "---", "---", "---", "---", "---"]),
    ...rows.map(({ scenario, planner, adoption: a }) =>
      line([
        scenario,
        planner,
        String(a.plans),
        String(a.adopted),
        String(a.changed),
        String(a.ignored),
        pct(a.adoptionRate),
        signed(a.weightedCustomerMinutesDelta),
        `${a.betterThanProposal} of ${a.changed + a.ignored}`,
      ]),
    ),
    "",
  ];
}
