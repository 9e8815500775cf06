import { beforeAll, describe, expect, it } from "vitest";
import { SimulatorWorldProvider } from "../../src/graph/world-provider.js";
import { runIncident, type IncidentResult } from "../../src/incident/runner.js";
import { timelineJobs, stopsFromWorld } from "../../src/report/draw/timeline.js";
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
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\((?!#)|https?:\/\//i);
    expect(html).not.toMatch(/\bsrc=/);
  });

  it("draws every node and link on both maps, crews and their routes", () => {
    const s = demo.world.simulator.scenario;
    expect(count(html, /<path class="node /g)).toBe(2 * s.nodes.length);
    expect(count(html, /<line class="link /g)).toBe(2 * s.links.length);
    expect(count(html, /<g class="crew">/g)).toBe(2 * s.crews.length);
    const crewsThatWorked = new Set(demo.dispatches.filter((d) => d.status === "done").map((d) => d.crewId));
    const after = html.slice(html.indexOf('id="map-after"'), html.indexOf('id="panel-worst"'));
    expect(count(after, /<g class="route"/g)).toBe(crewsThatWorked.size);
    // Each stop of a route is numbered in order, one badge per repair done.
    expect(count(after, /<g class="stop">/g)).toBe(demo.dispatches.filter((d) => d.status === "done").length);
  });

  it("colours the final map by history (restored) and the worst moment by live state", () => {
    const after = html.slice(html.indexOf('id="map-after"'), html.indexOf('id="panel-worst"'));
    const worst = html.slice(html.indexOf('id="map-worst"'));
    expect(after).toMatch(/class="(link|node) restored/);
    expect(after).not.toMatch(/class="(link|node) (damaged|out_of_service)/);
    expect(worst).toMatch(/class="(link|node) damaged/);
    expect(worst).toMatch(/class="(link|node) out_of_service/);
  });

  it("labels the map: the hospital by name, sources, repaired assets; networks differ by shape and colour, with a legend", () => {
    const after = html.slice(html.indexOf('id="map-after"'), html.indexOf('id="panel-worst"'));
    expect(after).toMatch(/<text class="label critical"[^>]*>St\. Mary&#39;s Hospital<\/text>/);
    expect(after).toMatch(/<text class="label source"[^>]*>Northgate substation<\/text>/);
    for (const d of demo.dispatches.filter((x) => x.status === "done")) expect(after).toContain(`>${d.assetId}</text>`);
    const fills = (net: string) =>
      new Set(
        [...after.matchAll(new RegExp(`<path class="node working net-${net}" d="(.)[^"]*" fill="([^"]+)"`, "g"))].map(
          (m) => `${m[1]}${m[2]}`,
        ),
      );
    expect(fills("power").size).toBe(1);
    expect(fills("water").size).toBe(1);
    expect([...fills("power")][0]).not.toBe([...fills("water")][0]);
    expect(html).toMatch(/class="legend map-legend"[\s\S]*power[\s\S]*water/);
    // The worst moment shows the hospital's backup and the time it has left.
    const worst = html.slice(html.indexOf('id="map-worst"'));
    expect(worst).toMatch(/<text class="label backup[^"]*"[^>]*>on backup: \d+ (h|min)[^<]*until T\+03:00\)<\/text>/);
  });

  it("marks the storm, the lightning hold, the cascade and the generator's deadline on the curve", () => {
    const curve = html.slice(html.indexOf('id="curve"'), html.indexOf("</svg>", html.indexOf('id="curve"')));
    expect(curve).toMatch(/<rect class="band storm" x="[\d.]+"[^>]*><title>storm[^<]*T\+00:30-T\+04:00/);
    expect(curve).toMatch(
      /<rect class="band work_stopped"[^>]*><title>lightning: outdoor work stopped[^<]*T\+01:00-T\+02:00/,
    );
    expect(curve).toMatch(/<g class="event cascade"><line[^>]*\/><text[^>]*>cascade T\+02:19/);
    expect(curve).toMatch(
      /<g class="event deadline"><line[^>]*\/><text[^>]*>St\. Mary&#39;s Hospital backup ends \(kept\) T\+03:00/,
    );
  });

  it("draws weather holds on the crew timeline, also a hold that pauses a repair, and names the assets on the bars", () => {
    const jobs = timelineJobs(demo.dispatches, stopsFromWorld(demo.world.simulator));
    const held = demo.dispatches.filter((d) => d.status === "done" && (d.heldMinutes ?? 0) > 0);
    expect(held.length).toBeGreaterThan(0);
    for (const d of held) {
      const j = jobs.find((x) => x.crewId === d.crewId && x.assetId === d.assetId)!;
      const holds = j.segments.filter((s) => s.kind === "hold");
      expect(holds.reduce((n, s) => n + s.to - s.from, 0)).toBeCloseTo(d.heldMinutes!, 5);
      // Lightning came while these crews were repairing: repair, hold, repair.
      expect(j.segments.map((s) => s.kind).filter((k) => k !== "travel")).toEqual(["repair", "hold", "repair"]);
    }
    const timeline = html.slice(html.indexOf('id="timeline"'), html.indexOf("</svg>", html.indexOf('id="timeline"')));
    expect(count(timeline, /<rect class="hold"/g)).toBe(held.length);
    expect(timeline).toContain(">held 60 min</text>");
    for (const d of demo.dispatches.filter((x) => x.status === "done"))
      expect(timeline).toMatch(new RegExp(`<text class="bar-label"[^>]*>${d.assetId.slice(0, 5)}`));
  });

  it("splits a repair around a work stop given by the weather, and holds a crew that arrives in it", () => {
    const stops = () => [{ from: 100, to: 160 }];
    const d = (assetId: string, arrivedAt: number, repairStartedAt: number, repairedAt: number): DispatchRecord => ({
      dispatchId: assetId,
      crewId: "C",
      assetId,
      assignedAt: 0,
      arrivedAt,
      repairStartedAt,
      repairedAt,
      status: "done",
    });
    const [a, b] = timelineJobs([d("A", 10, 10, 130), d("B", 150, 160, 200)], stops);
    expect(a.segments).toEqual([
      { kind: "travel", from: 0, to: 10 },
      { kind: "repair", from: 10, to: 100 },
      { kind: "hold", from: 100, to: 130 },
    ]);
    expect(b.segments).toEqual([
      { kind: "travel", from: 130, to: 150 },
      { kind: "hold", from: 150, to: 160 },
      { kind: "repair", from: 160, to: 200 },
    ]);
  });

  it("draws the restoration curve with a point per change and a tick per repair", () => {
    const curve = html.slice(html.indexOf('id="curve"'), html.indexOf("</svg>", html.indexOf('id="curve"')));
    expect(count(curve, /class="curve-point"/g)).toBe(demo.metrics.restorationCurve.length);
    expect(count(curve, /class="repair-tick"/g)).toBe(demo.dispatches.filter((d) => d.repairedAt !== undefined).length);
    expect(curve).toMatch(/<path class="curve" d="M/);
  });

  it("lists every graph run with its trigger and the dispatch timeline", () => {
    expect(count(html, /<tr><td>\d+<\/td><td>T\+/g)).toBe(demo.runs);
    // One bar per repair (a repair paused by weather is drawn in two parts around its hold), each named.
    const done = demo.dispatches.filter((d) => d.status === "done").length;
    const paused = demo.dispatches.filter((d) => d.status === "done" && (d.heldMinutes ?? 0) > 0).length;
    expect(count(html, /<rect class="repair"/g)).toBe(done + paused);
    expect(count(html, /<text class="bar-label"/g)).toBe(done);
  });

  it("escapes names from the scenario", async () => {
    const s = {
      ...feederWithPump({ damage: [{ asset: "L1", atMinutes: 0 }] }),
      name: "evil",
      description: `<script>alert("x")</script> & co`,
    };
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
      const north = [...s.nodes].sort((a, b) => b.y - a.y)[0],
        south = [...s.nodes].sort((a, b) => a.y - b.y)[0];
      if (north.y > south.y) expect(p.toY(north.x, north.y)).toBeLessThan(p.toY(south.x, south.y));
    }
  });

  it("routes a crew through its repairs in the order it reached them, leaving out work moved away", () => {
    const d = (assetId: string, arrivedAt: number | undefined, status: DispatchRecord["status"]): DispatchRecord => ({
      dispatchId: assetId,
      crewId: "C",
      assetId,
      assignedAt: 0,
      arrivedAt,
      status,
    });
    expect(
      crewRoute(
        [d("B", 50, "done"), d("X", undefined, "reassigned"), d("A", 10, "done"), d("C", undefined, "queued")],
        "C",
      ),
    ).toEqual(["A", "B", "C"]);
  });
});
