/**
 * `api.sync`: the outbox and its failures, read and handled through the store; `syncNow` and a
 * live `status$` come from the sync engine when there is one (the sync issue plugs it in through
 * `SyncEngineLike`). Without an engine, status$ still shows the pending and failed counts.
 */
import { xrmError } from "@xrm-offline/odata";
import type { OfflineStore, SyncFailure } from "@xrm-offline/store";
import { BehaviorSubject, Observable } from "rxjs";
import type { SyncApi, SyncFailureView, SyncReport, SyncStatus } from "./web-api-types.ts";
import { xrmPromise } from "./xrm-promise.ts";

/** What createWebApi needs from a sync engine (packages/sync's SyncEngine satisfies it). */
export interface SyncEngineLike {
  readonly status$: Observable<SyncStatus>;
  syncNow(): Promise<SyncReport>;
  /** A local write happened in this tab. */
  notifyLocalWrite(): void;
  close(): Promise<void>;
}

const IDLE: SyncStatus = {
  connectivity: "offline",
  phase: "idle",
  pending: 0,
  failed: 0,
  progress: null,
  lastSyncedAt: null,
  lastError: null,
};

function view(f: SyncFailure): SyncFailureView {
  return {
    id: f.id,
    action: f.action,
    entity: f.entity,
    recordId: f.recordId,
    data: f.data,
    errorCode: f.errorCode,
    code: f.code,
    message: f.message,
    errorType: f.errorType,
    ...(f.httpStatus !== undefined ? { httpStatus: f.httpStatus } : {}),
    attempts: f.attempts,
    time: f.time,
  };
}

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
    pendingCount: () => xrmPromise(async () => (await store()).pendingCount()),
    failures: () => xrmPromise(async () => (await (await store()).failures()).map(view)),
    retry: (failureId: string) =>
      xrmPromise(async () => {
        await (await store()).retryFailure(failureId);
        engine?.notifyLocalWrite();
      }),
    discard: (failureId: string) => xrmPromise(async () => (await store()).discardFailure(failureId)),
  };
  return { api, dispose };
}
