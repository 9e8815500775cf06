/**
 * `npm run serve`: the HTTP service, the field (the simulated world in scaled real time and its
 * metrics) and --workers N workers (default 1) in this process. `npm run worker` starts more.
 */
import { redactUrl } from "../persistence/checkpointer.js";
import { TokenRegistry } from "./auth.js";
import { parseServiceArgsOrExit } from "./config.js";
import { startService } from "./server.js";

async function main(): Promise<void> {
  const config = parseServiceArgsOrExit(process.argv.slice(2));
  const tokens = TokenRegistry.from(process.env, config.tokensFile);
  if (!config.databaseUrl) {
    console.error(
      "[serve] no DATABASE_URL: using an embedded PostgreSQL (PGlite, in memory, lost at exit). It serves pg-boss, the LangGraph checkpointer and the service's tables in this one process;",
    );
    console.error(
      "[serve] it cannot be shared with `npm run worker` or other machines. Set DATABASE_URL=postgresql://... for that.",
    );
  }
  const service = await startService(config);
  console.error(
    `[serve] listening on ${service.url}  (database: ${config.databaseUrl ? redactUrl(config.databaseUrl) : "embedded"}; world speed x${config.speed}, clock ${config.clock}; ${config.workers} worker(s) here)`,
  );
  console.error(
    `[serve] regions: ${config.regions.map((r) => `${r.name} (${r.scenario}${r.requireApproval ? ", requireApproval" : ""})`).join(", ")}; tokens configured for roles: ${tokens.roles().join(", ") || "none (every /v1 route answers 401)"}`,
  );
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    // A run that does not reach a superstep boundary in time is left to the queue's retry.
    setTimeout(() => {
      console.error(`[serve] drain took too long: exiting; the queue retries what was running`);
      process.exit(1);
    }, 30_000).unref();
    console.error(`[serve] ${signal}: draining workers, then stopping`);
    await service.stop();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

main().catch((e) => {
  console.error(`[serve] failed to start: ${redactUrl((e as Error).message)}`);
  process.exit(1);
});
