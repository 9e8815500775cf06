/**
 * `npm run worker -- [--workers N] [--scenario REF | --config FILE]`: more workers against the
 * same PostgreSQL (DATABASE_URL is required: an embedded database cannot be shared). Takes the
 * same region configuration as the service. SIGTERM drains: each run stops at its next
 * superstep boundary and its incident goes back to the queue.
 */
import { redactUrl } from "../persistence/checkpointer.js";
import { parseServiceArgsOrExit } from "./config.js";
import { migrate, openDatabase } from "./db.js";
import { startQueue } from "./jobs.js";
import { startWorkers } from "./worker.js";

async function main(): Promise<void> {
  const config = parseServiceArgsOrExit(process.argv.slice(2));
  if (!config.databaseUrl) {
    console.error("[worker] DATABASE_URL is required: workers share the service's PostgreSQL");
    process.exit(2);
  }
  const db = await openDatabase(config.databaseUrl);
  await migrate(db.pool);
  const queue = await startQueue(db.url);
  const count = Math.max(1, config.workers);
  const workers = await startWorkers({ db, queue, config, count, log: (l) => console.error(l) });
  console.error(`[worker ${workers.id}] ${count} worker(s) on ${redactUrl(config.databaseUrl)}`);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    // A run that does not reach a superstep boundary in time is left to the queue's retry.
    setTimeout(() => {
      console.error(`[worker] drain took too long: exiting; the queue retries what was running`);
      process.exit(1);
    }, 30_000).unref();
    console.error(`[worker ${workers.id}] ${signal}: draining`);
    await workers.stop();
    await queue.stop().catch(() => {});
    await db.close();
    console.error(`[worker ${workers.id}] stopped`);
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

main().catch((e) => {
  console.error(`[worker] failed: ${redactUrl((e as Error).message)}`);
  process.exit(1);
});
