/**
 * The little of the `pg` driver the product uses itself (the checkpointer brings its own pool):
 * a dedicated connection for leases, and a lock that serialises schema migrations.
 */
import { PG_CONNECT_TIMEOUT_MS } from "../limits.js";

export interface PgClient {
  connect(): Promise<void>;
  query(sql: string, params?: unknown[]): Promise<unknown>;
  end(): Promise<void>;
  on?(event: string, listener: (...a: never[]) => void): unknown;
}
type PgModule = {
  Client: new (options: {
    connectionString: string;
    connectionTimeoutMillis?: number;
    application_name?: string;
  }) => PgClient;
};

// Loaded by name: the driver ships no type declarations here.
const PG_MODULE = "pg";

export async function newPgClient(url: string): Promise<PgClient> {
  const pg = ((await import(PG_MODULE)) as { default: PgModule }).default;
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: PG_CONNECT_TIMEOUT_MS,
    application_name: `infra-fail-mngr pid ${process.pid}`,
  });
  await client.connect();
  return client;
}

/** One key for every migration of the product's tables, in any schema: setups run one at a time. */
const SETUP_LOCK_KEY = 0x1ea5e0;

/**
 * Run `work` (CREATE ... IF NOT EXISTS, the checkpointer's migrations) while holding a
 * transaction-free advisory lock: processes starting at once on a fresh schema would otherwise
 * race on the catalog (duplicate key in checkpoint_migrations or pg_type).
 */
export async function withSetupLock<T>(client: PgClient, work: () => Promise<T>): Promise<T> {
  await client.query(`SELECT pg_advisory_lock($1)`, [SETUP_LOCK_KEY]);
  try {
    return await work();
  } finally {
    await client.query(`SELECT pg_advisory_unlock($1)`, [SETUP_LOCK_KEY]).catch(() => {});
  }
}
