/**
 * The failure-management state machine as a LangGraph.js graph: one node per FSM state, and
 * the three checks of the original flow chart as conditional edges (src/graph/routes.ts).
 *
 *   INIT -> FAILURE_DETECTION -(failures found?)-> IMPACT_ANALYSIS -> REPAIR_PLANNING
 *   REPAIR_PLANNING -(valid action?)-> EXECUTION -> RESCHEDULING -(new failures?)-> FAILURE_DETECTION | FINAL
 */
import { END, START, StateGraph } from "@langchain/langgraph";
import { ConfigurationSchema, DEFAULTS, recursionLimitFor } from "./configuration.js";
import { makeExecutionNode } from "./nodes/execution.js";
import { makeFailureDetectionNode } from "./nodes/failure-detection.js";
import { makeFinalNode } from "./nodes/final.js";
import { makeImpactAnalysisNode } from "./nodes/impact-analysis.js";
import { makeInitNode } from "./nodes/init.js";
import { makeRepairPlanningNode } from "./nodes/repair-planning.js";
import { makeReschedulingNode } from "./nodes/rescheduling.js";
import { CHECK_LABELS, failuresFound, newFailures, validAction } from "./routes.js";
import { resolveDeps, type GraphDeps } from "./runtime.js";
import { InputAnnotation, StateAnnotation, type AgentState } from "./state.js";

/** Route through a check, labelling each outcome as the flow chart does. */
function labelled<N extends string>(router: (s: AgentState) => N, labels: Record<N, string>) {
  const pathMap = Object.fromEntries(Object.entries(labels).map(([node, label]) => [label as string, node])) as Record<string, N>;
  return { route: (s: AgentState) => labels[router(s)], pathMap };
}

/** The uncompiled graph, for tests and scripts: compile it with any checkpointer. */
export function buildGraph(deps: Partial<GraphDeps> = {}) {
  const d = resolveDeps(deps);
  const detected = labelled(failuresFound, CHECK_LABELS.failuresFound);
  const planned = labelled(validAction, CHECK_LABELS.validAction);
  const rescheduled = labelled(newFailures, CHECK_LABELS.newFailures);
  return new StateGraph({ stateSchema: StateAnnotation, input: InputAnnotation }, ConfigurationSchema)
    .addNode("INIT", makeInitNode(d))
    .addNode("FAILURE_DETECTION", makeFailureDetectionNode(d))
    .addNode("IMPACT_ANALYSIS", makeImpactAnalysisNode(d))
    .addNode("REPAIR_PLANNING", makeRepairPlanningNode(d))
    .addNode("EXECUTION", makeExecutionNode(d))
    .addNode("RESCHEDULING", makeReschedulingNode(d))
    .addNode("FINAL", makeFinalNode(d))
    .addEdge(START, "INIT")
    .addEdge("INIT", "FAILURE_DETECTION")
    .addConditionalEdges("FAILURE_DETECTION", detected.route, detected.pathMap)
    .addEdge("IMPACT_ANALYSIS", "REPAIR_PLANNING")
    .addConditionalEdges("REPAIR_PLANNING", planned.route, planned.pathMap)
    .addEdge("EXECUTION", "RESCHEDULING")
    .addConditionalEdges("RESCHEDULING", rescheduled.route, rescheduled.pathMap)
    .addEdge("FINAL", END);
}

/** The compiled graph for langgraph.json and the dev server (which brings its own checkpointer). */
export const graph = buildGraph()
  .compile()
  .withConfig({ recursionLimit: recursionLimitFor(DEFAULTS.maxSteps), runName: "infra_failure_manager" });
graph.name = "infra_failure_manager";
