/**
 * The outage feed: the open outage areas of an incident with their estimated restoration
 * times, in the fields public outage maps and call centres use (id, start, customers out,
 * cause, crew status, ETR, ETR confidence), as JSON and as GeoJSON. Its contract is
 * schemas/outages.schema.json. A pure function of the ETR board and the world's clock.
 */
import type { AreaHistory, CrewStatus, EtrBoard, EtrConfidence, OutageArea } from "../planning/etr.js";

/** What a public outage map shows for the crews: the least advanced of the area's faults. */
export type FeedCrewStatus = "not_assigned" | "assigned" | "en_route" | "on_site" | "on_hold";

export interface Outage {
  id: string;
  incidentId: string;
  region: string;
  status: "active";
  start: string;
  customersOut: number;
  criticalFacilities: string[];
  cause: string;
  faults: string[];
  crewStatus: FeedCrewStatus;
  crews: string[];
  /** ISO time; null while no crew has its fault (shown as "assessing"). */
  etr: string | null;
  etrConfidence: EtrConfidence;
  /** Why the ETR is what it is: the last change's reason. */
  etrReason: string;
  etrUpdatedAt: string;
  /** The ETRs given before, oldest first, each with its reason. */
  etrHistory: { at: string; etr: string | null; confidence: EtrConfidence; reason: string }[];
  location: { x: number; y: number; coordinates: "lonlat" | "planar" };
}

export interface OutageFeed {
  generatedAt: string;
  incidentId: string;
  region: string;
  totalCustomersOut: number;
  outages: Outage[];
}

export interface FeedContext {
  incidentId: string;
  region: string;
  /** The world's minute now. */
  now: number;
  /** Minute of the incident's clock to an ISO time (the scenario's start time plus minutes, or the service's wall clock). */
  toIso: (minute: number) => string;
  coordinates: "lonlat" | "planar";
}

const ORDER: CrewStatus[] = ["unassigned", "queued", "travelling", "on_hold", "repairing"];
const FEED_STATUS: Record<CrewStatus, FeedCrewStatus> = {
  unassigned: "not_assigned",
  queued: "assigned",
  travelling: "en_route",
  on_hold: "on_hold",
  repairing: "on_site",
};

export function crewStatusOfArea(area: OutageArea): FeedCrewStatus {
  const least = area.faults.reduce<CrewStatus>(
    (m, f) => (ORDER.indexOf(f.crewStatus) < ORDER.indexOf(m) ? f.crewStatus : m),
    "repairing",
  );
  return FEED_STATUS[least];
}

export function outageFeed(board: EtrBoard | AreaHistory[], ctx: FeedContext): OutageFeed {
  const histories = Array.isArray(board) ? board : board.histories();
  const outages = histories.filter((h) => h.open).map((h) => toOutage(h, ctx));
  return {
    generatedAt: ctx.toIso(ctx.now),
    incidentId: ctx.incidentId,
    region: ctx.region,
    totalCustomersOut: outages.reduce((n, o) => n + o.customersOut, 0),
    outages,
  };
}

function toOutage(h: AreaHistory, ctx: FeedContext): Outage {
  const a = h.area,
    last = h.entries[h.entries.length - 1];
  return {
    id: `${ctx.incidentId}/${a.id}`,
    incidentId: ctx.incidentId,
    region: ctx.region,
    status: "active",
    start: ctx.toIso(a.start),
    customersOut: a.customersOut,
    criticalFacilities: a.criticalFacilities,
    cause: a.cause,
    faults: a.faults.map((f) => f.asset),
    crewStatus: crewStatusOfArea(a),
    crews: [...new Set(a.faults.flatMap((f) => (f.crewId ? [f.crewId] : [])))].sort(),
    etr: a.etr === null ? null : ctx.toIso(a.etr),
    etrConfidence: a.confidence,
    etrReason: last.reason,
    etrUpdatedAt: ctx.toIso(last.at),
    etrHistory: h.entries.map((e) => ({
      at: ctx.toIso(e.at),
      etr: e.etr === null ? null : ctx.toIso(e.etr),
      confidence: e.confidence,
      reason: e.reason,
    })),
    location: { x: a.location.x, y: a.location.y, coordinates: ctx.coordinates },
  };
}

/** The same feed as a GeoJSON FeatureCollection of points at each area's fault (planar scenarios keep their x/y). */
export function outageFeedGeoJson(feed: OutageFeed): {
  type: "FeatureCollection";
  properties: Record<string, unknown>;
  features: unknown[];
} {
  return {
    type: "FeatureCollection",
    properties: {
      generatedAt: feed.generatedAt,
      incidentId: feed.incidentId,
      region: feed.region,
      totalCustomersOut: feed.totalCustomersOut,
    },
    features: feed.outages.map((o) => {
      const { location, ...props } = o;
      return {
        type: "Feature",
        id: o.id,
        geometry: { type: "Point", coordinates: [location.x, location.y] },
        properties: { ...props, coordinates: location.coordinates },
      };
    }),
  };
}

/** ISO time of a minute of the incident's clock from the scenario's start time. */
export function isoFrom(startTime: string): (minute: number) => string {
  const t0 = Date.parse(startTime);
  return (m) => new Date(t0 + Math.round(m * 60_000)).toISOString();
}
