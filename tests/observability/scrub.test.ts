import { AIMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { scrub, scrubDeep } from "../../src/observability/scrub.js";

const KEY = "sk-test-0123456789abcdef0123";
const env = { OPENAI_API_KEY: KEY };

describe("scrubDeep (what the trace client sends)", () => {
  it("scrubs every string of a run, nested, in keys, in messages and errors, and leaves the rest", () => {
    const err = new Error(`401 Incorrect API key provided: ${KEY}`);
    const cyclic: Record<string, unknown> = { note: `Bearer ${KEY}` };
    cyclic.self = cyclic;
    const run = {
      name: "ChatOpenAI",
      error: `Error: 401 ${KEY}\n at x`,
      start_time: 1_700_000_000_000,
      inputs: { messages: [[new AIMessage(`echo ${KEY}`)]] },
      events: [{ name: "error", kwargs: { err } }],
      extra: { metadata: { url: `https://h/v1?key=${encodeURIComponent(KEY)}`, [KEY]: true }, n: 3, ok: null },
      cyclic,
    };
    const out = scrubDeep(run, env);
    const text = JSON.stringify(out);
    expect(text).not.toContain(KEY);
    expect(out.error).toBe("Error: 401 ***\n at x");
    expect(out.start_time).toBe(1_700_000_000_000);
    expect(out.extra.n).toBe(3);
    expect(out.extra.ok).toBeNull();
    expect(text).toContain('"[Circular]"');
    expect(text).toContain("echo ***");
    // The input is not changed: the scrubbed run is a copy.
    expect(run.error).toContain(KEY);
    expect(scrub(`postgresql://u:pw-long-enough@h/db`, {})).toBe("postgresql://u:***@h/db");
  });
});
