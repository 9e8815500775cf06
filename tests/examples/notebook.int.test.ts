/**
 * notebooks/quickstart.ipynb cannot rot: its code cells, in order, run as one module with tsx,
 * from the notebook's folder as Jupyter would. Only the `tslab` import is replaced, by a
 * stand-in that prints what tslab would display. (CI has no Jupyter; docs/notebook.md shows
 * how to run the notebook itself with the tslab kernel.)
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { root, runTsx } from "./run-child.js";

const notebookDir = join(root, "notebooks");
const TSLAB_IMPORT = 'import * as tslab from "tslab";';
const TSLAB_STAND_IN =
  "const tslab = { display: { markdown: (s: string) => console.log(s), html: (s: string) => console.log(s) } };";

interface Notebook {
  nbformat: number;
  metadata: { kernelspec?: { name: string } };
  cells: { cell_type: string; source: string | string[] }[];
}

const notebook = JSON.parse(readFileSync(join(notebookDir, "quickstart.ipynb"), "utf8")) as Notebook;
const codeCells = notebook.cells
  .filter((c) => c.cell_type === "code")
  .map((c) => (Array.isArray(c.source) ? c.source.join("") : c.source));

describe("notebooks/quickstart.ipynb", () => {
  it("is a Jupyter notebook for the tslab TypeScript kernel", () => {
    expect(notebook.nbformat).toBe(4);
    expect(notebook.metadata.kernelspec?.name).toBe("tslab");
    expect(codeCells.length).toBeGreaterThanOrEqual(5);
    expect(codeCells.join("\n").split(TSLAB_IMPORT)).toHaveLength(2); // imported once, so the stand-in replaces it
  });

  it("its code cells run in order and show the scenario, the state history, the dispatches and the restoration curve", async () => {
    const script = join(notebookDir, `.quickstart-extracted-${process.pid}.mts`);
    writeFileSync(script, codeCells.join("\n\n").replace(TSLAB_IMPORT, TSLAB_STAND_IN));
    let r;
    try {
      r = await runTsx(script, [], { cwd: notebookDir });
    } finally {
      rmSync(script, { force: true });
    }
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = r.stdout;
    // 1. the scenario
    expect(out).toMatch(/^demo: \d+ nodes, \d+ links, \d+ crews$/m);
    // 2. one graph run and its checkpoints, oldest first
    expect(out).toMatch(/^INIT -> FAILURE_DETECTION -> IMPACT_ANALYSIS -> REPAIR_PLANNING -> EXECUTION -> .*FINAL$/m);
    const checkpoints = Number(/^(\d+) checkpoints$/m.exec(out)?.[1]);
    expect(checkpoints).toBeGreaterThanOrEqual(8);
    const historyRows = out.split("\n").filter((l) => /^\| -?\d+ \| /.test(l));
    expect(historyRows).toHaveLength(checkpoints);
    expect(historyRows[0]).toMatch(/^\| -1 \| __start__ /);
    expect(historyRows.at(-1)).toMatch(/\| \(done\) \|/);
    expect(out).toMatch(/^reasoning: .{20,}$/m);
    expect(out).toMatch(/^\| PWR-\d \| .+ \|$/m);
    // 3. the whole incident: dispatch table and restoration curve
    expect(out).toMatch(/^restored: the network is fully restored$/m);
    expect(out).toMatch(/^\| crew \| asset \| assigned \| arrived \| repaired \| status \|$/m);
    expect(
      out.split("\n").filter((l) => /^\| \S+ \| \S+ \| T\+\d\d:\d\d \| .* \| done \|$/.test(l)).length,
    ).toBeGreaterThan(0);
    expect(out).toMatch(/full restoration at T\+\d\d:\d\d/);
    expect(out).toMatch(/^\s+\d+ \|#+/m); // the ASCII chart
    expect(out).toMatch(/<svg [^>]*>[\s\S]*<polyline points="[\d., ]+"[\s\S]*<\/svg>/);
  });
});
