/**
 * The scenario format: one JSON document (or a CSV folder imported into the same shape).
 *
 * The zod schema is the single source of truth: the loader validates with it, the JSON Schema
 * for editors is generated from it (scripts/export-scenario-schema.ts), and the rest of the
 * world reads the inferred `Scenario` type. Cross-references (links to nodes, dependencies,
 * damage, duplicate ids) are checked in `superRefine` so that every error names its path.
 */
import { z } from "zod";
import { MAX_SCENARIO_TEXT_CHARS, MAX_STORM_EXPECTED_DAMAGE } from "../../limits.js";

/** Free text written by people (names, notes): bounded, so that one field cannot flood state or prompts. */
const text = () => z.string().max(MAX_SCENARIO_TEXT_CHARS, `at most ${MAX_SCENARIO_TEXT_CHARS} characters`);

export const CoordinatesSchema = z.union([
  z.literal("lonlat").describe("Longitude/latitude in degrees; distances are great-circle."),
  z
    .strictObject({
      kind: z.literal("xy"),
      unit: z.enum(["m", "km", "ft", "kft", "mi"]).describe("Unit of x and y."),
    })
    .describe("Planar coordinates; distances are Euclidean in the stated unit."),
]);

export const NodeRoleSchema = z.enum(["supply", "demand", "transit"]);

export const NodeSchema = z.strictObject({
  id: z.string().min(1),
  network: z.string().min(1),
  type: z.string().min(1).describe("Asset type, e.g. substation, pumping_station, hospital."),
  name: text().optional().describe("Human name. Free text: treated as data, never as instructions."),
  x: z.number().finite().describe("Longitude or planar x."),
  y: z.number().finite().describe("Latitude or planar y."),
  population: z.number().finite().nonnegative().default(0).describe("People served at this node."),
  criticality: z
    .number()
    .finite()
    .positive()
    .default(1)
    .describe("Weight per person; hospitals and similar critical customers are above 1."),
  role: NodeRoleSchema.default("demand"),
  note: text().optional(),
});

export const LinkSchema = z.strictObject({
  id: z.string().min(1),
  network: z.string().min(1),
  type: z.string().min(1).default("line"),
  from: z.string().min(1),
  to: z.string().min(1),
  lengthKm: z.number().finite().nonnegative().optional().describe("Length; defaults to the distance between its ends."),
});

export const DependencySchema = z.strictObject({
  dependee: z.string().min(1).describe("Node that must be in service (e.g. the substation feeding a pump)."),
  depender: z.string().min(1).describe("Node that works only while the dependee is in service."),
  bufferHours: z
    .number()
    .finite()
    .nonnegative()
    .default(0)
    .describe("How long the depender keeps working after losing the dependee (generator, tank)."),
});

export const CrewSchema = z.strictObject({
  id: z.string().min(1),
  name: z.string().optional(),
  x: z.number().finite(),
  y: z.number().finite(),
  skills: z.array(z.string().min(1)).min(1, "a crew needs at least one skill (a network it can repair)"),
  capacityHours: z.number().finite().positive().describe("Remaining shift capacity in hours (travel plus repair)."),
  speedKmh: z.number().finite().positive().default(40),
});

export const WeatherConditionSchema = z.enum([
  "clear",
  "rain",
  "storm",
  "high_wind",
  "lightning",
  "snow",
  "heat",
  "fog",
]);

export const WeatherPeriodSchema = z.strictObject({
  condition: WeatherConditionSchema,
  fromMinutes: z.number().finite().nonnegative(),
  toMinutes: z.number().finite().positive(),
  area: z
    .strictObject({
      x: z.number().finite(),
      y: z.number().finite(),
      radiusKm: z.number().finite().positive(),
    })
    .optional()
    .describe("Circle the condition covers; absent means the whole region."),
  travelFactor: z.number().finite().positive().optional().describe("Multiplier on travel time; defaults by condition."),
  repairFactor: z.number().finite().positive().optional().describe("Multiplier on repair time; defaults by condition."),
  stopsWork: z.boolean().optional().describe("Outdoor work stops while it lasts (lightning by default)."),
  damageRatePerHour: z
    .number()
    .finite()
    .nonnegative()
    .optional()
    .describe("Expected new damaged assets per hour, drawn from the scenario's seed."),
});

export const DamageSchema = z.strictObject({
  asset: z.string().min(1),
  atMinutes: z.number().finite().nonnegative().default(0),
});

export const ScenarioSchema = z
  .strictObject({
    /** Editors point at the JSON Schema with it; the loader ignores its value. */
    $schema: z.string().optional(),
    name: z.string().min(1),
    description: text().optional(),
    coordinates: CoordinatesSchema,
    startTime: z.string().default("2026-01-01T00:00:00Z").describe("Wall-clock time of minute 0, for display."),
    seed: z.number().int().default(1),
    networks: z.array(z.string().min(1)).optional().describe("Known networks; defaults to those the nodes name."),
    repairMinutes: z
      .record(z.string(), z.number().finite().positive())
      .default({})
      .describe("Repair time by asset type, in minutes."),
    defaultRepairMinutes: z.number().finite().positive().default(120),
    nodes: z.array(NodeSchema).min(1),
    links: z.array(LinkSchema).default([]),
    dependencies: z.array(DependencySchema).default([]),
    crews: z.array(CrewSchema).default([]),
    weather: z.array(WeatherPeriodSchema).default([]),
    damage: z.array(DamageSchema).default([]),
    assumptions: z.array(text()).optional().describe("What the scenario's author added to the source data, in words."),
  })
  .superRefine((s, ctx) => {
    const networks = new Set(s.networks ?? s.nodes.map((n) => n.network));
    const nodeById = new Map<string, (typeof s.nodes)[number]>();
    const assetIds = new Set<string>();
    s.nodes.forEach((n, i) => {
      if (assetIds.has(n.id))
        ctx.addIssue({ code: "custom", path: ["nodes", i, "id"], message: `duplicate id "${n.id}"` });
      assetIds.add(n.id);
      nodeById.set(n.id, n);
      if (!networks.has(n.network))
        ctx.addIssue({ code: "custom", path: ["nodes", i, "network"], message: `unknown network "${n.network}"` });
    });
    s.links.forEach((l, i) => {
      if (assetIds.has(l.id))
        ctx.addIssue({ code: "custom", path: ["links", i, "id"], message: `duplicate id "${l.id}"` });
      assetIds.add(l.id);
      if (!networks.has(l.network))
        ctx.addIssue({ code: "custom", path: ["links", i, "network"], message: `unknown network "${l.network}"` });
      for (const end of ["from", "to"] as const) {
        const node = nodeById.get(l[end]);
        if (!node) ctx.addIssue({ code: "custom", path: ["links", i, end], message: `unknown node "${l[end]}"` });
        else if (node.network !== l.network)
          ctx.addIssue({
            code: "custom",
            path: ["links", i, end],
            message: `node "${l[end]}" is in network "${node.network}", not "${l.network}"`,
          });
      }
    });
    s.dependencies.forEach((d, i) => {
      for (const end of ["dependee", "depender"] as const) {
        if (!nodeById.has(d[end]))
          ctx.addIssue({ code: "custom", path: ["dependencies", i, end], message: `unknown node "${d[end]}"` });
      }
      if (d.dependee === d.depender)
        ctx.addIssue({ code: "custom", path: ["dependencies", i], message: "a node cannot depend on itself" });
    });
    const crewIds = new Set<string>();
    s.crews.forEach((c, i) => {
      if (crewIds.has(c.id))
        ctx.addIssue({ code: "custom", path: ["crews", i, "id"], message: `duplicate crew id "${c.id}"` });
      crewIds.add(c.id);
      c.skills.forEach((k, j) => {
        if (!networks.has(k))
          ctx.addIssue({ code: "custom", path: ["crews", i, "skills", j], message: `unknown network "${k}"` });
      });
    });
    s.damage.forEach((d, i) => {
      if (!assetIds.has(d.asset))
        ctx.addIssue({ code: "custom", path: ["damage", i, "asset"], message: `unknown asset "${d.asset}"` });
    });
    s.weather.forEach((w, i) => {
      if (w.toMinutes <= w.fromMinutes)
        ctx.addIssue({ code: "custom", path: ["weather", i, "toMinutes"], message: "must be after fromMinutes" });
      const expected = ((w.damageRatePerHour ?? 0) * (w.toMinutes - w.fromMinutes)) / 60;
      if (!(expected <= MAX_STORM_EXPECTED_DAMAGE))
        ctx.addIssue({
          code: "custom",
          path: ["weather", i, "damageRatePerHour"],
          message: `expects ${expected.toExponential(2)} breaks over this period (${w.damageRatePerHour} an hour for ${((w.toMinutes - w.fromMinutes) / 60).toExponential(2)} hours); at most ${MAX_STORM_EXPECTED_DAMAGE.toLocaleString("en-US")}`,
        });
    });
    if (!s.nodes.some((n) => n.role === "supply"))
      ctx.addIssue({ code: "custom", path: ["nodes"], message: "no supply node: nothing can be in service" });
  });

/** A scenario as written (defaults optional). */
export type ScenarioInput = z.input<typeof ScenarioSchema>;
/** A validated scenario with every default applied. */
export type Scenario = z.output<typeof ScenarioSchema>;
export type ScenarioNode = Scenario["nodes"][number];
export type ScenarioLink = Scenario["links"][number];
export type ScenarioCrew = Scenario["crews"][number];
export type WeatherPeriod = Scenario["weather"][number];
export type WeatherCondition = z.infer<typeof WeatherConditionSchema>;
export type Coordinates = z.infer<typeof CoordinatesSchema>;
