export type { ApplyServerRowsOptions, ApplyServerRowsResult } from "./apply-server-rows.ts";
export { blobsApart, carriesBlob, withBlobsInline } from "./binary-blobs.ts";
export type { PreparedWrite, WriteResult } from "./commit-writes.ts";
export type { DownloadedFile } from "./downloaded-files.ts";
export {
  type FileUpload,
  type FileUploadProgress,
  FileUploadStore,
  type LocalFile,
  type StoredBlob,
  uploadKey,
} from "./file-uploads.ts";
export { ExcludeItems, GroupCommitter, type Outcome } from "./group-commit.ts";
export { type IndexedColumn, indexColumnsFor } from "./index-columns.ts";
export {
  type LocalReadOptions,
  type ReadContext,
  retrieveLocalRecord,
  retrieveLocalRecords,
} from "./local-query.ts";
export { noteBlocksKey } from "./note-block-sessions.ts";
export { OfflineStore, type OpenStoreOptions, type RowHint } from "./offline-store.ts";
export { IN_FLIGHT_KEY } from "./outbox-port.ts";
export type { PeekOptions } from "./peek-outbox.ts";
export { publicRecord } from "./record-shape.ts";
export { BOOKKEEPING_FIELDS, SCHEMA_VERSIONS, type SchemaVersion } from "./schema.ts";
export type { StoreChange } from "./store-notifier.ts";
export type * from "./store-types.ts";
export { XrmDatabase, type XrmDatabaseOptions } from "./xrm-database.ts";
