// (ii) Every public entry point of every published package (each package.json `exports`), imported
// by a strict consumer: a type and a value from each. check.mjs fails when an entry point in a
// package's exports is imported by no *.typecheck.* scenario, so a new entry point lands here.
// The CommonJS entry of @xrm-offline/testing (its `require` condition) is entry-points-require.typecheck.cts.
import { type Emulator, type EmulatorOptions, startEmulator } from "@xrm-offline/emulator";
import { type EntityMetadata, Metadata, metadataFromCsdl } from "@xrm-offline/metadata";
import { BUNDLED_TABLES, bundledMetadata } from "@xrm-offline/metadata/bundled";
import { SEED_CUSTOM_LOOKUP, seedExampleMetadata } from "@xrm-offline/metadata/testing";
import { type ErrorName, parseQueryOptions, type QueryPlan, XrmError } from "@xrm-offline/odata";
import { createPcfWebApi, type OfflinePcfWebApi } from "@xrm-offline/pcf";
import { OfflineStore, type OpenStoreOptions, type XrmDatabase } from "@xrm-offline/store";
import { databaseOf } from "@xrm-offline/store/testing";
import { createSyncEngine, type SyncEngine, type SyncEngineOptions } from "@xrm-offline/sync";
import { FakeClock, type Step } from "@xrm-offline/sync/testing";
import { createOfflineHarness, type OfflineHarness } from "@xrm-offline/testing";
import { createTransport, type Transport, TransportError } from "@xrm-offline/transport";
import { type CreateWebApiOptions, createWebApi as createGlobalWebApi } from "@xrm-offline/web-resource";
// The single file: no exports, its types (xrm-offline.d.ts) declare the global `XrmOffline`.
import "@xrm-offline/web-resource/xrm-offline.min.js";
import { createWebApi, type OfflineWebApi } from "@xrm-offline/webapi";
import { createOnlineApi, queryString } from "@xrm-offline/webapi/online";
import {
  connectSyncWorker,
  type SyncWorkerClient,
  type SyncWorkerEndpoint,
} from "@xrm-offline/webapi/worker";

export async function emulator(): Promise<string> {
  const options: EmulatorOptions = { port: 0, metadata: bundledMetadata() };
  const server: Emulator = await startEmulator(options);
  await server.close();
  return server.url;
}

export function metadata(csdl: string): EntityMetadata | undefined {
  const fromCsdl: Metadata = metadataFromCsdl(csdl);
  const seeded: Metadata = seedExampleMetadata(bundledMetadata());
  const names: readonly string[] = BUNDLED_TABLES;
  return fromCsdl instanceof Metadata && names.length > 0 && SEED_CUSTOM_LOOKUP !== undefined
    ? seeded.entity("account")
    : undefined;
}

export function odata(metadata: Metadata, e: unknown): QueryPlan | ErrorName | undefined {
  if (e instanceof XrmError) return undefined;
  return parseQueryOptions(metadata, "account", "?$select=name&$top=5");
}

export function pcf(context: ComponentFramework.Context<unknown>): ComponentFramework.WebApi {
  const api: OfflinePcfWebApi = createPcfWebApi(context, { offlineTables: ["account"] });
  return api;
}

export async function store(options: OpenStoreOptions): Promise<XrmDatabase> {
  const opened: OfflineStore = await OfflineStore.open(options);
  return databaseOf(opened);
}

export function sync(options: SyncEngineOptions): SyncEngine {
  const clock = new FakeClock(0);
  clock.stepWall(1);
  const step: Step | undefined = undefined;
  return step === undefined ? createSyncEngine(options) : createSyncEngine(options);
}

export async function testing(): Promise<number> {
  const harness: OfflineHarness = await createOfflineHarness({ offlineTables: ["account"] });
  const { id } = await harness.Xrm.WebApi.createRecord("account", { name: "Contoso" });
  await harness.dispose();
  return id.length;
}

export function transport(e: unknown): Transport | undefined {
  if (e instanceof TransportError) return undefined;
  return createTransport({ serverUrl: "https://contoso.crm.dynamics.com/api/data/v9.2" });
}

export function webResource(): Xrm.WebApi {
  const options: CreateWebApiOptions = { offlineTables: { account: {} }, metadata: bundledMetadata() };
  const fromModule: OfflineWebApi = createGlobalWebApi(options);
  const fromGlobal: OfflineWebApi = XrmOffline.createWebApi({ offlineTables: { contact: {} } });
  return fromModule === fromGlobal ? fromModule : fromGlobal;
}

export function webapi(transportOf: () => Transport): Xrm.WebApiOnline {
  const api: OfflineWebApi = createWebApi({ metadata: bundledMetadata(), offlineTables: { account: {} } });
  const online: Xrm.WebApiOnline = createOnlineApi({
    metadata: bundledMetadata(),
    transport: transportOf,
    isAvailableOffline: (table) => table === "account",
  });
  return queryString("?$top=1") === "" ? api.online : online;
}

export function worker(endpoint: SyncWorkerEndpoint): Promise<void> {
  const client: SyncWorkerClient = connectSyncWorker(endpoint);
  client.close();
  return client.syncNow().then(() => undefined);
}
