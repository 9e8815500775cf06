/**
 * Every limit and threshold of the product, in one place, named for what it bounds.
 * A leaf module: it imports nothing, and any layer may import it.
 */

// --- FSM steps of one graph run (the `maxSteps` setting)
/**
 * The largest `maxSteps` a run may be given; larger settings (Studio edits them) are lowered to
 * it. The graph's recursion limit is set above it, so the routers' step limit always comes first.
 */
export const MAX_STEPS_CEILING = 10_000;
/** The fewest steps any run takes (INIT, FAILURE_DETECTION, FINAL): smaller settings are raised to it. */
export const MIN_STEPS_PER_RUN = 3;
/**
 * The fewest steps in which a run can plan and dispatch once (INIT, FAILURE_DETECTION,
 * IMPACT_ANALYSIS, REPAIR_PLANNING, EXECUTION, RESCHEDULING, FINAL): the CLI accepts no less.
 */
export const STEPS_FOR_ONE_DISPATCH = 7;

/** Above this many damaged assets, alerts are batched over ALERT_BATCH_MINUTES before re-planning. */
export const LARGE_INCIDENT_DAMAGE = 150;
/** How long alerts of a large incident are gathered into one planning round, in simulated minutes. */
export const ALERT_BATCH_MINUTES = 30;

/**
 * Ids kept per list in the failure memory. A city-sized incident has thousands of damaged
 * assets: the lists keep the most urgent (work to plan first, by impact once it is known) and
 * the counts say how many there are; the world, not the state, holds them all.
 */
export const MAX_FAILURE_IDS_IN_STATE = 200;
/** Ids kept per plan record and execution record; their counts say how many there are. */
export const MAX_IDS_PER_RECORD = 200;

/**
 * Up to this many assets asked at once, every asset's repair-alone figure is simulated (a service update each); above
 * it, only for assets that population is attributed to (elsewhere the figure is almost always 0).
 */
export const EXACT_REPAIR_ALONE_ASSET_LIMIT = 300;

// ---------------------------------------------------------------- persistence
/** How often a process waiting for an incident's lease (--wait) tries again. */
export const LEASE_WAIT_POLL_MS = 500;
/** Ctrl-C or SIGTERM: the CLI waits this long at most for its lease to be given back before it exits. */
export const LEASE_RELEASE_ON_EXIT_MS = 5_000;
/**
 * Seconds a PostgreSQL lease connection may be silent before the server probes it (TCP keepalive, set per session):
 * a machine that dies holding a lease (no FIN, no RST) loses it after about 10 + 5 x 3 = 25 s instead of the
 * system's two hours, so another worker can take its incident.
 */
export const LEASE_KEEPALIVE_IDLE_SECONDS = 10;
/** Seconds between the server's keepalive probes of a lease connection. */
export const LEASE_KEEPALIVE_INTERVAL_SECONDS = 5;
/** Unanswered keepalive probes after which the server drops a lease connection (and frees its lock). */
export const LEASE_KEEPALIVE_PROBES = 3;
/** Connecting to PostgreSQL for a lease or a migration lock gives up after this long. */
export const PG_CONNECT_TIMEOUT_MS = 10_000;

// ---------------------------------------------------------------- secrets
/** Shorter values of secret-named variables are not scrubbed (they would mangle ordinary text). */
export const SECRET_MIN_LENGTH = 6;

// ---------------------------------------------------------------- model replies
/** Tokens a model may answer with in one reply (max_tokens; OPENAI_MAX_TOKENS overrides). */
export const DEFAULT_MODEL_MAX_TOKENS = 4_096;
/** Characters of a reply's text kept in the conversation (about 2,000 tokens). */
export const MAX_REPLY_TEXT_CHARS = 8_000;
/** Tool calls kept from one reply. */
export const MAX_TOOL_CALLS_PER_REPLY = 16;
/** Characters of one tool call's arguments (JSON) kept: a full plan of 500 ids fits; 100,000 ids do not. */
export const MAX_TOOL_CALL_ARGUMENT_CHARS = 64_000;

// ---------------------------------------------------------------- scenario files
/** Characters of one free-text field of a scenario (a name, a note, a description). */
export const MAX_SCENARIO_TEXT_CHARS = 2_000;
/** Bytes of a scenario JSON file or of one CSV file (INFRA_MAX_SCENARIO_BYTES raises it). */
export const MAX_SCENARIO_FILE_BYTES = 64 * 1024 * 1024;
/** Nodes, and links, a scenario may have (INFRA_MAX_SCENARIO_NODES raises it): 100,000-node regions run in about 20 s. */
export const MAX_SCENARIO_NODES = 250_000;
/** Characters of one CSV cell. */
export const MAX_CSV_CELL_CHARS = 2_000;
/**
 * Breaks one weather period may be expected to cause (its damage rate per hour times its hours):
 * every one is drawn when the world is made, so a storm of 0.8 an hour "until minute 1e308" would
 * never finish drawing. 100,000 is a break for every other asset of a 100,000-node region.
 */
export const MAX_STORM_EXPECTED_DAMAGE = 100_000;

// ---------------------------------------------------------------- dispatch optimizer (src/planning)

/** Networks above this many assets: marginal weights (one service update per asked set) are not computed. */
export const OPTIMIZER_MARGINAL_NETWORK_ASSETS = 20_000;
/** Up to this many assets to plan: the ratio rule's weights are marginal restorations (one service update per candidate set). */
export const OPTIMIZER_MARGINAL_WEIGHT_ASSETS = 60;
/** Above this many assets the ratio rule is one sort then list scheduling, and queued work is not re-planned. */
export const OPTIMIZER_LARGE_INCIDENT_ASSETS = 150;
/** Above this many jobs (planned + held by crews) the expected effect is estimated, not simulated. */
export const EXPECTED_EFFECT_SIMULATED_JOBS = 150;
/**
 * The search's budget in surrogate evaluations: this many per asset planned, between the floor
 * and the ceiling below. Counted work, never wall time, so that a resumed incident decides the same.
 * 60 since 2026-12-03 (40 before): on the 17 held-out Wu scenarios (40 to 93 damaged assets, 8
 * crews) the geometric mean over the best known went 1.020 -> 1.009 and the cases within 2 % 11 -> 16,
 * at 1.5x the planning time of rounds of 50 to 250 assets (docs/evaluation.md).
 */
export const SEARCH_EVALUATIONS_PER_ASSET = 60;
export const SEARCH_MIN_EVALUATIONS = 2_000;
export const SEARCH_MAX_EVALUATIONS = 10_000;
/**
 * Floor of a later round's search (crews' queues hold work an earlier round searched): its budget
 * is the full one scaled by the new work's share, not below this (src/planning/round-budget.ts).
 */
export const SEARCH_ROUND_MIN_EVALUATIONS = 200;
/**
 * The search's budget in network work: nodes visited and dependencies looked at by the surrogate's
 * service updates (`ServiceState.visits`). It is what bounds the search on large networks, where one
 * replay of every job costs the most. History: 60 million before service updates grew, cut and regrew
 * instead of traversing, then 40 million (2026-12-02). On 2026-12-03 updates stopped checking every
 * dependency and the count became the work done (dependencies checked in, the revival search's pass
 * over all failed dependencies out, since it no longer makes one): 60 million keeps the 20,000-node
 * region's round at about the time 40 took under the old count, and lets Shelby d200 finish its
 * evaluations (docs/evaluation.md, "Dependency checks, an honest work count and 60 evaluations per asset").
 */
export const SEARCH_SERVICE_WORK = 60_000_000;
/**
 * Network work (service-update visits) of the group-greedy construction (src/planning/group-greedy.ts):
 * past it, the rest of its order is the joint ratio order's. A few ms on Shelby (d200: 4 million).
 */
export const GROUP_GREEDY_SERVICE_WORK = 10_000_000;
/** Entries of the surrogate's cache of service states (by repaired set); cleared when full. */
export const SURROGATE_CACHE_ENTRIES = 400_000;
/** Safety net only: a search still running after this many ms stops and says so (`budgetExhausted: "time"`). */
export const SEARCH_WALL_CLOCK_CAP_MS = 30_000;
/**
 * How long past the search's own wall-clock cap the optimizer waits for the second start's search on
 * the other core (src/planning/parallel-search.ts) before it searches that start itself. The first
 * round of a process includes the worker's start (loading the planner's modules).
 */
export const PARALLEL_SEARCH_WAIT_MARGIN_MS = 20_000;
/** Rounds planning fewer assets search both starts on one core: their search takes less than the worker's start (about 0.5 s). */
export const PARALLEL_SEARCH_MIN_ASSETS = 40;
/** Up to this many jobs (plan + crews' open jobs), the final candidates are each simulated once to pick the best. */
export const VERIFY_SIMULATED_JOBS = 1_500;

// ---------------------------------------------------------------- graph state and what the model is shown
/** Impacts kept in state in full; the rest are counted (checkpoints stay small on large incidents). */
export const MAX_IMPACTS_IN_STATE = 150;
/** Jobs of an expected effect kept in graph state; the rest are counted. */
export const MAX_EXPECTED_JOBS_IN_STATE = 100;
/** Ids of failures that appeared while time passed (RESCHEDULING) kept in state; `newFailureCount` has them all. */
export const MAX_NEW_FAILURE_IDS_IN_STATE = 50;
/** Damaged assets the planning context lists at most, before it shrinks the list to fit its token budget. */
export const MAX_FAILURES_IN_CONTEXT = 200;
/** Crews the planning context lists at most, before it shrinks the list to fit its token budget. */
export const MAX_CREWS_IN_CONTEXT = 100;
/** A plan's reasoning, as the tools accept it and as the fallback and the operator write it (characters). */
export const MAX_REASONING_CHARS = 4_000;

// ---------------------------------------------------------------- tool results
/** Proposals with more jobs than this are summarised in the tool result. */
export const FULL_PLAN_LIMIT = 40;
/**
 * Lists of crews longer than this are cut in tool results (the rest given as totals): a region
 * with hundreds of crews would otherwise not fit in a model's context.
 */
export const CREW_LIST_LIMIT = 40;

// ---------------------------------------------------------------- runs
/** Graph steps a run may take by default before it ends in FINAL with `max_steps` (configurable as `maxSteps`). */
export const DEFAULT_MAX_STEPS = 60;
// ---- the planning round's request budget (src/graph/nodes/repair-planning.ts, src/graph/tool-runner.ts)

/** The share of the request budget kept for one round's tool results and replies, after the context. */
export const ROUND_BUDGET_SHARE = 0.4;
/** Room left for the model's next reply when tool results are admitted (estimated tokens). */
export const REPLY_RESERVE_TOKENS = 1_000;
/** The most a refused tool result's error message takes (estimated tokens). */
export const TOOL_REFUSAL_TOKENS = 120;
/** Waiting assets whose reason (why no crew can take them) the failure memory keeps; the count has them all. */
export const MAX_WAITING_REASONS_IN_STATE = 20;

// ---------------------------------------------------------------- planning facts and what-if (src/world/blocking.ts, src/planning/what-if.ts)
/** Above this many damaged assets, blocked_by is not computed (each fact costs service updates per damaged asset). */
export const BLOCKING_MAX_DAMAGED = 60;
/** The most service updates one blocked_by computation spends; assets beyond it get no fact. */
export const BLOCKING_MAX_SERVICE_UPDATES = 2_000;
/** Assets copied and traversed in all by one call's service updates (blocking) or backup expiries (backups' losses). */
export const BLOCKING_SERVICE_WORK = 20_000_000;
/** Beyond this many jobs (the plan's and those crews hold), a what-if is estimated as the optimizer does, not simulated. */
export const WHAT_IF_SIMULATED_JOB_LIMIT = 150;
/** The longest a what-if looks ahead, in minutes: a week. */
export const WHAT_IF_MAX_MINUTES = 7 * 24 * 60;
// --- the HTTP service (src/service)
/** Largest request body the service reads, in bytes: above it, 413 (an Alertmanager notification with 1,000 alerts is about 1 MB). */
export const SERVICE_MAX_BODY_BYTES = 2 * 1024 * 1024;
/** Alerts in one webhook notification; Alertmanager's own max_alerts truncates before this. */
export const SERVICE_MAX_ALERTS_PER_NOTIFICATION = 5_000;
/** Longest label or annotation value kept, in characters. */
export const SERVICE_MAX_LABEL_CHARS = 4_096;
/** Labels or annotations on one alert. */
export const SERVICE_MAX_LABELS_PER_ALERT = 128;
/** How long RESCHEDULING waits for the world in scaled real time before ending the run (wall milliseconds); the field watcher triggers the next run. */
export const REALTIME_RESCHEDULE_MAX_WAIT_MS = 2_000;
/** How often the field watcher looks at each region's world for alerts and restoration (wall milliseconds). */
export const FIELD_WATCH_INTERVAL_MS = 250;
/** pg-boss heartbeat of an incident run: a worker silent this long is presumed dead and its run retried (seconds; pg-boss's minimum is 10). */
export const RUN_HEARTBEAT_SECONDS = 10;
/** Retries of an incident run job (a killed worker, a drained worker, a transient fault). */
export const RUN_RETRY_LIMIT = 50;
/**
 * How often pg-boss's monitor pass runs (seconds, pg-boss's minimum is 1; its default, 60, made a killed worker's run
 * wait up to three minutes). The same pass fails runs whose heartbeat lapsed and rewrites the queue's list of
 * incidents with a run active (`singletons_active`), which every worker's fetch skips: a run failed by one pass is
 * taken only after the next pass has dropped its incident from that list.
 */
export const RUN_QUEUE_MONITOR_SECONDS = 1;
/** How often each process re-reads the queue's row, that list included (seconds; pg-boss's default is 60). */
export const RUN_QUEUE_CACHE_SECONDS = 1;
/** How often each process checks whether a monitor pass is due (seconds). */
export const RUN_QUEUE_SUPERVISE_SECONDS = 1;
/** How long pg-boss keeps a finished run job (seconds): the monitor scans the job table every pass; the service keeps its own history. */
export const RUN_JOB_KEEP_SECONDS = 3_600;
/** How often pg-boss deletes finished jobs past RUN_JOB_KEEP_SECONDS (seconds). */
export const RUN_QUEUE_MAINTENANCE_SECONDS = 300;
/** A run whose incident's lease is still held (its last holder's connection not yet closed by the server) waits this long for it before failing its job (wall ms). */
export const RUN_LEASE_WAIT_MS = 60_000;
/** Events kept per SSE poll (rows read at a time). */
export const SSE_BATCH_ROWS = 200;
/** How often an SSE stream polls for new events (wall milliseconds). */
export const SSE_POLL_MS = 200;

/** Assets an operator's decisions pin to crews, in graph state (an edit of more pins its first ones). */
export const MAX_PINNED_ASSETS = 500;
/** Operator decisions (approve, reject, edit, release, dropped pins) kept in graph state; older ones are counted. */
export const MAX_OPERATOR_DECISIONS_IN_STATE = 200;
// --- estimated restoration times (src/planning/etr.ts)
/** Estimated restoration times: above this many open jobs, ETRs come from the crews' job estimates instead of simulating the plan ahead. */
export const ETR_SIMULATED_MAX_OPEN_JOBS = 150;
/** How far ahead (minutes) the plan is simulated for ETRs; customers not back by then get no ETR. */
export const ETR_HORIZON_MINUTES = 7 * 24 * 60;
/** An ETR that moves by less than this (minutes) is not a new ETR (it is not republished). */
export const ETR_MIN_CHANGE_MINUTES = 5;

// ---------------------------------------------------------------- the world's synchronous loops (src/world)
// Counted work, never wall time (a node's time limit races a timer, which cannot stop synchronous
// work): a step that would go beyond stops with WorldWorkExceeded. Far above what any shipped
// scenario or the 100,000-node region uses (docs/reliability.md gives the figures seen).
/** Work one service update may do (nodes visited, dependencies checked, revival rounds), per asset of the network. */
export const SERVICE_UPDATE_WORK_PER_ASSET = 50;
/** ... and never less than this, whatever the network's size. */
export const SERVICE_UPDATE_MIN_WORK = 5_000_000;
/** Steps one failure or impact analysis may take through root causes and backups, per asset of the network. */
export const OUTAGE_ANALYSIS_WORK_PER_ASSET = 50;
/** ... and never less than this. */
export const OUTAGE_ANALYSIS_MIN_WORK = 5_000_000;
/** Event minutes one advance of the world's clock may process before an alert or its target time. */
export const WORLD_EVENTS_PER_ADVANCE = 1_000_000;
/** Damage and cascade alerts a world remembers (World.alertHistory: the console's curve marks them); later ones are not kept. */
export const WORLD_ALERT_HISTORY_MAX = 200;
