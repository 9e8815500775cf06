/**
 * The restoration curve (customers out over the incident's clock) as SVG, with what explains its
 * shape: weather periods (storm, lightning that stops work) as bands, cascades and new damage as
 * marked lines, critical facilities' backup deadlines, critical outages, and each repair.
 */
import type { World } from "../../world/simulator.js";
import type { DispatchRecord, RestorationPoint } from "../../world/types.js";
import { clock, esc, niceStep, round1 } from "./common.js";

export interface CurveBand {
  from: number;
  to: number;
  kind: "storm" | "work_stopped" | "weather";
  label: string;
}
export interface CurveEvent {
  at: number;
  kind: "cascade" | "damage" | "deadline" | "now";
  label: string /** For a deadline: whether it was met (the facility kept service). */;
  met?: boolean;
}
export interface CurveMarks {
  bands: CurveBand[];
  events: CurveEvent[];
}

/** Weather bands from the scenario (work-stopping periods apart), events from the triggers of the incident's runs. */
export function curveMarksFor(
  world: World,
  triggers: { kind: string; at: number; message: string }[],
  deadlines: CurveEvent[] = [],
): CurveMarks {
  const bands: CurveBand[] = world.scenario.weather.map((w) => {
    const stops = w.stopsWork ?? w.condition === "lightning";
    const where = w.area ? "over part of the region" : "over the region";
    return stops
      ? {
          from: w.fromMinutes,
          to: w.toMinutes,
          kind: "work_stopped" as const,
          label: `${w.condition}: outdoor work stopped ${where}`,
        }
      : {
          from: w.fromMinutes,
          to: w.toMinutes,
          kind: w.condition === "storm" ? ("storm" as const) : ("weather" as const),
          label: `${w.condition} ${where}`,
        };
  });
  const events: CurveEvent[] = [];
  for (const t of triggers) {
    if (t.kind === "cascade") events.push({ at: t.at, kind: "cascade", label: `cascade: ${t.message}` });
    else if (t.kind === "damage") events.push({ at: t.at, kind: "damage", label: t.message });
  }
  return { bands, events: [...events, ...deadlines] };
}

/**
 * Backup deadlines of critical facilities seen during the incident: replays the world at each
 * given minute (the runs' triggers) and keeps each facility's earliest expiry; `met` when the
 * facility was not out at its deadline.
 */
export function backupDeadlines(world: World, minutes: number[], replay: (t: number) => World): CurveEvent[] {
  const seen = new Map<string, number>();
  for (const t of [...new Set(minutes)].slice(0, 20)) {
    for (const b of replay(t).detectFailures().onBackup) {
      if (!b.critical) continue;
      const key = `${b.node}`;
      if (!seen.has(key) || seen.get(key)! > b.expiresAt) seen.set(key, b.expiresAt);
    }
  }
  const names = new Map(world.scenario.nodes.map((n) => [n.id, n.name ?? n.id]));
  return [...seen].map(([node, at]) => {
    // Just after the deadline: is the facility out of service (its backup ran dry)?
    const out =
      at <= world.now()
        ? replay(at + 0.5)
            .criticalFacilitiesOut()
            .includes(node)
        : undefined;
    return {
      at,
      kind: "deadline" as const,
      label: `${names.get(node) ?? node}: backup runs out`,
      ...(out === undefined ? {} : { met: !out }),
    };
  });
}

const CURVE = { width: 900, height: 320, left: 70, right: 20, top: 46, bottom: 40 };

export function renderCurveSvg(
  curve: RestorationPoint[],
  dispatches: DispatchRecord[],
  marks: CurveMarks,
  id = "curve",
): string {
  const { width, height, left, right, top, bottom } = CURVE;
  const done = dispatches.filter((d) => d.repairedAt !== undefined).map((d) => d.repairedAt!);
  const tEnd = Math.max(60, ...curve.map((p) => p.t), ...done, ...marks.events.map((e) => e.at)) * 1.02;
  const yMax = Math.max(1, ...curve.map((p) => p.populationOut));
  const X = (t: number) => round1(left + (Math.min(t, tEnd) / tEnd) * (width - left - right));
  const Y = (v: number) => round1(top + (1 - v / yMax) * (height - top - bottom));
  const parts: string[] = [];
  const plotH = height - top - bottom;
  // Weather bands behind everything, each labelled in the strip above the plot.
  marks.bands.forEach((b, i) => {
    const row = b.kind === "work_stopped" ? 1 : 0;
    parts.push(
      `<rect class="band ${b.kind}" x="${X(b.from)}" y="${top}" width="${Math.max(1, round1(X(b.to) - X(b.from)))}" height="${plotH}"><title>${esc(b.label)}: ${clock(b.from)}-${clock(b.to)}</title></rect>`,
    );
    const short = b.kind === "work_stopped" ? "lightning: work stopped" : b.label.split(" ")[0];
    parts.push(
      `<rect class="band-tag ${b.kind}" x="${X(b.from)}" y="${4 + row * 14}" width="${Math.max(1, round1(X(b.to) - X(b.from)))}" height="12" data-band="${i}"/><text class="band-label" x="${round1(X(b.from) + 3)}" y="${13 + row * 14}">${esc(short)} ${clock(b.from)}-${clock(b.to)}</text>`,
    );
  });
  // Critical facilities out: bands across the top of the plot.
  for (let i = 0; i < curve.length; i++) {
    if (curve[i].criticalOut <= 0) continue;
    const t1 = i + 1 < curve.length ? curve[i + 1].t : tEnd;
    parts.push(
      `<rect class="critical-band" x="${X(curve[i].t)}" y="${top}" width="${Math.max(1, round1(X(t1) - X(curve[i].t)))}" height="6"><title>${curve[i].criticalOut} critical facilit${curve[i].criticalOut === 1 ? "y" : "ies"} out from ${clock(curve[i].t)} to ${clock(t1)}</title></rect>`,
    );
  }
  // Axes and grid.
  const hours = tEnd / 60;
  const stepH = niceStep(hours / 8);
  for (let h = 0; h <= hours; h += stepH) {
    parts.push(
      `<line class="grid" x1="${X(h * 60)}" y1="${top}" x2="${X(h * 60)}" y2="${height - bottom}"/><text class="tick" x="${X(h * 60)}" y="${height - bottom + 16}" text-anchor="middle">${esc(clock(h * 60))}</text>`,
    );
  }
  const stepY = niceStep(yMax / 5);
  for (let v = 0; v <= yMax; v += stepY) {
    parts.push(
      `<line class="grid" x1="${left}" y1="${Y(v)}" x2="${width - right}" y2="${Y(v)}"/><text class="tick" x="${left - 6}" y="${Y(v) + 4}" text-anchor="end">${v.toLocaleString("en-US")}</text>`,
    );
  }
  // The step curve and its area.
  let d = "";
  curve.forEach((p, i) => {
    d += i === 0 ? `M${X(p.t)} ${Y(p.populationOut)}` : `H${X(p.t)}V${Y(p.populationOut)}`;
  });
  if (curve.length) d += `H${X(tEnd)}`;
  parts.push(`<path class="curve-area" d="${d}V${Y(0)}H${X(curve[0]?.t ?? 0)}Z"/>`, `<path class="curve" d="${d}"/>`);
  for (const t of done)
    parts.push(
      `<line class="repair-tick" x1="${X(t)}" y1="${height - bottom}" x2="${X(t)}" y2="${height - bottom - 8}"><title>repair completed at ${esc(clock(t))}</title></line>`,
    );
  for (const p of curve)
    parts.push(
      `<circle class="curve-point" cx="${X(p.t)}" cy="${Y(p.populationOut)}" r="2.5"><title>${esc(clock(p.t))}: ${p.populationOut.toLocaleString("en-US")} customers out${p.criticalOut ? `, ${p.criticalOut} critical facilities out` : ""}</title></circle>`,
    );
  // Events: vertical lines with a short label, staggered so that close ones stay readable.
  const sorted = [...marks.events].sort((a, b) => a.at - b.at);
  let lastX = -Infinity,
    lane = 0;
  for (const e of sorted) {
    const x = X(e.at);
    lane = x - lastX < 130 ? (lane + 1) % 3 : 0;
    lastX = x;
    const short =
      e.kind === "cascade"
        ? "cascade"
        : e.kind === "damage"
          ? "new damage"
          : e.kind === "now"
            ? "now"
            : `${e.label.replace(/: backup runs out$/, "")} backup ends${e.met === undefined ? "" : e.met ? " (kept)" : " (lost)"}`;
    parts.push(
      `<g class="event ${e.kind}${e.met === false ? " missed" : ""}"><line x1="${x}" y1="${top}" x2="${x}" y2="${height - bottom}"/><text x="${round1(x + 3)}" y="${top + 18 + lane * 13}">${esc(short)} ${esc(clock(e.at))}</text><title>${esc(e.label)} at ${esc(clock(e.at))}</title></g>`,
    );
  }
  parts.push(
    `<line class="axis" x1="${left}" y1="${height - bottom}" x2="${width - right}" y2="${height - bottom}"/><line class="axis" x1="${left}" y1="${top}" x2="${left}" y2="${height - bottom}"/>`,
  );
  parts.push(`<text class="axis-label" x="6" y="${top - 4}">customers out</text>`);
  return `<svg id="${esc(id)}" class="chart" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="restoration curve">${parts.join("")}</svg>`;
}

export function curveLegend(): string {
  return `<p class="legend"><span><i class="lg-curve"></i>customers out of service (a person once per network)</span><span><i class="lg storm"></i>storm</span><span><i class="lg work_stopped"></i>lightning: outdoor work stopped (part of the region)</span><span><i class="lg-line cascade"></i>cascade</span><span><i class="lg-line damage"></i>new damage</span><span><i class="lg-line deadline"></i>a critical facility's backup runs out</span><span><i class="lg crit"></i>critical facility out</span><span><i class="lg-tick"></i>repair done</span></p>`;
}
