/**
 * What a search sees, in one number: the start plan's cost and its jobs' completion minutes on a
 * fresh surrogate. Two surrogates of the same world, crews and horizon give the same number to the
 * bit (the same operations in the same order); a world rebuilt differently gives another. NaN
 * (equal to nothing) when the start is not feasible there: nothing to compare.
 */
import type { Lists } from "./improve.js";
import type { Surrogate } from "./surrogate.js";

export function searchFingerprint(sur: Surrogate, lists: Lists): number {
  let print = sur.evaluate(lists);
  if (!Number.isFinite(print)) return Number.NaN;
  for (let c = 0; c < lists.length; c++) {
    const t = sur.timing(c, lists[c]);
    for (let k = 0; k < t.completion.length; k++) print += (k + 1 + c * 1_000) * t.completion[k];
  }
  return print;
}
