// Shared setup of the pull tests: the emulator over HTTP, a store on a fresh fake IndexedDB, and a
// puller between them. Not a test file itself.
import type { Emulator } from "@xrm-offline/emulator";
import type { Metadata } from "@xrm-offline/metadata";
import { bundledMetadata } from "@xrm-offline/metadata/bundled";
import { normalizeDelete, normalizeWrite } from "@xrm-offline/odata";
import { OfflineStore, type PreparedWrite } from "@xrm-offline/store";
import {
  createPuller,
  normalizeOfflineTables,
  type OfflineTablesOption,
  type Puller,
  type PullProgress,
  transportPullRemote,
} from "@xrm-offline/sync";
import { createTransport } from "@xrm-offline/transport";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";

export const metadata: Metadata = bundledMetadata();

export interface PullFixture {
  readonly store: OfflineStore;
  readonly factory: IDBFactory;
  puller: Puller;
  readonly progress: PullProgress[];
  /** A new puller over the same store (another profile, or a "reload"). */
  withProfile(offlineTables: OfflineTablesOption, pageSize?: number): Puller;
  /** Closes the store and opens it again on the same IndexedDB (a page reload). */
  reopen(offlineTables: OfflineTablesOption, pageSize?: number): Promise<PullFixture>;
  pull(): ReturnType<Puller["pull"]>;
  close(): Promise<void>;
}

export async function pullFixture(
  emulator: Emulator,
  offlineTables: OfflineTablesOption,
  pageSize = 1000,
  factory: IDBFactory = new IDBFactory(),
): Promise<PullFixture> {
  const store = await OfflineStore.open({ name: "pull-test", metadata, indexedDB: factory, IDBKeyRange });
  const remote = transportPullRemote(createTransport({ serverUrl: emulator.url }));
  const progress: PullProgress[] = [];
  const make = (tables: OfflineTablesOption, size: number) =>
    createPuller({ store, remote, profile: normalizeOfflineTables(tables, metadata), pageSize: size });
  const fixture: PullFixture = {
    store,
    factory,
    progress,
    puller: make(offlineTables, pageSize),
    withProfile(tables, size = pageSize) {
      fixture.puller = make(tables, size);
      return fixture.puller;
    },
    async reopen(tables, size = pageSize) {
      await store.close();
      return pullFixture(emulator, tables, size, factory);
    },
    pull: () => fixture.puller.pull(undefined, (p) => progress.push(p)),
    close: () => store.close(),
  };
  return fixture;
}

/** Local live rows of a table, by id, without the OData etag (the server shape otherwise). */
export async function localRows(
  store: OfflineStore,
  table: string,
): Promise<Map<string, Record<string, unknown>>> {
  const pk = metadata.entity(table)!.primaryIdAttribute;
  const rows = await store.queryRows(table);
  return new Map(rows.map((r) => [String(r[pk]), r]));
}

/** Server ids of a table, sorted. */
export function serverIds(emulator: Emulator, table: string): string[] {
  const pk = metadata.entity(table)!.primaryIdAttribute;
  return emulator
    .rows(table)
    .map((r) => String(r[pk]))
    .sort();
}

export async function localIds(store: OfflineStore, table: string): Promise<string[]> {
  return [...(await localRows(store, table)).keys()].sort();
}

export function update(entity: string, id: string, data: Record<string, unknown>): PreparedWrite {
  const operation = normalizeWrite(metadata, {
    entityLogicalName: entity,
    id,
    data,
    mode: "offline",
    kind: "update",
  });
  return { operation };
}

export function create(entity: string, data: Record<string, unknown>): PreparedWrite {
  const operation = normalizeWrite(metadata, {
    entityLogicalName: entity,
    data,
    mode: "offline",
    kind: "create",
  });
  return { operation };
}

export function remove(entity: string, id: string): PreparedWrite {
  const operation = normalizeDelete(metadata, { entityLogicalName: entity, id });
  return { operation };
}

/** GET requests the emulator saw for one entity set (URL as received, decoded), oldest first. */
export function getsOf(emulator: Emulator, set: string): { url: string; prefer: string }[] {
  return emulator.requestLog
    .entries((e) => e.method === "GET" && e.path === set)
    .map((e) => ({ url: decodeURIComponent(e.url), prefer: e.headers.prefer ?? "" }));
}

export function guid(n: number, prefix = "00000000"): string {
  return `${prefix}-0000-4000-8000-${n.toString(16).padStart(12, "0")}`;
}

/** Another user's change on the server (through the emulator's handlers, no HTTP); must succeed. */
export function serverPatch(
  emulator: Emulator,
  set: string,
  id: string,
  body: Record<string, unknown>,
): void {
  const res = emulator.handle({
    method: "PATCH",
    path: `${set}(${id})`,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (res.status !== 204) throw new Error(`server PATCH ${set}(${id}) answered ${res.status}`);
}

/** Another user's delete on the server; must succeed. */
export function serverDelete(emulator: Emulator, set: string, id: string): void {
  const res = emulator.handle({ method: "DELETE", path: `${set}(${id})` });
  if (res.status !== 204) throw new Error(`server DELETE ${set}(${id}) answered ${res.status}`);
}
