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

/**
 * Merges server values into `row` (mutated), keeping pending columns' server values aside in
 * `_server`. OData control annotations and hostile keys are dropped. Linear in the row's width
 * (a pull writes thousands of rows of ~150 columns each).
 */
function mergeServerValues(
  row: MutableRow,
  serverRow: Readonly<Record<string, unknown>>,
  pending: Set<string>,
  omitNulls = false,
  keepEtag = false,
) {
  const keys: string[] = [];
  const cols: string[] = [];
  const replaced = new Set<string>();
  let etag: string | undefined;
  for (const k of Object.keys(serverRow)) {
    if (k === ETAG) {
      const v = serverRow[k];
      if (typeof v === "string") etag = v;
      continue;
    }
    if (k.startsWith("@") || isForbiddenKey(k)) continue;
    const col = columnOf(k);
    if (isForbiddenKey(col)) continue;
    keys.push(k);
    cols.push(col);
    if (!pending.has(col)) replaced.add(col);
  }
  // The old keys (value and annotations) of the replaced columns go first, in one pass.
  for (const k of Object.keys(row)) if (replaced.has(columnOf(k))) delete row[k];
  const server: Record<string, MutableRow> = {
    ...((row._server as Record<string, MutableRow> | null) ?? {}),
  };
  const fresh = new Set<string>();
  keys.forEach((k, i) => {
    const col = cols[i]!;
    if (!pending.has(col)) {
      const v = serverRow[k];
      if (v !== null || !omitNulls) row[k] = v;
      return;
    }
    // A pending column: the server's whole group is kept aside, replacing the one kept before.
    if (!fresh.has(col)) {
      fresh.add(col);
      server[col] = {};
    }
    server[col]![k] = serverRow[k];
  });
  row._server = server;
  if (etag !== undefined && !keepEtag) {
    row[ETAG] = etag;
    row._serverEtag = etag;
  }
}

/**
 * A server row applied to the local row (which may not exist yet). `pulled`: it comes from a pull,
 * not from the answer to one of our own changes (a conflict's refresh).
 */
export function applyServerRow(
  existing: StoredRecord | undefined,
  entity: string,
  id: string,
  serverRow: Readonly<Record<string, unknown>>,
  omitNulls = false,
  pulled = false,
): StoredRecord {
  const changes: readonly RecordChange[] = existing?._changes ?? [];
  const row: MutableRow = existing
    ? { ...existing, _server: existing._server ?? {} }
    : { _entity: entity, _id: id, _server: {}, _deleted: false, _lastChange: 0 };
  // A pulled record with pending changes keeps the ETag its changes were made against: with
  // conflict detection, the push must send that version, so a server change pulled in the meantime
  // is a conflict (server wins) instead of being silently overwritten by the local values. A
  // conflict's refresh does move it on, so that a retry the user chooses can overwrite.
  mergeServerValues(row, serverRow, pendingColumns(changes), omitNulls, pulled && changes.length > 0);
  return finishRow(row, changes);
}

/**
 * The row after the server acknowledged change `no` (whose operation is `op`); null when the
 * acknowledged change was the delete (the row goes away).
 */
export function acknowledgeChange(
  row: StoredRecord,
  no: number,
  op: WriteOperation,
  ack: ServerAck | undefined,
  targetName: TargetName,
): StoredRecord | null {
  if (op.kind === "delete") return null;
  const changes = row._changes.filter((c) => c.no !== no);
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
 * The row after discarding change `no`: its columns go back to the value of the latest earlier
 * change still pending, else to the server's value; a discarded create removes the row (null);
 * a discarded delete makes the row visible again. `ops` holds the operations of the row's other
 * changes, by change number.
 */
export function revertChange(
  row: StoredRecord,
  no: number,
  ops: ReadonlyMap<number, WriteOperation>,
  targetName: TargetName,
): StoredRecord | null {
  const target = row._changes.find((c) => c.no === no);
  if (!target) return row;
  if (target.kind === "create") return null;
  const changes = row._changes.filter((c) => c.no !== no);
  const out: MutableRow = { ...row };
  if (target.kind === "delete") {
    out._deleted = false;
    return finishRow(out, changes);
  }
  const server = row._server as Record<string, MutableRow> | null;
  for (const col of target.columns) {
    if (changes.some((c) => c.no > no && c.columns.includes(col))) continue;
    const earlier = changes.filter((c) => c.no < no && c.columns.includes(col)).at(-1);
    const earlierOp = earlier ? ops.get(earlier.no) : undefined;
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
