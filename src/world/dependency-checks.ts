/**
 * Which dependencies a service update must check (src/world/service.ts). A dependency's flag
 * (satisfied or not) depends on its dependee's service, its loss minute and the clock; so between
 * two checks it can change only if its dependee's service changed, if it runs on a buffer (which
 * runs out with time), or if it was revived, flipped or given a loss minute since (`recheck`).
 * Every other dependency would keep its flag: checking only these leaves the state that checking
 * all of them leaves (tests/world/service-dependency-checks.test.ts), at the cost of what changed
 * instead of the network's size.
 */
import type { CompiledNetwork } from "./network.js";

/** "every": the plain rule (a reference for tests); "changed": only those that can have changed; "auto": the cheaper. */
export type DependencyChecks = "every" | "changed" | "auto";

export class ChangedDependencies {
  /** Nodes whose service changed in the running update (in or out; a node may appear more than once). */
  touched: Int32Array;
  touchedCount = 0;
  /** Per network: traversed in full during the running update (its dependencies are all checked). */
  readonly fullThisUpdate: Uint8Array;
  /** Per network: its flags are not known yet (a new state), so its first update checks them all. */
  readonly unknown: Uint8Array;
  /** Dependencies to check at their network's next update although their dependee did not change. */
  private readonly recheckList: Int32Array;
  private recheckCount = 0;
  private readonly recheckMark: Uint8Array;
  /** The dependencies gathered by the last `gather`, ascending. */
  readonly gathered: Int32Array;
  /** Work of the last `gather`: nodes and dependencies looked at. */
  looked = 0;
  private readonly gatheredMark: Int32Array;
  private stamp = 0;
  /** Per network: dependencies whose dependee is a link (not indexed by dependee node), always checked. */
  private readonly onLinks: Int32Array[];

  constructor(
    private readonly net: CompiledNetwork,
    readonly mode: DependencyChecks,
    from?: ChangedDependencies,
  ) {
    const N = net.nodeCount;
    const D = net.depDependee.length;
    const K = net.networks.length;
    this.touched = new Int32Array(Math.max(16, N));
    this.fullThisUpdate = new Uint8Array(K);
    this.unknown = from ? from.unknown.slice() : new Uint8Array(K).fill(1);
    this.recheckList = new Int32Array(Math.max(16, D));
    this.recheckMark = new Uint8Array(D);
    this.gathered = new Int32Array(D);
    this.gatheredMark = new Int32Array(D);
    this.onLinks = net.depsByDependeeNetwork.map((deps) =>
      Int32Array.from([...deps].filter((d) => net.depDependee[d] >= N)),
    );
    if (from) this.copyFrom(from);
  }

  copyFrom(other: ChangedDependencies): void {
    this.unknown.set(other.unknown);
    for (let k = 0; k < this.recheckCount; k++) this.recheckMark[this.recheckList[k]] = 0;
    this.recheckCount = other.recheckCount;
    for (let k = 0; k < other.recheckCount; k++) {
      const d = other.recheckList[k];
      this.recheckList[k] = d;
      this.recheckMark[d] = 1;
    }
  }

  beginUpdate(): void {
    this.touchedCount = 0;
    this.fullThisUpdate.set(this.unknown);
  }

  touch(node: number): void {
    if (this.touchedCount === this.touched.length) {
      const bigger = new Int32Array(2 * this.touched.length);
      bigger.set(this.touched);
      this.touched = bigger;
    }
    this.touched[this.touchedCount++] = node;
  }

  /** The dependency's flag or loss minute changed without its dependee's service changing. */
  recheck(dependency: number): void {
    if (this.recheckMark[dependency]) return;
    this.recheckMark[dependency] = 1;
    this.recheckList[this.recheckCount++] = dependency;
  }

  /** Whether to check all the network's dependencies: the mode says so, or it costs no more than gathering. */
  checkAll(network: number, touched: number, running: number): boolean {
    if (this.fullThisUpdate[network] || this.unknown[network]) return true;
    if (this.mode !== "auto") return this.mode === "every";
    return touched + running + this.recheckCount >= this.net.depsByDependeeNetwork[network].length;
  }

  /**
   * The dependencies with dependee in `network` that can have changed: those of the nodes touched in
   * [from, to), those running on a buffer, those to recheck and those on links; ascending (the order
   * of a pass over the network's list), in `gathered`. Returns how many; `looked` is the work.
   */
  gather(network: number, from: number, to: number, running: readonly { dependency: number }[]): number {
    const { assetNetwork, depDependee, depsByDependeeStart, depsByDependee } = this.net;
    if (++this.stamp === 0x7fffffff) {
      this.gatheredMark.fill(0);
      this.stamp = 1;
    }
    const st = this.stamp;
    const mark = this.gatheredMark,
      out = this.gathered,
      touched = this.touched;
    let c = 0,
      looked = 0;
    for (let k = from; k < to; k++) {
      const u = touched[k];
      if (assetNetwork[u] !== network) continue;
      looked++;
      for (let j = depsByDependeeStart[u]; j < depsByDependeeStart[u + 1]; j++) {
        const d = depsByDependee[j];
        if (mark[d] === st) continue;
        mark[d] = st;
        out[c++] = d;
      }
    }
    for (let k = 0; k < running.length; k++) {
      const d = running[k].dependency;
      if (mark[d] === st || assetNetwork[depDependee[d]] !== network) continue;
      mark[d] = st;
      out[c++] = d;
    }
    for (let k = 0; k < this.recheckCount; k++) {
      const d = this.recheckList[k];
      if (mark[d] === st || assetNetwork[depDependee[d]] !== network) continue;
      mark[d] = st;
      out[c++] = d;
    }
    const links = this.onLinks[network];
    for (let k = 0; k < links.length; k++) {
      const d = links[k];
      if (mark[d] === st) continue;
      mark[d] = st;
      out[c++] = d;
    }
    this.looked = looked + c + running.length + this.recheckCount;
    if (c > 1) out.subarray(0, c).sort();
    return c;
  }

  /** After an update: what was rechecked in the networks it traversed is done; their flags are known. */
  endUpdate(traversed: Int32Array, traversedCount: number, inTraversed: Uint8Array): void {
    const { assetNetwork, depDependee } = this.net;
    let kept = 0;
    for (let k = 0; k < this.recheckCount; k++) {
      const d = this.recheckList[k];
      if (inTraversed[assetNetwork[depDependee[d]]]) this.recheckMark[d] = 0;
      else this.recheckList[kept++] = d;
    }
    this.recheckCount = kept;
    for (let k = 0; k < traversedCount; k++) this.unknown[traversed[k]] = 0;
  }
}
