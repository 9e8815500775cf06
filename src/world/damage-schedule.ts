/** When assets break: the scenario's damage list plus storm damage drawn from the seed, fixed when a world is made. */
import type { CompiledNetwork } from "./network.js";
import { mulberry32, poisson } from "./prng.js";
import type { Scenario } from "./scenario/schema.js";
import type { WeatherTimeline } from "./weather.js";

export interface ScheduledDamage {
  asset: number;
  at: number;
  cause: string;
}

/** Scheduled damage from the scenario plus storm damage drawn from the seed, in time order. */
export function buildDamageSchedule(
  s: Scenario,
  net: CompiledNetwork,
  weather: WeatherTimeline,
  seed: number,
): ScheduledDamage[] {
  const out: ScheduledDamage[] = s.damage.map((d) => ({
    asset: net.index(d.asset)!,
    at: d.atMinutes,
    cause: d.atMinutes > 0 ? "damage reported" : "initial damage",
  }));
  const random = mulberry32(seed ^ 0x5eed);
  for (const p of s.weather) {
    if (!p.damageRatePerHour) continue;
    const count = poisson(random, (p.damageRatePerHour * (p.toMinutes - p.fromMinutes)) / 60);
    if (count === 0) continue;
    const candidates: number[] = [];
    for (let a = 0; a < net.assetCount; a++) {
      if (a < net.nodeCount && net.role[a] === 0) continue; // plants and gate stations are hardened
      if (weather.covers(p, net.x[a], net.y[a])) candidates.push(a);
    }
    for (let k = 0; k < count && candidates.length > 0; k++) {
      const at = Math.round(p.fromMinutes + random() * (p.toMinutes - p.fromMinutes));
      out.push({ asset: candidates[Math.floor(random() * candidates.length)], at, cause: `${p.condition} damage` });
    }
  }
  return out.sort((a, b) => a.at - b.at || a.asset - b.asset);
}
