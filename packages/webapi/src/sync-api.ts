/**
 * `api.sync`: with a sync engine (a `serverUrl`), every call goes through it — failures, retry and
 * discard included, so a retry also schedules the cycle that sends it. Without one (offline
 * only), the store answers as the outbox (`OutboxPort`) and status$ shows its pending and failed
 * counts; nothing is ever sent, so retry only puts the change back in the queue.
 */
import { type SyncReport, type SyncStatus, xrmError } from "@xrm-offline/odata";
import type { OfflineStore } from "@xrm-offline/store";
import type { SyncEngine } from "@xrm-offline/sync";
import { BehaviorSubject, Observable } from "rxjs";
import type { SyncApi } from "./web-api-types.ts";
import { xrmPromise } from "./xrm-promise.ts";

/** What createWebApi needs from a sync engine (packages/sync's SyncEngine satisfies it). */
export type SyncEngineLike = Pick<
  SyncEngine,
  "status$" | "syncNow" | "notifyLocalWrite" | "close" | "pendingCount" | "failures" | "retry" | "discard"
>;

const IDLE: SyncStatus = {
  connectivity: "offline",
  phase: "idle",
  pending: 0,
  failed: 0,
  progress: null,
  lastSyncedAt: null,
  lastError: null,
  uploads: [],
};

export interface SyncApiHandle {
  readonly api: SyncApi;
  /** Stops status updates (on close). */
  dispose(): void;
}

export function createSyncApi(
  store: () => Promise<OfflineStore>,
  engine: SyncEngineLike | undefined,
): SyncApiHandle {
  let status$: Observable<SyncStatus>;
  let dispose = () => {};
  if (engine) {
    status$ = engine.status$;
  } else {
    // Counts are read only while someone watches status$, and at most one read is in flight (a
    // burst of writes costs one or two reads, not one per write).
    const subject = new BehaviorSubject<SyncStatus>(IDLE);
    let watchers = 0;
    let unsubscribe: (() => void) | undefined;
    let reading = false;
    let again = false;
    let disposed = false;
    const refresh = (s: OfflineStore): void => {
      if (reading) {
        again = true;
        return;
      }
      reading = true;
      s.counts()
        .then(
          (c) => {
            if (!disposed) subject.next({ ...subject.value, pending: c.pending, failed: c.failed });
          },
          () => {},
        )
        .finally(() => {
          reading = false;
          if (again && watchers > 0 && !disposed) {
            again = false;
            refresh(s);
          }
        });
    };
    const watch = () => {
      store().then(
        (s) => {
          if (disposed || watchers === 0 || unsubscribe) return;
          unsubscribe = s.subscribe(() => refresh(s));
          refresh(s);
        },
        () => {},
      );
    };
    status$ = new Observable<SyncStatus>((subscriber) => {
      if (watchers++ === 0) watch();
      const inner = subject.subscribe(subscriber);
      return () => {
        inner.unsubscribe();
        if (--watchers === 0) {
          unsubscribe?.();
          unsubscribe = undefined;
        }
      };
    });
    dispose = () => {
      disposed = true;
      unsubscribe?.();
      subject.complete();
    };
  }
  const api: SyncApi = {
    status$,
    syncNow: () =>
      xrmPromise<SyncReport>(() => {
        if (!engine) {
          throw xrmError(
            "NotSupported",
            "sync.syncNow: there is no sync engine (no serverUrl was configured).",
          );
        }
        return engine.syncNow();
      }),
    pendingCount: () =>
      xrmPromise(async () => (engine ? engine.pendingCount() : (await store()).pendingCount())),
    failures: () =>
      xrmPromise(async () => [...(await (engine ? engine.failures() : (await store()).failures()))]),
    retry: (failureId: string) =>
      xrmPromise(async () => (engine ? engine.retry(failureId) : (await store()).retryFailure(failureId))),
    discard: (failureId: string) =>
      xrmPromise(async () =>
        engine ? engine.discard(failureId) : (await store()).discardFailure(failureId),
      ),
  };
  return { api, dispose };
}
