/** Test helpers: a store on a fresh in-memory IndexedDB, and prepared writes from Xrm data. */
import { bundledMetadata, type Metadata } from "@xrm-offline/metadata";
import { normalizeDelete, normalizeWrite, renderRequest } from "@xrm-offline/odata";
import { IDBFactory, IDBKeyRange } from "fake-indexeddb";
import type { PreparedWrite } from "../commit-writes.ts";
import { OfflineStore, type OpenStoreOptions } from "../offline-store.ts";

export const metadata: Metadata = bundledMetadata();

export async function openTestStore(
  options: Partial<OpenStoreOptions> = {},
): Promise<{ store: OfflineStore; factory: IDBFactory; reopen: () => Promise<OfflineStore> }> {
  const factory = options.indexedDB ?? new IDBFactory();
  const base: OpenStoreOptions = {
    name: "test",
    metadata: options.metadata ?? metadata,
    indexedDB: factory,
    IDBKeyRange,
    now: () => new Date("2025-01-02T03:04:05.000Z"),
    ...options,
  };
  const store = await OfflineStore.open(base);
  return { store, factory, reopen: () => OfflineStore.open(base) };
}

export function create(
  entity: string,
  data: Record<string, unknown>,
  md: Metadata = metadata,
): PreparedWrite {
  const operation = normalizeWrite(md, { entityLogicalName: entity, data, mode: "offline", kind: "create" });
  return { operation, request: renderRequest(md, operation) };
}

export function update(
  entity: string,
  id: string,
  data: Record<string, unknown>,
  md: Metadata = metadata,
): PreparedWrite {
  const operation = normalizeWrite(md, {
    entityLogicalName: entity,
    id,
    data,
    mode: "offline",
    kind: "update",
  });
  return { operation, request: renderRequest(md, operation) };
}

export function remove(entity: string, id: string, md: Metadata = metadata): PreparedWrite {
  const operation = normalizeDelete(md, { entityLogicalName: entity, id });
  return { operation, request: renderRequest(md, operation) };
}

export const ACCOUNT = "5531d753-95af-e711-a94e-000d3a11e605";
export const CONTACT = "465b158c-541c-e511-80d3-3863bb347ba8";
export const CONTACT2 = "61a0e5b9-88df-e311-b8e5-6c3be5a8b200";
