/**
 * GET /v1/incidents/:id/events: server-sent events from the events table (written by every
 * worker, so a stream shows an incident's steps whichever process runs it). Each event's id
 * is its sequence number: a client that reconnects with Last-Event-ID misses nothing.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type pg from "pg";
import { SSE_BATCH_ROWS, SSE_POLL_MS } from "../limits.js";
import { eventsSince } from "./store.js";

export async function streamEvents(
  pool: pg.Pool,
  req: IncomingMessage,
  res: ServerResponse,
  incidentId: string,
  after: number,
): Promise<void> {
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-store",
    connection: "keep-alive",
    "x-accel-buffering": "no",
  });
  res.write(": connected\n\n");
  let closed = false;
  req.on("close", () => {
    closed = true;
  });
  let seq = after;
  let idle = 0;
  while (!closed) {
    let events: Awaited<ReturnType<typeof eventsSince>>;
    try {
      events = await eventsSince(pool, incidentId, seq, SSE_BATCH_ROWS);
    } catch {
      // The database is away for a moment: keep the stream, try again.
      events = [];
    }
    for (const e of events) {
      res.write(`id: ${e.seq}\nevent: ${e.kind}\ndata: ${JSON.stringify(e)}\n\n`);
      seq = e.seq;
    }
    if (events.length === SSE_BATCH_ROWS) continue;
    if (++idle % 75 === 0) res.write(": keep-alive\n\n");
    await new Promise((r) => setTimeout(r, SSE_POLL_MS));
  }
  res.end();
}
