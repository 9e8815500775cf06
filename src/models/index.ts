/**
 * Chat models by name: `offline` (the built-in rule-based planner) or `openai/<model>`
 * (OpenAI, or any OpenAI-compatible server through OPENAI_BASE_URL: Ollama, vLLM, LM Studio,
 * llama.cpp's server). Keys come from the environment only.
 */
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { ChatOpenAI } from "@langchain/openai";
import { OfflinePlannerModel } from "./offline-planner.js";

export class ModelConfigError extends Error {}

export interface ModelEnv {
  OPENAI_API_KEY?: string;
  OPENAI_BASE_URL?: string;
  OPENAI_TIMEOUT_MS?: string;
  OPENAI_MAX_RETRIES?: string;
}

export function createChatModel(name: string, env: ModelEnv = process.env): BaseChatModel {
  if (name === "offline") return new OfflinePlannerModel();
  const m = /^openai\/(.+)$/.exec(name);
  if (!m) throw new ModelConfigError(`unknown model "${name}": use "offline" or "openai/<model-name>"`);
  const apiKey = env.OPENAI_API_KEY ?? (env.OPENAI_BASE_URL ? "not-needed" : undefined);
  if (!apiKey) throw new ModelConfigError(`model "${name}" needs OPENAI_API_KEY (or OPENAI_BASE_URL for a local OpenAI-compatible server)`);
  // `streaming` stays unset: with `streaming: true`, invoke() counts tokens with tiktoken, which downloads its tables.
  return new ChatOpenAI({
    model: m[1],
    apiKey,
    temperature: 0,
    timeout: Number(env.OPENAI_TIMEOUT_MS ?? 60_000),
    maxRetries: Number(env.OPENAI_MAX_RETRIES ?? 3),
    ...(env.OPENAI_BASE_URL ? { configuration: { baseURL: env.OPENAI_BASE_URL } } : {}),
  });
}
