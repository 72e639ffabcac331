import { type EntityMetadata, isImageColumn } from "@xrm-offline/metadata";
import { base64ByteLength, type WriteOperation, xrmError } from "@xrm-offline/odata";
import { type FileColumnsOption, imageMaxSizeInKB } from "./files-api.ts";

/**
 * An image given as base64 in an update, over its column's MaxSizeInKB: `ProcessImageFailure`
 * 0x80072553, what the server answers ("Use image column data") and what `api.files.set` gives.
 * Refused at the call, so it is not queued only to be refused at sync.
 */
export function checkImageSizes(
  entity: EntityMetadata,
  op: WriteOperation,
  declared: FileColumnsOption | undefined,
): void {
  if (op.kind === "delete") return;
  for (const [column, value] of Object.entries(op.columns)) {
    if (typeof value !== "string" || !isImageColumn(entity, column)) continue;
    const maxSizeInKB = imageMaxSizeInKB(declared, entity.logicalName, column);
    const size = base64ByteLength(value);
    if (size > maxSizeInKB * 1024) {
      throw xrmError(
        "ProcessImageFailure",
        `The image in '${column}' has ${size} bytes; '${column}' takes at most ${maxSizeInKB} KB.`,
      );
    }
  }
}
