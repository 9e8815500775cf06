/**
 * Token accounting for requests, without a tokenizer: one estimate (~3.2 characters a token,
 * conservative for JSON-heavy text) used by the context budget, the tool results' budget and
 * the request trimming alike.
 */
import type { AIMessage, BaseMessage, ToolMessage } from "@langchain/core/messages";

/** Characters per token assumed by every estimate. */
export const CHARS_PER_TOKEN = 3.2;

/** Tokens estimated without a tokenizer. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

/**
 * A message's size in the request body: its text travels as a JSON string, so quotes and
 * newlines are escaped (compact JSON inside a message grows by about a sixth), plus the
 * message's envelope ({"role": ..., "content": ...}).
 */
export function wireTokens(text: string): number {
  return estimateTokens(JSON.stringify(text)) + 8;
}

/** A message's size as it travels in the request body (text JSON-escaped, tool calls, envelope). */
export function messageTokens(m: BaseMessage): number {
  const calls = (m as AIMessage).tool_calls ?? [];
  const callTokens = calls.length
    ? estimateTokens(
        JSON.stringify(
          calls.map((c) => ({
            id: c.id,
            type: "function",
            function: { name: c.name, arguments: JSON.stringify(c.args) },
          })),
        ),
      )
    : 0;
  const toolCallId = (m as ToolMessage).tool_call_id;
  return (
    wireTokens(typeof m.content === "string" ? m.content : JSON.stringify(m.content)) +
    callTokens +
    (toolCallId ? estimateTokens(toolCallId) + 5 : 0)
  );
}

export function conversationTokens(messages: BaseMessage[]): number {
  return messages.reduce((n, m) => n + messageTokens(m), 0);
}

/**
 * The request actually sent: the whole conversation when it fits in `limit`; otherwise the
 * system prompt and context, then only the last turn (the last model reply and what answered
 * it), so a long planning round never outgrows the budget. State keeps the whole conversation.
 */
export function withinBudget(conversation: BaseMessage[], limit: number): BaseMessage[] {
  if (conversationTokens(conversation) <= limit) return conversation;
  let lastAi = -1;
  for (let i = conversation.length - 1; i >= 2; i--)
    if (conversation[i].getType() === "ai") {
      lastAi = i;
      break;
    }
  return lastAi < 0 ? conversation : [...conversation.slice(0, 2), ...conversation.slice(lastAi)];
}
