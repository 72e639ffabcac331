/// <reference types="powerapps-component-framework" />
/**
 * A PCF control's offline-capable `context.webAPI`: the same five methods, backed by
 * createWebApi's local store, outbox and sync engine, assignable to `ComponentFramework.WebApi`.
 *
 * One typing difference is bridged here: @types/powerapps-component-framework declares
 * `RetrieveMultipleResponse.nextLink` as a required string, while the platform (like Xrm.WebApi
 * and our own type) leaves it out on the last page. The adapter keeps the platform's behaviour —
 * no `nextLink` when there is no next page — under the PCF type, so `if (page.nextLink)` works as
 * it does against `context.webAPI`.
 */
import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import {
  type CreateWebApiOptions,
  createWebApi,
  defaultDatabaseName,
  hostDefaults,
  type OfflineWebApi,
  type SyncApi,
} from "@xrm-offline/webapi";

/** What the adapter reads from a control's context: the signed-in user, for the database name. */
export interface PcfContextLike {
  readonly userSettings?: { readonly userId?: string };
}

/** `ComponentFramework.WebApi` plus what an offline control needs besides. */
export interface OfflinePcfWebApi extends ComponentFramework.WebApi {
  /** Sync status, `syncNow`, pending count and kept failures (retry / discard). */
  readonly sync: SyncApi;
  /** True for tables available offline (the `offlineTables` option). */
  isAvailableOffline(entityType: string): boolean;
  /** The full Xrm-shaped API underneath (`online`, `offline`, `execute`, …). */
  readonly xrm: OfflineWebApi;
  /** Stops syncing and closes the database; call it from the control's `destroy()`. */
  close(): Promise<void>;
}

const GUID = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i;

/** Wraps an API made by createWebApi as a `ComponentFramework.WebApi`. */
export function toPcfWebApi(api: OfflineWebApi): OfflinePcfWebApi {
  return {
    createRecord: (entityType, data) => api.createRecord(entityType, data),
    updateRecord: (entityType, id, data) => api.updateRecord(entityType, id, data),
    deleteRecord: (entityType, id) => api.deleteRecord(entityType, id),
    retrieveRecord: (entityType, id, options) => api.retrieveRecord(entityType, id, options),
    retrieveMultipleRecords: (entityType, options, maxPageSize) =>
      // The runtime shape is the platform's (see the file comment); only the declared type differs.
      api.retrieveMultipleRecords(
        entityType,
        options,
        maxPageSize,
      ) as Promise<ComponentFramework.WebApi.RetrieveMultipleResponse>,
    isAvailableOffline: (entityType) => api.isAvailableOffline(entityType),
    sync: api.sync,
    xrm: api,
    close: () => api.close(),
  };
}

/**
 * Creates the offline API for a control. Inside a model-driven app the server is the org itself
 * (same origin, session cookie; see createWebApi), and the database is one per org and the
 * context's user. Create it once per control instance, in `init`, and close it in `destroy`.
 */
export function createPcfWebApi(
  context: PcfContextLike,
  // metadata defaults to the bundled tables: a control ships as one bundle anyway.
  options: Omit<CreateWebApiOptions, "metadata"> & {
    readonly metadata?: CreateWebApiOptions["metadata"];
  } = {},
): OfflinePcfWebApi {
  const userId = GUID.exec(context?.userSettings?.userId ?? "")?.[1]?.toLowerCase();
  const serverUrl = options.serverUrl === undefined ? hostDefaults()?.serverUrl : options.serverUrl;
  const databaseName =
    options.databaseName ??
    (userId === undefined ? undefined : `${defaultDatabaseName(serverUrl ?? undefined)}:${userId}`);
  return toPcfWebApi(
    createWebApi({
      ...options,
      metadata: options.metadata ?? bundledMetadata(),
      ...(serverUrl === undefined ? {} : { serverUrl }),
      ...(databaseName === undefined ? {} : { databaseName }),
    }),
  );
}
