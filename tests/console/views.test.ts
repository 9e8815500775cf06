import { describe, expect, it } from "vitest";
import { CONSOLE_PATHS, consoleAsset } from "../../src/console/static.js";
import { incidentView, whatIf } from "../../src/console/views.js";
import { proposeDispatchPlan } from "../../src/planning/optimizer.js";
import { loadScenario } from "../../src/world/scenario/load.js";
import { World } from "../../src/world/simulator.js";

const demo = loadScenario("demo");

describe("console views", () => {
  it("judges an operator's edit like the optimizer's own plan, and says why a plan cannot be sent", () => {
    const world = new World(demo, { seed: demo.seed });
    const proposal = proposeDispatchPlan(world);
    const asOperator = {
      assignments: proposal.plan.assignments.map((a) => ({ crew_id: a.crewId, asset_ids: a.assetIds })),
    };
    const same = whatIf(world, asOperator);
    expect(same.errors).toEqual([]);
    expect(same.expected!.weightedCustomerMinutes).toBe(proposal.expected.weightedCustomerMinutes);
    expect(same.optimizer.expected.weightedCustomerMinutes).toBe(proposal.expected.weightedCustomerMinutes);
    // Swapping PWR-1's two jobs delays the hospital's feeder: worse.
    const swapped = {
      assignments: asOperator.assignments.map((a) =>
        a.crew_id === "PWR-1" ? { ...a, asset_ids: [...a.asset_ids].reverse() } : a,
      ),
    };
    const worse = whatIf(world, swapped);
    expect(worse.errors).toEqual([]);
    expect(worse.expected!.weightedCustomerMinutes).toBeGreaterThan(proposal.expected.weightedCustomerMinutes);
    // A water crew cannot repair a power line: refused, with the reason, and no effect.
    const wrong = whatIf(world, { assignments: [{ crew_id: "WTR-1", asset_ids: ["L-2A-2B"] }] });
    expect(wrong.expected).toBeNull();
    expect(wrong.errors.join(" ")).toMatch(/WTR-1/);
    // The world itself did not change.
    expect(world.dispatches()).toEqual([]);
  });

  it("draws the live world: map, curve with now, timeline, areas and backups", () => {
    const world = new World(demo, { seed: demo.seed });
    const p = proposeDispatchPlan(world);
    world.assignCrews(p.plan);
    world.advanceTo(70);
    const v = incidentView(world);
    expect(v.worldMinute).toBe(70);
    expect(v.mapSvg).toMatch(/^<svg id="live-map"/);
    expect((v.mapSvg.match(/<path class="node /g) ?? []).length).toBe(demo.nodes.length);
    // Crews where they are and where they go next: a route from each busy crew.
    expect((v.mapSvg.match(/<g class="route"/g) ?? []).length).toBe(v.crews.filter((c) => c.currentAsset).length);
    expect(v.curveSvg).toMatch(/<g class="event now">/);
    // TX-5A's damage at minute 49, from the world itself (no run had to be triggered by it).
    expect(v.curveSvg).toMatch(/<g class="event damage">.*<title>new damage: TX-5A at T\+00:49<\/title>/);
    expect(v.curveSvg).not.toMatch(/<g class="event cascade">/);
    expect(v.timelineSvg).toMatch(/<line class="now"/);
    // Lightning from minute 60 holds the crews repairing under it: drawn up to now.
    expect(v.timelineSvg).toMatch(/<rect class="hold"/);
    expect(v.backups.find((b) => b.node === "HOSP-StMary")!.minutesLeft).toBe(110);
    expect(v.areas.length).toBeGreaterThanOrEqual(5);
  });

  it("marks the world's delayed cascades and new damage on the live curve, each at its minute with its assets", () => {
    // No crew sent: the north's pumps lose their backup at 139, the hospital's runs out at 180.
    const world = new World(demo, { seed: demo.seed });
    world.advanceTo(200);
    const svg = incidentView(world).curveSvg;
    const marks = [...svg.matchAll(/<g class="event (damage|cascade)">.*?<title>(.*?)<\/title>/g)].map((m) => [
      m[1],
      m[2],
    ]);
    expect(marks).toEqual([
      ["damage", "new damage: TX-5A at T+00:49"],
      ["cascade", "cascade: PUMP-North, WD-North, WD-Northwest lost service at T+02:19"],
      ["damage", "new damage: P-JC-DT at T+02:30"],
      ["cascade", "cascade: HOSP-StMary lost service at T+03:00"],
    ]);
    // A copy of the world (what planners simulate ahead with) keeps the history and goes on alone.
    const copy = world.clone();
    copy.advanceTo(300);
    expect(copy.alertHistory().length).toBe(5);
    expect(world.alertHistory().length).toBe(4);
  });

  it("serves the page and its files with no outside resource and a strict content policy", () => {
    for (const path of CONSOLE_PATHS) {
      const a = consoleAsset(path)!;
      expect(a.status).toBe(200);
      expect(a.body).not.toMatch(/https?:\/\/(?!127\.0\.0\.1)/);
      expect(a.body).not.toMatch(/@import|url\((?!#)/);
      expect(a.headers["content-security-policy"]).toMatch(/default-src 'self'/);
    }
    expect(consoleAsset("/")!.body).toMatch(/<script type="module" src="\/console\/console.js">/);
    expect(consoleAsset("/etc/passwd")).toBeUndefined();
    // Every module a served script imports is served too (from this origin, by a relative path).
    const scripts = CONSOLE_PATHS.filter((p) => p.endsWith(".js"));
    expect(scripts.length).toBeGreaterThan(1);
    for (const path of scripts) {
      const a = consoleAsset(path)!;
      expect(a.headers["content-type"]).toMatch(/^text\/javascript/);
      for (const [, spec] of a.body.matchAll(/^import [^;]*? from "([^"]+)";$/gm)) {
        expect(spec, `${path} imports ${spec}`).toMatch(/^\.\/[a-z-]+\.js$/);
        expect(CONSOLE_PATHS, `${path} imports ${spec}`).toContain(`/console/${spec.slice(2)}`);
      }
      expect(a.body).not.toMatch(/\bimport\(/);
    }
    // Each served module is imported by another, or is the page's own.
    const imported = new Set(
      scripts.flatMap((p) =>
        [...consoleAsset(p)!.body.matchAll(/ from "\.\/([a-z-]+\.js)";$/gm)].map((m) => `/console/${m[1]}`),
      ),
    );
    expect(scripts.filter((p) => !imported.has(p))).toEqual(["/console/console.js"]);
  });
});
