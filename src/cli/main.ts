/**
 * `npm start`: run an incident to full restoration and show the state machine as it moves.
 * Exit status: see EXIT_CODES in the help below.
 */
import type { Protocol } from "../prompts/assemble.js";
import { parseArgs } from "node:util";
import { flushTraces, prepareTracing } from "../observability/tracing.js";
import { DEFAULTS } from "../graph/configuration.js";
import { LEASE_RELEASE_ON_EXIT_MS, MAX_STEPS_CEILING, STEPS_FOR_ONE_DISPATCH } from "../limits.js";
import { SimulatorWorldProvider } from "../graph/world-provider.js";
import { runIncident } from "../incident/runner.js";
import { chooseModel, createChatModel, ModelConfigError } from "../models/index.js";
import { ScenarioError } from "../world/scenario/issues.js";
import { randomUUID } from "node:crypto";
import { checkReportPath, isReportPathError, writeReportAtomically } from "./report-file.js";
import { renderIncidentReport } from "../report/html.js";
import { CUSTOMERS_NOTE, clock, describeStep, summary } from "./format.js";
import { OperatorInputClosed, terminalApproval } from "./approve.js";
import { registerSecret, scrub } from "../observability/scrub.js";
import { acquireLease, describeHolder, fencedSaver, isIncidentHeld, isLeaseLost } from "../persistence/lease.js";
import { isWorldWorkExceeded } from "../world/work-budget.js";
import {
  CheckpointConfigError,
  describeCheckpointSetting,
  describeStoreError,
  openCheckpointer,
  parseCheckpointSetting,
  redactUrl,
} from "../persistence/checkpointer.js";

const HELP = `Usage: npm start -- [options]

Runs an incident on a utility network, from the first alert to full restoration:
detect failures, estimate their impact, plan repairs, dispatch crews, and re-check for
cascading failures, on the simulated world's clock.

Options:
  --scenario NAME|FILE|DIR   demo (default), ieee123, a scenario JSON file, or a CSV folder
  --model NAME               offline (the default; INFRA_MODEL changes it) or openai/<model>
                             (OPENAI_API_KEY, OPENAI_BASE_URL for Ollama, vLLM, LM Studio, llama.cpp's
                             server); a key alone does not choose a model
  --protocol tools|json      native tool calls (default) or the JSON action protocol
  --seed N                   seed of the world's random draws (storm damage); a resumed incident
                             keeps its own (a different --seed with --resume is refused)
  --max-steps N              FSM steps allowed in one graph run, FINAL included (default
                             ${DEFAULTS.maxSteps}; at least ${STEPS_FOR_ONE_DISPATCH}, what one planning round and dispatch take)
  --json                     print one JSON object with the outcome, and nothing else on stdout
                             (through npm: npm start --silent -- --json, or npm prints its banner first)
  --report FILE.html         also write a self-contained HTML incident report (map, curve, timeline)
  --approve                  ask the operator before each dispatch: a = approve, r <reason> = reject,
                             e <json> = edit (one answer per line; piped answers work too)
  --checkpoint WHERE         where the incident's checkpoints go: memory (default), sqlite:PATH
                             (one local file), postgres:URL (postgresql://user@host:5432/db)
  --resume INCIDENT_ID       continue an incident from its last checkpoint (needs sqlite: or postgres:)
  --wait                     if another process is running the incident, wait for it instead of exiting 2
  -h, --help                 this help

Exit status:
  0  the incident ran to its end (restored, stable, waiting)
  1  the run ended in an error (or its step limit), or the checkpoint store failed
  130, 143  interrupted (Ctrl-C, SIGTERM): the incident's lease is given back first
  2  bad flags, a bad scenario, an incident not in the store, an incident another process runs,
     --resume with a --scenario or --seed not the incident's, or a --report path that cannot be written (checked before the incident runs)
  3  the incident ran to its end, but the --report file could not be written
`;

class UsageError extends Error {}

function parse(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      scenario: { type: "string" },
      model: { type: "string" },
      protocol: { type: "string" },
      seed: { type: "string" },
      "max-steps": { type: "string" },
      approve: { type: "boolean", default: false },
      checkpoint: { type: "string" },
      resume: { type: "string" },
      wait: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      report: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const int = (name: string, v: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got "${v}"`);
    return n;
  };
  const protocol = values.protocol ?? "tools";
  if (protocol !== "tools" && protocol !== "json")
    throw new UsageError(`--protocol must be "tools" or "json", got "${protocol}"`);
  let checkpoint;
  try {
    checkpoint = parseCheckpointSetting(values.checkpoint ?? "memory");
  } catch (e) {
    throw e instanceof CheckpointConfigError ? new UsageError(e.message) : e;
  }
  if (values.resume !== undefined && !/^[\w.:-]{1,200}$/.test(values.resume))
    throw new UsageError(
      `--resume needs an incident id (as printed at the start: "incident: <id>"), got "${values.resume}"`,
    );
  if (values.resume !== undefined && checkpoint.kind === "memory")
    throw new UsageError(
      "--resume needs a durable --checkpoint (sqlite:PATH or postgres:URL): memory checkpoints end with their process",
    );
  const chosen = chooseModel(values.model);
  return {
    scenario: values.scenario ?? "demo",
    scenarioGiven: values.scenario !== undefined,
    model: chosen.model,
    modelWhy: chosen.why,
    protocol: protocol as Protocol,
    seed: int("seed", values.seed, 0),
    maxSteps: int("max-steps", values["max-steps"], STEPS_FOR_ONE_DISPATCH, MAX_STEPS_CEILING),
    json: values.json ?? false,
    report: values.report,
    approve: values.approve ?? false,
    checkpoint,
    resume: values.resume,
    wait: values.wait ?? false,
    help: values.help ?? false,
  };
}

async function main(argv: string[]): Promise<number> {
  let opts: ReturnType<typeof parse>;
  try {
    opts = parse(argv);
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n\n${HELP}`);
    return 2;
  }
  // A password given in --checkpoint is a secret too: no error text may carry it.
  if (opts.checkpoint.kind === "postgres")
    registerSecret(
      new URL(opts.checkpoint.url).password ? decodeURIComponent(new URL(opts.checkpoint.url).password) : null,
    );
  if (opts.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const worlds = new SimulatorWorldProvider();
  try {
    // The report's path is checked before anything runs: a bad one is a usage error.
    if (opts.report) checkReportPath(opts.report);
  } catch (e) {
    if (isReportPathError(e)) {
      process.stderr.write(`error: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  try {
    worlds.scenario(opts.scenario);
    createChatModel(opts.model);
  } catch (e) {
    if (e instanceof ScenarioError || e instanceof ModelConfigError) {
      process.stderr.write(`error: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const out = (line: string) => (opts.json ? process.stderr : process.stdout).write(`${line}\n`);
  const quiet = opts.json;
  const started = Date.now();
  // LangSmith: an endpoint that does not answer turns tracing off with a warning, instead of a long stall at exit.
  const tracing = await prepareTracing();
  for (const w of tracing.warnings) process.stderr.write(`warning: ${w}\n`);
  if (tracing.enabled)
    process.stderr.write(
      `tracing: LangSmith at ${tracing.endpoint}, project ${process.env.LANGSMITH_PROJECT || process.env.LANGCHAIN_PROJECT || "default"}\n`,
    );
  let store;
  storeSetting = opts.checkpoint;
  try {
    store = await openCheckpointer(opts.checkpoint);
  } catch (e) {
    process.stderr.write(`error: ${redactUrl((e as Error).message)}\n`);
    return 1;
  }
  const stored = opts.resume
    ? await store.saver.getTuple({ configurable: { thread_id: opts.resume, checkpoint_ns: "" } })
    : undefined;
  if (opts.resume && !stored) {
    process.stderr.write(`error: no incident "${opts.resume}" in ${describeCheckpointSetting(opts.checkpoint)}\n`);
    await store.close();
    return 2;
  }
  // A resumed incident keeps the scenario it started on: a different --scenario is refused, not ignored.
  const storedScenario = stored?.checkpoint.channel_values?.scenario as string | undefined;
  if (opts.resume && opts.scenarioGiven && storedScenario && storedScenario !== opts.scenario) {
    process.stderr.write(
      `error: incident "${opts.resume}" runs on scenario "${storedScenario}", not "${opts.scenario}": a resumed incident keeps its scenario (leave --scenario out)\n`,
    );
    await store.close();
    return 2;
  }
  // ... and its seed: a different --seed is refused too (the world is rebuilt from the incident's own).
  const storedSeed = (stored?.checkpoint.channel_values?.seed ?? null) as number | null;
  if (opts.resume && opts.seed !== undefined && opts.seed !== storedSeed) {
    process.stderr.write(
      `error: incident "${opts.resume}" runs with ${storedSeed === null ? "its scenario's own seed" : `seed ${storedSeed}`}, not ${opts.seed}: the seed is the incident's, fixed when it started (leave --seed out)\n`,
    );
    await store.close();
    return 2;
  }
  const incidentId = opts.resume ?? `incident-${randomUUID().slice(0, 8)}`;
  // One writer per incident: the lease is taken before running and checked before every checkpoint write.
  let lease;
  try {
    lease = await acquireLease(store, incidentId, {
      wait: opts.wait,
      onWait: (h) => process.stderr.write(`waiting: incident "${incidentId}" is being run by ${describeHolder(h)}\n`),
    });
  } catch (e) {
    await store.close();
    if (isIncidentHeld(e)) {
      process.stderr.write(`error: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  // Ctrl-C: say what became of the incident and how to continue it (set before the incident id is shown,
  // so that whoever reads it can interrupt).
  // Ctrl-C and SIGTERM give the incident back (its lease) before the process goes, so that no one
  // finds it held by a process that is gone; a store that does not answer holds the exit at most
  // LEASE_RELEASE_ON_EXIT_MS.
  const heldLease = lease;
  const onSignal = (code: number) => {
    if (exitingOnSignal) return;
    exitingOnSignal = true;
    const hint =
      opts.checkpoint.kind === "memory"
        ? "its checkpoints were in memory only and are gone (--checkpoint sqlite:PATH makes an incident resumable)"
        : `continue it with: npm start -- --checkpoint ${describeCheckpointSetting(opts.checkpoint)} --resume ${incidentId}`;
    process.stderr.write(`\ninterrupted: incident ${incidentId} stopped; ${hint}\n`);
    setTimeout(() => process.exit(code), LEASE_RELEASE_ON_EXIT_MS);
    heldLease
      .release()
      .catch(() => {})
      .finally(() => process.exit(code));
  };
  process.once("SIGINT", () => onSignal(130));
  process.once("SIGTERM", () => onSignal(143));
  process.stderr.write(`incident: ${incidentId}\n`);
  process.stderr.write(`model: ${opts.model} (${opts.modelWhy})\n`);
  if (storedScenario) process.stderr.write(`scenario: ${storedScenario} (the incident's own)\n`);
  if (opts.checkpoint.kind !== "memory")
    process.stderr.write(
      `checkpoints: ${describeCheckpointSetting(opts.checkpoint)}${opts.resume ? " (resuming)" : ""}\n`,
    );
  // The operator answers at the terminal; the plan is shown where the run's log goes.
  const approval = opts.approve ? terminalApproval(process.stdin, opts.json ? process.stderr : process.stdout) : null;
  const result = await runIncident({
    incidentId,
    checkpointer: fencedSaver(store.saver, lease),
    lease,
    resume: Boolean(opts.resume),
    ...(approval ? { onInterrupt: (value: unknown) => approval.answer(value) } : {}),
    scenario: storedScenario ?? opts.scenario,
    worlds,
    config: {
      model: opts.model,
      protocol: opts.protocol,
      ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
      ...(opts.maxSteps ? { maxSteps: opts.maxSteps } : {}),
      ...(opts.approve ? { requireApproval: true } : {}),
    },
    onTrigger: (t, run) => {
      if (!quiet) out(`\n== run ${run}: ${t.kind} at ${clock(t.at)}: ${t.message}`);
    },
    onStep: (name, update) => {
      if (!quiet) for (const line of describeStep(name, update)) out(line);
    },
  });
  if (opts.json) {
    process.stdout.write(
      `${JSON.stringify({
        status: result.status,
        reason: result.reason,
        incidentId: result.incidentId,
        scenario: result.scenario,
        model: opts.model,
        protocol: opts.protocol,
        figures: { ...result.metrics, restorationCurve: undefined },
        // Population figures (totalPopulation, populationOut...) count customers, not unique people.
        counting: CUSTOMERS_NOTE,
        restorationCurve: result.metrics.restorationCurve,
        dispatches: result.dispatches,
        planner: { ...result.counters, tokensEstimated: opts.model === "offline" },
        // Every time the optimizer's plan replaced the planner's (model outage, deviation gate, invalid plans), with the reason.
        fallbacks: result.finalState.planOverrides ?? [],
        // The operator's decisions (--approve): approve, reject with its reason, edit, release, pins the world dropped; each at its minute.
        operatorDecisions: result.operatorDecisions,
        runs: result.runs,
        triggers: result.triggers,
        statesVisited: result.statesVisited,
        wallMs: Date.now() - started,
      })}\n`,
    );
  } else {
    out(summary(result, { tokensEstimated: opts.model === "offline" }));
  }
  let reportFailed = false;
  if (opts.report) {
    try {
      writeReportAtomically(opts.report, renderIncidentReport(result));
      process.stderr.write(`report: ${opts.report}\n`);
    } catch (e) {
      reportFailed = true;
      process.stderr.write(`error: the incident is fine (${result.status}), but ${scrub((e as Error).message)}\n`);
    }
  }
  await lease.release();
  await store.close();
  if (!(await flushTraces()))
    process.stderr.write("warning: not all LangSmith traces were sent before the flush timeout\n");
  if (result.status === "error" || result.status === "max_steps") return 1;
  return reportFailed ? 3 : 0;
}

/** Set once the store is chosen, so that its errors can be told in plain words. */
let storeSetting: ReturnType<typeof parseCheckpointSetting> | undefined;

/** Set by Ctrl-C or SIGTERM: the signal's handler exits (after giving the lease back), whatever the run does meanwhile. */
let exitingOnSignal = false;

main(process.argv.slice(2)).then(
  (code) => {
    if (!exitingOnSignal) process.exit(code);
  },
  (e) => {
    // The lease given back on a signal makes the run's next write fail (LeaseLost): not an error to report.
    if (exitingOnSignal) return;
    // A scenario that cannot be loaded (say, a resumed incident whose file is gone) is bad input, not a crash.
    if (e instanceof ScenarioError) {
      process.stderr.write(`error: ${e.message}\n`);
      process.exit(2);
    }
    // A scenario too hard to simulate (its work budget ran out), a lease lost: one plain line.
    if (isWorldWorkExceeded(e) || isLeaseLost(e)) {
      process.stderr.write(`error: ${scrub((e as Error).message)}\n`);
      process.exit(1);
    }
    const storeError = storeSetting ? describeStoreError(e, storeSetting) : null;
    if (storeError) {
      process.stderr.write(`error: ${storeError}\n`);
      process.exit(1);
    }
    process.stderr.write(
      `error: ${scrub(String(e instanceof OperatorInputClosed ? e.message : ((e as Error).stack ?? e)))}\n`,
    );
    process.exit(1);
  },
);
