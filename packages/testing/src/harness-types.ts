/// <reference types="xrm" />
import type { Metadata } from "@xrm-offline/metadata";
import type {
  OfflineTablesOption,
  OfflineWebApi,
  SyncFailureView,
  SyncReport,
  SyncStatus,
  SyncTuning,
} from "@xrm-offline/webapi";
import type { IDBFactory } from "fake-indexeddb";
import type { ClientContextOptions, HarnessClientContext } from "./client-context.ts";
import type { HarnessServer } from "./harness-server.ts";
import type { Scenarios } from "./scenarios/index.ts";
import type { TokenSwitch } from "./token-switch.ts";

export type SeedData = Readonly<Record<string, readonly Record<string, unknown>[]>>;

export interface OfflineHarnessOptions {
  /** A Metadata object (e.g. `bundledMetadata().extend(…)`) or CSDL XML; default: the 18 bundled tables. */
  readonly metadata?: Metadata | string;
  /**
   * Rows put on the server before the device's first sync, by table (logical or entity set name),
   * as Web API bodies (`@odata.bind` works), in the order given. Tables in `offlineTables` come
   * down to the device in the first sync.
   */
  readonly seed?: SeedData;
  /**
   * The offline profile: tables available offline and downloaded. Absent: every table can be
   * written offline, nothing is downloaded.
   */
  readonly offlineTables?: OfflineTablesOption;
  /** Default false: client wins per column. True: a record changed on the server is a conflict. */
  readonly conflictDetection?: boolean;
  /** Go offline right after the first sync (default false: the network stays on). */
  readonly startOffline?: boolean;
  /**
   * The server requires `Authorization: Bearer <token>` and the device gets its token from
   * `harness.tokens` (which can expire it). `true` picks a token.
   */
  readonly auth?: boolean | { readonly token: string };
  /** Sync tuning; the harness defaults are fast: debounce 1 ms, retries 1–5 ms, 10 s timeout. */
  readonly sync?: SyncTuning;
  /** What `getGlobalContext().client` reports besides the client state. */
  readonly client?: ClientContextOptions;
  /** The device's IndexedDB (default: a new in-memory one); pass one to share a device. */
  readonly indexedDB?: IDBFactory;
  /** The device database name (default `xrm-offline-testing`). */
  readonly databaseName?: string;
  /** Ids for records created on the device (default: random v4 GUIDs). */
  readonly newId?: () => string;
}

/** The global `Xrm` a harness installs: `WebApi` and `Utility.getGlobalContext()`. */
export interface HarnessXrm {
  /** The device's current `Xrm.WebApi` (a new one after `restartApp()`). */
  readonly WebApi: OfflineWebApi;
  readonly Utility: {
    getGlobalContext(): {
      readonly client: HarnessClientContext;
      /** The emulator's origin, as the org URL. */
      getClientUrl(): string;
    };
  };
}

export interface OfflineHarness {
  readonly Xrm: HarnessXrm;
  /** Same as `Xrm.WebApi`. */
  readonly api: OfflineWebApi;
  readonly server: HarnessServer;
  /** Present when the harness was started with `auth`. */
  readonly tokens: TokenSwitch | undefined;
  readonly metadata: Metadata;
  readonly online: boolean;
  /** Sets `target.Xrm` (default globalThis) to this harness's Xrm; returns a function that restores it. */
  install(target?: object): () => void;
  /** The network drops: no sync, and every request to the server fails as without a network. */
  goOffline(): void;
  /** The network returns; the engine starts a sync cycle on its own. */
  goOnline(): void;
  /** One sync cycle (push, then pull): what it pushed, failed, and what is still pending. Offline: nothing. */
  syncNow(): Promise<SyncReport>;
  /** Sync cycles until nothing is pending (or `maxCycles`, default 20); the totals. */
  settle(options?: { readonly maxCycles?: number }): Promise<SyncReport>;
  /** Changes queued on the device, not yet acknowledged by the server. */
  pending(): Promise<number>;
  /** Changes the server refused, kept like Dataverse's sync errors. */
  failures(): Promise<SyncFailureView[]>;
  /** The device's copy of a record (as `Xrm.WebApi.offline.retrieveRecord` returns it), or undefined. */
  local(table: string, id: string): Promise<Record<string, unknown> | undefined>;
  /** The sync status the app would show. */
  status(): Promise<SyncStatus>;
  /**
   * The app is closed and opened again on the same device: the client is closed (a sync in flight
   * is cut off), `whileClosed` runs, and a new client opens the same IndexedDB database.
   */
  restartApp(options?: { readonly whileClosed?: () => unknown }): Promise<void>;
  readonly scenarios: Scenarios;
  /** Closes the client and the server, and restores anything `install()` replaced. Idempotent. */
  dispose(): Promise<void>;
}
