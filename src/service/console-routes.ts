/**
 * The operator console's routes on the service (issue 16): the page at `/` and `/console/*`,
 * who the caller is (`/v1/me`), an incident's live view (map, curve, timeline as SVG, outage
 * areas), the what-if of an edited plan, and the outage feed `/v1/outages` (JSON, or GeoJSON
 * with `?format=geojson`). The ETR boards are kept in PostgreSQL (src/service/etr-boards.ts): an
 * incident's board is brought up to date, and written, whenever its region's world has new
 * dispatches (a planning round reached the field) or a completed repair, by the field's watcher
 * or when it is asked for; a restarted service or another instance publishes the same ETRs.
 */
import type pg from "pg";
import { z } from "zod";
import { consoleAsset, CONSOLE_PATHS } from "../console/static.js";
import { incidentView, whatIf } from "../console/views.js";
import { OperatorPlanSchema } from "../graph/approval.js";
import { outageFeed, outageFeedGeoJson, type OutageFeed } from "../incident/outage-feed.js";
import type { World } from "../world/simulator.js";
import type { ServiceConfig } from "./config.js";
import { currentBoard } from "./etr-boards.js";
import type { Field } from "./field.js";
import { HttpError, sendJson, type Route } from "./http.js";
import { getIncidentRow, openIncidents } from "./store.js";

export interface ConsoleDeps {
  pool: pg.Pool;
  field: Field;
  config: ServiceConfig;
}

const WhatIfRequest = z.object({ plan: OperatorPlanSchema }).meta({ id: "WhatIfRequest" });

export function consoleRoutes(d: ConsoleDeps): Route[] {
  async function worldOf(incidentId: string): Promise<{ world: World; region: string }> {
    const row = await getIncidentRow(d.pool, incidentId);
    if (!row) throw new HttpError(404, `no incident ${incidentId}`);
    const rw = (await d.field.worlds()).find((r) => r.region.name === row.region);
    if (!rw) throw new HttpError(404, `region ${row.region} is not served by this process`);
    return { world: rw.world, region: row.region };
  }

  // A minute of the region's world as a wall time: from its clock's epoch, the same in every instance and after a restart.
  const toIsoFor = (region: string) => (m: number) => new Date(d.field.clocks.wallTimeOf(region, m)).toISOString();

  const statics: Route[] = CONSOLE_PATHS.map((path) => ({
    method: "GET" as const,
    path,
    handler: ({ res }) => {
      const a = consoleAsset(path)!;
      res.writeHead(a.status, a.headers);
      res.end(a.body);
    },
  }));

  return [
    ...statics,
    {
      method: "GET",
      path: "/v1/me",
      permission: "read",
      handler: ({ res, principal }) => sendJson(res, 200, { name: principal!.name, role: principal!.role }),
    },
    {
      method: "GET",
      path: "/v1/incidents/:id/view",
      permission: "read",
      handler: async ({ res, params }) => {
        const { world } = await worldOf(params.id);
        await currentBoard(d.pool, params.id, world);
        sendJson(res, 200, incidentView(world));
      },
    },
    {
      method: "POST",
      path: "/v1/incidents/:id/what-if",
      permission: "read",
      body: WhatIfRequest,
      handler: async ({ res, params, body }) => {
        const { world } = await worldOf(params.id);
        // Judged on a copy: the field's world is not touched.
        sendJson(res, 200, whatIf(world.clone({ futureDamage: false }), (body as z.infer<typeof WhatIfRequest>).plan));
      },
    },
    {
      method: "GET",
      path: "/v1/outages",
      permission: "read",
      handler: async ({ res, query }) => {
        const only = query.get("incident");
        const feeds: OutageFeed[] = [];
        for (const inc of await openIncidents(d.pool)) {
          if (only && inc.id !== only) continue;
          const rw = (await d.field.worlds()).find((r) => r.region.name === inc.region);
          if (!rw) continue;
          const coordinates = rw.world.scenario.coordinates === "lonlat" ? "lonlat" : "planar";
          feeds.push(
            outageFeed(await currentBoard(d.pool, inc.id, rw.world), {
              incidentId: inc.id,
              region: inc.region,
              now: rw.world.now(),
              toIso: toIsoFor(inc.region),
              coordinates,
            }),
          );
        }
        const all = {
          generatedAt: new Date().toISOString(),
          totalCustomersOut: feeds.reduce((n, f) => n + f.totalCustomersOut, 0),
          feeds,
          outages: feeds.flatMap((f) => f.outages),
        };
        if (query.get("format") === "geojson") {
          const features = feeds.flatMap((f) => outageFeedGeoJson(f).features);
          res.writeHead(200, { "content-type": "application/geo+json; charset=utf-8", "cache-control": "no-store" });
          res.end(
            JSON.stringify({
              type: "FeatureCollection",
              properties: { generatedAt: all.generatedAt, totalCustomersOut: all.totalCustomersOut },
              features,
            }),
          );
          return;
        }
        sendJson(res, 200, all);
      },
    },
  ];
}
