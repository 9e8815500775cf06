/**
 * Shorten a scratch list to `length` (empty by default). By popping, not by setting its length:
 * setting an array's length is a runtime call, and shortening it that way gives up the array's
 * storage, which its next push allocates again; the service's hot loops clear several short lists
 * per update (tests/world and the optimizer's fingerprints hold the same results).
 */
export function truncate(list: unknown[], length = 0): void {
  while (list.length > length) list.pop();
}
