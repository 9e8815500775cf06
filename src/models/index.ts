/**
 * Chat models by name: `offline` (the built-in rule-based planner) or `openai/<model>`
 * (OpenAI, or any OpenAI-compatible server through OPENAI_BASE_URL: Ollama, vLLM, LM Studio,
 * llama.cpp's server). Keys come from the environment only.
 */
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { ChatOpenAI } from "@langchain/openai";
import { OfflinePlannerModel } from "./offline-planner.js";
import { scrub } from "../observability/scrub.js";
import { DEFAULT_MODEL_MAX_TOKENS } from "../limits.js";

export class ModelConfigError extends Error {}

export interface ModelEnv {
  OPENAI_API_KEY?: string;
  OPENAI_BASE_URL?: string;
  OPENAI_TIMEOUT_MS?: string;
  OPENAI_MAX_RETRIES?: string;
  OPENAI_MAX_TOKENS?: string;
}

/** Defaults for a real server: a slow local model may take a while, but never forever. */
export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_MAX_RETRIES = 3;
/** A Retry-After longer than this is not waited for: the call fails with the server's reason. */
const MAX_RETRY_AFTER_MS = 60_000;

/** Which model plans, and why: a key in the shell alone never turns the offline default into a paid model. */
export function chooseModel(
  flag: string | undefined,
  env: ModelEnv & { INFRA_MODEL?: string } = process.env,
): { model: string; why: string } {
  if (flag) return { model: flag, why: "from --model" };
  if (env.INFRA_MODEL) return { model: env.INFRA_MODEL, why: "from INFRA_MODEL" };
  const unused = env.OPENAI_API_KEY ? "; OPENAI_API_KEY is set but chooses no model" : "";
  return {
    model: "offline",
    why: `the default: the built-in rule-based planner${unused}; --model openai/<name> or INFRA_MODEL plans with a model`,
  };
}

export function createChatModel(name: string, env: ModelEnv = process.env): BaseChatModel {
  if (name === "offline") return new OfflinePlannerModel();
  const m = /^openai\/(.+)$/.exec(name);
  if (!m) throw new ModelConfigError(`unknown model "${name}": use "offline" or "openai/<model-name>"`);
  // A local server (Ollama, vLLM...) usually wants no key, but the client needs one: any text will do.
  const apiKey = env.OPENAI_API_KEY || (env.OPENAI_BASE_URL ? "not-needed" : undefined);
  if (!apiKey)
    throw new ModelConfigError(
      `model "${name}" needs OPENAI_API_KEY (or OPENAI_BASE_URL for a local OpenAI-compatible server)`,
    );
  const timeout = numberFrom(env, "OPENAI_TIMEOUT_MS", DEFAULT_TIMEOUT_MS, 1);
  const maxRetries = numberFrom(env, "OPENAI_MAX_RETRIES", DEFAULT_MAX_RETRIES, 0);
  // A reply is bounded at the source: the server stops at max_tokens (what is kept is bounded again, src/models/reply-limits.ts).
  const maxTokens = numberFrom(env, "OPENAI_MAX_TOKENS", DEFAULT_MODEL_MAX_TOKENS, 1);
  // `streaming` stays unset: turned on, invoke() counts tokens with tiktoken, which downloads its tables.
  return new ChatOpenAI({
    model: m[1],
    apiKey,
    // Reasoning models (o1, o3, gpt-5) refuse any temperature but their own.
    ...(isReasoningModel(m[1]) ? {} : { temperature: 0 }),
    timeout,
    maxTokens,
    // Retries are LangChain's (exponential backoff from 1 s, randomised); the OpenAI client's own are off.
    maxRetries,
    onFailedAttempt: retryPolicy,
    ...(env.OPENAI_BASE_URL ? { configuration: { baseURL: env.OPENAI_BASE_URL } } : {}),
  });
}

function numberFrom(
  env: ModelEnv,
  key: "OPENAI_TIMEOUT_MS" | "OPENAI_MAX_RETRIES" | "OPENAI_MAX_TOKENS",
  fallback: number,
  min: number,
): number {
  const raw = env[key];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new ModelConfigError(`${key} must be an integer >= ${min}, got "${raw}"`);
  return n;
}

function isReasoningModel(model: string): boolean {
  return /^o\d/.test(model) || (model.startsWith("gpt-5") && !model.startsWith("gpt-5-chat"));
}

interface HttpishError {
  name?: string;
  message?: string;
  status?: number;
  code?: string;
  error?: { code?: string };
  headers?: Headers | Record<string, string>;
  retryAfterMs?: number;
}

function header(e: HttpishError, key: string): string | undefined {
  const h = e.headers;
  if (!h) return undefined;
  return typeof (h as Headers).get === "function"
    ? ((h as Headers).get(key) ?? undefined)
    : (h as Record<string, string>)[key];
}

/**
 * Which failed calls are worth another attempt: rate limits (429, except an exhausted quota),
 * server errors (5xx), 408, timeouts and dropped connections. Other 4xx (bad key, unknown
 * model, bad request) would fail the same way again. A Retry-After header is honoured.
 * Used as the AsyncCaller's onFailedAttempt: throwing stops the retries, returning retries.
 */
export function retryPolicy(error: unknown): void {
  const e = (error ?? {}) as HttpishError;
  if (e.name === "AbortError" || e.message?.startsWith("Cancel") || e.message?.startsWith("AbortError")) throw error;
  const status = e.status;
  if (status !== undefined) {
    const code = e.code ?? e.error?.code;
    if (status === 429 && code === "insufficient_quota") throw error;
    if (status !== 429 && status !== 408 && status < 500) throw error;
    const retryAfter = header(e, "retry-after");
    if (retryAfter !== undefined) {
      const seconds = Number(retryAfter);
      const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(retryAfter) - Date.now();
      if (ms > MAX_RETRY_AFTER_MS) throw error;
      if (ms > 0) e.retryAfterMs = ms;
    }
  }
  // No status: a timeout or a connection that failed. Worth another attempt.
}

/** A model error as one line, with a hint at what to check. */
export function describeModelError(error: unknown): string {
  const e = (error ?? {}) as HttpishError;
  // The OpenAI client starts messages with the status and LangChain appends a troubleshooting link: keep the first line.
  const message = (e.message ?? String(error))
    .split("\n")[0]
    .replace(/^\d{3} /, "")
    .trim();
  const text = [e.name && e.name !== "Error" ? e.name : "", e.status ? `status ${e.status}` : "", message]
    .filter(Boolean)
    .join(": ");
  const hint =
    e.name === "TimeoutError" || /timed out/i.test(text)
      ? "no answer within OPENAI_TIMEOUT_MS"
      : e.status === 401
        ? "the server refused OPENAI_API_KEY"
        : e.status === 404
          ? "check the model name and OPENAI_BASE_URL"
          : e.status === 429
            ? "rate limited, after OPENAI_MAX_RETRIES retries"
            : e.status && e.status >= 500
              ? "server error, after OPENAI_MAX_RETRIES retries"
              : /connection/i.test(text)
                ? "could not reach OPENAI_BASE_URL"
                : "";
  // A server may echo the key it refused: the text is scrubbed before it goes anywhere.
  return scrub(hint ? `${text} (${hint})` : text);
}

/**
 * Whether a failed model call is an outage (the server is down, overloaded or silent) rather
 * than a refusal: no status (a timeout, a dropped or refused connection), 408, 429 or 5xx.
 * After the retries, an outage is planned around with the optimizer; a refusal (a bad key, an
 * unknown model) is a configuration to fix and ends the run.
 */
export function isModelOutage(error: unknown): boolean {
  const e = (error ?? {}) as HttpishError;
  if (e.name === "AbortError") return false;
  const status = e.status;
  if (status === undefined) return true;
  return status === 408 || status === 429 || status >= 500;
}
