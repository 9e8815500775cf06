/**
 * --checkpoint and --resume as an operator uses them: the CLI is killed in the middle of an
 * incident (inside EXECUTION, after the world applied the plan and before the checkpoint),
 * and `npm start -- --resume ID --checkpoint sqlite:FILE` in a new process finishes it with
 * the same dispatches and figures as a run that was never interrupted.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { childEnv, killAllChildren, runTsx } from "./support/processes.js";

const dir = mkdtempSync(join(tmpdir(), "cli-resume-"));
afterAll(() => {
  killAllChildren();
  rmSync(dir, { recursive: true, force: true });
});
const cli = (args: string[], extra: Record<string, string> = {}) => runTsx("src/cli/main.ts", args, childEnv(extra));

describe("npm start -- --checkpoint ... --resume INCIDENT_ID", () => {
  it("finishes a killed incident in a new process, as if it had never stopped", async () => {
    const plain = await cli(["--json", "--checkpoint", `sqlite:${join(dir, "plain.db")}`]);
    expect(plain.code, plain.stderr).toBe(0);
    const expected = JSON.parse(plain.stdout);

    // Die at the first crash point not in the ledger: right after EXECUTION applied the first plan.
    const ledger = join(dir, "ledger");
    writeFileSync(
      ledger,
      [
        "alert@0/1:INIT",
        "alert@0/2:FAILURE_DETECTION",
        "alert@0/3:IMPACT_ANALYSIS",
        "alert@0/4:REPAIR_PLANNING",
        "alert@0/5:EXECUTION",
      ].join("\n") + "\n",
    );
    const db = `sqlite:${join(dir, "incidents.db")}`;
    const killed = await cli(["--json", "--checkpoint", db], { INFRA_CRASH_LEDGER: ledger });
    expect(killed.signal).toBe("SIGKILL");
    expect(killed.stdout).toBe("");
    const id = /^incident: (\S+)$/m.exec(killed.stderr)?.[1];
    expect(id).toMatch(/^incident-[0-9a-f]{8}$/);

    const resumed = await cli(["--json", "--checkpoint", db, "--resume", id!]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`incident: ${id}`);
    expect(resumed.stderr).toContain("(resuming)");
    const got = JSON.parse(resumed.stdout);
    expect(got.incidentId).toBe(id);
    expect(got.status).toBe("restored");
    expect(got.dispatches).toEqual(expected.dispatches);
    expect(got.figures).toEqual(expected.figures);
  });

  it("refuses to resume what cannot be resumed (exit status 2)", async () => {
    const unknown = await cli(["--checkpoint", `sqlite:${join(dir, "empty.db")}`, "--resume", "incident-00000000"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/error: no incident "incident-00000000" in sqlite:/);
    const memory = await cli(["--resume", "incident-00000000"]);
    expect(memory.code).toBe(2);
    expect(memory.stderr).toMatch(/--resume needs a durable --checkpoint/);
    const bad = await cli(["--checkpoint", "redis://127.0.0.1"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--checkpoint must be memory, sqlite:PATH or postgres:URL/);
  });

  it("--seed with --resume: the incident's own seed is accepted, another refused (exit 2), never silently ignored", async () => {
    const ledger = join(dir, "seed.ledger");
    writeFileSync(
      ledger,
      ["alert@0/1:INIT", "alert@0/2:FAILURE_DETECTION", "alert@0/3:IMPACT_ANALYSIS", "alert@0/4:REPAIR_PLANNING"].join(
        "\n",
      ) + "\n",
    );
    const db = `sqlite:${join(dir, "seed.db")}`;
    const killed = await cli(["--json", "--checkpoint", db, "--seed", "5"], { INFRA_CRASH_LEDGER: ledger });
    expect(killed.signal).toBe("SIGKILL");
    const id = /^incident: (\S+)$/m.exec(killed.stderr)![1];
    const other = await cli(["--json", "--checkpoint", db, "--resume", id, "--seed", "6"]);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain(
      `error: incident "${id}" runs with seed 5, not 6: the seed is the incident's, fixed when it started (leave --seed out)`,
    );
    expect(other.stdout).toBe("");
    const same = await cli(["--json", "--checkpoint", db, "--resume", id, "--seed", "5"]);
    expect(same.code, same.stderr).toBe(0);
    const plain = await cli(["--json", "--seed", "5"]);
    expect(JSON.parse(same.stdout).dispatches).toEqual(JSON.parse(plain.stdout).dispatches);
  });
});
