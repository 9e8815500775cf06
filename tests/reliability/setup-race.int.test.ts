/**
 * Twenty processes open the same fresh PostgreSQL schema at once: the checkpointer's migrations
 * (CREATE SCHEMA / TABLE, checkpoint_migrations rows) run one process at a time under an advisory
 * lock, so none dies with a duplicate key in the catalog.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { childEnv, killAllChildren, runTsx } from "./support/processes.js";
import { dropSchema, freshSchemaName, postgresSetting, requirePostgres } from "./support/postgres.js";

const PROCESSES = 20;
const dir = mkdtempSync(join(tmpdir(), "setup-race-"));
const schema = freshSchemaName("reliability_setup");
afterAll(async () => {
  killAllChildren();
  rmSync(dir, { recursive: true, force: true });
  await dropSchema(schema);
});

describe("setup on a fresh PostgreSQL schema", () => {
  it(`${PROCESSES} processes at once all succeed`, async () => {
    await requirePostgres();
    const go = join(dir, "go");
    const running = Promise.all(
      Array.from({ length: PROCESSES }, () =>
        runTsx("tests/support/setup-child.ts", [postgresSetting(schema), go], childEnv(), 110_000),
      ),
    );
    // Loading takes each a different time on a busy machine: once all are loaded, they open together.
    while (readdirSync(dir).filter((f) => f.startsWith("go.ready.")).length < PROCESSES)
      await new Promise((r) => setTimeout(r, 20));
    writeFileSync(go, "");
    const results = await running;
    expect(results.filter((r) => r.code !== 0).map((r) => r.stderr.trim())).toEqual([]);
  });
});
