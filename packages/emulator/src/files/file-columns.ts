// Dataverse's size defaults and the image cap (metadata's image-columns.ts), as the client uses them.
import {
  DEFAULT_FILE_MAX_KB,
  type EntityMetadata,
  imageMaxSizeOf,
  isImageColumn,
} from "@xrm-offline/metadata";
import { columnTooBig } from "./file-errors.ts";

/** A column that holds a file: a file column (bytes elsewhere, the row holds the file id) or an image column. */
export interface FileColumn {
  readonly kind: "file" | "image";
  readonly table: string;
  readonly column: string;
  /** The column's `MaxSizeInKB`. */
  readonly maxSizeInKB: number;
}

/**
 * Per table, per column: file columns and their `MaxSizeInKB` (Dataverse's `$metadata` omits file
 * columns); for an image column, only its `MaxSizeInKB` (the metadata already says it is one).
 */
export type FileColumnOptions = Readonly<Record<string, Readonly<Record<string, { maxSizeInKB?: number }>>>>;

/**
 * Which columns of which tables hold files. Image columns are in CSDL (`entityimage`, `new_photo`:
 * Edm.Binary with `<name>id`, `<name>_timestamp` and `<name>_url`); file columns are not (the
 * service leaves them out of `$metadata`), so they are declared by the emulator's `fileColumns`
 * option, which also sets an image column's MaxSizeInKB.
 */
/** Refuses a file over its column's MaxSizeInKB with the server's code (file-errors.ts). */
export function checkColumnSize(column: FileColumn, bytes: number): void {
  if (bytes > column.maxSizeInKB * 1024) throw columnTooBig(column, bytes);
}

export function fileColumnOf(
  entity: EntityMetadata,
  column: string,
  declared: FileColumnOptions | undefined,
): FileColumn | undefined {
  const file = declared?.[entity.logicalName]?.[column];
  if (isImageColumn(entity, column)) {
    const maxSizeInKB = imageMaxSizeOf(file?.maxSizeInKB);
    return { kind: "image", table: entity.logicalName, column, maxSizeInKB };
  }
  if (file) {
    return {
      kind: "file",
      table: entity.logicalName,
      column,
      maxSizeInKB: file.maxSizeInKB ?? DEFAULT_FILE_MAX_KB,
    };
  }
  return undefined;
}
