/**
 * Writes scenarios/scenario.schema.json, the JSON Schema of the scenario format, from the zod
 * ScenarioSchema (the single source of truth). Editors use it for completion and checking:
 * add `"$schema": "./scenario.schema.json"` to a scenario file.
 *
 *   npx tsx scripts/export-scenario-schema.ts
 *
 * io "input": fields with defaults are optional, as a scenario author writes them. Cross-reference
 * checks (unknown nodes, duplicate ids, ...) live in the zod refinement and are not expressible here.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { ScenarioSchema } from "../src/world/scenario/schema.js";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const OUT = join(REPO, "scenarios", "scenario.schema.json");

const schema = z.toJSONSchema(ScenarioSchema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
const properties = (schema.properties ?? {}) as Record<string, unknown>;
const out = {
  ...schema,
  title: "Scenario",
  description:
    "A disaster scenario for the network simulator: networks of nodes and links, dependencies between them, crews, weather and damage. " +
    "Generated from src/world/scenario/schema.ts by scripts/export-scenario-schema.ts; do not edit by hand.",
  // Editors put "$schema" in the document itself; the loader allows it (and refuses other unknown keys).
  properties: { $schema: { type: "string" }, ...properties },
};
mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(OUT, JSON.stringify(out, null, 2) + "\n");
console.log(`wrote ${OUT}`);
