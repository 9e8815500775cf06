/**
 * Work budgets for the world's synchronous loops (the service fixed point, the outage analysis,
 * the advance of the clock): each counts its work and stops with WorldWorkExceeded past its
 * budget, so that a hostile or huge scenario cannot hold one simulator step for ever. The graph's
 * fault barrier turns the error into the run's fatalError (it is not transient: a retry would do
 * the same work again).
 */

/** A world step did more work than its budget allows. */
export class WorldWorkExceeded extends Error {
  static readonly errorName = "WorldWorkExceeded";
  readonly transient = false;
  constructor(
    /** Which loop: "service update", "outage analysis", "clock advance". */
    readonly loop: string,
    readonly budget: number,
    detail: string,
  ) {
    super(
      `the ${loop} stopped after ${budget.toLocaleString("en-US")} units of work, its budget (${detail}): ` +
        "the scenario makes the simulator work far beyond its size (a long dependency chain or a cascade that does not settle)",
    );
    this.name = WorldWorkExceeded.errorName;
  }
}
/** By class, or by name for an error that crossed a boundary (another copy of the module, a serialised error). */
export const isWorldWorkExceeded = (e: unknown): e is WorldWorkExceeded =>
  e instanceof WorldWorkExceeded ||
  (typeof e === "object" && e !== null && (e as Error).name === WorldWorkExceeded.errorName);

/** A budget of `perAsset` units per asset, at least `min`. */
export function budgetFor(assets: number, perAsset: number, min: number): number {
  return Math.max(min, assets * perAsset);
}

/** Counts the work of one step against its budget. */
export class WorkCounter {
  used = 0;
  constructor(
    readonly loop: string,
    readonly limit: number,
    private readonly detail: () => string,
  ) {}

  spend(units: number): void {
    this.used += units;
    if (this.used > this.limit) throw new WorldWorkExceeded(this.loop, this.limit, this.detail());
  }
}
