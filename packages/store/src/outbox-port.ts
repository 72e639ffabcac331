import type { OutboxEntry, OutboxPort } from "@xrm-offline/odata";
import type { OfflineStore } from "./offline-store.ts";
import type { OutboxItem } from "./store-types.ts";
import type { XrmDatabase } from "./xrm-database.ts";

/**
 * Meta row listing the entries in flight (sent, answer not recorded yet). Written before
 * `markAttempt`, emptied by `settle`: if the runner dies in between (tab closed, crash, `stop()`
 * mid-request), the next runner finds them there and treats their outcome as unknown — their
 * request may have landed.
 */
export const IN_FLIGHT_KEY = "sync:in-flight";

/**
 * The sync engine's OutboxPort (the sync contract, `@xrm-offline/odata`) over this store. One per
 * engine: it remembers which in-flight entries are its own (rounds may overlap: the engine
 * pipelines them), so entries another, dead runner left marked are told apart.
 *
 * ETags: an update is sent with the record's current server ETag (`_serverEtag`, moved on by the
 * acknowledgements of our own earlier writes and by conflict refreshes), falling back to the ETag
 * the entry was queued with. See docs/sync.md, "Conflict detection".
 */
export function createOutboxPort(store: OfflineStore, db: XrmDatabase): OutboxPort {
  const mine = new Set<number>();

  async function inFlight(): Promise<number[]> {
    const value = await store.getMeta(IN_FLIGHT_KEY);
    return Array.isArray(value) ? value.filter((n): n is number => typeof n === "number") : [];
  }

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

    async page(afterSeq, limit) {
      const items = await store.peekOutbox({
        afterSeq: Number.isFinite(afterSeq) ? afterSeq : 0,
        limit,
        includeFailed: true,
      });
      if (items.length === 0) return [];
      const [marked, etags] = await Promise.all([inFlight(), currentEtags(items)]);
      const unknown = new Set(marked);
      return items.map(
        (item): OutboxEntry => ({
          seq: item.seq,
          operation: item.operation,
          state: item.failureId === undefined ? "pending" : "failed",
          attempts: item.attempts,
          outcomeUnknown: item.outcomeUnknown || unknown.has(item.seq),
          baseEtag: etags.get(`${item.entity}|${item.recordId}`) ?? item.baseEtag ?? null,
        }),
      );
    },

    counts: () => store.counts(),

    async markAttempt(seqs) {
      // Marked by a runner that died before recording the answer (the engine runs under a lock,
      // so no other runner is live): whatever it sent may have been applied — sticky from now on.
      const stale = (await inFlight()).filter((seq) => !mine.has(seq));
      if (stale.length > 0) await store.settle([{ kind: "retry", seqs: stale, outcomeUnknown: true }]);
      for (const seq of seqs) mine.add(seq);
      await store.setMeta(IN_FLIGHT_KEY, [...mine]);
      await store.markAttempt(seqs);
    },

    async settle(settlements) {
      await store.settle(settlements);
      for (const s of settlements) for (const seq of s.seqs) mine.delete(seq);
      await store.setMeta(IN_FLIGHT_KEY, [...mine]);
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
