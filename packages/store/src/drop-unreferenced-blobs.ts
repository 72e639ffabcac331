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

/** The prefix of every blob id a record owns. */
function ownerPrefix(entity: string, id: string): string {
  return `${entity}|${id}|`;
}

/**
 * The blob ids each of `ids` (records of `entity`) owns, keyed by record id; records owning none
 * are absent. One keys-only read of the ids' range, not one read per record: a pulled page of
 * 2,000 accounts (a table with an image column) owns no blob at all on a first sync, and one read
 * per row made each page 2,000 sequential IndexedDB requests. When that range holds many more
 * blobs than the records could own (other records' in between), each record is read on its own.
 */
async function ownedBlobs(
  db: XrmDatabase,
  entity: string,
  ids: readonly string[],
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (ids.length === 0) return out;
  let low = ids[0]!;
  let high = ids[0]!;
  for (const id of ids) {
    if (id < low) low = id;
    if (id > high) high = id;
  }
  const budget = ids.length * 4 + 16;
  const keys = (await db.blobs
    .where(":id")
    .between(ownerPrefix(entity, low), `${ownerPrefix(entity, high)}\uffff`, true, true)
    .limit(budget + 1)
    .primaryKeys()) as string[];
  if (keys.length > budget) {
    for (const id of ids) {
      const owned = (await db.blobs
        .where(":id")
        .startsWith(ownerPrefix(entity, id))
        .primaryKeys()) as string[];
      if (owned.length > 0) out.set(id, owned);
    }
    return out;
  }
  const wanted = new Set(ids);
  const start = entity.length + 1;
  for (const key of keys) {
    const id = key.slice(start, key.indexOf("|", start));
    if (!wanted.has(id)) continue;
    const list = out.get(id);
    if (list) list.push(key);
    else out.set(id, [key]);
  }
  return out;
}

/**
 * Deletes the blobs of `records` that nothing refers to any more. Call it inside the `rw`
 * transaction (records, outbox, failures, blobs) that changed those records, after the change;
 * callers skip records of tables that don't `ownsBlobs`. Records that own no blob cost nothing
 * beyond one keys-only read per table.
 */
export async function dropUnreferencedBlobs(
  db: XrmDatabase,
  records: Iterable<readonly [string, string]>,
): Promise<void> {
  const byEntity = new Map<string, string[]>();
  for (const [entity, id] of records) {
    const ids = byEntity.get(entity);
    if (ids) ids.push(id);
    else byEntity.set(entity, [id]);
  }
  for (const [entity, ids] of byEntity) {
    for (const [id, owned] of await ownedBlobs(db, entity, ids)) {
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
}
