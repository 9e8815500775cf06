/**
 * An approval outlives the process that asked for it: with a persistent checkpointer (SQLite),
 * one process runs the incident until the operator is asked and exits; another, later,
 * resumes the same incident from the checkpoint file, gets the same question, approves, and
 * the incident completes with the approved plan dispatched.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";
import { afterAll, describe, expect, it } from "vitest";
import type { ApprovalRequest } from "../../src/graph/approval.js";
import { buildGraph } from "../../src/graph/graph.js";
import { REPO_ROOT } from "../support/dev-server.js";

const dir = mkdtempSync(join(tmpdir(), "approval-resume-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = { ...process.env, OPENAI_API_KEY: "", INFRA_MODEL: "", LANGSMITH_TRACING: "false" };
function child(mode: "start" | "resume", db: string, incident: string) {
  const r = spawnSync(
    join(REPO_ROOT, "node_modules/.bin/tsx"),
    ["tests/studio/fixtures/approval-process.ts", mode, db, incident],
    {
      cwd: REPO_ROOT,
      env,
      encoding: "utf8",
      timeout: 90_000,
      killSignal: "SIGKILL",
    },
  );
  if (r.status !== 0) throw new Error(`${mode} exited with ${r.status ?? r.signal}:\n${r.stderr}\n${r.stdout}`);
  return JSON.parse(r.stdout.trim().split("\n").at(-1)!);
}

describe("an approval resumed by another process (SQLite checkpointer)", () => {
  it("the second process answers the question the first one left, and the incident completes", async () => {
    const db = join(dir, "checkpoints.sqlite");
    const incident = "incident-approval-resume";

    const first = child("start", db, incident) as { asked: ApprovalRequest[] };
    expect(first.asked).toHaveLength(2);
    const question = first.asked[1];
    expect(question.refused!.errors.join(" ")).toMatch(/WTR-1 cannot repair power/);

    // Between the processes: the incident waits in the file, with nothing dispatched.
    const saver = SqliteSaver.fromConnString(db);
    const snapshot = await buildGraph()
      .compile({ checkpointer: saver })
      .getState({ configurable: { thread_id: incident } });
    expect(snapshot.values.dispatchLog).toEqual([]);
    expect(snapshot.tasks.map((t) => [t.name, t.interrupts.length > 0])).toEqual([["EXECUTION", true]]);

    const second = child("resume", db, incident) as {
      asked: ApprovalRequest[];
      status: string;
      dispatches: { crewId: string; assetId: string; assignedAt: number }[];
      planHistory: { source: string; valid: boolean; operator?: { decision: string } }[];
    };
    // The same question (same plan, same refusal) is the first the second process is asked.
    expect(second.asked[0].plan).toEqual(question.plan);
    expect(second.asked[0].refused).toEqual(question.refused);
    expect(second.status).toBe("restored");
    const atStart = second.dispatches
      .filter((d) => d.assignedAt === 0)
      .map((d) => `${d.assetId}<-${d.crewId}`)
      .sort();
    expect(atStart).toEqual(
      question.plan.assignments.flatMap((a) => a.asset_ids.map((id) => `${id}<-${a.crew_id}`)).sort(),
    );
    // The whole history, across both processes: the refused edit, then the approvals.
    expect(
      second.planHistory
        .filter((h) => h.operator)
        .map((h) => [h.source, h.valid, h.operator!.decision])
        .slice(0, 2),
    ).toEqual([
      ["operator", false, "edit"],
      ["model", true, "approve"],
    ]);
  });
});
