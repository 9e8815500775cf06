/** Distances in km for both kinds of coordinates a scenario may use. */
import type { Coordinates } from "./scenario/schema.js";

const EARTH_RADIUS_KM = 6371.0088;
const KM_PER_UNIT = { m: 0.001, km: 1, ft: 0.0003048, kft: 0.3048, mi: 1.609344 } as const;

export type DistanceKm = (ax: number, ay: number, bx: number, by: number) => number;

export function distanceFunction(coordinates: Coordinates): DistanceKm {
  if (coordinates === "lonlat") return greatCircleKm;
  const k = KM_PER_UNIT[coordinates.unit];
  return (ax, ay, bx, by) => Math.hypot(ax - bx, ay - by) * k;
}

/** Haversine distance between two lon/lat points, in km. */
export function greatCircleKm(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const toRad = Math.PI / 180;
  const dLat = (lat2 - lat1) * toRad;
  const dLon = (lon2 - lon1) * toRad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * toRad) * Math.cos(lat2 * toRad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
}
