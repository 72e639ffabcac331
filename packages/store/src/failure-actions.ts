/**
 * What the user can do with a sync failure: retry it (its entries go back to the outbox at their
 * original positions) or discard it (the change is given up and reverted locally).
 *
 * Discard and dependants (decided here, documented in docs/offline-api.md):
 * - Discarding a failed **create** also discards every other queued or failed change of the same
 *   record (an update or delete of a record the user chose not to create can only fail, and a
 *   PATCH could even create it), and removes the record locally.
 * - Discarding a failed **update** reverts its columns to the latest earlier pending value or the
 *   server's value; a failed **delete** makes the record visible again. Later changes of the same
 *   record stay queued: they are column-level and still meaningful.
 * - Discarding a failure that says the record itself **does not exist on the server** (errorType 1,
 *   "Entity '<table>' With Id = <this record> Does Not Exist": deleted there while edited here)
 *   removes the record locally with every other queued or failed change of it, like a discarded
 *   create: the record is a ghost, and every change of it can only fail. Until the user discards,
 *   the record stays visible with the local changes, marked failed, so nothing typed is lost
 *   unseen. A "does not exist" about a lookup's target (another record) reverts only the change.
 * - Changes of *other* records that point at a discarded create through a lookup stay queued: the
 *   server decides (a missing lookup target becomes their own failure, shown to the user). Nothing
 *   the user did not discard leaves the outbox (invariant 2).
 */
import type { Metadata } from "@xrm-offline/metadata";
import { type WriteOperation, xrmError } from "@xrm-offline/odata";
import { primaryName } from "./commit-writes.ts";
import { dropUnreferencedBlobs, ownsBlobs } from "./drop-unreferenced-blobs.ts";
import { dropNoteBlockSessions, NOTE_ENTITY } from "./note-block-sessions.ts";
import { changeKeyOf } from "./record-shape.ts";
import { revertChange } from "./server-state.ts";
import { flagChanges } from "./settle.ts";
import type { FailureRow, OutboxRow, StoredRecord } from "./store-types.ts";
import type { XrmDatabase } from "./xrm-database.ts";

const keyString = (entity: string, id: string) => `${entity}|${id}`;

/** The failure says this very record does not exist on the server (not a lookup's target). */
function isGhost(failure: FailureRow): boolean {
  return failure.errorType === 1 && failure.message.toLowerCase().includes(failure.recordId.toLowerCase());
}

function unknownFailure(id: string) {
  return xrmError("ObjectDoesNotExist", `There is no sync failure with id '${String(id)}'.`);
}

export async function retryFailure(db: XrmDatabase, id: string): Promise<void> {
  await db.transaction("rw", db.records, db.outbox, db.failures, async () => {
    const failure = typeof id === "string" ? await db.failures.get(id) : undefined;
    if (!failure) throw unknownFailure(id);
    // bulkAdd, not bulkPut: the original sequence numbers are free (IndexedDB never hands a key
    // out twice), and should one not be, the transaction fails instead of overwriting an entry.
    await db.outbox.bulkAdd([...failure.entries]);
    await db.failures.delete(failure.id);
    const row = await db.records.get([failure.entity, failure.recordId]);
    if (row) {
      await db.records.put(
        flagChanges(
          row,
          failure.entries.map((e) => e.change),
          false,
        ),
      );
    }
  });
}

/** Discards failure `id`; resolves with the sequence numbers of every entry given up. */
export async function discardFailure(
  db: XrmDatabase,
  metadata: Metadata,
  id: string,
): Promise<{ discarded: number[] }> {
  return db.transaction("rw", [db.records, db.outbox, db.failures, db.blobs, db.meta], async () => {
    const failure = typeof id === "string" ? await db.failures.get(id) : undefined;
    if (!failure) throw unknownFailure(id);
    const discarded = await discardIn(db, metadata, failure);
    // The discarded changes' binary values, unless the reverted row or another change still has them.
    if (ownsBlobs(metadata, failure.entity))
      await dropUnreferencedBlobs(db, [[failure.entity, failure.recordId]]);
    // And the block upload session of a discarded note body: nothing will resume it.
    if (failure.entity === NOTE_ENTITY) await dropNoteBlockSessions(db, [failure.recordId]);
    return discarded;
  });
}

async function discardIn(
  db: XrmDatabase,
  metadata: Metadata,
  failure: FailureRow,
): Promise<{ discarded: number[] }> {
  await db.failures.delete(failure.id);
  const discarded = new Set(failure.seqs);
  const key: [string, string] = [failure.entity, failure.recordId];
  const row = await db.records.get(key);
  const sorted = () => [...discarded].sort((a, b) => a - b);
  if (!row) return { discarded: sorted() };

  const mine = new Set(failure.entries.map((e) => e.change));
  const otherKeys = row._changes
    .filter((c) => !mine.has(c.no))
    .map((c) => changeKeyOf(failure.entity, failure.recordId, c.no));
  const queued: OutboxRow[] =
    otherKeys.length > 0 ? await db.outbox.where("changeKey").anyOf(otherKeys).toArray() : [];
  const failed: FailureRow[] =
    otherKeys.length > 0 ? await db.failures.where("changeKeys").anyOf(otherKeys).distinct().toArray() : [];

  if (failure.entries.some((e) => e.kind === "create") || isGhost(failure)) {
    for (const e of queued) discarded.add(e.seq);
    for (const f of failed) for (const s of f.seqs) discarded.add(s);
    await db.outbox.bulkDelete(queued.map((e) => e.seq));
    await db.failures.bulkDelete(failed.map((f) => f.id));
    await db.records.delete(key);
    return { discarded: sorted() };
  }

  const ops = new Map<number, WriteOperation>();
  for (const e of [...failure.entries, ...queued, ...failed.flatMap((f) => f.entries)]) {
    if (e.entity === failure.entity && e.recordId === failure.recordId) ops.set(e.change, e.operation);
  }
  const targets = new Map<string, [string, string]>();
  for (const op of ops.values()) {
    if (op.kind === "delete") continue;
    for (const l of op.lookups) {
      if (l.targetId !== null)
        targets.set(keyString(l.targetEntity, l.targetId), [l.targetEntity, l.targetId]);
    }
  }
  const targetRows = new Map<string, StoredRecord | undefined>();
  if (targets.size > 0) {
    const list = [...targets.values()];
    const rows = await db.records.bulkGet(list);
    list.forEach(([e, i], n) => {
      targetRows.set(keyString(e, i), rows[n]);
    });
  }
  const targetName = (entity: string, tid: string) =>
    primaryName(metadata, targetRows.get(keyString(entity, tid)));
  let next: StoredRecord | null = row;
  // Latest first, so each revert finds the earlier discarded change still listed.
  for (const no of [...mine].sort((a, b) => b - a)) {
    if (next) next = revertChange(next, no, ops, targetName);
  }
  if (next) await db.records.put(next);
  else await db.records.delete(key);
  return { discarded: sorted() };
}
