import type { SyncFailure } from "@xrm-offline/odata";
import type { FileUpload, FileUploadStore } from "@xrm-offline/store";
import type { SyncApi } from "./web-api-types.ts";
import { xrmPromise } from "./xrm-promise.ts";

/** Failure ids of refused uploads: `upload:<entity>|<id>|<column>`, apart from the outbox's. */
const PREFIX = "upload:";

/** A refused upload as a failure row, next to the outbox's (action "Upload"). */
function asFailure(u: FileUpload): SyncFailure {
  const error = u.error!;
  return {
    id: `${PREFIX}${u.id}`,
    action: "Upload",
    entity: u.entity,
    recordId: u.recordId,
    data: { column: u.column, fileName: u.fileName, mimeType: u.mimeType, size: u.size },
    errorCode: error.errorCode,
    code: error.code,
    message: error.message,
    errorType: 3,
    httpStatus: error.httpStatus,
    time: u.createdAt,
    seqs: [],
    attempts: u.attempts,
  };
}

/**
 * `api.sync` with refused file uploads listed among the failures, retried and discarded by the same
 * calls (a retry sends the file again from byte 0; a discard drops the file from this device).
 */
export function withUploadFailures(sync: SyncApi, uploads: () => Promise<FileUploadStore>): SyncApi {
  return {
    ...sync,
    failures: () =>
      xrmPromise(async () => {
        const failed = (await (await uploads()).list()).filter((u) => u.state === "failed");
        return [...(await sync.failures()), ...failed.map(asFailure)];
      }),
    retry: (failureId: string) =>
      typeof failureId === "string" && failureId.startsWith(PREFIX)
        ? xrmPromise(async () => {
            // The store announces it (a `files` change): the engine, wherever it runs, sends it.
            await (await uploads()).retry(failureId.slice(PREFIX.length));
          })
        : sync.retry(failureId),
    discard: (failureId: string) =>
      typeof failureId === "string" && failureId.startsWith(PREFIX)
        ? xrmPromise(async () => {
            // The engine counts refused uploads in status$.failed: the store's `files` change makes
            // it count again, wherever it runs.
            await (await uploads()).discard(failureId.slice(PREFIX.length));
            return { discarded: [] as number[] };
          })
        : sync.discard(failureId),
  };
}
