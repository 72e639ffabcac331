/**
 * `@xrm-offline/webapi/worker`: run the sync engine off the main thread. In a worker,
 * `serveSyncWorker(self, createWebApi({...}).sync)`; in the page, `connectSyncWorker(worker)`
 * gives the same `status$` / `syncNow` / `pendingCount` / `failures` / `retry` / `discard`
 * (`SyncApi`) over postMessage. The engine's Web Lock keeps one runner per database whichever side
 * runs it.
 */
export { connectSyncWorker, type SyncWorkerClient } from "./worker/connect-sync-worker.ts";
export { serveSyncWorker } from "./worker/serve-sync-worker.ts";
export {
  isSyncWorkerMethod,
  readSyncWorkerCall,
  readSyncWorkerReply,
  SYNC_WORKER_METHODS,
  type SyncWorkerCall,
  type SyncWorkerEndpoint,
  type SyncWorkerError,
  type SyncWorkerMethod,
  type SyncWorkerReply,
  type SyncWorkerResult,
  type SyncWorkerStatus,
  type SyncWorkerValue,
} from "./worker/sync-worker-protocol.ts";
