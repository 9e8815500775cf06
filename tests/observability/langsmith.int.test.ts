/**
 * LangSmith traces of a real CLI run, captured by a local stand-in for the ingest API: the
 * CLI runs in a child process so that tracing is configured from the environment only, as a
 * user would configure it. Also: an endpoint that refuses or never answers must not stall
 * the CLI (the langsmith client alone would take about 95 s to give up).
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  childrenOf,
  descendantsOf,
  startLangSmithCapture,
  type CapturedRun,
  type LangSmithCapture,
} from "../support/langsmith-capture.js";
import { startOpenAIServer, type FakeOpenAIServer } from "../support/openai-server.js";
import { ScrubbingClient } from "../../src/observability/trace-client.js";
import { scrubbedTracing } from "../../src/observability/tracing.js";

const root = new URL("../..", import.meta.url).pathname;
const tsx = join(root, "node_modules/.bin/tsx");
const OPENAI_SECRET = "sk-planted-secret-123";
const LANGSMITH_SECRET = "ls-planted-456";
const FSM_STATES = [
  "INIT",
  "FAILURE_DETECTION",
  "IMPACT_ANALYSIS",
  "REPAIR_PLANNING",
  "EXECUTION",
  "RESCHEDULING",
  "FINAL",
];

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}
const children = new Set<number>();

/** Run the CLI in its own process group; killed (group and all) if it outlives `timeoutMs`. */
function runCli(args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<CliRun> {
  const started = Date.now();
  const child = spawn(tsx, ["src/cli/main.ts", ...args], {
    cwd: root,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    // A clean slate for tracing and model settings, then what the test sets.
    env: { ...cleanEnv(), ...env },
  });
  children.add(child.pid!);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const timer = setTimeout(() => killGroup(child.pid!), timeoutMs);
  return new Promise((resolve) =>
    child.on("close", (code) => {
      clearTimeout(timer);
      children.delete(child.pid!);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    }),
  );
}

function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || /^(LANGSMITH_|LANGCHAIN_|OPENAI_)/.test(k) || k === "INFRA_MODEL") continue;
    env[k] = v;
  }
  return env;
}

function killGroup(pid: number) {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // already gone
  }
}

afterEach(() => {
  for (const pid of children) killGroup(pid);
  children.clear();
});

const tracingTo = (endpoint: string) => ({
  LANGSMITH_TRACING: "true",
  LANGSMITH_ENDPOINT: endpoint,
  LANGSMITH_API_KEY: LANGSMITH_SECRET,
});
const rootsOf = (runs: Map<string, CapturedRun>) =>
  [...runs.values()]
    .filter((r) => !r.parent_run_id)
    .sort((a, b) => Number(a.extra?.metadata?.graph_run) - Number(b.extra?.metadata?.graph_run));
/** The FSM states' runs of one graph run, in order (LangGraph's own __start__ is hidden). */
const stateRunsOf = (runs: Map<string, CapturedRun>, rootRun: CapturedRun) =>
  childrenOf(runs, rootRun.id).filter((r) => FSM_STATES.includes(r.name ?? ""));

describe("LangSmith traces of an incident (offline planner)", () => {
  let capture: LangSmithCapture;
  let cli: CliRun;
  let outcome: { incidentId: string; runs: number; statesVisited: string[]; triggers: { kind: string; at: number }[] };

  beforeAll(async () => {
    capture = await startLangSmithCapture();
    cli = await runCli(["--json", "--model", "offline"], { ...tracingTo(capture.url), OPENAI_API_KEY: OPENAI_SECRET });
    outcome = JSON.parse(cli.stdout);
  });
  afterAll(() => capture?.close());

  it("runs the incident and says where traces go", () => {
    expect(cli.code).toBe(0);
    expect(cli.stderr).toContain(`tracing: LangSmith at ${capture.url}`);
    expect(cli.stderr).not.toMatch(/warning/i);
    expect(capture.requests.some((r) => r.method === "POST" && r.path === "/runs/multipart")).toBe(true);
  });

  it("has one root per graph run, named for the incident, with scenario, incident id, trigger and simulated clock", () => {
    const roots = rootsOf(capture.runs);
    expect(outcome.runs).toBeGreaterThan(1); // the demo's later alerts re-trigger the graph
    expect(roots).toHaveLength(outcome.runs);
    roots.forEach((r, i) => {
      expect(r.name).toBe(`incident ${outcome.incidentId} (demo)`);
      expect(r.run_type).toBe("chain");
      expect(r.tags).toContain("incident");
      expect(r.extra?.metadata).toMatchObject({
        incident_id: outcome.incidentId,
        scenario: "demo",
        thread_id: outcome.incidentId,
        graph_run: i + 1,
        trigger: outcome.triggers[i].kind,
        sim_clock_minutes: outcome.triggers[i].at,
      });
      expect(r.extra?.metadata?.sim_clock).toMatch(/^T\+\d\d:\d\d$/);
      expect(r.end_time).toBeTruthy();
    });
  });

  it("has a run per FSM state visited, in order, each named and tagged as the state", () => {
    const stateRuns = rootsOf(capture.runs).flatMap((r) => stateRunsOf(capture.runs, r));
    expect(stateRuns.map((r) => r.name)).toEqual(outcome.statesVisited);
    for (const r of stateRuns) {
      expect(r.run_type).toBe("chain");
      expect(r.tags).toContain(`state:${r.name}`);
      expect(r.extra?.metadata).toMatchObject({ incident_id: outcome.incidentId, langgraph_node: r.name });
    }
    expect(new Set(stateRuns.map((r) => r.name))).toEqual(new Set(FSM_STATES));
  });

  it("shows the model's reasoning and tool calls under REPAIR_PLANNING, and tool runs with their arguments", () => {
    const planning = [...capture.runs.values()].filter((r) => r.name === "REPAIR_PLANNING");
    expect(planning.length).toBeGreaterThan(0);
    for (const p of planning) {
      const below = descendantsOf(capture.runs, p.id);
      const llm = below.filter((r) => r.run_type === "llm");
      expect(llm.length).toBeGreaterThan(0);
      for (const m of llm) expect(m.tags).toContain("state:REPAIR_PLANNING");
      // The final turn calls assign_repair_crew; its arguments carry the plan and the reasoning.
      const decision = llm.map((m) => JSON.stringify(m.outputs)).find((o) => o.includes("assign_repair_crew"));
      expect(decision).toBeDefined();
      expect(decision).toMatch(/"reasoning":"[^"]{20,}/);
      expect(decision).toMatch(/"crew_id":"/);
      // Facts the model asked for appear as tool runs with the arguments it gave.
      const tools = below.filter((r) => r.run_type === "tool");
      expect(tools.map((t) => t.name)).toContain("propose_dispatch_plan");
      const weather = tools.find((t) => t.name === "get_weather_at_location");
      expect(weather?.inputs).toMatchObject({ locations: expect.arrayContaining([expect.any(String)]) });
      expect(weather?.outputs).toBeDefined();
    }
    const execution = [...capture.runs.values()].filter((r) => r.name === "EXECUTION");
    for (const e of execution) {
      const assign = childrenOf(capture.runs, e.id).find(
        (r) => r.run_type === "tool" && r.name === "assign_repair_crew",
      );
      expect(assign?.inputs).toMatchObject({ assignments: expect.any(Array) });
    }
  });

  it("every run was sent finished, under a root of this incident", () => {
    const rootIds = new Set(rootsOf(capture.runs).map((r) => r.id));
    for (const r of capture.runs.values()) {
      expect(r.end_time, r.name).toBeTruthy();
      expect(rootIds.has(r.trace_id ?? "")).toBe(true);
    }
  });

  it("sends no secret: the model key nowhere, the LangSmith key only as the x-api-key header", () => {
    expect(capture.everything()).not.toContain(OPENAI_SECRET);
    for (const r of capture.requests) {
      expect(r.body).not.toContain(LANGSMITH_SECRET);
      const { "x-api-key": key, ...other } = r.headers;
      expect(key).toBe(LANGSMITH_SECRET);
      expect(JSON.stringify(other)).not.toContain(LANGSMITH_SECRET);
    }
  });
});

describe("LangSmith traces with an OpenAI-compatible model", () => {
  let capture: LangSmithCapture;
  let openai: FakeOpenAIServer;
  let cli: CliRun;

  beforeAll(async () => {
    capture = await startLangSmithCapture();
    // A model that looks at the crews, then never decides: the optimizer's plan takes over
    // after the allowed invalid attempts, and the incident still completes.
    openai = await startOpenAIServer((req) => {
      const last = req.messages[req.messages.length - 1];
      return last.role === "tool"
        ? { content: "Still thinking about which crew to send first." }
        : { toolCalls: [{ name: "get_available_crews", arguments: {} }] };
    });
    cli = await runCli(["--json", "--model", "openai/test-model"], {
      ...tracingTo(capture.url),
      OPENAI_API_KEY: OPENAI_SECRET,
      OPENAI_BASE_URL: openai.baseURL,
      OPENAI_MAX_RETRIES: "0",
    });
  });
  afterAll(async () => {
    await capture?.close();
    await openai?.close();
  });

  it("traces the ChatOpenAI calls under REPAIR_PLANNING without the API key", () => {
    expect(cli.code).toBe(0);
    const outcome = JSON.parse(cli.stdout);
    expect(outcome.planner.fallbacks).toBeGreaterThan(0);
    // The key did reach the model server, as it must...
    expect(openai.requests[0].headers.authorization).toBe(`Bearer ${OPENAI_SECRET}`);
    // ...and the traces show the model calls, but not the key.
    const llm = [...capture.runs.values()].filter((r) => r.run_type === "llm");
    expect(llm.length).toBe(outcome.planner.modelCalls);
    for (const m of llm) {
      expect(m.tags).toContain("state:REPAIR_PLANNING");
      expect(capture.runs.get(m.parent_run_id!)?.name).toBe("REPAIR_PLANNING");
    }
    expect(JSON.stringify(llm.map((m) => m.serialized))).toContain("OPENAI_API_KEY"); // a reference to the secret, not its value
    expect(capture.everything()).not.toContain(OPENAI_SECRET);
    for (const r of capture.requests) expect(r.body).not.toContain(LANGSMITH_SECRET);
  });
});

describe("LangSmith traces of a model whose 401 echoes the key", () => {
  // A model key the LangSmith key is not (the LangSmith key must still go as x-api-key).
  const KEY = `sk-echoed-${"0123456789abcdef".repeat(2)}`;
  let capture: LangSmithCapture;
  let openai: FakeOpenAIServer;
  let cli: CliRun;

  beforeAll(async () => {
    capture = await startLangSmithCapture();
    // What an OpenAI 401 (or a proxy's) says: the key, the Authorization header, a URL with the key.
    openai = await startOpenAIServer((req) => ({
      status: 401,
      error: {
        message:
          `Incorrect API key provided: ${KEY}. You passed Authorization: Bearer ${KEY} ` +
          `to ${openai.baseURL}/chat/completions?api_key=${encodeURIComponent(KEY)} (model ${req.model})`,
        code: "invalid_api_key",
      },
    }));
    cli = await runCli(["--json", "--model", "openai/test-model"], {
      ...tracingTo(capture.url),
      OPENAI_API_KEY: KEY,
      OPENAI_BASE_URL: openai.baseURL,
      OPENAI_MAX_RETRIES: "0",
    });
  });
  afterAll(async () => {
    await capture?.close();
    await openai?.close();
  });

  it("the failed model call is traced with its error, and the key is in no byte sent to LangSmith", () => {
    // The key reached the model server (so it was there to leak), and the server echoed it.
    expect(openai.requests[0].headers.authorization).toBe(`Bearer ${KEY}`);
    expect(openai.requests.some((q) => q.answer?.status === 401)).toBe(true);
    expect(JSON.parse(cli.stdout).status).toBe("error");
    // The trace holds the failed llm run and its error text, scrubbed.
    const failed = [...capture.runs.values()].filter((r) => r.run_type === "llm" && r.error);
    expect(failed.length).toBeGreaterThan(0);
    for (const r of failed) {
      expect(r.error).toMatch(/Incorrect API key provided: \*\*\*/);
      expect(r.error).toContain("Bearer ***");
    }
    // The state the fault barrier wrote (a node's outputs) names the refusal, scrubbed too.
    expect(
      [...capture.runs.values()].some((r) =>
        /Incorrect API key provided: \*\*\*/.test(JSON.stringify(r.outputs ?? {})),
      ),
    ).toBe(true);
    const all = capture.everything();
    expect(all).not.toContain(KEY);
    expect(all).not.toContain(encodeURIComponent(KEY));
    for (const r of capture.requests) expect(r.headers["x-api-key"]).toBe(LANGSMITH_SECRET);
  });
});

describe("the scrubbing client and tracer (what every graph run is traced through)", () => {
  const KEY = `sk-client-${"9876543210fedcba".repeat(2)}`;
  it("createRun, updateRun and batch ingest scrub every field; the service's runs get the same tracer", async () => {
    const capture = await startLangSmithCapture();
    const saved = process.env.OPENAI_API_KEY;
    process.env.OPENAI_API_KEY = KEY;
    try {
      const client = new ScrubbingClient({ apiUrl: capture.url, apiKey: LANGSMITH_SECRET, autoBatchTracing: false });
      const id = randomUUID();
      await client.createRun({
        id,
        name: `call with ${KEY}`,
        run_type: "llm",
        inputs: { messages: [{ role: "user", content: `key ${KEY}` }] },
        extra: { metadata: { url: `https://h/v1?key=${KEY}` } },
        start_time: Date.now(),
      });
      await client.updateRun(id, { error: `401 Incorrect API key provided: ${KEY}`, end_time: Date.now() });
      await client.batchIngestRuns({
        runCreates: [{ id: randomUUID(), name: "b", run_type: "chain", inputs: { k: KEY }, start_time: Date.now() }],
      });
      await client.awaitPendingTraceBatches();
      const run = capture.runs.get(id);
      expect(run?.error).toBe("401 Incorrect API key provided: ***");
      expect(run?.name).toBe("call with ***");
      expect(capture.runs.size).toBe(2);
      expect(capture.everything()).not.toContain(KEY);
    } finally {
      process.env.OPENAI_API_KEY = saved;
      await capture.close();
    }
    const traced = scrubbedTracing({ LANGSMITH_TRACING: "true" }).callbacks?.[0] as { client?: unknown } | undefined;
    expect(traced?.client).toBeInstanceOf(ScrubbingClient);
    expect(scrubbedTracing({})).toEqual({});
  });
});

/** "Exits promptly": far below the client's ~95 s of retries, far above a CLI run on a busy two-core machine. */
const PROMPT_EXIT_MS = 60_000;

describe("an unreachable LangSmith endpoint", () => {
  let silent: Server;
  beforeAll(async () => {
    // Accepts connections and never answers.
    silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  });
  afterAll(
    () =>
      new Promise<void>((resolve) => {
        silent.closeAllConnections();
        silent.close(() => resolve());
      }),
  );

  it("a closed port: the CLI warns, runs without tracing and exits promptly", async () => {
    const port = await closedPort();
    const r = await runCli(["--json", "--model", "offline"], tracingTo(`http://127.0.0.1:${port}`), 90_000);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).status).toBe("restored");
    expect(r.stderr).toMatch(/warning: LangSmith tracing is off for this run: .*ECONNREFUSED/);
    expect(r.stderr).not.toMatch(/^tracing: /m);
    // Without the check the client retries for ~95 s; a bound well below that, and well above a CLI run on a busy
    // machine (a few seconds idle), tells the two apart.
    expect(r.ms).toBeLessThan(PROMPT_EXIT_MS);
  });

  it("an endpoint that never answers: the check gives up after 2 s and the CLI exits promptly", async () => {
    const { port } = silent.address() as AddressInfo;
    const r = await runCli(["--json", "--model", "offline"], tracingTo(`http://127.0.0.1:${port}`), 90_000);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: LangSmith tracing is off for this run: .*no answer within 2 s/);
    expect(r.ms).toBeLessThan(PROMPT_EXIT_MS);
  });
});

/** A port nothing listens on: bind one, then free it. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
