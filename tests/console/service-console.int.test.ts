/**
 * The console on the real service (issue 15's `startService`, PostgreSQL at 127.0.0.1:5432,
 * pg-boss, a worker, the field): an operator opens an incident in the browser, sees the map
 * and the agent's steps arrive by SSE, approves the plan and sees it signed in the audit trail
 * and its dispatches; a viewer sees the decision but cannot take it; the outage feed validates.
 * (Reject and edit are driven against the stand-in in console.int.test.ts.)
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Ajv2020 from "ajv/dist/2020.js";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseServiceArgs } from "../../src/service/config.js";
import { startService, type RunningService } from "../../src/service/server.js";
import { launchBrowser } from "../support/browser.js";
import { api, freshDatabase, TOKEN_ENV, TOKENS, waitFor } from "../service/support.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const ARTIFACTS = join(ROOT, "test-artifacts");
const validate = new (Ajv2020 as unknown as typeof Ajv2020.default)({
  allErrors: true,
  validateFormats: false,
}).compile(JSON.parse(readFileSync(join(ROOT, "schemas/outages.schema.json"), "utf8")));

describe("the console served by the operations service", () => {
  let db: Awaited<ReturnType<typeof freshDatabase>>;
  let svc: RunningService;
  let browser: Browser;
  const problems: string[] = [];
  const outside: string[] = [];

  beforeAll(async () => {
    db = await freshDatabase("console_svc");
    const file = join(mkdtempSync(join(tmpdir(), "console-svc-")), "regions.json");
    writeFileSync(
      file,
      JSON.stringify({
        regions: [
          { name: "approval", scenario: "demo", requireApproval: true },
          { name: "second", scenario: "demo", requireApproval: true },
        ],
      }),
    );
    const config = {
      ...parseServiceArgs(["--port", "0", "--config", file, "--clock", "manual", "--no-watch"], {}),
      databaseUrl: db.url,
    };
    svc = await startService(config, { env: TOKEN_ENV, log: () => {} });
    ({ browser } = await launchBrowser());
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await svc?.stop();
    await db?.drop();
  });

  async function open(token: string): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("request", (r) => {
      if (!r.url().startsWith(svc.url)) outside.push(r.url());
    });
    await page.goto(`${svc.url}/`);
    await page.fill("#token", token);
    await page.keyboard.press("Enter");
    return page;
  }

  it("an operator approves a plan in the browser; a viewer cannot decide", async () => {
    const opened = await api(svc.url, "POST", "/v1/incidents", {
      token: TOKENS.operator,
      body: { region: "approval", title: "Storm over Millbrook" },
    });
    expect(opened.status).toBe(201);
    const id = opened.json.id as string;
    const page = await open(TOKENS.operator);
    await page.waitForSelector(`#incident-list tbody tr[data-id="${id}"]`);
    await page.click(`#incident-list tbody tr[data-id="${id}"]`);
    // Steps arrive by SSE, then the decision; the map of the field.
    await page.waitForSelector('#steps li[data-kind="decision_requested"]', { timeout: 45_000 });
    await page.waitForFunction(
      () =>
        !(document.querySelector("#decision") as HTMLElement).hidden &&
        !(document.querySelector("#approve") as HTMLButtonElement).disabled,
      undefined,
      { timeout: 15_000 },
    );
    expect(await page.locator('#steps li[data-kind="step"]').count()).toBeGreaterThanOrEqual(3);
    // The list's figures come from the incident's stored state: this service runs with --no-watch (no field watcher).
    const listed = (await api(svc.url, "GET", "/v1/incidents", { token: TOKENS.viewer })).json.incidents.find(
      (i: { id: string }) => i.id === id,
    );
    expect(listed.figures.populationOut).toBeGreaterThan(0);
    await page.waitForFunction(
      (i) =>
        /\d/.test(document.querySelector(`#incident-list tr[data-id="${i}"] td:nth-child(2) b`)?.textContent ?? ""),
      id,
      { timeout: 15_000 },
    );
    expect(await page.locator(`#incident-list tr[data-id="${id}"] td:nth-child(2)`).textContent()).toMatch(
      /^[\d,]+\d+ critical$/,
    );
    expect(await page.locator("#live-map path.node").count()).toBe(36);
    expect(await page.locator("#dec-crews .crew-list").count()).toBe(3);
    await page.waitForFunction(() =>
      /\d/.test(document.querySelector('#dec-effects tr[data-row="Optimizer\'s proposal"] td')?.textContent ?? ""),
    );

    // The viewer sees the same decision, with no way to take it.
    const viewer = await open(TOKENS.viewer);
    await viewer.click(`#incident-list tbody tr[data-id="${id}"]`);
    await viewer.waitForSelector("#decision:not([hidden])");
    expect(await viewer.locator("#dec-viewer").isVisible()).toBe(true);
    expect(await viewer.locator("#dec-actions").isVisible()).toBe(false);
    await viewer.screenshot({ path: join(ARTIFACTS, "service-console-viewer.png") });

    await page.screenshot({ path: join(ARTIFACTS, "service-console-decision.png"), fullPage: true });
    await page.click("#approve");
    await page.waitForSelector("#audit tbody tr", { timeout: 30_000 });
    expect(await page.locator("#audit tbody tr").first().textContent()).toMatch(/operator.*approve/);
    await waitFor(
      "the approved plan's dispatches",
      async () =>
        (await api(svc.url, "GET", `/v1/incidents/${id}`, { token: TOKENS.viewer })).json.dispatches.length > 0 ||
        undefined,
      30_000,
    );
    await page.waitForSelector("#dispatches tbody tr", { timeout: 15_000 });
    expect(await page.locator('#steps li[data-kind="decision"]').first().textContent()).toMatch(/approve by operator/);
    await page.screenshot({ path: join(ARTIFACTS, "service-console-approved.png"), fullPage: true });

    // The outage feed of the field after the plan, in its schema; GeoJSON too.
    await api(svc.url, "POST", "/v1/world/approval/clock", { token: TOKENS.operator, body: { minutes: 5 } });
    const feed = await api(svc.url, "GET", "/v1/outages", { token: TOKENS.viewer });
    expect(feed.status).toBe(200);
    expect(validate(feed.json), JSON.stringify(validate.errors)).toBe(true);
    expect(feed.json.outages.length).toBeGreaterThan(0);
    expect(feed.json.outages.every((o: { etr: string | null }) => o.etr !== null)).toBe(true);
    const geo = await api(svc.url, "GET", "/v1/outages?format=geojson", { token: TOKENS.viewer });
    expect(geo.json.type).toBe("FeatureCollection");
    expect(geo.json.features.length).toBe(feed.json.outages.length);
    expect((await api(svc.url, "GET", "/v1/outages")).status).toBe(401);

    expect(problems).toEqual([]);
    expect(outside).toEqual([]);
  }, 150_000);

  it("an operator rejects a plan with a reason, sees the re-plan arrive, then edits it and sees its effect before sending", async () => {
    const opened = await api(svc.url, "POST", "/v1/incidents", {
      token: TOKENS.operator,
      body: { region: "second", title: "Second storm" },
    });
    const id = opened.json.id as string;
    const page = await open(TOKENS.operator);
    await page.waitForSelector(`#incident-list tbody tr[data-id="${id}"]`);
    await page.click(`#incident-list tbody tr[data-id="${id}"]`);
    const ready = (n: number) =>
      page.waitForFunction(
        (k) =>
          document.querySelectorAll('#steps li[data-kind="decision_requested"]').length >= k &&
          !(document.querySelector("#decision") as HTMLElement).hidden &&
          !(document.querySelector("#reject") as HTMLButtonElement).disabled,
        n,
        { timeout: 45_000 },
      );
    await ready(1);
    await page.fill("#reject-reason", "keep PWR-2 on the south side");
    await page.click("#reject");
    // The re-plan: a new plan and a new request, after the signed rejection.
    await ready(2);
    expect(await page.locator('#steps li[data-kind="decision"]').first().textContent()).toMatch(
      /reject by operator: keep PWR-2 on the south side/,
    );
    expect(await page.locator('#steps li[data-kind="plan"]').count()).toBeGreaterThanOrEqual(2);
    const list = page
      .locator(".crew-list")
      .filter({ has: page.locator("li[data-asset]:nth-child(2)") })
      .first();
    const crew = (await list.getAttribute("data-crew"))!;
    const first = (await list.locator("li[data-asset]").first().getAttribute("data-asset"))!;
    await list.locator("li[data-asset]").first().getByRole("button", { name: /down/ }).click();
    await page.click("#whatif");
    await page.waitForFunction(() =>
      /\d/.test(document.querySelector('#dec-effects tr[data-row="Your edited plan"] td')?.textContent ?? ""),
    );
    expect(await page.locator("#send-edit").isDisabled()).toBe(false);
    await page.screenshot({ path: join(ARTIFACTS, "service-console-edit.png"), fullPage: true });
    await page.click("#send-edit");
    const detail = await waitFor(
      "the edited plan dispatched",
      async () => {
        const d = (await api(svc.url, "GET", `/v1/incidents/${id}`, { token: TOKENS.viewer })).json;
        return d.dispatches.length > 0 && d.decisions.length >= 2 ? d : undefined;
      },
      45_000,
    );
    expect(detail.decisions.map((x: { action: string }) => x.action)).toEqual(["decision.reject", "decision.edit"]);
    const sent = detail.decisions[1].detail.decision.plan.assignments.find(
      (a: { crew_id: string }) => a.crew_id === crew,
    );
    expect(sent.asset_ids[1]).toBe(first);
    // Applied as edited: the dispatches follow the operator's order.
    const order = detail.dispatches
      .filter((x: { crewId: string }) => x.crewId === crew)
      .map((x: { assetId: string }) => x.assetId);
    expect(order.indexOf(first)).toBeGreaterThan(0);
    await page.waitForFunction(() => document.querySelectorAll("#audit tbody tr").length >= 2, undefined, {
      timeout: 15_000,
    });
    expect(await page.locator("#audit tbody tr").nth(1).textContent()).toMatch(/operator.*edit/);
    expect(problems).toEqual([]);
    expect(outside).toEqual([]);
  }, 150_000);
});
