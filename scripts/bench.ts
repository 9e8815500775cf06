/**
 * Engine and scale: `npm run bench` prints tables; `npm run bench -- --json` one JSON object.
 *
 * 1. Overhead of the graph itself: the demo incident through the full graph (offline planner,
 *    MemorySaver), and a bare LangGraph graph (one counter channel, nodes that do nothing)
 *    driven through the same number of runs and supersteps on the same kind of checkpointer.
 *    Medians of --reps repetitions after a warm-up.
 * 2. End to end on the offline planner: demo, ieee123 and synthetic regions (default 1,000,
 *    10,000 and 100,000 nodes, about 2 % of assets damaged, a crew per 500 nodes), each in
 *    its own child process (scripts/bench-incident.ts) so its peak RSS is its own. Targets:
 *    100,000 nodes in under 60 s and 1.5 GB; every checkpoint under 256 KB.
 *
 * Options: --sizes 1000,10000,100000  --timeout SECONDS (per child, default 240)  --reps N (5)
 *          --skip-overhead  --skip-scale  --json
 */
import { spawn } from "node:child_process";
import { cpus, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { Annotation, END, MemorySaver, START, StateGraph } from "@langchain/langgraph";
import { runIncident } from "../src/incident/runner.js";
import { SimulatorWorldProvider } from "../src/graph/world-provider.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const TARGETS = { seconds100k: 60, peakRssMB100k: 1536, checkpointKB: 256 };

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    json: { type: "boolean", default: false },
    sizes: { type: "string", default: "1000,10000,100000" },
    timeout: { type: "string", default: "240" },
    reps: { type: "string", default: "5" },
    "skip-overhead": { type: "boolean", default: false },
    "skip-scale": { type: "boolean", default: false },
  },
});
const log = (s: string) => process.stderr.write(`${s}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const round = (v: number, d = 2) => Math.round(v * 10 ** d) / 10 ** d;

// ---------------------------------------------------------------- 1. graph overhead

interface Overhead {
  scenario: string;
  runs: number;
  supersteps: number;
  fullMs: number;
  bareMs: number;
  ratio: number;
  fullMsPerSuperstep: number;
  bareMsPerSuperstep: number;
}

/** A graph with one counter channel whose node does nothing but count: LangGraph's own cost per superstep. */
function bareGraph() {
  const S = Annotation.Root({
    n: Annotation<number>({ reducer: (_a, b) => b, default: () => 0 }),
    target: Annotation<number>({ reducer: (_a, b) => b, default: () => 0 }),
  });
  return new StateGraph(S)
    .addNode("step", (s: typeof S.State) => ({ n: s.n + 1 }))
    .addEdge(START, "step")
    .addConditionalEdges("step", (s: typeof S.State) => (s.n >= s.target ? END : "step"))
    .compile({ checkpointer: new MemorySaver() });
}

async function measureOverhead(reps: number): Promise<Overhead> {
  const worlds = new SimulatorWorldProvider();
  const full = async (i: number) => {
    let perRun: number[] = [];
    let run = 0;
    const t = performance.now();
    await runIncident({
      scenario: "demo",
      worlds,
      incidentId: `overhead-${i}`,
      config: { model: "offline" },
      onTrigger: (_t, r) => {
        run = r;
        perRun[r - 1] = 0;
      },
      onStep: () => {
        perRun[run - 1]++;
      },
    });
    const ms = performance.now() - t;
    worlds.evict(`overhead-${i}`);
    perRun = perRun.filter((n) => n > 0);
    return { ms, perRun };
  };
  const bare = async (perRun: number[], i: number) => {
    const app = bareGraph();
    const config = { configurable: { thread_id: `bare-${i}` }, recursionLimit: Math.max(...perRun) + 5 };
    const t = performance.now();
    let total = 0;
    // Each run starts from where the last one stopped, like the incident's runs on one thread.
    for (const steps of perRun) {
      total += steps;
      await app.invoke({ target: total }, config);
    }
    return performance.now() - t;
  };
  const warm = await full(-1);
  await bare(warm.perRun, -1);
  const fullMs: number[] = [],
    bareMs: number[] = [];
  let shape = warm.perRun;
  for (let i = 0; i < reps; i++) {
    const f = await full(i);
    shape = f.perRun;
    fullMs.push(f.ms);
    bareMs.push(await bare(f.perRun, i));
  }
  const supersteps = shape.reduce((a, b) => a + b, 0);
  const f = median(fullMs),
    b = median(bareMs);
  return {
    scenario: "demo",
    runs: shape.length,
    supersteps,
    fullMs: round(f, 1),
    bareMs: round(b, 1),
    ratio: round(f / b, 1),
    fullMsPerSuperstep: round(f / supersteps, 3),
    bareMsPerSuperstep: round(b / supersteps, 3),
  };
}

// ---------------------------------------------------------------- 2. end to end, one child per size

interface ScaleRow {
  scenario: string;
  nodes?: number;
  status: string;
  incidentMs?: number;
  buildMs?: number;
  peakRssMB?: number;
  modelCalls?: number;
  planningRounds?: number;
  runs?: number;
  supersteps?: number;
  checkpoints?: number;
  maxCheckpointKB?: number;
  largestCheckpointChannelsKB?: { channel: string; kb: number }[];
  error?: string;
}

function runChild(args: string[], timeoutSec: number): Promise<ScaleRow> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "scripts/bench-incident.ts"), ...args], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let out = "",
      err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const started = performance.now();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        /* gone */
      }
    }, timeoutSec * 1000);
    child.on("close", (code) => {
      clearTimeout(timer);
      const label = args.join(" ");
      if (timedOut)
        return resolve({
          scenario: label,
          status: "timeout",
          incidentMs: Math.round(performance.now() - started),
          error: `killed after ${timeoutSec} s`,
        });
      try {
        const j = JSON.parse(out.trim().split("\n").pop() ?? "");
        resolve({ ...j, modelCalls: j.counters.modelCalls, planningRounds: j.counters.planningRounds });
      } catch {
        resolve({
          scenario: label,
          status: "error",
          error: `exit ${code}: ${err.trim().split("\n").slice(-3).join(" | ")}`,
        });
      }
    });
  });
}

async function measureScale(sizes: number[], timeoutSec: number): Promise<ScaleRow[]> {
  const rows: ScaleRow[] = [];
  const jobs = [["--scenario", "demo"], ["--scenario", "ieee123"], ...sizes.map((n) => ["--nodes", String(n)])];
  for (const args of jobs) {
    log(`bench: ${args.join(" ")} ...`);
    const row = await runChild(args, timeoutSec);
    log(
      `bench: ${row.scenario}: ${row.status}, ${row.incidentMs} ms, ${row.peakRssMB ?? "-"} MB, max checkpoint ${row.maxCheckpointKB ?? "-"} KB`,
    );
    rows.push(row);
  }
  return rows;
}

// ---------------------------------------------------------------- output

function table(header: string[], rows: (string | number | undefined)[][]): string {
  const line = (cells: (string | number | undefined)[]) =>
    `| ${cells.map((c) => (c === undefined ? "-" : String(c))).join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

const machine = {
  date: new Date().toISOString().slice(0, 10),
  node: process.versions.node,
  cores: cpus().length,
  cpu: cpus()[0]?.model ?? "?",
  memoryGB: round(totalmem() / 2 ** 30, 1),
};
const overhead = values["skip-overhead"] ? null : await measureOverhead(Number(values.reps));
const sizes = values.sizes
  .split(",")
  .map((s) => Number(s.trim()))
  .filter((n) => Number.isInteger(n) && n > 0);
const scale = values["skip-scale"] ? [] : await measureScale(sizes, Number(values.timeout));
const big = scale.find((r) => r.nodes === 100_000);
const maxCheckpoint = Math.max(0, ...scale.map((r) => r.maxCheckpointKB ?? 0));
const targets = [
  ...(big
    ? [
        {
          name: "100,000-node incident under 60 s",
          value: big.incidentMs !== undefined ? round(big.incidentMs / 1000, 1) : null,
          limit: TARGETS.seconds100k,
          met: big.status === "restored" && (big.incidentMs ?? Infinity) / 1000 < TARGETS.seconds100k,
        },
        {
          name: "100,000-node incident under 1.5 GB peak RSS",
          value: big.peakRssMB ?? null,
          limit: TARGETS.peakRssMB100k,
          met: big.peakRssMB !== undefined && big.peakRssMB < TARGETS.peakRssMB100k,
        },
      ]
    : []),
  ...(scale.length
    ? [
        {
          name: "every checkpoint under 256 KB (max KB over all sizes)",
          value: maxCheckpoint,
          limit: TARGETS.checkpointKB,
          met: maxCheckpoint < TARGETS.checkpointKB && scale.every((r) => r.maxCheckpointKB !== undefined),
        },
      ]
    : []),
];

if (values.json) {
  process.stdout.write(`${JSON.stringify({ machine, overhead, scale, targets })}\n`);
} else {
  const out: string[] = [
    `# Engine and scale (${machine.date}, Node ${machine.node}, ${machine.cores} cores, ${machine.cpu}, ${machine.memoryGB} GB)`,
    "",
  ];
  if (overhead) {
    out.push("## Graph overhead (demo incident, median of runs)", "");
    out.push(
      table(
        ["graph", "runs", "supersteps", "ms", "ms / superstep"],
        [
          [
            "full agent graph (offline planner)",
            overhead.runs,
            overhead.supersteps,
            overhead.fullMs,
            overhead.fullMsPerSuperstep,
          ],
          [
            "bare LangGraph graph (no work)",
            overhead.runs,
            overhead.supersteps,
            overhead.bareMs,
            overhead.bareMsPerSuperstep,
          ],
        ],
      ),
      "",
      `Full / bare: ${overhead.ratio}x`,
      "",
    );
  }
  if (scale.length) {
    out.push("## End to end, offline planner (one child process per size)", "");
    out.push(
      table(
        [
          "scenario",
          "nodes",
          "status",
          "incident s",
          "peak RSS MB",
          "model calls",
          "rounds",
          "runs",
          "supersteps",
          "checkpoints",
          "max checkpoint KB",
          "largest channels (KB)",
        ],
        scale.map((r) => [
          r.scenario,
          r.nodes,
          r.status + (r.error ? ` (${r.error})` : ""),
          r.incidentMs !== undefined ? round(r.incidentMs / 1000, 1) : undefined,
          r.peakRssMB,
          r.modelCalls,
          r.planningRounds,
          r.runs,
          r.supersteps,
          r.checkpoints,
          r.maxCheckpointKB,
          r.largestCheckpointChannelsKB
            ?.slice(0, 3)
            .map((c) => `${c.channel} ${c.kb}`)
            .join(", "),
        ]),
      ),
      "",
    );
  }
  if (targets.length)
    out.push(
      "## Targets",
      "",
      table(
        ["target", "value", "limit", "met"],
        targets.map((t) => [t.name, t.value ?? "-", t.limit, t.met ? "yes" : "NO"]),
      ),
      "",
    );
  process.stdout.write(`${out.join("\n")}\n`);
}
process.exit(0);
