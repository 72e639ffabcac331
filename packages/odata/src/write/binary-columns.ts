import { type EntityMetadata, imageColumnsOf, type Metadata } from "@xrm-offline/metadata";
import { ATTACHMENT_BODY_COLUMNS } from "./blob-ref.ts";

const cache = new WeakMap<EntityMetadata, readonly string[]>();

/**
 * The columns of a table that carry a file's bytes as base64 in the record itself: a note's or
 * email attachment's body ("Use file data with Attachment and Note records") and every image column
 * (`entityimage`, `new_photo`: "Use image column data" — a read returns the image as base64, an
 * update may set it). The store keeps their values of `BLOB_APART_MIN_CHARS` or more apart as
 * Blobs. File columns are not among them: their rows hold a file id, the bytes move on their own.
 */
export function binaryColumnsOf(entity: EntityMetadata): readonly string[] {
  let columns = cache.get(entity);
  if (!columns) {
    const body = ATTACHMENT_BODY_COLUMNS[entity.logicalName];
    columns = [...(body === undefined ? [] : [body]), ...imageColumnsOf(entity)];
    cache.set(entity, columns);
  }
  return columns;
}

/** `binaryColumnsOf` by table name; none for a table the metadata doesn't have. */
export function binaryColumns(metadata: Metadata, entityLogicalName: string): readonly string[] {
  const entity = metadata.entity(entityLogicalName);
  return entity ? binaryColumnsOf(entity) : [];
}
