/**
 * Output paths and stores that fail. A --report path that cannot be written is refused before the
 * incident runs (exit 2); a report that fails at the end, after a good incident, exits 3 with the
 * incident's outcome intact on stdout; a report is written to a temporary file and renamed.
 * SQLite stores that are full, not databases, or cannot be opened give one plain line (exit 1).
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { childEnv, killAllChildren, ROOT, runTsx } from "./support/processes.js";
import { writeReportAtomically } from "../../src/cli/report-file.js";

const dir = mkdtempSync(join(tmpdir(), "report-store-"));
afterAll(() => {
  killAllChildren();
  rmSync(dir, { recursive: true, force: true });
});
const cli = (args: string[]) => runTsx("src/cli/main.ts", args, childEnv());
const oneLine = (stderr: string) => {
  const lines = stderr.trim().split("\n");
  expect(
    lines.filter((l) => /^\s+at /.test(l)),
    stderr,
  ).toEqual([]);
  return lines.filter((l) => l.startsWith("error: "));
};

describe("--report paths", () => {
  it("a missing folder, a device and a read-only place are refused before the incident runs (exit 2)", async () => {
    const [missing, device, readOnly] = await Promise.all([
      cli(["--report", join(dir, "no-such-folder", "r.html")]),
      cli(["--report", "/dev/full"]),
      cli(["--report", "/proc/incident-report.html"]),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error: --report .*r\.html: the folder .*no-such-folder does not exist$/m);
    expect(device.code).toBe(2);
    expect(device.stderr).toMatch(/^error: --report \/dev\/full: it exists and is not a regular file$/m);
    expect(readOnly.code).toBe(2);
    expect(readOnly.stderr).toMatch(
      /^error: --report \/proc\/incident-report\.html: (the folder \/proc is not writable|cannot write in \/proc)/m,
    );
    for (const r of [missing, device, readOnly]) {
      expect(r.stdout).toBe("");
      expect(r.stderr).not.toMatch(/^incident: /m);
      oneLine(r.stderr);
    }
  });

  it("a report that fails after a good incident: exit 3, the outcome on stdout, the reason on stderr", async () => {
    const folder = join(dir, "vanishing");
    mkdirSync(folder);
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        ["--import", "tsx", "src/cli/main.ts", "--json", "--report", join(folder, "r.html")],
        { cwd: ROOT, env: childEnv(), stdio: ["ignore", "pipe", "pipe"] },
      );
      let stdout = "",
        stderr = "";
      child.stdout!.on("data", (d) => (stdout += d));
      // The folder goes away once the incident has started (its path was good when checked).
      child.stderr!.on("data", (d) => {
        stderr += d;
        if (/^incident: /m.test(stderr)) rmSync(folder, { recursive: true, force: true });
      });
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
    expect(r.code, r.stderr).toBe(3);
    expect(JSON.parse(r.stdout).status).toBe("restored");
    expect(oneLine(r.stderr)).toEqual([
      expect.stringMatching(
        /^error: the incident is fine \(restored\), but the report could not be written to .*r\.html \(ENOENT: .*\); no file was written$/,
      ),
    ]);
  });

  it("is written to a temporary file and renamed: a failed write leaves the old report as it was", () => {
    const file = join(dir, "report.html");
    writeReportAtomically(file, "<html>first</html>");
    expect(readFileSync(file, "utf8")).toBe("<html>first</html>");
    // A content that cannot be written (a lone surrogate is fine; an object is not a string): the write throws midway.
    expect(() => writeReportAtomically(file, 42 as unknown as string)).toThrow(/the file there is unchanged/);
    expect(readFileSync(file, "utf8")).toBe("<html>first</html>");
    expect(readdirSync(dir).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });
});

describe("SQLite stores that cannot be used", () => {
  it("a full disk, a file that is not a database, a path that cannot be opened: one plain line each, exit 1", async () => {
    const garbage = join(dir, "garbage.db");
    writeFileSync(garbage, "this is not a database\n".repeat(100));
    const [full, notDb, cannotOpen] = await Promise.all([
      cli(["--checkpoint", "sqlite:/dev/full"]),
      cli(["--checkpoint", `sqlite:${garbage}`]),
      cli(["--checkpoint", `sqlite:${join(dir, "no-such-folder", "x.db")}`]),
    ]);
    expect(full.code).toBe(1);
    expect(oneLine(full.stderr)).toEqual([
      "error: the checkpoint store sqlite:/dev/full cannot be used: the disk is full: free some space, or use another --checkpoint (SQLITE_FULL)",
    ]);
    expect(notDb.code).toBe(1);
    expect(oneLine(notDb.stderr)).toEqual([
      `error: the checkpoint store sqlite:${garbage} cannot be used: the file is not an SQLite database, or it is damaged (SQLITE_NOTADB)`,
    ]);
    expect(cannotOpen.code).toBe(1);
    expect(oneLine(cannotOpen.stderr)).toEqual([
      expect.stringMatching(
        /^error: cannot open the checkpoint file .*x\.db: Cannot open database because the directory does not exist$/,
      ),
    ]);
  });
});
