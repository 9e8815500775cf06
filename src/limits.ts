/**
 * Every limit and threshold of the product, in one place, named for what it bounds.
 * A leaf module: it imports nothing, and any layer may import it.
 */

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
