/**
 * The operator console's files, served by the service at `/` and `/console/*`: a static page,
 * its vanilla-JS modules (console.js and what it imports) and two stylesheets (the drawings' styles come from the report's code).
 * No outside resource: the page works in a control room without internet. A strict content
 * security policy keeps it that way (only this origin; the server-rendered SVG is inline).
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DRAWING_CSS } from "../report/draw/css.js";

const PUBLIC = join(dirname(fileURLToPath(import.meta.url)), "public");

export interface StaticAsset {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const FILES: Record<string, { file?: string; text?: () => string; type: string }> = {
  "/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/console/": { file: "index.html", type: "text/html; charset=utf-8" },
  // The page's script and the modules it imports, by concern (no bundler, no build step).
  ...Object.fromEntries(
    ["console", "core", "list", "incident", "decisions", "events"].map((m) => [
      `/console/${m}.js`,
      { file: `${m}.js`, type: "text/javascript; charset=utf-8" },
    ]),
  ),
  "/console/console.css": { file: "console.css", type: "text/css; charset=utf-8" },
  "/console/drawing.css": { text: () => DRAWING_CSS, type: "text/css; charset=utf-8" },
};

export const CONSOLE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** The console file at this path, or undefined when the path is not the console's. */
export function consoleAsset(pathname: string): StaticAsset | undefined {
  const f = FILES[pathname];
  if (!f) return undefined;
  const body = f.text ? f.text() : readFileSync(join(PUBLIC, f.file!), "utf8");
  return {
    status: 200,
    headers: {
      "content-type": f.type,
      "cache-control": "no-cache",
      "content-security-policy": CONSOLE_CSP,
      "x-content-type-options": "nosniff",
    },
    body,
  };
}

export const CONSOLE_PATHS = Object.keys(FILES);
