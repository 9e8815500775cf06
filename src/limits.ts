/**
 * Every limit and threshold of the product, in one place, named for what it bounds.
 * A leaf module: it imports nothing, and any layer may import it.
 */

// ---------------------------------------------------------------- persistence
/** How often a process waiting for an incident's lease (--wait) tries again. */
export const LEASE_WAIT_POLL_MS = 500;
/** Connecting to PostgreSQL for a lease or a migration lock gives up after this long. */
export const PG_CONNECT_TIMEOUT_MS = 10_000;

// ---------------------------------------------------------------- secrets
/** Shorter values of secret-named variables are not scrubbed (they would mangle ordinary text). */
export const SECRET_MIN_LENGTH = 6;
