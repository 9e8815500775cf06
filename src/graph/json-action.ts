/**
 * The JSON action protocol of the original design, for models without native tool calling:
 * the model answers {"thoughts": "...", "action": "...", "arguments": {...}}. Parsed
 * tolerantly: a code fence around it, text before or after it, trailing commas.
 */

export interface JsonAction {
  thoughts: string;
  action: string;
  arguments: Record<string, unknown>;
}

export type ParsedAction = { ok: true; value: JsonAction } | { ok: false; reason: string };

export function parseJsonAction(text: string): ParsedAction {
  if (!text || !text.trim()) return { ok: false, reason: "the reply was empty" };
  for (const candidate of candidates(text)) {
    const value = tryParse(candidate);
    if (value === undefined) continue;
    if (typeof value !== "object" || value === null || Array.isArray(value)) continue;
    const o = value as Record<string, unknown>;
    if (typeof o.action !== "string" || !o.action) return { ok: false, reason: 'the JSON object has no "action" string' };
    const args = o.arguments ?? o.args ?? {};
    if (typeof args !== "object" || args === null || Array.isArray(args)) return { ok: false, reason: '"arguments" must be a JSON object' };
    return { ok: true, value: { thoughts: typeof o.thoughts === "string" ? o.thoughts : "", action: o.action, arguments: args as Record<string, unknown> } };
  }
  return { ok: false, reason: "no JSON object could be read from the reply" };
}

/** Places a JSON object may be: fenced blocks, then each balanced {...} span, then the whole text. */
function* candidates(text: string): Generator<string> {
  for (const m of text.matchAll(/```(?:json|JSON)?\s*([\s\S]*?)```/g)) yield m[1];
  for (let start = text.indexOf("{"); start >= 0; start = text.indexOf("{", start + 1)) {
    const end = balancedEnd(text, start);
    if (end > start) yield text.slice(start, end + 1);
  }
  yield text;
}

function balancedEnd(text: string, start: number): number {
  let depth = 0, inString = false, escaped = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === "\\") escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return i;
  }
  return -1;
}

function tryParse(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    try {
      return JSON.parse(s.replace(/,\s*([}\]])/g, "$1"));
    } catch {
      return undefined;
    }
  }
}
