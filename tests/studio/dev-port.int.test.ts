/** `npm run dev` on a port that is taken: one line and exit status 1, nothing left running. */
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { groupAlive, REPO_ROOT } from "../support/dev-server.js";

describe("npm run dev", () => {
  it("with its port taken, says so in one line and exits 1", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const port = (taken.address() as { port: number }).port;
    const child = spawn("npm", ["run", "--silent", "dev", "--", "--port", String(port)], {
      cwd: REPO_ROOT,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, LANGSMITH_TRACING: "false", OPENAI_API_KEY: "", INFRA_MODEL: "" },
    });
    let output = "";
    child.stdout!.on("data", (d) => (output += d));
    child.stderr!.on("data", (d) => (output += d));
    // Had it started the server anyway, it would keep running: stop it after a generous while.
    const guard = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        /* gone */
      }
    }, 60_000);
    try {
      const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
      expect(code).toBe(1);
      expect(output.trim().split("\n")).toEqual([
        `error: port ${port} on 127.0.0.1 is in use: run npm run dev -- --port ${port + 1} (or another free port)`,
      ]);
      expect(groupAlive(child.pid!)).toBe(false);
    } finally {
      clearTimeout(guard);
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        /* gone */
      }
      taken.close();
    }
  });
});
