import {
  DEFAULT_FILE_MAX_KB,
  type EntityMetadata,
  imageMaxSizeOf,
  isImageColumn,
  type Metadata,
} from "@xrm-offline/metadata";
import { ATTACHMENT_BODY_COLUMNS, normalizeRecordId, xrmError } from "@xrm-offline/odata";
import type { FileUpload, FileUploadStore, LocalFile, OfflineStore } from "@xrm-offline/store";
import { type DeviceStorage, requireRoom } from "./device-storage.ts";
import type { FileDownloader } from "./read-file.ts";

/**
 * File and image columns by table and their MaxSizeInKB: `{ incident: { new_report: { maxSizeInKB: 10240 } } }`.
 * Dataverse leaves file columns out of `$metadata`, so the app names them; image columns
 * (`entityimage`, `new_photo`: Edm.Binary with `<name>id`, `<name>_timestamp`, `<name>_url` in
 * CSDL) are known without this, and are named here only when an admin changed their MaxSizeInKB.
 */
export type FileColumnsOption = Readonly<Record<string, Readonly<Record<string, { maxSizeInKB?: number }>>>>;

// Dataverse's defaults, kept in the metadata package (the emulator answers by the same facts).
export { DEFAULT_FILE_MAX_KB, DEFAULT_IMAGE_MAX_KB } from "@xrm-offline/metadata";

/** An image column's MaxSizeInKB: the declared one (`fileColumns`) capped at 30,720, else 10,240. */
export function imageMaxSizeInKB(
  declared: FileColumnsOption | undefined,
  entity: string,
  column: string,
): number {
  return imageMaxSizeOf(declared?.[entity]?.[column]?.maxSizeInKB);
}

/** Files and images offline: `api.files`. */
export interface FilesApi {
  /**
   * Set a file or image column of a record this device has, from a `Blob` or `File`. Resolves once
   * the bytes and their upload are durably stored; the engine uploads them after the record exists
   * on the server (a record created offline: after its create is acknowledged). Rejects with
   * `{ errorCode, message }` having stored nothing: unknown table or column, a record the device
   * doesn't have, a file over the column's MaxSizeInKB (0x80044a02), or no room on the device
   * (0x80070070).
   */
  set(
    entityLogicalName: string,
    id: string,
    column: string,
    file: Blob,
    options?: { readonly fileName?: string; readonly mimeType?: string },
  ): Promise<void>;
  /**
   * The column's file: the one set on this device (pending, failed or uploaded) — for an image
   * column also one given to createRecord/updateRecord here and not sent yet; else the server's,
   * read from the copy kept on the device or — online — downloaded (`GET …/<column>/$value`, in
   * ranges) and kept for later reads offline. Also a note's `documentbody` (an email attachment's
   * `body`) as bytes, downloaded when the pull left it out. Null when the record has no file.
   * Rejects with `{ errorCode, message }`: a record the device doesn't have (0x80040217); the file
   * is not on the device and the server can't be reached (0x80072efd) or there is no server
   * (0x80040315).
   */
  get(entityLogicalName: string, id: string, column: string): Promise<LocalFile | null>;
  /** Every file set on this device and its upload state. */
  uploads(): Promise<FileUpload[]>;
}

interface FileColumnInfo {
  readonly entity: EntityMetadata;
  readonly column: string;
  readonly maxSizeInKB: number;
  /** "attachment": a note's or email attachment's body column (read here, written as a record column). */
  readonly kind: "file" | "image" | "attachment";
}

function fileColumn(
  metadata: Metadata,
  declared: FileColumnsOption | undefined,
  entityLogicalName: unknown,
  column: unknown,
): FileColumnInfo {
  const entity = typeof entityLogicalName === "string" ? metadata.entity(entityLogicalName) : undefined;
  if (!entity)
    throw xrmError(
      "EntityNotExist",
      `Entity name '${String(entityLogicalName)}' does not exist in the metadata.`,
    );
  if (typeof column !== "string" || column === "") {
    throw xrmError("InvalidArgument", "The column must be the logical name of a file or image column.");
  }
  const file = declared?.[entity.logicalName]?.[column];
  // The metadata decides that a column is an image column; a declaration only gives its size.
  if (isImageColumn(entity, column)) {
    return {
      entity,
      column,
      maxSizeInKB: imageMaxSizeInKB(declared, entity.logicalName, column),
      kind: "image",
    };
  }
  if (file) return { entity, column, maxSizeInKB: file.maxSizeInKB ?? DEFAULT_FILE_MAX_KB, kind: "file" };
  if (ATTACHMENT_BODY_COLUMNS[entity.logicalName] === column) {
    return { entity, column, maxSizeInKB: Number.POSITIVE_INFINITY, kind: "attachment" };
  }
  throw xrmError(
    "InvalidArgument",
    `'${column}' is not a file or image column of '${entity.logicalName}' (declare file columns in createWebApi's fileColumns).`,
  );
}

export interface FilesApiParts {
  readonly metadata: Metadata;
  readonly declared: FileColumnsOption | undefined;
  readonly store: () => Promise<OfflineStore>;
  readonly uploads: () => Promise<FileUploadStore>;
  readonly storage: DeviceStorage | undefined;
  /** Downloads from the server; absent without a server. */
  readonly download: FileDownloader | undefined;
}

export function createFilesApi(parts: FilesApiParts): FilesApi {
  const { metadata, declared, uploads, storage } = parts;
  return {
    async set(entityLogicalName, id, column, file, options = {}) {
      const info = fileColumn(metadata, declared, entityLogicalName, column);
      // A note's body is a record column: createRecord / updateRecord set it.
      if (info.kind === "attachment")
        throw xrmError("InvalidArgument", "Set a note's body with updateRecord.");
      const recordId = normalizeRecordId(id);
      if (!recordId) throw xrmError("InvalidArgument", `'${String(id)}' is not a record id (a GUID).`);
      if (!(file instanceof Blob)) throw xrmError("InvalidArgument", "The file must be a Blob or a File.");
      const fileName = options.fileName ?? (file as { name?: unknown }).name;
      if (typeof fileName !== "string" || fileName.trim() === "" || fileName.length > 255) {
        throw xrmError(
          "InvalidArgument",
          "A file name (1 to 255 characters) is required: pass options.fileName.",
        );
      }
      if (file.size > info.maxSizeInKB * 1024) {
        // The server's codes ("Use file column data", "Use image column data").
        throw xrmError(
          info.kind === "image" ? "ProcessImageFailure" : "unManagedidsattachmentinvalidfilesize",
          `The file has ${file.size} bytes; '${info.column}' takes at most ${info.maxSizeInKB} KB.`,
        );
      }
      await requireRoom(storage, file.size);
      const mimeType = options.mimeType || file.type || "application/octet-stream";
      await (await uploads()).set(
        { entity: info.entity.logicalName, recordId, column: info.column, fileName, mimeType },
        file,
      );
    },
    async get(entityLogicalName, id, column) {
      const info = fileColumn(metadata, declared, entityLogicalName, column);
      const recordId = normalizeRecordId(id);
      if (!recordId) throw xrmError("InvalidArgument", `'${String(id)}' is not a record id (a GUID).`);
      // Loaded on the first read: not part of a page's first chunk.
      const { readFile } = await import("./read-file.ts");
      return readFile(
        {
          store: await parts.store(),
          files: await uploads(),
          download: parts.download,
          // Passed in, not imported: the lazy chunk then shares no module with the first one.
          requireRoom: (bytes) => requireRoom(storage, bytes),
        },
        { entity: info.entity, recordId, column: info.column, kind: info.kind },
      );
    },
    async uploads() {
      return (await uploads()).list();
    },
  };
}
