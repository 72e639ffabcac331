/**
 * Blobs of binary values (a note's body, an image column's image: binary-blobs.ts) are collected in
 * the transaction that stops needing them: a record updated with a new value, deleted, acknowledged,
 * refreshed from the server or discarded. A record's blobs are the `blobs` rows whose id starts
 * with `<entity>|<id>|`; one is still needed while anything that may be read or sent refers to it:
 * - the row's columns, unless the row is a local tombstone (its body is never read again);
 * - the server values the row keeps aside for pending columns (`_server`: a discard reverts to them);
 * - the record's queued outbox entries and kept failures (they are sent, or retried, with it).
 * Files set with `api.files.set` or downloaded are keyed otherwise and belong to FileUploadStore.
 */
import type { Metadata } from "@xrm-offline/metadata";
import { binaryColumns, isBlobRef, type WriteOperation } from "@xrm-offline/odata";
import { changeKeyOf } from "./record-shape.ts";
import type { StoredRecord } from "./store-types.ts";
import type { XrmDatabase } from "./xrm-database.ts";

function collectRefs(values: Iterable<unknown>, into: Set<string>): void {
  for (const value of values) if (isBlobRef(value)) into.add(value["@xrm-offline.blob"]);
}

function refsOfRow(row: StoredRecord, into: Set<string>): void {
  if (!row._deleted) collectRefs(Object.values(row), into);
  for (const group of Object.values(row._server ?? {})) collectRefs(Object.values(group), into);
}

function refsOfOperation(op: WriteOperation, into: Set<string>): void {
  if (op.kind !== "delete") collectRefs(Object.values(op.columns), into);
}

/** Does this table have binary columns kept apart (so its records may own blobs)? */
export function ownsBlobs(metadata: Metadata, entity: string): boolean {
  return binaryColumns(metadata, entity).length > 0;
}

/**
 * Deletes the blobs of `records` that nothing refers to any more. Call it inside the `rw`
 * transaction (records, outbox, failures, blobs) that changed those records, after the change;
 * callers skip records of tables that don't `ownsBlobs` (a record without blobs costs one key read).
 */
export async function dropUnreferencedBlobs(
  db: XrmDatabase,
  records: Iterable<readonly [string, string]>,
): Promise<void> {
  for (const [entity, id] of records) {
    const owned = await db.blobs.where(":id").startsWith(`${entity}|${id}|`).primaryKeys();
    if (owned.length === 0) continue;
    const keep = new Set<string>();
    const row = await db.records.get([entity, id]);
    if (row) {
      refsOfRow(row, keep);
      const keys = row._changes.map((c) => changeKeyOf(entity, id, c.no));
      if (keys.length > 0) {
        for (const e of await db.outbox.where("changeKey").anyOf(keys).toArray()) {
          refsOfOperation(e.operation, keep);
        }
      }
    }
    for (const f of await db.failures.where("[entity+recordId]").equals([entity, id]).toArray()) {
      for (const e of f.entries) refsOfOperation(e.operation, keep);
    }
    const unused = owned.filter((blobId) => !keep.has(blobId));
    if (unused.length > 0) await db.blobs.bulkDelete(unused);
  }
}
