/**
 * The operator console in a real browser (playwright-core driving headless Chromium), against
 * the stand-in API of tests/support/console-api.ts (the service's routes and shapes, one
 * process, the demo incident with approval on). Screenshots go to test-artifacts/.
 */
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchBrowser } from "../support/browser.js";
import { type ConsoleApi, startConsoleApi } from "../support/console-api.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const ARTIFACTS = join(ROOT, "test-artifacts");

describe("operator console in a headless browser", () => {
  let api: ConsoleApi;
  let browser: Browser;
  const problems: string[] = [];
  const outside: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    api = await startConsoleApi();
    ({ browser } = await launchBrowser());
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  async function open(token: string, width: number, height: number): Promise<Page> {
    const page = await browser.newPage({ viewport: { width, height } });
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("request", (r) => {
      if (!r.url().startsWith("http://127.0.0.1:")) outside.push(r.url());
    });
    await page.goto(`${api.url}/`);
    await page.fill("#token", token);
    await page.keyboard.press("Enter");
    await page.waitForSelector("#incident-list tbody tr");
    return page;
  }

  /** Tab through the page until the element matching `selector` has the focus. */
  async function tabTo(page: Page, selector: string, max = 80): Promise<void> {
    for (let i = 0; i < max; i++) {
      await page.keyboard.press("Tab");
      if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    }
    throw new Error(`${selector} cannot be reached with Tab`);
  }

  const decisionAt = (page: Page) => page.locator("#dec-at").textContent();
  const waitForDecision = (page: Page, requests: number) =>
    page.waitForFunction(
      (n) =>
        document.querySelectorAll('#steps li[data-kind="decision_requested"]').length >= n &&
        !(document.querySelector("#decision") as HTMLElement).hidden &&
        !(document.querySelector("#approve") as HTMLButtonElement).disabled,
      requests,
      { timeout: 30_000 },
    );

  it("lets an operator watch, approve, reject with a reason, and edit with the expected effect shown before sending", async () => {
    const page = await open(api.tokens.operator, 1280, 800);
    expect(await page.locator("#who-name").textContent()).toBe("alice.operator");
    // Keyboard: the incident's row is reachable with Tab and opens with Enter.
    await tabTo(page, "#incident-list tbody tr");
    await page.keyboard.press("Enter");
    await waitForDecision(page, 1);

    // The map and the steps as they arrive.
    await page.waitForSelector("#live-map path.node");
    expect(await page.locator("#live-map path.node").count()).toBe(36);
    expect(await page.locator("#live-map text.label.critical").textContent()).toBe("St. Mary's Hospital");
    const steps = await page.locator("#steps li").allTextContents();
    expect(steps.join("\n")).toMatch(/FAILURE_DETECTION[\s\S]*REPAIR_PLANNING[\s\S]*plan[\s\S]*decision requested/);
    expect(await page.locator("#dec-crews .crew-list").count()).toBe(3);
    await page.waitForSelector('#dec-effects tr[data-row="Optimizer\'s proposal"] td:not(:empty)');
    expect(await page.locator("#dec-reasoning").textContent()).toMatch(/HOSP-StMary/);
    expect(await decisionAt(page)).toBe("T+00:00");
    await page.screenshot({ path: join(ARTIFACTS, "console-operator-1280x800.png") });

    // Approve, with the keyboard.
    await tabTo(page, "#approve");
    await page.keyboard.press("Enter");
    await waitForDecision(page, 2);
    expect(await decisionAt(page)).toBe("T+00:49");
    // TX-5A's damage at minute 49 is marked on the live curve, with its asset.
    await page.waitForSelector("#live-curve g.event.damage");
    expect(await page.locator("#live-curve g.event.damage title").first().textContent()).toBe(
      "new damage: TX-5A at T+00:49",
    );
    // The dispatches of the approved plan reached the field and the ETRs are published with their reasons.
    await page.waitForSelector("#dispatches tbody tr");
    await page.waitForFunction(() => document.querySelectorAll("#areas tbody tr td.why").length >= 5);
    expect(await page.locator("#areas tbody").textContent()).toMatch(/first estimate from the plan/);
    expect(await page.locator("#steps").textContent()).toMatch(/approve by alice\.operator/);

    // Reject with a reason: the agent re-plans and asks again.
    const plansBefore = await page.locator('#steps li[data-kind="plan"]').count();
    await page.fill("#reject-reason", "PWR-1 must stay north of the river");
    await page.click("#reject");
    await waitForDecision(page, 3);
    expect(await page.locator("#steps").textContent()).toMatch(
      /reject by alice\.operator: PWR-1 must stay north of the river/,
    );
    expect(await page.locator('#steps li[data-kind="plan"]').count()).toBeGreaterThan(plansBefore);

    // Edit: reorder a list, check the edited plan's expected effect, then send it.
    const list = page
      .locator(".crew-list")
      .filter({ has: page.locator("li[data-asset]:nth-child(2)") })
      .first();
    const crew = await list.getAttribute("data-crew");
    const firstAsset = await list.locator("li[data-asset]").first().getAttribute("data-asset");
    await list.locator("li[data-asset]").first().getByRole("button", { name: /down/ }).click();
    expect(await page.locator("#send-edit").isDisabled()).toBe(true);
    expect(await page.locator("#approve").isDisabled()).toBe(true);
    await page.click("#whatif");
    const edited = page.locator('#dec-effects tr[data-row="Your edited plan"] td').first();
    await page.waitForFunction(() =>
      /\d/.test(document.querySelector('#dec-effects tr[data-row="Your edited plan"] td')?.textContent ?? ""),
    );
    expect(await edited.textContent()).toMatch(/^[\d,]+$/);
    expect(await page.locator("#dec-status").textContent()).toMatch(/weighted customer-minutes expected/);
    await page.screenshot({ path: join(ARTIFACTS, "console-edit-what-if.png"), fullPage: true });
    expect(await page.locator("#send-edit").isDisabled()).toBe(false);
    await page.click("#send-edit");
    await waitForDecision(page, 4);
    // The edit was applied (not asked again with reasons): the next request is the next round's.
    expect(await page.locator("#dec-refused").isVisible()).toBe(false);
    expect(await decisionAt(page)).not.toBe("T+00:49");
    const edit = api.decisions.at(-1) as {
      decision: string;
      plan: { assignments: { crew_id: string; asset_ids: string[] }[] };
    };
    expect(edit.decision).toBe("edit");
    expect(edit.plan.assignments.find((a) => a.crew_id === crew)!.asset_ids[1]).toBe(firstAsset);

    // Every decision is in the audit trail, signed.
    const audit = await page.locator("#audit tbody tr").allTextContents();
    expect(audit).toHaveLength(3);
    for (const [row, what] of audit.map((r, i) => [r, ["approve", "reject", "edit"][i]])) {
      expect(row).toContain("alice.operator");
      expect(row).toContain(what);
    }
    expect(audit[1]).toContain("PWR-1 must stay north of the river");

    // Fits 1280x800 and a 768-pixel-wide tablet without sideways scrolling.
    for (const [w, h] of [
      [1280, 800],
      [768, 1024],
    ]) {
      await page.setViewportSize({ width: w, height: h });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(w);
      // The page re-renders the map on every event: measure it once it is attached and laid out.
      await expect
        .poll(async () => (await page.locator("#live-map").boundingBox())?.width ?? 0, { timeout: 15_000 })
        .toBeGreaterThan(w * 0.5);
    }
    await page.screenshot({ path: join(ARTIFACTS, "console-operator-768.png"), fullPage: true });
    // Pages stay open until the browser closes: the npm Chromium runs single-process and quits with its last page.
  }, 120_000);

  it("shows a viewer everything and lets them decide nothing", async () => {
    const page = await open(api.tokens.viewer, 1280, 800);
    expect(await page.locator("#who-role").textContent()).toBe("viewer");
    await page.click("#incident-list tbody tr");
    await page.waitForSelector("#decision:not([hidden])");
    expect(await page.locator("#dec-viewer").isVisible()).toBe(true);
    expect(await page.locator("#dec-actions").isVisible()).toBe(false);
    expect(await page.locator("#live-map").isVisible()).toBe(true);
    for (const sel of await page.locator("#dec-crews button, #dec-crews select").all())
      expect(await sel.isDisabled()).toBe(true);
    expect(problems).toEqual([]);
    // Not by the page, nor by hand with the viewer's token (the browser logs the 403 it gets).
    const status = await page.evaluate(
      async (token) =>
        (
          await fetch(`/v1/incidents/incident-console-1/decision`, {
            method: "POST",
            headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
            body: JSON.stringify({ decision: "approve" }),
          })
        ).status,
      api.tokens.viewer,
    );
    expect(status).toBe(403);
    await page.screenshot({ path: join(ARTIFACTS, "console-viewer.png") });
    expect(outside).toEqual([]);
  }, 60_000);
});
