/**
 * Argument schemas of every tool, shared by the native tool-calling protocol and the JSON
 * action protocol so that both validate a call the same way. Names are snake_case: they are
 * what the model sees.
 */
import { MAX_REASONING_CHARS } from "../limits.js";
import { z } from "zod";

const ids = (what: string) => z.array(z.string().min(1)).min(1).max(500).describe(what);

export const GetWeatherArgs = z.object({
  locations: ids('Asset ids, crew ids, or "x,y" points. Ask for all the places you care about in one call.'),
});
export const GetAvailableCrewsArgs = z.object({});
export const CrewIdsArgs = z.object({ crew_ids: ids("Crew ids. Ask for several crews in one call.") });
export const CrewAssetMatrixArgs = z.object({
  crew_ids: ids("Crew ids."),
  asset_ids: ids("Damaged asset ids. Every crew is estimated against every asset."),
  after: z
    .union([z.enum(["current_job", "queue"]), z.number().int().min(0).max(500)])
    .optional()
    .describe(
      '"current_job": right after the job it is on; "queue": after its whole queue (default); a number: before that queue entry (0 = first).',
    ),
});
export const ProposeDispatchPlanArgs = z.object({
  asset_ids: z
    .array(z.string().min(1))
    .max(5000)
    .optional()
    .describe("Only plan these damaged assets (default: every damaged asset no crew has)."),
});
export const AssignRepairCrewArgs = z.object({
  assignments: z
    .array(
      z.object({
        crew_id: z.string().min(1).describe("The crew."),
        asset_ids: z
          .array(z.string().min(1))
          .min(1)
          .max(500)
          .describe("Damaged assets for this crew, in the order it should repair them."),
      }),
    )
    .min(1)
    .max(500)
    .optional()
    .describe(
      "One entry per crew; each damaged asset at most once in the whole plan. Omit it to adopt a proposal whole with proposal_id.",
    ),
  proposal_id: z
    .string()
    .min(1)
    .max(100)
    .optional()
    .describe(
      "Adopt a propose_dispatch_plan proposal whole, by its id, instead of listing the assignments (useful on large incidents).",
    ),
  reasoning: z
    .string()
    .max(MAX_REASONING_CHARS)
    .describe("Why this plan: the facts that decided it, in a few sentences."),
  reassign: z
    .boolean()
    .optional()
    .describe("Set true only to move assets that are queued (not started) with another crew."),
});
/** The what-if takes a plan as assign_repair_crew does, reasoning optional (the JSON protocol lists the schema once). */
export const SimulatePlanArgs = AssignRepairCrewArgs.extend({
  reasoning: AssignRepairCrewArgs.shape.reasoning.optional(),
});
export type AssignRepairCrewInput = z.infer<typeof AssignRepairCrewArgs>;
