/**
 * Weather: a timeline of conditions over areas, with their effect on crews.
 * Factors multiply travel and repair times; `stopsWork` holds outdoor work (lightning).
 */
import type { DistanceKm } from "./geo.js";
import type { WeatherCondition, WeatherPeriod } from "./scenario/schema.js";

export interface WeatherEffect {
  condition: WeatherCondition;
  travelFactor: number;
  repairFactor: number;
  stopsWork: boolean;
  /** When the conditions at this place next change (minutes), or null if they never do. */
  changesAt: number | null;
}

const DEFAULTS: Record<WeatherCondition, { travel: number; repair: number; stops: boolean; rank: number }> = {
  clear: { travel: 1, repair: 1, stops: false, rank: 0 },
  fog: { travel: 1.4, repair: 1, stops: false, rank: 1 },
  heat: { travel: 1, repair: 1.2, stops: false, rank: 1 },
  rain: { travel: 1.2, repair: 1.2, stops: false, rank: 2 },
  snow: { travel: 1.6, repair: 1.4, stops: false, rank: 3 },
  high_wind: { travel: 1.3, repair: 1.5, stops: false, rank: 4 },
  storm: { travel: 1.5, repair: 1.5, stops: false, rank: 5 },
  lightning: { travel: 1.2, repair: 1, stops: true, rank: 6 },
};

export class WeatherTimeline {
  private readonly boundaries: number[];

  constructor(
    readonly periods: WeatherPeriod[],
    private readonly distanceKm: DistanceKm,
  ) {
    const b = new Set<number>();
    for (const p of periods) {
      b.add(p.fromMinutes);
      b.add(p.toMinutes);
    }
    this.boundaries = [...b].sort((a, c) => a - c);
  }

  /** The next time after `t` at which any period starts or ends, anywhere. */
  nextChangeAfter(t: number): number | null {
    for (const b of this.boundaries) if (b > t) return b;
    return null;
  }

  covers(p: WeatherPeriod, x: number, y: number): boolean {
    return !p.area || this.distanceKm(p.area.x, p.area.y, x, y) <= p.area.radiusKm;
  }

  at(x: number, y: number, t: number): WeatherEffect {
    let condition: WeatherCondition = "clear";
    let travelFactor = 1,
      repairFactor = 1,
      stopsWork = false;
    let changesAt: number | null = null;
    for (const p of this.periods) {
      if (!this.covers(p, x, y)) continue;
      if (p.fromMinutes > t) {
        changesAt = Math.min(changesAt ?? Infinity, p.fromMinutes);
        continue;
      }
      if (p.toMinutes <= t) continue;
      changesAt = Math.min(changesAt ?? Infinity, p.toMinutes);
      const d = DEFAULTS[p.condition];
      if (d.rank > DEFAULTS[condition].rank) condition = p.condition;
      travelFactor = Math.max(travelFactor, p.travelFactor ?? d.travel);
      repairFactor = Math.max(repairFactor, p.repairFactor ?? d.repair);
      stopsWork = stopsWork || (p.stopsWork ?? d.stops);
    }
    return { condition, travelFactor, repairFactor, stopsWork, changesAt };
  }

  /** When outdoor work at this place may resume, if it is stopped at `t`. */
  workResumesAt(x: number, y: number, t: number): number {
    let when = t;
    for (let guard = 0; guard < 1000; guard++) {
      const w = this.at(x, y, when);
      if (!w.stopsWork) return when;
      let end = when;
      for (const p of this.periods) {
        if (
          p.fromMinutes <= when &&
          p.toMinutes > when &&
          this.covers(p, x, y) &&
          (p.stopsWork ?? DEFAULTS[p.condition].stops)
        ) {
          end = Math.max(end, p.toMinutes);
        }
      }
      when = end;
    }
    return when;
  }

  /**
   * When `minutes` of outdoor work starting at `start` will be done, pausing whenever a
   * condition stops work at this place (lightning), and how long it was held in all.
   */
  finishWork(x: number, y: number, start: number, minutes: number): { endsAt: number; heldMinutes: number } {
    let t = start,
      left = minutes,
      held = 0;
    for (let guard = 0; guard < 1000; guard++) {
      const resume = this.workResumesAt(x, y, t);
      held += resume - t;
      t = resume;
      let nextStop = Infinity;
      for (const p of this.periods) {
        if (
          p.fromMinutes > t &&
          p.fromMinutes < nextStop &&
          (p.stopsWork ?? DEFAULTS[p.condition].stops) &&
          this.covers(p, x, y)
        )
          nextStop = p.fromMinutes;
      }
      if (t + left <= nextStop) return { endsAt: t + left, heldMinutes: held };
      left -= nextStop - t;
      t = nextStop;
    }
    return { endsAt: t + left, heldMinutes: held };
  }
}

/** One period of a forecast at a place: what it is, from when to when, and whether it stops outdoor work. */
export interface ForecastPeriod {
  condition: WeatherCondition;
  from: number;
  to: number;
  stopsWork: boolean;
  travelFactor: number;
  repairFactor: number;
}

/** The periods at (x, y) that have not ended by minute `t`, in order: what lies ahead, not only the next change. */
export function forecastAt(timeline: WeatherTimeline, x: number, y: number, t: number): ForecastPeriod[] {
  return timeline.periods
    .filter((p) => p.toMinutes > t && timeline.covers(p, x, y))
    .map((p) => {
      const d = DEFAULTS[p.condition];
      return {
        condition: p.condition,
        from: p.fromMinutes,
        to: p.toMinutes,
        stopsWork: p.stopsWork ?? d.stops,
        travelFactor: p.travelFactor ?? d.travel,
        repairFactor: p.repairFactor ?? d.repair,
      };
    })
    .sort((a, b) => a.from - b.from || a.to - b.to);
}

/**
 * The weather of the whole incident in one line (periods not yet over, wherever they are):
 * "storm from minute 30 to 240 within 4.2 km of (-89.89451, 35.1), travel x1.5, repair x1.5; ...".
 */
export function weatherSummary(timeline: WeatherTimeline, t: number): string {
  const ahead = timeline.periods.filter((p) => p.toMinutes > t).sort((a, b) => a.fromMinutes - b.fromMinutes);
  if (ahead.length === 0) return "clear: no weather period ahead";
  return ahead
    .map((p) => {
      const d = DEFAULTS[p.condition];
      const where = p.area ? ` within ${p.area.radiusKm} km of (${p.area.x}, ${p.area.y})` : " everywhere";
      const effects =
        (p.stopsWork ?? d.stops)
          ? "stops outdoor work"
          : `travel x${p.travelFactor ?? d.travel}, repair x${p.repairFactor ?? d.repair}`;
      return `${p.condition} from minute ${p.fromMinutes} to ${p.toMinutes}${where}: ${effects}`;
    })
    .join("; ");
}
