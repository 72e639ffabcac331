import { type EntityMetadata, isImageColumn } from "@xrm-offline/metadata";

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
 * Dataverse's defaults (Microsoft docs, "File columns" and "Image columns"): a file column's
 * MaxSizeInKB defaults to 32,768 (32 MB); an image column's to 10,240 (10 MB), and it can't be
 * set above 30,720 (30 MB).
 */
export const DEFAULT_FILE_MAX_KB = 32_768;
export const DEFAULT_IMAGE_MAX_KB = 10_240;
export const IMAGE_MAX_KB_LIMIT = 30_720;

/**
 * Which columns of which tables hold files. Image columns are in CSDL (`entityimage`, `new_photo`:
 * Edm.Binary with `<name>id`, `<name>_timestamp` and `<name>_url`); file columns are not (the
 * service leaves them out of `$metadata`), so they are declared by the emulator's `fileColumns`
 * option, which also sets an image column's MaxSizeInKB.
 */
export function fileColumnOf(
  entity: EntityMetadata,
  column: string,
  declared: FileColumnOptions | undefined,
): FileColumn | undefined {
  const file = declared?.[entity.logicalName]?.[column];
  if (isImageColumn(entity, column)) {
    const maxSizeInKB = Math.min(file?.maxSizeInKB ?? DEFAULT_IMAGE_MAX_KB, IMAGE_MAX_KB_LIMIT);
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
