import { base64ToBytes } from "@xrm-offline/odata";
import type { BinaryResponse, Transport } from "./create-transport.ts";
import { TRANSPORT_CODES, TransportError } from "./transport-error.ts";

/**
 * What to download: a file or image column of one record (the bytes), or a note's or email
 * attachment's body column (`documentbody`, `body`: the server answers its Base64 text).
 */
export interface DownloadTarget {
  readonly entitySetName: string;
  readonly id: string;
  readonly column: string;
  readonly kind: "file" | "image" | "attachment";
}

/** A downloaded file: the bytes and what the server said about them. */
export interface DownloadedBytes {
  readonly blob: Blob;
  readonly size: number;
  /** `x-ms-file-name` (file and image columns; a note's name is its `filename` column). */
  readonly fileName?: string;
  /** The `mimetype` header (file and image columns). */
  readonly mimeType?: string;
}

export interface DownloadOptions {
  /** Bytes per ranged request (default 4 MB, the chunk size Dataverse recommends). */
  readonly chunkBytes?: number;
  /** Called after each part arrived, with the bytes received so far and the file's size. */
  readonly onProgress?: (receivedBytes: number, totalBytes: number) => void;
  readonly signal?: AbortSignal;
}

const DEFAULT_CHUNK = 4 * 1024 * 1024;

/** `x-ms-file-size`, else the total of `Content-Range: bytes a-b/total`. */
function totalSize(answer: BinaryResponse): number | undefined {
  const declared = Number(answer.headers["x-ms-file-size"]);
  if (Number.isSafeInteger(declared) && declared >= 0 && answer.headers["x-ms-file-size"] !== "") {
    return declared;
  }
  const m = /\/(\d+)\s*$/.exec(answer.headers["content-range"] ?? "");
  return m ? Number(m[1]) : undefined;
}

/** A header value the emulator and Dataverse may percent-encode (non-ASCII names). */
function decodedHeader(value: string | undefined): string | undefined {
  if (value === undefined || value === "") return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

const isNoFile = (error: unknown) => error instanceof TransportError && error.status === 404;

/** An answer a download can't use (a read: nothing was changed, so it may simply be asked again). */
function unusable(status: number, message: string, headers: Readonly<Record<string, string>>) {
  return new TransportError({
    kind: "protocol",
    code: TRANSPORT_CODES.unexpected,
    message,
    status,
    retryable: true,
    headers,
  });
}

// 416 for the first range of a file of 0 bytes: the file is empty (`Content-Range` ends in "/0").
const isEmptyFile = (error: unknown) =>
  error instanceof TransportError &&
  error.status === 416 &&
  /\*\/0\s*$/.test(error.headers?.["content-range"] ?? "");

/**
 * Download a file as "Use file column data" describes the Web API: `GET …/<column>/$value` with
 * `Range: bytes=<a>-<b>` (206 answers with `x-ms-file-size`, as many requests as the size needs;
 * a server that ignores the range answers 200 with the whole file). An image column asks for the
 * full-sized image (`?size=full`, "Use image column data"). A note's body comes with the
 * annotation block messages (below); an email attachment's is one `GET …/<column>/$value`,
 * answered with its Base64 text ("Use file data with Attachment and Note records"). Resolves with null when the record has no file (204, or 404 from the server).
 * The parts are Blobs joined into one Blob: the file is not copied into one buffer.
 */
export async function downloadFile(
  transport: Transport,
  target: DownloadTarget,
  options: DownloadOptions = {},
): Promise<DownloadedBytes | null> {
  const signal = options.signal;
  const url = `${target.entitySetName}(${target.id})/${target.column}/$value${target.kind === "image" ? "?size=full" : ""}`;
  const get = (headers: Record<string, string>) =>
    transport.sendBinary({ method: "GET", url, headers, responseType: "blob" }, signal ? { signal } : {});
  try {
    if (target.kind === "attachment" && target.entitySetName === "annotations") {
      return await downloadNoteInBlocks(transport, target.id, options);
    }
    if (target.kind === "attachment") {
      const answer = await get({ Accept: "text/plain" });
      if (answer.status === 204 || !answer.body) return null;
      const text = (await answer.body.text()).trim();
      if (text === "") return null;
      let bytes: Uint8Array;
      try {
        bytes = base64ToBytes(text);
      } catch {
        throw unusable(answer.status, "The note's body is not Base64.", answer.headers);
      }
      options.onProgress?.(bytes.length, bytes.length);
      return { blob: new Blob([bytes as Uint8Array<ArrayBuffer>]), size: bytes.length };
    }
    const chunk = Math.max(1, Math.floor(options.chunkBytes ?? DEFAULT_CHUNK));
    const parts: Blob[] = [];
    let received = 0;
    let total: number | undefined;
    let first: BinaryResponse | undefined;
    do {
      const end = received + chunk - 1;
      const answer = await get({
        Range: `bytes=${received}-${total === undefined ? end : Math.min(end, total - 1)}`,
      });
      first ??= answer;
      if (answer.status === 204 || !answer.body) return null;
      if (answer.status === 200) {
        // The whole file in one answer (the server ignored the range).
        parts.length = 0;
        parts.push(answer.body);
        received = answer.body.size;
        total = received;
      } else {
        total ??= totalSize(answer);
        if (total === undefined) {
          throw unusable(answer.status, "A partial answer without the file's size.", answer.headers);
        }
        const expected = Math.min(chunk, total - received);
        if (answer.body.size !== expected) {
          throw unusable(
            answer.status,
            `A part of ${answer.body.size} bytes where ${expected} were asked for.`,
            answer.headers,
          );
        }
        parts.push(answer.body);
        received += answer.body.size;
      }
      options.onProgress?.(received, total);
    } while (received < total);
    const mimeType = decodedHeader(first.headers.mimetype);
    const fileName = decodedHeader(first.headers["x-ms-file-name"]);
    return {
      blob: new Blob(parts, mimeType ? { type: mimeType } : {}),
      size: received,
      ...(fileName !== undefined ? { fileName } : {}),
      ...(mimeType !== undefined ? { mimeType } : {}),
    };
  } catch (error) {
    if (isNoFile(error)) return null;
    if (isEmptyFile(error)) return { blob: new Blob([]), size: 0 };
    throw error;
  }
}

/**
 * A note's body with the messages *Use file data with Attachment and Note records* gives for
 * downloading in chunks: `InitializeAnnotationBlocksDownload` (the size, the name and a token), then
 * `DownloadBlock` with `Offset` and `BlockLength` until the size is reached. Each block's Base64 is
 * decoded on its own, so the body is never one Base64 string in memory. Null when the note has no
 * body (404, or a size of 0).
 */
async function downloadNoteInBlocks(
  transport: Transport,
  id: string,
  options: DownloadOptions,
): Promise<DownloadedBytes | null> {
  const signal = options.signal;
  const init = await transport.send(
    {
      method: "POST",
      url: "InitializeAnnotationBlocksDownload",
      headers: {},
      body: { Target: { annotationid: id, "@odata.type": "Microsoft.Dynamics.CRM.annotation" } },
    },
    signal ? { signal } : {},
  );
  const answer = (init.body ?? {}) as {
    FileSizeInBytes?: unknown;
    FileName?: unknown;
    FileContinuationToken?: unknown;
  };
  const total = answer.FileSizeInBytes;
  const token = answer.FileContinuationToken;
  if (total === 0) return null;
  if (!Number.isSafeInteger(total) || (total as number) < 0 || typeof token !== "string") {
    throw unusable(
      init.status,
      "InitializeAnnotationBlocksDownload answered without a size and a token.",
      init.headers,
    );
  }
  const size = total as number;
  const chunk = Math.max(1, Math.floor(options.chunkBytes ?? DEFAULT_CHUNK));
  const parts: Blob[] = [];
  let received = 0;
  while (received < size) {
    const length = Math.min(chunk, size - received);
    const block = await transport.send(
      {
        method: "POST",
        url: "DownloadBlock",
        headers: {},
        body: { Offset: received, BlockLength: length, FileContinuationToken: token },
      },
      signal ? { signal } : {},
    );
    const data = (block.body as { Data?: unknown } | undefined)?.Data;
    let bytes: Uint8Array;
    try {
      bytes = base64ToBytes(typeof data === "string" ? data : "");
    } catch {
      throw unusable(block.status, "A DownloadBlock answer is not Base64.", block.headers);
    }
    if (bytes.length !== length) {
      throw unusable(
        block.status,
        `A block of ${bytes.length} bytes where ${length} were asked for.`,
        block.headers,
      );
    }
    parts.push(new Blob([bytes as Uint8Array<ArrayBuffer>]));
    received += length;
    options.onProgress?.(received, size);
  }
  const fileName =
    typeof answer.FileName === "string" && answer.FileName !== "" ? answer.FileName : undefined;
  return { blob: new Blob(parts), size, ...(fileName !== undefined ? { fileName } : {}) };
}
