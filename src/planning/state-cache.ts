/**
 * The surrogate's cache of service states, keyed by a 64-bit Zobrist hash of the set of repairs
 * done and backups expired (src/planning/surrogate.ts).
 *
 * An open-addressing table over typed arrays: a replay looks states up hundreds of thousands of
 * times per planning round, and a `Map` keyed by a double allocated a number per lookup and
 * chased pointers per probe. Entries are numbered in the order they were added (stable until
 * the cache is cleared); the table maps a key to its entry. When `capacity` entries are held the
 * cache is emptied, as the `Map` it replaces was.
 */

export class StateCache {
  /** Weighted population and population out in each entry's state. */
  weighted = new Float64Array(1024);
  population = new Float64Array(1024);
  /** Dependencies running on their buffer in each entry's state. */
  readonly running: Int32Array[] = [];
  /** Critical facilities out of service in each entry's state, or null where not computed. */
  readonly critical: (Int32Array | null)[] = [];
  size = 0;
  private mask = 0;
  private keyLo = new Int32Array(0);
  private keyHi = new Int32Array(0);
  private entryOf = new Int32Array(0);

  constructor(readonly capacity: number) {
    this.allocate(4096);
  }

  /** The entry holding this key, or -1. */
  find(lo: number, hi: number): number {
    const mask = this.mask,
      keyLo = this.keyLo,
      keyHi = this.keyHi,
      entryOf = this.entryOf;
    lo |= 0;
    hi |= 0;
    for (let s = lo & mask; ; s = (s + 1) & mask) {
      const e = entryOf[s];
      if (e < 0) return -1;
      if (keyLo[s] === lo && keyHi[s] === hi) return e;
    }
  }

  /** Adds an entry for a key not held (emptying the cache first when it is full); returns the entry. */
  add(
    lo: number,
    hi: number,
    weighted: number,
    population: number,
    running: Int32Array,
    critical: Int32Array | null,
  ): number {
    if (this.size >= this.capacity) this.clear();
    if (2 * (this.size + 1) > this.entryOf.length) this.allocate(2 * this.entryOf.length);
    const e = this.size++;
    if (e >= this.weighted.length) {
      const w = new Float64Array(2 * this.weighted.length);
      w.set(this.weighted);
      this.weighted = w;
      const p = new Float64Array(2 * this.population.length);
      p.set(this.population);
      this.population = p;
    }
    this.weighted[e] = weighted;
    this.population[e] = population;
    this.running[e] = running;
    this.critical[e] = critical;
    this.place(lo | 0, hi | 0, e);
    return e;
  }

  clear(): void {
    this.size = 0;
    this.running.length = 0;
    this.critical.length = 0;
    this.entryOf.fill(-1);
  }

  private place(lo: number, hi: number, e: number): void {
    const mask = this.mask;
    let s = lo & mask;
    while (this.entryOf[s] >= 0) s = (s + 1) & mask;
    this.keyLo[s] = lo;
    this.keyHi[s] = hi;
    this.entryOf[s] = e;
  }

  private allocate(slots: number): void {
    const oldLo = this.keyLo,
      oldHi = this.keyHi,
      oldEntry = this.entryOf;
    this.keyLo = new Int32Array(slots);
    this.keyHi = new Int32Array(slots);
    this.entryOf = new Int32Array(slots).fill(-1);
    this.mask = slots - 1;
    for (let s = 0; s < oldEntry.length; s++) if (oldEntry[s] >= 0) this.place(oldLo[s], oldHi[s], oldEntry[s]);
  }
}
