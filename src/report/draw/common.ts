/**
 * What the report's and the console's drawings share: escaping, the incident clock, the
 * palettes. Colour is never the only cue: networks also differ by shape, states by outline and
 * dash, crews by a label on every mark.
 */
import { clock, round1 } from "../../format.js";

export type AssetState = "working" | "damaged" | "out_of_service" | "being_repaired" | "restored";

/** States by fill. Red, orange, green and blue-grey stay readable for the common colour blindnesses when paired with the outlines below. */
export const STATE_COLOURS: Record<AssetState, string> = {
  working: "#9aa5b1",
  damaged: "#d62728",
  out_of_service: "#ff8c1a",
  being_repaired: "#f2c200",
  restored: "#2ca02c",
};

export const STATE_LABELS: Record<AssetState, string> = {
  working: "working",
  damaged: "damaged",
  out_of_service: "out of service",
  being_repaired: "being repaired",
  restored: "restored (was damaged)",
};

export type Shape = "square" | "circle" | "diamond" | "triangle" | "hexagon";

/** Each network keeps its own hue (on its lines) and shape (on its nodes) whatever the state. */
export const NETWORK_STYLES: Record<string, { colour: string; shape: Shape; label: string }> = {
  power: { colour: "#8a6d00", shape: "square", label: "power" },
  water: { colour: "#1565c0", shape: "circle", label: "water" },
  gas: { colour: "#8e3b8e", shape: "diamond", label: "gas" },
  telecom: { colour: "#00796b", shape: "triangle", label: "telecom" },
};
const OTHER_NETWORK = { colour: "#546e7a", shape: "hexagon" as Shape };

export function networkStyle(network: string): { colour: string; shape: Shape; label: string } {
  return NETWORK_STYLES[network] ?? { ...OTHER_NETWORK, label: network };
}

/** Crews: dark, saturated hues away from the state colours (no red, orange, green, yellow). */
export const CREW_COLOURS = ["#6a1b9a", "#212121", "#00838f", "#c2185b", "#6d4c41", "#3949ab", "#827717", "#546e7a"];

/** SVG path of a shape centred on (x, y) with "radius" r. */
export function shapePath(shape: Shape, x: number, y: number, r: number): string {
  const p = (dx: number, dy: number) => `${round1(x + dx)} ${round1(y + dy)}`;
  switch (shape) {
    case "square":
      return `M${p(-r, -r)}H${round1(x + r)}V${round1(y + r)}H${round1(x - r)}Z`;
    case "diamond":
      return `M${p(0, -r * 1.3)}L${p(r * 1.3, 0)}L${p(0, r * 1.3)}L${p(-r * 1.3, 0)}Z`;
    case "triangle":
      return `M${p(0, -r * 1.3)}L${p(r * 1.2, r)}L${p(-r * 1.2, r)}Z`;
    case "hexagon": {
      const pts = [0, 1, 2, 3, 4, 5].map((k) => p(r * Math.cos((Math.PI / 3) * k), r * Math.sin((Math.PI / 3) * k)));
      return `M${pts.join("L")}Z`;
    }
    default:
      return `M${p(-r, 0)}a${r} ${r} 0 1 0 ${2 * r} 0a${r} ${r} 0 1 0 ${-2 * r} 0Z`;
  }
}

export function esc(s: string): string {
  return s
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** Minutes of the incident's clock as T+hh:mm. */

/** A duration in minutes as "1 h 20 min" / "45 min". */
export function duration(minutes: number): string {
  const m = Math.max(0, Math.round(minutes));
  return m >= 60 ? `${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ""}` : `${m} min`;
}

export function niceStep(raw: number): number {
  if (!(raw > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const k of [1, 2, 5, 10]) if (raw <= k * p) return k * p;
  return 10 * p;
}

/** A rough width of a label in the drawings' 11 px sans-serif, to decide whether it fits. */
export function textWidth(s: string, px = 11): number {
  return s.length * px * 0.58;
}

// Written once for every layer (src/format.ts).
export { clock, round1 };
