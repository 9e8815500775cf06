/** The last guard of the context budget: a planning round that outgrew it sends only its last turn. */
import { AIMessage, HumanMessage, SystemMessage, ToolMessage, type BaseMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { withinBudget } from "../../src/prompts/tokens.js";

function turn(n: number, size: number): BaseMessage[] {
  const calls = [0, 1].map((i) => ({
    id: `call_${n}_${i}`,
    name: "get_weather_at_location",
    args: { locations: [`A${n}`] },
    type: "tool_call" as const,
  }));
  return [
    new AIMessage({ content: "", tool_calls: calls }),
    ...calls.map((c) => new ToolMessage({ tool_call_id: c.id, name: c.name, content: "x".repeat(size) })),
  ];
}

describe("withinBudget", () => {
  const head = [
    new SystemMessage("You are the dispatcher."),
    new HumanMessage("Current incident.\n<data>\n{}\n</data>"),
  ];

  it("sends the whole conversation when it fits", () => {
    const conversation = [...head, ...turn(1, 100), ...turn(2, 100)];
    expect(withinBudget(conversation, 12_000)).toBe(conversation);
  });

  it("keeps the system prompt, the context and the last turn whole (the reply and every answer to it) when it does not", () => {
    const last = turn(3, 1_000);
    const conversation = [...head, ...turn(1, 20_000), ...turn(2, 20_000), ...last, new HumanMessage("Decide now.")];
    const sent = withinBudget(conversation, 12_000);
    expect(sent).toEqual([...head, ...last, conversation[conversation.length - 1]]);
    const ids = (sent[2] as AIMessage).tool_calls!.map((c) => c.id);
    expect(sent.filter((m) => m.getType() === "tool").map((m) => (m as ToolMessage).tool_call_id)).toEqual(ids);
  });
});
