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
