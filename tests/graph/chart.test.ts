import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { chartBlock, fsmChartMermaid } from "../../src/graph/chart.js";
import { FSM_STATES } from "../../src/graph/state.js";
import { CHECK_LABELS } from "../../src/graph/routes.js";

describe("the state machine's chart", () => {
  it("shows the seven states and the three checks of the original flow chart", () => {
    const chart = fsmChartMermaid();
    for (const s of FSM_STATES) expect(chart).toMatch(new RegExp(`\\b${s}\\(${s}\\)`));
    for (const labels of Object.values(CHECK_LABELS))
      for (const label of Object.values(labels)) expect(chart).toContain(label);
    expect(chart).toMatch(/RESCHEDULING -\. &nbsp;New failures\? Yes \(cascade\)&nbsp; \.-> FAILURE_DETECTION/);
    expect(chart).toMatch(/REPAIR_PLANNING -\. &nbsp;Invalid \/ error&nbsp; \.-> REPAIR_PLANNING/);
  });

  it("is current in the README (regenerate with `npm run chart`)", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    expect(readme).toContain(chartBlock());
  });
});
