/**
 * Recording what the server said about sent entries, one transaction per round: acknowledged
 * entries leave the outbox and update the record's server state; retried ones stay with their
 * attempt noted; failed ones move to the failures table and mark the record (invariant 2: an
 * entry leaves the outbox only through an acknowledgement or, as a failure, a user's discard).
 * In the same transaction the settled entries leave the in-flight list, their attempt counted on
 * the entry (in-flight.ts): an answer and the end of its "outcome unknown" window are one write.
 */
import type { Metadata } from "@xrm-offline/metadata";
import type { Settlement } from "@xrm-offline/odata";
import { binariesApart } from "./binary-blobs.ts";
import { primaryName } from "./commit-writes.ts";
import { dropUnreferencedBlobs, ownsBlobs } from "./drop-unreferenced-blobs.ts";
import type { StoredBlob } from "./file-uploads.ts";
import { readInFlight, writeInFlight } from "./in-flight.ts";
import { dropNoteBlockSessions, NOTE_ENTITY } from "./note-block-sessions.ts";
import { deleteOutboxEntries, readOutboxEntries } from "./outbox-runs.ts";
import { finishRow, type MutableRow } from "./record-shape.ts";
import { acknowledgeChange, applyServerRow } from "./server-state.ts";
import type { FailureRow, OutboxRow, StoredRecord } from "./store-types.ts";
import type { XrmDatabase } from "./xrm-database.ts";

const keyString = (entity: string, id: string) => `${entity}|${id}`;

/** The row with the changes numbered `nos` flagged failed (or not). */
export function flagChanges(row: StoredRecord, nos: readonly number[], failed: boolean): StoredRecord {
  const set = new Set(nos);
  const changes = row._changes.map((c) => (set.has(c.no) ? { ...c, failed } : c));
  return finishRow({ ...row } as MutableRow, changes);
}

export async function settle(
  db: XrmDatabase,
  metadata: Metadata,
  settlements: readonly Settlement[],
  now: () => Date = () => new Date(),
): Promise<void> {
  if (settlements.length === 0) return;
  await db.transaction("rw", [db.records, db.outbox, db.failures, db.blobs, db.meta], async () => {
    const seqs = [...new Set(settlements.flatMap((s) => s.seqs))];
    const [found, inFlight] = await Promise.all([readOutboxEntries(db, seqs), readInFlight(db)]);
    const bySeq = new Map<number, OutboxRow>();
    for (const e of found.rows.values()) {
      // The attempt being answered, still on the in-flight list: counted now.
      bySeq.set(e.seq, inFlight.sent.has(e.seq) ? { ...e, attempts: e.attempts + 1 } : e);
    }
    if (seqs.some((s) => inFlight.sent.has(s) || inFlight.counted.has(s))) {
      const settled = new Set(seqs);
      const left = (list: ReadonlySet<number>) => [...list].filter((s) => !settled.has(s));
      await writeInFlight(db, left(inFlight.sent), left(inFlight.counted));
    }
    const keys = new Map<string, [string, string]>();
    for (const e of bySeq.values()) {
      keys.set(keyString(e.entity, e.recordId), [e.entity, e.recordId]);
      if (e.operation.kind === "delete") continue;
      for (const l of e.operation.lookups) {
        if (l.targetId !== null)
          keys.set(keyString(l.targetEntity, l.targetId), [l.targetEntity, l.targetId]);
      }
    }
    const work = new Map<string, StoredRecord | null | undefined>();
    if (keys.size > 0) {
      const list = [...keys.values()];
      const rows = await db.records.bulkGet(list);
      list.forEach(([e, id], i) => {
        work.set(keyString(e, id), rows[i]);
      });
    }
    const touched = new Set<string>();
    const targetName = (entity: string, id: string) =>
      primaryName(metadata, work.get(keyString(entity, id)) ?? undefined);
    const removeSeqs: number[] = [];
    // Notes with an acknowledged change: a block upload session of theirs may be done with.
    const notesAcknowledged = new Set<string>();
    const updated: OutboxRow[] = [];
    const failures: FailureRow[] = [];
    const time = now().toISOString();
    // A server representation carries a note's body or an image as base64: apart, as for local writes.
    const serverBlobs: StoredBlob[] = [];
    const apart = (entity: string, id: string, row: Readonly<Record<string, unknown>>) => {
      const out = binariesApart(metadata, entity, id, row, `s:${time}#${serverBlobs.length}`);
      serverBlobs.push(...out.blobs);
      return out.columns;
    };

    for (const s of settlements) {
      const entries = [...new Set(s.seqs)]
        .sort((a, b) => a - b)
        .map((seq) => bySeq.get(seq))
        .filter((e): e is OutboxRow => e !== undefined);
      if (entries.length === 0) continue;
      const first = entries[0]!;
      const key = keyString(first.entity, first.recordId);
      if (s.kind === "acknowledged") {
        entries.forEach((e, i) => {
          removeSeqs.push(e.seq);
          if (e.entity === NOTE_ENTITY) notesAcknowledged.add(e.recordId);
          const k = keyString(e.entity, e.recordId);
          const row = work.get(k);
          if (!row) return;
          const last = i === entries.length - 1;
          const ack = last
            ? {
                ...(s.etag !== undefined ? { etag: s.etag } : {}),
                ...(s.row ? { row: apart(e.entity, e.recordId, s.row) } : {}),
              }
            : undefined;
          work.set(k, acknowledgeChange(row, e.change, e.operation, ack, targetName));
          touched.add(k);
        });
      } else if (s.kind === "retry") {
        for (const e of entries) {
          updated.push({
            ...e,
            ...(s.error
              ? { lastError: { errorCode: s.error.errorCode, message: s.error.message, at: time } }
              : {}),
            outcomeUnknown: e.outcomeUnknown || s.outcomeUnknown,
          });
        }
      } else {
        removeSeqs.push(...entries.map((e) => e.seq));
        // The failure as the engine built it (action, data, codes, time), plus the bookkeeping
        // retry and discard need.
        failures.push({
          ...s.failure,
          id: String(first.seq),
          seqs: entries.map((e) => e.seq),
          changeKeys: entries.map((e) => e.changeKey),
          attempts: Math.max(...entries.map((e) => e.attempts)),
          entries,
        });
        const row = work.get(key);
        if (row) {
          let next = flagChanges(
            row,
            entries.map((e) => e.change),
            true,
          );
          if (s.serverRecord) {
            next = applyServerRow(
              next,
              next._entity,
              next._id,
              apart(next._entity, next._id, s.serverRecord),
            );
          }
          work.set(key, next);
          touched.add(key);
        }
      }
    }

    if (removeSeqs.length > 0) await deleteOutboxEntries(db, removeSeqs, found.present);
    if (updated.length > 0) await db.outbox.bulkPut(updated);
    if (failures.length > 0) await db.failures.bulkPut(failures);
    const puts: StoredRecord[] = [];
    const deletes: [string, string][] = [];
    for (const k of touched) {
      const row = work.get(k);
      const [entity, id] = keys.get(k)!;
      if (row) puts.push(row);
      else deletes.push([entity, id]);
    }
    if (puts.length > 0) await db.records.bulkPut(puts);
    if (deletes.length > 0) await db.records.bulkDelete(deletes);
    if (serverBlobs.length > 0) await db.blobs.bulkPut(serverBlobs);
    // Bodies only the acknowledged entries (or a replaced server value) still carried.
    const owners = [...touched].map((k) => keys.get(k)!).filter(([entity]) => ownsBlobs(metadata, entity));
    if (owners.length > 0) await dropUnreferencedBlobs(db, owners);
    // A note's saved block session leaves with the acknowledgement of the change that sent it
    // (before, a committed upload left an empty entry in meta for good).
    if (notesAcknowledged.size > 0) await dropNoteBlockSessions(db, notesAcknowledged);
  });
}
