import type { EntityMetadata } from "@xrm-offline/metadata";
import type { ServerContext } from "../context.ts";
import { checkColumnSize, fileColumnOf } from "./file-columns.ts";
import { rowColumns } from "./row-columns.ts";

/** JSON carries no file name: the type is read from the image's first bytes, as a viewer would. */
function imageTypeOf(bytes: Buffer): { extension: string; mimeType: string } {
  const starts = (...sig: number[]) => sig.every((b, i) => bytes[i] === b);
  if (starts(0x89, 0x50, 0x4e, 0x47)) return { extension: "png", mimeType: "image/png" };
  if (starts(0xff, 0xd8, 0xff)) return { extension: "jpg", mimeType: "image/jpeg" };
  if (starts(0x47, 0x49, 0x46)) return { extension: "gif", mimeType: "image/gif" };
  if (starts(0x42, 0x4d)) return { extension: "bmp", mimeType: "image/bmp" };
  return { extension: "bin", mimeType: "application/octet-stream" };
}

/**
 * Image columns set with other record data in a JSON create or update ("Use image column data":
 * an image can be set with update, and deleted by setting it to null). The bytes go to the file
 * store as an upload's do, and the row gets the image's id, timestamp and URL — so `$value`
 * downloads, `<column>id` markers and MaxSizeInKB behave the same whichever way the image was set.
 * Runs inside the write's transaction, before the row is written; changes `data` in place.
 */
export function storeImageColumns(
  ctx: ServerContext,
  entity: EntityMetadata,
  id: string,
  columns: Iterable<readonly [string, unknown]>,
  data: Record<string, unknown>,
): void {
  for (const [name, value] of columns) {
    const column = fileColumnOf(entity, name, ctx.fileColumns);
    if (column?.kind !== "image") continue;
    if (value === null) {
      ctx.files.delete(entity.logicalName, id, name);
      Object.assign(data, rowColumns(entity, column, undefined));
      continue;
    }
    // coerceValue already checked the base64 text.
    const bytes = Buffer.from(String(value), "base64");
    checkColumnSize(column, bytes.length);
    const type = imageTypeOf(bytes);
    const stored = ctx.files.put(entity.logicalName, id, name, {
      name: `${name}.${type.extension}`,
      mimeType: type.mimeType,
      data: bytes,
    });
    Object.assign(data, rowColumns(entity, column, stored));
  }
}
