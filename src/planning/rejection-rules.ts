/**
 * An operator's reason for rejecting a plan, read for the simple forms the optimizer can act on:
 *
 *   "not crew C" / "no crew C" / "without crew C"   crew C gets no work in the next plan
 *                                                   (its queued work is re-planned to others)
 *   "asset A first" / "A first" / "first A"         A goes first in the queue of the crew that
 *                                                   can finish it soonest
 *   "C should take A first" / "C takes A first"     A goes first in crew C's queue
 *   "not before HH:MM"                              understood, but plans cannot wait: a dispatch
 *                                                   starts when it is sent; the planner says so
 *
 * Several forms may be joined by commas, semicolons or "and". Names are checked against the
 * incident's crews and assets; anything else stays text for the planner (the model reads the
 * whole reason either way). Knows nothing of the graph.
 */
import type { CrewAssignment, DispatchPlan } from "../world/types.js";

export interface RejectionRules {
  /** Crews the next plan must not give work to. */
  excludeCrews: string[];
  /** Assets to put first, in this order; on a given crew's queue, or the crew that can finish it soonest. */
  first: FirstJob[];
  /** What was read and will be obeyed, one line each. */
  understood: string[];
  /** What was read but cannot be acted on, with why. */
  cannot: string[];
}

export interface FirstJob {
  assetId: string;
  crewId?: string;
}

export const NO_RULES: RejectionRules = { excludeCrews: [], first: [], understood: [], cannot: [] };

export function parseRejection(
  reason: string,
  known: {
    crews: readonly string[];
    assets: readonly string[];
    canTake?: (crewId: string, assetId: string) => boolean;
  },
): RejectionRules {
  const crewOf = caseless(known.crews);
  const assetOf = caseless(known.assets);
  const rules: RejectionRules = { excludeCrews: [], first: [], understood: [], cannot: [] };
  for (const part of reason.split(/[;,.\n]|\band\b|\bthen\b/i)) {
    const text = part.trim();
    if (!text) continue;
    const crew = /^(?:not|no|without|never)\s+(?:crew\s+)?([\w-]+)$/i.exec(text);
    if (crew) {
      const id = crewOf(crew[1]);
      if (id && !rules.excludeCrews.includes(id)) {
        rules.excludeCrews.push(id);
        rules.understood.push(`crew ${id} gets no work in this plan`);
      } else if (!id && assetOf(crew[1]) === undefined)
        rules.cannot.push(`"${text}": no crew ${crew[1]} in this incident`);
      continue;
    }
    const on =
      /^(?:crew\s+)?([\w-]+)\s+(?:should\s+|must\s+)?(?:take|takes|do|does|repair|repairs)\s+(?:asset\s+)?([\w-]+)\s+first$/i.exec(
        text,
      );
    const first = on ?? /^(?:(?:asset\s+)?([\w-]+)\s+first|first\s+(?:asset\s+)?([\w-]+))$/i.exec(text);
    if (first) {
      const name = on ? on[2] : (first[1] ?? first[2]);
      const id = assetOf(name);
      const crewId = on ? crewOf(on[1]) : undefined;
      if (on && !crewId) rules.cannot.push(`"${text}": no crew ${on[1]} in this incident`);
      else if (!id) rules.cannot.push(`"${text}": no asset ${name} in this incident`);
      else if (crewId && known.canTake && !known.canTake(crewId, id))
        rules.cannot.push(`"${text}": crew ${crewId} cannot repair ${id} (its skills)`);
      else if (!rules.first.some((f) => f.assetId === id)) {
        rules.first.push({ assetId: id, ...(crewId ? { crewId } : {}) });
        rules.understood.push(crewId ? `${id} first on crew ${crewId}` : `${id} first`);
      }
      continue;
    }
    const time = /^not\s+before\s+(\d{1,2}):(\d{2})$/i.exec(text);
    if (time)
      rules.cannot.push(
        `"${text}": a plan cannot hold a dispatch back, a dispatch starts when it is sent (reject again later, or edit the plan)`,
      );
  }
  return rules;
}

function caseless(names: readonly string[]): (name: string) => string | undefined {
  const byLower = new Map(names.map((n) => [n.toLowerCase(), n]));
  return (name) => byLower.get(name.toLowerCase());
}

/** Why a plan breaks what a rejection asked (a planner's plan; the optimizer obeys it by construction). `started`: assets being worked. */
export function ruleViolations(
  plan: DispatchPlan,
  rules: { excludeCrews?: readonly string[]; first?: readonly FirstJob[] },
  started: ReadonlySet<string>,
): string[] {
  const errors: string[] = [];
  for (const a of plan.assignments)
    if (rules.excludeCrews?.includes(a.crewId) && a.assetIds.length)
      errors.push(
        `the operator ruled out crew ${a.crewId} for this plan ("not ${a.crewId}"): give its work to other crews`,
      );
  const firsts = new Set((rules.first ?? []).map((f) => f.assetId));
  for (const { assetId: id, crewId } of rules.first ?? []) {
    if (started.has(id)) continue;
    const holder = plan.assignments.find((a) => a.assetIds.includes(id));
    if (!holder) errors.push(`the operator asked for ${id} first: it is not in the plan`);
    else if (crewId && holder.crewId !== crewId)
      errors.push(`the operator asked for ${id} first on crew ${crewId}: list it first under ${crewId}`);
    else if (holder.assetIds.slice(0, holder.assetIds.indexOf(id)).some((x) => !firsts.has(x)))
      errors.push(`the operator asked for ${id} first: put it first in crew ${holder.crewId}'s list`);
  }
  return errors;
}

/** For the planner: what the reason was read as, and what of it cannot be done (empty when nothing was read). */
export function rulesText(rules: RejectionRules | null | undefined): string {
  if (!rules) return "";
  const lines: string[] = [];
  if (rules.understood.length)
    lines.push(
      `Read from the reason, and enforced on every plan until one is dispatched: ${rules.understood.join("; ")}.`,
    );
  if (rules.cannot.length) lines.push(`Read, but not possible: ${rules.cannot.join("; ")}. Say so in your reasoning.`);
  return lines.length ? `\n${lines.join("\n")}` : "";
}
