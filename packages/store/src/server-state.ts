/**
 * Server state applied to record rows (pure): pulled rows, acknowledgements, reverts.
 * Invariant 6: a server value never overwrites a column with a pending local change; it is kept
 * in `_server` instead, where a later revert finds it.
 */
import type { WriteOperation } from "@xrm-offline/odata";
import {
  columnOf,
  columnsOf,
  finishRow,
  groupsOf,
  isForbiddenKey,
  type MutableRow,
  pendingColumns,
  setGroup,
  type TargetName,
} from "./record-shape.ts";
import type { RecordChange, ServerAck, StoredRecord } from "./store-types.ts";

const ETAG = "@odata.etag";

/** Groups a server row's properties by column; drops OData control annotations and hostile keys. */
function serverGroups(serverRow: Readonly<Record<string, unknown>>): {
  groups: Map<string, MutableRow>;
  etag?: string;
} {
  const groups = new Map<string, MutableRow>();
  let etag: string | undefined;
  for (const [k, v] of Object.entries(serverRow)) {
    if (k === ETAG) {
      if (typeof v === "string") etag = v;
      continue;
    }
    if (k.startsWith("@") || isForbiddenKey(k)) continue;
    const col = columnOf(k);
    if (isForbiddenKey(col)) continue;
    let g = groups.get(col);
    if (!g) {
      g = {};
      groups.set(col, g);
    }
    g[k] = v;
  }
  return etag === undefined ? { groups } : { groups, etag };
}

/** Merges server values into `row` (mutated), keeping pending columns' server values aside. */
function mergeServerValues(
  row: MutableRow,
  serverRow: Readonly<Record<string, unknown>>,
  pending: Set<string>,
) {
  const { groups, etag } = serverGroups(serverRow);
  const server: Record<string, MutableRow> = {
    ...((row._server as Record<string, MutableRow> | null) ?? {}),
  };
  for (const [col, g] of groups) {
    if (pending.has(col)) server[col] = g;
    else setGroup(row, col, g);
  }
  row._server = server;
  if (etag !== undefined) {
    row[ETAG] = etag;
    row._serverEtag = etag;
  }
}

/** A pulled server row applied to the local row (which may not exist yet). */
export function applyServerRow(
  existing: StoredRecord | undefined,
  entity: string,
  id: string,
  serverRow: Readonly<Record<string, unknown>>,
): StoredRecord {
  const changes: readonly RecordChange[] = existing?._changes ?? [];
  const row: MutableRow = existing
    ? { ...existing, _server: existing._server ?? {} }
    : { _entity: entity, _id: id, _server: {}, _deleted: false };
  mergeServerValues(row, serverRow, pendingColumns(changes));
  return finishRow(row, changes);
}

/**
 * The row after the server acknowledged change `seq` (whose operation is `op`); null when the
 * acknowledged change was the delete (the row goes away).
 */
export function acknowledgeChange(
  row: StoredRecord,
  seq: number,
  op: WriteOperation,
  ack: ServerAck | undefined,
  targetName: TargetName,
): StoredRecord | null {
  if (op.kind === "delete") return null;
  const changes = row._changes.filter((c) => c.seq !== seq);
  const stillPending = pendingColumns(changes);
  const out: MutableRow = { ...row };
  // The server now holds what this change sent; where a later change is still pending, that value
  // is the server's value of the column.
  const server: Record<string, MutableRow> = {
    ...((row._server as Record<string, MutableRow> | null) ?? {}),
  };
  const sent = groupsOf(op, targetName);
  for (const col of columnsOf(op)) server[col] = sent.get(col) ?? {};
  // A record that existed only here now exists on the server with just what the create sent.
  if (row._server === null) for (const col of stillPending) server[col] ??= {};
  for (const col of Object.keys(server)) if (!stillPending.has(col)) delete server[col];
  out._server = server;
  if (ack?.etag !== undefined) {
    out[ETAG] = ack.etag;
    out._serverEtag = ack.etag;
  }
  if (ack?.row) mergeServerValues(out, ack.row, stillPending);
  return finishRow(out, changes);
}

/**
 * The row after discarding change `seq`: its columns go back to the value of the latest earlier
 * change still pending, else to the server's value; a discarded create removes the row (null);
 * a discarded delete makes the row visible again. `ops` holds the operations of the row's other
 * changes.
 */
export function revertChange(
  row: StoredRecord,
  seq: number,
  ops: ReadonlyMap<number, WriteOperation>,
  targetName: TargetName,
): StoredRecord | null {
  const target = row._changes.find((c) => c.seq === seq);
  if (!target) return row;
  if (target.kind === "create") return null;
  const changes = row._changes.filter((c) => c.seq !== seq);
  const out: MutableRow = { ...row };
  if (target.kind === "delete") {
    out._deleted = false;
    return finishRow(out, changes);
  }
  const server = row._server as Record<string, MutableRow> | null;
  for (const col of target.columns) {
    if (changes.some((c) => c.seq > seq && c.columns.includes(col))) continue;
    const earlier = changes.filter((c) => c.seq < seq && c.columns.includes(col)).at(-1);
    const earlierOp = earlier ? ops.get(earlier.seq) : undefined;
    if (earlierOp) setGroup(out, col, groupsOf(earlierOp, targetName).get(col) ?? {});
    else setGroup(out, col, server?.[col] ?? {});
  }
  if (server) {
    const stillPending = pendingColumns(changes);
    const kept: Record<string, MutableRow> = {};
    for (const [col, g] of Object.entries(server)) if (stillPending.has(col)) kept[col] = g;
    out._server = kept;
  }
  return finishRow(out, changes);
}
