import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Ajv2020 from "ajv/dist/2020.js";
import { beforeAll, describe, expect, it } from "vitest";
import { runIncidentWithEtrs } from "../../src/incident/etr-tracking.js";
import { isoFrom, outageFeed, outageFeedGeoJson } from "../../src/incident/outage-feed.js";
import { EtrBoard, estimateOutageAreas } from "../../src/planning/etr.js";
import { loadScenario } from "../../src/world/scenario/load.js";
import { World } from "../../src/world/simulator.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const schema = JSON.parse(readFileSync(join(ROOT, "schemas/outages.schema.json"), "utf8"));
// Formats are checked below by parsing; ajv without ajv-formats only annotates them.
const validate = new (Ajv2020 as unknown as typeof Ajv2020.default)({
  allErrors: true,
  validateFormats: false,
}).compile(schema);

describe("the outage feed", () => {
  const demo = loadScenario("demo");
  const toIso = isoFrom(demo.startTime);

  it("validates against its JSON Schema at the first planning round of the demo, with every field public maps use", async () => {
    const board = new EtrBoard();
    // The demo after its first dispatch: replay the incident to minute 0 with the first plan.
    const { rounds, board: full } = await runIncidentWithEtrs({
      scenario: "demo",
      config: { model: "offline" },
      incidentId: "feed-test",
    });
    board.update(rounds[0].at, rounds[0].areas, "first round");
    const feed = outageFeed(board, { incidentId: "feed-test", region: "demo", now: 0, toIso, coordinates: "lonlat" });
    expect(validate(feed), JSON.stringify(validate.errors)).toBe(true);
    expect(feed.outages.length).toBe(5);
    expect(feed.totalCustomersOut).toBe(feed.outages.reduce((n, o) => n + o.customersOut, 0));
    for (const o of feed.outages) {
      for (const t of [o.start, o.etr!, o.etrUpdatedAt]) expect(new Date(t).toISOString()).toBe(t);
      expect(Date.parse(o.etr!)).toBeGreaterThan(Date.parse(o.start));
      expect(o.crews.length).toBeGreaterThan(0);
      expect(["assigned", "en_route", "on_site", "on_hold"]).toContain(o.crewStatus);
    }
    // Later: the feed with its history of moves, still valid; GeoJSON points at the faults.
    const later = outageFeed(
      full.histories().filter((h) => h.entries.length > 1 || h.open),
      { incidentId: "feed-test", region: "demo", now: 300, toIso, coordinates: "lonlat" },
    );
    expect(validate(later), JSON.stringify(validate.errors)).toBe(true);
    const geo = outageFeedGeoJson(feed);
    expect(geo.type).toBe("FeatureCollection");
    expect(geo.features).toHaveLength(5);
    const f = geo.features[0] as {
      geometry: { type: string; coordinates: number[] };
      properties: Record<string, unknown>;
    };
    expect(f.geometry.type).toBe("Point");
    expect(f.geometry.coordinates[0]).toBeLessThan(-89);
    expect(f.properties).toMatchObject({ etrConfidence: expect.any(String), customersOut: expect.any(Number) });
  });

  it("shows an area no crew has yet as assessing (no ETR, confidence none), and the schema rejects a broken item", () => {
    const w = new World(demo, { seed: demo.seed });
    const board = new EtrBoard();
    board.update(0, estimateOutageAreas(w), "before any plan");
    const feed = outageFeed(board, { incidentId: "x", region: "demo", now: 0, toIso, coordinates: "lonlat" });
    expect(validate(feed)).toBe(true);
    expect(
      feed.outages.every((o) => o.etr === null && o.etrConfidence === "none" && o.crewStatus === "not_assigned"),
    ).toBe(true);
    expect(feed.outages[0].etrReason).toMatch(/assessing/);
    const broken = { ...feed, outages: [{ ...feed.outages[0], etrConfidence: "certain", customersOut: -1 }] };
    expect(validate(broken)).toBe(false);
    expect(validate.errors!.length).toBeGreaterThanOrEqual(2);
  });
});
