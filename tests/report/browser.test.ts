/** Which Chromium the browser tests launch (tests/support/browser.ts): Debian's when present, else the npm one. */
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { chooseBrowser, SYSTEM_CHROMIUM } from "../support/browser.js";

describe("browser choice for tests", () => {
  it("INFRA_CHROMIUM=npm gives the npm package's Chromium, unpacked and executable", async () => {
    const choice = await chooseBrowser({ INFRA_CHROMIUM: "npm" });
    expect(choice.source).toBe("npm");
    expect(existsSync(choice.executablePath)).toBe(true);
    expect(choice.args).toContain("--no-sandbox");
  });

  it("auto picks Debian's when it is installed, the npm one otherwise", async () => {
    const choice = await chooseBrowser({});
    expect(choice.source).toBe(existsSync(SYSTEM_CHROMIUM) ? "system" : "npm");
  });

  it("INFRA_CHROMIUM=system without Debian's Chromium, or a bad value, fails with a sentence", async () => {
    if (existsSync(SYSTEM_CHROMIUM)) {
      expect((await chooseBrowser({ INFRA_CHROMIUM: "system" })).executablePath).toBe(SYSTEM_CHROMIUM);
    } else {
      await expect(chooseBrowser({ INFRA_CHROMIUM: "system" })).rejects.toThrow(/no \/usr\/bin\/chromium/);
    }
    await expect(chooseBrowser({ INFRA_CHROMIUM: "firefox" })).rejects.toThrow(/auto, npm, system/);
    await expect(chooseBrowser({ INFRA_CHROMIUM: "/nowhere/chromium" })).rejects.toThrow(/no such file/);
  });
});
