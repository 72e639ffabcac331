/// <reference types="xrm" />
/**
 * `createOfflineHarness(options)`: an in-memory emulator (the server), a real offline engine on
 * fake-indexeddb (the device), a network switch between them, and an `Xrm` object to install as
 * the global one — so a form script or component runs against the real thing in a unit test.
 *
 *   emulator (:memory:) ◄── gated fetch ◄── createWebApi (fake-indexeddb) ◄── Xrm.WebApi
 *        ▲ server.*            ▲ goOffline()/goOnline()                      ▲ install()
 */
import { type Emulator, startEmulator } from "@xrm-offline/emulator";
import type { Metadata } from "@xrm-offline/metadata";
import { ERRORS, XrmError, xrmError } from "@xrm-offline/odata";
import {
  createWebApi,
  type OfflineTablesOption,
  type OfflineWebApi,
  resolveMetadata,
  type SyncFailureView,
  type SyncReport,
  type SyncStatus,
  type SyncTuning,
} from "@xrm-offline/webapi";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { firstValueFrom } from "rxjs";
import {
  type ClientContextOptions,
  createClientContext,
  type HarnessClientContext,
} from "./client-context.ts";
import { createHarnessServer, type HarnessServer } from "./harness-server.ts";
import { createNetworkSwitch } from "./network-switch.ts";
import { bindScenarios, type Scenarios } from "./scenarios/index.ts";
import { createTokenSwitch, type TokenSwitch } from "./token-switch.ts";
import { validateSeed } from "./validate-seed.ts";

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

const DEFAULT_SYNC: SyncTuning = { debounceMs: 1, retry: { baseMs: 1, capMs: 5 }, timeoutMs: 10_000 };

function checkOptions(options: unknown): OfflineHarnessOptions {
  if (options === undefined) return {};
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw xrmError("InvalidArgument", "createOfflineHarness: options must be an object.");
  }
  const o = options as OfflineHarnessOptions;
  const auth = o.auth;
  if (
    auth !== undefined &&
    typeof auth !== "boolean" &&
    !(
      typeof auth === "object" &&
      auth !== null &&
      typeof auth.token === "string" &&
      /^[!-~]+$/.test(auth.token)
    )
  ) {
    throw xrmError(
      "InvalidArgument",
      "createOfflineHarness: auth must be a boolean or { token: <printable, no spaces> }.",
    );
  }
  return o;
}

/** Starts a server and a device. Rejects with an XrmError (and leaves nothing running) on bad options. */
export async function createOfflineHarness(options?: OfflineHarnessOptions): Promise<OfflineHarness> {
  const o = checkOptions(options);
  const metadata = resolveMetadata(o.metadata);
  const seed = validateSeed(metadata, o.seed);
  const token =
    o.auth === undefined || o.auth === false ? undefined : o.auth === true ? "harness-token" : o.auth.token;
  const tokens = token === undefined ? undefined : createTokenSwitch(token);
  const emulator = await startEmulator({
    database: ":memory:",
    metadata,
    ...(token ? { accessToken: token } : {}),
  });
  try {
    return await assemble(o, metadata, seed, emulator, tokens);
  } catch (e) {
    await emulator.close();
    throw e;
  }
}

async function assemble(
  o: OfflineHarnessOptions,
  metadata: Metadata,
  seed: readonly (readonly [string, readonly Record<string, unknown>[]])[],
  emulator: Emulator,
  tokens: TokenSwitch | undefined,
): Promise<OfflineHarness> {
  const server = createHarnessServer(emulator);
  for (const [table, rows] of seed) {
    try {
      server.seed(table, rows);
    } catch (e) {
      const err = XrmError.from(e);
      throw xrmError("InvalidArgument", `createOfflineHarness: seeding '${table}' failed: ${err.message}`);
    }
  }
  const network = createNetworkSwitch(true);
  const indexedDB = o.indexedDB ?? new IDBFactory();
  const databaseName = o.databaseName ?? "xrm-offline-testing";
  const open = (): OfflineWebApi =>
    createWebApi({
      serverUrl: emulator.url,
      metadata,
      databaseName,
      indexedDB,
      IDBKeyRange,
      connectivity: network.connectivity,
      fetch: network.fetch,
      ...(o.offlineTables !== undefined ? { offlineTables: o.offlineTables } : {}),
      ...(o.conflictDetection !== undefined ? { conflictDetection: o.conflictDetection } : {}),
      ...(tokens ? { getAccessToken: tokens.provider } : {}),
      ...(o.newId ? { newId: o.newId } : {}),
      sync: { ...DEFAULT_SYNC, ...o.sync },
    });

  let api = open();
  const client = createClientContext(() => network.online, o.client);
  const globalContext = Object.freeze({ client, getClientUrl: () => emulator.origin });
  const Xrm: HarnessXrm = Object.freeze({
    get WebApi() {
      return api;
    },
    Utility: Object.freeze({ getGlobalContext: () => globalContext }),
  });
  const restores: (() => void)[] = [];
  let disposed: Promise<void> | undefined;

  // The first sync: the device downloads its offline profile (seeded rows included).
  try {
    await api.sync.syncNow();
    const status = await firstValueFrom(api.sync.status$);
    if (status.lastError) {
      throw xrmError(
        "UnexpectedError",
        `createOfflineHarness: the first sync failed: ${status.lastError.message} (${status.lastError.errorCode})`,
      );
    }
  } catch (e) {
    await api.close();
    throw e;
  }
  if (o.startOffline) network.set(false);

  const settle = async (maxCycles = 20): Promise<SyncReport> => {
    if (!Number.isInteger(maxCycles) || maxCycles < 1) {
      throw xrmError("InvalidArgument", "settle: maxCycles must be a whole number ≥ 1.");
    }
    let pushed = 0;
    let failed = 0;
    let conflicts = 0;
    let pending = 0;
    for (let i = 0; i < maxCycles; i++) {
      const r = await api.sync.syncNow();
      pushed += r.pushed;
      failed += r.failed;
      conflicts += r.conflicts;
      pending = r.pending;
      if (pending === 0 || !network.online) break;
    }
    return { pushed, failed, conflicts, pending };
  };

  const base: Omit<OfflineHarness, "scenarios"> = {
    Xrm,
    get api() {
      return api;
    },
    server,
    tokens,
    metadata,
    get online() {
      return network.online;
    },
    install(target: object = globalThis) {
      const holder = target as { Xrm?: unknown };
      const had = Object.hasOwn(holder, "Xrm");
      const previous = Object.getOwnPropertyDescriptor(holder, "Xrm");
      Object.defineProperty(holder, "Xrm", {
        value: Xrm,
        writable: true,
        configurable: true,
        enumerable: true,
      });
      let restored = false;
      const restore = () => {
        if (restored) return;
        restored = true;
        if (had && previous) Object.defineProperty(holder, "Xrm", previous);
        else delete holder.Xrm;
      };
      restores.push(restore);
      return restore;
    },
    goOffline: () => network.set(false),
    goOnline: () => network.set(true),
    syncNow: () => api.sync.syncNow(),
    settle: (opts) => settle(opts?.maxCycles),
    pending: () => api.sync.pendingCount(),
    failures: () => api.sync.failures(),
    async local(table, id) {
      try {
        return await api.offline.retrieveRecord(table, id);
      } catch (e) {
        if (e instanceof XrmError && e.code === ERRORS.ObjectDoesNotExist.code) return undefined;
        throw e;
      }
    },
    status: () => firstValueFrom(api.sync.status$),
    async restartApp(options) {
      if (disposed) throw xrmError("RequestAborted", "restartApp: the harness is disposed.");
      await api.close();
      try {
        await options?.whileClosed?.();
      } finally {
        api = open();
      }
      // The database is open (or failed to open) before the app "comes back".
      await api.sync.pendingCount();
    },
    dispose() {
      disposed ??= (async () => {
        for (const restore of restores.splice(0).reverse()) restore();
        await api.close().catch(() => {});
        await emulator.close();
      })();
      return disposed;
    },
  };
  return Object.assign(base, { scenarios: bindScenarios(base) });
}
