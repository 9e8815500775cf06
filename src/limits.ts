/**
 * Every limit and threshold of the product, in one place, named for what it bounds.
 * A leaf module: it imports nothing, and any layer may import it.
 */

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
