/**
 * Scenarios that make the world's synchronous loops work far beyond their size, for the work
 * budgets' tests (tests/reliability/world-budgets.test.ts).
 */
import type { Scenario } from "../../src/world/scenario/schema.js";
import { scenario } from "./scenarios.js";

/**
 * Two star networks of `m` nodes each (power p1..pm fed by PS, telecom t1..tm fed by TS) tied by a
 * dependency chain t1 <- p1, p2 <- t1, t2 <- p2, ...: one fault on p1's line loses p1, which
 * loses t1, which loses p2, ... one node per fixed-point round, each round traversing a whole
 * network: 2m rounds of m nodes, quadratic work in a scenario of 4m assets.
 */
export function dependencyChain(m: number, extra: Partial<Parameters<typeof scenario>[0]> = {}): Scenario {
  const nodes: Parameters<typeof scenario>[0]["nodes"] = [
    { id: "PS", network: "power", type: "substation", x: 0, y: 0, role: "supply" },
    { id: "TS", network: "telecom", type: "exchange", x: 0, y: 1, role: "supply" },
  ];
  const links: NonNullable<Parameters<typeof scenario>[0]["links"]> = [];
  const dependencies: NonNullable<Parameters<typeof scenario>[0]["dependencies"]> = [];
  for (let i = 1; i <= m; i++) {
    nodes.push({ id: `p${i}`, network: "power", type: "feeder", x: i / m, y: 0, population: 1 });
    nodes.push({ id: `t${i}`, network: "telecom", type: "cabinet", x: i / m, y: 1, population: 1 });
    links.push({ id: `lp${i}`, network: "power", from: "PS", to: `p${i}` });
    links.push({ id: `lt${i}`, network: "telecom", from: "TS", to: `t${i}` });
    dependencies.push({ dependee: `p${i}`, depender: `t${i}` });
    if (i < m) dependencies.push({ dependee: `t${i}`, depender: `p${i + 1}` });
  }
  return scenario({
    nodes,
    links,
    dependencies,
    crews: [{ id: "C1", x: 0, y: 0, skills: ["power", "telecom"], capacityHours: 12, speedKmh: 60 }],
    damage: [{ asset: "lp1", atMinutes: 0 }],
    ...extra,
  });
}

/**
 * `k` tiny networks n1..nk, each a supply s_i and a demand d_i on one line; the supply of each
 * network depends on the demand of the one before (s_{i+1} <- d_i). One fault on n1's line
 * takes every network down one after the other: the service update is linear (each round
 * traverses two nodes), but every node out has its root cause k - i dependencies away.
 */
export function dependencyLadder(k: number): Scenario {
  const nodes: Parameters<typeof scenario>[0]["nodes"] = [];
  const links: NonNullable<Parameters<typeof scenario>[0]["links"]> = [];
  const dependencies: NonNullable<Parameters<typeof scenario>[0]["dependencies"]> = [];
  for (let i = 1; i <= k; i++) {
    nodes.push({ id: `s${i}`, network: `n${i}`, type: "substation", x: i, y: 0, role: "supply" });
    nodes.push({ id: `d${i}`, network: `n${i}`, type: "feeder", x: i, y: 1, population: 1 });
    links.push({ id: `l${i}`, network: `n${i}`, from: `s${i}`, to: `d${i}` });
    if (i < k) dependencies.push({ dependee: `d${i}`, depender: `s${i + 1}` });
  }
  return scenario({
    nodes,
    links,
    dependencies,
    crews: [{ id: "C1", x: 0, y: 0, skills: ["n1"], capacityHours: 12, speedKmh: 60 }],
    damage: [{ asset: "l1", atMinutes: 0 }],
  });
}
