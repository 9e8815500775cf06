/**
 * One incident end to end on the offline planner, measured; run by scripts/bench.ts in a child
 * process per size so that peak memory (the process's max RSS) belongs to that size alone.
 *
 *   node --import tsx scripts/bench-incident.ts --scenario demo|ieee123
 *   node --import tsx scripts/bench-incident.ts --nodes 100000 [--seed 7]
 *
 * Prints one JSON object on stdout: wall time (scenario build, incident), peak RSS, planner
 * counters, graph runs and supersteps, and the size of the graph state per checkpoint
 * (MemorySaver's serialized checkpoints; the largest, and its biggest channels).
 */
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { MemorySaver } from "@langchain/langgraph";
import { SimulatorWorldProvider } from "../src/graph/world-provider.js";
import { runIncident } from "../src/incident/runner.js";
import { generateRegion } from "../src/world/scenario/generate.js";
import { loadScenario } from "../src/world/scenario/load.js";
import type { Scenario } from "../src/world/scenario/schema.js";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { scenario: { type: "string" }, nodes: { type: "string" }, seed: { type: "string", default: "7" } },
});

const t0 = performance.now();
let scenario: Scenario;
if (values.nodes)
  scenario = generateRegion({
    seed: Number(values.seed),
    nodes: Number(values.nodes),
    name: `synthetic-${values.nodes}`,
  });
else scenario = loadScenario(values.scenario ?? "demo");
const buildMs = performance.now() - t0;

const saver = new MemorySaver();
const worlds = new SimulatorWorldProvider({
  resolveScenario: (ref) => (ref === scenario.name ? scenario : loadScenario(ref)),
});
let supersteps = 0;
const t1 = performance.now();
const result = await runIncident({
  scenario: scenario.name,
  worlds,
  checkpointer: saver,
  incidentId: "bench",
  config: { model: "offline" },
  onStep: () => {
    supersteps++;
  },
});
const incidentMs = performance.now() - t1;

// Checkpoint sizes: every serialized checkpoint MemorySaver holds for the incident's thread.
let checkpoints = 0,
  maxBytes = 0,
  totalBytes = 0,
  maxId = "";
for (const [ns, byId] of Object.entries(saver.storage["bench"] ?? {})) {
  for (const [id, [checkpoint]] of Object.entries(byId)) {
    checkpoints++;
    totalBytes += checkpoint.byteLength;
    if (checkpoint.byteLength > maxBytes) {
      maxBytes = checkpoint.byteLength;
      maxId = `${ns}|${id}`;
    }
  }
}
// What fills the largest checkpoint: each channel's JSON size.
const largestChannels: { channel: string; bytes: number }[] = [];
if (maxId) {
  const [ns, id] = maxId.split("|");
  const tuple = await saver.getTuple({ configurable: { thread_id: "bench", checkpoint_ns: ns, checkpoint_id: id } });
  for (const [channel, value] of Object.entries(tuple?.checkpoint.channel_values ?? {})) {
    largestChannels.push({ channel, bytes: Buffer.byteLength(JSON.stringify(value) ?? "") });
  }
  largestChannels.sort((a, b) => b.bytes - a.bytes);
}

const damaged = new Set(result.dispatches.map((d) => d.assetId)).size;
process.stdout.write(
  `${JSON.stringify({
    scenario: scenario.name,
    nodes: scenario.nodes.length,
    links: scenario.links.length,
    crews: scenario.crews.length,
    damagedListed: scenario.damage.length,
    assetsRepaired: damaged,
    status: result.status,
    buildMs: Math.round(buildMs),
    incidentMs: Math.round(incidentMs),
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    runs: result.runs,
    supersteps,
    counters: result.counters,
    checkpoints,
    maxCheckpointKB: Math.round(maxBytes / 102.4) / 10,
    meanCheckpointKB: checkpoints ? Math.round(totalBytes / checkpoints / 102.4) / 10 : 0,
    largestCheckpointChannelsKB: largestChannels
      .slice(0, 5)
      .map((c) => ({ channel: c.channel, kb: Math.round(c.bytes / 102.4) / 10 })),
    weightedCustomerMinutes: result.metrics.weightedCustomerMinutesInterrupted,
  })}\n`,
);
process.exit(0);
