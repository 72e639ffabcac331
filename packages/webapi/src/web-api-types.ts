/// <reference types="xrm" />
/**
 * The public surface of `createWebApi`: an object that satisfies @types/xrm's `Xrm.WebApi`
 * (checked by web-api.typecheck.ts) plus `sync` and `close`.
 */

import type { Metadata } from "@xrm-offline/metadata";
import type { DiscardResult, SyncFailure, SyncReport, SyncStatus } from "@xrm-offline/odata";
import type { OfflineTablesOption as SyncOfflineTablesOption } from "@xrm-offline/sync";
import type { Observable } from "rxjs";
import type { SyncTuning } from "./connect-sync.ts";
import type { DeviceStorage, StorageApi } from "./device-storage.ts";
import type { FileColumnsOption, FilesApi } from "./files-api.ts";
import type { XrmPromise } from "./xrm-promise.ts";

export interface CreateResponse {
  readonly entityType: string;
  readonly id: string;
}

/** What deleteRecord resolves with, as the reference page documents it (@types/xrm says string). */
export interface DeleteResponse {
  readonly entityType: string;
  readonly id: string;
  /** The record's primary name, when it had one. */
  readonly name?: string;
}

export interface RetrieveMultipleResponse<T = Record<string, unknown>> {
  readonly entities: T[];
  /** Options of the next page (pass it back as `options` with the same maxPageSize). */
  readonly nextLink?: string;
}

/** The methods `Xrm.WebApi.offline` has (and the plain, routed `Xrm.WebApi` too). */
export interface WebApiMethods {
  createRecord(entityLogicalName: string, data: unknown): XrmPromise<CreateResponse>;
  updateRecord(entityLogicalName: string, id: string, data: unknown): XrmPromise<CreateResponse>;
  deleteRecord(entityLogicalName: string, id: string): XrmPromise<DeleteResponse, string>;
  retrieveRecord<T = Record<string, unknown>>(
    entityLogicalName: string,
    id: string,
    options?: string,
  ): XrmPromise<T>;
  retrieveMultipleRecords<T = Record<string, unknown>>(
    entityLogicalName: string,
    options?: string,
    maxPageSize?: number,
  ): XrmPromise<RetrieveMultipleResponse<T>, Xrm.RetrieveMultipleResult<T>>;
  /** Synchronous: true for tables configured for offline use. */
  isAvailableOffline(entityLogicalName: string): boolean;
}

export type OfflineApi = WebApiMethods;

/** `Xrm.WebApi.online`: straight to the server. */
export interface OnlineApi extends WebApiMethods {
  execute(request: unknown): XrmPromise<Response, Xrm.ExecuteResponse>;
  executeMultiple(requests: unknown[]): XrmPromise<Response[], Xrm.ExecuteResponse[]>;
}

// The sync contract's types, re-exported for apps that import only the facade.
export type { DiscardResult, SyncFailure, SyncReport, SyncStatus };

/**
 * `api.sync`: the sync engine's status, reports and failure actions, in the sync contract's types
 * (`@xrm-offline/odata`).
 */
export interface SyncApi {
  readonly status$: Observable<SyncStatus>;
  syncNow(): Promise<SyncReport>;
  pendingCount(): Promise<number>;
  failures(): Promise<SyncFailure[]>;
  retry(failureId: string): Promise<void>;
  /** Resolves with the sequence numbers of the queued changes given up. */
  discard(failureId: string): Promise<DiscardResult>;
}

/** @deprecated The sync contract's `SyncFailure` (`@xrm-offline/odata`); kept as a name for apps. */
export type { SyncFailure as SyncFailureView };

/** What `createWebApi` returns. */
export interface OfflineWebApi extends WebApiMethods {
  readonly offline: OfflineApi;
  readonly online: OnlineApi;
  readonly sync: SyncApi;
  /** Files and images offline: set a file or image column from a Blob, read it back, see uploads. */
  readonly files: FilesApi;
  /** Room on the device (`estimate()`) and protection from eviction (`persist()`). */
  readonly storage: StorageApi;
  /** Plain `Xrm.WebApi.execute` / `executeMultiple` are online-only: they go to `online`. */
  execute(request: unknown): XrmPromise<Response, Xrm.ExecuteResponse>;
  executeMultiple(requests: unknown[]): XrmPromise<Response[], Xrm.ExecuteResponse[]>;
  /** Waits for writes in flight, stops syncing and closes the database. */
  close(): Promise<void>;
}

/** `offlineTables`: names, or `{ table: { filter?, related?, priority?, indexes? } }` (sync's type). */
export type OfflineTablesOption = SyncOfflineTablesOption;

export interface CreateWebApiOptions {
  /**
   * `https://org.crm.dynamics.com/api/data/v9.2`. Absent: inside a model-driven app (a global
   * `Xrm.Utility.getGlobalContext()` or `GetGlobalContext()`), `getClientUrl()` + `/api/data/v9.2`;
   * elsewhere offline only. `null`: offline only, always.
   */
  readonly serverUrl?: string | null;
  /**
   * Called for each request; never persisted (invariant 7). Absent: no `Authorization` header and
   * `credentials: "same-origin"` — the session cookie authenticates a page served by the org itself.
   */
  readonly getAccessToken?: () => string | Promise<string>;
  /**
   * The tables' metadata. Required: `bundledMetadata()` from `@xrm-offline/metadata/bundled`, or
   * your org's CSDL `$metadata` XML read with `metadataFromCsdl(xml)` from `@xrm-offline/metadata`.
   * (Not the XML text itself: the CSDL reader is only downloaded by apps that call it.)
   */
  readonly metadata: Metadata;
  /**
   * IndexedDB database: one per org and user. Default `xrm-offline:<host>` from serverUrl
   * (`xrm-offline:local` without one), plus `:<systemuserid>` when the server URL came from the
   * model-driven app. Elsewhere add the user yourself when several users share a device.
   */
  readonly databaseName?: string;
  readonly indexedDB?: IDBFactory;
  readonly IDBKeyRange?: typeof IDBKeyRange;
  readonly connectivity?: Observable<boolean>;
  /** Default "offline-first": plain methods use the local store for tables available offline. */
  readonly mode?: "offline-first" | "online-first";
  /** Default false: client wins per column, like Dataverse mobile offline. */
  readonly conflictDetection?: boolean;
  /**
   * Tables available offline (and pulled down). Absent: every table of the metadata. An unknown
   * table name throws at creation.
   */
  readonly offlineTables?: OfflineTablesOption;
  readonly fetch?: typeof fetch;
  /**
   * The signed-in user (systemuserid) and teams, time zone and week start, for FetchXML's
   * eq-userid / eq-useroruserteams and relative date operators in local reads.
   */
  readonly queryContext?: {
    readonly userId?: string;
    readonly userTeamIds?: readonly string[];
    /** Minutes east of UTC (+120 for UTC+2). Default 0. */
    readonly timeZoneOffsetMinutes?: number;
    /** 0 = Sunday (default) … 6 = Saturday. */
    readonly weekStartDay?: number;
  };
  /** Id generator for created records (default uuid v4); for tests. */
  readonly newId?: () => string;
  /**
   * The server's limit on one request, in bytes: a write whose request would exceed it is refused
   * at the call (RequestTooLarge) instead of failing at sync for ever. Default 134217728, Dataverse's
   * documented 128 MB; set it to the server's if it is lower.
   */
  readonly maxRequestBytes?: number;
  /** Sync engine tuning (batch size, debounce, retry backoff, periodic interval, page size). */
  readonly sync?: SyncTuning;
  /**
   * File columns by table and their MaxSizeInKB (`{ incident: { new_report: { maxSizeInKB: 10240 } } }`).
   * Dataverse's `$metadata` leaves file columns out; image columns (`entityimage`, `new_photo`) are
   * known from it and are named here only to set their MaxSizeInKB (default 10,240, at most 30,720).
   */
  readonly fileColumns?: FileColumnsOption;
  /**
   * The org's MaxUploadFileSize (System Settings → Email → "Maximum file size"), which caps note and
   * email attachments: default 5,242,880 bytes, as Dataverse's default.
   */
  readonly maxUploadFileSize?: number;
  /**
   * How much room the device has, consulted before a large write (a file, a note's body of 4 KB or
   * more). Default `navigator.storage`; pass a stand-in where there is none or to test.
   */
  readonly storage?: DeviceStorage;
}
