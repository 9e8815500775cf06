/** Rounding for figures shown to people and models (one place, so that every output rounds alike). */
export function round1(v: number): number {
  return Math.round(v * 10) / 10;
}

export function round2(v: number): number {
  return Math.round(v * 100) / 100;
}
