import type { SyncStatus } from "@xrm-offline/webapi";

export type TableState = "waiting" | "downloading" | "done";

export interface TableProgress {
  readonly table: string;
  readonly state: TableState;
  readonly done: number;
  /** Rows the server said to expect, or null while it hasn't said. */
  readonly total: number | null;
}

type Progress = { readonly done: number; readonly total: number; readonly table?: string } | null;

/**
 * Per-table progress of the first download, from `status$` (pure). The engine reports one table at
 * a time, in pull order; a table is done once the next one starts or the cycle ends. The engine
 * reports `total` equal to `done` while the server hasn't said how many rows to expect: that is
 * kept as "unknown" rather than shown as finished (unless the server said a total before, which the
 * last page reaches).
 */
export function firstSyncTracker(tables: readonly string[]) {
  const rows = new Map<string, TableProgress>(
    tables.map((t) => [t, { table: t, state: "waiting" as TableState, done: 0, total: null }]),
  );
  let current: string | null = null;
  const finish = (table: string | null) => {
    const row = table ? rows.get(table) : undefined;
    if (row && row.state !== "done")
      rows.set(row.table, { ...row, state: "done", total: row.total ?? row.done });
  };
  return {
    update(status: SyncStatus): readonly TableProgress[] {
      const p = status.progress as Progress;
      if (status.phase === "pulling" && p?.table && rows.has(p.table)) {
        if (current !== p.table) {
          // Tables before this one in pull order are finished.
          finish(current);
          for (const t of tables) {
            if (t === p.table) break;
            finish(t);
          }
          current = p.table;
        }
        // The last page brings `done` up to the total, where the engine's report looks like "not
        // said": a total the server gave earlier for this table still holds.
        const before = rows.get(p.table)?.total ?? null;
        rows.set(p.table, {
          table: p.table,
          state: "downloading",
          done: p.done,
          total: p.total > p.done ? p.total : before !== null && p.done <= before ? before : null,
        });
      } else if (status.phase === "idle" && status.lastSyncedAt) {
        for (const t of tables) finish(t);
        current = null;
      }
      return tables.map((t) => rows.get(t)!);
    },
  };
}
