import { base64ByteLength, isBase64 } from "../edm/base64.ts";
import { xrmError } from "../errors/error-catalogue.ts";

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

/**
 * A note's or email attachment's body: well-formed base64 whose decoded size is within the org's
 * MaxUploadFileSize (0x80044a02 otherwise, as the server answers). Returns the text unchanged.
 */
export function checkAttachmentBody(entity: string, column: string, value: string, maxBytes: number): string {
  if (!isBase64(value)) {
    throw xrmError("InvalidArgument", `'${column}' of '${entity}' must be the file's content in base64.`);
  }
  const size = base64ByteLength(value);
  if (size > maxBytes) {
    throw xrmError(
      "unManagedidsattachmentinvalidfilesize",
      `The attachment in '${column}' has ${size} bytes; the organization accepts at most ${maxBytes}.`,
    );
  }
  return value;
}

/** Base64 bodies shorter than this stay inside the row (as Dexie Cloud keeps blobs < 4 KB inline). */
export const BLOB_APART_MIN_CHARS = 4096;
