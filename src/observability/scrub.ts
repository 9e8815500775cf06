/**
 * One scrubber for every error text before it reaches state, logs, traces or files: the exact
 * values of the secrets the product reads are replaced by `***`, wherever they appear (a model
 * server or proxy that echoes the key in its 401, a driver error quoting its connection string),
 * and so are the passwords of URLs.
 *
 * Known secrets: every environment variable the product reads that holds one (OPENAI_API_KEY,
 * LANGSMITH_API_KEY, LANGCHAIN_API_KEY, DATABASE_URL, PGPASSWORD, INFRA_*_TOKEN, and any other
 * *_API_KEY, *_TOKEN, *_SECRET, *_PASSWORD), the password of any URL among them, and values
 * registered at run time (the password of --checkpoint postgres:URL).
 */
import { SECRET_MIN_LENGTH } from "../limits.js";

const SECRET_NAMES =
  /(^|_)(API_KEY|KEY|TOKEN|SECRET|PASSWORD|PASSWD)$|^DATABASE_URL$|^PGPASSWORD$|^INFRA_.*_(TOKEN|KEY|SECRET|PASSWORD)$/;
const registered = new Set<string>();

/** A secret known only at run time (a password given in a flag). */
export function registerSecret(value: string | undefined | null): void {
  if (value && value.length >= SECRET_MIN_LENGTH) registered.add(value);
}

function urlPassword(value: string): string | null {
  const m = /\/\/[^:/@\s]+:([^@/\s]+)@/.exec(value);
  return m ? decodeURIComponent(m[1]) : null;
}

/** The secret values of an environment (by default the process's), longest first. */
export function knownSecrets(env: NodeJS.ProcessEnv = process.env): string[] {
  const out = new Set<string>(registered);
  for (const [name, value] of Object.entries(env)) {
    if (!value) continue;
    if (SECRET_NAMES.test(name) && value.length >= SECRET_MIN_LENGTH) out.add(value);
    const pw = urlPassword(value);
    if (pw && pw.length >= SECRET_MIN_LENGTH) out.add(pw);
  }
  // Encoded forms travel too (a password in a URL is percent-encoded).
  for (const s of [...out]) {
    const enc = encodeURIComponent(s);
    if (enc !== s) out.add(enc);
  }
  return [...out].sort((a, b) => b.length - a.length);
}

/** The text with every known secret and every URL password replaced by `***`. */
export function scrub(text: string, env: NodeJS.ProcessEnv = process.env): string {
  return scrubWith(text, knownSecrets(env));
}

function scrubWith(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join("***");
  return out.replace(/(\/\/[^:/@\s]+):[^@/\s]*@/g, "$1:***@");
}

/**
 * A copy of any JSON-like value (a trace run: inputs, outputs, error, events, metadata) with
 * every string in it, keys included, scrubbed. Objects with `toJSON` (LangChain messages,
 * dates) are copied as they would be serialised; a cycle becomes "[Circular]".
 */
export function scrubDeep<T>(value: T, env: NodeJS.ProcessEnv = process.env): T {
  const secrets = knownSecrets(env);
  const seen = new WeakSet<object>();
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return scrubWith(v, secrets);
    if (v === null || typeof v !== "object") return v;
    if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) return v;
    if (seen.has(v)) return "[Circular]";
    seen.add(v);
    try {
      if (typeof (v as { toJSON?: unknown }).toJSON === "function" && !(v instanceof Date))
        return walk((v as { toJSON(): unknown }).toJSON());
      if (v instanceof Date) return v;
      if (Array.isArray(v)) return v.map(walk);
      if (v instanceof Error) return walk({ name: v.name, message: v.message, stack: v.stack });
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[scrubWith(k, secrets)] = walk(x);
      return out;
    } finally {
      seen.delete(v);
    }
  };
  return walk(value) as T;
}
