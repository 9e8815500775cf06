/**
 * The ETR boards outlive the process that computed them: the outage feed of a service restarted
 * against the same PostgreSQL (a new instance, as another one behind a load balancer would be)
 * answers the same ETRs with the same history (and its live curve marks the world's damage);
 * and the board's table works on the embedded
 * PGlite the service falls back to, with instances computing at once taking turns.
 * Dispatches go into the outbox directly (delivered), as the workers would write them: the
 * test is about the boards, not the agent.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { proposeDispatchPlan } from "../../src/planning/optimizer.js";
import { parseServiceArgs } from "../../src/service/config.js";
import { migrate, startEmbeddedPostgres } from "../../src/service/db.js";
import { currentBoard, loadBoard, progressOf, saveBoard } from "../../src/service/etr-boards.js";
import { startService, type RunningService } from "../../src/service/server.js";
import { openIncidentFor, recordDispatches } from "../../src/service/store.js";
import { loadScenario } from "../../src/world/scenario/load.js";
import { World } from "../../src/world/simulator.js";
import { api, freshDatabase, TOKEN_ENV, TOKENS } from "../service/support.js";

const demo = loadScenario("demo");

/** The demo's first plan (the optimizer's), as the field would have it: recorded and delivered. */
async function deliverFirstPlan(pool: pg.Pool, incidentId: string, region: string) {
  const world = new World(demo, { seed: demo.seed });
  world.assignCrews(proposeDispatchPlan(world).plan);
  const entries = world.dispatchLog();
  expect(entries.length).toBeGreaterThan(0);
  await recordDispatches(pool, incidentId, region, entries);
  await pool.query(`UPDATE infra.dispatches SET delivered_at = now(), delivered_by = 'test' WHERE incident_id = $1`, [
    incidentId,
  ]);
  return world;
}

describe("ETR boards kept in the database", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  });

  it("a restarted service answers the same ETRs, with their history, from PostgreSQL", async () => {
    const db = await freshDatabase("console_etr");
    cleanups.push(() => db.drop());
    const file = join(mkdtempSync(join(tmpdir(), "console-etr-")), "regions.json");
    writeFileSync(file, JSON.stringify({ regions: [{ name: "millbrook", scenario: "demo" }] }));
    const config = {
      ...parseServiceArgs(["--port", "0", "--config", file, "--clock", "manual", "--no-watch", "--workers", "0"], {}),
      databaseUrl: db.url,
    };
    let svc: RunningService | undefined = await startService(config, { env: TOKEN_ENV, log: () => {} });
    cleanups.push(async () => svc?.stop());
    const opened = await api(svc.url, "POST", "/v1/incidents", {
      token: TOKENS.operator,
      body: { region: "millbrook" },
    });
    const id = opened.json.id as string;

    // Before any dispatch: every area is being assessed.
    const first = await api(svc.url, "GET", "/v1/outages", { token: TOKENS.viewer });
    expect(first.json.outages.length).toBeGreaterThan(0);
    expect(first.json.outages.every((o: { etr: string | null }) => o.etr === null)).toBe(true);

    // A planning round reaches the field: ETRs from the plan, each area's history now two entries long.
    const planned = await deliverFirstPlan(svc.db.pool, id, "millbrook");
    // The field's watcher writes the board at its pass (called by hand: this service runs --no-watch), unasked.
    await svc.field!.tick();
    const written = (
      await svc.db.pool.query(`SELECT version, dispatches FROM infra.etr_boards WHERE incident_id = $1`, [id])
    ).rows[0];
    expect(written).toEqual({ version: 2, dispatches: planned.dispatchLog().length });
    const before = await api(svc.url, "GET", "/v1/outages", { token: TOKENS.viewer });
    const withEtr = before.json.outages.filter((o: { etr: string | null }) => o.etr !== null);
    expect(withEtr.length).toBeGreaterThan(0);
    expect(
      withEtr.some(
        (o: { etrHistory: { reason: string }[] }) =>
          o.etrHistory.length >= 2 &&
          /assessing/.test(o.etrHistory[0].reason) &&
          /planning round/.test(o.etrHistory.at(-1)!.reason),
      ),
    ).toBe(true);
    const stored = (
      await svc.db.pool.query(`SELECT version, dispatches FROM infra.etr_boards WHERE incident_id = $1`, [id])
    ).rows[0];
    expect(stored.version).toBe(2);
    expect(stored.dispatches).toBeGreaterThan(0);

    // A new instance against the same database: the same feed, word for word, history included.
    await svc.stop();
    svc = await startService(config, { env: TOKEN_ENV, log: () => {} });
    const after = await api(svc.url, "GET", "/v1/outages", { token: TOKENS.viewer });
    expect(after.json.outages).toEqual(before.json.outages);
    expect(after.json.feeds.map((f: { generatedAt: string }) => f.generatedAt)).toEqual(
      before.json.feeds.map((f: { generatedAt: string }) => f.generatedAt),
    );
    const geo = await api(svc.url, "GET", "/v1/outages?format=geojson", { token: TOKENS.viewer });
    expect(geo.json.features.map((f: { properties: { etr: string | null } }) => f.properties.etr)).toEqual(
      before.json.outages.map((o: { etr: string | null }) => o.etr),
    );
    // Asking again changes nothing: the board is not recomputed for the same world.
    await api(svc.url, "GET", `/v1/incidents/${id}/view`, { token: TOKENS.viewer });
    expect(
      (await svc.db.pool.query(`SELECT version FROM infra.etr_boards WHERE incident_id = $1`, [id])).rows[0].version,
    ).toBe(2);

    // The field's world goes on: TX-5A's damage at minute 49 is marked on the live curve the console draws,
    // and the board records it (the new area is being assessed).
    await api(svc.url, "POST", "/v1/world/millbrook/clock", { token: TOKENS.operator, body: { minutes: 60 } });
    const view = await api(svc.url, "GET", `/v1/incidents/${id}/view`, { token: TOKENS.viewer });
    expect(view.json.curveSvg).toMatch(/<g class="event damage">.*<title>new damage: TX-5A at T\+00:49<\/title>/);
    const later = await api(svc.url, "GET", `/v1/outages?incident=${id}`, { token: TOKENS.viewer });
    expect(later.json.outages.find((o: { faults: string[] }) => o.faults.includes("TX-5A")).etrReason).toMatch(
      /new damage in the field/,
    );
  }, 120_000);

  it("works on the embedded PGlite, and instances writing at once take turns", async () => {
    const embedded = await startEmbeddedPostgres();
    cleanups.push(() => embedded.stop());
    const pool = new pg.Pool({ connectionString: embedded.url, max: 1 });
    cleanups.push(() => pool.end());
    await migrate(pool);
    const { id } = await openIncidentFor(pool, { name: "millbrook", scenario: "demo" }, "test");

    const idle = new World(demo, { seed: demo.seed });
    const assessing = await currentBoard(pool, id, idle);
    const world = await deliverFirstPlan(pool, id, "millbrook");
    const planned = await currentBoard(pool, id, world);
    expect(planned.histories().some((h) => h.entries.length === 2)).toBe(true);
    expect(assessing.histories().every((h) => h.entries.length === 1)).toBe(true);

    // Read back (as another process would): the same board, and it goes on from where it was.
    const back = await loadBoard(pool, id);
    expect(back!.version).toBe(2);
    expect(JSON.parse(JSON.stringify(back!.board))).toEqual(JSON.parse(JSON.stringify(planned)));
    world.advanceTo(90);
    // Two instances see the same new minute at once: one writes, the other reads its board (one update, not two).
    const [later, other] = await Promise.all([currentBoard(pool, id, world), currentBoard(pool, id, world.clone())]);
    expect(JSON.parse(JSON.stringify(other))).toEqual(JSON.parse(JSON.stringify(later)));
    expect((await loadBoard(pool, id))!.version).toBe(3);
    // TX-5A's damage at minute 49 is a new outage area; the crews on site move the others' confidence.
    expect(later.histories().length).toBeGreaterThan(planned.histories().length);
    expect(later.histories().find((h) => h.id === "OUT-TX-5A")!.entries[0].reason).toMatch(/new damage in the field/);
    // A world behind the stored board (an instance whose field lags) does not write over it.
    await currentBoard(pool, id, idle);
    expect((await loadBoard(pool, id))!.version).toBe(3);
    // A write from a version already replaced is refused: the other instance's board stands.
    expect(
      await saveBoard(pool, id, 2, { dispatches: 0, progress: progressOf(idle), worldMinute: 0, board: assessing }),
    ).toBe(false);
    expect((await loadBoard(pool, id))!.worldMinute).toBe(90);
  }, 60_000);
});
