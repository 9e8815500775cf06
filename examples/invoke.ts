/**
 * The shortest useful script: load a scenario, invoke the agent's graph on the first alert,
 * print the crews it dispatched.
 *
 *   npm run example                      # the demo scenario, offline planner
 *   npm run example -- ieee123           # a shipped scenario, a JSON file or a CSV folder
 *   npm run example -- demo openai/gpt-4o-mini
 *
 * One invoke is one graph run: from the alert to FINAL. src/incident/runner.ts (npm start)
 * goes on to re-trigger the graph on every later alert until the network is restored.
 */
import { graph } from "../src/graph/graph.js";
import { defaultWorldProvider as worlds } from "../src/graph/world-provider.js";

const [scenarioRef = "demo", model = "offline"] = process.argv.slice(2);
const scenario = worlds.scenario(scenarioRef); // loads and validates it
console.log(`${scenario.name}: ${scenario.nodes.length} nodes, ${scenario.crews.length} crews`);

const incidentId = "example-1";
const state = await graph.invoke(
  { trigger: { kind: "alert", at: 0, message: "failures reported" }, incidentId },
  { configurable: { thread_id: incidentId, scenario: scenarioRef, model } },
);
console.log(`${state.statesVisited.join(" -> ")}`);
console.log(`${state.status}: ${state.finalReason}`);

// The world is rebuilt from the state (scenario, seed, dispatch log, clock): the dispatches as they stand.
const world = worlds.get({
  threadId: incidentId,
  scenario: state.scenario,
  seed: state.seed,
  dispatchLog: state.dispatchLog,
  clock: state.clock,
});
const minutes = (t?: number) => (t === undefined ? "-" : `${Math.round(t)} min`);
console.table(
  world.dispatches().map((d) => ({
    crew: d.crewId,
    asset: d.assetId,
    assigned: minutes(d.assignedAt),
    arrived: minutes(d.arrivedAt),
    repaired: minutes(d.repairedAt),
    status: d.status,
  })),
);
