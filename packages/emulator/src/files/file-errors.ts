import { type XrmError, xrmError } from "@xrm-offline/odata";

/**
 * The errors of file and image columns, from the catalogue: 0x80044a02 is what Microsoft documents
 * ("Use file column data") for a file over MaxSizeInKB, and the service also raises it for
 * attachments over the org's MaxUploadFileSize.
 */
export function fileTooBig(limitKB: number): XrmError {
  return xrmError(
    "unManagedidsattachmentinvalidfilesize",
    `Attachment file size is too big. The limit is ${limitKB} KB.`,
  );
}

/**
 * A file over its column's MaxSizeInKB: 0x80044a02 for a file column; for an image column,
 * ProcessImageFailure 0x80072553 with the message "Use image column data" shows.
 */
export function columnTooBig(
  column: { kind: "file" | "image"; maxSizeInKB: number },
  bytes: number,
): XrmError {
  if (column.kind === "file") return fileTooBig(column.maxSizeInKB);
  const mb = (n: number) => Math.floor(n / (1024 * 1024));
  return xrmError(
    "ProcessImageFailure",
    `Error occured when processing image. Reason: File size is too big. MaxSize: ${mb(column.maxSizeInKB * 1024)} MB, Uploaded filesize: ${mb(bytes)} MB.`,
  );
}

export function fileRequestError(message: string): XrmError {
  return xrmError("InvalidArgument", message);
}

export function noFile(column: string): XrmError {
  return xrmError("ObjectDoesNotExist", `No file attachment found for attribute: ${column}.`);
}

/** A chunk above `x-ms-chunk-size`: Dataverse's message, sizes in MB. */
export function chunkTooBig(bytes: number, limit: number): XrmError {
  const mb = (n: number) => Math.round((n / (1024 * 1024)) * 100) / 100;
  return xrmError(
    "ChunkSizeExceeded",
    `Invalid file chunk size: ${mb(bytes)} MB. Maximum chunk size supported: ${mb(limit)} MB.`,
  );
}
