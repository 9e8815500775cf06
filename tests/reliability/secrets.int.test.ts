/**
 * Secrets stay in the environment. The CLI runs with a planted API key (and, on PostgreSQL, a
 * planted password in the connection URL); the key must appear nowhere the run writes: its
 * stdout (the JSON report), its stderr (the log), the checkpoint store's bytes (state and
 * every checkpoint). Traces are checked by the LangSmith test (tests/llm), which searches the
 * captured runs for the key the same way.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openCheckpointer } from "../../src/persistence/checkpointer.js";
import { childEnv, killAllChildren, runTsx } from "./support/processes.js";
import { dropSchema, freshSchemaName, POSTGRES_URL, requirePostgres } from "./support/postgres.js";

const dir = mkdtempSync(join(tmpdir(), "secrets-"));
const schema = freshSchemaName("secrets");
afterAll(async () => {
  killAllChildren();
  rmSync(dir, { recursive: true, force: true });
  await dropSchema(schema);
});

const KEY = `sk-planted-${randomUUID().replace(/-/g, "")}`;
const PASSWORD = `pw-planted-${randomUUID().slice(0, 12)}`;
const cliEnv = () => childEnv({ OPENAI_API_KEY: KEY, LANGSMITH_API_KEY: KEY, LANGCHAIN_API_KEY: KEY });

function expectNoSecret(where: string, bytes: string | Buffer, secrets: string[]) {
  const text = Buffer.isBuffer(bytes) ? bytes.toString("latin1") : bytes;
  for (const s of secrets) expect(text.includes(s), `${where} contains a planted secret`).toBe(false);
}

describe("secrets appear in no log, state, checkpoint or report", () => {
  it("SQLite: stdout, stderr and every byte of the checkpoint file are clean", async () => {
    const db = join(dir, "incidents.db");
    const r = await runTsx(
      "src/cli/main.ts",
      ["--model", "offline", "--checkpoint", `sqlite:${db}`, "--json"],
      cliEnv(),
    );
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { status: string; dispatches: unknown[] };
    expect(report.status).toBe("restored");
    // The store holds the incident: the search is over real checkpoints.
    const files = readdirSync(dir).filter((f) => f.startsWith("incidents.db"));
    const bytes = Buffer.concat(files.map((f) => readFileSync(join(dir, f))));
    expect(bytes.toString("latin1")).toContain("assign_repair_crew");
    expectNoSecret("stdout", r.stdout, [KEY]);
    expectNoSecret("stderr", r.stderr, [KEY]);
    for (const f of files) expectNoSecret(f, readFileSync(join(dir, f)), [KEY]);
  });

  it("PostgreSQL: the key and the URL's password are in no output and no checkpoint row", async () => {
    await requirePostgres();
    const url = new URL(POSTGRES_URL);
    url.password = PASSWORD;
    url.searchParams.set("schema", schema);
    const r = await runTsx(
      "src/cli/main.ts",
      ["--model", "offline", "--checkpoint", `postgres:${url}`, "--json"],
      cliEnv(),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/checkpoints: postgres:postgresql:\/\/postgres:\*\*\*@/);
    expectNoSecret("stdout", r.stdout, [KEY, PASSWORD]);
    expectNoSecret("stderr", r.stderr, [KEY, PASSWORD]);
    // Every value of every row of every checkpoint table (blobs as their bytes).
    const store = await openCheckpointer(
      `postgres:${POSTGRES_URL}${POSTGRES_URL.includes("?") ? "&" : "?"}schema=${schema}`,
    );
    try {
      const pool = (
        store.saver as unknown as { pool: { query(sql: string): Promise<{ rows: Record<string, unknown>[] }> } }
      ).pool;
      let rows = 0;
      let sawPlan = false;
      for (const table of ["checkpoints", "checkpoint_blobs", "checkpoint_writes"]) {
        const res = await pool.query(`SELECT * FROM "${schema}"."${table}"`);
        rows += res.rows.length;
        for (const row of res.rows) {
          const text = Object.values(row)
            .map((v) => (Buffer.isBuffer(v) ? v.toString("latin1") : JSON.stringify(v)))
            .join("\n");
          sawPlan ||= text.includes("assign_repair_crew");
          expectNoSecret(`${table} row`, text, [KEY, PASSWORD]);
        }
      }
      expect(sawPlan).toBe(true);
      expect(rows).toBeGreaterThan(10);
    } finally {
      await store.close();
    }
  });

  it("an unreachable store's error names the URL without its password", async () => {
    const r = await runTsx(
      "src/cli/main.ts",
      ["--checkpoint", `postgres:postgresql://postgres:${PASSWORD}@127.0.0.1:1/test`],
      cliEnv(),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^error: cannot use the PostgreSQL checkpoint store at postgresql:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/test/m,
    );
    expectNoSecret("stderr", r.stderr, [PASSWORD, KEY]);
  });
});
