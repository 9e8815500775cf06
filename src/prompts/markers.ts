/**
 * Markers the controller puts in messages to the model, exported so that whoever reads the
 * conversation (the offline planner, tests) recognises them structurally, not by a prompt's
 * wording. A leaf module: it imports nothing.
 */

/** Starts every feedback message: a refused plan, an operator's rejection, an unusable answer. */
export const FEEDBACK_MARKER = "[feedback]";

export function isFeedback(text: string): boolean {
  return (
    text.startsWith(FEEDBACK_MARKER) || text.startsWith(`Result of assign_repair_crew (error):\n${FEEDBACK_MARKER}`)
  );
}
