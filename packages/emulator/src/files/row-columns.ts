import type { EntityMetadata } from "@xrm-offline/metadata";
import type { FileColumn } from "./file-columns.ts";
import type { StoredFile } from "./file-store.ts";

/**
 * The row's view of its file, as the service shows it: a file column holds the file id and
 * `<column>_name` the file name; an image column sets `<column>id`, `<column>_timestamp`,
 * `<column>_url` (the relative download URL of "Use image column data") and `<column>` (here the
 * full image in base64: the emulator makes no 144×144 thumbnail). Only columns the table's
 * metadata has are written.
 */
export function rowColumns(entity: EntityMetadata, column: FileColumn, file: StoredFile | undefined) {
  const out: Record<string, unknown> = {};
  const set = (name: string, value: unknown) => {
    if (entity.attribute(name)) out[name] = value;
  };
  if (column.kind === "file") {
    set(column.column, file?.fileId ?? null);
    set(`${column.column}_name`, file?.name ?? null);
  } else {
    const timestamp = file ? Date.now() : null;
    set(column.column, file ? file.data.toString("base64") : null);
    set(`${column.column}id`, file?.fileId ?? null);
    set(`${column.column}_timestamp`, timestamp);
    set(
      `${column.column}_url`,
      file
        ? `/Image/download.aspx?Entity=${entity.logicalName}&Attribute=${column.column}&Id=${file.fileId}&Timestamp=${timestamp}`
        : null,
    );
  }
  return out;
}
