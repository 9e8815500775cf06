/**
 * `npm start -- --model openai/<name>` as a user runs it, against an OpenAI-compatible server
 * given by OPENAI_BASE_URL: a child process, in either protocol, to full restoration, with the
 * token usage the server reported in the summary and in --json.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOpenAIServer, type FakeOpenAIServer } from "../support/openai-server.js";
import { planner } from "./planner-rule.js";

const root = new URL("../..", import.meta.url).pathname;
const tsx = join(root, "node_modules/.bin/tsx");

let server: FakeOpenAIServer;
beforeAll(async () => {
  server = await startOpenAIServer(planner);
});
afterAll(async () => {
  await server?.close();
});

/** Run the CLI without blocking this process (the fake server answers from it), in its own process group. */
function cli(
  args: string[],
  extraEnv: Record<string, string> = {},
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const env = {
    ...process.env,
    INFRA_MODEL: "",
    LANGSMITH_TRACING: "false",
    LANGCHAIN_TRACING_V2: "false",
    OPENAI_BASE_URL: server.baseURL,
    OPENAI_API_KEY: "sk-test",
    OPENAI_MAX_RETRIES: "1",
    OPENAI_TIMEOUT_MS: "20000",
    ...extraEnv,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, ["src/cli/main.ts", ...args], {
      cwd: root,
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "",
      stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        /* already gone */
      }
      reject(new Error(`the CLI did not finish in 90 s\n${stderr}`));
    }, 90_000);
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

describe("npm start -- --model openai/test-model (OPENAI_BASE_URL set)", () => {
  it.each(["json", "tools"] as const)(
    "--protocol %s --json runs the incident to full restoration; token figures are the server's",
    async (protocol) => {
      const from = server.requests.length;
      const r = await cli(["--model", "openai/test-model", "--protocol", protocol, "--json"]);
      expect(r.stderr).not.toMatch(/error/i);
      expect(r.status).toBe(0);
      const out = JSON.parse(r.stdout);
      expect(out).toMatchObject({ status: "restored", model: "openai/test-model", protocol, scenario: "demo" });
      expect(out.dispatches.length).toBeGreaterThan(0);
      expect(out.planner).toMatchObject({ invalidPlans: 0, fallbacks: 0 });
      const answered = server.requests.slice(from).map((q) => q.answer!.usage!);
      expect(answered.length).toBe(out.planner.modelCalls);
      expect(out.planner.promptTokens).toBe(answered.reduce((n, u) => n + u.prompt_tokens, 0));
      expect(out.planner.completionTokens).toBe(answered.reduce((n, u) => n + u.completion_tokens, 0));
      expect(out.planner.totalTokens).toBe(answered.reduce((n, u) => n + u.total_tokens, 0));
      // The protocol really was the one asked for.
      expect(server.requests.slice(from).every((q) => (protocol === "tools") === Boolean(q.body.tools?.length))).toBe(
        true,
      );
    },
  );

  it("shows the token usage in the summary", async () => {
    const from = server.requests.length;
    const r = await cli(["--model", "openai/test-model"]);
    expect(r.status).toBe(0);
    const total = server.requests.slice(from).reduce((n, q) => n + q.answer!.usage!.total_tokens, 0);
    expect(r.stdout).toMatch(
      /^REPAIR_PLANNING\s+model turns: get_available_crews \+ get_weather_at_location \+ propose_dispatch_plan \| assign_repair_crew$/m,
    );
    expect(r.stdout).toContain(`= ${total.toLocaleString("en-US")}`);
    expect(r.stdout).toMatch(/^Tokens\s+[\d,]+ prompt \+ [\d,]+ completion = [\d,]+$/m);
  });

  it("an unreachable server: the optimizer plans, and --json says so with the reason", async () => {
    const r = await cli(["--model", "openai/test-model", "--json"], {
      OPENAI_BASE_URL: "http://127.0.0.1:9/v1",
      OPENAI_MAX_RETRIES: "0",
    });
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.status).toBe("restored");
    expect(out.fallbacks.length).toBeGreaterThan(0);
    expect(out.fallbacks[0].reason).toMatch(
      /^model unavailable: .*Connection error.*\(could not reach OPENAI_BASE_URL\)$/,
    );
    expect(out.dispatches.length).toBeGreaterThan(0);
  });

  it("a bad OPENAI_TIMEOUT_MS is a usage error (exit status 2)", async () => {
    const r = await cli(["--model", "openai/test-model"], { OPENAI_TIMEOUT_MS: "soon" });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/OPENAI_TIMEOUT_MS must be an integer >= 1, got "soon"/);
  });
});
