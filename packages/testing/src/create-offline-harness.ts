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
import { type Metadata, metadataFromCsdl } from "@xrm-offline/metadata";
import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import { ERRORS, XrmError, xrmError } from "@xrm-offline/odata";
import {
  createWebApi,
  type OfflineWebApi,
  resolveMetadata,
  type SyncReport,
  type SyncTuning,
} from "@xrm-offline/webapi";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import { firstValueFrom } from "rxjs";
import { createClientContext } from "./client-context.ts";
import { createHarnessServer } from "./harness-server.ts";
import type { HarnessXrm, OfflineHarness, OfflineHarnessOptions } from "./harness-types.ts";
import { createNetworkSwitch } from "./network-switch.ts";
import { bindScenarios } from "./scenarios/index.ts";
import { createTokenSwitch, type TokenSwitch } from "./token-switch.ts";
import { validateSeed } from "./validate-seed.ts";

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
  // A test harness runs in Node, where the bundled tables cost nothing: they are its default.
  // CSDL text is read here (createWebApi takes a Metadata object; size doesn't matter in tests).
  const metadata = resolveMetadata(
    typeof o.metadata === "string" ? metadataFromCsdl(o.metadata) : (o.metadata ?? bundledMetadata()),
  );
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
      // Keep the server's code: a test author looks it up like any sync error.
      throw new XrmError({
        code: status.lastError.errorCode,
        message: `createOfflineHarness: the first sync failed: ${status.lastError.message}`,
      });
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
