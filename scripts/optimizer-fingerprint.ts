/**
 * Decision fingerprints: for a speed change that must not change decisions. One planning round per
 * case at minute 0; prints the case, a hash of the plan, the evaluations and the service work the
 * budget counted, then wall and CPU ms. Run it before and after a change: the first four columns
 * must be equal.
 *
 *   npx tsx scripts/optimizer-fingerprint.ts                      (ieee123-s3-f20, shelby d50/d100 c8, meshed-100/300)
 *   CASES=shelby-d200-c8 REGION=20000 npx tsx scripts/optimizer-fingerprint.ts   (REGION: generateRegion seed 7)
 */
import { createHash } from "node:crypto";
import { performance } from "node:perf_hooks";
import { realCases } from "../src/evaluation/cases.js";
import { proposeDispatchPlan } from "../src/planning/optimizer.js";
import { generateRegion } from "../src/world/scenario/generate.js";
import { World } from "../src/world/simulator.js";
const names = (process.env.CASES ?? "ieee123-s3-f20,shelby-d50-c8,shelby-d100-c8,meshed-100,meshed-300").split(",");
const scenarios = realCases()
  .filter((c) => names.includes(c.name))
  .map((c) => c.scenario);
if (process.env.REGION) scenarios.push(generateRegion({ seed: 7, nodes: Number(process.env.REGION) }));
for (const s of scenarios) {
  const w = new World(s);
  const t = performance.now(),
    c = process.cpuUsage();
  const p = proposeDispatchPlan(w);
  const cpu = process.cpuUsage(c);
  const h = createHash("sha1").update(JSON.stringify(p.plan.assignments)).digest("hex").slice(0, 10);
  console.log(
    s.name,
    h,
    p.evaluations,
    p.search?.serviceWork,
    Math.round(performance.now() - t),
    "ms",
    Math.round((cpu.user + cpu.system) / 1000),
    "cpu ms",
  );
}
