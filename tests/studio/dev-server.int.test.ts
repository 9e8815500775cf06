/**
 * The graph as LangGraph Studio sees it: the dev server (`npm run dev`) started from
 * langgraph.json, driven with @langchain/langgraph-sdk as Studio drives it.
 */
import { Client } from "@langchain/langgraph-sdk";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FSM_STATES } from "../../src/graph/state.js";
import { groupAlive, portInUse, REPO_ROOT, startDevServer, type DevServer } from "../support/dev-server.js";

let server: DevServer | undefined;
let client: Client;
let assistantId: string;

beforeAll(async () => {
  server = await startDevServer();
  client = new Client({ apiUrl: server.url });
  const found = await client.assistants.search({ graphId: "infra_failure_manager" });
  assistantId = found[0]?.assistant_id;
});
afterAll(async () => {
  await server?.stop();
});

describe("langgraph.json and the dev server", () => {
  it("langgraph.json registers the graph and names no .env file (its absence would be fatal)", () => {
    const config = JSON.parse(readFileSync(join(REPO_ROOT, "langgraph.json"), "utf8"));
    expect(config.graphs).toEqual({ infra_failure_manager: "./src/graph/graph.ts:graph" });
    expect(config.env).toBeUndefined();
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8"));
    expect(pkg.scripts.dev).toMatch(
      /LANGGRAPH_CLI_NO_ANALYTICS=1 node scripts\/dev\.mjs .*--host 127\.0\.0\.1 .*--no-browser/,
    );
    expect(readFileSync(join(REPO_ROOT, "scripts/dev.mjs"), "utf8")).toMatch(
      /spawn\(langgraphjs, \["dev", \.\.\.args\]/,
    );
  });

  // Before the schema request: on a heavily loaded machine its extraction worker times out (30 s), and requests
  // right after that were seen failing to connect.
  it("a maxSteps above the default, set as Studio sets it, ends the run in FINAL by the step limit, not in GraphRecursionError", async () => {
    // A storm of small faults, one every 30 minutes: one graph run goes on through all of them
    // (a long re-check window), five steps each, far past the default limit of 60.
    const n = 20;
    const storm = {
      name: "storm-of-faults",
      coordinates: { kind: "xy", unit: "km" },
      nodes: [
        { id: "S", network: "power", type: "substation", x: 0, y: 0, role: "supply" },
        ...Array.from({ length: n }, (_, i) => ({
          id: `F${i}`,
          network: "power",
          type: "feeder",
          x: 1,
          y: i,
          population: 100,
        })),
      ],
      links: Array.from({ length: n }, (_, i) => ({ id: `L${i}`, network: "power", from: "S", to: `F${i}` })),
      crews: [{ id: "C1", x: 0, y: 0, skills: ["power"], capacityHours: 100, speedKmh: 60 }],
      repairMinutes: { line: 10 },
      damage: Array.from({ length: n }, (_, i) => ({ asset: `L${i}`, atMinutes: i * 30 })),
    };
    const dir = mkdtempSync(join(tmpdir(), "studio-steps-"));
    try {
      const file = join(dir, "storm.json");
      writeFileSync(file, JSON.stringify(storm));
      const thread = await client.threads.create();
      const config = { configurable: { scenario: file, maxSteps: 80, recheckMinutes: 10_000 } };
      const run = await client.runs.create(thread.thread_id, assistantId, { input: {}, config });
      const done = (await client.runs.join(thread.thread_id, run.run_id)) as Record<string, any>;
      expect(JSON.stringify(done)).not.toMatch(/GraphRecursionError|Recursion limit/);
      const state = await client.threads.getState<Record<string, any>>(thread.thread_id);
      expect(state.values.status).toBe("max_steps");
      expect(state.values.statesVisited.length).toBeLessThanOrEqual(80);
      expect(state.values.statesVisited.length).toBeGreaterThan(65);
      expect(state.values.statesVisited.at(-1)).toBe("FINAL");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("serves the graph as an assistant, with the input and configuration schemas Studio shows", async () => {
    expect(assistantId).toBeTruthy();
    const schemas = await client.assistants.getSchemas(assistantId);
    const settings = Object.keys((schemas.config_schema as { properties: object }).properties);
    expect(settings).toEqual(
      expect.arrayContaining(["model", "protocol", "scenario", "maxSteps", "historyWindow", "requireApproval"]),
    );
    const setting = (name: string) =>
      (schemas.config_schema as { properties: Record<string, { type?: string; enum?: string[] }> }).properties[name];
    expect(setting("requireApproval").type).toBe("boolean");
    expect(setting("protocol").enum?.sort()).toEqual(["json", "tools"]);
    expect(Object.keys((schemas.input_schema as { properties: object }).properties).sort()).toEqual([
      "incidentId",
      "trigger",
    ]);
  });

  it("an empty input runs the demo incident on the offline planner; updates stream each FSM state in order", async () => {
    const thread = await client.threads.create();
    const streamed: string[] = [];
    for await (const part of client.runs.stream(thread.thread_id, assistantId, {
      input: {},
      streamMode: ["updates"],
    })) {
      if (part.event === "updates") streamed.push(...Object.keys(part.data as object));
      expect(part.event).not.toBe("error");
    }
    // The first planning round in FSM order, and the run ends in FINAL.
    expect(streamed.slice(0, 6)).toEqual([
      "INIT",
      "FAILURE_DETECTION",
      "IMPACT_ANALYSIS",
      "REPAIR_PLANNING",
      "EXECUTION",
      "RESCHEDULING",
    ]);
    expect(streamed.at(-1)).toBe("FINAL");
    for (const s of streamed) expect(FSM_STATES).toContain(s);

    const state = await client.threads.getState<Record<string, any>>(thread.thread_id);
    expect(state.next).toEqual([]);
    const v = state.values;
    expect(v.scenario).toBe("demo");
    expect(v.incidentId).toBe(thread.thread_id);
    expect(v.statesVisited).toEqual(streamed);
    expect(v.dispatchLog.length).toBeGreaterThan(0);
    expect(v.counters).toMatchObject({ invalidPlans: 0, fallbacks: 0 });
    expect(v.counters.modelCalls).toBeGreaterThan(0);
    // The offline planner's reasoning went into the plan history.
    expect(v.planHistory[0]).toMatchObject({ source: "model", valid: true });
    expect(v.planHistory[0].plan.reasoning).toMatch(/HOSP-StMary/);
    expect(["stable", "restored"]).toContain(v.status);
  });

  it("stops cleanly: TERM to its process group, nothing left running or listening", async () => {
    const { pgid, port } = server!;
    expect(groupAlive(pgid)).toBe(true);
    expect(await portInUse(port)).toBe(true);
    await server!.stop();
    expect(groupAlive(pgid)).toBe(false);
    expect(await portInUse(port)).toBe(false);
  });
});
