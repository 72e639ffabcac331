/**
 * The connected half of createWebApi: with a `serverUrl`, a transport (tokens in memory only), the
 * online namespace over it, and a sync engine that pushes the outbox and pulls the offline profile.
 *
 * The store opens asynchronously while createWebApi returns at once, so the engine is built when
 * the store is ready and reached through `LazySyncEngine`, which createWebApi's parts accept as a
 * SyncEngineLike: status$ follows the engine as soon as it exists; calls wait for it.
 */
import type { Metadata } from "@xrm-offline/metadata";
import type { FileUploadStore, OfflineStore } from "@xrm-offline/store";
import {
  createConnectivity,
  createPuller,
  createServerProbe,
  createSyncEngine,
  createTransportRemotePort,
  createUploadTracker,
  normalizeOfflineTables,
  type RetryPolicy,
  runUploads,
  type SyncEngine,
  transportPullRemote,
  withInlineBlobs,
} from "@xrm-offline/sync";
import { createTransport, type Transport, uploadFile } from "@xrm-offline/transport";
import { defer, from, switchMap } from "rxjs";
import type { OfflineTables } from "./offline-tables.ts";
import { createOnlineApi } from "./online/create-online-api.ts";
import type { SyncEngineLike } from "./sync-api.ts";
import type { CreateWebApiOptions, OnlineApi } from "./web-api-types.ts";

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
}

export interface ConnectedParts {
  readonly online: OnlineApi;
  readonly engine: SyncEngineLike;
  readonly transport: Transport;
}

export function connectSync(
  options: CreateWebApiOptions & { serverUrl: string; sync?: SyncTuning },
  metadata: Metadata,
  tables: OfflineTables,
  store: () => Promise<OfflineStore>,
  fileUploads: () => Promise<FileUploadStore>,
): ConnectedParts {
  const tuning = options.sync ?? {};
  const transport = createTransport({
    serverUrl: options.serverUrl,
    ...(options.getAccessToken ? { getAccessToken: options.getAccessToken } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(tuning.timeoutMs ? { timeoutMs: tuning.timeoutMs } : {}),
  });
  const online = createOnlineApi({
    metadata,
    transport: () => transport,
    isAvailableOffline: (e) => tables.isAvailable(e),
  });
  const connectivity = options.connectivity ?? createConnectivity({ probe: createServerProbe(transport) });
  // Only tables the app named are downloaded; without offlineTables nothing is pulled (every table
  // can still be written offline).
  const profile =
    options.offlineTables === undefined ? undefined : normalizeOfflineTables(options.offlineTables, metadata);

  // Files and note bodies under way, shown in status$.uploads.
  const tracker = createUploadTracker();
  const uploadFiles = async (signal: AbortSignal) => {
    const round = await runUploads(
      await fileUploads(),
      (upload, blob, o) =>
        uploadFile(
          transport,
          {
            entitySetName: metadata.entity(upload.entity)?.entitySetName ?? upload.entity,
            id: upload.recordId,
            column: upload.column,
            fileName: upload.fileName,
            mimeType: upload.mimeType,
          },
          blob,
          {
            ...o,
            // A file that fits in one chunk goes in one PATCH; a bigger one in chunks.
            ...(tuning.uploadChunkBytes
              ? { maxChunkBytes: tuning.uploadChunkBytes, singleRequestMaxBytes: tuning.uploadChunkBytes }
              : {}),
          },
        ),
      tracker,
      signal,
    );
    // A transient failure: let the engine's backoff decide when to come back.
    if (round.error) throw round.error;
  };

  const building = store().then((s) => {
    const puller = profile
      ? createPuller({
          store: s,
          remote: transportPullRemote(transport),
          profile,
          ...(tuning.pageSize ? { pageSize: tuning.pageSize } : {}),
        })
      : undefined;
    const engine = createSyncEngine({
      outbox: s.outboxPort(),
      remote: withInlineBlobs(
        createTransportRemotePort(transport, { metadata }),
        (id) => s.blob(id),
        tracker,
      ),
      uploads: tracker.uploads$,
      connectivity,
      ...(options.conflictDetection !== undefined ? { conflictDetection: options.conflictDetection } : {}),
      ...(tuning.batchSize ? { batchSize: tuning.batchSize } : {}),
      ...(tuning.debounceMs !== undefined ? { debounceMs: tuning.debounceMs } : {}),
      ...(tuning.retry ? { retry: tuning.retry } : {}),
      ...(tuning.intervalMs ? { intervalMs: tuning.intervalMs } : {}),
      // Files go after the pushes (their records exist on the server by then) and before the pull,
      // under the same runner lock and with the pull's own backoff: a failing upload never holds
      // record writes back.
      pull: async (signal, onProgress) => {
        await uploadFiles(signal);
        if (puller) await puller.pull(signal, onProgress);
      },
    });
    if (tuning.autoStart !== false) engine.start();
    return engine;
  });
  building.catch(() => {}); // surfaces through the calls that await it
  return { online, engine: lazyEngine(building), transport };
}

function lazyEngine(building: Promise<SyncEngine>): SyncEngineLike {
  let closed = false;
  return {
    status$: defer(() => from(building)).pipe(switchMap((engine) => engine.status$)),
    syncNow: async () => (await building).syncNow(),
    pendingCount: async () => (await building).pendingCount(),
    failures: async () => (await building).failures(),
    retry: async (failureId) => (await building).retry(failureId),
    discard: async (failureId) => (await building).discard(failureId),
    notifyLocalWrite() {
      building.then(
        (engine) => !closed && engine.notifyLocalWrite(),
        () => {},
      );
    },
    async close() {
      closed = true;
      const engine = await building.catch(() => undefined);
      await engine?.close();
    },
  };
}
