/**
 * The import rules of src/, checked by `npm run lint` (dependency-cruiser). Imports run one way, from the bottom up:
 *
 *   src/limits.ts, src/format.ts                    leaves: they import nothing from src, anything may import them
 *   world                                           the simulated world and its data; knows nothing else
 *   planning                                        the dispatch optimizer, baselines, the incident-world port
 *   tools | prompts | models | memory               what the agent is made of (may use each other)
 *   graph                                           the LangGraph state machine, one file per state in nodes/
 *   incident                                        one incident from first alert to full restoration
 *   cli | report | evaluation | service | console   what users and operators run (may use each other)
 *
 *   persistence | observability                     infrastructure beside the layers: they import only each other
 *                                                   and the leaves; tools and everything above may use them, the
 *                                                   domain (world, planning) may not
 *
 * A type-only import counts like any other (tsPreCompilationDeps): a type is a dependency of the design too.
 */
const ABOVE_GRAPH = "^src/(incident|cli|report|evaluation|service|console)/";
const TOP = "^src/(cli|report|evaluation|service|console)/";
/** The leaf modules, as a path pattern without its anchor. */
const LEAF = "(limits|format)\\.ts$";
const LAYERS =
  "^src/(limits\\.ts$|format\\.ts$|(world|planning|tools|prompts|models|memory|graph|incident|cli|report|evaluation|service|console|persistence|observability)/)";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "A cycle makes two modules one: break it by moving what both need below both.",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "leaves-import-nothing",
      severity: "error",
      comment: "src/limits.ts (named limits) and src/format.ts (formatters) import nothing, so that every layer can import them.",
      from: { path: `^src/${LEAF}` },
      to: { path: "^src/" },
    },
    {
      name: "world-imports-only-world",
      severity: "error",
      comment: "The world (simulator, scenarios, repositories) is the bottom layer: it knows no planner, tool or graph.",
      from: { path: "^src/world/" },
      to: { path: "^src/", pathNot: `^src/(world/|${LEAF})` },
    },
    {
      name: "planning-imports-only-world",
      severity: "error",
      comment: "The optimizer and the incident-world port sit on the world and below the tools; no LangGraph here.",
      from: { path: "^src/planning/" },
      to: { path: "^src/", pathNot: `^src/(world/|planning/|${LEAF})` },
    },
    {
      name: "agent-parts-below-graph",
      severity: "error",
      comment: "Tools, prompts, models and memory are what the graph is built from: they must not import it (or above).",
      from: { path: "^src/(tools|prompts|models|memory)/" },
      to: { path: `^src/graph/|${ABOVE_GRAPH}` },
    },
    {
      name: "infrastructure-stands-alone",
      severity: "error",
      comment: "persistence and observability are used by the graph and above; they import no layer themselves.",
      from: { path: "^src/(persistence|observability)/" },
      to: { path: "^src/", pathNot: `^src/(persistence/|observability/|${LEAF})` },
    },
    {
      name: "graph-below-incident",
      severity: "error",
      comment: "The graph does not know who runs it (the incident runner, the CLI, the service).",
      from: { path: "^src/graph/" },
      to: { path: ABOVE_GRAPH },
    },
    {
      name: "incident-below-entry-points",
      severity: "error",
      comment: "The incident runner is used by the CLI, the report, the evaluation and the service, not the reverse.",
      from: { path: "^src/incident/" },
      to: { path: TOP },
    },
    {
      name: "nodes-do-not-import-nodes",
      severity: "error",
      comment:
        "One file per FSM state: what two nodes share goes to a graph-level module (or below). A node may have its own folder.",
      from: { path: "^src/graph/nodes/([^/.]+)" },
      to: { path: "^src/graph/nodes/", pathNot: "^src/graph/nodes/$1(\\.ts$|/)" },
    },
    {
      name: "every-module-in-a-layer",
      severity: "warn",
      comment: "A new folder under src/ needs its place in the layers above (and a rule) before others import it.",
      from: { path: "^src/" },
      to: { path: "^src/", pathNot: LAYERS },
    },
    {
      name: "no-unresolvable",
      severity: "error",
      comment: "An import that does not resolve (a moved module) fails here before it fails at run time.",
      from: { path: "^src/" },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(node_modules|dist)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".js", ".json"],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
