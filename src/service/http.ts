/**
 * A small HTTP layer on node:http: routes by method and path pattern, bearer-token
 * permissions checked before a body is read, bodies read under a size limit, and every
 * failure answered as JSON with a clear status (400 with every reason, 401, 403, 404, 413,
 * 503 when the database cannot be reached). Nothing here logs a header.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { SERVICE_MAX_BODY_BYTES } from "../limits.js";
import { allows, type Permission, type Principal, type TokenRegistry } from "./auth.js";

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly issues?: string[],
  ) {
    super(message);
    this.name = "HttpError";
  }
}
export const isHttpError = (e: unknown): e is HttpError => e instanceof HttpError;

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string>;
  query: URLSearchParams;
  principal?: Principal;
  /** The body parsed as JSON and validated (only for routes that declare a schema). */
  body: unknown;
}

export interface Route {
  method: "GET" | "POST";
  path: string;
  /** Who may call it; undefined: anyone (health, metrics, the OpenAPI document). */
  permission?: Permission;
  /** Tokens may also come as ?access_token= (server-sent events: a browser's EventSource sends no headers). */
  tokenInQuery?: boolean;
  body?: z.ZodType;
  handler(ctx: RequestContext): Promise<void> | void;
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "cache-control": "no-store",
  });
  res.end(text);
}

export function zodIssues(e: z.ZodError): string[] {
  return e.issues.map((i) => `${i.path.length ? i.path.join(".") : "body"}: ${i.message}`);
}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) throw new HttpError(413, `the body is larger than ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, `the body is larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Errors of the database driver that mean "cannot store now": the client should retry. */
export function isUnavailable(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  if (
    typeof err?.code === "string" &&
    /^(08|53|57P0|40001|40P01|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE)/.test(err.code)
  )
    return true;
  return /Connection terminated|connect ECONNREFUSED|timeout exceeded when trying to connect|Client has encountered a connection error|pool.*(ended|closed)/i.test(
    err?.message ?? "",
  );
}

function compile(path: string): RegExp {
  return new RegExp(`^${path.replace(/:[A-Za-z]+/g, (m) => `(?<${m.slice(1)}>[^/]+)`)}$`);
}

export function makeHandler(
  routes: Route[],
  tokens: TokenRegistry,
  options: { maxBodyBytes?: number; log?: (line: string) => void } = {},
) {
  const table = routes.map((r) => ({ route: r, re: compile(r.path) }));
  const log = options.log ?? ((line: string) => console.error(line));
  return async (req: IncomingMessage, res: ServerResponse) => {
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://service");
    } catch {
      return sendJson(res, 400, { error: "bad request line" });
    }
    try {
      const matches = table.filter((t) => t.re.test(url.pathname));
      if (!matches.length) throw new HttpError(404, `no route ${url.pathname}`);
      const hit = matches.find((t) => t.route.method === req.method);
      if (!hit) {
        res.setHeader("allow", matches.map((m) => m.route.method).join(", "));
        throw new HttpError(405, `${req.method} is not allowed on ${url.pathname}`);
      }
      const { route } = hit;
      const ctx: RequestContext = {
        req,
        res,
        params: { ...(hit.re.exec(url.pathname)!.groups ?? {}) },
        query: url.searchParams,
        body: undefined,
      };
      for (const [k, v] of Object.entries(ctx.params)) ctx.params[k] = decodeURIComponent(v);
      if (route.permission) {
        let principal = tokens.fromRequest(req);
        if (!principal && route.tokenInQuery) {
          const t = url.searchParams.get("access_token");
          if (t) principal = tokens.resolve(t);
        }
        // Unauthenticated: refused before the body is read, so nothing of it is stored.
        if (!principal) {
          res.setHeader("www-authenticate", 'Bearer realm="infra-fail-mngr"');
          throw new HttpError(401, "a valid bearer token is required");
        }
        if (!allows(principal, route.permission))
          throw new HttpError(403, `the ${principal.role} role may not ${route.permission}`);
        ctx.principal = principal;
      }
      if (route.body) {
        const text = await readBody(req, options.maxBodyBytes ?? SERVICE_MAX_BODY_BYTES);
        let raw: unknown;
        try {
          raw = text.length ? JSON.parse(text) : undefined;
        } catch (e) {
          throw new HttpError(400, "the body is not valid JSON", [(e as Error).message]);
        }
        const parsed = route.body.safeParse(raw);
        if (!parsed.success) throw new HttpError(400, "the body does not match the schema", zodIssues(parsed.error));
        ctx.body = parsed.data;
      }
      await route.handler(ctx);
    } catch (e) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (isHttpError(e))
        return sendJson(res, e.status, { error: e.message, ...(e.issues ? { issues: e.issues.slice(0, 100) } : {}) });
      if (isUnavailable(e)) {
        log(`[http] ${req.method} ${url.pathname}: storage unavailable: ${(e as Error).message}`);
        res.setHeader("retry-after", "5");
        return sendJson(res, 503, { error: "storage is unavailable; nothing was stored, send it again" });
      }
      log(`[http] ${req.method} ${url.pathname}: ${(e as Error).stack ?? e}`);
      return sendJson(res, 500, { error: "internal error" });
    }
  };
}
