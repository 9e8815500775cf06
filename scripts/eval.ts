/**
 * Decision quality: `npm run eval` prints markdown tables; `npm run eval -- --json` one JSON object.
 *
 * Options: --small N (small exact-comparison cases, default 12), --sizes 300,1000 (plain synthetic
 * region sizes, default 300,1000), --shipped demo,ieee123, --no-real (leave out the ieee123 damage
 * sets, Shelby and meshed cases), --only NAME,NAME (cases whose name contains one of these),
 * --quick (4 small cases, demo, ieee123-s1, shelby-d50-c8, meshed-100),
 * --refresh-references (search the best-known plans again and rewrite evaluation/references; long).
 * With INFRA_MODEL=openai/<model> (and OPENAI_API_KEY or OPENAI_BASE_URL) the agent also runs on that model.
 */
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { awaitAllCallbacks } from "@langchain/core/callbacks/promises";
import { markdownReport } from "../src/evaluation/format.js";
import { IEEE123_DAMAGE_SETS } from "../src/evaluation/cases.js";
import { buildSuite, evaluateSuite } from "../src/evaluation/suite.js";
import { summarize } from "../src/evaluation/targets.js";
import { etrErrorMarkdown, evaluateEtrErrors } from "../src/evaluation/etr-error.js";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    json: { type: "boolean", default: false },
    quick: { type: "boolean", default: false },
    small: { type: "string" },
    sizes: { type: "string" },
    shipped: { type: "string" },
    "no-real": { type: "boolean", default: false },
    only: { type: "string" },
    "refresh-references": { type: "boolean", default: false },
  },
});
const list = (v: string | undefined) =>
  v === undefined
    ? undefined
    : v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
const numbers = (v: string | undefined) =>
  list(v)?.map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 8) throw new Error(`--sizes takes node counts (integers >= 8), got "${s}"`);
    return n;
  });

const started = performance.now();
const quickReal = {
  ieee123Sets: [IEEE123_DAMAGE_SETS[0]!],
  shelbyDamage: ["d50"],
  shelbyCrews: [8],
  meshedDamaged: [100],
};
const only = list(values.only);
const cases = buildSuite({
  smallCases: values.small !== undefined ? Number(values.small) : values.quick ? 4 : 12,
  syntheticSizes: numbers(values.sizes) ?? (values.quick ? [] : [300, 1000]),
  shipped: list(values.shipped) ?? (values.quick ? ["demo"] : ["demo", "ieee123"]),
  real: values["no-real"] ? false : values.quick ? quickReal : {},
}).filter((c) => !only || only.some((o) => c.name.includes(o)));
const refresh = values["refresh-references"];
const results = await evaluateSuite(cases, {
  refreshReferences: refresh,
  onRefresh: (c, ref, previous) =>
    process.stderr.write(
      `${c.name.padEnd(18)} best known refreshed: wCMI ${Math.round(ref.weightedCustomerMinutes).toLocaleString("en-US")}` +
        `${previous ? ` (was ${Math.round(previous.weightedCustomerMinutes).toLocaleString("en-US")})` : ""}, ${ref.found.evaluations} plans in ${ref.found.wallSeconds} s\n`,
    ),
  onRun: (c, r) =>
    process.stderr.write(
      `${c.name.padEnd(18)} ${r.planner.padEnd(26)} ${r.status.padEnd(10)} wCMI ${r.figures.weightedCustomerMinutes.toLocaleString("en-US").padStart(14)}  ${Math.round(r.wallMs)} ms\n`,
    ),
});
const summary = summarize(results);
if (refresh)
  process.stderr.write(`references refreshed; whole run ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
// ETR error: the shipped scenarios and the synthetic regions (family "shipped"; the small cases have one round each).
const etr = await evaluateEtrErrors(cases.filter((c) => c.kind === "large" && c.family === "shipped"));
const meta = {
  date: new Date().toISOString().slice(0, 10),
  node: process.versions.node,
  cores: cpus().length,
  wallMs: performance.now() - started,
};
if (values.json) process.stdout.write(`${JSON.stringify({ ...meta, summary, results, etr })}\n`);
else process.stdout.write(`${markdownReport(results, summary, meta)}\n\n${etrErrorMarkdown(etr)}\n`);
await awaitAllCallbacks();
