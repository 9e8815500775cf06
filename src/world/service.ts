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
 */
import { SERVICE_UPDATE_MIN_WORK, SERVICE_UPDATE_WORK_PER_ASSET } from "../limits.js";
import { type CompiledNetwork, ROLE_SUPPLY as SUPPLY_ROLE } from "./network.js";
import { budgetFor, WorldWorkExceeded } from "./work-budget.js";

export class ServiceState {
  readonly damaged: Uint8Array;
  readonly functional: Uint8Array;
  readonly inService: Uint8Array;
  readonly depOk: Uint8Array;
  /** When each dependency's dependee went out of service; NaN while it is in service. */
  readonly lostSince: Float64Array;
  private readonly queue: Int32Array;
  /** Assets repaired since the last update: only they can bring service back. */
  private repaired: number[] = [];
  private readonly mark: Uint8Array;
  /** The networks the last update traversed: only their nodes can have changed service. */
  lastTraversed = new Set<number>();
  /** Per network: population and weighted population out, and nodes out (kept by traverse). */
  private readonly outByNetwork: { population: number; weighted: number; nodesOut: number }[];
  /** Dependencies running on their buffer, refreshed by every update. */
  private running: { dependency: number; expiresAt: number }[] = [];
  /**
   * Networks where something may have lost service since their last traversal (damage, a node
   * no longer functional): they are traversed in full. Elsewhere only additions happened
   * (repairs, nodes functional again), and service grows from `grownSeeds` alone: an update
   * after one repair then costs what it restores, not the network's size.
   */
  private readonly shrunk = new Set<number>();
  /** Nodes visited by updates so far (traversals, growth, revival searches): a measure of work done, for budgets. */
  visits = 0;
  private grownSeeds: number[] = [];

  constructor(
    readonly net: CompiledNetwork,
    from?: ServiceState,
  ) {
    const N = net.nodeCount;
    const D = net.depDependee.length;
    this.damaged = from ? from.damaged.slice() : new Uint8Array(net.assetCount);
    this.functional = from ? from.functional.slice() : new Uint8Array(N);
    this.inService = from ? from.inService.slice() : new Uint8Array(N);
    this.depOk = from ? from.depOk.slice() : new Uint8Array(D).fill(1);
    this.lostSince = from ? from.lostSince.slice() : new Float64Array(D).fill(NaN);
    this.running = from ? from.running.slice() : [];
    this.outByNetwork = from
      ? from.outByNetwork.map((o) => ({ ...o }))
      : net.networks.map(() => ({ population: 0, weighted: 0, nodesOut: 0 }));
    this.queue = new Int32Array(N);
    this.mark = new Uint8Array(N);
    if (from) {
      for (const n of from.shrunk) this.shrunk.add(n);
      this.grownSeeds = from.grownSeeds.slice();
    }
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
    this.lostSince.set(other.lostSince);
    this.running = other.running.slice();
    other.outByNetwork.forEach((o, i) => {
      this.outByNetwork[i] = { ...o };
    });
    this.repaired = other.repaired.slice();
    this.shrunk.clear();
    for (const n of other.shrunk) this.shrunk.add(n);
    this.grownSeeds = other.grownSeeds.slice();
  }

  /** Recompute everything from scratch (at the start of a run). */
  recomputeAll(now: number): void {
    for (let i = 0; i < this.net.nodeCount; i++) this.refreshFunctional(i);
    for (let n = 0; n < this.net.networks.length; n++) this.shrunk.add(n);
    // Every network is traversed in full: no seeds to grow from (each traversal would filter them all).
    this.grownSeeds = [];
    this.update(now, new Set(this.net.networks.map((_, i) => i)));
  }

  /** Mark an asset damaged or repaired; returns the network that needs an update. */
  setDamaged(asset: number, damaged: boolean): number {
    const net = this.net;
    if (!damaged && this.damaged[asset]) {
      this.repaired.push(asset);
      if (asset >= net.nodeCount)
        this.grownSeeds.push(net.linkFrom[asset - net.nodeCount], net.linkTo[asset - net.nodeCount]);
    }
    if (damaged && !this.damaged[asset]) this.shrunk.add(net.assetNetwork[asset]);
    this.damaged[asset] = damaged ? 1 : 0;
    if (asset < net.nodeCount) this.refreshFunctional(asset);
    return net.assetNetwork[asset];
  }

  /**
   * Bring service up to date at time `now`, starting from the networks in `dirty`.
   * Returns the number of fixed-point rounds it took.
   */
  update(now: number, dirty: Set<number>): number {
    const net = this.net;
    let rounds = 0;
    // Counted work (nodes visited, dependencies checked): a scenario whose fixed point takes far
    // more rounds than its size suggests (a long chain of dependencies across networks) stops.
    const limit = budgetFor(net.assetCount, SERVICE_UPDATE_WORK_PER_ASSET, SERVICE_UPDATE_MIN_WORK);
    let work = 0;
    const spend = (n: number) => {
      work += n;
      if (work > limit)
        throw new WorldWorkExceeded(
          "service update",
          limit,
          `${rounds.toLocaleString("en-US")} fixed-point rounds on ${net.assetCount.toLocaleString("en-US")} assets`,
        );
    };
    // A repair may let failed dependencies come back, a whole cycle of mutual dependencies
    // (power needs telecom, telecom needs power) at once: start those optimistic again, and
    // the downward iteration below finds the greatest fixed point from here. Damage and
    // buffers running out only ever remove service, so without a repair nothing is reset.
    let pending = new Set(dirty);
    this.lastTraversed = new Set();
    if (this.repaired.length > 0) {
      for (const d of this.revivableDependencies(spend)) {
        this.depOk[d] = 1;
        pending.add(net.assetNetwork[net.depDependee[d]]);
        if (this.refreshFunctional(net.depDepender[d])) pending.add(net.assetNetwork[net.depDepender[d]]);
      }
      this.repaired = [];
    }
    while (pending.size > 0) {
      rounds++;
      for (const n of pending) {
        // A traversal also filters the seeds waiting to grow other networks.
        const before = this.visits - (this.shrunk.has(n) ? this.grownSeeds.length : 0);
        if (this.shrunk.has(n)) {
          this.traverse(n);
          this.shrunk.delete(n);
        } else this.grow(n);
        this.lastTraversed.add(n);
        spend(this.visits - before + 1);
      }
      const next = new Set<number>();
      for (const n of pending) {
        spend(net.depsByDependeeNetwork[n].length);
        for (const d of net.depsByDependeeNetwork[n]) {
          const ok = this.dependencySatisfied(d, now) ? 1 : 0;
          if (ok !== this.depOk[d]) {
            this.depOk[d] = ok;
            const depender = net.depDepender[d];
            if (this.refreshFunctional(depender)) next.add(net.assetNetwork[depender]);
          }
        }
      }
      pending = next;
    }
    // Remember when each dependee was lost, so that buffers run out at the right time. Only
    // dependees in the networks just traversed can have changed.
    const running = this.running.filter(
      (b) => !this.lastTraversed.has(net.assetNetwork[net.depDependee[b.dependency]]),
    );
    for (const n of this.lastTraversed) {
      for (const d of net.depsByDependeeNetwork[n]) {
        if (this.inService[net.depDependee[d]]) this.lostSince[d] = NaN;
        else {
          if (Number.isNaN(this.lostSince[d])) this.lostSince[d] = now;
          if (this.depOk[d]) running.push({ dependency: d, expiresAt: this.lostSince[d] + net.depBufferMinutes[d] });
        }
      }
    }
    this.running = running.sort((a, b) => a.dependency - b.dependency);
    return rounds;
  }

  /** The dependencies now running on their buffer, with the time each runs out. */
  buffersRunning(): readonly { dependency: number; expiresAt: number }[] {
    return this.running;
  }

  populationOut(): { population: number; weighted: number; criticalOut: number; nodesOut: number } {
    const net = this.net;
    let population = 0,
      weighted = 0,
      criticalOut = 0,
      nodesOut = 0;
    for (const o of this.outByNetwork) {
      population += o.population;
      weighted += o.weighted;
      nodesOut += o.nodesOut;
    }
    for (const c of net.criticalNodes) if (!this.inService[c]) criticalOut++;
    return { population, weighted, criticalOut, nodesOut };
  }

  /**
   * The failed dependencies a repair could revive: those whose dependee is reachable from a
   * repaired asset through undamaged assets not in service, following revived dependencies
   * on to their dependers. A superset is safe (the downward iteration corrects it); this
   * keeps an update after one repair to the networks it can actually touch.
   */
  private revivableDependencies(spend: (work: number) => void): number[] {
    const net = this.net;
    const N = net.nodeCount;
    const mark = this.mark.fill(0);
    const q = this.queue;
    let head = 0,
      tail = 0;
    const seed = (u: number) => {
      if (!mark[u] && !this.damaged[u]) {
        mark[u] = 1;
        q[tail++] = u;
      }
    };
    for (const a of this.repaired) {
      if (a < N) seed(a);
      else {
        seed(net.linkFrom[a - N]);
        seed(net.linkTo[a - N]);
      }
    }
    const failed: number[] = [];
    for (let d = 0; d < net.depDependee.length; d++) if (!this.depOk[d]) failed.push(d);
    const revived: number[] = [];
    const taken = new Uint8Array(failed.length);
    const { adjStart, adjLink, adjNode } = net;
    for (;;) {
      spend(tail - head + failed.length);
      while (head < tail) {
        const u = q[head++];
        for (let k = adjStart[u]; k < adjStart[u + 1]; k++) {
          const v = adjNode[k];
          if (mark[v] || this.damaged[v] || this.damaged[adjLink[k]] || this.inService[v]) continue;
          mark[v] = 1;
          q[tail++] = v;
        }
      }
      const before = tail;
      failed.forEach((d, i) => {
        if (taken[i] || !mark[net.depDependee[d]]) return;
        taken[i] = 1;
        revived.push(d);
        seed(net.depDepender[d]);
      });
      if (tail === before) {
        this.visits += tail + failed.length;
        return revived;
      }
    }
  }

  private dependencySatisfied(d: number, now: number): boolean {
    if (this.inService[this.net.depDependee[d]]) return true;
    const since = Number.isNaN(this.lostSince[d]) ? now : this.lostSince[d];
    return now < since + this.net.depBufferMinutes[d];
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
      if (ok) this.grownSeeds.push(node);
      else this.shrunk.add(net.assetNetwork[node]);
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
    const q = this.queue;
    let head = 0,
      tail = 0;
    const out = this.outByNetwork[network];
    const take = (v: number) => {
      this.inService[v] = 1;
      q[tail++] = v;
      out.nodesOut--;
      out.population -= population[v];
      out.weighted -= population[v] * criticality[v];
    };
    const rest: number[] = [];
    for (const s of this.grownSeeds) {
      if (assetNetwork[s] !== network) {
        rest.push(s);
        continue;
      }
      if (this.inService[s]) {
        q[tail++] = s;
        continue;
      }
      if (!this.functional[s]) continue;
      let fed = role[s] === SUPPLY_ROLE;
      for (let k = adjStart[s]; !fed && k < adjStart[s + 1]; k++)
        fed = this.inService[adjNode[k]] === 1 && !this.damaged[adjLink[k]];
      if (fed) take(s);
    }
    this.visits += this.grownSeeds.length;
    this.grownSeeds = rest;
    while (head < tail) {
      const u = q[head++];
      for (let k = adjStart[u]; k < adjStart[u + 1]; k++) {
        const v = adjNode[k];
        if (this.inService[v] || !this.functional[v] || this.damaged[adjLink[k]]) continue;
        take(v);
      }
    }
    this.visits += tail;
  }

  /** Breadth-first search from the network's functional supplies. */
  private traverse(network: number): void {
    this.grownSeeds = this.grownSeeds.filter((s) => this.net.assetNetwork[s] !== network);
    const net = this.net;
    const nodes = net.nodesByNetwork[network];
    this.visits += 2 * nodes.length;
    for (let k = 0; k < nodes.length; k++) this.inService[nodes[k]] = 0;
    const q = this.queue;
    let head = 0,
      tail = 0;
    for (const s of net.suppliesByNetwork[network]) {
      if (this.functional[s] && !this.inService[s]) {
        this.inService[s] = 1;
        q[tail++] = s;
      }
    }
    const { adjStart, adjLink, adjNode } = net;
    while (head < tail) {
      const u = q[head++];
      for (let k = adjStart[u]; k < adjStart[u + 1]; k++) {
        const v = adjNode[k];
        if (this.inService[v] || !this.functional[v] || this.damaged[adjLink[k]]) continue;
        this.inService[v] = 1;
        q[tail++] = v;
      }
    }
    // The network's share of what is out: populationOut() sums these instead of every node.
    const out = { population: 0, weighted: 0, nodesOut: 0 };
    for (let k = 0; k < nodes.length; k++) {
      const i = nodes[k];
      if (this.inService[i]) continue;
      out.nodesOut++;
      out.population += net.population[i];
      out.weighted += net.population[i] * net.criticality[i];
    }
    this.outByNetwork[network] = out;
  }
}
