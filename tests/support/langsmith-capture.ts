/**
 * A local stand-in for the LangSmith ingest API, for tests: it answers what the langsmith
 * client asks (GET /info, POST /runs/multipart, and the older POST /runs, PATCH /runs/:id,
 * POST /runs/batch), keeps every run it is sent, merged by id (a run may arrive as a create
 * and later an update), and keeps every request body as text so a test can search all of
 * what left the process (for secrets, say).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync, inflateSync, brotliDecompressSync } from "node:zlib";

export interface CapturedRun {
  id: string;
  name?: string;
  run_type?: string;
  parent_run_id?: string | null;
  trace_id?: string;
  dotted_order?: string;
  start_time?: string | number;
  end_time?: string | number;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
  events?: unknown[];
  extra?: { metadata?: Record<string, unknown>; [k: string]: unknown };
  serialized?: unknown;
  tags?: string[];
  error?: string | null;
  [k: string]: unknown;
}

export interface CapturedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The body as text, after undoing any Content-Encoding. */
  body: string;
}

export interface LangSmithCapture {
  /** The base URL to put in LANGSMITH_ENDPOINT. */
  url: string;
  runs: Map<string, CapturedRun>;
  requests: CapturedRequest[];
  /** Everything received (paths, headers, bodies) as one string, to search for leaks. */
  everything(): string;
  close(): Promise<void>;
}

/** What the client reads from /info: no compression, so the bodies stay plain multipart. */
const SERVER_INFO = {
  version: "0.10.0",
  license_expiration_time: null,
  batch_ingest_config: {
    use_multipart_endpoint: true,
    scale_up_qsize_trigger: 1000,
    scale_up_nthreads_limit: 16,
    scale_down_nempty_trigger: 4,
    size_limit: 100,
    size_limit_bytes: 20_971_520,
  },
  instance_flags: {},
};

export async function startLangSmithCapture(): Promise<LangSmithCapture> {
  const runs = new Map<string, CapturedRun>();
  const requests: CapturedRequest[] = [];

  const merge = (id: string, fields: Partial<CapturedRun>) => {
    const prev = runs.get(id) ?? { id };
    const next: CapturedRun = { ...prev };
    for (const [k, v] of Object.entries(fields)) if (v !== undefined) (next as Record<string, unknown>)[k] = v;
    runs.set(id, next);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const raw = await readBody(req);
    const body = decode(raw, String(req.headers["content-encoding"] ?? ""));
    const path = (req.url ?? "/").split("?")[0];
    requests.push({ method: req.method ?? "", path, headers: req.headers, body: body.toString("latin1") });
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(value));
    };

    if (req.method === "GET" && path === "/info") return json(200, SERVER_INFO);
    if (req.method === "POST" && path === "/runs/multipart") {
      const form = await new Response(new Uint8Array(body), {
        headers: { "content-type": String(req.headers["content-type"]) },
      }).formData();
      for (const [name, value] of form.entries()) {
        const text = typeof value === "string" ? value : await value.text();
        const [op, id, field] = name.split(".");
        if (op !== "post" && op !== "patch") continue; // feedback and attachments are not needed here
        const parsed = parseJson(text);
        if (field === undefined) merge(id, { ...(parsed as object), id });
        else merge(id, { [field]: parsed });
      }
      return json(202, {});
    }
    if (req.method === "POST" && path === "/runs") {
      const run = parseJson(body.toString("utf8")) as CapturedRun;
      merge(run.id, run);
      return json(202, {});
    }
    if (req.method === "PATCH" && path.startsWith("/runs/")) {
      const id = path.slice("/runs/".length);
      merge(id, parseJson(body.toString("utf8")) as Partial<CapturedRun>);
      return json(202, {});
    }
    if (req.method === "POST" && path === "/runs/batch") {
      const batch = parseJson(body.toString("utf8")) as { post?: CapturedRun[]; patch?: CapturedRun[] };
      for (const run of [...(batch.post ?? []), ...(batch.patch ?? [])]) merge(run.id, run);
      return json(202, {});
    }
    return json(404, { detail: `not found: ${req.method} ${path}` });
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ detail: String(e) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    runs,
    requests,
    everything: () => requests.map((r) => `${r.method} ${r.path}\n${JSON.stringify(r.headers)}\n${r.body}`).join("\n"),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function decode(body: Buffer, encoding: string): Buffer {
  if (encoding === "gzip") return gunzipSync(body);
  if (encoding === "deflate") return inflateSync(body);
  if (encoding === "br") return brotliDecompressSync(body);
  return body;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The children of a run, in the order they started. */
export function childrenOf(runs: Map<string, CapturedRun>, parentId: string): CapturedRun[] {
  return [...runs.values()]
    .filter((r) => r.parent_run_id === parentId)
    .sort((a, b) => String(a.dotted_order).localeCompare(String(b.dotted_order)));
}

/** Every run below a run, at any depth. */
export function descendantsOf(runs: Map<string, CapturedRun>, rootId: string): CapturedRun[] {
  const out: CapturedRun[] = [];
  const walk = (id: string) => {
    for (const c of childrenOf(runs, id)) {
      out.push(c);
      walk(c.id);
    }
  };
  walk(rootId);
  return out;
}
