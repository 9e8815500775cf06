/**
 * One way for tests to launch a headless Chromium through playwright-core, on any machine of this kind:
 * Debian's `/usr/bin/chromium` when it is installed, otherwise the Chromium shipped in the npm package
 * `@sparticuz/chromium` (a devDependency: `npm ci` brings it, no download at run time).
 *
 * `INFRA_CHROMIUM` chooses: unset or `auto` (the above), `npm` (the package's, even if Debian's is there),
 * `system` (Debian's, an error if it is missing), or an absolute path to a Chromium binary.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium } from "playwright-core";

export const SYSTEM_CHROMIUM = "/usr/bin/chromium";

/** Flags for Debian's Chromium: headless, no sandbox (tests may run as root), nothing that calls out. */
const SYSTEM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export interface BrowserChoice {
  source: "system" | "npm" | "path";
  executablePath: string;
  args: string[];
}

/**
 * The package unpacks into `os.tmpdir()` and treats an existing `chromium` file there as done, so two test
 * processes unpacking at once could run a half-written binary. Unpack into a private staging folder (the package
 * reads TMPDIR at each call) and rename it into place: the rename is atomic, and the loser uses the winner's copy.
 */
async function npmChromium(): Promise<BrowserChoice> {
  const { default: sparticuz } = await import("@sparticuz/chromium");
  // The unpacked copy is keyed by the package's version, so an upgrade never runs an old binary.
  const entry = fileURLToPath(import.meta.resolve("@sparticuz/chromium"));
  const version = JSON.parse(readFileSync(join(dirname(entry), "..", "package.json"), "utf8")).version as string;
  const root = tmpdir();
  const dir = join(root, `infra-fail-mngr-chromium-${version}`);
  const exe = join(dir, "chromium");
  if (!existsSync(exe)) {
    mkdirSync(root, { recursive: true });
    const staging = mkdtempSync(join(root, `infra-fail-mngr-chromium-${version}.partial-`));
    const saved = process.env.TMPDIR;
    try {
      process.env.TMPDIR = staging;
      const unpacked = await sparticuz.executablePath();
      if (unpacked !== join(staging, "chromium"))
        throw new Error(`@sparticuz/chromium unpacked to ${unpacked}, not ${staging}`);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
    try {
      renameSync(staging, dir);
    } catch {
      // Another process put its copy in place first: use that one.
      rmSync(staging, { recursive: true, force: true });
    }
  }
  return { source: "npm", executablePath: exe, args: sparticuz.args };
}

/** Which Chromium `launchBrowser` would start, with its flags (unpacking the npm one if needed). */
export async function chooseBrowser(env: NodeJS.ProcessEnv = process.env): Promise<BrowserChoice> {
  const wanted = (env.INFRA_CHROMIUM ?? "auto").trim() || "auto";
  if (wanted === "npm") return npmChromium();
  if (wanted === "system") {
    if (!existsSync(SYSTEM_CHROMIUM)) throw new Error(`INFRA_CHROMIUM=system but there is no ${SYSTEM_CHROMIUM}`);
    return { source: "system", executablePath: SYSTEM_CHROMIUM, args: SYSTEM_ARGS };
  }
  if (wanted === "auto") {
    if (existsSync(SYSTEM_CHROMIUM)) return { source: "system", executablePath: SYSTEM_CHROMIUM, args: SYSTEM_ARGS };
    return npmChromium();
  }
  if (!wanted.startsWith("/"))
    throw new Error(`INFRA_CHROMIUM must be auto, npm, system or an absolute path, not "${wanted}"`);
  if (!existsSync(wanted)) throw new Error(`INFRA_CHROMIUM=${wanted}: no such file`);
  return { source: "path", executablePath: wanted, args: SYSTEM_ARGS };
}

/** A headless Chromium; the caller closes it (in afterAll / finally). */
export async function launchBrowser(): Promise<{ browser: Browser; choice: BrowserChoice }> {
  const choice = await chooseBrowser();
  const browser = await chromium.launch({ executablePath: choice.executablePath, args: choice.args, headless: true });
  return { browser, choice };
}
