/**
 * The failure-management state machine as a LangGraph.js graph: one node per FSM state, and
 * the three checks of the original flow chart as conditional edges (src/graph/routes.ts).
 *
 *   INIT -> FAILURE_DETECTION -(failures found?)-> IMPACT_ANALYSIS -> REPAIR_PLANNING
 *   REPAIR_PLANNING -(valid action?)-> EXECUTION -> RESCHEDULING -(new failures?)-> FAILURE_DETECTION | FINAL
 *   EXECUTION -(rejected by the operator, with requireApproval)-> REPAIR_PLANNING
 */
import { END, START, StateGraph } from "@langchain/langgraph";
import { ConfigurationSchema, GRAPH_RECURSION_LIMIT } from "./configuration.js";
import { makeExecutionNode } from "./nodes/execution.js";
import { makeFailureDetectionNode } from "./nodes/failure-detection.js";
import { makeFinalNode } from "./nodes/final.js";
import { makeImpactAnalysisNode } from "./nodes/impact-analysis.js";
import { makeInitNode } from "./nodes/init.js";
import { makeRepairPlanningNode } from "./nodes/repair-planning.js";
import { withDeviationGate } from "./deviation-gate.js";
import { makeReschedulingNode } from "./nodes/rescheduling.js";
import { CHECK_LABELS, failuresFound, newFailures, validAction } from "./routes.js";
import { resolveDeps, type GraphDeps } from "./runtime.js";
import { InputAnnotation, StateAnnotation, type AgentState } from "./state.js";
import { AFTER_EXECUTION_LABELS, afterExecution } from "./approval.js";
import {
  DEFAULT_NODE_FAULT_POLICY,
  retryPolicyFor,
  withFaultBarrier,
  type NodeFaultPolicy,
} from "../persistence/node-faults.js";
import { tagStateRuns } from "../observability/tracing.js";

/** Route through a check, labelling each outcome as the flow chart does. */
function labelled<N extends string>(router: (s: AgentState) => N, labels: Record<N, string>) {
  const pathMap = Object.fromEntries(Object.entries(labels).map(([node, label]) => [label as string, node])) as Record<
    string,
    N
  >;
  return { route: (s: AgentState) => labels[router(s)], pathMap };
}

/** The uncompiled graph, for tests and scripts: compile it with any checkpointer. */
export function buildGraph(deps: Partial<GraphDeps> = {}, faults: NodeFaultPolicy = DEFAULT_NODE_FAULT_POLICY) {
  const d = resolveDeps(deps);
  // Every node: a time limit per attempt, transient faults retried with backoff, a lasting
  // fault turned into fatalError (the run ends in FINAL) instead of an exception.
  const retry = { retryPolicy: retryPolicyFor(faults) };
  const guard = withFaultBarrier;
  const detected = labelled(failuresFound, CHECK_LABELS.failuresFound);
  const planned = labelled(validAction, CHECK_LABELS.validAction);
  const rescheduled = labelled(newFailures, CHECK_LABELS.newFailures);
  const executed = labelled(afterExecution, AFTER_EXECUTION_LABELS);
  return (
    new StateGraph({ stateSchema: StateAnnotation, input: InputAnnotation }, ConfigurationSchema)
      .addNode("INIT", guard("INIT", makeInitNode(d), faults), retry)
      .addNode("FAILURE_DETECTION", guard("FAILURE_DETECTION", makeFailureDetectionNode(d), faults), retry)
      .addNode("IMPACT_ANALYSIS", guard("IMPACT_ANALYSIS", makeImpactAnalysisNode(d), faults), retry)
      .addNode(
        "REPAIR_PLANNING",
        guard("REPAIR_PLANNING", withDeviationGate(makeRepairPlanningNode(d), d), faults, faults.planningTimeoutMs),
        retry,
      )
      .addNode("EXECUTION", guard("EXECUTION", makeExecutionNode(d), faults), retry)
      .addNode("RESCHEDULING", guard("RESCHEDULING", makeReschedulingNode(d), faults), retry)
      .addNode("FINAL", guard("FINAL", makeFinalNode(d), faults), retry)
      .addEdge(START, "INIT")
      .addEdge("INIT", "FAILURE_DETECTION")
      .addConditionalEdges("FAILURE_DETECTION", detected.route, detected.pathMap)
      .addEdge("IMPACT_ANALYSIS", "REPAIR_PLANNING")
      .addConditionalEdges("REPAIR_PLANNING", planned.route, planned.pathMap)
      // With requireApproval on, an operator's rejection sends the plan back to planning.
      .addConditionalEdges("EXECUTION", executed.route, executed.pathMap)
      .addConditionalEdges("RESCHEDULING", rescheduled.route, rescheduled.pathMap)
      .addEdge("FINAL", END)
  );
}

/** The compiled graph for langgraph.json and the dev server (which brings its own checkpointer). */
// Each FSM state's run is tagged state:<NAME> in LangSmith traces. The recursion limit is above
// any maxSteps (Studio edits it): the routers end every run in FINAL first.
export const graph = tagStateRuns(buildGraph().compile()).withConfig({
  recursionLimit: GRAPH_RECURSION_LIMIT,
  runName: "infra_failure_manager",
});
keepRecursionLimit(graph as unknown as EventStreamer, GRAPH_RECURSION_LIMIT);
graph.name = "infra_failure_manager";

/**
 * The dev server runs the graph through `streamEvents` with `recursionLimit: undefined` when a
 * run sets none; that key replaces the graph's own limit, and LangGraph then applies its default
 * of 25 supersteps (a Studio run with maxSteps above it failed with GraphRecursionError). An
 * unset limit is the graph's own here; a limit the caller sets is kept.
 */
type EventStreamer = {
  streamEvents: (input: unknown, options?: { recursionLimit?: number }, streamOptions?: unknown) => unknown;
};

function keepRecursionLimit(compiled: EventStreamer, limit: number): void {
  const streamEvents = compiled.streamEvents.bind(compiled);
  compiled.streamEvents = (input, options, streamOptions) =>
    streamEvents(input, { ...options, recursionLimit: options?.recursionLimit ?? limit }, streamOptions);
}
