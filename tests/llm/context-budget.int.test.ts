/**
 * The context budget, measured on the real request bodies ChatOpenAI sends: incidents of 10,
 * 100 and 1,000 failures, two planning rounds each, every request under the configured size
 * (estimated the product's way, ~3.2 characters a token, on the whole JSON body: messages,
 * escaping and tool schemas included). Large incidents are summarised, never cut mid-JSON.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatorWorldProvider } from "../../src/graph/world-provider.js";
import { runIncident } from "../../src/incident/runner.js";
import { estimateTokens } from "../../src/prompts/assemble.js";
import { generateRegion } from "../../src/world/scenario/generate.js";
import { startOpenAIServer, type FakeOpenAIServer } from "../support/openai-server.js";
import { MODEL, modelFor, unansweredToolCalls } from "./helpers.js";
import { contextOf, planner } from "./planner-rule.js";

let server: FakeOpenAIServer;
beforeAll(async () => {
  server = await startOpenAIServer(planner);
});
afterAll(async () => {
  await server?.close();
});

const figures: string[] = [];
afterAll(() => {
  console.log(
    [
      "failures  protocol  budget  requests  largest request (est. tokens)  largest body (bytes)  failures shown in full",
      ...figures,
    ].join("\n"),
  );
});

describe("request size stays under the context budget", () => {
  it.each([
    [10, "tools", 12_000],
    [100, "tools", 12_000],
    [1000, "tools", 12_000],
    [1000, "json", 8_000],
  ] as const)("%i failures, %s protocol, budget %i", async (failures, protocol, budget) => {
    const scenario = generateRegion({
      seed: 7,
      nodes: Math.max(500, failures * 5),
      damagedAssets: failures,
      crews: Math.max(3, Math.ceil(failures / 20)),
    });
    const worlds = new SimulatorWorldProvider({ resolveScenario: () => scenario });
    const from = server.requests.length;
    // Each round's failure memory: FAILURE_DETECTION's, re-ranked by IMPACT_ANALYSIS when capped.
    const toPlan: { ids: string[]; count: number }[] = [];
    // One retry: the optimizer can keep the event loop busy long enough for the server to drop an idle keep-alive connection.
    const result = await runIncident({
      scenario: "generated",
      worlds,
      maxRuns: 1,
      model: modelFor(server, { OPENAI_MAX_RETRIES: "1" }),
      onStep: (name, update) => {
        if (name === "FAILURE_DETECTION" && update.failures)
          toPlan.push({ ids: update.failures.toPlan, count: update.failures.toPlanCount });
        if (name === "IMPACT_ANALYSIS" && update.failures)
          toPlan[toPlan.length - 1] = { ids: update.failures.toPlan, count: update.failures.toPlanCount };
      },
      config: { model: MODEL, protocol, contextBudgetTokens: budget, maxSteps: 12 },
    });
    const requests = server.requests.slice(from);
    expect(result.status).not.toBe("error");
    expect(result.counters.planningRounds).toBeGreaterThanOrEqual(failures > 10 ? 2 : 1);
    expect(result.dispatches.length).toBeGreaterThan(0);

    const sizes = requests.map((r) => estimateTokens(r.raw));
    const shown = requests.map((r) => contextOf(r.body).damaged_without_crew.length); // parses: never cut mid-JSON
    for (const size of sizes) expect(size).toBeLessThanOrEqual(budget);
    for (const r of requests) expect(unansweredToolCalls(r.body.messages)).toEqual([]);

    const first = contextOf(requests[0].body);
    if (failures > 50) {
      // Summarised: the highest-impact failures in full, the rest as counts by network and severity.
      const hidden = first.more_damaged_without_crew;
      expect(first.damaged_without_crew.length).toBeLessThan(failures);
      expect(hidden.count + first.damaged_without_crew.length).toBe(toPlan[0].count);
      // Those the state keeps are classified; beyond them (a capped memory), only counted.
      expect(
        Object.values(hidden.by_network_and_severity as Record<string, number>).reduce((a, b) => a + b, 0) +
          (hidden.not_classified ?? 0),
      ).toBe(hidden.count);
      expect(hidden.not_classified ?? 0).toBe(toPlan[0].count - toPlan[0].ids.length);
      for (const key of Object.keys(hidden.by_network_and_severity))
        expect(key).toMatch(/^(power|water|gas|telecom)\/\w+$/);
      for (const d of first.damaged_without_crew) expect(toPlan[0].ids).toContain(d.id);
    } else {
      expect(first.more_damaged_without_crew).toBeUndefined();
      expect(first.damaged_without_crew.length).toBe(toPlan[0].count);
    }
    figures.push(
      `${String(failures).padStart(8)}  ${protocol.padEnd(8)}  ${String(budget).padStart(6)}  ${String(requests.length).padStart(8)}  ${String(Math.max(...sizes)).padStart(29)}  ${String(Math.max(...requests.map((r) => r.raw.length))).padStart(20)}  ${Math.min(...shown)}-${Math.max(...shown)}`,
    );
  });
});
