/** Run a script with tsx in a child process (its own process group, killed on timeout), as a user would. */
import { spawn } from "node:child_process";
import { join } from "node:path";

export const root = new URL("../..", import.meta.url).pathname;

export interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runTsx(
  script: string,
  args: string[] = [],
  options: { cwd?: string; timeoutMs?: number } = {},
): Promise<ChildResult> {
  const env: Record<string, string> = {};
  // Offline and untraced, whatever the developer's shell has set.
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !/^(LANGSMITH_|LANGCHAIN_|OPENAI_)/.test(k) && k !== "INFRA_MODEL") env[k] = v;
  const child = spawn(join(root, "node_modules/.bin/tsx"), [script, ...args], {
    cwd: options.cwd ?? root,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const kill = () => {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // already gone
    }
  };
  const timer = setTimeout(kill, options.timeoutMs ?? 120_000);
  return new Promise((resolve, reject) => {
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      kill(); // anything it left behind in its group
      resolve({ code, stdout, stderr });
    });
  });
}
