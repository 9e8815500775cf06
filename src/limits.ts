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
/** Events kept per SSE poll (rows read at a time). */
export const SSE_BATCH_ROWS = 200;
/** How often an SSE stream polls for new events (wall milliseconds). */
export const SSE_POLL_MS = 200;
