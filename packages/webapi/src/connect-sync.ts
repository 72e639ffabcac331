/**
 * The connected half of createWebApi: with a `serverUrl`, the online namespace and a sync engine
 * that pushes the outbox and pulls the offline profile.
 *
 * What this file does at the call is small: it checks the server options (bad ones throw here, as
 * createWebApi promises) and returns the online API and the engine as lazy stand-ins. The transport,
 * the online API over it and the engine (connect-engine.ts, most of @xrm-offline/sync and @xrm-offline/transport) are a dynamic
 * import, loaded when syncing starts — at once with `sync.autoStart` (the default), else on the
 * first online call or sync call — so they are not part of the page's first script. The store opens
 * asynchronously anyway; the engine is built when both are there: status$ follows it as soon as it
 * exists, calls wait for it.
 */
import type { Metadata } from "@xrm-offline/metadata";
import { type SyncStatus, serviceRootOf, xrmError } from "@xrm-offline/odata";
import type { FileUploadStore, OfflineStore } from "@xrm-offline/store";
import type { RetryPolicy, SyncEngine } from "@xrm-offline/sync";
import { Observable, type Subscription } from "rxjs";
import type { EngineParts } from "./connect-engine.ts";
import type { OfflineTables } from "./offline-tables.ts";
import type { FileDownloader } from "./read-file.ts";
import type { SyncEngineLike } from "./sync-api.ts";
import type { CreateWebApiOptions, OnlineApi, RetrieveMultipleResponse } from "./web-api-types.ts";
import { xrmPromise } from "./xrm-promise.ts";

/** Tuning of the sync engine; the defaults suit a phone. */
export interface SyncTuning {
  /** Writes per `$batch` (default 100). */
  readonly batchSize?: number;
  /** Wait after a local write before syncing (default 250 ms). */
  readonly debounceMs?: number;
  /** Backoff of transient failures (default base 1 s, cap 5 min, full jitter). */
  readonly retry?: RetryPolicy;
  /** Periodic sync: a cycle this long after the last one ended (default: none). */
  readonly intervalMs?: number;
  /** Rows per page when pulling (default 2000). */
  readonly pageSize?: number;
  /** Per-request HTTP timeout (default 120 s). */
  readonly timeoutMs?: number;
  /** Start syncing as soon as the store is open (default true). */
  readonly autoStart?: boolean;
  /** Largest chunk of a file upload, below the server's 4 MB recommendation (default: the server's). */
  readonly uploadChunkBytes?: number;
  /** Bytes per ranged request when downloading a file (default 4 MB, Dataverse's chunk size). */
  readonly downloadChunkBytes?: number;
}

export interface ConnectedParts {
  readonly online: OnlineApi;
  readonly engine: SyncEngineLike;
  /** Downloads a file from the server (loads the transport on first use). */
  readonly download: FileDownloader;
}

export function connectSync(
  options: CreateWebApiOptions & { serverUrl: string; sync?: SyncTuning },
  metadata: Metadata,
  tables: OfflineTables,
  store: () => Promise<OfflineStore>,
  fileUploads: () => Promise<FileUploadStore>,
): ConnectedParts {
  // The transport checks these too; checked here so that bad options throw at the call.
  serviceRootOf(options.serverUrl);
  const timeoutMs = options.sync?.timeoutMs;
  if (timeoutMs !== undefined && !(timeoutMs > 0))
    throw xrmError("InvalidArgument", `sync.timeoutMs must be a positive number, got ${String(timeoutMs)}.`);
  const chunk = options.sync?.downloadChunkBytes;
  if (chunk !== undefined && !(Number.isSafeInteger(chunk) && chunk > 0))
    throw xrmError(
      "InvalidArgument",
      `sync.downloadChunkBytes must be a positive integer, got ${String(chunk)}.`,
    );
  let loading: Promise<EngineParts> | undefined;
  const load = () => {
    loading ??= import("./connect-engine.ts").then((m) =>
      m.connectEngine(options, metadata, tables, store, fileUploads),
    );
    return loading;
  };
  if (options.sync?.autoStart !== false) load().catch(() => {}); // surfaces through the calls
  return {
    online: lazyOnlineApi(async () => (await load()).online, tables),
    engine: lazyEngine(
      async () => (await load()).engine,
      () => loading !== undefined,
    ),
    download: async (target) => (await load()).download(target),
  };
}

/** `online.*`, each call waiting for the transport (and the online API over it) to be loaded. */
function lazyOnlineApi(online: () => Promise<OnlineApi>, tables: OfflineTables): OnlineApi {
  return {
    createRecord: (e, data) => xrmPromise(async () => (await online()).createRecord(e, data)),
    updateRecord: (e, id, data) => xrmPromise(async () => (await online()).updateRecord(e, id, data)),
    deleteRecord: (e, id) => xrmPromise(async () => (await online()).deleteRecord(e, id)),
    retrieveRecord: <T>(e: string, id: string, options?: string) =>
      xrmPromise(async () => (await online()).retrieveRecord<T>(e, id, options)),
    retrieveMultipleRecords: <T>(e: string, options?: string, maxPageSize?: number) =>
      xrmPromise<RetrieveMultipleResponse<T>, Xrm.RetrieveMultipleResult<T>>(async () =>
        (await online()).retrieveMultipleRecords<T>(e, options, maxPageSize),
      ),
    execute: (request) => xrmPromise(async () => (await online()).execute(request)),
    executeMultiple: (requests) => xrmPromise(async () => (await online()).executeMultiple(requests)),
    isAvailableOffline: (e) => tables.isAvailable(e),
  };
}

/**
 * The engine behind SyncEngineLike. `engine()` loads and builds it (once); `loaded()` says whether
 * that has begun — a local write or `close()` never loads the engine just to notify or stop it.
 */
function lazyEngine(engine: () => Promise<SyncEngine>, loaded: () => boolean): SyncEngineLike {
  let closed = false;
  return {
    // Subscribing loads the engine; then the engine's own status$. (Written out rather than
    // defer/from/switchMap: those operators would be in the page's first chunk only for this.)
    status$: new Observable<SyncStatus>((subscriber) => {
      let inner: Subscription | undefined;
      let done = false;
      engine().then(
        (e) => {
          if (!done) inner = e.status$.subscribe(subscriber);
        },
        (error: unknown) => subscriber.error(error),
      );
      return () => {
        done = true;
        inner?.unsubscribe();
      };
    }),
    syncNow: async () => (await engine()).syncNow(),
    pendingCount: async () => (await engine()).pendingCount(),
    failures: async () => (await engine()).failures(),
    retry: async (failureId) => (await engine()).retry(failureId),
    discard: async (failureId) => (await engine()).discard(failureId),
    notifyLocalWrite() {
      if (!loaded()) return;
      engine().then(
        (e) => !closed && e.notifyLocalWrite(),
        () => {},
      );
    },
    async close() {
      closed = true;
      if (!loaded()) return;
      const e = await engine().catch(() => undefined);
      await e?.close();
    },
  };
}
