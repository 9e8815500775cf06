/** Runs fn, expects a ScenarioError, returns its issues. */
import { expect } from "vitest";
import { ScenarioError } from "../../src/world/scenario/issues.js";

export function issuesOf(fn: () => unknown): { where: string; message: string }[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioError);
    return (err as ScenarioError).issues;
  }
  throw new Error("expected a ScenarioError");
}
