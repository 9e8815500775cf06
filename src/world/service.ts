/**
 * Service: which nodes are in service, computed to a fixed point across networks.
 *
 * A node is *functional* when it is not damaged and every dependency it has is satisfied:
 * the dependee is in service, or was lost less than `buffer` ago. A node is *in service*
 * when a functional supply node of its own network reaches it through functional nodes and
 * undamaged links. Dependencies tie the networks together, so one network's change can
 * change another's: we iterate until nothing changes. Starting from "every dependency is
 * satisfied" and only ever removing service gives the greatest fixed point, which is what
 * lets mutually dependent networks (power and telecom) hold each other up when healthy.
 *
 * Speed: planners replay hundreds of thousands of updates through one state (the surrogate),
 * so the hot paths allocate nothing per update: networks pending are kept in insertion order in
 * scratch arrays, visited marks are stamped with a generation instead of cleared, and no
 * closure is made per call. A network's dependencies are checked only where something can have
 * changed: those of nodes whose service changed, those running on a buffer, and those revived or
 * given a loss minute (`dependencyChecks`; tests/world/service-dependency-checks.test.ts holds it
 * to the plain rule of checking all of them). What an update computes is the same as a plain
 * implementation's; `visits` counts the work it does (nodes visited, dependencies looked at), so
 * that budgets counted in it follow the time an update takes.
 * Size: about 850 lines once formatted: one state and its update (revival search, growth, cut, regrow, traversal),
 *   hot loops written out by hand; splitting them would spread one invariant over files.
 */
import { SERVICE_UPDATE_MIN_WORK, SERVICE_UPDATE_WORK_PER_ASSET } from "../limits.js";
import { ChangedDependencies, type DependencyChecks } from "./dependency-checks.js";
import { type CompiledNetwork, ROLE_SUPPLY as SUPPLY_ROLE } from "./network.js";
import { budgetFor, WorldWorkExceeded } from "./work-budget.js";
import { truncate } from "./truncate.js";

export interface BufferRunning {
  dependency: number;
  expiresAt: number;
}

const byDependency = (a: BufferRunning, b: BufferRunning) => a.dependency - b.dependency;
const ascending = (a: number, b: number) => a - b;

/** Sort ascending in place: insertion sort for the short lists a revival search makes, the built-in sort past that. */
function sortSmall(list: number[]): void {
  if (list.length > 24) {
    list.sort(ascending);
    return;
  }
  for (let i = 1; i < list.length; i++) {
    const v = list[i];
    let j = i - 1;
    while (j >= 0 && list[j] > v) {
      list[j + 1] = list[j];
      j--;
    }
    list[j + 1] = v;
  }
}

/** Insert `value` into `list`, sorted ascending from index `from` on, at its place there. */
function insertSorted(list: number[], value: number, from: number): void {
  let lo = from,
    hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, value);
}

export class ServiceState {
  readonly damaged: Uint8Array;
  readonly functional: Uint8Array;
  readonly inService: Uint8Array;
  readonly depOk: Uint8Array;
  /** When each dependency's dependee went out of service; NaN while it is in service. */
  readonly lostSince: Float64Array;
  private readonly queue: Int32Array;
  /** The revival search's regions (see newRegion): each marked node's region, regions joined (a forest), live ones. */
  private readonly regionOf: Int32Array;
  private readonly regionParent: Int32Array;
  private readonly regionLive: Uint8Array;
  private regions = 0;
  /** Assets repaired since the last update: only they can bring service back. */
  private repaired: number[] = [];
  /** Visited marks of the revival search: a node is marked when its entry equals `stamp`. */
  private readonly mark: Int32Array;
  private stamp = 0;
  /** Scratch of the revival search (failed dependencies, taken flags, revived ones). */
  private readonly revivedBuf: Int32Array;
  /** How many dependencies have depOk 0, kept as depOk changes. */
  private failedCount = 0;
  private readonly pendingDeps: number[] = [];
  private readonly carriedDeps: number[] = [];
  /** Scratch lists of networks (pending this round, next round, traversed), in insertion order, with membership flags. */
  private pendBuf: Int32Array;
  private nextBuf: Int32Array;
  private readonly inNext: Uint8Array;
  private readonly traversedBuf: Int32Array;
  private traversedCount = 0;
  private readonly inTraversed: Uint8Array;
  /** Per network pending this round: the range of the touched nodes its processing added. */
  private readonly segFrom: Int32Array;
  private readonly segTo: Int32Array;
  /** Per network: population and weighted population out, and nodes out (kept by traverse). */
  private readonly outPopulation: Float64Array;
  private readonly outWeighted: Float64Array;
  private readonly outNodes: Float64Array;
  /** Dependencies running on their buffer, refreshed by every update. */
  private running: BufferRunning[] = [];
  /** The last entry made for each dependency running (reused while its minute holds). */
  private readonly entryOf: (BufferRunning | undefined)[] = [];
  /**
   * Networks where something may have lost service since their last traversal (damage, a node
   * no longer functional): they are traversed in full. Elsewhere only additions happened
   * (repairs, nodes functional again), and service grows from `grownSeeds` alone: an update
   * after one repair then costs what it restores, not the network's size.
   */
  private readonly shrunk: Uint8Array;
  /**
   * Networks that may have lost service below what they had at the last update (damage, a node
   * functional then that is not now): a shrunk network is then traversed in full. Otherwise the
   * only nodes that lost function are ones an optimistic revival had just turned on, service is
   * at least what it was at the last update, and the update takes back what it grew and grows
   * again (`regrow`): it costs what it restores, not the network's size.
   */
  private readonly unsafe: Uint8Array;
  /**
   * `clock` when each node was last turned functional (0 to 1), and per network the clock of its
   * baseline (the end of the last update, or its last traversal since): a node turned on after
   * its network's baseline was not functional then, so losing it again loses nothing of the baseline.
   */
  private readonly onSince: Float64Array;
  private readonly baseAt: Float64Array;
  private clock = 1;
  /** Per network: the nodes this update put in service by growth (what `regrow` takes back). */
  private readonly added: number[][];
  /**
   * Where each node in service was reached from (node and link; -1 for a supply): a forest over
   * the nodes in service. A network that lost service (`unsafe`) loses exactly the subtrees of
   * the nodes that lost function and of the links damaged (`cut`), then grows back from those
   * nodes; only a network whose forest is not known (`needsFull`) is traversed in full.
   */
  private readonly parent: Int32Array;
  private readonly parentLink: Int32Array;
  /** Per network: nodes that lost function, and links damaged, since it was last brought up to date. */
  private readonly lostNodes: number[][];
  private readonly lostLinks: number[][];
  private readonly needsFull: Uint8Array;
  /**
   * Work of the updates so far: nodes visited (traversals, growth, cuts, revival searches) and
   * dependencies looked at (checks, revival searches). Deterministic, for budgets.
   */
  visits = 0;
  /**
   * The work budget of the update running: counted work (nodes visited, dependencies checked)
   * past `workLimit` stops it with WorldWorkExceeded, so that a scenario whose fixed point takes
   * far more rounds than its size suggests (a long chain of dependencies across networks) stops.
   */
  private work = 0;
  private workLimit = 0;
  private workRounds = 0;
  private grownSeeds: number[] = [];

  /**
   * Which dependencies of a network an update checks: "every" one (the plain rule, a reference for
   * tests), only those that can have "changed", or ("auto") those that changed unless a pass over
   * all of them costs less. All three leave the same state.
   */
  get dependencyChecks(): DependencyChecks {
    return this.checks.mode;
  }
  private readonly checks: ChangedDependencies;
  /** The last `dependenciesToCheck`: the dependencies and the work of gathering them. */
  private toCheck: Int32Array = new Int32Array(0);
  private checkWork = 0;

  constructor(
    readonly net: CompiledNetwork,
    from?: ServiceState,
    options: { dependencyChecks?: DependencyChecks } = {},
  ) {
    const N = net.nodeCount;
    const D = net.depDependee.length;
    const K = net.networks.length;
    this.damaged = from ? from.damaged.slice() : new Uint8Array(net.assetCount);
    this.functional = from ? from.functional.slice() : new Uint8Array(N);
    this.inService = from ? from.inService.slice() : new Uint8Array(N);
    this.depOk = from ? from.depOk.slice() : new Uint8Array(D).fill(1);
    this.lostSince = from ? from.lostSince.slice() : new Float64Array(D).fill(NaN);
    this.running = from ? from.running.slice() : [];
    this.outPopulation = from ? from.outPopulation.slice() : new Float64Array(K);
    this.outWeighted = from ? from.outWeighted.slice() : new Float64Array(K);
    this.outNodes = from ? from.outNodes.slice() : new Float64Array(K);
    this.shrunk = from ? from.shrunk.slice() : new Uint8Array(K);
    this.unsafe = from ? from.unsafe.slice() : new Uint8Array(K);
    this.onSince = from ? from.onSince.slice() : new Float64Array(N);
    this.baseAt = from ? from.baseAt.slice() : new Float64Array(K);
    if (from) this.clock = from.clock;
    this.added = net.networks.map(() => []);
    this.parent = from ? from.parent.slice() : new Int32Array(N).fill(-1);
    this.parentLink = from ? from.parentLink.slice() : new Int32Array(N).fill(-1);
    this.lostNodes = from ? from.lostNodes.map((l) => l.slice()) : net.networks.map(() => []);
    this.lostLinks = from ? from.lostLinks.map((l) => l.slice()) : net.networks.map(() => []);
    this.needsFull = from ? from.needsFull.slice() : new Uint8Array(K).fill(1);
    this.queue = new Int32Array(N);
    this.regionOf = new Int32Array(N);
    this.regionParent = new Int32Array(N);
    this.regionLive = new Uint8Array(N);
    this.mark = new Int32Array(N);
    this.revivedBuf = new Int32Array(D);
    if (from) this.failedCount = from.failedCount;
    this.pendBuf = new Int32Array(K);
    this.nextBuf = new Int32Array(K);
    this.inNext = new Uint8Array(K);
    this.traversedBuf = new Int32Array(K);
    this.inTraversed = new Uint8Array(K);
    this.segFrom = new Int32Array(K);
    this.segTo = new Int32Array(K);
    // As before: a copy starts with no repair pending and no network traversed yet.
    if (from) this.grownSeeds = from.grownSeeds.slice();
    this.checks = new ChangedDependencies(
      net,
      from ? from.dependencyChecks : (options.dependencyChecks ?? "auto"),
      from?.checks,
    );
  }

  /**
   * The network's dependencies an update checks, given the nodes touched in [from, to): all of them,
   * or those that can have changed (ChangedDependencies). Returns how many, in `toCheck`; the work
   * is counted in `visits` and left in `checkWork`.
   */
  private dependenciesToCheck(network: number, from: number, to: number): number {
    const checks = this.checks;
    let count: number;
    if (checks.checkAll(network, to - from, this.running.length)) {
      this.toCheck = this.net.depsByDependeeNetwork[network];
      count = this.toCheck.length;
      this.checkWork = count;
    } else {
      count = checks.gather(network, from, to, this.running);
      this.toCheck = checks.gathered;
      this.checkWork = checks.looked;
    }
    this.visits += this.checkWork;
    return count;
  }

  /**
   * Set when a dependency's dependee was lost (a planner replaying a plan sets the minute its own
   * timeline has): the next update checks that dependency again.
   */
  setLostSince(dependency: number, minute: number): void {
    this.lostSince[dependency] = minute;
    this.checks.recheck(dependency);
  }

  /** The networks the last update traversed: only their nodes can have changed service. */
  get lastTraversed(): Set<number> {
    return new Set(this.traversedBuf.subarray(0, this.traversedCount));
  }

  clone(): ServiceState {
    return new ServiceState(this.net, this);
  }

  /** Become a copy of `other` (same network) without allocating: planners replaying many plans reuse one state. */
  copyFrom(other: ServiceState): void {
    this.damaged.set(other.damaged);
    this.functional.set(other.functional);
    this.inService.set(other.inService);
    this.depOk.set(other.depOk);
    this.failedCount = other.failedCount;
    this.lostSince.set(other.lostSince);
    this.running = other.running.slice();
    this.outPopulation.set(other.outPopulation);
    this.outWeighted.set(other.outWeighted);
    this.outNodes.set(other.outNodes);
    this.repaired = other.repaired.slice();
    this.shrunk.set(other.shrunk);
    this.unsafe.set(other.unsafe);
    this.parent.set(other.parent);
    this.parentLink.set(other.parentLink);
    this.needsFull.set(other.needsFull);
    for (let n = 0; n < this.lostNodes.length; n++) {
      this.lostNodes[n] = other.lostNodes[n].slice();
      this.lostLinks[n] = other.lostLinks[n].slice();
    }
    this.onSince.set(other.onSince);
    this.baseAt.set(other.baseAt);
    this.clock = other.clock;
    this.grownSeeds = other.grownSeeds.slice();
    this.checks.copyFrom(other.checks);
  }

  /** Recompute everything from scratch (at the start of a run). */
  recomputeAll(now: number): void {
    for (let i = 0; i < this.net.nodeCount; i++) this.refreshFunctional(i);
    this.shrunk.fill(1);
    this.unsafe.fill(1);
    this.needsFull.fill(1);
    this.update(
      now,
      this.net.networks.map((_, i) => i),
    );
  }

  /** Mark an asset damaged or repaired; returns the network that needs an update. */
  setDamaged(asset: number, damaged: boolean): number {
    const net = this.net;
    if (!damaged && this.damaged[asset]) {
      this.repaired.push(asset);
      if (asset >= net.nodeCount)
        this.grownSeeds.push(net.linkFrom[asset - net.nodeCount], net.linkTo[asset - net.nodeCount]);
    }
    if (damaged && !this.damaged[asset]) {
      this.shrunk[net.assetNetwork[asset]] = 1;
      this.unsafe[net.assetNetwork[asset]] = 1;
      if (asset >= net.nodeCount) this.lostLinks[net.assetNetwork[asset]].push(asset);
    }
    this.damaged[asset] = damaged ? 1 : 0;
    if (asset < net.nodeCount) this.refreshFunctional(asset);
    return net.assetNetwork[asset];
  }

  /**
   * Bring service up to date at time `now`, starting from the networks in `dirty`.
   * Returns the number of fixed-point rounds it took.
   */
  update(now: number, dirty: Iterable<number>): number {
    const net = this.net;
    const { assetNetwork, depDependee, depDepender } = net;
    let rounds = 0;
    this.work = 0;
    this.workLimit = budgetFor(net.assetCount, SERVICE_UPDATE_WORK_PER_ASSET, SERVICE_UPDATE_MIN_WORK);
    this.workRounds = 0;
    // Networks pending this round, in the order they were first named (as a Set would keep them).
    let pend = this.pendBuf;
    let next = this.nextBuf;
    const inNext = this.inNext;
    inNext.fill(0);
    let pn = 0;
    for (const n of dirty) {
      if (inNext[n]) continue;
      inNext[n] = 1;
      pend[pn++] = n;
    }
    const inTraversed = this.inTraversed;
    inTraversed.fill(0);
    this.traversedCount = 0;
    for (const list of this.added) truncate(list);
    const checks = this.checks;
    checks.beginUpdate();
    // A repair may let failed dependencies come back, a whole cycle of mutual dependencies
    // (power needs telecom, telecom needs power) at once: start those optimistic again, and
    // the downward iteration below finds the greatest fixed point from here. Damage and
    // buffers running out only ever remove service, so without a repair nothing is reset.
    if (this.repaired.length > 0) {
      const rc = this.revivableDependencies();
      const revived = this.revivedBuf;
      for (let k = 0; k < rc; k++) {
        const d = revived[k];
        if (!this.depOk[d]) {
          this.failedCount--;
          checks.recheck(d);
        }
        this.depOk[d] = 1;
        const a = assetNetwork[depDependee[d]];
        if (!inNext[a]) {
          inNext[a] = 1;
          pend[pn++] = a;
        }
        if (this.refreshFunctional(depDepender[d])) {
          const b = assetNetwork[depDepender[d]];
          if (!inNext[b]) {
            inNext[b] = 1;
            pend[pn++] = b;
          }
        }
      }
      truncate(this.repaired);
    }
    const segFrom = this.segFrom,
      segTo = this.segTo;
    while (pn > 0) {
      rounds++;
      this.workRounds = rounds;
      for (let k = 0; k < pn; k++) {
        const n = pend[k];
        const visitsBefore = this.visits;
        segFrom[k] = checks.touchedCount;
        if (this.shrunk[n]) {
          if (this.needsFull[n]) this.traverse(n);
          else if (this.unsafe[n]) this.cut(n);
          else this.regrow(n);
          this.shrunk[n] = 0;
        } else this.grow(n);
        segTo[k] = checks.touchedCount;
        this.spend(this.visits - visitsBefore + 1);
        if (!inTraversed[n]) {
          inTraversed[n] = 1;
          this.traversedBuf[this.traversedCount++] = n;
        }
      }
      inNext.fill(0);
      let nn = 0;
      for (let k = 0; k < pn; k++) {
        const count = this.dependenciesToCheck(pend[k], segFrom[k], segTo[k]);
        this.spend(this.checkWork);
        const deps = this.toCheck;
        const inService = this.inService,
          lostSince = this.lostSince,
          depOk = this.depOk,
          bufferMinutes = net.depBufferMinutes;
        for (let j = 0; j < count; j++) {
          const d = deps[j];
          let ok = 1;
          if (!inService[depDependee[d]]) {
            const since = Number.isNaN(lostSince[d]) ? now : lostSince[d];
            ok = now < since + bufferMinutes[d] ? 1 : 0;
          }
          if (ok !== depOk[d]) {
            this.failedCount += ok ? -1 : 1;
            this.depOk[d] = ok;
            checks.recheck(d);
            const depender = depDepender[d];
            if (this.refreshFunctional(depender)) {
              const b = assetNetwork[depender];
              if (!inNext[b]) {
                inNext[b] = 1;
                next[nn++] = b;
              }
            }
          }
        }
      }
      const swap = pend;
      pend = next;
      next = swap;
      pn = nn;
    }
    this.pendBuf = pend;
    this.nextBuf = next;
    // Remember when each dependee was lost, so that buffers run out at the right time. Only
    // dependees in the networks just traversed can have changed.
    const running: BufferRunning[] = [];
    for (const b of this.running) if (!inTraversed[assetNetwork[depDependee[b.dependency]]]) running.push(b);
    for (let k = 0; k < this.traversedCount; k++) {
      const count = this.dependenciesToCheck(this.traversedBuf[k], 0, checks.touchedCount);
      const deps = this.toCheck;
      for (let j = 0; j < count; j++) {
        const d = deps[j];
        if (this.inService[depDependee[d]]) this.lostSince[d] = NaN;
        else {
          if (Number.isNaN(this.lostSince[d])) this.lostSince[d] = now;
          if (this.depOk[d]) {
            // The same entry as last time when its minute has not changed (entries are never mutated).
            const expiresAt = this.lostSince[d] + net.depBufferMinutes[d];
            let entry = this.entryOf[d];
            if (entry === undefined || entry.expiresAt !== expiresAt) {
              entry = { dependency: d, expiresAt };
              this.entryOf[d] = entry;
            }
            running.push(entry);
          }
        }
      }
    }
    this.running = running.length > 1 ? running.sort(byDependency) : running;
    checks.endUpdate(this.traversedBuf, this.traversedCount, inTraversed);
    this.baseAt.fill(this.clock++);
    return rounds;
  }

  /** The dependencies now running on their buffer, with the time each runs out. */
  buffersRunning(): readonly BufferRunning[] {
    return this.running;
  }

  populationOut(): { population: number; weighted: number; criticalOut: number; nodesOut: number } {
    const net = this.net;
    let population = 0,
      weighted = 0,
      criticalOut = 0,
      nodesOut = 0;
    for (let n = 0; n < this.outPopulation.length; n++) {
      population += this.outPopulation[n];
      weighted += this.outWeighted[n];
      nodesOut += this.outNodes[n];
    }
    for (const c of net.criticalNodes) if (!this.inService[c]) criticalOut++;
    return { population, weighted, criticalOut, nodesOut };
  }

  /** Weighted population out (as `populationOut().weighted`, without counting critical nodes). */
  weightedOut(): number {
    let weighted = 0;
    for (let n = 0; n < this.outWeighted.length; n++) weighted += this.outWeighted[n];
    return weighted;
  }

  /** Population out (as `populationOut().population`). */
  populationOutTotal(): number {
    let population = 0;
    for (let n = 0; n < this.outPopulation.length; n++) population += this.outPopulation[n];
    return population;
  }

  /**
   * The failed dependencies a repair could revive: those whose dependee is reachable from a
   * repaired asset through undamaged assets not in service, following revived dependencies
   * on to their dependers. A superset is safe (the downward iteration corrects it); this
   * keeps an update after one repair to the networks it can actually touch.
   * Returns how many, in `revivedBuf`.
   */
  private revivableDependencies(): number {
    const net = this.net;
    const N = net.nodeCount;
    const stamp = this.nextStamp();
    const mark = this.mark;
    const damaged = this.damaged;
    const inService = this.inService;
    const q = this.queue;
    let head = 0,
      tail = 0;
    this.regions = 0;
    for (const a of this.repaired) {
      if (a < N) {
        if (mark[a] !== stamp && !damaged[a]) {
          mark[a] = stamp;
          this.newRegion(a);
          q[tail++] = a;
        }
      } else {
        const u = net.linkFrom[a - N],
          v = net.linkTo[a - N];
        if (mark[u] !== stamp && !damaged[u]) {
          mark[u] = stamp;
          this.newRegion(u);
          q[tail++] = u;
        }
        if (mark[v] !== stamp && !damaged[v]) {
          mark[v] = stamp;
          this.newRegion(v);
          q[tail++] = v;
        }
      }
    }
    // The failed dependencies (depOk 0) are counted as they change, and those of a node are found
    // from the node (depsByDependee) as the search marks it: no pass over every dependency. The
    // order they are revived in is the one of a scan in index order after each search (a
    // dependency whose dependee is marked during that scan joins it at its place), as before.
    const fc = this.failedCount;
    const revived = this.revivedBuf;
    let rc = 0;
    const { adjStart, adjLink, adjNode, role, depDepender, depsByDependeeStart, depsByDependee } = net;
    const depOk = this.depOk;
    const regionOf = this.regionOf,
      regionLive = this.regionLive;
    const pending = this.pendingDeps;
    const carry = this.carriedDeps;
    truncate(carry);
    let scanned = 0; // q[0..scanned) have had their failed dependencies collected
    let looked = 0; // dependencies looked at: the work counted, with the nodes marked
    for (;;) {
      this.spend(tail - head + fc);
      while (head < tail) {
        const u = q[head++];
        const r = regionOf[u];
        for (let k = adjStart[u]; k < adjStart[u + 1]; k++) {
          const v = adjNode[k];
          if (damaged[v] || damaged[adjLink[k]]) continue;
          if (inService[v]) {
            regionLive[this.regionRoot(r)] = 1;
            continue;
          }
          if (mark[v] === stamp) {
            if (regionOf[v] !== r) this.joinRegions(r, regionOf[v]);
            continue;
          }
          mark[v] = stamp;
          regionOf[v] = r;
          if (role[v] === SUPPLY_ROLE) regionLive[this.regionRoot(r)] = 1;
          q[tail++] = v;
        }
      }
      const before = tail;
      if (fc > 0) {
        // This round's scan: what the last scan passed by, and the failed dependencies of the nodes just marked.
        truncate(pending);
        for (let i = 0; i < carry.length; i++) pending.push(carry[i]);
        truncate(carry);
        for (; scanned < tail; scanned++) {
          const u = q[scanned];
          looked += depsByDependeeStart[u + 1] - depsByDependeeStart[u];
          for (let k = depsByDependeeStart[u]; k < depsByDependeeStart[u + 1]; k++)
            if (!depOk[depsByDependee[k]]) pending.push(depsByDependee[k]);
        }
        if (pending.length > 1) sortSmall(pending);
        for (let i = 0; i < pending.length; i++) {
          const d = pending[i];
          revived[rc++] = d;
          const u = depDepender[d];
          if (mark[u] !== stamp && !damaged[u]) {
            mark[u] = stamp;
            this.newRegion(u);
            q[tail++] = u;
            scanned = tail;
            looked += depsByDependeeStart[u + 1] - depsByDependeeStart[u];
            // Its failed dependencies: further on in index order, this same scan meets them; before, the next one.
            for (let k = depsByDependeeStart[u]; k < depsByDependeeStart[u + 1]; k++) {
              const e = depsByDependee[k];
              if (depOk[e]) continue;
              if (e > d) insertSorted(pending, e, i + 1);
              else carry.push(e);
            }
          }
        }
      }
      if (tail === before) {
        this.visits += tail + looked;
        return rc > 0 ? this.keepLiveRevivals(rc) : 0;
      }
    }
  }

  /**
   * The search's regions: the undamaged nodes out of service it marks, linked by undamaged links,
   * each grown from one node it started from (a repaired asset, a depender) and joined where two
   * meet. A region is live when it holds a supply or touches a node in service: only there can
   * anything come back. A region bounded by damage alone stays dark whatever is revived.
   */
  private newRegion(node: number): void {
    const r = this.regions++;
    this.regionParent[r] = r;
    this.regionLive[r] = this.inService[node] || this.net.role[node] === SUPPLY_ROLE ? 1 : 0;
    this.regionOf[node] = r;
  }

  private regionRoot(r: number): number {
    const parent = this.regionParent;
    while (parent[r] !== r) {
      parent[r] = parent[parent[r]];
      r = parent[r];
    }
    return r;
  }

  private joinRegions(a: number, b: number): void {
    const ra = this.regionRoot(a),
      rb = this.regionRoot(b);
    if (ra === rb) return;
    this.regionParent[rb] = ra;
    if (this.regionLive[rb]) this.regionLive[ra] = 1;
  }

  /**
   * Of the `rc` dependencies the revival search found, those whose dependee's region is live: one
   * on a dark region would only be revived to fail again, and in a heavily damaged network most
   * repairs land in such regions (reviving their dependencies made most of an update's work).
   * Keeps the order; returns how many.
   */
  private keepLiveRevivals(rc: number): number {
    const revived = this.revivedBuf,
      dependee = this.net.depDependee,
      regionOf = this.regionOf,
      live = this.regionLive;
    let kept = 0;
    for (let k = 0; k < rc; k++) {
      const d = revived[k];
      if (!live[this.regionRoot(regionOf[dependee[d]])]) continue;
      revived[kept++] = d;
    }
    return kept;
  }

  /** A fresh visited-mark stamp (marks are cleared only when the stamp would overflow). */
  private nextStamp(): number {
    if (this.stamp >= 0x7fffffff) {
      this.mark.fill(0);
      this.stamp = 0;
    }
    return ++this.stamp;
  }

  /** Counts work against the running update's budget; past it, stops the update. */
  private spend(units: number): void {
    this.work += units;
    if (this.work > this.workLimit)
      throw new WorldWorkExceeded(
        "service update",
        this.workLimit,
        `${this.workRounds.toLocaleString("en-US")} fixed-point rounds on ${this.net.assetCount.toLocaleString("en-US")} assets`,
      );
  }

  /** Returns true when the node's functional flag changed. */
  private refreshFunctional(node: number): boolean {
    const net = this.net;
    let ok = this.damaged[node] ? 0 : 1;
    if (ok) {
      for (let k = net.depsOfStart[node]; k < net.depsOfStart[node + 1]; k++) {
        if (!this.depOk[net.depsOf[k]]) {
          ok = 0;
          break;
        }
      }
    }
    const changed = ok !== this.functional[node];
    this.functional[node] = ok;
    if (changed) {
      if (ok) {
        this.grownSeeds.push(node);
        this.onSince[node] = this.clock;
      } else {
        this.shrunk[net.assetNetwork[node]] = 1;
        this.lostNodes[net.assetNetwork[node]].push(node);
        if (this.onSince[node] <= this.baseAt[net.assetNetwork[node]]) this.unsafe[net.assetNetwork[node]] = 1;
      }
    }
    return changed;
  }

  /**
   * Service after additions only (repairs, nodes functional again): the old in-service set
   * plus what the seeds connect to it. Equal to a full traversal when nothing lost service.
   */
  private grow(network: number): void {
    const net = this.net;
    const { adjStart, adjLink, adjNode, assetNetwork, role, population, criticality } = net;
    const inService = this.inService,
      functional = this.functional,
      damaged = this.damaged;
    const q = this.queue;
    let head = 0,
      tail = 0;
    let nodesOut = this.outNodes[network],
      popOut = this.outPopulation[network],
      wOut = this.outWeighted[network];
    const seeds = this.grownSeeds;
    const added = this.added[network];
    this.visits += seeds.length;
    let kept = 0;
    for (let j = 0; j < seeds.length; j++) {
      const s = seeds[j];
      if (assetNetwork[s] !== network) {
        seeds[kept++] = s;
        continue;
      }
      if (inService[s]) {
        q[tail++] = s;
        continue;
      }
      if (!functional[s]) continue;
      let fed = role[s] === SUPPLY_ROLE;
      let from = -1,
        via = -1;
      for (let k = adjStart[s]; !fed && k < adjStart[s + 1]; k++) {
        fed = inService[adjNode[k]] === 1 && !damaged[adjLink[k]];
        if (fed) {
          from = adjNode[k];
          via = adjLink[k];
        }
      }
      if (fed) {
        this.parent[s] = from;
        this.parentLink[s] = via;
        inService[s] = 1;
        added.push(s);
        this.checks.touch(s);
        q[tail++] = s;
        nodesOut--;
        popOut -= population[s];
        wOut -= population[s] * criticality[s];
      }
    }
    truncate(seeds, kept);
    while (head < tail) {
      const u = q[head++];
      for (let k = adjStart[u]; k < adjStart[u + 1]; k++) {
        const v = adjNode[k];
        if (inService[v] || !functional[v] || damaged[adjLink[k]]) continue;
        inService[v] = 1;
        this.parent[v] = u;
        this.parentLink[v] = adjLink[k];
        added.push(v);
        this.checks.touch(v);
        q[tail++] = v;
        nodesOut--;
        popOut -= population[v];
        wOut -= population[v] * criticality[v];
      }
    }
    this.outNodes[network] = nodesOut;
    this.outPopulation[network] = popOut;
    this.outWeighted[network] = wOut;
    this.visits += tail;
  }

  /**
   * A network that lost service: the nodes in service reached through a node that lost function
   * or a link damaged (their subtrees in the `parent` forest) go out, and service grows back from
   * them (another path may feed them). Every other node in service keeps a path of nodes and links
   * still working to its supply. The same service as a traversal, at the cost of what was cut.
   */
  private cut(network: number): void {
    const net = this.net;
    const { adjStart, adjLink, adjNode, population, criticality, linkFrom, linkTo, nodeCount } = net;
    const inService = this.inService,
      parent = this.parent,
      parentLink = this.parentLink;
    const stamp = this.nextStamp();
    const mark = this.mark;
    const q = this.queue;
    let head = 0,
      tail = 0;
    const lostNodes = this.lostNodes[network],
      lostLinks = this.lostLinks[network];
    for (let j = 0; j < lostNodes.length; j++) {
      const u = lostNodes[j];
      if (inService[u] && mark[u] !== stamp) {
        mark[u] = stamp;
        q[tail++] = u;
      }
    }
    for (let j = 0; j < lostLinks.length; j++) {
      const l = lostLinks[j];
      const a = linkFrom[l - nodeCount],
        b = linkTo[l - nodeCount];
      if (inService[a] && parentLink[a] === l && mark[a] !== stamp) {
        mark[a] = stamp;
        q[tail++] = a;
      }
      if (inService[b] && parentLink[b] === l && mark[b] !== stamp) {
        mark[b] = stamp;
        q[tail++] = b;
      }
    }
    const roots = lostNodes.length + lostLinks.length;
    truncate(lostNodes);
    truncate(lostLinks);
    while (head < tail) {
      const u = q[head++];
      for (let k = adjStart[u]; k < adjStart[u + 1]; k++) {
        const w = adjNode[k];
        if (mark[w] === stamp || !inService[w] || parent[w] !== u || parentLink[w] !== adjLink[k]) continue;
        mark[w] = stamp;
        q[tail++] = w;
      }
    }
    let nodesOut = this.outNodes[network],
      popOut = this.outPopulation[network],
      wOut = this.outWeighted[network];
    for (let k = 0; k < tail; k++) {
      const v = q[k];
      inService[v] = 0;
      this.checks.touch(v);
      nodesOut++;
      popOut += population[v];
      wOut += population[v] * criticality[v];
      this.grownSeeds.push(v);
    }
    this.outNodes[network] = nodesOut;
    this.outPopulation[network] = popOut;
    this.outWeighted[network] = wOut;
    this.visits += roots + tail;
    // What is left is the new baseline: service cannot fall below it until something else is lost.
    this.unsafe[network] = 0;
    truncate(this.added[network]);
    this.baseAt[network] = this.clock++;
    this.grow(network);
  }

  /**
   * A shrunk network whose service cannot have fallen below the last update's (see `unsafe`):
   * take back what this update grew there and grow again from those nodes, with the nodes'
   * functional flags as they are now. The same service as a traversal, at the cost of what was grown.
   */
  private regrow(network: number): void {
    const net = this.net;
    const { population, criticality } = net;
    const inService = this.inService;
    const added = this.added[network];
    let nodesOut = this.outNodes[network],
      popOut = this.outPopulation[network],
      wOut = this.outWeighted[network];
    for (let k = 0; k < added.length; k++) {
      const v = added[k];
      inService[v] = 0;
      this.checks.touch(v);
      nodesOut++;
      popOut += population[v];
      wOut += population[v] * criticality[v];
      this.grownSeeds.push(v);
    }
    this.visits += added.length;
    truncate(added);
    truncate(this.lostNodes[network]);
    truncate(this.lostLinks[network]);
    this.outNodes[network] = nodesOut;
    this.outPopulation[network] = popOut;
    this.outWeighted[network] = wOut;
    this.grow(network);
  }

  /** Breadth-first search from the network's functional supplies. */
  private traverse(network: number): void {
    this.checks.fullThisUpdate[network] = 1;
    this.unsafe[network] = 0;
    this.needsFull[network] = 0;
    truncate(this.added[network]);
    truncate(this.lostNodes[network]);
    truncate(this.lostLinks[network]);
    this.baseAt[network] = this.clock++;
    const parent = this.parent,
      parentLink = this.parentLink;
    const net = this.net;
    const seeds = this.grownSeeds;
    let kept = 0;
    for (let j = 0; j < seeds.length; j++) if (net.assetNetwork[seeds[j]] !== network) seeds[kept++] = seeds[j];
    truncate(seeds, kept);
    const nodes = net.nodesByNetwork[network];
    const inService = this.inService,
      functional = this.functional,
      damaged = this.damaged;
    this.visits += 2 * nodes.length;
    for (let k = 0; k < nodes.length; k++) inService[nodes[k]] = 0;
    const q = this.queue;
    let head = 0,
      tail = 0;
    for (const s of net.suppliesByNetwork[network]) {
      if (functional[s] && !inService[s]) {
        inService[s] = 1;
        parent[s] = -1;
        parentLink[s] = -1;
        q[tail++] = s;
      }
    }
    const { adjStart, adjLink, adjNode } = net;
    while (head < tail) {
      const u = q[head++];
      for (let k = adjStart[u]; k < adjStart[u + 1]; k++) {
        const v = adjNode[k];
        if (inService[v] || !functional[v] || damaged[adjLink[k]]) continue;
        inService[v] = 1;
        parent[v] = u;
        parentLink[v] = adjLink[k];
        q[tail++] = v;
      }
    }
    // The network's share of what is out: populationOut() sums these instead of every node.
    let population = 0,
      weighted = 0,
      nodesOut = 0;
    for (let k = 0; k < nodes.length; k++) {
      const i = nodes[k];
      if (inService[i]) continue;
      nodesOut++;
      population += net.population[i];
      weighted += net.population[i] * net.criticality[i];
    }
    this.outPopulation[network] = population;
    this.outWeighted[network] = weighted;
    this.outNodes[network] = nodesOut;
  }
}
