import { beforeAll, describe, expect, it } from "vitest";
import { SimulatorWorldProvider } from "../../src/graph/world-provider.js";
import { runIncident, type IncidentResult } from "../../src/incident/runner.js";
import { crewRoute, esc, projectionFor, renderIncidentReport } from "../../src/report/html.js";
import { loadScenario } from "../../src/world/scenario/load.js";
import { World } from "../../src/world/simulator.js";
import type { DispatchRecord } from "../../src/world/types.js";
import { feederWithPump } from "../support/scenarios.js";

const count = (html: string, re: RegExp) => (html.match(re) ?? []).length;

describe("HTML incident report", () => {
  let demo: IncidentResult;
  let html: string;
  beforeAll(async () => {
    demo = await runIncident({ scenario: "demo", config: { model: "offline" }, incidentId: "report-test" });
    html = renderIncidentReport(demo);
  });

  it("is one self-contained document: no script, no outside resource", () => {
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(|https?:\/\//i);
    expect(html).not.toMatch(/\bsrc=/);
  });

  it("draws every node and link on both maps, crews and their routes", () => {
    const s = demo.world.simulator.scenario;
    expect(count(html, /<circle class="node /g)).toBe(2 * s.nodes.length);
    expect(count(html, /<line class="link /g)).toBe(2 * s.links.length);
    expect(count(html, /<g class="crew">/g)).toBe(2 * s.crews.length);
    const crewsThatWorked = new Set(demo.dispatches.filter((d) => d.status === "done").map((d) => d.crewId));
    expect(count(html, /<polyline class="route"/g)).toBe(crewsThatWorked.size);
  });

  it("colours the final map by history (restored) and the worst moment by live state", () => {
    const after = html.slice(html.indexOf('id="map-after"'), html.indexOf('id="panel-worst"'));
    const worst = html.slice(html.indexOf('id="map-worst"'));
    expect(after).toMatch(/class="(link|node) restored/);
    expect(after).not.toMatch(/class="(link|node) (damaged|out_of_service)/);
    expect(worst).toMatch(/class="(link|node) damaged/);
    expect(worst).toMatch(/class="(link|node) out_of_service/);
  });

  it("draws the restoration curve with a point per change and a tick per repair", () => {
    const curve = html.slice(html.indexOf('id="curve"'), html.indexOf("</svg>", html.indexOf('id="curve"')));
    expect(count(curve, /class="curve-point"/g)).toBe(demo.metrics.restorationCurve.length);
    expect(count(curve, /class="repair-tick"/g)).toBe(demo.dispatches.filter((d) => d.repairedAt !== undefined).length);
    expect(curve).toMatch(/<path class="curve" d="M/);
  });

  it("lists every graph run with its trigger and the dispatch timeline", () => {
    expect(count(html, /<tr><td>\d+<\/td><td>T\+/g)).toBe(demo.runs);
    expect(count(html, /<rect class="repair"/g)).toBe(demo.dispatches.filter((d) => d.status === "done").length);
  });

  it("escapes names from the scenario", async () => {
    const s = { ...feederWithPump({ damage: [{ asset: "L1", atMinutes: 0 }] }), name: "evil", description: `<script>alert("x")</script> & co` };
    const worlds = new SimulatorWorldProvider({ resolveScenario: (ref) => (ref === "evil" ? s : loadScenario(ref)) });
    const r = await runIncident({ scenario: "evil", worlds, config: { model: "offline" } });
    const out = renderIncidentReport(r);
    expect(out).not.toContain("<script>");
    expect(out).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co");
    expect(esc(`a<b>"c"&'d'`)).toBe("a&lt;b&gt;&quot;c&quot;&amp;&#39;d&#39;");
  });

  it("groups elements into paths on large networks", () => {
    const big = renderIncidentReport(demo, { maxSeparateElements: 5 });
    expect(count(big, /<line class="link /g)).toBe(0);
    expect(count(big, /<path class="link /g)).toBeGreaterThan(0);
    expect(count(big, /<path class="node-dots working"/g)).toBeGreaterThan(0);
  });

  it("projects lon/lat and planar scenarios into the box, north up", () => {
    for (const world of [demo.world.simulator, new World(feederWithPump())]) {
      const p = projectionFor(world);
      const s = world.scenario;
      for (const n of s.nodes) {
        expect(p.toX(n.x, n.y)).toBeGreaterThanOrEqual(0);
        expect(p.toX(n.x, n.y)).toBeLessThanOrEqual(900);
        expect(p.toY(n.x, n.y)).toBeGreaterThanOrEqual(0);
        expect(p.toY(n.x, n.y)).toBeLessThanOrEqual(560);
      }
      const north = [...s.nodes].sort((a, b) => b.y - a.y)[0], south = [...s.nodes].sort((a, b) => a.y - b.y)[0];
      if (north.y > south.y) expect(p.toY(north.x, north.y)).toBeLessThan(p.toY(south.x, south.y));
    }
  });

  it("routes a crew through its repairs in the order it reached them, leaving out work moved away", () => {
    const d = (assetId: string, arrivedAt: number | undefined, status: DispatchRecord["status"]): DispatchRecord => ({ dispatchId: assetId, crewId: "C", assetId, assignedAt: 0, arrivedAt, status });
    expect(crewRoute([d("B", 50, "done"), d("X", undefined, "reassigned"), d("A", 10, "done"), d("C", undefined, "queued")], "C")).toEqual(["A", "B", "C"]);
  });
});
