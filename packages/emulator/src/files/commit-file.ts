import type { EntityMetadata } from "@xrm-offline/metadata";
import type { ServerContext } from "../context.ts";
import { writeRow } from "../write/apply-write.ts";
import type { FileColumn } from "./file-columns.ts";
import type { StoredFile } from "./file-store.ts";
import { rowColumns } from "./row-columns.ts";

/** Store a column's file and update its row (a new row version), inside the caller's transaction. */
export function commitFile(
  ctx: ServerContext,
  entity: EntityMetadata,
  id: string,
  column: FileColumn,
  file: { name: string; mimeType: string; data: Buffer },
): StoredFile {
  const stored = ctx.files.put(entity.logicalName, id, column.column, file);
  const row = ctx.store.get(entity.logicalName, id)!;
  writeRow(
    ctx,
    entity,
    id,
    { ...row.data, ...rowColumns(entity, column, stored) },
    { ...row.lookups },
    "update",
  );
  return stored;
}

export function removeFile(ctx: ServerContext, entity: EntityMetadata, id: string, column: FileColumn): void {
  ctx.files.delete(entity.logicalName, id, column.column);
  const row = ctx.store.get(entity.logicalName, id)!;
  writeRow(
    ctx,
    entity,
    id,
    { ...row.data, ...rowColumns(entity, column, undefined) },
    { ...row.lookups },
    "update",
  );
}
