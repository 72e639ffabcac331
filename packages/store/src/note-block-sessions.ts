/**
 * A note whose body goes in blocks (note-blocks.ts in @xrm-offline/sync) keeps its upload session
 * in `meta` under `noteBlocksKey(id)`, with the Blob id of the body it sends, so that a reload goes
 * on with the next block. The session is worth keeping while a change carrying that body may still
 * be sent: queued in the outbox, or kept as a failure (a retry resumes it). Without cleanup every
 * large note would leave its entry behind for good, so it goes in the transaction after which
 * nothing carries that body any more: the change's acknowledgement (settle.ts), the discard of its
 * failure (failure-actions.ts) or the note's local delete (commit-writes.ts). An entry that
 * escapes (saved by a block answered after a discard in another tab) stays harmless: a session
 * resumes only for the same Blob id, and the next of those transactions for the note drops it.
 */
import { isBlobRef, type WriteOperation } from "@xrm-offline/odata";
import { changeKeyOf } from "./record-shape.ts";
import type { XrmDatabase } from "./xrm-database.ts";

/** The only table whose writes are sent in blocks. */
export const NOTE_ENTITY = "annotation";

/** The `meta` key of a note's saved block upload session. */
export const noteBlocksKey = (noteId: string): string => `note-blocks:${noteId}`;

function carries(op: WriteOperation, blobId: string): boolean {
  if (op.kind === "delete") return false;
  const body = op.columns.documentbody;
  return isBlobRef(body) && body["@xrm-offline.blob"] === blobId;
}

/** Does a queued change or a kept failure of the note carry the body `blobId`? */
async function stillCarried(db: XrmDatabase, noteId: string, blobId: string): Promise<boolean> {
  const row = await db.records.get([NOTE_ENTITY, noteId]);
  const keys = row ? row._changes.map((c) => changeKeyOf(NOTE_ENTITY, noteId, c.no)) : [];
  if (keys.length > 0) {
    const queued = await db.outbox.where("changeKey").anyOf(keys).toArray();
    if (queued.some((e) => carries(e.operation, blobId))) return true;
  }
  const failures = await db.failures.where("[entity+recordId]").equals([NOTE_ENTITY, noteId]).toArray();
  return failures.some((f) => f.entries.some((e) => carries(e.operation, blobId)));
}

/**
 * Deletes the saved block sessions of `noteIds` whose body no queued change or kept failure of the
 * note carries (an entry without a body id, such as the `null` a commit used to leave, goes too).
 * Call it inside the `rw` transaction (records, outbox, failures, meta) that made the change,
 * after it.
 */
export async function dropNoteBlockSessions(db: XrmDatabase, noteIds: Iterable<string>): Promise<void> {
  for (const id of new Set(noteIds)) {
    const key = noteBlocksKey(id);
    const saved = await db.meta.get(key);
    if (!saved) continue;
    const blob = (saved.value as { blob?: unknown } | null | undefined)?.blob;
    if (typeof blob === "string" && blob !== "" && (await stillCarried(db, id, blob))) continue;
    await db.meta.delete(key);
  }
}
