/** examples/invoke.ts, run as `npm run example` runs it. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../src/world/scenario/load.js";
import { root, runTsx } from "./run-child.js";

describe("examples/invoke.ts", () => {
  it("is the npm script `example`", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    expect(pkg.scripts.example).toBe("tsx examples/invoke.ts");
  });

  it("loads the demo scenario, runs the graph once and prints the dispatches", async () => {
    const r = await runTsx("examples/invoke.ts");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    const demo = loadScenario("demo");
    expect(lines[0]).toBe(`demo: ${demo.nodes.length} nodes, ${demo.crews.length} crews`);
    expect(lines[1]).toMatch(
      /^INIT -> FAILURE_DETECTION -> IMPACT_ANALYSIS -> REPAIR_PLANNING -> EXECUTION -> RESCHEDULING -> .*FINAL$/,
    );
    expect(lines[2]).toMatch(/^(stable|restored): /);
    // console.table: one row per dispatch, with the scenario's crews and the simulator's statuses.
    expect(r.stdout).toMatch(/│ crew\s+│ asset\s+│ assigned\s+│ arrived\s+│ repaired\s+│ status\s+│/);
    const rows = lines.filter((l) => /^│ \d+/.test(l));
    expect(rows.length).toBeGreaterThanOrEqual(demo.crews.length);
    const crewIds = new Set(demo.crews.map((c) => c.id));
    for (const row of rows) {
      const cells = row.split("│").map((c) => c.trim().replace(/^'|'$/g, ""));
      expect(crewIds.has(cells[2])).toBe(true);
      expect(["queued", "travelling", "on_hold", "repairing", "done", "cancelled", "reassigned"]).toContain(cells[7]);
    }
  });
});
