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
export const SEARCH_EVALUATIONS_PER_ASSET = 25;
export const SEARCH_MIN_EVALUATIONS = 300;
export const SEARCH_MAX_EVALUATIONS = 8_000;
/**
 * The search's budget in network work: nodes visited by the surrogate's service updates
 * (`ServiceState.visits`). About 2 s of one core on this kind of machine; it is what bounds the
 * search on large networks, where one replay of every job visits the most nodes.
 */
export const SEARCH_SERVICE_WORK = 30_000_000;
/** Entries of the surrogate's cache of service states (by repaired set); cleared when full. */
export const SURROGATE_CACHE_ENTRIES = 400_000;
/** Safety net only: a search still running after this many ms stops and says so (`budgetExhausted: "time"`). */
export const SEARCH_WALL_CLOCK_CAP_MS = 30_000;
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
