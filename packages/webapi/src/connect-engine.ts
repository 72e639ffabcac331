/**
 * The part of createWebApi's connection that waits until it is needed (connect-sync.ts loads it
 * with a dynamic import): the transport, the connectivity probe, the puller, the uploads and the
 * sync engine — most of @xrm-offline/sync and @xrm-offline/transport, which a page doesn't need to
 * show its first screen from the local store.
 */
import { isImageColumn, type Metadata } from "@xrm-offline/metadata";
import type { FileUploadStore, OfflineStore } from "@xrm-offline/store";
import {
  createConnectivity,
  createPuller,
  createServerProbe,
  createSyncEngine,
  createTransportRemotePort,
  createUploadTracker,
  normalizeOfflineTables,
  noteBlocksSender,
  runUploads,
  type SyncEngine,
  transportPullRemote,
  withInlineBlobs,
} from "@xrm-offline/sync";
import { createTransport, downloadFile, type Transport, uploadFile } from "@xrm-offline/transport";
import type { SyncTuning } from "./connect-sync.ts";
import type { OfflineTables } from "./offline-tables.ts";
import { createOnlineApi } from "./online/create-online-api.ts";
import type { FileDownloader } from "./read-file.ts";
import type { CreateWebApiOptions, OnlineApi } from "./web-api-types.ts";

export interface EngineParts {
  readonly transport: Transport;
  /** Downloads a file or a note's body (`api.files.get`), in ranges of `sync.downloadChunkBytes`. */
  readonly download: FileDownloader;
  readonly online: OnlineApi;
  /** Built when the store is open; started then unless `sync.autoStart` is false. */
  readonly engine: Promise<SyncEngine>;
}

/**
 * The record's marker of the file just uploaded (an image column's `<column>id`, a file column's
 * file id), read back with one small GET, so a later read can tell when another device replaced
 * the file. Best effort: a column the metadata doesn't list, or any failure, gives none.
 */
async function serverVersionOf(
  transport: Transport,
  metadata: Metadata,
  upload: { readonly entity: string; readonly recordId: string; readonly column: string },
  entitySetName: string,
  signal: AbortSignal,
): Promise<{ serverVersion?: string }> {
  const entity = metadata.entity(upload.entity);
  if (!entity) return {};
  const marker = isImageColumn(entity, upload.column) ? `${upload.column}id` : upload.column;
  if (!entity.attribute(marker)) return {};
  try {
    const answer = await transport.send(
      { method: "GET", url: `${entitySetName}(${upload.recordId})?$select=${marker}`, headers: {} },
      { signal },
    );
    const value = (answer.body as Record<string, unknown> | undefined)?.[marker];
    return typeof value === "string" ? { serverVersion: value } : {};
  } catch {
    return {};
  }
}

export function connectEngine(
  options: CreateWebApiOptions & { serverUrl: string; sync?: SyncTuning },
  metadata: Metadata,
  tables: OfflineTables,
  store: () => Promise<OfflineStore>,
  fileUploads: () => Promise<FileUploadStore>,
): EngineParts {
  const tuning = options.sync ?? {};
  const transport = createTransport({
    serverUrl: options.serverUrl,
    ...(options.getAccessToken ? { getAccessToken: options.getAccessToken } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(tuning.timeoutMs ? { timeoutMs: tuning.timeoutMs } : {}),
  });
  const connectivity = options.connectivity ?? createConnectivity({ probe: createServerProbe(transport) });
  // Only tables the app named are downloaded; without offlineTables nothing is pulled (every table
  // can still be written offline).
  const profile =
    options.offlineTables === undefined ? undefined : normalizeOfflineTables(options.offlineTables, metadata);

  // Files and note bodies under way, shown in status$.uploads.
  const tracker = createUploadTracker();
  const uploadFiles = async (signal: AbortSignal) =>
    runUploads(
      await fileUploads(),
      async (upload, blob, o) => {
        const entitySetName = metadata.entity(upload.entity)?.entitySetName ?? upload.entity;
        await uploadFile(
          transport,
          {
            entitySetName,
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
        );
        return serverVersionOf(transport, metadata, upload, entitySetName, o.signal);
      },
      tracker,
      signal,
    );

  const blockBytes = tuning.uploadChunkBytes ?? 4 * 1024 * 1024;
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
        // A note written with a body above one block goes with the block messages (Microsoft:
        // Base64 in the record is "fine as long as the files aren't too large, for example under 4 MB").
        {
          aboveBytes: blockBytes,
          send: noteBlocksSender(transport, metadata, {
            blockBytes,
            // The session and the blocks sent, in the store's meta table: a reload goes on from there.
            progress: { load: (key) => s.getMeta(key), save: (key, value) => s.setMeta(key, value) },
          }),
        },
      ),
      uploads: tracker.uploads$,
      // Files go after the pushes (their records exist on the server by then) and before the pull,
      // under the same runner lock and with the pull's own backoff: a failing upload never holds
      // record writes back. Their pending and refused ones count in status$ and syncNow()'s report.
      files: {
        counts: async () => (await fileUploads()).counts(),
        send: uploadFiles,
        // A file set, retried or discarded in this tab, another one or a sync worker's page.
        onFilesChange: (listener) => s.subscribe((change) => change === "files" && listener()),
      },
      connectivity,
      ...(options.conflictDetection !== undefined ? { conflictDetection: options.conflictDetection } : {}),
      ...(tuning.batchSize ? { batchSize: tuning.batchSize } : {}),
      ...(tuning.debounceMs !== undefined ? { debounceMs: tuning.debounceMs } : {}),
      ...(tuning.retry ? { retry: tuning.retry } : {}),
      ...(tuning.intervalMs ? { intervalMs: tuning.intervalMs } : {}),
      ...(puller ? { pull: (signal, onProgress) => puller.pull(signal, onProgress) } : {}),
    });
    if (tuning.autoStart !== false) engine.start();
    return engine;
  });
  building.catch(() => {}); // surfaces through the calls that await it
  const online = createOnlineApi({
    metadata,
    transport: () => transport,
    isAvailableOffline: (e) => tables.isAvailable(e),
  });
  const download: FileDownloader = (target) =>
    downloadFile(
      transport,
      target,
      tuning.downloadChunkBytes ? { chunkBytes: tuning.downloadChunkBytes } : {},
    );
  return { transport, online, engine: building, download };
}
