/**
 * Work budgets in the world's synchronous loops: a scenario that makes one simulator step work
 * far beyond its size stops that step with WorldWorkExceeded (instead of running for minutes
 * or overflowing the stack), the graph's fault barrier turns it into the run's error, and the
 * shipped scenarios stay far below the budgets.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemorySaver } from "@langchain/langgraph";
import { afterAll, describe, expect, it } from "vitest";
import { runIncident } from "../../src/incident/runner.js";
import { SERVICE_UPDATE_MIN_WORK } from "../../src/limits.js";
import { loadScenario } from "../../src/world/scenario/load.js";
import { World } from "../../src/world/simulator.js";
import { isWorldWorkExceeded, WorldWorkExceeded } from "../../src/world/work-budget.js";
import { dependencyChain, dependencyLadder } from "../support/pathological.js";
import { childEnv, runTsx } from "./support/processes.js";

const dir = mkdtempSync(join(tmpdir(), "world-budgets-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error("expected it to throw");
}

describe("work budgets in the world's loops", () => {
  it("a long dependency chain across two networks: the service fixed point stops with WorldWorkExceeded", () => {
    // 2 x 20,000 nodes: 40,000 fixed-point rounds of 20,000 nodes each (8e8 node visits) unbounded.
    const e = thrown(() => new World(dependencyChain(20_000)));
    expect(isWorldWorkExceeded(e)).toBe(true);
    expect(e).toBeInstanceOf(WorldWorkExceeded);
    expect((e as WorldWorkExceeded).loop).toBe("service update");
    expect((e as Error).message).toMatch(
      /^the service update stopped after 5,000,000 units of work, its budget \([\d,]+ fixed-point rounds on 80,002 assets\)/,
    );
    expect((e as WorldWorkExceeded).transient).toBe(false);
  });

  it("the same chain, short, is simulated exactly: every node out, its root cause the one fault", () => {
    const w = new World(dependencyChain(100));
    const snap = w.detectFailures();
    expect(snap.outOfService).toHaveLength(200); // every p_i and t_i (p1 through its damaged line)
    for (const f of snap.outOfService) expect(f.rootCauses).toEqual(["lp1"]);
  });

  it("a ladder of 20,000 networks: the update is linear, the root-cause analysis stops with WorldWorkExceeded (no stack overflow)", () => {
    const w = new World(dependencyLadder(20_000));
    const e = thrown(() => w.detectFailures());
    expect(isWorldWorkExceeded(e)).toBe(true);
    expect((e as WorldWorkExceeded).loop).toBe("outage analysis");
    // A short ladder: each node's root cause is found down the whole chain, in order.
    const small = new World(dependencyLadder(300)).detectFailures();
    expect(small.outOfService.length).toBe(2 * 300 - 1);
    for (const f of small.outOfService) expect(f.rootCauses).toEqual(["l1"]);
  });

  it("through the graph: INIT records the error in state (status error); runIncident then says it, typed", async () => {
    const file = join(dir, "chain.json");
    writeFileSync(file, JSON.stringify(dependencyChain(20_000)));
    const checkpointer = new MemorySaver();
    const run = runIncident({ scenario: file, incidentId: "chain", checkpointer, config: { model: "offline" } });
    await expect(run).rejects.toSatisfy(isWorldWorkExceeded);
    const saved = await checkpointer.getTuple({ configurable: { thread_id: "chain", checkpoint_ns: "" } });
    const state = saved?.checkpoint.channel_values as { status?: string; fatalError?: string };
    expect(state.status).toBe("error");
    expect(state.fatalError).toMatch(
      /^cannot load the world: the service update stopped after 5,000,000 units of work/,
    );
  });

  it("through the graph: a budget running out in a later step is the run's error (the fault barrier, no retry)", async () => {
    const file = join(dir, "ladder.json");
    writeFileSync(file, JSON.stringify(dependencyLadder(20_000)));
    const r = await runIncident({ scenario: file, config: { model: "offline" } });
    expect(r.status).toBe("error");
    expect(r.reason).toMatch(
      /^FAILURE_DETECTION failed: WorldWorkExceeded: the outage analysis stopped after 5,000,000 units of work/,
    );
    expect(r.finalState.errors.filter((e) => /retried after/.test(e))).toEqual([]);
  });

  it("the CLI: one plain line and exit 1, no stack", async () => {
    const file = join(dir, "chain-cli.json");
    writeFileSync(file, JSON.stringify(dependencyChain(20_000)));
    const r = await runTsx("src/cli/main.ts", ["--scenario", file, "--json"], childEnv());
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^error: the service update stopped after 5,000,000 units of work/m);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("the shipped scenarios are far below the budgets", () => {
    for (const name of ["demo", "ieee123", "shelby"]) {
      const w = new World(loadScenario(name));
      w.advanceTo(24 * 60);
      expect(() => w.detectFailures()).not.toThrow();
    }
    expect(SERVICE_UPDATE_MIN_WORK).toBeGreaterThan(1_000_000);
  });
});
