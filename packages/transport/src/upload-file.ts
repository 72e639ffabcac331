import type { Transport } from "./create-transport.ts";
import { invalidRequest } from "./transport-error.ts";

/** Where a file goes: a file or image column of one record. */
export interface UploadTarget {
  readonly entitySetName: string;
  readonly id: string;
  readonly column: string;
  readonly fileName: string;
  readonly mimeType: string;
}

/**
 * How far an upload got, saved by the caller after every step so a crash or reload resumes it:
 * finished chunks are not sent again.
 */
export interface UploadProgress {
  /** The chunked session's URL (`…/<column>?sessiontoken=…`), once opened. */
  readonly location?: string;
  /** The chunk size the server recommended (`x-ms-chunk-size`). */
  readonly chunkSize?: number;
  /** Bytes the server has acknowledged. */
  readonly sentBytes: number;
}

export interface UploadOptions {
  /** Where a previous attempt stopped. */
  readonly resume?: UploadProgress;
  /** Called after each acknowledged step, before the next is sent; await it to persist. */
  readonly onProgress?: (progress: UploadProgress) => Promise<void> | void;
  readonly signal?: AbortSignal;
  /**
   * Files up to this size go in one PATCH; bigger ones in chunks (Microsoft: one request works up
   * to 128 MB, chunks for anything; chunks here so a big upload resumes and reports progress).
   */
  readonly singleRequestMaxBytes?: number;
  /** Upper bound on a chunk, below the server's recommendation (smaller chunks lose less on a drop). */
  readonly maxChunkBytes?: number;
}

export const DEFAULT_SINGLE_REQUEST_MAX: number = 4 * 1024 * 1024;
const DEFAULT_CHUNK = 4 * 1024 * 1024;

function columnUrl(target: UploadTarget, query = ""): string {
  return `${target.entitySetName}(${target.id})/${target.column}${query}`;
}

/** A file name travels in the query string too: the header can only carry ASCII names. */
function asciiName(name: string): string | undefined {
  return /^[\u0020-\u007e]+$/.test(name) ? name : undefined;
}

/**
 * Upload `blob` to a file or image column with Dataverse's protocol ("Use file column data"): one
 * `PATCH` with `x-ms-file-name` for a small file; otherwise `x-ms-transfer-mode: chunked` to open a
 * session, then `PATCH <Location>` with `Content-Range` per chunk (206 until the last, then 204).
 * Chunks are `Blob` slices, so the file is never copied whole into memory. Resumes from
 * `options.resume`; if the server no longer knows the session (4xx on a chunk of a resumed session),
 * starts a new one from byte 0 — uploading the same bytes again ends in the same state.
 */
export async function uploadFile(
  transport: Transport,
  target: UploadTarget,
  blob: Blob,
  options: UploadOptions = {},
): Promise<void> {
  if (!(blob instanceof Blob)) throw invalidRequest("The file must be a Blob.");
  const signal = options.signal;
  const name = asciiName(target.fileName);
  const nameHeader: Record<string, string> = name ? { "x-ms-file-name": name } : {};
  const mimeHeader: Record<string, string> = { "x-ms-file-mime-type": target.mimeType };
  const report = async (p: UploadProgress) => {
    await options.onProgress?.(p);
  };

  if (
    blob.size <= (options.singleRequestMaxBytes ?? DEFAULT_SINGLE_REQUEST_MAX) &&
    !options.resume?.location
  ) {
    await transport.sendBinary(
      {
        method: "PATCH",
        url: columnUrl(target, `?x-ms-file-name=${encodeURIComponent(target.fileName)}`),
        headers: { "Content-Type": "application/octet-stream", ...nameHeader, ...mimeHeader },
        body: blob,
      },
      signal ? { signal } : {},
    );
    await report({ sentBytes: blob.size });
    return;
  }

  const open = async (): Promise<UploadProgress> => {
    const answer = await transport.sendBinary(
      {
        method: "PATCH",
        url: columnUrl(target, `?x-ms-file-name=${encodeURIComponent(target.fileName)}`),
        headers: { "x-ms-transfer-mode": "chunked", ...nameHeader },
      },
      signal ? { signal } : {},
    );
    const location = answer.headers.location;
    if (!location) throw invalidRequest("The server opened no upload session (no Location header).");
    const chunkSize = Number(answer.headers["x-ms-chunk-size"]) || DEFAULT_CHUNK;
    const progress = { location, chunkSize, sentBytes: 0 };
    await report(progress);
    return progress;
  };

  let progress = options.resume?.location ? options.resume : await open();
  let resumed = progress === options.resume;
  while (progress.sentBytes < blob.size || blob.size === 0) {
    const start = progress.sentBytes;
    const chunk = Math.min(
      progress.chunkSize ?? DEFAULT_CHUNK,
      options.maxChunkBytes ?? Number.POSITIVE_INFINITY,
    );
    const end = Math.min(blob.size, start + chunk);
    try {
      await transport.sendBinary(
        {
          method: "PATCH",
          url: progress.location!,
          headers: {
            "Content-Type": "application/octet-stream",
            "Content-Range": `bytes ${start}-${Math.max(start, end - 1)}/${blob.size}`,
            ...nameHeader,
            ...mimeHeader,
          },
          body: blob.slice(start, end),
        },
        signal ? { signal } : {},
      );
    } catch (error) {
      // A resumed session the server has forgotten: start over once with a new session.
      const status = (error as { status?: number }).status ?? 0;
      if (resumed && status >= 400 && status < 500) {
        resumed = false;
        progress = await open();
        continue;
      }
      throw error;
    }
    resumed = false;
    progress = { ...progress, sentBytes: end };
    await report(progress);
    if (blob.size === 0) break;
  }
}
