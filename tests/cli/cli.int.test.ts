/** The CLI as a user runs it: a child process, its stdout, stderr and exit status. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = new URL("../..", import.meta.url).pathname;
const tsx = join(root, "node_modules/.bin/tsx");
const env = { ...process.env, OPENAI_API_KEY: "", INFRA_MODEL: "", LANGSMITH_TRACING: "false" };
const cli = (...args: string[]) =>
  spawnSync(tsx, ["src/cli/main.ts", ...args], { cwd: root, env, encoding: "utf8", timeout: 120_000 });
const dir = mkdtempSync(join(tmpdir(), "cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("npm start", () => {
  it("--json prints one JSON object on stdout and nothing else; the incident id goes to stderr", () => {
    const r = cli("--json");
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.status).toBe("restored");
    expect(out.scenario).toBe("demo");
    expect(out.dispatches.length).toBeGreaterThan(0);
    expect(out.planner).toMatchObject({ invalidPlans: 0, fallbacks: 0 });
    expect(out.planner.modelCalls).toBeGreaterThan(0);
    expect(out.statesVisited.slice(0, 4)).toEqual(["INIT", "FAILURE_DETECTION", "IMPACT_ANALYSIS", "REPAIR_PLANNING"]);
    expect(out.figures.minutesToFullRestoration).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/^incident: incident-[0-9a-f]{8}$/m);
  });

  it("shows the states as they happen and a summary with the dispatch table", () => {
    const r = cli("--scenario", "ieee123");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^INIT\s+incident/m);
    expect(r.stdout).toMatch(/^REPAIR_PLANNING\s+model turns: /m);
    expect(r.stdout).toMatch(/crew\s+asset\s+assigned\s+arrived/);
    expect(r.stdout).toMatch(/Customer-minutes interrupted\s+[\d,]+/);
    expect(r.stdout).toMatch(/Planner\s+\d+ model calls, \d+ tool calls/);
  });

  it("--help explains the options", () => {
    const r = cli("--help");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/--scenario/);
    expect(r.stdout).toMatch(/--model/);
  });

  it("bad flags and a bad scenario exit with status 2 and a clear message", () => {
    const flag = cli("--frobnicate");
    expect(flag.status).toBe(2);
    expect(flag.stderr).toMatch(/frobnicate/);
    const proto = cli("--protocol", "xml");
    expect(proto.status).toBe(2);
    const model = cli("--model", "claude");
    expect(model.status).toBe(2);
    expect(model.stderr).toMatch(/unknown model "claude"/);
    const file = join(dir, "bad.json");
    writeFileSync(
      file,
      JSON.stringify({
        name: "bad",
        coordinates: "lonlat",
        nodes: [{ id: "a", network: "power", type: "x", x: 0, y: 0, role: "supply" }],
        links: [{ id: "l", network: "power", from: "a", to: "ghost" }],
      }),
    );
    const bad = cli("--scenario", file, "--json");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/links\[0\]\.to.*unknown node "ghost"/);
    expect(bad.stdout).toBe("");
    expect(cli("--scenario", join(dir, "missing.json")).status).toBe(2);
  });

  it("runs a scenario from a CSV folder", () => {
    const d = join(dir, "csv");
    spawnSync("mkdir", ["-p", d]);
    writeFileSync(join(d, "scenario.json"), JSON.stringify({ name: "tiny", coordinates: { kind: "xy", unit: "km" } }));
    writeFileSync(
      join(d, "nodes.csv"),
      "id,network,type,x,y,population,criticality,role\nS,power,substation,0,0,,,supply\nA,power,feeder,1,0,120,,demand\nB,power,feeder,2,0,80,,demand\n",
    );
    writeFileSync(join(d, "links.csv"), "id,network,from,to,length_km\nL1,power,S,A,\nL2,power,A,B,1.2\n");
    writeFileSync(join(d, "crews.csv"), "id,x,y,skills,capacity_hours,speed_kmh\nK1,0,0,power,8,40\n");
    writeFileSync(join(d, "damage.csv"), "asset,at_minutes\nL1,0\n");
    const r = cli("--scenario", d, "--json");
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.status).toBe("restored");
    expect(out.dispatches.map((x: { assetId: string }) => x.assetId)).toEqual(["L1"]);
  });
});
