export { type ConnectedParts, connectSync, type SyncTuning } from "./connect-sync.ts";
export { composeWebApi, createWebApi, type WebApiParts } from "./create-web-api.ts";
export { defaultDatabaseName } from "./database-name.ts";
export {
  browserStorage,
  createStorageApi,
  type DeviceStorage,
  type StorageApi,
  type StorageEstimateInfo,
} from "./device-storage.ts";
export {
  createFilesApi,
  DEFAULT_FILE_MAX_KB,
  DEFAULT_IMAGE_MAX_KB,
  type FileColumnsOption,
  type FilesApi,
} from "./files-api.ts";
export { type HostDefaults, hostDefaults } from "./host-defaults.ts";
export { installXrmWebApi } from "./install-xrm-web-api.ts";
export { createOfflineApi, type OfflineApiOptions } from "./offline-api.ts";
export { type OfflineTables, resolveOfflineTables } from "./offline-tables.ts";
export { createUnconfiguredOnlineApi } from "./online-api.ts";
export { resolveMetadata } from "./resolve-metadata.ts";
export { createSyncApi, type SyncApiHandle, type SyncEngineLike } from "./sync-api.ts";
export type * from "./web-api-types.ts";
export { toXrmError, type XrmPromise, xrmPromise } from "./xrm-promise.ts";
