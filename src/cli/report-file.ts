/**
 * The --report file: its path is checked before the incident runs (a bad path is a usage
 * error, not a surprise at the end), and it is written to a temporary file in the same folder
 * and renamed over the target, so that a full disk never leaves a truncated report where the
 * last good one was.
 */
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  fsyncSync,
  openSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join, resolve } from "node:path";

export class ReportPathError extends Error {
  static readonly errorName = "ReportPathError";
  constructor(message: string) {
    super(message);
    this.name = ReportPathError.errorName;
  }
}
/** By class, or by name for an error that crossed a boundary (another copy of the module, a serialised error). */
export const isReportPathError = (e: unknown): e is ReportPathError =>
  e instanceof ReportPathError ||
  (typeof e === "object" && e !== null && (e as Error).name === ReportPathError.errorName);

const plain = (e: unknown) =>
  ((e as NodeJS.ErrnoException).code ? `${(e as NodeJS.ErrnoException).code}: ` : "") +
  String((e as Error).message ?? e).replace(/^[A-Z]+: /, "");

/** Throws ReportPathError (in plain words) if a report could not be written at `path`. */
export function checkReportPath(path: string): void {
  const target = resolve(path);
  const dir = dirname(target);
  if (!existsSync(dir)) throw new ReportPathError(`--report ${path}: the folder ${dir} does not exist`);
  if (!statSync(dir).isDirectory()) throw new ReportPathError(`--report ${path}: ${dir} is not a folder`);
  if (existsSync(target)) {
    const st = statSync(target);
    if (!st.isFile()) throw new ReportPathError(`--report ${path}: it exists and is not a regular file`);
  }
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new ReportPathError(`--report ${path}: the folder ${dir} is not writable`);
  }
  // A probe file: a read-only file system passes access() for root, and fails here.
  const probe = join(dir, `.${basename(target)}.probe-${process.pid}`);
  try {
    const fd = openSync(probe, "wx");
    try {
      writeSync(fd, "probe");
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    throw new ReportPathError(`--report ${path}: cannot write in ${dir} (${plain(e)})`);
  } finally {
    try {
      unlinkSync(probe);
    } catch {
      /* not created */
    }
  }
}

/** Write the report atomically: temporary file, fsync, rename. Throws with a plain message. */
export function writeReportAtomically(path: string, content: string): void {
  const target = resolve(path);
  const tmp = join(dirname(target), `.${basename(target)}.tmp-${process.pid}`);
  try {
    const fd = openSync(tmp, "w");
    try {
      writeSync(fd, content);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, target);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      /* not created */
    }
    throw new ReportPathError(
      `the report could not be written to ${path} (${plain(e)}); ${existsSync(target) ? "the file there is unchanged" : "no file was written"}`,
    );
  }
}
