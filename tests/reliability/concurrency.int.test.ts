/**
 * Several incidents at once: 20 incidents, each on its own thread, run concurrently in one
 * process against the PostgreSQL server, sharing one checkpointer and one world provider (as
 * a server would). Each one's dispatches and figures must equal its solo run: no crosstalk.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimulatorWorldProvider } from "../../src/graph/world-provider.js";
import { runIncident, type IncidentResult } from "../../src/incident/runner.js";
import { openCheckpointer, type OpenCheckpointer } from "../../src/persistence/checkpointer.js";
import { dropSchema, freshSchemaName, postgresSetting, requirePostgres } from "./support/postgres.js";

const schema = freshSchemaName("concurrency");
let store: OpenCheckpointer | undefined;

beforeAll(async () => {
  await requirePostgres();
  store = await openCheckpointer(postgresSetting(schema));
});
afterAll(async () => {
  await store?.close();
  await dropSchema(schema);
});

// Different seeds and scenarios, so that the incidents differ (storm damage is drawn from the seed).
const CASES = [
  ...Array.from({ length: 16 }, (_, i) => ({ scenario: "demo", seed: i + 1 })),
  ...Array.from({ length: 4 }, (_, i) => ({ scenario: "ieee123", seed: 100 + i })),
];

const outcome = (r: IncidentResult) => {
  const { restorationCurve, ...figures } = r.metrics;
  return {
    status: r.status,
    scenario: r.scenario,
    figures,
    curve: restorationCurve,
    dispatches: r.dispatches,
    dispatchLog: r.finalState.dispatchLog,
    plans: r.finalState.planHistory.length,
  };
};

describe("20 incidents at once on PostgreSQL", () => {
  it("each one's dispatches and figures equal its solo run", async () => {
    // Ids of one length: the planner's prompt shows the incident id.
    const id = (i: number) => `incident-${randomUUID().slice(0, 8)}-${String(i).padStart(2, "0")}`;
    const solo = [];
    for (const [i, c] of CASES.entries()) {
      solo.push(
        outcome(
          await runIncident({ scenario: c.scenario, incidentId: id(i), config: { model: "offline", seed: c.seed } }),
        ),
      );
    }
    const worlds = new SimulatorWorldProvider();
    const started = Date.now();
    const together = await Promise.all(
      CASES.map((c, i) =>
        runIncident({
          scenario: c.scenario,
          incidentId: id(i),
          checkpointer: store!.saver,
          worlds,
          config: { model: "offline", seed: c.seed },
        }),
      ),
    );
    const wallMs = Date.now() - started;
    for (const [i, r] of together.entries())
      expect(outcome(r), `incident ${i} (${CASES[i].scenario}, seed ${CASES[i].seed})`).toEqual(solo[i]);
    // The incidents really differ, so crosstalk would show.
    expect(new Set(solo.map((s) => JSON.stringify(s.figures))).size).toBeGreaterThanOrEqual(8);
    expect(new Set(together.map((r) => r.incidentId)).size).toBe(CASES.length);
    console.log(
      `concurrency: ${CASES.length} incidents at once on PostgreSQL in ${wallMs} ms, ${together.reduce((n, r) => n + r.dispatches.length, 0)} dispatches, each equal to its solo run`,
    );
  }, 300_000);
});
