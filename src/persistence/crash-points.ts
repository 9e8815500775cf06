/**
 * Test-only crash points: named places where a process may be killed (SIGKILL, no cleanup)
 * to prove that a resumed incident loses nothing and doubles nothing. Inert unless one of
 * these variables is set, so production pays one property read per point:
 *
 *   INFRA_CRASH_LEDGER=FILE  kill this process at the first point whose id is not yet in FILE
 *                            (the id is appended first). A chain of processes, each resumed
 *                            from the last checkpoint, so tries every point once, in order.
 *   INFRA_CRASH_TRACE=FILE   append every point's id to FILE, and never kill (lists the points
 *                            an uninterrupted run passes).
 *   INFRA_PAUSE_AT=NAME#N    stop this process (SIGSTOP, as a long GC pause or a frozen VM would)
 *                            the Nth time it passes pause point NAME; it goes on when sent SIGCONT.
 *
 * Ids are derived from the incident's state (trigger, step, node), not from a counter in the
 * process, so that a resumed process recognises the points the dead one already tried.
 */
import { appendFileSync, existsSync, readFileSync } from "node:fs";

export function crashPoint(id: string): void {
  const trace = process.env.INFRA_CRASH_TRACE;
  const ledger = process.env.INFRA_CRASH_LEDGER;
  if (!trace && !ledger) return;
  if (trace) appendFileSync(trace, `${id}\n`);
  if (!ledger) return;
  const tried = existsSync(ledger) ? new Set(readFileSync(ledger, "utf8").split("\n")) : new Set<string>();
  if (tried.has(id)) return;
  appendFileSync(ledger, `${id}\n`);
  process.kill(process.pid, "SIGKILL");
}

/**
 * Test-only: INFRA_DISPATCH_JOURNAL=FILE appends each dispatch id as it leaves the process (one
 * line each, synchronously, with the pid), standing for the crews' radios. A test kills the
 * process at any moment and compares what was sent with what the store recorded.
 */
export function journalDispatches(ids: readonly string[]): void {
  const file = process.env.INFRA_DISPATCH_JOURNAL;
  if (!file || ids.length === 0) return;
  appendFileSync(file, ids.map((id) => `${process.pid} ${id}\n`).join(""));
}

const pausesPassed = new Map<string, number>();

/**
 * Test-only pause points (INFRA_PAUSE_AT=NAME#N, N default 1): the process stops itself the Nth
 * time it passes NAME, and goes on where it stopped when it gets SIGCONT. Points: `put` (a
 * checkpoint write whose lease check has passed, before the write), `dispatch` (an EXECUTION's
 * dispatches, before they are fenced and sent).
 */
export function pausePoint(name: string): void {
  const at = process.env.INFRA_PAUSE_AT;
  if (!at) return;
  const [point, nth] = at.split("#");
  if (point !== name) return;
  const n = (pausesPassed.get(name) ?? 0) + 1;
  pausesPassed.set(name, n);
  if (n === Number(nth ?? 1)) process.kill(process.pid, "SIGSTOP");
}

/**
 * Test-only: INFRA_DELIVERY_JOURNAL=FILE appends each dispatch id the service's outbox deliverer
 * hands to the field (`pid id` lines), standing for a utility's dispatch gateway. (In the service,
 * EXECUTION applying a plan is not yet a send: a resumed run applies it again; delivery is.)
 */
export function journalDelivered(ids: readonly string[]): void {
  const file = process.env.INFRA_DELIVERY_JOURNAL;
  if (!file || ids.length === 0) return;
  appendFileSync(file, ids.map((id) => `${process.pid} ${id}\n`).join(""));
}
