/**
 * Shorten a scratch list to `length` (empty by default), only when it is longer: setting an array's
 * length is a runtime call even when nothing changes, and the service's hot loops clear several
 * lists per update (tests/world and the optimizer's fingerprints hold the same results).
 */
export function truncate(list: unknown[], length = 0): void {
  if (list.length > length) list.length = length;
}
