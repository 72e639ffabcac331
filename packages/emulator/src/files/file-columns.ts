import type { EntityMetadata } from "@xrm-offline/metadata";

/** A column that holds a file: a file column (bytes elsewhere, the row holds the file id) or an image column. */
export interface FileColumn {
  readonly kind: "file" | "image";
  readonly table: string;
  readonly column: string;
  /** The column's `MaxSizeInKB`. */
  readonly maxSizeInKB: number;
}

/** Per table, per column: file columns and their `MaxSizeInKB` (Dataverse's `$metadata` omits file columns). */
export type FileColumnOptions = Readonly<Record<string, Readonly<Record<string, { maxSizeInKB?: number }>>>>;

/**
 * Dataverse's defaults (Microsoft docs, "File columns" and "Image columns"): a file column's
 * MaxSizeInKB defaults to 32,768 (32 MB); an image column's to 10,240 (10 MB).
 */
export const DEFAULT_FILE_MAX_KB = 32_768;
export const DEFAULT_IMAGE_MAX_KB = 10_240;

/**
 * Which columns of which tables hold files. Image columns are in CSDL (`entityimage`, Edm.Binary);
 * file columns are not (the service leaves them out of `$metadata`), so they are declared by the
 * emulator's `fileColumns` option.
 */
export function fileColumnOf(
  entity: EntityMetadata,
  column: string,
  declared: FileColumnOptions | undefined,
): FileColumn | undefined {
  const file = declared?.[entity.logicalName]?.[column];
  if (file) {
    return {
      kind: "file",
      table: entity.logicalName,
      column,
      maxSizeInKB: file.maxSizeInKB ?? DEFAULT_FILE_MAX_KB,
    };
  }
  if (column === "entityimage" && entity.attribute(column)?.type === "Edm.Binary") {
    return { kind: "image", table: entity.logicalName, column, maxSizeInKB: DEFAULT_IMAGE_MAX_KB };
  }
  return undefined;
}
