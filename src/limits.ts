/**
 * Every limit and threshold of the product, in one place, named for what it bounds.
 * A leaf module: it imports nothing, and any layer may import it.
 */

/** Estimated restoration times: above this many open jobs, ETRs come from the crews' job estimates instead of simulating the plan ahead. */
export const ETR_SIMULATED_MAX_OPEN_JOBS = 150;
/** How far ahead (minutes) the plan is simulated for ETRs; customers not back by then get no ETR. */
export const ETR_HORIZON_MINUTES = 7 * 24 * 60;
/** An ETR that moves by less than this (minutes) is not a new ETR (it is not republished). */
export const ETR_MIN_CHANGE_MINUTES = 5;
