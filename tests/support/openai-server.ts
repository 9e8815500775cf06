/**
 * A local OpenAI-compatible server for tests: POST /v1/chat/completions as OpenAI answers it
 * (plain content or tool calls, a unique id per completion and per tool call, usage figures),
 * on 127.0.0.1 and a free port. It records every request, and answers from a responder given
 * by the test: a rule that reads the request's messages, or a script. It can also answer with
 * an HTTP error (429, 5xx) or never answer at all, to test retries and timeouts.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A message as it travels in an OpenAI chat request. */
export interface WireMessage {
  role: "system" | "user" | "assistant" | "tool" | "developer";
  content: string | null | { type: string; text?: string }[];
  tool_calls?: { id: string; type: "function"; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
  name?: string;
}

export interface WireTool {
  type: "function";
  function: { name: string; description?: string; parameters?: Record<string, unknown> };
}

export interface ChatRequest {
  model: string;
  messages: WireMessage[];
  tools?: WireTool[];
  [key: string]: unknown;
}

/** What the server does with one request. */
export type Reply =
  | {
      content?: string;
      toolCalls?: { name: string; arguments: Record<string, unknown> | string }[];
      usage?: { prompt_tokens: number; completion_tokens: number };
    }
  | { status: number; error: { message: string; type?: string; code?: string }; headers?: Record<string, string> }
  | { hang: true };

export type Responder = (request: ChatRequest, index: number) => Reply | Promise<Reply>;

export interface RecordedRequest {
  index: number;
  path: string;
  headers: IncomingMessage["headers"];
  /** The raw body, as sent: its length is the request's real size. */
  raw: string;
  body: ChatRequest;
  /** What the server answered: a completion (with its usage) or an error status. */
  answer?: {
    status: number;
    id?: string;
    usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  };
}

export interface FakeOpenAIServer {
  /** Base URL for OPENAI_BASE_URL, ending in /v1. */
  baseURL: string;
  port: number;
  requests: RecordedRequest[];
  /** Completions answered (status 200) and the usage reported for them. */
  completions(): NonNullable<RecordedRequest["answer"]>[];
  /** Replace the responder (between test cases). */
  respondWith(responder: Responder): void;
  close(): Promise<void>;
}

/** Usage when the responder gives none: a plausible count from the sizes, ~4 characters a token. */
function defaultUsage(raw: string, completion: string) {
  return { prompt_tokens: Math.ceil(raw.length / 4), completion_tokens: Math.max(1, Math.ceil(completion.length / 4)) };
}

export async function startOpenAIServer(responder: Responder): Promise<FakeOpenAIServer> {
  let respond = responder;
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      handle(req, res, Buffer.concat(chunks).toString("utf8")).catch((e) =>
        send(res, 500, { error: { message: String((e as Error).stack ?? e), type: "server_error" } }),
      );
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse, raw: string) {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "GET" && path === "/v1/models")
      return send(res, 200, { object: "list", data: [{ id: "test-model", object: "model", owned_by: "test" }] });
    if (req.method !== "POST" || path !== "/v1/chat/completions")
      return send(res, 404, { error: { message: `no route ${req.method} ${path}`, type: "invalid_request_error" } });
    let body: ChatRequest;
    try {
      body = JSON.parse(raw) as ChatRequest;
    } catch {
      return send(res, 400, { error: { message: "the body is not JSON", type: "invalid_request_error" } });
    }
    const recorded: RecordedRequest = { index: requests.length, path, headers: req.headers, raw, body };
    requests.push(recorded);
    if (body.stream)
      return send(res, 400, { error: { message: "this test server does not stream", type: "invalid_request_error" } });
    const reply = await respond(body, recorded.index);
    if ("hang" in reply) return; // never answered: the client's timeout must end it (close() drops the socket)
    if ("status" in reply) {
      recorded.answer = { status: reply.status };
      return send(res, reply.status, { error: { type: "server_error", ...reply.error } }, reply.headers);
    }
    const id = `chatcmpl-${randomUUID()}`;
    const toolCalls = (reply.toolCalls ?? []).map((c) => ({
      id: `call_${randomUUID().replace(/-/g, "").slice(0, 24)}`,
      type: "function" as const,
      function: {
        name: c.name,
        arguments: typeof c.arguments === "string" ? c.arguments : JSON.stringify(c.arguments),
      },
    }));
    const content = reply.content ?? (toolCalls.length ? null : "");
    const u = reply.usage ?? defaultUsage(raw, (content ?? "") + JSON.stringify(toolCalls));
    const usage = { ...u, total_tokens: u.prompt_tokens + u.completion_tokens };
    recorded.answer = { status: 200, id, usage };
    send(res, 200, {
      id,
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model: body.model,
      system_fingerprint: "fp_test",
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content,
            ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
            refusal: null,
          },
          logprobs: null,
          finish_reason: toolCalls.length ? "tool_calls" : "stop",
        },
      ],
      usage,
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    completions: () => requests.filter((r) => r.answer?.status === 200).map((r) => r.answer!),
    respondWith: (r) => {
      respond = r;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    "x-request-id": `req_${randomUUID()}`,
    ...headers,
  });
  res.end(text);
}

/** The text of a wire message's content. */
export function textOf(m: WireMessage): string {
  if (typeof m.content === "string") return m.content;
  if (Array.isArray(m.content)) return m.content.map((p) => p.text ?? "").join("");
  return "";
}
