/**
 * Runs an incident and keeps its ETR board: after every planning round that dispatched
 * (EXECUTION), the outage areas are estimated from the world the plan was applied to. Used by
 * the evaluation, the tests and (through the same board) the service.
 */
import { SimulatorWorldProvider } from "../graph/world-provider.js";
import { EtrBoard, estimateOutageAreas, type OutageArea } from "../planning/etr.js";
import { type IncidentOptions, type IncidentResult, runIncident } from "./runner.js";

export interface EtrRound {
  at: number;
  areas: OutageArea[];
}

export async function runIncidentWithEtrs(
  options: IncidentOptions & { board?: EtrBoard } = {},
): Promise<{ result: IncidentResult; board: EtrBoard; rounds: EtrRound[] }> {
  const worlds = options.worlds ?? new SimulatorWorldProvider();
  const board = options.board ?? new EtrBoard();
  const rounds: EtrRound[] = [];
  let trigger: { kind: string; at: number; message: string } | undefined;
  let incidentId = options.incidentId;
  const result = await runIncident({
    ...options,
    worlds,
    onTrigger: (t, run) => {
      trigger = t;
      options.onTrigger?.(t, run);
    },
    onStep: (state, update, run) => {
      options.onStep?.(state, update, run);
      if (state === "INIT" && update.incidentId) incidentId = update.incidentId;
      if (state !== "EXECUTION" || !incidentId) return;
      const world = worlds.peek(incidentId);
      if (!world) return;
      const at = world.now();
      const areas = estimateOutageAreas(world);
      rounds.push({ at, areas });
      board.update(at, areas, roundContext(at, trigger));
    },
  });
  return { result, board, rounds };
}

export function roundContext(at: number, trigger: { kind: string; at: number; message: string } | undefined): string {
  const when = `planning round at ${clock(at)}`;
  if (!trigger) return when;
  return trigger.at === at
    ? `${when} after ${trigger.kind}: ${trigger.message}`
    : `${when}, new failures found on re-check`;
}

function clock(m: number): string {
  const r = Math.round(m);
  return `T+${String(Math.floor(r / 60)).padStart(2, "0")}:${String(r % 60).padStart(2, "0")}`;
}
