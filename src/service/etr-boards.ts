/**
 * The incidents' ETR boards in PostgreSQL (table infra.etr_boards): each outage area's ETRs over
 * the planning rounds, with their reasons. A board is brought up to date when its region's world
 * has changed since it was last computed (new dispatches: a planning round reached the field; a
 * crew arrived, was held or finished; new damage; more customers out), and written at once, so that a restarted service, or another instance behind a load
 * balancer, publishes the same ETRs with the same history. Instances that compute at the same
 * time take turns (a version column): the one that loses reads the winner's board.
 */
import { EtrBoard, estimateOutageAreas, type AreaHistory } from "../planning/etr.js";
import type { World } from "../world/simulator.js";
import type { DispatchStatus } from "../world/types.js";
import type { Queryable } from "./store.js";

/** What of the world moves an ETR, besides new dispatches: each dispatch's status (a letter each), repairs done, damage, customers out. */
export interface FieldProgress {
  statuses: string;
  repaired: number;
  damaged: number;
  populationOut: number;
}

export interface StoredBoard {
  version: number;
  /** The world the board was last computed on: its dispatch count, its progress, its minute. */
  dispatches: number;
  progress: FieldProgress;
  worldMinute: number;
  board: EtrBoard;
}

const STATUS_CODE: Record<DispatchStatus, string> = {
  queued: "q",
  travelling: "t",
  on_hold: "h",
  repairing: "r",
  done: "d",
  cancelled: "c",
  reassigned: "a",
};

export function progressOf(world: World): FieldProgress {
  const d = world.dispatches();
  return {
    statuses: d.map((x) => STATUS_CODE[x.status]).join(""),
    repaired: d.filter((x) => x.status === "done").length,
    damaged: world.damagedCount(),
    populationOut: world.detectFailures().populationOut,
  };
}

export async function loadBoard(db: Queryable, incidentId: string): Promise<StoredBoard | undefined> {
  const r = await db.query(`SELECT * FROM infra.etr_boards WHERE incident_id = $1`, [incidentId]);
  const row = r.rows[0];
  if (!row) return undefined;
  return {
    version: Number(row.version),
    dispatches: Number(row.dispatches),
    progress: row.progress as FieldProgress,
    worldMinute: Number(row.world_minute),
    board: EtrBoard.from(row.board as AreaHistory[]),
  };
}

/** Write the board if nobody wrote it since `version` was read (0: no board yet); false when someone did. */
export async function saveBoard(
  db: Queryable,
  incidentId: string,
  version: number,
  b: Omit<StoredBoard, "version">,
): Promise<boolean> {
  const values = [
    incidentId,
    version + 1,
    b.dispatches,
    JSON.stringify(b.progress),
    b.worldMinute,
    JSON.stringify(b.board),
  ];
  const r =
    version === 0
      ? await db.query(
          `INSERT INTO infra.etr_boards (incident_id, version, dispatches, progress, world_minute, board)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (incident_id) DO NOTHING`,
          values,
        )
      : await db.query(
          `UPDATE infra.etr_boards SET version = $2, dispatches = $3, progress = $4, world_minute = $5, board = $6,
                  updated_at = now() WHERE incident_id = $1 AND version = $2 - 1`,
          values,
        );
  return (r.rowCount ?? 0) > 0;
}

const sameProgress = (a: FieldProgress, b: FieldProgress) =>
  a.statuses === b.statuses &&
  a.repaired === b.repaired &&
  a.damaged === b.damaged &&
  a.populationOut === b.populationOut;

function contextOf(dispatches: number, progress: FieldProgress, stored: StoredBoard | undefined): string {
  if (dispatches === 0) return "no crew dispatched yet";
  if (!stored || dispatches !== stored.dispatches)
    return `planning round: ${dispatches - (stored?.dispatches ?? 0)} new dispatch(es) in the field`;
  if (progress.repaired > stored.progress.repaired) return "a repair was completed";
  if (progress.damaged > stored.progress.damaged) return "new damage in the field";
  if (progress.populationOut > stored.progress.populationOut) return "more customers lost service";
  return "the crews' progress in the field";
}

/**
 * The incident's board, brought up to date with `world` (its region's world as the field knows
 * it) and stored when that changed it. A world behind the stored board (an instance whose field
 * has not caught up yet) leaves the board as it is.
 */
export async function currentBoard(db: Queryable, incidentId: string, world: World): Promise<EtrBoard> {
  const dispatches = world.dispatchLog().length;
  const progress = progressOf(world);
  for (let attempt = 0; attempt < 3; attempt++) {
    const stored = await loadBoard(db, incidentId);
    if (stored && stored.dispatches === dispatches && sameProgress(stored.progress, progress)) return stored.board;
    if (stored && (stored.dispatches > dispatches || stored.worldMinute > world.now())) return stored.board;
    const board = stored?.board ?? new EtrBoard();
    board.update(world.now(), estimateOutageAreas(world), contextOf(dispatches, progress, stored));
    if (
      await saveBoard(db, incidentId, stored?.version ?? 0, { dispatches, progress, worldMinute: world.now(), board })
    )
      return board;
  }
  // Others kept writing: theirs is as good (computed on a world at least as far along).
  const last = await loadBoard(db, incidentId);
  return last?.board ?? new EtrBoard();
}
