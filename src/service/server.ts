/**
 * Start the service in this process: database (DATABASE_URL or embedded), migration, the job
 * queue, the HTTP server, and optionally the field (the simulated world, its metrics, its
 * watcher and the dispatch deliverer) and workers. Used by `npm run serve` and by tests.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { TokenRegistry } from "./auth.js";
import type { ServiceConfig } from "./config.js";
import { migrate, openDatabase, type Database } from "./db.js";
import { makeHandler } from "./http.js";
import { startQueue, type JobQueue, type QueueOptions } from "./jobs.js";
import { buildRoutes } from "./routes.js";
import { consoleRoutes } from "./console-routes.js";
import { startField, type Field } from "./field.js";
import { startWorkers, type Workers } from "./worker.js";

export interface RunningService {
  url: string;
  db: Database;
  queue: JobQueue;
  server: Server;
  field?: Field;
  workers?: Workers;
  /** Stop everything; workers drain first (their incidents are handed back). */
  stop(): Promise<void>;
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  queue?: QueueOptions;
  log?: (line: string) => void;
}

export async function startService(config: ServiceConfig, options: StartOptions = {}): Promise<RunningService> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((l: string) => console.error(l));
  const tokens = TokenRegistry.from(env, config.tokensFile);
  const db = await openDatabase(config.databaseUrl);
  try {
    await migrate(db.pool);
  } catch (e) {
    await db.close();
    throw e;
  }
  const queue = await startQueue(db.url, options.queue, db.embedded ? db.pool : undefined);
  const field = await startField(db.pool, queue, config, log);
  const workers =
    config.workers > 0 ? await startWorkers({ db, queue, config, count: config.workers, log }) : undefined;
  const routes = buildRoutes({
    pool: db.pool,
    queue,
    config,
    tokens,
    metrics: () => field.metrics(),
    ready: async () => {
      await db.pool.query("SELECT 1");
      return true;
    },
  });
  routes.push(...consoleRoutes({ pool: db.pool, field, config }));
  const server = createServer(makeHandler(routes, tokens, { log }));
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const url = `http://${addr.address.includes(":") ? `[${addr.address}]` : addr.address}:${addr.port}`;
  let stopped = false;
  return {
    url,
    db,
    queue,
    server,
    field,
    ...(workers ? { workers } : {}),
    async stop() {
      if (stopped) return;
      stopped = true;
      await workers?.stop();
      field.stop();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await queue.stop().catch(() => {});
      await db.close();
    },
  };
}
