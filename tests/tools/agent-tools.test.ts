/** Tool results stay within a model's context however many crews a region has. */
import { describe, expect, it } from "vitest";
import { SimulatorWorldProvider } from "../../src/graph/world-provider.js";
import { CREW_LIST_LIMIT, createAgentTools } from "../../src/tools/agent-tools.js";
import { generateRegion } from "../../src/world/scenario/generate.js";

describe("agent tools on a region with 200 crews", () => {
  const scenario = generateRegion({ seed: 3, nodes: 4_000, crews: 200 });
  const world = new SimulatorWorldProvider({ resolveScenario: () => scenario }).get({
    threadId: "t",
    scenario: "region",
    dispatchLog: [],
    clock: 0,
  });
  const tools = new Map(createAgentTools(world).map((t) => [t.name, t]));

  it("get_available_crews lists the crews free soonest and totals per skill for all", async () => {
    const out = JSON.parse(String(await tools.get("get_available_crews")!.invoke({})));
    expect(out.crews_total).toBe(200);
    expect(out.crews).toHaveLength(CREW_LIST_LIMIT);
    const perSkill = scenario.crews.flatMap((c) => c.skills).length;
    expect(Object.values(out.by_skill as Record<string, { crews: number }>).reduce((n, s) => n + s.crews, 0)).toBe(
      perSkill,
    );
    expect(out.crews.map((c: { free_at_minute: number }) => c.free_at_minute)).toEqual(
      [...out.crews.map((c: { free_at_minute: number }) => c.free_at_minute)].sort((a, b) => a - b),
    );
  });

  it("propose_dispatch_plan summarises at most CREW_LIST_LIMIT crews and counts the rest", async () => {
    const out = JSON.parse(String(await tools.get("propose_dispatch_plan")!.invoke({})));
    const plan = world.proposalById(out.proposal_id)!;
    const jobs = plan.assignments.reduce((n, a) => n + a.assetIds.length, 0);
    expect(out.jobs).toBe(jobs);
    expect(out.crews).toBe(plan.assignments.length);
    expect(out.plan_summary).toHaveLength(CREW_LIST_LIMIT);
    expect(out.more_crews.crews).toBe(plan.assignments.length - CREW_LIST_LIMIT);
    const shown = out.plan_summary.reduce((n: number, a: { jobs: number }) => n + a.jobs, 0);
    expect(shown + out.more_crews.jobs).toBe(jobs);
  });
});
