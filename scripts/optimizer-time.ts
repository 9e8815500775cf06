/**
 * One planning round of the optimizer, timed: wall and CPU time of one `proposeDispatchPlan`
 * at minute 0, and its search summary. CPU time is the figure to read on a shared machine.
 *
 *   npx tsx scripts/optimizer-time.ts --case shelby-d200-c8
 *   npx tsx scripts/optimizer-time.ts --nodes 3000 --seed 7 [--scale 10]
 *   ... --one-core   (the second start searched after the first, not on the other core)
 */
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { realCases } from "../src/evaluation/cases.js";
import { proposeDispatchPlan } from "../src/planning/optimizer.js";
import { generateRegion } from "../src/world/scenario/generate.js";
import { World } from "../src/world/simulator.js";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    case: { type: "string" },
    nodes: { type: "string", default: "3000" },
    seed: { type: "string", default: "7" },
    scale: { type: "string", default: "1" },
    "one-core": { type: "boolean", default: false },
  },
});
const scenario = values.case
  ? realCases().find((c) => c.name === values.case)?.scenario
  : generateRegion({ seed: Number(values.seed), nodes: Number(values.nodes) });
if (!scenario)
  throw new Error(
    `no case ${values.case}: ${realCases()
      .map((c) => c.name)
      .join(", ")}`,
  );
const world = new World(scenario);
const t = performance.now();
const cpu = process.cpuUsage();
const p = proposeDispatchPlan(world, { budgetScale: Number(values.scale), parallelSearch: !values["one-core"] });
const c = process.cpuUsage(cpu);
process.stdout.write(
  `${JSON.stringify({
    case: scenario.name,
    damaged: world.workableUnassignedIds().length,
    crews: scenario.crews.length,
    wallMs: Math.round(performance.now() - t),
    cpuMs: Math.round((c.user + c.system) / 1000),
    method: p.method,
    search: p.search,
  })}\n`,
);
