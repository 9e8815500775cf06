/**
 * World benchmark at region scale: 100,000 nodes, ~150,000 links, four networks.
 *
 *   npm run bench:world            # a table
 *   npm run bench:world -- --json  # one JSON object on stdout
 *
 * Options: --nodes N (default 100000), --damaged N (5000), --crews N (200), --seed N (7),
 *          --repairs N (50, phase 2 samples).
 *
 * 1. Load: generate (timed on its own), serialise, then time parseScenario(JSON.parse(text))
 *    and new World(scenario) (compilation + initial service).          Target < 2 s.
 * 2. Service update after one repair: ServiceState.update on a clone with one damaged asset
 *    repaired, for distinct damaged assets; clone time excluded.        Target median < 20 ms.
 * 3. Episode to full restoration with a built-in dispatch rule (each workable asset to the
 *    skilled crew whose queue ends soonest), re-run at the start and at every alert.
 *                                                                       Target < 30 s.
 * 4. Peak memory: RSS sampled every 50 ms by a worker thread (the main thread is busy in long
 *    synchronous phases, so a main-thread timer would miss them) and after each phase; heapUsed
 *    of the main isolate after each phase and during the episode.       Target < 1 GB.
 *
 * Run with --expose-gc (the npm script does) so phases start from a collected heap.
 */
import { cpus } from "node:os";
import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import { generateRegion } from "../src/world/scenario/generate.js";
import { parseScenario } from "../src/world/scenario/load.js";
import { ServiceState } from "../src/world/service.js";
import { World } from "../src/world/simulator.js";
import type { CrewAssignment } from "../src/world/types.js";

// ---------------------------------------------------------------- options

const argv = process.argv.slice(2);
const json = argv.includes("--json");
const opt = (name: string, dflt: number): number => {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const v = Number(argv[i + 1]);
  if (!Number.isFinite(v)) throw new Error(`--${name} needs a number`);
  return v;
};
const NODES = opt("nodes", 100_000);
const DAMAGED = opt("damaged", 5_000);
const CREWS = opt("crews", 200);
const SEED = opt("seed", 7);
const REPAIRS = opt("repairs", 50);
const WARMUP = 5;

const TARGET = { loadMs: 2_000, updateMedianMs: 20, episodeMs: 30_000, peakRssMB: 1_024 };

const gc = (globalThis as { gc?: () => void }).gc;
const collect = () => gc?.();
const MB = 1024 * 1024;
const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;
const log = (msg: string) => {
  if (!json) process.stderr.write(`${msg}\n`);
};

// ---------------------------------------------------------------- memory sampling

/** A worker samples the whole process's RSS every 50 ms into shared memory, even while the main thread is busy. */
const shared = new Float64Array(new SharedArrayBuffer(8));
const sampler = new Worker(
  `const { workerData } = require("node:worker_threads");
   const peak = new Float64Array(workerData);
   const tick = () => { const r = process.memoryUsage.rss(); if (r > peak[0]) peak[0] = r; };
   tick(); setInterval(tick, 50);`,
  { eval: true, workerData: shared.buffer },
);
sampler.unref();
let peakRss = 0;
let peakHeapUsed = 0;
const sample = () => {
  const m = process.memoryUsage();
  if (m.rss > peakRss) peakRss = m.rss;
  if (m.heapUsed > peakHeapUsed) peakHeapUsed = m.heapUsed;
};
const mainTimer = setInterval(sample, 50);
const phaseMemory: Record<string, { rssMB: number; heapUsedMB: number }> = {};
const afterPhase = (name: string) => {
  sample();
  const m = process.memoryUsage();
  phaseMemory[name] = { rssMB: round(m.rss / MB), heapUsedMB: round(m.heapUsed / MB) };
};

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? NaN;
};

// ---------------------------------------------------------------- 1. load

log(`generating ${NODES} nodes, ${DAMAGED} damaged, ${CREWS} crews (seed ${SEED}) ...`);
let t0 = performance.now();
const generated = generateRegion({ seed: SEED, nodes: NODES, damagedAssets: DAMAGED, crews: CREWS });
const generateMs = performance.now() - t0;
t0 = performance.now();
let text: string | null = JSON.stringify(generated);
const stringifyMs = performance.now() - t0;
const sizes = {
  nodes: generated.nodes.length,
  links: generated.links.length,
  dependencies: generated.dependencies.length,
  networks: generated.networks?.length ?? 0,
  crews: generated.crews.length,
  damage: generated.damage.length,
  jsonMB: round(text.length / MB),
};
afterPhase("generate");
collect();

log("loading ...");
t0 = performance.now();
const raw: unknown = JSON.parse(text);
const jsonParseMs = performance.now() - t0;
t0 = performance.now();
const scenario = parseScenario(raw);
const validateMs = performance.now() - t0;
t0 = performance.now();
const world = new World(scenario);
const worldMs = performance.now() - t0;
const loadMs = jsonParseMs + validateMs + worldMs;
text = null;
afterPhase("load");
collect();

// ---------------------------------------------------------------- 2. service update after one repair

log("service updates ...");
const net = world.net;
const base = new ServiceState(net);
const damagedAtStart: number[] = [];
for (const d of scenario.damage) {
  if (d.atMinutes > 0) continue;
  const a = net.index(d.asset)!;
  base.setDamaged(a, true);
  damagedAtStart.push(a);
}
damagedAtStart.sort((a, b) => a - b);
t0 = performance.now();
base.recomputeAll(0);
const recomputeAllMs = performance.now() - t0;
const outBefore = base.populationOut();
// Spread the picks over the sorted damaged assets (so over the four networks, nodes and links).
const picks: number[] = [];
const want = Math.min(REPAIRS + WARMUP, damagedAtStart.length);
for (let k = 0; k < want; k++) picks.push(damagedAtStart[Math.floor(((k + 0.5) * damagedAtStart.length) / want)]);
// A few picks, spread like the rest, warm the JIT and are not counted.
const step = Math.max(1, Math.floor(want / WARMUP));
const warm = picks.filter((_, k) => k % step === 0).slice(0, WARMUP);
const measured = picks.filter((a) => !warm.includes(a)).slice(0, REPAIRS);
const updateMs: number[] = [];
const populationOutMs: number[] = [];
let restoredPopTotal = 0;
const byNetwork: Record<string, number[]> = {};
for (const [k, a] of [...warm, ...measured].entries()) {
  const trial = base.clone(); // not timed
  const s = performance.now();
  const n = trial.setDamaged(a, false);
  trial.update(0, new Set([n]));
  const e = performance.now();
  const out = trial.populationOut(); // what World does after each update, timed separately
  const e2 = performance.now();
  if (k < warm.length) continue;
  updateMs.push(e - s);
  populationOutMs.push(e2 - e);
  restoredPopTotal += outBefore.population - out.population;
  (byNetwork[net.networkOf(a)] ??= []).push(e - s);
}
const update = {
  samples: updateMs.length,
  warmup: warm.length,
  damagedAtStart: damagedAtStart.length,
  medianMs: round(quantile(updateMs, 0.5), 2),
  p95Ms: round(quantile(updateMs, 0.95), 2),
  maxMs: round(Math.max(...updateMs), 2),
  medianByNetworkMs: Object.fromEntries(Object.entries(byNetwork).map(([k, v]) => [k, round(quantile(v, 0.5), 2)])),
  populationOutMedianMs: round(quantile(populationOutMs, 0.5), 2),
  recomputeAllMs: round(recomputeAllMs),
  populationOutAtStart: outBefore.population,
  meanPopulationRestoredPerRepair: round(restoredPopTotal / Math.max(1, updateMs.length), 0),
};
afterPhase("service");
collect();

// ---------------------------------------------------------------- 3. episode

log("episode ...");
/** Instrument a few of the world's methods on this instance only, to see where episode time goes. */
const sections: Record<string, { calls: number; ms: number }> = {};
function instrument(target: object, method: string, label = method): void {
  const obj = target as Record<string, (...args: unknown[]) => unknown>;
  const orig = obj[method];
  if (typeof orig !== "function") return;
  const sec = (sections[label] = { calls: 0, ms: 0 });
  obj[method] = function (this: unknown, ...args: unknown[]) {
    const s = performance.now();
    try {
      return orig.apply(this, args);
    } finally {
      sec.calls++;
      sec.ms += performance.now() - s;
    }
  };
}
const worldInternals = world as unknown as { service: object };
instrument(world, "processEventsAt", "world.processEventsAt (all event work)");
instrument(worldInternals.service, "update", "  service.update");
instrument(worldInternals.service, "traverse", "    service.traverse (BFS of one network)");
instrument(worldInternals.service, "populationOut", "  service.populationOut");
instrument(world, "markOutSince", "  world.markOutSince");
instrument(world, "raiseAlerts", "  world.raiseAlerts");
instrument(world, "nextEventTime", "world.nextEventTime");

interface Slot {
  id: string;
  skills: Set<string>;
  x: number;
  y: number;
  freeAt: number;
  capacityMin: number;
}
const dispatchSec = { workable: 0, summaries: 0, rule: 0, assign: 0 };

/** Each workable unassigned asset to the skilled crew whose queue ends soonest: O(assets × crews). */
function dispatchRound(w: World): number {
  let s = performance.now();
  const ids = w.workableUnassignedIds();
  dispatchSec.workable += performance.now() - s;
  if (ids.length === 0) return 0;
  s = performance.now();
  const now = w.now();
  const slots: Slot[] = w.crewSummaries().map((c) => ({
    id: c.id,
    skills: new Set(c.skills),
    x: c.freeAtLocation.x,
    y: c.freeAtLocation.y,
    // capacityLeftHours is rounded to 0.01 h; keep a minute's margin.
    freeAt: Math.max(now, c.freeAt),
    capacityMin: c.capacityLeftHours * 60 - 1,
  }));
  dispatchSec.summaries += performance.now() - s;
  s = performance.now();
  const lists = new Map<string, string[]>();
  for (const id of ids) {
    const network = w.net.networkOf(w.net.index(id)!);
    for (;;) {
      let best: Slot | null = null;
      for (const c of slots)
        if (c.capacityMin > 0 && c.skills.has(network) && (!best || c.freeAt < best.freeAt)) best = c;
      if (!best) break;
      const est = w.estimateJobFrom(best.id, best.x, best.y, best.freeAt, id);
      const need = est.completionAt - best.freeAt; // travel + any hold + repair: at least what the world counts
      if (need > best.capacityMin) {
        best.capacityMin = 0;
        continue;
      }
      best.freeAt = est.completionAt;
      best.capacityMin -= need;
      const loc = w.assetLocation(id)!;
      best.x = loc.x;
      best.y = loc.y;
      let list = lists.get(best.id);
      if (!list) lists.set(best.id, (list = []));
      list.push(id);
      break;
    }
  }
  dispatchSec.rule += performance.now() - s;
  const assignments: CrewAssignment[] = [...lists].map(([crewId, assetIds]) => ({ crewId, assetIds }));
  if (assignments.length === 0) return 0;
  s = performance.now();
  const result = w.assignCrews({ assignments, reasoning: "bench: soonest-free skilled crew" });
  dispatchSec.assign += performance.now() - s;
  return result.applied.length;
}

let alertBatches = 0,
  alertCount = 0,
  dispatched = 0,
  dispatchRounds = 0;
const alertKinds: Record<string, number> = {};
let episodeError: string | null = null;
const e0 = performance.now();
try {
  dispatched += dispatchRound(world);
  dispatchRounds++;
  for (;;) {
    const alerts = world.advanceUntilAlert();
    if (alerts.length === 0) break; // nothing more will happen
    alertBatches++;
    alertCount += alerts.length;
    for (const a of alerts) alertKinds[a.kind] = (alertKinds[a.kind] ?? 0) + 1;
    dispatched += dispatchRound(world);
    dispatchRounds++;
    if (alertBatches % 50 === 0) sample();
  }
} catch (err) {
  episodeError = err instanceof Error ? err.message.slice(0, 500) : String(err);
}
const episodeMs = performance.now() - e0;
const metrics = world.metrics();
const episode = {
  ms: Math.round(episodeMs),
  fullyRestored: world.isFullyRestored(),
  minutesToFullRestoration: metrics.minutesToFullRestoration,
  simulatedHours: round(world.now() / 60),
  events: sections["world.processEventsAt (all event work)"]?.calls ?? null,
  alertBatches,
  alerts: alertCount,
  alertKinds,
  dispatchRounds,
  dispatches: dispatched,
  saidiMinutes: metrics.saidiMinutes,
  error: episodeError,
  breakdownMs: <Record<string, number | { calls: number; ms: number }>>{
    ...Object.fromEntries(
      Object.entries(sections).map(([k, v]) => [k.trim(), { calls: v.calls, ms: Math.round(v.ms) }]),
    ),
    "dispatch.workableUnassignedIds": Math.round(dispatchSec.workable),
    "dispatch.crewSummaries": Math.round(dispatchSec.summaries),
    "dispatch.rule": Math.round(dispatchSec.rule),
    "dispatch.assignCrews": Math.round(dispatchSec.assign),
  },
};
afterPhase("episode");

// ---------------------------------------------------------------- report

clearInterval(mainTimer);
sample();
await new Promise((r) => setTimeout(r, 60)); // one more worker tick
const peakRssAll = Math.max(peakRss, shared[0]);
await sampler.terminate();

const pass = (ok: boolean) => (ok ? "PASS" : "MISS");
const loadOk = loadMs < TARGET.loadMs;
const updOk = update.medianMs < TARGET.updateMedianMs;
const epOk = episodeMs < TARGET.episodeMs && episode.fullyRestored && !episodeError;
const memOk = peakRssAll / MB < TARGET.peakRssMB;

const result = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model ?? "unknown",
  gcExposed: typeof gc === "function",
  options: { nodes: NODES, damaged: DAMAGED, crews: CREWS, seed: SEED, repairs: REPAIRS },
  scenario: sizes,
  load: {
    generateMs: Math.round(generateMs),
    stringifyMs: Math.round(stringifyMs),
    jsonParseMs: Math.round(jsonParseMs),
    validateMs: Math.round(validateMs),
    worldMs: Math.round(worldMs),
    totalMs: Math.round(loadMs),
    targetMs: TARGET.loadMs,
    status: pass(loadOk),
  },
  serviceUpdate: { ...update, targetMedianMs: TARGET.updateMedianMs, status: pass(updOk) },
  episode: { ...episode, targetMs: TARGET.episodeMs, status: pass(epOk) },
  memory: {
    peakRssMB: round(peakRssAll / MB),
    peakHeapUsedMB: round(peakHeapUsed / MB),
    phases: phaseMemory,
    targetRssMB: TARGET.peakRssMB,
    status: pass(memOk),
  },
  allPass: loadOk && updOk && epOk && memOk,
};

if (json) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  const rows: [string, string, string, string][] = [
    ["generate (not in load)", `${result.load.generateMs} ms`, "", ""],
    ["JSON.stringify (not in load)", `${result.load.stringifyMs} ms  (${sizes.jsonMB} MB)`, "", ""],
    ["load: JSON.parse", `${result.load.jsonParseMs} ms`, "", ""],
    ["load: parseScenario (zod)", `${result.load.validateMs} ms`, "", ""],
    ["load: new World", `${result.load.worldMs} ms`, "", ""],
    ["load total", `${result.load.totalMs} ms`, `< ${TARGET.loadMs} ms`, result.load.status],
    ["service update, median", `${update.medianMs} ms`, `< ${TARGET.updateMedianMs} ms`, result.serviceUpdate.status],
    ["service update, p95 / max", `${update.p95Ms} / ${update.maxMs} ms`, "", ""],
    ["  populationOut, median", `${update.populationOutMedianMs} ms`, "", ""],
    ["episode to full restoration", `${episode.ms} ms`, `< ${TARGET.episodeMs} ms`, result.episode.status],
    ["  events / alerts / dispatches", `${episode.events} / ${episode.alerts} / ${episode.dispatches}`, "", ""],
    [
      "  simulated / restored at",
      `${episode.simulatedHours} h / ${episode.minutesToFullRestoration === null ? "never" : round(episode.minutesToFullRestoration)} min`,
      "",
      "",
    ],
    ["peak RSS", `${result.memory.peakRssMB} MB`, `< ${TARGET.peakRssMB} MB`, result.memory.status],
    ["peak heapUsed (sampled)", `${result.memory.peakHeapUsedMB} MB`, "", ""],
  ];
  const w = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length)));
  console.log(
    `bench:world  ${result.date}  node ${result.node}  ${result.cpus} cpu (${result.cpuModel})${result.gcExposed ? "" : "  [no --expose-gc]"}`,
  );
  console.log(
    `scenario: ${sizes.nodes} nodes, ${sizes.links} links, ${sizes.networks} networks, ${sizes.dependencies} dependencies, ${sizes.crews} crews, ${sizes.damage} damaged (seed ${SEED})`,
  );
  console.log("");
  for (const r of rows) console.log(`${r[0].padEnd(w[0])}  ${r[1].padEnd(w[1])}  ${r[2].padEnd(w[2])}  ${r[3]}`);
  console.log("");
  console.log(`service update median by network (ms): ${JSON.stringify(update.medianByNetworkMs)}`);
  console.log(`alert kinds: ${JSON.stringify(episode.alertKinds)}`);
  console.log("episode breakdown (ms):");
  for (const [k, v] of Object.entries(episode.breakdownMs)) {
    console.log(`  ${k.padEnd(34)} ${typeof v === "number" ? v : `${v.ms} (${v.calls} calls)`}`);
  }
  console.log(`memory after each phase: ${JSON.stringify(phaseMemory)}`);
  if (episodeError) console.log(`episode error: ${episodeError}`);
}
process.exitCode = result.allPass ? 0 : 1;
