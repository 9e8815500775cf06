/** The network's state as GeoJSON, for any GIS tool (World.toGeoJSON). Planar scenarios keep their x/y. */
import type { CompiledNetwork } from "./network.js";
import { round2 } from "../format.js";
import type { Scenario } from "./scenario/schema.js";
import type { ServiceState } from "./service.js";

export interface GeoJsonFeature {
  type: "Feature";
  geometry: { type: "Point"; coordinates: number[] } | { type: "LineString"; coordinates: number[][] };
  properties: Record<string, unknown>;
}
export interface GeoJsonFeatureCollection {
  type: "FeatureCollection";
  properties: Record<string, unknown>;
  features: GeoJsonFeature[];
}

/** What the map needs of a crew. */
export interface MappedCrew {
  id: string;
  x: number;
  y: number;
  current: null | { phase: string; record: { assetId: string } };
  queue: readonly { assetId: string }[];
}

export interface MappedWorld {
  scenario: Scenario;
  net: CompiledNetwork;
  service: ServiceState;
  /** 1 for assets damaged at some point of the incident (shown as restored once repaired). */
  everDamaged: Uint8Array;
  crews: readonly MappedCrew[];
  minute: number;
}

export function networkGeoJson(w: MappedWorld): GeoJsonFeatureCollection {
  const { net, service } = w;
  const state = (a: number) =>
    service.damaged[a]
      ? "damaged"
      : a < net.nodeCount && !service.inService[a]
        ? "out_of_service"
        : w.everDamaged[a]
          ? "restored"
          : "working";
  const features: GeoJsonFeature[] = [];
  for (let i = 0; i < net.nodeCount; i++) {
    features.push({
      type: "Feature",
      geometry: { type: "Point", coordinates: [net.x[i], net.y[i]] },
      properties: {
        id: net.assetIds[i],
        kind: "node",
        network: net.networkOf(i),
        type: net.assetType[i],
        state: state(i),
        population: net.population[i],
        criticality: net.criticality[i],
      },
    });
  }
  for (let j = 0; j < net.linkCount; j++) {
    const a = net.nodeCount + j,
      f = net.linkFrom[j],
      t = net.linkTo[j];
    const linkState = service.damaged[a]
      ? "damaged"
      : !service.inService[f] || !service.inService[t]
        ? "out_of_service"
        : w.everDamaged[a]
          ? "restored"
          : "working";
    features.push({
      type: "Feature",
      geometry: {
        type: "LineString",
        coordinates: [
          [net.x[f], net.y[f]],
          [net.x[t], net.y[t]],
        ],
      },
      properties: {
        id: net.assetIds[a],
        kind: "link",
        network: net.networkOf(a),
        type: net.assetType[a],
        state: linkState,
        lengthKm: round2(net.linkLengthKm[j]),
      },
    });
  }
  for (const c of w.crews) {
    features.push({
      type: "Feature",
      geometry: { type: "Point", coordinates: [c.x, c.y] },
      properties: {
        id: c.id,
        kind: "crew",
        status: c.current ? c.current.phase : "idle",
        asset: c.current?.record.assetId ?? null,
        queue: c.queue.map((r) => r.assetId),
      },
    });
  }
  return {
    type: "FeatureCollection",
    properties: { scenario: w.scenario.name, minute: w.minute, coordinates: w.scenario.coordinates },
    features,
  };
}
