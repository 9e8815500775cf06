/**
 * Kills at arbitrary wall-clock moments, not at instrumented points. The CLI runs the demo
 * incident on PostgreSQL (`--checkpoint postgres:...`) with a dispatch journal
 * (INFRA_DISPATCH_JOURNAL, standing for the crews' radios: each dispatch id as it leaves the
 * process); it is SIGKILLed after a random delay once the incident has started, then
 * `--resume`d (and that process may be killed too), until one finishes. The dispatches must be
 * those of an uninterrupted run: every id the radios got is on record (none lost), and no id
 * went out that the uninterrupted run does not have (none doubled: no second crew, no other minute).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { childEnv, killAllChildren, ROOT, runTsx } from "./support/processes.js";
import { dropSchema, freshSchemaName, POSTGRES_URL, postgresSetting, requirePostgres } from "./support/postgres.js";
import { PostgresSaver } from "@langchain/langgraph-checkpoint-postgres";
import { dispatchIdOf, expandDispatchLog, type DispatchBatch } from "../../src/world/dispatch-log.js";
import type { DispatchPlan } from "../../src/world/types.js";

const dir = mkdtempSync(join(tmpdir(), "random-kill-"));
const schema = freshSchemaName("reliability_kill");
/** Kills to try (each at a random moment); the chain then runs to its end. */
const KILLS = 6;
/** Random delays after the incident line, in ms: the demo's incident takes about 1.5 s here once started. */
const MAX_DELAY_MS = 1_800;

let saver: PostgresSaver | undefined;
afterAll(async () => {
  killAllChildren();
  await saver?.end().catch(() => {});
  rmSync(dir, { recursive: true, force: true });
  await dropSchema(schema);
});

interface Dispatch {
  dispatchId: string;
  crewId: string;
  assetId: string;
  assignedAt: number;
}

/** Start the CLI; kill it (SIGKILL) `delayMs` after it prints its incident id. Resolves when it ends. */
function runAndKill(
  args: string[],
  env: NodeJS.ProcessEnv,
  delayMs: number,
): Promise<{ killed: boolean; code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
      cwd: ROOT,
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let timer: NodeJS.Timeout | undefined;
    let killed = false;
    const guard = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        /* gone */
      }
    }, 120_000);
    child.stdout!.on("data", (d) => (stdout += d));
    child.stderr!.on("data", (d) => {
      stderr += d;
      if (!timer && /^incident: /m.test(stderr)) {
        timer = setTimeout(() => {
          try {
            process.kill(-child.pid!, "SIGKILL");
            killed = true;
          } catch {
            /* already ended */
          }
        }, delayMs);
      }
    });
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      clearTimeout(guard);
      resolve({ killed: killed && signal === "SIGKILL", code, stdout, stderr });
    });
  });
}

/**
 * Dispatches sent that the store's last checkpoint does not account for: neither in its
 * dispatch log nor in the plan it holds for EXECUTION (the plan that produced them). These are
 * what a resumed process could not know it sent.
 */
async function unaccounted(id: string, sent: string[]): Promise<string[]> {
  saver ??= PostgresSaver.fromConnString(POSTGRES_URL, { schema });
  const tuple = await saver.getTuple({ configurable: { thread_id: id, checkpoint_ns: "" } });
  const values = (tuple?.checkpoint.channel_values ?? {}) as {
    dispatchLog?: DispatchBatch[];
    proposedPlan?: DispatchPlan | null;
    clock?: number;
  };
  const known = new Set(expandDispatchLog(values.dispatchLog ?? []).map((e) => e.dispatchId));
  for (const a of values.proposedPlan?.assignments ?? [])
    for (const asset of a.assetIds) known.add(dispatchIdOf(a.crewId, asset, values.clock ?? 0));
  return sent.filter((s) => !known.has(s));
}

const journal = (file: string) =>
  existsSync(file)
    ? readFileSync(file, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => l.split(" ")[1])
    : [];

describe("the CLI on PostgreSQL, killed at random moments", () => {
  it(`loses no dispatch and sends none twice (${KILLS} kills)`, async () => {
    await requirePostgres();
    const plain = await runTsx("src/cli/main.ts", ["--json"], childEnv());
    expect(plain.code, plain.stderr).toBe(0);
    const expected = (JSON.parse(plain.stdout) as { dispatches: Dispatch[] }).dispatches;
    const key = (d: Dispatch) => `${d.dispatchId}|${d.crewId}|${d.assetId}|${d.assignedAt}`;
    const expectedIds = new Set(expected.map((d) => d.dispatchId));

    const store = postgresSetting(schema);
    let kills = 0,
      unrecorded = 0,
      lost = 0,
      doubled = 0,
      resent = 0,
      incidents = 0,
      noCheckpointYet = 0;
    const delays: number[] = [];
    while (kills < KILLS) {
      incidents++;
      const file = join(dir, `journal-${incidents}`);
      const env = childEnv({ INFRA_DISPATCH_JOURNAL: file });
      let id: string | undefined;
      let finished: { stdout: string } | undefined;
      // One incident: started, then resumed, each process maybe killed, until one finishes.
      for (let attempt = 0; !finished; attempt++) {
        const delay = kills < KILLS ? Math.floor(Math.random() * MAX_DELAY_MS) : 600_000;
        const args = ["--json", "--checkpoint", store, ...(id ? ["--resume", id, "--wait"] : [])];
        const r = await runAndKill(args, env, delay);
        id ??= /^incident: (\S+)$/m.exec(r.stderr)?.[1];
        if (r.killed) {
          kills++;
          delays.push(delay);
          // The rule: a dispatch leaves the process only after the plan that produced it is durable.
          if (id) unrecorded += (await unaccounted(id, journal(file))).length;
          continue;
        }
        if (r.code === 2 && /no incident/.test(r.stderr)) {
          // Killed before the first checkpoint: nothing may have been sent yet. Start again.
          expect(journal(file), "dispatches were sent that no checkpoint records").toEqual([]);
          noCheckpointYet++;
          id = undefined;
          continue;
        }
        expect(r.code, r.stderr).toBe(0);
        finished = r;
      }
      const got = (JSON.parse(finished.stdout) as { dispatches: Dispatch[] }).dispatches;
      const sent = journal(file);
      const recorded = new Set(got.map((d) => d.dispatchId));
      lost += sent.filter((s) => !recorded.has(s)).length;
      doubled +=
        sent.filter((s) => !expectedIds.has(s)).length + got.filter((d) => !expectedIds.has(d.dispatchId)).length;
      resent += sent.length - new Set(sent).size;
      expect(got.map(key)).toEqual(expected.map(key));
    }
    console.log(
      `random kills (PostgreSQL): ${kills} kills at ${delays.join(", ")} ms after start over ${incidents} incident(s) ` +
        `(${noCheckpointYet} before the first checkpoint); ${unrecorded} sent but not accounted for by the last checkpoint at a kill, ${lost} lost, ${doubled} doubled, ${resent} re-sent under the same id after a kill`,
    );
    expect(unrecorded).toBe(0);
    expect(lost).toBe(0);
    expect(doubled).toBe(0);
  }, 400_000);
});
