export { type NoteBlocks, withInlineBlobs } from "./adapters/inline-blobs-remote-port.ts";
export {
  type NoteBlocksProgress,
  type NoteBlocksSender,
  noteBlocksSender,
} from "./adapters/note-blocks.ts";
export { createServerProbe } from "./adapters/server-probe.ts";
export {
  createTransportRemotePort,
  type TransportRemotePortOptions,
} from "./adapters/transport-remote-port.ts";
export { systemClock } from "./clock.ts";
export { type ConnectivityOptions, createConnectivity } from "./connectivity.ts";
export {
  createPuller,
  type Puller,
  type PullerOptions,
} from "./downstream/create-puller.ts";
export {
  normalizeOfflineTables,
  type OfflineProfile,
  type OfflineTableOptions,
  type OfflineTablesOption,
  type RelatedSource,
  type TablePlan,
} from "./downstream/offline-profile.ts";
export type {
  ApplyRowsResult,
  PullKind,
  PullProgress,
  PullRemote,
  PullReport,
  PullStore,
  TablePullReport,
} from "./downstream/pull-ports.ts";
export { transportPullRemote } from "./downstream/transport-pull-remote.ts";
export type {
  Clock,
  ConnectivityPort,
  FileUploadsPort,
  RemoteBatchResult,
  RemoteError,
  RemotePort,
  RemoteRecordResult,
  RemoteResult,
  RemoteWrite,
  RunnerLock,
} from "./ports.ts";
export { createRunnerLock, inProcessLock, type WebLocks } from "./runner-lock.ts";
export {
  createSyncEngine,
  type PullProgressInfo,
  type SyncEngine,
  type SyncEngineOptions,
} from "./sync-engine.ts";
export {
  runUploads,
  type SendFile,
  type UploadQueuePort,
  type UploadRound,
} from "./uploads/run-uploads.ts";
export { createUploadTracker, type UploadTracker } from "./uploads/upload-tracker.ts";
export type { RetryPolicy } from "./upstream/backoff-book.ts";
