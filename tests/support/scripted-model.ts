/**
 * A chat model for tests that answers by a rule applied to the messages it receives, and
 * records what it was bound to and every request. Not a counter: the rule sees the conversation.
 */
import { BaseChatModel, type BindToolsInput } from "@langchain/core/language_models/chat_models";
import { AIMessage, type BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";

export type Rule = (messages: BaseMessage[]) => {
  content?: string;
  calls?: { name: string; args: Record<string, unknown> }[];
};

export interface Recording {
  boundTools: string[][];
  requests: BaseMessage[][];
}

export class ScriptedModel extends BaseChatModel {
  constructor(
    private readonly rule: Rule,
    readonly recording: Recording = { boundTools: [], requests: [] },
    private readonly bound: string[] | null = null,
  ) {
    super({});
  }
  _llmType() {
    return "scripted";
  }
  override bindTools(tools: BindToolsInput[]): ScriptedModel {
    const names = tools.map((t) => (t as { name: string }).name);
    this.recording.boundTools.push(names);
    return new ScriptedModel(this.rule, this.recording, names);
  }
  async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    this.recording.requests.push([...messages]);
    const r = this.rule(messages);
    const n = this.recording.requests.length;
    const message = new AIMessage({
      id: `scripted-${n}-${Math.random().toString(36).slice(2, 8)}`,
      content: r.content ?? "",
      tool_calls: (r.calls ?? []).map((c, i) => ({
        id: `call_${n}_${i}`,
        name: c.name,
        args: c.args,
        type: "tool_call" as const,
      })),
    });
    message.usage_metadata = { input_tokens: 10, output_tokens: 5, total_tokens: 15 };
    return { generations: [{ text: String(message.content), message }] };
  }
}

/** The JSON data block of the context message, as the planner sees it. */
export function contextOf(messages: BaseMessage[]): Record<string, any> {
  for (const m of messages) {
    const match = /<data>\s*([\s\S]*?)\s*<\/data>/.exec(String(m.content));
    if (m.getType() === "human" && match) return JSON.parse(match[1]);
  }
  throw new Error("no context in the conversation");
}

export const lastMessage = (messages: BaseMessage[]) => messages[messages.length - 1];
