/**
 * The LangGraph dev server (what Studio talks to), started for a test as a child process.
 *
 * - A free port (asked of the OS), on 127.0.0.1, analytics off, no browser, no key, no tracing.
 * - Its own process group (detached: setsid), so stopping it sends TERM to the whole group (the
 *   CLI, its tsx watcher, the server, esbuild) and waits until every one has gone; KILL if not.
 * - It runs the repository's langgraph.json from a copy in a temporary folder (graph paths made
 *   relative to it), so its `.langgraph_api/` store is its own: servers of tests running side by
 *   side, or a developer's `npm run dev`, never share one.
 * - If the test process ends without stopping it (a crash), an exit hook kills the group.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";

export const REPO_ROOT = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
const CLI = join(REPO_ROOT, "node_modules/@langchain/langgraph-cli/dist/cli/cli.mjs");

export interface DevServer {
  url: string;
  port: number;
  /** The process group id (the CLI's pid). */
  pgid: number;
  /** The server's recent output, for failure messages. */
  logs(): string;
  /** TERM to the group, wait for every process in it to end (KILL after `graceMs`). Safe to call twice. */
  stop(graceMs?: number): Promise<void>;
}

export interface DevServerOptions {
  /** Extra environment for the server (after the safe defaults). */
  env?: Record<string, string>;
  readyTimeoutMs?: number;
}

/** A port the OS says is free now. */
export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

/** Whether something listens on the port. */
export async function portInUse(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const s = createServer();
    s.once("error", () => ok(true));
    s.listen(port, "127.0.0.1", () => s.close(() => ok(false)));
  });
}

/** Whether any process of the group is still alive. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The repository's langgraph.json, copied to `dir` with its graph paths made relative to it. */
function isolatedConfig(dir: string): string {
  const config = JSON.parse(readFileSync(join(REPO_ROOT, "langgraph.json"), "utf8")) as {
    graphs: Record<string, string>;
  };
  const graphs = Object.fromEntries(
    Object.entries(config.graphs).map(([id, spec]) => {
      const [file, exported] = spec.split(":");
      return [id, `${relative(dir, resolve(REPO_ROOT, file))}:${exported}`];
    }),
  );
  const path = join(dir, "langgraph.json");
  writeFileSync(path, JSON.stringify({ ...config, graphs }, null, 2));
  return path;
}

export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const dir = mkdtempSync(join(tmpdir(), "langgraph-dev-"));
  const configPath = isolatedConfig(dir);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env: Record<string, string | undefined> = {
    ...process.env,
    LANGGRAPH_CLI_NO_ANALYTICS: "1",
    BROWSER: "none",
    LANGSMITH_TRACING: "false",
    LANGCHAIN_TRACING_V2: "false",
    OPENAI_API_KEY: "",
    INFRA_MODEL: "",
    ...options.env,
  };
  const child: ChildProcess = spawn(
    process.execPath,
    [CLI, "dev", "--host", "127.0.0.1", "--port", String(port), "--no-browser", "--config", configPath],
    {
      cwd: REPO_ROOT,
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const pgid = child.pid!;
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString("utf8"));
    if (output.length > 400) output.splice(0, output.length - 400);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  let exited = false;
  const exit = new Promise<void>((r) =>
    child.once("exit", () => {
      exited = true;
      r();
    }),
  );
  const killOnExit = () => {
    try {
      process.kill(-pgid, "SIGKILL");
    } catch {
      /* gone */
    }
  };
  process.once("exit", killOnExit);

  let stopped: Promise<void> | null = null;
  const stop = (graceMs = 10_000) => {
    stopped ??= (async () => {
      try {
        process.kill(-pgid, "SIGTERM");
      } catch {
        /* already gone */
      }
      const deadline = Date.now() + graceMs;
      while ((!exited || groupAlive(pgid)) && Date.now() < deadline) await Promise.race([exit, sleep(100)]);
      if (!exited || groupAlive(pgid)) {
        killOnExit();
        await Promise.race([exit, sleep(2_000)]);
        while (groupAlive(pgid)) await sleep(50);
      }
      process.removeListener("exit", killOnExit);
      rmSync(dir, { recursive: true, force: true });
    })();
    return stopped;
  };
  const server: DevServer = { url, port, pgid, logs: () => output.join(""), stop };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (exited) break;
    try {
      const res = await fetch(`${url}/ok`);
      if (res.ok) return server;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) break;
    await sleep(250);
  }
  await stop();
  throw new Error(
    `the dev server did not start on ${url}${exited ? " (it exited)" : ""}:\n${server.logs().slice(-4000)}`,
  );
}
