// Captures the first REPAIR_PLANNING request of the demo as ChatOpenAI sends it to the local stand-in
// (docs/models.md shows it). Run: npx tsx tests/support/capture-request.mts > /tmp/request.json
import { SimulatorWorldProvider } from "../../src/graph/world-provider.js";
import { runIncident } from "../../src/incident/runner.js";
import { startOpenAIServer } from "./openai-server.js";
import { MODEL, modelFor } from "../llm/helpers.js";
import { planner } from "../llm/planner-rule.js";

const server = await startOpenAIServer(planner);
try {
  await runIncident({
    scenario: "demo",
    worlds: new SimulatorWorldProvider(),
    maxRuns: 1,
    model: modelFor(server),
    config: { model: MODEL },
  });
  process.stdout.write(
    `${JSON.stringify(
      server.requests.map((r) => r.body),
      null,
      1,
    )}\n`,
  );
} finally {
  await server.close();
}
