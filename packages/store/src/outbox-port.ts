import type { OutboxEntry, OutboxPort } from "@xrm-offline/odata";
import { readInFlight } from "./in-flight.ts";
import { markAttempt } from "./mark-attempt.ts";
import type { OfflineStore } from "./offline-store.ts";
import { peekOutbox } from "./peek-outbox.ts";
import type { OutboxItem } from "./store-types.ts";
import type { XrmDatabase } from "./xrm-database.ts";

export { IN_FLIGHT_KEY } from "./in-flight.ts";

/**
 * The sync engine's OutboxPort (the sync contract, `@xrm-offline/odata`) over this store. One per
 * engine: it remembers which in-flight entries are its own (rounds may overlap: the engine
 * pipelines them), so entries another, dead runner left on the in-flight list (in-flight.ts) are
 * told apart.
 *
 * A round costs three transactions whatever its size: the page (entries, in-flight list and
 * ETags read together), the mark (one write of the in-flight list) and the settle (answers,
 * attempts and the list's update in one go).
 *
 * ETags: an update is sent with the record's current server ETag (`_serverEtag`, moved on by the
 * acknowledgements of our own earlier writes and by conflict refreshes), falling back to the ETag
 * the entry was queued with. See docs/sync.md, "Conflict detection".
 */
export function createOutboxPort(store: OfflineStore, db: XrmDatabase): OutboxPort {
  const mine = new Set<number>();

  /** The current server ETag of the records the page's updates write. */
  async function currentEtags(items: readonly OutboxItem[]): Promise<Map<string, string>> {
    const keys = new Map<string, [string, string]>();
    for (const item of items) {
      if (item.kind === "update") keys.set(`${item.entity}|${item.recordId}`, [item.entity, item.recordId]);
    }
    const etags = new Map<string, string>();
    if (keys.size === 0) return etags;
    const list = [...keys.values()];
    const rows = await db.records.bulkGet(list);
    rows.forEach((row, i) => {
      const [entity, id] = list[i]!;
      if (row?._serverEtag !== undefined) etags.set(`${entity}|${id}`, row._serverEtag);
    });
    return etags;
  }

  return {
    name: store.name,

    page(afterSeq, limit) {
      return db.transaction("r", [db.outbox, db.failures, db.meta, db.records], async () => {
        const items = await peekOutbox(db, {
          afterSeq: Number.isFinite(afterSeq) ? afterSeq : 0,
          limit,
          includeFailed: true,
        });
        if (items.length === 0) return [];
        const [inFlight, etags] = await Promise.all([readInFlight(db), currentEtags(items)]);
        return items.map((item): OutboxEntry => {
          const sent = inFlight.sent.has(item.seq);
          return {
            seq: item.seq,
            operation: item.operation,
            state: item.failureId === undefined ? "pending" : "failed",
            // An attempt on the in-flight list is not counted on the entry yet.
            attempts: item.attempts + (sent ? 1 : 0),
            outcomeUnknown: item.outcomeUnknown || sent || inFlight.counted.has(item.seq),
            baseEtag: etags.get(`${item.entity}|${item.recordId}`) ?? item.baseEtag ?? null,
          };
        });
      });
    },

    counts: () => store.counts(),

    async markAttempt(seqs) {
      await markAttempt(db, seqs, mine);
      for (const seq of seqs) mine.add(seq);
    },

    async settle(settlements) {
      // Takes the settled entries off the in-flight list in the same transaction.
      await store.settle(settlements);
      for (const s of settlements) for (const seq of s.seqs) mine.delete(seq);
    },

    failures: () => store.failures(),
    retryFailure: (id) => store.retryFailure(id),
    discardFailure: (id) => store.discardFailure(id),

    // Local writes and failure actions, from this tab or another one; not our own settles.
    onOutboxChange: (listener) =>
      store.subscribe((change) => {
        if (change === "write" || change === "failure") listener();
      }),
  };
}
