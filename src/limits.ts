/**
 * Every limit and threshold of the product, in one place, named for what it bounds.
 * A leaf module: it imports nothing, and any layer may import it.
 */

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

// ---------------------------------------------------------------- persistence
/** How often a process waiting for an incident's lease (--wait) tries again. */
export const LEASE_WAIT_POLL_MS = 500;
/** Connecting to PostgreSQL for a lease or a migration lock gives up after this long. */
export const PG_CONNECT_TIMEOUT_MS = 10_000;

// ---- the planning round's request budget (src/graph/nodes/repair-planning.ts, src/graph/tool-runner.ts)

/** The share of the request budget kept for one round's tool results and replies, after the context. */
export const ROUND_BUDGET_SHARE = 0.4;
/** Room left for the model's next reply when tool results are admitted (estimated tokens). */
export const REPLY_RESERVE_TOKENS = 1_000;
/** The most a refused tool result's error message takes (estimated tokens). */
export const TOOL_REFUSAL_TOKENS = 120;
/** The most characters of reasoning a plan carries (assign_repair_crew's schema says the same). */
export const MAX_REASONING_CHARS = 4_000;
/** Jobs of an expected effect kept in graph state; the rest are counted. */
export const MAX_EXPECTED_JOBS_IN_STATE = 100;
