/**
 * The JSON action protocol of the original design, for models without native tool calling:
 * the model answers {"thoughts": "...", "action": "...", "arguments": {...}}. Parsed
 * tolerantly, as small local models write it: a code fence around it, text before or after
 * it, trailing commas, raw line breaks inside strings, "args" for "arguments", arguments
 * encoded as a JSON string. Arguments are validated later, against the tool's own schema.
 */

export interface JsonAction {
  thoughts: string;
  action: string;
  arguments: Record<string, unknown>;
}

export type ParsedAction = { ok: true; value: JsonAction } | { ok: false; reason: string };

export function parseJsonAction(text: string): ParsedAction {
  if (!text || !text.trim()) return { ok: false, reason: "the reply was empty" };
  let sawObject = false;
  // The first object that names an action wins: an object without one (an example, a quote of
  // the data) does not hide an action written after it.
  for (const candidate of candidates(text)) {
    const value = tryParse(candidate);
    if (typeof value !== "object" || value === null || Array.isArray(value)) continue;
    sawObject = true;
    const o = value as Record<string, unknown>;
    if (typeof o.action !== "string" || !o.action.trim()) continue;
    let args: unknown = o.arguments ?? o.args ?? {};
    if (typeof args === "string") args = args.trim() ? tryParse(args) : {};
    if (typeof args !== "object" || args === null || Array.isArray(args))
      return { ok: false, reason: '"arguments" must be a JSON object' };
    return {
      ok: true,
      value: {
        thoughts: typeof o.thoughts === "string" ? o.thoughts : "",
        action: o.action.trim(),
        arguments: args as Record<string, unknown>,
      },
    };
  }
  return {
    ok: false,
    reason: sawObject ? 'the JSON object has no "action" string' : "no JSON object could be read from the reply",
  };
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
  let depth = 0,
    inString = false,
    escaped = false;
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
      return JSON.parse(repair(s));
    } catch {
      return undefined;
    }
  }
}

const CLOSER_AHEAD = /\s*[}\]]/y;

/** Fix what models often get wrong: raw control characters inside strings, trailing commas outside them. */
function repair(s: string): string {
  let out = "";
  let inString = false,
    escaped = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c === "\\") escaped = true;
      else if (c === '"') inString = false;
      else if (c === "\n") {
        out += "\\n";
        continue;
      } else if (c === "\r") {
        out += "\\r";
        continue;
      } else if (c === "\t") {
        out += "\\t";
        continue;
      }
      out += c;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === ",") {
      CLOSER_AHEAD.lastIndex = i + 1;
      if (CLOSER_AHEAD.test(s)) continue;
    }
    out += c;
  }
  return out;
}
