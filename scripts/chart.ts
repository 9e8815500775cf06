/** Writes the FSM chart (graph.getGraph().drawMermaid()) into README.md. */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { withChart } from "../src/graph/chart.js";

const readme = fileURLToPath(new URL("../README.md", import.meta.url));
writeFileSync(readme, withChart(readFileSync(readme, "utf8")));
console.log("README.md: FSM chart updated");
