/**
 * PostgreSQL for the service: DATABASE_URL, or an embedded PGlite served over the wire
 * protocol (@electric-sql/pglite-socket) so that pg-boss, the LangGraph checkpointer and the
 * service's tables all use one ordinary connection string. The embedded database is for trying
 * the service on one machine: it is one PostgreSQL session behind a socket, so advisory locks
 * do not exclude and transactions from different connections interleave. Run several
 * workers (or several machines) against a real PostgreSQL.
 */
import pg from "pg";
import { MIGRATION_SQL, SCHEMA } from "./migration.js";

export interface Database {
  url: string;
  pool: pg.Pool;
  embedded: boolean;
  close(): Promise<void>;
}

/** Postgres identifiers we create (schemas) are plain words: checked, then quoted. */
export function ident(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) throw new Error(`"${name}" is not a plain SQL identifier`);
  return `"${name}"`;
}

export async function startEmbeddedPostgres(dataDir?: string): Promise<{ url: string; stop(): Promise<void> }> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { PGLiteSocketServer } = await import("@electric-sql/pglite-socket");
  const db = await PGlite.create(dataDir ? { dataDir } : {});
  const server = new PGLiteSocketServer({ db, port: 0, host: "127.0.0.1", maxConnections: 64 });
  await server.start();
  return {
    url: `postgresql://postgres@${server.getServerConn()}/postgres`,
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}

export async function openDatabase(
  url: string | undefined,
  options: { max?: number; dataDir?: string } = {},
): Promise<Database> {
  let embedded: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
  if (!url) {
    embedded = await startEmbeddedPostgres(options.dataDir);
    url = embedded.url;
  }
  // Embedded: one connection for everything (the queue and the checkpointer share this pool),
  // since PGlite is one session and interleaved protocol messages from several connections break it.
  const pool = new pg.Pool({ connectionString: url, max: embedded ? 1 : (options.max ?? 8) });
  // A dropped idle connection must not crash the process: the next query reconnects.
  pool.on("error", () => {});
  let closed = false;
  return {
    url,
    pool,
    embedded: Boolean(embedded),
    close: async () => {
      if (closed) return;
      closed = true;
      await pool.end().catch(() => {});
      await embedded?.stop();
    },
  };
}

/** Create or update the service's tables; several processes starting at once take turns. */
export async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("SELECT pg_advisory_lock(hashtext('infra-fail-mngr:migrate'))");
    try {
      await client.query(MIGRATION_SQL);
    } finally {
      await client.query("SELECT pg_advisory_unlock(hashtext('infra-fail-mngr:migrate'))");
    }
  } finally {
    client.release();
  }
}

export { SCHEMA };
