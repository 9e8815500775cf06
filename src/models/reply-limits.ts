/**
 * What one model reply may bring into the planning conversation (graph state, checkpoints, and
 * every later request of the round). A reply is bounded before it is kept: text beyond
 * MAX_REPLY_TEXT_CHARS is cut, tool calls beyond MAX_TOOL_CALLS_PER_REPLY are dropped, and a
 * call whose arguments exceed MAX_TOOL_CALL_ARGUMENT_CHARS keeps its name and id but not its
 * arguments (it is then answered with an error, like any call with bad arguments). The reply
 * says what was cut, so that the model reads why in its next request. The server's raw
 * payload (additional_kwargs, response_metadata) is not kept.
 */
import { AIMessage } from "@langchain/core/messages";
import { MAX_REPLY_TEXT_CHARS, MAX_TOOL_CALL_ARGUMENT_CHARS, MAX_TOOL_CALLS_PER_REPLY } from "../limits.js";

export interface ReplyLimits {
  textChars: number;
  toolCalls: number;
  argumentChars: number;
}

export const DEFAULT_REPLY_LIMITS: ReplyLimits = {
  textChars: MAX_REPLY_TEXT_CHARS,
  toolCalls: MAX_TOOL_CALLS_PER_REPLY,
  argumentChars: MAX_TOOL_CALL_ARGUMENT_CHARS,
};

/** The reply as it may be kept, and what was cut (empty: nothing). */
export function boundReply(
  ai: AIMessage,
  limits: ReplyLimits = DEFAULT_REPLY_LIMITS,
): { message: AIMessage; notes: string[] } {
  const notes: string[] = [];
  const raw = typeof ai.content === "string" ? ai.content : JSON.stringify(ai.content);
  let text = raw;
  if (raw.length > limits.textChars) {
    text = raw.slice(0, limits.textChars);
    notes.push(
      `the reply's text was cut from ${raw.length.toLocaleString("en-US")} to ${limits.textChars.toLocaleString("en-US")} characters`,
    );
  }
  const calls = ai.tool_calls ?? [];
  if (calls.length > limits.toolCalls)
    notes.push(`${calls.length - limits.toolCalls} tool call(s) beyond the first ${limits.toolCalls} were dropped`);
  const kept = calls.slice(0, limits.toolCalls).map((c) => {
    const size = JSON.stringify(c.args ?? {}).length;
    if (size <= limits.argumentChars) return c;
    notes.push(
      `the arguments of ${c.name} (${size.toLocaleString("en-US")} characters) exceed the limit of ${limits.argumentChars.toLocaleString("en-US")} and were dropped: ask about fewer ids at a time, or adopt a proposal by proposal_id`,
    );
    return { ...c, args: {} };
  });
  const invalid = ai.invalid_tool_calls ?? [];
  const boundedInvalid = invalid
    .slice(0, limits.toolCalls)
    .map((c) => ({ ...c, args: c.args && c.args.length > limits.argumentChars ? c.args.slice(0, 200) : c.args }));
  if (JSON.stringify(invalid).length > limits.argumentChars) notes.push("unparsable tool calls were shortened");
  const changed = notes.length > 0 || Object.keys(ai.additional_kwargs ?? {}).length > 0;
  if (!changed) return { message: ai, notes };
  const content = notes.length ? `${text}${text ? "\n" : ""}[system note: ${notes.join("; ")}]` : text;
  return {
    message: new AIMessage({
      content,
      tool_calls: kept,
      invalid_tool_calls: boundedInvalid,
      ...(ai.id ? { id: ai.id } : {}),
      ...(ai.usage_metadata ? { usage_metadata: ai.usage_metadata } : {}),
      ...(ai.name ? { name: ai.name } : {}),
    }),
    notes,
  };
}
