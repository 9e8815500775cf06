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
/** Connecting to PostgreSQL for a lease or a migration lock gives up after this long. */
export const PG_CONNECT_TIMEOUT_MS = 10_000;
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
 */
export const SEARCH_EVALUATIONS_PER_ASSET = 40;
export const SEARCH_MIN_EVALUATIONS = 2_000;
export const SEARCH_MAX_EVALUATIONS = 10_000;
/**
 * The search's budget in network work: nodes visited by the surrogate's service updates
 * (`ServiceState.visits`). About 2 to 4 s of one core on this kind of machine; it is what bounds the
 * search on large networks, where one replay of every job visits the most nodes.
 */
export const SEARCH_SERVICE_WORK = 60_000_000;
/** Entries of the surrogate's cache of service states (by repaired set); cleared when full. */
export const SURROGATE_CACHE_ENTRIES = 400_000;
/** Safety net only: a search still running after this many ms stops and says so (`budgetExhausted: "time"`). */
export const SEARCH_WALL_CLOCK_CAP_MS = 30_000;
/** Up to this many jobs (plan + crews' open jobs), the final candidates are each simulated once to pick the best. */
export const VERIFY_SIMULATED_JOBS = 1_500;

// ---- the planning round's request budget (src/graph/nodes/repair-planning.ts, src/graph/tool-runner.ts)

/** The share of the request budget kept for one round's tool results and replies, after the context. */
export const ROUND_BUDGET_SHARE = 0.4;
/** Room left for the model's next reply when tool results are admitted (estimated tokens). */
export const REPLY_RESERVE_TOKENS = 1_000;
/** The most a refused tool result's error message takes (estimated tokens). */
export const TOOL_REFUSAL_TOKENS = 120;
/** The most characters of reasoning a plan carries (assign_repair_crew's schema says the same). */
export const MAX_REASONING_CHARS = 4_000;
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
