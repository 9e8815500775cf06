/**
 * `npm start -- --approve`: the operator approves each dispatch plan at the terminal. The
 * graph stops before EXECUTION (src/graph/approval.ts); this shows the plan and reads one line:
 *
 *   a              approve
 *   r <reason>     reject; the planner is told the reason and plans again
 *   e <json>       edit: the plan to dispatch instead, e.g.
 *                  {"assignments":[{"crew_id":"C1","asset_ids":["L2","L5"]}],"reasoning":"..."}
 *                  (an accepted edit pins that work: later plans keep it until it is released)
 *   u [crew ...]   release (unpin) the pinned work of these crews, or of all; then re-plan
 *
 * Works with piped answers too (one per line). If the input ends before an answer, the run
 * stops with an error: nothing is ever dispatched without the operator's word.
 */
import { createInterface } from "node:readline";
import type { ApprovalRequest, OperatorDecision } from "../graph/approval.js";
import { clock } from "./format.js";

export const APPROVAL_HELP = `answer: a = approve | r <reason> = reject | e <json> = edit (pins it), e.g. e {"assignments":[{"crew_id":"C1","asset_ids":["A1","A2"]}]} | u [crew ...] = release pins (all without crews)`;

export class OperatorInputClosed extends Error {
  constructor() {
    super(
      "the operator's input ended before an answer: nothing more is dispatched (run without --approve, or give one answer per plan)",
    );
  }
}

/** Lines of a stream, one at a time, queued when they come faster than they are asked for (a pipe). */
class LineReader {
  private readonly queued: string[] = [];
  private waiting: ((line: string | null) => void) | null = null;
  private ended = false;
  private readonly rl;
  constructor(input: NodeJS.ReadableStream) {
    this.rl = createInterface({ input, crlfDelay: Infinity, terminal: false });
    this.rl.on("line", (line) => {
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = null;
        w(line);
      } else this.queued.push(line);
    });
    this.rl.on("close", () => {
      this.ended = true;
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = null;
        w(null);
      }
    });
  }
  next(): Promise<string | null> {
    if (this.queued.length) return Promise.resolve(this.queued.shift()!);
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }
  close() {
    this.rl.close();
  }
}

/** Read one operator answer from a line; a string says why the line is not an answer. */
export function parseAnswer(line: string): OperatorDecision | string | null {
  const text = line.trim();
  if (!text) return null;
  const [word, ...rest] = text.split(/\s+/);
  const arg = text.slice(word.length).trim();
  switch (word.toLowerCase()) {
    case "a":
    case "approve":
      return { decision: "approve" };
    case "r":
    case "reject":
      return arg ? { decision: "reject", reason: arg } : "a rejection needs a reason: r <reason>";
    case "e":
    case "edit": {
      if (!rest.length) return "an edit needs the plan as JSON: e <json>";
      try {
        const parsed = JSON.parse(arg) as Record<string, unknown>;
        // Accept the plan itself, or {"plan": ...} as in the resume value.
        const plan = parsed && typeof parsed === "object" && "plan" in parsed ? parsed.plan : parsed;
        return { decision: "edit", plan: plan as Extract<OperatorDecision, { decision: "edit" }>["plan"] };
      } catch (e) {
        return `the plan is not valid JSON: ${(e as Error).message}`;
      }
    }
    case "u":
    case "release":
      return rest.length ? { decision: "release", crew_ids: rest } : { decision: "release" };
    default:
      return `not an answer: "${text}"`;
  }
}

/** The plan as the operator sees it. */
export function describeRequest(r: ApprovalRequest): string[] {
  const lines = [`\n== operator approval at ${clock(r.at)}: plan by ${r.source ?? "the planner"}`];
  const jobs = new Map((r.expectedEffect?.jobs ?? []).map((j) => [`${j.crewId}/${j.assetId}`, j]));
  for (const a of r.plan.assignments) {
    const times = a.asset_ids.map((id) => {
      const j = jobs.get(`${a.crew_id}/${id}`);
      return j ? `${id} (arrive ${clock(j.arrivalAt)}, done ${clock(j.completionAt)})` : id;
    });
    lines.push(`  ${a.crew_id} -> ${times.join(" > ")}`);
  }
  if (r.reasoning) lines.push(`  why: ${r.reasoning}`);
  if (r.pinned?.length)
    lines.push(
      `  pinned by earlier edits (u <crew> releases): ${r.pinned.map((a) => `${a.crew_id} -> ${a.asset_ids.join(" > ")}`).join("; ")}`,
    );
  const e = r.expectedEffect;
  if (e) {
    lines.push(
      `  expected over ${Math.round(e.horizonMinutes)} min: ${Math.round(e.customerMinutes).toLocaleString("en-US")} customer-minutes, ${Math.round(e.weightedCustomerMinutes).toLocaleString("en-US")} weighted; critical facilities lost: ${e.criticalFacilitiesLost.length ? e.criticalFacilitiesLost.join(", ") : "none"}`,
    );
  }
  const o = r.optimizer;
  if (o) {
    const oe = o.expectedEffect;
    lines.push(
      `  the optimizer's plan, for comparison: ${o.plan.assignments.map((a) => `${a.crew_id} -> ${a.asset_ids.join(" > ")}`).join("; ")}`,
    );
    lines.push(
      `  expected over ${Math.round(oe.horizonMinutes)} min: ${Math.round(oe.customerMinutes).toLocaleString("en-US")} customer-minutes, ${Math.round(oe.weightedCustomerMinutes).toLocaleString("en-US")} weighted; critical facilities lost: ${oe.criticalFacilitiesLost.length ? oe.criticalFacilitiesLost.join(", ") : "none"}`,
    );
    if (o.deviation.length) lines.push(`  WARNING (deviation gate): the model's plan ${o.deviation.join("; and ")}`);
  }
  if (r.refused) lines.push(`  previous answer not applied: ${r.refused.errors.join("; ")}`);
  lines.push(`  ${APPROVAL_HELP}`);
  return lines;
}

export interface TerminalApproval {
  /** The runner's onInterrupt: show the plan, read answers until one parses. */
  answer(value: unknown): Promise<OperatorDecision>;
  close(): void;
}

export function terminalApproval(input: NodeJS.ReadableStream, output: NodeJS.WritableStream): TerminalApproval {
  const reader = new LineReader(input);
  const say = (line: string) => output.write(`${line}\n`);
  const interactive = Boolean((input as { isTTY?: boolean }).isTTY);
  return {
    async answer(value: unknown) {
      for (const line of describeRequest(value as ApprovalRequest)) say(line);
      for (;;) {
        if (interactive) output.write("> ");
        const line = await reader.next();
        if (line === null) throw new OperatorInputClosed();
        if (!interactive) say(`> ${line}`);
        const parsed = parseAnswer(line);
        if (parsed === null) continue;
        if (typeof parsed === "string") {
          say(`  ${parsed}`);
          say(`  ${APPROVAL_HELP}`);
          continue;
        }
        say(
          `  operator: ${parsed.decision}${parsed.decision === "reject" ? ` (${parsed.reason})` : parsed.decision === "release" ? ` (${parsed.crew_ids?.join(", ") ?? "all"})` : ""}`,
        );
        return parsed;
      }
    },
    close: () => reader.close(),
  };
}
