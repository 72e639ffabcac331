/**
 * `Xrm.WebApi.offline`: writes validated against metadata and committed to the local store with
 * their outbox entries; reads evaluated over the local store (pending local writes included).
 * Validation runs synchronously when the call is made, so a call with bad input never enters a
 * commit group and the caller's `data` object is read exactly once, at call time.
 */
import type { Metadata } from "@xrm-offline/metadata";
import {
  normalizeDelete,
  normalizeWrite,
  renderRequest,
  type WriteOperation,
  XrmError,
  xrmError,
} from "@xrm-offline/odata";
import { type OfflineStore, retrieveLocalRecord, retrieveLocalRecords } from "@xrm-offline/store";
import type { OfflineTables } from "./offline-tables.ts";
import { requireOfflineTable } from "./require-offline-table.ts";
import type {
  CreateResponse,
  DeleteResponse,
  OfflineApi,
  RetrieveMultipleResponse,
} from "./web-api-types.ts";
import { xrmPromise } from "./xrm-promise.ts";

export interface OfflineApiOptions {
  readonly newId?: () => string;
}

const NOT_FOUND = 0x80040217;

/** An update or delete of a record the offline store doesn't have. */
function notInOfflineStore(op: WriteOperation): XrmError {
  return xrmError(
    "CantUpdateOnlineRecord",
    `Entity '${op.entityLogicalName}' With Id = ${op.id} Does Not Exist in the offline store.`,
  );
}

export function createOfflineApi(
  store: () => Promise<OfflineStore>,
  metadata: Metadata,
  tables: OfflineTables,
  options: OfflineApiOptions = {},
): OfflineApi {
  const newId = options.newId ? { newId: options.newId } : undefined;

  const commit = async (operation: WriteOperation) => {
    const request = renderRequest(metadata, operation);
    const s = await store();
    try {
      return await s.write({ operation, request });
    } catch (e) {
      if (operation.kind !== "create" && e instanceof XrmError && e.errorCode === NOT_FOUND) {
        throw notInOfflineStore(operation);
      }
      throw e;
    }
  };

  const readOptions = { isAvailable: (name: string) => tables.isAvailable(name) };

  return {
    createRecord(entityLogicalName: string, data: unknown) {
      return xrmPromise<CreateResponse>(async () => {
        requireOfflineTable(metadata, tables, entityLogicalName);
        const op = normalizeWrite(
          metadata,
          { entityLogicalName, data, mode: "offline", kind: "create" },
          newId,
        );
        const r = await commit(op);
        return { entityType: r.entityType, id: r.id };
      });
    },

    updateRecord(entityLogicalName: string, id: string, data: unknown) {
      return xrmPromise<CreateResponse>(async () => {
        requireOfflineTable(metadata, tables, entityLogicalName);
        if (id === undefined || id === null)
          throw xrmError("InvalidArgument", "updateRecord needs the id of the record.");
        const op = normalizeWrite(metadata, { entityLogicalName, id, data, mode: "offline", kind: "update" });
        const r = await commit(op);
        return { entityType: r.entityType, id: r.id };
      });
    },

    deleteRecord(entityLogicalName: string, id: string) {
      return xrmPromise<DeleteResponse, string>(async () => {
        requireOfflineTable(metadata, tables, entityLogicalName);
        const op = normalizeDelete(metadata, { entityLogicalName, id });
        const r = await commit(op);
        return { entityType: r.entityType, id: r.id, ...(r.name !== undefined ? { name: r.name } : {}) };
      });
    },

    retrieveRecord<T = Record<string, unknown>>(entityLogicalName: string, id: string, options?: string) {
      return xrmPromise<T>(async () => {
        requireOfflineTable(metadata, tables, entityLogicalName);
        return (await retrieveLocalRecord(await store(), entityLogicalName, id, options, readOptions)) as T;
      });
    },

    retrieveMultipleRecords<T = Record<string, unknown>>(
      entityLogicalName: string,
      options?: string,
      maxPageSize?: number,
    ) {
      return xrmPromise<RetrieveMultipleResponse<T>, Xrm.RetrieveMultipleResult<T>>(async () => {
        requireOfflineTable(metadata, tables, entityLogicalName);
        const r = await retrieveLocalRecords(
          await store(),
          entityLogicalName,
          options,
          maxPageSize,
          readOptions,
        );
        return { entities: r.entities as T[], ...(r.nextLink !== undefined ? { nextLink: r.nextLink } : {}) };
      });
    },

    isAvailableOffline(entityLogicalName: string): boolean {
      return tables.isAvailable(entityLogicalName);
    },
  };
}
