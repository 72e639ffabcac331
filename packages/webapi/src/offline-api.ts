/**
 * `Xrm.WebApi.offline`: writes validated against metadata and committed to the local store with
 * their outbox entries; reads evaluated over the local store (pending local writes included).
 * Validation runs synchronously when the call is made, so a call with bad input never enters a
 * commit group and the caller's `data` object is read exactly once, at call time.
 */

import { isImageColumn, type Metadata } from "@xrm-offline/metadata";
import {
  BLOB_APART_MIN_CHARS,
  base64ByteLength,
  binaryColumns,
  MAX_REQUEST_BYTES,
  normalizeDelete,
  normalizeWrite,
  type WriteOperation,
  xrmError,
} from "@xrm-offline/odata";
import {
  type OfflineStore,
  type PreparedWrite,
  type ReadContext,
  retrieveLocalRecord,
  retrieveLocalRecords,
  withBlobsInline,
} from "@xrm-offline/store";
import { checkImageSizes } from "./check-image-sizes.ts";
import { checkSentRequestSize } from "./check-sent-request-size.ts";
import { type DeviceStorage, requireRoom } from "./device-storage.ts";
import type { FileColumnsOption } from "./files-api.ts";
import type { OfflineTables } from "./offline-tables.ts";
import { requireOfflineTable } from "./require-offline-table.ts";
import type {
  CreateResponse,
  DeleteResponse,
  OfflineApi,
  RetrieveMultipleResponse,
} from "./web-api-types.ts";
import { asXrmPromise, rejectedXrmPromise, type XrmPromise, xrmPromise } from "./xrm-promise.ts";

export interface OfflineApiOptions {
  readonly newId?: () => string;
  /** The user, time zone and week start FetchXML's user and date operators evaluate against. */
  readonly queryContext?: ReadContext;
  /** The org's MaxUploadFileSize for note and email attachments (default 5,242,880 bytes). */
  readonly maxUploadFileSize?: number;
  /** The server's limit on one request, in bytes (default: Dataverse's 128 MB). */
  readonly maxRequestBytes?: number;
  /** A note's body above this many bytes goes in blocks of this size (sync's; default 4 MB). */
  readonly noteBlockBytes?: number;
  /** Consulted before a write that keeps a binary value apart (default: none asked). */
  readonly storage?: DeviceStorage;
  /** Declared MaxSizeInKB of image columns (createWebApi's `fileColumns`), for images given to updateRecord. */
  readonly fileColumns?: FileColumnsOption;
}

/**
 * Bytes of the binary values (a note's body, an image) a write keeps apart as Blobs (0 for every
 * other write): the store's rule, binary-blobs.ts.
 */
function blobBytes(metadata: Metadata, op: WriteOperation): number {
  if (op.kind === "delete") return 0;
  let bytes = 0;
  for (const column of binaryColumns(metadata, op.entityLogicalName)) {
    const value = op.columns[column];
    if (typeof value === "string" && value.length >= BLOB_APART_MIN_CHARS) bytes += base64ByteLength(value);
  }
  return bytes;
}

/** Sync's block size for a note's body, unless `sync.uploadChunkBytes` sets it. */
const NOTE_BLOCK_BYTES = 4 * 1024 * 1024;

export function createOfflineApi(
  store: () => Promise<OfflineStore>,
  metadata: Metadata,
  tables: OfflineTables,
  options: OfflineApiOptions = {},
): OfflineApi {
  const newId = {
    ...(options.newId ? { newId: options.newId } : {}),
    ...(options.maxUploadFileSize !== undefined ? { maxUploadFileSize: options.maxUploadFileSize } : {}),
  };
  // The opened store, once known: calls then go straight to it (no extra await per call).
  let opened: OfflineStore | undefined;
  store().then(
    (s) => {
      opened = s;
    },
    () => {},
  );

  /**
   * Commits a validated operation. The store's promise (which rejects only with XrmErrors) is
   * handed back as is once the store is open: one promise per write.
   */
  const maxRequestBytes = options.maxRequestBytes ?? MAX_REQUEST_BYTES;
  const noteBlockBytes = options.noteBlockBytes ?? NOTE_BLOCK_BYTES;
  const commit = <R>(prepared: PreparedWrite): XrmPromise<R> => {
    // A large body or image: ask the browser for room first (only then: the estimate costs a round trip).
    const bytes = blobBytes(metadata, prepared.operation);
    if (bytes > 0) {
      return xrmPromise(async () => {
        await requireRoom(options.storage, bytes);
        return (await store()).write(prepared) as Promise<R>;
      });
    }
    return opened
      ? asXrmPromise(opened.write(prepared) as Promise<R>)
      : xrmPromise(() => store().then((s) => s.write(prepared) as Promise<R>));
  };

  /**
   * Validation runs now, synchronously; its errors become rejections. A write whose request the
   * server would refuse for its size (413, for ever) is refused here, before anything is written.
   */
  const validated = <R>(validate: () => WriteOperation): XrmPromise<R> => {
    let prepared: PreparedWrite;
    try {
      const operation = validate();
      // Measured as sync will send it (a large note's body in blocks); the outbox keeps the operation.
      checkSentRequestSize(metadata, operation, maxRequestBytes, noteBlockBytes);
      prepared = { operation };
    } catch (e) {
      return rejectedXrmPromise(e);
    }
    return commit<R>(prepared);
  };

  const readOptions = {
    isAvailable: (name: string) => tables.isAvailable(name),
    ...(options.queryContext ? { context: options.queryContext } : {}),
  };

  return {
    createRecord(entityLogicalName: string, data: unknown) {
      // The store resolves a create with exactly { entityType, id }.
      return validated<CreateResponse>(() => {
        requireOfflineTable(metadata, tables, entityLogicalName);
        const op = normalizeWrite(
          metadata,
          { entityLogicalName, data, mode: "offline", kind: "create" },
          newId,
        );
        // Offline creates can't set the primary image (createRecord.md), and Dataverse refuses any
        // other image column on create (CannotUploadNonPrimaryImageAttributeOnCreate): none goes.
        const entity = metadata.entity(op.entityLogicalName);
        const image = entity && Object.keys(op.columns).find((c) => isImageColumn(entity, c));
        if (image) {
          throw xrmError(
            "NotSupported",
            `Creating a record with an image ('${image}') is not supported offline; set it with api.files.set after the create.`,
          );
        }
        return op;
      });
    },

    updateRecord(entityLogicalName: string, id: string, data: unknown) {
      return validated<CreateResponse>(() => {
        requireOfflineTable(metadata, tables, entityLogicalName);
        if (id === undefined || id === null)
          throw xrmError("InvalidArgument", "updateRecord needs the id of the record.");
        const op = normalizeWrite(
          metadata,
          { entityLogicalName, id, data, mode: "offline", kind: "update" },
          newId,
        );
        const entity = metadata.entity(op.entityLogicalName);
        if (entity) checkImageSizes(entity, op, options.fileColumns);
        return op;
      });
    },

    deleteRecord(entityLogicalName: string, id: string) {
      // The store resolves a delete with { entityType, id, name? } (the reference page's shape).
      return validated<DeleteResponse>(() => {
        requireOfflineTable(metadata, tables, entityLogicalName);
        return normalizeDelete(metadata, { entityLogicalName, id });
      }) as unknown as XrmPromise<DeleteResponse, string>;
    },

    retrieveRecord<T = Record<string, unknown>>(entityLogicalName: string, id: string, options?: string) {
      return xrmPromise<T>(async () => {
        requireOfflineTable(metadata, tables, entityLogicalName);
        const s = await store();
        const record = await retrieveLocalRecord(s, entityLogicalName, id, options, readOptions);
        // Notes' bodies and images kept as Blobs come back as base64, as Dataverse returns them.
        return (await withBlobsInline(record, (blobId) => s.blob(blobId))) as T;
      });
    },

    retrieveMultipleRecords<T = Record<string, unknown>>(
      entityLogicalName: string,
      options?: string,
      maxPageSize?: number,
    ) {
      return xrmPromise<RetrieveMultipleResponse<T>, Xrm.RetrieveMultipleResult<T>>(async () => {
        requireOfflineTable(metadata, tables, entityLogicalName);
        const s = await store();
        const r = await retrieveLocalRecords(s, entityLogicalName, options, maxPageSize, readOptions);
        const entities = await Promise.all(r.entities.map((e) => withBlobsInline(e, (id) => s.blob(id))));
        return { entities: entities as T[], ...(r.nextLink !== undefined ? { nextLink: r.nextLink } : {}) };
      });
    },

    isAvailableOffline(entityLogicalName: string): boolean {
      return tables.isAvailable(entityLogicalName);
    },
  };
}
