/**
 * The CLI against a model server that is down, and one that echoes the key it refuses.
 *
 * - A dead server (500, 429 or no answer, every time): after the retries (none here, for speed), each round is planned
 *   by the optimizer; the run restores the network, the figures are true (the clock moved), and
 *   the fallback is loud: in the text summary (FALLBACKS, with the reason) and in --json.
 * - A server whose 401 echoes the key: the key appears nowhere the run writes (stdout in text and
 *   --json, stderr, the HTML report, the SQLite file, PostgreSQL's checkpoint rows, blobs decoded).
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOpenAIServer, type FakeOpenAIServer, type Reply } from "../support/openai-server.js";
import { childEnv, killAllChildren, runTsx } from "./support/processes.js";
import { dropSchema, freshSchemaName, POSTGRES_URL, postgresSetting, requirePostgres } from "./support/postgres.js";
import { openCheckpointer } from "../../src/persistence/checkpointer.js";

const dir = mkdtempSync(join(tmpdir(), "model-faults-"));
const schema = freshSchemaName("reliability_secrets");
const KEY = `sk-planted-${randomUUID().replace(/-/g, "")}`;
let server: FakeOpenAIServer;
let reply: Reply | ((auth: string) => Reply) = { status: 500, error: { message: "internal error" } };
beforeAll(async () => {
  server = await startOpenAIServer(() => ({ hang: true }));
});
afterAll(async () => {
  killAllChildren();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
  await dropSchema(schema);
});

function serve(r: typeof reply) {
  reply = r;
  server.respondWith(() => {
    const auth = String(server.requests.at(-1)?.headers.authorization ?? "");
    return typeof reply === "function" ? reply(auth) : reply;
  });
}

const cli = (args: string[], env: Record<string, string> = {}) =>
  runTsx(
    "src/cli/main.ts",
    ["--model", "openai/test-model", ...args],
    childEnv({
      OPENAI_BASE_URL: server.baseURL,
      OPENAI_API_KEY: KEY,
      OPENAI_MAX_RETRIES: "0",
      OPENAI_TIMEOUT_MS: "400",
      ...env,
    }),
  );

describe("a model server that is down", () => {
  it.each([
    ["500", { status: 500, error: { message: "internal error" } }],
    ["429", { status: 429, error: { message: "Rate limit reached", code: "rate_limit_exceeded" } }],
    ["no answer", { hang: true }],
  ] as [string, Reply][])(
    "%s: the optimizer plans, loudly, and the figures are true",
    async (name, r) => {
      serve(r);
      const [text, json] = await Promise.all([cli([]), cli(["--json"])]);
      expect(json.code, json.stderr).toBe(0);
      const out = JSON.parse(json.stdout);
      expect(out.status).toBe("restored");
      expect(out.fallbacks.length).toBeGreaterThan(0);
      expect(
        out.fallbacks.every(
          (f: { kind: string; reason: string }) =>
            f.kind === "model_outage" && f.reason.startsWith("model unavailable: "),
        ),
      ).toBe(true);
      expect(out.dispatches.length).toBeGreaterThan(0);
      expect(out.figures.customerMinutesInterrupted).toBeGreaterThan(0);
      expect(out.figures.minutesToFullRestoration).toBeGreaterThan(0);
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toMatch(/^FALLBACKS\s+\d+ time\(s\) the optimizer's plan replaced the planner's:$/m);
      expect(text.stdout).toMatch(/model outage: model unavailable: /);
      expect(text.stdout).toMatch(/FALLBACK to the optimizer's plan: model unavailable/);
      console.log(
        `model down (${name}): ${out.fallbacks.length} rounds planned by the optimizer, ${out.dispatches.length} dispatches, CMI ${out.figures.customerMinutesInterrupted}`,
      );
    },
    120_000,
  );
});

describe("a model server whose 401 echoes the key", () => {
  const echo = (auth: string): Reply => ({
    status: 401,
    error: {
      message: `Incorrect API key provided: ${auth.replace(/^Bearer /, "")}. You passed ${auth}`,
      code: "invalid_api_key",
    },
  });
  const clean = (where: string, text: string) => expect(text.includes(KEY), `${where} holds the key`).toBe(false);

  it("SQLite: stdout (text and --json), stderr, the report and the checkpoint file are clean", async () => {
    serve(echo);
    const db = join(dir, "echo.db");
    const report = join(dir, "echo.html");
    const [json, text] = await Promise.all([
      cli(["--json", "--checkpoint", `sqlite:${db}`, "--report", report]),
      cli(["--checkpoint", `sqlite:${join(dir, "echo-text.db")}`]),
    ]);
    // The refusal happened and was reported (the server's text, scrubbed).
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).reason).toMatch(/Incorrect API key provided: \*\*\*/);
    expect(text.stdout).toMatch(/Incorrect API key provided: \*\*\*/);
    expect(server.requests.some((q) => q.answer?.status === 401)).toBe(true);
    clean("--json stdout", json.stdout);
    clean("stderr", json.stderr + text.stderr);
    clean("text stdout", text.stdout);
    clean("report", readFileSync(report, "utf8"));
    for (const f of readdirSync(dir).filter((n) => n.startsWith("echo")))
      clean(f, readFileSync(join(dir, f)).toString("latin1"));
  });

  it("PostgreSQL: no checkpoint row holds the key (bytea decoded)", async () => {
    await requirePostgres();
    serve(echo);
    const r = await cli(["--json", "--checkpoint", postgresSetting(schema)]);
    expect(r.code).toBe(1);
    clean("stdout", r.stdout);
    clean("stderr", r.stderr);
    const store = await openCheckpointer(
      `postgres:${POSTGRES_URL}${POSTGRES_URL.includes("?") ? "&" : "?"}schema=${schema}`,
    );
    try {
      const pool = (
        store.saver as unknown as { pool: { query(sql: string): Promise<{ rows: Record<string, unknown>[] }> } }
      ).pool;
      let sawRefusal = false;
      for (const table of ["checkpoints", "checkpoint_blobs", "checkpoint_writes"]) {
        for (const row of (await pool.query(`SELECT * FROM "${schema}"."${table}"`)).rows) {
          // bytea arrives as a Buffer: its bytes are searched, not its hex text.
          const t = Object.values(row)
            .map((v) => (Buffer.isBuffer(v) ? v.toString("latin1") : JSON.stringify(v)))
            .join("\n");
          sawRefusal ||= t.includes("Incorrect API key provided");
          clean(`${table} row`, t);
        }
      }
      expect(sawRefusal).toBe(true);
    } finally {
      await store.close();
    }
  });
});
