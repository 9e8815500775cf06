/**
 * Small formatters every layer uses, written once: the simulated clock, rounding of figures, an error as one line.
 * A leaf module like src/limits.ts: it imports nothing, and any layer may import it.
 */

/** The simulated clock as T+HH:MM (minutes since the incident's minute 0); "-" for a time that is not one. */
export function clock(minutes: number): string {
  if (!Number.isFinite(minutes)) return "-";
  const m = Math.max(0, Math.round(minutes));
  return `T+${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
}

export function round1(v: number): number {
  return Math.round(v * 10) / 10;
}

export function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

/**
 * An error as one line: its class name (unless plain `Error`), an HTTP status when it has one (unless
 * `withStatus` is false), its message. `maxChars` cuts a long one (a server's HTML error page).
 */
export function errorText(e: unknown, options: { withStatus?: boolean; maxChars?: number } = {}): string {
  const { withStatus = true, maxChars = Infinity } = options;
  const err = (e ?? {}) as { name?: unknown; message?: unknown; status?: unknown };
  const name = typeof err.name === "string" && err.name !== "Error" ? err.name : "";
  const status = withStatus && typeof err.status === "number" && err.status ? `status ${err.status}` : "";
  const message = typeof err.message === "string" ? err.message : String(e);
  return [name, status, message].filter(Boolean).join(": ").slice(0, maxChars);
}
