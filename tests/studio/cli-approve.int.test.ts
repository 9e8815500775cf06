/** `npm start -- --approve`: the operator answers at the terminal, here with piped answers. */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../support/dev-server.js";

const env = { ...process.env, OPENAI_API_KEY: "", INFRA_MODEL: "", LANGSMITH_TRACING: "false" };
const cli = (input: string, ...args: string[]) =>
  spawnSync(join(REPO_ROOT, "node_modules/.bin/tsx"), ["src/cli/main.ts", "--approve", ...args], {
    cwd: REPO_ROOT,
    env,
    input,
    encoding: "utf8",
    timeout: 120_000,
    killSignal: "SIGKILL",
  });

describe("npm start -- --approve", () => {
  it("shows each plan and applies the answers: a bad line, a rejection, a refused edit, an edit, approvals", () => {
    const answers = [
      "e {not json",
      "r the water plant first",
      `e {"assignments":[{"crew_id":"WTR-1","asset_ids":["L-2A-2B"]}]}`,
      `e {"assignments":[{"crew_id":"PWR-1","asset_ids":["L-2A-2B"]}],"reasoning":"hospital feeder alone"}`,
      ...Array(30).fill("a"),
    ];
    const r = cli(answers.join("\n") + "\n", "--json");
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.status).toBe("restored");
    // The first dispatch is the operator's edit, alone.
    expect(
      out.dispatches
        .filter((d: { assignedAt: number }) => d.assignedAt === 0)
        .map((d: { crewId: string; assetId: string }) => `${d.assetId}<-${d.crewId}`),
    ).toEqual(["L-2A-2B<-PWR-1"]);
    expect(out.planner).toMatchObject({ invalidPlans: 0, fallbacks: 0 });
    // With --json the conversation goes to stderr: the plan, the answers, the reasons.
    expect(r.stderr).toMatch(/== operator approval at T\+00:00: plan by model/);
    expect(r.stderr).toMatch(/^ {2}PWR-1 -> L-2A-2B \(arrive T\+\d\d:\d\d, done T\+\d\d:\d\d\)/m);
    expect(r.stderr).toMatch(/^ {2}why: .*HOSP-StMary/m);
    expect(r.stderr).toMatch(/expected over \d+ min: [\d,]+ customer-minutes/);
    expect(r.stderr).toMatch(/the plan is not valid JSON/);
    expect(r.stderr).toMatch(/operator: reject \(the water plant first\)/);
    expect(r.stderr).toMatch(/previous answer not applied: crew WTR-1 cannot repair power/);
    expect(r.stderr.match(/== operator approval/g)!.length).toBeGreaterThanOrEqual(4);
  });

  it("input that ends before an answer stops the run with status 1 and says why", () => {
    const r = cli("a\n", "--json");
    expect(r.status).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/error: the operator's input ended before an answer/);
    expect(r.stderr.match(/operator: approve/g)).toHaveLength(1);
  });

  it("--help lists --approve", () => {
    const r = spawnSync(join(REPO_ROOT, "node_modules/.bin/tsx"), ["src/cli/main.ts", "--help"], {
      cwd: REPO_ROOT,
      env,
      encoding: "utf8",
    });
    expect(r.stdout).toMatch(/--approve\s+ask the operator before each dispatch/);
  });
});
