/**
 * Child processes for the reliability tests: started in their own process group and killed
 * with it if a test ends early, so nothing outlives a failed test.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";

export const ROOT = new URL("../../..", import.meta.url).pathname;

/** An environment with no model key and no tracing, plus what the test adds. */
export function childEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    OPENAI_API_KEY: "",
    INFRA_MODEL: "",
    LANGSMITH_TRACING: "false",
    LANGCHAIN_TRACING_V2: "false",
  };
  delete env.INFRA_CRASH_LEDGER;
  delete env.INFRA_CRASH_TRACE;
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const live = new Set<ChildProcess>();

/** Run `node --import tsx SCRIPT ARGS` to its end (or until `timeoutMs`, then kill its group). No tsx wrapper process: a SIGKILL reaches the script itself. */
export function runTsx(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 120_000,
): Promise<ChildResult> {
  return startTsx(script, args, env, timeoutMs).done;
}

/** As runTsx, but returns at once with the child's pid (the script's own process) and its end. */
export function startTsx(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 120_000,
): { pid: number; done: Promise<ChildResult> } {
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], {
    cwd: ROOT,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  live.add(child);
  const done = new Promise<ChildResult>((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d) => (stdout += d));
    child.stderr!.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => killGroup(child), timeoutMs);
    child.on("error", (e) => {
      clearTimeout(timer);
      live.delete(child);
      reject(e);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      live.delete(child);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { pid: child.pid!, done };
}

/** Linux: whether the process is stopped (SIGSTOP), from /proc/PID/stat. */
export function isStopped(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("T");
  } catch {
    return false;
  }
}

function killGroup(child: ChildProcess) {
  try {
    if (child.pid) process.kill(-child.pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/** Kill every child still running (for afterAll). */
export function killAllChildren(): void {
  for (const c of live) killGroup(c);
  live.clear();
}
