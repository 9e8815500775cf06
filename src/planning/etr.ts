/**
 * Estimated restoration times (ETR) for outage areas. An outage area is the customers behind
 * the same fault(s): out-of-service nodes grouped by their root causes (the damaged assets whose
 * repair brings them back). Its ETR comes from the current plan: the world is simulated ahead
 * (no damage it does not know of, the weather it forecasts) and the area's ETR is when its last
 * node is back. Its confidence says how much can still move it. `EtrBoard` keeps each area's
 * ETRs over the planning rounds, each change with its reason.
 */
import { ETR_HORIZON_MINUTES, ETR_MIN_CHANGE_MINUTES, ETR_SIMULATED_MAX_OPEN_JOBS } from "../limits.js";
import type { World } from "../world/simulator.js";
import type { DispatchStatus } from "../world/types.js";

export type EtrConfidence = "high" | "medium" | "low" | "none";
export type CrewStatus = "unassigned" | "queued" | "travelling" | "on_hold" | "repairing";

export interface FaultStatus {
  asset: string;
  crewId: string | null;
  crewStatus: CrewStatus;
  /** 1 for the crew's current job, 2 for the next one, ...; null without a crew. */
  position: number | null;
  /** Minute its repair is expected to end; null without a crew. */
  expectedRepairAt: number | null;
  /** Weather that stops work is forecast over it before its repair ends. */
  workStopForecast: boolean;
}

export interface OutageArea {
  id: string;
  faults: FaultStatus[];
  nodes: string[];
  customersOut: number;
  criticalFacilities: string[];
  start: number;
  cause: string;
  location: { x: number; y: number };
  /** Minute of the incident's clock by which all its customers are expected back; null while no crew has its fault. */
  etr: number | null;
  confidence: EtrConfidence;
}

/** The areas out of service now, with ETRs from the plan the crews hold. */
export function estimateOutageAreas(world: World): OutageArea[] {
  const snap = world.detectFailures();
  const now = world.now();
  const groups = new Map<
    string,
    { roots: string[]; nodes: string[]; pop: number; critical: string[]; start: number; cause: string }
  >();
  const critical = new Set(world.scenario.nodes.filter((n) => n.criticality > 1).map((n) => n.id));
  const nodeAssets = [...snap.damaged.filter((d) => d.kind === "node"), ...snap.outOfService];
  for (const a of nodeAssets) {
    if (a.rootCauses.length === 0) continue;
    const roots = [...a.rootCauses].sort();
    const key = roots.join("+");
    const g =
      groups.get(key) ??
      groups.set(key, { roots, nodes: [], pop: 0, critical: [], start: a.since, cause: "" }).get(key)!;
    g.nodes.push(a.id);
    g.pop += a.population;
    if (critical.has(a.id)) g.critical.push(a.id);
    g.start = Math.min(g.start, a.since);
  }
  const damage = new Map(snap.damaged.map((d) => [d.id, d]));
  for (const g of groups.values())
    g.cause = g.roots.map((r) => `${r}: ${damage.get(r)?.cause ?? "damaged"}`).join("; ");
  const backAt =
    world.openJobCount() <= ETR_SIMULATED_MAX_OPEN_JOBS
      ? simulatedBackTimes(world, new Set([...groups.values()].flatMap((g) => g.nodes)))
      : null;
  const repairs = expectedRepairs(world);
  const positions = queuePositions(world);
  const areas: OutageArea[] = [];
  for (const [key, g] of groups) {
    if (g.pop <= 0 && g.critical.length === 0) continue;
    const faults: FaultStatus[] = g.roots.map((r) => {
      const d = damage.get(r);
      const pos = positions.get(r);
      const expectedRepairAt = repairs.get(r) ?? null;
      const loc = world.assetLocation(r);
      const stop =
        loc && expectedRepairAt !== null
          ? world.weather.periods.some(
              (p) =>
                (p.stopsWork ?? p.condition === "lightning") &&
                p.toMinutes > now &&
                p.fromMinutes < expectedRepairAt &&
                world.weather.covers(p, loc.x, loc.y),
            )
          : false;
      return {
        asset: r,
        crewId: d?.assignedCrew ?? null,
        crewStatus: crewStatusOf(d?.dispatchStatus, d?.assignedCrew),
        position: pos ?? null,
        expectedRepairAt,
        workStopForecast: stop,
      };
    });
    let etr: number | null;
    if (faults.some((f) => f.crewId === null)) etr = null;
    else if (backAt)
      etr = g.nodes.reduce<number | null>((m, n) => {
        const t = backAt.get(n);
        return t === undefined || m === null ? null : Math.max(m, t);
      }, now);
    else
      etr = faults.reduce<number | null>(
        (m, f) => (f.expectedRepairAt === null || m === null ? null : Math.max(m, f.expectedRepairAt)),
        now,
      );
    const loc = world.assetLocation(g.roots[0]) ?? { x: 0, y: 0 };
    areas.push({
      id: `OUT-${key}`,
      faults,
      nodes: g.nodes.sort(),
      customersOut: g.pop,
      criticalFacilities: g.critical.sort(),
      start: g.start,
      cause: g.cause,
      location: loc,
      etr: etr === null ? null : Math.round(etr),
      confidence: confidenceOf(faults, etr, world),
    });
  }
  return areas.sort((a, b) => b.customersOut - a.customersOut || a.id.localeCompare(b.id));
}

/**
 * High: one fault, its crew on site repairing, no work stop forecast. Medium: its crew is on
 * the way or it is the crew's next job, nothing forecast to stop work. Low: deeper in a queue,
 * several faults, or weather forecast to stop work. None: no crew has it yet.
 */
export function confidenceOf(faults: FaultStatus[], etr: number | null, world: World): EtrConfidence {
  if (etr === null || faults.some((f) => f.crewId === null)) return "none";
  if (faults.some((f) => f.workStopForecast)) return "low";
  // New damage may still come while a storm with a damage rate lasts: queued work may be re-planned.
  const stormy = world.weather.periods.some(
    (p) => (p.damageRatePerHour ?? 0) > 0 && p.fromMinutes <= world.now() && p.toMinutes > world.now(),
  );
  const worst = Math.max(...faults.map((f) => f.position ?? 99));
  if (faults.length === 1 && (faults[0].crewStatus === "repairing" || faults[0].crewStatus === "on_hold"))
    return "high";
  if (faults.length <= 2 && worst <= 2 && !stormy) return "medium";
  if (faults.length === 1 && worst === 1) return "medium";
  return "low";
}

function crewStatusOf(status: DispatchStatus | undefined, crew: string | undefined): CrewStatus {
  if (!crew || !status) return "unassigned";
  if (status === "travelling" || status === "on_hold" || status === "repairing") return status;
  return "queued";
}

/** Each asset's place in its crew's list (1: the job it is on). */
function queuePositions(world: World): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of world.crewSummaries()) {
    const list = [...(c.currentAsset ? [c.currentAsset] : []), ...c.queue];
    for (let i = 0; i < list.length; i++) out.set(list[i], i + 1);
  }
  return out;
}

/** When each job the crews hold is expected to end: their current job, then their queue in order, from the crews' estimates. */
function expectedRepairs(world: World): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of world.crewSummaries()) {
    let t = c.currentAsset ? c.busyUntil : world.now();
    let { x, y } = c.currentAsset ? c.busyUntilLocation : { x: c.x, y: c.y };
    if (c.currentAsset) out.set(c.currentAsset, c.busyUntil);
    for (const a of c.queue) {
      const est = world.estimateJobFrom(c.id, x, y, t, a);
      out.set(a, est.completionAt);
      t = est.completionAt;
      const l = world.assetLocation(a);
      if (l) ({ x, y } = l);
    }
  }
  return out;
}

/** Simulate the plan ahead (no unknown damage) and note when each watched node is back in service. */
function simulatedBackTimes(world: World, watched: Set<string>): Map<string, number> {
  const sim = world.clone({ futureDamage: false });
  const back = new Map<string, number>();
  const horizon = world.now() + ETR_HORIZON_MINUTES;
  let damaged = sim.damagedCount();
  for (let guard = 0; guard < 100_000 && back.size < watched.size; guard++) {
    const next = sim.nextEventTime();
    if (next === null || next > horizon) break;
    sim.advanceToNextEvent();
    // Customers come back only when a repair completes.
    if (sim.damagedCount() === damaged) continue;
    damaged = sim.damagedCount();
    for (const f of sim.toGeoJSON().features) {
      const p = f.properties as { id: string; kind: string; state: string };
      if (p.kind !== "node" || !watched.has(p.id) || back.has(p.id)) continue;
      if (p.state === "working" || p.state === "restored") back.set(p.id, sim.now());
    }
  }
  return back;
}

// ---------------------------------------------------------------- history with reasons

export interface EtrEntry {
  at: number;
  etr: number | null;
  confidence: EtrConfidence;
  /** Why it is this value now (for the first entry: what it is based on). Never empty. */
  reason: string;
  customersOut: number;
  /** Set on the last entry once the area's customers are all back (seen at this round: they may have come back earlier). */
  restoredAt?: number;
  /** Set on the last entry when the area's customers now wait for other faults too: the area they are counted in. */
  mergedInto?: string;
}

export interface AreaHistory {
  id: string;
  area: OutageArea;
  entries: EtrEntry[];
  open: boolean;
}

/**
 * Each area's ETRs over the planning rounds. An ETR is republished only when it moves (by at
 * least ETR_MIN_CHANGE_MINUTES) or its confidence changes, and every entry says why.
 */
export class EtrBoard {
  private readonly areas = new Map<string, AreaHistory>();

  /** Record the areas estimated at a planning round; `context` says what the round was for (e.g. "new damage: TX-5A"). */
  update(at: number, areas: OutageArea[], context: string): EtrEntry[] {
    const changed: EtrEntry[] = [];
    const seen = new Set<string>();
    for (const a of areas) {
      seen.add(a.id);
      const h = this.areas.get(a.id);
      if (!h || !h.open) {
        const e: EtrEntry = {
          at,
          etr: a.etr,
          confidence: a.confidence,
          customersOut: a.customersOut,
          reason: firstReason(a, context),
        };
        this.areas.set(a.id, { id: a.id, area: a, entries: [...(h?.entries ?? []), e], open: true });
        changed.push(e);
        continue;
      }
      const last = h.entries[h.entries.length - 1];
      const moved =
        (last.etr === null) !== (a.etr === null) ||
        (last.etr !== null && a.etr !== null && Math.abs(a.etr - last.etr) >= ETR_MIN_CHANGE_MINUTES);
      if (moved || last.confidence !== a.confidence) {
        const e: EtrEntry = {
          at,
          etr: a.etr,
          confidence: a.confidence,
          customersOut: a.customersOut,
          reason: changeReason(h.area, a, last, context),
        };
        h.entries.push(e);
        changed.push(e);
      }
      h.area = a;
    }
    const areaOfNode = new Map(areas.flatMap((a) => a.nodes.map((n) => [n, a] as const)));
    for (const h of this.areas.values()) {
      if (!h.open || seen.has(h.id)) continue;
      h.open = false;
      const last = h.entries[h.entries.length - 1];
      // Still out, but behind other faults now (new damage upstream, or a repair that revealed the next break).
      const moved = h.area.nodes.map((n) => areaOfNode.get(n)).find((a) => a !== undefined);
      if (moved) {
        const added = moved.faults.map((f) => f.asset).filter((f) => !h.area.faults.some((x) => x.asset === f));
        h.entries.push({
          ...last,
          at,
          etr: moved.etr,
          confidence: moved.confidence,
          mergedInto: moved.id,
          reason: `customers now also wait for ${added.join(", ") || "other faults"}: followed in ${moved.id}, ETR ${moved.etr === null ? "being assessed" : clockOf(moved.etr)} (${context})`,
        });
      } else {
        h.entries.push({ ...last, at, restoredAt: at, reason: `customers back in service (seen at ${clockOf(at)})` });
      }
    }
    return changed;
  }

  /** Every area seen, open ones first, each with its entries oldest first. */
  histories(): AreaHistory[] {
    return [...this.areas.values()].sort(
      (a, b) => Number(b.open) - Number(a.open) || b.area.customersOut - a.area.customersOut,
    );
  }

  get(id: string): AreaHistory | undefined {
    return this.areas.get(id);
  }

  /** The board as plain data (what `EtrBoard.from` takes back): kept in a database between processes. */
  toJSON(): AreaHistory[] {
    return this.histories();
  }

  /** A board from its plain data (`toJSON`, read back from JSON): it goes on as the board it was. */
  static from(histories: readonly AreaHistory[]): EtrBoard {
    const b = new EtrBoard();
    for (const h of histories)
      b.areas.set(h.id, { id: h.id, area: h.area, entries: h.entries.map((e) => ({ ...e })), open: h.open });
    return b;
  }
}

function firstReason(a: OutageArea, context: string): string {
  if (a.etr === null)
    return `no crew assigned to ${a.faults
      .filter((f) => f.crewId === null)
      .map((f) => f.asset)
      .join(", ")} yet: assessing (${context})`;
  const f = a.faults.map((x) => `${x.asset} with ${x.crewId} (${describeStatus(x)})`).join("; ");
  return `first estimate from the plan: ${f}${a.faults.some((x) => x.workStopForecast) ? "; lightning forecast over the site will stop work" : ""} (${context})`;
}

function changeReason(before: OutageArea, after: OutageArea, last: EtrEntry, context: string): string {
  const reasons: string[] = [];
  const b = new Map(before.faults.map((f) => [f.asset, f]));
  const a = new Map(after.faults.map((f) => [f.asset, f]));
  for (const f of after.faults) if (!b.has(f.asset)) reasons.push(`now also waits for ${f.asset}`);
  for (const f of before.faults) if (!a.has(f.asset)) reasons.push(`no longer waits for ${f.asset}`);
  for (const f of after.faults) {
    const p = b.get(f.asset);
    if (!p) continue;
    if (p.crewId !== f.crewId)
      reasons.push(
        f.crewId === null
          ? `${f.asset} lost its crew`
          : p.crewId === null
            ? `${f.asset} assigned to ${f.crewId}`
            : `${f.asset} moved from ${p.crewId} to ${f.crewId}`,
      );
    else if (p.position !== f.position && f.position !== null && p.position !== null)
      reasons.push(`${f.asset} is now job ${f.position} in ${f.crewId}'s list (was ${p.position})`);
    if (p.crewStatus !== f.crewStatus && p.crewId === f.crewId)
      reasons.push(`${f.crewId} ${describeStatus(f)} at ${f.asset}`);
    if (p.workStopForecast !== f.workStopForecast)
      reasons.push(
        f.workStopForecast
          ? `lightning forecast over ${f.asset} will stop work`
          : `no work stop forecast over ${f.asset} any more`,
      );
  }
  if (after.customersOut !== before.customersOut)
    reasons.push(
      `${after.customersOut.toLocaleString("en-US")} customers out (was ${before.customersOut.toLocaleString("en-US")})`,
    );
  if (reasons.length === 0) {
    const d = after.etr !== null && last.etr !== null ? after.etr - last.etr : 0;
    reasons.push(
      d > 0
        ? `the crews' earlier work takes ${Math.round(d)} min longer than estimated`
        : d < 0
          ? `the crews' earlier work goes ${Math.round(-d)} min faster than estimated`
          : "re-estimated",
    );
  }
  const same = last.etr !== null && after.etr !== null && Math.abs(after.etr - last.etr) < ETR_MIN_CHANGE_MINUTES;
  const move = same
    ? `ETR ${clockOf(after.etr!)} kept, confidence ${last.confidence} -> ${after.confidence}`
    : last.etr !== null && after.etr !== null
      ? `ETR ${clockOf(last.etr)} -> ${clockOf(after.etr)}`
      : after.etr === null
        ? "ETR withdrawn"
        : `ETR ${clockOf(after.etr)}`;
  return `${move}: ${reasons.join("; ")} (${context})`;
}

function describeStatus(f: FaultStatus): string {
  switch (f.crewStatus) {
    case "repairing":
      return "on site, repairing";
    case "on_hold":
      return "on site, held by weather";
    case "travelling":
      return "on the way";
    case "queued":
      return `job ${f.position ?? "?"} in its list`;
    default:
      return "no crew";
  }
}

function clockOf(m: number): string {
  const r = Math.round(m);
  return `T+${String(Math.floor(r / 60)).padStart(2, "0")}:${String(r % 60).padStart(2, "0")}`;
}
