/**
 * A local write applied to a record row (pure): the row after the change, with the change listed
 * in `_changes` and, for columns that become pending, the server's values saved in `_server`.
 */
import type { WriteOperation } from "@xrm-offline/odata";
import {
  columnsOf,
  finishRow,
  groupKeys,
  groupsOf,
  lookupGroup,
  type MutableRow,
  pendingColumns,
  setGroup,
  type TargetName,
} from "./record-shape.ts";
import type { RecordChange, StoredRecord } from "./store-types.ts";

export interface ChangeContext {
  /** The change's number within the record (`_lastChange + 1`). */
  readonly no: number;
  /** The table's primary id attribute (`accountid`), set on created rows like the Web API does. */
  readonly primaryIdAttribute: string;
  readonly targetName: TargetName;
}

/**
 * `existing` must be undefined for a create and a live (not deleted) row otherwise; the caller
 * checks that first.
 */
export function applyChange(
  existing: StoredRecord | undefined,
  op: WriteOperation,
  ctx: ChangeContext,
): StoredRecord {
  const change: RecordChange = { no: ctx.no, kind: op.kind, columns: columnsOf(op), failed: false };
  if (op.kind === "create") {
    // A fresh row: columns are assigned directly (no groups to replace yet).
    const row: MutableRow = {
      _entity: op.entityLogicalName,
      _id: op.id,
      _server: null,
      _deleted: false,
      _lastChange: ctx.no,
      [ctx.primaryIdAttribute]: op.id,
    };
    for (const col of Object.keys(op.columns)) row[col] = op.columns[col];
    for (const l of op.lookups) Object.assign(row, lookupGroup(l, ctx.targetName));
    row._changes = [change];
    row._syncState = "pending";
    return row as StoredRecord;
  }
  if (!existing) throw new Error(`applyChange: ${op.kind} needs an existing row`);
  const row: MutableRow = { ...existing, _lastChange: ctx.no };
  if (op.kind === "delete") {
    row._deleted = true;
    return finishRow(row, [...existing._changes, change]);
  }
  // Save the server's value of each column that becomes pending now, so a discarded change can
  // be reverted. A row that exists only locally (`_server` null) has no server values.
  if (existing._server !== null) {
    const already = pendingColumns(existing._changes);
    const server: MutableRow = { ...existing._server };
    for (const col of change.columns) {
      if (already.has(col)) continue;
      const keys = groupKeys(row, col);
      const saved: MutableRow = {};
      for (const k of keys) saved[k] = row[k];
      server[col] = saved;
    }
    row._server = server;
  }
  for (const [col, group] of groupsOf(op, ctx.targetName)) setGroup(row, col, group);
  return finishRow(row, [...existing._changes, change]);
}
