import type { OfflineWebApi, SyncFailureView, SyncReport, SyncStatus } from "@xrm-offline/webapi";
import { connectSyncWorker } from "@xrm-offline/webapi/worker";
import type { Observable } from "rxjs";

/** What the screens need from the sync side, wherever the engine runs. */
export interface AppSync {
  readonly mode: "page" | "worker";
  readonly status$: Observable<SyncStatus>;
  syncNow(): Promise<SyncReport>;
  failures(): Promise<SyncFailureView[]>;
  retry(failureId: string): Promise<void>;
  discard(failureId: string): Promise<unknown>;
}

/** The engine in the page: `api.sync` as it is. */
export function pageSync(api: OfflineWebApi): AppSync {
  const s = api.sync;
  return {
    mode: "page",
    status$: s.status$,
    syncNow: () => s.syncNow(),
    failures: () => s.failures(),
    retry: (id) => s.retry(id),
    discard: (id) => s.discard(id),
  };
}

/** The engine in a dedicated worker (src/sync-worker.ts), reached over postMessage. */
export function workerSync(): AppSync {
  const worker = new Worker(new URL("../sync-worker.ts", import.meta.url), {
    type: "module",
    name: "xrm-sync",
  });
  const client = connectSyncWorker(worker);
  return {
    mode: "worker",
    status$: client.status$,
    syncNow: () => client.syncNow(),
    failures: () => client.failures(),
    retry: (id) => client.retry(id),
    discard: (id) => client.discard(id),
  };
}
