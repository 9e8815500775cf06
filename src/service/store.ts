/**
 * The service's own tables: incidents, events (what SSE streams), the dispatch outbox, the
 * audit log, decisions, the world clock. Plain SQL over a pg pool; every write that must
 * not happen twice is keyed (ON CONFLICT DO NOTHING).
 */
import { randomUUID } from "node:crypto";
import type pg from "pg";
import type { DispatchLogEntry } from "../world/types.js";
import type { Principal } from "./auth.js";
import type { Dispatch, Figures, IncidentEventKind, IncidentStatus, IncidentSummary } from "./schemas.js";

export type Queryable = Pick<pg.Pool, "query"> | pg.PoolClient;

export interface IncidentRow {
  id: string;
  region: string;
  scenario: string;
  status: IncidentStatus;
  title: string | null;
  opened_by: string;
  opened_at: Date;
  closed_at: Date | null;
  runs: number;
  figures: Figures | null;
  decision_request: Record<string, unknown> | null;
  result: string | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function newIncidentId(): string {
  return `incident-${randomUUID().slice(0, 8)}`;
}

/** The region's open incident, or a new one (one open incident per region, enforced by a unique index). */
export async function openIncidentFor(
  db: Queryable,
  region: { name: string; scenario: string },
  openedBy: string,
  title?: string,
): Promise<{ id: string; opened: boolean }> {
  const id = newIncidentId();
  const inserted = await db.query(
    `INSERT INTO infra.incidents (id, region, scenario, status, title, opened_by) VALUES ($1, $2, $3, 'open', $4, $5)
     ON CONFLICT (region) WHERE closed_at IS NULL DO NOTHING RETURNING id`,
    [id, region.name, region.scenario, title ?? null, openedBy],
  );
  if (inserted.rowCount) {
    await addEvent(db, id, "opened", { region: region.name, by: openedBy, ...(title ? { title } : {}) });
    return { id, opened: true };
  }
  const existing = await db.query(`SELECT id FROM infra.incidents WHERE region = $1 AND closed_at IS NULL`, [
    region.name,
  ]);
  if (!existing.rows[0]) throw new Error(`no open incident for region ${region.name} after a conflicting insert`);
  return { id: existing.rows[0].id as string, opened: false };
}

export async function getIncidentRow(db: Queryable, id: string): Promise<IncidentRow | undefined> {
  const r = await db.query(`SELECT * FROM infra.incidents WHERE id = $1`, [id]);
  return r.rows[0] as IncidentRow | undefined;
}

export async function openIncidents(db: Queryable): Promise<IncidentRow[]> {
  return (await db.query(`SELECT * FROM infra.incidents WHERE closed_at IS NULL ORDER BY opened_at`))
    .rows as IncidentRow[];
}

export async function setIncident(
  db: Queryable,
  id: string,
  fields: Partial<Pick<IncidentRow, "status" | "figures" | "decision_request" | "result" | "closed_at">> & {
    addRun?: boolean;
  },
): Promise<void> {
  const sets: string[] = [];
  const values: unknown[] = [id];
  for (const [k, v] of Object.entries(fields)) {
    if (k === "addRun") continue;
    values.push(k === "figures" || k === "decision_request" ? (v === null ? null : JSON.stringify(v)) : v);
    sets.push(`${k} = $${values.length}`);
  }
  if (fields.addRun) sets.push("runs = runs + 1");
  if (!sets.length) return;
  await db.query(`UPDATE infra.incidents SET ${sets.join(", ")} WHERE id = $1`, values);
}

export async function listIncidents(db: Queryable, limit = 200): Promise<IncidentSummary[]> {
  const r = await db.query(
    `SELECT i.*, (SELECT count(*) FROM infra.alerts a WHERE a.incident_id = i.id)::int AS alert_count,
            (SELECT count(*) FROM infra.dispatches d WHERE d.incident_id = i.id)::int AS dispatch_count
       FROM infra.incidents i ORDER BY i.opened_at DESC LIMIT $1`,
    [limit],
  );
  return r.rows.map(summaryOf);
}

export function summaryOf(row: IncidentRow & { alert_count?: number; dispatch_count?: number }): IncidentSummary {
  return {
    id: row.id,
    region: row.region,
    scenario: row.scenario,
    status: row.status,
    title: row.title,
    openedAt: iso(row.opened_at)!,
    closedAt: iso(row.closed_at),
    openedBy: row.opened_by,
    runs: row.runs,
    alerts: row.alert_count ?? 0,
    dispatchCount: row.dispatch_count ?? 0,
    figures: row.figures,
    pendingDecision: row.decision_request !== null,
  };
}

// ---------------------------------------------------------------- events (SSE)

export async function addEvent(
  db: Queryable,
  incidentId: string,
  kind: IncidentEventKind,
  data: Record<string, unknown>,
): Promise<void> {
  await db.query(`INSERT INTO infra.events (incident_id, kind, data) VALUES ($1, $2, $3)`, [
    incidentId,
    kind,
    JSON.stringify(data),
  ]);
}

export async function eventsSince(
  db: Queryable,
  incidentId: string,
  afterSeq: number,
  limit: number,
  kinds?: IncidentEventKind[],
) {
  const r = await db.query(
    `SELECT seq, incident_id, at, kind, data FROM infra.events WHERE incident_id = $1 AND seq > $2 ${kinds ? "AND kind = ANY($4)" : ""} ORDER BY seq LIMIT $3`,
    kinds ? [incidentId, afterSeq, limit, kinds] : [incidentId, afterSeq, limit],
  );
  return r.rows.map((e) => ({
    seq: Number(e.seq),
    incidentId: e.incident_id as string,
    at: iso(e.at)!,
    kind: e.kind as IncidentEventKind,
    data: e.data as Record<string, unknown>,
  }));
}

// ---------------------------------------------------------------- the dispatch outbox

/** Record dispatches (idempotent: a dispatch id is written once, whatever replays). Returns the ids new here. */
export async function recordDispatches(
  db: Queryable,
  incidentId: string,
  region: string,
  entries: readonly DispatchLogEntry[],
): Promise<string[]> {
  if (!entries.length) return [];
  const r = await db.query(
    `INSERT INTO infra.dispatches (dispatch_id, incident_id, region, crew_id, asset_id, at_minute, entry)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::jsonb[])
     ON CONFLICT (region, dispatch_id) DO NOTHING RETURNING dispatch_id`,
    [
      entries.map((e) => e.dispatchId),
      entries.map(() => incidentId),
      entries.map(() => region),
      entries.map((e) => e.crewId),
      entries.map((e) => e.assetId),
      entries.map((e) => e.at),
      entries.map((e) => JSON.stringify(e)),
    ],
  );
  return r.rows.map((x) => x.dispatch_id as string);
}

/** Claim undelivered dispatches (each delivered by one deliverer: rows are locked, others skip them). */
export async function deliverPending(
  pool: pg.Pool,
  by: string,
  deliver: (rows: { dispatchId: string; region: string; entry: DispatchLogEntry }[]) => Promise<void>,
  limit = 500,
): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const r = await client.query(
      `SELECT dispatch_id, region, entry FROM infra.dispatches WHERE delivered_at IS NULL ORDER BY at_minute, seq LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
    if (!r.rowCount) {
      await client.query("COMMIT");
      return 0;
    }
    const rows = r.rows.map((x) => ({
      dispatchId: x.dispatch_id as string,
      region: x.region as string,
      entry: x.entry as DispatchLogEntry,
    }));
    await deliver(rows);
    await client.query(
      `UPDATE infra.dispatches d SET delivered_at = now(), delivered_by = $3, delivery_attempts = delivery_attempts + 1
        FROM unnest($1::text[], $2::text[]) AS k(region, dispatch_id) WHERE d.region = k.region AND d.dispatch_id = k.dispatch_id`,
      [rows.map((x) => x.region), rows.map((x) => x.dispatchId), by],
    );
    await client.query("COMMIT");
    return rows.length;
  } catch (e) {
    await client.query("ROLLBACK").catch(() => {});
    throw e;
  } finally {
    client.release();
  }
}

/** How many dispatches a region's field has received. */
export async function deliveredCount(db: Queryable, region: string): Promise<number> {
  const r = await db.query(
    `SELECT count(*)::int AS n FROM infra.dispatches WHERE region = $1 AND delivered_at IS NOT NULL`,
    [region],
  );
  return r.rows[0].n as number;
}

/** What a region's field has received after write order `afterSeq` (0: all), in dispatch order, with the write order of each. */
export async function deliveredAfter(
  db: Queryable,
  region: string,
  afterSeq: number,
): Promise<{ seq: number; entry: DispatchLogEntry }[]> {
  const r = await db.query(
    `SELECT seq, entry FROM infra.dispatches WHERE region = $1 AND delivered_at IS NOT NULL AND seq > $2 ORDER BY at_minute, seq`,
    [region, afterSeq],
  );
  return r.rows.map((x) => ({ seq: Number(x.seq), entry: x.entry as DispatchLogEntry }));
}

/** Dispatches of a region's other incidents (the world's history before this incident). */
export async function priorEntries(db: Queryable, region: string, incidentId: string): Promise<DispatchLogEntry[]> {
  const r = await db.query(
    `SELECT entry FROM infra.dispatches WHERE region = $1 AND incident_id <> $2 ORDER BY at_minute, seq`,
    [region, incidentId],
  );
  return r.rows.map((x) => x.entry as DispatchLogEntry);
}

export async function incidentDispatches(db: Queryable, incidentId: string): Promise<Dispatch[]> {
  const r = await db.query(`SELECT * FROM infra.dispatches WHERE incident_id = $1 ORDER BY at_minute, seq`, [
    incidentId,
  ]);
  return r.rows.map((d) => ({
    dispatchId: d.dispatch_id,
    crewId: d.crew_id,
    assetId: d.asset_id,
    at: Number(d.at_minute),
    createdAt: iso(d.created_at)!,
    deliveredAt: iso(d.delivered_at),
  }));
}

// ---------------------------------------------------------------- decisions and the audit log

export async function audit(
  db: Queryable,
  who: Principal | { name: string; role: string },
  action: string,
  incidentId: string | null,
  detail: Record<string, unknown>,
): Promise<void> {
  await db.query(`INSERT INTO infra.audit_log (actor, role, action, incident_id, detail) VALUES ($1, $2, $3, $4, $5)`, [
    who.name,
    who.role,
    action,
    incidentId,
    JSON.stringify(detail),
  ]);
}

export async function auditFor(db: Queryable, incidentId: string) {
  const r = await db.query(`SELECT * FROM infra.audit_log WHERE incident_id = $1 ORDER BY id`, [incidentId]);
  return r.rows.map((a) => ({
    at: iso(a.at)!,
    actor: a.actor as string,
    role: a.role as string,
    action: a.action as string,
    incidentId: a.incident_id as string | null,
    detail: a.detail as Record<string, unknown>,
  }));
}

export async function addDecision(
  db: Queryable,
  incidentId: string,
  decision: unknown,
  actor: string,
): Promise<number> {
  const r = await db.query(
    `INSERT INTO infra.decisions (incident_id, decision, actor) VALUES ($1, $2, $3) RETURNING id`,
    [incidentId, JSON.stringify(decision), actor],
  );
  return Number(r.rows[0].id);
}

/** The oldest decision not yet given to the graph. */
export async function nextDecision(
  db: Queryable,
  incidentId: string,
): Promise<{ id: number; decision: unknown; actor: string } | undefined> {
  const r = await db.query(
    `SELECT id, decision, actor FROM infra.decisions WHERE incident_id = $1 AND applied_at IS NULL ORDER BY id LIMIT 1`,
    [incidentId],
  );
  return r.rows[0] ? { id: Number(r.rows[0].id), decision: r.rows[0].decision, actor: r.rows[0].actor } : undefined;
}

export async function markDecisionApplied(db: Queryable, id: number): Promise<void> {
  await db.query(`UPDATE infra.decisions SET applied_at = now() WHERE id = $1`, [id]);
}

// ---------------------------------------------------------------- the world clock

export interface ClockRow {
  region: string;
  epochMs: number;
  speed: number;
  manualMinutes: number | null;
}

/** Start a region's clock if it has none; keep a running clock (a restart continues the same world). */
export async function ensureClock(db: Queryable, region: string, speed: number, manual: boolean): Promise<ClockRow> {
  await db.query(
    `INSERT INTO infra.world_clock (region, epoch_ms, speed, manual_minutes) VALUES ($1, $2, $3, $4) ON CONFLICT (region) DO NOTHING`,
    [region, Date.now(), speed, manual ? 0 : null],
  );
  return (await readClocks(db)).find((c) => c.region === region)!;
}

export async function readClocks(db: Queryable): Promise<ClockRow[]> {
  const r = await db.query(`SELECT * FROM infra.world_clock`);
  return r.rows.map((c) => ({
    region: c.region,
    epochMs: Number(c.epoch_ms),
    speed: Number(c.speed),
    manualMinutes: c.manual_minutes === null ? null : Number(c.manual_minutes),
  }));
}

export async function setManualClock(db: Queryable, region: string, minutes: number): Promise<void> {
  await db.query(
    `UPDATE infra.world_clock SET manual_minutes = GREATEST(COALESCE(manual_minutes, 0), $2) WHERE region = $1`,
    [region, minutes],
  );
}
