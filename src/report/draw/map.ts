/**
 * The network map as server-rendered SVG, shared by the HTML report and the operator console.
 * A pure function of a `MapModel` (plain data, already projected): nodes by network (shape and
 * hue) and state (fill), labels for what an operator looks for (critical facilities, sources,
 * damaged assets), backups with their time left, crews with numbered, curved arrows to their
 * stops in order. `mapModelFromWorld` builds the model from the simulator.
 * Size: about 450 lines once formatted: one SVG drawing (layers, labels placed without overlap, legend),
 *   whose pieces share the projection and the placement state.
 */
import type { World } from "../../world/simulator.js";
import type { DispatchRecord } from "../../world/types.js";
import {
  type AssetState,
  CREW_COLOURS,
  clock,
  duration,
  esc,
  NETWORK_STYLES,
  networkStyle,
  round1,
  shapePath,
  STATE_COLOURS,
  STATE_LABELS,
  textWidth,
} from "./common.js";

export const MAP = { width: 900, height: 560, pad: 28 };

export interface MapNode {
  id: string;
  name?: string;
  network: string;
  type: string;
  x: number;
  y: number;
  state: AssetState;
  population: number;
  criticality: number;
  role: string;
}
export interface MapLink {
  id: string;
  network: string;
  type: string;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  state: AssetState;
}
export interface MapStop {
  assetId: string;
  x: number;
  y: number;
  done: boolean;
}
export interface MapCrew {
  id: string;
  name?: string;
  x: number;
  y: number;
  skills: string[];
  status?: string;
  stops: MapStop[];
}
export interface MapBackup {
  node: string;
  x: number;
  y: number;
  expiresAt: number;
  minutesLeft: number;
  critical: boolean;
}
export interface MapModel {
  nodes: MapNode[];
  links: MapLink[];
  crews: MapCrew[];
  backups: MapBackup[];
  now?: number;
}

export interface Projection {
  toX(x: number, y: number): number;
  toY(x: number, y: number): number;
}

/** Fit the network (and the crews' depots) into the SVG box; lon/lat gets an equirectangular scale by the mean latitude. */
export function projectionFor(world: World): Projection {
  const s = world.scenario;
  const xs = [...s.nodes.map((n) => n.x), ...s.crews.map((c) => c.x)];
  const ys = [...s.nodes.map((n) => n.y), ...s.crews.map((c) => c.y)];
  const lonlat = s.coordinates === "lonlat";
  const meanLat = ys.reduce((a, b) => a + b, 0) / Math.max(1, ys.length);
  const kx = lonlat ? Math.cos((meanLat * Math.PI) / 180) : 1;
  let minX = Infinity,
    maxX = -Infinity,
    minY = Infinity,
    maxY = -Infinity;
  for (let i = 0; i < xs.length; i++) {
    minX = Math.min(minX, xs[i] * kx);
    maxX = Math.max(maxX, xs[i] * kx);
    minY = Math.min(minY, ys[i]);
    maxY = Math.max(maxY, ys[i]);
  }
  const w = Math.max(maxX - minX, 1e-9),
    h = Math.max(maxY - minY, 1e-9);
  const scale = Math.min((MAP.width - 2 * MAP.pad) / w, (MAP.height - 2 * MAP.pad) / h);
  const offX = (MAP.width - w * scale) / 2,
    offY = (MAP.height - h * scale) / 2;
  return {
    toX: (x) => round1(offX + (x * kx - minX) * scale),
    toY: (_x, y) => round1(MAP.height - offY - (y - minY) * scale),
  };
}

export interface MapModelOptions {
  /** The state drawn for each asset (default: its live state, with assets a crew is on as being repaired). */
  stateOf?: (f: { id: string; state: string }) => AssetState;
  /** `history`: each crew's route through the repairs it did, from its depot; `live`: from where it is, through its current job and queue. */
  routes: "history" | "live" | "none";
  dispatches?: DispatchRecord[];
  projection?: Projection;
}

/** The map's data from the simulator at its current minute. */
export function mapModelFromWorld(world: World, options: MapModelOptions): MapModel {
  const p = options.projection ?? projectionFor(world);
  const geo = world.toGeoJSON();
  const names = new Map(world.scenario.nodes.map((n) => [n.id, n]));
  const roles = names;
  const working = new Set(
    options.routes === "live"
      ? world
          .crewSummaries()
          .filter((c) => c.currentAsset && c.status === "repairing")
          .map((c) => c.currentAsset!)
      : [],
  );
  const stateOf = options.stateOf ?? ((f) => (working.has(f.id) ? "being_repaired" : (f.state as AssetState)));
  const nodes: MapNode[] = [],
    links: MapLink[] = [];
  for (const f of geo.features) {
    const pr = f.properties as Record<string, unknown>;
    if (pr.kind === "node") {
      const [x, y] = f.geometry.coordinates as number[];
      const n = names.get(String(pr.id));
      nodes.push({
        id: String(pr.id),
        ...(n?.name ? { name: n.name } : {}),
        network: String(pr.network),
        type: String(pr.type),
        x: p.toX(x, y),
        y: p.toY(x, y),
        state: stateOf({ id: String(pr.id), state: String(pr.state) }),
        population: Number(pr.population),
        criticality: Number(pr.criticality),
        role: roles.get(String(pr.id))?.role ?? "demand",
      });
    } else if (pr.kind === "link") {
      const c = f.geometry.coordinates as number[][];
      links.push({
        id: String(pr.id),
        network: String(pr.network),
        type: String(pr.type),
        x1: p.toX(c[0][0], c[0][1]),
        y1: p.toY(c[0][0], c[0][1]),
        x2: p.toX(c[1][0], c[1][1]),
        y2: p.toY(c[1][0], c[1][1]),
        state: stateOf({ id: String(pr.id), state: String(pr.state) }),
      });
    }
  }
  const at = (id: string) => {
    const l = world.assetLocation(id);
    return l ? { x: p.toX(l.x, l.y), y: p.toY(l.x, l.y) } : undefined;
  };
  const summaries = new Map(world.crewSummaries().map((c) => [c.id, c]));
  const crews: MapCrew[] = world.scenario.crews.map((c) => {
    const s = summaries.get(c.id);
    let origin = { x: c.x, y: c.y };
    let stops: MapStop[] = [];
    if (options.routes === "history") {
      const done = new Set(
        (options.dispatches ?? []).filter((d) => d.crewId === c.id && d.status === "done").map((d) => d.assetId),
      );
      stops = crewRoute(options.dispatches ?? [], c.id).flatMap((id) => {
        const l = at(id);
        return l ? [{ assetId: id, ...l, done: done.has(id) }] : [];
      });
    } else if (options.routes === "live" && s) {
      origin = { x: s.x, y: s.y };
      stops = [...(s.currentAsset ? [s.currentAsset] : []), ...s.queue].flatMap((id, i) => {
        const l = at(id);
        return l ? [{ assetId: id, ...l, done: i === 0 && s.status === "repairing" }] : [];
      });
    }
    return {
      id: c.id,
      ...(c.name ? { name: c.name } : {}),
      x: p.toX(origin.x, origin.y),
      y: p.toY(origin.x, origin.y),
      skills: c.skills,
      ...(s ? { status: s.status } : {}),
      stops,
    };
  });
  const backups = world.detectFailures().onBackup.flatMap((b) => {
    const l = at(b.node);
    return l
      ? [{ node: b.node, ...l, expiresAt: b.expiresAt, minutesLeft: b.expiresAt - world.now(), critical: b.critical }]
      : [];
  });
  return { nodes, links, crews, backups, now: world.now() };
}

/** The assets a crew went to, in the order it reached them (work moved to another crew is left out). */
export function crewRoute(dispatches: DispatchRecord[], crewId: string): string[] {
  return dispatches
    .filter((d) => d.crewId === crewId && d.status !== "reassigned" && d.status !== "cancelled")
    .sort((a, b) => (a.arrivedAt ?? Infinity) - (b.arrivedAt ?? Infinity) || a.assignedAt - b.assignedAt)
    .map((d) => d.assetId);
}

export interface RenderMapOptions {
  id: string;
  /** Above this many nodes (or links) the map groups them into one path per state instead of one element each. */
  maxSeparateElements?: number;
}

const STATE_ORDER: AssetState[] = ["working", "restored", "out_of_service", "being_repaired", "damaged"];

export function renderMapSvg(model: MapModel, options: RenderMapOptions): string {
  const limit = options.maxSeparateElements ?? 3000;
  const crewIndex = new Map(model.crews.map((c, k) => [c.id, k]));
  const parts: string[] = [];
  parts.push(
    `<defs>${model.crews.map((c) => `<marker id="${options.id}-arrow-${crewIndex.get(c.id)}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="5" markerHeight="5" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="${crewColour(crewIndex.get(c.id)!)}"/></marker>`).join("")}</defs>`,
  );

  // Links: working ones in their network's hue, the others by state; one path per state on large networks.
  const large = model.links.length > limit;
  const groups = new Map<string, string[]>();
  for (const l of model.links) {
    const key = `${l.state}|${l.state === "working" ? l.network : ""}`;
    const list = groups.get(key) ?? groups.set(key, []).get(key)!;
    list.push(
      large
        ? `M${l.x1} ${l.y1}L${l.x2} ${l.y2}`
        : `<line class="link ${l.state} net-${esc(cssName(l.network))}" x1="${l.x1}" y1="${l.y1}" x2="${l.x2}" y2="${l.y2}"${l.state === "working" ? ` stroke="${networkStyle(l.network).colour}"` : ""}><title>${esc(l.id)} (${esc(l.network)} ${esc(l.type)}): ${STATE_LABELS[l.state]}</title></line>`,
    );
  }
  for (const st of STATE_ORDER) {
    for (const [key, items] of groups) {
      if (!key.startsWith(`${st}|`)) continue;
      const net = key.slice(st.length + 1);
      parts.push(
        large
          ? `<path class="link ${st}" d="${items.join("")}"${net ? ` stroke="${networkStyle(net).colour}"` : ""}/>`
          : `<g class="links">${items.join("")}</g>`,
      );
    }
  }

  // Nodes: the network's shape; fill by state (working: the network's hue); critical facilities larger, ringed.
  const dots: string[] = [];
  const marks: string[] = [];
  const bigNet = model.nodes.length > limit;
  for (const n of model.nodes) {
    const critical = n.criticality > 1;
    if (bigNet && n.state === "working" && !critical) {
      dots.push(`M${n.x} ${n.y}h0.1`);
      continue;
    }
    const style = networkStyle(n.network);
    const r = critical ? 7 : n.role === "supply" ? 6 : bigNet ? 2.5 : 4.2;
    const fill = n.state === "working" ? style.colour : STATE_COLOURS[n.state];
    const ring = critical ? `<circle class="crit-ring" cx="${n.x}" cy="${n.y}" r="${r + 5}"/>` : "";
    marks.push(
      `<g class="node-g">${ring}<path class="node ${n.state}${critical ? " critical" : ""} net-${esc(cssName(n.network))}" d="${shapePath(style.shape, n.x, n.y, r)}" fill="${fill}"><title>${esc(n.name ? `${n.name} (${n.id})` : n.id)}: ${esc(n.network)} ${esc(n.type)}, ${n.population.toLocaleString("en-US")} customers${critical ? `, criticality ${n.criticality}` : ""}; ${STATE_LABELS[n.state]}</title></path></g>`,
    );
  }
  if (dots.length) parts.push(`<path class="node-dots working" d="${dots.join("")}"/>`);
  parts.push(`<g class="nodes">${marks.join("")}</g>`);

  // Crew routes: curved arrows (bent to one side, so a leg out and a leg back stay apart), numbered stops.
  const badgeSlots = new Map<string, number>();
  const routes: string[] = [],
    badges: string[] = [];
  const badgeBoxes: { x: number; y: number }[] = [];
  model.crews.forEach((c, k) => {
    if (!c.stops.length) return;
    const colour = crewColour(k);
    const legs: string[] = [];
    let from = { x: c.x, y: c.y };
    c.stops.forEach((s, i) => {
      const dx = s.x - from.x,
        dy = s.y - from.y,
        len = Math.hypot(dx, dy);
      if (len > 1) {
        // Stop the arrow short of the asset so its head does not cover the mark.
        const shorten = Math.min(10, len / 3);
        const ex = s.x - (dx / len) * shorten,
          ey = s.y - (dy / len) * shorten;
        const bend = Math.min(60, len * 0.18) * (k % 2 === 0 ? 1 : -1);
        const cx = (from.x + ex) / 2 - (dy / len) * bend,
          cy = (from.y + ey) / 2 + (dx / len) * bend;
        const pending = !s.done && model.now !== undefined;
        legs.push(
          `<path class="route-leg${pending ? " pending" : ""}" d="M${round1(from.x)} ${round1(from.y)}Q${round1(cx)} ${round1(cy)} ${round1(ex)} ${round1(ey)}" stroke="${colour}" marker-end="url(#${options.id}-arrow-${k})"><title>${esc(c.id)}: stop ${i + 1}, ${esc(s.assetId)}</title></path>`,
        );
      }
      const slot = badgeSlots.get(s.assetId) ?? 0;
      badgeSlots.set(s.assetId, slot + 1);
      const bx = round1(s.x + 11 + slot * 17),
        by = round1(s.y - 11);
      badgeBoxes.push({ x: bx, y: by });
      badges.push(
        `<g class="stop"><circle cx="${bx}" cy="${by}" r="7.5" fill="${colour}"/><text x="${bx}" y="${round1(by + 3.5)}" text-anchor="middle">${i + 1}</text><title>${esc(c.id)} stop ${i + 1}: ${esc(s.assetId)}</title></g>`,
      );
      from = { x: s.x, y: s.y };
    });
    routes.push(`<g class="route" data-crew="${esc(c.id)}"><title>route of ${esc(c.id)}</title>${legs.join("")}</g>`);
  });
  parts.push(...routes, ...badges);

  // Crews: a square with the crew's id beside it, in its colour.
  const labels = new LabelPlacer();
  model.crews.forEach((c, k) => {
    const colour = crewColour(k);
    labels.reserve(c.x - 6, c.y - 6, 12, 12);
    const text = c.id;
    const pos = labels.place(c.x, c.y, textWidth(text, 12), 14, 9) ?? { x: c.x + 9, y: c.y - 6 };
    parts.push(
      `<g class="crew"><rect x="${round1(c.x - 6)}" y="${round1(c.y - 6)}" width="12" height="12" fill="${colour}" stroke="#fff" stroke-width="1.5"><title>crew ${esc(c.id)}${c.name ? ` (${esc(c.name)})` : ""}, skills ${esc(c.skills.join(", "))}${c.status ? `; ${esc(c.status)}` : ""}</title></rect><text class="crew-label" x="${round1(pos.x)}" y="${round1(pos.y + 11)}" fill="${colour}">${esc(text)}</text></g>`,
    );
  });

  // Marks the labels must not cover.
  if (!bigNet) for (const n of model.nodes) labels.reserve(n.x - 5, n.y - 5, 10, 10);
  for (const b of badgeBoxes) labels.reserve(b.x - 8, b.y - 8, 16, 16);
  // Labels, most important first, where they do not overlap: critical facilities, backups, damaged assets, sources.
  const backups = new Map(model.backups.map((b) => [b.node, b]));
  const candidates: { x: number; y: number; text: string; cls: string; r: number }[] = [];
  for (const n of model.nodes)
    if (n.criticality > 1) candidates.push({ x: n.x, y: n.y, text: n.name ?? n.id, cls: "label critical", r: 13 });
  for (const b of model.backups)
    candidates.push({
      x: b.x,
      y: b.y + 14,
      text: `on backup: ${b.minutesLeft > 0 ? `${duration(b.minutesLeft)} left (until ${clock(b.expiresAt)})` : "run out"}`,
      cls: `label backup${b.minutesLeft < 60 ? " urgent" : ""}`,
      r: 4,
    });
  const damagedNodes = model.nodes.filter((n) => n.state === "damaged" || n.state === "being_repaired");
  const damagedLinks = model.links.filter((l) => l.state === "damaged" || l.state === "being_repaired");
  for (const n of damagedNodes)
    if (n.criticality <= 1) candidates.push({ x: n.x, y: n.y, text: n.id, cls: "label damaged", r: 7 });
  for (const l of damagedLinks)
    candidates.push({ x: (l.x1 + l.x2) / 2, y: (l.y1 + l.y2) / 2, text: l.id, cls: "label damaged", r: 5 });
  for (const n of model.nodes)
    if (n.role === "supply" && n.criticality <= 1 && !backups.has(n.id))
      candidates.push({ x: n.x, y: n.y, text: n.name ?? n.id, cls: "label source", r: 9 });
  // Repaired assets, so a route's numbered stops can be read; then other named facilities on small maps.
  for (const n of model.nodes)
    if (n.state === "restored") candidates.push({ x: n.x, y: n.y, text: n.id, cls: "label restored", r: 7 });
  for (const l of model.links)
    if (l.state === "restored")
      candidates.push({ x: (l.x1 + l.x2) / 2, y: (l.y1 + l.y2) / 2, text: l.id, cls: "label restored", r: 6 });
  if (model.nodes.length <= 80)
    for (const n of model.nodes)
      if (
        n.name &&
        n.role !== "supply" &&
        n.criticality <= 1 &&
        !["feeder_node", "district", "transformer", "junction"].includes(n.type)
      )
        candidates.push({ x: n.x, y: n.y, text: n.name, cls: "label minor", r: 6 });
  for (const c of candidates.slice(0, 80)) {
    const w = textWidth(c.text),
      h = 13;
    const pos = labels.place(c.x, c.y, w, h, c.r);
    if (!pos) continue;
    parts.push(`<text class="${c.cls}" x="${round1(pos.x)}" y="${round1(pos.y + 10)}">${esc(c.text)}</text>`);
  }
  return `<svg id="${esc(options.id)}" class="map" viewBox="0 0 ${MAP.width} ${MAP.height}" width="100%" role="img" aria-label="network map">${parts.join("")}</svg>`;
}

/** The map's legend: networks (shape and hue), states (fill), crews' marks, as HTML. */
export function mapLegend(networks: string[], crews: string[] = []): string {
  const svgIcon = (inner: string) =>
    `<svg class="icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">${inner}</svg>`;
  const nets = networks.map((n) => {
    const s = networkStyle(n);
    return `<span>${svgIcon(`<path d="${shapePath(s.shape, 8, 8, 5)}" fill="${s.colour}"/>`)}${esc(s.label)}</span>`;
  });
  const states = (["damaged", "out_of_service", "being_repaired", "restored"] as AssetState[]).map(
    (st) =>
      `<span>${svgIcon(`<rect x="2" y="2" width="12" height="12" rx="6" fill="${STATE_COLOURS[st]}"/>`)}${STATE_LABELS[st]}</span>`,
  );
  const crewItems = crews.map(
    (c, k) => `<span>${svgIcon(`<rect x="3" y="3" width="10" height="10" fill="${crewColour(k)}"/>`)}${esc(c)}</span>`,
  );
  return (
    `<div class="legend map-legend"><p><b>Networks</b> (shape; working assets in the network's colour): ${nets.join("")}</p>` +
    `<p><b>State</b>: ${states.join("")}<span>${svgIcon(`<circle cx="8" cy="8" r="6" fill="none" stroke="#1d2733" stroke-width="2"/>`)}critical facility (ringed, named)</span></p>` +
    (crews.length
      ? `<p><b>Crews</b> (square: where it is or its depot; arrows: its route, numbers: the order of its stops): ${crewItems.join("")}</p>`
      : "") +
    `</div>`
  );
}

export function knownNetworks(model: MapModel): string[] {
  const seen = new Set(model.nodes.map((n) => n.network));
  return [
    ...Object.keys(NETWORK_STYLES).filter((n) => seen.has(n)),
    ...[...seen].filter((n) => !(n in NETWORK_STYLES)).sort(),
  ];
}

export function crewColour(k: number): string {
  return CREW_COLOURS[k % CREW_COLOURS.length];
}

function cssName(s: string): string {
  return s.replace(/[^a-zA-Z0-9_-]/g, "_");
}

/** Greedy label placement: the first of right, left, above, below that overlaps nothing placed yet. */
class LabelPlacer {
  private boxes: { x: number; y: number; w: number; h: number }[] = [];
  reserve(x: number, y: number, w: number, h: number): void {
    this.boxes.push({ x, y, w, h });
  }
  place(x: number, y: number, w: number, h: number, r: number): { x: number; y: number } | undefined {
    const options = [
      { x: x + r, y: y - h / 2 },
      { x: x - r - w, y: y - h / 2 },
      { x: x - w / 2, y: y - r - h },
      { x: x - w / 2, y: y + r },
    ];
    for (const o of options) {
      if (o.x < 2 || o.y < 2 || o.x + w > MAP.width - 2 || o.y + h > MAP.height - 2) continue;
      if (this.boxes.some((b) => o.x < b.x + b.w && o.x + w > b.x && o.y < b.y + b.h && o.y + h > b.y)) continue;
      this.boxes.push({ ...o, w, h });
      return o;
    }
    return undefined;
  }
}
