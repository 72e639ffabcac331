/// <reference types="xrm" />
/**
 * `createWebApi(options)`: composes the pieces of the public object.
 *
 *   createWebApi ─► resolveMetadata, resolveOfflineTables, OfflineStore.open (lazily awaited)
 *                ├─► createOfflineApi(store, metadata, tables)          → api.offline
 *                ├─► parts.online  ?? createUnconfiguredOnlineApi()     → api.online
 *                ├─► parts.engine  (SyncEngineLike, optional)           → api.sync.syncNow / status$
 *                └─► routed plain methods: offline-first → offline for tables available offline
 *
 * Extension points for the sync issue: `composeWebApi` takes an OnlineApi (createOnlineApi over a
 * transport) and a sync engine; createWebApi will build them from serverUrl / getAccessToken /
 * fetch / connectivity / conflictDetection.
 */
import type { Metadata } from "@xrm-offline/metadata";
import { xrmError } from "@xrm-offline/odata";
import { type FileUploadStore, OfflineStore, type ReadContext } from "@xrm-offline/store";
import { v4 as uuidv4 } from "uuid";
import { connectSync } from "./connect-sync.ts";
import { defaultDatabaseName } from "./database-name.ts";
import { browserStorage, createStorageApi, type DeviceStorage } from "./device-storage.ts";
import { createFilesApi, type FileColumnsOption } from "./files-api.ts";
import { hostDefaults } from "./host-defaults.ts";
import { createOfflineApi } from "./offline-api.ts";
import { type OfflineTables, resolveOfflineTables } from "./offline-tables.ts";
import { createUnconfiguredOnlineApi } from "./online-api.ts";
import type { FileDownloader } from "./read-file.ts";
import { resolveMetadata } from "./resolve-metadata.ts";
import { createSyncApi, type SyncEngineLike } from "./sync-api.ts";
import { withUploadFailures } from "./upload-failures.ts";
import type {
  CreateWebApiOptions,
  OfflineApi,
  OfflineWebApi,
  OnlineApi,
  WebApiMethods,
} from "./web-api-types.ts";

export interface WebApiParts {
  readonly metadata: Metadata;
  readonly tables: OfflineTables;
  /** Resolves with the opened store (rejects if it could not be opened). */
  readonly store: () => Promise<OfflineStore>;
  readonly mode: "offline-first" | "online-first";
  readonly online?: OnlineApi;
  readonly engine?: SyncEngineLike;
  readonly newId?: () => string;
  readonly queryContext?: ReadContext;
  /** Files of file and image columns, and their uploads (apart from records and the outbox). */
  readonly fileUploads: () => Promise<FileUploadStore>;
  readonly fileColumns?: FileColumnsOption;
  /** Downloads files set elsewhere (`api.files.get`); absent without a server. */
  readonly download?: FileDownloader;
  readonly maxUploadFileSize?: number;
  readonly maxRequestBytes?: number;
  /** Sync's block size for a large note's body (`sync.uploadChunkBytes`), for the size check. */
  readonly noteBlockBytes?: number;
  /** Asked before large writes; absent: writes go ahead and a full disk aborts them whole. */
  readonly storage?: DeviceStorage;
}

/**
 * Plain `Xrm.WebApi.*`: offline-first uses the store for tables available offline and the server
 * for the other tables of the metadata (as Dataverse's offline-first client does while online).
 * A name the metadata doesn't know goes to the offline side too, whose validation explains it.
 */
function routed(parts: WebApiParts, offline: OfflineApi, online: OnlineApi): WebApiMethods {
  const pick = (entityLogicalName: unknown): WebApiMethods => {
    if (parts.mode === "online-first") return online;
    const known =
      typeof entityLogicalName === "string" && parts.metadata.entity(entityLogicalName) !== undefined;
    return !known || parts.tables.isAvailable(entityLogicalName) ? offline : online;
  };
  return {
    createRecord: (e, data) => pick(e).createRecord(e, data),
    updateRecord: (e, id, data) => pick(e).updateRecord(e, id, data),
    deleteRecord: (e, id) => pick(e).deleteRecord(e, id),
    retrieveRecord: (e, id, options) => pick(e).retrieveRecord(e, id, options),
    retrieveMultipleRecords: (e, options, maxPageSize) =>
      pick(e).retrieveMultipleRecords(e, options, maxPageSize),
    isAvailableOffline: (e) => parts.tables.isAvailable(e),
  };
}

/** Builds the public object from its parts (createWebApi and, later, the sync wiring use it). */
export function composeWebApi(parts: WebApiParts): OfflineWebApi {
  const offline = createOfflineApi(parts.store, parts.metadata, parts.tables, {
    ...(parts.maxUploadFileSize !== undefined ? { maxUploadFileSize: parts.maxUploadFileSize } : {}),
    ...(parts.newId ? { newId: parts.newId } : {}),
    ...(parts.queryContext ? { queryContext: parts.queryContext } : {}),
    ...(parts.maxRequestBytes !== undefined ? { maxRequestBytes: parts.maxRequestBytes } : {}),
    ...(parts.noteBlockBytes !== undefined ? { noteBlockBytes: parts.noteBlockBytes } : {}),
    ...(parts.storage ? { storage: parts.storage } : {}),
    ...(parts.fileColumns ? { fileColumns: parts.fileColumns } : {}),
  });
  const online = parts.online ?? createUnconfiguredOnlineApi(parts.tables);
  const sync = createSyncApi(parts.store, parts.engine);
  const plain = routed(parts, offline, online);
  if (parts.engine) {
    // Let the engine know about writes made here (other tabs: the store's BroadcastChannel).
    const engine = parts.engine;
    parts.store().then(
      (s) => s.subscribe((change) => change === "write" && engine.notifyLocalWrite()),
      () => {},
    );
  }
  let closing: Promise<void> | undefined;
  return {
    ...plain,
    offline,
    online,
    // A file set, retried or discarded wakes the engine through the store's `files` change (in
    // this tab, and over BroadcastChannel in a sync worker or another tab), as a write does.
    sync: withUploadFailures(sync.api, parts.fileUploads),
    files: createFilesApi({
      metadata: parts.metadata,
      declared: parts.fileColumns,
      store: parts.store,
      uploads: parts.fileUploads,
      storage: parts.storage,
      download: parts.download,
    }),
    storage: createStorageApi(parts.storage),
    execute: (request) => online.execute(request),
    executeMultiple: (requests) => online.executeMultiple(requests),
    close: () => {
      closing ??= (async () => {
        sync.dispose();
        await parts.engine?.close();
        const store = await parts.store().catch(() => undefined);
        await store?.close();
      })();
      return closing;
    },
  };
}

/**
 * An `Xrm.WebApi` backed by a local IndexedDB store. Returns at once; the database opens in the
 * background and every call waits for it. Throws (synchronously) only for bad options.
 */
export function createWebApi(options: CreateWebApiOptions): OfflineWebApi {
  // Checked first: it also refuses a missing options object with InvalidArgument.
  const metadata = resolveMetadata((options as CreateWebApiOptions | undefined)?.metadata);
  const maxRequestBytes = options.maxRequestBytes;
  if (maxRequestBytes !== undefined && !(Number.isSafeInteger(maxRequestBytes) && maxRequestBytes >= 1024)) {
    throw xrmError("InvalidArgument", "maxRequestBytes must be an integer of at least 1024 (bytes).");
  }
  const tables = resolveOfflineTables(metadata, options.offlineTables);
  if (options.storage !== undefined && typeof options.storage?.estimate !== "function") {
    throw xrmError("InvalidArgument", "storage must have an estimate() method, as navigator.storage does.");
  }
  const storage = options.storage ?? browserStorage();
  // Inside a model-driven app: the org's Web API on the page's own origin (cookie session).
  const host = options.serverUrl === undefined ? hostDefaults() : undefined;
  const serverUrl = options.serverUrl ?? host?.serverUrl;
  const name =
    options.databaseName ??
    `${defaultDatabaseName(serverUrl)}${host?.userId === undefined ? "" : `:${host.userId}`}`;
  const opening = OfflineStore.open({
    name,
    metadata,
    ...(options.indexedDB ? { indexedDB: options.indexedDB } : {}),
    ...(options.IDBKeyRange ? { IDBKeyRange: options.IDBKeyRange } : {}),
    indexColumns: tables.indexes,
  });
  // Errors surface through the calls that await the store; don't report them twice.
  opening.catch(() => {});
  const store = () => opening;
  const uploads = opening.then((s) => s.fileUploads(options.newId ?? uuidv4));
  uploads.catch(() => {});
  const fileUploads = () => uploads;
  // With a server: the online namespace and the sync engine (push the outbox, pull the profile).
  let connected: ReturnType<typeof connectSync> | undefined;
  try {
    connected = serverUrl
      ? connectSync({ ...options, serverUrl }, metadata, tables, store, fileUploads)
      : undefined;
  } catch (e) {
    // Bad server options: don't leave the database open behind the exception.
    opening.then(
      (s) => s.close(),
      () => {},
    );
    throw e;
  }
  return composeWebApi({
    metadata,
    tables,
    store,
    mode: options.mode ?? "offline-first",
    fileUploads,
    ...(options.fileColumns ? { fileColumns: options.fileColumns } : {}),
    ...(options.maxUploadFileSize !== undefined ? { maxUploadFileSize: options.maxUploadFileSize } : {}),
    ...(connected
      ? { online: connected.online, engine: connected.engine, download: connected.download }
      : {}),
    ...(options.newId ? { newId: options.newId } : {}),
    ...(options.queryContext ? { queryContext: options.queryContext } : {}),
    ...(maxRequestBytes !== undefined ? { maxRequestBytes } : {}),
    ...(options.sync?.uploadChunkBytes ? { noteBlockBytes: options.sync.uploadChunkBytes } : {}),
    ...(storage ? { storage } : {}),
  });
}
