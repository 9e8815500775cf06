/**
 * The field: each served region's world as the field knows it, rebuilt from the dispatches
 * delivered to it (the outbox), standing at the region's clock. It serves /metrics, closes
 * incidents when their region's network is restored, reconciles resolved alerts with the
 * world, and triggers a run when the world needs the dispatcher (new damage a crew can take,
 * a crew freed while work waits): what RESCHEDULING saw in the CLI's simulated time.
 */
import type pg from "pg";
import { FIELD_WATCH_INTERVAL_MS } from "../limits.js";
import { loadScenario } from "../world/scenario/load.js";
import { IncrementalReplay } from "../world/incremental-replay.js";
import type { World } from "../world/simulator.js";
import type { Region, ServiceConfig } from "./config.js";
import { currentBoard, progressOf } from "./etr-boards.js";
import type { JobQueue } from "./jobs.js";
import { renderMetrics, type RegionWorld } from "./metrics.js";

export type { RegionWorld };
import { RegionClocks } from "./realtime-world.js";
import type { Figures } from "./schemas.js";
import { addEvent, deliveredAfter, deliveredCount, ensureClock, openIncidents, setIncident } from "./store.js";

export interface Field {
  clocks: RegionClocks;
  worlds(): Promise<RegionWorld[]>;
  metrics(): Promise<string>;
  /** One pass of the watcher (the timer calls it; tests may too). */
  tick(): Promise<void>;
  /** How many times a region's world was replayed from its whole delivered log (at start, or when a delivery could not be appended). */
  fullReplays(): number;
  stop(): void;
}

export function figuresOf(w: World): Figures {
  const f = w.detectFailures();
  const m = w.metrics();
  return {
    worldMinute: Math.round(w.now() * 100) / 100,
    damaged: f.damaged.length,
    outOfService: f.outOfService.length,
    populationOut: f.populationOut,
    criticalFacilitiesOut: f.criticalFacilitiesOut,
    customerMinutesInterrupted: Math.round(m.customerMinutesInterrupted),
    minutesToFullRestoration: m.minutesToFullRestoration,
    fullyRestored: w.isFullyRestored(),
  };
}

export async function startField(
  pool: pg.Pool,
  queue: JobQueue,
  config: ServiceConfig,
  log: (l: string) => void,
): Promise<Field> {
  for (const r of config.regions) await ensureClock(pool, r.name, config.speed, config.clock === "manual");
  const clocks = new RegionClocks(pool);
  await clocks.refresh();
  const cache = new Map<string, RegionWorld>();
  const replays = new Map<string, { replay: IncrementalReplay; cursor: number }>();
  const lastSignature = new Map<string, string>();
  let fullReplays = 0;
  const boardSeen = new Map<string, string>();

  /**
   * The region's world from what was delivered, incrementally: only the dispatches delivered since
   * the last look (a cursor on their write order) are applied. When the count of delivered rows says
   * one was missed (delivered out of write order), or a new one cannot be appended (not later than
   * the last applied), the world is replayed from the whole log.
   */
  async function regionWorld(region: Region): Promise<RegionWorld> {
    const delivered = await deliveredCount(pool, region.name);
    const now = clocks.minutes(region.name);
    let r = replays.get(region.name);
    if (r && delivered !== r.replay.applied) {
      const fresh = await deliveredAfter(pool, region.name, r.cursor);
      if (r.replay.applied + fresh.length === delivered && r.replay.append(fresh.map((x) => x.entry)))
        r.cursor = fresh.reduce((m, x) => Math.max(m, x.seq), r.cursor);
      else r = undefined;
    }
    if (!r) {
      const all = await deliveredAfter(pool, region.name, 0);
      const options = region.seed === undefined ? {} : { seed: region.seed };
      r = {
        replay: new IncrementalReplay(
          loadScenario(region.scenario),
          options,
          all.map((x) => x.entry),
        ),
        cursor: all.reduce((m, x) => Math.max(m, x.seq), 0),
      };
      replays.set(region.name, r);
      fullReplays++;
    }
    const prior = cache.get(region.name);
    const rw: RegionWorld = {
      region,
      world: r.replay.at(now),
      delivered: r.replay.applied,
      everDown: prior?.everDown ?? new Set(),
    };
    cache.set(region.name, rw);
    const f = rw.world.detectFailures();
    for (const a of [...f.damaged, ...f.outOfService]) rw.everDown.add(a.id);
    return rw;
  }

  const worlds = async () => {
    await clocks.refresh();
    const out: RegionWorld[] = [];
    for (const r of config.regions) out.push(await regionWorld(r));
    return out;
  };

  async function tick(): Promise<void> {
    const all = await worlds();
    const open = await openIncidents(pool);
    for (const rw of all) {
      const inc = open.find((i) => i.region === rw.region.name);
      if (!inc) continue;
      const w = rw.world;
      const figures = figuresOf(w);
      if (JSON.stringify(figures) !== JSON.stringify(inc.figures)) await setIncident(pool, inc.id, { figures });
      // Every planning round that reached the field, every crew's progress and repair, on the incident's ETR board
      // (kept in the database); read again only when this world has changed since the last look.
      const progress = `${w.dispatchLog().length}|${JSON.stringify(progressOf(w))}`;
      if (boardSeen.get(inc.id) !== progress) {
        await currentBoard(pool, inc.id, w);
        boardSeen.set(inc.id, progress);
      }
      await reconcileResolved(pool, inc.id, w);
      const undelivered = Number(
        (
          await pool.query(`SELECT count(*) FROM infra.dispatches WHERE incident_id = $1 AND delivered_at IS NULL`, [
            inc.id,
          ])
        ).rows[0].count,
      );
      if (
        w.isFullyRestored() &&
        !w.hasPendingEvents() &&
        undelivered === 0 &&
        inc.decision_request === null &&
        inc.status !== "running"
      ) {
        const result = `the network is fully restored at minute ${Math.round(w.now())}`;
        await setIncident(pool, inc.id, { status: "resolved", closed_at: new Date(), result, figures });
        await addEvent(pool, inc.id, "resolved", { result, figures });
        log(`[field] ${inc.id} resolved: ${result}`);
        continue;
      }
      // Work a crew could take now, or a crew free while work waits: the dispatcher is needed.
      const workable = w.workableUnassignedIds();
      if (!workable.length || inc.decision_request !== null || undelivered > 0) continue;
      const signature = `${workable.join(",")}|${w
        .crewSummaries()
        .filter((c) => c.status === "idle")
        .map((c) => c.id)
        .join(",")}`;
      if (lastSignature.get(inc.id) === signature) continue;
      lastSignature.set(inc.id, signature);
      const queued = await queue.enqueueRun({
        incidentId: inc.id,
        reason: {
          kind: "world",
          message: `${workable.length} damaged asset(s) a crew can take: ${workable.slice(0, 8).join(", ")}`,
        },
      });
      if (queued) await addEvent(pool, inc.id, "run_queued", { reason: "world", workable: workable.slice(0, 50) });
    }
  }

  let running = false;
  let stopped = false;
  const timer = config.watch
    ? setInterval(() => {
        if (running || stopped) return;
        running = true;
        tick()
          .catch((e) => log(`[field] watcher: ${(e as Error).message}`))
          .finally(() => {
            running = false;
          });
      }, FIELD_WATCH_INTERVAL_MS)
    : undefined;
  timer?.unref();

  return {
    clocks,
    worlds,
    tick,
    fullReplays: () => fullReplays,
    metrics: async () => renderMetrics(await worlds(), await openIncidents(pool)),
    stop: () => {
      stopped = true;
      if (timer) clearInterval(timer);
    },
  };
}

/** A resolved alert is checked against the world: is its asset really working again? */
async function reconcileResolved(pool: pg.Pool, incidentId: string, w: World): Promise<void> {
  const r = await pool.query(
    `SELECT fingerprint, starts_at, asset, asset_known FROM infra.alerts WHERE incident_id = $1 AND status = 'resolved' AND reconciled IS NULL`,
    [incidentId],
  );
  if (!r.rowCount) return;
  const f = w.detectFailures();
  const damaged = new Set(f.damaged.map((d) => d.id));
  const out = new Set(f.outOfService.map((d) => d.id));
  for (const a of r.rows) {
    const verdict = !a.asset
      ? "no asset named: nothing to check"
      : !a.asset_known
        ? "asset unknown to the region's network"
        : damaged.has(a.asset)
          ? `asset still damaged in the world at minute ${Math.round(w.now())}`
          : out.has(a.asset)
            ? `asset still out of service (upstream) at minute ${Math.round(w.now())}`
            : `confirmed: asset working at minute ${Math.round(w.now())}`;
    await pool.query(`UPDATE infra.alerts SET reconciled = $3 WHERE fingerprint = $1 AND starts_at = $2`, [
      a.fingerprint,
      a.starts_at,
      verdict,
    ]);
  }
}
