/**
 * The incident report in a real browser: `npm start -- --report FILE` writes it, headless
 * Chromium (Debian's when installed, else the npm package's: tests/support/browser.ts) opens it offline.
 * Saves artifacts/report.png.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Browser } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { loadScenario } from "../../src/world/scenario/load.js";
import { launchBrowser } from "../support/browser.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");

function runCli(args: string[], timeoutMs: number): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "src/cli/main.ts"), ...args], {
      cwd: ROOT,
      detached: true,
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, LANGSMITH_TRACING: "false" },
    });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        /* already gone */
      }
      reject(new Error(`CLI timed out: ${stderr}`));
    }, timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe("incident report in a headless browser", () => {
  const dir = mkdtempSync(join(tmpdir(), "report-"));
  let browser: Browser | undefined;
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("draws the map and the curve, logs no error and makes no network request", async () => {
    const file = join(dir, "report.html");
    const cli = await runCli(["--scenario", "demo", "--model", "offline", "--report", file], 90_000);
    expect(cli.code, cli.stderr).toBe(0);
    expect(existsSync(file)).toBe(true);

    ({ browser } = await launchBrowser());
    const page = await browser.newPage({ viewport: { width: 1000, height: 1400 } });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("request", (r) => requests.push(r.url()));
    const url = pathToFileURL(file).href;
    await page.goto(url, { waitUntil: "load" });

    const counts = await page.evaluate(() => ({
      nodes: document.querySelectorAll("#map-after path.node").length,
      links: document.querySelectorAll("#map-after line.link").length,
      routes: document.querySelectorAll("#map-after g.route").length,
      crews: document.querySelectorAll("#map-after g.crew").length,
      curvePoints: document.querySelectorAll("#curve circle.curve-point").length,
      curvePaths: document.querySelectorAll("#curve path.curve").length,
      timelineBars: document.querySelectorAll("#timeline rect").length,
    }));
    const demo = loadScenario("demo");
    expect(counts.nodes).toBe(demo.nodes.length);
    expect(counts.links).toBe(demo.links.length);
    expect(counts.crews).toBe(demo.crews.length);
    expect(counts.routes).toBeGreaterThan(0);
    expect(counts.curvePoints).toBeGreaterThan(3);
    expect(counts.curvePaths).toBe(1);
    expect(counts.timelineBars).toBeGreaterThan(3);

    // Drawn, not just present: the map and the curve take up room on the page.
    const mapBox = await page.locator("#map-after").boundingBox();
    const curveBox = await page.locator("#curve").boundingBox();
    expect(mapBox!.width).toBeGreaterThan(500);
    expect(curveBox!.height).toBeGreaterThan(100);
    expect(await page.locator("#map-worst").isVisible()).toBe(false);
    await page.click("label[for=show-worst]");
    expect(await page.locator("#map-worst").isVisible()).toBe(true);
    expect(await page.locator("#map-after").isVisible()).toBe(false);
    await page.click("label[for=show-after]");

    mkdirSync(join(ROOT, "artifacts"), { recursive: true });
    await page.screenshot({ path: join(ROOT, "artifacts/report.png"), fullPage: true });

    expect(problems).toEqual([]);
    expect(requests).toEqual([url]);
  });
});
