/**
 * `@xrm-offline/sync/worker`: run the sync engine off the main thread. In a worker,
 * `serveSyncWorker(self, createWebApi({...}).sync)`; in the page, `connectSyncWorker(worker)`
 * gives the same `status$` / `syncNow` / `failures` / `retry` / `discard` over postMessage.
 * The engine's Web Lock keeps one runner per database whichever side runs it.
 */
export { connectSyncWorker, type SyncWorkerClient } from "./worker/connect-sync-worker.ts";
export { type ServedSyncApi, serveSyncWorker } from "./worker/serve-sync-worker.ts";
export {
  isSyncWorkerMethod,
  SYNC_WORKER_METHODS,
  type SyncWorkerCall,
  type SyncWorkerEndpoint,
  type SyncWorkerMethod,
  type SyncWorkerResult,
  type SyncWorkerStatus,
} from "./worker/sync-worker-protocol.ts";
