/**
 * The PostgreSQL server the reliability tests need (127.0.0.1:5432, database test, by default;
 * INFRA_TEST_POSTGRES_URL to point elsewhere). A missing server fails the tests with a clear
 * message: they never pass silently without it. Each test run works in a fresh schema that it
 * drops at the end, so reruns and parallel runs never see each other's incidents.
 */
import { randomUUID } from "node:crypto";

/** The little of the `pg` driver used here (it ships no type declarations in this project). */
interface PgClient {
  connect(): Promise<void>;
  query(sql: string, params?: unknown[]): Promise<unknown>;
  end(): Promise<void>;
}
type PgModule = { Client: new (options: { connectionString: string; connectionTimeoutMillis?: number }) => PgClient };
const PG_MODULE = "pg";
async function newClient(): Promise<PgClient> {
  const pg = ((await import(PG_MODULE)) as { default: PgModule }).default;
  return new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 5_000 });
}

export const POSTGRES_URL = process.env.INFRA_TEST_POSTGRES_URL || "postgresql://postgres@127.0.0.1:5432/test";

export async function requirePostgres(): Promise<void> {
  const client = await newClient();
  try {
    await client.connect();
    await client.query("SELECT 1");
  } catch (e) {
    throw new Error(
      `PostgreSQL IS MISSING: these reliability tests need a PostgreSQL server at ${POSTGRES_URL.replace(/:[^:@/]*@/, ":***@")} ` +
        `(set INFRA_TEST_POSTGRES_URL to use another). Connecting failed: ${(e as Error).message}`,
    );
  } finally {
    await client.end().catch(() => {});
  }
}

export function freshSchemaName(prefix: string): string {
  return `${prefix}_${randomUUID().replace(/-/g, "").slice(0, 12)}`;
}

/** The --checkpoint setting for a schema of the test server. */
export function postgresSetting(schema: string): string {
  const url = new URL(POSTGRES_URL);
  url.searchParams.set("schema", schema);
  return `postgres:${url.toString()}`;
}

export async function dropSchema(schema: string): Promise<void> {
  const client = await newClient();
  try {
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } catch {
    // the server is gone: nothing to clean
  } finally {
    await client.end().catch(() => {});
  }
}

/** Run one query on a fresh connection to the test server; its rows. */
export async function pgQuery<R = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<R[]> {
  const client = await newClient();
  try {
    await client.connect();
    return ((await client.query(sql, params)) as { rows: R[] }).rows;
  } finally {
    await client.end().catch(() => {});
  }
}
