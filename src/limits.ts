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
