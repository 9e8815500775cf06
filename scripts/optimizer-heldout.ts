/**
 * Held-out decision quality: the optimizer on Shelby County earthquake scenarios of the Wu set
 * that `npm run eval` does not use, against a long run of itself (10x its budgets, several seeds)
 * and the baselines, each plan simulated by evaluatePlan over one common horizon. It guards
 * against tuning the search to the eval's cases. The Wu table is not shipped (the eval's cases are
 * in scenarios/shelby/damage-cases.csv): pass its path, e.g. the INDP data's
 * derived/wu_damage_scenarios_long.csv.
 *
 *   npx tsx scripts/optimizer-heldout.ts --wu PATH [--min 40] [--crews 8] [--part 0/2]
 *       [--references FILE]   reuse (or write) the long runs, keyed by case
 *       [--seed N]            the optimizer's seed (default 1, as the agent runs it)
 *
 * Prints one JSON line per case, then a summary line.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { SHELBY_DIR, shelbyCrews } from "../src/evaluation/shelby.js";
import { baselinePlan } from "../src/planning/baselines.js";
import { planHorizon } from "../src/planning/effect.js";
import { evaluatePlan, proposeDispatchPlan } from "../src/planning/optimizer.js";
import { importCsvFolder, parseCsv } from "../src/world/scenario/csv.js";
import type { Scenario } from "../src/world/scenario/schema.js";
import { World } from "../src/world/simulator.js";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    wu: { type: "string", default: "../shared/data/shelby/derived/wu_damage_scenarios_long.csv" },
    min: { type: "string", default: "40" },
    crews: { type: "string", default: "8" },
    part: { type: "string", default: "0/1" },
    references: { type: "string" },
    "ref-scale": { type: "string", default: "10" },
    "ref-seeds": { type: "string", default: "1,2" },
    seed: { type: "string", default: "1" },
  },
});

const PREFIX: Record<string, string> = { Power: "P", Water: "W", Gas: "G", Telecommunication: "T" };
/** The eval's own Wu scenarios (d50, d100): left out. */
const IN_EVAL = new Set(["14/88", "48/53"]);

const base = importCsvFolder(SHELBY_DIR);
const linkByEnds = new Map<string, string>();
for (const l of base.links ?? []) {
  linkByEnds.set(`${l.from}-${l.to}`, l.id);
  linkByEnds.set(`${l.to}-${l.from}`, l.id);
}
const nodeIds = new Set(base.nodes.map((n) => n.id));
const byScenario = new Map<string, Set<string>>();
const [header, ...rows] = parseCsv(readFileSync(values.wu, "utf8")).records.map((r) => r.fields);
for (const fields of rows) {
  const r = Object.fromEntries(header.map((h, i) => [h, fields[i]?.trim() ?? ""]));
  const p = PREFIX[r.network];
  const id = r.element === "node" ? `${p}${r.node_or_start}` : linkByEnds.get(`${p}${r.node_or_start}-${p}${r.end}`);
  if (!id || (r.element === "node" && !nodeIds.has(id))) throw new Error(`no asset for ${JSON.stringify(r)}`);
  const key = `${r.set}/${r.scenario}`;
  if (!byScenario.has(key)) byScenario.set(key, new Set());
  byScenario.get(key)!.add(id);
}
const [part, parts] = values.part.split("/").map(Number);
const crewCounts = values.crews.split(",").map(Number);
const cases = [...byScenario.entries()]
  .filter(([k, a]) => !IN_EVAL.has(k) && a.size >= Number(values.min))
  .sort((a, b) => a[1].size - b[1].size || (a[0] < b[0] ? -1 : 1))
  .flatMap(([k, assets]) =>
    crewCounts.map(
      (crews): Scenario => ({
        ...base,
        name: `wu-${k.replace("/", "-")}-c${crews}`,
        damage: [...assets].map((asset) => ({ asset, atMinutes: 0 })),
        crews: shelbyCrews(crews, base),
      }),
    ),
  )
  .filter((_, i) => i % parts === part);

const refFile = values.references;
const refs: Record<string, number> = refFile && existsSync(refFile) ? JSON.parse(readFileSync(refFile, "utf8")) : {};
const ratios: number[] = [];
let worseThanBaseline = 0;
for (const s of cases) {
  const world = new World(s);
  const t0 = performance.now();
  const opt = proposeDispatchPlan(world, { seed: Number(values.seed) });
  const ms = performance.now() - t0;
  const plans = {
    optimizer: opt.plan,
    lpf: baselinePlan(world, "largest-population-first").plan,
    detection: baselinePlan(world, "detection-order").plan,
  };
  // One horizon per case whatever the optimizer does (the baselines' plans, three times over):
  // every plan restores well before it, so the costs and the stored references compare.
  const horizon = 3 * Math.max(planHorizon(world, plans.lpf), planHorizon(world, plans.detection));
  const cost = Object.fromEntries(Object.entries(plans).map(([k, p]) => [k, evaluatePlan(world, p, horizon)]));
  let ref = refs[s.name];
  if (ref === undefined || refs[`${s.name}:h`] !== horizon) {
    ref = Infinity;
    for (const seed of values["ref-seeds"].split(",").map(Number)) {
      const p = proposeDispatchPlan(world, { budgetScale: Number(values["ref-scale"]), seed });
      ref = Math.min(ref, evaluatePlan(world, p.plan, horizon));
    }
    refs[s.name] = ref;
    refs[`${s.name}:h`] = horizon;
    if (refFile) writeFileSync(refFile, JSON.stringify(refs, null, 1));
  }
  const best = Math.min(ref, cost.optimizer);
  const ratio = cost.optimizer / best;
  ratios.push(ratio);
  if (cost.optimizer > Math.min(cost.lpf, cost.detection) + 1e-6) worseThanBaseline++;
  process.stdout.write(
    `${JSON.stringify({
      case: s.name,
      damaged: s.damage?.length,
      ratio: Math.round(ratio * 1000) / 1000,
      lpf: Math.round((cost.lpf / best) * 1000) / 1000,
      detection: Math.round((cost.detection / best) * 1000) / 1000,
      evaluations: opt.evaluations,
      ms: Math.round(ms),
    })}\n`,
  );
}
const sorted = [...ratios].sort((a, b) => a - b);
const geo = Math.exp(ratios.reduce((s, r) => s + Math.log(r), 0) / Math.max(1, ratios.length));
process.stdout.write(
  `${JSON.stringify({
    summary: true,
    cases: ratios.length,
    geomean: Math.round(geo * 10000) / 10000,
    median: sorted[Math.floor(sorted.length / 2)],
    worst: sorted[sorted.length - 1],
    within2pct: ratios.filter((r) => r <= 1.02).length,
    worseThanBaseline,
  })}\n`,
);
