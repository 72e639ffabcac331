import type { EntityMetadata } from "@xrm-offline/metadata";
import type { FileColumnOptions } from "./files/file-columns.ts";
import type { FileStore } from "./files/file-store.ts";
import { notFoundSegment } from "./http/wire.ts";
import type { Schema } from "./schema/schema.ts";
import type { RecordStore } from "./storage/record-store.ts";

/** What every handler works with. */
export interface ServerContext {
  readonly schema: Schema;
  readonly store: RecordStore;
  /** Files of file and image columns, and upload sessions. */
  readonly files: FileStore;
  /** File columns by table (Dataverse leaves them out of `$metadata`). */
  readonly fileColumns?: FileColumnOptions;
  /** The org's MaxUploadFileSize for note and email attachments (default 5,242,880 bytes). */
  readonly maxAttachmentBytes?: number;
  /** Absolute service root without a trailing slash: `http://127.0.0.1:5555/api/data/v9.2`. */
  readonly root: () => string;
  /** Versions below this are expired delta tokens (see change-tracking/delta-token.ts). */
  readonly deltaTokenFloor: () => number;
}

/** The table behind entity set `set` (case-sensitive), or 404 0x80060888. */
export function entityForSet(ctx: ServerContext, set: string): EntityMetadata {
  const entity = ctx.schema.metadata.entityBySetName(set);
  if (!entity) throw notFoundSegment(set);
  return entity;
}

/** The service root's path part: `/api/data/v9.2`. */
export const SERVICE_PATH = "/api/data/v9.2";
