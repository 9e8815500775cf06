/**
 * Where an incident's checkpoints live, chosen by one setting (the CLI's --checkpoint):
 *
 *   memory          in this process only (the default for a plain run; nothing survives it)
 *   sqlite:PATH     one local file, nothing to run: the embedded durable choice
 *   postgres:URL    a PostgreSQL database: several processes, production
 *
 * One incident is one thread. With a durable store a run can be resumed in a new process
 * (the CLI's --resume INCIDENT_ID) from its last checkpoint.
 */
import { type BaseCheckpointSaver, MemorySaver } from "@langchain/langgraph";
import { newPgClient, withSetupLock } from "./pg.js";

export type CheckpointSetting =
  | { kind: "memory" }
  | { kind: "sqlite"; path: string }
  | { kind: "postgres"; url: string; schema?: string };

/** A setting that cannot be used: a usage error (the CLI exits with status 2). */
export class CheckpointConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CheckpointConfigError";
  }
}

export const CHECKPOINT_SETTING_HELP = "memory, sqlite:PATH or postgres:URL";

export function parseCheckpointSetting(value: string): CheckpointSetting {
  const v = value.trim();
  if (v === "" || v === "memory") return { kind: "memory" };
  if (v.startsWith("sqlite:")) {
    const path = v.slice("sqlite:".length);
    if (!path) throw new CheckpointConfigError(`--checkpoint sqlite: needs a file path, e.g. sqlite:./incidents.db`);
    if (path === ":memory:")
      throw new CheckpointConfigError(`--checkpoint sqlite::memory: is not durable; use memory, or a file path`);
    return { kind: "sqlite", path };
  }
  if (v.startsWith("postgres:") || v.startsWith("postgresql:")) {
    // Both "postgres:postgresql://..." and a bare "postgresql://..." URL are accepted.
    const rest = v.startsWith("postgres:") && !v.startsWith("postgres://") ? v.slice("postgres:".length) : v;
    let url: URL;
    try {
      url = new URL(rest);
    } catch {
      throw new CheckpointConfigError(
        `--checkpoint postgres: needs a connection URL, e.g. postgres:postgresql://postgres@127.0.0.1:5432/test (got "${redactUrl(rest)}")`,
      );
    }
    if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
      throw new CheckpointConfigError(
        `--checkpoint postgres: the URL must start with postgresql:// (got "${url.protocol}")`,
      );
    }
    // ?schema=NAME keeps an application's tables apart; it is ours, not the driver's.
    const schema = url.searchParams.get("schema") ?? undefined;
    url.searchParams.delete("schema");
    if (schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
      throw new CheckpointConfigError(`--checkpoint postgres: schema "${schema}" is not a plain SQL identifier`);
    }
    return { kind: "postgres", url: url.toString(), ...(schema ? { schema } : {}) };
  }
  throw new CheckpointConfigError(`--checkpoint must be ${CHECKPOINT_SETTING_HELP}, got "${redactUrl(v)}"`);
}

/** The setting as it may be shown in a log: a password in a URL is replaced. */
export function describeCheckpointSetting(s: CheckpointSetting): string {
  if (s.kind === "memory") return "memory (this process only)";
  if (s.kind === "sqlite") return `sqlite:${s.path}`;
  return `postgres:${redactUrl(s.url)}${s.schema ? ` (schema ${s.schema})` : ""}`;
}

export function redactUrl(text: string): string {
  return text.replace(/(\/\/[^:/@\s]+):[^@/\s]*@/, "$1:***@");
}

export interface OpenCheckpointer {
  saver: BaseCheckpointSaver;
  setting: CheckpointSetting;
  /** Whether an incident can be resumed from it by another process. */
  durable: boolean;
  /** Release the file or the connection pool. Safe to call twice. */
  close(): Promise<void>;
}

/** Create the saver for a setting (tables are created on first use). Throws with a readable message if the store cannot be reached. */
export async function openCheckpointer(setting: CheckpointSetting | string): Promise<OpenCheckpointer> {
  const s = typeof setting === "string" ? parseCheckpointSetting(setting) : setting;
  if (s.kind === "memory") return { saver: new MemorySaver(), setting: s, durable: false, close: async () => {} };
  if (s.kind === "sqlite") {
    const { SqliteSaver } = await import("@langchain/langgraph-checkpoint-sqlite");
    let saver: InstanceType<typeof SqliteSaver>;
    try {
      saver = SqliteSaver.fromConnString(s.path);
    } catch (e) {
      throw new Error(`cannot open the checkpoint file ${s.path}: ${(e as Error).message}`);
    }
    let closed = false;
    return {
      saver,
      setting: s,
      durable: true,
      close: async () => {
        if (closed) return;
        closed = true;
        saver.db.close();
      },
    };
  }
  const { PostgresSaver } = await import("@langchain/langgraph-checkpoint-postgres");
  const saver = PostgresSaver.fromConnString(s.url, s.schema ? { schema: s.schema } : {});
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await saver.end();
  };
  try {
    // Migrations one process at a time: several starting at once on a fresh schema race otherwise.
    const lockClient = await newPgClient(s.url);
    try {
      await withSetupLock(lockClient, () => saver.setup());
    } finally {
      await lockClient.end().catch(() => {});
    }
  } catch (e) {
    await close().catch(() => {});
    throw new Error(
      `cannot use the PostgreSQL checkpoint store at ${redactUrl(s.url)}: ${redactUrl((e as Error).message)}`,
    );
  }
  return { saver, setting: s, durable: true, close };
}

/**
 * A store's error in plain words, one line (SQLite's codes: a full disk, a read-only file, a file
 * that is not a database); null if it is not a store error we know.
 */
export function describeStoreError(e: unknown, setting: CheckpointSetting): string | null {
  const code = String((e as { code?: string })?.code ?? "");
  if (!code.startsWith("SQLITE_")) return null;
  const where = describeCheckpointSetting(setting);
  const why =
    code === "SQLITE_FULL"
      ? "the disk is full: free some space, or use another --checkpoint"
      : code === "SQLITE_READONLY" || code.startsWith("SQLITE_READONLY")
        ? "the file is read-only: make it writable, or use another --checkpoint"
        : code === "SQLITE_NOTADB" || code === "SQLITE_CORRUPT"
          ? "the file is not an SQLite database, or it is damaged"
          : code === "SQLITE_CANTOPEN"
            ? "the file cannot be opened (check the path and its folder)"
            : code === "SQLITE_BUSY" || code === "SQLITE_LOCKED"
              ? "another process keeps the file locked"
              : code.startsWith("SQLITE_IOERR")
                ? "reading or writing the file failed (disk error)"
                : (e as Error).message;
  return `the checkpoint store ${where} cannot be used: ${why} (${code})`;
}
