/**
 * How things end, in one vocabulary: a graph run (the FINAL node's status), an incident (what the runner returns, the
 * CLI prints and exits with) and an evaluation episode. The same word means the same thing in each:
 *
 * - `stable`: every damaged asset that can be worked has a crew; `waiting`: damaged assets wait for a crew able to
 *   take them; `error`: a fault ended it; `max_steps`: the step limit did.
 * - `healthy` (a run only): nothing was damaged or out of service when it looked.
 * - `no_crew_can_work` (a run only): the work left is work no crew can take (skills, a shift too short); the
 *   incident it belongs to ends `unrestorable`.
 * - `restored` / `unrestorable` (an incident, an episode): the network came back fully / cannot, with the crews there are.
 * - `max_rounds` (an episode only): the evaluation's own bound on planning rounds.
 */

/** A graph run's status in state: `running` until FINAL sets how it ended. */
export const RUN_STATUSES = [
  "running",
  "healthy",
  "stable",
  "waiting",
  "no_crew_can_work",
  "max_steps",
  "error",
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
/** How a run ended (what FINAL writes). */
export type RunOutcome = Exclude<RunStatus, "running">;

/** Where an incident stands when the runner returns. */
export type IncidentStatus =
  | "restored"
  | "unrestorable"
  | Extract<RunOutcome, "stable" | "waiting" | "max_steps" | "error">;

/** How an evaluation episode (the same incident under a planner, without the graph) ended. */
export type EpisodeStatus = Extract<IncidentStatus, "restored" | "unrestorable" | "stable"> | "max_rounds";
