/**
 * The transaction that commits a group of writes: each record change and its outbox entry are
 * written in one `rw` transaction, so either both are durable or neither is (invariant 1).
 *
 * Shape of the transaction: at most one read (the rows updates, deletes and lookups need, in one
 * bulkGet; none for plain creates), then every write issued at once. Outbox entries get their
 * sequence numbers from IndexedDB's key generator in call order; nothing in the group needs to
 * know them (rows and dependencies name changes by change key), so no request waits for another.
 * Written with Dexie promises rather than `await`, which keeps Dexie's zone bookkeeping off the
 * hot path.
 */
import type { Metadata } from "@xrm-offline/metadata";
import type { WriteOperation } from "@xrm-offline/odata";
import { type XrmError, xrmError } from "@xrm-offline/odata";
import { Dexie } from "dexie";
import { applyChange } from "./apply-change.ts";
import { blobsApart } from "./binary-blobs.ts";
import { dropRecordFiles } from "./drop-record-files.ts";
import { dropUnreferencedBlobs, ownsBlobs } from "./drop-unreferenced-blobs.ts";
import type { StoredBlob } from "./file-uploads.ts";
import { ExcludeItems, type Outcome } from "./group-commit.ts";
import { dropNoteBlockSessions, NOTE_ENTITY } from "./note-block-sessions.ts";
import { changeKeyOf } from "./record-shape.ts";
import type { OutboxRow, RecordRef, StoredRecord } from "./store-types.ts";
import type { XrmDatabase } from "./xrm-database.ts";

/**
 * A validated write, ready to commit: the canonical operation (normalizeWrite / normalizeDelete).
 * Its Web API request is not stored: the remote port renders it when it sends the entry.
 */
export interface PreparedWrite {
  readonly operation: WriteOperation;
}

/** What a committed write resolves with (`name`: the deleted record's primary name). */
export interface WriteResult {
  readonly entityType: string;
  readonly id: string;
  readonly name?: string;
}

const keyString = (entity: string, id: string) => `${entity}|${id}`;

/** A read of a record this store doesn't have (retrieveRecord): the server's 404 code. */
export function notFound(entity: string, id: string): XrmError {
  return xrmError("ObjectDoesNotExist", `Entity '${entity}' With Id = ${id} Does Not Exist`);
}

/** An update or delete of a record this store doesn't have (or has deleted locally). */
export function notInStore(entity: string, id: string): XrmError {
  return xrmError(
    "CantUpdateOnlineRecord",
    `Entity '${entity}' With Id = ${id} Does Not Exist in the offline store.`,
  );
}

/**
 * A lookup bound to a record this device has deleted (its delete not yet sent, or sent and kept as
 * a tombstone): the server would refuse it for good once the delete lands.
 */
export function boundToDeleted(entity: string, id: string, navigation: string): XrmError {
  return xrmError(
    "ObjectDoesNotExist",
    `'${navigation}' points at ${entity} ${id}, which was deleted on this device; a lookup can't be set to a deleted record.`,
  );
}

export function duplicate(): XrmError {
  return xrmError("DuplicateRecord");
}

/** Name of the record for lookups' formatted values and delete results. */
export function primaryName(metadata: Metadata, row: StoredRecord | undefined): string | undefined {
  if (!row || row._deleted) return undefined;
  const attr = metadata.entity(row._entity)?.primaryNameAttribute;
  const v = attr ? row[attr] : undefined;
  return typeof v === "string" ? v : undefined;
}

interface Plan {
  readonly outcomes: Outcome<WriteResult>[];
  readonly entries: Omit<OutboxRow, "seq">[];
  /** Rows created in this group (added), by key, and the item that created each. */
  readonly created: Map<string, number>;
  /** Existing rows changed in this group (put). */
  readonly modified: Set<string>;
  readonly excluded: Map<number, unknown>;
}

/** Validates each write against the rows (and earlier writes of the group) and builds its rows. */
function plan(
  metadata: Metadata,
  items: readonly PreparedWrite[],
  work: Map<string, StoredRecord | undefined>,
  createdAt: string,
): Plan {
  const p: Plan = { outcomes: [], entries: [], created: new Map(), modified: new Set(), excluded: new Map() };
  const targetName = (entity: string, id: string) => primaryName(metadata, work.get(keyString(entity, id)));
  items.forEach(({ operation: op }, index) => {
    const entityName = op.entityLogicalName;
    const key = keyString(entityName, op.id);
    const existing = work.get(key);
    const entity = metadata.entity(entityName);
    const deletedTarget =
      op.kind === "delete"
        ? undefined
        : op.lookups.find(
            (l) => l.targetId !== null && work.get(keyString(l.targetEntity, l.targetId))?._deleted === true,
          );
    const error =
      op.kind === "create"
        ? existing !== undefined
          ? duplicate()
          : undefined
        : !existing || existing._deleted
          ? notInStore(entityName, op.id)
          : undefined;
    const refused =
      error ??
      (deletedTarget === undefined
        ? undefined
        : boundToDeleted(
            deletedTarget.targetEntity,
            deletedTarget.targetId ?? "",
            deletedTarget.navigationProperty,
          ));
    if (refused || !entity) {
      const e = refused ?? xrmError("InvalidArgument", `Unknown table '${entityName}'.`);
      p.outcomes.push({ ok: false, error: e });
      p.excluded.set(index, e);
      return;
    }
    const no = (existing?._lastChange ?? 0) + 1;
    const after: string[] = [];
    const dependsOnRecords: RecordRef[] = [];
    // The record's previous change (which waits for its own predecessor: a chain keeps per-record
    // order without lists that grow with every update of a busy record).
    const previous = existing?._changes.at(-1);
    if (previous) {
      after.push(changeKeyOf(entityName, op.id, previous.no));
      dependsOnRecords.push({ entity: entityName, id: op.id });
    }
    if (op.kind !== "delete") {
      for (const l of op.lookups) {
        if (l.targetId === null) continue;
        const first = work.get(keyString(l.targetEntity, l.targetId))?._changes[0];
        if (first?.kind === "create") {
          const k = changeKeyOf(l.targetEntity, l.targetId, first.no);
          if (!after.includes(k)) {
            after.push(k);
            dependsOnRecords.push({ entity: l.targetEntity, id: l.targetId });
          }
        }
      }
    }
    const name = op.kind === "delete" ? primaryName(metadata, existing) : undefined;
    work.set(
      key,
      applyChange(existing, op, { no, primaryIdAttribute: entity.primaryIdAttribute, targetName }),
    );
    if (op.kind === "create") p.created.set(key, index);
    else if (!p.created.has(key)) p.modified.add(key);
    const entry: Omit<OutboxRow, "seq"> = {
      entity: entityName,
      recordId: op.id,
      kind: op.kind,
      change: no,
      changeKey: changeKeyOf(entityName, op.id, no),
      operation: op,
      after,
      dependsOnRecords,
      attempts: 0,
      outcomeUnknown: false,
      createdAt,
    };
    p.entries.push(
      existing?._serverEtag !== undefined ? { ...entry, baseEtag: existing._serverEtag } : entry,
    );
    p.outcomes.push({
      ok: true,
      value:
        name !== undefined
          ? { entityType: entityName, id: op.id, name }
          : { entityType: entityName, id: op.id },
    });
  });
  return p;
}

export function commitWrites(
  db: XrmDatabase,
  metadata: Metadata,
  items: readonly PreparedWrite[],
  now: () => Date = () => new Date(),
): Promise<Outcome<WriteResult>[]> {
  const toRead = new Map<string, [string, string]>();
  for (const { operation: op } of items) {
    if (op.kind !== "create")
      toRead.set(keyString(op.entityLogicalName, op.id), [op.entityLogicalName, op.id]);
    if (op.kind !== "delete") {
      for (const l of op.lookups) {
        if (l.targetId !== null)
          toRead.set(keyString(l.targetEntity, l.targetId), [l.targetEntity, l.targetId]);
      }
    }
  }
  const keys = [...toRead.values()];
  const createdAt = now().toISOString();
  // Binary values (notes' bodies, images) leave the operations before they are planned: rows and
  // entries hold BlobRefs.
  const blobsOf = new Map<number, readonly StoredBlob[]>();
  const prepared = items.map((item, i) => {
    const apart = blobsApart(metadata, item.operation, `${createdAt}#${i}`);
    if (apart.blobs.length === 0) return item;
    blobsOf.set(i, apart.blobs);
    return { ...item, operation: apart.operation };
  });
  // A note deleted here may leave a block upload session in meta; other groups keep meta out of
  // the transaction's scope (it would wait for the sync engine's meta writes for nothing).
  const notesDeleted = items.some(
    (i) => i.operation.kind === "delete" && i.operation.entityLogicalName === NOTE_ENTITY,
  );
  const tables = [
    db.records,
    db.outbox,
    db.blobs,
    db.failures,
    db.uploads,
    ...(notesDeleted ? [db.meta] : []),
  ];
  return db.transaction("rw", tables, () => {
    const read =
      keys.length > 0 ? db.records.bulkGet(keys) : Dexie.Promise.resolve([] as (StoredRecord | undefined)[]);
    return read.then((rows) => {
      const work = new Map<string, StoredRecord | undefined>();
      keys.forEach(([e, id], i) => {
        work.set(keyString(e, id), rows[i]);
      });
      const p = plan(metadata, prepared, work, createdAt);
      if (p.entries.length === 0) return p.outcomes;
      const writes: Promise<unknown>[] = [db.outbox.bulkAdd(p.entries as OutboxRow[])];
      // Only the blobs of writes that are committed (a refused write's blob stays out).
      const kept = [...blobsOf].filter(([i]) => !p.excluded.has(i)).flatMap(([, b]) => b);
      if (kept.length > 0) writes.push(db.blobs.bulkPut(kept));
      if (p.modified.size > 0) writes.push(db.records.bulkPut([...p.modified].map((k) => work.get(k)!)));
      if (p.created.size > 0) {
        const createdKeys = [...p.created.keys()];
        writes.push(
          db.records.bulkAdd(createdKeys.map((k) => work.get(k)!)).catch((e: unknown) => {
            // A create whose id already exists in the database (not read beforehand): abort,
            // and commit the group again without those calls.
            if (e instanceof Dexie.BulkError) {
              const dup = new Map<number, unknown>(p.excluded);
              for (const pos of Object.keys(e.failuresByPos)) {
                const index = p.created.get(createdKeys[Number(pos)] ?? "");
                if (index !== undefined) dup.set(index, duplicate());
              }
              if (dup.size > p.excluded.size) throw new ExcludeItems(dup);
            }
            throw e;
          }),
        );
      }
      // A note updated with a new body, a record with a new image, or either deleted: the old
      // value's blob goes in the same transaction, unless an unsent change or a kept failure still
      // carries it.
      const replaced = [...p.modified].flatMap((k) => {
        const row = work.get(k)!;
        return ownsBlobs(metadata, row._entity) ? [[row._entity, row._id] as const] : [];
      });
      // A deleted record's files (set here or downloaded) go with it: nothing will upload or read
      // them, and a pending upload must not outlive the delete that made it pointless.
      const deleted = prepared.flatMap(({ operation: op }, i) =>
        op.kind === "delete" && !p.excluded.has(i) ? [[op.entityLogicalName, op.id] as const] : [],
      );
      return Dexie.Promise.all(writes)
        .then(() => (replaced.length > 0 ? dropUnreferencedBlobs(db, replaced) : undefined))
        .then(() => (deleted.length > 0 ? dropRecordFiles(db, deleted) : undefined))
        .then(() => {
          // Its block upload session, unless a change still queued (or kept as a failure) sends
          // that body before the delete.
          const notes = deleted.flatMap(([entity, id]) => (entity === NOTE_ENTITY ? [id] : []));
          return notes.length > 0 ? dropNoteBlockSessions(db, notes) : undefined;
        })
        .then(() => p.outcomes);
    });
  });
}
