/** What a new user meets at the terminal: the CLI as a child process, as the README gives the commands. */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { chooseModel } from "../../src/models/index.js";

const root = new URL("../..", import.meta.url).pathname;
const tsx = join(root, "node_modules/.bin/tsx");
const baseEnv = {
  ...process.env,
  OPENAI_API_KEY: "",
  INFRA_MODEL: "",
  OPENAI_BASE_URL: "",
  LANGSMITH_TRACING: "false",
};
const cli = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(tsx, ["src/cli/main.ts", ...args], {
    cwd: root,
    env: { ...baseEnv, ...env },
    encoding: "utf8",
    timeout: 120_000,
  });

describe("which model plans", () => {
  it("a key in the shell does not turn the offline default into a paid model, and the first lines say which model plans and why", () => {
    // An unreachable server: had the key chosen a model, the run would fail or call out.
    const r = cli(["--json"], { OPENAI_API_KEY: "sk-test-not-a-key", OPENAI_BASE_URL: "http://127.0.0.1:9/v1" });
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.model).toBe("offline");
    // Population figures count customers (a person once per network), and say so.
    expect(out.counting).toMatch(/^customers: a person counts once per network serving them/);
    expect(r.stderr).toMatch(/^model: offline \(the default: .*OPENAI_API_KEY is set but chooses no model/m);
    expect(r.stderr.match(/^model: /gm)).toHaveLength(1);
  });

  it("--model and INFRA_MODEL are named as the reason", () => {
    expect(chooseModel("openai/gpt-4o-mini", { OPENAI_API_KEY: "k" })).toEqual({
      model: "openai/gpt-4o-mini",
      why: "from --model",
    });
    expect(chooseModel(undefined, { INFRA_MODEL: "openai/x", OPENAI_API_KEY: "k" })).toEqual({
      model: "openai/x",
      why: "from INFRA_MODEL",
    });
    expect(chooseModel(undefined, {}).why).not.toMatch(/OPENAI_API_KEY/);
  });
});

const dir = mkdtempSync(join(tmpdir(), "newcomer-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
/** The CLI without the tsx wrapper, so that signals reach it. */
const node = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
    cwd: root,
    env: { ...baseEnv, ...env },
    encoding: "utf8",
    timeout: 120_000,
  });

describe("--resume", () => {
  it("refuses a conflicting --scenario, lists the resumed run's trigger, and says when nothing was left to run", () => {
    const db = `sqlite:${join(dir, "resume.db")}`;
    // Killed right after the first dispatch (the crash points before it are marked as tried).
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
    const killed = node(["--json", "--checkpoint", db], { INFRA_CRASH_LEDGER: ledger });
    expect(killed.signal).toBe("SIGKILL");
    const id = /^incident: (\S+)$/m.exec(killed.stderr)![1];

    const conflict = node(["--json", "--checkpoint", db, "--resume", id, "--scenario", "ieee123"]);
    expect(conflict.status).toBe(2);
    expect(conflict.stderr).toMatch(/runs on scenario "demo", not "ieee123": a resumed incident keeps its scenario/);

    const resumed = node(["--json", "--checkpoint", db, "--resume", id, "--scenario", "demo"]);
    expect(resumed.status, resumed.stderr).toBe(0);
    const out = JSON.parse(resumed.stdout);
    expect(out.triggers).toHaveLength(out.runs);
    expect(out.triggers[0]).toMatchObject({ kind: "alert", at: 0 });
    expect(out.triggers[0].message).toMatch(/\(resumed\)$/);

    const again = node(["--checkpoint", db, "--resume", id]);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/^Graph runs\s+0 in this process: the incident's last run had finished/m);
    expect(again.stdout).not.toMatch(/triggers: \)/);
    expect(again.stdout).toMatch(
      /SAIDI [\d.]+ min over [\d,]+ customers\)\n\s+customers: a person counts once per network/,
    );
    // The offline planner's token counts are estimates, and say so.
    expect(again.stdout).toMatch(/^Tokens .*\(estimated from text length/m);
  });

  it("Ctrl-C exits 130 and says how to resume the incident", async () => {
    const db = `sqlite:${join(dir, "ctrl-c.db")}`;
    // --approve with no answer keeps the incident open at its first plan: the demo cannot finish before the signal.
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "--checkpoint", db, "--approve"], {
      cwd: root,
      env: baseEnv,
      stdio: ["pipe", "ignore", "pipe"],
    });
    let stderr = "";
    const closed = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    child.stderr!.on("data", (d) => {
      stderr += d;
      if (/^model: /m.test(stderr) && !child.killed) child.kill("SIGINT");
    });
    const code = await closed;
    const id = /^incident: (\S+)$/m.exec(stderr)![1];
    expect(code).toBe(130);
    expect(stderr).toContain(
      `interrupted: incident ${id} stopped; continue it with: npm start -- --checkpoint ${db} --resume ${id}`,
    );
  });
});

describe("--help", () => {
  it("tells how to keep npm's banner off stdout with --json", () => {
    expect(node(["--help"]).stdout).toContain("npm start --silent -- --json");
  });
});
