/**
 * Crash and resume. The demo incident runs in a child process that kills itself (SIGKILL, no
 * cleanup) at a crash point: after every superstep (each FSM step's update), between graph
 * runs (the world moved on in memory only), inside EXECUTION after the world applied the plan
 * but before the checkpoint, and between two dispatches sent to the crews' radios. A new
 * process resumes the incident from its last checkpoint (--resume) and dies at the next
 * point not yet tried, and so on, until one finishes. The outcome must equal the run that was
 * never interrupted: the same dispatches (ids, crews, times), figures, planner counters and
 * plan history; every dispatch the radios received is in the final record (none lost), and
 * none was sent under two ids (none doubled). On SQLite and on the PostgreSQL server.
 */
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { childEnv, killAllChildren, runTsx } from "./support/processes.js";
import { dropSchema, freshSchemaName, postgresSetting, requirePostgres } from "./support/postgres.js";

const CHILD = "tests/support/incident-child.ts";
const dir = mkdtempSync(join(tmpdir(), "crash-"));
const pgSchema = freshSchemaName("crash");

interface Outcome {
  status: string;
  figures: Record<string, unknown>;
  dispatches: { dispatchId: string; crewId: string; assetId: string; assignedAt: number; status: string }[];
  dispatchLog: { dispatchId: string }[];
  counters: Record<string, number>;
  plans: unknown[];
}

const lines = (file: string) => (existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean) : []);

let baseline: Outcome;
let points: string[];

beforeAll(async () => {
  const trace = join(dir, "baseline.trace");
  const r = await runTsx(
    CHILD,
    [
      "--incident",
      `incident-${randomUUID().slice(0, 8)}`,
      "--checkpoint",
      "memory",
      "--radio",
      join(dir, "baseline.radio"),
    ],
    childEnv({ INFRA_CRASH_TRACE: trace }),
  );
  expect(r.code, r.stderr).toBe(0);
  baseline = JSON.parse(r.stdout) as Outcome;
  points = lines(trace);
}, 120_000);

afterAll(async () => {
  killAllChildren();
  rmSync(dir, { recursive: true, force: true });
  await dropSchema(pgSchema);
});

/** Run the incident as a chain of processes, each killed at the next untried crash point. */
async function crashChain(label: string, checkpoint: string) {
  // Ids of one length: the prompt shows the incident id, and the planner counters count its tokens.
  const incident = `incident-${randomUUID().slice(0, 8)}`;
  const ledger = join(dir, `${label}.ledger`);
  const radio = join(dir, `${label}.radio`);
  const env = childEnv({ INFRA_CRASH_LEDGER: ledger });
  let kills = 0;
  let resume = false;
  for (;;) {
    const r = await runTsx(
      CHILD,
      ["--incident", incident, "--checkpoint", checkpoint, "--radio", radio, ...(resume ? ["--resume"] : [])],
      env,
    );
    if (r.signal === "SIGKILL") {
      kills++;
      resume = true;
      expect(kills, "more kills than crash points: the chain does not progress").toBeLessThanOrEqual(points.length + 5);
      continue;
    }
    expect(r.code, `the last process failed:\n${r.stderr}`).toBe(0);
    const sent = lines(radio).map((l) => (JSON.parse(l) as { dispatchId: string }).dispatchId);
    return { outcome: JSON.parse(r.stdout) as Outcome, kills, tried: lines(ledger), sent };
  }
}

function expectSameIncident(got: Outcome, sent: string[]) {
  expect(got.status).toBe(baseline.status);
  expect(got.dispatches).toEqual(baseline.dispatches);
  expect(got.dispatchLog).toEqual(baseline.dispatchLog);
  expect(got.figures).toEqual(baseline.figures);
  expect(got.counters).toEqual(baseline.counters);
  expect(got.plans).toEqual(baseline.plans);
  // None lost: everything the radios got is on record. None doubled: one id per decision, and
  // no asset holds two active dispatches.
  const recorded = new Set(got.dispatches.map((d) => d.dispatchId));
  expect(new Set(sent)).toEqual(recorded);
  const active = got.dispatches.filter((d) => d.status !== "reassigned" && d.status !== "cancelled");
  expect(new Set(active.map((d) => d.assetId)).size).toBe(active.length);
}

describe("an incident killed at every crash point and resumed each time", () => {
  it("the uninterrupted run passes each crash point once (superstep boundaries, between runs, inside EXECUTION)", () => {
    expect(baseline.status).toBe("restored");
    expect(new Set(points).size).toBe(points.length);
    expect(points.some((p) => p.startsWith("radio:"))).toBe(true);
    expect(points.some((p) => p.startsWith("EXECUTION@"))).toBe(true);
    expect(points.some((p) => p.endsWith("/between-runs"))).toBe(true);
    expect(points.filter((p) => /\/\d+:[A-Z_]+$/.test(p)).length).toBeGreaterThan(20);
  });

  it.concurrent.each([
    ["sqlite", () => `sqlite:${join(dir, "incidents.db")}`],
    ["postgres", () => postgresSetting(pgSchema)],
  ])(
    "on %s: nothing lost, nothing doubled, the same figures",
    async (backend, setting) => {
      if (backend === "postgres") await requirePostgres();
      const { outcome, kills, tried, sent } = await crashChain(backend, setting());
      expect(new Set(tried)).toEqual(new Set(points));
      expect(kills).toBe(points.length);
      expectSameIncident(outcome, sent);
      const resent = sent.length - new Set(sent).size;
      console.log(
        `crash test (${backend}): ${kills} kill points tried (${points.filter((p) => p.startsWith("radio:")).length} between two dispatches), ` +
          `${outcome.dispatches.length} dispatches, ${resent} re-sent under the same id after a crash, 0 lost, 0 doubled`,
      );
    },
    600_000,
  );
});
