/**
 * A process that opens a checkpoint store (PostgreSQL: creates its schema and tables) and closes
 * it: `tsx tests/support/setup-child.ts SETTING [GO_FILE]`. Prints "ok", or the error on stderr
 * (exit 1). With GO_FILE, it first writes GO_FILE.ready.<pid>, then waits for GO_FILE to exist:
 * processes that took different times to load all open at the same moment.
 */
import { existsSync, writeFileSync } from "node:fs";
import { openCheckpointer } from "../../src/persistence/checkpointer.js";

const go = process.argv[3];
if (go) {
  writeFileSync(`${go}.ready.${process.pid}`, "");
  while (!existsSync(go)) await new Promise((r) => setTimeout(r, 5));
}
const store = await openCheckpointer(process.argv[2]!).catch((e: Error) => {
  process.stderr.write(`${e.message}\n`);
  process.exit(1);
});
await store.close();
process.stdout.write("ok\n");
