/**
 * What `durability: "sync"` costs: one incident on the offline planner with each durability
 * ("sync", the product's, and LangGraph's default "async") on each durable store, wall time of
 * the incident alone (store opened before, closed after). `npm run bench:durability`.
 *
 *   node --import tsx scripts/bench-durability.ts [--nodes 0,10000] [--reps 3] [--postgres URL]
 *
 * --nodes 0 is the demo; other sizes are synthetic regions (generateRegion). Prints a table on
 * stderr and one JSON object on stdout.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { SimulatorWorldProvider } from "../src/graph/world-provider.js";
import { runIncident } from "../src/incident/runner.js";
import { openCheckpointer } from "../src/persistence/checkpointer.js";
import { newPgClient } from "../src/persistence/pg.js";
import { generateRegion } from "../src/world/scenario/generate.js";
import { loadScenario } from "../src/world/scenario/load.js";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    nodes: { type: "string", default: "0,10000" },
    reps: { type: "string", default: "3" },
    postgres: { type: "string", default: "postgresql://postgres@127.0.0.1:5432/test" },
  },
});
const dir = mkdtempSync(join(tmpdir(), "bench-durability-"));
const schema = `bench_durability_${process.pid}`;
const rows: { scenario: string; store: string; durability: string; medianMs: number; runsMs: number[] }[] = [];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
try {
  for (const n of values.nodes!.split(",").map(Number)) {
    const scenario = n ? generateRegion({ seed: 7, nodes: n, name: `synthetic-${n}` }) : loadScenario("demo");
    for (const store of ["sqlite", "postgres"] as const) {
      for (const durability of ["async", "sync"] as const) {
        const runsMs: number[] = [];
        for (let rep = 0; rep < Number(values.reps); rep++) {
          const setting =
            store === "sqlite"
              ? `sqlite:${join(dir, `${n}-${durability}-${rep}.db`)}`
              : `postgres:${values.postgres}?schema=${schema}`;
          const s = await openCheckpointer(setting);
          const worlds = new SimulatorWorldProvider({
            resolveScenario: (ref) => (ref === scenario.name ? scenario : loadScenario(ref)),
          });
          const t = performance.now();
          await runIncident({
            scenario: scenario.name,
            worlds,
            checkpointer: s.saver,
            incidentId: `bench-${n}-${durability}-${rep}`,
            config: { model: "offline" },
            durability,
          });
          runsMs.push(Math.round(performance.now() - t));
          await s.close();
        }
        rows.push({ scenario: scenario.name, store, durability, medianMs: median(runsMs), runsMs });
        process.stderr.write(
          `${scenario.name.padEnd(16)} ${store.padEnd(9)} ${durability.padEnd(6)} median ${median(runsMs)} ms (${runsMs.join(", ")})\n`,
        );
      }
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  const c = await newPgClient(values.postgres!);
  await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await c.end();
}
process.stdout.write(`${JSON.stringify({ rows })}\n`);
