/**
 * Impact and root-cause analysis of the world as it stands: for every node out of service, the first failing element
 * on its feed path and the damaged assets whose repair brings it back; for every asset, the population out because
 * of it, what its repair alone would restore, the backups running out on its account, and a severity class. Pure
 * functions of the network and its service state: the World owns the state and calls them (detectFailures,
 * estimateImpact, restoredIfRepaired).
 */
import { EXACT_REPAIR_ALONE_ASSET_LIMIT, OUTAGE_ANALYSIS_MIN_WORK, OUTAGE_ANALYSIS_WORK_PER_ASSET } from "../limits.js";
import type { CompiledNetwork } from "./network.js";
import type { ServiceState } from "./service.js";
import type { DispatchRecord, FailedAsset, FailureSnapshot, ImpactReport, Severity } from "./types.js";
import { budgetFor, WorkCounter } from "./work-budget.js";

/** The topology's BFS tree from every supply, ignoring damage: each node's primary feed path. */
export interface FeedTree {
  order: Int32Array;
  parentNode: Int32Array;
  parentLink: Int32Array;
}

/** What the analysis reads of the world at its minute. */
export interface OutageView {
  net: CompiledNetwork;
  service: ServiceState;
  tree: FeedTree;
  clock: number;
  out: { population: number; weighted: number };
  activeByAsset: ReadonlyMap<number, DispatchRecord>;
  damageCause: ReadonlyMap<number, string>;
  damagedAt: Float64Array;
  outSince: Float64Array;
}

/** Multi-source BFS from every supply over the whole topology, ignoring damage. */
export function buildFeedTree(net: CompiledNetwork): FeedTree {
  const N = net.nodeCount;
  const order = new Int32Array(N);
  const parentNode = new Int32Array(N).fill(-1);
  const parentLink = new Int32Array(N).fill(-1);
  const seen = new Uint8Array(N);
  let head = 0,
    tail = 0;
  for (const supplies of net.suppliesByNetwork)
    for (const s of supplies) {
      seen[s] = 1;
      order[tail++] = s;
    }
  while (head < tail) {
    const u = order[head++];
    for (let k = net.adjStart[u]; k < net.adjStart[u + 1]; k++) {
      const v = net.adjNode[k];
      if (seen[v]) continue;
      seen[v] = 1;
      parentNode[v] = u;
      parentLink[v] = net.adjLink[k];
      order[tail++] = v;
    }
  }
  // Nodes no supply can ever reach still get a label (themselves).
  for (let i = 0; i < N; i++) if (!seen[i]) order[tail++] = i;
  return { order, parentNode, parentLink };
}

/**
 * For every node: the first failing element (damaged asset, or a node failing through a
 * dependency) on its primary feed path from a supply. The feed tree is the topology's BFS
 * tree, fixed for the scenario; in a meshed network it names the primary path's fault.
 */
export function feedPathLabels(net: CompiledNetwork, service: ServiceState, tree: FeedTree): Int32Array {
  const labels = new Int32Array(net.nodeCount).fill(-1);
  const { damaged, functional } = service;
  for (const u of tree.order) {
    const p = tree.parentNode[u];
    let label = p >= 0 ? labels[p] : -1;
    if (label < 0 && p >= 0 && damaged[tree.parentLink[u]]) label = tree.parentLink[u];
    if (label < 0 && (damaged[u] || !functional[u])) label = u;
    labels[u] = label;
  }
  return labels;
}

/** The work budget of one failure or impact analysis (root-cause searches and backups). */
export function analysisBudget(net: CompiledNetwork): WorkCounter {
  const limit = budgetFor(net.assetCount, OUTAGE_ANALYSIS_WORK_PER_ASSET, OUTAGE_ANALYSIS_MIN_WORK);
  return new WorkCounter("outage analysis", limit, () => `${net.assetCount.toLocaleString("en-US")} assets`);
}

/**
 * The damaged assets whose repair brings node `i` back (through dependencies too), in the order
 * a depth-first search along failed dependencies finds them. Iterative (a chain of dependencies
 * as long as the network must not overflow the stack), each step counted against `budget`.
 */
export function rootCauses(
  net: CompiledNetwork,
  service: ServiceState,
  i: number,
  labels: Int32Array,
  budget: WorkCounter = analysisBudget(net),
): number[] {
  const seen = new Set<number>();
  const out = new Set<number>();
  // The search's stack: a node failing through a dependency, and the next of its dependencies to look at.
  const failing: number[] = [];
  const nextDep: number[] = [];
  const enter = (node: number) => {
    if (seen.has(node)) return;
    seen.add(node);
    const label = labels[node];
    if (label < 0) return;
    if (service.damaged[label]) out.add(label);
    else {
      failing.push(label);
      nextDep.push(net.depsOfStart[label]);
    }
  };
  enter(i);
  while (failing.length > 0) {
    budget.spend(1);
    const top = failing.length - 1;
    const k = nextDep[top];
    if (k >= net.depsOfStart[failing[top] + 1]) {
      failing.pop();
      nextDep.pop();
      continue;
    }
    nextDep[top] = k + 1;
    const d = net.depsOf[k];
    if (service.depOk[d]) continue;
    const dependee = net.depDependee[d];
    if (service.damaged[dependee]) out.add(dependee);
    else enter(dependee);
  }
  return [...out];
}

/** Why node `i` is out of service, in words. */
export function outageCause(
  net: CompiledNetwork,
  service: ServiceState,
  i: number,
  labels: Int32Array,
  roots: number[],
): string {
  const label = labels[i];
  const names = roots.map((r) => net.assetIds[r]).join(", ") || "unknown";
  if (label === i) {
    const failed: string[] = [];
    for (let k = net.depsOfStart[i]; k < net.depsOfStart[i + 1]; k++) {
      const d = net.depsOf[k];
      if (!service.depOk[d]) failed.push(`${net.assetIds[net.depDependee[d]]} (${net.networkOf(net.depDependee[d])})`);
    }
    return `dependency out of service: ${failed.join(", ")}; root cause ${names}`;
  }
  if (label >= 0)
    return `no supply: upstream ${net.assetIds[label]} is ${service.damaged[label] ? "damaged" : "out of service"}; root cause ${names}`;
  return "no supply: disconnected";
}

export function severityOf(population: number, critical: number): Severity {
  if (critical > 0 || population >= 10_000) return "critical";
  if (population >= 1_000) return "high";
  if (population >= 100) return "medium";
  return "low";
}

export function describeAsset(net: CompiledNetwork, a: number) {
  const isNode = a < net.nodeCount;
  return {
    id: net.assetIds[a],
    kind: isNode ? ("node" as const) : ("link" as const),
    network: net.networkOf(a),
    type: net.assetType[a],
    population: isNode ? net.population[a] : 0,
    criticality: isNode ? net.criticality[a] : 1,
  };
}

/** Damaged assets in full, out-of-service nodes with their causes, backups running. */
export function detectFailures(v: OutageView): FailureSnapshot {
  const { net, service } = v;
  const labels = feedPathLabels(net, service, v.tree);
  const budget = analysisBudget(net);
  const damaged: FailedAsset[] = [];
  const outOfService: FailedAsset[] = [];
  for (let a = 0; a < net.assetCount; a++) {
    if (!service.damaged[a]) continue;
    const rec = v.activeByAsset.get(a);
    damaged.push({
      ...describeAsset(net, a),
      state: "damaged",
      cause: v.damageCause.get(a) ?? "damaged",
      rootCauses: [net.assetIds[a]],
      since: v.damagedAt[a],
      ...(rec ? { assignedCrew: rec.crewId, dispatchStatus: rec.status } : {}),
    });
  }
  for (let i = 0; i < net.nodeCount; i++) {
    if (service.inService[i] || service.damaged[i]) continue;
    const roots = rootCauses(net, service, i, labels, budget);
    outOfService.push({
      ...describeAsset(net, i),
      state: "out_of_service",
      cause: outageCause(net, service, i, labels, roots),
      rootCauses: roots.map((r) => net.assetIds[r]),
      since: v.outSince[i],
    });
  }
  return {
    at: v.clock,
    damaged,
    outOfService,
    populationOut: v.out.population,
    weightedPopulationOut: v.out.weighted,
    criticalFacilitiesOut: [...net.criticalNodes].filter((c) => !service.inService[c]).map((c) => net.assetIds[c]),
    onBackup: service.buffersRunning().map((b) => ({
      node: net.assetIds[net.depDepender[b.dependency]],
      dependee: net.assetIds[net.depDependee[b.dependency]],
      expiresAt: b.expiresAt,
      critical: net.criticality[net.depDepender[b.dependency]] > 1,
    })),
  };
}

/** Population that repairing these assets (now, together) would bring back. */
export function restoredIfRepaired(
  v: Pick<OutageView, "service" | "clock" | "out">,
  assets: number[],
  scratch?: ServiceState,
): { population: number; weighted: number } {
  // One state reused for many assets (computeImpact): a copy into it allocates nothing, a clone
  // allocates every array of the state, which on a 100,000-node network was most of the analysis.
  const trial = scratch ?? v.service.clone();
  if (scratch) scratch.copyFrom(v.service);
  const dirty = new Set<number>();
  for (const a of assets) dirty.add(trial.setDamaged(a, false));
  trial.update(v.clock, dirty);
  const after = trial.populationOut();
  return { population: v.out.population - after.population, weighted: v.out.weighted - after.weighted };
}

/** The impact of each asset asked for (damaged or out of service); `askedFor` is how many were asked at once. */
export function computeImpact(v: OutageView, ids: string[], askedFor: number): ImpactReport[] {
  const { net, service } = v;
  const labels = feedPathLabels(net, service, v.tree);
  const budget = analysisBudget(net);
  const attributed = new Map<number, { pop: number; weighted: number; critical: number[] }>();
  for (let i = 0; i < net.nodeCount; i++) {
    if (service.inService[i]) continue;
    for (const r of service.damaged[i] ? [i] : rootCauses(net, service, i, labels, budget)) {
      const e = attributed.get(r) ?? { pop: 0, weighted: 0, critical: [] };
      e.pop += net.population[i];
      e.weighted += net.population[i] * net.criticality[i];
      if (net.criticality[i] > 1) e.critical.push(i);
      attributed.set(r, e);
    }
  }
  const backups = service.buffersRunning();
  let scratch: ServiceState | undefined;
  return ids.map((id) => {
    const a = net.index(id);
    if (a === undefined) throw new Error(`unknown asset "${id}"`);
    const damagedNow = !!service.damaged[a];
    const roots = damagedNow ? [a] : a < net.nodeCount ? rootCauses(net, service, a, labels, budget) : [];
    const own = attributed.get(a) ?? { pop: 0, weighted: 0, critical: [] };
    // Each repair-alone figure is a service update of its own. On large incidents, compute it
    // where population is attributed to the asset; elsewhere it is almost always 0.
    const exact = askedFor <= EXACT_REPAIR_ALONE_ASSET_LIMIT || (attributed.get(a)?.pop ?? 0) > 0;
    if (damagedNow && exact) scratch ??= service.clone();
    const restored = damagedNow && exact ? restoredIfRepaired(v, [a], scratch) : { population: 0, weighted: 0 };
    budget.spend(backups.length);
    const backupsRunningOut = backups
      .filter((b) => {
        const dependee = net.depDependee[b.dependency];
        return (
          dependee === a ||
          (!service.damaged[dependee] && rootCauses(net, service, dependee, labels, budget).includes(a))
        );
      })
      .map((b) => ({
        node: net.assetIds[net.depDepender[b.dependency]],
        expiresAt: b.expiresAt,
        critical: net.criticality[net.depDepender[b.dependency]] > 1,
      }));
    const criticalIds = own.critical.map((c) => net.assetIds[c]);
    const severity = severityOf(own.pop, criticalIds.length + backupsRunningOut.filter((b) => b.critical).length);
    return {
      asset: id,
      network: net.networkOf(a),
      state: damagedNow ? "damaged" : "out_of_service",
      populationOut: own.pop,
      weightedPopulationOut: own.weighted,
      populationRestoredIfRepaired: restored.population,
      weightedRestoredIfRepaired: restored.weighted,
      criticalFacilitiesAffected: criticalIds,
      backupsRunningOut,
      severity,
      ...(damagedNow ? {} : { rootCauses: roots.map((r) => net.assetIds[r]) }),
    };
  });
}
