/** Shared by the tests that run the graph through ChatOpenAI against the fake OpenAI server. */
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { createChatModel, type ModelEnv } from "../../src/models/index.js";
import type { FakeOpenAIServer, WireMessage } from "../support/openai-server.js";

export const MODEL = "openai/test-model";

/** The product's own model factory, pointed at the fake server (env passed explicitly, not read from the process). */
export function modelFor(server: FakeOpenAIServer, env: ModelEnv = {}): BaseChatModel {
  return createChatModel(MODEL, {
    OPENAI_BASE_URL: server.baseURL,
    OPENAI_API_KEY: "sk-test",
    OPENAI_MAX_RETRIES: "0",
    OPENAI_TIMEOUT_MS: "20000",
    ...env,
  });
}

/** Set environment variables for the duration of `fn`, then put back what was there. */
export async function withEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/**
 * Tool calls in a request that no tool message answers before the next assistant message (or
 * the end): OpenAI refuses such a request.
 */
export function unansweredToolCalls(messages: WireMessage[]): string[] {
  const missing: string[] = [];
  messages.forEach((m, i) => {
    if (m.role !== "assistant" || !m.tool_calls?.length) return;
    const answered = new Set<string>();
    for (let j = i + 1; j < messages.length && messages[j].role === "tool"; j++)
      answered.add(messages[j].tool_call_id ?? "");
    for (const c of m.tool_calls) if (!answered.has(c.id)) missing.push(`${c.function.name}#${c.id}`);
  });
  return missing;
}
