/** The JSON action protocol's parser: tolerant of how models write, strict about what an action is. */
import { describe, expect, it } from "vitest";
import { parseJsonAction } from "../../src/graph/json-action.js";

const action = { thoughts: "Crews first.", action: "get_available_crews", arguments: {} };
const assign = {
  thoughts: "C1 to the feeder.",
  action: "assign_repair_crew",
  arguments: { assignments: [{ crew_id: "C1", asset_ids: ["L-12"] }], reasoning: "It restores the hospital." },
};

const ok = (text: string) => {
  const r = parseJsonAction(text);
  if (!r.ok) throw new Error(`expected an action, got: ${r.reason}`);
  return r.value;
};
const reason = (text: string) => {
  const r = parseJsonAction(text);
  if (r.ok) throw new Error(`expected a refusal, got the action ${r.value.action}`);
  return r.reason;
};

describe("parseJsonAction reads", () => {
  it("the bare object", () => {
    expect(ok(JSON.stringify(assign))).toEqual(assign);
  });

  it("an object in a code fence, with or without a language, with text around it", () => {
    expect(ok("```json\n" + JSON.stringify(assign) + "\n```")).toEqual(assign);
    expect(ok("```JSON\n" + JSON.stringify(action, null, 2) + "\n```")).toEqual(action);
    expect(ok("Here you go:\n```\n" + JSON.stringify(action) + "\n```\nHope that helps!")).toEqual(action);
  });

  it("an object with chatter before and after, and braces in that chatter's strings", () => {
    expect(
      ok(`Thinking about it... The best move is:\n${JSON.stringify(assign)}\nThat should restore service.`),
    ).toEqual(assign);
    const tricky = { ...action, thoughts: 'a "quoted" {brace} and a } closing one' };
    expect(ok(`So: ${JSON.stringify(tricky)} done`)).toEqual(tricky);
  });

  it("trailing commas, and raw line breaks and tabs inside strings", () => {
    expect(ok('{"thoughts": "x", "action": "get_available_crews", "arguments": {},}')).toMatchObject({
      action: "get_available_crews",
    });
    expect(
      ok(
        '{"thoughts": "x", "action": "assign_repair_crew", "arguments": {"assignments": [{"crew_id": "C1", "asset_ids": ["A", "B",],},], "reasoning": "r",},}',
      ).arguments,
    ).toEqual({ assignments: [{ crew_id: "C1", asset_ids: ["A", "B"] }], reasoning: "r" });
    expect(
      ok('{"thoughts": "line one\nline two\tand a tab", "action": "get_available_crews", "arguments": {}}').thoughts,
    ).toBe("line one\nline two\tand a tab");
  });

  it("a comma before a closing brace inside a string is left alone", () => {
    expect(ok('{"thoughts": "keep ,} this", "action": "get_available_crews", "arguments": {},}').thoughts).toBe(
      "keep ,} this",
    );
  });

  it('"args" for "arguments", arguments as a JSON string, missing or null arguments, no thoughts', () => {
    expect(ok('{"action": "get_crew_location", "args": {"crew_ids": ["C1"]}}')).toEqual({
      thoughts: "",
      action: "get_crew_location",
      arguments: { crew_ids: ["C1"] },
    });
    expect(ok('{"action": "get_crew_location", "arguments": "{\\"crew_ids\\": [\\"C1\\"]}"}').arguments).toEqual({
      crew_ids: ["C1"],
    });
    expect(ok('{"action": "get_available_crews"}').arguments).toEqual({});
    expect(ok('{"action": "get_available_crews", "arguments": null}').arguments).toEqual({});
    expect(ok('{"action": " get_available_crews ", "arguments": ""}')).toMatchObject({
      action: "get_available_crews",
      arguments: {},
    });
  });

  it("the first object that names an action, past objects that do not", () => {
    const text = `The data says ${JSON.stringify({ crews: ["C1"] })}, so:\n${JSON.stringify(action)}`;
    expect(ok(text)).toEqual(action);
    // Two actions in one reply: one action per turn, the first is taken.
    expect(ok(`${JSON.stringify(action)}\n${JSON.stringify(assign)}`).action).toBe("get_available_crews");
    expect(ok(JSON.stringify([action, assign])).action).toBe("get_available_crews");
  });

  it("keeps the action name as written: whether it is allowed is decided by the caller", () => {
    expect(ok('{"action": "detect_failure_nodes", "arguments": {}}').action).toBe("detect_failure_nodes");
    expect(ok('{"action": "call_the_mayor", "arguments": {"urgent": true}}')).toMatchObject({
      action: "call_the_mayor",
      arguments: { urgent: true },
    });
  });
});

describe("parseJsonAction refuses, with a reason for the model", () => {
  it("an empty reply", () => {
    expect(reason("")).toBe("the reply was empty");
    expect(reason("   \n ")).toBe("the reply was empty");
  });

  it("a reply with no JSON object", () => {
    expect(reason("I would send crew C1 to the hospital feeder first.")).toBe(
      "no JSON object could be read from the reply",
    );
    expect(
      reason(
        '{"thoughts": "cut off by the token limit", "action": "assign_repair_crew", "arguments": {"assignments": [',
      ),
    ).toBe("no JSON object could be read from the reply");
    expect(reason("```json\n{ this is not json }\n```")).toBe("no JSON object could be read from the reply");
    expect(reason('"just a string"')).toBe("no JSON object could be read from the reply");
  });

  it('an object with no "action" string', () => {
    expect(reason('{"thoughts": "hmm", "arguments": {}}')).toBe('the JSON object has no "action" string');
    expect(reason('{"thoughts": "hmm", "action": 3}')).toBe('the JSON object has no "action" string');
    expect(reason('{"thoughts": "hmm", "action": "  "}')).toBe('the JSON object has no "action" string');
  });

  it("arguments that are not an object", () => {
    expect(reason('{"action": "get_weather_at_location", "arguments": ["L1"]}')).toBe(
      '"arguments" must be a JSON object',
    );
    expect(reason('{"action": "get_weather_at_location", "arguments": 42}')).toBe('"arguments" must be a JSON object');
    expect(reason('{"action": "get_weather_at_location", "arguments": "L1, L2"}')).toBe(
      '"arguments" must be a JSON object',
    );
  });
});
