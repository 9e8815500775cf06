/** What a new user meets at the terminal: the CLI as a child process, as the README gives the commands. */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { chooseModel } from "../../src/models/index.js";

const root = new URL("../..", import.meta.url).pathname;
const tsx = join(root, "node_modules/.bin/tsx");
const baseEnv = { ...process.env, OPENAI_API_KEY: "", INFRA_MODEL: "", OPENAI_BASE_URL: "", LANGSMITH_TRACING: "false" };
const cli = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(tsx, ["src/cli/main.ts", ...args], { cwd: root, env: { ...baseEnv, ...env }, encoding: "utf8", timeout: 120_000 });

describe("which model plans", () => {
  it("a key in the shell does not turn the offline default into a paid model, and the first lines say which model plans and why", () => {
    // An unreachable server: had the key chosen a model, the run would fail or call out.
    const r = cli(["--json"], { OPENAI_API_KEY: "sk-test-not-a-key", OPENAI_BASE_URL: "http://127.0.0.1:9/v1" });
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.model).toBe("offline");
    expect(r.stderr).toMatch(/^model: offline \(the default: .*OPENAI_API_KEY is set but chooses no model/m);
    expect(r.stderr.match(/^model: /gm)).toHaveLength(1);
  });

  it("--model and INFRA_MODEL are named as the reason", () => {
    expect(chooseModel("openai/gpt-4o-mini", { OPENAI_API_KEY: "k" })).toEqual({ model: "openai/gpt-4o-mini", why: "from --model" });
    expect(chooseModel(undefined, { INFRA_MODEL: "openai/x", OPENAI_API_KEY: "k" })).toEqual({ model: "openai/x", why: "from INFRA_MODEL" });
    expect(chooseModel(undefined, {}).why).not.toMatch(/OPENAI_API_KEY/);
  });
});
