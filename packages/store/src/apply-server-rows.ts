/**
 * The pull side: server rows written into the local store, and the pull checkpoint saved in the
 * same transaction (a checkpoint never runs ahead of the rows it covers). Invariant 6: a column
 * with a pending local change keeps its local value; the server's value is kept aside in `_server`.
 */
import type { Metadata } from "@xrm-offline/metadata";
import { normalizeRecordId, xrmError } from "@xrm-offline/odata";
import { binariesApart } from "./binary-blobs.ts";
import { dropRecordFiles } from "./drop-record-files.ts";
import { dropUnreferencedBlobs, ownsBlobs } from "./drop-unreferenced-blobs.ts";
import type { StoredBlob } from "./file-uploads.ts";
import { applyServerRow } from "./server-state.ts";
import type { StoredRecord } from "./store-types.ts";
import type { XrmDatabase } from "./xrm-database.ts";

export interface ApplyServerRowsOptions {
  /** Saved with the rows: the position the next pull starts from (e.g. a delta link). */
  readonly checkpoint?: { readonly key: string; readonly value: unknown };
  /** Ids the server reports deleted (`$deletedEntity`). A record with local changes is kept. */
  readonly removedIds?: readonly string[];
  /**
   * Don't store null values: an absent column reads as null, as on a record written offline.
   * A full Web API row has ~150 columns, mostly null; a pull stores a fraction of that.
   */
  readonly omitNulls?: boolean;
}

export interface ApplyServerRowsResult {
  /** Rows written. */
  readonly applied: number;
  /** Server-deleted records removed locally. */
  readonly removed: number;
  /** Deleted on the server but kept because of pending local changes. */
  readonly keptWithLocalChanges: number;
}

export async function applyServerRows(
  db: XrmDatabase,
  metadata: Metadata,
  entityLogicalName: string,
  rows: readonly Readonly<Record<string, unknown>>[],
  options: ApplyServerRowsOptions = {},
  now: () => Date = () => new Date(),
): Promise<ApplyServerRowsResult> {
  const entity = metadata.entity(entityLogicalName);
  if (!entity) throw xrmError("EntityNotExist", `The table '${String(entityLogicalName)}' does not exist.`);
  // Validate everything before the transaction: a bad page writes nothing.
  const ids = rows.map((row, i) => {
    const id = normalizeRecordId(row?.[entity.primaryIdAttribute]);
    if (!id) {
      throw xrmError(
        "InvalidArgument",
        `Server row ${i} of '${entity.logicalName}' has no valid '${entity.primaryIdAttribute}'.`,
      );
    }
    return id;
  });
  const removedIds = (options.removedIds ?? []).map((raw) => {
    const id = normalizeRecordId(raw);
    if (!id) throw xrmError("InvalidArgument", `Removed id '${String(raw)}' is not a GUID.`);
    return id;
  });
  const name = entity.logicalName;
  // Notes' bodies and images of 4 KB or more are kept apart as Blobs, like those written here, so a
  // read behaves the same whoever wrote the value; the values they replace are collected.
  const blobs = ownsBlobs(metadata, name);
  const stamp = now().toISOString();
  const apart: StoredBlob[] = [];
  const serverRows = blobs
    ? rows.map((row, i) => {
        const out = binariesApart(metadata, name, ids[i]!, row, `s:${stamp}#${i}`);
        apart.push(...out.blobs);
        return out.columns;
      })
    : rows;
  const tables: string[] = blobs
    ? ["records", "checkpoints", "blobs", "outbox", "failures"]
    : ["records", "checkpoints"];
  // A record the server deleted takes its files (uploaded or downloaded here) with it.
  if (removedIds.length > 0) tables.push(...["blobs", "uploads"].filter((t) => !tables.includes(t)));
  return db.transaction("rw", tables, async () => {
    const existing = await existingRows(db, name, ids);
    const byId = new Map<string, StoredRecord>();
    serverRows.forEach((row, i) => {
      const id = ids[i]!;
      byId.set(
        id,
        applyServerRow(byId.get(id) ?? existing[i], name, id, row, options.omitNulls === true, true),
      );
    });
    if (byId.size > 0) await db.records.bulkPut([...byId.values()]);
    if (apart.length > 0) await db.blobs.bulkPut(apart);
    let removed = 0;
    let kept = 0;
    if (removedIds.length > 0) {
      const current = await db.records.bulkGet(removedIds.map((id) => [name, id] as [string, string]));
      const gone: [string, string][] = [];
      current.forEach((row, i) => {
        if (!row) return;
        if (row._changes.length > 0) kept++;
        else gone.push([name, removedIds[i]!]);
      });
      if (gone.length > 0) {
        await db.records.bulkDelete(gone);
        await dropRecordFiles(db, gone);
      }
      removed = gone.length;
    }
    if (blobs) {
      const touched = new Set([...byId.keys(), ...removedIds]);
      await dropUnreferencedBlobs(
        db,
        [...touched].map((id) => [name, id] as const),
      );
    }
    if (options.checkpoint) {
      await db.checkpoints.put({
        key: options.checkpoint.key,
        value: options.checkpoint.value,
        savedAt: now().toISOString(),
      });
    }
    return { applied: byId.size, removed, keptWithLocalChanges: kept };
  });
}

/**
 * The stored rows of `ids` (undefined where there is none), in order. A page of a first sync
 * finds none: one keys-only read of the page's id range tells which ids exist, so only those
 * rows are fetched, instead of one get per id. When that range holds many more keys than the
 * page (ids in no order, a resync), the keys read stop and every id is fetched.
 */
async function existingRows(
  db: XrmDatabase,
  name: string,
  ids: readonly string[],
): Promise<(StoredRecord | undefined)[]> {
  if (ids.length === 0) return [];
  let low = ids[0]!;
  let high = ids[0]!;
  for (const id of ids) {
    if (id < low) low = id;
    if (id > high) high = id;
  }
  const budget = ids.length * 2 + 16;
  const keys = (await db.records
    .where("[_entity+_id]")
    .between([name, low], [name, high], true, true)
    .limit(budget + 1)
    .primaryKeys()) as unknown as [string, string][];
  if (keys.length > budget) return db.records.bulkGet(ids.map((id) => [name, id] as [string, string]));
  const present = new Set(keys.map((k) => k[1]));
  const wanted = ids.filter((id) => present.has(id));
  if (wanted.length === 0) return ids.map(() => undefined);
  const found = await db.records.bulkGet(wanted.map((id) => [name, id] as [string, string]));
  const byId = new Map<string, StoredRecord | undefined>(wanted.map((id, i) => [id, found[i]]));
  return ids.map((id) => byId.get(id));
}
