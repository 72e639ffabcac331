/**
 * Binary content kept apart from records and outbox entries: the record and the operation hold
 * this reference; the bytes are a `Blob` in the store's `blobs` table (Chrome keeps one IndexedDB
 * value under ~127 MiB and reads whole values, so a photo inside a row or an outbox entry would be
 * copied on every read of it). Plain JSON, like everything persisted.
 */
export interface BlobRef {
  /** The `blobs` row id. */
  readonly "@xrm-offline.blob": string;
  /** Bytes. */
  readonly size: number;
}

export function isBlobRef(value: unknown): value is BlobRef {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Record<string, unknown>)["@xrm-offline.blob"] === "string" &&
    typeof (value as Record<string, unknown>).size === "number"
  );
}

export function blobRef(id: string, size: number): BlobRef {
  return { "@xrm-offline.blob": id, size };
}

/**
 * Text columns that carry a file as base64 (Microsoft: "Use file data with Attachment and Note
 * records"): the note's `documentbody` and the email attachment's `body`. They are capped by the
 * organization's MaxUploadFileSize (default 5,242,880 bytes, up to 131,072 KB), not by the text
 * column limit.
 */
export const ATTACHMENT_BODY_COLUMNS: Readonly<Record<string, string>> = {
  annotation: "documentbody",
  activitymimeattachment: "body",
};

export const DEFAULT_MAX_UPLOAD_FILE_SIZE = 5_242_880;

/** Base64 bodies shorter than this stay inside the row (as Dexie Cloud keeps blobs < 4 KB inline). */
export const BLOB_APART_MIN_CHARS = 4096;
