import type {
  OfflineStore,
  OutboxItem,
  Settlement as StoreSettlement,
  SyncFailure as StoreSyncFailure,
} from "@xrm-offline/store";
import { Observable } from "rxjs";
import type { OutboxEntry, OutboxPort, Settlement, SyncFailure } from "../ports.ts";

/**
 * Meta row listing the entries in flight (sent, answer not recorded yet). Written before
 * `markAttempt`, emptied by `settle`: if the runner dies in between (tab closed, crash, `stop()`
 * mid-request), the next runner finds them there and treats their outcome as unknown — their
 * request may have landed.
 */
export const IN_FLIGHT_KEY = "sync:in-flight";

/**
 * The engine's OutboxPort over the Dexie store (`@xrm-offline/store`).
 *
 * ETags: an update is sent with the record's current server ETag (`_serverEtag`, moved on by the
 * acknowledgements of our own earlier writes and by conflict refreshes), falling back to the ETag
 * the entry was queued with. See docs/sync.md, "Conflict detection".
 */
export function createStoreOutboxPort(store: OfflineStore): OutboxPort {
  const db = store.database;
  /** What this port has in flight (rounds may overlap: the engine pipelines them). */
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
      await store.settle(settlements.map(toStoreSettlement));
      for (const s of settlements) for (const seq of s.seqs) mine.delete(seq);
      await store.setMeta(IN_FLIGHT_KEY, [...mine]);
    },

    async failures() {
      return (await store.failures()).map(toSyncFailure);
    },

    retryFailure: (id) => store.retryFailure(id),

    async discardFailure(id) {
      await store.discardFailure(id);
    },

    changes$: new Observable<unknown>((subscriber) =>
      // Local writes and failure actions, from this tab or another one; not our own settles.
      store.subscribe((change) => {
        if (change === "write" || change === "failure") subscriber.next(change);
      }),
    ),
  };
}

function toStoreSettlement(s: Settlement): StoreSettlement {
  switch (s.kind) {
    case "acknowledged":
      return { kind: "acknowledged", seqs: s.seqs, ...(s.etag === undefined ? {} : { etag: s.etag }) };
    case "retry":
      return { kind: "retry", seqs: s.seqs, error: s.error, outcomeUnknown: s.outcomeUnknown };
    case "failed":
      return {
        kind: "failed",
        seqs: s.seqs,
        // `data` is left to the store: it shows the request bodies as sent.
        failure: {
          errorCode: s.failure.errorCode,
          message: s.failure.message,
          errorType: s.failure.errorType,
          httpStatus: s.failure.httpStatus,
        },
        ...(s.serverRecord === undefined ? {} : { serverRecord: s.serverRecord }),
      };
  }
}

function toSyncFailure(f: StoreSyncFailure): SyncFailure {
  return {
    id: f.id,
    seqs: f.seqs,
    action: f.action,
    entityLogicalName: f.entity,
    recordId: f.recordId,
    data: f.data,
    errorCode: f.errorCode,
    code: f.code,
    message: f.message,
    errorType: f.errorType,
    httpStatus: f.httpStatus ?? 0,
    errorTime: f.time,
    attempts: f.attempts,
  };
}
