/**
 * The crews' timeline as SVG: one row per crew; for each job, travel, weather holds (on
 * arrival, and pauses of a repair in progress) and repair, with the asset named on its bar.
 */
import type { World } from "../../world/simulator.js";
import type { DispatchRecord } from "../../world/types.js";
import { clock, esc, niceStep, round1, textWidth } from "./common.js";

export interface TimelineSegment {
  kind: "travel" | "hold" | "repair";
  from: number;
  to: number;
}
export interface TimelineJob {
  crewId: string;
  assetId: string;
  status: string;
  segments: TimelineSegment[];
}

/** Periods of [from, to) in which work is stopped at a place (lightning over it). */
export type StopsAt = (assetId: string) => { from: number; to: number }[];

/** Work-stopping weather periods over each asset, from the scenario's weather. */
export function stopsFromWorld(world: World): StopsAt {
  return (assetId) => {
    const l = world.assetLocation(assetId);
    if (!l) return [];
    return world.weather.periods
      .filter((p) => (p.stopsWork ?? p.condition === "lightning") && world.weather.covers(p, l.x, l.y))
      .map((p) => ({ from: p.fromMinutes, to: p.toMinutes }));
  };
}

/**
 * Each job's segments. The crew sets off when it is both assigned and done with its previous
 * job; between arrival and the repair's start it is held; during the repair, the parts that
 * fall in a work-stopping period are holds too (the repair pauses), so a job whose `heldMinutes`
 * came from a pause shows it where it happened.
 */
export function timelineJobs(dispatches: DispatchRecord[], stopsAt: StopsAt, now?: number): TimelineJob[] {
  const shown = dispatches.filter((d) => d.status !== "reassigned" && d.status !== "cancelled");
  const jobs: TimelineJob[] = [];
  const crews = [...new Set(shown.map((d) => d.crewId))].sort();
  for (const crew of crews) {
    let free = 0;
    for (const d of shown
      .filter((x) => x.crewId === crew)
      .sort((a, b) => (a.arrivedAt ?? Infinity) - (b.arrivedAt ?? Infinity))) {
      const depart = Math.max(d.assignedAt, free);
      // Work in progress (a live view) is drawn up to now.
      const live =
        now !== undefined &&
        d.repairedAt === undefined &&
        (d.status === "travelling" || d.status === "on_hold" || d.status === "repairing");
      if (d.arrivedAt === undefined) {
        jobs.push({
          crewId: crew,
          assetId: d.assetId,
          status: d.status,
          segments: live && now! > depart ? [{ kind: "travel", from: depart, to: now! }] : [],
        });
        continue;
      }
      const arrive = d.arrivedAt;
      const start = d.repairStartedAt ?? (live ? Math.max(arrive, now!) : arrive);
      const end = d.repairedAt ?? (live ? Math.max(start, now!) : start);
      const segments: TimelineSegment[] = [];
      if (arrive > depart) segments.push({ kind: "travel", from: depart, to: arrive });
      if (start > arrive) segments.push({ kind: "hold", from: arrive, to: start });
      // Split the repair by the periods that stopped work at this asset.
      let t = start;
      const stops = stopsAt(d.assetId)
        .filter((p) => p.to > start && p.from < end)
        .sort((a, b) => a.from - b.from);
      for (const p of stops) {
        const a = Math.max(p.from, t),
          b = Math.min(p.to, end);
        if (b <= a) continue;
        if (a > t) segments.push({ kind: "repair", from: t, to: a });
        segments.push({ kind: "hold", from: a, to: b });
        t = b;
      }
      if (end > t) segments.push({ kind: "repair", from: t, to: end });
      jobs.push({ crewId: crew, assetId: d.assetId, status: d.status, segments });
      free = end;
    }
  }
  return jobs;
}

export function renderTimelineSvg(jobs: TimelineJob[], tMax: number, id = "timeline", now?: number): string {
  const crews = [...new Set(jobs.map((j) => j.crewId))].sort();
  if (crews.length === 0) return `<p class="muted">No dispatches.</p>`;
  const rowH = 30,
    left = 90,
    right = 20,
    top = 10,
    width = 900;
  const height = top + crews.length * rowH + 30;
  const tEnd = Math.max(60, tMax, ...jobs.flatMap((j) => j.segments.map((s) => s.to))) * 1.02;
  const X = (t: number) => round1(left + (t / tEnd) * (width - left - right));
  const parts: string[] = [];
  crews.forEach((crew, row) => {
    const y = top + row * rowH;
    parts.push(`<text class="tick crew-name" x="${left - 8}" y="${y + 19}" text-anchor="end">${esc(crew)}</text>`);
    for (const j of jobs.filter((x) => x.crewId === crew)) {
      for (const s of j.segments) {
        const verb =
          s.kind === "travel" ? "travels to" : s.kind === "hold" ? "held by weather (work stopped) at" : "repairs";
        parts.push(
          `<rect class="${s.kind}" x="${X(s.from)}" y="${y + 4}" width="${Math.max(0.5, round1(X(s.to) - X(s.from)))}" height="${rowH - 8}"><title>${esc(`${crew} ${verb} ${j.assetId}: ${clock(s.from)}-${clock(s.to)}`)}</title></rect>`,
        );
      }
      // The asset's name on the job's bar, from its arrival to its end, when it fits.
      const work = j.segments.filter((s) => s.kind !== "travel");
      if (!work.length) continue;
      const a = X(work[0].from),
        b = X(work[work.length - 1].to);
      const label =
        textWidth(j.assetId, 11) + 6 <= b - a
          ? j.assetId
          : textWidth(j.assetId.slice(0, 6), 11) + 6 <= b - a
            ? `${j.assetId.slice(0, 5)}…`
            : "";
      if (label) parts.push(`<text class="bar-label" x="${round1(a + 3)}" y="${y + 19}">${esc(label)}</text>`);
      for (const s of j.segments.filter((x) => x.kind === "hold" && X(x.to) - X(x.from) > 40)) {
        parts.push(
          `<text class="hold-label" x="${round1((X(s.from) + X(s.to)) / 2)}" y="${y + rowH - 6}" text-anchor="middle">held ${Math.round(s.to - s.from)} min</text>`,
        );
      }
    }
  });
  const stepH = niceStep(tEnd / 60 / 8);
  for (let h = 0; h <= tEnd / 60; h += stepH)
    parts.push(
      `<text class="tick" x="${X(h * 60)}" y="${height - 8}" text-anchor="middle">${esc(clock(h * 60))}</text>`,
    );
  if (now !== undefined)
    parts.push(
      `<line class="now" x1="${X(now)}" y1="${top}" x2="${X(now)}" y2="${height - 22}"><title>now, ${clock(now)}</title></line>`,
    );
  return `<svg id="${esc(id)}" class="chart" viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="crew timeline">${parts.join("")}</svg>`;
}

export function timelineLegend(): string {
  return `<p class="legend"><span><i class="sq travel"></i>travel</span><span><i class="sq hold"></i>weather hold (work stopped: on arrival, or pausing a repair)</span><span><i class="sq repair"></i>repair (the asset is named on its bar)</span></p>`;
}
