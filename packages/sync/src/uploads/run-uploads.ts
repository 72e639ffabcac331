import { XrmError } from "@xrm-offline/odata";
import type { FileUpload, FileUploadProgress } from "@xrm-offline/store";
import type { UploadTracker } from "./upload-tracker.ts";

/** What the uploader needs from the store (FileUploadStore implements it). */
export interface UploadQueuePort {
  ready(): Promise<FileUpload[]>;
  blob(blobId: string): Promise<Blob | undefined>;
  markAttempt(upload: FileUpload): Promise<boolean>;
  saveProgress(upload: FileUpload, progress: FileUploadProgress): Promise<boolean>;
  finish(upload: FileUpload, serverVersion?: string): Promise<boolean>;
  fail(upload: FileUpload, error: NonNullable<FileUpload["error"]>): Promise<boolean>;
}

/**
 * Sends one file (transport's `uploadFile`, bound to the transport and entity set names); may
 * resolve with `{ serverVersion }`, the record's marker of the file on the server (its image id or
 * file id), kept with the upload so a read can tell when another device replaced it.
 */
export type SendFile = (
  upload: FileUpload,
  blob: Blob,
  options: {
    readonly resume?: FileUploadProgress;
    readonly onProgress: (p: FileUploadProgress) => Promise<void>;
    readonly signal: AbortSignal;
  },
) => Promise<unknown>;

export interface UploadRound {
  readonly uploaded: number;
  readonly failed: number;
  /** Left for a later round: a transient error stopped the round. */
  readonly deferred: number;
  /** The transient error that stopped the round, if one did. */
  readonly error?: XrmError;
}

/**
 * Uploads every ready file, oldest first, one at a time (files are large; parallel uploads only
 * split the same bandwidth). Progress is saved after every chunk, so a reload resumes where the
 * server stopped acknowledging. A permanent refusal (4xx) becomes a kept failure; a transient error
 * (network, 5xx, 429) ends the round with the file still pending and its progress kept.
 *
 * Every file of the round shows in `tracker` from the start (bytes the server already has, so a
 * resumed file starts where it stopped), its bytes updated after each acknowledged chunk, and
 * leaves it when it is uploaded, refused or put off.
 */
export async function runUploads(
  queue: UploadQueuePort,
  send: SendFile,
  tracker: UploadTracker,
  signal: AbortSignal,
): Promise<UploadRound> {
  const ready = await queue.ready();
  const show = (upload: FileUpload, sentBytes: number) =>
    tracker.report({
      entity: upload.entity,
      recordId: upload.recordId,
      column: upload.column,
      fileName: upload.fileName,
      sentBytes,
      totalBytes: upload.size,
    });
  for (const upload of ready) show(upload, upload.progress?.sentBytes ?? 0);
  let uploaded = 0;
  let failed = 0;
  let index = 0;
  try {
    for (; index < ready.length; index++) {
      const upload = ready[index]!;
      if (signal.aborted) return { uploaded, failed, deferred: ready.length - index };
      const blob = await queue.blob(upload.blobId);
      if (!blob || !(await queue.markAttempt(upload))) {
        tracker.end(upload); // replaced or discarded meanwhile
        continue;
      }
      try {
        const sent = await send(upload, blob, {
          ...(upload.progress ? { resume: upload.progress } : {}),
          onProgress: async (p) => {
            await queue.saveProgress(upload, p);
            show(upload, p.sentBytes);
          },
          signal,
        });
        const version = (sent as { serverVersion?: unknown } | undefined)?.serverVersion;
        await queue.finish(upload, typeof version === "string" ? version : undefined);
        uploaded++;
      } catch (e) {
        const error = XrmError.from(e);
        if (error.retryable || error.httpStatus === 0 || signal.aborted) {
          return { uploaded, failed, deferred: ready.length - index, error };
        }
        await queue.fail(upload, {
          errorCode: error.errorCode,
          code: error.code,
          message: error.message,
          httpStatus: error.httpStatus,
        });
        failed++;
      }
      tracker.end(upload);
    }
    return { uploaded, failed, deferred: 0 };
  } finally {
    // Put off (a transient error, a stop): out of the list until the next round.
    for (const upload of ready.slice(index)) tracker.end(upload);
  }
}
