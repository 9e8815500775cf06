/**
 * The graph as LangGraph Studio sees it: the dev server (`npm run dev`) started from
 * langgraph.json, driven with @langchain/langgraph-sdk as Studio drives it.
 */
import { Client } from "@langchain/langgraph-sdk";
import { readFileSync } from "node:fs";
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
    expect(pkg.scripts.dev).toMatch(/LANGGRAPH_CLI_NO_ANALYTICS=1 .*langgraphjs dev .*--host 127\.0\.0\.1 .*--no-browser/);
  });

  it("serves the graph as an assistant, with the input and configuration schemas Studio shows", async () => {
    expect(assistantId).toBeTruthy();
    const schemas = await client.assistants.getSchemas(assistantId);
    const settings = Object.keys((schemas.config_schema as { properties: object }).properties);
    expect(settings).toEqual(expect.arrayContaining(["model", "protocol", "scenario", "maxSteps", "historyWindow", "requireApproval"]));
    const setting = (name: string) => (schemas.config_schema as { properties: Record<string, { type?: string; enum?: string[] }> }).properties[name];
    expect(setting("requireApproval").type).toBe("boolean");
    expect(setting("protocol").enum?.sort()).toEqual(["json", "tools"]);
    expect(Object.keys((schemas.input_schema as { properties: object }).properties).sort()).toEqual(["incidentId", "trigger"]);
  });

  it("an empty input runs the demo incident on the offline planner; updates stream each FSM state in order", async () => {
    const thread = await client.threads.create();
    const streamed: string[] = [];
    for await (const part of client.runs.stream(thread.thread_id, assistantId, { input: {}, streamMode: ["updates"] })) {
      if (part.event === "updates") streamed.push(...Object.keys(part.data as object));
      expect(part.event).not.toBe("error");
    }
    // The first planning round in FSM order, and the run ends in FINAL.
    expect(streamed.slice(0, 6)).toEqual(["INIT", "FAILURE_DETECTION", "IMPACT_ANALYSIS", "REPAIR_PLANNING", "EXECUTION", "RESCHEDULING"]);
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
