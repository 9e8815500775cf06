/**
 * Nearest and nearby queries over many points without all-pairs work: what lets generateRegion build 100,000-node
 * regions in seconds.
 */

/** A uniform grid over [0, side]² holding point indices, for nearest and nearby queries. */
export class Grid {
  readonly g: number;
  readonly cell: number;
  readonly cells: number[][];
  constructor(
    side: number,
    expected: number,
    private readonly xs: Float64Array,
    private readonly ys: Float64Array,
  ) {
    this.g = Math.max(1, Math.min(1024, Math.ceil(Math.sqrt(expected / 2))));
    this.cell = side / this.g;
    this.cells = Array.from({ length: this.g * this.g }, () => []);
  }
  private c(v: number): number {
    const k = Math.floor(v / this.cell);
    return k < 0 ? 0 : k >= this.g ? this.g - 1 : k;
  }
  insert(i: number): void {
    this.cells[this.c(this.ys[i]!) * this.g + this.c(this.xs[i]!)]!.push(i);
  }
  /** Nearest inserted point to (x, y), or -1 if the grid is empty. */
  nearest(x: number, y: number): number {
    const cx = this.c(x),
      cy = this.c(y),
      g = this.g;
    let best = -1,
      bestD = Infinity;
    for (let r = 0; r < g; r++) {
      const x0 = cx - r,
        x1 = cx + r,
        y0 = cy - r,
        y1 = cy + r;
      for (let gy = Math.max(0, y0); gy <= Math.min(g - 1, y1); gy++) {
        const edgeRow = gy === y0 || gy === y1;
        for (let gx = Math.max(0, x0); gx <= Math.min(g - 1, x1); gx++) {
          if (!edgeRow && gx !== x0 && gx !== x1) continue;
          for (const i of this.cells[gy * g + gx]!) {
            const dx = this.xs[i]! - x,
              dy = this.ys[i]! - y;
            const d = dx * dx + dy * dy;
            if (d < bestD) {
              bestD = d;
              best = i;
            }
          }
        }
      }
      // Points outside ring r are at least r cells away.
      if (best >= 0 && Math.sqrt(bestD) <= r * this.cell) break;
    }
    return best;
  }
  /** A random point in the 3×3 cells around i's cell, other than i, or -1. */
  randomNear(i: number, rand: () => number): number {
    const cx = this.c(this.xs[i]!),
      cy = this.c(this.ys[i]!),
      g = this.g;
    let total = 0;
    for (let gy = Math.max(0, cy - 1); gy <= Math.min(g - 1, cy + 1); gy++)
      for (let gx = Math.max(0, cx - 1); gx <= Math.min(g - 1, cx + 1); gx++) total += this.cells[gy * g + gx]!.length;
    if (total <= 1) return -1;
    let k = Math.floor(rand() * total);
    for (let gy = Math.max(0, cy - 1); gy <= Math.min(g - 1, cy + 1); gy++)
      for (let gx = Math.max(0, cx - 1); gx <= Math.min(g - 1, cx + 1); gx++) {
        const cell = this.cells[gy * g + gx]!;
        if (k < cell.length) return cell[k] === i ? -1 : cell[k]!;
        k -= cell.length;
      }
    return -1;
  }
}
