/**
 * The world's state in Prometheus text format (exposition format 0.0.4): what the shipped
 * rules (deploy/prometheus/) alert on. Per-asset series are kept for every asset that has been
 * damaged or out of service, so that an alert resolves when its asset comes back (value 0).
 */
import type { World } from "../world/simulator.js";
import type { Region } from "./config.js";
import type { IncidentRow } from "./store.js";

/** A region's world as the field knows it (rebuilt from delivered dispatches). */
export interface RegionWorld {
  region: Region;
  world: World;
  delivered: number;
  everDown: Set<string>;
}

const esc = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
const labels = (l: Record<string, string>) =>
  `{${Object.entries(l)
    .map(([k, v]) => `${k}="${esc(v)}"`)
    .join(",")}}`;

export function renderMetrics(worlds: RegionWorld[], open: IncidentRow[]): string {
  const out: string[] = [];
  const family = (name: string, help: string, rows: [Record<string, string>, number][]) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
    for (const [l, v] of rows) out.push(`${name}${labels(l)} ${Number.isFinite(v) ? v : 0}`);
  };
  const assets: [Record<string, string>, number][] = [];
  const damagedRows: [Record<string, string>, number][] = [];
  const outRows: [Record<string, string>, number][] = [];
  const people: [Record<string, string>, number][] = [];
  const critical: [Record<string, string>, number][] = [];
  const crews: [Record<string, string>, number][] = [];
  const minute: [Record<string, string>, number][] = [];
  const incidents: [Record<string, string>, number][] = [];
  for (const { region, world, everDown } of worlds) {
    const r = region.name;
    const f = world.detectFailures();
    const damaged = new Map(f.damaged.map((a) => [a.id, a]));
    const outOf = new Map(f.outOfService.map((a) => [a.id, a]));
    const counts = new Map<string, { up: number; damaged: number; out: number }>();
    const net = world.net;
    for (let i = 0; i < net.nodeCount + net.linkCount; i++) {
      const id = net.assetIds[i];
      const n = net.networkOf(i);
      const c = counts.get(n) ?? { up: 0, damaged: 0, out: 0 };
      if (damaged.has(id)) c.damaged++;
      else if (outOf.has(id)) c.out++;
      else c.up++;
      counts.set(n, c);
    }
    for (const [n, c] of counts) {
      assets.push(
        [{ region: r, network: n, state: "up" }, c.up],
        [{ region: r, network: n, state: "damaged" }, c.damaged],
        [{ region: r, network: n, state: "out_of_service" }, c.out],
      );
    }
    for (const id of everDown) {
      const i = net.index(id);
      if (i === undefined) continue;
      const l = { region: r, asset: id, network: net.networkOf(i), type: net.assetType[i] };
      damagedRows.push([l, damaged.has(id) ? 1 : 0]);
      outRows.push([l, outOf.has(id) ? 1 : 0]);
    }
    people.push([{ region: r }, f.populationOut]);
    critical.push([{ region: r }, f.criticalFacilitiesOut.length]);
    const byStatus = new Map<string, number>([
      ["idle", 0],
      ["travelling", 0],
      ["on_hold", 0],
      ["repairing", 0],
    ]);
    for (const c of world.crewSummaries()) byStatus.set(c.status, (byStatus.get(c.status) ?? 0) + 1);
    for (const [s, v] of byStatus) crews.push([{ region: r, status: s }, v]);
    minute.push([{ region: r }, world.now()]);
    incidents.push([{ region: r }, open.filter((i) => i.region === r).length]);
  }
  family("infra_assets", "Assets by region, network and state (up, damaged, out_of_service).", assets);
  family(
    "infra_asset_damaged",
    "1 while the asset is damaged (needs a crew), else 0; kept for every asset that has been down.",
    damagedRows,
  );
  family(
    "infra_asset_out_of_service",
    "1 while the asset is out of service because of something upstream, else 0.",
    outRows,
  );
  family("infra_people_out", "People without service.", people);
  family("infra_critical_facilities_out", "Critical facilities (hospitals, ...) without service.", critical);
  family("infra_crews", "Crews by status.", crews);
  family("infra_world_minute", "The region's world clock, in minutes since its minute 0.", minute);
  family("infra_incidents_open", "Open incidents.", incidents);
  return `${out.join("\n")}\n`;
}
